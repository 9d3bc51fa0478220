/* state.c — the per-process state and its first-use initialisation.
 *
 * The first malloc can come before our constructor (from ld.so, libc or another preloaded
 * library's constructor), so the tables are set up by whichever comes first. Only mmap is
 * used here; options that need the environment are loaded by the constructor.
 */
#define _GNU_SOURCE
#include "invisible/state.h"

#include <sched.h>
#include <string.h>

#include "invisible/memtable.h"
#include "invisible/nursery.h"
#include "invisible/trace.h"

invisible_process invisible_state = {
    .options = { .depth = 1, .leak_check = 1 },
    .report_fd = 2,
    .preload = { .log_fd = -1 },
};

int invisible_state_ensure(void)
{
    int expected = 0;
    if (atomic_compare_exchange_strong(&invisible_state.init_state, &expected, 1)) {
        int ok = memtable_init() == 0 && trace_table_init() == 0 && thread_registry_init() == 0 &&
                 nursery_pool_init() == 0;
        invisible_state.tracking = ok;
        invisible_hooks_configure(); /* before init_state says done: waiters then read the mode */
        atomic_store(&invisible_state.init_state, ok ? 2 : -1);
        return ok ? 0 : -1;
    }
    while (atomic_load(&invisible_state.init_state) == 1)
        sched_yield();
    return atomic_load(&invisible_state.init_state) == 2 ? 0 : -1;
}

void invisible_hooks_configure(void)
{
    unsigned mode = 0;
    if (invisible_state.tracking) {
        mode = HOOKS_READY;
        if (invisible_state.options.depth == 1)
            mode |= HOOKS_SITE_CACHE;
        if (invisible_state.nurseries.enabled)
            mode |= HOOKS_NURSERY;
    }
    invisible_thread *thread = &invisible_tls;
    memset(thread->site_cache_pc, 0, sizeof thread->site_cache_pc);
    __atomic_store_n(&invisible_state.hooks_mode, (int)mode, __ATOMIC_RELEASE);
}
