/* A fake hypervisor: each domain is a thread that plays a guest running the sample sensor. */

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fake_hv.h"
#include "util/clock.h"

struct disk_state {
    char path[4096];
    char sensor[32], content[32];
    enum fake_effect effect;
};

struct rg_hv {
    int unused;
};

struct rg_hv_domain {
    struct rg_hv_domain_spec spec;
    char name[160], disk[4096], cmdline[1024];
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool destroy, reset, crash_now, running, agent_up, released;
    int boots;
    int samples;        /* workload runs, for the noise sequence */
    double leaked_mib;  /* FAKE_LEAK: grows at each memory sample */
    char exec_out[512]; /* the output of the last guest-exec (pid 200) */
    int exec_code;
};

static struct fake_hv_config g_cfg;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static struct disk_state g_disks[64];
static int g_ndisks, g_live, g_started, g_start_failed;

void fake_hv_configure(const struct fake_hv_config *cfg)
{
    pthread_mutex_lock(&g_mu);
    g_cfg = *cfg;
    g_ndisks = 0;
    g_live = g_started = g_start_failed = 0;
    pthread_mutex_unlock(&g_mu);
}

int fake_hv_live_domains(void)
{
    int n;

    pthread_mutex_lock(&g_mu);
    n = g_live;
    pthread_mutex_unlock(&g_mu);
    return n;
}

int fake_hv_started_domains(void)
{
    int n;

    pthread_mutex_lock(&g_mu);
    n = g_started;
    pthread_mutex_unlock(&g_mu);
    return n;
}

/* The backing file named in a qcow2 header (the overlays are real qemu-img files). */
static int qcow2_backing(const char *path, char *out, size_t size)
{
    unsigned char h[20];
    unsigned long long off = 0;
    unsigned int len = 0;
    FILE *f = fopen(path, "rb");
    int rc = -1;

    if (!f)
        return -1;
    if (fread(h, 1, sizeof(h), f) == sizeof(h) && !memcmp(h, "QFI\xfb", 4)) {
        for (int i = 0; i < 8; i++)
            off = off << 8 | h[8 + i];
        for (int i = 0; i < 4; i++)
            len = len << 8 | h[16 + i];
        if (off && len < size && fseek(f, (long)off, SEEK_SET) == 0 &&
            fread(out, 1, len, f) == len) {
            out[len] = '\0';
            rc = 0;
        }
    }
    fclose(f);
    return rc;
}

static bool same_file(const char *a, const char *b)
{
    char ra[4096], rb[4096];

    return realpath(a, ra) && realpath(b, rb) && strcmp(ra, rb) == 0;
}

/* A disk's state: its own if the guest changed it, else its backing file's. g_mu held. */
static struct disk_state disk_lookup(const char *path)
{
    struct disk_state st = {.effect = FAKE_GOOD};
    char backing[4096];

    for (int i = g_ndisks - 1; i >= 0; i--)
        if (same_file(g_disks[i].path, path))
            return g_disks[i];
    if (g_cfg.image_disk && same_file(path, g_cfg.image_disk)) {
        snprintf(st.sensor, sizeof(st.sensor), "%s", g_cfg.image_sensor);
        snprintf(st.content, sizeof(st.content), "%s", g_cfg.image_content);
        return st;
    }
    if (qcow2_backing(path, backing, sizeof(backing)) == 0)
        return disk_lookup(backing);
    snprintf(st.sensor, sizeof(st.sensor), "none");
    snprintf(st.content, sizeof(st.content), "none");
    return st;
}

static void disk_install(const char *path)
{
    struct disk_state st;

    pthread_mutex_lock(&g_mu);
    st = disk_lookup(path);
    snprintf(st.path, sizeof(st.path), "%s", path);
    if (strcmp(g_cfg.update_kind, "driver") == 0)
        snprintf(st.sensor, sizeof(st.sensor), "%s", g_cfg.update_version);
    else
        snprintf(st.content, sizeof(st.content), "%s", g_cfg.update_version);
    st.effect = g_cfg.effect;
    if (g_ndisks < 64)
        g_disks[g_ndisks++] = st;
    pthread_mutex_unlock(&g_mu);
}

