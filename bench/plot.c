/* plot.c - `h5swmr plot RESULTS_DIR`: PNG and SVG plots (gnuplot) of the CSV
 * files in a results directory, written next to them:
 *   flushcost.csv  (h5swmr flushcost --csv)  -> flushcost       per-dataset flush cost vs N
 *                                            -> flushcost_round round flush time vs N
 *   sweep.csv      (h5swmr sweep)            -> lag_vs_flush    lag p50/p99 vs flush interval
 *                                            -> throughput_vs_block  SWMR, non-SWMR, raw pwrite
 *                                            -> flush_latency   flush p50/p90/p99/p99.9 vs block
 *                                            -> flush_vs_channels  flush time vs channels per flush
 *   lag_*.csv      (raw per-event lag logs)  -> lag_cdf         lag CDF per configuration
 *   lag_events.csv with sweep.csv's reader_kind -> lag_by_reader_kind  lag CDF per
 *                  reader kind (and of the bare HDF5 reader), when it has two or more
 * Every plot has a footer line: host, kernel, file system, HDF5 and scenario
 * (plot_footer.c, from sweep.json). A plot of more than PLOT_PANEL_SERIES
 * series from two or more jobs is drawn one panel per job, and the lines of
 * a panel never share colour and dash (plot_series.c: panels.gp).
 * A plot whose CSV is missing or has no usable rows is skipped with a note.
 *
 * The data files of each plot are prepared in a temporary directory
 * (plot_data.c); gnuplot runs the scripts bench/NAME.gp (found with
 * h5s_data_path) on them, one process group at a time, and the whole command
 * is bounded in time: a timeout or Ctrl-C reaches gnuplot too. A finished
 * plot replaces a file of its name only if that file is a plot (a PNG, or an
 * SVG gnuplot made); CSV files are never touched. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "cli.h"
#include "commands.h"
#include "paths.h"
#include "plot_csv.h"
#include "plot_data.h"
#include "plot_footer.h"
#include "util.h"

#define PLOT_EXIT_FAIL 1
#define PLOT_EXIT_USAGE 2
#define PLOT_DEFAULT_TIMEOUT_S 600
#define PLOT_MAX_LAG_FILES 4096
#define PLOT_DATA_MEM_MAX (2LL << 30) /* address space of a plot's data preparation */

static volatile sig_atomic_t g_plot_signal;

/* Records the signal that arrived, for plot_wait to forward to the child and
 * for the caller to report; it does nothing else, so it is safe in a signal
 * handler. */
static void plot_on_signal(int sig)
{
    g_plot_signal = sig;
}

/* One run of the command. */
typedef struct plot_ctx {
    const char *results; /* the results directory */
    char work[PATH_MAX]; /* temporary: the data files, gnuplot's output */
    const char *pngterm; /* pngcairo, or png where cairo is missing */
    char footer[1024];   /* where the data was measured (plot_footer.h): safe in '...' */
    int written, skipped, failed;
    long timeout_s;
    int64_t deadline_ns;
    bool timed_out; /* gnuplot was stopped when the time was up */
} plot_ctx_t;

/* Shows control characters of user text as '?' so that a message stays one line. */
static const char *plot_vis(const char *s, char *buf, size_t cap)
{
    size_t i = 0;
    for (; s[i] && i + 1 < cap; i++)
        buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
    buf[i] = '\0';
    return buf;
}

/* Whether the run must stop: a signal came or the time is up. */
static bool plot_stopped(const plot_ctx_t *c)
{
    return g_plot_signal || c->timed_out;
}

/* Waits for the gnuplot child (leader of its own process group) until
 * deadline_ns; forwards SIGINT/SIGTERM to the group, and on timeout sends
 * SIGTERM; SIGKILL follows 5 s after the first of these, and 5 s after
 * SIGKILL the child is given up on. Returns the wait status, or -1 on a wait
 * error or when the child was given up on. */
