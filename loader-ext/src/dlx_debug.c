/* dlx_debug.c — GDB JIT interface and perf map (internal.h, "dlx_debug.c"). */
#define _GNU_SOURCE
#include "internal.h"

#include <elf.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- GDB JIT interface: layout fixed by gdb (gdb/jit.h, version 1) ---- */
typedef enum { JIT_NOACTION = 0, JIT_REGISTER_FN, JIT_UNREGISTER_FN } jit_actions_t;

struct jit_code_entry {
    struct jit_code_entry *next_entry;
    struct jit_code_entry *prev_entry;
    const char *symfile_addr;
    uint64_t symfile_size;
};

struct jit_descriptor {
    uint32_t version;
    uint32_t action_flag;
    struct jit_code_entry *relevant_entry;
    struct jit_code_entry *first_entry;
};

__attribute__((visibility("default"))) struct jit_descriptor __jit_debug_descriptor = {1, 0, 0, 0};

__attribute__((visibility("default"), noinline)) void __jit_debug_register_code(void)
{
    __asm__ volatile("" ::: "memory"); /* gdb's breakpoint site: must not be elided */
}

static pthread_mutex_t jit_mu = PTHREAD_MUTEX_INITIALIZER;

static int env_enabled(const char *var)
{
    const char *v = getenv(var);
    return !(v && v[0] == '0' && v[1] == 0);
}

static size_t align8(size_t v) { return (v + 7) & ~(size_t)7; }

/* .debug_frame CIE (DWARF 2 style, absolute 8-byte addresses: position independent). */
static size_t put_cie(unsigned char *p)
{
    uint32_t id = 0xffffffffu;
    memcpy(p + 4, &id, 4);
    size_t n = 8;
    p[n++] = 1;    /* version */
    p[n++] = 0;    /* augmentation "" */
    p[n++] = 1;    /* code alignment */
    p[n++] = 0x78; /* data alignment -8 */
    p[n++] = 16;   /* RA column */
    memcpy(p + n, dlx_cie_initial, dlx_cie_initial_len);
    n += dlx_cie_initial_len;
    size_t cie = align8(n);
    memset(p + n, 0, cie - n);
    uint32_t len = (uint32_t)(cie - 4);
    memcpy(p, &len, 4);
    return cie;
}

static size_t put_fde(unsigned char *f, const struct dlx_jitfn *fn)
{
    uint32_t cieptr = 0;
    memcpy(f + 4, &cieptr, 4);
    memcpy(f + 8, &fn->addr, 8);
    memcpy(f + 16, &fn->size, 8);
    if (fn->ncfi)
        memcpy(f + 24, fn->cfi, fn->ncfi);
    size_t fde = align8(24 + fn->ncfi);
    memset(f + 24 + fn->ncfi, 0, fde - 24 - fn->ncfi);
    uint32_t len = (uint32_t)(fde - 4);
    memcpy(f, &len, 4);
    return fde;
}

/* Section layout of a symfile for k functions: [0] null, [1..k] .text (one per function,
 * SHT_NOBITS at its address), then .debug_frame, .symtab, .strtab, .shstrtab. */
static const char js_names[] = "\0.text\0.debug_frame\0.symtab\0.strtab\0.shstrtab";
enum { JN_TEXT = 1, JN_FRAME = 7, JN_SYMTAB = 20, JN_STRTAB = 28, JN_SHSTRTAB = 36 };

static Elf64_Shdr js_shdr(uint32_t name, uint32_t type, uint64_t flags, uint64_t addr,
                          size_t off, size_t size, uint32_t link, uint32_t info, size_t entsize)
{
    return (Elf64_Shdr){.sh_name = name, .sh_type = type, .sh_flags = flags, .sh_addr = addr,
                        .sh_offset = off, .sh_size = size, .sh_link = link, .sh_info = info,
                        .sh_addralign = 8, .sh_entsize = entsize};
}

