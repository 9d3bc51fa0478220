/* memtable.c — the paper's associative structure: where every live heap block is.
 *
 * Layout
 *  - One bucket per 1 KiB of the 47-bit user address space (2^37 buckets x 8 bytes), in chunks
 *    of 2^18 buckets (2 MiB, covering 256 MiB of addresses) mapped the first time a block lands
 *    in their range, through a directory of 2^19 chunk pointers: a process pays address space
 *    for the ranges its heap uses, not for a 1 TiB reservation that RLIMIT_AS, `ulimit -v` or
 *    mlockall would choke on. One more dependent load than a flat array, on the memtable's paths
 *    only (young blocks live in the nurseries).
 *  - A bucket holds `head`: the chain of records of small blocks that START in that KiB, and
 *    `cover`: the record of the one small block that started in an earlier KiB and covers this
 *    KiB's first byte (blocks never overlap, so there is at most one). With both, the block
 *    containing any address is found in one bucket: interior pointers cost no backward walk.
 *  - Dense buckets: a chain costs one record (one cache miss) per link, and a KiB of 32-48-byte
 *    blocks (perl's hashes, cc1's trees) chains ~25 records, so freeing one walked ~12 records
 *    scattered through the pool (8.7-10.6% of perl's run). A remove that walks more than
 *    NODE_FROM_WALK links turns its bucket into a node: 32 record indices, one per 32-byte slot
 *    of the KiB (glibc's chunks are at least 32 bytes apart, so a slot holds at most one block
 *    start), and the record of an exact start is then one load from the bucket's node. A node
 *    entry also says which half of its slot the block starts at and whether the block reaches
 *    into the next KiB, so a free (which needs no copy of the record) neither walks nor reads
 *    the record: bucket, node entry, then a blind store that marks the record dead (in perl,
 *    the record's load was a third of memtable_remove's samples). A bucket also becomes a node
 *    when it fills up: a chain's head counts the records pushed since the chain was last
 *    measured (2 bits, saturating), and the push that finds the count saturated measures the
 *    chain (its records were just written: cached) and makes a node of NODE_FROM_INSERT records
 *    or more. So a KiB filled by consecutive allocations (perl's hash entries, keys and values)
 *    is a node before its first free, which would otherwise walk half the chain to convert it
 *    (a quarter of memtable_remove's samples in perl). A node
 *    left with fewer than NODE_TO_CHAIN records turns back into a chain. Two starts in one slot
 *    (a stale record: a block freed behind our back; or an allocator with a finer spacing), or a
 *    start that is not 16-aligned, keep or turn the bucket into a chain, which holds anything.
 *    Nodes cost 128 bytes for >= 4 (typically ~25) records; sparse buckets stay chains of 1-5
 *    records at no extra cost.
 *  - Blocks of MEMTABLE_LARGE_THRESHOLD bytes or more live in a sorted interval index instead
 *    (they are mmap-sized and rare; they would otherwise need thousands of cover entries).
 *  - Records live in a side pool indexed by 28-bit numbers, never in the blocks, so block layout
 *    and malloc_usable_size are untouched. A record is 16 bytes (types.h, memtable_entry): the
 *    start and a small block's size share one word (starts are below 2^47, small sizes below
 *    2^17), the trace id and the flags another, beside the chain link; a large block keeps the
 *    rest of its size in the link it does not need. Half the 32 bytes a record took before: the
 *    pool is most of the memtable's memory (a live block costs 16 bytes of record, a share of a
 *    node or bucket, nothing else). The pool is one reservation sized by the
 *    address-space budget (primitives/memory.c); when it is used up, or a chunk cannot be mapped,
 *    later blocks are not recorded (`untracked` counts them, and the report says so).
 *
 * Locking
 *  - Bit 31 of `head` is the bucket's lock. Insertion into an unlocked chain is one CAS, into a
 *    node under the lock; a bucket becomes a node or a chain again only under its lock (the
 *    records' chain links are rewritten before the head that publishes them);
 *    removal takes the lock, unlinks, and releases it with the store of the new head. There is
 *    no global lock on the hot path. A thread announces the bucket it locks in its slot so a
 *    fork child can release locks held by threads that no longer exist.
 *  - `cover` entries are written by the owner of the covering block only (unique by
 *    construction), before the block is published and before it is really freed.
 *  - Readers that run while the world is stopped (leak scan) ignore the locks: every update
 *    keeps the chains consistent at each single store, and stopped threads are parked outside
 *    the hooks.
 *  - The two hand-overs with the per-thread nurseries (nursery.c) happen here, under the bucket
 *    lock of the block: adoption (a nursery slot's block moves into the chain) and the remote
 *    free (a block young in another thread's nursery is killed in its slot). Holding the lock
 *    orders the two, so a block is always found in the chain or in a nursery, never in neither.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <string.h>

#define RECORD_REFILL 64
#define NODE_FROM_WALK 4 /* a remove that walked more links than this turns the chain into a node */
#define NODE_TO_CHAIN 4  /* a node left with fewer records turns back into a chain */
#define NODE_FROM_INSERT 8 /* a push that measures a chain this long (with the new record) makes a node */

