/* test_advise.c - h5swmr advise: its search driven by synthetic cost models
 * (the known optimum is found, an infeasible budget is detected, what physics
 * rules out is never measured, a wrong model does not mislead it, an
 * undecided figure is measured again, a p99 of few events is never "met"),
 * one real short run of the command, and its refusals of bad input. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "advise.h"
#include "testutil.h"

TestSuite(advise, .init = tu_setup, .fini = tu_teardown, .timeout = 120);

/* ---- synthetic cost models ----------------------------------------------- */

/* A collector: a block every second, 3 readers, two chunk choices. */
static adv_workload_t workload(void)
{
    adv_workload_t w = {.period_s = 1.0, .readers = 3, .inotify_ok = true, .busy_ok = true, .nchunks = 2};
    w.chunks[0] = 100;
    w.chunks[1] = 1600;
    return w;
}

/* A cost model with overhead over_ms beyond the waits. */
static adv_model_t model(double over_ms)
{
    adv_model_t m = {.over_p99_ms = over_ms, .poll_s = 0.2e-3, .update_s = 1e-3};
    m.block_s[ADV_CALL_DFLUSH][0] = 1.0e-3;
    m.block_s[ADV_CALL_DFLUSH][1] = 0.8e-3;
    m.block_s[ADV_CALL_FFLUSH][0] = 0.9e-3;
    m.block_s[ADV_CALL_FFLUSH][1] = 0.7e-3;
    m.flush_s[ADV_CALL_DFLUSH] = 0.5e-3;
    m.flush_s[ADV_CALL_FFLUSH] = 0.4e-3;
    return m;
}

/* The synthetic machine the measure callback consults. */
typedef struct truth {
    adv_workload_t w;
    adv_model_t m;     /* how the machine really behaves */
    double half_width; /* of the interval, ms; shrinks by attempt */
    uint64_t events;
    int calls;
    bool ruled_out_measured; /* a candidate physics rules out was measured */
    double budget;
} truth_t;

static adv_fig_t truth_of(const truth_t *t, const adv_policy_t *p)
{
    return adv_predict(&t->m, &t->w, p);
}

static int synthetic_measure(void *ctx, const adv_cand_t *c, int idx, int attempt, adv_fig_t *out)
{
    (void)idx;
    truth_t *t = ctx;
    t->calls++;
    if (adv_lag_floor_ms(&t->w, &c->p) > t->budget)
        t->ruled_out_measured = true;
    adv_fig_t f = truth_of(t, &c->p);
    double hw = t->half_width / (1 << attempt);
    f.age_lo_ms = f.age_p99_ms - hw;
    f.age_hi_ms = f.age_p99_ms + hw;
    f.events = t->events * (uint64_t)(attempt + 1);
    *out = f;
    return 0;
}

static const adv_limits_t limits = {.max_measured = 12, .max_attempts = 3, .slack = 0.25};

/* The cheapest policy among res's candidates that truly meets need. */
static int true_optimum(const truth_t *t, const adv_need_t *need, const adv_result_t *r)
{
    int best = -1;
    for (size_t i = 0; i < r->n; i++) {
        adv_fig_t f = truth_of(t, &r->cands[i].p);
        f.events = ADV_P99_MIN_EVENTS;
        if (adv_judge(need, &f) != ADV_MET)
            continue;
        if (best < 0 || f.total_cpu < truth_of(t, &r->cands[best].p).total_cpu)
            best = (int)i;
    }
    return best;
}

