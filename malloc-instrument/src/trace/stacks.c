/* stacks.c — the bounds of each thread's stack, which the walk never reads outside of.
 *
 * pthread_getattr_np is not usable: it mallocs (the main thread's bounds come from
 * /proc/self/maps through stdio; other threads' from a realloc'ed cpuset). So the mapping that
 * contains the stack pointer is looked up once per thread in /proc/self/maps (primitives/maps.c:
 * raw system calls, no malloc) and kept in TLS; the fast path is stack_bounds_for in internal.h.
 * A thread stack's mapping is delimited by its guard page (PROT_NONE, a separate mapping), so
 * the bound cannot run into a neighbour's stack. Stacks the thread switches to later
 * (sigaltstack, coroutines) are looked up on demand into a second slot.
 */
#define _GNU_SOURCE
#include "internal.h"

__thread thread_stacks unwind_thread_stacks __attribute__((tls_model(INVISIBLE_TLS_MODEL)));

bool stack_bounds_lookup(uintptr_t sp, stack_range *out)
{
    thread_stacks *stacks = &unwind_thread_stacks;
    /* Each lookup costs a read of /proc/self/maps: give up after a few failures (no /proc). */
    if (stacks->failed_lookups >= 8)
        return false;
    uint64_t low, high;
    if (!maps_find(sp, &low, &high)) {
        stacks->failed_lookups++;
        return false;
    }
    stack_range found = { low, high };
    /* The main thread's [stack] mapping grows down: same top, lower bottom, same stack. */
    if (stacks->main.high == 0 || stacks->main.high == found.high)
        stacks->main = found;
    else
        stacks->other = found;
    *out = found;
    return true;
}