static inline memtable *table(void) { return &instrument_state.table; }

static inline uint64_t bucket_index(uint64_t address) { return address >> MEMTABLE_BUCKET_SHIFT; }

static inline int address_trackable(uint64_t address) { return (address >> MEMTABLE_ADDRESS_BITS) == 0; }

_Static_assert(MEMTABLE_LARGE_THRESHOLD <= 1ull << ENTRY_SIZE_BITS, "a small block's size fits its record");
_Static_assert(TRACE_MAX_COUNT <= ENTRY_TRACE_MASK + 1, "trace ids fit a record");
_Static_assert(sizeof(memtable_entry) == 16, "records are 16 bytes");

static inline int record_contains(const memtable_entry *r, uint64_t address)
{
    /* A zero-sized block is still "pointed to" by its start address (as in memcheck). */
    uint64_t start = entry_start(r);
    return address == start || (address > start && address - start < entry_size(r));
}

/* The record pool: as many records as the budget allows (an address-space limit), at least
 * MEMTABLE_RECORD_MINIMUM; halved until the reservation succeeds. */
static memtable_entry *reserve_records(uint32_t *capacity)
{
    uint64_t budget = own_reserve_budget(), wanted = MEMTABLE_RECORD_CAPACITY;
    if (budget != UINT64_MAX && budget / 2 / sizeof(memtable_entry) < wanted)
        wanted = budget / 2 / sizeof(memtable_entry); /* half of the budget */
    if (wanted < MEMTABLE_RECORD_MINIMUM)
        wanted = MEMTABLE_RECORD_MINIMUM;
    for (; wanted >= MEMTABLE_RECORD_MINIMUM; wanted /= 2) {
        memtable_entry *records = own_map((size_t)wanted * sizeof(memtable_entry), 1);
        if (records) {
            *capacity = (uint32_t)wanted;
            return records;
        }
    }
    return NULL;
}

/* The node pool: one node per 16 records at most (a node holds 4-32), fewer under a budget;
 * none at all only costs speed (buckets stay chains). */
static void reserve_nodes(memtable *t)
{
    uint64_t wanted = t->record_capacity / 16;
    if (wanted > MEMTABLE_NODE_CAPACITY)
        wanted = MEMTABLE_NODE_CAPACITY;
    for (; wanted >= 1024; wanted /= 2) {
        t->nodes = own_map((size_t)wanted * sizeof(memtable_node), 1);
        if (t->nodes) {
            t->node_capacity = (uint32_t)wanted;
            atomic_store(&t->node_top, 1); /* node 0 is the null node */
            return;
        }
    }
}

int memtable_init(void)
{
    memtable *t = table();
    if (t->ready)
        return 0;
    t->chunks = own_map(MEMTABLE_CHUNK_COUNT * sizeof(*t->chunks), 1);
    t->records = t->chunks ? reserve_records(&t->record_capacity) : NULL;
    t->large_capacity = 1024;
    t->large = t->records ? own_map(t->large_capacity * sizeof(uint32_t), 0) : NULL;
    if (!t->chunks || !t->records || !t->large) {
        own_unmap(t->chunks, MEMTABLE_CHUNK_COUNT * sizeof(*t->chunks));
        own_unmap(t->records, (size_t)t->record_capacity * sizeof(memtable_entry));
        own_unmap(t->large, t->large_capacity * sizeof(uint32_t));
        t->chunks = NULL;
        t->records = NULL;
        t->large = NULL;
        return -1;
    }
    atomic_store(&t->record_top, 1); /* record 0 is the null record */
    reserve_nodes(t);
    t->ready = 1;
    return 0;
}

