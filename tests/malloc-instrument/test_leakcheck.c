/* test_leakcheck — the leak check's marking (malloc-instrument/src/scan/leakcheck.c) on crafted
 * heaps, exactly: memcheck's categories for start pointers and interior pointers from roots,
 * chains from reachable and from possibly-lost blocks, an unreferenced block leading a clique of
 * indirectly lost ones (its record carries their count and bytes), a cycle of two unreferenced
 * blocks (the one at the lower address leads), a self-pointer (keeps nothing alive), zero-sized
 * blocks, and a pointer one past a block's end (not into it); glibc's stale free-list links left
 * in a reachable block (a word after a stale chunk size word, or aimed at a chunk header still in
 * its target) are not interior pointers, while a program's own interior pointer still is.
 *
 * Each shape is allocated from its own call site, so its blocks form their own loss records
 * (trace ids, depth 1); the roots are words of a stack frame that is live during the check.
 * (This executable is "our own library" to the check: its .data and .bss are not roots.)
 * Linked with the whole malloc-instrument object library, as libinvisible.so is. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#include "check.h"

typedef struct node {
    struct node *next;
    struct node *other;
    uint64_t payload[2];
} node;

/* One call site per shape (never inlined, never a tail call: the return address is the site). */
#define SITE(name)                                                                     \
    __attribute__((noipa)) static void *name(size_t size)                             \
    {                                                                                  \
        void *p = malloc(size);                                                        \
        __asm__ volatile("" ::: "memory");                                            \
        return p;                                                                      \
    }
SITE(site_reachable)
SITE(site_possible)
SITE(site_from_possible)
SITE(site_interior_from_reachable)
SITE(site_lost)
SITE(site_leader)
SITE(site_child)
SITE(site_cycle)
SITE(site_self)
SITE(site_empty_rooted)
SITE(site_empty_lost)
SITE(site_past_end)
SITE(site_holder)
SITE(site_stale_target)
SITE(site_header_target)
SITE(site_program_target)

static uint32_t trace_of(const void *block)
{
    invisible_block_info info;
    CHECK(blocks_find((uint64_t)(uintptr_t)block, &info) == 1);
    return info.trace_id;
}

/* Everything the check found at one site, by category. */
typedef struct site_result {
    uint64_t blocks[INVISIBLE_LEAK_KINDS];
    uint64_t bytes[INVISIBLE_LEAK_KINDS];
    uint64_t indirect_blocks, indirect_bytes; /* of its definitely-lost record */
} site_result;

static site_result result_of(const invisible_leak_summary *summary, uint32_t trace_id)
{
    site_result r;
    memset(&r, 0, sizeof r);
    for (uint64_t i = 0; i < summary->record_count; i++) {
        const invisible_leak_record *record = &summary->records[i];
        if (record->trace_id != trace_id)
            continue;
        r.blocks[record->kind] += record->blocks;
        r.bytes[record->kind] += record->bytes;
        if (record->kind == INVISIBLE_DEFINITELY_LOST) {
            r.indirect_blocks += record->indirect_blocks;
            r.indirect_bytes += record->indirect_bytes;
        }
    }
    return r;
}

static int only(const site_result *r, int kind, uint64_t blocks, uint64_t bytes)
{
    for (int k = 0; k < INVISIBLE_LEAK_KINDS; k++) {
        uint64_t want_blocks = k == kind ? blocks : 0, want_bytes = k == kind ? bytes : 0;
        if (r->blocks[k] != want_blocks || r->bytes[k] != want_bytes)
            return 0;
    }
    return 1;
}

enum { ROOTS = 4 };

typedef struct shapes {
    node *reachable[3];     /* roots[0] -> [0] -> [1] -> [2] */
    node *possible;         /* roots[1] = possible + 8 */
    node *from_possible;    /* possible->next */
    node *interior;         /* reachable[2]->other = interior + 16 */
    node *lost;
    node *leader, *children[2]; /* leader -> children[0] -> children[1] */
    node *cycle[2];         /* cycle[0] <-> cycle[1] */
    node *self;             /* self->next = self */
    void *empty_rooted;     /* roots[2] */
    void *empty_lost;
    node *past_end;         /* roots[3] = past_end + 1 (one past its end) */
} shapes;

/* Builds the heap; the only pointers it leaves in live memory are the roots (and the blocks'
 * own words). `s` records the blocks for the checks: it is in this executable's .bss, which is
 * not a root. */
