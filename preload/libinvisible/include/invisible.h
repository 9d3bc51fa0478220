/* invisible.h — what libinvisible.so exports to programs, debuggers and the CLI (besides the
 * malloc family, which it interposes, and the loader extension in dlext.h).
 *
 * int invisible_report(const char *json_path);
 *     Write a report now: leak check and (when the runtime is available) heap census, as JSON
 *     to `json_path` ("%p" = pid; NULL = the text report only). Callable from the program or
 *     from a debugger (`call invisible_report("r.json")`). Returns 0 on success.
 *
 * int invisible_attach_start(void);
 *     Start the on-demand request listener, once per process (a fork child starts its own).
 *     Returns 0 when it was started now, 1 when it was already running, -errno on failure.
 *
 * const struct invisible_query_api *invisible_query(void);
 *     The query table (invisible/query.h) for code in the same process: DwarfPython's
 *     `process.heap` finds it with dlsym(RTLD_DEFAULT, "invisible_query") exactly when
 *     libinvisible.so is preloaded. The same table the runtime is handed.
 *
 * The request listener (src/attach.c)
 *
 * Nothing listens by default: a preloaded program gets no extra thread and no signal handler
 * until someone asks. `invisible census PID` and `invisible attach PID` ask by making
 * one thread of the target call `invisible_attach_start` through ptrace, the way a debugger
 * calls a function in its inferior; a debugger can do the same (`call invisible_attach_start()`).
 *
 * The listener is a thread blocked in accept() on the abstract unix socket "invisible-PID"
 * (no file, no network), or "invisible-PID-0xRANDOM" when another process bound that name first.
 * It accepts a peer exactly when the kernel would let that peer ptrace this process (same real,
 * effective and saved uid and gid, dumpable, no capability gap, same user namespace, Yama's
 * scope; or CAP_SYS_PTRACE), judged at every connection (src/peer_access.c). Clients check in
 * turn, before sending anything, that the listener is the target process (SO_PEERCRED pid), so
 * a squatter on the name hears nothing (preload/Invisible.Cli/Target/ListenerSocket.cs).
 *
 * Protocol: line based, one request line per command, extensible by adding commands.
 *   request:  COMMAND [ARGUMENT]\n
 *   response: zero or more "data N\n" frames each followed by N raw bytes, then exactly one
 *             status line: "ok[ TEXT]\n" or "error TEXT\n".
 *   commands: ping                  -> ok invisible PID
 *             census [JSON_PATH]    -> census text as data, JSON written to JSON_PATH (absolute)
 *             report [JSON_PATH]    -> leak check + census (like invisible_report)
 *             quit                  -> ok, connection closed
 *             python                -> the connection becomes a Python session (below) and is
 *                                      closed when the session ends
 *
 * Python session (`invisible attach PID`). The interpreter of libinvisible-runtime.so runs on
 * the listener thread, inside the process, while the program's own threads keep running (no
 * thread is stopped: what Python reads of the program's data is read without its locks, see
 * README "Attach"). One session at a time; other requests wait until it ends.
 *   client -> target, one message per line:
 *             interact               start the interactive prompt (banner, then a prompt)
 *             line TEXT              one line of input (no newline in TEXT); answers a prompt
 *             eof                    end of input (Ctrl-D): at ">>> " ends the session
 *             arg TEXT               append TEXT to sys.argv of the next exec
 *             exec N NAME            run the N bytes that follow as __main__ (file name NAME);
 *                                    the session ends with its exit status
 *             interrupt              Ctrl-C: KeyboardInterrupt in the running code at its next
 *                                    loop back-edge or call (a relay thread hands it to the
 *                                    runtime at once, see attach.c); in input() it raises
 *                                    there; at the ">>> " prompt it prints KeyboardInterrupt
 *                                    and prompts again
 *   target -> client:
 *             data N / stderr N      N bytes of the session's sys.stdout / sys.stderr
 *             prompt N               N bytes of prompt (">>> ", "... " = continuation of a
 *                                    multi-line block, or input()'s own text): the target waits
 *                                    for a `line` or `eof`
 *             ok STATUS              the session ended; STATUS 0, or 1 when the code raised,
 *                                    130 for KeyboardInterrupt (SystemExit's code otherwise, 0..255);
 *                                    sent after the program's signal dispositions are restored
 *             error TEXT             no session (runtime or interpreter unavailable)
 * Python exceptions are printed as tracebacks on the session's stderr and never leave it;
 * exit()/sys.exit() end the session, never the program.
 *
 * The fault guard (src/faultguard.c), through which the Python interpreter calls C:
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
 *
 * Tools run from inside the program (src/spawn.c; DwarfPython's header DWARF runs gcc in a target):
 *
 * invisible_spawn *invisible_spawn_start(path, argv, envp, output_fd, null_fd);
 *     Starts PATH with stdin from null_fd and stdout/stderr into output_fd, as the child of a
 *     middle process that never execs: the program gets no SIGCHLD and its wait() never sees
 *     either. NULL when it cannot start. path/argv/envp stay valid until ..._finish returns.
 * int invisible_spawn_kill(invisible_spawn *);    SIGKILL to the tool (a deadline passed).
 * int invisible_spawn_finish(invisible_spawn *);  Waits for the tool; its wait status.
 */
#ifndef INVISIBLE_H
#define INVISIBLE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define INVISIBLE_ATTACH_SOCKET_PREFIX "invisible-"

struct invisible_query_api;

int invisible_report(const char *json_path);
int invisible_attach_start(void);
const struct invisible_query_api *invisible_query(void);

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

typedef struct invisible_spawn invisible_spawn;

invisible_spawn *invisible_spawn_start(const char *path, char *const argv[], char *const envp[], int output_fd,
                                       int null_fd);
int invisible_spawn_kill(invisible_spawn *spawn);
int invisible_spawn_finish(invisible_spawn *spawn);

#ifdef __cplusplus
}
#endif
#endif
