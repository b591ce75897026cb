/* sweep.c - h5swmr sweep: every combination of the scenario's sweep axes, each
 * with raw-pwrite and non-SWMR baselines measured in the same run, as one CSV,
 * one JSON and (with gnuplot) plots. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "orch.h"
#include "report.h"
#include "scenario.h"
#include "stats.h"
#include "util.h"

#define MAX_AXES 16
#define MAX_OVERRIDES 256
#define WARMUP_CAP (1024u << 20)

static const char *const csv_header =
    "config,block_samples,block_bytes,flush_every_blocks,flush_every_ms,poll_ms,readers,nchannels,flush_call,cork,"
    "writer_mode,reader_wait,writer_MBps,writer_samples_per_s,append_p50_us,append_p99_us,flush_p50_us,flush_p90_us,"
    "flush_p99_us,flush_p999_us,lag_p50_us,lag_p90_us,lag_p99_us,lag_p999_us,lag_max_us,e2e_p50_us,e2e_p99_us,"
    "reader_cpu_pct,errors,io_MBps,io_ratio_vs_raw,io_ratio_vs_noswmr,idle_poll_p50_us,lag_events,dtype,job,"
    "exit_code,run_dir,repeat,call_MBps,call_ratio_vs_raw,call_ratio_vs_noswmr,call_ratio_vs_bare,reader_mode";

/* What one run gave, as far as the sweep reports it. */
typedef struct row {
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
} row_t;

/* The baselines measured in the same repeat as a SWMR run, 0 where not run:
 * io MB/s (time inside the calls) and per-call p50 MB/s of each mode. */
typedef struct base {
    double raw_io, noswmr_io;
    double raw_call, noswmr_call, bare_call;
    double bare_reader_p50_us, bare_reader_p99_us; /* lag of bare HDF5 reader loops (reader_baseline) */
} base_t;

/* A run of one repeat that is the same configuration with bare HDF5 reader
 * loops (reader_mode = bare) in place of h5swmr's readers. */
#define MODE_BARE_READER 100

/* Whether a configuration's repeats run its writer baselines (raw, noswmr,
 * bare), or its bare-reader baseline, beside it. */
static bool has_writer_baselines(const scn_t *c)
{
    return c->baselines && !c->realtime && c->writer_mode == SCN_MODE_SWMR && c->workload == SCN_APPEND;
}

static bool has_reader_baseline(const scn_t *c)
{
    return c->reader_baseline && c->readers > 0 && c->writer_mode == SCN_MODE_SWMR && c->workload == SCN_APPEND &&
           c->reader_mode == SCN_READER_H5SWMR;
}

/* Runs per repeat of a configuration: itself and its baselines. */
static int runs_per_repeat(const scn_t *c)
{
    return has_writer_baselines(c) ? 4 : has_reader_baseline(c) ? 2 : 1;
}

/* One line on stderr, the exit status returned. */
#define fail(code, ...) h5s_cli_fail("sweep", code, __VA_ARGS__)

static const char *opt_text(const scn_t *s, const char *key, char *buf, size_t cap)
{
    for (const scn_opt_t *o = scn_options(); o->name; o++)
        if (!strcmp(o->name, key)) {
            scn_format(s, o, buf, cap);
            return buf;
        }
    return "";
}

/* The data a run writes, at most: its limits, or 4 GB/s (about the fastest
 * this machine type writes) for its duration when it runs flat out. */
static double run_bytes(const scn_t *s, int nch)
{
    double block = (double)s->block_samples * (s->dtype == 1 ? 8 : 4) * nch;
    double bytes = 4e9 * (s->duration_s > 0 ? s->duration_s : 1);
    if (s->max_blocks > 0 && block * (double)s->max_blocks < bytes)
        bytes = block * (double)s->max_blocks;
    if (s->max_mb > 0 && s->max_mb * 1e6 < bytes)
        bytes = s->max_mb * 1e6;
    if (s->realtime && s->sample_rate > 0 && s->duration_s > 0)
        bytes = s->sample_rate * s->duration_s * (s->dtype == 1 ? 8 : 4) * nch;
    return bytes;
}

/* Writes and deletes a scratch file of about the run's size, so that the
 * page cache the run will use is warm: on virtual machines, pages left idle
 * for seconds go back to the host, and faulting them in again caps writes. */
