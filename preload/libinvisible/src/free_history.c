/* free_history.c — a record of the last N frees, so that a read through a pointer into a freed
 * block can say which block it was (DwarfPython: "read of freed block 0x... (48 bytes, allocated
 * at ..., freed at ...)"). The memtable keeps live blocks only: an address it does not know may
 * be freed, or allocated before tracking began, or allocated by an untracked thread of ours.
 *
 * What it holds: a ring of the last N freed blocks (start, size, allocation trace, free trace,
 * sequence number), and an index by 4 KiB page: every block is linked under each page it covers
 * (at most FREE_PAGES_MAX pages), newest first, in a hash table of chain heads. "Is ADDRESS in a
 * freed block" walks one chain: a few loads, no lock, usually a miss.
 *
 * When: only while a user wants it (query API free_history(1): a DwarfPython session), because
 * the hooks then pay the free's record and site (forget_slow with a record instead of the
 * nursery's fast remove, a capture of the free site) plus the stores here: the free path of a
 * program nobody is looking at is unchanged (malloc-instrument's HOOKS_FREE_OBSERVER bit).
 *
 * Concurrency: frees on any thread write at once, no lock (the hooks must not wait on one, and a
 * lock held by a thread that fork() left behind would hang the child): a slot is claimed by an
 * atomic increment of a counter and published seqlock-style (sequence 0 while it is written, its
 * own sequence once whole). A reader copies a slot and checks the sequence before and after: a
 * slot being rewritten ends the chain walk (a block freed concurrently may or may not be seen,
 * as query.h says of every lookup). Walks are bounded (FREE_WALK_MAX links).
 *
 * Memory: N entries of 32 bytes, 2N links of 32 bytes, N chain heads of 8 bytes (104 bytes per
 * recorded free: 832 KiB for the default 8,192), mapped on first use. INVISIBLE_FREE_HISTORY=N
 * sets N (rounded up to a power of two, at least 16, at most 2^20), 0 turns the record off.
 *
 * Leak check: every word stored here is xor'ed with HIDE_MASK (top 17 bits set: never a canonical
 * user-space address), so the leak scan, which reads anonymous mappings as roots, never takes a
 * freed block's address (or a sequence number that looks like one) for a pointer. */
#define _GNU_SOURCE
#include "internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>

#define FREE_PAGES_MAX 32u /* 128 KiB: every block below glibc's default mmap threshold, whole */
#define FREE_WALK_MAX 256
#define PAGE_SHIFT 12
#define HIDE_MASK 0xffff800000000000ull
#define HIDE(word) ((uint64_t)(word) ^ HIDE_MASK)

typedef struct freed_entry {
    _Atomic uint64_t seq; /* HIDE(sequence), HIDE(0) while written, 0 never written */
    _Atomic uint64_t start;
    _Atomic uint64_t size;
    _Atomic uint64_t traces; /* alloc_trace << 32 | free_trace */
} freed_entry;

typedef struct freed_link {
    _Atomic uint64_t seq; /* HIDE(link sequence), HIDE(0) while written, 0 never written */
    _Atomic uint64_t entry_seq;
    _Atomic uint64_t page;
    _Atomic uint64_t next; /* HIDE(next link's sequence), HIDE(0) or 0 = end */
} freed_link;

static struct {
    freed_entry *entries;
    freed_link *links;
    _Atomic uint64_t *heads; /* HIDE(newest link's sequence) per page hash, HIDE(0) or 0 = empty */
    uint64_t capacity;       /* entries: a power of two; links 2x; heads 1x */
    unsigned head_bits;
    _Atomic uint64_t entry_count, link_count;
    int users;
    int unavailable; /* 1: INVISIBLE_FREE_HISTORY=0 or the mapping failed */
    pthread_mutex_t control;
} history = { .control = PTHREAD_MUTEX_INITIALIZER };

static inline uint64_t head_index(uint64_t page)
{
    return (page * 0x9e3779b97f4a7c15ull) >> (64 - history.head_bits);
}

