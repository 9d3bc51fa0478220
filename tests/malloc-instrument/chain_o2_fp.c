#include "unwind_chain.h"

__attribute__((noinline)) int chain_o2_fp(int depth, const chain_stage *stage, chain_runner run_next)
{
    volatile int keep = depth;
    if (depth > 0)
        return chain_o2_fp(depth - 1, stage, run_next) + keep;
    return run_next(stage + 1) + keep;
}
