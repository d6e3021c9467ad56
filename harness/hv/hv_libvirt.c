/* The hypervisor seam over libvirt: the only file that includes libvirt's headers. */
#include <errno.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/xmlwriter.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hv/hv.h"
#include "util/clock.h"

struct rg_hv_domain {
    struct rg_hv *hv;
    virDomainPtr dom;
    virStreamPtr console;
    char name[256];
    rg_hv_event_cb cb;
    void *opaque;
    int inflight;  /* callbacks running now (hv->mu) */
    bool released; /* no more callbacks (hv->mu) */
    bool console_open;
    bool console_closing; /* hv->mu: no more console callbacks */
    double last_reboot; /* event thread only */
    struct rg_hv_domain *next;
};

struct rg_hv {
    virConnectPtr conn;
    char sock_dir[64]; /* short folder for agent sockets (embedded driver); "" otherwise */
    int cb_ids[4];
    pthread_mutex_t mu;
    pthread_cond_t idle;
    struct rg_hv_domain *doms;
};

/* ---- The process-wide event loop ---- */

static pthread_once_t loop_once = PTHREAD_ONCE_INIT;
static int loop_status = -1;

static void *loop_main(void *arg)
{
    (void)arg;
    for (;;)
        if (virEventRunDefaultImpl() < 0)
            usleep(10000);
    return NULL;
}

/* libvirt prints errors to stderr by default; ours are reported through rg_error instead. */
static void quiet_errors(void *opaque, virErrorPtr error)
{
    (void)opaque;
    (void)error;
}

static void loop_start(void)
{
    pthread_t t;

    virSetErrorFunc(NULL, quiet_errors);
    if (virEventRegisterDefaultImpl() < 0)
        return;
    if (pthread_create(&t, NULL, loop_main, NULL) != 0)
        return;
    pthread_detach(t);
    loop_status = 0;
}

static int lv_error(struct rg_error *err, const char *what)
{
    virErrorPtr e = virGetLastError();

    return rg_error_set(err, NULL, 0, 0, "%s: %s", what,
                        e && e->message ? e->message : "libvirt error");
}

/* ---- Dispatch from the event thread to a domain's callback ---- */

static struct rg_hv_domain *dispatch_begin(struct rg_hv *hv, virDomainPtr dom)
{
    const char *name = virDomainGetName(dom);
    struct rg_hv_domain *d;

    pthread_mutex_lock(&hv->mu);
    for (d = hv->doms; d; d = d->next)
        if (!d->released && name && strcmp(d->name, name) == 0)
            break;
    if (d)
        d->inflight++;
    pthread_mutex_unlock(&hv->mu);
    return d;
}

static void dispatch_end(struct rg_hv_domain *d)
{
    pthread_mutex_lock(&d->hv->mu);
    d->inflight--;
    pthread_cond_broadcast(&d->hv->idle);
    pthread_mutex_unlock(&d->hv->mu);
}

static void deliver(struct rg_hv_domain *d, enum rg_hv_event_type type, int detail)
{
    struct rg_hv_event ev = {.type = type, .t = rg_mono_now(), .detail = detail};

    d->cb(d, &ev, d->opaque);
}

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    struct rg_hv_domain *d = dispatch_begin(opaque, dom);

    (void)conn;
    if (!d)
        return 0;
    switch (event) {
    case VIR_DOMAIN_EVENT_STARTED:
        deliver(d, RG_HV_EV_STARTED, 0);
        break;
    case VIR_DOMAIN_EVENT_CRASHED:
        deliver(d, RG_HV_EV_CRASHED, detail);
        break;
    case VIR_DOMAIN_EVENT_STOPPED:
        deliver(d, RG_HV_EV_STOPPED,
                detail == VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN    ? RG_HV_STOP_SHUTDOWN
                : detail == VIR_DOMAIN_EVENT_STOPPED_DESTROYED ? RG_HV_STOP_DESTROYED
                : detail == VIR_DOMAIN_EVENT_STOPPED_FAILED    ? RG_HV_STOP_CRASHED
                : detail == VIR_DOMAIN_EVENT_STOPPED_CRASHED   ? RG_HV_STOP_CRASHED
                                                               : RG_HV_STOP_OTHER);
        break;
    default:
        break;
    }
    dispatch_end(d);
    return 0;
}

