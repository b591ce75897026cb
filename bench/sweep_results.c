/* sweep_results.c - what h5swmr sweep writes of each run: its row in
 * sweep.csv and sweep.json, with the ratios to the baselines of its repeat,
 * and its readers' lag events pooled into exact percentiles and
 * lag_events.csv (integer nanoseconds). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep.h"

static const char *const csv_header =
    "config,block_samples,block_bytes,flush_every_blocks,flush_every_ms,poll_ms,readers,nchannels,flush_call,cork,"
    "writer_mode,reader_wait,writer_MBps,writer_samples_per_s,append_p50_us,append_p99_us,flush_p50_us,flush_p90_us,"
    "flush_p99_us,flush_p999_us,lag_p50_us,lag_p90_us,lag_p99_us,lag_p999_us,lag_max_us,e2e_p50_us,e2e_p99_us,"
    "reader_cpu_pct,errors,io_MBps,io_ratio_vs_raw,io_ratio_vs_noswmr,idle_poll_p50_us,lag_events,dtype,job,"
    "exit_code,run_dir,repeat,call_MBps,call_ratio_vs_raw,call_ratio_vs_noswmr,call_ratio_vs_bare,reader_mode,reader_"
    "kind,floor_call_MBps,floor_io_MBps,floor_raw_io_MBps,call_ratio_vs_floor,io_ratio_vs_floor,raw_suspect,"
    "floor_lag_p50_us,floor_lag_p99_us,lag_p50_ratio_vs_floor";

/* The columns of lag_events.csv: the configuration, then a reader's lag log
 * in integer nanoseconds. */
static const char *const events_header = "config,reader,seq,samples,t_seen_ns,lag_ns,e2e_ns";

/* A scenario value as text, as the scenario file would spell it. */
const char *sweep_opt_text(const scn_t *s, const char *key, char *buf, size_t cap)
{
    for (const scn_opt_t *o = scn_options(); o->name; o++)
        if (!strcmp(o->name, key)) {
            scn_format(s, o, buf, cap);
            return buf;
        }
    return "";
}

/* The header lines of sweep.csv and lag_events.csv. */
void sweep_write_headers(FILE *csv, FILE *events)
{
    fprintf(csv, "%s\n", csv_header);
    fprintf(events, "%s\n", events_header);
}

/* Nanoseconds per unit of the lag and e2e columns of a reader's lag log,
 * read from its header: 1 for "lag_ns,e2e_ns" (integers), 1000 for
 * "lag_us,e2e_us" (microseconds with decimals, as earlier versions wrote);
 * 0 for a header of neither kind. */
static double lag_log_unit_ns(const char *header)
{
    static const char common[] = "reader,seq,samples,t_seen_ns,";
    size_t n = sizeof common - 1;
    if (strncmp(header, common, n))
        return 0;
    const char *rest = header + n;
    size_t len = strcspn(rest, "\r\n");
    if (len == strlen("lag_ns,e2e_ns") && !strncmp(rest, "lag_ns,e2e_ns", len))
        return 1;
    if (len == strlen("lag_us,e2e_us") && !strncmp(rest, "lag_us,e2e_us", len))
        return 1e3;
    return 0;
}

/* One event of a lag log, with its lag and e2e in nanoseconds. */
typedef struct lag_event {
    int reader;
    unsigned long long seq, samples;
    long long t_seen_ns, lag_ns, e2e_ns;
} lag_event_t;

/* Reads one line of a lag log whose lag and e2e columns are in units of
 * unit_ns nanoseconds into ev; false for a line that is not an event. */
