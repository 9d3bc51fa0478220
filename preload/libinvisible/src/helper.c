/* helper.c — report helpers: the symbolizing part of a report runs in a copy of the process.
 *
 * Why: libinvisible-runtime.so (NativeAOT, with libdw) leaves things behind in a process that
 * loads it: a finalizer thread, a SIGRTMIN handler, libdw's open files (one per loaded object),
 * libdebuginfod's sockets, hundreds of GiB of reserved address space. A report in the middle of a
 * run (invisible_report(), `invisible census PID`) must leave the program as it found it, and a
 * runtime that cannot start (no address space left under RLIMIT_AS) must not take the program
 * down with it. So the runtime runs in a helper: a copy of the process (memory copy-on-write: the
 * heap, the memtable and the leak check's results as they are now) made with a bare clone:
 *  - its exit signal is 0: the program gets no SIGCHLD, and its wait() or waitpid(-1) never see
 *    the helper (only __WALL does);
 *  - no fork handlers run: the program's pthread_atfork handlers are not called for a fork it did
 *    not make;
 *  - so the copy is made usable the way glibc's fork does it: at a quiet moment (the other threads
 *    stopped, none inside glibc's allocator, fork or the dynamic loader: a lock one of them held
 *    would stay held in the copy forever; glibc's fork takes those locks instead, a bare clone
 *    cannot), with its thread id in its thread control block (CLONE_CHILD_SETTID at the field
 *    libthread_db describes), an empty robust-mutex list, the stdio list lock (taken across the
 *    clone, reset in the copy), and the loader's and thread-stack locks reset in the copy as
 *    glibc's fork resets them;
 *  - it closes every descriptor but those it needs, raises its soft RLIMIT_AS to the hard limit
 *    (the runtime reserves address space: the copy may, the program never sees it), and dies with
 *    the thread that made it.
 * The parent waits on a pidfd. A helper that stays asleep without using any CPU for
 * HELPER_STALL_SECONDS is taken for deadlocked (a lock we could not reset) and killed; the caller
 * then writes the plain report.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#define HELPER_STALL_SECONDS 20

/* glibc's stdio list lock (exported since 2.2.5): fork takes it across the copy too. */
void _IO_list_lock(void);
void _IO_list_unlock(void);
void _IO_list_resetlock(void);

/* ---- what glibc keeps that a copy must fix ---- */

/* A pthread mutex as glibc lays it out (struct __pthread_mutex_s, x86-64). */
typedef struct glibc_mutex {
    int lock;
    unsigned count;
    int owner;
    unsigned nusers;
    int kind;
} glibc_mutex;

#define MUTEX_RECURSIVE 1 /* PTHREAD_MUTEX_RECURSIVE_NP */

static struct {
    int searched;
    glibc_mutex *locks[3];     /* _dl_load_lock, _dl_load_write_lock, _dl_load_tls_lock */
    int *stack_cache_lock;     /* _dl_stack_cache_lock (a low-level lock: 0 free) */
    size_t tid_offset;         /* struct pthread's tid field (0: unknown) */
} glibc_parts;

typedef struct rtld_search {
    char *base;
    size_t size;
    pid_t tid;
    glibc_mutex *write_lock;
    int matches;
} rtld_search;

/* Inside dl_iterate_phdr the loader's write lock is held by this very thread: it is the one
 * recursive mutex in _rtld_global owned by us. The load lock and the TLS lock are its neighbours
 * (struct rtld_global: _dl_load_lock, _dl_load_write_lock, _dl_load_tls_lock, in that order,
 * glibc 2.34 and later). */
static int find_write_lock(struct dl_phdr_info *info, size_t size, void *data)
{
    rtld_search *search = data;
    for (size_t offset = 0; offset + sizeof(glibc_mutex) <= search->size; offset += 8) {
        glibc_mutex *m = (glibc_mutex *)(search->base + offset);
        if (m->kind == MUTEX_RECURSIVE && m->owner == search->tid && m->count >= 1 && m->lock != 0) {
            search->write_lock = m;
            search->matches++;
        }
    }
    return 1;
}

