/* malloc.c — the malloc family, as exported by the preloaded library.
 *
 * Every entry point: if our own code already runs on this thread (`in_hook`) or tracking is
 * off, go straight to glibc. Otherwise capture the caller's frame state here (this file is
 * compiled with frame pointers, so __builtin_frame_address(0) is exact), call glibc, record
 * the block, and on the way out park if a leak scan asked this thread to stop.
 * Results are glibc's own: same pointers, alignment, errno and failure behaviour.
 */
#define _GNU_SOURCE
#include "internal.h"
#include "trace/unwind.h"

#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

/* glibc's own entry points (exported since 2.2.5): the real allocator behind every hook. */
void *__libc_malloc(size_t size);
void __libc_free(void *ptr);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *ptr, size_t size);
void *__libc_memalign(size_t alignment, size_t size);
void *__libc_valloc(size_t size);
void *__libc_pvalloc(size_t size);

/* ---- untracked allocations ----
 * Where an allocation goes when it is not tracked (our own code is running, or tracking is off):
 * glibc, normally, or the allocator that really serves the process when it is not glibc's
 * (jemalloc, tcmalloc: we stepped aside, primitives/allocator.c). One predictable branch on the
 * bypass path; the tracked path never comes here. */

static __attribute__((noinline)) void *bypass_malloc_elsewhere(size_t size)
{
    return instrument_state.hooks.foreign.malloc(size);
}

static inline void *bypass_malloc(size_t size)
{
    if (LIKELY(!instrument_state.hooks.bypass))
        return __libc_malloc(size);
    return bypass_malloc_elsewhere(size);
}

static __attribute__((noinline)) void bypass_free_elsewhere(void *block)
{
    instrument_state.hooks.foreign.free(block);
}

static inline void bypass_free(void *block)
{
    if (LIKELY(!instrument_state.hooks.bypass))
        __libc_free(block);
    else
        bypass_free_elsewhere(block);
}

static void *bypass_calloc(size_t count, size_t size)
{
    if (LIKELY(!instrument_state.hooks.bypass))
        return __libc_calloc(count, size);
    return instrument_state.hooks.foreign.calloc(count, size);
}

static void *bypass_realloc(void *old, size_t size)
{
    if (LIKELY(!instrument_state.hooks.bypass))
        return __libc_realloc(old, size);
    return instrument_state.hooks.foreign.realloc(old, size);
}

static void *bypass_memalign(size_t alignment, size_t size)
{
    if (LIKELY(!instrument_state.hooks.bypass))
        return __libc_memalign(alignment, size);
    return instrument_state.hooks.foreign.memalign(alignment, size);
}

static __attribute__((noinline)) unsigned hooks_mode_first_use(thread_state *thread)
{
    int state = atomic_load_explicit(&instrument_state.init_state, memory_order_acquire);
    if (state != 2 && state != -1) { /* -1: tracking unavailable for good */
        guard_enter(thread, 1);
        instrument_init();
        guard_leave(thread, 1);
    }
    return (unsigned)__atomic_load_n(&instrument_state.hooks.mode, __ATOMIC_ACQUIRE);
}

/* What this call may do (HOOKS_* bits), or 0: go straight to glibc (our own code is running
 * on this thread, or tracking is off). One TLS load and one global load when warm. */
static inline unsigned hooks_mode(thread_state *thread)
{
    if (__builtin_expect(thread->guard.in_hook != 0, 0))
        return 0;
    unsigned mode = (unsigned)instrument_state.hooks.mode;
    if (__builtin_expect(mode != 0, 1))
        return mode;
    return hooks_mode_first_use(thread);
}

static inline int hooks_bypassed(thread_state *thread) { return hooks_mode(thread) == 0; }

/* The calling thread's nursery, attached on first use; NULL when the cache is off or full. */
static inline nursery *nursery_of_thread(thread_state *thread)
{
    if (UNLIKELY(!instrument_state.nurseries.enabled))
        return NULL;
    return LIKELY(thread->nursery != NULL) ? thread->nursery : nursery_attach(thread);
}

