/* launcher.c — build/bin/invisible: the command's first stage, in C.
 *
 * `invisible run [options] [--] PROGRAM [ARGS...]` is handled here, entirely: the options become
 * INVISIBLE_* variables, libinvisible.so goes first in LD_PRELOAD, and PROGRAM replaces us
 * (execve: no extra process, its exit status and signals are its own). It is C because the
 * program must get exactly what we got: argv and environment bytes as they are (not UTF-8
 * only), the environment's order, duplicates and entries without '=', and the signal
 * dispositions and mask we inherited — a managed runtime decodes argv, rebuilds the
 * environment and changes signal state before its Main runs. Nothing here touches a signal.
 *
 * Programs the preloaded library cannot reach are still run, after one line saying why nothing
 * will be reported (the library cannot say it: it is never loaded into them): a statically
 * linked program has no dynamic loader to read LD_PRELOAD, and the loader ignores LD_PRELOAD
 * paths for a program that gains privileges (setuid/setgid to someone else, file capabilities).
 *
 * Every other command (census, attach, python, report, --help, run --help, ...) is the NativeAOT CLI, executed with
 * our argv unchanged: build/libexec/invisible-cli beside build/bin/. So is build/bin/python3, a link to us: the CLI
 * sees argv[0] and runs as `invisible python` (sys.executable, which takes CPython's command line). For the
 * interpreter we also put libinvisible.so in LD_PRELOAD (python_environment), so it starts once, already observed.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#define EXIT_USAGE 2
#define MAX_SETTINGS 24
#define PATH_SETTING_MAX 4095 /* libinvisible.so's buffers: a longer path would be refused there */
#define SCRIPT_DEPTH 4        /* #! interpreters followed, as the kernel does */

extern char **environ;

typedef struct setting {
    const char *variable; /* INVISIBLE_... */
    char *value;          /* malloc'd */
} setting;

typedef struct option_spec {
    const char *name;
    const char *variable;
    int is_flag; /* takes no separate value ("--census" means yes) */
} option_spec;

static const option_spec OPTIONS[] = {
    { "--depth", "INVISIBLE_DEPTH", 0 },
    { "--leak-check", "INVISIBLE_LEAK_CHECK", 0 },
    { "--show-reachable", "INVISIBLE_SHOW_REACHABLE", 0 },
    { "--log", "INVISIBLE_LOG", 0 },
    { "--json", "INVISIBLE_JSON", 0 },
    { "--error-exitcode", "INVISIBLE_ERROR_EXITCODE", 0 },
    { "--alloc-fn", "INVISIBLE_ALLOC_FN", 0 },
    { "--stop-signal", "INVISIBLE_STOP_SIGNAL", 0 },
    { "--census", "INVISIBLE_CENSUS", 1 },
    { "--profile", "INVISIBLE_PROFILE", 1 },
    { "--snapshot-every", "INVISIBLE_SNAPSHOT_EVERY", 0 },
    { "--suppressions", "INVISIBLE_SUPPRESSIONS", 0 },
    { "--show-leak-kinds", "INVISIBLE_SHOW_LEAK_KINDS", 0 },
    { "--errors-for-leak-kinds", "INVISIBLE_ERRORS_FOR_LEAK_KINDS", 0 },
    { "--gen-suppressions", "INVISIBLE_GEN_SUPPRESSIONS", 0 },
    { "--quiet", "INVISIBLE_QUIET", 1 },
    { "--color", "INVISIBLE_COLOR", 0 },
};

static int fail(const char *format, const char *a, const char *b)
{
    fputs("invisible: ", stderr);
    fprintf(stderr, format, a, b);
    fputc('\n', stderr);
    return EXIT_USAGE;
}

/* Directory of this executable (build/bin), from /proc/self/exe. */
static int own_directory(char *directory, size_t capacity)
{
    ssize_t n = readlink("/proc/self/exe", directory, capacity - 1);
    if (n <= 0)
        return -1;
    directory[n] = 0;
    char *slash = strrchr(directory, '/');
    if (!slash)
        return -1;
    *slash = 0;
    return 0;
}

static int parse_int(const char *text, long low, long high)
{
    if (!*text)
        return 0;
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    return !errno && !*end && v >= low && v <= high;
}

