/* test_bench.c - the measuring commands: `h5swmr flushcost` (tables, CSV,
 * JSON, the growth-exponent fit) and `h5swmr plot` on hand-written results
 * directories (lag logs in nanoseconds, and in microseconds as older
 * results have them). Runs the real program; never asserts on
 * timing, only on what is printed and written. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

TestSuite(bench, .init = tu_setup, .fini = tu_teardown, .timeout = 60);

static char g_out[16384];

/* Runs argv[0] with the arguments (NULL-terminated); returns its exit code. */
static int run_argv(const char *const *argv)
{
    int status;
    g_out[0] = '\0';
    cr_assert_eq(tu_run(argv, 50000, &status, g_out, sizeof g_out), 0, "%s did not finish in time: %s", argv[0], g_out);
    cr_assert(WIFEXITED(status), "%s: %s\n%s", argv[1] ? argv[1] : argv[0], tu_status_str(status), g_out);
    return WEXITSTATUS(status);
}

/* Runs h5swmr with up to 30 arguments; returns the exit code. */
static int h5swmr(const char *a1, ...)
{
    const char *argv[32] = {H5SWMR_BIN};
    int n = 1;
    va_list ap;
    va_start(ap, a1);
    for (const char *a = a1; a && n < 31; a = va_arg(ap, const char *))
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    return run_argv(argv);
}

