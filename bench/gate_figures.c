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
static const char *row_key(const cJSON *row)
{
    const char *k = gate_str_of(row, GATE_KEY_FIELD);
    return k ? k : "";
}

/* A run (or a growth entry) of one of the sources, found by its key. */
typedef struct ref {
    const char *key, *key2; /* a run's key (key2 ""), or a growth entry's job and flush call */
    double repeat;          /* a run's repeat, for pairing */
    int src, pos;           /* which source, and where in it */
    const cJSON *row;
} ref_t;

/* Every run or growth entry of some sources, sorted by key (and for pairing,
 * by repeat) and then by source and position, so that the entries of a key
 * are one range in the order the sources list them. Finding a key is a
 * binary search: judging is n log n in the rows, never pairwise. */
typedef struct index {
    ref_t *r;
    int n;
    bool by_repeat;
} index_t;

/* The order of an index (see index_t). */
static int ref_cmp(const ref_t *a, const ref_t *b, bool by_repeat)
{
    int c = strcmp(a->key, b->key);
    if (!c)
        c = strcmp(a->key2, b->key2);
    if (!c && by_repeat)
        c = (a->repeat > b->repeat) - (a->repeat < b->repeat);
    if (!c)
        c = a->src != b->src ? (a->src > b->src) - (a->src < b->src) : (a->pos > b->pos) - (a->pos < b->pos);
    return c;
}

/* qsort's order of an index by key. */
static int ref_cmp_plain(const void *a, const void *b)
{
    return ref_cmp(a, b, false);
}

/* qsort's order of an index by key and repeat. */
static int ref_cmp_repeat(const void *a, const void *b)
{
    return ref_cmp(a, b, true);
}

/* Indexes the member what ("runs" or "flush_growth") of the nsrc sources;
 * by_repeat: runs by key and repeat, for pairing (runs without a numeric
 * repeat are left out: they pair with nothing). Out of memory, the index is
 * empty. */
static void index_build(index_t *ix, cJSON *const *src, int nsrc, const char *what, bool by_repeat)
{
    bool growth = !strcmp(what, "flush_growth");
    size_t n = 0;
    for (int s = 0; s < nsrc; s++)
        n += (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(src[s], what));
    ix->n = 0;
    ix->by_repeat = by_repeat;
    ix->r = n ? malloc(n * sizeof *ix->r) : NULL;
    for (int s = 0; ix->r && s < nsrc; s++) {
        const cJSON *r;
        int pos = 0;
        cJSON_ArrayForEach (r, cJSON_GetObjectItemCaseSensitive(src[s], what)) {
            ref_t e = {.key = growth ? gate_str_of(r, "job") : row_key(r),
                       .key2 = growth ? gate_str_of(r, "flush_call") : "",
                       .repeat = gate_num(r, "repeat"),
                       .src = s,
                       .pos = pos++,
                       .row = r};
            if (!e.key || !e.key2 || (by_repeat && isnan(e.repeat)))
                continue;
            ix->r[ix->n++] = e;
        }
    }
    if (ix->n)
        qsort(ix->r, (size_t)ix->n, sizeof *ix->r, by_repeat ? ref_cmp_repeat : ref_cmp_plain);
}

/* Frees the entries of ix and empties it. */
static void index_free(index_t *ix)
{
    free(ix->r);
    ix->r = NULL;
    ix->n = 0;
}

/* The entries of ix whose key, key2 (and with by_repeat, repeat, and src when
 * src >= 0) are those of want: [*lo, returned end). */
static int index_range(const index_t *ix, const char *key, const char *key2, double repeat, int src, int *lo)
{
    ref_t want = {.key = key, .key2 = key2, .repeat = repeat, .src = src < 0 ? -1 : src, .pos = -1};
    int a = 0, b = ix->n;
    while (a < b) { /* the first entry not below want */
        int m = a + (b - a) / 2;
        if (ref_cmp(&ix->r[m], &want, ix->by_repeat) < 0)
            a = m + 1;
        else
            b = m;
    }
    *lo = a;
    while (b < ix->n && !strcmp(ix->r[b].key, key) && !strcmp(ix->r[b].key2, key2) &&
           (!ix->by_repeat || ix->r[b].repeat == repeat) && (src < 0 || ix->r[b].src == src))
        b++;
    return b;
}

/* The values of field over the runs with this key in ix, in source order. */
static void collect(gate_fig_t *f, const index_t *ix, const char *key, const char *field, double scale)
{
    int lo, hi = index_range(ix, key, "", 0, -1, &lo);
    for (int i = lo; i < hi; i++)
        gate_fig_value(f, gate_num(ix->r[i].row, field) * scale);
}

