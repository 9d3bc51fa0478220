/* dlx_core.c — dlcreate/dlalloc/dlbind/dldsym/dldestroy: objects, segments, registry, errors.
 *
 * Locks, in acquisition order (never the reverse):
 *   create_mu   serialises dlcreate/dldestroy (so name checks and file creation are atomic)
 *   reg_lock    rwlock over the registry array; read-held for the whole of any call that uses
 *               an object, write-held only to insert/remove, so a destroyed object cannot be
 *               freed under a concurrent caller
 *   obj->mu     serialises writers of one object (segments, tables, bump pointers)
 *   glibc's dl_load_lock (inside dlopen/dlsym/dlclose), then dlx_debug's mutexes.
 * Readers of the ELF tables (dlsym, dladdr, libgcc) take none of ours.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <dirent.h>
#include <dlfcn.h>
#include <signal.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define NAME_MAX_LEN 200
#define SYM_MAX_LEN 4000
#define CFI_MAX_LEN 256
#define SEG_MAX 64
#define INIT_CODECAP (256u << 10)
#define INIT_DATACAP (256u << 10)
#define ALLOC_ALIGN 16u
#define DEFAULT_MAXSYMS (1u << 22)

struct dlx_seg {
    void *handle; /* dlopen handle */
    uintptr_t base; /* l_addr */
    struct dlx_tables t;
    int fd;
    char segname[NAME_MAX_LEN + 32]; /* "name" or "name.K": file and SONAME */
    char path[512];  /* dlopen path (tmpfs file, or /proc/PID/fd/N for memfd) */
    int unlink_path; /* path is a file we created */
    pid_t owner;     /* process that created the file (a forked child must not remove it) */
    size_t code_used, data_used;
};

struct dlx_obj {
    void *handle; /* == segs[0]->handle, what users hold */
    char name[NAME_MAX_LEN + 1];
    pthread_mutex_t mu;
    struct dlx_seg *segs[SEG_MAX];
    size_t nsegs;
    struct dlx_jitset jit;
};

static pthread_mutex_t create_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t reg_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct dlx_obj **reg;
static size_t nreg, regcap;

/* ---------------------------------------------------------------- errors */
static __thread char err_buf[320];
static __thread int err_set;

static void *fail(int e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void *fail(int e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err_buf, sizeof err_buf, fmt, ap);
    va_end(ap);
    err_set = 1;
    errno = e;
    return NULL;
}

DLEXT_API const char *dlexterror(void)
{
    if (!err_set)
        return NULL;
    err_set = 0;
    return err_buf;
}

/* ---------------------------------------------------------------- registry */
static struct dlx_obj *reg_find(const void *h)
{
    for (size_t i = 0; i < nreg; i++)
        if (reg[i]->handle == h)
            return reg[i];
    return NULL;
}

/* Objects and their growth segments share one file namespace. */
static struct dlx_obj *reg_find_name(const char *name)
{
    for (size_t i = 0; i < nreg; i++)
        for (size_t k = 0; k < reg[i]->nsegs; k++)
            if (strcmp(reg[i]->segs[k]->segname, name) == 0)
                return reg[i];
    return NULL;
}

/* Look up h with reg_lock read-held and obj->mu held; NULL (error set) if unknown. */
static struct dlx_obj *obj_enter(const void *h, const char *fn)
{
    if (!h)
        return fail(EINVAL, "%s: NULL handle", fn);
    pthread_rwlock_rdlock(&reg_lock);
    struct dlx_obj *o = reg_find(h);
    if (!o) {
        pthread_rwlock_unlock(&reg_lock);
        return fail(EINVAL, "%s: unknown handle %p (not from dlcreate, or destroyed)", fn, h);
    }
    pthread_mutex_lock(&o->mu);
    return o;
}

static void obj_leave(struct dlx_obj *o)
{
    pthread_mutex_unlock(&o->mu);
    pthread_rwlock_unlock(&reg_lock);
}

