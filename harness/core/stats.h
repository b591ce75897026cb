/* stats.h - exact percentiles over stored samples. */
#ifndef H5SWMR_STATS_H
#define H5SWMR_STATS_H

#include <stddef.h>
#include <stdint.h>

/* A growable array of int64 samples (nanoseconds, usually). */
typedef struct stats_buf {
    int64_t *v;
    size_t n, cap;
} stats_buf_t;

/* Appends x; returns 0 or -1 when out of memory (the sample is dropped). */
int stats_add(stats_buf_t *b, int64_t x);
void stats_free(stats_buf_t *b);

/* Summary of a sample set; all zero when n == 0. */
typedef struct stats_summary {
    uint64_t n;
    double mean, min, p50, p90, p99, p999, max;
} stats_summary_t;

/* Sorts b->v in place and computes exact nearest-rank percentiles
 * (p = the smallest value with at least p% of samples at or below it). */
stats_summary_t stats_summarize(stats_buf_t *b);

/* The nearest-rank percentile p (0 < p <= 100) of n sorted values. */
int64_t stats_percentile_sorted(const int64_t *sorted, size_t n, double p);

/* Least-squares slope of log(y) against log(x) over the n points with x > 0
 * and y > 0: the growth exponent of y in x (1 = linear, 2 = quadratic).
 * Returns NAN with fewer than two such points or all x equal. */
double stats_loglog_slope(const double *x, const double *y, int n);

/* How a cost grows with a count, from its growth exponent k (the one
 * classifier every report uses): class ("sublinear" k < 0.8, "linear"
 * k < 1.25, "superlinear" k < 1.75, "quadratic" beyond; "unknown" for NAN)
 * and what that means for the cost per item. */
typedef struct stats_growth {
    const char *cls;
    const char *meaning;
} stats_growth_t;
stats_growth_t stats_growth_class(double k);

#endif
