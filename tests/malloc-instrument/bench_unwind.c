/* bench_unwind — ns per depth-16 capture with a warm cache, against glibc backtrace()
 * (libgcc's DWARF unwinder) and libunwind's unw_backtrace (what heaptrack calls), each from
 * the same 20-deep -O2 chain (frame-pointer-less frames plus a few frame-pointer ones).
 *   bench_unwind [iterations]        (default 2,000,000) */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "invisible/unwind.h"
#include "unwind_chain.h"

#define DEPTH 16
static long iterations = 2000000;
static int mode; /* 0 ours, 1 backtrace(), 2 unw_backtrace */
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
        if (mode == 0) {
            invisible_frame_state state;
            INVISIBLE_FRAME_STATE_HERE(state);
            n = invisible_unwind(&state, pcs, DEPTH, 0);
        } else if (mode == 1) {
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

static void measure(const char *name, int which)
{
    mode = which;
    long saved = iterations;
    iterations = 1000; /* warm up the caches */
    run_next(chain);
    iterations = saved;
    run_next(chain);
    double per_capture = elapsed_ns / (double)iterations;
    printf("%-34s %3d frames  %8.1f ns/capture  %6.2f ns/frame\n", name, frames_seen, per_capture,
           per_capture / frames_seen);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        iterations = atol(argv[1]);
    measure("invisible_unwind (warm cache)", 0);
    measure("glibc backtrace (libgcc)", 1);
    void *libunwind = dlopen("libunwind.so.8", RTLD_NOW);
    if (libunwind && (unw_backtrace_fn = (int (*)(void **, int))dlsym(libunwind, "unw_backtrace"))) {
        /* heaptrack enables libunwind's per-thread cache; do the same for a fair figure */
        int (*set_policy)(void *, int) = (int (*)(void *, int))dlsym(libunwind, "_ULx86_64_set_caching_policy");
        void **address_space = (void **)dlsym(libunwind, "_ULx86_64_local_addr_space");
        if (set_policy && address_space)
            set_policy(*address_space, 2 /* UNW_CACHE_PER_THREAD */);
        long saved = iterations;
        iterations = saved / 4 > 0 ? saved / 4 : 1;
        measure("libunwind unw_backtrace (heaptrack)", 2);
        iterations = saved;
    } else {
        printf("libunwind.so.8 not found: skipped\n");
    }
    return 0;
}
