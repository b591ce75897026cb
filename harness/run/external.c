/* external.c - the adapter that makes an external program a measured reader.
 *
 * It runs in the forked reader child (reader_main dispatches here for every
 * reader_kind but h5swmr): it waits for GO like h5swmr's own reader, starts
 * the client without a shell (its own process group, SIGKILLed should the
 * adapter die), reads the client's stdout line by line - the line protocol
 * of docs/external-readers.md:
 *
 *     T_NS DATASET_PATH SAMPLES [ok|bad=INDEX]
 *
 * - matches the first channel's observations with the writer's flush records
 * for lag per flushed block, as the C reader does (lag.h), and on STOP ends
 * the client (SIGTERM, its last lines until EOF within half of stop_timeout,
 * then SIGKILL) and sends one result record. Whatever the client does wrong (cannot be run, exits
 * early, prints nothing or garbage, ignores SIGTERM) becomes one line in the
 * result's msg; the other readers are not affected. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "cli.h"
#include "client_proc.h"
#include "cmdline.h"
#include "faults.h"
#include "lag.h"
#include "orch.h"
#include "paths.h"
#include "proto.h"
#include "util.h"

#define X_MAX_ARGS (CMDL_MAX_WORDS + 1)
#define X_LINE_MAX 8192
#define X_MAX_DATASETS 4096

/* One dataset the client reported on. */
typedef struct xds {
    char *path;
    uint64_t samples;  /* the last SAMPLES reported */
    uint64_t verified; /* samples up to which the client said ok */
    uint64_t line;     /* the line that first reported the last SAMPLES */
} xds_t;

typedef struct xstate {
    const role_ctx_t *c;
    const scn_t *s;
    scn_reader_kind_t kind;
    char name[48];  /* "Reader N (name)": how it signs its narration (name: scn_reader_name) */
    char who[56];   /* "external reader N (name)": how its messages start */
    char what[160]; /* the client's name, for messages */
    char prog[160]; /* the program run (argv[0]), for the messages about running it */
    char first_path[512];
    proto_result_t r;
    lag_t lag;           /* lag per flushed block of the first channel (lag.h) */
    long client_rss_end; /* the client's resident KiB when STOP came, 0 if not measured */
    uint64_t obs;        /* observation lines */
    uint64_t line_no;    /* lines read, comments included */
    uint64_t min_bad;    /* the lowest bad index reported, UINT64_MAX if none */
    xds_t *ds;
    size_t nds;
    FILE *log;
    h5s_child_t child;
    bool spawned, reaped_seen, eof, stopping, killed, exec_failed;
    int out_fd, exec_fd;
    int64_t t_spawn_ns, t_reaped_ns, t_stop_ns, stop_deadline;
    char buf[X_LINE_MAX];
    size_t blen;
    bool skipping; /* inside an over-long line: dropped up to its newline */
    char stderr_path[4200];
    cproc_log_t elog; /* the client's stderr, bounded */
    bool have_elog;
    char fail[400]; /* the first failure, "" if none */
    bool verdicts;  /* the client gave at least one verdict */
} xstate_t;

/* The client's process group for the SIGTERM handler (0: none alive). */
static volatile sig_atomic_t g_client_group;

/* The orchestrator's SIGTERM (it gave up waiting): the client's whole group
 * goes with the adapter, then the adapter dies of the signal as before. */
