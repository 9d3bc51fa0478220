/* allocator.c — which allocator serves the process.
 *
 * Our hooks track glibc's allocator: they call __libc_malloc and friends and read glibc's chunk
 * headers. A program linked with or preloading another allocator (jemalloc, tcmalloc, mimalloc)
 * gets that allocator's malloc for everything our hooks do not see (C++ operator new, their own
 * entry points), and glibc's through our hooks: blocks of one freed by the other, which crashes
 * (jemalloc: SIGSEGV; tcmalloc: "free(): invalid size"). valgrind replaces every allocator;
 * LeakSanitizer interposes its own. We step aside instead: when the first object in the global
 * lookup order (link-map order) that defines `malloc`, ourselves excepted, is not glibc's
 * libc.so.6, tracking is off for the whole process and every call of the malloc family is passed
 * to that object's functions (hooks/malloc.c's bypass path); the embedder says so in one line.
 *
 * Done at first use, from inside the first allocation, before anything is tracked: so no malloc,
 * no dlsym (which may allocate), no lock but the loader's (dl_iterate_phdr): the dynamic symbol
 * tables are read directly (GNU hash, or the SysV hash of an old object).
 */
#define _GNU_SOURCE
#include "internal.h"

#include <elf.h>
#include <link.h>
#include <string.h>

typedef struct symbol_table {
    uint64_t base;
    const ElfW(Sym) *symbols;
    const char *strings;
    const uint32_t *gnu_hash;
    const uint32_t *sysv_hash;
} symbol_table;

/* Dynamic entries hold addresses already relocated by the loader on x86-64, but the vDSO's and
 * some others' are offsets: an address below the object's base is one. */
static uint64_t dynamic_address(uint64_t base, uint64_t value)
{
    return value < base ? base + value : value;
}

static int symbol_table_of(const struct dl_phdr_info *info, symbol_table *table)
{
    memset(table, 0, sizeof *table);
    table->base = info->dlpi_addr;
    const ElfW(Dyn) *dynamic = NULL;
    for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
            dynamic = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
    for (; dynamic && dynamic->d_tag != DT_NULL; dynamic++) {
        uint64_t address = dynamic_address(info->dlpi_addr, dynamic->d_un.d_ptr);
        switch (dynamic->d_tag) {
        case DT_SYMTAB: table->symbols = (const ElfW(Sym) *)address; break;
        case DT_STRTAB: table->strings = (const char *)address; break;
        case DT_GNU_HASH: table->gnu_hash = (const uint32_t *)address; break;
        case DT_HASH: table->sysv_hash = (const uint32_t *)address; break;
        }
    }
    return table->symbols && table->strings && (table->gnu_hash || table->sysv_hash);
}

static int is_definition(const symbol_table *table, const ElfW(Sym) *symbol, const char *name)
{
    unsigned type = ELF64_ST_TYPE(symbol->st_info), binding = ELF64_ST_BIND(symbol->st_info);
    return symbol->st_shndx != SHN_UNDEF && symbol->st_value != 0 &&
           (type == STT_FUNC || type == STT_GNU_IFUNC) && (binding == STB_GLOBAL || binding == STB_WEAK) &&
           strcmp(table->strings + symbol->st_name, name) == 0;
}

static const ElfW(Sym) *gnu_lookup(const symbol_table *table, const char *name)
{
    uint32_t h = 5381;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++)
        h = h * 33 + *c;
    const uint32_t *g = table->gnu_hash;
    uint32_t buckets = g[0], first = g[1], bloom_words = g[2], shift = g[3];
    const uint64_t *bloom = (const uint64_t *)(g + 4);
    uint64_t word = bloom[(h / 64) % bloom_words];
    if (!((word >> (h % 64)) & (word >> ((h >> shift) % 64)) & 1))
        return NULL;
    const uint32_t *bucket = (const uint32_t *)(bloom + bloom_words), *chain = bucket + buckets;
    uint32_t index = bucket[h % buckets];
    if (index < first)
        return NULL;
    for (;; index++) {
        uint32_t h2 = chain[index - first];
        if ((h2 | 1) == (h | 1) && is_definition(table, &table->symbols[index], name))
            return &table->symbols[index];
        if (h2 & 1)
            return NULL;
    }
}

static const ElfW(Sym) *sysv_lookup(const symbol_table *table, const char *name)
{
    uint32_t h = 0;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
        h = (h << 4) + *c;
        uint32_t high = h & 0xf0000000u;
        if (high)
            h ^= high >> 24;
        h &= ~high;
    }
    const uint32_t *s = table->sysv_hash;
    uint32_t buckets = s[0];
    const uint32_t *bucket = s + 2, *chain = bucket + buckets;
    for (uint32_t index = bucket[h % buckets]; index; index = chain[index])
        if (is_definition(table, &table->symbols[index], name))
            return &table->symbols[index];
    return NULL;
}

