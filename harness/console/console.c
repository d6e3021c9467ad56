/* The console crash detector: a streaming line scanner driven by the report table. */
#include "console/console.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/rules.h"
#include "util/buf.h"

#define LINE_MAX_BYTES 1024 /* longer console lines are cut: reports' lines are short */
#define EXCERPT_LINES 60
#define EXCERPT_BYTES 8192
#define REPORT_MAX_LINES 200 /* a report that never ends is closed after this many lines */
#define MAX_FRAMES 64        /* candidate frames kept per report */
#define NEED_FRAME_LINES 40  /* RG_RULE_NEED_FRAME reports show a frame within this many lines */
#define NCAPS 4
#define TITLE_LEN 120 /* longer titles are cut, as upstream's are */

struct caps {
    const char *p[NCAPS];
    size_t n[NCAPS];
};

struct frame {
    char name[96];
    char mod[48];
    unsigned char tier; /* 0: the rule's key frames; 1: the stack; 2: last resort */
    bool irq;           /* printed inside <IRQ>/<NMI>: the interrupt, not the interrupted */
};

struct report {
    bool open;
    const struct rg_console_rule *rule;
    enum rg_console_class cls;
    char caps[NCAPS][160];
    char first[RG_CONSOLE_TITLE_MAX]; /* the first line, prefixes dropped */
    char access[8];                   /* KASAN: Read or Write */
    char oom_comm[64], modules[256], tainted[64];
    long first_line, last_line;
    int lines;
    struct frame f[MAX_FRAMES];
    int nf;
    char unreliable[96], unreliable_mod[48]; /* the best "? frame": only when nothing else */
    bool stack_done;   /* past the primary stack: frames belong to other stacks */
    bool primary_seen; /* a frame of the primary stack was kept */
    bool in_irq, after_became, after_backtrace, end_pending;
    struct rg_buf excerpt;
    int excerpt_lines;
};

struct rg_console {
    struct rg_console_opts opts;
    struct rg_buf partial; /* bytes of the line not yet ended */
    long lines;
    struct report r;
    bool boot_crashed; /* a crash report was seen since the last boot banner */
    size_t boot_first; /* the first finding of this boot */
    char oot[256];     /* out-of-tree modules named by this boot (" a b "), "" unknown */
    short *lists;      /* rule indices, by a line's first byte (index_rules) */
    short list_at[256], list_n[256];
    struct rg_console_finding *v;
    size_t n, cap;
};

/* ---- Globs ---- */

static bool glob_at(const char *p, const char *s, struct caps *cap, int ci, bool full)
{
    for (;;) {
        if (!*p)
            return !full || !*s;
        if (*p == '*') {
            if (!p[1]) {
                if (cap && ci < NCAPS) {
                    cap->p[ci] = s;
                    cap->n[ci] = strlen(s);
                }
                return true;
            }
            for (const char *t = s;; t++) {
                if (glob_at(p + 1, t, cap, ci + 1, full)) {
                    if (cap && ci < NCAPS) {
                        cap->p[ci] = s;
                        cap->n[ci] = (size_t)(t - s);
                    }
                    return true;
                }
                if (!*t)
                    return false;
            }
        }
        if (*p == '#') {
            size_t n = strcspn(s, " ");
            if (!n || !glob_at(p + 1, s + n, cap, ci + 1, full))
                return false;
            if (cap && ci < NCAPS) {
                cap->p[ci] = s;
                cap->n[ci] = n;
            }
            return true;
        }
        if (*p != *s)
            return false;
        p++;
        s++;
    }
}

static bool glob_full(const char *pattern, const char *s)
{
    return glob_at(pattern, s, NULL, 0, true);
}

