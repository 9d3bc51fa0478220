/* leakcheck.c — conservative reachability, with valgrind memcheck's categories.
 *
 * Roots: writable PT_LOAD segments of every loaded object except ours; anonymous writable
 * mappings that hold no heap block and are not thread stacks (e.g. an interpreter's own
 * arenas); each thread's live stack [sp - red zone, top) and registers; each thread's static
 * TLS and thread control block (pthread-specific data included). Only 8-byte aligned words are
 * candidate pointers. For the exiting thread the live stack starts at the frame that called
 * exit (or returned from main), so pointers left in dead frames are not roots.
 *
 * Marking follows memcheck: a block reached through its start address from a definite source
 * is still reachable; reached only through interior pointers (or from possibly-lost blocks) it
 * is possibly lost. Unreached blocks are then visited in address order; each one reached from
 * another unreached block becomes indirectly lost and its size counts toward that clique
 * leader, which is definitely lost. A self-pointer therefore keeps nothing alive.
 *
 * Order of work, and why:
 *  1. Collect the loaded objects' writable segments and the static TLS size while every
 *     thread runs: dl_iterate_phdr and dlsym take the loader lock, which a stopped thread
 *     could hold.
 *  2. Stop the world. From here on only raw system calls and our own tables are used.
 *  3. Sort the live blocks by address, mark from the roots (the segments, then what
 *     /proc/self/maps shows: stacks, TLS, anonymous mappings, then registers), then group the
 *     unreached blocks into cliques.
 *  4. Resume the world, then group blocks into loss records.
 * Every scratch array is one of our own mappings sized from the record count, unmapped at the
 * end. Memory: the scan must not need more than LeakSanitizer's whole leak check (about 14 bytes
 * per live block); it keeps one 16-byte entry per live block (start, size, trace packed), sorted
 * in place (no second buffer), one state byte, and the mark stack (which grows only as deep as
 * marking goes); clique totals are kept only for unreached blocks that lead a clique.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define ROOT_CAPACITY 8192
#define SEGMENT_CAPACITY 512 /* loaded objects' writable segments remembered for the maps walk */
#define ANONYMOUS_ROOT_LIMIT (256ull << 20) /* larger anonymous mappings are not scanned */
#define TCB_SCAN_BYTES 4096                 /* struct pthread (with pthread-specific data) */
#define GLIBC_ARENA_HEAP_ALIGN (64ull << 20) /* HEAP_MAX_SIZE: non-main arenas' heaps */

enum { UNREACHED = 0, INDIRECT = 1, POSSIBLE = 2, REACHABLE = 3 };

typedef struct thread_roots {
    uint64_t sp, tp;
} thread_roots;

/* A stretch of the heap with no gap over REGION_GAP between blocks; its directory maps each
 * DIRECTORY_GRAIN bytes to the first sorted block ending after that point. */
typedef struct scan_region {
    uint64_t low, high;        /* low aligned down to the grain */
    uint32_t first, end;       /* sorted positions [first, end) */
    uint32_t *directory;       /* NULL: too big, use the bucket hint */
} scan_region;

#define REGION_GAP (64ull << 20)
#define REGION_CAPACITY 4096
#define DIRECTORY_GRAIN_SHIFT 9
#define DIRECTORY_LIMIT (64ull << 20) /* entries (256 MiB) over all regions */

typedef struct root_range {
    uint64_t low, high;
    int allocator_data; /* libc's own data: holds malloc's arena (top chunk, bins) */
} root_range;

/* During the scan a block is named by its position in address order, not by its memtable
 * record index: every per-block array below is indexed by position, so the mark loop reads
 * contiguous arrays in roughly heap order instead of records scattered through the pool
 * (records are taken in nursery-eviction order). Only collect_live_blocks reads the records,
 * sequentially, once. */
#define NO_BLOCK UINT32_MAX

/* One live block: its start, and its size, trace and loader flag packed into one word, so the
 * whole table is 16 bytes a block, sorted in place, and the mark loop's lookups read one line.
 * Trace ids stay below TRACE_MAX_COUNT (2^22); sizes below 2^41 (2 TiB). */
typedef struct scan_block {
    uint64_t start;
    uint64_t info;
} scan_block;
#define INFO_SIZE_MASK ((1ull << 41) - 1)
#define INFO_LOADER (1ull << 41)
#define INFO_TRACE_SHIFT 42

static inline uint64_t block_size(const scan_block *b) { return b->info & INFO_SIZE_MASK; }
/* [start, end): end = start + 1 for a zero-sized block, so a pointer to its start finds it. */
static inline uint64_t block_end(const scan_block *b)
{
    uint64_t size = block_size(b);
    return b->start + (size ? size : 1);
}
static inline uint32_t block_trace(const scan_block *b) { return (uint32_t)(b->info >> INFO_TRACE_SHIFT); }

/* Totals of a clique leader (an unreached block, definitely lost): what it keeps alive. */
typedef struct clique_total {
    uint32_t leader_plus_one; /* 0: empty slot */
    uint32_t blocks;
    uint64_t bytes;
} clique_total;

#define SORT_DIGIT_BITS 8
#define SORT_BUCKETS (1u << SORT_DIGIT_BITS)
#define SORT_LEVELS 6   /* 48 bits of (start - lowest) / 16: any user address range */
#define SORT_SMALL 32   /* insertion sort below this */

/* Small fixed-size scratch: the roots, the threads, the regions, the segments and the sort's
 * counters (map_scan's scratch_tables). */
typedef struct scan_scratch {
    root_range roots[ROOT_CAPACITY];
    struct thread_roots threads[STOPWORLD_MAX_THREADS + 1];
    struct scan_region regions[REGION_CAPACITY];
    root_range segments[SEGMENT_CAPACITY]; /* every loaded object's writable segment, ours included */
    uint32_t sort_counts[SORT_LEVELS][2][SORT_BUCKETS];
} scan_scratch;

