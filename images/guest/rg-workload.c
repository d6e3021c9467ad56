/* rg-workload: the built-in guest workloads the regression checks time (name=value lines). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static long long ns(clockid_t clk)
{
    struct timespec ts;

    clock_gettime(clk, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    long n = argc > 2 ? atol(argv[2]) : 1000;
    long long w0 = ns(CLOCK_MONOTONIC), c0 = ns(CLOCK_PROCESS_CPUTIME_ID);
    volatile unsigned long acc = 0;

    if (strcmp(what, "cpu") == 0) {
        for (long i = 0; i < n * 1000; i++)
            acc = acc * 6364136223846793005UL + 1442695040888963407UL;
    } else if (strcmp(what, "syscall") == 0) {
        /* open() is the path the sensor watches. */
        for (long i = 0; i < n; i++) {
            int fd = open("/proc/self/stat", O_RDONLY);
            if (fd >= 0)
                close(fd);
        }
    } else if (strcmp(what, "fileio") == 0) {
        char buf[4096];
        memset(buf, 'r', sizeof(buf));
        for (long i = 0; i < n; i++) {
            int fd = open("/tmp/rg-workload.dat", O_CREAT | O_RDWR | O_TRUNC, 0600);
            if (fd < 0)
                return 1;
            if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
                return 1;
            close(fd);
        }
        unlink("/tmp/rg-workload.dat");
    } else {
        fprintf(stderr, "usage: rg-workload cpu|syscall|fileio N\n");
        return 2;
    }
    printf("workload=%s\niterations=%ld\nwall_ns=%lld\ncpu_ns=%lld\n", what, n,
           ns(CLOCK_MONOTONIC) - w0, ns(CLOCK_PROCESS_CPUTIME_ID) - c0);
    return acc == 42 ? 3 : 0;
}
