/* process.c — the process events the tables must follow, besides the malloc family.
 *
 *  - exit() and the end of main: the leak check that follows (the embedder's atexit handler)
 *    must know which part of the exiting thread's stack is still live. `main` is wrapped
 *    (through __libc_start_main) and `exit` is interposed; both record the stack pointer of the
 *    frame that is ending the program, so dead frames below it are not roots, and exit() also
 *    the callee-saved registers of its caller, which are.
 *  - dlclose(): code addresses may be reused by the next dlopen, so the unwinder's cached
 *    rules are dropped.
 *  - mlockall(MCL_CURRENT): locked and faulted in, our tables' reservations would cost their
 *    whole size in memory (root in a memory cgroup: killed), and an ordinary user's call would
 *    fail outright (the kernel compares the process's whole mapped size with RLIMIT_MEMLOCK). So
 *    it locks the program's mappings only, one by one, after the kernel's own check on the
 *    program's mapped size.
 */
#define _GNU_SOURCE
#include "internal.h"
#include "trace/unwind.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

EXPORT int dlclose(void *handle)
{
    thread_state *thread = &thread_tls;
    guard_enter(thread, 1);
    int (*real_dlclose)(void *) = (int (*)(void *))dlsym(RTLD_NEXT, "dlclose");
    guard_leave(thread, 1);
    int rc = real_dlclose ? real_dlclose(handle) : -1;
    invisible_unwind_invalidate_cache();
    return rc;
}

/* Callee-saved registers at the call to exit: the caller's live values (x86-64 SysV). */
#define CAPTURE_CALLEE_SAVED(out)                                                      \
    __asm__ volatile("mov %%rbx, 0(%0)\n\tmov %%rbp, 8(%0)\n\tmov %%r12, 16(%0)\n\t"  \
                     "mov %%r13, 24(%0)\n\tmov %%r14, 32(%0)\n\tmov %%r15, 40(%0)"   \
                     : : "r"(out) : "memory")

EXPORT __attribute__((noreturn, noinline)) void exit(int status)
{
    CAPTURE_CALLEE_SAVED(instrument_state.leaks.exit_registers);
    /* The caller's stack pointer just before the call: everything below is dead. */
    leakcheck_set_exit_stack((uint64_t)(uintptr_t)__builtin_frame_address(0) + 16);
    guard_enter(&thread_tls, 1);
    void (*real_exit)(int) = (void (*)(int))dlsym(RTLD_NEXT, "exit");
    guard_leave(&thread_tls, 1);
    if (real_exit)
        real_exit(status);
    _exit(status);
}

typedef int (*main_function)(int, char **, char **);
typedef int (*libc_start_main_function)(main_function, int, char **, void (*)(void), void (*)(void),
                                        void (*)(void), void *);

static __attribute__((noinline)) int main_wrapper(int argc, char **argv, char **envp)
{
    int status = ((main_function)instrument_state.hooks.program_main)(argc, argv, envp);
    /* main has returned: all of its frames are dead. */
    leakcheck_set_exit_stack((uint64_t)(uintptr_t)__builtin_frame_address(0));
    memset(instrument_state.leaks.exit_registers, 0, sizeof instrument_state.leaks.exit_registers);
    void (*real_exit)(int) = (void (*)(int))dlsym(RTLD_NEXT, "exit");
    if (real_exit)
        real_exit(status);
    _exit(status);
}

EXPORT int __libc_start_main(main_function main, int argc, char **argv, void (*init)(void),
                             void (*fini)(void), void (*rtld_fini)(void), void *stack_end)
{
    libc_start_main_function real =
        (libc_start_main_function)dlsym(RTLD_NEXT, "__libc_start_main");
    instrument_state.hooks.program_main = (void *)main;
    return real(main_wrapper, argc, argv, init, fini, rtld_fini, stack_end);
}

/* ---- mlockall ---- */

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 0x01
#endif
#define CAP_IPC_LOCK_BIT 14

typedef struct lock_walk {
    int onfault;      /* MCL_ONFAULT */
    int error;        /* the first failure's errno */
    uint64_t program_bytes;
} lock_walk;

static int is_ours(const proc_mapping *m)
{
    return own_region_overlaps(m->start, m->end);
}

static int measure_program(const proc_mapping *m, void *context)
{
    if (!is_ours(m))
        ((lock_walk *)context)->program_bytes += m->end - m->start;
    return 0;
}

/* What mlockall(MCL_CURRENT) does to one mapping: lock it and fault it in (MLOCK_ONFAULT: lock
 * pages as they are touched; an inaccessible reservation is locked that way, as the kernel does). */
static int lock_program_mapping(const proc_mapping *m, void *context)
{
    lock_walk *walk = context;
    if (is_ours(m) || (m->special && !strncmp(m->perms, "--x", 3)))
        return 0;
    int inaccessible = m->perms[0] == '-' && m->perms[1] == '-' && m->perms[2] == '-';
    long rc = prim_syscall3(SYS_mlock2, (long)m->start, (long)(m->end - m->start),
                            (walk->onfault || inaccessible) ? MLOCK_ONFAULT : 0);
    if (rc < 0 && rc != -EFAULT && !walk->error)
        walk->error = (int)-rc;
    return walk->error != 0;
}

/* CAP_IPC_LOCK in the effective set (the kernel's exemption from RLIMIT_MEMLOCK). */
static int may_lock_without_limit(void)
{
    char status[4096];
    long fd = prim_syscall3(SYS_open, (long)"/proc/self/status", O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    long n = prim_syscall3(SYS_read, fd, (long)status, sizeof status - 1);
    prim_syscall3(SYS_close, fd, 0, 0);
    if (n <= 0)
        return 0;
    status[n] = 0;
    const char *p = strstr(status, "CapEff:");
    if (!p)
        return 0;
    for (p += 7; *p == ' ' || *p == '\t'; p++)
        ;
    /* 16 hex digits, capability 0 is the lowest bit of the last one. */
    char c = p[15 - CAP_IPC_LOCK_BIT / 4];
    int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : 0;
    return (digit >> (CAP_IPC_LOCK_BIT % 4)) & 1;
}

EXPORT int mlockall(int flags)
{
    thread_state *thread = &thread_tls;
    guard_enter(thread, 1);
    int (*real_mlockall)(int) = (int (*)(int))dlsym(RTLD_NEXT, "mlockall");
    guard_leave(thread, 1);
    if (!real_mlockall) {
        errno = ENOSYS;
        return -1;
    }
    if (!(flags & MCL_CURRENT) || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || !instrument_state.tracking)
        return real_mlockall(flags);
    lock_walk walk = { (flags & MCL_ONFAULT) != 0, 0, 0 };
    struct rlimit limit;
    maps_for_each(measure_program, &walk);
    if (getrlimit(RLIMIT_MEMLOCK, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
        walk.program_bytes > limit.rlim_cur && !may_lock_without_limit()) {
        errno = ENOMEM; /* the kernel's answer to the program alone */
        return -1;
    }
    if ((flags & MCL_FUTURE) && real_mlockall(flags & ~MCL_CURRENT) != 0)
        return -1;
    if (flags & MCL_FUTURE)
        instrument_state.own.mlock_future = 1;
    maps_for_each(lock_program_mapping, &walk);
    if (walk.error) {
        int (*real_munlockall)(void) = (int (*)(void))dlsym(RTLD_NEXT, "munlockall");
        if (real_munlockall)
            real_munlockall();
        instrument_state.own.mlock_future = 0;
        errno = walk.error;
        return -1;
    }
    return 0;
}