typedef struct scan {
    const memtable_entry *records;
    uint32_t limit;            /* record indices are < limit */
    uint32_t capacity;         /* per-block arrays are sized for this many */
    scan_block *blocks;        /* per position */
    uint8_t *state;            /* per position */
    uint32_t live_count;
    scan_scratch *scratch;
    struct scan_region *regions; /* the heap span cut at large gaps, each with a directory */
    uint32_t region_count;
    uint32_t *directory;       /* per DIRECTORY_GRAIN bytes of a region: first position ending after it */
    uint64_t directory_capacity;
    uint32_t *stack;
    uint64_t stack_count, stack_capacity;
    clique_total *cliques;     /* open addressing by leader position, only for unreached blocks */
    uint64_t clique_capacity;  /* a power of two */
    uint64_t lowest, highest;  /* candidate pointers outside are rejected at once */
    root_range *roots;
    int root_count;
    uint64_t root_bytes;
    size_t tls_static_size;
    sigjmp_buf fault;
    struct thread_roots *threads; /* STOPWORLD_MAX_THREADS + 1 */
    int thread_count;
    uint64_t own_tls_offset;      /* thread pointer - start of our static TLS block */
    uint64_t own_tls_size;        /* 0: unknown */
    root_range *segments;         /* SEGMENT_CAPACITY */
    int segment_count;
} scan;

/* The fault handler needs to find the scan; only one scan runs at a time. */
static scan *active_scan(scan *set, int assign)
{
    if (assign)
        instrument_state.leaks.active_scan = set;
    return instrument_state.leaks.active_scan;
}

int leakcheck_failure(void)
{
    return instrument_state.leaks.failure;
}

void leakcheck_set_exit_stack(uint64_t low_address)
{
    instrument_state.leaks.exit_stack_low = low_address;
}

/* ---- step 1: roots known to the loader ---- */

static int own_module_base(uint64_t *base)
{
    Dl_info info;
    if (!dladdr((void *)&leakcheck_set_exit_stack, &info))
        return 0;
    *base = (uint64_t)(uintptr_t)info.dli_fbase;
    return 1;
}

static void add_root(scan *s, uint64_t low, uint64_t high, int allocator_data)
{
    if (high <= low || s->root_count >= ROOT_CAPACITY)
        return;
    s->roots[s->root_count].low = low;
    s->roots[s->root_count].high = high;
    s->roots[s->root_count].allocator_data = allocator_data;
    s->root_count++;
}

static int is_libc(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    return !strncmp(base, "libc.so", 7);
}

typedef struct phdr_walk {
    scan *s;
    uint64_t own_base;
} phdr_walk;

/* Our own static TLS (the thread state: caches of pcs, trace hashes, stack bounds) is
 * bookkeeping, not program state; it sits at the same offset from every thread's pointer:
 * record it so no thread's copy is a root. */
static void note_own_tls(scan *s, struct dl_phdr_info *info)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_TLS && info->dlpi_tls_data) {
            s->own_tls_offset = (uint64_t)pthread_self() - (uint64_t)(uintptr_t)info->dlpi_tls_data;
            s->own_tls_size = ph->p_memsz;
        }
    }
}

/* A writable segment's .bss usually spills past its file pages into an anonymous mapping: the
 * maps walk must not take that for an interpreter's arena and scan it again (our own .bss,
 * 140 KiB of our state, at every exit; libc's, without the allocator-metadata rule). */
static void note_segment(scan *s, uint64_t low, uint64_t high)
{
    if (s->segment_count < SEGMENT_CAPACITY) {
        s->segments[s->segment_count].low = low & ~4095ull;
        s->segments[s->segment_count].high = (high + 4095) & ~4095ull;
        s->segment_count++;
    }
}

static int collect_segment(struct dl_phdr_info *info, size_t size, void *data)
{
    phdr_walk *walk = data;
    if (walk->own_base && info->dlpi_addr == walk->own_base)
        note_own_tls(walk->s, info);
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W))
            continue;
        uint64_t low = info->dlpi_addr + ph->p_vaddr;
        uint64_t high = low + ph->p_memsz;
        note_segment(walk->s, low, high);
        /* Our own library's data is bookkeeping, not program state. The exception check
         * compares the mapping of the segment against the base of our object. */
        if (walk->own_base && info->dlpi_addr == walk->own_base)
            continue;
        add_root(walk->s, low, high, info->dlpi_name && is_libc(info->dlpi_name));
    }
    return 0;
}

static size_t static_tls_size(void)
{
    void (*get_info)(size_t *, size_t *) =
        (void (*)(size_t *, size_t *))dlsym(RTLD_DEFAULT, "_dl_get_tls_static_info");
    size_t size = 0, align = 0;
    if (get_info)
        get_info(&size, &align);
    return size ? size : 4096;
}

/* ---- step 3 helpers: the block index during the scan ---- */

static void build_regions(scan *s);

static inline uint32_t sort_digit(const scan *s, const scan_block *b, int shift)
{
    return (uint32_t)(((b->start - s->lowest) >> (4 + shift)) & (SORT_BUCKETS - 1));
}

