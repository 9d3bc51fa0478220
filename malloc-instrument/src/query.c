/* query.c — the invisible_query_api table handed to the runtime (see query.h). */
#define _GNU_SOURCE
#include "invisible/query.h"

#include "invisible/block_types.h"
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
#include <stdlib.h>
#include <string.h>

static void fill_info(uint32_t index, invisible_block_info *out)
{
    const memtable_record *r = memtable_record_at(index);
    out->start = r->start;
    out->size = r->size;
    out->trace_id = r->trace_id;
    out->flags = (r->flags & RECORD_LARGE) ? INVISIBLE_BLOCK_LARGE : 0;
}

int query_find_live_block(uint64_t address, invisible_block_info *out)
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

/* ---- blocks allocated for the program ------------------------------------------------------ */

/* Code of ours that runs with in_hook raised (an attach session's interpreter thread) bypasses
 * the hooks, so what it allocates is invisible. Objects DwarfPython makes for the user belong to
 * the program: allocate and free them through the hooks with this thread's in_hook lowered for
 * the one call, and restore it after (the hook leaves in_hook at 0 and may park there, with the
 * tables consistent, like any program allocation). calloc: zeroed and 16-byte aligned on x86-64.
 * The compiler barriers matter: gcc knows calloc/free as builtins that read no program memory,
 * and without them it drops the store of 0 as dead (the hooks would then bypass the call). */
static void *query_program_alloc(uint64_t size)
{
    invisible_thread *thread = &invisible_tls;
    int saved = thread->in_hook;
    thread->in_hook = 0;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    void *p = calloc(1, size ? size : 1);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    thread->in_hook = saved;
    return p;
}

static void query_program_free(void *block)
{
    invisible_thread *thread = &invisible_tls;
    int saved = thread->in_hook;
    thread->in_hook = 0;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    free(block);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    thread->in_hook = saved;
}

const invisible_query_api *invisible_query_table(void)
{
    invisible_query_api *q = &invisible_state.query;
    q->version = INVISIBLE_QUERY_VERSION;
    q->struct_size = sizeof *q;
    q->find_block = query_find_live_block;
    q->for_each_block = query_for_each_block;
    q->live_totals = query_live_totals;
    q->trace_frames = query_trace_frames;
    q->leak_check = leakcheck_run;
    q->write_report = query_write_report;
    q->thread_backtraces = query_thread_backtraces;
    q->set_block_type = block_types_set;
    q->block_type = block_types_get;
    q->for_each_block_type = block_types_for_each;
    q->program_alloc = query_program_alloc;
    q->program_free = query_program_free;
    return q;
}
