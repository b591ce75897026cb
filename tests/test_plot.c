/* test_plot.c - what `h5swmr plot` promises about its pictures, on
 * hand-written results directories and real gnuplot runs: every legend is
 * outside the plot area (read from the SVG gnuplot drew); every plot has a
 * footer naming the machine, HDF5 and scenario recorded in sweep.json, and a
 * hostile value there cannot inject gnuplot commands; lag_by_reader_kind is
 * drawn when sweep.csv has two or more reader kinds (reader_kind column) and
 * not at all without the column; a plot of many configurations from several
 * jobs is drawn one panel per job, and no two lines of a panel look alike
 * (colour and dash, read from the SVG), each p99 line with its own legend
 * entry. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "svgplot.h"
#include "testutil.h"
#include "util.h"

TestSuite(plot, .init = tu_setup, .fini = tu_teardown, .timeout = 120);

static char g_out[16384];

/* Runs h5swmr with the arguments (NULL-terminated); returns its exit code. */
static int h5swmr(const char *a1, ...)
{
    const char *argv[16] = {H5SWMR_BIN};
    int n = 1, status;
    va_list ap;
    va_start(ap, a1);
    for (const char *a = a1; a && n < 15; a = va_arg(ap, const char *))
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    g_out[0] = '\0';
    cr_assert_eq(tu_run(argv, 100000, &status, g_out, sizeof g_out), 0, "h5swmr did not finish in time: %s", g_out);
    cr_assert(WIFEXITED(status), "h5swmr %s: %s\n%s", a1, tu_status_str(status), g_out);
    return WEXITSTATUS(status);
}

static bool have_gnuplot(void)
{
    const char *argv[] = {"/bin/sh", "-c", "command -v gnuplot", NULL};
    int status;
    char out[256];
    return tu_run(argv, 10000, &status, out, sizeof out) == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Writes text into dir/name. */
static void put(const char *dir, const char *name, const char *text)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    cr_assert_eq(tu_write_text(p, text), 0, "cannot write %s", p);
}

/* Reads dir/name (NUL-terminated); the caller frees it. */
static char *slurp(const char *dir, const char *name, size_t *len)
{
    char p[PATH_MAX];
    unsigned char *buf;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    cr_assert_eq(tu_read_file(p, &buf, len), 0, "no %s\n%s", p, g_out);
    unsigned char *z = realloc(buf, *len + 1);
    cr_assert_not_null(z);
    z[*len] = '\0';
    return (char *)z;
}

/* Asserts that dir/name.png is a non-empty PNG and name.svg an SVG; returns
 * the SVG text (the caller frees it). */
static char *assert_plot(const char *dir, const char *name)
{
    char f[256];
    size_t len;
    snprintf(f, sizeof f, "%s.png", name);
    char *png = slurp(dir, f, &len);
    cr_assert(len > 1000 && !memcmp(png, "\x89PNG\r\n\x1a\n", 8), "%s/%s is not a PNG (%zu bytes)", dir, f, len);
    free(png);
    snprintf(f, sizeof f, "%s.svg", name);
    char *svg = slurp(dir, f, &len);
    cr_assert(len > 1000 && strstr(svg, "<svg"), "%s/%s is not an SVG (%zu bytes)", dir, f, len);
    return svg;
}

/* The plot area of the panel drawn before position at in an SVG gnuplot drew:
 * the last border before it (a closed black rectangle: M x0,y0 L x0,y1 L
 * x1,y1 L x1,y0 L x0,y0 Z); with none, the largest closed rectangle. Returns
 * whether there is one. */
static bool svg_plot_area(const char *svg, const char *at, double *bx0, double *by0, double *bx1, double *by1)
{
    double best = 0;
    bool border = false;
    for (const char *p = svg; (p = strstr(p, "d='M")) && p < at; p++) {
        double x[5], y[5];
        if (sscanf(p, "d='M%lf,%lf L%lf,%lf L%lf,%lf L%lf,%lf L%lf,%lf Z", &x[0], &y[0], &x[1], &y[1], &x[2], &y[2],
                   &x[3], &y[3], &x[4], &y[4]) != 10)
            continue;
        bool black = p - svg >= 16 && !strncmp(p - 16, "stroke='black'  ", 16);
        double area = (x[2] - x[0]) * (y[2] - y[0]);
        if (area < 0)
            area = -area;
        if (black || (!border && area > best)) {
            best = area;
            border = border || black;
            *bx0 = x[0] < x[2] ? x[0] : x[2];
            *bx1 = x[0] < x[2] ? x[2] : x[0];
            *by0 = y[0] < y[2] ? y[0] : y[2];
            *by1 = y[0] < y[2] ? y[2] : y[0];
        }
    }
    return best > 0;
}

/* Checks in an SVG gnuplot drew that the text of every legend entry starts
 * outside the plot area of its panel: right of the border or below it. A
 * legend entry is the first text placed (translate(X,Y)) in a plot group that
 * has a title. Returns the number of entries checked. */
