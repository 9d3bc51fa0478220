/* Micro-benchmark for scripts/bench/dlbind:
 *   lx_bench N [normal.so]
 * prints ns per dlbind, per dlsym (plain, on the dlcreate handle), per dldsym, per dladdr,
 * and, if normal.so (exporting fn0..fn{N-1}) is given, ns per plain dlsym on it. */
#include "lx_common.h"
#include <dlfcn.h>
#include <time.h>

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 10000;
    char (*names)[32] = calloc((size_t)n, 32);
    void **addr = calloc((size_t)n, sizeof *addr);
    CHECK(names && addr);
    void *h = dlcreate("lxbench");
    CHECK(h);
    for (long i = 0; i < n; i++) {
        addr[i] = lx_gen_ret(h, (int)i);
        CHECK(addr[i]);
        snprintf(names[i], 32, "fn%ld", i);
    }
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        CHECK(dlbind(h, names[i], addr[i], 6, STT_FUNC));
    double t1 = now_ns();
    for (long i = 0; i < n; i++)
        CHECK(dlsym(h, names[i]) == addr[i]);
    double t2 = now_ns();
    for (long i = 0; i < n; i++)
        CHECK(dldsym(h, names[i], NULL, NULL) == addr[i]);
    double t3 = now_ns();
    long na = n < 2000 ? n : 2000; /* glibc's dladdr scans DT_HASH objects linearly */
    Dl_info di;
    for (long i = 0; i < na; i++)
        CHECK(dladdr(addr[i * (n / na)], &di) && di.dli_sname);
    double t4 = now_ns();
    printf("symbols              %ld\n", n);
    printf("dlbind               %8.0f ns/symbol\n", (t1 - t0) / n);
    printf("dlsym (dlcreate obj) %8.0f ns/symbol\n", (t2 - t1) / n);
    printf("dldsym               %8.0f ns/symbol\n", (t3 - t2) / n);
    printf("dladdr (dlcreate)    %8.0f ns/call\n", (t4 - t3) / na);
    if (argc > 2) {
        void *lib = dlopen(argv[2], RTLD_NOW | RTLD_LOCAL);
        CHECK(lib);
        double u0 = now_ns();
        for (long i = 0; i < n; i++)
            CHECK(dlsym(lib, names[i]));
        double u1 = now_ns();
        for (long i = 0; i < na; i++)
            CHECK(dladdr(dlsym(lib, names[i * (n / na)]), &di) && di.dli_sname);
        double u2 = now_ns();
        printf("dlsym (normal .so)   %8.0f ns/symbol\n", (u1 - u0) / n);
        printf("dladdr (normal .so)  %8.0f ns/call (incl. dlsym)\n", (u2 - u1) / na);
    }
    CHECK(dldestroy(h) == 0);
    return 0;
}
