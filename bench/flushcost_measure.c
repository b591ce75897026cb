/* flushcost_measure.c - the measurement of `h5swmr flushcost`: for one
 * dataset count N and one flush call, fresh MTH5 files with N float32
 * channels in one run, opened in SWMR-write mode; every round appends one
 * block to every channel (corked) and then flushes, and only the flush is
 * timed.
 *
 * Flush cost also grows with the file's history (the chunks written so far:
 * at N = 1, 1000 rounds of 64-sample chunks double the per-round cost of the
 * first 20), so every count gets the same number of rounds per file and more
 * samples come from more fresh files, never from longer files. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flushcost.h"
#include "mth5.h"
#include "util.h"

static const char *const FC_SURVEY = "flushcost", *const FC_STATION = "fc01", *const FC_RUN = "001";

volatile sig_atomic_t g_fc_stop;

/* Channel i: ex, ey, hx, hy, hz, then aux0005, aux0006, ... */
static void fc_channel_name(long i, char *buf, size_t cap, mth5_ctype_t *type)
{
    static const char *const mt[] = {"ex", "ey", "hx", "hy", "hz"};
    if (i < 5) {
        snprintf(buf, cap, "%s", mt[i]);
        *type = i < 2 ? MTH5_ELECTRIC : MTH5_MAGNETIC;
    } else {
        snprintf(buf, cap, "aux%04ld", i);
        *type = MTH5_AUXILIARY;
    }
}

/* Creates path with n empty channels (no SWMR), then closes it. */
static int fc_create_file(const char *path, long n, long chunk, h5s_err_t *err)
{
    mth5_t *m = NULL;
    int rc = mth5_open(path, "x", false, &m, err);
    if (rc < 0)
        return rc;
    mth5_set_stop_flag(m, &g_fc_stop);
    if ((rc = mth5_add_survey(m, FC_SURVEY, err)) < 0 ||
        (rc = mth5_add_station(m, FC_SURVEY, FC_STATION, NULL, err)) < 0 ||
        (rc = mth5_add_run(m, FC_SURVEY, FC_STATION, FC_RUN, 1.0, NULL, err)) < 0)
        goto done;
    for (long i = 0; i < n; i++) {
        char name[32];
        mth5_channel_opts_t co = {0};
        fc_channel_name(i, name, sizeof name, &co.type);
        co.name = name;
        co.dtype = MTH5_FLOAT32;
        co.chunk = (hsize_t)chunk;
        if ((rc = mth5_add_channel(m, FC_SURVEY, FC_STATION, FC_RUN, &co, NULL, err)) < 0)
            goto done;
        if (g_fc_stop) {
            rc = h5s_seterr(err, H5S_EINTR, "interrupted");
            goto done;
        }
    }
done:
    /* a scratch file: when it is given up, closing it need not rebuild the
     * channel summary table (which takes many seconds at 100,000 channels) */
    if (rc < 0 || g_fc_stop)
        mth5_skip_summary_rebuild(m);
    int crc = mth5_close(m, rc < 0 ? NULL : err);
    if (rc == 0 && crc == 0 && g_fc_stop)
        return h5s_seterr(err, H5S_EINTR, "interrupted");
    return rc < 0 ? rc : crc;
}

/* One round: append a block to every channel (corked), then flush with call.
 * Adds the append and flush times (ns) to ap and fl when they are not NULL. */
static int fc_round(mth5_t *m, mth5_channel_t **ch, long n, const float *buf, long block, int call, stats_buf_t *ap,
                    stats_buf_t *fl, h5s_err_t *err)
{
    int rc;
    int64_t t0 = h5s_now_ns();
    /* a round of 100,000 datasets takes minutes: every dataset checks for
     * Ctrl-C and SIGTERM (one load of a flag, not a measurable cost) */
    for (long i = 0; i < n; i++) {
        if (g_fc_stop)
            return h5s_seterr(err, H5S_EINTR, "interrupted");
        if ((rc = mth5_channel_append(ch[i], buf, (size_t)block, true, err)) < 0)
            return rc;
    }
    int64_t t1 = h5s_now_ns();
    if (call == FC_DFLUSH) {
        for (long i = 0; i < n; i++) {
            if (g_fc_stop)
                return h5s_seterr(err, H5S_EINTR, "interrupted");
            if ((rc = mth5_channel_flush(ch[i], err)) < 0)
                return rc;
        }
    } else if ((rc = mth5_flush(m, err)) < 0)
        return rc;
    int64_t t2 = h5s_now_ns();
    if ((ap && stats_add(ap, t1 - t0) < 0) || (fl && stats_add(fl, t2 - t1) < 0))
        return h5s_seterr(err, H5S_ENOMEM, "out of memory");
    return 0;
}

