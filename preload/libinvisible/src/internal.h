/* internal.h — what the files of preload/libinvisible share, grouped by the file that defines it.
 *
 * libinvisible.so's entry: the code linked around malloc-instrument (whose interface is
 * invisible/query.h) and the loader extension (dlext.h). Layers, lowest first; a file calls only
 * into those below it:
 *   state.c    the entry's state (data only)
 *   text.c     malloc-free formatting and writes
 *   elf_file.c is an ELF file whole (its headers' promises kept) before anyone maps it
 *   descriptors.c  no descriptor of ours visible to the program; stderr kept when it closes fd 2
 *   options.c  the INVISIBLE_* settings
 *   suppressions.c  leak suppressions: reading them, and matching them for the plain report
 *   report.c   the report request, its destination, the report files, and the reports written
 *              without the runtime (nothing to symbolize, or the runtime unavailable)
 *   helper.c   report helpers: a copy of the process in which the runtime writes a report
 *   free_history.c  a record of recent frees (query API free_history, freed_block)
 *   faultguard.c  native faults in calls made from Python become exceptions (exports in invisible.h)
 *   runtime.c  libinvisible-runtime.so: loading it, calling its reports and Python sessions
 *   peer_access.c  may a connecting process control this one (the kernel's ptrace rule)
 *   attach.c   the on-demand request listener (protocol in include/invisible.h)
 *   entry.c    the constructor, the report at exit, invisible_report()
 *   lsan.c     LeakSanitizer's runtime interface (__lsan_*), on top of the report at exit
 */
#ifndef INVISIBLE_PRELOAD_INTERNAL_H
#define INVISIBLE_PRELOAD_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "invisible.h"
#include "invisible/query.h"

/* A system call that never touches errno (no TLS): for code running in a clone that shares our memory and our
 * threads' TLS (helper.c's copy, spawn.c's children), where libc's wrappers would write another thread's errno. */
static inline long raw_syscall6(long number, long a1, long a2, long a3, long a4, long a5, long a6)
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
 *   INVISIBLE_STOP_SIGNAL=N       signal that stops threads for a scan when ptrace cannot be used
 *                                 (a debugger or strace attached; default SIGRTMAX-3)
 *   INVISIBLE_SNAPSHOT_EVERY=N    a JSON snapshot every N seconds (snapshots.c)
 *   INVISIBLE_PROFILE=yes         allocation profile per trace (counts, temporaries, peak, timeline)
 *   INVISIBLE_SUPPRESSIONS=F1:F2  suppression files (LSan's leak: lines, valgrind's blocks)
 *   INVISIBLE_SHOW_LEAK_KINDS=K   records listed (definite,indirect,possible,reachable|all|none)
 *   INVISIBLE_ERRORS_FOR_LEAK_KINDS=K  kinds counted for INVISIBLE_ERROR_EXITCODE
 *   INVISIBLE_GEN_SUPPRESSIONS=yes  a valgrind suppression block after each record listed
 *   INVISIBLE_QUIET=yes           the text report: loss records only, nothing when clean
 *   INVISIBLE_COLOR=auto|always|never  colours in the text report (auto: on a terminal)
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
    int profile;
    int snapshot_every;   /* seconds, 0 = no periodic snapshots */
    int free_history;     /* frees the record keeps while a DwarfPython session exists, 0 = none (free_history.c) */
    unsigned show_kinds;  /* records listed: bit (1 << invisible_leak_kind) per kind */
    unsigned error_kinds; /* kinds counted for --error-exitcode (valgrind's default definite,possible) */
    int gen_suppressions; /* a valgrind suppression block after each record listed */
    int quiet;            /* the text report: loss records only, nothing when clean */
    int color;            /* 0 never, 1 always, 2 auto (a terminal, NO_COLOR unset, TERM not dumb) */
    char log_path[INVISIBLE_PATH_CAPACITY];
    char json_path[INVISIBLE_PATH_CAPACITY];
    char runtime_path[INVISIBLE_PATH_CAPACITY];
    char alloc_fns[INVISIBLE_PATH_CAPACITY];
    char suppressions[INVISIBLE_PATH_CAPACITY];      /* INVISIBLE_SUPPRESSIONS: files, ':'-separated */
    char lsan_suppressions[INVISIBLE_PATH_CAPACITY]; /* suppressions= of __lsan_default_options/LSAN_OPTIONS */
    int json_refused;     /* INVISIBLE_JSON was set but too long: the JSON report cannot be written */
    char problems[1024];  /* one "invisible: ignoring malformed setting ..." line per bad setting */
} invisible_options;

