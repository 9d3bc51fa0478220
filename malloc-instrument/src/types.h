/* types.h — every structure malloc-instrument keeps between calls, in one place.
 *
 * The process state is one struct (`instrument_state`, defined in state.c) and the per-thread
 * state one initial-exec TLS struct (`thread_tls`, also state.c): every file keeps its data
 * there, not in file-level globals, so what the library owns is visible here and a debugger
 * prints all of it (`p instrument_state`, `p thread_tls`). The one exception is the unwinder
 * (trace/), whose caches are its own so that its tests can link it alone.
 *
 * The rules that go with each structure (locking, publication order, who writes what) are at the
 * top of the file that implements it, named in each heading below. A type that one file alone
 * uses stays in that file. Functions are declared in internal.h.
 */
#ifndef INVISIBLE_INSTRUMENT_TYPES_H
#define INVISIBLE_INSTRUMENT_TYPES_H

#include <signal.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "invisible/query.h"

/* ---- primitives: spinlock (internal.h), our own mappings (primitives/memory.c) ---- */

/* A test-and-test-and-set lock for short critical sections that must not call into libc:
 * a pthread mutex may be held by a thread stopped for a leak scan, and cannot be reinitialised
 * in a fork child. Holders never block or allocate while holding one. */
typedef struct invisible_spinlock { _Atomic int locked; } invisible_spinlock;

#define OWN_REGION_CAPACITY 1024

typedef struct own_region { uint64_t start, end; } own_region;

typedef struct own_regions {
    invisible_spinlock lock;
    own_region regions[OWN_REGION_CAPACITY]; /* our own mappings: never roots */
    int count;
    uint64_t reserve_budget;      /* address space our tables may reserve (memory.c), 0 = not yet known */
    uint64_t address_limit;       /* RLIMIT_AS at start, 0 = none */
    int mlock_future;             /* the program asked mlockall(MCL_FUTURE): map only what is used */
} own_regions;

/* ---- index/memtable.c: where every live heap block is ---- */

#define MEMTABLE_BUCKET_SHIFT 10
#define MEMTABLE_ADDRESS_BITS 47
#define MEMTABLE_BUCKET_COUNT (1ull << (MEMTABLE_ADDRESS_BITS - MEMTABLE_BUCKET_SHIFT))
#define MEMTABLE_CHUNK_SHIFT 18 /* buckets per chunk: 256 MiB of addresses, 2 MiB of buckets */
#define MEMTABLE_CHUNK_COUNT (MEMTABLE_BUCKET_COUNT >> MEMTABLE_CHUNK_SHIFT)
#define MEMTABLE_LARGE_THRESHOLD (128u << 10)
#define MEMTABLE_LOCK_BIT 0x80000000u
/* A bucket's head is a chain (bit 30 clear: the first record's index in bits 0..27, and in bits
 * 28..29 how many records were pushed since the chain was last measured, saturating at 3) or,
 * once the bucket holds many blocks, a node (bit 30 set): node index in bits 0..23, the node's
 * record count in bits 24..29 (memtable.c, "Dense buckets"). */
#define MEMTABLE_NODE_BIT 0x40000000u
#define MEMTABLE_CHAIN_PUSHES_SHIFT 28
#define MEMTABLE_CHAIN_PUSHES_MAX 3u
#define MEMTABLE_NODE_INDEX_MASK 0x00ffffffu
#define MEMTABLE_NODE_COUNT_SHIFT 24
#define MEMTABLE_NODE_SLOT_SHIFT 5 /* glibc's chunks are >= 32 bytes apart: one block per slot */
#define MEMTABLE_NODE_SLOTS (1u << (MEMTABLE_BUCKET_SHIFT - MEMTABLE_NODE_SLOT_SHIFT))
#define MEMTABLE_NODE_CAPACITY (1u << 24)
#define MEMTABLE_RECORD_CAPACITY (1u << 28) /* 268 M live blocks, 4 GiB of records reserved */
#define MEMTABLE_RECORD_MINIMUM (1u << 16)  /* under a tight RLIMIT_AS: 1 MiB of records */

