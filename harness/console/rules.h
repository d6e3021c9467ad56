/* The console detector's report types as data: start patterns, titles, frame skip lists, ends. */
#ifndef RG_CONSOLE_RULES_H
#define RG_CONSOLE_RULES_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Patterns (start lines, skip lists, anchors) are globs over one cleaned console line:
 *   '*'  any run of characters, shortest first; at the end of a pattern, the rest of the line
 *   '#'  one word: the longest run of non-blank characters (at least one)
 *   anything else matches itself.
 * A start pattern is anchored at the line's start (after its timestamp, level, leading blanks
 * and the prefixes in rg_console_strip) and may be followed by anything; a frame pattern must
 * match the whole function name. Each '*' or '#' of a start pattern is a capture (%1..%4).
 */

/* What a report is, before the scenario's options map it to a finding class. */
enum rg_rule_class {
    RG_RULE_CRASH,   /* the kernel is broken: oops, BUG, sanitizer, memory corruption */
    RG_RULE_WARNING, /* the kernel lives on: WARNING, leaks; a panic that follows makes it a crash
                      */
    RG_RULE_HANG,    /* lockups, stalls, hung tasks (opts.hang_class) */
    RG_RULE_OOM,     /* the OOM killer (opts.oom_class) */
};

/* Where the guilty frame comes from; every policy falls back to the call trace. */
enum rg_rule_frames {
    RG_FRAMES_STACK,     /* the faulting IP (RIP:, pc :, PC is at), then the call trace */
    RG_FRAMES_HEAD,      /* the function the first line names ("KASAN: x in F"), then the stack */
    RG_FRAMES_WARN,      /* the function a WARNING line names after "at", then the stack */
    RG_FRAMES_AT,        /* lockdep: the ", at: F" lock sites in order, then the stack */
    RG_FRAMES_BECAME,    /* lockdep irq order: the trace after "which became ... at:" */
    RG_FRAMES_TRACK,     /* SLUB: the "Allocated in F" owner of the object, then the stack */
    RG_FRAMES_BACKTRACE, /* kmemleak: the allocation's "backtrace:" */
};

/* How the guilty frame is chosen among the candidates that survive the skip lists. */
enum rg_rule_pick {
    RG_PICK_FIRST, /* the first one */
    RG_PICK_STALL, /* lockups and stalls: the frame before the first dispatch anchor, outside
                      interrupt context (the looping code, not where the timer caught it) */
    RG_PICK_HUNG,  /* hung tasks: rtnl_lock and synchronize_* group, then skip waiting code */
};

/* Rule flags. */
enum {
    RG_RULE_CONTINUES = 1 << 0,  /* inside an open report this line is part of it */
    RG_RULE_LEAD_IN = 1 << 1,    /* a first line that the next report line may take over */
    RG_RULE_PANIC = 1 << 2,      /* "Kernel panic": ends the report before it, if any */
    RG_RULE_NEED_FRAME = 1 << 3, /* no kernel frame within 40 lines: not a kernel report (a
                                    user-space fault, a program's own "BUG:" message) */
    RG_RULE_ONCE = 1 << 4,       /* printed again and again: one finding per boot */
};

/* What ends a report besides a new report, a new boot and the stream's end. Every report also
 * ends at "---[ end trace" and after RG_CONSOLE_REPORT_MAX_LINES lines. */
enum rg_rule_end {
    RG_END_MARKER, /* only the common ends (oopses: "---[ end trace") */
    RG_END_STACK,  /* the last stack section closes ("</TASK>", "</IRQ>" not followed by more) */
    RG_END_RULE,   /* a closing "=====" rule line (sanitizers) */
    RG_END_LINE,   /* the first line is the whole report */
    RG_END_INDENT, /* the first line that does not start with a blank (kmemleak's block) */
    RG_END_FIX,    /* SLUB's "FIX cache: ..." repair line */
    RG_END_OOM,    /* the OOM killer's "Killed process" line */
};

/* One frame pattern to pass over, and why. */
struct rg_skip {
    const char *pattern;
    const char *why;
};

/* One report type. The first rule whose start pattern matches a line wins. */
struct rg_console_rule {
    const char *kind;     /* the finding's kind: "null-deref", "kasan", "lockdep", ... */
    const char *start[4]; /* start patterns, NULL-terminated */
    /* Title: %1..%4 the captures, %F the guilty function ("corrupted" when the report has a
     * stack but no usable frame), %A KASAN's access (Read or Write), %T the task the first line
     * names (its comm), %O " of <comm>" for the OOM victim. */
    const char *title;
    const char *title_noframe; /* used instead when no frame was printed at all; NULL: title */
    enum rg_rule_class cls;
    enum rg_rule_frames frames;
    enum rg_rule_pick pick;
    enum rg_rule_end end;
    unsigned flags;
    int window; /* RG_RULE_LEAD_IN: lines within which the next report line may take over
                   (0: 3 lines) */
    const struct rg_skip *skip; /* this type's own frames to pass over, besides the common list */
};

/* A line prefix that is dropped before matching ("watchdog: BUG: soft lockup"); when
 * only_if_known, the prefix goes only if what follows starts a report ("Oops: general
 * protection fault", not "Oops: 0000"). */
struct rg_strip {
    const char *prefix;
    bool only_if_known;
};

extern const struct rg_console_rule rg_console_rules[];
extern const size_t rg_console_nrules;
extern const struct rg_strip rg_console_strip[];
extern const struct rg_skip rg_console_skip_common[];
/* Stall anchors: generic dispatch code; the frame just before one is the stall's culprit. */
extern const struct rg_skip rg_console_stall_anchors[];
/* Hung tasks: frames that group many different hangs under one title. */
struct rg_hung_anchor {
    const char *pattern, *title_frame, *why;
};
extern const struct rg_hung_anchor rg_console_hung_anchors[];
/* Hung-task frames that are waiting, not guilty. */
extern const struct rg_skip rg_console_hung_skip[];
/* Lines after which the frames belong to another stack (allocation, free, other CPUs). */
extern const char *const rg_console_secondary_stacks[];
/* Prefixes of syscall wrappers dropped from a title's function (sys_ioctl -> ioctl). */
extern const char *const rg_console_syscall_prefixes[];

#endif
