/* test_bad_input.c - inputs that used to hang, cut or overflow: a FIFO given
 * as a scenario, sweeps of runaway size, long and repeated -s lists, a sample
 * rate whose pacing period outlasts the run. Each is the command a user would
 * type, run with the real program. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/wait.h>

#include "testutil.h"

TestSuite(bad_input, .init = tu_setup, .fini = tu_teardown, .timeout = 120);

static char g_out[16384];

static int run(const char *const *args)
{
    int status;
    cr_assert_eq(tu_run_args(H5SWMR_BIN, args, 30000, &status, g_out, sizeof g_out), 0, "h5swmr hung: %s", g_out);
    cr_assert(WIFEXITED(status), "%s", tu_status_str(status));
    return WEXITSTATUS(status);
}

static bool one_line(const char *s)
{
    const char *nl = strchr(s, '\n');
    return nl && !strchr(nl + 1, '\n');
}

Test(bad_input, a_fifo_as_scenario_is_refused_at_once)
{
    const char *fifo = tu_path("scenario.ini");
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    char res[1200];
    snprintf(res, sizeof res, "results_dir=%s", tu_path("results"));
    static const char *const cmds[] = {"run", "write", "sweep", "stress"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        const char *a[] = {cmds[i], fifo, "-o", res, NULL};
        cr_assert_eq(run(a), 2, "%s: %s", cmds[i], g_out);
        cr_assert(strstr(g_out, "not a regular file") && one_line(g_out), "%s: %s", cmds[i], g_out);
        cr_assert(!tu_exists(tu_path("results")), "%s created results for a FIFO", cmds[i]);
    }
    /* the conformance suite's expectation file, too */
    char dir[1300];
    snprintf(dir, sizeof dir, "--dir=%s", tu_dir());
    const char *e[] = {"check", dir, "--hdf5-expect", fifo, "--case", "swmr_with_w_refused", NULL};
    cr_assert_eq(run(e), 2, "%s", g_out);
    cr_assert(strstr(g_out, "not a regular file") && one_line(g_out), "%s", g_out);
}

/* A scenario with one flat-out job and no axes of its own but poll_ms. */
static const char *flat_ini(void)
{
    const char *p = tu_path("flat.ini");
    cr_assert_eq(tu_write_text(p, "[flat]\nrealtime = false\nmax_blocks = 3\nreaders = 0\nchannels = ex\n"
                                  "baselines = false\nsweep = poll_ms=1,2\n"),
                 0);
    return p;
}

Test(bad_input, runaway_sweeps_are_refused_before_anything_is_built)
{
    const char *ini = flat_ini();
    /* 10 axes of 10 values: 10^10 configurations, refused at once, also as a dry run */
    const char *keys[] = {"seed",      "readers",   "block_samples", "poll_ms",       "max_blocks",
                          "rescan_ms", "report_ms", "stop_timeout",  "ready_timeout", "chunk_samples"};
    char specs[10][200];
    const char *a[40] = {"sweep", ini, "--dry-run"};
    int n = 3;
    for (int k = 0; k < 10; k++) {
        snprintf(specs[k], sizeof specs[k], "%s=1,2,3,4,5,6,7,8,9,10", keys[k]);
        a[n++] = "-s";
        a[n++] = specs[k];
    }
    a[n] = NULL;
    cr_assert_eq(run(a), 2, "%s", g_out);
    cr_assert(strstr(g_out, "more than --max-runs 2000") && one_line(g_out), "%s", g_out);
    /* 4 axes of 10 (10,000 runs) are refused too, and run with a raised limit as a dry run */
    a[3 + 8] = NULL;
    cr_assert_eq(run(a), 2, "%s", g_out);
    a[11] = "--max-runs";
    a[12] = "20000";
    a[13] = NULL;
    cr_assert_eq(run(a), 0, "%s", g_out);
    cr_assert(strstr(g_out, "10000 configurations, 10000 runs, about "), "%s", g_out);
    const char *b[] = {"sweep", ini, "--max-runs", "0", NULL};
    cr_assert_eq(run(b), 2, "%s", g_out);
    const char *c[] = {"sweep", ini, "--max-runs", "nan", NULL};
    cr_assert_eq(run(c), 2, "%s", g_out);
}