static void on_term(int sig)
{
    if (g_client_group > 0)
        kill(-(pid_t)g_client_group, SIGKILL);
    /* and whatever it started elsewhere (this process is their subreaper) */
    cproc_end_descendants(h5s_now_ns() + 1000000000LL);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Records the first failure (printf-style, after "external reader N (kind): "),
 * made one line. Later failures only count. */
static void xfail(xstate_t *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void xfail(xstate_t *x, const char *fmt, ...)
{
    x->r.errors++;
    proto_error_seen(x->c->shm, x->c->index);
    if (x->fail[0])
        return;
    char m[360];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    snprintf(x->fail, sizeof x->fail, "%.47s: %.340s", x->who, m);
    cli_one_line(x->fail);
}

/* A copy of text for a message: at most 60 bytes, cut on a character, one
 * line of printable text. */
static void excerpt(const char *text, char *out, size_t cap)
{
    size_t n = cli_utf8_cut(text, 60);
    snprintf(out, cap, "%.*s%s", (int)n, text, text[n] ? "..." : "");
    cli_one_line(out);
}

/* ---- the command line ---------------------------------------------------- */

/* Splits cmd into argv (cmdl_split: words, placeholders replaced; malloc'd
 * strings, NULL-terminated). Returns the count, or -1 with a failure. */
static int split_cmd(xstate_t *x, const char *self, const char *cmd, char **argv)
{
    const cmdl_vars_t v = {
        .file = x->c->file, .self = self, .poll_ms = x->s->poll_ms, .index = x->c->index, .verify = x->s->verify};
    char why[400];
    int n = cmdl_split(cmd, &v, argv, why, sizeof why);
    if (n < 0)
        xfail(x, "reader_cmd: %s", why);
    return n;
}

/* Builds the client's argv by kind. Returns the count or -1 with a failure. */
static int build_argv(xstate_t *x, char **argv)
{
    char self[PATH_MAX] = "h5swmr";
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    if (sl > 0)
        self[sl] = '\0';
    const scn_t *s = x->s;
    char cmd[3 * SCN_PATH];
    switch (x->kind) {
    case SCN_KIND_H5PY: {
        char script[4096], tried[2048];
        if (h5s_data_path("harness/clients/h5py_reader.py", script, sizeof script, tried, sizeof tried) < 0) {
            xfail(x, "cannot find the client harness/clients/h5py_reader.py (looked in %.250s)", tried);
            return -1;
        }
        snprintf(cmd, sizeof cmd, "'%.1000s' '%.1900s' --poll-ms {poll_ms}%s%s", s->reader_python, script,
                 s->verify ? "" : " --no-verify", s->read_summary_table ? " --summary" : "");
        break;
    }
    case SCN_KIND_WATCH:
        snprintf(cmd, sizeof cmd, "{h5swmr} watch {file} --protocol --interval {poll_s}%s",
                 s->verify ? "" : " --no-verify");
        break;
    default: snprintf(cmd, sizeof cmd, "%s", s->reader_cmd); break;
    }
    int n = split_cmd(x, self, cmd, argv);
    if (n > 0) {
        snprintf(x->prog, sizeof x->prog, "%.150s", argv[0]);
        cli_one_line(x->prog);
    }
    return n;
}

/* ---- starting and ending the client --------------------------------------- */

/* In the forked child: stdin from /dev/null, stdout to the pipe, stderr to
 * the log's pipe (or inherited), the exec-error pipe on fd 3 (close-on-exec),
 * nothing else open; no signal blocked or ignored; then the program. On
 * failure writes errno to fd 3 and exits 127. Never returns. */
__attribute__((noreturn)) static void client_exec(char **argv, int out_w, int log_w, int err_w)
{
    /* a client starts as a program started from a shell would: no signal
     * blocked (a sweep's orchestrator blocks SIGTERM for its signalfd, and a
     * mask survives exec), none ignored */
    static const int sigs[] = {SIGINT, SIGPIPE, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (in >= 0)
        dup2(in, 0);
    dup2(out_w, 1);
    if (log_w >= 0)
        dup2(log_w, 2);
    if (err_w != 3 && dup3(err_w, 3, O_CLOEXEC) < 0)
        _exit(127);
    close_range(4, ~0U, 0);
    execvp(argv[0], argv);
    int e = errno;
    if (write(3, &e, sizeof e) != (ssize_t)sizeof e) {
        /* nothing more to tell */
    }
    _exit(127);
}

/* Sets the environment the client inherits. */
static void client_env(const xstate_t *x)
{
    char v[64];
    setenv("H5SWMR_FILE", x->c->file, 1);
    snprintf(v, sizeof v, "%g", x->s->poll_ms);
    setenv("H5SWMR_POLL_MS", v, 1);
    snprintf(v, sizeof v, "%d", x->c->index);
    setenv("H5SWMR_READER_INDEX", v, 1);
    setenv("H5SWMR_FIRST_CHANNEL", x->first_path, 1);
    setenv("H5SWMR_VERIFY", x->s->verify ? "1" : "0", 1);
    setenv("PYTHONUNBUFFERED", "1", 1);
}

/* Starts the client. Returns 0 or -1 with a failure. */
static int client_start(xstate_t *x, char **argv)
{
    int outp[2], errp[2];
    if (pipe2(outp, O_CLOEXEC) != 0)
        return xfail(x, "pipe: %s", strerror(errno)), -1;
    if (pipe2(errp, O_CLOEXEC) != 0) {
        close(outp[0]);
        close(outp[1]);
        return xfail(x, "pipe: %s", strerror(errno)), -1;
    }
    /* stderr through a pipe into a bounded log (a missing log: kept in memory) */
    int log_w = -1;
    x->have_elog = cproc_log_open(&x->elog, x->stderr_path[0] ? x->stderr_path : NULL, &log_w) == 0 ||
                   cproc_log_open(&x->elog, NULL, &log_w) == 0;
    client_env(x);
    h5s_child_opts_t o = {.pdeathsig = SIGKILL, .own_group = true};
    h5s_err_t err;
    x->t_spawn_ns = h5s_now_ns();
    pid_t pid = h5s_child_spawn(&x->child, &o, &err);
    if (pid == 0)
        client_exec(argv, outp[1], log_w, errp[1]);
    close(outp[1]);
    close(errp[1]);
    if (log_w >= 0)
        close(log_w);
    if (pid < 0) {
        close(outp[0]);
        close(errp[0]);
        if (x->have_elog)
            cproc_log_close(&x->elog);
        x->have_elog = false;
        return xfail(x, "%s", err.msg), -1;
    }
    g_client_group = pid;
    x->spawned = true;
    x->out_fd = outp[0];
    x->exec_fd = errp[0];
    fcntl(x->out_fd, F_SETFL, O_NONBLOCK);
    x->r.t_open_ns = x->t_spawn_ns;
    return 0;
}

/* The last non-blank line of the client's stderr, for messages. */
static void stderr_tail(const xstate_t *x, char *out, size_t cap)
{
    char line[512];
    out[0] = '\0';
    if (!x->have_elog)
        return;
    cproc_log_tail(&x->elog, line, sizeof line);
    if (line[0])
        excerpt(line, out, cap);
}

/* How the client ended, for messages: "exited with status 1" or "was
 * killed by signal 9 (Killed)". */
static void ended_text(int status, char *out, size_t cap)
{
    if (WIFEXITED(status))
        snprintf(out, cap, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(out, cap, "was killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(out, cap, "ended (wait status %d)", status);
}

/* ---- the line protocol ---------------------------------------------------- */

/* The dataset record for path, added on first sight; NULL when too many. */
static xds_t *dataset(xstate_t *x, const char *path)
{
    for (size_t i = 0; i < x->nds; i++)
        if (!strcmp(x->ds[i].path, path))
            return &x->ds[i];
    if (x->nds == X_MAX_DATASETS)
        return NULL;
    if (x->nds % 64 == 0) {
        void *p = realloc(x->ds, (x->nds + 64) * sizeof *x->ds);
        if (!p)
            return NULL;
        x->ds = p;
    }
    xds_t *d = &x->ds[x->nds];
    if (!(d->path = strdup(path)))
        return NULL;
    d->samples = d->verified = 0;
    x->nds++;
    return d;
}

/* a + b, or UINT64_MAX when that does not fit: counts a client reports
 * never wrap. */
static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Reads a whole unsigned decimal number; false if text is anything else. */
static bool parse_u64(const char *text, uint64_t *v)
{
    if (*text < '0' || *text > '9')
        return false;
    errno = 0;
    char *end;
    unsigned long long u = strtoull(text, &end, 10);
    if (errno || *end)
        return false;
    *v = u;
    return true;
}

/* Handles one line of the client's stdout (without its newline). */
static void on_line(xstate_t *x, char *line)
{
    x->line_no++;
    size_t len = strlen(line);
    if (len && line[len - 1] == '\r')
        line[--len] = '\0';
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p || *p == '#')
        return;
    char orig[96];
    excerpt(line, orig, sizeof orig);
    char *save = NULL, *tok[5] = {0};
    int n = 0;
    for (char *t = strtok_r(line, " \t", &save); t && n < 5; t = strtok_r(NULL, " \t", &save))
        tok[n++] = t;
    uint64_t t_ns, samples, bad = 0;
    bool ok = false, isbad = false;
    if (n >= 4)
        ok = !strcmp(tok[3], "ok"), isbad = !strncmp(tok[3], "bad=", 4) && parse_u64(tok[3] + 4, &bad);
    if (n < 3 || n > 4 || (n == 4 && !ok && !isbad) || !parse_u64(tok[0], &t_ns) || t_ns > INT64_MAX ||
        tok[1][0] != '/' || !parse_u64(tok[2], &samples)) {
        xfail(x, "line %llu is not 'T_NS PATH SAMPLES [ok|bad=I]': \"%s\"", (unsigned long long)x->line_no, orig);
        return;
    }
    if (isbad && bad >= samples) {
        xfail(x, "line %llu: bad=%llu is not one of the %llu samples it reports: \"%s\"",
              (unsigned long long)x->line_no, (unsigned long long)bad, (unsigned long long)samples, orig);
        return;
    }
    int64_t now = h5s_now_ns(), t = (int64_t)t_ns;
    if (t > now) {
        xfail(x, "line %llu: T_NS %lld is in the future (now %lld on CLOCK_MONOTONIC): \"%s\"",
              (unsigned long long)x->line_no, (long long)t, (long long)now, orig);
        return;
    }
    if (t < x->t_spawn_ns) {
        xfail(x, "line %llu: T_NS %lld is before the client was started (%lld; CLOCK_MONOTONIC ns expected): \"%s\"",
              (unsigned long long)x->line_no, (long long)t, (long long)x->t_spawn_ns, orig);
        return;
    }
    xds_t *d = dataset(x, tok[1]);
    if (!d) {
        xfail(x, "line %llu: more than %d datasets", (unsigned long long)x->line_no, X_MAX_DATASETS);
        return;
    }
    if (samples < d->samples) {
        xfail(x, "line %llu: SAMPLES of %.200s went back from %llu to %llu", (unsigned long long)x->line_no, d->path,
              (unsigned long long)d->samples, (unsigned long long)samples);
        return;
    }
    x->obs++;
    proto_progress(x->c->shm, x->c->index, 0);
    x->r.polls++;
    if (x->s->measure)
        lag_begin(&x->lag, t); /* the first observation line, of any dataset, starts the warm-up */
    bool grew = samples > d->samples;
    if (grew || !d->line)
        d->line = x->line_no;
    d->samples = samples;
    if (ok || isbad) {
        x->verdicts = true;
        x->r.updates++;
    }
    if (ok && samples > d->verified)
        d->verified = samples; /* summed at the end (count_samples) */
    if (isbad) {
        x->r.mismatches++;
        if (bad < x->min_bad)
            x->min_bad = bad;
        if (!x->r.msg[0])
            snprintf(x->r.msg, sizeof x->r.msg, "%s: %.250s[%llu] is wrong (the client's verdict, line %llu)", x->who,
                     d->path, (unsigned long long)bad, (unsigned long long)x->line_no);
    }
    if (grew && !strcmp(d->path, x->first_path))
        proto_seen(x->c->shm, x->c->index, samples);
    if (grew && !strcmp(d->path, x->first_path) && x->s->measure)
        lag_observe(&x->lag, samples, t);
}

/* Reads what the client's stdout holds now and handles its whole lines.
 * Sets eof at the end of the stream. */
static void read_out(xstate_t *x)
{
    for (int rounds = 0; rounds < 64; rounds++) {
        ssize_t got = read(x->out_fd, x->buf + x->blen, sizeof x->buf - 1 - x->blen);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN)
                x->eof = true;
            return;
        }
        if (got == 0) {
            if (x->blen && !x->skipping) { /* a last line without its newline */
                x->buf[x->blen] = '\0';
                on_line(x, x->buf);
            }
            x->blen = 0;
            x->eof = true;
            return;
        }
        x->blen += (size_t)got;
        size_t start = 0;
        for (size_t i = 0; i < x->blen; i++) {
            if (x->buf[i] != '\n')
                continue;
            x->buf[i] = '\0';
            if (x->skipping)
                x->skipping = false;
            else
                on_line(x, x->buf + start);
            start = i + 1;
        }
        memmove(x->buf, x->buf + start, x->blen - start);
        x->blen -= start;
        if (x->blen == sizeof x->buf - 1) {
            x->buf[60] = '\0';
            if (!x->skipping) {
                x->line_no++;
                xfail(x, "line %llu is longer than %d bytes: \"%s...\"", (unsigned long long)x->line_no, X_LINE_MAX - 1,
                      x->buf);
            }
            x->skipping = true;
            x->blen = 0;
        }
    }
}

/* Reads the exec-error pipe: errno from a failed exec, or EOF once the
 * program runs. */
static void read_exec(xstate_t *x)
{
    int e = 0;
    ssize_t got = read(x->exec_fd, &e, sizeof e);
    if (got < 0 && errno == EINTR)
        return;
    if (got == (ssize_t)sizeof e) {
        x->exec_failed = true;
        xfail(x, "could not run '%s': %s", x->prog, strerror(e));
    }
    close(x->exec_fd);
    x->exec_fd = -1;
}

/* Begins the stop: SIGTERM to the client's group and to every other process
 * it started (in a group or session of its own), and half of stop_timeout
 * for its last lines. */
static void begin_stop(xstate_t *x)
{
    if (x->stopping)
        return;
    x->stopping = true;
    x->stop_deadline = h5s_now_ns() + (int64_t)(x->s->stop_timeout_s * 0.5e9);
    /* lines timed from now on are its final poll */
    x->t_stop_ns = h5s_now_ns();
    lag_stop(&x->lag, x->t_stop_ns);
    if (!x->reaped_seen) /* the client's memory at the end of its watch, before it is asked to stop */
        x->client_rss_end = h5s_rss_kb(x->child.pid);
    h5s_child_hurry(&x->child);
    cproc_signal_descendants(SIGTERM, x->child.pid); /* its group has it already */
}

/* Follows the client until STOP (or EOF on the control pipe) and its end,
 * or until it ends on its own. */
static void follow(xstate_t *x)
{
    bool ctl_open = true;
    for (;;) {
        int64_t now = h5s_now_ns();
        if (!x->reaped_seen && h5s_child_reap(&x->child)) {
            x->reaped_seen = true;
            x->t_reaped_ns = now;
        }
        if (x->stopping && ((x->eof && x->reaped_seen) || now >= x->stop_deadline))
            return;
        /* the client's resident memory once settled (rss_settle_s after it started) */
        if (!x->reaped_seen && x->r.rss_settled_kb == 0 && now - x->t_spawn_ns >= (int64_t)(x->s->rss_settle_s * 1e9)) {
            x->r.rss_settled_kb = h5s_rss_kb(x->child.pid);
            x->r.rss_settle_s = x->s->rss_settle_s;
        }
        /* ended on its own: its last lines are read (or a second passes,
         * when something it started holds the pipe) */
        if (!x->stopping && x->reaped_seen && x->exec_fd < 0 && (x->eof || now - x->t_reaped_ns > 1000000000LL))
            return;
        cproc_reap_orphans(x->child.pid); /* what it started and left, reparented here */
        struct pollfd pf[4];
        int n = 0, ic = -1, io = -1, ie = -1, il = -1;
        if (ctl_open && !x->stopping)
            pf[ic = n++] = (struct pollfd){.fd = x->c->ctl_fd, .events = POLLIN};
        if (!x->eof)
            pf[io = n++] = (struct pollfd){.fd = x->out_fd, .events = POLLIN};
        if (x->exec_fd >= 0)
            pf[ie = n++] = (struct pollfd){.fd = x->exec_fd, .events = POLLIN};
        if (x->have_elog && x->elog.fd >= 0)
            pf[il = n++] = (struct pollfd){.fd = x->elog.fd, .events = POLLIN};
        int64_t wait_ns = x->reaped_seen ? 10000000 : 50000000;
        if (x->stopping && x->stop_deadline - now < wait_ns)
            wait_ns = x->stop_deadline - now;
        int timeout = (int)(wait_ns / 1000000) + 1;
        int r = poll(pf, (nfds_t)n, timeout);
        if (r < 0 && errno != EINTR)
            return;
        if (r <= 0)
            continue;
        if (ie >= 0 && pf[ie].revents)
            read_exec(x);
        if (io >= 0 && pf[io].revents)
            read_out(x);
        if (il >= 0 && pf[il].revents)
            cproc_log_read(&x->elog);
        if (ic >= 0 && pf[ic].revents) {
            int b = proto_wait_ctl(x->c, h5s_now_ns());
            if (b < 0)
                ctl_open = false;
            if (b == PROTO_STOP || b < 0)
                begin_stop(x);
        }
    }
}

/* Ends what is left of the client: SIGKILL when it outlived its time,
 * a bounded reap, every process it started (in its group or not) killed and
 * reaped, its last readable lines, its stderr log completed, and the
 * messages of how it ended. */
static void client_end(xstate_t *x)
{
    char kern[32] = "";
    if (!x->child.reaped) {
        faults_kernel_text(x->child.pid, kern, sizeof kern); /* what it is stuck in, if it is */
        x->killed = true;
        h5s_child_signal(&x->child, SIGKILL);
        x->child.stage = H5S_CHILD_KILLED;
        if (h5s_child_wait(&x->child, h5s_now_ns() + 2000000000LL) != 1)
            xfail(x, "'%s' did not end even after SIGKILL (pid %d abandoned)", x->what, (int)x->child.pid);
    }
    /* whatever it started and left behind (holding the pipes or the file),
     * found as descendants of this process, their subreaper */
    int left = cproc_end_descendants(h5s_now_ns() + 2000000000LL);
    g_client_group = 0;
    if (!x->eof)
        read_out(x);
    if (x->have_elog && cproc_log_close(&x->elog) != 0)
        xfail(x, "writing %s failed: %s", x->stderr_path, strerror(errno));
    char how[96], tail[96];
    ended_text(x->child.status, how, sizeof how);
    stderr_tail(x, tail, sizeof tail);
    char tailmsg[128] = "";
    if (tail[0])
        snprintf(tailmsg, sizeof tailmsg, "; its stderr ends: \"%s\"", tail);
    int code = h5s_child_exit_code(x->child.status);
    if (x->exec_failed) {
        /* said already */
    } else if (x->killed && x->stopping) {
        int64_t last = atomic_load(&x->c->shm->progress[x->c->index].t_progress_ns);
        char since[200] = "";
        if (kern[0])
            snprintf(since, sizeof since, " (%s in the kernel, its last observation line %.1f s before%s)", kern,
                     last ? (double)(h5s_now_ns() - last) / 1e9 : (double)(h5s_now_ns() - x->t_spawn_ns) / 1e9,
                     strcmp(kern, "clock_nanosleep") ? "" : ": as in HDF5's metadata read retries");
        xfail(x, "'%s' ignored SIGTERM: still running %.1f s after it%s, killed with SIGKILL", x->what,
              x->s->stop_timeout_s * 0.5, since);
    } else if (!x->stopping) {
        xfail(x, "'%s' %s before STOP, %.1f s after it started%s", x->what, how,
              (double)(x->t_reaped_ns - x->t_spawn_ns) / 1e9, tailmsg);
    } else if (code != 0 && code != 128 + SIGTERM) {
        xfail(x, "'%s' %s when asked to stop (SIGTERM)%s", x->what, how, tailmsg);
    }
    if (x->obs == 0 && !x->fail[0]) {
        /* asked to stop before it printed its first observation (a slow start:
         * importing a large package takes seconds), and it stopped as asked */
        x->r.stopped_before_observing = true;
        snprintf(x->r.observation, sizeof x->r.observation,
                 "stopped before it started observing: STOP came %.1f s after '%.150s' was started, before its "
                 "first observation line%s",
                 (double)(x->t_stop_ns - x->t_spawn_ns) / 1e9, x->what,
                 x->line_no ? " (it printed only comments)" : "");
        h5s_say(x->s->quiet, x->name, "%s", x->r.observation);
    }
    if (left)
        xfail(x, "%d process%s started by '%s' did not end even after SIGKILL (abandoned)", left, left == 1 ? "" : "es",
              x->what);
}

/* ---- the role ------------------------------------------------------------- */

/* Sets up the adapter's state for reader c->index of kind kind. */
static void x_init(xstate_t *x, const role_ctx_t *c, scn_reader_kind_t kind)
{
    const scn_t *s = c->scn;
    memset(x, 0, sizeof *x);
    x->c = c;
    x->s = s;
    x->kind = kind;
    x->out_fd = x->exec_fd = -1;
    x->min_bad = UINT64_MAX;
    lag_init(&x->lag, s, c->shm, c->index, NULL);
    char nm[SCN_STR];
    scn_reader_name(s, c->index - 1, nm, sizeof nm);
    snprintf(x->name, sizeof x->name, "Reader %d (%.30s)", c->index, nm);
    snprintf(x->who, sizeof x->who, "external reader %d (%.30s)", c->index, nm);
    snprintf(x->what, sizeof x->what, "%.30s", nm);
    snprintf(x->prog, sizeof x->prog, "%s", scn_reader_kind_name(kind));
    x->r.role = ROLE_READER;
    x->r.index = c->index;
    x->r.table_samples = -1;
    x->r.t_start_ns = h5s_now_ns();
    snprintf(x->r.strategy, sizeof x->r.strategy, "external"); /* the kind is the report's kind column */
    char items[1][SCN_STR];
    scn_channel_names(s, items, 1);
    snprintf(x->first_path, sizeof x->first_path, "/Experiment/Surveys/%.63s/Stations/%.63s/%.63s/%.63s", s->survey,
             s->station, s->run, items[0]);
    if (c->run_dir)
        snprintf(x->stderr_path, sizeof x->stderr_path, "%s/client_reader%d.log", c->run_dir, c->index);
}

/* Waits for GO and opens the raw lag log. Returns 0, or -1 with a failure
 * (timeout: *timed_out). */
static int x_start(xstate_t *x, bool *timed_out)
{
    h5s_say(x->s->quiet, x->name, "Starting, waiting for the writer's READY...");
    int b = proto_wait_ctl(x->c, h5s_now_ns() + (int64_t)(x->s->ready_timeout_s * 1e9));
    if (b == 0) {
        *timed_out = true;
        return xfail(x, "no READY from the writer within %g s", x->s->ready_timeout_s), -1;
    }
    if (b != PROTO_GO && b > 0 && atomic_load(&x->c->shm->t_ready_ns) != 0) {
        /* the writer was ready: a start delay (reader_delay_s) outlasted the run */
        snprintf(x->r.observation, sizeof x->r.observation, "stopped before its start delay ended");
        return 1;
    }
    if (b != PROTO_GO)
        return xfail(x, "stopped before the writer was ready"), -1;
    x->r.t_ready_ns = atomic_load(&x->c->shm->t_ready_ns);
    if (x->s->raw_logs && x->c->run_dir) {
        char lp[4200];
        snprintf(lp, sizeof lp, "%s/lag_reader%d.csv", x->c->run_dir, x->c->index);
        if (!(x->log = fopen(lp, "wx")))
            return xfail(x, "%s: %s", lp, strerror(errno)), -1;
        fprintf(x->log, "reader,seq,samples,t_seen_ns,lag_ns,e2e_ns\n");
        x->lag.log = x->log;
    }
    return 0;
}

/* The samples the client verified (with verdicts) or saw (without), summed
 * over datasets, into the result. SAMPLES past what the writer wrote (the
 * longest it made any channel) is a protocol error - no reader can have
 * seen them - and counts only up to that bound. Checked at the end, when
 * the bound is final (a client may see a block before its flush returns). */
static void count_samples(xstate_t *x)
{
    uint64_t written = atomic_load(&x->c->shm->samples_written), size = x->s->dtype == 1 ? 8 : 4;
    bool said = false;
    x->r.samples = 0;
    for (size_t i = 0; i < x->nds; i++) {
        const xds_t *d = &x->ds[i];
        if (d->samples > written && !said) {
            xfail(x, "line %llu: SAMPLES %llu of %.200s is more than the writer wrote (%llu samples per channel)",
                  (unsigned long long)d->line, (unsigned long long)d->samples, d->path, (unsigned long long)written);
            said = true;
        }
        uint64_t n = x->verdicts ? d->verified : d->samples;
        x->r.samples = sat_add(x->r.samples, n < written ? n : written);
    }
    x->r.bytes = !x->verdicts ? 0 : x->r.samples > UINT64_MAX / size ? UINT64_MAX : x->r.samples * size;
}

/* Bad samples reported only past the writer's last successful flush belong
 * to a flush that failed (a fault): an observation, as in reader.c. */
static void excuse_unflushed(xstate_t *x)
{
    uint64_t published = atomic_load(&x->c->shm->samples);
    if (!x->r.mismatches || x->min_bad < published)
        return;
    x->r.unflushed_bad = x->r.mismatches;
    snprintf(x->r.observation, sizeof x->r.observation,
             "saw %llu bad samples, all past the last successful flush (%llu samples): data of a flush that "
             "failed; first: %.250s",
             (unsigned long long)x->r.unflushed_bad, (unsigned long long)published, x->r.msg);
    x->r.msg[0] = '\0';
    x->r.mismatches = 0;
}

/* Fills the rest of the result, sends it and returns the exit code. */
static int x_finish(xstate_t *x, bool timed_out)
{
    lag_finish(&x->lag, &x->r); /* before the lag log is closed */
    if (x->log && fclose(x->log) != 0)
        xfail(x, "writing the lag log failed");
    x->log = NULL;
    count_samples(x);
    excuse_unflushed(x);
    if (x->fail[0])
        snprintf(x->r.msg, sizeof x->r.msg, "%s", x->fail);
    cli_one_line(x->r.msg); /* dataset paths are the client's bytes */
    cli_one_line(x->r.observation);
    x->r.channels = x->nds;
    for (size_t i = 0; i < x->nds; i++) { /* runs: the distinct groups holding the datasets */
        const char *slash = strrchr(x->ds[i].path, '/');
        size_t k, plen = (size_t)(slash - x->ds[i].path);
        for (k = 0; k < i; k++)
            if (!strncmp(x->ds[k].path, x->ds[i].path, plen + 1))
                break;
        x->r.runs_seen += k == i;
    }
    x->r.runs_expected = atomic_load(&x->c->shm->runs) + 1;
    for (size_t i = 0; i < x->nds; i++)
        free(x->ds[i].path);
    free(x->ds);
    x->r.t_end_ns = h5s_now_ns();
    x->r.exit_code = timed_out ? EXIT_TIMEOUT : x->r.errors ? EXIT_FAIL : x->r.mismatches ? EXIT_VERIFY : EXIT_OK;
    if (x->fail[0])
        printf("[%s] ERROR: %s\n", x->name, x->fail);
    h5s_say(x->s->quiet, x->name, "Stopped: %llu observation lines, %llu samples %s, %llu bad",
            (unsigned long long)x->obs, (unsigned long long)x->r.samples,
            x->verdicts ? "verified" : "seen (no verdicts)", (unsigned long long)x->r.mismatches);
    fflush(stdout);
    proto_fill_usage(&x->r);
    /* memory growth is the client's: its size once settled and when STOP came */
    x->r.rss_end_kb = x->client_rss_end > 0 ? x->client_rss_end : 0;
    if (x->r.rss_end_kb == 0)
        x->r.rss_settled_kb = 0;
    struct rusage ru; /* the client's share, once reaped */
    if (getrusage(RUSAGE_CHILDREN, &ru) == 0) {
        x->r.cpu_user_s += (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
        x->r.cpu_sys_s += (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
        if (ru.ru_maxrss > x->r.maxrss_kb)
            x->r.maxrss_kb = ru.ru_maxrss;
    }
    proto_send_result(x->c, &x->r);
    return x->r.exit_code;
}

int external_reader_main(const role_ctx_t *c, int kind)
{
    static xstate_t x; /* large: not on the stack */
    x_init(&x, c, (scn_reader_kind_t)kind);
    signal(SIGTERM, on_term);
    cproc_subreaper(); /* what the client starts stays a descendant here, to be ended with it */
    bool timed_out = false;
    char *argv[X_MAX_ARGS] = {0};
    if (x_start(&x, &timed_out) == 0 && build_argv(&x, argv) > 0 && client_start(&x, argv) == 0) {
        h5s_say(x.s->quiet, x.name, "Started '%s' (pid %d)", x.what, (int)x.child.pid);
        follow(&x);
        client_end(&x);
    }
    for (int i = 0; argv[i]; i++)
        free(argv[i]);
    if (x.out_fd >= 0)
        close(x.out_fd);
    if (x.exec_fd >= 0)
        close(x.exec_fd);
    return x_finish(&x, timed_out);
}
