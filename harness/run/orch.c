/* orch.c - fork orchestration with pipes, signalfd and bounded waits. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "orch.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

typedef int (*role_fn)(const role_ctx_t *);

typedef struct orch {
    const scn_t *s;
    const char *file;
    const char *run_dir;
    shm_t *shm;
    int sfd;
    sigset_t oldmask;
    orch_report_t *rep;
    bool recover;      /* the finalizer must h5clear first */
    bool stalled;      /* the writer is SIGSTOPped by a fault */
    bool stall_done;   /* the stall fault was injected (once per run) */
    bool corrupt_done; /* the overwrite fault was tried (once per run) */
    bool masked;       /* oldmask holds the mask to restore */
    /* the finalizer: watched for progress, not against a fixed deadline */
    bool finalizing;               /* it runs: signals are handled as its own */
    int fin_signals;               /* SIGINTs seen while it runs */
    bool fin_printed;              /* a progress line was printed */
    int64_t fin_begin_ns;          /* when it was started */
    int64_t fin_moved_ns;          /* when its progress last changed */
    int64_t fin_print_ns;          /* when the next progress line is due */
    uint64_t fin_bytes, fin_steps; /* its progress as last seen */
    status_t st;                   /* the live status line */
} orch_t;

/* How often a long finalization prints its progress (and after how long the
 * first line). */
#define FIN_PROGRESS_NS 2000000000LL

const char *orch_crash_text(int crash)
{
    switch (crash) {
    case ORCH_CRASH_HDF5: return "inside HDF5";
    case ORCH_CRASH_OWN: return "in h5swmr's own code";
    case ORCH_CRASH_UNKNOWN: return "with a stack in neither HDF5 nor h5swmr";
    default: return "";
    }
}

bool orch_stopped_before_delay(const orch_report_t *rep, const orch_child_t *ch)
{
    return ch->role == ROLE_READER && ch->delay_s > 0 && rep->writer_ready && !ch->go_sent_ns && ch->stop_sent_ns &&
           ch->has_result;
}

void orch_status_text(int status, char *buf, size_t cap)
{
    if (WIFEXITED(status))
        snprintf(buf, cap, "exit %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, cap, "killed by SIG%s", sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
    else
        snprintf(buf, cap, "status 0x%x", status);
}

/* Copies what the live process handle knows into the child's record. */
static void note(orch_child_t *ch)
{
    ch->pid = ch->proc.pid;
    ch->reaped = ch->proc.reaped;
    ch->status = ch->proc.status;
    ch->kill_stage = ch->proc.stage;
}

/* In a forked child: ignores the terminal's Ctrl-C (the orchestrator relays
 * it as STOP), restores default SIGTERM and the signal mask (SIGINT and
 * SIGTERM unblocked), starts HDF5
 * quiet, runs the role and exits with its code. A delayed reader gets GO its
 * delay after READY, so it waits for GO ready_timeout plus that long (the
 * orchestrator still bounds the writer's READY by ready_timeout). */
__attribute__((noreturn)) static void child_run(const orch_t *o, int role, int index, role_fn fn)
{
    scn_t mine = *o->s;
    if (role == ROLE_READER)
        mine.ready_timeout_s += scn_reader_delay(o->s, index - 1);
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGCHLD, SIG_DFL);
    /* the mask from before the run, without SIGINT and SIGTERM: a sweep or
     * stress blocks them around its runs, and a process of the run would
     * otherwise never see the SIGTERM that ends it */
    sigset_t mask = o->oldmask;
    sigdelset(&mask, SIGINT);
    sigdelset(&mask, SIGTERM);
    sigprocmask(SIG_SETMASK, &mask, NULL);
    /* the shared flush records are a fixed ring: mapped whole into this
     * process now, so that its resident memory does not seem to grow as the
     * writer fills the ring page by page during a long run */
    long page = sysconf(_SC_PAGESIZE);
    for (size_t at = 0; page > 0 && at < sizeof *o->shm; at += (size_t)page)
        (void)*(volatile const char *)((const char *)o->shm + at);
    setvbuf(stdout, NULL, _IOLBF, 0);
    h5s_hdf5_quiet();
    role_ctx_t c = {.scn = &mine,
                    .file = o->file,
                    .shm = o->shm,
                    .ctl_fd = 3,
                    .st_fd = 4,
                    .index = index,
                    .run_dir = o->run_dir,
                    .recover = o->recover};
    int rc = fn(&c);
    fflush(stdout);
    fflush(stderr);
    _exit(rc);
}

/* Forks one child running fn in role `role`; in the parent fills ch.
 * Returns 0 or a negative code with err. */
