/* child.c - spawning, bounded waiting, escalation and reaping of children. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* Closes both descriptors of a pipe, skipping any that is negative (not
 * open). */
static void close_pair(int p[2])
{
    for (int i = 0; i < 2; i++)
        if (p[i] >= 0)
            close(p[i]);
}

/* In the child, before anything else runs: the parent-death signal, the
 * process group, stdout (out_fd), and the pipe ends moved to fds 3 and 4 (dup2 clears
 * close-on-exec) with every other descriptor above 2 closed. Exits the
 * child (1, or 127 when it was to run a program) if one step fails or the
 * parent is already gone. */
static void child_setup(const h5s_child_opts_t *o, pid_t parent, const int down[2], const int up[2])
{
    int fail = o->argv ? 127 : 1;
    if (o->pdeathsig) {
        prctl(PR_SET_PDEATHSIG, o->pdeathsig);
        if (getppid() != parent)
            _exit(fail);
    }
    if (o->own_group)
        setpgid(0, 0);
    if (o->out_fd > 2 && !o->argv && dup2(o->out_fd, STDOUT_FILENO) < 0)
        _exit(fail);
    if (o->pipes) {
        int a = fcntl(down[0], F_DUPFD_CLOEXEC, 64), b = fcntl(up[1], F_DUPFD_CLOEXEC, 64);
        if (a < 0 || b < 0 || dup2(a, 3) < 0 || dup2(b, 4) < 0)
            _exit(fail);
        close_range(5, ~0U, 0);
    }
}

/* In the child: stdout and stderr to the log (or /dev/null), then the
 * program. Never returns. */
__attribute__((noreturn)) static void child_exec(const h5s_child_opts_t *o)
{
    int out = o->log ? open(o->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644)
                     : open("/dev/null", O_RDWR | O_CLOEXEC);
    if (out >= 0) {
        dup2(out, 1);
        dup2(out, 2);
    }
    execvp(o->argv[0], (char *const *)o->argv);
    _exit(127);
}

pid_t h5s_child_spawn(h5s_child_t *c, const h5s_child_opts_t *o, h5s_err_t *err)
{
    static const h5s_child_opts_t fork_only = {0};
    int down[2] = {-1, -1}, up[2] = {-1, -1};
    if (!o)
        o = &fork_only;
    *c = (h5s_child_t){.to = -1, .from = -1, .own_group = o->own_group};
    if (o->pipes && (pipe2(down, O_CLOEXEC) != 0 || pipe2(up, O_CLOEXEC) != 0)) {
        int e = errno;
        close_pair(down);
        close_pair(up);
        return h5s_seterr(err, H5S_ESYS, "pipe: %s", strerror(e)), -1;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close_pair(down);
        close_pair(up);
        return h5s_seterr(err, H5S_ESYS, "fork: %s", strerror(e)), -1;
    }
    if (pid == 0) {
        child_setup(o, parent, down, up);
        if (o->argv)
            child_exec(o);
        return 0;
    }
    if (o->own_group)
        setpgid(pid, pid); /* here too: the group exists before any signal is sent to it */
    if (o->pipes) {
        close(down[0]);
        close(up[1]);
        c->to = down[1];
        c->from = up[0];
    }
    c->pid = pid;
    return pid;
}

/* One waitpid without waiting: 1 reaped (now or before), 0 still running,
 * -1 on error (no such child). */
static int reap_once(h5s_child_t *c)
{
    if (c->reaped)
        return 1;
    if (c->pid <= 0)
        return -1;
    for (;;) {
        int st;
        pid_t r = waitpid(c->pid, &st, WNOHANG);
        if (r == c->pid) {
            c->reaped = true;
            c->status = st;
            return 1;
        }
        if (r == 0)
            return 0;
        if (errno != EINTR)
            return -1;
    }
}

bool h5s_child_reap(h5s_child_t *c)
{
    return reap_once(c) == 1;
}

int h5s_child_wait(h5s_child_t *c, int64_t deadline_ns)
{
    int r = reap_once(c);
    if (r != 0)
        return r;
    /* a pidfd is readable once the child has ended; without one (an old
     * kernel), look every millisecond */
    int pfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
    for (;;) {
        if (pfd >= 0) {
            if (h5s_wait_readable(pfd, deadline_ns) < 0) {
                r = -1;
                break;
            }
        } else {
            int64_t left = deadline_ns - h5s_now_ns();
            struct timespec ts = {0, left < 1000000 ? (left > 0 ? left : 0) : 1000000};
            nanosleep(&ts, NULL);
        }
        if ((r = reap_once(c)) != 0 || h5s_now_ns() >= deadline_ns)
            break;
    }
    if (pfd >= 0)
        close(pfd);
    return r;
}

int h5s_child_signal(h5s_child_t *c, int sig)
{
    if (c->reaped || c->pid <= 0)
        return 0;
    return kill(c->own_group ? -c->pid : c->pid, sig);
}

int64_t h5s_child_escalate(h5s_child_t *c, int64_t since_ns, int64_t grace_ns, int64_t now_ns)
{
    if (c->reaped || c->stage >= H5S_CHILD_ABANDONED)
        return INT64_MAX;
    int64_t due = since_ns + (int64_t)(c->stage + 1) * grace_ns;
    if (now_ns < due)
        return due;
    if (c->stage == H5S_CHILD_RUNNING)
        h5s_child_signal(c, SIGTERM);
    else if (c->stage == H5S_CHILD_TERMED)
        h5s_child_signal(c, SIGKILL);
    c->stage++;
    return c->stage >= H5S_CHILD_ABANDONED ? INT64_MAX : since_ns + (int64_t)(c->stage + 1) * grace_ns;
}

void h5s_child_hurry(h5s_child_t *c)
{
    if (!c->reaped && c->stage == H5S_CHILD_RUNNING) {
        h5s_child_signal(c, SIGTERM);
        c->stage = H5S_CHILD_TERMED;
    }
}

int h5s_child_end(h5s_child_t *c, int64_t grace_ns)
{
    static const int sigs[] = {SIGTERM, SIGKILL};
    for (int i = 0; i < 2; i++) {
        if (reap_once(c) != 0)
            return c->reaped;
        h5s_child_signal(c, sigs[i]);
        c->stage = i + 1;
        if (h5s_child_wait(c, h5s_now_ns() + grace_ns) == 1)
            return 1;
    }
    c->stage = H5S_CHILD_ABANDONED;
    return 0;
}

void h5s_child_close(h5s_child_t *c)
{
    if (c->to >= 0)
        close(c->to);
    if (c->from >= 0)
        close(c->from);
    c->to = c->from = -1;
}

int h5s_child_exit_code(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}
