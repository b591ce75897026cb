/* test_sweep.c - h5swmr sweep with the real program: configurations, baselines
 * in the same run, self-describing results, and Ctrl-C keeping what finished. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "stats.h"
#include "testutil.h"

TestSuite(sweep, .init = tu_setup, .fini = tu_teardown, .timeout = 180);

static char g_out[16384];

static int sweep(const char *ini, const char *extra1, const char *extra2)
{
    char r[1200];
    snprintf(r, sizeof r, "results_dir=%s", tu_path("results"));
    const char *argv[] = {H5SWMR_BIN, "sweep", ini, "-o", r, "--no-plot", extra1, extra2, NULL};
    int status;
    cr_assert_eq(tu_run(argv, 150000, &status, g_out, sizeof g_out), 0, "sweep hung: %s", g_out);
    cr_assert(WIFEXITED(status), "%s", tu_status_str(status));
    return WEXITSTATUS(status);
}

/* The sweep directory (the only entry under results/). */
static void sweep_dir(char *out, size_t cap)
{
    DIR *d = opendir(tu_path("results"));
    cr_assert_not_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            snprintf(out, cap, "%s/%s", tu_path("results"), e->d_name);
            n++;
        }
    closedir(d);
    cr_assert_eq(n, 1);
}

/* Reads a CSV into lines; returns the count (header included). */
static int csv_lines(const char *path, char lines[][2048], int max)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no %s", path);
    int n = 0;
    while (n < max && fgets(lines[n], 2048, f))
        n++;
    fclose(f);
    return n;
}

static int fields(const char *line)
{
    int n = 1;
    for (const char *p = line; *p; p++)
        n += *p == ',';
    return n;
}

/* The value of column name in a data line, given the header. */
static void column(const char *header, const char *line, const char *name, char *out, size_t cap)
{
    char h[2048], l[2048];
    snprintf(h, sizeof h, "%s", header);
    snprintf(l, sizeof l, "%s", line);
    h[strcspn(h, "\n")] = l[strcspn(l, "\n")] = '\0';
    int want = -1, i = 0;
    for (char *s = h, *t; (t = strsep(&s, ",")); i++)
        if (!strcmp(t, name))
            want = i;
    cr_assert_geq(want, 0, "no column %s", name);
    i = 0;
    out[0] = '\0';
    for (char *s = l, *t; (t = strsep(&s, ",")); i++)
        if (i == want)
            snprintf(out, cap, "%s", t);
}

/* Reads lag_events.csv: its header must name integer nanoseconds, and every
 * line hold seven integers. Pools the lags of configuration `config` into
 * lag (when not NULL); returns the number of events. */
static int lag_events(const char *path, int config, stats_buf_t *lag)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no %s", path);
    char line[512];
    cr_assert_not_null(fgets(line, sizeof line, f), "%s is empty", path);
    cr_assert_str_eq(line, "config,reader,seq,samples,t_seen_ns,lag_ns,e2e_ns\n");
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        long long v[7];
        const char *at = line;
        for (int i = 0; i < 7; i++) {
            char *end;
            v[i] = strtoll(at, &end, 10);
            cr_assert(end > at && *end == (i < 6 ? ',' : '\n'), "field %d of '%s' is not an integer", i + 1, line);
            at = end + 1;
        }
        /* lag and end-to-end lag in nanoseconds: from a flush to its sight, under a minute */
        cr_assert(v[5] > -1000000000LL && v[5] < 60000000000LL && v[6] > -1000000000LL && v[6] < 60000000000LL,
                  "implausible lag: %s", line);
        if (lag && v[0] == config)
            stats_add(lag, v[5]);
        n++;
    }
    fclose(f);
    return n;
}

