/* wrappers.c — where the allocator wrappers are, for the adaptive capture depth (issue 17).
 *
 * `invisible wrappers` (run by `invisible run` before exec) finds each file's allocator wrappers
 * — functions that hand an allocation back to their caller untyped — and caches them by build id
 * at $XDG_CACHE_HOME/invisible/wrappers/BUILDID (abi/Invisible.Abi/SiteTypes/WrapperCache.cs has
 * the format: "INVWRAP1", u32 count, u32 flags, then {u64 start, u64 end, u32 extra, u32 0}
 * link-time addresses, sorted). At start, every loaded object with a cache file contributes its
 * ranges, moved by its load bias, to one sorted set. The hooks then ask, once per call site,
 * whether the return address lies in a wrapper (hooks/malloc.c): a binary search, no allocation,
 * no system call, no lock.
 *
 * Objects loaded later (dlopen, hooks/process.c): an object seen for the first time with no cache
 * file is scanned then, by the same command (the CLI, started by a child that the program cannot
 * see: no SIGCHLD, invisible to its wait()), and waited for; then a new set is built from every loaded
 * object and published by one pointer store (release). The old set is never unmapped: a hook on
 * another thread may be searching it, and the hot path takes no lock or reference to know when it
 * is done. A set costs a few pages and is only replaced when the ranges change (an object with
 * wrappers comes or goes), so a program pays one set per such event until it exits. Publishing
 * bumps the site cache's epoch (hooks.mode, HOOKS_EPOCH_SHIFT): every thread's cached decisions
 * are then stale at once, and drops the unwinder's memo (intern_wrapped depends on the set).
 * dlclose withdraws the object's ranges *before* the loader unmaps it, so no later object at the
 * same addresses is ever taken for a wrapper of the old one.
 */
#define _GNU_SOURCE
#include "internal.h"
#include "trace/unwind.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define WRAPPER_FILE_HEADER 16
#define WRAPPER_MAX_OBJECTS 1024

typedef struct wrapper_file_entry {
    uint64_t start, end;
    uint32_t extra, unused;
} wrapper_file_entry;

#define WRAPPER_BUILD_ID_HEX 129   /* 64 bytes of build id as hex, and the NUL */
#define WRAPPER_SCAN_BATCH 32       /* new objects scanned by one run of the CLI */
#define WRAPPER_CHILD_STACK (64 * 1024)

typedef struct wrapper_source {
    uint64_t bias;
    uint32_t count;
    char path[INVISIBLE_WRAPPER_PATH];
} wrapper_source;

typedef struct wrapper_scan {
    char directory[INVISIBLE_WRAPPER_PATH];
    size_t directory_length;
    wrapper_source *sources; /* WRAPPER_MAX_OBJECTS, mapped */
    uint32_t source_count;
    uint64_t total;
    uint64_t excluded_bias;  /* with `exclude`: the object being dlclose()d */
    int exclude;
    int collect_new;         /* gather objects never seen before that have no cache file */
    uint32_t new_count;
    char (*new_paths)[INVISIBLE_WRAPPER_PATH]; /* WRAPPER_SCAN_BATCH */
} wrapper_scan;

/* Objects already considered (by build id): each is scanned at most once per process, whatever
 * came of it (the CLI may fail, or the file have no DWARF). Under table_lock. */
typedef struct seen_objects {
    char (*ids)[WRAPPER_BUILD_ID_HEX]; /* WRAPPER_MAX_OBJECTS, mapped */
    uint32_t count;
} seen_objects;

/* A mutex, not one of our spinlocks: dl_iterate_phdr takes the loader's lock under it, and the
 * scan at dlopen waits for a child process. */
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static seen_objects seen;

static size_t append_text(char *out, size_t n, size_t capacity, const char *text)
{
    while (*text && n + 1 < capacity)
        out[n++] = *text++;
    out[n] = 0;
    return n;
}

/* The cache directory: $XDG_CACHE_HOME (absolute) or $HOME/.cache, then /invisible/wrappers/. */
static int wrapper_directory(char *out, size_t capacity, size_t *length)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    size_t n = 0;
    if (xdg && xdg[0] == '/') {
        n = append_text(out, 0, capacity, xdg);
    } else if (home && home[0] == '/') {
        n = append_text(out, 0, capacity, home);
        n = append_text(out, n, capacity, "/.cache");
    } else {
        return -1;
    }
    n = append_text(out, n, capacity, "/invisible/wrappers/");
    if (n + 2 * 64 + 1 >= capacity)
        return -1;
    *length = n;
    return 0;
}

