/* attach.h — the on-demand request listener of a preloaded process.
 *
 * Nothing listens by default: a preloaded program gets no extra thread and no signal handler
 * until someone asks. `invisible census PID` (and later `invisible attach PID`) asks by making
 * one thread of the target call `invisible_attach_start` through ptrace, the way a debugger
 * calls a function in its inferior; a debugger can do the same (`call invisible_attach_start()`).
 *
 * The listener is a thread blocked in accept() on the abstract unix socket "invisible-PID"
 * (no file, no network). It accepts only peers of the same uid (SO_PEERCRED).
 *
 * Protocol: line based, one request line per command, extensible by adding commands.
 *   request:  COMMAND [ARGUMENT]\n
 *   response: zero or more "data N\n" frames each followed by N raw bytes, then exactly one
 *             status line: "ok[ TEXT]\n" or "error TEXT\n".
 *   commands: ping                  -> ok invisible PID
 *             census [JSON_PATH]    -> census text as data, JSON written to JSON_PATH (absolute)
 *             report [JSON_PATH]    -> leak check + census (like invisible_report)
 *             quit                  -> ok, connection closed
 */
#ifndef INVISIBLE_ATTACH_H
#define INVISIBLE_ATTACH_H

#define INVISIBLE_ATTACH_SOCKET_PREFIX "invisible-"

/* Start the listener once per process (a fork child starts its own). Returns 0 when it was
 * started now, 1 when it was already running, -errno on failure. Exported (default
 * visibility) so that the CLI and debuggers can call it. */
int invisible_attach_start(void);

#endif
