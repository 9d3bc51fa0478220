/* suppressions.c — leak suppressions: read once, in the constructor, from every source
 * (INVISIBLE_SUPPRESSIONS files, the suppressions= file of LSan's options, the program's
 * __lsan_default_suppressions()), in either syntax:
 *   LeakSanitizer's   leak:PATTERN             one per line, '#' comments
 *   valgrind's        {                        a block per suppression
 *                        NAME
 *                        Memcheck:Leak         (other tools' and kinds' blocks are skipped)
 *                        match-leak-kinds: definite,possible   (optional; all kinds by default)
 *                        fun:GLOB | obj:GLOB | src:GLOB | ...  (frames from the allocation outward)
 *                     }
 * A malformed source is said with its name and line, and the process ends with status 1 before
 * the program's own code runs: a suppression silently not applied would report what the user
 * meant to hide, or fail a CI run for nothing.
 *
 * What is kept is the wire form of query.h (INVISIBLE_SUPPRESSION_*): one line per suppression,
 * handed to the runtime in every report request; the runtime matches it against the symbolized
 * traces (libdw: inlined frames, source files). The plain fallback report matches it here, on
 * what dladdr gives (exported function names and object paths; no source files).
 *
 * Matching rules, as the tools':
 *  - LSan's PATTERN (its TemplateMatch): a substring, '*' any run of characters, '^' anchors
 *    the start, '$' the end; tried on every frame's object path, function name and source file.
 *  - valgrind's frames: globs ('*', '?') over the whole name, matched from the allocation
 *    outward, '...' any number of frames (none included). A block matches when its frames match
 *    the start of the trace; the trace may start with the allocation function itself, as
 *    valgrind's do (fun:malloc, fun:_Znwm...), or without it, as ours do.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define WIRE_CAPACITY (256u << 10)
#define FILE_LIMIT (16u << 20)
#define LINE_LIMIT 4096
#define VALGRIND_FRAME_LIMIT 64

/* The wire form (in our .bss: only what is used is committed). */
static char wire[WIRE_CAPACITY];
static size_t wire_length;
static uint32_t wire_count;

typedef struct source {
    const char *name;   /* file path, or "__lsan_default_suppressions()" */
    const char *text;
    size_t length;
    size_t at;          /* next unread byte */
    int line;           /* number of the line last read */
} source;

/* Said, then the process ends: nothing of the program has run yet. */
__attribute__((noreturn)) static void malformed(const source *s, int line, const char *why, const char *detail)
{
    char message[LINE_LIMIT + 512];
    size_t n = raw_append(message, 0, sizeof message, "invisible: ");
    n = raw_append(message, n, sizeof message, s ? s->name : "suppressions");
    if (line > 0) {
        n = raw_append(message, n, sizeof message, ":");
        n = raw_append_u64(message, n, sizeof message, (uint64_t)line);
    }
    n = raw_append(message, n, sizeof message, ": ");
    n = raw_append(message, n, sizeof message, why);
    if (detail) {
        n = raw_append(message, n, sizeof message, ": '");
        n = raw_append(message, n, sizeof message, detail);
        n = raw_append(message, n, sizeof message, "'");
    }
    n = raw_append(message, n, sizeof message, "\n");
    raw_write_all(descriptors_report_stderr(), message, n);
    _exit(1);
}

/* The next line, without surrounding blanks, into `out`; 0 at the end. Blank lines and '#'
 * comments are skipped. */
static int next_line(source *s, char *out, size_t capacity)
{
    while (s->at < s->length) {
        size_t start = s->at;
        while (s->at < s->length && s->text[s->at] != '\n')
            s->at++;
        size_t end = s->at;
        if (s->at < s->length)
            s->at++;
        s->line++;
        while (start < end && (s->text[start] == ' ' || s->text[start] == '\t' || s->text[start] == '\r'))
            start++;
        while (end > start && (s->text[end - 1] == ' ' || s->text[end - 1] == '\t' || s->text[end - 1] == '\r'))
            end--;
        if (end == start || s->text[start] == '#')
            continue;
        if (end - start >= capacity)
            malformed(s, s->line, "line too long", NULL);
        memcpy(out, s->text + start, end - start);
        out[end - start] = 0;
        return 1;
    }
    return 0;
}

static void wire_append(const source *s, const char *text)
{
    size_t n = strlen(text);
    if (wire_length + n + 1 >= sizeof wire)
        malformed(s, s->line, "too many suppressions (256 KiB of them)", NULL);
    memcpy(wire + wire_length, text, n);
    wire_length += n;
    wire[wire_length] = 0;
}