Test(sweep, runs_every_configuration_with_baselines_and_self_describing_results)
{
    const char *ini = tu_path("s.ini");
    tu_write_text(ini, "[global]\nrealtime = false\nduration = 0\nmax_blocks = 30\nquiet = true\n"
                       "summary_upkeep = false\nread_summary_table = false\n"
                       "[flat]\nreaders = 0\nchannels = ex\nsweep = block_samples=1024,16384\n"
                       "[readers]\nreaders = 2\nchannels = ex,hx\nrealtime = true\nsample_rate = 200000\n"
                       "block_samples = 1000\nmax_blocks = 100\npoll_ms = 1\nsweep = flush_every_blocks=1,2\n");
    cr_assert_eq(sweep(ini, NULL, NULL), 0, "%s", g_out);
    cr_assert(strstr(g_out, "4 configurations, 10 runs"), "%s", g_out);
    cr_assert(strstr(g_out, "ETA"), "no progress line: %s", g_out);
    char dir[1200], path[1400];
    sweep_dir(dir, sizeof dir);
    static char lines[64][2048];
    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    int n = csv_lines(path, lines, 64);
    cr_assert_eq(n, 1 + 10, "expected a header and 10 rows, got %d lines", n);
    int nf = fields(lines[0]);
    int modes[4] = {0};
    for (int i = 1; i < n; i++) {
        char mode[32], ratio[32], errors[32], exitc[32], lag[32], bare[32], rdir[1200], data[1300];
        cr_assert_eq(fields(lines[i]), nf, "row %d has %d fields, header %d", i, fields(lines[i]), nf);
        column(lines[0], lines[i], "writer_mode", mode, sizeof mode);
        column(lines[0], lines[i], "io_ratio_vs_raw", ratio, sizeof ratio);
        column(lines[0], lines[i], "errors", errors, sizeof errors);
        column(lines[0], lines[i], "exit_code", exitc, sizeof exitc);
        column(lines[0], lines[i], "lag_p50_us", lag, sizeof lag);
        column(lines[0], lines[i], "call_ratio_vs_bare", bare, sizeof bare);
        column(lines[0], lines[i], "run_dir", rdir, sizeof rdir);
        /* runs that passed leave no data file behind (keep_data = false) */
        snprintf(data, sizeof data, "%s/data.mth5", rdir);
        cr_assert(!tu_exists(data), "row %d left %s", i, data);
        snprintf(data, sizeof data, "%s/data.raw", rdir);
        cr_assert(!tu_exists(data), "row %d left %s", i, data);
        cr_assert_str_eq(errors, "0", "row %d", i);
        cr_assert_str_eq(exitc, "0", "row %d", i);
        modes[!strcmp(mode, "raw") ? 0 : !strcmp(mode, "noswmr") ? 1 : !strcmp(mode, "bare") ? 2 : 3]++;
        if (i <= 8 && !strcmp(mode, "swmr")) {
            cr_assert(atof(ratio) > 0, "flat-out SWMR row %d has no ratio to raw", i);
            cr_assert(atof(bare) > 0, "flat-out SWMR row %d has no ratio to the bare HDF5 loop", i);
        }
        if (i > 8) {
            /* readers polling every 1 ms, a flush every 5 or 10 ms: the median
             * lag is a positive number of microseconds, well under a second */
            char *end = NULL;
            double us = lag[0] ? strtod(lag, &end) : 0;
            cr_assert(lag[0] && end && *end == '\0', "reader row %d: lag_p50_us '%s' is not a number", i, lag);
            cr_assert(us > 0 && us < 1e6, "reader row %d: lag p50 %g us is not plausible (0 < lag < 1 s)", i, us);
        }
    }
    cr_assert_eq(modes[0], 2);
    cr_assert_eq(modes[1], 2);
    cr_assert_eq(modes[2], 2);
    cr_assert_eq(modes[3], 4);
    snprintf(path, sizeof path, "%s/lag_events.csv", dir);
    cr_assert_gt(lag_events(path, 0, NULL), 10, "no lag events");
    /* the reader rows' lag p50 (us) is the median of their configuration's events (ns) */
    for (int i = 9; i < n; i++) {
        char config[16], p50[32];
        column(lines[0], lines[i], "config", config, sizeof config);
        column(lines[0], lines[i], "lag_p50_us", p50, sizeof p50);
        stats_buf_t lag = {0};
        lag_events(path, atoi(config), &lag);
        stats_summary_t sum = stats_summarize(&lag);
        stats_free(&lag);
        cr_assert(sum.n > 0 && fabs(sum.p50 / 1e3 - atof(p50)) < 0.001, "config %s: lag p50 %s us, events' %g ns",
                  config, p50, sum.p50);
    }
    snprintf(path, sizeof path, "%s/sweep.json", dir);
    unsigned char *buf;
    size_t len;
    cr_assert_eq(tu_read_file(path, &buf, &len), 0);
    cJSON *j = cJSON_ParseWithLength((const char *)buf, len);
    free(buf);
    cr_assert_not_null(j, "sweep.json does not parse");
    cr_assert_eq(cJSON_GetObjectItem(j, "schema_version")->valueint, 1);
    cJSON *env = cJSON_GetObjectItem(j, "environment");
    cr_assert(cJSON_IsString(cJSON_GetObjectItem(env, "hdf5_version")));
    cr_assert(cJSON_IsString(cJSON_GetObjectItem(env, "data_fs")));
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "runs")), 10);
    cJSON_Delete(j);
}