static int plot_wait(h5s_child_t *ch, int64_t deadline_ns, bool *timed_out)
{
    const int64_t grace = 5 * 1000000000LL; /* before SIGKILL, and after it */
    int forwarded = 0;
    int64_t kill_at = 0, give_up_at = INT64_MAX;
    for (;;) {
        if (h5s_child_reap(ch))
            return ch->status;
        int64_t now = h5s_now_ns();
        if (g_plot_signal && g_plot_signal != forwarded) {
            forwarded = g_plot_signal;
            h5s_child_signal(ch, forwarded);
            if (!kill_at && ch->stage < H5S_CHILD_KILLED)
                kill_at = now + grace;
        }
        if (!*timed_out && now >= deadline_ns) {
            *timed_out = true;
            h5s_child_signal(ch, SIGTERM);
            if (ch->stage < H5S_CHILD_KILLED)
                kill_at = now + grace;
        }
        if (kill_at && now >= kill_at) {
            h5s_child_signal(ch, SIGKILL);
            ch->stage = H5S_CHILD_KILLED;
            kill_at = 0;
            give_up_at = now + grace;
        }
        if (now >= give_up_at) {
            ch->stage = H5S_CHILD_ABANDONED;
            errno = ETIMEDOUT;
            return -1;
        }
        /* every 20 ms at least: a signal sets g_plot_signal only */
        if (h5s_child_wait(ch, now + 20 * 1000000LL) < 0)
            return -1;
    }
}

/* Reads up to cap - 1 bytes of path into buf, without the trailing newlines. */
static void plot_read_log(const char *path, char *buf, size_t cap)
{
    buf[0] = '\0';
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t n = read(fd, buf, cap - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    for (size_t len = strlen(buf); len && buf[len - 1] == '\n';)
        buf[--len] = '\0';
}

/* In the gnuplot child: standard input empty, output into logpath, the
 * directory cwd (when not NULL), then gnuplot with argv. Never returns. */
__attribute__((noreturn)) static void plot_exec(const char *cwd, char *const argv[], const char *logpath)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    int in = open("/dev/null", O_RDONLY), out = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
        _exit(127);
    if (cwd && chdir(cwd) != 0) {
        dprintf(2, "cannot enter %s: %s\n", cwd, strerror(errno));
        _exit(127);
    }
    execvp("gnuplot", argv);
    dprintf(2, "cannot run gnuplot: %s\n", strerror(errno));
    _exit(127);
}

/* Runs gnuplot with argv in the directory cwd (or here when NULL), its
 * standard input empty and its output into log. Returns its wait status, or
 * -1 when it could not be started or the run must stop (plot_stopped). */
static int plot_gnuplot(plot_ctx_t *c, const char *cwd, char *const argv[], char *log, size_t cap)
{
    char logpath[PATH_MAX + 16];
    h5s_child_t ch;
    h5s_err_t err;
    const h5s_child_opts_t opts = {.own_group = true}; /* a timeout or Ctrl-C reaches all of gnuplot */
    snprintf(logpath, sizeof logpath, "%s/gnuplot.log", c->work);
    pid_t pid = h5s_child_spawn(&ch, &opts, &err);
    if (pid < 0) {
        snprintf(log, cap, "%s", err.msg);
        return -1;
    }
    if (pid == 0)
        plot_exec(cwd, argv, logpath);
    int status = plot_wait(&ch, c->deadline_ns, &c->timed_out);
    int e = errno;
    plot_read_log(logpath, log, cap);
    if (status < 0)
        snprintf(log, cap, "waitpid: %s", strerror(e));
    return status < 0 || plot_stopped(c) ? -1 : status;
}

/* Whether gnuplot is a program in $PATH. */
static bool plot_have_gnuplot(void)
{
    const char *path = getenv("PATH");
    char dir[PATH_MAX], exe[PATH_MAX + 16];
    for (const char *p = path && *path ? path : "/usr/bin:/bin"; p;) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        snprintf(dir, sizeof dir, "%.*s", (int)(n < sizeof dir ? n : sizeof dir - 1), p);
        snprintf(exe, sizeof exe, "%s/gnuplot", n ? dir : ".");
        struct stat st;
        if (stat(exe, &st) == 0 && S_ISREG(st.st_mode) && access(exe, X_OK) == 0)
            return true;
        p = colon ? colon + 1 : NULL;
    }
    return false;
}

/* Whether path is absent, or a plot this command may have written before (a
 * regular file: a PNG image, or an SVG that gnuplot produced). */
static bool plot_replaceable(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT;
    if (!S_ISREG(st.st_mode))
        return false;
    char head[4097];
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, head, sizeof head - 1);
    close(fd);
    if (n < 0)
        return false;
    head[n] = '\0';
    size_t len = strlen(path);
    if (len > 4 && !strcmp(path + len - 4, ".png"))
        return n >= 8 && !memcmp(head, "\x89PNG\r\n\x1a\n", 8);
    if (len > 4 && !strcmp(path + len - 4, ".svg"))
        return memmem(head, (size_t)n, "Produced by GNUPLOT", 19) != NULL;
    return false;
}

