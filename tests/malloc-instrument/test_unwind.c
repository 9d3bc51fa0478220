/* test_unwind — compares invisible_unwind() with glibc backtrace() (libgcc's unwinder) on call
 * chains built -O0, -O2 with and without frame pointers, with stack realignment and alloca,
 * through a library dlopen'ed after start, through a qsort comparator, and on 2 threads at
 * once. Also feeds the walk garbage register states: it must stop, never crash. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/unwind.h"
#include "unwind_chain.h"

#define MAX_FRAMES 64

static int failures;
static __thread const char *current_case;
static __thread int captures;

static const char *symbol_of(uintptr_t pc, char *buffer, size_t size)
{
    Dl_info info;
    if (dladdr((void *)pc, &info) && info.dli_sname)
        snprintf(buffer, size, "%s+%#lx", info.dli_sname, (unsigned long)(pc - (uintptr_t)info.dli_saddr));
    else if (dladdr((void *)pc, &info) && info.dli_fname)
        snprintf(buffer, size, "%s@%#lx", strrchr(info.dli_fname, '/') ? strrchr(info.dli_fname, '/') + 1 : info.dli_fname,
                 (unsigned long)(pc - (uintptr_t)info.dli_fbase));
    else
        snprintf(buffer, size, "?");
    return buffer;
}

static void report_mismatch(const uintptr_t *ours, int count, void *const *reference, int reference_count)
{
    char a[128], b[128];
    fprintf(stderr, "FAIL %s: ours %d frames, backtrace %d frames\n", current_case, count, reference_count);
    int rows = count > reference_count ? count : reference_count;
    for (int i = 0; i < rows; i++) {
        uintptr_t o = i < count ? ours[i] : 0, r = i < reference_count ? (uintptr_t)reference[i] : 0;
        fprintf(stderr, "  %2d %c %#14lx %-40s %#14lx %s\n", i, o == r ? ' ' : '*', (unsigned long)o,
                o ? symbol_of(o, a, sizeof a) : "", (unsigned long)r, r ? symbol_of(r, b, sizeof b) : "");
    }
}

/* The capture point, built like the malloc interposer (-O2 -fno-omit-frame-pointer):
 * invisible_unwind starts at this function's caller, backtrace() at this function itself. */
__attribute__((noinline)) static int capture_and_compare(void)
{
    invisible_frame_state state;
    INVISIBLE_FRAME_STATE_HERE(state);
    uintptr_t ours[MAX_FRAMES];
    void *reference[MAX_FRAMES + 2];
    uintptr_t without_memo[MAX_FRAMES];
    /* twice: the second walk from the same start is answered by the per-thread memo */
    int count = invisible_unwind(&state, ours, MAX_FRAMES, 0);
    count = invisible_unwind(&state, ours, MAX_FRAMES, 0);
    int count_without_memo = invisible_unwind(&state, without_memo, MAX_FRAMES, INVISIBLE_UNWIND_NO_MEMO);
    int reference_count = backtrace(reference, MAX_FRAMES + 1) - 1; /* drop our own frame */
    void **expected = reference + 1;
    int ok = count == reference_count && count_without_memo == count &&
             memcmp(ours, without_memo, sizeof(uintptr_t) * (size_t)count) == 0;
    for (int i = 0; ok && i < count; i++)
        ok = ours[i] == (uintptr_t)expected[i];
    if (!ok) {
        __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
        report_mismatch(ours, count, expected, reference_count);
    }
    captures++;
    __asm__ volatile("" ::: "memory"); /* keep the call above a real call */
    return ok;
}

static int run_next_stage(const chain_stage *stage)
{
    int result;
    if (stage->function == NULL)
        result = capture_and_compare();
    else
        result = stage->function(stage->depth, stage, run_next_stage);
    __asm__ volatile("" ::: "memory");
    return result + 1;
}