Test(sweep, growth_exponent_and_recommendation_for_channel_counts)
{
    const char *ini = tu_path("c.ini");
    tu_write_text(ini, "[channels]\nreaders = 0\nrealtime = false\nduration = 0\nmax_blocks = 5\n"
                       "block_samples = 16\nquiet = true\nsummary_upkeep = false\n"
                       "sweep = nchannels=1,8,32 flush_call=dflush,fflush\n");
    cr_assert_eq(sweep(ini, NULL, NULL), 0, "%s", g_out);
    cr_assert(strstr(g_out, "flush cost growth [channels] dflush: round cost ~ N^"), "%s", g_out);
    cr_assert(strstr(g_out, "flush cost growth [channels] fflush"), "%s", g_out);
    cr_assert(strstr(g_out, "recommendation [channels]: at 32 channels"), "%s", g_out);
}

Test(sweep, bad_axes_are_refused_before_anything_runs)
{
    const char *ini = tu_path("b.ini");
    tu_write_text(ini, "[global]\nreaders = 0\n");
    cr_assert_eq(sweep(ini, "-s", "poll_ms=fast"), 2);
    cr_assert(strstr(g_out, "poll_ms") && strstr(g_out, "not a number"), "%s", g_out);
    cr_assert_eq(sweep(ini, "-s", "channels=ex,ey"), 2);
    cr_assert(strstr(g_out, "cannot be swept"), "%s", g_out);
    cr_assert_eq(sweep(ini, "-s", "nosuchkey=1"), 2);
    cr_assert(!tu_exists(tu_path("results")), "a refused sweep created results");
    cr_assert_eq(sweep(ini, "--dry-run", NULL), 0, "%s", g_out);
    cr_assert(!tu_exists(tu_path("results")), "--dry-run created results");
    /* --help lists every option, runs nothing */
    cr_assert_eq(sweep(ini, "--help", NULL), 0, "%s", g_out);
    static const char *const opts[] = {"-o KEY=VALUE", "-s KEY=V1,V2", "--dry-run", "--no-plot", "--max-runs N"};
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        cr_assert(strstr(g_out, opts[i]), "--help does not list %s: %s", opts[i], g_out);
    cr_assert(!tu_exists(tu_path("results")), "--help created results");
    /* --max-runs takes a whole number, glued or not */
    cr_assert_eq(sweep(ini, "--max-runs=2.5", NULL), 2, "%s", g_out);
    cr_assert(strstr(g_out, "--max-runs needs a whole number"), "%s", g_out);
}

