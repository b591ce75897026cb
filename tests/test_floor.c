/* test_floor.c - the standalone floor (bench/floor/h5floor) and what the sweep
 * does with it, with the real programs on real files: h5floor's loops and
 * their output, its refusals, the sweep's floor figures and ratios, and the
 * preheated files the writers leave behind. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "testutil.h"

TestSuite(floor, .init = tu_setup, .fini = tu_teardown, .timeout = 120);

static char g_out[16384];

/* Runs argv; returns its exit status (asserts it ended within 100 s). */
static int run(const char *const argv[])
{
    int status;
    cr_assert_eq(tu_run(argv, 100000, &status, g_out, sizeof g_out), 0, "hung: %s", g_out);
    cr_assert(WIFEXITED(status), "%s: %s", tu_status_str(status), g_out);
    return WEXITSTATUS(status);
}

/* The number after " key=" on the output line that starts "what=<what> ";
 * asserts it is there. */
static double field(const char *what, const char *key)
{
    char head[32], k[40];
    snprintf(head, sizeof head, "what=%s ", what);
    snprintf(k, sizeof k, " %s=", key);
    const char *l = strstr(g_out, head);
    cr_assert_not_null(l, "no line %s in: %s", head, g_out);
    const char *end = strchr(l, '\n'), *f = strstr(l, k);
    cr_assert(f && (!end || f < end), "no %s on the %s line: %s", key, what, g_out);
    return strtod(f + strlen(k), NULL);
}

/* The number of entries of directory path (without . and ..). */
static int entries(const char *path)
{
    DIR *d = opendir(path);
    cr_assert_not_null(d, "%s", path);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

Test(floor, raw_and_swmr_loops_report_per_call_figures_and_leave_nothing)
{
    mkdir(tu_path("w"), 0755);
    const char *argv[] = {H5FLOOR_BIN, "--dir", tu_path("w"), "--block", "65536", "--mb", "4.194304", NULL};
    cr_assert_eq(run(argv), 0, "%s", g_out);
    /* 4 MiB in 64 KiB appends: 64 of each, every figure positive */
    cr_assert_eq(field("raw", "appends"), 64);
    cr_assert_eq(field("swmr", "appends"), 64);
    cr_assert_eq(field("swmr", "bytes"), 4194304);
    cr_assert_gt(field("raw", "io_MBps"), 0);
    cr_assert_gt(field("swmr", "io_MBps"), 0);
    cr_assert_gt(field("swmr", "append_p50_us"), 0);
    cr_assert_gt(field("swmr", "flush_p50_us"), 0);
    cr_assert_eq(field("swmr", "preheat"), 1);
    cr_assert_eq(entries(tu_path("w")), 0, "h5floor left files behind");
}

Test(floor, lag_loop_sees_every_append_of_a_paced_writer)
{
    mkdir(tu_path("w"), 0755);
    const char *argv[] = {H5FLOOR_BIN, "--dir",     tu_path("w"), "--what",  "lag", "--block",
                          "1024",      "--pace-ms", "2",          "--lag-s", "0.6", NULL};
    cr_assert_eq(run(argv), 0, "%s", g_out);
    /* 0.6 s at a block every 2 ms: about 300 appends, every one seen once */
    double ev = field("lag", "events");
    cr_assert(ev >= 250 && ev <= 301, "events %g: %s", ev, g_out);
    cr_assert_leq(field("lag", "p50_us"), field("lag", "p99_us"));
    cr_assert_leq(field("lag", "p99_us"), field("lag", "max_us"));
    cr_assert_eq(entries(tu_path("w")), 0, "h5floor left files behind");
}

Test(floor, refuses_bad_arguments_and_creates_nothing)
{
    mkdir(tu_path("w"), 0755);
    const char *bad[][8] = {
        {H5FLOOR_BIN, "--dir", NULL, "--block", "3", NULL},    {H5FLOOR_BIN, "--dir", NULL, "--mb", "nan", NULL},
        {H5FLOOR_BIN, "--dir", NULL, "--what", "bogus", NULL}, {H5FLOOR_BIN, "--dir", NULL, "--lag-s", "-1", NULL},
        {H5FLOOR_BIN, "--dir", NULL, "--bogus", "1", NULL},    {H5FLOOR_BIN, "--dir", NULL, "--block", NULL},
        {H5FLOOR_BIN, "--dir", "/nonexistent/h5floor", NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (!bad[i][2])
            bad[i][2] = tu_path("w");
        cr_assert_eq(run(bad[i]), 2, "case %zu: %s", i, g_out);
        cr_assert_not_null(strstr(g_out, "h5floor: "), "case %zu: no message: %s", i, g_out);
    }
    cr_assert_eq(entries(tu_path("w")), 0);
}

/* Writes a one-job scenario and runs h5swmr sweep on it (no plots);
 * returns its exit status. */
static int sweep(const char *job, const char *extra)
{
    char ini[4096], r[1200];
    snprintf(ini, sizeof ini,
             "[global]\nworkload = append\nsummary_upkeep = false\nread_summary_table = false\nquiet = true\n"
             "rescan_ms = 1000\n%s",
             job);
    cr_assert_eq(tu_write_text(tu_path("s.ini"), ini), 0);
    snprintf(r, sizeof r, "results_dir=%s", tu_path("results"));
    const char *argv[] = {H5SWMR_BIN, "sweep", tu_path("s.ini"), "-o", r, "--no-plot", extra ? "-o" : NULL,
                          extra,      NULL};
    return run(argv);
}

Test(floor, sweep_runs_h5floor_beside_a_flat_out_writer_and_reports_the_ratios)
{
    cr_assert_eq(sweep("[t]\nrealtime = false\nreaders = 0\nchannels = ex\nduration = 1\nmax_mb = 4\nrepeat = 2\n"
                       "sweep = block_samples=16384\n",
                       NULL),
                 0, "%s", g_out);
    /* once per repeat, next to the SWMR run, and the ratio to it */
    const char *p = strstr(g_out, "h5floor: raw pwrite io");
    cr_assert_not_null(p, "%s", g_out);
    cr_assert_not_null(strstr(p + 1, "h5floor: raw pwrite io"), "one floor run for two repeats: %s", g_out);
    cr_assert_not_null(strstr(g_out, "of h5floor's (the standalone floor)"), "%s", g_out);
    cr_assert_not_null(strstr(g_out, "SWMR per-call p50 / h5floor's (the standalone floor)"), "no target: %s", g_out);
    cr_assert_not_null(strstr(g_out, "raw pwrite io / SWMR io"), "%s", g_out);
    cr_assert_null(strstr(g_out, "h5floor: not found"), "%s", g_out);
}

Test(floor, sweep_leaves_h5floor_out_when_asked_or_when_it_does_not_mirror)
{
    cr_assert_eq(
        sweep("[t]\nrealtime = false\nreaders = 0\nchannels = ex\nduration = 1\nmax_mb = 2\nblock_samples = 16384\n",
              "floor=false"),
        0, "%s", g_out);
    cr_assert_null(strstr(g_out, "h5floor"), "floor=false ran it: %s", g_out);
    tu_teardown();
    tu_setup();
    /* two channels: h5floor writes one, so it is no floor for them */
    cr_assert_eq(
        sweep("[t]\nrealtime = false\nreaders = 0\nchannels = ex,ey\nduration = 1\nmax_mb = 2\nblock_samples = 16384\n",
              NULL),
        0, "%s", g_out);
    cr_assert_null(strstr(g_out, "h5floor"), "ran for two channels: %s", g_out);
}

Test(floor, sweep_runs_the_lag_floor_beside_a_paced_busy_polling_reader)
{
    cr_assert_eq(sweep("[l]\nreaders = 1\nchannels = ex\nrealtime = true\nblock_samples = 256\n"
                       "sample_rate = 128000\npoll_ms = 0\nduration = 1\n",
                       NULL),
                 0, "%s", g_out);
    cr_assert_not_null(strstr(g_out, "h5floor: busy-poll lag p50"), "%s", g_out);
    cr_assert_not_null(strstr(g_out, "p50 within 1.5x h5floor's (the standalone floor)"), "no target: %s", g_out);
}

/* The size of the only data file (name) under results/<run>/. */
static long long data_size(const char *name)
{
    DIR *d = opendir(tu_path("results"));
    cr_assert_not_null(d);
    char path[2048] = "";
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] != '.')
            snprintf(path, sizeof path, "%s/%s/%s", tu_path("results"), e->d_name, name);
    closedir(d);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0, "no %s", path);
    return (long long)st.st_size;
}

