/* report.c — a report request and where its text goes, and the plain report: what is written
 * when libinvisible-runtime.so cannot be loaded (dladdr symbols, the same JSON schema with
 * "symbolizer": "dladdr"), so that a report is never lost.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define LINE_CAPACITY 2048

int report_descriptor(void)
{
    preload_state *r = &invisible_state;
    const char *pattern = r->options.log_path;
    if (!pattern[0])
        return r->report_fd;
    if (r->log_fd < 0 || r->log_pid != (int)getpid()) {
        char path[INVISIBLE_PATH_CAPACITY];
        options_expand_pid(pattern, (int)getpid(), path, sizeof path);
        r->log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        r->log_pid = (int)getpid();
        if (r->log_fd < 0)
            return r->report_fd;
        /* Everything we print from now on (the runtime's report included) goes there. */
        r->report_fd = r->log_fd;
    }
    return r->log_fd;
}

static const char *command_line(void)
{
    preload_state *r = &invisible_state;
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    size_t length = 0;
    if (fd >= 0) {
        ssize_t n;
        while (length + 1 < sizeof r->command &&
               (n = read(fd, r->command + length, sizeof r->command - 1 - length)) > 0)
            length += (size_t)n;
        close(fd);
    }
    while (length > 0 && r->command[length - 1] == 0)
        length--;
    for (size_t i = 0; i < length; i++)
        if (r->command[i] == 0)
            r->command[i] = ' ';
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

void report_prepare_request(invisible_report_request *request, const invisible_leak_summary *leaks,
                            const char *json_path, unsigned flags)
{
    memset(request, 0, sizeof *request);
    request->struct_size = sizeof *request;
    request->flags = flags;
    request->report_fd = report_descriptor();
    request->pid = (int32_t)getpid();
    request->command = command_line();
    request->json_path = json_path;
    request->leaks = leaks;
    request->alloc_fns = alloc_fn_list();
}

/* ---- the plain report ---- */

static const char *kind_name(uint32_t kind)
{
    static const char *const names[] = { "still reachable", "definitely lost", "indirectly lost",
                                         "possibly lost" };
    return kind < 4 ? names[kind] : "unknown";
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

static void plain_text(const invisible_report_request *request)
{
    const invisible_leak_summary *leaks = request->leaks;
    int fd = request->report_fd, pid = request->pid;
    char line[LINE_CAPACITY];
    size_t n = prefix(line, pid);
    n = raw_append(line, n, sizeof line, "Invisible leak report (plain: runtime unavailable) for ");
    n = raw_append(line, n, sizeof line, request->command);
    emit(fd, line, n);
    uint64_t shown = 0, total_shown = 0;
    for (uint64_t i = 0; i < leaks->record_count; i++)
        if (leaks->records[i].kind != INVISIBLE_STILL_REACHABLE || (request->flags & INVISIBLE_REPORT_SHOW_REACHABLE))
            total_shown++;
    for (uint64_t i = 0; i < leaks->record_count; i++) {
        const invisible_leak_record *rec = &leaks->records[i];
        if (rec->kind == INVISIBLE_STILL_REACHABLE && !(request->flags & INVISIBLE_REPORT_SHOW_REACHABLE))
            continue;
        shown++;
        emit(fd, line, prefix(line, pid));
        n = prefix(line, pid);
        n = append_count_line(line, n, rec->bytes, rec->blocks);
        n = raw_append(line, n, sizeof line, " are ");
        n = raw_append(line, n, sizeof line, kind_name(rec->kind));
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
    }
    emit(fd, line, prefix(line, pid));
    n = raw_append(line, prefix(line, pid), sizeof line, "LEAK SUMMARY:");
    emit(fd, line, n);
    static const uint32_t order[] = { INVISIBLE_DEFINITELY_LOST, INVISIBLE_INDIRECTLY_LOST,
                                      INVISIBLE_POSSIBLY_LOST, INVISIBLE_STILL_REACHABLE };
    static const char *const labels[] = { "   definitely lost: ", "   indirectly lost: ",
                                          "     possibly lost: ", "   still reachable: " };
    for (int k = 0; k < 4; k++) {
        n = raw_append(line, prefix(line, pid), sizeof line, labels[k]);
        n = append_count_line(line, n, leaks->bytes[order[k]], leaks->blocks[order[k]]);
        emit(fd, line, n);
    }
}

static void json_frame(int fd, uint64_t pc, int first)
{
    char line[LINE_CAPACITY];
    Dl_info info;
    size_t n = raw_append(line, 0, sizeof line, first ? "{\"pc\": " : ", {\"pc\": ");
    n = raw_append_u64(line, n, sizeof line, pc);
    int known = dladdr((void *)(uintptr_t)(pc - 1), &info);
    n = raw_append(line, n, sizeof line, ", \"function\": ");
    if (known && info.dli_sname) {
        n = raw_append(line, n, sizeof line, "\"");
        n = raw_append(line, n, sizeof line, info.dli_sname);
        n = raw_append(line, n, sizeof line, "\"");
    } else {
        n = raw_append(line, n, sizeof line, "null");
    }
    n = raw_append(line, n, sizeof line, ", \"file\": null, \"line\": 0, \"module\": \"");
    n = raw_append(line, n, sizeof line, known && info.dli_fname ? info.dli_fname : "");
    n = raw_append(line, n, sizeof line, "\"}");
    raw_write_all(fd, line, n);
}

static void json_escape_write(int fd, const char *text)
{
    char out[LINE_CAPACITY];
    size_t n = 0;
    for (const char *p = text; *p; p++) {
        if (n + 8 >= sizeof out) {
            raw_write_all(fd, out, n);
            n = 0;
        }
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\') {
            out[n++] = '\\';
            out[n++] = (char)c;
        } else if (c < 0x20) {
            static const char hex[] = "0123456789abcdef";
            memcpy(out + n, "\\u00", 4);
            n += 4;
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 15];
        } else {
            out[n++] = (char)c;
        }
    }
    raw_write_all(fd, out, n);
}