/* Moves src to dst (replacing it): a rename, or across file systems a copy
 * beside dst renamed into place. Returns 0, or -1 with the reason in err. */
static int plot_move(const char *src, const char *dst, char *err, size_t cap)
{
    if (rename(src, dst) == 0)
        return 0;
    if (errno != EXDEV) {
        snprintf(err, cap, "cannot move it to %s: %s", dst, strerror(errno));
        return -1;
    }
    char tmp[3 * PATH_MAX], buf[65536];
    snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", dst);
    int in = open(src, O_RDONLY | O_CLOEXEC), out = mkstemp(tmp);
    bool ok = in >= 0 && out >= 0;
    ssize_t n = 0;
    mode_t um = umask(0);
    umask(um);
    while (ok && (n = read(in, buf, sizeof buf)) > 0)
        ok = h5s_write_full(out, buf, (size_t)n) == 0;
    ok = ok && n == 0 && fchmod(out, 0666 & ~um) == 0;
    if (out >= 0 && close(out) != 0)
        ok = false;
    ok = ok && rename(tmp, dst) == 0;
    int e = errno;
    if (in >= 0)
        close(in);
    if (!ok) {
        snprintf(err, cap, "cannot write %s: %s", dst, strerror(e));
        if (out >= 0)
            unlink(tmp);
    }
    unlink(src);
    return ok ? 0 : -1;
}

/* Notes a plot left out, and why. */
static void plot_note(plot_ctx_t *c, const char *plots, const char *why)
{
    printf("  skip %s: %s\n", plots, why);
    c->skipped++;
}

/* Runs plot_data_prepare (see plot_data.h) in a child process, so that
 * reading the CSV files is bounded like gnuplot is: by the deadline (and
 * Ctrl-C), which stop it whatever it is doing, and by PLOT_DATA_MEM_MAX of
 * memory, beyond which it fails as out of memory. Returns what
 * plot_data_prepare returned, or -1 with the reason in msg (also when the
 * run must stop: plot_stopped). */
static int plot_data_child(plot_ctx_t *c, plot_mode_t mode, const char *const *files, int nfiles, const char *sweep,
                           const char *dir, char *msg, size_t cap)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return snprintf(msg, cap, "pipe: %s", strerror(errno)), -1;
    h5s_child_t ch;
    h5s_err_t err;
    const h5s_child_opts_t opts = {.pdeathsig = SIGKILL};
    pid_t pid = h5s_child_spawn(&ch, &opts, &err);
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return snprintf(msg, cap, "%s", err.msg), -1;
    }
    if (pid == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        close(fds[0]);
#if !defined(__SANITIZE_ADDRESS__)
        /* (AddressSanitizer reserves terabytes of address space for itself) */
        struct rlimit rl = {PLOT_DATA_MEM_MAX, PLOT_DATA_MEM_MAX};
        setrlimit(RLIMIT_AS, &rl);
#endif
        char m[2048] = "";
        int n = plot_data_prepare(mode, files, nfiles, sweep, dir, m, sizeof m);
        bool ok = h5s_write_full(fds[1], &n, sizeof n) == 0 && h5s_write_full(fds[1], m, strlen(m) + 1) == 0;
        _exit(ok ? 0 : 1);
    }
    close(fds[1]);
    int status = plot_wait(&ch, c->deadline_ns, &c->timed_out), n = -1;
    char got[sizeof n + 2048];
    ssize_t len = status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? read(fds[0], got, sizeof got - 1) : 0;
    close(fds[0]);
    if (len > (ssize_t)sizeof n) {
        got[len] = '\0';
        memcpy(&n, got, sizeof n);
        snprintf(msg, cap, "%s", got + sizeof n);
    } else if (plot_stopped(c)) {
        snprintf(msg, cap, "stopped");
    } else if (status >= 0 && WIFSIGNALED(status)) {
        snprintf(msg, cap, "the data preparation was killed by signal %d (%s; its memory is bounded to %lld MiB)",
                 WTERMSIG(status), strsignal(WTERMSIG(status)), PLOT_DATA_MEM_MAX >> 20);
    } else {
        snprintf(msg, cap, "the data preparation failed");
    }
    return plot_stopped(c) ? -1 : n;
}

