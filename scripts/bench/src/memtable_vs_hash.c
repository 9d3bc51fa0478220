/* memtable_vs_hash — the paper's memtable against a plain open-addressing hash table keyed by
 * block start (scripts/bench/memtable). Linked with the memtable sources of libinvisible
 * (malloc-instrument/src: state.c, primitives/memory.c, index/threads.c, index/memtable.c,
 * index/nursery.c) and called directly: no malloc interposition and no per-thread nursery, only
 * the shared table and the hash table are timed, single thread unless noted.
 *
 *   memtable_vs_hash N [ROUNDS]
 *
 * Blocks: N real glibc blocks (malloc'ed, kept live, so their addresses have glibc's spacing),
 * sizes from a heap-like mix: 60% 16..128 B, 30% 129..1024 B, 9% 1..8 KiB, 1% 8..64 KiB.
 * Operations, each timed over a shuffled sequence and reported as ns per operation:
 *   churn        remove a random live block, insert it again (random positions: cache misses)
 *   young        insert a fresh block, remove it at once (what a malloc/free pair does)
 *   young2       the same in 2 threads at once, each on its own blocks (ns per pair per thread)
 *   interior     find the block containing a random address inside a random live block
 *   span         find the block containing a random address in [lowest, highest) of the heap
 *                (a leak scan's candidate words: many fall between blocks)
 * Structures:
 *   memtable     memtable_insert/_remove/_find (find with the bucket lock, and without: the
 *                stopped-world variant the leak scan uses)
 *   hash         open addressing, linear probing, backward-shift deletion, power-of-two
 *                capacity at load <= 0.75 for N (no resize during the run); 32-byte entries
 *                holding what a memtable record holds (start, size, trace id, type, flags).
 *                No locking: the best case for the hash table (the memtable's insert/remove
 *                each pay a locked CAS so that other threads may run).
 *   hash+lock    the same, with one global spinlock taken per operation (uncontended): the
 *                cheapest way to make it thread-safe; under contention it would be far worse.
 *   Interior lookups in the hash table, two ways:
 *     probe-back   look up start = a & ~15, a-16, ... down to a - (largest live small block)
 *     sorted       binary search in a sorted array of starts (must be rebuilt after changes:
 *                  the build cost per block is reported; the leak scan builds such an array
 *                  once per scan anyway)
 * Metadata bytes per live block: memtable = records used (high-water x 32 B) + the bucket
 * pages actually resident (mincore over the bucket range of the heap span); hash = capacity x
 * 32 B (+ 8 B per block for the sorted array).
 * Output: one "key value" line per measurement, for the script to tabulate. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#ifdef RECORD_LOADER
#define MT_INSERT(start, size, trace) memtable_insert(start, size, trace, 0)
#else
#define MT_INSERT(start, size, trace) memtable_insert(start, size, trace)
#endif

static uint64_t rng = 0x2545f4914f6cdd1dull;
static inline uint64_t next_random(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return rng;
}

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static uint64_t block_size(void)
{
    uint64_t r = next_random() % 100;
    if (r < 60) return 16 + next_random() % 113;
    if (r < 90) return 129 + next_random() % 896;
    if (r < 99) return 1024 + next_random() % 7169;
    return 8192 + next_random() % 57345;
}

/* ---- the hash table ---- */
typedef struct hash_entry {
    uint64_t start, size;
    uint32_t trace_id, type_cache, flags, unused;
} hash_entry;

typedef struct hash_table {
    hash_entry *entries;
    uint64_t mask, count, max_size;
    _Atomic int lock;
} hash_table;

static inline uint64_t hash_of(uint64_t start) { return (start >> 4) * 0x9e3779b97f4a7c15ull; }

static void hash_init(hash_table *h, uint64_t n)
{
    uint64_t capacity = 16;
    while (capacity * 3 < n * 4)
        capacity *= 2;
    h->entries = calloc(capacity, sizeof(hash_entry));
    h->mask = capacity - 1;
    h->count = 0;
    h->max_size = 0;
}

static inline int hash_shift(const hash_table *h) { return __builtin_clzll(h->mask + 1) + 1; }

static inline uint64_t hash_slot(const hash_table *h, uint64_t start)
{
    return hash_of(start) >> hash_shift(h);
}

static inline void hash_insert(hash_table *h, uint64_t start, uint64_t size, uint32_t trace)
{
    uint64_t i = hash_slot(h, start);
    while (h->entries[i].start)
        i = (i + 1) & h->mask;
    h->entries[i] = (hash_entry){ start, size, trace, 0, 1, 0 };
    h->count++;
    if (size > h->max_size)
        h->max_size = size;
}

