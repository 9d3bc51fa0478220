/* stopworld.c — stop every other thread of the process, read its registers and stack pointer,
 * and let it go again. Used by the leak scan and the stopped threads' backtraces.
 *
 * How: a tracer task, cloned from the stopping thread the way LeakSanitizer's StopTheWorld does
 * (it shares our memory but is a thread group of its own, which ptrace requires; its exit signal
 * is 0, so the program gets no SIGCHLD and its wait() never sees it), seizes each other thread
 * with PTRACE_SEIZE + PTRACE_INTERRUPT and reads its registers. Nothing is sent that the program
 * could observe: no signal, no handler; a system call the thread was in is restarted by the
 * kernel when it is let go, so its sleeps and reads are not cut short. The tracer shares our
 * memory but not a TLS block of its own (it runs on the stopping thread's), so it makes raw
 * system calls only, never a libc call that could touch errno or take a lock.
 *
 * Safe points. A thread stopped inside our own code while it may hold one of our locks or be
 * half way through a table update (the short part of its guard is not 0: a hook, a lookup, a
 * thread's exit bookkeeping) is let go at once with `park_pending` set: it parks on a futex on
 * its way out (park_from_hook), with the tables consistent. Long-running code of ours
 * (a report, an attach session: INVISIBLE_GUARD_LONG) holds none of our locks outside short
 * sections, so it stays stopped where it is.
 *
 * When ptrace cannot be used (the process is already traced, as under gdb's `call
 * invisible_report(...)`; not dumpable; forbidden by Yama or seccomp), the signal method: a
 * real-time signal (INVISIBLE_STOP_SIGNAL, default SIGRTMAX-3) to each thread that does not block
 * it, whose handler parks the thread. Its handler is installed for the stop only and the
 * program's disposition is put back after it, so the program may use that signal itself; only if
 * a signalled thread never took its signal does ours stay (it recognizes its own signals by a
 * cookie, swallows a late one, and hands any other to the program's handler).
 *
 * One stop at a time (`stopper`). The stopping thread must not take any lock a stopped thread
 * could hold (dl lock, stdio, malloc arenas) until stopworld_resume: collect what needs those
 * first.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/single_threaded.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#define STOP_TIMEOUT_NS 1000000000ull /* for threads let go (or signalled) to park */
#define RED_ZONE 128
#define TRACER_STACK (256u << 10)
#define LIST_PASSES 64

enum { STOP_BY_NONE, STOP_BY_PTRACE, STOP_BY_SIGNAL };
enum { TRACER_STARTING, TRACER_STOPPED, TRACER_FAILED, TRACER_RESUME, TRACER_NUDGE };

#define NUDGE_RUN_US 50 /* how long a nudged thread runs before it is looked at again */

/* PTRACE_SEIZE's request numbers, for headers that predate them. */
#ifndef PTRACE_SEIZE
#define PTRACE_SEIZE 0x4206
#endif
#ifndef PTRACE_INTERRUPT
#define PTRACE_INTERRUPT 0x4207
#endif

static stopworld *world(void) { return &instrument_state.stop; }

/* The cookie our stop signals carry (rt_tgsigqueueinfo's si_value): any address of ours. */
static void *const signal_cookie = (void *)&instrument_state.stop;

/* ---- raw system calls (usable by the tracer: no errno, no lock) ---- */

static long raw_futex(_Atomic uint32_t *word, int op, uint32_t value, const struct timespec *timeout)
{
    return prim_syscall6(SYS_futex, (long)word, op, value, (long)timeout, 0, 0);
}

static void futex_wait(_Atomic uint32_t *word, uint32_t value, long nanoseconds)
{
    struct timespec timeout = { 0, nanoseconds };
    raw_futex(word, FUTEX_WAIT_PRIVATE, value, &timeout);
}

static void futex_wake_all(_Atomic uint32_t *word)
{
    raw_futex(word, FUTEX_WAKE_PRIVATE, 0x7fffffff, NULL);
}

static long raw_ptrace(long request, pid_t tid, uint64_t address, uint64_t data)
{
    return prim_syscall6(SYS_ptrace, request, tid, (long)address, (long)data, 0, 0);
}

static long raw_wait(pid_t pid, int *status, int options)
{
    long rc;
    do
        rc = prim_syscall6(SYS_wait4, pid, (long)status, options, 0, 0, 0);
    while (rc == -EINTR);
    return rc;
}

static void raw_pause_us(long microseconds)
{
    struct timespec t = { 0, microseconds * 1000 };
    prim_syscall3(SYS_nanosleep, (long)&t, 0, 0);
}

