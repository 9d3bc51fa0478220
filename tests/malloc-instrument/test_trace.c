/* test_trace — interning of allocation-site traces (malloc-instrument/src/trace/intern.c): equal
 * traces get one id whatever thread or cache state asks, different traces (another pc, another
 * order, another depth) get different ids, an id's frames are exactly what was interned and stay
 * so while thousands more are added, and bad arguments are answered with 0. Four threads
 * interning the same traces at once agree on every id. Synthetic pcs: nothing is dereferenced.
 * Linked with the whole malloc-instrument object library, as libinvisible.so is. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#include "check.h"

/* Two independent thread states: each has its own per-thread cache of interned traces. */
static thread_state warm, cold;

/* Trace `n` of a family: depth 1 + n % 20 (both hash shapes: serial under 4 frames, four chains
 * from 4), pcs distinct per (n, frame). */
static int make_trace(uint64_t n, uint64_t *pcs)
{
    int depth = 1 + (int)(n % 20);
    for (int i = 0; i < depth; i++)
        pcs[i] = 0x400000 + n * 0x1000 + (uint64_t)i * 8;
    return depth;
}

static int same_frames(uint32_t id, const uint64_t *pcs, int depth)
{
    uint64_t got[INVISIBLE_MAX_DEPTH];
    if (trace_frames(id, got, INVISIBLE_MAX_DEPTH) != depth)
        return 0;
    return memcmp(got, pcs, (size_t)depth * sizeof *pcs) == 0;
}

static void test_equal_and_different(void)
{
    uint64_t a[4] = { 0x401000, 0x402000, 0x403000, 0x404000 };
    uint64_t swapped[4] = { 0x402000, 0x401000, 0x403000, 0x404000 };
    uint32_t before = trace_count();
    uint32_t id = trace_intern(&warm, a, 4);
    CHECK(id != 0);
    CHECK(trace_intern(&warm, a, 4) == id);       /* from the per-thread cache */
    CHECK(trace_intern(&cold, a, 4) == id);       /* from the shared table */
    CHECK(trace_count() == before + 1);
    CHECK(same_frames(id, a, 4));
    uint32_t shorter = trace_intern(&warm, a, 3); /* a prefix is another trace */
    uint32_t reordered = trace_intern(&warm, swapped, 4);
    uint32_t one = trace_intern(&warm, a, 1);
    CHECK(shorter != 0 && shorter != id);
    CHECK(reordered != 0 && reordered != id && reordered != shorter);
    CHECK(one != 0 && one != id && one != shorter && one != reordered);
    CHECK(trace_count() == before + 4);
    CHECK(same_frames(shorter, a, 3));
    CHECK(same_frames(reordered, swapped, 4));
    CHECK(same_frames(one, a, 1));
    /* The cold cache learns the ids the warm one already had. */
    CHECK(trace_intern(&cold, swapped, 4) == reordered);
    CHECK(trace_intern(&cold, a, 1) == one);
    CHECK(trace_count() == before + 4);
}

static void test_limits(void)
{
    uint64_t pcs[INVISIBLE_MAX_DEPTH], got[INVISIBLE_MAX_DEPTH];
    for (int i = 0; i < INVISIBLE_MAX_DEPTH; i++)
        pcs[i] = 0x7f0000000000ull + (uint64_t)i * 16;
    uint32_t deep = trace_intern(&warm, pcs, INVISIBLE_MAX_DEPTH);
    CHECK(deep != 0);
    CHECK(same_frames(deep, pcs, INVISIBLE_MAX_DEPTH));
    CHECK(trace_frames(deep, got, 5) == 5);       /* truncated to the caller's room */
    CHECK(memcmp(got, pcs, 5 * sizeof *pcs) == 0);
    CHECK(trace_intern(&warm, pcs, 0) == 0);      /* no frames: no trace */
    CHECK(trace_intern(&warm, pcs, -1) == 0);
    CHECK(trace_frames(0, got, INVISIBLE_MAX_DEPTH) == 0);               /* id 0: "no trace" */
    CHECK(trace_frames(trace_count() + 1000, got, INVISIBLE_MAX_DEPTH) == 0); /* never handed out */
}

/* Ids are stable: after thousands of other traces, every earlier id still names its frames and
 * interning it again returns it. */
enum { FAMILY = 5000 };
static uint32_t family_ids[FAMILY];

static void test_stable_ids(void)
{
    uint64_t pcs[INVISIBLE_MAX_DEPTH];
    for (uint64_t n = 0; n < FAMILY; n++) {
        int depth = make_trace(n, pcs);
        family_ids[n] = trace_intern(&warm, pcs, depth);
        CHECK(family_ids[n] != 0);
    }
    uint32_t after = trace_count();
    for (uint64_t n = 0; n < FAMILY; n++) {
        int depth = make_trace(n, pcs);
        CHECK(same_frames(family_ids[n], pcs, depth));
        CHECK(trace_intern(&cold, pcs, depth) == family_ids[n]);
    }
    CHECK(trace_count() == after); /* nothing new: every one was found */
    for (uint64_t n = 1; n < FAMILY; n++)
        CHECK(family_ids[n] != family_ids[n - 1]);
}

/* Four threads intern the same new traces, each in its own order, at once. */
enum { RACERS = 4, RACE_TRACES = 2000 };
static uint32_t race_ids[RACERS][RACE_TRACES];
static pthread_barrier_t race_start;

static void *racer(void *arg)
{
    uintptr_t r = (uintptr_t)arg;
    static thread_state states[RACERS];
    uint64_t pcs[INVISIBLE_MAX_DEPTH];
    pthread_barrier_wait(&race_start);
    for (uint64_t k = 0; k < RACE_TRACES; k++) {
        static const uint64_t strides[RACERS] = { 1, 3, 7, 9 }; /* prime to RACE_TRACES: permutations */
        uint64_t n = (k * strides[r] + r * 577) % RACE_TRACES;
        int depth = make_trace(FAMILY + n, pcs);
        race_ids[r][n] = trace_intern(&states[r], pcs, depth);
    }
    return NULL;
}

static void test_threads_agree(void)
{
    pthread_t threads[RACERS];
    pthread_barrier_init(&race_start, NULL, RACERS);
    for (uintptr_t r = 0; r < RACERS; r++)
        pthread_create(&threads[r], NULL, racer, (void *)r);
    for (int r = 0; r < RACERS; r++)
        pthread_join(threads[r], NULL);
    pthread_barrier_destroy(&race_start);
    uint64_t pcs[INVISIBLE_MAX_DEPTH];
    for (uint64_t n = 0; n < RACE_TRACES; n++) {
        CHECK(race_ids[0][n] != 0);
        for (int r = 1; r < RACERS; r++)
            CHECK(race_ids[r][n] == race_ids[0][n]);
        int depth = make_trace(FAMILY + n, pcs);
        CHECK(same_frames(race_ids[0][n], pcs, depth));
    }
}

int main(void)
{
    if (trace_table_init() != 0) {
        fprintf(stderr, "test_trace: the trace table could not be reserved\n");
        return 1;
    }
    test_equal_and_different();
    test_limits();
    test_stable_ids();
    test_threads_agree();
    printf("test_trace: %s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