static inline int hash_remove(hash_table *h, uint64_t start, hash_entry *out)
{
    uint64_t i = hash_slot(h, start);
    while (h->entries[i].start != start) {
        if (!h->entries[i].start)
            return 0;
        i = (i + 1) & h->mask;
    }
    *out = h->entries[i];
    /* Backward-shift deletion: no tombstones, probe sequences stay short. */
    uint64_t hole = i;
    for (uint64_t j = (i + 1) & h->mask; h->entries[j].start; j = (j + 1) & h->mask) {
        uint64_t home = hash_slot(h, h->entries[j].start);
        if (((j - home) & h->mask) >= ((j - hole) & h->mask)) {
            h->entries[hole] = h->entries[j];
            hole = j;
        }
    }
    h->entries[hole].start = 0;
    h->count--;
    return 1;
}

static inline const hash_entry *hash_get(const hash_table *h, uint64_t start)
{
    uint64_t i = hash_slot(h, start);
    for (;;) {
        const hash_entry *e = &h->entries[i];
        if (e->start == start)
            return e;
        if (!e->start)
            return NULL;
        i = (i + 1) & h->mask;
    }
}

static inline const hash_entry *hash_find_probe_back(const hash_table *h, uint64_t address)
{
    uint64_t low = address > h->max_size ? address - h->max_size : 0;
    for (uint64_t s = address & ~15ull;; s -= 16) {
        const hash_entry *e = hash_get(h, s);
        if (e)
            return (address == e->start || address - e->start < e->size) ? e : NULL;
        if (s < low + 16)
            return NULL;
    }
}

static inline void lock(hash_table *h)
{
    while (__atomic_exchange_n(&h->lock, 1, __ATOMIC_ACQUIRE))
        __builtin_ia32_pause();
}
static inline void unlock(hash_table *h) { __atomic_store_n(&h->lock, 0, __ATOMIC_RELEASE); }

/* sorted side array */
static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static inline const hash_entry *sorted_find(const hash_table *h, const uint64_t *starts, uint64_t n,
                                            uint64_t address)
{
    uint64_t lo = 0, hi = n; /* first start > address */
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (starts[mid] <= address) lo = mid + 1; else hi = mid;
    }
    if (lo == 0)
        return NULL;
    const hash_entry *e = hash_get(h, starts[lo - 1]);
    return (e && (address == e->start || address - e->start < e->size)) ? e : NULL;
}

/* ---- memtable metadata ---- */
static uint64_t resident_bytes(const void *base, uint64_t bytes)
{
    long page = sysconf(_SC_PAGESIZE);
    uint64_t start = (uint64_t)(uintptr_t)base & ~(uint64_t)(page - 1);
    uint64_t end = ((uint64_t)(uintptr_t)base + bytes + page - 1) & ~(uint64_t)(page - 1);
    uint64_t pages = (end - start) / page, resident = 0;
    unsigned char *vec = malloc(pages);
    if (mincore((void *)start, end - start, vec) == 0)
        for (uint64_t i = 0; i < pages; i++)
            resident += vec[i] & 1;
    free(vec);
    return resident * page;
}

/* young2: two threads insert+remove their own fresh blocks at the same time */
enum { YOUNG2 = 1024 };
typedef struct young_worker {
    hash_table *h;      /* NULL: the memtable */
    uint64_t ops;
    pthread_barrier_t *barrier;
    double ns;
} young_worker;

static void *young_thread(void *arg)
{
    young_worker *w = arg;
    uint64_t start[YOUNG2], size[YOUNG2];
    for (int i = 0; i < YOUNG2; i++) {
        size[i] = 16 + (uint64_t)i * 4 % 4096;
        start[i] = (uint64_t)(uintptr_t)malloc(size[i]); /* this thread's arena */
    }
    memtable_record rec;
    hash_entry he;
    pthread_barrier_wait(w->barrier);
    double a = now_ns();
    for (uint64_t i = 0; i < w->ops; i++) {
        int k = (int)(i & (YOUNG2 - 1));
        if (w->h) {
            lock(w->h); hash_insert(w->h, start[k], size[k], 1); unlock(w->h);
            lock(w->h); hash_remove(w->h, start[k], &he); unlock(w->h);
        } else {
            MT_INSERT(start[k], size[k], 1);
            memtable_remove(start[k], &rec);
        }
    }
    w->ns = (now_ns() - a) / (double)w->ops;
    for (int i = 0; i < YOUNG2; i++)
        free((void *)(uintptr_t)start[i]);
    return NULL;
}

static double young_two_threads(hash_table *h, uint64_t ops)
{
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, 2);
    young_worker w[2] = { { h, ops, &barrier, 0 }, { h, ops, &barrier, 0 } };
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, young_thread, &w[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&barrier);
    return (w[0].ns + w[1].ns) / 2;
}

