/* attach.c — the on-demand request listener (see attach.h for the protocol). */
#define _GNU_SOURCE
#include "attach.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "invisible/leakcheck.h"
#include "invisible/rawlibc.h"
#include "invisible/state.h"
#include "invisible/thread_state.h"
#include "report.h"

#define EXPORT __attribute__((visibility("default")))
#define LINE_CAPACITY 4096
#define COPY_CHUNK 65536
/* The listener's stack: the Python interpreter runs on this thread during a session and its
 * recursion is native recursion. Reserved, committed by the kernel only as it is touched. */
#define LISTENER_STACK (32u << 20)

/* The pid that started the listener: a fork child sees another pid and may start its own. */
static _Atomic int listener_pid;

/* Socket writes use MSG_NOSIGNAL: a client that went away must give us EPIPE, never a SIGPIPE
 * that would kill the program. */
static void send_all(int fd, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t n = send(fd, data, length, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        data += n;
        length -= (size_t)n;
    }
}

static void send_text(int fd, const char *text)
{
    send_all(fd, text, strlen(text));
}

/* Send the contents of `buffer_fd` (the report text) as one "data N" frame. */
static void send_buffer(int fd, int buffer_fd)
{
    off_t size = lseek(buffer_fd, 0, SEEK_END);
    if (size <= 0)
        return;
    char header[64];
    size_t n = raw_append(header, 0, sizeof header, "data ");
    n = raw_append_u64(header, n, sizeof header, (uint64_t)size);
    n = raw_append(header, n, sizeof header, "\n");
    send_all(fd, header, n);
    lseek(buffer_fd, 0, SEEK_SET);
    static char chunk[COPY_CHUNK]; /* only the listener thread uses it */
    ssize_t got;
    while ((got = read(buffer_fd, chunk, sizeof chunk)) > 0)
        send_all(fd, chunk, (size_t)got);
}

/* census / report: run the report path with the text going to a memory file, then send it.
 * The census walks the memtable without stopping the program; `report` also runs the leak
 * check, which stops the other threads for the duration of its scan. */
static void serve_report(int fd, const char *json_path, int with_leaks)
{
    if (json_path[0] && json_path[0] != '/') {
        send_text(fd, "error JSON path must be absolute\n");
        return;
    }
    invisible_thread *thread = &invisible_tls;
    thread->in_hook++; /* what the report allocates is ours, not the program's */
    int buffer = memfd_create("invisible-report", MFD_CLOEXEC);
    if (buffer < 0) {
        thread->in_hook--;
        send_text(fd, "error cannot create the report buffer\n");
        return;
    }
    const invisible_leak_summary *leaks = with_leaks ? leakcheck_run() : NULL;
    invisible_report_request request;
    unsigned flags = INVISIBLE_REPORT_CENSUS | (with_leaks ? INVISIBLE_REPORT_LEAKS : 0);
    report_prepare_request(&request, leaks, json_path[0] ? json_path : NULL, flags);
    request.report_fd = buffer;
    int rc = report_with_runtime(&request);
    thread->in_hook--;
    if (rc == 0) {
        send_buffer(fd, buffer);
        send_text(fd, "ok\n");
    } else {
        send_text(fd, "error the runtime (libinvisible-runtime.so) could not produce the census\n");
    }
    close(buffer);
}

/* python: the connection becomes an interactive session of the runtime's interpreter (protocol
 * in attach.h), run on this thread while the program's threads go on. `pending` are bytes the
 * client sent after the request line that we already read. in_hook as for reports: what the
 * runtime allocates is ours, not the program's. */
static void serve_python(int fd, const char *pending, size_t pending_length)
{
    invisible_thread *thread = &invisible_tls;
    thread->in_hook++;
    int rc = runtime_python_session(fd, pending, pending_length);
    thread->in_hook--;
    if (rc < 0)
        send_text(fd, "error the runtime (libinvisible-runtime.so) could not start the Python interpreter\n");
}

