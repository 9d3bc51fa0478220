/* faultguard.c — a native fault in a call made from Python becomes a Python exception instead
 * of killing the process (gdb's `set unwindonsignal on`).
 *
 * The interpreter calls C through invisible_guarded_call(): it pushes a guard record (a
 * sigsetjmp point) on a per-thread stack, makes the call, and pops the record. A SIGSEGV,
 * SIGBUS, SIGFPE or SIGILL that the kernel raises for an instruction of this thread while the
 * innermost record is armed is answered by a siglongjmp back to that record: the call is
 * abandoned, invisible_guarded_call() returns the signal number and describes the fault.
 * Everything else goes on to the handler that was installed before ours, exactly as if ours
 * were not there.
 *
 * When C calls back into Python (a libffi closure: qsort's comparator), the managed side
 * suspends the guard for the callback's duration (invisible_fault_guard_thread() gives it the
 * thread's record stack), so a fault in managed code reaches the .NET runtime's own handler
 * (which turns a null reference into an exception) and is never unwound across managed frames.
 * As a second line, a fault whose instruction lies in the module that holds the managed code
 * is never taken either.
 *
 * What is NOT safe after such an unwind (the same caveat as gdb's): the abandoned callee's
 * frames are simply dropped. Locks it held stay held (malloc's arena lock when the fault was
 * inside malloc/free: the next allocation of a thread that needs that arena waits forever; a
 * stdio FILE lock), memory it allocated leaks, data it was updating stays half-written, and
 * cleanup handlers of C++ or pthread_cleanup_push do not run. Our own malloc hooks' per-thread
 * re-entry counter is put back. That is why the message says the call was abandoned.
 *
 * Cost: one sigsetjmp without the signal mask (no system call) and two thread-local stores per
 * call. The signal mask is restored from the handler's context only when a fault is taken.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))
#define GUARDED_SIGNALS 4
#define ALT_STACK_SIZE (256u << 10) /* the chained .NET handler may run on it, not only ours */

static const int guarded_signals[GUARDED_SIGNALS] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL };

typedef struct guard_record {
    sigjmp_buf jump;
    struct guard_record *outer;
    invisible_fault *fault;
    int in_hook; /* our malloc hooks' re-entry count when the call began */
} guard_record;

/* `top` is the innermost armed record, NULL when there is none or while a Python callback runs
 * (suspended). The managed side reads and writes it directly through
 * invisible_fault_guard_thread(), so its layout is ABI: the first field. */
typedef struct guard_thread {
    guard_record *top;
    void *alt_stack; /* the signal stack we gave this thread, if any */
} guard_thread;

static __thread guard_thread guard_tls __attribute__((tls_model(INVISIBLE_TLS_MODEL)));

/* The previous dispositions, chained to for every fault that is not ours. Written only while
 * our handler is not installed for that signal (install() saves, then installs). */
static struct sigaction previous_action[NSIG];
static _Atomic int installed;
static pthread_mutex_t install_lock = PTHREAD_MUTEX_INITIALIZER;

/* The executable range of the object holding the managed code (never unwound over). */
static uintptr_t managed_text_start, managed_text_end;

static int pc_in_managed_code(uintptr_t pc)
{
    return pc >= managed_text_start && pc < managed_text_end;
}

/* Hand the signal to whoever had it before us, as the kernel would have. Async-signal-safe. */
static void chain(int signal_number, siginfo_t *info, void *context)
{
    const struct sigaction *previous = &previous_action[signal_number];
    int from_kernel = info->si_code > 0;
    if (previous->sa_handler == SIG_DFL || previous->sa_handler == SIG_IGN) {
        /* An ignored fault cannot be ignored (the kernel kills on it too): both end the process
         * with the default action. A hardware fault re-executes its instruction on return and
         * faults again under SIG_DFL; a sent signal is raised again (it stays pending while
         * this handler runs and is delivered when it returns). */
        if (previous->sa_handler == SIG_IGN && !from_kernel)
            return;
        struct sigaction default_action;
        memset(&default_action, 0, sizeof default_action);
        default_action.sa_handler = SIG_DFL;
        sigaction(signal_number, &default_action, NULL);
        atomic_store(&installed, 0);
        if (!from_kernel)
            raise(signal_number);
        return;
    }
    if (previous->sa_flags & SA_SIGINFO)
        previous->sa_sigaction(signal_number, info, context);
    else
        previous->sa_handler(signal_number);
}

static void fault_handler(int signal_number, siginfo_t *info, void *context)
{
    guard_thread *thread = &guard_tls;
    guard_record *guard = thread->top;
    ucontext_t *uc = context;
    uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    /* Ours only when: a guard is armed on this thread (synchronous faults are delivered to the
     * thread that faulted), the kernel raised it for an instruction (si_code > 0; kill() and
     * tgkill() give SI_USER/SI_TKILL <= 0), and that instruction is not managed code. */
    if (!guard || info->si_code <= 0 || pc_in_managed_code(pc)) {
        chain(signal_number, info, context);
        return;
    }
    invisible_fault *fault = guard->fault;
    fault->signal = signal_number;
    fault->code = info->si_code;
    fault->address = (uint64_t)(uintptr_t)info->si_addr;
    fault->pc = (uint64_t)pc;
    thread->top = guard->outer;
    invisible_tls.in_hook = guard->in_hook;
    /* sigsetjmp did not save the mask (that would cost a system call per call): put back the
     * mask of the interrupted code, which unblocks this signal again. */
    pthread_sigmask(SIG_SETMASK, &uc->uc_sigmask, NULL);
    siglongjmp(guard->jump, 1);
}

