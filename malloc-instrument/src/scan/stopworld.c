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
 */
#define _GNU_SOURCE
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>


#define STOP_TIMEOUT_NS 1000000000ull
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

int stopworld_stop(const stopped_thread **threads, int *signalled)
{
    stopworld *s = world();
    if (!s->threads) {
        s->threads = own_map(STOPWORLD_MAX_THREADS * sizeof(stopped_thread), 0);
        if (!s->threads)
            return -1;
    }
    s->signal_number = instrument_state.stop_signal ? instrument_state.stop_signal : SIGRTMAX - 3;
    if (install_handler(s) != 0)
        return -1;
    pid_t *tids = s->signalled_tids;
    int count = 0;
    atomic_store(&s->claimed, 0);
    atomic_store(&s->arrived, 0);
    atomic_store_explicit(&s->active, 1, memory_order_release);
    /* Two passes: a thread created while we enumerate is caught by the second. */
    for (int pass = 0; pass < 2; pass++)
        if (signal_threads(s, tids, &count, STOPWORLD_MAX_THREADS) < 0)
            break;
    uint64_t deadline = prim_now_ns() + STOP_TIMEOUT_NS;
    while (atomic_load_explicit(&s->arrived, memory_order_acquire) < (uint32_t)count && prim_now_ns() < deadline) {
        struct timespec pause = { 0, 20000 };
        nanosleep(&pause, NULL);
    }
    *signalled = count;
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
