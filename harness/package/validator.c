/* Content validators: extract the package, run the scenario's command, read its verdict. */
#include "package/validator.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/file.h"

#define TERM_GRACE_S 2.0 /* between SIGTERM and SIGKILL */

/* SIGINT or SIGTERM while a validator runs: it is stopped and its folder removed first, then
 * the signal is raised again under the disposition the caller had (run's flag, or death). */
static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
    stop_signal = sig;
}

char *rg_validator_command_text(const char *const *argv)
{
    struct rg_buf b = RG_BUF_INIT;

    for (size_t i = 0; argv[i]; i++) {
        if (i)
            rg_buf_putc(&b, ' ');
        rg_buf_puts(&b, argv[i]);
    }
    rg_buf_puts(&b, "");
    return rg_buf_detach(&b);
}

void rg_validator_result_free(struct rg_validator_result *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->nlines; i++)
        free(res->lines[i]);
    free(res->lines);
    memset(res, 0, sizeof(*res));
}

/* The manifest's files, as laid out in the package (files/...), checked already: their
 * paths are canonical and relative, their bytes those the signed manifest names. */
static int extract(const struct rg_package *p, const char *dir, struct rg_error *err)
{
    for (size_t i = 0; i < p->nfiles; i++) {
        const struct rg_package_file *f = &p->files[i];
        char path[PATH_MAX], *slash;
        size_t done = 0;
        int fd;

        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, f->path) >= sizeof(path))
            return rg_error_set(err, p->path, 0, 0, "%s: the path is too long", f->path);
        slash = strrchr(path, '/');
        *slash = '\0';
        if (rg_mkdir_p(path) < 0)
            return rg_error_set(err, path, 0, 0, "cannot create: %s", strerror(errno));
        *slash = '/';
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, (mode_t)f->mode);
        if (fd < 0)
            return rg_error_set(err, path, 0, 0, "cannot create: %s", strerror(errno));
        while (done < f->size) {
            ssize_t w = write(fd, f->data + done, f->size - done);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                rg_error_set(err, path, 0, 0, "cannot write: %s", strerror(errno));
                close(fd);
                return -1;
            }
            done += (size_t)w;
        }
        if (close(fd) < 0)
            return rg_error_set(err, path, 0, 0, "cannot write: %s", strerror(errno));
    }
    return 0;
}

/* One argument with {dir}, {package} and {version} filled in. */
static char *fill(const char *arg, const char *dir, const struct rg_package *p)
{
    static const char *const names[] = {"{dir}", "{package}", "{version}"};
    const char *values[] = {dir, p->path, p->version};
    struct rg_buf b = RG_BUF_INIT;

    rg_buf_puts(&b, "");
    while (*arg) {
        size_t k = 0;

        while (k < 3 && strncmp(arg, names[k], strlen(names[k])) != 0)
            k++;
        if (k < 3) {
            rg_buf_puts(&b, values[k]);
            arg += strlen(names[k]);
        } else {
            rg_buf_putc(&b, *arg++);
        }
    }
    return rg_buf_detach(&b);
}

/* In the child: never returns. Reports an exec failure's errno on errfd. */
static void child(char *const *argv, int outfd, int errfd)
{
    int null = open("/dev/null", O_RDONLY);
    sigset_t none;
    int e;

    /* The run's threads block or ignore signals the validator must still feel. */
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    setpgid(0, 0);
    signal(SIGPIPE, SIG_DFL);
    if (null < 0 || dup2(null, 0) < 0 || dup2(outfd, 1) < 0 || dup2(outfd, 2) < 0) {
        e = errno;
    } else {
        if (strchr(argv[0], '/'))
            execv(argv[0], argv);
        else
            execvp(argv[0], argv);
        e = errno;
    }
    if (write(errfd, &e, sizeof(e)) < 0)
        _exit(127);
    _exit(127);
}

/* Waits for pid until deadline (monotonic seconds); true when it ended (status set). */
static bool wait_until(pid_t pid, double deadline, int *status)
{
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);

        if (r == pid)
            return true;
        if (r < 0 && errno != EINTR)
            return true; /* not ours to wait for any more: treat as ended */
        if (rg_mono_now() >= deadline || stop_signal)
            return false;
        poll(NULL, 0, 20);
    }
}

/* Reads the child's output until it closes it or the deadline; keeps the first
 * RG_VALIDATOR_MAX_OUTPUT bytes and drains the rest, so a chatty validator never blocks.
 * false on the deadline. */
