/* sweep.c - h5swmr sweep: every combination of the scenario's sweep axes, each
 * with raw-pwrite and non-SWMR baselines measured in the same run, as one CSV,
 * one JSON and (with gnuplot) plots.
 *
 * This file plans the configurations and runs them; sweep_results.c writes
 * each run's results, sweep_targets.c the growth and target reports. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "orch.h"
#include "preheat.h"
#include "report.h"
#include "report_html.h"
#include "scenario.h"
#include "sweep.h"
#include "util.h"

#define MAX_AXES 16
#define MAX_OVERRIDES 256

/* One line on stderr, the exit status returned. */
#define fail(code, ...) h5s_cli_fail("sweep", code, __VA_ARGS__)

/* A run of one repeat that is the same configuration with bare HDF5 reader
 * loops (reader_mode = bare) in place of h5swmr's readers. */
#define MODE_BARE_READER 100

/* Whether a configuration's repeats run its writer baselines (raw, noswmr,
 * bare), or its bare-reader baseline, beside it. */
static bool has_writer_baselines(const scn_t *c)
{
    return c->baselines && !c->realtime && c->writer_mode == SCN_MODE_SWMR && c->workload == SCN_APPEND;
}

/* Whether a configuration's repeats also run it with bare HDF5 reader loops
 * in place of h5swmr's readers (reader_baseline). */
static bool has_reader_baseline(const scn_t *c)
{
    return c->reader_baseline && c->readers > 0 && c->writer_mode == SCN_MODE_SWMR && c->workload == SCN_APPEND &&
           c->reader_mode == SCN_READER_H5SWMR;
}

/* Runs per repeat of a configuration: itself and its baselines. */
static int runs_per_repeat(const scn_t *c)
{
    return has_writer_baselines(c) ? 4 : has_reader_baseline(c) ? 2 : 1;
}

/* The data a run writes, at most: its limits, or 4 GB/s (about the fastest
 * this machine type writes) for its duration when it runs flat out. */
static double run_bytes(const scn_t *s, int nch)
{
    double bytes = preheat_run_bytes(s, nch);
    if (s->realtime && s->sample_rate > 0 && s->duration_s > 0)
        bytes = s->sample_rate * s->duration_s * (s->dtype == 1 ? 8 : 4) * nch;
    return bytes;
}

/* Free bytes on the file system that holds dir (or its nearest existing
 * parent); -1 if unknown. */
static double free_bytes(const char *dir)
{
    char p[SCN_PATH];
    snprintf(p, sizeof p, "%s", dir[0] ? dir : ".");
    struct statvfs v;
    while (statvfs(p, &v) != 0) {
        char *slash = strrchr(p, '/');
        if (!slash)
            return statvfs(".", &v) == 0 ? (double)v.f_bavail * (double)v.f_frsize : -1;
        if (slash == p) {
            p[1] = '\0';
            return statvfs(p, &v) == 0 ? (double)v.f_bavail * (double)v.f_frsize : -1;
        }
        *slash = '\0';
    }
    return (double)v.f_bavail * (double)v.f_frsize;
}

/* Refuses a sweep whose data cannot fit: the largest run (its preheated
 * file) when passed runs are deleted, every run with keep_data.
 * Returns 0, or the exit status after one line on stderr. */
static int check_space(const scn_t *cfg, size_t n)
{
    double largest = 0, all = 0;
    bool keep = false;
    char(*names)[SCN_STR] = calloc(SCN_MAX_GEN_CHANNELS, SCN_STR);
    if (!names)
        return fail(EXIT_FAIL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        int nch = scn_channel_names(&cfg[i], names, SCN_MAX_GEN_CHANNELS);
        /* a preheated file (preheat.h) holds the run's data and a margin for HDF5's metadata */
        double b = run_bytes(&cfg[i], nch), ph = (double)preheat_bytes(&cfg[i], nch);
        b = ph > b ? ph : b;
        largest = b > largest ? b : largest;
        all += b * (double)cfg[i].repeat * 4;
        keep |= cfg[i].keep_data;
    }
    free(names);
    double need = (keep ? all : largest) * 1.1 + 64e6, have = free_bytes(cfg[0].results_dir);
    printf("sweep: needs about %.1f GB free under %s (%s), %.1f GB free\n", need / 1e9,
           cfg[0].results_dir[0] ? cfg[0].results_dir : ".",
           keep ? "keep_data: every run's data kept" : "the largest run; data of passed runs is deleted", have / 1e9);
    if (have >= 0 && have < need)
        return fail(EXIT_USAGE,
                    "not enough free space under '%s': about %.1f GB needed, %.1f GB free (lower duration or max_mb%s)",
                    cfg[0].results_dir, need / 1e9, have / 1e9, keep ? ", or keep_data = false" : "");
    return 0;
}

