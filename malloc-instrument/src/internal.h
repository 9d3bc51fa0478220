/* internal.h — what the files of malloc-instrument share, grouped by the file that defines it
 * (the layout of mimalloc's internal.h). Only malloc-instrument's own files and its C tests
 * include it; every other component uses include/invisible/query.h.
 *
 * Layers, lowest first; a file calls only into its own layer or those below it:
 *   state.c      the process and thread state (data only; every layer reads it)
 *   primitives/  raw system calls, spinlocks, our own mappings, the /proc/self/maps reader,
 *                parking a thread while the world is stopped
 *   index/       per-thread slots, the memtable, the nurseries, any-block lookups, type annotations
 *   trace/       the unwinder and trace interning. The unwinder's interface is its own header,
 *                trace/unwind.h (C and C++: its tests link it alone), included where it is used
 *   scan/        stopping the world, the leak check, stopped threads' backtraces
 *   init.c       first use, start, the hooks' mode word, thread exit, fork
 *   hooks/       the interposed malloc family and process events (exit, dlclose)
 *   query.c      the query table handed to the runtime
 */
#ifndef INVISIBLE_INSTRUMENT_INTERNAL_H
#define INVISIBLE_INSTRUMENT_INTERNAL_H

#include <sched.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <emmintrin.h> /* SSE2 (x86-64 baseline): the nursery tests a bucket's ways at once */

#include "invisible/query.h"
#include "types.h"

extern instrument_process instrument_state;
extern __thread thread_state thread_tls __attribute__((tls_model(INVISIBLE_TLS_MODEL)));

/* primitives/park.c: parks the calling thread when a stop asked it to (see guard_leave). */
void park_from_hook(void);

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define COMPILER_BARRIER() __asm__ volatile("" ::: "memory")

/* ------------------------------------------------------------------------------------------
 * primitives (inline): raw system calls, spinlocks, the clock.
 *
 * Everything here may run inside an interposed malloc, in a signal handler, or while other
 * threads are stopped holding arbitrary libc locks: no malloc, no stdio, no libc lock, and no
 * errno change (a malloc must not set errno behind the program's back, so the system calls are
 * made directly and return -errno).
 * ------------------------------------------------------------------------------------------ */

static inline long prim_syscall3(long number, long a1, long a2, long a3)
{
    long result;
    __asm__ volatile("syscall"
                     : "=a"(result)
                     : "0"(number), "D"(a1), "S"(a2), "d"(a3)
                     : "rcx", "r11", "memory");
    return result;
}

