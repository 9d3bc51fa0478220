/* spawn.c — run a tool (gcc, objcopy) from inside the program without the program noticing.
 *
 * The interpreter in a target sometimes needs a tool (DwarfPython's header DWARF runs gcc). A child of
 * the program would be seen: its exit sends the program SIGCHLD and the program's wait()/waitpid(-1)
 * could reap it. A clone with an exit signal of 0 is not enough: execve makes any process a SIGCHLD
 * child again (the kernel resets the exit signal in de_thread), so the tool cannot be the program's
 * child. Here the program's child is a middle process that never execs: exit signal 0 (no signal, and
 * only a __WCLONE wait, ours, sees it), every signal blocked. It starts the tool as ITS child, waits
 * for it, leaves the tool's wait status where the caller reads it, and exits. The tool's SIGCHLD goes
 * to the middle, which has it blocked.
 *
 * Both children share our memory (CLONE_VM) and run no code that takes a lock: only system calls on
 * stacks of their own. The tool's process resets every handler to the default and restores the
 * caller's signal mask just before execve (as posix_spawn does), with stdin /dev/null and stdout and
 * stderr into the caller's descriptor.
 *
 * Contract (invisible.h): invisible_spawn_start, then read the output descriptor until end of file (or
 * a deadline: invisible_spawn_kill), then invisible_spawn_finish, which reaps the middle and returns
 * the tool's wait status. argv/envp/path must stay valid until invisible_spawn_finish returns.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define SPAWN_STACK (64 * 1024)

struct invisible_spawn {
    const char *path;
    char *const *argv;
    char *const *envp;
    int output_fd;
    int null_fd;
    sigset_t mask;           /* the caller's, restored in the tool just before execve */
    _Atomic int tool_pid;    /* written by the middle: what invisible_spawn_kill kills */
    int tool_status;         /* written by the middle before it exits */
    int tool_started;
    pid_t middle_pid;
    char stacks[2 * SPAWN_STACK] __attribute__((aligned(16)));
};

#define EXPORT __attribute__((visibility("default")))

static long raw_syscall(long number, long a, long b, long c, long d)
{
    return raw_syscall6(number, a, b, c, d, 0, 0);
}

/* The tool's process, until execve: its own signal dispositions (no CLONE_SIGHAND) all back to the
 * default, so no handler of the program runs here on memory shared with it. */
static int tool_exec(void *data)
{
    invisible_spawn *s = data;
    struct sigaction default_action;
    memset(&default_action, 0, sizeof default_action);
    default_action.sa_handler = SIG_DFL;
    for (int signal_number = 1; signal_number < NSIG; signal_number++)
        raw_syscall(SYS_rt_sigaction, signal_number, (long)&default_action, 0, _NSIG / 8);
    raw_syscall(SYS_dup2, s->null_fd, 0, 0, 0);
    raw_syscall(SYS_dup2, s->output_fd, 1, 0, 0);
    raw_syscall(SYS_dup2, s->output_fd, 2, 0, 0);
    raw_syscall(SYS_close_range, 3, ~0U, 0, 0);
    raw_syscall(SYS_rt_sigprocmask, SIG_SETMASK, (long)&s->mask, 0, _NSIG / 8);
    raw_syscall(SYS_execve, (long)s->path, (long)s->argv, (long)s->envp, 0);
    raw_syscall(SYS_exit_group, 127, 0, 0, 0);
    return 127;
}

/* The program's child: starts the tool (suspended until the tool's execve: CLONE_VFORK, so the
 * tool's stack is free again when it continues), reaps it, exits with exit signal 0. */
static int middle(void *data)
{
    invisible_spawn *s = data;
    long pid = clone(tool_exec, s->stacks + 2 * SPAWN_STACK, CLONE_VM | CLONE_VFORK | SIGCHLD, s);
    if (pid <= 0) {
        s->tool_status = 127 << 8;
        atomic_store(&s->tool_pid, -1);
        raw_syscall(SYS_exit, 0, 0, 0, 0);
    }
    atomic_store(&s->tool_pid, (int)pid);
    int status = 0;
    while (raw_syscall(SYS_wait4, pid, (long)&status, 0, 0) == -EINTR) {
    }
    s->tool_status = status;
    raw_syscall(SYS_exit, 0, 0, 0, 0);
    return 0;
}

EXPORT invisible_spawn *invisible_spawn_start(const char *path, char *const argv[], char *const envp[], int output_fd,
                                              int null_fd)
{
    invisible_spawn *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED)
        return NULL;
    s->path = path;
    s->argv = argv;
    s->envp = envp;
    s->output_fd = output_fd;
    s->null_fd = null_fd;
    atomic_store(&s->tool_pid, 0);
    sigset_t all;
    sigfillset(&all);
    int saved_errno = errno;
    pthread_sigmask(SIG_SETMASK, &all, &s->mask);
    /* no CLONE_VFORK: we go on reading the tool's output while it runs (a full pipe would stop it) */
    s->middle_pid = clone(middle, s->stacks + SPAWN_STACK, CLONE_VM, s);
    pthread_sigmask(SIG_SETMASK, &s->mask, NULL);
    errno = saved_errno;
    if (s->middle_pid <= 0) {
        munmap(s, sizeof *s);
        return NULL;
    }
    return s;
}

EXPORT int invisible_spawn_kill(invisible_spawn *s)
{
    int pid;
    while ((pid = atomic_load(&s->tool_pid)) == 0)
        sched_yield(); /* the middle is between its clone and the store */
    return pid > 0 ? (int)raw_syscall(SYS_kill, pid, SIGKILL, 0, 0) : -1;
}

EXPORT int invisible_spawn_finish(invisible_spawn *s)
{
    int status;
    while (waitpid(s->middle_pid, &status, __WCLONE) < 0 && errno == EINTR) {
    }
    int tool = s->tool_status;
    munmap(s, sizeof *s);
    return tool;
}
