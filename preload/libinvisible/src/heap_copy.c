/* heap_copy.c — frozen copies of the process for process.heap's walk of glibc's heap in an
 * attach session (issue 14 item 3; docs/attach-preexisting-heap.md, "process.heap").
 *
 * Two copies, both made the way the report helper freezes one (helper_freeze_copy: a raw clone
 * that only waits, every descriptor closed, dead with the thread that made it), but from the
 * live program, so at a quiet moment (every other thread stopped outside glibc's allocator, the
 * loader and fork: invisible_at_quiet_moment), when glibc's heap is consistent:
 *  - the baseline: made once, just before the runtime is first loaded here (runtime.c), when
 *    every chunk glibc holds that the memtable does not is the program's from before the attach.
 *    From then on the runtime (its loader's link maps, libdw, its threads' arenas) allocates in the
 *    same heap, partly where no hook sees it; the runtime walks the baseline once and keeps the
 *    chunk set, then releases it (a later session of the same process types against that set);
 *  - a snapshot per census: the heap now, which the runtime walks and whose blocks it types by
 *    reading them there (process_vm_readv) while the program runs on.
 * mallinfo2() is taken at the same quiet moment (it allocates nothing; no thread is in the
 * allocator), so the walk of the copy can be checked against glibc's own count. */
#define _GNU_SOURCE
#include "internal.h"

#include <malloc.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))
#define HEAP_COPY_QUIET_BUDGET_NS 1000000000ull /* 1 s, as a census in the middle of a run */

/* What the runtime reads (abi/Invisible.Abi/Census/SessionHeap.cs declares the same layout). */
typedef struct invisible_heap_copy {
    int32_t pid;   /* 0: none */
    uint32_t late; /* this library was loaded late (invisible attach): the program has blocks from before */
    uint64_t uordblks, hblkhd, hblks;
} invisible_heap_copy;

static invisible_heap_copy baseline;
static int baseline_tried;

static void freeze_now(void *argument)
{
    invisible_heap_copy *copy = argument;
    copy->pid = helper_freeze_copy();
    struct mallinfo2 info = mallinfo2();
    copy->uordblks = info.uordblks;
    copy->hblkhd = info.hblkhd;
    copy->hblks = info.hblks;
}

/* 0 and `copy` filled, or -1 (a tracer is attached, no quiet moment came, or clone failed). */
static int freeze(invisible_heap_copy *copy)
{
    memset(copy, 0, sizeof *copy);
    if (invisible_process_traced())
        return -1; /* a debugger would take the copy for a thread of the process it debugs */
    if (invisible_at_quiet_moment(freeze_now, copy, HEAP_COPY_QUIET_BUDGET_NS) != 0 || copy->pid <= 0) {
        if (copy->pid > 0)
            helper_thaw_copy(copy->pid);
        memset(copy, 0, sizeof *copy);
        return -1;
    }
    return 0;
}

void heap_copy_take_baseline(void)
{
    if (baseline_tried || !invisible_state.late)
        return;
    baseline_tried = 1;
    (void)freeze(&baseline);
}

/* The baseline (pid 0: none: not loaded late, or it could not be made, or it was released). */
EXPORT int invisible_heap_baseline(invisible_heap_copy *out)
{
    *out = baseline;
    out->late = (uint32_t)invisible_state.late;
    return baseline.pid > 0 ? 0 : -1;
}

EXPORT void invisible_heap_baseline_release(void)
{
    if (baseline.pid > 0)
        helper_thaw_copy(baseline.pid);
    baseline.pid = 0;
}

/* A copy of the heap now; the caller thaws it (invisible_heap_thaw) when done. */
EXPORT int invisible_heap_freeze(invisible_heap_copy *out)
{
    return freeze(out);
}

EXPORT void invisible_heap_thaw(int32_t pid)
{
    helper_thaw_copy(pid);
}
