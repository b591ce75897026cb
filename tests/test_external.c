/* test_external.c - external readers (reader_kind h5py, watch, cmd) with the
 * real h5swmr program: real runs, real client processes written here, real
 * signals; each test asserts what the report says about every reader. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "testutil.h"
#include "util.h"

TestSuite(external, .init = tu_setup, .fini = tu_teardown, .timeout = 90);

static char g_out[32768];

/* A short collector: 5 channels, 10 flushes a second for 1.5 s, readers
 * polling every 20 ms, results under tu_dir()/results. */
static const char *const base_ini = "[global]\nduration = 1.5\nsample_rate = 1000\nblock_samples = 100\n"
                                    "poll_ms = 20\nquiet = true\nstop_timeout = 2\n";

/* Runs 'h5swmr run' on a scenario of base_ini plus extra, with results and
 * the data file under tu_dir(); returns the exit status. */
static int run_with(const char *extra)
{
    char text[4096];
    snprintf(text, sizeof text, "%sresults_dir = %s\n%s", base_ini, tu_path("results"), extra);
    const char *ini = tu_path("x.ini");
    cr_assert_eq(tu_write_text(ini, text), 0);
    const char *argv[] = {H5SWMR_BIN, "run", ini, NULL};
    int status;
    g_out[0] = '\0';
    cr_assert_eq(tu_run(argv, 60000, &status, g_out, sizeof g_out), 0, "h5swmr run did not finish: %s", g_out);
    cr_assert(WIFEXITED(status), "h5swmr run: %s\n%s", tu_status_str(status), g_out);
    return WEXITSTATUS(status);
}

/* The report's line of reader n ("reader N   ..."), copied into out. */
static const char *row(int n, char *out, size_t cap)
{
    char key[32];
    snprintf(key, sizeof key, "\nreader %d ", n);
    const char *p = strstr(g_out, key);
    cr_assert_not_null(p, "no report row for reader %d:\n%s", n, g_out);
    p++;
    size_t len = strcspn(p, "\n");
    snprintf(out, cap, "%.*s", (int)len, p);
    return out;
}

/* Asserts that reader n's row contains each of the NULL-terminated needles. */
static void row_has(int n, ...)
{
    char r[1024];
    row(n, r, sizeof r);
    va_list ap;
    va_start(ap, n);
    for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *))
        cr_assert(strstr(r, s), "reader %d's row lacks \"%s\": %s\n%s", n, s, r, g_out);
    va_end(ap);
}

/* The samples the writer wrote (its row's samples column). */
static unsigned long long writer_samples(void)
{
    const char *w = strstr(g_out, "\nwriter ");
    unsigned long long blocks, samples;
    cr_assert(w && sscanf(w, "\nwriter %*s %*s exit %*d %llu %llu", &blocks, &samples) == 2, "no writer row:\n%s",
              g_out);
    cr_assert_gt(samples, 0);
    return samples;
}

/* Asserts that reader n verified every sample the writer wrote. */
static void verified_all(int n)
{
    char r[1024], want[64];
    snprintf(want, sizeof want, " %llu samples verified", writer_samples());
    cr_assert(strstr(row(n, r, sizeof r), want), "reader %d did not say '%s': %s\n%s", n, want, r, g_out);
}

/* Writes an executable script into tu_dir(); returns its path. */
static const char *script(const char *name, const char *text)
{
    const char *p = tu_path(name);
    cr_assert_eq(tu_write_text(p, text), 0);
    cr_assert_eq(chmod(p, 0755), 0);
    return p;
}

/* The single run directory under results/. */
static void run_dir(char *out, size_t cap)
{
    DIR *d = opendir(tu_path("results"));
    cr_assert_not_null(d, "no results directory");
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            snprintf(out, cap, "%s/%s", tu_path("results"), e->d_name);
            n++;
        }
    closedir(d);
    cr_assert_eq(n, 1, "expected one run directory");
}

/* Whether process pid is gone: no such process, or a zombie (dead, not yet
 * reaped by init). */
static bool process_dead(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return true;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *close = strrchr(buf, ')');
    return close && close[1] == ' ' && (close[2] == 'Z' || close[2] == 'X');
}