static bool parse_lag_event(const char *line, double unit_ns, lag_event_t *ev)
{
    if (unit_ns == 1)
        return sscanf(line, "%d,%llu,%llu,%lld,%lld,%lld", &ev->reader, &ev->seq, &ev->samples, &ev->t_seen_ns,
                      &ev->lag_ns, &ev->e2e_ns) == 6;
    double l, e;
    if (sscanf(line, "%d,%llu,%llu,%lld,%lf,%lf", &ev->reader, &ev->seq, &ev->samples, &ev->t_seen_ns, &l, &e) != 6 ||
        !isfinite(l * unit_ns) || !isfinite(e * unit_ns) || fabs(l * unit_ns) > 9e18 || fabs(e * unit_ns) > 9e18)
        return false;
    ev->lag_ns = llround(l * unit_ns);
    ev->e2e_ns = llround(e * unit_ns);
    return true;
}

/* Pools the lag events of every reader of a run (lag_reader*.csv, in either
 * unit its header names) into exact percentiles; appends the events to the
 * sweep's lag_events.csv in integer nanoseconds. */
static void pool_lags(sweep_row_t *r, int readers, FILE *events)
{
    stats_buf_t lag = {.limit = STATS_UNLIMITED}, e2e = {.limit = STATS_UNLIMITED};
    for (int i = 1; i <= readers; i++) {
        char path[SCN_PATH + 224], line[256];
        snprintf(path, sizeof path, "%s/lag_reader%d.csv", r->dir, i);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        double unit_ns = fgets(line, sizeof line, f) ? lag_log_unit_ns(line) : 0;
        lag_event_t ev;
        while (unit_ns > 0 && fgets(line, sizeof line, f)) {
            if (!parse_lag_event(line, unit_ns, &ev))
                continue;
            stats_add(&lag, (int64_t)ev.lag_ns);
            stats_add(&e2e, (int64_t)ev.e2e_ns);
            if (events)
                fprintf(events, "%d,%d,%llu,%llu,%lld,%lld,%lld\n", r->config, ev.reader, ev.seq, ev.samples,
                        ev.t_seen_ns, ev.lag_ns, ev.e2e_ns);
        }
        fclose(f);
    }
    r->lag = stats_summarize(&lag);
    r->e2e = stats_summarize(&e2e);
    stats_free(&lag);
    stats_free(&e2e);
}

/* Fills r from the writer's and readers' results of a run (see sweep.h). */
void sweep_fill_row(sweep_row_t *r, const orch_report_t *rep, FILE *events)
{
    const proto_result_t *w = &rep->children[0].res;
    double active = w->t_ready_ns && w->t_end_ns ? (double)(w->t_end_ns - w->t_ready_ns) / 1e9 : 0;
    r->writer_MBps = active > 0 ? (double)w->bytes / 1e6 / active : 0;
    r->writer_sps = active > 0 ? (double)w->samples / active : 0;
    r->io_MBps = w->io_ns > 0 ? (double)w->bytes * 1e3 / (double)w->io_ns : 0;
    double per_block = w->blocks && w->channels ? (double)w->bytes / (double)(w->blocks * w->channels) : 0;
    double flush_share =
        w->blocks && w->channels ? w->flush_lat.p50_us * (double)w->flushes / (double)(w->blocks * w->channels) : 0;
    double call_us = w->append_lat.p50_us + flush_share;
    r->call_MBps = w->append_lat.n && call_us > 0 ? per_block / call_us : 0;
    r->append = w->append_lat;
    r->flush = w->flush_lat;
    r->exit_code = rep->exit_code;
    double cpu = 0, wall = 0, idle = 0;
    int nr = 0;
    r->errors = w->errors;
    for (int i = 1; i < rep->nchildren; i++) {
        const proto_result_t *x = &rep->children[i].res;
        r->errors += x->errors + x->mismatches + x->fills + x->missing;
        if (!rep->children[i].has_result)
            continue;
        cpu += x->cpu_user_s + x->cpu_sys_s;
        wall += x->t_open_ns && x->t_end_ns ? (double)(x->t_end_ns - x->t_open_ns) / 1e9 : 0;
        idle += x->poll_cost.p50_us;
        nr++;
    }
    r->reader_cpu_pct = wall > 0 ? 100.0 * cpu / wall : 0;
    r->idle.p50_us = nr ? idle / nr : 0;
    pool_lags(r, rep->nchildren - 1, events);
}

