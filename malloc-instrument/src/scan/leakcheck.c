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
 * end.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define ROOT_CAPACITY 8192
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
 * sequentially once and then once per block. */
#define NO_BLOCK UINT32_MAX

/* A block's [start, end) side by side: the mark loop's lookups read both, one cache line. */

/* What the radix sort carries: everything the scan needs from a record, so that after the
 * sequential pass over the record pool no record is read again (a random read per block cost
 * ~100 ms of a 1e6-block scan). */
typedef struct sort_item {
    uint64_t start, size;
    uint32_t trace_id;
    uint32_t index;    /* record index | SORT_LOADER */
} sort_item;
#define SORT_LOADER 0x80000000u /* record indices stay below 2^28 (MEMTABLE_RECORD_CAPACITY) */
typedef struct block_span {
    uint64_t start, end;
} block_span;

typedef struct scan {
    memtable_record *records;
    uint32_t limit;            /* record indices are < limit */
    uint32_t capacity;         /* per-block arrays are sized for this many */
    uint8_t *state;            /* per position */
    uint64_t *indirect_bytes;  /* per clique leader (position) */
    uint64_t *indirect_blocks;
    uint32_t *live;            /* per position: the record index */
    uint32_t live_count;
    block_span *spans;         /* per position: [start, end) (end = start + 1 for size 0) */
    struct sort_item *sorting; /* 2 * capacity: collect_live_blocks' radix sort */
    uint64_t *sizes;           /* per position: the requested size */
    uint32_t *traces;          /* per position: the trace id */
    uint32_t *position;        /* per record index: its position */
    struct scan_region *regions; /* the heap span cut at large gaps, each with a directory */
    uint32_t region_count;
    uint32_t *directory;       /* per DIRECTORY_GRAIN bytes of a region: first position ending after it */
    uint64_t directory_capacity;
    uint32_t *stack;
    uint64_t stack_count, stack_capacity;
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
} scan;

