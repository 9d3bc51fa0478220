/* got.c — the hooks reached by rewriting GOT slots, for a library loaded late.
 *
 * When libinvisible.so is preloaded the loader binds every object's malloc to our hooks by
 * symbol interposition. When `invisible attach PID` injects it into a running process (dlopen
 * from a ptrace-stopped thread), every object is already bound to glibc: the malloc family's
 * GOT slots of each loaded object (its JUMP_SLOT and GLOB_DAT relocations, as heaptrack's
 * injection does) are rewritten to point at our hooks, and written back when the last session
 * ends. Objects loaded later are patched as they come: the dlopen/dlmopen slots go to wrappers
 * that patch what the call loaded (and publish its allocator wrappers, hooks/wrappers.c), the dlclose
 * slots to one that withdraws them. The library we are part of adds its own (libinvisible's close,
 * dup2, dup3, close_range, closefrom: its descriptors stay hidden from the program) with
 * invisible_hooks_got_add.
 *
 * Every slot we write is remembered with the value it held; a slot is restored only while it
 * still holds our hook (an object unloaded meanwhile, and another loaded at its address, is left
 * alone). Slots in RELRO pages are made writable for the store and read-only again after. One
 * aligned 8-byte store per slot: a thread calling through it concurrently gets the old or the
 * new function, both correct. All of it runs under one mutex, never inside a hook.
 */
#define _GNU_SOURCE
#include "internal.h"
#include "trace/unwind.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PATCH_CAPACITY 65536

typedef struct got_patch {
    uint64_t slot;      /* address of the GOT slot */
    uint64_t original;  /* what it held before we wrote our hook */
    uint64_t hook;      /* what we wrote */
} got_patch;

typedef struct got_target {
    const char *name;
    void *hook;
} got_target;

static void *late_dlopen(const char *file, int mode);
static void *late_dlmopen(Lmid_t namespace_id, const char *file, int mode);
static int late_dlclose(void *handle);

/* A mutex, not one of our spinlocks: dl_iterate_phdr takes the loader's lock under it. */
static pthread_mutex_t patch_lock = PTHREAD_MUTEX_INITIALIZER;
static got_patch *patches;      /* own_map'd, PATCH_CAPACITY entries */
static uint32_t patch_count;
static int installed;
static void *(*real_dlopen)(const char *, int);
static void *(*real_dlmopen)(Lmid_t, const char *, int);
static int (*real_dlclose)(void *);

/* Our hooks by their hidden aliases (hooks/malloc.c): `&malloc` here would be read from our own
 * GOT, which names glibc's malloc in a library loaded late. */
static const got_target *targets(size_t *count)
{
    static const got_target table[] = {
        { "malloc", (void *)hook_own_malloc },
        { "free", (void *)hook_own_free },
        { "calloc", (void *)hook_own_calloc },
        { "realloc", (void *)hook_own_realloc },
        { "reallocarray", (void *)hook_own_reallocarray },
        { "posix_memalign", (void *)hook_own_posix_memalign },
        { "aligned_alloc", (void *)hook_own_aligned_alloc },
        { "memalign", (void *)hook_own_memalign },
        { "valloc", (void *)hook_own_valloc },
        { "pvalloc", (void *)hook_own_pvalloc },
        { "malloc_usable_size", (void *)hook_own_malloc_usable_size },
        { "dlopen", (void *)late_dlopen },
        { "dlmopen", (void *)late_dlmopen },
        { "dlclose", (void *)late_dlclose },
    };
    *count = sizeof table / sizeof table[0];
    return table;
}

/* Hooks of the library we are part of (invisible_hooks_got_add): set before an install, read under
 * patch_lock or by the installing thread. */
#define EXTRA_CAPACITY 8
static got_target extra_targets[EXTRA_CAPACITY];
static uint32_t extra_count;

int invisible_hooks_got_add(const char *name, void *hook)
{
    pthread_mutex_lock(&patch_lock);
    int rc = 0;
    uint32_t i = 0;
    while (i < extra_count && strcmp(extra_targets[i].name, name))
        i++;
    if (i < extra_count)
        extra_targets[i].hook = hook;
    else if (extra_count < EXTRA_CAPACITY)
        extra_targets[extra_count++] = (got_target){ name, hook };
    else
        rc = -1;
    pthread_mutex_unlock(&patch_lock);
    return rc;
}

static void *hook_for(const char *name)
{
    size_t count;
    const got_target *t = targets(&count);
    for (size_t i = 0; i < count; i++)
        if (!strcmp(t[i].name, name))
            return t[i].hook;
    for (uint32_t i = 0; i < extra_count; i++)
        if (!strcmp(extra_targets[i].name, name))
            return extra_targets[i].hook;
    return NULL;
}