/* ---- bucket chunks ---- */

/* The bucket of `index` if its chunk exists (NULL: no block was ever recorded in that range). */
memtable_bucket *memtable_bucket_at(uint64_t index)
{
    memtable_bucket *chunk = atomic_load_explicit(&table()->chunks[index >> MEMTABLE_CHUNK_SHIFT], memory_order_acquire);
    return chunk ? &chunk[index & ((1u << MEMTABLE_CHUNK_SHIFT) - 1)] : NULL;
}

/* The bucket of `index`, mapping its chunk first if needed (two threads may race: the loser
 * unmaps its copy). NULL when the address space is exhausted. */
static memtable_bucket *bucket_for_write(uint64_t index)
{
    memtable_bucket *bucket = memtable_bucket_at(index);
    if (LIKELY(bucket != NULL))
        return bucket;
    size_t bytes = sizeof(memtable_bucket) << MEMTABLE_CHUNK_SHIFT;
    memtable_bucket *fresh = own_map(bytes, 1), *expected = NULL;
    if (!fresh)
        return NULL;
    _Atomic(memtable_bucket *) *slot = &table()->chunks[index >> MEMTABLE_CHUNK_SHIFT];
    if (!atomic_compare_exchange_strong_explicit(slot, &expected, fresh, memory_order_acq_rel, memory_order_acquire))
        own_unmap(fresh, bytes);
    return memtable_bucket_at(index);
}

const char *memtable_unavailable_reason(void)
{
    return instrument_state.own.address_limit
               ? "the memtable could not reserve its minimum of address space under RLIMIT_AS"
               : "the memtable could not reserve its address space";
}

uint32_t memtable_record_limit(void)
{
    return atomic_load_explicit(&table()->record_top, memory_order_acquire);
}

uint32_t memtable_node_limit(void)
{
    uint32_t top = atomic_load_explicit(&table()->node_top, memory_order_acquire);
    return top < table()->node_capacity ? top : table()->node_capacity;
}

/* ---- record pool: per-thread caches over a global free list ---- */

static int record_refill(thread_state *thread)
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
    if (base > t->record_capacity - RECORD_REFILL)
        return 0;
    for (uint32_t i = 0; i < RECORD_REFILL; i++)
        thread->record_cache[thread->record_cache_count++] = base + RECORD_REFILL - 1 - i;
    return 1;
}

static uint32_t record_take(thread_state *thread)
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

static void record_give(thread_state *thread, uint32_t index)
{
    if (__builtin_expect(thread->record_cache_count == THREAD_RECORD_CACHE, 0)) {
        uint32_t half = THREAD_RECORD_CACHE / 2;
        thread->record_cache_count -= half;
        records_return_to_pool(&thread->record_cache[thread->record_cache_count], half);
    }
    thread->record_cache[thread->record_cache_count++] = index;
}

void memtable_release_thread_cache(thread_state *thread)
{
    if (thread->record_cache_count && table()->ready)
        records_return_to_pool(thread->record_cache, thread->record_cache_count);
    thread->record_cache_count = 0;
}

/* ---- dense buckets: nodes (see "Dense buckets" at the top) ---- */

static inline int head_is_node(uint32_t head) { return (head & MEMTABLE_NODE_BIT) != 0; }

/* A chain head's first record (the push count above it set aside). */
static inline uint32_t chain_first(uint32_t head) { return head & (MEMTABLE_RECORD_CAPACITY - 1); }

static inline uint32_t chain_pushes(uint32_t head) { return (head >> MEMTABLE_CHAIN_PUSHES_SHIFT) & 3u; }

_Static_assert(MEMTABLE_RECORD_CAPACITY == 1u << MEMTABLE_CHAIN_PUSHES_SHIFT, "record indices stay below the push count");

static inline memtable_node *node_of(uint32_t head) { return &table()->nodes[head & MEMTABLE_NODE_INDEX_MASK]; }

static inline uint32_t node_slot(uint64_t address)
{
    return (uint32_t)(address & ((1u << MEMTABLE_BUCKET_SHIFT) - 1)) >> MEMTABLE_NODE_SLOT_SHIFT;
}

