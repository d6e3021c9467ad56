/* The file layer: reading input files (regular files only, bounded, never blocking on a
 * FIFO), creating folders, copying and removing trees. */
#ifndef RG_FILE_H
#define RG_FILE_H

#include <stddef.h>

#include "util/error.h"

/* Opens path for reading if it is a regular file of at most max bytes (SIZE_MAX: any size);
 * a FIFO, device or folder is refused without blocking. Returns the fd (size in *size, may
 * be NULL) or -1 with err set. */
int rg_file_open(const char *path, size_t max, size_t *size, struct rg_error *err);
/* Reads a whole regular file of at most max bytes; *data is NUL-terminated (caller frees). */
int rg_file_read(const char *path, size_t max, unsigned char **data, size_t *len,
                 struct rg_error *err);

/* Creates path and its missing parents (mode 0755); 0 or -1 with errno. */
int rg_mkdir_p(const char *path);
/* Copies the folder src to dst (created; must not exist): folders and regular files only,
 * with their modes; a symbolic link or any other kind of file is refused, never followed.
 * 0, or -1 with err naming the file. */
int rg_copy_tree(const char *src, const char *dst, struct rg_error *err);
/* Removes everything in path, recursively; ENOENT is success. */
int rg_remove_tree(const char *path);

#endif
