/* runtime.c — libinvisible-runtime.so (NativeAOT): loaded lazily (dlopen) the first time a
 * report or a Python session asks for it, then called with the query table.
 *
 * Starting the runtime changes process-wide signal state: it ignores SIGPIPE and installs
 * SIGSEGV/SIGFPE handlers (a fault in managed code becomes an exception). So every call into it
 * is bracketed by saving and restoring the dispositions: the program must still die of SIGPIPE
 * in `prog | head -1` after we reported.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <malloc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#define SAVED_SIGNALS 32


static void runtime_path(char *path, size_t capacity)
{
    const char *configured = invisible_state.options.runtime_path;
    if (configured[0]) {
        raw_append(path, 0, capacity, configured);
        return;
    }
    Dl_info info;
    path[0] = 0;
    if (!dladdr((void *)&runtime_path, &info) || !info.dli_fname)
        return;
    size_t n = raw_append(path, 0, capacity, info.dli_fname);
    while (n > 0 && path[n - 1] != '/')
        n--;
    path[n] = 0;
    raw_append(path, n, capacity, "libinvisible-runtime.so");
}

/* Why the runtime cannot be used, before the plain report that replaces it (`fd` < 0: nobody
 * to tell; a session says it its own way). */
static void say_unavailable(int fd, const char *path, const char *why)
{
    if (fd < 0)
        return;
    char line[INVISIBLE_PATH_CAPACITY + 256];
    size_t n = raw_append(line, 0, sizeof line, "invisible: cannot load ");
    n = raw_append(line, n, sizeof line, path[0] ? path : "libinvisible-runtime.so");
    n = raw_append(line, n, sizeof line, ": ");
    n = raw_append(line, n, sizeof line, why);
    n = raw_append(line, n, sizeof line, "\n");
    raw_write_all(fd, line, n);
}

/* With DEBUGINFOD_URLS unset or empty, load libinvisible-nodebuginfod.so (beside the runtime at `runtime`)
 * before the runtime: libdw's dlopen("libdebuginfod.so.1") then finds it by its SONAME, and the program does
 * not get libcurl and its TLS stack loaded into it by our report (preload/nodebuginfod/nodebuginfod.c says why).
 * A program that already has the real library keeps using it. Failing to load the stub only costs memory. */
static void keep_debuginfod_out(const char *runtime)
{
    const char *urls = getenv("DEBUGINFOD_URLS");
    if (urls && urls[0])
        return;
    char path[INVISIBLE_PATH_CAPACITY];
    size_t n = raw_append(path, 0, sizeof path, runtime);
    while (n > 0 && path[n - 1] != '/')
        n--;
    path[n] = 0;
    raw_append(path, n, sizeof path, "libinvisible-nodebuginfod.so");
    if (access(path, R_OK) == 0)
        (void)dlopen(path, RTLD_NOW | RTLD_LOCAL);
}

static int load_runtime(preload_state *r, int report_fd)
{
    if (r->runtime)
        return 0;
    if (r->runtime_failed)
        return -1;
    char path[INVISIBLE_PATH_CAPACITY], why[256];
    runtime_path(path, sizeof path);
    /* A truncated copy would be SIGBUS inside dlopen. */
    if (!path[0] || elf_file_check(path, why, sizeof why) != 0) {
        say_unavailable(report_fd, path, path[0] ? why : "cannot find it beside libinvisible.so");
        r->runtime_failed = 1;
        return -1;
    }
    keep_debuginfod_out(path);
    r->runtime = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (r->runtime) {
        r->runtime_init = dlsym(r->runtime, "invisible_runtime_init");
        r->runtime_report = dlsym(r->runtime, "invisible_runtime_report");
    }
    if (!r->runtime || !r->runtime_init || !r->runtime_report) {
        const char *error = r->runtime ? "its entry points are missing" : dlerror();
        say_unavailable(report_fd, path, error ? error : "dlopen failed");
        r->runtime_failed = 1;
        return -1;
    }
    return 0;
}