static int assert_legend_outside(const char *svg, const char *name)
{
    double cw = 0, ch = 0; /* the canvas: every entry must be on it, none cut off */
    const char *vb = strstr(svg, "viewBox=\"");
    cr_assert(vb && sscanf(vb, "viewBox=\"0 0 %lf %lf\"", &cw, &ch) == 2, "%s: no viewBox", name);
    int n = 0;
    for (const char *p = svg; (p = strstr(p, "<g id=\"gnuplot_plot_")); p++) {
        const char *next = strstr(p + 1, "<g id=\"gnuplot_plot_"), *title = strstr(p, "<title>");
        const char *tr = strstr(p, "translate(");
        /* a plot without a key entry has its id as its title */
        if (!title || (next && title > next) || !tr || (next && tr > next) || !strncmp(title + 7, "gnuplot_plot_", 13))
            continue;
        double x, y, bx0 = 0, by0 = 0, bx1 = 0, by1 = 0;
        cr_assert(svg_plot_area(svg, p, &bx0, &by0, &bx1, &by1), "%s: no plot border in the SVG", name);
        cr_assert_eq(sscanf(tr, "translate(%lf,%lf)", &x, &y), 2);
        char t[128];
        snprintf(t, sizeof t, "%.*s", (int)strcspn(title + 7, "<"), title + 7);
        cr_assert(x >= bx1 || y >= by1,
                  "%s: legend entry '%s' at (%.0f, %.0f) is inside the plot area (%.0f..%.0f, %.0f..%.0f)", name, t, x,
                  y, bx0, bx1, by0, by1);
        cr_assert(x >= 0 && x < cw && y >= 0 && y < ch,
                  "%s: legend entry '%s' at (%.0f, %.0f) is off the %.0fx%.0f canvas", name, t, x, y, cw, ch);
        n++;
    }
    return n;
}

/* The height of the PNG at dir/name (from its header). */
static unsigned png_height(const char *dir, const char *name, unsigned *width)
{
    size_t len;
    unsigned char *p = (unsigned char *)slurp(dir, name, &len);
    cr_assert(len > 24 && !memcmp(p + 12, "IHDR", 4), "%s/%s: no PNG header", dir, name);
    *width = (unsigned)p[16] << 24 | (unsigned)p[17] << 16 | (unsigned)p[18] << 8 | p[19];
    unsigned h = (unsigned)p[20] << 24 | (unsigned)p[21] << 16 | (unsigned)p[22] << 8 | p[23];
    free(p);
    return h;
}

/* ---- fixtures ------------------------------------------------------------ */

static const char FLUSHCOST[] = "n_datasets,flush_call,rounds,round_p50_us,round_p90_us,per_dataset_us\n"
                                "1,dflush,10,9.0,12.0,9.0\n"
                                "1,fflush,10,12.0,15.0,12.0\n"
                                "10,dflush,10,80.0,95.0,8.0\n"
                                "10,fflush,10,75.0,90.0,7.5\n"
                                "100,dflush,10,1800.0,2100.0,18.0\n"
                                "100,fflush,10,760.0,900.0,7.6\n";

/* sweep.csv of a sweep that varied block size, flush interval, wake-up mode
 * and channel count, with the columns of a sweep now (reader_mode, run_dir),
 * and reader_kind when kinds is not NULL: kinds[i] for configuration i + 1. */
static void write_sweep(const char *dir, const char *const *kinds)
{
    static const char *const rows[] = {
        /* config, block_samples, block_bytes, flush_every_blocks, poll_ms, readers, nchannels, flush_call,
           writer_mode, reader_mode, writer_MBps, flush_p50, flush_p90, flush_p99, flush_p999, lag_p50, lag_p99 */
        "1,1024,4096,1,0,2,5,dflush,swmr,h5swmr,47,10,14,30,60,5,12",
        "2,1024,4096,8,0,2,5,dflush,swmr,h5swmr,120,11,15,31,61,40,90",
        "3,16384,65536,1,10,2,5,dflush,swmr,h5swmr,2000,25,30,60,90,600,1500",
        "4,16384,65536,8,10,2,5,dflush,swmr,h5swmr,2600,26,31,61,91,700,1800",
        "5,1024,4096,1,0,0,1,dflush,noswmr,h5swmr,50,8,10,20,40,,",
        "6,16384,65536,1,0,0,10,fflush,noswmr,h5swmr,2100,20,25,50,80,,",
        "7,1024,4096,1,0,0,100,dflush,raw,h5swmr,770,,,,,,",
    };
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);
    cr_assert_not_null(f);
    fprintf(f,
            "config,block_samples,block_bytes,flush_every_blocks,flush_every_ms,poll_ms,readers,nchannels,"
            "flush_call,writer_mode,reader_mode,writer_MBps,flush_p50_us,flush_p90_us,flush_p99_us,"
            "flush_p999_us,lag_p50_us,lag_p99_us,run_dir%s\n",
            kinds ? ",reader_kind" : "");
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        /* the fields after writer_mode: insert flush_every_ms (0) after flush_every_blocks */
        char cfg[16], rest[256];
        int a, b, c;
        cr_assert_eq(sscanf(rows[i], "%15[^,],%d,%d,%d,%255s", cfg, &a, &b, &c, rest), 5);
        fprintf(f, "%s,%d,%d,%d,0,%s,%s/config-%03zu-x", cfg, a, b, c, rest, dir, i + 1);
        if (kinds)
            fprintf(f, ",\"%s\"", kinds[i]);
        fputc('\n', f);
    }
    /* a bare-reader run of configuration 1: its lag logs are in its run directory */
    fprintf(f, "1,1024,4096,1,0,0,2,5,dflush,swmr,bare,47,10,14,30,60,3,8,%s/config-001-bare-reader%s\n", dir,
            kinds ? "," : "");
    fclose(f);
    put(dir, "sweep.csv", s);
    free(s);
}

/* lag_events.csv: n events for each of the configurations 1..4, lags in
 * integer nanoseconds around base_us[config - 1]. */