/* Defaults, then the environment. Uses getenv only (no allocation). */
void options_load(invisible_options *options);

/* "definite,indirect,possible,reachable" (any of them, comma-separated), "all" or "none" as a mask
 * of (1 << invisible_leak_kind); 0, or -1 for a word that is none of those. */
int options_leak_kinds(const char *list, unsigned *mask);

/* LeakSanitizer's settings the program gives (README "Compatibility with LeakSanitizer and
 * valgrind"): its __lsan_default_options() hook (detect_leaks, exitcode, suppressions), then
 * LSAN_OPTIONS's suppressions=; an INVISIBLE_* variable that is set wins. The hooks are found
 * with dlsym, so they must be dynamic symbols (a program linked with -fsanitize=leak, or
 * -rdynamic), as under LSan preloaded. */
void options_load_lsan(invisible_options *options);

/* The program's __lsan_is_turned_off() returns nonzero: no leak check (asked at each check). */
int options_lsan_turned_off(void);

/* May `signal_number` stop threads for a scan? (SIGUSR1, SIGUSR2, SIGRTMIN..SIGRTMAX) */
int options_stop_signal_usable(long signal_number);

/* Replace every "%p" in `pattern` by `pid`. 0, or -1 when the result does not fit (`out` then
 * holds a truncated path that must not be used). */
int options_expand_pid(const char *pattern, int pid, char *out, unsigned long capacity);

/* ---- state.c ---- */

typedef struct preload_state {
    invisible_options options;
    int tracking;                     /* malloc-instrument records blocks */
    int exiting;                      /* the report at exit has started (2: moved earlier by __lsan_do_leak_check) */
    int report_fd;                    /* destination of the report being written (2 between reports) */
    char command[4096];               /* the program's argv, space-joined (report time) */
    char *const *argv;                /* the program's argv, as the constructor received it */
    int report_failed;                /* errno of the last report destination that failed, 0 */
    void *runtime;                    /* dlopen handle of libinvisible-runtime.so */
    void *runtime_init;
    void *runtime_report;
    int runtime_failed;
    int late;                         /* dlopen'ed into a running process by `invisible attach` (entry.c) */
} preload_state;

extern preload_state invisible_state;

/* ---- text.c: formatting and writes that never malloc (no stdio, no locale) ----
 * They run at exit after a leak check and in the attach listener, where a stdio lock may be
 * held by a thread that will never release it. */

/* Write all of `text` to `fd`, retrying on EINTR and short writes; errno is left as it was. */
void raw_write_all(int fd, const char *text, size_t length);

/* Write all of `text` to `fd`; 0, or the errno of the failure (ENOSPC, EBADF, EIO...; a write
 * that makes no progress is EIO). errno is left as it was. */
int raw_write_checked(int fd, const char *text, size_t length);

/* strerrordesc_np: the message of an errno, untranslated and without allocating. */
const char *raw_error_text(int error);

/* Append to a caller buffer, always NUL-terminated; each returns the new length. */
size_t raw_append(char *buffer, size_t length, size_t capacity, const char *text);
size_t raw_append_u64(char *buffer, size_t length, size_t capacity, uint64_t value);
size_t raw_append_u64_grouped(char *buffer, size_t length, size_t capacity, uint64_t value);
size_t raw_append_hex(char *buffer, size_t length, size_t capacity, uint64_t value);

