/* rg-sensorctl: hands channel files to the rg_sensor driver (at boot, and live) and prints
 * its counters. Static, so it runs in any guest. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHANNEL_CTL "/proc/rg_sensor/channel"
#define STATS "/proc/rg_sensor/stats"
#define MAX_CHANNEL (64 * 1024)
#define MAX_FILES 256

static int fail(const char *what, const char *why)
{
    fprintf(stderr, "rg-sensorctl: %s: %s\n", what, why);
    return 1;
}

/* The driver parses each write() as one whole channel file. */
static int load(const char *path)
{
    static char buf[MAX_CHANNEL + 1];
    size_t total = 0;
    ssize_t n;
    int in, out, rc = 0;

    in = open(path, O_RDONLY);
    if (in < 0)
        return fail(path, strerror(errno));
    while (total < sizeof(buf) && (n = read(in, buf + total, sizeof(buf) - total)) > 0)
        total += (size_t)n;
    close(in);
    if (total > MAX_CHANNEL)
        return fail(path, "larger than 64 KiB");
    out = open(CHANNEL_CTL, O_WRONLY);
    if (out < 0)
        return fail(CHANNEL_CTL, errno == ENOENT ? "rg_sensor is not loaded" : strerror(errno));
    n = write(out, buf, total);
    if (n < 0 || (size_t)n != total)
        rc = fail(path, n < 0 ? strerror(errno) : "short write");
    else
        printf("rg-sensorctl: loaded %s\n", path);
    close(out);
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.rgc file of a directory, in name order. */
static int load_all(const char *dir)
{
    char *names[MAX_FILES], path[4096];
    struct dirent *de;
    DIR *d = opendir(dir);
    size_t n = 0;
    int rc = 0;

    if (!d)
        return fail(dir, strerror(errno));
    while ((de = readdir(d)) && n < MAX_FILES) {
        size_t l = strlen(de->d_name);

        if (l > 4 && strcmp(de->d_name + l - 4, ".rgc") == 0 && de->d_name[0] != '.')
            names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(char *), cmp_names);
    for (size_t i = 0; i < n; i++) {
        if (names[i] && snprintf(path, sizeof(path), "%s/%s", dir, names[i]) < (int)sizeof(path))
            rc |= load(path);
        else
            rc = 1;
        free(names[i]);
    }
    return rc;
}

static int stats(void)
{
    char buf[4096];
    ssize_t n;
    int fd = open(STATS, O_RDONLY);

    if (fd < 0)
        return fail(STATS, errno == ENOENT ? "rg_sensor is not loaded" : strerror(errno));
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        fwrite(buf, 1, (size_t)n, stdout);
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "load") == 0)
        return load(argv[2]);
    if (argc == 3 && strcmp(argv[1], "load-all") == 0)
        return load_all(argv[2]);
    if (argc == 2 && strcmp(argv[1], "stats") == 0)
        return stats();
    fprintf(stderr, "usage: rg-sensorctl load FILE | load-all DIR | stats\n");
    return 2;
}