static void write_events(const char *dir, int n)
{
    static const double base_us[] = {5, 40, 600, 700};
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);
    cr_assert_not_null(f);
    fprintf(f, "config,reader,seq,samples,t_seen_ns,lag_ns,e2e_ns\n");
    for (int c = 0; c < 4; c++)
        for (int i = 0; i < n; i++) {
            long long lag = (long long)(base_us[c] * (0.5 + (double)((i * 37) % 100) / 50.0) * 1000);
            fprintf(f, "%d,%d,%d,%d,%d,%lld,%lld\n", c + 1, 1 + i % 2, i, 1024 * (i + 1), 1000000 * i, lag,
                    lag + 20000);
        }
    fclose(f);
    put(dir, "lag_events.csv", s);
    free(s);
}

/* The bare reader's lag logs in dir/config-001-bare-reader. */
static void write_bare_logs(const char *dir)
{
    char d[PATH_MAX], *s = NULL;
    size_t len = 0;
    snprintf(d, sizeof d, "%s/config-001-bare-reader", dir);
    cr_assert_eq(mkdir(d, 0755), 0);
    FILE *f = open_memstream(&s, &len);
    cr_assert_not_null(f);
    fprintf(f, "reader,seq,samples,t_seen_ns,lag_ns,e2e_ns\n");
    for (int i = 0; i < 200; i++)
        fprintf(f, "1,%d,%d,%d,%d,%d\n", i, 1024 * (i + 1), 1000000 * i, 2000 + (i * 53) % 3000, 22000);
    fclose(f);
    put(d, "lag_reader1.csv", s);
    free(s);
}

/* sweep.json as h5swmr sweep writes it (the parts plot reads), with the
 * scenario file and CPU given. */
static void write_sweep_json(const char *dir, const char *scenario, const char *cpu)
{
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);
    cr_assert_not_null(f);
    fprintf(f,
            "{\"schema_version\": 1, \"environment\": {\"tool\": \"h5swmr\", \"tool_version\": \"0.1.0\", "
            "\"hdf5_version\": \"1.14.3\", \"kernel\": \"6.1.0-test\", \"machine\": \"x86_64\", \"hostname\": "
            "\"box\", \"cpu\": \"%s\", \"cpus_online\": 4, \"data_dir\": \"%s\", \"data_fs\": \"ext2/3/4\", "
            "\"data_fs_magic\": \"0xef53\", \"HDF5_USE_FILE_LOCKING\": \"\"}, \"scenario_file\": \"%s\", "
            "\"runs\": []}\n",
            cpu, dir, scenario);
    fclose(f);
    put(dir, "sweep.json", s);
    free(s);
}

/* ---- legends and footer ---------------------------------------------------- */

static const char *const PLOTS[] = {"flushcost",     "flushcost_round",   "lag_vs_flush", "throughput_vs_block",
                                    "flush_latency", "flush_vs_channels", "lag_cdf"};

Test(plot, every_plot_has_its_legend_outside_and_the_footer)
{
    if (!have_gnuplot())
        cr_skip_test("gnuplot is not installed");
    const char *dir = tu_path("sweep_fixture-sweep-20260101T000000Z");
    cr_assert_eq(mkdir(dir, 0755), 0);
    put(dir, "flushcost.csv", FLUSHCOST);
    write_sweep(dir, NULL);
    write_events(dir, 300);
    write_sweep_json(dir, "scenarios/sweep_fixture.ini", "Test CPU 9000");
    cr_assert_eq(h5swmr("plot", dir, NULL), 0, "plot failed:\n%s", g_out);
    static const char footer[] = "host 4-core Test CPU 9000 x86_64, Linux 6.1.0-test, ext2/3/4 | HDF5 1.14.3, "
                                 "h5swmr 0.1.0 | scenario sweep_fixture (sweep_fixture-sweep-20260101T000000Z)";
    cr_assert(strstr(g_out, footer), "the footer is not announced:\n%s", g_out);
    for (size_t i = 0; i < sizeof PLOTS / sizeof *PLOTS; i++) {
        char *svg = assert_plot(dir, PLOTS[i]);
        cr_assert(strstr(svg, footer), "%s.svg has no footer '%s'", PLOTS[i], footer);
        cr_assert_gt(assert_legend_outside(svg, PLOTS[i]), 0, "%s.svg: no legend entries found", PLOTS[i]);
        /* a handful of series without jobs: one panel, no two lines alike */
        cr_assert_eq(svg_assert_lines_distinct(svg, PLOTS[i], NULL, NULL), 1, "%s.svg: more than one panel", PLOTS[i]);
        free(svg);
    }
    /* no reader_kind column (results from before it): that plot is simply not made */
    cr_assert(!strstr(g_out, "lag_by_reader_kind"), "%s", g_out);
    cr_assert(!tu_exists(tu_path("sweep_fixture-sweep-20260101T000000Z/lag_by_reader_kind.png")));
}

Test(plot, every_script_keeps_the_key_outside)
{
    /* what gnuplot is given: common.gp puts the key outside, and no script
     * moves it into the plot area */
    DIR *d = opendir(H5SWMR_SOURCE_DIR "/bench");
    cr_assert_not_null(d);
    struct dirent *e;
    int scripts = 0;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 4 || strcmp(e->d_name + n - 3, ".gp") != 0)
            continue;
        size_t len;
        char *gp = slurp(H5SWMR_SOURCE_DIR "/bench", e->d_name, &len);
        for (char *line = strtok(gp, "\n"); line; line = strtok(NULL, "\n")) {
            line += strspn(line, " \t");
            if (strncmp(line, "set key", 7) != 0)
                continue;
            cr_assert(strstr(line, " outside ") || strstr(line, " at screen "),
                      "%s: a key that may be inside the plot area: %s", e->d_name, line);
        }
        scripts++;
        free(gp);
    }
    closedir(d);
    cr_assert_geq(scripts, 8);
}

