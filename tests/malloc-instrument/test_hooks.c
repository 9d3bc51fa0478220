/* test_hooks — the malloc-family hooks' bookkeeping, exactly: every block the program holds is
 * found (in a nursery or the memtable) with its size and site, every freed block is gone, and
 * the number of tracked live blocks returns to where it was. Covers the hooks' fast paths
 * (home bucket of the nursery, per-thread call-site cache) and their fallbacks: full
 * buckets and evictions (thousands of live blocks), large blocks, frees by another thread
 * while the owner runs, realloc/calloc/aligned allocations, depth 16 (the call-site cache must
 * not answer) and INVISIBLE_NURSERY=no switched on at run time (instrument_disable_nurseries).
 * Linked with the whole malloc-instrument object library and exporting its malloc, as
 * libinvisible.so preloaded does (there is no constructor here: the settings stay at their
 * defaults, depth 1 and nurseries on, until a test changes them). */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#include "check.h"

/* The tracked block starting at `p`: 1 and its record, or 0. */
static int lookup(const void *p, memtable_record *out)
{
    uint64_t address = (uint64_t)(uintptr_t)p;
    if (nursery_find_any(address, out))
        return out->start == address;
    uint32_t index = memtable_find(address, 1);
    if (!index)
        return 0;
    *out = memtable_record_at(index);
    return out->start == address;
}

static int in_memtable(const void *p)
{
    uint32_t index = memtable_find((uint64_t)(uintptr_t)p, 1);
    return index && memtable_record_at(index).start == (uint64_t)(uintptr_t)p;
}

static int count_visit(const invisible_block_info *info, void *context)
{
    (void)info;
    (void)context;
    return 0;
}

/* Every tracked live block: the nurseries' plus the memtable's (no other thread runs). */
static uint64_t live_blocks(void)
{
    uint64_t n = nursery_for_each(count_visit, NULL);
    uint32_t limit = memtable_record_limit();
    for (uint32_t i = 1; i < limit; i++)
        if (memtable_record_live(i))
            n++;
    return n;
}

static int trace_depth(uint32_t trace_id)
{
    uint64_t pcs[INVISIBLE_MAX_DEPTH];
    return trace_frames(trace_id, pcs, INVISIBLE_MAX_DEPTH);
}

__attribute__((noipa)) static void *site_a(size_t n)
{
    void *p = malloc(n);
    __asm__ volatile("" ::: "memory"); /* keep the call a call, not a tail call */
    return p;
}

__attribute__((noipa)) static void *site_b(size_t n)
{
    void *p = malloc(n);
    __asm__ volatile("" ::: "memory");
    return p;
}

static void expect_block(const void *p, uint64_t size)
{
    memtable_record r;
    CHECK(p != NULL);
    CHECK(lookup(p, &r) == 1);
    CHECK(r.size == size);
}

static void expect_gone(const void *p)
{
    memtable_record r;
    CHECK(lookup(p, &r) == 0);
}

static void test_sites(void)
{
    uint64_t before = live_blocks();
    void *p = site_a(100), *q = site_a(200), *r = site_b(300);
    memtable_record rp, rq, rr;
    CHECK(lookup(p, &rp) && lookup(q, &rq) && lookup(r, &rr));
    CHECK(rp.size == 100 && rq.size == 200 && rr.size == 300);
    CHECK(rp.trace_id == rq.trace_id);   /* same call site: the cached id */
    CHECK(rp.trace_id != rr.trace_id);
    CHECK(trace_depth(rp.trace_id) == 1);
    CHECK((rp.flags & RECORD_LOADER) == 0);
    CHECK(live_blocks() == before + 3);
    free(p);
    free(q);
    free(r);
    expect_gone(p);
    expect_gone(q);
    expect_gone(r);
    CHECK(live_blocks() == before);
}

enum { MANY = 5000 };

static uint64_t size_for(uint64_t i)
{
    if (i % 997 == 0)
        return MEMTABLE_LARGE_THRESHOLD + i; /* a large block now and then */
    return 1 + (i * 7919) % 600;
}

/* Thousands of live blocks: home buckets fill, blocks are evicted into the
 * memtable; freed in a scrambled order. */
static void test_many(void)
{
    static void *blocks[MANY];
    uint64_t before = live_blocks();
    for (uint64_t i = 0; i < MANY; i++)
        blocks[i] = malloc(size_for(i));
    CHECK(live_blocks() == before + MANY);
    for (uint64_t i = 0; i < MANY; i++)
        expect_block(blocks[i], size_for(i));
    for (uint64_t k = 0; k < MANY; k++) {
        uint64_t i = (k * 3001) % MANY; /* 3001 is prime to 5000: a permutation */
        free(blocks[i]);
        expect_gone(blocks[i]);
    }
    CHECK(live_blocks() == before);
}

/* Another thread's blocks, freed here while it waits (the remote path: its nursery's slots are
 * killed under the bucket locks); then it frees ours. */
typedef struct handoff {
    void *blocks[MANY];
    pthread_barrier_t step;
} handoff;

static void *other_thread(void *arg)
{
    handoff *h = arg;
    for (uint64_t i = 0; i < MANY / 2; i++)
        h->blocks[i] = malloc(size_for(i));
    pthread_barrier_wait(&h->step); /* main checks and frees ours, allocates its half */
    pthread_barrier_wait(&h->step);
    for (uint64_t i = MANY / 2; i < MANY; i++)
        free(h->blocks[i]);
    pthread_barrier_wait(&h->step);
    return NULL;
}

