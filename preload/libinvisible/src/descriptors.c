/* descriptors.c — the program's descriptors stay the program's.
 *
 * While the program runs we keep no descriptor of our own open: the report opens its
 * destination when it is written (the program's fd 2, or the --log file), so a child the
 * program starts, or a file it opens after closing everything, sees exactly the descriptors it
 * would see without us. (We used to keep a dup of stderr at fd 100 from start-up: a program that
 * closed its descriptors and then opened files got our report in one of them.)
 *
 * One thing needs care: programs that close or replace fd 2 before they exit (coreutils'
 * close_stdout runs fclose(stderr) in an atexit handler, daemons redirect it to /dev/null),
 * while the report at exit still belongs on the stderr the program started with (valgrind and
 * LeakSanitizer write there too). So the calls that close or replace fd 2 are interposed, and
 * just before fd 2 goes away a copy is made ("saved stderr"). That copy, and the attach
 * listener's socket, are "hidden" descriptors:
 *  - close-on-exec, so an exec'd child never inherits them;
 *  - placed near the top of the descriptor range (below the soft RLIMIT_NOFILE, at most
 *    HIDDEN_CEILING), never at a number the program is about to get from open() or dup();
 *  - the program cannot close or overwrite them by accident: close() of one fails with EBADF
 *    (as it would without us: the program never opened it), close_range/closefrom skip them,
 *    and dup2/dup3 onto one first move ours out of the way.
 * glibc closes fd 2 internally (fclose, freopen, fcloseall, daemon) without going through the
 * exported close/dup2, so those are interposed as well. A program that closes fd 2 with a raw
 * system call is not seen: the report then goes wherever fd 2 points at exit.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))
#define HIDDEN_CAPACITY 8
#define HIDDEN_CEILING 4096 /* a huge RLIMIT_NOFILE would make the kernel grow its fd table */
#define HIDDEN_ROOM 64      /* how far below the ceiling hidden descriptors start */

/* Hidden descriptors (slots hold fd + 1; 0 is free), each with the cell where its owner keeps
 * its number (updated when it has to move). Read without a lock by close() and friends; changed
 * under `lock` by the few places that hide or move one. */
static _Atomic int hidden[HIDDEN_CAPACITY];
static _Atomic int *hidden_owner[HIDDEN_CAPACITY];
static _Atomic int saved_stderr = -1; /* -1: fd 2 was never closed or replaced */
static _Atomic int lock;

static void lock_acquire(void)
{
    while (atomic_exchange_explicit(&lock, 1, memory_order_acquire))
        sched_yield();
}

static void lock_release(void)
{
    atomic_store_explicit(&lock, 0, memory_order_release);
}

/* ---- the real calls ---- */

/* Resolved once through RTLD_NEXT, with our hooks bypassed (dlsym may allocate). */
static void *next_symbol(void **cache, const char *name)
{
    void *f = __atomic_load_n(cache, __ATOMIC_ACQUIRE);
    if (f)
        return f;
    invisible_guard_enter(0);
    /* Loaded late (dlopen'ed after libc, reached through rewritten GOT slots): nothing follows us
     * in the global scope, and the first definition is the one the program's slots held. */
    f = dlsym(invisible_state.late ? RTLD_DEFAULT : RTLD_NEXT, name);
    /* A program linked against libinvisible (not preloaded) also starts "late", but our own
     * definition comes first in its global scope: calling it would loop forever. */
    Dl_info where, ours;
    if (f && dladdr(f, &where) && dladdr((void *)next_symbol, &ours) && where.dli_fbase == ours.dli_fbase)
        f = dlsym(RTLD_NEXT, name);
    invisible_guard_leave(0);
    __atomic_store_n(cache, f, __ATOMIC_RELEASE);
    return f;
}

#define NEXT(type, name) ((type)next_symbol(&next_##name, #name))

static void *next_close, *next_dup2, *next_dup3, *next_close_range, *next_fclose,
    *next_fcloseall, *next_freopen, *next_freopen64, *next_daemon;

/* close(2) for our own descriptors: the system call, never the interposed close. */
static void close_ours(int fd)
{
    syscall(SYS_close, fd);
}

/* ---- hidden descriptors ---- */

