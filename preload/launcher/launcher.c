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
 * Every other command (census, attach, python, --help, ...) is the NativeAOT CLI, executed with
 * our argv unchanged: build/libexec/invisible-cli beside build/bin/.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_USAGE 2
#define MAX_SETTINGS 16

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
        if (parse_int(value, 1, 64))
            return 1;
        snprintf(message, capacity, "--stop-signal must be a signal number");
    } else if (!strcmp(name, "--leak-check") || !strcmp(name, "--show-reachable") || !strcmp(name, "--census")) {
        if (!strcmp(value, "yes") || !strcmp(value, "no") || !strcmp(value, "full"))
            return 1;
        snprintf(message, capacity, "%s must be yes or no, not '%s'", name, value);
    } else {
        if (*value)
            return 1;
        snprintf(message, capacity, "%s needs a value", name);
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

static int set(setting *settings, int *count, const char *variable, const char *value, int append)
{
    for (int i = 0; i < *count; i++) {
        if (strcmp(settings[i].variable, variable))
            continue;
        char *joined;
        if (append) {
            if (asprintf(&joined, "%s,%s", settings[i].value, value) < 0)
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

/* execve PROGRAM, searching PATH when it has no '/' (as execvp does, with the environment we
 * built); returns the errno to report. */
static int exec_program(const char *program, char **argv, char **env)
{
    if (strchr(program, '/')) {
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
            return fail("unknown option '%s'%s", arg, "");
        }
        if (!option)
            return fail("unknown option '%s'%s", arg, "");
        char problem[512];
        if (!validate(option->name, value, problem, sizeof problem))
            return fail("%s%s", problem, "");
        if (set(settings, &count, option->variable, value, !strcmp(option->name, "--alloc-fn")) != 0)
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
    if (!realpath(chosen, library))
        return fail("cannot find %s (run scripts/build)%s", chosen, "");

    char **env = program_environment(settings, count, library);
    if (!env)
        return fail("out of memory%s%s", "", "");
    fflush(stdout);
    int error = exec_program(argv[i], argv + i, env);
    return fail("cannot run '%s': %s", argv[i], strerror(error));
}

int main(int argc, char **argv)
{
    char directory[PATH_MAX];
    if (own_directory(directory, sizeof directory) != 0)
        return fail("cannot find my own executable (/proc/self/exe)%s%s", "", "");
    if (argc >= 2 && !strcmp(argv[1], "run"))
        return run(argc - 2, argv + 2, directory);
    char cli[PATH_MAX + 32];
    snprintf(cli, sizeof cli, "%s/../libexec/invisible-cli", directory);
    execv(cli, argv);
    return fail("cannot run %s: %s", cli, strerror(errno));
}
