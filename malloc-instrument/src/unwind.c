/* unwind.c — allocation-site stack unwinder with a per-pc cache of CFA rules (x86-64).
 *
 * See invisible/unwind.h for the contract. Layout of this file:
 *   1. raw system calls (no errno, no libc locks)
 *   2. the rule word and the lock-free rule cache
 *   3. per-thread stack bounds (/proc/self/maps read with raw syscalls)
 *   4. .eh_frame_hdr search, CIE/FDE parsing and the CFA-program interpreter (cache misses)
 *   5. the walk
 *
 * Everything here may run inside an interposed malloc, from several threads at once, in a
 * signal handler that interrupted any of that, or in a fork child: no malloc, no locks, no
 * stdio, no errno changes. The only shared mutable state is the rule cache (per-slot version
 * counters, readers never wait) and one generation counter.
 */
#define _GNU_SOURCE
#include "invisible/unwind.h"

#include <dlfcn.h>
#include <errno.h> /* constants only: errno itself is never touched */
#include <fcntl.h>
#include <link.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ------------------------------------------------------------------------------------------
 * 1. Raw system calls. The glibc wrappers would set errno on failure, which a malloc must not
 * do behind the program's back; these return -errno instead.
 * ------------------------------------------------------------------------------------------ */

static long raw_syscall3(long number, long a1, long a2, long a3)
{
    long result;
    __asm__ volatile("syscall"
                     : "=a"(result)
                     : "0"(number), "D"(a1), "S"(a2), "d"(a3)
                     : "rcx", "r11", "memory");
    return result;
}

