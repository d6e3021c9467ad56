/* One matrix cell's state machine, driven by hypervisor events and the console scanner. */
#include "engine/cell.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "console/console.h"
#include "engine/overlay.h"
#include "hv/agent.h"
#include "package/package.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/digest.h"
#include "util/file.h"

#define AGENT_WAIT_S 20.0    /* ready line to a usable agent */
#define PANIC_RESET_S 15.0   /* a panicking guest (panic=-1) resets within this */
#define GUEST_PKG_PATH "/run/rg-update.rgpkg" /* where the package is copied: {package} */
#define CONFIRM_RETRY_S 1.0 /* between tries of a ready command that has not succeeded yet */
#define GUEST_WORKLOAD "/usr/bin/rg-workload"
#define GUEST_STRESS "/usr/bin/stress-ng"
#define SAMPLE_TIMEOUT_S 120.0 /* one workload run (icount slows a busy guest down) */
#define MEMORY_MIN_ROUNDS 4
#define CRASH_LOOP_BOOTS 3 /* consecutive boots that crash after ready: a crash loop */
#define STRESS_STOP_S 15.0 /* SIGTERM to stress-ng's exit, its workers reaped */
#define SYNC_TIMEOUT_S 10.0 /* a requested reboot's sync through the agent */
#define PROBE_TIMEOUT_S 2   /* one liveness probe (guest-ping) */
#define RECENT_LINES 12     /* console lines kept for a liveness finding's excerpt */

/* ---- The cell's live state ---- */

struct qevent {
    struct qevent *next;
    struct rg_hv_event ev;
    unsigned gen; /* the domain generation it belongs to */
    char data[];  /* console bytes */
};

struct cell {
    const struct rg_cell_env *env;
    struct rg_cell_result *res;
    double t0; /* monotonic start */

    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct qevent *head, *tail; /* guarded by mu */
    unsigned gen;               /* guarded by mu: bumped when a domain is released */

    struct rg_hv_domain *dom;
    bool dom_running;
    bool agent_up;
    bool reboot_requested;
    char next_phase[16];
    int failed_streak;      /* boots in a row that never reached ready */
    bool loop_found;
    char first_crash_title[256];
    bool blocked_reported;
    bool in_rollback; /* crashes now mean the rollback failed */
    bool applied;     /* past the update's apply: a boot that fails now is the update's */
    bool safe_boot;   /* the running domain was started with the contract's safe mode */
    struct rg_guest_contract guest; /* scenario over image over the sample sensor's */
    double confirm_next; /* when to try the ready command again */
    char confirm_why[256]; /* why the last try to confirm the ready line failed */
    bool crash_started; /* a crash report began on the console (once per cell) */
    long stress_pid;    /* the guest's stress-ng while it runs */

    FILE *log;
    struct rg_console *scan;
    size_t scan_seen; /* scanner findings already turned into cell findings */
    struct rg_buf line; /* the console line being assembled, for the ready marker */
    long lines;         /* complete console lines so far */
    char recent[RECENT_LINES][160]; /* the last console lines, oldest at lines % RECENT_LINES */

    double budget_end;   /* monotonic: past it the cell ends (rg_cell_budget_s) */
    bool over_budget;    /* it did: the cell winds down */
    char waiting[160];   /* what the cell waits for now, for the budget finding */
};

/* SIGINT stops every cell; fail-fast stops the others, not the cell that blocked, which
 * still gathers its evidence (boot loop, rollback). */
static bool cell_stopping(const struct cell *c);

/* `reproduce --boot N`: the cell winds down once its boot N is ready or over. */
static bool boot_limit_reached(const struct cell *c)
{
    const struct rg_cell_result *r = c->res;
    int n = c->env->stop_after_boot;

    if (n <= 0 || (int)r->nboots < n)
        return false;
    return (int)r->nboots > n || r->boots[n - 1].has_ready ||
           r->boots[n - 1].outcome != RG_BOOT_RUNNING;
}

static bool cell_stopping(const struct cell *c)
{
    return c->over_budget || atomic_load(c->env->interrupted) || boot_limit_reached(c) ||
           (atomic_load(c->env->halt_others) && c->res->verdict != RG_VERDICT_BLOCK);
}

static double cell_t(const struct cell *c)
{
    return rg_mono_now() - c->t0;
}

static struct rg_boot_record *cur_boot(struct cell *c)
{
    return c->res->nboots ? &c->res->boots[c->res->nboots - 1] : NULL;
}

static void *grow(void *v, size_t n, size_t size)
{
    /* Arrays grow one element at a time; cells have tens of entries, not thousands. */
    void *p = realloc(v, (n + 1) * size);
    if (!p)
        abort();
    memset((char *)p + n * size, 0, size);
    return p;
}

RG_PRINTF(3, 4)
static void cell_event(struct cell *c, const char *type, const char *fmt, ...)
{
    struct rg_cell_result *r = c->res;
    struct rg_event_record *e;
    va_list ap;

    r->events = grow(r->events, r->nevents, sizeof(*r->events));
    e = &r->events[r->nevents++];
    e->t = cell_t(c);
    snprintf(e->type, sizeof(e->type), "%s", type);
    e->boot = cur_boot(c) ? cur_boot(c)->n : 0;
    va_start(ap, fmt);
    vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
    va_end(ap);
    /* One line per event: guest output (the installer's) may bring several. */
    e->detail[strcspn(e->detail, "\r\n")] = '\0';
    if (c->env->progress)
        c->env->progress(c->env->opaque, r, type, e->detail);
}

static enum rg_action action_for(const struct cell *c, enum rg_finding_class cls)
{
    const struct rg_checks *k = &c->env->sc->checks;

    switch (cls) {
    case RG_FINDING_CRASH:
        return k->crash;
    case RG_FINDING_BOOT_LOOP:
    case RG_FINDING_CRASH_LOOP:
        return k->boot_loop;
    case RG_FINDING_HANG:
        return k->hang;
    case RG_FINDING_WARNING:
        return k->warning;
    case RG_FINDING_PERF_REGRESSION:
    case RG_FINDING_MEMORY_REGRESSION:
        /* In an A/A run every regression is a false positive: counted, never blocking. */
        return c->env->aa ? RG_ACTION_WARN : RG_ACTION_BLOCK;
    case RG_FINDING_PERF_INCONCLUSIVE:
        return c->env->aa && k->performance.inconclusive == RG_ACTION_BLOCK
                   ? RG_ACTION_WARN
                   : k->performance.inconclusive;
    case RG_FINDING_PERF_NOISE:
        return RG_ACTION_WARN;
    case RG_FINDING_INFRA:
        /* What fails because the cell is being stopped (SIGINT, fail-fast, reproduce's boot
         * limit) is the stop's doing: recorded, but the cell is aborted, not inconclusive. */
        return cell_stopping(c) ? RG_ACTION_IGNORE : RG_ACTION_BLOCK;
    default:
        return RG_ACTION_BLOCK;
    }
}

/* The verdict is known as soon as a blocking finding exists; record when that was. */
static void cell_judge(struct cell *c, const struct rg_finding *f)
{
    struct rg_cell_result *r = c->res;

    if (f->action != RG_ACTION_BLOCK)
        return;
    if (f->cls == RG_FINDING_INFRA) {
        if (r->verdict == RG_VERDICT_PASS)
            r->verdict = RG_VERDICT_INCONCLUSIVE;
        return;
    }
    if (r->verdict != RG_VERDICT_BLOCK) {
        r->verdict = RG_VERDICT_BLOCK;
        r->verdict_s = cell_t(c);
    }
    if (!c->blocked_reported) {
        c->blocked_reported = true;
        if (c->env->blocked)
            c->env->blocked(c->env->opaque, r);
    }
}

static struct rg_finding *cell_finding(struct cell *c, enum rg_finding_class cls,
                                       const char *title, long line, const char *guilty,
                                       const char *excerpt)
{
    struct rg_cell_result *r = c->res;
    struct rg_finding *f;

    r->findings = grow(r->findings, r->nfindings, sizeof(*r->findings));
    f = &r->findings[r->nfindings++];
    f->cls = cls;
    f->action = action_for(c, cls);
    snprintf(f->title, sizeof(f->title), "%s", title);
    f->boot = cur_boot(c) ? cur_boot(c)->n : 0;
    f->t = cell_t(c);
    f->console_line = line;
    snprintf(f->guilty, sizeof(f->guilty), "%s", guilty ? guilty : "");
    f->excerpt = excerpt ? strdup(excerpt) : NULL;
    cell_event(c, rg_finding_class_name(cls), "%s", title);
    cell_judge(c, f);
    return f;
}

/* A failure of the host, not of the guest: the cell is inconclusive, and gate.retries may
 * run it again. */
static void cell_host_failure(struct cell *c, const char *title, const char *excerpt)
{
    cell_finding(c, RG_FINDING_INFRA, title, 0, NULL, excerpt)->host = true;
}

static void boot_begin(struct cell *c, const char *phase, const char *cause)
{
    struct rg_cell_result *r = c->res;
    struct rg_boot_record *b;

    r->boots = grow(r->boots, r->nboots, sizeof(*r->boots));
    b = &r->boots[r->nboots++];
    b->n = (int)r->nboots;
    snprintf(b->phase, sizeof(b->phase), "%s", phase);
    snprintf(b->cause, sizeof(b->cause), "%s", cause);
    b->start_s = cell_t(c);
    b->ready_s = -1;
    b->crash_s = -1;
    b->outcome = RG_BOOT_RUNNING;
    c->agent_up = false;
    cell_event(c, "boot", "boot %d (%s%s%s)", b->n, phase, *cause ? ", " : "", cause);
}

