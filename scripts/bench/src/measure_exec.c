/* Runs a command and prints "SECONDS PEAK_KIB EXIT CPU_SECONDS" to the file descriptor named by its first
 * argument. CPU_SECONDS: user + system time of the process and the children it waited for (wait4's
 * rusage), which a machine shared with other builds inflates far less than the wall clock.
 * scripts/bench/workloads starts every workload through it because a process forked from the (large)
 * Python driver inherits the driver's RSS high-water mark into ru_maxrss at exec; forked from this small
 * program, the floor is a few hundred KiB instead of Python's 15 MiB.
 *
 * usage: measure_exec FD PROGRAM [ARGS...] */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s FD PROGRAM [ARGS...]\n", argv[0]);
        return 2;
    }
    int report_fd = atoi(argv[1]);
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 2;
    }
    if (pid == 0) {
        close(report_fd);
        execvp(argv[2], argv + 2);
        perror(argv[2]);
        _exit(127);
    }
    int status;
    struct rusage usage;
    if (wait4(pid, &status, 0, &usage) < 0) {
        perror("wait4");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    double cpu = (double)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                 (double)(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    dprintf(report_fd, "%.6f %ld %d %.6f\n", seconds, usage.ru_maxrss, code, cpu);
    return 0;
}
