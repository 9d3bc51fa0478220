/* dlx_elf.c — build and edit the ELF image of a dlext segment (internal.h, "dlx_elf.c"). */
#include "internal.h"

#include <errno.h>
#include <string.h>

#define PAGE 4096u
#define NPHDR 6
#define NDYN 8

static size_t align_up(size_t v, size_t a) { return (v + a - 1) & ~(a - 1); }

/* DW_CFA_def_cfa rsp(7), 8; DW_CFA_offset r16 (RA), 1*-8 */
const unsigned char dlx_cie_initial[] = {0x0c, 0x07, 0x08, 0x90, 0x01};
const size_t dlx_cie_initial_len = sizeof dlx_cie_initial;
/* after push %rbp (1 byte):  DW_CFA_advance_loc 1; def_cfa_offset 16; offset rbp(6) at 2*-8
 * after mov %rsp,%rbp (3):   DW_CFA_advance_loc 3; def_cfa_register rbp */
const unsigned char dlx_cfi_framepointer[] = {0x41, 0x0e, 0x10, 0x86, 0x02, 0x43, 0x0d, 0x06};
const size_t dlx_cfi_framepointer_len = sizeof dlx_cfi_framepointer;

static const char shstrtab[] =
    "\0.hash\0.dynsym\0.dynstr\0.eh_frame_hdr\0.eh_frame\0.dynamic\0.text\0.data\0.shstrtab";

void dlx_layout_compute(struct dlx_layout *L)
{
    L->dyn_off = 0x200;
    L->shstr_off = 0x300;
    L->shdr_off = 0x400;
    L->hash_off = PAGE;
    L->sym_off = align_up(L->hash_off + (2 + L->nbucket + L->symcap) * 4, PAGE);
    L->str_off = align_up(L->sym_off + L->symcap * sizeof(Elf64_Sym), PAGE);
    /* hdr at 8k+4 so that the (int32,int32) search-table pairs at hdr+12 are 8-aligned and
     * can be moved with single atomic 8-byte stores */
    L->ehhdr_off = align_up(L->str_off + L->strcap, PAGE) + 4;
    L->eh_off = align_up(L->ehhdr_off + 12 + L->fdecap * 8, 8);
    L->meta_end = align_up(L->eh_off + L->ehcap + 4, PAGE);
    L->text_off = L->meta_end;
    L->data_off = L->text_off + align_up(L->codecap, PAGE);
    L->total = L->data_off + align_up(L->datacap, PAGE);
}

static uint32_t *hash_words(const struct dlx_tables *t)
{
    return (uint32_t *)(t->w + t->L.hash_off);
}

static Elf64_Sym *symtab(const struct dlx_tables *t) { return (Elf64_Sym *)(t->w + t->L.sym_off); }

static Elf64_Shdr *shdrs(const struct dlx_tables *t) { return (Elf64_Shdr *)(t->w + t->L.shdr_off); }

void dlx_ehdr_init(Elf64_Ehdr *e, uint16_t type, uint64_t shoff, uint16_t shnum, uint16_t shstrndx)
{
    memcpy(e->e_ident, ELFMAG, SELFMAG);
    e->e_ident[EI_CLASS] = ELFCLASS64;
    e->e_ident[EI_DATA] = ELFDATA2LSB;
    e->e_ident[EI_VERSION] = EV_CURRENT;
    e->e_ident[EI_OSABI] = ELFOSABI_SYSV;
    e->e_type = type;
    e->e_machine = EM_X86_64;
    e->e_version = EV_CURRENT;
    e->e_shoff = shoff;
    e->e_ehsize = sizeof(Elf64_Ehdr);
    e->e_shentsize = sizeof(Elf64_Shdr);
    e->e_shnum = shnum;
    e->e_shstrndx = shstrndx;
}

static void write_ehdr(struct dlx_tables *t)
{
    Elf64_Ehdr *e = (Elf64_Ehdr *)t->w;
    dlx_ehdr_init(e, ET_DYN, t->L.shdr_off, DLX_SH_NUM, DLX_SH_SHSTRTAB);
    e->e_phoff = sizeof(Elf64_Ehdr);
    e->e_phentsize = sizeof(Elf64_Phdr);
    e->e_phnum = NPHDR;
}

static void set_phdr(Elf64_Phdr *p, uint32_t type, uint32_t flags, size_t off, size_t len,
                     size_t align)
{
    p->p_type = type;
    p->p_flags = flags;
    p->p_offset = p->p_vaddr = p->p_paddr = off;
    p->p_filesz = p->p_memsz = len; /* filesz == memsz: ld.so must never zero-fill (write) */
    p->p_align = align;
}

