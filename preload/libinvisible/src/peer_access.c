/* peer_access.c — the kernel's ptrace-attach rule, applied to the peer of an attach connection.
 *
 * What the kernel checks before PTRACE_ATTACH/PTRACE_SEIZE (kernel/ptrace.c __ptrace_may_access,
 * security/commoncap.c cap_ptrace_access_check, security/yama), and what we check here:
 *   1. the tracer has CAP_SYS_PTRACE in the tracee's user namespace: allowed (Yama scope 3 aside);
 *   2. otherwise the tracer's *real* uid and gid must equal the tracee's real, effective and saved
 *      uid and gid,
 *   3. the tracee must be dumpable (a process that changed credentials is not, by default),
 *   4. the tracee's permitted capabilities must be a subset of the tracer's,
 *   5. Yama: scope 1 only lets an ancestor attach, scope 2 needs CAP_SYS_PTRACE, scope 3 nobody.
 * The peer's credentials come from SO_PEERCRED (its pid and effective ids at connect time) and
 * from /proc/PID/status (real/saved ids, capabilities). A pidfd from SO_PEERPIDFD (Linux 6.5)
 * pins the peer: if it exited and its pid was reused while we read /proc, we refuse.
 *
 * No malloc and no stdio: this runs on the listener thread between requests, where an allocation
 * would be counted as the program's.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>


#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif
#define CAP_SYS_PTRACE_BIT 19
#define STATUS_CAPACITY 8192
#define MAX_ANCESTORS 4096

typedef struct process_credentials {
    unsigned uid[4]; /* real, effective, saved, file system */
    unsigned gid[4];
    uint64_t permitted;
    uint64_t effective;
    int parent;      /* PPid */
    int complete;    /* every field above was found */
} process_credentials;

/* Read the file at `path` into `buffer` (NUL-terminated); returns the length or -1. */
static ssize_t read_small_file(const char *path, char *buffer, size_t capacity)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t used = 0;
    while (used < capacity - 1) {
        ssize_t got = read(fd, buffer + used, capacity - 1 - used);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        used += (size_t)got;
    }
    close(fd);
    buffer[used] = 0;
    return (ssize_t)used;
}

/* Read /proc/<pid>/<file> (pid 0 = self). */
static ssize_t read_proc_file(int pid, const char *file, char *buffer, size_t capacity)
{
    char path[64];
    size_t n = raw_append(path, 0, sizeof path, "/proc/");
    if (pid > 0)
        n = raw_append_u64(path, n, sizeof path, (uint64_t)pid);
    else
        n = raw_append(path, n, sizeof path, "self");
    n = raw_append(path, n, sizeof path, "/");
    raw_append(path, n, sizeof path, file);
    return read_small_file(path, buffer, capacity);
}