/* Measures one fresh file of n datasets: one warm-up round, then o->rounds
 * timed rounds whose times are added to ap and fl. The scratch file is
 * removed in every case. */
static int fc_measure_file(const fc_opts_t *o, const char *path, long n, int call, stats_buf_t *ap, stats_buf_t *fl,
                           h5s_err_t *err)
{
    mth5_t *m = NULL;
    mth5_channel_t **ch = NULL;
    float *buf = NULL;
    int rc;

    if (g_fc_stop)
        return h5s_seterr(err, H5S_EINTR, "interrupted");
    if ((rc = fc_create_file(path, n, o->block, err)) < 0)
        goto done;
    if ((rc = mth5_open(path, "a", true, &m, err)) < 0)
        goto done;
    mth5_set_stop_flag(m, &g_fc_stop);
    ch = calloc((size_t)n, sizeof *ch);
    buf = malloc((size_t)o->block * sizeof *buf);
    if (!ch || !buf) {
        rc = h5s_seterr(err, H5S_ENOMEM, "out of memory");
        goto done;
    }
    for (long i = 0; i < o->block; i++)
        buf[i] = 1.0f + (float)(i % 1000);
    for (long i = 0; i < n; i++) {
        char name[32];
        mth5_ctype_t t;
        if (g_fc_stop) {
            rc = h5s_seterr(err, H5S_EINTR, "interrupted");
            goto done;
        }
        fc_channel_name(i, name, sizeof name, &t);
        if ((rc = mth5_channel_open(m, FC_SURVEY, FC_STATION, FC_RUN, name, &ch[i], err)) < 0)
            goto done;
    }
    /* warm-up: the first round allocates and caches what later rounds reuse */
    if ((rc = fc_round(m, ch, n, buf, o->block, call, NULL, NULL, err)) < 0)
        goto done;
    for (long r = 0; r < o->rounds; r++) {
        if (g_fc_stop) {
            rc = h5s_seterr(err, H5S_EINTR, "interrupted");
            goto done;
        }
        if ((rc = fc_round(m, ch, n, buf, o->block, call, ap, fl, err)) < 0)
            goto done;
    }
    rc = 0;
done:
    if (m) {
        /* channels opened through m are closed by mth5_close */
        int crc = mth5_close(m, rc < 0 ? NULL : err);
        if (rc == 0)
            rc = crc;
    }
    free(ch);
    free(buf);
    if (unlink(path) != 0 && errno != ENOENT && rc == 0)
        rc = h5s_seterr(err, H5S_ESYS, "cannot remove scratch file '%s': %s", path, strerror(errno));
    return rc;
}

/* Measures one configuration (n datasets, one flush call) into row: fresh
 * files of o->rounds rounds each until o->budget_s has passed (at least one,
 * at most FC_MAX_FILES), so that every count sees the same file history. */
int fc_measure(const fc_opts_t *o, const char *dir, long n, int call, fc_row_t *row, h5s_err_t *err)
{
    char path[PATH_MAX];
    stats_buf_t ap = {.limit = STATS_UNLIMITED}, fl = {.limit = STATS_UNLIMITED};
    int rc = 0;

    memset(row, 0, sizeof *row);
    row->n = n;
    row->call = call;
    if (snprintf(path, sizeof path, "%s/flushcost-%ld-n%ld-%s.mth5", dir, (long)getpid(), n, fc_call_key[call]) >=
        (int)sizeof path)
        return h5s_seterr(err, H5S_EINVAL, "scratch directory path too long");
    int64_t start = h5s_now_ns(), budget = (int64_t)(o->budget_s * 1e9);
    do {
        if ((rc = fc_measure_file(o, path, n, call, &ap, &fl, err)) < 0)
            break;
        row->files++;
    } while (row->files < FC_MAX_FILES && h5s_now_ns() - start < budget);
    if (rc == 0) {
        row->flush = stats_summarize(&fl);
        row->append = stats_summarize(&ap);
    }
    stats_free(&ap);
    stats_free(&fl);
    return rc;
}