Test(sweep, ctrl_c_keeps_the_configurations_that_finished)
{
    const char *ini = tu_path("i.ini");
    tu_write_text(ini, "[global]\nreaders = 1\nduration = 1\nsample_rate = 10000\nblock_samples = 100\n"
                       "poll_ms = 5\nquiet = true\nsweep = flush_every_blocks=1,2,3,4,5,6,7,8\n");
    char r[1200];
    snprintf(r, sizeof r, "results_dir=%s", tu_path("results"));
    const char *argv[] = {H5SWMR_BIN, "sweep", ini, "-o", r, "--no-plot", NULL};
    tu_proc_t p;
    cr_assert_eq(tu_spawn(&p, argv), 0);
    cr_assert_eq(tu_proc_wait_output(&p, "[3/8]", 60000), 0, "%s", p.buf);
    kill(p.pid, SIGINT);
    int status;
    cr_assert_eq(tu_proc_finish(&p, 30000, &status), 0);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 130, "%s\n%s", tu_status_str(status), p.buf);
    char dir[1200], path[1400];
    sweep_dir(dir, sizeof dir);
    static char lines[16][2048];
    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    int n = csv_lines(path, lines, 16);
    cr_assert_geq(n, 1 + 2, "the two finished configurations are gone: %d lines", n);
    cr_assert_lt(n, 1 + 8, "the sweep did not stop");
    for (int i = 1; i < n; i++) {
        char exitc[16];
        cr_assert_eq(fields(lines[i]), fields(lines[0]));
        column(lines[0], lines[i], "exit_code", exitc, sizeof exitc);
        cr_assert_str_eq(exitc, "0", "a kept row is from an interrupted run");
    }
    snprintf(path, sizeof path, "%s/sweep.json", dir);
    cr_assert(tu_exists(path));
    /* what the discarded configuration made (its data file, lag logs, summary) is gone */
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    struct dirent *e;
    int nrun = 0;
    while ((e = readdir(d)))
        if (!strncmp(e->d_name, "config-", 7)) {
            nrun++;
            cr_assert_lt(atoi(e->d_name + 7), n, "%s of the discarded configuration is left:\n%s", e->d_name, p.buf);
        }
    closedir(d);
    cr_assert_eq(nrun, n - 1, "%d run directories for %d kept rows", nrun, n - 1);
}

Test(sweep, keep_data_keeps_what_passed_and_space_is_checked_first)
{
    const char *ini = tu_path("k.ini");
    tu_write_text(ini, "[flat]\nrealtime = false\nduration = 0\nmax_blocks = 10\nquiet = true\nreaders = 0\n"
                       "channels = ex\nsummary_upkeep = false\nblock_samples = 1024\nbaselines = false\n");
    cr_assert_eq(sweep(ini, "-o", "keep_data=true"), 0, "%s", g_out);
    cr_assert(strstr(g_out, "keep_data"), "the space estimate does not say data is kept: %s", g_out);
    char dir[1200], path[1400];
    sweep_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/config-001-swmr/data.mth5", dir);
    cr_assert(tu_exists(path), "keep_data = true, yet %s is gone", path);
    /* a day flat out cannot fit this disk: refused before anything is created */
    const char *big = tu_path("big.ini");
    tu_write_text(big, "[flat]\nrealtime = false\nduration = 86400\nquiet = true\nreaders = 0\nchannels = ex\n");
    char r[1200];
    snprintf(r, sizeof r, "results_dir=%s", tu_path("bigresults"));
    const char *argv[] = {H5SWMR_BIN, "sweep", big, "-o", r, "--no-plot", NULL};
    int status;
    cr_assert_eq(tu_run(argv, 60000, &status, g_out, sizeof g_out), 0);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 2, "%s: %s", tu_status_str(status), g_out);
    cr_assert(strstr(g_out, "not enough free space"), "%s", g_out);
    cr_assert(!tu_exists(tu_path("bigresults")), "a refused sweep created its results directory");
}