/* The median of field over the baseline's rows with this key; NAN if none. */
static double base_median(const index_t *base, const char *key, const char *field, double scale)
{
    gate_fig_t tmp = {0};
    collect(&tmp, base, key, field, scale);
    double m = tmp.n ? gate_median(tmp.v, tmp.n) : NAN;
    free(tmp.v);
    return m;
}

/* Correctness: the worst errors and exit status over every run of a key. */
static void exact_figures(gate_figs_t *fs, const char *key, const index_t *src, double base_err, double base_exit)
{
    gate_fig_t *f = gate_fig_add(fs, key, "errors (worst run)", J_EXACT, 0, base_err);
    if (f)
        collect(f, src, key, "errors", 1);
    f = gate_fig_add(fs, key, "exit status (worst run)", J_EXACT, 0, base_exit);
    if (f)
        collect(f, src, key, "exit_code", 1);
}

/* One figure per field whose baseline median exists. */
static void ratio_figure(gate_figs_t *fs, const index_t *base, const index_t *src, const char *key, const char *field,
                         const char *name, gate_judge_t judge, double tol, double scale)
{
    double b = base_median(base, key, field, scale);
    if (!isfinite(b) || (judge != J_LOWER_ABS && b <= 0))
        return;
    gate_fig_t *f = gate_fig_add(fs, key, name, judge, tol, b);
    if (f)
        collect(f, src, key, field, scale);
}

/* The worst value of field over the baseline's rows with this key. */
static double base_worst(const index_t *base, const char *key, const char *field)
{
    gate_fig_t tmp = {0};
    collect(&tmp, base, key, field, 1);
    double w = tmp.n ? tmp.v[0] : 0;
    for (int i = 1; i < tmp.n; i++)
        w = tmp.v[i] > w ? tmp.v[i] : w;
    free(tmp.v);
    return w;
}

/* The growth exponents of every (job, flush call) of the baseline. */
static void growth_figures(gate_figs_t *fs, const cJSON *base, cJSON *const *src, int nsrc, double tol)
{
    index_t ix;
    index_build(&ix, src, nsrc, "flush_growth", false);
    const cJSON *bg;
    cJSON_ArrayForEach (bg, cJSON_GetObjectItemCaseSensitive(base, "flush_growth")) {
        char key[GATE_KEY_CAP];
        const char *job = gate_str_of(bg, "job"), *call = gate_str_of(bg, "flush_call");
        snprintf(key, sizeof key, "[%s] flush_call=%s", job, call);
        gate_fig_t *f =
            gate_fig_add(fs, key, "flush cost growth exponent", J_LOWER_ABS, tol, gate_num(bg, "exponent_top"));
        int lo, hi = index_range(&ix, job, call, 0, -1, &lo);
        for (int i = lo; f && i < hi; i++)
            gate_fig_value(f, gate_num(ix.r[i].row, "exponent_top"));
    }
    index_free(&ix);
}

/* Every figure of the baseline mode: see the top of this file. */
void gate_baseline_figures(gate_figs_t *fs, const cJSON *base, cJSON *const *src, int nsrc, const gate_opt_t *o)
{
    index_t bi, si;
    index_build(&bi, (cJSON *const *)&base, 1, "runs", false);
    index_build(&si, src, nsrc, "runs", false);
    const cJSON *br;
    cJSON_ArrayForEach (br, cJSON_GetObjectItemCaseSensitive(base, "runs")) {
        const char *key = row_key(br);
        int lo, hi = index_range(&bi, key, "", 0, -1, &lo);
        if (lo == hi || bi.r[lo].row != br)
            continue; /* one set of figures per key, at its first run: repeats are its values */
        exact_figures(fs, key, &si, base_worst(&bi, key, "errors"), base_worst(&bi, key, "exit_code"));
        if (strcmp(gate_sopt(br, "writer_mode"), "swmr"))
            continue;
        ratio_figure(fs, &bi, &si, key, "call_ratio_vs_noswmr", "SWMR / HDF5 without SWMR, per-call p50 MB/s",
                     J_HIGHER_REL, o->tol, 1);
        ratio_figure(fs, &bi, &si, key, "call_ratio_vs_bare", "h5swmr / bare HDF5 SWMR loop, per-call p50 MB/s",
                     J_HIGHER_REL, o->tol, 1);
        ratio_figure(fs, &bi, &si, key, "call_ratio_vs_raw", "SWMR / raw pwrite, per-call p50 MB/s (host-bound)",
                     J_REPORT, 0, 1);
        ratio_figure(fs, &bi, &si, key, "io_ratio_vs_raw", "SWMR / raw pwrite, io MB/s (host-bound)", J_REPORT, 0, 1);
        ratio_figure(fs, &bi, &si, key, "io_ratio_vs_noswmr", "SWMR / HDF5 without SWMR, io MB/s", J_REPORT, 0, 1);
        double poll_us = atof(gate_sopt(br, "poll_ms")) * 1e3;
        if (poll_us > 0 && !strcmp(gate_sopt(br, "reader_wait"), "poll"))
            ratio_figure(fs, &bi, &si, key, "lag_p50_us", "lag p50 / poll interval", J_LOWER_ABS, o->lag_tol,
                         1 / poll_us);
    }
    index_free(&bi);
    index_free(&si);
    growth_figures(fs, base, src, nsrc, o->exp_tol);
}