static __attribute__((noinline)) void build(volatile uintptr_t *roots, shapes *s)
{
    for (int i = 0; i < 3; i++)
        s->reachable[i] = site_reachable(sizeof(node));
    s->reachable[0]->next = s->reachable[1];
    s->reachable[1]->next = s->reachable[2];
    roots[0] = (uintptr_t)s->reachable[0];

    s->possible = site_possible(sizeof(node));
    s->from_possible = site_from_possible(sizeof(node));
    s->possible->next = s->from_possible;
    roots[1] = (uintptr_t)s->possible + 8;

    s->interior = site_interior_from_reachable(sizeof(node));
    s->reachable[2]->other = (node *)((char *)s->interior + 16);

    s->lost = site_lost(48);

    s->leader = site_leader(sizeof(node));
    s->children[0] = site_child(sizeof(node));
    s->children[1] = site_child(sizeof(node));
    s->leader->next = s->children[0];
    s->children[0]->next = s->children[1];

    s->cycle[0] = site_cycle(sizeof(node));
    s->cycle[1] = site_cycle(sizeof(node));
    s->cycle[0]->next = s->cycle[1];
    s->cycle[1]->next = s->cycle[0];

    s->self = site_self(sizeof(node));
    s->self->next = s->self;

    s->empty_rooted = site_empty_rooted(0);
    s->empty_lost = site_empty_lost(0);
    roots[2] = (uintptr_t)s->empty_rooted;

    s->past_end = site_past_end(sizeof(node));
    roots[3] = (uintptr_t)(s->past_end + 1);
}

static shapes heap;

static __attribute__((noinline)) void test_categories(void)
{
    volatile uintptr_t roots[ROOTS] = { 0 };
    build(roots, &heap);
    const invisible_leak_summary *summary = leakcheck_run();
    CHECK(summary != NULL);
    if (!summary)
        return;
    const uint64_t n = sizeof(node);
    site_result r;

    r = result_of(summary, trace_of(heap.reachable[0]));
    CHECK(only(&r, INVISIBLE_STILL_REACHABLE, 3, 3 * n));

    r = result_of(summary, trace_of(heap.possible));
    CHECK(only(&r, INVISIBLE_POSSIBLY_LOST, 1, n)); /* an interior pointer from a root */
    r = result_of(summary, trace_of(heap.from_possible));
    CHECK(only(&r, INVISIBLE_POSSIBLY_LOST, 1, n)); /* a start pointer from a possibly-lost block */
    r = result_of(summary, trace_of(heap.interior));
    CHECK(only(&r, INVISIBLE_POSSIBLY_LOST, 1, n)); /* an interior pointer from a reachable block */

    r = result_of(summary, trace_of(heap.lost));
    CHECK(only(&r, INVISIBLE_DEFINITELY_LOST, 1, 48));
    CHECK(r.indirect_blocks == 0 && r.indirect_bytes == 0);

    r = result_of(summary, trace_of(heap.leader));
    CHECK(only(&r, INVISIBLE_DEFINITELY_LOST, 1, n));
    CHECK(r.indirect_blocks == 2 && r.indirect_bytes == 2 * n);
    r = result_of(summary, trace_of(heap.children[0]));
    CHECK(only(&r, INVISIBLE_INDIRECTLY_LOST, 2, 2 * n));

    /* The cycle: the block at the lower address leads, the other is indirectly lost. */
    r = result_of(summary, trace_of(heap.cycle[0]));
    CHECK(r.blocks[INVISIBLE_DEFINITELY_LOST] == 1 && r.blocks[INVISIBLE_INDIRECTLY_LOST] == 1);
    CHECK(r.blocks[INVISIBLE_STILL_REACHABLE] == 0 && r.blocks[INVISIBLE_POSSIBLY_LOST] == 0);
    CHECK(r.indirect_blocks == 1 && r.indirect_bytes == n);

    r = result_of(summary, trace_of(heap.self));
    CHECK(only(&r, INVISIBLE_DEFINITELY_LOST, 1, n));
    CHECK(r.indirect_blocks == 0);

    r = result_of(summary, trace_of(heap.empty_rooted));
    CHECK(only(&r, INVISIBLE_STILL_REACHABLE, 1, 0)); /* malloc(0): its start is its pointer */
    r = result_of(summary, trace_of(heap.empty_lost));
    CHECK(only(&r, INVISIBLE_DEFINITELY_LOST, 1, 0));

    r = result_of(summary, trace_of(heap.past_end));
    CHECK(only(&r, INVISIBLE_DEFINITELY_LOST, 1, n));

    /* The totals hold these, and every record is counted in them. */
    uint64_t blocks[INVISIBLE_LEAK_KINDS] = { 0 }, bytes[INVISIBLE_LEAK_KINDS] = { 0 };
    for (uint64_t i = 0; i < summary->record_count; i++) {
        blocks[summary->records[i].kind] += summary->records[i].blocks;
        bytes[summary->records[i].kind] += summary->records[i].bytes;
    }
    for (int k = 0; k < INVISIBLE_LEAK_KINDS; k++) {
        CHECK(blocks[k] == summary->blocks[k]);
        CHECK(bytes[k] == summary->bytes[k]);
    }
    CHECK(summary->blocks[INVISIBLE_DEFINITELY_LOST] >= 6);
    CHECK(summary->blocks[INVISIBLE_INDIRECTLY_LOST] >= 3);
    CHECK(summary->blocks[INVISIBLE_POSSIBLY_LOST] >= 3);
    CHECK(summary->threads_stopped == 0);
    CHECK(summary->scanned_root_bytes > 0);
}

