/* query.h — malloc-instrument's one public header: how the managed runtime, debuggers and the
 * rest of libinvisible.so read the memtable and the traces.
 *
 * Contract
 *  - libinvisible.so fills one `invisible_query_api` table and hands a pointer to it to the
 *    runtime (libinvisible-runtime.so) in every call; the runtime never links against
 *    libinvisible.so symbols directly, so either side can be rebuilt alone.
 *  - Every function may be called from any thread. While a query runs, the calling thread's
 *    own allocations bypass the memtable (they are not recorded), so a query can malloc.
 *  - `for_each_block` visits a consistent snapshot only when the world is stopped (report at
 *    exit, census); otherwise it visits blocks bucket by bucket under the bucket locks, and a
 *    block allocated or freed concurrently may or may not be seen.
 *  - Addresses are plain integers: nothing here dereferences a user pointer, so a wild
 *    address is answered with "no block", never a crash.
 *  - The layout of every struct is part of the ABI with the C# side (its one mirror is
 *    abi/Invisible.Abi/Query/QueryApi.cs); `version` changes when it does.
 *  - The last section is not part of that ABI: it is what the code linked with malloc-instrument
 *    into libinvisible.so (preload/libinvisible) calls directly.
 */
#ifndef INVISIBLE_QUERY_H
#define INVISIBLE_QUERY_H

#include <stdint.h>

/* The TLS model of our thread-local state. initial-exec (one fs-relative load) in the preloaded
 * library; build/lib/late/libinvisible.so, the copy `invisible attach` dlopens into a running
 * process, is built global-dynamic: glibc's static TLS surplus (about 1.5 KiB) cannot hold our
 * per-thread state in a library loaded after start-up. */
#ifndef INVISIBLE_TLS_MODEL
#define INVISIBLE_TLS_MODEL "initial-exec"
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define INVISIBLE_QUERY_VERSION 1u
#define INVISIBLE_MAX_DEPTH 64

/* One live heap block. */
typedef struct invisible_block_info {
    uint64_t start;    /* address returned to the program */
    uint64_t size;     /* size the program asked for (0 for malloc(0)) */
    uint32_t trace_id; /* interned allocation-site trace; 0 = none */
    uint32_t flags;    /* INVISIBLE_BLOCK_* */
} invisible_block_info;

#define INVISIBLE_BLOCK_LARGE 0x1u /* lives in the large-block index */

/* Leak categories, exactly valgrind memcheck's. */
typedef enum invisible_leak_kind {
    INVISIBLE_STILL_REACHABLE = 0,
    INVISIBLE_DEFINITELY_LOST = 1,
    INVISIBLE_INDIRECTLY_LOST = 2,
    INVISIBLE_POSSIBLY_LOST = 3,
    INVISIBLE_LEAK_KINDS = 4
} invisible_leak_kind;

/* All blocks of one (trace, kind) pair: a valgrind "loss record". For definitely-lost records,
 * `indirect_bytes`/`indirect_blocks` count what those blocks keep alive (valgrind's
 * "(x direct, y indirect)"). */
typedef struct invisible_leak_record {
    uint32_t kind;     /* invisible_leak_kind */
    uint32_t trace_id;
    uint64_t blocks;
    uint64_t bytes;
    uint64_t indirect_blocks;
    uint64_t indirect_bytes;
    uint64_t example_block; /* start address of one block of the record */
} invisible_leak_record;

/* Result of one leak check. Records are sorted biggest first (bytes, then blocks), and owned by
 * libinvisible.so; they stay valid until the next check. */
typedef struct invisible_leak_summary {
    uint64_t blocks[INVISIBLE_LEAK_KINDS];
    uint64_t bytes[INVISIBLE_LEAK_KINDS];
    const invisible_leak_record *records;
    uint64_t record_count;
    uint64_t scanned_root_bytes; /* how much root memory was scanned */
    uint64_t threads_stopped;    /* threads whose stacks and registers were roots */
    uint64_t scan_nanoseconds;   /* wall time of the reachability scan */
} invisible_leak_summary;

