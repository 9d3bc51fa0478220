/* wrappers.c — where the allocator wrappers are, for the adaptive capture depth (issue 17).
 *
 * `invisible wrappers` (run by `invisible run` before exec) finds each file's allocator wrappers
 * — functions that hand an allocation back to their caller untyped — and caches them by build id
 * at $XDG_CACHE_HOME/invisible/wrappers/BUILDID (abi/Invisible.Abi/SiteTypes/WrapperCache.cs has
 * the format: "INVWRAP1", u32 count, u32 flags, then {u64 start, u64 end, u32 extra, u32 0}
 * link-time addresses, sorted). At start, every loaded object with a cache file contributes its
 * ranges, moved by its load bias, to one sorted array. The hooks then ask, once per call site,
 * whether the return address lies in a wrapper (hooks/malloc.c): a binary search, no allocation,
 * no system call, no lock. Objects dlopen()ed later are not covered.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <fcntl.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WRAPPER_FILE_HEADER 16
#define WRAPPER_MAX_OBJECTS 1024

typedef struct wrapper_file_entry {
    uint64_t start, end;
    uint32_t extra, unused;
} wrapper_file_entry;

typedef struct wrapper_source {
    uint64_t bias;
    uint32_t count;
    char path[INVISIBLE_WRAPPER_PATH];
} wrapper_source;

typedef struct wrapper_scan {
    char directory[INVISIBLE_WRAPPER_PATH];
    size_t directory_length;
    wrapper_source *sources; /* WRAPPER_MAX_OBJECTS, mapped */
    uint32_t source_count;
    uint64_t total;
} wrapper_scan;

static size_t append_text(char *out, size_t n, size_t capacity, const char *text)
{
    while (*text && n + 1 < capacity)
        out[n++] = *text++;
    out[n] = 0;
    return n;
}

/* The cache directory: $XDG_CACHE_HOME (absolute) or $HOME/.cache, then /invisible/wrappers/. */
static int wrapper_directory(char *out, size_t capacity, size_t *length)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    size_t n = 0;
    if (xdg && xdg[0] == '/') {
        n = append_text(out, 0, capacity, xdg);
    } else if (home && home[0] == '/') {
        n = append_text(out, 0, capacity, home);
        n = append_text(out, n, capacity, "/.cache");
    } else {
        return -1;
    }
    n = append_text(out, n, capacity, "/invisible/wrappers/");
    if (n + 2 * 64 + 1 >= capacity)
        return -1;
    *length = n;
    return 0;
}

/* The object's GNU build id as hex, from its PT_NOTE segments in memory. */
static int object_build_id(struct dl_phdr_info *info, char *hex, size_t capacity)
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE)
            continue;
        const unsigned char *at = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
        const unsigned char *end = at + ph->p_memsz;
        while (at + 12 <= end) {
            uint32_t namesz, descsz, type;
            memcpy(&namesz, at, 4);
            memcpy(&descsz, at + 4, 4);
            memcpy(&type, at + 8, 4);
            const unsigned char *name = at + 12;
            const unsigned char *desc = name + ((namesz + 3) & ~3u);
            const unsigned char *next = desc + ((descsz + 3) & ~3u);
            if (next > end || next <= at)
                break;
            if (type == NT_GNU_BUILD_ID && namesz == 4 && memcmp(name, "GNU", 4) == 0 && descsz * 2 + 1 <= capacity) {
                for (uint32_t k = 0; k < descsz; k++) {
                    hex[2 * k] = digits[desc[k] >> 4];
                    hex[2 * k + 1] = digits[desc[k] & 15];
                }
                hex[2 * descsz] = 0;
                return descsz > 0 ? 0 : -1;
            }
            at = next;
        }
    }
    return -1;
}

static int read_all(int fd, void *buffer, size_t bytes)
{
    size_t done = 0;
    while (done < bytes) {
        ssize_t got = read(fd, (char *)buffer + done, bytes - done);
        if (got <= 0)
            return -1;
        done += (size_t)got;
    }
    return 0;
}