static bool skip_match(const struct rg_skip *list, const char *name)
{
    for (; list && list->pattern; list++)
        if (glob_full(list->pattern, name))
            return true;
    return false;
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- The rule index ---- */

/* Rules are tried by the first byte of a line: list[b] holds, in table order, the rules with
 * a start pattern beginning with b; list[0] those beginning with a wildcard, tried on every
 * line (after a look for their first literal text). */
static void index_rules(struct rg_console *c)
{
    size_t total = 0, at = 0;

    for (int pass = 0; pass < 2; pass++) {
        for (int b = 0; b < 256; b++) {
            if (pass == 1) {
                c->list_at[b] = (short)at;
                c->list_n[b] = 0;
            }
            for (size_t i = 0; i < rg_console_nrules; i++) {
                bool in = false;
                for (int k = 0; k < 4 && rg_console_rules[i].start[k]; k++) {
                    unsigned char first = (unsigned char)rg_console_rules[i].start[k][0];
                    in = in || first == b || (b == 0 && (first == '*' || first == '#'));
                }
                if (!in)
                    continue;
                if (pass == 0) {
                    total++;
                } else {
                    c->lists[at++] = (short)i;
                    c->list_n[b]++;
                }
            }
        }
        if (pass == 0) {
            c->lists = malloc((total ? total : 1) * sizeof(*c->lists));
            if (!c->lists)
                abort();
        }
    }
}

static const struct rg_console_rule *match_list(const struct rg_console *c, int b, const char *s,
                                                struct caps *cap)
{
    for (int j = 0; j < c->list_n[b]; j++) {
        const struct rg_console_rule *rule = &rg_console_rules[c->lists[c->list_at[b] + j]];
        for (int k = 0; k < 4 && rule->start[k]; k++) {
            const char *pat = rule->start[k];
            if (pat[0] != '*' && pat[0] != '#' && pat[0] != s[0])
                continue;
            if (pat[0] == '*' && pat[1]) {
                char lit[48];
                size_t n = strcspn(pat + 1, "*#");
                if (n >= sizeof(lit))
                    n = sizeof(lit) - 1;
                memcpy(lit, pat + 1, n);
                lit[n] = '\0';
                if (n && !strstr(s, lit))
                    continue;
            }
            memset(cap, 0, sizeof(*cap));
            if (glob_at(pat, s, cap, 0, false))
                return rule;
        }
    }
    return NULL;
}

static const struct rg_console_rule *match_rule(const struct rg_console *c, const char *s,
                                                struct caps *cap)
{
    const struct rg_console_rule *r = NULL;

    if (s[0])
        r = match_list(c, (unsigned char)s[0], s, cap);
    if (!r)
        r = match_list(c, 0, s, cap);
    return r;
}

/* The line with its leading blanks and known prefixes dropped, and the rule it starts. */
static const struct rg_console_rule *detect(const struct rg_console *c, const char *s,
                                            const char **head, struct caps *cap)
{
    const struct rg_console_rule *rule;

    for (;;) {
        bool again = false;
        while (*s == ' ')
            s++;
        for (const struct rg_strip *st = rg_console_strip; st->prefix; st++) {
            if (!starts(s, st->prefix))
                continue;
            const char *rest = s + strlen(st->prefix);
            if (st->only_if_known && !match_rule(c, rest, cap))
                continue;
            s = rest;
            again = true;
            break;
        }
        if (!again)
            break;
    }
    *head = s;
    rule = match_rule(c, s, cap);
    return rule;
}

struct rg_console *rg_console_new(const struct rg_console_opts *opts)
{
    struct rg_console *c = calloc(1, sizeof(*c));

    if (!c)
        abort();
    if (opts)
        c->opts = *opts;
    index_rules(c);
    return c;
}

/* ---- Line cleaning ---- */

static bool is_digit_str(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return n > 0;
}

size_t rg_console_clean_line(const char *in, size_t len, char *out, size_t size)
{
    size_t o = 0, i = 0;

    /* Drop ANSI escape sequences, CRs and other control bytes first. */
    for (; i < len && o + 1 < size; i++) {
        unsigned char ch = (unsigned char)in[i];
        if (ch == 0x1b) {
            if (i + 1 < len && in[i + 1] == '[') {
                i += 2;
                while (i < len && !isalpha((unsigned char)in[i]))
                    i++;
            }
            continue;
        }
        if (ch == '\t')
            ch = ' ';
        if (ch < 0x20 || ch == 0x7f)
            continue;
        out[o++] = (char)ch;
    }
    out[o] = '\0';
    /* A prompt or a half-written line may precede the kernel's timestamp: the kernel's
     * line starts at its "[ seconds.micros]". */
    for (char *p = out + (o ? 1 : 0); *p; p++) { /* an empty line has nothing past its NUL */
        char *close;
        if (*p == '[' && (close = strchr(p, ']')) && close - p >= 8 && close[-7] == '.' &&
            isdigit((unsigned char)close[-1])) {
            bool stamp = true;
            for (char *q = p + 1; q < close && stamp; q++)
                stamp = *q == ' ' || *q == '.' || isdigit((unsigned char)*q);
            if (stamp) {
                memmove(out, p, (size_t)(out + o - p) + 1);
                o -= (size_t)(p - out);
                break;
            }
        }
    }
    /* Then the prefixes: "<4>", "[   12.345678]", "[T123]" / "[C1]", in any mix. */
    for (;;) {
        char *p = out, *close;
        size_t skip = 0;

        while (*p == ' ')
            p++;
        if (*p == '<' && (close = strchr(p, '>')) && is_digit_str(p + 1, (size_t)(close - p - 1)))
            skip = (size_t)(close - out) + 1;
        else if (*p == '[' && (close = strchr(p, ']'))) {
            const char *q = p + 1;
            size_t n = (size_t)(close - q);
            while (n && *q == ' ') {
                q++;
                n--;
            }
            bool stamp = n > 0,
                 caller = n > 1 && (q[0] == 'T' || q[0] == 'C') && is_digit_str(q + 1, n - 1);
            for (size_t k = 0; k < n && stamp; k++)
                stamp = isdigit((unsigned char)q[k]) || q[k] == '.';
            if (stamp || caller)
                skip = (size_t)(close - out) + 1;
        }
        if (!skip)
            break;
        if (out[skip] == ' ')
            skip++;
        memmove(out, out + skip, o - skip + 1);
        o -= skip;
    }
    return o;
}

void rg_console_frame_name(const char *frame, char *out, size_t size)
{
    size_t n = 0;

    while (*frame == ' ')
        frame++;
    while (frame[n] && (isalnum((unsigned char)frame[n]) || frame[n] == '_' || frame[n] == '.'))
        n++;
    if (n >= size)
        n = size - 1;
    memcpy(out, frame, n);
    out[n] = '\0';
    /* Compiler clones keep the function's name before the first dot. */
    char *dot = strchr(out, '.');
    if (dot)
        *dot = '\0';
}

/* ---- Frames ---- */

static bool is_ident(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_' || ch == '.';
}

/* "F+0x1a/0x40 [mod]" (or, with bare, "F [mod]", "F)" and "F" as printed by %ps) at p. */
static bool frame_at(const char *p, bool bare, char *name, size_t nsize, char *mod, size_t msize)
{
    size_t n = 0, hex = 0;
    const char *after;

    mod[0] = '\0';
    while (is_ident(p[n]))
        n++;
    if (!n)
        return false;
    after = p + n;
    if (starts(after, "+0x")) {
        const char *slash = after + 3;
        while (isxdigit((unsigned char)*slash))
            slash++;
        if (slash == after + 3 || !starts(slash, "/0x"))
            return false;
        after = slash + 3;
        while (isxdigit((unsigned char)*after))
            after++;
    } else if (!bare || (*after && *after != ' ' && *after != ')' && *after != ',')) {
        return false;
    }
    /* A bare hexadecimal number is an unsymbolised address, not a function. */
    for (size_t i = 0; i < n; i++)
        hex += isxdigit((unsigned char)p[i]) != 0;
    if (hex == n && n >= 8)
        return false;
    {
        char tmp[128];
        size_t k = n < sizeof(tmp) ? n : sizeof(tmp) - 1;
        memcpy(tmp, p, k);
        tmp[k] = '\0';
        rg_console_frame_name(tmp, name, nsize);
    }
    if (after[0] == ' ' && after[1] == '[' && after[2] != '<') {
        const char *m = after + 2;
        size_t k = 0;
        while (m[k] && m[k] != ']' && m[k] != ' ' && k + 1 < msize)
            k++;
        memcpy(mod, m, k);
        mod[k] = '\0';
    }
    return name[0] != '\0';
}

/* Skips "[<ffffffff81000000>] " address prefixes (one or two). */
static const char *skip_addrs(const char *p)
{
    for (int i = 0; i < 2; i++) {
        const char *br;
        if (p[0] == '[' && p[1] == '<' && (br = strstr(p, ">]")) != NULL) {
            p = br + 2;
            while (*p == ' ')
                p++;
        }
    }
    return p;
}

struct pframe {
    char name[96], mod[48];
    bool unreliable;
};

/* The frames one line shows: a stack line, a register line naming the faulting function,
 * an arm "(F) from (G)" pair. Returns how many (0..2). */
static int parse_frames(const char *s, struct pframe out[2])
{
    const char *p = s;
    bool unreliable = false;
    int n = 0;

    if (starts(p, "RIP: ") || starts(p, "EIP: ")) {
        p += 5;
        const char *colon = strchr(p, ':');
        if (colon && colon - p <= 4)
            p = colon + 1;
        p = skip_addrs(p); /* 4.x: "RIP: 0010:[<ffffffff81000000>]  [<...>] F+0x1/0x2" */
    } else if (starts(p, "pc : ")) {
        p += 5;
    } else if (starts(p, "PC is at ")) {
        p += 9;
    } else if (*p == ' ' || *p == '[') {
        while (*p == ' ')
            p++;
        if (*p == '?') {
            unreliable = true;
            p++;
            while (*p == ' ')
                p++;
        }
        p = skip_addrs(p);
    } else {
        return 0;
    }
    if (*p == '(') { /* arm: "[<c0..>] (F [mod]) from [<c0..>] (G+0x1/0x2 [mod])" */
        if (frame_at(p + 1, true, out[n].name, sizeof(out[n].name), out[n].mod,
                     sizeof(out[n].mod))) {
            out[n++].unreliable = unreliable;
        }
        const char *from = strstr(p, ") from ");
        if (from) {
            const char *g = skip_addrs(from + 7);
            if (*g == '(' && frame_at(g + 1, true, out[n].name, sizeof(out[n].name), out[n].mod,
                                      sizeof(out[n].mod)))
                out[n++].unreliable = unreliable;
        }
        return n;
    }
    if (frame_at(p, false, out[0].name, sizeof(out[0].name), out[0].mod, sizeof(out[0].mod))) {
        out[n++].unreliable = unreliable;
        const char *from = strstr(p, " from "); /* newer arm: "F+0x1/0x2 from G+0x3/0x4" */
        if (from && frame_at(from + 6, false, out[n].name, sizeof(out[n].name), out[n].mod,
                             sizeof(out[n].mod)))
            out[n++].unreliable = unreliable;
    }
    return n;
}

/* ---- Reports ---- */

static bool module_out_of_tree(const struct rg_console *c, const char *mod)
{
    char key[64];

    if (!mod[0])
        return false;
    if (!c->oot[0])
        return true; /* no module list seen: any module is the likelier culprit */
    snprintf(key, sizeof(key), " %s ", mod);
    return strstr(c->oot, key) != NULL;
}

static void add_frame(struct report *r, const char *name, const char *mod, int tier)
{
    if (r->nf == MAX_FRAMES)
        return;
    struct frame *f = &r->f[r->nf++];
    snprintf(f->name, sizeof(f->name), "%s", name);
    snprintf(f->mod, sizeof(f->mod), "%s", mod);
    f->tier = (unsigned char)tier;
    f->irq = r->in_irq;
}

static bool frame_skipped(const struct rg_console_rule *rule, const char *name)
{
    return skip_match(rg_console_skip_common, name) || skip_match(rule->skip, name);
}

/* The frame before the first dispatch anchor: the looping code's entry, not wherever the
 * timer interrupt happened to catch it. */
static const struct frame *pick_stall(const struct report *r, const int *order, int n)
{
    const struct frame *prev = NULL, *first = NULL;

    for (int i = 0; i < n; i++) {
        const struct frame *f = &r->f[order[i]];
        if (f->irq)
            continue;
        if (skip_match(rg_console_stall_anchors, f->name))
            return prev ? prev : first;
        if (!frame_skipped(r->rule, f->name)) {
            prev = f;
            if (!first)
                first = f;
        }
    }
    return first;
}

static const char *pick_hung(const struct report *r, const int *order, int n,
                             const struct frame **out)
{
    *out = NULL;
    for (int i = 0; i < n; i++)
        for (const struct rg_hung_anchor *a = rg_console_hung_anchors; a->pattern; a++)
            if (glob_full(a->pattern, r->f[order[i]].name)) {
                *out = &r->f[order[i]];
                return a->title_frame;
            }
    for (int i = 0; i < n; i++) {
        const struct frame *f = &r->f[order[i]];
        if (!skip_match(rg_console_hung_skip, f->name) && !frame_skipped(r->rule, f->name)) {
            *out = f;
            return f->name;
        }
    }
    return NULL;
}

/* Chooses the guilty frame; returns the name for the title (NULL: none) and fills out. */
static const char *pick_guilty(const struct rg_console *c, const struct report *r,
                               const struct frame **out)
{
    int order[MAX_FRAMES], n = 0;

    *out = NULL;
    for (int tier = 0; tier <= 2; tier++)
        for (int i = 0; i < r->nf; i++)
            if (r->f[i].tier == tier && (tier < 2 || n == 0))
                order[n++] = i;
    /* The driver a gate asks about: its first frame wins over the kernel code it called. */
    for (int i = 0; i < n; i++) {
        const struct frame *f = &r->f[order[i]];
        if ((r->rule->pick != RG_PICK_STALL || !f->irq) && f->tier < 2 &&
            module_out_of_tree(c, f->mod) && !frame_skipped(r->rule, f->name)) {
            *out = f;
            return f->name;
        }
    }
    if (r->rule->pick == RG_PICK_STALL) {
        *out = pick_stall(r, order, n);
        return *out ? (*out)->name : NULL;
    }
    if (r->rule->pick == RG_PICK_HUNG)
        return pick_hung(r, order, n, out);
    for (int i = 0; i < n; i++)
        if (!frame_skipped(r->rule, r->f[order[i]].name)) {
            *out = &r->f[order[i]];
            return (*out)->name;
        }
    return NULL;
}

/* ---- Titles ---- */

static void put_sanitised(struct rg_buf *b, const char *s, size_t n);

/* The kernel's words up to their details: "BUG: spinlock lockup suspected on CPU#0, x" ->
 * "BUG: spinlock lockup suspected". */
static void head_words(const char *first, char *out, size_t size)
{
    static const char *const stops[] = {" at ", ":", ",", " on CPU", " (", NULL};
    const char *body = strchr(first, ':');
    size_t base = body ? (size_t)(body - first) + 1 : 0, n = strlen(first);

    for (size_t i = 0; stops[i]; i++) {
        const char *p = strstr(first + base, stops[i]);
        if (p && (size_t)(p - first) < n)
            n = (size_t)(p - first);
    }
    while (n && (first[n - 1] == ' ' || first[n - 1] == '.' || first[n - 1] == '!'))
        n--;
    snprintf(out, size, "%.*s", (int)n, first);
}

/* A task's name from "comm:pid" or "kworker/0:1:12". */
static void task_name(const char *s, char *out, size_t size)
{
    size_t n = strcspn(s, ":/");
    snprintf(out, size, "%.*s", (int)n, s);
}

/* The function as the title shows it: syscall wrappers lose their prefixes. */
static void title_function(const char *name, char *out, size_t size)
{
    const char *best = name;

    for (const char *const *p = rg_console_syscall_prefixes; *p; p++)
        if (starts(name, *p) && name[strlen(*p)] && strlen(name + strlen(*p)) < strlen(best))
            best = name + strlen(*p);
    snprintf(out, size, "%s", best);
}

static bool word_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_';
}

