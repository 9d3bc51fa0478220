/* park.c — where a thread waits while the world is stopped (scan/stopworld.c stops it).
 *
 * A stopped thread's entry in instrument_state.stop.threads is written by whoever stopped it:
 * the tracer task (ptrace: registers read from outside), the thread itself in the stop signal's
 * handler (its interrupted context), or the thread itself on its way out of a short section of
 * ours (park_from_hook: no registers, they are spilled on its stack). Then it waits on a futex
 * until stopworld_resume changes the release generation. Raw system calls only: a thread may park
 * inside a signal handler or a malloc hook.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <linux/futex.h>
#include <pthread.h>
#include <string.h>
#include <ucontext.h>

#define RED_ZONE 128

static void wait_for_release(_Atomic uint32_t *generation_word, uint32_t generation)
{
    struct timespec timeout = { 0, 50 * 1000 * 1000 };
    while (atomic_load_explicit(generation_word, memory_order_acquire) == generation)
        prim_syscall6(SYS_futex, (long)generation_word, FUTEX_WAIT_PRIVATE, generation, (long)&timeout, 0, 0);
}

/* A block in the middle of a realloc (its record gone, glibc not returned yet): its range, sized
 * by glibc's chunk header (size field, 3 flag bits; an mmapped chunk has no next header). */
void park_note_moving(stopped_thread *t, uint64_t start)
{
    t->moving_low = t->moving_high = 0;
    if (!start)
        return;
    uint64_t header = *(const uint64_t *)(uintptr_t)(start - 8), chunk = header & ~7ull;
    t->moving_low = start;
    t->moving_high = start + ((header & 2) ? chunk - 16 : chunk - 8);
}

void park_thread(const void *signal_context, uint64_t sp_here)
{
    stopworld *s = &instrument_state.stop;
    uint32_t generation = atomic_load_explicit(&s->release_generation, memory_order_acquire);
    if (!atomic_load_explicit(&s->active, memory_order_acquire))
        return;
    uint32_t i = atomic_fetch_add_explicit(&s->claimed, 1, memory_order_relaxed);
    if (i < STOPWORLD_MAX_THREADS) {
        stopped_thread *t = &s->threads[i];
        park_note_moving(t, thread_tls.moving_start);
        t->tid = prim_gettid();
        t->thread_pointer = (uint64_t)pthread_self();
        if (signal_context) {
            const greg_t *g = ((const ucontext_t *)signal_context)->uc_mcontext.gregs;
            static const int order[STOPWORLD_REGISTER_COUNT] = {
                REG_RAX, REG_RBX, REG_RCX, REG_RDX, REG_RSI, REG_RDI, REG_RBP, REG_R8, REG_R9,
                REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15, REG_RSP, REG_RIP, REG_RAX };
            for (int r = 0; r < STOPWORLD_REGISTER_COUNT; r++)
                t->registers[r] = (uint64_t)g[order[r]];
            t->sp = (uint64_t)g[REG_RSP] - RED_ZONE; /* leaf code may keep live data there */
            t->from_signal = 1;
        } else {
            memset(t->registers, 0, sizeof t->registers);
            t->sp = sp_here; /* callee-saved registers were spilled into the frames above */
            t->from_signal = 0;
        }
    }
    atomic_fetch_add_explicit(&s->arrived, 1, memory_order_release);
    wait_for_release(&s->release_generation, generation);
}

/* Never inlined: __builtin_unwind_init makes its function save every callee-saved register
 * in the prologue, which inlined into a hook would cost five pushes on every malloc and free.
 * Out of line, the saves (the hook's caller's registers, or the hook's spills of them) sit in
 * this frame and the hook's frame, all at or above the stack pointer read here, which is
 * where the stack scan starts. (The frame address would be too high: the saves of a frame
 * lie below its frame pointer.) */
__attribute__((noinline)) void park_from_hook(void)
{
    thread_state *thread = &thread_tls;
    thread->park_pending = 0;
    __builtin_unwind_init(); /* spill callee-saved registers so the stack scan sees them */
    uint64_t sp;
    __asm__ volatile("mov %%rsp, %0" : "=r"(sp));
    park_thread(NULL, sp);
}

void invisible_guard_enter(int long_running)
{
    guard_enter(&thread_tls, long_running ? INVISIBLE_GUARD_LONG : 1);
}

void invisible_guard_leave(int long_running)
{
    guard_leave(&thread_tls, long_running ? INVISIBLE_GUARD_LONG : 1);
}