static void emit(struct rg_hv_domain *d, enum rg_hv_event_type type, const char *data)
{
    struct rg_hv_event ev = {.type = type, .t = rg_mono_now(), .data = data,
                             .len = data ? strlen(data) : 0};

    d->spec.cb(d, &ev, d->spec.opaque);
}

/* Sleeps up to s seconds; returns early (true) when the domain is told something. */
static bool dom_sleep(struct rg_hv_domain *d, double s)
{
    struct timespec ts;
    bool woke;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += (time_t)s;
    ts.tv_nsec += (long)((s - (double)(time_t)s) * 1e9);
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&d->mu);
    while (!d->destroy && !d->reset && !d->crash_now)
        if (pthread_cond_timedwait(&d->cv, &d->mu, &ts) != 0)
            break;
    woke = d->destroy || d->reset || d->crash_now;
    pthread_mutex_unlock(&d->mu);
    return woke;
}

static void console_crash(struct rg_hv_domain *d)
{
    emit(d, RG_HV_EV_CONSOLE,
         "[    2.104113] BUG: kernel NULL pointer dereference, address: 0000000000000000\n"
         "[    2.104500] #PF: supervisor read access in kernel mode\n"
         "[    2.104800] #PF: error_code(0x0000) - not-present page\n"
         "[    2.105000] Oops: 0000 [#1] PREEMPT SMP NOPTI\n"
         "[    2.105300] CPU: 0 PID: 97 Comm: rg-sensorctl Tainted: G           OE      "
         "6.1.0-56-amd64 #1  Debian 6.1.192-2\n"
         "[    2.105600] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)\n"
         "[    2.105900] RIP: 0010:rg_sensor_eval+0x2a/0x90 [rg_sensor]\n"
         "[    2.106200] Call Trace:\n"
         "[    2.106300]  <TASK>\n"
         "[    2.106400]  rg_sensor_load_channel+0x51/0x120 [rg_sensor]\n"
         "[    2.106500]  proc_reg_write+0x56/0xa0\n"
         "[    2.106600]  vfs_write+0xc8/0x3d0\n"
         "[    2.106700]  </TASK>\n"
         "[    2.106800] Modules linked in: rg_sensor(OE) ext4 crc16 mbcache jbd2 virtio_blk\n"
         "[    2.106900] CR2: 0000000000000000\n"
         "[    2.107000] ---[ end trace 0000000000000000 ]---\n"
         "[    2.107100] Kernel panic - not syncing: Fatal exception\n");
}

static void console_warn(struct rg_hv_domain *d)
{
    emit(d, RG_HV_EV_CONSOLE,
         "[    1.900000] ------------[ cut here ]------------\n"
         "[    1.900100] rg_sensor: rule 3 asked for a warning\n"
         "[    1.900200] WARNING: CPU: 0 PID: 97 at /build/sensor/rg_sensor.c:211 "
         "rg_sensor_eval+0x77/0x90 [rg_sensor]\n"
         "[    1.900300] Modules linked in: rg_sensor(OE) ext4\n"
         "[    1.900400] CPU: 0 PID: 97 Comm: rg-sensorctl Tainted: G           OE      "
         "6.1.0-56-amd64 #1\n"
         "[    1.900500] RIP: 0010:rg_sensor_eval+0x77/0x90 [rg_sensor]\n"
         "[    1.900600] Call Trace:\n"
         "[    1.900700]  <TASK>\n"
         "[    1.900800]  rg_sensor_feed+0x30/0x60 [rg_sensor]\n"
         "[    1.900900]  </TASK>\n"
         "[    1.901000] ---[ end trace 0000000000000000 ]---\n");
}

