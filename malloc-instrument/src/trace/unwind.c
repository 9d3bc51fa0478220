/* unwind.c — the stack walks: the allocation site's (with a per-thread memo), and a stopped
 * thread's (with each frame's CFA).
 *
 * See trace/unwind.h for the contract. The unwinder is four files of trace/:
 *   rules.c   the lock-free cache of rules (how to find a caller's frame), and its miss path
 *   cfi.c     cache misses: .eh_frame_hdr search, CIE/FDE parsing, the CFA program
 *   stacks.c  per-thread stack bounds (/proc/self/maps, read by primitives/maps.c)
 *   unwind.c  the walks (this file)
 *
 * Everything here may run inside an interposed malloc, from several threads at once, in a
 * signal handler that interrupted any of that, or in a fork child: no malloc, no locks, no
 * stdio, no errno changes. The only shared mutable state is the rule cache (per-slot version
 * counters, readers never wait) and one generation counter.
 */
#define _GNU_SOURCE
#include "internal.h"
#include "trace/unwind.h"

/* ---- the rule of a frame, and the stack it is on: the walk's fast paths ---- */

static inline rule_cache_entry *rule_cache_get(void)
{
    rule_cache_entry *table = atomic_load_explicit(&rule_cache, memory_order_acquire);
    return LIKELY(table != NULL) ? table : rule_cache_map();
}

static inline uint64_t current_generation(void)
{
    return atomic_load_explicit(&rule_generation, memory_order_acquire) & RULE_GENERATION_MASK;
}

static inline __attribute__((always_inline)) uint64_t lookup_rule(rule_cache_entry *table,
                                                                  uint64_t generation, uintptr_t pc)
{
    uint64_t rule;
    if (LIKELY(table != NULL) && rule_cache_read(table, pc, generation, &rule))
        return rule;
    return lookup_rule_slow(table, generation, pc);
}

/* Bounds of the stack that holds `sp`, or false if unknown (the walk then returns 1 pc). */
static inline bool stack_bounds_for(uintptr_t sp, stack_range *out)
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
    return stack_bounds_lookup(sp, out);
}

int invisible_pc_in_runtime_lib(uintptr_t pc)
{
    if (pc == 0)
        return 0;
    return (lookup_rule(rule_cache_get(), current_generation(), pc) & RULE_RUNTIME_LIB) != 0;
}

void invisible_unwind_invalidate_cache(void)
{
    atomic_fetch_add_explicit(&rule_generation, 1, memory_order_acq_rel);
}

/* ---- the allocation site's walk ---- */

/* The caller's registers, as one step of a walk computes them. */
typedef struct frame_registers {
    uintptr_t pc, sp, fp;
} frame_registers;

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
#define MEMO_WAYS 16
#define MEMO_SET_NONE ((walk_memo *)1) /* after thread exit, or when mapping failed: no memo */

static __thread walk_memo *unwind_memos __attribute__((tls_model(INVISIBLE_TLS_MODEL)));

static __attribute__((noinline)) walk_memo *memo_set_map(void)
{
    walk_memo *set = prim_map(MEMO_WAYS * sizeof(walk_memo), 1); /* zeroed: all invalid */
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
        prim_unmap(set, MEMO_WAYS * sizeof(walk_memo));
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

/* The memo that may answer a walk from `start` on `stack`, or NULL: the memo is off for this
 * call, this thread has none, another walk of this thread is in progress (a signal handler
 * interrupted it), or the stack is not the thread's own. */
static inline walk_memo *memo_usable(const invisible_frame_state *start, const stack_range *stack,
                                     unsigned flags)
{
    walk_memo *memo = (flags & INVISIBLE_UNWIND_NO_MEMO) ? NULL : memo_for(start->pc, start->sp);
    if (memo == NULL || memo->busy || stack->high != unwind_thread_stacks.main.high)
        return NULL;
    return memo;
}

/* Inside the memo's busy window: its answer when it matches, else a walk that records into it. */
static inline int memo_walk(walk_memo *memo, const invisible_frame_state *start, const stack_range *stack,
                            uintptr_t *pcs, int max, unsigned flags, uint64_t generation)
{
    if (memo_matches(memo, start, max, flags, generation))
        return memo_copy(memo, pcs);
    memo->valid = 0;
    COMPILER_BARRIER();
    return walk_frames(start, stack, pcs, max, flags, generation, memo);
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
    walk_memo *memo = memo_usable(start, &stack, flags);
    if (memo == NULL)
        return walk_frames(start, &stack, pcs, max, flags, generation, NULL);

    memo->busy = 1;
    COMPILER_BARRIER();
    int count = memo_walk(memo, start, &stack, pcs, max, flags, generation);
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
    walk_memo *memo = memo_usable(start, &stack, flags);
    if (memo == NULL)
        return derive(context, pcs, walk_frames(start, &stack, pcs, max, flags, generation, NULL));

    /* The derivation runs inside the busy window: a signal handler that walks meanwhile cannot
     * rewrite this memo between the walk and the store of what was derived from it. */
    memo->busy = 1;
    COMPILER_BARRIER();
    uint32_t value;
    if (memo_matches(memo, start, max, flags, generation) && memo->derived != 0) {
        value = memo->derived;
    } else {
        value = derive(context, pcs, memo_walk(memo, start, &stack, pcs, max, flags, generation));
        if (memo->valid)
            memo->derived = value;
    }
    COMPILER_BARRIER();
    memo->busy = 0;
    return value;
}

/* ---- a stopped thread's walk (process.threads), with each frame's CFA ----
 * Used while the world is stopped (scan/backtraces.c): the other thread is parked in our signal
 * handler, so its stack mapping cannot go away under us. Separate from walk_frames so the
 * allocation hot path stays as it is (no CFA output, no exact-pc start, no memo). Every read
 * goes through the same bounds checks: inside [stack_low, stack_high), at or above the frame's
 * sp, 8-aligned. */

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