static void on_reboot(virConnectPtr conn, virDomainPtr dom, void *opaque)
{
    struct rg_hv_domain *d = dispatch_begin(opaque, dom);

    double now = rg_mono_now();

    (void)conn;
    if (!d)
        return;
    /* libvirt reports one guest reset twice, ~80 ms apart (QEMU's RESET, then its own
     * restart handling); a real next reset is seconds away: a boot takes that long. */
    if (now - d->last_reboot > 1.0)
        deliver(d, RG_HV_EV_REBOOT, 0);
    d->last_reboot = now;
    dispatch_end(d);
}

static void on_watchdog(virConnectPtr conn, virDomainPtr dom, int action, void *opaque)
{
    struct rg_hv_domain *d = dispatch_begin(opaque, dom);

    (void)conn;
    if (!d)
        return;
    deliver(d, RG_HV_EV_WATCHDOG, action);
    dispatch_end(d);
}

static void on_agent(virConnectPtr conn, virDomainPtr dom, int state, int reason, void *opaque)
{
    struct rg_hv_domain *d = dispatch_begin(opaque, dom);

    (void)conn;
    (void)reason;
    if (!d)
        return;
    deliver(d,
            state == VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_CONNECTED ? RG_HV_EV_AGENT_UP
                                                                              : RG_HV_EV_AGENT_DOWN,
            0);
    dispatch_end(d);
}

static void on_console(virStreamPtr st, int events, void *opaque)
{
    struct rg_hv_domain *d = opaque;
    struct rg_hv *hv = d->hv;
    char buf[8192];
    bool closed = false;

    pthread_mutex_lock(&hv->mu);
    if (d->released || d->console_closing) {
        pthread_mutex_unlock(&hv->mu);
        return;
    }
    d->inflight++;
    pthread_mutex_unlock(&hv->mu);
    if (events & (VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_HANGUP)) {
        for (;;) {
            int n = virStreamRecv(st, buf, sizeof(buf));
            if (n > 0) {
                struct rg_hv_event ev = {
                    .type = RG_HV_EV_CONSOLE, .t = rg_mono_now(), .data = buf, .len = (size_t)n};
                d->cb(d, &ev, d->opaque);
                continue;
            }
            if (n == -2)
                break; /* nothing more for now */
            closed = true;
            break;
        }
    }
    if (events & VIR_STREAM_EVENT_ERROR)
        closed = true;
    if (closed && d->console_open) {
        d->console_open = false;
        virStreamEventRemoveCallback(st);
        deliver(d, RG_HV_EV_CONSOLE_CLOSED, 0);
    }
    dispatch_end(d);
}

/* ---- Connection ---- */

