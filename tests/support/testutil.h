/* Helpers shared by the unit tests. */
#ifndef RG_TESTUTIL_H
#define RG_TESTUTIL_H

#include <stddef.h>

/* The whole file as a NUL-terminated string (len may be NULL); NULL if unreadable. */
char *rg_test_slurp(const char *path, size_t *len);

#endif
