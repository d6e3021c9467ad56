/* Scenario files: the YAML that says what update to test, on which matrix, and what blocks it. */
#ifndef RG_SCENARIO_H
#define RG_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>

#include "model/guest.h"
#include "model/matrix.h"
#include "model/vocab.h"
#include "util/error.h"

/* What a class of finding does to the verdict. */

enum rg_workload { RG_WORKLOAD_CPU, RG_WORKLOAD_SYSCALL, RG_WORKLOAD_FILEIO, RG_WORKLOAD_BOOT,
                   RG_WORKLOAD_CUSTOM };

enum rg_clock { RG_CLOCK_WALL, RG_CLOCK_ICOUNT };

struct rg_pkg_ref {
    char *package;        /* resolved against the scenario's folder; NULL when absent */
    bool allow_downgrade; /* update only: the scenario deliberately tests a downgrade */
    int line, col;        /* where 'package' was given, for later errors */
};

/* update.validator: a command that judges the update's content on the host before any boot
 * (package/validator.h runs it). argv[0] "ringgate" is this program; one with a '/' was
 * resolved against the scenario's folder; the placeholders {dir}, {package} and {version}
 * stay as written until the run fills them in. */
#define RG_VALIDATOR_DEFAULT_TIMEOUT_S 30
#define RG_VALIDATOR_MAX_TIMEOUT_S 3600

struct rg_validator_spec {
    char **argv; /* NULL-terminated; NULL when the scenario names no validator */
    size_t argc;
    int timeout_s;
    int line, col; /* where 'validator' was given */
};

struct rg_boot_spec {
    int timeout_s; /* power-on to the guest's ready marker */
    int reboots;   /* reboots after applying the update */
    int soak_s;    /* observation window after each healthy boot */
    int probe_s;   /* seconds between agent probes while soaking; 0: no probes */
    int unresponsive_s; /* a guest that answers no probe for this long is hung */
};

struct rg_perf_check {
    bool enabled;
    enum rg_workload workload;
    char *command; /* custom workload's command line */
    int samples;     /* paired samples per side at the first look */
    int max_samples; /* the most an undecided metric may take (default 3 x samples) */
    enum rg_action inconclusive; /* a metric still undecided at max_samples (default warn) */
    double max_regression_pct;
    double alpha;
    enum rg_clock clock;
    int clock_line, clock_col; /* where 'clock' was given (1-based; 0: not given) */
    char *metric;   /* the deciding metric: wall or cpu (built-in), a name (custom); NULL default */
    int iterations; /* built-in workload size; 0: the workload's default */
};

struct rg_memory_check {
    bool enabled;
    double max_growth_mib;
};

struct rg_stress_check {
    bool enabled;
    int cpu;    /* CPU workers */
    int vm_mib; /* memory churned by one VM worker */
    int io;     /* I/O workers */
};

struct rg_checks {
    enum rg_action crash, warning, boot_loop, hang, oom;
    struct rg_perf_check performance;
    struct rg_memory_check memory;
    struct rg_stress_check stress;
    bool rollback;
};

/* gate.retries at most: a host that fails a cell more often than this is broken, not flaky. */
#define RG_GATE_RETRIES_MAX 10

struct rg_gate_spec {
    bool fail_fast;
    int jobs;    /* 0: the core count */
    int retries; /* a cell inconclusive for a host-side reason runs again, this often at most */
};

struct rg_scenario {
    char *path; /* as given */
    char *dir;  /* its folder, base of relative paths */
    char *name;
    char *description;
    struct rg_pkg_ref update, baseline;
    struct rg_validator_spec validator; /* update.validator */
    char **trust_keys;
    size_t ntrust_keys;
    char *catalog; /* image catalogue path */
    struct rg_matrix_spec matrix;
    struct rg_cell *cells; /* the expanded matrix */
    size_t ncells;
    struct rg_boot_spec boot;
    struct rg_checks checks;
    struct rg_gate_spec gate;
    struct rg_guest guest; /* overrides the images' guest contracts, key by key */
};

struct rg_scenario_opts {
    bool check_files; /* referenced files must exist (validate --no-files turns this off) */
};

/* Parses and validates path. On failure returns -1 with every problem found in errs. */
int rg_scenario_load(const char *path, const struct rg_scenario_opts *opts,
                     struct rg_scenario **out, struct rg_errors *errs);
/* The same, from memory (path is only used for messages and relative paths). */
int rg_scenario_parse(const char *path, const char *data, size_t len,
                      const struct rg_scenario_opts *opts, struct rg_scenario **out,
                      struct rg_errors *errs);
void rg_scenario_free(struct rg_scenario *sc);

const char *rg_workload_name(enum rg_workload w);

/* Rough wall-clock estimate of a run, in seconds, for `plan`. */
int rg_scenario_estimate_s(const struct rg_scenario *sc, int jobs);
/* The same for one of its cells run alone (every cell of a scenario costs the same). */
int rg_scenario_cell_estimate_s(const struct rg_scenario *sc);

/* How many cells run in parallel: cli_jobs when given (> 0), else the scenario's gate.jobs,
 * else the host's online core count. `plan` and `run` both ask here. */
int rg_scenario_jobs(const struct rg_scenario *sc, int cli_jobs);

/* The libyaml library's version at run time ("0.2.5"), for `ringgate version`. */
void rg_yaml_version(char *out, size_t size);

#endif
