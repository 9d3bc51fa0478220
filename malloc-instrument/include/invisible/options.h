/* options.h — settings of the preloaded library, read from INVISIBLE_* environment variables.
 *
 * The CLI (`invisible run --depth 16 ...`) only translates its options into these variables,
 * so `LD_PRELOAD=libinvisible.so prog` with no settings behaves exactly like
 * `invisible run -- prog`.
 *
 *   INVISIBLE_DEPTH=N             trace depth, 1..64 (default 1: the allocation's call site)
 *   INVISIBLE_LEAK_CHECK=yes|no   leak check at exit (default yes)
 *   INVISIBLE_SHOW_REACHABLE=yes  also list still-reachable loss records
 *   INVISIBLE_LOG=FILE            text report to FILE instead of stderr ("%p" = pid)
 *   INVISIBLE_JSON=FILE           JSON report ("%p" = pid)
 *   INVISIBLE_ERROR_EXITCODE=N    exit with N when leaks (definite/indirect/possible) exist
 *   INVISIBLE_CENSUS=yes          heap census by type at exit
 *   INVISIBLE_ALLOC_FN=a,b        extra allocator wrappers to skip when attributing sites
 *   INVISIBLE_RUNTIME=PATH        libinvisible-runtime.so to use (default: beside this library)
 *   INVISIBLE_STOP_SIGNAL=N       signal used to stop threads for a scan (default SIGRTMAX-3)
 *   INVISIBLE_NURSERY=no          record every block in the shared memtable at once (no
 *                                 per-thread cache of young blocks; for measurements)
 */
#ifndef INVISIBLE_OPTIONS_H
#define INVISIBLE_OPTIONS_H

#define INVISIBLE_PATH_CAPACITY 4096

typedef struct invisible_options {
    int depth;
    int leak_check;
    int show_reachable;
    int error_exitcode;
    int census;
    int stop_signal;
    int nursery;
    char log_path[INVISIBLE_PATH_CAPACITY];
    char json_path[INVISIBLE_PATH_CAPACITY];
    char runtime_path[INVISIBLE_PATH_CAPACITY];
    char alloc_fns[INVISIBLE_PATH_CAPACITY];
    char bad_option[256]; /* first malformed setting, reported once at start-up */
} invisible_options;

/* Defaults, then the environment. Uses getenv only (no allocation). */
void options_load(invisible_options *options);

/* Replace every "%p" in `pattern` by `pid`. */
void options_expand_pid(const char *pattern, int pid, char *out, unsigned long capacity);

#endif