#define RECORD_LIVE 0x1u
#define RECORD_LARGE 0x2u
#define RECORD_LOADER 0x4u /* allocated by the dynamic loader itself (TLS, link maps): never a leak */

typedef struct memtable_bucket {
    _Atomic uint32_t head; /* record index | MEMTABLE_LOCK_BIT */
    _Atomic uint32_t cover;
} memtable_bucket;

/* A block's record as the memtable's readers see it (memtable_record_at, memtable_remove's copy,
 * the nurseries' slots): unpacked. The pool stores it packed (memtable_entry). */
typedef struct memtable_record {
    uint64_t start;
    uint64_t size;
    uint32_t trace_id;
    uint32_t flags;      /* RECORD_*: 0 = not live */
} memtable_record;

/* A record in the pool: 16 bytes, one quarter of a cache line (memtable.c, "Records").
 *  - start_size: the start (bits 0..46: user addresses are below 2^47) and the size's low 17
 *    bits (47..63): all of a small block's size (below MEMTABLE_LARGE_THRESHOLD, 2^17).
 *  - next: the chain or free-list link; a large block is in no chain: its size >> 17.
 *  - trace_flags: the trace id (bits 0..23; ids stay below 2^22) and RECORD_* (bits 24..31),
 *    so a free clears the record with one store into it, without reading it first. */
#define ENTRY_START_MASK ((1ull << MEMTABLE_ADDRESS_BITS) - 1)
#define ENTRY_SIZE_SHIFT MEMTABLE_ADDRESS_BITS
#define ENTRY_SIZE_BITS (64 - MEMTABLE_ADDRESS_BITS)
#define ENTRY_TRACE_MASK 0x00ffffffu
#define ENTRY_FLAGS_SHIFT 24

typedef struct memtable_entry {
    uint64_t start_size;
    uint32_t next;
    uint32_t trace_flags;
} memtable_entry;

/* A dense bucket's records by the 32-byte slot of the bucket their block starts in (0 = none):
 * the record of an exact start is one load away, not a chain walk. 128 bytes, two lines. */
typedef struct memtable_node {
    uint32_t record[MEMTABLE_NODE_SLOTS];
} memtable_node;

typedef struct memtable {
    /* The buckets of one chunk of the address space each, mapped when a block first lands there
     * (memtable.c): NULL = none yet. */
    _Atomic(memtable_bucket *) *chunks;
    memtable_entry *records;
    uint32_t record_capacity;     /* records reserved: MEMTABLE_RECORD_CAPACITY, less under RLIMIT_AS */
    _Atomic uint64_t untracked;   /* blocks not recorded: out of records or of address space */
    _Atomic uint32_t record_top;  /* next never-used record index (0 is the null record) */
    invisible_spinlock free_lock; /* global free list of records */
    uint32_t free_head;
    uint32_t free_count;
    invisible_spinlock large_lock;
    uint32_t *large;              /* record indices sorted by start */
    uint32_t large_count;
    uint32_t large_capacity;
    /* Nodes of dense buckets: one reservation, a free list under node_lock (a bucket turns
     * into a node or back rarely: see memtable.c). */
    memtable_node *nodes;
    uint32_t node_capacity;       /* nodes reserved (node 0 is the null node) */
    _Atomic uint32_t node_top;    /* next never-used node */
    invisible_spinlock node_lock;
    uint32_t node_free_head;      /* linked through record[0] */
    int ready;
} memtable;

/* ---- index/nursery.c: per-thread caches of young blocks in front of the memtable ---- */