/* "/proc/PID/task[/TID/NAME]" without libc. */
static size_t append_number(char *out, size_t n, uint64_t value)
{
    char digits[24];
    int count = 0;
    do {
        digits[count++] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    while (count)
        out[n++] = digits[--count];
    out[n] = 0;
    return n;
}

static size_t append_text(char *out, size_t n, const char *text)
{
    while (*text)
        out[n++] = *text++;
    out[n] = 0;
    return n;
}

static void task_path(char *out, pid_t pid, pid_t tid, const char *name)
{
    size_t n = append_text(out, 0, "/proc/");
    n = append_number(out, n, (uint64_t)pid);
    n = append_text(out, n, "/task");
    if (tid) {
        n = append_text(out, n, "/");
        n = append_number(out, n, (uint64_t)tid);
        n = append_text(out, n, "/");
        append_text(out, n, name);
    }
}

/* Read up to `capacity - 1` bytes of a small /proc file; returns the length, or -1. */
static long read_small_file(const char *path, char *buffer, size_t capacity)
{
    long fd = prim_syscall6(SYS_openat, AT_FDCWD, (long)path, O_RDONLY | O_CLOEXEC, 0, 0, 0);
    if (fd < 0)
        return -1;
    long length = 0, got;
    while (length + 1 < (long)capacity &&
           (got = prim_syscall3(SYS_read, fd, (long)(buffer + length), (long)capacity - 1 - length)) > 0)
        length += got;
    prim_syscall3(SYS_close, fd, 0, 0);
    buffer[length] = 0;
    return length;
}

/* A thread that is a zombie (a main thread that left through pthread_exit) or dead can be neither
 * traced nor signalled: its state letter, after the command name's closing parenthesis. */
static int task_is_gone(pid_t pid, pid_t tid)
{
    char path[64], stat[512];
    task_path(path, pid, tid, "stat");
    long n = read_small_file(path, stat, sizeof stat);
    if (n <= 0)
        return 1;
    const char *close = NULL;
    for (const char *p = stat; *p; p++)
        if (*p == ')')
            close = p;
    return close && close[1] == ' ' && (close[2] == 'Z' || close[2] == 'X');
}

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

typedef int (*thread_visitor)(pid_t tid, void *context);

/* Visit every thread of `pid` but `skip`; returns how many, or -1 if the list cannot be read. */
static int for_each_thread(pid_t pid, pid_t skip, thread_visitor visit, void *context)
{
    char path[64];
    task_path(path, pid, 0, NULL);
    long fd = prim_syscall6(SYS_openat, AT_FDCWD, (long)path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, 0, 0);
    if (fd < 0)
        return -1;
    int count = 0;
    char buffer[2048];
    for (;;) {
        long n = prim_syscall3(SYS_getdents64, fd, (long)buffer, sizeof buffer);
        if (n <= 0)
            break;
        for (long offset = 0; offset < n;) {
            struct linux_dirent64 *d = (struct linux_dirent64 *)(buffer + offset);
            offset += d->d_reclen;
            if (d->d_name[0] < '0' || d->d_name[0] > '9')
                continue;
            pid_t tid = 0;
            for (const char *c = d->d_name; *c; c++)
                tid = tid * 10 + (*c - '0');
            if (tid == skip)
                continue;
            count++;
            if (visit && visit(tid, context))
                break;
        }
    }
    prim_syscall3(SYS_close, fd, 0, 0);
    return count;
}

/* ---- the ptrace method: the tracer task ---- */

static void fill_from_registers(stopped_thread *out, pid_t tid, const struct user_regs_struct *r)
{
    const uint64_t values[STOPWORLD_REGISTER_COUNT] = {
        r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi, r->rbp, r->r8, r->r9,
        r->r10, r->r11, r->r12, r->r13, r->r14, r->r15, r->rsp, r->rip, r->rax };
    out->tid = tid;
    out->from_signal = 1;
    for (int i = 0; i < STOPWORLD_REGISTER_COUNT; i++)
        out->registers[i] = values[i];
    out->sp = r->rsp - RED_ZONE;
    out->thread_pointer = r->fs_base;
}

static int already_traced(const stopworld_tracer *t, pid_t tid)
{
    for (uint32_t i = 0; i < t->traced_count; i++)
        if (t->traced[i] == tid)
            return 1;
    return 0;
}

/* Seize and interrupt one thread (it stops when the kernel next gets hold of it). Returns 1 when
 * seized, 0 when it is gone or was not there, -errno when ptrace is refused. */
static int seize(stopworld_tracer *t, pid_t tid)
{
    if (already_traced(t, tid) || t->traced_count >= STOPWORLD_MAX_THREADS)
        return 0;
    if (task_is_gone(t->pid, tid))
        return 0;
    long rc = raw_ptrace(PTRACE_SEIZE, tid, 0, 0);
    if (rc == -ESRCH)
        return 0;
    if (rc < 0)
        return (int)rc;
    raw_ptrace(PTRACE_INTERRUPT, tid, 0, 0);
    t->traced_signal[t->traced_count] = 0;
    t->traced_entry[t->traced_count] = -1;
    t->traced[t->traced_count++] = tid;
    return 1;
}

typedef struct seize_pass {
    stopworld_tracer *tracer;
    int seized;
    int refused; /* -errno of the first refusal */
} seize_pass;

static int seize_visitor(pid_t tid, void *context)
{
    seize_pass *pass = context;
    int rc = seize(pass->tracer, tid);
    if (rc > 0)
        pass->seized++;
    else if (rc < 0 && !pass->refused)
        pass->refused = rc;
    return 0;
}

/* Wait until traced thread `i` is in a stop (or gone): 1 stopped, 0 gone. A signal that arrived
 * meanwhile stopped it instead of our interrupt: it is kept for the detach, which delivers it. */
static int wait_for_stop(stopworld_tracer *t, uint32_t i)
{
    int status = 0;
    if (raw_wait(t->traced[i], &status, __WALL) < 0 || !WIFSTOPPED(status)) {
        t->traced[i] = 0;
        return 0;
    }
    if ((status >> 16) == 0 && WSTOPSIG(status) != SIGTRAP)
        t->traced_signal[i] = WSTOPSIG(status);
    return 1;
}

/* One word of a stopped thread's thread_state (types.h), read through ptrace: a thread that set
 * its thread pointer to something odd costs a failed read, never a fault. 0 if unreadable. */
static uint64_t peek_state(pid_t tid, uint64_t state, size_t offset)
{
    uint64_t word = 0;
    if (!state || raw_ptrace(PTRACE_PEEKDATA, tid, state + offset, (uint64_t)(uintptr_t)&word) != 0)
        return 0;
    return word;
}

/* A thread stopped in a short section of ours is let go to park when it holds one of our locks
 * (or is about to take one): stopped, it would block the scan; let go, it parks the moment it lets
 * go of its last lock (internal.h), before it could wait for anything a stopped thread holds.
 * Anywhere else the tables are consistent at every store, and a block it is handling is in its
 * registers or frames (a realloc's old block is scanned from `moving_start`): it stays stopped. */
static int must_park(pid_t tid, uint64_t state)
{
    if (peek_state(tid, state, offsetof(thread_state, locks_held)) & 0xffffffffu)
        return 1;
    uint32_t slot = (uint32_t)peek_state(tid, state, offsetof(thread_state, slot));
    thread_registry *r = &instrument_state.threads;
    return slot && slot < THREAD_SLOT_CAPACITY && r->slots &&
           atomic_load_explicit(&r->slots[slot].held_bucket, memory_order_relaxed) != 0;
}

/* A realloc's old block: its start from the thread's state, its size from glibc's chunk header
 * (read through ptrace too). */
static void note_moving(stopped_thread *out, pid_t tid, uint64_t state)
{
    out->moving_low = out->moving_high = 0;
    uint64_t start = peek_state(tid, state, offsetof(thread_state, moving_start));
    uint64_t header = start ? peek_state(tid, start - 8, 0) : 0, chunk = header & ~7ull;
    if (chunk >= 16) {
        out->moving_low = start;
        out->moving_high = start + ((header & 2) ? chunk - 16 : chunk - 8);
    }
}

/* A stopped thread: record it, or, when it must park (above) and `may_release`, set its
 * park_pending and let it go (a thread recorded before and nudged since loses its entry: it
 * parks into a new one). The guard is the first word of the thread's static TLS state:
 * in_hook, then park_pending. */
static void settle(stopworld_tracer *t, uint32_t i, int may_release)
{
    stopworld *s = world();
    pid_t tid = t->traced[i];
    struct user_regs_struct regs;
    if (raw_ptrace(PTRACE_GETREGS, tid, 0, (uint64_t)(uintptr_t)&regs) < 0)
        return;
    uint64_t state = regs.fs_base ? regs.fs_base + (uint64_t)t->tls_offset : 0;
    uint64_t guard = peek_state(tid, state, 0);
    int short_section = ((uint32_t)guard & INVISIBLE_GUARD_SHORT_MASK) != 0;
    if (short_section && may_release && must_park(tid, state)) {
        if (t->traced_entry[i] >= 0) { /* stopped before, nudged since: its entry is void now */
            stopped_thread *old = &s->threads[t->traced_entry[i]];
            memset(old, 0, sizeof *old);
            t->traced_entry[i] = -1;
        }
        guard |= 1ull << 32; /* park_pending = 1 */
        raw_ptrace(PTRACE_POKEDATA, tid, state, guard);
        raw_ptrace(PTRACE_DETACH, tid, 0, (uint64_t)t->traced_signal[i]);
        t->traced_signal[i] = -1;
        t->released++;
        return;
    }
    int entry = t->traced_entry[i];
    if (entry < 0) {
        uint32_t slot = atomic_fetch_add_explicit(&s->claimed, 1, memory_order_relaxed);
        entry = slot < STOPWORLD_MAX_THREADS ? (int)slot : -1;
        t->traced_entry[i] = entry;
        t->claims++;
        atomic_fetch_add_explicit(&s->arrived, 1, memory_order_release);
    }
    if (entry >= 0) {
        stopped_thread *out = &s->threads[entry];
        fill_from_registers(out, tid, &regs);
        note_moving(out, tid, state);
    }
}

/* List, seize and settle until a pass finds no new thread (one created while we worked is caught
 * by the next pass). 0, or -errno when ptrace is refused. */
static int tracer_stop_all(stopworld_tracer *t)
{
    for (int pass = 0; pass < LIST_PASSES; pass++) {
        uint32_t first = t->traced_count;
        seize_pass p = { t, 0, 0 };
        if (for_each_thread(t->pid, t->stopper_tid, seize_visitor, &p) < 0)
            return -ESRCH;
        if (p.refused)
            return p.refused; /* a thread we may not stop: the signal method stops them all */
        for (uint32_t i = first; i < t->traced_count; i++)
            if (wait_for_stop(t, i))
                settle(t, i, 1);
        if (p.seized == 0)
            break;
    }
    return 0;
}

static uint32_t traced_index(const stopworld_tracer *t, pid_t tid)
{
    for (uint32_t i = 0; i < t->traced_count; i++)
        if (t->traced[i] == tid)
            return i;
    return UINT32_MAX;
}

/* Wait for one of `which` to stop, up to `deadline`: its index in `which`, or -1. A thread that
 * took a signal of its own is sent on: the signal is kept for the detach, which delivers it. One
 * that exits is forgotten. */
static int wait_any_stop(stopworld_tracer *t, const uint32_t *which, uint32_t count, const int *running,
                         uint64_t deadline)
{
    for (;;) {
        int status = 0;
        long pid = prim_syscall6(SYS_wait4, -1, (long)&status, __WALL | WNOHANG, 0, 0, 0);
        if (pid > 0) {
            for (uint32_t k = 0; k < count; k++) {
                uint32_t i = which[k];
                if (!running[k] || t->traced[i] != (pid_t)pid)
                    continue;
                if (!WIFSTOPPED(status)) {
                    t->traced[i] = 0;
                    return (int)k;
                }
                int signal = (status >> 16) == 0 ? WSTOPSIG(status) : 0;
                if (signal && signal != SIGTRAP) {
                    t->traced_signal[i] = signal;
                    raw_ptrace(PTRACE_CONT, (pid_t)pid, 0, 0);
                    break;
                }
                return (int)k;
            }
            continue;
        }
        if (prim_now_ns() > deadline)
            return -1;
        raw_pause_us(10);
    }
}

/* Run the threads of the nudge list for NUDGE_RUN_US, all at once (one may be waiting for a lock
 * another holds), the others staying stopped; then stop them again, read their registers anew
 * and settle them as at the first stop. A signal that had stopped one is delivered now. */
static void tracer_nudge(stopworld_tracer *t)
{
    static uint32_t which[STOPWORLD_MAX_THREADS];
    static int running[STOPWORLD_MAX_THREADS];
    uint32_t count = 0;
    for (uint32_t k = 0; k < t->nudge_count; k++) {
        uint32_t i = traced_index(t, t->nudge[k]);
        if (i == UINT32_MAX || t->traced_signal[i] < 0)
            continue;
        if (raw_ptrace(PTRACE_CONT, t->traced[i], 0, (uint64_t)t->traced_signal[i]) == 0) {
            t->traced_signal[i] = 0;
            running[count] = 1;
            which[count++] = i;
        }
    }
    raw_pause_us(NUDGE_RUN_US);
    for (uint32_t k = 0; k < count; k++)
        raw_ptrace(PTRACE_INTERRUPT, t->traced[which[k]], 0, 0);
    for (uint32_t left = count; left > 0;) {
        int k = wait_any_stop(t, which, count, running, ~0ull);
        if (k < 0)
            break;
        running[k] = 0;
        left--;
    }
    for (uint32_t k = 0; k < count; k++) {
        uint32_t i = which[k];
        if (!t->traced[i]) {
            int entry = t->traced_entry[i];
            if (entry >= 0)
                memset(&world()->threads[entry], 0, sizeof world()->threads[entry]);
            continue; /* it exited meanwhile */
        }
        settle(t, i, 1);
    }
}

static void tracer_detach_all(stopworld_tracer *t)
{
    for (uint32_t i = 0; i < t->traced_count; i++)
        if (t->traced[i] && t->traced_signal[i] >= 0)
            raw_ptrace(PTRACE_DETACH, t->traced[i], 0, (uint64_t)t->traced_signal[i]);
}

static void publish(stopworld_tracer *t, uint32_t state)
{
    atomic_store_explicit(&t->state, state, memory_order_release);
    futex_wake_all(&t->state);
}

/* The tracer task's body: its own thread group, our memory, the stopping thread's TLS (so raw
 * system calls only). A fault here must kill the tracer alone (the kernel then detaches every
 * thread it holds), never run the program's handler: SIGSEGV/SIGBUS get their default action in
 * this task's own copy of the handlers. */
static int tracer_main(void *argument)
{
    stopworld_tracer *t = argument;
    struct { void *handler; unsigned long flags; void *restorer; uint64_t mask; } default_action = { 0 };
    prim_syscall6(SYS_rt_sigaction, SIGSEGV, (long)&default_action, 0, 8, 0, 0);
    prim_syscall6(SYS_rt_sigaction, SIGBUS, (long)&default_action, 0, 8, 0, 0);
    prim_syscall6(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0, 0);
    int rc = tracer_stop_all(t);
    if (rc != 0) {
        tracer_detach_all(t);
        t->error = -rc;
        publish(t, TRACER_FAILED);
        return 1;
    }
    publish(t, TRACER_STOPPED);
    for (;;) {
        uint32_t state = atomic_load_explicit(&t->state, memory_order_acquire);
        if (state == TRACER_RESUME)
            break;
        if (state == TRACER_NUDGE) {
            tracer_nudge(t);
            tracer_stop_all(t); /* threads the nudged ones created */
            publish(t, TRACER_STOPPED);
            continue;
        }
        futex_wait(&t->state, TRACER_STOPPED, 100 * 1000 * 1000);
    }
    tracer_detach_all(t);
    return 0;
}

/* clone(2) without libc: the child runs entry(argument) on `stack_top` and exits with what it
 * returns. The child's pid, or -errno. */
static long raw_clone(unsigned long flags, void *stack_top, int (*entry)(void *), void *argument)
{
    uint64_t *sp = (uint64_t *)stack_top;
    *--sp = (uint64_t)(uintptr_t)argument;
    *--sp = (uint64_t)(uintptr_t)entry;
    long result;
    register long child_tid __asm__("r10") = 0;
    register long tls __asm__("r8") = 0;
    __asm__ volatile("syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "xor %%ebp, %%ebp\n\t" /* the child, on its own stack */
                     "pop %%rax\n\t"
                     "pop %%rdi\n\t"
                     "call *%%rax\n\t"
                     "mov %%eax, %%edi\n\t"
                     "mov %[exit], %%eax\n\t"
                     "syscall\n\t"
                     "hlt\n\t"
                     "1:\n\t"
                     : "=a"(result)
                     : "0"((long)SYS_clone), "D"(flags), "S"(sp), "d"(0L), "r"(child_tid), "r"(tls),
                       [exit] "i"(SYS_exit)
                     : "rcx", "r11", "memory");
    return result;
}

/* Is this process traced already (a debugger, strace)? Then ptrace is not ours to use. */
int invisible_process_traced(void)
{
    char status[4096];
    if (read_small_file("/proc/self/status", status, sizeof status) <= 0)
        return 1;
    const char *p = strstr(status, "TracerPid:");
    if (!p)
        return 0;
    for (p += 10; *p == ' ' || *p == '\t'; p++)
        ;
    return *p != '0';
}

/* Our library's code (where a thread in a short section may be half way through an update). */
static int find_own_text(struct dl_phdr_info *info, size_t size, void *data)
{
    stopworld_tracer *t = data;
    uint64_t here = (uint64_t)(uintptr_t)&find_own_text;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uint64_t start = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) && here >= start && here < start + ph->p_memsz) {
            t->own_text_start = start;
            t->own_text_end = start + ph->p_memsz;
            return 1;
        }
    }
    return 0;
}