Test(advise, search_finds_the_known_optimum_without_measuring_the_grid)
{
    truth_t t = {.w = workload(), .m = model(5), .half_width = 1, .events = 1000, .budget = 200};
    adv_need_t need = {.lag_p99_ms = 200};
    adv_result_t r;
    cr_assert_eq(adv_search(&t.w, &need, &t.m, &limits, synthetic_measure, &t, &r), 0);
    cr_assert_geq(r.chosen, 0, "no recommendation");
    int opt = true_optimum(&t, &need, &r);
    cr_assert_geq(opt, 0);
    double got = truth_of(&t, &r.cands[r.chosen].p).total_cpu, best = truth_of(&t, &r.cands[opt].p).total_cpu;
    cr_assert_leq(got, best * 1.05 + 1e-12, "chose a policy costing %g, the optimum costs %g", got, best);
    cr_assert_eq(r.cands[r.chosen].verdict, ADV_MET);
    /* not a full grid: most candidates are predicted, none that physics rules out is measured */
    cr_assert_lt(r.measured * 4, (int)r.n, "measured %d of %zu candidates", r.measured, r.n);
    cr_assert_gt(r.ruled_out, 0);
    cr_assert_not(t.ruled_out_measured, "a candidate physics rules out was measured");
    bool front = false;
    for (size_t i = 0; i < r.n; i++)
        front |= r.cands[i].on_front;
    cr_assert(front, "no Pareto front");
    /* the front is non-dominated */
    for (size_t i = 0; i < r.n; i++)
        for (size_t j = 0; j < r.n && r.cands[i].on_front; j++) {
            const adv_fig_t *a = adv_figures(&r.cands[i]), *b = adv_figures(&r.cands[j]);
            cr_assert_not(j != i && b->age_p99_ms < a->age_p99_ms && b->total_cpu < a->total_cpu,
                          "front member %zu is dominated by %zu", i, j);
        }
    adv_result_free(&r);
}

Test(advise, search_detects_an_infeasible_budget_and_names_the_nearest)
{
    /* 5 ms beyond the waits on this machine, and a budget of 2 ms */
    truth_t t = {.w = workload(), .m = model(5), .half_width = 0.2, .events = 1000, .budget = 2};
    adv_need_t need = {.lag_p99_ms = 2};
    adv_result_t r;
    cr_assert_eq(adv_search(&t.w, &need, &t.m, &limits, synthetic_measure, &t, &r), 0);
    cr_assert_eq(r.chosen, -1, "recommended a policy for an impossible budget");
    cr_assert_geq(r.nearest, 0);
    double near = adv_figures(&r.cands[r.nearest])->age_p99_ms;
    for (size_t i = 0; i < r.n; i++)
        cr_assert_geq(truth_of(&t, &r.cands[i].p).age_p99_ms, near - 1e-9,
                      "candidate %zu is nearer the budget than the nearest", i);
    adv_result_free(&r);
}

Test(advise, a_wrong_model_does_not_mislead_the_choice)
{
    /* the model says 5 ms beyond the waits, the machine gives 60 ms: the
     * cheap polls it predicts within 100 ms are not */
    truth_t t = {.w = workload(), .m = model(60), .half_width = 1, .events = 1000, .budget = 100};
    adv_model_t believed = model(5);
    adv_need_t need = {.lag_p99_ms = 100};
    adv_result_t r;
    cr_assert_eq(adv_search(&t.w, &need, &believed, &limits, synthetic_measure, &t, &r), 0);
    cr_assert_geq(r.chosen, 0);
    double age = truth_of(&t, &r.cands[r.chosen].p).age_p99_ms;
    cr_assert_leq(age, 100, "chose a policy whose real p99 is %g ms", age);
    adv_result_free(&r);
}

