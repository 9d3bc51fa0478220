/* Basic contract: create, alloc, bind, plain dlsym/dladdr, maps, dl_iterate_phdr, link map,
 * dldsym entry points, destroy removes everything. */
#include "lx_common.h"
#include <dlfcn.h>
#include <link.h>
#include <unistd.h>

static int in_maps(const char *needle)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[1024];
    int found = 0;
    while (f && fgets(line, sizeof line, f))
        if (strstr(line, needle))
            found = 1;
    if (f)
        fclose(f);
    return found;
}

static int phdr_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    const char *n = info->dlpi_name;
    size_t ln = strlen(n), lw = strlen(data);
    return ln >= lw && strcmp(n + ln - lw, data) == 0;
}

static int in_link_map(void *any, const char *suffix)
{
    struct link_map *lm = NULL;
    dlinfo(any, RTLD_DI_LINKMAP, &lm);
    while (lm && lm->l_prev)
        lm = lm->l_prev;
    for (; lm; lm = lm->l_next) {
        size_t ln = strlen(lm->l_name), lw = strlen(suffix);
        if (ln >= lw && strcmp(lm->l_name + ln - lw, suffix) == 0)
            return 1;
    }
    return 0;
}

int main(void)
{
    void *h = dlcreate("lxbasic");
    CHECK(h);
    void *f = lx_gen_ret(h, 42);
    CHECK(f);
    CHECK(dlbind(h, "answer", f, 6, STT_FUNC) == f);
    int (*fp)(void) = (int (*)(void))dlsym(h, "answer");
    CHECK(fp == f);
    CHECK(fp() == 42);
    Dl_info di;
    CHECK(dladdr((char *)f + 2, &di) && di.dli_sname && strcmp(di.dli_sname, "answer") == 0);
    CHECK(di.dli_saddr == f && strstr(di.dli_fname, "lxbasic"));

    int *counter = dlalloc(h, sizeof(int), DLEXT_DATA);
    CHECK(counter);
    *counter = 7;
    CHECK(dlbind(h, "counter", counter, sizeof(int), STT_OBJECT));
    CHECK(dlsym(h, "counter") == counter && *(int *)dlsym(h, "counter") == 7);
    CHECK(dladdr(counter, &di) && di.dli_sname && strcmp(di.dli_sname, "counter") == 0);

    /* a symbol for an address outside the object: dlsym finds it, as an absolute value */
    CHECK(dlbind(h, "c_getpid", (void *)getpid, 0, STT_FUNC));
    CHECK(dlsym(h, "c_getpid") == (void *)getpid);

    /* entry points with tokens and namespaces */
    void *g = lx_gen_ret(h, 1), *g2 = lx_gen_ret(h, 2);
    CHECK(dldbind(h, "add", "ii>i", "py", g, 6, STT_FUNC));
    CHECK(dldbind(h, "add", "cc", NULL, g2, 6, STT_FUNC));
    CHECK(dldsym(h, "add", "ii>i", "py") == g);
    CHECK(dldsym(h, "add", "cc", NULL) == g2);
    CHECK(dlsym(h, "add$py$ii>i") == g);
    CHECK(dldsym(h, "add", "dd", "py") == NULL && dlexterror());
    CHECK(dldsym(h, "answer", NULL, NULL) == f);

    CHECK(in_maps("lxbasic"));
    CHECK(dl_iterate_phdr(phdr_cb, "lxbasic"));
    CHECK(in_link_map(h, "lxbasic"));

    CHECK(dldestroy(h) == 0);
    CHECK(!in_maps("lxbasic"));
    CHECK(!dl_iterate_phdr(phdr_cb, "lxbasic"));
    CHECK(dldestroy(h) == -1 && dlexterror());
    /* the name is free again */
    h = dlcreate("lxbasic");
    CHECK(h && dldestroy(h) == 0);
    printf("lx_basic: ok\n");
    return 0;
}
