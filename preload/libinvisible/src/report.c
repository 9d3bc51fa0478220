/* report.c — a report request and where its text goes, the report files, and the reports
 * written without libinvisible-runtime.so:
 *  - when there is nothing to symbolize (no loss record to show, no census, no JSON): the
 *    summary, exactly as the runtime would print it, so a short-lived process never pays for
 *    loading the runtime;
 *  - when the runtime cannot be loaded: the plain report (dladdr symbols, the same JSON schema
 *    with "symbolizer": "dladdr"), so that a report is never lost.
 * A JSON file is written whole or not at all: to a temporary name beside it, renamed over the
 * destination only once every byte is written; any failure (no space, no descriptor left, no
 * such directory) is said on the report descriptor and counts for --error-exitcode.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h> /* rename */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINE_CAPACITY 2048
#define JSON_BUFFER 8192

/* The --log file cannot be opened: the report goes to stderr instead, and says so. */
static void log_failed(int fd, const char *path, int error)
{
    char line[LINE_CAPACITY];
    size_t n = raw_append(line, 0, sizeof line, "invisible: cannot open the log file ");
    n = raw_append(line, n, sizeof line, path);
    n = raw_append(line, n, sizeof line, ": ");
    n = raw_append(line, n, sizeof line, raw_error_text(error));
    n = raw_append(line, n, sizeof line, "; the report follows here\n");
    raw_write_all(fd, line, n);
    invisible_state.report_failed = error;
}

/* Opened for each report and closed after it (see descriptors.c: no descriptor of ours stays
 * open while the program runs). A fork child expands "%p" to its own pid, so it gets its own
 * file. */
int report_destination_open(void)
{
    const char *pattern = invisible_state.options.log_path;
    if (!pattern[0])
        return descriptors_report_stderr();
    char path[INVISIBLE_PATH_CAPACITY];
    int too_long = options_expand_pid(pattern, (int)getpid(), path, sizeof path) != 0;
    int fd = too_long ? -1 : open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0)
        return fd;
    int error = too_long ? ENAMETOOLONG : errno;
    fd = descriptors_report_stderr();
    log_failed(fd, too_long ? pattern : path, error);
    return fd;
}

void report_destination_close(int fd)
{
    if (fd != 2 && fd != descriptors_report_stderr())
        close(fd);
}

void report_say_degraded(int fd)
{
    const char *degraded = invisible_instrument_degraded();
    if (!degraded)
        return;
    char line[320];
    size_t n = raw_append(line, 0, sizeof line, "invisible: ");
    n = raw_append(line, n, sizeof line, degraded);
    n = raw_append(line, n, sizeof line, "\n");
    raw_write_all(fd, line, n);
}

void report_write_line(const char *text, size_t length)
{
    int fd = report_destination_open();
    raw_write_all(fd, text, length);
    report_destination_close(fd);
}

/* The program's argv, space-joined, from the array the constructor received (the strings the
 * kernel put on the initial stack, as /proc/self/cmdline shows them, changes by the program
 * included). Not /proc/self/cmdline itself: reading it needs a free descriptor (a program may
 * have used them all) and it is empty once the main thread has left through pthread_exit. */
static const char *command_line(void)
{
    preload_state *r = &invisible_state;
    size_t length = 0;
    for (char *const *arg = r->argv; arg && *arg; arg++) {
        if (arg != r->argv)
            length = raw_append(r->command, length, sizeof r->command, " ");
        length = raw_append(r->command, length, sizeof r->command, *arg);
    }
    r->command[length] = 0;
    return r->command;
}

#define ALLOC_FN_CAPACITY 64

/* INVISIBLE_ALLOC_FN split at commas into a NULL-terminated list (split once: the option never
 * changes after start-up, and the strings must outlive the request). */
static const char *const *alloc_fn_list(void)
{
    static char names[INVISIBLE_PATH_CAPACITY];
    static const char *list[ALLOC_FN_CAPACITY + 1];
    static int split;
    if (split)
        return list;
    split = 1;
    raw_append(names, 0, sizeof names, invisible_state.options.alloc_fns);
    int count = 0;
    char *p = names;
    while (*p && count < ALLOC_FN_CAPACITY) {
        while (*p == ',' || *p == ' ')
            *p++ = 0;
        if (!*p)
            break;
        list[count++] = p;
        while (*p && *p != ',' && *p != ' ')
            p++;
    }
    list[count] = NULL;
    return list;
}