static inline void store(_Atomic uint64_t *word, uint64_t value)
{
    atomic_store_explicit(word, HIDE(value), memory_order_relaxed);
}

static inline uint64_t load(_Atomic uint64_t *word)
{
    return HIDE(atomic_load_explicit(word, memory_order_relaxed));
}

/* A sequence word (entry or link `seq`, a chain head, a link's `next`): 0 for a word never written (the mapping's
 * zeros; HIDE of a real sequence is never 0, since sequences stay far below HIDE_MASK). */
static inline uint64_t decode_sequence(uint64_t raw)
{
    return raw == 0 ? 0 : HIDE(raw);
}

static inline uint64_t load_sequence(_Atomic uint64_t *word, memory_order order)
{
    return decode_sequence(atomic_load_explicit(word, order));
}

/* ---- the free side: called by the hooks (in_hook raised), no allocation, no lock ---- */

static void link_page(uint64_t entry_seq, uint64_t page)
{
    uint64_t seq = atomic_fetch_add_explicit(&history.link_count, 1, memory_order_relaxed) + 1;
    freed_link *link = &history.links[seq & (2 * history.capacity - 1)];
    atomic_store_explicit(&link->seq, HIDE(0), memory_order_relaxed);
    atomic_thread_fence(memory_order_release); /* the fields below are seen after the 0, never before */
    store(&link->entry_seq, entry_seq);
    store(&link->page, page);
    uint64_t previous = atomic_exchange_explicit(&history.heads[head_index(page)], HIDE(seq), memory_order_acq_rel);
    atomic_store_explicit(&link->next, previous, memory_order_relaxed);
    atomic_store_explicit(&link->seq, HIDE(seq), memory_order_release);
}

