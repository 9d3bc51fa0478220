/* snapshots.c — `invisible run --snapshot-every SECONDS` (INVISIBLE_SNAPSHOT_EVERY): a JSON
 * report of the running process every SECONDS, numbered, next to the report at exit:
 * REPORT.snapshot-N.json for --json REPORT.json (".json" dropped first, "%p" expanded), else
 * invisible-PID.snapshot-N.json in the directory the program started in.
 *
 * One thread of ours, asked for by the option (none without it): it sleeps with in_hook at 0, so
 * a leak check elsewhere stops it like any other thread, and blocks every signal but our stop
 * signal and the fault signals (as the attach listener). Each snapshot is what `invisible
 * snapshot PID` writes: leak check (the other threads stopped for its scan, their system calls
 * restarted, not cut short), census by type, the profile under --profile; its text goes nowhere
 * (/dev/null): the file is the snapshot.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SNAPSHOT_STACK (1u << 20)

static char snapshot_base[INVISIBLE_PATH_CAPACITY]; /* the path before ".snapshot-N.json" */

/* Held while a snapshot is written; `stopped` (under it) ends the thread. A fork child has no
 * snapshot thread: its copy of the lock is made fresh and stopped set (the atfork handler). */
static pthread_mutex_t snapshot_lock = PTHREAD_MUTEX_INITIALIZER;
static int started, stopped;

static void snapshots_fork_child(void)
{
    pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
    snapshot_lock = fresh;
    stopped = 1;
}

void snapshots_stop(void)
{
    if (!started)
        return;
    pthread_mutex_lock(&snapshot_lock);
    stopped = 1;
    pthread_mutex_unlock(&snapshot_lock);
}

static void write_snapshot(uint64_t number)
{
    char path[INVISIBLE_PATH_CAPACITY + 48];
    size_t n = raw_append(path, 0, sizeof path, snapshot_base);
    n = raw_append(path, n, sizeof path, ".snapshot-");
    n = raw_append_u64(path, n, sizeof path, number);
    raw_append(path, n, sizeof path, ".json");
    invisible_guard_enter(1); /* what the report allocates is ours, not the program's */
    int sink = open("/dev/null", O_WRONLY | O_CLOEXEC);
    const invisible_leak_summary *leaks = leakcheck_run();
    invisible_report_request request;
    invisible_state.report_fd = sink;
    report_prepare_request(&request, leaks, path, INVISIBLE_REPORT_CENSUS | (leaks ? INVISIBLE_REPORT_LEAKS : 0));
    request.report_fd = sink;
    if (report_with_runtime(&request) < 0)
        report_plain(&request);
    invisible_state.report_fd = 2;
    if (sink >= 0)
        close(sink);
    invisible_guard_leave(1);
}

static void *snapshot_main(void *argument)
{
    int seconds = invisible_state.options.snapshot_every;
    for (uint64_t number = 1;; number++) {
        struct timespec interval = { seconds, 0 };
        while (clock_nanosleep(CLOCK_MONOTONIC, 0, &interval, &interval) == EINTR)
            ;
        pthread_mutex_lock(&snapshot_lock);
        if (stopped) {
            pthread_mutex_unlock(&snapshot_lock);
            return NULL;
        }
        write_snapshot(number);
        pthread_mutex_unlock(&snapshot_lock);
    }
    return NULL;
}

void snapshots_start(void)
{
    invisible_options *o = &invisible_state.options;
    if (o->snapshot_every <= 0)
        return;
    if (o->json_path[0]) {
        if (options_expand_pid(o->json_path, (int)getpid(), snapshot_base, sizeof snapshot_base) != 0)
            return;
        size_t length = strlen(snapshot_base);
        if (length > 5 && !strcmp(snapshot_base + length - 5, ".json"))
            snapshot_base[length - 5] = 0;
    } else {
        char directory[INVISIBLE_PATH_CAPACITY - 64];
        if (!getcwd(directory, sizeof directory))
            return;
        size_t n = raw_append(snapshot_base, 0, sizeof snapshot_base, directory);
        n = raw_append(snapshot_base, n, sizeof snapshot_base, "/invisible-");
        raw_append_u64(snapshot_base, n, sizeof snapshot_base, (uint64_t)getpid());
    }
    sigset_t all, saved;
    sigfillset(&all);
    sigdelset(&all, o->stop_signal ? o->stop_signal : SIGRTMAX - 3);
    sigdelset(&all, SIGSEGV);
    sigdelset(&all, SIGBUS);
    sigdelset(&all, SIGFPE);
    sigdelset(&all, SIGILL);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attributes, SNAPSHOT_STACK);
    pthread_t thread;
    pthread_atfork(NULL, NULL, snapshots_fork_child);
    started = 1;
    if (pthread_create(&thread, &attributes, snapshot_main, NULL) != 0)
        report_write_line("invisible: cannot start the snapshot thread; no snapshots will be written\n",
                          strlen("invisible: cannot start the snapshot thread; no snapshots will be written\n"));
    pthread_attr_destroy(&attributes);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
}
