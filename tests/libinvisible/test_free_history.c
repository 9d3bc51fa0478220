/* test_free_history.c — the record of recent frees (preload/libinvisible/src/free_history.c)
 * through the query API, as DwarfPython uses it: a freed block is found by any address inside
 * it, with its size and both sites; a block allocated again is live (the memtable wins); nothing
 * is recorded before a user turns the record on or after the last one turns it off; the ring
 * forgets the oldest frees; concurrent frees never break a lookup.
 *
 *   test_free_history          the default record (INVISIBLE_FREE_HISTORY unset)
 *   test_free_history small    INVISIBLE_FREE_HISTORY=16: the ring's wrap
 *   test_free_history off      INVISIBLE_FREE_HISTORY=0: free_history(1) says 0, nothing found */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "invisible.h"
#include "invisible/query.h"

static const invisible_query_api *api;

static uint64_t address_of(void *p) { return (uint64_t)(uintptr_t)p; }

static int found(void *p, uint64_t offset, invisible_freed_block *out)
{
    return api->freed_block(address_of(p) + offset, out);
}

static void test_default(void)
{
    /* Before any user: frees are not recorded. */
    char *before = malloc(40);
    free(before);
    invisible_freed_block block;
    CHECK(!found(before, 0, &block));

    CHECK(api->free_history(1) == 8192);

    char *keep = malloc(48); /* keeps `p`'s chunk from being merged into the top */
    char *p = malloc(48);
    free(p);
    memset(&block, 0, sizeof block);
    CHECK(found(p, 8, &block));
    CHECK(block.start == address_of(p));
    CHECK(block.size == 48);
    CHECK(block.alloc_trace != 0);
    CHECK(block.free_trace != 0);
    CHECK(block.alloc_trace != block.free_trace);
    CHECK(block.age == 0);
    CHECK(!found(p, 48, &block)); /* one past the end: not inside */
    CHECK(!found(p, (uint64_t)-1, &block));

    /* Allocated again (the tcache hands the same chunk back): live, so not freed. */
    char *again = malloc(48);
    CHECK(again == p);
    CHECK(!found(p, 8, &block));
    free(again);
    CHECK(found(p, 0, &block) && block.age == 0);

    /* realloc moving a block frees the old one. */
    char *small = malloc(16);
    char *moved = realloc(small, 200000);
    CHECK(moved != NULL && moved != small);
    CHECK(found(small, 4, &block) && block.size == 16 && block.start == address_of(small));
    free(moved);

    /* A block over several pages is found by an address in its last page. */
    char *big = malloc(20000);
    char *guard = malloc(16);
    free(big);
    CHECK(found(big, 19999, &block) && block.size == 20000);
    uint64_t age = block.age;

    /* The first user leaves: ages stay, nothing new is recorded. */
    CHECK(api->free_history(0) == 0);
    char *after = malloc(24);
    free(after);
    CHECK(found(big, 100, &block) && block.age == age);
    free(guard);
    free(keep);
}

/* Four threads free while this one looks up: a lookup never crashes or answers a block that
 * does not contain the address; each thread's last blocks (freed by all four together, at the
 * end) are found. */
#define WORKERS 4
#define ROUNDS 20000
static void *last_block[WORKERS];
static int finished;
static pthread_barrier_t churned;

static void *churn(void *argument)
{
    int index = (int)(intptr_t)argument;
    void *held[8] = { 0 };
    for (int i = 0; i < ROUNDS; i++) {
        int slot = i & 7;
        free(held[slot]);
        held[slot] = malloc(16 + (size_t)((i * 37 + index) % 600));
    }
    /* The last frees of every worker together: the record holds the latest 8192 frees, and a worker
     * that finished early would otherwise see its frees pushed out by the others' churn. */
    pthread_barrier_wait(&churned);
    for (int slot = 0; slot < 8; slot++)
        free(held[slot]);
    last_block[index] = held[7];
    __atomic_add_fetch(&finished, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void test_threads(void)
{
    CHECK(api->free_history(1) == 8192);
    pthread_t threads[WORKERS];
    pthread_barrier_init(&churned, NULL, WORKERS);
    for (int i = 0; i < WORKERS; i++)
        pthread_create(&threads[i], NULL, churn, (void *)(intptr_t)i);
    /* Until every worker is done (then no free of this thread can push theirs out of the record). */
    while (__atomic_load_n(&finished, __ATOMIC_ACQUIRE) < WORKERS) {
        void *probe = malloc(64);
        free(probe);
        invisible_freed_block block;
        uint64_t address = address_of(probe) + 8;
        if (api->freed_block(address, &block))
            CHECK(address >= block.start && address < block.start + block.size);
    }
    for (int i = 0; i < WORKERS; i++)
        pthread_join(threads[i], NULL);
    /* Each worker freed its blocks last; another worker's later free of the same chunk is as good:
     * the chunk is found freed either way (the record holds 8192 frees, 32 of them are these). */
    for (int i = 0; i < WORKERS; i++) {
        invisible_freed_block block;
        CHECK(found(last_block[i], 0, &block));
    }
    CHECK(api->free_history(0) == 0);
}

/* INVISIBLE_FREE_HISTORY=16: of 40 blocks freed in a row, the 16 last are found, the others not. */
static void test_small(void)
{
    CHECK(api->free_history(1) == 16);
    void *blocks[40];
    for (int i = 0; i < 40; i++)
        blocks[i] = malloc(32);
    void *keep = malloc(32);
    for (int i = 0; i < 40; i++)
        free(blocks[i]);
    for (int i = 0; i < 40; i++) {
        invisible_freed_block block;
        int hit = found(blocks[i], 0, &block);
        CHECK(hit == (i >= 24));
        if (hit)
            CHECK(block.age == (uint64_t)(39 - i));
    }
    free(keep);
}

static void test_off(void)
{
    CHECK(api->free_history(1) == 0);
    void *p = malloc(32);
    free(p);
    invisible_freed_block block;
    CHECK(!found(p, 0, &block));
    CHECK(api->free_history(0) == 0);
}

int main(int argc, char **argv)
{
    api = invisible_query();
    CHECK(api != NULL && api->struct_size >= sizeof *api && api->free_history && api->freed_block);
    if (failures)
        return 1;
    if (argc > 1 && strcmp(argv[1], "small") == 0) {
        test_small();
    } else if (argc > 1 && strcmp(argv[1], "off") == 0) {
        test_off();
    } else {
        test_default();
        test_threads();
    }
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    return failures != 0;
}
