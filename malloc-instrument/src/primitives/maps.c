/* maps.c — the one reader of the process's maps: the unwinder's stack bounds (from inside
 * malloc, possibly in a signal handler) and the leak scan's roots (with the other threads
 * stopped) both go through it.
 *
 * It reads /proc/thread-self/maps, not /proc/self/maps: /proc/self is the main thread, and once
 * the main thread has left through pthread_exit its /proc/self/maps is empty (the memory is the
 * same for every thread, but the kernel reads it through the task named in the path).
 *
 * So it uses raw system calls and two small buffers on the stack (under 2 KiB together): no
 * malloc, no stdio, no lock, no errno change. It streams: each line is parsed when its newline
 * arrives, and only its first MAPS_LINE_KEEP bytes are kept (the addresses, permissions, offset,
 * device and inode, and the start of the name, which is all a mapping's kind needs; a long path
 * is cut).
 */
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h> /* constants only: errno itself is never touched */
#include <fcntl.h>
#include <string.h>

#define MAPS_CHUNK 1536
#define MAPS_LINE_KEEP 256

static uint64_t parse_hex(const char **p)
{
    uint64_t v = 0;
    for (;; (*p)++) {
        char c = **p;
        if (c >= '0' && c <= '9')
            v = v * 16 + (uint64_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v = v * 16 + (uint64_t)(c - 'a' + 10);
        else
            return v;
    }
}

/* "start-end perms offset dev inode [name]", without its newline. */
static void parse_mapping(const char *line, proc_mapping *m)
{
    const char *p = line;
    m->start = parse_hex(&p);
    if (*p)
        p++;
    m->end = parse_hex(&p);
    if (*p)
        p++;
    for (int i = 0; i < 4; i++)
        m->perms[i] = *p ? *p++ : '-';
    m->perms[4] = 0;
    for (int field = 0; field < 3; field++) { /* offset, dev, inode */
        while (*p == ' ')
            p++;
        while (*p && *p != ' ')
            p++;
    }
    while (*p == ' ')
        p++;
    m->anonymous = *p == 0 || !strncmp(p, "[anon:", 6);
    m->special = *p == '[' && strncmp(p, "[anon:", 6) != 0;
}

int maps_for_each(proc_mapping_visitor visit, void *context)
{
    long fd = prim_syscall3(SYS_open, (long)"/proc/thread-self/maps", O_RDONLY | O_CLOEXEC, 0);
    if (fd == -ENOENT) /* kernels before 3.17 */
        fd = prim_syscall3(SYS_open, (long)"/proc/self/maps", O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0)
        return (int)fd;
    char chunk[MAPS_CHUNK];
    char line[MAPS_LINE_KEEP + 1];
    size_t length = 0;
    int stop = 0;
    while (!stop) {
        long got = prim_syscall3(SYS_read, fd, (long)chunk, sizeof chunk);
        if (got == -EINTR)
            continue;
        if (got <= 0)
            break;
        for (long i = 0; i < got && !stop; i++) {
            if (chunk[i] != '\n') {
                if (length < MAPS_LINE_KEEP)
                    line[length++] = chunk[i];
                continue;
            }
            line[length] = 0;
            length = 0;
            proc_mapping m;
            parse_mapping(line, &m);
            stop = visit(&m, context);
        }
    }
    prim_syscall3(SYS_close, fd, 0, 0);
    return 0;
}

typedef struct containing {
    uint64_t address, low, high;
    int found;
} containing;

static int holds_address(const proc_mapping *m, void *context)
{
    containing *c = context;
    if (m->start > c->address || c->address >= m->end)
        return 0;
    c->low = m->start;
    c->high = m->end;
    c->found = 1;
    return 1;
}

int maps_find(uint64_t address, uint64_t *low, uint64_t *high)
{
    containing c = { .address = address };
    if (maps_for_each(holds_address, &c) != 0 || !c.found)
        return 0;
    *low = c.low;
    *high = c.high;
    return 1;
}