/* One boot of the guest. Returns false when the domain is destroyed. */
static bool guest_boot(struct rg_hv_domain *d)
{
    struct disk_state st;
    bool safe = strstr(d->cmdline, "ringgate.safe=1") != NULL;
    char line[256];

    pthread_mutex_lock(&g_mu);
    st = disk_lookup(d->disk);
    pthread_mutex_unlock(&g_mu);
    d->boots++;
    emit(d, RG_HV_EV_CONSOLE, "[    0.000000] Linux version 6.1.0-56-amd64 (fake)\n"
                              "[    0.010000] Command line: console=ttyS0\n");
    if (dom_sleep(d, g_cfg.boot_s))
        goto interrupted;
    if (!safe && (st.effect == FAKE_CRASH || st.effect == FAKE_BOOTCRASH)) {
        if (g_cfg.reset_first) {
            /* The lifecycle event overtakes the console bytes of the dying boot. */
            emit(d, RG_HV_EV_REBOOT, NULL);
            console_crash(d);
            return true;
        }
        console_crash(d);
        goto crash;
    }
    if (!safe && st.effect == FAKE_HANG) {
        dom_sleep(d, 3600);
        goto interrupted;
    }
    if (!safe && st.effect == FAKE_SILENT_RESET) {
        emit(d, RG_HV_EV_REBOOT, NULL);
        return true;
    }
    if (!safe && st.effect == FAKE_WATCHDOG) {
        emit(d, RG_HV_EV_WATCHDOG, NULL);
        emit(d, RG_HV_EV_REBOOT, NULL);
        return true;
    }
    if (!safe && st.effect == FAKE_WARN)
        console_warn(d);
    if (g_cfg.other_product)
        snprintf(line, sizeof(line), "rg-other[%d]: started version=%s\n", 40 + d->boots,
                 st.sensor);
    else
        snprintf(line, sizeof(line),
                 "RINGGATE-READY boot=%d sensor=%s content=%s safe=%d uptime=%.2f\n", d->boots,
                 safe ? "none" : st.sensor, safe ? "none" : st.content, safe, g_cfg.boot_s);
    emit(d, RG_HV_EV_CONSOLE, line);
    if (!safe && st.effect == FAKE_FORGED_READY) {
        /* The module printed the line; init never gets to start the agent. */
        dom_sleep(d, 3600);
        goto interrupted;
    }
    /* The shell's prompt has no newline: the boot's last console line stays unfinished. */
    emit(d, RG_HV_EV_CONSOLE, "\nBusyBox v1.35.0 built-in shell (ash)\n\n/ # ");
    if (!g_cfg.agent_silent) {
        pthread_mutex_lock(&d->mu);
        d->agent_up = true;
        pthread_mutex_unlock(&d->mu);
        emit(d, RG_HV_EV_AGENT_UP, NULL);
    }
    if (!safe && st.effect == FAKE_LATECRASH) {
        if (dom_sleep(d, 0.2))
            goto interrupted;
        console_crash(d);
        goto crash;
    }
    if (!safe && st.effect == FAKE_FREEZE) {
        if (dom_sleep(d, 0.3))
            goto interrupted;
        /* The kernel spins: no console line, no agent answer, until it is destroyed. */
        pthread_mutex_lock(&d->mu);
        d->agent_up = false;
        pthread_mutex_unlock(&d->mu);
    }
    if (!safe && st.effect == FAKE_OPEN_REPORT)
        emit(d, RG_HV_EV_CONSOLE,
             "[  122.000000] INFO: task rg-scan:97 blocked for more than 120 seconds.\n"
             "[  122.000100]       Tainted: G           OE      6.1.0-56-amd64 #1\n"
             "[  122.000200] task:rg-scan         state:D stack:0     pid:97    ppid:2\n"
             "[  122.000300] Call Trace:\n"
             "[  122.000400]  <TASK>\n"
             "[  122.000500]  schedule+0x5e/0xd0\n"
             "[  122.000600]  rg_sensor_scan+0x41/0x90 [rg_sensor]\n");
    dom_sleep(d, 3600);
interrupted:
    pthread_mutex_lock(&d->mu);
    d->agent_up = false;
    if (d->destroy) {
        pthread_mutex_unlock(&d->mu);
        return false;
    }
    if (d->crash_now) {
        d->crash_now = false;
        pthread_mutex_unlock(&d->mu);
        console_crash(d);
        goto crash;
    }
    d->reset = false;
    pthread_mutex_unlock(&d->mu);
    emit(d, RG_HV_EV_REBOOT, NULL);
    return true;
crash:
    if (!g_cfg.no_pvpanic)
        emit(d, RG_HV_EV_CRASHED, NULL);
    if (dom_sleep(d, 0.01) && d->destroy)
        return false;
    emit(d, RG_HV_EV_REBOOT, NULL); /* panic=-1: the guest resets at once */
    return true;
}