/* The dispositions the runtime installed when it started (SIGSEGV/SIGFPE handlers that turn
 * faults in managed code into exceptions, SIGPIPE ignored), and which signals those are. They
 * are put back for the duration of every later call: between calls the program's own
 * dispositions are in force, and a managed null reference on a SIG_DFL SIGSEGV would kill the
 * program. Only the listener thread or an exiting thread calls in, one at a time. */
static struct sigaction runtime_actions[SAVED_SIGNALS];
static unsigned char runtime_owned[SAVED_SIGNALS];
static int runtime_started;

static int same_action(const struct sigaction *a, const struct sigaction *b)
{
    return a->sa_handler == b->sa_handler && a->sa_flags == b->sa_flags;
}

/* Save the program's dispositions into `saved`, start the runtime once (remembering what it
 * installed), and put the runtime's dispositions in place. `program_sigpipe`: leave SIGPIPE as
 * the program has it (a long Python session: the program's threads keep running meanwhile, and
 * our own socket writes use MSG_NOSIGNAL). */
static void runtime_enter(preload_state *r, struct sigaction *saved, int program_sigpipe)
{
    for (int s = 1; s < SAVED_SIGNALS; s++)
        sigaction(s, NULL, &saved[s]);
    if (!runtime_started) {
        ((invisible_runtime_init_fn)r->runtime_init)(); /* the runtime starts here (see query.h) */
        runtime_started = 1;
        for (int s = 1; s < SAVED_SIGNALS; s++) {
            sigaction(s, NULL, &runtime_actions[s]);
            runtime_owned[s] = !same_action(&runtime_actions[s], &saved[s]);
        }
    } else {
        ((invisible_runtime_init_fn)r->runtime_init)();
        for (int s = 1; s < SAVED_SIGNALS; s++)
            if (runtime_owned[s])
                sigaction(s, &runtime_actions[s], NULL);
    }
    if (program_sigpipe)
        sigaction(SIGPIPE, &saved[SIGPIPE], NULL);
}

/* Give the program back every disposition it had (whatever the runtime did meanwhile). */
static void runtime_leave(const struct sigaction *saved)
{
    for (int s = 1; s < SAVED_SIGNALS; s++)
        if (s != SIGKILL && s != SIGSTOP)
            sigaction(s, &saved[s], NULL);
    fault_guard_forget(); /* its handler went with the runtime's */
}

/* The NativeAOT runtime reserves a few hundred MiB of address space as it starts (its GC's
 * regions), and ends the process when it cannot: under RLIMIT_AS, it is not started unless that
 * much is left. 1 when it fits; else `*left` holds the MiB left. */
#define RUNTIME_ADDRESS_SPACE (384ull << 20)

static int runtime_fits(uint64_t *left)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
        return 1;
    uint64_t used = 0;
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char text[128];
        ssize_t n = read(fd, text, sizeof text - 1);
        close(fd);
        for (ssize_t i = 0; i < n && text[i] >= '0' && text[i] <= '9'; i++)
            used = used * 10 + (uint64_t)(text[i] - '0');
        used *= (uint64_t)sysconf(_SC_PAGESIZE);
    }
    uint64_t room = limit.rlim_cur > used ? limit.rlim_cur - used : 0;
    *left = room >> 20;
    return room >= RUNTIME_ADDRESS_SPACE;
}

static void say_no_room(int fd, uint64_t left)
{
    char line[256];
    size_t n = raw_append(line, 0, sizeof line, "invisible: ");
    n = raw_append_u64(line, n, sizeof line, left);
    n = raw_append(line, n, sizeof line, " MiB of address space left under RLIMIT_AS, too little for the report runtime; plain report follows\n");
    raw_write_all(fd, line, n);
}

/* In this process (a Python session started the runtime here already, or no helper could be
 * made). */
