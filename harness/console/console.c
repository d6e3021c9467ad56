/* The console crash detector: a streaming line scanner for Linux kernel failure reports. */
#include "console/console.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

#define LINE_MAX_BYTES 1024  /* longer console lines are cut: reports' lines are short */
#define EXCERPT_LINES 60
#define EXCERPT_BYTES 8192
#define REPORT_MAX_LINES 200 /* a report that never ends is closed after this many lines */

enum kind {
    K_NONE,
    K_GENERIC, /* title is fixed text plus " in <guilty>" */
    K_WARNING, /* function named on the report's first line */
    K_SANITIZER,
    K_HANG,
    K_OOM,
    K_PANIC, /* a panic with no report before it: the reason is the title */
};

struct report {
    bool open;
    enum kind kind;
    enum rg_console_class cls;
    char kindname[48];
    char head[RG_CONSOLE_TITLE_MAX]; /* the title before " in <function>" */
    char fixed[128];                 /* a function named by the first line itself */
    bool fixed_in_module;            /* ... followed by a "[module]" tag */
    char access[8];                  /* KASAN: Read or Write */
    char guilty_any[128], guilty_mod[128], mod[64];
    char guilty_unreliable[128]; /* from "? frame" lines: only when nothing better exists */
    char hung_comm[64];          /* hung task reports without a stack name their task */
    char modules[256], tainted[64], oom_comm[64];
    long first_line, last_line;
    int lines;
    bool in_trace_end; /* hang reports end with their stack */
    struct rg_buf excerpt;
    int excerpt_lines;
};

struct rg_console {
    struct rg_console_opts opts;
    struct rg_buf partial; /* bytes of the line not yet ended */
    long lines;
    struct report r;
    bool boot_crashed; /* a crash report was seen since the last boot banner */
    struct rg_console_finding *v;
    size_t n, cap;
};

struct rg_console *rg_console_new(const struct rg_console_opts *opts)
{
    struct rg_console *c = calloc(1, sizeof(*c));

