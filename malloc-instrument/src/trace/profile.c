/* profile.c — allocation profiling per interned trace (--profile, INVISIBLE_PROFILE=1).
 *
 * Off unless asked for: the hooks then test one bit of their mode word (HOOKS_PROFILE), already
 * loaded, and call in here only when it is set.
 *
 * Counters. Each thread slot below PROFILE_TABLES owns a table of profile_counter, indexed
 * directly by trace id (ids are dense and sequential), reserved without commitment: a thread
 * commits one 4 KiB page per 64 consecutive ids it touches, so memory is bounded by 64 bytes per
 * trace per thread, and the whole table by the trace table's own bound. Only the owner writes it,
 * with plain stores: no locked instruction and no shared cache line on the hot path. A thread
 * with no table of its own (slot 0, or slots beyond PROFILE_TABLES) counts in the overflow
 * table under a spinlock: slower, never wrong. A free counts against the freed block's trace in
 * the freeing thread's table; report time sums the tables (profile_read), so a block freed by
 * another thread comes out right.
 *
 * Temporary allocations, heaptrack's definition: a block freed with no other allocation in
 * between, from the same thread. Each thread keeps the start of its last allocation; a free of
 * that very block counts one temporary, and any free clears it.
 *
 * The heap and its peak. Each thread keeps its heap delta (bytes allocated minus freed) and the
 * highest it reached; past PROFILE_FOLD_BYTES either way it folds them into the process's heap
 * (one atomic add per 64 KiB of heap change per thread: a bounded rate). The fold proposes
 * `heap before the fold + the thread's highest delta` as a peak. So the peak is exact for one
 * thread, and within PROFILE_FOLD_BYTES per other thread (their unfolded deltas) otherwise;
 * profile_read adds what is not folded yet.
 *
 * Bytes per trace at the peak: copying every table at each new peak would cost a walk of every
 * table per fold while the heap grows. Instead a generation counter: when the heap reaches a new
 * peak at least 2% and PROFILE_FOLD_BYTES above the heap of the last capture, the generation
 * moves on, and that moment is the capture. Every counter update first compares the counter's
 * generation with the process's (one load of a line that only moves at a capture): a counter
 * from an older generation saves its value before the update (copy on write). At report time, a
 * counter of the current generation holds its value at the capture in peak_net; any other was
 * never touched since, and its value now is its value then. Captures happen at most
 * log(peak / 64 KiB) / log(1.02) times (under 700 for 64 GiB), and the sites reported are the
 * state at a moment the heap was within 2% (and the fold granularity) of its peak. A thread
 * that read the generation just before it moved counts one update late: one allocation's error.
 *
 * Timeline: sampled at folds, at most one point per interval; 1024 points, and when full, every
 * other point is dropped and the interval doubles (bounded memory, whole run covered).
 */
#define _GNU_SOURCE
#include "internal.h"

#include <string.h>

static profile_state *state(void) { return &instrument_state.profile; }

int profile_start(void)
{
    profile_state *s = state();
    if (s->enabled)
        return 0;
    s->table_traces = instrument_state.traces.max_count;
    if (!s->table_traces)
        return -1;
    uint64_t table_bytes = s->table_traces * sizeof(profile_counter);
    s->overflow = own_map(table_bytes, 1);
    if (!s->overflow)
        return -1;
    /* Under RLIMIT_AS, as many tables as a sixteenth of the budget holds (primitives/memory.c). */
    uint64_t budget = own_reserve_budget();
    uint32_t count = PROFILE_TABLES;
    while (budget != UINT64_MAX && count > 0 && count * table_bytes > budget / 16)
        count /= 2;
    s->tables = count ? own_map(count * table_bytes, 1) : NULL;
    s->table_count = s->tables ? count : 0;
    s->start_ns = prim_now_ns();
    s->timeline_interval_ns = 0;
    s->enabled = 1;
    return 0;
}

int profile_enabled(void) { return state()->enabled; }

/* The calling thread's table, or NULL: count in the overflow table. */
static profile_counter *table_of(thread_state *thread)
{
    if (LIKELY(thread->profile_table != NULL))
        return thread->profile_table;
    profile_state *s = state();
    thread_slot_of(thread);
    if (thread->slot == 0 || thread->slot >= s->table_count)
        return NULL;
    thread->profile_table = s->tables + (uint64_t)thread->slot * s->table_traces;
    return thread->profile_table;
}

static inline void touch(profile_counter *c)
{
    uint64_t generation = atomic_load_explicit(&state()->generation, memory_order_relaxed);
    if (UNLIKELY(c->peak_generation != generation)) {
        c->peak_net = c->bytes - c->freed_bytes;
        c->peak_generation = generation;
    }
}

