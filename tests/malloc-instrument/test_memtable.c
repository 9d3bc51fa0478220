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

static int bucket_is_node(uint64_t address)
{
    memtable_bucket *bucket = memtable_bucket_at(address >> MEMTABLE_BUCKET_SHIFT);
    return bucket && (atomic_load(&bucket->head) & MEMTABLE_NODE_BIT) != 0;
}

/* A KiB of 32-byte blocks (glibc's spacing): a remove that walks a long chain turns the bucket
 * into a node; every lookup (exact, interior, the cover from a block of the previous KiB) keeps
 * its answer; two starts in one 32-byte slot turn it back into a chain; so does emptying it. */
static void test_dense_buckets(void)
{
    const uint64_t base = 0x130000000000ull + 1024;
    enum { N = 31 };
    uint64_t lead = base - 40; /* covers the first 24 bytes of the bucket */
    CHECK(memtable_insert(lead, 64, 5, 0) == 0);
    uint64_t start[N];
    for (int k = 0; k < N; k++) {
        start[k] = base + 32 + 32 * (uint64_t)k;
        CHECK(memtable_insert(start[k], 24, 100 + k, 0) == 0);
    }
    CHECK(!bucket_is_node(base));
    memtable_record removed;
    CHECK(memtable_remove(start[0], &removed) == 1); /* pushed first: the chain's far end */
    CHECK(removed.trace_id == 100 && removed.size == 24);
    CHECK(bucket_is_node(base));
    CHECK(start_of(base) == lead && start_of(base + 23) == lead && start_of(base + 24) == 0);
    CHECK(start_of(start[0]) == 0 && start_of(start[0] + 8) == 0);
    int wrong = 0;
    for (int k = 1; k < N; k++)
        wrong += start_of(start[k]) != start[k] || start_of(start[k] + 23) != start[k] ||
                 start_of(start[k] + 24) != 0;
    CHECK(wrong == 0);
    CHECK(memtable_remove(start[0], NULL) == 0);     /* not there twice */
    CHECK(memtable_remove(start[5] + 8, NULL) == 0); /* not a start */
    /* re-inserted into its slot while a node */
    CHECK(memtable_insert(start[0], 24, 100, 0) == 0);
    CHECK(bucket_is_node(base) && start_of(start[0] + 1) == start[0]);
    /* a start sharing slot 1 with start[0]: a chain again, both found */
    uint64_t odd = start[0] + 24;
    CHECK(memtable_insert(odd, 8, 99, 0) == 0);
    CHECK(!bucket_is_node(base));
    CHECK(start_of(odd + 7) == odd && start_of(start[0] + 23) == start[0]);
    CHECK(memtable_remove(odd, &removed) == 1 && removed.trace_id == 99);
    /* the chain is in slot order now: removing its far end walks it whole and makes a node
     * again; removing down to a few records, a chain */
    for (int k = N - 1; k >= 2; k--) {
        CHECK(memtable_remove(start[k], &removed) == 1);
        CHECK(removed.trace_id == 100u + (uint32_t)k);
        if (k == N - 1)
            CHECK(bucket_is_node(base));
    }
    CHECK(!bucket_is_node(base));
    CHECK(start_of(start[0] + 3) == start[0] && start_of(start[1]) == start[1]);
    CHECK(memtable_remove(start[0], NULL) == 1 && memtable_remove(start[1], NULL) == 1);
    CHECK(memtable_remove(lead, NULL) == 1);
    CHECK(start_of(base) == 0);
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
    test_dense_buckets();
    test_threads();
    printf("test_memtable: %s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