static inline uint32_t node_head(uint32_t node, uint32_t count)
{
    return MEMTABLE_NODE_BIT | count << MEMTABLE_NODE_COUNT_SHIFT | node;
}

static inline uint32_t node_count(uint32_t head) { return (head >> MEMTABLE_NODE_COUNT_SHIFT) & 0x3f; }

/* A node's entry: the record index, and what a free needs to know without reading the record
 * (see "Dense buckets"): which 16 bytes of the 32-byte slot the block starts at (with the slot,
 * its exact start: a node holds 16-aligned starts only), and whether the block reaches into the
 * next bucket (its cover entries must be cleared, which takes its size). 0 = empty. */
#define NODE_ENTRY_INDEX_MASK (MEMTABLE_RECORD_CAPACITY - 1)
#define NODE_ENTRY_HIGH_HALF (MEMTABLE_RECORD_CAPACITY << 0)
#define NODE_ENTRY_CROSSES (MEMTABLE_RECORD_CAPACITY << 1)
_Static_assert((MEMTABLE_RECORD_CAPACITY << 1) != 0 && (MEMTABLE_RECORD_CAPACITY << 1) < MEMTABLE_LOCK_BIT,
               "a node entry holds a record index and two bits");

static inline int node_holds(uint64_t start) { return (start & 15) == 0; }

static inline uint32_t node_entry(uint32_t index, uint64_t start, uint64_t size)
{
    uint32_t crosses = size > 0 && bucket_index(start + size - 1) != bucket_index(start) ? NODE_ENTRY_CROSSES : 0;
    return index | ((start & 16) ? NODE_ENTRY_HIGH_HALF : 0) | crosses;
}

/* The start of the block an entry of slot `slot` names, in the bucket of `address`. */
static inline uint64_t node_entry_start(uint32_t entry, uint32_t slot, uint64_t address)
{
    uint64_t base = address & ~((1ull << MEMTABLE_BUCKET_SHIFT) - 1);
    return base + ((uint64_t)slot << MEMTABLE_NODE_SLOT_SHIFT) + ((entry & NODE_ENTRY_HIGH_HALF) ? 16 : 0);
}

/* A cleared node, 0 when none is left. Called with a bucket lock held (lock order: bucket, then
 * node_lock). The node is cleared with plain 8-byte stores, not memset: a thread stopped for a
 * scan runs on to park only while its pc is in our code, and it holds a bucket lock here. */
static uint32_t node_take(memtable *t)
{
    if (!t->nodes)
        return 0;
    spinlock_acquire(&t->node_lock);
    uint32_t index = t->node_free_head;
    if (index)
        t->node_free_head = t->nodes[index].record[0];
    spinlock_release(&t->node_lock);
    if (!index) {
        if (atomic_load_explicit(&t->node_top, memory_order_relaxed) >= t->node_capacity)
            return 0;
        index = atomic_fetch_add_explicit(&t->node_top, 1, memory_order_relaxed);
        if (index >= t->node_capacity)
            return 0;
    }
    uint64_t *words = (uint64_t *)&t->nodes[index];
    for (uint32_t i = 0; i < sizeof(memtable_node) / 8; i++)
        __atomic_store_n(&words[i], 0, __ATOMIC_RELAXED);
    return index;
}

static void node_give(memtable *t, uint32_t index)
{
    spinlock_acquire(&t->node_lock);
    t->nodes[index].record[0] = t->node_free_head;
    t->node_free_head = index;
    spinlock_release(&t->node_lock);
}

/* A locked bucket's chain as a node: the new head, or `head` unchanged when no node is left,
 * two of its blocks start in one slot or one start is not 16-aligned. The records' links are
 * left as they were, so a reader that loaded the old head (stopped world: none) still walks a
 * whole chain. */
static uint32_t chain_to_node(memtable *t, uint32_t head)
{
    uint32_t node = head ? node_take(t) : 0;
    if (!node)
        return head;
    memtable_entry *records = t->records;
    uint32_t *entries = t->nodes[node].record, count = 0;
    for (uint32_t i = chain_first(head); i; i = records[i].next) {
        uint64_t start = entry_start(&records[i]);
        uint32_t *entry = &entries[node_slot(start)];
        if (*entry || !node_holds(start)) {
            node_give(t, node);
            return head;
        }
        *entry = node_entry(i, start, entry_size(&records[i]));
        count++;
    }
    return node_head(node, count);
}