static long raw_syscall6(long number, long a1, long a2, long a3, long a4, long a5, long a6)
{
    long result;
    register long r10 __asm__("r10") = a4;
    register long r8 __asm__("r8") = a5;
    register long r9 __asm__("r9") = a6;
    __asm__ volatile("syscall"
                     : "=a"(result)
                     : "0"(number), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return result;
}

static void *raw_mmap_anonymous(size_t bytes)
{
    long result = raw_syscall6(SYS_mmap, 0, (long)bytes, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return (result < 0 && result > -4096) ? NULL : (void *)result;
}

static void raw_munmap(void *address, size_t bytes)
{
    raw_syscall3(SYS_munmap, (long)address, (long)bytes, 0);
}

/* ------------------------------------------------------------------------------------------
 * 2. Rules and the rule cache.
 *
 * A rule says how to get the caller's registers from a frame whose return address is `pc`
 * (the rule is computed for pc-1, the call instruction, so calls to noreturn functions at the
 * very end of a function resolve to the right FDE). It is one 64-bit word:
 *   bits  0..1  CFA kind: STOP, rsp+off, rbp+off, *(rbp+off) (gcc's stack-realignment "DRAP")
 *   bit   2     pc lies in a C/C++ runtime library
 *   bits  3..4  where the caller's rbp is: unchanged, at CFA+rbp_off, at rbp+rbp_off
 *   bits  5..15 cache generation (invalidation after dlclose)
 *   bits 16..31 rbp_off (int16)
 *   bits 32..63 cfa_off (int32)
 * The return address is always at CFA-8 (the x86-64 psABI; anything else is a STOP rule).
 * ------------------------------------------------------------------------------------------ */

enum { CFA_STOP = 0, CFA_RSP = 1, CFA_RBP = 2, CFA_DEREF_RBP = 3 };
enum { RBP_UNCHANGED = 0, RBP_AT_CFA = 1, RBP_AT_RBP = 2 };

#define RULE_RUNTIME_LIB (1ull << 2)
#define RULE_GENERATION_SHIFT 5
#define RULE_GENERATION_MASK 0x7ffull

static inline unsigned rule_cfa_kind(uint64_t rule) { return (unsigned)(rule & 3); }
static inline unsigned rule_rbp_kind(uint64_t rule) { return (unsigned)((rule >> 3) & 3); }
static inline int64_t rule_rbp_offset(uint64_t rule) { return (int16_t)(rule >> 16); }
static inline int64_t rule_cfa_offset(uint64_t rule) { return (int32_t)(rule >> 32); }

static uint64_t rule_make(unsigned cfa_kind, int32_t cfa_offset, unsigned rbp_kind,
                          int16_t rbp_offset)
{
    return (uint64_t)cfa_kind | ((uint64_t)rbp_kind << 3) |
           ((uint64_t)(uint16_t)rbp_offset << 16) | ((uint64_t)(uint32_t)cfa_offset << 32);
}

/* Cache: 2-way set-associative, 64 Ki entries of 16 bytes (1 MiB of MAP_NORESERVE memory,
 * committed by the kernel as it is touched). Each entry is {key, rule}; key = pc in bits
 * 0..47 and a version in bits 48..63 that is odd while a writer owns the entry (a per-entry
 * seqlock folded into the key word, so a reader needs no extra cache line). Readers never
 * wait: an odd or changed version is simply a miss, and the miss path computes the rule
 * itself. Writers claim the entry with one CAS and give up if someone else holds it, so a
 * signal handler interrupting a writer on the same thread cannot deadlock. A fork while
 * another thread is mid-write leaves that one entry permanently "busy" in the child, which
 * costs only a miss for the pcs hashing there. pcs >= 2^48 are never cached. */
#define CACHE_ENTRIES (1u << 16)
#define KEY_PC_MASK ((1ull << 48) - 1)
#define KEY_VERSION_SHIFT 48
#define KEY_BUSY_BIT (1ull << KEY_VERSION_SHIFT)

typedef struct rule_cache_entry {
    _Atomic uint64_t key;
    _Atomic uint64_t rule;
} rule_cache_entry;

static _Atomic(rule_cache_entry *) rule_cache;
static _Atomic uint32_t rule_generation;

static rule_cache_entry *rule_cache_get(void)
{
    rule_cache_entry *table = atomic_load_explicit(&rule_cache, memory_order_acquire);
    if (LIKELY(table != NULL))
        return table;
    size_t bytes = CACHE_ENTRIES * sizeof(rule_cache_entry);
    rule_cache_entry *fresh = raw_mmap_anonymous(bytes);
    if (fresh == NULL)
        return NULL;
    rule_cache_entry *expected = NULL;
    /* Two threads (or a thread and its signal handler) may race here; the loser unmaps. */
    if (!atomic_compare_exchange_strong_explicit(&rule_cache, &expected, fresh,
                                                 memory_order_acq_rel, memory_order_acquire)) {
        raw_munmap(fresh, bytes);
        return expected;
    }
    return fresh;
}

static inline rule_cache_entry *rule_cache_set(const rule_cache_entry *table, uintptr_t pc)
{
    /* This sits on the walk's critical path (load pc -> set -> load rule -> CFA -> load next
     * pc, ~13 cycles per frame), so it is a 2-cycle byte offset: the low bits of the pc, whose
     * return addresses differ there. Bit 0 is dropped: a set is two adjacent 16-byte entries
     * in one cache line, which absorbs the occasional collision (e.g. two objects' call sites
     * at the same offset modulo 32 KiB). */
    uintptr_t offset = (pc << 4) & ((uintptr_t)(CACHE_ENTRIES - 2) << 4);
    return (rule_cache_entry *)((uintptr_t)table + offset);
}

/* One entry of a set: a per-entry seqlock read (see above). */
static inline __attribute__((always_inline)) bool rule_cache_read_entry(const rule_cache_entry *entry,
                                                                        uintptr_t pc,
                                                                        uint64_t generation,
                                                                        uint64_t *rule_out)
{
    uint64_t key = atomic_load_explicit(&entry->key, memory_order_acquire);
    uint64_t rule = atomic_load_explicit(&entry->rule, memory_order_relaxed);
    /* seqlock reader: the rule load must complete before the key is re-checked */
    atomic_thread_fence(memory_order_acquire);
    uint64_t key_again = atomic_load_explicit(&entry->key, memory_order_relaxed);
    /* key == pc with an even version, unchanged, and a rule of the current generation. The
     * busy bit is bit 48, so "(key & (PC_MASK | BUSY)) == pc" tests both at once. */
    bool hit = ((key & (KEY_PC_MASK | KEY_BUSY_BIT)) == pc) & (key_again == key) &
               (((rule >> RULE_GENERATION_SHIFT) & RULE_GENERATION_MASK) == generation);
    *rule_out = rule;
    return hit;
}

static inline __attribute__((always_inline)) bool rule_cache_read(const rule_cache_entry *table,
                                                                  uintptr_t pc, uint64_t generation,
                                                                  uint64_t *rule_out)
{
    const rule_cache_entry *set = rule_cache_set(table, pc);
    return rule_cache_read_entry(set, pc, generation, rule_out) ||
           rule_cache_read_entry(set + 1, pc, generation, rule_out);
}

static void rule_cache_write(rule_cache_entry *table, uintptr_t pc, uint64_t generation,
                             uint64_t rule)
{
    if (table == NULL || pc == 0 || pc > KEY_PC_MASK)
        return;
    rule_cache_entry *set = rule_cache_set(table, pc);
    /* Victim: an entry already holding pc, else an empty or stale one, else a pseudo-random
     * way (bit 4 of the pc varies between neighbouring call sites). */
    rule_cache_entry *victim = set + ((pc >> 4) & 1);
    for (int way = 0; way < 2; way++) {
        uint64_t key = atomic_load_explicit(&set[way].key, memory_order_relaxed);
        uint64_t old_rule = atomic_load_explicit(&set[way].rule, memory_order_relaxed);
        if ((key & KEY_PC_MASK) == pc || key == 0 ||
            ((old_rule >> RULE_GENERATION_SHIFT) & RULE_GENERATION_MASK) != generation) {
            victim = set + way;
            break;
        }
    }
    uint64_t key = atomic_load_explicit(&victim->key, memory_order_relaxed);
    if (key & KEY_BUSY_BIT)
        return;
    uint64_t version = key >> KEY_VERSION_SHIFT;
    uint64_t busy = (key & KEY_PC_MASK) | (((version + 1) & 0xffff) << KEY_VERSION_SHIFT);
    if (!atomic_compare_exchange_strong_explicit(&victim->key, &key, busy, memory_order_acquire,
                                                 memory_order_relaxed))
        return;
    atomic_thread_fence(memory_order_release);
    rule |= (generation & RULE_GENERATION_MASK) << RULE_GENERATION_SHIFT;
    atomic_store_explicit(&victim->rule, rule, memory_order_relaxed);
    atomic_store_explicit(&victim->key, pc | (((version + 2) & 0xffff) << KEY_VERSION_SHIFT),
                          memory_order_release);
}

void invisible_unwind_invalidate_cache(void)
{
    atomic_fetch_add_explicit(&rule_generation, 1, memory_order_acq_rel);
}

static inline uint64_t current_generation(void)
{
    return atomic_load_explicit(&rule_generation, memory_order_acquire) & RULE_GENERATION_MASK;
}

/* ------------------------------------------------------------------------------------------
 * 3. Per-thread stack bounds.
 *
 * pthread_getattr_np is not usable: it mallocs (the main thread's bounds come from
 * /proc/self/maps through stdio; other threads' from a realloc'ed cpuset). So the mapping
 * that contains the stack pointer is looked up here, once per thread, by reading
 * /proc/self/maps with raw syscalls and a small state machine (no line buffering needed).
 * A thread stack's mapping is delimited by its guard page (PROT_NONE, a separate mapping),
 * so the bound cannot run into a neighbour's stack. Stacks the thread switches to later
 * (sigaltstack, coroutines) are looked up on demand into a second slot.
 * ------------------------------------------------------------------------------------------ */

typedef struct stack_range {
    uintptr_t low, high;
} stack_range;

typedef struct thread_stacks {
    stack_range main;      /* the thread's own stack, valid for its whole life */
    stack_range other;     /* last alternate stack seen (signal stack, coroutine) */
    unsigned failed_lookups;
} thread_stacks;

static __thread thread_stacks unwind_thread_stacks __attribute__((tls_model("initial-exec")));

static bool find_mapping_containing(uintptr_t address, stack_range *out)
{
    long fd = raw_syscall3(SYS_open, (long)"/proc/self/maps", O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0)
        return false;
    char buffer[2048];
    uintptr_t start = 0, end = 0;
    int field = 0; /* 0: start address, 1: end address, 2: rest of the line */
    bool found = false;
    for (;;) {
        long got = raw_syscall3(SYS_read, fd, (long)buffer, sizeof buffer);
        if (got == -EINTR)
            continue;
        if (got <= 0)
            break;
        for (long i = 0; i < got && !found; i++) {
            char ch = buffer[i];
            if (field == 2) {
                if (ch == '\n') {
                    field = 0;
                    start = end = 0;
                }
                continue;
            }
            int digit = (ch >= '0' && ch <= '9') ? ch - '0'
                        : (ch >= 'a' && ch <= 'f') ? ch - 'a' + 10
                                                   : -1;
            if (digit >= 0) {
                if (field == 0)
                    start = start << 4 | (uintptr_t)digit;
                else
                    end = end << 4 | (uintptr_t)digit;
            } else if (field == 0 && ch == '-') {
                field = 1;
            } else {
                if (field == 1 && start <= address && address < end) {
                    out->low = start;
                    out->high = end;
                    found = true;
                }
                field = ch == '\n' ? 0 : 2;
                if (field == 0)
                    start = end = 0;
            }
        }
        if (found)
            break;
    }
    raw_syscall3(SYS_close, fd, 0, 0);
    return found;
}

/* Bounds of the stack that holds `sp`, or false if unknown (the walk then returns 1 pc). */
static bool stack_bounds_for(uintptr_t sp, stack_range *out)
{
    thread_stacks *stacks = &unwind_thread_stacks;
    if (LIKELY(sp >= stacks->main.low && sp < stacks->main.high)) {
        *out = stacks->main;
        return true;
    }
    if (sp >= stacks->other.low && sp < stacks->other.high) {
        *out = stacks->other;
        return true;
    }
    /* Each lookup costs a read of /proc/self/maps: give up after a few failures (no /proc). */
    if (stacks->failed_lookups >= 8)
        return false;
    stack_range found;
    if (!find_mapping_containing(sp, &found)) {
        stacks->failed_lookups++;
        return false;
    }
    /* The main thread's [stack] mapping grows down: same top, lower bottom, same stack. */
    if (stacks->main.high == 0 || stacks->main.high == found.high)
        stacks->main = found;
    else
        stacks->other = found;
    *out = found;
    return true;
}

/* ------------------------------------------------------------------------------------------
 * 4. Cache misses: module lookup, .eh_frame_hdr binary search, CIE/FDE parsing, CFA program.
 *
 * _dl_find_object (glibc >= 2.35) is the loader's lock-free, async-signal-safe lookup meant
 * for unwinders; it covers objects dlopen'ed later and hands back PT_GNU_EH_FRAME directly.
 * Every read of unwind data is bounds-checked against the object's mapping, and every
 * record against its own length, so corrupt CFI ends in a STOP rule rather than a fault.
 * ------------------------------------------------------------------------------------------ */

#define DW_EH_PE_omit 0xff
#define DW_EH_PE_indirect 0x80
#define DW_EH_PE_pcrel 0x10
#define DW_EH_PE_datarel 0x30

typedef struct byte_cursor {
    const uint8_t *at, *end;
} byte_cursor;

static bool read_bytes(byte_cursor *c, void *out, size_t n)
{
    if ((size_t)(c->end - c->at) < n)
        return false;
    memcpy(out, c->at, n); /* unaligned-safe; inlined for constant n */
    c->at += n;
    return true;
}

static bool read_u8(byte_cursor *c, uint8_t *out) { return read_bytes(c, out, 1); }

static bool read_uleb(byte_cursor *c, uint64_t *out)
{
    uint64_t value = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        uint8_t byte;
        if (!read_u8(c, &byte))
            return false;
        value |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *out = value;
            return true;
        }
    }
    return false;
}

