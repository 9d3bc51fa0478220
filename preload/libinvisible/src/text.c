/* text.c — formatting into caller buffers and writes to a descriptor, never through malloc or
 * stdio (see internal.h for why). */
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

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

int raw_write_checked(int fd, const char *text, size_t length)
{
    int saved = errno, error = 0;
    while (length > 0) {
        ssize_t n = write(fd, text, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            error = n < 0 ? errno : EIO;
            break;
        }
        text += n;
        length -= (size_t)n;
    }
    errno = saved;
    return error;
}

const char *raw_error_text(int error)
{
    const char *text = strerrordesc_np(error);
    return text ? text : "unknown error";
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