/* Captured kernel text made stable across builds and runs: no offsets, module tags,
 * addresses, line numbers, CPU numbers or other numbers. */
static void put_sanitised(struct rg_buf *b, const char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        char prev = i ? s[i - 1] : ' ';
        /* "+0x1a/0x40" after a function */
        if (s[i] == '+' && i + 2 < n && s[i + 1] == '0' && s[i + 2] == 'x' && i &&
            word_char(prev)) {
            size_t j = i + 3;
            while (j < n && (isxdigit((unsigned char)s[j]) || s[j] == '/' || s[j] == 'x'))
                j++;
            i = j;
            continue;
        }
        /* " [module]" after a function */
        if (s[i] == ' ' && i + 1 < n && s[i + 1] == '[' && i && word_char(prev)) {
            const char *close = memchr(s + i, ']', n - i);
            size_t j = i + 2;
            while (j < n && word_char(s[j]))
                j++;
            if (close && (size_t)(close - s) == j) {
                i = j + 1;
                continue;
            }
        }
        if (!word_char(prev) || i == 0) {
            /* addresses: "0x..." or six hexadecimal digits and more */
            size_t j = i + ((s[i] == '0' && i + 1 < n && s[i + 1] == 'x') ? 2 : 0), h = j;
            while (h < n && (isdigit((unsigned char)s[h]) || (s[h] >= 'a' && s[h] <= 'f')))
                h++;
            if (i > 0 && (h - j >= 6 || (j > i && h > j))) {
                rg_buf_puts(b, "ADDR");
                i = h;
                continue;
            }
            /* "CPU#3" */
            if (starts(s + i, "CPU#") && i + 4 < n && isdigit((unsigned char)s[i + 4])) {
                rg_buf_puts(b, "CPU");
                i += 4;
                while (i < n && isdigit((unsigned char)s[i]))
                    i++;
                continue;
            }
            /* a number standing alone */
            h = i;
            while (h < n && isdigit((unsigned char)s[h]))
                h++;
            if (i > 0 && h > i && (h == n || !word_char(s[h]))) {
                /* "file.c:123" keeps its file */
                rg_buf_puts(b, prev == ':' && i >= 2 && isalpha((unsigned char)s[i - 2]) ? "LINE"
                                                                                         : "NUM");
                i = h;
                continue;
            }
        }
        rg_buf_putc(b, s[i++]);
    }
}