static void *lookup(const symbol_table *table, const char *name)
{
    const ElfW(Sym) *symbol = table->gnu_hash ? gnu_lookup(table, name) : sysv_lookup(table, name);
    if (!symbol)
        return NULL;
    void *address = (void *)(uintptr_t)(table->base + symbol->st_value);
    if (ELF64_ST_TYPE(symbol->st_info) == STT_GNU_IFUNC)
        address = ((void *(*)(void))address)(); /* its resolver picks the implementation */
    return address;
}

typedef struct allocator_search {
    uint64_t own_base;
    int found;
    int is_glibc;
    const char *name;
    symbol_table table;
} allocator_search;

static int is_libc(const char *path)
{
    const char *base = path ? strrchr(path, '/') : NULL;
    base = base ? base + 1 : path;
    return base && strncmp(base, "libc.so", 7) == 0;
}

static int find_serving_object(struct dl_phdr_info *info, size_t size, void *data)
{
    allocator_search *search = data;
    if (info->dlpi_addr == search->own_base)
        return 0; /* ourselves */
    const char *name = info->dlpi_name;
    if (name && strstr(name, "linux-vdso"))
        return 0;
    symbol_table table;
    if (!symbol_table_of(info, &table) || !lookup(&table, "malloc"))
        return 0;
    search->found = 1;
    search->is_glibc = is_libc(name);
    search->name = name && name[0] ? name : "the program";
    search->table = table;
    return 1;
}

/* Our own base address, to skip ourselves in the walk. */
static int find_own_base(struct dl_phdr_info *info, size_t size, void *data)
{
    uint64_t here = (uint64_t)(uintptr_t)&find_own_base;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uint64_t start = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && here >= start && here < start + ph->p_memsz) {
            *(uint64_t *)data = info->dlpi_addr;
            return 1;
        }
    }
    return 0;
}

typedef struct global_search {
    uint64_t own_base;
    const char *name;
    void *address;
} global_search;

static int find_global_definition(struct dl_phdr_info *info, size_t size, void *data)
{
    global_search *search = data;
    symbol_table table;
    if (info->dlpi_addr == search->own_base || (info->dlpi_name && strstr(info->dlpi_name, "linux-vdso")))
        return 0;
    if (!symbol_table_of(info, &table))
        return 0;
    search->address = lookup(&table, search->name);
    return search->address != NULL;
}

/* dlsym(RTLD_DEFAULT, name) without dlsym: a name that is not defined would leave an error string
 * malloc'ed by libdl (and freed by the next dlerror), which changes the program's heap from the
 * plain run's (block reuse, usable sizes) and the program's own dlerror(). */
void *invisible_find_global_symbol(const char *name)
{
    global_search search = { 0, name, NULL };
    dl_iterate_phdr(find_own_base, &search.own_base);
    dl_iterate_phdr(find_global_definition, &search);
    return search.address;
}

/* memalign for an allocator that only has posix_memalign. */
static void *(*foreign_posix_memalign)(void **, size_t, size_t);

static void *memalign_through_posix(size_t alignment, size_t size)
{
    void *p = NULL;
    if (alignment < sizeof(void *))
        alignment = sizeof(void *);
    return foreign_posix_memalign(&p, alignment, size) == 0 ? p : NULL;
}

const char *allocator_detect(void)
{
    allocator_search search;
    memset(&search, 0, sizeof search);
    dl_iterate_phdr(find_own_base, &search.own_base);
    dl_iterate_phdr(find_serving_object, &search);
    if (!search.found || search.is_glibc)
        return NULL;
    allocator_functions *f = &instrument_state.hooks.foreign;
    const symbol_table *t = &search.table;
    f->malloc = (void *(*)(size_t))lookup(t, "malloc");
    f->free = (void (*)(void *))lookup(t, "free");
    f->calloc = (void *(*)(size_t, size_t))lookup(t, "calloc");
    f->realloc = (void *(*)(void *, size_t))lookup(t, "realloc");
    f->memalign = (void *(*)(size_t, size_t))lookup(t, "memalign");
    if (!f->memalign)
        f->memalign = (void *(*)(size_t, size_t))lookup(t, "aligned_alloc");
    if (!f->memalign && (foreign_posix_memalign = (void *(*)(void **, size_t, size_t))lookup(t, "posix_memalign")))
        f->memalign = memalign_through_posix;
    f->malloc_usable_size = (size_t(*)(void *))lookup(t, "malloc_usable_size");
    if (!f->malloc || !f->free || !f->calloc || !f->realloc || !f->memalign)
        return NULL; /* not a whole allocator: leave things as they are */
    instrument_state.hooks.foreign_name = search.name;
    instrument_state.hooks.bypass = BYPASS_FOREIGN;
    return search.name;
}
