/* blocks.c — any live block, wherever it is recorded: the memtable (its chains and its large
 * index) or a thread's nursery. What the query table's find_block and for_each_block answer,
 * and what the type annotations check their blocks against. Read while the program runs: see
 * query.h for what a concurrent allocation or free may do to a walk. */
#define _GNU_SOURCE
#include "internal.h"

static void fill_info(uint32_t index, invisible_block_info *out)
{
    memtable_record r = memtable_record_at(index);
    out->start = r.start;
    out->size = r.size;
    out->trace_id = r.trace_id;
    out->flags = (r.flags & RECORD_LARGE) ? INVISIBLE_BLOCK_LARGE : 0;
}

int blocks_find(uint64_t address, invisible_block_info *out)
{
    thread_state *thread = &thread_tls;
    guard_enter(thread, 1); /* bucket locks: a short section */
    uint32_t index = memtable_find(address, 1);
    if (index && out)
        fill_info(index, out);
    memtable_record young;
    int found = index != 0;
    if (!found && nursery_find_any(address, &young)) {
        found = 1;
        if (out) {
            out->start = young.start;
            out->size = young.size;
            out->trace_id = young.trace_id;
            out->flags = 0;
        }
    }
    guard_leave(thread, 1);
    return found;
}

/* Walks the record pool: every live record is visited once, whatever bucket it is in. */
uint64_t blocks_for_each(invisible_block_visitor visit, void *context)
{
    uint64_t visited = 0;
    if (!instrument_state.table.ready)
        return 0;
    uint32_t limit = memtable_record_limit();
    for (uint32_t i = 1; i < limit; i++) {
        if (!memtable_record_live(i))
            continue;
        invisible_block_info info;
        fill_info(i, &info);
        if (!memtable_record_live(i)) /* freed meanwhile */
            continue;
        visited++;
        if (visit(&info, context))
            return visited;
    }
    /* Young blocks still in their threads' nurseries (read without stopping anyone; a block
     * moved to the table during the walk may be seen twice or not at all). */
    return visited + nursery_for_each(visit, context);
}