static void warm_up(const char *dir, const scn_t *s, int nch)
{
    double bytes = run_bytes(s, nch);
    size_t total = bytes > WARMUP_CAP ? WARMUP_CAP : (size_t)bytes;
    char path[SCN_PATH + 32];
    snprintf(path, sizeof path, "%s/warmup.tmp", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    static const char zeros[1 << 16];
    for (size_t done = 0; done < total; done += sizeof zeros)
        if (write(fd, zeros, sizeof zeros) < 0)
            break;
    close(fd);
    unlink(path);
}

/* Pools the lag events of every reader of a run (lag_reader*.csv) and returns
 * exact percentiles; appends the events to the sweep's lag_events.csv. */
static void pool_lags(row_t *r, int readers, FILE *events)
{
    stats_buf_t lag = {0}, e2e = {0};
    for (int i = 1; i <= readers; i++) {
        char path[SCN_PATH + 224], line[256];
        snprintf(path, sizeof path, "%s/lag_reader%d.csv", r->dir, i);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        if (!fgets(line, sizeof line, f)) {
            fclose(f);
            continue;
        }
        while (fgets(line, sizeof line, f)) {
            int reader;
            unsigned long long seq, samples;
            long long t;
            double l, e;
            if (sscanf(line, "%d,%llu,%llu,%lld,%lf,%lf", &reader, &seq, &samples, &t, &l, &e) != 6)
                continue;
            stats_add(&lag, (int64_t)llround(l * 1e3));
            stats_add(&e2e, (int64_t)llround(e * 1e3));
            if (events)
                fprintf(events, "%d,%s", r->config, line);
        }
        fclose(f);
    }
    r->lag = stats_summarize(&lag);
    r->e2e = stats_summarize(&e2e);
    stats_free(&lag);
    stats_free(&e2e);
}

static void fill_row(row_t *r, const orch_report_t *rep, FILE *events)
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

/* A ratio as a CSV field, empty when the reference was not measured. */
static void csv_ratio(FILE *f, double x, double ref)
{
    if (ref > 0 && x > 0)
        fprintf(f, ",%.4f", x / ref);
    else
        fprintf(f, ",");
}

static void csv_row(FILE *f, const row_t *r, const base_t *b)
{
    double raw_io = b->raw_io, noswmr_io = b->noswmr_io;
    const scn_t *s = r->s;
    char bt[8][64];
    double us = 1e-3;
    fprintf(f, "%d,%lld,%lld,%lld,%s,%s,%lld,%d,%s,%s,%s,%s,", r->config, (long long)s->block_samples,
            (long long)(s->block_samples * (s->dtype == 1 ? 8 : 4)), (long long)s->flush_every_blocks,
            opt_text(s, "flush_every_ms", bt[0], 64), opt_text(s, "poll_ms", bt[1], 64), (long long)s->readers, r->nch,
            opt_text(s, "flush_call", bt[2], 64), opt_text(s, "cork", bt[3], 64), opt_text(s, "writer_mode", bt[4], 64),
            opt_text(s, "reader_wait", bt[5], 64));
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
            opt_text(s, "dtype", bt[6], 64), s->name, r->exit_code, r->dir, r->repeat, r->call_MBps);
    csv_ratio(f, r->call_MBps, b->raw_call);
    csv_ratio(f, r->call_MBps, b->noswmr_call);
    csv_ratio(f, r->call_MBps, b->bare_call);
    fprintf(f, ",%s\n", opt_text(s, "reader_mode", bt[7], 64));
    fflush(f);
}

/* Adds name = x / ref when both were measured. */
static void json_ratio(cJSON *o, const char *name, double x, double ref)
{
    if (ref > 0 && x > 0)
        cJSON_AddNumberToObject(o, name, x / ref);
}