static int lv_connect(const char *uri, struct rg_hv **out, struct rg_error *err)
{
    struct rg_hv *hv;

    /* libvirt's own log (the embedded driver logs like a daemon) goes to the state folder,
     * not to our stderr; errors reach the user through rg_error. */
    if (!getenv("LIBVIRT_LOG_OUTPUTS")) {
        char dir[4096], logs[4200];
        if (rg_state_dir(dir, sizeof(dir), NULL) == 0) {
            snprintf(logs, sizeof(logs), "3:file:%s/libvirt.log", dir);
            setenv("LIBVIRT_LOG_OUTPUTS", logs, 0);
        }
    }
    pthread_once(&loop_once, loop_start);
    if (loop_status < 0)
        return rg_error_set(err, NULL, 0, 0, "cannot start libvirt's event loop");
    hv = calloc(1, sizeof(*hv));
    if (!hv)
        return rg_error_set(err, NULL, 0, 0, "out of memory");
    pthread_mutex_init(&hv->mu, NULL);
    pthread_cond_init(&hv->idle, NULL);
    if (strncmp(uri, "qemu:///embed", 13) == 0) {
        snprintf(hv->sock_dir, sizeof(hv->sock_dir),
                 geteuid() == 0 ? "/run/ringgate" : "/tmp/ringgate-%u", (unsigned)geteuid());
        if (mkdir(hv->sock_dir, 0700) < 0 && errno != EEXIST)
            hv->sock_dir[0] = '\0';
    }
    hv->conn = virConnectOpen(uri);
    if (!hv->conn) {
        lv_error(err, "cannot connect to the hypervisor");
        rg_error_prefix(err, "%s", uri);
        free(hv);
        return -1;
    }
    hv->cb_ids[0] =
        virConnectDomainEventRegisterAny(hv->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                         VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), hv, NULL);
    hv->cb_ids[1] = virConnectDomainEventRegisterAny(
        hv->conn, NULL, VIR_DOMAIN_EVENT_ID_REBOOT, VIR_DOMAIN_EVENT_CALLBACK(on_reboot), hv, NULL);
    hv->cb_ids[2] =
        virConnectDomainEventRegisterAny(hv->conn, NULL, VIR_DOMAIN_EVENT_ID_WATCHDOG,
                                         VIR_DOMAIN_EVENT_CALLBACK(on_watchdog), hv, NULL);
    hv->cb_ids[3] =
        virConnectDomainEventRegisterAny(hv->conn, NULL, VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE,
                                         VIR_DOMAIN_EVENT_CALLBACK(on_agent), hv, NULL);
    for (int i = 0; i < 4; i++)
        if (hv->cb_ids[i] < 0) {
            lv_error(err, "cannot subscribe to domain events");
            for (int j = 0; j < i; j++)
                virConnectDomainEventDeregisterAny(hv->conn, hv->cb_ids[j]);
            virConnectClose(hv->conn);
            free(hv);
            return -1;
        }
    *out = hv;
    return 0;
}

static void version_string(unsigned long v, char *out, size_t size)
{
    snprintf(out, size, "%lu.%lu.%lu", v / 1000000, v / 1000 % 1000, v % 1000);
}

/* A URI without a host part ("qemu:///system", "qemu+unix:///system") names this machine;
 * "qemu+ssh://host/system" names another, whose CPU is not the one in /proc/cpuinfo. */
static bool uri_is_local(const char *uri)
{
    const char *p = strstr(uri, "://");

    return p && p[3] == '/';
}

/* Whether the CPU behind the connection offers hardware virtualisation: this machine's flags,
 * or for a remote host the CPU features its libvirt reports in the host capabilities. */
static bool cpu_has_virt(struct rg_hv *hv, bool local)
{
    char line[4096], *caps;
    bool flag = false;
    FILE *f;

    if (!local) {
        caps = virConnectGetCapabilities(hv->conn);
        flag = caps &&
               (strstr(caps, "<feature name='vmx'/>") || strstr(caps, "<feature name='svm'/>"));
        free(caps);
        return flag;
    }
    f = fopen("/proc/cpuinfo", "r");
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, "flags", 5) == 0 && (strstr(line, " vmx") || strstr(line, " svm")))
            flag = true;
    if (f)
        fclose(f);
    return flag;
}

/* KVM only where both the CPU and libvirt say it works: /dev/kvm alone proves nothing. */
static void kvm_check(struct rg_hv *hv, bool local, struct rg_hv_info *out)
{
    char *caps;

    if (!cpu_has_virt(hv, local)) {
        snprintf(out->kvm_reason, sizeof(out->kvm_reason), "%s: KVM would hang; using TCG",
                 local ? "the CPU exposes no vmx/svm flag"
                       : "the remote host's CPU reports no vmx/svm feature");
        return;
    }
    caps = virConnectGetDomainCapabilities(hv->conn, NULL, "x86_64", NULL, "kvm", 0);
    if (!caps) {
        snprintf(out->kvm_reason, sizeof(out->kvm_reason),
                 "libvirt's domain capabilities offer no kvm domain; using TCG");
        return;
    }
    free(caps);
    out->kvm_usable = true;
}

