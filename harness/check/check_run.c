/* check_run.c - running one case of `h5swmr check`: in its own forked
 * process and process group on a fresh directory, its outcome read from a
 * pipe, bounded by its timeout, every process it left behind killed and
 * reaped (this process is their subreaper). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check_driver.h"
#include "child.h"
#include "err.h"

/* ---- the data directory -------------------------------------------------------- */

/* Removes dir and everything under it (nothing if dir is empty). */
void chk_rm_tree(const char *dir)
{
    if (dir[0])
        h5s_rm_rf(dir);
}

/* ---- running one case ------------------------------------------------------------ */

/* In the case process (its own process group, killed if this process dies,
 * the outcome pipe on fd 4): never returns. */
static void case_child(const chk_suite_t *k, const chk_case_t *c, const char *dir)
{
    char log[PATH_MAX + 16];
    chk_outcome_t o;
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_IGN);
    sigprocmask(SIG_SETMASK, &k->oldmask, NULL);
    /* what processes of the case print goes to its log, not into the report */
    snprintf(log, sizeof log, "%s/case.log", dir);
    int lfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (lfd >= 0) {
        dup2(lfd, STDOUT_FILENO);
        dup2(lfd, STDERR_FILENO);
    }
    /* the outcome goes out on fd 3; the unused command pipe closes */
    if (dup2(4, 3) < 0)
        _exit(1);
    close_range(4, ~0U, 0);
    setvbuf(stdout, NULL, _IOLBF, 0);
    memset(&o, 0, sizeof o);
    if (h5s_hdf5_quiet() < 0) {
        snprintf(o.token, sizeof o.token, "error:H5S_EHDF5");
        snprintf(o.detail, sizeof o.detail, "cannot initialise HDF5");
    } else {
        chk_env_t env = {.dir = dir, .fs = k->fs};
        c->fn(&env, &o);
        /* one line each, whatever HDF5's messages hold (some carry a newline) */
        char *const lines[] = {o.detail, o.why, o.retry_note, o.frequency};
        for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
            for (char *q = lines[i]; *q; q++)
                if ((unsigned char)*q < 0x20)
                    *q = ' ';
        if (!o.token[0]) {
            snprintf(o.token, sizeof o.token, "error:internal");
            snprintf(o.detail, sizeof o.detail, "the case reported no outcome");
        }
    }
    fflush(stdout);
    fflush(stderr);
    _exit(h5s_write_full(3, &o, sizeof o) == 0 ? 0 : 1);
}

/* Reads pending signals; true when one of them is SIGINT or SIGTERM. */
static bool drain_signals(int sfd)
{
    struct signalfd_siginfo si;
    bool stop = false;
    while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
        stop |= si.ssi_signo == SIGINT || si.ssi_signo == SIGTERM;
    return stop;
}

/* Kills what is left of a case's process group (helpers, orchestrated
 * children) and reaps every member: this process is their subreaper. Waits
 * for SIGCHLD at most 5 s in all. Returns true if SIGINT/SIGTERM arrived. */
static bool reap_group(chk_suite_t *k, pid_t pgid)
{
    int64_t deadline = h5s_now_ns() + 5000000000LL;
    bool stop = false;
    kill(-pgid, SIGKILL);
    for (;;) {
        int st;
        pid_t r = waitpid(-pgid, &st, WNOHANG);
        if (r > 0)
            continue;
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 || h5s_wait_readable(k->sfd, deadline) <= 0)
            break; /* none left (ECHILD), or the bound */
        stop |= drain_signals(k->sfd);
    }
    return stop;
}

/* Reads the outcome the case process sends on fd, until deadline_ns.
 * Returns 1 with o filled, 0 when the pipe ended without one (or on error),
 * -1 at the deadline, -2 when SIGINT/SIGTERM arrived. */
static int read_outcome(chk_suite_t *k, int fd, chk_outcome_t *o, int64_t deadline_ns)
{
    for (;;) {
        struct pollfd pf[2] = {{.fd = fd, .events = POLLIN}, {.fd = k->sfd, .events = POLLIN}};
        int64_t left = deadline_ns - h5s_now_ns();
        if (left <= 0)
            return -1;
        struct timespec ts = {left / 1000000000, left % 1000000000};
        int n = ppoll(pf, 2, &ts, NULL);
        if (n < 0 && errno != EINTR)
            return 0;
        if (n > 0 && (pf[1].revents & POLLIN) && drain_signals(k->sfd))
            return -2;
        if (n > 0 && (pf[0].revents & (POLLIN | POLLHUP | POLLERR)))
            return h5s_read_full(fd, o, sizeof *o, deadline_ns) == (ssize_t)sizeof *o;
    }
}

