/* rawlibc.h — the real allocator and a few malloc-free, async-signal-safe helpers.
 *
 * Why: every function here may run inside an interposed malloc, inside a signal handler, or
 * while other threads are stopped holding arbitrary libc locks. So none of them calls malloc,
 * stdio or any function that takes a libc lock; they use raw system calls.
 */
#ifndef INVISIBLE_RAWLIBC_H
#define INVISIBLE_RAWLIBC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* glibc's own entry points, exported unversioned-compatible since 2.2.5. */
void *__libc_malloc(size_t size);
void __libc_free(void *ptr);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *ptr, size_t size);
void *__libc_memalign(size_t alignment, size_t size);
void *__libc_valloc(size_t size);
void *__libc_pvalloc(size_t size);

/* Anonymous private mapping; MAP_NORESERVE when `reserve_only`. NULL on failure. */
void *raw_map(size_t bytes, int reserve_only);
void raw_unmap(void *address, size_t bytes);
/* Does [start, end) overlap a mapping made by raw_map? */
int raw_is_own_region(uint64_t start, uint64_t end);

/* Write all of `text` to `fd`, retrying on EINTR and short writes. */
void raw_write_all(int fd, const char *text, size_t length);

/* Small formatting into a caller buffer (no locale, no malloc). Each returns the new length. */
size_t raw_append(char *buffer, size_t length, size_t capacity, const char *text);
size_t raw_append_u64(char *buffer, size_t length, size_t capacity, uint64_t value);
size_t raw_append_u64_grouped(char *buffer, size_t length, size_t capacity, uint64_t value);
size_t raw_append_hex(char *buffer, size_t length, size_t capacity, uint64_t value);

/* Monotonic clock in nanoseconds. */
uint64_t raw_now_ns(void);

pid_t raw_gettid(void);

#endif