/* The value text of "Key:\t..." in a status file, or NULL. */
static const char *status_field(const char *status, const char *key)
{
    size_t key_length = strlen(key);
    for (const char *line = status; line && *line;) {
        if (!strncmp(line, key, key_length) && line[key_length] == ':')
            return line + key_length + 1;
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return NULL;
}

static const char *skip_blanks(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* Up to `count` decimal numbers separated by blanks; returns how many were read. */
static int parse_decimals(const char *p, unsigned *values, int count)
{
    int found = 0;
    for (; p && found < count; found++) {
        p = skip_blanks(p);
        if (*p < '0' || *p > '9')
            break;
        uint64_t v = 0;
        while (*p >= '0' && *p <= '9' && v <= UINT32_MAX)
            v = v * 10 + (uint64_t)(*p++ - '0');
        if (v > UINT32_MAX)
            break;
        values[found] = (unsigned)v;
    }
    return found;
}

static int parse_hex64(const char *p, uint64_t *value)
{
    if (!p)
        return 0;
    p = skip_blanks(p);
    uint64_t v = 0;
    int digits = 0;
    for (;; p++, digits++) {
        int d;
        if (*p >= '0' && *p <= '9')
            d = *p - '0';
        else if (*p >= 'a' && *p <= 'f')
            d = *p - 'a' + 10;
        else if (*p >= 'A' && *p <= 'F')
            d = *p - 'A' + 10;
        else
            break;
        if (digits == 16)
            return 0;
        v = v << 4 | (uint64_t)d;
    }
    *value = v;
    return digits > 0;
}

static void read_credentials(int pid, process_credentials *c)
{
    char status[STATUS_CAPACITY];
    memset(c, 0, sizeof *c);
    if (read_proc_file(pid, "status", status, sizeof status) <= 0)
        return;
    unsigned parent = 0;
    c->complete = parse_decimals(status_field(status, "Uid"), c->uid, 4) == 4
               && parse_decimals(status_field(status, "Gid"), c->gid, 4) == 4
               && parse_hex64(status_field(status, "CapPrm"), &c->permitted)
               && parse_hex64(status_field(status, "CapEff"), &c->effective)
               && parse_decimals(status_field(status, "PPid"), &parent, 1) == 1;
    c->parent = (int)parent;
}

/* Is the peer in our user namespace? 1 yes, 0 no, -1 unknown: reading another process's
 * namespace links needs ptrace-read access to it, which we lack when the peer is root and we
 * are not. */
static int same_user_namespace(int pid)
{
    char path[64], ours[64], theirs[64];
    ssize_t a = readlink("/proc/self/ns/user", ours, sizeof ours - 1);
    size_t n = raw_append(path, 0, sizeof path, "/proc/");
    n = raw_append_u64(path, n, sizeof path, (uint64_t)pid);
    raw_append(path, n, sizeof path, "/ns/user");
    ssize_t b = readlink(path, theirs, sizeof theirs - 1);
    if (a <= 0 || b <= 0)
        return -1;
    return a == b && !memcmp(ours, theirs, (size_t)a);
}

/* Yama's ptrace_scope, or 0 when Yama is not there. */
static int yama_scope(void)
{
    char text[16];
    if (read_small_file("/proc/sys/kernel/yama/ptrace_scope", text, sizeof text) <= 0)
        return 0;
    unsigned scope = 0;
    return parse_decimals(text, &scope, 1) == 1 ? (int)scope : 0;
}

/* Is `pid` one of our ancestors (Yama scope 1's "relationship")? */
static int is_ancestor(int pid)
{
    int current = (int)getppid();
    for (int i = 0; i < MAX_ANCESTORS && current > 0; i++) {
        if (current == pid)
            return 1;
        process_credentials c;
        read_credentials(current, &c);
        if (!c.complete || c.parent == current)
            return 0;
        current = c.parent;
    }
    return 0;
}

static int deny(char *why, size_t why_size, const char *reason)
{
    raw_append(why, 0, why_size, reason);
    return 0;
}

/* The peer still exists as the process SO_PEERPIDFD named (no pidfd: assume so). */
static int peer_still_there(int pidfd)
{
    if (pidfd < 0)
        return 1;
    long rc = syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0);
    return rc == 0 || errno == EPERM;
}

int peer_may_attach(int fd, char *why, size_t why_size)
{
    struct ucred peer;
    socklen_t length = sizeof peer;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &length) != 0 || peer.pid <= 0)
        return deny(why, why_size, "cannot identify the connecting process");
    int pidfd = -1;
    length = sizeof pidfd;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &length) != 0)
        pidfd = -1;

    process_credentials tracer;
    read_credentials(peer.pid, &tracer);
    int alive = peer_still_there(pidfd);
    if (pidfd >= 0)
        close(pidfd);
    if (!tracer.complete || !alive)
        return deny(why, why_size, "cannot read the credentials of the connecting process");
    /* The ids SO_PEERCRED recorded at connect time must still be the peer's effective ids. */
    if (tracer.uid[1] != peer.uid || tracer.gid[1] != peer.gid)
        return deny(why, why_size, "the connecting process changed its credentials");

    int scope = yama_scope();
    if (scope >= 3)
        return deny(why, why_size, "kernel.yama.ptrace_scope is 3: no process may attach");
    /* Capabilities count only in the namespace they were granted in: a peer in another user
     * namespace (a sandbox's "root") has none in ours, and the kernel's capability-subset rule
     * applies only within one namespace too. When we cannot read the peer's namespace (it is
     * root and we are not), a peer whose real and effective uid are 0 as seen from our
     * namespace is root of our namespace or of one that only root could have made. */
    int namespace = same_user_namespace(peer.pid);
    int has_ptrace_capability = tracer.effective >> CAP_SYS_PTRACE_BIT & 1;
    if (has_ptrace_capability && (namespace == 1 || (namespace < 0 && tracer.uid[0] == 0 && tracer.uid[1] == 0)))
        return 1;

    uid_t ruid, euid, suid;
    gid_t rgid, egid, sgid;
    getresuid(&ruid, &euid, &suid);
    getresgid(&rgid, &egid, &sgid);
    if (tracer.uid[0] != ruid || tracer.uid[0] != euid || tracer.uid[0] != suid
        || tracer.gid[0] != rgid || tracer.gid[0] != egid || tracer.gid[0] != sgid)
        return deny(why, why_size, "permission denied (the process's real, effective and saved user and group ids must all be yours)");
    if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1)
        return deny(why, why_size, "permission denied (the process is not dumpable: it changed credentials)");
    if (namespace != 1)
        return deny(why, why_size, namespace == 0 ? "permission denied (the connecting process is in another user namespace)"
                                                  : "permission denied (cannot read the user namespace of the connecting process)");
    process_credentials self;
    read_credentials(0, &self);
    if (!self.complete || (self.permitted & ~tracer.permitted) != 0)
        return deny(why, why_size, "permission denied (the process has capabilities you lack)");
    if (scope == 2)
        return deny(why, why_size, "permission denied (kernel.yama.ptrace_scope is 2: CAP_SYS_PTRACE needed)");
    if (scope == 1 && !is_ancestor(peer.pid))
        return deny(why, why_size, "permission denied (kernel.yama.ptrace_scope is 1: only an ancestor may attach)");
    return 1;
}