/* Whether a stop request (SIGINT or SIGTERM, kept blocked during a sweep)
 * is pending. */
static bool interrupted_pending(void)
{
    sigset_t p;
    return sigpending(&p) == 0 && (sigismember(&p, SIGINT) || sigismember(&p, SIGTERM));
}

/* The axes of one job: its scenario's sweep, then each -s, which replaces
 * an axis of the same key or adds one. Returns their number, or -1 with *rc
 * set after one line on stderr. */
static int job_axes(const scn_t *job, const char *const *cli, int ncli, scn_axis_t *axes, int *rc, const char *scenario)
{
    char msg[400];
    int na = scn_parse_sweep(job->sweep, axes, MAX_AXES, msg, sizeof msg);
    scn_axis_t *one = na >= 0 ? calloc(MAX_AXES, sizeof *one) : NULL;
    for (int k = 0; na >= 0 && k < ncli; k++) {
        int m = one ? scn_parse_sweep(cli[k], one, MAX_AXES, msg, sizeof msg) : -1;
        if (!one)
            snprintf(msg, sizeof msg, "out of memory");
        for (int x = 0; m >= 0 && x < m && na >= 0; x++) {
            int at = 0;
            while (at < na && strcmp(axes[at].key, one[x].key))
                at++;
            if (at == MAX_AXES) {
                snprintf(msg, sizeof msg, "sweep: more than %d axes", MAX_AXES);
                na = -1;
            } else {
                axes[at] = one[x];
                na += at == na;
            }
        }
        if (m < 0)
            na = -1;
    }
    free(one);
    if (na < 0)
        *rc = fail(EXIT_USAGE, "%s [%s]: %s", scenario, job->name, msg);
    return na;
}

/* Makes the plots of the sweep's directory (h5swmr plot DIR); its exit status. */
static int run_plot(const char *dir)
{
    char *argv[] = {"h5swmr", "plot", (char *)dir, NULL};
    return cmd_plot(3, argv);
}

/* ---- the command line ---------------------------------------------------- */

/* What the command line asks for. */
typedef struct sweep_args {
    const char *scenario;
    const char *ov[MAX_OVERRIDES];
    size_t nov;
    const char *axes[MAX_AXES];
    int naxes;
    bool dry, plot;
    double max_runs;
} sweep_args_t;

enum { OPT_OVERRIDE, OPT_AXIS, OPT_DRY_RUN, OPT_NO_PLOT, OPT_MAX_RUNS };

static const cli_opt_t sweep_opts[] = {
    [OPT_OVERRIDE] = {"o", 'o', "KEY=VALUE", "set a scenario key for every job (repeatable)"},
    [OPT_AXIS] = {"s", 's', "KEY=V1,V2,...", "an axis: replaces the scenario's axis of KEY or adds one (repeatable)"},
    [OPT_DRY_RUN] = {"dry-run", 0, NULL, "list the configurations, their runs and time; run nothing"},
    [OPT_NO_PLOT] = {"no-plot", 0, NULL, "make no plots"},
    [OPT_MAX_RUNS] = {"max-runs", 0, "N", "refuse a sweep of more than N runs (default 2000)"},
    {NULL, 0, NULL, NULL},
};

/* Parses argv into a. Returns -1 to go on, or the exit status (0 after
 * --help, 2 after one line on stderr). */
