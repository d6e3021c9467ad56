/* The guest agent's protocol (qemu-ga): file upload and command execution over the hv seam. */
#ifndef RG_AGENT_H
#define RG_AGENT_H

#include <stdbool.h>
#include <stddef.h>

#include "hv/hv.h"
#include "util/error.h"

struct rg_agent {
    const struct rg_hv_ops *ops;
    struct rg_hv_domain *dom;
    int timeout_s; /* per agent command */
};

struct rg_agent_exec_status {
    bool exited;
    int exitcode; /* -1 when killed by a signal */
    char *out;    /* captured stdout, NUL-terminated (may be NULL) */
    char *errout; /* captured stderr */
};

int rg_agent_ping(const struct rg_agent *a, struct rg_error *err);
/* Writes data to path in the guest (created or truncated). */
int rg_agent_write_file(const struct rg_agent *a, const char *path, const void *data, size_t len,
                        struct rg_error *err);
/* Starts argv[0] with arguments (NULL-terminated) and output capture; *pid is the guest pid. */
int rg_agent_exec(const struct rg_agent *a, const char *const *argv, long *pid,
                  struct rg_error *err);
int rg_agent_exec_status(const struct rg_agent *a, long pid, struct rg_agent_exec_status *st,
                         struct rg_error *err);
void rg_agent_exec_status_free(struct rg_agent_exec_status *st);

/* The JSON of one guest-file-write (tests check the protocol with it). */
char *rg_agent_cmd_file_write(long handle, const void *data, size_t len);

#endif
