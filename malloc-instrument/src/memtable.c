/* memtable.c — buckets, cover entries, the large-block index and the record pool.
 * See memtable.h for the layout and the locking rules. */
#define _GNU_SOURCE
#include "invisible/memtable.h"
#include "invisible/nursery.h"

#include <string.h>

#include "invisible/rawlibc.h"
#include "invisible/state.h"

memtable *const invisible_memtable = &invisible_state.table;

#define RECORD_REFILL 64

static inline memtable *table(void) { return &invisible_state.table; }

static inline uint64_t bucket_index(uint64_t address) { return address >> MEMTABLE_BUCKET_SHIFT; }

static inline int address_trackable(uint64_t address) { return (address >> MEMTABLE_ADDRESS_BITS) == 0; }

static inline int record_contains(const memtable_record *r, uint64_t address)
{
    /* A zero-sized block is still "pointed to" by its start address (as in memcheck). */
    return address == r->start || (address > r->start && address - r->start < r->size);
}

int memtable_init(void)
{
    memtable *t = table();
    if (t->ready)
        return 0;
    t->buckets = raw_map(MEMTABLE_BUCKET_COUNT * sizeof(memtable_bucket), 1);
    t->records = raw_map((size_t)MEMTABLE_RECORD_CAPACITY * sizeof(memtable_record), 1);
    t->large_capacity = 1024;
    t->large = raw_map(t->large_capacity * sizeof(uint32_t), 0);
    if (!t->buckets || !t->records || !t->large) {
        raw_unmap(t->buckets, MEMTABLE_BUCKET_COUNT * sizeof(memtable_bucket));
        raw_unmap(t->records, (size_t)MEMTABLE_RECORD_CAPACITY * sizeof(memtable_record));
        raw_unmap(t->large, t->large_capacity * sizeof(uint32_t));
        t->buckets = NULL;
        t->records = NULL;
        t->large = NULL;
        return -1;
    }
    atomic_store(&t->record_top, 1); /* record 0 is the null record */
    t->ready = 1;
    return 0;
}

uint32_t memtable_record_limit(void)
{
    return atomic_load_explicit(&table()->record_top, memory_order_acquire);
}

/* ---- record pool: per-thread caches over a global free list ---- */

static int record_refill(invisible_thread *thread)
{
    memtable *t = table();
    spinlock_acquire(&t->free_lock);
    while (thread->record_cache_count < RECORD_REFILL && t->free_head) {
        uint32_t index = t->free_head;
        t->free_head = t->records[index].next;
        t->free_count--;
        thread->record_cache[thread->record_cache_count++] = index;
    }
    spinlock_release(&t->free_lock);
    if (thread->record_cache_count)
        return 1;
    uint32_t base = atomic_fetch_add_explicit(&t->record_top, RECORD_REFILL, memory_order_relaxed);
    if (base > MEMTABLE_RECORD_CAPACITY - RECORD_REFILL)
        return 0;
    for (uint32_t i = 0; i < RECORD_REFILL; i++)
        thread->record_cache[thread->record_cache_count++] = base + RECORD_REFILL - 1 - i;
    return 1;
}

static uint32_t record_take(invisible_thread *thread)
{
    if (__builtin_expect(thread->record_cache_count == 0, 0) && !record_refill(thread))
        return 0;
    return thread->record_cache[--thread->record_cache_count];
}

static void records_return_to_pool(const uint32_t *indices, uint32_t count)
{
    memtable *t = table();
    spinlock_acquire(&t->free_lock);
    for (uint32_t i = 0; i < count; i++) {
        t->records[indices[i]].next = t->free_head;
        t->free_head = indices[i];
    }
    t->free_count += count;
    spinlock_release(&t->free_lock);
}

static void record_give(invisible_thread *thread, uint32_t index)
{
    if (__builtin_expect(thread->record_cache_count == THREAD_RECORD_CACHE, 0)) {
        uint32_t half = THREAD_RECORD_CACHE / 2;
        thread->record_cache_count -= half;
        records_return_to_pool(&thread->record_cache[thread->record_cache_count], half);
    }
    thread->record_cache[thread->record_cache_count++] = index;
}