/* valgrind's leak-kind lists: definite,indirect,possible,reachable (any, comma-separated), all, none. */
static int leak_kinds_valid(const char *value)
{
    if (!strcmp(value, "all") || !strcmp(value, "none"))
        return 1;
    static const char *const words[] = { "definite", "indirect", "possible", "reachable" };
    const char *p = value;
    do {
        size_t n = strcspn(p, ",");
        int known = 0;
        for (int i = 0; i < 4; i++)
            known |= strlen(words[i]) == n && !strncmp(p, words[i], n);
        if (!known)
            return 0;
        p += n;
    } while (*p++ == ',');
    return 1;
}

/* 1 when `value` is good for option `name`; otherwise 0 and the message in `message`. */
static int validate(const char *name, const char *value, char *message, size_t capacity)
{
    if (!strcmp(name, "--depth")) {
        if (parse_int(value, 1, 64))
            return 1;
        snprintf(message, capacity, "--depth must be 1..64, not '%s'", value);
    } else if (!strcmp(name, "--error-exitcode")) {
        if (parse_int(value, 0, 255))
            return 1;
        snprintf(message, capacity, "--error-exitcode must be 0..255, not '%s'", value);
    } else if (!strcmp(name, "--stop-signal")) {
        /* libinvisible.so's rule (options.c): the user and real-time signals only */
        if (parse_int(value, 1, 64)) {
            int n = atoi(value);
            if (n == SIGUSR1 || n == SIGUSR2 || (n >= SIGRTMIN && n <= SIGRTMAX))
                return 1;
        }
        snprintf(message, capacity, "--stop-signal must be SIGUSR1 (10), SIGUSR2 (12) or a real-time signal (%d..%d), not '%s'",
                 SIGRTMIN, SIGRTMAX, value);
    } else if (!strcmp(name, "--snapshot-every")) {
        if (parse_int(value, 1, 86400))
            return 1;
        snprintf(message, capacity, "--snapshot-every must be a number of seconds in 1..86400, not '%s'", value);
    } else if (!strcmp(name, "--leak-check") || !strcmp(name, "--show-reachable") || !strcmp(name, "--census") ||
               !strcmp(name, "--profile") || !strcmp(name, "--quiet")) {
        if (!strcmp(value, "yes") || !strcmp(value, "no") || !strcmp(value, "full"))
            return 1;
        snprintf(message, capacity, "%s must be yes or no, not '%s'", name, value);
    } else if (!strcmp(name, "--show-leak-kinds") || !strcmp(name, "--errors-for-leak-kinds")) {
        if (leak_kinds_valid(value))
            return 1;
        snprintf(message, capacity, "%s takes definite, indirect, possible, reachable (comma-separated), all or none, not '%s'",
                 name, value);
    } else if (!strcmp(name, "--color")) {
        if (!strcmp(value, "auto") || !strcmp(value, "always") || !strcmp(value, "never"))
            return 1;
        snprintf(message, capacity, "--color must be auto, always or never, not '%s'", value);
    } else if (!strcmp(name, "--gen-suppressions")) {
        if (!strcmp(value, "yes") || !strcmp(value, "all") || !strcmp(value, "no"))
            return 1;
        snprintf(message, capacity, "--gen-suppressions must be yes, all or no, not '%s'", value);
    } else if (!strcmp(name, "--suppressions") && strchr(value, ':')) {
        snprintf(message, capacity, "--suppressions: a file name with ':' cannot be passed on (INVISIBLE_SUPPRESSIONS separates files with it): '%s'",
                 value);
    } else if (!*value) {
        snprintf(message, capacity, "%s needs a value", name);
    } else if (strlen(value) > PATH_SETTING_MAX) {
        snprintf(message, capacity, "%s is longer than %d bytes", name, PATH_SETTING_MAX);
    } else {
        return 1;
    }
    return 0;
}

static const option_spec *find_option(const char *name, size_t length)
{
    for (size_t i = 0; i < sizeof OPTIONS / sizeof OPTIONS[0]; i++)
        if (strlen(OPTIONS[i].name) == length && !strncmp(OPTIONS[i].name, name, length))
            return &OPTIONS[i];
    return NULL;
}