/* qsort stage: the comparator (called by libc's msort) runs the rest of the chain once. */
static __thread const chain_stage *qsort_rest;
static int compare_ints(const void *a, const void *b)
{
    if (qsort_rest) {
        const chain_stage *rest = qsort_rest;
        qsort_rest = NULL;
        run_next_stage(rest);
    }
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int chain_qsort(int depth __attribute__((unused)), const chain_stage *stage,
                       chain_runner run_next __attribute__((unused)))
{
    int values[64];
    for (int i = 0; i < 64; i++)
        values[i] = (i * 37) % 64;
    qsort_rest = stage + 1;
    qsort(values, 64, sizeof values[0], compare_ints);
    __asm__ volatile("" ::: "memory");
    return values[0];
}

/* The dlopen'ed library's chain, reached through a function pointer set in main(). */
static chain_function testlib_chain_pointer;
__attribute__((noinline)) static int testlib_chain(int depth, const chain_stage *stage, chain_runner run_next)
{
    int result = testlib_chain_pointer(depth, stage, run_next);
    __asm__ volatile("" ::: "memory");
    return result + 1;
}

#define STAGES(...) ((const chain_stage[]){__VA_ARGS__, {NULL, 0}})
typedef struct test_case {
    const char *name;
    const chain_stage *stages;
} test_case;

/* Two callers with identical frames call the same leaf: the leaf's start state (pc, sp, fp)
 * is the same for both, only a return address further up differs. The memo must notice. */
__attribute__((noinline)) static int same_shape_leaf(int depth, const chain_stage *stage, chain_runner run_next)
{
    int result = run_next(stage + 1);
    __asm__ volatile("" ::: "memory");
    return result + depth;
}
__attribute__((noinline)) static int same_shape_caller_a(int depth, const chain_stage *stage, chain_runner run_next)
{
    int result = same_shape_leaf(depth, stage, run_next);
    __asm__ volatile("" ::: "memory");
    return result + 1;
}
__attribute__((noinline)) static int same_shape_caller_b(int depth, const chain_stage *stage, chain_runner run_next)
{
    int result = same_shape_leaf(depth, stage, run_next);
    __asm__ volatile("" ::: "memory");
    return result + 2;
}

static const test_case cases[] = {
    {"same leaf state, caller A", STAGES({same_shape_caller_a, 0})},
    {"same leaf state, caller B", STAGES({same_shape_caller_b, 0})},
    {"O0 recursion 10", STAGES({chain_o0, 10})},
    {"O0 recursion 100 (truncated at 64)", STAGES({chain_o0, 100})},
    {"O2 frame pointer recursion 20", STAGES({chain_o2_fp, 20})},
    {"O2 no frame pointer recursion 20", STAGES({chain_o2_nofp, 20})},
    {"O2 stack realignment (DRAP) 5", STAGES({chain_o2_realigned, 5})},
    {"O2 alloca 8", STAGES({chain_o2_alloca, 8})},
    {"mixed O0/nofp/fp/realigned/alloca", STAGES({chain_o0, 2}, {chain_o2_nofp, 3}, {chain_o2_fp, 2},
                                                {chain_o2_realigned, 1}, {chain_o2_alloca, 2}, {chain_o2_nofp, 1})},
    {"qsort comparator", STAGES({chain_o2_nofp, 2}, {chain_qsort, 0}, {chain_o2_nofp, 2})},
    {"dlopen'ed library", STAGES({chain_o2_nofp, 1}, {testlib_chain, 4}, {chain_o0, 1})},
    {"qsort inside dlopen'ed library chain", STAGES({testlib_chain, 2}, {chain_qsort, 0}, {testlib_chain, 1})},
};
static const int case_count = (int)(sizeof cases / sizeof cases[0]);

static void run_all_cases(int rounds)
{
    for (int r = 0; r < rounds; r++)
        for (int i = 0; i < case_count; i++) {
            current_case = cases[i].name;
            int before = captures;
            run_next_stage(cases[i].stages);
            if (captures != before + 1) {
                fprintf(stderr, "FAIL %s: chain did not reach the capture\n", current_case);
                __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
            }
        }
}

/* Captures at every level of a recursion, round after round: each level's start (pc, sp) is
 * walked again one round later, with other levels' walks in between (the memo keeps several
 * starts: each must still agree with backtrace()). `salt` changes between rounds and lives in a
 * callee-saved register at -O2, so saved registers differ while the frames do not. */
__attribute__((noinline)) static int capture_every_level(int level, long salt)
{
    int result = capture_and_compare();
    if (level > 1)
        result += capture_every_level(level - 1, salt * 3 + 1);
    __asm__ volatile("" : "+r"(salt));
    return result + (int)(salt & 1);
}

static void check_recursion_memos(int rounds)
{
    current_case = "capture at every level of a recursion 12";
    for (int r = 0; r < rounds; r++)
        capture_every_level(12, r);
}

static void *thread_main(void *arg)
{
    run_all_cases((int)(intptr_t)arg);
    check_recursion_memos(20);
    /* thread exit releases the memos; walks after it (other key destructors) go without */
    invisible_unwind_thread_exit();
    check_recursion_memos(2);
    return NULL;
}

/* Garbage register states: random fp and sp inside the stack, pcs from code and data. */
__attribute__((noinline)) static void fuzz_states(void)
{
    uintptr_t out[MAX_FRAMES];
    volatile uintptr_t filler[512];
    for (int i = 0; i < 512; i++)
        filler[i] = (uintptr_t)rand() * 0x10001u ^ ((uintptr_t)&filler[i] & ~0xfffull);
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    uintptr_t code_pcs[] = {(uintptr_t)capture_and_compare + 5, (uintptr_t)chain_o2_nofp + 20,
                            (uintptr_t)chain_o2_realigned + 30, (uintptr_t)qsort + 10, (uintptr_t)&failures,
                            (uintptr_t)malloc + 3, 1, ~(uintptr_t)0 - 4096};
    for (int i = 0; i < 20000; i++) {
        invisible_frame_state state = {
            .pc = code_pcs[rand() % 8],
            .sp = here - 4096 + (uintptr_t)(rand() % 8192),
            .fp = (rand() & 1) ? here + (uintptr_t)(rand() % 4096) - 2048 : (uintptr_t)rand() * 4096,
        };
        int count = invisible_unwind(&state, out, MAX_FRAMES, (unsigned)i & 1);
        if (count < 1 || count > MAX_FRAMES) {
            fprintf(stderr, "FAIL fuzz: count %d\n", count);
            failures++;
            return;
        }
    }
    invisible_frame_state outside = {.pc = (uintptr_t)fuzz_states, .sp = 0x1000, .fp = 0};
    if (invisible_unwind(&outside, out, MAX_FRAMES, 0) != 1) {
        fprintf(stderr, "FAIL fuzz: sp outside any mapping must give exactly the start pc\n");
        failures++;
    }
    (void)filler[0];
}

/* In a signal handler the walk must stop at the signal trampoline (__restore_rt, whose CFI
 * is an expression): our trace is then a prefix of backtrace()'s, which goes on through the
 * interrupted frames. Run once on the thread's stack and once on a sigaltstack. */
static volatile int signal_frames, signal_ok;

__attribute__((noinline)) static void capture_in_handler(void)
{
    invisible_frame_state state;
    INVISIBLE_FRAME_STATE_HERE(state);
    uintptr_t ours[MAX_FRAMES];
    void *reference[MAX_FRAMES + 2];
    int count = invisible_unwind(&state, ours, MAX_FRAMES, 0);
    int reference_count = backtrace(reference, MAX_FRAMES + 1) - 1;
    int ok = count >= 2 && count < reference_count;
    for (int i = 0; ok && i < count; i++)
        ok = ours[i] == (uintptr_t)reference[i + 1];
    signal_frames = count;
    signal_ok = ok;
    __asm__ volatile("" ::: "memory");
}

static void on_signal(int signo)
{
    (void)signo;
    capture_in_handler();
    __asm__ volatile("" ::: "memory");
}

static void check_signal_handlers(void)
{
    for (int on_alternate_stack = 0; on_alternate_stack < 2; on_alternate_stack++) {
        struct sigaction action = {0};
        action.sa_handler = on_signal;
        action.sa_flags = on_alternate_stack ? SA_ONSTACK : 0;
        sigemptyset(&action.sa_mask);
        if (on_alternate_stack) {
            size_t size = 256 * 1024;
            stack_t alternate = {.ss_sp = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
                                 .ss_size = size};
            sigaltstack(&alternate, NULL);
        }
        sigaction(SIGUSR1, &action, NULL);
        signal_ok = 0;
        raise(SIGUSR1);
        if (!signal_ok) {
            fprintf(stderr, "FAIL signal handler (%s): %d frames, not a proper prefix of backtrace()\n",
                    on_alternate_stack ? "sigaltstack" : "thread stack", signal_frames);
            failures++;
        }
    }
    signal(SIGUSR1, SIG_DFL);
}

/* A fork child inherits the cache and the thread's stack bounds: it must still agree. */
static void check_fork_child(void)
{
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) {
        run_all_cases(2);
        _exit(failures ? 1 : 0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "FAIL fork child: status %#x\n", status);
        failures++;
    }
}