static bool read_sleb(byte_cursor *c, int64_t *out)
{
    uint64_t value = 0;
    for (unsigned shift = 0; shift < 64;) {
        uint8_t byte;
        if (!read_u8(c, &byte))
            return false;
        value |= (uint64_t)(byte & 0x7f) << shift;
        shift += 7;
        if (!(byte & 0x80)) {
            if (shift < 64 && (byte & 0x40))
                value |= ~0ull << shift;
            *out = (int64_t)value;
            return true;
        }
    }
    return false;
}

/* The value part of a DW_EH_PE encoding (low nibble). */
static bool read_encoded_value(byte_cursor *c, uint8_t encoding, uint64_t *out)
{
    switch (encoding & 0x0f) {
    case 0x00: { uint64_t v; if (!read_bytes(c, &v, 8)) return false; *out = v; return true; }
    case 0x01: return read_uleb(c, out);
    case 0x02: { uint16_t v; if (!read_bytes(c, &v, 2)) return false; *out = v; return true; }
    case 0x03: { uint32_t v; if (!read_bytes(c, &v, 4)) return false; *out = v; return true; }
    case 0x04: { uint64_t v; if (!read_bytes(c, &v, 8)) return false; *out = v; return true; }
    case 0x09: { int64_t v; if (!read_sleb(c, &v)) return false; *out = (uint64_t)v; return true; }
    case 0x0a: { int16_t v; if (!read_bytes(c, &v, 2)) return false; *out = (uint64_t)(int64_t)v; return true; }
    case 0x0b: { int32_t v; if (!read_bytes(c, &v, 4)) return false; *out = (uint64_t)(int64_t)v; return true; }
    case 0x0c: { int64_t v; if (!read_bytes(c, &v, 8)) return false; *out = (uint64_t)v; return true; }
    default: return false;
    }
}

/* A full encoded pointer: absolute, pc-relative or data-relative; never indirect (an
 * indirect pointer would be dereferenced outside the unwind data, and FDE addresses never
 * use it). */
static bool read_encoded_pointer(byte_cursor *c, uint8_t encoding, uintptr_t data_base,
                                 uintptr_t *out)
{
    if (encoding == DW_EH_PE_omit || (encoding & DW_EH_PE_indirect))
        return false;
    uintptr_t field = (uintptr_t)c->at;
    uint64_t value;
    if (!read_encoded_value(c, encoding, &value))
        return false;
    switch (encoding & 0x70) {
    case 0x00: break;
    case DW_EH_PE_pcrel: value += field; break;
    case DW_EH_PE_datarel: if (data_base == 0) return false; value += data_base; break;
    default: return false;
    }
    *out = (uintptr_t)value;
    return true;
}

typedef struct object_info {
    const uint8_t *map_start, *map_end; /* every unwind-data read stays inside */
    const uint8_t *eh_frame_hdr;
    bool runtime_lib;
} object_info;

static bool name_is_runtime_lib(const char *path)
{
    if (path == NULL)
        return false;
    const char *base = path;
    for (const char *p = path; *p; p++)
        if (*p == '/')
            base = p + 1;
    static const char *const names[] = {"libc.so.6", "ld-linux-x86-64.so.2", "libstdc++.so.6",
                                        "libgcc_s.so.1"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(base, names[i]) == 0)
            return true;
    return false;
}

static bool find_object(uintptr_t address, object_info *out)
{
    struct dl_find_object found;
    if (_dl_find_object((void *)address, &found) != 0)
        return false;
    out->map_start = found.dlfo_map_start;
    out->map_end = found.dlfo_map_end;
    out->eh_frame_hdr = found.dlfo_eh_frame;
    out->runtime_lib = found.dlfo_link_map && name_is_runtime_lib(found.dlfo_link_map->l_name);
    return true;
}

/* Binary search of .eh_frame_hdr's sorted (initial location, FDE) table for `pc`. Only the
 * table encoding every linker emits (datarel|sdata4) is supported. */
static const uint8_t *find_fde_in_hdr(const object_info *object, uintptr_t pc)
{
    const uint8_t *hdr = object->eh_frame_hdr;
    if (hdr == NULL || hdr < object->map_start || hdr >= object->map_end)
        return NULL;
    byte_cursor c = {hdr, object->map_end};
    uint8_t version, frame_ptr_enc, count_enc, table_enc;
    if (!read_u8(&c, &version) || !read_u8(&c, &frame_ptr_enc) || !read_u8(&c, &count_enc) ||
        !read_u8(&c, &table_enc) || version != 1 || table_enc != 0x3b)
        return NULL;
    uintptr_t eh_frame, count;
    if (!read_encoded_pointer(&c, frame_ptr_enc, (uintptr_t)hdr, &eh_frame) ||
        !read_encoded_pointer(&c, count_enc, (uintptr_t)hdr, &count))
        return NULL;
    const int32_t *table = (const int32_t *)(const void *)c.at;
    if (count == 0 || count > (size_t)(object->map_end - c.at) / 8)
        return NULL;
    size_t low = 0, high = count; /* find the last entry with initial location <= pc */
    while (high - low > 1) {
        size_t mid = low + (high - low) / 2;
        int32_t start;
        memcpy(&start, &table[2 * mid], 4);
        if ((uintptr_t)hdr + (intptr_t)start <= pc)
            low = mid;
        else
            high = mid;
    }
    int32_t start, fde_offset;
    memcpy(&start, &table[2 * low], 4);
    memcpy(&fde_offset, &table[2 * low + 1], 4);
    if ((uintptr_t)hdr + (intptr_t)start > pc)
        return NULL;
    const uint8_t *fde = hdr + fde_offset;
    if (fde < object->map_start || fde >= object->map_end)
        return NULL;
    return fde;
}