Test(external, h5py_readers_verify_and_report_lag)
{
    if (!H5SWMR_PYTHON_OK)
        cr_skip_test("%s cannot import h5py", H5SWMR_PYTHON);
    char extra[512];
    snprintf(extra, sizeof extra, "readers = 2\nreader_kind = h5swmr,h5py\nreader_python = %s\nraw_logs = true\n",
             H5SWMR_PYTHON);
    cr_assert_eq(run_with(extra), 0, "%s", g_out);
    row_has(1, "refresh", "h5swmr", "exit 0", "lag p50", NULL);
    row_has(2, "external", "h5py", "exit 0", "lag p50", "p99", "samples verified", NULL);
    verified_all(2); /* every sample the writer wrote, on every channel */
    char dir[1200], path[1400];
    run_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/lag_reader2.csv", dir);
    unsigned char *buf;
    size_t len;
    cr_assert_eq(tu_read_file(path, &buf, &len), 0, "no %s", path);
    cr_assert(len > 50 && !strncmp((char *)buf, "reader,seq,samples,t_seen_ns,lag_ns,e2e_ns\n2,", 45), "%.200s", buf);
    free(buf);
    snprintf(path, sizeof path, "%s/summary.json", dir);
    cr_assert_eq(tu_read_file(path, &buf, &len), 0);
    cJSON *j = cJSON_ParseWithLength((const char *)buf, len);
    free(buf);
    const cJSON *p2 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "processes"), 2);
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(p2, "kind");
    cr_assert(cJSON_IsString(kind) && !strcmp(kind->valuestring, "h5py"), "summary.json: no kind h5py for reader 2");
    cJSON_Delete(j);
}

Test(external, watch_protocol_reader_verifies_and_reports_lag)
{
    cr_assert_eq(run_with("readers = 2\nreader_kind = h5swmr,watch\n"), 0, "%s", g_out);
    row_has(1, "h5swmr", "exit 0", "lag p50", NULL);
    row_has(2, "external", "watch", "exit 0", "lag p50", "p99", "samples verified", NULL);
    verified_all(2);
}

Test(external, a_wrong_sample_verdict_fails_the_run_as_a_verification_error)
{
    /* a client that reports sample 3 of the first channel as wrong */
    char extra[1024];
    const char *py = script("bad.py", "import os, time\n"
                                      "print(time.monotonic_ns(), os.environ['H5SWMR_FIRST_CHANNEL'], 10, 'bad=3',"
                                      " flush=True)\n"
                                      "time.sleep(100)\n");
    snprintf(extra, sizeof extra, "readers = 2\nreader_kind = h5swmr,cmd\nreader_cmd = %s %s\n", H5SWMR_PYTHON, py);
    cr_assert_eq(run_with(extra), 3, "%s", g_out);
    row_has(1, "exit 0", "lag p50", NULL);
    row_has(2, "bad.py", "exit 3",
            "external reader 2 (bad.py): /Experiment/Surveys/live_survey/Stations/MT001/run_001/ex[3]",
            "client's verdict", NULL);
}

Test(external, garbage_on_stdout_is_a_protocol_error_of_that_reader_only)
{
    char extra[1024];
    const char *sh = script("garbage.sh", "#!/bin/sh\necho '# a comment is fine'\necho 'not a protocol line'\n"
                                          "exec sleep 100\n");
    snprintf(extra, sizeof extra, "readers = 2\nreader_kind = h5swmr,cmd\nreader_cmd = %s\n", sh);
    cr_assert_eq(run_with(extra), 1, "%s", g_out);
    row_has(1, "exit 0", "lag p50", NULL);
    row_has(2, "garbage.sh", "exit 1",
            "external reader 2 (garbage.sh): line 2 is not 'T_NS PATH SAMPLES [ok|bad=I]': \"not a protocol line\"",
            NULL);
}

Test(external, a_time_in_the_future_is_a_protocol_error)
{
    char extra[1024];
    const char *py = script("future.py", "import os, time\n"
                                         "print(time.monotonic_ns() + 10**12, os.environ['H5SWMR_FIRST_CHANNEL'], 1,"
                                         " flush=True)\n"
                                         "time.sleep(100)\n");
    snprintf(extra, sizeof extra, "readers = 2\nreader_kind = h5swmr,cmd\nreader_cmd = %s %s\n", H5SWMR_PYTHON, py);
    cr_assert_eq(run_with(extra), 1, "%s", g_out);
    row_has(1, "exit 0", "lag p50", NULL);
    row_has(2, "exit 1", "line 1: T_NS", "is in the future", NULL);
}