static void *guest_main(void *arg)
{
    struct rg_hv_domain *d = arg;

    emit(d, RG_HV_EV_STARTED, NULL);
    while (guest_boot(d))
        ;
    emit(d, RG_HV_EV_STOPPED, NULL);
    return NULL;
}

static int fake_connect(const char *uri, struct rg_hv **out, struct rg_error *err)
{
    (void)uri;
    (void)err;
    *out = calloc(1, sizeof(**out));
    return 0;
}

static int fake_info(struct rg_hv *hv, struct rg_hv_info *out, struct rg_error *err)
{
    (void)hv;
    (void)err;
    memset(out, 0, sizeof(*out));
    snprintf(out->uri, sizeof(out->uri), "fake:///");
    snprintf(out->hv_version, sizeof(out->hv_version), "0.0.0");
    snprintf(out->libvirt_version, sizeof(out->libvirt_version), "0.0.0");
    snprintf(out->kvm_reason, sizeof(out->kvm_reason), "fake hypervisor");
    return 0;
}

static int fake_start(struct rg_hv *hv, const struct rg_hv_domain_spec *spec,
                      struct rg_hv_domain **out, struct rg_error *err)
{
    struct rg_hv_domain *d;

    (void)hv;
    if (g_cfg.fail_start)
        return rg_error_set(err, NULL, 0, 0, "fake: cannot start %s", spec->name);
    pthread_mutex_lock(&g_mu);
    if (g_start_failed < g_cfg.fail_start_first) {
        g_start_failed++;
        pthread_mutex_unlock(&g_mu);
        return rg_error_set(err, NULL, 0, 0, "fake: the host failed to start %s", spec->name);
    }
    pthread_mutex_unlock(&g_mu);
    d = calloc(1, sizeof(*d));
    d->spec = *spec;
    snprintf(d->name, sizeof(d->name), "%s", spec->name);
    snprintf(d->disk, sizeof(d->disk), "%s", spec->disk);
    snprintf(d->cmdline, sizeof(d->cmdline), "%s", spec->cmdline);
    pthread_mutex_init(&d->mu, NULL);
    pthread_cond_init(&d->cv, NULL);
    d->running = true;
    pthread_mutex_lock(&g_mu);
    g_live++;
    g_started++;
    pthread_mutex_unlock(&g_mu);
    pthread_create(&d->thread, NULL, guest_main, d);
    *out = d;
    return 0;
}

static void dom_tell(struct rg_hv_domain *d, bool *flag)
{
    pthread_mutex_lock(&d->mu);
    *flag = true;
    pthread_cond_broadcast(&d->cv);
    pthread_mutex_unlock(&d->mu);
}

static int fake_reboot(struct rg_hv_domain *d, struct rg_error *err)
{
    (void)err;
    dom_tell(d, &d->reset);
    return 0;
}

static int fake_destroy(struct rg_hv_domain *d, struct rg_error *err)
{
    (void)err;
    if (!d->running)
        return 0;
    dom_tell(d, &d->destroy);
    pthread_join(d->thread, NULL);
    d->running = false;
    pthread_mutex_lock(&g_mu);
    g_live--;
    pthread_mutex_unlock(&g_mu);
    return 0;
}

static char *reply(json_t *ret)
{
    json_t *root = json_pack("{s:o}", "return", ret);
    char *s = json_dumps(root, JSON_COMPACT);

    json_decref(root);
    return s;
}

