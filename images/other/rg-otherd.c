/* rg-otherd: rg-other's daemon. Hands the rules file to the rg_other module (loaded by its
 * unit), prints its one console line and stays up. Static, so it runs in any guest. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef RG_OTHER_VERSION
#define RG_OTHER_VERSION "0.0.0"
#endif

#define RULES "/etc/rg-other/rules.conf"
#define RULES_CTL "/proc/rg_other/rules"
#define STATUS "/proc/rg_other/status"
#define MAX_RULES_BYTES 16384

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

/* To the console as well as stderr (the journal): the console line is the readiness signal. */
__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    int fd, n = snprintf(line, sizeof(line), "rg-other[%d]: ", (int)getpid());

    va_start(ap, fmt);
    vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd >= 0) {
        if (write(fd, line, strlen(line)) < 0) {
            /* the journal still has it */
        }
        close(fd);
    }
    fputs(line, stderr);
}

static int load_rules(void)
{
    static char buf[MAX_RULES_BYTES + 1];
    size_t total = 0;
    ssize_t n;
    int in, out, rc = 0;

    in = open(RULES, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        say("cannot read " RULES ": %s\n", strerror(errno));
        return -1;
    }
    while ((n = read(in, buf + total, sizeof(buf) - 1 - total)) > 0)
        total += (size_t)n;
    close(in);
    out = open(RULES_CTL, O_WRONLY | O_CLOEXEC);
    if (out < 0 || write(out, buf, total) != (ssize_t)total) {
        say("the module refused the rules: %s\n", strerror(errno));
        rc = -1;
    }
    if (out >= 0)
        close(out);
    return rc;
}

/* The module's "version=V rules=N": its version must be ours (one package ships both). */
static int module_status(unsigned *rules)
{
    char version[64];
    FILE *f = fopen(STATUS, "re");
    int ok;

    if (!f)
        return -1;
    ok = fscanf(f, "version=%63s rules=%u", version, rules) == 2;
    fclose(f);
    if (ok && strcmp(version, RG_OTHER_VERSION) != 0) {
        say("module version %s is not the daemon's " RG_OTHER_VERSION "\n", version);
        return -1;
    }
    return ok ? 0 : -1;
}

int main(void)
{
    struct sigaction sa;
    unsigned rules = 0;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    if (load_rules() < 0 || module_status(&rules) < 0)
        return 1;
    say("started version=%s rules=%u\n", RG_OTHER_VERSION, rules);
    while (!stop)
        pause();
    return 0;
}
