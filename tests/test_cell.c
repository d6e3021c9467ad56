/* Unit tests for the cell state machine, driven through the fake hypervisor. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/cell.h"
#include "engine/runstate.h"
#include "fake_hv.h"
#include "util/file.h"

struct fixture {
    char dir[256], image_disk[300];
    struct rg_image image;
    struct rg_scenario *sc;
    atomic_bool interrupted, halt;
    struct rg_cell_result res;
    int progress_calls;
    bool no_pvpanic, agent_silent, fail_start, reset_first, no_stress, aa, sync_fails;
    bool other_product;
    const char *guest; /* the scenario's guest: mapping, in flow style; NULL: none */
    double noise;
    double budget_s;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    char cmd[700];

    snprintf(f->dir, sizeof(f->dir), "/tmp/rg-test-cell-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->image_disk, sizeof(f->image_disk), "%s/image.qcow2", f->dir);
    snprintf(cmd, sizeof(cmd), "qemu-img create -q -f qcow2 %s 16M", f->image_disk);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof(cmd), "%s/cells", f->dir);
    mkdir(cmd, 0755);
    f->image.name = "tiny";
    f->image.kernel = f->image_disk; /* only hashed */
    f->image.initrd = f->image_disk;
    f->image.disk = f->image_disk;
    f->image.cmdline = "console=ttyS0";
    f->image.machine = "pc";
    setenv("RINGGATE_CATALOG", "tests/golden/catalog.json", 1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    rg_cell_result_free(&f->res);
    rg_scenario_free(f->sc);
    rg_remove_tree(f->dir);
    free(f);
    return 0;
}

static void load_scenario_boot(struct fixture *f, const char *boot, const char *checks)
{
    const struct rg_scenario_opts opts = {.check_files = false};
    struct rg_errors errs = {0};
    char text[2048];

    snprintf(text, sizeof(text),
             "name: cell-test\n"
             "update: {package: %s}\n"
             "baseline: {package: b.rgpkg}\n"
             "trust: {keys: [k.pub]}\n"
             "matrix: {image: tiny}\n"
             "boot: {%s}\n"
             "checks: {%s}\n"
             "%s%s%s",
             f->image_disk, boot, checks, f->guest ? "guest: " : "", f->guest ? f->guest : "",
             f->guest ? "\n" : "");
    assert_int_equal(rg_scenario_parse("t.yaml", text, strlen(text), &opts, &f->sc, &errs), 0);
    rg_errors_free(&errs);
}

static void load_scenario(struct fixture *f, const char *checks)
{
    load_scenario_boot(f, "timeout_s: 1, reboots: 2, soak_s: 0", checks);
}

static void count_progress(void *opaque, const struct rg_cell_result *res, const char *state,
                           const char *detail)
{
    struct fixture *f = opaque;

    (void)res;
    (void)state;
    (void)detail;
    f->progress_calls++;
}

static void run_cell(struct fixture *f, const char *kind, enum fake_effect effect)
{
    struct fake_hv_config cfg = {.boot_s = 0.02, .image_disk = f->image_disk, .effect = effect,
                                 .no_pvpanic = f->no_pvpanic, .agent_silent = f->agent_silent,
                                 .fail_start = f->fail_start, .reset_first = f->reset_first,
                                 .no_stress = f->no_stress, .noise = f->noise,
                                 .sync_fails = f->sync_fails, .other_product = f->other_product};
    struct rg_cell_env env = {0};
    struct rg_hv *hv = NULL;

    snprintf(cfg.image_sensor, sizeof(cfg.image_sensor), "1.0.0");
    snprintf(cfg.image_content, sizeof(cfg.image_content), "0290");
    snprintf(cfg.update_kind, sizeof(cfg.update_kind), "%s", kind);
    snprintf(cfg.update_version, sizeof(cfg.update_version), "%s",
             strcmp(kind, "driver") == 0 ? "1.1.0" : "0291");
    fake_hv_configure(&cfg);
    fake_hv_ops.connect("fake:///", &hv, NULL);
    env.ops = &fake_hv_ops;
    env.hv = hv;
    env.sc = f->sc;
    env.cell = &f->sc->cells[0];
    env.image = &f->image;
    env.update_path = f->image_disk; /* any file: the fake ignores the bytes */
    env.update_kind = kind;
    env.update_version = cfg.update_version;
    env.baseline_kind = kind;
    env.baseline_version = strcmp(kind, "driver") == 0 ? "1.0.0" : "0290";
    env.run_id = "test";
    env.work_dir = f->dir;
    env.run_dir = f->dir;
    env.console_rel = "cells/console.log";
    env.interrupted = &f->interrupted;
    env.halt_others = &f->halt;
    env.agent_wait_s = 1;
    env.aa = f->aa;
    env.budget_s = f->budget_s;
    env.progress = count_progress;
    env.opaque = f;
    assert_int_equal(rg_cell_run(&env, &f->res), 0);
    fake_hv_ops.disconnect(hv);
    /* Whatever happened, the cell leaves no VM behind. */
    assert_int_equal(fake_hv_live_domains(), 0);
}

static const struct rg_finding *find(const struct rg_cell_result *r, enum rg_finding_class c)
{
    for (size_t i = 0; i < r->nfindings; i++)
        if (r->findings[i].cls == c)
            return &r->findings[i];
    return NULL;
}