/* A boot that never became ready counts toward a boot loop. */
static void boot_end(struct cell *c, enum rg_boot_outcome outcome)
{
    struct rg_boot_record *b = cur_boot(c);

    if (!b || b->outcome != RG_BOOT_RUNNING)
        return;
    b->outcome = outcome;
    if (outcome == RG_BOOT_CRASH && b->crashed && !b->console_crash)
        cell_finding(c, c->in_rollback ? RG_FINDING_ROLLBACK_FAILED : RG_FINDING_CRASH,
                     b->watchdog ? "watchdog: the guest stopped responding (i6300esb fired)"
                                 : "guest kernel panic reported by pvpanic (no console report)",
                     0, NULL, NULL);
    if (outcome == RG_BOOT_CRASH || outcome == RG_BOOT_RESET) {
        if (!b->has_ready || outcome == RG_BOOT_RESET)
            c->failed_streak++;
    }
    if (c->failed_streak >= 2 && !c->loop_found && !c->in_rollback) {
        char title[256];

        c->loop_found = true;
        if (c->first_crash_title[0])
            snprintf(title, sizeof(title), "boot loop: %s", c->first_crash_title);
        else
            snprintf(title, sizeof(title),
                     "boot loop: the guest resets before ready with no crash report");
        cell_finding(c, RG_FINDING_BOOT_LOOP, title, 0, NULL, NULL);
    }
}

/* ---- Console ---- */

static void console_take_findings(struct cell *c)
{
    size_t n = rg_console_nfindings(c->scan);

    for (; c->scan_seen < n; c->scan_seen++) {
        const struct rg_console_finding *cf = rg_console_finding_at(c->scan, c->scan_seen);
        struct rg_boot_record *b = cur_boot(c);
        struct rg_finding *f;
        enum rg_finding_class cls = cf->cls == RG_CONSOLE_CRASH ? RG_FINDING_CRASH
                                                                 : RG_FINDING_WARNING;

        if (cf->cls == RG_CONSOLE_IGNORE)
            continue;
        if (cls == RG_FINDING_CRASH) {
            if (b) {
                if (!b->crashed)
                    b->crash_s = cell_t(c);
                b->crashed = true;
                b->console_crash = true;
            }
            if (!c->first_crash_title[0])
                snprintf(c->first_crash_title, sizeof(c->first_crash_title), "%s", cf->title);
            if (c->in_rollback)
                cls = RG_FINDING_ROLLBACK_FAILED;
        }
        f = cell_finding(c, cls, cf->title, cf->first_line, cf->guilty, cf->excerpt);
        snprintf(f->module, sizeof(f->module), "%s", cf->module);
    }
}

/* The ready line only says the boot may be up: any kernel module can print it. The boot is
 * ready once cell_confirm has also heard the guest agent (see cell_wait_ready). What the
 * pattern does not report, ringgate knows: its own boot count, whether it asked for safe
 * mode, the time since power-on. */
static void console_line_done(struct cell *c)
{
    struct rg_ready_info ready;
    struct rg_boot_record *b = cur_boot(c);

    snprintf(c->recent[c->lines % RECENT_LINES], sizeof(c->recent[0]), "%.*s",
             (int)strcspn(rg_buf_str(&c->line), "\r"), rg_buf_str(&c->line));
    c->lines++;
    if (b && !b->ready_line && rg_guest_ready_match(&c->guest, rg_buf_str(&c->line), &ready)) {
        if (!ready.has_boot)
            ready.boot = b->n;
        if (!ready.has_safe)
            ready.safe = c->safe_boot;
        if (!ready.has_uptime)
            ready.uptime = cell_t(c) - b->start_s;
        b->ready_line = true;
        b->ready = ready;
        b->ready_s = cell_t(c);
        c->confirm_next = 0;
        c->confirm_why[0] = '\0';
    }
    rg_buf_reset(&c->line);
}

static void console_data(struct cell *c, const char *data, size_t len)
{
    if (c->log) {
        fwrite(data, 1, len, c->log);
        fflush(c->log);
    }
    rg_console_feed(c->scan, data, len);
    /* When a crash report starts, for the crash-to-verdict latency in the report. */
    if (!c->crash_started && rg_console_crash_pending(c->scan)) {
        c->crash_started = true;
        cell_event(c, "crash-start", "a crash report begins on the console");
    }
    for (size_t i = 0; i < len; i++) {
        if (data[i] == '\n')
            console_line_done(c);
        else if (c->line.len < 4096)
            rg_buf_putc(&c->line, data[i]);
    }
    console_take_findings(c);
}

/* A boot ends. A line its console left unfinished (a shell prompt) is ended in the log too:
 * the next boot starts on a line of its own, and the line numbers findings give stay those of
 * the log (the scanner ends that line at the boundary; the log must agree). */
static void console_boundary(struct cell *c)
{
    if (c->line.len)
        console_data(c, "\n", 1);
    rg_console_boundary(c->scan);
}

/* ---- Events from the hypervisor thread ---- */

static void cell_hv_cb(struct rg_hv_domain *dom, const struct rg_hv_event *ev, void *opaque)
{
    struct cell *c = opaque;
    struct qevent *q = malloc(sizeof(*q) + ev->len);

    (void)dom;
    if (!q)
        abort();
    q->next = NULL;
    q->ev = *ev;
    if (ev->len)
        memcpy(q->data, ev->data, ev->len);
    q->ev.data = q->data;
    pthread_mutex_lock(&c->mu);
    q->gen = c->gen;
    if (c->tail)
        c->tail->next = q;
    else
        c->head = q;
    c->tail = q;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

static void cell_handle(struct cell *c, const struct qevent *q)
{
    const struct rg_hv_event *ev = &q->ev;
    struct rg_boot_record *b = cur_boot(c);
    bool current = q->gen == c->gen;

    if (ev->type == RG_HV_EV_CONSOLE) {
        console_data(c, ev->data, ev->len);
        return;
    }
    if (!current)
        return; /* a released domain's late lifecycle news */
    switch (ev->type) {
    case RG_HV_EV_REBOOT: {
        /* The reset ends whatever report the console was printing: it belongs to this boot. */
        console_boundary(c);
        console_take_findings(c);
        b = cur_boot(c);
        const char *cause = c->reboot_requested ? "requested"
                            : b && b->crashed   ? (b->watchdog ? "watchdog" : "panic")
                                                : "unexpected";
        if (b) {
            if (b->crashed)
                boot_end(c, RG_BOOT_CRASH);
            else if (b->has_ready && c->reboot_requested)
                boot_end(c, RG_BOOT_READY);
            else
                boot_end(c, RG_BOOT_RESET);
        }
        c->reboot_requested = false;
        boot_begin(c, c->next_phase[0] ? c->next_phase : "reboot", cause);
        c->next_phase[0] = '\0';
        break;
    }
    case RG_HV_EV_CRASHED:
        if (b && !b->crashed)
            b->crash_s = cell_t(c);
        if (b)
            b->crashed = true;
        cell_event(c, "pvpanic", "the guest kernel reported a panic");
        break;
    case RG_HV_EV_WATCHDOG:
        if (b && !b->crashed)
            b->crash_s = cell_t(c);
        if (b) {
            b->crashed = true;
            b->watchdog = true;
        }
        cell_event(c, "watchdog", "the guest watchdog fired");
        break;
    case RG_HV_EV_STOPPED:
        c->dom_running = false;
        cell_event(c, "stopped", "the domain stopped (%d)", ev->detail);
        break;
    case RG_HV_EV_AGENT_UP:
        c->agent_up = true;
        break;
    case RG_HV_EV_AGENT_DOWN:
        c->agent_up = false;
        break;
    default:
        break;
    }
}

/* Handles every queued event. */
static void cell_drain(struct cell *c)
{
    struct qevent *q;

    pthread_mutex_lock(&c->mu);
    q = c->head;
    c->head = c->tail = NULL;
    pthread_mutex_unlock(&c->mu);
    while (q) {
        struct qevent *next = q->next;
        cell_handle(c, q);
        free(q);
        q = next;
    }
}

/* Waits until an event arrives or the deadline (monotonic) passes, then handles all queued
 * events. Returns false when the run asks cells to stop. */
static bool cell_pump(struct cell *c, double deadline)
{
    if (deadline > c->budget_end)
        deadline = c->budget_end;
    pthread_mutex_lock(&c->mu);
    while (!c->head && !cell_stopping(c)) {
        double now = rg_mono_now(), wait = deadline - now;
        struct timespec ts;

        if (wait <= 0)
            break;
        if (wait > 0.2)
            wait = 0.2; /* re-check the stop flag: a signal handler cannot signal a condvar */
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += (time_t)wait;
        ts.tv_nsec += (long)((wait - (double)(time_t)wait) * 1e9);
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&c->cv, &c->mu, &ts);
    }
    pthread_mutex_unlock(&c->mu);
    cell_drain(c);
    if (!c->over_budget && rg_mono_now() >= c->budget_end) {
        char title[256];

        /* Recorded before the flag: the cell is not being stopped by someone else, it has
         * run out of time, and its verdict cannot be a pass. */
        snprintf(title, sizeof(title), "the cell ran past its budget of %.0f s waiting for %s",
                 c->budget_end - c->t0, c->waiting[0] ? c->waiting : "its guest");
        cell_finding(c, RG_FINDING_INFRA, title, 0, NULL, NULL);
        c->over_budget = true;
    }
    return !cell_stopping(c);
}

RG_PRINTF(2, 3)
static void cell_waiting(struct cell *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->waiting, sizeof(c->waiting), fmt, ap);
    va_end(ap);
}

/* The last console lines, oldest first: what the guest said before it went quiet. */
static char *recent_console(const struct cell *c)
{
    struct rg_buf b = RG_BUF_INIT;
    long n = c->lines < RECENT_LINES ? c->lines : RECENT_LINES;

    for (long i = c->lines - n; i < c->lines; i++) {
        rg_buf_append(&b, c->recent[i % RECENT_LINES], strlen(c->recent[i % RECENT_LINES]));
        rg_buf_putc(&b, '\n');
    }
    return rg_buf_detach(&b);
}

/* ---- Domains ---- */