static inline long prim_syscall6(long number, long a1, long a2, long a3, long a4, long a5, long a6)
{
    long result;
    register long r10 __asm__("r10") = a4;
    register long r8 __asm__("r8") = a5;
    register long r9 __asm__("r9") = a6;
    __asm__ volatile("syscall"
                     : "=a"(result)
                     : "0"(number), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return result;
}

/* An anonymous private read-write mapping, MAP_NORESERVE when `reserve_only` (the kernel
 * commits pages as they are touched). NULL on failure. Not recorded as ours: see own_map. */
static inline void *prim_map(size_t bytes, int reserve_only)
{
    long flags = MAP_PRIVATE | MAP_ANONYMOUS | (reserve_only ? MAP_NORESERVE : 0);
    long result = prim_syscall6(SYS_mmap, 0, (long)bytes, PROT_READ | PROT_WRITE, flags, -1, 0);
    return (result < 0 && result > -4096) ? NULL : (void *)result;
}

static inline void prim_unmap(void *address, size_t bytes)
{
    prim_syscall3(SYS_munmap, (long)address, (long)bytes, 0);
}

static inline pid_t prim_gettid(void)
{
    return (pid_t)prim_syscall3(SYS_gettid, 0, 0, 0);
}

/* Monotonic clock in nanoseconds (the vDSO: no system call, no lock). */
static inline uint64_t prim_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A thread that holds one of our locks (or is about to) counts them in `locks_held`: a stop of
 * the world lets such a thread run on, and it parks the moment it lets go of its last lock (a
 * stopped lock holder would block the scan). Counted before the lock is taken: a thread stopped
 * while spinning for it is let go too. */
static inline void park_if_asked_after_unlock(thread_state *thread)
{
    if (UNLIKELY(thread->park_pending) && thread->locks_held == 0 &&
        (thread->slot == 0 || !atomic_load_explicit(&instrument_state.threads.slots[thread->slot].held_bucket,
                                                     memory_order_relaxed)))
        park_from_hook();
}

static inline void spinlock_acquire(invisible_spinlock *lock)
{
    thread_tls.locks_held++;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    for (;;) {
        if (!atomic_exchange_explicit(&lock->locked, 1, memory_order_acquire))
            return;
        for (int spins = 0; atomic_load_explicit(&lock->locked, memory_order_relaxed); spins++) {
            if (spins > 64)
                sched_yield();
            else
                __builtin_ia32_pause();
        }
    }
}

static inline void spinlock_release(invisible_spinlock *lock)
{
    atomic_store_explicit(&lock->locked, 0, memory_order_release);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    thread_state *thread = &thread_tls;
    thread->locks_held--;
    park_if_asked_after_unlock(thread);
}

/* Fork child: the only thread left owns nothing, whoever held the lock at fork time. */
static inline void spinlock_reset(invisible_spinlock *lock)
{
    atomic_store_explicit(&lock->locked, 0, memory_order_relaxed);
}

/* ---- primitives/memory.c ---- */

/* prim_map, recorded as ours so that the leak scan never takes it for roots. NULL on failure.
 * Takes a spinlock: not for signal handlers (the unwinder maps with prim_map). */
void *own_map(size_t bytes, int reserve_only);
void own_unmap(void *address, size_t bytes);
/* Does [start, end) overlap a mapping made by own_map? */
int own_region_overlaps(uint64_t start, uint64_t end);

/* How many bytes of address space our tables may reserve: UINT64_MAX without RLIMIT_AS, else an
 * eighth of what was left under it at first use. */
uint64_t own_reserve_budget(void);

/* ---- primitives/allocator.c ---- */

/* At first use, before anything is tracked: when the malloc the process's calls reach is not
 * glibc's (jemalloc, tcmalloc...), set the hooks to pass every call to it (BYPASS_FOREIGN) and
 * return its object's path ("the program" for an executable's own); NULL when glibc serves. */
const char *allocator_detect(void);

/* ---- primitives/park.c ---- */

/* Record the calling thread as stopped (registers from `signal_context`, a ucontext_t, or none:
 * then `sp_here` is where its stack scan starts) and wait until the world is resumed. Does
 * nothing when no stop is in progress. */
void park_thread(const void *signal_context, uint64_t sp_here);

/* A thread's realloc in progress (thread_state.moving_start, 0 = none) into its stopped entry. */
void park_note_moving(stopped_thread *t, uint64_t start);


/* Enter and leave a guarded section that raises in_hook by `amount` (1: short, or
 * INVISIBLE_GUARD_LONG, see query.h). A thread that a stop asked to park while it was in a short
 * section parks once it is out of every short section. */
static inline void guard_enter(thread_state *thread, int amount)
{
    thread->guard.in_hook += amount;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static inline void guard_leave(thread_state *thread, int amount)
{
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    thread->guard.in_hook -= amount;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    if (UNLIKELY(thread->park_pending) && !(thread->guard.in_hook & INVISIBLE_GUARD_SHORT_MASK))
        park_from_hook();
}

/* ---- primitives/maps.c ---- */

/* One line of /proc/self/maps. */
typedef struct proc_mapping {
    uint64_t start, end;
    char perms[5];   /* "rw-p" */
    int anonymous;   /* no file: nothing after the inode, or "[anon:NAME]" */
    int special;     /* a kernel-named mapping other than [anon:]: [heap], [stack], [vdso]... */
} proc_mapping;

/* Return nonzero to stop the walk. */
typedef int (*proc_mapping_visitor)(const proc_mapping *mapping, void *context);

/* Visit the mappings in address order. 0, or -errno when the maps cannot be read (EMFILE: the
 * program uses every descriptor). */
int maps_for_each(proc_mapping_visitor visit, void *context);

/* Bounds of the mapping that holds `address`: 1 and low/high filled, or 0. */
int maps_find(uint64_t address, uint64_t *low, uint64_t *high);

/* ---- state.c: declared at the top (the inline primitives read the thread state) ---- */

/* ---- init.c ---- */

/* First-use initialisation of the tables (safe from inside the first malloc): 0, or -1 when
 * tracking is unavailable. invisible_instrument_init (query.h) is this. */
int instrument_init(void);

/* Recompute the hooks' mode word from the tracking state, the depth and the nursery switch.
 * Called whenever one of them changes; it also empties the calling thread's call-site cache,
 * which may hold sites captured before (without their loader flag). */
void hooks_configure(void);

/* INVISIBLE_NURSERY=no: turn the nurseries off, moving what they hold to the memtable (the other
 * threads must not be allocating: constructor time, or a test). */
void instrument_disable_nurseries(void);

/* ---- index/threads.c ---- */

int threads_init(void);

/* The calling thread's slot, registering the thread on first use. Never NULL. */
thread_slot *thread_slot_of(thread_state *thread);

/* Thread exit: the slot (and its nursery) go back to the free list. */
void threads_release_slot(thread_state *thread);

/* Upper bound (exclusive) of the slots in use so far, for walks over every thread's nursery. */
static inline uint32_t threads_slot_limit(void)
{
    uint32_t top = atomic_load_explicit(&instrument_state.threads.slot_top, memory_order_acquire);
    return top < THREAD_SLOT_CAPACITY ? top : THREAD_SLOT_CAPACITY;
}

/* ---- index/memtable.c ---- */

/* Reserve the tables. Returns 0, or -1 if the address space could not be reserved (then the
 * hooks pass everything through and the report says tracking was unavailable). */
int memtable_init(void);

/* Record a new block; `start` must not be in the table. `flags` may hold RECORD_LOADER.
 * Returns 0, -1 if out of records. */
int memtable_insert(uint64_t start, uint64_t size, uint32_t trace_id, uint32_t flags);

/* Remove the block starting exactly at `start`, from the table or, when it is young in another
 * thread's nursery, from there (a remote free); copies its record to `out` if non-NULL.
 * Returns 1 if it was there, 0 if not (a block we never saw, or a wild free). */
int memtable_remove(uint64_t start, memtable_record *out);

/* Move a block from a nursery slot into the table: under the block's bucket lock, CAS the slot
 * from `start` to 0 and link the record. Returns 0 when moved, 1 when a remote free had killed
 * the slot first (nothing to move), -1 when out of records (the slot is left as it was). */
int memtable_adopt(_Atomic uint64_t *owner_slot, uint64_t start, uint64_t size, uint32_t trace_id,
                   uint32_t flags);

/* The bucket of `index` (address >> MEMTABLE_BUCKET_SHIFT), NULL when no block was ever recorded
 * in its chunk of the address space. */
memtable_bucket *memtable_bucket_at(uint64_t index);

/* Record index of the live block containing `address`, 0 if none. `locked` selects taking the
 * bucket lock (running world) or not (stopped world). */
uint32_t memtable_find(uint64_t address, int locked);

/* The packed record's fields (types.h, memtable_entry). */
static inline uint64_t entry_start(const memtable_entry *e) { return e->start_size & ENTRY_START_MASK; }
static inline uint32_t entry_flags(const memtable_entry *e) { return e->trace_flags >> ENTRY_FLAGS_SHIFT; }
static inline uint32_t entry_trace(const memtable_entry *e) { return e->trace_flags & ENTRY_TRACE_MASK; }
static inline uint64_t entry_size(const memtable_entry *e)
{
    uint64_t low = e->start_size >> ENTRY_SIZE_SHIFT;
    return (entry_flags(e) & RECORD_LARGE) ? low | (uint64_t)e->next << ENTRY_SIZE_BITS : low;
}

/* Record `index` unpacked (valid for 1..record_top-1); flags 0: not live. A reader that runs
 * beside the hooks checks the flags again after copying (blocks.c). */
static inline memtable_record memtable_record_at(uint32_t index)
{
    const memtable_entry *e = &instrument_state.table.records[index];
    memtable_record r;
    r.trace_id = entry_trace(e);
    r.flags = entry_flags(e);
    r.start = entry_start(e);
    r.size = entry_size(e);
    return r;
}

static inline int memtable_record_live(uint32_t index)
{
    return (entry_flags(&instrument_state.table.records[index]) & RECORD_LIVE) != 0;
}

/* Why memtable_init failed, as a phrase (init.c's invisible_instrument_unavailable). */
const char *memtable_unavailable_reason(void);

/* Upper bound (exclusive) of record indices ever used. */
uint32_t memtable_record_limit(void);

/* Upper bound (exclusive) of dense-bucket node indices ever used (their memory, for the bench). */
uint32_t memtable_node_limit(void);

/* Thread exit: the thread's cached free records go back to the pool. */
void memtable_release_thread_cache(thread_state *thread);

/* Fork: take/release the global locks around fork; the child also releases the bucket locks
 * that threads which no longer exist held. */
void memtable_fork_prepare(void);
void memtable_fork_parent(void);
void memtable_fork_child(void);

/* ---- trace/profile.c ---- */

/* Reserve the counter tables and start the clock (--profile): 0, or -1 (then nothing is
 * profiled). Before hooks_configure sets HOOKS_PROFILE. */
int profile_start(void);
int profile_enabled(void);

/* From the hooks, with HOOKS_PROFILE set, in_hook raised: a block allocated at `site`, and one
 * freed (its record, as the tables gave it back). */
void profile_on_alloc(thread_state *thread, uint64_t start, uint64_t size, uint32_t site);
void profile_on_free(thread_state *thread, uint64_t start, const memtable_record *record);

/* Thread exit: fold what the thread has not folded yet, detach its table. */
void profile_thread_exit(thread_state *thread);

/* The query table's profile: every table merged now; NULL when profiling is off. */
const invisible_profile *profile_read(void);

/* ---- index/nursery.c ---- */

/* Upper bound (exclusive) of the slots that may have a nursery. */
static inline uint32_t nursery_slot_limit(void)
{
    uint32_t top = threads_slot_limit(), capacity = instrument_state.nurseries.capacity;
    return top < capacity ? top : capacity;
}

int nursery_pool_init(void);

/* The calling thread's nursery, attached on first use; NULL when the cache is off or full. */
nursery *nursery_attach(thread_state *thread);

/* Owner: record a new block (small blocks only). `site` as SITE_LOADER says. Returns 0, or -1
 * if it must go to the memtable instead. */
int nursery_insert(nursery *n, uint64_t start, uint64_t size, uint32_t site);

/* Owner: forget a block of this nursery. Returns 1 and its record if it was here. */
int nursery_remove_own(nursery *n, uint64_t start, memtable_record *out);

/* Move one nursery's blocks into the memtable (its owner must not run: itself, stopped, or
 * gone). */
void nursery_flush(nursery *n);

/* Move every nursery into the memtable. The other threads must be stopped (leak scan) or
 * gone (fork child). */
void nursery_flush_all(void);

/* Visit the live blocks of every nursery (racy read, validated); returns the number visited. */
uint64_t nursery_for_each(invisible_block_visitor visit, void *context);

/* Any nursery's live block containing `address` (racy read, validated): 1 and its record. */
int nursery_find_any(uint64_t address, memtable_record *out);

/* An entry's packed size and site (the memtable reads them too, when it adopts or kills one). */
static inline uint64_t nursery_info(uint64_t size, uint32_t site) { return (uint64_t)site << 32 | size; }
static inline uint64_t nursery_info_size(uint64_t info) { return (uint32_t)info; }
static inline uint32_t nursery_info_trace(uint64_t info) { return (uint32_t)(info >> 32) & ~SITE_LOADER; }
static inline uint32_t nursery_info_flags(uint64_t info)
{
    return (info >> 32) & SITE_LOADER ? RECORD_LOADER : 0;
}

/* The record of slot `i`, whose start was read as `start`. */
static inline void nursery_slot_record(const nursery *n, uint32_t i, uint64_t start, memtable_record *out)
{
    if (!out)
        return;
    uint64_t info = n->info[i];
    out->start = start;
    out->size = nursery_info_size(info);
    out->trace_id = nursery_info_trace(info);
    out->flags = nursery_info_flags(info);
}

/* The first slot of the block's home bucket: a multiplicative hash of its address (top bits).
 * Multiplicative, not a cheaper shift-xor of the address bits: with the latter the entry's
 * offset in its page follows the block's, and in some address layouts the entry store and the
 * program's first write to the block alias in the store buffer (4 KiB aliasing): measured
 * +2.5 ns per pair in one run of three. */
static inline uint32_t nursery_bucket(uint64_t start)
{
    return (uint32_t)(((start >> 4) * 0x9e3779b97f4a7c15ull) >> (64 - NURSERY_BUCKET_BITS)) * NURSERY_WAYS;
}

/* The 4 ways of the bucket at `base`, as two SSE2 vectors built from four 8-byte loads. Not two
 * 16-byte loads: the free of a block just allocated (and the allocation after a free) reads a
 * slot the other hook has just stored, and a 16-byte load cannot be forwarded from an 8-byte
 * store still in the store buffer (a stall that cost 7 ns per pair in scripts/bench/malloc).
 * Each load reads one whole slot, which is all a remote CAS of one slot needs. */
static inline void nursery_bucket_load(const nursery *n, uint32_t base, __m128i *low, __m128i *high)
{
    const uint64_t *slots = (const uint64_t *)(const void *)&n->start[base];
    *low = _mm_unpacklo_epi64(_mm_loadl_epi64((const __m128i *)(const void *)&slots[0]),
                              _mm_loadl_epi64((const __m128i *)(const void *)&slots[1]));
    *high = _mm_unpacklo_epi64(_mm_loadl_epi64((const __m128i *)(const void *)&slots[2]),
                               _mm_loadl_epi64((const __m128i *)(const void *)&slots[3]));
}

/* Bit k of the result set when 64-bit lane k of `v` equals the same lane of `key` (SSE2 has no
 * 64-bit compare: both 32-bit halves must match). */
static inline unsigned nursery_lanes_equal(__m128i v, __m128i key)
{
    __m128i halves = _mm_cmpeq_epi32(v, key);
    __m128i both = _mm_and_si128(halves, _mm_shuffle_epi32(halves, _MM_SHUFFLE(2, 3, 0, 1)));
    return (unsigned)_mm_movemask_pd(_mm_castsi128_pd(both));
}

/* Bit w set for each way w of the bucket at `base` whose slot is free: 0, or DEAD (bit 63 set,
 * which movemask_pd reads directly). Straight-line code: the storm's random ways cost no
 * mispredicted branch. */
static inline unsigned nursery_free_ways(const nursery *n, uint32_t base)
{
    __m128i low, high, zero = _mm_setzero_si128();
    nursery_bucket_load(n, base, &low, &high);
    unsigned dead = (unsigned)_mm_movemask_pd(_mm_castsi128_pd(low)) |
                    (unsigned)_mm_movemask_pd(_mm_castsi128_pd(high)) << 2;
    return dead | nursery_lanes_equal(low, zero) | nursery_lanes_equal(high, zero) << 2;
}

/* Bit w set for each way w of the bucket at `base` that holds exactly `value`. */
static inline unsigned nursery_ways_holding(const nursery *n, uint32_t base, uint64_t value)
{
    __m128i low, high, key = _mm_set1_epi64x((long long)value);
    nursery_bucket_load(n, base, &low, &high);
    return nursery_lanes_equal(low, key) | nursery_lanes_equal(high, key) << 2;
}

/* The hooks' common cases, inline: one bucket (32 bytes of starts) is tested to insert and one
 * to forget (NURSERY_WAYS is 4: the tests above are written out for 4 ways). Both are plain loads and stores on the owner's own slots: only the owner writes a
 * live slot's `info`, and the release store of `start` publishes it to the remote readers
 * (memtable_remove's remote free, nursery_find_any) that validate with `start`. A stop signal
 * cannot observe a half-written slot: the hooks run these with `in_hook` set, so the signal only
 * sets `park_pending` (scan/stopworld.c). Callers fall back to the functions above (a full
 * bucket evicts one of its blocks into the memtable). */
static inline int nursery_insert_home(nursery *n, uint64_t start, uint64_t size, uint32_t site)
{
    uint32_t base = nursery_bucket(start);
    unsigned free_ways = nursery_free_ways(n, base);
    if (free_ways == 0 || size >= MEMTABLE_LARGE_THRESHOLD)
        return -1;
    uint32_t i = base + (uint32_t)__builtin_ctz(free_ways);
    n->info[i] = nursery_info(size, site);
    atomic_store_explicit(&n->start[i], start, memory_order_release);
    return 0;
}

/* No scalar test of one way first: in the window storm the way is random, and that branch was
 * mispredicted often enough to cost more (1.24x plain) than the SSE test saves on an immediate
 * malloc/free pair. */
static inline int nursery_remove_home(nursery *n, uint64_t start)
{
    uint32_t base = nursery_bucket(start);
    unsigned ways = nursery_ways_holding(n, base, start);
    if (ways == 0)
        return 0;
    /* Plain store: only a free of this very block could race, and that is a double free. */
    atomic_store_explicit(&n->start[base + (uint32_t)__builtin_ctz(ways)], 0, memory_order_relaxed);
    return 1;
}

/* ---- index/blocks.c ---- */

/* The live block containing `address`, wherever it is (the memtable, or a nursery): 1 and `out`
 * filled, or 0. The query table's find_block. */
int blocks_find(uint64_t address, invisible_block_info *out);

/* Visit every live block (the memtable's records, then the nurseries'); returns the number
 * visited. The query table's for_each_block. */
uint64_t blocks_for_each(invisible_block_visitor visit, void *context);

/* ---- index/block_types.c ---- */

/* Annotate the live block starting at `address` with `type_name` (at most 255 bytes, interned);
 * NULL or "" removes it. 1 when done, 0 when no live block starts there or a table is full. */
int block_types_set(uint64_t address, const char *type_name);

/* The annotation of the live block starting at `address`: 1 and `out` filled, or 0. */
int block_types_get(uint64_t address, invisible_block_type *out);

/* Visit every annotation whose block is still live (outside the lock); returns the number visited. */
uint64_t block_types_for_each(invisible_block_type_visitor visit, void *context);

void block_types_fork_prepare(void);
void block_types_fork_parent(void);
void block_types_fork_child(void);

/* ---- trace/intern.c ---- */

int trace_table_init(void);

/* Fork child: the lock of new traces, which a thread of the parent may have held. */
void trace_fork_child(void);

/* Intern `depth` return addresses; returns the id (0 if the table is full). Lock-free. */
uint32_t trace_intern(thread_state *thread, const uint64_t *pcs, int depth);

/* Copy up to `max` pcs of trace `id`; returns the depth copied (0 for an unknown id). */
int trace_frames(uint32_t id, uint64_t *pcs, int max);

/* Number of distinct traces interned so far. */
uint32_t trace_count(void);

/* ---- trace/rules.c: CFA rule words and their lock-free cache ----
 * A rule says how to get the caller's registers from a frame whose return address is `pc`. It
 * is one 64-bit word:
 *   bits  0..1  CFA kind: STOP, rsp+off, rbp+off, *(rbp+off) (gcc's stack-realignment "DRAP")
 *   bit   2     pc lies in a C/C++ runtime library
 *   bits  3..4  where the caller's rbp is: unchanged, at CFA+rbp_off, at rbp+rbp_off
 *   bits  5..15 cache generation (invalidation after dlclose)
 *   bits 16..31 rbp_off (int16)
 *   bits 32..63 cfa_off (int32)
 * The return address is always at CFA-8 (the x86-64 psABI; anything else is a STOP rule). */

enum { CFA_STOP = 0, CFA_RSP = 1, CFA_RBP = 2, CFA_DEREF_RBP = 3 };
enum { RBP_UNCHANGED = 0, RBP_AT_CFA = 1, RBP_AT_RBP = 2 };

#define RULE_RUNTIME_LIB (1ull << 2)
#define RULE_GENERATION_SHIFT 5
#define RULE_GENERATION_MASK 0x7ffull

static inline unsigned rule_cfa_kind(uint64_t rule) { return (unsigned)(rule & 3); }
static inline unsigned rule_rbp_kind(uint64_t rule) { return (unsigned)((rule >> 3) & 3); }
static inline int64_t rule_rbp_offset(uint64_t rule) { return (int16_t)(rule >> 16); }
static inline int64_t rule_cfa_offset(uint64_t rule) { return (int32_t)(rule >> 32); }

static inline uint64_t rule_make(unsigned cfa_kind, int32_t cfa_offset, unsigned rbp_kind, int16_t rbp_offset)
{
    return (uint64_t)cfa_kind | ((uint64_t)rbp_kind << 3) |
           ((uint64_t)(uint16_t)rbp_offset << 16) | ((uint64_t)(uint32_t)cfa_offset << 32);
}

#define CACHE_ENTRIES (1u << 16)
#define KEY_PC_MASK ((1ull << 48) - 1)
#define KEY_VERSION_SHIFT 48
#define KEY_BUSY_BIT (1ull << KEY_VERSION_SHIFT)

/* The cache (NULL until mapped) and its generation. */
extern _Atomic(rule_cache_entry *) rule_cache;
extern _Atomic uint32_t rule_generation;

/* Map the cache on first use (NULL if that failed: every lookup is then a miss). */
rule_cache_entry *rule_cache_map(void);

static inline rule_cache_entry *rule_cache_set(const rule_cache_entry *table, uintptr_t pc)
{
    /* This sits on the walk's critical path (load pc -> set -> load rule -> CFA -> load next
     * pc, ~13 cycles per frame), so it is a 2-cycle byte offset: the low bits of the pc, whose
     * return addresses differ there. Bit 0 is dropped: a set is two adjacent 16-byte entries
     * in one cache line, which absorbs the occasional collision (e.g. two objects' call sites
     * at the same offset modulo 32 KiB). */
    uintptr_t offset = (pc << 4) & ((uintptr_t)(CACHE_ENTRIES - 2) << 4);
    return (rule_cache_entry *)((uintptr_t)table + offset);
}

/* One entry of a set: a per-entry seqlock read (the writer is rules.c's). */
static inline __attribute__((always_inline)) bool rule_cache_read_entry(const rule_cache_entry *entry,
                                                                        uintptr_t pc,
                                                                        uint64_t generation,
                                                                        uint64_t *rule_out)
{
    uint64_t key = atomic_load_explicit(&entry->key, memory_order_acquire);
    uint64_t rule = atomic_load_explicit(&entry->rule, memory_order_relaxed);
    /* seqlock reader: the rule load must complete before the key is re-checked */
    atomic_thread_fence(memory_order_acquire);
    uint64_t key_again = atomic_load_explicit(&entry->key, memory_order_relaxed);
    /* key == pc with an even version, unchanged, and a rule of the current generation. The
     * busy bit is bit 48, so "(key & (PC_MASK | BUSY)) == pc" tests both at once. */
    bool hit = ((key & (KEY_PC_MASK | KEY_BUSY_BIT)) == pc) & (key_again == key) &
               (((rule >> RULE_GENERATION_SHIFT) & RULE_GENERATION_MASK) == generation);
    *rule_out = rule;
    return hit;
}

static inline __attribute__((always_inline)) bool rule_cache_read(const rule_cache_entry *table,
                                                                  uintptr_t pc, uint64_t generation,
                                                                  uint64_t *rule_out)
{
    const rule_cache_entry *set = rule_cache_set(table, pc);
    return rule_cache_read_entry(set, pc, generation, rule_out) ||
           rule_cache_read_entry(set + 1, pc, generation, rule_out);
}

/* Cache miss: compute the rule (cfi.c) and publish it. Out of line so the walk loop stays small. */
uint64_t lookup_rule_slow(rule_cache_entry *table, uint64_t generation, uintptr_t pc);

/* ---- trace/cfi.c ---- */

/* The rule for the frame whose return address is `pc` (no cache). `cacheable` is cleared when no
 * loaded object contains the pc: that answer can change. */
uint64_t compute_rule(uintptr_t pc, bool *cacheable);

/* ---- trace/stacks.c ---- */

/* This thread's stack, and the last other stack it ran on (the walk checks these first). */
extern __thread thread_stacks unwind_thread_stacks __attribute__((tls_model(INVISIBLE_TLS_MODEL)));

/* Find the stack that holds `sp` in /proc/self/maps and remember it in unwind_thread_stacks;
 * false if unknown (the walk then returns 1 pc). */
bool stack_bounds_lookup(uintptr_t sp, stack_range *out);

/* ---- trace/unwind.c: the unwinder's interface is trace/unwind.h ---- */

/* ---- scan/stopworld.c ---- */

/* Stop all other threads; returns how many are stopped (their records are in `*threads`), or -1
 * when stopping is impossible. `*signalled` is how many we tried to stop: fewer stopped means
 * some threads run on (their stacks are not known). Always followed by stopworld_resume, unless
 * it returned -1. */
int stopworld_stop(const stopped_thread **threads, int *signalled);

void stopworld_resume(void);

/* In a copy of the process made during a stop (a report helper): no stop is in progress here. */
void stopworld_forget_stop(void);

/* The last stop was quiet: every other thread stopped, none inside busy code (quiet.c). */
int stopworld_quiet(void);

/* While stopped by ptrace: run the threads found inside busy code for a moment and look again,
 * until none is (the others stay stopped) or `budget_ns` is spent. 1 when the stop is quiet. */
int stopworld_nudge_out_of_busy_code(uint64_t budget_ns);

/* ---- scan/quiet.c ---- */

/* Find the busy code once (glibc's allocator entry points, fork, pthread_create, the loader and
 * libc's dl* functions): outside a stop, it asks the loader. */
void quiet_find_busy_code(void);

/* The tids of the stopped threads (entries with a tid) whose pc or innermost return addresses lie
 * in busy code, into `out` (NULL: just count). Runs while the world is stopped. */
int quiet_collect_busy(const stopped_thread *threads, uint32_t count, pid_t *out);

/* ---- scan/leakcheck.c ---- */

/* Exiting thread's live stack bound, set by the exit/main hooks (0 = unknown: use the current
 * stack pointer). */
void leakcheck_set_exit_stack(uint64_t low_address);

/* leakcheck_run: query.h. */

/* ---- scan/backtraces.c ---- */

/* The query table's thread_backtraces (query.h). */
int thread_backtraces(invisible_thread_backtrace *out, int max_threads, int max_frames);

/* ---- hooks/wrappers.c ---- */

/* Read the wrapper ranges cached for the loaded objects (from the constructor). */
void wrappers_load(void);

/* After a dlopen that loaded objects: scan those that have no cache file yet (the CLI's
 * `invisible wrappers`, waited for), then publish the ranges of every loaded object. `ours`: the
 * call came from our own code (the runtime and its libraries): nothing is scanned. */
void wrappers_after_dlopen(int ours);

/* Around a dlclose: before it, the ranges of the object `handle` names are withdrawn (its
 * addresses may be reused by the next dlopen); after it, the ranges of what is still loaded are
 * published again. */
int wrappers_before_dlclose(void *handle);     /* 1: ranges were withdrawn */
void wrappers_after_dlclose(int withdrawn);
/* The program's dlclose through `real_dlclose` (preloaded: the next one; attach: the GOT slot's old value), with the
 * two calls above around it and the unwinder's cached rules dropped (hooks/process.c). */
int hooks_dlclose(int (*real_dlclose)(void *), void *handle);

/* fork child (init.c): the table's mutex, whoever held it in the parent. */
void wrappers_fork_child(void);

/* The site cache's epoch bits for a non-zero hooks mode (hooks_configure keeps them). */
unsigned wrappers_mode_epoch(void);

/* The wrapper whose code holds `pc`, or NULL: a binary search of the published set (an acquire
 * load: a set is complete before it is published, and is never changed or unmapped after). */
static inline const invisible_wrapper_range *wrapper_at(uint64_t pc)
{
    const wrapper_set *set = __atomic_load_n(&instrument_state.wrappers.current, __ATOMIC_ACQUIRE);
    if (!set)
        return NULL;
    const invisible_wrapper_range *r = set->ranges;
    uint64_t low = 0, high = set->count;
    while (low < high) {
        uint64_t mid = (low + high) / 2;
        if (pc < r[mid].start)
            high = mid;
        else if (pc >= r[mid].end)
            low = mid + 1;
        else
            return &r[mid];
    }
    return NULL;
}

/* ---- hooks/malloc.c ---- */

/* The query table's program_alloc / program_free (query.h). */
void *hooks_program_alloc(uint64_t size);
void hooks_program_free(void *block);

/* hooks/malloc.c's hooks by their own addresses (hidden aliases), for hooks/got.c. */
void *hook_own_malloc(size_t size);
void hook_own_free(void *block);
void *hook_own_calloc(size_t count, size_t size);
void *hook_own_realloc(void *old, size_t size);
void *hook_own_reallocarray(void *old, size_t count, size_t size);
int hook_own_posix_memalign(void **result, size_t alignment, size_t size);
void *hook_own_aligned_alloc(size_t alignment, size_t size);
void *hook_own_memalign(size_t alignment, size_t size);
void *hook_own_valloc(size_t size);
void *hook_own_pvalloc(size_t size);
size_t hook_own_malloc_usable_size(void *block);

#endif