/* The dynamic loader and the vDSO are never patched: ld.so calls libc's malloc through its own
 * pointers, and the vDSO has no GOT for it. */
static int skipped_object(const char *name)
{
    const char *base = name ? strrchr(name, '/') : NULL;
    base = base ? base + 1 : (name ? name : "");
    return !strncmp(base, "ld-linux", 8) || !strncmp(base, "linux-vdso", 10);
}

/* A dynamic entry's address: glibc rewrites them to run-time addresses when .dynamic is
 * writable (x86-64); a value still below the load bias is a file address. */
static uint64_t dynamic_address(uint64_t value, uint64_t bias)
{
    return value < bias ? value + bias : value;
}

typedef struct object_view {
    uint64_t bias;
    const ElfW(Sym) *symbols;
    const char *strings;
    uint64_t relro_start, relro_end;
} object_view;

static int write_slot(const object_view *o, uint64_t slot, uint64_t value)
{
    int relro = slot >= o->relro_start && slot + 8 <= o->relro_end;
    uint64_t page = (uint64_t)getpagesize();
    void *first = (void *)(uintptr_t)(slot & ~(page - 1));
    if (relro && mprotect(first, page, PROT_READ | PROT_WRITE) != 0)
        return -1;
    __atomic_store_n((uint64_t *)(uintptr_t)slot, value, __ATOMIC_RELEASE);
    if (relro)
        mprotect(first, page, PROT_READ);
    return 0;
}

/* ---- libc's own symbols ----
 *
 * Rewriting the slots of an object that dlopen returned is too late for its constructors: they ran
 * inside dlopen, bound to glibc. The loader binds a new object's malloc to the first definition in
 * the global scope, libc's: so while we are installed, libc's dynamic symbol table entries of the
 * allocation functions (their st_value, an offset from libc's base) name our hooks instead. Every
 * object relocated from then on (its RTLD_NOW or lazy bindings, dlsym) gets our hooks from the
 * start, constructors included; what was bound before keeps its rewritten slots. The entries go
 * back first at the restore, then the slots bound meanwhile (recorded as they are seen). One
 * aligned 8-byte store per entry: a lookup at the same time reads the old or the new value. */

#define SYMBOL_CAPACITY 32

typedef struct symbol_patch {
    ElfW(Sym) *symbol;
    uint64_t value;      /* the st_value it had */
    uint64_t real;       /* libc's function: base + value */
    uint64_t hook;
    int protection;      /* of the segment that holds it, for the mprotect back */
} symbol_patch;

static symbol_patch symbol_patches[SYMBOL_CAPACITY];
static uint32_t symbol_patch_count;

/* The functions whose libc symbols are redirected: the allocation family and the descriptor calls
 * (never malloc_usable_size, resolved by name from our own code, nor dlopen/dlmopen). */
static int redirected(const char *name)
{
    static const char *const names[] = {
        "malloc", "free", "calloc", "realloc", "reallocarray", "posix_memalign", "aligned_alloc",
        "memalign", "valloc", "pvalloc", "close", "dup2", "dup3", "close_range", "closefrom",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(names[i], name))
            return 1;
    return 0;
}

/* libc's function that `hook` stands for, 0 if none is known. */
static uint64_t real_function(void *hook)
{
    for (uint32_t i = 0; i < symbol_patch_count; i++)
        if (symbol_patches[i].hook == (uint64_t)(uintptr_t)hook)
            return symbol_patches[i].real;
    return 0;
}

static int segment_protection(const struct dl_phdr_info *info, uint64_t address)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uint64_t start = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && address >= start && address < start + ph->p_memsz)
            return (ph->p_flags & PF_R ? PROT_READ : 0) | (ph->p_flags & PF_W ? PROT_WRITE : 0) |
                   (ph->p_flags & PF_X ? PROT_EXEC : 0);
    }
    return -1;
}

static int write_symbol_value(ElfW(Sym) *symbol, uint64_t value, int protection)
{
    uint64_t page = (uint64_t)getpagesize();
    uint64_t at = (uint64_t)(uintptr_t)&symbol->st_value;
    void *first = (void *)(uintptr_t)(at & ~(page - 1));
    if (!(protection & PROT_WRITE) && mprotect(first, page, protection | PROT_WRITE) != 0)
        return -1;
    __atomic_store_n(&symbol->st_value, value, __ATOMIC_RELEASE);
    if (!(protection & PROT_WRITE))
        mprotect(first, page, protection);
    return 0;
}