/* glibc's stale links, as a reachable block holds them when it was merged from free chunks
 * and never written there by the program: at offset 64 a stale chunk header (prev_size, then a
 * size word 0x91: 144 bytes, previous chunk in use) followed by its fd link, aimed at a chunk
 * boundary 32 bytes into another block; at offset 160 a link to a block that still holds the
 * stale header of that chunk (a size word 16 bytes into it, right after the link's target).
 * Neither keeps its target: both are definitely lost, as valgrind and LSan say (those words are
 * undefined to memcheck; LSan's allocator never writes them). The program's own interior
 * pointer at offset 200, to 24 bytes into a third block, still makes it possibly lost. */
static __attribute__((noinline)) void build_stale(volatile uintptr_t *root, void **targets)
{
    uint64_t *holder = site_holder(256);
    memset(holder, 0, 256);
    targets[0] = site_stale_target(128);
    targets[1] = site_header_target(128);
    targets[2] = site_program_target(128);
    memset(targets[1], 0, 128);
    ((uint64_t *)targets[1])[5] = 0x31; /* a stale size word at +40: the header of a chunk at +32 */
    holder[8] = 0;                       /* offset 64: prev_size */
    holder[9] = 0x91;                    /* offset 72: size 144 | PREV_INUSE */
    holder[10] = (uint64_t)(uintptr_t)targets[0] + 32; /* offset 80: fd */
    holder[20] = (uint64_t)(uintptr_t)targets[1] + 32; /* offset 160: a link to a header still there */
    holder[25] = (uint64_t)(uintptr_t)targets[2] + 24; /* offset 200: the program's interior pointer */
    *root = (uintptr_t)holder;
}

static void *stale_targets[3]; /* in this executable's .bss: not a root */

static __attribute__((noinline)) void test_stale_links(void)
{
    volatile uintptr_t root = 0;
    void **targets = stale_targets;
    build_stale(&root, targets);
    const invisible_leak_summary *summary = leakcheck_run();
    CHECK(summary != NULL);
    if (!summary)
        return;
    site_result r = result_of(summary, trace_of((void *)root));
    CHECK(only(&r, INVISIBLE_STILL_REACHABLE, 1, 256));
    r = result_of(summary, trace_of(targets[0]));
    CHECK(only(&r, INVISIBLE_DEFINITELY_LOST, 1, 128));
    r = result_of(summary, trace_of(targets[1]));
    CHECK(only(&r, INVISIBLE_DEFINITELY_LOST, 1, 128));
    r = result_of(summary, trace_of(targets[2]));
    CHECK(only(&r, INVISIBLE_POSSIBLY_LOST, 1, 128));
}

/* Records are sorted biggest first: bytes (with what they keep alive), then blocks. */
static void test_record_order(void)
{
    const invisible_leak_summary *summary = leakcheck_run();
    CHECK(summary != NULL);
    if (!summary)
        return;
    for (uint64_t i = 1; i < summary->record_count; i++) {
        const invisible_leak_record *a = &summary->records[i - 1], *b = &summary->records[i];
        uint64_t abytes = a->bytes + a->indirect_bytes, bbytes = b->bytes + b->indirect_bytes;
        CHECK(abytes > bbytes || (abytes == bbytes && a->blocks >= b->blocks));
    }
}

int main(void)
{
    printf("test_leakcheck: start\n"); /* stdout's buffer exists before the check */
    fflush(stdout);
    free(malloc(1)); /* first use sets the tables up */
    if (!(instrument_state.hooks.mode & HOOKS_READY)) {
        fprintf(stderr, "test_leakcheck: tracking unavailable\n");
        return 1;
    }
    test_categories();
    test_stale_links();
    test_record_order();
    printf("test_leakcheck: %s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
