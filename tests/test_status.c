/* test_status.c - the live status line: the real h5swmr program under a real
 * pseudo-terminal (forkpty), and with stdout a pipe. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "orch.h"
#include "status.h"
#include "testutil.h"
#include "util.h"

TestSuite(status, .init = tu_setup, .fini = tu_teardown, .timeout = 60);

#define EL "\033[K"

/* A short real-time run: 20 flushed blocks a second, one channel, for 0.6 s. */
static const char *scenario(void)
{
    const char *p = tu_path("st.ini");
    cr_assert_eq(tu_write_text(p, "[global]\n"
                                  "workload = append\n"
                                  "duration = 0.6\n"
                                  "readers = 2\n"
                                  "channels = ex\n"
                                  "realtime = true\n"
                                  "sample_rate = 2000\n"
                                  "block_samples = 100\n"
                                  "flush_every_blocks = 1\n"
                                  "poll_ms = 20\n"
                                  "lag_warmup_ms = 0\n"
                                  "read_summary_table = false\n"
                                  "report_ms = 100\n"),
                 0);
    return p;
}

/* The -o results_dir=... of this test's directory. */
static const char *results_opt(void)
{
    static char o[4200];
    snprintf(o, sizeof o, "results_dir=%s", tu_path("results"));
    return o;
}

/* What a run under a pseudo-terminal wrote. */
typedef struct pty_out {
    char buf[1 << 18];
    size_t len;
    size_t resized_at; /* bytes read when the terminal was resized (0: never) */
    int status;
} pty_out_t;

/* Runs argv under a new pseudo-terminal cols columns wide and reads all it
 * writes into o; once the first status line has come and resize_to > 0, the
 * terminal is made resize_to columns wide (TIOCSWINSZ, SIGWINCH). Bounded by
 * 30 s (then killed). */
