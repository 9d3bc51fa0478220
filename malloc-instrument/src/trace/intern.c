/* intern.c — interned allocation-site traces.
 *
 * A trace is the list of return addresses (innermost first, depth 1..INVISIBLE_MAX_DEPTH) at
 * an allocation. Equal traces get the same 32-bit id, so a block record carries 4 bytes of
 * site information whatever the depth.
 *
 * Lookup: a per-thread cache of 256 (hash -> id), then the levels of the shared table (types.h):
 * small tables first, so the traces a process makes first (and a process with few traces
 * makes all of them there) are found in a table that stays in the caches. A slot holds the
 * hash's upper 42 bits with the id, and a lookup trusts the hash as the per-thread cache does
 * (only traces probed from the same neighbourhood with equal upper 42 bits could be confused):
 * one load per level, not three (slot, offset, the stored return addresses).
 *
 * Concurrency: the table is insert-only. New traces are added one at a time under insert_lock
 * (looked up again under it, so a trace never gets two ids even when the newest level changes
 * between two threads' lookups); the trace's storage is written completely before its slot is
 * published with a release store, so lookups take no lock and never see a partial trace. Ids
 * and storage are never reused. A fork child resets the lock (trace_fork_child).
 */
#define _GNU_SOURCE
#include "internal.h"

static trace_table *traces(void) { return &instrument_state.traces; }

#define TRACE_ID_MASK ((1u << TRACE_ID_BITS) - 1)
#define TRACE_TAG_MASK (~(uint64_t)TRACE_ID_MASK)

/* Levels 2^15, 2^17, ... up to 2^top slots; returns the slots of all of them and fills the
 * table's level fields. */
static uint64_t plan_levels(trace_table *t, uint32_t top)
{
    uint64_t total = 0;
    uint32_t n = 0;
    for (uint32_t bits = TRACE_LEVEL0_BITS;; bits = bits + 2 < top ? bits + 2 : top) {
        t->level_start[n] = total;
        t->level_mask[n] = (1u << bits) - 1;
        total += 1ull << bits;
        n++;
        if (bits == top)
            break;
    }
    t->level_total = n;
    return total;
}

/* Sizes: the defaults, or what an eighth (slots and offsets) and a quarter (return addresses)
 * of the address-space budget allow (primitives/memory.c). Ids: at most half the slots. */
static void size_tables(trace_table *t)
{
    uint64_t budget = own_reserve_budget();
    uint32_t top = TRACE_TOP_BITS;
    for (;; top--) {
        uint64_t slots = plan_levels(t, top);
        t->max_count = slots / 2 < TRACE_MAX_COUNT ? (uint32_t)(slots / 2) : TRACE_MAX_COUNT;
        if (budget == UINT64_MAX || top <= TRACE_LEVEL0_BITS ||
            slots * sizeof(uint64_t) + (uint64_t)t->max_count * sizeof(uint64_t) <= budget / 8)
            break;
    }
    t->storage_words = TRACE_STORAGE_WORDS;
    if (budget != UINT64_MAX && budget / 4 / sizeof(uint64_t) < t->storage_words)
        t->storage_words = budget / 4 / sizeof(uint64_t) > (1u << 16) ? budget / 4 / sizeof(uint64_t) : (1u << 16);
}

int trace_table_init(void)
{
    trace_table *t = traces();
    if (t->ready)
        return 0;
    size_tables(t);
    uint32_t last = t->level_total - 1;
    t->slots = own_map((t->level_start[last] + t->level_mask[last] + 1) * sizeof(uint64_t), 1);
    t->storage = own_map(t->storage_words * sizeof(uint64_t), 1);
    t->offsets = own_map(t->max_count * sizeof(uint64_t), 1);
    if (!t->slots || !t->storage || !t->offsets)
        return -1;
    atomic_store(&t->level_count, 1);
    atomic_store(&t->id_top, 1);
    t->ready = 1;
    return 0;
}

void trace_fork_child(void)
{
    spinlock_reset(&traces()->insert_lock);
}

#define TRACE_MIX 0xff51afd7ed558ccdull

static inline uint64_t mix_in(uint64_t h, uint64_t pc)
{
    h ^= pc;
    h *= TRACE_MIX;
    return h ^ (h >> 32);
}

static inline uint64_t rotate_left(uint64_t x, int bits) { return (x << bits) | (x >> (64 - bits)); }

/* 64-bit mix of the return addresses; never 0 so that 0 marks an empty cache entry.
 * Up to 3 frames: one serial chain (depth 1 stays a single multiply). From 4 frames: four
 * independent chains (frame i goes to chain i % 4, each with its own seed) combined at the
 * end, so a depth-16 hash is 4 dependent multiplies deep instead of 16 (the serial chain was
 * ~15% of a depth-16 malloc/free pair in scripts/bench/malloc's deep mode). */
static inline uint64_t trace_hash(const uint64_t *pcs, int depth)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)depth;
    if (depth < 4) {
        for (int i = 0; i < depth; i++)
            h = mix_in(h, pcs[i]);
        return h | 1;
    }
    uint64_t b = 0xc2b2ae3d27d4eb4full, c = 0x165667b19e3779f9ull, d = 0x27d4eb2f165667c5ull;
    int i = 0;
    for (; i + 4 <= depth; i += 4) {
        h = mix_in(h, pcs[i]);
        b = mix_in(b, pcs[i + 1]);
        c = mix_in(c, pcs[i + 2]);
        d = mix_in(d, pcs[i + 3]);
    }
    for (; i < depth; i++)
        h = mix_in(h, pcs[i]);
    h ^= rotate_left(b, 16) ^ rotate_left(c, 32) ^ rotate_left(d, 48);
    h *= TRACE_MIX;
    h ^= h >> 29;
    return h | 1;
}