Test(external, samples_going_back_is_a_protocol_error)
{
    char extra[1024];
    const char *py = script("back.py", "import os, time\n"
                                       "ch = os.environ['H5SWMR_FIRST_CHANNEL']\n"
                                       "print(time.monotonic_ns(), ch, 10, flush=True)\n"
                                       "print(time.monotonic_ns(), ch, 5, flush=True)\n"
                                       "time.sleep(100)\n");
    snprintf(extra, sizeof extra, "readers = 2\nreader_kind = h5swmr,cmd\nreader_cmd = %s %s\n", H5SWMR_PYTHON, py);
    cr_assert_eq(run_with(extra), 1, "%s", g_out);
    row_has(1, "exit 0", "lag p50", NULL);
    row_has(2, "exit 1",
            "line 2: SAMPLES of /Experiment/Surveys/live_survey/Stations/MT001/run_001/ex went back "
            "from 10 to 5",
            NULL);
}

Test(external, a_client_that_exits_at_once_is_reported_with_its_status)
{
    char extra[1024];
    const char *sh = script("early.sh", "#!/bin/sh\necho 'cannot open the file' >&2\nexit 1\n");
    snprintf(extra, sizeof extra, "readers = 2\nreader_kind = h5swmr,cmd\nreader_cmd = %s\n", sh);
    cr_assert_eq(run_with(extra), 1, "%s", g_out);
    row_has(1, "exit 0", "lag p50", NULL);
    row_has(2, "exit 1", "exited with status 1 before STOP", "its stderr ends: \"cannot open the file\"", NULL);
}

/* A client that prints nothing until STOP and then ends as asked was stopped
 * before it started observing (a slow start): reported, not a failure. */
Test(external, a_client_that_never_prints_is_reported)
{
    char extra[1024];
    const char *sh = script("silent.sh", "#!/bin/sh\nexec sleep 100\n");
    snprintf(extra, sizeof extra, "readers = 2\nreader_kind = h5swmr,cmd\nreader_cmd = %s\n", sh);
    cr_assert_eq(run_with(extra), 0, "%s", g_out);
    row_has(1, "exit 0", "lag p50", NULL);
    row_has(2, "silent.sh", "exit 0", "stopped before it started observing", NULL);
}

Test(external, a_client_that_ignores_sigterm_is_killed_and_nothing_is_left)
{
    char extra[1024], pidfile[1100];
    snprintf(pidfile, sizeof pidfile, "%s", tu_path("sleep.pid"));
    char text[2048];
    snprintf(text, sizeof text,
             "#!/bin/sh\ntrap '' TERM\nsleep 1000 &\necho $! > %s\n"
             "echo \"# started $!\"\nwait\n",
             pidfile);
    const char *sh = script("stubborn.sh", text);
    snprintf(extra, sizeof extra, "readers = 2\nreader_kind = h5swmr,cmd\nreader_cmd = %s\n", sh);
    cr_assert_eq(run_with(extra), 1, "%s", g_out);
    row_has(1, "exit 0", "lag p50", NULL);
    row_has(2, "exit 1", "ignored SIGTERM", "killed with SIGKILL", NULL);
    unsigned char *buf;
    size_t len;
    cr_assert_eq(tu_read_file(pidfile, &buf, &len), 0, "the client did not record its sleep's pid");
    pid_t pid = (pid_t)atoi((char *)buf);
    free(buf);
    cr_assert(pid > 1);
    cr_assert(process_dead(pid), "the client's 'sleep 1000' (pid %d) outlived the run", (int)pid);
}

Test(external, bad_values_are_refused_before_anything_is_created)
{
    static const char *const bad[] = {
        "reader_kind = h5swmr,bogus\n",
        "reader_kind = cmd\n",
        "reader_kind = cmd\nreader_cmd =\n",
        "reader_kind = cmd\nreader_cmd = '\n",
        "reader_kind = cmd\nreader_cmd = /nonexistent/monitor --x\n",
        "reader_kind = cmd\nreader_cmd = no-such-program-h5swmr\n",
        "reader_kind = h5py\nreader_python = /nonexistent/python3\n",
    };
    static const char *const says[] = {"'bogus' is not one of", "needs reader_cmd",  "empty command", "unterminated",
                                       "not an executable",     "not an executable", "reader_python"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char extra[512];
        snprintf(extra, sizeof extra, "readers = 1\nfile = %s\n%s", tu_path("data.mth5"), bad[i]);
        cr_assert_eq(run_with(extra), 2, "%s: %s", bad[i], g_out);
        cr_assert(strstr(g_out, says[i]), "%s: the message does not say '%s': %s", bad[i], says[i], g_out);
        cr_assert_eq(strchr(g_out, '\n'), g_out + strlen(g_out) - 1, "%s: more than one line: %s", bad[i], g_out);
        cr_assert(!tu_exists(tu_path("results")) && !tu_exists(tu_path("data.mth5")), "%s: something was created",
                  bad[i]);
    }
}

