/* sweep_floor.c - the standalone floor beside a sweep: runs h5floor (plain C
 * on HDF5, none of h5swmr's code; bench/floor/h5floor.c) next to the SWMR run
 * of each repeat that it mirrors, and takes in its figures as the repeat's
 * floor, so that h5swmr's writer and reader are judged against what HDF5 and
 * the machine give a program with nothing else in its path, measured in the
 * same minutes. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sweep.h"
#include "util.h"

/* Output of h5floor kept, at most (a few lines are expected). */
#define FLOOR_OUT_MAX 8192

/* Whether h5floor's throughput loops mirror configuration s: a flat-out
 * writer of one float32 channel, a flush (H5Dflush) per block, chunk = block,
 * corked, uncompressed. */
static bool mirrors_throughput(const scn_t *s, int nch)
{
    return !s->realtime && nch == 1 && s->dtype == 0 && s->flush_every_blocks == 1 && s->flush_every_ms == 0 &&
           s->flush_call == SCN_DFLUSH && !s->compress && s->cork &&
           (s->chunk_samples == 0 || s->chunk_samples == s->block_samples) && s->workload == SCN_APPEND;
}

/* Whether h5floor's lag loop mirrors configuration s: a paced writer of one
 * float32 channel, a flush per block, random gaps within a period, and one
 * busy-polling h5swmr reader. */
static bool mirrors_lag(const scn_t *s, int nch)
{
    return s->realtime && nch == 1 && s->dtype == 0 && s->flush_every_blocks == 1 && s->flush_every_ms == 0 &&
           s->flush_call == SCN_DFLUSH && !s->compress && s->cork && s->readers == 1 && s->poll_ms == 0 &&
           s->reader_wait == SCN_WAIT_POLL && s->reader_mode == SCN_READER_H5SWMR &&
           scn_reader_kind(s, 0) == SCN_KIND_H5SWMR && s->pace_jitter == 1 && s->sample_rate > 0 &&
           s->duration_s >= 1 && s->workload == SCN_APPEND &&
           (s->chunk_samples == 0 || s->chunk_samples == s->block_samples);
}

bool sweep_floor_applies(const scn_t *s, int nch)
{
    return s->floor && (mirrors_throughput(s, nch) || mirrors_lag(s, nch));
}

/* The path of h5floor: beside the running h5swmr program (a build tree and
 * an installed bin/ alike). Returns 0, or -1. */
static int floor_path(char *out, size_t cap)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return -1;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (!slash)
        return -1;
    *slash = '\0';
    if ((size_t)snprintf(out, cap, "%s/h5floor", self) >= cap)
        return -1;
    return access(out, X_OK) == 0 ? 0 : -1;
}

/* Runs argv (h5floor) with its output (stdout and stderr) read into out
 * (NUL-terminated, at most FLOOR_OUT_MAX bytes kept) for at most timeout_s
 * seconds, in its own process group, killed with the group after that.
 * Returns its exit status, or -1 when it could not run, -2 when it timed
 * out, -3 when it was killed by a signal. */
static int run_capture(char *const argv[], double timeout_s, char *out)
{
    int p[2];
    out[0] = '\0';
    if (pipe2(p, O_CLOEXEC) != 0)
        return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL); /* the sweep keeps SIGINT blocked; h5floor need not */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(p[1], 1);
        dup2(p[1], 2);
        execv(argv[0], argv);
        _exit(127);
    }
    close(p[1]);
    size_t len = 0;
    int64_t deadline = h5s_now_ns() + (int64_t)(timeout_s * 1e9);
    bool timed_out = false;
    for (;;) {
        int64_t left = deadline - h5s_now_ns();
        if (left <= 0) {
            timed_out = true;
            break;
        }
        struct pollfd pf = {.fd = p[0], .events = POLLIN};
        int r = poll(&pf, 1, (int)(left / 1000000 + 1));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            continue;
        char buf[1024];
        ssize_t k = read(p[0], buf, sizeof buf);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        size_t take = (size_t)k < FLOOR_OUT_MAX - 1 - len ? (size_t)k : FLOOR_OUT_MAX - 1 - len;
        memcpy(out + len, buf, take);
        len += take;
        out[len] = '\0';
    }
    close(p[0]);
    if (timed_out)
        kill(-pid, SIGKILL);
    int st = 0;
    /* after EOF the program is ending; bounded all the same */
    for (int i = 0; waitpid(pid, &st, timed_out ? 0 : WNOHANG) == 0; i++) {
        if (i == 500) {
            kill(-pid, SIGKILL);
            timed_out = true;
            waitpid(pid, &st, 0);
            break;
        }
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
    if (timed_out)
        return -2;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -3;
}