/* TCG needs nothing from the CPU, only an x86_64 QEMU that libvirt can drive on that host. */
static bool tcg_check(struct rg_hv *hv, char *why, size_t size)
{
    char *caps = virConnectGetDomainCapabilities(hv->conn, NULL, "x86_64", NULL, "qemu", 0);
    virErrorPtr e;

    if (caps) {
        free(caps);
        return true;
    }
    e = virGetLastError();
    snprintf(why, size, "%s", e && e->message ? e->message : "no x86_64 emulator");
    return false;
}

static int lv_info(struct rg_hv *hv, struct rg_hv_info *out, struct rg_error *err)
{
    unsigned long v = 0;
    char *uri, why[256];
    bool version_ok;

    memset(out, 0, sizeof(*out));
    uri = virConnectGetURI(hv->conn);
    snprintf(out->uri, sizeof(out->uri), "%s", uri ? uri : "");
    free(uri);
    /* A host without any usable QEMU fails here already; the accelerator check below says
     * so in words a person can act on. */
    version_ok = virConnectGetVersion(hv->conn, &v) == 0;
    if (version_ok)
        version_string(v, out->hv_version, sizeof(out->hv_version));
    if (virGetVersion(&v, NULL, NULL) == 0)
        version_string(v, out->libvirt_version, sizeof(out->libvirt_version));
    kvm_check(hv, uri_is_local(out->uri), out);
    if (!out->kvm_usable && !tcg_check(hv, why, sizeof(why)))
        return rg_error_set(err, NULL, 0, 0,
                            "the host behind %s offers neither KVM (%s) nor TCG (%s): "
                            "no accelerator can run an x86_64 guest",
                            out->uri, out->kvm_reason, why);
    if (!version_ok)
        return lv_error(err, "cannot read the hypervisor version");
    return 0;
}

/* ---- Domains ---- */

/* UNIX socket paths are limited to 108 bytes, and libvirt puts the agent's socket under its
 * state folder, which a user may nest deep. For the local embedded driver the socket goes to a
 * short folder instead, named by a hash of the (unique) domain name. */
static void agent_socket_path(const struct rg_hv *hv, const char *name, char *out, size_t size)
{
    out[0] = '\0';
    if (!hv->sock_dir[0])
        return;
    snprintf(out, size, "%s/%016llx.ga", hv->sock_dir, rg_hv_short_hash(name));
}

/* <name attr="value" .../>: pairs of attribute names and values, NULL-terminated. */
static void xml_empty(xmlTextWriterPtr w, const char *name, ...)
{
    const char *attr;
    va_list ap;

    xmlTextWriterStartElement(w, BAD_CAST name);
    va_start(ap, name);
    while ((attr = va_arg(ap, const char *)))
        xmlTextWriterWriteAttribute(w, BAD_CAST attr, BAD_CAST va_arg(ap, const char *));
    va_end(ap);
    xmlTextWriterEndElement(w);
}

