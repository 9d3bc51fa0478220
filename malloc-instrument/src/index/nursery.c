/* nursery.c — a per-thread cache of young blocks in front of the memtable.
 *
 * Most blocks die young and are freed by the thread that allocated them. Such a block never
 * needs to be visible to other threads while it lives, so it is recorded in its thread's
 * nursery (a small set-associative table, written only by its owner, with plain stores) and
 * never touches the shared memtable: no locked instruction on the pair at all.
 *
 * Rules that keep every block in exactly one place:
 *  - Owner insert: a free way of the block's home bucket; if the bucket is full, one of its
 *    blocks is evicted into the memtable first.
 *  - Eviction (owner): under the memtable bucket lock of the evicted block, CAS the slot from
 *    the block's start to 0, then insert into the bucket chain, then unlock (memtable_adopt).
 *  - Owner free: plain loads find the block in its bucket, a plain store empties the slot.
 *  - Free by another thread (a "remote" free): under the bucket lock of the block, look in the
 *    bucket chain, then in its home bucket of every nursery, and CAS the matching slot to DEAD
 *    (memtable_remove). Holding the bucket lock orders this against an eviction of the same
 *    block, so the block is found in the chain or in a nursery, never in neither.
 *  - Anyone who must see every block (leak scan, census, fork child) first moves all
 *    nurseries into the memtable (`nursery_flush_all`), with the owners stopped or gone.
 *
 * A thread's nursery lives in a shared pool indexed by its slot (threads.c), never in TLS, so
 * a remote free can read it even while its owner exits; slots and nurseries are recycled
 * together. INVISIBLE_NURSERY=no turns the cache off (init.c: every block goes to the memtable
 * at once). The inline fast paths (nursery_insert_home, nursery_remove_home) are in internal.h.
 */
#define _GNU_SOURCE
#include "internal.h"

static nursery_pool *pool(void) { return &instrument_state.nurseries; }

int nursery_pool_init(void)
{
    nursery_pool *p = pool();
    if (p->nurseries)
        return 0;
    /* INVISIBLE_NURSERY=no is applied later, by invisible_instrument_start. Under an
     * address-space limit, nurseries for as many threads as a sixteenth of the budget allows
     * (primitives/memory.c); later threads record straight into the memtable. */
    uint64_t budget = own_reserve_budget();
    p->capacity = THREAD_SLOT_CAPACITY;
    while (budget != UINT64_MAX && p->capacity > 64 && (uint64_t)p->capacity * sizeof(nursery) > budget / 16)
        p->capacity /= 2;
    p->nurseries = own_map((size_t)p->capacity * sizeof(nursery), 1);
    p->enabled = p->nurseries != NULL;
    return 0;
}

nursery *nursery_attach(thread_state *thread)
{
    nursery_pool *p = pool();
    if (!p->enabled)
        return NULL;
    thread_slot_of(thread);
    /* Slot 0 is shared by threads beyond the slot capacity: it gets no nursery. */
    thread->nursery = thread->slot && thread->slot < p->capacity ? &p->nurseries[thread->slot] : NULL;
    return thread->nursery;
}

static inline int is_free(uint64_t value) { return value == 0 || (value & NURSERY_DEAD); }

static void fill(nursery *n, uint32_t i, uint64_t start, uint64_t info)
{
    n->info[i] = info;
    /* Release: a remote reader that sees the start also sees the field above. */
    atomic_store_explicit(&n->start[i], start, memory_order_release);
}

static int adopt(nursery *n, uint32_t i, uint64_t start)
{
    uint64_t info = n->info[i];
    return memtable_adopt(&n->start[i], start, nursery_info_size(info), nursery_info_trace(info),
                          nursery_info_flags(info));
}

