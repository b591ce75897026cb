/* plot.c - `h5swmr plot RESULTS_DIR`: runs bench/plot.sh (gnuplot) on a results
 * directory and forwards its exit status.
 *
 * The script is found next to the program: <exe dir>/../bench/plot.sh (the
 * build tree sits in the source tree) or <exe dir>/bench/plot.sh (installed
 * side by side), or where H5SWMR_BENCH_DIR points. It runs in its own process
 * group so that a timeout or Ctrl-C reaches gnuplot too; the wait is bounded. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "util.h"

#define PLOT_EXIT_FAIL 1
#define PLOT_EXIT_USAGE 2
#define PLOT_DEFAULT_TIMEOUT_S 600

static volatile sig_atomic_t g_plot_signal;

static void plot_on_signal(int sig)
{
    g_plot_signal = sig;
}

static void plot_help(void)
{
    printf("Usage: h5swmr plot RESULTS_DIR [--force] [--timeout SECONDS]\n"
           "\n"
           "Draws PNG and SVG plots (gnuplot) of the CSV files in RESULTS_DIR, next to them:\n"
           "  flushcost.csv   per-dataset flush cost and round flush time vs dataset count\n"
           "  sweep.csv       visibility lag vs flush interval, throughput vs block size (with\n"
           "                  the non-SWMR and raw pwrite baselines), flush latency percentiles\n"
           "  lag_*.csv       visibility lag CDF per configuration (reader wake-up mode)\n"
           "A plot whose CSV is missing is skipped with a note. Runs bench/plot.sh (found\n"
           "next to the program, or in $H5SWMR_BENCH_DIR). Plots already in RESULTS_DIR (an\n"
           "earlier 'h5swmr plot', or files of those names) are replaced only with --force,\n"
           "and even then only if they are plots (a PNG, or an SVG gnuplot made).\n"
           "\n"
           "Exit status: 0 plots written, 1 nothing to plot or a plot failed (or gnuplot\n"
           "missing), 2 bad arguments.\n");
}

static int plot_usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "h5swmr plot: %s%s%s (see h5swmr plot --help)\n", msg, arg ? ": " : "", arg ? arg : "");
    return PLOT_EXIT_USAGE;
}

static bool plot_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Finds bench/plot.sh; returns 0 with the path in out, or -1 (with the places
 * tried in tried). */
static int plot_find_script(char *out, size_t cap, char *tried, size_t tcap)
{
    const char *env = getenv("H5SWMR_BENCH_DIR");
    tried[0] = '\0';
    if (env && *env) {
        snprintf(out, cap, "%s/plot.sh", env);
        if (plot_is_file(out))
            return 0;
        snprintf(tried, tcap, "%s", out);
        return -1;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        snprintf(tried, tcap, "/proc/self/exe: %s", strerror(errno));
        return -1;
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    const char *const base[] = {exe, exe, H5SWMR_SOURCE_DIR};
    const char *const rel[] = {"/../bench/plot.sh", "/bench/plot.sh", "/bench/plot.sh"};
    for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
        if ((size_t)snprintf(out, cap, "%s%s", base[i], rel[i]) >= cap)
            continue;
        if (plot_is_file(out)) {
            char real[PATH_MAX];
            if (realpath(out, real))
                snprintf(out, cap, "%s", real);
            return 0;
        }
        size_t len = strlen(tried);
        snprintf(tried + len, tcap - len, "%s%s", len ? ", " : "", out);
    }
    return -1;
}

/* Waits for pid (leader of its own process group) until deadline_ns; forwards
 * SIGINT/SIGTERM to the group, and on timeout sends SIGTERM then SIGKILL.
 * Returns the wait status, or -1 on a waitpid error. */
