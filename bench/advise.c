/* advise.c - h5swmr advise: the flush and poll policy for the user's own
 * paced acquisition and lag budget. It calibrates a cost model with a few
 * real runs, lets advise_search.c choose what to measure, measures those
 * candidates with real runs at a compressed pace, confirms the choice at the
 * real pace, and writes the recommendation with its evidence (text,
 * Markdown, JSON, CSV, a plot of the Pareto front, a scenario file). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "advise.h"
#include "cli.h"
#include "commands.h"
#include "orch.h"
#include "paths.h"
#include "plot_footer.h"
#include "report.h"
#include "report_html.h"
#include "scenario.h"
#include "stats.h"
#include "util.h"

#define fail(code, ...) h5s_cli_fail("advise", code, __VA_ARGS__)
#define MAX_OVERRIDES 256
#define MIN_FLUSHES 40 /* flushes a measuring run holds at least */

/* Flushes a run needs for ADV_P99_MIN_EVENTS lag events from x's readers
 * (each reader sees every flush; 20 % more for the readers' warm-up, whose
 * flushes give no lag), and never fewer than MIN_FLUSHES. */
static double flushes_needed(int readers)
{
    double f = ceil(1.2 * (ADV_P99_MIN_EVENTS + 1) / (readers > 0 ? readers : 1));
    return f < MIN_FLUSHES ? MIN_FLUSHES : f;
}

/* ---- the command line ---------------------------------------------------- */

typedef struct adv_args {
    const char *scenario; /* NULL: the workload from -o alone */
    const char *job;
    const char *ov[MAX_OVERRIDES];
    size_t nov;
    double lag_ms, writer_pct, budget_s, confirm_s, run_s;
    bool dry, plot;
} adv_args_t;

enum { OPT_OVERRIDE, OPT_JOB, OPT_LAG, OPT_WRITER, OPT_BUDGET, OPT_CONFIRM, OPT_RUN_S, OPT_DRY_RUN, OPT_NO_PLOT };

static const cli_opt_t adv_opts[] = {
    [OPT_OVERRIDE] = {"o", 'o', "KEY=VALUE", "set a scenario key of the workload (repeatable)"},
    [OPT_JOB] = {"job", 0, "NAME", "the scenario's job to advise on (needed when it has several)"},
    [OPT_LAG] = {"lag-p99", 0, "MS", "the lag budget: end-to-end lag p99 at most MS milliseconds (required)"},
    [OPT_WRITER] = {"writer-cpu", 0, "PCT", "the writer may spend at most PCT % of a core in append and flush calls"},
    [OPT_BUDGET] = {"budget", 0, "SECONDS", "time for the search's measurements (default 120; more refines)"},
    [OPT_CONFIRM] = {"confirm-s", 0, "SECONDS", "length of the confirmation run at the real pace (default: auto)"},
    [OPT_RUN_S] = {"run-s", 0, "SECONDS", "length of each measuring run at the compressed pace (default 3)"},
    [OPT_DRY_RUN] = {"dry-run", 0, NULL, "check the workload and print the plan; run nothing"},
    [OPT_NO_PLOT] = {"no-plot", 0, NULL, "make no plot of the front"},
    {NULL, 0, NULL, NULL},
};

/* Parses argv into a. Returns -1 to go on, or the exit status. */
static int parse_args(int argc, char **argv, adv_args_t *a)
{
    cli_parser_t p;
    const char *v;
    bool have_lag = false;
    cli_begin(&p, &cmd_advise_def, argc, argv);
    for (int k; (k = cli_next(&p, &v)) != CLI_END;) {
        switch (k) {
        case CLI_HELP: return EXIT_OK;
        case CLI_ERROR: return EXIT_USAGE;
        case CLI_POSITIONAL:
            if (a->scenario)
                return cli_usage_error(&cmd_advise_def, "unexpected argument '%s'", v);
            a->scenario = v;
            break;
        case OPT_OVERRIDE:
            if (a->nov == MAX_OVERRIDES)
                return cli_usage_error(&cmd_advise_def, "too many -o");
            a->ov[a->nov++] = v;
            break;
        case OPT_JOB: a->job = v; break;
        case OPT_LAG:
            if (!cli_number(v, 0.01, 3.6e6, &a->lag_ms))
                return cli_usage_error(&cmd_advise_def, "--lag-p99 needs milliseconds from 0.01 to 3600000");
            have_lag = true;
            break;
        case OPT_WRITER:
            if (!cli_number(v, 0.001, 100, &a->writer_pct))
                return cli_usage_error(&cmd_advise_def, "--writer-cpu needs a percentage above 0 and at most 100");
            break;
        case OPT_BUDGET:
            if (!cli_number(v, 5, 86400, &a->budget_s))
                return cli_usage_error(&cmd_advise_def, "--budget needs seconds from 5 to 86400");
            break;
        case OPT_CONFIRM:
            if (!cli_number(v, 1, 3600, &a->confirm_s))
                return cli_usage_error(&cmd_advise_def, "--confirm-s needs seconds from 1 to 3600");
            break;
        case OPT_RUN_S:
            if (!cli_number(v, 1, 600, &a->run_s))
                return cli_usage_error(&cmd_advise_def, "--run-s needs seconds from 1 to 600");
            break;
        case OPT_DRY_RUN: a->dry = true; break;
        case OPT_NO_PLOT: a->plot = false; break;
        }
    }
    if (!have_lag)
        return cli_usage_error(&cmd_advise_def, "no lag budget given (e.g. --lag-p99 200 for p99 <= 200 ms)");
    return -1;
}

/* ---- the workload -------------------------------------------------------- */

/* The advisor at work: the workload, its results directory, the runs. */
typedef struct adv_ctx {
    const adv_args_t *a;
    int argc; /* the command line, for advise.json */
    char **argv;
    scn_t base;
    adv_workload_t wl;
    adv_need_t need;
    int nch;
    double bytes_per_sample;
    char dir[SCN_PATH + 64];
    int nrun;
    int64_t t0, deadline_ns;
    double run_s;
    double pace_min_s; /* no measuring run is paced faster: what its readers and writer keep up with */
    stats_buf_t *ages; /* per candidate, pooled over its runs */
    orch_report_t *rep;
    int rc;                    /* exit status after a failure or a stop request, 0 while all is well */
    char why[SCN_PATH + 1024]; /* why the search stopped early */
} adv_ctx_t;

/* Checks that job is a workload the advisor tunes and fills x's workload.
 * Returns 0, or the exit status after one line on stderr. */