static int cell_start(struct cell *c, const char *suffix, const char *disk, const char *phase,
                      bool safe)
{
    const struct rg_image *img = c->env->image;
    struct rg_hv_domain_spec spec = {0};
    char cmdline[1024];
    struct rg_error err;

    /* Unique in the run: two scenarios of a suite may have cells of the same id. */
    snprintf(c->res->domain, sizeof(c->res->domain), "rg-%s-%s.%s%s", c->env->run_id,
             c->env->sc->name, c->env->cell->id, suffix);
    snprintf(cmdline, sizeof(cmdline), "%s%s%s", img->cmdline, safe ? " " : "",
             safe ? c->guest.safe_mode : "");
    c->safe_boot = safe;
    spec.name = c->res->domain;
    spec.vcpus = c->env->cell->vcpus;
    spec.memory_mib = c->env->cell->memory_mib;
    spec.machine = img->machine;
    spec.kernel = img->kernel;
    spec.initrd = img->initrd;
    spec.cmdline = cmdline;
    spec.disk = disk;
    spec.accel = c->env->accel;
    spec.icount = c->env->sc->checks.performance.enabled &&
                  c->env->sc->checks.performance.clock == RG_CLOCK_ICOUNT;
    spec.cb = cell_hv_cb;
    spec.opaque = c;
    /* A new domain starts a new count: earlier failures belong to the earlier phase. */
    c->failed_streak = 0;
    c->loop_found = false;
    boot_begin(c, phase, "");
    if (c->env->ops->start(c->env->hv, &spec, &c->dom, &err) < 0) {
        boot_end(c, RG_BOOT_INFRA);
        cell_host_failure(c, "the hypervisor could not start the guest", err.msg);
        return -1;
    }
    c->dom_running = true;
    cell_event(c, "start", "domain %s started", c->res->domain);
    return 0;
}

/* Destroys and releases the domain; after this no event of it is handled. */
static void cell_stop(struct cell *c)
{
    struct rg_error err;

    if (!c->dom)
        return;
    if (c->dom_running && c->env->ops->destroy(c->dom, &err) == 0)
        cell_event(c, "destroy", "domain %s destroyed", c->res->domain);
    c->env->ops->release(c->dom);
    c->dom = NULL;
    c->dom_running = false;
    pthread_mutex_lock(&c->mu);
    c->gen++;
    pthread_mutex_unlock(&c->mu);
    cell_pump(c, 0); /* console bytes still queued go to the log */
    /* A report the console was still printing ends with its boot and is charged to it, not
     * to the next boot whose first lines would otherwise close it. */
    console_boundary(c);
    console_take_findings(c);
    if (cur_boot(c) && (cur_boot(c)->crashed || cur_boot(c)->console_crash))
        boot_end(c, RG_BOOT_CRASH); /* destroyed after its crash, before the reset */
    else if (cur_boot(c) && cur_boot(c)->has_ready)
        boot_end(c, RG_BOOT_READY);
    else
        boot_end(c, RG_BOOT_ABORTED);
}

enum wait_result { WAIT_READY, WAIT_HANG, WAIT_LOOP, WAIT_STOPPED, WAIT_ABORT, WAIT_CRASH_STUCK };

static struct rg_agent cell_agent(struct cell *c, int timeout_s);
static int cell_guest_run(struct cell *c, const char *const *argv, double timeout_s,
                          int *exitcode, char **out, struct rg_error *err);

/* True while boot n is still the running, uncrashed boot. */
static bool boot_alive(struct cell *c, int n)
{
    return cur_boot(c)->n == n && !cur_boot(c)->crashed && c->dom_running;
}

/* Runs a contract command for confirmation; 0 when it exited 0, else -1 with why set. */
static int confirm_run(struct cell *c, const char *what, const char *const *argv,
                       double deadline, char **out)
{
    struct rg_error err = {0};
    double left = deadline - rg_mono_now();
    int code = 0, rc = cell_guest_run(c, argv, left > 1 ? left : 1, &code, out, &err);

    if (rc == 0 && code == 0)
        return 0;
    if (rc == 1)
        snprintf(c->confirm_why, sizeof(c->confirm_why), "the guest went down while its %s "
                 "command %s ran", what, argv[0]);
    else if (rc < 0)
        snprintf(c->confirm_why, sizeof(c->confirm_why), "the %s command %s: %s", what, argv[0],
                 err.msg);
    else
        snprintf(c->confirm_why, sizeof(c->confirm_why), "the %s command %s exited with %d",
                 what, argv[0], code);
    if (out) {
        free(*out);
        *out = NULL;
    }
    return -1;
}

/* One try at confirming the current boot's ready line: the guest agent answers (ready.agent),
 * the ready command exits 0, the versions command says what runs. A console line alone is
 * not health: any kernel module can print one. True when the boot is now ready. */
static bool cell_confirm(struct cell *c, double deadline)
{
    const struct rg_guest_contract *g = &c->guest;
    struct rg_agent a = cell_agent(c, 2);
    struct rg_error err = {0};
    struct rg_boot_record *b;
    char *out = NULL, vs[200];
    const int n = cur_boot(c)->n;

    if (rg_mono_now() < c->confirm_next)
        return false;
    c->confirm_next = rg_mono_now() + CONFIRM_RETRY_S;
    if (g->ready_agent && (!c->agent_up || rg_agent_ping(&a, &err) < 0)) {
        snprintf(c->confirm_why, sizeof(c->confirm_why), "the guest agent never answered%s%s",
                 c->agent_up ? ": " : " (it never connected)", c->agent_up ? err.msg : "");
        c->confirm_next = 0; /* the agent's arrival is an event: try again at once */
        return false;
    }
    if (g->ready_command && confirm_run(c, "ready", g->ready_command, deadline, NULL) < 0)
        return false;
    if (!boot_alive(c, n))
        return false;
    if (g->versions_command) {
        if (confirm_run(c, "versions", g->versions_command, deadline, &out) == 0)
            rg_guest_versions_merge(&cur_boot(c)->ready, out);
        else
            cell_event(c, "versions", "%s", c->confirm_why);
        free(out);
        if (!boot_alive(c, n))
            return false;
    }
    b = cur_boot(c);
    b->has_ready = true;
    c->failed_streak = 0;
    rg_ready_versions_str(&b->ready, vs, sizeof(vs));
    cell_event(c, "ready", "boot %d ready: %s safe=%d uptime=%.2f", b->n, vs, b->ready.safe,
               b->ready.uptime);
    return true;
}

/* A boot whose ready line appeared but that was never confirmed by its deadline. */
static void confirm_failed(struct cell *c)
{
    const char *why = c->confirm_why[0] ? c->confirm_why : "the guest agent never answered";
    const bool agent = strstr(why, "agent") != NULL;
    char title[256];

    if (c->in_rollback) {
        cell_finding(c, RG_FINDING_ROLLBACK_FAILED,
                     "rollback: the restored guest does not reach ready", c->lines + 1, NULL,
                     why);
    } else if (!c->applied) {
        /* Before the update: the image or the host, not the update, is at fault. */
        cell_finding(c, RG_FINDING_INFRA,
                     agent ? "the guest agent never answered on a healthy boot"
                           : "the ready command never succeeded on a healthy boot",
                     0, NULL, why);
    } else {
        snprintf(title, sizeof(title), "boot hang: the ready line appeared but %s",
                 agent ? "the guest agent never answered" : "the ready command never succeeded");
        cell_finding(c, RG_FINDING_HANG, title, c->lines + 1, NULL, why);
    }
}

/* Waits for the current boot (or the boots the guest starts by itself after it) to reach
 * ready: its ready line, confirmed (cell_confirm). A hang is no confirmed ready and no crash
 * within boot.timeout_s of the boot's power-on. */
static enum wait_result cell_wait_ready(struct cell *c)
{
    const double timeout = c->env->sc->boot.timeout_s;

    for (;;) {
        struct rg_boot_record *b = cur_boot(c);
        double deadline = c->t0 + b->start_s + timeout;
        bool pending = b->ready_line && !b->has_ready && !b->crashed && c->dom_running;

        cell_waiting(c, "boot %d to become ready", b->n);
        if (pending && cell_confirm(c, deadline))
            continue;
        b = cur_boot(c);
        if (b->has_ready && !b->crashed)
            return WAIT_READY;
        if (c->loop_found)
            return WAIT_LOOP;
        if (!c->dom_running)
            return WAIT_STOPPED;
        deadline = c->t0 + b->start_s + timeout;
        /* A crashed guest resets itself (panic=-1); one that does not is stuck. */
        if (b->crashed)
            deadline = c->t0 + b->crash_s + PANIC_RESET_S;
        if (rg_mono_now() >= deadline) {
            if (b->crashed) {
                boot_end(c, RG_BOOT_CRASH);
                return WAIT_CRASH_STUCK;
            }
            boot_end(c, RG_BOOT_HANG);
            if (b->ready_line)
                confirm_failed(c);
            else
                cell_finding(c, c->in_rollback ? RG_FINDING_ROLLBACK_FAILED : RG_FINDING_HANG,
                             c->in_rollback ? "rollback: the restored guest does not reach ready"
                                            : "boot hang: no ready marker and no crash report",
                             c->lines + 1, NULL, NULL);
            return WAIT_HANG;
        }
        pending = b->ready_line && !b->has_ready;
        if (!cell_pump(c, pending && rg_mono_now() + 0.2 < deadline ? rg_mono_now() + 0.2
                                                                     : deadline))
            return WAIT_ABORT;
    }
}

static struct rg_agent cell_agent(struct cell *c, int timeout_s)
{
    struct rg_agent a = {.ops = c->env->ops, .dom = c->dom, .timeout_s = timeout_s};
    return a;
}

/* The guest answered no probe for boot.unresponsive_s: a hang, charged to this boot. */
/* The guest stopped answering (a soak's probes, a reboot's sync): a hang, charged to this boot
 * with the console lines before it went quiet. */
static void cell_unresponsive(struct cell *c, const char *title)
{
    char *excerpt = recent_console(c);

    boot_end(c, RG_BOOT_HANG);
    cell_finding(c, c->in_rollback ? RG_FINDING_ROLLBACK_FAILED : RG_FINDING_HANG, title,
                 c->lines, NULL, excerpt);
    free(excerpt);
}

/* Watches the current boot for soak_s: its console, and its liveness through the agent
 * every boot.probe_s (a guest that answers no probe for boot.unresponsive_s is hung: a
 * frozen kernel prints nothing, so the console alone would call it healthy). False when it
 * crashed, reset or froze meanwhile (*why WAIT_HANG for the freeze). */
