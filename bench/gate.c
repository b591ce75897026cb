/* gate.c - h5swmr gate: the regression gate. It judges sweeps (sweep.json) in
 * one of two ways:
 *
 *   against a committed baseline: only figures that carry from one host to
 *   another are judged - SWMR against HDF5 without SWMR and h5swmr's own write
 *   path against a bare HDF5 loop (per-call p50 throughput, paired within each
 *   repeat), lag as a fraction of the poll interval, flush cost growth
 *   exponents, and every correctness figure exactly. Ratios to raw pwrite
 *   depend on the host and are reported, not judged;
 *
 *   A/B: two h5swmr builds (or one build with two settings) run the same sweep
 *   in alternating rounds on this machine, and every figure of B is judged
 *   against A's from the neighbouring round, host-dependent ratios included.
 *
 * A figure's verdict comes from the distribution of its paired values: a
 * distribution-free confidence interval of their median (the sign-test
 * interval, order statistics of the binomial) set against the tolerance.
 * pass: the whole interval is inside it; regressed: the whole interval is
 * beyond it; inconclusive: the interval straddles it (the noise measured in
 * this run is larger than the margin). With --run the gate runs the sweep
 * itself, and adds rounds while a figure is inconclusive (or a regression
 * has been seen in one round only) and the time budget lasts. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "proto.h"
#include "util.h"

#define fail(code, ...) h5s_cli_fail("gate", code, __VA_ARGS__)

#define MAX_SOURCES 64 /* sweeps pooled per side */
#define MAX_OPTS 64
#define KEY_CAP 512

typedef enum { V_PASS, V_REGRESSED, V_INCONCLUSIVE, V_MISSING, V_REPORTED } verdict_t;
static const char *const verdict_names[] = {"pass", "REGRESSED", "INCONCLUSIVE", "MISSING", "report"};

/* How a figure is judged. */
typedef enum {
    J_HIGHER_REL, /* higher is better; value / base must stay above 1 - tol */
    J_LOWER_REL,  /* lower is better; value / base must stay below 1 + tol */
    J_LOWER_ABS,  /* lower is better; value - base must stay below tol */
    J_EXACT,      /* must equal base */
    J_REPORT,     /* shown, never judged */
} judge_t;

/* One figure: what it compares, its reference and this run's values. */
typedef struct fig {
    char key[KEY_CAP];
    char name[128];
    judge_t judge;
    double tol, base;
    double *v;
    int n, cap;
    verdict_t verdict;
    double med, lo, hi, conf; /* of the normalised values (ratio to base, or difference) */
} fig_t;

typedef struct figs {
    fig_t *f;
    int n, cap;
} figs_t;

/* The gate's settings. */
typedef struct gopt {
    double tol, exp_tol, lag_tol;
    bool strict, force;
    const char *markdown;
} gopt_t;

/* ---------------------------------------------------------------- inputs */

/* Reads a JSON file that must be a regular file (a FIFO or device is refused
 * without blocking). NULL with msg set on failure. */