/* A locked bucket's node as a chain (its records linked again): the new head, 0 if empty. The
 * node is freed by bucket_unlock, after the head that no longer names it is published. */
static uint32_t node_to_chain(memtable *t, uint32_t head)
{
    memtable_node *node = node_of(head);
    uint32_t chain = 0;
    for (uint32_t k = MEMTABLE_NODE_SLOTS; k-- > 0;) {
        uint32_t i = node->record[k] & NODE_ENTRY_INDEX_MASK;
        if (i) {
            t->records[i].next = chain;
            chain = i;
        }
    }
    thread_tls.node_to_free = head & MEMTABLE_NODE_INDEX_MASK;
    return chain;
}

/* Link record `index` into a locked bucket whose head is `head`; returns the new head. */
static uint32_t head_with(memtable *t, uint32_t head, uint32_t index)
{
    if (head_is_node(head)) {
        const memtable_entry *r = &t->records[index];
        uint64_t start = entry_start(r);
        uint32_t *entry = &node_of(head)->record[node_slot(start)];
        if (!*entry && node_holds(start)) {
            *entry = node_entry(index, start, entry_size(r));
            return head + (1u << MEMTABLE_NODE_COUNT_SHIFT);
        }
        head = node_to_chain(t, head); /* a second start in one slot, or an odd one: only a chain holds it */
        t->records[index].next = head;
        return index;
    }
    t->records[index].next = chain_first(head);
    uint32_t pushes = chain_pushes(head);
    if (pushes < MEMTABLE_CHAIN_PUSHES_MAX)
        return index | (pushes + 1) << MEMTABLE_CHAIN_PUSHES_SHIFT;
    /* Saturated: measure the chain (recently pushed records: cached lines) and make a node of a
     * full one. Measured or converted, the count starts again from 0 (a chain that cannot be a
     * node is measured every fourth push: at most 64 records a KiB). */
    uint32_t length = 0;
    for (uint32_t i = index; i && length < NODE_FROM_INSERT; i = t->records[i].next)
        length++;
    return length >= NODE_FROM_INSERT ? chain_to_node(t, index) : index;
}

/* Unlink the record of `start` from a locked bucket's node: its index (0: absent); updates
 * *head (the count, or a chain again when few records are left). The record is not read: the
 * entry says where its block starts, and *crosses whether it reaches into the next bucket. */