static void build_title(const struct rg_console *c, const struct report *r, const char *fn,
                        char *out, size_t size)
{
    const struct rg_console_rule *rule = r->rule;
    const char *fmt = fn || !rule->title_noframe ? rule->title : rule->title_noframe;
    struct rg_buf b = RG_BUF_INIT;
    char tmp[RG_CONSOLE_TITLE_MAX];

    (void)c;
    for (const char *p = fmt; *p; p++) {
        if (*p != '%' || !p[1]) {
            rg_buf_putc(&b, *p);
            continue;
        }
        switch (*++p) {
        case '1':
        case '2':
        case '3':
        case '4':
            put_sanitised(&b, r->caps[*p - '1'], strlen(r->caps[*p - '1']));
            break;
        case 'F':
            if (fn) {
                title_function(fn, tmp, sizeof(tmp));
                rg_buf_puts(&b, tmp);
            } else {
                rg_buf_puts(&b, "corrupted");
            }
            break;
        case 'A':
            rg_buf_puts(&b, r->access);
            break;
        case 'T':
            task_name(r->caps[0], tmp, sizeof(tmp));
            rg_buf_puts(&b, tmp);
            break;
        case 'O':
            if (r->oom_comm[0])
                rg_buf_printf(&b, " of %s", r->oom_comm);
            break;
        case 'H':
            head_words(r->first, tmp, sizeof(tmp));
            put_sanitised(&b, tmp, strlen(tmp));
            break;
        default:
            rg_buf_putc(&b, *p);
        }
    }
    /* One blank between words, none at the ends, at most TITLE_LEN characters (a longer
     * one loses its last words). */
    size_t o = 0;
    const char *t = rg_buf_str(&b);
    bool cut = false;
    for (size_t i = 0; t[i] && o + 1 < size; i++) {
        if (t[i] == ' ' && (o == 0 || out[o - 1] == ' '))
            continue;
        if (o == TITLE_LEN) {
            cut = true;
            break;
        }
        out[o++] = t[i];
    }
    if (cut)
        while (o && out[o - 1] != ' ')
            o--;
    while (o && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
    rg_buf_free(&b);
}

static enum rg_console_class class_of(const struct rg_console *c,
                                      const struct rg_console_rule *rule)
{
    switch (rule->cls) {
    case RG_RULE_WARNING:
        return RG_CONSOLE_WARNING;
    case RG_RULE_HANG:
        return c->opts.hang_class;
    case RG_RULE_OOM:
        return c->opts.oom_class;
    case RG_RULE_CRASH:
        break;
    }
    return RG_CONSOLE_CRASH;
}

/* ---- Findings ---- */

static void report_finish(struct rg_console *c)
{
    struct report *r = &c->r;
    struct rg_console_finding *f;
    const struct frame *g = NULL;
    const char *fn;
    char title[RG_CONSOLE_TITLE_MAX];

    if (!r->open)
        return;
    r->open = false;
    if (r->cls == RG_CONSOLE_IGNORE)
        return;
    fn = pick_guilty(c, r, &g);
    if (!fn && r->unreliable[0]) { /* a call through a garbage pointer leaves only "? f" */
        fn = r->unreliable;
        g = NULL;
    }
    if ((r->rule->flags & RG_RULE_NEED_FRAME) && !fn)
        return;
    build_title(c, r, fn, title, sizeof(title));
    if (r->rule->flags & RG_RULE_ONCE)
        for (size_t i = c->boot_first; i < c->n; i++)
            if (strcmp(c->v[i].title, title) == 0) {
                c->v[i].last_line = r->last_line;
                return;
            }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 8;
        c->v = realloc(c->v, c->cap * sizeof(*c->v));
        if (!c->v)
            abort();
    }
    f = &c->v[c->n++];
    memset(f, 0, sizeof(*f));
    f->cls = r->cls;
    snprintf(f->kind, sizeof(f->kind), "%s", r->rule->kind);
    snprintf(f->title, sizeof(f->title), "%s", title);
    f->first_line = r->first_line;
    f->last_line = r->last_line;
    if (fn)
        snprintf(f->guilty, sizeof(f->guilty), "%s", fn);
    if (g)
        snprintf(f->module, sizeof(f->module), "%s", g->mod);
    else if (fn == r->unreliable)
        snprintf(f->module, sizeof(f->module), "%s", r->unreliable_mod);
    snprintf(f->modules, sizeof(f->modules), "%s", r->modules);
    snprintf(f->tainted, sizeof(f->tainted), "%s", r->tainted);
    f->excerpt = rg_buf_detach(&r->excerpt);
    if (r->cls == RG_CONSOLE_CRASH)
        c->boot_crashed = true;
}

