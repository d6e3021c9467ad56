/* Benchmark: console scanner throughput on one core (target: >= 100 MB/s). Prints figures. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/console.h"
#include "util/buf.h"
#include "util/clock.h"

/* Boot chatter with a crash report every few thousand lines, like a crash-looping guest. */
static char *make_log(size_t *len)
{
    static const char *const chatter[] = {
        "[    1.088645] acpi PNP0A03:00: fail to add MMCONFIG information, can't access "
        "extended PCI configuration space under this bridge.\n",
        "[    2.000000] EXT4-fs (vda): mounted filesystem with ordered data mode. Quota mode: "
        "none.\n",
        "[    0.210000] ACPI Error: AE_NOT_FOUND, While resolving a named reference package "
        "element - LNKS (20220331/dspkginit-438)\n",
        "rg-sensorctl: loaded /sys-disk/sensor/channels/291.rgc\n",
        "[    1.300000] audit: type=2000 audit(1700000000.120:1): state=initialized "
        "audit_enabled=0 res=1\n",
    };
    static const char report[] =
        "[    5.244051] BUG: kernel NULL pointer dereference, address: 0000000000000000\n"
        "[    5.244604] #PF: supervisor read access in kernel mode\n"
        "[    5.246539] Oops: 0000 [#1] PREEMPT SMP NOPTI\n"
        "[    5.247110] CPU: 0 PID: 143 Comm: rg-sensorctl Tainted: G           OE      "
        "6.1.0-56-amd64 #1\n"
        "[    5.248849] RIP: 0010:rg_sensor_eval+0x11e/0x150 [rg_sensor]\n"
        "[    5.253320] Call Trace:\n"
        "[    5.254427]  <TASK>\n"
        "[    5.254871]  rg_sensor_feed+0x74/0xd0 [rg_sensor]\n"
        "[    5.255418]  rg_sensor_load_channel+0x458/0x480 [rg_sensor]\n"
        "[    5.267846]  </TASK>\n"
        "[    5.268076] Modules linked in: rg_sensor(OE) ext4 crc16 mbcache jbd2\n"
        "[    5.270700] ---[ end trace 0000000000000000 ]---\n"
        "[    5.271042] Kernel panic - not syncing: Fatal exception\n";
    struct rg_buf b = RG_BUF_INIT;

    for (int i = 0; b.len < 32 * 1024 * 1024; i++) {
        rg_buf_puts(&b, chatter[i % 5]);
        if (i % 5000 == 4999)
            rg_buf_puts(&b, report);
    }
    *len = b.len;
    return rg_buf_detach(&b);
}

/* Every log of the corpus (tests/console/), one after another: many short reports of every
 * kind, the scanner's slow path. */
static char *make_mixed(size_t *len)
{
    struct rg_buf all = RG_BUF_INIT, b = RG_BUF_INIT;
    DIR *d = opendir(RG_SOURCE_DIR "/tests/console");
    struct dirent *de;

    if (!d)
        return NULL;
    while ((de = readdir(d))) {
        char path[1024], buf[65536];
        size_t l = strlen(de->d_name), n;
        FILE *f;
        if (l < 5 || strcmp(de->d_name + l - 4, ".log") != 0)
            continue;
        snprintf(path, sizeof(path), "%s/tests/console/%s", RG_SOURCE_DIR, de->d_name);
        if (!(f = fopen(path, "rb")))
            continue;
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
            rg_buf_append(&all, buf, n);
        fclose(f);
    }
    closedir(d);
    while (all.len && b.len < 32 * 1024 * 1024)
        rg_buf_append(&b, all.data, all.len);
    rg_buf_free(&all);
    *len = b.len;
    return rg_buf_detach(&b);
}

static void measure(const char *what, const char *log, size_t len, size_t target)
{
    size_t total = 0, findings = 0;
    double t0 = rg_mono_now(), dt;

    while (total < target) {
        struct rg_console *c = rg_console_new(NULL);
        for (size_t off = 0; off < len; off += 65536)
            rg_console_feed(c, log + off, len - off < 65536 ? len - off : 65536);
        rg_console_finish(c);
        findings += rg_console_nfindings(c);
        rg_console_free(c);
        total += len;
    }
    dt = rg_mono_now() - t0;
    printf("console-scan, %s: %.0f MiB in %.2f s = %.0f MB/s on one core (%zu reports found; "
           "target >= 100 MB/s)\n",
           what, (double)total / (1024 * 1024), dt, (double)total / dt / 1e6, findings);
}

int main(int argc, char **argv)
{
    size_t len, target = (argc > 1 ? (size_t)atol(argv[1]) : 512) * 1024 * 1024;
    char *log = make_log(&len);

    measure("console text", log, len, target);
    free(log);
    log = make_mixed(&len);
    if (log && len)
        measure("mixed corpus (tests/console, many short reports)", log, len, target / 4);
    free(log);
    return 0;
}