/* One CFI record (CIE or FDE): its body after the length field, and the id/pointer field. */
static bool read_record(const object_info *object, const uint8_t *record, byte_cursor *body,
                        const uint8_t **id_field, uint32_t *id)
{
    byte_cursor c = {record, object->map_end};
    uint32_t length32;
    if (!read_bytes(&c, &length32, 4) || length32 == 0)
        return false;
    uint64_t length = length32;
    if (length32 == 0xffffffffu && !read_bytes(&c, &length, 8))
        return false;
    if (length < 4 || length > (uint64_t)(object->map_end - c.at))
        return false;
    body->at = c.at;
    body->end = c.at + length;
    *id_field = body->at;
    return read_bytes(body, id, 4);
}

typedef struct cie_info {
    uint64_t code_align;
    int64_t data_align;
    uint8_t fde_encoding;
    bool has_augmentation_data;
    bool signal_frame;
    byte_cursor instructions;
} cie_info;

static bool parse_cie(const object_info *object, const uint8_t *cie, cie_info *out)
{
    byte_cursor c;
    const uint8_t *id_field;
    uint32_t id;
    if (!read_record(object, cie, &c, &id_field, &id) || id != 0)
        return false;
    uint8_t version;
    if (!read_u8(&c, &version) || (version != 1 && version != 3 && version != 4))
        return false;
    const char *augmentation = (const char *)c.at;
    size_t aug_length = 0;
    while (c.at + aug_length < c.end && augmentation[aug_length] != '\0')
        aug_length++;
    if (c.at + aug_length >= c.end)
        return false;
    c.at += aug_length + 1;
    if (version == 4) {
        uint8_t address_size, segment_size;
        if (!read_u8(&c, &address_size) || !read_u8(&c, &segment_size) || address_size != 8)
            return false;
    }
    uint64_t return_register;
    if (!read_uleb(&c, &out->code_align) || !read_sleb(&c, &out->data_align))
        return false;
    if (version == 1) {
        uint8_t reg;
        if (!read_u8(&c, &reg))
            return false;
        return_register = reg;
    } else if (!read_uleb(&c, &return_register)) {
        return false;
    }
    if (return_register != 16) /* x86-64 DWARF register 16 = rip */
        return false;
    out->fde_encoding = 0; /* absptr unless 'R' says otherwise */
    out->has_augmentation_data = false;
    out->signal_frame = false;
    if (aug_length > 0) {
        if (augmentation[0] != 'z')
            return false; /* e.g. the pre-'z' "eh" augmentation: not worth supporting */
        uint64_t data_length;
        if (!read_uleb(&c, &data_length) || data_length > (uint64_t)(c.end - c.at))
            return false;
        byte_cursor data = {c.at, c.at + data_length};
        c.at += data_length;
        out->has_augmentation_data = true;
        for (size_t i = 1; i < aug_length; i++) {
            uint8_t encoding;
            uint64_t ignored;
            switch (augmentation[i]) {
            case 'R':
                if (!read_u8(&data, &out->fde_encoding))
                    return false;
                break;
            case 'L':
                if (!read_u8(&data, &encoding))
                    return false;
                break;
            case 'P': /* personality routine: skipped, only its size matters */
                if (!read_u8(&data, &encoding) || !read_encoded_value(&data, encoding, &ignored))
                    return false;
                break;
            case 'S': out->signal_frame = true; break;
            case 'B': break;
            default: return false; /* unknown letter: the rest cannot be decoded */
            }
        }
    }
    out->instructions = c;
    return true;
}

/* Where a register of interest is, as the CFA program leaves it. */
enum { WHERE_SAME = 0, WHERE_UNDEFINED, WHERE_AT_CFA, WHERE_AT_RBP, WHERE_UNSUPPORTED };

typedef struct cfi_register {
    uint8_t where;
    int64_t offset;
} cfi_register;

typedef struct cfi_row {
    uint8_t cfa_kind;   /* CFA_RSP, CFA_RBP, CFA_DEREF_RBP, or CFA_STOP = unsupported */
    int64_t cfa_offset;
    cfi_register rbp, ra;
} cfi_row;

#define DWARF_REG_RBP 6
#define DWARF_REG_RSP 7
#define DWARF_REG_RA 16
#define REMEMBER_STACK_DEPTH 8

static void set_register(cfi_row *row, uint64_t reg, uint8_t where, int64_t offset)
{
    cfi_register *target = reg == DWARF_REG_RBP ? &row->rbp : reg == DWARF_REG_RA ? &row->ra : NULL;
    if (target != NULL) {
        target->where = where;
        target->offset = offset;
    }
}

static void define_cfa_register(cfi_row *row, uint64_t reg)
{
    row->cfa_kind = reg == DWARF_REG_RSP ? CFA_RSP : reg == DWARF_REG_RBP ? CFA_RBP : CFA_STOP;
}

/* DW_CFA_def_cfa_expression: only gcc's stack-realignment form "DW_OP_breg6 k; DW_OP_deref"
 * (CFA = *(rbp + k)) is understood. */
static void define_cfa_expression(cfi_row *row, byte_cursor block)
{
    uint8_t op, deref;
    int64_t offset;
    if (read_u8(&block, &op) && op == 0x76 && read_sleb(&block, &offset) &&
        read_u8(&block, &deref) && deref == 0x06 && block.at == block.end) {
        row->cfa_kind = CFA_DEREF_RBP;
        row->cfa_offset = offset;
    } else {
        row->cfa_kind = CFA_STOP;
    }
}

/* DW_CFA_expression for rbp: only "DW_OP_breg6 k" (rbp saved at rbp + k, the DRAP form). */
static void define_register_expression(cfi_row *row, uint64_t reg, byte_cursor block)
{
    uint8_t op;
    int64_t offset;
    if (reg == DWARF_REG_RBP && read_u8(&block, &op) && op == 0x76 &&
        read_sleb(&block, &offset) && block.at == block.end)
        set_register(row, reg, WHERE_AT_RBP, offset);
    else
        set_register(row, reg, WHERE_UNSUPPORTED, 0);
}

static bool read_block(byte_cursor *c, byte_cursor *block)
{
    uint64_t length;
    if (!read_uleb(c, &length) || length > (uint64_t)(c->end - c->at))
        return false;
    block->at = c->at;
    block->end = c->at + length;
    c->at += length;
    return true;
}

/* Run a CFA program until the location passes `target` (the FDE case) or the program ends
 * (the CIE case: target = UINTPTR_MAX). `initial` is the CIE's row, for DW_CFA_restore.
 * Returns false on malformed or unsupported input. */
