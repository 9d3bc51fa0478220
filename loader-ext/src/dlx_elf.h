/* dlx_elf.h — the ELF image of one segment of a dlext object, and its live editing.
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
#ifndef DLX_ELF_H
#define DLX_ELF_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

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

#endif