static int report_here(preload_state *r, const invisible_report_request *request)
{
    uint64_t left = 0;
    if (!runtime_started && !runtime_fits(&left)) {
        say_no_room(request->report_fd, left);
        return -1;
    }
    /* Injected: the census walks glibc's heap here too, in a copy frozen for it, against the copy
     * made before the runtime first came (heap_copy.c; made now if it has not come yet). */
    invisible_report_request here = *request;
    if (r->late && (here.flags & INVISIBLE_REPORT_CENSUS)) {
        if (!r->runtime)
            heap_copy_take_baseline();
        here.flags |= INVISIBLE_REPORT_HEAP_BEFORE;
        here.heap_copy_pid = 0;
        here.heap_in_program = 1;
    }
    if (load_runtime(r, request->report_fd) != 0)
        return -1;
    struct sigaction saved[SAVED_SIGNALS];
    runtime_enter(r, saved, 0);
    int rc = ((invisible_runtime_report_fn)r->runtime_report)(invisible_query_table(), &here);
    runtime_leave(saved);
    if (rc > 0 && request->json_path)
        report_json_failed(request->report_fd, request->json_path, rc); /* the text is written; the file is not */
    return rc;
}

/* The helper's exit status says how it went. Success is not 0: a runtime that gives up may end the
 * process itself, with status 0, without a report. */
#define HELPER_WRITTEN 40    /* the report is in the buffer */
#define HELPER_NO_RUNTIME 41 /* the runtime could not be loaded: the plain report says so */
#define HELPER_RUNTIME_FAILED 42
#define HELPER_NO_ROOM 43    /* too little address space left for the runtime to start */
#define HELPER_WRITTEN_NO_JSON 44 /* the text is in the buffer, with why the JSON file is not written */

#define EXIT_QUIET_BUDGET_NS 100000000ull  /* 0.1 s */
#define RUN_QUIET_BUDGET_NS 1000000000ull  /* 1 s */

/* In the report helper: the text goes to `buffer` (the parent copies it to the destination only
 * if the whole report was written). */
static int report_in_helper(void *argument, int buffer)
{
    preload_state *r = &invisible_state;
    invisible_report_request request = *(const invisible_report_request *)argument;
    request.report_fd = buffer;
    /* Injected into a running process: the blocks from before the attach are only in glibc's heap.
     * Walked only from here, the copy, where no thread of the program changes it; but the runtime
     * about to start here allocates in it, so the census reads it in a copy frozen now, before
     * anything here allocates (mallinfo2 allocates nothing: it gives that copy's figures too). */
    if (r->late && (request.flags & INVISIBLE_REPORT_CENSUS)) {
        request.flags |= INVISIBLE_REPORT_HEAP_BEFORE;
        request.heap_copy_pid = helper_freeze_copy();
        struct mallinfo2 info = mallinfo2();
        request.heap_uordblks = info.uordblks;
        request.heap_hblkhd = info.hblkhd;
        request.heap_hblks = info.hblks;
    }
    r->report_fd = buffer;
    uint64_t left = 0;
    if (!runtime_fits(&left)) {
        helper_thaw_copy(request.heap_copy_pid);
        say_no_room(buffer, left); /* the parent passes the buffer on with the plain report */
        return HELPER_NO_ROOM;
    }
    if (load_runtime(r, buffer) != 0) {
        helper_thaw_copy(request.heap_copy_pid);
        return HELPER_NO_RUNTIME; /* why, in the buffer */
    }
    ((invisible_runtime_init_fn)r->runtime_init)(); /* the runtime starts here (see query.h) */
    int rc = ((invisible_runtime_report_fn)r->runtime_report)(invisible_query_table(), &request);
    helper_thaw_copy(request.heap_copy_pid);
    if (rc > 0 && request.json_path) {
        report_json_failed(buffer, request.json_path, rc);
        return HELPER_WRITTEN_NO_JSON;
    }
    return rc == 0 ? HELPER_WRITTEN : HELPER_RUNTIME_FAILED;
}

static void copy_out(int from, int to)
{
    char chunk[8192];
    ssize_t got;
    lseek(from, 0, SEEK_SET);
    while ((got = read(from, chunk, sizeof chunk)) > 0)
        raw_write_all(to, chunk, (size_t)got);
}