/* The GNU hash chain of `name` in one object; each defined entry with that name is handed to
 * `found`. */
static void gnu_hash_each(const uint32_t *table, ElfW(Sym) *symbols, const char *strings, const char *name,
                          void (*found)(ElfW(Sym) *, void *), void *argument)
{
    uint32_t buckets = table[0], offset = table[1], bloom_words = table[2];
    const uint32_t *bucket = (const uint32_t *)(const void *)((const uint64_t *)(const void *)&table[4] + bloom_words);
    const uint32_t *chain = bucket + buckets;
    uint32_t hash = 5381;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++)
        hash = hash * 33 + *c;
    uint32_t i = buckets ? bucket[hash % buckets] : 0;
    if (i < offset)
        return;
    for (;; i++) {
        uint32_t h = chain[i - offset];
        if ((h | 1) == (hash | 1) && symbols[i].st_shndx != SHN_UNDEF && !strcmp(strings + symbols[i].st_name, name))
            found(&symbols[i], argument);
        if (h & 1)
            return;
    }
}

typedef struct redirect_walk {
    const struct dl_phdr_info *libc;
    void *hook;
} redirect_walk;

static void redirect_symbol(ElfW(Sym) *symbol, void *argument)
{
    redirect_walk *walk = argument;
    if (symbol_patch_count >= SYMBOL_CAPACITY)
        return;
    int protection = segment_protection(walk->libc, (uint64_t)(uintptr_t)symbol);
    uint64_t base = walk->libc->dlpi_addr, value = symbol->st_value;
    if (protection < 0 || value == 0)
        return;
    /* st_value + base must give the hook: unsigned arithmetic wraps as the loader's does. */
    if (write_symbol_value(symbol, (uint64_t)(uintptr_t)walk->hook - base, protection) == 0)
        symbol_patches[symbol_patch_count++] = (symbol_patch){ symbol, value, base + value,
                                                               (uint64_t)(uintptr_t)walk->hook, protection };
}

static int is_libc(const char *name)
{
    const char *base = name ? strrchr(name, '/') : NULL;
    base = base ? base + 1 : (name ? name : "");
    return !strncmp(base, "libc.so", 7);
}

static int redirect_libc(struct dl_phdr_info *info, size_t size, void *data)
{
    if (!is_libc(info->dlpi_name))
        return 0;
    const ElfW(Dyn) *dynamic = NULL;
    for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
            dynamic = (const ElfW(Dyn) *)(uintptr_t)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
    if (!dynamic)
        return 1;
    ElfW(Sym) *symbols = NULL;
    const char *strings = NULL;
    const uint32_t *hash = NULL;
    for (const ElfW(Dyn) *d = dynamic; d->d_tag != DT_NULL; d++) {
        if (d->d_tag == DT_SYMTAB) symbols = (ElfW(Sym) *)(uintptr_t)dynamic_address(d->d_un.d_ptr, info->dlpi_addr);
        else if (d->d_tag == DT_STRTAB) strings = (const char *)(uintptr_t)dynamic_address(d->d_un.d_ptr, info->dlpi_addr);
        else if (d->d_tag == DT_GNU_HASH) hash = (const uint32_t *)(uintptr_t)dynamic_address(d->d_un.d_ptr, info->dlpi_addr);
    }
    if (!symbols || !strings || !hash)
        return 1; /* no GNU hash table: objects loaded later keep glibc's until their slots are rewritten */
    size_t count;
    const got_target *t = targets(&count);
    redirect_walk walk = { info, NULL };
    for (size_t i = 0; i < count; i++)
        if (redirected(t[i].name)) {
            walk.hook = t[i].hook;
            gnu_hash_each(hash, symbols, strings, t[i].name, redirect_symbol, &walk);
        }
    for (uint32_t i = 0; i < extra_count; i++)
        if (redirected(extra_targets[i].name)) {
            walk.hook = extra_targets[i].hook;
            gnu_hash_each(hash, symbols, strings, extra_targets[i].name, redirect_symbol, &walk);
        }
    return 1;
}

static void restore_libc_symbols(void)
{
    for (uint32_t i = symbol_patch_count; i-- > 0;) {
        symbol_patch *p = &symbol_patches[i];
        write_symbol_value(p->symbol, p->value, p->protection);
    }
}

static int already_patched(uint64_t slot)
{
    for (uint32_t i = 0; i < patch_count; i++)
        if (patches[i].slot == slot)
            return 1;
    return 0;
}