static void note_free(uint64_t start, uint64_t size, uint32_t alloc_trace, uint32_t free_trace)
{
    uint64_t seq = atomic_fetch_add_explicit(&history.entry_count, 1, memory_order_relaxed) + 1;
    freed_entry *entry = &history.entries[seq & (history.capacity - 1)];
    atomic_store_explicit(&entry->seq, HIDE(0), memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    store(&entry->start, start);
    store(&entry->size, size);
    store(&entry->traces, (uint64_t)alloc_trace << 32 | free_trace);
    atomic_store_explicit(&entry->seq, HIDE(seq), memory_order_release);
    uint64_t first = start >> PAGE_SHIFT, last = (start + (size ? size - 1 : 0)) >> PAGE_SHIFT;
    if (last - first >= FREE_PAGES_MAX)
        last = first + FREE_PAGES_MAX - 1;
    for (uint64_t page = first; page <= last; page++)
        link_page(seq, page);
}

/* ---- the query side ---- */

typedef struct link_copy {
    uint64_t entry_seq, page, next;
} link_copy;

/* A consistent copy of link `seq`, or 0 when it has been (or is being) rewritten since. */
static int read_link(uint64_t seq, link_copy *out)
{
    freed_link *link = &history.links[seq & (2 * history.capacity - 1)];
    if (load_sequence(&link->seq, memory_order_acquire) != seq)
        return 0;
    out->entry_seq = load(&link->entry_seq);
    out->page = load(&link->page);
    out->next = load_sequence(&link->next, memory_order_relaxed);
    atomic_thread_fence(memory_order_acquire);
    return load_sequence(&link->seq, memory_order_relaxed) == seq;
}

static int read_entry(uint64_t seq, invisible_freed_block *out)
{
    freed_entry *entry = &history.entries[seq & (history.capacity - 1)];
    if (load_sequence(&entry->seq, memory_order_acquire) != seq)
        return 0;
    out->start = load(&entry->start);
    out->size = load(&entry->size);
    uint64_t traces = load(&entry->traces);
    atomic_thread_fence(memory_order_acquire);
    if (load_sequence(&entry->seq, memory_order_relaxed) != seq)
        return 0;
    out->alloc_trace = (uint32_t)(traces >> 32);
    out->free_trace = (uint32_t)traces;
    return 1;
}

static int inside(const invisible_freed_block *block, uint64_t address)
{
    return address >= block->start && address - block->start < (block->size ? block->size : 1);
}

/* The newest recorded free whose block contains `address`, unless a live block contains it now
 * (the memtable wins: the memory was allocated again). */
static int freed_block(uint64_t address, invisible_freed_block *out)
{
    if (!history.heads)
        return 0;
    uint64_t page = address >> PAGE_SHIFT;
    uint64_t seq = load_sequence(&history.heads[head_index(page)], memory_order_acquire);
    invisible_freed_block found;
    int hit = 0;
    for (int steps = 0; seq != 0 && steps < FREE_WALK_MAX; steps++) {
        link_copy link;
        if (!read_link(seq, &link))
            break;
        if (link.page == page && read_entry(link.entry_seq, &found) && inside(&found, address)) {
            found.age = atomic_load_explicit(&history.entry_count, memory_order_relaxed) - link.entry_seq;
            hit = 1;
            break;
        }
        seq = link.next;
    }
    if (!hit)
        return 0;
    const invisible_query_api *api = invisible_query_table();
    if (api->find_block(address, NULL))
        return 0;
    if (out)
        *out = found;
    return 1;
}

/* ---- users ---- */

/* INVISIBLE_FREE_HISTORY (options.c: 0..2^20, default 8192, a malformed value reported at start-up), rounded up
 * to a power of two, at least 16. */
static uint64_t configured_capacity(void)
{
    uint64_t n = (uint64_t)invisible_state.options.free_history;
    if (n == 0)
        return 0;
    uint64_t capacity = 16;
    while (capacity < n)
        capacity <<= 1;
    return capacity;
}

/* Map the ring, the links and the heads once (never unmapped: a hook may still be writing). */
static int set_up(void)
{
    if (history.entries)
        return 1;
    if (history.unavailable)
        return 0;
    uint64_t capacity = configured_capacity();
    if (capacity == 0) {
        history.unavailable = 1;
        return 0;
    }
    size_t entries = capacity * sizeof(freed_entry), links = 2 * capacity * sizeof(freed_link);
    size_t heads = capacity * sizeof(uint64_t); /* as many heads as entries */
    char *memory = mmap(NULL, entries + links + heads, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (memory == MAP_FAILED) {
        history.unavailable = 1;
        return 0;
    }
    history.capacity = capacity;
    history.head_bits = (unsigned)__builtin_ctzll(capacity); /* capacity >= 16: the shift is < 64 */
    freed_entry *entry_memory = (freed_entry *)memory;
    freed_link *link_memory = (freed_link *)(memory + entries);
    _Atomic uint64_t *head_memory = (_Atomic uint64_t *)(memory + entries + links);
    /* Nothing is written here: the mapping's zeros read as empty (load_sequence), so a page of the ring costs
     * a fault only when a free first lands in it (writing 1.2 MiB of HIDE(0) took ~300 page faults, ~3 ms on this
     * VM, at the start of every `invisible python`). */
    history.entries = entry_memory;
    history.links = link_memory;
    __atomic_store_n(&history.heads, head_memory, __ATOMIC_RELEASE);
    return 1;
}

static uint64_t free_history(int on)
{
    pthread_mutex_lock(&history.control);
    if (on) {
        if (invisible_instrument_unavailable() == NULL && set_up()) {
            if (history.users++ == 0)
                invisible_instrument_observe_frees(note_free);
        }
    } else if (history.users > 0 && --history.users == 0) {
        invisible_instrument_observe_frees(NULL);
    }
    uint64_t capacity = history.users > 0 ? history.capacity : 0;
    pthread_mutex_unlock(&history.control);
    return capacity;
}

void free_history_register(void)
{
    invisible_query_set_free_history(free_history, freed_block);
}