Test(plot, a_hostile_sweep_json_cannot_reach_gnuplot_as_commands)
{
    if (!have_gnuplot())
        cr_skip_test("gnuplot is not installed");
    /* a results directory whose name, scenario and CPU try to close the quoted
     * footer and run commands; had they worked, the marker files would exist */
    const char *dir = tu_path("res'; system('touch PWNED0'); x='");
    cr_assert_eq(mkdir(dir, 0755), 0);
    put(dir, "flushcost.csv", FLUSHCOST);
    /* gnuplot runs in the directory of the scripts: relative names land there */
    const char *scenario = "evil'; system('touch PWNED1'); set output 'PWNED2.png'; x='\\n"
                           "system(\\\"touch PWNED3\\\")\\n`touch PWNED4`@footer$x.ini";
    const char *cpu = "CPU\\r\\nset label 'PWNED5'\\u0007\\t\\\\x";
    write_sweep_json(dir, scenario, cpu);
    cr_assert_eq(h5swmr("plot", dir, NULL), 0, "plot failed:\n%s", g_out);
    static const char *const markers[] = {"PWNED0", "PWNED1", "PWNED2.png", "PWNED3", "PWNED4"};
    const char *where[] = {tu_dir(), ".", H5SWMR_SOURCE_DIR "/bench", dir};
    for (size_t i = 0; i < sizeof markers / sizeof *markers; i++)
        for (size_t w = 0; w < sizeof where / sizeof *where; w++) {
            char p[PATH_MAX];
            snprintf(p, sizeof p, "%s/%s", where[w], markers[i]);
            cr_assert(!tu_exists(p), "gnuplot ran an injected command: %s exists\n%s", p, g_out);
        }
    /* the footer is one line of plain text, quotes and control characters gone */
    const char *line = strstr(g_out, "  footer: ");
    cr_assert_not_null(line, "%s", g_out);
    size_t n = strcspn(line, "\n");
    char footer[2048];
    snprintf(footer, sizeof footer, "%.*s", (int)n, line + 10);
    cr_assert(!strpbrk(footer, "'\"`\\@$\r\t"), "unclean footer: %s", footer);
    cr_assert(strstr(footer, "host 4-core CPU set label ?PWNED5? ?x x86_64"), "%s", footer);
    cr_assert(strstr(footer, "scenario evil?; system(?touch "), "%s", footer);
    cr_assert(strstr(footer, "(res?; system(?touch PWNED0?); x=?)"), "%s", footer);
    char *svg = assert_plot(dir, "flushcost");
    cr_assert(strstr(svg, "PWNED5"), "the footer is not drawn as text");
    free(svg);
}

Test(plot, without_sweep_json_the_footer_says_so)
{
    if (!have_gnuplot())
        cr_skip_test("gnuplot is not installed");
    const char *dir = tu_path("plain");
    cr_assert_eq(mkdir(dir, 0755), 0);
    put(dir, "flushcost.csv", FLUSHCOST);
    cr_assert_eq(h5swmr("plot", dir, NULL), 0, "plot failed:\n%s", g_out);
    char *svg = assert_plot(dir, "flushcost");
    cr_assert(strstr(svg, "machine and HDF5 not recorded (no readable sweep.json, summary.json or flushcost.json) | "
                          "scenario unknown (plain)"),
              "no footer saying the facts are missing");
    free(svg);
    /* sweep.json that is not JSON: one note line, the plots are still made */
    const char *d2 = tu_path("garbage");
    cr_assert_eq(mkdir(d2, 0755), 0);
    put(d2, "flushcost.csv", FLUSHCOST);
    put(d2, "sweep.json", "{\"environment\": {\"cpu\": \"x\"\n\x01\x02 not json");
    cr_assert_eq(h5swmr("plot", d2, NULL), 0, "plot failed:\n%s", g_out);
    cr_assert(strstr(g_out, "  note: ") && strstr(g_out, "sweep.json: not JSON; the plots say the machine and HDF5 "
                                                         "were not recorded\n"),
              "%s", g_out);
    free(assert_plot(d2, "flushcost"));

    /* h5swmr flushcost --json records the environment too */
    const char *d3 = tu_path("fc");
    cr_assert_eq(mkdir(d3, 0755), 0);
    put(d3, "flushcost.csv", FLUSHCOST);
    put(d3, "flushcost.json",
        "{\"schema_version\": 1, \"command\": \"flushcost\", \"environment\": {\"tool_version\": \"0.1.0\", "
        "\"hdf5_version\": \"1.10.8\", \"kernel\": \"6.1\", \"machine\": \"x86_64\", \"cpu\": \"AMD EPYC\", "
        "\"cpus_online\": 2, \"data_fs\": \"tmpfs\"}, \"rows\": []}");
    cr_assert_eq(h5swmr("plot", d3, NULL), 0, "plot failed:\n%s", g_out);
    svg = assert_plot(d3, "flushcost_round");
    cr_assert(strstr(svg, "host 2-core AMD EPYC x86_64, Linux 6.1, tmpfs | HDF5 1.10.8, h5swmr 0.1.0 | h5swmr "
                          "flushcost (fc)"),
              "no footer from flushcost.json");
    free(svg);
}