/* The title of a finding the test already asserted exists ("" keeps gcc's flow analysis calm). */
static const char *title_of(const struct rg_finding *f)
{
    return f ? f->title : "";
}

/* Line n (from 1) of the cell's console log, "" past its end (lines are short here). */
static const char *log_line(struct fixture *f, long n)
{
    static char line[1024];
    char path[300];
    FILE *fp;

    snprintf(path, sizeof(path), "%s/cells/console.log", f->dir);
    fp = fopen(path, "r");
    assert_non_null(fp);
    for (long i = 1; fgets(line, sizeof(line), fp); i++)
        if (i == n) {
            fclose(fp);
            return line;
        }
    fclose(fp);
    return "";
}

static void test_good_update_passes(void **state)
{
    struct fixture *f = *state;

    load_scenario(f, "rollback: true");
    run_cell(f, "content", FAKE_GOOD);
    assert_int_equal(f->res.verdict, RG_VERDICT_PASS);
    assert_false(rg_cell_retryable(&f->res));
    assert_int_equal(f->res.nfindings, 0);
    /* baseline, candidate (apply), two reboots */
    assert_int_equal(f->res.nboots, 4);
    assert_string_equal(f->res.boots[0].phase, "baseline");
    assert_string_equal(f->res.boots[1].phase, "candidate");
    assert_string_equal(f->res.boots[2].cause, "requested");
    assert_string_equal(rg_ready_version(&f->res.boots[3].ready, "content"), "0291");
    for (size_t i = 0; i < f->res.nboots; i++)
        assert_int_equal(f->res.boots[i].outcome, RG_BOOT_READY);
    assert_false(f->res.rollback_ran);
    assert_true(f->progress_calls > 5);
    assert_int_equal(strlen(f->res.digest_disk), 64);
}

static void test_crashing_content_blocks_with_loop_and_rollback(void **state)
{
    struct fixture *f = *state;
    const struct rg_finding *crash, *loop;

    load_scenario(f, "rollback: true");
    run_cell(f, "content", FAKE_CRASH);
    assert_int_equal(f->res.verdict, RG_VERDICT_BLOCK);
    assert_false(rg_cell_retryable(&f->res));
    crash = find(&f->res, RG_FINDING_CRASH);
    loop = find(&f->res, RG_FINDING_BOOT_LOOP);
    assert_non_null(crash);
    assert_non_null(loop);
    assert_string_equal(title_of(crash),
                        "BUG: unable to handle kernel NULL pointer dereference in rg_sensor_eval");
    assert_string_equal(crash->module, "rg_sensor");
    assert_non_null(strstr(title_of(loop), "rg_sensor"));
    assert_true(crash->console_line > 0);
    /* Boots before it ended on a prompt with no newline: the line named is still the crash. */
    assert_non_null(strstr(log_line(f, crash->console_line), "BUG: kernel NULL pointer"));
    assert_int_equal(crash->action, RG_ACTION_BLOCK);
    assert_true(f->res.verdict_s >= 0);
    assert_true(f->res.rollback_ran);
    if (f->res.revert != RG_STEP_PASS)
        for (size_t i = 0; i < f->res.nevents; i++)
            fprintf(stderr, "%.3f %s %d %s\n", f->res.events[i].t, f->res.events[i].type,
                    f->res.events[i].boot, f->res.events[i].detail);
    assert_int_equal(f->res.revert, RG_STEP_PASS);
    assert_int_equal(f->res.safe_mode, RG_STEP_PASS);
    assert_null(find(&f->res, RG_FINDING_ROLLBACK_FAILED));
}

static void test_boot_crash_driver_loops(void **state)
{
    struct fixture *f = *state;
    const struct rg_finding *loop;

    load_scenario(f, "rollback: false");
    run_cell(f, "driver", FAKE_BOOTCRASH);
    assert_int_equal(f->res.verdict, RG_VERDICT_BLOCK);
    loop = find(&f->res, RG_FINDING_BOOT_LOOP);
    assert_non_null(loop);
    assert_non_null(strstr(title_of(loop), "rg_sensor_eval"));
    /* The loop is called after two failed boots in a row (baseline, candidate, the reboot
     * that crashed, the one after it that crashed); the boot begun meanwhile is aborted. */
    assert_int_equal(f->res.nboots, 5);
    assert_int_equal(f->res.boots[2].outcome, RG_BOOT_CRASH);
    assert_string_equal(f->res.boots[2].cause, "requested");
    assert_int_equal(f->res.boots[3].outcome, RG_BOOT_CRASH);
    assert_string_equal(f->res.boots[3].cause, "panic");
    assert_int_equal(f->res.boots[4].outcome, RG_BOOT_ABORTED);
}

static void test_hanging_driver_is_a_hang(void **state)
{
    struct fixture *f = *state;

    load_scenario(f, "rollback: false");
    run_cell(f, "driver", FAKE_HANG);
    assert_int_equal(f->res.verdict, RG_VERDICT_BLOCK);
    assert_non_null(find(&f->res, RG_FINDING_HANG));
    assert_null(find(&f->res, RG_FINDING_CRASH));
    assert_int_equal(f->res.boots[f->res.nboots - 1].outcome, RG_BOOT_HANG);
}