/* Runs a flat-out writer of 8 blocks of 64 KiB in mode, its data kept. */
static void run_writer(const char *mode)
{
    char ini[1024], m[64], r[1200];
    snprintf(ini, sizeof ini,
             "[global]\nworkload = append\nrealtime = false\nreaders = 0\nchannels = ex\nblock_samples = 16384\n"
             "max_blocks = 8\n"
             "summary_upkeep = false\nquiet = true\nkeep_data = true\n");
    cr_assert_eq(tu_write_text(tu_path("w.ini"), ini), 0);
    snprintf(m, sizeof m, "writer_mode=%s", mode);
    snprintf(r, sizeof r, "results_dir=%s", tu_path("results"));
    const char *argv[] = {H5SWMR_BIN, "run", tu_path("w.ini"), "-o", m, "-o", r, NULL};
    cr_assert_eq(run(argv), 0, "%s", g_out);
}

Test(floor, preheated_files_keep_only_what_was_written)
{
    /* the raw file is exactly its 8 blocks; the HDF5 files are cut to HDF5's
     * end of allocation: their 512 KiB of samples and a little metadata, not
     * the preheated tail (a block and a MiB more) */
    run_writer("raw");
    cr_assert_eq(data_size("data.raw"), 8 * 65536);
    const char *modes[] = {"swmr", "noswmr", "bare"};
    for (int i = 0; i < 3; i++) {
        tu_teardown();
        tu_setup();
        run_writer(modes[i]);
        long long n = data_size(i == 2 ? "data.h5" : "data.mth5");
        cr_assert(n >= 8 * 65536 && n < 8 * 65536 + 512 * 1024, "%s: %lld bytes", modes[i], n);
    }
}