static int set(setting *settings, int *count, const char *variable, const char *value, int append, char separator)
{
    for (int i = 0; i < *count; i++) {
        if (strcmp(settings[i].variable, variable))
            continue;
        char *joined;
        if (append) {
            if (asprintf(&joined, "%s%c%s", settings[i].value, separator, value) < 0)
                return -1;
        } else if (!(joined = strdup(value))) {
            return -1;
        }
        free(settings[i].value);
        settings[i].value = joined;
        return 0;
    }
    if (*count == MAX_SETTINGS)
        return -1;
    settings[*count].variable = variable;
    settings[*count].value = strdup(value);
    return settings[(*count)++].value ? 0 : -1;
}

static int names_variable(const char *entry, const char *variable)
{
    size_t n = strlen(variable);
    return !strncmp(entry, variable, n) && entry[n] == '=';
}

/* Our environment, unchanged in order and content, except: each variable we set replaces its
 * first occurrence (later ones of the same name are dropped, so nobody reads a stale value) or is
 * appended, and `library` is put first in LD_PRELOAD. */
static char **program_environment(const setting *settings, int count, const char *library)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + (size_t)count + 2, sizeof *env);
    if (!env)
        return NULL;
    int placed[MAX_SETTINGS + 1] = { 0 };
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        const char *entry = environ[i];
        int replaced = 0;
        for (int s = 0; s < count && !replaced; s++) {
            if (!names_variable(entry, settings[s].variable))
                continue;
            replaced = 1;
            if (!placed[s]++ && asprintf(&env[out++], "%s=%s", settings[s].variable, settings[s].value) < 0)
                return NULL;
        }
        if (!replaced && names_variable(entry, "LD_PRELOAD")) {
            replaced = 1;
            const char *old = entry + strlen("LD_PRELOAD=");
            if (!placed[count]++ && asprintf(&env[out++], "LD_PRELOAD=%s%s%s", library, *old ? ":" : "", old) < 0)
                return NULL;
        }
        if (!replaced)
            env[out++] = (char *)entry;
    }
    for (int s = 0; s < count; s++)
        if (!placed[s] && asprintf(&env[out++], "%s=%s", settings[s].variable, settings[s].value) < 0)
            return NULL;
    if (!placed[count] && asprintf(&env[out++], "LD_PRELOAD=%s", library) < 0)
        return NULL;
    env[out] = NULL;
    return env;
}

/* The absolute path of the library to preload. The default, BIN/../lib/libinvisible.so, is
 * spelled out from our own directory (already canonical: the kernel resolved /proc/self/exe),
 * which saves realpath's system call per path component on every run; a library named by
 * INVISIBLE_LIBRARY goes through realpath. */
static int library_path(const char *chosen, int is_default, char *library, size_t capacity)
{
    size_t n = strlen(chosen);
    const char *suffix = "/bin/../lib/libinvisible.so";
    size_t suffix_length = strlen(suffix);
    if (is_default && n > suffix_length && !strcmp(chosen + n - suffix_length, suffix) &&
        n - suffix_length + strlen("/lib/libinvisible.so") < capacity) {
        snprintf(library, capacity, "%.*s/lib/libinvisible.so", (int)(n - suffix_length), chosen);
        return access(library, R_OK) == 0;
    }
    return realpath(chosen, library) != NULL;
}

/* ---- programs the preloaded library cannot reach ---- */

/* The interpreter named by a "#!" line (the file's first line), or 0 when there is none. */
static int script_interpreter(const char *head, ssize_t length, char *out, size_t capacity)
{
    if (length < 3 || head[0] != '#' || head[1] != '!')
        return 0;
    ssize_t i = 2;
    while (i < length && (head[i] == ' ' || head[i] == '\t'))
        i++;
    size_t n = 0;
    while (i < length && head[i] != ' ' && head[i] != '\t' && head[i] != '\n' && n + 1 < capacity)
        out[n++] = head[i++];
    out[n] = 0;
    return n > 0;
}