/* One thread's stack, filled by `thread_backtraces`. The caller provides `pcs` and `cfas`
 * (max_frames entries each); everything else is written by libinvisible.so. */
#define INVISIBLE_THREAD_REGISTER_COUNT 17 /* DWARF numbering: 0 rax .. 7 rsp, 8..15 r8..r15, 16 rip */

typedef struct invisible_thread_backtrace {
    int32_t tid;
    uint32_t flags;       /* INVISIBLE_THREAD_* */
    int32_t frame_count;  /* entries of pcs/cfas written */
    int32_t reserved;
    uint64_t registers[INVISIBLE_THREAD_REGISTER_COUNT]; /* frame 0, when _REGISTERS is set */
    uint64_t *pcs;        /* innermost first; pcs[0] exact when _EXACT_PC, else return addresses */
    uint64_t *cfas;       /* each frame's CFA (the caller's sp); 0 = unknown */
} invisible_thread_backtrace;

#define INVISIBLE_THREAD_CURRENT 0x1u   /* the calling thread (frame 0 = thread_backtraces' caller) */
#define INVISIBLE_THREAD_REGISTERS 0x2u /* `registers` holds the interrupted state of frame 0 */
#define INVISIBLE_THREAD_EXACT_PC 0x4u  /* pcs[0] is the interrupted instruction, not a return address */

/* Callback for for_each_block: return nonzero to stop the walk. */
typedef int (*invisible_block_visitor)(const invisible_block_info *block, void *context);

/* A type annotation of a live block (set_block_type): what the program (or DwarfPython, for the
 * objects it allocates) says the block holds, e.g. "struct stat", "int[3]". */
typedef struct invisible_block_type {
    uint64_t start;        /* the block's start address */
    uint64_t size;         /* its size when annotated */
    uint32_t trace_id;     /* its trace when annotated */
    uint32_t reserved;
    const char *type_name; /* interned by libinvisible.so: valid for the life of the process */
} invisible_block_type;

/* Callback for for_each_block_type: return nonzero to stop. */
typedef int (*invisible_block_type_visitor)(const invisible_block_type *annotation, void *context);

/* Allocation profile (--profile): one interned trace's figures, the process's since profiling
 * began. `peak_bytes`: what the trace's live blocks held when the process heap last reached its
 * peak (trace/profile.c says how close to the peak that moment is). */
typedef struct invisible_profile_site {
    uint32_t trace_id;
    uint32_t reserved;
    uint64_t allocations;  /* malloc, calloc, realloc (as heaptrack: a free then an allocation), memalign... */
    uint64_t bytes;        /* bytes asked for by those allocations */
    uint64_t temporary;    /* freed by the allocating thread with no other allocation of its in between */
    uint64_t live_blocks;
    uint64_t live_bytes;
    uint64_t peak_bytes;
} invisible_profile_site;

typedef struct invisible_profile_point {
    uint64_t t_ns;         /* since profiling began */
    uint64_t heap_bytes;
} invisible_profile_point;

typedef struct invisible_profile {
    uint64_t allocations, bytes, temporary;
    uint64_t heap_bytes;   /* live bytes now */
    uint64_t peak_bytes;   /* highest live bytes seen */
    uint64_t peak_ns;      /* when, since profiling began */
    uint64_t elapsed_ns;   /* now, since profiling began */
    const invisible_profile_site *sites; /* by trace id; every trace with an allocation or a free */
    uint64_t site_count;
    const invisible_profile_point *timeline; /* oldest first, at most 1025 points (the last: now) */
    uint64_t timeline_count;
} invisible_profile;

/* One block of the record of recent frees (query API's freed_block). */
typedef struct invisible_freed_block {
    uint64_t start;       /* address the program freed */
    uint64_t size;        /* size it had asked for */
    uint32_t alloc_trace; /* interned allocation-site trace; 0 = none */
    uint32_t free_trace;  /* interned trace of the free call; 0 = none */
    uint64_t age;         /* frees recorded after this one (0: the latest) */
} invisible_freed_block;

