/* gate_figures.c - the figures h5swmr gate judges: against a baseline,
 * only what carries from one host to another (ratios paired within a repeat,
 * lag as a fraction of the poll interval, growth exponents) and every
 * correctness figure exactly; in A/B mode, every figure of B against A's
 * from the same round. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"

/* The string member key of o, or NULL if absent or not a string. */
const char *gate_str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

/* The scenario value key of a run, "" if absent. */
const char *gate_sopt(const cJSON *row, const char *key)
{
    const char *v = gate_str_of(cJSON_GetObjectItemCaseSensitive(row, "scenario"), key);
    return v ? v : "";
}

/* A number of an object, or NAN if absent or not a number. */
double gate_num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* What identifies a run across sweeps: its job and the values that vary;
 * computed once per row when its sweep is read (gate.c), read back here. */
static void row_key(const cJSON *row, char *out, size_t cap)
{
    const char *k = gate_str_of(row, GATE_KEY_FIELD);
    snprintf(out, cap, "%s", k ? k : "");
}

/* The values of field over the rows with this key, from every source. */
static void collect(gate_fig_t *f, cJSON *const *src, int nsrc, const char *key, const char *field, double scale)
{
    char k[GATE_KEY_CAP];
    for (int s = 0; s < nsrc; s++) {
        const cJSON *r;
        cJSON_ArrayForEach (r, cJSON_GetObjectItem(src[s], "runs")) {
            row_key(r, k, sizeof k);
            if (!strcmp(k, key))
                gate_fig_value(f, gate_num(r, field) * scale);
        }
    }
}

/* The median of field over the baseline's rows with this key; NAN if none. */
static double base_median(const cJSON *base, const char *key, const char *field, double scale)
{
    gate_fig_t tmp = {0};
    collect(&tmp, (cJSON *const *)&base, 1, key, field, scale);
    double m = tmp.n ? gate_median(tmp.v, tmp.n) : NAN;
    free(tmp.v);
    return m;
}

/* Correctness: the worst errors and exit status over every run of a key. */
static void exact_figures(gate_figs_t *fs, const char *key, cJSON *const *src, int nsrc, double base_err,
                          double base_exit)
{
    gate_fig_t *f = gate_fig_add(fs, key, "errors (worst run)", J_EXACT, 0, base_err);
    if (f)
        collect(f, src, nsrc, key, "errors", 1);
    f = gate_fig_add(fs, key, "exit status (worst run)", J_EXACT, 0, base_exit);
    if (f)
        collect(f, src, nsrc, key, "exit_code", 1);
}

/* One figure per field whose baseline median exists. */
static void ratio_figure(gate_figs_t *fs, const cJSON *base, cJSON *const *src, int nsrc, const char *key,
                         const char *field, const char *name, gate_judge_t judge, double tol, double scale)
{
    double b = base_median(base, key, field, scale);
    if (!isfinite(b) || (judge != J_LOWER_ABS && b <= 0))
        return;
    gate_fig_t *f = gate_fig_add(fs, key, name, judge, tol, b);
    if (f)
        collect(f, src, nsrc, key, field, scale);
}

/* The worst value of field over the baseline's rows with this key. */
static double base_worst(const cJSON *base, const char *key, const char *field)
{
    gate_fig_t tmp = {0};
    collect(&tmp, (cJSON *const *)&base, 1, key, field, 1);
    double w = tmp.n ? tmp.v[0] : 0;
    for (int i = 1; i < tmp.n; i++)
        w = tmp.v[i] > w ? tmp.v[i] : w;
    free(tmp.v);
    return w;
}

/* The growth exponents of every (job, flush call) of the baseline. */
static void growth_figures(gate_figs_t *fs, const cJSON *base, cJSON *const *src, int nsrc, double tol)
{
    const cJSON *bg;
    cJSON_ArrayForEach (bg, cJSON_GetObjectItem(base, "flush_growth")) {
        char key[GATE_KEY_CAP];
        snprintf(key, sizeof key, "[%s] flush_call=%s", gate_str_of(bg, "job"), gate_str_of(bg, "flush_call"));
        gate_fig_t *f =
            gate_fig_add(fs, key, "flush cost growth exponent", J_LOWER_ABS, tol, gate_num(bg, "exponent_top"));
        for (int s = 0; f && s < nsrc; s++) {
            const cJSON *cg;
            cJSON_ArrayForEach (cg, cJSON_GetObjectItem(src[s], "flush_growth"))
                if (!strcmp(gate_str_of(cg, "job"), gate_str_of(bg, "job")) &&
                    !strcmp(gate_str_of(cg, "flush_call"), gate_str_of(bg, "flush_call")))
                    gate_fig_value(f, gate_num(cg, "exponent_top"));
        }
    }
}