static void insertion_sort(scan_block *a, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++) {
        scan_block x = a[i];
        uint32_t j = i;
        for (; j > 0 && a[j - 1].start > x.start; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
}

/* In-place MSD radix sort by start (American flag sort), in 8-bit digits of (start - lowest) / 16
 * from the highest one the span needs: no second buffer (the 16 bytes a block are the scan's
 * largest table, and LSD radix would need them twice). Each level's counters live in the
 * scratch mapping, not on the stack: the check may run on a thread with a small stack. */
static void flag_sort(scan *s, scan_block *a, uint32_t n, int shift, int level)
{
    if (n <= SORT_SMALL || level >= SORT_LEVELS) {
        insertion_sort(a, n);
        return;
    }
    uint32_t *end = s->scratch->sort_counts[level][0], *next = s->scratch->sort_counts[level][1];
    memset(end, 0, SORT_BUCKETS * sizeof *end);
    for (uint32_t i = 0; i < n; i++)
        end[sort_digit(s, &a[i], shift)]++;
    uint32_t total = 0;
    for (uint32_t d = 0; d < SORT_BUCKETS; d++) {
        next[d] = total;
        total += end[d];
        end[d] = total;
    }
    /* Follow each displaced block to its bucket until one belongs where the cycle began. */
    for (uint32_t d = 0; d < SORT_BUCKETS; d++) {
        while (next[d] < end[d]) {
            scan_block x = a[next[d]];
            uint32_t home = sort_digit(s, &x, shift);
            while (home != d) {
                scan_block displaced = a[next[home]];
                a[next[home]++] = x;
                x = displaced;
                home = sort_digit(s, &x, shift);
            }
            a[next[d]++] = x;
        }
    }
    if (shift == 0)
        return;
    uint32_t begin = 0;
    for (uint32_t d = 0; d < SORT_BUCKETS; d++) {
        if (end[d] - begin > 1)
            flag_sort(s, a + begin, end[d] - begin, shift - SORT_DIGIT_BITS, level + 1);
        begin = end[d];
    }
}

static void sort_live(scan *s)
{
    uint64_t range = (s->highest - s->lowest) >> 4;
    int shift = 0;
    while (shift + SORT_DIGIT_BITS < 64 && (range >> (shift + SORT_DIGIT_BITS)) != 0)
        shift += SORT_DIGIT_BITS;
    flag_sort(s, s->blocks, s->live_count, shift, 0);
}

static inline void push(scan *s, uint32_t block);

static int collect_live_blocks(scan *s)
{
    s->live_count = 0;
    s->lowest = UINT64_MAX;
    s->highest = 0;
    for (uint32_t i = 1; i < s->limit; i++) {
        const memtable_entry *r = &s->records[i];
        uint32_t flags = entry_flags(r);
        if (!(flags & RECORD_LIVE))
            continue;
        scan_block *b = &s->blocks[s->live_count++];
        uint64_t size = entry_size(r), start = entry_start(r);
        if (size > INFO_SIZE_MASK)
            size = INFO_SIZE_MASK;
        b->start = start;
        b->info = size | ((flags & RECORD_LOADER) ? INFO_LOADER : 0) | (uint64_t)entry_trace(r) << INFO_TRACE_SHIFT;
        if (start < s->lowest)
            s->lowest = start;
        uint64_t end = block_end(b);
        if (end > s->highest)
            s->highest = end;
    }
    if (s->live_count)
        sort_live(s);
    for (uint32_t p = 0; p < s->live_count; p++) {
        /* The loader's own blocks are roots: loader state keeps them (LSan does the same). */
        if (s->blocks[p].info & INFO_LOADER) {
            s->state[p] = REACHABLE;
            push(s, p);
        }
    }
    build_regions(s);
    return 0;
}

/* Index of the first live block (in address order) starting at or after `low`. */
static uint32_t first_block_from(const scan *s, uint64_t low)
{
    uint32_t lo = 0, hi = s->live_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->blocks[mid].start < low)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Does any live block start in [low, high)? */
static int holds_blocks(const scan *s, uint64_t low, uint64_t high)
{
    uint32_t i = first_block_from(s, low);
    return i < s->live_count && s->blocks[i].start < high;
}

/* The live block containing `word`, as a position (NO_BLOCK: none), in a region without a
 * directory (a heap spread too thin for one): binary search for the last block starting at or
 * before `word` (blocks never overlap, so only it can contain the word). */
static uint32_t block_at_by_search(const scan *s, const scan_region *r, uint64_t word)
{
    uint32_t lo = r->first, hi = r->end;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->blocks[mid].start <= word)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == r->first)
        return NO_BLOCK;
    uint32_t p = lo - 1;
    return word < block_end(&s->blocks[p]) ? p : NO_BLOCK;
}

/* No regions at all (more than REGION_CAPACITY far-apart stretches): one search over all. */
static uint32_t block_at_everywhere(const scan *s, uint64_t word)
{
    scan_region all = { 0, 0, 0, s->live_count, NULL };
    return block_at_by_search(s, &all, word);
}

/* The directory way: find the region (few, cached), read one directory entry, then step through
 * contiguous spans to the first block ending after `word`. */
