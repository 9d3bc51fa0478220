/* process.c — the process events the tables must follow, besides the malloc family.
 *
 *  - exit() and the end of main: the leak check that follows (the embedder's atexit handler)
 *    must know which part of the exiting thread's stack is still live. `main` is wrapped
 *    (through __libc_start_main) and `exit` is interposed; both record the stack pointer of the
 *    frame that is ending the program, so dead frames below it are not roots, and exit() also
 *    the callee-saved registers of its caller, which are.
 *  - dlclose(): code addresses may be reused by the next dlopen, so the unwinder's cached
 *    rules are dropped, and the object's allocator wrappers withdrawn (hooks/wrappers.c).
 *  - dlopen(): the objects it loads get their allocator wrappers found (hooks/wrappers.c), the
 *    call made as the caller's (below).
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
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

int hooks_dlclose(int (*real_dlclose)(void *), void *handle)
{
    thread_state *thread = &thread_tls;
    guard_enter(thread, 1);
    /* Before the loader unmaps it: no later object at its addresses may match its wrappers. */
    int withdrawn = wrappers_before_dlclose(handle);
    guard_leave(thread, 1);
    int rc = real_dlclose ? real_dlclose(handle) : -1;
    invisible_unwind_invalidate_cache();
    guard_enter(thread, 1);
    wrappers_after_dlclose(withdrawn);
    guard_leave(thread, 1);
    return rc;
}

EXPORT int dlclose(void *handle)
{
    return hooks_dlclose((int (*)(void *))dlsym(RTLD_NEXT, "dlclose"), handle);
}

/* ---- dlopen: the allocator wrappers of objects loaded later (hooks/wrappers.c) ----
 * glibc takes a bare name's search path (the caller's DT_RPATH chain and DT_RUNPATH), the origin
 * of "$ORIGIN" in a name, and the namespace to load into, from dlopen's return address: called
 * from here, that would be libinvisible.so's. So the call is made as the caller's: in the
 * caller's namespace (dlmopen), "$ORIGIN" expanded to the caller's directory, and a bare name
 * that is not loaded yet is first looked for in the directories the caller's search path has
 * and ours has not (RTLD_DI_SERINFO, in the caller's order); then as we would (the ld.so cache,
 * the default directories: the same for every caller). */

typedef void *(*dlopen_function)(const char *, int);
typedef void *(*dlmopen_function)(Lmid_t, const char *, int);

static dlopen_function real_dlopen;
static dlmopen_function real_dlmopen;

static void *open_in(Lmid_t namespace_id, const char *file, int mode)
{
    if (namespace_id == LM_ID_BASE || !real_dlmopen)
        return real_dlopen(file, mode);
    return real_dlmopen(namespace_id, file, mode);
}

#define SEARCH_INFO_MAX 16384

/* The object's search path (dlinfo RTLD_DI_SERINFO) into `buffer`; NULL if it does not fit. */
static Dl_serinfo *search_path(void *map, char *buffer)
{
    Dl_serinfo size;
    if (dlinfo(map, RTLD_DI_SERINFOSIZE, &size) != 0 || size.dls_size > SEARCH_INFO_MAX)
        return NULL;
    Dl_serinfo *info = (Dl_serinfo *)buffer;
    info->dls_size = size.dls_size;
    info->dls_cnt = size.dls_cnt;
    return dlinfo(map, RTLD_DI_SERINFO, info) == 0 ? info : NULL;
}

/* A bare name from the directories of the caller's search path before the part it shares with
 * ours (the default directories, and LD_LIBRARY_PATH or the program's DT_RPATH where both have
 * them): those are searched by the plain call after. */
static void *open_from_caller_path(Lmid_t namespace_id, const char *file, int mode, void *caller_map, void *our_map)
{
    /* Mapped per call (dlopen is rare and slow anyway): no lock a fork could leave held, nothing
     * large on a thread's stack. */
    char *buffers = own_map(2 * SEARCH_INFO_MAX, 0);
    if (!buffers)
        return NULL;
    void *handle = NULL;
    Dl_serinfo *caller = search_path(caller_map, buffers);
    Dl_serinfo *ours = our_map ? search_path(our_map, buffers + SEARCH_INFO_MAX) : NULL;
    unsigned own = caller ? caller->dls_cnt : 0;
    if (caller && ours) {
        unsigned shared = 0;
        while (shared < caller->dls_cnt && shared < ours->dls_cnt &&
               strcmp(caller->dls_serpath[caller->dls_cnt - 1 - shared].dls_name,
                      ours->dls_serpath[ours->dls_cnt - 1 - shared].dls_name) == 0)
            shared++;
        own = caller->dls_cnt - shared;
    }
    char path[PATH_MAX];
    for (unsigned i = 0; i < own && !handle; i++) {
        const char *directory = caller->dls_serpath[i].dls_name;
        size_t length = strlen(directory);
        while (length > 1 && directory[length - 1] == '/')
            length--;
        if (length + 1 + strlen(file) + 1 > sizeof path)
            continue;
        memcpy(path, directory, length);
        path[length] = '/';
        memcpy(path + length + 1, file, strlen(file) + 1);
        if (access(path, F_OK) == 0)
            handle = open_in(namespace_id, path, mode);
    }
    own_unmap(buffers, 2 * SEARCH_INFO_MAX);
    return handle;
}

