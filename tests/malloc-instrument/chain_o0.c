#include "unwind_chain.h"

int chain_o0(int depth, const chain_stage *stage, chain_runner run_next)
{
    volatile int keep = depth; /* work after the call: no tail call */
    if (depth > 0)
        return chain_o0(depth - 1, stage, run_next) + keep;
    return run_next(stage + 1) + keep;
}