static cJSON *load_json(const char *path, char *msg, size_t cap)
{
    char why[256];
    FILE *f = h5s_open_input(path, 64L << 20, why, sizeof why);
    if (!f) {
        snprintf(msg, cap, "cannot read %s as JSON: %s", path, why);
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    char chunk[65536];
    size_t n;
    while (mem && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, n, mem);
    bool ok = mem && !ferror(f) && fclose(mem) == 0;
    fclose(f);
    cJSON *j = ok && len ? cJSON_ParseWithLength(buf, len) : NULL;
    free(buf);
    if (!j)
        snprintf(msg, cap, "cannot read %s as JSON", path);
    return j;
}

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

static const char *sopt(const cJSON *row, const char *key)
{
    const char *v = str_of(cJSON_GetObjectItemCaseSensitive(row, "scenario"), key);
    return v ? v : "";
}

/* A number of an object, or NAN if absent or not a number. */
static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* Checks that j is sweep results the gate can read: a 'runs' array of
 * objects, each with a string job, a scenario object with a writer_mode and
 * numeric errors and exit_code; flush_growth entries with strings job and
 * flush_call and a number exponent_top. 0, or -1 with msg. */
static int validate(const cJSON *j, const char *path, char *msg, size_t cap)
{
    const cJSON *runs = cJSON_GetObjectItemCaseSensitive(j, "runs"), *r;
    if (!cJSON_IsArray(runs))
        return snprintf(msg, cap, "%s: not sweep results (no 'runs' array)", path), -1;
    int i = 0;
    cJSON_ArrayForEach (r, runs) {
        i++;
        if (!cJSON_IsObject(r) || !str_of(r, "job") || !str_of(cJSON_GetObjectItem(r, "scenario"), "writer_mode") ||
            isnan(num(r, "errors")) || isnan(num(r, "exit_code")))
            return snprintf(msg, cap, "%s: run %d lacks job, scenario.writer_mode, errors or exit_code", path, i), -1;
    }
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(j, "flush_growth");
    if (g && !cJSON_IsArray(g))
        return snprintf(msg, cap, "%s: 'flush_growth' is not an array", path), -1;
    i = 0;
    cJSON_ArrayForEach (r, g) {
        i++;
        if (!str_of(r, "job") || !str_of(r, "flush_call") || isnan(num(r, "exponent_top")))
            return snprintf(msg, cap, "%s: flush_growth entry %d lacks job, flush_call or exponent_top", path, i), -1;
    }
    return 0;
}

#define KEY_FIELD "\x01gate_key" /* where a row's key is cached (no JSON key of a sweep starts so) */

/* What identifies a run across sweeps: its job and the values that vary;
 * computed once per row by key_rows, read back here. */
static void row_key(const cJSON *row, char *out, size_t cap)
{
    const char *k = str_of(row, KEY_FIELD);
    snprintf(out, cap, "%s", k ? k : "");
}

/* Computes and caches every run's key (validate first). */
static void key_rows(cJSON *j)
{
    static const char *const keys[] = {"writer_mode", "block_samples", "nchannels", "flush_call", "flush_every_blocks",
                                       "poll_ms",     "reader_wait",   "readers",   "dtype",      "cork",
                                       NULL};
    cJSON *r;
    char out[KEY_CAP];
    cJSON_ArrayForEach (r, cJSON_GetObjectItem(j, "runs")) {
        int n = snprintf(out, sizeof out, "[%s]", str_of(r, "job"));
        for (int i = 0; keys[i] && n > 0 && (size_t)n < sizeof out; i++)
            n += snprintf(out + n, sizeof out - (size_t)n, " %s=%s", keys[i], sopt(r, keys[i]));
        /* sweeps from before reader_mode existed ran h5swmr's readers only */
        const char *rm = sopt(r, "reader_mode");
        if (rm[0] && strcmp(rm, "h5swmr") && n > 0 && (size_t)n < sizeof out)
            snprintf(out + n, sizeof out - (size_t)n, " reader_mode=%s", rm);
        cJSON_DeleteItemFromObjectCaseSensitive(r, KEY_FIELD);
        cJSON_AddStringToObject(r, KEY_FIELD, out);
    }
}

/* ------------------------------------------------------------ statistics */

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The distribution-free confidence interval of the median of v (sorted in
 * place): [v(k), v(n-k+1)] with the largest k whose two-sided coverage
 * 1 - 2 P(Bin(n, 1/2) < k) is at least 95 %; for n under 6 no k reaches it
 * and the interval is the range, whose coverage is returned in *conf. */
static void median_ci(double *v, int n, double *lo, double *hi, double *conf)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    int k = 1;
    double below = pow(0.5, n); /* P(Bin < 1) */
    double pk = below, cover = 1 - 2 * below;
    for (int j = 1; j < n / 2; j++) {
        pk *= (double)(n - j + 1) / j;   /* C(n, j) / 2^n */
        if (1 - 2 * (below + pk) < 0.95) /* k = j + 1 would cover less */
            break;
        below += pk;
        k = j + 1;
        cover = 1 - 2 * below;
    }
    *lo = v[k - 1];
    *hi = v[n - k];
    *conf = n > 1 ? cover : 0;
}

static fig_t *fig_add(figs_t *fs, const char *key, const char *name, judge_t judge, double tol, double base)
{
    if (fs->n == fs->cap) {
        int cap = fs->cap ? fs->cap * 2 : 32;
        fig_t *p = realloc(fs->f, (size_t)cap * sizeof *p);
        if (!p)
            return NULL;
        fs->f = p;
        fs->cap = cap;
    }
    fig_t *f = &fs->f[fs->n++];
    memset(f, 0, sizeof *f);
    snprintf(f->key, sizeof f->key, "%s", key);
    snprintf(f->name, sizeof f->name, "%s", name);
    f->judge = judge;
    f->tol = tol;
    f->base = base;
    return f;
}

static void fig_value(fig_t *f, double x)
{
    if (!isfinite(x))
        return;
    if (f->n == f->cap) {
        int cap = f->cap ? f->cap * 2 : 16;
        double *p = realloc(f->v, (size_t)cap * sizeof *p);
        if (!p)
            return;
        f->v = p;
        f->cap = cap;
    }
    f->v[f->n++] = x;
}

static void figs_free(figs_t *fs)
{
    for (int i = 0; i < fs->n; i++)
        free(fs->f[i].v);
    free(fs->f);
    fs->f = NULL;
    fs->n = fs->cap = 0;
}

/* Decides a figure's verdict from its values (see the top of this file). */
static void fig_judge(fig_t *f)
{
    if (!f->n) {
        f->verdict = V_MISSING;
        return;
    }
    if (f->judge == J_EXACT) {
        double worst = f->v[0];
        for (int i = 1; i < f->n; i++)
            worst = f->v[i] > worst ? f->v[i] : worst;
        f->med = f->lo = f->hi = worst;
        f->verdict = worst == f->base ? V_PASS : V_REGRESSED;
        return;
    }
    double *x = malloc((size_t)f->n * sizeof *x);
    if (!x) {
        f->verdict = V_INCONCLUSIVE;
        return;
    }
    for (int i = 0; i < f->n; i++)
        x[i] = f->judge == J_LOWER_ABS ? f->v[i] - f->base : f->base > 0 ? f->v[i] / f->base : f->v[i];
    median_ci(x, f->n, &f->lo, &f->hi, &f->conf);
    f->med = median(x, f->n);
    free(x);
    double thr = f->judge == J_HIGHER_REL ? 1 - f->tol : f->judge == J_LOWER_REL ? 1 + f->tol : f->tol;
    if (f->judge == J_REPORT)
        f->verdict = V_REPORTED;
    else if (f->judge == J_HIGHER_REL)
        f->verdict = f->lo >= thr ? V_PASS : f->hi < thr ? V_REGRESSED : V_INCONCLUSIVE;
    else
        f->verdict = f->hi <= thr ? V_PASS : f->lo > thr ? V_REGRESSED : V_INCONCLUSIVE;
}