/* ---------------------------------------------------------------- backing files */
static char dir_path[256];
static pid_t dir_pid;
static int use_memfd = -1; /* -1 unknown, 0 tmpfs works, 1 tmpfs unusable */

/* Remove directories left by processes that died without running destructors (abort, kill):
 * <parent>/invisible-dlext.<pid> whose pid no longer exists. */
static void sweep_stale_dirs(const char *parent)
{
    DIR *d = opendir(parent);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        int pid;
        char tail;
        if (sscanf(de->d_name, "invisible-dlext.%d%c", &pid, &tail) != 1 || pid <= 0 ||
            pid == (int)getpid() || kill(pid, 0) == 0 || errno != ESRCH)
            continue;
        char sub[512];
        snprintf(sub, sizeof sub, "%s/%s", parent, de->d_name);
        int dfd = open(sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd >= 0 && faccessat(dfd, ".keep", F_OK, 0) == 0) { /* kept for perf report */
            close(dfd);
            continue;
        }
        DIR *sd = dfd >= 0 ? fdopendir(dfd) : NULL;
        struct stat st;
        if (sd && fstat(dfd, &st) == 0 && st.st_uid == geteuid()) {
            struct dirent *f;
            while ((f = readdir(sd)))
                if (f->d_name[0] != '.')
                    unlinkat(dfd, f->d_name, 0);
        }
        if (sd)
            closedir(sd);
        else if (dfd >= 0)
            close(dfd);
        rmdir(sub);
    }
    closedir(d);
}

/* <parent>/invisible-dlext.<pid>, parent = $INVISIBLE_DLEXT_DIR or /dev/shm.  Per process, so
 * that a file that already exists there can only be a leftover of a dead process with our pid
 * (or of our own earlier objects, which the registry rules out). */
