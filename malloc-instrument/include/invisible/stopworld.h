/* stopworld.h — stop every other thread of the process at a safe point, read its registers and
 * stack pointer, and let it go again. Used by the leak scan and the census.
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
#ifndef INVISIBLE_STOPWORLD_H
#define INVISIBLE_STOPWORLD_H

#include <stdatomic.h>
#include <stdint.h>
#include <signal.h>
#include <sys/types.h>

#define STOPWORLD_MAX_THREADS 4096
#define STOPWORLD_REGISTER_COUNT 18

typedef struct stopped_thread {
    pid_t tid;
    int from_signal;       /* 1: registers from the signal context; 0: parked in a hook */
    uint64_t sp;           /* lowest live stack address (the red zone included) */
    uint64_t thread_pointer;
    uint64_t registers[STOPWORLD_REGISTER_COUNT];
} stopped_thread;

typedef struct stopworld {
    stopped_thread *threads;       /* STOPWORLD_MAX_THREADS, mapped on first use */
    _Atomic uint32_t claimed;            /* next free entry of `threads` */
    _Atomic uint32_t arrived;            /* entries completely written */
    _Atomic uint32_t release_generation; /* futex word: parked threads wait for a change */
    _Atomic int active;                  /* a stop is in progress */
    int handler_installed;
    int signal_number;
    struct sigaction *previous_action;   /* the program's handler, chained when not ours */
    struct sigaction previous_storage;
    pid_t signalled_tids[STOPWORLD_MAX_THREADS];
} stopworld;

/* Stop all other threads; returns how many parked (their records are in `*threads`), or -1
 * when stopping is impossible. Threads that did not park within the timeout are ignored. */
int stopworld_stop(const stopped_thread **threads, int *signalled);

void stopworld_resume(void);

/* Called by a hook on its way out when `park_pending` is set. */
void stopworld_park_from_hook(void);

#endif