static cJSON *row_json(const row_t *r, const base_t *bs)
{
    double raw_io = bs->raw_io, noswmr_io = bs->noswmr_io;
    cJSON *o = cJSON_CreateObject();
    char b[64];
    cJSON_AddNumberToObject(o, "config", r->config);
    cJSON_AddNumberToObject(o, "repeat", r->repeat);
    cJSON_AddStringToObject(o, "job", r->s->name);
    cJSON_AddStringToObject(o, "writer_mode", opt_text(r->s, "writer_mode", b, sizeof b));
    cJSON_AddStringToObject(o, "reader_mode", opt_text(r->s, "reader_mode", b, sizeof b));
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

/* Free bytes on the file system that holds dir (or its nearest existing
 * parent); -1 if unknown. */
static double free_bytes(const char *dir)
{
    char p[SCN_PATH];
    snprintf(p, sizeof p, "%s", dir[0] ? dir : ".");
    struct statvfs v;
    while (statvfs(p, &v) != 0) {
        char *slash = strrchr(p, '/');
        if (!slash)
            return statvfs(".", &v) == 0 ? (double)v.f_bavail * (double)v.f_frsize : -1;
        if (slash == p) {
            p[1] = '\0';
            return statvfs(p, &v) == 0 ? (double)v.f_bavail * (double)v.f_frsize : -1;
        }
        *slash = '\0';
    }
    return (double)v.f_bavail * (double)v.f_frsize;
}

/* Refuses a sweep whose data cannot fit: the largest run (and the warm-up
 * file before it) when passed runs are deleted, every run with keep_data.
 * Returns 0, or the exit status after one line on stderr. */
static int check_space(const scn_t *cfg, size_t n)
{
    double largest = 0, all = 0;
    bool keep = false;
    char(*names)[SCN_STR] = calloc(SCN_MAX_GEN_CHANNELS, SCN_STR);
    if (!names)
        return fail(EXIT_FAIL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        int nch = scn_channel_names(&cfg[i], names, SCN_MAX_GEN_CHANNELS);
        double b = run_bytes(&cfg[i], nch), w = cfg[i].warmup && b > WARMUP_CAP ? WARMUP_CAP : b;
        largest = b > largest ? b : largest;
        largest = w > largest ? w : largest;
        all += b * (double)cfg[i].repeat * 4;
        keep |= cfg[i].keep_data;
    }
    free(names);
    double need = (keep ? all : largest) * 1.1 + 64e6, have = free_bytes(cfg[0].results_dir);
    printf("sweep: needs about %.1f GB free under %s (%s), %.1f GB free\n", need / 1e9,
           cfg[0].results_dir[0] ? cfg[0].results_dir : ".",
           keep ? "keep_data: every run's data kept" : "the largest run; data of passed runs is deleted", have / 1e9);
    if (have >= 0 && have < need)
        return fail(EXIT_USAGE,
                    "not enough free space under '%s': about %.1f GB needed, %.1f GB free (lower duration or max_mb%s)",
                    cfg[0].results_dir, need / 1e9, have / 1e9, keep ? ", or keep_data = false" : "");
    return 0;
}

static bool interrupted_pending(void)
{
    sigset_t p;
    return sigpending(&p) == 0 && (sigismember(&p, SIGINT) || sigismember(&p, SIGTERM));
}

/* Flush cost growth against the channel count, per job and flush call, when
 * the sweep varies nchannels: the exponent tells linear (1) from quadratic (2).
 * Reported over all counts and between the two largest (what matters at the
 * user's scale). */
static void print_growth(FILE *out, const row_t *rows, int n, cJSON *json)
{
    cJSON *g = cJSON_CreateArray();
    for (int j = 0; j < n; j++) {
        if (rows[j].s->writer_mode != SCN_MODE_SWMR)
            continue;
        bool first = true; /* the first SWMR row of its (job, call) group */
        for (int k = 0; k < j && first; k++)
            first = !(rows[k].s->writer_mode == SCN_MODE_SWMR && !strcmp(rows[k].s->name, rows[j].s->name) &&
                      rows[k].s->flush_call == rows[j].s->flush_call);
        if (!first)
            continue;
        double x[256], y[256];
        int m = 0;
        for (int i = j; i < n && m < 256; i++)
            if (!strcmp(rows[i].s->name, rows[j].s->name) && rows[i].s->flush_call == rows[j].s->flush_call &&
                rows[i].s->writer_mode == SCN_MODE_SWMR && rows[i].flush.n) {
                x[m] = rows[i].nch;
                y[m++] = rows[i].flush.p50_us;
            }
        int hi = -1, lo = -1; /* the largest and second largest counts */
        for (int i = 0; i < m; i++)
            if (hi < 0 || x[i] > x[hi])
                hi = i;
        for (int i = 0; i < m; i++)
            if (x[i] < x[hi] && (lo < 0 || x[i] > x[lo]))
                lo = i;
        if (lo < 0)
            continue;
        double e = stats_loglog_slope(x, y, m);
        double top = log(y[hi] / y[lo]) / log(x[hi] / x[lo]);
        const char *call = rows[j].s->flush_call == SCN_DFLUSH ? "dflush" : "fflush";
        fprintf(out,
                "flush cost growth [%s] %s: round cost ~ N^%.2f over N = %g..%g, N^%.2f from %g to %g "
                "(%.1f us per channel at N = %g: %s)\n",
                rows[j].s->name, call, e, x[lo] < x[0] ? x[lo] : x[0], x[hi], top, x[lo], x[hi], y[hi] / x[hi], x[hi],
                top < 1.3   ? "linear"
                : top < 1.7 ? "worse than linear"
                            : "quadratic");
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "job", rows[j].s->name);
        cJSON_AddStringToObject(o, "flush_call", call);
        cJSON_AddNumberToObject(o, "exponent", e);
        cJSON_AddNumberToObject(o, "exponent_top", top);
        cJSON_AddNumberToObject(o, "n_max", x[hi]);
        cJSON_AddNumberToObject(o, "per_channel_us_at_n_max", y[hi] / x[hi]);
        cJSON_AddItemToArray(g, o);
    }
    /* the recommendation: the cheaper call at the largest count, per job */
    int ng = cJSON_GetArraySize(g);
    for (int a = 0; a < ng; a++)
        for (int b = a + 1; b < ng; b++) {
            cJSON *x = cJSON_GetArrayItem(g, a), *y = cJSON_GetArrayItem(g, b);
            if (strcmp(cJSON_GetObjectItem(x, "job")->valuestring, cJSON_GetObjectItem(y, "job")->valuestring) ||
                cJSON_GetObjectItem(x, "n_max")->valuedouble != cJSON_GetObjectItem(y, "n_max")->valuedouble)
                continue;
            double cx = cJSON_GetObjectItem(x, "per_channel_us_at_n_max")->valuedouble;
            double cy = cJSON_GetObjectItem(y, "per_channel_us_at_n_max")->valuedouble;
            cJSON *best = cx <= cy ? x : y;
            double ratio = cx <= cy ? cy / cx : cx / cy;
            fprintf(out, "recommendation [%s]: at %g channels, flush_call = %s is %.1fx cheaper per flush round\n",
                    cJSON_GetObjectItem(x, "job")->valuestring, cJSON_GetObjectItem(x, "n_max")->valuedouble,
                    cJSON_GetObjectItem(best, "flush_call")->valuestring, ratio);
            cJSON_AddStringToObject(json, "recommended_flush_call",
                                    cJSON_GetObjectItem(best, "flush_call")->valuestring);
        }
    cJSON_AddItemToObject(json, "flush_growth", g);
}

/* The measurement issue's targets, evaluated on the rows that apply. Reported,
 * never enforced: a missed target is information about this machine. */
