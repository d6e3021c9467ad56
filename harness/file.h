/* Reading input files: regular files only, bounded, and never blocking on a FIFO. */
#ifndef RG_FILE_H
#define RG_FILE_H

#include <stddef.h>

#include "error.h"

/* Opens path for reading if it is a regular file of at most max bytes (SIZE_MAX: any size);
 * a FIFO, device or folder is refused without blocking. Returns the fd (size in *size, may
 * be NULL) or -1 with err set. */
int rg_file_open(const char *path, size_t max, size_t *size, struct rg_error *err);
/* Reads a whole regular file of at most max bytes; *data is NUL-terminated (caller frees). */
int rg_file_read(const char *path, size_t max, unsigned char **data, size_t *len,
                 struct rg_error *err);

#endif