static int tracer_start(stopworld *s)
{
    if (!s->tracer) {
        s->tracer = own_map(sizeof(stopworld_tracer), 0);
        s->tracer_stack = own_map(TRACER_STACK, 0);
        if (!s->tracer || !s->tracer_stack)
            return -1;
    }
    stopworld_tracer *t = s->tracer;
    if (!t->own_text_end)
        dl_iterate_phdr(find_own_text, t); /* before the stop: it takes the loader's lock */
    atomic_store(&t->state, TRACER_STARTING);
    t->pid = getpid();
    t->stopper_tid = prim_gettid();
    t->tls_offset = (int64_t)((uintptr_t)&thread_tls - (uintptr_t)pthread_self());
    t->traced_count = 0;
    t->released = 0;
    t->claims = 0;
    t->error = 0;
    /* No asynchronous signal may run a handler in the tracer (it would run on our TLS). */
    sigset_t all, saved;
    sigfillset(&all);
    sigdelset(&all, SIGSEGV);
    sigdelset(&all, SIGBUS);
    sigdelset(&all, SIGILL);
    sigdelset(&all, SIGFPE);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    long pid = raw_clone(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_UNTRACED,
                         (char *)s->tracer_stack + TRACER_STACK, tracer_main, t);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    if (pid < 0)
        return -1;
    s->tracer_pid = (pid_t)pid;
    return 0;
}

