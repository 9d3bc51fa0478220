/* invisible.h — what libinvisible.so exports to programs and debuggers (besides the malloc
 * family, which it interposes, and the loader extension in dlext.h).
 *
 * int invisible_report(const char *json_path);
 *     Write a report now: leak check and (when the runtime is available) heap census, as JSON
 *     to `json_path` ("%p" = pid; NULL = the text report only). Callable from the program or
 *     from a debugger (`call invisible_report("r.json")`). Returns 0 on success.
 *
 * The fault guard (faultguard.c), used by the Python interpreter to call C:
 *
 * int invisible_guarded_call(fn, a0, a1, a2, a3, invisible_fault *fault);
 *     Calls fn(a0, a1, a2, a3). Returns 0 when it returned; when a SIGSEGV, SIGBUS, SIGFPE or
 *     SIGILL was raised by an instruction of this thread meanwhile (not in managed code, not in
 *     a suspended region), the call is abandoned: returns the signal number, *fault describes
 *     it. Locks the abandoned code held stay held (see faultguard.c).
 * void **invisible_fault_guard_thread(void);
 *     The calling thread's innermost guard (one pointer): whoever runs managed code inside a
 *     guarded call (a callback) saves it, stores NULL, and puts it back afterwards.
 * void invisible_fault_guard_managed_code(const void *address);
 *     Faults in the object that contains `address` (the managed code) are never taken.
 * int invisible_fault_guard_prepare_thread(void);
 *     Gives the calling thread a signal stack (unless it has one) so that a native stack
 *     overflow inside a guarded call is caught too; freed when the thread ends.
 */
#ifndef INVISIBLE_H
#define INVISIBLE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

int invisible_report(const char *json_path);

typedef struct invisible_fault {
    int32_t signal;   /* SIGSEGV, SIGBUS, SIGFPE or SIGILL */
    int32_t code;     /* si_code: SEGV_MAPERR, SEGV_ACCERR, FPE_INTDIV, ... */
    uint64_t address; /* si_addr: the faulting address (SIGSEGV/SIGBUS) or instruction */
    uint64_t pc;      /* the faulting instruction */
} invisible_fault;

typedef void (*invisible_guarded_fn)(void *, void *, void *, void *);

int invisible_guarded_call(invisible_guarded_fn function, void *a0, void *a1, void *a2, void *a3,
                           invisible_fault *fault);
void **invisible_fault_guard_thread(void);
void invisible_fault_guard_managed_code(const void *address);
int invisible_fault_guard_prepare_thread(void);

#ifdef __cplusplus
}
#endif
#endif
