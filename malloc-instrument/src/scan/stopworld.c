/* stopworld.c — stop every other thread of the process at a safe point, read its registers and
 * stack pointer, and let it go again. Used by the leak scan and the stopped threads'
 * backtraces.
 *
 * How: each other thread (from /proc/self/task) gets a real-time signal. Its handler, if the
 * thread is not inside one of our hooks, records the interrupted registers (ucontext), stack
 * pointer and thread pointer, then waits on a futex until released. A thread that is inside a
 * hook only sets `park_pending`; the hook parks on its way out, so no stopped thread ever
 * holds a bucket lock or is half way through a memtable update.
 *
 * The stopping thread must not take any lock a stopped thread could hold (dl lock, stdio,
 * malloc arenas) until `stopworld_resume`: collect what needs those first.
 *
 * Some signalled threads never park: a thread that blocks the stop signal (it stays pending),
 * and a thread that is already dead but still listed (the main thread after pthread_exit is a
 * zombie until the process ends). Waiting the full timeout for them cost every such program a
 * second at exit; so when the others have had a moment, the missing ones are looked up in
 * /proc (state Z or X: dead, not counted as signalled; the signal in SigBlk: blocked, counted
 * as not stopped) and the wait ends as soon as every thread that can park has.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <string.h>
#include <sys/single_threaded.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>


#define STOP_TIMEOUT_NS 1000000000ull
#define STOP_CHECK_FIRST_NS 2000000ull /* 2 ms: then look at who is missing, and every 10 ms */
#define STOP_CHECK_EVERY_NS 10000000ull
#define RED_ZONE 128

static stopworld *world(void) { return &instrument_state.stop; }

static void futex_wait(_Atomic uint32_t *word, uint32_t value)
{
    struct timespec timeout = { 0, 50 * 1000 * 1000 };
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, value, &timeout, NULL, 0);
}

static void futex_wake_all(_Atomic uint32_t *word)
{
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, 0x7fffffff, NULL, NULL, 0);
}

/* Record this thread and wait for the release. `context` is NULL when parking from a hook. */
static void park(const ucontext_t *context, uint64_t sp_here)
{
    stopworld *s = world();
    uint32_t generation = atomic_load_explicit(&s->release_generation, memory_order_acquire);
    if (!atomic_load_explicit(&s->active, memory_order_acquire))
        return;
    uint32_t i = atomic_fetch_add_explicit(&s->claimed, 1, memory_order_relaxed);
    if (i < STOPWORLD_MAX_THREADS) {
        stopped_thread *t = &s->threads[i];
        t->tid = prim_gettid();
        t->thread_pointer = (uint64_t)pthread_self();
        if (context) {
            const greg_t *g = context->uc_mcontext.gregs;
            static const int order[STOPWORLD_REGISTER_COUNT] = {
                REG_RAX, REG_RBX, REG_RCX, REG_RDX, REG_RSI, REG_RDI, REG_RBP, REG_R8, REG_R9,
                REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15, REG_RSP, REG_RIP, REG_RAX };
            for (int r = 0; r < STOPWORLD_REGISTER_COUNT; r++)
                t->registers[r] = (uint64_t)g[order[r]];
            t->sp = (uint64_t)g[REG_RSP] - RED_ZONE; /* leaf code may keep live data there */
            t->from_signal = 1;
        } else {
            memset(t->registers, 0, sizeof t->registers);
            t->sp = sp_here; /* callee-saved registers were spilled into the frames above */
            t->from_signal = 0;
        }
    }
    atomic_fetch_add_explicit(&s->arrived, 1, memory_order_release);
    while (atomic_load_explicit(&s->release_generation, memory_order_acquire) == generation)
        futex_wait(&s->release_generation, generation);
}