typedef struct invisible_query_api {
    uint32_t version;    /* INVISIBLE_QUERY_VERSION */
    uint32_t struct_size;/* sizeof(invisible_query_api) */

    /* The block containing `address` (interior pointers included). Returns 1 and fills `out`,
     * or 0 when no live block contains it. */
    int (*find_block)(uint64_t address, invisible_block_info *out);

    /* Visit every live block; returns the number visited. */
    uint64_t (*for_each_block)(invisible_block_visitor visit, void *context);

    /* Number of live blocks and their total size (a walk, like for_each_block). */
    void (*live_totals)(uint64_t *blocks, uint64_t *bytes);

    /* Copy up to `max` return addresses of trace `trace_id` (innermost first) into `pcs`;
     * returns the trace depth copied, 0 for an unknown id. */
    int (*trace_frames)(uint32_t trace_id, uint64_t *pcs, int max);

    /* Run a leak check now (stops the other threads for the duration of the scan). Returns the
     * summary, valid until the next check; NULL if it could not run. */
    const invisible_leak_summary *(*leak_check)(void);

    /* Write `length` bytes to the report descriptor (stderr saved at start-up, or --log). */
    void (*write_report)(const char *text, uint64_t length);

    /* Stop the other threads, walk every stopped thread's stack and the caller's own (first
     * entry), resume them, and return the number of entries of `out` filled (at most
     * max_threads). Each entry's pcs/cfas must point at max_frames slots. Threads that block
     * the stop signal or do not park in time are missing. In a report helper (a copy of the
     * process made while the world was stopped), the program's threads as they were stopped
     * then, and no entry for the caller. Added after version 1's first fields: check
     * struct_size before calling. */
    int (*thread_backtraces)(invisible_thread_backtrace *out, int max_threads, int max_frames);

    /* Block type annotations (appended after thread_backtraces: check struct_size). The census and
     * leak records prefer an annotation to the allocation-site inference. An annotation belongs to
     * its block: it counts only while the live block at `start` has the size and trace it had when
     * annotated, and the annotator clears it when it frees the block (DwarfPython does). Kept in a
     * side table that only these functions read: malloc and free never look at it.
     *
     * Attach `type_name` (at most 255 bytes, copied and interned) to the live block that starts at
     * `address`; NULL or "" removes the annotation. Returns 1 when done, 0 when no live block starts
     * there (or the table is full). */
    int (*set_block_type)(uint64_t address, const char *type_name);

    /* The annotation of the live block starting at `address`: 1 and `out` filled, or 0. */
    int (*block_type)(uint64_t address, invisible_block_type *out);

    /* Visit every annotation whose block is still live; returns the number visited. */
    uint64_t (*for_each_block_type)(invisible_block_type_visitor visit, void *context);

    /* Allocate (zeroed, 16-byte aligned) and free a block on the program's behalf, through the
     * hooks even when the caller is our own code that otherwise bypasses them (an attach
     * session's thread): the block is tracked like any program block, so the census and leak
     * check see it. Pair them: a block from program_alloc goes to program_free (or the
     * program's free). Appended after for_each_block_type: check struct_size. */
    void *(*program_alloc)(uint64_t size);
    void (*program_free)(void *block);

    /* The allocation profile merged from every thread's counters now (the other threads keep
     * running: figures of a running process are each a moment apart), or NULL when profiling is
     * off. Owned by libinvisible.so, valid until the next call. Appended after program_free:
     * check struct_size. */
    const invisible_profile *(*profile)(void);

    /* The record of recent frees (preload/libinvisible/src/free_history.c), appended after
     * profile: check struct_size, and these two may be NULL (a library without the record).
     *
     * free_history(1) starts recording (one more user: a DwarfPython session), free_history(0)
     * drops one user; frees are recorded while any user is left. Returns the record's capacity
     * in frees while it records, 0 when it does not (INVISIBLE_FREE_HISTORY=0, tracking off, or
     * no memory for it). */
    uint64_t (*free_history)(int on);

    /* Is `address` inside a block freed recently and not allocated again since (a live block
     * that contains it wins: 0 then)? 1 and `out` filled (the most recent such free), or 0. */
    int (*freed_block)(uint64_t address, struct invisible_freed_block *out);
} invisible_query_api;