static bool run_cfa_program(byte_cursor c, const cie_info *cie, uintptr_t location,
                            uintptr_t target, const cfi_row *initial, cfi_row *row)
{
    cfi_row remembered[REMEMBER_STACK_DEPTH];
    int remembered_count = 0;
    while (c.at < c.end) {
        uint8_t op;
        uint64_t reg, value, delta = 0;
        int64_t svalue;
        byte_cursor block;
        if (!read_u8(&c, &op))
            return false;
        uint8_t low6 = op & 0x3f;
        switch (op >> 6) {
        case 1: /* DW_CFA_advance_loc */
            delta = low6;
            goto advance;
        case 2: /* DW_CFA_offset */
            if (!read_uleb(&c, &value))
                return false;
            set_register(row, low6, WHERE_AT_CFA, (int64_t)value * cie->data_align);
            continue;
        case 3: /* DW_CFA_restore */
            if (initial == NULL)
                return false;
            if (low6 == DWARF_REG_RBP)
                row->rbp = initial->rbp;
            else if (low6 == DWARF_REG_RA)
                row->ra = initial->ra;
            continue;
        default:
            break;
        }
        switch (op) {
        case 0x00: /* DW_CFA_nop */
            continue;
        case 0x01: { /* DW_CFA_set_loc */
            uintptr_t new_location;
            if (!read_encoded_pointer(&c, cie->fde_encoding, 0, &new_location))
                return false;
            if (new_location > target)
                return true;
            location = new_location;
            continue;
        }
        case 0x02: { uint8_t d; if (!read_u8(&c, &d)) return false; delta = d; goto advance; }
        case 0x03: { uint16_t d; if (!read_bytes(&c, &d, 2)) return false; delta = d; goto advance; }
        case 0x04: { uint32_t d; if (!read_bytes(&c, &d, 4)) return false; delta = d; goto advance; }
        case 0x05: /* DW_CFA_offset_extended */
            if (!read_uleb(&c, &reg) || !read_uleb(&c, &value))
                return false;
            set_register(row, reg, WHERE_AT_CFA, (int64_t)value * cie->data_align);
            continue;
        case 0x06: /* DW_CFA_restore_extended */
            if (!read_uleb(&c, &reg) || initial == NULL)
                return false;
            if (reg == DWARF_REG_RBP)
                row->rbp = initial->rbp;
            else if (reg == DWARF_REG_RA)
                row->ra = initial->ra;
            continue;
        case 0x07: /* DW_CFA_undefined */
            if (!read_uleb(&c, &reg))
                return false;
            set_register(row, reg, WHERE_UNDEFINED, 0);
            continue;
        case 0x08: /* DW_CFA_same_value */
            if (!read_uleb(&c, &reg))
                return false;
            set_register(row, reg, WHERE_SAME, 0);
            continue;
        case 0x09: /* DW_CFA_register: value lives in another register; not tracked */
            if (!read_uleb(&c, &reg) || !read_uleb(&c, &value))
                return false;
            set_register(row, reg, WHERE_UNSUPPORTED, 0);
            continue;
        case 0x0a: /* DW_CFA_remember_state */
            if (remembered_count == REMEMBER_STACK_DEPTH)
                return false;
            remembered[remembered_count++] = *row;
            continue;
        case 0x0b: /* DW_CFA_restore_state */
            if (remembered_count == 0)
                return false;
            /* The whole row, CFA included, as libgcc and LLVM libunwind do. */
            *row = remembered[--remembered_count];
            continue;
        case 0x0c: /* DW_CFA_def_cfa */
            if (!read_uleb(&c, &reg) || !read_uleb(&c, &value))
                return false;
            define_cfa_register(row, reg);
            row->cfa_offset = (int64_t)value;
            continue;
        case 0x0d: /* DW_CFA_def_cfa_register */
            if (!read_uleb(&c, &reg))
                return false;
            if (row->cfa_kind == CFA_DEREF_RBP)
                row->cfa_offset = 0; /* leaving the expression form: offset starts at 0 */
            define_cfa_register(row, reg);
            continue;
        case 0x0e: /* DW_CFA_def_cfa_offset */
            if (!read_uleb(&c, &value))
                return false;
            row->cfa_offset = (int64_t)value;
            continue;
        case 0x0f: /* DW_CFA_def_cfa_expression */
            if (!read_block(&c, &block))
                return false;
            define_cfa_expression(row, block);
            continue;
        case 0x10: /* DW_CFA_expression */
            if (!read_uleb(&c, &reg) || !read_block(&c, &block))
                return false;
            define_register_expression(row, reg, block);
            continue;
        case 0x11: /* DW_CFA_offset_extended_sf */
            if (!read_uleb(&c, &reg) || !read_sleb(&c, &svalue))
                return false;
            set_register(row, reg, WHERE_AT_CFA, svalue * cie->data_align);
            continue;
        case 0x12: /* DW_CFA_def_cfa_sf */
            if (!read_uleb(&c, &reg) || !read_sleb(&c, &svalue))
                return false;
            define_cfa_register(row, reg);
            row->cfa_offset = svalue * cie->data_align;
            continue;
        case 0x13: /* DW_CFA_def_cfa_offset_sf */
            if (!read_sleb(&c, &svalue))
                return false;
            row->cfa_offset = svalue * cie->data_align;
            continue;
        case 0x14: /* DW_CFA_val_offset: the value (not a save slot) is CFA+k; not tracked */
        case 0x2f: /* DW_CFA_GNU_negative_offset_extended */
            if (!read_uleb(&c, &reg) || !read_uleb(&c, &value))
                return false;
            set_register(row, reg, op == 0x2f ? WHERE_AT_CFA : WHERE_UNSUPPORTED,
                         -(int64_t)value * cie->data_align);
            continue;
        case 0x15: /* DW_CFA_val_offset_sf */
            if (!read_uleb(&c, &reg) || !read_sleb(&c, &svalue))
                return false;
            set_register(row, reg, WHERE_UNSUPPORTED, 0);
            continue;
        case 0x16: /* DW_CFA_val_expression */
            if (!read_uleb(&c, &reg) || !read_block(&c, &block))
                return false;
            set_register(row, reg, WHERE_UNSUPPORTED, 0);
            continue;
        case 0x2e: /* DW_CFA_GNU_args_size: only matters for landing pads */
            if (!read_uleb(&c, &value))
                return false;
            continue;
        default:
            return false;
        }
    advance:
        if (delta * cie->code_align > target - location)
            return true; /* the row in effect at `target` is complete */
        location += delta * cie->code_align;
    }
    return true;
}

/* Turn the interpreted row into a rule word (CFA_STOP if it cannot be expressed). */
static uint64_t rule_from_row(const cfi_row *row)
{
    if (row->cfa_kind == CFA_STOP || row->ra.where != WHERE_AT_CFA || row->ra.offset != -8)
        return rule_make(CFA_STOP, 0, 0, 0);
    if (row->cfa_offset < INT32_MIN || row->cfa_offset > INT32_MAX)
        return rule_make(CFA_STOP, 0, 0, 0);
    unsigned rbp_kind;
    switch (row->rbp.where) {
    case WHERE_SAME:
    case WHERE_UNDEFINED: rbp_kind = RBP_UNCHANGED; break;
    case WHERE_AT_CFA: rbp_kind = RBP_AT_CFA; break;
    case WHERE_AT_RBP: rbp_kind = RBP_AT_RBP; break;
    default: return rule_make(CFA_STOP, 0, 0, 0);
    }
    if (row->rbp.offset < INT16_MIN || row->rbp.offset > INT16_MAX)
        return rule_make(CFA_STOP, 0, 0, 0);
    return rule_make(row->cfa_kind, (int32_t)row->cfa_offset, rbp_kind, (int16_t)row->rbp.offset);
}