/* 128 buckets of 4 ways: a block may sit in any way of its home bucket (a hash of its address),
 * and nowhere else. The 4 starts of a bucket are 32 aligned bytes (half a cache line), so the
 * hooks' insert and free each test all 4 ways with straight-line code (internal.h), without a
 * data-dependent branch; the sizes and sites are in a parallel array, read only when a record
 * is needed (eviction, remote free, realloc, --profile). With the 64 live blocks of a window
 * storm a bucket holds half a block on average and is full (an eviction) on about 0.2% of the
 * inserts; the linear probing it replaces missed its home slot on a quarter of the inserts and
 * of the frees (a call and a mispredicted branch each). */
#define NURSERY_BUCKET_BITS 7
#define NURSERY_WAYS 4 /* internal.h's bucket tests are written out for 4 ways */
#define NURSERY_SLOTS ((1u << NURSERY_BUCKET_BITS) * NURSERY_WAYS)
#define NURSERY_DEAD (1ull << 63) /* slot value of a block freed by another thread */

/* A block's site as the hooks carry it: the interned trace id, and bit 31 set when the
 * allocating code is the dynamic loader's own (RECORD_LOADER). Trace ids stay far below 2^31. */
#define SITE_LOADER 0x80000000u

/* Slot i of a nursery: start[i] (0 empty, start | NURSERY_DEAD dead, else the live block) and
 * info[i] (size, low 32 bits: small blocks only | site (SITE_LOADER...) << 32). Page-aligned
 * (own_map), so every bucket's starts are one aligned cache line. */
typedef struct nursery {
    _Atomic uint64_t start[NURSERY_SLOTS];
    uint64_t info[NURSERY_SLOTS];
} nursery;

typedef struct nursery_pool {
    nursery *nurseries;  /* one per thread slot below `capacity`, reserved lazily */
    uint32_t capacity;   /* THREAD_SLOT_CAPACITY, less under RLIMIT_AS (later slots get none) */
    int enabled;
} nursery_pool;

/* ---- index/threads.c: the per-thread state and the slot registry ---- */

#define THREAD_RECORD_CACHE 128
#define THREAD_TRACE_CACHE 256
#define THREAD_SLOT_CAPACITY 65536u

typedef struct thread_trace_cache_entry {
    uint64_t key;   /* hash of the trace's return addresses */
    uint32_t id;    /* interned trace id */
    uint32_t unused;
} thread_trace_cache_entry;

/* One per thread, in static TLS (state.c). `guard` comes first: query.h shows it to the rest of
 * libinvisible.so as `invisible_tls`, the same object. */
typedef struct thread_state {
    invisible_thread guard;           /* in_hook > 0: our code is running; allocations go raw */
    volatile int park_pending;        /* a stop request arrived while in_hook */
    uint32_t slot;                    /* slot index, 0 = not registered yet */
    struct nursery *nursery;          /* this thread's young blocks, NULL = none yet */
    uint32_t locks_held;              /* our spinlocks held (or being taken): internal.h */
    /* A realloc under way: the old block, whose record is gone until glibc returns (a stop that
     * finds the thread there scans it as a root, sized by glibc's chunk header). 0 = none. */
    uint64_t moving_start;
    /* A dense bucket's node that became a chain again under the bucket lock this thread holds:
     * freed once the new head is published (memtable.c), so a fork child in which the thread
     * vanished mid-way finds the bucket's old node intact. 0 = none. */
    uint32_t node_to_free;
    uint32_t record_cache_count;
    uint32_t record_cache[THREAD_RECORD_CACHE]; /* free memtable record indices */
    thread_trace_cache_entry trace_cache[THREAD_TRACE_CACHE];
    /* depth 1: call site (outside the runtime libraries) -> its interned trace */
    uint64_t site_cache_pc[THREAD_TRACE_CACHE];
    uint32_t site_cache_id[THREAD_TRACE_CACHE];
    /* --profile (trace/profile.c): this thread's counter table, NULL = not attached yet */
    struct profile_counter *profile_table;
    uint64_t profile_last_alloc;  /* start of this thread's last allocation, 0 = a free came since */
    int64_t profile_delta;        /* heap bytes not folded into the process's yet */
    int64_t profile_delta_high;   /* highest profile_delta since the last fold */
    /* __lsan_disable nesting: while > 0 this thread's new blocks carry SITE_LOADER (never leaks) */
    int ignore_allocations;
} thread_state;

