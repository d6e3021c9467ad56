/* rg-sensorctl: hands channel files to the rg_sensor driver, at boot and for live updates. */
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

/* One write of the whole file: the driver parses each write as one channel file. */
static int load(const char *path)
{
    static char buf[MAX_CHANNEL + 1];
    int in = open(path, O_RDONLY), out;
    ssize_t n, total = 0;

    if (in < 0) {
        fprintf(stderr, "rg-sensorctl: %s: %s\n", path, strerror(errno));
        return 1;
    }
    while ((n = read(in, buf + total, sizeof(buf) - (size_t)total)) > 0)
        total += n;
    close(in);
    if (total > MAX_CHANNEL) {
        fprintf(stderr, "rg-sensorctl: %s: larger than %d bytes\n", path, MAX_CHANNEL);
        return 1;
    }
    out = open(CHANNEL_CTL, O_WRONLY);
    if (out < 0) {
        fprintf(stderr, "rg-sensorctl: %s: %s (is rg_sensor loaded?)\n", CHANNEL_CTL,
                strerror(errno));
        return 1;
    }
    if (write(out, buf, (size_t)total) != total) {
        fprintf(stderr, "rg-sensorctl: the driver refused %s: %s\n", path, strerror(errno));
        close(out);
        return 1;
    }
    close(out);
    printf("rg-sensorctl: loaded %s\n", path);
    return 0;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_all(const char *dir)
{
    char *names[256], path[4096];
    struct dirent *de;
    DIR *d = opendir(dir);
    int n = 0, rc = 0;

    if (!d) {
        fprintf(stderr, "rg-sensorctl: %s: %s\n", dir, strerror(errno));
        return 1;
    }
    while ((de = readdir(d)) && n < 256) {
        size_t l = strlen(de->d_name);
        if (l > 4 && strcmp(de->d_name + l - 4, ".rgc") == 0)
            names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof(char *), cmp);
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        rc |= load(path);
        free(names[i]);
    }
    return rc;
}

static int stats(void)
{
    char buf[4096];
    int fd = open(STATS, O_RDONLY);
    ssize_t n;

    if (fd < 0) {
        fprintf(stderr, "rg-sensorctl: %s: %s\n", STATS, strerror(errno));
        return 1;
    }
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
