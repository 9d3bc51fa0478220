/* test_faultguard.c — the fault guard (preload/libinvisible/src/faultguard.c): faults inside a
 * guarded call are abandoned and described; everything else reaches the handler that was there
 * before, exactly as without the guard; the default action still kills. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "invisible.h"

static volatile int sink;

static void write_null(void *a, void *b, void *c, void *d)
{
    *(volatile int *)(uintptr_t)a = 1;
}

static void divide(void *a, void *b, void *c, void *d)
{
    sink = (int)(intptr_t)a / (int)(intptr_t)b;
}

static void nothing(void *a, void *b, void *c, void *d)
{
    sink = (int)(intptr_t)a;
}

static int recurse(int n)
{
    volatile char pad[512];
    pad[n & 511] = (char)n;
    return n < 0 ? 0 : recurse(n + 1) + pad[(n * 3) & 511];
}

static void overflow(void *a, void *b, void *c, void *d)
{
    sink = recurse(1);
}

/* An inner guarded call that faults, inside an outer guarded call that then completes. */
static int inner_result;
static void nested(void *a, void *b, void *c, void *d)
{
    invisible_fault fault;
    inner_result = invisible_guarded_call(write_null, (void *)0x8, 0, 0, 0, &fault);
    sink = 7;
}

/* The program's own SIGSEGV handler (installed before the guard): recovers with its own jump. */
static sigjmp_buf program_jump;
static volatile int program_calls;
static volatile uintptr_t program_address;
static void program_handler(int signal_number, siginfo_t *info, void *context)
{
    program_calls++;
    program_address = (uintptr_t)info->si_addr;
    siglongjmp(program_jump, 1);
}

/* A callback into "managed code" suspends the guard: its fault is the program's (the runtime's). */
static void suspended(void *a, void *b, void *c, void *d)
{
    void **top = invisible_fault_guard_thread();
    void *saved = *top;
    *top = NULL;
    if (sigsetjmp(program_jump, 1) == 0)
        write_null((void *)0x18, 0, 0, 0);
    *top = saved;
    sink = 3;
}

static void *overflow_thread(void *argument)
{
    invisible_fault *fault = argument;
    CHECK(invisible_fault_guard_prepare_thread() == 1);
    CHECK(invisible_guarded_call(overflow, 0, 0, 0, 0, fault) == SIGSEGV);
    /* and the thread goes on */
    CHECK(invisible_guarded_call(nothing, (void *)5, 0, 0, 0, fault) == 0);
    return NULL;
}

static int child_status(void (*body)(void))
{
    pid_t pid = fork();
    if (pid == 0) {
        body();
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

static void unguarded_fault_with_default_action(void)
{
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGSEGV, &dfl, NULL);
    invisible_fault fault;
    invisible_guarded_call(nothing, 0, 0, 0, 0, &fault); /* installs the guard in front of SIG_DFL */
    write_null((void *)0x28, 0, 0, 0);
}

static void sent_signal_inside_a_guard(void *a, void *b, void *c, void *d)
{
    raise(SIGSEGV); /* SI_TKILL: not a fault of this call, never abandoned */
}

static void sent_signal_child(void)
{
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGSEGV, &dfl, NULL);
    invisible_fault fault;
    invisible_guarded_call(sent_signal_inside_a_guard, 0, 0, 0, 0, &fault);
}

int main(void)
{
    struct sigaction mine;
    memset(&mine, 0, sizeof mine);
    mine.sa_sigaction = program_handler;
    mine.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &mine, NULL);

    /* linked, not preloaded: the interposed close(2) reaches libc's (it once called itself) */
    int descriptor = open("/dev/null", O_RDONLY);
    CHECK(descriptor >= 0 && close(descriptor) == 0);

    invisible_fault fault;
    memset(&fault, 0, sizeof fault);
    CHECK(invisible_guarded_call(write_null, 0, 0, 0, 0, &fault) == SIGSEGV);
    CHECK(fault.signal == SIGSEGV && fault.address == 0 && fault.code == SEGV_MAPERR && fault.pc != 0);
    CHECK(invisible_guarded_call(write_null, (void *)0x1234, 0, 0, 0, &fault) == SIGSEGV && fault.address == 0x1234);
    CHECK(invisible_guarded_call(nothing, (void *)9, 0, 0, 0, &fault) == 0 && sink == 9);
    CHECK(invisible_guarded_call(divide, (void *)1, 0, 0, 0, &fault) == SIGFPE && fault.code == FPE_INTDIV);
    CHECK(invisible_guarded_call(divide, (void *)12, (void *)4, 0, 0, &fault) == 0 && sink == 3);

    /* the mask of the interrupted code is back: SIGSEGV is not left blocked */
    sigset_t mask;
    pthread_sigmask(SIG_SETMASK, NULL, &mask);
    CHECK(!sigismember(&mask, SIGSEGV) && !sigismember(&mask, SIGFPE));

    /* nested guards: the innermost takes the fault, the outer call completes */
    sink = 0;
    CHECK(invisible_guarded_call(nested, 0, 0, 0, 0, &fault) == 0 && inner_result == SIGSEGV && sink == 7);

    /* no guard armed: the program's own handler gets the fault with its siginfo */
    if (sigsetjmp(program_jump, 1) == 0)
        write_null((void *)0x38, 0, 0, 0);
    CHECK(program_calls == 1 && program_address == 0x38);

    /* a suspended guard (a callback into managed code): the program's handler again, then the guard is back */
    CHECK(invisible_guarded_call(suspended, 0, 0, 0, 0, &fault) == 0 && sink == 3);
    CHECK(program_calls == 2 && program_address == 0x18);
    CHECK(*invisible_fault_guard_thread() == NULL);
    CHECK(invisible_guarded_call(write_null, (void *)0x48, 0, 0, 0, &fault) == SIGSEGV && fault.address == 0x48);
    CHECK(program_calls == 2);

    /* a native stack overflow, on a thread given a signal stack */
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstacksize(&attributes, 256 << 10);
    pthread_t thread;
    invisible_fault thread_fault;
    memset(&thread_fault, 0, sizeof thread_fault);
    CHECK(pthread_create(&thread, &attributes, overflow_thread, &thread_fault) == 0);
    pthread_join(thread, NULL);
    pthread_attr_destroy(&attributes);
    CHECK(thread_fault.signal == SIGSEGV);

    /* SIG_DFL before us: an unguarded fault still kills with SIGSEGV; so does a sent SIGSEGV
     * while a guard is armed */
    int status = child_status(unguarded_fault_with_default_action);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
    status = child_status(sent_signal_child);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);

    if (failures)
        fprintf(stderr, "test_faultguard: %d failures\n", failures);
    else
        printf("test_faultguard: all checks passed\n");
    return failures != 0;
}