typedef struct thread_slot {
    _Atomic uint64_t held_bucket; /* 1 + index of the bucket whose lock this thread holds */
    uint32_t next_free;           /* free-slot stack link */
    uint32_t in_use;
} __attribute__((aligned(64))) thread_slot;

typedef struct thread_registry {
    thread_slot *slots;           /* THREAD_SLOT_CAPACITY entries, slot 0 = shared overflow */
    _Atomic uint32_t slot_top;    /* next never-used slot */
    uint32_t free_slot_head;
    invisible_spinlock lock;
    unsigned int exit_key;        /* pthread key whose destructor recycles the slot (init.c) */
    int exit_key_ready;
} thread_registry;

/* ---- index/block_types.c: type annotations of live blocks ---- */

#define TYPE_SLOT_TOMBSTONE 1ull
#define TYPE_NAME_MAX 255
#define TYPE_NAME_SLOTS 4096u            /* distinct type names */
#define TYPE_NAME_ARENA (1u << 20)       /* bytes of interned names */
#define TYPE_TABLE_MIN 1024u

typedef struct type_slot {
    uint64_t start;                      /* 0 empty, TYPE_SLOT_TOMBSTONE removed */
    uint64_t size;
    uint32_t trace_id;
    uint32_t unused;
    const char *name;
} type_slot;

typedef struct type_names {
    const char *slots[TYPE_NAME_SLOTS];
    char arena[TYPE_NAME_ARENA];
} type_names;

typedef struct block_type_table {
    invisible_spinlock lock;
    type_slot *slots;
    uint32_t capacity;                   /* power of two, 0 before first use */
    uint32_t used;                       /* live + tombstones */
    type_names *names;
    uint32_t arena_used;
} block_type_table;

/* ---- trace/intern.c: interned allocation-site traces ---- */

/* Levels of open-addressing tables, oldest and smallest first, each 4x the one before: a lookup
 * probes the levels in use in order, and new traces go to the newest; a level takes no more
 * than half its slots before the next is used. A process with few traces probes a table that
 * stays in the caches and a handful of pages, instead of a random place in 4 Mi slots (16 MiB:
 * a cache and TLB miss for every lookup, trace_intern 12.8% of cc1 at depth 16). */
#define TRACE_LEVEL0_BITS 15
#define TRACE_TOP_BITS 23                   /* 8 Mi slots of 8 bytes for the last level */
#define TRACE_LEVELS_MAX 8
#define TRACE_STORAGE_WORDS (1ull << 27)    /* 1 GiB of return addresses reserved */
#define TRACE_MAX_COUNT (1u << 22)
#define TRACE_ID_BITS 22                    /* a slot: the hash's upper 42 bits | id */

typedef struct trace_table {
    _Atomic uint64_t *slots;      /* the levels one after another; 0 = empty */
    uint64_t level_start[TRACE_LEVELS_MAX];  /* first slot of each level */
    uint32_t level_mask[TRACE_LEVELS_MAX];   /* slots - 1 */
    uint32_t level_total;         /* levels reserved */
    _Atomic uint32_t level_count; /* levels in use; the last takes new traces */
    uint32_t level_used;          /* slots taken in the last level in use (under insert_lock) */
    invisible_spinlock insert_lock; /* new traces: one at a time, so two threads never give one trace two ids */
    uint64_t *storage;            /* per trace: header word (hash<<8 | depth), then pcs */
    uint64_t *offsets;            /* id -> word offset of its header in storage */
    uint32_t max_count;           /* ids: TRACE_MAX_COUNT, fewer under RLIMIT_AS */
    uint64_t storage_words;       /* TRACE_STORAGE_WORDS, or less */
    _Atomic uint64_t storage_top;
    _Atomic uint32_t id_top;      /* next id; 0 is "no trace" */
    _Atomic uint32_t dropped;     /* traces not interned because the table was full */
    int ready;
} trace_table;