/* One line on why the runtime's report is replaced by the plain one. */
static void say_helper_failed(int fd, const helper_outcome *outcome)
{
    char line[256];
    size_t n;
    if (outcome->signal == HELPER_STALLED) {
        n = raw_append(line, 0, sizeof line, "invisible: the report runtime made no progress and was stopped");
    } else if (outcome->signal) {
        n = raw_append(line, 0, sizeof line, "invisible: the report runtime died of signal ");
        n = raw_append_u64(line, n, sizeof line, (uint64_t)outcome->signal);
        const char *name = sigabbrev_np(outcome->signal);
        if (name) {
            n = raw_append(line, n, sizeof line, " (SIG");
            n = raw_append(line, n, sizeof line, name);
            n = raw_append(line, n, sizeof line, ")");
        }
    } else if (outcome->exit_code == HELPER_RUNTIME_FAILED) {
        n = raw_append(line, 0, sizeof line, "invisible: the report runtime could not write the report");
    } else {
        n = raw_append(line, 0, sizeof line, "invisible: the report runtime ended without writing the report (status ");
        n = raw_append_u64(line, n, sizeof line, (uint64_t)outcome->exit_code);
        n = raw_append(line, n, sizeof line, ")");
    }
    n = raw_append(line, n, sizeof line, "; plain report follows\n");
    raw_write_all(fd, line, n);
}

int report_with_runtime(const invisible_report_request *request)
{
    preload_state *r = &invisible_state;
    if (runtime_started || r->runtime_failed)
        return report_here(r, request);
    int buffer = memfd_create("invisible-report", MFD_CLOEXEC);
    helper_outcome outcome;
    /* At exit what the runtime leaves behind goes with the process: a short look for a quiet
     * moment, then the report here. In the middle of a run it matters: look longer. */
    uint64_t budget = (request->flags & INVISIBLE_REPORT_AT_EXIT) ? EXIT_QUIET_BUDGET_NS : RUN_QUIET_BUDGET_NS;
    if (buffer < 0 || helper_run(report_in_helper, (void *)request, buffer, budget, &outcome) != 0) {
        if (buffer >= 0)
            close(buffer);
        return report_here(r, request);
    }
    int rc = -1;
    if (!outcome.signal && outcome.exit_code == HELPER_WRITTEN) {
        copy_out(buffer, request->report_fd);
        rc = 0;
    } else if (!outcome.signal && outcome.exit_code == HELPER_WRITTEN_NO_JSON) {
        copy_out(buffer, request->report_fd); /* ending with why the JSON file is not there */
        invisible_state.report_failed = EIO; /* noted in the copy; here for --error-exitcode */
        rc = EIO;
    } else if (!outcome.signal && outcome.exit_code == HELPER_NO_RUNTIME) {
        copy_out(buffer, request->report_fd); /* why, in one line */
        r->runtime_failed = 1; /* no need to try again: the plain report follows */
    } else if (!outcome.signal && outcome.exit_code == HELPER_NO_ROOM) {
        copy_out(buffer, request->report_fd); /* its one line */
    } else {
        say_helper_failed(request->report_fd, &outcome);
    }
    close(buffer);
    return rc;
}

int runtime_python_session(int fd, const char *pending, size_t pending_length)
{
    preload_state *r = &invisible_state;
    if (load_runtime(r, -1) != 0)
        return -1;
    static invisible_runtime_python_fn python;
    if (!python)
        python = (invisible_runtime_python_fn)dlsym(r->runtime, "invisible_runtime_python");
    if (!python)
        return -1; /* an older runtime without the interpreter */
    struct sigaction saved[SAVED_SIGNALS];
    runtime_enter(r, saved, 1);
    int rc = python(invisible_query_table(), fd, pending, (uint64_t)pending_length);
    runtime_leave(saved);
    return rc;
}

invisible_runtime_python_interrupt_fn runtime_python_interrupt_entry(void)
{
    preload_state *r = &invisible_state;
    if (load_runtime(r, -1) != 0)
        return NULL;
    return (invisible_runtime_python_interrupt_fn)dlsym(r->runtime, "invisible_runtime_python_interrupt");
}