static void print_targets(FILE *out, const row_t *rows, int n, const base_t *bases, cJSON *json)
{
    cJSON *t = cJSON_CreateArray();
    char what[512];
    for (int i = 0; i < n; i++) {
        const row_t *r = &rows[i];
        const scn_t *s = r->s;
        int64_t bytes = s->block_samples * (s->dtype == 1 ? 8 : 4);
        struct {
            bool applies;
            double measured, limit;
            bool le;
            const char *unit;
        } chk[4];
        int nc = 0;
        if (s->writer_mode != SCN_MODE_SWMR || s->reader_mode != SCN_READER_H5SWMR)
            continue; /* baselines are the references, not the subject */
        double raw_i = bases[i].raw_io, noswmr_i = bases[i].noswmr_io;
        if (raw_i > 0 && s->flush_every_blocks == 1 && (bytes == 1 << 20 || bytes == 1 << 16)) {
            snprintf(what, sizeof what, "[%.64s] %lld KiB blocks, H5Dflush per block: SWMR io / raw pwrite", s->name,
                     (long long)bytes / 1024);
            chk[nc++] = (typeof(chk[0])){true, r->io_MBps / raw_i, bytes == 1 << 20 ? 0.70 : 0.40, false, ""};
            if (bytes == 1 << 20 && noswmr_i > 0)
                chk[nc++] = (typeof(chk[0])){true, r->io_MBps / noswmr_i, 0.95, false, ""};
        } else if (r->lag.n && s->readers > 0 && s->reader_wait == SCN_WAIT_POLL && s->poll_ms == 0) {
            double floor50 = bases[i].bare_reader_p50_us;
            snprintf(what, sizeof what, "[%.64s] busy poll lag p50, p99 (%lld readers)%s", s->name,
                     (long long)s->readers, floor50 > 0 ? "; p50 within 1.5x of the bare HDF5 reader's" : "");
            chk[nc++] = (typeof(chk[0])){true, r->lag.p50 / 1e3, 10, true, " us"};
            chk[nc++] = (typeof(chk[0])){true, r->lag.p99 / 1e3, 30, true, " us"};
            if (floor50 > 0)
                chk[nc++] = (typeof(chk[0])){true, r->lag.p50 / 1e3, 1.5 * floor50, true, " us"};
        } else if (r->lag.n && s->readers > 0 && s->reader_wait == SCN_WAIT_POLL) {
            double P = s->poll_ms * 1e3, floor99 = bases[i].bare_reader_p99_us;
            /* where HDF5 and the machine allow: a bare HDF5 reader loop of the
             * same period, measured in the same repeat, may not reach the
             * limit either; then h5swmr's reader is held to that floor */
            double lim99 = floor99 > 1.1 * P + 50 ? floor99 : 1.1 * P + 50;
            snprintf(what, sizeof what, "[%.64s] poll every %g ms: lag p50 <= 0.6 P, p99 <= 1.1 P + 50 us%s", s->name,
                     s->poll_ms, floor99 > 1.1 * P + 50 ? " or the bare HDF5 reader's p99 (the floor here)" : "");
            chk[nc++] = (typeof(chk[0])){true, r->lag.p50 / 1e3, 0.6 * P, true, " us"};
            chk[nc++] = (typeof(chk[0])){true, r->lag.p99 / 1e3, lim99, true, " us"};
        } else if (r->lag.n && s->readers > 0 && s->reader_wait == SCN_WAIT_INOTIFY) {
            double floor99 = bases[i].bare_reader_p99_us;
            snprintf(what, sizeof what, "[%.64s] inotify: lag p99 <= 200 us%s, reader CPU < 5%%", s->name,
                     floor99 > 200 ? " or the bare HDF5 reader's p99 (the floor here)" : "");
            chk[nc++] = (typeof(chk[0])){true, r->lag.p99 / 1e3, floor99 > 200 ? floor99 : 200, true, " us"};
            chk[nc++] = (typeof(chk[0])){true, r->reader_cpu_pct, 5, true, " %"};
        }
        if (!nc)
            continue;
        bool met = true;
        char detail[256] = "";
        for (int k = 0; k < nc; k++) {
            bool ok = chk[k].le ? chk[k].measured <= chk[k].limit : chk[k].measured >= chk[k].limit;
            met &= ok;
            size_t l = strlen(detail);
            snprintf(detail + l, sizeof detail - l, "%s%.3g%s %s %.3g", k ? ", " : "", chk[k].measured, chk[k].unit,
                     chk[k].le ? "<=" : ">=", chk[k].limit);
        }
        fprintf(out, "target %-6s config %d %s: %s\n", met ? "met" : "MISSED", r->config, what, detail);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "config", r->config);
        cJSON_AddNumberToObject(o, "repeat", r->repeat);
        cJSON_AddStringToObject(o, "target", what);
        cJSON_AddStringToObject(o, "measured", detail);
        cJSON_AddBoolToObject(o, "met", met);
        cJSON_AddItemToArray(t, o);
    }
    /* what measuring costs: each run with measure = false against the same
     * configuration measured (best of the repeats of each) */
    for (int i = 0; i < n; i++) {
        const scn_t *s = rows[i].s;
        if (s->measure || s->writer_mode != SCN_MODE_SWMR)
            continue;
        bool first = true;
        double off = 0, on = 0;
        for (int k = 0; k < n; k++) {
            scn_t a = *rows[k].s;
            if (strcmp(a.name, s->name) || a.block_samples != s->block_samples || a.nchannels != s->nchannels ||
                a.readers != s->readers || a.writer_mode != SCN_MODE_SWMR)
                continue;
            if (!a.measure && k < i && rows[k].config == rows[i].config)
                first = false;
            if (a.measure && rows[k].io_MBps > on)
                on = rows[k].io_MBps;
            if (!a.measure && rows[k].config == rows[i].config && rows[k].io_MBps > off)
                off = rows[k].io_MBps;
        }
        if (!first || off <= 0 || on <= 0)
            continue;
        snprintf(what, sizeof what, "[%.64s] instrumentation cost: io MB/s measured / not measured (best of repeats)",
                 s->name);
        bool met = on / off >= 0.95;
        fprintf(out, "target %-6s config %d %s: %.3g >= 0.95\n", met ? "met" : "MISSED", rows[i].config, what,
                on / off);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "config", rows[i].config);
        cJSON_AddStringToObject(o, "target", what);
        cJSON_AddNumberToObject(o, "measured", on / off);
        cJSON_AddBoolToObject(o, "met", met);
        cJSON_AddItemToArray(t, o);
    }
    cJSON_AddItemToObject(json, "targets", t);
}

