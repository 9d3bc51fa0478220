/* query.c — the invisible_query_api table handed to the runtime (see query.h). */
#define _GNU_SOURCE
#include "invisible/query.h"

#include "invisible/leakcheck.h"
#include "invisible/memtable.h"
#include "invisible/nursery.h"
#include "invisible/rawlibc.h"
#include "invisible/state.h"
#include "invisible/trace.h"

static void fill_info(uint32_t index, invisible_block_info *out)
{
    const memtable_record *r = memtable_record_at(index);
    out->start = r->start;
    out->size = r->size;
    out->trace_id = r->trace_id;
    out->flags = (r->flags & RECORD_LARGE) ? INVISIBLE_BLOCK_LARGE : 0;
}

static int query_find_block(uint64_t address, invisible_block_info *out)
{
    invisible_thread *thread = &invisible_tls;
    thread->in_hook++;
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
    thread->in_hook--;
    return found;
}

/* Walks the record pool: every live record is visited once, whatever bucket it is in. */
static uint64_t query_for_each_block(invisible_block_visitor visit, void *context)
{
    uint64_t visited = 0;
    if (!invisible_state.table.ready)
        return 0;
    uint32_t limit = memtable_record_limit();
    for (uint32_t i = 1; i < limit; i++) {
        const memtable_record *r = memtable_record_at(i);
        if (!(r->flags & RECORD_LIVE))
            continue;
        invisible_block_info info;
        fill_info(i, &info);
        if (!(r->flags & RECORD_LIVE)) /* freed meanwhile */
            continue;
        visited++;
        if (visit(&info, context))
            return visited;
    }
    /* Young blocks still in their threads' nurseries (read without stopping anyone; a block
     * moved to the table during the walk may be seen twice or not at all). */
    return visited + nursery_for_each(visit, context);
}

static void query_live_totals(uint64_t *blocks, uint64_t *bytes)
{
    uint64_t allocated_blocks = 0, allocated_bytes = 0, freed_blocks = 0, freed_bytes = 0;
    thread_registry *r = &invisible_state.threads;
    uint32_t top = r->slots ? atomic_load(&r->slot_top) : 0;
    if (top > THREAD_SLOT_CAPACITY)
        top = THREAD_SLOT_CAPACITY;
    for (uint32_t i = 0; i < top; i++) {
        allocated_blocks += r->slots[i].allocated_blocks;
        allocated_bytes += r->slots[i].allocated_bytes;
        freed_blocks += r->slots[i].freed_blocks;
        freed_bytes += r->slots[i].freed_bytes;
    }
    if (blocks)
        *blocks = allocated_blocks - freed_blocks;
    if (bytes)
        *bytes = allocated_bytes - freed_bytes;
}

static int query_trace_frames(uint32_t trace_id, uint64_t *pcs, int max)
{
    return trace_frames(trace_id, pcs, max);
}

static void query_write_report(const char *text, uint64_t length)
{
    raw_write_all(invisible_state.report_fd, text, (size_t)length);
}

const invisible_query_api *invisible_query_table(void)
{
    invisible_query_api *q = &invisible_state.query;
    q->version = INVISIBLE_QUERY_VERSION;
    q->struct_size = sizeof *q;
    q->find_block = query_find_block;
    q->for_each_block = query_for_each_block;
    q->live_totals = query_live_totals;
    q->trace_frames = query_trace_frames;
    q->leak_check = leakcheck_run;
    q->write_report = query_write_report;
    return q;
}