/* A minimal ET_EXEC symfile (gdb's JIT reader takes section addresses as absolute). */
static unsigned char *build_symfile(const struct dlx_jitfn *fns, size_t k, size_t *out_len)
{
    size_t frame_sz = 64, str_sz = 1;
    for (size_t i = 0; i < k; i++) {
        frame_sz += align8(24 + fns[i].ncfi);
        str_sz += strlen(fns[i].name) + 1;
    }
    size_t nsec = k + 5;
    size_t frame_off = sizeof(Elf64_Ehdr);
    size_t sym_off = align8(frame_off + frame_sz);
    size_t str_off = sym_off + (k + 1) * sizeof(Elf64_Sym);
    size_t shstr_off = str_off + str_sz;
    size_t sh_off = align8(shstr_off + sizeof js_names);
    size_t total = sh_off + nsec * sizeof(Elf64_Shdr);
    unsigned char *b = __libc_calloc(1, total);
    if (!b)
        return NULL;
    size_t fl = put_cie(b + frame_off);
    Elf64_Sym *sym = (Elf64_Sym *)(b + sym_off);
    char *str = (char *)b + str_off;
    Elf64_Shdr *sh = (Elf64_Shdr *)(b + sh_off);
    size_t so = 1;
    for (size_t i = 0; i < k; i++) {
        fl += put_fde(b + frame_off + fl, &fns[i]);
        size_t nl = strlen(fns[i].name) + 1;
        memcpy(str + so, fns[i].name, nl);
        sym[i + 1] = (Elf64_Sym){.st_name = (uint32_t)so,
                                 .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC),
                                 .st_shndx = (uint16_t)(1 + i), .st_value = fns[i].addr,
                                 .st_size = fns[i].size};
        so += nl;
        sh[1 + i] = js_shdr(JN_TEXT, SHT_NOBITS, SHF_ALLOC | SHF_EXECINSTR, fns[i].addr,
                            frame_off, fns[i].size, 0, 0, 0);
    }
    memcpy(b + shstr_off, js_names, sizeof js_names);
    sh[k + 1] = js_shdr(JN_FRAME, SHT_PROGBITS, 0, 0, frame_off, fl, 0, 0, 0);
    sh[k + 2] = js_shdr(JN_SYMTAB, SHT_SYMTAB, 0, 0, sym_off, (k + 1) * sizeof(Elf64_Sym),
                        (uint32_t)(k + 3), 1, sizeof(Elf64_Sym));
    sh[k + 3] = js_shdr(JN_STRTAB, SHT_STRTAB, 0, 0, str_off, str_sz, 0, 0, 0);
    sh[k + 4] = js_shdr(JN_SHSTRTAB, SHT_STRTAB, 0, 0, shstr_off, sizeof js_names, 0, 0, 0);
    dlx_ehdr_init((Elf64_Ehdr *)b, ET_EXEC, sh_off, (uint16_t)nsec, (uint16_t)(k + 4));
    *out_len = total;
    return b;
}

static struct jit_code_entry *jit_register(const struct dlx_jitfn *fns, size_t k)
{
    struct jit_code_entry *e = __libc_calloc(1, sizeof *e);
    size_t len = 0;
    unsigned char *sf = e ? build_symfile(fns, k, &len) : NULL;
    if (!sf) {
        __libc_free(e);
        return NULL;
    }
    e->symfile_addr = (const char *)sf;
    e->symfile_size = len;
    pthread_mutex_lock(&jit_mu);
    e->next_entry = __jit_debug_descriptor.first_entry;
    if (e->next_entry)
        e->next_entry->prev_entry = e;
    __jit_debug_descriptor.first_entry = e;
    __jit_debug_descriptor.relevant_entry = e;
    __jit_debug_descriptor.action_flag = JIT_REGISTER_FN;
    __jit_debug_register_code();
    __jit_debug_descriptor.action_flag = JIT_NOACTION;
    pthread_mutex_unlock(&jit_mu);
    return e;
}

static void jit_unregister(struct jit_code_entry *e)
{
    if (!e)
        return;
    pthread_mutex_lock(&jit_mu);
    if (e->prev_entry)
        e->prev_entry->next_entry = e->next_entry;
    else
        __jit_debug_descriptor.first_entry = e->next_entry;
    if (e->next_entry)
        e->next_entry->prev_entry = e->prev_entry;
    __jit_debug_descriptor.relevant_entry = e;
    __jit_debug_descriptor.action_flag = JIT_UNREGISTER_FN;
    __jit_debug_register_code();
    __jit_debug_descriptor.action_flag = JIT_NOACTION;
    __jit_debug_descriptor.relevant_entry = NULL;
    pthread_mutex_unlock(&jit_mu);
    __libc_free((void *)e->symfile_addr);
    __libc_free(e);
}

static int level_push(struct dlx_jitset *js, int l, struct jit_code_entry *e, size_t lo,
                      size_t hi)
{
    if (js->nlv[l] == js->caplv[l]) {
        size_t nc = js->caplv[l] ? js->caplv[l] * 2 : DLX_JIT_FANOUT;
        struct dlx_jitent *n = __libc_realloc(js->lv[l], nc * sizeof *n);
        if (!n)
            return -1;
        js->lv[l] = n;
        js->caplv[l] = nc;
    }
    js->lv[l][js->nlv[l]++] = (struct dlx_jitent){e, lo, hi};
    return 0;
}