/* No tab or newline may enter the wire form (its separators). */
static void check_field(const source *s, const char *text)
{
    for (const char *p = text; *p; p++)
        if (*p == '\t')
            malformed(s, s->line, "a tab inside a name or pattern", text);
}

static unsigned leak_kinds(const source *s, const char *list)
{
    unsigned mask;
    if (options_leak_kinds(list, &mask) != 0)
        malformed(s, s->line, "match-leak-kinds takes definite, indirect, possible, reachable, all or none", list);
    return mask;
}

/* Does this "TOOL[,TOOL]:KIND" line name memcheck's leak kind? */
static int names_memcheck_leak(const source *s, const char *line)
{
    const char *colon = strrchr(line, ':');
    if (!colon || colon == line)
        malformed(s, s->line, "expected the tool and kind line (Memcheck:Leak)", line);
    if (strcmp(colon + 1, "Leak"))
        return 0;
    for (const char *p = line; p < colon;) {
        const char *end = p;
        while (end < colon && *end != ',')
            end++;
        if ((end - p == 8 && !strncmp(p, "Memcheck", 8)) || (end - p == 1 && *p == '*'))
            return 1;
        p = end + 1;
    }
    return 0;
}

static void valgrind_block(source *s, char *line)
{
    int opened = s->line;
    char name[LINE_LIMIT], entry[LINE_LIMIT + 64];
    if (!next_line(s, name, sizeof name) || !strcmp(name, "}"))
        malformed(s, opened, "a suppression block without a name", NULL);
    check_field(s, name);
    if (!next_line(s, line, LINE_LIMIT))
        malformed(s, opened, "a suppression block without its closing '}'", NULL);
    int leak = names_memcheck_leak(s, line);
    unsigned kinds = INVISIBLE_SUPPRESSION_ALL_KINDS;
    int frames = 0;
    char body[WIRE_CAPACITY / 16];
    size_t used = 0;
    body[0] = 0;
    for (;;) {
        if (!next_line(s, line, LINE_LIMIT))
            malformed(s, opened, "a suppression block without its closing '}'", NULL);
        if (!strcmp(line, "}"))
            break;
        if (!leak)
            continue; /* another tool's or kind's block: not ours to judge */
        if (!strncmp(line, "match-leak-kinds:", 17) && frames == 0) {
            const char *list = line + 17;
            while (*list == ' ' || *list == '\t')
                list++;
            kinds = leak_kinds(s, list);
            continue;
        }
        int is_frame = !strcmp(line, "...") || !strncmp(line, "fun:", 4) || !strncmp(line, "obj:", 4) ||
                       !strncmp(line, "src:", 4);
        if (!is_frame)
            malformed(s, s->line, "not a frame line (fun:GLOB, obj:GLOB, src:GLOB or ...)", line);
        if (line[3] == ':' && !line[4])
            malformed(s, s->line, "an empty pattern", line);
        if (++frames > VALGRIND_FRAME_LIMIT)
            malformed(s, s->line, "more than 64 frame lines", NULL);
        check_field(s, line);
        used = raw_append(body, used, sizeof body, "\t");
        used = raw_append(body, used, sizeof body, line);
    }
    if (!leak)
        return;
    if (frames == 0)
        malformed(s, opened, "a suppression with no frame line", name);
    size_t n = raw_append(entry, 0, sizeof entry, "valgrind\t");
    n = raw_append(entry, n, sizeof entry, name);
    n = raw_append(entry, n, sizeof entry, "\t");
    raw_append_u64(entry, n, sizeof entry, kinds);
    wire_append(s, entry);
    wire_append(s, body);
    wire_append(s, "\n");
    wire_count++;
}

static void parse(source *s)
{
    char line[LINE_LIMIT];
    while (next_line(s, line, sizeof line)) {
        if (!strcmp(line, "{")) {
            valgrind_block(s, line);
            continue;
        }
        const char *colon = strchr(line, ':');
        if (!colon || colon == line)
            malformed(s, s->line, "expected leak:PATTERN or a valgrind block ({ ... })", line);
        if ((size_t)(colon - line) != 4 || strncmp(line, "leak", 4))
            malformed(s, s->line, "not a leak suppression (LeakSanitizer's files take leak:PATTERN)", line);
        if (!colon[1])
            malformed(s, s->line, "an empty pattern", line);
        check_field(s, colon + 1);
        wire_append(s, "leak\t");
        wire_append(s, colon + 1);
        wire_append(s, "\n");
        wire_count++;
    }
}

