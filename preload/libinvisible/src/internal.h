/* internal.h — what the files of preload/libinvisible share, grouped by the file that defines it.
 *
 * libinvisible.so's entry: the code linked around malloc-instrument (whose interface is
 * invisible/query.h) and the loader extension (dlext.h). Layers, lowest first; a file calls only
 * into those below it:
 *   state.c    the entry's state (data only)
 *   text.c     malloc-free formatting and writes
 *   options.c  the INVISIBLE_* settings
 *   report.c   the report request, its destination, and the plain report (no runtime)
 *   faultguard.c  native faults in calls made from Python become exceptions (exports in invisible.h)
 *   runtime.c  libinvisible-runtime.so: loading it, calling its reports and Python sessions
 *   peer_access.c  may a connecting process control this one (the kernel's ptrace rule)
 *   attach.c   the on-demand request listener (protocol in include/invisible.h)
 *   entry.c    the constructor, the report at exit, invisible_report()
 */
#ifndef INVISIBLE_PRELOAD_INTERNAL_H
#define INVISIBLE_PRELOAD_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "invisible.h"
#include "invisible/query.h"

/* ---- options.c: settings of the preloaded library, read from INVISIBLE_* variables ----
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

/* ---- state.c ---- */

typedef struct preload_state {
    invisible_options options;
    int tracking;                     /* malloc-instrument records blocks */
    int exiting;                      /* the report at exit has started */
    int report_fd;                    /* saved stderr, or the --log file */
    int log_fd;                       /* --log file, opened on first report */
    int log_pid;                      /* the process it was opened for (%p in a fork child) */
    char command[4096];               /* /proc/self/cmdline, space-joined */
    void *runtime;                    /* dlopen handle of libinvisible-runtime.so */
    void *runtime_init;
    void *runtime_report;
    int runtime_failed;
} preload_state;

extern preload_state invisible_state;

/* ---- text.c: formatting and writes that never malloc (no stdio, no locale) ----
 * They run at exit after a leak check and in the attach listener, where a stdio lock may be
 * held by a thread that will never release it. */

/* Write all of `text` to `fd`, retrying on EINTR and short writes; errno is left as it was. */
void raw_write_all(int fd, const char *text, size_t length);

/* Append to a caller buffer, always NUL-terminated; each returns the new length. */
size_t raw_append(char *buffer, size_t length, size_t capacity, const char *text);
size_t raw_append_u64(char *buffer, size_t length, size_t capacity, uint64_t value);
size_t raw_append_u64_grouped(char *buffer, size_t length, size_t capacity, uint64_t value);
size_t raw_append_hex(char *buffer, size_t length, size_t capacity, uint64_t value);

/* ---- report.c: a report request, its destination, and the plain report ---- */

/* The text report's destination, opened on demand (saved stderr or --log). */
int report_descriptor(void);

/* Fill the common parts of a request (pid, command line, descriptor). */
void report_prepare_request(invisible_report_request *request, const invisible_leak_summary *leaks,
                            const char *json_path, unsigned flags);

/* The fallback when the runtime is unavailable: text to the report descriptor (dladdr symbols),
 * JSON to request->json_path. Returns 0. */
int report_plain(const invisible_report_request *request);

/* ---- faultguard.c: the fault guard (its exports are in invisible.h) ---- */

/* runtime.c gave the program its own signal dispositions back (end of a report or an attach
 * session): the guard's handler is gone, the next guarded call installs it again in front of
 * whatever is there then. */
void fault_guard_forget(void);

/* ---- runtime.c: libinvisible-runtime.so ----
 * A failure of the runtime never loses the report: callers fall back to report_plain. */

/* Try the runtime; returns 0 when it wrote the report. Signal dispositions are restored. */
int report_with_runtime(const invisible_report_request *request);

/* Run an interactive Python session of the runtime on the connected socket `fd` (attach.c's
 * `python` request); `pending` holds bytes of the connection already read past the request
 * line. Signal dispositions are handled as for reports, except SIGPIPE stays the program's.
 * Returns the runtime's status (>= 0), or -1 when the runtime or its interpreter is missing. */
typedef int (*invisible_runtime_python_fn)(const invisible_query_api *api, int fd,
                                           const char *pending, uint64_t pending_length);
int runtime_python_session(int fd, const char *pending, size_t pending_length);

/* The runtime's `invisible_runtime_python_interrupt`: raises KeyboardInterrupt in the code a
 * session runs (any thread may call it; attach.c's relay does on Ctrl-C). Loads the runtime;
 * NULL when it or the entry is missing. */
typedef int (*invisible_runtime_python_interrupt_fn)(void);
invisible_runtime_python_interrupt_fn runtime_python_interrupt_entry(void);

/* ---- peer_access.c: may the process at the other end of a unix socket control this one? ----
 * The attach listener runs code on request, in this process, with this process's credentials: a
 * connection is as powerful as ptrace(2). So a peer is accepted exactly when the kernel would let
 * it ptrace-attach to us (ptrace_may_access with PTRACE_MODE_ATTACH_REALCREDS, the commoncap
 * capability rule and Yama's scope), judged afresh at every connection because this process may
 * have changed its credentials since the listener started (a root service that switched to
 * setresuid(U, U, 0) must not accept U). */

/* 1 when the peer of the connected socket `fd` may attach to us, 0 when not; then `why` holds
 * a one-line reason (no newline) for the peer. Allocates nothing (runs on the listener thread
 * between requests, where our allocations must not show up in the program's heap). */
int peer_may_attach(int fd, char *why, size_t why_size);

#endif