Test(external, a_sweep_compares_reader_kinds_in_its_reader_kind_column)
{
    /* h5py's client handles SIGTERM itself: under a sweep (whose orchestrator
     * blocks SIGTERM) it must still receive it */
    const char *kinds = H5SWMR_PYTHON_OK ? "h5swmr,watch,h5py" : "h5swmr,watch";
    char text[2048];
    snprintf(text, sizeof text,
             "[global]\nduration = 1\nreaders = 1\nsample_rate = 1000\nblock_samples = 100\npoll_ms = 20\n"
             "quiet = true\nbaselines = false\nwarmup = false\nstop_timeout = 2\nreader_python = %s\n"
             "results_dir = %s\nsweep = reader_kind=%s\n",
             H5SWMR_PYTHON, tu_path("results"), kinds);
    const char *ini = tu_path("sw.ini");
    cr_assert_eq(tu_write_text(ini, text), 0);
    const char *argv[] = {H5SWMR_BIN, "sweep", ini, "--no-plot", NULL};
    int status;
    cr_assert_eq(tu_run(argv, 60000, &status, g_out, sizeof g_out), 0, "sweep did not finish: %s", g_out);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s\n%s", tu_status_str(status), g_out);
    char dir[1200], path[1400];
    run_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no %s", path);
    char line[4096];
    cr_assert_not_null(fgets(line, sizeof line, f));
    line[strcspn(line, "\n")] = '\0';
    /* the reader_kind and errors columns, by name */
    int errors_col = -1, kind_col = -1, col = 0;
    for (char *s = line, *t; (t = strsep(&s, ",")); col++) {
        if (!strcmp(t, "errors"))
            errors_col = col;
        if (!strcmp(t, "reader_kind"))
            kind_col = col;
    }
    cr_assert_geq(errors_col, 0);
    cr_assert_geq(kind_col, 0, "no reader_kind column");
    char seen[256] = "";
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        col = 0;
        for (char *s = line, *t; (t = strsep(&s, ",")); col++) {
            if (col == errors_col)
                cr_assert_str_eq(t, "0", "a row with errors: %s", g_out);
            if (col == kind_col) {
                strcat(seen, t);
                strcat(seen, ",");
            }
        }
    }
    fclose(f);
    char want[64];
    snprintf(want, sizeof want, "%s,", kinds);
    cr_assert_str_eq(seen, want, "rows' reader_kind");
}

Test(external, external_readers_survive_the_writer_being_killed)
{
    char extra[512];
    snprintf(extra, sizeof extra,
             "readers = 3\nreader_kind = h5swmr,watch,%s\nreader_python = %s\n"
             "kill_writer_after_ms = 700\n",
             H5SWMR_PYTHON_OK ? "h5py" : "watch", H5SWMR_PYTHON);
    cr_assert_eq(run_with(extra), 0, "%s", g_out);
    cr_assert(strstr(g_out, "writer SIGKILLed"), "%s", g_out);
    row_has(1, "h5swmr", "exit 0", NULL);
    row_has(2, "watch", "exit 0", "samples verified", NULL);
    /* on a loaded machine the h5py client may still be importing h5py when
     * the writer dies 0.7 s in: then it is stopped before it started
     * observing, which is not a failure either */
    char r3[1024];
    row(3, r3, sizeof r3);
    cr_assert(strstr(r3, H5SWMR_PYTHON_OK ? "h5py" : "watch") && strstr(r3, "exit 0") &&
                  (strstr(r3, "samples verified") || strstr(r3, "stopped before it started observing")),
              "%s", r3);
}

/* A long run in miniature for an external reader: lag in its first and last
 * windows, and the client's own resident memory (an h5py process is tens of
 * MB, far more than the adapter) once settled and at STOP. */