static inline uint32_t block_at(const scan *s, uint64_t word)
{
    if (word < s->lowest || word >= s->highest)
        return NO_BLOCK;
    uint32_t lo = 0, hi = s->region_count;
    while (lo < hi) { /* last region with low <= word */
        uint32_t mid = (lo + hi) / 2;
        if (s->regions[mid].low <= word)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return s->region_count ? NO_BLOCK : block_at_everywhere(s, word);
    const scan_region *r = &s->regions[lo - 1];
    if (word >= r->high)
        return NO_BLOCK;
    if (!r->directory)
        return block_at_by_search(s, r, word);
    uint32_t p = r->directory[(word - r->low) >> DIRECTORY_GRAIN_SHIFT];
    while (p < r->end && block_end(&s->blocks[p]) <= word)
        p++;
    return p < r->end && s->blocks[p].start <= word ? p : NO_BLOCK;
}

/* Cut the sorted blocks into regions and fill their directories. */
static void build_regions(scan *s)
{
    uint64_t used = 0;
    s->region_count = 0;
    for (uint32_t p = 0; p < s->live_count;) {
        if (s->region_count == REGION_CAPACITY) {
            s->region_count = 0; /* absurdly fragmented: no index at all */
            return;
        }
        scan_region *r = &s->regions[s->region_count++];
        r->first = p;
        r->low = s->blocks[p].start & ~((1ull << DIRECTORY_GRAIN_SHIFT) - 1);
        uint64_t high = block_end(&s->blocks[p]);
        for (p++; p < s->live_count && s->blocks[p].start - high <= REGION_GAP; p++)
            if (block_end(&s->blocks[p]) > high)
                high = block_end(&s->blocks[p]);
        r->end = p;
        r->high = high;
        uint64_t entries = ((high - r->low) >> DIRECTORY_GRAIN_SHIFT) + 1;
        r->directory = NULL;
        if (used + entries > s->directory_capacity)
            continue;
        r->directory = s->directory + used;
        used += entries;
        uint32_t q = r->first;
        for (uint64_t e = 0; e < entries; e++) {
            uint64_t at = r->low + (e << DIRECTORY_GRAIN_SHIFT);
            while (q < r->end && block_end(&s->blocks[q]) <= at)
                q++;
            r->directory[e] = q;
        }
    }
}

static inline void push(scan *s, uint32_t block)
{
    if (s->stack_count < s->stack_capacity)
        s->stack[s->stack_count++] = block;
}

/* glibc's arena (top chunk, bins, last remainder) points at chunk headers. The header of
 * the chunk after a block lies inside the block's requested size whenever that size uses the
 * next chunk's prev_size field: such a word is allocator metadata, not a program pointer. */
static int is_next_chunk_header(uint64_t start, uint64_t word)
{
    uint64_t header = *(const uint64_t *)(uintptr_t)(start - 8);
    return word == start - 16 + (header & ~7ull);
}

/* ---- stale allocator links inside heap blocks ----
 * glibc keeps its free lists in the free chunks themselves: a chunk in a small, large or
 * unsorted bin holds fd/bk (and, in a large bin, fd_nextsize/bk_nextsize) right after its
 * size word, raw pointers to other chunks' headers. The program never wrote them, but they stay
 * in memory when the chunk is merged into a bigger free chunk that is later handed out (the old
 * header then sits inside the new block), and realloc copies them along with the program's data.
 * Read as pointers they point into live blocks: lost blocks look "possibly lost" (a realloc-heavy
 * program had 99.9% of its lost bytes demoted so). valgrind does not see them because memcheck
 * only follows words the program defined, LeakSanitizer because its allocator keeps free lists
 * outside the chunks. The links of the chunk a block was handed out as (its first words, and the
 * header realloc absorbs when it grows a block in place) are cleared by the hooks at that moment
 * (hooks/malloc.c): they sit where a program keeps its own first fields, so they are not guessed
 * at here. What is left are stale headers inside a block, recognised by their shape:
 *  - the word points at a chunk boundary inside another block (16-byte aligned, past its start:
 *    chunks are 16-aligned and at least 32 bytes), and
 *  - a stale chunk header lies just before the word, inside the same block: a size word (at
 *    least 32, a multiple of 16 apart from the flag bits, previous chunk in use as it always is
 *    for a chunk on a free list, not mmapped) at most STALE_LINK_WINDOW words earlier; or the
 *    target still holds the header the link was written for (a size word right after it).
 * Such a word is not taken as an interior pointer. A start pointer is always a pointer, and so is
 * any word in the roots. The price: a program's own interior pointer with that shape (stored a
 * few words after a small integer that looks like a chunk size, or aimed at a 16-aligned offset
 * followed by such an integer) no longer makes a block that nothing else reaches "possibly"
 * lost: it is reported definitely lost. */

#define CHUNK_FLAG_BITS 7ull
#define CHUNK_PREV_INUSE 1ull
#define CHUNK_IS_MMAPPED 2ull
#define CHUNK_MIN 32ull
#define STALE_LINK_WINDOW 6 /* fd, bk, fd_nextsize, bk_nextsize, and realloc's shifted copies */

static int chunk_size_word(uint64_t word, int prev_in_use)
{
    uint64_t size = word & ~CHUNK_FLAG_BITS;
    if ((word & CHUNK_IS_MMAPPED) || (prev_in_use && !(word & CHUNK_PREV_INUSE)))
        return 0;
    return size >= CHUNK_MIN && !(size & 15) && !(size >> 32);
}

/* Is `word`, read at address `at` inside the block at position `source`, one of glibc's stale
 * free-list links into the interior of the block at position `target`? */
static int stale_chunk_link(const scan *s, uint32_t source, uint64_t at, uint64_t word, uint32_t target)
{
    const scan_block *into = &s->blocks[target];
    uint64_t offset = word - into->start;
    if ((offset & 15) || offset < 16)
        return 0;
    const scan_block *block = &s->blocks[source];
    for (int k = 1; k <= STALE_LINK_WINDOW; k++) {
        uint64_t size_at = at - 8 * (uint64_t)k;
        if (size_at < block->start)
            break;
        if (chunk_size_word(*(const uint64_t *)(uintptr_t)size_at, 1))
            return 1;
    }
    return word + 16 <= block_end(into) && chunk_size_word(*(const uint64_t *)(uintptr_t)(word + 8), 0);
}

/* memcheck's rule: start pointer + definite source = reachable; anything else = possible.
 * `source` is the position of the heap block the word was read from (NO_BLOCK for roots) and
 * `at` its address. An interior pointer changes only an unreached block, so the tests that may
 * reject one (allocator metadata, a stale free-list link: each reads memory around the word or
 * in the target, a cache miss per word in a heap full of interior pointers) run only then: in
 * perl's exit scan, stale_chunk_link was 1.3% of the whole run before this order. */
static inline void consider_word(scan *s, uint64_t word, uint64_t at, int prior_definite, int allocator_data,
                                 uint32_t source)
{
    uint32_t p = block_at(s, word);
    if (p == NO_BLOCK)
        return;
    uint8_t state = s->state[p];
    if (word == s->blocks[p].start) {
        if (prior_definite ? state == REACHABLE : state != UNREACHED)
            return;
        s->state[p] = prior_definite ? REACHABLE : POSSIBLE;
        push(s, p);
        return;
    }
    if (state != UNREACHED)
        return;
    if (allocator_data && is_next_chunk_header(s->blocks[p].start, word))
        return;
    if (source != NO_BLOCK && stale_chunk_link(s, source, at, word, p))
        return;
    s->state[p] = POSSIBLE;
    push(s, p);
}

static inline void consider(scan *s, uint64_t word, int prior_definite)
{
    consider_word(s, word, 0, prior_definite, 0, NO_BLOCK);
}

static void scan_words(scan *s, uint64_t low, uint64_t high, int prior_definite, int allocator_data,
                       uint32_t source)
{
    low = (low + 7) & ~7ull;
    for (uint64_t p = low; p + 8 <= high; p += 8)
        consider_word(s, *(const uint64_t *)(uintptr_t)p, p, prior_definite, allocator_data, source);
}

static void drain_marks(scan *s)
{
    while (s->stack_count) {
        uint32_t p = s->stack[--s->stack_count];
        /* [start, end) holds the same words as [start, start + size): end = start + 1 only
         * for a zero-sized block, which has no word. */
        scan_words(s, s->blocks[p].start, block_end(&s->blocks[p]), s->state[p] == REACHABLE, 0, p);
    }
}

static void fault_handler(int signal, siginfo_t *info, void *context)
{
    scan *s = active_scan(NULL, 0);
    if (s)
        siglongjmp(s->fault, 1);
}

static void scan_root_piece(scan *s, uint64_t low, uint64_t high, int allocator_data);

/* Scan a root range minus every thread's copy of our own TLS block. */
static void scan_root(scan *s, uint64_t low, uint64_t high, int allocator_data)
{
    if (s->own_tls_size) {
        for (int t = 0; t < s->thread_count; t++) {
            uint64_t begin = s->threads[t].tp - s->own_tls_offset, end = begin + s->own_tls_size;
            if (begin < high && end > low) {
                scan_root(s, low, begin, allocator_data);
                scan_root(s, end, high, allocator_data);
                return;
            }
        }
    }
    scan_root_piece(s, low, high, allocator_data);
}

/* A fault (a mapping gone under us) abandons only that piece. */
static void scan_root_piece(scan *s, uint64_t low, uint64_t high, int allocator_data)
{
    if (high <= low)
        return;
    if (own_region_overlaps(low, high))
        return;
    /* No signal mask to save: the fault handler runs with SA_NODEFER, so the mask is the same
     * after it jumps back (saving it would be a system call for every piece of every root). */
    if (sigsetjmp(s->fault, 0) == 0) {
        scan_words(s, low, high, 1, allocator_data, NO_BLOCK);
        s->root_bytes += high - low;
    }
    drain_marks(s);
}

/* ---- step 3: roots in /proc/self/maps ---- */

static int contains(uint64_t start, uint64_t end, uint64_t address) { return address >= start && address < end; }

/* Scan an anonymous mapping that is not a malloc heap: everything except the live blocks in
 * it (the kernel merges neighbouring anonymous mappings, so an interpreter's arena can share a
 * VMA with an mmapped malloc chunk; the chunk is a block, the arena is roots). */
static void scan_between_blocks(scan *s, uint64_t low, uint64_t high)
{
    uint64_t cursor = low;
    for (uint32_t i = first_block_from(s, low); i < s->live_count; i++) {
        uint64_t start = s->blocks[i].start;
        if (start >= high)
            break;
        uint64_t chunk = start >= 16 ? start - 16 : start; /* glibc chunk header */
        if (chunk > cursor)
            scan_root(s, cursor, chunk, 0);
        uint64_t end = start + block_size(&s->blocks[i]);
        if (end > cursor)
            cursor = end;
    }
    if (cursor < high)
        scan_root(s, cursor, high, 0);
}

/* [low, high) minus the loaded objects' segments (scanned as such, or ours). */
static void scan_outside_segments(scan *s, uint64_t low, uint64_t high)
{
    for (int i = 0; i < s->segment_count && low < high; i++) {
        const root_range *seg = &s->segments[i];
        if (seg->high <= low || seg->low >= high)
            continue;
        if (seg->low > low)
            scan_outside_segments(s, low, seg->low);
        low = seg->high;
    }
    if (low < high)
        scan_between_blocks(s, low, high);
}

typedef struct mapping_walk {
    scan *s;
    const thread_roots *threads;
    int thread_count;
    int unstopped;            /* some signalled thread did not park: its stack is not known */
    proc_mapping previous;
} mapping_walk;

/* Stacks from sp to the top of their mapping; TLS around each thread pointer; anonymous
 * mappings that are neither glibc heaps, stacks nor ours. */
static int scan_mapping(const proc_mapping *mapping, void *context)
{
    mapping_walk *walk = context;
    scan *s = walk->s;
    const proc_mapping m = *mapping;
    int readable_writable = m.perms[0] == 'r' && m.perms[1] == 'w';
    int is_stack = 0;
    for (int t = 0; t < walk->thread_count; t++) {
        const thread_roots *thread = &walk->threads[t];
        if (contains(m.start, m.end, thread->sp)) {
            is_stack = 1;
            if (readable_writable)
                scan_root(s, thread->sp > m.start ? thread->sp : m.start, m.end, 0);
        }
        uint64_t tp = thread->tp;
        if (readable_writable && contains(m.start, m.end, tp)) {
            uint64_t low = tp > m.start + s->tls_static_size ? tp - s->tls_static_size : m.start;
            /* A thread's stack ends right below its static TLS, and the size glibc tells
             * includes the surplus it reserves: below the thread's stack pointer it is dead
             * stack (the scanner's own frames, for the thread running the check), not TLS. */
            if (thread->sp > low && thread->sp < tp)
                low = thread->sp;
            uint64_t high = tp + TCB_SCAN_BYTES < m.end ? tp + TCB_SCAN_BYTES : m.end;
            scan_root(s, low, high, 0);
        }
    }
    const proc_mapping *previous = &walk->previous;
    int after_guard = previous->end == m.start && previous->perms[0] == '-' && previous->perms[1] == '-';
    if (!is_stack && readable_writable && m.perms[3] == 'p' && m.anonymous && !m.special &&
        (!after_guard || walk->unstopped) && m.end - m.start <= ANONYMOUS_ROOT_LIMIT &&
        !own_region_overlaps(m.start, m.end) &&
        !(m.start % GLIBC_ARENA_HEAP_ALIGN == 0 && holds_blocks(s, m.start, m.end)))
        scan_outside_segments(s, m.start, m.end);
    walk->previous = m;
    return 0;
}

/* 0, or -errno when the maps could not be read (then stacks, TLS and anonymous roots were not
 * scanned, and the result must not be reported: it would call reachable blocks lost). */
static int scan_mappings(scan *s, const thread_roots *threads, int thread_count, int unstopped)
{
    mapping_walk walk = { s, threads, thread_count, unstopped, { 0 } };
    return maps_for_each(scan_mapping, &walk);
}

/* ---- step 3b: cliques of unreached blocks ---- */

/* The totals slot of a leader: found, or claimed when `create` (NULL when absent and not). */
static clique_total *clique_of(scan *s, uint32_t leader, int create)
{
    uint64_t mask = s->clique_capacity - 1;
    uint64_t slot = ((uint64_t)leader * 0x9e3779b97f4a7c15ull >> 20) & mask;
    for (;;) {
        clique_total *c = &s->cliques[slot];
        if (c->leader_plus_one == leader + 1)
            return c;
        if (!c->leader_plus_one) {
            if (!create)
                return NULL;
            c->leader_plus_one = leader + 1;
            return c;
        }
        slot = (slot + 1) & mask;
    }
}

static void absorb_clique(scan *s, uint32_t leader)
{
    push(s, leader);
    clique_total *total = NULL;
    while (s->stack_count) {
        uint32_t block = s->stack[--s->stack_count];
        uint64_t start = s->blocks[block].start, low = (start + 7) & ~7ull;
        uint64_t end = start + block_size(&s->blocks[block]);
        for (uint64_t p = low; p + 8 <= end; p += 8) {
            uint64_t word = *(const uint64_t *)(uintptr_t)p;
            uint32_t target = block_at(s, word);
            if (target == NO_BLOCK || target == leader || s->state[target] != UNREACHED)
                continue;
            if (word != s->blocks[target].start && stale_chunk_link(s, block, p, word, target))
                continue;
            /* Reached from another leaked block: indirect. If it led a clique of its own,
             * that clique now counts toward this leader. */
            s->state[target] = INDIRECT;
            if (!total)
                total = clique_of(s, leader, 1);
            total->bytes += block_size(&s->blocks[target]);
            total->blocks += 1;
            clique_total *absorbed = clique_of(s, target, 0);
            if (absorbed) {
                total->bytes += absorbed->bytes;
                total->blocks += absorbed->blocks;
                absorbed->bytes = 0;
                absorbed->blocks = 0;
            }
            push(s, target);
        }
    }
}

/* Room for the clique totals: one slot per unreached block at most (twice that, for probing). */
static int map_cliques(scan *s)
{
    uint64_t unreached = 0;
    for (uint32_t p = 0; p < s->live_count; p++)
        unreached += s->state[p] == UNREACHED;
    s->clique_capacity = 16;
    while (s->clique_capacity < 2 * unreached + 16)
        s->clique_capacity *= 2;
    s->cliques = own_map(s->clique_capacity * sizeof(clique_total), 1);
    return s->cliques ? 0 : -1;
}

/* ---- LeakSanitizer's marks (its runtime interface, preload/libinvisible/src/lsan.c) ----
 * Root regions: memory the program registered (__lsan_register_root_region) is scanned as a
 * root, page by page, so an inaccessible page is skipped and the rest still counts (as LSan
 * says it does). A fixed table in our .bss, taken under a spinlock: a thread stopped while it
 * holds it is let go until it releases it (internal.h), so the scan never waits on it. */
#define ROOT_REGION_CAPACITY 1024
#define ROOT_REGION_PAGE 4096ull

static struct root_region {
    uint64_t start, size;
} root_regions[ROOT_REGION_CAPACITY];
static int root_region_count;
static invisible_spinlock root_region_lock;

int invisible_instrument_root_region(uint64_t start, uint64_t size, int add)
{
    thread_state *thread = &thread_tls;
    guard_enter(thread, 1);
    spinlock_acquire(&root_region_lock);
    int result = -1;
    if (add) {
        if (root_region_count < ROOT_REGION_CAPACITY) {
            root_regions[root_region_count].start = start;
            root_regions[root_region_count].size = size;
            root_region_count++;
            result = 0;
        }
    } else {
        /* The most recent registration of exactly this range (LSan's rule: same pointer and size). */
        for (int i = root_region_count - 1; i >= 0; i--) {
            if (root_regions[i].start == start && root_regions[i].size == size) {
                root_regions[i] = root_regions[--root_region_count];
                result = 0;
                break;
            }
        }
    }
    spinlock_release(&root_region_lock);
    guard_leave(thread, 1);
    return result;
}

/* World stopped: no thread is inside the lock (see above). */
static void scan_root_regions(scan *s)
{
    for (int i = 0; i < root_region_count; i++) {
        uint64_t low = root_regions[i].start, high = low + root_regions[i].size;
        if (high < low)
            high = UINT64_MAX & ~7ull;
        for (uint64_t page = low; page < high;) {
            uint64_t next = (page | (ROOT_REGION_PAGE - 1)) + 1;
            if (next > high || next == 0)
                next = high;
            scan_root(s, page, next, 0);
            page = next;
        }
    }
}

/* __lsan_ignore_object: the block is moved into the memtable with RECORD_LOADER, the mark the
 * dynamic loader's own blocks carry: a root, never a leak (what LSan's kIgnored tag does). Its
 * record is taken out and put back under the thread's guard; a free of the same block racing
 * with this call is the program's bug, as under LSan. */
int invisible_instrument_ignore_block(uint64_t address)
{
    if (!instrument_state.table.ready)
        return -1;
    invisible_block_info info;
    if (!blocks_find(address, &info))
        return -1;
    thread_state *thread = &thread_tls;
    guard_enter(thread, 1);
    memtable_record record;
    int result = -1;
    if (memtable_remove(info.start, &record) ||
        (thread->nursery && nursery_remove_own(thread->nursery, info.start, &record))) {
        result = memtable_insert(record.start, record.size, record.trace_id, record.flags | RECORD_LOADER);
    }
    guard_leave(thread, 1);
    return result;
}

void invisible_instrument_ignore_allocations(int delta)
{
    thread_tls.ignore_allocations += delta;
}

/* ---- step 4: loss records ---- */

static uint32_t kind_of_state(uint8_t state)
{
    switch (state) {
    case REACHABLE: return INVISIBLE_STILL_REACHABLE;
    case POSSIBLE: return INVISIBLE_POSSIBLY_LOST;
    case INDIRECT: return INVISIBLE_INDIRECTLY_LOST;
    default: return INVISIBLE_DEFINITELY_LOST;
    }
}

static int record_before(const invisible_leak_record *a, const invisible_leak_record *b)
{
    uint64_t abytes = a->bytes + a->indirect_bytes, bbytes = b->bytes + b->indirect_bytes;
    if (abytes != bbytes)
        return abytes > bbytes;
    if (a->blocks != b->blocks)
        return a->blocks > b->blocks;
    if (a->kind != b->kind)
        return a->kind < b->kind;
    return a->trace_id < b->trace_id;
}

static void sift_down(invisible_leak_record *r, uint64_t root, uint64_t count)
{
    for (;;) {
        uint64_t child = 2 * root + 1;
        if (child >= count)
            return;
        /* max-heap on "comes later", so the sorted array runs biggest first */
        if (child + 1 < count && record_before(&r[child + 1], &r[child]) == 0)
            child++;
        if (record_before(&r[root], &r[child]) == 0)
            return;
        invisible_leak_record t = r[root];
        r[root] = r[child];
        r[child] = t;
        root = child;
    }
}

static void sort_records(invisible_leak_record *r, uint64_t count)
{
    if (count < 2)
        return;
    for (uint64_t i = count / 2; i-- > 0;)
        sift_down(r, i, count);
    for (uint64_t end = count - 1; end > 0; end--) {
        invisible_leak_record t = r[0];
        r[0] = r[end];
        r[end] = t;
        sift_down(r, 0, end);
    }
}

static int build_records(scan *s, invisible_leak_summary *summary)
{
    leakcheck_state *ls = &instrument_state.leaks;
    /* A record per (trace, kind): at most four per trace, and at most one per block. */
    uint64_t traces = atomic_load_explicit(&instrument_state.traces.id_top, memory_order_relaxed) + 1;
    uint64_t most = 4 * traces < s->live_count ? 4 * traces : s->live_count;
    uint64_t capacity = 16;
    while (capacity < 2 * most + 16)
        capacity *= 2;
    uint32_t *slots = own_map(capacity * sizeof(uint32_t), 1); /* 1 + record position */
    uint64_t record_bytes = (s->live_count + 1) * sizeof(invisible_leak_record);
    if (ls->records)
        own_unmap(ls->records, ls->record_capacity * sizeof(invisible_leak_record));
    ls->records = own_map(record_bytes, 1);
    ls->record_capacity = s->live_count + 1;
    if (!slots || !ls->records)
        return -1;
    uint64_t count = 0;
    for (uint32_t i = 0; i < s->live_count; i++) {
        uint32_t trace_id = block_trace(&s->blocks[i]);
        uint64_t size = block_size(&s->blocks[i]);
        uint32_t kind = kind_of_state(s->state[i]);
        summary->blocks[kind]++;
        summary->bytes[kind] += size;
        uint64_t key = ((uint64_t)trace_id << 2 | kind) * 0x9e3779b97f4a7c15ull;
        uint64_t slot = (key >> 20) & (capacity - 1);
        invisible_leak_record *record = NULL;
        while (slots[slot]) {
            invisible_leak_record *candidate = &ls->records[slots[slot] - 1];
            if (candidate->trace_id == trace_id && candidate->kind == kind) {
                record = candidate;
                break;
            }
            slot = (slot + 1) & (capacity - 1);
        }
        if (!record) {
            record = &ls->records[count];
            memset(record, 0, sizeof *record);
            record->kind = kind;
            record->trace_id = trace_id;
            record->example_block = s->blocks[i].start;
            slots[slot] = (uint32_t)++count;
        }
        record->blocks++;
        record->bytes += size;
        const clique_total *clique = kind == INVISIBLE_DEFINITELY_LOST && s->cliques ? clique_of(s, i, 0) : NULL;
        if (clique) {
            record->indirect_bytes += clique->bytes;
            record->indirect_blocks += clique->blocks;
        }
    }
    own_unmap(slots, capacity * sizeof(uint32_t));
    sort_records(ls->records, count);
    summary->records = ls->records;
    summary->record_count = count;
    return 0;
}

/* ---- the whole check ---- */

static void unmap_scan(scan *s)
{
    own_unmap(s->blocks, (size_t)s->capacity * sizeof(scan_block));
    own_unmap(s->state, s->capacity);
    if (s->directory)
        own_unmap(s->directory, s->directory_capacity * 4);
    own_unmap(s->stack, s->stack_capacity * 4);
    if (s->cliques)
        own_unmap(s->cliques, s->clique_capacity * sizeof(clique_total));
}

/* The small fixed tables: in our .bss, not mapped per check (a short-lived process pays every
 * system call of its exit report; only the pages a check touches are committed, and our .bss is
 * never a root). One check runs at a time (active_scan). */
static scan_scratch scratch_tables;

/* Everything else is reserved (MAP_NORESERVE) for the worst case and committed only as it is
 * touched: the tables by the live blocks, the stack as deep as marking goes. */
static int map_scan(scan *s)
{
    s->records = instrument_state.table.records;
    s->limit = memtable_record_limit();
    /* Moving the nurseries into the table (once the world is stopped) adds at most one record
     * per nursery entry, plus one refill of each thread's record cache. */
    uint64_t slots = atomic_load(&instrument_state.threads.slot_top);
    s->capacity = s->limit + (uint32_t)(slots * (NURSERY_SLOTS + 64) + 64);
    s->stack_capacity = 2ull * s->capacity + 1024;
    s->blocks = own_map((size_t)s->capacity * sizeof(scan_block), 1);
    s->state = own_map(s->capacity, 1);
    /* Under an address-space limit, what the budget allows (primitives/memory.c), down to none:
     * regions without a directory are binary-searched. */
    uint64_t budget = own_reserve_budget();
    s->directory_capacity = DIRECTORY_LIMIT;
    while (budget != UINT64_MAX && s->directory_capacity && s->directory_capacity * 4 > budget / 4)
        s->directory_capacity /= 2;
    /* After mlockall(MCL_FUTURE) every new mapping is faulted in whole: reserve only about what a
     * directory for these blocks can use. */
    while (instrument_state.own.mlock_future && s->directory_capacity > 4096 &&
           s->directory_capacity / 8 > s->capacity)
        s->directory_capacity /= 2;
    s->directory = NULL;
    while (s->directory_capacity >= 4096 && !(s->directory = own_map(s->directory_capacity * 4, 1)))
        s->directory_capacity /= 2;
    if (!s->directory)
        s->directory_capacity = 0;
    s->stack = own_map(s->stack_capacity * 4, 1);
    s->scratch = &scratch_tables;
    if (!s->blocks || !s->state || !s->stack)
        return -1;
    s->roots = s->scratch->roots;
    s->threads = s->scratch->threads;
    s->regions = s->scratch->regions;
    s->segments = s->scratch->segments;
    return 0;
}

static void current_thread_roots(thread_roots *self)
{
    uint64_t here = (uint64_t)(uintptr_t)__builtin_frame_address(0);
    uint64_t low = instrument_state.leaks.exit_stack_low;
    /* The recorded exit frame counts only if it is on this thread's stack, above us. */
    self->sp = (low > here && low - here < (64ull << 20)) ? low : here;
    self->tp = (uint64_t)pthread_self();
}

const invisible_leak_summary *leakcheck_run(void)
{
    if (!instrument_state.table.ready)
        return NULL;
    thread_state *thread = &thread_tls;
    guard_enter(thread, INVISIBLE_GUARD_LONG); /* the stopper: never parked itself */
    scan s;
    memset(&s, 0, sizeof s);
    uint64_t started = prim_now_ns();
    instrument_state.leaks.failure = 0;
    if (map_scan(&s) != 0) {
        unmap_scan(&s);
        instrument_state.leaks.failure = ENOMEM;
        guard_leave(thread, INVISIBLE_GUARD_LONG);
        return NULL;
    }
    phdr_walk walk = { &s, 0 };
    own_module_base(&walk.own_base);
    dl_iterate_phdr(collect_segment, &walk);
    s.tls_static_size = static_tls_size();

    const stopped_thread *stopped = NULL;
    int signalled = 0;
    errno = 0;
    int parked = stopworld_stop(&stopped, &signalled);
    if (parked < 0) { /* the threads are unknown (no descriptor left for /proc/self/task) */
        instrument_state.leaks.failure = errno ? errno : EAGAIN;
        unmap_scan(&s);
        guard_leave(thread, INVISIBLE_GUARD_LONG);
        return NULL;
    }

    thread_roots *threads = s.threads;
    int thread_count = 0;
    current_thread_roots(&threads[thread_count++]);
    for (int i = 0; i < parked; i++) {
        threads[thread_count].sp = stopped[i].sp;
        threads[thread_count].tp = stopped[i].thread_pointer;
        thread_count++;
    }
    s.thread_count = thread_count;
    /* Every thread is parked outside our hooks: their nurseries can be moved into the table. */
    nursery_flush_all();
    s.limit = memtable_record_limit();
    if (s.limit > s.capacity)
        s.limit = s.capacity; /* cannot happen (see map_scan); never index past the arrays */

    struct sigaction fault_action, old_segv, old_bus;
    memset(&fault_action, 0, sizeof fault_action);
    fault_action.sa_sigaction = fault_handler;
    fault_action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &fault_action, &old_segv);
    sigaction(SIGBUS, &fault_action, &old_bus);
    active_scan(&s, 1);

    collect_live_blocks(&s); /* also pushes the loader's blocks, roots */
    drain_marks(&s);
    for (int i = 0; i < s.root_count; i++)
        scan_root(&s, s.roots[i].low, s.roots[i].high, s.roots[i].allocator_data);
    int maps_error = scan_mappings(&s, threads, thread_count, parked < signalled);
    /* Registers: of stopped threads, and the callee-saved ones live when exit() was called. */
    for (int i = 0; i < parked; i++) {
        for (int r = 0; r < STOPWORLD_REGISTER_COUNT; r++)
            consider(&s, stopped[i].registers[r], 1);
        /* a block in the middle of a realloc: in no table, but the program's */
        scan_root(&s, stopped[i].moving_low, stopped[i].moving_high, 0);
    }
    for (int r = 0; r < 6; r++)
        consider(&s, instrument_state.leaks.exit_registers[r], 1);
    scan_root_regions(&s);
    drain_marks(&s);
    if (map_cliques(&s) == 0)
        for (uint32_t p = 0; p < s.live_count; p++)
            if (s.state[p] == UNREACHED)
                absorb_clique(&s, p);

    active_scan(NULL, 1);
    sigaction(SIGSEGV, &old_segv, NULL);
    sigaction(SIGBUS, &old_bus, NULL);
    stopworld_resume();

    invisible_leak_summary *summary = &instrument_state.leaks.summary;
    memset(summary, 0, sizeof *summary);
    if (maps_error) {
        instrument_state.leaks.failure = -maps_error;
        unmap_scan(&s);
        guard_leave(thread, INVISIBLE_GUARD_LONG);
        return NULL;
    }
    int ok = build_records(&s, summary) == 0;
    if (!ok)
        instrument_state.leaks.failure = ENOMEM;
    summary->scanned_root_bytes = s.root_bytes;
    summary->threads_stopped = (uint64_t)parked;
    summary->scan_nanoseconds = prim_now_ns() - started;
    unmap_scan(&s);
    guard_leave(thread, INVISIBLE_GUARD_LONG);
    return ok ? summary : NULL;
}