static void report_add_line(struct report *r, const char *s, long line)
{
    r->last_line = line;
    r->lines++;
    if (r->excerpt_lines < EXCERPT_LINES && r->excerpt.len + strlen(s) + 1 < EXCERPT_BYTES) {
        rg_buf_puts(&r->excerpt, s);
        rg_buf_putc(&r->excerpt, '\n');
        r->excerpt_lines++;
    }
}

static void set_caps(struct report *r, const struct caps *cap)
{
    for (int i = 0; i < NCAPS; i++) {
        size_t n = cap->p[i] ? cap->n[i] : 0;
        if (n >= sizeof(r->caps[i]))
            n = sizeof(r->caps[i]) - 1;
        memcpy(r->caps[i], n ? cap->p[i] : "", n);
        r->caps[i][n] = '\0';
    }
}

/* The function a first line names: "KASAN: x in F+0x1/0x2 [m]", "corrupted in: F". */
static void head_frame(struct report *r, const char *s)
{
    const char *in = strstr(s, " in: ");
    char name[96], mod[48];

    in = in ? in + 5 : strstr(s, " in ");
    if (!in)
        return;
    if (in[0] == ' ')
        in += 4;
    if (frame_at(in, true, name, sizeof(name), mod, sizeof(mod)))
        add_frame(r, name, mod, 0);
}