Test(advise, an_undecided_interval_is_measured_again_and_few_events_never_meet)
{
    /* one candidate near the budget: an interval of +-40 ms narrows by half per run */
    adv_workload_t w = {.period_s = 1.0, .readers = 1, .nchunks = 1};
    w.chunks[0] = 100;
    adv_model_t m = model(0);
    truth_t t = {.w = w, .m = m, .half_width = 40, .events = 1000, .budget = 115};
    adv_need_t need = {.lag_p99_ms = 115};
    adv_result_t r;
    cr_assert_eq(adv_search(&t.w, &need, &t.m, &limits, synthetic_measure, &t, &r), 0);
    bool repeated = false;
    for (size_t i = 0; i < r.n; i++)
        repeated |= r.cands[i].attempts > 1;
    cr_assert(repeated, "no candidate was measured again while its interval straddled the budget");
    adv_result_free(&r);
    /* few events: even an interval well within the budget is not "met" */
    adv_fig_t f = {.age_p99_ms = 10, .age_lo_ms = 9, .age_hi_ms = 11, .events = ADV_P99_MIN_EVENTS - 1};
    cr_assert_eq(adv_judge(&need, &f), ADV_INCONCLUSIVE);
    f.events = ADV_P99_MIN_EVENTS;
    cr_assert_eq(adv_judge(&need, &f), ADV_MET);
    f.age_lo_ms = 120;
    f.age_p99_ms = f.age_hi_ms = 130;
    cr_assert_eq(adv_judge(&need, &f), ADV_MISSED);
    /* a writer limit */
    adv_need_t tight = {.lag_p99_ms = 115, .writer_max = 0.001};
    adv_fig_t g = {.age_p99_ms = 10, .age_lo_ms = 9, .age_hi_ms = 11, .events = 500, .writer_busy = 0.002};
    cr_assert_eq(adv_judge(&tight, &g), ADV_MISSED);
}

/* ---- the command ----------------------------------------------------------- */

static char g_out[65536];

/* Runs h5swmr with args; returns its exit status. */
static int h5swmr(const char *const *args, int timeout_ms)
{
    int status;
    cr_assert_eq(tu_run_args(H5SWMR_BIN, args, timeout_ms, &status, g_out, sizeof g_out), 0, "hung: %s", g_out);
    cr_assert(WIFEXITED(status), "%s: %s", tu_status_str(status), g_out);
    return WEXITSTATUS(status);
}

/* The one directory under dir whose name holds part; asserts there is one. */
static void one_dir(const char *dir, const char *part, char *out, size_t cap)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s", dir);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strstr(e->d_name, part)) {
            snprintf(out, cap, "%s/%s", dir, e->d_name);
            n++;
        }
    closedir(d);
    cr_assert_eq(n, 1, "%d directories named *%s* under %s", n, part, dir);
}

/* Counts the files named *suffix under dir (one level of run directories). */
static int count_files(const char *dir, const char *suffix)
{
    int n = 0;
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char p[8192];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        size_t l = strlen(e->d_name), s = strlen(suffix);
        if (l > s && !strcmp(e->d_name + l - s, suffix))
            n++;
        DIR *sub = opendir(p);
        for (struct dirent *f; sub && (f = readdir(sub));) {
            size_t fl = strlen(f->d_name);
            if (fl > s && !strcmp(f->d_name + fl - s, suffix))
                n++;
        }
        if (sub)
            closedir(sub);
    }
    if (d)
        closedir(d);
    return n;
}