/* Put our handler in front of the current disposition of each fault signal, remembering that
 * disposition. Called lazily on the first guarded call after the managed runtime is up (its
 * own handlers are then in place to be chained to), and again after report.c gave the program
 * its dispositions back at the end of an attach session (fault_guard_forget). */
static void install(void)
{
    pthread_mutex_lock(&install_lock);
    if (!atomic_load(&installed)) {
        for (int i = 0; i < GUARDED_SIGNALS; i++) {
            int s = guarded_signals[i];
            struct sigaction current;
            if (sigaction(s, NULL, &current) != 0)
                continue;
            if ((current.sa_flags & SA_SIGINFO) && current.sa_sigaction == fault_handler)
                continue;
            previous_action[s] = current;
            struct sigaction action;
            memset(&action, 0, sizeof action);
            action.sa_sigaction = fault_handler;
            action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
            sigemptyset(&action.sa_mask);
            sigaction(s, &action, NULL);
        }
        atomic_store(&installed, 1);
    }
    pthread_mutex_unlock(&install_lock);
}

void fault_guard_forget(void)
{
    atomic_store(&installed, 0);
}

EXPORT int invisible_guarded_call(invisible_guarded_fn function, void *a0, void *a1, void *a2, void *a3,
                                  invisible_fault *fault)
{
    if (!atomic_load_explicit(&installed, memory_order_relaxed))
        install();
    guard_thread *thread = &guard_tls;
    /* Nothing automatic changes between sigsetjmp and a siglongjmp back here (the record is
     * filled before, `fault` is a parameter), so nothing needs to be volatile. */
    guard_record guard;
    guard.outer = thread->top;
    guard.fault = fault;
    guard.in_hook = invisible_tls.in_hook;
    if (sigsetjmp(guard.jump, 0) != 0)
        return fault->signal; /* the handler popped the record */
    thread->top = &guard;
    function(a0, a1, a2, a3);
    thread->top = guard.outer;
    return 0;
}

EXPORT void **invisible_fault_guard_thread(void)
{
    return (void **)&guard_tls.top;
}

static int find_text(struct dl_phdr_info *info, size_t size, void *data)
{
    uintptr_t address = *(uintptr_t *)data;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *p = &info->dlpi_phdr[i];
        if (p->p_type != PT_LOAD)
            continue;
        uintptr_t start = info->dlpi_addr + p->p_vaddr;
        if (address < start || address >= start + p->p_memsz)
            continue;
        /* The object that holds it: remember its whole executable extent. */
        uintptr_t low = UINTPTR_MAX, high = 0;
        for (int j = 0; j < info->dlpi_phnum; j++) {
            const ElfW(Phdr) *q = &info->dlpi_phdr[j];
            if (q->p_type != PT_LOAD || !(q->p_flags & PF_X))
                continue;
            uintptr_t s = info->dlpi_addr + q->p_vaddr;
            if (s < low)
                low = s;
            if (s + q->p_memsz > high)
                high = s + q->p_memsz;
        }
        if (high > low) {
            managed_text_start = low;
            managed_text_end = high;
        }
        return 1;
    }
    return 0;
}

EXPORT void invisible_fault_guard_managed_code(const void *address)
{
    uintptr_t a = (uintptr_t)address;
    dl_iterate_phdr(find_text, &a);
}

/* ---- the signal stack of a thread that runs Python ---------------------------------------
 * A native stack overflow inside a guarded call raises SIGSEGV with no stack left to run a
 * handler on: the kernel then kills the process. A thread that runs the interpreter (the attach
 * listener, `invisible python`'s interpreter thread) gets a signal stack of its own, unless it
 * already has one, freed when the thread ends. */

static pthread_key_t alt_stack_key;
static pthread_once_t alt_stack_once = PTHREAD_ONCE_INIT;

static void release_alt_stack(void *stack)
{
    stack_t off;
    memset(&off, 0, sizeof off);
    off.ss_flags = SS_DISABLE;
    stack_t current;
    if (sigaltstack(NULL, &current) == 0 && current.ss_sp == stack)
        sigaltstack(&off, NULL);
    munmap(stack, ALT_STACK_SIZE);
}

static void make_alt_stack_key(void)
{
    pthread_key_create(&alt_stack_key, release_alt_stack);
}

EXPORT int invisible_fault_guard_prepare_thread(void)
{
    guard_thread *thread = &guard_tls;
    if (thread->alt_stack)
        return 1;
    stack_t current;
    if (sigaltstack(NULL, &current) != 0)
        return -errno;
    if (!(current.ss_flags & SS_DISABLE))
        return 0; /* the thread has one (the program's or the runtime's): keep it */
    void *stack = mmap(NULL, ALT_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED)
        return -errno;
    stack_t mine = { .ss_sp = stack, .ss_flags = 0, .ss_size = ALT_STACK_SIZE };
    if (sigaltstack(&mine, NULL) != 0) {
        int error = errno;
        munmap(stack, ALT_STACK_SIZE);
        return -error;
    }
    thread->alt_stack = stack;
    pthread_once(&alt_stack_once, make_alt_stack_key);
    pthread_setspecific(alt_stack_key, stack);
    return 1;
}
