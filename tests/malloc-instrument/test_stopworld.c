/* test_stopworld — stopping the other threads (malloc-instrument/src/scan/stopworld.c): every
 * other thread parks, with its tid, thread pointer and the registers it was interrupted with
 * (known values held in r12..r15 by a spin loop, its rip inside that loop, its rsp); a thread
 * inside one of our hooks is not interrupted there but parks on its way out, with no registers;
 * nothing runs while the world is stopped and everything runs again after the resume, three
 * times over; the stop signal still reaches the program's own handler when no stop is in
 * progress; and thread_backtraces (scan/backtraces.c) reports the same registers in DWARF order.
 * Linked with the whole malloc-instrument object library, as libinvisible.so is. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#include "check.h"

enum { SPINNERS = 3, ROUNDS = 3 };

typedef struct worker {
    pid_t tid;
    uint64_t thread_pointer;
    uint64_t magic[4];           /* r12..r15 while spinning */
    uint64_t loop[2];            /* [first, last] address of the spin loop */
    uint64_t stack_low, stack_high;
    volatile uint64_t count;     /* incremented by every turn of the loop */
    volatile int quit;
    _Atomic int ready;
} worker;

static worker spinners[SPINNERS];

static void note_stack(worker *w)
{
    pthread_attr_t attributes;
    void *low;
    size_t size;
    pthread_getattr_np(pthread_self(), &attributes);
    pthread_attr_getstack(&attributes, &low, &size);
    pthread_attr_destroy(&attributes);
    w->stack_low = (uint64_t)(uintptr_t)low;
    w->stack_high = w->stack_low + size;
}

/* Spin with r12..r15 holding w->magic until w->quit, counting turns. The loop's bounds are
 * written before it starts, so a stopped rip can be checked against them. */
static void *spinner(void *arg)
{
    worker *w = arg;
    w->tid = prim_gettid();
    w->thread_pointer = (uint64_t)pthread_self();
    note_stack(w);
    uint64_t *magic = w->magic;
    __asm__ volatile("lea 1f(%%rip), %%rax\n\t"
                     "mov %%rax, 0(%[loop])\n\t"
                     "lea 2f(%%rip), %%rax\n\t"
                     "mov %%rax, 8(%[loop])\n\t"
                     "movl $1, (%[ready])\n\t"
                     "mov 0(%[magic]), %%r12\n\t"
                     "mov 8(%[magic]), %%r13\n\t"
                     "mov 16(%[magic]), %%r14\n\t"
                     "mov 24(%[magic]), %%r15\n\t"
                     "1: incq (%[count])\n\t"
                     "pause\n\t"
                     "cmpl $0, (%[quit])\n\t"
                     "2: je 1b\n\t"
                     :
                     : [loop] "r"(w->loop), [ready] "r"(&w->ready), [magic] "r"(magic),
                       [count] "r"(&w->count), [quit] "r"(&w->quit)
                     : "rax", "r12", "r13", "r14", "r15", "memory", "cc");
    return NULL;
}

/* A thread inside a hook: the stop signal only marks it (park_pending); it parks on its way
 * out, as hook_leave does. */
static worker in_hook;
static _Atomic int in_hook_parked_turns;

static void *hook_sitter(void *arg)
{
    worker *w = arg;
    w->tid = prim_gettid();
    w->thread_pointer = (uint64_t)pthread_self();
    note_stack(w);
    thread_state *thread = &thread_tls;
    while (!w->quit) {
        thread->guard.in_hook = 1;
        atomic_store(&w->ready, 1);
        while (!thread->park_pending && !w->quit)
            __builtin_ia32_pause();
        thread->guard.in_hook = 0;
        if (thread->park_pending) {
            stopworld_park_from_hook();
            atomic_fetch_add(&in_hook_parked_turns, 1);
        }
    }
    return NULL;
}

static volatile int program_handler_calls;

static void program_handler(int signal)
{
    (void)signal;
    program_handler_calls++;
}

static void pause_ms(long ms)
{
    struct timespec t = { 0, ms * 1000000 };
    nanosleep(&t, NULL);
}

static const stopped_thread *find_stopped(const stopped_thread *stopped, int parked, pid_t tid)
{
    for (int i = 0; i < parked; i++)
        if (stopped[i].tid == tid)
            return &stopped[i];
    return NULL;
}

/* stopped_thread.registers order (stopworld.c): rax rbx rcx rdx rsi rdi rbp r8..r15 rsp rip. */
enum { STOPPED_R12 = 11, STOPPED_RSP = 15, STOPPED_RIP = 16 };

static void check_spinner(const stopped_thread *t, const worker *w)
{
    CHECK(t != NULL);
    if (!t)
        return;
    CHECK(t->from_signal == 1);
    CHECK(t->thread_pointer == w->thread_pointer);
    for (int r = 0; r < 4; r++)
        CHECK(t->registers[STOPPED_R12 + r] == w->magic[r]);
    CHECK(t->registers[STOPPED_RIP] >= w->loop[0] && t->registers[STOPPED_RIP] <= w->loop[1]);
    uint64_t rsp = t->registers[STOPPED_RSP];
    CHECK(rsp > w->stack_low && rsp < w->stack_high);
    CHECK(t->sp == rsp - 128); /* the red zone is live too */
}