/* A dynamically linked ELF has a PT_INTERP (the loader that reads LD_PRELOAD); a static one,
 * static-pie included, has none. 1 static, 0 dynamic or not an ELF we can judge. `head` holds
 * the file's first `length` bytes, where the program headers usually are. */
static int is_static_elf(int fd, const char *head, ssize_t length)
{
    Elf64_Ehdr h;
    memcpy(&h, head, sizeof h);
    if (h.e_ident[EI_CLASS] != ELFCLASS64 || h.e_phentsize != sizeof(Elf64_Phdr))
        return 0;
    for (unsigned i = 0; i < h.e_phnum; i++) {
        Elf64_Phdr ph;
        uint64_t at = h.e_phoff + i * sizeof ph;
        if (at + sizeof ph <= (uint64_t)length)
            memcpy(&ph, head + at, sizeof ph);
        else if (pread(fd, &ph, sizeof ph, (off_t)at) != (ssize_t)sizeof ph)
            return 0;
        if (ph.p_type == PT_INTERP)
            return 0;
    }
    return 1;
}

/* Would exec give `path` privileges we do not have? Then the kernel sets AT_SECURE and the
 * loader ignores LD_PRELOAD entries with a '/'. Setuid/setgid bits count unless the file system
 * is mounted nosuid or no_new_privs is set (then exec grants nothing); file capabilities
 * count for everyone but root. */
static int gains_privileges(const char *path, const struct stat *st)
{
    int set_id = (st->st_mode & S_ISUID) || ((st->st_mode & S_ISGID) && (st->st_mode & S_IXGRP));
    if (!set_id && getuid() == 0)
        return 0; /* root gains nothing from file capabilities either */
    if (!set_id && getxattr(path, "security.capability", NULL, 0) <= 0)
        return 0;
    if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1)
        return 0;
    struct statvfs fs;
    if (statvfs(path, &fs) == 0 && (fs.f_flag & ST_NOSUID))
        return 0;
    if ((st->st_mode & S_ISUID) && st->st_uid != getuid())
        return 1;
    if ((st->st_mode & S_ISGID) && (st->st_mode & S_IXGRP) && st->st_gid != getgid())
        return 1;
    return getuid() != 0 && getxattr(path, "security.capability", NULL, 0) > 0;
}

/* Print one line when `program` (as exec will find it at `path`) cannot be observed. */
static void warn_if_unobservable(const char *program, const char *path, int depth)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return; /* exec says what is wrong */
    struct stat st;
    char head[1024];
    ssize_t length = fstat(fd, &st) == 0 ? pread(fd, head, sizeof head, 0) : -1;
    char interpreter[PATH_MAX];
    if (length >= (ssize_t)sizeof(Elf64_Ehdr) && !memcmp(head, ELFMAG, SELFMAG)) {
        if (is_static_elf(fd, head, length))
            fprintf(stderr, "invisible: %s is statically linked: LD_PRELOAD cannot reach it, nothing will be reported\n", program);
        else if (gains_privileges(path, &st))
            fprintf(stderr, "invisible: %s runs with privileges we do not have (setuid, setgid or file capabilities): "
                            "the loader ignores LD_PRELOAD for it, nothing will be reported\n", program);
    } else if (depth < SCRIPT_DEPTH && script_interpreter(head, length, interpreter, sizeof interpreter)) {
        warn_if_unobservable(program, interpreter, depth + 1);
    }
    close(fd);
}

/* execve PROGRAM, searching PATH when it has no '/' (as execvp does, with the environment we
 * built); returns the errno to report. */
static int exec_program(const char *program, char **argv, char **env)
{
    if (strchr(program, '/')) {
        warn_if_unobservable(program, program, 0);
        execve(program, argv, env);
        return errno;
    }
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/bin:/bin";
    int error = ENOENT;
    char candidate[PATH_MAX];
    for (const char *p = path;; p++) {
        const char *end = strchrnul(p, ':');
        int length = (int)(end - p);
        if (snprintf(candidate, sizeof candidate, "%.*s%s%s", length, length ? p : ".", "/", program) < (int)sizeof candidate) {
            if (access(candidate, X_OK) == 0)
                warn_if_unobservable(program, candidate, 0);
            execve(candidate, argv, env);
            if (errno != ENOENT && errno != ENOTDIR)
                error = errno; /* e.g. EACCES: remembered, the search goes on (as execvp) */
        }
        if (!*end)
            break;
        p = end;
    }
    return error;
}