static void b64(const char *in, char *out, size_t size)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(in), o = 0;

    for (size_t i = 0; i < n && o + 5 < size; i += 3) {
        unsigned v = (unsigned)(unsigned char)in[i] << 16;
        v |= i + 1 < n ? (unsigned)(unsigned char)in[i + 1] << 8 : 0;
        v |= i + 2 < n ? (unsigned char)in[i + 2] : 0;
        out[o++] = tab[v >> 18 & 63];
        out[o++] = tab[v >> 12 & 63];
        out[o++] = i + 1 < n ? tab[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? tab[v & 63] : '=';
    }
    out[o] = '\0';
}

/* What the guest's tools print: workload timings, /proc/meminfo, the sensor's counters. */
static void fake_tool(struct rg_hv_domain *d, const char *path, const json_t *args)
{
    const char *arg0 = json_string_value(json_array_get(json_object_get(args, "arg"), 0));
    struct disk_state st;
    double slow, jitter;

    pthread_mutex_lock(&g_mu);
    st = disk_lookup(d->disk);
    pthread_mutex_unlock(&g_mu);
    d->exec_out[0] = '\0';
    d->exec_code = 0;
    if (strstr(path, "rg-workload")) {
        /* A fixed, interleaving-free pattern: -1, 0, +1, -0.5, +0.5 times the noise. */
        static const double seq[] = {-1, 0, 1, -0.5, 0.5};
        slow = st.effect == FAKE_SLOW ? 1.5 : 1.0;
        jitter = 1 + g_cfg.noise * seq[d->samples++ % 5];
        snprintf(d->exec_out, sizeof(d->exec_out),
                 "workload=%s\niterations=2000\nwall_ns=%.0f\ncpu_ns=%.0f\nok=1\n",
                 arg0 ? arg0 : "?", 100e6 * slow * jitter, 80e6 * slow * jitter);
    } else if (!strcmp(path, "/bin/sh")) {
        /* A custom workload: the scenario's command, its metrics as name=value lines. */
        slow = st.effect == FAKE_SLOW ? 1.5 : 1.0;
        jitter = 1 + g_cfg.noise * ((d->samples++ % 5) - 2) / 2.0;
        snprintf(d->exec_out, sizeof(d->exec_out), "ops_per_s=%.1f\nlatency_ms=%.3f\n",
                 1000 / (slow * jitter), 2.5 * slow * jitter);
    } else if (!strcmp(path, "/bin/sync") && g_cfg.sync_fails) {
        d->exec_code = 1;
    } else if (strstr(path, "stress-ng") && g_cfg.no_stress) {
        d->exec_code = -1;
    } else if (arg0 && !strcmp(arg0, "/proc/meminfo")) {
        if (st.effect == FAKE_LEAK)
            d->leaked_mib += 2;
        snprintf(d->exec_out, sizeof(d->exec_out),
                 "MemTotal:         250000 kB\nMemAvailable:     %.0f kB\n"
                 "Slab:              %.0f kB\nSUnreclaim:        %.0f kB\n",
                 200000 - d->leaked_mib * 1024, 10000 + d->leaked_mib * 1024,
                 6000 + d->leaked_mib * 1024);
    } else if (arg0 && !strcmp(arg0, "/proc/rg_sensor/stats")) {
        snprintf(d->exec_out, sizeof(d->exec_out), "events=1\nleaked_bytes=%.0f\n",
                 d->leaked_mib * 1048576);
    }
}

static int fake_agent(struct rg_hv_domain *d, const char *cmd, int timeout_s, char **out,
                      struct rg_error *err)
{
    json_t *root = json_loads(cmd, 0, NULL), *args;
    const char *what;
    bool up;
    int rc = 0;

