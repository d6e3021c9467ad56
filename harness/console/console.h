/* The console crash detector: finds kernel failure reports in a serial console stream. */
#ifndef RG_CONSOLE_H
#define RG_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

enum rg_console_class { RG_CONSOLE_CRASH, RG_CONSOLE_WARNING, RG_CONSOLE_IGNORE };

struct rg_console_opts {
    enum rg_console_class hang_class; /* soft lockups, hung tasks, RCU stalls (default crash) */
    enum rg_console_class oom_class;  /* oom-kills (default crash) */
    /* The guest's ready line (its contract's pattern): it ends a report still open. NULL:
     * no line does. */
    bool (*ready_line)(const char *line, void *opaque);
    void *ready_opaque;
};

#define RG_CONSOLE_TITLE_MAX 256

struct rg_console_finding {
    enum rg_console_class cls;
    char title[RG_CONSOLE_TITLE_MAX]; /* stable: no addresses, offsets, pids, CPUs, times */
    char kind[48];                    /* the report type: "null-deref", "kasan", "warning"... */
    long first_line, last_line;       /* 1-based lines of the stream */
    char guilty[128];                 /* the blamed function, "" if none */
    char module[64];                  /* the module whose code is blamed ("rg_sensor"), "" if
                                         built into the kernel */
    char modules[256];                /* the "Modules linked in:" list, bounded */
    char tainted[64];                 /* the "Tainted:" flags */
    char *excerpt;                    /* the report's lines, bounded */
};

struct rg_console;

/* opts may be NULL (defaults). */
struct rg_console *rg_console_new(const struct rg_console_opts *opts);
/* Feeds bytes as they arrive; lines may be split anywhere. Findings appear when a report
 * is complete (its end marker, a new boot, or rg_console_finish). */
void rg_console_feed(struct rg_console *c, const char *data, size_t len);
/* The guest was reset: a report in progress ends here, a new boot begins. */
void rg_console_boundary(struct rg_console *c);
/* End of stream: a report cut short (by a reboot, a dead guest) is still a finding. */
void rg_console_finish(struct rg_console *c);
/* True while a crash report has started but is not complete yet. */
bool rg_console_crash_pending(const struct rg_console *c);
size_t rg_console_nfindings(const struct rg_console *c);
const struct rg_console_finding *rg_console_finding_at(const struct rg_console *c, size_t i);
/* The primary report, which decides a log's title: the first crash, else the first finding;
 * the others are secondary. -1 when there is none. */
long rg_console_primary(const struct rg_console *c);
long rg_console_lines(const struct rg_console *c);
void rg_console_free(struct rg_console *c);

/* A line worth the eye first in a report's excerpt: a report's first line or one of its
 * landmarks (the faulting IP, the call trace, the end marker). For highlighting. */
bool rg_console_marker_line(const char *line);
/* Exposed for tests: a console line without its timestamp, caller id, level and noise. */
size_t rg_console_clean_line(const char *in, size_t len, char *out, size_t size);
/* Exposed for tests: "rg_sensor_eval.isra.0+0x2a/0x90 [rg_sensor]" -> "rg_sensor_eval". */
void rg_console_frame_name(const char *frame, char *out, size_t size);

#endif
