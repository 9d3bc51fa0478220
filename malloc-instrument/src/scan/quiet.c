/* quiet.c — a quiet moment: every other thread stopped, and none of them inside code that holds
 * locks a copy of the process would need (the embedder passes glibc's allocator, fork and the
 * dynamic loader as `busy`). preload/libinvisible's report helpers are made at such a moment: a
 * copy made while another thread was inside malloc would find that arena's lock taken forever
 * (glibc's own fork takes every allocator lock first; a bare clone cannot).
 *
 * A thread counts as inside when its pc, or a return address among its innermost frames, lies in
 * a busy range (a thread waiting for an allocator lock is inside too: its caller is). A thread
 * that parked on its way out of a hook of ours has left glibc's allocator by then. When some
 * thread is inside, the world is resumed and tried again a little later.
 */
#define _GNU_SOURCE
#include "internal.h"
#include "trace/unwind.h"

#include <time.h>

#define QUIET_FRAMES 32
#define QUIET_BUDGET_NS 1000000000ull

static int in_busy_code(uint64_t pc, const invisible_code_range *busy, int busy_count)
{
    for (int i = 0; i < busy_count; i++)
        if (pc >= busy[i].start && pc < busy[i].end)
            return 1;
    return 0;
}

/* Is stopped thread `t` inside busy code? Its interrupted pc is exact; a return address points
 * after its call, so the call itself is at pc - 1. */
static int thread_is_busy(const stopped_thread *t, const invisible_code_range *busy, int busy_count)
{
    if (!t->from_signal)
        return 0; /* parked on its way out of a hook: outside glibc by then */
    invisible_frame_state start = { t->registers[16], t->registers[15], t->registers[6] };
    uint64_t low = 0, high = 0;
    uintptr_t pcs[QUIET_FRAMES];
    if (!maps_find(start.sp, &low, &high))
        low = high = 0; /* frame 0 only */
    int frames = invisible_unwind_from(&start, low, high, pcs, NULL, QUIET_FRAMES, INVISIBLE_UNWIND_EXACT_PC);
    for (int f = 0; f < frames; f++)
        if (in_busy_code(f == 0 ? pcs[f] : pcs[f] - 1, busy, busy_count))
            return 1;
    return 0;
}

static void pause_ns(uint64_t nanoseconds)
{
    struct timespec t = { 0, (long)nanoseconds };
    nanosleep(&t, NULL);
}

int invisible_at_quiet_moment(const invisible_code_range *busy, int busy_count,
                              void (*work)(void *argument), void *argument)
{
    thread_state *thread = &thread_tls;
    guard_enter(thread, INVISIBLE_GUARD_LONG); /* the stopper: never parked itself */
    uint64_t deadline = prim_now_ns() + QUIET_BUDGET_NS, wait = 100 * 1000;
    int done = -1;
    while (done != 0) {
        const stopped_thread *stopped = NULL;
        int signalled = 0;
        int parked = stopworld_stop(&stopped, &signalled);
        if (parked < 0)
            break;
        int busy_now = parked < signalled; /* one that did not stop may be anywhere */
        for (int i = 0; i < parked && !busy_now; i++)
            busy_now = thread_is_busy(&stopped[i], busy, busy_count);
        if (!busy_now) {
            work(argument);
            done = 0;
        }
        stopworld_resume();
        if (done != 0) {
            if (prim_now_ns() > deadline)
                break;
            pause_ns(wait);
            if (wait < 20 * 1000 * 1000)
                wait *= 2;
        }
    }
    guard_leave(thread, INVISIBLE_GUARD_LONG);
    return done;
}
