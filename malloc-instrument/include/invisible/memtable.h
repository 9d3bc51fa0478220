/* memtable.h — the paper's associative structure: where every live heap block is.
 *
 * Layout
 *  - One bucket per 1 KiB of the 47-bit user address space, in a MAP_NORESERVE reserve
 *    (2^37 buckets x 8 bytes); the kernel commits a page of buckets on first touch.
 *  - A bucket holds `head`: the chain of records of small blocks that START in that KiB, and
 *    `cover`: the record of the one small block that started in an earlier KiB and covers this
 *    KiB's first byte (blocks never overlap, so there is at most one). With both, the block
 *    containing any address is found in one bucket: interior pointers cost no backward walk.
 *  - Blocks of MEMTABLE_LARGE_THRESHOLD bytes or more live in a sorted interval index instead
 *    (they are mmap-sized and rare; they would otherwise need thousands of cover entries).
 *  - Records (32 bytes) live in a side pool indexed by 31-bit numbers, never in the blocks, so
 *    block layout and malloc_usable_size are untouched.
 *
 * Locking
 *  - Bit 31 of `head` is the bucket's lock. Insertion into an unlocked bucket is one CAS;
 *    removal takes the lock, unlinks, and releases it with the store of the new head. There is
 *    no global lock on the hot path. A thread announces the bucket it locks in its slot so a
 *    fork child can release locks held by threads that no longer exist.
 *  - `cover` entries are written by the owner of the covering block only (unique by
 *    construction), before the block is published and before it is really freed.
 *  - Readers that run while the world is stopped (leak scan) ignore the locks: every update
 *    keeps the chains consistent at each single store, and stopped threads are parked outside
 *    the hooks.
 */
#ifndef INVISIBLE_MEMTABLE_H
#define INVISIBLE_MEMTABLE_H

#include <stdatomic.h>
#include <stdint.h>

#include "invisible/spinlock.h"

#define MEMTABLE_BUCKET_SHIFT 10
#define MEMTABLE_ADDRESS_BITS 47
#define MEMTABLE_BUCKET_COUNT (1ull << (MEMTABLE_ADDRESS_BITS - MEMTABLE_BUCKET_SHIFT))
#define MEMTABLE_LARGE_THRESHOLD (128u << 10)
#define MEMTABLE_LOCK_BIT 0x80000000u
#define MEMTABLE_RECORD_CAPACITY (1u << 28) /* 268 M live blocks, 8 GiB of records reserved */

#define RECORD_LIVE 0x1u
#define RECORD_LARGE 0x2u
#define RECORD_LOADER 0x4u /* allocated by the dynamic loader itself (TLS, link maps): never a leak */

typedef struct memtable_bucket {
    _Atomic uint32_t head; /* record index | MEMTABLE_LOCK_BIT */
    _Atomic uint32_t cover;
} memtable_bucket;

typedef struct memtable_record {
    uint64_t start;
    uint64_t size;
    uint32_t trace_id;
    uint32_t next;       /* chain link, or free-list link */
    uint32_t type_cache; /* resolved type (owned by the runtime), 0 = unresolved */
    uint32_t flags;      /* RECORD_* */
} memtable_record;

typedef struct memtable {
    memtable_bucket *buckets;
    memtable_record *records;
    _Atomic uint32_t record_top;  /* next never-used record index (0 is the null record) */
    invisible_spinlock free_lock; /* global free list of records */
    uint32_t free_head;
    uint32_t free_count;
    invisible_spinlock large_lock;
    uint32_t *large;              /* record indices sorted by start */
    uint32_t large_count;
    uint32_t large_capacity;
    int ready;
} memtable;

/* Reserve the tables. Returns 0, or -1 if the address space could not be reserved (then the
 * hooks pass everything through and the report says tracking was unavailable). */
int memtable_init(void);

/* Record a new block; `start` must not be in the table. `flags` may hold RECORD_LOADER.
 * Returns 0, -1 if out of records. */
int memtable_insert(uint64_t start, uint64_t size, uint32_t trace_id, uint32_t flags);

/* Remove the block starting exactly at `start`; copies its record to `out` if non-NULL.
 * Returns 1 if it was there, 0 if not (a block we never saw, or a wild free). */
int memtable_remove(uint64_t start, memtable_record *out);

/* Move a block from a nursery slot into the table: under the block's bucket lock, CAS the slot
 * from `start` to 0 and link the record. Returns 0 when moved, 1 when a remote free had killed
 * the slot first (nothing to move), -1 when out of records (the slot is left as it was). */
int memtable_adopt(_Atomic uint64_t *owner_slot, uint64_t start, uint64_t size, uint32_t trace_id,
                   uint32_t flags);

/* Record index of the live block containing `address`, 0 if none. `locked` selects taking the
 * bucket lock (running world) or not (stopped world). */
uint32_t memtable_find(uint64_t address, int locked);

/* Record by index (valid for 1..record_top-1). */
static inline memtable_record *memtable_record_at(uint32_t index);

/* Upper bound (exclusive) of record indices ever used. */
uint32_t memtable_record_limit(void);

/* Fork: take/release the global locks around fork; the child also resets them. */
void memtable_fork_prepare(void);
void memtable_fork_parent(void);
void memtable_fork_child(void);

/* The memtable lives in the per-process state (state.h); this accessor keeps the inline short. */
extern memtable *const invisible_memtable;

static inline memtable_record *memtable_record_at(uint32_t index)
{
    return &invisible_memtable->records[index];
}

#endif

/* Internal to malloc-instrument: thread exit and fork-child helpers. */
struct invisible_thread;
void memtable_release_thread_cache(struct invisible_thread *thread);
void memtable_unlock_bucket_after_fork(uint64_t index);