/* The tracer is done (or died): collect it. */
static void tracer_reap(stopworld *s)
{
    int status;
    raw_wait(s->tracer_pid, &status, __WALL);
    s->tracer_pid = 0;
}

/* Wait for the tracer to say STOPPED or FAILED; a tracer that died says neither. */
static uint32_t tracer_wait_verdict(stopworld *s)
{
    stopworld_tracer *t = s->tracer;
    for (;;) {
        uint32_t state = atomic_load_explicit(&t->state, memory_order_acquire);
        if (state != TRACER_STARTING)
            return state;
        int status;
        if (raw_wait(s->tracer_pid, &status, __WALL | WNOHANG) != 0) {
            s->tracer_pid = 0;
            return TRACER_FAILED;
        }
        futex_wait(&t->state, TRACER_STARTING, 20 * 1000 * 1000);
    }
}

/* Threads that were let go park on their way out of our code, normally within microseconds;
 * one blocked on a lock a stopped thread holds never does (it is then counted as not stopped). */
static void wait_for_arrivals(stopworld *s, uint32_t expected)
{
    uint64_t deadline = prim_now_ns() + STOP_TIMEOUT_NS;
    while (atomic_load_explicit(&s->arrived, memory_order_acquire) < expected && prim_now_ns() < deadline)
        raw_pause_us(20);
}