static void test_warning_follows_its_action(void **state)
{
    struct fixture *f = *state;
    const struct rg_finding *w;

    load_scenario(f, "warning: warn");
    run_cell(f, "content", FAKE_WARN);
    assert_int_equal(f->res.verdict, RG_VERDICT_PASS);
    w = find(&f->res, RG_FINDING_WARNING);
    assert_non_null(w);
    assert_int_equal(w->action, RG_ACTION_WARN);
    assert_non_null(strstr(title_of(w), "rg_sensor_eval"));

    rg_cell_result_free(&f->res);
    rg_scenario_free(f->sc);
    load_scenario(f, "warning: block");
    run_cell(f, "content", FAKE_WARN);
    assert_int_equal(f->res.verdict, RG_VERDICT_BLOCK);
}

static void test_silent_resets_are_a_boot_loop(void **state)
{
    struct fixture *f = *state;
    const struct rg_finding *loop;

    load_scenario(f, "rollback: false");
    run_cell(f, "driver", FAKE_SILENT_RESET);
    assert_int_equal(f->res.verdict, RG_VERDICT_BLOCK);
    loop = find(&f->res, RG_FINDING_BOOT_LOOP);
    assert_non_null(loop);
    assert_non_null(strstr(title_of(loop), "no crash report"));
    assert_null(find(&f->res, RG_FINDING_CRASH));
}

static void test_crash_without_pvpanic_still_found(void **state)
{
    struct fixture *f = *state;

    f->no_pvpanic = true;
    load_scenario(f, "rollback: false");
    run_cell(f, "content", FAKE_CRASH);
    assert_int_equal(f->res.verdict, RG_VERDICT_BLOCK);
    assert_non_null(find(&f->res, RG_FINDING_CRASH));
}

static void test_infrastructure_failures_are_inconclusive(void **state)
{
    struct fixture *f = *state;

    f->fail_start = true;
    load_scenario(f, "rollback: false");
    run_cell(f, "content", FAKE_GOOD);
    assert_int_equal(f->res.verdict, RG_VERDICT_INCONCLUSIVE);
    assert_non_null(find(&f->res, RG_FINDING_INFRA));
    /* The host failed: gate.retries may run it again. */
    assert_true(find(&f->res, RG_FINDING_INFRA)->host);
    assert_true(rg_cell_retryable(&f->res));

    rg_cell_result_free(&f->res);
    f->fail_start = false;
    f->agent_silent = true;
    run_cell(f, "content", FAKE_GOOD);
    assert_int_equal(f->res.verdict, RG_VERDICT_INCONCLUSIVE);
    assert_non_null(strstr(title_of(find(&f->res, RG_FINDING_INFRA)), "agent"));
    /* A guest whose agent never answers is the guest's doing: never retried. */
    assert_false(find(&f->res, RG_FINDING_INFRA)->host);
    assert_false(rg_cell_retryable(&f->res));
}

static void test_watchdog_resets_are_crashes_and_a_loop(void **state)
{
    struct fixture *f = *state;
    const struct rg_finding *crash;

    load_scenario(f, "rollback: false");
    run_cell(f, "driver", FAKE_WATCHDOG);
    assert_int_equal(f->res.verdict, RG_VERDICT_BLOCK);
    crash = find(&f->res, RG_FINDING_CRASH);
    assert_non_null(crash);
    assert_non_null(strstr(title_of(crash), "watchdog"));
    assert_non_null(find(&f->res, RG_FINDING_BOOT_LOOP));
    assert_string_equal(f->res.boots[3].cause, "watchdog");
}

static void test_reset_before_console_report(void **state)
{
    struct fixture *f = *state;

    /* The reset event overtakes the crash report: the loop is still called, the crash
     * still found and named. */
    f->reset_first = true;
    load_scenario(f, "rollback: false");
    run_cell(f, "driver", FAKE_BOOTCRASH);
    assert_int_equal(f->res.verdict, RG_VERDICT_BLOCK);
    assert_non_null(find(&f->res, RG_FINDING_BOOT_LOOP));
    assert_string_equal(title_of(find(&f->res, RG_FINDING_CRASH)),
                        "BUG: unable to handle kernel NULL pointer dereference in rg_sensor_eval");
}

static void test_installer_failure_blocks(void **state)
{
    struct fixture *f = *state;

    load_scenario(f, "rollback: false");
    run_cell(f, "content", FAKE_INSTALL_FAILS);
    assert_int_equal(f->res.verdict, RG_VERDICT_BLOCK);
    assert_non_null(find(&f->res, RG_FINDING_INSTALL_FAILED));
}

static void test_interrupt_aborts(void **state)
{
    struct fixture *f = *state;

    load_scenario(f, "rollback: false");
    atomic_store(&f->interrupted, true);
    run_cell(f, "content", FAKE_GOOD);
    assert_int_equal(f->res.verdict, RG_VERDICT_ABORTED);
}

static void *interrupt_soon(void *arg)
{
    struct fixture *f = arg;
    const struct timespec ts = {0, 300 * 1000 * 1000};

    nanosleep(&ts, NULL);
    atomic_store(&f->interrupted, true);
    return NULL;
}