static int ensure_dir(void)
{
    if (dir_pid == getpid() && dir_path[0])
        return 0;
    const char *parent = getenv("INVISIBLE_DLEXT_DIR");
    if (!parent || !parent[0])
        parent = "/dev/shm";
    snprintf(dir_path, sizeof dir_path, "%s/invisible-dlext.%d", parent, (int)getpid());
    dir_pid = getpid();
    sweep_stale_dirs(parent);
    if (mkdir(dir_path, 0700) != 0 && errno != EEXIST)
        return -1;
    struct stat st;
    if (lstat(dir_path, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
        errno = EACCES; /* never follow someone else's directory or symlink */
        return -1;
    }
    return 0;
}

static int open_backing(struct dlx_seg *s, const char *segname, int stale_ok)
{
    if (use_memfd != 1 && ensure_dir() == 0) {
        snprintf(s->path, sizeof s->path, "%s/%s", dir_path, segname);
        s->fd = open(s->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (s->fd < 0 && errno == EEXIST && stale_ok) { /* leftover of a dead process */
            unlink(s->path);
            s->fd = open(s->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        }
        if (s->fd >= 0) {
            s->unlink_path = 1;
            s->owner = getpid();
            return 0;
        }
        if (errno == EEXIST)
            return -1;
    }
    s->fd = memfd_create(segname, MFD_CLOEXEC);
    if (s->fd < 0)
        return -1;
    snprintf(s->path, sizeof s->path, "/proc/%d/fd/%d", (int)getpid(), s->fd);
    s->unlink_path = 0;
    return 0;
}

/* ---------------------------------------------------------------- segments */
static size_t env_size(const char *var, size_t dflt)
{
    const char *v = getenv(var);
    if (!v || !*v)
        return dflt;
    char *end;
    unsigned long long n = strtoull(v, &end, 0);
    return (*end || n < 16 || n > (1ull << 28)) ? dflt : (size_t)n;
}

static void seg_free(struct dlx_seg *s, int close_handle)
{
    if (close_handle && s->handle)
        dlclose(s->handle);
    if (s->t.w && s->t.w != MAP_FAILED)
        munmap(s->t.w, s->t.L.data_off);
    if (s->fd >= 0)
        close(s->fd);
    if (s->unlink_path && s->owner == getpid())
        unlink(s->path);
    __libc_free(s);
}

static struct dlx_seg *seg_try_create(const char *segname, const struct dlx_layout *in,
                                      int stale_ok)
{
    struct dlx_seg *s = __libc_calloc(1, sizeof *s);
    if (!s)
        return fail(ENOMEM, "dlcreate: out of memory");
    s->fd = -1;
    snprintf(s->segname, sizeof s->segname, "%s", segname);
    s->t.L = *in;
    dlx_layout_compute(&s->t.L);
    if (open_backing(s, segname, stale_ok) != 0) {
        int e = errno;
        seg_free(s, 0);
        return e == EEXIST ? fail(EEXIST, "object file \"%s\" already exists", segname)
                           : fail(e, "cannot create backing file for \"%s\": %s", segname,
                                  strerror(e));
    }
    if (ftruncate(s->fd, (off_t)s->t.L.total) != 0 ||
        (s->t.w = mmap(NULL, s->t.L.data_off, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd, 0)) ==
            MAP_FAILED) {
        int e = errno;
        s->t.w = NULL;
        seg_free(s, 0);
        return fail(e, "cannot size/map \"%s\": %s", segname, strerror(e));
    }
    dlx_image_init(&s->t, segname);
    s->handle = dlopen(s->path, RTLD_NOW | RTLD_LOCAL);
    if (!s->handle) {
        const char *de = dlerror();
        fail(ENOEXEC, "dlopen of \"%s\" failed: %s", s->path, de ? de : "?");
        seg_free(s, 0);
        return NULL;
    }
    struct link_map *lm = NULL;
    if (dlinfo(s->handle, RTLD_DI_LINKMAP, &lm) != 0 || !lm) {
        seg_free(s, 1);
        return fail(ENOEXEC, "dlinfo failed for \"%s\"", segname);
    }
    s->base = lm->l_addr;
    return s;
}

/* tmpfs first; if it cannot be mapped executable (noexec mount), memfd from then on. */
static struct dlx_seg *seg_create(const char *segname, const struct dlx_layout *in, int stale_ok)
{
    struct dlx_seg *s = seg_try_create(segname, in, stale_ok);
    if (!s && errno == ENOEXEC && use_memfd != 1) {
        int prev = use_memfd;
        use_memfd = 1;
        s = seg_try_create(segname, in, stale_ok);
        if (!s)
            use_memfd = prev;
    } else if (s && s->unlink_path) {
        use_memfd = 0;
    }
    return s;
}

static size_t pow2_at_least(size_t v)
{
    size_t p = 4096;
    while (p < v)
        p <<= 1;
    return p;
}

static void layout_for(struct dlx_layout *L, size_t symcap, size_t strcap, size_t codecap,
                       size_t datacap)
{
    memset(L, 0, sizeof *L);
    L->symcap = symcap;
    L->strcap = strcap;
    L->nbucket = (symcap / 2 > 32749 ? 32749 : symcap / 2) | 1;
    L->codecap = codecap;
    L->datacap = datacap;
    L->fdecap = codecap / 16 + 16;
    L->ehcap = L->fdecap * 48 + 64;
}

/* Append segment k (>= 1) able to hold `need` more bytes of the given kind. */
static struct dlx_seg *obj_grow(struct dlx_obj *o, int code, size_t need)
{
    if (o->nsegs >= SEG_MAX)
        return fail(ENOMEM, "dlalloc: object \"%s\" has reached %d segments", o->name, SEG_MAX);
    const struct dlx_layout *last = &o->segs[o->nsegs - 1]->t.L;
    size_t codecap = last->codecap, datacap = last->datacap;
    if (code)
        codecap = pow2_at_least(need > 2 * codecap ? need : 2 * codecap);
    else
        datacap = pow2_at_least(need > 2 * datacap ? need : 2 * datacap);
    size_t symcap = (codecap + datacap) / 16 + 1024;
    struct dlx_layout L;
    layout_for(&L, symcap, symcap * 64, codecap, datacap);
    char segname[NAME_MAX_LEN + 32];
    struct dlx_seg *s = NULL;
    for (int attempt = 0; attempt < 100 && !s; attempt++) {
        if (attempt == 0)
            snprintf(segname, sizeof segname, "%s.%zu", o->name, o->nsegs);
        else
            snprintf(segname, sizeof segname, "%s.%zu.%d", o->name, o->nsegs, attempt);
        s = seg_create(segname, &L, 0);
        if (!s && errno != EEXIST)
            return NULL;
    }
    if (!s)
        return NULL;
    o->segs[o->nsegs++] = s;
    return s;
}

static int valid_objname(const char *name)
{
    size_t n = strnlen(name, NAME_MAX_LEN + 1);
    if (n == 0 || n > NAME_MAX_LEN || !strcmp(name, ".") || !strcmp(name, ".."))
        return 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p == '/' || *p < 0x20 || *p == 0x7f)
            return 0;
    return 1;
}

/* ---------------------------------------------------------------- API */
DLEXT_API void *dlcreate(const char *name)
{
    if (!name)
        return fail(EINVAL, "dlcreate: NULL name");
    if (!valid_objname(name))
        return fail(EINVAL, "dlcreate: invalid object name (1..%d chars, no '/' or controls)",
                    NAME_MAX_LEN);
    struct dlx_obj *o = __libc_calloc(1, sizeof *o);
    if (!o)
        return fail(ENOMEM, "dlcreate: out of memory");
    pthread_mutex_lock(&create_mu);
    pthread_rwlock_rdlock(&reg_lock);
    int dup = reg_find_name(name) != NULL;
    pthread_rwlock_unlock(&reg_lock);
    if (dup) {
        pthread_mutex_unlock(&create_mu);
        __libc_free(o);
        return fail(EEXIST, "dlcreate: object \"%s\" already exists", name);
    }
    snprintf(o->name, sizeof o->name, "%s", name);
    pthread_mutex_init(&o->mu, NULL);
    size_t maxsyms = env_size("INVISIBLE_DLEXT_MAXSYMS", DEFAULT_MAXSYMS);
    struct dlx_layout L;
    layout_for(&L, maxsyms, maxsyms * 32, INIT_CODECAP, INIT_DATACAP);
    /* name is not in the registry (checked under create_mu), so an existing file is stale */
    struct dlx_seg *s = seg_create(name, &L, 1);
    if (!s) {
        if (errno == EEXIST)
            fail(EEXIST, "dlcreate: object \"%s\" already exists", name);
        pthread_mutex_unlock(&create_mu);
        __libc_free(o);
        return NULL;
    }
    o->segs[0] = s;
    o->nsegs = 1;
    o->handle = s->handle;
    pthread_rwlock_wrlock(&reg_lock);
    if (nreg == regcap) {
        size_t nc = regcap ? regcap * 2 : 16;
        struct dlx_obj **nr = __libc_realloc(reg, nc * sizeof *nr);
        if (!nr) {
            pthread_rwlock_unlock(&reg_lock);
            pthread_mutex_unlock(&create_mu);
            seg_free(s, 1);
            __libc_free(o);
            return fail(ENOMEM, "dlcreate: out of memory");
        }
        reg = nr;
        regcap = nc;
    }
    reg[nreg++] = o;
    pthread_rwlock_unlock(&reg_lock);
    pthread_mutex_unlock(&create_mu);
    return o->handle;
}

DLEXT_API void *dlalloc(void *h, size_t size, unsigned flags)
{
    if (flags & ~(DLEXT_CODE | DLEXT_DATA))
        return fail(EINVAL, "dlalloc: unknown flags 0x%x", flags);
    if ((flags & DLEXT_CODE) && (flags & DLEXT_DATA))
        return fail(EINVAL, "dlalloc: writable+executable space is refused (W^X)");
    if (size == 0 || size > (1ull << 34))
        return fail(size ? ENOMEM : EINVAL, "dlalloc: size %zu out of range (1..16 GiB)", size);
    struct dlx_obj *o = obj_enter(h, "dlalloc");
    if (!o)
        return NULL;
    int code = (flags & DLEXT_CODE) != 0;
    size_t sz = (size + ALLOC_ALIGN - 1) & ~(size_t)(ALLOC_ALIGN - 1);
    struct dlx_seg *s = o->segs[o->nsegs - 1];
    size_t cap = code ? s->t.L.codecap : s->t.L.datacap;
    size_t used = code ? s->code_used : s->data_used;
    if (used + sz > cap) {
        s = obj_grow(o, code, sz);
        if (!s) {
            obj_leave(o);
            return NULL;
        }
        used = 0;
    }
    uintptr_t addr = s->base + (code ? s->t.L.text_off : s->t.L.data_off) + used;
    if (code)
        s->code_used = used + sz;
    else
        s->data_used = used + sz;
    obj_leave(o);
    return (void *)addr;
}

enum where { W_OUTSIDE, W_CODE, W_DATA };

static struct dlx_seg *seg_of(struct dlx_obj *o, uintptr_t a, enum where *w)
{
    for (size_t i = 0; i < o->nsegs; i++) {
        struct dlx_seg *s = o->segs[i];
        const struct dlx_layout *L = &s->t.L;
        if (a >= s->base + L->text_off && a < s->base + L->data_off) {
            *w = W_CODE;
            return s;
        }
        if (a >= s->base + L->data_off && a < s->base + L->total) {
            *w = W_DATA;
            return s;
        }
    }
    *w = W_OUTSIDE;
    return NULL;
}

DLEXT_API void *dlwriteptr(void *h, const void *addr)
{
    struct dlx_obj *o = obj_enter(h, "dlwriteptr");
    if (!o)
        return NULL;
    enum where w;
    struct dlx_seg *s = seg_of(o, (uintptr_t)addr, &w);
    void *r = (s && w == W_CODE) ? s->t.w + ((uintptr_t)addr - s->base) : NULL;
    obj_leave(o);
    return r ? r : fail(EINVAL, "dlwriteptr: %p is not code space of this object", addr);
}

static int valid_symname(const char *sym)
{
    size_t n = strnlen(sym, SYM_MAX_LEN + 1);
    if (n == 0 || n > SYM_MAX_LEN)
        return 0;
    return strchr(sym, '\n') == NULL; /* perf map lines are newline-delimited */
}

/* Debug/profiler registration for a function in code space; failures here only lose
 * debuggability, never the binding. */
static void describe_function(struct dlx_obj *o, struct dlx_seg *s, const char *sym,
                              uintptr_t addr, size_t size, const unsigned char *cfi, size_t ncfi)
{
    dlx_fde_add(&s->t, addr - s->base, size, cfi, ncfi);
    dlx_jitset_add(&o->jit, sym, addr, size, cfi, ncfi);
    dlx_perfmap_add(addr, size, sym);
}

static void *bind_common(const char *fn, void *h, const char *sym, void *addr, size_t size,
                         unsigned char type, const unsigned char *cfi, size_t ncfi)
{
    if (!sym)
        return fail(EINVAL, "%s: NULL symbol name", fn);
    if (!valid_symname(sym))
        return fail(EINVAL, "%s: invalid symbol name (1..%d chars, no newline)", fn, SYM_MAX_LEN);
    if (!addr)
        return fail(EINVAL, "%s: NULL address for \"%s\"", fn, sym);
    if (type != STT_NOTYPE && type != STT_OBJECT && type != STT_FUNC)
        return fail(EINVAL, "%s: unsupported symbol type %u", fn, type);
    struct dlx_obj *o = obj_enter(h, fn);
    if (!o)
        return NULL;
    struct dlx_seg *s0 = o->segs[0];
    if (dlx_sym_find(&s0->t, sym)) {
        obj_leave(o);
        return fail(EEXIST, "%s: duplicate symbol \"%s\" in \"%s\"", fn, sym, o->name);
    }
    uintptr_t a = (uintptr_t)addr;
    enum where w;
    struct dlx_seg *s = seg_of(o, a, &w);
    uint16_t shndx = w == W_CODE ? DLX_SH_TEXT : DLX_SH_DATA;
    /* The segment holding addr indexes it for dladdr; segment 0 indexes every symbol for
     * dlsym(h).  Bound there first, so dlsym success implies dladdr success. */
    if (s && s != s0)
        dlx_sym_add(&s->t, sym, a - s->base, size, type, shndx); /* full: only dladdr misses */
    int r = (s == s0) ? dlx_sym_add(&s0->t, sym, a - s0->base, size, type, shndx)
                      : dlx_sym_add(&s0->t, sym, a, size, type, SHN_ABS);
    if (r != 0) {
        obj_leave(o);
        return fail(ENOSPC, "%s: symbol table of \"%s\" is full (INVISIBLE_DLEXT_MAXSYMS)", fn,
                    o->name);
    }
    if (type == STT_FUNC && w == W_CODE && size > 0)
        describe_function(o, s, sym, a, size, cfi, ncfi);
    obj_leave(o);
    return addr;
}

DLEXT_API void *dlbind(void *h, const char *sym, void *addr, size_t size, unsigned char stt_type)
{
    return bind_common("dlbind", h, sym, addr, size, stt_type, dlx_cfi_framepointer,
                       dlx_cfi_framepointer_len);
}

DLEXT_API void *dlbindcfi(void *h, const char *sym, void *addr, size_t size,
                          unsigned char stt_type, const void *cfi, size_t cfi_len)
{
    if ((!cfi && cfi_len) || cfi_len > CFI_MAX_LEN)
        return fail(EINVAL, "dlbindcfi: bad CFI (NULL with length, or longer than %d)",
                    CFI_MAX_LEN);
    return bind_common("dlbindcfi", h, sym, addr, size, stt_type, cfi, cfi_len);
}

/* "sym" or "sym$ns$token"; returns malloc'd name or NULL (error set). */
static char *mangle(const char *fn, const char *sym, const char *token, const char *ns)
{
    if (!sym)
        return fail(EINVAL, "%s: NULL symbol name", fn);
    if ((token && strchr(token, '$')) || (ns && strchr(ns, '$')))
        return fail(EINVAL, "%s: '$' is not allowed in a token or namespace", fn);
    size_t n = strnlen(sym, SYM_MAX_LEN + 1) + (token ? strnlen(token, SYM_MAX_LEN + 1) : 0) +
               (ns ? strnlen(ns, SYM_MAX_LEN + 1) : 0) + 3;
    if (n > SYM_MAX_LEN)
        return fail(EINVAL, "%s: name too long", fn);
    char *m = __libc_malloc(n);
    if (!m)
        return fail(ENOMEM, "%s: out of memory", fn);
    if (!token && !ns)
        snprintf(m, n, "%s", sym);
    else
        snprintf(m, n, "%s$%s$%s", sym, ns ? ns : "", token ? token : "");
    return m;
}

DLEXT_API void *dldbind(void *h, const char *sym, const char *token, const char *ns, void *addr,
                        size_t size, unsigned char stt_type)
{
    char *m = mangle("dldbind", sym, token, ns);
    if (!m)
        return NULL;
    void *r = bind_common("dldbind", h, m, addr, size, stt_type, dlx_cfi_framepointer,
                          dlx_cfi_framepointer_len);
    __libc_free(m);
    return r;
}

DLEXT_API void *dldsym(void *h, const char *sym, const char *token, const char *ns)
{
    char *m = mangle("dldsym", sym, token, ns);
    if (!m)
        return NULL;
    struct dlx_obj *o = obj_enter(h, "dldsym");
    if (!o) {
        __libc_free(m);
        return NULL;
    }
    /* Our own table walk: it is the same table dlsym uses, and it avoids disturbing the
     * caller's dlerror() state. */
    struct dlx_seg *s0 = o->segs[0];
    size_t i = dlx_sym_find(&s0->t, m);
    void *r = NULL;
    if (i) {
        const Elf64_Sym *st = (const Elf64_Sym *)(s0->t.w + s0->t.L.sym_off) + i;
        r = (void *)(st->st_shndx == SHN_ABS ? st->st_value : s0->base + st->st_value);
    }
    if (!r)
        fail(ENOENT, "dldsym: no entry point \"%s\" in \"%s\"", m, o->name);
    obj_leave(o);
    __libc_free(m);
    return r;
}

static void obj_free(struct dlx_obj *o)
{
    dlx_jitset_clear(&o->jit);
    for (size_t i = o->nsegs; i-- > 0;)
        seg_free(o->segs[i], 1);
    pthread_mutex_destroy(&o->mu);
    __libc_free(o);
}

DLEXT_API int dldestroy(void *h)
{
    if (!h) {
        fail(EINVAL, "dldestroy: NULL handle");
        return -1;
    }
    pthread_mutex_lock(&create_mu);
    pthread_rwlock_wrlock(&reg_lock); /* waits for every call still using the object */
    struct dlx_obj *o = reg_find(h);
    if (o) {
        for (size_t i = 0; i < nreg; i++)
            if (reg[i] == o) {
                reg[i] = reg[--nreg];
                break;
            }
    }
    pthread_rwlock_unlock(&reg_lock);
    if (o)
        obj_free(o);
    pthread_mutex_unlock(&create_mu);
    if (!o) {
        fail(EINVAL, "dldestroy: unknown handle %p (not from dlcreate, or destroyed)", h);
        return -1;
    }
    return 0;
}

/* At exit only the files go: unloading objects from a destructor could pull code from under
 * other destructors or atexit handlers that still reference generated functions. By default a
 * destructor removes them; a library that links loader-ext in may take that over (dlext.h). */
static volatile int cleanup_deferred;

void dlext_defer_file_cleanup(void) { cleanup_deferred = 1; }

__attribute__((destructor)) static void dlx_cleanup_files(void)
{
    if (!cleanup_deferred)
        dlext_cleanup_files_now();
}

void dlext_cleanup_files_now(void)
{
    const char *keep = getenv("INVISIBLE_DLEXT_KEEP");
    if (keep && keep[0] == '1' && dir_path[0] && dir_pid == getpid()) {
        /* keep the objects so that perf report (which reads file-backed code from the file,
         * not from perf-PID.map) can symbolise them; the marker stops the stale-dir sweep */
        char mark[300];
        snprintf(mark, sizeof mark, "%s/.keep", dir_path);
        int fd = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd >= 0)
            close(fd);
        return;
    }
    if (pthread_rwlock_tryrdlock(&reg_lock) != 0)
        return;
    for (size_t i = 0; i < nreg; i++)
        for (size_t k = 0; k < reg[i]->nsegs; k++)
            if (reg[i]->segs[k]->unlink_path && reg[i]->segs[k]->owner == getpid())
                unlink(reg[i]->segs[k]->path);
    pthread_rwlock_unlock(&reg_lock);
    if (dir_path[0] && dir_pid == getpid())
        rmdir(dir_path); /* fails harmlessly while other files remain */
}