    if (!c)
        abort();
    if (opts)
        c->opts = *opts;
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
            bool stamp = n > 0, caller = n > 1 && (q[0] == 'T' || q[0] == 'C') &&
                                         is_digit_str(q + 1, n - 1);
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

/* ---- Frames and the guilty function ---- */

/* Generic kernel code a report passes through on its way to the function that failed. */
static bool frame_generic(const char *f)
{
    static const char *const prefixes[] = {
        "panic",         "dump_stack",      "show_stack",     "show_regs",
        "printk",        "vprintk",         "_printk",        "__warn",
        "warn_",         "report_bug",      "handle_bug",     "exc_",
        "asm_exc_",      "do_error_trap",   "do_trap",        "die",
        "oops_",         "__die",           "kasan_",         "__kasan",
        "kfence_",       "__kfence",        "kmsan_",         "__msan",
        "__ubsan",       "ubsan_",          "lockdep_",       "__lock_acquire",
        "lock_acquire",  "lock_release",    "check_",         "print_",
        "validate_chain", "mark_lock",      "debug_check",    "__might_",
        "might_",        "___might_",       "__schedule_bug", "refcount_warn",
        "__list_add_valid", "__list_del_entry_valid", "list_",  "bad_page",
        "free_pages_check", "__stack_chk_fail", "watchdog",   "__hrtimer",
        "hrtimer_",      "__sysvec_",       "sysvec_",        "asm_sysvec_",
        "irq_exit",      "__irq_exit",      "rcu_",           "__rcu",
        "sched_show_task", "show_",         "entry_SYSCALL",  "do_syscall_64",
        "ret_from_fork", "kthread",         "worker_thread",  "process_one_work",
        "__schedule",    "schedule",        "io_schedule",    "wait_for_",
        "__wait_",       "wait_",           "rwsem_down",     "__mutex_lock",
        "mutex_lock",    "down",            "__down",         "native_",
        "page_fault_oops", "kernel_fault",  "do_user_addr_fault", "__bad_area",
        "bad_area",      "no_context",      "spurious_kernel_fault", "fixup_exception",
        "nmi_",          "__nmi",           "default_do_nmi", "cpu_startup_entry",
        "do_idle",       "default_idle",    "arch_cpu_idle",  "secondary_startup",
        "start_kernel",  "oom_",            "out_of_memory",  "dump_header",
        "__alloc_pages", "alloc_pages",     "__do_sys_",      "__x64_sys_",
        "x64_sys_call",  "smp_call_function", "__flush_smp",  "wb_wait_for_completion",
        "kfree",         "kmem_cache_free", "__kmem_cache_free", "kvfree",
    };

    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        if (strncmp(f, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return false;
}

/* A stack frame line: "RIP: 0010:func+0x1/0x2 [mod]", " func+0x1/0x2 [mod]",
 * " [<ffffffff81000000>] func+0x1/0x2". Unreliable frames ("? func") are not used. */
static bool frame_parse(const char *s, char *name, size_t nsize, char *mod, size_t msize,
                        bool *unreliable)
{
    const char *p = s, *plus, *br;

    mod[0] = '\0';
    if (strncmp(p, "RIP: ", 5) == 0) {
        p = strchr(p + 5, ':');
        if (!p)
            return false;
        p++;
    } else {
        while (*p == ' ')
            p++;
        if (*p == '?' && unreliable) {
            *unreliable = true;
            p++;
            while (*p == ' ')
                p++;
        } else if (*p == '?') {
            return false;
        }
        if (p[0] == '[' && p[1] == '<' && (br = strstr(p, ">] ")))
            p = br + 3;
    }
    plus = strstr(p, "+0x");
    if (!plus || plus == p || !strchr(plus, '/'))
        return false;
    for (const char *q = p; q < plus; q++)
        if (!(isalnum((unsigned char)*q) || *q == '_' || *q == '.'))
            return false;
    rg_console_frame_name(p, name, nsize);
    br = strchr(plus, '[');
    if (br) {
        size_t n = 0;
        br++;
        while (br[n] && br[n] != ']' && n + 1 < msize)
            n++;
        memcpy(mod, br, n);
        mod[n] = '\0';
    }
    return name[0] != '\0';
}

static void report_frame(struct report *r, const char *s)
{
    char name[128], mod[64];
    bool unreliable = false;

    if (!frame_parse(s, name, sizeof(name), mod, sizeof(mod), &unreliable) ||
        frame_generic(name))
        return;
    if (unreliable) {
        /* "? func" frames may be stale stack contents; a module's one is still the best
         * lead when the report has no reliable frame at all (a call through a garbage
         * pointer leaves only these). */
        if (!r->guilty_unreliable[0] || (mod[0] && !strchr(r->guilty_unreliable, '[')))
            snprintf(r->guilty_unreliable, sizeof(r->guilty_unreliable), "%s%s", name,
                     mod[0] ? "[" : "");
        return;
    }
    if (!r->guilty_any[0])
        snprintf(r->guilty_any, sizeof(r->guilty_any), "%s", name);
    /* A named module (the product's driver) is the likelier culprit than the core code
     * it called into. */
    if (mod[0] && !r->guilty_mod[0]) {
        snprintf(r->guilty_mod, sizeof(r->guilty_mod), "%s", name);
        snprintf(r->mod, sizeof(r->mod), "%s", mod);
    }
}

/* ---- Findings ---- */

static void report_finish(struct rg_console *c)
{
    struct report *r = &c->r;
    struct rg_console_finding *f;
    const char *guilty;

    if (!r->open)
        return;
    r->open = false;
    if (r->cls == RG_CONSOLE_IGNORE)
        goto out;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 8;
        c->v = realloc(c->v, c->cap * sizeof(*c->v));
        if (!c->v)
            abort();
    }
    f = &c->v[c->n++];
    memset(f, 0, sizeof(*f));
    f->cls = r->cls;
    snprintf(f->kind, sizeof(f->kind), "%s", r->kindname);
    f->first_line = r->first_line;
    f->last_line = r->last_line;
    /* The function a report names on its first line, unless it is generic code or a named
     * module's frame on the stack points at the likelier culprit; then the first module
     * frame; then the first frame outside generic code. */
    if (r->fixed[0] && !frame_generic(r->fixed) && (r->fixed_in_module || !r->guilty_mod[0]))
        guilty = r->fixed;
    else if (r->guilty_mod[0])
        guilty = r->guilty_mod;
    else if (r->guilty_any[0])
        guilty = r->guilty_any;
    else {
        char *bracket = strchr(r->guilty_unreliable, '[');
        if (bracket)
            *bracket = '\0';
        guilty = r->guilty_unreliable;
    }
    snprintf(f->guilty, sizeof(f->guilty), "%s", guilty);
    if (guilty == r->guilty_mod)
        snprintf(f->module, sizeof(f->module), "%s", r->mod);
    if (r->kind == K_OOM)
        snprintf(f->title, sizeof(f->title), "%s%s%s", r->head,
                 r->oom_comm[0] ? " of " : "", r->oom_comm);
    else if (!guilty[0] && r->hung_comm[0])
        snprintf(f->title, sizeof(f->title), "%s: %s", r->head, r->hung_comm);
    else if (r->kind == K_PANIC || !guilty[0])
        snprintf(f->title, sizeof(f->title), "%s", r->head);
    else if (r->kind == K_SANITIZER && r->access[0])
        snprintf(f->title, sizeof(f->title), "%s %s in %s", r->head, r->access, guilty);
    else
        snprintf(f->title, sizeof(f->title), "%s in %s", r->head, guilty);
    snprintf(f->modules, sizeof(f->modules), "%s", r->modules);
    snprintf(f->tainted, sizeof(f->tainted), "%s", r->tainted);
    f->excerpt = rg_buf_detach(&r->excerpt);
    if (r->cls == RG_CONSOLE_CRASH)
        c->boot_crashed = true;
out:
    rg_buf_free(&r->excerpt);
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

static void report_start(struct rg_console *c, enum kind kind, enum rg_console_class cls,
                         const char *kindname, const char *head, long line)
{
    struct report *r = &c->r;

    report_finish(c);
    memset(r, 0, sizeof(*r));
    r->open = true;
    r->kind = kind;
    r->cls = cls;
    r->first_line = line;
    snprintf(r->kindname, sizeof(r->kindname), "%s", kindname);
    snprintf(r->head, sizeof(r->head), "%s", head);
}

/* Copies s up to the first of the stop strings (or its end), trimming trailing blanks. */
static void copy_until(char *out, size_t size, const char *s, const char *const *stops)
{
    size_t n = strlen(s);

    for (size_t i = 0; stops[i]; i++) {
        const char *p = strstr(s, stops[i]);
        if (p && (size_t)(p - s) < n)
            n = (size_t)(p - s);
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '.' || s[n - 1] == ','))
        n--;
    if (n >= size)
        n = size - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

/* Sanitizer first lines: "BUG: KASAN: slab-out-of-bounds in func+0x1/0x2". */
static void start_sanitizer(struct rg_console *c, const char *tool, const char *rest, long line)
{
    static const char *const stops[] = {" in ", " at ", NULL};
    char type[96], head[160];
    const char *in = strstr(rest, " in ");

    copy_until(type, sizeof(type), rest, stops);
    snprintf(head, sizeof(head), "%s: %s", tool, type);
    report_start(c, K_SANITIZER, RG_CONSOLE_CRASH, tool, head, line);
    if (in && strcmp(tool, "UBSAN") != 0) {
        rg_console_frame_name(in + 4, c->r.fixed, sizeof(c->r.fixed));
        c->r.fixed_in_module = strchr(in, '[') != NULL;
    }
}

/* Panic reasons lose their numbers and device details: the same failure, the same title. */
static void panic_title(const char *reason, char *out, size_t size)
{
    static const char *const stops[] = {" on unknown-block", " exitcode=", " - CPU#", ": 0x",
                                        " (", NULL};
    char r[160];

    if (strncmp(reason, "stack-protector: Kernel stack is corrupted in: ", 47) == 0) {
        char fn[128];
        rg_console_frame_name(reason + 47, fn, sizeof(fn));
        snprintf(out, size, "stack-protector: Kernel stack is corrupted in %s", fn);
        return;
    }
    copy_until(r, sizeof(r), reason, stops);
    snprintf(out, size, "Kernel panic - not syncing: %s", r);
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Recognises the first line of a report; false when s starts none. */
static bool detect_start(struct rg_console *c, const char *s, long line)
{
    const enum rg_console_class hang = c->opts.hang_class, oom = c->opts.oom_class;
    const char *p;

    if (starts(s, "watchdog: "))
        s += 10;
    if (starts(s, "BUG: KASAN: ")) {
        start_sanitizer(c, "KASAN", s + 12, line);
    } else if (starts(s, "BUG: KFENCE: ")) {
        start_sanitizer(c, "KFENCE", s + 13, line);
    } else if (starts(s, "BUG: KMSAN: ")) {
        start_sanitizer(c, "KMSAN", s + 12, line);
    } else if (starts(s, "UBSAN: ")) {
        start_sanitizer(c, "UBSAN", s + 7, line);
    } else if (starts(s, "BUG: kernel NULL pointer dereference")) {
        report_start(c, K_GENERIC, RG_CONSOLE_CRASH, "null-deref",
                     "BUG: kernel NULL pointer dereference", line);
    } else if (starts(s, "BUG: unable to handle page fault") ||
               starts(s, "BUG: unable to handle kernel paging request")) {
        report_start(c, K_GENERIC, RG_CONSOLE_CRASH, "page-fault",
                     "BUG: unable to handle page fault", line);
    } else if (starts(s, "BUG: soft lockup")) {
        report_start(c, K_HANG, hang, "soft-lockup", "BUG: soft lockup", line);
    } else if (starts(s, "BUG: hard LOCKUP") || starts(s, "Watchdog detected hard LOCKUP")) {
        report_start(c, K_HANG, hang, "hard-lockup", "BUG: hard LOCKUP", line);
    } else if (starts(s, "BUG: workqueue lockup")) {
        report_start(c, K_HANG, hang, "workqueue-lockup", "BUG: workqueue lockup", line);
    } else if (starts(s, "BUG: sleeping function called from invalid context")) {
        report_start(c, K_GENERIC, RG_CONSOLE_CRASH, "lockdep",
                     "BUG: sleeping function called from invalid context", line);
    } else if (starts(s, "BUG: scheduling while atomic")) {
        report_start(c, K_GENERIC, RG_CONSOLE_CRASH, "atomic",
                     "BUG: scheduling while atomic", line);
    } else if (starts(s, "BUG: Bad page state")) {
        report_start(c, K_GENERIC, RG_CONSOLE_CRASH, "bad-page", "BUG: Bad page state", line);
    } else if (starts(s, "BUG: stack guard page was hit") ||
               (starts(s, "BUG: ") && strstr(s, " stack guard page was hit") &&
                strstr(s, " stack guard page was hit") - s < 12)) { /* "BUG: TASK stack..." */
        report_start(c, K_GENERIC, RG_CONSOLE_CRASH, "stack-guard",
                     "BUG: stack guard page was hit", line);
    } else if (starts(s, "BUG: ") && !c->r.open) {
        static const char *const stops[] = {" at ", ":", ",", " on CPU", " (", NULL};
        char head[160];
        copy_until(head, sizeof(head), s, stops);
        report_start(c, K_GENERIC, RG_CONSOLE_CRASH, "bug", head, line);
    } else if (starts(s, "kernel BUG at ")) {
        if (!c->r.open || c->r.kind != K_GENERIC || strncmp(c->r.head, "list_", 5) != 0)
            report_start(c, K_GENERIC, RG_CONSOLE_CRASH, "bug", "kernel BUG", line);
    } else if (starts(s, "general protection fault")) {
        report_start(c, K_GENERIC, RG_CONSOLE_CRASH, "gpf", "general protection fault", line);
    } else if (starts(s, "divide error: ")) {
        report_start(c, K_GENERIC, RG_CONSOLE_CRASH, "divide-error", "divide error", line);
    } else if (starts(s, "invalid opcode: ") || starts(s, "Oops: ")) {
        if (!c->r.open)
            report_start(c, K_GENERIC, RG_CONSOLE_CRASH, "oops",
                         starts(s, "Oops") ? "Oops" : "invalid opcode", line);
    } else if (starts(s, "WARNING: possible circular locking dependency")) {
        report_start(c, K_GENERIC, RG_CONSOLE_CRASH, "lockdep",
                     "possible circular locking dependency", line);
    } else if (starts(s, "WARNING: possible recursive locking")) {
        report_start(c, K_GENERIC, RG_CONSOLE_CRASH, "lockdep", "possible recursive locking",
                     line);
    } else if (starts(s, "WARNING: inconsistent lock state")) {
        report_start(c, K_GENERIC, RG_CONSOLE_CRASH, "lockdep", "inconsistent lock state",
                     line);
    } else if (starts(s, "WARNING: CPU: ") || starts(s, "WARNING: at ")) {
        /* Part of a refcount or list report that began on the line before. */
        if (c->r.open && c->r.lines <= 2 &&
            (starts(c->r.head, "refcount_t") || starts(c->r.head, "list_")))
            return false;
        report_start(c, K_WARNING, RG_CONSOLE_WARNING, "warning", "WARNING", line);
        p = strstr(s, " at ");
        if (p && (p = strchr(p + 4, ' '))) {
            rg_console_frame_name(p + 1, c->r.fixed, sizeof(c->r.fixed));
            c->r.fixed_in_module = strchr(p, '[') != NULL;
        }
    } else if (starts(s, "INFO: task ") && strstr(s, " blocked for more than ")) {
        report_start(c, K_HANG, hang, "hung-task", "INFO: task hung", line);
        /* Without its stack (printed at info level) the task's name is what is left; the
         * part after a '/' (kworker/0:1) is a CPU or pool number. */
        {
            const char *name = s + 11;
            size_t n = strcspn(name, ":/");
            snprintf(c->r.hung_comm, sizeof(c->r.hung_comm), "%.*s", (int)n, name);
        }
    } else if ((starts(s, "rcu: INFO: ") || starts(s, "INFO: rcu_")) && strstr(s, "stall")) {
        report_start(c, K_HANG, hang, "rcu-stall", "INFO: rcu detected stall", line);
    } else if (strstr(s, " invoked oom-killer: ")) {
        report_start(c, K_OOM, oom, "oom", "Out of memory: oom-kill", line);
    } else if ((starts(s, "Out of memory: Killed process ") ||
                starts(s, "Memory cgroup out of memory: Killed process ")) &&
               !c->r.open) {
        report_start(c, K_OOM, oom, "oom", "Out of memory: oom-kill", line);
        return true; /* handled as the end line by the caller */
    } else if ((starts(s, "list_add ") || starts(s, "list_del ")) &&
               (strstr(s, "corruption") || strstr(s, "double add"))) {
        static const char *const stops[] = {".", ",", ":", NULL};
        char head[64];
        copy_until(head, sizeof(head), s, stops);
        report_start(c, K_GENERIC, RG_CONSOLE_CRASH, "list-corruption", head, line);
    } else if (starts(s, "refcount_t: ")) {
        static const char *const stops[] = {";", ".", NULL};
        char head[96];
        copy_until(head, sizeof(head), s, stops);
        report_start(c, K_GENERIC, RG_CONSOLE_CRASH, "refcount", head, line);
    } else if (starts(s, "Kernel panic - not syncing: ")) {
        const char *reason = s + 28;
        /* A panic that follows a report (an oops, panic_on_warn) is that report's end. */
        if (c->r.open || c->boot_crashed || (c->n && c->v[c->n - 1].last_line >= line - 40 &&
                                             c->v[c->n - 1].cls == RG_CONSOLE_WARNING)) {
            if (!c->r.open && c->n && c->v[c->n - 1].cls == RG_CONSOLE_WARNING &&
                starts(reason, "panic_on_warn"))
                c->v[c->n - 1].cls = RG_CONSOLE_CRASH;
            if (c->r.open && c->r.cls == RG_CONSOLE_WARNING)
                c->r.cls = RG_CONSOLE_CRASH;
            return false;
        }
        char head[RG_CONSOLE_TITLE_MAX];
        panic_title(reason, head, sizeof(head));
        report_start(c, K_PANIC, RG_CONSOLE_CRASH, "panic", head, line);
    } else {
        return false;
    }
    return true;
}

/* Evidence lines inside a report. */
static void report_evidence(struct report *r, const char *s)
{
    const char *p;

    if (starts(s, "Modules linked in:")) {
        p = s + 18;
        while (*p == ' ')
            p++;
        snprintf(r->modules, sizeof(r->modules), "%s", p);
    } else if ((p = strstr(s, " Tainted: ")) && !r->tainted[0]) {
        static const char *const stops[] = {"  ", " #", NULL};
        copy_until(r->tainted, sizeof(r->tainted), p + 10, stops);
    } else if (r->kind == K_SANITIZER && !r->access[0]) {
        if (starts(s, "Read of size") || strstr(s, "read of size") || starts(s, "Read at addr"))
            snprintf(r->access, sizeof(r->access), "Read");
        else if (starts(s, "Write of size") || starts(s, "Write at addr"))
            snprintf(r->access, sizeof(r->access), "Write");
    }
    if (r->kind == K_OOM && (starts(s, "Out of memory: Killed process ") ||
                             starts(s, "Memory cgroup out of memory: Killed process "))) {
        const char *open = strchr(s, '('), *close = open ? strchr(open, ')') : NULL;
        if (open && close && close - open - 1 < (long)sizeof(r->oom_comm))
            snprintf(r->oom_comm, sizeof(r->oom_comm), "%.*s", (int)(close - open - 1),
                     open + 1);
    }
}

static bool report_ends(const struct report *r, const char *s)
{
    if (starts(s, "---[ end trace") || starts(s, "---[ end Kernel panic"))
        return true;
    if (r->kind == K_OOM && (starts(s, "Out of memory: Killed process ") ||
                             starts(s, "Memory cgroup out of memory: Killed process ")))
        return true;
    /* Reports with no end marker of their own end with their stack (lockups, lockdep) or
     * their closing rule of '=' (sanitizers). */
    if ((r->kind == K_HANG || !strcmp(r->kindname, "lockdep") ||
         !strcmp(r->kindname, "atomic") || !strcmp(r->kindname, "bad-page")) &&
        (starts(s, "</TASK>") || starts(s, "</IRQ>")) && r->guilty_any[0])
        return true;
    if (r->kind == K_SANITIZER && r->lines > 1 && starts(s, "====================="))
        return true;
    return r->lines >= REPORT_MAX_LINES;
}

static void scan_line(struct rg_console *c, const char *raw, size_t len)
{
    char s[LINE_MAX_BYTES];
    long line = ++c->lines;

    rg_console_clean_line(raw, len, s, sizeof(s));
    /* A new boot ends whatever the last one was printing. */
    if (starts(s, "Linux version ")) {
        report_finish(c);
        c->boot_crashed = false;
        return;
    }
    if (starts(s, "RINGGATE-READY ")) {
        report_finish(c);
        return;
    }
    if (detect_start(c, s, line)) {
        report_add_line(&c->r, s, line);
        report_evidence(&c->r, s);
        if (report_ends(&c->r, s))
            report_finish(c);
        return;
    }
    if (c->r.open) {
        report_add_line(&c->r, s, line);
        report_evidence(&c->r, s);
        report_frame(&c->r, s);
        if (report_ends(&c->r, s))
            report_finish(c);
    } else if (c->n && (starts(s, "---[ end Kernel panic") || starts(s, "Kernel Offset:") ||
                        starts(s, "Rebooting in"))) {
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
    return c->r.open && c->r.cls == RG_CONSOLE_CRASH;
}

size_t rg_console_nfindings(const struct rg_console *c)
{
    return c->n;
}

const struct rg_console_finding *rg_console_finding_at(const struct rg_console *c, size_t i)
{
    return i < c->n ? &c->v[i] : NULL;
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
    rg_buf_free(&c->r.excerpt);
    rg_buf_free(&c->partial);
    free(c);
}
