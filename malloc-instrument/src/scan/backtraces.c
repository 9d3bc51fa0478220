/* backtraces.c — every thread's stack at one moment (the query table's thread_backtraces, for
 * DwarfPython's process.threads): the caller's own, walked first, then each other thread's,
 * stopped (stopworld.c) and walked from its signal context or from where it parked
 * (trace/unwind.c, invisible_unwind_from), then resumed. In a report helper (a copy of the
 * process), the program's threads as the copy was made, and nothing else (the census's typing
 * of blocks from before an attach reads their frames' locals).
 */
#define _GNU_SOURCE
#include "internal.h"
#include "trace/unwind.h"

#include <string.h>

/* stopped_thread.registers index (stopworld.c's ucontext order) of each DWARF register 0..16. */
static const int dwarf_to_stopworld[INVISIBLE_THREAD_REGISTER_COUNT] = {
    0 /* rax */, 3 /* rdx */, 2 /* rcx */, 1 /* rbx */, 4 /* rsi */, 5 /* rdi */, 6 /* rbp */,
    15 /* rsp */, 7, 8, 9, 10, 11, 12, 13, 14 /* r8..r15 */, 16 /* rip */ };

/* Walk one stack into `out` (its pcs/cfas are the caller's arrays). Only bounds-checked reads
 * of the stack mapping that holds `start->sp`: safe on a thread parked in our handler. */
static void walk_into(invisible_thread_backtrace *out, const invisible_frame_state *start,
                      int max_frames, unsigned flags)
{
    uint64_t low = 0, high = 0;
    if (!maps_find(start->sp, &low, &high))
        low = high = 0; /* invisible_unwind_from then reports frame 0 only */
    out->frame_count = invisible_unwind_from(start, low, high, (uintptr_t *)out->pcs,
                                             (uintptr_t *)out->cfas, max_frames, flags);
}

/* A stopped thread: from its signal context (exact pc, all registers), or parked on its way
 * out of a hook, where `sp` is park_from_hook's frame address (frame pointers are
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
        uint64_t frame = t->sp, low, high;
        /* The two words are read only once they are known to lie inside that stack. */
        if (!maps_find(frame, &low, &high) || (frame & 7) || frame + 16 > high)
            return;
        start.fp = *(const uintptr_t *)frame;
        start.pc = *(const uintptr_t *)(frame + 8);
        start.sp = frame + 16;
    }
    walk_into(out, &start, max_frames, walk_flags);
}

/* noinline: its own frame is the start of the caller's walk (INVISIBLE_FRAME_STATE_HERE). */
__attribute__((noinline)) int thread_backtraces(invisible_thread_backtrace *out, int max_threads,
                                                int max_frames)
{
    if (out == NULL || max_threads < 1 || max_frames < 1)
        return 0;
    /* One stop at a time: two threads stopping each other would deadlock. */
    if (atomic_exchange(&instrument_state.backtraces_busy, 1))
        return -1;
    for (int i = 0; i < max_threads; i++) {
        out[i].tid = 0;
        out[i].flags = 0;
        out[i].frame_count = 0;
        memset(out[i].registers, 0, sizeof out[i].registers);
    }
    stopworld *world = &instrument_state.stop;
    if (world->in_copy) {
        /* A report helper: the program's threads are those stopped when the copy was made (their
         * stacks are here, copied); this thread and the runtime's are not the program's. */
        int count = 0;
        for (uint32_t i = 0; i < world->copied_count && count < max_threads; i++)
            if (world->threads[i].tid)
                fill_stopped(&out[count++], &world->threads[i], max_frames);
        atomic_store(&instrument_state.backtraces_busy, 0);
        return count;
    }
    thread_state *thread = &thread_tls;
    guard_enter(thread, INVISIBLE_GUARD_LONG); /* as in leakcheck_run: the stopper, never parked */

    /* The caller first, before anyone is stopped (nothing here needs the others stopped). */
    invisible_frame_state here;
    INVISIBLE_FRAME_STATE_HERE(here);
    out[0].tid = prim_gettid();
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

    guard_leave(thread, INVISIBLE_GUARD_LONG);
    atomic_store(&instrument_state.backtraces_busy, 0);
    return count;
}