static int take_workload(adv_ctx_t *x, const scn_t *job)
{
    x->base = *job;
    scn_t *s = &x->base;
    if (s->workload != SCN_APPEND)
        return fail(EXIT_USAGE, "[%s]: advise tunes appending workloads (workload = append), not '%s'", s->name,
                    "structure");
    if (!s->realtime || !(s->sample_rate > 0))
        return fail(EXIT_USAGE,
                    "[%s]: advise tunes a paced acquisition: set realtime = true and the acquisition's sample_rate",
                    s->name);
    if (s->readers < 1)
        return fail(EXIT_USAGE, "[%s]: advise needs the readers that must see the data (readers >= 1)", s->name);
    if (s->writer_mode != SCN_MODE_SWMR || s->reader_mode != SCN_READER_H5SWMR)
        return fail(EXIT_USAGE, "[%s]: advise tunes an SWMR writer with h5swmr's readers or clients", s->name);
    if (s->kill_writer_after_ms > 0 || s->kill_reader > 0 || s->stall_writer_ms > 0 || s->writer_fsize_limit_mb > 0 ||
        s->corrupt_file_after_ms > 0 || s->slow_writer_pct > 0)
        return fail(EXIT_USAGE, "[%s]: advise measures a healthy run: remove the fault keys", s->name);
    char(*names)[SCN_STR] = calloc(SCN_MAX_GEN_CHANNELS, SCN_STR);
    if (!names)
        return fail(EXIT_FAIL, "out of memory");
    x->nch = scn_channel_names(s, names, SCN_MAX_GEN_CHANNELS);
    free(names);
    x->bytes_per_sample = s->dtype == 1 ? 8 : 4;
    adv_workload_t *w = &x->wl;
    w->period_s = (double)s->block_samples / s->sample_rate;
    w->readers = (int)s->readers;
    w->inotify_ok = true;
    for (int i = 0; i < w->readers; i++)
        if (scn_reader_kind(s, i) != SCN_KIND_H5SWMR)
            w->inotify_ok = false;
    w->busy_ok = w->inotify_ok; /* clients poll at their own pace */
    /* chunk choices: a chunk per block, chunks of about 64 KiB, and the
     * user's own chunk_samples */
    int64_t blk = s->block_samples, big = blk;
    while (big * 2 * (int64_t)x->bytes_per_sample <= 65536 && big * 2 <= ((int64_t)1 << 26))
        big *= 2;
    big = (big / blk) * blk;
    int64_t choice[3] = {blk, big, s->chunk_samples};
    for (int i = 0; i < 3; i++) {
        bool dup = choice[i] <= 0;
        for (int k = 0; k < w->nchunks && !dup; k++)
            dup = w->chunks[k] == choice[i];
        if (!dup)
            w->chunks[w->nchunks++] = choice[i];
    }
    return 0;
}

/* The scenario of policy p at a block every pace_s, for dur seconds. */
static void policy_scn(const adv_ctx_t *x, const adv_policy_t *p, double pace_s, double dur, scn_t *s)
{
    *s = x->base;
    s->sample_rate = (double)s->block_samples / pace_s;
    s->duration_s = dur;
    s->max_blocks = 0;
    s->max_mb = 0;
    s->pace_jitter = 0;
    s->flush_every_blocks = p->flush_every;
    s->flush_every_ms = 0;
    s->flush_call = p->call == ADV_CALL_FFLUSH ? SCN_FFLUSH : SCN_DFLUSH;
    s->chunk_samples = x->wl.chunks[p->chunk_idx];
    s->reader_wait = p->wait == ADV_WAIT_INOTIFY ? SCN_WAIT_INOTIFY : SCN_WAIT_POLL;
    s->poll_ms = p->wait == ADV_WAIT_POLL ? p->poll_ms : p->wait == ADV_WAIT_BUSY ? 0 : 100;
    s->measure = true;
    s->raw_logs = true;
    s->quiet = true;
    s->verify_file = false;
    s->finalize = false; /* the file goes when the run passed: no read-back */
    s->file[0] = '\0';
}

/* The compressed pace of a measuring run of p: a block at most every 50 ms,
 * faster still so that its flushes fit in the run, never faster than a
 * block a millisecond or than x->pace_min_s, never slower than the real
 * period. */
static double measure_pace(const adv_ctx_t *x, const adv_policy_t *p)
{
    double pace = x->wl.period_s < 0.05 ? x->wl.period_s : 0.05;
    double fit = x->run_s / (flushes_needed(x->wl.readers) * p->flush_every);
    if (fit < pace)
        pace = fit;
    if (pace < 0.001)
        pace = 0.001;
    if (pace < x->pace_min_s)
        pace = x->pace_min_s;
    return pace > x->wl.period_s ? x->wl.period_s : pace;
}

/* The length of a measuring run of p at pace: the run time, longer where
 * its flushes or its polls need it (20 polls at least). */
static double measure_len(const adv_ctx_t *x, const adv_policy_t *p, double pace)
{
    double d = x->run_s;
    double need = flushes_needed(x->wl.readers) * p->flush_every * pace + 0.5;
    if (need > d)
        d = need;
    if (p->wait == ADV_WAIT_POLL && 20 * p->poll_ms / 1e3 > d)
        d = 20 * p->poll_ms / 1e3;
    return d;
}

/* ---- one real run -------------------------------------------------------- */

/* What one run gave, per block and per poll. */
typedef struct run_out {
    uint64_t events;
    double block_s, flush_s; /* writer time in calls per block; a flush (mean) */
    double poll_s, update_s; /* reader time per idle poll, per update (-1: not known) */
    double reader_share;     /* reader CPU per second of its run (at the run's pace) */
    double reader_max;       /* the busiest reader's share */
    double p99_ms;           /* lag p99 of this run's events, as measured */
} run_out_t;

/* Whether a stop request (SIGINT or SIGTERM, blocked while advise runs) is pending. */
static bool stop_pending(void)
{
    sigset_t p;
    return sigpending(&p) == 0 && (sigismember(&p, SIGINT) || sigismember(&p, SIGTERM));
}

/* Adds the lag events of the readers' logs in dir to ages, each shifted by
 * shift_ns (the real pace's longer wait for the flush); returns their count. */
static uint64_t read_ages(const char *dir, int64_t shift_ns, stats_buf_t *ages, stats_buf_t *own)
{
    uint64_t n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strncmp(e->d_name, "lag_reader", 10) || !strstr(e->d_name, ".csv"))
            continue;
        char path[SCN_PATH + 400], line[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        bool ns = fgets(line, sizeof line, f) && strstr(line, "lag_ns,e2e_ns");
        while (ns && fgets(line, sizeof line, f)) {
            long long rd, seq, samples, seen, lag, e2e;
            if (sscanf(line, "%lld,%lld,%lld,%lld,%lld,%lld", &rd, &seq, &samples, &seen, &lag, &e2e) != 6)
                continue;
            stats_add(ages, e2e + shift_ns);
            stats_add(own, e2e + shift_ns);
            n++;
        }
        fclose(f);
    }
    if (d)
        closedir(d);
    return n;
}

/* Runs scenario s (label for the messages) in a new run directory and
 * fills o; its lag events, shifted by shift_ns, are added to ages. Returns
 * 0, or ADV_STOP with x->rc and x->why set (a stop request, a run that could
 * not start or failed). The data file of a run that passed is deleted. */