static inline uint64_t header_of(uint64_t hash, int depth) { return (hash & ~0xffull) | (uint64_t)depth; }

/* Reserve an id and storage and write the trace completely before it can be published. */
static uint32_t trace_create(uint64_t header, const uint64_t *pcs, int depth)
{
    trace_table *t = traces();
    uint32_t id = atomic_load_explicit(&t->id_top, memory_order_relaxed);
    uint64_t offset = atomic_load_explicit(&t->storage_top, memory_order_relaxed);
    if (id >= t->max_count || offset + (uint64_t)depth + 1 > t->storage_words)
        return 0;
    uint64_t *stored = &t->storage[offset];
    stored[0] = header;
    for (int i = 0; i < depth; i++)
        stored[1 + i] = pcs[i];
    t->offsets[id] = offset;
    atomic_store_explicit(&t->storage_top, offset + (uint64_t)depth + 1, memory_order_relaxed);
    atomic_store_explicit(&t->id_top, id + 1, memory_order_release);
    return id;
}

/* The id of `hash` in level `level`, 0 if absent (a level is never full: an empty slot ends
 * the probe). */
static uint32_t level_find(const trace_table *t, uint32_t level, uint64_t hash)
{
    _Atomic uint64_t *slots = t->slots + t->level_start[level];
    uint32_t mask = t->level_mask[level], position = (uint32_t)(hash >> 8) & mask;
    for (;;) {
        uint64_t entry = atomic_load_explicit(&slots[position], memory_order_acquire);
        if (entry == 0)
            return 0;
        if ((entry & TRACE_TAG_MASK) == (hash & TRACE_TAG_MASK))
            return (uint32_t)entry & TRACE_ID_MASK;
        position = (position + 1) & mask;
    }
}

static uint32_t table_find(const trace_table *t, uint64_t hash)
{
    uint32_t levels = atomic_load_explicit(&t->level_count, memory_order_acquire);
    for (uint32_t level = 0; level < levels; level++) {
        uint32_t id = level_find(t, level, hash);
        if (id)
            return id;
    }
    return 0;
}

/* A new trace: under insert_lock, looked up again, then stored and published in the newest
 * level (the next one is opened when it is half full). 0 when the table or storage is full. */
static __attribute__((noinline)) uint32_t table_insert(uint64_t hash, const uint64_t *pcs, int depth)
{
    trace_table *t = traces();
    spinlock_acquire(&t->insert_lock);
    uint32_t id = table_find(t, hash);
    if (id)
        goto done;
    uint32_t level = atomic_load_explicit(&t->level_count, memory_order_relaxed) - 1;
    if (t->level_used >= (t->level_mask[level] + 1) / 2) {
        if (level + 1 >= t->level_total)
            goto done;
        level++;
        t->level_used = 0;
        atomic_store_explicit(&t->level_count, level + 1, memory_order_release);
    }
    id = trace_create(header_of(hash, depth), pcs, depth);
    if (!id)
        goto done;
    _Atomic uint64_t *slots = t->slots + t->level_start[level];
    uint32_t mask = t->level_mask[level], position = (uint32_t)(hash >> 8) & mask;
    while (atomic_load_explicit(&slots[position], memory_order_relaxed) != 0)
        position = (position + 1) & mask;
    atomic_store_explicit(&slots[position], (hash & TRACE_TAG_MASK) | id, memory_order_release);
    t->level_used++;
done:
    spinlock_release(&t->insert_lock);
    if (!id)
        atomic_fetch_add_explicit(&t->dropped, 1, memory_order_relaxed);
    return id;
}

uint32_t trace_intern(thread_state *thread, const uint64_t *pcs, int depth)
{
    if (depth <= 0 || !traces()->ready)
        return 0;
    uint64_t hash = trace_hash(pcs, depth);
    /* The per-thread cache trusts the 64-bit hash: an entry was filled from a verified
     * table lookup, so only a full 64-bit collision between two traces could mislead it. */
    thread_trace_cache_entry *entry = &thread->trace_cache[(hash >> 8) & (THREAD_TRACE_CACHE - 1)];
    if (entry->key == hash)
        return entry->id;
    uint32_t id = table_find(traces(), hash);
    if (!id)
        id = table_insert(hash, pcs, depth);
    if (id) {
        entry->key = hash;
        entry->id = id;
    }
    return id;
}

int trace_frames(uint32_t id, uint64_t *pcs, int max)
{
    trace_table *t = traces();
    if (!t->ready || id == 0 || id >= atomic_load_explicit(&t->id_top, memory_order_acquire) ||
        id >= t->max_count)
        return 0;
    const uint64_t *stored = &t->storage[t->offsets[id]];
    int depth = (int)(stored[0] & 0xff);
    if (depth > max)
        depth = max;
    for (int i = 0; i < depth; i++)
        pcs[i] = stored[1 + i];
    return depth;
}

uint32_t trace_count(void)
{
    return atomic_load(&traces()->id_top) - 1;
}
