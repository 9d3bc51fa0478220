/* check.h — the C tests' assertion: report the failed condition with its place and count it,
 * then go on (a test prints every failure of a run, and exits non-zero if there was any). */
#ifndef INVISIBLE_TEST_CHECK_H
#define INVISIBLE_TEST_CHECK_H

#include <stdio.h>

static int failures;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
            failures++;                                                                \
        }                                                                              \
    } while (0)

#endif
