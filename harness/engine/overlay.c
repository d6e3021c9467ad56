/* qcow2 overlays, created with qemu-img: a disk-file operation, not a VM one. */
#include "engine/overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int rg_overlay_create(const char *backing, const char *path, struct rg_error *err)
{
    char abs[PATH_MAX];
    int status;
    pid_t pid;

    if (!realpath(backing, abs))
        return rg_error_set(err, backing, 0, 0, "cannot use as a backing disk: %s",
                            strerror(errno));
    pid = fork();
    if (pid < 0)
        return rg_error_set(err, path, 0, 0, "cannot start qemu-img: %s", strerror(errno));
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, STDOUT_FILENO);
        execlp("qemu-img", "qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", abs,
               path, (char *)NULL);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return rg_error_set(err, path, 0, 0, "waiting for qemu-img: %s", strerror(errno));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        unlink(path);
        return rg_error_set(err, path, 0, 0, "qemu-img could not create the overlay (%s %d)",
                            WIFEXITED(status) ? "exit" : "signal",
                            WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    }
    return 0;
}