/* ------------------------------------------------------------- figures */

/* The values of field over the rows with this key, from every source. */
static void collect(fig_t *f, cJSON *const *src, int nsrc, const char *key, const char *field, double scale)
{
    char k[KEY_CAP];
    for (int s = 0; s < nsrc; s++) {
        const cJSON *r;
        cJSON_ArrayForEach (r, cJSON_GetObjectItem(src[s], "runs")) {
            row_key(r, k, sizeof k);
            if (!strcmp(k, key))
                fig_value(f, num(r, field) * scale);
        }
    }
}

/* The median of field over the baseline's rows with this key; NAN if none. */
static double base_median(const cJSON *base, const char *key, const char *field, double scale)
{
    fig_t tmp = {0};
    collect(&tmp, (cJSON *const *)&base, 1, key, field, scale);
    double m = tmp.n ? median(tmp.v, tmp.n) : NAN;
    free(tmp.v);
    return m;
}

/* Correctness: the worst errors and exit status over every run of a key. */
static void exact_figures(figs_t *fs, const char *key, cJSON *const *src, int nsrc, double base_err, double base_exit)
{
    fig_t *f = fig_add(fs, key, "errors (worst run)", J_EXACT, 0, base_err);
    if (f)
        collect(f, src, nsrc, key, "errors", 1);
    f = fig_add(fs, key, "exit status (worst run)", J_EXACT, 0, base_exit);
    if (f)
        collect(f, src, nsrc, key, "exit_code", 1);
}

/* One figure per field whose baseline median exists. */
static void ratio_figure(figs_t *fs, const cJSON *base, cJSON *const *src, int nsrc, const char *key, const char *field,
                         const char *name, judge_t judge, double tol, double scale)
{
    double b = base_median(base, key, field, scale);
    if (!isfinite(b) || (judge != J_LOWER_ABS && b <= 0))
        return;
    fig_t *f = fig_add(fs, key, name, judge, tol, b);
    if (f)
        collect(f, src, nsrc, key, field, scale);
}

/* The worst value of field over the baseline's rows with this key. */
static double base_worst(const cJSON *base, const char *key, const char *field)
{
    fig_t tmp = {0};
    collect(&tmp, (cJSON *const *)&base, 1, key, field, 1);
    double w = tmp.n ? tmp.v[0] : 0;
    for (int i = 1; i < tmp.n; i++)
        w = tmp.v[i] > w ? tmp.v[i] : w;
    free(tmp.v);
    return w;
}

/* The growth exponents of every (job, flush call) of the baseline. */
static void growth_figures(figs_t *fs, const cJSON *base, cJSON *const *src, int nsrc, double tol)
{
    const cJSON *bg;
    cJSON_ArrayForEach (bg, cJSON_GetObjectItem(base, "flush_growth")) {
        char key[KEY_CAP];
        snprintf(key, sizeof key, "[%s] flush_call=%s", str_of(bg, "job"), str_of(bg, "flush_call"));
        fig_t *f = fig_add(fs, key, "flush cost growth exponent", J_LOWER_ABS, tol, num(bg, "exponent_top"));
        for (int s = 0; f && s < nsrc; s++) {
            const cJSON *cg;
            cJSON_ArrayForEach (cg, cJSON_GetObjectItem(src[s], "flush_growth"))
                if (!strcmp(str_of(cg, "job"), str_of(bg, "job")) &&
                    !strcmp(str_of(cg, "flush_call"), str_of(bg, "flush_call")))
                    fig_value(f, num(cg, "exponent_top"));
        }
    }
}

/* Every figure of the baseline mode: see the top of this file. */
static void baseline_figures(figs_t *fs, const cJSON *base, cJSON *const *src, int nsrc, const gopt_t *o)
{
    const cJSON *br;
    char key[KEY_CAP], k2[KEY_CAP];
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
        if (strcmp(sopt(br, "writer_mode"), "swmr"))
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
        double poll_us = atof(sopt(br, "poll_ms")) * 1e3;
        if (poll_us > 0 && !strcmp(sopt(br, "reader_wait"), "poll"))
            ratio_figure(fs, base, src, nsrc, key, "lag_p50_us", "lag p50 / poll interval", J_LOWER_ABS, o->lag_tol,
                         1 / poll_us);
    }
    growth_figures(fs, base, src, nsrc, o->exp_tol);
}

/* A/B: the row of b's sources paired with row a (same key and repeat, in
 * the neighbouring round). */
static const cJSON *pair_of(const cJSON *a, const cJSON *bsrc)
{
    char ka[KEY_CAP], kb[KEY_CAP];
    row_key(a, ka, sizeof ka);
    const cJSON *r;
    cJSON_ArrayForEach (r, cJSON_GetObjectItem(bsrc, "runs")) {
        row_key(r, kb, sizeof kb);
        if (!strcmp(ka, kb) && num(r, "repeat") == num(a, "repeat"))
            return r;
    }
    return NULL;
}