/* SIGINT while the cell waits for a guest agent that never answers: what fails because of
 * the stop is not an infrastructure failure; the cell is aborted, not inconclusive. */
static void test_interrupt_while_waiting_for_the_agent_aborts(void **state)
{
    struct fixture *f = *state;
    pthread_t t;

    f->agent_silent = true;
    load_scenario(f, "rollback: false");
    assert_int_equal(pthread_create(&t, NULL, interrupt_soon, f), 0);
    run_cell(f, "content", FAKE_GOOD);
    pthread_join(t, NULL);
    assert_int_equal(f->res.verdict, RG_VERDICT_ABORTED);
    for (size_t i = 0; i < f->res.nfindings; i++)
        assert_int_not_equal(f->res.findings[i].action, RG_ACTION_BLOCK);
}

/* A driver whose module prints a forged ready line and then never lets the boot finish:
 * every boot shows the line, no agent ever answers. Not ready, ever: a hang that blocks. */
static void test_forged_ready_line_is_a_hang(void **state)
{
    struct fixture *f = *state;
    const struct rg_finding *hang;

    load_scenario(f, "rollback: true");
    run_cell(f, "driver", FAKE_FORGED_READY);
    assert_int_equal(f->res.verdict, RG_VERDICT_BLOCK);
    hang = find(&f->res, RG_FINDING_HANG);
    assert_non_null(hang);
    assert_string_equal(title_of(hang),
                        "boot hang: the ready line appeared but the guest agent never answered");
    /* The baseline (and the candidate's boot before the reboot) were healthy. */
    assert_string_equal(f->res.boots[0].phase, "baseline");
    assert_int_equal(f->res.boots[0].outcome, RG_BOOT_READY);
    assert_true(f->res.boots[2].ready_line);
    assert_false(f->res.boots[2].has_ready);
    assert_int_equal(f->res.boots[2].outcome, RG_BOOT_HANG);
    /* The rollback: the pre-update disk boots, the safe-mode boot (module not loaded) too. */
    assert_true(f->res.rollback_ran);
    assert_int_equal(f->res.revert, RG_STEP_PASS);
    assert_int_equal(f->res.safe_mode, RG_STEP_PASS);
}

/* ready.agent: false trusts the line alone (an image without an agent); the same forged
 * line then passes the boot: the default is what protects. */
static void test_ready_without_agent_trusts_the_line(void **state)
{
    struct fixture *f = *state;

    f->guest = "{ready: {agent: false}}";
    load_scenario(f, "rollback: false");
    run_cell(f, "driver", FAKE_FORGED_READY);
    assert_null(find(&f->res, RG_FINDING_HANG));
    assert_true(f->res.boots[2].has_ready);
}

/* safe_mode: none. The rollback's safe-mode half is skipped, not passed. */
static void test_no_safe_mode_skips_that_half_of_the_rollback(void **state)
{
    struct fixture *f = *state;

    f->guest = "{safe_mode: none}";
    load_scenario(f, "rollback: true");
    run_cell(f, "content", FAKE_CRASH);
    assert_int_equal(f->res.verdict, RG_VERDICT_BLOCK);
    assert_true(f->res.rollback_ran);
    assert_int_equal(f->res.revert, RG_STEP_PASS);
    assert_int_equal(f->res.safe_mode, RG_STEP_SKIPPED);
    assert_non_null(strstr(f->res.rollback_detail, "skipped (the guest contract has no safe"));
    assert_null(find(&f->res, RG_FINDING_ROLLBACK_FAILED));
    for (size_t i = 0; i < f->res.nboots; i++)
        assert_string_not_equal(f->res.boots[i].phase, "safe-mode");
}

/* The second product: its own ready line (no boot, safe or uptime groups), installer and
 * versions tool. Versions come from the tool; boot numbers from ringgate's count. */
static void test_other_product_contract(void **state)
{
    struct fixture *f = *state;
    const struct rg_boot_record *last;

    f->other_product = true;
    f->guest = "{ready: {pattern: 'rg-other\\[\\d+\\]: started version=(?<agent>\\S+)'}, "
               "install: {command: [/usr/sbin/rg-other-install, '{package}'], timeout_s: 30, "
               "record: '^RINGGATE-INSTALLED'}, "
               "versions: {command: [/usr/sbin/rg-other-versions], driver: agent, "
               "content: rules}, safe_mode: none}";
    load_scenario(f, "rollback: false");
    run_cell(f, "driver", FAKE_GOOD);
    assert_int_equal(f->res.verdict, RG_VERDICT_PASS);
    assert_int_equal(f->res.nboots, 4);
    last = &f->res.boots[3];
    assert_int_equal(last->ready.boot, 4);
    assert_false(last->ready.safe);
    assert_true(last->ready.uptime >= 0);
    assert_string_equal(rg_ready_version(&last->ready, "agent"), "1.1.0");
    assert_string_equal(rg_ready_version(&last->ready, "rules"), "0290");

    /* A content update is judged by the tool's rules= line. */
    rg_cell_result_free(&f->res);
    run_cell(f, "content", FAKE_GOOD);
    assert_int_equal(f->res.verdict, RG_VERDICT_PASS);
    assert_string_equal(rg_ready_version(&f->res.boots[3].ready, "rules"), "0291");
}