/* The function a WARNING line names: "at file.c:82 F+0x1/0x2 [m]" or "at F+0x1/0x2, CPU#0"
 * (its RIP, which very old kernels and hand-cut logs do not print). */
static void warn_frame(struct report *r, const char *s)
{
    const char *at = strstr(s, " at ");
    char name[96], mod[48];

    for (int tok = 0; at && tok < 2; tok++) {
        at = tok ? strchr(at, ' ') : at + 4;
        if (!at)
            return;
        while (*at == ' ')
            at++;
        if (frame_at(at, false, name, sizeof(name), mod, sizeof(mod))) {
            add_frame(r, name, mod, 1);
            return;
        }
    }
}

static void key_frames(struct report *r, const char *head)
{
    if (r->rule->frames == RG_FRAMES_HEAD)
        head_frame(r, head);
    else if (r->rule->frames == RG_FRAMES_WARN)
        warn_frame(r, head);
}

static void report_start(struct rg_console *c, const struct rg_console_rule *rule,
                         const struct caps *cap, const char *head, long line)
{
    struct report *r = &c->r;

    report_finish(c);
    rg_buf_free(&r->excerpt);
    memset(r, 0, sizeof(*r));
    r->open = true;
    r->rule = rule;
    r->cls = class_of(c, rule);
    r->first_line = line;
    set_caps(r, cap);
    snprintf(r->first, sizeof(r->first), "%s", head);
    key_frames(r, head);
}

/* A lead-in line ("refcount_t: underflow", "list_add corruption") is taken over by the
 * report line that follows it; the report keeps its first line. */
static void report_upgrade(struct rg_console *c, const struct rg_console_rule *rule,
                           const struct caps *cap, const char *head)
{
    struct report *r = &c->r;

    r->rule = rule;
    r->cls = class_of(c, rule);
    set_caps(r, cap);
    snprintf(r->first, sizeof(r->first), "%s", head);
    key_frames(r, head);
}

static void note_out_of_tree(struct rg_console *c, const char *name, size_t n)
{
    char key[72];

    if (!n || n > 60)
        return;
    snprintf(key, sizeof(key), " %.*s ", (int)n, name);
    if (!strstr(c->oot, key) && strlen(c->oot) + strlen(key) < sizeof(c->oot)) {
        if (!c->oot[0])
            snprintf(c->oot, sizeof(c->oot), "%s", key);
        else
            strcat(c->oot, key + 1);
    }
}

/* "Modules linked in: rg_sensor(OE) ext4 ...": the modules flagged out-of-tree (O),
 * proprietary (P) or unsigned (E) are the vendor's. */
static void parse_modules(struct rg_console *c, const char *p)
{
    if (!c->oot[0])
        snprintf(c->oot, sizeof(c->oot), " ");
    while (*p) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ("), end = strcspn(p, " ");
        if (p[n] == '(' && strcspn(p + n, "OPE") < strcspn(p + n, ")"))
            note_out_of_tree(c, p, n);
        p += end;
    }
}

/* Evidence lines inside a report. */
static void report_evidence(struct rg_console *c, struct report *r, const char *s)
{
    const char *p;

    if (starts(s, "Modules linked in:")) {
        p = s + 18;
        while (*p == ' ')
            p++;
        snprintf(r->modules, sizeof(r->modules), "%s", p);
        parse_modules(c, p);
    } else if ((p = strstr(s, " Tainted: ")) && !r->tainted[0]) {
        const char *q = p + 10;
        size_t n = strlen(q), k;
        for (const char *stop = q; *stop; stop++)
            if ((stop[0] == ' ' && (stop[1] == ' ' || stop[1] == '#')) && stop > q) {
                n = (size_t)(stop - q);
                break;
            }
        k = n < sizeof(r->tainted) ? n : sizeof(r->tainted) - 1;
        memcpy(r->tainted, q, k);
        r->tainted[k] = '\0';
    } else if (!r->access[0] && strstr(r->rule->title, "%A")) {
        if (starts(s, "Read of size") || starts(s, "Read at addr"))
            snprintf(r->access, sizeof(r->access), "Read");
        else if (starts(s, "Write of size") || starts(s, "Write at addr"))
            snprintf(r->access, sizeof(r->access), "Write");
    }
    if (r->rule->cls == RG_RULE_OOM &&
        (strstr(s, "Killed process ") || strstr(s, "Kill process "))) {
        const char *open = strchr(s, '('), *close = open ? strchr(open, ')') : NULL;
        if (open && close && close - open - 1 < (long)sizeof(r->oom_comm))
            snprintf(r->oom_comm, sizeof(r->oom_comm), "%.*s", (int)(close - open - 1), open + 1);
    }
}

static bool secondary_stack(const char *s)
{
    for (const char *const *k = rg_console_secondary_stacks; *k; k++)
        if (starts(s, *k))
            return true;
    return false;
}

