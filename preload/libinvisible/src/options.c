/* options.c — the INVISIBLE_* environment variables (documented in internal.h).
 *
 * Every malformed setting is noted (not only the first), each with the reason, and the
 * constructor prints them all once: a setting that silently does nothing is worse than one that
 * is refused. A path too long for our fixed buffers is malformed too (it is never truncated:
 * a truncated JSON path would write the report somewhere else).
 */
#define _GNU_SOURCE
#include "internal.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define SHOWN_VALUE_BYTES 48

/* One line "invisible: ignoring malformed setting NAME=VALUE: WHY\n" appended to the problems;
 * a long value is shown by its beginning and its length. */
static void note_bad(invisible_options *o, const char *name, const char *value, const char *why)
{
    char line[256];
    size_t n = raw_append(line, 0, sizeof line, "invisible: ignoring malformed setting ");
    n = raw_append(line, n, sizeof line, name);
    n = raw_append(line, n, sizeof line, "=");
    size_t length = strlen(value);
    if (length <= SHOWN_VALUE_BYTES) {
        n = raw_append(line, n, sizeof line, value);
    } else {
        for (size_t i = 0; i < SHOWN_VALUE_BYTES && n + 1 < sizeof line; i++)
            line[n++] = value[i];
        line[n] = 0;
        n = raw_append(line, n, sizeof line, "... (");
        n = raw_append_u64(line, n, sizeof line, length);
        n = raw_append(line, n, sizeof line, " bytes)");
    }
    n = raw_append(line, n, sizeof line, ": ");
    n = raw_append(line, n, sizeof line, why);
    n = raw_append(line, n, sizeof line, "\n");
    size_t used = strlen(o->problems);
    if (used + n < sizeof o->problems)
        memcpy(o->problems + used, line, n + 1);
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
    note_bad(o, name, v, "expected yes or no");
    return fallback;
}

/* The decimal value of `v` in [low, high], or `fallback` with the problem noted. */
static long parse_integer(invisible_options *o, const char *name, long fallback, long low, long high,
                          const char *why)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return fallback;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < low || n > high) {
        note_bad(o, name, v, why);
        return fallback;
    }
    return n;
}

/* Signals a thread can take for a scan without changing what the program sees: the user and
 * real-time signals. Not SIGKILL/SIGSTOP (uncatchable: 9 would kill the program at its first
 * scan), not fault or job-control signals the program or the terminal give meaning to. */
int options_stop_signal_usable(long signal_number)
{
    return signal_number == SIGUSR1 || signal_number == SIGUSR2 ||
           (signal_number >= SIGRTMIN && signal_number <= SIGRTMAX);
}

static int parse_stop_signal(invisible_options *o)
{
    long fallback = SIGRTMAX - 3;
    const char *v = getenv("INVISIBLE_STOP_SIGNAL");
    long n = parse_integer(o, "INVISIBLE_STOP_SIGNAL", fallback, 1, SIGRTMAX,
                           "not a signal number");
    if (v && *v && n != fallback && !options_stop_signal_usable(n)) {
        note_bad(o, "INVISIBLE_STOP_SIGNAL", v,
                 "not a signal we may use (SIGUSR1 10, SIGUSR2 12 or SIGRTMIN..SIGRTMAX 34..64)");
        return (int)fallback;
    }
    return (int)n;
}

/* Copy a path-like setting; a value that does not fit is refused, never truncated. Returns 1
 * when the value was set but refused. */
static int copy_string(invisible_options *o, char *out, size_t capacity, const char *name)
{
    const char *v = getenv(name);
    out[0] = 0;
    if (!v)
        return 0;
    size_t length = strlen(v);
    if (length < capacity) {
        memcpy(out, v, length + 1);
        return 0;
    }
    char why[96];
    size_t n = raw_append(why, 0, sizeof why, "longer than ");
    n = raw_append_u64(why, n, sizeof why, capacity - 1);
    raw_append(why, n, sizeof why, " bytes");
    note_bad(o, name, v, why);
    return 1;
}