Test(plot, a_hostile_tmpdir_is_not_used)
{
    if (!have_gnuplot())
        cr_skip_test("gnuplot is not installed");
    /* the data directory goes into gnuplot strings and a shell command line
     * of the scripts: a TMPDIR that could break out of them is not used */
    char bad[PATH_MAX], env[PATH_MAX + 16];
    snprintf(bad, sizeof bad, "%s/t'; touch PWNED; x='$(touch PWNED)", tu_dir());
    cr_assert_eq(mkdir(bad, 0755), 0);
    snprintf(env, sizeof env, "TMPDIR=%s", bad);
    const char *dir = tu_path("tmpdir");
    cr_assert_eq(mkdir(dir, 0755), 0);
    put(dir, "flushcost.csv", FLUSHCOST);
    const char *argv[] = {"/usr/bin/env", env, H5SWMR_BIN, "plot", dir, NULL};
    int status;
    cr_assert_eq(tu_run(argv, 100000, &status, g_out, sizeof g_out), 0);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s", g_out);
    free(assert_plot(dir, "flushcost"));
    const char *where[] = {tu_dir(), ".", H5SWMR_SOURCE_DIR "/bench", bad};
    for (size_t w = 0; w < sizeof where / sizeof *where; w++) {
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/PWNED", where[w]);
        cr_assert(!tu_exists(p), "a command in TMPDIR ran: %s exists", p);
    }
}

/* ---- lag by reader kind ---------------------------------------------------- */

Test(plot, lag_by_reader_kind_has_a_line_per_kind_and_the_bare_reader)
{
    if (!have_gnuplot())
        cr_skip_test("gnuplot is not installed");
    const char *dir = tu_path("kinds");
    cr_assert_eq(mkdir(dir, 0755), 0);
    /* configurations 1, 2: h5swmr (busy poll, flush every block / 8 blocks),
     * 3: h5py, 4: both kinds in one run; 5-7 have no readers */
    static const char *const kinds[] = {"h5swmr", "h5swmr", "h5py", "h5swmr,h5py", "h5swmr", "h5swmr", "h5swmr"};
    write_sweep(dir, kinds);
    write_events(dir, 300);
    write_bare_logs(dir);
    write_sweep_json(dir, "kinds.ini", "Test CPU");
    cr_assert_eq(h5swmr("plot", dir, NULL), 0, "plot failed:\n%s", g_out);
    cr_assert(strstr(g_out, "wrote ") && strstr(g_out, "/lag_by_reader_kind.png and .svg"), "%s", g_out);
    char *svg = assert_plot(dir, "lag_by_reader_kind");
    /* h5swmr's two configurations differ in their flush interval: a line each */
    static const char *const legends[] = {
        "<title>h5swmr readers: busy poll, 2 readers, flush every block, block 4 KiB</title>",
        "<title>h5swmr readers: busy poll, 2 readers, flush every 8 blocks, block 4 KiB</title>",
        "<title>h5py readers (config 3)</title>",
        "<title>mixed readers: h5swmr + h5py (config 4)</title>",
        "<title>bare HDF5 reader (config 1)</title>",
        "host 4-core Test CPU x86_64",
    };
    for (size_t i = 0; i < sizeof legends / sizeof *legends; i++)
        cr_assert(strstr(svg, legends[i]), "no '%s' in lag_by_reader_kind.svg", legends[i]);
    cr_assert_eq(assert_legend_outside(svg, "lag_by_reader_kind"), 5);
    free(svg);
}

Test(plot, reader_kinds_of_the_same_setup_are_pooled)
{
    if (!have_gnuplot())
        cr_skip_test("gnuplot is not installed");
    const char *dir = tu_path("pooled");
    cr_assert_eq(mkdir(dir, 0755), 0);
    /* 1 and 3 are h5py, 2 and 4 h5swmr; sweep.csv is rewritten so that every
     * configuration with readers has the same setup */
    static const char *const kinds[] = {"h5py", "h5swmr", "h5py", "h5swmr", "h5swmr", "h5swmr", "h5swmr"};
    write_sweep(dir, kinds);
    size_t len;
    char *csv = slurp(dir, "sweep.csv", &len);
    for (char *p = csv; (p = strstr(p, "\n2,1024,4096,8,")); p++)
        p[13] = '1';
    for (char *p = csv; (p = strstr(p, ",16384,65536,8,0,10,2,")); p++)
        memcpy(p, ",1024,4096,1,0,0,2,", 19), memmove(p + 19, p + 22, strlen(p + 22) + 1);
    for (char *p = csv; (p = strstr(p, ",16384,65536,1,0,10,2,")); p++)
        memcpy(p, ",1024,4096,1,0,0,2,", 19), memmove(p + 19, p + 22, strlen(p + 22) + 1);
    put(dir, "sweep.csv", csv);
    free(csv);
    write_events(dir, 200);
    cr_assert_eq(h5swmr("plot", dir, NULL), 0, "plot failed:\n%s", g_out);
    char *svg = assert_plot(dir, "lag_by_reader_kind");
    cr_assert(strstr(svg, "<title>h5py readers (2 configurations pooled)</title>"), "no pooled h5py line");
    cr_assert(strstr(svg, "<title>h5swmr readers (2 configurations pooled)</title>"), "no pooled h5swmr line");
    /* the bare reader's run directory is missing: no line for it, no failure */
    cr_assert(!strstr(svg, "bare HDF5 reader"), "a bare-reader line without its lag logs");
    free(svg);
}