/* "$ORIGIN" and "${ORIGIN}" in `file` replaced by the caller's directory. 0 if it does not fit. */
static int expand_origin(const char *file, const struct link_map *map, char *out, size_t capacity)
{
    char origin[PATH_MAX];
    if (map->l_name && map->l_name[0]) {
        const char *slash = strrchr(map->l_name, '/');
        size_t length = slash ? (size_t)(slash - map->l_name) : 0;
        if (length >= sizeof origin)
            return 0;
        memcpy(origin, slash ? map->l_name : ".", slash ? length : 1);
        origin[slash ? length : 1] = 0;
    } else {
        ssize_t length = readlink("/proc/self/exe", origin, sizeof origin - 1);
        if (length <= 0)
            return 0;
        origin[length] = 0;
        char *slash = strrchr(origin, '/');
        if (!slash)
            return 0;
        *slash = 0;
    }
    size_t n = 0, origin_length = strlen(origin);
    for (const char *p = file; *p;) {
        size_t token = !strncmp(p, "$ORIGIN", 7) ? 7 : !strncmp(p, "${ORIGIN}", 9) ? 9 : 0;
        const char *piece = token ? origin : p;
        size_t length = token ? origin_length : 1;
        if (n + length + 1 > capacity)
            return 0;
        memcpy(out + n, piece, length);
        n += length;
        p += token ? token : 1;
    }
    out[n] = 0;
    return 1;
}

static void *dlopen_as_caller(const char *file, int mode, const void *caller, int *ours)
{
    Dl_info info, own_info;
    struct link_map *map = NULL, *our_map = NULL;
    if (!file || !dladdr1(caller, &info, (void **)&map, RTLD_DL_LINKMAP) || !map)
        return real_dlopen(file, mode);
    if (dladdr1((void *)dlopen_as_caller, &own_info, (void **)&our_map, RTLD_DL_LINKMAP) && our_map == map) {
        *ours = 1; /* the runtime's own dlopen (libinvisible-runtime.so) */
        return real_dlopen(file, mode);
    }
    const char *base = info.dli_fname ? strrchr(info.dli_fname, '/') : NULL;
    if (base && !strncmp(base + 1, "libinvisible", 12))
        *ours = 1;
    Lmid_t namespace_id = LM_ID_BASE;
    if (dlinfo(map, RTLD_DI_LMID, &namespace_id) != 0)
        namespace_id = LM_ID_BASE;
    char expanded[PATH_MAX];
    if (strchr(file, '$') && expand_origin(file, map, expanded, sizeof expanded))
        file = expanded;
    if (!strchr(file, '/')) {
        void *handle = open_in(namespace_id, file, mode | RTLD_NOLOAD);
        if (!handle)
            handle = open_from_caller_path(namespace_id, file, mode, map, our_map);
        if (handle)
            return handle;
    }
    return open_in(namespace_id, file, mode);
}

EXPORT void *dlopen(const char *file, int mode)
{
    const void *caller = __builtin_return_address(0);
    thread_state *thread = &thread_tls;
    guard_enter(thread, 1);
    if (!real_dlopen) {
        real_dlmopen = (dlmopen_function)dlsym(RTLD_NEXT, "dlmopen");
        __atomic_store_n(&real_dlopen, (dlopen_function)dlsym(RTLD_NEXT, "dlopen"), __ATOMIC_RELEASE);
    }
    guard_leave(thread, 1);
    if (!real_dlopen)
        return NULL;
    int ours = 0;
    void *handle = dlopen_as_caller(file, mode, caller, &ours);
    if (handle) {
        int saved_errno = errno;
        guard_enter(thread, 1);
        wrappers_after_dlopen(ours);
        guard_leave(thread, 1);
        errno = saved_errno;
    }
    return handle;
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