void memtable_release_thread_cache(invisible_thread *thread)
{
    if (thread->record_cache_count && table()->ready)
        records_return_to_pool(thread->record_cache, thread->record_cache_count);
    thread->record_cache_count = 0;
}

/* ---- bucket locks ---- */

static uint32_t bucket_lock(memtable_bucket *bucket, thread_slot *slot, uint64_t index)
{
    atomic_store_explicit(&slot->held_bucket, index + 1, memory_order_relaxed);
    uint32_t head = atomic_load_explicit(&bucket->head, memory_order_relaxed);
    for (;;) {
        if (!(head & MEMTABLE_LOCK_BIT)) {
            if (atomic_compare_exchange_weak_explicit(&bucket->head, &head, head | MEMTABLE_LOCK_BIT,
                                                      memory_order_acquire, memory_order_relaxed))
                return head;
        } else {
            __builtin_ia32_pause();
            head = atomic_load_explicit(&bucket->head, memory_order_relaxed);
        }
    }
}

/* Releasing is the store of the (possibly new) head without the lock bit. */
static void bucket_unlock(memtable_bucket *bucket, thread_slot *slot, uint32_t head)
{
    atomic_store_explicit(&bucket->head, head, memory_order_release);
    atomic_store_explicit(&slot->held_bucket, 0, memory_order_relaxed);
}

static void bucket_push(memtable_bucket *bucket, uint32_t index)
{
    memtable_record *r = &table()->records[index];
    uint32_t head = atomic_load_explicit(&bucket->head, memory_order_relaxed);
    for (;;) {
        if (head & MEMTABLE_LOCK_BIT) {
            __builtin_ia32_pause();
            head = atomic_load_explicit(&bucket->head, memory_order_relaxed);
            continue;
        }
        r->next = head;
        if (atomic_compare_exchange_weak_explicit(&bucket->head, &head, index, memory_order_release,
                                                  memory_order_relaxed))
            return;
    }
}

/* ---- cover entries: the small block containing the first byte of later buckets ---- */

static void cover_set(uint64_t start, uint64_t size, uint32_t index)
{
    if (size == 0)
        return;
    uint64_t first = bucket_index(start) + 1, last = bucket_index(start + size - 1);
    for (uint64_t b = first; b <= last; b++)
        atomic_store_explicit(&table()->buckets[b].cover, index, memory_order_release);
}

/* A plain compare-then-store, not a CAS: while this block is live no other block can cover
 * its buckets (blocks never overlap), so nobody else writes these entries until glibc has the
 * block back, which is after this returns (free forgets before freeing). The compare keeps a
 * stale record (a block freed behind our back, then reused) from wiping its successor's entry.
 * This saved one locked instruction per KiB of every freed block (2-5 per pair in the bench). */
static void cover_clear(uint64_t start, uint64_t size, uint32_t index)
{
    if (size == 0)
        return;
    uint64_t first = bucket_index(start) + 1, last = bucket_index(start + size - 1);
    for (uint64_t b = first; b <= last; b++) {
        _Atomic uint32_t *cover = &table()->buckets[b].cover;
        if (atomic_load_explicit(cover, memory_order_relaxed) == index)
            atomic_store_explicit(cover, 0, memory_order_relaxed);
    }
}

/* ---- large-block index: sorted record indices, one spinlock (mmap-sized blocks are rare) ---- */