/* Ends the case process (killed at once when kill_now, else given 10 s to
 * exit) and every helper it left behind in its process group, and reaps
 * them. Returns the case process's wait status (one of SIGKILL if even that
 * did not end it within a bound); *intr is set if SIGINT/SIGTERM arrived. */
static int end_case(chk_suite_t *k, h5s_child_t *ch, bool kill_now, bool *intr)
{
    if (kill_now || h5s_child_wait(ch, h5s_now_ns() + 10000000000LL) != 1) {
        h5s_child_signal(ch, SIGKILL); /* the whole process group */
        if (!h5s_child_reap(ch))
            kill(ch->pid, SIGKILL); /* the case process too, should it have left the group */
        h5s_child_wait(ch, h5s_now_ns() + 10000000000LL);
    }
    *intr |= reap_group(k, ch->pid); /* strays of the group, if any */
    return ch->reaped ? ch->status : SIGKILL;
}

/* Sets the outcome of a case that did not report one the normal way: it was
 * interrupted, timed out, crashed (wait status st) or ended without one. */
static void set_failure(chk_outcome_t *o, const chk_case_t *c, bool intr, bool timed_out, bool got, int st)
{
    if (intr) {
        snprintf(o->token, sizeof o->token, "error:interrupted");
        snprintf(o->detail, sizeof o->detail, "interrupted by a signal");
    } else if (timed_out) {
        snprintf(o->token, sizeof o->token, "timeout");
        snprintf(o->detail, sizeof o->detail, "the case did not finish within %d s and was killed", c->timeout_s);
    } else if (WIFSIGNALED(st)) {
        const char *sig = sigabbrev_np(WTERMSIG(st));
        snprintf(o->token, sizeof o->token, "crashed:SIG%s", sig ? sig : "?");
        snprintf(o->detail, sizeof o->detail, "the case process was killed by signal %d (%s)", WTERMSIG(st),
                 strsignal(WTERMSIG(st)));
    } else if (!got) {
        snprintf(o->token, sizeof o->token, "error:no-result");
        snprintf(o->detail, sizeof o->detail, "the case process ended (exit %d) without reporting an outcome",
                 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    }
    o->token[sizeof o->token - 1] = '\0';
    o->detail[sizeof o->detail - 1] = '\0';
    o->why[sizeof o->why - 1] = '\0';
    o->retry_note[sizeof o->retry_note - 1] = '\0';
    o->frequency[sizeof o->frequency - 1] = '\0';
}

/* Runs case c; fills r. Returns 0, or CHK_EXIT_INTR when SIGINT/SIGTERM arrived. */
int chk_run_case(chk_suite_t *k, chk_result_t *r)
{
    const chk_case_t *c = r->c;
    char dir[PATH_MAX];
    chk_outcome_t *o = &r->seen;
    int64_t t0 = h5s_now_ns();
    h5s_child_t ch;
    h5s_err_t err;
    /* its own process group, killed if this process dies, the outcome on a pipe */
    h5s_child_opts_t opts = {.pdeathsig = SIGKILL, .own_group = true, .pipes = true};
    memset(o, 0, sizeof *o);
    r->ran = true;
    snprintf(dir, sizeof dir, "%.3900s/%.100s", k->workdir, c->name);
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    if (mkdir(dir, 0755) != 0) {
        snprintf(o->token, sizeof o->token, "error:H5S_ESYS");
        snprintf(o->detail, sizeof o->detail, "%.900s: %s", dir, strerror(errno));
        return 0;
    }
    pid_t pid = h5s_child_spawn(&ch, &opts, &err);
    if (pid < 0) {
        snprintf(o->token, sizeof o->token, "error:H5S_ESYS");
        snprintf(o->detail, sizeof o->detail, "%.900s", err.msg);
        return 0;
    }
    if (pid == 0)
        case_child(k, c, dir);
    close(ch.to);
    ch.to = -1;
    int got = read_outcome(k, ch.from, o, t0 + (int64_t)c->timeout_s * 1000000000LL);
    h5s_child_close(&ch);
    bool timed_out = got == -1, intr = got == -2;
    /* the case process and every helper it left behind: one process group */
    int st = end_case(k, &ch, timed_out || intr, &intr);
    r->secs = (double)(h5s_now_ns() - t0) / 1e9;
    set_failure(o, c, intr, timed_out, got == 1, st);
    r->ok = !intr && chk_expect_matches(r->expected, o->token);
    /* disk hygiene: the data of a case that went as expected goes, unless
     * --keep-data; a case that differs keeps it, for a look */
    r->kept = k->o.keep || (!r->ok && !intr);
    if (!r->kept)
        chk_rm_tree(dir);
    return intr ? CHK_EXIT_INTR : 0;
}