/* Prepares the data files of plot name (for the plots named plots) in
 * work/name, into dir. Returns whether there is something to draw; if not, a
 * note or a failure was reported. */
static bool plot_prep(plot_ctx_t *c, const char *name, const char *plots, plot_mode_t mode, const char *const *files,
                      int nfiles, const char *sweep, char *dir, size_t cap)
{
    char msg[2048], vis[PATH_MAX];
    snprintf(dir, cap, "%s/%s", c->work, name);
    if (mkdir(dir, 0700) != 0) {
        fprintf(stderr, "  FAILED %s: cannot create %s: %s\n", name, dir, strerror(errno));
        c->failed++;
        return false;
    }
    int n = plot_data_child(c, mode, files, nfiles, sweep, dir, msg, sizeof msg);
    if (n < 0 && plot_stopped(c))
        return false;
    if (n < 0) {
        if (nfiles == 1)
            fprintf(stderr, "  FAILED %s: reading %s failed: %s\n", name, plot_vis(files[0], vis, sizeof vis), msg);
        else
            fprintf(stderr, "  FAILED %s: reading the %d lag files failed: %s\n", name, nfiles, msg);
        c->failed++;
        return false;
    }
    if (n == 0)
        plot_note(c, plots ? plots : name, msg);
    return n > 0;
}

/* Runs gnuplot on bench/script, which writes dir/name.png and .svg from the
 * data files in dir. Returns 0, or -1 with a failure reported (or when the
 * run must stop). */
static int plot_run_script(plot_ctx_t *c, const char *name, const char *script, const char *dir)
{
    char rel[64], gp[PATH_MAX], tried[3 * PATH_MAX], log[4096];
    snprintf(rel, sizeof rel, "bench/%s", script);
    if (h5s_data_path(rel, gp, sizeof gp, tried, sizeof tried) < 0) {
        fprintf(stderr, "  FAILED %s: cannot find %s (tried %s)\n", name, rel, tried);
        c->failed++;
        return -1;
    }
    char gpdir[PATH_MAX];
    snprintf(gpdir, sizeof gpdir, "%s", gp);
    *strrchr(gpdir, '/') = '\0'; /* a real path: it has a '/' */
    char expr[4 * PATH_MAX];
    snprintf(expr, sizeof expr, "dir='%s'; out='%s/%s'; pngterm='%s'; footer='%s'", dir, dir, name, c->pngterm,
             c->footer);
    char *argv[] = {"gnuplot", "-e", expr, gp, NULL};
    int st = plot_gnuplot(c, gpdir, argv, log, sizeof log);
    if (st < 0 && plot_stopped(c))
        return -1;
    if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "  FAILED %s: gnuplot %s: %s\n", name, script, log);
        c->failed++;
        return -1;
    }
    for (int k = 0; k < 2; k++) {
        char made[PATH_MAX + 64];
        struct stat sb;
        snprintf(made, sizeof made, "%s/%s.%s", dir, name, k ? "svg" : "png");
        if (stat(made, &sb) != 0 || sb.st_size == 0) {
            fprintf(stderr, "  FAILED %s: gnuplot wrote no output%s%s\n", name, *log ? ": " : "", log);
            c->failed++;
            return -1;
        }
    }
    return 0;
}

/* Draws plot name with bench/script from the data files in dir, and moves
 * name.png and name.svg into the results directory. */
static void plot_draw(plot_ctx_t *c, const char *name, const char *script, const char *dir)
{
    char target[2][PATH_MAX + 64], vis[PATH_MAX + 64], err[3 * PATH_MAX];
    for (int k = 0; k < 2; k++) {
        snprintf(target[k], sizeof target[k], "%s/%s.%s", c->results, name, k ? "svg" : "png");
        if (!plot_replaceable(target[k])) {
            fprintf(stderr, "  FAILED %s: not replacing %s: it is not a plot (PNG, or SVG made by gnuplot)\n", name,
                    plot_vis(target[k], vis, sizeof vis));
            c->failed++;
            return;
        }
    }
    if (plot_run_script(c, name, script, dir) < 0)
        return;
    for (int k = 0; k < 2; k++) {
        char made[PATH_MAX + 64];
        snprintf(made, sizeof made, "%s/%s.%s", dir, name, k ? "svg" : "png");
        if (plot_move(made, target[k], err, sizeof err) < 0) {
            fprintf(stderr, "  FAILED %s: %s\n", name, plot_vis(err, vis, sizeof vis));
            c->failed++;
            return;
        }
    }
    printf("  wrote %s/%s.png and .svg\n", plot_vis(c->results, vis, sizeof vis), name);
    c->written++;
}

