/* sweep_targets.c - what h5swmr sweep concludes after its runs: how the flush
 * cost grows with the channel count (and the cheaper flush call), and the
 * measurement targets that apply, each met or missed. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep.h"

/* Whether rows a and b are SWMR runs of the same job and flush call. */
static bool same_growth_group(const sweep_row_t *a, const sweep_row_t *b)
{
    return a->s->writer_mode == SCN_MODE_SWMR && b->s->writer_mode == SCN_MODE_SWMR &&
           !strcmp(a->s->name, b->s->name) && a->s->flush_call == b->s->flush_call;
}

/* Prints and returns the flush cost growth of the group of row j (its SWMR
 * runs of the same job and flush call), or NULL when the group has fewer
 * than two channel counts. The exponent tells linear (1) from quadratic (2);
 * it is reported over all counts and between the two largest (what matters
 * at the user's scale). */
static cJSON *group_growth(FILE *out, const sweep_row_t *rows, int n, int j)
{
    double x[256], y[256];
    int m = 0;
    for (int i = j; i < n && m < 256; i++)
        if (same_growth_group(&rows[i], &rows[j]) && rows[i].flush.n) {
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
        return NULL;
    double e = stats_loglog_slope(x, y, m);
    double top = log(y[hi] / y[lo]) / log(x[hi] / x[lo]);
    const char *call = rows[j].s->flush_call == SCN_DFLUSH ? "dflush" : "fflush";
    fprintf(out,
            "flush cost growth [%s] %s: round cost ~ N^%.2f over N = %g..%g, N^%.2f from %g to %g "
            "(%.1f us per channel at N = %g: %s)\n",
            rows[j].s->name, call, e, x[lo] < x[0] ? x[lo] : x[0], x[hi], top, x[lo], x[hi], y[hi] / x[hi], x[hi],
            stats_growth_class(top).cls);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "job", rows[j].s->name);
    cJSON_AddStringToObject(o, "flush_call", call);
    cJSON_AddNumberToObject(o, "exponent", e);
    cJSON_AddNumberToObject(o, "exponent_top", top);
    cJSON_AddNumberToObject(o, "n_max", x[hi]);
    cJSON_AddNumberToObject(o, "per_channel_us_at_n_max", y[hi] / x[hi]);
    return o;
}

/* Prints the recommendation of each job measured with both flush calls at
 * the same largest count: the call that is cheaper per channel there. */
static void recommend_flush_call(FILE *out, cJSON *g, cJSON *json)
{
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
}

/* The flush cost growth of every (job, flush call) group with two or more
 * channel counts, then the recommended call; both go into json. */
void sweep_print_growth(FILE *out, const sweep_row_t *rows, int n, cJSON *json)
{
    cJSON *g = cJSON_CreateArray();
    for (int j = 0; j < n; j++) {
        if (rows[j].s->writer_mode != SCN_MODE_SWMR)
            continue;
        bool first = true; /* the first SWMR row of its (job, call) group */
        for (int k = 0; k < j && first; k++)
            first = !same_growth_group(&rows[k], &rows[j]);
        cJSON *o = first ? group_growth(out, rows, n, j) : NULL;
        if (o)
            cJSON_AddItemToArray(g, o);
    }
    recommend_flush_call(out, g, json);
    cJSON_AddItemToObject(json, "flush_growth", g);
}

/* One check of a target: a measured figure against its limit. A figure
 * estimated from few samples carries its 95 % interval [lo, hi]; a limit
 * that is itself measured (a bare reader's floor) carries the upper end of
 * its interval as limit_hi. Without intervals lo = hi = measured and
 * limit_hi = limit. */
typedef struct target_check {
    double measured, limit;
    bool le; /* the figure must stay at or below the limit (else at or above) */
    const char *unit;
    double lo, hi, limit_hi;
    int repeats; /* > 0: the figure is the median of paired ratios of that many repeats, [lo, hi] their range */
} target_check_t;

enum { TARGET_MET, TARGET_INCONCLUSIVE, TARGET_MISSED };

/* A check without intervals. */
static target_check_t exact_check(double measured, double limit, bool le, const char *unit)
{
    return (target_check_t){measured, limit, le, unit, measured, measured, limit, 0};
}

/* How far above the bare HDF5 reader's figure h5swmr's reader may be and
 * still be at the floor: the same calls plus its verification and tree walk
 * may cost that much, and a p99 of a few hundred events moves about as much
 * between runs of the same reader. */
#define FLOOR_TOLERANCE 1.10

