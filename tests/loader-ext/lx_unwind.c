/* The libgcc unwinder (via PT_GNU_EH_FRAME in the object, found through _dl_find_object /
 * dl_iterate_phdr) steps through generated functions: backtrace() from a C callback called by
 * main -> lxgen_outer -> lxgen_mid (caller CFI, no frame pointer) -> lxgen_inner -> callback
 * must reach main, and dladdr names the generated frames.  Repeated after the object has grown
 * into further segments, and with out-of-order binding (search-table insertion). */
#include "lx_common.h"
#include <dlfcn.h>
#include <execinfo.h>
#include <unwind.h>

static int saw_main, frames;
static char names[16][64];

static _Unwind_Reason_Code count_cb(struct _Unwind_Context *ctx, void *arg)
{
    (void)arg;
    Dl_info di;
    uintptr_t ip = _Unwind_GetIP(ctx);
    if (frames < 16) {
        names[frames][0] = 0;
        if (dladdr((void *)(ip - 1), &di) && di.dli_sname)
            snprintf(names[frames], sizeof names[frames], "%s", di.dli_sname);
    }
    if (frames < 16 && strcmp(names[frames], "main") == 0)
        saw_main = 1;
    frames++;
    return _URC_NO_REASON;
}

static void callback(void)
{
    saw_main = frames = 0;
    _Unwind_Backtrace(count_cb, NULL);
    void *bt[32];
    int n = backtrace(bt, 32);
    int bt_main = 0;
    char **sy = backtrace_symbols(bt, n);
    for (int i = 0; sy && i < n; i++)
        if (strstr(sy[i], "(main+"))
            bt_main = 1;
    free(sy);
    CHECK(bt_main);
}

static void run_chain(void *h, const char *suffix, int reverse)
{
    char n1[64], n2[64], n3[64];
    snprintf(n1, sizeof n1, "lxgen_inner%s", suffix);
    snprintf(n2, sizeof n2, "lxgen_mid%s", suffix);
    snprintf(n3, sizeof n3, "lxgen_outer%s", suffix);
    size_t l1, l2, l3;
    void *inner = lx_gen_call(h, callback, &l1);
    void *mid = lx_gen_nofp(h, (void (*)(void))inner, &l2);
    void *outer = lx_gen_call(h, (void (*)(void))mid, &l3);
    CHECK(inner && mid && outer);
    if (reverse) /* bind in decreasing address order: exercises sorted insertion */
        CHECK(dlbind(h, n3, outer, l3, STT_FUNC));
    CHECK(dlbindcfi(h, n2, mid, l2, STT_FUNC, lx_nofp_cfi, sizeof lx_nofp_cfi));
    CHECK(dlbind(h, n1, inner, l1, STT_FUNC));
    if (!reverse)
        CHECK(dlbind(h, n3, outer, l3, STT_FUNC));
    ((void (*)(void))dlsym(h, n3))();
    CHECK(saw_main);
    CHECK(strcmp(names[1], n1) == 0 && strcmp(names[2], n2) == 0 && strcmp(names[3], n3) == 0);
}

int main(void)
{
    void *h = dlcreate("lxunwind");
    CHECK(h);
    run_chain(h, "", 0);
    run_chain(h, "_rev", 1);
    /* push the code space past the first segment's capacity, then unwind again */
    for (int i = 0; i < 3000; i++)
        CHECK(dlalloc(h, 256, DLEXT_CODE));
    run_chain(h, "_grown", 0);
    CHECK(strstr(names[1], "_grown"));
    Dl_info di;
    CHECK(dladdr(dlsym(h, "lxgen_inner_grown"), &di) && strstr(di.dli_fname, "lxunwind.1"));
    CHECK(dldestroy(h) == 0);
    printf("lx_unwind: ok\n");
    return 0;
}