/* The A/B figures of one key of A: B's value over A's, per pair. */
static void ab_key_figures(figs_t *fs, const char *key, const cJSON *a0, cJSON *const *A, cJSON *const *B, int n,
                           const gopt_t *o)
{
    static const struct {
        const char *field, *name;
        judge_t judge;
        bool swmr_only;
    } ab[] = {
        {"call_MBps", "per-call p50 MB/s, B / A", J_HIGHER_REL, false},
        {"io_MBps", "io MB/s, B / A", J_HIGHER_REL, false},
        {"call_ratio_vs_raw", "SWMR / raw pwrite per-call p50, B / A", J_HIGHER_REL, true},
        {"call_ratio_vs_noswmr", "SWMR / HDF5 without SWMR per-call p50, B / A", J_HIGHER_REL, true},
        {"flush_p50_us", "flush p50, B / A", J_LOWER_REL, false},
        {"lag_p50_us", "lag p50, B / A", J_LOWER_REL, true},
    };
    bool swmr = !strcmp(sopt(a0, "writer_mode"), "swmr");
    double worst_a_err = 0, worst_a_exit = 0;
    for (int s = 0; s < n; s++) {
        const cJSON *r;
        char k[KEY_CAP];
        cJSON_ArrayForEach (r, cJSON_GetObjectItem(A[s], "runs")) {
            row_key(r, k, sizeof k);
            if (!strcmp(k, key)) {
                worst_a_err = fmax(worst_a_err, num(r, "errors"));
                worst_a_exit = fmax(worst_a_exit, num(r, "exit_code"));
            }
        }
    }
    exact_figures(fs, key, B, n, worst_a_err, worst_a_exit);
    for (size_t m = 0; m < sizeof ab / sizeof ab[0]; m++) {
        if ((ab[m].swmr_only && !swmr) || !(num(a0, ab[m].field) > 0))
            continue;
        /* the io figure is noisy on virtual machines: reported unless it is all there is */
        judge_t j = !strcmp(ab[m].field, "io_MBps") ? J_REPORT : ab[m].judge;
        fig_t *f = fig_add(fs, key, ab[m].name, j, o->tol, 1);
        for (int s = 0; f && s < n; s++) {
            const cJSON *r;
            char k[KEY_CAP];
            cJSON_ArrayForEach (r, cJSON_GetObjectItem(A[s], "runs")) {
                row_key(r, k, sizeof k);
                const cJSON *p = strcmp(k, key) ? NULL : pair_of(r, B[s]);
                if (p && num(r, ab[m].field) > 0)
                    fig_value(f, num(p, ab[m].field) / num(r, ab[m].field));
            }
        }
    }
}

static void ab_figures(figs_t *fs, cJSON *const *A, cJSON *const *B, int n, const gopt_t *o)
{
    const cJSON *ar;
    char key[KEY_CAP], k2[KEY_CAP];
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
        snprintf(key, sizeof key, "[%s] flush_call=%s", str_of(ag, "job"), str_of(ag, "flush_call"));
        fig_t *f = fig_add(fs, key, "flush cost growth exponent, B - A", J_LOWER_ABS, o->exp_tol, 0);
        for (int s = 0; f && s < n; s++) {
            const cJSON *a, *b;
            cJSON_ArrayForEach (a, cJSON_GetObjectItem(A[s], "flush_growth"))
                cJSON_ArrayForEach (b, cJSON_GetObjectItem(B[s], "flush_growth"))
                    if (!strcmp(str_of(a, "job"), str_of(b, "job")) &&
                        !strcmp(str_of(a, "flush_call"), str_of(b, "flush_call")) &&
                        !strcmp(str_of(a, "job"), str_of(ag, "job")) &&
                        !strcmp(str_of(a, "flush_call"), str_of(ag, "flush_call")))
                        fig_value(f, num(b, "exponent_top") - num(a, "exponent_top"));
        }
    }
}

/* -------------------------------------------------------------- output */

typedef struct tally {
    int n[5];
} tally_t;

/* One line for a figure: verdict, key, name, median, interval, reference. */
static void fig_line(const fig_t *f, char *out, size_t cap)
{
    if (f->verdict == V_MISSING) {
        snprintf(out, cap, "%s %s: in the reference, not in this run", f->key, f->name);
        return;
    }
    if (f->judge == J_EXACT) {
        snprintf(out, cap, "%s %s: %g, reference %g (must match exactly)", f->key, f->name, f->med, f->base);
        return;
    }
    bool abs = f->judge == J_LOWER_ABS;
    double thr = f->judge == J_HIGHER_REL ? 1 - f->tol : 1 + f->tol;
    int n = snprintf(out, cap, "%s %s: ", f->key, f->name);
    if (abs)
        n += snprintf(out + n, cap - (size_t)n, "%+.3f from the reference %.3f (%.0f%% CI %+.3f..%+.3f, n=%d)", f->med,
                      f->base, f->conf * 100, f->lo, f->hi, f->n);
    else if (f->judge == J_REPORT)
        n += snprintf(out + n, cap - (size_t)n, "median %.3f (%.0f%% CI %.3f..%.3f, n=%d), reference %.3f",
                      f->med * f->base, f->conf * 100, f->lo * f->base, f->hi * f->base, f->n, f->base);
    else
        n += snprintf(out + n, cap - (size_t)n, "%+.1f%% (%.0f%% CI %+.1f%%..%+.1f%%, n=%d), reference %.3f",
                      (f->med - 1) * 100, f->conf * 100, (f->lo - 1) * 100, (f->hi - 1) * 100, f->n, f->base);
    if (f->judge != J_REPORT && n > 0 && (size_t)n < cap)
        snprintf(out + n, cap - (size_t)n, "; tolerance %s%.3g%s",
                 abs                        ? "+"
                 : f->judge == J_HIGHER_REL ? ""
                                            : "+",
                 abs ? f->tol : (thr - 1) * 100, abs ? "" : "%");
}