static char *domain_xml(const struct rg_hv_domain_spec *s, const char *agent_sock)
{
    xmlBufferPtr buf = xmlBufferCreate();
    xmlTextWriterPtr w = xmlNewTextWriterMemory(buf, 0);
    char *out = NULL;

    if (!w) {
        xmlBufferFree(buf);
        return NULL;
    }
    xmlTextWriterSetIndent(w, 1);
    xmlTextWriterStartElement(w, BAD_CAST "domain");
    xmlTextWriterWriteAttribute(w, BAD_CAST "type",
                                BAD_CAST(s->accel == RG_ACCEL_KVM ? "kvm" : "qemu"));
    if (s->icount)
        xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns:qemu",
                                    BAD_CAST "http://libvirt.org/schemas/domain/qemu/1.0");
    xmlTextWriterWriteElement(w, BAD_CAST "name", BAD_CAST s->name);
    xmlTextWriterWriteFormatElement(w, BAD_CAST "memory", "%d", s->memory_mib * 1024);
    xmlTextWriterWriteFormatElement(w, BAD_CAST "vcpu", "%d", s->vcpus);
    xmlTextWriterStartElement(w, BAD_CAST "os");
    xmlTextWriterStartElement(w, BAD_CAST "type");
    xmlTextWriterWriteAttribute(w, BAD_CAST "arch", BAD_CAST "x86_64");
    xmlTextWriterWriteAttribute(w, BAD_CAST "machine", BAD_CAST(s->machine ? s->machine : "pc"));
    xmlTextWriterWriteString(w, BAD_CAST "hvm");
    xmlTextWriterEndElement(w);
    xmlTextWriterWriteElement(w, BAD_CAST "kernel", BAD_CAST s->kernel);
    xmlTextWriterWriteElement(w, BAD_CAST "initrd", BAD_CAST s->initrd);
    xmlTextWriterWriteElement(w, BAD_CAST "cmdline", BAD_CAST s->cmdline);
    xmlTextWriterEndElement(w); /* os */
    /* ACPI: busybox's poweroff -f and the pvpanic device both need it. */
    xmlTextWriterStartElement(w, BAD_CAST "features");
    xmlTextWriterWriteElement(w, BAD_CAST "acpi", NULL);
    xmlTextWriterEndElement(w);
    if (s->accel == RG_ACCEL_KVM) {
        xml_empty(w, "cpu", "mode", "host-passthrough", NULL);
    }
    /* Crashes and reboots must be seen: the guest restarts in place, libvirt tells us. */
    xmlTextWriterWriteElement(w, BAD_CAST "on_poweroff", BAD_CAST "destroy");
    xmlTextWriterWriteElement(w, BAD_CAST "on_reboot", BAD_CAST "restart");
    xmlTextWriterWriteElement(w, BAD_CAST "on_crash", BAD_CAST "restart");
    xmlTextWriterStartElement(w, BAD_CAST "devices");
    xmlTextWriterStartElement(w, BAD_CAST "disk");
    xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST "file");
    xmlTextWriterWriteAttribute(w, BAD_CAST "device", BAD_CAST "disk");
    xml_empty(w, "driver", "name", "qemu", "type", "qcow2", NULL);
    xml_empty(w, "source", "file", s->disk, NULL);
    xml_empty(w, "target", "dev", "vda", "bus", "virtio", NULL);
    xmlTextWriterEndElement(w); /* disk */
    xml_empty(w, "serial", "type", "pty", NULL);
    xml_empty(w, "console", "type", "pty", NULL);
    xmlTextWriterStartElement(w, BAD_CAST "channel");
    xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST "unix");
    if (agent_sock[0]) {
        xml_empty(w, "source", "mode", "bind", "path", agent_sock, NULL);
    }
    xml_empty(w, "target", "type", "virtio", "name", "org.qemu.guest_agent.0", NULL);
    xmlTextWriterEndElement(w); /* channel */
    xml_empty(w, "watchdog", "model", "i6300esb", "action", "reset", NULL);
    xml_empty(w, "panic", "model", "isa", NULL);
    /* No USB controller: libvirt adds one by default, and its quirk costs 0.5 s per boot. */
    xml_empty(w, "controller", "type", "usb", "model", "none", NULL);
    xml_empty(w, "memballoon", "model", "none", NULL);
    xmlTextWriterEndElement(w); /* devices */
    if (s->icount) {
        /* Guest time from executed instructions: measurements immune to host load. */
        xmlTextWriterStartElement(w, BAD_CAST "qemu:commandline");
        xml_empty(w, "qemu:arg", "value", "-icount", NULL);
        xml_empty(w, "qemu:arg", "value", "shift=0,sleep=off", NULL);
        xmlTextWriterEndElement(w);
    }
    xmlTextWriterEndElement(w); /* domain */
    if (xmlTextWriterEndDocument(w) >= 0)
        out = strdup((const char *)xmlBufferContent(buf));
    xmlFreeTextWriter(w);
    xmlBufferFree(buf);
    return out;
}

/* A domain that does not start because a file is missing: libvirt and QEMU name the file in
 * quotes. On a remote host that is the usual mistake (ringgate passes its own paths), so the
 * message says which file and which host. */