Test(advise, a_real_short_run_recommends_confirms_and_writes_its_files, .timeout = 180)
{
    char rd[4096], ov[4200];
    snprintf(rd, sizeof rd, "%s/results", tu_dir());
    snprintf(ov, sizeof ov, "results_dir=%s", rd);
    /* a block every 50 ms, one channel, one reader; a generous budget */
    const char *args[] = {"advise",
                          "-o",
                          "sample_rate=1000",
                          "-o",
                          "block_samples=50",
                          "-o",
                          "nchannels=1",
                          "-o",
                          "readers=1",
                          "-o",
                          ov,
                          "--lag-p99",
                          "500",
                          "--run-s",
                          "1",
                          "--budget",
                          "15",
                          "--confirm-s",
                          "2",
                          "--no-plot",
                          NULL};
    int rc = h5swmr(args, 170000);
    cr_assert_eq(rc, 0, "exit %d: %s", rc, g_out);
    cr_assert_not_null(strstr(g_out, "recommendation: flush every"), "%s", g_out);
    cr_assert_not_null(strstr(g_out, "confirmation at the real pace: lag p99"), "%s", g_out);
    cr_assert_not_null(strstr(g_out, "as scenario keys: flush_every_blocks="), "%s", g_out);
    cr_assert_not_null(strstr(g_out, "collector: call m.flush()"), "%s", g_out);
    char dir[4400], path[4600];
    one_dir(rd, "-advise-", dir, sizeof dir);
    snprintf(path, sizeof path, "%s/advise.json", dir);
    unsigned char *buf;
    size_t len;
    cr_assert_eq(tu_read_file(path, &buf, &len), 0, "%s", path);
    cJSON *j = cJSON_Parse((char *)buf);
    free(buf);
    cr_assert_not_null(j);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "feasible")));
    cJSON *rec = cJSON_GetObjectItem(j, "recommendation");
    cr_assert_not_null(rec);
    cJSON *fig = cJSON_GetObjectItem(rec, "figures");
    cr_assert_leq(tu_num(fig, "lag_p99_hi_ms"), 500);
    cr_assert_geq(tu_num(fig, "events"), ADV_P99_MIN_EVENTS);
    cJSON *conf = cJSON_GetObjectItem(rec, "confirmation");
    cr_assert_not_null(conf, "no confirmation");
    cr_assert_gt(tu_num(conf, "events"), 0);
    cr_assert_gt(cJSON_GetArraySize(cJSON_GetObjectItem(j, "front")), 0);
    cr_assert_gt(tu_num(cJSON_GetObjectItem(j, "search"), "measured"), 0);
    cJSON_Delete(j);
    snprintf(path, sizeof path, "%s/front.csv", dir);
    cr_assert(tu_exists(path));
    snprintf(path, sizeof path, "%s/advise.md", dir);
    cr_assert(tu_exists(path));
    /* the recommended scenario loads as it is (a sweep's dry run checks it) */
    snprintf(path, sizeof path, "%s/recommended.ini", dir);
    cr_assert(tu_exists(path));
    const char *dry[] = {"sweep", path, "--dry-run", NULL};
    cr_assert_eq(h5swmr(dry, 20000), 0, "%s", g_out);
    /* runs that passed leave no data file */
    cr_assert_eq(count_files(dir, ".mth5"), 0, "data files left in %s", dir);
}

Test(advise, bad_input_is_refused_and_creates_nothing)
{
    char rd[4096], ov[4200];
    snprintf(rd, sizeof rd, "%s/results", tu_dir());
    snprintf(ov, sizeof ov, "results_dir=%s", rd);
    const char *multi = tu_path("two.ini");
    cr_assert_eq(tu_write_text(multi, "[a]\nreaders = 1\n[b]\nreaders = 2\n"), 0);
    const char *cases[][8] = {
        {"advise", "-o", ov, NULL},                                      /* no budget */
        {"advise", "-o", ov, "--lag-p99", "nan", NULL},                  /* NaN */
        {"advise", "-o", ov, "--lag-p99", "-5", NULL},                   /* negative */
        {"advise", "-o", ov, "--lag-p99", "100", "--budget", "1", NULL}, /* budget too short */
        {"advise", "-o", ov, "--lag-p99", "100", "-o", "realtime=false", NULL},
        {"advise", "-o", ov, "--lag-p99", "100", "-o", "workload=structure", NULL},
        {"advise", "-o", ov, "--lag-p99", "100", "-o", "readers=0", NULL},
        {"advise", "-o", ov, "--lag-p99", "100", "-o", "kill_writer_after_ms=100", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = h5swmr(cases[i], 20000);
        cr_assert_eq(rc, 2, "case %zu: exit %d: %s", i, rc, g_out);
        cr_assert_not_null(strstr(g_out, "h5swmr advise:"), "case %zu: %s", i, g_out);
    }
    const char *job[] = {"advise", multi, "-o", ov, "--lag-p99", "100", NULL};
    cr_assert_eq(h5swmr(job, 20000), 2, "%s", g_out);
    cr_assert_not_null(strstr(g_out, "--job"), "%s", g_out);
    const char *nojob[] = {"advise", multi, "-o", ov, "--lag-p99", "100", "--job", "c", NULL};
    cr_assert_eq(h5swmr(nojob, 20000), 2, "%s", g_out);
    cr_assert_not(tu_exists(rd), "a refused advise created %s", rd);
}
