/* init.c — malloc-instrument's life cycle: first use, start, the hooks' mode word, thread exit,
 * fork.
 *
 * The first malloc can come before the embedder's constructor (from ld.so, libc or another
 * preloaded library's constructor), so the tables are set up by whichever comes first, with
 * mmap only. invisible_instrument_start, from the constructor, then applies the settings and
 * registers what needs libc (a pthread key, fork handlers).
 */
#define _GNU_SOURCE
#include "internal.h"
#include "trace/unwind.h"

#include <link.h>
#include <pthread.h>
#include <string.h>

int instrument_init(void)
{
    int expected = 0;
    if (atomic_compare_exchange_strong(&instrument_state.init_state, &expected, 1)) {
        /* Another allocator serves the process: step aside (primitives/allocator.c), before
         * anything is tracked and without reserving the tables. */
        int ok = !allocator_detect() && memtable_init() == 0 && trace_table_init() == 0 &&
                 threads_init() == 0 && nursery_pool_init() == 0;
        instrument_state.tracking = ok;
        hooks_configure(); /* before init_state says done: waiters then read the mode */
        atomic_store(&instrument_state.init_state, ok ? 2 : -1);
        return ok ? 0 : -1;
    }
    while (atomic_load(&instrument_state.init_state) == 1)
        sched_yield();
    return atomic_load(&instrument_state.init_state) == 2 ? 0 : -1;
}

int invisible_instrument_init(void)
{
    return instrument_init();
}

/* ---- why nothing is tracked ---- */

static size_t append(char *out, size_t n, size_t capacity, const char *text)
{
    while (*text && n + 1 < capacity)
        out[n++] = *text++;
    out[n] = 0;
    return n;
}

/* "jemalloc" from ".../libjemalloc.so.2". */
static size_t append_short_name(char *out, size_t n, size_t capacity, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (!strncmp(base, "lib", 3))
        base += 3;
    const char *end = strstr(base, ".so");
    size_t length = end ? (size_t)(end - base) : strlen(base);
    for (size_t i = 0; i < length && n + 1 < capacity; i++)
        out[n++] = base[i];
    out[n] = 0;
    return n;
}