Test(sweep, new_keys_refuse_bad_values_before_anything_runs)
{
    const char *ini = tu_path("n.ini");
    tu_write_text(ini, "[flat]\nrealtime = false\nmax_blocks = 5\nreaders = 0\nchannels = ex\n");
    static const char *const bad[] = {"pace_jitter=2",       "pace_jitter=nan",     "slow_writer_pct=-1",
                                      "slow_writer_pct=inf", "keep_data=maybe",     "writer_mode=bareish",
                                      "pace_jitter=",        "slow_writer_pct=1e9", "reader_mode=c",
                                      "reader_mode=",        "reader_baseline=2",   "reader_mode=bare,h5swmr"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(sweep(ini, "-o", bad[i]), 2, "%s: %s", bad[i], g_out);
        cr_assert(strchr(g_out, '\n') == strrchr(g_out, '\n'), "%s: more than one line: %s", bad[i], g_out);
        cr_assert(!tu_exists(tu_path("results")), "%s: a refused sweep created results", bad[i]);
    }
}

/* reader_baseline: each repeat also runs bare HDF5 reader loops, whose lag is
 * measured against the same writer's flush records, kept out of the
 * configuration's lag events, and shown beside h5swmr's reader. */
Test(sweep, bare_reader_baseline_runs_beside_h5swmr_readers)
{
    const char *ini = tu_path("b.ini");
    tu_write_text(ini, "[lag]\nrealtime = true\nsample_rate = 20000\nblock_samples = 200\nduration = 1\n"
                       "quiet = true\nreaders = 2\nchannels = ex,ey\nsummary_upkeep = false\npoll_ms = 2\n"
                       "reader_baseline = true\nrepeat = 2\n");
    cr_assert_eq(sweep(ini, NULL, NULL), 0, "%s", g_out);
    char dir[1200], path[1400];
    sweep_dir(dir, sizeof dir);
    static char lines[16][2048];
    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    int n = csv_lines(path, lines, 16);
    cr_assert_eq(n, 5, "two repeats of a bare-reader run and an h5swmr run: %d lines", n);
    int bare = 0;
    for (int i = 1; i < n; i++) {
        char mode[32], events[32], p50[32], errors[32];
        column(lines[0], lines[i], "reader_mode", mode, sizeof mode);
        column(lines[0], lines[i], "lag_events", events, sizeof events);
        column(lines[0], lines[i], "lag_p50_us", p50, sizeof p50);
        column(lines[0], lines[i], "errors", errors, sizeof errors);
        bare += !strcmp(mode, "bare");
        cr_assert(!strcmp(mode, "bare") || !strcmp(mode, "h5swmr"), "reader_mode %s", mode);
        /* 1 s of a writer flushing every 10 ms, two readers: lag events, a lag in (0, 100 ms) */
        cr_assert_gt(atoi(events), 50, "%s row: %s lag events", mode, events);
        cr_assert(atof(p50) > 0 && atof(p50) < 100000, "%s row: lag p50 %s us", mode, p50);
        cr_assert_eq(atoi(errors), 0, "%s row: errors %s", mode, errors);
    }
    cr_assert_eq(bare, 2, "one bare-reader run per repeat, got %d", bare);
    /* the bare readers' events do not join the configuration's lag events */
    snprintf(path, sizeof path, "%s/config-001-bare-reader-1/lag_reader1.csv", dir);
    cr_assert(tu_exists(path), "the bare reader wrote no lag log");
    snprintf(path, sizeof path, "%s/lag_events.csv", dir);
    int ne = 1 + lag_events(path, 0, NULL);
    char h5events[2][32];
    int k = 0;
    for (int i = 1; i < n && k < 2; i++) {
        char mode[32];
        column(lines[0], lines[i], "reader_mode", mode, sizeof mode);
        if (!strcmp(mode, "h5swmr"))
            column(lines[0], lines[i], "lag_events", h5events[k++], 32);
    }
    cr_assert_eq(ne - 1, atoi(h5events[0]) + atoi(h5events[1]), "lag_events.csv holds %d events", ne - 1);
}
