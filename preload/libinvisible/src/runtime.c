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
#include <signal.h>
#include <string.h>

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

static int load_runtime(preload_state *r)
{
    if (r->runtime)
        return 0;
    if (r->runtime_failed)
        return -1;
    char path[INVISIBLE_PATH_CAPACITY];
    runtime_path(path, sizeof path);
    r->runtime = path[0] ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : NULL;
    if (r->runtime) {
        r->runtime_init = dlsym(r->runtime, "invisible_runtime_init");
        r->runtime_report = dlsym(r->runtime, "invisible_runtime_report");
    }
    if (!r->runtime || !r->runtime_init || !r->runtime_report) {
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

int report_with_runtime(const invisible_report_request *request)
{
    preload_state *r = &invisible_state;
    if (load_runtime(r) != 0)
        return -1;
    struct sigaction saved[SAVED_SIGNALS];
    runtime_enter(r, saved, 0);
    int rc = ((invisible_runtime_report_fn)r->runtime_report)(invisible_query_table(), request);
    runtime_leave(saved);
    return rc;
}

int runtime_python_session(int fd, const char *pending, size_t pending_length)
{
    preload_state *r = &invisible_state;
    if (load_runtime(r) != 0)
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
    if (load_runtime(r) != 0)
        return NULL;
    return (invisible_runtime_python_interrupt_fn)dlsym(r->runtime, "invisible_runtime_python_interrupt");
}
