/* fault_guard.c — what libinvisible.so's fault guard adds to one call (scripts/bench/ffi runs it):
 * ns per call of a trivial function called directly, through a function pointer taking four
 * arguments (the shape of ffi_call), and through invisible_guarded_call. Run with
 * libinvisible.so preloaded. Best of 5 rounds of 20 M calls each. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "invisible.h"

typedef int (*guarded_fn)(invisible_guarded_fn, void *, void *, void *, void *, invisible_fault *);

static volatile uint64_t sink;

__attribute__((noinline)) static void callee(void *a, void *b, void *c, void *d)
{
    sink += (uintptr_t)a + (uintptr_t)b + (uintptr_t)c + (uintptr_t)d;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int main(void)
{
    guarded_fn guarded = (guarded_fn)dlsym(RTLD_DEFAULT, "invisible_guarded_call");
    if (!guarded) {
        fprintf(stderr, "fault_guard: libinvisible.so is not preloaded\n");
        return 2;
    }
    invisible_guarded_fn volatile plain = callee;
    const long n = 20000000;
    double best_plain = 1e30, best_guarded = 1e30;
    invisible_fault fault;
    for (int round = 0; round < 5; round++) {
        double t0 = now();
        for (long i = 0; i < n; i++)
            plain((void *)i, 0, 0, 0);
        double t1 = now();
        for (long i = 0; i < n; i++)
            guarded(plain, (void *)i, 0, 0, 0, &fault);
        double t2 = now();
        if ((t1 - t0) / n < best_plain)
            best_plain = (t1 - t0) / n;
        if ((t2 - t1) / n < best_guarded)
            best_guarded = (t2 - t1) / n;
    }
    printf("fault guard: plain call %.1f ns, guarded call %.1f ns: +%.1f ns per call (best of 5 x 20M)\n",
           best_plain, best_guarded, best_guarded - best_plain);
    return 0;
}
