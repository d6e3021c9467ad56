/* Unit tests for the console crash detector: the corpus of real and hand-written kernel logs
 * under tests/console/ against their golden titles, fed whole and in random chunks. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "console/console.h"
#include "console/rules.h"
#include "model/guest.h"
#include "testutil.h"
#include "util/buf.h"

#define CORPUS "tests/console"

/* The findings as golden lines, in line order:
 * "crash 13 null-deref primary | BUG: ... in rg_sensor_eval | rg_sensor_eval [rg_sensor]". */
/* The corpus logs are the sample sensor's: its contract's ready line ends an open report. */
static bool sensor_ready(const char *line, void *opaque)
{
    struct rg_ready_info info;

    (void)opaque;
    return rg_ready_parse(line, &info);
}

static char *scan_opts(const char *data, size_t len, unsigned seed,
                       const struct rg_console_opts *given)
{
    struct rg_console_opts opts = {0};
    struct rg_console *c;

    if (given)
        opts = *given;
    if (!opts.ready_line)
        opts.ready_line = sensor_ready;
    c = rg_console_new(&opts);
    struct rg_buf out = RG_BUF_INIT;
    size_t off = 0;

    srand(seed);
    while (off < len) {
        size_t n = seed ? (size_t)(rand() % 97) + 1 : len;
        if (n > len - off)
            n = len - off;
        rg_console_feed(c, data + off, n);
        off += n;
    }
    rg_console_finish(c);
    for (size_t i = 0; i < rg_console_nfindings(c); i++) {
        const struct rg_console_finding *f = rg_console_finding_at(c, i);
        rg_buf_printf(&out, "%s %ld %s %s | %s | %s%s%s%s\n",
                      f->cls == RG_CONSOLE_CRASH ? "crash" : "warning", f->first_line, f->kind,
                      (long)i == rg_console_primary(c) ? "primary" : "secondary", f->title,
                      f->guilty[0] ? f->guilty : "-", f->module[0] ? " [" : "", f->module,
                      f->module[0] ? "]" : "");
    }
    rg_console_free(c);
    return rg_buf_detach(&out);
}

static char *scan(const char *data, size_t len, unsigned seed)
{
    return scan_opts(data, len, seed, NULL);
}