/* --color: always, or auto when the report's destination is a terminal and the user did not ask for none
 * (NO_COLOR set, TERM=dumb). */
static int colors_wanted(int fd)
{
    int color = invisible_state.options.color;
    if (color != 2)
        return color;
    const char *term = getenv("TERM");
    const char *no_color = getenv("NO_COLOR");
    return isatty(fd) && !(no_color && *no_color) && !(term && !strcmp(term, "dumb"));
}

void report_prepare_request(invisible_report_request *request, const invisible_leak_summary *leaks,
                            const char *json_path, unsigned flags)
{
    memset(request, 0, sizeof *request);
    request->struct_size = sizeof *request;
    /* Every report of a profiled process carries its profile (at exit, invisible_report, a
     * snapshot through the listener). */
    if (invisible_state.options.profile)
        flags |= INVISIBLE_REPORT_PROFILE;
    request->flags = flags;
    request->report_fd = invisible_state.report_fd;
    request->pid = (int32_t)getpid();
    request->command = command_line();
    request->json_path = json_path;
    request->leaks = leaks;
    request->alloc_fns = alloc_fn_list();
    request->suppressions = suppressions_wire();
    request->show_kinds = invisible_state.options.show_kinds;
    if (flags & INVISIBLE_REPORT_SHOW_REACHABLE)
        request->show_kinds |= 1u << INVISIBLE_STILL_REACHABLE;
    if ((request->show_kinds >> INVISIBLE_STILL_REACHABLE) & 1)
        request->flags |= INVISIBLE_REPORT_SHOW_REACHABLE;
    request->gen_suppressions = (uint32_t)invisible_state.options.gen_suppressions;
    if (invisible_state.options.quiet)
        request->flags |= INVISIBLE_REPORT_QUIET;
    if (colors_wanted(request->report_fd))
        request->flags |= INVISIBLE_REPORT_COLOR;
    if (!invisible_state.options.quiet && request->report_fd == 2 && isatty(2))
        request->flags |= INVISIBLE_REPORT_PROGRESS;
}

/* ---- the report files: whole or not at all ---- */

/* A JSON file being written: buffered, every failure remembered (the first errno). */
typedef struct json_out {
    int fd;
    int error;
    size_t length;
    char buffer[JSON_BUFFER];
} json_out;

static void out_flush(json_out *o)
{
    if (o->length && !o->error)
        o->error = raw_write_checked(o->fd, o->buffer, o->length);
    o->length = 0;
}

static void out_bytes(json_out *o, const char *bytes, size_t length)
{
    if (o->length + length > sizeof o->buffer)
        out_flush(o);
    if (length > sizeof o->buffer) {
        if (!o->error)
            o->error = raw_write_checked(o->fd, bytes, length);
        return;
    }
    memcpy(o->buffer + o->length, bytes, length);
    o->length += length;
}

static void out_text(json_out *o, const char *text) { out_bytes(o, text, strlen(text)); }

static void out_u64(json_out *o, uint64_t value)
{
    char digits[24];
    out_bytes(o, digits, raw_append_u64(digits, 0, sizeof digits, value));
}

/* Length of the well-formed UTF-8 sequence at `p` (1..4), or 0 when it is not one (a stray
 * continuation byte, an overlong form, a surrogate, past U+10FFFF, cut short). */
static size_t utf8_sequence(const unsigned char *p)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    size_t length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
    if (!length || c > 0xf4 || c == 0xc0 || c == 0xc1)
        return 0;
    for (size_t i = 1; i < length; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0) || /* overlong, surrogate */
        (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90))   /* overlong, > U+10FFFF */
        return 0;
    return length;
}

/* A JSON string: quotes, backslashes and control characters escaped; bytes that are not UTF-8
 * (a path or an argument can hold any byte) become U+FFFD, as the runtime's decoder makes them,
 * so the file is always valid JSON. NULL is null. */
static void out_string(json_out *o, const char *text)
{
    if (!text) {
        out_text(o, "null");
        return;
    }
    static const char hex[] = "0123456789abcdef";
    out_text(o, "\"");
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        size_t length = utf8_sequence(p);
        if (*p == '"' || *p == '\\') {
            char escaped[2] = { '\\', (char)*p };
            out_bytes(o, escaped, 2);
        } else if (*p < 0x20 || *p == 0x7f) {
            char escaped[6] = { '\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15] };
            out_bytes(o, escaped, 6);
        } else if (length) {
            out_bytes(o, (const char *)p, length);
            p += length;
            continue;
        } else {
            out_text(o, "\\ufffd");
        }
        p++;
    }
    out_text(o, "\"");
}

