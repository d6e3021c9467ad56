/* Where ringgate keeps its state, and the default libvirt connection that lives there. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hv/hv.h"
#include "util/file.h"

#include <stdbool.h>

int rg_state_dir(char *out, size_t size, struct rg_error *err)
{
    const char *env = getenv("RINGGATE_STATE_DIR"), *xdg = getenv("XDG_STATE_HOME"),
               *home = getenv("HOME");
    int n;

    if (env && *env)
        n = snprintf(out, size, "%s", env);
    else if (geteuid() == 0)
        n = snprintf(out, size, "/var/lib/ringgate");
    else if (xdg && *xdg)
        n = snprintf(out, size, "%s/ringgate", xdg);
    else if (home && *home)
        n = snprintf(out, size, "%s/.local/state/ringgate", home);
    else
        return rg_error_set(err, NULL, 0, 0,
                            "no state directory: set RINGGATE_STATE_DIR or HOME");
    if (n < 0 || (size_t)n >= size)
        return rg_error_set(err, NULL, 0, 0, "the state directory path is too long");
    if (rg_mkdir_p(out) < 0)
        return rg_error_set(err, out, 0, 0, "cannot create the state directory: %s",
                            strerror(errno));
    return 0;
}

/* The embedded driver reads <root>/etc/qemu.conf. QEMU runs as the ringgate user (no
 * chown of the images), logs to files (no virtlogd daemon), and leaves no xattrs. */
static int embed_config(const char *root, struct rg_error *err)
{
    static const char conf[] = "# written by ringgate for its embedded libvirt driver\n"
                               "user = \"+0\"\n"
                               "group = \"+0\"\n"
                               "stdio_handler = \"file\"\n"
                               "dynamic_ownership = 0\n"
                               "remember_owner = 0\n";
    char path[4200];
    FILE *f;

    snprintf(path, sizeof(path), "%s/etc", root);
    if (rg_mkdir_p(path) < 0)
        return rg_error_set(err, path, 0, 0, "cannot create: %s", strerror(errno));
    snprintf(path, sizeof(path), "%s/etc/qemu.conf", root);
    f = fopen(path, "w");
    if (!f || fputs(conf, f) < 0 || fclose(f) != 0)
        return rg_error_set(err, path, 0, 0, "cannot write: %s", strerror(errno));
    return 0;
}

unsigned long long rg_hv_short_hash(const char *s)
{
    unsigned long long h = 1469598103934665603ULL;

    for (const char *p = s; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h;
}

/* QEMU's monitor and agent sockets live under the embedded driver's root, and UNIX socket
 * paths are limited to 108 bytes: a deep state folder is reached through a short symlink. */
static int short_root(char *root, size_t size, struct rg_error *err)
{
    char dir[64], link[96], target[4096];
    ssize_t n;

    if (strlen(root) <= 32)
        return 0;
    snprintf(dir, sizeof(dir), geteuid() == 0 ? "/run/ringgate" : "/tmp/ringgate-%u",
             (unsigned)geteuid());
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return rg_error_set(err, dir, 0, 0, "cannot create: %s", strerror(errno));
    snprintf(link, sizeof(link), "%s/lv-%08llx", dir, rg_hv_short_hash(root) & 0xffffffffULL);
    n = readlink(link, target, sizeof(target) - 1);
    if (n < 0 || (size_t)n != strlen(root) || strncmp(target, root, (size_t)n) != 0) {
        unlink(link);
        if (symlink(root, link) < 0)
            return rg_error_set(err, link, 0, 0, "cannot link the libvirt state: %s",
                                strerror(errno));
    }
    snprintf(root, size, "%s", link);
    return 0;
}

int rg_hv_default_uri(char *out, size_t size, struct rg_error *err)
{
    char dir[4096], root[4200];
    int n;

    if (rg_state_dir(dir, sizeof(dir), err) < 0)
        return -1;
    snprintf(root, sizeof(root), "%s/libvirt", dir);
    if (embed_config(root, err) < 0)
        return -1;
    if (short_root(root, sizeof(root), err) < 0)
        return -1;
    n = snprintf(out, size, "qemu:///embed?root=%s", root);
    if (n < 0 || (size_t)n >= size)
        return rg_error_set(err, NULL, 0, 0, "the state directory path is too long");
    return 0;
}

/* Is pid the QEMU of domain name? Its command line says "-name guest=<name>,...". */
static bool is_domain_qemu(long pid, const char *name)
{
    char path[64], cmd[8192], want[300];
    size_t n;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
    f = fopen(path, "rb");
    if (!f)
        return false;
    n = fread(cmd, 1, sizeof(cmd) - 1, f);
    fclose(f);
    for (size_t i = 0; i < n; i++)
        if (cmd[i] == '\0')
            cmd[i] = ' ';
    cmd[n] = '\0';
    snprintf(want, sizeof(want), "guest=%s,", name);
    return strstr(cmd, want) != NULL;
}

static void stop_pid(long pid)
{
    struct timespec tick = {0, 50 * 1000 * 1000};

    kill((pid_t)pid, SIGTERM);
    for (int i = 0; i < 60 && kill((pid_t)pid, 0) == 0; i++)
        nanosleep(&tick, NULL);
    if (kill((pid_t)pid, 0) == 0)
        kill((pid_t)pid, SIGKILL);
}

int rg_hv_reap_embedded(const char *prefix, size_t *reaped, struct rg_error *err)
{
    char dir[4096], path[4400];
    struct dirent *de;
    DIR *d;

    *reaped = 0;
    if (rg_state_dir(dir, sizeof(dir), err) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s/libvirt/run/qemu", dir);
    d = opendir(path);
    if (!d)
        return 0;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        char name[256], file[4700];
        long pid = 0;
        FILE *f;

        if (l < 5 || strcmp(de->d_name + l - 4, ".pid") != 0 ||
            strncmp(de->d_name, prefix, strlen(prefix)) != 0 || l - 4 >= sizeof(name))
            continue;
        snprintf(name, sizeof(name), "%.*s", (int)(l - 4), de->d_name);
        snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
        f = fopen(file, "r");
        if (f) {
            if (fscanf(f, "%ld", &pid) != 1)
                pid = 0;
            fclose(f);
        }
        if (pid > 1 && is_domain_qemu(pid, name)) {
            stop_pid(pid);
            (*reaped)++;
        }
        unlink(file);
        snprintf(file, sizeof(file), "%s/%s.xml", path, name);
        unlink(file);
    }
    closedir(d);
    return 0;
}