static bool cell_soak(struct cell *c, double seconds, enum wait_result *why)
{
    const struct rg_boot_spec *bs = &c->env->sc->boot;
    struct rg_agent a = cell_agent(c, PROBE_TIMEOUT_S);
    int n = cur_boot(c)->n;
    double start = rg_mono_now(), end = start + seconds, last_answer = start;
    double next_probe = start + bs->probe_s;
    bool probing = bs->probe_s > 0 && c->agent_up;

    *why = WAIT_READY;
    cell_waiting(c, "the soak of boot %d", n);
    while (rg_mono_now() < end) {
        struct rg_error err;

        if (!cell_pump(c, probing && next_probe < end ? next_probe : end)) {
            *why = WAIT_ABORT;
            return false;
        }
        if (!boot_alive(c, n)) {
            *why = c->dom_running ? WAIT_READY : WAIT_STOPPED;
            return false;
        }
        if (!probing || rg_mono_now() < next_probe)
            continue;
        /* Probes start every probe_s, whether the last one was answered or timed out. */
        next_probe += bs->probe_s;
        if (rg_agent_ping(&a, &err) == 0)
            last_answer = rg_mono_now();
        else if (!cell_pump(c, 0)) { /* a crash report may explain the silence */
            *why = WAIT_ABORT;
            return false;
        } else if (!boot_alive(c, n)) {
            *why = c->dom_running ? WAIT_READY : WAIT_STOPPED;
            return false;
        } else if (rg_mono_now() - last_answer >= bs->unresponsive_s) {
            char title[256];

            snprintf(title, sizeof(title),
                     "the guest stopped responding %.0f s into the soak (no answer to its agent "
                     "for %.0f s)",
                     last_answer - start, rg_mono_now() - last_answer);
            cell_unresponsive(c, title);
            *why = WAIT_HANG;
            return false;
        }
        if (next_probe < rg_mono_now())
            next_probe = rg_mono_now();
    }
    return true;
}

/* ---- The guest agent ---- */

static int cell_wait_agent(struct cell *c, struct rg_error *err)
{
    double wait = c->env->agent_wait_s > 0 ? c->env->agent_wait_s : AGENT_WAIT_S;
    double deadline = rg_mono_now() + wait;
    struct rg_agent a = cell_agent(c, 2);
    int n = cur_boot(c)->n;

    cell_waiting(c, "the guest agent of boot %d", n);
    while (rg_mono_now() < deadline) {
        if (c->agent_up && rg_agent_ping(&a, err) == 0)
            return 0;
        if (!cell_pump(c, rg_mono_now() + 0.2))
            return rg_error_set(err, NULL, 0, 0, "stopped");
        if (cur_boot(c)->n != n || cur_boot(c)->crashed)
            return rg_error_set(err, NULL, 0, 0, "the guest rebooted before its agent answered");
    }
    if (c->agent_up)
        return -1; /* err holds the last ping's failure */
    return rg_error_set(err, NULL, 0, 0, "the guest agent never connected (%.0f s)", wait);
}

/* Runs a command in the guest and waits for it, watching for crashes meanwhile. Returns 0
 * with *exitcode; 1 if the guest crashed or rebooted first; -1 on agent failure. */
static int cell_guest_run(struct cell *c, const char *const *argv, double timeout_s,
                          int *exitcode, char **out, struct rg_error *err)
{
    struct rg_agent a = cell_agent(c, 10);
    double deadline = rg_mono_now() + timeout_s;
    int n = cur_boot(c)->n;
    long pid;

    cell_waiting(c, "%s in the guest (boot %d)", argv[0], n);
    if (rg_agent_exec(&a, argv, &pid, err) < 0)
        return -1;
    a.timeout_s = 2;
    while (rg_mono_now() < deadline) {
        struct rg_agent_exec_status st;

        if (!cell_pump(c, rg_mono_now() + 0.1))
            return rg_error_set(err, NULL, 0, 0, "stopped");
        if (cur_boot(c)->n != n || cur_boot(c)->crashed || !c->dom_running)
            return 1;
        if (rg_agent_exec_status(&a, pid, &st, err) < 0) {
            if (cur_boot(c)->crashed || cur_boot(c)->n != n)
                return 1;
            continue; /* a busy guest may miss one status call */
        }
        if (st.exited) {
            *exitcode = st.exitcode;
            if (out)
                *out = st.out ? strdup(st.out) : NULL;
            rg_agent_exec_status_free(&st);
            return 0;
        }
        rg_agent_exec_status_free(&st);
    }
    return rg_error_set(err, NULL, 0, 0, "%s did not finish within %.0f s", argv[0], timeout_s);
}

/* The contract's install command, "{package}" replaced by where the package was copied. */
static void install_argv(const struct cell *c, char words[][256], const char **argv)
{
    const char *const *t = c->guest.install_command;
    size_t i;

    for (i = 0; t[i] && i < RG_GUEST_ARGV_MAX; i++) {
        const char *at = strstr(t[i], "{package}");

        if (at)
            snprintf(words[i], 256, "%.*s%s%s", (int)(at - t[i]), t[i], GUEST_PKG_PATH,
                     at + strlen("{package}"));
        else
            snprintf(words[i], 256, "%s", t[i]);
        argv[i] = words[i];
    }
    argv[i] = NULL;
}

/* The installer's output lines that install.record selects (all without it), each ended by
 * sep; "" when none. */
static void install_record(const struct cell *c, const char *out, const char *sep, char *rec,
                           size_t size)
{
    size_t used = 0;

    rec[0] = '\0';
    for (const char *p = out; p && *p && used < size;) {
        size_t len = strcspn(p, "\n");
        char line[512];

        snprintf(line, sizeof(line), "%.*s", (int)len, p);
        p += len + (p[len] == '\n');
        if (!line[0] || (c->guest.record_re && !rg_guest_regex_match(c->guest.record_re, line)))
            continue;
        snprintf(rec + used, size - used, "%s%s", used ? sep : "", line);
        used = strlen(rec);
    }
}

/* Copies the package in and runs the installer. 0 applied, 1 the guest went down while
 * applying (the findings say why), -1 the installer failed (a finding is added). */
static int cell_apply(struct cell *c)
{
    char words[RG_GUEST_ARGV_MAX][256], rec[2048];
    const char *argv[RG_GUEST_ARGV_MAX + 1];
    struct rg_agent a = cell_agent(c, 10);
    struct rg_error err = {0};
    unsigned char *pkg = NULL;
    char *out = NULL;
    size_t len = 0;
    int rc, code = -1;

    if (rg_file_read(c->env->update_path, RG_PKG_MAX_BYTES, &pkg, &len, &err) < 0) {
        cell_host_failure(c, "cannot read the update package", err.msg);
        return -1;
    }
    cell_event(c, "apply", "applying %s %s (%zu bytes)", c->env->update_kind,
               c->env->update_version, len);
    rc = rg_agent_write_file(&a, GUEST_PKG_PATH, pkg, len, &err);
    free(pkg);
    if (rc < 0) {
        cell_finding(c, RG_FINDING_INFRA, "cannot copy the update into the guest", 0, NULL,
                     err.msg);
        return -1;
    }
    install_argv(c, words, argv);
    rc = cell_guest_run(c, argv, c->guest.install_timeout_s, &code, &out, &err);
    if (rc == 1) {
        cell_event(c, "applied", "the guest went down while the update was being applied");
        free(out);
        return 1;
    }
    if (rc < 0) {
        cell_finding(c, RG_FINDING_INFRA, "the guest agent failed while applying the update", 0,
                     NULL, err.msg);
        free(out);
        return -1;
    }
    if (code != 0) {
        install_record(c, out, "\n", rec, sizeof(rec));
        cell_finding(c, RG_FINDING_INSTALL_FAILED, "the update's installer failed in the guest",
                     0, NULL, rec[0] ? rec : out);
        free(out);
        return -1;
    }
    install_record(c, out, "; ", rec, sizeof(rec));
    cell_event(c, "applied", "%s", rec[0] ? rec : "installed");
    free(out);
    return 0;
}

/* Flushes the guest's disk and resets it: a reboot ringgate asked for. The boot record says
 * how the guest took it; a guest that cannot sync is unresponsive: a hang, as in a soak.
 * Returns 0 (reset asked), 1 (the sync hung: the hang is recorded, nothing reset), -1. */
static int cell_reboot(struct cell *c)
{
    const char *argv[] = {"/bin/sync", NULL};
    struct rg_boot_record *b = cur_boot(c);
    struct rg_error err = {0};
    int code = 0, rc = -1;

    if (c->agent_up)
        rc = cell_guest_run(c, argv, SYNC_TIMEOUT_S, &code, NULL, &err);
    if (cur_boot(c) != b || b->outcome != RG_BOOT_RUNNING || b->crashed || !c->dom_running)
        return 0; /* it went down by itself meanwhile: that boot's record says how */
    if (!c->agent_up)
        snprintf(b->shutdown, sizeof(b->shutdown), "no agent");
    else if (rc == 0 && code == 0)
        snprintf(b->shutdown, sizeof(b->shutdown), "clean");
    else if (rc == 0)
        snprintf(b->shutdown, sizeof(b->shutdown), "sync failed: exit %d", code);
    else
        snprintf(b->shutdown, sizeof(b->shutdown), "sync failed: %.80s", err.msg);
    if (c->agent_up && (rc != 0 || code != 0) && !cell_stopping(c)) {
        char title[256];

        snprintf(title, sizeof(title), "the guest could not start a clean reboot (%s)",
                 b->shutdown);
        cell_unresponsive(c, title);
        return 1;
    }
    c->reboot_requested = true;
    if (c->env->ops->reboot(c->dom, &err) < 0) {
        c->reboot_requested = false;
        cell_host_failure(c, "the hypervisor could not reboot the guest", err.msg);
        return -1;
    }
    return 0;
}

/* Reboots and waits until the reset is seen, so that the next wait is for the new boot. */
static int cell_reboot_seen(struct cell *c)
{
    const int n = cur_boot(c)->n;
    const double asked = rg_mono_now();

    if (cell_reboot(c) != 0)
        return -1;
    while (cur_boot(c)->n == n && c->reboot_requested && c->dom_running) {
        if (!cell_pump(c, rg_mono_now() + 0.5))
            return -1;
        if (rg_mono_now() - asked > PANIC_RESET_S) {
            cell_finding(c, RG_FINDING_INFRA, "the guest did not reset when asked", 0, NULL,
                         NULL);
            return -1;
        }
    }
    return 0;
}