/* The fault handler needs to find the scan; only one scan runs at a time. */
static scan *active_scan(scan *set, int assign)
{
    if (assign)
        instrument_state.leaks.active_scan = set;
    return instrument_state.leaks.active_scan;
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

/* LSD radix sort of the items by start, in 12-bit digits of (start - lowest) / 16: only as many
 * passes as the heap's span needs (two up to 256 MiB, four for arenas spread over the address
 * space). Returns the sorted array (one of the two halves of s->sorting). */
static sort_item *radix_sort_live(scan *s)
{
    sort_item *from = s->sorting, *to = s->sorting + s->capacity;
    uint64_t range = (s->highest - s->lowest) >> 4;
    for (int shift = 0; shift == 0 || (range >> shift) != 0; shift += 12) {
        uint32_t counts[4096];
        memset(counts, 0, sizeof counts);
        for (uint32_t i = 0; i < s->live_count; i++)
            counts[((from[i].start - s->lowest) >> (4 + shift)) & 4095]++;
        uint32_t total = 0;
        for (int d = 0; d < 4096; d++) {
            uint32_t c = counts[d];
            counts[d] = total;
            total += c;
        }
        for (uint32_t i = 0; i < s->live_count; i++)
            to[counts[((from[i].start - s->lowest) >> (4 + shift)) & 4095]++] = from[i];
        sort_item *swap = from;
        from = to;
        to = swap;
    }
    return from;
}

static inline void push(scan *s, uint32_t block);

static int collect_live_blocks(scan *s)
{
    s->live_count = 0;
    s->lowest = UINT64_MAX;
    s->highest = 0;
    for (uint32_t i = 1; i < s->limit; i++) {
        const memtable_record *r = &s->records[i];
        if (!(r->flags & RECORD_LIVE))
            continue;
        sort_item *item = &s->sorting[s->live_count++];
        item->start = r->start;
        item->size = r->size;
        item->trace_id = r->trace_id;
        item->index = i | ((r->flags & RECORD_LOADER) ? SORT_LOADER : 0);
        if (r->start < s->lowest)
            s->lowest = r->start;
        uint64_t end = r->start + (r->size ? r->size : 1);
        if (end > s->highest)
            s->highest = end;
    }
    const sort_item *sorted = s->live_count ? radix_sort_live(s) : s->sorting;
    for (uint32_t p = 0; p < s->live_count; p++) {
        const sort_item *item = &sorted[p];
        uint32_t index = item->index & ~SORT_LOADER;
        s->live[p] = index;
        s->sizes[p] = item->size;
        s->traces[p] = item->trace_id;
        s->spans[p].start = item->start;
        s->spans[p].end = item->start + (item->size ? item->size : 1);
        s->position[index] = p;
        /* The loader's own blocks are roots: loader state keeps them (LSan does the same). */
        if (item->index & SORT_LOADER) {
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
        if (s->spans[mid].start < low)
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
    return i < s->live_count && s->spans[i].start < high;
}

/* The position of a sorted live block from its record index, or NO_BLOCK. */
static inline uint32_t position_of(const scan *s, uint32_t index)
{
    if (!index || index >= s->limit)
        return NO_BLOCK;
    uint32_t p = s->position[index];
    return p < s->live_count && s->live[p] == index ? p : NO_BLOCK;
}

/* The live block containing `word`, as a position (NO_BLOCK: none), for regions without a
 * directory. The world is stopped and the blocks are sorted, so the memtable's bucket is used
 * only as a hint: its head is some block starting in that KiB, and the containing block, if
 * any, is the last one (in address order) starting at or before `word` — a few steps away in
 * contiguous arrays. */
static uint32_t block_at_by_hint(const scan *s, uint64_t word)
{
    const memtable_bucket *bucket = &instrument_state.table.buckets[word >> MEMTABLE_BUCKET_SHIFT];
    uint32_t hint = atomic_load_explicit(&bucket->head, memory_order_relaxed) & ~MEMTABLE_LOCK_BIT;
    if (!hint) {
        hint = atomic_load_explicit(&bucket->cover, memory_order_relaxed);
        if (!hint || hint >= s->limit || !(s->records[hint].flags & RECORD_LIVE))
            return position_of(s, memtable_find(word, 0)); /* large blocks, or none */
    }
    uint32_t p = position_of(s, hint);
    if (p == NO_BLOCK)
        return position_of(s, memtable_find(word, 0)); /* not a sorted live block: be exact the slow way */
    while (p + 1 < s->live_count && s->spans[p + 1].start <= word)
        p++;
    while (p > 0 && s->spans[p].start > word)
        p--;
    return s->spans[p].start <= word && word < s->spans[p].end ? p : NO_BLOCK;
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
        return NO_BLOCK;
    const scan_region *r = &s->regions[lo - 1];
    if (word >= r->high)
        return NO_BLOCK;
    if (!r->directory)
        return block_at_by_hint(s, word);
    uint32_t p = r->directory[(word - r->low) >> DIRECTORY_GRAIN_SHIFT];
    while (p < r->end && s->spans[p].end <= word)
        p++;
    return p < r->end && s->spans[p].start <= word ? p : NO_BLOCK;
}

/* Cut the sorted blocks into regions and fill their directories. */
static void build_regions(scan *s)
{
    uint64_t used = 0;
    s->region_count = 0;
    for (uint32_t p = 0; p < s->live_count;) {
        if (s->region_count == REGION_CAPACITY) {
            s->region_count = 0; /* absurdly fragmented: bucket hints only */
            return;
        }
        scan_region *r = &s->regions[s->region_count++];
        r->first = p;
        r->low = s->spans[p].start & ~((1ull << DIRECTORY_GRAIN_SHIFT) - 1);
        uint64_t high = s->spans[p].end;
        for (p++; p < s->live_count && s->spans[p].start - high <= REGION_GAP; p++)
            if (s->spans[p].end > high)
                high = s->spans[p].end;
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
            while (q < r->end && s->spans[q].end <= at)
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

/* memcheck's rule: start pointer + definite source = reachable; anything else = possible. */
static inline void consider_root(scan *s, uint64_t word, int prior_definite, int allocator_data)
{
    uint32_t p = block_at(s, word);
    if (p == NO_BLOCK)
        return;
    uint64_t start = s->spans[p].start;
    if (allocator_data && word != start && is_next_chunk_header(start, word))
        return;
    uint8_t state = s->state[p];
    if (word == start && prior_definite) {
        if (state != REACHABLE) {
            s->state[p] = REACHABLE;
            push(s, p);
        }
    } else if (state == UNREACHED) {
        s->state[p] = POSSIBLE;
        push(s, p);
    }
}

static inline void consider(scan *s, uint64_t word, int prior_definite)
{
    consider_root(s, word, prior_definite, 0);
}

static void scan_words(scan *s, uint64_t low, uint64_t high, int prior_definite, int allocator_data)
{
    low = (low + 7) & ~7ull;
    for (uint64_t p = low; p + 8 <= high; p += 8)
        consider_root(s, *(const uint64_t *)(uintptr_t)p, prior_definite, allocator_data);
}

static void drain_marks(scan *s)
{
    while (s->stack_count) {
        uint32_t p = s->stack[--s->stack_count];
        /* [start, end) holds the same words as [start, start + size): end = start + 1 only
         * for a zero-sized block, which has no word. */
        scan_words(s, s->spans[p].start, s->spans[p].end, s->state[p] == REACHABLE, 0);
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
    if (sigsetjmp(s->fault, 1) == 0) {
        scan_words(s, low, high, 1, allocator_data);
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
        uint64_t start = s->spans[i].start;
        if (start >= high)
            break;
        uint64_t chunk = start >= 16 ? start - 16 : start; /* glibc chunk header */
        if (chunk > cursor)
            scan_root(s, cursor, chunk, 0);
        uint64_t end = start + s->sizes[i];
        if (end > cursor)
            cursor = end;
    }
    if (cursor < high)
        scan_root(s, cursor, high, 0);
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
        scan_between_blocks(s, m.start, m.end);
    walk->previous = m;
    return 0;
}

static void scan_mappings(scan *s, const thread_roots *threads, int thread_count, int unstopped)
{
    mapping_walk walk = { s, threads, thread_count, unstopped, { 0 } };
    maps_for_each(scan_mapping, &walk);
}

/* ---- step 3b: cliques of unreached blocks ---- */

static void absorb_clique(scan *s, uint32_t leader)
{
    push(s, leader);
    while (s->stack_count) {
        uint32_t block = s->stack[--s->stack_count];
        uint64_t start = s->spans[block].start, low = (start + 7) & ~7ull;
        for (uint64_t p = low; p + 8 <= start + s->sizes[block]; p += 8) {
            uint32_t target = block_at(s, *(const uint64_t *)(uintptr_t)p);
            if (target == NO_BLOCK || target == leader || s->state[target] != UNREACHED)
                continue;
            /* Reached from another leaked block: indirect. If it led a clique of its own,
             * that clique now counts toward this leader. */
            s->state[target] = INDIRECT;
            s->indirect_bytes[leader] += s->sizes[target] + s->indirect_bytes[target];
            s->indirect_blocks[leader] += 1 + s->indirect_blocks[target];
            s->indirect_bytes[target] = 0;
            s->indirect_blocks[target] = 0;
            push(s, target);
        }
    }
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
    uint64_t capacity = 16;
    while (capacity < 2ull * s->live_count + 16)
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
        uint32_t trace_id = s->traces[i];
        uint64_t size = s->sizes[i];
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
            record->example_block = s->spans[i].start;
            slots[slot] = (uint32_t)++count;
        }
        record->blocks++;
        record->bytes += size;
        if (kind == INVISIBLE_DEFINITELY_LOST) {
            record->indirect_bytes += s->indirect_bytes[i];
            record->indirect_blocks += s->indirect_blocks[i];
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
    own_unmap(s->state, s->capacity);
    own_unmap(s->indirect_bytes, (size_t)s->capacity * 8);
    own_unmap(s->indirect_blocks, (size_t)s->capacity * 8);
    own_unmap(s->live, (size_t)s->capacity * 4);
    own_unmap(s->sorting, (size_t)s->capacity * 2 * sizeof(sort_item));
    own_unmap(s->sizes, (size_t)s->capacity * 8);
    own_unmap(s->spans, (size_t)s->capacity * sizeof(block_span));
    own_unmap(s->traces, (size_t)s->capacity * 4);
    own_unmap(s->position, (size_t)s->capacity * 4);
    own_unmap(s->regions, REGION_CAPACITY * sizeof(scan_region));
    own_unmap(s->directory, s->directory_capacity * 4);
    own_unmap(s->stack, s->stack_capacity * 4);
    own_unmap(s->roots, ROOT_CAPACITY * sizeof(root_range));
    own_unmap(s->threads, (STOPWORLD_MAX_THREADS + 1) * sizeof(thread_roots));
}

static int map_scan(scan *s)
{
    s->records = instrument_state.table.records;
    s->limit = memtable_record_limit();
    /* Moving the nurseries into the table (once the world is stopped) adds at most one record
     * per nursery entry, plus one refill of each thread's record cache. */
    uint64_t slots = atomic_load(&instrument_state.threads.slot_top);
    s->capacity = s->limit + (uint32_t)(slots * (NURSERY_SLOTS + 64) + 64);
    s->stack_capacity = 2ull * s->capacity + 1024;
    s->state = own_map(s->capacity, 1);
    s->indirect_bytes = own_map((size_t)s->capacity * 8, 1);
    s->indirect_blocks = own_map((size_t)s->capacity * 8, 1);
    s->live = own_map((size_t)s->capacity * 4, 1);
    s->sorting = own_map((size_t)s->capacity * 2 * sizeof(sort_item), 1);
    s->sizes = own_map((size_t)s->capacity * 8, 1);
    s->spans = own_map((size_t)s->capacity * sizeof(block_span), 1);
    s->traces = own_map((size_t)s->capacity * 4, 1);
    s->position = own_map((size_t)s->capacity * 4, 1);
    s->regions = own_map(REGION_CAPACITY * sizeof(scan_region), 1);
    s->directory_capacity = DIRECTORY_LIMIT;
    s->directory = own_map(s->directory_capacity * 4, 1); /* reserved; only what is used is touched */
    s->stack = own_map(s->stack_capacity * 4, 1);
    s->roots = own_map(ROOT_CAPACITY * sizeof(root_range), 1);
    s->threads = own_map((STOPWORLD_MAX_THREADS + 1) * sizeof(thread_roots), 1);
    return s->regions && s->directory && s->sorting && s->sizes && s->spans && s->traces && s->position && s->threads && s->state && s->indirect_bytes && s->indirect_blocks && s->live && s->stack && s->roots
               ? 0 : -1;
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
    thread->guard.in_hook++;
    scan s;
    memset(&s, 0, sizeof s);
    uint64_t started = prim_now_ns();
    if (map_scan(&s) != 0) {
        unmap_scan(&s);
        thread->guard.in_hook--;
        return NULL;
    }
    phdr_walk walk = { &s, 0 };
    own_module_base(&walk.own_base);
    dl_iterate_phdr(collect_segment, &walk);
    s.tls_static_size = static_tls_size();

    const stopped_thread *stopped = NULL;
    int signalled = 0;
    int parked = stopworld_stop(&stopped, &signalled);
    if (parked < 0)
        parked = 0;

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
    scan_mappings(&s, threads, thread_count, parked < signalled);
    /* Registers: of stopped threads, and the callee-saved ones live when exit() was called. */
    for (int i = 0; i < parked; i++)
        for (int r = 0; r < STOPWORLD_REGISTER_COUNT; r++)
            consider(&s, stopped[i].registers[r], 1);
    for (int r = 0; r < 6; r++)
        consider(&s, instrument_state.leaks.exit_registers[r], 1);
    drain_marks(&s);
    for (uint32_t p = 0; p < s.live_count; p++)
        if (s.state[p] == UNREACHED)
            absorb_clique(&s, p);

    active_scan(NULL, 1);
    sigaction(SIGSEGV, &old_segv, NULL);
    sigaction(SIGBUS, &old_bus, NULL);
    stopworld_resume();

    invisible_leak_summary *summary = &instrument_state.leaks.summary;
    memset(summary, 0, sizeof *summary);
    int ok = build_records(&s, summary) == 0;
    summary->scanned_root_bytes = s.root_bytes;
    summary->threads_stopped = (uint64_t)parked;
    summary->scan_nanoseconds = prim_now_ns() - started;
    unmap_scan(&s);
    thread->guard.in_hook--;
    return ok ? summary : NULL;
}