/* Whether results/name is a regular file (through a symbolic link too). */
static bool plot_has_file(const plot_ctx_t *c, const char *name, char *path, size_t cap)
{
    struct stat st;
    snprintf(path, cap, "%s/%s", c->results, name);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* flushcost.csv -> flushcost and flushcost_round. */
static void plot_flushcost(plot_ctx_t *c)
{
    char csv[PATH_MAX + 32], dir[PATH_MAX + 64], why[PATH_MAX + 128], vis[PATH_MAX];
    const char *files[1] = {csv};
    if (!plot_has_file(c, "flushcost.csv", csv, sizeof csv)) {
        snprintf(why, sizeof why, "no flushcost.csv (h5swmr flushcost --csv %s/flushcost.csv)",
                 plot_vis(c->results, vis, sizeof vis));
        plot_note(c, "flushcost, flushcost_round", why);
        return;
    }
    if (!plot_prep(c, "flushcost", "flushcost, flushcost_round", PLOT_FLUSHCOST, files, 1, NULL, dir, sizeof dir))
        return;
    plot_draw(c, "flushcost", "flushcost.gp", dir);
    if (!plot_stopped(c))
        plot_draw(c, "flushcost_round", "flushcost_round.gp", dir);
}

/* sweep.csv -> lag_vs_flush, throughput_vs_block, flush_latency, flush_vs_channels. */
static void plot_sweep(plot_ctx_t *c, const char *csv)
{
    static const struct {
        const char *name, *script;
        plot_mode_t mode;
    } plots[] = {
        {"lag_vs_flush", "lag_vs_flush.gp", PLOT_LAGFLUSH},
        {"throughput_vs_block", "throughput.gp", PLOT_THROUGHPUT},
        {"flush_latency", "flush_latency.gp", PLOT_FLUSHLAT},
        {"flush_vs_channels", "flush_vs_channels.gp", PLOT_FLUSHCHAN},
    };
    char dir[PATH_MAX + 64];
    const char *files[1] = {csv};
    for (size_t i = 0; i < sizeof plots / sizeof *plots && !plot_stopped(c); i++)
        if (plot_prep(c, plots[i].name, NULL, plots[i].mode, files, 1, NULL, dir, sizeof dir))
            plot_draw(c, plots[i].name, plots[i].script, dir);
}

/* Whether a directory entry is named like a lag log (lag_*.csv). */
static int plot_lag_name(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return n >= 8 && !strncmp(e->d_name, "lag_", 4) && !strcmp(e->d_name + n - 4, ".csv");
}

/* lag_*.csv (regular files only: a FIFO or device named like a lag log is
 * never read) -> lag_cdf, with the configurations described from sweep.csv
 * (sweep, or NULL). */
static void plot_lags(plot_ctx_t *c, const char *sweep)
{
    struct dirent **ents = NULL;
    int n = scandir(c->results, &ents, plot_lag_name, alphasort);
    char **files = calloc(n > 0 ? (size_t)n : 1, sizeof *files), dir[PATH_MAX + 64];
    int nfiles = 0;
    for (int i = 0; i < n; i++) {
        struct stat st;
        char *p = NULL;
        if (files && nfiles < PLOT_MAX_LAG_FILES && asprintf(&p, "%s/%s", c->results, ents[i]->d_name) >= 0 &&
            lstat(p, &st) == 0 && S_ISREG(st.st_mode))
            files[nfiles++] = p;
        else
            free(p);
        free(ents[i]);
    }
    free(ents);
    if (nfiles == 0)
        plot_note(c, "lag_cdf", "no lag_*.csv (raw per-event lag logs)");
    else if (plot_prep(c, "lag_cdf", NULL, PLOT_LAGCDF, (const char *const *)files, nfiles, sweep, dir, sizeof dir))
        plot_draw(c, "lag_cdf", "lag_cdf.gp", dir);
    for (int i = 0; i < nfiles; i++)
        free(files[i]);
    free(files);
}

/* Whether sweep.csv at path names a column col in its header. */
static bool plot_csv_has(const char *path, const char *col)
{
    plot_csv_t t;
    char err[256];
    if (plot_csv_open(&t, path, err, sizeof err) < 0)
        return false;
    bool has = plot_csv_col(&t, col) >= 0;
    plot_csv_close(&t);
    return has;
}

/* lag_events.csv with sweep.csv (csv) -> lag_by_reader_kind, only when
 * sweep.csv has a reader_kind column (older results have none: no plot, no
 * note). */
static void plot_reader_kinds(plot_ctx_t *c, const char *csv)
{
    char events[PATH_MAX + 32], dir[PATH_MAX + 64];
    const char *files[1] = {events};
    if (!plot_csv_has(csv, "reader_kind"))
        return;
    if (!plot_has_file(c, "lag_events.csv", events, sizeof events))
        plot_note(c, "lag_by_reader_kind", "no lag_events.csv (the per-event lags of a sweep)");
    else if (plot_prep(c, "lag_by_reader_kind", NULL, PLOT_READERKIND, files, 1, csv, dir, sizeof dir))
        plot_draw(c, "lag_by_reader_kind", "lag_by_reader_kind.gp", dir);
}

/* Removes one entry of the temporary directory (nftw callback). */
static int plot_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

/* Draws every plot the results directory has data for, in the temporary
 * directory c->work. */
static void plot_all(plot_ctx_t *c)
{
    char vis[PATH_MAX], log[1024], csv[PATH_MAX + 32];
    /* pngcairo draws better (antialiasing, UTF-8); the libgd png terminal is the fallback */
    char *probe[] = {"gnuplot", "-e", "set terminal pngcairo", NULL};
    int st = plot_gnuplot(c, NULL, probe, log, sizeof log);
    if (plot_stopped(c))
        return;
    c->pngterm = st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "pngcairo" : "png";
    printf("h5swmr plot: plotting %s (gnuplot terminal %s and svg)\n", plot_vis(c->results, vis, sizeof vis),
           c->pngterm);
    char note[2 * PATH_MAX];
    plot_footer_build(c->results, c->footer, sizeof c->footer, note, sizeof note);
    if (*note)
        printf("  note: %s\n", plot_vis(note, vis, sizeof vis));
    printf("  footer: %s\n", c->footer);
    plot_flushcost(c);
    bool sweep = plot_has_file(c, "sweep.csv", csv, sizeof csv);
    if (plot_stopped(c))
        return;
    if (sweep)
        plot_sweep(c, csv);
    else
        plot_note(c, "lag_vs_flush, throughput_vs_block, flush_latency, flush_vs_channels",
                  "no sweep.csv (written by h5swmr sweep)");
    if (!plot_stopped(c))
        plot_lags(c, sweep ? csv : NULL);
    if (sweep && !plot_stopped(c))
        plot_reader_kinds(c, csv);
}

/* Plots into the results directory c->results (checked), with SIGINT and
 * SIGTERM forwarded to gnuplot; returns the exit status. */
static int plot_results(plot_ctx_t *c)
{
    char vis[PATH_MAX];
    /* the scripts get the data directory in a gnuplot string and list it with
     * the shell (system('ls '.dir...)): a TMPDIR with other characters than
     * these is not used */
    const char *t = getenv("TMPDIR");
    if (!t || !*t || t[strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/._+-")] != '\0' ||
        strlen(t) > 1024)
        t = "/tmp";
    snprintf(c->work, sizeof c->work, "%s/h5swmr-plot-XXXXXX", t);
    if (!mkdtemp(c->work)) {
        fprintf(stderr, "h5swmr plot: cannot create a temporary directory '%s': %s\n", c->work, strerror(errno));
        return PLOT_EXIT_FAIL;
    }
    /* output into a closed pipe (h5swmr plot DIR | head) must not kill the
     * command before it removes its temporary directory */
    struct sigaction sa = {0}, old_int, old_term, ign = {0}, old_pipe;
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, &old_pipe);
    sa.sa_handler = plot_on_signal;
    sigemptyset(&sa.sa_mask);
    g_plot_signal = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    h5s_stop_signals_ready();
    c->deadline_ns = h5s_now_ns() + (int64_t)c->timeout_s * 1000000000LL;
    plot_all(c);
    nftw(c->work, plot_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGPIPE, &old_pipe, NULL);
    fflush(stdout);
    if (g_plot_signal) {
        fprintf(stderr, "h5swmr plot: interrupted\n");
        return 128 + g_plot_signal;
    }
    if (c->timed_out) {
        fprintf(
            stderr,
            "h5swmr plot: plotting did not finish within %ld s; stopped (gnuplot or the reading of the CSV files)\n",
            c->timeout_s);
        return PLOT_EXIT_FAIL;
    }
    if (c->failed > 0) {
        fprintf(stderr, "h5swmr plot: %d plot(s) written, %d failed\n", c->written, c->failed);
        return PLOT_EXIT_FAIL;
    }
    if (c->written == 0) {
        fprintf(stderr,
                "h5swmr plot: nothing to plot in %s: none of flushcost.csv, sweep.csv, lag_*.csv has usable rows\n",
                plot_vis(c->results, vis, sizeof vis));
        return PLOT_EXIT_FAIL;
    }
    printf("h5swmr plot: %d plot(s) written, %d skipped\n", c->written, c->skipped);
    return 0;
}

/* Every plot this command can write, without the .png/.svg suffix. */
static const char *const plot_outputs[] = {"flushcost",     "flushcost_round",   "lag_vs_flush", "throughput_vs_block",
                                           "flush_latency", "flush_vs_channels", "lag_cdf",      "lag_by_reader_kind"};

/* Lists into buf the plot files that already exist in dir; returns how many. */
static int plot_existing(const char *dir, char *buf, size_t cap)
{
    int n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof plot_outputs / sizeof *plot_outputs; i++)
        for (int k = 0; k < 2; k++) {
            char path[PATH_MAX];
            struct stat st;
            snprintf(path, sizeof path, "%s/%s.%s", dir, plot_outputs[i], k ? "svg" : "png");
            if (lstat(path, &st) != 0)
                continue;
            size_t l = strlen(buf);
            if (n < 4)
                snprintf(buf + l, cap - l, "%s%s.%s", n ? ", " : "", plot_outputs[i], k ? "svg" : "png");
            else if (n == 4)
                snprintf(buf + l, cap - l, ", ...");
            n++;
        }
    return n;
}

