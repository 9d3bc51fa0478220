/* rawlibc.c — malloc-free helpers (see rawlibc.h for why). */
#define _GNU_SOURCE
#include "invisible/rawlibc.h"
#include "invisible/state.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

void *raw_map(size_t bytes, int reserve_only)
{
    int flags = MAP_PRIVATE | MAP_ANONYMOUS | (reserve_only ? MAP_NORESERVE : 0);
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    /* Remember our own mappings so the leak scan never takes them for roots. */
    spinlock_acquire(&invisible_state.own_regions_lock);
    if (invisible_state.own_region_count < OWN_REGION_CAPACITY) {
        own_region *r = &invisible_state.own_regions[invisible_state.own_region_count++];
        r->start = (uint64_t)(uintptr_t)p;
        r->end = r->start + bytes;
    }
    spinlock_release(&invisible_state.own_regions_lock);
    return p;
}

void raw_unmap(void *address, size_t bytes)
{
    if (!address)
        return;
    munmap(address, bytes);
    uint64_t start = (uint64_t)(uintptr_t)address;
    spinlock_acquire(&invisible_state.own_regions_lock);
    for (int i = 0; i < invisible_state.own_region_count; i++) {
        if (invisible_state.own_regions[i].start == start) {
            invisible_state.own_regions[i] = invisible_state.own_regions[--invisible_state.own_region_count];
            break;
        }
    }
    spinlock_release(&invisible_state.own_regions_lock);
}

int raw_is_own_region(uint64_t start, uint64_t end)
{
    for (int i = 0; i < invisible_state.own_region_count; i++)
        if (start < invisible_state.own_regions[i].end && end > invisible_state.own_regions[i].start)
            return 1;
    return 0;
}

void raw_write_all(int fd, const char *text, size_t length)
{
    int saved = errno;
    while (length > 0) {
        ssize_t n = write(fd, text, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        text += n;
        length -= (size_t)n;
    }
    errno = saved;
}

size_t raw_append(char *buffer, size_t length, size_t capacity, const char *text)
{
    while (*text && length + 1 < capacity)
        buffer[length++] = *text++;
    if (capacity)
        buffer[length < capacity ? length : capacity - 1] = 0;
    return length;
}

/* Append digits[count-1] .. digits[0] (they were produced least significant first). */
static size_t append_reversed(char *buffer, size_t length, size_t capacity, const char *digits, int count)
{
    while (count > 0 && length + 1 < capacity)
        buffer[length++] = digits[--count];
    if (capacity)
        buffer[length] = 0;
    return length;
}

size_t raw_append_u64(char *buffer, size_t length, size_t capacity, uint64_t value)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    return append_reversed(buffer, length, capacity, digits, n);
}

size_t raw_append_u64_grouped(char *buffer, size_t length, size_t capacity, uint64_t value)
{
    char digits[32];
    int n = 0, group = 0;
    do {
        if (group == 3) {
            digits[n++] = ',';
            group = 0;
        }
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
        group++;
    } while (value);
    return append_reversed(buffer, length, capacity, digits, n);
}

size_t raw_append_hex(char *buffer, size_t length, size_t capacity, uint64_t value)
{
    static const char hex[] = "0123456789abcdef";
    char digits[20];
    int n = 0;
    do {
        digits[n++] = hex[value & 15];
        value >>= 4;
    } while (value);
    length = raw_append(buffer, length, capacity, "0x");
    return append_reversed(buffer, length, capacity, digits, n);
}

uint64_t raw_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

pid_t raw_gettid(void)
{
    return (pid_t)syscall(SYS_gettid);
}
