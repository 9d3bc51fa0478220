/* test_memtable — the memtable on synthetic addresses (nothing is dereferenced): exact-start
 * and interior lookups across bucket boundaries, cover entries set and cleared, zero-sized
 * blocks, the large-block index, and 4 threads inserting/removing disjoint ranges at once.
 * Linked with the whole malloc-instrument object library, as libinvisible.so is. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

#include "check.h"

static uint64_t start_of(uint64_t address)
{
    uint32_t index = memtable_find(address, 1);
    return index ? memtable_record_at(index)->start : 0;
}

static void test_small_blocks(void)
{
    const uint64_t base = 0x100000000000ull; /* a region nothing else uses */
    /* a 3000-byte block starting 100 bytes before a bucket boundary covers 3 more buckets */
    uint64_t a = base + 1024 - 100;
    CHECK(memtable_insert(a, 3000, 7, 0) == 0);
    CHECK(start_of(a) == a);
    CHECK(start_of(a + 1) == a);
    CHECK(start_of(a + 100) == a);           /* first byte of the next bucket: cover */
    CHECK(start_of(a + 2999) == a);          /* last byte */
    CHECK(start_of(a + 3000) == 0);          /* one past the end */
    CHECK(start_of(a - 1) == 0);
    /* a neighbour in the same bucket as a's end */
    uint64_t b = a + 3008;
    CHECK(memtable_insert(b, 16, 8, 0) == 0);
    CHECK(start_of(b + 15) == b);
    CHECK(start_of(a + 2990) == a);
    /* zero-sized: only its start points to it */
    uint64_t z = base + 8192;
    CHECK(memtable_insert(z, 0, 9, 0) == 0);
    CHECK(start_of(z) == z);
    CHECK(start_of(z + 1) == 0);
    memtable_record removed;
    CHECK(memtable_remove(a, &removed) == 1);
    CHECK(removed.size == 3000 && removed.trace_id == 7);
    CHECK(start_of(a + 100) == 0);           /* cover entries cleared */
    CHECK(start_of(a + 1500) == 0);
    CHECK(start_of(b) == b);
    CHECK(memtable_remove(a, NULL) == 0);    /* double remove: not there */
    CHECK(memtable_remove(b, NULL) == 1);
    CHECK(memtable_remove(z, NULL) == 1);
}

static void test_large_blocks(void)
{
    const uint64_t base = 0x110000000000ull;
    uint64_t big = base + 4096, huge = base + (64ull << 20);
    CHECK(memtable_insert(big, 32u << 20, 1, 0) == 0);
    CHECK(memtable_insert(huge, 1ull << 30, 2, 0) == 0);
    CHECK(start_of(big) == big);
    CHECK(start_of(big + (16u << 20)) == big);
    CHECK(start_of(big + (32u << 20)) == 0);
    CHECK(start_of(huge + (1ull << 29)) == huge);
    CHECK((memtable_record_at(memtable_find(huge, 1))->flags & RECORD_LARGE) != 0);
    CHECK(memtable_remove(big, NULL) == 1);
    CHECK(start_of(big + 5) == 0);
    CHECK(start_of(huge + 5) == huge);
    CHECK(memtable_remove(huge, NULL) == 1);
}

enum { THREADS = 4, ROUNDS = 20000 };

static void *churn(void *arg)
{
    uint64_t base = 0x120000000000ull + (uint64_t)(uintptr_t)arg * (1ull << 32);
    uint64_t seed = (uint64_t)(uintptr_t)arg + 1;
    for (int round = 0; round < ROUNDS; round++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        /* neighbouring threads share buckets at the range edges only through the hash of locks */
        uint64_t start = base + ((seed >> 20) % 4096) * 64;
        uint64_t size = 16 + (seed >> 50) % 2000;
        if (memtable_find(start, 1) == 0 && memtable_find(start + size - 1, 1) == 0 &&
            memtable_insert(start, size, 3, 0) == 0) {
            if (start_of(start + size / 2) != start)
                __atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
            if (memtable_remove(start, NULL) != 1)
                __atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
        }
    }
    return NULL;
}

static void test_threads(void)
{
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&threads[i], NULL, churn, (void *)(uintptr_t)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    for (int i = 0; i < THREADS; i++)
        CHECK(start_of(0x120000000000ull + (uint64_t)i * (1ull << 32) + 64) == 0);
}

int main(void)
{
    if (instrument_init() != 0) {
        fprintf(stderr, "memtable unavailable\n");
        return 1;
    }
    test_small_blocks();
    test_large_blocks();
    test_threads();
    printf("test_memtable: %s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
