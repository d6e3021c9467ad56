/* Time: monotonic seconds for measuring, RFC 3339 strings for reports. */
#ifndef RG_CLOCK_H
#define RG_CLOCK_H

#include <stddef.h>

double rg_mono_now(void);  /* CLOCK_MONOTONIC seconds */
double rg_wall_now(void);  /* seconds since the epoch */
/* "2026-11-24T00:15:00.123Z" */
void rg_time_rfc3339(double epoch, char *out, size_t size);
/* The seconds since the epoch that such a string (UTC, "Z", fraction optional) names; -1
 * when s is not one. */
double rg_time_parse_rfc3339(const char *s);

#endif
