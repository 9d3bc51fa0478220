/* query.c — the invisible_query_api table handed to the runtime (query.h): each entry is the
 * function of the layer that owns it; only live_totals and write_report are made here. */
#define _GNU_SOURCE
#include "internal.h"

static int count_block(const invisible_block_info *block, void *context)
{
    uint64_t *totals = context;
    totals[0]++;
    totals[1] += block->size;
    return 0;
}

/* Counted by walking (the hot path keeps no counters: they would cost shared-line writes or a
 * slot lookup on every pair). */
static void query_live_totals(uint64_t *blocks, uint64_t *bytes)
{
    uint64_t totals[2] = { 0, 0 };
    blocks_for_each(count_block, totals);
    if (blocks)
        *blocks = totals[0];
    if (bytes)
        *bytes = totals[1];
}

/* Until the embedder says where reports go, there is nowhere to write. */
static void write_nothing(const char *text, uint64_t length)
{
}

void invisible_query_set_report_writer(void (*write_report)(const char *text, uint64_t length))
{
    instrument_state.query.write_report = write_report ? write_report : write_nothing;
}

void invisible_query_set_free_history(uint64_t (*free_history)(int on),
                                      int (*freed_block)(uint64_t address, invisible_freed_block *out))
{
    instrument_state.query.free_history = free_history;
    instrument_state.query.freed_block = freed_block;
}

const invisible_query_api *invisible_query_table(void)
{
    invisible_query_api *q = &instrument_state.query;
    q->version = INVISIBLE_QUERY_VERSION;
    q->struct_size = sizeof *q;
    q->find_block = blocks_find;
    q->for_each_block = blocks_for_each;
    q->live_totals = query_live_totals;
    q->trace_frames = trace_frames;
    q->leak_check = leakcheck_run;
    if (!q->write_report)
        q->write_report = write_nothing;
    q->thread_backtraces = thread_backtraces;
    q->set_block_type = block_types_set;
    q->block_type = block_types_get;
    q->for_each_block_type = block_types_for_each;
    q->program_alloc = hooks_program_alloc;
    q->program_free = hooks_program_free;
    q->profile = profile_read;
    return q;
}
