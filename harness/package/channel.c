/* The channel file validator: the check that would have refused Channel File 291. */
#include "package/channel.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/file.h"

struct vctx {
    const char *name;
    struct rg_errors *errs;
    int line;
    const char *text; /* the current line, for columns */
};

static int col_of(const struct vctx *v, const char *p)
{
    return (int)(p - v->text) + 1;
}

/* Parses a whole decimal number in [min, max]; false otherwise. */
static bool number(const char *s, size_t n, long min, long max, long *out)
{
    char buf[24], *end;
    long v;

    if (n == 0 || n >= sizeof(buf))
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)buf[i]))
            return false;
    errno = 0;
    v = strtol(buf, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* Splits a line into at most max space-separated tokens; returns how many. */
static int tokens(const char *line, const char **tok, size_t *len, int max)
{
    int n = 0;
    const char *p = line;

    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        if (n == max)
            return max + 1;
        tok[n] = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        len[n] = (size_t)(p - tok[n]);
        n++;
    }
    return n;
}

static bool tok_is(const char *t, size_t n, const char *word)
{
    return strlen(word) == n && strncmp(t, word, n) == 0;
}

static void check_rule(struct vctx *v, const char **tok, size_t *len, int ntok, int inputs,
                       int *ids, int *nids, struct rg_channel_info *info)
{
    static const char *const ops[] = {"match", "delay", "leak", "warn"};
    long id, field;
    int op = -1, nfields = 0;
    const char *f;

    if (ntok < 4 || ntok > 5) {
        rg_errors_add(v->errs, v->name, v->line, col_of(v, tok[0]),
                      "a rule is 'rule <id> <op> <fields> [arg]'");
        return;
    }
    if (!number(tok[1], len[1], 1, 65535, &id)) {
        rg_errors_add(v->errs, v->name, v->line, col_of(v, tok[1]),
                      "rule id must be a number from 1 to 65535");
    } else {
        for (int i = 0; i < *nids; i++)
            if (ids[i] == (int)id)
                rg_errors_add(v->errs, v->name, v->line, col_of(v, tok[1]),
                              "duplicate rule id %ld", id);
        if (*nids < RG_CHANNEL_MAX_RULES)
            ids[(*nids)++] = (int)id;
    }
    for (int i = 0; i < 4; i++)
        if (tok_is(tok[2], len[2], ops[i]))
            op = i;
    if (op < 0)
        rg_errors_add(v->errs, v->name, v->line, col_of(v, tok[2]),
                      "unknown operation '%.*s' (match, delay, leak or warn)", (int)len[2],
                      tok[2]);
    for (f = tok[3]; f < tok[3] + len[3];) {
        size_t n = strcspn(f, ",");
        if (f + n > tok[3] + len[3])
            n = (size_t)(tok[3] + len[3] - f);
        if (!number(f, n, 1, 1000000, &field)) {
            rg_errors_add(v->errs, v->name, v->line, col_of(v, f),
                          "input field '%.*s' is not a field number (1-based)", (int)n, f);
        } else {
            if (field > inputs)
                rg_errors_add(v->errs, v->name, v->line, col_of(v, f),
                              "rule %ld reads input field %ld but the sensor supplies %d "
                              "inputs: an out-of-bounds read in the driver",
                              id, field, inputs);
            if (info && field > info->max_field)
                info->max_field = (int)field;
        }
        nfields++;
        f += n + 1;
    }
    if (nfields > RG_CHANNEL_MAX_FIELDS)
        rg_errors_add(v->errs, v->name, v->line, col_of(v, tok[3]),
                      "a rule reads at most %d input fields, this one %d", RG_CHANNEL_MAX_FIELDS,
                      nfields);
    if (op == 0 && ntok != 5)
        rg_errors_add(v->errs, v->name, v->line, col_of(v, tok[2]),
                      "'match' needs a pattern argument");
    if ((op == 1 || op == 2) && ntok != 5) {
        rg_errors_add(v->errs, v->name, v->line, col_of(v, tok[2]), "'%s' needs a number",
                      ops[op]);
    } else if (op == 1 || op == 2) {
        long arg;
        if (!number(tok[4], len[4], 1, op == 1 ? 100000 : 1048576, &arg))
            rg_errors_add(v->errs, v->name, v->line, col_of(v, tok[4]),
                          "'%s' takes a number from 1 to %d", ops[op],
                          op == 1 ? 100000 : 1048576);
    }
    if (info && op >= 0) {
        int *counts[] = {&info->nmatch, &info->ndelay, &info->nleak, &info->nwarn};
        (*counts[op])++;
        info->nrules++;
    }
}

