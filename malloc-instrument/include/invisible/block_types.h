/* block_types.h — type annotations of live blocks, for the census and leak records.
 *
 * What a program (or DwarfPython, for the objects it makes) says a block is, by name ("struct
 * stat", "int[5]"). An annotation belongs to its block: it counts only while the live block at
 * `start` has the size and trace it had when annotated. The table is a side structure that only
 * these functions read: malloc and free never look at it, so annotating costs the hot paths
 * nothing, and a freed block's annotation is ignored (then dropped on the next resize) rather
 * than removed at free time. Thread-safe (one spinlock); not async-signal-safe.
 */
#ifndef INVISIBLE_BLOCK_TYPES_H
#define INVISIBLE_BLOCK_TYPES_H

#include <stdint.h>

#include "invisible/query.h"
#include "invisible/spinlock.h"

#define TYPE_SLOT_TOMBSTONE 1ull
#define TYPE_NAME_MAX 255
#define TYPE_NAME_SLOTS 4096u            /* distinct type names */
#define TYPE_NAME_ARENA (1u << 20)       /* bytes of interned names */
#define TYPE_TABLE_MIN 1024u

typedef struct type_slot {
    uint64_t start;                      /* 0 empty, TYPE_SLOT_TOMBSTONE removed */
    uint64_t size;
    uint32_t trace_id;
    uint32_t unused;
    const char *name;
} type_slot;

typedef struct type_names {
    const char *slots[TYPE_NAME_SLOTS];
    char arena[TYPE_NAME_ARENA];
} type_names;

typedef struct block_type_table {
    invisible_spinlock lock;
    type_slot *slots;
    uint32_t capacity;                   /* power of two, 0 before first use */
    uint32_t used;                       /* live + tombstones */
    type_names *names;
    uint32_t arena_used;
} block_type_table;

/* Annotate the live block starting at `address` with `type_name` (at most 255 bytes, interned);
 * NULL or "" removes it. 1 when done, 0 when no live block starts there or a table is full. */
int block_types_set(uint64_t address, const char *type_name);

/* The annotation of the live block starting at `address`: 1 and `out` filled, or 0. */
int block_types_get(uint64_t address, invisible_block_type *out);

/* Visit every annotation whose block is still live (outside the lock); returns the number visited. */
uint64_t block_types_for_each(invisible_block_type_visitor visit, void *context);

void block_types_fork_prepare(void);
void block_types_fork_parent(void);
void block_types_fork_child(void);

/* The live block containing `address` (query.c: the memtable, then the nurseries). */
int query_find_live_block(uint64_t address, invisible_block_info *out);

#endif