static void test_corpus_golden_titles(void **state)
{
    DIR *d = opendir(CORPUS);
    struct dirent *de;
    int logs = 0, reports = 0, failures = 0;

    (void)state;
    assert_non_null(d);
    while ((de = readdir(d))) {
        char path[512], golden[512], *data, *want;
        size_t l = strlen(de->d_name), len, wlen;

        if (l < 5 || strcmp(de->d_name + l - 4, ".log") != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", CORPUS, de->d_name);
        snprintf(golden, sizeof(golden), "%s/%.*s.expected", CORPUS, (int)(l - 4), de->d_name);
        data = rg_test_slurp(path, &len);
        want = rg_test_slurp(golden, &wlen);
        if (!data)
            fail_msg("%s: cannot read the log", path);
        if (getenv("RG_UPDATE_GOLDEN")) { /* regenerate; review the diff before committing */
            char *got = scan(data, len, 0);
            FILE *f = fopen(golden, "w");
            if (!f || fputs(got, f) < 0 || fclose(f) != 0)
                fail_msg("%s: cannot write", golden);
            free(want);
            want = got;
        }
        if (!want)
            fail_msg("%s: the .expected file is missing", path);
        for (unsigned seed = 0; seed < 6; seed++) {
            char *got = scan(data, len, seed);
            if (strcmp(got, want) != 0) {
                print_error("%s (chunk seed %u):\n--- expected\n%s--- got\n%s", path, seed, want,
                            got);
                failures++;
                free(got);
                break;
            }
            free(got);
        }
        for (const char *p = want; *p; p++)
            reports += *p == '\n';
        logs++;
        free(data);
        free(want);
    }
    closedir(d);
    print_message("console corpus: %d logs, %d reports\n", logs, reports);
    assert_int_equal(failures, 0);
    assert_true(logs >= 40);
}

static void clean(const char *in, char out[256])
{
    rg_console_clean_line(in, strlen(in), out, 256);
}

static void test_clean_line(void **state)
{
    char out[256];

    (void)state;
    clean("[   12.345678] BUG: x", out);
    assert_string_equal(out, "BUG: x");
    clean("[   12.345678][  T143] Oops: 0000", out);
    assert_string_equal(out, "Oops: 0000");
    clean("<4>[    1.000000] WARNING: CPU: 0", out);
    assert_string_equal(out, "WARNING: CPU: 0");
    clean("/ # \x1b[6n[    5.244051] BUG: kernel", out);
    assert_string_equal(out, "BUG: kernel");
    clean("\x1b[31mBUG:\x1b[0m red\r", out);
    assert_string_equal(out, "BUG: red");
    /* A trace line keeps its leading blank: frames are told apart by it. */
    clean("[    1.0] [C1]  rg_x+0x1/0x2 [rg_sensor]", out);
    assert_string_equal(out, " rg_x+0x1/0x2 [rg_sensor]");
}

static void test_frame_name(void **state)
{
    char out[64];

    (void)state;
    rg_console_frame_name("rg_sensor_eval.isra.0+0x2a/0x90 [rg_sensor]", out, sizeof(out));
    assert_string_equal(out, "rg_sensor_eval");
    rg_console_frame_name("  __do_sys_finit_module.cold+0x5/0x9", out, sizeof(out));
    assert_string_equal(out, "__do_sys_finit_module");
    rg_console_frame_name("rg_x.constprop.0.part.1+0x1/0x2", out, sizeof(out));
    assert_string_equal(out, "rg_x");
}

static void test_report_ready_before_stream_ends(void **state)
{
    static const char oops[] = "[ 1.000000] BUG: kernel NULL pointer dereference, address: 0\n"
                               "[ 1.000100] RIP: 0010:rg_sensor_eval+0x2a/0x90 [rg_sensor]\n"
                               "[ 1.000200] ---[ end trace 0000000000000000 ]---\n";
    struct rg_console *c = rg_console_new(NULL);

    (void)state;
    size_t first = (size_t)(strchr(oops, '\n') - oops) + 1;

    rg_console_feed(c, oops, first);
    assert_true(rg_console_crash_pending(c));
    assert_int_equal(rg_console_nfindings(c), 0);
    rg_console_feed(c, oops + first, sizeof(oops) - 1 - first);
    /* The end marker completes the finding: the engine need not wait for the stream's end. */
    assert_int_equal(rg_console_nfindings(c), 1);
    assert_string_equal(rg_console_finding_at(c, 0)->guilty, "rg_sensor_eval");
    assert_string_equal(rg_console_finding_at(c, 0)->module, "rg_sensor");
    assert_non_null(strstr(rg_console_finding_at(c, 0)->excerpt, "RIP: 0010:rg_sensor_eval"));
    rg_console_free(c);
}

static void test_classes_configurable(void **state)
{
    static const char lockup[] = "watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [x:1]\n"
                                 "RIP: 0010:rg_spin+0x12/0x20 [rg_sensor]\n";
    struct rg_console_opts opts = {.hang_class = RG_CONSOLE_IGNORE};
    struct rg_console *c = rg_console_new(&opts);

    (void)state;
    rg_console_feed(c, lockup, sizeof(lockup) - 1);
    rg_console_finish(c);
    assert_int_equal(rg_console_nfindings(c), 0);
    rg_console_free(c);
    opts.hang_class = RG_CONSOLE_WARNING;
    c = rg_console_new(&opts);
    rg_console_feed(c, lockup, sizeof(lockup) - 1);
    rg_console_finish(c);
    assert_int_equal(rg_console_nfindings(c), 1);
    assert_int_equal(rg_console_finding_at(c, 0)->cls, RG_CONSOLE_WARNING);
    rg_console_free(c);
}

static void test_excerpt_bounded(void **state)
{
    struct rg_console *c = rg_console_new(NULL);
    char line[128];

    (void)state;
    rg_console_feed(c, "BUG: kernel NULL pointer dereference, address: 0\n", 49);
    for (int i = 0; i < 1000; i++) {
        int n = snprintf(line, sizeof(line), " rg_frame_%d+0x1/0x2 [rg_sensor]\n", i);
        rg_console_feed(c, line, (size_t)n);
    }
    rg_console_finish(c);
    assert_int_equal(rg_console_nfindings(c), 1);
    assert_true(strlen(rg_console_finding_at(c, 0)->excerpt) <= 8192);
    rg_console_free(c);
}

/* Words that alarm a naive scanner, in lines that report nothing. */
static void test_clean_alarming_words(void **state)
{
    static const char log[] =
        "[    0.000000] Kernel command line: console=ttyS0 panic=-1 panic_on_warn=0\n"
        "[    0.100000] BUG_ON support compiled in\n"
        "[    0.200000] rg_sensor: watchdog hook registered\n"
        "[    0.300000] EXT4-fs (vda1): recovery complete, 0 errors\n"
        "[    0.400000] Lockdep: 0 errors, 0 warnings\n"
        "[    0.500000] ODEBUG: selftest passed\n"
        "[    0.600000] NMI watchdog: Enabled. Permanently consumes one hw-PMU counter.\n"
        "[    0.700000] rcu: RCU CPU stall warnings timeout set to 100 (rcu_cpu_stall_timeout).\n"
        "BUG: rg-selftest found 0 problems\n"
        "Internal error: config missing, using defaults\n"
        "Oops, retrying\n"
        "traps: x[1] general protection fault ip:1 sp:2 error:0 in x[400000+1000]\n"
        "[    0.800000] ringgate-guest: ready\n";
    struct rg_console *c = rg_console_new(NULL);

    (void)state;
    for (size_t i = 0; i < sizeof(log) - 1; i++) {
        rg_console_feed(c, log + i, 1);
        assert_false(rg_console_crash_pending(c));
    }
    rg_console_finish(c);
    assert_int_equal(rg_console_nfindings(c), 0);
    assert_int_equal(rg_console_primary(c), -1);
    rg_console_free(c);
}

/* The table is data a reader can trust: every type has a kind, a start and a title, and
 * every frame a skip list passes over has its reason. */
static void test_rule_table(void **state)
{
    const struct rg_skip *lists[] = {rg_console_skip_common, rg_console_stall_anchors,
                                     rg_console_hung_skip};

    (void)state;
    assert_true(rg_console_nrules >= 60);
    for (size_t i = 0; i < rg_console_nrules; i++) {
        const struct rg_console_rule *r = &rg_console_rules[i];
        assert_non_null(r->kind);
        assert_non_null(r->start[0]);
        assert_non_null(r->title);
        for (const struct rg_skip *k = r->skip; k && k->pattern; k++)
            assert_true(k->why && k->why[0]);
    }
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
        for (const struct rg_skip *k = lists[i]; k->pattern; k++)
            assert_true(k->why && k->why[0]);
}

static const struct rg_console_finding *only(struct rg_console *c, const char *log)
{
    rg_console_feed(c, log, strlen(log));
    rg_console_finish(c);
    assert_int_equal(rg_console_nfindings(c), 1);
    return rg_console_finding_at(c, 0);
}

/* The driver a gate asks about: an out-of-tree module's frame wins over the kernel code it
 * called into, and its name is the finding's module; in-tree modules are kernel code. */
static void test_guilty_module(void **state)
{
    static const char log[] = "BUG: unable to handle page fault for address: ffffc90000a3e000\n"
                              "Modules linked in: rg_sensor(OE) ext4 mbcache\n"
                              "RIP: 0010:mb_cache_entry_touch+0x5/0x20 [mbcache]\n"
                              "Call Trace:\n"
                              " <TASK>\n"
                              " ext4_xattr_get+0x9e/0x2b0 [ext4]\n"
                              " rg_audit_inode+0x3c/0x90 [rg_sensor]\n"
                              " </TASK>\n"
                              "---[ end trace 0000000000000000 ]---\n";
    struct rg_console *c = rg_console_new(NULL);
    const struct rg_console_finding *f = only(c, log);

    (void)state;
    assert_string_equal(f->title, "BUG: unable to handle kernel paging request in rg_audit_inode");
    assert_string_equal(f->guilty, "rg_audit_inode");
    assert_string_equal(f->module, "rg_sensor");
    rg_console_free(c);
    /* Without an out-of-tree frame, the first frame that is not report machinery. */
    c = rg_console_new(NULL);
    f = only(c, "general protection fault, probably for non-canonical address 0x1: 0000\n"
                "Modules linked in: ext4 mbcache\n"
                "RIP: 0010:mb_cache_entry_touch+0x5/0x20 [mbcache]\n"
                "---[ end trace 0000000000000000 ]---\n");
    assert_string_equal(f->title, "general protection fault in mb_cache_entry_touch");
    assert_string_equal(f->module, "mbcache");
    rg_console_free(c);
}

/* Several reports: the first crash is primary; a report cut by the next one is kept. */
static void test_primary_and_cut_reports(void **state)
{
    static const char log[] =
        "WARNING: CPU: 0 PID: 1 at drivers/x.c:1 rg_a+0x1/0x2 [rg_sensor]\n"
        "BUG: kernel NULL pointer dereference, address: 0000000000000000\n"
        "general protection fault, probably for non-canonical address 0x1: 0000\n"
        "RIP: 0010:rg_b+0x1/0x2 [rg_sensor]\n"
        "---[ end trace 0000000000000000 ]---\n";
    struct rg_console *c = rg_console_new(NULL);

    (void)state;
    rg_console_feed(c, log, sizeof(log) - 1);
    rg_console_finish(c);
    assert_int_equal(rg_console_nfindings(c), 3);
    assert_int_equal(rg_console_primary(c), 1);
    assert_string_equal(rg_console_finding_at(c, 0)->title, "WARNING in rg_a");
    assert_int_equal(rg_console_finding_at(c, 0)->cls, RG_CONSOLE_WARNING);
    assert_string_equal(rg_console_finding_at(c, 1)->title,
                        "BUG: unable to handle kernel NULL pointer dereference in corrupted");
    assert_string_equal(rg_console_finding_at(c, 2)->title, "general protection fault in rg_b");
    rg_console_free(c);
}

/* Titles keep no numbers of a run: addresses, pids, CPUs, offsets. */
static void test_titles_stable(void **state)
{
    struct rg_console *c = rg_console_new(NULL);
    const struct rg_console_finding *f =
        only(c, "Kernel panic - not syncing: Fatal machine check on CPU#3 at 0xffff88800f800000, "
                "pid 1234\n");

    (void)state;
    assert_string_equal(f->title, "kernel panic: Fatal machine check on CPU at ADDR, pid NUM");
    rg_console_free(c);
}

static char *primary_title(const char *name)
{
    char path[512], *data, *title;
    size_t len;
    struct rg_console *c = rg_console_new(NULL);

    snprintf(path, sizeof(path), "%s/%s.log", CORPUS, name);
    data = rg_test_slurp(path, &len);
    if (!data)
        fail_msg("%s: cannot read", path);
    rg_console_feed(c, data, len);
    rg_console_finish(c);
    assert_true(rg_console_primary(c) >= 0);
    title = strdup(rg_console_finding_at(c, (size_t)rg_console_primary(c))->title);
    rg_console_free(c);
    free(data);
    return title;
}

/* The same bug printed by another kernel (6.1 and 6.12, x86 and arm64, old and new layouts)
 * keeps its title: searches and deduplication across builds depend on it. */
static void test_same_bug_same_title(void **state)
{
    static const char *const pairs[][2] = {
        {"gpf", "gpf-6.12-oops-prefix"},
        {"kernel-bug", "kernel-bug-6.12"},
        {"kernel-bug", "arm64-kernel-bug"},
        {"warning-in-module", "warning-new-layout"},
        {"real-0291-oops-after-shell-prompt", "null-deref-6.12"},
        {"real-0291-oops-after-shell-prompt", "arm64-null-deref"},
        {"divide-error", "divide-error-old-spelling"},
        {"soft-lockup-nmi-watchdog", "rcu-stall-self-detected"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        char *a = primary_title(pairs[i][0]), *b = primary_title(pairs[i][1]);
        if (i == sizeof(pairs) / sizeof(pairs[0]) - 1) {
            /* a lockup and a stall of the same loop: different reports, the same function */
            assert_string_equal(strstr(a, " in "), strstr(b, " in "));
        } else if (strcmp(a, b) != 0) {
            fail_msg("%s: \"%s\" but %s: \"%s\"", pairs[i][0], a, pairs[i][1], b);
        }
        free(a);
        free(b);
    }
}

static void test_marker_lines(void **state)
{
    (void)state;
    assert_true(rg_console_marker_line("[    1.2] BUG: kernel NULL pointer dereference"));
    assert_true(rg_console_marker_line(" Call Trace:"));
    assert_true(rg_console_marker_line("RIP: 0010:rg_sensor_eval+0x42/0x90 [rg_sensor]"));
    assert_true(rg_console_marker_line("---[ end trace 0000000000000000 ]---"));
    assert_false(rg_console_marker_line("[    0.0] Linux version 6.1.0-27-amd64"));
    assert_false(rg_console_marker_line("RINGGATE-READY boot=1 sensor=1.0.0"));
}

static bool other_ready(const char *line, void *opaque)
{
    (void)opaque;
    return strstr(line, "rg-other[") != NULL;
}

/* Another product's ready line (its contract's, not the sensor's) ends an open report too. */
static void test_contract_ready_line_ends_a_report(void **state)
{
    static const char log[] =
        "[  122.000000] INFO: task rg-scan:97 blocked for more than 120 seconds.\n"
        "[  122.000100]       Tainted: G           OE      6.1.0-56-amd64 #1\n"
        "[  122.000200] task:rg-scan         state:D stack:0     pid:97    ppid:2\n"
        "[  122.000300] Call Trace:\n"
        "[  122.000400]  <TASK>\n"
        "[  122.000500]  schedule+0x5e/0xd0\n"
        "[  122.000600]  rg_sensor_scan+0x41/0x90 [rg_sensor]\n"
        "rg-other[12]: started version=1.0.0 rules=7\n"
        "[  123.000000]  more_frames_of_nothing+0x1/0x2\n";
    struct rg_console_opts opts = {.ready_line = other_ready};
    struct rg_console *c = rg_console_new(&opts);
    const struct rg_console_finding *f;

    (void)state;
    rg_console_feed(c, log, sizeof(log) - 1);
    assert_int_equal(rg_console_nfindings(c), 1); /* complete at the ready line */
    f = rg_console_finding_at(c, 0);
    assert_int_equal(f->last_line, 7);
    assert_string_equal(f->guilty, "rg_sensor_scan");
    rg_console_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_contract_ready_line_ends_a_report),
        cmocka_unit_test(test_marker_lines),
        cmocka_unit_test(test_corpus_golden_titles),
        cmocka_unit_test(test_clean_line),
        cmocka_unit_test(test_frame_name),
        cmocka_unit_test(test_report_ready_before_stream_ends),
        cmocka_unit_test(test_classes_configurable),
        cmocka_unit_test(test_excerpt_bounded),
        cmocka_unit_test(test_clean_alarming_words),
        cmocka_unit_test(test_rule_table),
        cmocka_unit_test(test_guilty_module),
        cmocka_unit_test(test_primary_and_cut_reports),
        cmocka_unit_test(test_titles_stable),
        cmocka_unit_test(test_same_bug_same_title),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