int rg_channel_validate(const char *name, const char *data, size_t len, int sensor_inputs,
                        struct rg_channel_info *info, struct rg_errors *errs)
{
    struct vctx v = {.name = name, .errs = errs};
    struct rg_channel_info local = {0};
    size_t first = errs->n, off = 0;
    int ids[RG_CHANNEL_MAX_RULES], nids = 0, header = 0;
    bool have_channel = false, have_version = false, have_inputs = false;

    if (!info)
        info = &local;
    memset(info, 0, sizeof(*info));
    if (len > RG_CHANNEL_MAX_BYTES)
        return rg_errors_add(errs, name, 0, 0, "%zu bytes: a channel file is at most %d", len,
                             RG_CHANNEL_MAX_BYTES);
    while (off < len) {
        const char *nl = memchr(data + off, '\n', len - off);
        size_t n = nl ? (size_t)(nl - (data + off)) : len - off;
        char line[RG_CHANNEL_MAX_LINE + 1];
        const char *tok[6];
        size_t tlen[6];
        int ntok;

        v.line++;
        if (n > RG_CHANNEL_MAX_LINE) {
            rg_errors_add(errs, name, v.line, RG_CHANNEL_MAX_LINE + 1,
                          "line longer than %d bytes", RG_CHANNEL_MAX_LINE);
            off += n + 1;
            continue;
        }
        memcpy(line, data + off, n);
        line[n] = '\0';
        off += n + 1;
        if (n && line[n - 1] == '\r')
            line[--n] = '\0';
        if (strlen(line) != n) {
            rg_errors_add(errs, name, v.line, (int)strlen(line) + 1, "NUL byte in the file");
            continue;
        }
        v.text = line;
        ntok = tokens(line, tok, tlen, 5);
        if (ntok == 0 || tok[0][0] == '#')
            continue;
        if (ntok > 5) {
            rg_errors_add(errs, name, v.line, 1, "too many words on the line");
            continue;
        }
        if (!header) {
            long fmt;
            header = 1;
            if (!tok_is(tok[0], tlen[0], "RGCHANNEL") || ntok != 2 ||
                !number(tok[1], tlen[1], 1, 1, &fmt)) {
                rg_errors_add(errs, name, v.line, col_of(&v, tok[0]),
                              "not a channel file: the first line must be 'RGCHANNEL 1'");
                return -1;
            }
            continue;
        }
        if (tok_is(tok[0], tlen[0], "channel") || tok_is(tok[0], tlen[0], "inputs")) {
            bool is_channel = tok[0][0] == 'c';
            long val;
            if ((is_channel ? have_channel : have_inputs))
                rg_errors_add(errs, name, v.line, col_of(&v, tok[0]), "'%s' given twice",
                              is_channel ? "channel" : "inputs");
            if (ntok != 2 || !number(tok[1], tlen[1], 1, 65535, &val)) {
                rg_errors_add(errs, name, v.line, col_of(&v, ntok > 1 ? tok[1] : tok[0]),
                              "'%s' takes a number from 1 to 65535",
                              is_channel ? "channel" : "inputs");
            } else if (is_channel) {
                info->channel = (int)val;
            } else {
                info->inputs = (int)val;
                if (val > sensor_inputs)
                    rg_errors_add(errs, name, v.line, col_of(&v, tok[1]),
                                  "the content expects %ld inputs but the sensor supplies %d",
                                  val, sensor_inputs);
            }
            *(is_channel ? &have_channel : &have_inputs) = true;
        } else if (tok_is(tok[0], tlen[0], "version")) {
            bool ok = ntok == 2 && tlen[1] <= 32;
            for (size_t i = 0; ok && i < tlen[1]; i++)
                ok = isalnum((unsigned char)tok[1][i]) || tok[1][i] == '.' || tok[1][i] == '-';
            if (have_version)
                rg_errors_add(errs, name, v.line, col_of(&v, tok[0]), "'version' given twice");
            if (!ok) {
                rg_errors_add(errs, name, v.line, col_of(&v, tok[0]),
                              "'version' takes one word of [0-9A-Za-z.-], at most 32");
            } else {
                memcpy(info->version, tok[1], tlen[1]);
                info->version[tlen[1]] = '\0';
            }
            info->version_line = v.line;
            have_version = true;
        } else if (tok_is(tok[0], tlen[0], "rule")) {
            if (info->nrules >= RG_CHANNEL_MAX_RULES) {
                rg_errors_add(errs, name, v.line, 1, "more than %d rules",
                              RG_CHANNEL_MAX_RULES);
                continue;
            }
            check_rule(&v, tok, tlen, ntok, sensor_inputs, ids, &nids, info);
        } else {
            rg_errors_add(errs, name, v.line, col_of(&v, tok[0]),
                          "unknown keyword '%.*s' (channel, version, inputs, rule)",
                          (int)tlen[0], tok[0]);
        }
    }
    if (!header)
        return rg_errors_add(errs, name, 1, 1, "empty file: not a channel file");
    if (!have_channel)
        rg_errors_add(errs, name, v.line, 1, "no 'channel' line");
    if (!have_version)
        rg_errors_add(errs, name, v.line, 1, "no 'version' line");
    if (!have_inputs)
        rg_errors_add(errs, name, v.line, 1, "no 'inputs' line");
    return errs->n > first ? -1 : 0;
}