/* Frames and stack structure of a line inside a report. */
static void report_frames(struct report *r, const char *s)
{
    const char *t = s, *at;
    struct pframe pf[2];
    int n, tier = 1;

    while (*t == ' ')
        t++;
    if (t[0] == '<') {
        if (starts(t, "<IRQ>") || starts(t, "<NMI>"))
            r->in_irq = true;
        else if (starts(t, "</IRQ>") || starts(t, "</NMI>") || starts(t, "<EOI>") ||
                 starts(t, "<TASK>"))
            r->in_irq = false;
        return;
    }
    if (secondary_stack(t)) {
        r->stack_done = true;
        return;
    }
    if (starts(t, "Call Trace:") || starts(t, "Call trace:")) {
        if (!r->primary_seen)
            r->stack_done = false;
        return;
    }
    if (r->rule->frames == RG_FRAMES_BECAME && strstr(t, "which became ") && strstr(t, " at:"))
        r->after_became = true;
    if (starts(t, "backtrace"))
        r->after_backtrace = true;
    /* Key frames named in the text: lockdep's lock sites, SLUB's owner. */
    if (r->rule->frames == RG_FRAMES_AT && (at = strstr(s, ", at: ")) != NULL) {
        char name[96], mod[48];
        if (frame_at(skip_addrs(at + 6), false, name, sizeof(name), mod, sizeof(mod)))
            add_frame(r, name, mod, 0);
        return;
    }
    /* SLUB's object history: who allocated it is a key frame for some types; the stacks
     * that follow are history, not the path that found the bug. */
    if (starts(t, "Allocated in ") || starts(t, "Freed in ")) {
        char name[96], mod[48];
        if (t[0] == 'A' && r->rule->frames == RG_FRAMES_TRACK &&
            frame_at(t + 13, false, name, sizeof(name), mod, sizeof(mod)))
            add_frame(r, name, mod, 0);
        r->stack_done = true;
        return;
    }
    if (r->stack_done)
        return;
    n = parse_frames(s, pf);
    if (r->rule->frames == RG_FRAMES_BECAME)
        tier = r->after_became ? 0 : 2;
    else if (r->rule->frames == RG_FRAMES_BACKTRACE)
        tier = r->after_backtrace ? 0 : 2;
    for (int i = 0; i < n; i++) {
        if (pf[i].unreliable) {
            /* "? func" may be stale stack contents; a module's is the best lead when the
             * report has no reliable frame at all. */
            if (!r->unreliable[0] || (pf[i].mod[0] && !r->unreliable_mod[0])) {
                snprintf(r->unreliable, sizeof(r->unreliable), "%s", pf[i].name);
                snprintf(r->unreliable_mod, sizeof(r->unreliable_mod), "%s", pf[i].mod);
            }
            continue;
        }
        add_frame(r, pf[i].name, pf[i].mod, tier);
        if (tier < 2)
            r->primary_seen = true;
    }
}

/* True when a line goes on with the stack that a "</TASK>" or "</IRQ>" seemed to close. */
static bool continues_stack(const char *s)
{
    struct pframe pf[2];
    const char *t = s;

    while (*t == ' ')
        t++;
    if (t[0] == '<' || starts(t, "RIP:") || starts(t, "Call Trace") || starts(t, "Code:") ||
        starts(t, "RSP:"))
        return true;
    return s[0] == ' ' && parse_frames(s, pf) > 0;
}

static bool report_ends(const struct report *r, const char *s)
{
    const char *t = s;

    while (*t == ' ')
        t++;
    if (starts(s, "---[ end trace") || starts(s, "---[ end Kernel panic"))
        return true;
    switch (r->rule->end) {
    case RG_END_LINE:
        return true;
    case RG_END_RULE:
        if (r->lines > 1 && starts(s, "====================="))
            return true;
        break;
    case RG_END_FIX:
        if (starts(s, "FIX "))
            return true;
        break;
    case RG_END_OOM:
        if (starts(s, "Out of memory: Kill") || starts(s, "Memory cgroup out of memory: Kill"))
            return true;
        break;
    case RG_END_MARKER:
    case RG_END_STACK:
    case RG_END_INDENT:
        break;
    }
    if ((r->rule->flags & RG_RULE_NEED_FRAME) && !r->nf && !r->unreliable[0] &&
        r->lines >= NEED_FRAME_LINES)
        return true;
    return r->lines >= REPORT_MAX_LINES;
}

static void report_line(struct rg_console *c, const char *s, long line, bool first)
{
    struct report *r = &c->r;

    report_add_line(r, s, line);
    report_evidence(c, r, s);
    if (!first)
        report_frames(r, s);
    if (r->rule->end == RG_END_STACK && r->nf && !first) {
        const char *t = s;
        while (*t == ' ')
            t++;
        if (starts(t, "</TASK>") || starts(t, "</IRQ>") || starts(t, "</NMI>"))
            r->end_pending = true;
    }
    if (report_ends(r, s))
        report_finish(c);
}

/* "Kernel panic" after a report (an oops, panic_on_warn) is that report's end. */
static bool panic_attaches(struct rg_console *c, const char *head, long line)
{
    struct report *r = &c->r;
    const char *reason = head + strlen("Kernel panic - not syncing: ");
    struct rg_console_finding *last = c->n > c->boot_first ? &c->v[c->n - 1] : NULL;
    bool warned = last && last->cls == RG_CONSOLE_WARNING && last->last_line >= line - 40;

    if (r->open) {
        if (r->cls == RG_CONSOLE_WARNING)
            r->cls = RG_CONSOLE_CRASH;
        return true;
    }
    if (!c->boot_crashed && !warned)
        return false;
    if (warned && starts(reason, "panic_on_warn"))
        last->cls = RG_CONSOLE_CRASH;
    if (last)
        last->last_line = line;
    return true;
}