static void test_stop_and_resume(void)
{
    for (int round = 0; round < ROUNDS; round++) {
        int before_turns = atomic_load(&in_hook_parked_turns);
        const stopped_thread *stopped = NULL;
        int signalled = 0;
        int parked = stopworld_stop(&stopped, &signalled);
        CHECK(signalled == SPINNERS + 1);
        CHECK(parked == SPINNERS + 1);
        for (int s = 0; s < SPINNERS; s++)
            check_spinner(find_stopped(stopped, parked, spinners[s].tid), &spinners[s]);
        const stopped_thread *h = find_stopped(stopped, parked, in_hook.tid);
        CHECK(h != NULL);
        if (h) {
            CHECK(h->from_signal == 0);
            CHECK(h->thread_pointer == in_hook.thread_pointer);
            CHECK(h->sp > in_hook.stack_low && h->sp < in_hook.stack_high);
            uint64_t any = 0;
            for (int r = 0; r < STOPWORLD_REGISTER_COUNT; r++)
                any |= h->registers[r];
            CHECK(any == 0); /* parked from a hook: its registers were spilled to its stack */
        }
        /* Stopped: nobody turns. */
        uint64_t counts[SPINNERS];
        for (int s = 0; s < SPINNERS; s++)
            counts[s] = spinners[s].count;
        pause_ms(20);
        for (int s = 0; s < SPINNERS; s++)
            CHECK(spinners[s].count == counts[s]);
        CHECK(atomic_load(&in_hook_parked_turns) == before_turns);
        stopworld_resume();
        /* Resumed: everyone turns again (a generous bound only guards against a hang). */
        for (int s = 0; s < SPINNERS; s++) {
            int waited = 0;
            while (spinners[s].count == counts[s] && waited++ < 5000)
                pause_ms(1);
            CHECK(spinners[s].count != counts[s]);
        }
        int waited = 0;
        while (atomic_load(&in_hook_parked_turns) == before_turns && waited++ < 5000)
            pause_ms(1);
        CHECK(atomic_load(&in_hook_parked_turns) == before_turns + 1);
    }
}

/* The same threads through the query table's thread_backtraces: DWARF register numbers, the
 * interrupted rip as an exact frame 0, and the caller first. */
static void test_backtraces(void)
{
    enum { MAX_THREADS = 8, MAX_FRAMES = 16 };
    invisible_thread_backtrace out[MAX_THREADS];
    uint64_t pcs[MAX_THREADS][MAX_FRAMES], cfas[MAX_THREADS][MAX_FRAMES];
    for (int i = 0; i < MAX_THREADS; i++) {
        out[i].pcs = pcs[i];
        out[i].cfas = cfas[i];
    }
    const invisible_query_api *api = invisible_query_table();
    int count = api->thread_backtraces(out, MAX_THREADS, MAX_FRAMES);
    CHECK(count == SPINNERS + 2);
    CHECK(out[0].tid == prim_gettid());
    CHECK(out[0].flags == INVISIBLE_THREAD_CURRENT);
    CHECK(out[0].frame_count >= 2); /* this function and main at least */
    for (int s = 0; s < SPINNERS; s++) {
        const invisible_thread_backtrace *b = NULL;
        for (int i = 1; i < count; i++)
            if (out[i].tid == spinners[s].tid)
                b = &out[i];
        CHECK(b != NULL);
        if (!b)
            continue;
        CHECK(b->flags == (INVISIBLE_THREAD_REGISTERS | INVISIBLE_THREAD_EXACT_PC));
        for (int r = 0; r < 4; r++)
            CHECK(b->registers[12 + r] == spinners[s].magic[r]); /* DWARF 12..15 = r12..r15 */
        CHECK(b->frame_count >= 1);
        CHECK(b->pcs[0] == b->registers[16]);                   /* DWARF 16 = rip */
        CHECK(b->pcs[0] >= spinners[s].loop[0] && b->pcs[0] <= spinners[s].loop[1]);
    }
    /* All resumed again. */
    uint64_t count0 = spinners[0].count;
    int waited = 0;
    while (spinners[0].count == count0 && waited++ < 5000)
        pause_ms(1);
    CHECK(spinners[0].count != count0);
}

/* No stop in progress: the signal is the program's, and its handler gets it. */
static void test_program_handler(void)
{
    int signal_number = SIGRTMAX - 3;
    int before = program_handler_calls;
    CHECK(before == 0); /* the stops above never called it */
    raise(signal_number);
    CHECK(program_handler_calls == before + 1);
}

int main(void)
{
    signal(SIGRTMAX - 3, program_handler); /* before our handler: it must be chained */
    if (instrument_init() != 0) {
        fprintf(stderr, "test_stopworld: tracking unavailable\n");
        return 1;
    }
    pthread_t threads[SPINNERS + 1];
    for (int s = 0; s < SPINNERS; s++) {
        for (int r = 0; r < 4; r++)
            spinners[s].magic[r] = 0x5afe000000000000ull | (uint64_t)s << 8 | (uint64_t)r;
        pthread_create(&threads[s], NULL, spinner, &spinners[s]);
    }
    pthread_create(&threads[SPINNERS], NULL, hook_sitter, &in_hook);
    for (int s = 0; s < SPINNERS; s++)
        while (!atomic_load(&spinners[s].ready))
            pause_ms(1);
    while (!atomic_load(&in_hook.ready))
        pause_ms(1);
    test_stop_and_resume();
    test_backtraces();
    test_program_handler();
    for (int s = 0; s < SPINNERS; s++)
        spinners[s].quit = 1;
    in_hook.quit = 1;
    for (int s = 0; s <= SPINNERS; s++)
        pthread_join(threads[s], NULL);
    printf("test_stopworld: %s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