/* checks.stress: load in the guest while the update is applied and during the first soak,
 * as on a busy endpoint. stress-ng comes from Debian, in the image. */
static int stress_start(struct cell *c)
{
    const struct rg_stress_check *st = &c->env->sc->checks.stress;
    struct rg_agent a = cell_agent(c, 10);
    struct rg_error err = {0};
    char cpu[16], vm[16], vmb[24], io[16], timeout[24];
    const char *argv[16];
    size_t n = 0;

    if (!st->enabled)
        return 0;
    argv[n++] = GUEST_STRESS;
    snprintf(cpu, sizeof(cpu), "%d", st->cpu);
    snprintf(vm, sizeof(vm), "%d", st->vm_mib ? 1 : 0);
    snprintf(vmb, sizeof(vmb), "%dM", st->vm_mib ? st->vm_mib : 1);
    snprintf(io, sizeof(io), "%d", st->io);
    /* A bound even if ringgate never gets to stop it: apply, soak and some slack. */
    snprintf(timeout, sizeof(timeout), "%ds",
             c->guest.install_timeout_s + c->env->sc->boot.soak_s + 30);
    if (st->cpu) {
        argv[n++] = "--cpu";
        argv[n++] = cpu;
    }
    if (st->vm_mib) {
        argv[n++] = "--vm";
        argv[n++] = vm;
        argv[n++] = "--vm-bytes";
        argv[n++] = vmb;
    }
    if (st->io) {
        argv[n++] = "--io";
        argv[n++] = io;
    }
    argv[n++] = "--timeout";
    argv[n++] = timeout;
    argv[n++] = "--quiet";
    argv[n] = NULL;
    if (rg_agent_exec(&a, argv, &c->stress_pid, &err) < 0) {
        cell_finding(c, RG_FINDING_INFRA, "cannot start stress-ng in the guest", 0, NULL,
                     err.msg);
        return -1;
    }
    cell_event(c, "stress", "stress-ng started: %d cpu, %d MiB vm, %d io workers", st->cpu,
               st->vm_mib, st->io);
    return 0;
}

/* Stops stress-ng and waits until it has exited: what is measured next is the update, not
 * stressors still winding down (a vm worker's memory being freed, io workers syncing). */
static void stress_stop(struct cell *c)
{
    char pid[24];
    const char *argv[] = {"/bin/kill", "-TERM", pid, NULL};
    struct rg_agent a = cell_agent(c, 2);
    struct rg_error err;
    long spid = c->stress_pid;
    double deadline;
    int code = 0;

    if (!spid)
        return;
    snprintf(pid, sizeof(pid), "%ld", spid);
    c->stress_pid = 0;
    if (cell_guest_run(c, argv, 10, &code, NULL, &err) != 0)
        return;
    for (deadline = rg_mono_now() + STRESS_STOP_S; rg_mono_now() < deadline;) {
        struct rg_agent_exec_status st;
        bool exited;

        if (!cell_pump(c, rg_mono_now() + 0.2) || !c->dom_running)
            return;
        if (rg_agent_exec_status(&a, spid, &st, &err) < 0)
            continue;
        exited = st.exited;
        rg_agent_exec_status_free(&st);
        if (exited) {
            cell_event(c, "stress", "stress-ng stopped after the first soak");
            return;
        }
    }
    argv[1] = "-KILL";
    cell_guest_run(c, argv, 10, &code, NULL, &err);
    cell_event(c, "stress", "stress-ng did not stop within %.0f s of SIGTERM: killed",
               STRESS_STOP_S);
}

/* What the guest reports (ready line, versions command) must name what was installed:
 * proves the update (or rollback) took. The contract says which name holds each kind. */
static bool versions_match(const struct cell *c, const struct rg_ready_info *r, const char *kind,
                           const char *version)
{
    const char *v;

    if (!kind || !version)
        return true;
    v = rg_ready_version(r, strcmp(kind, "driver") == 0 ? c->guest.driver : c->guest.content);
    return v && strcmp(v, version) == 0;
}

/* ---- Phases ---- */

/* The overlays a cell makes, by the names it gives them. */
static const char *const overlay_names[] = {"base", "candidate", "twin", "rollback", "safe", NULL};

static void overlay_path(const struct rg_cell_env *env, const char *name, char *out, size_t size)
{
    /* Unique in the run: two scenarios of a suite may have cells of the same id. */
    snprintf(out, size, "%s/%s.%s-%s.qcow2", env->work_dir, env->sc->name, env->cell->id, name);
}

static int cell_overlay(struct cell *c, const char *backing, const char *name, char *out,
                        size_t size)
{
    struct rg_error err;

    overlay_path(c->env, name, out, size);
    if (rg_overlay_create(backing, out, &err) < 0) {
        cell_host_failure(c, "cannot create the cell's disk overlay", err.msg);
        return -1;
    }
    return 0;
}

/* Boots the pre-update state (baseline) and freezes it: its overlay becomes the backing of
 * the candidate's, and the rollback's. */
static int phase_baseline(struct cell *c, const char *disk)
{
    const char *argv[] = {"/bin/sync", NULL};
    struct rg_error err = {0};
    enum wait_result w;
    int code;

    if (cell_start(c, "", disk, "baseline", false) < 0)
        return -1;
    w = cell_wait_ready(c);
    if (w == WAIT_ABORT)
        return -1;
    if (w != WAIT_READY) {
        cell_finding(c, RG_FINDING_INFRA,
                     "the baseline does not boot: the cell cannot judge the update", 0, NULL,
                     NULL);
        return -1;
    }
    if (!versions_match(c, &cur_boot(c)->ready, c->env->baseline_kind,
                        c->env->baseline_version)) {
        char msg[256], vs[200];
        rg_ready_versions_str(&cur_boot(c)->ready, vs, sizeof(vs));
        snprintf(msg, sizeof(msg), "the image runs %s, not the baseline %s %s", vs,
                 c->env->baseline_kind, c->env->baseline_version);
        cell_finding(c, RG_FINDING_INFRA, "the image does not run the baseline", 0, NULL, msg);
        return -1;
    }
    if (cell_wait_agent(c, &err) < 0) {
        cell_finding(c, RG_FINDING_INFRA, "the guest agent never answered on a healthy boot", 0,
                     NULL, err.msg);
        return -1;
    }
    cell_guest_run(c, argv, 10, &code, NULL, &err);
    cell_stop(c);
    return 0;
}

/* Applies the update and drives the reboots; stops at a boot loop, a hang or a stop. */
static void phase_candidate(struct cell *c, const char *disk)
{
    const int reboots = c->env->sc->boot.reboots;
    struct rg_error err = {0};
    enum wait_result w;
    int done = 0, crashed_after_ready = 0;

    if (cell_start(c, "", disk, "candidate", false) < 0)
        return;
    w = cell_wait_ready(c);
    if (w != WAIT_READY) {
        if (w != WAIT_ABORT)
            cell_finding(c, RG_FINDING_INFRA, "the baseline did not boot a second time", 0,
                         NULL, NULL);
        return;
    }
    if (cell_wait_agent(c, &err) < 0) {
        cell_finding(c, RG_FINDING_INFRA, "the guest agent never answered on a healthy boot", 0,
                     NULL, err.msg);
        return;
    }
    if (stress_start(c) < 0)
        return;
    if (c->env->aa)
        cell_event(c, "apply", "A/A run: the baseline is measured against itself, nothing "
                               "applied");
    else if (cell_apply(c) < 0)
        return;
    c->applied = true;
    for (;;) {
        struct rg_boot_record *b;

        w = cell_wait_ready(c);
        if (w != WAIT_READY)
            return;
        b = cur_boot(c);
        if (strcmp(b->phase, "candidate") != 0 && !c->env->aa &&
            !versions_match(c, &b->ready, c->env->update_kind, c->env->update_version)) {
            char msg[256], vs[200];
            rg_ready_versions_str(&b->ready, vs, sizeof(vs));
            snprintf(msg, sizeof(msg), "after reboot the guest runs %s", vs);
            cell_finding(c, RG_FINDING_INSTALL_FAILED,
                         "the update is not active after a reboot", 0, NULL, msg);
            return;
        }
        if (!cell_soak(c, c->env->sc->boot.soak_s, &w)) {
            char title[256];

            if (w == WAIT_ABORT || w == WAIT_STOPPED || w == WAIT_HANG)
                return;
            /* It crashed or reset after ready: the next boot decides, unless this keeps
             * happening. Each boot reaches ready, so the boot loop never counts it. */
            if (++crashed_after_ready < CRASH_LOOP_BOOTS)
                continue;
            snprintf(title, sizeof(title), "crash loop: %s after ready on %d boots in a row",
                     c->first_crash_title[0] ? c->first_crash_title : "a crash or reset",
                     crashed_after_ready);
            cell_finding(c, RG_FINDING_CRASH_LOOP, title, 0, NULL, NULL);
            return;
        }
        crashed_after_ready = 0;
        stress_stop(c);
        if (done == reboots)
            return;
        if (cell_reboot_seen(c) < 0)
            return;
        done++;
    }
}

static void cell_digests(struct cell *c)
{
    const struct rg_image *img = c->env->image;

    rg_sha256_file(img->kernel, c->res->digest_kernel, NULL);
    rg_sha256_file(img->initrd, c->res->digest_initrd, NULL);
    rg_sha256_file(img->disk, c->res->digest_disk, NULL);
}

static int cell_open_log(struct cell *c)
{
    char path[4096];

    snprintf(path, sizeof(path), "%s/%s", c->env->run_dir, c->env->console_rel);
    c->log = fopen(path, "w");
    return c->log ? 0 : -1;
}

/* --keep: the failed cell's VM stays up for an engineer until the run is interrupted. The
 * console keeps flowing into the log meanwhile. ringgate holds the VM in the foreground (the
 * hypervisor's hint says how else to reach it); Ctrl-C destroys it and removes its overlay. */
