/* The file layer: reading input files (regular files only, bounded, never blocking on a
 * FIFO), creating folders, copying and removing trees. */
#include "util/file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
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

static int copy_file(const char *src, const char *dst, mode_t mode, struct rg_error *err)
{
    char buf[65536];
    int in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK), out;
    ssize_t n = 0;

    if (in < 0)
        return rg_error_set(err, src, 0, 0, "cannot read: %s", strerror(errno));
    out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 0777);
    if (out < 0) {
        rg_error_set(err, dst, 0, 0, "cannot create: %s", strerror(errno));
        close(in);
        return -1;
    }
    while ((n = read(in, buf, sizeof(buf))) > 0) {
        for (ssize_t done = 0, w; done < n; done += w) {
            w = write(out, buf + done, (size_t)(n - done));
            if (w < 0) {
                n = -2;
                break;
            }
        }
        if (n < 0)
            break;
    }
    if (n == -1)
        rg_error_set(err, src, 0, 0, "cannot read: %s", strerror(errno));
    else if (n == -2)
        rg_error_set(err, dst, 0, 0, "cannot write: %s", strerror(errno));
    if (close(out) < 0 && n == 0) {
        rg_error_set(err, dst, 0, 0, "cannot write: %s", strerror(errno));
        n = -2;
    }
    close(in);
    return n == 0 ? 0 : -1;
}

int rg_copy_tree(const char *src, const char *dst, struct rg_error *err)
{
    DIR *d;
    struct dirent *e;
    struct stat st;
    int rc = 0;

    if (lstat(src, &st) < 0)
        return rg_error_set(err, src, 0, 0, "cannot read: %s", strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return rg_error_set(err, src, 0, 0, "not a folder");
    if (mkdir(dst, st.st_mode & 0777) < 0)
        return rg_error_set(err, dst, 0, 0, "cannot create: %s", strerror(errno));
    d = opendir(src);
    if (!d)
        return rg_error_set(err, src, 0, 0, "cannot read: %s", strerror(errno));
    while (rc == 0 && (e = readdir(d))) {
        char *from = NULL, *to = NULL;

        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (asprintf(&from, "%s/%s", src, e->d_name) < 0 ||
            asprintf(&to, "%s/%s", dst, e->d_name) < 0) {
            free(from);
            closedir(d);
            return rg_error_set(err, src, 0, 0, "out of memory");
        }
        if (lstat(from, &st) < 0)
            rc = rg_error_set(err, from, 0, 0, "cannot read: %s", strerror(errno));
        else if (S_ISDIR(st.st_mode))
            rc = rg_copy_tree(from, to, err);
        else if (S_ISREG(st.st_mode))
            rc = copy_file(from, to, st.st_mode, err);
        else
            rc = rg_error_set(err, from, 0, 0,
                              "not a regular file or folder (links are never followed)");
        free(from);
        free(to);
    }
    closedir(d);
    return rc;
}
