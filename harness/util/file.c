/* The file layer: reading input files (regular files only, bounded, never blocking on a
 * FIFO), creating folders and removing trees. */
#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int rg_file_open(const char *path, size_t max, size_t *size, struct rg_error *err)
{
    /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    struct stat st;

    if (fd < 0)
        return rg_error_set(err, path, 0, 0, "cannot read: %s", strerror(errno));
    if (fstat(fd, &st) < 0) {
        rg_error_set(err, path, 0, 0, "cannot read: %s", strerror(errno));
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        rg_error_set(err, path, 0, 0, "not a regular file");
        goto fail;
    }
    if (st.st_size < 0 || (uintmax_t)st.st_size > (uintmax_t)max) {
        rg_error_set(err, path, 0, 0, "%lld bytes: larger than the %zu allowed",
                     (long long)st.st_size, max);
        goto fail;
    }
    if (fcntl(fd, F_SETFL, 0) < 0) {
        rg_error_set(err, path, 0, 0, "cannot read: %s", strerror(errno));
        goto fail;
    }
    if (size)
        *size = (size_t)st.st_size;
    return fd;
fail:
    close(fd);
    return -1;
}

int rg_file_read(const char *path, size_t max, unsigned char **data, size_t *len,
                 struct rg_error *err)
{
    size_t size, got = 0;
    unsigned char *buf;
    int fd = rg_file_open(path, max, &size, err);

    if (fd < 0)
        return -1;
    buf = malloc(size + 1);
    if (!buf)
        abort();
    /* The file may shrink or grow while it is read: take at most the size fstat saw. */
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            rg_error_set(err, path, 0, 0, "cannot read: %s",
                         r < 0 ? strerror(errno) : "the file shrank while it was read");
            free(buf);
            close(fd);
            return -1;
        }
        got += (size_t)r;
    }
    close(fd);
    buf[got] = '\0';
    *data = buf;
    *len = got;
    return 0;
}

int rg_mkdir_p(const char *path)
{
    char tmp[4096];

    snprintf(tmp, sizeof(tmp), "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(tmp, 0755) < 0 && errno != EEXIST ? -1 : 0;
}


static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

int rg_remove_tree(const char *path)
{
    if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
        return -1;
    return 0;
}