static void timeline_add(profile_state *s, uint64_t now, int64_t heap)
{
    if (s->timeline_count == PROFILE_TIMELINE_POINTS) {
        for (uint32_t i = 0; i < PROFILE_TIMELINE_POINTS / 2; i++)
            s->timeline[i] = s->timeline[2 * i];
        s->timeline_count = PROFILE_TIMELINE_POINTS / 2;
        s->timeline_interval_ns = s->timeline_interval_ns ? s->timeline_interval_ns * 2 : 1000000;
    }
    profile_point *p = &s->timeline[s->timeline_count++];
    p->t_ns = now - s->start_ns;
    p->heap_bytes = heap > 0 ? (uint64_t)heap : 0;
}

/* Fold the thread's delta into the process's heap: a new peak, a capture, a timeline point. */
static __attribute__((noinline)) void fold(thread_state *thread)
{
    profile_state *s = state();
    int64_t delta = thread->profile_delta, high = thread->profile_delta_high;
    thread->profile_delta = 0;
    thread->profile_delta_high = 0;
    int64_t before = atomic_fetch_add_explicit(&s->heap, delta, memory_order_relaxed);
    int64_t candidate = before + high, after = before + delta;
    uint64_t now = prim_now_ns();
    int new_peak = candidate > atomic_load_explicit(&s->peak, memory_order_relaxed);
    uint64_t last = s->timeline_count ? s->timeline[s->timeline_count - 1].t_ns + s->start_ns : 0;
    if (!new_peak && s->timeline_count && now - last < s->timeline_interval_ns)
        return;
    spinlock_acquire(&s->lock);
    if (candidate > atomic_load_explicit(&s->peak, memory_order_relaxed)) {
        atomic_store_explicit(&s->peak, candidate, memory_order_relaxed);
        atomic_store_explicit(&s->peak_ns, now - s->start_ns, memory_order_relaxed);
        int64_t margin = s->snapshot_peak / 50;
        if (margin < PROFILE_FOLD_BYTES)
            margin = PROFILE_FOLD_BYTES;
        if (after >= s->snapshot_peak + margin || s->snapshot_peak == 0) {
            s->snapshot_peak = after;
            atomic_fetch_add_explicit(&s->generation, 1, memory_order_relaxed);
        }
    }
    if (!s->timeline_count || now - last >= s->timeline_interval_ns)
        timeline_add(s, now, after);
    spinlock_release(&s->lock);
}

static inline void heap_grew(thread_state *thread, uint64_t size)
{
    thread->profile_delta += (int64_t)size;
    if (thread->profile_delta > thread->profile_delta_high)
        thread->profile_delta_high = thread->profile_delta;
    if (thread->profile_delta >= PROFILE_FOLD_BYTES)
        fold(thread);
}

static inline void heap_shrank(thread_state *thread, uint64_t size)
{
    thread->profile_delta -= (int64_t)size;
    if (thread->profile_delta <= -PROFILE_FOLD_BYTES)
        fold(thread);
}

static inline uint32_t bounded_id(uint32_t trace_id)
{
    return trace_id < state()->table_traces ? trace_id : 0;
}

void profile_on_alloc(thread_state *thread, uint64_t start, uint64_t size, uint32_t site)
{
    profile_state *s = state();
    uint32_t id = bounded_id(site & ~SITE_LOADER);
    profile_counter *table = table_of(thread);
    if (UNLIKELY(!table)) {
        spinlock_acquire(&s->overflow_lock);
        profile_counter *c = &s->overflow[id];
        touch(c);
        c->allocations++;
        c->bytes += (int64_t)size;
        spinlock_release(&s->overflow_lock);
    } else {
        profile_counter *c = &table[id];
        touch(c);
        c->allocations++;
        c->bytes += (int64_t)size;
    }
    thread->profile_last_alloc = start;
    heap_grew(thread, size);
}

void profile_on_free(thread_state *thread, uint64_t start, const memtable_record *record)
{
    profile_state *s = state();
    uint32_t id = bounded_id(record->trace_id);
    int temporary = thread->profile_last_alloc == start;
    thread->profile_last_alloc = 0;
    profile_counter *table = table_of(thread);
    if (UNLIKELY(!table)) {
        spinlock_acquire(&s->overflow_lock);
        profile_counter *c = &s->overflow[id];
        touch(c);
        c->frees++;
        c->freed_bytes += (int64_t)record->size;
        c->temporary += temporary;
        spinlock_release(&s->overflow_lock);
    } else {
        profile_counter *c = &table[id];
        touch(c);
        c->frees++;
        c->freed_bytes += (int64_t)record->size;
        c->temporary += temporary;
    }
    heap_shrank(thread, record->size);
}

/* Thread exit: what is not folded yet would be lost with the thread's TLS. */
void profile_thread_exit(thread_state *thread)
{
    if (!state()->enabled)
        return;
    if (thread->profile_delta || thread->profile_delta_high)
        fold(thread);
    thread->profile_table = NULL;
    thread->profile_last_alloc = 0;
}

/* ---- report time ---- */

typedef struct merged_site {
    int64_t allocations, bytes, temporary, frees, freed_bytes, peak;
} merged_site;

