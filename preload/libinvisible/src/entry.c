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

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
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

static void warn_bad_option(const char *setting)
{
    char line[512];
    size_t n = raw_append(line, 0, sizeof line, "invisible: ignoring malformed setting ");
    n = raw_append(line, n, sizeof line, setting);
    n = raw_append(line, n, sizeof line, "\n");
    raw_write_all(report_descriptor(), line, n);
}

/* The query table's write_report: the report descriptor as it is now (saved stderr or --log). */
static void write_to_report_fd(const char *text, uint64_t length)
{
    raw_write_all(invisible_state.report_fd, text, (size_t)length);
}

static void at_exit_report(void);

__attribute__((constructor(101))) static void invisible_constructor(void)
{
    invisible_thread *thread = &invisible_tls;
    thread->in_hook++;
    invisible_options *o = &invisible_state.options;
    options_load(o);
    invisible_settings settings = { o->depth, o->nursery, o->stop_signal };
    invisible_state.tracking = invisible_instrument_start(&settings) == 0;
    make_absolute(o->log_path, sizeof o->log_path);
    make_absolute(o->json_path, sizeof o->json_path);
    /* Programs may close fd 2 before exit (coreutils' close_stdout): keep our own copy. */
    int saved = fcntl(2, F_DUPFD_CLOEXEC, 100);
    invisible_state.report_fd = saved >= 0 ? saved : 2;
    invisible_query_set_report_writer(write_to_report_fd);
    if (o->bad_option[0])
        warn_bad_option(o->bad_option);
    /* A NativeAOT runtime started later registers for private expedited membarrier. In a process
     * that already has several threads, that registration waits for an RCU grace period (10-20 ms
     * measured); made now, while the constructor is the only thread, it is nearly free, and the
     * runtime's own registration then finds it done. */
    syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_VALUE, 0, 0);
    atexit(at_exit_report);
    /* Our report reads the generated objects' files to name generated code (Python functions'
     * native entry points) in leak traces: their removal at exit waits until it is written. */
    dlext_defer_file_cleanup();
    thread->in_hook--;
}

/* ---- the exit path ---- */

static uint64_t leaked_blocks(const invisible_leak_summary *leaks)
{
    /* valgrind's default --errors-for-leak-kinds=definite,possible */
    return leaks ? leaks->blocks[INVISIBLE_DEFINITELY_LOST] + leaks->blocks[INVISIBLE_POSSIBLY_LOST] : 0;
}

static void write_report(const invisible_leak_summary *leaks, const char *json_pattern, unsigned flags)
{
    char json_path[INVISIBLE_PATH_CAPACITY];
    json_path[0] = 0;
    if (json_pattern && json_pattern[0])
        options_expand_pid(json_pattern, (int)getpid(), json_path, sizeof json_path);
    invisible_report_request request;
    report_prepare_request(&request, leaks, json_path[0] ? json_path : NULL, flags);
    if (report_with_runtime(&request) != 0)
        report_plain(&request);
}

static void at_exit_report(void)
{
    invisible_thread *thread = &invisible_tls;
    if (invisible_state.exiting)
        return; /* a nested exit() from --error-exitcode */
    invisible_state.exiting = 1;
    const invisible_options *o = &invisible_state.options;
    if (!invisible_state.tracking || (!o->leak_check && !o->census && !o->json_path[0])) {
        dlext_cleanup_files_now();
        return;
    }
    thread->in_hook++;
    const invisible_leak_summary *leaks = o->leak_check ? leakcheck_run() : NULL;
    unsigned flags = INVISIBLE_REPORT_AT_EXIT | (o->leak_check ? INVISIBLE_REPORT_LEAKS : 0) |
                     (o->census ? INVISIBLE_REPORT_CENSUS : 0) |
                     (o->show_reachable ? INVISIBLE_REPORT_SHOW_REACHABLE : 0);
    write_report(leaks, o->json_path, flags);
    thread->in_hook--;
    dlext_cleanup_files_now();
    if (o->error_exitcode && leaked_blocks(leaks) > 0)
        exit(o->error_exitcode); /* glibc runs the remaining handlers, then exits with this */
}

EXPORT int invisible_report(const char *json_path)
{
    if (invisible_instrument_init() != 0)
        return -1;
    invisible_thread *thread = &invisible_tls;
    thread->in_hook++;
    const invisible_leak_summary *leaks = leakcheck_run();
    unsigned flags = INVISIBLE_REPORT_LEAKS | INVISIBLE_REPORT_CENSUS;
    char path[INVISIBLE_PATH_CAPACITY];
    path[0] = 0;
    if (json_path && strlen(json_path) < sizeof path) {
        memcpy(path, json_path, strlen(json_path) + 1);
        make_absolute(path, sizeof path);
    }
    write_report(leaks, path[0] ? path : NULL, flags);
    thread->in_hook--;
    return leaks ? 0 : -1;
}
