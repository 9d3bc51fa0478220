/* leak_graph — a heap of N live blocks in a linked structure plus garbage, for timing a leak
 * scan per live block (scripts/bench/leakscan).
 *
 *   leak_graph N [GARBAGE_PERCENT]     (default 10)
 *
 * Live: N nodes, sizes 32..1056 bytes (xorshift; 70% <= 160 B), each holding `next` (the
 * following node), `link` (a random earlier node), then payload words that are not pointers
 * (small integers). The head is in a global; everything else is reached through it.
 * Garbage: N*GARBAGE_PERCENT/100 more blocks nobody points to: singletons, 2-cycles, and blocks reached only
 * through an interior pointer from other garbage (all leaks, of every memcheck category).
 * Built with -DWITH_LSAN -fsanitize=leak, it runs LeakSanitizer's check itself, timed, and
 * prints "lsan_scan_ms <ms>", then _exits (so there is no second check at exit). Otherwise it
 * returns from main and the preloaded tool checks at exit. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#ifdef WITH_LSAN
#include <sanitizer/lsan_interface.h>
#endif

typedef struct node {
    struct node *next, *link;
    uint64_t payload[];
} node;

node *volatile graph_head;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_random(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return rng;
}

static node *make_node(void)
{
    size_t size = next_random() % 10 < 7 ? 32 + next_random() % 129 : 32 + next_random() % 1025;
    node *n = malloc(size);
    n->next = n->link = NULL;
    size_t words = (size - sizeof(node)) / 8;
    for (size_t i = 0; i < words; i++)
        n->payload[i] = i * 3 + 1; /* not pointers */
    return n;
}

int main(int argc, char **argv)
{
    long count = argc > 1 ? atol(argv[1]) : 100000;
    node **all = malloc((size_t)count * sizeof *all); /* freed before the scan */
    for (long i = 0; i < count; i++) {
        all[i] = make_node();
        if (i > 0) {
            all[i - 1]->next = all[i];
            all[i]->link = all[next_random() % (uint64_t)i];
        }
    }
    graph_head = all[0];
    /* Garbage: interleaved in the heap with nothing pointing at it from live memory. */
    long garbage = count * (argc > 2 ? atol(argv[2]) : 10) / 100;
    for (long i = 0; i + 2 < garbage; i += 3) {
        node *a = make_node(), *b = make_node(), *c = make_node();
        a->next = b, b->next = a;                           /* a 2-cycle */
        c->link = (node *)((char *)a + 8);                  /* interior pointer only */
    }
    free(all);
    fprintf(stderr, "leak_graph: %ld live nodes, %ld garbage blocks\n", count, garbage / 3 * 3);
#ifdef WITH_LSAN
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int leaked = __lsan_do_recoverable_leak_check();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("lsan_scan_ms %.3f leaked %d\n",
           (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6, leaked);
    fflush(stdout);
    _exit(0);
#endif
    return 0;
}
