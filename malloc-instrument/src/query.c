/* query.c — the invisible_query_api table handed to the runtime (see query.h). */
#define _GNU_SOURCE
#include "invisible/query.h"

#include "invisible/leakcheck.h"
#include "invisible/memtable.h"
#include "invisible/nursery.h"
#include "invisible/rawlibc.h"
#include "invisible/state.h"
#include "invisible/spinlock.h"
#include "invisible/stopworld.h"
#include "invisible/trace.h"
#include "invisible/unwind.h"

#include <stdatomic.h>
#include <string.h>

static void fill_info(uint32_t index, invisible_block_info *out)
{
    const memtable_record *r = memtable_record_at(index);
    out->start = r->start;
    out->size = r->size;
    out->trace_id = r->trace_id;
    out->flags = (r->flags & RECORD_LARGE) ? INVISIBLE_BLOCK_LARGE : 0;
}

static int query_find_block(uint64_t address, invisible_block_info *out)
{
    invisible_thread *thread = &invisible_tls;
    thread->in_hook++;
    uint32_t index = memtable_find(address, 1);
    if (index && out)
        fill_info(index, out);
    memtable_record young;
    int found = index != 0;
    if (!found && nursery_find_any(address, &young)) {
        found = 1;
        if (out) {
            out->start = young.start;
            out->size = young.size;
            out->trace_id = young.trace_id;
            out->flags = 0;
        }
    }
    thread->in_hook--;
    return found;
}

/* Walks the record pool: every live record is visited once, whatever bucket it is in. */
static uint64_t query_for_each_block(invisible_block_visitor visit, void *context)
{
    uint64_t visited = 0;
    if (!invisible_state.table.ready)
        return 0;
    uint32_t limit = memtable_record_limit();
    for (uint32_t i = 1; i < limit; i++) {
        const memtable_record *r = memtable_record_at(i);
        if (!(r->flags & RECORD_LIVE))
            continue;
        invisible_block_info info;
        fill_info(i, &info);
        if (!(r->flags & RECORD_LIVE)) /* freed meanwhile */
            continue;
        visited++;
        if (visit(&info, context))
            return visited;
    }
    /* Young blocks still in their threads' nurseries (read without stopping anyone; a block
     * moved to the table during the walk may be seen twice or not at all). */
    return visited + nursery_for_each(visit, context);
}

static int count_block(const invisible_block_info *block, void *context)
{
    uint64_t *totals = context;
    totals[0]++;
    totals[1] += block->size;
    return 0;
}

/* Counted by walking (the hot path keeps no counters: they would cost shared-line writes or a
 * slot lookup on every pair). */
static void query_live_totals(uint64_t *blocks, uint64_t *bytes)
{
    uint64_t totals[2] = { 0, 0 };
    query_for_each_block(count_block, totals);
    if (blocks)
        *blocks = totals[0];
    if (bytes)
        *bytes = totals[1];
}

static int query_trace_frames(uint32_t trace_id, uint64_t *pcs, int max)
{
    return trace_frames(trace_id, pcs, max);
}

static void query_write_report(const char *text, uint64_t length)
{
    raw_write_all(invisible_state.report_fd, text, (size_t)length);
}

/* ---- thread_backtraces -------------------------------------------------------------------- */

/* stopped_thread.registers index (stopworld.c's ucontext order) of each DWARF register 0..16. */
static const int dwarf_to_stopworld[INVISIBLE_THREAD_REGISTER_COUNT] = {
    0 /* rax */, 3 /* rdx */, 2 /* rcx */, 1 /* rbx */, 4 /* rsi */, 5 /* rdi */, 6 /* rbp */,
    15 /* rsp */, 7, 8, 9, 10, 11, 12, 13, 14 /* r8..r15 */, 16 /* rip */ };

/* Walk one stack into `out` (its pcs/cfas are the caller's arrays). Only bounds-checked reads
 * of the stack mapping that holds `start->sp`: safe on a thread parked in our handler. */
