/* state.h — the one per-process state struct of libinvisible.so. Every module keeps its data
 * here, not in file-level globals, so what the library owns is visible in one place and a
 * debugger can print all of it (`p invisible_state`). */
#ifndef INVISIBLE_STATE_H
#define INVISIBLE_STATE_H

#include <stdint.h>

#include "invisible/block_types.h"
#include "invisible/memtable.h"
#include "invisible/nursery.h"
#include "invisible/options.h"
#include "invisible/query.h"
#include "invisible/stopworld.h"
#include "invisible/thread_state.h"
#include "invisible/trace.h"

#define OWN_REGION_CAPACITY 64

typedef struct own_region { uint64_t start, end; } own_region;

typedef struct leakcheck_state {
    uint64_t exit_stack_low;          /* live stack bound of the exiting thread */
    uint64_t exit_registers[6];       /* callee-saved registers when exit() was called */
    invisible_leak_summary summary;
    invisible_leak_record *records;   /* mapped, `record_capacity` entries */
    uint64_t record_capacity;
    void *active_scan;                /* the scan a fault during root scanning unwinds to */
} leakcheck_state;

/* The preloaded entry's own state (preload/libinvisible): the wrapped main, the lazily loaded
 * runtime and the report destination. */
typedef struct preload_state {
    void *program_main;               /* the program's main, wrapped through __libc_start_main */
    void *real_malloc_usable_size;    /* glibc's, resolved on first use */
    void *runtime;                    /* dlopen handle of libinvisible-runtime.so */
    void *runtime_init;
    void *runtime_report;
    int runtime_failed;
    int log_fd;                       /* --log file, opened on first report */
    int log_pid;                      /* the process it was opened for (%p in a fork child) */
    char command[4096];               /* /proc/self/cmdline, space-joined */
} preload_state;

/* What the hooks may do, one word read on every call (see invisible_hooks_configure). */
#define HOOKS_READY 0x1u      /* initialised and tracking */
#define HOOKS_SITE_CACHE 0x2u /* depth 1: the per-thread call-site cache answers */
#define HOOKS_NURSERY 0x4u    /* the per-thread nurseries are on */

typedef struct invisible_process {
    _Atomic int init_state;           /* 0 none, 1 in progress, 2 done, -1 failed */
    int tracking;                     /* hooks record blocks (0 when tables are unavailable) */
    int hooks_mode;                   /* HOOKS_* bits: the hooks' one-load check (0: go to glibc) */
    int report_fd;                    /* saved stderr, or the --log file */
    int exiting;
    invisible_options options;
    memtable table;
    trace_table traces;
    thread_registry threads;
    nursery_pool nurseries;
    stopworld stop;
    leakcheck_state leaks;
    invisible_query_api query;
    block_type_table block_types;     /* type annotations (block_types.c) */
    preload_state preload;
    uint64_t loader_text_start;       /* ld.so's code: allocations made from there are RECORD_LOADER */
    uint64_t loader_text_size;
    invisible_spinlock own_regions_lock;
    own_region own_regions[OWN_REGION_CAPACITY]; /* our own mappings: never roots */
    int own_region_count;
} invisible_process;

extern invisible_process invisible_state;

/* First-use initialisation of the tables (safe from inside the first malloc). */
int invisible_state_ensure(void);

/* Recompute `hooks_mode` from the tracking state, the depth and the nursery switch. Called
 * whenever one of them changes (first use, options_load, nursery_disable) and by the
 * constructor once the loader's text is known; it also empties the calling thread's call-site
 * cache, which may hold sites captured before that (without their loader flag). */
void invisible_hooks_configure(void);

#endif