static int start_error(struct rg_hv *hv, struct rg_error *err)
{
    virErrorPtr e = virGetLastError();
    char msg[512], *uri;
    const char *q;
    int len;

    /* Copied: the next libvirt call (virConnectGetURI) resets the last error. */
    snprintf(msg, sizeof(msg), "%s", e && e->message ? e->message : "libvirt error");
    q = strstr(msg, "'/");
    if (!strstr(msg, "No such file or directory") || !q)
        return rg_error_set(err, NULL, 0, 0, "cannot start the domain: %s", msg);
    len = (int)strcspn(q + 1, "'");
    uri = virConnectGetURI(hv->conn);
    rg_error_set(err, NULL, 0, 0,
                 "image file %.*s not found on the host behind %s (ringgate gives the host its "
                 "own paths: images and the state folder must be at the same paths there): %s",
                 len, q + 1, uri ? uri : "the connection", msg);
    free(uri);
    return -1;
}

static int lv_start(struct rg_hv *hv, const struct rg_hv_domain_spec *spec,
                    struct rg_hv_domain **out, struct rg_error *err)
{
    struct rg_hv_domain *d = calloc(1, sizeof(*d));
    char sock[128], *xml;

    agent_socket_path(hv, spec->name, sock, sizeof(sock));
    if (sock[0])
        unlink(sock); /* a killed run's leftover */
    xml = domain_xml(spec, sock);

    if (!d || !xml) {
        free(d);
        free(xml);
        return rg_error_set(err, NULL, 0, 0, "cannot build the domain XML");
    }
    d->hv = hv;
    d->cb = spec->cb;
    d->opaque = spec->opaque;
    snprintf(d->name, sizeof(d->name), "%s", spec->name);
    /* Registered before it exists, so that no early event is missed. */
    pthread_mutex_lock(&hv->mu);
    d->next = hv->doms;
    hv->doms = d;
    pthread_mutex_unlock(&hv->mu);
    /* Paused until the console is attached: the first boot's lines are not lost. */
    d->dom = virDomainCreateXML(hv->conn, xml, VIR_DOMAIN_START_PAUSED);
    free(xml);
    if (!d->dom) {
        start_error(hv, err);
        goto fail;
    }
    d->console = virStreamNew(hv->conn, VIR_STREAM_NONBLOCK);
    if (!d->console || virDomainOpenConsole(d->dom, NULL, d->console, 0) < 0) {
        lv_error(err, "cannot open the domain's serial console");
        goto fail;
    }
    if (virStreamEventAddCallback(d->console,
                                  VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR |
                                      VIR_STREAM_EVENT_HANGUP,
                                  on_console, d, NULL) < 0) {
        lv_error(err, "cannot watch the serial console");
        goto fail;
    }
    d->console_open = true;
    if (virDomainResume(d->dom) < 0) {
        lv_error(err, "cannot resume the domain");
        goto fail;
    }
    *out = d;
    return 0;
fail : {
    extern const struct rg_hv_ops rg_hv_libvirt;
    rg_hv_libvirt.release(d);
}
    return -1;
}

static int lv_reboot(struct rg_hv_domain *d, struct rg_error *err)
{
    if (virDomainReset(d->dom, 0) < 0)
        return lv_error(err, "cannot reset the domain");
    return 0;
}

/* Detaches the console while the domain still runs. Aborting a console stream while libvirt
 * tears down the domain's character devices deadlocks libvirt 9.0 (the stream's lock and
 * the chardev table's lock are taken in opposite orders): seen after a destroy. */
static void console_close(struct rg_hv_domain *d)
{
    pthread_mutex_lock(&d->hv->mu);
    d->console_closing = true;
    while (d->inflight > 0)
        pthread_cond_wait(&d->hv->idle, &d->hv->mu);
    pthread_mutex_unlock(&d->hv->mu);
    if (!d->console)
        return;
    if (d->console_open)
        virStreamEventRemoveCallback(d->console);
    virStreamAbort(d->console);
    virStreamFree(d->console);
    d->console = NULL;
    d->console_open = false;
}

static int lv_destroy(struct rg_hv_domain *d, struct rg_error *err)
{
    console_close(d);
    if (d->dom && virDomainIsActive(d->dom) == 1 && virDomainDestroy(d->dom) < 0)
        return lv_error(err, "cannot destroy the domain");
    return 0;
}