static bool read_output(int fd, double deadline, struct rg_buf *out, bool *truncated)
{
    char chunk[8192];

    for (;;) {
        double left = deadline - rg_mono_now();
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int r;
        ssize_t n;

        if (left <= 0 || stop_signal)
            return false;
        r = poll(&pfd, 1, (int)(left * 1000) + 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            continue; /* the deadline is checked above */
        n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            return true;
        if (out->len < RG_VALIDATOR_MAX_OUTPUT) {
            size_t keep = (size_t)n;
            if (keep > RG_VALIDATOR_MAX_OUTPUT - out->len) {
                keep = RG_VALIDATOR_MAX_OUTPUT - out->len;
                *truncated = true;
            }
            rg_buf_append(out, chunk, keep);
        } else {
            *truncated = true;
        }
    }
}

static void split_lines(const char *text, struct rg_validator_result *res)
{
    const char *s = text;

    while (*s) {
        size_t n = strcspn(s, "\n");
        size_t len = n;

        if (len && s[len - 1] == '\r')
            len--;
        if (len) {
            res->lines = realloc(res->lines, (res->nlines + 1) * sizeof(*res->lines));
            if (!res->lines || !(res->lines[res->nlines] = strndup(s, len)))
                abort();
            res->nlines++;
        }
        s += n + (s[n] == '\n');
    }
}

/* Runs argv (filled in) with its output on a pipe; the verdict from its exit. */
static int run_command(char *const *argv, const char *text, int timeout_s,
                       struct rg_validator_result *res, struct rg_error *err)
{
    struct rg_buf out = RG_BUF_INIT;
    int pipefd[2] = {-1, -1}, errpipe[2] = {-1, -1}, status = 0, exec_errno = 0, rc = -1;
    double deadline = rg_mono_now() + timeout_s;
    bool ended;
    pid_t pid;

    if (pipe2(pipefd, O_CLOEXEC) < 0 || pipe2(errpipe, O_CLOEXEC) < 0) {
        rg_error_set(err, "", 0, 0, "validator '%s': cannot make a pipe: %s", text,
                     strerror(errno));
        goto out;
    }
    pid = fork();
    if (pid < 0) {
        rg_error_set(err, "", 0, 0, "validator '%s': cannot fork: %s", text, strerror(errno));
        goto out;
    }
    if (pid == 0)
        child(argv, pipefd[1], errpipe[1]);
    setpgid(pid, pid); /* both sides set it: no race with a kill below */
    close(pipefd[1]);
    close(errpipe[1]);
    pipefd[1] = errpipe[1] = -1;
    if (read(errpipe[0], &exec_errno, sizeof(exec_errno)) == (ssize_t)sizeof(exec_errno)) {
        waitpid(pid, &status, 0);
        rg_error_set(err, "", 0, 0, "validator '%s' cannot run: %s", text,
                     strerror(exec_errno));
        goto out;
    }
    ended = read_output(pipefd[0], deadline, &out, &res->truncated) &&
            wait_until(pid, deadline, &status);
    if (!ended) {
        kill(-pid, SIGTERM);
        if (!wait_until(pid, rg_mono_now() + TERM_GRACE_S, &status)) {
            kill(-pid, SIGKILL);
            waitpid(pid, &status, 0);
        }
        if (stop_signal)
            rg_error_set(err, "", 0, 0, "validator '%s' stopped: %s", text,
                         strsignal(stop_signal));
        else
            rg_error_set(err, "", 0, 0, "validator '%s' timed out after %d s (killed)", text,
                         timeout_s);
        goto out;
    }
    kill(-pid, SIGKILL); /* whatever it left running in its group */
    rg_buf_puts(&out, "");
    if (WIFSIGNALED(status)) {
        rg_error_set(err, "", 0, 0, "validator '%s' was killed by signal %d (%s)", text,
                     WTERMSIG(status), strsignal(WTERMSIG(status)));
        goto out;
    }
    if (WEXITSTATUS(status) > 1) {
        rg_error_set(err, "", 0, 0,
                     "validator '%s' failed with exit %d (0 accepts, 1 rejects)%s%.200s", text,
                     WEXITSTATUS(status), out.len ? ": " : "", out.data);
        goto out;
    }
    res->accepted = WEXITSTATUS(status) == 0;
    split_lines(out.data, res);
    rc = 0;
out:
    for (int i = 0; i < 2; i++) {
        if (pipefd[i] >= 0)
            close(pipefd[i]);
        if (errpipe[i] >= 0)
            close(errpipe[i]);
    }
    rg_buf_free(&out);
    return rc;
}

int rg_validator_run(const struct rg_package *pkg, const char *const *argv, int timeout_s,
                     struct rg_validator_result *res, struct rg_error *err)
{
    const char *tmp = getenv("TMPDIR");
    char dir[PATH_MAX], self[PATH_MAX], *text = rg_validator_command_text(argv);
    char **filled = NULL;
    struct sigaction stop = {.sa_handler = on_stop}, old_int, old_term;
    size_t n = 0;
    int rc = -1;

    memset(res, 0, sizeof(*res));
    stop_signal = 0;
    sigemptyset(&stop.sa_mask);
    sigaction(SIGINT, &stop, &old_int);
    sigaction(SIGTERM, &stop, &old_term);
    snprintf(dir, sizeof(dir), "%s/ringgate-validator-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        rg_error_set(err, dir, 0, 0, "validator '%s': cannot create its folder: %s", text,
                     strerror(errno));
        free(text);
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        return -1;
    }
    if (extract(pkg, dir, err) < 0) {
        rg_error_prefix(err, "validator '%s': extracting the package: ", text);
        goto out;
    }
    while (argv[n])
        n++;
    filled = calloc(n + 1, sizeof(char *));
    if (!filled)
        abort();
    for (size_t i = 0; i < n; i++)
        filled[i] = fill(argv[i], dir, pkg);
    if (strcmp(argv[0], "ringgate") == 0) {
        /* The sample scenarios name this program's own validate-channels. */
        ssize_t l = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (l > 0) {
            self[l] = '\0';
            free(filled[0]);
            filled[0] = strdup(self);
        }
    }
    rc = run_command(filled, text, timeout_s, res, err);
    if (rc < 0)
        rg_validator_result_free(res);
out:
    for (size_t i = 0; filled && i < n; i++)
        free(filled[i]);
    free(filled);
    rg_remove_tree(dir);
    free(text);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (stop_signal)
        raise(stop_signal);
    return rc;
}