static size_t symbol_size(void *address)
{
    Dl_info info;
    const ElfW(Sym) *symbol = NULL;
    if (!dladdr1(address, &info, (void **)&symbol, RTLD_DL_SYMENT) || !symbol)
        return 0;
    return symbol->st_size;
}

/* libthread_db's description of a field: {bits, count, offset}. */
static const uint32_t *thread_db_field(const char *name)
{
    return (const uint32_t *)dlsym(RTLD_DEFAULT, name);
}

/* Found once, and each guess checked against what it must hold now; what does not check out
 * stays unknown (the copy then does without). */
static void glibc_parts_find(void)
{
    if (glibc_parts.searched)
        return;
    glibc_parts.searched = 1;
    const uint32_t *tid = thread_db_field("_thread_db_pthread_tid");
    pid_t self = (pid_t)syscall(SYS_gettid);
    if (tid && tid[0] == 32 && *(pid_t *)((char *)pthread_self() + tid[2]) == self)
        glibc_parts.tid_offset = tid[2];
    char *rtld = dlsym(RTLD_DEFAULT, "_rtld_global");
    size_t size = rtld ? symbol_size(rtld) : 0;
    if (!size)
        return;
    rtld_search search = { rtld, size, self, NULL, 0 };
    dl_iterate_phdr(find_write_lock, &search);
    glibc_mutex *w = search.write_lock;
    if (search.matches == 1 && (char *)w - rtld >= (long)sizeof(glibc_mutex) &&
        (char *)w + 2 * sizeof(glibc_mutex) <= rtld + size) {
        glibc_mutex *load = (glibc_mutex *)((char *)w - 40), *tls = (glibc_mutex *)((char *)w + 40);
        if (load->kind == MUTEX_RECURSIVE && tls->kind == MUTEX_RECURSIVE) {
            glibc_parts.locks[0] = load;
            glibc_parts.locks[1] = w;
            glibc_parts.locks[2] = tls;
        }
    }
    /* _dl_stack_used, _dl_stack_user, _dl_stack_cache (list heads), _dl_stack_cache_actsize,
     * _dl_in_flight_stack, then _dl_stack_cache_lock: the last member (glibc 2.34 and later). */
    const uint32_t *used = thread_db_field("_thread_db_rtld_global__dl_stack_used");
    const uint32_t *user = thread_db_field("_thread_db_rtld_global__dl_stack_user");
    if (used && user && user[2] == used[2] + 16 && used[2] + 64 + sizeof(int) <= size &&
        size - (used[2] + 64) < 16)
        glibc_parts.stack_cache_lock = (int *)(rtld + used[2] + 64);
}

/* In the copy: locks that a thread of the original held are free again (glibc's fork does the
 * same for the loader's locks: what they protect may be half-updated, as after any fork of a
 * threaded process). */
static void reset_glibc_locks(void)
{
    for (int i = 0; i < 3; i++) {
        glibc_mutex *m = glibc_parts.locks[i];
        if (m && m->lock) {
            m->lock = 0;
            m->count = 0;
            m->owner = 0;
            m->nusers = 0;
        }
    }
    if (glibc_parts.stack_cache_lock)
        *glibc_parts.stack_cache_lock = 0;
    _IO_list_resetlock();
}

/* The robust-mutex list the kernel forgot for the copy (as glibc's _Fork): empty, registered. */
static void reset_robust_list(void *head, size_t length)
{
    if (!head)
        return;
    void **list = head;
    list[0] = head;    /* list.next: the empty list points at itself */
    list[2] = NULL;    /* list_op_pending */
    raw_syscall6(SYS_set_robust_list, (long)head, (long)length, 0, 0, 0, 0);
}

/* ---- the copy's side ---- */

typedef struct helper_call {
    helper_work work;
    void *argument;
    int keep_fd;
    void *robust_head;
    size_t robust_length;
} helper_call;

/* Standard descriptors: 0 and 1 from /dev/null, 2 the program's stderr (for a runtime's last
 * words); `keep` moved to 3; every other descriptor closed (the copy holds none of the
 * program's: a pipe's writer must not linger in it). Returns the new number of `keep`. */