static void walk_into(invisible_thread_backtrace *out, const invisible_frame_state *start,
                      int max_frames, unsigned flags)
{
    uintptr_t low = 0, high = 0;
    if (!invisible_stack_bounds(start->sp, &low, &high))
        low = high = 0; /* invisible_unwind_from then reports frame 0 only */
    out->frame_count = invisible_unwind_from(start, low, high, (uintptr_t *)out->pcs,
                                             (uintptr_t *)out->cfas, max_frames, flags);
}

/* A stopped thread: from its signal context (exact pc, all registers), or parked on its way
 * out of a hook, where `sp` is stopworld_park_from_hook's frame address (frame pointers are
 * on in this library: [fp] = caller's fp, [fp+8] = return address). */
static void fill_stopped(invisible_thread_backtrace *out, const stopped_thread *t, int max_frames)
{
    out->tid = t->tid;
    invisible_frame_state start;
    unsigned walk_flags = 0;
    if (t->from_signal) {
        for (int r = 0; r < INVISIBLE_THREAD_REGISTER_COUNT; r++)
            out->registers[r] = t->registers[dwarf_to_stopworld[r]];
        start.pc = t->registers[16];
        start.sp = t->registers[15];
        start.fp = t->registers[6];
        out->flags = INVISIBLE_THREAD_REGISTERS | INVISIBLE_THREAD_EXACT_PC;
        walk_flags = INVISIBLE_UNWIND_EXACT_PC;
    } else {
        uintptr_t frame = (uintptr_t)t->sp, low, high;
        /* The two words are read only once they are known to lie inside that stack. */
        if (!invisible_stack_bounds(frame, &low, &high) || (frame & 7) || frame + 16 > high)
            return;
        start.fp = *(const uintptr_t *)frame;
        start.pc = *(const uintptr_t *)(frame + 8);
        start.sp = frame + 16;
    }
    walk_into(out, &start, max_frames, walk_flags);
}

static _Atomic int backtraces_busy;

/* noinline: its own frame is the start of the caller's walk (INVISIBLE_FRAME_STATE_HERE). */
static __attribute__((noinline)) int query_thread_backtraces(invisible_thread_backtrace *out,
                                                             int max_threads, int max_frames)
{
    if (out == NULL || max_threads < 1 || max_frames < 1)
        return 0;
    /* One stop at a time: two threads stopping each other would deadlock. */
    if (atomic_exchange(&backtraces_busy, 1))
        return -1;
    for (int i = 0; i < max_threads; i++) {
        out[i].tid = 0;
        out[i].flags = 0;
        out[i].frame_count = 0;
        memset(out[i].registers, 0, sizeof out[i].registers);
    }
    invisible_thread *thread = &invisible_tls;
    thread->in_hook++; /* as in leakcheck_run: this thread is the stopper, never parked */

    /* The caller first, before anyone is stopped (nothing here needs the others stopped). */
    invisible_frame_state here;
    INVISIBLE_FRAME_STATE_HERE(here);
    out[0].tid = raw_gettid();
    out[0].flags = INVISIBLE_THREAD_CURRENT;
    walk_into(&out[0], &here, max_frames, 0);
    int count = 1;

    /* Between stop and resume: no malloc, no lock, no stdio (a parked thread may hold them);
     * the walk and /proc/self/maps reads are raw system calls and lock-free lookups. */
    const stopped_thread *stopped = NULL;
    int signalled = 0;
    int parked = stopworld_stop(&stopped, &signalled);
    for (int i = 0; i < parked && count < max_threads; i++)
        fill_stopped(&out[count++], &stopped[i], max_frames);
    if (parked >= 0)
        stopworld_resume();

    thread->in_hook--;
    atomic_store(&backtraces_busy, 0);
    return count;
}

/* ---- block type annotations ----------------------------------------------------------------- */

/* A side table keyed by block start, open addressing with linear probing, in raw mappings (never
 * roots for the leak scan, never recorded as blocks). Only set_block_type, block_type and
 * for_each_block_type touch it, under one spinlock; the malloc/free hot paths never do, which is
 * why a freed block's annotation is not removed at free time but ignored once the block at that
 * address no longer matches (size, trace). Names are interned in an append-only arena.
 * Kept here rather than in invisible_state: it is private to the query API. Fork: the lock is held
 * only for table updates that never call libc, like the memtable's locks. */
