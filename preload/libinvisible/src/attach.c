/* attach.c — the on-demand request listener (see include/invisible.h for the protocol). */
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))
#define LINE_CAPACITY 4096
#define COPY_CHUNK 65536
/* The listener's stack: the Python interpreter runs on this thread during a session and its
 * recursion is native recursion. Reserved, committed by the kernel only as it is touched. */
#define LISTENER_STACK (32u << 20)

/* The pid that started the listener: a fork child sees another pid and may start its own. */
static _Atomic int listener_pid;

/* The listening socket: a hidden descriptor (descriptors.c), so its number may change when the
 * program dup2()s onto it; read again before every accept. */
static _Atomic int listener_socket = -1;

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
    invisible_guard_enter(1); /* what the report allocates is ours, not the program's */
    int buffer = memfd_create("invisible-report", MFD_CLOEXEC);
    static _Atomic int buffer_cell = -1;
    if (buffer >= 0)
        buffer = descriptors_hide(buffer, &buffer_cell);
    if (buffer < 0) {
        invisible_guard_leave(1);
        send_text(fd, "error cannot create the report buffer\n");
        return;
    }
    const invisible_leak_summary *leaks = with_leaks ? leakcheck_run() : NULL;
    invisible_report_request request;
    unsigned flags = INVISIBLE_REPORT_CENSUS | (with_leaks ? INVISIBLE_REPORT_LEAKS : 0);
    invisible_state.report_fd = buffer; /* the runtime's write_report goes there too */
    report_say_degraded(buffer);
    report_prepare_request(&request, leaks, json_path[0] ? json_path : NULL, flags);
    int rc = report_with_runtime(&request);
    invisible_state.report_fd = 2;
    invisible_guard_leave(1);
    if (rc == 0) {
        send_buffer(fd, buffer);
        send_text(fd, "ok\n");
    } else if (rc > 0) { /* the text is there, with the reason the JSON file is not */
        send_buffer(fd, buffer);
        send_text(fd, "error the JSON report could not be written\n");
    } else {
        send_text(fd, "error the runtime (libinvisible-runtime.so) could not produce the census\n");
    }
    descriptors_close_hidden(buffer);
}

/* ---- python sessions: the relay ----------------------------------------------------------
 * The interpreter runs on the listener thread and reads the session's messages only when it
 * waits for input, but an `interrupt` (Ctrl-C) must reach code that never waits (`while True:
 * pass`). So during a session a relay thread owns the client connection: it copies the client's
 * bytes to the interpreter's end of a socketpair and the interpreter's output back to the client,
 * and the moment it sees an `interrupt` message line it calls the runtime's interrupt entry
 * (which raises KeyboardInterrupt at the running code's next loop back-edge) before passing the
 * line on. The relay parses just enough of the protocol to skip `exec` payloads (code that
 * contains a line "interrupt" is not a message). */

#define RELAY_STACK (1u << 20) /* the first interrupt attaches this thread to the NativeAOT runtime */
#define RELAY_LINE 32          /* enough for "interrupt" and "exec N" (longer lines only overflow) */

typedef struct session_relay {
    int client;                                  /* the attach connection */
    int inner;                                   /* our end of the socketpair */
    invisible_runtime_python_interrupt_fn interrupt;
    char line[RELAY_LINE];                       /* the client's current message line (a prefix) */
    size_t line_length;                          /* bytes of that line so far (may exceed RELAY_LINE) */
    uint64_t payload;                            /* bytes of an exec payload still to pass */
} session_relay;

static void relay_message(session_relay *r)
{
    size_t n = r->line_length < RELAY_LINE ? r->line_length : RELAY_LINE;
    if (r->line_length == 9 && !memcmp(r->line, "interrupt", 9) && r->interrupt) {
        /* The runtime allocates on its side: ours, not the program's. */
        invisible_guard_enter(1);
        r->interrupt();
        invisible_guard_leave(1);
    } else if (n > 5 && !memcmp(r->line, "exec ", 5)) {
        uint64_t count = 0;
        for (size_t i = 5; i < n && r->line[i] >= '0' && r->line[i] <= '9'; i++)
            count = count * 10 + (uint64_t)(r->line[i] - '0');
        r->payload = count;
    }
}