static int settle_descriptors(int keep)
{
    int null = (int)raw_syscall6(SYS_openat, AT_FDCWD, (long)"/dev/null", O_RDWR, 0, 0, 0);
    int err = descriptors_report_stderr();
    if (keep >= 0 && keep != 3)
        raw_syscall6(SYS_dup3, keep, 3, 0, 0, 0, 0);
    if (err != 2)
        raw_syscall6(SYS_dup3, err, 2, 0, 0, 0, 0);
    if (null >= 0) {
        raw_syscall6(SYS_dup3, null, 0, 0, 0, 0, 0);
        raw_syscall6(SYS_dup3, null, 1, 0, 0, 0, 0);
    }
    if (raw_syscall6(SYS_close_range, keep >= 0 ? 4 : 3, ~0u, 0, 0, 0, 0) != 0)
        for (int fd = keep >= 0 ? 4 : 3; fd < 65536; fd++)
            raw_syscall6(SYS_close, fd, 0, 0, 0, 0, 0);
    return keep >= 0 ? 3 : -1;
}

static __attribute__((noreturn)) void helper_child(const helper_call *call)
{
    invisible_instrument_enter_helper(); /* before anything allocates */
    reset_robust_list(call->robust_head, call->robust_length);
    reset_glibc_locks();
    raw_syscall6(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0, 0);
    sigset_t all;
    sigfillset(&all);
    sigdelset(&all, SIGSEGV);
    sigdelset(&all, SIGBUS);
    sigdelset(&all, SIGILL);
    sigdelset(&all, SIGFPE);
    sigdelset(&all, SIGABRT);
    pthread_sigmask(SIG_SETMASK, &all, NULL);
    struct rlimit limit;
    if (getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_AS, &limit);
    }
    int fd = settle_descriptors(call->keep_fd);
    int rc = call->work(call->argument, fd);
    raw_syscall6(SYS_exit_group, rc & 0xff, 0, 0, 0, 0, 0);
    __builtin_unreachable();
}

/* ---- a frozen copy of the copy (the heap from before an attach) ---- */

/* In the copy, before the runtime starts: one more copy that only waits to be killed. From here
 * on the runtime allocates in glibc's heap (the loader's link maps, libdw, its threads' arenas and
 * tcaches), and a walk of that heap here would meet the runtime's chunks and arenas; the frozen
 * copy's heap is the program's as it was at the quiet moment, and the runtime reads it there
 * (process_vm_readv: its parent may). Nothing but raw system calls in the frozen copy: its
 * glibc state is whatever the program's threads left, and it must not change its heap. It closes
 * every descriptor (a pipe's writer must not linger) and dies with its parent. */
pid_t helper_freeze_copy(void)
{
    long parent = raw_syscall6(SYS_getpid, 0, 0, 0, 0, 0, 0);
    long pid = raw_syscall6(SYS_clone, 0 /* no exit signal: reaped with __WALL */, 0, 0, 0, 0, 0);
    if (pid == 0) {
        raw_syscall6(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0, 0);
        if (raw_syscall6(SYS_getppid, 0, 0, 0, 0, 0, 0) != parent)
            raw_syscall6(SYS_exit_group, 0, 0, 0, 0, 0, 0);
        if (raw_syscall6(SYS_close_range, 0, ~0u, 0, 0, 0, 0) != 0)
            for (int fd = 0; fd < 65536; fd++)
                raw_syscall6(SYS_close, fd, 0, 0, 0, 0, 0);
        for (;;)
            raw_syscall6(SYS_pause, 0, 0, 0, 0, 0, 0);
    }
    return pid > 0 ? (pid_t)pid : 0;
}

void helper_thaw_copy(pid_t pid)
{
    if (pid <= 0)
        return;
    raw_syscall6(SYS_kill, pid, SIGKILL, 0, 0, 0, 0);
    raw_syscall6(SYS_wait4, pid, 0, __WALL, 0, 0, 0);
}

/* ---- the program's side ---- */