static void test_cross_thread(void)
{
    static handoff h;
    pthread_barrier_init(&h.step, NULL, 2);
    pthread_t thread;
    pthread_create(&thread, NULL, other_thread, &h);
    pthread_barrier_wait(&h.step);
    uint64_t with_thread = live_blocks() - MANY / 2; /* the thread's stack/TLS blocks, if any */
    for (uint64_t i = 0; i < MANY / 2; i++) {
        expect_block(h.blocks[i], size_for(i));
        free(h.blocks[i]);
        expect_gone(h.blocks[i]);
    }
    CHECK(live_blocks() == with_thread);
    for (uint64_t i = MANY / 2; i < MANY; i++)
        h.blocks[i] = malloc(size_for(i));
    CHECK(live_blocks() == with_thread + MANY / 2);
    pthread_barrier_wait(&h.step);
    pthread_barrier_wait(&h.step);
    for (uint64_t i = MANY / 2; i < MANY; i++)
        expect_gone(h.blocks[i]);
    CHECK(live_blocks() == with_thread);
    pthread_join(thread, NULL);
    pthread_barrier_destroy(&h.step);
}

static void test_family(void)
{
    uint64_t before = live_blocks();
    char *p = malloc(10);
    memcpy(p, "realloc", 8);
    char *q = realloc(p, 100000);
    expect_block(q, 100000);
    if (q != p)
        expect_gone(p);
    CHECK(strcmp(q, "realloc") == 0);
    char *r = realloc(q, 20);
    expect_block(r, 20);
    char *s = realloc(NULL, 33);
    expect_block(s, 33);
    CHECK(realloc(s, 0) == NULL); /* glibc: frees */
    expect_gone(s);
    int *c = calloc(25, sizeof(int));
    expect_block(c, 25 * sizeof(int));
    void *m = NULL;
    CHECK(posix_memalign(&m, 256, 1000) == 0);
    expect_block(m, 1000);
    CHECK(((uintptr_t)m & 255) == 0);
    void *a = aligned_alloc(64, 640);
    expect_block(a, 640);
    void *z = malloc(0);
    expect_block(z, 0);
    CHECK(live_blocks() == before + 5);
    free(r);
    free(c);
    free(m);
    free(a);
    free(z);
    CHECK(live_blocks() == before);
}

/* Depth 16: the per-thread call-site caches filled at depth 1 must not answer. The switch
 * empties only the switching thread's cache, so another thread's warm cache is the test. */
typedef struct depth_switch {
    pthread_barrier_t step;
    uint32_t before, after; /* trace depths of the same site */
} depth_switch;

static void *depth_thread(void *arg)
{
    depth_switch *d = arg;
    memtable_record r;
    void *p = site_a(48);
    free(site_a(48)); /* the second call is answered by the cache */
    d->before = lookup(p, &r) ? (uint32_t)trace_depth(r.trace_id) : 0;
    free(p);
    pthread_barrier_wait(&d->step); /* main switches to depth 16 */
    pthread_barrier_wait(&d->step);
    p = site_a(48);
    d->after = lookup(p, &r) ? (uint32_t)trace_depth(r.trace_id) : 0;
    free(p);
    return NULL;
}

static void test_depth16(void)
{
    static depth_switch d;
    pthread_barrier_init(&d.step, NULL, 2);
    pthread_t thread;
    pthread_create(&thread, NULL, depth_thread, &d);
    pthread_barrier_wait(&d.step);
    instrument_state.depth = 16;
    hooks_configure();
    CHECK(!(instrument_state.hooks.mode & HOOKS_SITE_CACHE));
    pthread_barrier_wait(&d.step);
    pthread_join(thread, NULL);
    pthread_barrier_destroy(&d.step);
    CHECK(d.before == 1);
    CHECK(d.after > 1); /* site_a, depth_thread, libc's thread start */
    void *p = site_a(48);
    memtable_record r;
    CHECK(lookup(p, &r) == 1);
    CHECK(trace_depth(r.trace_id) > 1); /* site_a, this test, main, libc's start code */
    free(p);
    instrument_state.depth = 1;
    hooks_configure();
    p = site_a(48);
    CHECK(lookup(p, &r) == 1);
    CHECK(trace_depth(r.trace_id) == 1);
    free(p);
}

/* INVISIBLE_NURSERY=no at run time: what the nurseries held moves to the memtable, and from
 * then on every block goes there at once. */
static void test_nursery_off(void)
{
    uint64_t before = live_blocks();
    void *young = malloc(72);
    CHECK(!in_memtable(young)); /* a young block lives in this thread's nursery */
    instrument_disable_nurseries();
    CHECK(in_memtable(young));
    void *p = malloc(64), *q = site_b(64);
    CHECK(in_memtable(p) && in_memtable(q));
    expect_block(young, 72);
    CHECK(live_blocks() == before + 3);
    free(young);
    free(p);
    free(q);
    expect_gone(young);
    expect_gone(p);
    expect_gone(q);
    CHECK(live_blocks() == before);
}

int main(void)
{
    printf("test_hooks: start\n"); /* stdout's buffer is allocated before any count is taken */
    fflush(stdout);
    if (!instrument_state.hooks.mode) {
        free(malloc(1)); /* first use sets the tables up */
        if (!(instrument_state.hooks.mode & HOOKS_READY)) {
            fprintf(stderr, "tracking unavailable\n");
            return 1;
        }
    }
    CHECK(instrument_state.hooks.mode == (HOOKS_READY | HOOKS_SITE_CACHE | HOOKS_NURSERY));
    test_sites();
    test_many();
    test_cross_thread();
    test_family();
    test_depth16();
    test_nursery_off();
    CHECK(instrument_state.hooks.mode == (HOOKS_READY | HOOKS_SITE_CACHE));
    test_sites();
    test_many();
    printf("test_hooks: %s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
