/* entry.c — the preloaded library's life cycle: the constructor, the report at exit, and
 * invisible_report().
 *
 * Exit: the leak check runs from an atexit handler registered by our constructor. Because our
 * constructor runs before the program's, that handler runs after every handler the program
 * registers (C++ static destructors included), just before the loader's destructors and the
 * final stdio flush. Which part of the exiting thread's stack is still live, malloc-instrument's
 * exit hooks know (hooks/process.c).
 */
#define _GNU_SOURCE
#include "internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dlext.h"

#define EXPORT __attribute__((visibility("default")))
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_VALUE 16

/* ---- start-up ---- */

static void make_absolute(char *path, size_t capacity)
{
    if (!path[0] || path[0] == '/')
        return;
    char cwd[INVISIBLE_PATH_CAPACITY];
    if (!getcwd(cwd, sizeof cwd) || strlen(cwd) + 1 + strlen(path) + 1 > capacity)
        return;
    char joined[INVISIBLE_PATH_CAPACITY];
    size_t n = raw_append(joined, 0, sizeof joined, cwd);
    n = raw_append(joined, n, sizeof joined, "/");
    raw_append(joined, n, sizeof joined, path);
    memcpy(path, joined, strlen(joined) + 1);
}

/* Tracking is off for this process: say why, once, instead of a report. */
static void warn_untracked(const char *why)
{
    char line[640];
    size_t n = raw_append(line, 0, sizeof line, "invisible: ");
    n = raw_append(line, n, sizeof line, why);
    n = raw_append(line, n, sizeof line, "; leak tracking is off\n");
    report_write_line(line, n);
}

/* The query table's write_report: the destination of the report being written. */
static void write_to_report_fd(const char *text, uint64_t length)
{
    raw_write_all(invisible_state.report_fd, text, (size_t)length);
}

static void at_exit_report(void);

/* Does the LD_PRELOAD entry [entry, entry + length) name this object (`self`, the name the loader gave it)? A path
 * names it exactly; a bare name (the loader searched for it) by the last component. */
static int preload_entry_names(const char *entry, size_t length, const char *self)
{
    if (length == 0)
        return 0;
    if (memchr(entry, '/', length) == NULL) {
        const char *slash = strrchr(self, '/');
        self = slash ? slash + 1 : self;
    }
    return strlen(self) == length && memcmp(entry, self, length) == 0;
}

/* Loaded late: `invisible attach PID` made a thread of a running process dlopen us (the CLI's
 * Target/Injection.cs). Then LD_PRELOAD does not name us (a preloaded copy would have been
 * found in the process's maps and no injection made). Named means "libinvisible.so" anywhere in it
 * (what the launcher writes) or an entry that is this very file under another name
 * (LD_PRELOAD=/tmp/copy.so): taking such a copy for an injected one silently dropped the exit report. */
static int loaded_late(void)
{
    const char *preload = getenv("LD_PRELOAD");
    if (!preload)
        return 1;
    if (strstr(preload, "libinvisible.so"))
        return 0;
    Dl_info self;
    if (!dladdr((void *)&loaded_late, &self) || !self.dli_fname || !self.dli_fname[0])
        return 1;
    /* ld.so splits LD_PRELOAD on spaces and colons. */
    for (const char *p = preload; *p;) {
        size_t length = strcspn(p, " :");
        if (preload_entry_names(p, length, self.dli_fname))
            return 0;
        p += length;
        if (*p)
            p++;
    }
    return 1;
}

/* The late constructor: the tables, nothing the program could notice. No exit report (the
 * program's exit is its own: no atexit handler, no message, no changed status), no snapshots, no
 * line on stderr about settings (the variables, if any, were set for someone else), no signal
 * handler. The malloc family reaches our hooks only once invisible_attach_start has rewritten the
 * GOT slots (attach.c), and no longer once the last session ended. */
