/* entry.c — the preloaded library's life cycle: constructor, fork handlers, the exit path and
 * the report it triggers.
 *
 * Exit: the leak check runs from an atexit handler registered by our constructor. Because our
 * constructor runs before the program's, that handler runs after every handler the program
 * registers (C++ static destructors included), just before the loader's destructors and the
 * final stdio flush. To know which part of the exiting thread's stack is still live, `main`
 * is wrapped (through __libc_start_main) and `exit` is interposed: both record the stack
 * pointer of the frame that is ending the program, so dead frames below it are not roots.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "invisible.h"
#include "invisible/block_types.h"
#include "invisible/leakcheck.h"
#include "invisible/memtable.h"
#include "invisible/nursery.h"
#include "invisible/options.h"
#include "invisible/rawlibc.h"
#include "invisible/state.h"
#include "invisible/thread_state.h"
#include "invisible/unwind.h"
#include "report.h"

#define EXPORT __attribute__((visibility("default")))
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_VALUE 16

/* ---- fork ---- */

static void fork_prepare(void)
{
    block_types_fork_prepare(); /* before the memtable: annotating takes its lock, then the memtable's */
    memtable_fork_prepare();
    spinlock_acquire(&invisible_state.threads.lock);
    spinlock_acquire(&invisible_state.own_regions_lock);
}

static void fork_parent(void)
{
    spinlock_release(&invisible_state.own_regions_lock);
    spinlock_release(&invisible_state.threads.lock);
    memtable_fork_parent();
    block_types_fork_parent();
}

static void fork_child(void)
{
    spinlock_reset(&invisible_state.own_regions_lock);
    block_types_fork_child();
    memtable_fork_child();
    thread_registry_after_fork_child(); /* also resets the registry lock */
}

/* ---- start-up ---- */

static void make_absolute(char *path, size_t capacity)
{
    if (!path[0] || path[0] == '/')
        return;
    char cwd[INVISIBLE_PATH_CAPACITY];
    if (!getcwd(cwd, sizeof cwd) || strlen(cwd) + 1 + strlen(path) + 1 > capacity)
        return;
    char joined[INVISIBLE_PATH_CAPACITY];
    size_t n = raw_append(joined, 0, sizeof joined, cwd);
    n = raw_append(joined, n, sizeof joined, "/");
    raw_append(joined, n, sizeof joined, path);
    memcpy(path, joined, strlen(joined) + 1);
}

static void warn_bad_option(const char *setting)
{
    char line[512];
    size_t n = raw_append(line, 0, sizeof line, "invisible: ignoring malformed setting ");
    n = raw_append(line, n, sizeof line, setting);
    n = raw_append(line, n, sizeof line, "\n");
    raw_write_all(report_descriptor(), line, n);
}

static void at_exit_report(void);

/* loader-ext (linked in; weak in case it is built empty): its exit-time removal of the generated
 * objects' files waits for our report, which reads them to name generated code (e.g. Python
 * functions' native entry points) in leak traces. */
__attribute__((weak)) void dlx_defer_file_cleanup(void);
__attribute__((weak)) void dlx_cleanup_files_now(void);

static void cleanup_generated_files(void)
{
    if (dlx_cleanup_files_now)
        dlx_cleanup_files_now();
}

/* Where ld.so's code is, so the hooks can tell its allocations apart (see RECORD_LOADER). */
static int find_loader_text(struct dl_phdr_info *info, size_t size, void *data)
{
    const char *name = info->dlpi_name ? strrchr(info->dlpi_name, '/') : NULL;
    if (!name || strncmp(name + 1, "ld-linux", 8) != 0)
        return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
            invisible_state.loader_text_start = info->dlpi_addr + ph->p_vaddr;
            invisible_state.loader_text_size = ph->p_memsz;
        }
    }
    return 1;
}

__attribute__((constructor(101))) static void invisible_constructor(void)
{
    invisible_thread *thread = &invisible_tls;
    thread->in_hook++;
    invisible_state_ensure();
    options_load(&invisible_state.options);
    if (!invisible_state.options.nursery)
        nursery_disable();
    dl_iterate_phdr(find_loader_text, NULL);
    make_absolute(invisible_state.options.log_path, sizeof invisible_state.options.log_path);
    make_absolute(invisible_state.options.json_path, sizeof invisible_state.options.json_path);
    /* Programs may close fd 2 before exit (coreutils' close_stdout): keep our own copy. */
    int saved = fcntl(2, F_DUPFD_CLOEXEC, 100);
    invisible_state.report_fd = saved >= 0 ? saved : 2;
    if (invisible_state.options.bad_option[0])
        warn_bad_option(invisible_state.options.bad_option);
    /* Registering while single-threaded keeps a later runtime start cheap (probe P5). */
    syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_VALUE, 0, 0);
    thread_registry_init_exit_key();
    pthread_atfork(fork_prepare, fork_parent, fork_child);
    atexit(at_exit_report);
    if (dlx_defer_file_cleanup)
        dlx_defer_file_cleanup();
    thread->in_hook--;
}

/* ---- dlclose: code addresses may be reused, so cached unwind rules must go ---- */

