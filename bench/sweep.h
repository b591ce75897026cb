/* sweep.h - what the parts of h5swmr sweep share: a run's row of results,
 * the baselines of its repeat, the results files (sweep_results.c) and the
 * growth and target reports (sweep_targets.c). Private to bench/. */
#ifndef H5SWMR_SWEEP_H
#define H5SWMR_SWEEP_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "orch.h"
#include "scenario.h"
#include "stats.h"

/* What one run gave, as far as the sweep reports it. */
typedef struct sweep_row {
    int config;
    int repeat;
    const scn_t *s;
    int nch;
    double writer_MBps, writer_sps, io_MBps;
    double call_MBps; /* from per-call p50 latencies: bytes per channel-block / (append p50 + its share of a
                         flush p50), steady where wall-clock figures swing with the machine */
    lat_summary_t append, flush, idle;
    stats_summary_t lag, e2e; /* pooled over readers, exact, in ns */
    double reader_cpu_pct;
    uint64_t errors;
    int exit_code;
    bool data_deleted; /* the run passed and its data file was removed (keep_data = false) */
    char dir[SCN_PATH + 160];
} sweep_row_t;

/* The baselines measured in the same repeat as a SWMR run, 0 where not run:
 * io MB/s (time inside the calls) and per-call p50 MB/s of each mode. */
typedef struct sweep_base {
    double raw_io, noswmr_io;
    double raw_call, noswmr_call, bare_call;
    double bare_reader_p50_us, bare_reader_p99_us;       /* lag of bare HDF5 reader loops (reader_baseline) */
    double bare_reader_p50_hi_us, bare_reader_p99_hi_us; /* the upper ends of their 95 % intervals */
    /* the standalone floor (h5floor) run beside the SWMR run, 0 where not run */
    double floor_raw_io, floor_io, floor_call;                   /* MB/s */
    double floor_lag_p50_us, floor_lag_p99_us, floor_lag_events; /* busy-poll lag */
} sweep_base_t;

/* Whether h5floor mirrors configuration s (nch channels) and its floor key
 * is on: a flat-out writer of one float32 channel with a flush per block, or
 * a paced one with one busy-polling h5swmr reader. */
bool sweep_floor_applies(const scn_t *s, int nch);

/* Runs h5floor (found beside the h5swmr program) in dir as configuration s
 * calls for, bounded in time, and fills base's floor figures; prints one
 * line of them. Returns 0, 1 when h5floor does not mirror s (nothing run),
 * or -1 after a line saying why there is no floor (the sweep goes on). */
int sweep_floor_run(const scn_t *s, int nch, const char *dir, sweep_base_t *base);

/* Whether the raw pwrite figure of a repeat is suspect: slower than the SWMR
 * writer's, which writes the same bytes and more (pages faulted in from the
 * host, or a preheat that did not hold). */
bool sweep_raw_suspect(const sweep_base_t *b, double swmr_io);

/* The scenario value of key in s as text (in buf, returned), "" if no such key. */
const char *sweep_opt_text(const scn_t *s, const char *key, char *buf, size_t cap);

/* Writes the header lines of sweep.csv and lag_events.csv. */
void sweep_write_headers(FILE *csv, FILE *events);

/* Fills r from a finished run's report and pools the lag logs of its readers
 * (lag_reader<N>.csv in r->dir); appends their events to events unless it is
 * NULL. */
void sweep_fill_row(sweep_row_t *r, const orch_report_t *rep, FILE *events);

/* Writes the rows of one repeat [from, to) to sweep.csv and the JSON runs:
 * the SWMR run gets the ratios to the baselines of the same repeat (kept in
 * bases[k]). Returns 0, or -1 on a write error. */
int sweep_emit_repeat(sweep_row_t *rows, sweep_base_t *bases, size_t from, size_t to, const sweep_base_t *base,
                      FILE *csv, FILE *events, cJSON *jrows);

/* Prints the flush cost growth per job and flush call when the sweep varies
 * the channel count, and the recommended flush call; adds both to json. */
void sweep_print_growth(FILE *out, const sweep_row_t *rows, int n, cJSON *json);

/* Prints the measurement targets that apply to the rows (reported, never
 * enforced) and adds them to json. */
void sweep_print_targets(FILE *out, const sweep_row_t *rows, int n, const sweep_base_t *bases, cJSON *json);

#endif