int descriptors_is_hidden(int fd)
{
    if (fd < 0)
        return 0;
    for (int i = 0; i < HIDDEN_CAPACITY; i++)
        if (atomic_load_explicit(&hidden[i], memory_order_relaxed) == fd + 1)
            return 1;
    return 0;
}

/* The lowest number hidden descriptors may take. */
static int hidden_floor(void)
{
    struct rlimit limit;
    long top = HIDDEN_CEILING;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && (long)limit.rlim_cur < top)
        top = (long)limit.rlim_cur;
    return top > 2 * HIDDEN_ROOM ? (int)(top - HIDDEN_ROOM) : (int)(top / 2 > 3 ? top / 2 : 3);
}

/* A close-on-exec copy of `fd` in the hidden range, registered with its owner's cell (which is
 * set to it); -1 if none could be made. */
static int hidden_copy_locked(int fd, _Atomic int *owner)
{
    int slot = -1;
    for (int i = 0; i < HIDDEN_CAPACITY && slot < 0; i++)
        if (atomic_load_explicit(&hidden[i], memory_order_relaxed) == 0)
            slot = i;
    if (slot < 0)
        return -1;
    int copy = fcntl(fd, F_DUPFD_CLOEXEC, hidden_floor());
    if (copy < 0)
        copy = fcntl(fd, F_DUPFD_CLOEXEC, 3); /* a tiny descriptor limit: anywhere will do */
    if (copy >= 0) {
        hidden_owner[slot] = owner;
        atomic_store(owner, copy);
        atomic_store_explicit(&hidden[slot], copy + 1, memory_order_release);
    }
    return copy;
}

/* Forget hidden `fd`; returns its owner's cell (NULL if it was not hidden). */
static _Atomic int *unhide_locked(int fd)
{
    _Atomic int *owner = NULL;
    for (int i = 0; i < HIDDEN_CAPACITY; i++)
        if (atomic_load_explicit(&hidden[i], memory_order_relaxed) == fd + 1) {
            owner = hidden_owner[i];
            atomic_store_explicit(&hidden[i], 0, memory_order_release);
        }
    return owner;
}

int descriptors_hide(int fd, _Atomic int *owner)
{
    lock_acquire();
    int copy = hidden_copy_locked(fd, owner);
    lock_release();
    if (copy < 0) {
        atomic_store(owner, fd);
        return fd;
    }
    close_ours(fd);
    return copy;
}

void descriptors_close_hidden(int fd)
{
    lock_acquire();
    unhide_locked(fd);
    lock_release();
    close_ours(fd);
}

/* The program is about to put `fd` to its own use (dup2/dup3 onto it): if it is one of ours,
 * move ours elsewhere first. */
static void make_room(int fd)
{
    if (!descriptors_is_hidden(fd))
        return;
    lock_acquire();
    if (descriptors_is_hidden(fd)) {
        _Atomic int *owner = unhide_locked(fd);
        if (owner && hidden_copy_locked(fd, owner) < 0)
            atomic_store(owner, -1); /* no room anywhere: ours is lost, the program's call wins */
        close_ours(fd);
    }
    lock_release();
}

/* ---- saved stderr ---- */

/* fd 2 is about to be closed or replaced: keep a hidden copy for the report, once. */
static void save_stderr(void)
{
    if (invisible_state.late)
        return; /* loaded late: no report at exit, and a daemon's closed stderr must really close */
    if (atomic_load_explicit(&saved_stderr, memory_order_acquire) >= 0)
        return;
    if (fcntl(2, F_GETFD) < 0)
        return; /* already closed: nothing to keep */
    lock_acquire();
    if (atomic_load(&saved_stderr) < 0)
        hidden_copy_locked(2, &saved_stderr);
    lock_release();
}

int descriptors_report_stderr(void)
{
    int saved = atomic_load_explicit(&saved_stderr, memory_order_acquire);
    return saved >= 0 ? saved : 2;
}

