#include <alloca.h>
#include <string.h>

#include "unwind_chain.h"

__attribute__((noinline)) int chain_o2_nofp(int depth, const chain_stage *stage, chain_runner run_next)
{
    volatile int keep[5] = {depth, 1, 2, 3, 4}; /* a real frame: CFA = rsp + k */
    if (depth > 0)
        return chain_o2_nofp(depth - 1, stage, run_next) + keep[depth % 5];
    return run_next(stage + 1) + keep[0];
}

/* alloca plus a 64-byte aligned local plus stack-passed arguments make gcc realign through a
 * "DRAP" register: CFA = *(rbp - 8) (DW_CFA_def_cfa_expression), rbp saved at rbp + 0. */
__attribute__((noinline)) static int realigned_level(int depth, const chain_stage *stage, chain_runner run_next,
                                                     int a, int b, int c, int d, int on_stack)
{
    volatile char *scratch = alloca((size_t)(depth % 3) * 16 + 8);
    volatile char aligned[64] __attribute__((aligned(64)));
    aligned[0] = (char)on_stack;
    scratch[0] = (char)a;
    if (depth > 0)
        return chain_o2_realigned(depth - 1, stage, run_next) + aligned[0] + scratch[0];
    return run_next(stage + 1) + aligned[0] + scratch[0] + b + c + d;
}

__attribute__((noinline)) int chain_o2_realigned(int depth, const chain_stage *stage, chain_runner run_next)
{
    return realigned_level(depth, stage, run_next, 1, 2, 3, 4, depth) + 1;
}

__attribute__((noinline)) int chain_o2_alloca(int depth, const chain_stage *stage, chain_runner run_next)
{
    volatile char *scratch = alloca((size_t)(depth % 7) * 16 + 8);
    scratch[0] = (char)depth;
    if (depth > 0)
        return chain_o2_alloca(depth - 1, stage, run_next) + scratch[0];
    return run_next(stage + 1) + scratch[0];
}