static int run_once(adv_ctx_t *x, scn_t *s, const char *label, int64_t shift_ns, stats_buf_t *ages, run_out_t *o)
{
    char rdir[SCN_PATH + 96], file[SCN_PATH + 128];
    memset(o, 0, sizeof *o);
    if (stop_pending()) {
        x->rc = 130;
        snprintf(x->why, sizeof x->why, "interrupted");
        return ADV_STOP;
    }
    snprintf(rdir, sizeof rdir, "%s/run-%03d", x->dir, ++x->nrun);
    if (mkdir(rdir, 0755) != 0) {
        x->rc = fail(EXIT_FAIL, "%s: %s", rdir, strerror(errno));
        snprintf(x->why, sizeof x->why, "cannot create %s", rdir);
        return ADV_STOP;
    }
    snprintf(file, sizeof file, "%s/data.mth5", rdir);
    printf("  run %d: %s, %.1f s\n", x->nrun, label, s->duration_s);
    fflush(stdout);
    h5s_err_t err;
    if (orch_run(s, file, rdir, x->rep, &err) < 0) {
        x->rc = fail(EXIT_FAIL, "%s", err.msg);
        snprintf(x->why, sizeof x->why, "a run could not start");
        return ADV_STOP;
    }
    orch_report_t *rep = x->rep;
    char path[SCN_PATH + 160];
    snprintf(path, sizeof path, "%s/summary.json", rdir);
    report_write_json(path, rep, rdir, NULL);
    if (rep->interrupted) {
        if (!s->keep_data)
            unlink(file);
        x->rc = 130;
        snprintf(x->why, sizeof x->why, "interrupted");
        return ADV_STOP;
    }
    const proto_result_t *w = &rep->children[0].res;
    uint64_t errors = w->errors;
    for (int i = 1; i < rep->nchildren; i++)
        errors += rep->children[i].res.errors + rep->children[i].res.mismatches + rep->children[i].res.fills +
                  rep->children[i].res.missing;
    if (rep->exit_code != 0 || errors) {
        x->rc = EXIT_FAIL;
        snprintf(x->why, sizeof x->why, "run %d failed (exit %d, %llu errors): see %s; no advice on a failing set-up",
                 x->nrun, rep->exit_code, (unsigned long long)errors, rdir);
        printf("  %s\n", x->why);
        return ADV_STOP;
    }
    if (!s->keep_data)
        unlink(file);
    o->block_s = w->blocks ? (double)w->io_ns / 1e9 / (double)w->blocks : 0;
    o->flush_s = w->flush_lat.mean_us / 1e6;
    double cpu = 0, wall = 0, poll = 0, upd = 0;
    int nr = 0;
    bool known = true;
    for (int i = 1; i < rep->nchildren; i++) {
        const proto_result_t *r = &rep->children[i].res;
        if (!rep->children[i].has_result)
            continue;
        double c = r->cpu_user_s + r->cpu_sys_s;
        double wl = r->t_open_ns && r->t_end_ns ? (double)(r->t_end_ns - r->t_open_ns) / 1e9 : 0;
        cpu += c;
        wall += wl;
        if (wl > 0 && c / wl > o->reader_max)
            o->reader_max = c / wl;
        if (r->poll_cost.n && r->updates) {
            double idle = r->poll_cost.mean_us / 1e6;
            uint64_t idle_polls = r->polls > r->updates ? r->polls - r->updates : 0;
            double u = (c - idle * (double)idle_polls) / (double)r->updates;
            poll += idle;
            upd += u > 0 ? u : 0;
        } else if (r->polls && r->updates) {
            /* a client that times no poll: its CPU per poll for both */
            poll += c / (double)r->polls;
            upd += c / (double)r->updates;
        } else {
            known = false;
        }
        nr++;
    }
    o->reader_share = wall > 0 ? cpu / wall : 0;
    o->poll_s = nr && known ? poll / nr : -1;
    o->update_s = nr && known ? upd / nr : -1;
    stats_buf_t own = {.limit = STATS_UNLIMITED};
    o->events = read_ages(rdir, shift_ns, ages, &own);
    stats_summary_t sm = stats_summarize(&own);
    o->p99_ms = sm.p99 / 1e6;
    stats_free(&own);
    return 0;
}

/* Whether a run at pace measured its processes' backlog rather than the
 * policy: a reader busy past half a core whose lag p99 is far beyond its
 * wait (wait_ms, the poll interval) and four blocks, or a writer busy past
 * half of each block's period in its calls. */
static bool overloaded(const run_out_t *o, double pace, double wait_ms)
{
    return (o->reader_max > 0.5 && o->p99_ms > wait_ms + 4 * pace * 1e3) || o->block_s > 0.5 * pace;
}

/* ---- calibration --------------------------------------------------------- */

/* Measures the cost model with a flush per block: H5Dflush and H5Fflush with
 * a chunk per block, and each other chunk choice with H5Dflush. Returns 0 or
 * ADV_STOP. */
static int calibrate(adv_ctx_t *x, adv_model_t *m)
{
    adv_policy_t p = {.flush_every = 1, .wait = x->wl.inotify_ok ? ADV_WAIT_INOTIFY : ADV_WAIT_POLL, .poll_ms = 10};
    double pace = measure_pace(x, &p);
    int nruns = 1 + 1 + (x->wl.nchunks - 1), restarts = 0;
    printf("calibrating: %d runs at a compressed pace (a block every %.3g ms instead of %.3g s)\n", nruns, pace * 1e3,
           x->wl.period_s);
    memset(m, 0, sizeof *m);
    double over = -1, poll_s = 0, upd_s = 0;
    int npoll = 0, nupd = 0;
    for (int k = 0; k < nruns; k++) {
        if (k == 0) {
            p.wait = x->wl.inotify_ok ? ADV_WAIT_INOTIFY : ADV_WAIT_POLL;
            p.poll_ms = 10;
        }
        p.call = k == 1 ? ADV_CALL_FFLUSH : ADV_CALL_DFLUSH;
        p.chunk_idx = k <= 1 ? 0 : k - 1;
        if (k > 0) {
            p.wait = ADV_WAIT_POLL;
            p.poll_ms = 10;
        }
        scn_t s;
        double len = measure_len(x, &p, pace);
        policy_scn(x, &p, pace, len, &s);
        char label[160], wt[32];
        snprintf(label, sizeof label, "calibration: %s, chunk %lld, %s", k == 1 ? "H5Fflush" : "H5Dflush",
                 (long long)x->wl.chunks[p.chunk_idx], adv_wait_text(&p, wt, sizeof wt));
        stats_buf_t ages = {.limit = STATS_UNLIMITED};
        run_out_t o;
        int rc = run_once(x, &s, label, 0, &ages, &o);
        stats_free(&ages);
        if (rc != 0)
            return rc;
        m->block_s[p.call][p.chunk_idx] = o.block_s;
        if (p.chunk_idx == 0)
            m->flush_s[p.call] = o.flush_s;
        double floor = 0.99 * (p.wait == ADV_WAIT_POLL ? p.poll_ms : 0);
        /* the overhead beyond the waits: the first run's with inotify (no
         * poll wait), else the smallest of the polling runs' (an optimistic
         * model makes the search measure more, never pass over a good
         * candidate) */
        bool direct = k > 0 && x->wl.inotify_ok; /* the first run measured it with no poll wait */
        if (o.events && !direct && (k == 0 || over <= 0 || o.p99_ms - floor < over))
            over = o.p99_ms - floor;
        if (o.poll_s >= 0 && p.wait == ADV_WAIT_POLL) {
            poll_s += o.poll_s;
            npoll++;
        }
        if (o.update_s >= 0) {
            upd_s += o.update_s;
            nupd++;
        }
        printf("    writer %.3g ms a block (flush %.3g ms), lag p99 %.3g ms (%llu events), readers %.3g %% of a core\n",
               o.block_s * 1e3, o.flush_s * 1e3, o.p99_ms, (unsigned long long)o.events, o.reader_share * 100);
        /* compression holds while the processes keep up: a reader that
         * reads and checks the data (a Python client) costs per block, and
         * one that falls behind at this pace measures its own backlog, not
         * the policy. Slow down and start again. */
        if (overloaded(&o, pace, floor) && pace < x->wl.period_s && restarts < 2) {
            x->pace_min_s = pace * 4;
            double was = pace;
            pace = measure_pace(x, &p);
            restarts++;
            printf("  at a block every %.3g ms the readers or the writer fall behind: calibrating again at a block "
                   "every %.3g ms\n",
                   was * 1e3, pace * 1e3);
            memset(m, 0, sizeof *m);
            over = -1;
            poll_s = upd_s = 0;
            npoll = nupd = 0;
            k = -1;
        }
    }
    /* H5Fflush with the other chunk choices: its difference from H5Dflush at
     * a chunk per block */
    for (int c = 1; c < x->wl.nchunks; c++)
        m->block_s[ADV_CALL_FFLUSH][c] =
            m->block_s[ADV_CALL_DFLUSH][c] + m->block_s[ADV_CALL_FFLUSH][0] - m->block_s[ADV_CALL_DFLUSH][0];
    m->over_p99_ms = over > 0 ? over : 0;
    m->poll_s = npoll ? poll_s / npoll : 0;
    m->update_s = nupd ? upd_s / nupd : 0;
    printf("  model: lag p99 beyond the waits %.3g ms; reader %.3g ms a poll, %.3g ms a flush read\n", m->over_p99_ms,
           m->poll_s * 1e3, m->update_s * 1e3);
    return 0;
}

