/* dlx_debug.c — GDB JIT interface and perf map.  See dlx_debug.h. */
#define _GNU_SOURCE
#include "dlx_debug.h"
#include "dlx_elf.h"

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

/* .debug_frame (DWARF 2 style, absolute 8-byte addresses, so it is position independent). */
static size_t build_debug_frame(unsigned char *p, uint64_t addr, uint64_t size,
                                const unsigned char *cfi, size_t ncfi)
{
    size_t n = 0;
    /* CIE */
    uint32_t id = 0xffffffffu;
    memcpy(p + 4, &id, 4);
    n = 8;
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
    /* FDE */
    unsigned char *f = p + cie;
    uint32_t cieptr = 0;
    memcpy(f + 4, &cieptr, 4);
    memcpy(f + 8, &addr, 8);
    memcpy(f + 16, &size, 8);
    memcpy(f + 24, cfi, ncfi);
    size_t fde = align8(24 + ncfi);
    memset(f + 24 + ncfi, 0, fde - 24 - ncfi);
    len = (uint32_t)(fde - 4);
    memcpy(f, &len, 4);
    return cie + fde;
}

enum { JS_NULL, JS_TEXT, JS_FRAME, JS_SYMTAB, JS_STRTAB, JS_SHSTRTAB, JS_NUM };
static const char js_names[] = "\0.text\0.debug_frame\0.symtab\0.strtab\0.shstrtab";
static const uint32_t js_name_off[JS_NUM] = {0, 1, 7, 20, 28, 36};

static void js_shdr(Elf64_Shdr *s, int i, uint32_t type, uint64_t flags, uint64_t addr,
                    size_t off, size_t size, uint32_t link, uint32_t info, size_t entsize)
{
    s[i] = (Elf64_Shdr){.sh_name = js_name_off[i], .sh_type = type, .sh_flags = flags,
                        .sh_addr = addr, .sh_offset = off, .sh_size = size, .sh_link = link,
                        .sh_info = info, .sh_addralign = 8, .sh_entsize = entsize};
}

/* A minimal ET_EXEC symfile: sections only, absolute addresses (gdb's JIT reader treats section
 * addresses as absolute). */
static unsigned char *build_symfile(const char *name, uint64_t addr, uint64_t size,
                                    const unsigned char *cfi, size_t ncfi, size_t *out_len)
{
    size_t namelen = strlen(name) + 1;
    size_t frame_off = sizeof(Elf64_Ehdr);
    size_t frame_max = 64 + align8(24 + ncfi);
    size_t cap = frame_off + frame_max + 2 * sizeof(Elf64_Sym) + namelen + 1 + sizeof js_names +
                 JS_NUM * sizeof(Elf64_Shdr) + 64;
    unsigned char *b = calloc(1, cap);
    if (!b)
        return NULL;
    size_t frame_len = build_debug_frame(b + frame_off, addr, size, cfi, ncfi);
    size_t sym_off = align8(frame_off + frame_len);
    Elf64_Sym syms[2] = {{0},
                         {.st_name = 1, .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC),
                          .st_shndx = JS_TEXT, .st_value = addr, .st_size = size}};
    memcpy(b + sym_off, syms, sizeof syms);
    size_t str_off = sym_off + sizeof syms;
    memcpy(b + str_off + 1, name, namelen);
    size_t shstr_off = str_off + 1 + namelen;
    memcpy(b + shstr_off, js_names, sizeof js_names);
    size_t sh_off = align8(shstr_off + sizeof js_names);
    Elf64_Shdr *s = (Elf64_Shdr *)(b + sh_off);
    js_shdr(s, JS_TEXT, SHT_NOBITS, SHF_ALLOC | SHF_EXECINSTR, addr, frame_off, size, 0, 0, 0);
    js_shdr(s, JS_FRAME, SHT_PROGBITS, 0, 0, frame_off, frame_len, 0, 0, 0);
    js_shdr(s, JS_SYMTAB, SHT_SYMTAB, 0, 0, sym_off, sizeof syms, JS_STRTAB, 1, sizeof(Elf64_Sym));
    js_shdr(s, JS_STRTAB, SHT_STRTAB, 0, 0, str_off, 1 + namelen, 0, 0, 0);
    js_shdr(s, JS_SHSTRTAB, SHT_STRTAB, 0, 0, shstr_off, sizeof js_names, 0, 0, 0);
    Elf64_Ehdr *e = (Elf64_Ehdr *)b;
    memcpy(e->e_ident, ELFMAG, SELFMAG);
    e->e_ident[EI_CLASS] = ELFCLASS64;
    e->e_ident[EI_DATA] = ELFDATA2LSB;
    e->e_ident[EI_VERSION] = EV_CURRENT;
    e->e_type = ET_EXEC;
    e->e_machine = EM_X86_64;
    e->e_version = EV_CURRENT;
    e->e_shoff = sh_off;
    e->e_ehsize = sizeof(Elf64_Ehdr);
    e->e_shentsize = sizeof(Elf64_Shdr);
    e->e_shnum = JS_NUM;
    e->e_shstrndx = JS_SHSTRTAB;
    *out_len = sh_off + JS_NUM * sizeof(Elf64_Shdr);
    return b;
}

struct jit_code_entry *dlx_gdbjit_add(const char *name, uint64_t addr, uint64_t size,
                                      const unsigned char *cfi, size_t ncfi)
{
    static int enabled = -1;
    if (enabled < 0)
        enabled = env_enabled("INVISIBLE_DLEXT_GDBJIT");
    if (!enabled)
        return NULL;
    struct jit_code_entry *e = calloc(1, sizeof *e);
    size_t len = 0;
    unsigned char *sf = e ? build_symfile(name, addr, size, cfi, ncfi, &len) : NULL;
    if (!sf) {
        free(e);
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

void dlx_gdbjit_remove(struct jit_code_entry *e)
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
    free((void *)e->symfile_addr);
    free(e);
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