int options_leak_kinds(const char *list, unsigned *mask)
{
    *mask = 0;
    if (!strcmp(list, "all")) {
        *mask = INVISIBLE_SUPPRESSION_ALL_KINDS;
        return 0;
    }
    if (!strcmp(list, "none"))
        return 0;
    static const char *const names[] = { "reachable", "definite", "indirect", "possible" };
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        int known = 0;
        for (unsigned k = 0; k < 4; k++) {
            if (strlen(names[k]) == n && !strncmp(p, names[k], n)) {
                *mask |= 1u << k;
                known = 1;
            }
        }
        if (!known)
            return -1;
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

static unsigned parse_leak_kinds(invisible_options *o, const char *name, unsigned fallback)
{
    const char *v = getenv(name);
    unsigned mask;
    if (!v || !*v)
        return fallback;
    if (options_leak_kinds(v, &mask) == 0)
        return mask;
    note_bad(o, name, v, "expected definite, indirect, possible, reachable (comma-separated), all or none");
    return fallback;
}

static int parse_color(invisible_options *o)
{
    const char *v = getenv("INVISIBLE_COLOR");
    if (!v || !*v || !strcmp(v, "auto"))
        return 2;
    if (!strcmp(v, "always"))
        return 1;
    if (!strcmp(v, "never"))
        return 0;
    note_bad(o, "INVISIBLE_COLOR", v, "expected auto, always or never");
    return 2;
}

static int parse_gen_suppressions(invisible_options *o)
{
    const char *v = getenv("INVISIBLE_GEN_SUPPRESSIONS");
    if (!v || !*v || !strcmp(v, "no"))
        return 0;
    if (!strcmp(v, "yes") || !strcmp(v, "all"))
        return 1;
    note_bad(o, "INVISIBLE_GEN_SUPPRESSIONS", v, "expected yes, all or no");
    return 0;
}

void options_load(invisible_options *o)
{
    o->problems[0] = 0;
    o->depth = (int)parse_integer(o, "INVISIBLE_DEPTH", 1, 1, 64, "expected a depth in 1..64");
    o->leak_check = parse_yes_no(o, "INVISIBLE_LEAK_CHECK", 1);
    o->show_reachable = parse_yes_no(o, "INVISIBLE_SHOW_REACHABLE", 0);
    o->census = parse_yes_no(o, "INVISIBLE_CENSUS", 0);
    o->nursery = parse_yes_no(o, "INVISIBLE_NURSERY", 1);
    o->profile = parse_yes_no(o, "INVISIBLE_PROFILE", 0);
    o->snapshot_every = (int)parse_integer(o, "INVISIBLE_SNAPSHOT_EVERY", 0, 1, 86400,
                                           "expected a number of seconds in 1..86400");
    o->error_exitcode = (int)parse_integer(o, "INVISIBLE_ERROR_EXITCODE", 0, 0, 255,
                                           "expected an exit status in 0..255");
    o->stop_signal = parse_stop_signal(o);
    o->free_history = (int)parse_integer(o, "INVISIBLE_FREE_HISTORY", 8192, 0, 1 << 20,
                                         "expected a number of frees in 0..1048576");
    copy_string(o, o->log_path, sizeof o->log_path, "INVISIBLE_LOG");
    o->json_refused = copy_string(o, o->json_path, sizeof o->json_path, "INVISIBLE_JSON");
    copy_string(o, o->runtime_path, sizeof o->runtime_path, "INVISIBLE_RUNTIME");
    copy_string(o, o->alloc_fns, sizeof o->alloc_fns, "INVISIBLE_ALLOC_FN");
    copy_string(o, o->suppressions, sizeof o->suppressions, "INVISIBLE_SUPPRESSIONS");
    o->lsan_suppressions[0] = 0;
    unsigned listed = (1u << INVISIBLE_DEFINITELY_LOST) | (1u << INVISIBLE_INDIRECTLY_LOST) |
                      (1u << INVISIBLE_POSSIBLY_LOST) | (o->show_reachable ? 1u << INVISIBLE_STILL_REACHABLE : 0);
    o->show_kinds = parse_leak_kinds(o, "INVISIBLE_SHOW_LEAK_KINDS", listed);
    o->show_reachable = (o->show_kinds >> INVISIBLE_STILL_REACHABLE) & 1;
    o->error_kinds = parse_leak_kinds(o, "INVISIBLE_ERRORS_FOR_LEAK_KINDS",
                                      (1u << INVISIBLE_DEFINITELY_LOST) | (1u << INVISIBLE_POSSIBLY_LOST));
    o->gen_suppressions = parse_gen_suppressions(o);
    o->quiet = parse_yes_no(o, "INVISIBLE_QUIET", 0);
    o->color = parse_color(o);
}

int options_expand_pid(const char *pattern, int pid, char *out, unsigned long capacity)
{
    size_t n = 0;
    out[0] = 0;
    for (const char *p = pattern; *p; p++) {
        if (n + 1 >= capacity)
            return -1;
        if (p[0] == '%' && p[1] == 'p') {
            char digits[24];
            size_t d = raw_append_u64(digits, 0, sizeof digits, (uint64_t)pid);
            if (n + d + 1 > capacity)
                return -1;
            n = raw_append(out, n, capacity, digits);
            p++;
        } else {
            out[n++] = *p;
            out[n] = 0;
        }
    }
    return 0;
}

/* ---- LeakSanitizer's settings ---- */

static int is_flag_separator(char c)
{
    return c == ' ' || c == ',' || c == ':' || c == '\n' || c == '\t' || c == '\r';
}

/* The value of `key` in a sanitizer flag string ("a=1:b='x y',c=2", the sanitizers' separators and
 * quotes), the last one given; 1 when found (copied into `out`, refused when too long: 0). */
static int sanitizer_flag(const char *text, const char *key, char *out, size_t capacity)
{
    int found = 0;
    size_t key_length = strlen(key);
    const char *p = text;
    while (*p) {
        while (*p && is_flag_separator(*p))
            p++;
        const char *name = p;
        while (*p && *p != '=' && !is_flag_separator(*p))
            p++;
        size_t name_length = (size_t)(p - name);
        if (*p != '=')
            continue;
        p++;
        char quote = (*p == '\'' || *p == '"') ? *p++ : 0;
        const char *value = p;
        while (*p && (quote ? *p != quote : !is_flag_separator(*p)))
            p++;
        size_t value_length = (size_t)(p - value);
        if (quote && *p)
            p++;
        if (name_length == key_length && !strncmp(name, key, key_length)) {
            found = value_length < capacity;
            if (found) {
                memcpy(out, value, value_length);
                out[value_length] = 0;
            }
        }
    }
    return found;
}

typedef const char *(*lsan_text_hook)(void);
typedef int (*lsan_int_hook)(void);

/* Looked up once, in the constructor (options_load_lsan), without dlsym: dlsym of an undefined name
 * allocates its error string, which changes the program's heap (see invisible_find_global_symbol). */
static lsan_int_hook is_turned_off_hook;


void options_load_lsan(invisible_options *o)
{
    char value[INVISIBLE_PATH_CAPACITY];
    lsan_text_hook hook = (lsan_text_hook)invisible_find_global_symbol("__lsan_default_options");
    const char *given = hook ? hook() : NULL;
    if (given) {
        if (!getenv("INVISIBLE_LEAK_CHECK") && sanitizer_flag(given, "detect_leaks", value, sizeof value))
            o->leak_check = strcmp(value, "0") && strcmp(value, "false") && strcmp(value, "no");
        if (!getenv("INVISIBLE_ERROR_EXITCODE") && sanitizer_flag(given, "exitcode", value, sizeof value)) {
            char *end;
            long code = strtol(value, &end, 10);
            if (!*end && code >= 0 && code <= 255)
                o->error_exitcode = (int)code;
            else
                note_bad(o, "__lsan_default_options() exitcode", value, "expected an exit status in 0..255");
        }
        if (sanitizer_flag(given, "suppressions", value, sizeof value))
            memcpy(o->lsan_suppressions, value, strlen(value) + 1);
    }
    is_turned_off_hook = (lsan_int_hook)invisible_find_global_symbol("__lsan_is_turned_off");
    const char *environment = getenv("LSAN_OPTIONS");
    if (environment && sanitizer_flag(environment, "suppressions", value, sizeof value))
        memcpy(o->lsan_suppressions, value, strlen(value) + 1);
}

int options_lsan_turned_off(void)
{
    return is_turned_off_hook && is_turned_off_hook() != 0;
}