/* versions.driver names what holds a driver's version: named wrong, the image is not seen
 * running the baseline, and the error lists what the guest reported. */
static void test_versions_name_decides_what_is_compared(void **state)
{
    struct fixture *f = *state;
    const struct rg_finding *inst;

    f->guest = "{versions: {driver: content}}";
    load_scenario(f, "rollback: false");
    run_cell(f, "driver", FAKE_GOOD);
    assert_int_equal(f->res.verdict, RG_VERDICT_INCONCLUSIVE);
    inst = find(&f->res, RG_FINDING_INFRA);
    assert_non_null(inst);
    assert_string_equal(title_of(inst), "the image does not run the baseline");
    assert_string_equal(inst->excerpt,
                        "the image runs sensor=1.0.0 content=0290, not the baseline driver 1.0.0");
}

static const struct rg_metric *metric(const struct rg_cell_result *r, const char *name)
{
    for (size_t i = 0; i < r->nmetrics; i++)
        if (strcmp(r->metrics[i].name, name) == 0)
            return &r->metrics[i];
    return NULL;
}

#define MEASURED "performance: {workload: syscall, samples: 5, max_regression_pct: 15}, "

static void test_slow_content_is_a_perf_regression(void **state)
{
    struct fixture *f = *state;
    const struct rg_metric *m;

    f->noise = 0.05;
    load_scenario(f, MEASURED "rollback: false");
    run_cell(f, "content", FAKE_SLOW);
    assert_int_equal(f->res.verdict, RG_VERDICT_BLOCK);
    assert_non_null(find(&f->res, RG_FINDING_PERF_REGRESSION));
    assert_non_null(strstr(title_of(find(&f->res, RG_FINDING_PERF_REGRESSION)),
                           "syscall.wall_ms"));
    assert_null(find(&f->res, RG_FINDING_MEMORY_REGRESSION));
    m = metric(&f->res, "syscall.wall_ms");
    assert_non_null(m);
    assert_true(m->decides);
    assert_int_equal(m->verdict, RG_METRIC_REGRESSION);
    assert_int_equal(m->nbase, 5); /* decided at the first look: no more pairs taken */
    assert_int_equal(m->ncand, 5);
    assert_int_equal(m->nlooks, 1);
    assert_true(m->ci_low_pct > 15);
    assert_true(m->shift_pct > 40 && m->shift_pct < 60);
    /* The CPU time is measured and judged too, but only the chosen metric decides. */
    assert_non_null(metric(&f->res, "syscall.cpu_ms"));
    assert_false(metric(&f->res, "syscall.cpu_ms")->decides);
    /* Interleaved: B C, C B, B C, ... */
    assert_true(m->tbase[0] < m->tcand[0]);
    assert_true(m->tcand[1] < m->tbase[1]);
    assert_true(m->tbase[2] < m->tcand[2]);
    /* The twin: booted from the pre-update disk, running the baseline. */
    assert_non_null(f->res.twin);
    assert_non_null(strstr(f->res.twin->domain, "-twin"));
    assert_true(f->res.twin->nboots >= 1);
    assert_string_equal(rg_ready_version(&f->res.twin->boots[0].ready, "content"), "0290");
    assert_string_equal(f->res.twin->console_log, "cells/console-twin.log");
}

static void test_leaking_content_is_a_memory_regression(void **state)
{
    struct fixture *f = *state;
    const struct rg_metric *m;

    load_scenario(f, "memory: {max_growth_mib: 1}, rollback: false");
    run_cell(f, "content", FAKE_LEAK);
    assert_int_equal(f->res.verdict, RG_VERDICT_BLOCK);
    assert_non_null(find(&f->res, RG_FINDING_MEMORY_REGRESSION));
    assert_null(find(&f->res, RG_FINDING_PERF_REGRESSION));
    m = metric(&f->res, "mem.slab_unreclaim_mib");
    assert_non_null(m);
    assert_true(m->decides);
    assert_int_equal(m->verdict, RG_METRIC_REGRESSION);
    assert_true(m->nbase >= 4 && m->ncand >= 4); /* the minimum rounds, soak_s being 0 */
    assert_true(m->slope_cand > m->slope_base);
    assert_true(m->growth > 1);
    /* The sensor's own counter is reported, not judged. */
    assert_non_null(metric(&f->res, "agent.leaked_mib"));
    assert_int_equal(metric(&f->res, "agent.leaked_mib")->verdict, RG_METRIC_INFO);
    /* Without a performance check, no performance metric is reported. */
    assert_null(metric(&f->res, "syscall.wall_ms"));
}

static void test_good_content_measured_passes(void **state)
{
    struct fixture *f = *state;

    f->noise = 0.1;
    load_scenario(f, MEASURED "memory: {max_growth_mib: 1}, stress: {cpu: 1}");
    run_cell(f, "content", FAKE_GOOD);
    assert_int_equal(f->res.verdict, RG_VERDICT_PASS);
    assert_int_equal(f->res.nfindings, 0);
    assert_int_equal(metric(&f->res, "syscall.wall_ms")->verdict, RG_METRIC_PASS);
    assert_int_equal(metric(&f->res, "mem.used_mib")->verdict, RG_METRIC_PASS);
    assert_true(f->res.measure_s > 0);
}