static void write_phdrs(struct dlx_tables *t)
{
    const struct dlx_layout *L = &t->L;
    Elf64_Phdr *p = (Elf64_Phdr *)(t->w + sizeof(Elf64_Ehdr));
    set_phdr(&p[0], PT_LOAD, PF_R, 0, L->meta_end, PAGE);
    set_phdr(&p[1], PT_LOAD, PF_R | PF_X, L->text_off, L->data_off - L->text_off, PAGE);
    set_phdr(&p[2], PT_LOAD, PF_R | PF_W, L->data_off, L->total - L->data_off, PAGE);
    set_phdr(&p[3], PT_DYNAMIC, PF_R, L->dyn_off, NDYN * sizeof(Elf64_Dyn), 8);
    set_phdr(&p[4], PT_GNU_EH_FRAME, PF_R, L->ehhdr_off, 12 + L->fdecap * 8, 4);
    set_phdr(&p[5], PT_GNU_STACK, PF_R | PF_W, 0, 0, 16);
    p[5].p_filesz = p[5].p_memsz = 0;
}

static void write_dynamic(struct dlx_tables *t)
{
    const struct dlx_layout *L = &t->L;
    Elf64_Dyn *d = (Elf64_Dyn *)(t->w + L->dyn_off);
    const Elf64_Dyn dyn[NDYN] = {
        {DT_SONAME, {1}},
        {DT_HASH, {L->hash_off}},
        {DT_STRTAB, {L->str_off}},
        {DT_SYMTAB, {L->sym_off}},
        {DT_STRSZ, {L->strcap}},
        {DT_SYMENT, {sizeof(Elf64_Sym)}},
        {DT_NULL, {0}},
        {DT_NULL, {0}},
    };
    memcpy(d, dyn, sizeof dyn);
}

static void set_shdr(Elf64_Shdr *s, uint32_t name, uint32_t type, uint64_t flags, size_t off,
                     size_t size, uint32_t link, uint32_t info, size_t align, size_t entsize)
{
    s->sh_name = name;
    s->sh_type = type;
    s->sh_flags = flags;
    s->sh_addr = (flags & SHF_ALLOC) ? off : 0;
    s->sh_offset = off;
    s->sh_size = size;
    s->sh_link = link;
    s->sh_info = info;
    s->sh_addralign = align;
    s->sh_entsize = entsize;
}

static uint32_t shname(const char *n)
{
    for (size_t i = 1; i < sizeof shstrtab; i += strlen(shstrtab + i) + 1)
        if (strcmp(shstrtab + i, n) == 0)
            return (uint32_t)i;
    return 0;
}

/* Section headers are for tools that read the file (gdb, readelf, perf); ld.so ignores them.
 * Sizes are kept current so a debugger attaching later sees every symbol. */
static void write_shdrs(struct dlx_tables *t)
{
    const struct dlx_layout *L = &t->L;
    Elf64_Shdr *s = shdrs(t);
    memset(s, 0, DLX_SH_NUM * sizeof *s);
    set_shdr(&s[DLX_SH_HASH], shname(".hash"), SHT_HASH, SHF_ALLOC, L->hash_off,
             (2 + L->nbucket + L->symcap) * 4, DLX_SH_DYNSYM, 0, 8, 4);
    set_shdr(&s[DLX_SH_DYNSYM], shname(".dynsym"), SHT_DYNSYM, SHF_ALLOC, L->sym_off,
             sizeof(Elf64_Sym), DLX_SH_DYNSTR, 1, 8, sizeof(Elf64_Sym));
    set_shdr(&s[DLX_SH_DYNSTR], shname(".dynstr"), SHT_STRTAB, SHF_ALLOC, L->str_off, 1, 0, 0, 1,
             0);
    set_shdr(&s[DLX_SH_EHHDR], shname(".eh_frame_hdr"), SHT_PROGBITS, SHF_ALLOC, L->ehhdr_off,
             12 + L->fdecap * 8, 0, 0, 4, 0);
    set_shdr(&s[DLX_SH_EH], shname(".eh_frame"), SHT_PROGBITS, SHF_ALLOC, L->eh_off, 4, 0, 0, 8,
             0);
    set_shdr(&s[DLX_SH_DYNAMIC], shname(".dynamic"), SHT_DYNAMIC, SHF_ALLOC, L->dyn_off,
             NDYN * sizeof(Elf64_Dyn), DLX_SH_DYNSTR, 0, 8, sizeof(Elf64_Dyn));
    /* .text is described with size 0 on purpose: gdb only accepts a minimal symbol for a pc
     * if it comes from the section that find_pc_section() picks, and a file section covering
     * the whole code space would hide the per-function GDB JIT symfiles' .text sections.
     * The PT_LOAD (what ld.so uses) covers the code space. */
    set_shdr(&s[DLX_SH_TEXT], shname(".text"), SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR,
             L->text_off, 0, 0, 0, 16, 0);
    set_shdr(&s[DLX_SH_DATA], shname(".data"), SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, L->data_off,
             L->total - L->data_off, 0, 0, 16, 0);
    set_shdr(&s[DLX_SH_SHSTRTAB], shname(".shstrtab"), SHT_STRTAB, 0, L->shstr_off,
             sizeof shstrtab, 0, 0, 1, 0);
    memcpy(t->w + L->shstr_off, shstrtab, sizeof shstrtab);
}