#define REPORT(key, value) printf("%s %.2f\n", key, (double)(value))

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: memtable_vs_hash N [ROUNDS]\n");
        return 2;
    }
    uint64_t n = strtoull(argv[1], NULL, 10);
    int rounds = argc > 2 ? atoi(argv[2]) : 1;
    uint64_t ops = n < 1000000 ? 1000000 : n; /* operations per measurement */
    if (memtable_init() != 0 || threads_init() != 0 || nursery_pool_init() != 0) {
        fprintf(stderr, "memtable_vs_hash: could not reserve the memtable\n");
        return 1;
    }
    uint64_t *starts = malloc(n * sizeof *starts), *sizes = malloc(n * sizeof *sizes);
    uint64_t lowest = UINT64_MAX, highest = 0;
    for (uint64_t i = 0; i < n; i++) {
        sizes[i] = block_size();
        char *b = malloc(sizes[i]);
        b[0] = 1;
        starts[i] = (uint64_t)(uintptr_t)b;
        if (starts[i] < lowest) lowest = starts[i];
        if (starts[i] + sizes[i] > highest) highest = starts[i] + sizes[i];
    }
    enum { YOUNG = 1024 };
    uint64_t young_start[YOUNG], young_size[YOUNG];
    for (int i = 0; i < YOUNG; i++) {
        young_size[i] = 16 + next_random() % 4096;
        young_start[i] = (uint64_t)(uintptr_t)malloc(young_size[i]);
    }
    /* operation streams: random block indices and random interior/span addresses */
    uint32_t *pick = malloc(ops * sizeof *pick);
    uint64_t *inside = malloc(ops * sizeof *inside), *span = malloc(ops * sizeof *span);
    for (uint64_t i = 0; i < ops; i++) {
        pick[i] = (uint32_t)(next_random() % n);
        inside[i] = starts[pick[i]] + next_random() % sizes[pick[i]];
        span[i] = lowest + next_random() % (highest - lowest);
    }

    hash_table h;
    hash_init(&h, n);
    double t0 = now_ns();
    for (uint64_t i = 0; i < n; i++)
        MT_INSERT(starts[i], sizes[i], 1);
    double t1 = now_ns();
    for (uint64_t i = 0; i < n; i++)
        hash_insert(&h, starts[i], sizes[i], 1);
    double t2 = now_ns();
    REPORT("memtable.fill_ns", (t1 - t0) / n);
    REPORT("hash.fill_ns", (t2 - t1) / n);

    uint64_t check = 0, wrong = 0;
    for (int round = 0; round < rounds; round++) {
        memtable_record rec;
        hash_entry he;
        double a, b;
        /* churn */
        a = now_ns();
        for (uint64_t i = 0; i < ops; i++) {
            uint32_t k = pick[i];
            memtable_remove(starts[k], &rec);
            MT_INSERT(starts[k], sizes[k], 1);
        }
        b = now_ns();
        REPORT("memtable.churn_ns", (b - a) / ops);
        a = now_ns();
        for (uint64_t i = 0; i < ops; i++) {
            uint32_t k = pick[i];
            hash_remove(&h, starts[k], &he);
            hash_insert(&h, starts[k], sizes[k], 1);
        }
        b = now_ns();
        REPORT("hash.churn_ns", (b - a) / ops);
        a = now_ns();
        for (uint64_t i = 0; i < ops; i++) {
            uint32_t k = pick[i];
            lock(&h); hash_remove(&h, starts[k], &he); unlock(&h);
            lock(&h); hash_insert(&h, starts[k], sizes[k], 1); unlock(&h);
        }
        b = now_ns();
        REPORT("hash+lock.churn_ns", (b - a) / ops);
        /* young: insert + remove at once */
        a = now_ns();
        for (uint64_t i = 0; i < ops; i++) {
            int k = (int)(i & (YOUNG - 1));
            MT_INSERT(young_start[k], young_size[k], 1);
            memtable_remove(young_start[k], &rec);
        }
        b = now_ns();
        REPORT("memtable.young_ns", (b - a) / ops);
        a = now_ns();
        for (uint64_t i = 0; i < ops; i++) {
            int k = (int)(i & (YOUNG - 1));
            hash_insert(&h, young_start[k], young_size[k], 1);
            hash_remove(&h, young_start[k], &he);
        }
        b = now_ns();
        REPORT("hash.young_ns", (b - a) / ops);
        a = now_ns();
        for (uint64_t i = 0; i < ops; i++) {
            int k = (int)(i & (YOUNG - 1));
            lock(&h); hash_insert(&h, young_start[k], young_size[k], 1); unlock(&h);
            lock(&h); hash_remove(&h, young_start[k], &he); unlock(&h);
        }
        b = now_ns();
        REPORT("hash+lock.young_ns", (b - a) / ops);
        REPORT("memtable.young2_ns", young_two_threads(NULL, ops));
        REPORT("hash+lock.young2_ns", young_two_threads(&h, ops));

        /* interior lookups */
        for (int locked = 1; locked >= 0; locked--) {
            a = now_ns();
            for (uint64_t i = 0; i < ops; i++) {
                uint32_t r = memtable_find(inside[i], locked);
                check += r;
                wrong += memtable_record_at(r).start != starts[pick[i]];
            }
            b = now_ns();
            REPORT(locked ? "memtable.interior_ns" : "memtable-unlocked.interior_ns", (b - a) / ops);
        }
        a = now_ns();
        for (uint64_t i = 0; i < ops; i++) {
            const hash_entry *e = hash_find_probe_back(&h, inside[i]);
            wrong += !e || e->start != starts[pick[i]];
        }
        b = now_ns();
        REPORT("hash-probe-back.interior_ns", (b - a) / ops);
        a = now_ns();
        uint64_t *sorted = malloc(n * sizeof *sorted);
        memcpy(sorted, starts, n * sizeof *sorted);
        qsort(sorted, n, sizeof *sorted, compare_u64);
        b = now_ns();
        REPORT("hash-sorted.build_ns_per_block", (b - a) / n);
        a = now_ns();
        for (uint64_t i = 0; i < ops; i++) {
            const hash_entry *e = sorted_find(&h, sorted, n, inside[i]);
            wrong += !e || e->start != starts[pick[i]];
        }
        b = now_ns();
        REPORT("hash-sorted.interior_ns", (b - a) / ops);

        /* span lookups (answers compared between the structures) */
        uint64_t hits_m = 0, hits_s = 0, hits_p = 0;
        a = now_ns();
        for (uint64_t i = 0; i < ops; i++)
            hits_m += memtable_find(span[i], 0) != 0;
        b = now_ns();
        REPORT("memtable-unlocked.span_ns", (b - a) / ops);
        a = now_ns();
        for (uint64_t i = 0; i < ops; i++)
            hits_s += sorted_find(&h, sorted, n, span[i]) != NULL;
        b = now_ns();
        REPORT("hash-sorted.span_ns", (b - a) / ops);
        uint64_t span_ops = ops / 10; /* probe-back is slow on misses */
        a = now_ns();
        for (uint64_t i = 0; i < span_ops; i++)
            hits_p += hash_find_probe_back(&h, span[i]) != NULL;
        b = now_ns();
        REPORT("hash-probe-back.span_ns", (b - a) / span_ops);
        REPORT("span.hit_percent", 100.0 * hits_m / ops);
        if (hits_m != hits_s)
            wrong++;
        free(sorted);
    }

    /* The buckets live in chunks (2^MEMTABLE_CHUNK_SHIFT buckets each, mapped on demand): count
     * the resident part of each chunk the heap's range touches. */
    uint64_t first_bucket = lowest >> MEMTABLE_BUCKET_SHIFT, last_bucket = (highest - 1) >> MEMTABLE_BUCKET_SHIFT;
    uint64_t bucket_bytes = 0;
    for (uint64_t chunk = first_bucket >> MEMTABLE_CHUNK_SHIFT; chunk <= last_bucket >> MEMTABLE_CHUNK_SHIFT; chunk++) {
        memtable_bucket *first = memtable_bucket_at(chunk << MEMTABLE_CHUNK_SHIFT);
        if (first)
            bucket_bytes += resident_bytes(first, sizeof(memtable_bucket) << MEMTABLE_CHUNK_SHIFT);
    }
    uint64_t record_bytes = (uint64_t)memtable_record_limit() * sizeof(memtable_entry);
    uint64_t node_bytes = (uint64_t)memtable_node_limit() * sizeof(memtable_node);
    REPORT("memtable.bytes_per_block", (double)(bucket_bytes + record_bytes + node_bytes) / n);
    REPORT("memtable.node_bytes_per_block", (double)node_bytes / n);
    REPORT("memtable.bucket_bytes_per_block", (double)bucket_bytes / n);
    REPORT("hash.bytes_per_block", (double)(h.mask + 1) * sizeof(hash_entry) / n);
    REPORT("hash.load_factor", (double)h.count / (h.mask + 1));
    REPORT("hash-sorted.bytes_per_block", (double)(h.mask + 1) * sizeof(hash_entry) / n + 8);
    REPORT("heap.span_mib", (double)(highest - lowest) / (1 << 20));
    uint64_t live = 0;
    for (uint64_t i = 0; i < n; i++)
        live += sizes[i];
    REPORT("heap.live_mib", (double)live / (1 << 20));
    printf("wrong_answers %lu\n", (unsigned long)wrong);
    fprintf(stderr, "(check %lu)\n", (unsigned long)check);
    return wrong != 0;
}