static void test_aa_applies_nothing_and_never_blocks(void **state)
{
    struct fixture *f = *state;

    f->aa = true;
    load_scenario(f, MEASURED "rollback: false");
    run_cell(f, "content", FAKE_SLOW); /* the update would be slow: A/A never installs it */
    assert_int_equal(f->res.verdict, RG_VERDICT_PASS);
    assert_null(find(&f->res, RG_FINDING_PERF_REGRESSION));
    assert_string_equal(rg_ready_version(&f->res.boots[f->res.nboots - 1].ready, "content"),
                        "0290");
    assert_int_equal(metric(&f->res, "syscall.wall_ms")->verdict, RG_METRIC_PASS);
}

/* A true shift right at the threshold: every look's interval straddles it, so the pairs are
 * taken up to max_samples and the metric ends inconclusive, with the scenario's action. */
static void test_shift_at_threshold_samples_to_the_cap(void **state)
{
    struct fixture *f = *state;
    const struct rg_finding *inc;
    const struct rg_metric *m;

    f->noise = 0.3;
    load_scenario(f, "performance: {workload: syscall, samples: 5, max_samples: 15, "
                     "max_regression_pct: 50}, rollback: false");
    run_cell(f, "content", FAKE_SLOW);
    assert_int_equal(f->res.verdict, RG_VERDICT_PASS); /* inconclusive warns by default */
    assert_null(find(&f->res, RG_FINDING_PERF_REGRESSION));
    inc = find(&f->res, RG_FINDING_PERF_INCONCLUSIVE);
    assert_non_null(inc);
    assert_int_equal(inc->action, RG_ACTION_WARN);
    assert_non_null(strstr(title_of(inc), "syscall.wall_ms"));
    m = metric(&f->res, "syscall.wall_ms");
    assert_int_equal(m->verdict, RG_METRIC_INCONCLUSIVE);
    assert_int_equal(m->nbase, 15);
    assert_int_equal(m->ncand, 15);
    assert_int_equal(m->nlooks, 3);
    for (int i = 0; i < m->nlooks; i++) {
        assert_int_equal(m->looks[i].pairs, 5 * (i + 1));
        assert_true(m->looks[i].ci_low_pct < 50 && m->looks[i].ci_high_pct > 50);
    }
    assert_int_equal(m->looks[0].verdict, RG_METRIC_UNDECIDED);
    /* The intervals narrow as the pairs grow. */
    assert_true(m->looks[2].ci_high_pct - m->looks[2].ci_low_pct <
                m->looks[0].ci_high_pct - m->looks[0].ci_low_pct);

    rg_cell_result_free(&f->res);
    rg_scenario_free(f->sc);
    load_scenario(f, "performance: {workload: syscall, samples: 5, max_samples: 15, "
                     "max_regression_pct: 50, inconclusive: block}, rollback: false");
    run_cell(f, "content", FAKE_SLOW);
    assert_int_equal(f->res.verdict, RG_VERDICT_BLOCK);
    assert_int_equal(find(&f->res, RG_FINDING_PERF_INCONCLUSIVE)->action, RG_ACTION_BLOCK);
}

/* A/A: the noise is measured, and a threshold finer than it can resolve is warned about. */
static void test_aa_measures_noise_and_warns_of_a_fine_threshold(void **state)
{
    struct fixture *f = *state;
    const struct rg_finding *w;
    const struct rg_metric *m;

    f->aa = true;
    f->noise = 0.3;
    load_scenario(f, "performance: {workload: syscall, samples: 5, max_samples: 10, "
                     "max_regression_pct: 5}, rollback: false");
    run_cell(f, "content", FAKE_GOOD);
    assert_int_equal(f->res.verdict, RG_VERDICT_PASS);
    m = metric(&f->res, "syscall.wall_ms");
    assert_true(m->noise_pct > 10);
    assert_true(m->mde_pct > 5);
    assert_true(m->mde_first_pct > m->mde_pct);
    w = find(&f->res, RG_FINDING_PERF_NOISE);
    assert_non_null(w);
    assert_int_equal(w->action, RG_ACTION_WARN);

    /* Quiet samples: the same threshold is within reach, nothing to warn about. */
    rg_cell_result_free(&f->res);
    rg_scenario_free(f->sc);
    f->noise = 0.01;
    load_scenario(f, "performance: {workload: syscall, samples: 5, max_samples: 10, "
                     "max_regression_pct: 5}, rollback: false");
    run_cell(f, "content", FAKE_GOOD);
    assert_null(find(&f->res, RG_FINDING_PERF_NOISE));
    assert_true(metric(&f->res, "syscall.wall_ms")->mde_pct < 5);
}

static void test_stress_without_stress_ng_is_inconclusive(void **state)
{
    struct fixture *f = *state;
    const struct rg_finding *infra;

    f->no_stress = true;
    load_scenario(f, "stress: {cpu: 1}, rollback: false");
    run_cell(f, "content", FAKE_GOOD);
    assert_int_equal(f->res.verdict, RG_VERDICT_INCONCLUSIVE);
    infra = find(&f->res, RG_FINDING_INFRA);
    assert_non_null(infra);
    assert_string_equal(title_of(infra), "cannot start stress-ng in the guest");
}