/* What libinvisible.so asks the runtime to produce. */
typedef struct invisible_report_request {
    uint32_t struct_size;
    uint32_t flags;              /* INVISIBLE_REPORT_* */
    int32_t report_fd;           /* text report destination */
    int32_t pid;
    const char *command;         /* the program's command line, space-joined */
    const char *json_path;       /* NULL = no JSON; "%p" already replaced by the pid */
    const invisible_leak_summary *leaks; /* NULL when the leak check is off */
    const char *const *alloc_fns;/* NULL-terminated extra allocator-wrapper names (--alloc-fn) */
    /* Leak suppressions (preload/libinvisible/src/suppressions.c), in the wire form below; NULL =
     * none. */
    const char *suppressions;
    /* Written by the report, one entry per leak record (leaks->records order): 0, or 1 + the index
     * of the suppression that matched it. Shared memory: the report may run in a copy of the
     * process, and the caller reads it back for the exit status. NULL when no suppressions. */
    uint32_t *suppressed_by;
    uint32_t show_kinds;         /* records listed: bit (1 << invisible_leak_kind) per kind */
    uint32_t gen_suppressions;   /* 1: a valgrind suppression block after each record listed */
    /* With INVISIBLE_REPORT_HEAP_BEFORE (set in the report helper): a copy of the process frozen
     * before the runtime started, whose glibc heap is still the program's (the census reads it
     * there), 0 if none could be made; and mallinfo2() called at that moment. */
    int32_t heap_copy_pid;
    /* 1: the report runs in the injected program itself (a session started the runtime there),
     * whose threads run on: the runtime freezes a copy for the walk (heap_copy.c's exports). */
    uint32_t heap_in_program;
    uint64_t heap_uordblks, heap_hblkhd, heap_hblks;
} invisible_report_request;

/* The suppressions' wire form: one suppression per line ('\n'), fields separated by tabs:
 *   leak<TAB>PATTERN                          LeakSanitizer's leak:PATTERN
 *   valgrind<TAB>NAME<TAB>KINDS<TAB>FRAME...  a valgrind Memcheck:Leak block; KINDS the decimal
 *                                             mask of match-leak-kinds (1 << invisible_leak_kind);
 *                                             FRAME "fun:GLOB", "obj:GLOB", "src:GLOB" or "..."
 * Matching rules: suppressions.c's head. */
#define INVISIBLE_SUPPRESSION_ALL_KINDS 0xfu

#define INVISIBLE_REPORT_LEAKS 0x1u          /* print the leak report */
#define INVISIBLE_REPORT_CENSUS 0x2u         /* print the heap census by type */
#define INVISIBLE_REPORT_SHOW_REACHABLE 0x4u /* list still-reachable records too */
#define INVISIBLE_REPORT_AT_EXIT 0x8u        /* the process is exiting */
#define INVISIBLE_REPORT_PROFILE 0x10u       /* include the allocation profile (api->profile) */
#define INVISIBLE_REPORT_QUIET 0x20u         /* text: the listed loss records only, nothing when none */
#define INVISIBLE_REPORT_COLOR 0x40u         /* text: ANSI colours (--color=always, or auto on a terminal) */
#define INVISIBLE_REPORT_PROGRESS 0x80u      /* fd 2 is the terminal the report goes to: a progress line there
                                                while a long report is made, erased after */
#define INVISIBLE_REPORT_HEAP_BEFORE 0x100u  /* census: also walk glibc's heap for the blocks from before an
                                                attach by injection (set by the report helper: the copy's heap
                                                holds still) */

/* Exports of libinvisible-runtime.so (NativeAOT); they return 0 on success.
 * `invisible_runtime_init` does nothing and is always called first: the NativeAOT runtime starts
 * lazily inside the first call of any export and re-randomizes its stack-protector cookie then,
 * so an export whose frame is cookie-checked (any stackalloc) would find the cookie changed on
 * its way out and abort the process, without a message, if it were the first call. */