static void stop_signal_handler(int signal, siginfo_t *info, void *context)
{
    int saved_errno = errno;
    stopworld *s = world();
    if (atomic_load_explicit(&s->active, memory_order_acquire)) {
        thread_state *thread = &thread_tls;
        if (thread->guard.in_hook)
            thread->park_pending = 1; /* the hook parks on its way out */
        else
            park((const ucontext_t *)context, 0);
    } else if (s->previous_action) {
        /* Not ours: the program uses this signal too. Hand it over. */
        struct sigaction *old = s->previous_action;
        if ((old->sa_flags & SA_SIGINFO) && old->sa_sigaction)
            old->sa_sigaction(signal, info, context);
        else if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN && old->sa_handler)
            old->sa_handler(signal);
    }
    errno = saved_errno;
}

/* Never inlined: __builtin_unwind_init makes its function save every callee-saved register
 * in the prologue, which inlined into a hook would cost five pushes on every malloc and free.
 * Out of line, the saves (the hook's caller's registers, or the hook's spills of them) sit in
 * this frame and the hook's frame, all at or above the stack pointer read here, which is
 * where the stack scan starts. (The frame address would be too high: the saves of a frame
 * lie below its frame pointer.) */
__attribute__((noinline)) void stopworld_park_from_hook(void)
{
    thread_state *thread = &thread_tls;
    thread->park_pending = 0;
    __builtin_unwind_init(); /* spill callee-saved registers so the stack scan sees them */
    uint64_t sp;
    __asm__ volatile("mov %%rsp, %0" : "=r"(sp));
    park(NULL, sp);
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
    s->previous_action = &s->previous_storage;
    s->handler_installed = 1;
    return 0;
}

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static int already_signalled(const pid_t *tids, int count, pid_t tid)
{
    for (int i = 0; i < count; i++)
        if (tids[i] == tid)
            return 1;
    return 0;
}

/* Signal every thread not yet signalled; returns how many were newly signalled. */
static int signal_threads(stopworld *s, pid_t *tids, int *count, int capacity)
{
    int fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    pid_t self = prim_gettid(), pid = getpid();
    int added = 0;
    char buffer[4096];
    for (;;) {
        long n = syscall(SYS_getdents64, fd, buffer, sizeof buffer);
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
            if (tid == self || already_signalled(tids, *count, tid) || *count >= capacity)
                continue;
            if (syscall(SYS_tgkill, pid, tid, s->signal_number) == 0) {
                tids[(*count)++] = tid;
                added++;
            }
        }
    }
    close(fd);
    return added;
}

enum { THREAD_CAN_PARK, THREAD_BLOCKS_SIGNAL, THREAD_DEAD };