static void test_custom_workload_decides_by_its_named_metric(void **state)
{
    struct fixture *f = *state;
    const struct rg_metric *lat, *ops;

    f->noise = 0.05;
    load_scenario(f, "performance: {workload: custom, command: \"bench --quick\", samples: 5, "
                     "metric: latency_ms, max_regression_pct: 10}, rollback: false");
    run_cell(f, "content", FAKE_SLOW);
    lat = metric(&f->res, "custom.latency_ms");
    ops = metric(&f->res, "custom.ops_per_s");
    assert_non_null(lat);
    assert_non_null(ops);
    assert_true(lat->decides);
    assert_false(ops->decides);
    /* Latency up 50 %: the regression. Throughput down: judged, but it does not decide. */
    assert_int_equal(lat->verdict, RG_METRIC_REGRESSION);
    assert_int_equal(ops->verdict, RG_METRIC_PASS);
    assert_int_equal(f->res.verdict, RG_VERDICT_BLOCK);
    assert_non_null(strstr(title_of(find(&f->res, RG_FINDING_PERF_REGRESSION)),
                           "custom.latency_ms"));
    assert_string_equal(lat->workload, "custom: bench --quick");
}

static void test_boot_workload_reboots_both_sides(void **state)
{
    struct fixture *f = *state;
    const struct rg_metric *m;
    size_t twin_boots;

    load_scenario(f, "performance: {workload: boot, samples: 5, max_samples: 5}, rollback: false");
    run_cell(f, "content", FAKE_GOOD);
    assert_int_equal(f->res.verdict, RG_VERDICT_PASS);
    m = metric(&f->res, "boot.wall_s");
    assert_non_null(m);
    assert_true(m->decides);
    assert_int_equal(m->nbase, 5);
    assert_int_equal(m->ncand, 5);
    assert_non_null(metric(&f->res, "boot.uptime_s"));
    /* Each sample is a requested reboot that reached ready: 5 on the twin after its first. */
    twin_boots = f->res.twin->nboots;
    assert_int_equal(twin_boots, 6);
    assert_string_equal(f->res.twin->boots[5].cause, "requested");
    assert_int_equal(f->res.twin->boots[5].outcome, RG_BOOT_READY);
}

/* A driver that crashes some time after every ready line: each boot is "ready", so the boot
 * loop never counts it; three in a row are a crash loop, and the cell goes on to rollback. */
static void test_crash_after_every_ready_is_a_crash_loop(void **state)
{
    struct fixture *f = *state;
    const struct rg_finding *loop;
    int candidate_boots = 0;

    load_scenario_boot(f, "timeout_s: 2, reboots: 2, soak_s: 1", "rollback: true");
    run_cell(f, "driver", FAKE_LATECRASH);
    assert_int_equal(f->res.verdict, RG_VERDICT_BLOCK);
    loop = find(&f->res, RG_FINDING_CRASH_LOOP);
    assert_non_null(loop);
    assert_int_equal(loop->action, RG_ACTION_BLOCK);
    assert_non_null(strstr(title_of(loop), "crash loop: "));
    assert_non_null(strstr(title_of(loop), "3 boots in a row"));
    for (size_t i = 0; i < f->res.nboots; i++)
        candidate_boots += strcmp(f->res.boots[i].phase, "rollback") != 0 &&
                           strcmp(f->res.boots[i].phase, "safe-mode") != 0 &&
                           strcmp(f->res.boots[i].phase, "baseline") != 0;
    assert_true(candidate_boots <= 4); /* the candidate and its reboots: it ends */
    assert_int_equal(f->res.revert, RG_STEP_PASS);
}

/* A report still open when its boot is destroyed belongs to that boot: it must not be closed
 * by the next boot's first lines and charged to the rollback, which boots clean. */
static void test_open_report_is_charged_to_its_boot(void **state)
{
    struct fixture *f = *state;
    const struct rg_finding *hang;
    int boot;

    load_scenario_boot(f, "timeout_s: 2, reboots: 1, soak_s: 0", "rollback: true");
    run_cell(f, "content", FAKE_OPEN_REPORT); /* the content is live at the reboot */
    assert_int_equal(f->res.verdict, RG_VERDICT_BLOCK);
    hang = find(&f->res, RG_FINDING_CRASH); /* a hung task blocks as a crash (checks.crash) */
    assert_non_null(hang);
    assert_non_null(strstr(title_of(hang), "rg_sensor_scan"));
    boot = hang->boot;
    assert_true(boot >= 1 && (size_t)boot <= f->res.nboots);
    assert_string_equal(f->res.boots[boot - 1].phase, "reboot");
    assert_null(find(&f->res, RG_FINDING_ROLLBACK_FAILED));
    assert_int_equal(f->res.revert, RG_STEP_PASS);
}