/* ---- descriptors.c: the program's descriptors stay the program's ----
 * We keep no descriptor open while the program runs; the few we must keep (a copy of stderr once
 * the program closes or replaces fd 2, the attach listener's socket) are "hidden": close-on-exec,
 * near the top of the descriptor range, and protected from the program's close/dup2/close_range
 * (which see them as not open). close, dup2, dup3, close_range, closefrom, fclose, fcloseall,
 * freopen and daemon are interposed for that. */

/* Where the report's text goes when there is no --log: the copy of stderr saved when the program
 * closed or replaced fd 2, else fd 2 itself. Never closed by the caller. */
int descriptors_report_stderr(void);

/* Move `fd` into the hidden range (the original number is closed) and register it, with the cell
 * where its owner keeps the number: if the program later needs that number (dup2 onto it), ours
 * moves again and the cell is updated. Returns the number now in use (fd itself if it could not be
 * moved). */
int descriptors_hide(int fd, _Atomic int *owner);

/* Is `fd` one of ours? */
int descriptors_is_hidden(int fd);

/* Close one of ours. */
void descriptors_close_hidden(int fd);

/* Loaded late: close, dup2, dup3, close_range and closefrom join the GOT slots rewritten at an
 * attach (before invisible_hooks_got_install). */
void descriptors_hook_late(void);

/* ---- elf_file.c: is a shared object whole before it is mapped ----
 * dlopen maps an object's segments as its program headers describe them; when the file is
 * shorter than that (a copy cut short, a full disk), the first touch of a missing page is SIGBUS,
 * in the loader, with no way back. So a file we are about to dlopen is checked first. */

/* 0 when `path` is an ELF64 x86-64 file whose headers and loadable segments all lie inside it;
 * otherwise -1 and a one-line reason (no newline) in `why`. Opens and reads the file only. */
int elf_file_check(const char *path, char *why, size_t why_size);

/* ---- suppressions.c: leak suppressions (LSan's leak: lines, valgrind's blocks) ----
 * Read by the constructor from INVISIBLE_SUPPRESSIONS, the suppressions= of LSan's options and
 * the program's __lsan_default_suppressions(); a malformed source is said ("invisible:
 * FILE:LINE: WHY") and the process ends with status 1 before the program runs. */
void suppressions_load(const invisible_options *options);

/* The suppressions in query.h's wire form, NULL when there are none. */
const char *suppressions_wire(void);

/* The name of suppression `index` (LSan: its pattern; valgrind: its block's name) into `out`;
 * 0 past the last one. */
int suppressions_name(uint32_t index, char *out, size_t capacity);

/* The plain report's matching (dladdr names and object paths): suppressed_by[i] for each of
 * leaks->records (0, or 1 + the index of the suppression). */
void suppressions_match_plain(const invisible_leak_summary *leaks, uint32_t *suppressed_by);

/* ---- report.c: a report request, its destination, the report files, and the reports written
 * without the runtime ---- */

/* The text report's destination, opened for this report: the --log file ("%p" = pid), or
 * stderr (descriptors_report_stderr; also when the log file cannot be opened, which is said on
 * it and noted in invisible_state.report_failed). Give it back with report_destination_close. */
int report_destination_open(void);
void report_destination_close(int fd);

/* One line (a warning) to the report's destination, opened and closed for it. */
void report_write_line(const char *text, size_t length);

/* "invisible: N blocks were not tracked: ..." on `fd` when the tables ran out (query.h's
 * invisible_instrument_degraded), before a report. */
void report_say_degraded(int fd);

/* Fill the common parts of a request (pid, command line, descriptor). */
void report_prepare_request(invisible_report_request *request, const invisible_leak_summary *leaks,
                            const char *json_path, unsigned flags);

/* Print "invisible: cannot write the JSON report to PATH: WHY" on `fd` (the request's text
 * destination) and remember the failure (invisible_state.report_failed) for --error-exitcode. */
void report_json_failed(int fd, const char *path, int error);

/* A report that needs no symbols: leaks requested, no census, no JSON, and no loss record to
 * show. Writes exactly the text the runtime would and returns 0; -1 when symbols are needed.
 * This is what most short-lived processes need at exit: no runtime, no report helper. */
int report_without_symbols(const invisible_report_request *request);

