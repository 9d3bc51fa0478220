/* Concurrent dlbind (writers) and dlsym/dladdr/dldsym (lock-free readers) on one object, plus
 * concurrent dlcreate/dldestroy of private objects. */
#include "lx_common.h"
#include <dlfcn.h>
#include <pthread.h>

#define WRITERS 4
#define READERS 4
#define PER_WRITER 3000

static void *h;
static volatile int done_writers;
static volatile long published[WRITERS]; /* count of symbols each writer has bound */

static void *writer(void *arg)
{
    long w = (long)arg;
    char name[64];
    for (long i = 0; i < PER_WRITER; i++) {
        void *f = lx_gen_ret(h, (int)(w * 100000 + i));
        CHECK(f);
        snprintf(name, sizeof name, "w%ld_%ld", w, i);
        CHECK(dlbind(h, name, f, 6, STT_FUNC) == f);
        CHECK(dlbind(h, name, f, 6, STT_FUNC) == NULL && dlexterror()); /* racing duplicate */
        __atomic_store_n(&published[w], i + 1, __ATOMIC_RELEASE);
    }
    return NULL;
}

static void *reader(void *arg)
{
    unsigned seed = (unsigned)(long)arg;
    char name[64];
    long checks = 0;
    while (!__atomic_load_n(&done_writers, __ATOMIC_ACQUIRE) || checks < 20000) {
        long w = rand_r(&seed) % WRITERS;
        long n = __atomic_load_n(&published[w], __ATOMIC_ACQUIRE);
        if (n == 0)
            continue;
        long i = rand_r(&seed) % n;
        snprintf(name, sizeof name, "w%ld_%ld", w, i);
        int (*f)(void) = (int (*)(void))dlsym(h, name);
        CHECK(f && f() == (int)(w * 100000 + i));
        CHECK(dldsym(h, name, NULL, NULL) == (void *)f);
        Dl_info di;
        CHECK(dladdr((void *)f, &di) && di.dli_sname && strcmp(di.dli_sname, name) == 0);
        checks++;
    }
    return NULL;
}

static void *churn(void *arg)
{
    char name[32];
    for (int i = 0; i < 30; i++) {
        snprintf(name, sizeof name, "lxchurn%ld_%d", (long)arg, i);
        void *o = dlcreate(name);
        CHECK(o);
        void *f = lx_gen_ret(o, i);
        CHECK(f && dlbind(o, "f", f, 6, STT_FUNC));
        CHECK(((int (*)(void))dlsym(o, "f"))() == i);
        CHECK(dldestroy(o) == 0);
    }
    return NULL;
}

int main(void)
{
    h = dlcreate("lxthreads");
    CHECK(h);
    pthread_t wt[WRITERS], rt[READERS], ct[2];
    for (long i = 0; i < READERS; i++)
        pthread_create(&rt[i], NULL, reader, (void *)(i + 1));
    for (long i = 0; i < WRITERS; i++)
        pthread_create(&wt[i], NULL, writer, (void *)i);
    for (long i = 0; i < 2; i++)
        pthread_create(&ct[i], NULL, churn, (void *)i);
    for (int i = 0; i < WRITERS; i++)
        pthread_join(wt[i], NULL);
    __atomic_store_n(&done_writers, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < READERS; i++)
        pthread_join(rt[i], NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(ct[i], NULL);
    /* everything is there afterwards */
    char name[64];
    for (long w = 0; w < WRITERS; w++)
        for (long i = 0; i < PER_WRITER; i++) {
            snprintf(name, sizeof name, "w%ld_%ld", w, i);
            CHECK(dlsym(h, name));
        }
    CHECK(dldestroy(h) == 0);
    printf("lx_threads: ok\n");
    return 0;
}