/* Entries voided by a nudge (tid 0) are squeezed out once every expected thread is in. */
static uint32_t compact_entries(stopworld *s, uint32_t count)
{
    uint32_t kept = 0;
    for (uint32_t i = 0; i < count; i++)
        if (s->threads[i].tid)
            s->threads[kept++] = s->threads[i];
    return kept;
}

/* Threads of the tracer's that are stopped inside busy code (quiet.c) run on alone for a moment
 * and are looked at again, the others staying stopped (so none can enter it); a thread leaves the
 * allocator within microseconds, and the busy set shrinks round after round. For a copy of the
 * process: it must find the allocator's and the loader's locks free. Returns 1 when no stopped
 * thread is inside busy code. */
#define NUDGE_ROUNDS 400

int stopworld_nudge_out_of_busy_code(uint64_t budget_ns)
{
    stopworld *s = world();
    if (s->method == STOP_BY_NONE)
        return 1;
    if (s->method != STOP_BY_PTRACE)
        return s->quiet;
    stopworld_tracer *t = s->tracer;
    uint64_t deadline = prim_now_ns() + budget_ns;
    for (int round = 0; round < NUDGE_ROUNDS; round++) {
        uint32_t count = atomic_load_explicit(&s->claimed, memory_order_acquire);
        int n = quiet_collect_busy(s->threads, count < STOPWORLD_MAX_THREADS ? count : STOPWORLD_MAX_THREADS,
                                   t->nudge);
        if (n == 0)
            break;
        if (prim_now_ns() > deadline)
            return 0;
        t->nudge_count = (uint32_t)n;
        publish(t, TRACER_NUDGE);
        while (atomic_load_explicit(&t->state, memory_order_acquire) == TRACER_NUDGE)
            futex_wait(&t->state, TRACER_NUDGE, 20 * 1000 * 1000);
    }
    wait_for_arrivals(s, t->claims + t->released);
    uint32_t count = atomic_load_explicit(&s->claimed, memory_order_acquire);
    s->quiet = quiet_collect_busy(s->threads, count < STOPWORLD_MAX_THREADS ? count : STOPWORLD_MAX_THREADS, NULL) == 0 &&
               atomic_load_explicit(&s->arrived, memory_order_acquire) >= t->claims + t->released;
    return s->quiet;
}

