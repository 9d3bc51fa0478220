/* bench_malloc_depth — malloc/free pairs issued from a call chain of a chosen depth, to
 * measure the per-pair cost of an allocation tracker (LD_PRELOAD libinvisible.so with
 * INVISIBLE_DEPTH=16, or heaptrack) against plain glibc. Build with -fno-builtin, or gcc
 * deletes the pairs.
 *   bench_malloc_depth [pairs] [call depth] [sites]   (default 2,000,000 pairs, depth 16, 1 site)
 * With 2 sites, consecutive mallocs alternate between two call sites (a tracker cannot reuse
 * the previous trace as is). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long pairs = 2000000;
static int sites = 1;

__attribute__((noinline)) static char *allocate_elsewhere(size_t size)
{
    char *block = malloc(size);
    __asm__ volatile("" ::: "memory");
    return block;
}

__attribute__((noinline)) static uint64_t allocate_loop(void)
{
    uint64_t state = 88172645463325252ull, touched = 0;
    for (long i = 0; i < pairs; i++) {
        state ^= state << 13, state ^= state >> 7, state ^= state << 17;
        char *block = sites == 2 && (i & 1) ? allocate_elsewhere(16 + (state & 4095)) : malloc(16 + (state & 4095));
        block[0] = (char)i;
        touched += (uint64_t)block[0];
        free(block);
    }
    return touched;
}

__attribute__((noinline)) static uint64_t descend(int depth)
{
    volatile int keep = depth;
    uint64_t result = depth > 1 ? descend(depth - 1) : allocate_loop();
    return result + (uint64_t)keep;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        pairs = atol(argv[1]);
    int depth = argc > 2 ? atoi(argv[2]) : 16;
    sites = argc > 3 && atoi(argv[3]) == 2 ? 2 : 1;
    /* main + __libc_start_call_main + __libc_start_main + _start are 4 more frames above */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t touched = descend(depth > 4 ? depth - 4 : 1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
    printf("%ld pairs at depth %d, %d site(s): %.1f ns/pair (%lu)\n", pairs, depth, sites, ns / (double)pairs,
           (unsigned long)touched);
    return 0;
}