/* Merge a full level into one entry one level up.  Entries of a level cover consecutive
 * function ranges, oldest first. */
static void maybe_merge(struct dlx_jitset *js)
{
    for (int l = 0; l + 1 < DLX_JIT_LEVELS && js->nlv[l] >= DLX_JIT_FANOUT; l++) {
        size_t lo = js->lv[l][0].lo, hi = js->lv[l][js->nlv[l] - 1].hi;
        struct jit_code_entry *m = jit_register(js->fns + lo, hi - lo);
        if (!m || level_push(js, l + 1, m, lo, hi) != 0) {
            jit_unregister(m); /* keep the small entries: still correct, just more of them */
            return;
        }
        for (size_t i = 0; i < js->nlv[l]; i++)
            jit_unregister(js->lv[l][i].e);
        js->nlv[l] = 0;
    }
}

void dlx_jitset_add(struct dlx_jitset *js, const char *name, uint64_t addr, uint64_t size,
                    const unsigned char *cfi, size_t ncfi)
{
    static int enabled = -1;
    if (enabled < 0)
        enabled = env_enabled("INVISIBLE_DLEXT_GDBJIT");
    if (!enabled)
        return;
    if (js->nfns == js->cap) {
        size_t nc = js->cap ? js->cap * 2 : 64;
        struct dlx_jitfn *n = __libc_realloc(js->fns, nc * sizeof *n);
        if (!n)
            return;
        js->fns = n;
        js->cap = nc;
    }
    struct dlx_jitfn *f = &js->fns[js->nfns];
    size_t name_length = strlen(name) + 1;
    f->name = __libc_malloc(name_length);
    if (f->name)
        memcpy(f->name, name, name_length);
    f->cfi = ncfi ? __libc_malloc(ncfi) : NULL;
    if (!f->name || (ncfi && !f->cfi)) {
        __libc_free(f->name);
        __libc_free(f->cfi);
        return;
    }
    if (ncfi)
        memcpy(f->cfi, cfi, ncfi);
    f->ncfi = ncfi;
    f->addr = addr;
    f->size = size;
    struct jit_code_entry *e = jit_register(f, 1);
    if (!e || level_push(js, 0, e, js->nfns, js->nfns + 1) != 0) {
        jit_unregister(e);
        __libc_free(f->name);
        __libc_free(f->cfi);
        return;
    }
    js->nfns++;
    maybe_merge(js);
}

void dlx_jitset_clear(struct dlx_jitset *js)
{
    for (int l = DLX_JIT_LEVELS - 1; l >= 0; l--) {
        for (size_t i = js->nlv[l]; i-- > 0;)
            jit_unregister(js->lv[l][i].e);
        __libc_free(js->lv[l]);
    }
    for (size_t i = 0; i < js->nfns; i++) {
        __libc_free(js->fns[i].name);
        __libc_free(js->fns[i].cfi);
    }
    __libc_free(js->fns);
    memset(js, 0, sizeof *js);
}

/* ---- perf map ---- */
static pthread_mutex_t perf_mu = PTHREAD_MUTEX_INITIALIZER;
static int perf_fd = -2; /* -2: not opened yet, -1: disabled or failed */
static pid_t perf_pid;

void dlx_perfmap_add(uint64_t addr, uint64_t size, const char *name)
{
    pthread_mutex_lock(&perf_mu);
    if (perf_fd >= 0 && perf_pid != getpid()) { /* forked child: its own file */
        close(perf_fd);
        perf_fd = -2;
    }
    if (perf_fd == -2) {
        perf_fd = -1;
        if (env_enabled("INVISIBLE_DLEXT_PERFMAP")) {
            char path[64];
            perf_pid = getpid();
            snprintf(path, sizeof path, "/tmp/perf-%d.map", (int)perf_pid);
            perf_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        }
    }
    if (perf_fd >= 0) {
        char line[512];
        int n = snprintf(line, sizeof line, "%llx %llx %s\n", (unsigned long long)addr,
                         (unsigned long long)size, name);
        if (n > 0 && (size_t)n >= sizeof line) { /* truncated name: keep the line well-formed */
            n = sizeof line - 1;
            line[n - 1] = '\n';
        }
        if (n > 0 && write(perf_fd, line, (size_t)n) < 0) {
            /* a profiler aid must never disturb the host: ignore */
        }
    }
    pthread_mutex_unlock(&perf_mu);
}