static int lv_agent(struct rg_hv_domain *d, const char *cmd, int timeout_s, char **reply,
                    struct rg_error *err)
{
    *reply = virDomainQemuAgentCommand(d->dom, cmd, timeout_s, 0);
    if (!*reply)
        return lv_error(err, "no answer");
    return 0;
}

static void lv_release(struct rg_hv_domain *d)
{
    struct rg_hv *hv = d->hv;
    struct rg_hv_domain **p;
    struct rg_error err;

    pthread_mutex_lock(&hv->mu);
    d->released = true;
    while (d->inflight > 0)
        pthread_cond_wait(&hv->idle, &hv->mu);
    for (p = &hv->doms; *p; p = &(*p)->next)
        if (*p == d) {
            *p = d->next;
            break;
        }
    pthread_mutex_unlock(&hv->mu);
    if (d->dom)
        lv_destroy(d, &err); /* closes the console first */
    else
        console_close(d);
    if (d->dom)
        virDomainFree(d->dom);
    free(d);
}

static int lv_list(struct rg_hv *hv, const char *prefix, char ***names, size_t *n,
                   struct rg_error *err)
{
    virDomainPtr *doms = NULL;
    int count = virConnectListAllDomains(hv->conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);

    *names = NULL;
    *n = 0;
    if (count < 0)
        return lv_error(err, "cannot list domains");
    *names = calloc((size_t)count + 1, sizeof(char *));
    for (int i = 0; i < count; i++) {
        const char *name = virDomainGetName(doms[i]);
        if (name && strncmp(name, prefix, strlen(prefix)) == 0)
            (*names)[(*n)++] = strdup(name);
        virDomainFree(doms[i]);
    }
    free(doms);
    return 0;
}

static int lv_destroy_by_name(struct rg_hv *hv, const char *name, struct rg_error *err)
{
    virDomainPtr dom = virDomainLookupByName(hv->conn, name);
    int rc = 0;

    if (!dom)
        return lv_error(err, "no such domain");
    if (virDomainDestroy(dom) < 0)
        rc = lv_error(err, "cannot destroy the domain");
    virDomainFree(dom);
    return rc;
}

static void lv_disconnect(struct rg_hv *hv)
{
    if (!hv)
        return;
    for (int i = 0; i < 4; i++)
        virConnectDomainEventDeregisterAny(hv->conn, hv->cb_ids[i]);
    virConnectClose(hv->conn);
    pthread_cond_destroy(&hv->idle);
    pthread_mutex_destroy(&hv->mu);
    free(hv);
}

/* The embedded driver lives in the ringgate process: virsh cannot reach it. */
static void lv_inspect_hint(const char *uri, const char *domain, char *out, size_t size)
{
    size_t n = strlen(out);

    if (n >= size)
        return;
    if (strncmp(uri, "qemu:///embed", 13) == 0)
        snprintf(out + n, size - n,
                 "  virsh:       the embedded driver lives in this process: run with "
                 "--connect qemu:///system to reach the VM with virsh\n");
    else
        snprintf(out + n, size - n,
                 "  console:     virsh -c '%s' console --force %s\n"
                 "  agent:       virsh -c '%s' qemu-agent-command %s "
                 "'{\"execute\":\"guest-ping\"}'\n",
                 uri, domain, uri, domain);
}

const struct rg_hv_ops rg_hv_libvirt = {
    .name = "libvirt",
    .connect = lv_connect,
    .info = lv_info,
    .start = lv_start,
    .reboot = lv_reboot,
    .destroy = lv_destroy,
    .agent = lv_agent,
    .release = lv_release,
    .list = lv_list,
    .destroy_by_name = lv_destroy_by_name,
    .disconnect = lv_disconnect,
    .reap_orphans = rg_hv_reap_embedded,
    .inspect_hint = lv_inspect_hint,
};

void rg_hv_libvirt_version(char *out, size_t size)
{
    unsigned long v = 0;

    if (virGetVersion(&v, NULL, NULL) < 0)
        snprintf(out, size, "unknown");
    else
        snprintf(out, size, "%lu.%lu.%lu", v / 1000000, v / 1000 % 1000, v % 1000);
}
