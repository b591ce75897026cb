/* advise.h - h5swmr advise: the flush and poll policy for a user's paced
 * acquisition and its lag budget. The search (advise_search.c) knows nothing
 * of HDF5 or processes: it predicts every candidate policy from a calibrated
 * cost model, leaves out what physics already rules out, and asks a measure
 * callback for the candidates that can change the answer, so that tests can
 * drive it with synthetic cost models. advise.c measures with real runs.
 * Private to bench/. */
#ifndef H5SWMR_ADVISE_H
#define H5SWMR_ADVISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How a policy's readers learn of new data. */
enum { ADV_WAIT_POLL, ADV_WAIT_INOTIFY, ADV_WAIT_BUSY };
/* Which flush call the writer makes (the scenario's flush_call values). */
enum { ADV_CALL_DFLUSH, ADV_CALL_FFLUSH, ADV_NCALLS };

#define ADV_MAX_CHUNKS 4

/* One policy: what the writer and the readers are told to do. */
typedef struct adv_policy {
    int flush_every; /* blocks per flush, >= 1 */
    int call;        /* ADV_CALL_* */
    int chunk_idx;   /* index into the workload's chunk choices */
    int wait;        /* ADV_WAIT_* */
    double poll_ms;  /* ADV_WAIT_POLL: the readers' poll interval */
} adv_policy_t;

/* A policy's figures, at the acquisition's real pace. */
typedef struct adv_fig {
    double age_p99_ms;           /* lag p99 (the budget's figure) */
    double age_lo_ms, age_hi_ms; /* its 95 % interval; lo = hi = p99 for a prediction */
    double writer_busy;          /* writer time in append and flush calls per second (share of a core) */
    double reader_cpu;           /* CPU per reader, share of a core */
    double total_cpu;            /* writer_busy + readers x reader_cpu */
    uint64_t events;             /* lag events measured (0: a prediction) */
} adv_fig_t;

/* The user's acquisition, as far as the search needs it. */
typedef struct adv_workload {
    double period_s;                /* one block every period_s, at the real pace */
    int readers;                    /* the readers (monitors) that must see the data */
    bool inotify_ok;                /* every reader is h5swmr's own (reader_wait = inotify applies) */
    bool busy_ok;                   /* offer busy polling (a full core per reader) */
    int64_t chunks[ADV_MAX_CHUNKS]; /* chunk lengths to choose from (samples) */
    int nchunks;
} adv_workload_t;

/* What the user needs. */
typedef struct adv_need {
    double lag_p99_ms; /* the lag budget: p99 at most this */
    double writer_max; /* writer_busy at most this (share of a core), 0: no limit */
} adv_need_t;

/* The cost model, calibrated by a few real runs (or made up by a test). */
typedef struct adv_model {
    double over_p99_ms;                         /* lag p99 beyond the flush and poll waits */
    double block_s[ADV_NCALLS][ADV_MAX_CHUNKS]; /* writer time per block with a flush per block */
    double flush_s[ADV_NCALLS];                 /* of which the flush */
    double poll_s;                              /* reader time per poll that finds nothing */
    double update_s;                            /* reader time per flush it reads */
} adv_model_t;

/* Lag events that pin a p99 from above: with fewer, the chance that every
 * one of n events lies below the true p99 (0.99^n) is above 5 %, so even
 * their largest is no 95 % upper bound and a budget cannot be called met. */
#define ADV_P99_MIN_EVENTS 299

/* A verdict on a figure against the budget. */
enum { ADV_UNKNOWN, ADV_MET, ADV_MISSED, ADV_INCONCLUSIVE, ADV_RULED_OUT };

/* One candidate of the search. */
typedef struct adv_cand {
    adv_policy_t p;
    adv_fig_t pred; /* predicted */
    adv_fig_t meas; /* measured (meas.events > 0) */
    int verdict;    /* ADV_* against the needs */
    int attempts;   /* measurement runs */
    bool on_front;  /* Pareto-minimal in (lag p99, total CPU) */
} adv_cand_t;

/* The search's limits. */
typedef struct adv_limits {
    int max_measured; /* candidates measured at most */
    int max_attempts; /* runs per candidate until its interval decides */
    double slack;     /* a candidate predicted dearer than (1 + slack) x the best measured is not measured */
} adv_limits_t;

/* The figures of a run (or of the runs so far) of candidate idx, pooled. */
typedef int (*adv_measure_fn)(void *ctx, const adv_cand_t *c, int idx, int attempt, adv_fig_t *out);
/* adv_measure_fn returns 0, or ADV_STOP when the search must end now (time
 * up, a stop request, a failed run: the callback says why). */
#define ADV_STOP (-1)

/* The search's result. */
typedef struct adv_result {
    adv_cand_t *cands; /* every candidate, in the order of predicted cost */
    size_t n;
    int chosen;    /* index of the recommendation, -1 if none meets the needs */
    int nearest;   /* with none: the one closest to the lag budget */
    int measured;  /* candidates measured */
    int ruled_out; /* policies ruled out by physics, never measured (those far beyond the budget are
                      not among cands) */
    bool stopped;  /* the measure callback ended the search */
} adv_result_t;

/* The prediction of policy p from model m for workload w. */
adv_fig_t adv_predict(const adv_model_t *m, const adv_workload_t *w, const adv_policy_t *p);

/* The smallest lag p99 policy p can have whatever its overhead: the wait for
 * the flush of the oldest block ((flush_every - 1) periods) and, polling,
 * 0.99 of the poll interval (a flush waits for the next poll, uniformly). */
double adv_lag_floor_ms(const adv_workload_t *w, const adv_policy_t *p);

/* The verdict of figure f against the needs: met when its interval lies
 * within the budget (a measured figure needs ADV_P99_MIN_EVENTS events for
 * that), missed when it lies beyond, else inconclusive. */
int adv_judge(const adv_need_t *need, const adv_fig_t *f);

/* Searches the policies of workload w for the cheapest (in total CPU) that
 * meets need: predicts every candidate, rules out those physics excludes,
 * measures in order of predicted cost the ones that can still change the
 * answer (repeating a candidate until its interval decides, up to
 * lim->max_attempts), and marks the Pareto front. Returns 0 with *res filled
 * (free with adv_result_free) or -1 when out of memory. */
int adv_search(const adv_workload_t *w, const adv_need_t *need, const adv_model_t *m, const adv_limits_t *lim,
               adv_measure_fn measure, void *ctx, adv_result_t *res);

/* The figures the result holds for candidate c: measured if it was, else predicted. */
const adv_fig_t *adv_figures(const adv_cand_t *c);

void adv_result_free(adv_result_t *res);

/* The policy's readers as text: "poll 100 ms", "inotify", "busy poll". */
const char *adv_wait_text(const adv_policy_t *p, char *buf, size_t cap);

#endif