static void cell_hold(struct cell *c)
{
    const char *uri = c->env->uri ? c->env->uri : "";
    char *h = c->res->kept_hint;
    const size_t size = sizeof(c->res->kept_hint);
    size_t n;

    n = (size_t)snprintf(h, size,
                         "kept for inspection: domain %s (at boot %d)\n"
                         "  console log: %s/%s  (tail -f it; a shell runs on the console)\n",
                         c->res->domain, cur_boot(c) ? cur_boot(c)->n : 0, c->env->run_dir,
                         c->env->console_rel);
    if (n < size && c->env->ops->inspect_hint)
        c->env->ops->inspect_hint(uri, c->res->domain, h, size);
    n = strlen(h);
    if (n < size)
        snprintf(h + n, size - n,
                 "  clean up:    Ctrl-C here, or kill -INT %ld (destroys the VM, removes its "
                 "overlay)\n",
                 (long)getpid());
    cell_event(c, "kept", "domain %s kept for inspection until interrupted", c->res->domain);
    while (!atomic_load(c->env->interrupted) && c->dom_running) {
        const struct timespec ts = {0, 200000000};
        nanosleep(&ts, NULL);
        cell_drain(c);
    }
}

/* The live state of a cell (or of a cell's baseline twin) around res. */
/* The scanner asks: does this line say the guest is up (it ends a report still open)? */
static bool console_ready_line(const char *line, void *opaque)
{
    const struct cell *c = opaque;
    struct rg_ready_info info;

    return rg_guest_ready_match(&c->guest, line, &info);
}

static void cell_init(struct cell *c, const struct rg_cell_env *env, struct rg_cell_result *res)
{
    struct rg_console_opts copts = {0};

    memset(c, 0, sizeof(*c));
    c->env = env;
    c->res = res;
    memset(res, 0, sizeof(*res));
    res->cell = *env->cell;
    snprintf(res->scenario, sizeof(res->scenario), "%s", env->sc->name);
    snprintf(res->console_log, sizeof(res->console_log), "%s", env->console_rel);
    res->started_at = rg_wall_now();
    res->verdict_s = -1;
    c->t0 = rg_mono_now();
    rg_guest_resolve(&env->image->guest, &env->sc->guest, &c->guest);
    c->budget_end = c->t0 + (env->budget_s > 0 ? env->budget_s
                                               : rg_cell_budget_s(env->sc,
                                                                  c->guest.install_timeout_s));
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    copts.hang_class = env->sc->checks.hang == RG_ACTION_IGNORE ? RG_CONSOLE_IGNORE
                                                                : RG_CONSOLE_CRASH;
    copts.oom_class = env->sc->checks.oom == RG_ACTION_IGNORE ? RG_CONSOLE_IGNORE
                                                              : RG_CONSOLE_CRASH;
    copts.ready_line = console_ready_line;
    copts.ready_opaque = c;
    c->scan = rg_console_new(&copts);
}

static void cell_fini(struct cell *c)
{
    rg_console_finish(c->scan);
    console_take_findings(c);
    if (c->log)
        fclose(c->log);
    c->log = NULL;
    rg_console_free(c->scan);
    rg_buf_free(&c->line);
    pthread_mutex_lock(&c->mu);
    while (c->head) {
        struct qevent *next = c->head->next;
        free(c->head);
        c->head = next;
    }
    pthread_mutex_unlock(&c->mu);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    c->res->duration_s = rg_mono_now() - c->t0;
}

/* ---- Paired measurement: the candidate against a baseline twin, samples interleaved ---- */

struct measure {
    struct cell *cand, *twin;
    double t0; /* monotonic start of the window */
    char why[256]; /* why a side failed */
};

static struct rg_metric *metric_get(struct cell *c, const char *name, enum rg_metric_kind kind,
                                    const char *workload, const char *unit)
{
    struct rg_cell_result *r = c->res;
    struct rg_metric *m;

    for (size_t i = 0; i < r->nmetrics; i++)
        if (strcmp(r->metrics[i].name, name) == 0)
            return &r->metrics[i];
    r->metrics = grow(r->metrics, r->nmetrics, sizeof(*r->metrics));
    m = &r->metrics[r->nmetrics++];
    snprintf(m->name, sizeof(m->name), "%s", name);
    m->kind = kind;
    snprintf(m->workload, sizeof(m->workload), "%s", workload);
    snprintf(m->unit, sizeof(m->unit), "%s", unit);
    snprintf(m->clock, sizeof(m->clock), "%s",
             c->env->sc->checks.performance.enabled &&
                     c->env->sc->checks.performance.clock == RG_CLOCK_ICOUNT
                 ? "icount"
                 : "wall");
    m->verdict = RG_METRIC_INFO;
    return m;
}

static void metric_put(struct measure *ms, bool cand, const char *name, enum rg_metric_kind kind,
                       const char *workload, const char *unit, double v)
{
    struct rg_metric *m = metric_get(ms->cand, name, kind, workload, unit);

    if (rg_metric_add(m, cand, v, rg_mono_now() - ms->t0) < 0)
        abort();
}