EXPORT int dlclose(void *handle)
{
    invisible_thread *thread = &invisible_tls;
    thread->in_hook++;
    int (*real_dlclose)(void *) = (int (*)(void *))dlsym(RTLD_NEXT, "dlclose");
    thread->in_hook--;
    int rc = real_dlclose ? real_dlclose(handle) : -1;
    invisible_unwind_invalidate_cache();
    return rc;
}

/* ---- the exit path ---- */

/* Callee-saved registers at the call to exit: the caller's live values (x86-64 SysV). */
#define CAPTURE_CALLEE_SAVED(out)                                                      \
    __asm__ volatile("mov %%rbx, 0(%0)\n\tmov %%rbp, 8(%0)\n\tmov %%r12, 16(%0)\n\t"  \
                     "mov %%r13, 24(%0)\n\tmov %%r14, 32(%0)\n\tmov %%r15, 40(%0)"   \
                     : : "r"(out) : "memory")

EXPORT __attribute__((noreturn, noinline)) void exit(int status)
{
    CAPTURE_CALLEE_SAVED(invisible_state.leaks.exit_registers);
    /* The caller's stack pointer just before the call: everything below is dead. */
    leakcheck_set_exit_stack((uint64_t)(uintptr_t)__builtin_frame_address(0) + 16);
    invisible_tls.in_hook++;
    void (*real_exit)(int) = (void (*)(int))dlsym(RTLD_NEXT, "exit");
    invisible_tls.in_hook--;
    if (real_exit)
        real_exit(status);
    _exit(status);
}

typedef int (*main_function)(int, char **, char **);
typedef int (*libc_start_main_function)(main_function, int, char **, void (*)(void), void (*)(void),
                                        void (*)(void), void *);

static __attribute__((noinline)) int main_wrapper(int argc, char **argv, char **envp)
{
    int status = ((main_function)invisible_state.preload.program_main)(argc, argv, envp);
    /* main has returned: all of its frames are dead. */
    leakcheck_set_exit_stack((uint64_t)(uintptr_t)__builtin_frame_address(0));
    memset(invisible_state.leaks.exit_registers, 0, sizeof invisible_state.leaks.exit_registers);
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
    invisible_state.preload.program_main = (void *)main;
    return real(main_wrapper, argc, argv, init, fini, rtld_fini, stack_end);
}

static uint64_t leaked_blocks(const invisible_leak_summary *leaks)
{
    /* valgrind's default --errors-for-leak-kinds=definite,possible */
    return leaks ? leaks->blocks[INVISIBLE_DEFINITELY_LOST] + leaks->blocks[INVISIBLE_POSSIBLY_LOST] : 0;
}

static void write_report(const invisible_leak_summary *leaks, const char *json_pattern, unsigned flags)
{
    char json_path[INVISIBLE_PATH_CAPACITY];
    json_path[0] = 0;
    if (json_pattern && json_pattern[0])
        options_expand_pid(json_pattern, (int)getpid(), json_path, sizeof json_path);
    invisible_report_request request;
    report_prepare_request(&request, leaks, json_path[0] ? json_path : NULL, flags);
    if (report_with_runtime(&request) != 0)
        report_plain(&request);
}

static void at_exit_report(void)
{
    invisible_thread *thread = &invisible_tls;
    if (invisible_state.exiting)
        return; /* a nested exit() from --error-exitcode */
    invisible_state.exiting = 1;
    const invisible_options *o = &invisible_state.options;
    if (!invisible_state.tracking || (!o->leak_check && !o->census && !o->json_path[0])) {
        cleanup_generated_files();
        return;
    }
    thread->in_hook++;
    const invisible_leak_summary *leaks = o->leak_check ? leakcheck_run() : NULL;
    unsigned flags = INVISIBLE_REPORT_AT_EXIT | (o->leak_check ? INVISIBLE_REPORT_LEAKS : 0) |
                     (o->census ? INVISIBLE_REPORT_CENSUS : 0) |
                     (o->show_reachable ? INVISIBLE_REPORT_SHOW_REACHABLE : 0);
    write_report(leaks, o->json_path, flags);
    thread->in_hook--;
    cleanup_generated_files();
    if (o->error_exitcode && leaked_blocks(leaks) > 0)
        exit(o->error_exitcode); /* glibc runs the remaining handlers, then exits with this */
}

EXPORT int invisible_report(const char *json_path)
{
    if (invisible_state_ensure() != 0)
        return -1;
    invisible_thread *thread = &invisible_tls;
    thread->in_hook++;
    const invisible_leak_summary *leaks = leakcheck_run();
    unsigned flags = INVISIBLE_REPORT_LEAKS | INVISIBLE_REPORT_CENSUS;
    char path[INVISIBLE_PATH_CAPACITY];
    path[0] = 0;
    if (json_path && strlen(json_path) < sizeof path) {
        memcpy(path, json_path, strlen(json_path) + 1);
        make_absolute(path, sizeof path);
    }
    write_report(leaks, path[0] ? path : NULL, flags);
    thread->in_hook--;
    return leaks ? 0 : -1;
}