static int plot_wait(pid_t pid, int64_t deadline_ns, bool *timed_out)
{
    int status = 0, forwarded = 0;
    int64_t kill_at = 0;
    *timed_out = false;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return status;
        if (r < 0 && errno != EINTR)
            return -1;
        int64_t now = h5s_now_ns();
        if (g_plot_signal && g_plot_signal != forwarded) {
            forwarded = g_plot_signal;
            kill(-pid, forwarded);
            if (!kill_at)
                kill_at = now + 5 * 1000000000LL; /* the grace period before SIGKILL */
        }
        if (!*timed_out && now >= deadline_ns) {
            *timed_out = true;
            kill(-pid, SIGTERM);
            kill_at = now + 5 * 1000000000LL;
        }
        if (kill_at && now >= kill_at) {
            kill(-pid, SIGKILL);
            kill_at = 0;
        }
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* Every plot bench/plot.sh can write, without the .png/.svg suffix. */
static const char *const plot_outputs[] = {"flushcost",     "flushcost_round",   "lag_vs_flush", "throughput_vs_block",
                                           "flush_latency", "flush_vs_channels", "lag_cdf"};

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

/* Shows control characters of user text as '?' so that a message stays one line. */
static const char *plot_vis(const char *s, char *buf, size_t cap)
{
    size_t i = 0;
    for (; s[i] && i + 1 < cap; i++)
        buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
    buf[i] = '\0';
    return buf;
}

int cmd_plot(int argc, char **argv)
{
    const char *dir = NULL;
    bool force = false;
    char vis[PATH_MAX];
    long timeout_s = PLOT_DEFAULT_TIMEOUT_S;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            plot_help();
            return 0;
        }
        if (!strcmp(a, "--force")) {
            force = true;
        } else if (!strcmp(a, "--timeout")) {
            char *end;
            if (i + 1 >= argc)
                return plot_usage_error("--timeout needs a number of seconds", NULL);
            errno = 0;
            timeout_s = strtol(argv[++i], &end, 10);
            if (errno || *end || end == argv[i] || !(argv[i][0] >= '0' && argv[i][0] <= '9') || timeout_s < 1 ||
                timeout_s > 86400)
                return plot_usage_error("--timeout: not a number of seconds from 1 to 86400",
                                        plot_vis(argv[i], vis, sizeof vis));
        } else if (a[0] == '-' && a[1])
            return plot_usage_error("unknown option", plot_vis(a, vis, sizeof vis));
        else if (dir)
            return plot_usage_error("one results directory at a time; unexpected argument",
                                    plot_vis(a, vis, sizeof vis));
        else
            dir = a;
    }
    if (!dir)
        return plot_usage_error("no results directory given (a directory with flushcost.csv, sweep.csv or lag_*.csv)",
                                NULL);
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

    char script[PATH_MAX], tried[3 * PATH_MAX];
    if (plot_find_script(script, sizeof script, tried, sizeof tried) < 0) {
        fprintf(stderr,
                "h5swmr plot: cannot find bench/plot.sh (tried %s); set H5SWMR_BENCH_DIR to the bench "
                "directory of the source tree\n",
                tried);
        return PLOT_EXIT_FAIL;
    }

    fflush(stdout);
    fflush(stderr);
    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = plot_on_signal;
    sigemptyset(&sa.sa_mask);
    g_plot_signal = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "h5swmr plot: fork: %s\n", strerror(errno));
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        return PLOT_EXIT_FAIL;
    }
    if (pid == 0) {
        setpgid(0, 0);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        char *const args[] = {"bash", script, (char *)dir, NULL};
        execvp("bash", args);
        fprintf(stderr, "h5swmr plot: cannot run bash %s: %s\n", script, strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid); /* also here, so that the group exists before any kill */
    bool timed_out;
    int status = plot_wait(pid, h5s_now_ns() + (int64_t)timeout_s * 1000000000LL, &timed_out);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);

    if (status < 0) {
        fprintf(stderr, "h5swmr plot: waitpid: %s\n", strerror(errno));
        return PLOT_EXIT_FAIL;
    }
    if (timed_out) {
        fprintf(stderr, "h5swmr plot: %s did not finish within %ld s and was stopped\n", script, timeout_s);
        return PLOT_EXIT_FAIL;
    }
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (g_plot_signal)
            fprintf(stderr, "h5swmr plot: interrupted\n");
        else
            fprintf(stderr, "h5swmr plot: %s killed by signal %d (%s)\n", script, sig, strsignal(sig));
        return 128 + sig;
    }
    int code = WEXITSTATUS(status);
    if (code == 127)
        fprintf(stderr, "h5swmr plot: bash not found or %s not runnable\n", script);
    return code;
}

const cli_cmd_t cmd_plot_def = {
    .name = "plot",
    .synopsis = "RESULTS_DIR [--force]",
    .summary = "gnuplot PNG/SVG plots of a sweep or flushcost result",
    .handler = cmd_plot,
    .needs_hdf5 = true,
};