typedef int (*invisible_runtime_init_fn)(void);
typedef int (*invisible_runtime_report_fn)(const invisible_query_api *api,
                                           const invisible_report_request *request);

/* ---- In-process interface: for the code linked with malloc-instrument into libinvisible.so ----
 * (preload/libinvisible: the constructor, the reports, the attach listener). Not exported. */

/* The calling thread's guard, in initial-exec TLS (reading it never calls __tls_get_addr, which
 * may malloc): while `in_hook` > 0, code of ours runs on this thread and every allocation it
 * makes goes straight to glibc, unrecorded. It is the first member of the hooks' own thread state
 * (malloc-instrument/src/types.h).
 *
 * Two kinds of sections raise it, and a leak check's stop of the world tells them apart:
 *  - short ones (+1: the hooks, lookups that take our locks, a thread's exit bookkeeping) may
 *    hold one of our locks or be half way through a table update: a thread stopped there is let
 *    go and parks on its way out;
 *  - long ones (+INVISIBLE_GUARD_LONG: a report, an attach session, waiting for a child) hold
 *    none of our locks outside short sections: a thread is stopped where it is.
 * Raise and lower it with invisible_guard_enter/leave (the leave parks the thread if a stop
 * asked it to while it was in a short section); a thread idle with it at 0 is stopped by a leak
 * check like any other. */
typedef struct invisible_thread {
    int in_hook;
} invisible_thread;

#define INVISIBLE_GUARD_LONG 0x10000
#define INVISIBLE_GUARD_SHORT_MASK (INVISIBLE_GUARD_LONG - 1)

extern __thread invisible_thread invisible_tls __attribute__((tls_model(INVISIBLE_TLS_MODEL)));

void invisible_guard_enter(int long_running);
void invisible_guard_leave(int long_running);

/* What the embedder read from its settings (INVISIBLE_DEPTH, INVISIBLE_NURSERY,
 * INVISIBLE_STOP_SIGNAL). */
typedef struct invisible_settings {
    int depth;       /* frames per allocation trace, 1..INVISIBLE_MAX_DEPTH */
    int nursery;     /* 0: no per-thread cache of young blocks: every block goes to the memtable */
    int stop_signal; /* the signal that stops threads for a scan; 0 = SIGRTMAX - 3 */
    int profile;     /* count allocations, frees, temporaries and the peak per trace (--profile) */
} invisible_settings;

/* Set the tables up now (the first allocation does it when it comes first). 0, or -1 when the
 * address space could not be reserved: then nothing is tracked. Idempotent, malloc-free. */
int invisible_instrument_init(void);

/* Why nothing is tracked in this process, as a phrase for "invisible: PHRASE; leak tracking is
 * off" (another allocator than glibc's serves it; the tables could not be reserved), or NULL when
 * tracking works. */
const char *invisible_instrument_unavailable(void);

/* Tracking works but missed blocks (the record pool or the address space ran out, under an
 * address-space limit): a phrase for "invisible: PHRASE" said before a report, or NULL. */
const char *invisible_instrument_degraded(void);

/* From the embedder's constructor, once: initialise, apply `settings`, note where the dynamic
 * loader's code is (its own allocations are never leaks), register the handlers that recycle a
 * thread's slot at its exit and keep the tables consistent across fork. Returns what
 * invisible_instrument_init returns. */
int invisible_instrument_start(const invisible_settings *settings);

/* In a report helper (a copy of the process that the embedder made with a bare clone, at a
 * quiet moment: invisible_at_quiet_moment): from now on nothing is tracked, and the locks of our
 * tables that other threads held are released. Call first, before anything allocates. */
void invisible_instrument_enter_helper(void);

/* 1 when a debugger or another tracer (strace) is attached to this process (TracerPid): then
 * neither ptrace nor a copy of the process is ours to make. */
int invisible_process_traced(void);

/* A range of code: [start, end). */
typedef struct invisible_code_range {
    uint64_t start, end;
} invisible_code_range;