/* Returns the number of threads stopped or parked, or -1 when ptrace cannot be used here. */
static int stop_by_ptrace(stopworld *s, int *attempted)
{
    if (invisible_process_traced() || tracer_start(s) != 0)
        return -1;
    stopworld_tracer *t = s->tracer;
    if (tracer_wait_verdict(s) != TRACER_STOPPED) {
        if (s->tracer_pid)
            tracer_reap(s);
        return -1;
    }
    s->method = STOP_BY_PTRACE;
    uint32_t expected = t->claims + t->released;
    wait_for_arrivals(s, expected);
    uint32_t arrived = atomic_load_explicit(&s->arrived, memory_order_acquire);
    if (arrived > STOPWORLD_MAX_THREADS)
        arrived = STOPWORLD_MAX_THREADS;
    if (arrived >= expected) /* everyone in: nobody writes an entry any more */
        arrived = compact_entries(s, arrived);
    uint32_t alive = 0;
    for (uint32_t i = 0; i < t->traced_count; i++)
        if (t->traced[i])
            alive++;
    *attempted = (int)alive;
    return (int)arrived;
}

/* ---- the signal method ---- */

/* The signal handler's view of must_park: this thread holds one of our locks. */
static int lock_held_here(const thread_state *thread)
{
    thread_registry *r = &instrument_state.threads;
    return thread->locks_held ||
           (thread->slot && r->slots && atomic_load_explicit(&r->slots[thread->slot].held_bucket, memory_order_relaxed));
}

