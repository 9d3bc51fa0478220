/* unwind.h — the allocation-site stack unwinder (x86-64 Linux, glibc >= 2.35).
 *
 * The unwinder's own interface, included by internal.h: the unwinder keeps no state of
 * malloc-instrument's, so its tests (tests/malloc-instrument, C and C++) link trace/rules.c,
 * cfi.c, stacks.c, unwind.c and primitives/maps.c alone.
 *
 * What it does
 *  Walks the caller's stack using the DWARF CFI (.eh_frame) of every loaded object, so programs
 *  built without frame pointers unwind correctly. Each return address is looked up in a
 *  fixed-size, lock-free, process-wide cache of "CFA rules" (CFA = rsp+k or rbp+k, return
 *  address at CFA-8, rbp saved at CFA+m or unchanged). A miss finds the FDE with glibc's
 *  lock-free _dl_find_object + the object's .eh_frame_hdr search table, interprets the CIE/FDE
 *  instructions up to the call, and stores the rule. A warm walk is a few loads per frame.
 *
 * Contract
 *  - Never calls malloc, never takes a lock, never writes outside its own mmap'ed cache and
 *    the caller's buffer: safe inside an interposed malloc, in any thread, after fork, and in
 *    a signal handler (the walk then stops at the signal trampoline).
 *  - Never reads memory outside the current thread's stack: the stack's mapping is found once
 *    per thread from /proc/self/maps with raw system calls; each frame's CFA must be strictly
 *    above the previous stack pointer and inside that mapping, or the walk stops.
 *  - Anything it does not understand (no FDE, DW_CFA_def_cfa_expression other than gcc's
 *    "DRAP" form, return address not at CFA-8, CFA based on a register other than rsp/rbp,
 *    signal trampolines, PLT entries) ends the walk at that frame: a short trace, never a crash.
 *  - Code unloaded by dlclose leaves stale rules behind; whoever sees a dlclose calls
 *    invisible_unwind_invalidate_cache() (cheap: one generation bump).
 *  - A walk that starts from exactly the same (pc, sp, fp) as this thread's previous walk
 *    (an allocation site in a loop) re-reads the stack words that walk read and, if they are
 *    unchanged, returns its result: same answer, ~6x cheaper (INVISIBLE_UNWIND_NO_MEMO
 *    bypasses this, for benchmarks and tests).
 *  - Cost (AMD EPYC 2.6 GHz, warm cache, depth 16): ~4.5 ns per frame walked, ~14 ns per
 *    repeated capture; libunwind's unw_backtrace ~7 ns per frame (scripts/bench/src/bench_unwind.c).
 */
#ifndef INVISIBLE_UNWIND_H
#define INVISIBLE_UNWIND_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Register state of a frame: the caller of the malloc interposer, just after the call
 * returns (pc = return address, sp = the caller's rsp, fp = the caller's rbp). */
typedef struct invisible_frame_state {
    uintptr_t pc, sp, fp;
} invisible_frame_state;

/* Leading frames inside the C/C++ runtime (libc.so.6, ld-linux-x86-64.so.2, libstdc++.so.6,
 * libgcc_s.so.1: strdup, operator new, fopen...) are dropped, so pcs[0] is the real site. */
#define INVISIBLE_UNWIND_SKIP_RUNTIME_LIBS 0x1u
/* Do not use the per-thread memo of the last walk (trace/unwind.c): for benchmarks and tests;
 * the result is the same either way. */
#define INVISIBLE_UNWIND_NO_MEMO 0x2u

/* Fill up to `max` return addresses, innermost first; pcs[0] = start->pc, or with
 * INVISIBLE_UNWIND_SKIP_RUNTIME_LIBS the first pc outside the runtime libraries (if every
 * frame is inside them, the original start->pc is kept). Returns the count: >= 1 when
 * start->pc != 0 and max >= 1, else 0. */
int invisible_unwind(const invisible_frame_state *start, uintptr_t *pcs, int max, unsigned flags);

/* What a caller makes of a walk's result (the interned trace id); 0 means "nothing to keep". */
typedef uint32_t (*invisible_unwind_derive)(void *context, const uintptr_t *pcs, int count);

/* invisible_unwind, then derive(context, pcs, count), returning what derive returned. When the
 * walk is answered by the per-thread memo and derive's value for it is already known, derive is
 * not called and `pcs` is not filled: the value is returned at once. So derive must be a pure
 * function of the pcs (the same on every call of this thread). Runs derive inside the memo's
 * busy window, so a signal handler cannot pair the value with another walk. */
uint32_t invisible_unwind_derived(const invisible_frame_state *start, uintptr_t *pcs, int max, unsigned flags,
                                  invisible_unwind_derive derive, void *context);

/* The first pc is exact (a thread interrupted by a signal), not a return address. */
#define INVISIBLE_UNWIND_EXACT_PC 0x4u

/* Walk a stack that need not be the current thread's (another thread stopped by stopworld, or
 * this one): reads only [stack_low, stack_high), at or above each frame's sp. Fills up to `max`
 * pcs (innermost first, pcs[0] = start->pc) and, when `cfas` is not NULL, each frame's CFA
 * (the caller's sp; 0 when the walk stopped at that frame, so it is unknown). Flags:
 * INVISIBLE_UNWIND_EXACT_PC only. Malloc-free and lock-free like invisible_unwind. */
int invisible_unwind_from(const invisible_frame_state *start, uintptr_t stack_low, uintptr_t stack_high,
                          uintptr_t *pcs, uintptr_t *cfas, int max, unsigned flags);

/* 1 if `pc` lies in one of the runtime libraries above, else 0. Shares the walk's cache. */
int invisible_pc_in_runtime_lib(uintptr_t pc);

/* Forget every cached rule (after dlclose: new code may reuse the addresses). */
void invisible_unwind_invalidate_cache(void);

/* The calling thread is exiting: release its walk memos (later walks on it go without). */
void invisible_unwind_thread_exit(void);

/* Fill `st` in a function compiled with -fno-omit-frame-pointer (the malloc interposer): its
 * own frame is [rbp] = caller's rbp, [rbp+8] = return address, so the caller's rsp after the
 * return is rbp+16. Must be used in the function whose caller is the first frame wanted. */
#define INVISIBLE_FRAME_STATE_HERE(st)                                                  \
    do {                                                                               \
        (st).pc = (uintptr_t)__builtin_return_address(0);                              \
        (st).sp = (uintptr_t)__builtin_frame_address(0) + 16;                          \
        (st).fp = *(uintptr_t *)__builtin_frame_address(0);                            \
    } while (0)

#ifdef __cplusplus
}
#endif

#endif
