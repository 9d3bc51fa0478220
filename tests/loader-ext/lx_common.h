/* lx_common.h — helpers shared by the loader-ext tests. */
#ifndef LX_COMMON_H
#define LX_COMMON_H
#define _GNU_SOURCE
#include "dlext.h"
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(c)                                                                             \
    do {                                                                                     \
        if (!(c)) {                                                                          \
            const char *e_ = dlexterror();                                                   \
            fprintf(stderr, "%s:%d: CHECK failed: %s (dlexterror: %s)\n", __FILE__, __LINE__, \
                    #c, e_ ? e_ : "none");                                                   \
            exit(1);                                                                         \
        }                                                                                    \
    } while (0)

/* Emit "mov $v, %eax; ret" (a leaf function returning v) into code space; returns its address. */
static inline void *lx_gen_ret(void *h, int v)
{
    unsigned char code[] = {0xb8, 0, 0, 0, 0, 0xc3};
    memcpy(code + 1, &v, 4);
    void *f = dlalloc(h, sizeof code, DLEXT_CODE);
    if (!f)
        return NULL;
    memcpy(dlwriteptr(h, f), code, sizeof code);
    return f;
}

/* Emit a frame-pointer function that calls target():
 *   push %rbp; mov %rsp,%rbp; movabs $target,%rax; call *%rax; nop; pop %rbp; ret
 * Returns its address; *len receives its size. */
static inline void *lx_gen_call(void *h, void (*target)(void), size_t *len)
{
    unsigned char code[] = {0x55, 0x48, 0x89, 0xe5, 0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,
                            0xff, 0xd0, 0x90, 0x5d, 0xc3};
    uint64_t t = (uint64_t)(uintptr_t)target;
    memcpy(code + 6, &t, 8);
    void *f = dlalloc(h, sizeof code, DLEXT_CODE);
    if (!f)
        return NULL;
    memcpy(dlwriteptr(h, f), code, sizeof code);
    *len = sizeof code;
    return f;
}

/* A function without a frame pointer that calls target(); its unwind rules must come from
 * the caller-supplied CFI (lx_nofp_cfi):
 *   0: sub $24,%rsp; 4: movabs $target,%rax; 14: call *%rax; 16: nop; 17: add $24,%rsp; 21: ret */
static const unsigned char lx_nofp_cfi[] = {0x44, 0x0e, 0x20, 0x51, 0x0e, 0x08};
static inline void *lx_gen_nofp(void *h, void (*target)(void), size_t *len)
{
    unsigned char code[] = {0x48, 0x83, 0xec, 0x18, 0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,
                            0xff, 0xd0, 0x90, 0x48, 0x83, 0xc4, 0x18, 0xc3};
    uint64_t t = (uint64_t)(uintptr_t)target;
    memcpy(code + 6, &t, 8);
    void *f = dlalloc(h, sizeof code, DLEXT_CODE);
    if (!f)
        return NULL;
    memcpy(dlwriteptr(h, f), code, sizeof code);
    *len = sizeof code;
    return f;
}
#endif
