/* intern.c — interned allocation-site traces.
 *
 * A trace is the list of return addresses (innermost first, depth 1..INVISIBLE_MAX_DEPTH) at
 * an allocation. Equal traces get the same 32-bit id, so a block record carries 4 bytes of
 * site information whatever the depth.
 *
 * Concurrency: the table is insert-only. A new trace's storage is written completely, then
 * published with one CAS on its hash slot; readers (and the per-thread cache) therefore never
 * see a partial trace, and lookups take no lock. Ids and storage are never reused.
 */
#define _GNU_SOURCE
#include "internal.h"

static trace_table *traces(void) { return &instrument_state.traces; }

int trace_table_init(void)
{
    trace_table *t = traces();
    if (t->ready)
        return 0;
    t->slots = own_map(TRACE_TABLE_SLOTS * sizeof(uint32_t), 1);
    t->storage = own_map(TRACE_STORAGE_WORDS * sizeof(uint64_t), 1);
    t->offsets = own_map(TRACE_MAX_COUNT * sizeof(uint64_t), 1);
    if (!t->slots || !t->storage || !t->offsets)
        return -1;
    atomic_store(&t->id_top, 1);
    t->ready = 1;
    return 0;
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

static int trace_matches(uint32_t id, uint64_t header, const uint64_t *pcs, int depth)
{
    trace_table *t = traces();
    const uint64_t *stored = &t->storage[t->offsets[id]];
    if (stored[0] != header)
        return 0;
    for (int i = 0; i < depth; i++)
        if (stored[1 + i] != pcs[i])
            return 0;
    return 1;
}

/* Reserve an id and storage and write the trace completely before it can be published. */
static uint32_t trace_create(uint64_t header, const uint64_t *pcs, int depth)
{
    trace_table *t = traces();
    uint32_t id = atomic_fetch_add_explicit(&t->id_top, 1, memory_order_relaxed);
    uint64_t offset = atomic_fetch_add_explicit(&t->storage_top, (uint64_t)depth + 1, memory_order_relaxed);
    if (id >= TRACE_MAX_COUNT || offset + (uint64_t)depth + 1 > TRACE_STORAGE_WORDS)
        return 0;
    uint64_t *stored = &t->storage[offset];
    stored[0] = header;
    for (int i = 0; i < depth; i++)
        stored[1 + i] = pcs[i];
    t->offsets[id] = offset;
    return id;
}

static uint32_t table_intern(uint64_t hash, const uint64_t *pcs, int depth)
{
    trace_table *t = traces();
    uint64_t header = header_of(hash, depth);
    uint32_t mask = TRACE_TABLE_SLOTS - 1, position = (uint32_t)(hash >> 8) & mask, created = 0;
    for (uint32_t probes = 0; probes < TRACE_TABLE_SLOTS; probes++) {
        uint32_t id = atomic_load_explicit(&t->slots[position], memory_order_acquire);
        if (id == 0) {
            if (!created && !(created = trace_create(header, pcs, depth))) {
                atomic_fetch_add_explicit(&t->dropped, 1, memory_order_relaxed);
                return 0;
            }
            if (atomic_compare_exchange_strong_explicit(&t->slots[position], &id, created,
                                                        memory_order_release, memory_order_acquire))
                return created;
            /* Lost the race: `id` now holds the winner; fall through and compare. */
        }
        if (trace_matches(id, header, pcs, depth))
            return id;
        position = (position + 1) & mask;
    }
    atomic_fetch_add_explicit(&t->dropped, 1, memory_order_relaxed);
    return 0;
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
    uint32_t id = table_intern(hash, pcs, depth);
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
        id >= TRACE_MAX_COUNT)
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
