/* leakcheck.h — conservative reachability, with valgrind memcheck's categories.
 *
 * Roots: writable PT_LOAD segments of every loaded object except ours; anonymous writable
 * mappings that hold no heap block and are not thread stacks (e.g. an interpreter's own
 * arenas); each thread's live stack [sp - red zone, top) and registers; each thread's static
 * TLS and thread control block (pthread-specific data included). Only 8-byte aligned words are
 * candidate pointers. For the exiting thread the live stack starts at the frame that called
 * exit (or returned from main), so pointers left in dead frames are not roots.
 *
 * Marking follows memcheck: a block reached through its start address from a definite source
 * is still reachable; reached only through interior pointers (or from possibly-lost blocks) it
 * is possibly lost. Unreached blocks are then visited in address order; each one reached from
 * another unreached block becomes indirectly lost and its size counts toward that clique
 * leader, which is definitely lost. A self-pointer therefore keeps nothing alive.
 */
#ifndef INVISIBLE_LEAKCHECK_H
#define INVISIBLE_LEAKCHECK_H

#include <stdint.h>

#include "invisible/query.h"

/* Exiting thread's live stack bound, set by the exit/main interposers (0 = unknown: use the
 * current stack pointer). */
void leakcheck_set_exit_stack(uint64_t low_address);

/* Run a full check (stops and resumes the world). NULL if it could not run. */
const invisible_leak_summary *leakcheck_run(void);

/* The query table handed to the runtime (filled on first call). */
const invisible_query_api *invisible_query_table(void);

#endif
