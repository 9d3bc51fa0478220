/* memory.c — mappings of our own: the tables, scan arrays and leak records.
 *
 * Each is a prim_map mapping (a raw system call: no malloc, no errno change) recorded in a small
 * registry, so that the leak scan never takes our bookkeeping for program roots. The registry
 * takes a spinlock, so the unwinder, which may run in a signal handler, maps its caches with
 * plain prim_map instead (they are not in the registry).
 */
#define _GNU_SOURCE
#include "internal.h"

void *own_map(size_t bytes, int reserve_only)
{
    void *p = prim_map(bytes, reserve_only);
    if (!p)
        return NULL;
    own_regions *own = &instrument_state.own;
    spinlock_acquire(&own->lock);
    if (own->count < OWN_REGION_CAPACITY) {
        own_region *r = &own->regions[own->count++];
        r->start = (uint64_t)(uintptr_t)p;
        r->end = r->start + bytes;
    }
    spinlock_release(&own->lock);
    return p;
}

void own_unmap(void *address, size_t bytes)
{
    if (!address)
        return;
    prim_unmap(address, bytes);
    uint64_t start = (uint64_t)(uintptr_t)address;
    own_regions *own = &instrument_state.own;
    spinlock_acquire(&own->lock);
    for (int i = 0; i < own->count; i++) {
        if (own->regions[i].start == start) {
            own->regions[i] = own->regions[--own->count];
            break;
        }
    }
    spinlock_release(&own->lock);
}

int own_region_overlaps(uint64_t start, uint64_t end)
{
    const own_regions *own = &instrument_state.own;
    for (int i = 0; i < own->count; i++)
        if (start < own->regions[i].end && end > own->regions[i].start)
            return 1;
    return 0;
}