static int parse_args(int argc, char **argv, sweep_args_t *a)
{
    cli_parser_t p;
    const char *v;
    cli_begin(&p, &cmd_sweep_def, argc, argv);
    for (int k; (k = cli_next(&p, &v)) != CLI_END;) {
        switch (k) {
        case CLI_HELP: return EXIT_OK;
        case CLI_ERROR: return EXIT_USAGE;
        case CLI_POSITIONAL:
            if (a->scenario)
                return cli_usage_error(&cmd_sweep_def, "unexpected argument '%s'", v);
            a->scenario = v;
            break;
        case OPT_OVERRIDE:
            if (a->nov == MAX_OVERRIDES)
                return cli_usage_error(&cmd_sweep_def, "too many -o");
            a->ov[a->nov++] = v;
            break;
        case OPT_AXIS:
            if (a->naxes == MAX_AXES)
                return cli_usage_error(&cmd_sweep_def, "too many -s");
            a->axes[a->naxes++] = v;
            break;
        case OPT_DRY_RUN: a->dry = true; break;
        case OPT_NO_PLOT: a->plot = false; break;
        case OPT_MAX_RUNS:
            if (!cli_number(v, 1, 1e6, &a->max_runs) || a->max_runs != floor(a->max_runs))
                return cli_usage_error(&cmd_sweep_def, "--max-runs needs a whole number from 1 to 1000000");
            break;
        }
    }
    if (!a->scenario)
        return cli_usage_error(&cmd_sweep_def, "no scenario file given (try scenarios/sweep_quick.ini)");
    return -1;
}

/* ---- planning ------------------------------------------------------------ */

/* The configurations of a sweep: a growable array. */
typedef struct cfgs {
    scn_t *v;
    size_t n, cap;
} cfgs_t;

/* Counts the runs the axes of every job make, before any configuration is
 * built, and refuses more than --max-runs. Returns 0, or the exit status
 * after one line on stderr. */
static int check_run_count(const scn_file_t *sf, const sweep_args_t *a, scn_axis_t *axes)
{
    int rc = 0;
    double planned = 0;
    for (size_t j = 0; j < sf->njobs && !rc; j++) {
        int na = job_axes(&sf->jobs[j], a->axes, a->naxes, axes, &rc, a->scenario);
        double combos = 1;
        for (int k = 0; k < na; k++)
            combos *= axes[k].n;
        planned += combos * (double)sf->jobs[j].repeat * runs_per_repeat(&sf->jobs[j]);
    }
    if (rc)
        return rc;
    if (planned > a->max_runs)
        return fail(EXIT_USAGE,
                    "%s: the axes make up to %.0f runs, more than --max-runs %.0f: narrow the axes or raise --max-runs",
                    a->scenario, planned, a->max_runs);
    return 0;
}

/* Adds every combination of the axes' values (the cartesian product) set
 * on job to c; a combination that is not a valid scenario is skipped with a
 * line on stdout. Returns 0, or -1 when out of memory. */
static int expand_job(const scn_t *job, const scn_axis_t *axes, int na, cfgs_t *c)
{
    char msg[400];
    int idx[MAX_AXES] = {0};
    for (;;) {
        scn_t s = *job;
        bool skip = false;
        for (int a = 0; a < na; a++)
            if (axes[a].n && scn_set(&s, axes[a].key, axes[a].values[idx[a]], msg, sizeof msg) < 0)
                skip = true;
        if (!skip && scn_validate(&s, msg, sizeof msg) < 0) {
            printf("skipping a combination of [%s]: %s\n", s.name, msg);
            skip = true;
        }
        if (!skip) {
            if (c->n == c->cap) {
                void *p = realloc(c->v, (c->cap *= 2) * sizeof *c->v);
                if (!p)
                    return -1;
                c->v = p;
            }
            c->v[c->n++] = s;
        }
        int a = 0;
        while (a < na && (axes[a].n == 0 || ++idx[a] == axes[a].n)) {
            idx[a] = 0;
            a++;
        }
        if (a >= na)
            return 0;
    }
}

/* The configurations of the sweep: jobs x axes. Returns 0 with c filled (the
 * caller frees c->v), or the exit status after one line on stderr. */
static int plan_configs(const scn_file_t *sf, const sweep_args_t *a, cfgs_t *c)
{
    scn_axis_t *axes = calloc(MAX_AXES, sizeof *axes);
    c->n = 0;
    c->cap = 64;
    c->v = malloc(c->cap * sizeof *c->v);
    int rc = !c->v || !axes ? fail(EXIT_FAIL, "out of memory") : check_run_count(sf, a, axes);
    for (size_t j = 0; j < sf->njobs && !rc; j++) {
        int na = job_axes(&sf->jobs[j], a->axes, a->naxes, axes, &rc, a->scenario);
        if (na >= 0 && expand_job(&sf->jobs[j], axes, na, c) != 0)
            rc = fail(EXIT_FAIL, "out of memory");
    }
    if (!rc && c->n == 0)
        rc = fail(EXIT_USAGE, "no valid configuration to run");
    free(axes);
    return rc;
}

