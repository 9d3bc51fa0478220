/* nursery.c — per-thread cache of young blocks (see nursery.h for the rules). */
#define _GNU_SOURCE
#include "invisible/nursery.h"

#include <stdlib.h>
#include <string.h>

#include "invisible/rawlibc.h"
#include "invisible/state.h"
#include "invisible/thread_state.h"

nursery_pool *const invisible_nursery_pool = &invisible_state.nurseries;

static nursery_pool *pool(void) { return &invisible_state.nurseries; }

int nursery_pool_init(void)
{
    nursery_pool *p = pool();
    if (p->nurseries)
        return 0;
    /* INVISIBLE_NURSERY=no is read later by the constructor (nursery_disable). */
    p->nurseries = raw_map((size_t)THREAD_SLOT_CAPACITY * sizeof(nursery), 1);
    p->enabled = p->nurseries != NULL;
    return 0;
}

nursery *nursery_attach(invisible_thread *thread)
{
    nursery_pool *p = pool();
    if (!p->enabled)
        return NULL;
    thread_state_slot(thread);
    /* Slot 0 is shared by threads beyond the slot capacity: it gets no nursery. */
    thread->nursery = thread->slot ? &p->nurseries[thread->slot] : NULL;
    return thread->nursery;
}

static inline uint32_t home_of(uint64_t start) { return nursery_home(start); }

static inline int is_free(uint64_t value) { return value == 0 || (value & NURSERY_DEAD); }

static inline uint64_t size_of(uint64_t info) { return (uint32_t)info; }
static inline uint32_t trace_of(uint64_t info) { return (uint32_t)(info >> 32) & ~SITE_LOADER; }
static inline uint32_t flags_of(uint64_t info) { return (info >> 32) & SITE_LOADER ? RECORD_LOADER : 0; }

static void fill(nursery_entry *e, uint64_t start, uint64_t info)
{
    e->info = info;
    /* Release: a remote reader that sees the start also sees the field above. */
    atomic_store_explicit(&e->start, start, memory_order_release);
}

static int adopt(nursery_entry *e, uint64_t start)
{
    uint64_t info = e->info;
    return memtable_adopt(&e->start, start, size_of(info), trace_of(info), flags_of(info));
}

int nursery_insert(nursery *n, uint64_t start, uint64_t size, uint32_t site)
{
    if (size >= MEMTABLE_LARGE_THRESHOLD)
        return -1;
    uint32_t home = home_of(start);
    for (uint32_t k = 0; k < NURSERY_PROBES; k++) {
        nursery_entry *e = &n->entries[(home + k) & (NURSERY_SLOTS - 1)];
        if (is_free(atomic_load_explicit(&e->start, memory_order_relaxed))) {
            fill(e, start, nursery_info(size, site));
            return 0;
        }
    }
    /* The window is full: the block at the home slot has lived long enough to be shared. */
    nursery_entry *e = &n->entries[home];
    uint64_t old = atomic_load_explicit(&e->start, memory_order_relaxed);
    if (!is_free(old) && adopt(e, old) < 0)
        return -1;
    fill(e, start, nursery_info(size, site));
    return 0;
}

static inline void copy_out(const nursery_entry *e, uint64_t start, memtable_record *out)
{
    if (!out)
        return;
    uint64_t info = e->info;
    out->start = start;
    out->size = size_of(info);
    out->trace_id = trace_of(info);
    out->flags = flags_of(info);
    out->next = 0;
    out->type_cache = 0;
}

int nursery_remove_own(nursery *n, uint64_t start, memtable_record *out)
{
    uint32_t home = home_of(start);
    for (uint32_t k = 0; k < NURSERY_PROBES; k++) {
        nursery_entry *e = &n->entries[(home + k) & (NURSERY_SLOTS - 1)];
        if (atomic_load_explicit(&e->start, memory_order_relaxed) == start) {
            copy_out(e, start, out);
            /* Plain store: only a free of this very block could race, and that is a double free. */
            atomic_store_explicit(&e->start, 0, memory_order_relaxed);
            return 1;
        }
    }
    return 0;
}