/* Follow the client's message stream (bytes the relay passes on, or `pending` bytes the listener
 * already read). */
static void relay_scan(session_relay *r, const char *data, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        if (r->payload > 0) {
            uint64_t skip = length - i < r->payload ? length - i : r->payload;
            r->payload -= skip;
            i += (size_t)skip - 1;
            continue;
        }
        if (data[i] == '\n') {
            relay_message(r);
            r->line_length = 0;
        } else {
            if (r->line_length < RELAY_LINE)
                r->line[r->line_length] = data[i];
            r->line_length++;
        }
    }
}

/* Copy both ways until the interpreter closes its end (the session ended). The client's bytes are
 * held while the interpreter does not take them, without ever blocking its output. Idle in poll()
 * with in_hook == 0: a stop of the world parks this thread like any other. */
static void *relay_main(void *argument)
{
    session_relay *r = argument;
    char input[4096];
    static char output[COPY_CHUNK]; /* one session at a time: one relay */
    size_t input_length = 0, input_sent = 0;
    int client_open = 1;
    for (;;) {
        struct pollfd fds[2] = {
            { r->inner, (short)(POLLIN | (input_sent < input_length ? POLLOUT : 0)), 0 },
            { r->client, (short)(client_open && input_sent == input_length ? POLLIN : 0), 0 },
        };
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t got = recv(r->inner, output, sizeof output, 0);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0)
                break; /* the interpreter closed its end: all its output was passed on */
            send_all(r->client, output, (size_t)got);
        }
        if (input_sent < input_length && (fds[0].revents & POLLOUT)) {
            ssize_t sent = send(r->inner, input + input_sent, input_length - input_sent, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (sent > 0)
                input_sent += (size_t)sent;
            else if (sent < 0 && errno != EAGAIN && errno != EINTR)
                input_sent = input_length; /* the interpreter's end is gone: drop the input */
            if (input_sent == input_length && !client_open)
                shutdown(r->inner, SHUT_WR);
        }
        if (client_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t got = recv(r->client, input, sizeof input, 0);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0) {
                /* The client is gone (killed, detached): the interpreter sees end of input, and
                 * code still running is stopped, as by Ctrl-C, rather than left running. */
                client_open = 0;
                shutdown(r->inner, SHUT_WR);
                r->line_length = 9;
                memcpy(r->line, "interrupt", 9);
                relay_message(r);
            } else {
                relay_scan(r, input, (size_t)got);
                input_length = (size_t)got;
                input_sent = 0;
            }
        }
    }
    return NULL;
}

/* python: the connection becomes an interactive session of the runtime's interpreter (protocol
 * in invisible.h), run on this thread while the program's threads go on. `pending` are bytes the
 * client sent after the request line that we already read. in_hook as for reports: what the
 * runtime allocates is ours, not the program's. */
/* Where the hidden descriptors of a connection and its session live (descriptors.c updates a
 * cell when the program dup2()s onto its number; the numbers in use are taken once, at the start). */
static _Atomic int connection_cell = -1;
static _Atomic int session_cells[2] = { -1, -1 };

