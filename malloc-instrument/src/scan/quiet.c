/* quiet.c — busy code, and quiet moments.
 *
 * Busy code is glibc code that holds locks: the allocator's entry points (a thread inside malloc,
 * even one waiting for an arena lock, has one of them among its innermost frames), fork (it holds
 * every allocator lock), pthread_create (the thread-stack and TLS locks), the dynamic loader and
 * libc's dl* functions (the loader's locks). A ptrace stop runs the threads it finds there on for
 * a moment until none is (stopworld.c), because
 *  - a thread let go to park on its way out of our code may need one of those locks, and
 *  - a copy of the process made while another thread held one would find it taken forever (glibc's
 *    own fork takes them first; a bare clone cannot): preload/libinvisible's report helpers are
 *    made at a quiet moment, with every other thread stopped outside busy code.
 */
#define _GNU_SOURCE
#include "internal.h"
#include "trace/unwind.h"

#include <dlfcn.h>
#include <link.h>
#include <string.h>
#include <time.h>

#define QUIET_FRAMES 16
#define NUDGE_BUDGET_NS 300000000ull /* per stop */
#define MAPPING_CAPACITY 65536

static const char *const busy_functions[] = {
    "__libc_malloc", "__libc_free", "__libc_realloc", "__libc_calloc", "__libc_memalign",
    "__libc_valloc", "__libc_pvalloc", "posix_memalign", "malloc_trim", "mallopt", "mallinfo",
    "mallinfo2", "malloc_stats", "malloc_info", "fork", "__libc_fork", "pthread_create", "dlopen",
    "dlmopen", "dlclose", "dlsym", "dlvsym", "dladdr", "dladdr1", "dlinfo", "dl_iterate_phdr",
};

static void add_range(stopworld *s, uint64_t start, uint64_t end)
{
    int capacity = (int)(sizeof s->busy / sizeof s->busy[0]);
    if (s->busy_count < capacity && end > start) {
        s->busy[s->busy_count].start = start;
        s->busy[s->busy_count].end = end;
        s->busy_count++;
    }
}

/* ld.so's code: its executable segments. */
static int add_loader_code(struct dl_phdr_info *info, size_t size, void *data)
{
    const char *name = info->dlpi_name ? strrchr(info->dlpi_name, '/') : NULL;
    if (!name || strncmp(name + 1, "ld-linux", 8) != 0)
        return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X))
            add_range(data, info->dlpi_addr + ph->p_vaddr, info->dlpi_addr + ph->p_vaddr + ph->p_memsz);
    }
    return 1;
}

void quiet_find_busy_code(void)
{
    stopworld *s = &instrument_state.stop;
    if (s->busy_searched)
        return;
    s->busy_searched = 1;
    void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
    for (size_t i = 0; libc && i < sizeof busy_functions / sizeof busy_functions[0]; i++) {
        void *f = dlsym(libc, busy_functions[i]);
        Dl_info info;
        const ElfW(Sym) *symbol = NULL;
        if (f && dladdr1(f, &info, (void **)&symbol, RTLD_DL_SYMENT) && symbol && symbol->st_size)
            add_range(s, (uint64_t)(uintptr_t)f, (uint64_t)(uintptr_t)f + symbol->st_size);
    }
    if (libc)
        dlclose(libc);
    dl_iterate_phdr(add_loader_code, s);
}

/* The writable mappings, read once per look (a stack lookup per thread would read
 * /proc/self/maps once per thread). */
typedef struct mapping_table {
    uint64_t (*ranges)[2];
    int count;
} mapping_table;

static int note_mapping(const proc_mapping *m, void *context)
{
    mapping_table *table = context;
    if (m->perms[1] == 'w' && table->count < MAPPING_CAPACITY) {
        table->ranges[table->count][0] = m->start;
        table->ranges[table->count][1] = m->end;
        table->count++;
    }
    return 0;
}

static int stack_of(const mapping_table *table, uint64_t sp, uint64_t *low, uint64_t *high)
{
    int lo = 0, hi = table->count; /* sorted: /proc/self/maps is in address order */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (table->ranges[mid][1] <= sp)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < table->count && table->ranges[lo][0] <= sp) {
        *low = table->ranges[lo][0];
        *high = table->ranges[lo][1];
        return 1;
    }
    return 0;
}

static int in_busy_code(const stopworld *s, uint64_t pc)
{
    for (int i = 0; i < s->busy_count; i++)
        if (pc >= s->busy[i].start && pc < s->busy[i].end)
            return 1;
    return 0;
}

/* Its interrupted pc is exact; a return address points after its call, so the call itself is at
 * pc - 1. A thread that parked itself holds none of our locks and is out of glibc's allocator
 * (it parks at a hook's exit or at the release of a lock of ours, never inside glibc). */
static int thread_is_busy(const stopworld *s, const stopped_thread *t, const mapping_table *maps)
{
    if (!t->tid || !t->from_signal)
        return 0;
    invisible_frame_state start = { t->registers[16], t->registers[15], t->registers[6] };
    uint64_t low = 0, high = 0;
    uintptr_t pcs[QUIET_FRAMES];
    if (!stack_of(maps, start.sp, &low, &high))
        low = high = 0; /* frame 0 only */
    int frames = invisible_unwind_from(&start, low, high, pcs, NULL, QUIET_FRAMES, INVISIBLE_UNWIND_EXACT_PC);
    for (int f = 0; f < frames; f++)
        if (in_busy_code(s, f == 0 ? pcs[f] : pcs[f] - 1))
            return 1;
    return 0;
}

int quiet_collect_busy(const stopped_thread *threads, uint32_t count, pid_t *out)
{
    stopworld *s = &instrument_state.stop;
    static uint64_t (*ranges)[2];
    if (!ranges) /* ours (never a root): a holder of own_map's lock was let go before the stop */
        ranges = own_map(MAPPING_CAPACITY * sizeof *ranges, 1);
    mapping_table maps = { ranges, 0 };
    if (ranges)
        maps_for_each(note_mapping, &maps);
    int n = 0;
    for (uint32_t i = 0; i < count; i++)
        if (thread_is_busy(s, &threads[i], &maps)) {
            if (out)
                out[n] = threads[i].tid;
            n++;
        }
    return n;
}

static void pause_ns(uint64_t nanoseconds)
{
    struct timespec t = { 0, (long)nanoseconds };
    nanosleep(&t, NULL);
}

int invisible_at_quiet_moment(void (*work)(void *argument), void *argument, uint64_t budget_ns)
{
    thread_state *thread = &thread_tls;
    guard_enter(thread, INVISIBLE_GUARD_LONG); /* the stopper: never parked itself */
    uint64_t deadline = prim_now_ns() + budget_ns, wait = 100 * 1000;
    int done = -1;
    while (done != 0) {
        const stopped_thread *stopped = NULL;
        int signalled = 0;
        if (stopworld_stop(&stopped, &signalled) < 0)
            break;
        if (stopworld_nudge_out_of_busy_code(budget_ns < NUDGE_BUDGET_NS ? budget_ns : NUDGE_BUDGET_NS)) {
            work(argument);
            done = 0;
        }
        stopworld_resume();
        if (done != 0) {
            if (prim_now_ns() > deadline)
                break;
            pause_ns(wait);
            if (wait < 50 * 1000 * 1000)
                wait *= 2;
        }
    }
    guard_leave(thread, INVISIBLE_GUARD_LONG);
    return done;
}