static void test_frozen_guest_is_a_hang(void **state)
{
    struct fixture *f = *state;
    const struct rg_finding *hang;

    /* The new driver runs from the first reboot on: that boot reaches ready, then freezes
     * while its soak probes it. */
    load_scenario_boot(f, "timeout_s: 2, reboots: 1, soak_s: 4, probe_s: 1, unresponsive_s: 2",
                       "rollback: true");
    run_cell(f, "driver", FAKE_FREEZE);
    assert_int_equal(f->res.verdict, RG_VERDICT_BLOCK);
    hang = find(&f->res, RG_FINDING_HANG);
    assert_non_null(hang);
    assert_non_null(strstr(title_of(hang), "the guest stopped responding"));
    assert_int_equal(hang->action, RG_ACTION_BLOCK);
    assert_true(hang->boot >= 1 && (size_t)hang->boot <= f->res.nboots);
    assert_string_equal(f->res.boots[hang->boot - 1].phase, "reboot");
    assert_int_equal(f->res.boots[hang->boot - 1].outcome, RG_BOOT_HANG);
    assert_non_null(hang->excerpt); /* the console before it went quiet */
    assert_non_null(strstr(hang->excerpt, "RINGGATE-READY"));
    /* The healthy candidate boot answered every probe and rebooted clean. */
    assert_string_equal(f->res.boots[1].shutdown, "clean");
    assert_int_equal(f->res.revert, RG_STEP_PASS);
    assert_null(find(&f->res, RG_FINDING_ROLLBACK_FAILED));
}

static void test_unclean_reboot_is_a_hang(void **state)
{
    struct fixture *f = *state;
    const struct rg_finding *hang;

    f->sync_fails = true;
    load_scenario_boot(f, "timeout_s: 2, reboots: 1, soak_s: 0", "rollback: false");
    run_cell(f, "content", FAKE_GOOD);
    assert_int_equal(f->res.verdict, RG_VERDICT_BLOCK);
    hang = find(&f->res, RG_FINDING_HANG);
    assert_non_null(hang);
    assert_non_null(strstr(title_of(hang), "could not start a clean reboot"));
    assert_string_equal(f->res.boots[hang->boot - 1].shutdown, "sync failed: exit 1");
    assert_int_equal(f->res.boots[hang->boot - 1].outcome, RG_BOOT_HANG);
}

static void test_cell_ends_within_its_budget(void **state)
{
    struct fixture *f = *state;
    const struct rg_finding *over;

    /* The guest hangs and its timeout is long: the budget ends the cell first. */
    f->budget_s = 1.5;
    load_scenario_boot(f, "timeout_s: 600, reboots: 1, soak_s: 0", "rollback: true");
    run_cell(f, "driver", FAKE_HANG);
    over = find(&f->res, RG_FINDING_INFRA);
    assert_non_null(over);
    assert_non_null(strstr(title_of(over), "ran past its budget of 2 s waiting for boot 3 to "
                                           "become ready"));
    assert_int_equal(over->action, RG_ACTION_BLOCK);
    assert_int_equal(f->res.verdict, RG_VERDICT_INCONCLUSIVE);
    assert_false(f->res.rollback_ran);
}

static void test_budget_covers_the_scenario(void **state)
{
    struct fixture *f = *state;
    double small, more_reboots, longer_soak;

    load_scenario_boot(f, "timeout_s: 30, reboots: 1, soak_s: 5", "rollback: true");
    small = rg_cell_budget_s(f->sc, 60);
    rg_scenario_free(f->sc);
    load_scenario_boot(f, "timeout_s: 30, reboots: 3, soak_s: 5", "rollback: true");
    more_reboots = rg_cell_budget_s(f->sc, 60);
    rg_scenario_free(f->sc);
    load_scenario_boot(f, "timeout_s: 30, reboots: 1, soak_s: 60", "rollback: true");
    longer_soak = rg_cell_budget_s(f->sc, 60);
    /* At least every boot's timeout and soak: 1 baseline + 2 candidate + 2 rollback. */
    assert_true(small >= 5 * (30 + 5));
    assert_true(more_reboots > small);
    assert_true(longer_soak - small >= 5 * 55);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_good_update_passes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crashing_content_blocks_with_loop_and_rollback,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_boot_crash_driver_loops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hanging_driver_is_a_hang, setup, teardown),
        cmocka_unit_test_setup_teardown(test_warning_follows_its_action, setup, teardown),
        cmocka_unit_test_setup_teardown(test_silent_resets_are_a_boot_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_without_pvpanic_still_found, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_installer_failure_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watchdog_resets_are_crashes_and_a_loop, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reset_before_console_report, setup, teardown),
        cmocka_unit_test_setup_teardown(test_infrastructure_failures_are_inconclusive, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_interrupt_aborts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interrupt_while_waiting_for_the_agent_aborts, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_slow_content_is_a_perf_regression, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_leaking_content_is_a_memory_regression, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_good_content_measured_passes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aa_applies_nothing_and_never_blocks, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_shift_at_threshold_samples_to_the_cap, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_aa_measures_noise_and_warns_of_a_fine_threshold,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_stress_without_stress_ng_is_inconclusive, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_custom_workload_decides_by_its_named_metric,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_boot_workload_reboots_both_sides, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_after_every_ready_is_a_crash_loop, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_forged_ready_line_is_a_hang, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ready_without_agent_trusts_the_line, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_no_safe_mode_skips_that_half_of_the_rollback,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_product_contract, setup, teardown),
        cmocka_unit_test_setup_teardown(test_versions_name_decides_what_is_compared, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_open_report_is_charged_to_its_boot, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_frozen_guest_is_a_hang, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unclean_reboot_is_a_hang, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cell_ends_within_its_budget, setup, teardown),
        cmocka_unit_test_setup_teardown(test_budget_covers_the_scenario, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