static int spawn(orch_t *o, orch_child_t *ch, int role, int index, role_fn fn, h5s_err_t *err)
{
    memset(ch, 0, sizeof *ch);
    ch->role = role;
    ch->index = index;
    ch->ctl_w = ch->st_r = -1;
    /* the child dies with the orchestrator (SIGTERM), or sees EOF on fd 3 */
    h5s_child_opts_t opts = {.pdeathsig = SIGTERM, .pipes = true, .out_fd = status_child_stdout(&o->st)};
    pid_t pid = h5s_child_spawn(&ch->proc, &opts, err);
    if (pid < 0)
        return err->code;
    if (pid == 0)
        child_run(o, role, index, fn);
    /* the pipe ends are the orchestrator's to close, as it reads them */
    ch->ctl_w = ch->proc.to;
    ch->st_r = ch->proc.from;
    ch->proc.to = ch->proc.from = -1;
    note(ch);
    return 0;
}

/* Writes the control byte b to the child's control pipe, unless the pipe is
 * closed or the child reaped; a failed write is ignored. */
static void send_ctl(orch_child_t *ch, char b)
{
    if (ch->ctl_w < 0 || ch->reaped)
        return;
    if (write(ch->ctl_w, &b, 1) != 1) {
        /* the child is gone (EPIPE); reaping will tell how */
    }
}

/* Asks the child to stop (once): sends PROTO_STOP, resumes it with SIGCONT
 * in case a fault stopped it, and records now as the time the stop was sent. */
static void send_stop(orch_child_t *ch, int64_t now)
{
    if (ch->stop_sent_ns || ch->reaped)
        return;
    send_ctl(ch, PROTO_STOP);
    h5s_child_signal(&ch->proc, SIGCONT); /* a process stopped by a stall fault must run to stop */
    ch->stop_sent_ns = now;
}

/* Closes the parent's ends of the child's control and status pipes and marks
 * them closed. */
static void close_child_fds(orch_child_t *ch)
{
    if (ch->ctl_w >= 0)
        close(ch->ctl_w);
    if (ch->st_r >= 0)
        close(ch->st_r);
    ch->ctl_w = ch->st_r = -1;
}

/* Reads what a child sent. Returns 'R' for READY, 'X' for a result, 0 on EOF. */
static int read_child(orch_child_t *ch)
{
    char b;
    ssize_t r = read(ch->st_r, &b, 1);
    if (r <= 0) {
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            return -1;
        close(ch->st_r);
        ch->st_r = -1;
        return 0;
    }
    if (b == PROTO_RESULT) {
        if (h5s_read_full(ch->st_r, &ch->res, sizeof ch->res, h5s_now_ns() + 2000000000LL) == (ssize_t)sizeof ch->res)
            ch->has_result = true;
        return PROTO_RESULT;
    }
    return (unsigned char)b;
}

/* Where a reader killed by a crash signal crashed, from what its crash
 * handler left in its shared-memory phase slot: HDF5's only when its stack
 * was inside an HDF5 call; in h5swmr's own code, or unknown, a failure of
 * the run. */
static void classify_crash(const orch_t *o, orch_child_t *ch)
{
    int phase = atomic_load(&o->shm->reader_phase[ch->index]);
    if (ch->role == ROLE_READER && WIFSIGNALED(ch->status) && !ch->fault_killed)
        ch->crash = phase & READER_CRASH_HDF5      ? ORCH_CRASH_HDF5
                    : phase & READER_CRASH_OWN     ? ORCH_CRASH_OWN
                    : phase & READER_CRASH_UNKNOWN ? ORCH_CRASH_UNKNOWN
                                                   : ORCH_CRASH_NONE;
    ch->died_in_walk = ch->crash == ORCH_CRASH_HDF5 && (phase & READER_PHASE_MASK) == READER_WALKING;
}

/* Reaps a child that has ended (without waiting), tells how it ended and
 * drains a result still in its pipe. */
static void reap(const orch_t *o, orch_child_t *ch)
{
    if (ch->reaped || ch->pid <= 0 || !h5s_child_reap(&ch->proc))
        return;
    note(ch);
    classify_crash(o, ch);
    if (ch->role != ROLE_FINALIZER)
        faults_on_reap(&o->rep->fx, o->shm, ch->index);
    while (ch->st_r >= 0 && h5s_wait_readable(ch->st_r, h5s_now_ns()) > 0 && read_child(ch) != 0)
        ;
    close_child_fds(ch);
}

/* Escalation: STOP, then SIGTERM after stop_timeout, then SIGKILL after as
 * long again, then given up on. Returns when the next step falls due. */