static void parse_file(const char *path)
{
    source s = { path, NULL, 0, 0, 0 };
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        malformed(&s, 0, raw_error_text(errno), NULL);
    if (!S_ISREG(st.st_mode))
        malformed(&s, 0, "not a regular file", NULL);
    if ((uint64_t)st.st_size > FILE_LIMIT)
        malformed(&s, 0, "larger than 16 MiB", NULL);
    char *text = NULL;
    if (st.st_size > 0) {
        text = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (text == MAP_FAILED)
            malformed(&s, 0, raw_error_text(errno), NULL);
    }
    close(fd);
    s.text = text;
    s.length = (size_t)st.st_size;
    parse(&s);
    if (text)
        munmap(text, (size_t)st.st_size);
}

typedef const char *(*suppressions_hook)(void);

void suppressions_load(const invisible_options *o)
{
    wire_length = 0;
    wire_count = 0;
    wire[0] = 0;
    char path[INVISIBLE_PATH_CAPACITY];
    const char *p = o->suppressions;
    while (*p) {
        size_t n = 0;
        while (*p && *p != ':')
            path[n++] = *p++;
        path[n] = 0;
        if (*p == ':')
            p++;
        if (n)
            parse_file(path);
    }
    if (o->lsan_suppressions[0])
        parse_file(o->lsan_suppressions);
    suppressions_hook hook = (suppressions_hook)invisible_find_global_symbol("__lsan_default_suppressions");
    const char *given = hook ? hook() : NULL;
    if (given) {
        source s = { "__lsan_default_suppressions()", given, strlen(given), 0, 0 };
        parse(&s);
    }
}

const char *suppressions_wire(void)
{
    return wire_count ? wire : NULL;
}

int suppressions_name(uint32_t index, char *out, size_t capacity)
{
    const char *line = wire;
    for (uint32_t e = 0; e < wire_count && *line; e++) {
        const char *end = strchr(line, '\n');
        size_t length = end ? (size_t)(end - line) : strlen(line);
        if (e == index) {
            const char *name = memchr(line, '\t', length);
            if (!name)
                return 0;
            name++;
            const char *stop = memchr(name, '\t', (size_t)(line + length - name));
            size_t n = (size_t)((stop ? stop : line + length) - name);
            if (n >= capacity)
                n = capacity - 1;
            memcpy(out, name, n);
            out[n] = 0;
            return 1;
        }
        line += length + (end ? 1 : 0);
    }
    return 0;
}

/* ---- matching, for the plain report (dladdr) ---- */

/* LSan's TemplateMatch: substrings between '*'s found in order; '^' anchors the first one at the
 * start, '$' ends the match at the end of the string. */
static int template_match(const char *pattern, const char *text)
{
    if (!text || !*text)
        return 0;
    int anchored = 0, after_star = 0;
    if (*pattern == '^') {
        anchored = 1;
        pattern++;
    }
    while (*pattern) {
        if (*pattern == '*') {
            pattern++;
            anchored = 0;
            after_star = 1;
            continue;
        }
        if (*pattern == '$')
            return !*text || after_star;
        if (!*text)
            return 0;
        size_t piece = strcspn(pattern, "*$");
        const char *found = NULL;
        for (const char *t = text; *t; t++) {
            if (!strncmp(t, pattern, piece)) {
                found = t;
                break;
            }
        }
        if (!found || (anchored && found != text))
            return 0;
        text = found + piece;
        pattern += piece;
        anchored = 0;
        after_star = 0;
    }
    return 1;
}

/* valgrind's glob: '*' any run, '?' one character, over the whole string. */
static int glob_match(const char *pattern, const char *text)
{
    const char *star = NULL, *resume = NULL;
    while (*text) {
        if (*pattern == '?' || (*pattern && *pattern != '*' && *pattern == *text)) {
            pattern++;
            text++;
        } else if (*pattern == '*') {
            star = pattern++;
            resume = text;
        } else if (star) {
            pattern = star + 1;
            text = ++resume;
        } else {
            return 0;
        }
    }
    while (*pattern == '*')
        pattern++;
    return !*pattern;
}

typedef struct plain_frame {
    const char *function; /* NULL when unknown */
    const char *module;
} plain_frame;

static const char *const allocation_functions[] = {
    "malloc", "calloc", "realloc", "reallocarray", "memalign", "aligned_alloc", "posix_memalign", "valloc",
    "pvalloc", "strdup", "strndup", "_Znwm", "_Znam", "_ZnwmRKSt9nothrow_t", "_ZnamRKSt9nothrow_t",
    "_ZnwmSt11align_val_t", "_ZnamSt11align_val_t", NULL
};