Test(external, long_run_windows_and_the_clients_memory)
{
    if (!H5SWMR_PYTHON_OK)
        cr_skip_test("%s cannot import h5py", H5SWMR_PYTHON);
    char extra[512];
    snprintf(extra, sizeof extra,
             "readers = 1\nreader_kind = h5py\nreader_python = %s\nduration = 5\nsample_rate = 2000\n"
             "block_samples = 20\npoll_ms = 5\nlag_window_s = 1\nrss_settle_s = 2\n",
             H5SWMR_PYTHON);
    cr_assert_eq(run_with(extra), 0, "%s", g_out);
    cr_assert(strstr(g_out, "resident memory growth after the first 2 s (KiB):"), "%s", g_out);
    cr_assert(strstr(g_out, "lag by 1 s window, reader 1: first p50"), "%s", g_out);
    char dir[1200], path[1400];
    run_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/summary.json", dir);
    unsigned char *buf;
    size_t len;
    cr_assert_eq(tu_read_file(path, &buf, &len), 0);
    cJSON *j = cJSON_ParseWithLength((const char *)buf, len);
    free(buf);
    const cJSON *p1 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "processes"), 1);
    const cJSON *settled = cJSON_GetObjectItemCaseSensitive(p1, "rss_settled_kib");
    const cJSON *end = cJSON_GetObjectItemCaseSensitive(p1, "rss_end_kib");
    cr_assert(cJSON_IsNumber(settled) && cJSON_IsNumber(end), "no client memory in summary.json");
    cr_assert_gt(settled->valuedouble, 10000, "client RSS %g KiB: not the Python process's", settled->valuedouble);
    cr_assert_gt(end->valuedouble, 10000);
    const cJSON *last = cJSON_GetObjectItemCaseSensitive(p1, "lag_last_window");
    cr_assert_not_null(last, "no last window");
    cr_assert_gt(cJSON_GetObjectItemCaseSensitive(last, "n")->valuedouble, 10);
    cJSON_Delete(j);
}

/* An external reader whose start delay outlasts the run never starts its
 * client and is no error. */
Test(external, a_delay_longer_than_the_run_starts_no_client)
{
    cr_assert_eq(run_with("readers = 2\nreader_kind = h5swmr,watch\nreader_delay_s = 0,60\n"), 0, "%s", g_out);
    row_has(2, "watch", "exit 0", "stopped before its start delay ended", NULL);
    cr_assert_null(strstr(g_out, "ERROR"), "%s", g_out);
}

/* ---- issue 18: clients that misbehave at the edges ------------------------ */

/* Whether the len bytes at buf are valid UTF-8 without C1 control
 * characters (U+0080-U+009F); *why says where they are not. */
static bool clean_utf8(const unsigned char *buf, size_t len, char *why, size_t cap)
{
    for (size_t i = 0; i < len;) {
        unsigned char c = buf[i];
        size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
        uint32_t cp = n == 1 ? c : n == 2 ? c & 0x1f : n == 3 ? c & 0x0f : c & 0x07;
        bool ok = n > 0 && i + n <= len;
        for (size_t k = 1; ok && k < n; k++) {
            ok = (buf[i + k] & 0xc0) == 0x80;
            cp = cp << 6 | (buf[i + k] & 0x3f);
        }
        ok = ok && !(n == 2 && cp < 0x80) && !(n == 3 && cp < 0x800) && !(n == 4 && (cp < 0x10000 || cp > 0x10ffff)) &&
             !(cp >= 0xd800 && cp <= 0xdfff);
        if (!ok || (cp >= 0x80 && cp <= 0x9f)) {
            snprintf(why, cap, "%s at byte %zu: \"%.40s\"", ok ? "a C1 control character" : "invalid UTF-8", i,
                     (const char *)buf + (i > 20 ? i - 20 : 0));
            return false;
        }
        i += n;
    }
    return true;
}

/* Kills process pid if it is still alive and returns whether it was gone. */
static bool gone_or_killed(pid_t pid)
{
    if (process_dead(pid))
        return true;
    kill(pid, SIGKILL);
    return false;
}

/* Item 4: a grandchild of the client in a session of its own, ignoring
 * SIGTERM and holding the client's stdout and the data file, is ended with
 * the run (the adapter is its subreaper and kills every descendant). */
