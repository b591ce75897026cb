/* lag.h - visibility lag per flushed block, the one rule every reader kind
 * follows (h5swmr's reader, the bare reader, external clients).
 *
 * The writer publishes a record per flush in shared memory (shm_t rec[], a
 * ring of SHM_RECS). A reader reports what it observes of the first channel:
 * "at t_seen I had samples in hand". Every flush whose samples an
 * observation newly covers yields one lag event, t_seen minus the moment that
 * flush returned: with a poll every second and a flush every 100 ms, one
 * observation gives ten events, from about 0 to about 1 s, which is how long
 * the flushed data waited. The age of the newest flush each observation
 * covered - what a single match per observation measured - is kept apart as
 * lag_newest.
 *
 * Warm-up, the same for every kind and stated in time: flushes that returned
 * before the reader's first observation plus lag_warmup_ms give no event. */
#ifndef H5SWMR_LAG_H
#define H5SWMR_LAG_H

#include <stdio.h>

#include "proto.h"

/* Observations that may wait for their flush records (a reader can see data
 * before the writer has published the flush that made it visible). */
#define LAG_MAX_OBS 256

/* The live p99 (proto_progress_t.lag_p99_ns, for the status line) comes from
 * a coarse histogram of LAG_LIVE_BUCKETS log buckets (8 per power of two;
 * the upper end of a bucket is reported, at most 12.5 % above), recomputed
 * at most every LAG_LIVE_NS of observation time. */
#define LAG_LIVE_SUB 8
#define LAG_LIVE_BUCKETS (48 * LAG_LIVE_SUB)
#define LAG_LIVE_NS 250000000LL

/* One observation of the first channel not yet done with. */
typedef struct lag_obs {
    uint64_t samples;
    int64_t t_seen;
    int64_t t_newest; /* t_flushed of the newest flush it gave an event for */
    bool any;         /* it gave at least one event */
} lag_obs_t;

typedef struct lag {
    const scn_t *s;
    shm_t *shm;
    int index;         /* the reader's number, for the raw log */
    FILE *log;         /* raw_logs: one line per event, or NULL (not owned) */
    int64_t warmup_ns; /* lag_warmup_ms */
    int64_t t_first;   /* the reader's first observation; 0 before it */
    int64_t t_watch;   /* t_first + warm-up: flushes that returned earlier give no event */
    int64_t t_stop;    /* when STOP reached the reader (INT64_MAX before): later observations are final */
    uint64_t next;     /* seq of the next flush record to match */
    uint64_t covered;  /* samples of the last flush matched */
    uint64_t last;     /* the largest sample count observed */
    uint64_t gap;      /* the largest sample count of an observation dropped from a full queue */
    lag_obs_t obs[LAG_MAX_OBS];
    size_t head, n;
    stats_buf_t all, e2e, newest, before_stop;
    proto_windows_t win; /* lag_window_s: lag of the first and last windows */
    uint64_t skipped;    /* flushes after the warm-up that could not be matched */
    uint64_t final;      /* events of observations after STOP */

    /* every event, coarsely, for the live p99: the counts per bucket, their
     * sum, and when the p99 was last published */
    uint32_t live[LAG_LIVE_BUCKETS];
    uint64_t live_n;
    int64_t t_live;
} lag_t;

/* Sets up L for reader `index` of scenario s following the flush records
 * in shm; log (may be NULL) gets the raw events. */
void lag_init(lag_t *L, const scn_t *s, shm_t *shm, int index, FILE *log);

/* The reader's first observation (of any dataset) at t starts the warm-up;
 * later calls do nothing. */
void lag_begin(lag_t *L, int64_t t);

/* The reader had `samples` samples of the first channel in hand at t_seen;
 * counts that are not larger than an earlier one are ignored. Matches what
 * can be matched already. */
void lag_observe(lag_t *L, uint64_t samples, int64_t t_seen);

/* STOP reached the reader at t: observations from then on are its final
 * poll(s). Only the first call counts. */
void lag_stop(lag_t *L, int64_t t);

/* Matches pending observations with the flush records published so far. */
void lag_resolve(lag_t *L);

/* Matches what is left, puts every lag figure into r and frees L's buffers. */
void lag_finish(lag_t *L, proto_result_t *r);

#endif