static void start_late(void)
{
    invisible_state.late = 1;
    invisible_options *o = &invisible_state.options;
    options_load(o);
    o->problems[0] = 0;
    o->leak_check = o->census = o->profile = o->show_reachable = o->error_exitcode = 0;
    o->snapshot_every = 0;
    o->log_path[0] = o->json_path[0] = 0;
    o->json_refused = 0;
    invisible_settings settings = { o->depth, o->nursery, o->stop_signal, 0 };
    invisible_state.tracking = invisible_instrument_start(&settings) == 0;
    invisible_query_set_report_writer(write_to_report_fd);
    free_history_register();
}

/* glibc calls ELF constructors with main's arguments: the argv kept here names the program in
 * reports without reading /proc (see report.c's command_line). */
__attribute__((constructor(101))) static void invisible_constructor(int argc, char **argv, char **envp)
{
    (void)argc;
    (void)envp;
    invisible_guard_enter(0);
    invisible_state.argv = argv;
    if (loaded_late()) {
        int saved_errno = errno;
        start_late();
        errno = saved_errno;
        invisible_guard_leave(0);
        return;
    }
    invisible_options *o = &invisible_state.options;
    options_load(o);
    options_load_lsan(o);
    suppressions_load(o); /* a malformed one ends the process here, before the program runs */
    invisible_settings settings = { o->depth, o->nursery, o->stop_signal, o->profile };
    invisible_state.tracking = invisible_instrument_start(&settings) == 0;
    make_absolute(o->log_path, sizeof o->log_path);
    make_absolute(o->json_path, sizeof o->json_path);
    /* No descriptor is kept: the report opens its destination when it is written, and a copy
     * of stderr is made only if the program closes or replaces fd 2 (descriptors.c). */
    invisible_query_set_report_writer(write_to_report_fd);
    free_history_register();
    if (o->problems[0])
        report_write_line(o->problems, strlen(o->problems));
    const char *unavailable = invisible_instrument_unavailable();
    if (unavailable && (o->leak_check || o->census || o->json_path[0]))
        warn_untracked(unavailable);
    /* A NativeAOT runtime started later registers for private expedited membarrier. In a process
     * that already has several threads, that registration waits for an RCU grace period (10-20 ms
     * measured); made now, while the constructor is the only thread, it is nearly free, and the
     * runtime's own registration then finds it done. */
    syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_VALUE, 0, 0);
    atexit(at_exit_report);
    snapshots_start();
    /* Our report reads the generated objects' files to name generated code (Python functions'
     * native entry points) in leak traces: their removal at exit waits until it is written. */
    dlext_defer_file_cleanup();
    invisible_guard_leave(0);
}

/* ---- the exit path ---- */

/* Blocks of the kinds that are errors (valgrind's --errors-for-leak-kinds, default
 * definite,possible), suppressed records left out. */
static uint64_t leaked_blocks(const invisible_leak_summary *leaks, const uint32_t *suppressed_by)
{
    if (!leaks)
        return 0;
    unsigned kinds = invisible_state.options.error_kinds;
    uint64_t blocks = 0;
    for (uint64_t i = 0; i < leaks->record_count; i++)
        if (((kinds >> leaks->records[i].kind) & 1) && !(suppressed_by && suppressed_by[i]))
            blocks += leaks->records[i].blocks;
    return blocks;
}

/* Where the report says which records a suppression matched: shared with a report helper (a copy
 * of the process), so that the exit status sees what the report decided. */
static uint32_t *suppression_results(const invisible_leak_summary *leaks, size_t *bytes)
{
    *bytes = 0;
    if (!leaks || !leaks->record_count || !suppressions_wire())
        return NULL;
    *bytes = leaks->record_count * sizeof(uint32_t);
    void *shared = mmap(NULL, *bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) {
        *bytes = 0;
        return NULL;
    }
    return shared;
}

/* Write the report: without the runtime when nothing needs symbols, else with it (in a report
 * helper), else plain. Every destination that could not be written is said on the report's
 * destination and noted in invisible_state.report_failed. Returns the blocks that count as
 * errors (--error-exitcode, __lsan_do_recoverable_leak_check). */
