/* lsan.c — LeakSanitizer's runtime interface (sanitizer/lsan_interface.h), with its prototypes,
 * so a program written for LSan behaves the same preloaded with us:
 *  - __lsan_disable/__lsan_enable nest per thread: blocks allocated meanwhile are never leaks;
 *  - __lsan_ignore_object: the live block holding that address is never a leak;
 *  - __lsan_register_root_region/__lsan_unregister_root_region: memory scanned as a root;
 *  - __lsan_do_leak_check: the report at exit, now, once (later calls and the exit do nothing;
 *    leaks under --error-exitcode end the process at once, as LSan's exitcode does);
 *  - __lsan_do_recoverable_leak_check: a leak report now, nonzero when leaks of the error kinds
 *    remain; as often as asked, without touching the report at exit.
 * The program's hooks (__lsan_default_options, __lsan_default_suppressions, __lsan_is_turned_off)
 * are read in options.c and suppressions.c. What LSan ends the process for (an unmatched
 * __lsan_enable, unregistering a region never registered) is said in one line here, and the
 * program goes on: a mistake in its bookkeeping must not kill it under us.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <stddef.h>

#define EXPORT __attribute__((visibility("default")))

/* __lsan_disable nesting of this thread, to catch an unmatched __lsan_enable. */
static __thread int disable_depth __attribute__((tls_model(INVISIBLE_TLS_MODEL)));

static void say(const char *what, const void *p, size_t size, int with_region)
{
    char line[256];
    size_t n = raw_append(line, 0, sizeof line, "invisible: ");
    n = raw_append(line, n, sizeof line, what);
    if (with_region) {
        n = raw_append(line, n, sizeof line, " (region at ");
        n = raw_append_hex(line, n, sizeof line, (uint64_t)(uintptr_t)p);
        n = raw_append(line, n, sizeof line, " of size ");
        n = raw_append_u64(line, n, sizeof line, (uint64_t)size);
        n = raw_append(line, n, sizeof line, ")");
    }
    n = raw_append(line, n, sizeof line, "\n");
    report_write_line(line, n);
}

EXPORT void __lsan_disable(void)
{
    disable_depth++;
    invisible_instrument_ignore_allocations(1);
}

EXPORT void __lsan_enable(void)
{
    if (disable_depth == 0) {
        say("__lsan_enable() without a matching __lsan_disable(): ignored", NULL, 0, 0);
        return;
    }
    disable_depth--;
    invisible_instrument_ignore_allocations(-1);
}

/* An address in no live block is ignored silently, as LSan does (it says so only verbosely). */
EXPORT void __lsan_ignore_object(const void *p)
{
    invisible_instrument_ignore_block((uint64_t)(uintptr_t)p);
}

EXPORT void __lsan_register_root_region(const void *p, size_t size)
{
    if (invisible_instrument_root_region((uint64_t)(uintptr_t)p, (uint64_t)size, 1) != 0)
        say("__lsan_register_root_region(): 1,024 root regions are registered already; not scanned", p, size, 1);
}

EXPORT void __lsan_unregister_root_region(const void *p, size_t size)
{
    if (invisible_instrument_root_region((uint64_t)(uintptr_t)p, (uint64_t)size, 0) != 0)
        say("__lsan_unregister_root_region(): this region has not been registered; ignored", p, size, 1);
}

EXPORT void __lsan_do_leak_check(void)
{
    entry_exit_report(1);
}

EXPORT int __lsan_do_recoverable_leak_check(void)
{
    return entry_recoverable_check();
}
