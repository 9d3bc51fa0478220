/* block_types.c — type annotations of live blocks (query API set_block_type & co., block_types.h). */
#define _GNU_SOURCE
#include "invisible/block_types.h"

#include "invisible/rawlibc.h"
#include "invisible/state.h"

#include <string.h>

/* A side table keyed by block start, open addressing with linear probing, in raw mappings (never
 * roots for the leak scan, never recorded as blocks). Only set_block_type, block_type and
 * for_each_block_type touch it, under one spinlock; the malloc/free hot paths never do, which is
 * why a freed block's annotation is not removed at free time but ignored once the block at that
 * address no longer matches (size, trace). Names are interned in an append-only arena.
 * The state is invisible_state.invisible_state.block_types. Fork: the handlers hold the lock across fork() so the
 * child never inherits it taken (block_types_fork_*, called with the memtable's). */
static uint64_t hash_u64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}

/* The interned copy of `name` (lock held), or NULL when the name table is full. */
static const char *intern_name(const char *name, size_t len)
{
    if (!invisible_state.block_types.names) {
        invisible_state.block_types.names = raw_map(sizeof(type_names), 1);
        if (!invisible_state.block_types.names)
            return NULL;
    }
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)name[i]) * 1099511628211ull;
    type_names *n = invisible_state.block_types.names;
    for (uint32_t probe = 0; probe < TYPE_NAME_SLOTS; probe++) {
        uint32_t at = (uint32_t)(h + probe) & (TYPE_NAME_SLOTS - 1);
        const char *have = n->slots[at];
        if (!have) {
            if (invisible_state.block_types.arena_used + len + 1 > TYPE_NAME_ARENA)
                return NULL;
            char *copy = n->arena + invisible_state.block_types.arena_used;
            memcpy(copy, name, len);
            copy[len] = 0;
            invisible_state.block_types.arena_used += (uint32_t)len + 1;
            n->slots[at] = copy;
            return copy;
        }
        if (strncmp(have, name, len) == 0 && have[len] == 0)
            return have;
    }
    return NULL;
}

/* Is the annotation in `s` still about the live block at its address? */
static int annotation_current(const type_slot *s, invisible_block_info *now)
{
    invisible_block_info info;
    if (!query_find_live_block(s->start, &info) || info.start != s->start || info.size != s->size ||
        info.trace_id != s->trace_id)
        return 0;
    if (now)
        *now = info;
    return 1;
}

/* Rehash into a table of `capacity` slots, dropping tombstones and stale annotations (lock held). */
static int type_table_resize(uint32_t capacity)
{
    type_slot *fresh = raw_map((size_t)capacity * sizeof(type_slot), 0);
    if (!fresh)
        return -1;
    uint32_t used = 0;
    for (uint32_t i = 0; i < invisible_state.block_types.capacity; i++) {
        const type_slot *s = &invisible_state.block_types.slots[i];
        if (s->start <= TYPE_SLOT_TOMBSTONE || !annotation_current(s, NULL))
            continue;
        for (uint64_t h = hash_u64(s->start);; h++) {
            type_slot *d = &fresh[h & (capacity - 1)];
            if (d->start == 0) {
                *d = *s;
                used++;
                break;
            }
        }
    }
    if (invisible_state.block_types.slots)
        raw_unmap(invisible_state.block_types.slots, (size_t)invisible_state.block_types.capacity * sizeof(type_slot));
    invisible_state.block_types.slots = fresh;
    invisible_state.block_types.capacity = capacity;
    invisible_state.block_types.used = used;
    return 0;
}

/* The slot holding `start`, or NULL (lock held). */
static type_slot *type_slot_find(uint64_t start)
{
    if (!invisible_state.block_types.capacity)
        return NULL;
    uint32_t mask = invisible_state.block_types.capacity - 1;
    for (uint64_t h = hash_u64(start), n = 0; n < invisible_state.block_types.capacity; h++, n++) {
        type_slot *s = &invisible_state.block_types.slots[h & mask];
        if (s->start == start)
            return s;
        if (s->start == 0)
            return NULL;
    }
    return NULL;
}

