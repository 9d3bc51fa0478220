/* Capacity grows past the initial reservation: code and data spill into chained segments
 * (name.1, name.2 ...) behind the one handle; plain dlsym(h) and dladdr keep finding every
 * symbol; dldestroy removes all segments.  The symbol limit is reported, not a crash. */
#define _GNU_SOURCE
#include "lx_common.h"
#include <dlfcn.h>
#include <errno.h>
#include <unistd.h>

static int count_maps(const char *needle)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[1024], last[1024] = "";
    int n = 0;
    while (f && fgets(line, sizeof line, f)) {
        char *p = strstr(line, needle);
        if (p && strcmp(p, last) != 0) { /* count distinct files, not mappings */
            snprintf(last, sizeof last, "%s", p);
            n++;
        }
    }
    if (f)
        fclose(f);
    return n;
}

#define NFUNC 40000

int main(void)
{
    void *h = dlcreate("lxgrow");
    CHECK(h);
    static void *addr[NFUNC];
    char name[64];
    for (int i = 0; i < NFUNC; i++) {
        addr[i] = lx_gen_ret(h, i);
        CHECK(addr[i]);
        snprintf(name, sizeof name, "g%d", i);
        CHECK(dlbind(h, name, addr[i], 6, STT_FUNC));
    }
    /* a data block bigger than any segment so far */
    size_t big = 3u << 20;
    char *blk = dlalloc(h, big, DLEXT_DATA);
    CHECK(blk);
    memset(blk, 0x5a, big);
    CHECK(dlbind(h, "bigblock", blk, big, STT_OBJECT));
    for (int i = 0; i < NFUNC; i += 7) {
        snprintf(name, sizeof name, "g%d", i);
        int (*f)(void) = (int (*)(void))dlsym(h, name);
        CHECK(f == addr[i] && f() == i);
        Dl_info di;
        CHECK(dladdr(addr[i], &di) && di.dli_sname && strcmp(di.dli_sname, name) == 0);
    }
    Dl_info di;
    CHECK(dladdr(blk + big / 2, &di) && di.dli_sname && !strcmp(di.dli_sname, "bigblock"));
    CHECK(dlsym(h, "bigblock") == blk);
    int segs = count_maps("lxgrow");
    printf("segments after %d functions + %zu-byte block: %d\n", NFUNC, big, segs);
    CHECK(segs >= 3);
    CHECK(count_maps("lxgrow.1") >= 1);
    CHECK(dldestroy(h) == 0);
    CHECK(count_maps("lxgrow") == 0);

    /* the per-handle symbol limit is an error with a message */
    setenv("INVISIBLE_DLEXT_MAXSYMS", "100", 1);
    h = dlcreate("lxgrowlimit");
    CHECK(h);
    int i;
    for (i = 0; i < 1000; i++) {
        snprintf(name, sizeof name, "s%d", i);
        if (!dlbind(h, name, (void *)(uintptr_t)(0x1000 + i), 0, STT_NOTYPE))
            break;
    }
    const char *e = dlexterror();
    CHECK(i == 99 && errno == ENOSPC && e && strstr(e, "full"));
    CHECK(dlsym(h, "s98") == (void *)(uintptr_t)(0x1000 + 98));
    CHECK(dldestroy(h) == 0);
    printf("lx_growth: ok\n");
    return 0;
}
