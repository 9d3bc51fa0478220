/* dlopen'ed by test_unwind after start: its CFI is only found through the loader's list. */
#include "unwind_chain.h"

__attribute__((noinline)) int unwind_testlib_chain(int depth, const chain_stage *stage, chain_runner run_next)
{
    volatile int keep[3] = {depth, 7, 9};
    if (depth > 0)
        return unwind_testlib_chain(depth - 1, stage, run_next) + keep[depth % 3];
    return run_next(stage + 1) + keep[0];
}