static uint32_t node_unlink(memtable *t, uint32_t *head, uint64_t start, int *crosses)
{
    uint32_t *entry = &node_of(*head)->record[node_slot(start)];
    uint32_t value = *entry, index = value & NODE_ENTRY_INDEX_MASK;
    if (!index || node_entry_start(value, node_slot(start), start) != start)
        return 0;
    *crosses = (value & NODE_ENTRY_CROSSES) != 0;
    *entry = 0;
    if (node_count(*head) - 1 < NODE_TO_CHAIN)
        *head = node_to_chain(t, *head);
    else
        *head -= 1u << MEMTABLE_NODE_COUNT_SHIFT;
    return index;
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

/* Releasing is the store of the (possibly new) head without the lock bit. A thread that a stop
 * let run on because it held the lock parks now (internal.h). */
static void bucket_unlock(memtable_bucket *bucket, thread_slot *slot, uint32_t head)
{
    atomic_store_explicit(&bucket->head, head, memory_order_release);
    atomic_store_explicit(&slot->held_bucket, 0, memory_order_relaxed);
    uint32_t node = thread_tls.node_to_free;
    if (UNLIKELY(node != 0)) {
        thread_tls.node_to_free = 0;
        node_give(table(), node);
    }
    park_if_asked_after_unlock(&thread_tls);
}

/* Insert into a bucket: one CAS onto a chain; a node's slot is written under the lock. */
static void bucket_push(memtable_bucket *bucket, uint64_t b, uint32_t index)
{
    memtable_entry *r = &table()->records[index];
    uint32_t head = atomic_load_explicit(&bucket->head, memory_order_relaxed);
    for (;;) {
        if (head & MEMTABLE_LOCK_BIT) {
            __builtin_ia32_pause();
            head = atomic_load_explicit(&bucket->head, memory_order_relaxed);
            continue;
        }
        if (head_is_node(head) || chain_pushes(head) == MEMTABLE_CHAIN_PUSHES_MAX) {
            thread_slot *slot = thread_slot_of(&thread_tls);
            head = bucket_lock(bucket, slot, b);
            bucket_unlock(bucket, slot, head_with(table(), head, index));
            return;
        }
        r->next = chain_first(head);
        uint32_t pushed = index | (chain_pushes(head) + 1) << MEMTABLE_CHAIN_PUSHES_SHIFT;
        if (atomic_compare_exchange_weak_explicit(&bucket->head, &head, pushed, memory_order_release,
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
    for (uint64_t b = first; b <= last; b++) {
        memtable_bucket *bucket = bucket_for_write(b); /* a block may reach into the next chunk */
        if (bucket)
            atomic_store_explicit(&bucket->cover, index, memory_order_release);
    }
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
        memtable_bucket *bucket = memtable_bucket_at(b);
        if (bucket && atomic_load_explicit(&bucket->cover, memory_order_relaxed) == index)
            atomic_store_explicit(&bucket->cover, 0, memory_order_relaxed);
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
        if (entry_start(&t->records[t->large[mid]]) <= address)
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
        uint32_t *grown = own_map(capacity * sizeof(uint32_t), 0);
        if (!grown) {
            spinlock_release(&t->large_lock);
            return -1;
        }
        memcpy(grown, t->large, t->large_count * sizeof(uint32_t));
        uint32_t *old = t->large;
        uint32_t old_capacity = t->large_capacity;
        t->large = grown;
        t->large_capacity = capacity;
        own_unmap(old, old_capacity * sizeof(uint32_t));
    }
    uint32_t at = large_position(entry_start(&t->records[index]));
    /* A loop, not memmove: a stop of the world lets a thread in a short section run on to park
     * only when it is in our code; inside libc it would stay stopped holding large_lock. */
    for (uint32_t k = t->large_count; k > at; k--)
        t->large[k] = t->large[k - 1];
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
    if (at > 0 && entry_start(&t->records[t->large[at - 1]]) == start) {
        found = t->large[at - 1];
        for (uint32_t k = at; k < t->large_count; k++) /* a loop, as in large_insert */
            t->large[k - 1] = t->large[k];
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

/* A fresh record for a block, live with `flags` (RECORD_LIVE...) once the caller publishes it. 0
 * when out of records. A large block keeps its size's upper bits in `next` (it is in no chain). */
static uint32_t record_new(thread_state *thread, uint64_t start, uint64_t size, uint32_t trace_id, uint32_t flags)
{
    uint32_t index = record_take(thread);
    if (!index)
        return 0;
    memtable_entry *r = &table()->records[index];
    r->start_size = start | size << ENTRY_SIZE_SHIFT;
    if (flags & RECORD_LARGE)
        r->next = (uint32_t)(size >> ENTRY_SIZE_BITS);
    r->trace_flags = (trace_id & ENTRY_TRACE_MASK) | flags << ENTRY_FLAGS_SHIFT;
    return index;
}

/* The record's block as the readers see it. */
static void record_copy(const memtable_entry *r, memtable_record *out)
{
    out->start = entry_start(r);
    out->size = entry_size(r);
    out->trace_id = entry_trace(r);
    out->flags = entry_flags(r);
}

int memtable_insert(uint64_t start, uint64_t size, uint32_t trace_id, uint32_t flags)
{
    memtable *t = table();
    if (!address_trackable(start))
        return -1;
    thread_state *thread = &thread_tls;
    memtable_bucket *bucket = size < MEMTABLE_LARGE_THRESHOLD ? bucket_for_write(bucket_index(start)) : NULL;
    uint32_t live = RECORD_LIVE | flags | (size >= MEMTABLE_LARGE_THRESHOLD ? RECORD_LARGE : 0);
    uint32_t index = (bucket || size >= MEMTABLE_LARGE_THRESHOLD) ? record_new(thread, start, size, trace_id, live) : 0;
    if (!index) {
        atomic_fetch_add_explicit(&t->untracked, 1, memory_order_relaxed);
        return -1;
    }
    memtable_entry *r = &t->records[index];
    if (size >= MEMTABLE_LARGE_THRESHOLD) {
        if (large_insert(index) != 0) {
            r->trace_flags = 0;
            record_give(thread, index);
            return -1;
        }
        return 0;
    }
    cover_set(start, size, index);
    bucket_push(bucket, bucket_index(start), index);
    return 0;
}

/* Unlink the record of `start` from a locked bucket's chain; returns its index (0: absent)
 * and updates *head. *walked: the links it read. */
static uint32_t chain_unlink(memtable *t, uint32_t *head, uint64_t start, uint32_t *walked)
{
    uint32_t previous = 0, index = chain_first(*head), steps = 0;
    while (index && entry_start(&t->records[index]) != start) {
        previous = index;
        index = t->records[index].next;
        steps++;
    }
    *walked = steps;
    if (index) {
        if (previous)
            t->records[previous].next = t->records[index].next;
        else
            *head = t->records[index].next;
    }
    return index;
}

/* Remote free, with the bucket lock of `start` held: kill the block in whichever nursery holds
 * it (a CAS of its slot to DEAD, which an adoption under the same lock cannot race). Returns 1
 * and its record if found. */
static int kill_young_block(uint64_t start, memtable_record *out)
{
    nursery *nurseries = instrument_state.nurseries.nurseries;
    uint32_t top = nursery_slot_limit();
    uint32_t base = nursery_bucket(start);
    for (uint32_t s = 1; s < top; s++) {
        nursery *n = &nurseries[s];
        for (uint32_t i = base; i < base + NURSERY_WAYS; i++) {
            uint64_t expected = start;
            if (atomic_load_explicit(&n->start[i], memory_order_acquire) != start)
                continue;
            nursery_slot_record(n, i, start, out);
            if (atomic_compare_exchange_strong_explicit(&n->start[i], &expected, start | NURSERY_DEAD,
                                                        memory_order_acq_rel, memory_order_relaxed))
                return 1;
        }
    }
    return 0;
}

int memtable_remove(uint64_t start, memtable_record *out)
{
    memtable *t = table();
    if (!address_trackable(start))
        return 0;
    thread_state *thread = &thread_tls;
    uint64_t b = bucket_index(start);
    int nurseries = instrument_state.nurseries.enabled;
    /* With nurseries the block may be young in another thread's nursery, its range never seen by
     * the memtable: the bucket lock still orders our search against its eviction. */
    memtable_bucket *bucket = nurseries ? bucket_for_write(b) : memtable_bucket_at(b);
    uint32_t index = 0;
    int crosses = 1; /* unknown: the record is read */
    /* Without nurseries an empty bucket needs neither the slot nor the lock: a small block was
     * published in its bucket before its pointer was returned. With nurseries it may sit in
     * another thread's nursery: the lock orders our search against its eviction. */
    if (bucket && (nurseries || atomic_load_explicit(&bucket->head, memory_order_relaxed) != 0)) {
        thread_slot *slot = thread_slot_of(thread);
        uint32_t head = bucket_lock(bucket, slot, b);
        if (head_is_node(head)) {
            index = node_unlink(t, &head, start, &crosses);
        } else {
            uint32_t walked;
            index = chain_unlink(t, &head, start, &walked);
            if (UNLIKELY(walked > NODE_FROM_WALK))
                head = chain_to_node(t, head);
        }
        int in_nursery = !index && nurseries && kill_young_block(start, out);
        bucket_unlock(bucket, slot, head);
        if (in_nursery)
            return 1;
    }
    if (!index) {
        index = large_remove(start);
        if (!index)
            return 0;
    }
    memtable_entry *r = &t->records[index];
    if (out || crosses) {
        if (out)
            record_copy(r, out);
        if (!(entry_flags(r) & RECORD_LARGE))
            cover_clear(entry_start(r), entry_size(r), index);
    }
    /* A free of a block in a node does not read its record: this store (no load before it, so
     * nothing waits for the record's line) is all that touches it. */
    r->trace_flags = 0;
    record_give(thread, index);
    return 1;
}

int memtable_adopt(_Atomic uint64_t *owner_slot, uint64_t start, uint64_t size, uint32_t trace_id,
                   uint32_t flags)
{
    memtable *t = table();
    thread_state *thread = &thread_tls;
    uint64_t b = bucket_index(start);
    memtable_bucket *bucket = bucket_for_write(b);
    uint32_t index = bucket ? record_new(thread, start, size, trace_id, RECORD_LIVE | flags) : 0;
    if (!index)
        return -1;
    memtable_entry *r = &t->records[index];
    thread_slot *slot = thread_slot_of(thread);
    uint32_t head = bucket_lock(bucket, slot, b);
    uint64_t expected = start;
    /* A remote free that got here first marked the slot dead: then the block is gone. */
    int owned = atomic_compare_exchange_strong_explicit(owner_slot, &expected, 0, memory_order_acq_rel,
                                                        memory_order_relaxed);
    if (owned) {
        cover_set(start, size, index);
        head = head_with(t, head, index);
    }
    bucket_unlock(bucket, slot, head);
    if (!owned) {
        r->trace_flags = 0;
        record_give(thread, index);
    }
    return owned ? 0 : 1;
}

/* The record of the bucket `head` whose block contains `address`, 0 if none. In a node only the
 * nearest start at or below the address can contain it (blocks never overlap). */
static uint32_t bucket_find(const memtable *t, uint32_t head, uint64_t address)
{
    if (head_is_node(head)) {
        const memtable_node *node = node_of(head);
        for (uint32_t k = node_slot(address) + 1; k-- > 0;) {
            uint32_t value = __atomic_load_n(&node->record[k], __ATOMIC_RELAXED), i = value & NODE_ENTRY_INDEX_MASK;
            if (i && node_entry_start(value, k, address) <= address)
                return record_contains(&t->records[i], address) ? i : 0;
        }
        return 0;
    }
    for (uint32_t i = chain_first(head); i; i = t->records[i].next)
        if (record_contains(&t->records[i], address))
            return i;
    return 0;
}

uint32_t memtable_find(uint64_t address, int locked)
{
    memtable *t = table();
    if (!t->ready || !address_trackable(address))
        return 0;
    uint64_t b = bucket_index(address);
    memtable_bucket *bucket = memtable_bucket_at(b);
    if (!bucket)
        return large_find(address, locked);
    thread_slot *slot = NULL;
    uint32_t head, found = 0;
    if (locked) {
        slot = thread_slot_of(&thread_tls);
        head = bucket_lock(bucket, slot, b);
    } else {
        head = atomic_load_explicit(&bucket->head, memory_order_acquire) & ~MEMTABLE_LOCK_BIT;
    }
    found = bucket_find(t, head, address);
    if (locked)
        bucket_unlock(bucket, slot, head);
    if (found)
        return found;
    uint32_t cover = atomic_load_explicit(&bucket->cover, memory_order_acquire);
    if (cover) {
        const memtable_entry *r = &t->records[cover];
        if ((entry_flags(r) & (RECORD_LIVE | RECORD_LARGE)) == RECORD_LIVE && record_contains(r, address))
            return cover;
    }
    return large_find(address, locked);
}

void memtable_fork_prepare(void)
{
    spinlock_acquire(&table()->free_lock);
    spinlock_acquire(&table()->large_lock);
    spinlock_acquire(&table()->node_lock);
}

void memtable_fork_parent(void)
{
    spinlock_release(&table()->node_lock);
    spinlock_release(&table()->large_lock);
    spinlock_release(&table()->free_lock);
}

/* Only the calling thread survives a fork: the bucket locks other threads held (announced in
 * their slots) are released, and the global locks reset. */
void memtable_fork_child(void)
{
    spinlock_reset(&table()->node_lock);
    spinlock_reset(&table()->large_lock);
    spinlock_reset(&table()->free_lock);
    thread_registry *r = &instrument_state.threads;
    if (!r->slots || !table()->ready)
        return;
    uint32_t self = thread_tls.slot;
    uint32_t top = threads_slot_limit();
    for (uint32_t i = 0; i < top; i++) {
        uint64_t held = atomic_load_explicit(&r->slots[i].held_bucket, memory_order_relaxed);
        if (i == self || !held)
            continue;
        memtable_bucket *bucket = memtable_bucket_at(held - 1);
        if (bucket) {
            uint32_t head = atomic_load_explicit(&bucket->head, memory_order_relaxed);
            atomic_store_explicit(&bucket->head, head & ~MEMTABLE_LOCK_BIT, memory_order_relaxed);
        }
        atomic_store_explicit(&r->slots[i].held_bucket, 0, memory_order_relaxed);
    }
}
