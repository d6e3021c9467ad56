/* Helpers shared by the unit tests. */
#ifndef RG_TESTUTIL_H
#define RG_TESTUTIL_H

#include <stddef.h>

/* The whole file as a NUL-terminated string (len may be NULL); NULL if unreadable. */
char *rg_test_slurp(const char *path, size_t *len);
/* Writes text to path (the test fails if it cannot). */
void rg_test_write(const char *path, const char *text);
/* Fails the test unless path holds exactly got; RG_UPDATE_GOLDEN=1 rewrites path first (review
 * the diff before committing it). */
void rg_test_golden(const char *path, const char *got);

#endif
