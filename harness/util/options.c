/* Option tables: getopt_long driven from a table, and the usage lines and help drawn from it. */
#include "util/options.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define OPTIONS_MAX 32 /* entries in one table; more is a programming error */
#define WIDTH 80       /* columns of the usage lines and the help */
#define FLAGS_MAX 20   /* an option's flags wider than this put its help on the next line */

#define HELP_CODE 'h' /* getopt_long's code for -h, --help */

/* getopt_long's code for entry i: its short name, else a code no character has. */
static int code_of(const struct rg_option *o, size_t i)
{
    return o->short_name ? (unsigned char)o->short_name : 256 + (int)i;
}

static bool takes_arg(const struct rg_option *o)
{
    return o->type != RG_OPTION_BOOL && o->type != RG_OPTION_SET;
}

/* Stores arg (or the flag) as o says. -1 with o's own message when it refuses the value. */
static int store(const struct rg_option *o, const char *arg, void *into, struct rg_error *err)
{
    void *at = (char *)into + o->offset;
    struct rg_opt_list *list = at;
    char *end;
    long v;

    switch (o->type) {
    case RG_OPTION_BOOL:
        *(bool *)at = true;
        return 0;
    case RG_OPTION_SET:
        *(int *)at = o->set;
        return 0;
    case RG_OPTION_STRING:
        *(const char **)at = arg;
        return 0;
    case RG_OPTION_LIST:
        if (list->n == list->max)
            return rg_error_set(err, NULL, 0, 0, "%s", o->bad);
        list->v[list->n++] = arg;
        return 0;
    case RG_OPTION_INT:
        v = strtol(arg, &end, 10);
        if (*end || v < o->min || v > o->max)
            return rg_error_set(err, NULL, 0, 0, "%s", o->bad);
        *(int *)at = (int)v;
        return 0;
    case RG_OPTION_CHOICE:
        for (const struct rg_opt_choice *c = o->choices; c->name; c++) {
            if (strcmp(arg, c->name) == 0) {
                *(int *)at = c->value;
                return 0;
            }
        }
        return rg_error_set(err, NULL, 0, 0, "%s", o->bad);
    }
    return rg_error_set(err, NULL, 0, 0, "unknown option");
}

static int check_operands(const struct rg_opt_spec *spec, int argc, int first, const bool *seen,
                          struct rg_error *err)
{
    int n = argc - first;
    bool ok = n >= spec->min_args && (spec->max_args < 0 || n <= spec->max_args);

    if (!spec->args_error)
        return 0;
    for (size_t i = 0; ok && i < spec->noptions; i++)
        ok = !(spec->options[i].required & RG_OPT_LINE(0)) || seen[i];
    return ok ? 0 : rg_error_set(err, NULL, 0, 0, "%s", spec->args_error);
}