enum { PLOT_OPT_FORCE, PLOT_OPT_TIMEOUT };

/* Reads the command line into *dir, *force and c->timeout_s. Returns -1 to
 * go on, else the exit status (0 after --help, 2 bad usage). */
static int plot_parse(int argc, char **argv, const char **dir, bool *force, plot_ctx_t *c)
{
    const cli_cmd_t *cmd = &cmd_plot_def;
    cli_parser_t p;
    const char *arg;
    int k;
    cli_begin(&p, cmd, argc, argv);
    while ((k = cli_next(&p, &arg)) != CLI_END) {
        switch (k) {
        case CLI_HELP: return 0;
        case CLI_ERROR: return PLOT_EXIT_USAGE;
        case CLI_POSITIONAL:
            if (*dir)
                return cli_usage_error(cmd,
                                       "one results directory at a time; unexpected argument: %s (see h5swmr "
                                       "plot --help)",
                                       arg);
            *dir = arg;
            break;
        case PLOT_OPT_FORCE: *force = true; break;
        case PLOT_OPT_TIMEOUT: {
            char *end;
            errno = 0;
            c->timeout_s = strtol(arg, &end, 10);
            if (errno || *end || !(arg[0] >= '0' && arg[0] <= '9') || c->timeout_s < 1 || c->timeout_s > 86400)
                return cli_usage_error(cmd,
                                       "--timeout: not a number of seconds from 1 to 86400: %s (see h5swmr plot "
                                       "--help)",
                                       arg);
            break;
        }
        }
    }
    if (!*dir)
        return cli_usage_error(cmd, "no results directory given (a directory with flushcost.csv, sweep.csv or "
                                    "lag_*.csv) (see h5swmr plot --help)");
    return -1;
}