static bool have_gnuplot(void)
{
    const char *argv[] = {"/bin/sh", "-c", "command -v gnuplot", NULL};
    int status;
    char out[256];
    return tu_run(argv, 10000, &status, out, sizeof out) == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static cJSON *read_json(const char *path)
{
    unsigned char *buf;
    size_t len;
    cr_assert_eq(tu_read_file(path, &buf, &len), 0, "no %s", path);
    cJSON *j = cJSON_ParseWithLength((const char *)buf, len);
    free(buf);
    cr_assert_not_null(j, "%s does not parse as JSON", path);
    return j;
}

static const cJSON *item(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    cr_assert_not_null(v, "no '%s' in the JSON", key);
    return v;
}

/* ---- flushcost ----------------------------------------------------------- */

Test(bench, flushcost_small_counts_table_csv_json)
{
    const char *csv = tu_path("out/flushcost.csv"), *json = tu_path("out/flushcost.json");
    int rc = h5swmr("flushcost", "--counts", "1,4,16", "--rounds", "5", "--budget", "0", "--dir", tu_path("scratch"),
                    "--csv", csv, "--json", json, NULL);
    cr_assert_eq(rc, 0, "flushcost failed:\n%s", g_out);
    cr_assert(strstr(g_out, "H5Dflush each"), "no H5Dflush row:\n%s", g_out);
    cr_assert(strstr(g_out, "H5Fflush"), "no H5Fflush row:\n%s", g_out);
    cr_assert(strstr(g_out, "round cost grows as N^"), "no growth exponent:\n%s", g_out);
    cr_assert(strstr(g_out, "Recommendation:"), "no recommendation:\n%s", g_out);

    /* CSV: header with units, then one row per (count, call) */
    unsigned char *buf;
    size_t len;
    cr_assert_eq(tu_read_file(csv, &buf, &len), 0, "no CSV written");
    char *text = strndup((const char *)buf, len);
    free(buf);
    char *save = NULL, *line = strtok_r(text, "\n", &save);
    cr_assert_str_eq(line, "n_datasets,flush_call,rounds,round_p50_us,round_p90_us,per_dataset_us");
    int rows = 0, seen[2][3] = {{0}};
    while ((line = strtok_r(NULL, "\n", &save))) {
        long n, r;
        char call[16];
        double p50, p90, per;
        cr_assert_eq(sscanf(line, "%ld,%15[a-z],%ld,%lf,%lf,%lf", &n, call, &r, &p50, &p90, &per), 6,
                     "bad CSV row '%s'", line);
        int ci = !strcmp(call, "dflush") ? 0 : !strcmp(call, "fflush") ? 1 : -1;
        int ni = n == 1 ? 0 : n == 4 ? 1 : n == 16 ? 2 : -1;
        cr_assert(ci >= 0 && ni >= 0, "unexpected row '%s'", line);
        seen[ci][ni]++;
        cr_assert_eq(r, 5, "rounds in '%s'", line);
        cr_assert(p50 > 0 && p90 >= p50 && per > 0, "values in '%s'", line);
        rows++;
    }
    free(text);
    cr_assert_eq(rows, 6, "expected 6 CSV rows, got %d", rows);
    for (int c = 0; c < 2; c++)
        for (int k = 0; k < 3; k++)
            cr_assert_eq(seen[c][k], 1);

    /* JSON: self-describing, rows, exponents, recommendation */
    cJSON *j = read_json(json);
    cr_assert_eq(item(j, "schema_version")->valueint, 1);
    const cJSON *env = item(j, "environment");
    cr_assert(cJSON_IsString(item(env, "hdf5_version")));
    cr_assert(cJSON_IsString(item(env, "tool_version")));
    cr_assert_eq(cJSON_GetArraySize(item(j, "rows")), 6);
    const cJSON *ex = item(j, "exponents");
    cr_assert_eq(cJSON_GetArraySize(ex), 2);
    const cJSON *e;
    cJSON_ArrayForEach (e, ex) {
        cr_assert(cJSON_IsString(item(e, "flush_call")));
        cr_assert(cJSON_IsNumber(item(e, "exponent")), "exponent is not a number");
        cr_assert(cJSON_IsString(item(e, "class")));
    }
    const cJSON *rec = item(j, "recommendation");
    cr_assert_eq(item(rec, "n_datasets")->valueint, 16);
    cr_assert(cJSON_IsString(item(rec, "text")));
    cJSON_Delete(j);

    /* scratch files are removed; outputs are never overwritten */
    cr_assert_eq(h5swmr("flushcost", "--counts", "1", "--rounds", "1", "--csv", csv, NULL), 2,
                 "an existing CSV was not refused:\n%s", g_out);
    cr_assert(strstr(g_out, "exists"), "%s", g_out);
}

Test(bench, flushcost_fit_on_known_inputs)
{
    cr_assert_eq(h5swmr("flushcost", "--fit", "1,1", "2,4", "4,16", "10,100", "1000,1000000", NULL), 0, "%s", g_out);
    cr_assert_str_eq(g_out, "2.000\n", "y = x^2");
    cr_assert_eq(h5swmr("flushcost", "--fit", "1,3", "2,6", "5,15", "100,300", NULL), 0, "%s", g_out);
    cr_assert_str_eq(g_out, "1.000\n", "y = 3x");
    cr_assert_eq(h5swmr("flushcost", "--fit", "1,7", "10,7", "100,7", NULL), 0, "%s", g_out);
    cr_assert_str_eq(g_out, "0.000\n", "y = 7");
    cr_assert_eq(h5swmr("flushcost", "--fit", "4,2", NULL), 2, "one point has no slope: %s", g_out);
    cr_assert_eq(h5swmr("flushcost", "--fit", "4,-2", "5,3", NULL), 2, "%s", g_out);
}

Test(bench, flushcost_bad_arguments_exit_2_with_one_line)
{
    const char *cases[][4] = {
        {"--counts", "0", NULL},  {"--counts", "1,x", NULL},   {"--counts", "4,4", NULL}, {"--counts", "", NULL},
        {"--rounds", "0", NULL},  {"--rounds", "lots", NULL},  {"--rounds", NULL},        {"--block", "-1", NULL},
        {"--budget", "-1", NULL}, {"--frobnicate", "1", NULL}, {"stray", NULL},           {"--fit", "1;1", "2;2", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *argv[8] = {H5SWMR_BIN, "flushcost"};
        int n = 2;
        for (int k = 0; cases[i][k]; k++)
            argv[n++] = cases[i][k];
        argv[n] = NULL;
        cr_assert_eq(run_argv(argv), 2, "case %zu (%s %s) did not exit 2:\n%s", i, cases[i][0],
                     cases[i][1] ? cases[i][1] : "", g_out);
        cr_assert_eq(count_lines(g_out), 1, "case %zu: expected one line, got:\n%s", i, g_out);
        cr_assert(strstr(g_out, "h5swmr flushcost: "), "case %zu: %s", i, g_out);
    }
    cr_assert_eq(h5swmr("flushcost", "--help", NULL), 0);
    cr_assert(strstr(g_out, "Usage: h5swmr flushcost"), "%s", g_out);
}

/* ---- plots --------------------------------------------------------------- */

static const char FAKE_FLUSHCOST[] = "n_datasets,flush_call,rounds,round_p50_us,round_p90_us,per_dataset_us\n"
                                     "1,dflush,10,9.0,12.0,9.0\n"
                                     "1,fflush,10,12.0,15.0,12.0\n"
                                     "10,dflush,10,80.0,95.0,8.0\n"
                                     "10,fflush,10,75.0,90.0,7.5\n"
                                     "100,dflush,10,1800.0,2100.0,18.0\n"
                                     "100,fflush,10,760.0,900.0,7.6\n"
                                     "1000,dflush,10,203000.0,220000.0,203.0\n"
                                     "1000,fflush,10,24000.0,26000.0,24.0\n";

#define SWEEP_HEADER                                                                                                   \
    "config,block_samples,block_bytes,flush_every_blocks,flush_every_ms,poll_ms,readers,nchannels,flush_call,"         \
    "cork,writer_mode,reader_wait,writer_MBps,writer_samples_per_s,append_p50_us,append_p99_us,flush_p50_us,"          \
    "flush_p90_us,flush_p99_us,flush_p999_us,lag_p50_us,lag_p90_us,lag_p99_us,lag_p999_us,lag_max_us,e2e_p50_us,"      \
    "e2e_p99_us,reader_cpu_pct,errors\n"

static const char FAKE_SWEEP[] = SWEEP_HEADER
    "b1k-f1,1024,4096,1,0,0,2,5,dflush,true,swmr,poll,47,11750000,19,40,10,14,30,60,5,7,12,20,40,30,60,99,0\n"
    "b1k-f8,1024,4096,8,0,0,2,5,dflush,true,swmr,poll,120,30000000,19,40,11,15,31,61,40,60,90,120,200,80,150,99,0\n"
    "b64k-f1,16384,65536,1,0,0,2,5,dflush,true,swmr,poll,2000,500000000,30,60,25,30,60,90,6,8,15,25,50,40,80,99,0\n"
    "b64k-f8,16384,65536,8,0,0,2,5,dflush,true,swmr,poll,2600,650000000,30,60,26,31,61,91,50,70,110,150,300,90,"
    "160,99,0\n"
    "\"b1m, f1\",262144,1048576,1,0,0,2,5,dflush,true,swmr,poll,4300,1075000000,230,400,200,250,400,600,60,80,150,"
    "200,400,300,500,99,0\n"
    "b1k-ns,1024,4096,1,0,0,0,5,dflush,true,noswmr,poll,50,12500000,17,35,8,10,20,40,,,,,,,,,0\n"
    "b64k-ns,16384,65536,1,0,0,0,5,dflush,true,noswmr,poll,2100,525000000,28,50,20,25,50,80,,,,,,,,,0\n"
    "b1m-ns,262144,1048576,1,0,0,0,5,dflush,true,noswmr,poll,4500,1125000000,220,380,150,200,300,500,,,,,,,,,0\n"
    "b1k-raw,1024,4096,1,0,0,0,5,dflush,true,raw,poll,770,192500000,4,8,,,,,,,,,,,,,0\n"
    "b64k-raw,16384,65536,1,0,0,0,5,dflush,true,raw,poll,4800,1200000000,13,20,,,,,,,,,,,,,0\n"
    "b1m-raw,262144,1048576,1,0,0,0,5,dflush,true,raw,poll,5700,1425000000,180,250,,,,,,,,,,,,,0\n";

/* Writes a lag log with n events; lags follow a simple deterministic spread.
 * ns: lags in integer nanoseconds (lag_ns, e2e_ns), else in microseconds
 * (lag_us, e2e_us) as older results have them. */
static void write_lag_log(const char *name, const char *config, double base_us, int n, bool ns)
{
    size_t cap = (size_t)n * 96 + 128, len = 0;
    char *s = malloc(cap);
    cr_assert_not_null(s);
    len += (size_t)snprintf(s + len, cap - len, "%sreader,seq,samples,t_seen_ns,%s\n", config ? "config," : "",
                            ns ? "lag_ns,e2e_ns" : "lag_us,e2e_us");
    for (int i = 0; i < n; i++) {
        double lag = base_us * (0.5 + (double)((i * 37) % 100) / 50.0);
        if (config)
            len += (size_t)snprintf(s + len, cap - len, "\"%s\",", config);
        if (ns)
            len += (size_t)snprintf(s + len, cap - len, "%d,%d,%d,%lld,%lld,%lld\n", i % 2, i, 1024 * (i + 1),
                                    1000000LL * i, (long long)(lag * 1000), (long long)((lag + 20) * 1000));
        else
            len += (size_t)snprintf(s + len, cap - len, "%d,%d,%d,%lld,%.2f,%.2f\n", i % 2, i, 1024 * (i + 1),
                                    1000000LL * i, lag, lag + 20);
    }
    cr_assert_eq(tu_write_text(tu_path(name), s), 0);
    free(s);
}

static void make_fake_results(const char *dir)
{
    char p[PATH_MAX];
    cr_assert_eq(mkdir(dir, 0755), 0);
    snprintf(p, sizeof p, "%s/flushcost.csv", dir);
    cr_assert_eq(tu_write_text(p, FAKE_FLUSHCOST), 0);
    snprintf(p, sizeof p, "%s/sweep.csv", dir);
    cr_assert_eq(tu_write_text(p, FAKE_SWEEP), 0);
}

static void assert_plot(const char *dir, const char *name)
{
    char p[PATH_MAX];
    unsigned char *buf;
    size_t len;
    snprintf(p, sizeof p, "%s/%s.png", dir, name);
    cr_assert_eq(tu_read_file(p, &buf, &len), 0, "no %s\n%s", p, g_out);
    cr_assert(len > 1000 && !memcmp(buf, "\x89PNG", 4), "%s is not a PNG image (%zu bytes)", p, len);
    free(buf);
    snprintf(p, sizeof p, "%s/%s.svg", dir, name);
    cr_assert_eq(tu_read_file(p, &buf, &len), 0, "no %s\n%s", p, g_out);
    cr_assert(len > 1000 && memmem(buf, len, "<svg", 4), "%s is not an SVG image (%zu bytes)", p, len);
    free(buf);
}

static const char *const ALL_PLOTS[] = {"flushcost",           "flushcost_round", "lag_vs_flush",
                                        "throughput_vs_block", "flush_latency",   "lag_cdf"};

Test(bench, plot_command_draws_every_plot_of_a_fake_results_dir)
{
    if (!have_gnuplot())
        cr_skip_test("gnuplot is not installed");
    const char *dir = tu_path("results");
    make_fake_results(dir);
    write_lag_log("results/lag_busy.csv", NULL, 6, 500, false);
    write_lag_log("results/lag_sweep.csv", "b64k-f8", 60, 400, false);
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/lag_sweep.csv", dir);
    /* a second configuration in the same file, quoted with a comma */
    FILE *f = fopen(p, "a");
    cr_assert_not_null(f);
    for (int i = 0; i < 300; i++)
        fprintf(f, "\"b1m, f1\",0,%d,1024,%d,%.1f,%.1f\n", i, i * 1000, 100.0 + i * 3, 150.0 + i * 3);
    fclose(f);

    cr_assert_eq(h5swmr("plot", dir, NULL), 0, "plot failed:\n%s", g_out);
    for (size_t i = 0; i < sizeof ALL_PLOTS / sizeof *ALL_PLOTS; i++)
        assert_plot(dir, ALL_PLOTS[i]);
    cr_assert(strstr(g_out, "6 plot(s) written"), "%s", g_out);
}

Test(bench, plot_skips_what_is_missing)
{
    if (!have_gnuplot())
        cr_skip_test("gnuplot is not installed");
    const char *dir = tu_path("only_flushcost");
    char p[PATH_MAX];
    cr_assert_eq(mkdir(dir, 0755), 0);
    snprintf(p, sizeof p, "%s/flushcost.csv", dir);
    cr_assert_eq(tu_write_text(p, FAKE_FLUSHCOST), 0);
    cr_assert_eq(h5swmr("plot", dir, NULL), 0, "plot failed:\n%s", g_out);
    assert_plot(dir, "flushcost");
    assert_plot(dir, "flushcost_round");
    cr_assert(strstr(g_out, "skip lag_vs_flush"), "no note on the missing sweep.csv:\n%s", g_out);
    cr_assert(strstr(g_out, "skip lag_cdf"), "no note on the missing lag files:\n%s", g_out);
    cr_assert(strstr(g_out, "2 plot(s) written, 2 skipped"), "%s", g_out);
    snprintf(p, sizeof p, "%s/lag_cdf.png", dir);
    cr_assert(!tu_exists(p));
}

/* The lag logs of a sweep as written now (lag_events.csv with a config
 * column, lag_reader<N>.csv without), lags in integer nanoseconds. */
static const char NS_LAG_EVENTS[] = "config,reader,seq,samples,t_seen_ns,lag_ns,e2e_ns\n"
                                    "b1k-f1,1,0,1024,1000000,4000,25000\n"
                                    "b1k-f1,2,0,1024,1000400,4400,25400\n"
                                    "b1k-f1,1,1,2048,2000000,-1500,19500\n"
                                    "b1k-f1,2,1,2048,2005000,5123,26123\n"
                                    "b64k-f8,1,0,16384,3000000,61000,81000\n"
                                    "b64k-f8,2,0,16384,3000100,60007,80007\n"
                                    "b64k-f8,1,1,32768,4000000,75000,95000\n";

Test(bench, plot_reads_lags_in_nanoseconds_and_in_microseconds)
{
    if (!have_gnuplot())
        cr_skip_test("gnuplot is not installed");
    const char *dir = tu_path("lags");
    char p[PATH_MAX];
    cr_assert_eq(mkdir(dir, 0755), 0);
    snprintf(p, sizeof p, "%s/sweep.csv", dir);
    cr_assert_eq(tu_write_text(p, FAKE_SWEEP), 0);
    snprintf(p, sizeof p, "%s/lag_events.csv", dir);
    cr_assert_eq(tu_write_text(p, NS_LAG_EVENTS), 0);
    write_lag_log("lags/lag_reader1.csv", NULL, 8, 300, true);
    write_lag_log("lags/lag_old.csv", NULL, 8, 300, false);
    cr_assert_eq(h5swmr("plot", dir, NULL), 0, "plot failed:\n%s", g_out);
    assert_plot(dir, "lag_cdf");
    /* one line per configuration and per log without one, described from sweep.csv */
    unsigned char *buf;
    size_t len;
    snprintf(p, sizeof p, "%s/lag_cdf.svg", dir);
    cr_assert_eq(tu_read_file(p, &buf, &len), 0);
    static const char *const legends[] = {"b1k-f1: busy poll, 2 readers, flush every block, block 4 KiB",
                                          "b64k-f8: busy poll, 2 readers, flush every 8 blocks, block 64 KiB",
                                          ">reader1<", ">old<"};
    for (size_t i = 0; i < sizeof legends / sizeof *legends; i++)
        cr_assert(memmem(buf, len, legends[i], strlen(legends[i])), "no legend '%s' in lag_cdf.svg", legends[i]);
    free(buf);

    /* a lag log with neither column is named in the note */
    const char *d2 = tu_path("nolag");
    cr_assert_eq(mkdir(d2, 0755), 0);
    snprintf(p, sizeof p, "%s/lag_x.csv", d2);
    cr_assert_eq(tu_write_text(p, "reader,seq,lag_ms\n1,0,4\n"), 0);
    cr_assert_eq(h5swmr("plot", d2, NULL), 1, "%s", g_out);
    cr_assert(strstr(g_out, "skip lag_cdf: lag files: needs a lag_ns (or lag_us) column"), "%s", g_out);
}

Test(bench, plot_of_a_dir_with_nothing_to_plot_fails_clearly)
{
    const char *dir = tu_path("empty");
    cr_assert_eq(mkdir(dir, 0755), 0);
    int rc = h5swmr("plot", dir, NULL);
    cr_assert_neq(rc, 0, "plot of an empty directory succeeded:\n%s", g_out);
    if (have_gnuplot())
        cr_assert(strstr(g_out, "nothing to plot"), "%s", g_out);
    else
        cr_assert(strstr(g_out, "gnuplot not found"), "%s", g_out);

    /* CSV files without usable rows count as nothing */
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/sweep.csv", dir);
    cr_assert_eq(tu_write_text(p, SWEEP_HEADER), 0);
    cr_assert_neq(h5swmr("plot", dir, NULL), 0, "%s", g_out);

    cr_assert_eq(h5swmr("plot", NULL), 2, "%s", g_out);
    cr_assert_eq(h5swmr("plot", tu_path("no-such-dir"), NULL), 2, "%s", g_out);
    cr_assert_eq(h5swmr("plot", dir, "--bogus", NULL), 2, "%s", g_out);
}