Test(external, a_descendant_in_its_own_session_does_not_outlive_the_run)
{
    char extra[2048];
    const char *pidfile = tu_path("grandchild.pid");
    const char *py =
        script("escape.py", "import os, signal, sys, time\n"
                            "a = os.fork()\n"
                            "if a == 0:\n"
                            "    os.setsid()\n"
                            "    b = os.fork()\n"
                            "    if b == 0:\n"
                            "        signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                            "        fd = os.open(os.environ['H5SWMR_FILE'], os.O_RDONLY)\n"
                            "        os.set_inheritable(fd, True)\n"
                            "        os.execvp('sleep', ['sleep', '1000'])\n"
                            "    with open(sys.argv[1], 'w') as f:\n"
                            "        f.write(str(b))\n"
                            "    os._exit(0)\n"
                            "os.waitpid(a, 0)\n"
                            "print(time.monotonic_ns(), os.environ['H5SWMR_FIRST_CHANNEL'], 0, flush=True)\n"
                            "time.sleep(100)\n");
    snprintf(extra, sizeof extra,
             "duration = 0.5\nstop_timeout = 1\nreaders = 2\nreader_kind = h5swmr,cmd\nreader_cmd = %s %s %s\n",
             H5SWMR_PYTHON, py, pidfile);
    int rc = run_with(extra);
    unsigned char *buf;
    size_t len;
    cr_assert_eq(tu_read_file(pidfile, &buf, &len), 0, "the client did not record its grandchild's pid: %s", g_out);
    pid_t pid = (pid_t)atoi((char *)buf);
    free(buf);
    cr_assert(pid > 1);
    cr_assert(gone_or_killed(pid), "the client's grandchild (pid %d, its own session) outlived the run", (int)pid);
    cr_assert_eq(rc, 0, "%s", g_out);
    row_has(2, "exit 0", NULL); /* the kind column may name the client */
}

/* Item 5: 8 MB on stderr leave a log of its first and last 64 KiB with a
 * line saying how much was dropped between them; the message quotes the
 * last line. */
Test(external, a_client_flooding_stderr_leaves_a_bounded_log)
{
    char extra[1024];
    const char *py = script("flood.py", "import sys\n"
                                        "sys.stderr.write('FIRST LINE\\n')\n"
                                        "sys.stderr.write(('x' * 99 + '\\n') * 80000)\n"
                                        "sys.stderr.write('the last words\\n')\n"
                                        "sys.stderr.flush()\n"
                                        "sys.exit(1)\n");
    snprintf(extra, sizeof extra, "duration = 0.5\nreaders = 2\nreader_kind = h5swmr,cmd\nreader_cmd = %s %s\n",
             H5SWMR_PYTHON, py);
    int rc = run_with(extra);
    char dir[1200], path[1400];
    run_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/client_reader2.log", dir);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0, "no %s", path);
    cr_assert_leq(st.st_size, 2 * 65536 + 256, "client_reader2.log has %lld bytes", (long long)st.st_size);
    unsigned char *buf;
    size_t len;
    cr_assert_eq(tu_read_file(path, &buf, &len), 0);
    cr_assert(len > 2 * 65536 && !strncmp((char *)buf, "FIRST LINE\n", 11), "the log's head: %.40s", buf);
    cr_assert(len > 15 && !memcmp(buf + len - 15, "the last words\n", 15), "the log's tail: %.40s", buf + len - 40);
    char want[160];
    snprintf(want, sizeof want, "[h5swmr: %d bytes of the client's stderr dropped here", 8000026 - 2 * 65536);
    cr_assert(memmem(buf, len, want, strlen(want)), "the log does not say '%s'", want);
    free(buf);
    cr_assert_eq(rc, 1, "%s", g_out);
    row_has(2, "exit 1", "exited with status 1 before STOP", "its stderr ends: \"the last words\"", NULL);
}

/* Item 8: bytes that are not UTF-8, C1 control characters and an excerpt
 * that would cut a character reach neither the terminal nor summary.json:
 * both stay valid UTF-8 without C1 characters, excerpts end on a character. */