static void merge_table(const profile_counter *table, uint64_t ids, uint64_t generation, invisible_profile_site *out)
{
    for (uint64_t id = 0; id < ids; id++) {
        const volatile profile_counter *c = &table[id];
        int64_t allocations = c->allocations, frees = c->frees;
        if (!allocations && !frees)
            continue;
        invisible_profile_site *site = &out[id];
        int64_t bytes = c->bytes, freed = c->freed_bytes;
        int64_t at_peak = c->peak_generation == generation ? c->peak_net : bytes - freed;
        /* Signed sums in unsigned fields: the totals are clamped once every table is in. */
        site->allocations += (uint64_t)allocations;
        site->bytes += (uint64_t)bytes;
        site->temporary += (uint64_t)c->temporary;
        site->live_blocks += (uint64_t)(allocations - frees);
        site->live_bytes += (uint64_t)(bytes - freed);
        site->peak_bytes += (uint64_t)at_peak;
    }
}

static uint64_t clamp(uint64_t signed_sum) { return (int64_t)signed_sum < 0 ? 0 : signed_sum; }

/* Sums every table into `sites` (by id, then compacted). Threads keep running: each counter is
 * read as it is at that moment. */
const invisible_profile *profile_read(void)
{
    profile_state *s = state();
    if (!s->enabled)
        return NULL;
    thread_state *thread = &thread_tls;
    guard_enter(thread, 1);
    spinlock_acquire(&s->read_lock);
    uint64_t ids = atomic_load(&instrument_state.traces.id_top);
    if (ids > s->table_traces)
        ids = s->table_traces;
    if (ids > s->site_capacity) {
        uint64_t capacity = s->site_capacity ? s->site_capacity : 4096;
        while (capacity < ids)
            capacity *= 2;
        invisible_profile_site *sites = own_map(capacity * sizeof *sites, 0);
        if (!sites) {
            spinlock_release(&s->read_lock);
            guard_leave(thread, 1);
            return NULL;
        }
        own_unmap(s->sites, s->site_capacity * sizeof *s->sites);
        s->sites = sites;
        s->site_capacity = capacity;
    }
    memset(s->sites, 0, ids * sizeof *s->sites);
    uint64_t generation = atomic_load(&s->generation);
    uint32_t tables = threads_slot_limit() < s->table_count ? threads_slot_limit() : s->table_count;
    for (uint32_t t = 1; t < tables; t++)
        merge_table(s->tables + (uint64_t)t * s->table_traces, ids, generation, s->sites);
    spinlock_acquire(&s->overflow_lock);
    merge_table(s->overflow, ids, generation, s->sites);
    spinlock_release(&s->overflow_lock);

    invisible_profile *r = &s->result;
    memset(r, 0, sizeof *r);
    uint64_t count = 0;
    int64_t live = 0;
    for (uint64_t id = 0; id < ids; id++) {
        invisible_profile_site site = s->sites[id];
        if (!site.allocations && !site.live_blocks && !site.bytes)
            continue;
        site.trace_id = (uint32_t)id;
        live += (int64_t)site.live_bytes;
        site.live_blocks = clamp(site.live_blocks);
        site.live_bytes = clamp(site.live_bytes);
        site.peak_bytes = clamp(site.peak_bytes);
        r->allocations += site.allocations;
        r->bytes += site.bytes;
        r->temporary += site.temporary;
        s->sites[count++] = site;
    }
    r->sites = s->sites;
    r->site_count = count;
    r->heap_bytes = live > 0 ? (uint64_t)live : 0;
    uint64_t now = prim_now_ns();
    r->elapsed_ns = now - s->start_ns;
    /* The peak, with what no thread has folded yet: the calling thread's exactly (its own
     * highest delta), the others' within their fold granularity. */
    int64_t peak = atomic_load(&s->peak);
    int64_t unfolded = atomic_load(&s->heap) + thread->profile_delta_high;
    r->peak_bytes = peak > 0 ? (uint64_t)peak : 0;
    r->peak_ns = atomic_load(&s->peak_ns);
    if (unfolded > peak) {
        r->peak_bytes = (uint64_t)unfolded;
        r->peak_ns = r->elapsed_ns;
    }
    if (r->heap_bytes > r->peak_bytes) {
        r->peak_bytes = r->heap_bytes;
        r->peak_ns = r->elapsed_ns;
    }
    spinlock_acquire(&s->lock);
    uint32_t points = s->timeline_count;
    memcpy(s->timeline_copy, s->timeline, points * sizeof *s->timeline);
    spinlock_release(&s->lock);
    s->timeline_copy[points].t_ns = r->elapsed_ns;
    s->timeline_copy[points].heap_bytes = r->heap_bytes;
    r->timeline = (const invisible_profile_point *)s->timeline_copy;
    r->timeline_count = points + 1;
    spinlock_release(&s->read_lock);
    guard_leave(thread, 1);
    return r;
}