static void plain_json(const invisible_report_request *request)
{
    int fd = open(request->json_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    const invisible_leak_summary *leaks = request->leaks;
    char line[LINE_CAPACITY];
    size_t n = raw_append(line, 0, sizeof line, "{\"pid\": ");
    n = raw_append_u64(line, n, sizeof line, (uint64_t)request->pid);
    n = raw_append(line, n, sizeof line, ", \"command\": \"");
    raw_write_all(fd, line, n);
    json_escape_write(fd, request->command);
    raw_write_all(fd, "\", \"symbolizer\": \"dladdr\"", 25);
    if (leaks) {
        n = raw_append(line, 0, sizeof line, ", \"leaks\": {");
        for (uint32_t k = 0; k < 4; k++) {
            n = raw_append(line, n, sizeof line, k ? ", \"" : "\"");
            n = raw_append(line, n, sizeof line, kind_key(k));
            n = raw_append(line, n, sizeof line, "\": {\"blocks\": ");
            n = raw_append_u64(line, n, sizeof line, leaks->blocks[k]);
            n = raw_append(line, n, sizeof line, ", \"bytes\": ");
            n = raw_append_u64(line, n, sizeof line, leaks->bytes[k]);
            n = raw_append(line, n, sizeof line, "}");
        }
        n = raw_append(line, n, sizeof line, ", \"records\": [");
        raw_write_all(fd, line, n);
        for (uint64_t i = 0; i < leaks->record_count; i++) {
            const invisible_leak_record *rec = &leaks->records[i];
            n = raw_append(line, 0, sizeof line, i ? ", {\"kind\": \"" : "{\"kind\": \"");
            n = raw_append(line, n, sizeof line, kind_key(rec->kind));
            n = raw_append(line, n, sizeof line, "\", \"blocks\": ");
            n = raw_append_u64(line, n, sizeof line, rec->blocks);
            n = raw_append(line, n, sizeof line, ", \"bytes\": ");
            n = raw_append_u64(line, n, sizeof line, rec->bytes);
            n = raw_append(line, n, sizeof line, ", \"indirect_blocks\": ");
            n = raw_append_u64(line, n, sizeof line, rec->indirect_blocks);
            n = raw_append(line, n, sizeof line, ", \"indirect_bytes\": ");
            n = raw_append_u64(line, n, sizeof line, rec->indirect_bytes);
            n = raw_append(line, n, sizeof line, ", \"type\": null, \"trace\": [");
            raw_write_all(fd, line, n);
            uint64_t pcs[INVISIBLE_MAX_DEPTH];
            int depth = invisible_query_table()->trace_frames(rec->trace_id, pcs, INVISIBLE_MAX_DEPTH);
            for (int f = 0; f < depth; f++)
                json_frame(fd, pcs[f], f == 0);
            raw_write_all(fd, "]}", 2);
        }
        raw_write_all(fd, "]}", 2);
    }
    raw_write_all(fd, "}\n", 2);
    close(fd);
}

int report_plain(const invisible_report_request *request)
{
    if (request->leaks && (request->flags & INVISIBLE_REPORT_LEAKS))
        plain_text(request);
    if (request->json_path)
        plain_json(request);
    return 0;
}