/* The number after "key=" in the line that starts with "what=<what> ", or
 * -1 if there is none. */
static double field(const char *out, const char *what, const char *key)
{
    char head[32], k[40];
    snprintf(head, sizeof head, "what=%s ", what);
    snprintf(k, sizeof k, " %s=", key);
    for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, head, strlen(head)) != 0)
            continue;
        const char *end = strchr(l, '\n');
        const char *f = strstr(l, k);
        if (!f || (end && f > end))
            return -1;
        char *e;
        double v = strtod(f + strlen(k), &e);
        return e == f + strlen(k) ? -1 : v;
    }
    return -1;
}

/* The last line of out without its newline, for a message (at most 200 bytes). */
static const char *last_line(const char *out, char *buf, size_t cap)
{
    size_t n = strlen(out);
    while (n && out[n - 1] == '\n')
        n--;
    size_t s = n;
    while (s && out[s - 1] != '\n')
        s--;
    snprintf(buf, cap, "%.*s", (int)(n - s > 200 ? 200 : n - s), out + s);
    return buf;
}

int sweep_floor_run(const scn_t *s, int nch, const char *dir, sweep_base_t *base)
{
    if (!sweep_floor_applies(s, nch))
        return 1;
    char bin[PATH_MAX], block[32], mb[32], lag_s[32], pace[32], line[256];
    if (floor_path(bin, sizeof bin) != 0) {
        printf("        h5floor: not found beside the h5swmr program; no floor for this configuration\n");
        return -1;
    }
    long long bytes = (long long)s->block_samples * 4;
    snprintf(block, sizeof block, "%lld", bytes);
    bool lag = s->realtime;
    char *argv[16];
    int a = 0;
    argv[a++] = bin;
    argv[a++] = "--dir";
    argv[a++] = (char *)dir;
    argv[a++] = "--block";
    argv[a++] = block;
    if (lag) {
        snprintf(pace, sizeof pace, "%.6f", (double)s->block_samples / s->sample_rate * 1e3);
        snprintf(lag_s, sizeof lag_s, "%.3f", s->duration_s);
        argv[a++] = "--what";
        argv[a++] = "lag";
        argv[a++] = "--pace-ms";
        argv[a++] = pace;
        argv[a++] = "--lag-s";
        argv[a++] = lag_s;
    } else {
        /* what the run writes by its limits, as the writer preheats it (at most 1 GB) */
        double m = s->max_mb > 0 ? s->max_mb : 1000;
        if (s->max_blocks > 0 && (double)bytes * (double)s->max_blocks / 1e6 < m)
            m = (double)bytes * (double)s->max_blocks / 1e6;
        snprintf(mb, sizeof mb, "%.6f", m < 1000 ? m : 1000);
        argv[a++] = "--what";
        argv[a++] = "raw,swmr";
        argv[a++] = "--mb";
        argv[a++] = mb;
    }
    if (!s->warmup)
        argv[a++] = "--no-preheat";
    argv[a] = NULL;
    char *out = malloc(FLOOR_OUT_MAX);
    if (!out)
        return -1;
    int rc = run_capture(argv, 120 + (lag ? s->duration_s * 2 : 0), out);
    if (rc != 0) {
        printf("        h5floor: %s%s; no floor for this repeat\n",
               rc == -2   ? "timed out"
               : rc == -1 ? "could not be started"
               : rc == -3 ? "killed by a signal"
                          : "failed: ",
               rc > 0 ? last_line(out, line, sizeof line) : "");
        free(out);
        return -1;
    }
    if (lag) {
        base->floor_lag_p50_us = field(out, "lag", "p50_us");
        base->floor_lag_p99_us = field(out, "lag", "p99_us");
        base->floor_lag_events = field(out, "lag", "events");
        printf("        h5floor: busy-poll lag p50 %.1f us p99 %.1f us (%.0f events; the extent alone seen at p50 %.1f "
               "us, the data read after it)\n",
               base->floor_lag_p50_us, base->floor_lag_p99_us, base->floor_lag_events,
               field(out, "lag", "extent_p50_us"));
    } else {
        double ap = field(out, "swmr", "append_p50_us"), fl = field(out, "swmr", "flush_p50_us");
        base->floor_raw_io = field(out, "raw", "io_MBps");
        base->floor_io = field(out, "swmr", "io_MBps");
        base->floor_call = ap > 0 && fl > 0 ? (double)bytes / (ap + fl) : -1;
        printf("        h5floor: raw pwrite io %.1f MB/s; SWMR io %.1f MB/s, per-call p50 %.1f MB/s\n",
               base->floor_raw_io, base->floor_io, base->floor_call);
    }
    free(out);
    return 0;
}
