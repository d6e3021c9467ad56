/* Time helpers. */
#include "util/clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

double rg_mono_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double rg_wall_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void rg_time_rfc3339(double epoch, char *out, size_t size)
{
    time_t secs = (time_t)epoch;
    int ms = (int)((epoch - (double)secs) * 1000.0);
    struct tm tm;

    gmtime_r(&secs, &tm);
    snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms < 0 ? 0 : ms % 1000);
}

double rg_time_parse_rfc3339(const char *s)
{
    struct tm tm = {0};
    const char *rest = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
    double frac = 0, scale = 0.1;

    if (!rest)
        return -1;
    if (*rest == '.') {
        if (!(rest[1] >= '0' && rest[1] <= '9'))
            return -1;
        for (rest++; *rest >= '0' && *rest <= '9'; rest++, scale /= 10)
            frac += (*rest - '0') * scale;
    }
    if (strcmp(rest, "Z") != 0)
        return -1;
    return (double)timegm(&tm) + frac;
}