/* The object's GNU build id as hex, from its PT_NOTE segments in memory. */
static int object_build_id(struct dl_phdr_info *info, char *hex, size_t capacity)
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE)
            continue;
        const unsigned char *at = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
        const unsigned char *end = at + ph->p_memsz;
        while (at + 12 <= end) {
            uint32_t namesz, descsz, type;
            memcpy(&namesz, at, 4);
            memcpy(&descsz, at + 4, 4);
            memcpy(&type, at + 8, 4);
            const unsigned char *name = at + 12;
            const unsigned char *desc = name + ((namesz + 3) & ~3u);
            const unsigned char *next = desc + ((descsz + 3) & ~3u);
            if (next > end || next <= at)
                break;
            if (type == NT_GNU_BUILD_ID && namesz == 4 && memcmp(name, "GNU", 4) == 0 && descsz * 2 + 1 <= capacity) {
                for (uint32_t k = 0; k < descsz; k++) {
                    hex[2 * k] = digits[desc[k] >> 4];
                    hex[2 * k + 1] = digits[desc[k] & 15];
                }
                hex[2 * descsz] = 0;
                return descsz > 0 ? 0 : -1;
            }
            at = next;
        }
    }
    return -1;
}

static int read_all(int fd, void *buffer, size_t bytes)
{
    size_t done = 0;
    while (done < bytes) {
        ssize_t got = read(fd, (char *)buffer + done, bytes - done);
        if (got <= 0)
            return -1;
        done += (size_t)got;
    }
    return 0;
}

/* Count of entries of a well-formed cache file; 0 for an empty or malformed one; -1 when there
 * is none (the object was never scanned). */
static int64_t cache_file_count(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? -1 : 0;
    unsigned char header[WRAPPER_FILE_HEADER];
    struct stat st;
    uint32_t count = 0;
    if (fstat(fd, &st) == 0 && read_all(fd, header, sizeof header) == 0 && memcmp(header, "INVWRAP1", 8) == 0) {
        memcpy(&count, header + 8, 4);
        if ((uint64_t)st.st_size != WRAPPER_FILE_HEADER + (uint64_t)count * sizeof(wrapper_file_entry))
            count = 0;
    }
    close(fd);
    return count;
}

/* Was the object with this build id considered before? Remembers it. Under table_lock. */
static int seen_before(const char *id)
{
    for (uint32_t i = 0; i < seen.count; i++)
        if (strcmp(seen.ids[i], id) == 0)
            return 1;
    if (!seen.ids)
        seen.ids = own_map(WRAPPER_MAX_OBJECTS * sizeof *seen.ids, 1);
    if (seen.ids && seen.count < WRAPPER_MAX_OBJECTS && strlen(id) < WRAPPER_BUILD_ID_HEX)
        memcpy(seen.ids[seen.count++], id, strlen(id) + 1);
    return 0;
}

/* Might the scan find anything in this file: a .debug_info section, or separate debug info under
 * /usr/lib/debug/.build-id/? Most system libraries have neither (stripped): they are not worth a
 * run of the CLI at every program's dlopen. */
static int may_have_dwarf(const char *path, const char *build_id)
{
    char debug_file[INVISIBLE_WRAPPER_PATH];
    size_t id_length = strlen(build_id);
    if (id_length > 2 &&
        snprintf(debug_file, sizeof debug_file, "/usr/lib/debug/.build-id/%c%c/%s.debug", build_id[0], build_id[1],
                 build_id + 2) < (int)sizeof debug_file &&
        access(debug_file, R_OK) == 0)
        return 1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    int found = 0;
    ElfW(Ehdr) header;
    if (pread(fd, &header, sizeof header, 0) == (ssize_t)sizeof header && memcmp(header.e_ident, ELFMAG, SELFMAG) == 0 &&
        header.e_shentsize == sizeof(ElfW(Shdr)) && header.e_shstrndx < header.e_shnum && header.e_shnum < 4096) {
        ElfW(Shdr) names;
        if (pread(fd, &names, sizeof names, (off_t)(header.e_shoff + header.e_shstrndx * sizeof names)) == (ssize_t)sizeof names) {
            for (uint32_t i = 1; i < header.e_shnum && !found; i++) {
                ElfW(Shdr) section;
                char name[16];
                if (pread(fd, &section, sizeof section, (off_t)(header.e_shoff + i * sizeof section)) != (ssize_t)sizeof section ||
                    section.sh_name >= names.sh_size)
                    break;
                ssize_t got = pread(fd, name, sizeof name, (off_t)(names.sh_offset + section.sh_name));
                found = got >= 12 && (memcmp(name, ".debug_info", 12) == 0 || (got >= 13 && memcmp(name, ".zdebug_info", 13) == 0));
            }
        }
    }
    close(fd);
    return found;
}