/* Stop the other threads at a moment when none of them is inside glibc code that holds locks a
 * copy of the process would need (the allocator, fork, pthread_create, the dynamic loader), run
 * `work(argument)` while they are stopped, and resume them. Tries for about `budget_ns`. 0 when
 * `work` ran, -1 when no such moment came (or the world could not be stopped). */
int invisible_at_quiet_moment(void (*work)(void *argument), void *argument, uint64_t budget_ns);

/* A library loaded late (dlopen'ed into a running process by `invisible attach`): the program is
 * bound to glibc's malloc, so the malloc family's GOT slots of every loaded object (and of every
 * object dlopen'ed from now on) are rewritten to our hooks (hooks/got.c). Returns the number of
 * slots written, or -1. Restore writes back every slot that still holds our hook (the count).
 * Forget drops every record (blocks freed while the slots were glibc's would otherwise stay
 * "live"); call it before installing again, while no hook runs. */
int invisible_hooks_got_install(void);
/* Another library's hook for the GOT slots of function `name` (libinvisible's close, dup2, ...:
 * its hidden descriptors), written and restored with the malloc family's from the next install
 * on. `hook` must be the hook's own address (a hidden alias), never read from a GOT. 0, or -1
 * when the table is full (8). */
int invisible_hooks_got_add(const char *name, void *hook);
int invisible_hooks_got_restore(void);
int invisible_hooks_got_installed(void);
void invisible_instrument_forget_all(void);

/* Frees as the hooks see them, for preload/libinvisible's record of recent frees. `observer` is
 * called for every tracked block that free() releases (and realloc, when it moves a block or
 * frees it), before glibc gets the block, with this thread's in_hook raised: it must neither
 * allocate nor take a lock. `free_trace` is the free call's site, captured as an allocation's
 * site is (same depth). NULL stops the calls; while it is NULL the free path pays nothing. */
typedef void (*invisible_free_observer)(uint64_t start, uint64_t size, uint32_t alloc_trace, uint32_t free_trace);
void invisible_instrument_observe_frees(invisible_free_observer observer);

/* Fill the query table's free_history and freed_block (the embedder's record of frees). */
void invisible_query_set_free_history(uint64_t (*free_history)(int on),
                                      int (*freed_block)(uint64_t address, invisible_freed_block *out));

/* The table handed to the runtime (filled on first call). */
const invisible_query_api *invisible_query_table(void);

/* The table's write_report: where the embedder's report text goes. Until it is set,
 * write_report writes nothing. */
void invisible_query_set_report_writer(void (*write_report)(const char *text, uint64_t length));

/* Run a leak check now (stops and resumes the world): the table's leak_check. NULL if it could
 * not run; then leakcheck_failure() says why. */
const invisible_leak_summary *leakcheck_run(void);

/* LeakSanitizer's runtime interface (preload/libinvisible/src/lsan.c). Blocks allocated by a
 * thread while its ignore count (`delta` added per call: __lsan_disable +1, __lsan_enable -1) is
 * above 0, and blocks passed to ignore_block (any address inside a live block), are never leaks:
 * they are roots, as the dynamic loader's blocks are. Root regions (exact start and size to
 * remove one) are scanned as roots, inaccessible pages skipped. 0, or -1 (no such live block;
 * the region table, 1,024 entries, is full; no such region). */
/* The first definition of `name` in the global lookup order, ourselves excepted, found by reading the
 * loaded objects' dynamic symbol tables: no allocation, no dlerror() state (the program's LSan hooks). */
void *invisible_find_global_symbol(const char *name);
void invisible_instrument_ignore_allocations(int delta);
int invisible_instrument_ignore_block(uint64_t address);
int invisible_instrument_root_region(uint64_t start, uint64_t size, int add);

/* Why the last leakcheck_run returned NULL: an errno (EMFILE: no descriptor left to read the
 * maps or the task list; ENOMEM), or 0. */
int leakcheck_failure(void);

#ifdef __cplusplus
}
#endif
#endif