/* The value of token k (e.g. " poll_ms=") in a figure key, "" if absent. */
static const char *key_value(const char *key, const char *k, char *out, size_t cap)
{
    const char *p = strstr(key, k);
    out[0] = '\0';
    if (p) {
        p += strlen(k);
        size_t n = strcspn(p, " ");
        snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), p);
    }
    return out;
}

/* A figure's key for people: its job and only the settings that differ
 * between the figures of that job. */
static void short_key(const figs_t *fs, const char *key, char *out, size_t cap)
{
    size_t jl = strcspn(key, " ");
    int n = snprintf(out, cap, "%.*s", (int)jl, key);
    for (const char *t = key + jl; *t == ' ' && n > 0 && (size_t)n < cap;) {
        const char *eq = strchr(t, '=');
        size_t tl = strcspn(t + 1, " ") + 1;
        if (!eq || eq > t + tl)
            break;
        char name[64], mine[128], other[128];
        snprintf(name, sizeof name, "%.*s", (int)(eq - t + 1), t);
        key_value(key, name, mine, sizeof mine);
        bool varies = false;
        for (int i = 0; i < fs->n && !varies; i++)
            if (!strncmp(fs->f[i].key, key, jl) && fs->f[i].key[jl] == ' ')
                varies = strcmp(key_value(fs->f[i].key, name, other, sizeof other), mine) != 0;
        if (varies)
            n += snprintf(out + n, cap - (size_t)n, "%.*s", (int)tl, t);
        t += tl;
    }
}

/* Prints every figure (problems first; exact figures that pass as one count)
 * and writes the Markdown table when asked. Returns the tally. */
static tally_t report(const figs_t *fs, FILE *md)
{
    tally_t t = {{0}};
    char line[2048], shown[KEY_CAP];
    int exact_ok = 0;
    if (md)
        fprintf(md, "| verdict | configuration | figure |\n|---|---|---|\n");
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < fs->n; i++) {
            const fig_t *f = &fs->f[i];
            bool problem = f->verdict == V_REGRESSED || f->verdict == V_MISSING || f->verdict == V_INCONCLUSIVE;
            if (problem != (pass == 0))
                continue;
            t.n[f->verdict]++;
            if (f->judge == J_EXACT && f->verdict == V_PASS) {
                exact_ok++;
                continue;
            }
            short_key(fs, f->key, shown, sizeof shown);
            fig_line(f, line, sizeof line);
            const char *what = line + strlen(f->key) + 1;
            printf("%-12s %s %s\n", verdict_names[f->verdict], shown, what);
            if (md)
                fprintf(md, "| %s%s%s | `%s` | %s |\n", problem ? "**" : "", verdict_names[f->verdict],
                        problem ? "**" : "", shown, what);
        }
    if (exact_ok) {
        printf("%-12s correctness: %d figures (errors, exit status per configuration and mode) as the reference\n",
               "pass", exact_ok);
        if (md)
            fprintf(md, "| pass | every configuration | %d correctness figures as the reference |\n", exact_ok);
    }
    return t;
}

/* Judges, prints and returns the exit status: 1 if anything regressed or is
 * missing (or, with --strict, is inconclusive), else 0. */
static int conclude(figs_t *fs, const gopt_t *o, const char *what)
{
    int judged = 0;
    for (int i = 0; i < fs->n; i++) {
        fig_judge(&fs->f[i]);
        judged += fs->f[i].judge != J_REPORT;
    }
    FILE *md = NULL;
    char tmp[SCN_PATH + 16], msg[SCN_PATH + 128];
    if (o->markdown && (h5s_output_ok(o->markdown, o->force, msg, sizeof msg) != 0 ||
                        !(md = h5s_output_begin(o->markdown, tmp, sizeof tmp, msg, sizeof msg))))
        return fail(EXIT_USAGE, "--markdown: %s", msg);
    if (md)
        fprintf(md, "## h5swmr gate: %s\n\n", what);
    tally_t t = report(fs, md);
    bool failed = t.n[V_REGRESSED] || t.n[V_MISSING] || (o->strict && t.n[V_INCONCLUSIVE]) || judged == 0;
    const char *word = failed ? "FAILED" : t.n[V_INCONCLUSIVE] ? "passed, with INCONCLUSIVE figures" : "passed";
    char closing[512];
    snprintf(closing, sizeof closing,
             "gate: %d figures judged: %d pass, %d regressed, %d inconclusive, %d missing; %d reported: %s", judged,
             t.n[V_PASS], t.n[V_REGRESSED], t.n[V_INCONCLUSIVE], t.n[V_MISSING], t.n[V_REPORTED], word);
    if (t.n[V_INCONCLUSIVE])
        printf("INCONCLUSIVE: %d figure%s could not be decided: the noise measured in this run is larger than the "
               "tolerance (see their intervals above)%s\n",
               t.n[V_INCONCLUSIVE], t.n[V_INCONCLUSIVE] == 1 ? "" : "s",
               o->strict ? "; --strict makes that a failure" : "; not a failure without --strict");
    if (judged == 0)
        printf("gate: the reference has no figure to judge\n");
    printf("%s\n", closing);
    if (md) {
        fprintf(md, "\n**%s**\n", closing + 6);
        if (h5s_output_commit(md, tmp, o->markdown, o->force, msg, sizeof msg) != 0)
            return fail(EXIT_FAIL, "--markdown: %s", msg);
    }
    return failed ? EXIT_FAIL : EXIT_OK;
}

/* ----------------------------------------------------------- running */