Test(external, client_bytes_that_are_not_text_stay_out_of_the_terminal_and_json)
{
    char extra[1024];
    const char *py = script("bytes.py", "import os, sys, time\n"
                                        "out, i = sys.stdout.buffer, sys.argv[1]\n"
                                        "t = str(time.monotonic_ns()).encode()\n"
                                        "ch = os.environ['H5SWMR_FIRST_CHANNEL'].encode()\n"
                                        "if i == '2':\n" /* the 60-byte excerpt would cut the e-acute */
                                        "    out.write(b'y' * 59 + '\\u00e9'.encode() + b' is no protocol line\\n')\n"
                                        "elif i == '3':\n"
                                        "    out.write(b'\\xc2\\x9b31m\\x9b2J\\xff\\xfe\\xe2\\x82 not a line\\n')\n"
                                        "else:\n"
                                        "    out.write(t + b' /bad\\xff\\xc2\\x9b\\x9bpath 10 bad=3\\n')\n"
                                        "out.flush()\n"
                                        "time.sleep(100)\n");
    snprintf(extra, sizeof extra,
             "duration = 0.5\nreaders = 4\nreader_kind = h5swmr,cmd,cmd,cmd\nreader_cmd = %s %s {index}\n",
             H5SWMR_PYTHON, py);
    int rc = run_with(extra);
    char why[200];
    cr_assert(clean_utf8((const unsigned char *)g_out, strlen(g_out), why, sizeof why), "the terminal got %s\n%s", why,
              g_out);
    char dir[1200], path[1400];
    run_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/summary.json", dir);
    unsigned char *buf;
    size_t len;
    cr_assert_eq(tu_read_file(path, &buf, &len), 0);
    cr_assert(clean_utf8(buf, len, why, sizeof why), "summary.json has %s", why);
    cJSON *j = cJSON_ParseWithLength((const char *)buf, len);
    free(buf);
    cr_assert_not_null(j, "summary.json is not JSON");
    const cJSON *m2 = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "processes"), 2), "message");
    cr_assert(cJSON_IsString(m2), "no message of reader 2");
    char want[128];
    snprintf(want, sizeof want, "\"%.59s...\"", "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy");
    cr_assert(strstr(m2->valuestring, want), "reader 2's excerpt does not end on a character: %s", m2->valuestring);
    cJSON_Delete(j);
    cr_assert_eq(rc, 3, "%s", g_out);
    row_has(2, "exit 1", "line 1 is not", NULL);
    row_has(3, "exit 1", "line 1 is not", "?31m?2J", NULL);
    row_has(4, "exit 3", "/bad?", "path[3] is wrong", NULL);
}

/* Item 9: SAMPLES past what the writer wrote, and a bad= index that is not
 * one of the samples reported, are protocol errors, not verified samples or
 * data of a failed flush. */
Test(external, samples_and_bad_indexes_out_of_range_are_protocol_errors)
{
    char extra[1024];
    const char *py = script("range.py", "import os, sys, time\n"
                                        "ch = os.environ['H5SWMR_FIRST_CHANNEL']\n"
                                        "t = time.monotonic_ns()\n"
                                        "if sys.argv[1] == '2':\n"
                                        "    print(t, ch, 18446744073709551615, 'ok', flush=True)\n"
                                        "    print(t, ch + 'x', 18446744073709551615, 'ok', flush=True)\n"
                                        "else:\n"
                                        "    print(t, ch, 10, 'bad=18446744073709551615', flush=True)\n"
                                        "time.sleep(100)\n");
    snprintf(extra, sizeof extra,
             "duration = 0.5\nreaders = 3\nreader_kind = h5swmr,cmd,cmd\nreader_cmd = %s %s {index}\n", H5SWMR_PYTHON,
             py);
    int rc = run_with(extra);
    cr_assert_eq(rc, 1, "%s", g_out);
    row_has(1, "exit 0", "lag p50", NULL);
    row_has(2, "exit 1", "line 1: SAMPLES 18446744073709551615 of", "more than the writer wrote", NULL);
    row_has(3, "exit 1", "line 1: bad=18446744073709551615 is not one of the 10 samples", NULL);
    cr_assert_null(strstr(g_out, "data of a flush that failed"), "%s", g_out);
}

/* Item 12: reader_cmd errors that used to show only once the run had made its
 * directory and data file - too many words, a word too long once {file} is
 * replaced, a placeholder as the program, a script whose #! interpreter does
 * not exist (also for reader_python) - are refused before anything is made. */