/* ---- trace/profile.c: allocation profiling (--profile), off unless asked for ---- */

#define PROFILE_FOLD_BYTES (64 << 10)   /* a thread folds its heap delta into the process's past this */
#define PROFILE_TABLES 256u             /* thread slots below this get a counter table of their own */
#define PROFILE_TIMELINE_POINTS 1024u

/* One trace's counters in one thread's table: one cache line, written only by its thread (the
 * overflow table: under its lock). Frees count against the freed block's trace in the freeing
 * thread's table, so a sum over the tables is the process's figure. */
typedef struct profile_counter {
    int64_t allocations, bytes, temporary, frees, freed_bytes;
    int64_t peak_net;          /* bytes - freed_bytes when the peak generation below began */
    uint64_t peak_generation;  /* the generation whose peak_net this is */
    uint64_t unused;
} profile_counter;

typedef struct profile_point {
    uint64_t t_ns;
    uint64_t heap_bytes;
} profile_point;

typedef struct profile_state {
    int enabled;
    uint32_t table_count;         /* tables reserved: PROFILE_TABLES, fewer under RLIMIT_AS */
    uint64_t table_traces;        /* counters per table: the trace table's max_count */
    uint64_t start_ns;
    profile_counter *tables;      /* table_count tables of table_traces counters (reserved) */
    profile_counter *overflow;    /* the table of every other thread, under overflow_lock */
    invisible_spinlock overflow_lock;
    _Atomic int64_t heap;         /* folded heap bytes: exact to within PROFILE_FOLD_BYTES per thread */
    _Atomic int64_t peak;
    _Atomic uint64_t peak_ns;
    _Atomic uint64_t generation __attribute__((aligned(64))); /* read by every counter update */
    int64_t snapshot_peak __attribute__((aligned(64)));       /* heap when generation last moved */
    invisible_spinlock lock;      /* snapshot_peak, generation, the timeline */
    uint32_t timeline_count;
    uint64_t timeline_interval_ns;
    profile_point timeline[PROFILE_TIMELINE_POINTS];
    /* profile_read's result, reused by each call */
    invisible_spinlock read_lock;
    invisible_profile result;
    invisible_profile_site *sites;
    uint64_t site_capacity;       /* entries mapped at `sites` */
    profile_point timeline_copy[PROFILE_TIMELINE_POINTS + 1];
} profile_state;

/* ---- trace/: the unwinder's rule cache (rules.c) and stack bounds (stacks.c) ---- */

/* A rule cache entry {key, rule}: key = pc in bits 0..47 and a version in bits 48..63 that is
 * odd while a writer owns the entry (rules.c). */
typedef struct rule_cache_entry {
    _Atomic uint64_t key;
    _Atomic uint64_t rule;
} rule_cache_entry;

typedef struct stack_range {
    uintptr_t low, high;
} stack_range;

typedef struct thread_stacks {
    stack_range main;      /* the thread's own stack, valid for its whole life */
    stack_range other;     /* last alternate stack seen (signal stack, coroutine) */
    unsigned failed_lookups;
} thread_stacks;

/* ---- scan/stopworld.c: the other threads, stopped ---- */

#define STOPWORLD_MAX_THREADS 4096
#define STOPWORLD_REGISTER_COUNT 18

typedef struct stopped_thread {
    pid_t tid;
    int from_signal;       /* 1: registers of the interrupted thread (ptrace or signal context); 0: parked in a hook */
    uint64_t sp;           /* lowest live stack address (the red zone included) */
    uint64_t thread_pointer;
    uint64_t registers[STOPWORLD_REGISTER_COUNT];
    uint64_t moving_low, moving_high; /* a block in the middle of a realloc: a root (else equal) */
} stopped_thread;