/* Count of entries of a well-formed cache file, or 0. */
static uint32_t cache_file_count(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    unsigned char header[WRAPPER_FILE_HEADER];
    struct stat st;
    uint32_t count = 0;
    if (fstat(fd, &st) == 0 && read_all(fd, header, sizeof header) == 0 && memcmp(header, "INVWRAP1", 8) == 0) {
        memcpy(&count, header + 8, 4);
        if ((uint64_t)st.st_size != WRAPPER_FILE_HEADER + (uint64_t)count * sizeof(wrapper_file_entry))
            count = 0;
    }
    close(fd);
    return count;
}

static int find_cache_files(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    wrapper_scan *scan = data;
    if (scan->source_count >= WRAPPER_MAX_OBJECTS)
        return 1;
    wrapper_source *source = &scan->sources[scan->source_count];
    memcpy(source->path, scan->directory, scan->directory_length);
    if (object_build_id(info, source->path + scan->directory_length, sizeof source->path - scan->directory_length) != 0)
        return 0;
    uint32_t count = cache_file_count(source->path);
    if (count == 0)
        return 0;
    source->bias = info->dlpi_addr;
    source->count = count;
    scan->total += count;
    scan->source_count++;
    return 0;
}

static void sort_ranges(invisible_wrapper_range *ranges, uint64_t count)
{
    /* Shell sort: in place, no allocation; each object's ranges arrive sorted already. */
    static const uint64_t gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };
    for (size_t g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
        uint64_t gap = gaps[g];
        for (uint64_t i = gap; i < count; i++) {
            invisible_wrapper_range item = ranges[i];
            uint64_t j = i;
            for (; j >= gap && ranges[j - gap].start > item.start; j -= gap)
                ranges[j] = ranges[j - gap];
            ranges[j] = item;
        }
    }
}

/* From the constructor (invisible_instrument_start), before the program runs: libc calls are
 * fine here (getenv, open, read), and nothing is allocated with malloc. */
void wrappers_load(void)
{
    wrapper_table *table = &instrument_state.wrappers;
    const char *switch_value = getenv("INVISIBLE_WRAPPERS");
    if (table->count || (switch_value && strcmp(switch_value, "no") == 0))
        return;
    wrapper_scan scan;
    memset(&scan, 0, sizeof scan);
    if (wrapper_directory(scan.directory, sizeof scan.directory, &scan.directory_length) != 0)
        return;
    size_t sources_bytes = WRAPPER_MAX_OBJECTS * sizeof(wrapper_source);
    scan.sources = own_map(sources_bytes, 1);
    if (!scan.sources)
        return;
    dl_iterate_phdr(find_cache_files, &scan);
    invisible_wrapper_range *ranges = NULL;
    uint64_t filled = 0;
    if (scan.total > 0 && scan.total < (1u << 24))
        ranges = own_map(scan.total * sizeof *ranges, 0);
    for (uint32_t s = 0; ranges && s < scan.source_count; s++) {
        wrapper_source *source = &scan.sources[s];
        int fd = open(source->path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        if (lseek(fd, WRAPPER_FILE_HEADER, SEEK_SET) == WRAPPER_FILE_HEADER) {
            for (uint32_t k = 0; k < source->count && filled < scan.total; k++) {
                wrapper_file_entry e;
                if (read_all(fd, &e, sizeof e) != 0)
                    break;
                if (e.end <= e.start || e.extra == 0)
                    continue;
                invisible_wrapper_range *r = &ranges[filled++];
                r->start = e.start + source->bias;
                r->end = e.end + source->bias;
                r->extra = e.extra < INVISIBLE_MAX_DEPTH ? e.extra : INVISIBLE_MAX_DEPTH - 1;
            }
        }
        close(fd);
    }
    own_unmap(scan.sources, sources_bytes);
    if (!filled)
        return;
    sort_ranges(ranges, filled);
    uint32_t max_extra = 0;
    for (uint64_t i = 0; i < filled; i++)
        if (ranges[i].extra > max_extra)
            max_extra = ranges[i].extra;
    table->ranges = ranges;
    table->max_extra = max_extra;
    __atomic_store_n(&table->count, filled, __ATOMIC_RELEASE);
}