/* Finds the sweep directory a sweep made under parent (the only entry). */
static int find_sweep_json(const char *parent, char *out, size_t cap)
{
    DIR *d = opendir(parent);
    if (!d)
        return -1;
    struct dirent *e;
    int found = -1;
    while ((e = readdir(d)))
        if (strstr(e->d_name, "-sweep-")) {
            snprintf(out, cap, "%s/%s/sweep.json", parent, e->d_name);
            found = access(out, R_OK) == 0 ? 0 : -1;
        }
    closedir(d);
    return found;
}

typedef struct runner {
    const char *bin[2];   /* A, B (B NULL: baseline mode) */
    const char *scenario; /* the sweep to run */
    const char *out;      /* where rounds go */
    const char *opts[2][MAX_OPTS];
    int nopts[2];
    int64_t deadline_ns;
} runner_t;

/* Runs one sweep of side s as round r; returns its parsed sweep.json or NULL
 * with one line on stderr. */
static cJSON *run_sweep(const runner_t *ru, int s, int r)
{
    char dir[SCN_PATH + 160], resdir[SCN_PATH + 200], log[SCN_PATH + 200], json[SCN_PATH + 600], msg[512];
    /* a side's own results_dir (another file system) holds its rounds; the
     * gate's --out holds the others */
    const char *parent = ru->out;
    for (int i = 0; i < ru->nopts[s]; i++)
        if (!strncmp(ru->opts[s][i], "results_dir=", 12) && ru->opts[s][i][12])
            parent = ru->opts[s][i] + 12;
    snprintf(dir, sizeof dir, "%s/round%02d-%c", parent, r, 'a' + s);
    if (h5s_mkdir_p(dir) != 0) {
        fail(EXIT_FAIL, "cannot create %s: %s", dir, strerror(errno));
        return NULL;
    }
    snprintf(resdir, sizeof resdir, "results_dir=%s", dir);
    snprintf(log, sizeof log, "%s/sweep.log", dir);
    const char *argv[2 * MAX_OPTS + 16];
    int k = 0;
    argv[k++] = ru->bin[s];
    argv[k++] = "sweep";
    argv[k++] = ru->scenario;
    argv[k++] = "--no-plot";
    argv[k++] = "-o";
    argv[k++] = resdir;
    for (int i = 0; i < ru->nopts[s]; i++) {
        if (strncmp(ru->opts[s][i], "results_dir=", 12)) {
            argv[k++] = "-o";
            argv[k++] = ru->opts[s][i];
        }
    }
    argv[k] = NULL;
    int64_t left = (ru->deadline_ns - h5s_now_ns()) / 1000000;
    int rc = h5s_run_logged(argv, log, left > 60000 ? (int)left : 60000);
    if (rc != 0) {
        fail(EXIT_FAIL, "%s sweep %s %s (see %s)", ru->bin[s], ru->scenario,
             rc < 0      ? "timed out or could not run"
             : rc >= 128 ? "was interrupted"
                         : "failed",
             log);
        return NULL;
    }
    cJSON *j = NULL;
    if (find_sweep_json(dir, json, sizeof json) != 0 || !(j = load_json(json, msg, sizeof msg)) ||
        validate(j, json, msg, sizeof msg) != 0) {
        fail(EXIT_FAIL, "%s", j ? msg : "the sweep left no readable sweep.json");
        cJSON_Delete(j);
        return NULL;
    }
    key_rows(j);
    return j;
}

/* Whether another round may decide more: a regression seen in a single
 * round is confirmed by a second; once one is confirmed the gate has failed
 * and ends; otherwise rounds go on while a figure is inconclusive. */
static bool want_more(figs_t *fs, int rounds)
{
    bool inconclusive = false, regressed = false;
    for (int i = 0; i < fs->n; i++) {
        fig_judge(&fs->f[i]);
        inconclusive |= fs->f[i].verdict == V_INCONCLUSIVE;
        regressed |= fs->f[i].verdict == V_REGRESSED;
    }
    return regressed ? rounds < 2 : inconclusive;
}

/* --------------------------------------------------------------- CLI */

static const char usage[] =
    "Usage: h5swmr gate --baseline BASELINE.json SWEEP.json...           judge finished sweeps (pooled)\n"
    "       h5swmr gate --baseline BASELINE.json --run SCENARIO [...]     run the sweep, adding rounds as needed\n"
    "       h5swmr gate --ab A_BIN B_BIN --run SCENARIO [...]            A/B: two builds, interleaved rounds\n\n"
    "Options:\n"
    "  --tolerance F           relative figures: fraction they may lose (default 0.10)\n"
    "  --lag-tolerance F       lag p50 may grow by this fraction of the poll interval (default 0.25)\n"
    "  --exponent-tolerance E  flush cost growth exponent may grow by E (default 0.45)\n"
    "  --budget SECONDS        --run: time for all rounds (default 300); rounds are added while a figure is\n"
    "                          inconclusive or a regression was seen in one round only\n"
    "  --rounds N              --run: at least N rounds (default 1; --ab: 2)\n"
    "  --max-rounds N          --run: at most N rounds (default 6)\n"
    "  --out DIR               --run: where the rounds' sweeps go (default results/gate-<UTC time>)\n"
    "  -o KEY=VALUE            --run: a scenario override for every sweep\n"
    "  --a-opt KEY=VALUE, --b-opt KEY=VALUE   --ab: an override for one side (e.g. two data directories)\n"
    "  --strict                an inconclusive figure fails the gate\n"
    "  --markdown FILE         also write the verdicts as a Markdown table (a new file; --force replaces one)\n\n"
    "Verdicts per figure: pass, REGRESSED (with the change and its confidence interval), INCONCLUSIVE (the\n"
    "noise measured here is larger than the tolerance), MISSING. Exit 0 when nothing regressed or is missing,\n"
    "1 otherwise, 2 on bad input.\n";

