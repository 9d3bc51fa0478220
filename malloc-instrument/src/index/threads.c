/* threads.c — per-thread slots: registration and recycling.
 *
 * Contract
 *  - The thread state (`thread_tls`, state.c) lives in static TLS (initial-exec): touching it
 *    never calls __tls_get_addr, which could malloc.
 *  - `guard.in_hook` > 0 means our own code runs on this thread: every allocation made meanwhile
 *    goes straight to glibc and is not recorded. This is the recursion guard and also how
 *    queries and reports allocate freely.
 *  - Each thread that records an allocation gets a slot: one cache line written only by that
 *    thread (the bucket lock it holds), and the index of its nursery. Slots are recycled at
 *    thread exit (init.c's pthread key destructor calls threads_release_slot).
 */
#define _GNU_SOURCE
#include "internal.h"

#include <pthread.h>

static thread_registry *registry(void) { return &instrument_state.threads; }

int threads_init(void)
{
    thread_registry *r = registry();
    if (r->slots)
        return 0;
    r->slots = own_map(THREAD_SLOT_CAPACITY * sizeof(thread_slot), 1);
    if (!r->slots)
        return -1;
    atomic_store(&r->slot_top, 1); /* slot 0: shared overflow slot */
    return 0;
}

static uint32_t slot_allocate(void)
{
    thread_registry *r = registry();
    uint32_t slot = 0;
    spinlock_acquire(&r->lock);
    if (r->free_slot_head) {
        slot = r->free_slot_head;
        r->free_slot_head = r->slots[slot].next_free;
    }
    spinlock_release(&r->lock);
    if (!slot) {
        slot = atomic_fetch_add_explicit(&r->slot_top, 1, memory_order_relaxed);
        if (slot >= THREAD_SLOT_CAPACITY)
            return 0;
    }
    r->slots[slot].in_use = 1;
    return slot;
}

thread_slot *thread_slot_of(thread_state *thread)
{
    thread_registry *r = registry();
    if (LIKELY(thread->slot != 0))
        return &r->slots[thread->slot];
    uint32_t slot = slot_allocate();
    thread->slot = slot;
    /* Registering the destructor lets the slot and cached records be recycled at thread exit.
     * pthread_setspecific for a low key index uses the inline block: no allocation. */
    if (slot && __atomic_load_n(&r->exit_key_ready, __ATOMIC_ACQUIRE))
        pthread_setspecific((pthread_key_t)r->exit_key, (void *)1);
    return &r->slots[slot];
}

void threads_release_slot(thread_state *thread)
{
    thread_registry *r = registry();
    uint32_t slot = thread->slot;
    if (!slot)
        return;
    spinlock_acquire(&r->lock);
    r->slots[slot].in_use = 0;
    r->slots[slot].next_free = r->free_slot_head;
    r->free_slot_head = slot;
    spinlock_release(&r->lock);
    thread->slot = 0;
}