/* ---- measuring candidates ------------------------------------------------ */

/* adv_measure_fn: a real run of candidate c at a compressed pace; its lag
 * events pooled with its earlier runs', shifted to the real pace. */
static int measure(void *ctxp, const adv_cand_t *c, int idx, int attempt, adv_fig_t *out)
{
    adv_ctx_t *x = ctxp;
    const adv_policy_t *p = &c->p;
    run_out_t o;
    double pace = 0;
    stats_buf_t *ages = &x->ages[idx];
    for (int tries = 0;; tries++) {
        pace = measure_pace(x, p);
        double len = measure_len(x, p, pace);
        if (h5s_now_ns() + (int64_t)((len + 1.5) * 1e9) > x->deadline_ns) {
            snprintf(x->why, sizeof x->why, "the search's time (--budget %.0f s) is used up", x->a->budget_s);
            return ADV_STOP;
        }
        scn_t s;
        policy_scn(x, p, pace, len, &s);
        char msg[256];
        if (scn_validate(&s, msg, sizeof msg) < 0) {
            printf("  candidate %d not measured: %s\n", idx + 1, msg);
            return 0;
        }
        char label[200], wt[32], every[32];
        if (p->flush_every == 1)
            snprintf(every, sizeof every, "block");
        else
            snprintf(every, sizeof every, "%d blocks", p->flush_every);
        snprintf(label, sizeof label, "candidate %d%s: flush every %s, %s, chunk %lld, %s", idx + 1,
                 attempt || tries ? " again" : "", every, p->call == ADV_CALL_FFLUSH ? "H5Fflush" : "H5Dflush",
                 (long long)x->wl.chunks[p->chunk_idx], adv_wait_text(p, wt, sizeof wt));
        int64_t shift = (int64_t)llround((p->flush_every - 1) * (x->wl.period_s - pace) * 1e9);
        stats_buf_t got = {.limit = STATS_UNLIMITED};
        if (run_once(x, &s, label, shift, &got, &o) != 0) {
            stats_free(&got);
            return ADV_STOP;
        }
        if (overloaded(&o, pace, p->wait == ADV_WAIT_POLL ? p->poll_ms : 0) && pace < x->wl.period_s && tries < 2) {
            /* its events are the backlog's: not kept; slower from now on */
            x->pace_min_s = pace * 4 < x->wl.period_s ? pace * 4 : x->wl.period_s;
            printf("    the readers or the writer fell behind at a block every %.3g ms: again at %.3g ms\n", pace * 1e3,
                   measure_pace(x, p) * 1e3);
            stats_free(&got);
            continue;
        }
        for (size_t i = 0; i < got.n; i++)
            stats_add(ages, got.v[i]);
        stats_free(&got);
        break;
    }
    /* the real pace's figures: the run's per-block and per-poll costs in the
     * cost model's formulas; its own lag distribution */
    adv_model_t m = {0};
    m.block_s[p->call][p->chunk_idx] = o.block_s;
    m.flush_s[p->call] = 0; /* o.block_s already holds this policy's share of a flush */
    m.poll_s = o.poll_s >= 0 ? o.poll_s : 0;
    m.update_s = o.update_s >= 0 ? o.update_s : 0;
    adv_fig_t f = adv_predict(&m, &x->wl, p);
    if (o.poll_s < 0) { /* a client that says nothing of its polls: its share at the compressed pace, an upper bound */
        f.reader_cpu = o.reader_share;
        f.total_cpu = f.writer_busy + x->wl.readers * f.reader_cpu;
    }
    stats_buf_t copy = {.limit = STATS_UNLIMITED};
    for (size_t i = 0; i < ages->n; i++)
        stats_add(&copy, ages->v[i]);
    stats_summary_t sm = stats_summarize(&copy);
    stats_free(&copy);
    f.age_p99_ms = sm.p99 / 1e6;
    f.age_lo_ms = sm.p99_lo / 1e6;
    f.age_hi_ms = sm.p99_hi / 1e6;
    f.events = sm.n;
    if (!f.events) {
        printf("    no lag events: the readers saw no flush (not measured)\n");
        return 0;
    }
    *out = f;
    printf("    lag p99 %.3g ms [%.3g, %.3g] (%llu events), writer %.3g %%, per reader %.3g %% of a core\n",
           f.age_p99_ms, f.age_lo_ms, f.age_hi_ms, (unsigned long long)f.events, f.writer_busy * 100,
           f.reader_cpu * 100);
    return 0;
}

/* ---- confirmation -------------------------------------------------------- */

/* The length of the confirmation run of p at the real pace: --confirm-s, or
 * enough flushes to pin the p99 (and 20 polls), from 10 s to 120 s. */
static double confirm_len(const adv_ctx_t *x, const adv_policy_t *p)
{
    if (x->a->confirm_s > 0)
        return x->a->confirm_s;
    double d = flushes_needed(x->wl.readers) * p->flush_every * x->wl.period_s + 1.5;
    if (p->wait == ADV_WAIT_POLL && 20 * p->poll_ms / 1e3 > d)
        d = 20 * p->poll_ms / 1e3;
    return d < 10 ? 10 : d > 120 ? 120 : d;
}

/* Runs policy p at the real pace and fills f with its figures. Returns 0,
 * or ADV_STOP. */
static int confirm(adv_ctx_t *x, const adv_policy_t *p, adv_fig_t *f)
{
    scn_t s;
    double len = confirm_len(x, p);
    policy_scn(x, p, x->wl.period_s, len, &s);
    s.sample_rate = x->base.sample_rate;
    char msg[256];
    if (scn_validate(&s, msg, sizeof msg) < 0) {
        snprintf(x->why, sizeof x->why, "the confirmation run is not a valid scenario: %s", msg);
        x->rc = EXIT_FAIL;
        return ADV_STOP;
    }
    stats_buf_t ages = {.limit = STATS_UNLIMITED};
    run_out_t o;
    int rc = run_once(x, &s, "confirmation at the real pace", 0, &ages, &o);
    if (rc == 0) {
        adv_model_t m = {0};
        m.block_s[p->call][p->chunk_idx] = o.block_s;
        m.poll_s = o.poll_s >= 0 ? o.poll_s : 0;
        m.update_s = o.update_s >= 0 ? o.update_s : 0;
        *f = adv_predict(&m, &x->wl, p);
        if (o.poll_s < 0) {
            f->reader_cpu = o.reader_share;
            f->total_cpu = f->writer_busy + x->wl.readers * f->reader_cpu;
        }
        stats_summary_t sm = stats_summarize(&ages);
        f->age_p99_ms = sm.p99 / 1e6;
        f->age_lo_ms = sm.p99_lo / 1e6;
        f->age_hi_ms = sm.p99_hi / 1e6;
        f->events = sm.n;
    }
    stats_free(&ages);
    return rc;
}

