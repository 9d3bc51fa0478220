/* spinlock.h — tiny test-and-test-and-set lock for short critical sections that must not call
 * into libc (pthread mutexes may be held by a thread stopped for a leak scan, and are not
 * reinitialisable in a fork child). Holders never block or allocate while holding one. */
#ifndef INVISIBLE_SPINLOCK_H
#define INVISIBLE_SPINLOCK_H

#include <stdatomic.h>
#include <sched.h>

typedef struct invisible_spinlock { _Atomic int locked; } invisible_spinlock;

static inline void spinlock_acquire(invisible_spinlock *lock)
{
    for (;;) {
        if (!atomic_exchange_explicit(&lock->locked, 1, memory_order_acquire))
            return;
        for (int spins = 0; atomic_load_explicit(&lock->locked, memory_order_relaxed); spins++) {
            if (spins > 64)
                sched_yield();
            else
                __builtin_ia32_pause();
        }
    }
}

static inline void spinlock_release(invisible_spinlock *lock)
{
    atomic_store_explicit(&lock->locked, 0, memory_order_release);
}

/* Fork child: the only thread left owns nothing, whoever held the lock at fork time. */
static inline void spinlock_reset(invisible_spinlock *lock)
{
    atomic_store_explicit(&lock->locked, 0, memory_order_relaxed);
}

#endif