/* ---- the runtime's descriptors ----
 *
 * The runtime (libinvisible-runtime.so, started in the program for a report or a session) opens
 * files that stay open after it is done: .NET's /dev/urandom, libdw's ELF and debug files, kept
 * for the next session. At the lowest free numbers they would change what the program's next
 * open() returns, and a program that closes "its" descriptors by number would close ours. So they
 * are moved just below the hidden range (close-on-exec kept as it was): the runtime is linked with
 * `--wrap=open64` (preload/Invisible.Runtime), so its open64 calls arrive at __wrap_open64 here,
 * and the DWARF reader hands libdw's files to invisible_runtime_descriptor (abi/.../Native/
 * RuntimeDescriptors.cs). They are not hidden: the runtime closes them with the plain close. */

#define RUNTIME_ROOM 256 /* how far below the hidden range the runtime's descriptors start */

static int runtime_floor(void)
{
    int top = hidden_floor();
    if (top - RUNTIME_ROOM > 2 * RUNTIME_ROOM)
        return top - RUNTIME_ROOM;
    return top / 2 > 3 ? top / 2 : 3;
}

EXPORT int invisible_runtime_descriptor(int fd)
{
    int floor = runtime_floor();
    if (fd < 0 || fd >= floor)
        return fd;
    int saved_errno = errno;
    int flags = fcntl(fd, F_GETFD);
    int copy = fcntl(fd, F_DUPFD_CLOEXEC, floor);
    if (copy >= 0) {
        if (flags >= 0 && !(flags & FD_CLOEXEC))
            fcntl(copy, F_SETFD, 0);
        close_ours(fd);
        fd = copy;
    }
    errno = saved_errno;
    return fd;
}

/* The runtime's open64 (the linker's --wrap: only references inside libinvisible-runtime.so reach
 * it; the program's open64 is libc's, untouched). */
EXPORT int __wrap_open64(const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list arguments;
        va_start(arguments, flags);
        mode = (mode_t)va_arg(arguments, int);
        va_end(arguments);
    }
    return invisible_runtime_descriptor(open64(path, flags, mode));
}

/* ---- the interposed calls ---- */

EXPORT int close(int fd)
{
    if (fd == 2)
        save_stderr();
    else if (descriptors_is_hidden(fd)) {
        errno = EBADF; /* the program never opened it */
        return -1;
    }
    return NEXT(int (*)(int), close)(fd);
}

EXPORT int dup2(int old_fd, int new_fd)
{
    if (new_fd == 2 && old_fd != 2)
        save_stderr();
    else if (descriptors_is_hidden(old_fd)) {
        errno = EBADF;
        return -1;
    }
    make_room(new_fd);
    return NEXT(int (*)(int, int), dup2)(old_fd, new_fd);
}

EXPORT int dup3(int old_fd, int new_fd, int flags)
{
    if (new_fd == 2 && old_fd != 2)
        save_stderr();
    else if (descriptors_is_hidden(old_fd)) {
        errno = EBADF;
        return -1;
    }
    make_room(new_fd);
    return NEXT(int (*)(int, int, int), dup3)(old_fd, new_fd, flags);
}

/* close_range/closefrom: the program's range, minus ours (closed piece by piece between them).
 * CLOSE_RANGE_CLOEXEC marks instead of closing; ours are close-on-exec already, so the same split
 * is right for it. */
typedef int (*close_range_fn)(unsigned, unsigned, int);

static int close_range_around_hidden(unsigned first, unsigned last, int flags)
{
    close_range_fn real = NEXT(close_range_fn, close_range);
    int ours[HIDDEN_CAPACITY], count = 0;
    for (int i = 0; i < HIDDEN_CAPACITY; i++) {
        int fd = atomic_load_explicit(&hidden[i], memory_order_relaxed) - 1;
        if (fd >= 0 && (unsigned)fd >= first && (unsigned)fd <= last)
            ours[count++] = fd;
    }
    for (int i = 1; i < count; i++) /* a handful: insertion sort */
        for (int j = i; j > 0 && ours[j] < ours[j - 1]; j--) {
            int t = ours[j];
            ours[j] = ours[j - 1];
            ours[j - 1] = t;
        }
    int rc = 0;
    unsigned from = first;
    for (int i = 0; i <= count; i++) {
        unsigned to = i < count ? (unsigned)ours[i] - 1 : last;
        if (i < count && (unsigned)ours[i] == from) {
            from = (unsigned)ours[i] + 1;
            continue;
        }
        if (from <= to && real(from, to, flags) != 0)
            rc = -1;
        if (i < count)
            from = (unsigned)ours[i] + 1;
    }
    return rc;
}