static uint32_t large_position(uint64_t address)
{
    /* First position whose start is > address. */
    memtable *t = table();
    uint32_t lo = 0, hi = t->large_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (t->records[t->large[mid]].start <= address)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int large_insert(uint32_t index)
{
    memtable *t = table();
    spinlock_acquire(&t->large_lock);
    if (t->large_count == t->large_capacity) {
        uint32_t capacity = t->large_capacity * 2;
        uint32_t *grown = raw_map(capacity * sizeof(uint32_t), 0);
        if (!grown) {
            spinlock_release(&t->large_lock);
            return -1;
        }
        memcpy(grown, t->large, t->large_count * sizeof(uint32_t));
        uint32_t *old = t->large;
        uint32_t old_capacity = t->large_capacity;
        t->large = grown;
        t->large_capacity = capacity;
        raw_unmap(old, old_capacity * sizeof(uint32_t));
    }
    uint32_t at = large_position(t->records[index].start);
    memmove(&t->large[at + 1], &t->large[at], (t->large_count - at) * sizeof(uint32_t));
    t->large[at] = index;
    t->large_count++;
    spinlock_release(&t->large_lock);
    return 0;
}

static uint32_t large_remove(uint64_t start)
{
    memtable *t = table();
    if (__atomic_load_n(&t->large_count, __ATOMIC_RELAXED) == 0)
        return 0;
    spinlock_acquire(&t->large_lock);
    uint32_t found = 0, at = large_position(start);
    if (at > 0 && t->records[t->large[at - 1]].start == start) {
        found = t->large[at - 1];
        memmove(&t->large[at - 1], &t->large[at], (t->large_count - at) * sizeof(uint32_t));
        t->large_count--;
    }
    spinlock_release(&t->large_lock);
    return found;
}

static uint32_t large_find(uint64_t address, int locked)
{
    memtable *t = table();
    if (__atomic_load_n(&t->large_count, __ATOMIC_RELAXED) == 0)
        return 0;
    if (locked)
        spinlock_acquire(&t->large_lock);
    uint32_t found = 0, at = large_position(address);
    if (at > 0 && record_contains(&t->records[t->large[at - 1]], address))
        found = t->large[at - 1];
    if (locked)
        spinlock_release(&t->large_lock);
    return found;
}

/* ---- public operations ---- */

int memtable_insert(uint64_t start, uint64_t size, uint32_t trace_id, uint32_t flags)
{
    memtable *t = table();
    if (!address_trackable(start))
        return -1;
    invisible_thread *thread = &invisible_tls;
    uint32_t index = record_take(thread);
    if (!index)
        return -1;
    memtable_record *r = &t->records[index];
    r->start = start;
    r->size = size;
    r->trace_id = trace_id;
    r->type_cache = 0;
    if (size >= MEMTABLE_LARGE_THRESHOLD) {
        r->flags = RECORD_LIVE | RECORD_LARGE | flags;
        if (large_insert(index) != 0) {
            r->flags = 0;
            record_give(thread, index);
            return -1;
        }
        return 0;
    }
    r->flags = RECORD_LIVE | flags;
    cover_set(start, size, index);
    bucket_push(&t->buckets[bucket_index(start)], index);
    return 0;
}

/* Unlink the record of `start` from a locked bucket's chain; returns its index (0: absent)
 * and updates *head. */
static uint32_t chain_unlink(memtable *t, uint32_t *head, uint64_t start)
{
    uint32_t previous = 0, index = *head;
    while (index && t->records[index].start != start) {
        previous = index;
        index = t->records[index].next;
    }
    if (index) {
        if (previous)
            t->records[previous].next = t->records[index].next;
        else
            *head = t->records[index].next;
    }
    return index;
}

int memtable_remove(uint64_t start, memtable_record *out)
{
    memtable *t = table();
    if (!address_trackable(start))
        return 0;
    invisible_thread *thread = &invisible_tls;
    uint64_t b = bucket_index(start);
    memtable_bucket *bucket = &t->buckets[b];
    uint32_t index = 0;
    int nurseries = invisible_state.nurseries.enabled;
    /* Without nurseries an empty bucket needs neither the slot nor the lock: a small block was
     * published in its bucket before its pointer was returned. With nurseries it may sit in
     * another thread's nursery: the lock orders our search against its eviction. */
    if (nurseries || atomic_load_explicit(&bucket->head, memory_order_relaxed) != 0) {
        thread_slot *slot = thread_state_slot(thread);
        uint32_t head = bucket_lock(bucket, slot, b);
        index = chain_unlink(t, &head, start);
        int in_nursery = !index && nurseries && nursery_remove_remote(start, out);
        bucket_unlock(bucket, slot, head);
        if (in_nursery)
            return 1;
    }
    if (!index) {
        index = large_remove(start);
        if (!index)
            return 0;
    }
    memtable_record *r = &t->records[index];
    if (out)
        *out = *r;
    if (!(r->flags & RECORD_LARGE))
        cover_clear(r->start, r->size, index);
    r->flags = 0;
    record_give(thread, index);
    return 1;
}

int memtable_adopt(_Atomic uint64_t *owner_slot, uint64_t start, uint64_t size, uint32_t trace_id,
                   uint32_t flags)
{
    memtable *t = table();
    invisible_thread *thread = &invisible_tls;
    uint32_t index = record_take(thread);
    if (!index)
        return -1;
    memtable_record *r = &t->records[index];
    r->start = start;
    r->size = size;
    r->trace_id = trace_id;
    r->type_cache = 0;
    r->flags = RECORD_LIVE | flags;
    uint64_t b = bucket_index(start);
    memtable_bucket *bucket = &t->buckets[b];
    thread_slot *slot = thread_state_slot(thread);
    uint32_t head = bucket_lock(bucket, slot, b);
    uint64_t expected = start;
    /* A remote free that got here first marked the slot dead: then the block is gone. */
    int owned = atomic_compare_exchange_strong_explicit(owner_slot, &expected, 0, memory_order_acq_rel,
                                                        memory_order_relaxed);
    if (owned) {
        cover_set(start, size, index);
        r->next = head;
        head = index;
    }
    bucket_unlock(bucket, slot, head);
    if (!owned) {
        r->flags = 0;
        record_give(thread, index);
    }
    return owned ? 0 : 1;
}

uint32_t memtable_find(uint64_t address, int locked)
{
    memtable *t = table();
    if (!t->ready || !address_trackable(address))
        return 0;
    uint64_t b = bucket_index(address);
    memtable_bucket *bucket = &t->buckets[b];
    thread_slot *slot = NULL;
    uint32_t head, found = 0;
    if (locked) {
        slot = thread_state_slot(&invisible_tls);
        head = bucket_lock(bucket, slot, b);
    } else {
        head = atomic_load_explicit(&bucket->head, memory_order_acquire) & ~MEMTABLE_LOCK_BIT;
    }
    for (uint32_t i = head; i; i = t->records[i].next) {
        if (record_contains(&t->records[i], address)) {
            found = i;
            break;
        }
    }
    if (locked)
        bucket_unlock(bucket, slot, head);
    if (found)
        return found;
    uint32_t cover = atomic_load_explicit(&bucket->cover, memory_order_acquire);
    if (cover) {
        const memtable_record *r = &t->records[cover];
        if ((r->flags & (RECORD_LIVE | RECORD_LARGE)) == RECORD_LIVE && record_contains(r, address))
            return cover;
    }
    return large_find(address, locked);
}

void memtable_fork_prepare(void)
{
    spinlock_acquire(&table()->free_lock);
    spinlock_acquire(&table()->large_lock);
}

void memtable_fork_parent(void)
{
    spinlock_release(&table()->large_lock);
    spinlock_release(&table()->free_lock);
}

void memtable_fork_child(void)
{
    spinlock_reset(&table()->large_lock);
    spinlock_reset(&table()->free_lock);
}

void memtable_unlock_bucket_after_fork(uint64_t index)
{
    memtable_bucket *bucket = &table()->buckets[index];
    uint32_t head = atomic_load_explicit(&bucket->head, memory_order_relaxed);
    atomic_store_explicit(&bucket->head, head & ~MEMTABLE_LOCK_BIT, memory_order_relaxed);
}
