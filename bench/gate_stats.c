/* gate_stats.c - the statistics of h5swmr gate: a figure's values, the
 * distribution-free confidence interval of their median (the sign-test
 * interval, order statistics of the binomial) and the verdict it gives
 * against the tolerance. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"

/* qsort's order of doubles, ascending. */
static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of v (sorted in place). */
double gate_median(double *v, int n)
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

/* Appends a figure without values to fs (see gate.h). */
gate_fig_t *gate_fig_add(gate_figs_t *fs, const char *key, const char *name, gate_judge_t judge, double tol,
                         double base)
{
    if (fs->n == fs->cap) {
        int cap = fs->cap ? fs->cap * 2 : 32;
        gate_fig_t *p = realloc(fs->f, (size_t)cap * sizeof *p);
        if (!p)
            return NULL;
        fs->f = p;
        fs->cap = cap;
    }
    gate_fig_t *f = &fs->f[fs->n++];
    memset(f, 0, sizeof *f);
    snprintf(f->key, sizeof f->key, "%s", key);
    snprintf(f->name, sizeof f->name, "%s", name);
    f->judge = judge;
    f->tol = tol;
    f->base = base;
    return f;
}

/* Adds a finite value to f; out of memory, the value is dropped. */
void gate_fig_value(gate_fig_t *f, double x)
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

/* Frees every figure of fs and empties it. */
void gate_figs_free(gate_figs_t *fs)
{
    for (int i = 0; i < fs->n; i++)
        free(fs->f[i].v);
    free(fs->f);
    fs->f = NULL;
    fs->n = fs->cap = 0;
}

/* Decides a figure's verdict from its values (see the top of this file). */
void gate_fig_judge(gate_fig_t *f)
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
    f->med = gate_median(x, f->n);
    free(x);
    double thr = f->judge == J_HIGHER_REL ? 1 - f->tol : f->judge == J_LOWER_REL ? 1 + f->tol : f->tol;
    if (f->judge == J_REPORT)
        f->verdict = V_REPORTED;
    else if (f->judge == J_HIGHER_REL)
        f->verdict = f->lo >= thr ? V_PASS : f->hi < thr ? V_REGRESSED : V_INCONCLUSIVE;
    else
        f->verdict = f->hi <= thr ? V_PASS : f->lo > thr ? V_REGRESSED : V_INCONCLUSIVE;
}
