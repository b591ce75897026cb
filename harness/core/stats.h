/* stats.h - exact percentiles over stored samples. */
#ifndef H5SWMR_STATS_H
#define H5SWMR_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Samples (int64, nanoseconds usually), kept exactly up to a limit and
 * then in a log-linear histogram of fixed size, so that a process measuring
 * for hours keeps a flat memory footprint: past the limit, percentiles are
 * those of the histogram's buckets (within 1/128 = 0.8 % of the exact value),
 * while n, mean, min and max stay exact. Zero-initialised ({0}) it keeps
 * STATS_EXACT_DEFAULT samples exactly; set limit = STATS_UNLIMITED before the
 * first stats_add for exact percentiles however many samples come (the
 * benchmarks pooling finished runs do). */
#define STATS_EXACT_DEFAULT 8192
#define STATS_UNLIMITED SIZE_MAX
#define STATS_SUB_BITS 7 /* 128 sub-buckets per power of two */
#define STATS_BUCKETS (64 << STATS_SUB_BITS)

typedef struct stats_buf {
    int64_t *v;     /* the exact samples, while n <= the limit */
    size_t n, cap;  /* n: every sample added */
    size_t limit;   /* 0: STATS_EXACT_DEFAULT */
    uint32_t *hist; /* past the limit: counts per bucket (STATS_BUCKETS), v freed */
    int64_t min, max;
    double sum;
} stats_buf_t;

/* Appends x; returns 0 or -1 when out of memory (the sample is dropped). */
int stats_add(stats_buf_t *b, int64_t x);
void stats_free(stats_buf_t *b);

/* Summary of a sample set; all zero when n == 0. */
typedef struct stats_summary {
    uint64_t n;
    double mean, min, p50, p90, p99, p999, max;
    /* 95 % distribution-free confidence intervals of p50 and p99 (see
     * stats_percentile_interval): how well n samples pin those percentiles */
    double p50_lo, p50_hi, p99_lo, p99_hi;
} stats_summary_t;

/* Sorts b->v in place and computes nearest-rank percentiles (p = the
 * smallest value with at least p% of samples at or below it): exact, or from
 * the histogram once past the limit. */
stats_summary_t stats_summarize(stats_buf_t *b);

/* The nearest-rank percentile p (0 < p <= 100) of n sorted values. */
int64_t stats_percentile_sorted(const int64_t *sorted, size_t n, double p);

/* A 95 % confidence interval [*lo, *hi] of the percentile p of the
 * distribution that n sorted values were drawn from, from order statistics
 * alone (no assumption about its shape): the number of samples below the true
 * percentile is binomial(n, p/100), so the interval runs between the values
 * of the ranks 1.96 standard deviations either side of n p/100, clamped to
 * the smallest and largest value. With few samples the interval of a high
 * percentile reaches the maximum: the data do not pin it. */
void stats_percentile_interval(const int64_t *sorted, size_t n, double p, double *lo, double *hi);

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