static void scan_line(struct rg_console *c, const char *raw, size_t len)
{
    char s[LINE_MAX_BYTES];
    struct report *r = &c->r;
    const struct rg_console_rule *rule;
    const char *head, *p;
    struct caps cap;
    long line = ++c->lines;

    rg_console_clean_line(raw, len, s, sizeof(s));
    /* A new boot ends whatever the last one was printing. */
    if (starts(s, "Linux version ")) {
        report_finish(c);
        c->boot_crashed = false;
        c->boot_first = c->n;
        c->oot[0] = '\0';
        return;
    }
    if (c->opts.ready_line && c->opts.ready_line(s, c->opts.ready_opaque)) {
        report_finish(c);
        return;
    }
    /* "rg_sensor: loading out-of-tree module taints kernel.", "rg_sensor: module verification
     * failed: signature and/or required key missing - tainting kernel" (the tail first:
     * most lines end otherwise). */
    size_t n = strlen(s);
    if (n > 16 &&
        (strcmp(s + n - 14, "taints kernel.") == 0 || strcmp(s + n - 15, "tainting kernel") == 0) &&
        ((p = strstr(s, ": loading out-of-tree module")) != NULL ||
         (p = strstr(s, ": module verification failed")) != NULL)) {
        if (!c->oot[0])
            snprintf(c->oot, sizeof(c->oot), " ");
        note_out_of_tree(c, s, (size_t)(p - s));
    }
    if (r->open && r->end_pending) {
        r->end_pending = false;
        if (!continues_stack(s))
            report_finish(c);
    }
    if (r->open && r->rule->end == RG_END_INDENT && s[0] != ' ')
        report_finish(c);
    rule = detect(c, s, &head, &cap);
    if (rule && r->open) {
        int window = r->rule->window ? r->rule->window : 3;
        if ((r->rule->flags & RG_RULE_LEAD_IN) && r->lines <= window &&
            !(rule->flags & RG_RULE_CONTINUES)) {
            report_upgrade(c, rule, &cap, head);
            report_line(c, s, line, true);
            return;
        }
        if (rule->flags & (RG_RULE_CONTINUES | RG_RULE_PANIC)) {
            if (rule->flags & RG_RULE_PANIC)
                panic_attaches(c, head, line);
            rule = NULL;
        }
    } else if (rule && (rule->flags & RG_RULE_PANIC) && panic_attaches(c, head, line)) {
        return;
    }
    if (rule) {
        report_start(c, rule, &cap, head, line);
        report_line(c, s, line, true);
        return;
    }
    if (r->open) {
        report_line(c, s, line, false);
    } else if (c->n > c->boot_first && (starts(s, "---[ end Kernel panic") ||
                                        starts(s, "Kernel Offset:") || starts(s, "Rebooting in"))) {
        c->v[c->n - 1].last_line = line;
    }
}

void rg_console_feed(struct rg_console *c, const char *data, size_t len)
{
    while (len) {
        const char *nl = memchr(data, '\n', len);
        size_t chunk = nl ? (size_t)(nl - data) : len;
        size_t room = c->partial.len < LINE_MAX_BYTES ? LINE_MAX_BYTES - c->partial.len : 0;

        /* A line longer than LINE_MAX_BYTES keeps its head: reports' lines are short. */
        rg_buf_append(&c->partial, data, chunk < room ? chunk : room);
        if (!nl)
            return;
        scan_line(c, rg_buf_str(&c->partial), c->partial.len);
        rg_buf_reset(&c->partial);
        len -= chunk + 1;
        data = nl + 1;
    }
}

void rg_console_boundary(struct rg_console *c)
{
    if (c->partial.len) {
        scan_line(c, rg_buf_str(&c->partial), c->partial.len);
        rg_buf_reset(&c->partial);
    }
    report_finish(c);
    c->boot_crashed = false;
    c->boot_first = c->n;
    c->oot[0] = '\0';
}

void rg_console_finish(struct rg_console *c)
{
    if (c->partial.len) {
        scan_line(c, rg_buf_str(&c->partial), c->partial.len);
        rg_buf_reset(&c->partial);
    }
    report_finish(c);
}

bool rg_console_crash_pending(const struct rg_console *c)
{
    const struct report *r = &c->r;

    return r->open && r->cls == RG_CONSOLE_CRASH &&
           (!(r->rule->flags & RG_RULE_NEED_FRAME) || r->nf || r->unreliable[0]);
}

size_t rg_console_nfindings(const struct rg_console *c)
{
    return c->n;
}

const struct rg_console_finding *rg_console_finding_at(const struct rg_console *c, size_t i)
{
    return i < c->n ? &c->v[i] : NULL;
}

long rg_console_primary(const struct rg_console *c)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].cls == RG_CONSOLE_CRASH)
            return (long)i;
    return c->n ? 0 : -1;
}

long rg_console_lines(const struct rg_console *c)
{
    return c->lines;
}

void rg_console_free(struct rg_console *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i].excerpt);
    free(c->v);
    free(c->lists);
    rg_buf_free(&c->r.excerpt);
    rg_buf_free(&c->partial);
    free(c);
}

bool rg_console_marker_line(const char *line)
{
    static const char *const marks[] = {"BUG:",
                                        "Oops",
                                        "Kernel panic",
                                        "RIP:",
                                        "WARNING:",
                                        "Call Trace",
                                        "general protection",
                                        "kernel BUG at",
                                        "Unable to handle",
                                        "watchdog:",
                                        "INFO: task",
                                        "blocked for more than",
                                        "Out of memory",
                                        "soft lockup",
                                        "hard LOCKUP",
                                        "detected stalls",
                                        "corruption",
                                        "stack guard page",
                                        "---[ end trace",
                                        "invalid opcode",
                                        "double fault",
                                        "segfault",
                                        NULL};

    for (size_t i = 0; marks[i]; i++)
        if (strstr(line, marks[i]))
            return true;
    return false;
}