static uint64_t write_report(const invisible_leak_summary *leaks, const char *json_pattern, unsigned flags)
{
    char json_path[INVISIBLE_PATH_CAPACITY];
    json_path[0] = 0;
    int json_too_long = 0;
    if (json_pattern && json_pattern[0])
        json_too_long = options_expand_pid(json_pattern, (int)getpid(), json_path, sizeof json_path) != 0;
    int destination = report_destination_open();
    invisible_state.report_fd = destination;
    report_say_degraded(destination);
    invisible_report_request request;
    report_prepare_request(&request, leaks, json_path[0] && !json_too_long ? json_path : NULL, flags);
    size_t results_bytes;
    request.suppressed_by = suppression_results(leaks, &results_bytes);
    if (!request.suppressed_by)
        request.suppressions = NULL; /* no record to suppress, or no memory to say which */
    if (report_without_symbols(&request) != 0 && report_with_runtime(&request) < 0)
        report_plain(&request);
    if (json_too_long)
        report_json_failed(destination, json_pattern, ENAMETOOLONG);
    invisible_state.report_fd = 2;
    report_destination_close(destination);
    uint64_t errors = leaked_blocks(leaks, request.suppressed_by);
    if (request.suppressed_by)
        munmap(request.suppressed_by, results_bytes);
    return errors;
}

/* The leak check could not run (no descriptor left to read /proc, no memory for its scan: an
 * address-space limit): said, and counted for --error-exitcode, rather than a report that would
 * call reachable blocks lost. */
static void warn_no_leak_check(void)
{
    int error = leakcheck_failure();
    char line[256];
    size_t n = raw_append(line, 0, sizeof line, "invisible: the leak check could not run: ");
    n = raw_append(line, n, sizeof line, error == ENOMEM || !error ? "no memory for its scan" : raw_error_text(error));
    n = raw_append(line, n, sizeof line, "\n");
    report_write_line(line, n);
    invisible_state.report_failed = error ? error : ENOMEM;
}

/* A program may exit with every descriptor in use, and the report needs a few (/proc files, the
 * JSON file, the runtime's objects and debug files): raise the soft limit for the report when the
 * hard limit allows, and put it back afterwards. A privileged process may raise the hard limit
 * too (CAP_SYS_RESOURCE), as it could itself. */
#define REPORT_DESCRIPTORS 64

static int reserve_descriptors(struct rlimit *saved)
{
    if (getrlimit(RLIMIT_NOFILE, saved) != 0 || saved->rlim_cur == RLIM_INFINITY)
        return 0;
    struct rlimit raised = *saved;
    raised.rlim_cur = saved->rlim_cur + REPORT_DESCRIPTORS;
    if (raised.rlim_cur > raised.rlim_max) {
        raised.rlim_max = raised.rlim_cur;
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
            return 1;
        raised.rlim_cur = raised.rlim_max = saved->rlim_max;
    }
    return raised.rlim_cur > saved->rlim_cur && setrlimit(RLIMIT_NOFILE, &raised) == 0;
}

/* The only report asked for is a JSON file whose path was refused at start-up. */
static void json_refused_at_exit(void)
{
    static const char path[] = "the path in INVISIBLE_JSON";
    int destination = report_destination_open();
    report_json_failed(destination, path, ENAMETOOLONG);
    report_destination_close(destination);
}

/* The report at exit: from the atexit handler, or earlier when the program calls
 * __lsan_do_leak_check (lsan.c), which moves it there as LeakSanitizer does; it runs once.
 * `from_program`: a leak under --error-exitcode ends the process at once with _exit (LSan's Die),
 * instead of exit() from the handler. */
