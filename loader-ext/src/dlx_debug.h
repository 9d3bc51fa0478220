/* dlx_debug.h — telling debuggers and profilers about generated functions.
 *
 * GDB JIT interface (gdb manual "JIT Compilation Interface", version 1): one in-memory ELF
 * "symfile" per function, holding an SHT_NOBITS .text at the function's address, a .symtab
 * entry naming it and a .debug_frame FDE, linked into __jit_debug_descriptor followed by a call
 * to __jit_debug_register_code() (gdb keeps a breakpoint there).  Both symbols are exported with
 * default visibility so that, in a process that already has a JIT (one descriptor per process
 * is the protocol), the first definition in the link map is shared.
 *
 * perf map (linux tools/perf/Documentation/jit-interface.txt): lines "START SIZE name" (hex,
 * no 0x) appended to /tmp/perf-PID.map.
 *
 * Lock order: callers may hold an object mutex; the descriptor mutex here is innermost.
 */
#ifndef DLX_DEBUG_H
#define DLX_DEBUG_H

#include <stddef.h>
#include <stdint.h>

struct jit_code_entry;

/* Register a function; cfi == NULL && ncfi == 0 means "no frame changes".  Returns the entry
 * (to pass to dlx_gdbjit_remove) or NULL if disabled (INVISIBLE_DLEXT_GDBJIT=0) or out of
 * memory.  Does not fail otherwise. */
struct jit_code_entry *dlx_gdbjit_add(const char *name, uint64_t addr, uint64_t size,
                                      const unsigned char *cfi, size_t ncfi);
void dlx_gdbjit_remove(struct jit_code_entry *e);

/* Append a perf map line unless INVISIBLE_DLEXT_PERFMAP=0. */
void dlx_perfmap_add(uint64_t addr, uint64_t size, const char *name);

#endif
