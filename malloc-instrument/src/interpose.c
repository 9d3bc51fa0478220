/* interpose.c — the malloc family, as exported by the preloaded library.
 *
 * Every entry point: if our own code already runs on this thread (`in_hook`) or tracking is
 * off, go straight to glibc. Otherwise capture the caller's frame state here (this file is
 * compiled with frame pointers, so __builtin_frame_address(0) is exact), call glibc, record
 * the block, and on the way out park if a leak scan asked this thread to stop.
 * Results are glibc's own: same pointers, alignment, errno and failure behaviour.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "invisible/memtable.h"
#include "invisible/nursery.h"
#include "invisible/rawlibc.h"
#include "invisible/state.h"
#include "invisible/stopworld.h"
#include "invisible/trace.h"

#include "invisible/unwind.h"

#define EXPORT __attribute__((visibility("default")))

static inline int hooks_bypassed(invisible_thread *thread)
{
    if (__builtin_expect(thread->in_hook != 0, 0))
        return 1;
    if (__builtin_expect(invisible_state.hooks_ready, 1))
        return 0;
    if (invisible_state.init_state != 2) {
        thread->in_hook++;
        invisible_state_ensure();
        thread->in_hook--;
    }
    return !invisible_state.tracking;
}

static inline void hook_leave(invisible_thread *thread)
{
    thread->in_hook--;
    if (__builtin_expect(thread->park_pending, 0))
        stopworld_park_from_hook();
}

/* A captured site: the interned trace id, and bit 31 set when the allocating code is the dynamic
 * loader's own (see RECORD_LOADER). Trace ids stay far below 2^31. */
#define SITE_LOADER 0x80000000u

static inline uint32_t loader_bit(uint64_t pc)
{
    return pc - invisible_state.loader_text_start < invisible_state.loader_text_size ? SITE_LOADER : 0;
}

static __attribute__((noinline)) uint32_t capture_deep_site(invisible_thread *thread,
                                                            const invisible_frame_state *frame)
{
    uint64_t pcs[INVISIBLE_MAX_DEPTH];
    int depth = invisible_state.options.depth;
    uint32_t loader = loader_bit(frame->pc);
    /* Depth 1 outside the runtime libraries is the return address itself: one rule-cache
     * probe instead of a walk (stack bounds, memo). Same answer as the unwinder's. */
    if (depth == 1 && frame->pc != 0 && !invisible_pc_in_runtime_lib(frame->pc)) {
        pcs[0] = frame->pc;
        uint32_t site = trace_intern(thread, pcs, 1) | loader;
        uint32_t i = (uint32_t)((frame->pc * 0x9e3779b97f4a7c15ull) >> 56);
        thread->site_cache_pc[i] = frame->pc;
        thread->site_cache_id[i] = site;
        return site;
    }
    int n = invisible_unwind(frame, (uintptr_t *)pcs, depth, INVISIBLE_UNWIND_SKIP_RUNTIME_LIBS);
    return trace_intern(thread, pcs, n) | loader;
}

/* Depth 1 from a call site seen before on this thread: one compare. (A site inside the runtime
 * libraries is never cached: its trace depends on the caller, found by unwinding.) */
static inline uint32_t capture_site(invisible_thread *thread, const invisible_frame_state *frame)
{
    uint32_t i = (uint32_t)((frame->pc * 0x9e3779b97f4a7c15ull) >> 56);
    if (__builtin_expect(thread->site_cache_pc[i] == frame->pc, 1) && frame->pc != 0 &&
        invisible_state.options.depth == 1)
        return thread->site_cache_id[i];
    return capture_deep_site(thread, frame);
}

/* A new block goes to this thread's nursery when it can (no shared write), else the memtable. */
static inline int remember(invisible_thread *thread, uint64_t start, uint64_t size, uint32_t trace,
                           uint32_t flags)
{
    nursery *n = nursery_of_thread(thread);
    if (n && nursery_insert(n, start, size, trace, flags) == 0)
        return 0;
    return memtable_insert(start, size, trace, flags);
}

/* Forget a block: this thread's nursery first (the common, unshared case), else the memtable,
 * which also finds blocks in other threads' nurseries. Returns 1 and the record if known. */
static inline int forget(invisible_thread *thread, uint64_t start, memtable_record *out)
{
    nursery *n = nursery_of_thread(thread);
    if (n && nursery_remove_own(n, start, out))
        return 1;
    return memtable_remove(start, out);
}

static inline void record_block(invisible_thread *thread, void *block, size_t size,
                                const invisible_frame_state *frame)
{
    if (!block)
        return;
    uint32_t site = capture_site(thread, frame);
    /* The loader's own allocations (DTVs, link maps) stay referenced by loader state that is
     * not all roots (glibc's cache of dead threads' stacks): never report them (as LSan). */
    remember(thread, (uint64_t)(uintptr_t)block, size, site & ~SITE_LOADER,
             (site & SITE_LOADER) ? RECORD_LOADER : 0);
}

static inline void forget_block(invisible_thread *thread, void *block)
{
    forget(thread, (uint64_t)(uintptr_t)block, NULL);
}

EXPORT void *malloc(size_t size)
{
    invisible_thread *thread = &invisible_tls;
    if (hooks_bypassed(thread))
        return __libc_malloc(size);
    invisible_frame_state frame;
    INVISIBLE_FRAME_STATE_HERE(frame);
    thread->in_hook++;
    void *block = __libc_malloc(size);
    record_block(thread, block, size, &frame);
    hook_leave(thread);
    return block;
}