static void stop_signal_handler(int signal, siginfo_t *info, void *context)
{
    int saved_errno = errno;
    stopworld *s = world();
    int ours = info && info->si_code == SI_QUEUE && info->si_value.sival_ptr == signal_cookie;
    if (ours) {
        thread_state *thread = &thread_tls;
        if (!atomic_load_explicit(&s->active, memory_order_acquire))
            ; /* a late one: its stop is over */
        else if ((thread->guard.in_hook & INVISIBLE_GUARD_SHORT_MASK) && lock_held_here(thread))
            thread->park_pending = 1; /* it parks when it lets go of its last lock */
        else
            park_thread(context, 0);
    } else {
        /* Not ours: the program's own signal, to the program's disposition. */
        struct sigaction *old = &s->previous_storage;
        if ((old->sa_flags & SA_SIGINFO) && old->sa_sigaction)
            old->sa_sigaction(signal, info, context);
        else if (old->sa_handler == SIG_DFL) {
            sigaction(signal, old, NULL); /* the default action, as without us */
            s->handler_installed = 0;
            syscall(SYS_tgkill, getpid(), prim_gettid(), signal);
        } else if (old->sa_handler != SIG_IGN && old->sa_handler)
            old->sa_handler(signal);
    }
    errno = saved_errno;
}

static int install_handler(stopworld *s)
{
    if (s->handler_installed)
        return 0;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = stop_signal_handler;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigfillset(&action.sa_mask);
    if (sigaction(s->signal_number, &action, &s->previous_storage) != 0)
        return -1;
    s->handler_installed = 1;
    return 0;
}

/* Does thread `tid` block signal `signal` (SigBlk in its status)? Then it would never take it. */
static int thread_blocks(pid_t pid, pid_t tid, int signal)
{
    char path[64], status[2048];
    task_path(path, pid, tid, "status");
    if (read_small_file(path, status, sizeof status) <= 0)
        return 0;
    const char *p = strstr(status, "SigBlk:");
    if (!p)
        return 0;
    for (p += 7; *p == ' ' || *p == '\t'; p++)
        ;
    /* 16 hex digits, signal 1 is the lowest bit of the last one. */
    int bit = signal - 1, digit = 15 - bit / 4;
    char c = p[digit];
    int value = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : 0;
    return (value >> (bit % 4)) & 1;
}

typedef struct signal_pass {
    stopworld *s;
    pid_t pid;
    int count;     /* entries of s->signalled_tids */
    int sent;
    int unreachable; /* blocking the signal, or a zombie */
} signal_pass;

static int signal_visitor(pid_t tid, void *context)
{
    signal_pass *pass = context;
    stopworld *s = pass->s;
    for (int i = 0; i < pass->count; i++)
        if (s->signalled_tids[i] == tid)
            return 0;
    if (pass->count >= STOPWORLD_MAX_THREADS)
        return 1;
    s->signalled_tids[pass->count++] = tid;
    if (task_is_gone(pass->pid, tid) || thread_blocks(pass->pid, tid, s->signal_number)) {
        pass->unreachable++;
        return 0;
    }
    siginfo_t info;
    memset(&info, 0, sizeof info);
    info.si_signo = s->signal_number;
    info.si_code = SI_QUEUE;
    info.si_pid = pass->pid;
    info.si_uid = getuid();
    info.si_value.sival_ptr = signal_cookie;
    if (syscall(SYS_rt_tgsigqueueinfo, pass->pid, tid, s->signal_number, &info) == 0)
        pass->sent++;
    else
        pass->unreachable++;
    return 0;
}