/* A check of a lag percentile (ns in the summary, us in the check) against a
 * limit in us, or against the bare reader's figure (FLOOR_TOLERANCE times it)
 * where that is higher - the floor - then with the floor's interval. */
static target_check_t lag_check(double value_ns, double lo_ns, double hi_ns, double limit, double floor,
                                double floor_hi)
{
    bool floored = FLOOR_TOLERANCE * floor > limit;
    return (target_check_t){value_ns / 1e3, floored ? FLOOR_TOLERANCE * floor : limit,    true, " us", lo_ns / 1e3,
                            hi_ns / 1e3,    floored ? FLOOR_TOLERANCE * floor_hi : limit, 0};
}

/* Met when the figure holds; missed only when even the end of its interval
 * nearest the limit is beyond the limit's far end (noise cannot explain the
 * difference); inconclusive in between: the samples do not decide. */
static int check_verdict(const target_check_t *c)
{
    if (c->le ? c->measured <= c->limit : c->measured >= c->limit)
        return TARGET_MET;
    if (c->le ? c->lo > (c->limit_hi > c->limit ? c->limit_hi : c->limit) : c->hi < c->limit)
        return TARGET_MISSED;
    return TARGET_INCONCLUSIVE;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* A check of a ratio paired within each repeat: the median of the m values
 * v (sorted here) against limit, with their range as the interval: met when
 * the median holds, missed when every repeat misses, inconclusive between. */
static target_check_t repeat_check(double *v, int m, double limit)
{
    qsort(v, (size_t)m, sizeof *v, cmp_double);
    double med = m % 2 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2;
    return (target_check_t){med, limit, false, "", v[0], v[m - 1], limit, m};
}

/* The throughput targets of configuration c (a flat-out writer with a flush
 * per block of 64 KiB or 1 MiB), over the SWMR rows of all its repeats, each
 * paired with the references of its own repeat: h5swmr's SWMR writer per
 * call at least 0.9 of the standalone floor's (h5floor) and, at 1 MiB, of
 * HDF5 without SWMR; raw pwrite, which writes the same bytes with no HDF5, at
 * least as fast as the SWMR writer. Fills what; returns the number of checks. */
static int throughput_checks(const sweep_row_t *rows, int n, const sweep_base_t *bases, int c, target_check_t *chk,
                             char *what, size_t cap)
{
    double fl[64], raw[64], nos[64];
    int nf = 0, nr = 0, nn = 0, nc = 0;
    const scn_t *s = NULL;
    for (int k = 0; k < n; k++) {
        const sweep_row_t *r = &rows[k];
        if (r->config != c || r->s->writer_mode != SCN_MODE_SWMR || r->call_MBps <= 0 || nf == 64 || nr == 64)
            continue;
        s = r->s;
        if (bases[k].floor_call > 0)
            fl[nf++] = r->call_MBps / bases[k].floor_call;
        if (bases[k].raw_io > 0 && r->io_MBps > 0)
            raw[nr++] = bases[k].raw_io / r->io_MBps;
        if (bases[k].noswmr_call > 0)
            nos[nn++] = r->call_MBps / bases[k].noswmr_call;
    }
    if (!s)
        return 0;
    int64_t bytes = s->block_samples * (s->dtype == 1 ? 8 : 4);
    char *p = what;
    size_t left = cap;
    int w = snprintf(p, left, "[%.64s] %lld KiB blocks, H5Dflush per block, median of repeats:", s->name,
                     (long long)bytes / 1024);
    if (nf) {
        chk[nc++] = repeat_check(fl, nf, 0.9);
        w += snprintf(p + w, left - (size_t)w, " SWMR per-call p50 / h5floor's (the standalone floor);");
    }
    if (bytes == 1 << 20 && nn) {
        chk[nc++] = repeat_check(nos, nn, 0.9);
        w += snprintf(p + w, left - (size_t)w, " SWMR per-call p50 / non-SWMR's;");
    }
    if (nr) {
        chk[nc++] = repeat_check(raw, nr, 1.0);
        snprintf(p + w, left - (size_t)w, " raw pwrite io / SWMR io (raw is the fastest writer, else suspect)");
    }
    return nc;
}

/* The lag targets of a run with readers, by how they wait: busy polling,
 * polling every poll_ms, or inotify; the number of checks. Where a bare HDF5
 * reader loop (the same HDF5 calls on the same channels) measured in the same
 * repeat cannot reach a limit either, that loop's figure is the floor
 * h5swmr's reader is held to. */
static int lag_checks(const sweep_row_t *r, const sweep_base_t *b, target_check_t *chk, char *what, size_t cap)
{
    const scn_t *s = r->s;
    const stats_summary_t *l = &r->lag;
    int nc = 0;
    if (s->reader_wait == SCN_WAIT_POLL && s->poll_ms == 0) {
        /* the floor: the bare HDF5 reader of the same repeat, or h5floor's
         * busy-poll loop where that is higher (h5floor's figure has no interval) */
        double f50 = b->bare_reader_p50_us, f50hi = b->bare_reader_p50_hi_us;
        double f99 = b->bare_reader_p99_us, f99hi = b->bare_reader_p99_hi_us;
        if (b->floor_lag_p50_us > f50)
            f50 = f50hi = b->floor_lag_p50_us;
        if (b->floor_lag_p99_us > f99)
            f99 = f99hi = b->floor_lag_p99_us;
        snprintf(what, cap, "[%.64s] busy poll lag p50 <= 10 us, p99 <= 30 us (%lld readers)%s%s%s", s->name,
                 (long long)s->readers, f50 > 0 ? " or 1.1x the floor here" : "",
                 b->bare_reader_p50_us > 0 ? "; p50 within 1.5x of the bare HDF5 reader's" : "",
                 b->floor_lag_p50_us > 0 ? "; p50 within 1.5x h5floor's (the standalone floor)" : "");
        chk[nc++] = lag_check(l->p50, l->p50_lo, l->p50_hi, 10, f50, f50hi);
        chk[nc++] = lag_check(l->p99, l->p99_lo, l->p99_hi, 30, f99, f99hi);
        if (b->bare_reader_p50_us > 0)
            chk[nc++] = lag_check(l->p50, l->p50_lo, l->p50_hi, 0, 1.5 / FLOOR_TOLERANCE * b->bare_reader_p50_us,
                                  1.5 / FLOOR_TOLERANCE * b->bare_reader_p50_hi_us);
        if (b->floor_lag_p50_us > 0)
            chk[nc++] = lag_check(l->p50, l->p50_lo, l->p50_hi, 0, 1.5 / FLOOR_TOLERANCE * b->floor_lag_p50_us,
                                  1.5 / FLOOR_TOLERANCE * b->floor_lag_p50_us);
    } else if (s->reader_wait == SCN_WAIT_POLL) {
        double P = s->poll_ms * 1e3, f50 = b->bare_reader_p50_us, f99 = b->bare_reader_p99_us;
        bool fl = FLOOR_TOLERANCE * f50 > 0.6 * P || FLOOR_TOLERANCE * f99 > 1.1 * P + 50;
        snprintf(what, cap, "[%.64s] poll every %g ms: lag p50 <= 0.6 P, p99 <= 1.1 P + 50 us%s", s->name, s->poll_ms,
                 fl ? " or 1.1x the bare HDF5 reader's (the floor here)" : "");
        chk[nc++] = lag_check(l->p50, l->p50_lo, l->p50_hi, 0.6 * P, f50, b->bare_reader_p50_hi_us);
        chk[nc++] = lag_check(l->p99, l->p99_lo, l->p99_hi, 1.1 * P + 50, f99, b->bare_reader_p99_hi_us);
    } else if (s->reader_wait == SCN_WAIT_INOTIFY) {
        double f99 = b->bare_reader_p99_us;
        snprintf(what, cap, "[%.64s] inotify: lag p99 <= 200 us%s, reader CPU < 5%%", s->name,
                 FLOOR_TOLERANCE * f99 > 200 ? " or 1.1x the bare HDF5 reader's p99 (the floor here)" : "");
        chk[nc++] = lag_check(l->p99, l->p99_lo, l->p99_hi, 200, f99, b->bare_reader_p99_hi_us);
        chk[nc++] = exact_check(r->reader_cpu_pct, 5, true, " %");
    }
    return nc;
}

/* Prints one target line of row r - met when every check holds, missed when
 * one misses beyond its noise, inconclusive otherwise - and adds it to the
 * targets array t. */
static void report_target(FILE *out, cJSON *t, const sweep_row_t *r, const char *what, const target_check_t *chk,
                          int nc)
{
    static const char *const word[] = {"met", "inconclusive", "MISSED"};
    int v = TARGET_MET;
    char detail[512] = "";
    for (int k = 0; k < nc; k++) {
        int cv = check_verdict(&chk[k]);
        v = cv > v ? cv : v;
        size_t l = strlen(detail);
        snprintf(detail + l, sizeof detail - l, "%s%.3g%s %s %.3g", k ? ", " : "", chk[k].measured, chk[k].unit,
                 chk[k].le ? "<=" : ">=", chk[k].limit);
        bool sampled = chk[k].lo != chk[k].hi || chk[k].limit_hi != chk[k].limit; /* a figure with an interval */
        if (chk[k].repeats > 0) {
            l = strlen(detail);
            snprintf(detail + l, sizeof detail - l, " (%d repeat%s, %.3g..%.3g%s)", chk[k].repeats,
                     chk[k].repeats == 1 ? "" : "s", chk[k].lo, chk[k].hi,
                     cv == TARGET_INCONCLUSIVE ? ": not decided, more repeats needed" : "");
        } else if (cv != TARGET_MET && sampled) {
            l = strlen(detail);
            snprintf(detail + l, sizeof detail - l, " (95 %% interval %.3g..%.3g%s from %llu events%s)", chk[k].lo,
                     chk[k].hi, chk[k].unit, (unsigned long long)r->lag.n,
                     cv == TARGET_INCONCLUSIVE ? ": not decided, more events needed" : "");
        }
    }
    fprintf(out, "target %-6s config %d %s: %s\n", word[v], r->config, what, detail);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "config", r->config);
    cJSON_AddNumberToObject(o, "repeat", r->repeat);
    cJSON_AddStringToObject(o, "target", what);
    cJSON_AddStringToObject(o, "measured", detail);
    cJSON_AddBoolToObject(o, "met", v == TARGET_MET);
    cJSON_AddStringToObject(o, "verdict", word[v]);
    cJSON_AddItemToArray(t, o);
}