int cmd_plot(int argc, char **argv)
{
    plot_ctx_t c = {.timeout_s = PLOT_DEFAULT_TIMEOUT_S};
    const char *dir = NULL;
    bool force = false;
    char vis[PATH_MAX];
    int rc = plot_parse(argc, argv, &dir, &force, &c);
    if (rc >= 0)
        return rc;
    struct stat st;
    if (stat(dir, &st) != 0) {
        fprintf(stderr, "h5swmr plot: '%s': %s\n", plot_vis(dir, vis, sizeof vis), strerror(errno));
        return PLOT_EXIT_USAGE;
    }
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "h5swmr plot: '%s' is not a directory\n", plot_vis(dir, vis, sizeof vis));
        return PLOT_EXIT_USAGE;
    }
    /* Plots already there were made earlier, or are someone's files: replaced
     * only when asked. A sweep plots its own new directory, which has none. */
    char existing[512];
    int nexist = plot_existing(dir, existing, sizeof existing);
    if (nexist && !force) {
        fprintf(stderr,
                "h5swmr plot: '%s' already has %d plot file%s (%s); h5swmr plot replaces them only with --force\n",
                plot_vis(dir, vis, sizeof vis), nexist, nexist == 1 ? "" : "s", existing);
        return PLOT_EXIT_USAGE;
    }
    if (access(dir, W_OK) != 0) {
        fprintf(stderr, "h5swmr plot: '%s' is not writable (plots are written next to the CSV files)\n",
                plot_vis(dir, vis, sizeof vis));
        return PLOT_EXIT_USAGE;
    }
    if (!plot_have_gnuplot()) {
        fprintf(stderr, "h5swmr plot: gnuplot not found: install it (Debian: apt-get install gnuplot-nox) and run "
                        "again\n");
        return PLOT_EXIT_FAIL;
    }
    char gp[PATH_MAX], tried[3 * PATH_MAX];
    if (h5s_data_path("bench/common.gp", gp, sizeof gp, tried, sizeof tried) < 0) {
        fprintf(stderr,
                "h5swmr plot: cannot find the gnuplot scripts (tried %s); set H5SWMR_DATA_DIR to the directory "
                "that holds bench/*.gp\n",
                tried);
        return PLOT_EXIT_FAIL;
    }
    /* messages name the directory as given, without a trailing '/' */
    char results[PATH_MAX];
    snprintf(results, sizeof results, "%s", dir);
    size_t len = strlen(results);
    if (len > 1 && results[len - 1] == '/')
        results[len - 1] = '\0';
    c.results = results;
    return plot_results(&c);
}