/* What the tracer task and the stopping thread share (stopworld.c). */
typedef struct stopworld_tracer {
    _Atomic uint32_t state;        /* futex word: TRACER_* */
    pid_t pid, stopper_tid;        /* the process, and the thread that stays running */
    int64_t tls_offset;            /* &thread_tls - thread pointer (the same in every thread) */
    uint64_t own_text_start, own_text_end; /* our library's code */
    uint32_t traced_count;
    uint32_t released;             /* threads let go to park on their way out of our code */
    uint32_t claims;               /* entries of stopworld.threads the tracer wrote */
    pid_t traced[STOPWORLD_MAX_THREADS];
    int traced_signal[STOPWORLD_MAX_THREADS]; /* a signal that stopped it, given back at detach; -1 = let go */
    int traced_entry[STOPWORLD_MAX_THREADS];  /* its entry in stopworld.threads, -1 = none */
    uint32_t nudge_count;          /* threads to run out of busy code (stopworld.c) */
    pid_t nudge[STOPWORLD_MAX_THREADS];
    int error;                     /* why ptrace could not be used (errno), 0 = it could */
} stopworld_tracer;

typedef struct stopworld {
    stopped_thread *threads;       /* STOPWORLD_MAX_THREADS, mapped on first use */
    _Atomic uint32_t claimed;            /* next free entry of `threads` */
    _Atomic uint32_t arrived;            /* entries completely written */
    _Atomic uint32_t release_generation; /* futex word: parked threads wait for a change */
    _Atomic int active;                  /* a stop is in progress */
    _Atomic int stopper;                 /* tid of the thread stopping the world (one at a time) */
    int method;                          /* how the current stop was made: STOP_BY_* (stopworld.c) */
    pid_t tracer_pid;                    /* the tracer task of a ptrace stop */
    stopworld_tracer *tracer;            /* shared with it (mapped on first use, with its stack) */
    void *tracer_stack;
    int handler_installed;               /* signal method: our handler is in place */
    int signal_number;
    int signalled_pending;               /* signal method: some signalled thread never took it */
    struct sigaction previous_storage;   /* the program's handler, put back after the stop */
    pid_t signalled_tids[STOPWORLD_MAX_THREADS];
    int quiet;                           /* the last stop: no stopped thread inside busy code */
    int busy_searched;                   /* busy code found (scan/quiet.c) */
    int busy_count;
    invisible_code_range busy[40];       /* glibc's allocator, fork, the loader, pthread_create */
    /* In a report helper (a copy made while the world was stopped): the entries of `threads` are
     * the program's threads as the copy has them (stacks copied, registers read at the stop);
     * thread_backtraces gives those instead of stopping anyone (stopworld_forget_stop). */
    int in_copy;
    uint32_t copied_count;
} stopworld;

/* ---- scan/leakcheck.c: the last leak check, and where the exiting thread's stack ends ---- */

typedef struct leakcheck_state {
    uint64_t exit_stack_low;          /* live stack bound of the exiting thread */
    uint64_t exit_registers[6];       /* callee-saved registers when exit() was called */
    invisible_leak_summary summary;
    invisible_leak_record *records;   /* mapped, `record_capacity` entries */
    uint64_t record_capacity;
    void *active_scan;                /* the scan a fault during root scanning unwinds to */
    int failure;                      /* why the last check returned NULL: an errno, or 0 */
} leakcheck_state;

/* ---- hooks/: what the interposers need besides the tables ---- */

/* The hooks' mode word, read once on every call (init.c's hooks_configure writes it). */
#define HOOKS_READY 0x1u      /* initialised and tracking */
#define HOOKS_SITE_CACHE 0x2u /* depth 1: the per-thread call-site cache answers */
#define HOOKS_NURSERY 0x4u    /* the per-thread nurseries are on */
#define HOOKS_PROFILE 0x8u    /* --profile: count every allocation and free (trace/profile.c) */
#define HOOKS_FREE_OBSERVER 0x10u /* frees are told to hooks.free_observer (a record of recent frees) */
/* Bits 16-31 of a non-zero mode: the site cache's epoch (hooks/wrappers.c bumps it when the wrapper
 * ranges change). A cache entry's key is pc | epoch << 48 (user-space pcs are below 2^47): entries
 * of an older epoch never match again, in every thread at once, and the hit path pays no extra
 * load (the mode word is read anyway). */