Test(bad_input, sweep_lists_are_never_cut_and_replace_the_scenario_axis)
{
    const char *ini = flat_ini();
    /* -s replaces the scenario's poll_ms axis instead of failing as 'appears twice' */
    const char *a1[] = {"sweep", ini, "--dry-run", "-s", "poll_ms=5,6,7", NULL};
    cr_assert_eq(run(a1), 0, "%s", g_out);
    cr_assert(strstr(g_out, "3 configurations") && strstr(g_out, "poll_ms=7") && !strstr(g_out, "poll_ms=1 "), "%s",
              g_out);
    /* a list longer than 1024 characters: every value kept, the next axis too */
    char seeds[2048];
    int len = snprintf(seeds, sizeof seeds, "seed=");
    for (int v = 0; v < 64; v++)
        len += snprintf(seeds + len, sizeof seeds - (size_t)len, "%s%lld", v ? "," : "", 1000000000000000LL + v);
    cr_assert_gt(len, 1024);
    const char *a2[] = {"sweep", ini, "--dry-run", "-s", seeds, "-s", "readers=0", NULL};
    cr_assert_eq(run(a2), 0, "%s", g_out);
    cr_assert(strstr(g_out, "128 configurations"), "a value or an axis was dropped: %s", g_out);
    /* the same value twice is refused */
    const char *a3[] = {"sweep", ini, "--dry-run", "-s", "poll_ms=3,3.0", NULL};
    cr_assert_eq(run(a3), 2, "%s", g_out);
    cr_assert(strstr(g_out, "twice") && one_line(g_out), "%s", g_out);
}

Test(bad_input, a_pacing_period_longer_than_the_run_ends_on_time)
{
    char res[1200];
    snprintf(res, sizeof res, "results_dir=%s", tu_path("results"));
    char ini[1200];
    snprintf(ini, sizeof ini, "%s/scenarios/mth5_realtime.ini", H5SWMR_SOURCE_DIR);
    const char *a[] = {"run", ini, "-o", "sample_rate=1e-7", "-o", "duration=1", "-o", "readers=1", "-o", res, NULL};
    cr_assert_eq(run(a), 0, "%s", g_out);
    cr_assert(strstr(g_out, "result: OK") && !strstr(g_out, "overran"), "%s", g_out);
}

/* In a private mount namespace (the mount disappears with the child): an
 * 80 MB tmpfs at dir, a sweep into it, and the disk filled to the last byte
 * once the sweep has started its second run. Returns the sweep's exit status
 * (or 200 + a step that failed) and its output in out. */
static int child_full_disk(void *arg, int in_fd, int out_fd)
{
    (void)in_fd;
    const char *dir = arg;
    if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        return 201;
    if (mount("tmpfs", dir, "tmpfs", 0, "size=80m") != 0)
        return 202;
    char ini[1300], res[1300];
    snprintf(ini, sizeof ini, "%s.ini", dir);
    snprintf(res, sizeof res, "results_dir=%s", dir);
    const char *argv[] = {H5SWMR_BIN, "sweep", ini, "--no-plot", "-o", res, NULL};
    tu_proc_t p;
    if (tu_spawn(&p, argv) != 0)
        return 203;
    if (tu_proc_wait_output(&p, "[2/", 30000) != 0)
        return 204;
    char filler[1300];
    snprintf(filler, sizeof filler, "%s/filler", dir);
    FILE *f = fopen(filler, "w");
    static char block[1 << 16];
    while (f && fwrite(block, 1, sizeof block, f) == sizeof block)
        ;
    if (f)
        fclose(f);
    int status;
    if (tu_proc_finish(&p, 60000, &status) != 0)
        return 205;
    if (write(out_fd, p.buf, strlen(p.buf)) < 0)
        return 206;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 207;
}

Test(bad_input, a_disk_that_fills_during_a_sweep_is_reported_and_fails_it)
{
    if (geteuid() != 0)
        cr_skip_test("needs root for a private tmpfs");
    const char *dir = tu_path("full");
    char ini[1300];
    cr_assert_eq(mkdir(dir, 0755), 0);
    snprintf(ini, sizeof ini, "%s.ini", dir);
    tu_write_text(ini, "[paced]\nrealtime = true\nsample_rate = 20000\nblock_samples = 1000\nduration = 0.5\n"
                       "readers = 0\nchannels = ex\nquiet = true\nrepeat = 4\n");
    tu_child_t c;
    cr_assert_eq(tu_child_start(&c, child_full_disk, (void *)dir), 0);
    char out[16384] = "";
    size_t len = 0;
    char ch;
    int r;
    while (len + 1 < sizeof out && (r = tu_recv(c.from, &ch, 90000)) == 1)
        out[len++] = ch;
    out[len] = '\0';
    int status;
    cr_assert_eq(tu_child_finish(&c, 90000, &status), 0);
    cr_assert(WIFEXITED(status), "%s", tu_status_str(status));
    int code = WEXITSTATUS(status);
    if (code == 201 || code == 202)
        cr_skip_test("no private mount namespace or tmpfs here");
    cr_assert_eq(code, 1, "exit %d: %s", code, out);
    cr_assert(strstr(out, "No space left on device"), "%s", out);
    cr_assert(!strstr(out, "No child processes") && !strstr(out, "18446744073709551615"), "%s", out);
}

