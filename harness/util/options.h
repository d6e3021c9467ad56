/* Command-line options as tables: one table per command gives its parser, its usage lines and
 * its help, in the manner of git's parse-options. */
#ifndef RG_OPTIONS_H
#define RG_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/error.h"

enum rg_option_type {
    RG_OPTION_BOOL,   /* no argument; the bool becomes true */
    RG_OPTION_SET,    /* no argument; the int becomes .set */
    RG_OPTION_STRING, /* the const char * becomes the argument */
    RG_OPTION_LIST,   /* the argument is added to a struct rg_opt_list; when it is full, .bad */
    RG_OPTION_INT,    /* a decimal integer from .min to .max into the int; else .bad */
    RG_OPTION_CHOICE, /* one of .choices' names; the int becomes its value; else .bad */
};

/* An option's possible values. With help, the option's help lists each value on its own line. */
struct rg_opt_choice {
    const char *name; /* NULL ends the list */
    int value;
    const char *help;
};

/* Where an RG_OPTION_LIST option collects its arguments: the caller's array of max. */
struct rg_opt_list {
    const char **v;
    size_t n, max;
};

/* Bits of struct rg_option's .flags. */
#define RG_OPT_ALT 1u /* the usage line shows it as an alternative to the option before it */

/* Usage lines are numbered from 0; a mask of them (bit i: line i). */
#define RG_OPT_LINE(i) (1u << (i))

struct rg_option {
    enum rg_option_type type;
    char short_name; /* 0: none; never 'h' (-h is --help) */
    const char *long_name;
    size_t offset;    /* where the value goes in the options' struct (offsetof) */
    const char *arg;  /* the argument's name in usage and help ("N", "URI"); NULL: none, or a
                         choice's values */
    const char *help; /* one line of prose; the help output wraps it */
    int set;          /* RG_OPTION_SET's value */
    long min, max;    /* RG_OPTION_INT's range */
    const struct rg_opt_choice *choices; /* RG_OPTION_CHOICE's values */
    const char *bad;   /* the usage error for a value the option refuses */
    unsigned flags;    /* RG_OPT_* */
    unsigned lines;    /* the usage lines that show it; 0: all */
    unsigned required; /* the usage lines that show it as required; line 0's are checked */
};

/* The table's entries. s: short name or 0; l: long name; off: offsetof(struct ..., field). */
#define RG_OPT_BOOL(s, l, off, h)                                                              \
    {.type = RG_OPTION_BOOL, .short_name = (s), .long_name = (l), .offset = (off), .help = (h)}
#define RG_OPT_SET(s, l, off, v, h)                                                            \
    {.type = RG_OPTION_SET, .short_name = (s), .long_name = (l), .offset = (off), .set = (v),   \
     .help = (h)}
/* The same two, shown in the usage line as alternatives to the entry before: [-q | -v]. */
#define RG_OPT_OR_BOOL(s, l, off, h)                                                           \
    {.type = RG_OPTION_BOOL, .short_name = (s), .long_name = (l), .offset = (off), .help = (h), \
     .flags = RG_OPT_ALT}
#define RG_OPT_OR_SET(s, l, off, v, h)                                                         \
    {.type = RG_OPTION_SET, .short_name = (s), .long_name = (l), .offset = (off), .set = (v),   \
     .help = (h), .flags = RG_OPT_ALT}
#define RG_OPT_STRING(s, l, off, a, h)                                                         \
    {.type = RG_OPTION_STRING, .short_name = (s), .long_name = (l), .offset = (off),           \
     .arg = (a), .help = (h)}
/* A string option the command cannot do without: shown bare, and checked by the parse. */
#define RG_OPT_REQ_STRING(s, l, off, a, h)                                                     \
    {.type = RG_OPTION_STRING, .short_name = (s), .long_name = (l), .offset = (off),           \
     .arg = (a), .help = (h), .required = RG_OPT_LINE(0)}
#define RG_OPT_INT(s, l, off, a, lo, hi, bad_, h)                                              \
    {.type = RG_OPTION_INT, .short_name = (s), .long_name = (l), .offset = (off), .arg = (a),   \
     .min = (lo), .max = (hi), .bad = (bad_), .help = (h)}
#define RG_OPT_CHOICE(s, l, off, a, ch, bad_, h)                                               \
    {.type = RG_OPTION_CHOICE, .short_name = (s), .long_name = (l), .offset = (off),           \
     .arg = (a), .choices = (ch), .bad = (bad_), .help = (h)}

/* A command's whole interface: its usage lines, options and operands, the struct its options
 * go into, and the prose of its help. */
struct rg_opt_spec {
    const char *name;  /* as the usage line shows it after the program: "run" */
    const char *usage; /* each usage line's words before the options, lines split by '\n'
                          ("verify FILE\nshow FILE"); NULL: one line of no words */
    const struct rg_option *options; /* RG_OPTIONS(table) */
    size_t noptions;                 /* 0: no option parsing at all, every word an operand */
    bool no_help;                    /* without the -h, --help every table has */
    int min_args, max_args; /* operands after the options; max_args < 0: no limit */
    const char *args_error; /* the usage error for a wrong number of operands or a missing
                               required option; NULL: the command checks them itself */
    const char *about;      /* what the command does: paragraphs, shown as written */
    const char *more;       /* after the options (exit codes...): shown as written */
    const void *defaults;   /* the options' struct before parsing (NULL: all zero)... */
    size_t size;            /* ...and its size; 0: the command parses for itself */
};

#define RG_OPTIONS(table) .options = (table), .noptions = sizeof(table) / sizeof((table)[0])

#define RG_OPTIONS_HELP 1 /* rg_options_parse's return when --help was given */

/* Parses argv (argv[0] the command's name) with getopt_long: options may follow operands,
 * long options may be abbreviated, "--" ends them, and getopt's own complaint about an
 * unknown option or a missing argument goes to stderr. Values go into the struct at into.
 * Returns 0 with the first operand's index in *first; RG_OPTIONS_HELP when -h/--help came
 * before any error; -1 with the usage error in err->msg. */
int rg_options_parse(const struct rg_opt_spec *spec, int argc, char **argv, void *into,
                     int *first, struct rg_error *err);
/* The usage lines, "usage: PROG NAME WORDS [OPTIONS]", wrapped at 80 columns. */
void rg_options_usage(struct rg_buf *b, const char *prog, const struct rg_opt_spec *spec);
/* The whole help: usage lines, about, one entry per option (its help wrapped), more. */
void rg_options_help(struct rg_buf *b, const char *prog, const struct rg_opt_spec *spec);

#endif