static int stop_by_signal(stopworld *s, int *attempted)
{
    s->signal_number = instrument_state.stop_signal ? instrument_state.stop_signal : SIGRTMAX - 3;
    if (install_handler(s) != 0)
        return -1;
    s->method = STOP_BY_SIGNAL;
    signal_pass pass = { s, getpid(), 0, 0, 0 };
    /* Two passes: a thread created while we enumerate is caught by the second. */
    for (int round = 0; round < 2; round++)
        if (for_each_thread(pass.pid, prim_gettid(), signal_visitor, &pass) < 0)
            break;
    wait_for_arrivals(s, (uint32_t)pass.sent);
    uint32_t arrived = atomic_load_explicit(&s->arrived, memory_order_acquire);
    s->signalled_pending = arrived < (uint32_t)pass.sent;
    *attempted = pass.sent + pass.unreachable;
    return (int)(arrived < STOPWORLD_MAX_THREADS ? arrived : STOPWORLD_MAX_THREADS);
}

/* Put the program's disposition back, unless a signal of ours may still be on its way. */
static void uninstall_handler(stopworld *s)
{
    if (!s->handler_installed || s->signalled_pending)
        return;
    sigaction(s->signal_number, &s->previous_storage, NULL);
    s->handler_installed = 0;
}

/* ---- stop and resume ---- */

static void stop_lock(stopworld *s)
{
    int self = prim_gettid(), expected = 0;
    while (!atomic_compare_exchange_weak(&s->stopper, &expected, self)) {
        expected = 0;
        raw_pause_us(100);
    }
}

static void stop_unlock(stopworld *s)
{
    atomic_store(&s->stopper, 0);
}

int stopworld_stop(const stopped_thread **threads, int *signalled)
{
    stopworld *s = world();
    *signalled = 0;
    if (!s->threads) {
        s->threads = own_map(STOPWORLD_MAX_THREADS * sizeof(stopped_thread), 0);
        if (!s->threads)
            return -1;
    }
    if (__libc_single_threaded) {
        /* glibc clears this at the process's first pthread_create: alone, with nobody to stop,
         * no /proc read and no question to the loader (most short-lived programs end so). */
        stop_lock(s);
        *threads = s->threads;
        atomic_store(&s->claimed, 0);
        atomic_store(&s->arrived, 0);
        s->method = STOP_BY_NONE;
        s->quiet = 1;
        return 0;
    }
    quiet_find_busy_code(); /* before the stop: it asks the loader */
    stop_lock(s);
    *threads = s->threads;
    atomic_store(&s->claimed, 0);
    atomic_store(&s->arrived, 0);
    s->method = STOP_BY_NONE;
    s->quiet = 0;
    if (for_each_thread(getpid(), prim_gettid(), NULL, NULL) == 0) {
        s->quiet = 1;
        return 0; /* alone: nothing to stop */
    }
    atomic_store_explicit(&s->active, 1, memory_order_release);
    int stopped = stop_by_ptrace(s, signalled);
    if (stopped < 0)
        stopped = stop_by_signal(s, signalled);
    if (stopped >= 0 && stopped >= *signalled)
        s->quiet = quiet_collect_busy(s->threads, (uint32_t)stopped, NULL) == 0;
    if (stopped < 0) {
        atomic_store_explicit(&s->active, 0, memory_order_release);
        stop_unlock(s);
        return -1;
    }
    return stopped;
}

void stopworld_forget_stop(void)
{
    stopworld *s = world();
    /* The stop the copy was made in: its entries describe the program's threads, whose stacks
     * this copy holds; kept for thread_backtraces (the census types blocks from their locals). */
    uint32_t claimed = atomic_load(&s->claimed);
    s->in_copy = 1;
    s->copied_count = s->threads && s->method != STOP_BY_NONE
                          ? (claimed < STOPWORLD_MAX_THREADS ? claimed : STOPWORLD_MAX_THREADS) : 0;
    atomic_store(&s->active, 0);
    s->method = STOP_BY_NONE;
    s->tracer_pid = 0;
    atomic_store(&s->stopper, 0);
}

int stopworld_quiet(void)
{
    return world()->quiet;
}

void stopworld_resume(void)
{
    stopworld *s = world();
    atomic_store_explicit(&s->active, 0, memory_order_release);
    atomic_fetch_add_explicit(&s->release_generation, 1, memory_order_release);
    futex_wake_all(&s->release_generation);
    if (s->method == STOP_BY_PTRACE) {
        publish(s->tracer, TRACER_RESUME);
        tracer_reap(s);
    } else if (s->method == STOP_BY_SIGNAL) {
        uninstall_handler(s);
    }
    s->method = STOP_BY_NONE;
    stop_unlock(s);
}
