/* state.c — malloc-instrument's state, process-wide and per thread (data only: the types and
 * what each part is for are in types.h; init.c sets it up). */
#include "internal.h"

instrument_process instrument_state = {
    .depth = 1,
};

__thread thread_state thread_tls __attribute__((tls_model(INVISIBLE_TLS_MODEL)));

/* query.h's view of the thread state: its first member, under the name the rest of
 * libinvisible.so uses. An alias, not a second variable: one TLS block, so the hooks reach all
 * of their thread state from one thread-pointer offset. */
extern __thread invisible_thread invisible_tls
    __attribute__((alias("thread_tls"), tls_model(INVISIBLE_TLS_MODEL)));