/* ---- what the user reads ------------------------------------------------- */

static const char *verdict_text(int v)
{
    switch (v) {
    case ADV_MET: return "met";
    case ADV_MISSED: return "MISSED";
    case ADV_INCONCLUSIVE: return "inconclusive";
    case ADV_RULED_OUT: return "ruled out";
    default: return "-";
    }
}

/* The policy in words: "flush every block (H5Dflush of each channel), chunk
 * 1000 samples; readers poll every 100 ms". */
static const char *policy_text(const adv_ctx_t *x, const adv_policy_t *p, char *buf, size_t cap)
{
    char wt[32];
    char every[64];
    if (p->flush_every == 1)
        snprintf(every, sizeof every, "every block");
    else
        snprintf(every, sizeof every, "every %d blocks", p->flush_every);
    snprintf(buf, cap, "flush %s (%s), chunk %lld samples; readers %s", every,
             p->call == ADV_CALL_FFLUSH ? "one H5Fflush" : "H5Dflush of each channel",
             (long long)x->wl.chunks[p->chunk_idx], adv_wait_text(p, wt, sizeof wt));
    return buf;
}

/* The policy as scenario keys. */
static const char *policy_keys(const adv_ctx_t *x, const adv_policy_t *p, char *buf, size_t cap)
{
    snprintf(buf, cap, "flush_every_blocks=%d flush_call=%s chunk_samples=%lld reader_wait=%s poll_ms=%g",
             p->flush_every, p->call == ADV_CALL_FFLUSH ? "fflush" : "dflush", (long long)x->wl.chunks[p->chunk_idx],
             p->wait == ADV_WAIT_INOTIFY ? "inotify" : "poll",
             p->wait == ADV_WAIT_POLL   ? p->poll_ms
             : p->wait == ADV_WAIT_BUSY ? 0
                                        : 100);
    return buf;
}

/* Prints the lines an MTH5 program needs for policy p to out, each prefixed. */
static void mth5_lines(FILE *out, const char *pre, const adv_ctx_t *x, const adv_policy_t *p)
{
    double every_s = p->flush_every * x->wl.period_s;
    char n[32];
    if (p->flush_every == 1)
        snprintf(n, sizeof n, "append");
    else
        snprintf(n, sizeof n, "%d appends", p->flush_every);
    fprintf(out, "%scollector: call m.flush() after every %s of %lld samples a channel (every %.3g s of data)%s\n", pre,
            n, (long long)x->base.block_samples, every_s,
            p->call == ADV_CALL_FFLUSH ? "; one file flush (h5py: f.flush())" : "");
    if (p->wait == ADV_WAIT_POLL)
        fprintf(out, "%smonitors: refresh and read every %.3g s (time.sleep(%.3g) between polls)\n", pre,
                p->poll_ms / 1e3, p->poll_ms / 1e3);
    else if (p->wait == ADV_WAIT_INOTIFY)
        fprintf(out, "%smonitors: wake on the file's change (inotify IN_MODIFY), then refresh and read\n", pre);
    else
        fprintf(out, "%smonitors: refresh in a loop without sleeping (a core each)\n", pre);
    fprintf(out, "%schunks: %lld samples per chunk (dataset chunks=(%lld,))\n", pre,
            (long long)x->wl.chunks[p->chunk_idx], (long long)x->wl.chunks[p->chunk_idx]);
}

/* Prints the Pareto front (and the recommendation's row) as a table to out:
 * Markdown with md, else text. */
static void print_front(FILE *out, const adv_ctx_t *x, const adv_result_t *r, bool md)
{
    if (md)
        fprintf(out, "| lag p99 (ms) | 95 %% interval | writer %% | per reader %% | total %% of a core | "
                     "policy | figures | verdict |\n|---|---|---|---|---|---|---|---|\n");
    else
        fprintf(out, "  %10s  %-21s %8s %10s %8s  %-10s %-12s %s\n", "lag p99", "95% interval", "writer", "per reader",
                "total", "figures", "verdict", "policy");
    for (size_t i = 0; i < r->n; i++) {
        const adv_cand_t *c = &r->cands[i];
        if (!c->on_front && (int)i != r->chosen)
            continue;
        const adv_fig_t *f = adv_figures(c);
        char pt[256], iv[64], fig[32];
        policy_text(x, &c->p, pt, sizeof pt);
        if (c->meas.events)
            snprintf(iv, sizeof iv, "[%.3g, %.3g]", f->age_lo_ms, f->age_hi_ms);
        else
            snprintf(iv, sizeof iv, "-");
        if (c->meas.events)
            snprintf(fig, sizeof fig, "measured");
        else
            snprintf(fig, sizeof fig, "predicted");
        const char *mark = (int)i == r->chosen ? " <- recommended" : "";
        if (md)
            fprintf(out, "| %.3g | %s | %.3g | %.3g | %.3g | %s%s | %s | %s |\n", f->age_p99_ms, iv,
                    f->writer_busy * 100, f->reader_cpu * 100, f->total_cpu * 100, pt,
                    (int)i == r->chosen ? " **(recommended)**" : "", fig, verdict_text(c->verdict));
        else
            fprintf(out, "  %8.4g ms  %-21s %7.3g%% %9.3g%% %7.3g%%  %-10s %-12s %s%s\n", f->age_p99_ms, iv,
                    f->writer_busy * 100, f->reader_cpu * 100, f->total_cpu * 100, fig, verdict_text(c->verdict), pt,
                    mark);
    }
}

/* A figure's JSON object. */
static cJSON *fig_json(const adv_fig_t *f)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "lag_p99_ms", f->age_p99_ms);
    cJSON_AddNumberToObject(o, "lag_p99_lo_ms", f->age_lo_ms);
    cJSON_AddNumberToObject(o, "lag_p99_hi_ms", f->age_hi_ms);
    cJSON_AddNumberToObject(o, "writer_busy_pct", f->writer_busy * 100);
    cJSON_AddNumberToObject(o, "reader_cpu_pct", f->reader_cpu * 100);
    cJSON_AddNumberToObject(o, "total_cpu_pct", f->total_cpu * 100);
    cJSON_AddNumberToObject(o, "events", (double)f->events);
    return o;
}

/* A policy's JSON object. */
static cJSON *policy_json(const adv_ctx_t *x, const adv_policy_t *p)
{
    cJSON *o = cJSON_CreateObject();
    char b[256];
    cJSON_AddNumberToObject(o, "flush_every_blocks", p->flush_every);
    cJSON_AddNumberToObject(o, "flush_every_s", p->flush_every * x->wl.period_s);
    cJSON_AddStringToObject(o, "flush_call", p->call == ADV_CALL_FFLUSH ? "fflush" : "dflush");
    cJSON_AddNumberToObject(o, "chunk_samples", (double)x->wl.chunks[p->chunk_idx]);
    cJSON_AddStringToObject(o, "reader_wait",
                            p->wait == ADV_WAIT_INOTIFY ? "inotify"
                            : p->wait == ADV_WAIT_BUSY  ? "busy"
                                                        : "poll");
    if (p->wait == ADV_WAIT_POLL)
        cJSON_AddNumberToObject(o, "poll_ms", p->poll_ms);
    cJSON_AddStringToObject(o, "text", policy_text(x, p, b, sizeof b));
    cJSON_AddStringToObject(o, "scenario_keys", policy_keys(x, p, b, sizeof b));
    return o;
}