EXPORT int close_range(unsigned first, unsigned last, int flags)
{
    if (first <= 2 && last >= 2 && !(flags & CLOSE_RANGE_CLOEXEC))
        save_stderr();
    return close_range_around_hidden(first, last, flags);
}

EXPORT void closefrom(int lowest)
{
    if (lowest < 0)
        lowest = 0;
    if (lowest <= 2)
        save_stderr();
    if (close_range_around_hidden((unsigned)lowest, ~0u, 0) != 0) {
        /* No close_range (old kernel): glibc's closefrom falls back to /proc/self/fd itself, but
         * would close ours; close the program's one by one up to the descriptor limit. */
        struct rlimit limit;
        int top = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 65536 ? (int)limit.rlim_cur : 65536;
        for (int fd = lowest; fd < top; fd++)
            if (!descriptors_is_hidden(fd))
                syscall(SYS_close, fd);
    }
}

EXPORT int fclose(FILE *stream)
{
    if (stream && fileno(stream) == 2)
        save_stderr();
    return NEXT(int (*)(FILE *), fclose)(stream);
}

EXPORT int fcloseall(void)
{
    save_stderr();
    return NEXT(int (*)(void), fcloseall)();
}

EXPORT FILE *freopen(const char *path, const char *mode, FILE *stream)
{
    if (stream && fileno(stream) == 2)
        save_stderr();
    return NEXT(FILE * (*)(const char *, const char *, FILE *), freopen)(path, mode, stream);
}

EXPORT FILE *freopen64(const char *path, const char *mode, FILE *stream)
{
    if (stream && fileno(stream) == 2)
        save_stderr();
    return NEXT(FILE * (*)(const char *, const char *, FILE *), freopen64)(path, mode, stream);
}

EXPORT int daemon(int keep_directory, int keep_descriptors)
{
    if (!keep_descriptors)
        save_stderr();
    return NEXT(int (*)(int, int), daemon)(keep_directory, keep_descriptors);
}

/* ---- loaded late ---- */

/* The interposers by their own addresses: `&close` in a library loaded late would be read from our
 * GOT, which names libc's. (glibc declares some of them nothrow/leaf; the aliases are only ever
 * taken by address, so the attributes they lack do not matter.) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-attributes"
extern __typeof(close) descriptors_own_close __attribute__((alias("close"), visibility("hidden")));
extern __typeof(dup2) descriptors_own_dup2 __attribute__((alias("dup2"), visibility("hidden")));
extern __typeof(dup3) descriptors_own_dup3 __attribute__((alias("dup3"), visibility("hidden")));
extern __typeof(close_range) descriptors_own_close_range __attribute__((alias("close_range"), visibility("hidden")));
extern __typeof(closefrom) descriptors_own_closefrom __attribute__((alias("closefrom"), visibility("hidden")));
#pragma GCC diagnostic pop

/* Injected into a running program, we are not in front of libc: the calls that could close or
 * overwrite our descriptors reach us through the same GOT rewriting as malloc (hooks/got.c). The
 * stdio ones (fclose, freopen, daemon) only matter for the saved stderr, which a late library
 * does not keep. */
void descriptors_hook_late(void)
{
    /* The real calls are looked up now, while libc's symbols are still libc's (hooks/got.c
     * redirects them to us for the session: a lookup then would find ourselves). */
    (void)NEXT(int (*)(int), close);
    (void)NEXT(int (*)(int, int), dup2);
    (void)NEXT(int (*)(int, int, int), dup3);
    (void)NEXT(close_range_fn, close_range);
    invisible_hooks_got_add("close", (void *)descriptors_own_close);
    invisible_hooks_got_add("dup2", (void *)descriptors_own_dup2);
    invisible_hooks_got_add("dup3", (void *)descriptors_own_dup3);
    invisible_hooks_got_add("close_range", (void *)descriptors_own_close_range);
    invisible_hooks_got_add("closefrom", (void *)descriptors_own_closefrom);
}
