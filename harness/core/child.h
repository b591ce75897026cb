/* child.h - one way to start, watch and end a child process.
 *
 * A child is forked (optionally leading its own process group, optionally
 * connected by two pipes, optionally running another program with its output
 * in a log file), waited for with a deadline, ended by escalation (SIGTERM,
 * then SIGKILL after a grace period, then given up on) and reaped. No wait
 * here is unbounded. Signals never reach a child that has been reaped, whose
 * pid may belong to another process by then. */
#ifndef H5SWMR_CHILD_H
#define H5SWMR_CHILD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

/* How far escalation has gone (h5s_child_t.stage). */
enum {
    H5S_CHILD_RUNNING = 0,  /* no signal sent to end it */
    H5S_CHILD_TERMED = 1,   /* SIGTERM sent */
    H5S_CHILD_KILLED = 2,   /* SIGKILL sent */
    H5S_CHILD_ABANDONED = 3 /* not even SIGKILL ended it in time: no longer waited for */
};

typedef struct h5s_child_opts {
    int pdeathsig;           /* delivered to the child if this process dies (0: none); a child whose
                                parent is already gone by then exits at once */
    bool own_group;          /* the child leads a new process group; signals go to the whole group */
    bool pipes;              /* fd 3 in the child reads what the parent sends, fd 4 writes to the
                                parent; every other descriptor above 2 is closed */
    const char *const *argv; /* run this program (argv[0] looked up in PATH); NULL: fork only */
    const char *log;         /* with argv: stdout and stderr to this file (created or truncated,
                                never through a symbolic link); NULL: /dev/null */
    int out_fd;              /* fork only, when > 2: the child's stdout is this descriptor (dup2, before
                                the others above 2 are closed); 0: stdout as it is */
} h5s_child_opts_t;

typedef struct h5s_child {
    pid_t pid;      /* 0 before a spawn */
    int to, from;   /* the parent's pipe ends with opts.pipes (close-on-exec), else -1 */
    bool own_group; /* signals go to the process group -pid */
    bool reaped;    /* waited for: pid is no longer this child's */
    int status;     /* the wait status once reaped */
    int stage;      /* H5S_CHILD_* */
} h5s_child_t;

/* Forks a child as o says (o may be NULL: fork only). stdout and stderr are
 * flushed first. Returns 0 in the child (fork only: with argv the child
 * never returns), the child's pid in the parent, or -1 with err and nothing
 * left open. */
pid_t h5s_child_spawn(h5s_child_t *c, const h5s_child_opts_t *o, h5s_err_t *err);

/* Reaps the child if it has ended, without waiting. Returns true once it is
 * reaped (now or before). */
bool h5s_child_reap(h5s_child_t *c);

/* Waits until the child ends, at most until deadline_ns (h5s_now_ns clock),
 * and reaps it. Returns 1 reaped, 0 still running at the deadline, -1 on
 * error. */
int h5s_child_wait(h5s_child_t *c, int64_t deadline_ns);

/* Sends sig to the child (to its group with own_group); nothing once it is
 * reaped. Returns 0 or -1 (errno set). */
int h5s_child_signal(h5s_child_t *c, int sig);

/* Escalation for a child asked to stop at since_ns: SIGTERM once grace_ns
 * has passed, SIGKILL after twice that, and after three times the child is
 * abandoned (stage H5S_CHILD_ABANDONED). Takes at most one step per call.
 * Returns the moment the next step falls due, INT64_MAX when none will. */
int64_t h5s_child_escalate(h5s_child_t *c, int64_t since_ns, int64_t grace_ns, int64_t now_ns);

/* Sends SIGTERM at once if escalation has not begun (a second request to
 * stop, which skips the grace period). */
void h5s_child_hurry(h5s_child_t *c);

/* Ends the child: SIGTERM, up to grace_ns for it to end, then SIGKILL and as
 * long again; reaps it. Returns 1 reaped, 0 abandoned. */
int h5s_child_end(h5s_child_t *c, int64_t grace_ns);

/* Closes the parent's pipe ends (if any). */
void h5s_child_close(h5s_child_t *c);

/* A wait status as one number: the exit status, 128 + the signal that ended
 * the child, or -1 for anything else. */
int h5s_child_exit_code(int status);

#endif
