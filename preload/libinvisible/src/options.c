/* options.c — the INVISIBLE_* environment variables (documented in internal.h). */
#define _GNU_SOURCE
#include "internal.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

static void note_bad(invisible_options *o, const char *name, const char *value)
{
    if (o->bad_option[0])
        return;
    size_t n = 0;
    const char *parts[] = { name, "=", value };
    for (int i = 0; i < 3; i++)
        for (const char *p = parts[i]; *p && n + 1 < sizeof o->bad_option; p++)
            o->bad_option[n++] = *p;
    o->bad_option[n] = 0;
}

static int parse_yes_no(invisible_options *o, const char *name, int fallback)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return fallback;
    if (!strcmp(v, "yes") || !strcmp(v, "1") || !strcmp(v, "full") || !strcmp(v, "true"))
        return 1;
    if (!strcmp(v, "no") || !strcmp(v, "0") || !strcmp(v, "false"))
        return 0;
    note_bad(o, name, v);
    return fallback;
}

static long parse_integer(invisible_options *o, const char *name, long fallback, long low, long high)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return fallback;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < low || n > high) {
        note_bad(o, name, v);
        return fallback;
    }
    return n;
}

static void copy_string(char *out, size_t capacity, const char *name)
{
    const char *v = getenv(name);
    out[0] = 0;
    if (v && strlen(v) < capacity)
        strcpy(out, v);
}

void options_load(invisible_options *o)
{
    o->bad_option[0] = 0;
    o->depth = (int)parse_integer(o, "INVISIBLE_DEPTH", 1, 1, 64);
    o->leak_check = parse_yes_no(o, "INVISIBLE_LEAK_CHECK", 1);
    o->show_reachable = parse_yes_no(o, "INVISIBLE_SHOW_REACHABLE", 0);
    o->census = parse_yes_no(o, "INVISIBLE_CENSUS", 0);
    o->nursery = parse_yes_no(o, "INVISIBLE_NURSERY", 1);
    o->error_exitcode = (int)parse_integer(o, "INVISIBLE_ERROR_EXITCODE", 0, 0, 255);
    o->stop_signal = (int)parse_integer(o, "INVISIBLE_STOP_SIGNAL", SIGRTMAX - 3, 1, SIGRTMAX);
    copy_string(o->log_path, sizeof o->log_path, "INVISIBLE_LOG");
    copy_string(o->json_path, sizeof o->json_path, "INVISIBLE_JSON");
    copy_string(o->runtime_path, sizeof o->runtime_path, "INVISIBLE_RUNTIME");
    copy_string(o->alloc_fns, sizeof o->alloc_fns, "INVISIBLE_ALLOC_FN");
}

void options_expand_pid(const char *pattern, int pid, char *out, unsigned long capacity)
{
    size_t n = 0;
    out[0] = 0;
    for (const char *p = pattern; *p && n + 1 < capacity; p++) {
        if (p[0] == '%' && p[1] == 'p') {
            n = raw_append_u64(out, n, capacity, (uint64_t)pid);
            p++;
        } else {
            out[n++] = *p;
            out[n] = 0;
        }
    }
}
