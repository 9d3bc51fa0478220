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
        int ok = memtable_init() == 0 && trace_table_init() == 0 && threads_init() == 0 &&
                 nursery_pool_init() == 0;
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

void hooks_configure(void)
{
    unsigned mode = 0;
    if (instrument_state.tracking) {
        mode = HOOKS_READY;
        if (instrument_state.depth == 1)
            mode |= HOOKS_SITE_CACHE;
        if (instrument_state.nurseries.enabled)
            mode |= HOOKS_NURSERY;
    }
    thread_state *thread = &thread_tls;
    memset(thread->site_cache_pc, 0, sizeof thread->site_cache_pc);
    __atomic_store_n(&instrument_state.hooks.mode, (int)mode, __ATOMIC_RELEASE);
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
    thread->guard.in_hook++;
    /* Our young blocks outlive us: share them before the slot (and nursery) is recycled. */
    nursery *n = thread->nursery;
    if (n)
        nursery_flush(n);
    thread->nursery = NULL;
    memtable_release_thread_cache(thread);
    invisible_unwind_thread_exit();
    threads_release_slot(thread);
    thread->guard.in_hook--;
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
    spinlock_reset(&instrument_state.own.lock);
    spinlock_reset(&instrument_state.threads.lock);
    block_types_fork_child();
    memtable_fork_child();
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
    thread->guard.in_hook++;
    int rc = instrument_init();
    dl_iterate_phdr(find_loader_text, NULL);
    instrument_state.depth = settings->depth;
    instrument_state.stop_signal = settings->stop_signal;
    hooks_configure(); /* the depth decides whether the call-site cache answers */
    if (!settings->nursery)
        instrument_disable_nurseries();
    create_thread_exit_key();
    pthread_atfork(fork_prepare, fork_parent, fork_child);
    thread->guard.in_hook--;
    return rc;
}
