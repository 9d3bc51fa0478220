/* trace.h — interned allocation-site traces.
 *
 * A trace is the list of return addresses (innermost first, depth 1..INVISIBLE_MAX_DEPTH) at
 * an allocation. Equal traces get the same 32-bit id, so a block record carries 4 bytes of
 * site information whatever the depth.
 *
 * Concurrency: the table is insert-only. A new trace's storage is written completely, then
 * published with one CAS on its hash slot; readers (and the per-thread cache) therefore never
 * see a partial trace, and lookups take no lock. Ids and storage are never reused.
 */
#ifndef INVISIBLE_TRACE_H
#define INVISIBLE_TRACE_H

#include <stdatomic.h>
#include <stdint.h>

#include "invisible/thread_state.h"

#define TRACE_TABLE_SLOTS (1u << 22)        /* open addressing, ids; 16 MiB reserved */
#define TRACE_STORAGE_WORDS (1ull << 27)    /* 1 GiB of return addresses reserved */
#define TRACE_MAX_COUNT (1u << 22)

typedef struct trace_table {
    _Atomic uint32_t *slots;      /* TRACE_TABLE_SLOTS ids, 0 = empty */
    uint64_t *storage;            /* per trace: header word (hash<<8 | depth), then pcs */
    uint64_t *offsets;            /* id -> word offset of its header in storage */
    _Atomic uint64_t storage_top;
    _Atomic uint32_t id_top;      /* next id; 0 is "no trace" */
    _Atomic uint32_t dropped;     /* traces not interned because the table was full */
    int ready;
} trace_table;

int trace_table_init(void);

/* Intern `depth` return addresses; returns the id (0 if the table is full). Lock-free. */
uint32_t trace_intern(invisible_thread *thread, const uint64_t *pcs, int depth);

/* Copy up to `max` pcs of trace `id`; returns the depth copied (0 for an unknown id). */
int trace_frames(uint32_t id, uint64_t *pcs, int max);

/* Number of distinct traces interned so far. */
uint32_t trace_count(void);

#endif