int nursery_remove_remote(uint64_t start, memtable_record *out)
{
    thread_registry *r = &invisible_state.threads;
    uint32_t top = atomic_load_explicit(&r->slot_top, memory_order_acquire);
    if (top > THREAD_SLOT_CAPACITY)
        top = THREAD_SLOT_CAPACITY;
    uint32_t home = home_of(start);
    for (uint32_t s = 1; s < top; s++) {
        nursery *n = &pool()->nurseries[s];
        for (uint32_t k = 0; k < NURSERY_PROBES; k++) {
            nursery_entry *e = &n->entries[(home + k) & (NURSERY_SLOTS - 1)];
            uint64_t expected = start;
            if (atomic_load_explicit(&e->start, memory_order_acquire) != start)
                continue;
            copy_out(e, start, out);
            if (atomic_compare_exchange_strong_explicit(&e->start, &expected, start | NURSERY_DEAD,
                                                        memory_order_acq_rel, memory_order_relaxed))
                return 1;
        }
    }
    return 0;
}

void nursery_flush(nursery *n)
{
    for (uint32_t i = 0; i < NURSERY_SLOTS; i++) {
        nursery_entry *e = &n->entries[i];
        uint64_t start = atomic_load_explicit(&e->start, memory_order_acquire);
        if (start == 0)
            continue;
        if (start & NURSERY_DEAD)
            atomic_store_explicit(&e->start, 0, memory_order_relaxed);
        else if (adopt(e, start) < 0)
            return; /* out of records: leave the rest where they are */
    }
}

void nursery_disable(void)
{
    nursery_pool *p = pool();
    if (!p->enabled)
        return;
    p->enabled = 0;
    invisible_hooks_configure(); /* before the flush: the hooks stop using nurseries */
    nursery_flush_all(); /* constructor time: the only thread, or threads not yet allocating */
}

void nursery_flush_all(void)
{
    nursery_pool *p = pool();
    if (!p->nurseries)
        return;
    thread_registry *r = &invisible_state.threads;
    uint32_t top = atomic_load_explicit(&r->slot_top, memory_order_acquire);
    if (top > THREAD_SLOT_CAPACITY)
        top = THREAD_SLOT_CAPACITY;
    for (uint32_t s = 1; s < top; s++)
        nursery_flush(&p->nurseries[s]);
}

int nursery_find_any(uint64_t address, memtable_record *out)
{
    nursery_pool *p = pool();
    if (!p->nurseries)
        return 0;
    thread_registry *r = &invisible_state.threads;
    uint32_t top = atomic_load_explicit(&r->slot_top, memory_order_acquire);
    if (top > THREAD_SLOT_CAPACITY)
        top = THREAD_SLOT_CAPACITY;
    for (uint32_t s = 1; s < top; s++) {
        const nursery *n = &p->nurseries[s];
        for (uint32_t i = 0; i < NURSERY_SLOTS; i++) {
            const nursery_entry *e = &n->entries[i];
            uint64_t start = atomic_load_explicit(&e->start, memory_order_acquire);
            if (is_free(start))
                continue;
            uint64_t size = size_of(e->info);
            if (address == start || (address > start && address - start < size)) {
                copy_out(e, start, out);
                if (atomic_load_explicit(&e->start, memory_order_acquire) == start)
                    return 1;
            }
        }
    }
    return 0;
}

uint64_t nursery_for_each(invisible_block_visitor visit, void *context)
{
    nursery_pool *p = pool();
    if (!p->nurseries)
        return 0;
    uint64_t visited = 0;
    thread_registry *r = &invisible_state.threads;
    uint32_t top = atomic_load_explicit(&r->slot_top, memory_order_acquire);
    if (top > THREAD_SLOT_CAPACITY)
        top = THREAD_SLOT_CAPACITY;
    for (uint32_t s = 1; s < top; s++) {
        const nursery *n = &p->nurseries[s];
        for (uint32_t i = 0; i < NURSERY_SLOTS; i++) {
            const nursery_entry *e = &n->entries[i];
            uint64_t start = atomic_load_explicit(&e->start, memory_order_acquire);
            if (is_free(start))
                continue;
            uint64_t packed = e->info;
            invisible_block_info info = { start, size_of(packed), trace_of(packed), 0 };
            if (atomic_load_explicit(&e->start, memory_order_acquire) != start)
                continue; /* freed or moved while we read it */
            visited++;
            if (visit(&info, context))
                return visited;
        }
    }
    return visited;
}