/* CPU time (user + system clock ticks) of process `pid`, -1 if unknown. */
static long cpu_ticks(pid_t pid)
{
    char path[64], stat[1024];
    size_t n = raw_append(path, 0, sizeof path, "/proc/");
    n = raw_append_u64(path, n, sizeof path, (uint64_t)pid);
    raw_append(path, n, sizeof path, "/stat");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t got = read(fd, stat, sizeof stat - 1);
    close(fd);
    if (got <= 0)
        return -1;
    stat[got] = 0;
    char *p = strrchr(stat, ')');
    if (!p)
        return -1;
    /* Fields after the command: state (3) ... utime (14), stime (15). */
    long values[2] = { 0, 0 };
    int field = 2;
    for (p++; *p && field < 15; p++) {
        if (*p == ' ') {
            field++;
            continue;
        }
        if (field == 14 || field == 15) {
            values[field - 14] = values[field - 14] * 10 + (*p - '0');
        }
    }
    return values[0] + values[1];
}

/* Wait for the helper; kill it when it stalls. Fills the outcome. */
static void helper_wait(pid_t pid, int pidfd, helper_outcome *outcome)
{
    long last_ticks = -1;
    int idle_seconds = 0;
    for (;;) {
        struct pollfd p = { pidfd, POLLIN, 0 };
        int ready = pidfd >= 0 ? poll(&p, 1, 1000) : 0;
        if (ready < 0 && errno == EINTR)
            continue;
        siginfo_t info;
        memset(&info, 0, sizeof info);
        if (waitid(P_PID, (id_t)pid, &info, WEXITED | __WALL | (ready > 0 ? 0 : WNOHANG)) == 0 && info.si_pid == pid) {
            if (info.si_code == CLD_EXITED)
                outcome->exit_code = info.si_status;
            else if (!outcome->signal)
                outcome->signal = info.si_status;
            return;
        }
        if (pidfd < 0)
            usleep(10000);
        long ticks = cpu_ticks(pid);
        if (ticks == last_ticks) {
            if (++idle_seconds >= (pidfd >= 0 ? 1 : 100) * HELPER_STALL_SECONDS) {
                kill(pid, SIGKILL);
                outcome->signal = HELPER_STALLED;
            }
        } else {
            idle_seconds = 0;
            last_ticks = ticks;
        }
    }
}

typedef struct clone_request {
    const helper_call *call;
    pid_t *tid_field;
    long pid;
    int pidfd;
} clone_request;

/* At the quiet moment, the other threads stopped: make the copy. The copy goes on from here, in
 * helper_child, and never returns. */
static void clone_now(void *argument)
{
    clone_request *c = argument;
    c->pidfd = -1;
    c->pid = raw_syscall6(SYS_clone, CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | CLONE_PIDFD, 0,
                          (long)&c->pidfd, (long)c->tid_field, 0, 0);
    if (c->pid == -EINVAL) /* a kernel without pidfds (before 5.2) */
        c->pid = raw_syscall6(SYS_clone, CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID, 0, 0,
                              (long)c->tid_field, 0, 0);
    if (c->pid == 0)
        helper_child(c->call);
}

int helper_run(helper_work work, void *argument, int keep_fd, uint64_t quiet_budget_ns, helper_outcome *outcome)
{
    memset(outcome, 0, sizeof *outcome);
    glibc_parts_find();
    if (!glibc_parts.tid_offset)
        return -1; /* a copy whose thread id is wrong would confuse pthread_kill: do without */
    if (invisible_process_traced())
        return -1; /* a debugger would take the copy for a thread of the process it debugs */
    helper_call call = { work, argument, keep_fd, NULL, 0 };
    raw_syscall6(SYS_get_robust_list, 0, (long)&call.robust_head, (long)&call.robust_length, 0, 0, 0);
    clone_request c = { &call, (pid_t *)((char *)pthread_self() + glibc_parts.tid_offset), -1, -1 };
    _IO_list_lock();
    int quiet = invisible_at_quiet_moment(clone_now, &c, quiet_budget_ns);
    _IO_list_unlock();
    if (quiet != 0 || c.pid < 0)
        return -1;
    outcome->started = 1;
    helper_wait((pid_t)c.pid, c.pidfd, outcome);
    if (c.pidfd >= 0)
        close(c.pidfd);
    return 0;
}