/* Prints the number of configurations and runs and an estimate of their
 * time (each run's duration, 1 s where a block or size limit ends it, plus
 * set-up and verification); with --dry-run, lists the configurations.
 * Returns the number of runs: every configuration's repeats, each with its
 * baselines. */
static size_t print_plan(const sweep_args_t *a, const scn_t *cfg, size_t n)
{
    size_t nruns = 0;
    double est = 0;
    for (size_t i = 0; i < n; i++) {
        nruns += (size_t)cfg[i].repeat * (size_t)runs_per_repeat(&cfg[i]);
        est +=
            (double)cfg[i].repeat * runs_per_repeat(&cfg[i]) * ((cfg[i].duration_s > 0 ? cfg[i].duration_s : 1) + 0.5);
    }
    printf("sweep %s: %zu configurations, %zu runs, about %.0f s\n", a->scenario, n, nruns, est);
    for (size_t i = 0; a->dry && i < n; i++) {
        char b[64];
        printf("  %zu [%s] block_samples=%lld flush_every_blocks=%lld poll_ms=%s readers=%lld nchannels=%lld\n", i + 1,
               cfg[i].name, (long long)cfg[i].block_samples, (long long)cfg[i].flush_every_blocks,
               sweep_opt_text(&cfg[i], "poll_ms", b, sizeof b), (long long)cfg[i].readers, (long long)cfg[i].nchannels);
    }
    return nruns;
}

/* ---- running ------------------------------------------------------------- */

/* A sweep under way: its configurations, its results files and its runs. */
typedef struct sweep {
    const sweep_args_t *args;
    const scn_t *cfg;
    size_t n, nruns, done_runs;
    char dir[SCN_PATH + 64];
    FILE *csv, *events;
    cJSON *json, *jrows;
    sweep_row_t *rows;
    sweep_base_t *bases;
    scn_t *runs;
    orch_report_t *rep;
    char (*names)[SCN_STR];
    int64_t t0;
    bool stop;
    int worst, rc;
} sweep_t;

/* Frees the runs' rows, baselines, scenarios and report. */
static void free_runs(sweep_t *w)
{
    free(w->rows);
    free(w->bases);
    free(w->runs);
    free(w->rep);
    free(w->names);
    w->rows = NULL;
    w->bases = NULL;
    w->runs = NULL;
    w->rep = NULL;
    w->names = NULL;
}

/* Creates the sweep's results directory, opens sweep.csv and lag_events.csv
 * in it with their headers, starts sweep.json and allocates the rows of
 * every run. Returns 0, or the exit status after one line on stderr, with
 * nothing left open. */
static int open_results(sweep_t *w)
{
    char dirbase[SCN_STR + 16], path[SCN_PATH + 128];
    snprintf(dirbase, sizeof dirbase, "%s-sweep", w->cfg[0].scenario);
    if (h5s_make_unique_dir(w->cfg[0].results_dir, dirbase, w->dir, sizeof w->dir) != 0)
        return fail(EXIT_USAGE, "cannot create a results directory under '%s': %s", w->cfg[0].results_dir,
                    strerror(errno));
    snprintf(path, sizeof path, "%s/sweep.csv", w->dir);
    w->csv = fopen(path, "wx");
    snprintf(path, sizeof path, "%s/lag_events.csv", w->dir);
    w->events = fopen(path, "wx");
    w->rows = calloc(w->nruns, sizeof *w->rows);
    w->bases = calloc(w->nruns, sizeof *w->bases);
    w->runs = calloc(w->nruns, sizeof *w->runs);
    w->rep = malloc(sizeof *w->rep);
    w->names = calloc(SCN_MAX_GEN_CHANNELS, SCN_STR);
    if (!w->csv || !w->events || !w->rows || !w->bases || !w->runs || !w->rep || !w->names) {
        int rc = fail(EXIT_FAIL, "%s: %s", w->dir, strerror(errno));
        if (w->csv)
            fclose(w->csv);
        if (w->events)
            fclose(w->events);
        w->csv = w->events = NULL;
        free_runs(w);
        return rc;
    }
    sweep_write_headers(w->csv, w->events);
    w->json = cJSON_CreateObject();
    cJSON_AddNumberToObject(w->json, "schema_version", REPORT_SCHEMA_VERSION);
    char *envtext = report_environment_json(w->dir);
    cJSON_AddItemToObject(w->json, "environment", envtext ? cJSON_Parse(envtext) : cJSON_CreateNull());
    free(envtext);
    cJSON_AddStringToObject(w->json, "scenario_file", w->args->scenario);
    w->jrows = cJSON_AddArrayToObject(w->json, "runs");
    return 0;
}