static void serve_python(int fd, const char *pending, size_t pending_length)
{
    invisible_guard_enter(1);
    /* Before the runtime is first loaded here (the interrupt entry below loads it): what glibc's
     * heap holds now is the program's (process.heap's blocks from before the attach, heap_copy.c). */
    heap_copy_take_baseline();
    static session_relay relay;
    int pair[2] = { -1, -1 };
    pthread_t relay_thread;
    int relayed = 0;
    memset(&relay, 0, sizeof relay);
    invisible_runtime_python_interrupt_fn interrupt = runtime_python_interrupt_entry();
    if (interrupt && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0) {
        /* Both ends out of the program's way, as the connection (listener_main). */
        pair[0] = descriptors_hide(pair[0], &session_cells[0]);
        pair[1] = descriptors_hide(pair[1], &session_cells[1]);
        relay.client = fd;
        relay.inner = pair[1];
        relay_scan(&relay, pending, pending_length); /* the runtime gets these itself; no code runs yet */
        relay.interrupt = interrupt;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setstacksize(&attributes, RELAY_STACK);
        relayed = pthread_create(&relay_thread, &attributes, relay_main, &relay) == 0;
        pthread_attr_destroy(&attributes);
        if (!relayed) {
            descriptors_close_hidden(pair[0]);
            descriptors_close_hidden(pair[1]);
        }
    }
    /* Without a relay (an older runtime, no thread): the session on the connection itself, where
     * an interrupt is seen only when the running code writes output. */
    int session = relayed ? pair[0] : fd;
    int rc = runtime_python_session(session, pending, pending_length);
    /* The last line is ours, sent once the program's dispositions are back (runtime_python_session
     * restored them): a client that sees it may look at the program at once. */
    if (rc < 0) {
        send_text(session, "error the runtime (libinvisible-runtime.so) could not start the Python interpreter\n");
    } else {
        char text[32];
        size_t n = raw_append(text, 0, sizeof text, "ok ");
        n = raw_append_u64(text, n, sizeof text, (uint64_t)rc);
        raw_append(text, n, sizeof text, "\n");
        send_text(session, text);
    }
    if (relayed) {
        descriptors_close_hidden(pair[0]); /* the relay passes what is left and ends */
        pthread_join(relay_thread, NULL);
        descriptors_close_hidden(pair[1]);
    }
    invisible_guard_leave(1);
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

/* Taken by invisible_attach_start and by the listener leaving a process we were loaded into late,
 * so that a new attach never sees a listener that is going away. */
static pthread_mutex_t late_lock = PTHREAD_MUTEX_INITIALIZER;

/* A library loaded late leaves with its last session: nobody can connect any more, the GOT slots
 * go back to glibc (allocations are glibc's alone again), and this thread ends. The library stays
 * mapped (a dlclose from here would unmap the code we run); the next attach finds it in the maps
 * and calls invisible_attach_start again, which installs the slots and a listener anew. */
static void detach_late(void)
{
    pthread_mutex_lock(&late_lock);
    int fd = atomic_exchange(&listener_socket, -1);
    if (fd >= 0)
        descriptors_close_hidden(fd);
    invisible_hooks_got_restore();
    atomic_store(&listener_pid, 0);
    pthread_mutex_unlock(&late_lock);
}

/* Whether a library loaded late has another session to serve before it leaves. A client may have
 * connected while the last session ended: its connection waits in the backlog, and closing the
 * listening socket would drop it (the client would read "closed the connection"). So new
 * connections are refused first (shutdown: connect() then fails with ECONNREFUSED, and that client
 * starts a listener anew through invisible_attach_start, which waits for late_lock), and what is
 * already queued is served before the listener leaves. */
static int late_connection_waiting(void)
{
    int fd = atomic_load(&listener_socket);
    if (fd < 0)
        return 0;
    shutdown(fd, SHUT_RD);
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0 && !(flags & O_NONBLOCK))
        fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    struct pollfd waiting = { .fd = fd, .events = POLLIN };
    /* After shutdown poll says "readable" whether or not a connection is queued: accept decides. */
    if (poll(&waiting, 1, 0) <= 0)
        return 0;
    return 1;
}

