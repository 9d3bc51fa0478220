/* memory.c — mappings of our own: the tables, scan arrays and leak records; and how much address
 * space they may take.
 *
 * Each is a prim_map mapping (a raw system call: no malloc, no errno change) recorded in a small
 * registry, so that the leak scan never takes our bookkeeping for program roots. The registry
 * takes a spinlock, so the unwinder, which may run in a signal handler, maps its caches with
 * plain prim_map instead (they are not in the registry).
 */
#define _GNU_SOURCE
#include "internal.h"

#include <fcntl.h>
#include <sys/resource.h>

void *own_map(size_t bytes, int reserve_only)
{
    void *p = prim_map(bytes, reserve_only);
    if (!p)
        return NULL;
    own_regions *own = &instrument_state.own;
    thread_state *thread = &thread_tls;
    guard_enter(thread, 1); /* a spinlock: a short section for a stop of the world */
    spinlock_acquire(&own->lock);
    if (own->count < OWN_REGION_CAPACITY) {
        own_region *r = &own->regions[own->count++];
        r->start = (uint64_t)(uintptr_t)p;
        r->end = r->start + bytes;
    }
    spinlock_release(&own->lock);
    guard_leave(thread, 1);
    return p;
}

void own_unmap(void *address, size_t bytes)
{
    if (!address)
        return;
    prim_unmap(address, bytes);
    uint64_t start = (uint64_t)(uintptr_t)address;
    own_regions *own = &instrument_state.own;
    thread_state *thread = &thread_tls;
    guard_enter(thread, 1);
    spinlock_acquire(&own->lock);
    for (int i = 0; i < own->count; i++) {
        if (own->regions[i].start == start) {
            own->regions[i] = own->regions[--own->count];
            break;
        }
    }
    spinlock_release(&own->lock);
    guard_leave(thread, 1);
}

int own_region_overlaps(uint64_t start, uint64_t end)
{
    const own_regions *own = &instrument_state.own;
    for (int i = 0; i < own->count; i++)
        if (start < own->regions[i].end && end > own->regions[i].start)
            return 1;
    return 0;
}

/* ---- the address-space budget ----
 * Our tables are reservations (MAP_NORESERVE: the kernel commits pages as they are touched), but
 * RLIMIT_AS counts reserved address space. Without a limit they reserve what they could ever use
 * (the records of 268 M blocks, 1 GiB of traces); under a limit, an eighth of what is left when we
 * start, so that the program keeps the rest (a limit set later, by the program itself, counts what
 * we reserved already). Read with raw system calls: this runs inside the first malloc. */

#define BUDGET_SHARE 8
#define PAGE_BYTES 4096ull

static uint64_t parse_decimal(const char *p)
{
    uint64_t v = 0;
    while (*p >= '0' && *p <= '9')
        v = v * 10 + (uint64_t)(*p++ - '0');
    return v;
}

/* The process's mapped size now (/proc/self/statm's first field, in pages). */
static uint64_t mapped_bytes(void)
{
    char buffer[128];
    long fd = prim_syscall3(SYS_open, (long)"/proc/self/statm", O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    long n = prim_syscall3(SYS_read, fd, (long)buffer, sizeof buffer - 1);
    prim_syscall3(SYS_close, fd, 0, 0);
    if (n <= 0)
        return 0;
    buffer[n] = 0;
    return parse_decimal(buffer) * PAGE_BYTES;
}

uint64_t own_reserve_budget(void)
{
    own_regions *own = &instrument_state.own;
    if (own->reserve_budget)
        return own->reserve_budget;
    struct rlimit limit;
    uint64_t budget = UINT64_MAX;
    if (prim_syscall6(SYS_prlimit64, 0, RLIMIT_AS, 0, (long)&limit, 0, 0) == 0 && limit.rlim_cur != RLIM_INFINITY) {
        uint64_t used = mapped_bytes();
        own->address_limit = limit.rlim_cur;
        budget = limit.rlim_cur > used ? (limit.rlim_cur - used) / BUDGET_SHARE : 0;
    }
    own->reserve_budget = budget ? budget : 1;
    return own->reserve_budget;
}