/* Runs argv on one side; 0 with its stdout, else -1 with ms->why set. */
static int side_exec(struct measure *ms, struct cell *s, const char *const *argv, char **out)
{
    struct rg_error err = {0};
    int code = 0, rc;

    *out = NULL;
    rc = cell_guest_run(s, argv, SAMPLE_TIMEOUT_S, &code, out, &err);
    if (rc == 1)
        snprintf(ms->why, sizeof(ms->why), "the guest went down while running %s", argv[0]);
    else if (rc < 0)
        snprintf(ms->why, sizeof(ms->why), "%s: %s", argv[0], err.msg);
    else if (code != 0)
        snprintf(ms->why, sizeof(ms->why), "%s exited with %d", argv[0], code);
    if (rc != 0 || code != 0) {
        free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

/* Sized so that one run takes about a second of guest time under TCG. */
static int workload_iterations(const struct rg_perf_check *p, enum rg_workload w)
{
    if (p->enabled && p->iterations > 0)
        return p->iterations;
    return w == RG_WORKLOAD_CPU ? 20000 : w == RG_WORKLOAD_FILEIO ? 500 : 2000;
}

static const char *workload_label(const struct rg_perf_check *p, char *buf, size_t size)
{
    if (p->workload == RG_WORKLOAD_CUSTOM)
        snprintf(buf, size, "custom: %s", p->command);
    else if (p->workload == RG_WORKLOAD_BOOT)
        snprintf(buf, size, "boot: power-on to the ready line");
    else
        snprintf(buf, size, "rg-workload %s %d", rg_workload_name(p->workload),
                 workload_iterations(p, p->workload));
    return buf;
}

/* One performance sample of a built-in or custom workload. */
static int sample_workload(struct measure *ms, struct cell *s, bool cand,
                           const struct rg_perf_check *p, bool record)
{
    char iters[24], label[96], name[96], *out = NULL;
    const char *argv[4];
    struct rg_kv kv[16];
    size_t n;

    if (p->workload == RG_WORKLOAD_CUSTOM) {
        argv[0] = "/bin/sh";
        argv[1] = "-c";
        argv[2] = p->command;
    } else {
        /* Memory without a performance check still needs the sensor's event path busy. */
        enum rg_workload w = p->enabled ? p->workload : RG_WORKLOAD_SYSCALL;
        snprintf(iters, sizeof(iters), "%d", workload_iterations(p, w));
        argv[0] = GUEST_WORKLOAD;
        argv[1] = rg_workload_name(w);
        argv[2] = iters;
    }
    argv[3] = NULL;
    if (side_exec(ms, s, argv, &out) < 0)
        return -1;
    n = rg_kv_parse(out, kv, sizeof(kv) / sizeof(kv[0]));
    free(out);
    if (!record)
        return 0;
    workload_label(p, label, sizeof(label));
    for (size_t i = 0; i < n; i++) {
        if (p->workload == RG_WORKLOAD_CUSTOM) {
            snprintf(name, sizeof(name), "custom.%s", kv[i].name);
            metric_put(ms, cand, name, RG_METRIC_PERF, label, "", kv[i].value);
        } else if (!strcmp(kv[i].name, "wall_ns") || !strcmp(kv[i].name, "cpu_ns")) {
            snprintf(name, sizeof(name), "%s.%s_ms", argv[1],
                     kv[i].name[0] == 'w' ? "wall" : "cpu");
            metric_put(ms, cand, name, RG_METRIC_PERF, label, "ms", kv[i].value / 1e6);
        }
    }
    if (n == 0) {
        snprintf(ms->why, sizeof(ms->why), "%s printed no name=value line", argv[0]);
        return -1;
    }
    return 0;
}

/* One boot sample: reboot the side and time power-on to ready, on the host's clock and in
 * the guest's own (its uptime at the ready line). */
static int sample_boot(struct measure *ms, struct cell *s, bool cand)
{
    struct rg_error err = {0};
    struct rg_boot_record *b;
    char label[96];

    if (cell_reboot_seen(s) < 0 || cell_wait_ready(s) != WAIT_READY) {
        snprintf(ms->why, sizeof(ms->why), "a measured reboot did not reach ready");
        return -1;
    }
    b = cur_boot(s);
    workload_label(&s->env->sc->checks.performance, label, sizeof(label));
    metric_put(ms, cand, "boot.wall_s", RG_METRIC_PERF, label, "s", b->ready_s - b->start_s);
    metric_put(ms, cand, "boot.uptime_s", RG_METRIC_PERF, label, "s", b->ready.uptime);
    if (cell_wait_agent(s, &err) < 0) {
        snprintf(ms->why, sizeof(ms->why), "after a measured reboot: %s", err.msg);
        return -1;
    }
    return 0;
}

/* Guest memory, and the agent's own counters (the contract's counters command) when it has
 * them: each NAME_bytes=N line is the memory metric agent.NAME_mib. */
static int sample_memory(struct measure *ms, struct cell *s, bool cand)
{
    const char *meminfo[] = {"/bin/cat", "/proc/meminfo", NULL};
    static const char *const label = "guest /proc/meminfo over the measurement window";
    double total, avail, v;
    char *out = NULL;
    struct rg_kv kv[16];
    size_t n;

    if (side_exec(ms, s, meminfo, &out) < 0)
        return -1;
    if (rg_meminfo_mib(out, "MemTotal", &total) && rg_meminfo_mib(out, "MemAvailable", &avail))
        metric_put(ms, cand, "mem.used_mib", RG_METRIC_MEMORY, label, "MiB", total - avail);
    if (rg_meminfo_mib(out, "SUnreclaim", &v))
        metric_put(ms, cand, "mem.slab_unreclaim_mib", RG_METRIC_MEMORY, label, "MiB", v);
    if (rg_meminfo_mib(out, "Slab", &v))
        metric_put(ms, cand, "mem.slab_mib", RG_METRIC_MEMORY, label, "MiB", v);
    free(out);
    if (side_exec(ms, s, s->guest.counters_command, &out) < 0)
        return 0; /* a safe-mode or agent-less guest has none: not an error */
    n = rg_kv_parse(out, kv, sizeof(kv) / sizeof(kv[0]));
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(kv[i].name);
        char name[96], what[160];

        if (len <= 6 || strcmp(kv[i].name + len - 6, "_bytes") != 0)
            continue;
        snprintf(name, sizeof(name), "agent.%.*s_mib", (int)(len - 6), kv[i].name);
        snprintf(what, sizeof(what), "the agent's own counter %s", kv[i].name);
        metric_put(ms, cand, name, RG_METRIC_MEMORY, what, "MiB", kv[i].value / 1048576);
    }
    free(out);
    return 0;
}

/* One side's samples of a round: the workload (recorded while the performance check is
 * still sampling) and memory. */
static int measure_side(struct measure *ms, bool cand, bool perf)
{
    const struct rg_checks *k = &ms->cand->env->sc->checks;
    struct cell *s = cand ? ms->cand : ms->twin;

    if (k->performance.enabled && k->performance.workload == RG_WORKLOAD_BOOT) {
        if (perf && sample_boot(ms, s, cand) < 0)
            return -1;
    } else if (sample_workload(ms, s, cand, &k->performance, perf) < 0) {
        return -1;
    }
    return k->memory.enabled ? sample_memory(ms, s, cand) : 0;
}

/* The name of the deciding performance metric. */
static void deciding_metric(const struct rg_perf_check *p, const struct rg_cell_result *r,
                            char *out, size_t size)
{
    const char *which = p->metric ? p->metric : "wall";

    if (p->workload == RG_WORKLOAD_CUSTOM) {
        if (p->metric)
            snprintf(out, size, "custom.%s", p->metric);
        else
            for (size_t i = 0; i < r->nmetrics && !*out; i++)
                if (r->metrics[i].kind == RG_METRIC_PERF)
                    snprintf(out, size, "%s", r->metrics[i].name);
    } else if (p->workload == RG_WORKLOAD_BOOT) {
        snprintf(out, size, "boot.%s", strcmp(which, "cpu") ? "wall_s" : "uptime_s");
    } else {
        snprintf(out, size, "%s.%s_ms", rg_workload_name(p->workload), which);
    }
}

static struct rg_metric *deciding_get(struct cell *c)
{
    struct rg_cell_result *r = c->res;
    char name[96] = "";

    deciding_metric(&c->env->sc->checks.performance, r, name, sizeof(name));
    for (size_t i = 0; i < r->nmetrics; i++)
        if (r->metrics[i].kind == RG_METRIC_PERF && !strcmp(r->metrics[i].name, name))
            return &r->metrics[i];
    return NULL;
}

/* One look of the sequential design at the deciding metric: true when it is decided (or this
 * was the last look, or there is no such metric). */
static bool perf_look(struct cell *c, const struct rg_perf_design *d, int look)
{
    struct rg_metric *m = deciding_get(c);

    if (!m)
        return true;
    rg_metric_judge_perf(m, d, look == d->looks - 1);
    cell_event(c, "look",
               "look %d of %d after %zu pairs: %s %+.1f %% [%+.1f, %+.1f] at %.4g %%, p = %.3g: "
               "%s",
               look + 1, d->looks, m->nbase, m->name, m->shift_pct, m->ci_low_pct,
               m->ci_high_pct, 100 * (1 - d->alpha_look), m->test.p,
               rg_metric_verdict_name(m->verdict));
    return m->verdict != RG_METRIC_UNDECIDED;
}

static void perf_findings(struct cell *c, const struct rg_perf_design *d, struct rg_metric *m)
{
    const struct rg_perf_check *p = &c->env->sc->checks.performance;
    char title[256], detail[512];

    snprintf(detail, sizeof(detail),
             "%s: shift %+.1f %% (%.4g %% interval %+.1f %% to %+.1f %%), p = %.3g (%s), "
             "%zu baseline and %zu candidate samples, look %d of %d, %s clock; noise %.1f %% "
             "per sample, smallest detectable shift %.1f %%",
             m->workload, m->shift_pct, 100 * (1 - m->alpha_look), m->ci_low_pct,
             m->ci_high_pct, m->test.p, m->test.exact ? "exact" : "normal approximation",
             m->nbase, m->ncand, m->nlooks, d->looks, m->clock, m->noise_pct, m->mde_pct);
    if (m->verdict == RG_METRIC_REGRESSION) {
        snprintf(title, sizeof(title), "perf regression: %s above the %g %% threshold", m->name,
                 p->max_regression_pct);
        cell_finding(c, RG_FINDING_PERF_REGRESSION, title, 0, NULL, detail);
    } else if (m->verdict == RG_METRIC_INCONCLUSIVE) {
        snprintf(title, sizeof(title),
                 "perf inconclusive: %s may be above the %g %% threshold; still undecided "
                 "after %zu pairs",
                 m->name, p->max_regression_pct, m->nbase);
        cell_finding(c, RG_FINDING_PERF_INCONCLUSIVE, title, 0, NULL, detail);
    }
    if (c->env->aa && rg_metric_threshold_unresolved(m)) {
        snprintf(title, sizeof(title),
                 "perf noise: %s cannot resolve the %g %% threshold on this host (smallest "
                 "detectable shift %.1f %% at %d pairs)",
                 m->name, p->max_regression_pct, m->mde_pct, d->at[d->looks - 1]);
        snprintf(detail, sizeof(detail),
                 "A/A noise %.1f %% per sample (robust spread, %% of the median); a regression "
                 "of the threshold plus %.1f %% is blocked 4 times in 5 at max_samples %d "
                 "(%.1f %% at the first look of %d pairs): raise samples or max_samples, "
                 "raise the threshold, or use clock: icount",
                 m->noise_pct, m->mde_pct, d->at[d->looks - 1], m->mde_first_pct, d->at[0]);
        cell_finding(c, RG_FINDING_PERF_NOISE, title, 0, NULL, detail);
    }
}

static void measure_judge(struct cell *c, const struct rg_perf_design *d, double window_s)
{
    const struct rg_checks *k = &c->env->sc->checks;
    struct rg_cell_result *r = c->res;
    struct rg_metric *decides = k->performance.enabled ? deciding_get(c) : NULL;
    char title[256], detail[512];

    r->measure_s = window_s;
    for (size_t i = 0; i < r->nmetrics; i++) {
        struct rg_metric *m = &r->metrics[i];

        if (m->kind == RG_METRIC_PERF) {
            /* The deciding metric was judged at its looks; the others once, at the end. */
            m->decides = m == decides;
            if (!m->decides || m->nlooks == 0)
                rg_metric_judge_perf(m, d, true);
            rg_metric_noise(m, d);
            if (m->decides)
                perf_findings(c, d, m);
        } else {
            /* Used memory and unreclaimable slab decide; the rest explains. */
            rg_metric_judge_memory(m, window_s, k->memory.max_growth_mib);
            m->decides = !strcmp(m->name, "mem.used_mib") ||
                         !strcmp(m->name, "mem.slab_unreclaim_mib");
            if (!m->decides) {
                m->verdict = RG_METRIC_INFO;
                continue;
            }
            if (m->verdict != RG_METRIC_REGRESSION)
                continue;
            snprintf(title, sizeof(title), "memory regression: %s grows more than %g MiB "
                                           "over the soak", m->name, k->memory.max_growth_mib);
            snprintf(detail, sizeof(detail),
                     "baseline %+.2f MiB/min, candidate %+.2f MiB/min: %+.2f MiB more over the "
                     "%.0f s window, %+.0f MiB per hour extrapolated",
                     m->slope_base, m->slope_cand, m->growth, window_s, m->per_hour);
            cell_finding(c, RG_FINDING_MEMORY_REGRESSION, title, 0, NULL, detail);
        }
    }
}

/* Boots a twin of the cell from the frozen pre-update disk next to the running candidate,
 * then samples both in turn (B C, C B, B C, ...) so that host noise hits both alike. */
static void phase_measure(struct cell *c, const char *base_disk)
{
    const struct rg_checks *k = &c->env->sc->checks;
    struct rg_cell_env tenv = *c->env;
    struct measure ms = {.cand = c};
    struct rg_error err = {0};
    struct cell twin;
    char disk[4096], rel[512];
    const char *slash = strrchr(c->env->console_rel, '/');
    const struct rg_perf_check *p = &k->performance;
    struct rg_perf_design d;
    int rounds = 0, look = 0;
    bool perf_done = !p->enabled;

    rg_perf_design_init(&d, p->samples, p->max_samples, p->alpha, p->max_regression_pct);
    /* The twin is observed, not judged: its failures make the cell inconclusive. */
    snprintf(rel, sizeof(rel), "%.*sconsole-twin.log",
             slash ? (int)(slash - c->env->console_rel + 1) : 0, c->env->console_rel);
    tenv.console_rel = rel;
    tenv.progress = NULL;
    tenv.blocked = NULL;
    tenv.keep = false;
    if (cell_overlay(c, base_disk, "twin", disk, sizeof(disk)) < 0)
        return;
    c->res->twin = calloc(1, sizeof(*c->res->twin));
    if (!c->res->twin)
        abort();
    cell_init(&twin, &tenv, c->res->twin);
    ms.twin = &twin;
    cell_event(c, "measure", "booting a baseline twin to measure the candidate against");
    if (cell_open_log(&twin) < 0 || cell_start(&twin, "-twin", disk, "twin", false) < 0 ||
        cell_wait_ready(&twin) != WAIT_READY || cell_wait_agent(&twin, &err) < 0) {
        struct rg_finding *f =
            cell_finding(c, RG_FINDING_INFRA, "the baseline twin for measurement did not boot", 0,
                         NULL, twin.res->nfindings ? twin.res->findings[0].title : err.msg);
        /* The hypervisor could not start it: the host's failure, as for the candidate. */
        f->host = twin.res->nfindings && twin.res->findings[0].host;
        goto out;
    }
    if (cell_wait_agent(c, &err) < 0) {
        cell_finding(c, RG_FINDING_INFRA, "the candidate's agent does not answer for measurement",
                     0, NULL, err.msg);
        goto out;
    }
    /* One unrecorded run on each side first: caches, and whatever the boot or a stress run
     * left behind, settle before anything is measured. */
    if (k->performance.enabled && k->performance.workload != RG_WORKLOAD_BOOT) {
        for (int side = 0; side < 2; side++)
            if (sample_workload(&ms, side ? c : &twin, side, &k->performance, false) < 0) {
                if (c->res->verdict == RG_VERDICT_PASS && !cell_stopping(c))
                    cell_finding(c, RG_FINDING_INFRA, "the warm-up run of the workload failed",
                                 0, NULL, ms.why);
                goto out;
            }
    }
    ms.t0 = rg_mono_now();
    for (;; rounds++) {
        bool mem = k->memory.enabled &&
                   (rounds < MEMORY_MIN_ROUNDS || rg_mono_now() - ms.t0 < c->env->sc->boot.soak_s);

        if (!perf_done && rounds >= d.at[look])
            perf_done = perf_look(c, &d, look++);
        if (perf_done && !mem)
            break;
        for (int side = 0; side < 2; side++) {
            bool cand = (rounds + side) % 2 == 1; /* B C, then C B: neither always goes first */

            if (measure_side(&ms, cand, !perf_done) < 0) {
                /* A candidate that crashed has its finding already; anything else is ours. */
                if (c->res->verdict == RG_VERDICT_PASS && !cell_stopping(c))
                    cell_finding(c, RG_FINDING_INFRA,
                                 cand ? "measurement failed on the candidate"
                                      : "measurement failed on the baseline twin",
                                 0, NULL, ms.why);
                goto out;
            }
        }
        if (!cell_pump(c, 0) || c->res->verdict != RG_VERDICT_PASS)
            goto out;
        cell_event(c, "sample", "round %d of paired samples done", rounds + 1);
    }
    measure_judge(c, &d, rg_mono_now() - ms.t0);
out:
    cell_stop(&twin);
    cell_fini(&twin);
    unlink(disk);
}

static void rollback_done(struct cell *c, const char *safe_note)
{
    snprintf(c->res->rollback_detail, sizeof(c->res->rollback_detail),
             "revert to the pre-update disk: %s; safe-mode boot of the updated disk: %s%s",
             rg_step_result_name(c->res->revert), rg_step_result_name(c->res->safe_mode),
             safe_note);
    cell_event(c, "rollback", "%s", c->res->rollback_detail);
    c->in_rollback = false;
}

/* After a blocked candidate: the pre-update disk must boot clean again, and the broken disk
 * must boot clean in safe mode (the operator's remediation path) unless the guest has none. */
static void phase_rollback(struct cell *c, const char *base_disk, const char *cand_disk)
{
    char disk[4096];
    enum wait_result w;

    c->res->rollback_ran = true;
    c->in_rollback = true;
    if (cell_overlay(c, base_disk, "rollback", disk, sizeof(disk)) < 0)
        return;
    c->res->revert = RG_STEP_FAIL;
    if (cell_start(c, "-rollback", disk, "rollback", false) == 0) {
        w = cell_wait_ready(c);
        if (w == WAIT_READY && cell_soak(c, c->env->sc->boot.soak_s, &w) &&
            versions_match(c, &cur_boot(c)->ready, c->env->baseline_kind,
                           c->env->baseline_version))
            c->res->revert = RG_STEP_PASS;
        else if (w == WAIT_ABORT)
            c->res->revert = RG_STEP_SKIPPED;
    }
    cell_stop(c);
    unlink(disk);
    if (c->res->revert == RG_STEP_FAIL)
        cell_finding(c, RG_FINDING_ROLLBACK_FAILED,
                     "rollback: the pre-update disk does not boot clean", 0, NULL, NULL);
    if (cell_stopping(c))
        return;
    if (!c->guest.safe_mode) {
        /* safe_mode: none. Not a pass: nothing was checked. */
        rollback_done(c, " (the guest contract has no safe mode)");
        return;
    }
    if (cell_overlay(c, cand_disk, "safe", disk, sizeof(disk)) < 0)
        return;
    c->res->safe_mode = RG_STEP_FAIL;
    if (cell_start(c, "-safe", disk, "safe-mode", true) == 0) {
        w = cell_wait_ready(c);
        if (w == WAIT_READY && cur_boot(c)->ready.safe && cell_soak(c, 1.0, &w))
            c->res->safe_mode = RG_STEP_PASS;
        else if (w == WAIT_ABORT)
            c->res->safe_mode = RG_STEP_SKIPPED;
    }
    cell_stop(c);
    unlink(disk);
    if (c->res->safe_mode == RG_STEP_FAIL)
        cell_finding(c, RG_FINDING_ROLLBACK_FAILED,
                     "rollback: the updated disk does not boot clean in safe mode", 0, NULL,
                     NULL);
    rollback_done(c, "");
}

double rg_cell_budget_s(const struct rg_scenario *sc, int install_timeout_s)
{
    const struct rg_checks *k = &sc->checks;
    /* A boot at worst: its timeout, its soak, a crash's reset, the agent, a stuck reboot. */
    double boot = sc->boot.timeout_s + sc->boot.soak_s + PANIC_RESET_S + AGENT_WAIT_S +
                  SYNC_TIMEOUT_S + PANIC_RESET_S;
    /* The baseline; the candidate and its reboots, each of which may crash after ready up to
     * CRASH_LOOP_BOOTS - 1 times without making a loop; a boot loop's boots; the rollback's
     * two boots. */
    double boots = 1 + (1 + sc->boot.reboots) * CRASH_LOOP_BOOTS + 3 + (k->rollback ? 2 : 0);
    double t = boots * boot + install_timeout_s + STRESS_STOP_S + 60;

    if (k->performance.enabled || k->memory.enabled) {
        int samples = k->performance.enabled ? k->performance.max_samples : 0;

        /* The twin's boot, and each sample of either side up to its timeout. */
        t += 2 * boot + 2.0 * (samples + MEMORY_MIN_ROUNDS) * SAMPLE_TIMEOUT_S;
    }
    return t;
}

int rg_cell_run(const struct rg_cell_env *env, struct rg_cell_result *res)
{
    const struct rg_checks *k = &env->sc->checks;
    struct cell c;
    char base[4096], cand[4096];

    cell_init(&c, env, res);
    cell_digests(&c);
    if (cell_open_log(&c) < 0) {
        cell_host_failure(&c, "cannot write the console log", strerror(errno));
        goto out;
    }
    cell_event(&c, "cell", "cell %s: %s, %d vCPU, %d MiB", env->cell->id, env->cell->image,
               env->cell->vcpus, env->cell->memory_mib);
    if (cell_overlay(&c, env->image->disk, "base", base, sizeof(base)) < 0)
        goto out;
    if (phase_baseline(&c, base) < 0)
        goto stop;
    if (cell_overlay(&c, base, "candidate", cand, sizeof(cand)) < 0)
        goto stop;
    phase_candidate(&c, cand);
    if ((k->performance.enabled || k->memory.enabled) && res->verdict == RG_VERDICT_PASS &&
        c.dom_running && !cell_stopping(&c))
        phase_measure(&c, base);
    if (env->keep && c.dom && c.dom_running &&
        (res->verdict != RG_VERDICT_PASS || boot_limit_reached(&c)))
        cell_hold(&c);
    cell_stop(&c);
    if (res->verdict == RG_VERDICT_BLOCK && k->rollback && !env->keep && !cell_stopping(&c))
        phase_rollback(&c, base, cand);
stop:
    cell_stop(&c);
out:
    rg_console_finish(c.scan);
    console_take_findings(&c);
    if (cell_stopping(&c) && res->verdict == RG_VERDICT_PASS) {
        res->verdict = RG_VERDICT_ABORTED;
        cell_event(&c, "verdict", "aborted");
    } else {
        cell_event(&c, "verdict", "%s", rg_verdict_name(res->verdict));
    }
    cell_fini(&c);
    return 0;
}

bool rg_cell_retryable(const struct rg_cell_result *res)
{
    bool host = false;

    if (res->verdict != RG_VERDICT_INCONCLUSIVE)
        return false;
    for (size_t i = 0; i < res->nfindings; i++) {
        const struct rg_finding *f = &res->findings[i];

        if (f->action != RG_ACTION_BLOCK)
            continue;
        if (f->cls != RG_FINDING_INFRA || !f->host)
            return false;
        host = true;
    }
    return host;
}

void rg_cell_discard(const struct rg_cell_env *env)
{
    char path[4096];

    for (size_t i = 0; overlay_names[i]; i++) {
        overlay_path(env, overlay_names[i], path, sizeof(path));
        unlink(path);
    }
}

void rg_cell_result_free(struct rg_cell_result *res)
{
    if (res->twin) {
        rg_cell_result_free(res->twin);
        free(res->twin);
    }
    for (size_t i = 0; i < res->nmetrics; i++)
        rg_metric_free(&res->metrics[i]);
    free(res->metrics);
    for (size_t i = 0; i < res->nfindings; i++)
        free(res->findings[i].excerpt);
    free(res->findings);
    free(res->boots);
    free(res->events);
    for (size_t i = 0; i < res->nattempts; i++)
        rg_cell_result_free(&res->attempts[i]);
    free(res->attempts);
    memset(res, 0, sizeof(*res));
}
