/* Bad arguments never crash and report dlerror-style messages through dlexterror(). */
#include "lx_common.h"
#include <dlfcn.h>
#include <errno.h>

#define EXPECT_ERR(call, needle)                                                              \
    do {                                                                                      \
        (void)dlexterror();                                                                   \
        errno = 0;                                                                            \
        CHECK(!(call));                                                                       \
        int e_ = errno;                                                                       \
        const char *m_ = dlexterror();                                                        \
        if (!m_ || !strstr(m_, needle) || e_ == 0) {                                          \
            fprintf(stderr, "%s:%d: %s: message \"%s\" lacks \"%s\" (errno %d)\n", __FILE__,  \
                    __LINE__, #call, m_ ? m_ : "(null)", needle, e_);                        \
            exit(1);                                                                          \
        }                                                                                     \
        CHECK(dlexterror() == NULL); /* reading clears it */                                  \
    } while (0)

int main(void)
{
    static int not_a_handle;
    char longname[300];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;

    CHECK(dlexterror() == NULL);
    EXPECT_ERR(dlcreate(NULL), "NULL name");
    EXPECT_ERR(dlcreate(""), "invalid object name");
    EXPECT_ERR(dlcreate("a/b"), "invalid object name");
    EXPECT_ERR(dlcreate(".."), "invalid object name");
    EXPECT_ERR(dlcreate(longname), "invalid object name");

    void *h = dlcreate("lxerr");
    CHECK(h);
    EXPECT_ERR(dlcreate("lxerr"), "already exists");
    /* growth segments ("<name>.1") share the namespace: no clobbering of a live segment */
    for (int i = 0; i < 40; i++)
        CHECK(dlalloc(h, 16384, DLEXT_CODE));
    EXPECT_ERR(dlcreate("lxerr.1"), "already exists");

    /* unknown / NULL handles for every entry point */
    EXPECT_ERR(dlalloc(NULL, 16, DLEXT_CODE), "NULL handle");
    EXPECT_ERR(dlalloc(&not_a_handle, 16, DLEXT_CODE), "unknown handle");
    EXPECT_ERR(dlalloc((void *)0x1, 16, DLEXT_DATA), "unknown handle");
    void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD); /* a real but foreign handle */
    CHECK(libc);
    EXPECT_ERR(dlalloc(libc, 16, DLEXT_DATA), "unknown handle");
    EXPECT_ERR(dlbind(&not_a_handle, "s", &not_a_handle, 4, STT_OBJECT), "unknown handle");
    EXPECT_ERR(dldsym(&not_a_handle, "s", NULL, NULL), "unknown handle");
    EXPECT_ERR(dlwriteptr(&not_a_handle, &not_a_handle), "unknown handle");
    CHECK(dldestroy(&not_a_handle) == -1 && strstr(dlexterror(), "unknown handle"));
    CHECK(dldestroy(NULL) == -1 && strstr(dlexterror(), "NULL handle"));
    CHECK(dldestroy(libc) == -1 && dlexterror());

    /* dlalloc arguments */
    EXPECT_ERR(dlalloc(h, 0, DLEXT_CODE), "out of range");
    EXPECT_ERR(dlalloc(h, (size_t)-1, DLEXT_CODE), "out of range");
    EXPECT_ERR(dlalloc(h, 16, DLEXT_CODE | DLEXT_DATA), "W^X");
    EXPECT_ERR(dlalloc(h, 16, 0x100), "unknown flags");
    void *d = dlalloc(h, 16, DLEXT_DATA);
    CHECK(d);
    EXPECT_ERR(dlwriteptr(h, d), "not code space");
    EXPECT_ERR(dlwriteptr(h, NULL), "not code space");

    /* dlbind arguments */
    EXPECT_ERR(dlbind(h, NULL, d, 4, STT_OBJECT), "NULL symbol");
    EXPECT_ERR(dlbind(h, "", d, 4, STT_OBJECT), "invalid symbol name");
    EXPECT_ERR(dlbind(h, "a\nb", d, 4, STT_OBJECT), "invalid symbol name");
    EXPECT_ERR(dlbind(h, "s", NULL, 4, STT_OBJECT), "NULL address");
    EXPECT_ERR(dlbind(h, "s", d, 4, STT_TLS), "unsupported symbol type");
    EXPECT_ERR(dlbindcfi(h, "s", d, 4, STT_FUNC, NULL, 3), "bad CFI");
    CHECK(dlbind(h, "s", d, 4, STT_OBJECT) == d);
    EXPECT_ERR(dlbind(h, "s", d, 4, STT_OBJECT), "duplicate symbol");
    EXPECT_ERR(dldbind(h, "s", NULL, NULL, d, 4, STT_OBJECT), "duplicate symbol");
    CHECK(dldbind(h, "s", "t", NULL, d, 4, STT_OBJECT) == d); /* another entry point: fine */
    EXPECT_ERR(dldbind(h, "s", "t", NULL, d, 4, STT_OBJECT), "duplicate symbol");
    EXPECT_ERR(dldbind(h, "s", "a$b", NULL, d, 4, STT_OBJECT), "'$'");

    /* dldsym */
    EXPECT_ERR(dldsym(h, NULL, NULL, NULL), "NULL symbol");
    EXPECT_ERR(dldsym(h, "nope", NULL, NULL), "no entry point");
    EXPECT_ERR(dldsym(h, "s", "other", NULL), "no entry point");
    EXPECT_ERR(dldsym(h, "s", NULL, "x$y"), "'$'");
    CHECK(dldsym(h, "s", "t", NULL) == d);
    CHECK(dldsym(h, "s", "t", "") == d); /* NULL and "" namespace are the same */

    /* errors are per thread and do not leak into dlerror() */
    (void)dlerror();
    EXPECT_ERR(dldsym(h, "nope", NULL, NULL), "no entry point");
    CHECK(dlerror() == NULL);

    CHECK(dldestroy(h) == 0);
    EXPECT_ERR(dlalloc(h, 16, DLEXT_CODE), "unknown handle");
    EXPECT_ERR(dlbind(h, "s2", d, 4, STT_OBJECT), "unknown handle");
    CHECK(dldestroy(h) == -1);
    printf("lx_errors: ok\n");
    return 0;
}