EXPORT void free(void *block)
{
    if (!block)
        return;
    invisible_thread *thread = &invisible_tls;
    if (hooks_bypassed(thread)) {
        __libc_free(block);
        return;
    }
    thread->in_hook++;
    /* Forget before freeing: once glibc has the block, another thread may be handed it. */
    forget_block(thread, block);
    __libc_free(block);
    hook_leave(thread);
}

EXPORT void *calloc(size_t count, size_t size)
{
    invisible_thread *thread = &invisible_tls;
    if (hooks_bypassed(thread))
        return __libc_calloc(count, size);
    invisible_frame_state frame;
    INVISIBLE_FRAME_STATE_HERE(frame);
    thread->in_hook++;
    void *block = __libc_calloc(count, size);
    record_block(thread, block, count * size, &frame);
    hook_leave(thread);
    return block;
}

static void *realloc_tracked(invisible_thread *thread, void *old, size_t size,
                             const invisible_frame_state *frame)
{
    if (!old) {
        void *block = __libc_malloc(size);
        record_block(thread, block, size, frame);
        return block;
    }
    memtable_record previous;
    int known = forget(thread, (uint64_t)(uintptr_t)old, &previous);
    void *block = __libc_realloc(old, size);
    if (block) {
        record_block(thread, block, size, frame);
    } else if (size == 0) {
        /* glibc: realloc(p, 0) frees p and returns NULL: nothing to put back. */
    } else if (known) {
        /* Failure leaves the old block alive: put its record back unchanged. */
        remember(thread, previous.start, previous.size, previous.trace_id, previous.flags & RECORD_LOADER);
    }
    return block;
}

EXPORT void *realloc(void *old, size_t size)
{
    invisible_thread *thread = &invisible_tls;
    if (hooks_bypassed(thread))
        return __libc_realloc(old, size);
    invisible_frame_state frame;
    INVISIBLE_FRAME_STATE_HERE(frame);
    thread->in_hook++;
    void *block = realloc_tracked(thread, old, size, &frame);
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
    invisible_thread *thread = &invisible_tls;
    if (hooks_bypassed(thread))
        return __libc_realloc(old, bytes);
    invisible_frame_state frame;
    INVISIBLE_FRAME_STATE_HERE(frame);
    thread->in_hook++;
    void *block = realloc_tracked(thread, old, bytes, &frame);
    hook_leave(thread);
    return block;
}

static void *aligned_tracked(size_t alignment, size_t size, const invisible_frame_state *frame)
{
    invisible_thread *thread = &invisible_tls;
    thread->in_hook++;
    void *block = __libc_memalign(alignment, size);
    record_block(thread, block, size, frame);
    hook_leave(thread);
    return block;
}

EXPORT void *memalign(size_t alignment, size_t size)
{
    if (hooks_bypassed(&invisible_tls))
        return __libc_memalign(alignment, size);
    invisible_frame_state frame;
    INVISIBLE_FRAME_STATE_HERE(frame);
    return aligned_tracked(alignment, size, &frame);
}

/* glibc 2.36's aligned_alloc is an alias of memalign (no extra argument checks). */
EXPORT void *aligned_alloc(size_t alignment, size_t size)
{
    if (hooks_bypassed(&invisible_tls))
        return __libc_memalign(alignment, size);
    invisible_frame_state frame;
    INVISIBLE_FRAME_STATE_HERE(frame);
    return aligned_tracked(alignment, size, &frame);
}

EXPORT int posix_memalign(void **result, size_t alignment, size_t size)
{
    /* glibc's checks: a power-of-two multiple of sizeof(void *). */
    if (alignment % sizeof(void *) != 0 || alignment == 0 ||
        ((alignment / sizeof(void *)) & (alignment / sizeof(void *) - 1)) != 0)
        return EINVAL;
    void *block;
    if (hooks_bypassed(&invisible_tls)) {
        block = __libc_memalign(alignment, size);
    } else {
        invisible_frame_state frame;
        INVISIBLE_FRAME_STATE_HERE(frame);
        block = aligned_tracked(alignment, size, &frame);
    }
    if (!block)
        return ENOMEM;
    *result = block;
    return 0;
}

EXPORT void *valloc(size_t size)
{
    if (hooks_bypassed(&invisible_tls))
        return __libc_valloc(size);
    invisible_frame_state frame;
    INVISIBLE_FRAME_STATE_HERE(frame);
    return aligned_tracked((size_t)getpagesize(), size, &frame);
}

EXPORT void *pvalloc(size_t size)
{
    size_t page = (size_t)getpagesize(), rounded;
    if (__builtin_add_overflow(size, page - 1, &rounded)) {
        errno = ENOMEM;
        return NULL;
    }
    rounded &= ~(page - 1);
    if (hooks_bypassed(&invisible_tls))
        return __libc_pvalloc(size);
    invisible_frame_state frame;
    INVISIBLE_FRAME_STATE_HERE(frame);
    return aligned_tracked(page, rounded, &frame);
}

/* The blocks are glibc's, unchanged: its answer is the right one. Resolved once, lazily. */
EXPORT size_t malloc_usable_size(void *block)
{
    if (!block)
        return 0;
    if (!invisible_state.preload.real_malloc_usable_size) {
        invisible_thread *thread = &invisible_tls;
        thread->in_hook++;
        invisible_state.preload.real_malloc_usable_size = dlsym(RTLD_NEXT, "malloc_usable_size");
        thread->in_hook--;
    }
    size_t (*real_usable_size)(void *) = (size_t(*)(void *))invisible_state.preload.real_malloc_usable_size;
    if (real_usable_size)
        return real_usable_size(block);
    /* glibc chunk header: size field with 3 flag bits; mmapped chunks carry no next header. */
    size_t header = ((const size_t *)block)[-1];
    size_t chunk = header & ~(size_t)7;
    return (header & 2) ? chunk - 16 : chunk - 8;
}
