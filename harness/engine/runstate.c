/* Run bookkeeping in the state directory, so that a killed run can be cleaned up later. */
#include "engine/runstate.h"

#include "util/file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void rg_run_id_new(char out[RG_RUN_ID_MAX])
{
    time_t now = time(NULL);
    unsigned short rnd = 0;
    struct tm tm;

    if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
        rnd = (unsigned short)(getpid() ^ now);
    gmtime_r(&now, &tm);
    snprintf(out, RG_RUN_ID_MAX, "%04d%02d%02d-%02d%02d%02d-%04x", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, rnd);
}

void rg_run_domain_prefix(const char *run_id, char *out, size_t size)
{
    snprintf(out, size, "rg-%s-", run_id);
}

int rg_runstate_create(const char *state_dir, const char *run_id, struct rg_runstate *rs,
                       struct rg_error *err)
{
    char lock[4200], pid[32];
    int n;

    memset(rs, 0, sizeof(*rs));
    rs->lock_fd = -1;
    snprintf(rs->run_id, sizeof(rs->run_id), "%s", run_id);
    snprintf(rs->dir, sizeof(rs->dir), "%s/runs/%s", state_dir, run_id);
    if (rg_mkdir_p(rs->dir) < 0)
        return rg_error_set(err, rs->dir, 0, 0, "cannot create the run's state folder: %s",
                            strerror(errno));
    snprintf(lock, sizeof(lock), "%s/lock", rs->dir);
    rs->lock_fd = open(lock, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (rs->lock_fd < 0 || flock(rs->lock_fd, LOCK_EX | LOCK_NB) < 0) {
        rg_error_set(err, lock, 0, 0, "cannot lock the run: %s", strerror(errno));
        rg_runstate_remove(rs);
        return -1;
    }
    n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
    if (write(rs->lock_fd, pid, (size_t)n) != n) {
        rg_error_set(err, lock, 0, 0, "cannot write the run's lock: %s", strerror(errno));
        rg_runstate_remove(rs);
        return -1;
    }
    return 0;
}

void rg_runstate_remove(struct rg_runstate *rs)
{
    if (rs->dir[0])
        rg_remove_tree(rs->dir);
    if (rs->lock_fd >= 0)
        close(rs->lock_fd);
    rs->lock_fd = -1;
}

/* Destroys the domains of a dead run: their names carry its id. */
static size_t gc_domains(const struct rg_hv_ops *ops, struct rg_hv *hv, const char *run_id)
{
    char prefix[64], **names = NULL;
    size_t n = 0, destroyed = 0;
    struct rg_error e;

    rg_run_domain_prefix(run_id, prefix, sizeof(prefix));
    if (ops->reap_orphans && ops->reap_orphans(prefix, &destroyed, &e) < 0)
        destroyed = 0;
    if (!hv || ops->list(hv, prefix, &names, &n, &e) < 0)
        return destroyed;
    for (size_t i = 0; i < n; i++) {
        if (ops->destroy_by_name(hv, names[i], &e) == 0)
            destroyed++;
        free(names[i]);
    }
    free(names);
    return destroyed;
}

int rg_runstate_gc(const char *state_dir, const struct rg_hv_ops *ops, struct rg_hv *hv,
                   struct rg_gc_stats *stats, struct rg_error *err)
{
    char runs[4200];
    struct dirent *de;
    DIR *d;

    memset(stats, 0, sizeof(*stats));
    snprintf(runs, sizeof(runs), "%s/runs", state_dir);
    d = opendir(runs);
    if (!d)
        return errno == ENOENT ? 0
                               : rg_error_set(err, runs, 0, 0, "cannot list runs: %s",
                                              strerror(errno));
    while ((de = readdir(d))) {
        char dir[4400], lock[4500];
        int fd;

        if (de->d_name[0] == '.')
            continue;
        snprintf(dir, sizeof(dir), "%s/%s", runs, de->d_name);
        snprintf(lock, sizeof(lock), "%s/lock", dir);
        fd = open(lock, O_RDONLY | O_CLOEXEC);
        if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
            stats->runs_live++; /* its owner still runs */
            close(fd);
            continue;
        }
        stats->domains_destroyed += gc_domains(ops, hv, de->d_name);
        if (rg_remove_tree(dir) == 0)
            stats->runs_removed++;
        if (fd >= 0)
            close(fd);
    }
    closedir(d);
    return 0;
}