/* Prepares run w->done_runs, configuration i in mode `mode` (a writer mode,
 * or MODE_BARE_READER) for repeat rep_no: its scenario, its row and its
 * directory's name; prints the progress line. wm receives the mode's name. */
static sweep_row_t *prepare_run(sweep_t *w, size_t i, int rep_no, int mode, char *wm, size_t wmcap)
{
    scn_t *s = &w->runs[w->done_runs];
    *s = w->cfg[i];
    if (mode == MODE_BARE_READER) {
        s->reader_mode = SCN_READER_BARE;
        s->raw_logs = s->measure;
    } else if (mode != SCN_MODE_SWMR) {
        s->writer_mode = mode;
        s->readers = 0;
    } else if (s->readers > 0 && s->measure) {
        s->raw_logs = true;
    }
    s->file[0] = '\0';
    sweep_row_t *r = &w->rows[w->done_runs];
    r->config = (int)i + 1;
    r->repeat = rep_no;
    r->s = s;
    r->nch = scn_channel_names(s, w->names, SCN_MAX_GEN_CHANNELS);
    char rb[64];
    sweep_opt_text(s, "writer_mode", wm, wmcap);
    if (mode == MODE_BARE_READER)
        snprintf(wm, wmcap, "bare-reader");
    if (w->cfg[i].repeat > 1)
        snprintf(rb, sizeof rb, "config-%03zu-%.16s-%d", i + 1, wm, rep_no);
    else
        snprintf(rb, sizeof rb, "config-%03zu-%.16s", i + 1, wm);
    snprintf(r->dir, sizeof r->dir, "%s/%s", w->dir, rb);
    double el = (double)(h5s_now_ns() - w->t0) / 1e9;
    double eta = w->done_runs ? el / (double)w->done_runs * (double)(w->nruns - w->done_runs) : 0;
    printf("[%zu/%zu] config %zu [%s] %s block_samples=%lld nchannels=%d readers=%lld poll_ms=%g "
           "flush_every_blocks=%lld  elapsed %.0f s, ETA %.0f s\n",
           w->done_runs + 1, w->nruns, i + 1, s->name, wm, (long long)s->block_samples, r->nch, (long long)s->readers,
           s->poll_ms, (long long)s->flush_every_blocks, el, eta);
    fflush(stdout);
    return r;
}

/* Takes in the results of run r, done in mode `mode`: its summary.json, its
 * row (and lag events, except a bare-reader run's, which stay out of the
 * configuration's events and plots), the baseline figure it gives its
 * repeat; deletes its data file if it passed (unless keep_data) and prints
 * its line. */
static void record_run(sweep_t *w, sweep_row_t *r, int mode, const char *wm, const char *file, sweep_base_t *base)
{
    char path[SCN_PATH + 224];
    snprintf(path, sizeof path, "%s/summary.json", r->dir);
    report_write_json(path, w->rep, r->dir, NULL);
    sweep_fill_row(r, w->rep, mode == MODE_BARE_READER ? NULL : w->events);
    if (mode == MODE_BARE_READER) {
        base->bare_reader_p50_us = r->lag.n ? (double)r->lag.p50 / 1e3 : 0;
        base->bare_reader_p99_us = r->lag.n ? (double)r->lag.p99 / 1e3 : 0;
        base->bare_reader_p50_hi_us = r->lag.n ? (double)r->lag.p50_hi / 1e3 : 0;
        base->bare_reader_p99_hi_us = r->lag.n ? (double)r->lag.p99_hi / 1e3 : 0;
    } else if (mode == SCN_MODE_RAW) {
        base->raw_io = r->io_MBps;
        base->raw_call = r->call_MBps;
    } else if (mode == SCN_MODE_NOSWMR) {
        base->noswmr_io = r->io_MBps;
        base->noswmr_call = r->call_MBps;
    } else if (mode == SCN_MODE_BARE) {
        base->bare_call = r->call_MBps;
    }
    /* disk hygiene: a run that passed leaves its data file behind only with keep_data */
    if (!r->s->keep_data && r->exit_code == 0 && r->errors == 0 && unlink(file) == 0)
        r->data_deleted = true;
    if (r->exit_code && !w->worst)
        w->worst = r->exit_code;
    printf("        %s: %.1f MB/s (io %.1f MB/s), flush p50 %.1f us", wm, r->writer_MBps, r->io_MBps, r->flush.p50_us);
    if (r->lag.n)
        printf(", lag p50 %.0f us p99 %.0f us, readers %.0f%% CPU", r->lag.p50 / 1e3, r->lag.p99 / 1e3,
               r->reader_cpu_pct);
    if (r->errors)
        printf(", %llu ERRORS", (unsigned long long)r->errors);
    printf("\n");
    fflush(stdout);
    w->done_runs++;
}