    (void)timeout_s;
    pthread_mutex_lock(&d->mu);
    up = d->agent_up;
    pthread_mutex_unlock(&d->mu);
    if (!root || !up) {
        json_decref(root);
        return rg_error_set(err, NULL, 0, 0, "fake: the agent is not connected");
    }
    what = json_string_value(json_object_get(root, "execute"));
    args = json_object_get(root, "arguments");
    if (!strcmp(what, "guest-ping") || !strcmp(what, "guest-file-close")) {
        *out = reply(json_object());
    } else if (!strcmp(what, "guest-file-open")) {
        *out = reply(json_integer(7));
    } else if (!strcmp(what, "guest-file-write")) {
        size_t b64 = strlen(json_string_value(json_object_get(args, "buf-b64")));
        const char *s = json_string_value(json_object_get(args, "buf-b64"));
        size_t n = b64 / 4 * 3 - (b64 && s[b64 - 1] == '=') - (b64 > 1 && s[b64 - 2] == '=');
        *out = reply(json_pack("{s:I, s:b}", "count", (json_int_t)n, "eof", 0));
    } else if (!strcmp(what, "guest-exec")) {
        const char *path = json_string_value(json_object_get(args, "path"));
        long pid = 100;
        if (strstr(path, "versions")) {
            pthread_mutex_lock(&g_mu);
            struct disk_state st = disk_lookup(d->disk);
            pthread_mutex_unlock(&g_mu);
            pid = 200;
            d->exec_code = 0;
            snprintf(d->exec_out, sizeof(d->exec_out), "agent=%s\nrules=%s\n", st.sensor,
                     st.content);
        } else if (strstr(path, "install") && g_cfg.effect != FAKE_INSTALL_FAILS) {
            pid = 101;
            disk_install(d->disk);
            if (g_cfg.effect == FAKE_CRASH && strcmp(g_cfg.update_kind, "content") == 0)
                dom_tell(d, &d->crash_now);
        } else if (strstr(path, "install")) {
            pid = 102;
        } else {
            pid = 200;
            fake_tool(d, path, args);
            if (d->exec_code < 0) {
                rg_error_set(err, NULL, 0, 0, "Guest agent command failed: %s: not found", path);
                json_decref(root);
                return -1;
            }
        }
        *out = reply(json_pack("{s:I}", "pid", (json_int_t)pid));
    } else if (!strcmp(what, "guest-exec-status")) {
        long pid = (long)json_integer_value(json_object_get(args, "pid"));
        char enc[800];

        if (pid == 200) {
            b64(d->exec_out, enc, sizeof(enc));
            *out = reply(json_pack("{s:b, s:i, s:s}", "exited", 1, "exitcode", d->exec_code,
                                   "out-data", enc));
            json_decref(root);
            return 0;
        }
        /* "RINGGATE-INSTALLED ok\n" and "refused\n" in base64 */
        *out = reply(json_pack("{s:b, s:i, s:s}", "exited", 1, "exitcode", pid == 102 ? 1 : 0,
                               "out-data",
                               pid == 102 ? "cmVmdXNlZAo=" : "UklOR0dBVEUtSU5TVEFMTEVEIG9rCg=="));
    } else {
        rc = rg_error_set(err, NULL, 0, 0, "fake: unknown agent command %s", what);
    }
    json_decref(root);
    return rc;
}

static void fake_release(struct rg_hv_domain *d)
{
    struct rg_error err;

    fake_destroy(d, &err);
    pthread_mutex_destroy(&d->mu);
    pthread_cond_destroy(&d->cv);
    free(d);
}

static int fake_list(struct rg_hv *hv, const char *prefix, char ***names, size_t *n,
                     struct rg_error *err)
{
    (void)hv;
    (void)prefix;
    (void)err;
    *names = NULL;
    *n = 0;
    return 0;
}

static int fake_destroy_by_name(struct rg_hv *hv, const char *name, struct rg_error *err)
{
    (void)hv;
    return rg_error_set(err, NULL, 0, 0, "fake: no domain %s", name);
}

static void fake_disconnect(struct rg_hv *hv)
{
    free(hv);
}

const struct rg_hv_ops fake_hv_ops = {
    .name = "fake",
    .connect = fake_connect,
    .info = fake_info,
    .start = fake_start,
    .reboot = fake_reboot,
    .destroy = fake_destroy,
    .agent = fake_agent,
    .release = fake_release,
    .list = fake_list,
    .destroy_by_name = fake_destroy_by_name,
    .disconnect = fake_disconnect,
};