/* One valgrind frame line against one frame; `alloc` is the allocation function's own frame. */
static int frame_line_matches(const char *line, const plain_frame *frame, int alloc)
{
    const char *glob = line + 4;
    if (alloc) {
        if (strncmp(line, "fun:", 4))
            return 0;
        for (int i = 0; allocation_functions[i]; i++)
            if (glob_match(glob, allocation_functions[i]))
                return 1;
        return 0;
    }
    if (!strncmp(line, "fun:", 4))
        return glob_match(glob, frame->function ? frame->function : "???");
    if (!strncmp(line, "obj:", 4))
        return glob_match(glob, frame->module ? frame->module : "???");
    return 0; /* src: needs line tables: the runtime's */
}

/* Frames lines[i..] against frames[j..] (frame -1: the allocation function). */
static int frames_match(char *const *lines, int line_count, int i, const plain_frame *frames, int count, int j)
{
    if (i == line_count)
        return 1;
    if (!strcmp(lines[i], "..."))
        return frames_match(lines, line_count, i + 1, frames, count, j) ||
               (j < count && frames_match(lines, line_count, i, frames, count, j + 1));
    if (j >= count)
        return 0;
    return frame_line_matches(lines[i], j >= 0 ? &frames[j] : NULL, j < 0) &&
           frames_match(lines, line_count, i + 1, frames, count, j + 1);
}

/* Split one wire line (copied into `copy`) at its tabs. */
static int split_fields(const char *line, size_t length, char *copy, size_t capacity, char **fields, int most)
{
    if (length >= capacity)
        length = capacity - 1;
    memcpy(copy, line, length);
    copy[length] = 0;
    int count = 0;
    char *p = copy;
    while (count < most) {
        fields[count++] = p;
        char *tab = strchr(p, '\t');
        if (!tab)
            break;
        *tab = 0;
        p = tab + 1;
    }
    return count;
}

static int entry_matches(const char *line, size_t length, uint32_t kind, const plain_frame *frames, int count)
{
    static char copy[LINE_LIMIT * 4];
    char *fields[VALGRIND_FRAME_LIMIT + 3];
    int n = split_fields(line, length, copy, sizeof copy, fields, VALGRIND_FRAME_LIMIT + 3);
    if (!strcmp(fields[0], "leak") && n >= 2) {
        for (int f = 0; f < count; f++)
            if (template_match(fields[1], frames[f].module) || template_match(fields[1], frames[f].function))
                return 1;
        return 0;
    }
    if (strcmp(fields[0], "valgrind") || n < 4)
        return 0;
    unsigned kinds = 0;
    for (const char *d = fields[2]; *d >= '0' && *d <= '9'; d++)
        kinds = kinds * 10 + (unsigned)(*d - '0');
    if (!(kinds & (1u << kind)))
        return 0;
    char *const *lines = &fields[3];
    int line_count = n - 3;
    return frames_match(lines, line_count, 0, frames, count, -1) ||
           frames_match(lines, line_count, 0, frames, count, 0);
}

void suppressions_match_plain(const invisible_leak_summary *leaks, uint32_t *suppressed_by)
{
    if (!wire_count || !suppressed_by)
        return;
    for (uint64_t r = 0; r < leaks->record_count; r++) {
        const invisible_leak_record *rec = &leaks->records[r];
        uint64_t pcs[INVISIBLE_MAX_DEPTH];
        plain_frame frames[INVISIBLE_MAX_DEPTH];
        int depth = invisible_query_table()->trace_frames(rec->trace_id, pcs, INVISIBLE_MAX_DEPTH);
        for (int f = 0; f < depth; f++) {
            Dl_info info;
            int known = dladdr((void *)(uintptr_t)(pcs[f] - 1), &info);
            frames[f].function = known ? info.dli_sname : NULL;
            frames[f].module = known ? info.dli_fname : NULL;
        }
        suppressed_by[r] = 0;
        const char *line = wire;
        for (uint32_t e = 0; e < wire_count && *line; e++) {
            const char *end = strchr(line, '\n');
            size_t length = end ? (size_t)(end - line) : strlen(line);
            if (entry_matches(line, length, rec->kind, frames, depth)) {
                suppressed_by[r] = e + 1;
                break;
            }
            line += length + (end ? 1 : 0);
        }
    }
}
