/* rules.c — the unwinder's rule cache: per return address, how to find the caller's frame.
 *
 * A rule is one 64-bit word (its layout and accessors are in internal.h, "trace/rules.c"),
 * computed from the object's DWARF CFI by cfi.c on a miss, for pc-1 (the call instruction, so
 * that calls to noreturn functions at the very end of a function resolve to the right FDE).
 *
 * Cache: 2-way set-associative, 64 Ki entries of 16 bytes (1 MiB of MAP_NORESERVE memory,
 * committed by the kernel as it is touched). Each entry is {key, rule}; key = pc in bits
 * 0..47 and a version in bits 48..63 that is odd while a writer owns the entry (a per-entry
 * seqlock folded into the key word, so a reader needs no extra cache line). Readers never
 * wait: an odd or changed version is simply a miss, and the miss path computes the rule
 * itself. Writers claim the entry with one CAS and give up if someone else holds it, so a
 * signal handler interrupting a writer on the same thread cannot deadlock. A fork while
 * another thread is mid-write leaves that one entry permanently "busy" in the child, which
 * costs only a miss for the pcs hashing there. pcs >= 2^48 are never cached. A generation
 * number in every rule invalidates the whole cache at once (after dlclose:
 * invisible_unwind_invalidate_cache). The reader (the walk's fast path) is inline:
 * rule_cache_read in internal.h, lookup_rule in unwind.c.
 */
#define _GNU_SOURCE
#include "internal.h"

_Atomic(rule_cache_entry *) rule_cache;
_Atomic uint32_t rule_generation;

__attribute__((noinline)) rule_cache_entry *rule_cache_map(void)
{
    size_t bytes = CACHE_ENTRIES * sizeof(rule_cache_entry);
    rule_cache_entry *fresh = prim_map(bytes, 1);
    if (fresh == NULL)
        return NULL;
    rule_cache_entry *expected = NULL;
    /* Two threads (or a thread and its signal handler) may race here; the loser unmaps. */
    if (!atomic_compare_exchange_strong_explicit(&rule_cache, &expected, fresh,
                                                 memory_order_acq_rel, memory_order_acquire)) {
        prim_unmap(fresh, bytes);
        return expected;
    }
    return fresh;
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

__attribute__((noinline)) uint64_t lookup_rule_slow(rule_cache_entry *table, uint64_t generation,
                                                   uintptr_t pc)
{
    bool cacheable;
    uint64_t rule = compute_rule(pc, &cacheable);
    if (cacheable)
        rule_cache_write(table, pc, generation, rule);
    return rule;
}