static int64_t escalate(orch_t *o, orch_child_t *ch, int64_t now)
{
    int64_t t = (int64_t)(o->s->stop_timeout_s * 1e9);
    if (ch->reaped || !ch->stop_sent_ns)
        return INT64_MAX;
    int before = ch->proc.stage;
    if (ch->role != ROLE_FINALIZER) /* what it is doing, should it not end */
        faults_sample_kernel(&o->rep->fx, ch->index, ch->pid);
    int64_t next = h5s_child_escalate(&ch->proc, ch->stop_sent_ns, t, now);
    note(ch);
    if (before < H5S_CHILD_ABANDONED && ch->kill_stage == H5S_CHILD_ABANDONED)
        /* not even SIGKILL ended it (stuck in the kernel): stop waiting, say so */
        snprintf(o->rep->problem, sizeof o->rep->problem,
                 "process %d did not end %g s after SIGKILL (stuck in the kernel?); left unreaped", (int)ch->pid,
                 o->s->stop_timeout_s);
    return next;
}

/* Appends one injected fault to the report's list of them. */
static void note_fault(orch_t *o, const char *what)
{
    size_t l = strlen(o->rep->faults);
    snprintf(o->rep->faults + l, sizeof o->rep->faults - l, "%s%s", l ? "; " : "", what);
}

/* Kills the child with SIGKILL as an injected fault, unless it is reaped or
 * already fault-killed, and notes what in the report's list of faults. */
static void fault_kill(orch_t *o, orch_child_t *ch, const char *what)
{
    if (ch->reaped || ch->fault_killed)
        return;
    h5s_child_signal(&ch->proc, SIGKILL);
    ch->fault_killed = true;
    note_fault(o, what);
    faults_add(&o->rep->fx, ch->role == ROLE_WRITER ? FAULT_KILL_WRITER : FAULT_KILL_READER, h5s_now_ns(),
               o->rep->t_ready_ns, ch->index, what);
}

/* The stall fault: SIGSTOP the writer at its moment after READY, SIGCONT it
 * when the stall is over; once per run. */
static void inject_stall(orch_t *o, orch_child_t *w, int64_t now, int64_t *wake)
{
    const scn_t *s = o->s;
    int64_t at = o->rep->t_ready_ns + (int64_t)(s->stall_writer_after_ms * 1e6);
    int64_t until = at + (int64_t)(s->stall_writer_ms * 1e6);
    if (now >= at && now < until && !o->stalled && !w->stop_sent_ns && !o->stall_done) {
        char what[160];
        h5s_child_signal(&w->proc, SIGSTOP);
        o->stalled = true;
        o->stall_done = true;
        snprintf(what, sizeof what, "writer SIGSTOPped %g ms after READY for %g ms", s->stall_writer_after_ms,
                 s->stall_writer_ms);
        note_fault(o, what);
        faults_add(&o->rep->fx, FAULT_STALL_WRITER, now, o->rep->t_ready_ns, 0, what);
    } else if (o->stalled && now >= until) {
        h5s_child_signal(&w->proc, SIGCONT);
        o->stalled = false;
    }
    int64_t next = now < at ? at : now < until ? until : INT64_MAX;
    if (next < *wake)
        *wake = next;
}

/* Fault injection: real signals and damage at the scenario's moments after READY. */
static void inject_faults(orch_t *o, orch_child_t *kids, int n, int64_t now, int64_t *wake)
{
    const scn_t *s = o->s;
    char what[160];
    if (s->kill_writer_after_ms > 0) {
        int64_t at = o->rep->t_ready_ns + (int64_t)(s->kill_writer_after_ms * 1e6);
        if (now >= at) {
            snprintf(what, sizeof what, "writer SIGKILLed %g ms after READY", s->kill_writer_after_ms);
            fault_kill(o, &kids[0], what);
        } else if (at < *wake)
            *wake = at;
    }
    if (s->stall_writer_ms > 0 && !kids[0].reaped)
        inject_stall(o, &kids[0], now, wake);
    if (s->corrupt_file_after_ms > 0 && !o->corrupt_done) {
        int64_t at = o->rep->t_ready_ns + (int64_t)(s->corrupt_file_after_ms * 1e6);
        if (now >= at) {
            faults_t *fx = &o->rep->fx;
            faults_corrupt(fx, s, o->file, o->shm, n, o->rep->t_ready_ns);
            o->corrupt_done = true;
            const fault_t *f = fx->corrupt >= 0 ? &fx->f[fx->corrupt] : &fx->f[fx->n - 1];
            if (f->length > 0)
                snprintf(what, sizeof what, "%lld bytes at offset %lld of %lld overwritten", (long long)f->length,
                         (long long)f->offset, (long long)f->file_size);
            else
                snprintf(what, sizeof what, "%.150s", f->what);
            note_fault(o, what);
        } else if (at < *wake) {
            *wake = at;
        }
    }
    if (s->kill_reader > 0 && s->kill_reader < n) {
        int64_t at = o->rep->t_ready_ns + (int64_t)(s->kill_reader_after_ms * 1e6);
        if (now >= at) {
            snprintf(what, sizeof what, "reader %lld SIGKILLed %g ms after READY", (long long)s->kill_reader,
                     s->kill_reader_after_ms);
            fault_kill(o, &kids[s->kill_reader], what);
        } else if (at < *wake)
            *wake = at;
    }
}