static void patch_relocations(const object_view *o, const ElfW(Rela) *rela, uint64_t bytes, int record_only)
{
    for (uint64_t i = 0; i < bytes / sizeof *rela; i++) {
        uint32_t type = (uint32_t)ELF64_R_TYPE(rela[i].r_info);
        uint32_t index = (uint32_t)ELF64_R_SYM(rela[i].r_info);
        if ((type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT) || index == 0)
            continue;
        void *hook = hook_for(o->strings + o->symbols[index].st_name);
        if (!hook || patch_count >= PATCH_CAPACITY)
            continue;
        uint64_t slot = o->bias + rela[i].r_offset;
        uint64_t now = __atomic_load_n((uint64_t *)(uintptr_t)slot, __ATOMIC_ACQUIRE);
        if (already_patched(slot))
            continue;
        if (now == (uint64_t)(uintptr_t)hook) {
            /* Bound to our hook by the loader itself (libc's symbol redirected, below): an object
             * loaded since the install. Remembered with libc's function, for the restore. */
            uint64_t real = real_function(hook);
            if (real) {
                patches[patch_count].slot = slot;
                patches[patch_count].original = real;
                patches[patch_count].hook = now;
                patch_count++;
            }
            continue;
        }
        if (record_only)
            continue;
        if (write_slot(o, slot, (uint64_t)(uintptr_t)hook) == 0) {
            patches[patch_count].slot = slot;
            patches[patch_count].original = now;
            patches[patch_count].hook = (uint64_t)(uintptr_t)hook;
            patch_count++;
        }
    }
}

static int patch_object(struct dl_phdr_info *info, size_t size, void *data)
{
    if (skipped_object(info->dlpi_name))
        return 0;
    object_view o = { info->dlpi_addr, NULL, NULL, 0, 0 };
    const ElfW(Dyn) *dynamic = NULL;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_DYNAMIC)
            dynamic = (const ElfW(Dyn) *)(uintptr_t)(info->dlpi_addr + ph->p_vaddr);
        else if (ph->p_type == PT_GNU_RELRO) {
            o.relro_start = info->dlpi_addr + ph->p_vaddr;
            o.relro_end = o.relro_start + ph->p_memsz;
        }
    }
    if (!dynamic)
        return 0;
    uint64_t jmprel = 0, jmprel_size = 0, rela = 0, rela_size = 0;
    for (const ElfW(Dyn) *d = dynamic; d->d_tag != DT_NULL; d++) {
        switch (d->d_tag) {
        case DT_SYMTAB: o.symbols = (const ElfW(Sym) *)(uintptr_t)dynamic_address(d->d_un.d_ptr, o.bias); break;
        case DT_STRTAB: o.strings = (const char *)(uintptr_t)dynamic_address(d->d_un.d_ptr, o.bias); break;
        case DT_JMPREL: jmprel = dynamic_address(d->d_un.d_ptr, o.bias); break;
        case DT_PLTRELSZ: jmprel_size = d->d_un.d_val; break;
        case DT_RELA: rela = dynamic_address(d->d_un.d_ptr, o.bias); break;
        case DT_RELASZ: rela_size = d->d_un.d_val; break;
        }
    }
    if (!o.symbols || !o.strings)
        return 0;
    if (jmprel)
        patch_relocations(&o, (const ElfW(Rela) *)(uintptr_t)jmprel, jmprel_size, data != NULL);
    if (rela)
        patch_relocations(&o, (const ElfW(Rela) *)(uintptr_t)rela, rela_size, data != NULL);
    return 0;
}

/* Patch every loaded object not patched yet (a slot already ours is skipped). */
static void patch_all(void)
{
    thread_state *thread = &thread_tls;
    guard_enter(thread, 1);
    pthread_mutex_lock(&patch_lock);
    if (installed)
        dl_iterate_phdr(patch_object, NULL);
    pthread_mutex_unlock(&patch_lock);
    guard_leave(thread, 1);
}

int invisible_hooks_got_install(void)
{
    thread_state *thread = &thread_tls;
    guard_enter(thread, 1);
    if (!patches)
        patches = own_map(PATCH_CAPACITY * sizeof *patches, 0);
    if (!real_dlopen)
        real_dlopen = (void *(*)(const char *, int))dlsym(RTLD_DEFAULT, "dlopen");
    if (!real_dlmopen)
        real_dlmopen = (void *(*)(Lmid_t, const char *, int))dlsym(RTLD_DEFAULT, "dlmopen");
    if (!real_dlclose)
        real_dlclose = (int (*)(void *))dlsym(RTLD_DEFAULT, "dlclose");
    guard_leave(thread, 1);
    if (!patches || !real_dlopen)
        return -1;
    pthread_mutex_lock(&patch_lock);
    installed = 1;
    pthread_mutex_unlock(&patch_lock);
    patch_all();
    /* After the slots: the hooks' own lookups of glibc's functions are done by now. */
    guard_enter(thread, 1);
    pthread_mutex_lock(&patch_lock);
    symbol_patch_count = 0;
    if (installed)
        dl_iterate_phdr(redirect_libc, NULL);
    pthread_mutex_unlock(&patch_lock);
    guard_leave(thread, 1);
    return (int)patch_count;
}