int nursery_insert(nursery *n, uint64_t start, uint64_t size, uint32_t site)
{
    if (size >= MEMTABLE_LARGE_THRESHOLD)
        return -1;
    uint32_t base = nursery_bucket(start);
    unsigned free_ways = nursery_free_ways(n, base);
    if (free_ways) {
        fill(n, base + (uint32_t)__builtin_ctz(free_ways), start, nursery_info(size, site));
        return 0;
    }
    /* The bucket is full: one of its blocks has lived long enough to be shared. Which one is a
     * function of the new address (no age is kept: the stores it would cost are on every insert). */
    uint32_t i = base + (uint32_t)((start >> 4) & (NURSERY_WAYS - 1));
    uint64_t old = atomic_load_explicit(&n->start[i], memory_order_relaxed);
    if (!is_free(old) && adopt(n, i, old) < 0)
        return -1;
    fill(n, i, start, nursery_info(size, site));
    return 0;
}

int nursery_remove_own(nursery *n, uint64_t start, memtable_record *out)
{
    uint32_t base = nursery_bucket(start);
    unsigned ways = nursery_ways_holding(n, base, start);
    if (!ways)
        return 0;
    uint32_t i = base + (uint32_t)__builtin_ctz(ways);
    nursery_slot_record(n, i, start, out);
    /* Plain store: only a free of this very block could race, and that is a double free. */
    atomic_store_explicit(&n->start[i], 0, memory_order_relaxed);
    return 1;
}

void nursery_flush(nursery *n)
{
    for (uint32_t i = 0; i < NURSERY_SLOTS; i++) {
        uint64_t start = atomic_load_explicit(&n->start[i], memory_order_acquire);
        if (start == 0)
            continue;
        if (start & NURSERY_DEAD)
            atomic_store_explicit(&n->start[i], 0, memory_order_relaxed);
        else if (adopt(n, i, start) < 0)
            return; /* out of records: leave the rest where they are */
    }
}

void nursery_flush_all(void)
{
    nursery_pool *p = pool();
    if (!p->nurseries)
        return;
    uint32_t top = nursery_slot_limit();
    for (uint32_t s = 1; s < top; s++)
        nursery_flush(&p->nurseries[s]);
}

/* Visit the live entries of every nursery, read without stopping their owners: an entry's
 * record is copied, then kept only if its start is unchanged (not freed or moved meanwhile).
 * `visit` returns nonzero to stop; returns the number visited. */
typedef int (*young_visitor)(const memtable_record *record, void *context);

static uint64_t for_each_young(young_visitor visit, void *context)
{
    nursery_pool *p = pool();
    if (!p->nurseries)
        return 0;
    uint64_t visited = 0;
    uint32_t top = nursery_slot_limit();
    for (uint32_t s = 1; s < top; s++) {
        const nursery *n = &p->nurseries[s];
        for (uint32_t i = 0; i < NURSERY_SLOTS; i++) {
            uint64_t start = atomic_load_explicit(&n->start[i], memory_order_acquire);
            if (is_free(start))
                continue;
            memtable_record record;
            nursery_slot_record(n, i, start, &record);
            if (atomic_load_explicit(&n->start[i], memory_order_acquire) != start)
                continue; /* freed or moved while we read it */
            visited++;
            if (visit(&record, context))
                return visited;
        }
    }
    return visited;
}

typedef struct find_young {
    uint64_t address;
    memtable_record found;
    int matched;
} find_young;

static int contains_address(const memtable_record *record, void *context)
{
    find_young *find = context;
    uint64_t address = find->address;
    if (address != record->start && (address < record->start || address - record->start >= record->size))
        return 0;
    find->found = *record;
    find->matched = 1;
    return 1;
}

int nursery_find_any(uint64_t address, memtable_record *out)
{
    find_young find = { .address = address };
    for_each_young(contains_address, &find);
    if (find.matched && out)
        *out = find.found;
    return find.matched;
}

typedef struct visit_young {
    invisible_block_visitor visit;
    void *context;
} visit_young;

static int as_block_info(const memtable_record *record, void *context)
{
    visit_young *v = context;
    invisible_block_info info = { record->start, record->size, record->trace_id, 0 };
    return v->visit(&info, v->context);
}

uint64_t nursery_for_each(invisible_block_visitor visit, void *context)
{
    visit_young v = { visit, context };
    return for_each_young(as_block_info, &v);
}
