/* block_types.c — type annotations of live blocks, for the census and leak records (the query
 * table's set_block_type, block_type, for_each_block_type).
 *
 * What a program (or DwarfPython, for the objects it makes) says a block is, by name ("struct
 * stat", "int[5]"). An annotation belongs to its block: it counts only while the live block at
 * `start` has the size and trace it had when annotated. The table is a side structure keyed by
 * block start (open addressing with linear probing, in our own mappings: never roots for the
 * leak scan, never recorded as blocks) that only these functions read: malloc and free never
 * look at it, so annotating costs the hot paths nothing, and a freed block's annotation is
 * ignored (then dropped on the next resize) rather than removed at free time. Names are
 * interned in an append-only arena. Thread-safe (one spinlock); not async-signal-safe. Fork:
 * the handlers hold the lock across fork() so the child never inherits it taken
 * (block_types_fork_*, called by init.c with the memtable's).
 */
#define _GNU_SOURCE
#include "internal.h"

#include <string.h>

static block_type_table *types(void) { return &instrument_state.block_types; }

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
    block_type_table *t = types();
    if (!t->names) {
        t->names = own_map(sizeof(type_names), 1);
        if (!t->names)
            return NULL;
    }
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)name[i]) * 1099511628211ull;
    type_names *n = t->names;
    for (uint32_t probe = 0; probe < TYPE_NAME_SLOTS; probe++) {
        uint32_t at = (uint32_t)(h + probe) & (TYPE_NAME_SLOTS - 1);
        const char *have = n->slots[at];
        if (!have) {
            if (t->arena_used + len + 1 > TYPE_NAME_ARENA)
                return NULL;
            char *copy = n->arena + t->arena_used;
            memcpy(copy, name, len);
            copy[len] = 0;
            t->arena_used += (uint32_t)len + 1;
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
    if (!blocks_find(s->start, &info) || info.start != s->start || info.size != s->size ||
        info.trace_id != s->trace_id)
        return 0;
    if (now)
        *now = info;
    return 1;
}

/* Rehash into a table of `capacity` slots, dropping tombstones and stale annotations (lock held). */
static int type_table_resize(uint32_t capacity)
{
    block_type_table *t = types();
    type_slot *fresh = own_map((size_t)capacity * sizeof(type_slot), 0);
    if (!fresh)
        return -1;
    uint32_t used = 0;
    for (uint32_t i = 0; i < t->capacity; i++) {
        const type_slot *s = &t->slots[i];
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
    if (t->slots)
        own_unmap(t->slots, (size_t)t->capacity * sizeof(type_slot));
    t->slots = fresh;
    t->capacity = capacity;
    t->used = used;
    return 0;
}

/* The slot holding `start`, or NULL (lock held). */
static type_slot *type_slot_find(uint64_t start)
{
    block_type_table *t = types();
    if (!t->capacity)
        return NULL;
    uint32_t mask = t->capacity - 1;
    for (uint64_t h = hash_u64(start), n = 0; n < t->capacity; h++, n++) {
        type_slot *s = &t->slots[h & mask];
        if (s->start == start)
            return s;
        if (s->start == 0)
            return NULL;
    }
    return NULL;
}

int block_types_set(uint64_t address, const char *type_name)
{
    block_type_table *t = types();
    thread_state *thread = &thread_tls;
    size_t len = type_name ? strnlen(type_name, TYPE_NAME_MAX + 1) : 0;
    if (len > TYPE_NAME_MAX || address <= TYPE_SLOT_TOMBSTONE)
        return 0;
    invisible_block_info info;
    if (len > 0 && (!blocks_find(address, &info) || info.start != address))
        return 0;
    int done = 0;
    thread->guard.in_hook++;
    spinlock_acquire(&t->lock);
    type_slot *s = type_slot_find(address);
    if (len == 0) {
        if (s)
            s->start = TYPE_SLOT_TOMBSTONE;
        done = 1;
    } else {
        const char *name = intern_name(type_name, len);
        if (name && !s) {
            /* keep the load (live + tombstones) under 1/2: grow (or just clean) before inserting */
            if ((t->used + 1) * 2 > t->capacity) {
                uint32_t capacity = t->capacity ? t->capacity : TYPE_TABLE_MIN;
                while ((t->used + 1) * 2 > capacity)
                    capacity *= 2;
                if (type_table_resize(capacity) == 0 && (t->used + 1) * 4 > capacity)
                    type_table_resize(capacity * 2); /* still half full after dropping stale ones */
            }
            if ((t->used + 1) * 2 <= t->capacity) {
                uint32_t mask = t->capacity - 1;
                for (uint64_t h = hash_u64(address);; h++) {
                    type_slot *d = &t->slots[h & mask];
                    if (d->start <= TYPE_SLOT_TOMBSTONE) {
                        if (d->start == 0)
                            t->used++;
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
    spinlock_release(&t->lock);
    thread->guard.in_hook--;
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
    block_type_table *t = types();
    int found = 0;
    spinlock_acquire(&t->lock);
    type_slot *s = type_slot_find(address);
    if (s && annotation_current(s, NULL)) {
        found = 1;
        if (out)
            fill_type(s, out);
    }
    spinlock_release(&t->lock);
    return found;
}

/* The visitor runs outside the lock (it may be managed code that allocates or takes locks): the
 * live annotations are copied out in chunks first. */
uint64_t block_types_for_each(invisible_block_type_visitor visit, void *context)
{
    block_type_table *t = types();
    enum { CHUNK = 256 };
    invisible_block_type batch[CHUNK];
    uint64_t visited = 0;
    uint32_t next = 0;
    for (;;) {
        int n = 0;
        spinlock_acquire(&t->lock);
        while (next < t->capacity && n < CHUNK) {
            const type_slot *s = &t->slots[next++];
            if (s->start > TYPE_SLOT_TOMBSTONE && annotation_current(s, NULL))
                fill_type(s, &batch[n++]);
        }
        int more = next < t->capacity;
        spinlock_release(&t->lock);
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
void block_types_fork_prepare(void) { spinlock_acquire(&types()->lock); }
void block_types_fork_parent(void) { spinlock_release(&types()->lock); }
void block_types_fork_child(void) { spinlock_reset(&types()->lock); }