typedef struct restore_walk {
    uint32_t restored;
} restore_walk;

/* Restore the slots that lie in a currently loaded object (an unloaded one's memory is gone). */
static int restore_object(struct dl_phdr_info *info, size_t size, void *data)
{
    restore_walk *walk = data;
    object_view o = { info->dlpi_addr, NULL, NULL, 0, 0 };
    uint64_t low = UINT64_MAX, high = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD) {
            uint64_t start = info->dlpi_addr + ph->p_vaddr;
            if (start < low) low = start;
            if (start + ph->p_memsz > high) high = start + ph->p_memsz;
        } else if (ph->p_type == PT_GNU_RELRO) {
            o.relro_start = info->dlpi_addr + ph->p_vaddr;
            o.relro_end = o.relro_start + ph->p_memsz;
        }
    }
    for (uint32_t i = 0; i < patch_count; i++) {
        got_patch *p = &patches[i];
        if (p->slot < low || p->slot + 8 > high || !p->hook)
            continue;
        if (__atomic_load_n((uint64_t *)(uintptr_t)p->slot, __ATOMIC_ACQUIRE) == p->hook &&
            write_slot(&o, p->slot, p->original) == 0)
            walk->restored++;
        p->hook = 0;
    }
    return 0;
}

int invisible_hooks_got_restore(void)
{
    thread_state *thread = &thread_tls;
    guard_enter(thread, 1);
    pthread_mutex_lock(&patch_lock);
    restore_walk walk = { 0 };
    if (installed && patches) {
        /* libc's symbols first (nothing binds to us any more), then the slots bound to us meanwhile
         * are recorded (a sweep that writes nothing), then every slot goes back. */
        restore_libc_symbols();
        int record_only = 1;
        dl_iterate_phdr(patch_object, &record_only);
        dl_iterate_phdr(restore_object, &walk);
    }
    symbol_patch_count = 0;
    installed = 0;
    patch_count = 0;
    pthread_mutex_unlock(&patch_lock);
    guard_leave(thread, 1);
    return (int)walk.restored;
}

int invisible_hooks_got_installed(void)
{
    return installed;
}

/* The program's dlopen, then what it loaded is patched before the program uses it. glibc takes
 * the caller's namespace and search path (DT_RUNPATH, $ORIGIN) from the return address: here
 * that is us, so a bare name is searched as from libinvisible.so (LD_LIBRARY_PATH, the cache,
 * the default directories). A library named by path is found exactly as without us. */
static void *late_dlopen(const char *file, int mode)
{
    void *handle = real_dlopen(file, mode);
    if (handle) {
        patch_all();
        thread_state *thread = &thread_tls;
        guard_enter(thread, 1);
        wrappers_after_dlopen(0);
        guard_leave(thread, 1);
    }
    return handle;
}

static void *late_dlmopen(Lmid_t namespace_id, const char *file, int mode)
{
    if (!real_dlmopen)
        return NULL;
    void *handle = real_dlmopen(namespace_id, file, mode);
    if (handle) {
        patch_all();
        thread_state *thread = &thread_tls;
        guard_enter(thread, 1);
        wrappers_after_dlopen(0);
        guard_leave(thread, 1);
    }
    return handle;
}

/* The program's dlclose: the object's allocator wrappers withdrawn before the loader unmaps it
 * (hooks/wrappers.c), the unwinder's cached rules dropped after, as hooks/process.c's dlclose does
 * for a preloaded library. */
static int late_dlclose(void *handle)
{
    return hooks_dlclose(real_dlclose, handle);
}

/* Between two sessions the program's frees went to glibc directly: the records of that time are
 * stale. Dropped before the slots are written again, while no hook runs (no slot is ours): young
 * blocks first join the memtable, then every live record is removed. */
void invisible_instrument_forget_all(void)
{
    if (!instrument_state.tracking || !instrument_state.table.ready)
        return;
    thread_state *thread = &thread_tls;
    guard_enter(thread, 1);
    nursery_flush_all();
    uint32_t limit = memtable_record_limit();
    for (uint32_t i = 1; i < limit; i++) {
        if (memtable_record_live(i))
            memtable_remove(memtable_record_at(i).start, NULL);
    }
    guard_leave(thread, 1);
}