/* Parses a number option into *v within [lo, hi]; -1 after one line. */
static int number_arg(const char *opt, const char *text, double lo, double hi, double *v)
{
    char *end;
    errno = 0;
    double x = strtod(text, &end);
    if (end == text || *end || errno || !isfinite(x) || x < lo || x > hi) {
        fail(EXIT_USAGE, "%s: '%s' is not a number in [%g, %g]", opt, text, lo, hi);
        return -1;
    }
    *v = x;
    return 0;
}

typedef struct cli {
    gopt_t o;
    const char *baseline, *scenario, *out;
    const char *ab[2];
    const char *files[MAX_SOURCES];
    int nfiles;
    double budget, rounds, max_rounds;
    runner_t ru;
} cli_t;

/* Parses argv into c. Returns -1 to go on, or an exit status. */
static int parse(int argc, char **argv, cli_t *c)
{
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        double *num_dst = !strcmp(a, "--tolerance")            ? &c->o.tol
                          : !strcmp(a, "--lag-tolerance")      ? &c->o.lag_tol
                          : !strcmp(a, "--exponent-tolerance") ? &c->o.exp_tol
                          : !strcmp(a, "--budget")             ? &c->budget
                          : !strcmp(a, "--rounds")             ? &c->rounds
                          : !strcmp(a, "--max-rounds")         ? &c->max_rounds
                                                               : NULL;
        bool takes = num_dst || !strcmp(a, "--baseline") || !strcmp(a, "--run") || !strcmp(a, "--out") ||
                     !strcmp(a, "--markdown") || !strcmp(a, "-o") || !strcmp(a, "--a-opt") || !strcmp(a, "--b-opt");
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage, stdout);
            return EXIT_OK;
        } else if (takes && !v) {
            return fail(EXIT_USAGE, "%s needs a value", a);
        } else if (num_dst) {
            bool count = num_dst == &c->rounds || num_dst == &c->max_rounds;
            if (number_arg(a, v, count ? 1 : 0, num_dst == &c->budget ? 86400 : count ? MAX_SOURCES : 10, num_dst) < 0)
                return EXIT_USAGE;
            if (count && *num_dst != floor(*num_dst))
                return fail(EXIT_USAGE, "%s: '%s' is not a whole number", a, v);
            i++;
        } else if (!strcmp(a, "--baseline") || !strcmp(a, "--run") || !strcmp(a, "--out") || !strcmp(a, "--markdown")) {
            *(!strcmp(a, "--baseline") ? &c->baseline
              : !strcmp(a, "--run")    ? &c->scenario
              : !strcmp(a, "--out")    ? &c->out
                                       : &c->o.markdown) = v;
            i++;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--a-opt") || !strcmp(a, "--b-opt")) {
            if (!strchr(v, '=') || strchr(v, '\n'))
                return fail(EXIT_USAGE, "%s needs KEY=VALUE, not '%s'", a, v);
            for (int s = 0; s < 2; s++)
                if (a[1] == 'o' || (s == 0 && a[2] == 'a') || (s == 1 && a[2] == 'b')) {
                    if (c->ru.nopts[s] == MAX_OPTS)
                        return fail(EXIT_USAGE, "too many scenario overrides");
                    c->ru.opts[s][c->ru.nopts[s]++] = v;
                }
            i++;
        } else if (!strcmp(a, "--ab")) {
            if (i + 2 >= argc)
                return fail(EXIT_USAGE, "--ab needs two programs: --ab A_BIN B_BIN");
            c->ab[0] = argv[++i];
            c->ab[1] = argv[++i];
        } else if (!strcmp(a, "--strict") || !strcmp(a, "--force")) {
            *(a[2] == 's' ? &c->o.strict : &c->o.force) = true;
        } else if (a[0] == '-' && a[1]) {
            return fail(EXIT_USAGE, "unknown option '%s' (see h5swmr gate --help)", a);
        } else if (c->nfiles == MAX_SOURCES) {
            return fail(EXIT_USAGE, "at most %d sweep files", MAX_SOURCES);
        } else {
            c->files[c->nfiles++] = a;
        }
    }
    if (!!c->baseline + !!c->ab[0] != 1)
        return fail(EXIT_USAGE, "give one of --baseline BASELINE.json or --ab A_BIN B_BIN (see h5swmr gate --help)");
    if (c->ab[0] && !c->scenario)
        return fail(EXIT_USAGE, "--ab needs --run SCENARIO");
    if (!!c->scenario == !!c->nfiles)
        return fail(EXIT_USAGE, c->nfiles ? "give either --run SCENARIO or sweep files, not both"
                                          : "no sweep to judge: give SWEEP.json files or --run SCENARIO");
    if (c->rounds > c->max_rounds)
        return fail(EXIT_USAGE, "--rounds %g is more than --max-rounds %g", c->rounds, c->max_rounds);
    for (int s = 0; s < 2 && c->ab[0]; s++)
        if (access(c->ab[s], X_OK) != 0)
            return fail(EXIT_USAGE, "%s: not an executable program", c->ab[s]);
    if (c->scenario && access(c->scenario, R_OK) != 0)
        return fail(EXIT_USAGE, "%s: %s", c->scenario, strerror(errno));
    return -1;
}

