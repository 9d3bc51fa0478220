/* A malloc/free storm with a window of live blocks: each thread keeps WINDOW blocks alive and, for every
 * step, frees a random one of them and allocates a new block of a random size (16..4096 bytes) in its
 * place. Blocks live a little longer than an immediate malloc/free pair, as in real programs, so they
 * outlive a tracker's nursery and reach its main index. Timed as a whole process by scripts/bench/workloads.
 *
 * usage: window_storm THREADS PAIRS_PER_THREAD [WINDOW] */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DEFAULT_WINDOW = 64, MAX_WINDOW = 4096 };

struct storm {
    unsigned long pairs;
    unsigned window;
    uint64_t seed;
    unsigned long checksum;
};

/* xorshift64*: deterministic and cheap, so the generator does not dominate the loop. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static void *run_storm(void *arg)
{
    struct storm *s = arg;
    void *live[MAX_WINDOW];
    memset(live, 0, sizeof live);
    for (unsigned long i = 0; i < s->pairs; i++) {
        uint64_t r = next_random(&s->seed);
        unsigned slot = (unsigned)(r % s->window);
        size_t size = 16 + (size_t)((r >> 20) % 4081);
        free(live[slot]);
        unsigned char *p = malloc(size);
        if (!p) {
            perror("malloc");
            exit(1);
        }
        p[0] = (unsigned char)i; /* touch it, as a program would */
        live[slot] = p;
        s->checksum += p[0];
    }
    for (unsigned i = 0; i < s->window; i++)
        free(live[i]);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s THREADS PAIRS_PER_THREAD [WINDOW]\n", argv[0]);
        return 2;
    }
    unsigned threads = (unsigned)strtoul(argv[1], NULL, 10);
    unsigned long pairs = strtoul(argv[2], NULL, 10);
    unsigned window = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : DEFAULT_WINDOW;
    if (threads < 1 || threads > 64 || window < 1 || window > MAX_WINDOW) {
        fprintf(stderr, "%s: THREADS must be 1..64 and WINDOW 1..%d\n", argv[0], MAX_WINDOW);
        return 2;
    }
    pthread_t tid[64];
    struct storm storms[64];
    for (unsigned t = 0; t < threads; t++) {
        storms[t] = (struct storm){ .pairs = pairs, .window = window, .seed = 0x9E3779B97F4A7C15ULL * (t + 1) };
        if (pthread_create(&tid[t], NULL, run_storm, &storms[t]) != 0) {
            fprintf(stderr, "%s: pthread_create failed\n", argv[0]);
            return 1;
        }
    }
    unsigned long checksum = 0;
    for (unsigned t = 0; t < threads; t++) {
        pthread_join(tid[t], NULL);
        checksum += storms[t].checksum;
    }
    printf("checksum %lu\n", checksum);
    return 0;
}