/* One command line; returns 0 to keep the connection open. `rest` is what follows the line. */
static int serve_line(int fd, char *line, const char *rest, size_t rest_length)
{
    char *argument = strchr(line, ' ');
    if (argument)
        *argument++ = 0;
    else
        argument = line + strlen(line);
    if (!strcmp(line, "ping")) {
        char text[64];
        size_t n = raw_append(text, 0, sizeof text, "ok invisible ");
        n = raw_append_u64(text, n, sizeof text, (uint64_t)getpid());
        raw_append(text, n, sizeof text, "\n");
        send_text(fd, text);
    } else if (!strcmp(line, "census")) {
        serve_report(fd, argument, 0);
    } else if (!strcmp(line, "report")) {
        serve_report(fd, argument, 1);
    } else if (!strcmp(line, "python")) {
        serve_python(fd, rest, rest_length);
        return 1; /* the session owned the connection to its end */
    } else if (!strcmp(line, "quit")) {
        send_text(fd, "ok\n");
        return 1;
    } else if (line[0]) {
        send_text(fd, "error unknown command\n");
    }
    return 0;
}

static void serve_connection(int fd)
{
    char buffer[LINE_CAPACITY];
    size_t used = 0;
    for (;;) {
        ssize_t got = read(fd, buffer + used, sizeof buffer - 1 - used);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return;
        used += (size_t)got;
        char *newline;
        while ((newline = memchr(buffer, '\n', used)) != NULL) {
            *newline = 0;
            size_t length = (size_t)(newline - buffer) + 1;
            if (serve_line(fd, buffer, buffer + length, used - length))
                return;
            memmove(buffer, buffer + length, used - length);
            used -= length;
        }
        if (used == sizeof buffer - 1) {
            send_text(fd, "error line too long\n");
            return;
        }
    }
}

/* Only the same uid may talk to us (DESIGN non-negotiable). */
static int same_user(int fd)
{
    struct ucred peer;
    socklen_t length = sizeof peer;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &length) != 0)
        return 0;
    return peer.uid == getuid();
}

static void *listener_main(void *argument)
{
    int server = (int)(intptr_t)argument;
    for (;;) {
        /* Idle here with in_hook == 0: a leak check elsewhere can stop this thread like any other. */
        int fd = accept4(server, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return NULL;
        }
        if (same_user(fd))
            serve_connection(fd);
        else
            send_text(fd, "error permission denied (different user)\n");
        close(fd);
    }
}

static int bind_socket(void)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    struct sockaddr_un address;
    memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    /* Abstract name: sun_path[0] == 0, no file system entry, gone with the process. */
    size_t n = raw_append(address.sun_path + 1, 0, sizeof address.sun_path - 1, INVISIBLE_ATTACH_SOCKET_PREFIX);
    n = raw_append_u64(address.sun_path + 1, n, sizeof address.sun_path - 1, (uint64_t)getpid());
    socklen_t length = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
    if (bind(fd, (struct sockaddr *)&address, length) != 0 || listen(fd, 8) != 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    return fd;
}

EXPORT int invisible_attach_start(void)
{
    int pid = (int)getpid();
    if (atomic_load(&listener_pid) == pid)
        return 1;
    invisible_thread *thread = &invisible_tls;
    thread->in_hook++;
    int rc = 0;
    int fd = bind_socket();
    if (fd < 0) {
        rc = fd;
    } else {
        /* The listener must not take the program's signals: block all but our stop signal,
         * which a leak check uses to stop every thread. The new thread inherits the mask.
         * Fault signals stay open: they are only raised by this thread's own faults, the
         * runtime turns a fault in managed code (a null reference) into an exception, and the
         * kernel kills the process when a fault signal is blocked. */
        sigset_t all, saved;
        sigfillset(&all);
        int stop = invisible_state.options.stop_signal ? invisible_state.options.stop_signal : SIGRTMAX - 3;
        sigdelset(&all, stop);
        sigdelset(&all, SIGSEGV);
        sigdelset(&all, SIGBUS);
        sigdelset(&all, SIGFPE);
        sigdelset(&all, SIGILL);
        pthread_sigmask(SIG_SETMASK, &all, &saved);
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attributes, LISTENER_STACK);
        pthread_t listener;
        int error = pthread_create(&listener, &attributes, listener_main, (void *)(intptr_t)fd);
        pthread_attr_destroy(&attributes);
        if (error == EAGAIN || error == ENOMEM) { /* no room for a big stack: the default one */
            pthread_attr_init(&attributes);
            pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
            error = pthread_create(&listener, &attributes, listener_main, (void *)(intptr_t)fd);
            pthread_attr_destroy(&attributes);
        }
        pthread_sigmask(SIG_SETMASK, &saved, NULL);
        if (error != 0) {
            close(fd);
            rc = -error;
        } else {
            atomic_store(&listener_pid, pid);
        }
    }
    thread->in_hook--;
    return rc;
}