/* Frees n parsed sources. */
static void free_all(cJSON **v, int n)
{
    for (int i = 0; i < n; i++)
        cJSON_Delete(v[i]);
}

/* Runs rounds until the figures are decided, the budget is spent or
 * max_rounds is reached; builds the figures into fs. Returns 0 or an exit
 * status. */
static int run_rounds(cli_t *c, const cJSON *base, cJSON **A, cJSON **B, int *n, figs_t *fs)
{
    bool ab = c->ab[0] != NULL;
    int64_t t0 = h5s_now_ns();
    c->ru.deadline_ns = t0 + (int64_t)(c->budget * 1e9);
    double per_round = 0;
    for (int r = 0; r < (int)c->max_rounds; r++) {
        double spent = (double)(h5s_now_ns() - t0) / 1e9;
        if (r >= (int)c->rounds && (!want_more(fs, r) || spent + per_round > c->budget))
            break;
        /* alternate which side goes first (A B, B A, ...) so that drift cancels */
        for (int k = 0; k < (ab ? 2 : 1); k++) {
            int s = ab ? (k + r) % 2 : 0;
            printf("gate: round %d%s: %s sweep %s\n", r + 1, ab ? (s ? " B" : " A") : "", c->ru.bin[s], c->scenario);
            fflush(stdout);
            cJSON *j = run_sweep(&c->ru, s, r + 1);
            if (!j)
                return EXIT_FAIL;
            (s ? B : A)[*n] = j;
        }
        (*n)++;
        per_round = (double)(h5s_now_ns() - t0) / 1e9 / *n;
        figs_free(fs);
        if (ab)
            ab_figures(fs, A, B, *n, &c->o);
        else
            baseline_figures(fs, base, A, *n, &c->o);
    }
    printf("gate: %d round%s in %.0f s (budget %.0f s); sweeps in %s\n", *n, *n == 1 ? "" : "s",
           (double)(h5s_now_ns() - t0) / 1e9, c->budget, c->out);
    return 0;
}

int cmd_gate(int argc, char **argv)
{
    cli_t c = {.o = {.tol = 0.10, .exp_tol = 0.45, .lag_tol = 0.25}, .budget = 300, .rounds = 0, .max_rounds = 6};
    int rc = parse(argc, argv, &c);
    if (rc >= 0)
        return rc;
    rc = 0;
    if (!c.rounds)
        c.rounds = c.ab[0] ? 2 : 1;
    char msg[1200];
    cJSON *base = NULL, *A[MAX_SOURCES] = {0}, *B[MAX_SOURCES] = {0};
    int n = 0;
    figs_t fs = {0};
    if (c.baseline &&
        (!(base = load_json(c.baseline, msg, sizeof msg)) || validate(base, c.baseline, msg, sizeof msg))) {
        cJSON_Delete(base);
        return fail(EXIT_USAGE, "%s", msg);
    }
    if (base)
        key_rows(base);
    for (; n < c.nfiles; n++) {
        if (!(A[n] = load_json(c.files[n], msg, sizeof msg)) || validate(A[n], c.files[n], msg, sizeof msg)) {
            free_all(A, n + 1);
            cJSON_Delete(base);
            return fail(EXIT_USAGE, "%s", msg);
        }
        key_rows(A[n]);
    }
    char outdir[SCN_PATH + 64];
    if (c.scenario) {
        c.ru.bin[0] = c.ab[0] ? c.ab[0] : "/proc/self/exe";
        c.ru.bin[1] = c.ab[1];
        c.ru.scenario = c.scenario;
        if (c.out)
            snprintf(outdir, sizeof outdir, "%s", c.out);
        if ((c.out && h5s_mkdir_p(outdir) != 0) ||
            (!c.out && h5s_make_unique_dir("results", "gate", outdir, sizeof outdir) != 0)) {
            cJSON_Delete(base);
            return fail(EXIT_USAGE, "cannot create %s: %s", c.out ? c.out : "results/gate-*", strerror(errno));
        }
        c.ru.out = c.out = outdir;
        /* the gate's own executable, even when the parent's path is relative */
        char self[SCN_PATH];
        ssize_t l = c.ab[0] ? -1 : readlink("/proc/self/exe", self, sizeof self - 1);
        if (l > 0) {
            self[l] = '\0';
            c.ru.bin[0] = self;
        }
        rc = run_rounds(&c, base, A, B, &n, &fs);
    } else {
        baseline_figures(&fs, base, A, n, &c.o);
    }
    if (rc == 0) {
        char what[SCN_PATH * 2];
        if (c.ab[0])
            snprintf(what, sizeof what, "A/B, A = %s, B = %s, %d rounds of %s", c.ab[0], c.ab[1], n, c.scenario);
        else
            snprintf(what, sizeof what, "%d sweep%s against the baseline %s", n, n == 1 ? "" : "s", c.baseline);
        rc = conclude(&fs, &c.o, what);
    }
    figs_free(&fs);
    free_all(A, n);
    free_all(B, n);
    cJSON_Delete(base);
    return rc;
}

const cli_cmd_t cmd_gate_def = {
    .name = "gate",
    .synopsis = "--baseline B.json SWEEP.json... | --run SCENARIO | --ab A_BIN B_BIN --run SCENARIO",
    .summary = "regression gate: judge a sweep against a baseline, or two builds A/B",
    .handler = cmd_gate,
    .needs_hdf5 = true,
};