#define TYPE_SLOT_TOMBSTONE 1ull
#define TYPE_NAME_MAX 255
#define TYPE_NAME_SLOTS 4096u            /* distinct type names */
#define TYPE_NAME_ARENA (1u << 20)       /* bytes of interned names */
#define TYPE_TABLE_MIN 1024u

typedef struct type_slot {
    uint64_t start;                      /* 0 empty, TYPE_SLOT_TOMBSTONE removed */
    uint64_t size;
    uint32_t trace_id;
    uint32_t unused;
    const char *name;
} type_slot;

typedef struct type_names {
    const char *slots[TYPE_NAME_SLOTS];
    char arena[TYPE_NAME_ARENA];
} type_names;

static struct {
    invisible_spinlock lock;
    type_slot *slots;
    uint32_t capacity;                   /* power of two, 0 before first use */
    uint32_t used;                       /* live + tombstones */
    type_names *names;
    uint32_t arena_used;
} block_types;

static uint64_t hash_u64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}

/* The interned copy of `name` (lock held), or NULL when the name table is full. */
static const char *intern_name(const char *name, size_t len)
{
    if (!block_types.names) {
        block_types.names = raw_map(sizeof(type_names), 1);
        if (!block_types.names)
            return NULL;
    }
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)name[i]) * 1099511628211ull;
    type_names *n = block_types.names;
    for (uint32_t probe = 0; probe < TYPE_NAME_SLOTS; probe++) {
        uint32_t at = (uint32_t)(h + probe) & (TYPE_NAME_SLOTS - 1);
        const char *have = n->slots[at];
        if (!have) {
            if (block_types.arena_used + len + 1 > TYPE_NAME_ARENA)
                return NULL;
            char *copy = n->arena + block_types.arena_used;
            memcpy(copy, name, len);
            copy[len] = 0;
            block_types.arena_used += (uint32_t)len + 1;
            n->slots[at] = copy;
            return copy;
        }
        if (strncmp(have, name, len) == 0 && have[len] == 0)
            return have;
    }
    return NULL;
}

/* Is the annotation in `s` still about the live block at its address? */
static int annotation_current(const type_slot *s, invisible_block_info *now)
{
    invisible_block_info info;
    if (!query_find_block(s->start, &info) || info.start != s->start || info.size != s->size ||
        info.trace_id != s->trace_id)
        return 0;
    if (now)
        *now = info;
    return 1;
}

/* Rehash into a table of `capacity` slots, dropping tombstones and stale annotations (lock held). */
static int type_table_resize(uint32_t capacity)
{
    type_slot *fresh = raw_map((size_t)capacity * sizeof(type_slot), 0);
    if (!fresh)
        return -1;
    uint32_t used = 0;
    for (uint32_t i = 0; i < block_types.capacity; i++) {
        const type_slot *s = &block_types.slots[i];
        if (s->start <= TYPE_SLOT_TOMBSTONE || !annotation_current(s, NULL))
            continue;
        for (uint64_t h = hash_u64(s->start);; h++) {
            type_slot *d = &fresh[h & (capacity - 1)];
            if (d->start == 0) {
                *d = *s;
                used++;
                break;
            }
        }
    }
    if (block_types.slots)
        raw_unmap(block_types.slots, (size_t)block_types.capacity * sizeof(type_slot));
    block_types.slots = fresh;
    block_types.capacity = capacity;
    block_types.used = used;
    return 0;
}

/* The slot holding `start`, or NULL (lock held). */
static type_slot *type_slot_find(uint64_t start)
{
    if (!block_types.capacity)
        return NULL;
    uint32_t mask = block_types.capacity - 1;
    for (uint64_t h = hash_u64(start), n = 0; n < block_types.capacity; h++, n++) {
        type_slot *s = &block_types.slots[h & mask];
        if (s->start == start)
            return s;
        if (s->start == 0)
            return NULL;
    }
    return NULL;
}