/* Entering and leaving the part of a hook that touches our tables. `in_hook` is read by this
 * thread's own signal handler (stopworld), never by another thread: a plain store ordered by a
 * compiler barrier is enough, no locked instruction. The hooks only enter after
 * hooks_bypassed() saw 0, so entering is a store of 1 (code that nests, such as the thread
 * exit destructor, uses ++/-- and makes the hooks bypass). A stop signal that lands inside
 * only sets `park_pending`; the check after leaving parks then, with the tables consistent. */
static inline void hook_enter(thread_state *thread)
{
    thread->guard.in_hook = 1;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static inline void hook_leave(thread_state *thread)
{
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    thread->guard.in_hook = 0;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    if (__builtin_expect(thread->park_pending, 0))
        park_from_hook();
}

static inline uint32_t loader_bit(uint64_t pc)
{
    return pc - instrument_state.hooks.loader_text_start < instrument_state.hooks.loader_text_size ? SITE_LOADER : 0;
}

/* Return addresses of different call sites differ in their low bits: a shift and a xor spread
 * them (cheaper than a multiply on the hook's critical path). */
static inline uint32_t site_cache_index(uint64_t pc) { return (uint32_t)(pc ^ (pc >> 8)) & (THREAD_TRACE_CACHE - 1); }

/* The frame state of the interposer's caller, from the interposer's own frame pointer `fp`
 * (this file keeps frame pointers): [fp] = caller's rbp, [fp+8] = return address. */
static inline invisible_frame_state caller_frame(uint64_t pc, const void *fp)
{
    invisible_frame_state frame = { pc, (uintptr_t)fp + 16, *(const uintptr_t *)fp };
    return frame;
}

static uint32_t intern_walk(void *thread, const uintptr_t *pcs, int count)
{
    return trace_intern(thread, (const uint64_t *)pcs, count);
}

/* ---- adaptive depth: call sites inside allocator wrappers (hooks/wrappers.c) ----
 * A site whose return address lies in a wrapper (l_alloc, xmalloc, luaM_malloc_...) is worth
 * nothing to the census at depth 1: the type is known only to the first caller outside the
 * wrapper chain. Such a site is walked up to its wrapper's extra depth and the trace kept up to
 * that first frame outside; every other site keeps the configured depth. The per-thread site
 * cache remembers the decision (SITE_WRAPPED and the walk's length in the id word: the trace
 * itself depends on the callers), so the range search runs once per site and thread (and again
 * after the ranges change: the cache's key carries the epoch of the set it was decided with). */
#define SITE_WRAPPED 0x40000000u /* site cache only; trace ids stay below 2^22 (TRACE_MAX_COUNT) */
#define SITE_WALK_MASK 0xffu

typedef struct wrapped_walk {
    thread_state *thread;
    int depth; /* the configured depth: never fewer frames than that */
} wrapped_walk;

/* Keep the frames up to the first one outside every wrapper. A pure function of the pcs for one
 * wrapper set, as the unwinder's memo requires: publishing a new set drops the memo (wrappers.c). */
static uint32_t intern_wrapped(void *context, const uintptr_t *pcs, int count)
{
    const wrapped_walk *walk = context;
    int keep = 1;
    while (keep < count && wrapper_at(pcs[keep - 1]))
        keep++;
    if (keep < walk->depth)
        keep = walk->depth < count ? walk->depth : count;
    return trace_intern(walk->thread, (const uint64_t *)pcs, keep);
}

/* Frames to walk from a site in `wrapper`: its chain and the caller, or the configured depth. */
static inline int wrapped_walk_length(const invisible_wrapper_range *wrapper, int depth)
{
    int frames = 1 + (int)wrapper->extra;
    if (frames > INVISIBLE_MAX_DEPTH)
        frames = INVISIBLE_MAX_DEPTH;
    return frames > depth ? frames : depth;
}

static __attribute__((noinline)) uint32_t capture_wrapped(thread_state *thread, uint64_t pc, const void *fp, int frames)
{
    uint64_t pcs[INVISIBLE_MAX_DEPTH];
    invisible_frame_state frame = caller_frame(pc, fp);
    wrapped_walk walk = { thread, instrument_state.depth };
    uint32_t id = invisible_unwind_derived(&frame, (uintptr_t *)pcs, frames, INVISIBLE_UNWIND_SKIP_RUNTIME_LIBS,
                                           intern_wrapped, &walk);
    return id | loader_bit(pc);
}

static __attribute__((noinline)) uint32_t capture_deep_site(thread_state *thread, uint64_t pc, uint64_t key,
                                                            const void *fp)
{
    uint64_t pcs[INVISIBLE_MAX_DEPTH];
    int depth = instrument_state.depth;
    uint32_t loader = loader_bit(pc);
    /* A site inside an allocator wrapper: walked to the first caller outside the wrapper chain
     * (at depth 1, the decision goes into the site cache). */
    const invisible_wrapper_range *wrapper = wrapper_at(pc);
    if (wrapper) {
        int frames = wrapped_walk_length(wrapper, depth);
        if (depth == 1) {
            uint32_t i = site_cache_index(pc);
            thread->site_cache_pc[i] = key;
            thread->site_cache_id[i] = SITE_WRAPPED | (uint32_t)frames;
        }
        return capture_wrapped(thread, pc, fp, frames);
    }
    /* Depth 1 outside the runtime libraries is the return address itself: one rule-cache
     * probe instead of a walk (stack bounds, memo). Same answer as the unwinder's. */
    if (depth == 1 && pc != 0 && !invisible_pc_in_runtime_lib(pc)) {
        pcs[0] = pc;
        uint32_t site = trace_intern(thread, pcs, 1) | loader;
        uint32_t i = site_cache_index(pc);
        thread->site_cache_pc[i] = key;
        thread->site_cache_id[i] = site;
        return site;
    }
    invisible_frame_state frame = caller_frame(pc, fp);
    /* A site in a loop is walked from the same start again and again: the unwinder's memo keeps
     * the interned id with the walk, so a replay costs neither the pcs copy nor the hashing. */
    uint32_t id = invisible_unwind_derived(&frame, (uintptr_t *)pcs, depth, INVISIBLE_UNWIND_SKIP_RUNTIME_LIBS,
                                           intern_walk, thread);
    return id | loader;
}

/* Depth 1 from a call site seen before on this thread: one compare. (A site inside the runtime
 * libraries is never cached: its trace depends on the caller, found by unwinding. The cache is
 * only filled at depth 1, but the depth can change once, when the constructor reads the
 * options after early allocations: hence HOOKS_SITE_CACHE. An empty entry holds pc 0, which
 * is never a return address. A site inside an allocator wrapper is cached as SITE_WRAPPED:
 * walked every time, but never searched for again.) */
static inline uint32_t capture_site(thread_state *thread, unsigned mode, uint64_t pc, const void *fp)
{
    uint32_t i = site_cache_index(pc);
    /* The key carries the mode's epoch: a decision made before the wrapper ranges last changed
     * (dlopen, dlclose) never matches again. The mode was read with acquire semantics by the
     * caller, after the set of that epoch was published: a decision stored under this key was
     * made with that set or a newer one. */
    uint64_t key = pc | ((uint64_t)(mode & HOOKS_EPOCH_MASK) << 32);
    if (__builtin_expect((mode & HOOKS_SITE_CACHE) && thread->site_cache_pc[i] == key, 1)) {
        uint32_t id = thread->site_cache_id[i];
        if (__builtin_expect(!(id & SITE_WRAPPED), 1))
            return id;
        return capture_wrapped(thread, pc, fp, (int)(id & SITE_WALK_MASK));
    }
    return capture_deep_site(thread, pc, key, fp);
}

static inline uint32_t record_flags(uint32_t site) { return (site & SITE_LOADER) ? RECORD_LOADER : 0; }

/* A new block goes to this thread's nursery when it can (no shared write), else the memtable. */
static __attribute__((noinline)) void remember_slow(thread_state *thread, uint64_t start, uint64_t size,
                                                    uint32_t site)
{
    nursery *n = nursery_of_thread(thread);
    if (n && nursery_insert(n, start, size, site) == 0)
        return;
    memtable_insert(start, size, site & ~SITE_LOADER, record_flags(site));
}

static inline void remember(thread_state *thread, unsigned mode, uint64_t start, uint64_t size,
                            uint32_t site)
{
    nursery *n = thread->nursery;
    if (__builtin_expect((mode & HOOKS_NURSERY) && n != NULL, 1) && nursery_insert_home(n, start, size, site) == 0)
        return;
    remember_slow(thread, start, size, site);
}

/* Forget a block: this thread's nursery first (the common, unshared case), else the memtable,
 * which also finds blocks in other threads' nurseries. Returns 1 and the record if known. */
static int forget_slow(thread_state *thread, uint64_t start, memtable_record *out)
{
    nursery *n = nursery_of_thread(thread);
    if (n && nursery_remove_own(n, start, out))
        return 1;
    return memtable_remove(start, out);
}

/* The loader's own allocations (DTVs, link maps) stay referenced by loader state that is
 * not all roots (glibc's cache of dead threads' stacks): never report them (as LSan). Their
 * sites carry SITE_LOADER into the record. */
static inline void record_block(thread_state *thread, void *block, size_t size, uint64_t pc, const void *fp)
{
    if (!block)
        return;
    /* acquire (a plain load on x86-64): the wrapper set of the mode's epoch is visible below */
    unsigned mode = (unsigned)__atomic_load_n(&instrument_state.hooks.mode, __ATOMIC_ACQUIRE);
    uint32_t site = capture_site(thread, mode, pc, fp);
    /* __lsan_disable: blocks allocated meanwhile are marked as the loader's are (never leaks) */
    if (UNLIKELY(thread->ignore_allocations > 0))
        site |= SITE_LOADER;
    remember(thread, mode, (uint64_t)(uintptr_t)block, size, site);
    if (UNLIKELY(mode & HOOKS_PROFILE))
        profile_on_alloc(thread, (uint64_t)(uintptr_t)block, size, site);
}

/* ---- glibc's free-list links, cleared as a block is handed out ----
 * A chunk glibc takes from a small, large or unsorted bin still holds that bin's links in its
 * first words (fd, bk, fd_nextsize, bk_nextsize: raw pointers to other chunks), and a block
 * realloc grows in place absorbs the next chunk's header and links. The program never wrote
 * them; a leak check would read them as pointers into other blocks, and lost blocks would look
 * possibly lost (valgrind ignores them as undefined, LeakSanitizer's allocator never writes
 * them). The block is the program's from now on and its contents are indeterminate, so they
 * are zeroed here, before the program sees it: a few stores into the cache line glibc has just
 * touched. A chunk from the tcache (most small blocks) has its link mangled and its second word
 * cleared by glibc, so a zero second word skips the stores. Links deeper inside a block (the
 * headers of chunks merged before it was handed out) are recognised by the leak check instead
 * (scan/leakcheck.c). */
#define LINK_WORDS 4
#define LINK_SPAN (LINK_WORDS * 8)
#define CHUNK_MMAPPED 2u

/* Usable bytes of a glibc chunk (0 for an mmapped one: fresh pages, nothing stale in them). */
static inline size_t chunk_usable(const void *block)
{
    size_t header = ((const size_t *)block)[-1];
    return (header & CHUNK_MMAPPED) ? 0 : (header & ~(size_t)7) - 8;
}

static void clear_words(void *block, size_t from, size_t to)
{
    size_t usable = chunk_usable(block);
    if (to > usable)
        to = usable;
    for (size_t at = (from + 7) & ~(size_t)7; at + 8 <= to; at += 8)
        *(uint64_t *)((char *)block + at) = 0;
}

static __attribute__((noinline)) void clear_links_slow(void *block)
{
    clear_words(block, 0, LINK_SPAN);
}

static inline void clear_links(void *block)
{
    if (__builtin_expect(((const uint64_t *)block)[1] != 0, 0))
        clear_links_slow(block);
}

/* After realloc: a moved block got a copy of the old usable bytes and keeps its own links past
 * them; a block grown in place absorbed the next chunk, whose header and links start where the
 * old usable bytes end. */
static void clear_links_after_realloc(const void *old, size_t old_usable, void *block)
{
    if (block != old)
        clear_words(block, old_usable, LINK_SPAN);
    else if (chunk_usable(block) > old_usable)
        clear_words(block, old_usable, old_usable + 8 + LINK_SPAN);
}

/* The usable size of a block before realloc hands it to glibc (mmapped chunks included). */
static inline size_t usable_before(const void *block)
{
    size_t header = ((const size_t *)block)[-1];
    return (header & ~(size_t)7) - ((header & CHUNK_MMAPPED) ? 16 : 8);
}

#define CALLER_PC ((uint64_t)(uintptr_t)__builtin_return_address(0))
#define OWN_FP __builtin_frame_address(0)

/* The site is found before glibc's malloc runs: its lookup (a dependent chain of loads and a
 * multiply) then overlaps with glibc's work instead of following it. */
EXPORT void *malloc(size_t size)
{
    thread_state *thread = &thread_tls;
    unsigned mode = hooks_mode(thread);
    if (!mode)
        return bypass_malloc(size);
    hook_enter(thread);
    uint32_t site = capture_site(thread, mode, CALLER_PC, OWN_FP);
    if (UNLIKELY(thread->ignore_allocations > 0)) /* __lsan_disable: never leaks, as record_block says */
        site |= SITE_LOADER;
    void *block = __libc_malloc(size);
    if (block) {
        clear_links(block);
        remember(thread, mode, (uint64_t)(uintptr_t)block, size, site);
        if (UNLIKELY(mode & HOOKS_PROFILE))
            profile_on_alloc(thread, (uint64_t)(uintptr_t)block, size, site);
    }
    hook_leave(thread);
    return block;
}

static __attribute__((noinline)) void forget_block_slow(thread_state *thread, void *block)
{
    forget_slow(thread, (uint64_t)(uintptr_t)block, NULL);
}

/* A freed block told to the record of recent frees (HOOKS_FREE_OBSERVER): its record and the
 * free call's site, captured as an allocation's site is. */
static __attribute__((noinline)) void tell_free_observer(thread_state *thread, unsigned mode, const memtable_record *record,
                                                         uint64_t pc, const void *fp)
{
    invisible_free_observer observer = __atomic_load_n(&instrument_state.hooks.free_observer, __ATOMIC_ACQUIRE);
    if (!observer)
        return;
    uint32_t free_site = capture_site(thread, mode, pc, fp) & ~SITE_LOADER;
    observer(record->start, record->size, record->trace_id, free_site);
}

/* --profile: the freed block's record (its trace and size) is counted; with a free observer, it
 * is told the block. */
static __attribute__((noinline)) void forget_block_observed(thread_state *thread, unsigned mode, void *block,
                                                            uint64_t pc, const void *fp)
{
    memtable_record record;
    if (!forget_slow(thread, (uint64_t)(uintptr_t)block, &record))
        return;
    if (mode & HOOKS_PROFILE)
        profile_on_free(thread, (uint64_t)(uintptr_t)block, &record);
    if (mode & HOOKS_FREE_OBSERVER)
        tell_free_observer(thread, mode, &record, pc, fp);
}

/* Forget before freeing: once glibc has the block, another thread may be handed it. The hook
 * is left before glibc's free, so that call is a tail call: a stop signal that lands inside
 * glibc's free parks the thread there, which is what happens to any program code (the
 * stopping thread never takes malloc's locks while the world is stopped), and the block is no
 * longer in our tables by then. */
EXPORT void free(void *block)
{
    if (!block)
        return;
    thread_state *thread = &thread_tls;
    unsigned mode = hooks_mode(thread);
    if (!mode) {
        bypass_free(block);
        return;
    }
    hook_enter(thread);
    nursery *n = thread->nursery;
    if (UNLIKELY(mode & (HOOKS_PROFILE | HOOKS_FREE_OBSERVER)))
        forget_block_observed(thread, mode, block, CALLER_PC, OWN_FP);
    else if (!(__builtin_expect((mode & HOOKS_NURSERY) && n != NULL, 1) && nursery_remove_home(n, (uint64_t)(uintptr_t)block)))
        forget_block_slow(thread, block);
    hook_leave(thread);
    __libc_free(block);
}

EXPORT void *calloc(size_t count, size_t size)
{
    thread_state *thread = &thread_tls;
    if (hooks_bypassed(thread))
        return bypass_calloc(count, size);
    hook_enter(thread);
    void *block = __libc_calloc(count, size);
    record_block(thread, block, count * size, CALLER_PC, OWN_FP);
    hook_leave(thread);
    return block;
}

/* `pc` and `fp`: the exported hook's caller and frame (see caller_frame). */
static void *realloc_tracked(thread_state *thread, void *old, size_t size, uint64_t pc, const void *fp)
{
    if (!old) {
        void *block = __libc_malloc(size);
        if (block)
            clear_links(block);
        record_block(thread, block, size, pc, fp);
        return block;
    }
    memtable_record previous;
    /* From here until glibc returns, the block is in no table: a stop that finds us meanwhile
     * (it may leave us stopped, scan/stopworld.c) scans it from here instead. */
    thread->moving_start = (uint64_t)(uintptr_t)old;
    COMPILER_BARRIER();
    int known = forget_slow(thread, (uint64_t)(uintptr_t)old, &previous);
    size_t old_usable = usable_before(old);
    void *block = __libc_realloc(old, size);
    COMPILER_BARRIER();
    thread->moving_start = 0;
    /* As heaptrack counts a realloc: the old block freed, then a new one allocated. */
    unsigned mode = (unsigned)__atomic_load_n(&instrument_state.hooks.mode, __ATOMIC_ACQUIRE);
    if (known && (block || size == 0) && UNLIKELY(mode & HOOKS_PROFILE))
        profile_on_free(thread, (uint64_t)(uintptr_t)old, &previous);
    /* The old block is gone when realloc moved it or freed it (glibc has it back already: only
     * its record is told, never its memory read). */
    if (known && block != old && (block || size == 0) && UNLIKELY(mode & HOOKS_FREE_OBSERVER))
        tell_free_observer(thread, mode, &previous, pc, fp);
    if (block) {
        clear_links_after_realloc(old, old_usable, block);
        record_block(thread, block, size, pc, fp);
    } else if (size == 0) {
        /* glibc: realloc(p, 0) frees p and returns NULL: nothing to put back. */
    } else if (known) {
        /* Failure leaves the old block alive: put its record back unchanged. */
        remember_slow(thread, previous.start, previous.size,
                 previous.trace_id | ((previous.flags & RECORD_LOADER) ? SITE_LOADER : 0));
    }
    return block;
}

EXPORT void *realloc(void *old, size_t size)
{
    thread_state *thread = &thread_tls;
    if (hooks_bypassed(thread))
        return bypass_realloc(old, size);
    hook_enter(thread);
    void *block = realloc_tracked(thread, old, size, CALLER_PC, OWN_FP);
    hook_leave(thread);
    return block;
}

EXPORT void *reallocarray(void *old, size_t count, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(count, size, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    thread_state *thread = &thread_tls;
    if (hooks_bypassed(thread))
        return bypass_realloc(old, bytes);
    hook_enter(thread);
    void *block = realloc_tracked(thread, old, bytes, CALLER_PC, OWN_FP);
    hook_leave(thread);
    return block;
}

static void *aligned_tracked(size_t alignment, size_t size, uint64_t pc, const void *fp)
{
    thread_state *thread = &thread_tls;
    hook_enter(thread);
    void *block = __libc_memalign(alignment, size);
    if (block)
        clear_links(block);
    record_block(thread, block, size, pc, fp);
    hook_leave(thread);
    return block;
}

EXPORT void *memalign(size_t alignment, size_t size)
{
    if (hooks_bypassed(&thread_tls))
        return bypass_memalign(alignment, size);
    return aligned_tracked(alignment, size, CALLER_PC, OWN_FP);
}

/* glibc 2.36's aligned_alloc is an alias of memalign (no extra argument checks). */
EXPORT void *aligned_alloc(size_t alignment, size_t size)
{
    if (hooks_bypassed(&thread_tls))
        return bypass_memalign(alignment, size);
    return aligned_tracked(alignment, size, CALLER_PC, OWN_FP);
}

EXPORT int posix_memalign(void **result, size_t alignment, size_t size)
{
    /* glibc's checks: a power-of-two multiple of sizeof(void *). */
    if (alignment % sizeof(void *) != 0 || alignment == 0 ||
        ((alignment / sizeof(void *)) & (alignment / sizeof(void *) - 1)) != 0)
        return EINVAL;
    void *block;
    if (hooks_bypassed(&thread_tls)) {
        block = bypass_memalign(alignment, size);
    } else {
        block = aligned_tracked(alignment, size, CALLER_PC, OWN_FP);
    }
    if (!block)
        return ENOMEM;
    *result = block;
    return 0;
}

EXPORT void *valloc(size_t size)
{
    if (hooks_bypassed(&thread_tls))
        return instrument_state.hooks.bypass ? bypass_memalign((size_t)getpagesize(), size) : __libc_valloc(size);
    return aligned_tracked((size_t)getpagesize(), size, CALLER_PC, OWN_FP);
}

EXPORT void *pvalloc(size_t size)
{
    size_t page = (size_t)getpagesize(), rounded;
    if (__builtin_add_overflow(size, page - 1, &rounded)) {
        errno = ENOMEM;
        return NULL;
    }
    rounded &= ~(page - 1);
    if (hooks_bypassed(&thread_tls))
        return instrument_state.hooks.bypass ? bypass_memalign(page, rounded) : __libc_pvalloc(size);
    return aligned_tracked(page, rounded, CALLER_PC, OWN_FP);
}

/* The blocks are glibc's, unchanged: its answer is the right one. Resolved once, lazily. */
EXPORT size_t malloc_usable_size(void *block)
{
    if (!block)
        return 0;
    if (UNLIKELY(instrument_state.hooks.bypass == BYPASS_FOREIGN))
        return instrument_state.hooks.foreign.malloc_usable_size
                   ? instrument_state.hooks.foreign.malloc_usable_size(block) : 0;
    if (!instrument_state.hooks.real_malloc_usable_size) {
        thread_state *thread = &thread_tls;
        guard_enter(thread, 1);
        instrument_state.hooks.real_malloc_usable_size = dlsym(RTLD_NEXT, "malloc_usable_size");
        guard_leave(thread, 1);
    }
    size_t (*real_usable_size)(void *) = (size_t(*)(void *))instrument_state.hooks.real_malloc_usable_size;
    if (real_usable_size)
        return real_usable_size(block);
    /* glibc chunk header: size field with 3 flag bits; mmapped chunks carry no next header. */
    size_t header = ((const size_t *)block)[-1];
    size_t chunk = header & ~(size_t)7;
    return (header & 2) ? chunk - 16 : chunk - 8;
}

/* ---- blocks allocated for the program (the query table's program_alloc/program_free) ---- */

/* Code of ours that runs with in_hook raised (an attach session's interpreter thread) bypasses
 * the hooks, so what it allocates is invisible. Objects DwarfPython makes for the user belong to
 * the program: allocate and free them through the hooks with this thread's in_hook lowered for
 * the one call, and restore it after (the hook leaves in_hook at 0 and may park there, with the
 * tables consistent, like any program allocation). calloc: zeroed and 16-byte aligned on x86-64.
 * The compiler barriers matter: gcc knows calloc/free as builtins that read no program memory,
 * and without them it drops the store of 0 as dead (the hooks would then bypass the call). */
void *hooks_program_alloc(uint64_t size)
{
    thread_state *thread = &thread_tls;
    int saved = thread->guard.in_hook;
    thread->guard.in_hook = 0;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    void *p = calloc(1, size ? size : 1);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    thread->guard.in_hook = saved;
    return p;
}

void hooks_program_free(void *block)
{
    thread_state *thread = &thread_tls;
    int saved = thread->guard.in_hook;
    thread->guard.in_hook = 0;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    free(block);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    thread->guard.in_hook = saved;
}

/* ---- the hooks by their own addresses (hooks/got.c) ----
 * Hidden aliases: inside this library `&malloc` is read from our GOT, which names glibc's malloc
 * when the library was loaded late (dlopen from `invisible attach`); these name our definitions. */
#define OWN_ALIAS(name) extern __typeof(name) hook_own_##name __attribute__((alias(#name), copy(name), visibility("hidden")));
OWN_ALIAS(malloc)
OWN_ALIAS(free)
OWN_ALIAS(calloc)
OWN_ALIAS(realloc)
OWN_ALIAS(reallocarray)
OWN_ALIAS(posix_memalign)
OWN_ALIAS(aligned_alloc)
OWN_ALIAS(memalign)
OWN_ALIAS(valloc)
OWN_ALIAS(pvalloc)
OWN_ALIAS(malloc_usable_size)
