/* Facts shared by the whole program: version and the exit codes every command uses. */
#ifndef RG_RINGGATE_H
#define RG_RINGGATE_H

#ifndef RG_VERSION
#define RG_VERSION "0.0.0-dev"
#endif

/* The same exit codes for every command (README, "Exit codes"). */
enum rg_exit {
    RG_EXIT_OK = 0,           /* pass / ok */
    RG_EXIT_BLOCK = 1,        /* the gate refuses the update, or a scan found a crash */
    RG_EXIT_USAGE = 2,        /* usage or input error */
    RG_EXIT_INCONCLUSIVE = 3, /* infrastructure failure: libvirt, image missing, disk full */
};

#endif
