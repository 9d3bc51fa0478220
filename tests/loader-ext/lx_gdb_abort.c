/* Generates main -> lxgen_outer -> lxgen_mid -> lxgen_inner -> abort(): outer and inner use
 * the frame-pointer prologue (default CFI), mid has no frame pointer and caller-supplied CFI.
 * Run under gdb (lx_gdb_bt.sh) the backtrace must name all three and continue to main.  argv[1] = number of extra generated functions (benchmark). */
#include "lx_common.h"
#include <dlfcn.h>
#include <unistd.h>

/* --wait mode: park inside the generated frames until killed (gdb attaches meanwhile). */
static void lx_wait_forever(void)
{
    printf("ready\n");
    fflush(stdout);
    for (;;)
        pause();
}

int main(int argc, char **argv)
{
    int wait = argc > 1 && strcmp(argv[1], "--wait") == 0;
    int narg = wait ? 2 : 1; /* [--wait] [extra] */
    long extra = argc > narg ? strtol(argv[narg], NULL, 10) : 0;
    void *h = dlcreate("lxgdb");
    CHECK(h);
    char name[64];
    for (long i = 0; i < extra; i++) {
        void *f = lx_gen_ret(h, (int)i);
        CHECK(f);
        snprintf(name, sizeof name, "lxfiller_%ld", i);
        CHECK(dlbind(h, name, f, 6, STT_FUNC));
    }
    size_t len;
    void *inner = lx_gen_call(h, wait ? lx_wait_forever : (void (*)(void))abort, &len);
    CHECK(inner && dlbind(h, "lxgen_inner", inner, len, STT_FUNC));
    void *mid = lx_gen_nofp(h, (void (*)(void))inner, &len);
    CHECK(mid && dlbindcfi(h, "lxgen_mid", mid, len, STT_FUNC, lx_nofp_cfi, sizeof lx_nofp_cfi));
    void *outer = lx_gen_call(h, (void (*)(void))mid, &len);
    CHECK(outer && dlbind(h, "lxgen_outer", outer, len, STT_FUNC));
    void (*fp)(void) = (void (*)(void))dlsym(h, "lxgen_outer");
    CHECK(fp);
    fp();
    return 0;
}