int block_types_set(uint64_t address, const char *type_name)
{
    invisible_thread *thread = &invisible_tls;
    size_t len = type_name ? strnlen(type_name, TYPE_NAME_MAX + 1) : 0;
    if (len > TYPE_NAME_MAX || address <= TYPE_SLOT_TOMBSTONE)
        return 0;
    invisible_block_info info;
    if (len > 0 && (!query_find_live_block(address, &info) || info.start != address))
        return 0;
    int done = 0;
    thread->in_hook++;
    spinlock_acquire(&invisible_state.block_types.lock);
    type_slot *s = type_slot_find(address);
    if (len == 0) {
        if (s)
            s->start = TYPE_SLOT_TOMBSTONE;
        done = 1;
    } else {
        const char *name = intern_name(type_name, len);
        if (name && !s) {
            /* keep the load (live + tombstones) under 1/2: grow (or just clean) before inserting */
            if ((invisible_state.block_types.used + 1) * 2 > invisible_state.block_types.capacity) {
                uint32_t capacity = invisible_state.block_types.capacity ? invisible_state.block_types.capacity : TYPE_TABLE_MIN;
                while ((invisible_state.block_types.used + 1) * 2 > capacity)
                    capacity *= 2;
                if (type_table_resize(capacity) == 0 && (invisible_state.block_types.used + 1) * 4 > capacity)
                    type_table_resize(capacity * 2); /* still half full after dropping stale ones */
            }
            if ((invisible_state.block_types.used + 1) * 2 <= invisible_state.block_types.capacity) {
                uint32_t mask = invisible_state.block_types.capacity - 1;
                for (uint64_t h = hash_u64(address);; h++) {
                    type_slot *d = &invisible_state.block_types.slots[h & mask];
                    if (d->start <= TYPE_SLOT_TOMBSTONE) {
                        if (d->start == 0)
                            invisible_state.block_types.used++;
                        s = d;
                        break;
                    }
                }
            }
        }
        if (name && s) {
            s->start = address;
            s->size = info.size;
            s->trace_id = info.trace_id;
            s->name = name;
            done = 1;
        }
    }
    spinlock_release(&invisible_state.block_types.lock);
    thread->in_hook--;
    return done;
}

static void fill_type(const type_slot *s, invisible_block_type *out)
{
    out->start = s->start;
    out->size = s->size;
    out->trace_id = s->trace_id;
    out->reserved = 0;
    out->type_name = s->name;
}

int block_types_get(uint64_t address, invisible_block_type *out)
{
    int found = 0;
    spinlock_acquire(&invisible_state.block_types.lock);
    type_slot *s = type_slot_find(address);
    if (s && annotation_current(s, NULL)) {
        found = 1;
        if (out)
            fill_type(s, out);
    }
    spinlock_release(&invisible_state.block_types.lock);
    return found;
}

/* The visitor runs outside the lock (it may be managed code that allocates or takes locks): the
 * live annotations are copied out in chunks first. */
uint64_t block_types_for_each(invisible_block_type_visitor visit, void *context)
{
    enum { CHUNK = 256 };
    invisible_block_type batch[CHUNK];
    uint64_t visited = 0;
    uint32_t next = 0;
    for (;;) {
        int n = 0;
        spinlock_acquire(&invisible_state.block_types.lock);
        while (next < invisible_state.block_types.capacity && n < CHUNK) {
            const type_slot *s = &invisible_state.block_types.slots[next++];
            if (s->start > TYPE_SLOT_TOMBSTONE && annotation_current(s, NULL))
                fill_type(s, &batch[n++]);
        }
        int more = next < invisible_state.block_types.capacity;
        spinlock_release(&invisible_state.block_types.lock);
        for (int i = 0; i < n; i++) {
            visited++;
            if (visit(&batch[i], context))
                return visited;
        }
        if (!more)
            return visited;
    }
}

/* Fork: take the lock in the parent before fork() and release it on both sides, so a thread
 * that was annotating at fork time cannot leave the child's table locked forever. */
void block_types_fork_prepare(void) { spinlock_acquire(&invisible_state.block_types.lock); }
void block_types_fork_parent(void) { spinlock_release(&invisible_state.block_types.lock); }
void block_types_fork_child(void) { spinlock_reset(&invisible_state.block_types.lock); }