/* ---- the allocator wrappers, found before the program starts ---- */

/* The file execve will run for `program`: as exec_program searches PATH, and for a "#!" script
 * its interpreter (whose code allocates). 0 when none is found. */
static int program_file(const char *program, char *out, size_t capacity)
{
    char candidate[PATH_MAX];
    if (strchr(program, '/')) {
        if (snprintf(candidate, sizeof candidate, "%s", program) >= (int)sizeof candidate)
            return 0;
    } else {
        const char *path = getenv("PATH");
        if (!path)
            path = "/usr/bin:/bin";
        int found = 0;
        for (const char *p = path; !found;) {
            const char *end = strchrnul(p, ':');
            int length = (int)(end - p);
            found = snprintf(candidate, sizeof candidate, "%.*s/%s", length, length ? p : ".", program) < (int)sizeof candidate &&
                    access(candidate, X_OK) == 0;
            if (!*end)
                break;
            p = end + 1;
        }
        if (!found)
            return 0;
    }
    for (int hop = 0; hop < SCRIPT_DEPTH; hop++) {
        int fd = open(candidate, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return 0;
        char head[256];
        ssize_t length = read(fd, head, sizeof head);
        close(fd);
        char interpreter[PATH_MAX];
        if (length <= 0 || !script_interpreter(head, length, interpreter, sizeof interpreter))
            break;
        memcpy(candidate, interpreter, strlen(interpreter) + 1);
    }
    if (strlen(candidate) + 1 > capacity)
        return 0;
    memcpy(out, candidate, strlen(candidate) + 1);
    return 1;
}

/* `invisible wrappers --quiet -- FILE` (the CLI), waited for: it caches the allocator wrappers of
 * the program and its libraries by build id, which the preloaded library reads at start (adaptive
 * capture depth, issue 17). Cached files cost a build-id read. Silent: its output and errors go to
 * /dev/null, the program's streams are the program's. INVISIBLE_WRAPPERS=no skips it. */
static void fill_wrapper_cache(const char *program, const char *bin_directory)
{
    const char *choice = getenv("INVISIBLE_WRAPPERS");
    if (choice && !strcmp(choice, "no"))
        return;
    char file[PATH_MAX], cli[PATH_MAX + 32];
    if (!program_file(program, file, sizeof file))
        return;
    snprintf(cli, sizeof cli, "%s/../libexec/invisible-cli", bin_directory);
    fflush(stdout);
    pid_t child = fork();
    if (child < 0)
        return;
    if (child == 0) {
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 1);
            dup2(null, 2);
        }
        char *args[] = { cli, "wrappers", "--quiet", "--", file, NULL };
        execv(cli, args);
        _exit(127);
    }
    int status;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
}