/* The writer's own deadline: READY within ready_timeout, then its duration
 * (plus stop_timeout) at most; past it, every child is asked to stop and the
 * problem is recorded. Lowers *wake to the deadline. */
static void check_writer_deadline(orch_t *o, orch_child_t *kids, int n, int64_t now, int64_t *wake)
{
    orch_report_t *rep = o->rep;
    const scn_t *s = o->s;
    orch_child_t *w = &kids[0];
    if (w->reaped || w->stop_sent_ns)
        return;
    int64_t d =
        rep->writer_ready
            ? (s->duration_s > 0 ? rep->t_ready_ns + (int64_t)((s->duration_s + s->stop_timeout_s) * 1e9) : INT64_MAX)
            : rep->t_begin_ns + (int64_t)(s->ready_timeout_s * 1e9);
    if (now >= d) {
        if (!rep->writer_ready)
            snprintf(rep->problem, sizeof rep->problem, "the writer did not report READY within %g s",
                     s->ready_timeout_s);
        else
            snprintf(rep->problem, sizeof rep->problem, "the writer overran its duration");
        for (int i = 0; i < n; i++)
            send_stop(&kids[i], now);
    } else if (d < *wake) {
        *wake = d;
    }
}

/* Asks the finalizer to end now: SIGTERM at once, SIGKILL stop_timeout
 * later (escalate()). */
static void stop_finalizer(orch_child_t *f, int64_t now)
{
    if (f->reaped)
        return;
    if (!f->stop_sent_ns)
        f->stop_sent_ns = now;
    h5s_child_hurry(&f->proc);
    h5s_child_signal(&f->proc, SIGCONT); /* a stopped process must run to end */
    note(f);
}

/* "4.1 of 9.2 GB (45 %)" of the finalizer's progress into buf. */
static void fin_progress_text(const orch_t *o, char *buf, size_t cap)
{
    uint64_t b = atomic_load(&o->shm->finalize_bytes), t = atomic_load(&o->shm->finalize_total);
    if (t)
        snprintf(buf, cap, "%.1f of %.1f GB (%.0f %%)", (double)b / 1e9, (double)t / 1e9,
                 100.0 * (double)b / (double)t);
    else
        snprintf(buf, cap, "%.1f GB", (double)b / 1e9);
}

/* SIGINT or SIGTERM while the finalizer verifies the file: the first Ctrl-C
 * lets it finish (and says that a second one stops it); a second Ctrl-C, or
 * SIGTERM, stops it. Either marks the run interrupted. */
static void on_finalizer_signal(orch_t *o, orch_child_t *f, int sig, int64_t now)
{
    char prog[96];
    o->rep->interrupted = true;
    fin_progress_text(o, prog, sizeof prog);
    status_clear(&o->st);
    if (sig == SIGINT && ++o->fin_signals == 1) {
        printf("\n[h5swmr] Interrupted: the finalizer is verifying the file (%s so far) and will finish; "
               "Ctrl-C again to stop it (the file is then left unverified)\n",
               prog);
    } else {
        printf("\n[h5swmr] %s: stopping the finalizer (verified %s); the file is left unverified\n",
               sig == SIGINT ? "Interrupted again" : "Terminated", prog);
        stop_finalizer(f, now);
    }
    fflush(stdout);
}

/* SIGINT or SIGTERM to the orchestrator: the first asks every child to stop,
 * a second one skips the grace period (SIGTERM at once). While the finalizer
 * runs, on_finalizer_signal() decides. */
static void on_signals(orch_t *o, orch_child_t *kids, int n, int64_t now)
{
    orch_report_t *rep = o->rep;
    struct signalfd_siginfo si;
    while (read(o->sfd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo != SIGINT && si.ssi_signo != SIGTERM)
            continue;
        if (o->finalizing) {
            on_finalizer_signal(o, &kids[0], (int)si.ssi_signo, now);
            continue;
        }
        if (!rep->interrupted) {
            rep->interrupted = true;
            status_clear(&o->st);
            printf("\n[h5swmr] %s: stopping all processes (again to force)...\n",
                   si.ssi_signo == SIGINT ? "Interrupted" : "Terminated");
            fflush(stdout);
            for (int i = 0; i < n; i++)
                send_stop(&kids[i], now);
        } else {
            for (int i = 0; i < n; i++) {
                h5s_child_hurry(&kids[i].proc);
                note(&kids[i]);
            }
        }
    }
}

/* Waits until wake for a signal or a byte from a child, and handles what
 * came: signals, READY (GO to the readers), results, EOF. */