/* A figure as a CSV field, empty when it was not measured. */
static void csv_num(FILE *f, double x)
{
    if (x > 0)
        fprintf(f, ",%.3f", x);
    else
        fprintf(f, ",");
}

bool sweep_raw_suspect(const sweep_base_t *b, double swmr_io)
{
    return b->raw_io > 0 && swmr_io > b->raw_io;
}

/* A ratio as a CSV field, empty when the reference was not measured. */
static void csv_ratio(FILE *f, double x, double ref)
{
    if (ref > 0 && x > 0)
        fprintf(f, ",%.4f", x / ref);
    else
        fprintf(f, ",");
}

/* Writes a run's row of sweep.csv, with its ratios to the baselines b. */
static void csv_row(FILE *f, const sweep_row_t *r, const sweep_base_t *b)
{
    double raw_io = b->raw_io, noswmr_io = b->noswmr_io;
    const scn_t *s = r->s;
    char bt[8][64];
    double us = 1e-3;
    fprintf(f, "%d,%lld,%lld,%lld,%s,%s,%lld,%d,%s,%s,%s,%s,", r->config, (long long)s->block_samples,
            (long long)(s->block_samples * (s->dtype == 1 ? 8 : 4)), (long long)s->flush_every_blocks,
            sweep_opt_text(s, "flush_every_ms", bt[0], 64), sweep_opt_text(s, "poll_ms", bt[1], 64),
            (long long)s->readers, r->nch, sweep_opt_text(s, "flush_call", bt[2], 64),
            sweep_opt_text(s, "cork", bt[3], 64), sweep_opt_text(s, "writer_mode", bt[4], 64),
            sweep_opt_text(s, "reader_wait", bt[5], 64));
    fprintf(f, "%.3f,%.1f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,", r->writer_MBps, r->writer_sps, r->append.p50_us,
            r->append.p99_us, r->flush.p50_us, r->flush.p90_us, r->flush.p99_us, r->flush.p999_us);
    if (r->lag.n)
        fprintf(f, "%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,", r->lag.p50 * us, r->lag.p90 * us, r->lag.p99 * us,
                r->lag.p999 * us, r->lag.max * us, r->e2e.p50 * us, r->e2e.p99 * us);
    else
        fprintf(f, ",,,,,,,");
    fprintf(f, "%.2f,%llu,%.3f,", r->reader_cpu_pct, (unsigned long long)r->errors, r->io_MBps);
    if (raw_io > 0)
        fprintf(f, "%.4f,", r->io_MBps / raw_io);
    else
        fprintf(f, ",");
    if (noswmr_io > 0)
        fprintf(f, "%.4f,", r->io_MBps / noswmr_io);
    else
        fprintf(f, ",");
    fprintf(f, "%.3f,%llu,%s,%s,%d,%s,%d,%.3f", r->idle.p50_us, (unsigned long long)r->lag.n,
            sweep_opt_text(s, "dtype", bt[6], 64), s->name, r->exit_code, r->dir, r->repeat, r->call_MBps);
    csv_ratio(f, r->call_MBps, b->raw_call);
    csv_ratio(f, r->call_MBps, b->noswmr_call);
    csv_ratio(f, r->call_MBps, b->bare_call);
    fprintf(f, ",%s", sweep_opt_text(s, "reader_mode", bt[7], 64));
    /* the scenario's reader_kind text; a list holds commas: quoted */
    const char *kind = sweep_opt_text(s, "reader_kind", bt[7], 64);
    fprintf(f, strchr(kind, ',') ? ",\"%s\"" : ",%s", kind);
    /* the standalone floor's figures and the ratios to them */
    csv_num(f, b->floor_call);
    csv_num(f, b->floor_io);
    csv_num(f, b->floor_raw_io);
    csv_ratio(f, r->call_MBps, b->floor_call);
    csv_ratio(f, r->io_MBps, b->floor_io);
    fprintf(f, ",%s", b->raw_io > 0 ? (sweep_raw_suspect(b, r->io_MBps) ? "true" : "false") : "");
    csv_num(f, b->floor_lag_p50_us);
    csv_num(f, b->floor_lag_p99_us);
    csv_ratio(f, r->lag.n ? (double)r->lag.p50 / 1e3 : 0, b->floor_lag_p50_us);
    fprintf(f, "\n");
    fflush(f);
}

