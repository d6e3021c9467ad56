/* `ringgate console-scan [--json] FILE...`: the crash detector on saved console logs. */
#include <errno.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmds.h"
#include "console/console.h"
#include "model/guest.h"
#include "util/ringgate.h"

static const char console_scan_about[] =
    "Finds Linux kernel failure reports in serial console logs: panics, oopses, NULL\n"
    "dereferences, general protection faults, BUG()s, WARNINGs, KASAN, KFENCE, UBSAN, KMSAN,\n"
    "KCSAN, lockdep, SLUB debug, kmemleak, soft and hard lockups, hung tasks, RCU stalls,\n"
    "list and refcount corruption, VFS failures, OOM kills and more (x86, arm64, arm).\n"
    "Each report gets a stable title in the names used upstream (no addresses, offsets,\n"
    "pids, CPU numbers or times) naming the guilty function and its module; a panic that\n"
    "follows a report is part of it; the first crash is the log's primary report.\n"
    "FILE '-' reads standard input.\n";
static const char console_scan_more[] =
    "Exit: 0 no crash found, 1 a crash found (warnings alone do not count), 2 usage or I/O\n"
    "error.\n";

struct scan_args {
    bool json;
    int oom_class, hang_class;
};
static const struct scan_args console_scan_defaults = {.oom_class = RG_CONSOLE_CRASH,
                                                       .hang_class = RG_CONSOLE_CRASH};

#define AT(field) offsetof(struct scan_args, field)

static const struct rg_opt_choice classes[] = {
    {"crash", RG_CONSOLE_CRASH, NULL}, {"warning", RG_CONSOLE_WARNING, NULL},
    {"ignore", RG_CONSOLE_IGNORE, NULL}, {NULL, 0, NULL}};

static const struct rg_option console_scan_options[] = {
    RG_OPT_BOOL(0, "json", AT(json),
                "one JSON object per file and line: {\"file\", \"crashes\": [{\"title\", "
                "\"kind\", \"line\", \"guilty\", \"module\", \"primary\", \"excerpt\"}], "
                "\"warnings\": [{\"title\", \"kind\", \"line\", \"guilty\", \"module\"}]}"),
    RG_OPT_CHOICE(0, "oom-class", AT(oom_class), "C", classes,
                  "a class is crash, warning or ignore", "crash (default), warning or ignore"),
    RG_OPT_CHOICE(0, "hang-class", AT(hang_class), "C", classes,
                  "a class is crash, warning or ignore",
                  "class of lockups, hung tasks, RCU stalls: crash (default), warning or ignore"),
};

static int scan_file(const char *path, const struct rg_console_opts *opts,
                     struct rg_console **out)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    struct rg_console *c;
    char buf[65536];
    size_t n;

    if (!f) {
        fprintf(stderr, "%s: error: cannot read: %s\n", path, strerror(errno));
        return -1;
    }
    c = rg_console_new(opts);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        rg_console_feed(c, buf, n);
    if (ferror(f)) {
        fprintf(stderr, "%s: error: cannot read: %s\n", path, strerror(errno));
        if (f != stdin)
            fclose(f);
        rg_console_free(c);
        return -1;
    }
    if (f != stdin)
        fclose(f);
    rg_console_finish(c);
    *out = c;
    return 0;
}

static void print_json(const char *path, const struct rg_console *c)
{
    json_t *crashes = json_array(), *warnings = json_array(), *root;
    char *text;

    for (size_t i = 0; i < rg_console_nfindings(c); i++) {
        const struct rg_console_finding *f = rg_console_finding_at(c, i);
        if (f->cls == RG_CONSOLE_CRASH)
            json_array_append_new(
                crashes, json_pack("{s:s, s:s, s:I, s:s, s:s, s:b, s:s}", "title", f->title,
                                   "kind", f->kind, "line", (json_int_t)f->first_line, "guilty",
                                   f->guilty, "module", f->module, "primary",
                                   (long)i == rg_console_primary(c), "excerpt",
                                   f->excerpt ? f->excerpt : ""));
        else if (f->cls == RG_CONSOLE_WARNING)
            json_array_append_new(
                warnings, json_pack("{s:s, s:s, s:I, s:s, s:s}", "title", f->title, "kind",
                                    f->kind, "line", (json_int_t)f->first_line, "guilty",
                                    f->guilty, "module", f->module));
    }
    root = json_pack("{s:s, s:o, s:o}", "file", path, "crashes", crashes, "warnings", warnings);
    text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text)
        puts(text);
    free(text);
    json_decref(root);
}

static void print_text(const char *path, const struct rg_console *c)
{
    size_t n = rg_console_nfindings(c);

    printf("%s: %zu report%s in %ld lines\n", path, n, n == 1 ? "" : "s", rg_console_lines(c));
    for (size_t i = 0; i < n; i++) {
        const struct rg_console_finding *f = rg_console_finding_at(c, i);
        printf("  %-7s line %-6ld %s%s\n", f->cls == RG_CONSOLE_CRASH ? "crash" : "warning",
               f->first_line, f->title,
               n > 1 && (long)i == rg_console_primary(c) ? "  (primary)" : "");
        if (f->guilty[0])
            printf("          guilty: %s%s%s%s\n", f->guilty, f->module[0] ? " [" : "",
                   f->module, f->module[0] ? "]" : "");
    }
}

/* A log has no image: the default contract's ready line (the sample sensor's) ends a report. */
static bool default_ready_line(const char *line, void *opaque)
{
    struct rg_ready_info info;

    return rg_guest_ready_match(opaque, line, &info);
}

static int cmd_console_scan(void *opts, int argc, char **argv)
{
    const struct scan_args *a = opts;
    struct rg_guest_contract guest;
    struct rg_console_opts copts = {.hang_class = (enum rg_console_class)a->hang_class,
                                    .oom_class = (enum rg_console_class)a->oom_class,
                                    .ready_line = default_ready_line,
                                    .ready_opaque = &guest};
    bool crashed = false, failed = false;

    rg_guest_resolve(NULL, NULL, &guest);

    for (int i = 0; i < argc; i++) {
        struct rg_console *c;

        if (scan_file(argv[i], &copts, &c) < 0) {
            failed = true;
            continue;
        }
        for (size_t k = 0; k < rg_console_nfindings(c); k++)
            crashed = crashed || rg_console_finding_at(c, k)->cls == RG_CONSOLE_CRASH;
        if (a->json)
            print_json(argv[i], c);
        else
            print_text(argv[i], c);
        rg_console_free(c);
    }
    if (failed)
        return RG_EXIT_USAGE;
    return crashed ? RG_EXIT_BLOCK : RG_EXIT_OK;
}

RG_COMMAND(console_scan, "find kernel crashes in console logs", .name = "console-scan",
           .usage = "FILE...", .min_args = 1, .max_args = -1,
           .args_error = "no log file given ('-' for stdin)");