/* The axes of one job: its scenario's sweep, then each -s, which replaces
 * an axis of the same key or adds one. Returns their number, or -1 with *rc
 * set after one line on stderr. */
static int job_axes(const scn_t *job, const char *const *cli, int ncli, scn_axis_t *axes, int *rc, const char *scenario)
{
    char msg[400];
    int na = scn_parse_sweep(job->sweep, axes, MAX_AXES, msg, sizeof msg);
    scn_axis_t *one = na >= 0 ? calloc(MAX_AXES, sizeof *one) : NULL;
    for (int k = 0; na >= 0 && k < ncli; k++) {
        int m = one ? scn_parse_sweep(cli[k], one, MAX_AXES, msg, sizeof msg) : -1;
        if (!one)
            snprintf(msg, sizeof msg, "out of memory");
        for (int x = 0; m >= 0 && x < m && na >= 0; x++) {
            int at = 0;
            while (at < na && strcmp(axes[at].key, one[x].key))
                at++;
            if (at == MAX_AXES) {
                snprintf(msg, sizeof msg, "sweep: more than %d axes", MAX_AXES);
                na = -1;
            } else {
                axes[at] = one[x];
                na += at == na;
            }
        }
        if (m < 0)
            na = -1;
    }
    free(one);
    if (na < 0)
        *rc = fail(EXIT_USAGE, "%s [%s]: %s", scenario, job->name, msg);
    return na;
}

/* Writes the rows of one repeat [from, to): the SWMR run gets the ratios to
 * the baselines of the same repeat. Returns 0, or -1 on a write error. */
static int emit_repeat(row_t *rows, base_t *bases, size_t from, size_t to, const base_t *base, FILE *csv, FILE *events,
                       cJSON *jrows)
{
    static const base_t none;
    for (size_t k = from; k < to; k++) {
        const row_t *r = &rows[k];
        bool swmr = r->s->writer_mode == SCN_MODE_SWMR;
        bases[k] = swmr ? *base : none;
        csv_row(csv, r, &bases[k]);
        cJSON_AddItemToArray(jrows, row_json(r, &bases[k]));
        if (swmr && base->raw_call > 0)
            printf("        repeat %d: SWMR per-call p50 %.2f of non-SWMR, %.2f of the bare loop, %.2f of raw; io "
                   "%.2f of raw\n",
                   r->repeat, base->noswmr_call > 0 ? r->call_MBps / base->noswmr_call : 0,
                   base->bare_call > 0 ? r->call_MBps / base->bare_call : 0, r->call_MBps / base->raw_call,
                   base->raw_io > 0 ? r->io_MBps / base->raw_io : 0);
    }
    return ferror(csv) || ferror(events) ? -1 : 0;
}

static int run_plot(const char *dir)
{
    char *argv[] = {"h5swmr", "plot", (char *)dir, NULL};
    return cmd_plot(3, argv);
}

