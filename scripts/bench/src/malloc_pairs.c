/* malloc_pairs — malloc/free pair cost for comparing allocation trackers (scripts/bench/malloc).
 *
 *   malloc_pairs MODE THREADS PAIRS
 *     MODE   flat: one call site in a loop (2 frames above main)
 *            deep: recursion 10 deep, one pair at every level on the way down, so the call
 *                  stack (and the caller's sp) changes from one allocation to the next and a
 *                  depth-16 unwinder has 10-15 frames to walk every time
 *     THREADS worker threads, each doing PAIRS pairs; they start together (barrier)
 *   Each thread first runs PAIRS/5 untimed pairs (trackers set up their per-thread and per-site
 *   state; heaptrack's interpreter process starts), then all wait at a barrier and run PAIRS.
 *   Each thread reads the clock itself (under valgrind threads run one at a time, so a clock
 *   read by main could start late); the timed region is earliest start .. latest end.
 *   Prints "ns_per_pair <that region in ns / PAIRS>" — per-thread latency: with perfect
 *   scaling the figure is the same for 1 and 2 threads.
 *   The timed run is cut into bursts of BURST pairs, each timed on its own (one clock read
 *   per burst, ~0.02 ns per pair); also prints "burst_ns_per_pair <median burst / BURST>",
 *   the median over every thread's bursts. On a shared machine a burst that was preempted
 *   or slowed by a neighbour is an outlier, so the median is what a pair costs when the
 *   thread runs; the wall-clock figure above also counts the time spent waiting for a CPU.
 * Sizes: xorshift64, 16..4111 bytes; the first byte is written and read back.
 * Build: gcc -O2 -fno-builtin -pthread (without -fno-builtin gcc deletes the pairs). */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEEP_LEVELS 10
#define BURST 1000 /* pairs per timed burst: a multiple of DEEP_LEVELS */

static long pairs;
static int deep;
static pthread_barrier_t start_line;

static inline uint64_t next_size(uint64_t *state)
{
    uint64_t s = *state;
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    *state = s;
    return 16 + (s & 4095);
}

static inline uint64_t one_pair(uint64_t *state, long i)
{
    char *block = malloc(next_size(state));
    block[0] = (char)i;
    uint64_t touched = (uint8_t)*(volatile char *)block;
    free(block);
    return touched;
}

__attribute__((noinline)) static uint64_t flat_loop(uint64_t *state, long count)
{
    uint64_t touched = 0;
    for (long i = 0; i < count; i++)
        touched += one_pair(state, i);
    return touched;
}

/* One pair at this level, then the next level down: the pairs of one descent come from 10
 * different stack depths. noinline + a use after the call keep every level a real frame. */
__attribute__((noinline)) static uint64_t descend(uint64_t *state, int level, long i)
{
    uint64_t touched = one_pair(state, i);
    if (level > 1)
        touched += descend(state, level - 1, i);
    __asm__ volatile("" : "+r"(touched));
    return touched;
}

__attribute__((noinline)) static uint64_t deep_loop(uint64_t *state, long count)
{
    uint64_t touched = 0;
    for (long i = 0; i < count; i += DEEP_LEVELS)
        touched += descend(state, DEEP_LEVELS, i);
    return touched;
}

typedef struct worker_result {
    struct timespec start, end;
    uint64_t touched;
    uint32_t *bursts;   /* ns per burst */
    long burst_count;
} worker_result;

static worker_result results[64];

static void *worker(void *arg)
{
    worker_result *result = arg;
    uint64_t state = 88172645463325252ull + (uint64_t)(result - results) * 0x9e3779b97f4a7c15ull;
    uint64_t touched = deep ? deep_loop(&state, pairs / 5) : flat_loop(&state, pairs / 5);
    pthread_barrier_wait(&start_line);
    clock_gettime(CLOCK_MONOTONIC, &result->start);
    struct timespec before = result->start, after;
    long done = 0;
    for (long b = 0; b < result->burst_count; b++, done += BURST) {
        touched += deep ? deep_loop(&state, BURST) : flat_loop(&state, BURST);
        clock_gettime(CLOCK_MONOTONIC, &after);
        result->bursts[b] = (uint32_t)((after.tv_sec - before.tv_sec) * 1000000000L + (after.tv_nsec - before.tv_nsec));
        before = after;
    }
    if (done < pairs)
        touched += deep ? deep_loop(&state, pairs - done) : flat_loop(&state, pairs - done);
    clock_gettime(CLOCK_MONOTONIC, &result->end);
    result->touched = touched;
    return NULL;
}

static double ns_of(struct timespec t) { return (double)t.tv_sec * 1e9 + (double)t.tv_nsec; }

static int compare_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[1], "flat") && strcmp(argv[1], "deep"))) {
        fprintf(stderr, "usage: malloc_pairs flat|deep THREADS PAIRS\n");
        return 2;
    }
    deep = !strcmp(argv[1], "deep");
    int threads = atoi(argv[2]);
    pairs = atol(argv[3]);
    if (threads < 1 || threads > 64 || pairs < 1) {
        fprintf(stderr, "malloc_pairs: bad THREADS or PAIRS\n");
        return 2;
    }
    pthread_t ids[64];
    long per_thread = pairs / BURST;
    uint32_t *bursts = calloc((size_t)(per_thread * threads + 1), sizeof *bursts);
    if (!bursts)
        return 1;
    for (int t = 0; t < threads; t++) {
        results[t].bursts = bursts + t * per_thread;
        results[t].burst_count = per_thread;
    }
    pthread_barrier_init(&start_line, NULL, (unsigned)threads);
    for (int t = 0; t < threads; t++)
        pthread_create(&ids[t], NULL, worker, &results[t]);
    uint64_t touched = 0;
    double first = 0, last = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(ids[t], NULL);
        touched += results[t].touched;
        if (t == 0 || ns_of(results[t].start) < first)
            first = ns_of(results[t].start);
        if (t == 0 || ns_of(results[t].end) > last)
            last = ns_of(results[t].end);
    }
    double ns = last - first;
    printf("ns_per_pair %.2f\n", ns / (double)pairs);
    long total = per_thread * threads;
    if (total > 0) {
        qsort(bursts, (size_t)total, sizeof *bursts, compare_u32);
        printf("burst_ns_per_pair %.2f\n", (double)bursts[total / 2] / BURST);
    }
    free(bursts);
    fprintf(stderr, "(checksum %lu)\n", (unsigned long)touched);
    return 0;
}