static void put32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }

/* CIE "zR", FDE pointers pcrel|sdata4, as gcc emits them. Returns its size. */
static size_t write_cie(unsigned char *p)
{
    static const unsigned char body[] = {
        0, 0, 0, 0,          /* CIE id */
        1,                   /* version */
        'z', 'R', 0,         /* augmentation */
        1,                   /* code alignment */
        0x78,                /* data alignment -8 */
        16,                  /* return address column */
        1, 0x1b,             /* augmentation data: FDE encoding pcrel|sdata4 */
    };
    size_t n = sizeof body;
    memcpy(p + 4, body, n);
    memcpy(p + 4 + n, dlx_cie_initial, dlx_cie_initial_len);
    n += dlx_cie_initial_len;
    size_t total = align_up(4 + n, 8);
    memset(p + 4 + n, 0 /* DW_CFA_nop */, total - 4 - n);
    put32(p, (uint32_t)(total - 4));
    return total;
}

static void write_eh(struct dlx_tables *t)
{
    const struct dlx_layout *L = &t->L;
    unsigned char *h = t->w + L->ehhdr_off;
    h[0] = 1;    /* version */
    h[1] = 0x1b; /* eh_frame_ptr: pcrel|sdata4 */
    h[2] = 0x03; /* fde_count: udata4 */
    h[3] = 0x3b; /* table: datarel|sdata4 (datarel base = the hdr) */
    put32(h + 4, (uint32_t)(int32_t)(L->eh_off - (L->ehhdr_off + 4)));
    put32(h + 8, 0);
    t->ehused = write_cie(t->w + L->eh_off);
    put32(t->w + L->eh_off + t->ehused, 0); /* terminator */
    t->nfde = 0;
}

void dlx_image_init(struct dlx_tables *t, const char *soname)
{
    write_ehdr(t);
    write_phdrs(t);
    write_dynamic(t);
    write_shdrs(t);
    uint32_t *hw = hash_words(t);
    hw[0] = (uint32_t)t->L.nbucket;
    hw[1] = 1;
    t->w[t->L.str_off] = 0;
    size_t n = strlen(soname) + 1;
    memcpy(t->w + t->L.str_off + 1, soname, n);
    t->strused = 1 + n;
    t->nsyms = 1;
    shdrs(t)[DLX_SH_DYNSTR].sh_size = t->strused;
    write_eh(t);
}

uint32_t dlx_elf_hash(const char *name)
{
    uint32_t h = 0, g;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h = (h << 4) + *p;
        g = h & 0xf0000000u;
        if (g)
            h ^= g >> 24;
        h &= ~g;
    }
    return h;
}

size_t dlx_sym_find(const struct dlx_tables *t, const char *name)
{
    const uint32_t *hw = hash_words(t);
    const uint32_t *bucket = hw + 2, *chain = hw + 2 + t->L.nbucket;
    const Elf64_Sym *st = symtab(t);
    const char *str = (const char *)t->w + t->L.str_off;
    for (uint32_t i = bucket[dlx_elf_hash(name) % t->L.nbucket]; i != 0; i = chain[i])
        if (strcmp(str + st[i].st_name, name) == 0)
            return i;
    return 0;
}