static void check_runtime_flags(void *library)
{
    /* Real entry points: in a non-PIE program `qsort` is the executable's PLT stub. */
    void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    uintptr_t libc_qsort = (uintptr_t)dlsym(libc, "qsort"), libc_dlopen = (uintptr_t)dlsym(libc, "dlopen");
    struct {
        const char *what;
        uintptr_t pc;
        int expected;
    } probes[] = {
        {"qsort (libc)", libc_qsort + 4, 1},
        {"dlopen (libc)", libc_dlopen + 4, 1},
        {"test main program", (uintptr_t)chain_o2_nofp + 4, 0},
        {"dlopen'ed test library", (uintptr_t)testlib_chain_pointer + 4, 0},
        {"ld.so (_dl_find_object)", (uintptr_t)dlsym(RTLD_DEFAULT, "_dl_find_object") + 4, 1},
        {"data address", (uintptr_t)&failures, 0},
    };
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
        for (int round = 0; round < 2; round++) /* miss, then cached */
            if (invisible_pc_in_runtime_lib(probes[i].pc) != probes[i].expected) {
                fprintf(stderr, "FAIL runtime flag of %s: expected %d\n", probes[i].what, probes[i].expected);
                failures++;
            }
    (void)library;
}

int main(int argc, char **argv)
{
    const char *library_path = argc > 1 ? argv[1] : "./libunwind_testlib.so";
    void *library = dlopen(library_path, RTLD_NOW);
    if (library == NULL) {
        fprintf(stderr, "cannot dlopen %s: %s\n", library_path, dlerror());
        return 2;
    }
    testlib_chain_pointer = (chain_function)dlsym(library, "unwind_testlib_chain");

    run_all_cases(1);  /* cold cache */
    run_all_cases(3);  /* warm cache */
    check_recursion_memos(20);
    check_runtime_flags(library);

    pthread_t threads[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&threads[i], NULL, thread_main, (void *)(intptr_t)200);
    run_all_cases(50); /* main thread concurrently */
    for (int i = 0; i < 2; i++)
        pthread_join(threads[i], NULL);

    invisible_unwind_invalidate_cache();
    run_all_cases(1);
    check_fork_child();
    check_signal_handlers();
    fuzz_states();

    if (failures) {
        fprintf(stderr, "test_unwind: %d failures\n", failures);
        return 1;
    }
    printf("test_unwind: all %d cases agree with backtrace() (cold, warm, 3 threads, after invalidation, fork child), and at every level of a recursion; "
           "signal handlers stop at the trampoline; fuzz ok\n",
           case_count);
    return 0;
}
