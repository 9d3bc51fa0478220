/* Call chains compiled with different flags (-O0, -O2 with and without frame pointers, a
 * dlopen'ed library) that the unwinder tests stack on top of each other. A chain is a list of
 * stages; each stage recurses `depth` times, then hands over to the next stage through
 * `run_next`, and the last stage calls the test's capture function. */
#ifndef UNWIND_CHAIN_H
#define UNWIND_CHAIN_H

struct chain_stage;
typedef int (*chain_runner)(const struct chain_stage *stage);
typedef int (*chain_function)(int depth, const struct chain_stage *stage, chain_runner run_next);

typedef struct chain_stage {
    chain_function function; /* NULL: end of the chain, the runner captures */
    int depth;
} chain_stage;

int chain_o0(int depth, const chain_stage *stage, chain_runner run_next);
int chain_o2_fp(int depth, const chain_stage *stage, chain_runner run_next);
int chain_o2_nofp(int depth, const chain_stage *stage, chain_runner run_next);
/* -O2 without frame pointers, but each level realigns its stack to 64 bytes (gcc's DRAP CFI:
 * DW_CFA_def_cfa_expression) or uses alloca (CFA = rbp + 16). */
int chain_o2_realigned(int depth, const chain_stage *stage, chain_runner run_next);
int chain_o2_alloca(int depth, const chain_stage *stage, chain_runner run_next);

#endif
