/* peer_access.h — may the process at the other end of a unix socket control this one?
 *
 * The attach listener runs code on request, in this process, with this process's credentials: a
 * connection is as powerful as ptrace(2). So a peer is accepted exactly when the kernel would let
 * it ptrace-attach to us (ptrace_may_access with PTRACE_MODE_ATTACH_REALCREDS, the commoncap
 * capability rule and Yama's scope), judged afresh at every connection because this process may
 * have changed its credentials since the listener started (a root service that switched to
 * setresuid(U, U, 0) must not accept U).
 */
#ifndef INVISIBLE_PEER_ACCESS_H
#define INVISIBLE_PEER_ACCESS_H

#include <stddef.h>

/* 1 when the peer of the connected socket `fd` may attach to us, 0 when not; then `why` holds
 * a one-line reason (no newline) for the peer. Allocates nothing (runs on the listener thread
 * between requests, where our allocations must not show up in the program's heap). */
int peer_may_attach(int fd, char *why, size_t why_size);

#endif