static int query_set_block_type(uint64_t address, const char *type_name)
{
    invisible_thread *thread = &invisible_tls;
    size_t len = type_name ? strnlen(type_name, TYPE_NAME_MAX + 1) : 0;
    if (len > TYPE_NAME_MAX || address <= TYPE_SLOT_TOMBSTONE)
        return 0;
    invisible_block_info info;
    if (len > 0 && (!query_find_block(address, &info) || info.start != address))
        return 0;
    int done = 0;
    thread->in_hook++;
    spinlock_acquire(&block_types.lock);
    type_slot *s = type_slot_find(address);
    if (len == 0) {
        if (s)
            s->start = TYPE_SLOT_TOMBSTONE;
        done = 1;
    } else {
        const char *name = intern_name(type_name, len);
        if (name && !s) {
            /* keep the load (live + tombstones) under 1/2: grow (or just clean) before inserting */
            if ((block_types.used + 1) * 2 > block_types.capacity) {
                uint32_t capacity = block_types.capacity ? block_types.capacity : TYPE_TABLE_MIN;
                while ((block_types.used + 1) * 2 > capacity)
                    capacity *= 2;
                if (type_table_resize(capacity) == 0 && (block_types.used + 1) * 4 > capacity)
                    type_table_resize(capacity * 2); /* still half full after dropping stale ones */
            }
            if ((block_types.used + 1) * 2 <= block_types.capacity) {
                uint32_t mask = block_types.capacity - 1;
                for (uint64_t h = hash_u64(address);; h++) {
                    type_slot *d = &block_types.slots[h & mask];
                    if (d->start <= TYPE_SLOT_TOMBSTONE) {
                        if (d->start == 0)
                            block_types.used++;
                        s = d;
                        break;
                    }
                }
            }
        }
        if (name && s) {
            s->start = address;
            s->size = info.size;
            s->trace_id = info.trace_id;
            s->name = name;
            done = 1;
        }
    }
    spinlock_release(&block_types.lock);
    thread->in_hook--;
    return done;
}

static void fill_type(const type_slot *s, invisible_block_type *out)
{
    out->start = s->start;
    out->size = s->size;
    out->trace_id = s->trace_id;
    out->reserved = 0;
    out->type_name = s->name;
}

static int query_block_type(uint64_t address, invisible_block_type *out)
{
    int found = 0;
    spinlock_acquire(&block_types.lock);
    type_slot *s = type_slot_find(address);
    if (s && annotation_current(s, NULL)) {
        found = 1;
        if (out)
            fill_type(s, out);
    }
    spinlock_release(&block_types.lock);
    return found;
}

/* The visitor runs outside the lock (it may be managed code that allocates or takes locks): the
 * live annotations are copied out in chunks first. */
static uint64_t query_for_each_block_type(invisible_block_type_visitor visit, void *context)
{
    enum { CHUNK = 256 };
    invisible_block_type batch[CHUNK];
    uint64_t visited = 0;
    uint32_t next = 0;
    for (;;) {
        int n = 0;
        spinlock_acquire(&block_types.lock);
        while (next < block_types.capacity && n < CHUNK) {
            const type_slot *s = &block_types.slots[next++];
            if (s->start > TYPE_SLOT_TOMBSTONE && annotation_current(s, NULL))
                fill_type(s, &batch[n++]);
        }
        int more = next < block_types.capacity;
        spinlock_release(&block_types.lock);
        for (int i = 0; i < n; i++) {
            visited++;
            if (visit(&batch[i], context))
                return visited;
        }
        if (!more)
            return visited;
    }
}

const invisible_query_api *invisible_query_table(void)
{
    invisible_query_api *q = &invisible_state.query;
    q->version = INVISIBLE_QUERY_VERSION;
    q->struct_size = sizeof *q;
    q->find_block = query_find_block;
    q->for_each_block = query_for_each_block;
    q->live_totals = query_live_totals;
    q->trace_frames = query_trace_frames;
    q->leak_check = leakcheck_run;
    q->write_report = query_write_report;
    q->thread_backtraces = query_thread_backtraces;
    q->set_block_type = query_set_block_type;
    q->block_type = query_block_type;
    q->for_each_block_type = query_for_each_block_type;
    return q;
}