/* What measuring costs: each configuration run with measure = false against
 * the same configuration measured (best of the repeats of each). */
static void instrumentation_cost(FILE *out, const sweep_row_t *rows, int n, cJSON *t)
{
    char what[512];
    for (int i = 0; i < n; i++) {
        const scn_t *s = rows[i].s;
        if (s->measure || s->writer_mode != SCN_MODE_SWMR)
            continue;
        bool first = true;
        double off = 0, on = 0;
        for (int k = 0; k < n; k++) {
            const scn_t *a = rows[k].s;
            if (strcmp(a->name, s->name) || a->block_samples != s->block_samples || a->nchannels != s->nchannels ||
                a->readers != s->readers || a->writer_mode != SCN_MODE_SWMR)
                continue;
            if (!a->measure && k < i && rows[k].config == rows[i].config)
                first = false;
            if (a->measure && rows[k].io_MBps > on)
                on = rows[k].io_MBps;
            if (!a->measure && rows[k].config == rows[i].config && rows[k].io_MBps > off)
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
        cJSON_AddStringToObject(o, "verdict", met ? "met" : "MISSED");
        cJSON_AddItemToArray(t, o);
    }
}

/* The measurement targets, evaluated on the rows that apply. Reported, never
 * enforced: a missed target is information about this machine. */
void sweep_print_targets(FILE *out, const sweep_row_t *rows, int n, const sweep_base_t *bases, cJSON *json)
{
    cJSON *t = cJSON_CreateArray();
    char what[512];
    for (int i = 0; i < n; i++) {
        const sweep_row_t *r = &rows[i];
        const scn_t *s = r->s;
        int64_t bytes = s->block_samples * (s->dtype == 1 ? 8 : 4);
        target_check_t chk[4];
        int nc = 0;
        if (s->writer_mode != SCN_MODE_SWMR || s->reader_mode != SCN_READER_H5SWMR)
            continue;            /* baselines are the references, not the subject */
        bool own_readers = true; /* the targets are h5swmr's reader's; external clients are compared, not judged */
        for (int k = 0; k < s->readers && own_readers; k++)
            own_readers = scn_reader_kind(s, k) == SCN_KIND_H5SWMR;
        if (!own_readers && s->readers > 0)
            continue;
        bool first_of_config = true;
        for (int k = 0; k < i && first_of_config; k++) /* its first SWMR row */
            first_of_config = rows[k].config != r->config || rows[k].s->writer_mode != SCN_MODE_SWMR;
        if (bases[i].raw_io > 0 && s->flush_every_blocks == 1 && (bytes == 1 << 20 || bytes == 1 << 16)) {
            if (first_of_config)
                nc = throughput_checks(rows, n, bases, r->config, chk, what, sizeof what);
        } else if (r->lag.n && s->readers > 0)
            nc = lag_checks(r, &bases[i], chk, what, sizeof what);
        if (nc)
            report_target(out, t, r, what, chk, nc);
    }
    instrumentation_cost(out, rows, n, t);
    cJSON_AddItemToObject(json, "targets", t);
}