static int find_cache_files(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    wrapper_scan *scan = data;
    if (scan->exclude && info->dlpi_addr == scan->excluded_bias)
        return 0;
    if (scan->source_count >= WRAPPER_MAX_OBJECTS)
        return 1;
    wrapper_source *source = &scan->sources[scan->source_count];
    memcpy(source->path, scan->directory, scan->directory_length);
    char *id = source->path + scan->directory_length;
    if (object_build_id(info, id, sizeof source->path - scan->directory_length) != 0)
        return 0;
    int first_time = !seen_before(id);
    int64_t count = cache_file_count(source->path);
    const char *name = info->dlpi_name;
    /* Only files named by an absolute path (the loader's l_name): the vdso has no file, and the
     * main program (named "") was the launcher's to scan. */
    if (count < 0 && first_time && scan->collect_new && name && name[0] == '/' && scan->new_count < WRAPPER_SCAN_BATCH &&
        strlen(name) < INVISIBLE_WRAPPER_PATH && may_have_dwarf(name, id))
        memcpy(scan->new_paths[scan->new_count++], name, strlen(name) + 1);
    if (count <= 0)
        return 0;
    source->bias = info->dlpi_addr;
    source->count = (uint32_t)count;
    scan->total += (uint64_t)count;
    scan->source_count++;
    return 0;
}

static void sort_ranges(invisible_wrapper_range *ranges, uint64_t count)
{
    /* Shell sort: in place, no allocation; each object's ranges arrive sorted already. */
    static const uint64_t gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };
    for (size_t g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
        uint64_t gap = gaps[g];
        for (uint64_t i = gap; i < count; i++) {
            invisible_wrapper_range item = ranges[i];
            uint64_t j = i;
            for (; j >= gap && ranges[j - gap].start > item.start; j -= gap)
                ranges[j] = ranges[j - gap];
            ranges[j] = item;
        }
    }
}

/* ---- running the scanner (the CLI's `invisible wrappers`) for objects dlopen()ed later ---- */

/* The CLI beside us: build/lib/libinvisible.so and build/lib/late/libinvisible.so both reach
 * build/libexec/invisible-cli (the launcher's layout). */
static int scanner_path(char *out, size_t capacity)
{
    static const char *const relative[] = { "/../libexec/invisible-cli", "/../../libexec/invisible-cli" };
    Dl_info info;
    if (!dladdr((void *)wrappers_load, &info) || !info.dli_fname)
        return -1;
    const char *slash = strrchr(info.dli_fname, '/');
    if (!slash)
        return -1;
    size_t directory = (size_t)(slash - info.dli_fname);
    for (size_t i = 0; i < sizeof relative / sizeof relative[0]; i++) {
        size_t length = strlen(relative[i]);
        if (directory + length + 1 > capacity)
            continue;
        memcpy(out, info.dli_fname, directory);
        memcpy(out + directory, relative[i], length + 1);
        if (access(out, X_OK) == 0)
            return 0;
    }
    return -1;
}

typedef struct scanner_child {
    const char *cli;
    char **argv;
    char **envp;
    char *exec_stack_top; /* the grandchild's stack (scanner_exec) */
    sigset_t mask;        /* the caller's, restored just before execve */
} scanner_child;

/* The grandchild, on its own stack in our memory (CLONE_VM, its parent suspended until the execve:
 * CLONE_VFORK). Its own copy of the signal dispositions (no CLONE_SIGHAND): the program's handlers
 * are reset to the default so none runs here on memory shared with the program, as posix_spawn
 * does. Its own descriptor table (no CLONE_FILES): 0, 1 and 2 go to /dev/null, the program's
 * streams stay the program's. */