/* Every figure of the baseline mode: see the top of this file. */
void gate_baseline_figures(gate_figs_t *fs, const cJSON *base, cJSON *const *src, int nsrc, const gate_opt_t *o)
{
    const cJSON *br;
    char key[GATE_KEY_CAP], k2[GATE_KEY_CAP];
    cJSON_ArrayForEach (br, cJSON_GetObjectItem(base, "runs")) {
        row_key(br, key, sizeof key);
        bool first = true; /* one set of figures per key: repeats are its values */
        const cJSON *x;
        cJSON_ArrayForEach (x, cJSON_GetObjectItem(base, "runs")) {
            if (x == br)
                break;
            row_key(x, k2, sizeof k2);
            first &= strcmp(k2, key) != 0;
        }
        if (!first)
            continue;
        exact_figures(fs, key, src, nsrc, base_worst(base, key, "errors"), base_worst(base, key, "exit_code"));
        if (strcmp(gate_sopt(br, "writer_mode"), "swmr"))
            continue;
        ratio_figure(fs, base, src, nsrc, key, "call_ratio_vs_noswmr", "SWMR / HDF5 without SWMR, per-call p50 MB/s",
                     J_HIGHER_REL, o->tol, 1);
        ratio_figure(fs, base, src, nsrc, key, "call_ratio_vs_bare", "h5swmr / bare HDF5 SWMR loop, per-call p50 MB/s",
                     J_HIGHER_REL, o->tol, 1);
        ratio_figure(fs, base, src, nsrc, key, "call_ratio_vs_raw", "SWMR / raw pwrite, per-call p50 MB/s (host-bound)",
                     J_REPORT, 0, 1);
        ratio_figure(fs, base, src, nsrc, key, "io_ratio_vs_raw", "SWMR / raw pwrite, io MB/s (host-bound)", J_REPORT,
                     0, 1);
        ratio_figure(fs, base, src, nsrc, key, "io_ratio_vs_noswmr", "SWMR / HDF5 without SWMR, io MB/s", J_REPORT, 0,
                     1);
        double poll_us = atof(gate_sopt(br, "poll_ms")) * 1e3;
        if (poll_us > 0 && !strcmp(gate_sopt(br, "reader_wait"), "poll"))
            ratio_figure(fs, base, src, nsrc, key, "lag_p50_us", "lag p50 / poll interval", J_LOWER_ABS, o->lag_tol,
                         1 / poll_us);
    }
    growth_figures(fs, base, src, nsrc, o->exp_tol);
}

/* A/B: the row of b's sources paired with row a (same key and repeat, in
 * the neighbouring round). */
static const cJSON *pair_of(const cJSON *a, const cJSON *bsrc)
{
    char ka[GATE_KEY_CAP], kb[GATE_KEY_CAP];
    row_key(a, ka, sizeof ka);
    const cJSON *r;
    cJSON_ArrayForEach (r, cJSON_GetObjectItem(bsrc, "runs")) {
        row_key(r, kb, sizeof kb);
        if (!strcmp(ka, kb) && gate_num(r, "repeat") == gate_num(a, "repeat"))
            return r;
    }
    return NULL;
}