int rg_options_parse(const struct rg_opt_spec *spec, int argc, char **argv, void *into,
                     int *first, struct rg_error *err)
{
    struct option longopts[OPTIONS_MAX + 2];
    char shortopts[2 * OPTIONS_MAX + 2];
    bool seen[OPTIONS_MAX] = {false};
    const struct rg_option *t = spec->options;
    size_t n = spec->noptions, k = 0;
    int code;

    *first = 1;
    if (n == 0)
        return check_operands(spec, argc, 1, seen, err);
    if (n > OPTIONS_MAX)
        return rg_error_set(err, NULL, 0, 0, "more than %d options", OPTIONS_MAX);
    for (size_t i = 0; i < n; i++) {
        longopts[i] = (struct option){t[i].long_name,
                                      takes_arg(&t[i]) ? required_argument : no_argument, NULL,
                                      code_of(&t[i], i)};
        if (t[i].short_name) {
            shortopts[k++] = t[i].short_name;
            if (takes_arg(&t[i]))
                shortopts[k++] = ':';
        }
    }
    if (!spec->no_help) {
        longopts[n++] = (struct option){"help", no_argument, NULL, HELP_CODE};
        shortopts[k++] = HELP_CODE;
    }
    longopts[n] = (struct option){NULL, 0, NULL, 0};
    shortopts[k] = '\0';
    optind = 1;
    while ((code = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        size_t i = 0;

        if (code == HELP_CODE && !spec->no_help)
            return RG_OPTIONS_HELP;
        while (i < spec->noptions && code_of(&t[i], i) != code)
            i++;
        if (i == spec->noptions) /* '?': getopt has said what was wrong */
            return rg_error_set(err, NULL, 0, 0, "unknown option");
        if (store(&t[i], optarg, into, err) < 0)
            return -1;
        seen[i] = true;
    }
    *first = optind;
    return check_operands(spec, argc, optind, seen, err);
}

/* ---- Drawing the usage lines and the help ---- */

/* How the usage line names o: its short form if it has one, and its argument. */
static void put_synopsis(struct rg_buf *b, const struct rg_option *o)
{
    if (o->short_name)
        rg_buf_printf(b, "-%c", o->short_name);
    else
        rg_buf_printf(b, "--%s", o->long_name);
    if (o->arg)
        rg_buf_printf(b, " %s", o->arg);
    else if (o->choices) /* no name for the argument: its values */
        for (const struct rg_opt_choice *c = o->choices; c->name; c++)
            rg_buf_printf(b, "%c%s", c == o->choices ? ' ' : '|', c->name);
}

/* Appends word to the usage line being drawn in b, wrapping at WIDTH to column indent. */
static void put_word(struct rg_buf *b, size_t *col, size_t indent, const char *word)
{
    size_t len = strlen(word);

    if (*col > indent && *col + 1 + len > WIDTH) {
        rg_buf_printf(b, "\n%*s", (int)indent, "");
        *col = indent;
    } else {
        rg_buf_putc(b, ' ');
        (*col)++;
    }
    rg_buf_puts(b, word);
    *col += len;
}

/* Usage line number line: "LEAD PROG NAME WORDS" (len bytes of words), then each option it
 * shows, bare when required there, else in brackets; alternatives (RG_OPT_ALT) share one
 * pair: [-q | -v]. */
static void usage_line(struct rg_buf *b, const char *lead, const char *prog,
                       const struct rg_opt_spec *spec, const char *words, size_t len,
                       unsigned line)
{
    const struct rg_option *t = spec->options;
    size_t n = spec->noptions, start = b->len, col, indent;
    struct rg_buf item = RG_BUF_INIT;
    bool bracketed = false;

    rg_buf_printf(b, "%s%s %s", lead, prog, spec->name);
    col = b->len - start;
    indent = col + 1;
    if (len) {
        rg_buf_append(&item, words, len);
        put_word(b, &col, indent, rg_buf_str(&item));
        rg_buf_reset(&item);
    }
    for (size_t i = 0; i < n; i++) {
        if (t[i].lines && !(t[i].lines & line))
            continue;
        if (item.len) {
            rg_buf_puts(&item, " | ");
        } else {
            bracketed = !(t[i].required & line);
            if (bracketed)
                rg_buf_putc(&item, '[');
        }
        put_synopsis(&item, &t[i]);
        if (i + 1 < n && (t[i + 1].flags & RG_OPT_ALT))
            continue; /* its alternative follows */
        if (bracketed)
            rg_buf_putc(&item, ']');
        put_word(b, &col, indent, rg_buf_str(&item));
        rg_buf_reset(&item);
    }
    rg_buf_putc(b, '\n');
    rg_buf_free(&item);
}

void rg_options_usage(struct rg_buf *b, const char *prog, const struct rg_opt_spec *spec)
{
    const char *words = spec->usage ? spec->usage : "";

    for (unsigned line = 0;; line++) {
        size_t len = strcspn(words, "\n");

        usage_line(b, line ? "       " : "usage: ", prog, spec, words, len, RG_OPT_LINE(line));
        if (!words[len])
            return;
        words += len + 1;
    }
}

/* Prose as written, ending with a newline. */
static void put_prose(struct rg_buf *b, const char *text)
{
    size_t n = strlen(text);

    rg_buf_putc(b, '\n');
    rg_buf_puts(b, text);
    if (n && text[n - 1] != '\n')
        rg_buf_putc(b, '\n');
}

/* One entry of the option list: "  FLAGS  HELP", the help wrapped at WIDTH to column col. */
static void put_entry(struct rg_buf *b, const char *flags, const char *help, size_t col)
{
    size_t at = 2 + strlen(flags), i = 0;

    rg_buf_printf(b, "  %s", flags);
    if (at + 2 > col) {
        rg_buf_putc(b, '\n');
        at = 0;
    }
    while (help && help[i]) {
        size_t len = strcspn(help + i, " ");

        if (at >= col && at + 1 + len > WIDTH) {
            rg_buf_putc(b, '\n');
            at = 0;
        }
        if (at < col) {
            rg_buf_printf(b, "%*s", (int)(col - at), "");
            at = col;
        } else {
            rg_buf_putc(b, ' ');
            at++;
        }
        rg_buf_append(b, help + i, len);
        at += len;
        i += len;
        i += strspn(help + i, " ");
    }
    rg_buf_putc(b, '\n');
}

/* o's flags as the option list shows them ("-j, --jobs N"), with value instead of its
 * argument's name when given. */
static void flags_of(struct rg_buf *f, const struct rg_option *o, const char *value)
{
    rg_buf_reset(f);
    if (o->short_name)
        rg_buf_printf(f, "-%c%s", o->short_name, o->long_name ? ", " : "");
    if (o->long_name)
        rg_buf_printf(f, "--%s", o->long_name);
    if (value || o->arg)
        rg_buf_printf(f, " %s", value ? value : o->arg);
}

/* Calls fn for each entry of the option list: one per option, and one per value of a choice
 * whose values have their own help. */
static void each_entry(const struct rg_opt_spec *spec, struct rg_buf *f,
                       void (*fn)(void *ctx, const char *flags, const char *help), void *ctx)
{
    for (size_t i = 0; i < spec->noptions; i++) {
        const struct rg_option *o = &spec->options[i];

        if (o->help || !o->choices) {
            flags_of(f, o, NULL);
            fn(ctx, rg_buf_str(f), o->help);
        }
        for (const struct rg_opt_choice *c = o->choices; c && c->name; c++) {
            if (c->help) {
                flags_of(f, o, c->name);
                fn(ctx, rg_buf_str(f), c->help);
            }
        }
    }
}

/* The flags column's width: the widest flags up to FLAGS_MAX (wider ones stand alone). */
static void widest(void *ctx, const char *flags, const char *help)
{
    size_t *w = ctx, len = strlen(flags);

    (void)help;
    if (len > FLAGS_MAX)
        len = FLAGS_MAX;
    if (len > *w)
        *w = len;
}

struct list_ctx {
    struct rg_buf *b;
    size_t col;
};

static void entry(void *ctx, const char *flags, const char *help)
{
    struct list_ctx *l = ctx;

    put_entry(l->b, flags, help, l->col);
}

void rg_options_help(struct rg_buf *b, const char *prog, const struct rg_opt_spec *spec)
{
    struct rg_buf flags = RG_BUF_INIT;
    struct list_ctx l = {b, 0};
    size_t w = 0;

    rg_options_usage(b, prog, spec);
    if (spec->about)
        put_prose(b, spec->about);
    each_entry(spec, &flags, widest, &w);
    if (w) {
        l.col = 2 + w + 2;
        rg_buf_putc(b, '\n');
        each_entry(spec, &flags, entry, &l);
    }
    if (spec->more)
        put_prose(b, spec->more);
    rg_buf_free(&flags);
}