/* Removes the directory of a run that is no result, as its repeat was cut
 * short: its data file, lag logs and summary (kept with keep_data, and when
 * the run saw wrong data: failures are kept). */
static void discard_run_dir(const scn_t *s, const char *dir, int exit_code)
{
    if (s->keep_data || exit_code == EXIT_VERIFY)
        return;
    if (h5s_rm_rf(dir) != 0 && errno != ENOENT)
        printf("sweep: warning: cannot remove %s: %s\n", dir, strerror(errno));
}

/* Runs one run of a repeat (see prepare_run) and takes in its results.
 * Returns 0, or -1 when the sweep must stop: after a failure (w->rc set,
 * one line on stderr) or a stop request (w->worst = 130). */
static int run_one(sweep_t *w, size_t i, int rep_no, int mode, sweep_base_t *base)
{
    char wm[16], file[SCN_PATH + 256];
    sweep_row_t *r = prepare_run(w, i, rep_no, mode, wm, sizeof wm);
    scn_t *s = &w->runs[w->done_runs];
    if (mkdir(r->dir, 0755) != 0) {
        w->rc = fail(EXIT_FAIL, "%s: %s", r->dir, strerror(errno));
        return -1;
    }
    snprintf(file, sizeof file, "%s/%s", r->dir,
             mode == SCN_MODE_RAW    ? "data.raw"
             : mode == SCN_MODE_BARE ? "data.h5"
                                     : "data.mth5");
    s->quiet = true;
    if (interrupted_pending()) {
        discard_run_dir(s, r->dir, 0);
        printf("interrupted: %zu runs kept in %s\n", w->done_runs, w->dir);
        w->worst = 130;
        return -1;
    }
    h5s_err_t err;
    /* the live status line: this run of how many, the time left at the pace so far */
    status_outer_t outer = {.index = (long long)w->done_runs + 1, .count = (long long)w->nruns, .t0_ns = w->t0};
    snprintf(outer.label, sizeof outer.label, "run %zu/%zu, config %zu/%zu", w->done_runs + 1, w->nruns, i + 1, w->n);
    double el = (double)(h5s_now_ns() - w->t0) / 1e9, after = (double)(w->nruns - w->done_runs - 1);
    outer.eta_after_s =
        w->done_runs ? el / (double)w->done_runs * after : after * ((s->duration_s > 0 ? s->duration_s : 1) + 0.5);
    if (orch_run_live(s, file, r->dir, &outer, w->rep, &err) < 0) {
        w->rc = fail(EXIT_FAIL, "%s", err.msg);
        return -1;
    }
    if (w->rep->interrupted) {
        /* a configuration cut short is not a result: what it made goes */
        discard_run_dir(s, r->dir, w->rep->exit_code);
        printf("interrupted: configuration %zu discarded, %zu runs kept in %s\n", i + 1, w->done_runs, w->dir);
        w->worst = 130;
        return -1;
    }
    record_run(w, r, mode, wm, file, base);
    return 0;
}

/* Runs h5floor beside configuration i (sweep_floor.c) in the sweep's
 * directory, its figures into base. Returns 0 (also when there is no floor:
 * the sweep goes on without it), or -1 when the sweep must stop (a stop
 * request; w->worst = 130). */
static int run_floor(sweep_t *w, size_t i, sweep_base_t *base)
{
    if (interrupted_pending()) {
        printf("interrupted: %zu runs kept in %s\n", w->done_runs, w->dir);
        w->worst = 130;
        w->stop = true;
        return -1;
    }
    sweep_floor_run(&w->cfg[i], scn_channel_names(&w->cfg[i], w->names, SCN_MAX_GEN_CHANNELS), w->dir, base);
    return 0;
}

