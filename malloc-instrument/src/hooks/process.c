/* process.c — the process events the tables must follow, besides the malloc family.
 *
 *  - exit() and the end of main: the leak check that follows (the embedder's atexit handler)
 *    must know which part of the exiting thread's stack is still live. `main` is wrapped
 *    (through __libc_start_main) and `exit` is interposed; both record the stack pointer of the
 *    frame that is ending the program, so dead frames below it are not roots, and exit() also
 *    the callee-saved registers of its caller, which are.
 *  - dlclose(): code addresses may be reused by the next dlopen, so the unwinder's cached
 *    rules are dropped.
 */
#define _GNU_SOURCE
#include "internal.h"
#include "trace/unwind.h"

#include <dlfcn.h>
#include <string.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

EXPORT int dlclose(void *handle)
{
    thread_state *thread = &thread_tls;
    thread->guard.in_hook++;
    int (*real_dlclose)(void *) = (int (*)(void *))dlsym(RTLD_NEXT, "dlclose");
    thread->guard.in_hook--;
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
    thread_tls.guard.in_hook++;
    void (*real_exit)(int) = (void (*)(int))dlsym(RTLD_NEXT, "exit");
    thread_tls.guard.in_hook--;
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