/* PATH.PID.tmp beside PATH: the same directory, so the rename cannot cross file systems, and
 * per process, so forked children writing the same PATH do not share it. */
static int temporary_name(const char *path, char *out, size_t capacity)
{
    size_t n = raw_append(out, 0, capacity, path);
    n = raw_append(out, n, capacity, ".");
    n = raw_append_u64(out, n, capacity, (uint64_t)getpid());
    n = raw_append(out, n, capacity, ".tmp");
    return n + 1 < capacity ? 0 : -1;
}

/* Open the temporary file for `path`: the descriptor, or -1 with errno set. */
static int file_begin(const char *path, char *temporary, size_t capacity)
{
    if (temporary_name(path, temporary, capacity) != 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

/* Close, then rename over `path` when everything was written; otherwise remove it. Returns 0 or
 * the errno of the first failure. */
static int file_finish(int fd, int error, const char *temporary, const char *path)
{
    if (close(fd) != 0 && !error)
        error = errno; /* NFS and some quota setups say ENOSPC only here */
    if (!error && rename(temporary, path) != 0)
        error = errno;
    if (error)
        unlink(temporary);
    return error;
}

void report_json_failed(int fd, const char *path, int error)
{
    char line[LINE_CAPACITY];
    size_t n = raw_append(line, 0, sizeof line, "invisible: cannot write the JSON report to ");
    n = raw_append(line, n, sizeof line, path);
    n = raw_append(line, n, sizeof line, ": ");
    n = raw_append(line, n, sizeof line, raw_error_text(error));
    n = raw_append(line, n, sizeof line, "\n");
    raw_write_all(fd, line, n);
    invisible_state.report_failed = error;
}

/* ---- the text reports written here ---- */

static const char *kind_name(uint32_t kind)
{
    static const char *const names[] = { "still reachable", "definitely lost", "indirectly lost",
                                         "possibly lost" };
    return kind < 4 ? names[kind] : "unknown";
}

/* --color: the kind of a loss record, coloured as TextReportWriter colours it. */
static const char *kind_color(uint32_t kind)
{
    static const char *const colors[] = { "\033[32m", "\033[1;31m", "\033[31m", "\033[35m" };
    return kind < 4 ? colors[kind] : "";
}

static const char *kind_key(uint32_t kind)
{
    static const char *const keys[] = { "still_reachable", "definitely_lost", "indirectly_lost",
                                        "possibly_lost" };
    return kind < 4 ? keys[kind] : "unknown";
}

static size_t prefix(char *line, int pid)
{
    size_t n = raw_append(line, 0, LINE_CAPACITY, "==");
    n = raw_append_u64(line, n, LINE_CAPACITY, (uint64_t)pid);
    return raw_append(line, n, LINE_CAPACITY, "== ");
}

static void emit(int fd, char *line, size_t n)
{
    n = raw_append(line, n, LINE_CAPACITY, "\n");
    raw_write_all(fd, line, n);
}

static size_t append_frame(char *line, size_t n, uint64_t pc)
{
    Dl_info info;
    n = raw_append_hex(line, n, LINE_CAPACITY, pc);
    n = raw_append(line, n, LINE_CAPACITY, ": ");
    if (dladdr((void *)(uintptr_t)(pc - 1), &info)) {
        n = raw_append(line, n, LINE_CAPACITY, info.dli_sname ? info.dli_sname : "???");
        n = raw_append(line, n, LINE_CAPACITY, " (in ");
        n = raw_append(line, n, LINE_CAPACITY, info.dli_fname ? info.dli_fname : "?");
        n = raw_append(line, n, LINE_CAPACITY, ")");
    } else {
        n = raw_append(line, n, LINE_CAPACITY, "???");
    }
    return n;
}

static size_t append_count_line(char *line, size_t n, uint64_t bytes, uint64_t blocks)
{
    n = raw_append_u64_grouped(line, n, LINE_CAPACITY, bytes);
    n = raw_append(line, n, LINE_CAPACITY, " bytes in ");
    n = raw_append_u64_grouped(line, n, LINE_CAPACITY, blocks);
    return raw_append(line, n, LINE_CAPACITY, " blocks");
}

static int record_suppressed(const invisible_report_request *request, uint64_t index)
{
    return request->suppressions && request->suppressed_by && request->suppressed_by[index];
}

static int record_shown(const invisible_report_request *request, uint64_t index)
{
    const invisible_leak_record *rec = &request->leaks->records[index];
    return ((request->show_kinds >> rec->kind) & 1) && !record_suppressed(request, index);
}

/* Append one report line ("==PID== " + `body` + newline) to `text`. */
static size_t add_line(char *text, size_t length, size_t capacity, int pid, const char *body)
{
    char line[LINE_CAPACITY];
    size_t n = raw_append(line, prefix(line, pid), sizeof line, body);
    n = raw_append(line, n, sizeof line, "\n");
    return raw_append(text, length, capacity, line);
}

/* The totals a report prints: the check's, less the suppressed records (valgrind's LEAK SUMMARY
 * counts those apart, on a "suppressed:" line). */
typedef struct leak_totals {
    uint64_t blocks[INVISIBLE_LEAK_KINDS], bytes[INVISIBLE_LEAK_KINDS];
    uint64_t suppressed_blocks, suppressed_bytes;
    int with_suppressions;
} leak_totals;

static void totals_of(const invisible_report_request *request, leak_totals *t)
{
    const invisible_leak_summary *leaks = request->leaks;
    memset(t, 0, sizeof *t);
    memcpy(t->blocks, leaks->blocks, sizeof t->blocks);
    memcpy(t->bytes, leaks->bytes, sizeof t->bytes);
    t->with_suppressions = request->suppressions != NULL;
    for (uint64_t i = 0; i < leaks->record_count; i++) {
        if (!record_suppressed(request, i))
            continue;
        const invisible_leak_record *rec = &leaks->records[i];
        t->blocks[rec->kind] -= rec->blocks;
        t->bytes[rec->kind] -= rec->bytes;
        t->suppressed_blocks += rec->blocks;
        t->suppressed_bytes += rec->bytes;
    }
}

/* "LEAK SUMMARY:" and its four lines (and "suppressed:" when suppressions are in use), as the
 * runtime's TextReportWriter prints them, appended to `text`. */
static size_t summary_lines(char *text, size_t length, size_t capacity, int pid, const leak_totals *t)
{
    length = add_line(text, length, capacity, pid, "");
    length = add_line(text, length, capacity, pid, "LEAK SUMMARY:");
    static const uint32_t order[] = { INVISIBLE_DEFINITELY_LOST, INVISIBLE_INDIRECTLY_LOST,
                                      INVISIBLE_POSSIBLY_LOST, INVISIBLE_STILL_REACHABLE };
    static const char *const labels[] = { "   definitely lost: ", "   indirectly lost: ",
                                          "     possibly lost: ", "   still reachable: " };
    char body[LINE_CAPACITY];
    for (int k = 0; k < 4; k++) {
        size_t n = raw_append(body, 0, sizeof body, labels[k]);
        append_count_line(body, n, t->bytes[order[k]], t->blocks[order[k]]);
        length = add_line(text, length, capacity, pid, body);
    }
    if (t->with_suppressions) {
        size_t n = raw_append(body, 0, sizeof body, "        suppressed: ");
        append_count_line(body, n, t->suppressed_bytes, t->suppressed_blocks);
        length = add_line(text, length, capacity, pid, body);
    }
    return length;
}

/* Milliseconds with one decimal, from nanoseconds (the runtime's "0.0" format). */
static size_t append_milliseconds(char *line, size_t n, uint64_t nanoseconds)
{
    uint64_t tenths = (nanoseconds + 50000) / 100000;
    n = raw_append_u64(line, n, LINE_CAPACITY, tenths / 10);
    n = raw_append(line, n, LINE_CAPACITY, ".");
    return raw_append_u64(line, n, LINE_CAPACITY, tenths % 10);
}

int report_without_symbols(const invisible_report_request *request)
{
    const invisible_leak_summary *leaks = request->leaks;
    if (!leaks || request->json_path || (request->flags & (INVISIBLE_REPORT_CENSUS | INVISIBLE_REPORT_PROFILE)) ||
        !(request->flags & INVISIBLE_REPORT_LEAKS))
        return -1;
    /* Suppressions are matched on symbolized traces: any record may be one's. */
    if (request->suppressions && leaks->record_count)
        return -1;
    for (uint64_t i = 0; i < leaks->record_count; i++)
        if (record_shown(request, i))
            return -1;
    if (request->flags & INVISIBLE_REPORT_QUIET)
        return 0; /* --quiet: nothing when no record is listed */
    /* Built whole, written with one system call. */
    int pid = request->pid;
    char text[4 * LINE_CAPACITY], body[LINE_CAPACITY];
    size_t n = raw_append(body, 0, sizeof body, "Invisible leak report for ");
    raw_append(body, n, sizeof body, request->command);
    size_t length = add_line(text, 0, sizeof text, pid, body);
    leak_totals totals;
    totals_of(request, &totals);
    length = summary_lines(text, length, sizeof text, pid, &totals);
    if (!((request->show_kinds >> INVISIBLE_STILL_REACHABLE) & 1) && leaks->blocks[INVISIBLE_STILL_REACHABLE] > 0)
        length = add_line(text, length, sizeof text, pid,
                          "Reachable blocks are not shown; to see them, rerun with: --show-reachable=yes");
    n = raw_append(body, 0, sizeof body, "Scan: ");
    n = raw_append_u64_grouped(body, n, sizeof body, leaks->scanned_root_bytes);
    n = raw_append(body, n, sizeof body, " bytes of roots, ");
    n = raw_append_u64(body, n, sizeof body, leaks->threads_stopped);
    n = raw_append(body, n, sizeof body, " other threads stopped, ");
    n = append_milliseconds(body, n, leaks->scan_nanoseconds);
    raw_append(body, n, sizeof body, " ms");
    length = add_line(text, length, sizeof text, pid, body);
    raw_write_all(request->report_fd, text, length);
    return 0;
}

/* valgrind's --gen-suppressions block for one record, unprefixed as valgrind prints it: frames by
 * their dladdr names, or their object when unnamed. */
static void plain_suppression_block(int fd, const invisible_leak_record *rec, const uint64_t *pcs, int depth)
{
    static const char *const kinds[] = { "reachable", "definite", "indirect", "possible" };
    char line[LINE_CAPACITY];
    size_t n = raw_append(line, 0, sizeof line, "{\n   <insert_a_suppression_name_here>\n   Memcheck:Leak\n"
                                                "   match-leak-kinds: ");
    n = raw_append(line, n, sizeof line, rec->kind < 4 ? kinds[rec->kind] : "definite");
    n = raw_append(line, n, sizeof line, "\n");
    raw_write_all(fd, line, n);
    for (int f = 0; f < depth; f++) {
        Dl_info info;
        int known = dladdr((void *)(uintptr_t)(pcs[f] - 1), &info);
        if (known && info.dli_sname) {
            n = raw_append(line, 0, sizeof line, "   fun:");
            n = raw_append(line, n, sizeof line, info.dli_sname);
        } else {
            n = raw_append(line, 0, sizeof line, "   obj:");
            n = raw_append(line, n, sizeof line, known && info.dli_fname ? info.dli_fname : "*");
        }
        n = raw_append(line, n, sizeof line, "\n");
        raw_write_all(fd, line, n);
    }
    raw_write_all(fd, "}\n", 2);
}

/* LSan's "Suppressions used:" table (count = blocks, as its hit count of objects), for the
 * suppressions that matched at least one record. */
/* Blocks and bytes of the leak records that suppression number `entry` (1-based) took. */
static void suppression_totals(const invisible_report_request *request, const invisible_leak_summary *leaks,
                               uint32_t entry, uint64_t *blocks, uint64_t *bytes)
{
    *blocks = *bytes = 0;
    for (uint64_t i = 0; i < leaks->record_count; i++) {
        if (request->suppressed_by[i] == entry) {
            *blocks += leaks->records[i].blocks;
            *bytes += leaks->records[i].bytes;
        }
    }
}

static void plain_suppressions_used(const invisible_report_request *request)
{
    const invisible_leak_summary *leaks = request->leaks;
    int fd = request->report_fd, pid = request->pid, header = 0;
    char line[LINE_CAPACITY], name[LINE_CAPACITY];
    for (uint32_t e = 1;; e++) {
        if (!suppressions_name(e - 1, name, sizeof name))
            break;
        uint64_t blocks, bytes;
        suppression_totals(request, leaks, e, &blocks, &bytes);
        if (!blocks)
            continue;
        if (!header) {
            header = 1;
            emit(fd, line, raw_append(line, prefix(line, pid), sizeof line, "Suppressions used:"));
            emit(fd, line, raw_append(line, prefix(line, pid), sizeof line, "  count      bytes template"));
        }
        size_t n = prefix(line, pid);
        char digits[24];
        size_t d = raw_append_u64(digits, 0, sizeof digits, blocks);
        for (size_t pad = d; pad < 7; pad++)
            n = raw_append(line, n, sizeof line, " ");
        n = raw_append(line, n, sizeof line, digits);
        d = raw_append_u64(digits, 0, sizeof digits, bytes);
        n = raw_append(line, n, sizeof line, " ");
        for (size_t pad = d; pad < 10; pad++)
            n = raw_append(line, n, sizeof line, " ");
        n = raw_append(line, n, sizeof line, digits);
        n = raw_append(line, n, sizeof line, " ");
        n = raw_append(line, n, sizeof line, name);
        emit(fd, line, n);
    }
}

static void plain_text(const invisible_report_request *request)
{
    const invisible_leak_summary *leaks = request->leaks;
    int fd = request->report_fd, pid = request->pid;
    int quiet = (request->flags & INVISIBLE_REPORT_QUIET) != 0, color = (request->flags & INVISIBLE_REPORT_COLOR) != 0;
    char line[LINE_CAPACITY];
    size_t n = prefix(line, pid);
    n = raw_append(line, n, sizeof line, "Invisible leak report (plain: runtime unavailable) for ");
    n = raw_append(line, n, sizeof line, request->command);
    if (!quiet)
        emit(fd, line, n);
    uint64_t shown = 0, total_shown = 0;
    for (uint64_t i = 0; i < leaks->record_count; i++)
        total_shown += record_shown(request, i);
    for (uint64_t i = 0; i < leaks->record_count; i++) {
        const invisible_leak_record *rec = &leaks->records[i];
        if (!record_shown(request, i))
            continue;
        shown++;
        emit(fd, line, prefix(line, pid));
        n = prefix(line, pid);
        n = append_count_line(line, n, rec->bytes, rec->blocks);
        n = raw_append(line, n, sizeof line, " are ");
        if (color)
            n = raw_append(line, n, sizeof line, kind_color(rec->kind));
        n = raw_append(line, n, sizeof line, kind_name(rec->kind));
        if (color)
            n = raw_append(line, n, sizeof line, "\033[0m");
        n = raw_append(line, n, sizeof line, " in loss record ");
        n = raw_append_u64(line, n, sizeof line, shown);
        n = raw_append(line, n, sizeof line, " of ");
        n = raw_append_u64(line, n, sizeof line, total_shown);
        emit(fd, line, n);
        uint64_t pcs[INVISIBLE_MAX_DEPTH];
        int depth = invisible_query_table()->trace_frames(rec->trace_id, pcs, INVISIBLE_MAX_DEPTH);
        for (int f = 0; f < depth; f++) {
            n = prefix(line, pid);
            n = raw_append(line, n, sizeof line, f == 0 ? "   at " : "   by ");
            n = append_frame(line, n, pcs[f]);
            emit(fd, line, n);
        }
        if (request->gen_suppressions)
            plain_suppression_block(fd, rec, pcs, depth);
    }
    if (quiet)
        return; /* --quiet: the records only */
    if (request->suppressions && request->suppressed_by)
        plain_suppressions_used(request);
    char text[4 * LINE_CAPACITY];
    leak_totals totals;
    totals_of(request, &totals);
    size_t length = summary_lines(text, 0, sizeof text, pid, &totals);
    raw_write_all(fd, text, length);
}

static void json_frame(json_out *o, uint64_t pc, int first)
{
    Dl_info info;
    out_text(o, first ? "{\"pc\": " : ", {\"pc\": ");
    out_u64(o, pc);
    int known = dladdr((void *)(uintptr_t)(pc - 1), &info);
    out_text(o, ", \"function\": ");
    out_string(o, known ? info.dli_sname : NULL);
    out_text(o, ", \"file\": null, \"line\": 0, \"module\": ");
    out_string(o, known && info.dli_fname ? info.dli_fname : "");
    out_text(o, "}");
}

static void json_leaks(json_out *o, const invisible_report_request *request)
{
    const invisible_leak_summary *leaks = request->leaks;
    leak_totals totals;
    totals_of(request, &totals);
    out_text(o, ", \"leaks\": {");
    for (uint32_t k = 0; k < 4; k++) {
        out_text(o, k ? ", \"" : "\"");
        out_text(o, kind_key(k));
        out_text(o, "\": {\"blocks\": ");
        out_u64(o, totals.blocks[k]);
        out_text(o, ", \"bytes\": ");
        out_u64(o, totals.bytes[k]);
        out_text(o, "}");
    }
    if (totals.with_suppressions) {
        out_text(o, ", \"suppressed\": {\"blocks\": ");
        out_u64(o, totals.suppressed_blocks);
        out_text(o, ", \"bytes\": ");
        out_u64(o, totals.suppressed_bytes);
        out_text(o, "}");
    }
    out_text(o, ", \"scanned_root_bytes\": ");
    out_u64(o, leaks->scanned_root_bytes);
    out_text(o, ", \"threads_stopped\": ");
    out_u64(o, leaks->threads_stopped);
    out_text(o, ", \"scan_ms\": ");
    out_u64(o, leaks->scan_nanoseconds / 1000000);
    char fraction[8] = { '.' };
    for (int i = 6, rest = (int)(leaks->scan_nanoseconds % 1000000); i >= 1; i--, rest /= 10)
        fraction[i] = (char)('0' + rest % 10);
    out_bytes(o, fraction, 7);
    out_text(o, ", \"records\": [");
    int written = 0;
    for (uint64_t i = 0; i < leaks->record_count; i++) {
        const invisible_leak_record *rec = &leaks->records[i];
        if (record_suppressed(request, i))
            continue;
        out_text(o, written++ ? ", {\"kind\": \"" : "{\"kind\": \"");
        out_text(o, kind_key(rec->kind));
        out_text(o, "\", \"blocks\": ");
        out_u64(o, rec->blocks);
        out_text(o, ", \"bytes\": ");
        out_u64(o, rec->bytes);
        out_text(o, ", \"indirect_blocks\": ");
        out_u64(o, rec->indirect_blocks);
        out_text(o, ", \"indirect_bytes\": ");
        out_u64(o, rec->indirect_bytes);
        out_text(o, ", \"type\": null, \"trace\": [");
        uint64_t pcs[INVISIBLE_MAX_DEPTH];
        int depth = invisible_query_table()->trace_frames(rec->trace_id, pcs, INVISIBLE_MAX_DEPTH);
        for (int f = 0; f < depth; f++)
            json_frame(o, pcs[f], f == 0);
        out_text(o, "]}");
    }
    out_text(o, "]}");
}

/* "suppressions": the ones that matched, with what they matched (docs/report-format.md). */
static void json_suppressions(json_out *o, const invisible_report_request *request)
{
    const invisible_leak_summary *leaks = request->leaks;
    char name[LINE_CAPACITY];
    int written = 0;
    out_text(o, ", \"suppressions\": [");
    for (uint32_t e = 1; suppressions_name(e - 1, name, sizeof name); e++) {
        uint64_t blocks, bytes;
        suppression_totals(request, leaks, e, &blocks, &bytes);
        if (!blocks)
            continue;
        out_text(o, written++ ? ", {\"name\": " : "{\"name\": ");
        out_string(o, name);
        out_text(o, ", \"blocks\": ");
        out_u64(o, blocks);
        out_text(o, ", \"bytes\": ");
        out_u64(o, bytes);
        out_text(o, "}");
    }
    out_text(o, "]");
}

/* The "profile" section (docs/report-format.md), frames as in the leak records. */
#define PEAK_SITES_SHOWN 256
static void json_profile(json_out *o, const invisible_profile *p)
{
    out_text(o, ", \"profile\": {\"total\": {\"allocations\": ");
    out_u64(o, p->allocations);
    out_text(o, ", \"bytes\": ");
    out_u64(o, p->bytes);
    out_text(o, ", \"temporary\": ");
    out_u64(o, p->temporary);
    out_text(o, "}, \"peak\": {\"bytes\": ");
    out_u64(o, p->peak_bytes);
    out_text(o, ", \"time_ms\": ");
    out_u64(o, p->peak_ns / 1000000);
    out_text(o, ", \"sites\": [");
    /* Largest first, as the runtime writes them: the next largest below the last one written,
     * by selection (no allocation here), for at most PEAK_SITES_SHOWN sites. */
    uint64_t last_bytes = UINT64_MAX, last_index = 0;
    for (int shown = 0; shown < PEAK_SITES_SHOWN; shown++) {
        const invisible_profile_site *site = NULL;
        uint64_t index = 0;
        for (uint64_t i = 0; i < p->site_count; i++) {
            const invisible_profile_site *s = &p->sites[i];
            int below_last = s->peak_bytes < last_bytes || (s->peak_bytes == last_bytes && i > last_index);
            if (s->peak_bytes && below_last && (!site || s->peak_bytes > site->peak_bytes)) {
                site = s;
                index = i;
            }
        }
        if (!site)
            break;
        last_bytes = site->peak_bytes;
        last_index = index;
        out_text(o, shown ? ", {\"trace\": [" : "{\"trace\": [");
        uint64_t pcs[INVISIBLE_MAX_DEPTH];
        int depth = invisible_query_table()->trace_frames(site->trace_id, pcs, INVISIBLE_MAX_DEPTH);
        for (int f = 0; f < depth; f++)
            json_frame(o, pcs[f], f == 0);
        out_text(o, "], \"bytes\": ");
        out_u64(o, site->peak_bytes);
        out_text(o, "}");
    }
    out_text(o, "]}, \"sites\": [");
    for (uint64_t i = 0; i < p->site_count; i++) {
        const invisible_profile_site *site = &p->sites[i];
        out_text(o, i ? ", {\"trace\": [" : "{\"trace\": [");
        uint64_t pcs[INVISIBLE_MAX_DEPTH];
        int depth = invisible_query_table()->trace_frames(site->trace_id, pcs, INVISIBLE_MAX_DEPTH);
        for (int f = 0; f < depth; f++)
            json_frame(o, pcs[f], f == 0);
        out_text(o, "], \"allocations\": ");
        out_u64(o, site->allocations);
        out_text(o, ", \"bytes\": ");
        out_u64(o, site->bytes);
        out_text(o, ", \"temporary\": ");
        out_u64(o, site->temporary);
        out_text(o, ", \"live_blocks\": ");
        out_u64(o, site->live_blocks);
        out_text(o, ", \"live_bytes\": ");
        out_u64(o, site->live_bytes);
        out_text(o, ", \"peak_bytes\": ");
        out_u64(o, site->peak_bytes);
        out_text(o, "}");
    }
    out_text(o, "], \"timeline\": [");
    for (uint64_t i = 0; i < p->timeline_count; i++) {
        out_text(o, i ? ", {\"t_ms\": " : "{\"t_ms\": ");
        out_u64(o, p->timeline[i].t_ns / 1000000);
        out_text(o, ", \"heap_bytes\": ");
        out_u64(o, p->timeline[i].heap_bytes);
        out_text(o, "}");
    }
    out_text(o, "]}");
}

/* Returns 0, or the errno of the failure (then nothing is left at the path). */
static int plain_json(const invisible_report_request *request)
{
    char temporary[INVISIBLE_PATH_CAPACITY + 32];
    json_out o;
    o.error = 0;
    o.length = 0;
    o.fd = file_begin(request->json_path, temporary, sizeof temporary);
    if (o.fd < 0)
        return errno;
    out_text(&o, "{\"pid\": ");
    out_u64(&o, (uint64_t)request->pid);
    out_text(&o, ", \"command\": ");
    out_string(&o, request->command);
    out_text(&o, ", \"symbolizer\": \"dladdr\"");
    if (request->leaks)
        json_leaks(&o, request);
    if (request->leaks && request->suppressions && request->suppressed_by)
        json_suppressions(&o, request);
    const invisible_profile *profile =
        (request->flags & INVISIBLE_REPORT_PROFILE) ? invisible_query_table()->profile() : NULL;
    if (profile)
        json_profile(&o, profile);
    out_text(&o, "}\n");
    out_flush(&o);
    return file_finish(o.fd, o.error, temporary, request->json_path);
}

int report_plain(const invisible_report_request *request)
{
    if (request->leaks && request->suppressions)
        suppressions_match_plain(request->leaks, request->suppressed_by);
    if (request->leaks && (request->flags & INVISIBLE_REPORT_LEAKS))
        plain_text(request);
    int error = request->json_path ? plain_json(request) : 0;
    if (error)
        report_json_failed(request->report_fd, request->json_path, error);
    return error;
}
