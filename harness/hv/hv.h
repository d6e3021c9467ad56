/* The hypervisor seam: a narrow ops table the engine drives VMs through (libvirt or a fake). */
#ifndef RG_HV_H
#define RG_HV_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

struct rg_hv;        /* a connection */
struct rg_hv_domain; /* one running VM */

enum rg_accel { RG_ACCEL_AUTO, RG_ACCEL_TCG, RG_ACCEL_KVM };

enum rg_hv_event_type {
    RG_HV_EV_STARTED,       /* the domain's QEMU process is running */
    RG_HV_EV_REBOOT,        /* the guest reset itself (kernel reboot, panic=-1, watchdog reset) */
    RG_HV_EV_CRASHED,       /* pvpanic: the guest kernel reported a panic */
    RG_HV_EV_WATCHDOG,      /* the i6300esb watchdog fired; detail = libvirt action */
    RG_HV_EV_STOPPED,       /* the domain is gone (shutdown, destroyed, QEMU died); detail says */
    RG_HV_EV_AGENT_UP,      /* the guest agent connected */
    RG_HV_EV_AGENT_DOWN,    /* the guest agent disconnected */
    RG_HV_EV_CONSOLE,       /* serial console bytes: data, len */
    RG_HV_EV_CONSOLE_CLOSED /* the console stream ended */
};

enum rg_hv_stop_reason {
    RG_HV_STOP_SHUTDOWN, /* the guest powered off */
    RG_HV_STOP_DESTROYED,
    RG_HV_STOP_CRASHED, /* QEMU itself failed */
    RG_HV_STOP_OTHER
};

struct rg_hv_event {
    enum rg_hv_event_type type;
    double t;         /* CLOCK_MONOTONIC seconds when the event was seen */
    int detail;       /* rg_hv_stop_reason for STOPPED, otherwise 0 */
    const char *data; /* CONSOLE only; valid during the callback */
    size_t len;
};

/* Called from the hypervisor's event thread; must not block for long. */
typedef void (*rg_hv_event_cb)(struct rg_hv_domain *dom, const struct rg_hv_event *ev,
                               void *opaque);

struct rg_hv_domain_spec {
    const char *name; /* unique: rg-<run id>-<cell id>[-twin] */
    int vcpus;
    int memory_mib;
    const char *machine; /* e.g. "pc" */
    const char *kernel, *initrd, *cmdline;
    const char *disk; /* qcow2 overlay the domain may write */
    enum rg_accel accel;
    bool icount; /* deterministic guest clock: -icount shift=0,sleep=off */
    rg_hv_event_cb cb;
    void *opaque;
};

struct rg_hv_info {
    char uri[256];
    char hv_version[64];      /* QEMU version */
    char libvirt_version[64]; /* libvirt library version */
    bool kvm_usable;          /* CPU flags and domain capabilities both allow KVM */
    char kvm_reason[128];     /* why not, when !kvm_usable */
};

struct rg_hv_ops {
    const char *name;
    int (*connect)(const char *uri, struct rg_hv **out, struct rg_error *err);
    int (*info)(struct rg_hv *hv, struct rg_hv_info *out, struct rg_error *err);
    /* Defines and starts a transient domain; events flow to spec->cb until release. */
    int (*start)(struct rg_hv *hv, const struct rg_hv_domain_spec *spec,
                 struct rg_hv_domain **out, struct rg_error *err);
    int (*reboot)(struct rg_hv_domain *dom, struct rg_error *err);  /* guest-visible reset */
    int (*destroy)(struct rg_hv_domain *dom, struct rg_error *err); /* hard power-off */
    /* Sends one guest-agent JSON command; *reply is the agent's JSON answer (caller frees). */
    int (*agent)(struct rg_hv_domain *dom, const char *cmd, int timeout_s, char **reply,
                 struct rg_error *err);
    /* Stops event delivery and frees the handle; destroys the domain if still running. */
    void (*release)(struct rg_hv_domain *dom);
    /* Names of running domains whose names start with prefix (for gc); caller frees. */
    int (*list)(struct rg_hv *hv, const char *prefix, char ***names, size_t *n,
                struct rg_error *err);
    int (*destroy_by_name)(struct rg_hv *hv, const char *name, struct rg_error *err);
    void (*disconnect)(struct rg_hv *hv);
    /* Optional (NULL: nothing to do). Stops what a killed ringgate left running outside any
     * connection (the embedded driver's QEMUs) whose domain names start with prefix. */
    int (*reap_orphans)(const char *prefix, size_t *reaped, struct rg_error *err);
    /* Optional. How a person reaches a domain kept for inspection on connection uri: lines
     * of "  label: command\n" appended to out (at most size bytes, NUL-terminated). */
    void (*inspect_hint)(const char *uri, const char *domain, char *out, size_t size);
};

extern const struct rg_hv_ops rg_hv_libvirt;

/* The default connection: the embedded QEMU driver rooted in the state directory. */
int rg_hv_default_uri(char *out, size_t size, struct rg_error *err);
/* $RINGGATE_STATE_DIR, else /var/lib/ringgate as root, else $XDG_STATE_HOME/ringgate. */
int rg_state_dir(char *out, size_t size, struct rg_error *err);

/* After a SIGKILL the embedded driver's QEMUs outlive ringgate: stops those whose domain name
 * starts with prefix, found by the driver's pid files. *reaped counts them. */
int rg_hv_reap_embedded(const char *prefix, size_t *reaped, struct rg_error *err);
/* A short, stable name for a long string (FNV-1a, 64 bits): socket and link names under the
 * 108-byte UNIX socket path limit. */
unsigned long long rg_hv_short_hash(const char *s);

/* The libvirt library's version at run time ("9.0.0"), for `ringgate version`. */
void rg_hv_libvirt_version(char *out, size_t size);

#endif