Test(plot, no_reader_kind_plot_with_one_kind_or_without_the_column)
{
    if (!have_gnuplot())
        cr_skip_test("gnuplot is not installed");
    const char *dir = tu_path("onekind");
    cr_assert_eq(mkdir(dir, 0755), 0);
    static const char *const kinds[] = {"h5swmr", "h5swmr", "h5swmr", "h5swmr", "h5py", "h5py", "h5py"};
    write_sweep(dir, kinds); /* h5py only in configurations without lag events */
    write_events(dir, 100);
    cr_assert_eq(h5swmr("plot", dir, NULL), 0, "plot failed:\n%s", g_out);
    cr_assert(strstr(g_out, "skip lag_by_reader_kind: lag_events.csv has lag events of one reader kind: h5swmr"), "%s",
              g_out);
    cr_assert(!tu_exists(tu_path("onekind/lag_by_reader_kind.png")));
    cr_assert(!tu_exists(tu_path("onekind/lag_by_reader_kind.svg")));
    free(assert_plot(dir, "lag_cdf"));

    /* old results: no reader_kind column, no plot and no note */
    const char *d2 = tu_path("nokind");
    cr_assert_eq(mkdir(d2, 0755), 0);
    write_sweep(d2, NULL);
    write_events(d2, 100);
    write_bare_logs(d2);
    cr_assert_eq(h5swmr("plot", d2, NULL), 0, "plot failed:\n%s", g_out);
    cr_assert(!strstr(g_out, "reader_kind") && !strstr(g_out, "lag_by_reader_kind"), "%s", g_out);
    cr_assert(!tu_exists(tu_path("nokind/lag_by_reader_kind.png")));

    /* reader_kind but a lag_events.csv without a lag column: a note, no plot */
    const char *d3 = tu_path("badevents");
    cr_assert_eq(mkdir(d3, 0755), 0);
    static const char *const two[] = {"h5swmr", "h5py", "h5swmr", "h5py", "h5swmr", "h5swmr", "h5swmr"};
    write_sweep(d3, two);
    put(d3, "lag_events.csv", "config,reader,lag_ms\n1,1,4\n2,1,NaN\n");
    cr_assert_eq(h5swmr("plot", d3, NULL), 0, "plot failed:\n%s", g_out);
    cr_assert(strstr(g_out, "skip lag_by_reader_kind: lag_events.csv has lag events of no reader kind"), "%s", g_out);
    cr_assert(!tu_exists(tu_path("badevents/lag_by_reader_kind.png")));
}

Test(plot, a_closed_output_pipe_leaves_no_temporary_directory)
{
    if (!have_gnuplot())
        cr_skip_test("gnuplot is not installed");
    const char *dir = tu_path("piped"), *tmp = tu_path("tmp");
    cr_assert_eq(mkdir(dir, 0755), 0);
    cr_assert_eq(mkdir(tmp, 0755), 0);
    put(dir, "flushcost.csv", FLUSHCOST);
    char cmd[3 * PATH_MAX];
    /* head exits after the first line: later output meets a closed pipe */
    snprintf(cmd, sizeof cmd, "TMPDIR='%s' '%s' plot '%s' | head -1; sleep 1", tmp, H5SWMR_BIN, dir);
    const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    int status;
    cr_assert_eq(tu_run(argv, 100000, &status, g_out, sizeof g_out), 0);
    for (int tries = 0; tries < 50; tries++) { /* plot may still be drawing */
        DIR *d = opendir(tmp);
        cr_assert_not_null(d);
        int n = 0;
        for (struct dirent *e; (e = readdir(d));)
            n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
        closedir(d);
        if (n == 0) {
            free(assert_plot(dir, "flushcost"));
            return;
        }
        usleep(200000);
    }
    cr_assert_fail("h5swmr plot left its temporary directory in %s", tmp);
}

/* Many configurations with long descriptions: every one gets its legend
 * entry, on the canvas and outside the plot area (the picture grows), and
 * the kind plot only compares kinds within a job that varies them. */
Test(plot, every_legend_entry_is_shown_and_kinds_compare_within_a_job)
{
    if (!have_gnuplot())
        cr_skip_test("gnuplot is not installed");
    const char *dir = tu_path("many");
    cr_assert_eq(mkdir(dir, 0755), 0);
    char *s = NULL, *e = NULL;
    size_t len = 0, elen = 0;
    FILE *f = open_memstream(&s, &len), *g = open_memstream(&e, &elen);
    fprintf(f, "config,job,block_samples,block_bytes,flush_every_blocks,flush_every_ms,poll_ms,readers,nchannels,"
               "flush_call,writer_mode,reader_mode,lag_p50_us,lag_p99_us,run_dir,reader_kind\n");
    fprintf(g, "config,reader,seq,samples,t_seen_ns,lag_ns,e2e_ns\n");
    enum { NCFG = 18 };
    for (int c = 1; c <= NCFG; c++) {
        /* configurations 1-15: job lag_with_a_long_name, h5swmr readers, 15 poll intervals;
         * 16-18: job kinds, one each of h5swmr, h5py, watch */
        const char *job = c <= 15 ? "lag_with_a_long_name" : "kinds";
        const char *kind = c <= 15 ? "h5swmr" : c == 16 ? "h5swmr" : c == 17 ? "h5py" : "watch";
        fprintf(f, "%d,%s,1000,4000,1,0,%d,2,5,dflush,swmr,h5swmr,100,200,%s/c%d,%s\n", c, job, c <= 15 ? c : 10, dir,
                c, kind);
        for (int i = 0; i < 50; i++)
            fprintf(g, "%d,1,%d,%d,%d,%d,%d\n", c, i, 1000 * (i + 1), 1000000 * i, 1000 * (c + i), 2000 * (c + i));
    }
    fclose(f);
    fclose(g);
    put(dir, "sweep.csv", s);
    put(dir, "lag_events.csv", e);
    free(s);
    free(e);
    cr_assert_eq(h5swmr("plot", dir, NULL), 0, "plot failed:\n%s", g_out);
    char *svg = assert_plot(dir, "lag_cdf");
    cr_assert_eq(assert_legend_outside(svg, "lag_cdf"), NCFG, "not every configuration has its legend entry");
    free(svg);
    svg = assert_plot(dir, "lag_by_reader_kind");
    cr_assert_eq(assert_legend_outside(svg, "lag_by_reader_kind"), 3, "only the kinds job's three configurations");
    cr_assert(strstr(svg, "<title>h5py readers (config 17)</title>"), "no h5py line");
    free(svg);
}