/* A/B: the row of round s of B paired with row a (same key and repeat), or
 * NULL; bi indexes B's runs by repeat. */
static const cJSON *pair_of(const ref_t *a, const index_t *bi)
{
    int lo, hi = index_range(bi, a->key, "", a->repeat, a->src, &lo);
    return lo < hi ? bi->r[lo].row : NULL;
}

/* The A/B figures of one key of A: B's value over A's, per pair; ai indexes
 * A's runs, bp B's, bi B's by repeat. */
static void ab_key_figures(gate_figs_t *fs, const char *key, const cJSON *a0, const index_t *ai, const index_t *bp,
                           const index_t *bi, const gate_opt_t *o)
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
    int lo, hi = index_range(ai, key, "", 0, -1, &lo);
    for (int i = lo; i < hi; i++) {
        worst_a_err = fmax(worst_a_err, gate_num(ai->r[i].row, "errors"));
        worst_a_exit = fmax(worst_a_exit, gate_num(ai->r[i].row, "exit_code"));
    }
    exact_figures(fs, key, bp, worst_a_err, worst_a_exit);
    for (size_t m = 0; m < sizeof ab / sizeof ab[0]; m++) {
        if ((ab[m].swmr_only && !swmr) || !(gate_num(a0, ab[m].field) > 0))
            continue;
        /* the io figure is noisy on virtual machines: reported unless it is all there is */
        gate_judge_t j = !strcmp(ab[m].field, "io_MBps") ? J_REPORT : ab[m].judge;
        gate_fig_t *fig = gate_fig_add(fs, key, ab[m].name, j, o->tol, 1);
        for (int i = lo; fig && i < hi; i++) {
            const cJSON *r = ai->r[i].row, *p = pair_of(&ai->r[i], bi);
            if (p && gate_num(r, ab[m].field) > 0)
                gate_fig_value(fig, gate_num(p, ab[m].field) / gate_num(r, ab[m].field));
        }
    }
}

/* The A/B figures: those of every key of A's first round, then the growth
 * exponents, B's minus A's per round. */
void gate_ab_figures(gate_figs_t *fs, cJSON *const *A, cJSON *const *B, int n, const gate_opt_t *o)
{
    index_t ai, bp, bi;
    index_build(&ai, A, n, "runs", false);
    index_build(&bp, B, n, "runs", false);
    index_build(&bi, B, n, "runs", true);
    const cJSON *ar;
    cJSON_ArrayForEach (ar, cJSON_GetObjectItemCaseSensitive(A[0], "runs")) {
        const char *key = row_key(ar);
        int lo, hi = index_range(&ai, key, "", 0, -1, &lo);
        if (lo < hi && ai.r[lo].row == ar) /* the key's first run: A[0] comes first in the index */
            ab_key_figures(fs, key, ar, &ai, &bp, &bi, o);
    }
    index_free(&ai);
    index_free(&bp);
    index_free(&bi);
    /* growth exponents: B's minus A's, per round */
    index_t ag, bg;
    index_build(&ag, A, n, "flush_growth", false);
    index_build(&bg, B, n, "flush_growth", false);
    const cJSON *a0;
    cJSON_ArrayForEach (a0, cJSON_GetObjectItemCaseSensitive(A[0], "flush_growth")) {
        char key[GATE_KEY_CAP];
        const char *job = gate_str_of(a0, "job"), *call = gate_str_of(a0, "flush_call");
        snprintf(key, sizeof key, "[%s] flush_call=%s", job, call);
        gate_fig_t *f = gate_fig_add(fs, key, "flush cost growth exponent, B - A", J_LOWER_ABS, o->exp_tol, 0);
        for (int s = 0; f && s < n; s++) {
            int alo, ahi = index_range(&ag, job, call, 0, s, &alo), blo, bhi = index_range(&bg, job, call, 0, s, &blo);
            for (int a = alo; a < ahi; a++)
                for (int b = blo; b < bhi; b++)
                    gate_fig_value(f, gate_num(bg.r[b].row, "exponent_top") - gate_num(ag.r[a].row, "exponent_top"));
        }
    }
    index_free(&ag);
    index_free(&bg);
}
