/* state.c — the entry's state (data only: internal.h says what each part is for). Debuggers
 * print it with `p invisible_state`; malloc-instrument's own is `instrument_state`. */
#include "internal.h"

preload_state invisible_state = {
    .options = { .depth = 1, .leak_check = 1, .nursery = 1 },
    .report_fd = 2,
    .log_fd = -1,
};
