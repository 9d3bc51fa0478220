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
    return index ? memtable_record_at(index).start : 0;
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
    CHECK((memtable_record_at(memtable_find(huge, 1)).flags & RECORD_LARGE) != 0);
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

/* A KiB of 32-byte blocks (glibc's spacing): the bucket becomes a node when its eighth block is
 * pushed (the push that finds the chain's push count saturated measures it); every lookup (exact,
 * interior, the cover from a block of the previous KiB) keeps its answer; two starts in one
 * 32-byte slot turn it back into a chain; a remove that walks that long chain makes it a node
 * again; emptying it, a chain. */
static void test_dense_buckets(void)
{
    const uint64_t base = 0x130000000000ull + 1024;
    enum { N = 31 };
    uint64_t lead = base - 40; /* covers the first 24 bytes of the bucket */
    CHECK(memtable_insert(lead, 64, 5, 0) == 0);
    uint64_t start[N];
    int chain_before_eighth = 1;
    for (int k = 0; k < N; k++) {
        start[k] = base + 32 + 32 * (uint64_t)k;
        CHECK(memtable_insert(start[k], 24, 100 + k, 0) == 0);
        if (k < 7)
            chain_before_eighth &= !bucket_is_node(base);
        if (k == 7)
            CHECK(bucket_is_node(base));
    }
    CHECK(chain_before_eighth);
    CHECK(bucket_is_node(base));
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

/* A dense bucket whose node entries carry each block's half-slot and whether it reaches into
 * the next KiB: a free without a copy of the record (what free() asks) trusts them instead of the
 * record. Blocks at the upper 16 bytes of their slot, a block reaching into the next bucket
 * (its cover entries must go), a start that is not 16-aligned (only a chain holds it), and the
 * packed record's fields at their limits. */
static void test_node_entries(void)
{
    const uint64_t base = 0x140000000000ull;
    enum { N = 30 };
    uint64_t start[N];
    /* starts at 16 mod 32: the upper half of each slot */
    for (int k = 0; k < N; k++) {
        start[k] = base + 16 + 32 * (uint64_t)k;
        CHECK(memtable_insert(start[k], 16, 200 + k, 0) == 0);
    }
    /* the last block of the KiB reaches 200 bytes into the next one */
    uint64_t tail = base + 1024 - 48;
    CHECK(memtable_insert(tail, 248, 250, RECORD_LOADER) == 0);
    memtable_record removed;
    CHECK(memtable_remove(start[0], &removed) == 1 && removed.trace_id == 200); /* a node since its eighth push */
    CHECK(bucket_is_node(base));
    /* a start at the lower half of an occupied slot is not there, nor is a start inside a block */
    CHECK(memtable_remove(start[3] - 16, NULL) == 0);
    CHECK(memtable_remove(start[3] + 8, NULL) == 0);
    CHECK(start_of(start[3] - 16) == 0 && start_of(start[3]) == start[3] && start_of(start[3] + 15) == start[3]);
    CHECK(start_of(start[3] + 16) == 0);
    /* the crossing block, through its cover, then removed without a copy: the cover goes too */
    CHECK(start_of(base + 1024 + 100) == tail && start_of(tail + 247) == tail);
    CHECK(memtable_record_at(memtable_find(tail, 1)).flags == (RECORD_LIVE | RECORD_LOADER));
    CHECK(memtable_remove(tail, NULL) == 1);
    CHECK(bucket_is_node(base));
    CHECK(start_of(base + 1024 + 100) == 0 && start_of(tail) == 0);
    /* frees without a copy leave every other answer as it was */
    int wrong = 0;
    for (int k = 1; k < N; k += 2)
        wrong += memtable_remove(start[k], NULL) != 1;
    for (int k = 1; k < N; k++)
        wrong += start_of(start[k] + 5) != ((k & 1) ? 0 : start[k]);
    CHECK(wrong == 0);
    CHECK(bucket_is_node(base));
    /* an 8-aligned start in a free slot: the node cannot say it, so the bucket becomes a chain */
    uint64_t odd = base + 32 * 3 + 8;
    CHECK(memtable_insert(odd, 8, 77, 0) == 0);
    CHECK(!bucket_is_node(base));
    CHECK(start_of(odd + 7) == odd && start_of(start[2]) == start[2]);
    CHECK(memtable_remove(odd, &removed) == 1 && removed.trace_id == 77 && removed.size == 8);
    for (int k = 2; k < N; k += 2)
        CHECK(memtable_remove(start[k], NULL) == 1);
    CHECK(start_of(start[2]) == 0);
    /* the packed record's limits: the largest small size, the largest trace id, a large block
     * whose size needs the bits kept in its link */
    uint64_t small = base + (1ull << 20), big = base + (1ull << 30);
    uint64_t big_size = (3ull << 40) + 12345;
    CHECK(memtable_insert(small, MEMTABLE_LARGE_THRESHOLD - 1, TRACE_MAX_COUNT - 1, 0) == 0);
    CHECK(memtable_insert(big, big_size, 1, RECORD_LOADER) == 0);
    memtable_record r = memtable_record_at(memtable_find(small + MEMTABLE_LARGE_THRESHOLD - 2, 1));
    CHECK(r.start == small && r.size == MEMTABLE_LARGE_THRESHOLD - 1 && r.trace_id == TRACE_MAX_COUNT - 1);
    CHECK(r.flags == RECORD_LIVE);
    r = memtable_record_at(memtable_find(big + big_size - 1, 1));
    CHECK(r.start == big && r.size == big_size && r.flags == (RECORD_LIVE | RECORD_LARGE | RECORD_LOADER));
    CHECK(memtable_remove(big, &removed) == 1 && removed.size == big_size && removed.trace_id == 1);
    CHECK(memtable_remove(small, &removed) == 1 && removed.size == MEMTABLE_LARGE_THRESHOLD - 1);
    CHECK(memtable_find(small, 1) == 0 && memtable_find(big, 1) == 0);
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

/* Threads sharing dense buckets: thread t owns the 32-byte slots t, t + 4, ... of the same
 * KiBs. Two of each thread's 8 blocks per KiB stay for the whole test, the other 6 are inserted
 * and freed again round after round, at the lower or upper 16 bytes of their slots, with or
 * without a copy of the record, while the other threads do the same in the same buckets: freeing
 * the first of the 6 walks a chain of more than 4 links even when one thread runs alone, so the
 * buckets turn into nodes, and back into chains as they empty, under every interleaving the
 * scheduler makes. Each record must come back whole. */
enum { SHARED_KIBS = 16, SHARED_ROUNDS = 400 };

static uint64_t shared_start(uint32_t t, uint32_t kib, uint32_t j, int round)
{
    return 0x150000000000ull + kib * 1024ull + 32ull * (j * THREADS + t) + ((round & 1) ? 16 : 0);
}

static int shared_free(uint32_t t, uint32_t kib, uint32_t j, int round, int copy)
{
    uint64_t start = shared_start(t, kib, j, round);
    memtable_record r;
    int bad = start_of(start + 15) != start;
    if (!copy)
        return bad | (memtable_remove(start, NULL) != 1);
    return bad | (memtable_remove(start, &r) != 1 || r.trace_id != 1000 + t || r.size != 16 + j % 8);
}

static void *share_dense(void *arg)
{
    uint32_t t = (uint32_t)(uintptr_t)arg;
    const uint32_t per_kib = MEMTABLE_NODE_SLOTS / THREADS, kept = 2;
    int bad = 0;
    for (uint32_t kib = 0; kib < SHARED_KIBS; kib++)
        for (uint32_t j = 0; j < kept; j++)
            bad |= memtable_insert(shared_start(t, kib, j, 0), 16 + j % 8, 1000 + t, 0) != 0;
    for (int round = 0; round < SHARED_ROUNDS; round++) {
        for (uint32_t kib = 0; kib < SHARED_KIBS; kib++)
            for (uint32_t j = kept; j < per_kib; j++)
                bad |= memtable_insert(shared_start(t, kib, j, round), 16 + j % 8, 1000 + t, 0) != 0;
        for (uint32_t kib = 0; kib < SHARED_KIBS; kib++)
            for (uint32_t j = kept; j < per_kib; j++)
                bad |= shared_free(t, kib, j, round, (j + (uint32_t)round) & 1);
    }
    for (uint32_t kib = 0; kib < SHARED_KIBS; kib++)
        for (uint32_t j = 0; j < kept; j++)
            bad |= shared_free(t, kib, j, 0, j & 1);
    if (bad)
        __atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
    return NULL;
}

static void test_threads_sharing_buckets(void)
{
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&threads[i], NULL, share_dense, (void *)(uintptr_t)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    int left = 0;
    for (uint64_t a = 0x150000000000ull; a < 0x150000000000ull + SHARED_KIBS * 1024ull; a += 16)
        left += start_of(a) != 0;
    CHECK(left == 0);
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
    test_node_entries();
    test_threads();
    test_threads_sharing_buckets();
    printf("test_memtable: %s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
