/* test_unwind_skip — INVISIBLE_UNWIND_SKIP_RUNTIME_LIBS from inside a real malloc interposer.
 * This program defines malloc itself (forwarding to glibc's __libc_malloc), so calls made by
 * libc (strdup, fopen, qsort's merge buffer) land here with libc frames on top of the stack;
 * the skip flag must drop exactly those and start at the program's own call site. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/unwind.h"

void *__libc_malloc(size_t size);
void __libc_free(void *ptr);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *ptr, size_t size);

#define DEPTH 16
static __thread int armed;
static uintptr_t with_skip[DEPTH], without_skip[DEPTH];
static int with_count, without_count;

void *malloc(size_t size)
{
    if (armed) {
        armed = 0;
        invisible_frame_state state;
        INVISIBLE_FRAME_STATE_HERE(state);
        without_count = invisible_unwind(&state, without_skip, DEPTH, 0);
        with_count = invisible_unwind(&state, with_skip, DEPTH, INVISIBLE_UNWIND_SKIP_RUNTIME_LIBS);
    }
    return __libc_malloc(size);
}
void free(void *ptr) { __libc_free(ptr); }
void *calloc(size_t count, size_t size) { return __libc_calloc(count, size); }
void *realloc(void *ptr, size_t size) { return __libc_realloc(ptr, size); }

static int failures;

static const char *function_of(uintptr_t pc)
{
    Dl_info info;
    return dladdr((void *)pc, &info) && info.dli_sname ? info.dli_sname : "?";
}

/* Exported (ENABLE_EXPORTS) so dladdr can name them. */
__attribute__((noinline)) void site_malloc(void)
{
    armed = 1;
    void *p = malloc(24);
    __asm__ volatile("" ::: "memory");
    free(p);
}

__attribute__((noinline)) void site_strdup(void)
{
    armed = 1;
    char *p = strdup("allocation site");
    __asm__ volatile("" ::: "memory");
    free(p);
}

__attribute__((noinline)) void site_fopen(void)
{
    armed = 1;
    FILE *f = fopen("/dev/null", "r");
    __asm__ volatile("" ::: "memory");
    if (f)
        fclose(f);
}

static int compare_ints(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

__attribute__((noinline)) void site_qsort(void)
{
    enum { N = 4096 };
    static int values[N];
    for (int i = 0; i < N; i++)
        values[i] = (i * 7919) % N;
    armed = 1;
    qsort(values, N, sizeof values[0], compare_ints); /* merge buffer > 1 KiB: malloc'ed */
    __asm__ volatile("" ::: "memory");
}

static void expect(const char *site, void (*run)(void), int libc_frames_expected)
{
    with_count = without_count = 0;
    run();
    const char *skipped_top = with_count ? function_of(with_skip[0]) : "(none)";
    const char *raw_top = without_count ? function_of(without_skip[0]) : "(none)";
    /* with_skip[1] is expect() itself, which called the site */
    int ok = with_count >= 3 && strcmp(skipped_top, site) == 0 && !invisible_pc_in_runtime_lib(with_skip[1]);
    if (libc_frames_expected) {
        /* without the flag the trace starts inside libc and reaches the site further up */
        int site_index = -1;
        for (int i = 0; i < without_count; i++)
            if (with_skip[0] == without_skip[i])
                site_index = i;
        ok = ok && invisible_pc_in_runtime_lib(without_skip[0]) && site_index >= 1 &&
             memcmp(with_skip, without_skip + site_index,
                    sizeof(uintptr_t) * (size_t)(without_count - site_index < with_count ? without_count - site_index
                                                                                         : with_count)) == 0;
        for (int i = 0; ok && i < site_index; i++)
            ok = invisible_pc_in_runtime_lib(without_skip[i]);
    } else {
        ok = ok && without_count == with_count && memcmp(with_skip, without_skip, sizeof(uintptr_t) * (size_t)with_count) == 0;
    }
    printf("%-12s skip -> %s (%d frames), raw top %s (%d frames): %s\n", site, skipped_top, with_count, raw_top,
           without_count, ok ? "ok" : "FAIL");
    failures += !ok;
}

int main(void)
{
    expect("site_malloc", site_malloc, 0);
    expect("site_strdup", site_strdup, 1);
    expect("site_fopen", site_fopen, 1);
    expect("site_qsort", site_qsort, 1);
    expect("site_strdup", site_strdup, 1); /* warm cache */
    return failures ? 1 : 0;
}