int rg_channel_check(const char *name, const char *data, size_t len, int sensor_inputs,
                     const char *version, struct rg_errors *errs)
{
    struct rg_channel_info info;

    if (rg_channel_validate(name, data, len, sensor_inputs, &info, errs) < 0)
        return -1;
    if (version && strcmp(info.version, version) != 0)
        return rg_errors_add(errs, name, info.version_line, 1,
                             "the channel file's version %s is not the package's version %s (a "
                             "mix-up: it would be installed and reported as %s)",
                             info.version, version, version);
    return 0;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Checks every *.rgc under root/rel (rel "" at the top); counts them in *found. */
static void check_tree(const char *root, const char *rel, int inputs, const char *version,
                       size_t *found, struct rg_errors *errs)
{
    char path[PATH_MAX], **names = NULL;
    size_t n = 0;
    struct dirent *de;
    DIR *d;

    snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
    if (!(d = opendir(path))) {
        rg_errors_add(errs, path, 0, 0, "cannot read the folder: %s", strerror(errno));
        return;
    }
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
            names = realloc(names, (n + 1) * sizeof(*names));
            if (!names || !(names[n++] = strdup(de->d_name)))
                abort();
        }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), cmp_name); /* an empty folder: names is NULL */
    for (size_t i = 0; i < n; i++) {
        char sub[PATH_MAX];
        size_t l = strlen(names[i]), size;
        unsigned char *data;
        struct rg_error e;
        struct stat st;

        snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", names[i]);
        snprintf(path, sizeof(path), "%s/%s", root, sub);
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            check_tree(root, sub, inputs, version, found, errs);
        } else if (l > 4 && strcmp(names[i] + l - 4, ".rgc") == 0) {
            ++*found;
            if (rg_file_read(path, RG_CHANNEL_MAX_BYTES + 1, &data, &size, &e) < 0) {
                rg_errors_add(errs, sub, 0, 0, "%s", e.msg);
            } else {
                rg_channel_check(sub, (const char *)data, size, inputs, version, errs);
                free(data);
            }
        }
        free(names[i]);
    }
    free(names);
}

int rg_channel_validate_dir(const char *dir, int sensor_inputs, const char *version,
                            struct rg_errors *errs)
{
    size_t first = errs->n, found = 0;

    check_tree(dir, "", sensor_inputs, version, &found, errs);
    if (found == 0 && errs->n == first)
        rg_errors_add(errs, dir, 0, 0, RG_CHANNEL_NONE);
    return errs->n > first ? -1 : 0;
}