static void run_pty(const char *const argv[], int cols, int resize_to, pty_out_t *o)
{
    struct winsize ws = {.ws_row = 24, .ws_col = (unsigned short)cols};
    int master;
    memset(o, 0, sizeof *o);
    pid_t pid = forkpty(&master, NULL, NULL, &ws);
    cr_assert_geq(pid, 0, "forkpty: %s", strerror(errno));
    if (pid == 0) {
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int64_t deadline = h5s_now_ns() + 30000000000LL;
    for (;;) {
        int64_t left = (deadline - h5s_now_ns()) / 1000000;
        if (left <= 0)
            break;
        struct pollfd pf = {.fd = master, .events = POLLIN};
        int r = poll(&pf, 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        ssize_t n = read(master, o->buf + o->len, sizeof o->buf - 1 - o->len);
        if (n <= 0)
            break; /* EIO: every writer of the terminal has closed it */
        o->len += (size_t)n;
        o->buf[o->len] = '\0';
        if (resize_to > 0 && !o->resized_at && strstr(o->buf, "elapsed")) {
            struct winsize nw = {.ws_row = 24, .ws_col = (unsigned short)resize_to};
            cr_assert_eq(ioctl(master, TIOCSWINSZ, &nw), 0, "TIOCSWINSZ: %s", strerror(errno));
            o->resized_at = o->len;
        }
        if (o->len == sizeof o->buf - 1)
            break;
    }
    close(master);
    h5s_child_t c = {.pid = pid, .to = -1, .from = -1};
    int w = h5s_child_wait(&c, deadline);
    if (w == 0) {
        h5s_child_end(&c, 1000000000LL);
        cr_assert_fail("h5swmr did not end within 30 s under the pseudo-terminal:\n%s", o->buf);
    }
    o->status = c.status;
}

/* The status lines drawn in the output: each text between a carriage return
 * and the erase-to-end-of-line sequence that ends it (a clear alone gives
 * an empty one, skipped). Calls fn on each with its offset; returns the
 * count of non-empty ones. */
static int each_status(const pty_out_t *o, void (*fn)(const char *s, size_t n, size_t at, void *arg), void *arg)
{
    int count = 0;
    const char *p = o->buf;
    while ((p = strstr(p, EL)) != NULL) {
        const char *b = p;
        while (b > o->buf && b[-1] != '\r' && b[-1] != '\n')
            b--;
        if (p > b) {
            count++;
            if (fn)
                fn(b, (size_t)(p - b), (size_t)(b - o->buf), arg);
        }
        p += strlen(EL);
    }
    return count;
}

typedef struct width_check {
    int cols;
    size_t from; /* only the lines drawn after this offset */
    int checked;
} width_check_t;

/* Fails when a status line is wider than the terminal allows (its last
 * column stays free, so that the line never wraps). */
static void check_width(const char *s, size_t n, size_t at, void *arg)
{
    width_check_t *w = arg;
    if (at < w->from)
        return;
    w->checked++;
    cr_expect_lt((int)n, w->cols, "a status line of %zu characters on a terminal of %d columns: '%.*s'", n, w->cols,
                 (int)n, s);
}

typedef struct has_all {
    bool found;
    char line[512];
} has_all_t;

/* Whether a status line holds the run's fields at once: elapsed time and
 * ETA, the writer's MB/s and flushes, both readers' samples and lag p99. */
static void check_fields(const char *s, size_t n, size_t at, void *arg)
{
    (void)at;
    has_all_t *h = arg;
    char line[512];
    snprintf(line, sizeof line, "%.*s", (int)n, s);
    if (strstr(line, "elapsed") && strstr(line, "ETA") && strstr(line, "MB/s") && strstr(line, "flushes") &&
        strstr(line, "r1 ") && strstr(line, "r2 ") && strstr(line, "p99") && strstr(line, "err") && !h->found) {
        h->found = true;
        snprintf(h->line, sizeof h->line, "%s", line);
    }
}

/* Every line a process of the run printed starts on a line of its own: the
 * status line was cleared before it (or it follows another such line). */
static void expect_no_interleaving(const pty_out_t *o)
{
    static const char *const who[] = {"[Writer]", "[Reader 1]", "[Reader 2]"};
    int seen = 0;
    for (size_t k = 0; k < 3; k++)
        for (const char *p = strstr(o->buf, who[k]); p; p = strstr(p + 1, who[k])) {
            seen++;
            bool own_line = p[-1] == '\n' || (p - o->buf >= 4 && !memcmp(p - 4, "\r" EL, 4));
            cr_expect(own_line, "'%s' printed after other text on its line: ...%.60s", who[k],
                      p - o->buf >= 60 ? p - 60 : o->buf);
        }
    cr_expect_gt(seen, 3, "the processes' own lines are missing:\n%s", o->buf);
}

Test(status, a_run_on_a_terminal_refreshes_one_line_in_place)
{
    const char *argv[] = {H5SWMR_BIN, "run", scenario(), "-o", results_opt(), NULL};
    pty_out_t *o = malloc(sizeof *o);
    cr_assert_not_null(o);
    run_pty(argv, 100, 0, o);
    cr_assert(WIFEXITED(o->status) && WEXITSTATUS(o->status) == 0, "%s\n%s", tu_status_str(o->status), o->buf);
    /* refreshed in place: carriage return, the line, erase to its end; more than once */
    int n = each_status(o, NULL, NULL);
    cr_expect_geq(n, 3, "%d status lines drawn:\n%s", n, o->buf);
    has_all_t h = {0};
    each_status(o, check_fields, &h);
    cr_expect(h.found, "no status line with elapsed, ETA, MB/s, flushes, r1, r2, p99 and errors:\n%s", o->buf);
    width_check_t w = {.cols = 100};
    each_status(o, check_width, &w);
    expect_no_interleaving(o);
    /* the final status line ends with a newline, and the usual report follows */
    const char *last = NULL;
    for (const char *p = strstr(o->buf, EL); p; p = strstr(p + 1, EL))
        last = p;
    cr_assert_not_null(last);
    cr_expect(!strncmp(last, EL "\r\n", strlen(EL) + 2), "the last status line does not end with a newline: %.40s",
              last);
    cr_expect(strstr(last, "\nprocess ") && strstr(last, "result: OK"),
              "the final report does not follow the status line:\n%s", last);
    cr_expect(strstr(o->buf, "done"), "the final status line does not say the run is done:\n%s", o->buf);
    free(o);
}

Test(status, a_narrow_or_resized_terminal_gets_lines_that_fit)
{
    const char *argv[] = {H5SWMR_BIN, "run", scenario(), "-o", results_opt(), NULL};
    pty_out_t *o = malloc(sizeof *o);
    cr_assert_not_null(o);
    /* 80 columns, then 40 once the first status line is there (SIGWINCH) */
    run_pty(argv, 80, 40, o);
    cr_assert(WIFEXITED(o->status) && WEXITSTATUS(o->status) == 0, "%s\n%s", tu_status_str(o->status), o->buf);
    cr_assert_gt(o->resized_at, 0, "no status line came:\n%s", o->buf);
    width_check_t wide = {.cols = 80};
    each_status(o, check_width, &wide);
    /* a line drawn just as the terminal was resized may still be as wide as before */
    const char *p = o->buf + o->resized_at;
    for (int k = 0; k < 2 && p; k++)
        if ((p = strstr(p, EL)))
            p += strlen(EL);
    cr_assert_not_null(p, "no status line after the resize:\n%s", o->buf);
    width_check_t narrow = {.cols = 40, .from = (size_t)(p - o->buf)};
    each_status(o, check_width, &narrow);
    cr_expect_geq(narrow.checked, 1, "no status line drawn after the resize:\n%s", o->buf);
    cr_expect(strstr(o->buf + narrow.from, "result: OK"), "the report is missing:\n%s", o->buf);
    free(o);
}

Test(status, off_on_a_terminal_draws_nothing)
{
    const char *argv[] = {H5SWMR_BIN, "run", scenario(), "-o", results_opt(), "-o", "status=off", NULL};
    pty_out_t *o = malloc(sizeof *o);
    cr_assert_not_null(o);
    run_pty(argv, 80, 0, o);
    cr_assert(WIFEXITED(o->status) && WEXITSTATUS(o->status) == 0, "%s\n%s", tu_status_str(o->status), o->buf);
    cr_expect_null(strstr(o->buf, EL), "status=off drew a status line:\n%s", o->buf);
    cr_expect_null(strstr(o->buf, "elapsed"), "status=off printed a status line:\n%s", o->buf);
    cr_expect(strstr(o->buf, "[Reader 1]") && strstr(o->buf, "result: OK"), "%s", o->buf);
    free(o);
}

/* Runs h5swmr with stdout a pipe; returns its output (static). */
static const char *run_piped(const char *const argv[])
{
    static char out[65536];
    int status;
    cr_assert_eq(tu_run(argv, 30000, &status, out, sizeof out), 0, "h5swmr did not finish: %s", out);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s\n%s", tu_status_str(status), out);
    return out;
}

Test(status, a_pipe_gets_plain_lines_every_report_ms)
{
    const char *argv[] = {H5SWMR_BIN, "run", scenario(), "-o", results_opt(), NULL};
    const char *out = run_piped(argv);
    int lines = 0;
    for (const char *p = strstr(out, "\nstatus: "); p; p = strstr(p + 1, "\nstatus: ")) {
        lines++;
        const char *e = strchr(p + 1, '\n');
        cr_assert_not_null(e);
        char line[600];
        snprintf(line, sizeof line, "%.*s", (int)(e - p - 1), p + 1);
        cr_expect(strstr(line, "elapsed") && strstr(line, "ETA") && strstr(line, "writer") &&
                      strstr(line, "reader 1:") && strstr(line, "reader 2:") && strstr(line, "error"),
                  "a plain status line lacks a field: %s", line);
    }
    /* 0.6 s of writing plus start-up, a line every 100 ms */
    cr_expect_geq(lines, 3, "%d plain status lines:\n%s", lines, out);
    cr_expect(strstr(out, "MB/s") && strstr(out, "flushes") && strstr(out, "lag p99"), "%s", out);
    cr_expect_null(strchr(out, '\r'), "a pipe got a carriage return:\n%s", out);
    cr_expect_null(strchr(out, '\033'), "a pipe got an escape sequence:\n%s", out);
    cr_expect(strstr(out, "result: OK"), "%s", out);
}

Test(status, a_quiet_run_on_a_pipe_prints_no_status)
{
    const char *argv[] = {H5SWMR_BIN, "run", scenario(), "-o", results_opt(), "-o", "quiet=true", NULL};
    const char *out = run_piped(argv);
    cr_expect_null(strstr(out, "status:"), "a quiet run printed status lines:\n%s", out);
    cr_expect_null(strstr(out, "elapsed"), "%s", out);
    cr_expect_null(strstr(out, "[Reader 1]"), "%s", out);
    cr_expect(strstr(out, "result: OK"), "%s", out);
}

/* ---- the line itself, from figures set by hand ------------------------------ */

/* A report and shared memory of a run of scenario text (key=value lines
 * separated by ';') with n readers, READY 2 s before now. */
static void fake_run(orch_report_t *rep, shm_t *shm, const char *kv, int n, int64_t now)
{
    memset(rep, 0, sizeof *rep);
    memset(shm, 0, sizeof *shm);
    scn_defaults(&rep->scn);
    char buf[512], msg[256];
    snprintf(buf, sizeof buf, "%s", kv);
    for (char *save = NULL, *it = strtok_r(buf, ";", &save); it; it = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(it, '=');
        cr_assert_not_null(eq);
        *eq = '\0';
        cr_assert_eq(scn_set(&rep->scn, it, eq + 1, msg, sizeof msg), 0, "%s", msg);
    }
    rep->nchildren = 1 + n;
    rep->children[0].role = ROLE_WRITER;
    for (int i = 1; i <= n; i++) {
        rep->children[i].role = ROLE_READER;
        rep->children[i].index = i;
    }
    rep->writer_ready = true;
    rep->t_begin_ns = now - 2500000000LL;
    rep->t_ready_ns = now - 2000000000LL;
}

Test(status, many_readers_are_summed_up_per_kind_and_the_eta_follows_max_blocks)
{
    orch_report_t *rep = malloc(sizeof *rep);
    shm_t *shm = malloc(sizeof *shm);
    cr_assert(rep && shm);
    int64_t now = h5s_now_ns();
    fake_run(rep, shm, "duration=0;max_blocks=300;reader_kind=h5swmr,watch", 6, now);
    atomic_store(&shm->progress[0].blocks, 100); /* a third in 2 s: 4 s to go */
    atomic_store(&shm->progress[0].bytes, 20000000);
    atomic_store(&shm->progress[0].flushes, 50);
    for (int i = 1; i <= 6; i++) {
        atomic_store(&shm->progress[i].seen, 1000u * (unsigned)i);
        atomic_store(&shm->progress[i].lag_n, 10);
        atomic_store(&shm->progress[i].lag_p99_ns, 1000000LL * i);
    }
    atomic_store(&shm->progress[4].t_error_ns, now); /* one process has failed */
    char line[1024];
    status_format(line, sizeof line, 0, rep, shm, NULL, false, false, now);
    cr_expect(strstr(line, "elapsed 2.5 s, ETA 4.0 s"), "%s", line);
    cr_expect(strstr(line, "writer 10.0 MB/s, 50 flushes"), "%s", line);
    cr_expect(strstr(line, "1 error |"), "%s", line);
    /* readers 1, 3, 5 are h5swmr's, 2, 4, 6 watch */
    cr_expect(strstr(line, "3 h5swmr readers: 1000..5000 samples, lag p99 1.0 ms..5.0 ms"), "%s", line);
    cr_expect(strstr(line, "3 watch readers: 2000..6000 samples, lag p99 2.0 ms..6.0 ms"), "%s", line);
    /* a sweep's place, and the narrow forms */
    status_outer_t outer = {.label = "run 3/17, config 2/6", .index = 3, .count = 17, .eta_after_s = 100};
    for (int cols = 20; cols <= 200; cols += 30) {
        size_t n = status_format(line, sizeof line, cols, rep, shm, &outer, false, false, now);
        cr_expect_lt((int)n, cols, "%d columns: %zu characters: %s", cols, n, line);
        cr_expect_eq(strlen(line), n);
    }
    status_format(line, sizeof line, 0, rep, shm, &outer, false, false, now);
    cr_expect(strstr(line, "run 3/17, config 2/6 | elapsed 2.5 s, ETA 1m44s"), "%s", line);
    /* where the full line does not fit, the readers' short form first */
    status_format(line, sizeof line, 160, rep, shm, &outer, false, false, now);
    cr_expect(strstr(line, "run 3/17, config 2/6 | "), "%s", line);
    cr_expect(strstr(line, "h5swmr x3 1000..5000 p99 1.0ms..5.0ms watch x3 2000..6000 p99 2.0ms..6.0ms"), "%s", line);
    /* the run is over: no ETA */
    status_format(line, sizeof line, 0, rep, shm, NULL, false, true, now);
    cr_expect(strstr(line, "elapsed 2.5 s, done |") && !strstr(line, "ETA"), "%s", line);
    free(rep);
    free(shm);
}