static void wait_events(orch_t *o, orch_child_t *kids, int n, int64_t wake)
{
    orch_report_t *rep = o->rep;
    struct pollfd pf[3 + SCN_MAX_READERS];
    int idx[3 + SCN_MAX_READERS], np = 0;
    pf[np] = (struct pollfd){.fd = o->sfd, .events = POLLIN};
    idx[np++] = -1;
    if (status_pollfd(&o->st) >= 0) { /* the processes' stdout, shown above the status line */
        pf[np] = (struct pollfd){.fd = status_pollfd(&o->st), .events = POLLIN};
        idx[np++] = -2;
    }
    for (int i = 0; i < n; i++)
        if (kids[i].st_r >= 0) {
            pf[np] = (struct pollfd){.fd = kids[i].st_r, .events = POLLIN};
            idx[np++] = i;
        }
    int64_t left = wake - h5s_now_ns();
    if (left < 0)
        left = 0;
    struct timespec ts = {left / 1000000000, left % 1000000000};
    int r = ppoll(pf, (nfds_t)np, &ts, NULL);
    int64_t now = h5s_now_ns();
    for (int k = 0; r > 0 && k < np; k++) {
        if (!(pf[k].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        if (idx[k] == -2) {
            status_pump(&o->st);
            continue;
        }
        if (idx[k] < 0) {
            on_signals(o, kids, n, now);
            continue;
        }
        orch_child_t *ch = &kids[idx[k]];
        int b = read_child(ch);
        if (b == PROTO_READY && ch->role == ROLE_WRITER && !rep->writer_ready) {
            rep->writer_ready = true;
            rep->t_ready_ns = now;
            for (int i = 1; i < n; i++)
                if (!kids[i].stop_sent_ns && kids[i].delay_s <= 0) {
                    send_ctl(&kids[i], PROTO_GO);
                    kids[i].go_sent_ns = now;
                }
        }
    }
}

/* Delayed readers: GO once their delay after READY has passed (unless they
 * were asked to stop first: they never open the file). Lowers *wake to the
 * next GO due. */
static void send_due_gos(orch_t *o, orch_child_t *kids, int n, int64_t now, int64_t *wake)
{
    for (int i = 1; i < n; i++) {
        orch_child_t *ch = &kids[i];
        if (ch->role != ROLE_READER || ch->go_sent_ns || ch->stop_sent_ns || ch->reaped || ch->delay_s <= 0)
            continue;
        int64_t at = o->rep->t_ready_ns + (int64_t)(ch->delay_s * 1e9);
        if (now >= at) {
            send_ctl(ch, PROTO_GO);
            ch->go_sent_ns = now;
        } else if (at < *wake) {
            *wake = at;
        }
    }
}

/* The finalizer has no deadline while it makes progress (bytes verified or
 * steps finished, in shared memory); after finalize_stall_s without any it
 * is stopped (SIGTERM, then SIGKILL) and that is the run's problem. Past
 * FIN_PROGRESS_NS it prints its progress every FIN_PROGRESS_NS to stderr
 * (unless quiet). Lowers *wake to the next check or line due. */
static void watch_finalizer(orch_t *o, orch_child_t *f, int64_t now, int64_t *wake)
{
    const scn_t *s = o->s;
    if (f->reaped || f->stop_sent_ns)
        return;
    uint64_t b = atomic_load(&o->shm->finalize_bytes), st = atomic_load(&o->shm->finalize_steps);
    if (b != o->fin_bytes || st != o->fin_steps) {
        o->fin_bytes = b;
        o->fin_steps = st;
        o->fin_moved_ns = now;
    }
    char prog[96];
    int64_t stall = (int64_t)(s->finalize_stall_s * 1e9);
    if (now - o->fin_moved_ns >= stall) {
        char line[300];
        fin_progress_text(o, prog, sizeof prog);
        o->rep->finalizer_stalled = true;
        snprintf(line, sizeof line,
                 "the finalizer made no progress for %g s (finalize_stall_s) after verifying %s: stopped "
                 "(SIGTERM); the file is not verified",
                 s->finalize_stall_s, prog);
        size_t l = strlen(o->rep->problem); /* after a problem of the run, if any */
        snprintf(o->rep->problem + l, sizeof o->rep->problem - l, "%s%s", l ? "; " : "", line);
        status_clear(&o->st);
        fprintf(stderr, "[h5swmr] %s\n", line);
        stop_finalizer(f, now);
        return;
    }
    if (o->fin_moved_ns + stall < *wake)
        *wake = o->fin_moved_ns + stall;
    if (s->quiet)
        return;
    if (now >= o->fin_print_ns) {
        double el = (double)(now - o->fin_begin_ns) / 1e9;
        fin_progress_text(o, prog, sizeof prog);
        status_clear(&o->st);
        if (s->verify_file)
            fprintf(stderr, "finalizer: verified %s, %.2f GB/s\n", prog, el > 0 ? (double)b / 1e9 / el : 0);
        else
            fprintf(stderr, "finalizer: rebuilding channel_summary, %.0f s\n", el);
        o->fin_printed = true;
        o->fin_print_ns = now + FIN_PROGRESS_NS;
    }
    if (o->fin_print_ns < *wake)
        *wake = o->fin_print_ns;
}

/* The event loop over a set of children until every one is reaped (or given
 * up on). The writer (if any) is children[0]. */
static void supervise(orch_t *o, orch_child_t *kids, int n, bool with_writer)
{
    for (;;) {
        int live = 0;
        for (int i = 0; i < n; i++)
            live += !kids[i].reaped && kids[i].kill_stage < H5S_CHILD_ABANDONED;
        if (!live)
            break;
        int64_t now = h5s_now_ns();
        int64_t wake = now + 1000000000LL; /* at least once a second: recheck reaping */
        if (with_writer)
            check_writer_deadline(o, kids, n, now, &wake);
        if (with_writer && o->rep->writer_ready) {
            inject_faults(o, kids, n, now, &wake);
            send_due_gos(o, kids, n, now, &wake);
        }
        if (o->finalizing)
            watch_finalizer(o, &kids[0], now, &wake);
        status_tick(&o->st, o->rep, o->shm, o->finalizing, now, &wake);
        for (int i = 0; i < n; i++) {
            int64_t e = escalate(o, &kids[i], now);
            if (e < wake)
                wake = e;
        }
        wait_events(o, kids, n, wake);
        now = h5s_now_ns();
        for (int i = 0; i < n; i++)
            reap(o, &kids[i]);
        /* the writer ended: readers catch up with what it flushed and stop */
        if (with_writer && kids[0].reaped)
            for (int i = 1; i < n; i++)
                send_stop(&kids[i], now);
    }
}

/* Blocks SIGINT, SIGTERM and SIGCHLD (seen through a signalfd from now on)
 * and maps the shared memory. Returns 0 or a negative code with err. */
static int orch_setup(orch_t *o, h5s_err_t *err)
{
    sigset_t mask;
    o->shm = mmap(NULL, sizeof *o->shm, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (o->shm == MAP_FAILED) {
        o->shm = NULL;
        return h5s_seterr(err, H5S_ESYS, "mmap: %s", strerror(errno));
    }
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGCHLD);
    if (sigprocmask(SIG_BLOCK, &mask, &o->oldmask) != 0) {
        munmap(o->shm, sizeof *o->shm);
        o->shm = NULL;
        return h5s_seterr(err, H5S_ESYS, "sigprocmask: %s", strerror(errno));
    }
    o->masked = true;
    o->sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (o->sfd < 0)
        return h5s_seterr(err, H5S_ESYS, "signalfd: %s", strerror(errno));
    return 0;
}

/* Undoes orch_setup: no pending SIGCHLD/SIGINT left to fire once unblocked
 * (an interrupt found there still counts), the mask restored, the shared
 * memory unmapped. */
static void orch_teardown(orch_t *o)
{
    if (o->sfd >= 0) {
        struct signalfd_siginfo si;
        while (read(o->sfd, &si, sizeof si) == (ssize_t)sizeof si)
            if ((si.ssi_signo == SIGINT || si.ssi_signo == SIGTERM) && !o->rep->interrupted)
                o->rep->interrupted = true;
        close(o->sfd);
    }
    if (o->masked)
        sigprocmask(SIG_SETMASK, &o->oldmask, NULL);
    if (o->shm)
        munmap(o->shm, sizeof *o->shm);
}

/* Forks the writer and the readers. A reader that cannot be forked stops the
 * others (the run goes on to reap them) and is recorded as the problem.
 * Returns 0, or a negative code with err when not even the writer started. */
static int spawn_all(orch_t *o, h5s_err_t *err)
{
    orch_report_t *rep = o->rep;
    int rc, n = 1 + (int)o->s->readers;
    if ((rc = spawn(o, &rep->children[0], ROLE_WRITER, 0, writer_main, err)) < 0)
        return rc;
    rep->nchildren = 1;
    for (int i = 1; i < n; i++) {
        if (spawn(o, &rep->children[i], ROLE_READER, i, reader_main, err) == 0)
            rep->children[i].delay_s = scn_reader_delay(o->s, i - 1);
        else {
            snprintf(rep->problem, sizeof rep->problem, "%.500s", err->msg);
            for (int k = 0; k < rep->nchildren; k++)
                send_stop(&rep->children[k], h5s_now_ns());
            break;
        }
        rep->nchildren++;
    }
    return 0;
}

/* Without a finalizer (which checks for itself): whether the file this
 * run's writer created is still at its path; if not, and it held flushed
 * data, the run says so in its problem and counts that data as missing. */
static void check_file_kept(orch_t *o)
{
    orch_report_t *rep = o->rep;
    if (rep->has_finalizer || !atomic_load(&o->shm->file_made))
        return;
    struct stat st;
    bool gone = lstat(o->file, &st) != 0;
    if (!gone && (uint64_t)st.st_dev == atomic_load(&o->shm->file_dev) &&
        (uint64_t)st.st_ino == atomic_load(&o->shm->file_ino))
        return;
    uint64_t flushed = atomic_load(&o->shm->samples);
    const orch_child_t *wr = &rep->children[0];
    bool had_data = flushed > 0 || atomic_load(&o->shm->runs) > 0 || (wr->has_result && wr->res.flushes > 0);
    char what[96] = "";
    if (flushed)
        snprintf(what, sizeof what, ": the %llu flushed samples per channel are not there",
                 (unsigned long long)flushed);
    else if (had_data)
        snprintf(what, sizeof what, ": what its writer flushed is not there");
    size_t l = strlen(rep->problem);
    snprintf(rep->problem + l, sizeof rep->problem - l, "%sthe data file was %s during the run%s", l ? "; " : "",
             gone ? "deleted" : "replaced", what);
    rep->file_gone = had_data;
}

/* After writer and readers: the finalizer (recovery, verification, summary
 * table), only for a file this run's writer held in SWMR mode - a writer
 * refused by the file (another writer's, or one left by a dead writer) never
 * lets its run touch it - and the recovery advice for people. */
static void finish_file(orch_t *o, h5s_err_t *err)
{
    orch_report_t *rep = o->rep;
    const scn_t *s = o->s;
    orch_child_t *wr = &rep->children[0];
    bool writer_clean = WIFEXITED(wr->status) && WEXITSTATUS(wr->status) == 0;
    bool held = atomic_load(&o->shm->held_swmr) != 0;
    o->recover = !writer_clean && held;
    /* the file is complete only once a non-SWMR open rebuilds its summary table */
    if (s->finalize && s->writer_mode == SCN_MODE_SWMR && held &&
        spawn(o, &rep->finalizer, ROLE_FINALIZER, 0, finalizer_main, err) == 0) {
        rep->has_finalizer = true;
        /* bounded by its progress (watch_finalizer), not by a fixed deadline */
        o->finalizing = true;
        o->fin_begin_ns = o->fin_moved_ns = h5s_now_ns();
        o->fin_print_ns = o->fin_begin_ns + FIN_PROGRESS_NS;
        supervise(o, &rep->finalizer, 1, false);
        o->finalizing = false;
        const proto_result_t *fr = &rep->finalizer.res;
        if (o->fin_printed && s->verify_file && rep->finalizer.has_result && fr->t_end_ns > fr->t_start_ns) {
            double el = (double)(fr->t_end_ns - fr->t_start_ns) / 1e9;
            status_clear(&o->st);
            fprintf(stderr, "finalizer: verified %.1f GB in %.1f s, %.2f GB/s\n", (double)fr->bytes / 1e9, el,
                    (double)fr->bytes / 1e9 / el);
        }
    }
    check_file_kept(o);
    rep->t_end_ns = h5s_now_ns();
    if (s->writer_mode != SCN_MODE_SWMR || !o->recover)
        return;
    if (rep->has_finalizer && rep->finalizer.has_result && (rep->finalizer.res.recovery & PROTO_RECOVERY_FILE_GONE))
        return; /* the writer's file is not there: no advice for whatever is */
    char st[64];
    orch_status_text(wr->status, st, sizeof st);
    bool cleared =
        rep->has_finalizer && rep->finalizer.has_result && (rep->finalizer.res.recovery & PROTO_RECOVERY_CLEARED);
    snprintf(rep->recovery, sizeof rep->recovery,
             cleared ? "the writer ended in SWMR mode without closing the file (%s): 'h5clear -s "
                       "--increment=0' was needed to open it normally again (done after the run). Plain "
                       "'h5clear -s' would truncate it to its stale end-of-allocation and lose the SWMR data"
                     : "the writer ended in SWMR mode without closing the file (%s): SWMR readers can still "
                       "open it; before a normal open run 'h5clear -s --increment=0 %.300s' (plain 'h5clear -s' "
                       "truncates it to its stale end-of-allocation and loses the SWMR data)",
             st, rep->file);
}

/* One child's exit code as the run counts it: injected faults and their
 * accepted consequences count as OK; a reader's crash outside HDF5 becomes
 * the run's problem. */
static int child_outcome(orch_report_t *rep, const orch_child_t *ch)
{
    const scn_t *s = &rep->scn;
    int code = WIFEXITED(ch->status) ? WEXITSTATUS(ch->status) : EXIT_FAIL;
    if (ch->fault_killed && WIFSIGNALED(ch->status) && WTERMSIG(ch->status) == SIGKILL)
        code = EXIT_OK; /* the injected fault itself; its consequences are judged */
    if (ch->died_in_walk && s->workload == SCN_STRUCTURE)
        code = EXIT_OK; /* HDF5 crashed on objects created in SWMR mode: reported, not ours */
    if ((ch->crash == ORCH_CRASH_OWN || ch->crash == ORCH_CRASH_UNKNOWN) && !rep->problem[0]) {
        char st[64];
        orch_status_text(ch->status, st, sizeof st);
        snprintf(rep->problem, sizeof rep->problem, "reader %d crashed %s (%s): %s", ch->index,
                 orch_crash_text(ch->crash), st,
                 ch->crash == ORCH_CRASH_OWN ? "a failure of h5swmr, not HDF5's" : "counted as a failure");
    }
    if (ch->role == ROLE_WRITER && s->writer_fsize_limit_mb > 0 && code == EXIT_FAIL && ch->has_result &&
        ch->res.cause == H5S_CAUSE_FILE_TOO_LARGE)
        code = EXIT_OK; /* the file-size limit was reached, as injected */
    if (ch->role == ROLE_READER && rep->interrupted && !rep->writer_ready && code == EXIT_FAIL)
        code = EXIT_OK; /* stopped before READY because the user asked */
    if (orch_stopped_before_delay(rep, ch) && code == EXIT_FAIL)
        code = EXIT_OK; /* the run ended before its start delay did: it never opened the file, by design */
    if (code != EXIT_OK && code != EXIT_VERIFY && faults_excused(rep, ch))
        code = EXIT_OK; /* it failed after the injected overwrite: reported (faults), expected */
    return code;
}

/* The run's outcome: the worst of the children (bad data above all), the
 * finalizer's, a problem of the orchestrator's own; interrupted runs 130. */
static void judge(orch_report_t *rep)
{
    int worst = EXIT_OK;
    for (int i = 0; i < rep->nchildren; i++) {
        int code = child_outcome(rep, &rep->children[i]);
        if (code == EXIT_VERIFY || (code != EXIT_OK && worst == EXIT_OK))
            worst = code;
    }
    const orch_child_t *f = &rep->finalizer;
    if (rep->has_finalizer && !(WIFEXITED(f->status) && WEXITSTATUS(f->status) == 0)) {
        if (WIFEXITED(f->status) && WEXITSTATUS(f->status) == EXIT_VERIFY)
            worst = EXIT_VERIFY;
        else if (worst == EXIT_OK && !faults_excused(rep, f))
            worst = EXIT_FAIL;
    }
    if (rep->file_gone)
        worst = EXIT_VERIFY; /* flushed data missing */
    if (rep->problem[0] && worst == EXIT_OK)
        worst = EXIT_FAIL;
    rep->exit_code = rep->interrupted && worst != EXIT_VERIFY ? 130 : worst;
}

/* The faults in force from the start, in the report's list: the writer's
 * file-size limit, the reader that opens before READY. */
static void note_static_faults(orch_t *o)
{
    char what[200];
    if (o->s->writer_fsize_limit_mb > 0) {
        snprintf(what, sizeof what,
                 "the writer's file-size limit (RLIMIT_FSIZE, a full disk) of %g MB once in SWMR mode",
                 o->s->writer_fsize_limit_mb);
        faults_add(&o->rep->fx, FAULT_FSIZE_LIMIT, 0, 0, 0, what);
    }
    if (o->s->early_reader && o->rep->nchildren > 1)
        faults_add(&o->rep->fx, FAULT_EARLY_READER, 0, 0, 1, "reader 1 opens the file before the writer's READY");
}

int orch_run(const scn_t *s, const char *file, const char *run_dir, orch_report_t *rep, h5s_err_t *err)
{
    return orch_run_live(s, file, run_dir, NULL, rep, err);
}

int orch_run_live(const scn_t *s, const char *file, const char *run_dir, const status_outer_t *outer,
                  orch_report_t *rep, h5s_err_t *err)
{
    orch_t o = {.s = s, .file = file, .run_dir = run_dir, .rep = rep, .sfd = -1};
    memset(rep, 0, sizeof *rep);
    faults_init(&rep->fx);
    rep->scn = *s;
    snprintf(rep->file, sizeof rep->file, "%s", file);
    int rc = status_begin(&o.st, s, outer, err);
    if (rc == 0)
        rc = orch_setup(&o, err);
    if (rc == 0) {
        void (*oldpipe)(int) = signal(SIGPIPE, SIG_IGN);
        rep->t_begin_ns = h5s_now_ns();
        if ((rc = spawn_all(&o, err)) == 0) {
            note_static_faults(&o);
            supervise(&o, rep->children, rep->nchildren, true);
            finish_file(&o, err);
            faults_after_run(&rep->fx, o.shm, file);
            faults_react(rep);
            judge(rep);
        }
        signal(SIGPIPE, oldpipe);
    }
    status_end(&o.st, rep, o.shm);
    orch_teardown(&o);
    return rc;
}