int cmd_sweep(int argc, char **argv)
{
    const char *scenario = NULL, *ov[MAX_OVERRIDES];
    const char *axes_cli[MAX_AXES];
    size_t nov = 0;
    int naxes_cli = 0;
    bool dry = false, plot = true;
    double max_runs = 2000;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("Usage: h5swmr sweep SCENARIO [-o KEY=VALUE]... [-s KEY=V1,V2,...]... [--dry-run] [--no-plot]\n"
                   "                    [--max-runs N]\n\n"
                   "Runs every combination of the sweep axes (the scenario's 'sweep' key; each -s replaces the\n"
                   "scenario's axis of its key or adds one), each job of the scenario in turn. For a flat-out\n"
                   "writer (realtime = false) each configuration is also run as raw pwrite, as HDF5 without SWMR\n"
                   "and as a bare HDF5 SWMR loop (baselines = true), back to back, so that throughput is reported\n"
                   "as ratios paired within one repeat. Writes results/<scenario>-sweep-<time>/: sweep.csv (a row\n"
                   "per run), sweep.json, lag_events.csv, a directory per run, and plots. Data files of runs that\n"
                   "passed are deleted unless keep_data = true. It states the number of runs and an estimate of\n"
                   "their time first, and refuses more than --max-runs (default 2000) or more data than the disk\n"
                   "has room for.\n");
            return 0;
        } else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "-s")) {
            if (i + 1 >= argc)
                return fail(EXIT_USAGE, "%s needs KEY=VALUE", argv[i]);
            if (argv[i][1] == 'o') {
                if (nov == MAX_OVERRIDES)
                    return fail(EXIT_USAGE, "too many -o");
                ov[nov++] = argv[++i];
            } else {
                if (naxes_cli == MAX_AXES)
                    return fail(EXIT_USAGE, "too many -s");
                axes_cli[naxes_cli++] = argv[++i];
            }
        } else if (!strcmp(argv[i], "--dry-run")) {
            dry = true;
        } else if (!strcmp(argv[i], "--max-runs")) {
            char *end;
            errno = 0;
            max_runs = i + 1 < argc ? strtod(argv[i + 1], &end) : NAN;
            if (i + 1 >= argc || end == argv[i + 1] || *end || errno || !(max_runs >= 1 && max_runs <= 1e6) ||
                max_runs != floor(max_runs))
                return fail(EXIT_USAGE, "--max-runs needs a whole number from 1 to 1000000");
            i++;
        } else if (!strcmp(argv[i], "--no-plot")) {
            plot = false;
        } else if (argv[i][0] == '-') {
            return fail(EXIT_USAGE, "unknown option '%s'", argv[i]);
        } else if (!scenario) {
            scenario = argv[i];
        } else {
            return fail(EXIT_USAGE, "unexpected argument '%s'", argv[i]);
        }
    }
    if (!scenario)
        return fail(EXIT_USAGE, "no scenario file given (try scenarios/sweep_quick.ini)");
    scn_file_t sf;
    h5s_err_t err;
    if (scn_load(scenario, ov, nov, &sf, &err) < 0)
        return fail(EXIT_USAGE, "%s", err.msg);

    /* Expand: jobs x axes (cartesian), then modes. */
    size_t cap = 64, n = 0;
    scn_t *cfg = malloc(cap * sizeof *cfg);
    scn_axis_t *axes = calloc(MAX_AXES, sizeof *axes);
    int rc = 0;
    if (!cfg || !axes) {
        rc = fail(EXIT_FAIL, "out of memory");
        goto done;
    }
    /* every job's axes first: how many runs the sweep would be, before any is built */
    double planned = 0;
    for (size_t j = 0; j < sf.njobs && !rc; j++) {
        int na = job_axes(&sf.jobs[j], axes_cli, naxes_cli, axes, &rc, scenario);
        double combos = 1;
        for (int a = 0; a < na; a++)
            combos *= axes[a].n;
        planned += combos * (double)sf.jobs[j].repeat * runs_per_repeat(&sf.jobs[j]);
    }
    if (rc)
        goto done;
    if (planned > max_runs) {
        rc = fail(EXIT_USAGE,
                  "%s: the axes make up to %.0f runs, more than --max-runs %.0f: narrow the axes or raise --max-runs",
                  scenario, planned, max_runs);
        goto done;
    }
    for (size_t j = 0; j < sf.njobs; j++) {
        char msg[400];
        int na = job_axes(&sf.jobs[j], axes_cli, naxes_cli, axes, &rc, scenario);
        if (na < 0)
            goto done;
        int idx[MAX_AXES] = {0};
        for (;;) {
            scn_t s = sf.jobs[j];
            bool skip = false;
            for (int a = 0; a < na; a++)
                if (axes[a].n && scn_set(&s, axes[a].key, axes[a].values[idx[a]], msg, sizeof msg) < 0)
                    skip = true;
            if (!skip && scn_validate(&s, msg, sizeof msg) < 0) {
                printf("skipping a combination of [%s]: %s\n", s.name, msg);
                skip = true;
            }
            if (!skip) {
                if (n == cap) {
                    void *p = realloc(cfg, (cap *= 2) * sizeof *cfg);
                    if (!p) {
                        rc = fail(EXIT_FAIL, "out of memory");
                        goto done;
                    }
                    cfg = p;
                }
                cfg[n++] = s;
            }
            int a = 0;
            while (a < na && (axes[a].n == 0 || ++idx[a] == axes[a].n)) {
                idx[a] = 0;
                a++;
            }
            if (a >= na)
                break;
        }
    }
    if (n == 0) {
        rc = fail(EXIT_USAGE, "no valid configuration to run");
        goto done;
    }
    /* every run gets its baselines first (flat-out writers only) */
    size_t nruns = 0;
    for (size_t i = 0; i < n; i++)
        nruns += (size_t)cfg[i].repeat * (size_t)runs_per_repeat(&cfg[i]);
    /* the estimate: each run's duration (1 s where a block or size limit ends it), plus set-up and verification */
    double est = 0;
    for (size_t i = 0; i < n; i++)
        est +=
            (double)cfg[i].repeat * runs_per_repeat(&cfg[i]) * ((cfg[i].duration_s > 0 ? cfg[i].duration_s : 1) + 0.5);
    printf("sweep %s: %zu configurations, %zu runs, about %.0f s\n", scenario, n, nruns, est);
    if (dry) {
        for (size_t i = 0; i < n; i++) {
            char b[64];
            printf("  %zu [%s] block_samples=%lld flush_every_blocks=%lld poll_ms=%s readers=%lld nchannels=%lld\n",
                   i + 1, cfg[i].name, (long long)cfg[i].block_samples, (long long)cfg[i].flush_every_blocks,
                   opt_text(&cfg[i], "poll_ms", b, sizeof b), (long long)cfg[i].readers, (long long)cfg[i].nchannels);
        }
        goto done;
    }

    char sweepdir[SCN_PATH + 64], dirbase[SCN_STR + 16];
    if ((rc = check_space(cfg, n)) != 0)
        goto done;
    snprintf(dirbase, sizeof dirbase, "%s-sweep", cfg[0].scenario);
    if (h5s_make_unique_dir(cfg[0].results_dir, dirbase, sweepdir, sizeof sweepdir) != 0) {
        rc = fail(EXIT_USAGE, "cannot create a results directory under '%s': %s", cfg[0].results_dir, strerror(errno));
        goto done;
    }
    char path[SCN_PATH + 128];
    snprintf(path, sizeof path, "%s/sweep.csv", sweepdir);
    FILE *csv = fopen(path, "wx");
    snprintf(path, sizeof path, "%s/lag_events.csv", sweepdir);
    FILE *events = fopen(path, "wx");
    row_t *rows = calloc(nruns, sizeof *rows);
    base_t *bases = calloc(nruns, sizeof *bases);
    scn_t *runs = calloc(nruns, sizeof *runs);
    orch_report_t *rep = malloc(sizeof *rep);
    if (!csv || !events || !rows || !runs || !rep || !bases) {
        rc = fail(EXIT_FAIL, "%s: %s", sweepdir, strerror(errno));
        if (csv)
            fclose(csv);
        if (events)
            fclose(events);
        free(rows);
        free(runs);
        free(rep);
        free(bases);
        goto done;
    }
    fprintf(csv, "%s\n", csv_header);
    fprintf(events, "config,reader,seq,samples,t_seen_ns,lag_us,e2e_us\n");
    cJSON *json = cJSON_CreateObject();
    cJSON_AddNumberToObject(json, "schema_version", REPORT_SCHEMA_VERSION);
    char *envtext = report_environment_json(sweepdir);
    cJSON_AddItemToObject(json, "environment", envtext ? cJSON_Parse(envtext) : cJSON_CreateNull());
    free(envtext);
    cJSON_AddStringToObject(json, "scenario_file", scenario);
    cJSON *jrows = cJSON_AddArrayToObject(json, "runs");

    /* Ctrl-C between runs must not kill the sweep: keep SIGINT/SIGTERM blocked
     * throughout; orch_run sees them through its signalfd, and between runs
     * they are found pending. */
    sigset_t stopset, oldmask;
    sigemptyset(&stopset);
    sigaddset(&stopset, SIGINT);
    sigaddset(&stopset, SIGTERM);
    sigprocmask(SIG_BLOCK, &stopset, &oldmask);
    int64_t t0 = h5s_now_ns();
    size_t done_runs = 0;
    bool stop = false;
    int worst = 0;
    char(*names)[SCN_STR] = calloc(SCN_MAX_GEN_CHANNELS, SCN_STR);
    for (size_t ri = 0; ri < n * 50 && !stop && names; ri++) {
        size_t i = ri / 50;
        int rep_no = (int)(ri % 50) + 1;
        if (rep_no > cfg[i].repeat)
            continue;
        base_t base = {0};
        bool base_runs = has_writer_baselines(&cfg[i]), reader_base = has_reader_baseline(&cfg[i]);
        /* one repeat: the baselines and the SWMR run back to back, so that
         * their ratios are paired within the same state of the machine; the
         * order turns around every other repeat (A B C D, D C B A), so that
         * a drift of the machine or its page cache along the repeat does not
         * favour one mode */
        static const int with_base[] = {SCN_MODE_RAW, SCN_MODE_NOSWMR, SCN_MODE_BARE, SCN_MODE_SWMR};
        static const int turned[] = {SCN_MODE_SWMR, SCN_MODE_BARE, SCN_MODE_NOSWMR, SCN_MODE_RAW};
        static const int with_bare_reader[] = {MODE_BARE_READER, SCN_MODE_SWMR, MODE_BARE_READER};
        const int *modes = base_runs     ? (rep_no % 2 ? with_base : turned)
                           : reader_base ? with_bare_reader + (rep_no % 2 ? 0 : 1)
                                         : with_base + 3;
        int nmodes = runs_per_repeat(&cfg[i]), mi;
        size_t first_run = done_runs;
        for (mi = 0; mi < nmodes && !stop; mi++) {
            int mode = modes[mi];
            scn_t *s = &runs[done_runs];
            *s = cfg[i];
            if (mode == MODE_BARE_READER) {
                s->reader_mode = SCN_READER_BARE;
                s->raw_logs = s->measure;
            } else if (mode != SCN_MODE_SWMR) {
                s->writer_mode = mode;
                s->readers = 0;
            } else if (s->readers > 0 && s->measure) {
                s->raw_logs = true;
            }
            s->file[0] = '\0';
            row_t *r = &rows[done_runs];
            r->config = (int)i + 1;
            r->repeat = rep_no;
            r->s = s;
            r->nch = scn_channel_names(s, names, SCN_MAX_GEN_CHANNELS);
            char rb[64], wm[16];
            opt_text(s, "writer_mode", wm, sizeof wm);
            if (mode == MODE_BARE_READER)
                snprintf(wm, sizeof wm, "bare-reader");
            if (cfg[i].repeat > 1)
                snprintf(rb, sizeof rb, "config-%03zu-%s-%d", i + 1, wm, rep_no);
            else
                snprintf(rb, sizeof rb, "config-%03zu-%s", i + 1, wm);
            snprintf(r->dir, sizeof r->dir, "%s/%s", sweepdir, rb);
            double el = (double)(h5s_now_ns() - t0) / 1e9;
            double eta = done_runs ? el / (double)done_runs * (double)(nruns - done_runs) : 0;
            printf("[%zu/%zu] config %zu [%s] %s block_samples=%lld nchannels=%d readers=%lld poll_ms=%g "
                   "flush_every_blocks=%lld  elapsed %.0f s, ETA %.0f s\n",
                   done_runs + 1, nruns, i + 1, s->name, wm, (long long)s->block_samples, r->nch, (long long)s->readers,
                   s->poll_ms, (long long)s->flush_every_blocks, el, eta);
            fflush(stdout);
            if (mkdir(r->dir, 0755) != 0) {
                rc = fail(EXIT_FAIL, "%s: %s", r->dir, strerror(errno));
                stop = true;
                break;
            }
            char file[SCN_PATH + 96];
            snprintf(file, sizeof file, "%s/%s", r->dir,
                     mode == SCN_MODE_RAW    ? "data.raw"
                     : mode == SCN_MODE_BARE ? "data.h5"
                                             : "data.mth5");
            s->quiet = true;
            if (s->warmup)
                warm_up(r->dir, s, r->nch);
            if (interrupted_pending()) {
                printf("interrupted: %zu runs kept in %s\n", done_runs, sweepdir);
                stop = true;
                worst = 130;
                break;
            }
            if (orch_run(s, file, r->dir, rep, &err) < 0) {
                rc = fail(EXIT_FAIL, "%s", err.msg);
                stop = true;
                break;
            }
            if (rep->interrupted) {
                /* a configuration cut short is not a result */
                printf("interrupted: configuration %zu discarded, %zu runs kept in %s\n", i + 1, done_runs, sweepdir);
                stop = true;
                worst = 130;
                break;
            }
            snprintf(path, sizeof path, "%s/summary.json", r->dir);
            report_write_json(path, rep, r->dir, NULL);
            /* the bare readers' events stay out of the configuration's lag events (and plots) */
            fill_row(r, rep, mode == MODE_BARE_READER ? NULL : events);
            if (mode == MODE_BARE_READER) {
                base.bare_reader_p50_us = r->lag.n ? (double)r->lag.p50 / 1e3 : 0;
                base.bare_reader_p99_us = r->lag.n ? (double)r->lag.p99 / 1e3 : 0;
            } else if (mode == SCN_MODE_RAW) {
                base.raw_io = r->io_MBps;
                base.raw_call = r->call_MBps;
            } else if (mode == SCN_MODE_NOSWMR) {
                base.noswmr_io = r->io_MBps;
                base.noswmr_call = r->call_MBps;
            } else if (mode == SCN_MODE_BARE) {
                base.bare_call = r->call_MBps;
            }
            /* disk hygiene: a run that passed leaves its data file behind only with keep_data */
            if (!s->keep_data && r->exit_code == 0 && r->errors == 0 && unlink(file) == 0)
                r->data_deleted = true;
            if (r->exit_code && !worst)
                worst = r->exit_code;
            printf("        %s: %.1f MB/s (io %.1f MB/s), flush p50 %.1f us", wm, r->writer_MBps, r->io_MBps,
                   r->flush.p50_us);
            if (r->lag.n)
                printf(", lag p50 %.0f us p99 %.0f us, readers %.0f%% CPU", r->lag.p50 / 1e3, r->lag.p99 / 1e3,
                       r->reader_cpu_pct);
            if (r->errors)
                printf(", %llu ERRORS", (unsigned long long)r->errors);
            printf("\n");
            fflush(stdout);
            done_runs++;
        }
        if (mi < nmodes) {
            done_runs = first_run; /* a repeat cut short is not a result */
            break;
        }
        if (emit_repeat(rows, bases, first_run, done_runs, &base, csv, events, jrows) != 0) {
            printf("sweep: writing sweep.csv or lag_events.csv in %s failed: %s; stopping\n", sweepdir,
                   strerror(errno));
            stop = true;
        }
    }
    free(names);
    print_growth(stdout, rows, (int)done_runs, json);
    print_targets(stdout, rows, (int)done_runs, bases, json);
    free(bases);
    int werr = ferror(events) || ferror(csv) ? errno ? errno : EIO : 0;
    if (fclose(events) != 0 && !werr)
        werr = errno;
    if (fclose(csv) != 0 && !werr)
        werr = errno;
    char *text = cJSON_Print(json);
    cJSON_Delete(json);
    snprintf(path, sizeof path, "%s/sweep.json", sweepdir);
    FILE *jf = text ? fopen(path, "wx") : NULL;
    if (!jf && !werr)
        werr = text ? errno : ENOMEM;
    if (jf) {
        fputs(text, jf);
        fputc('\n', jf);
        if ((ferror(jf) | fclose(jf)) != 0 && !werr)
            werr = errno ? errno : EIO;
    }
    free(text);
    if (werr) {
        /* results that could not be written are no results: say so, fail */
        rc = fail(EXIT_FAIL, "writing the results in %s failed: %s", sweepdir, strerror(werr));
        stop = true;
    }
    printf("sweep: %zu of %zu runs in %.0f s; results in %s\n", done_runs, nruns, (double)(h5s_now_ns() - t0) / 1e9,
           sweepdir);
    if (plot && done_runs && !stop && !interrupted_pending()) {
        int prc = run_plot(sweepdir);
        if (prc != 0)
            printf("plots: not made (h5swmr plot exited %d)\n", prc);
    }
    free(rows);
    free(runs);
    free(rep);
    /* consume a pending stop request before unblocking, so it does not kill us */
    struct timespec zero = {0, 0};
    while (sigtimedwait(&stopset, NULL, &zero) > 0)
        worst = 130;
    sigprocmask(SIG_SETMASK, &oldmask, NULL);
    if (!rc)
        rc = worst;
done:
    free(axes);
    free(cfg);
    scn_file_free(&sf);
    return rc;
}

const cli_cmd_t cmd_sweep_def = {
    .name = "sweep",
    .synopsis = "SCENARIO [-o KEY=VALUE]... [-s KEY=V1,V2]... [--dry-run] [--no-plot] [--max-runs N]",
    .summary = "every combination of values, with baselines and plots",
    .handler = cmd_sweep,
    .needs_hdf5 = true,
};