static size_t append_u64(char *out, size_t n, size_t capacity, uint64_t value)
{
    char digits[24];
    int count = 0;
    do {
        digits[count++] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    while (count && n + 1 < capacity)
        out[n++] = digits[--count];
    out[n] = 0;
    return n;
}

const char *invisible_instrument_degraded(void)
{
    static char text[256];
    uint64_t untracked = atomic_load(&instrument_state.table.untracked);
    if (!untracked)
        return NULL;
    size_t n = append_u64(text, 0, sizeof text, untracked);
    n = append(text, n, sizeof text, untracked == 1 ? " block was" : " blocks were");
    n = append(text, n, sizeof text, " not tracked: the memtable ran out of ");
    uint64_t limit = instrument_state.own.address_limit;
    if (limit) {
        n = append(text, n, sizeof text, "address space under RLIMIT_AS (");
        n = append_u64(text, n, sizeof text, limit >> 20);
        n = append(text, n, sizeof text, " MiB)");
    } else {
        n = append(text, n, sizeof text, "records or address space");
    }
    return text;
}

const char *invisible_instrument_unavailable(void)
{
    static char reason[512];
    if (atomic_load(&instrument_state.init_state) != -1)
        return NULL;
    const char *foreign = instrument_state.hooks.foreign_name;
    size_t n = 0;
    if (foreign && strcmp(foreign, "the program") == 0) {
        n = append(reason, n, sizeof reason, "this program has its own malloc, not glibc's");
    } else if (foreign) {
        n = append(reason, n, sizeof reason, "this process allocates through ");
        n = append_short_name(reason, n, sizeof reason, foreign);
        n = append(reason, n, sizeof reason, " (");
        n = append(reason, n, sizeof reason, foreign);
        n = append(reason, n, sizeof reason, "), not glibc's malloc");
    } else {
        n = append(reason, n, sizeof reason, memtable_unavailable_reason());
    }
    return reason;
}

void hooks_configure(void)
{
    unsigned mode = 0;
    if (instrument_state.tracking) {
        mode = HOOKS_READY;
        if (instrument_state.depth == 1)
            mode |= HOOKS_SITE_CACHE;
        if (instrument_state.nurseries.enabled)
            mode |= HOOKS_NURSERY;
        if (profile_enabled())
            mode |= HOOKS_PROFILE;
        if (__atomic_load_n(&instrument_state.hooks.free_observer, __ATOMIC_ACQUIRE))
            mode |= HOOKS_FREE_OBSERVER;
        mode |= wrappers_mode_epoch();
    }
    thread_state *thread = &thread_tls;
    memset(thread->site_cache_pc, 0, sizeof thread->site_cache_pc);
    __atomic_store_n(&instrument_state.hooks.mode, (int)mode, __ATOMIC_RELEASE);
}

/* The observer is published before the bit that makes the hooks call it, and the bit cleared
 * before the observer is: a hook that saw the bit reads the observer again and skips a NULL one.
 * A read-modify-write of the mode word, as wrappers.c's epoch bump, so neither loses the other's
 * change; a mode of 0 (tracking off or not started) stays 0 and hooks_configure adds the bit. */
void invisible_instrument_observe_frees(invisible_free_observer observer)
{
    if (observer)
        __atomic_store_n(&instrument_state.hooks.free_observer, observer, __ATOMIC_RELEASE);
    int mode = __atomic_load_n(&instrument_state.hooks.mode, __ATOMIC_ACQUIRE);
    while (mode != 0) {
        int next = observer ? (mode | (int)HOOKS_FREE_OBSERVER) : (mode & ~(int)HOOKS_FREE_OBSERVER);
        if (next == mode ||
            __atomic_compare_exchange_n(&instrument_state.hooks.mode, &mode, next, 0, __ATOMIC_RELEASE, __ATOMIC_ACQUIRE))
            break;
    }
    if (!observer)
        __atomic_store_n(&instrument_state.hooks.free_observer, NULL, __ATOMIC_RELEASE);
}

void instrument_disable_nurseries(void)
{
    nursery_pool *p = &instrument_state.nurseries;
    if (!p->enabled)
        return;
    p->enabled = 0;
    hooks_configure(); /* before the flush: the hooks stop using nurseries */
    nursery_flush_all();
}

/* ---- thread exit ---- */

/* pthread key destructor: runs at thread exit while the thread's TLS is still valid. */
static void thread_exit_destructor(void *value)
{
    thread_state *thread = &thread_tls;
    guard_enter(thread, 1);
    /* Our young blocks outlive us: share them before the slot (and nursery) is recycled. */
    nursery *n = thread->nursery;
    if (n)
        nursery_flush(n);
    thread->nursery = NULL;
    memtable_release_thread_cache(thread);
    profile_thread_exit(thread);
    invisible_unwind_thread_exit();
    threads_release_slot(thread);
    guard_leave(thread, 1);
}

/* Must run outside any hook (pthread_key_create may allocate): from the constructor. A thread
 * that registers a slot from then on sets the key, so the destructor recycles its slot. (The
 * slots and nurseries are in shared mappings, never in TLS: a thread's TLS block is reused by
 * later threads, and linking it into a global list would make that list a cycle.) */
static void create_thread_exit_key(void)
{
    thread_registry *r = &instrument_state.threads;
    pthread_key_t key;
    if (!r->exit_key_ready && pthread_key_create(&key, thread_exit_destructor) == 0) {
        r->exit_key = key;
        __atomic_store_n(&r->exit_key_ready, 1, __ATOMIC_RELEASE);
    }
}

/* ---- fork ---- */

static void fork_prepare(void)
{
    block_types_fork_prepare(); /* before the memtable: annotating takes its lock, then the memtable's */
    memtable_fork_prepare();
    spinlock_acquire(&instrument_state.threads.lock);
    spinlock_acquire(&instrument_state.own.lock);
}

static void fork_parent(void)
{
    spinlock_release(&instrument_state.own.lock);
    spinlock_release(&instrument_state.threads.lock);
    memtable_fork_parent();
    block_types_fork_parent();
}

static void fork_child(void)
{
    thread_tls.locks_held = 0; /* fork_prepare's, reset below rather than released */
    spinlock_reset(&instrument_state.own.lock);
    spinlock_reset(&instrument_state.threads.lock);
    spinlock_reset(&instrument_state.profile.lock);
    spinlock_reset(&instrument_state.profile.overflow_lock);
    spinlock_reset(&instrument_state.profile.read_lock);
    block_types_fork_child();
    memtable_fork_child();
    trace_fork_child();
    wrappers_fork_child();
}

/* ---- report helpers ---- */

void invisible_instrument_enter_helper(void)
{
    instrument_state.tracking = 0;
    __atomic_store_n(&instrument_state.hooks.mode, 0, __ATOMIC_RELEASE);
    /* Whoever held our locks when the copy was made does not exist here; and the copy was made
     * while this thread had the world stopped (scan/quiet.c): there is no such stop here. */
    fork_child();
    stopworld_forget_stop();
}

/* ---- start ---- */

/* Where ld.so's code is, so the hooks can tell its allocations apart (see RECORD_LOADER). */
static int find_loader_text(struct dl_phdr_info *info, size_t size, void *data)
{
    const char *name = info->dlpi_name ? strrchr(info->dlpi_name, '/') : NULL;
    if (!name || strncmp(name + 1, "ld-linux", 8) != 0)
        return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
            instrument_state.hooks.loader_text_start = info->dlpi_addr + ph->p_vaddr;
            instrument_state.hooks.loader_text_size = ph->p_memsz;
        }
    }
    return 1;
}

int invisible_instrument_start(const invisible_settings *settings)
{
    thread_state *thread = &thread_tls;
    guard_enter(thread, 1);
    int rc = instrument_init();
    dl_iterate_phdr(find_loader_text, NULL);
    instrument_state.depth = settings->depth;
    wrappers_load(); /* before hooks_configure: the site cache must not hold a wrapper's site at depth 1 */
    instrument_state.stop_signal = settings->stop_signal;
    if (settings->profile && rc == 0)
        profile_start();
    hooks_configure(); /* the depth decides whether the call-site cache answers */
    if (!settings->nursery)
        instrument_disable_nurseries();
    create_thread_exit_key();
    pthread_atfork(fork_prepare, fork_parent, fork_child);
    guard_leave(thread, 1);
    return rc;
}
