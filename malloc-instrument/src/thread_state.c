/* thread_state.c — per-thread TLS, slot registration and recycling. */
#define _GNU_SOURCE
#include "invisible/thread_state.h"
#include "invisible/unwind.h"

#include <pthread.h>

#include "invisible/memtable.h"
#include "invisible/nursery.h"
#include "invisible/rawlibc.h"
#include "invisible/state.h"

__thread invisible_thread invisible_tls __attribute__((tls_model("initial-exec")));

static thread_registry *registry(void) { return &invisible_state.threads; }

int thread_registry_init(void)
{
    thread_registry *r = registry();
    if (r->slots)
        return 0;
    r->slots = raw_map(THREAD_SLOT_CAPACITY * sizeof(thread_slot), 1);
    if (!r->slots)
        return -1;
    atomic_store(&r->slot_top, 1); /* slot 0: shared overflow slot */
    return 0;
}

/* pthread key destructor: runs at thread exit while the thread's TLS is still valid. */
static void thread_exit_destructor(void *value)
{
    invisible_thread *thread = &invisible_tls;
    thread->in_hook++;
    /* Our young blocks outlive us: share them before the slot (and nursery) is recycled. */
    nursery *n = thread->nursery;
    if (n)
        nursery_flush(n);
    thread->nursery = NULL;
    memtable_release_thread_cache(thread);
    invisible_unwind_thread_exit();
    thread_registry *r = registry();
    uint32_t slot = thread->slot;
    if (slot) {
        spinlock_acquire(&r->lock);
        r->slots[slot].in_use = 0;
        r->slots[slot].next_free = r->free_slot_head;
        r->free_slot_head = slot;
        spinlock_release(&r->lock);
        thread->slot = 0;
    }
    thread->in_hook--;
}

void thread_registry_init_exit_key(void)
{
    thread_registry *r = registry();
    pthread_key_t key;
    if (!r->exit_key_ready && pthread_key_create(&key, thread_exit_destructor) == 0) {
        r->exit_key = key;
        __atomic_store_n(&r->exit_key_ready, 1, __ATOMIC_RELEASE);
    }
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

thread_slot *thread_state_slot(invisible_thread *thread)
{
    thread_registry *r = registry();
    if (__builtin_expect(thread->slot != 0, 1))
        return &r->slots[thread->slot];
    uint32_t slot = slot_allocate();
    thread->slot = slot;
    /* Registering the destructor lets the slot and cached records be recycled at thread exit.
     * pthread_setspecific for a low key index uses the inline block: no allocation. */
    if (slot && __atomic_load_n(&r->exit_key_ready, __ATOMIC_ACQUIRE))
        pthread_setspecific((pthread_key_t)r->exit_key, (void *)1);
    return &r->slots[slot];
}

void thread_registry_after_fork_child(void)
{
    thread_registry *r = registry();
    spinlock_reset(&r->lock);
    if (!r->slots)
        return;
    uint32_t self = invisible_tls.slot;
    uint32_t top = atomic_load(&r->slot_top);
    if (top > THREAD_SLOT_CAPACITY)
        top = THREAD_SLOT_CAPACITY;
    for (uint32_t i = 0; i < top; i++) {
        if (i == self)
            continue;
        uint64_t held = atomic_load_explicit(&r->slots[i].held_bucket, memory_order_relaxed);
        if (held) {
            memtable_unlock_bucket_after_fork(held - 1);
            atomic_store_explicit(&r->slots[i].held_bucket, 0, memory_order_relaxed);
        }
    }
}