/* Append the decimal `value` to `path` at `n`. */
static size_t append_decimal(char *path, size_t n, unsigned value)
{
    char digits[12];
    int count = 0;
    do {
        digits[count++] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    while (count)
        path[n++] = digits[--count];
    path[n] = 0;
    return n;
}

/* The hex mask after "SigBlk:" in a status text: is signal `number` in it? */
static int mask_has_signal(const char *hex, int number)
{
    const char *end = hex;
    while ((*end >= '0' && *end <= '9') || (*end >= 'a' && *end <= 'f'))
        end++;
    int bit = number - 1, digit_from_end = bit / 4;
    if (end - hex <= digit_from_end)
        return 0;
    char c = end[-1 - digit_from_end];
    int value = c <= '9' ? c - '0' : c - 'a' + 10;
    return (value >> (bit % 4)) & 1;
}

/* What a signalled thread that has not parked is doing, from /proc/self/task/TID/status. A
 * thread that cannot be looked up is assumed able to park (the timeout still bounds the wait). */
static int thread_condition(pid_t tid, int signal_number)
{
    char path[64] = "/proc/self/task/";
    size_t n = append_decimal(path, strlen(path), (unsigned)tid);
    memcpy(path + n, "/status", 8);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? THREAD_DEAD : THREAD_CAN_PARK; /* gone since we signalled it */
    char text[2048];
    ssize_t got = read(fd, text, sizeof text - 1);
    close(fd);
    if (got <= 0)
        return THREAD_CAN_PARK;
    text[got] = 0;
    const char *state = strstr(text, "\nState:\t");
    if (state && (state[8] == 'Z' || state[8] == 'X'))
        return THREAD_DEAD;
    const char *blocked = strstr(text, "\nSigBlk:\t");
    if (blocked && mask_has_signal(blocked + 9, signal_number))
        return THREAD_BLOCKS_SIGNAL;
    return THREAD_CAN_PARK;
}

static int has_parked(const stopworld *s, uint32_t arrived, pid_t tid)
{
    for (uint32_t i = 0; i < arrived && i < STOPWORLD_MAX_THREADS; i++)
        if (s->threads[i].tid == tid)
            return 1;
    return 0;
}

/* Of the signalled threads that have not parked, how many never will: `*dead` of them are dead
 * (no longer threads of ours), the rest block the signal. */
static int threads_that_cannot_park(const stopworld *s, const pid_t *tids, int count, int *dead)
{
    uint32_t arrived = atomic_load_explicit(&s->arrived, memory_order_acquire);
    int cannot = 0;
    *dead = 0;
    for (int i = 0; i < count; i++) {
        if (has_parked(s, arrived, tids[i]))
            continue;
        int condition = thread_condition(tids[i], s->signal_number);
        cannot += condition != THREAD_CAN_PARK;
        *dead += condition == THREAD_DEAD;
    }
    return cannot;
}

int stopworld_stop(const stopped_thread **threads, int *signalled)
{
    stopworld *s = world();
    if (!s->threads) {
        s->threads = own_map(STOPWORLD_MAX_THREADS * sizeof(stopped_thread), 0);
        if (!s->threads)
            return -1;
    }
    /* glibc clears this flag when the process creates its first thread: while it is set there
     * is nobody to stop, and no handler, /proc read or wait is needed (most short-lived
     * programs end so). */
    if (__libc_single_threaded) {
        *signalled = 0;
        *threads = s->threads;
        return 0;
    }
    s->signal_number = instrument_state.stop_signal ? instrument_state.stop_signal : SIGRTMAX - 3;
    if (install_handler(s) != 0)
        return -1;
    pid_t *tids = s->signalled_tids;
    int count = 0;
    atomic_store(&s->claimed, 0);
    atomic_store(&s->arrived, 0);
    atomic_store_explicit(&s->active, 1, memory_order_release);
    /* Two passes: a thread created while we enumerate is caught by the second. Without the
     * task list (no descriptor left) the threads are unknown: no stop at all. */
    for (int pass = 0; pass < 2; pass++) {
        if (signal_threads(s, tids, &count, STOPWORLD_MAX_THREADS) < 0) {
            if (pass == 0) {
                stopworld_resume();
                return -1;
            }
            break;
        }
    }
    uint64_t now = prim_now_ns(), deadline = now + STOP_TIMEOUT_NS;
    uint64_t next_check = now + STOP_CHECK_FIRST_NS;
    int expected = count, dead = 0;
    while (atomic_load_explicit(&s->arrived, memory_order_acquire) < (uint32_t)expected && now < deadline) {
        struct timespec pause = { 0, 20000 };
        nanosleep(&pause, NULL);
        now = prim_now_ns();
        if (now >= next_check) {
            expected = count - threads_that_cannot_park(s, tids, count, &dead);
            next_check = now + STOP_CHECK_EVERY_NS;
        }
    }
    *signalled = count - dead;
    *threads = s->threads;
    uint32_t arrived = atomic_load_explicit(&s->arrived, memory_order_acquire);
    return (int)(arrived < STOPWORLD_MAX_THREADS ? arrived : STOPWORLD_MAX_THREADS);
}

void stopworld_resume(void)
{
    stopworld *s = world();
    atomic_store_explicit(&s->active, 0, memory_order_release);
    atomic_fetch_add_explicit(&s->release_generation, 1, memory_order_release);
    futex_wake_all(&s->release_generation);
}
