/* rg-workload: fixed guest workloads for regression checks; prints name=value lines. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(clockid_t clk)
{
    struct timespec ts;

    clock_gettime(clk, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Integer work, no system calls: what content cannot slow down. */
static int run_cpu(long n)
{
    volatile unsigned long acc = 1;

    for (long i = 0; i < n * 1000; i++)
        acc = acc * 6364136223846793005UL + 1442695040888963407UL;
    return acc == 0;
}

/* open() and close(): the path the sensor watches. */
static int run_syscall(long n)
{
    for (long i = 0; i < n; i++) {
        int fd = open("/proc/self/stat", O_RDONLY);

        if (fd < 0)
            return 1;
        close(fd);
    }
    return 0;
}

/* Create, write 4 KiB, close, on /tmp. */
static int run_fileio(long n)
{
    const char *path = "/tmp/rg-workload.dat";
    char buf[4096];

    memset(buf, 'r', sizeof(buf));
    for (long i = 0; i < n; i++) {
        int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);

        if (fd < 0)
            return 1;
        if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
            close(fd);
            return 1;
        }
        close(fd);
    }
    unlink(path);
    return 0;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(long);
    } loads[] = {{"cpu", run_cpu}, {"syscall", run_syscall}, {"fileio", run_fileio}};
    long n = argc > 2 ? atol(argv[2]) : 1000;

    for (size_t i = 0; argc > 1 && n > 0 && i < sizeof(loads) / sizeof(loads[0]); i++) {
        long long w0, c0;
        int rc;

        if (strcmp(argv[1], loads[i].name) != 0)
            continue;
        w0 = now_ns(CLOCK_MONOTONIC);
        c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
        rc = loads[i].run(n);
        printf("workload=%s\niterations=%ld\nwall_ns=%lld\ncpu_ns=%lld\nok=%d\n", loads[i].name,
               n, now_ns(CLOCK_MONOTONIC) - w0, now_ns(CLOCK_PROCESS_CPUTIME_ID) - c0, !rc);
        return rc;
    }
    fprintf(stderr, "usage: rg-workload cpu|syscall|fileio N  (N > 0)\n");
    return 2;
}
