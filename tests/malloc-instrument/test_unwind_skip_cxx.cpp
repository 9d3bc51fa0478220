// test_unwind_skip_cxx — INVISIBLE_UNWIND_SKIP_RUNTIME_LIBS through libstdc++: `new` and
// std::string growth reach malloc via operator new (libstdc++.so.6); the trace must start at
// the program's own call site. Like test_unwind_skip.c, this program interposes malloc itself.
#include <dlfcn.h>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "trace/unwind.h"

extern "C" {
void *__libc_malloc(size_t size);
void __libc_free(void *ptr);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *ptr, size_t size);
}

static __thread int armed;
static uintptr_t with_skip[16], without_skip[16];
static int with_count, without_count;

extern "C" void *malloc(size_t size)
{
    if (armed) {
        armed = 0;
        invisible_frame_state state;
        INVISIBLE_FRAME_STATE_HERE(state);
        without_count = invisible_unwind(&state, without_skip, 16, 0);
        with_count = invisible_unwind(&state, with_skip, 16, INVISIBLE_UNWIND_SKIP_RUNTIME_LIBS);
    }
    return __libc_malloc(size);
}
extern "C" void free(void *ptr) { __libc_free(ptr); }
extern "C" void *calloc(size_t count, size_t size) { return __libc_calloc(count, size); }
extern "C" void *realloc(void *ptr, size_t size) { return __libc_realloc(ptr, size); }

extern "C" __attribute__((noinline)) void site_new(void)
{
    armed = 1;
    int *p = new int[4];
    __asm__ volatile("" ::"r"(p) : "memory");
    delete[] p;
}

extern "C" __attribute__((noinline)) void site_string(void)
{
    std::string text("short");
    armed = 1;
    text.append(200, 'x'); // grows: operator new from inside libstdc++ code
    __asm__ volatile("" ::"r"(text.data()) : "memory");
}

static int check(const char *site, void (*run)(void))
{
    with_count = without_count = 0;
    run();
    Dl_info info;
    const char *top = with_count && dladdr((void *)with_skip[0], &info) && info.dli_sname ? info.dli_sname : "?";
    // the site itself, or an inlined std::string member in it: either way not libstdc++
    bool ok = with_count >= 2 && !invisible_pc_in_runtime_lib(with_skip[0]) && without_count > 0 &&
              invisible_pc_in_runtime_lib(without_skip[0]) && std::strcmp(top, site) == 0;
    std::printf("%-12s skip -> %s (%d frames), raw top in runtime lib: %d: %s\n", site, top, with_count,
                without_count ? invisible_pc_in_runtime_lib(without_skip[0]) : -1, ok ? "ok" : "FAIL");
    return ok ? 0 : 1;
}

int main()
{
    int failures = check("site_new", site_new) + check("site_string", site_string);
    return failures ? 1 : 0;
}