/* Adds name = x / ref when both were measured. */
static void json_ratio(cJSON *o, const char *name, double x, double ref)
{
    if (ref > 0 && x > 0)
        cJSON_AddNumberToObject(o, name, x / ref);
}

/* A run's object in sweep.json's runs: its figures, its ratios to the
 * baselines bs and its whole resolved scenario. */
static cJSON *row_json(const sweep_row_t *r, const sweep_base_t *bs)
{
    double raw_io = bs->raw_io, noswmr_io = bs->noswmr_io;
    cJSON *o = cJSON_CreateObject();
    char b[64];
    cJSON_AddNumberToObject(o, "config", r->config);
    cJSON_AddNumberToObject(o, "repeat", r->repeat);
    cJSON_AddStringToObject(o, "job", r->s->name);
    cJSON_AddStringToObject(o, "writer_mode", sweep_opt_text(r->s, "writer_mode", b, sizeof b));
    cJSON_AddStringToObject(o, "reader_mode", sweep_opt_text(r->s, "reader_mode", b, sizeof b));
    cJSON_AddStringToObject(o, "reader_kind", sweep_opt_text(r->s, "reader_kind", b, sizeof b));
    cJSON_AddNumberToObject(o, "nchannels", r->nch);
    cJSON_AddNumberToObject(o, "writer_MBps", r->writer_MBps);
    cJSON_AddNumberToObject(o, "io_MBps", r->io_MBps);
    if (raw_io > 0)
        cJSON_AddNumberToObject(o, "io_ratio_vs_raw", r->io_MBps / raw_io);
    if (noswmr_io > 0)
        cJSON_AddNumberToObject(o, "io_ratio_vs_noswmr", r->io_MBps / noswmr_io);
    if (r->call_MBps > 0)
        cJSON_AddNumberToObject(o, "call_MBps", r->call_MBps);
    json_ratio(o, "call_ratio_vs_raw", r->call_MBps, bs->raw_call);
    json_ratio(o, "call_ratio_vs_noswmr", r->call_MBps, bs->noswmr_call);
    json_ratio(o, "call_ratio_vs_bare", r->call_MBps, bs->bare_call);
    if (bs->floor_call > 0) {
        cJSON_AddNumberToObject(o, "floor_call_MBps", bs->floor_call);
        cJSON_AddNumberToObject(o, "floor_io_MBps", bs->floor_io);
        cJSON_AddNumberToObject(o, "floor_raw_io_MBps", bs->floor_raw_io);
    }
    json_ratio(o, "call_ratio_vs_floor", r->call_MBps, bs->floor_call);
    json_ratio(o, "io_ratio_vs_floor", r->io_MBps, bs->floor_io);
    if (bs->raw_io > 0)
        cJSON_AddBoolToObject(o, "raw_suspect", sweep_raw_suspect(bs, r->io_MBps));
    if (bs->floor_lag_p50_us > 0) {
        cJSON_AddNumberToObject(o, "floor_lag_p50_us", bs->floor_lag_p50_us);
        cJSON_AddNumberToObject(o, "floor_lag_p99_us", bs->floor_lag_p99_us);
        cJSON_AddNumberToObject(o, "floor_lag_events", bs->floor_lag_events);
        json_ratio(o, "lag_p50_ratio_vs_floor", r->lag.n ? (double)r->lag.p50 / 1e3 : 0, bs->floor_lag_p50_us);
    }
    cJSON_AddNumberToObject(o, "flush_p50_us", r->flush.p50_us);
    cJSON_AddNumberToObject(o, "flush_p99_us", r->flush.p99_us);
    cJSON_AddNumberToObject(o, "append_p50_us", r->append.p50_us);
    if (r->lag.n) {
        cJSON_AddNumberToObject(o, "lag_p50_us", r->lag.p50 / 1e3);
        cJSON_AddNumberToObject(o, "lag_p99_us", r->lag.p99 / 1e3);
        cJSON_AddNumberToObject(o, "lag_max_us", r->lag.max / 1e3);
        cJSON_AddNumberToObject(o, "lag_events", (double)r->lag.n);
    }
    cJSON_AddNumberToObject(o, "reader_cpu_pct", r->reader_cpu_pct);
    cJSON_AddNumberToObject(o, "errors", (double)r->errors);
    cJSON_AddNumberToObject(o, "exit_code", r->exit_code);
    cJSON_AddStringToObject(o, "run_dir", r->dir);
    cJSON_AddItemToObject(o, "scenario", cJSON_CreateObject());
    cJSON *sc = cJSON_GetObjectItem(o, "scenario");
    for (const scn_opt_t *opt = scn_options(); opt->name; opt++) {
        char v[SCN_PATH];
        scn_format(r->s, opt, v, sizeof v);
        cJSON_AddStringToObject(sc, opt->name, v);
    }
    return o;
}

