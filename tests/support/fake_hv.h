/* A fake hypervisor for unit tests: scripted guests that boot, crash, hang and loop. */
#ifndef RG_FAKE_HV_H
#define RG_FAKE_HV_H

#include <stdbool.h>

#include "hv/hv.h"

/* What the guest does once the update is installed on its disk. */
enum fake_effect {
    FAKE_GOOD,          /* boots to ready */
    FAKE_CRASH,         /* crashes when loaded: live at apply (content) and at every boot */
    FAKE_BOOTCRASH,     /* crashes at boot only (a driver: takes effect at the next boot) */
    FAKE_HANG,          /* never reaches ready, prints nothing */
    FAKE_WARN,          /* prints a kernel WARNING, keeps running */
    FAKE_SILENT_RESET,  /* resets before ready without a word */
    FAKE_INSTALL_FAILS, /* the installer exits 1 */
    FAKE_WATCHDOG,      /* freezes at boot without a word; the watchdog resets it */
    FAKE_SLOW,          /* runs, but its workloads take 50 % longer */
    FAKE_LEAK,          /* runs, but unreclaimable slab grows 2 MiB per memory sample */
    FAKE_LATECRASH,     /* reaches ready, then crashes 0.2 s later, on every boot */
    FAKE_OPEN_REPORT,   /* reaches ready, then starts a hung-task report it never ends */
    FAKE_FREEZE,        /* reaches ready, then 0.3 s later stops answering, silently */
    FAKE_FORGED_READY,  /* prints a ready line from the kernel, then the boot never finishes:
                           no agent ever answers */
};

struct fake_hv_config {
    double boot_s;                 /* power-on to ready */
    char image_sensor[32], image_content[32];
    const char *image_disk;        /* the catalogue's disk path: the image's state */
    char update_kind[16], update_version[32];
    enum fake_effect effect;
    bool fail_start;    /* the hypervisor cannot start domains */
    int fail_start_first; /* a flaky host: the first N starts fail, the later ones work */
    bool agent_silent;  /* the agent never connects */
    bool no_pvpanic;    /* crashes come without a pvpanic event */
    bool reset_first;   /* a crash's reset event arrives before its console report */
    bool no_stress;     /* the image has no stress-ng */
    bool sync_fails;    /* /bin/sync exits 1 (the guest cannot flush its disk) */
    double noise;       /* relative spread of workload times (deterministic sequence) */
    /* The second product's guest: "rg-other[N]: started version=V" on the console, its
     * versions tool prints agent=<driver> rules=<content>; no safe mode. */
    bool other_product;
};

/* The ops table; configure with fake_hv_configure before connecting. */
extern const struct rg_hv_ops fake_hv_ops;
void fake_hv_configure(const struct fake_hv_config *cfg);
/* Domains started and still alive (not destroyed or released). */
int fake_hv_live_domains(void);
int fake_hv_started_domains(void);

#endif