static int scanner_exec(void *data)
{
    scanner_child *child = data;
    struct sigaction default_action;
    memset(&default_action, 0, sizeof default_action);
    default_action.sa_handler = SIG_DFL;
    for (int signal_number = 1; signal_number < NSIG; signal_number++) {
        struct sigaction old;
        if (sigaction(signal_number, NULL, &old) == 0 && old.sa_handler != SIG_IGN && old.sa_handler != SIG_DFL)
            sigaction(signal_number, &default_action, NULL);
    }
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
    }
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &child->mask, NULL, _NSIG / 8);
    syscall(SYS_execve, child->cli, child->argv, child->envp);
    syscall(SYS_exit, 127);
    return 127;
}

/* The child between us and the CLI. execve makes any process a SIGCHLD child again (the kernel
 * resets its exit signal), so the CLI must not be ours: the program would get SIGCHLD for a
 * process it never started, and its wait() could reap it. This one never execs: it starts the
 * CLI, reaps it and exits, with exit signal 0, every signal blocked (the caller's mask at clone). */
static int scanner_middle(void *data)
{
    scanner_child *child = data;
    long pid = clone(scanner_exec, child->exec_stack_top, CLONE_VM | CLONE_VFORK | SIGCHLD, child);
    if (pid > 0) {
        int status;
        while (syscall(SYS_wait4, pid, &status, 0, NULL) < 0 && errno == EINTR) {
        }
    }
    syscall(SYS_exit, 0);
    return 0;
}

/* `invisible-cli wrappers --quiet -- PATH...`, waited for: the calling thread is suspended until
 * the middle child exits (CLONE_VFORK), which is after the CLI has. The middle child's exit signal
 * is 0: the program gets no signal and its wait()/waitpid(-1) never sees it (only a __WCLONE wait
 * does: ours). The CLI's environment is the program's without LD_PRELOAD. */
static int run_scanner(wrapper_scan *scan)
{
    char cli[INVISIBLE_WRAPPER_PATH];
    if (scanner_path(cli, sizeof cli) != 0)
        return -1;
    char *argv[WRAPPER_SCAN_BATCH + 5];
    int argc = 0;
    argv[argc++] = cli;
    argv[argc++] = "wrappers";
    argv[argc++] = "--quiet";
    argv[argc++] = "--";
    for (uint32_t i = 0; i < scan->new_count; i++)
        argv[argc++] = scan->new_paths[i];
    argv[argc] = NULL;
    size_t variables = 0;
    for (char **e = environ; e && *e; e++)
        variables++;
    size_t envp_bytes = (variables + 1) * sizeof(char *);
    char **envp = own_map(envp_bytes, 0);
    char *stacks = own_map(2 * WRAPPER_CHILD_STACK, 0);
    int rc = -1;
    if (envp && stacks) {
        size_t n = 0;
        for (char **e = environ; e && *e; e++)
            if (strncmp(*e, "LD_PRELOAD=", 11) != 0)
                envp[n++] = *e;
        envp[n] = NULL;
        scanner_child child;
        memset(&child, 0, sizeof child);
        child.cli = cli;
        child.argv = argv;
        child.envp = envp;
        child.exec_stack_top = stacks + 2 * WRAPPER_CHILD_STACK;
        sigset_t all;
        sigfillset(&all);
        int saved_errno = errno;
        pthread_sigmask(SIG_SETMASK, &all, &child.mask);
        pid_t pid = clone(scanner_middle, stacks + WRAPPER_CHILD_STACK, CLONE_VM | CLONE_VFORK, &child);
        pthread_sigmask(SIG_SETMASK, &child.mask, NULL);
        if (pid > 0) {
            int status;
            while (waitpid(pid, &status, __WCLONE) < 0 && errno == EINTR) {
            }
            rc = 0;
        }
        errno = saved_errno;
    }
    if (envp)
        own_unmap(envp, envp_bytes);
    if (stacks)
        own_unmap(stacks, 2 * WRAPPER_CHILD_STACK);
    return rc;
}

/* ---- building and publishing a set ---- */

/* Biases of the objects whose ranges are in the published set, so a dlclose of any other object
 * costs nothing here. Under table_lock. */
static uint64_t *published_biases; /* WRAPPER_MAX_OBJECTS, mapped */
static uint32_t published_bias_count;