/* Writes the rows of one repeat (see sweep.h) and prints the SWMR run's
 * ratios to its baselines. */
int sweep_emit_repeat(sweep_row_t *rows, sweep_base_t *bases, size_t from, size_t to, const sweep_base_t *base,
                      FILE *csv, FILE *events, cJSON *jrows)
{
    static const sweep_base_t none;
    for (size_t k = from; k < to; k++) {
        const sweep_row_t *r = &rows[k];
        bool swmr = r->s->writer_mode == SCN_MODE_SWMR;
        bases[k] = swmr ? *base : none;
        csv_row(csv, r, &bases[k]);
        cJSON_AddItemToArray(jrows, row_json(r, &bases[k]));
        if (swmr && base->raw_call > 0) {
            printf("        repeat %d: SWMR per-call p50 %.2f of non-SWMR, %.2f of the bare loop, %.2f of raw; io "
                   "%.2f of raw\n",
                   r->repeat, base->noswmr_call > 0 ? r->call_MBps / base->noswmr_call : 0,
                   base->bare_call > 0 ? r->call_MBps / base->bare_call : 0, r->call_MBps / base->raw_call,
                   base->raw_io > 0 ? r->io_MBps / base->raw_io : 0);
            if (sweep_raw_suspect(base, r->io_MBps))
                printf("        repeat %d: raw pwrite figure SUSPECT: %.0f MB/s, slower than the SWMR writer's %.0f "
                       "MB/s for the same bytes and more (pages faulted in from the host? warmup = false?)\n",
                       r->repeat, base->raw_io, r->io_MBps);
        }
        if (swmr && base->floor_call > 0)
            printf("        repeat %d: SWMR per-call p50 %.2f of h5floor's (the standalone floor), io %.2f of its\n",
                   r->repeat, r->call_MBps / base->floor_call, base->floor_io > 0 ? r->io_MBps / base->floor_io : 0);
        if (swmr && base->floor_lag_p50_us > 0 && r->lag.n)
            printf("        repeat %d: lag p50 %.2fx h5floor's (the standalone floor), p99 %.2fx\n", r->repeat,
                   (double)r->lag.p50 / 1e3 / base->floor_lag_p50_us,
                   base->floor_lag_p99_us > 0 ? (double)r->lag.p99 / 1e3 / base->floor_lag_p99_us : 0);
    }
    return ferror(csv) || ferror(events) ? -1 : 0;
}