static const cli_opt_t plot_opts[] = {
    [PLOT_OPT_FORCE] = {"force", 0, NULL, "replace plots already in RESULTS_DIR (only files that are plots)"},
    [PLOT_OPT_TIMEOUT] = {"timeout", 0, "SECONDS", "stop plotting after this long (1 to 86400; default 600)"},
    {NULL, 0, NULL, NULL},
};

const cli_cmd_t cmd_plot_def = {
    .name = "plot",
    .synopsis = "RESULTS_DIR [--force] [--timeout SECONDS]",
    .summary = "gnuplot PNG/SVG plots of a sweep or flushcost result",
    .help = "Draws PNG and SVG plots (gnuplot) of the CSV files in RESULTS_DIR, next to them:\n"
            "  flushcost.csv   per-dataset flush cost and round flush time vs dataset count\n"
            "  sweep.csv       visibility lag vs flush interval, throughput vs block size (with\n"
            "                  the non-SWMR and raw pwrite baselines), flush latency percentiles\n"
            "                  vs block size, flush time vs channels written per flush\n"
            "  lag_*.csv       visibility lag CDF per configuration (reader wake-up mode)\n"
            "  lag_events.csv  visibility lag CDF per reader kind, when sweep.csv has a\n"
            "                  reader_kind column with two or more kinds\n"
            "Each plot's footer names the machine, kernel, file system, HDF5 and scenario\n"
            "(from sweep.json, or summary.json). A plot of more than 6 series from two or\n"
            "more jobs is drawn one panel per job; no two lines of a panel share colour and\n"
            "dash, and every line (a p99 too) has its own legend entry.\n"
            "A plot whose CSV is missing is skipped with a note. Runs gnuplot on the scripts\n"
            "bench/*.gp (found in $H5SWMR_DATA_DIR, <prefix>/share/h5swmr, or the source tree).\n"
            "Plots already in RESULTS_DIR (an earlier 'h5swmr plot', or files of those names)\n"
            "are replaced only with --force, and even then only if they are plots (a PNG, or\n"
            "an SVG gnuplot made).\n"
            "\n"
            "Exit status: 0 plots written, 1 nothing to plot or a plot failed (or gnuplot\n"
            "missing), 2 bad arguments.\n",
    .opts = plot_opts,
    .handler = cmd_plot,
    .needs_hdf5 = true,
    .own_stop_signals = true, /* plot_results installs its handlers */
};