/* Writes text to dir/name (a new file). Returns 0 or -1 with errno. */
static FILE *new_file(const adv_ctx_t *x, const char *name)
{
    char path[SCN_PATH + 128];
    snprintf(path, sizeof path, "%s/%s", x->dir, name);
    return fopen(path, "wx");
}

/* Closes f, returning -1 if anything written to it failed. */
static int close_file(FILE *f)
{
    int bad = ferror(f);
    return (fclose(f) != 0 || bad) ? -1 : 0;
}

/* What advise found, for the files. */
typedef struct adv_outcome {
    const adv_result_t *r;
    int pick;           /* the recommendation, or the nearest when none meets the needs */
    bool feasible;      /* a policy met the needs in the search */
    bool confirmed_run; /* the confirmation ran */
    adv_fig_t conf;
    int conf_verdict;
} adv_outcome_t;

/* Writes front.csv: every candidate with its figures, the Pareto front's
 * first in order of lag (so that a plot draws it as one line), then the
 * others in order of predicted cost (rank). */
static int write_csv(const adv_ctx_t *x, const adv_outcome_t *oc)
{
    size_t n = oc->r->n, k = 0;
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    FILE *f = order ? new_file(x, "front.csv") : NULL;
    if (!f) {
        free(order);
        return -1;
    }
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            if (oc->r->cands[i].on_front != (pass == 0))
                continue;
            size_t at = k++;
            /* the front sorted by lag: insertion */
            while (pass == 0 && at > 0 &&
                   adv_figures(&oc->r->cands[order[at - 1]])->age_p99_ms > adv_figures(&oc->r->cands[i])->age_p99_ms) {
                order[at] = order[at - 1];
                at--;
            }
            order[at] = i;
        }
    fprintf(f, "rank,flush_every_blocks,flush_every_s,flush_call,chunk_samples,reader_wait,poll_ms,lag_p99_ms,"
               "lag_p99_lo_ms,lag_p99_hi_ms,writer_busy_pct,reader_cpu_pct,total_cpu_pct,events,measured,verdict,"
               "on_front,recommended\n");
    for (size_t j = 0; j < n; j++) {
        size_t i = order[j];
        const adv_cand_t *c = &oc->r->cands[i];
        const adv_fig_t *g = adv_figures(c);
        fprintf(f, "%zu,%d,%.6g,%s,%lld,%s,%g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%llu,%d,%s,%d,%d\n", i + 1,
                c->p.flush_every, c->p.flush_every * x->wl.period_s, c->p.call == ADV_CALL_FFLUSH ? "fflush" : "dflush",
                (long long)x->wl.chunks[c->p.chunk_idx],
                c->p.wait == ADV_WAIT_INOTIFY ? "inotify"
                : c->p.wait == ADV_WAIT_BUSY  ? "busy"
                                              : "poll",
                c->p.wait == ADV_WAIT_POLL ? c->p.poll_ms : 0, g->age_p99_ms, g->age_lo_ms, g->age_hi_ms,
                g->writer_busy * 100, g->reader_cpu * 100, g->total_cpu * 100, (unsigned long long)c->meas.events,
                c->meas.events > 0, verdict_text(c->verdict), c->on_front, (int)i == oc->r->chosen);
    }
    free(order);
    return close_file(f);
}

/* Writes advise.json. */
static int write_json(const adv_ctx_t *x, const adv_outcome_t *oc, const adv_model_t *m)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "schema_version", REPORT_SCHEMA_VERSION);
    char *envtext = report_environment_json(x->dir);
    cJSON_AddItemToObject(j, "environment", envtext ? cJSON_Parse(envtext) : cJSON_CreateNull());
    free(envtext);
    cJSON *cmd = cJSON_AddArrayToObject(j, "command");
    cJSON_AddItemToArray(cmd, cJSON_CreateString("h5swmr"));
    for (int i = 1; i < x->argc; i++)
        cJSON_AddItemToArray(cmd, cJSON_CreateString(x->argv[i]));
    cJSON *wl = cJSON_AddObjectToObject(j, "workload");
    cJSON_AddStringToObject(wl, "scenario", x->base.scenario);
    cJSON_AddStringToObject(wl, "job", x->base.name);
    cJSON_AddNumberToObject(wl, "sample_rate", x->base.sample_rate);
    cJSON_AddNumberToObject(wl, "block_samples", (double)x->base.block_samples);
    cJSON_AddNumberToObject(wl, "block_period_s", x->wl.period_s);
    cJSON_AddNumberToObject(wl, "channels", x->nch);
    cJSON_AddNumberToObject(wl, "readers", x->wl.readers);
    cJSON *nd = cJSON_AddObjectToObject(j, "needs");
    cJSON_AddNumberToObject(nd, "lag_p99_ms", x->need.lag_p99_ms);
    cJSON_AddStringToObject(nd, "lag",
                            "end-to-end: from the writer starting to append the oldest block of a flush "
                            "to a reader having it");
    if (x->need.writer_max > 0)
        cJSON_AddNumberToObject(nd, "writer_busy_max_pct", x->need.writer_max * 100);
    cJSON *mo = cJSON_AddObjectToObject(j, "model");
    cJSON_AddNumberToObject(mo, "lag_beyond_waits_p99_ms", m->over_p99_ms);
    cJSON_AddNumberToObject(mo, "reader_poll_ms", m->poll_s * 1e3);
    cJSON_AddNumberToObject(mo, "reader_update_ms", m->update_s * 1e3);
    cJSON *se = cJSON_AddObjectToObject(j, "search");
    cJSON_AddNumberToObject(se, "candidates", (double)oc->r->n);
    cJSON_AddNumberToObject(se, "ruled_out_by_physics", oc->r->ruled_out);
    cJSON_AddNumberToObject(se, "measured", oc->r->measured);
    cJSON_AddBoolToObject(se, "stopped_early", oc->r->stopped);
    cJSON_AddBoolToObject(j, "feasible", oc->feasible);
    if (oc->pick >= 0) {
        const adv_cand_t *c = &oc->r->cands[oc->pick];
        cJSON *rec = cJSON_AddObjectToObject(j, oc->feasible ? "recommendation" : "nearest");
        cJSON_AddItemToObject(rec, "policy", policy_json(x, &c->p));
        cJSON_AddItemToObject(rec, "figures", fig_json(adv_figures(c)));
        cJSON_AddStringToObject(rec, "verdict", verdict_text(c->verdict));
        if (oc->confirmed_run) {
            cJSON *cf = fig_json(&oc->conf);
            cJSON_AddStringToObject(cf, "verdict", verdict_text(oc->conf_verdict));
            cJSON_AddItemToObject(rec, "confirmation", cf);
        }
    }
    cJSON *fr = cJSON_AddArrayToObject(j, "front");
    for (size_t i = 0; i < oc->r->n; i++) {
        const adv_cand_t *c = &oc->r->cands[i];
        if (!c->on_front)
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToObject(o, "policy", policy_json(x, &c->p));
        cJSON_AddItemToObject(o, "figures", fig_json(adv_figures(c)));
        cJSON_AddBoolToObject(o, "measured", c->meas.events > 0);
        cJSON_AddStringToObject(o, "verdict", verdict_text(c->verdict));
        cJSON_AddItemToArray(fr, o);
    }
    char *text = h5s_json_text(j);
    cJSON_Delete(j);
    FILE *f = text ? new_file(x, "advise.json") : NULL;
    int rc = f ? 0 : -1;
    if (f) {
        fputs(text, f);
        fputc('\n', f);
        rc = close_file(f);
    }
    free(text);
    return rc;
}