/* Make the hooks' cached decisions stale in every thread at once (hooks.mode's epoch bits). */
static void bump_site_epoch(void)
{
    wrapper_table *table = &instrument_state.wrappers;
    uint32_t epoch = (__atomic_load_n(&table->epoch, __ATOMIC_RELAXED) + 1) & 0xffffu;
    __atomic_store_n(&table->epoch, epoch, __ATOMIC_RELAXED);
    unsigned bits = epoch << HOOKS_EPOCH_SHIFT;
    int mode = __atomic_load_n(&instrument_state.hooks.mode, __ATOMIC_ACQUIRE);
    while (mode != 0) { /* 0 (not tracking) stays 0: the hooks test it for "go to glibc" */
        int next = (int)(((unsigned)mode & ~HOOKS_EPOCH_MASK) | bits);
        if (__atomic_compare_exchange_n(&instrument_state.hooks.mode, &mode, next, 0, __ATOMIC_RELEASE, __ATOMIC_ACQUIRE))
            break;
    }
}

unsigned wrappers_mode_epoch(void)
{
    return __atomic_load_n(&instrument_state.wrappers.epoch, __ATOMIC_RELAXED) << HOOKS_EPOCH_SHIFT;
}

static int same_ranges(const wrapper_set *set, const invisible_wrapper_range *ranges, uint64_t count)
{
    if (!set)
        return count == 0;
    return set->count == count && memcmp(set->ranges, ranges, count * sizeof *ranges) == 0;
}