#define HOOKS_EPOCH_SHIFT 16
#define HOOKS_EPOCH_MASK 0xffff0000u

/* Where untracked allocations go (hooks/malloc.c's bypass path). */
#define BYPASS_GLIBC 0   /* glibc's __libc_* functions */
#define BYPASS_FOREIGN 1 /* the allocator that serves the process (primitives/allocator.c) */

/* The malloc family of an allocator that is not glibc's (jemalloc, tcmalloc...). */
typedef struct allocator_functions {
    void *(*malloc)(size_t);
    void (*free)(void *);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    void *(*memalign)(size_t, size_t);
    size_t (*malloc_usable_size)(void *);
} allocator_functions;

typedef struct hooks_state {
    int mode;                         /* HOOKS_* bits: the hooks' one-load check (0: go to glibc) */
    int bypass;                       /* BYPASS_*: where untracked allocations go */
    allocator_functions foreign;      /* BYPASS_FOREIGN's functions */
    const char *foreign_name;         /* its object's path (for the message), NULL = glibc serves */
    uint64_t loader_text_start;       /* ld.so's code: allocations made from there are RECORD_LOADER */
    uint64_t loader_text_size;
    void *program_main;               /* the program's main, wrapped through __libc_start_main */
    void *real_malloc_usable_size;    /* glibc's, resolved on first use */
    invisible_free_observer free_observer; /* HOOKS_FREE_OBSERVER's callee (query.h), NULL = none */
} hooks_state;

/* ---- hooks/wrappers.c: allocator wrappers' code, for the adaptive capture depth ---- */

#define INVISIBLE_WRAPPER_PATH 512

/* A wrapper function's code [start, end) (runtime addresses) and how many frames a capture from
 * inside it may need above its own (the wrapper chain, then the first frame outside it). */
typedef struct invisible_wrapper_range {
    uint64_t start, end;
    uint32_t extra, unused;
} invisible_wrapper_range;

/* One published set of ranges, sorted by start, disjoint. Never changed once published: a new
 * set replaces it whole (dlopen, dlclose), and the old one stays mapped until exit, because a
 * hook on another thread may still be searching it (no lock, no reference count on the hot path). */
typedef struct wrapper_set {
    uint64_t count;
    uint64_t mapped_bytes;
    invisible_wrapper_range ranges[];
} wrapper_set;

typedef struct wrapper_table {
    const wrapper_set *current;       /* atomic: NULL = no wrapper known, every site keeps the default depth */
    int enabled;                      /* INVISIBLE_WRAPPERS is not "no" and a cache directory exists */
    uint32_t epoch;                   /* the site cache's epoch (HOOKS_EPOCH_SHIFT), under the table's mutex */
    uint32_t published;               /* sets published so far (each one stays mapped) */
    uint32_t scans;                   /* objects scanned at dlopen so far */
} wrapper_table;

/* ---- the process ---- */

typedef struct instrument_process {
    _Atomic int init_state;           /* 0 none, 1 in progress, 2 done, -1 failed */
    int tracking;                     /* hooks record blocks (0 when tables are unavailable) */
    hooks_state hooks;
    int depth;                        /* frames per trace (invisible_settings) */
    wrapper_table wrappers;           /* hooks/wrappers.c */
    int stop_signal;                  /* 0: SIGRTMAX - 3 */
    memtable table;
    trace_table traces;
    thread_registry threads;
    nursery_pool nurseries;
    stopworld stop;
    _Atomic int backtraces_busy;      /* one thread_backtraces at a time (scan/backtraces.c) */
    leakcheck_state leaks;
    invisible_query_api query;
    block_type_table block_types;
    profile_state profile;
    own_regions own;
} instrument_process;

#endif