/* Prints the outcome (recommendation, confirmation, front, keys, MTH5
 * lines) to out, as Markdown with md. */
static void print_outcome(FILE *out, const adv_ctx_t *x, const adv_outcome_t *oc, bool md)
{
    char pt[256], keys[256];
    const char *h = md ? "## " : "";
    if (md) {
        fprintf(out, "# h5swmr advise: %s [%s]\n\n", x->base.scenario, x->base.name);
        fprintf(out,
                "%d channels, %lld samples a block every %.3g s (%g Hz), %d readers; lag budget p99 <= %g ms "
                "(end-to-end: from the writer starting to append the oldest block of a flush to a reader "
                "having it)%s.\n\n",
                x->nch, (long long)x->base.block_samples, x->wl.period_s, x->base.sample_rate, x->wl.readers,
                x->need.lag_p99_ms, x->need.writer_max > 0 ? ", writer within its CPU limit" : "");
    }
    if (oc->pick < 0) {
        fprintf(out, "%sno policy could be judged%s", h, md ? "\n" : "\n");
        return;
    }
    const adv_cand_t *c = &oc->r->cands[oc->pick];
    const adv_fig_t *f = adv_figures(c);
    policy_text(x, &c->p, pt, sizeof pt);
    if (oc->feasible)
        fprintf(out, "%srecommendation: %s\n", h, pt);
    else
        fprintf(out, "%sno policy meets the budget on this machine; the nearest: %s\n", h, pt);
    if (md)
        fprintf(out, "\n");
    fprintf(out,
            "%s  lag p99 %.3g ms [%.3g, %.3g] (%llu events, compressed pace), writer %.3g %% of a core, "
            "%.3g %% per reader: %s\n",
            md ? "-" : "", f->age_p99_ms, f->age_lo_ms, f->age_hi_ms, (unsigned long long)f->events,
            f->writer_busy * 100, f->reader_cpu * 100, verdict_text(c->verdict));
    if (oc->confirmed_run) {
        fprintf(out,
                "%s  confirmation at the real pace: lag p99 %.3g ms [%.3g, %.3g] (%llu events), writer %.3g %%, "
                "%.3g %% per reader: %s\n",
                md ? "-" : "", oc->conf.age_p99_ms, oc->conf.age_lo_ms, oc->conf.age_hi_ms,
                (unsigned long long)oc->conf.events, oc->conf.writer_busy * 100, oc->conf.reader_cpu * 100,
                verdict_text(oc->conf_verdict));
        if (oc->conf_verdict == ADV_INCONCLUSIVE && oc->conf.events < ADV_P99_MIN_EVENTS &&
            oc->conf.age_hi_ms <= x->need.lag_p99_ms)
            fprintf(out,
                    "%s    every event was within the budget, but %d events are needed to pin a p99 "
                    "(--confirm-s longer)\n",
                    md ? "" : "", ADV_P99_MIN_EVENTS);
    }
    fprintf(out, "%s%sas scenario keys: %s%s%s\n", md ? "\n" : "", md ? "- " : "  ", md ? "`" : "",
            policy_keys(x, &c->p, keys, sizeof keys), md ? "`" : "");
    fprintf(out, "%sfor an MTH5 program:\n", md ? "\n" : "  ");
    mth5_lines(out, md ? "- " : "    ", x, &c->p);
    fprintf(out,
            "%s%sPareto front (lag p99 against total CPU; %zu policies predicted, %d ruled out by physics, %d "
            "measured):\n%s",
            md ? "\n" : "", h, oc->r->n, oc->r->ruled_out, oc->r->measured, md ? "\n" : "");
    print_front(out, x, oc->r, md);
}

/* Writes advise.md and recommended.ini. Returns 0 or -1. */
static int write_md_ini(const adv_ctx_t *x, const adv_outcome_t *oc)
{
    FILE *f = new_file(x, "advise.md");
    if (!f)
        return -1;
    print_outcome(f, x, oc, true);
    if (close_file(f) != 0)
        return -1;
    if (oc->pick < 0)
        return 0;
    scn_t s;
    policy_scn(x, &oc->r->cands[oc->pick].p, x->wl.period_s, x->base.duration_s, &s);
    s.sample_rate = x->base.sample_rate;
    s.verify_file = x->base.verify_file;
    s.quiet = x->base.quiet;
    s.raw_logs = x->base.raw_logs;
    f = new_file(x, "recommended.ini");
    if (!f)
        return -1;
    fprintf(f, "; h5swmr advise: %s for a lag p99 <= %g ms\n",
            oc->feasible ? "the recommended policy" : "the nearest policy", x->need.lag_p99_ms);
    scn_write_ini(&s, f);
    return close_file(f);
}

/* Draws front.png and front.svg from front.csv with bench/advise_front.gp.
 * Prints one line on failure (the advice stands without its plot). */
static void draw_front(const adv_ctx_t *x)
{
    char gp[SCN_PATH], tried[3 * SCN_PATH];
    if (h5s_data_path("bench/advise_front.gp", gp, sizeof gp, tried, sizeof tried) < 0) {
        printf("plot: not made: cannot find bench/advise_front.gp (tried %s)\n", tried);
        return;
    }
    char footer[512], raw[600], expr[3 * SCN_PATH + 1024], log[SCN_PATH + 96];
    snprintf(raw, sizeof raw, "h5swmr advise | scenario %s [%s] | budget p99 %g ms", x->base.scenario, x->base.name,
             x->need.lag_p99_ms);
    plot_footer_clean(raw, footer, sizeof footer);
    snprintf(expr, sizeof expr, "dir='%s'; out='%s/front'; budget=%.17g; footer='%s'", x->dir, x->dir,
             x->need.lag_p99_ms, footer);
    snprintf(log, sizeof log, "%s/gnuplot.log", x->dir);
    const char *argv[] = {"gnuplot", "-e", expr, gp, NULL};
    int rc = h5s_run_logged(argv, log, 60000);
    char png[SCN_PATH + 96];
    snprintf(png, sizeof png, "%s/front.png", x->dir);
    struct stat st;
    if (rc != 0 || stat(png, &st) != 0 || st.st_size == 0)
        printf("plot: not made (gnuplot: see %s)\n", log);
    else
        unlink(log);
}

/* ---- the command --------------------------------------------------------- */

/* Loads the workload: the scenario's job (or its only one), or -o alone.
 * Returns 0 or the exit status after one line on stderr. */
static int load_workload(adv_ctx_t *x)
{
    const adv_args_t *a = x->a;
    scn_file_t sf;
    h5s_err_t err;
    int rc = a->scenario ? scn_load(a->scenario, a->ov, a->nov, &sf, &err)
                         : scn_load_overrides("workload", a->ov, a->nov, &sf, &err);
    if (rc < 0)
        return fail(EXIT_USAGE, "%s", err.msg);
    const scn_t *job = NULL;
    for (size_t j = 0; j < sf.njobs; j++)
        if (a->job ? !strcmp(sf.jobs[j].name, a->job) : sf.njobs == 1)
            job = &sf.jobs[j];
    if (!job) {
        rc = a->job ? fail(EXIT_USAGE, "%s has no job '%s'", a->scenario, a->job)
                    : fail(EXIT_USAGE, "%s has %zu jobs: name one with --job", a->scenario, sf.njobs);
        scn_file_free(&sf);
        return rc;
    }
    rc = take_workload(x, job);
    scn_file_free(&sf);
    return rc;
}