static void *listener_main(void *argument)
{
    for (;;) {
        /* Idle here with in_hook == 0: a leak check elsewhere can stop this thread like any other. */
        int fd = accept4(atomic_load(&listener_socket), NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EBADF)
                continue; /* EBADF: our socket was moved (descriptors.c) while we waited */
            if (invisible_state.late && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                detach_late(); /* nothing was queued behind the last session */
                return NULL;
            }
            return NULL;
        }
        /* Judged at every connection: this process may have changed its credentials since the
         * listener started (peer_access.c). */
        /* A hidden descriptor (near the top of the range, close-on-exec): the program's close
         * loops, closefrom and daemonizing pass it by, and its own next open() gets the number it
         * would have got without us. */
        fd = descriptors_hide(fd, &connection_cell);
        char why[160];
        if (peer_may_attach(fd, why, sizeof why)) {
            serve_connection(fd);
        } else {
            send_text(fd, "error ");
            send_text(fd, why);
            send_text(fd, "\n");
        }
        descriptors_close_hidden(fd);
        if (invisible_state.late) {
            if (late_connection_waiting())
                continue; /* the non-blocking accept serves it, or finds none and leaves */
            detach_late();
            return NULL;
        }
    }
}

/* Bind and listen on the abstract name `name` (no file system entry, gone with the process). */
static int listen_on(int fd, const char *name, size_t name_length)
{
    struct sockaddr_un address;
    memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    memcpy(address.sun_path + 1, name, name_length); /* sun_path[0] == 0: abstract */
    socklen_t length = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + name_length);
    if (bind(fd, (struct sockaddr *)&address, length) != 0 || listen(fd, 8) != 0)
        return -errno;
    return 0;
}

/* The listening socket, on "invisible-PID". Abstract names belong to nobody: another user may
 * have bound that name first (to receive what clients send). Then we listen on
 * "invisible-PID-RANDOM" instead, which nobody can guess in advance; clients find it among our
 * descriptors and check, before sending anything, that the listener is this process
 * (SO_PEERCRED), so a squatter neither blocks us nor hears anything. */
static int bind_socket(void)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    char name[sizeof ((struct sockaddr_un *)0)->sun_path];
    size_t n = raw_append(name, 0, sizeof name, INVISIBLE_ATTACH_SOCKET_PREFIX);
    n = raw_append_u64(name, n, sizeof name, (uint64_t)getpid());
    int rc = listen_on(fd, name, n);
    for (int attempt = 0; rc == -EADDRINUSE && attempt < 4; attempt++) {
        uint64_t random = 0;
        if (getrandom(&random, sizeof random, 0) != sizeof random) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            random = (uint64_t)now.tv_nsec ^ (uint64_t)now.tv_sec << 30 ^ (uint64_t)getpid() << 48;
        }
        size_t m = raw_append(name, n, sizeof name, "-");
        m = raw_append_hex(name, m, sizeof name, random);
        rc = listen_on(fd, name, m);
    }
    if (rc != 0) {
        close(fd);
        return rc;
    }
    return fd;
}

EXPORT int invisible_attach_start(void)
{
    int pid = (int)getpid();
    pthread_mutex_lock(&late_lock);
    if (atomic_load(&listener_pid) == pid) {
        pthread_mutex_unlock(&late_lock);
        return 1;
    }
    invisible_guard_enter(1);
    int rc = 0;
    if (invisible_state.late && !invisible_hooks_got_installed()) {
        /* Records of an earlier session's blocks may have been freed since, behind our back. */
        invisible_instrument_forget_all();
        descriptors_hook_late();
        if (invisible_hooks_got_install() < 0)
            rc = -ENOMEM;
    }
    int fd = rc < 0 ? rc : bind_socket();
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
        fd = descriptors_hide(fd, &listener_socket); /* out of the program's way */
        int error = pthread_create(&listener, &attributes, listener_main, NULL);
        pthread_attr_destroy(&attributes);
        if (error == EAGAIN || error == ENOMEM) { /* no room for a big stack: the default one */
            pthread_attr_init(&attributes);
            pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
            error = pthread_create(&listener, &attributes, listener_main, NULL);
            pthread_attr_destroy(&attributes);
        }
        pthread_sigmask(SIG_SETMASK, &saved, NULL);
        if (error != 0) {
            descriptors_close_hidden(fd);
            rc = -error;
        } else {
            atomic_store(&listener_pid, pid);
        }
    }
    if (rc < 0 && invisible_state.late)
        invisible_hooks_got_restore();
    invisible_guard_leave(1);
    pthread_mutex_unlock(&late_lock);
    return rc;
}