/* The A/B figures of one key of A: B's value over A's, per pair. */
static void ab_key_figures(gate_figs_t *fs, const char *key, const cJSON *a0, cJSON *const *A, cJSON *const *B, int n,
                           const gate_opt_t *o)
{
    static const struct {
        const char *field, *name;
        gate_judge_t judge;
        bool swmr_only;
    } ab[] = {
        {"call_MBps", "per-call p50 MB/s, B / A", J_HIGHER_REL, false},
        {"io_MBps", "io MB/s, B / A", J_HIGHER_REL, false},
        {"call_ratio_vs_raw", "SWMR / raw pwrite per-call p50, B / A", J_HIGHER_REL, true},
        {"call_ratio_vs_noswmr", "SWMR / HDF5 without SWMR per-call p50, B / A", J_HIGHER_REL, true},
        {"flush_p50_us", "flush p50, B / A", J_LOWER_REL, false},
        {"lag_p50_us", "lag p50, B / A", J_LOWER_REL, true},
    };
    bool swmr = !strcmp(gate_sopt(a0, "writer_mode"), "swmr");
    double worst_a_err = 0, worst_a_exit = 0;
    for (int s = 0; s < n; s++) {
        const cJSON *r;
        char k[GATE_KEY_CAP];
        cJSON_ArrayForEach (r, cJSON_GetObjectItem(A[s], "runs")) {
            row_key(r, k, sizeof k);
            if (!strcmp(k, key)) {
                worst_a_err = fmax(worst_a_err, gate_num(r, "errors"));
                worst_a_exit = fmax(worst_a_exit, gate_num(r, "exit_code"));
            }
        }
    }
    exact_figures(fs, key, B, n, worst_a_err, worst_a_exit);
    for (size_t m = 0; m < sizeof ab / sizeof ab[0]; m++) {
        if ((ab[m].swmr_only && !swmr) || !(gate_num(a0, ab[m].field) > 0))
            continue;
        /* the io figure is noisy on virtual machines: reported unless it is all there is */
        gate_judge_t j = !strcmp(ab[m].field, "io_MBps") ? J_REPORT : ab[m].judge;
        gate_fig_t *f = gate_fig_add(fs, key, ab[m].name, j, o->tol, 1);
        for (int s = 0; f && s < n; s++) {
            const cJSON *r;
            char k[GATE_KEY_CAP];
            cJSON_ArrayForEach (r, cJSON_GetObjectItem(A[s], "runs")) {
                row_key(r, k, sizeof k);
                const cJSON *p = strcmp(k, key) ? NULL : pair_of(r, B[s]);
                if (p && gate_num(r, ab[m].field) > 0)
                    gate_fig_value(f, gate_num(p, ab[m].field) / gate_num(r, ab[m].field));
            }
        }
    }
}

/* The A/B figures: those of every key of A's first round, then the growth
 * exponents, B's minus A's per round. */
void gate_ab_figures(gate_figs_t *fs, cJSON *const *A, cJSON *const *B, int n, const gate_opt_t *o)
{
    const cJSON *ar;
    char key[GATE_KEY_CAP], k2[GATE_KEY_CAP];
    cJSON_ArrayForEach (ar, cJSON_GetObjectItem(A[0], "runs")) {
        row_key(ar, key, sizeof key);
        bool first = true;
        const cJSON *x;
        cJSON_ArrayForEach (x, cJSON_GetObjectItem(A[0], "runs")) {
            if (x == ar)
                break;
            row_key(x, k2, sizeof k2);
            first &= strcmp(k2, key) != 0;
        }
        if (first)
            ab_key_figures(fs, key, ar, A, B, n, o);
    }
    /* growth exponents: B's minus A's, per round */
    const cJSON *ag;
    cJSON_ArrayForEach (ag, cJSON_GetObjectItem(A[0], "flush_growth")) {
        snprintf(key, sizeof key, "[%s] flush_call=%s", gate_str_of(ag, "job"), gate_str_of(ag, "flush_call"));
        gate_fig_t *f = gate_fig_add(fs, key, "flush cost growth exponent, B - A", J_LOWER_ABS, o->exp_tol, 0);
        for (int s = 0; f && s < n; s++) {
            const cJSON *a, *b;
            cJSON_ArrayForEach (a, cJSON_GetObjectItem(A[s], "flush_growth"))
                cJSON_ArrayForEach (b, cJSON_GetObjectItem(B[s], "flush_growth"))
                    if (!strcmp(gate_str_of(a, "job"), gate_str_of(b, "job")) &&
                        !strcmp(gate_str_of(a, "flush_call"), gate_str_of(b, "flush_call")) &&
                        !strcmp(gate_str_of(a, "job"), gate_str_of(ag, "job")) &&
                        !strcmp(gate_str_of(a, "flush_call"), gate_str_of(ag, "flush_call")))
                        gate_fig_value(f, gate_num(b, "exponent_top") - gate_num(a, "exponent_top"));
        }
    }
}