void entry_exit_report(int from_program)
{
    if (invisible_state.exiting)
        return; /* a nested exit() from --error-exitcode, or the report already moved earlier */
    invisible_state.exiting = from_program ? 2 : 1;
    snapshots_stop(); /* no snapshot from here on: the report at exit owns the leak check's records */
    const invisible_options *o = &invisible_state.options;
    int leak_check = o->leak_check && !options_lsan_turned_off();
    if (!invisible_state.tracking || (!leak_check && !o->census && !o->profile && !o->json_path[0])) {
        if (!from_program)
            dlext_cleanup_files_now();
        if (o->json_refused) { /* the only report asked for could not be named */
            json_refused_at_exit();
            if (o->error_exitcode)
                from_program ? _exit(o->error_exitcode) : exit(o->error_exitcode);
        }
        return;
    }
    invisible_guard_enter(1);
    /* Before the leak check: it reads /proc too. */
    struct rlimit descriptors;
    int raised = reserve_descriptors(&descriptors);
    const invisible_leak_summary *leaks = leak_check ? leakcheck_run() : NULL;
    if (leak_check && !leaks)
        warn_no_leak_check();
    unsigned flags = INVISIBLE_REPORT_AT_EXIT | (leak_check ? INVISIBLE_REPORT_LEAKS : 0) |
                     (o->census ? INVISIBLE_REPORT_CENSUS : 0) |
                     (o->show_reachable ? INVISIBLE_REPORT_SHOW_REACHABLE : 0);
    uint64_t errors = 0;
    if (leaks || o->census || o->profile || o->json_path[0]) {
        errors = write_report(leaks, o->json_path, flags);
    } else { /* the line above says it all, and what the tables missed */
        int destination = report_destination_open();
        report_say_degraded(destination);
        report_destination_close(destination);
    }
    if (o->json_refused)
        json_refused_at_exit();
    if (raised)
        setrlimit(RLIMIT_NOFILE, &descriptors);
    invisible_guard_leave(1);
    if (!from_program)
        dlext_cleanup_files_now();
    /* A report that could not be written counts as an error, as leaks do (valgrind fails the
     * same way when it cannot write its --xml-file). */
    if (o->error_exitcode && (errors > 0 || invisible_state.report_failed)) {
        if (from_program)
            _exit(o->error_exitcode); /* LSan's Die(): at once, no handlers */
        exit(o->error_exitcode); /* glibc runs the remaining handlers, then exits with this */
    }
}

static void at_exit_report(void)
{
    /* Moved earlier by __lsan_do_leak_check: only the generated objects' files are left to remove. */
    if (invisible_state.exiting == 2) {
        invisible_state.exiting = 3;
        dlext_cleanup_files_now();
        return;
    }
    entry_exit_report(0);
}

int entry_recoverable_check(void)
{
    if (invisible_instrument_init() != 0 || !invisible_state.tracking || options_lsan_turned_off())
        return 0;
    invisible_guard_enter(1);
    int earlier_failure = invisible_state.report_failed;
    const invisible_leak_summary *leaks = leakcheck_run();
    uint64_t errors = 0;
    if (!leaks)
        warn_no_leak_check();
    else
        errors = write_report(leaks, NULL, INVISIBLE_REPORT_LEAKS |
                              (invisible_state.options.show_reachable ? INVISIBLE_REPORT_SHOW_REACHABLE : 0));
    invisible_state.report_failed = earlier_failure;
    invisible_guard_leave(1);
    return errors > 0;
}

EXPORT int invisible_report(const char *json_path)
{
    if (invisible_instrument_init() != 0)
        return -1;
    invisible_guard_enter(1);
    /* A failure here is the caller's to see (-1), not the exit status's. */
    int earlier_failure = invisible_state.report_failed;
    invisible_state.report_failed = 0;
    const invisible_leak_summary *leaks = leakcheck_run();
    if (!leaks)
        warn_no_leak_check();
    unsigned flags = INVISIBLE_REPORT_LEAKS | INVISIBLE_REPORT_CENSUS;
    char path[INVISIBLE_PATH_CAPACITY];
    path[0] = 0;
    if (json_path && strlen(json_path) < sizeof path) {
        memcpy(path, json_path, strlen(json_path) + 1);
        make_absolute(path, sizeof path);
    }
    write_report(leaks, path[0] ? path : NULL, flags);
    int failed = invisible_state.report_failed != 0;
    invisible_state.report_failed = earlier_failure;
    invisible_guard_leave(1);
    return leaks && !failed ? 0 : -1;
}