/* Runs repeat rep_no of configuration i: its baselines and its SWMR run back
 * to back, so that their ratios are paired within the same state of the
 * machine; the order turns around every other repeat (A B C D, D C B A), so
 * that a drift of the machine or its page cache along the repeat does not
 * favour one mode. Writes the repeat's rows; a repeat cut short is not a
 * result. Sets w->stop when the sweep must stop. */
static void run_repeat(sweep_t *w, size_t i, int rep_no)
{
    static const int with_base[] = {SCN_MODE_RAW, SCN_MODE_NOSWMR, SCN_MODE_BARE, SCN_MODE_SWMR};
    static const int turned[] = {SCN_MODE_SWMR, SCN_MODE_BARE, SCN_MODE_NOSWMR, SCN_MODE_RAW};
    static const int with_bare_reader[] = {MODE_BARE_READER, SCN_MODE_SWMR, MODE_BARE_READER};
    const scn_t *c = &w->cfg[i];
    const int *modes = has_writer_baselines(c)  ? (rep_no % 2 ? with_base : turned)
                       : has_reader_baseline(c) ? with_bare_reader + (rep_no % 2 ? 0 : 1)
                                                : with_base + 3;
    int nmodes = runs_per_repeat(c);
    sweep_base_t base = {0};
    size_t first_run = w->done_runs;
    /* the standalone floor runs next to the SWMR run: before it in one
     * repeat, after it in the next */
    bool floor = sweep_floor_applies(c, scn_channel_names(c, w->names, SCN_MAX_GEN_CHANNELS));
    for (int mi = 0; mi < nmodes; mi++) {
        bool swmr = modes[mi] == SCN_MODE_SWMR;
        if ((floor && swmr && rep_no % 2 && run_floor(w, i, &base) != 0) ||
            run_one(w, i, rep_no, modes[mi], &base) != 0 ||
            (floor && swmr && !(rep_no % 2) && run_floor(w, i, &base) != 0)) {
            /* the repeat is no result: the runs of it that finished go too */
            for (size_t k = first_run; k < w->done_runs; k++)
                if (w->rows[k].exit_code == 0 && w->rows[k].errors == 0)
                    discard_run_dir(w->rows[k].s, w->rows[k].dir, 0);
            w->done_runs = first_run;
            w->stop = true;
            return;
        }
    }
    if (w->stop) {
        w->done_runs = first_run;
        return;
    }
    if (sweep_emit_repeat(w->rows, w->bases, first_run, w->done_runs, &base, w->csv, w->events, w->jrows) != 0) {
        printf("sweep: writing sweep.csv or lag_events.csv in %s failed: %s; stopping\n", w->dir, strerror(errno));
        w->stop = true;
    }
}

/* Writes sweep.json and frees the JSON. Returns werr, or when werr is 0 the
 * error of this write (0 if none). */
static int write_sweep_json(sweep_t *w, int werr)
{
    char path[SCN_PATH + 128];
    char *text = h5s_json_text(w->json);
    cJSON_Delete(w->json);
    w->json = NULL;
    snprintf(path, sizeof path, "%s/sweep.json", w->dir);
    FILE *jf = text ? fopen(path, "wx") : NULL;
    if (!jf && !werr)
        werr = text ? errno : ENOMEM;
    if (jf) {
        fputs(text, jf);
        fputc('\n', jf);
        if ((ferror(jf) | fclose(jf)) != 0 && !werr)
            werr = errno ? errno : EIO;
    }
    free(text);
    return werr;
}

/* Ends the sweep: the growth and target reports, the results files closed
 * and sweep.json written (results that could not be written are no results:
 * the sweep fails), the closing line, and the plots. */
