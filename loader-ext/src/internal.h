/* internal.h — what the files of loader-ext share, grouped by the file that defines it. The
 * public interface is include/dlext.h; only loader-ext's own files include this one.
 *
 * Layers, lowest first: dlx_elf.c (the ELF image of a segment), dlx_debug.c (debuggers and
 * profilers), dlx_core.c (objects, segments, the registry: the API).
 */
#ifndef DLX_INTERNAL_H
#define DLX_INTERNAL_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

#include "dlext.h"

/* Memory: loader-ext allocates through glibc's own entry points, never through the malloc family
 * that libinvisible.so interposes. Its bookkeeping (objects, segments, JIT entries) is ours, not
 * the program's, and stays out of the program's census and leak report. (What libc and ld.so
 * allocate inside opendir and dlopen on its behalf goes through the interposers like any other
 * libc call; the loader's own blocks are recorded as the loader's.) */
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *ptr, size_t size);
void __libc_free(void *ptr);

/* ---- dlx_elf.c: the ELF image of one segment of a dlext object, and its live editing.
 *
 * Contract: a segment is an ET_DYN file whose file offsets equal its virtual addresses:
 *   [0, meta_end)        R    ELF header, phdrs, .dynamic, shdrs, .hash, .dynsym, .dynstr,
 *                             .eh_frame_hdr (+ sorted search table), .eh_frame
 *   [text_off, data_off) R-X  code space
 *   [data_off, total)    RW-  data space
 * PT_DYNAMIC is read-only (PF_R), so glibc (>= 2.35, l_ld_readonly) never writes into the
 * image; ld.so's MAP_PRIVATE mappings therefore keep showing what we write into the file
 * through our own MAP_SHARED mapping ("w" below, covering [0, data_off)).  glibc caches
 * pointers to the hash buckets/chain but reads DT_HASH's nchain, .dynsym and .dynstr live,
 * which is what makes dlsym/dladdr see symbols added after dlopen.
 *
 * Publication order (readers are lock-free: dlsym, dladdr, the libgcc unwinder): entry bytes
 * first, then the link that makes them reachable, with release stores.  Callers serialise
 * writers (one mutex per object).
 */

struct dlx_layout {
    size_t nbucket, symcap, strcap, fdecap, ehcap, codecap, datacap; /* inputs */
    size_t dyn_off, shstr_off, shdr_off, hash_off, sym_off, str_off, ehhdr_off, eh_off;
    size_t meta_end, text_off, data_off, total;                      /* outputs */
};

/* Live state of one segment's tables (protected by the owning object's mutex). */
struct dlx_tables {
    unsigned char *w;       /* our rw MAP_SHARED mapping of [0, data_off) */
    struct dlx_layout L;
    size_t nsyms;           /* entries in .dynsym, including the null symbol */
    size_t strused;         /* bytes used in .dynstr */
    size_t nfde;            /* entries in the eh_frame_hdr search table */
    size_t ehused;          /* bytes used in .eh_frame, excluding the zero terminator */
};

void dlx_layout_compute(struct dlx_layout *L);

/* Write the empty image (headers, CIE, DT_SONAME = soname) into t->w. */
void dlx_image_init(struct dlx_tables *t, const char *soname);

/* The ELF header fields every image of ours shares (x86-64, little-endian, SysV ABI). */
void dlx_ehdr_init(Elf64_Ehdr *e, uint16_t type, uint64_t shoff, uint16_t shnum, uint16_t shstrndx);

/* SysV ELF hash (what glibc uses for DT_HASH). */
uint32_t dlx_elf_hash(const char *name);

/* Index of sym in the table, 0 if absent. */
size_t dlx_sym_find(const struct dlx_tables *t, const char *name);

/* Append a global symbol.  shndx SHN_ABS means value is absolute; otherwise value is
 * relative to the load base.  Returns 0, or -1 (errno ENOSPC) when the table is full. */
int dlx_sym_add(struct dlx_tables *t, const char *name, uint64_t value, uint64_t size,
                unsigned char type, uint16_t shndx);

/* Append an FDE for [pc, pc+len) (pc relative to load base) with call-frame instructions
 * insns, and insert it into the sorted search table.  Returns 0 or -1 (ENOSPC). */
int dlx_fde_add(struct dlx_tables *t, uint64_t pc, uint64_t len, const unsigned char *insns,
                size_t ninsns);

/* Section indices inside the image. */
enum { DLX_SH_NULL, DLX_SH_HASH, DLX_SH_DYNSYM, DLX_SH_DYNSTR, DLX_SH_EHHDR, DLX_SH_EH,
       DLX_SH_DYNAMIC, DLX_SH_TEXT, DLX_SH_DATA, DLX_SH_SHSTRTAB, DLX_SH_NUM };

/* Call-frame instructions for the default frame-pointer prologue (push %rbp; mov %rsp,%rbp). */
extern const unsigned char dlx_cfi_framepointer[];
extern const size_t dlx_cfi_framepointer_len;
/* CIE initial instructions: CFA = rsp+8, RA (r16) at CFA-8. */
extern const unsigned char dlx_cie_initial[];
extern const size_t dlx_cie_initial_len;

/* ---- dlx_debug.c: telling debuggers and profilers about generated functions.
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