/* The ranges of the sources found, as one new set, published unless it equals the current one. */
static void publish(wrapper_scan *scan)
{
    wrapper_table *table = &instrument_state.wrappers;
    size_t bytes = sizeof(wrapper_set) + scan->total * sizeof(invisible_wrapper_range);
    wrapper_set *set = NULL;
    if (scan->total > 0 && scan->total < (1u << 24))
        set = own_map(bytes, 0);
    uint64_t filled = 0;
    if (!published_biases)
        published_biases = own_map(WRAPPER_MAX_OBJECTS * sizeof *published_biases, 1);
    uint32_t biases = 0;
    for (uint32_t s = 0; set && s < scan->source_count; s++) {
        wrapper_source *source = &scan->sources[s];
        int fd = open(source->path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        uint64_t before = filled;
        if (lseek(fd, WRAPPER_FILE_HEADER, SEEK_SET) == WRAPPER_FILE_HEADER) {
            for (uint32_t k = 0; k < source->count && filled < scan->total; k++) {
                wrapper_file_entry e;
                if (read_all(fd, &e, sizeof e) != 0)
                    break;
                if (e.end <= e.start || e.extra == 0)
                    continue;
                invisible_wrapper_range *r = &set->ranges[filled++];
                r->start = e.start + source->bias;
                r->end = e.end + source->bias;
                r->extra = e.extra < INVISIBLE_MAX_DEPTH ? e.extra : INVISIBLE_MAX_DEPTH - 1;
                r->unused = 0;
            }
        }
        close(fd);
        if (filled > before && published_biases)
            published_biases[biases++] = source->bias;
    }
    published_bias_count = biases;
    if (set)
        sort_ranges(set->ranges, filled);
    const wrapper_set *current = __atomic_load_n(&table->current, __ATOMIC_ACQUIRE);
    if (same_ranges(current, set ? set->ranges : NULL, filled)) {
        if (set)
            own_unmap(set, bytes);
        return;
    }
    if (set) {
        set->count = filled;
        set->mapped_bytes = bytes;
    }
    /* The set first (release: complete before it is seen), then the epoch: a hook that reads the
     * new epoch (acquire) finds this set or a newer one. */
    __atomic_store_n(&table->current, filled ? set : NULL, __ATOMIC_RELEASE);
    if (set && !filled)
        own_unmap(set, bytes); /* never published */
    table->published++;
    bump_site_epoch();
    invisible_unwind_invalidate_cache();
}

/* Under table_lock: every loaded object's cached ranges (but `excluded_bias`'s when `exclude`),
 * after scanning the objects never seen before that have no cache file when `collect_new`. */
static void rebuild(int collect_new, int exclude, uint64_t excluded_bias)
{
    wrapper_table *table = &instrument_state.wrappers;
    wrapper_scan scan;
    memset(&scan, 0, sizeof scan);
    if (wrapper_directory(scan.directory, sizeof scan.directory, &scan.directory_length) != 0)
        return;
    size_t sources_bytes = WRAPPER_MAX_OBJECTS * sizeof(wrapper_source);
    size_t paths_bytes = WRAPPER_SCAN_BATCH * INVISIBLE_WRAPPER_PATH;
    scan.sources = own_map(sources_bytes, 1);
    scan.new_paths = own_map(paths_bytes, 1);
    if (!scan.sources || !scan.new_paths)
        goto done;
    scan.collect_new = collect_new;
    scan.exclude = exclude;
    scan.excluded_bias = excluded_bias;
    dl_iterate_phdr(find_cache_files, &scan);
    if (scan.new_count > 0 && run_scanner(&scan) == 0) {
        table->scans += scan.new_count;
        scan.source_count = 0;
        scan.total = 0;
        scan.collect_new = 0;
        dl_iterate_phdr(find_cache_files, &scan);
    }
    publish(&scan);
done:
    if (scan.sources)
        own_unmap(scan.sources, sources_bytes);
    if (scan.new_paths)
        own_unmap(scan.new_paths, paths_bytes);
}

/* Objects added since we last looked (dl_iterate_phdr's counter of loads): a dlopen of an object
 * already loaded adds none and costs one walk of the list. */
static unsigned long long last_adds;

static int read_adds(struct dl_phdr_info *info, size_t size, void *data)
{
    if (size >= offsetof(struct dl_phdr_info, dlpi_subs))
        *(unsigned long long *)data = info->dlpi_adds;
    return 1;
}

/* From the constructor (invisible_instrument_start), before the program runs: libc calls are
 * fine here (getenv, open, read), and nothing is allocated with malloc. The objects loaded now
 * were the launcher's (or `invisible attach`'s) to scan: they are only read. */
void wrappers_load(void)
{
    wrapper_table *table = &instrument_state.wrappers;
    const char *switch_value = getenv("INVISIBLE_WRAPPERS");
    if (table->enabled || (switch_value && strcmp(switch_value, "no") == 0))
        return;
    char directory[INVISIBLE_WRAPPER_PATH];
    size_t length;
    if (wrapper_directory(directory, sizeof directory, &length) != 0)
        return;
    table->enabled = 1;
    pthread_mutex_lock(&table_lock);
    dl_iterate_phdr(read_adds, &last_adds);
    rebuild(0, 0, 0);
    pthread_mutex_unlock(&table_lock);
}

/* Not in a helper copy of the process (a report, a census: tracking is off there, and a thread
 * that held table_lock at the copy does not exist in it), nor before the start. */
static int wrappers_active(void)
{
    return instrument_state.wrappers.enabled && instrument_state.tracking;
}

void wrappers_after_dlopen(int ours)
{
    if (!wrappers_active())
        return;
    /* Our own dlopen may come while the world is stopped (a report, a census): a stopped thread
     * may hold the lock. The objects loaded then are only marked as seen, when the lock is free. */
    if (ours) {
        if (pthread_mutex_trylock(&table_lock) != 0)
            return;
    } else {
        pthread_mutex_lock(&table_lock);
    }
    unsigned long long adds = 0;
    dl_iterate_phdr(read_adds, &adds);
    if (adds != last_adds) {
        last_adds = adds;
        rebuild(!ours, 0, 0);
    }
    pthread_mutex_unlock(&table_lock);
}

int wrappers_before_dlclose(void *handle)
{
    if (!wrappers_active() || !handle)
        return 0;
    struct link_map *map = NULL;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || !map)
        return 0;
    pthread_mutex_lock(&table_lock);
    int has_ranges = 0;
    for (uint32_t i = 0; i < published_bias_count && !has_ranges; i++)
        has_ranges = published_biases[i] == map->l_addr;
    if (has_ranges)
        rebuild(0, 1, map->l_addr);
    pthread_mutex_unlock(&table_lock);
    return has_ranges;
}

void wrappers_after_dlclose(int withdrawn)
{
    if (!withdrawn)
        return;
    pthread_mutex_lock(&table_lock);
    rebuild(0, 0, 0);
    pthread_mutex_unlock(&table_lock);
}

/* The program's fork child: the one thread left holds nothing (a scan under way in another thread
 * of the parent does not go on here). */
void wrappers_fork_child(void)
{
    pthread_mutex_t unlocked = PTHREAD_MUTEX_INITIALIZER;
    memcpy(&table_lock, &unlocked, sizeof table_lock);
}