static void finish_results(sweep_t *w)
{
    sweep_print_growth(stdout, w->rows, (int)w->done_runs, w->json);
    sweep_print_targets(stdout, w->rows, (int)w->done_runs, w->bases, w->json);
    int werr = ferror(w->events) || ferror(w->csv) ? errno ? errno : EIO : 0;
    if (fclose(w->events) != 0 && !werr)
        werr = errno;
    if (fclose(w->csv) != 0 && !werr)
        werr = errno;
    w->events = w->csv = NULL;
    werr = write_sweep_json(w, werr);
    if (werr) {
        w->rc = fail(EXIT_FAIL, "writing the results in %s failed: %s", w->dir, strerror(werr));
        w->stop = true;
    }
    printf("sweep: %zu of %zu runs in %.0f s; results in %s\n", w->done_runs, w->nruns,
           (double)(h5s_now_ns() - w->t0) / 1e9, w->dir);
    if (w->args->plot && w->done_runs && !w->stop && !interrupted_pending()) {
        int prc = run_plot(w->dir);
        if (prc != 0)
            printf("plots: not made (h5swmr plot exited %d)\n", prc);
    }
    if (w->done_runs && !interrupted_pending())
        report_html_after(w->dir, stdout);
}

/* Runs every repeat of every configuration and ends the sweep. SIGINT and
 * SIGTERM stay blocked throughout, so that Ctrl-C between runs does not kill
 * the sweep: orch_run sees them through its signalfd, and between runs they
 * are found pending. Returns the exit status: a failure's, 130 after a stop
 * request, else the worst run's. */
static int run_sweep(sweep_t *w)
{
    sigset_t stopset, oldmask;
    sigemptyset(&stopset);
    sigaddset(&stopset, SIGINT);
    sigaddset(&stopset, SIGTERM);
    sigprocmask(SIG_BLOCK, &stopset, &oldmask);
    w->t0 = h5s_now_ns();
    for (size_t i = 0; i < w->n && !w->stop; i++)
        for (int rep_no = 1; rep_no <= w->cfg[i].repeat && !w->stop; rep_no++)
            run_repeat(w, i, rep_no);
    finish_results(w);
    free_runs(w);
    /* consume a pending stop request before unblocking, so it does not kill us */
    struct timespec zero = {0, 0};
    while (sigtimedwait(&stopset, NULL, &zero) > 0)
        w->worst = 130;
    sigprocmask(SIG_SETMASK, &oldmask, NULL);
    return w->rc ? w->rc : w->worst;
}

/* h5swmr sweep: parses the command line, loads the scenario, plans the
 * configurations and, unless --dry-run, runs them; returns the exit status. */
int cmd_sweep(int argc, char **argv)
{
    sweep_args_t a = {.plot = true, .max_runs = 2000};
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0)
        return rc;
    scn_file_t sf;
    h5s_err_t err;
    if (scn_load(a.scenario, a.ov, a.nov, &sf, &err) < 0)
        return fail(EXIT_USAGE, "%s", err.msg);
    cfgs_t c = {0};
    sweep_t w = {.args = &a};
    rc = plan_configs(&sf, &a, &c);
    w.cfg = c.v;
    w.n = c.n;
    if (!rc)
        w.nruns = print_plan(&a, c.v, c.n);
    if (!rc && !a.dry && !(rc = check_space(c.v, c.n)) && !(rc = open_results(&w)))
        rc = run_sweep(&w);
    free(c.v);
    scn_file_free(&sf);
    return rc;
}

const cli_cmd_t cmd_sweep_def = {
    .name = "sweep",
    .synopsis = "SCENARIO [-o KEY=VALUE]... [-s KEY=V1,V2]... [--dry-run] [--no-plot] [--max-runs N]",
    .summary = "every combination of values, with baselines and plots",
    .help = "Runs every combination of the sweep axes (the scenario's 'sweep' key; each -s replaces the\n"
            "scenario's axis of its key or adds one), each job of the scenario in turn. For a flat-out\n"
            "writer (realtime = false) each configuration is also run as raw pwrite, as HDF5 without SWMR\n"
            "and as a bare HDF5 SWMR loop (baselines = true), back to back, so that throughput is reported\n"
            "as ratios paired within one repeat; the standalone floor h5floor (plain C on HDF5, beside the\n"
            "h5swmr program) runs next to each configuration it mirrors (floor = true: one float32 channel,\n"
            "a flush per block; flat out, or paced with one busy-polling reader). Writes "
            "results/<scenario>-sweep-<time>/: sweep.csv (a row\n"
            "per run), sweep.json, lag_events.csv, a directory per run, and plots. Data files of runs that\n"
            "passed are deleted unless keep_data = true. It states the number of runs and an estimate of\n"
            "their time first, and refuses more than --max-runs (default 2000) or more data than the disk\n"
            "has room for.\n",
    .opts = sweep_opts,
    .handler = cmd_sweep,
    .needs_hdf5 = true,
};