/* The rule for the frame whose return address is `pc` (slow path, no cache). `cacheable`
 * is cleared when no loaded object contains the pc: that answer can change (JIT code, an
 * object being dlopen'ed, or a malloc from ld.so before _dl_find_object is initialized at
 * startup), and misses on such pcs are cheap anyway. */
static uint64_t compute_rule(uintptr_t pc, bool *cacheable)
{
    uintptr_t call_site = pc - 1; /* inside the call instruction */
    object_info object;
    *cacheable = true;
    if (!find_object(call_site, &object)) {
        *cacheable = false;
        return rule_make(CFA_STOP, 0, 0, 0);
    }
    uint64_t runtime = object.runtime_lib ? RULE_RUNTIME_LIB : 0;
    uint64_t stop = rule_make(CFA_STOP, 0, 0, 0) | runtime;

    const uint8_t *fde = find_fde_in_hdr(&object, call_site);
    if (fde == NULL)
        return stop;
    byte_cursor body;
    const uint8_t *cie_pointer_field;
    uint32_t cie_offset;
    if (!read_record(&object, fde, &body, &cie_pointer_field, &cie_offset) || cie_offset == 0)
        return stop;
    const uint8_t *cie = cie_pointer_field - cie_offset;
    if (cie < object.map_start || cie >= object.map_end)
        return stop;
    cie_info info;
    if (!parse_cie(&object, cie, &info) || info.signal_frame)
        return stop;
    uintptr_t pc_begin;
    uint64_t pc_range;
    if (!read_encoded_pointer(&body, info.fde_encoding, 0, &pc_begin) ||
        !read_encoded_value(&body, info.fde_encoding, &pc_range))
        return stop;
    if (call_site < pc_begin || call_site - pc_begin >= pc_range)
        return stop;
    if (info.has_augmentation_data) {
        uint64_t skip;
        if (!read_uleb(&body, &skip) || skip > (uint64_t)(body.end - body.at))
            return stop;
        body.at += skip;
    }
    cfi_row initial = {.cfa_kind = CFA_STOP, .rbp = {WHERE_SAME, 0}, .ra = {WHERE_UNDEFINED, 0}};
    if (!run_cfa_program(info.instructions, &info, 0, UINTPTR_MAX, NULL, &initial))
        return stop;
    cfi_row row = initial;
    if (!run_cfa_program(body, &info, pc_begin, call_site, &initial, &row))
        return stop;
    return rule_from_row(&row) | runtime;
}

/* Cache miss: compute and publish. Kept out of line so the walk loop stays small. */
static __attribute__((noinline)) uint64_t lookup_rule_slow(rule_cache_entry *table, uint64_t generation,
                                                           uintptr_t pc)
{
    bool cacheable;
    uint64_t rule = compute_rule(pc, &cacheable);
    if (cacheable)
        rule_cache_write(table, pc, generation, rule);
    return rule;
}

static inline __attribute__((always_inline)) uint64_t lookup_rule(rule_cache_entry *table,
                                                                  uint64_t generation, uintptr_t pc)
{
    uint64_t rule;
    if (LIKELY(table != NULL) && rule_cache_read(table, pc, generation, &rule))
        return rule;
    return lookup_rule_slow(table, generation, pc);
}

int invisible_pc_in_runtime_lib(uintptr_t pc)
{
    if (pc == 0)
        return 0;
    return (lookup_rule(rule_cache_get(), current_generation(), pc) & RULE_RUNTIME_LIB) != 0;
}

/* ------------------------------------------------------------------------------------------
 * 5. The walk.
 * ------------------------------------------------------------------------------------------ */

/* A run of runtime-library frames longer than this is not an allocator wrapper chain. */
#define MAX_SKIPPED_RUNTIME_FRAMES 32

static inline bool stack_word(const stack_range *stack, uintptr_t floor, uintptr_t address,
                              uintptr_t *out)
{
    /* Only the live part of this thread's stack: at or above the current sp, below the top. */
    if (address < floor || address > stack->high - sizeof(uintptr_t) || (address & 7))
        return false;
    *out = *(const uintptr_t *)address;
    return true;
}

typedef struct frame_registers {
    uintptr_t pc, sp, fp;
} frame_registers;

/* The rare parts of a step, out of line so the walk keeps pc/sp/fp in registers (inputs by
 * value, outputs through `out`): CFA = *(rbp + k) (stack realignment) and rbp saved relative
 * to rbp. `cfa` is 0 when it still has to be computed. */
static __attribute__((noinline)) bool step_frame_slow(uint64_t rule, const stack_range *stack,
                                                      uintptr_t sp, uintptr_t fp, uintptr_t cfa,
                                                      frame_registers *out)
{
    if (cfa == 0) {
        if (rule_cfa_kind(rule) != CFA_DEREF_RBP ||
            !stack_word(stack, sp, fp + (uintptr_t)rule_cfa_offset(rule), &cfa))
            return false;
        if (cfa < sp + 8 || cfa > stack->high || (cfa & 7))
            return false;
    }
    uintptr_t caller_fp = fp;
    switch (rule_rbp_kind(rule)) {
    case RBP_AT_CFA:
        if (!stack_word(stack, sp, cfa + (uintptr_t)rule_rbp_offset(rule), &caller_fp))
            return false;
        break;
    case RBP_AT_RBP:
        if (!stack_word(stack, sp, fp + (uintptr_t)rule_rbp_offset(rule), &caller_fp))
            return false;
        break;
    default: break;
    }
    out->pc = *(const uintptr_t *)(cfa - 8);
    out->sp = cfa;
    out->fp = caller_fp;
    return out->pc != 0;
}

/* Per-thread memo of the last walk. An allocation site inside a loop is walked again and
 * again from the same (pc, sp, fp); the walk is a pure function of that start state, of the
 * stack words it read, of the stack bounds and of the rules (cache generation). So the memo
 * keeps the words read (address, value) and the result; a new walk from the same start
 * re-reads those words - independent loads the CPU issues in parallel, instead of the
 * walk's chain of dependent ones - and on an exact match returns the stored result.
 * Only walks on the thread's own stack are memoized (its mapping never shrinks under a live
 * thread, so re-reading the addresses is safe), only fast-path steps, and only when no
 * other walk of this thread is in progress: `busy` keeps a signal handler that interrupts a
 * walk from reading or writing a half-updated memo (same thread: compiler barriers suffice). */
#define MEMO_MAX_FRAMES 64
#define MEMO_MAX_READS 64

typedef struct walk_memo {
    int busy, valid;
    int start_fp_used; /* the walk read the starting rbp (a CFA from rbp before rbp was reloaded) */
    unsigned flags;
    int max, count, reads;
    uint64_t generation;
    uint32_t derived;  /* what invisible_unwind_derived's caller made of the result; 0 = not yet */
    uintptr_t start_pc, start_sp, start_fp;
    uintptr_t read_address[MEMO_MAX_READS];
    uintptr_t read_value[MEMO_MAX_READS];
    uintptr_t pcs[MEMO_MAX_FRAMES];
} walk_memo;