Test(bad_input, outputs_never_replace_what_the_command_did_not_make)
{
    char dir[1300];
    snprintf(dir, sizeof dir, "--dir=%s", tu_dir());
    /* a device is never written or replaced */
    const char *a1[] = {"check", dir, "--case", "swmr_with_w_refused", "--junit", "/dev/null", "--force", NULL};
    cr_assert_eq(run(a1), 2, "%s", g_out);
    struct stat st;
    cr_assert(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode), "/dev/null was replaced");
    /* an unrelated existing file is refused without --force, and the user's FILE.tmp is never touched */
    const char *mine = tu_path("report.xml"), *side = tu_path("report.xml.tmp");
    tu_write_text(mine, "mine\n");
    tu_write_text(side, "also mine\n");
    const char *a2[] = {"check", dir, "--case", "swmr_with_w_refused", "--junit", mine, NULL};
    cr_assert_eq(run(a2), 2, "%s", g_out);
    cr_assert(strstr(g_out, "--force") && one_line(g_out), "%s", g_out);
    cr_assert(tu_file_equals(mine, (const unsigned char *)"mine\n", 5), "the existing file was changed");
    const char *a3[] = {"check", dir, "--case", "swmr_with_w_refused", "--junit", mine, "--force", NULL};
    cr_assert_eq(run(a3), 0, "%s", g_out);
    unsigned char *xml;
    size_t len;
    cr_assert_eq(tu_read_file(mine, &xml, &len), 0);
    cr_assert(len > 5 && !memcmp(xml, "<?xml", 5), "--force did not write the report");
    free(xml);
    cr_assert(tu_file_equals(side, (const unsigned char *)"also mine\n", 10), "FILE.tmp was touched");
}

/* In a private mount namespace: a 1 MB tmpfs at dir and 'check --case
 * write_order' (41 MB of records) in it. Writes its output to out_fd and
 * returns its exit status, or 200 + a step that failed. */
static int child_small_disk(void *arg, int in_fd, int out_fd)
{
    (void)in_fd;
    const char *dir = arg;
    if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        return 201;
    if (mount("tmpfs", dir, "tmpfs", 0, "size=1m") != 0)
        return 202;
    char d[1300];
    snprintf(d, sizeof d, "--dir=%s", dir);
    const char *argv[] = {H5SWMR_BIN, "check", d, "--case", "write_order", NULL};
    char out[16384];
    int status;
    if (tu_run(argv, 60000, &status, out, sizeof out) != 0)
        return 203;
    if (write(out_fd, out, strlen(out)) < 0)
        return 204;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 205;
}

Test(bad_input, check_on_a_full_disk_says_so)
{
    if (geteuid() != 0)
        cr_skip_test("needs root for a private tmpfs");
    const char *dir = tu_path("small");
    cr_assert_eq(mkdir(dir, 0755), 0);
    tu_child_t c;
    cr_assert_eq(tu_child_start(&c, child_small_disk, (void *)dir), 0);
    char out[16384] = "";
    size_t len = 0;
    char ch;
    while (len + 1 < sizeof out && tu_recv(c.from, &ch, 90000) == 1)
        out[len++] = ch;
    out[len] = '\0';
    int status;
    cr_assert_eq(tu_child_finish(&c, 90000, &status), 0);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (code == 201 || code == 202)
        cr_skip_test("no private mount namespace or tmpfs here");
    cr_assert_eq(code, 1, "exit %d: %s", code, out);
    cr_assert(strstr(out, "No space left on device") && !strstr(out, "No child processes"), "%s", out);
}

Test(bad_input, stress_refuses_a_scenario_of_several_jobs)
{
    char ini[1300], res[1300];
    snprintf(ini, sizeof ini, "%s/scenarios/sweep_quick.ini", H5SWMR_SOURCE_DIR);
    snprintf(res, sizeof res, "results_dir=%s", tu_path("results"));
    const char *a[] = {"stress", ini, "--iterations", "1", "-o", res, NULL};
    cr_assert_eq(run(a), 2, "%s", g_out);
    cr_assert(strstr(g_out, "one job") && strstr(g_out, "[lag]") && one_line(g_out), "%s", g_out);
    cr_assert(!tu_exists(tu_path("results")), "a refused stress created results");
}