static int run(int argc, char **argv, const char *bin_directory)
{
    setting settings[MAX_SETTINGS];
    int count = 0, i = 0;
    for (; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--")) {
            i++;
            break;
        }
        if (arg[0] != '-')
            break;
        const char *eq = strchr(arg, '=');
        size_t name_length = eq && eq != arg ? (size_t)(eq - arg) : strlen(arg);
        const option_spec *option = find_option(arg, name_length);
        const char *value;
        if (eq && eq != arg) {
            value = eq + 1;
        } else if (option && option->is_flag) {
            value = "yes";
        } else if (option && i + 1 < argc) {
            value = argv[++i];
        } else if (option) {
            return fail("option %s needs a value%s", arg, "");
        } else {
            return fail("unknown option '%s' (see invisible run --help)%s", arg, "");
        }
        if (!option)
            return fail("unknown option '%s' (see invisible run --help)%s", arg, "");
        char problem[512];
        if (!validate(option->name, value, problem, sizeof problem))
            return fail("%s%s", problem, "");
        /* A suppression file is named absolutely: a child that changes directory reads the same one. */
        char absolute[PATH_MAX * 2];
        int is_suppressions = !strcmp(option->name, "--suppressions");
        if (is_suppressions && value[0] != '/') {
            char cwd[PATH_MAX];
            if (getcwd(cwd, sizeof cwd) && snprintf(absolute, sizeof absolute, "%s/%s", cwd, value) < (int)sizeof absolute)
                value = absolute;
        }
        int append = !strcmp(option->name, "--alloc-fn") || is_suppressions;
        if (set(settings, &count, option->variable, value, append, is_suppressions ? ':' : ',') != 0)
            return fail("out of memory%s%s", "", "");
    }
    if (i >= argc)
        return fail("no program to run%s%s", "", "");

    char library[PATH_MAX];
    const char *chosen = getenv("INVISIBLE_LIBRARY");
    char joined[PATH_MAX + 32];
    if (!chosen) {
        snprintf(joined, sizeof joined, "%s/../lib/libinvisible.so", bin_directory);
        chosen = joined;
    }
    if (!library_path(chosen, !getenv("INVISIBLE_LIBRARY"), library, sizeof library))
        return fail("cannot find %s (run scripts/build)%s", chosen, "");

    char **env = program_environment(settings, count, library);
    if (!env)
        return fail("out of memory%s%s", "", "");
    fill_wrapper_cache(argv[i], bin_directory);
    fflush(stdout);
    int error = exec_program(argv[i], argv + i, env);
    return fail("cannot run '%s': %s", argv[i], strerror(error));
}

/* `invisible python` / build/bin/python3: the interpreter runs with libinvisible.so preloaded (so `process.heap` and
 * the census see its native allocations) unless INVISIBLE_PYTHON_NO_PRELOAD=1. Done here, not by the CLI re-executing
 * itself: that cost a second NativeAOT runtime start on every `-c pass` (~10 ms of CPU). INVISIBLE_PYTHON_REEXEC=1 tells
 * the CLI the choice is made; leak checking is off unless asked for. Returns only when nothing is to change. */
static char **python_environment(const char *bin_directory)
{
    const char *no = getenv("INVISIBLE_PYTHON_NO_PRELOAD");
    const char *pre = getenv("LD_PRELOAD");
    const char *again = getenv("INVISIBLE_PYTHON_REEXEC");
    if ((no && !strcmp(no, "1")) || (pre && strstr(pre, "libinvisible.so")) || (again && !strcmp(again, "1")))
        return NULL;
    char joined[PATH_MAX + 32], library[PATH_MAX];
    snprintf(joined, sizeof joined, "%s/../lib/libinvisible.so", bin_directory);
    if (!library_path(joined, 1, library, sizeof library))
        return NULL; /* no library beside us: the interpreter runs without the heap view, as the CLI did */
    setting settings[2] = { { "INVISIBLE_PYTHON_REEXEC", strdup("1") }, { "INVISIBLE_LEAK_CHECK", strdup("no") } };
    int count = getenv("INVISIBLE_LEAK_CHECK") ? 1 : 2;
    if (!settings[0].value || !settings[1].value)
        return NULL;
    return program_environment(settings, count, library);
}

int main(int argc, char **argv)
{
    char directory[PATH_MAX];
    if (own_directory(directory, sizeof directory) != 0)
        return fail("cannot find my own executable (/proc/self/exe)%s%s", "", "");
    /* `run --help` is the CLI's, like every other help text: one place says what each command takes. */
    int wants_help = argc >= 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"));
    /* build/bin/python3 links here: the CLI's python, whatever its first argument (`python3 run.py` is no `run`) */
    const char *name = strrchr(argv[0], '/');
    int as_python = !strncmp(name ? name + 1 : argv[0], "python", 6);
    if (argc >= 2 && !strcmp(argv[1], "run") && !wants_help && !as_python)
        return run(argc - 2, argv + 2, directory);
    char cli[PATH_MAX + 32];
    snprintf(cli, sizeof cli, "%s/../libexec/invisible-cli", directory);
    char **python_env = (as_python || (argc >= 2 && !strcmp(argv[1], "python"))) ? python_environment(directory) : NULL;
    if (python_env)
        execve(cli, argv, python_env);
    else
        execv(cli, argv);
    return fail("cannot run %s: %s", cli, strerror(errno));
}