/* Several memos per thread, one per recent starting point: recursion (a tree builder, a parser)
 * allocates from the same site at several stack depths in turn, and one memo would be replaced
 * at every call. A memo is picked by a hash of the start (pc, sp). The set (MEMO_WAYS x ~1.6 KiB)
 * is mapped on the thread's first walk rather than kept in static TLS, which every thread of
 * every preloaded program would pay for; invisible_unwind_thread_exit unmaps it. */
#define COMPILER_BARRIER() __asm__ volatile("" ::: "memory")
#define MEMO_WAYS 16
#define MEMO_SET_NONE ((walk_memo *)1) /* after thread exit, or when mapping failed: no memo */

static __thread walk_memo *unwind_memos __attribute__((tls_model("initial-exec")));

static __attribute__((noinline)) walk_memo *memo_set_map(void)
{
    walk_memo *set = raw_mmap_anonymous(MEMO_WAYS * sizeof(walk_memo)); /* zeroed: all invalid */
    unwind_memos = set ? set : MEMO_SET_NONE;
    return unwind_memos;
}

/* The memo for a walk from (pc, sp), or NULL when this thread has none. */
static inline walk_memo *memo_for(uintptr_t pc, uintptr_t sp)
{
    walk_memo *set = unwind_memos;
    if (UNLIKELY(set == NULL))
        set = memo_set_map();
    if (UNLIKELY(set == MEMO_SET_NONE))
        return NULL;
    uint64_t h = ((uint64_t)(sp >> 3) ^ (uint64_t)pc) * 0x9e3779b97f4a7c15ull;
    return &set[h >> 60]; /* 16 ways */
}

void invisible_unwind_thread_exit(void)
{
    walk_memo *set = unwind_memos;
    unwind_memos = MEMO_SET_NONE; /* first: a signal handler walking now sees no memo */
    COMPILER_BARRIER();
    if (set != NULL && set != MEMO_SET_NONE) {
        for (int i = 0; i < MEMO_WAYS; i++)
            if (set[i].busy)
                return; /* interrupted a walk that still uses it (signal at exit): leak it */
        raw_munmap(set, MEMO_WAYS * sizeof(walk_memo));
    }
}


/* Does the memo answer a walk from `start`? (Its recorded start and every word it read match.) */
static inline bool memo_matches(const walk_memo *memo, const invisible_frame_state *start, int max,
                                unsigned flags, uint64_t generation)
{
    /* The starting rbp matters only if the walk used it: -O2 code without frame pointers keeps
     * ordinary values in rbp, and comparing it anyway made the memo miss on every call. */
    if (!memo->valid || memo->start_pc != start->pc || memo->start_sp != start->sp ||
        (memo->start_fp_used && memo->start_fp != start->fp) || memo->max != max ||
        memo->flags != flags || memo->generation != generation)
        return false;
    uintptr_t difference = 0;
    for (int i = 0; i < memo->reads; i++)
        difference |= *(const uintptr_t *)memo->read_address[i] ^ memo->read_value[i];
    return difference == 0;
}

static inline int memo_copy(const walk_memo *memo, uintptr_t *pcs)
{
    for (int i = 0; i < memo->count; i++)
        pcs[i] = memo->pcs[i];
    return memo->count;
}

/* The walk proper. `memo` is NULL when not recording; recording is abandoned (memo stays
 * invalid) on a slow-path step or when the read log is full. */
static int walk_frames(const invisible_frame_state *start, const stack_range *stack, uintptr_t *pcs,
                       int max, unsigned flags, uint64_t generation, walk_memo *memo)
{
    uintptr_t pc = start->pc, sp = start->sp, fp = start->fp;
    const uintptr_t high = stack->high;
    rule_cache_entry *table = rule_cache_get();
    bool skipping = (flags & INVISIBLE_UNWIND_SKIP_RUNTIME_LIBS) != 0;
    bool fp_from_start = true, start_fp_used = false;
    int skipped = 0, count = 0, reads = 0;
    int fp_read_pending = -1; /* memo log index of a saved-rbp read no CFA has used yet */
    for (;;) {
        if (LIKELY(!skipping)) {
            pcs[count++] = pc;
            if (count >= max)
                break;
        }
        uint64_t rule = lookup_rule(table, generation, pc);
        if (UNLIKELY(skipping)) {
            if (!(rule & RULE_RUNTIME_LIB) || ++skipped > MAX_SKIPPED_RUNTIME_FRAMES) {
                skipping = false;
                pcs[count++] = pc;
                if (count >= max)
                    break;
            }
        }

        /* One step: the caller's pc, sp (= CFA) and fp. */
        unsigned kind = rule_cfa_kind(rule);
        unsigned rbp_kind = rule_rbp_kind(rule);
        if (UNLIKELY(kind - CFA_RSP > CFA_RBP - CFA_RSP || rbp_kind == RBP_AT_RBP)) {
            if (kind == CFA_STOP)
                break;
            memo = NULL;
            frame_registers caller;
            uintptr_t cfa = 0;
            if (kind != CFA_DEREF_RBP) {
                cfa = (kind == CFA_RBP ? fp : sp) + (uintptr_t)rule_cfa_offset(rule);
                if (cfa - (sp + 8) > high - (sp + 8) || (cfa & 7))
                    break;
            }
            if (!step_frame_slow(rule, stack, sp, fp, cfa, &caller))
                break;
            pc = caller.pc, sp = caller.sp, fp = caller.fp;
            continue;
        }
        /* A predicted branch rather than a cmov: keeps the kind test off the data path. */
        uintptr_t cfa = (uintptr_t)rule_cfa_offset(rule);
        if (kind == CFA_RBP) {
            cfa += fp;
            start_fp_used |= fp_from_start;
            fp_read_pending = -1; /* the rbp read that produced fp matters: keep it logged */
        } else {
            cfa += sp;
        }
        /* The CFA is the caller's sp: at least 8 above ours (so the walk terminates and the
         * return address slot below it is ours to read), 8-aligned, inside the stack. One
         * unsigned compare covers both ends. */
        if (UNLIKELY(cfa - (sp + 8) > high - (sp + 8) || (cfa & 7)))
            break;
        if (rbp_kind == RBP_AT_CFA) { /* the caller's rbp was saved in this frame */
            uintptr_t slot = cfa + (uintptr_t)rule_rbp_offset(rule);
            if (UNLIKELY(slot - sp > high - 8 - sp || (slot & 7)))
                break;
            fp = *(const uintptr_t *)slot;
            fp_from_start = false;
            if (memo != NULL) {
                /* A saved rbp matters only if a later step computes a CFA from it; until then
                 * it is logged provisionally, and replaced by the next one if it never is
                 * (-O2 code keeps ordinary variables in rbp, which change between calls). */
                if (fp_read_pending >= 0) {
                    memo->read_address[fp_read_pending] = slot;
                    memo->read_value[fp_read_pending] = fp;
                } else if (reads == MEMO_MAX_READS) {
                    memo = NULL;
                } else {
                    fp_read_pending = reads;
                    memo->read_address[reads] = slot;
                    memo->read_value[reads++] = fp;
                }
            }
        }
        pc = *(const uintptr_t *)(cfa - 8);
        sp = cfa;
        if (memo != NULL) {
            if (reads == MEMO_MAX_READS) {
                memo = NULL;
            } else {
                memo->read_address[reads] = cfa - 8;
                memo->read_value[reads++] = pc;
            }
        }
        if (UNLIKELY(pc == 0))
            break;
    }
    if (count == 0) { /* every frame was in the runtime libraries: keep the original first */
        pcs[0] = start->pc;
        count = 1;
    }
    if (memo != NULL && count <= MEMO_MAX_FRAMES) {
        if (fp_read_pending >= 0) { /* never used: the result does not depend on it */
            reads--;
            memo->read_address[fp_read_pending] = memo->read_address[reads];
            memo->read_value[fp_read_pending] = memo->read_value[reads];
        }
        memo->reads = reads;
        memo->count = count;
        for (int i = 0; i < count; i++)
            memo->pcs[i] = pcs[i];
        memo->start_pc = start->pc;
        memo->start_sp = start->sp;
        memo->start_fp = start->fp;
        memo->start_fp_used = start_fp_used;
        memo->max = max;
        memo->flags = flags;
        memo->generation = generation;
        memo->derived = 0;
        COMPILER_BARRIER();
        memo->valid = 1;
    }
    return count;
}

