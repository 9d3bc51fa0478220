/* nursery.h — a per-thread cache of young blocks in front of the memtable.
 *
 * Most blocks die young and are freed by the thread that allocated them. Such a block never
 * needs to be visible to other threads while it lives, so it is recorded in its thread's
 * nursery (a small open-addressed table, written only by its owner, with plain stores) and
 * never touches the shared memtable: no locked instruction on the pair at all.
 *
 * Rules that keep every block in exactly one place:
 *  - Owner insert: a free slot in the entry's probe window; if the window is full, the entry
 *    at the home slot is evicted into the memtable first.
 *  - Eviction (owner): under the memtable bucket lock of the evicted block, CAS the slot from
 *    the block's start to 0, then insert into the bucket chain, then unlock.
 *  - Owner free: a plain load finds the block in its window, a plain store empties the slot.
 *  - Free by another thread (a "remote" free): under the bucket lock of the block, look in the
 *    bucket chain, then in every nursery's probe window, and CAS the matching slot to DEAD.
 *    Holding the bucket lock orders this against an eviction of the same block, so the block
 *    is found in the chain or in a nursery, never in neither.
 *  - Anyone who must see every block (leak scan, census, fork child) first moves all
 *    nurseries into the memtable (`nursery_flush_all`), with the owners stopped or gone.
 *
 * A thread's nursery lives in a shared pool indexed by its slot (thread_state.h), never in
 * TLS, so a remote free can read it even while its owner exits; slots and nurseries are
 * recycled together. INVISIBLE_NURSERY=no turns the cache off (every block goes to the
 * memtable at once).
 */
#ifndef INVISIBLE_NURSERY_H
#define INVISIBLE_NURSERY_H

#include <stdatomic.h>
#include <stdint.h>

#include "invisible/memtable.h"
#include "invisible/query.h"

#define NURSERY_SLOTS 256
#define NURSERY_PROBES 8
#define NURSERY_DEAD (1ull << 63) /* slot value of a block freed by another thread */

/* A block's site as the hooks carry it: the interned trace id, and bit 31 set when the
 * allocating code is the dynamic loader's own (RECORD_LOADER). Trace ids stay far below 2^31. */
#define SITE_LOADER 0x80000000u

/* 16 bytes, so an entry is one shift from the table base and one store of `info` fills it. */
typedef struct nursery_entry {
    _Atomic uint64_t start; /* 0 empty, start | NURSERY_DEAD dead, else the live block */
    uint64_t info;          /* size (low 32 bits: small blocks only) | site (SITE_LOADER...) << 32 */
} nursery_entry;

static inline uint64_t nursery_info(uint64_t size, uint32_t site) { return (uint64_t)site << 32 | size; }

typedef struct nursery {
    nursery_entry entries[NURSERY_SLOTS];
} nursery;

typedef struct nursery_pool {
    nursery *nurseries;  /* one per thread slot (THREAD_SLOT_CAPACITY), reserved lazily */
    int enabled;
} nursery_pool;

int nursery_pool_init(void);

/* The calling thread's nursery, or NULL when the cache is off or unavailable. */
#include "invisible/thread_state.h"
nursery *nursery_attach(invisible_thread *thread);
extern nursery_pool *const invisible_nursery_pool;
static inline nursery *nursery_of_thread(invisible_thread *thread)
{
    if (__builtin_expect(!invisible_nursery_pool->enabled, 0))
        return NULL;
    return __builtin_expect(thread->nursery != NULL, 1) ? thread->nursery : nursery_attach(thread);
}

/* INVISIBLE_NURSERY=no (constructor): turn the cache off, moving what it holds to the table. */
void nursery_disable(void);

/* Owner: record a new block (small blocks only). `site` as above. Returns 0, or -1 if it
 * must go to the memtable instead. */
int nursery_insert(nursery *n, uint64_t start, uint64_t size, uint32_t site);

/* Owner: forget a block of this nursery. Returns 1 and its record if it was here. */
int nursery_remove_own(nursery *n, uint64_t start, memtable_record *out);

/* The hooks' common cases, inline: the block's home slot (a multiplicative hash of its
 * address) is the first place probed, so a young block usually costs one compare to insert
 * and one to forget. Both are plain loads and stores on the owner's own entries: only the
 * owner writes a live entry's `info`, and the release store of `start` publishes it to the
 * remote readers (nursery_remove_remote, nursery_find_any) that validate with `start`. A stop
 * signal cannot observe a half-written entry: the hooks run these with `in_hook` set, so the
 * signal only sets `park_pending` (stopworld.h). Callers fall back to the functions above. */
/* Multiplicative, not a cheaper shift-xor of the address bits: with the latter the entry's
 * offset in its page follows the block's, and in some address layouts the entry store and the
 * program's first write to the block alias in the store buffer (4 KiB aliasing): measured
 * +2.5 ns per pair in one run of three. */
static inline uint32_t nursery_home(uint64_t start)
{
    return (uint32_t)(((start >> 4) * 0x9e3779b97f4a7c15ull) >> 56) & (NURSERY_SLOTS - 1);
}

static inline int nursery_insert_home(nursery *n, uint64_t start, uint64_t size, uint32_t site)
{
    nursery_entry *e = &n->entries[nursery_home(start)];
    /* Free = 0 or DEAD (bit 63): both are <= 0 as signed. */
    if ((int64_t)atomic_load_explicit(&e->start, memory_order_relaxed) > 0 || size >= MEMTABLE_LARGE_THRESHOLD)
        return -1;
    e->info = nursery_info(size, site);
    atomic_store_explicit(&e->start, start, memory_order_release);
    return 0;
}

static inline int nursery_remove_home(nursery *n, uint64_t start)
{
    nursery_entry *e = &n->entries[nursery_home(start)];
    if (atomic_load_explicit(&e->start, memory_order_relaxed) != start)
        return 0;
    /* Plain store: only a free of this very block could race, and that is a double free. */
    atomic_store_explicit(&e->start, 0, memory_order_relaxed);
    return 1;
}

/* Remote free, called by memtable_remove while it holds the bucket lock of `start`: kill the
 * block in whichever nursery holds it. Returns 1 and its record if found. */
int nursery_remove_remote(uint64_t start, memtable_record *out);

/* Move one nursery's blocks into the memtable (its owner must not run: itself, stopped, or
 * gone). */
void nursery_flush(nursery *n);

/* Move every nursery into the memtable. The other threads must be stopped (leak scan) or
 * gone (fork child). */
void nursery_flush_all(void);

/* Visit the live blocks of every nursery (racy read, validated); returns the number visited. */
uint64_t nursery_for_each(invisible_block_visitor visit, void *context);

/* Any nursery's live block containing `address` (racy read, validated): 1 and its record. */
int nursery_find_any(uint64_t address, memtable_record *out);

#endif