Test(external, reader_cmd_errors_are_refused_before_anything_is_created)
{
    char words[1024] = "/bin/echo";
    for (int i = 0; i < 127; i++)
        strcat(words, " w");
    char longword[512] = "/bin/echo ";
    for (int i = 0; i < 40; i++)
        strcat(longword, "{file}");
    const char *noint = script("noint.sh", "#!/nonexistent/interpreter\n");
    char noint_cmd[1100], noint_py[1100];
    snprintf(noint_cmd, sizeof noint_cmd, "reader_kind = cmd\nreader_cmd = %s --x\n", noint);
    snprintf(noint_py, sizeof noint_py, "reader_kind = h5py\nreader_python = %s\n", noint);
    char many[1200], toolong[700];
    snprintf(many, sizeof many, "reader_kind = cmd\nreader_cmd = %s\n", words);
    snprintf(toolong, sizeof toolong, "reader_kind = cmd\nreader_cmd = %s\n", longword);
    const char *const bad[] = {many,
                               toolong,
                               "reader_kind = cmd\nreader_cmd = {file} --x\n",
                               "reader_kind = cmd\nreader_cmd = /opt/{index}/monitor\n",
                               noint_cmd,
                               noint_py};
    static const char *const says[] = {"more than 127 words",
                                       "longer than 8191 characters",
                                       "'{file}' cannot be the program",
                                       "'/opt/{index}/monitor' cannot be the program",
                                       "#!/nonexistent/interpreter",
                                       "#!/nonexistent/interpreter"};
    /* a data file path of 230 characters: 40 times {file} is over 9000 */
    char name[256];
    memset(name, 'f', 224);
    snprintf(name + 224, sizeof name - 224, ".mth5");
    char data[1200]; /* tu_path's buffers rotate */
    snprintf(data, sizeof data, "%s", tu_path(name));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char extra[2400];
        snprintf(extra, sizeof extra, "readers = 1\nfile = %s\n%s", data, bad[i]);
        cr_assert_eq(run_with(extra), 2, "%s: %s", bad[i], g_out);
        cr_assert(strstr(g_out, says[i]), "%s: the message does not say '%s': %s", bad[i], says[i], g_out);
        cr_assert_eq(strchr(g_out, '\n'), g_out + strlen(g_out) - 1, "%s: more than one line: %s", bad[i], g_out);
        cr_assert(!tu_exists(tu_path("results")) && !tu_exists(data), "%s: something was created", bad[i]);
    }
    /* {h5swmr} is a program, and {file} once in a word of a long path is fine */
    char ok[1400];
    snprintf(ok, sizeof ok,
             "duration = 0.5\nreaders = 2\nfile = %s\nreader_kind = h5swmr,cmd\n"
             "reader_cmd = {h5swmr} watch {file} --protocol --interval {poll_s}\n",
             data);
    cr_assert_eq(run_with(ok), 0, "%s", g_out);
    row_has(2, "exit 0", "samples verified", NULL);
}

/* Item 8, the two central places: cli_one_line (every text echoed to the
 * terminal) and h5s_json_text (every JSON file written). */
Test(external, text_for_the_terminal_and_json_is_valid_utf8)
{
    char t[] = "ok \xc3\xa9 \xe2\x82\xac\tC1:\xc2\x9b raw:\x9b\x80 bad:\xff\xc3x cut:\xe2\x82";
    cli_one_line(t);
    cr_assert_str_eq(t, "ok \xc3\xa9 \xe2\x82\xac?C1:? raw:?? bad:??x cut:??");
    char o[] = "\xc0\xaf overlong \xed\xa0\x80 surrogate \xf4\x90\x80\x80 past U+10FFFF \xf0\x9f\x98\x80";
    cli_one_line(o);
    cr_assert_str_eq(o, "?? overlong ??? surrogate ???? past U+10FFFF \xf0\x9f\x98\x80");
    /* a cut never ends inside a character */
    cr_assert_eq(cli_utf8_cut("ab\xc3\xa9", 3), 2);
    cr_assert_eq(cli_utf8_cut("ab\xe2\x82\xac", 4), 2);
    cr_assert_eq(cli_utf8_cut("ab\xe2\x82\xac", 5), 5);
    cr_assert_eq(cli_utf8_cut("abcdef", 3), 3);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "m", "a\xff b \xc3\xa9 \xe2\x82");
    cJSON_AddStringToObject(j, "k\x9b", "fine");
    char *text = h5s_json_text(j);
    cr_assert_not_null(text);
    char why[200];
    cr_assert(clean_utf8((const unsigned char *)text, strlen(text), why, sizeof why), "%s: %s", why, text);
    cr_assert(strstr(text, "\"a\xef\xbf\xbd b \xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd\""), "%s", text);
    cr_assert(strstr(text, "\"k\xef\xbf\xbd\""), "%s", text);
    free(text);
    cJSON_Delete(j);
}