/* Runs calibration, search and confirmation, and writes the results.
 * Returns the exit status. */
static int advise(adv_ctx_t *x)
{
    adv_model_t m;
    int rc = calibrate(x, &m);
    if (rc != 0) {
        printf("advise: stopped: %s; runs kept in %s\n", x->why, x->dir);
        return x->rc ? x->rc : EXIT_FAIL;
    }
    adv_limits_t lim = {.max_measured = 12, .max_attempts = 3, .slack = 0.25};
    adv_result_t r;
    size_t cap = 11 * 15 * ADV_NCALLS * ADV_MAX_CHUNKS;
    x->ages = calloc(cap, sizeof *x->ages);
    if (!x->ages)
        return fail(EXIT_FAIL, "out of memory");
    for (size_t i = 0; i < cap; i++)
        x->ages[i].limit = STATS_UNLIMITED;
    printf("searching: policies predicted from the model; measured in order of predicted cost while one can still "
           "change the answer\n");
    if (adv_search(&x->wl, &x->need, &m, &lim, measure, x, &r) != 0) {
        for (size_t i = 0; i < cap; i++)
            stats_free(&x->ages[i]);
        free(x->ages);
        return fail(EXIT_FAIL, "out of memory");
    }
    for (size_t i = 0; i < cap; i++)
        stats_free(&x->ages[i]);
    free(x->ages);
    x->ages = NULL;
    if (x->rc) {
        printf("advise: stopped: %s; runs kept in %s\n", x->why, x->dir);
        adv_result_free(&r);
        return x->rc;
    }
    if (r.stopped)
        printf("search ended early: %s\n", x->why);
    adv_outcome_t oc = {.r = &r, .pick = r.chosen >= 0 ? r.chosen : r.nearest, .feasible = r.chosen >= 0};
    if (oc.pick >= 0) {
        printf("confirming at the real pace (a block every %.3g s)\n", x->wl.period_s);
        if (confirm(x, &r.cands[oc.pick].p, &oc.conf) != 0) {
            printf("advise: stopped: %s; runs kept in %s\n", x->why, x->dir);
            adv_result_free(&r);
            return x->rc ? x->rc : EXIT_FAIL;
        }
        oc.confirmed_run = true;
        oc.conf_verdict = oc.conf.events ? adv_judge(&x->need, &oc.conf) : ADV_INCONCLUSIVE;
    }
    printf("\n");
    print_outcome(stdout, x, &oc, false);
    int werr = write_csv(x, &oc) | write_json(x, &oc, &m) | write_md_ini(x, &oc);
    if (werr)
        rc = fail(EXIT_FAIL, "writing the results in %s failed: %s", x->dir, strerror(errno));
    else if (x->a->plot)
        draw_front(x);
    printf("results: %s (advise.md, advise.json, front.csv%s, recommended.ini)\n", x->dir,
           x->a->plot ? ", front.png" : "");
    if (!werr)
        report_html_after(x->dir, stdout);
    adv_result_free(&r);
    return rc ? rc : oc.feasible ? EXIT_OK : EXIT_FAIL;
}

/* h5swmr advise: parses the command line, checks the workload, and unless
 * --dry-run runs the advisor; returns the exit status. */
static int cmd_advise(int argc, char **argv)
{
    adv_args_t a = {.budget_s = 120, .run_s = 3, .plot = true};
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0)
        return rc;
    adv_ctx_t *x = calloc(1, sizeof *x);
    if (!x)
        return fail(EXIT_FAIL, "out of memory");
    x->a = &a;
    x->argc = argc;
    x->argv = argv;
    x->run_s = a.run_s;
    x->need.lag_p99_ms = a.lag_ms;
    x->need.writer_max = a.writer_pct / 100;
    if ((rc = load_workload(x)) != 0) {
        free(x);
        return rc;
    }
    printf("h5swmr advise: %s [%s]: %d channel%s, %lld samples a block every %.3g s, %d reader%s; lag p99 budget %g "
           "ms (end-to-end)\n",
           x->base.scenario, x->base.name, x->nch, x->nch == 1 ? "" : "s", (long long)x->base.block_samples,
           x->wl.period_s, x->wl.readers, x->wl.readers == 1 ? "" : "s", a.lag_ms);
    printf("  search time %.0f s, runs of %.3g s at a compressed pace, then a confirmation at the real pace\n",
           a.budget_s, a.run_s);
    if (a.dry) {
        free(x);
        return EXIT_OK;
    }
    char base[SCN_STR + 16];
    snprintf(base, sizeof base, "%s-advise", x->base.scenario);
    if (h5s_make_unique_dir(x->base.results_dir, base, x->dir, sizeof x->dir) != 0) {
        rc = fail(EXIT_USAGE, "cannot create a results directory under '%s': %s", x->base.results_dir, strerror(errno));
        free(x);
        return rc;
    }
    x->rep = malloc(sizeof *x->rep);
    if (!x->rep) {
        free(x);
        return fail(EXIT_FAIL, "out of memory");
    }
    sigset_t stopset, oldmask;
    sigemptyset(&stopset);
    sigaddset(&stopset, SIGINT);
    sigaddset(&stopset, SIGTERM);
    sigprocmask(SIG_BLOCK, &stopset, &oldmask);
    x->t0 = h5s_now_ns();
    x->deadline_ns = x->t0 + (int64_t)(a.budget_s * 1e9);
    rc = advise(x);
    struct timespec zero = {0, 0};
    while (sigtimedwait(&stopset, NULL, &zero) > 0)
        rc = 130;
    sigprocmask(SIG_SETMASK, &oldmask, NULL);
    printf("advise: %.0f s\n", (double)(h5s_now_ns() - x->t0) / 1e9);
    free(x->rep);
    free(x);
    return rc;
}

const cli_cmd_t cmd_advise_def = {
    .name = "advise",
    .synopsis =
        "[SCENARIO] [-o KEY=VALUE]... --lag-p99 MS [--writer-cpu PCT] [--budget S] [--confirm-s S] [--job NAME]",
    .summary = "the flush and poll policy for a paced acquisition and its lag budget",
    .help = "Recommends how often the writer flushes (every N blocks, H5Dflush of each channel or one H5Fflush),\n"
            "its chunk size, and how the readers wait (a poll interval, inotify or busy polling), for the\n"
            "scenario's paced acquisition (sample_rate, block_samples, channels, dtype, readers and their\n"
            "kinds; results_dir chooses the file system under test) and a lag budget: the end-to-end lag p99,\n"
            "from the moment the writer starts appending the oldest block of a flush to a reader having it.\n"
            "It calibrates a cost model with a few real runs at a compressed pace, rules out what physics\n"
            "excludes (a flush waits for its blocks; a poll adds up to its interval), measures the candidates\n"
            "that can still change the answer in order of predicted cost, repeating each until its interval\n"
            "decides, confirms the choice with a run at the real pace, and writes\n"
            "results/<scenario>-advise-<time>/: advise.md, advise.json, front.csv, front.png/.svg (the Pareto\n"
            "front of lag p99 against CPU) and recommended.ini. Exit 0 with a recommendation, 1 when no policy\n"
            "meets the needs on this machine (the nearest is shown), 2 for bad input, 130 when interrupted.\n",
    .opts = adv_opts,
    .handler = cmd_advise,
    .needs_hdf5 = true,
};
