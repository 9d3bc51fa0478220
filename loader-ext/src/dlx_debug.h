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

/* The functions of one dlext object, registered with gdb as a log-structured set of JIT
 * entries: each new function is registered alone (level 0); when a level holds DLX_JIT_FANOUT
 * entries they are unregistered and replaced by one entry covering all their functions, one
 * level up.  gdb's cost per JIT event grows with the number of JIT objfiles (measured: 10 000
 * single-function entries take 143 s to load when gdb runs the program), so this keeps the
 * objfile count logarithmic at the price of re-registering each function once per level.
 * Each function keeps its own .text section in a merged symfile: gdb drops overlapping
 * sections, so sections must cover exactly one function.  Caller serialises (object mutex). */
#define DLX_JIT_FANOUT 16
#define DLX_JIT_LEVELS 4 /* entries at the top level are never merged (<= 16^3 functions each) */

struct dlx_jitfn {
    char *name;
    uint64_t addr, size;
    unsigned char *cfi; /* malloc'd copy */
    size_t ncfi;
};

struct dlx_jitset {
    struct dlx_jitfn *fns;
    size_t nfns, cap;
    struct dlx_jitent { struct jit_code_entry *e; size_t lo, hi; } *lv[DLX_JIT_LEVELS];
    size_t nlv[DLX_JIT_LEVELS], caplv[DLX_JIT_LEVELS];
};

/* Register a function (cfi == NULL && ncfi == 0: "no frame changes").  No-op when
 * INVISIBLE_DLEXT_GDBJIT=0; out of memory only loses debuggability. */
void dlx_jitset_add(struct dlx_jitset *js, const char *name, uint64_t addr, uint64_t size,
                    const unsigned char *cfi, size_t ncfi);
/* Unregister everything and free. */
void dlx_jitset_clear(struct dlx_jitset *js);

/* Append a perf map line unless INVISIBLE_DLEXT_PERFMAP=0. */
void dlx_perfmap_add(uint64_t addr, uint64_t size, const char *name);

#endif
