/* thread_state.h — per-thread state (initial-exec TLS) and the per-thread slot table.
 *
 * Contract
 *  - `invisible_tls` lives in static TLS (initial-exec): touching it never calls
 *    __tls_get_addr, which could malloc (platform probe, shim design).
 *  - `in_hook` > 0 means our own code runs on this thread: every allocation made meanwhile goes
 *    straight to glibc and is not recorded. This is the recursion guard and also how queries
 *    and reports allocate freely.
 *  - Each thread that records an allocation gets a slot: one cache line written only by that
 *    thread (the bucket lock it holds). Slots are recycled at thread exit through a
 *    pthread key destructor (probe pitfall P9: never link TLS blocks into global lists).
 */
#ifndef INVISIBLE_THREAD_STATE_H
#define INVISIBLE_THREAD_STATE_H

#include <stdatomic.h>
#include <stdint.h>

#include "invisible/spinlock.h"

#define THREAD_RECORD_CACHE 128
#define THREAD_TRACE_CACHE 256
#define THREAD_SLOT_CAPACITY 65536u

typedef struct thread_trace_cache_entry {
    uint64_t key;   /* hash of the trace's return addresses */
    uint32_t id;    /* interned trace id */
    uint32_t unused;
} thread_trace_cache_entry;

typedef struct invisible_thread {
    int in_hook;                      /* >0: our code is running; allocations go raw */
    volatile int park_pending;        /* a stop request arrived while in_hook */
    uint32_t slot;                    /* slot index, 0 = not registered yet */
    struct nursery *nursery;          /* this thread's young blocks (nursery.h), NULL = none yet */
    uint32_t record_cache_count;
    uint32_t record_cache[THREAD_RECORD_CACHE]; /* free memtable record indices */
    thread_trace_cache_entry trace_cache[THREAD_TRACE_CACHE];
    /* depth 1: call site (outside the runtime libraries) -> its interned trace */
    uint64_t site_cache_pc[THREAD_TRACE_CACHE];
    uint32_t site_cache_id[THREAD_TRACE_CACHE];
} invisible_thread;

extern __thread invisible_thread invisible_tls __attribute__((tls_model("initial-exec")));

typedef struct thread_slot {
    _Atomic uint64_t held_bucket; /* 1 + index of the bucket whose lock this thread holds */
    uint32_t next_free;           /* free-slot stack link */
    uint32_t in_use;
} __attribute__((aligned(64))) thread_slot;

typedef struct thread_registry {
    thread_slot *slots;           /* THREAD_SLOT_CAPACITY entries, slot 0 = shared overflow */
    _Atomic uint32_t slot_top;    /* next never-used slot */
    uint32_t free_slot_head;
    invisible_spinlock lock;
    unsigned int exit_key;        /* pthread key whose destructor recycles the slot */
    int exit_key_ready;
} thread_registry;

/* The calling thread's slot, registering the thread on first use. Never NULL. */
thread_slot *thread_state_slot(invisible_thread *thread);

/* Set up the registry (idempotent; called from the first hook and the constructor). */
int thread_registry_init(void);

/* Create the exit key (must run outside any hook, from the constructor). */
void thread_registry_init_exit_key(void);

/* Fork child: only the calling thread survives. Release the bucket locks other threads held. */
void thread_registry_after_fork_child(void);

#endif
