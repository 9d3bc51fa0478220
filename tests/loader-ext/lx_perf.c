/* A generated hot loop, "lxhotloop", for lx_perf.sh (perf record/report + perf map). */
#include "lx_common.h"
#include <unistd.h>

int main(void)
{
    void *h = dlcreate("lxperf");
    CHECK(h);
    /* mov $400000000,%ecx; 1: dec %ecx; jnz 1b; ret */
    unsigned char c[] = {0xb9, 0x00, 0x84, 0xd7, 0x17, 0xff, 0xc9, 0x75, 0xfc, 0xc3};
    void *f = dlalloc(h, sizeof c, DLEXT_CODE);
    CHECK(f);
    memcpy(dlwriteptr(h, f), c, sizeof c);
    CHECK(dlbindcfi(h, "lxhotloop", f, sizeof c, STT_FUNC, NULL, 0));
    ((void (*)(void))f)();
    printf("pid %d addr %p\n", (int)getpid(), f);
    return 0;
}