/* The fallback when the runtime is unavailable: text to the report descriptor (dladdr symbols),
 * JSON to request->json_path (written whole or not at all). Returns 0, or the errno of a JSON
 * write that failed (already reported). */
int report_plain(const invisible_report_request *request);

/* ---- helper.c: report helpers ----
 * The symbolizing part of a report runs in a copy of the process made with a bare clone (no
 * SIGCHLD, invisible to the program's wait(), no fork handlers), so that what the runtime leaves
 * behind (threads, descriptors, signal handlers, reserved address space) and a runtime that
 * crashes never touch the program. See helper.c for what the copy fixes up to be usable. */

/* The work, in the copy: `kept_fd` is the descriptor the caller asked to keep (renumbered), -1
 * if none. Its result (0..255) is the copy's exit status. */
typedef int (*helper_work)(void *argument, int kept_fd);

#define HELPER_STALLED 1000 /* helper_outcome.signal: it stopped making progress and we killed it */

typedef struct helper_outcome {
    int started;   /* a copy was made and ran */
    int exit_code; /* its exit status, when it exited */
    int signal;    /* the signal that killed it (HELPER_STALLED: we did), 0 when it exited */
} helper_outcome;

/* Run work(argument, kept_fd) in a copy made at a quiet moment (looked for during about
 * `quiet_budget_ns`) and wait for it. 0 when a copy ran (see `outcome`), -1 when none could be
 * made (no quiet moment, a debugger attached, this glibc's thread layout unknown, clone failed). */
int helper_run(helper_work work, void *argument, int keep_fd, uint64_t quiet_budget_ns, helper_outcome *outcome);

/* In a copy, before anything there allocates: a copy of it that waits to be killed, so that the
 * heap as the program left it can still be read (process_vm_readv) after the runtime allocated
 * here. Its pid, 0 if none could be made; helper_thaw_copy kills and reaps it. */
pid_t helper_freeze_copy(void);
void helper_thaw_copy(pid_t pid);

/* ---- heap_copy.c: frozen copies for process.heap in an attach session ---- */

/* Loaded late, before the runtime is first loaded here: a copy of the heap as the program has it
 * (its exports give it to the runtime). Once per process; nothing when not loaded late. */
void heap_copy_take_baseline(void);

/* ---- faultguard.c: the fault guard (its exports are in invisible.h) ---- */

/* runtime.c gave the program its own signal dispositions back (end of a report or an attach
 * session): the guard's handler is gone, the next guarded call installs it again in front of
 * whatever is there then. */
void fault_guard_forget(void);

/* ---- snapshots.c: --snapshot-every ---- */

/* From the constructor: start the snapshot thread when INVISIBLE_SNAPSHOT_EVERY asks for one. */
void snapshots_start(void);

/* At exit, before the report: wait for a snapshot being written, and write no more (a leak
 * check of the snapshot thread would overwrite the records the exit report is reading). */
void snapshots_stop(void);

/* ---- runtime.c: libinvisible-runtime.so ----
 * A failure of the runtime never loses the report: callers fall back to report_plain. */

/* Try the runtime. 0 when it wrote the report; > 0 (an errno) when it wrote the text but not the
 * JSON file (said on the request's descriptor); -1 when it wrote nothing: then a one-line message
 * says why and the caller writes the plain report. It runs in a report helper (helper.c), unless
 * a Python session already started it in this process (or no helper can be made); then here, with
 * the program's signal dispositions restored after it. */
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

/* ---- entry.c: the life cycle ---- */

/* The report at exit, now (once per process: later calls, and the atexit handler, do nothing).
 * `from_program`: called by the program (__lsan_do_leak_check); leaks under --error-exitcode end
 * the process with _exit(N) as LSan does. */
void entry_exit_report(int from_program);

/* A leak report now (leaks only, to the report destination); 1 when blocks of the kinds that are
 * errors remain, else 0. Does not change what the report at exit will do. */
int entry_recoverable_check(void);

/* ---- free_history.c ---- */

/* Fill the query table's free_history and freed_block (the constructors, after the tables). */
void free_history_register(void);

#endif