int invisible_unwind(const invisible_frame_state *start, uintptr_t *pcs, int max, unsigned flags)
{
    if (start == NULL || start->pc == 0 || pcs == NULL || max < 1)
        return 0;
    stack_range stack;
    if (!stack_bounds_for(start->sp, &stack)) {
        pcs[0] = start->pc;
        return 1;
    }
    uint64_t generation = current_generation();
    const thread_stacks *stacks = &unwind_thread_stacks;
    walk_memo *memo = (flags & INVISIBLE_UNWIND_NO_MEMO) ? NULL : memo_for(start->pc, start->sp);
    if (memo == NULL || memo->busy || stack.high != stacks->main.high)
        return walk_frames(start, &stack, pcs, max, flags, generation, NULL);

    memo->busy = 1;
    COMPILER_BARRIER();
    int count;
    if (memo_matches(memo, start, max, flags, generation)) {
        count = memo_copy(memo, pcs);
    } else {
        memo->valid = 0;
        COMPILER_BARRIER();
        count = walk_frames(start, &stack, pcs, max, flags, generation, memo);
    }
    COMPILER_BARRIER();
    memo->busy = 0;
    return count;
}

uint32_t invisible_unwind_derived(const invisible_frame_state *start, uintptr_t *pcs, int max, unsigned flags,
                                  invisible_unwind_derive derive, void *context)
{
    if (start == NULL || start->pc == 0 || pcs == NULL || max < 1)
        return derive(context, pcs, 0);
    stack_range stack;
    if (!stack_bounds_for(start->sp, &stack)) {
        pcs[0] = start->pc;
        return derive(context, pcs, 1);
    }
    uint64_t generation = current_generation();
    const thread_stacks *stacks = &unwind_thread_stacks;
    walk_memo *memo = (flags & INVISIBLE_UNWIND_NO_MEMO) ? NULL : memo_for(start->pc, start->sp);
    if (memo == NULL || memo->busy || stack.high != stacks->main.high)
        return derive(context, pcs, walk_frames(start, &stack, pcs, max, flags, generation, NULL));

    /* The derivation runs inside the busy window: a signal handler that walks meanwhile cannot
     * rewrite this memo between the walk and the store of what was derived from it. */
    memo->busy = 1;
    COMPILER_BARRIER();
    uint32_t value;
    if (memo_matches(memo, start, max, flags, generation) && memo->derived != 0) {
        value = memo->derived;
    } else {
        bool replayed = memo_matches(memo, start, max, flags, generation);
        int count;
        if (replayed) {
            count = memo_copy(memo, pcs);
        } else {
            memo->valid = 0;
            COMPILER_BARRIER();
            count = walk_frames(start, &stack, pcs, max, flags, generation, memo);
        }
        value = derive(context, pcs, count);
        if (memo->valid)
            memo->derived = value;
    }
    COMPILER_BARRIER();
    memo->busy = 0;
    return value;
}

/* ------------------------------------------------------------------------------------------
 * 6. Walking another thread's stack (process.threads), with each frame's CFA.
 *
 * Used while the world is stopped: the other thread is parked in our signal handler, so its
 * stack mapping cannot go away under us. Separate from walk_frames so the allocation hot path
 * stays as it is (no CFA output, no exact-pc start, no memo). Every read goes through the same
 * bounds checks: inside [stack_low, stack_high), at or above the frame's sp, 8-aligned.
 * ------------------------------------------------------------------------------------------ */

int invisible_stack_bounds(uintptr_t sp, uintptr_t *low, uintptr_t *high)
{
    stack_range found;
    if (low == NULL || high == NULL || !find_mapping_containing(sp, &found))
        return 0;
    *low = found.low;
    *high = found.high;
    return 1;
}

/* The caller's registers and this frame's CFA, or false when the walk must stop. */
static bool step_other_thread(uint64_t rule, const stack_range *stack, uintptr_t sp, uintptr_t fp,
                              frame_registers *caller)
{
    unsigned kind = rule_cfa_kind(rule);
    if (kind == CFA_STOP)
        return false;
    uintptr_t cfa = 0; /* computed by step_frame_slow for the *(rbp+k) form */
    if (kind != CFA_DEREF_RBP) {
        cfa = (kind == CFA_RBP ? fp : sp) + (uintptr_t)rule_cfa_offset(rule);
        /* Same test as the walk: strictly above our sp (termination), inside the stack. */
        if (cfa - (sp + 8) > stack->high - (sp + 8) || (cfa & 7))
            return false;
    }
    return step_frame_slow(rule, stack, sp, fp, cfa, caller);
}

int invisible_unwind_from(const invisible_frame_state *start, uintptr_t stack_low, uintptr_t stack_high,
                          uintptr_t *pcs, uintptr_t *cfas, int max, unsigned flags)
{
    if (start == NULL || start->pc == 0 || pcs == NULL || max < 1)
        return 0;
    pcs[0] = start->pc;
    if (cfas)
        cfas[0] = 0;
    /* No usable bounds: one frame, and nothing read from the stack. */
    if (stack_high <= stack_low || start->sp < stack_low || start->sp >= stack_high)
        return 1;
    stack_range stack = {stack_low, stack_high};
    rule_cache_entry *table = rule_cache_get();
    uint64_t generation = current_generation();
    uintptr_t pc = start->pc, sp = start->sp, fp = start->fp;
    int count = 0;
    while (count < max) {
        pcs[count] = pc;
        if (cfas)
            cfas[count] = 0;
        count++;
        /* Rules are keyed by return address (looked up at pc-1). An exact pc (a thread
         * interrupted by a signal) is looked up as if it were the return address pc+1, so a
         * thread stopped on a function's first instruction gets that function's rule. */
        uintptr_t key = (count == 1 && (flags & INVISIBLE_UNWIND_EXACT_PC)) ? pc + 1 : pc;
        frame_registers caller;
        if (!step_other_thread(lookup_rule(table, generation, key), &stack, sp, fp, &caller))
            break;
        if (cfas)
            cfas[count - 1] = caller.sp; /* the CFA is the caller's sp */
        pc = caller.pc, sp = caller.sp, fp = caller.fp;
    }
    return count;
}