/* ---- small multiples ------------------------------------------------------- */

/* A job name (a scenario's section) that tries to end the quoted panel title
 * in the gnuplot script h5swmr plot writes and run commands: it must be drawn
 * as the panel's title, and do nothing else. */
#define HOSTILE_JOB "ch'`touch PWNED7`@x'; system('touch PWNED6'); x='"

/* sweep.csv and lag_events.csv as a sweep of five jobs writes them, 37
 * configurations in all: lag (poll 0, 1, 10 ms x flush every 1, 5 blocks,
 * each with a bare HDF5 reader row), lag_inotify (2, with bare rows), readers
 * (1, 4, 16 readers x 2 flush intervals), a job named HOSTILE_JOB (1, 10, 100
 * channels) and big
 * (10 poll intervals x 2 flush intervals: more series than colours). */
static void write_five_jobs(const char *dir)
{
    char *s = NULL, *e = NULL;
    size_t len = 0, elen = 0;
    FILE *f = open_memstream(&s, &len), *g = open_memstream(&e, &elen);
    cr_assert(f && g);
    fprintf(f, "config,job,block_samples,block_bytes,flush_every_blocks,flush_every_ms,poll_ms,readers,nchannels,"
               "flush_call,writer_mode,reader_mode,reader_wait,lag_p50_us,lag_p99_us,run_dir\n");
    fprintf(g, "config,reader,seq,samples,t_seen_ns,lag_ns,e2e_ns\n");
    int cfg = 0;
    for (int job = 0; job < 5; job++) {
        static const char *const names[] = {"lag", "lag_inotify", "readers", HOSTILE_JOB, "big"};
        static const int count[] = {6, 2, 6, 3, 20};
        for (int i = 0; i < count[job]; i++) {
            int feb = job == 3 ? 1 : 1 + 4 * (i % 2);
            int poll = job == 0 ? (int[]){0, 1, 10}[i / 2] : job == 4 ? 2 + i / 2 : 1;
            int readers = job == 2 ? (int[]){1, 4, 16}[i / 2] : 2, chans = job == 3 ? (int[]){1, 10, 100}[i] : 5;
            double p50 = 100.0 * (job + 1) + 10 * i + 50 * feb;
            cfg++;
            for (int bare = 0; bare < (job <= 1 ? 2 : 1); bare++)
                fprintf(f, "%d,%s,1000,4000,%d,0,%d,%d,%d,dflush,swmr,%s,%s,%.0f,%.0f,%s/config-%03d-%s\n", cfg,
                        names[job], feb, poll, readers, chans, bare ? "bare" : "h5swmr", job == 1 ? "inotify" : "poll",
                        p50 / (bare + 1), p50 * 4 / (bare + 1), dir, cfg, bare ? "bare-reader" : "swmr");
            for (int k = 0; k < 40; k++)
                fprintf(g, "%d,1,%d,%d,%d,%.0f,%.0f\n", cfg, k, 1000 * (k + 1), 1000000 * k,
                        1000 * p50 * (0.5 + (k * 37 % 40) / 40.0), 2000 * p50);
        }
    }
    fclose(f);
    fclose(g);
    put(dir, "sweep.csv", s);
    put(dir, "lag_events.csv", e);
    free(s);
    free(e);
}

/* Whether svg draws a panel titled text. */
static bool svg_has_text(const char *svg, const char *text)
{
    char t[256];
    snprintf(t, sizeof t, "<text>%s</text>", text);
    return strstr(svg, t) != NULL;
}

/* Many configurations from five jobs: lag_vs_flush and lag_cdf are drawn one
 * panel per job (the SVG's multiplot panels, titled by job), the picture
 * growing with them; in every panel no two lines share colour and dash (the
 * big job has more series than there are colours), and every p99 line of
 * lag_vs_flush has its own legend entry, in its series' colour. */