int dlx_sym_add(struct dlx_tables *t, const char *name, uint64_t value, uint64_t size,
                unsigned char type, uint16_t shndx)
{
    size_t len = strlen(name) + 1;
    if (t->nsyms >= t->L.symcap || t->strused + len > t->L.strcap) {
        errno = ENOSPC;
        return -1;
    }
    uint32_t idx = (uint32_t)t->nsyms;
    memcpy(t->w + t->L.str_off + t->strused, name, len);
    Elf64_Sym *s = &symtab(t)[idx];
    s->st_name = (uint32_t)t->strused;
    s->st_info = ELF64_ST_INFO(STB_GLOBAL, type);
    s->st_other = STV_DEFAULT;
    s->st_shndx = shndx;
    s->st_value = value;
    s->st_size = size;
    t->strused += len;
    /* Publish: chain link, then bucket head (dlsym), then nchain (dladdr's scan bound). */
    uint32_t *hw = hash_words(t);
    uint32_t *bucket = hw + 2, *chain = hw + 2 + t->L.nbucket;
    uint32_t b = dlx_elf_hash(name) % (uint32_t)t->L.nbucket;
    __atomic_store_n(&chain[idx], bucket[b], __ATOMIC_RELEASE);
    __atomic_store_n(&bucket[b], idx, __ATOMIC_RELEASE);
    __atomic_store_n(&hw[1], idx + 1, __ATOMIC_RELEASE);
    t->nsyms++;
    shdrs(t)[DLX_SH_DYNSYM].sh_size = t->nsyms * sizeof(Elf64_Sym);
    shdrs(t)[DLX_SH_DYNSTR].sh_size = t->strused;
    return 0;
}

static unsigned char *uleb(unsigned char *p, uint64_t v)
{
    do {
        unsigned char c = v & 0x7f;
        v >>= 7;
        *p++ = c | (v ? 0x80 : 0);
    } while (v);
    return p;
}

/* Insert (pc, fde) into the search table keeping it sorted.  Entries move up one at a time
 * with 8-byte atomic stores, so a concurrent binary search always sees a sorted table (with
 * at most one duplicated entry) of the old count; the count is published last. */
static void table_insert(struct dlx_tables *t, int32_t pc_rel, int32_t fde_rel)
{
    unsigned char *hdr = t->w + t->L.ehhdr_off;
    uint64_t *tab = (uint64_t *)(hdr + 12);
    size_t i = t->nfde;
    uint64_t ent = (uint32_t)pc_rel | ((uint64_t)(uint32_t)fde_rel << 32);
    while (i > 0 && (int32_t)(uint32_t)tab[i - 1] > pc_rel) {
        __atomic_store_n(&tab[i], tab[i - 1], __ATOMIC_RELEASE);
        i--;
    }
    __atomic_store_n(&tab[i], ent, __ATOMIC_RELEASE);
    t->nfde++;
    __atomic_store_n((uint32_t *)(hdr + 8), (uint32_t)t->nfde, __ATOMIC_RELEASE);
}

int dlx_fde_add(struct dlx_tables *t, uint64_t pc, uint64_t len, const unsigned char *insns,
                size_t ninsns)
{
    const struct dlx_layout *L = &t->L;
    size_t need = align_up(4 + 4 + 4 + 4 + 1 + ninsns, 8);
    if (t->nfde >= L->fdecap || t->ehused + need + 4 > L->ehcap || len > INT32_MAX) {
        errno = ENOSPC;
        return -1;
    }
    size_t fde_off = L->eh_off + t->ehused; /* file offset == vaddr */
    unsigned char *f = t->w + fde_off;
    unsigned char body[64 + 256];
    unsigned char *p = body;
    put32(p, (uint32_t)(fde_off + 4 - L->eh_off)); /* CIE pointer: back to the CIE at eh_off */
    p += 4;
    put32(p, (uint32_t)(int32_t)((int64_t)pc - (int64_t)(fde_off + 8))); /* pcrel pc_begin */
    p += 4;
    put32(p, (uint32_t)len);
    p += 4;
    p = uleb(p, 0); /* augmentation data length */
    if (ninsns > 256) {
        errno = EINVAL;
        return -1;
    }
    memcpy(p, insns, ninsns);
    p += ninsns;
    size_t blen = (size_t)(p - body);
    memcpy(f + 4, body, blen);
    memset(f + 4 + blen, 0, need - 4 - blen);
    put32(f + need, 0); /* new terminator before the length makes the FDE reachable */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    put32(f, (uint32_t)(need - 4));
    t->ehused += need;
    table_insert(t, (int32_t)((int64_t)pc - (int64_t)L->ehhdr_off),
                 (int32_t)((int64_t)fde_off - (int64_t)L->ehhdr_off));
    shdrs(t)[DLX_SH_EH].sh_size = t->ehused + 4;
    return 0;
}
