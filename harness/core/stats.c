/* stats.c - exact percentiles. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>

int stats_add(stats_buf_t *b, int64_t x)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1024;
        int64_t *p = realloc(b->v, cap * sizeof *p);
        if (!p)
            return -1;
        b->v = p;
        b->cap = cap;
    }
    b->v[b->n++] = x;
    return 0;
}

void stats_free(stats_buf_t *b)
{
    free(b->v);
    b->v = NULL;
    b->n = b->cap = 0;
}

/* qsort comparison of two int64_t values, ascending. */
static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int64_t stats_percentile_sorted(const int64_t *s, size_t n, double p)
{
    if (n == 0)
        return 0;
    /* the smallest k with k/n >= p/100; the tolerance keeps 99.9% of 1000
     * at 999 despite 0.999 * 1000 landing a hair above 999 in binary */
    double x = p / 100.0 * (double)n;
    double rank = ceil(x - 1e-9 * (x > 1 ? x : 1));
    size_t k = rank < 1 ? 0 : (size_t)rank - 1;
    if (k >= n)
        k = n - 1;
    return s[k];
}

stats_summary_t stats_summarize(stats_buf_t *b)
{
    stats_summary_t s = {0};
    if (b->n == 0)
        return s;
    qsort(b->v, b->n, sizeof *b->v, cmp64);
    double sum = 0;
    for (size_t i = 0; i < b->n; i++)
        sum += (double)b->v[i];
    s.n = b->n;
    s.mean = sum / (double)b->n;
    s.min = (double)b->v[0];
    s.max = (double)b->v[b->n - 1];
    s.p50 = (double)stats_percentile_sorted(b->v, b->n, 50);
    s.p90 = (double)stats_percentile_sorted(b->v, b->n, 90);
    s.p99 = (double)stats_percentile_sorted(b->v, b->n, 99);
    s.p999 = (double)stats_percentile_sorted(b->v, b->n, 99.9);
    stats_percentile_interval(b->v, b->n, 50, &s.p50_lo, &s.p50_hi);
    stats_percentile_interval(b->v, b->n, 99, &s.p99_lo, &s.p99_hi);
    return s;
}

void stats_percentile_interval(const int64_t *sorted, size_t n, double p, double *lo, double *hi)
{
    if (n == 0) {
        *lo = *hi = 0;
        return;
    }
    double q = p / 100, mid = (double)n * q, half = 1.96 * sqrt((double)n * q * (1 - q));
    /* ranks are 1-based; the nearest-rank percentile is rank ceil(n q) */
    double rlo = floor(mid - half), rhi = ceil(mid + half) + 1;
    size_t ilo = rlo < 1 ? 0 : (size_t)rlo - 1, ihi = rhi > (double)n ? n - 1 : (size_t)rhi - 1;
    *lo = (double)sorted[ilo];
    *hi = (double)sorted[ihi];
}

double stats_loglog_slope(const double *x, const double *y, int n)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (!(x[i] > 0) || !(y[i] > 0))
            continue;
        double lx = log(x[i]), ly = log(y[i]);
        sx += lx;
        sy += ly;
        sxx += lx * lx;
        sxy += lx * ly;
        m++;
    }
    double den = m * sxx - sx * sx;
    if (m < 2 || fabs(den) < 1e-12)
        return NAN;
    return (m * sxy - sx * sy) / den;
}

stats_growth_t stats_growth_class(double k)
{
    if (isnan(k))
        return (stats_growth_t){"unknown", "needs at least two counts"};
    if (k < 0.8)
        return (stats_growth_t){"sublinear", "a fixed cost per round dominates"};
    if (k < 1.25)
        return (stats_growth_t){"linear", "the cost per item stays constant"};
    if (k < 1.75)
        return (stats_growth_t){"superlinear", "the cost per item grows with the count"};
    return (stats_growth_t){"quadratic", "the cost per item grows in proportion to the count"};
}
