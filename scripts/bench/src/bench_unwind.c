/* bench_unwind — ns per depth-16 capture with a warm cache, against glibc backtrace()
 * (libgcc's DWARF unwinder) and libunwind's unw_backtrace (what heaptrack calls), each from
 * the same 20-deep -O2 chain (frame-pointer-less frames plus a few frame-pointer ones).
 * The machine is shared, so the figure is the best of many short batches (min), with the
 * median beside it.
 *   bench_unwind [iterations per batch] [batches]    (default 20,000 x 50) */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "trace/unwind.h"
#include "unwind_chain.h"

#define DEPTH 16
static long iterations = 20000;
static int batches = 50;
static int mode; /* 0 ours (memo hit), 1 ours without memo, 2 backtrace(), 3 unw_backtrace,
                    4 ours alternating between two call sites (memo miss, recording) */

/* Capture for the caller: two call sites in capture_loop give two different start pcs. */
__attribute__((noinline)) static int capture_here(uintptr_t *pcs)
{
    invisible_frame_state state;
    INVISIBLE_FRAME_STATE_HERE(state);
    return invisible_unwind(&state, pcs, DEPTH, 0);
}
__attribute__((noinline)) static int capture_here_too(uintptr_t *pcs)
{
    invisible_frame_state state;
    INVISIBLE_FRAME_STATE_HERE(state);
    int n = invisible_unwind(&state, pcs, DEPTH, 0);
    __asm__ volatile("" ::: "memory");
    return n;
}
static int (*unw_backtrace_fn)(void **, int);
static double elapsed_ns;
static int frames_seen;

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

__attribute__((noinline)) static int capture_loop(void)
{
    uintptr_t pcs[DEPTH];
    void *buffer[DEPTH + 1];
    int n = 0;
    double t0 = now_ns();
    for (long i = 0; i < iterations; i++) {
        if (mode <= 1) {
            invisible_frame_state state;
            INVISIBLE_FRAME_STATE_HERE(state);
            n = invisible_unwind(&state, pcs, DEPTH, mode == 1 ? INVISIBLE_UNWIND_NO_MEMO : 0);
        } else if (mode == 4) {
            if (i & 1)
                n = capture_here(pcs);
            else
                n = capture_here_too(pcs);
        } else if (mode == 2) {
            n = backtrace(buffer, DEPTH + 1) - 1;
        } else {
            n = unw_backtrace_fn(buffer, DEPTH + 1) - 1;
        }
        __asm__ volatile("" ::"r"(pcs), "r"(buffer) : "memory");
    }
    elapsed_ns = now_ns() - t0;
    frames_seen = n;
    return n;
}

static int run_next(const chain_stage *stage)
{
    int result = stage->function ? stage->function(stage->depth, stage, run_next) : capture_loop();
    __asm__ volatile("" ::: "memory");
    return result + 1;
}

static const chain_stage chain[] = {{chain_o2_nofp, 8}, {chain_o2_fp, 4}, {chain_o2_nofp, 8}, {NULL, 0}};

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Batches of the methods are interleaved so that load from other processes hits all
 * of them alike. */
static const char *const method_names[] = {"invisible_unwind, memo hit", "invisible_unwind, walk (warm cache)",
                                           "glibc backtrace (libgcc)", "libunwind unw_backtrace (heaptrack)",
                                           "invisible_unwind, memo miss+record"};

int main(int argc, char **argv)
{
    if (argc > 1)
        iterations = atol(argv[1]) > 0 ? atol(argv[1]) : 1;
    if (argc > 2)
        batches = atoi(argv[2]) < 1 ? 1 : atoi(argv[2]) > 1000 ? 1000 : atoi(argv[2]);
    int order[5] = {0, 4, 1, 2, 3}, methods = 4; /* mode 3 (libunwind) last, if present */
    void *libunwind = dlopen("libunwind.so.8", RTLD_NOW);
    if (libunwind && (unw_backtrace_fn = (int (*)(void **, int))dlsym(libunwind, "unw_backtrace"))) {
        /* heaptrack enables libunwind's per-thread cache; do the same for a fair figure */
        int (*set_policy)(void *, int) = (int (*)(void *, int))dlsym(libunwind, "_ULx86_64_set_caching_policy");
        void **address_space = (void **)dlsym(libunwind, "_ULx86_64_local_addr_space");
        if (set_policy && address_space)
            set_policy(*address_space, 2 /* UNW_CACHE_PER_THREAD */);
        methods = 5;
    } else {
        printf("libunwind.so.8 not found: skipped\n");
    }
    static double per_capture[5][1000];
    int frames[5] = {0};
    long full = iterations;
    for (int b = -1; b < batches; b++) { /* batch -1 warms the caches */
        for (int m = 0; m < methods; m++) {
            mode = order[m];
            iterations = b < 0 ? 1000 : mode == 2 ? (full / 20 > 0 ? full / 20 : 1) : full;
            run_next(chain);
            if (b >= 0)
                per_capture[mode][b] = elapsed_ns / (double)iterations;
            frames[mode] = frames_seen;
        }
    }
    for (int o = 0; o < methods; o++) {
        int m = order[o];
        qsort(per_capture[m], (size_t)batches, sizeof(double), compare_doubles);
        double best = per_capture[m][0], median = per_capture[m][batches / 2];
        printf("%-36s %2d frames  min %7.1f ns/capture (%6.2f ns/frame)  median %7.1f ns/capture\n",
               method_names[m], frames[m], best, best / frames[m], median);
    }
    return 0;
}