Test(plot, many_configurations_get_a_panel_per_job_and_distinct_lines)
{
    if (!have_gnuplot())
        cr_skip_test("gnuplot is not installed");
    const char *dir = tu_path("five-jobs");
    cr_assert_eq(mkdir(dir, 0755), 0);
    write_five_jobs(dir);
    write_sweep_json(dir, "scenarios/five.ini", "Test CPU");
    cr_assert_eq(h5swmr("plot", dir, NULL), 0, "plot failed:\n%s", g_out);
    static const char *const jobs[] = {"[lag]", "[lag_inotify]", "[readers]", "[" HOSTILE_JOB "]", "[big]"};
    static svg_line_t l[512];
    int n;

    char *svg = assert_plot(dir, "lag_vs_flush");
    cr_assert_eq(svg_assert_lines_distinct(svg, "lag_vs_flush", l, &n), 5, "lag_vs_flush: not one panel per job");
    for (size_t j = 0; j < sizeof jobs / sizeof *jobs; j++)
        cr_assert(svg_has_text(svg, jobs[j]), "lag_vs_flush: no panel titled %s", jobs[j]);
    /* lag: 3 wake-ups x (h5swmr, bare), lag_inotify 2, readers 3, channels 3, big 10: a p50 and a p99 line each */
    cr_assert_eq(n, 2 * 24, "lag_vs_flush: %d lines with legend entries", n);
    for (int i = 0; i < n; i += 2) {
        char p99[300];
        snprintf(p99, sizeof p99, "%s p99", l[i].title);
        cr_assert_str_eq(l[i + 1].title, p99, "lag_vs_flush: the p99 line of '%s' has no legend entry", l[i].title);
        cr_assert_str_eq(l[i + 1].colour, l[i].colour, "lag_vs_flush: '%s' in another colour", p99);
        cr_assert_str_eq(l[i + 1].panel, l[i].panel);
    }
    /* a panel's legend tells its series apart within the job, without the job */
    cr_assert(strstr(svg, "<title>h5swmr reader, busy poll</title>"), "no per-job legend text");
    cr_assert(!strstr(svg, "<title>[lag]"), "legend texts still name the job");
    int panel_big = 0;
    for (int i = 0; i < n; i++)
        panel_big += !strcmp(l[i].panel, "e");
    cr_assert_eq(panel_big, 20, "the big job's panel: %d lines", panel_big);
    cr_assert_gt(assert_legend_outside(svg, "lag_vs_flush"), 0);
    free(svg);
    unsigned w, h = png_height(dir, "lag_vs_flush.png", &w);
    cr_assert(w == 1400 && h >= 5 * 300, "lag_vs_flush.png is %ux%u: not grown for 5 panels", w, h);

    svg = assert_plot(dir, "lag_cdf");
    cr_assert_eq(svg_assert_lines_distinct(svg, "lag_cdf", l, &n), 5, "lag_cdf: not one panel per job");
    cr_assert_eq(n, 37, "lag_cdf: %d lines, one per configuration expected", n);
    for (size_t j = 0; j < sizeof jobs / sizeof *jobs; j++)
        cr_assert(svg_has_text(svg, jobs[j]), "lag_cdf: no panel titled %s", jobs[j]);
    cr_assert_gt(assert_legend_outside(svg, "lag_cdf"), 0);
    free(svg);
    h = png_height(dir, "lag_cdf.png", &w);
    cr_assert(w == 1400 && h >= 5 * 300, "lag_cdf.png is %ux%u: not grown for 5 panels", w, h);
    /* the hostile job name was only a title (gnuplot runs in the scripts' directory) */
    const char *where[] = {tu_dir(), ".", H5SWMR_SOURCE_DIR "/bench", dir};
    for (size_t k = 0; k < sizeof where / sizeof *where; k++)
        for (int m = 6; m <= 7; m++) {
            char p[PATH_MAX];
            snprintf(p, sizeof p, "%s/PWNED%d", where[k], m);
            cr_assert(!tu_exists(p), "a job name ran a gnuplot command: %s exists", p);
        }
}

/* A sweep.csv of 50000 configurations, all different (far more than a sweep
 * writes): the plot honours --timeout 1 whatever it is doing, reading the
 * CSV or drawing, and ends with the time-out message within the timeout and
 * the 5 s it grants gnuplot to end (bounded here at 8 s: the tool's own
 * limit, not the machine's speed). */
Test(plot, a_huge_sweep_csv_is_bounded_by_the_timeout)
{
    if (!have_gnuplot())
        cr_skip_test("gnuplot is not installed");
    const char *dir = tu_path("huge");
    cr_assert_eq(mkdir(dir, 0755), 0);
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/sweep.csv", dir);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fprintf(f, "config,job,block_samples,block_bytes,flush_every_blocks,flush_every_ms,poll_ms,readers,nchannels,"
               "flush_call,writer_mode,reader_mode,writer_MBps,io_MBps,flush_p50_us,flush_p90_us,flush_p99_us,"
               "flush_p999_us,lag_p50_us,lag_p99_us,run_dir\n");
    static const char *const modes[] = {"swmr", "noswmr", "raw"};
    for (int i = 0; i < 50000; i++)
        fprintf(f, "%d,job%d,%d,%d,%d,0,%d,2,%d,dflush,%s,h5swmr,%d,%d,10,14,30,60,5,12,%s/c%d\n", i + 1, i % 3,
                1024 * (1 + i % 7), 4096 * (1 + i % 7), 1 + i % 5, i, 1 + i % 13, modes[i % 3], 40 + i % 100,
                50 + i % 90, dir, i);
    cr_assert_eq(fclose(f), 0);
    int64_t t0 = h5s_now_ns();
    int rc = h5swmr("plot", dir, "--timeout", "1", NULL);
    double took = (double)(h5s_now_ns() - t0) / 1e9;
    cr_assert_eq(rc, 1, "%s", g_out);
    cr_assert(strstr(g_out, "did not finish within 1 s"), "%s", g_out);
    cr_assert_lt(took, 8, "plot --timeout 1 took %.1f s: %s", took, g_out);
}
