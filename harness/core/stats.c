/* stats.c - percentiles: exact over stored samples, then from a fixed-size
 * log-linear histogram past a limit. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>

/* The histogram bucket of x: values below 128 have one bucket each, above
 * that 128 buckets per power of two (negative values count as 0). */
static size_t bucket_of(int64_t x)
{
    uint64_t u = x > 0 ? (uint64_t)x : 0;
    if (u < (1u << STATS_SUB_BITS))
        return (size_t)u;
    int e = 63 - __builtin_clzll(u); /* 2^e <= u < 2^(e+1), e >= SUB_BITS */
    size_t sub = (size_t)(u >> (e - STATS_SUB_BITS)) & ((1u << STATS_SUB_BITS) - 1);
    return ((size_t)(e - STATS_SUB_BITS + 1) << STATS_SUB_BITS) + sub;
}

/* The middle of bucket k (the value percentiles report past the limit). */
static int64_t bucket_value(size_t k)
{
    if (k < (1u << STATS_SUB_BITS))
        return (int64_t)k;
    int e = (int)(k >> STATS_SUB_BITS) + STATS_SUB_BITS - 1;
    uint64_t sub = k & ((1u << STATS_SUB_BITS) - 1);
    uint64_t lo = ((uint64_t)1 << e) + (sub << (e - STATS_SUB_BITS)), width = (uint64_t)1 << (e - STATS_SUB_BITS);
    return (int64_t)(lo + width / 2);
}

/* Moves the exact samples into a new histogram and frees them. */
static int to_histogram(stats_buf_t *b)
{
    if (!(b->hist = calloc(STATS_BUCKETS, sizeof *b->hist)))
        return -1;
    for (size_t i = 0; i < b->n; i++)
        b->hist[bucket_of(b->v[i])]++;
    free(b->v);
    b->v = NULL;
    b->cap = 0;
    return 0;
}

int stats_add(stats_buf_t *b, int64_t x)
{
    size_t limit = b->limit ? b->limit : STATS_EXACT_DEFAULT;
    if (!b->hist && b->n == limit && to_histogram(b) < 0)
        return -1;
    if (b->hist) {
        b->hist[bucket_of(x)]++;
    } else {
        if (b->n == b->cap) {
            size_t cap = b->cap ? b->cap * 2 : 1024;
            if (cap > limit)
                cap = limit;
            int64_t *p = realloc(b->v, cap * sizeof *p);
            if (!p)
                return -1;
            b->v = p;
            b->cap = cap;
        }
        b->v[b->n] = x;
    }
    b->min = b->n == 0 || x < b->min ? x : b->min;
    b->max = b->n == 0 || x > b->max ? x : b->max;
    b->sum += (double)x;
    b->n++;
    return 0;
}

void stats_free(stats_buf_t *b)
{
    free(b->v);
    free(b->hist);
    size_t limit = b->limit;
    *b = (stats_buf_t){0};
    b->limit = limit;
}

/* qsort comparison of two int64_t values, ascending. */
static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The nearest-rank index (0-based) of percentile p among n > 0 samples: the
 * smallest k with k/n >= p/100; the tolerance keeps 99.9% of 1000 at 999
 * despite 0.999 * 1000 landing a hair above 999 in binary. */
static size_t rank_of(size_t n, double p)
{
    double x = p / 100.0 * (double)n;
    double rank = ceil(x - 1e-9 * (x > 1 ? x : 1));
    size_t k = rank < 1 ? 0 : (size_t)rank - 1;
    return k >= n ? n - 1 : k;
}

/* The ranks (0-based) bounding the 95 % interval of percentile p among n > 0
 * samples (see stats_percentile_interval). */
static void interval_ranks(size_t n, double p, size_t *ilo, size_t *ihi)
{
    double q = p / 100, mid = (double)n * q, half = 1.96 * sqrt((double)n * q * (1 - q));
    /* ranks are 1-based here; the nearest-rank percentile is rank ceil(n q) */
    double rlo = floor(mid - half), rhi = ceil(mid + half) + 1;
    *ilo = rlo < 1 ? 0 : (size_t)rlo - 1;
    *ihi = rhi > (double)n ? n - 1 : (size_t)rhi - 1;
}

/* The value of rank r (0-based) of b's n > 0 samples, sorted: exact, or the
 * middle of its histogram bucket (the smallest and largest stay exact). */
static int64_t rank_value(const stats_buf_t *b, size_t r)
{
    if (!b->hist)
        return b->v[r];
    if (r == 0)
        return b->min;
    if (r == b->n - 1)
        return b->max;
    size_t seen = 0;
    for (size_t k = 0; k < STATS_BUCKETS; k++) {
        seen += b->hist[k];
        if (seen > r) {
            int64_t v = bucket_value(k);
            return v < b->min ? b->min : v > b->max ? b->max : v;
        }
    }
    return b->max;
}

int64_t stats_percentile_sorted(const int64_t *s, size_t n, double p)
{
    return n == 0 ? 0 : s[rank_of(n, p)];
}

stats_summary_t stats_summarize(stats_buf_t *b)
{
    stats_summary_t s = {0};
    if (b->n == 0)
        return s;
    if (!b->hist)
        qsort(b->v, b->n, sizeof *b->v, cmp64);
    s.n = b->n;
    s.mean = b->sum / (double)b->n;
    s.min = (double)b->min;
    s.max = (double)b->max;
    s.p50 = (double)rank_value(b, rank_of(b->n, 50));
    s.p90 = (double)rank_value(b, rank_of(b->n, 90));
    s.p99 = (double)rank_value(b, rank_of(b->n, 99));
    s.p999 = (double)rank_value(b, rank_of(b->n, 99.9));
    size_t lo, hi;
    interval_ranks(b->n, 50, &lo, &hi);
    s.p50_lo = (double)rank_value(b, lo);
    s.p50_hi = (double)rank_value(b, hi);
    interval_ranks(b->n, 99, &lo, &hi);
    s.p99_lo = (double)rank_value(b, lo);
    s.p99_hi = (double)rank_value(b, hi);
    return s;
}

void stats_percentile_interval(const int64_t *sorted, size_t n, double p, double *lo, double *hi)
{
    if (n == 0) {
        *lo = *hi = 0;
        return;
    }
    size_t ilo, ihi;
    interval_ranks(n, p, &ilo, &ihi);
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
