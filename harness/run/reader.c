/* reader.c - the reader role: wait for READY, open with SWMR_READ, poll by the
 * scenario's strategy, verify every new sample, measure visibility lag. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "crash.h"
#include "lag.h"
#include "mth5.h"
#include "orch.h"
#include "pattern.h"
#include "proto.h"
#include "util.h"

#define READ_MAX_SAMPLES (1u << 20)

typedef struct rchan {
    char path[sizeof(((mth5_summary_row_t *)0)->path)];
    mth5_channel_t *ch;
    uint64_t key;
    uint64_t read;    /* samples read and verified */
    bool first;       /* the writer's first channel: lag is measured on it */
    uint64_t min_bad; /* the lowest bad index seen, UINT64_MAX if none */
} rchan_t;

typedef struct rstate {
    const role_ctx_t *c;
    const scn_t *s;
    scn_refresh_t strategy;
    mth5_t *m;
    rchan_t *ch;
    size_t nch, capch;
    uint64_t nruns;
    void *buf;
    pat_check_t check;
    proto_result_t r;
    stats_buf_t poll_cost;
    lag_t lag;             /* lag per flushed block of the first channel (lag.h) */
    int64_t wake_early_ns; /* how early paced_wait aims, learnt from its wake-ups */
    char first_path[512];
    int64_t last_report;
    uint64_t reported_samples, reported_channels, reported_runs;
    char name[48];   /* "Reader N", or "Reader N (name)" with reader_name: how it signs its lines */
    bool unopenable; /* a fault left the file unopenable: reading ended */
    FILE *log;       /* raw lag events, or NULL */
    bool stopping;   /* STOP (or EOF) seen: catching up until stop_deadline */
    int64_t stop_deadline;
    int ino;               /* inotify fd (reader_wait = inotify), or -1 */
    int64_t t_retries_ns;  /* when the live retry count was last published */
    uint64_t live_retries; /* metadata read retries so far, as last published */
    h5s_err_t err;
} rstate_t;

#define say(rs, ...) h5s_say((rs)->s->quiet, (rs)->name, __VA_ARGS__)

/* The open file's metadata read retries (H5Fget_metadata_read_retry_info). */
static uint64_t file_retries(const rstate_t *rs)
{
    H5F_retry_info_t info;
    uint64_t n = 0;
    if (!rs->m || H5Fget_metadata_read_retry_info(mth5_fid(rs->m), &info) < 0) {
        H5Eclear2(H5E_DEFAULT);
        return 0;
    }
    for (unsigned i = 0; i < H5F_NUM_METADATA_READ_RETRY_TYPES; i++) {
        if (!info.retries[i])
            continue;
        for (unsigned k = 0; k < info.nbins; k++)
            n += info.retries[i][k];
        H5free_memory(info.retries[i]);
    }
    return n;
}

/* Adds the open file's metadata read retries to the result. */
static void count_retries(rstate_t *rs)
{
    rs->r.retries += file_retries(rs);
}

/* Publishes what the reader is inside now (PROTO_CALL_*). */
static void in_call(const rstate_t *rs, int call)
{
    proto_call(rs->c->shm, rs->c->index, call);
}

/* Publishes a completed poll, with the retries so far (counted at most
 * every 250 ms: the count costs a call into HDF5). */
static void publish_poll(rstate_t *rs)
{
    int64_t now = h5s_now_ns();
    if (now - rs->t_retries_ns >= 250000000LL) {
        rs->live_retries = rs->r.retries + file_retries(rs);
        rs->t_retries_ns = now;
    }
    proto_progress(rs->c->shm, rs->c->index, rs->live_retries);
}

/* Adds the metadata read retries, then closes every channel and the file. */
static void close_all(rstate_t *rs)
{
    count_retries(rs);
    for (size_t i = 0; i < rs->nch; i++) {
        mth5_channel_close(rs->ch[i].ch);
        rs->ch[i].ch = NULL;
    }
    if (rs->m)
        mth5_close(rs->m, NULL);
    rs->m = NULL;
}

/* Opens the file for SWMR reading and every known channel, noting the time
 * of the first open. If the injected file-size limit left the file
 * unopenable, marks it so and says why in the observation. Returns 0 or a
 * negative error code (in rs->err). */
static int open_file(rstate_t *rs)
{
    int rc = mth5_open(rs->c->file, "r", true, &rs->m, &rs->err);
    if (rc == H5S_ENOTHDF5 && rs->s->writer_fsize_limit_mb > 0 && rs->err.cause == H5S_CAUSE_TRUNCATED) {
        /* the injected file-size limit cut a write short: the file is not
         * openable again until it is recovered; a consequence of the fault */
        rs->unopenable = true;
        snprintf(rs->r.observation, sizeof rs->r.observation,
                 "stopped reading: after the file-size limit cut a write short, the file could not be opened "
                 "again (%.250s)",
                 rs->err.msg);
    }
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < rs->nch; i++)
        if ((rc = mth5_channel_open_path(rs->m, rs->ch[i].path, &rs->ch[i].ch, &rs->err)) < 0)
            return rc;
    if (rs->r.t_open_ns == 0)
        rs->r.t_open_ns = h5s_now_ns();
    return 0;
}

/* Walks the tree (refreshing groups unless the strategy is none) and starts
 * following channels not seen before. */
static int rescan(rstate_t *rs)
{
    mth5_summary_row_t *rows = NULL;
    size_t n = 0;
    int rc = mth5_channel_summary_ex(rs->m, rs->strategy == SCN_NONE ? MTH5_REFRESH_NONE : MTH5_REFRESH_OBJECT, &rows,
                                     &n, &rs->err);
    if (rc < 0)
        return rc;
    uint64_t runs = 0;
    for (size_t i = 0; i < n; i++) {
        bool newrun = true;
        for (size_t j = 0; j < i && newrun; j++)
            if (!strcmp(rows[j].survey, rows[i].survey) && !strcmp(rows[j].station, rows[i].station) &&
                !strcmp(rows[j].run, rows[i].run))
                newrun = false;
        runs += newrun;
        size_t k;
        for (k = 0; k < rs->nch; k++)
            if (!strcmp(rs->ch[k].path, rows[i].path))
                break;
        if (k < rs->nch)
            continue;
        if (rs->nch == rs->capch) {
            size_t cap = rs->capch ? rs->capch * 2 : 16;
            void *p = realloc(rs->ch, cap * sizeof *rs->ch);
            if (!p) {
                free(rows);
                return h5s_seterr(&rs->err, H5S_ENOMEM, "out of memory");
            }
            rs->ch = p;
            rs->capch = cap;
        }
        rchan_t *c = &rs->ch[rs->nch];
        memset(c, 0, sizeof *c);
        snprintf(c->path, sizeof c->path, "%s", rows[i].path);
        c->key = pat_key(c->path);
        c->first = !strcmp(c->path, rs->first_path);
        c->min_bad = UINT64_MAX;
        if ((rc = mth5_channel_open_path(rs->m, c->path, &c->ch, &rs->err)) < 0) {
            free(rows);
            return rc;
        }
        /* the first channel is polled first, as the bare reader polls it:
         * its lag is the one measured */
        if (c->first && rs->nch > 0) {
            rchan_t t = rs->ch[0];
            rs->ch[0] = *c;
            *c = t;
        }
        rs->nch++;
    }
    free(rows);
    if (runs > rs->nruns)
        rs->nruns = runs;
    return 0;
}

/* Whether reading must end now: STOP was seen (noticed here between chunks
 * of a long read, too) and the catch-up time - half of stop_timeout, the rest
 * left for reporting - has passed. */
static bool out_of_time(rstate_t *rs)
{
    if (!rs->stopping && proto_stop_requested(rs->c)) {
        rs->stopping = true;
        rs->stop_deadline = h5s_now_ns() + (int64_t)(rs->s->stop_timeout_s * 0.5e9);
        lag_stop(&rs->lag, h5s_now_ns());
    }
    return rs->stopping && h5s_now_ns() >= rs->stop_deadline;
}

/* Reads and verifies samples up to len. *t_seen gets the time the new data
 * was in hand and its last sample checked (the visibility moment), before the
 * full verification, whose cost is ours, not HDF5's. */
static int read_new(rstate_t *rs, rchan_t *c, uint64_t len, int64_t *t_seen)
{
    const scn_t *s = rs->s;
    mth5_dtype_t dt = mth5_channel_dtype(c->ch);
    *t_seen = h5s_now_ns();
    while (c->read < len) {
        if (out_of_time(rs))
            return 1; /* partly read: the rest is unread, counted at the end */
        size_t n = len - c->read > READ_MAX_SAMPLES ? READ_MAX_SAMPLES : (size_t)(len - c->read);
        if (s->verify) {
            int rc = mth5_channel_read(c->ch, c->read, n, rs->buf, &rs->err);
            if (rc < 0)
                return rc;
            if (c->read + n == len) {
                pat_check_t last = {0};
                size_t sz = mth5_dtype_size(dt);
                pat_verify(dt, c->key, len - 1, 1, (const char *)rs->buf + (n - 1) * sz, &last);
                *t_seen = h5s_now_ns();
            }
            pat_check_t here = {0};
            if (pat_verify(dt, c->key, c->read, n, rs->buf, &here)) {
                if (rs->check.mismatches + rs->check.fills == 0)
                    snprintf(rs->r.msg, sizeof rs->r.msg, "%.300s[%llu] = %g, expected %d%s", c->path,
                             (unsigned long long)here.first_bad, here.first_value, here.first_expected,
                             here.first_value == 0 ? " (fill value)" : "");
                rs->check.mismatches += here.mismatches;
                rs->check.fills += here.fills;
                if (here.first_bad < c->min_bad)
                    c->min_bad = here.first_bad;
            }
            rs->r.bytes += n * mth5_dtype_size(dt);
        }
        rs->r.samples += n;
        c->read += n;
    }
    return 0;
}

/* Sets len to the channel's length: refreshed from the file, or, with
 * strategy none, the extent this process's metadata cache holds. Returns 0
 * or a negative error code (in rs->err). */
static int channel_extent(rstate_t *rs, rchan_t *c, uint64_t *len)
{
    if (rs->strategy != SCN_NONE)
        return mth5_channel_refresh(c->ch, len, &rs->err);
    /* no refresh: what this process's metadata cache says */
    hid_t sp = H5Dget_space(mth5_channel_did(c->ch));
    hsize_t d[1] = {0};
    if (sp < 0)
        return h5s_seterr_h5(&rs->err, H5S_EHDF5, "H5Dget_space failed");
    H5Sget_simple_extent_dims(sp, d, NULL);
    H5Sclose(sp);
    *len = d[0];
    return 0;
}

/* H5Literate callback that counts the links of a station that are runs (not
 * Transfer_Functions, Fourier_Coefficients or Features) in the uint64_t at
 * data; it also crashes on purpose when a crash test inside the walk is set. */
static herr_t count_cb(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)g;
    (void)info;
    if (crash_test_in_walk())
        crash_test();
    if (strcmp(name, "Transfer_Functions") && strcmp(name, "Fourier_Coefficients") && strcmp(name, "Features"))
        (*(uint64_t *)data)++;
    return 0;
}

/* Counts the run links of the station as this reader's strategy sees them:
 * the held file's cache (none), after H5Orefresh (refresh), or a new open (reopen). */
static void count_runs(rstate_t *rs)
{
    char path[512];
    snprintf(path, sizeof path, "/Experiment/Surveys/%.63s/Stations/%.63s", rs->s->survey, rs->s->station);
    hid_t g = H5Oopen(mth5_fid(rs->m), path, H5P_DEFAULT);
    if (g < 0) {
        H5Eclear2(H5E_DEFAULT);
        return;
    }
    uint64_t n = 0;
    hsize_t idx = 0;
    _Atomic int *phase = &rs->c->shm->reader_phase[rs->c->index];
    atomic_store(phase, READER_WALKING);
    if ((rs->strategy != SCN_REFRESH || H5Orefresh(g) >= 0) &&
        H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, count_cb, &n) >= 0 && n > rs->nruns)
        rs->nruns = n;
    atomic_store(phase, READER_OTHER);
    H5Oclose(g);
    H5Eclear2(H5E_DEFAULT);
}

/* A walk that fails on objects created under SWMR is an observation in the
 * structure workload (HDF5 does not support it), an error otherwise. */
static int rescan_observed(rstate_t *rs)
{
    _Atomic int *phase = &rs->c->shm->reader_phase[rs->c->index];
    atomic_store(phase, READER_WALKING);
    int rc = rescan(rs);
    atomic_store(phase, READER_OTHER);
    if (rs->s->workload == SCN_STRUCTURE) {
        count_runs(rs);
        if (rc < 0 && rc != H5S_ENOMEM) {
            if (!rs->r.walk_failures++) {
                snprintf(rs->r.observation, sizeof rs->r.observation, "%.399s", rs->err.msg);
                say(rs, "Observed: %s", rs->err.msg);
            }
            h5s_err_clear(&rs->err);
            rc = 0;
        }
    }
    return rc;
}

/* Narrates what changed since the last report (runs, channels, samples of
 * the first channel) and counts it as an update; without force, not more
 * often than every report_ms. */
static void report(rstate_t *rs, bool force)
{
    uint64_t first = 0;
    for (size_t i = 0; i < rs->nch; i++)
        if (rs->ch[i].first)
            first = rs->ch[i].read;
    bool changed = first != rs->reported_samples || rs->nch != rs->reported_channels || rs->nruns != rs->reported_runs;
    if (!changed)
        return;
    int64_t now = h5s_now_ns();
    if (!force && rs->s->report_ms > 0 && (double)(now - rs->last_report) < rs->s->report_ms * 1e6)
        return;
    rs->r.updates++;
    if (rs->s->workload == SCN_STRUCTURE || rs->nch != rs->reported_channels) {
        long long delta = (long long)rs->nch - (long long)rs->reported_channels;
        say(rs, "Update: %llu runs, %zu channels (+%lld new)", (unsigned long long)rs->nruns, rs->nch, delta);
    }
    if (first != rs->reported_samples)
        say(rs, "Data update: %llu total samples (+%llu new)", (unsigned long long)first,
            (unsigned long long)(first - rs->reported_samples));
    rs->reported_samples = first;
    rs->reported_channels = rs->nch;
    rs->reported_runs = rs->nruns;
    rs->last_report = now;
}

/* One poll: reopens the file (strategy reopen), reads what the known
 * channels gained, with rescan_now also looks for new channels and reads the
 * summary table, then resolves lags and reports. Returns 0 or a negative
 * error code (in rs->err). */
static int poll_once(rstate_t *rs, bool rescan_now)
{
    int rc;
    int64_t t0 = h5s_now_ns();
    uint64_t got = 0;
    if (rs->strategy == SCN_REOPEN) {
        close_all(rs);
        in_call(rs, PROTO_CALL_OPEN);
        if ((rc = open_file(rs)) < 0)
            return rc;
    }
    /* the channels already known first, then (rescan_now) a look for new
     * ones: a tree walk before the reads would add its time to every lag
     * that falls into a rescan poll */
    bool rescanned = !rescan_now;
again:
    for (size_t i = 0; i < rs->nch; i++) {
        rchan_t *c = &rs->ch[i];
        uint64_t len;
        in_call(rs, PROTO_CALL_REFRESH);
        if ((rc = channel_extent(rs, c, &len)) < 0)
            return rc;
        in_call(rs, PROTO_CALL_NONE);
        if (len <= c->read)
            continue;
        got += len - c->read;
        int64_t t_seen;
        in_call(rs, PROTO_CALL_READ);
        if ((rc = read_new(rs, c, len, &t_seen)) < 0)
            return rc;
        in_call(rs, PROTO_CALL_NONE);
        if (rc > 0)
            break; /* out of time: no lag for a block not wholly read */
        if (c->first)
            proto_seen(rs->c->shm, rs->c->index, len);
        if (c->first && rs->s->measure)
            lag_observe(&rs->lag, len, t_seen);
    }
    if (!rescanned) {
        rescanned = true;
        size_t known = rs->nch;
        in_call(rs, PROTO_CALL_WALK);
        if ((rc = rescan_observed(rs)) < 0)
            return rc;
        in_call(rs, PROTO_CALL_NONE);
        if (rs->nch != known)
            goto again; /* read what the new channels already hold */
    }
    if (rs->s->read_summary_table && rescan_now) {
        mth5_table_row_t *rows = NULL;
        size_t n = 0;
        in_call(rs, PROTO_CALL_TABLE);
        int trc = mth5_summary_table_read(rs->m, &rows, &n, &rs->err);
        in_call(rs, PROTO_CALL_NONE);
        if (trc == 0)
            for (size_t i = 0; i < n; i++)
                if (rows[i].n_samples > rs->r.table_samples)
                    rs->r.table_samples = rows[i].n_samples;
        free(rows);
    }
    rs->r.polls++;
    publish_poll(rs);
    if (got == 0 && !rescan_now && rs->s->measure)
        stats_add(&rs->poll_cost, h5s_now_ns() - t0);
    if (rs->s->measure) {
        lag_begin(&rs->lag, h5s_now_ns()); /* the first poll is the first observation */
        lag_resolve(&rs->lag);
    }
    report(rs, false);
    return 0;
}

/* Waits for a file change or a control byte until deadline: returns the
 * control byte, 0 for a change or timeout, -1 on EOF/error. */
static int wait_inotify(rstate_t *rs, int64_t deadline)
{
    struct pollfd pf[2] = {{.fd = rs->c->ctl_fd, .events = POLLIN}, {.fd = rs->ino, .events = POLLIN}};
    int64_t left = deadline - h5s_now_ns();
    if (left < 0)
        left = 0;
    struct timespec ts = {left / 1000000000, left % 1000000000};
    int r = ppoll(pf, 2, &ts, NULL);
    if (r < 0)
        return errno == EINTR ? 0 : -1;
    if (pf[0].revents)
        return proto_wait_ctl(rs->c, h5s_now_ns());
    if (pf[1].revents) {
        char buf[4096] __attribute__((aligned(8)));
        while (read(rs->ino, buf, sizeof buf) > 0)
            ;
    }
    return 0;
}

/* Waits for the control pipe until the poll due at `due`, aiming early by
 * the wake-up latency this reader has measured so far (on a virtual machine
 * a timer fires about 100 us late), so that polls happen when scheduled,
 * not one timer latency after. Returns what proto_wait_ctl returns. */
static int paced_wait(rstate_t *rs, int64_t due)
{
    int cb = proto_wait_ctl(rs->c, due - rs->wake_early_ns);
    if (cb != 0)
        return cb;
    int64_t late = h5s_now_ns() - due;
    /* an integral controller: a late wake-up aims earlier next time, an early one later */
    rs->wake_early_ns += late / 8;
    if (rs->wake_early_ns < 0)
        rs->wake_early_ns = 0;
    if (rs->wake_early_ns > 500000)
        rs->wake_early_ns = 500000;
    /* a wake-up a few us early polls at once: waiting out the rest would
     * cost another whole timer latency */
    return 0;
}

/* Whether the reader has seen all the writer published: every run (the first
 * one and those added), or on every channel the samples of the last flush. */
static bool caught_up(const rstate_t *rs)
{
    shm_t *shm = rs->c->shm;
    if (rs->s->workload == SCN_STRUCTURE)
        return rs->nruns >= atomic_load(&shm->runs) + 1;
    uint64_t want = atomic_load(&shm->samples);
    for (size_t i = 0; i < rs->nch; i++)
        if (rs->ch[i].read < want)
            return false;
    return true;
}

/* After the catch-up: what the writer published and this reader did not
 * read. A last refresh of each channel tells the two apart: samples the file
 * shows (extent grown) that the reader ran out of time to read are unread,
 * not an error; samples flushed that the file still does not show are
 * missing - a broken promise. */
static void count_unseen(rstate_t *rs)
{
    uint64_t published = atomic_load(&rs->c->shm->samples);
    if (rs->s->workload != SCN_APPEND || rs->strategy == SCN_NONE || rs->unopenable)
        return;
    for (size_t i = 0; i < rs->nch; i++) {
        rchan_t *ch = &rs->ch[i];
        if (ch->read >= published)
            continue;
        uint64_t len = ch->read;
        if (channel_extent(rs, ch, &len) < 0) {
            h5s_err_clear(&rs->err);
            len = ch->read;
        }
        uint64_t visible = len < published ? len : published;
        rs->r.unread += visible > ch->read ? visible - ch->read : 0;
        rs->r.missing += published - (visible > ch->read ? visible : ch->read);
    }
    if (rs->r.unread)
        say(rs, "Stopped with %llu samples visible but not yet read (stop deadline reached)",
            (unsigned long long)rs->r.unread);
}

/* Sets up a reader's state: its name, its strategy, and the path of the
 * writer's first channel, on which lag is measured. */
static void reader_init(rstate_t *rs, const role_ctx_t *c)
{
    const scn_t *s = c->scn;
    *rs = (rstate_t){.c = c, .s = s, .ino = -1};
    snprintf(rs->name, sizeof rs->name, "Reader %d", c->index);
    if (s->reader_name[0]) { /* named readers sign with their name too */
        char nm[SCN_STR];
        scn_reader_name(s, c->index - 1, nm, sizeof nm);
        snprintf(rs->name, sizeof rs->name, "Reader %d (%.30s)", c->index, nm);
    }
    rs->r.role = ROLE_READER;
    rs->r.index = c->index;
    rs->r.table_samples = -1;
    rs->r.t_start_ns = h5s_now_ns();
    rs->strategy = scn_reader_refresh(s, c->index - 1);
    lag_init(&rs->lag, s, c->shm, c->index, NULL);
    snprintf(rs->r.strategy, sizeof rs->r.strategy, "%s", scn_refresh_name(rs->strategy));
    char items[1][SCN_STR];
    scn_channel_names(s, items, 1);
    snprintf(rs->first_path, sizeof rs->first_path, "/Experiment/Surveys/%.63s/Stations/%.63s/%.63s/%.63s", s->survey,
             s->station, s->run, items[0]);
}

/* early_reader: reader 1 opens the file without waiting for READY and
 * records what HDF5 did with it. */
static void open_early(rstate_t *rs)
{
    mth5_t *early = NULL;
    h5s_err_t e;
    if (mth5_open(rs->c->file, "r", true, &early, &e) == 0) {
        snprintf(rs->r.observation, sizeof rs->r.observation,
                 "opened before READY: the SWMR_READ open succeeded (the writer was already in SWMR mode)");
        mth5_close(early, NULL);
    } else {
        snprintf(rs->r.observation, sizeof rs->r.observation, "opened before READY: refused (%s): %.300s",
                 h5s_errname(e.code), e.msg);
    }
    say(rs, "%s", rs->r.observation);
}

/* Opens the raw lag log lag_reader<N>.csv (raw_logs; integer nanoseconds)
 * and the inotify watch (reader_wait = inotify). Returns 0 or a negative
 * code. */
static int open_watchers(rstate_t *rs)
{
    const role_ctx_t *c = rs->c;
    if (rs->s->raw_logs && c->run_dir) {
        char lp[4200];
        snprintf(lp, sizeof lp, "%s/lag_reader%d.csv", c->run_dir, c->index);
        if (!(rs->log = fopen(lp, "wx")))
            return h5s_seterr(&rs->err, H5S_ESYS, "%s: %s", lp, strerror(errno));
        fprintf(rs->log, "reader,seq,samples,t_seen_ns,lag_ns,e2e_ns\n");
        rs->lag.log = rs->log;
    }
    if (rs->s->reader_wait == SCN_WAIT_INOTIFY) {
        rs->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (rs->ino < 0 || inotify_add_watch(rs->ino, c->file, IN_MODIFY) < 0)
            return h5s_seterr(&rs->err, H5S_ESYS, "inotify on %s: %s", c->file, strerror(errno));
    }
    return 0;
}

/* Waits for the orchestrator's GO (the writer is in SWMR mode), opens the
 * file and takes a first look. Returns 0, 1 when the file cannot be opened
 * as a consequence of an injected fault (reading ends, not an error), or a
 * negative code. */
static int reader_start(rstate_t *rs)
{
    const scn_t *s = rs->s;
    int rc;
    if (s->early_reader && rs->c->index == 1)
        open_early(rs);
    say(rs, "Starting (%s), waiting for the writer's READY...", rs->r.strategy);
    int b = proto_wait_ctl(rs->c, h5s_now_ns() + (int64_t)(s->ready_timeout_s * 1e9));
    if (b == 0)
        return h5s_seterr(&rs->err, H5S_ETIMEOUT, "no READY from the writer within %g s", s->ready_timeout_s);
    if (b != PROTO_GO && b > 0 && atomic_load(&rs->c->shm->t_ready_ns) != 0) {
        /* the writer was ready: a start delay (reader_delay_s) outlasted the run */
        snprintf(rs->r.observation, sizeof rs->r.observation, "stopped before its start delay ended");
        return 1;
    }
    if (b != PROTO_GO)
        return h5s_seterr(&rs->err, H5S_EINTR, "stopped before the writer was ready");
    rs->r.t_ready_ns = atomic_load(&rs->c->shm->t_ready_ns);
    if (!(rs->buf = malloc((size_t)READ_MAX_SAMPLES * 8)))
        return h5s_seterr(&rs->err, H5S_ENOMEM, "out of memory");
    say(rs, "Opening file in SWMR reader mode...");
    in_call(rs, PROTO_CALL_OPEN);
    if ((rc = open_file(rs)) < 0 || (rc = rescan_observed(rs)) < 0)
        return rs->unopenable ? 1 : rc;
    in_call(rs, PROTO_CALL_NONE);
    say(rs, "SWMR reader mode active");
    return open_watchers(rs);
}

/* Polls by the scenario's strategy and pace until STOP (or EOF). Returns 0,
 * 1 when a fault left the file unopenable, or a negative code. */
static int reader_watch(rstate_t *rs)
{
    const scn_t *s = rs->s;
    int64_t t0 = h5s_now_ns(), next = t0, last_scan = t0;
    int64_t period = (int64_t)(s->poll_ms * 1e6);
    next += proto_poll_phase(s, rs->c->index, period);
    for (;;) {
        int64_t now = h5s_now_ns();
        bool scan = s->rescan_ms <= 0 || (double)(now - last_scan) >= s->rescan_ms * 1e6;
        if (scan)
            last_scan = now;
        int rc = poll_once(rs, scan);
        if (rc < 0)
            return rs->unopenable ? 1 : rc;
        proto_rss_tick(&rs->r, s, rs->m ? mth5_fid(rs->m) : H5I_INVALID_HID);
        if (rs->stopping)
            return 0; /* STOP arrived during a long read */
        int cb = 0;
        if (rs->ino >= 0) {
            /* sleep until the file changes (or the fallback period passes) */
            cb = wait_inotify(rs, h5s_now_ns() + (period > 0 ? period : 1000000000LL));
        } else if (period > 0) {
            next += period;
            if (next < h5s_now_ns())
                next = h5s_now_ns(); /* fell behind: do not burst */
            cb = paced_wait(rs, next);
        } else if (proto_stop_requested(rs->c)) {
            return 0;
        }
        if (cb == PROTO_STOP || cb < 0)
            return 0;
    }
}

/* Stopped: catches up with everything the writer flushed, within half of
 * stop_timeout, then counts what it could not read. Returns like
 * reader_watch. */
static int reader_catch_up(rstate_t *rs)
{
    if (!rs->stopping) {
        rs->stopping = true;
        rs->stop_deadline = h5s_now_ns() + (int64_t)(rs->s->stop_timeout_s * 0.5e9);
    }
    lag_stop(&rs->lag, h5s_now_ns());
    if (rs->strategy != SCN_NONE) {
        int rc;
        while ((rc = poll_once(rs, true)) == 0 && !caught_up(rs) && !out_of_time(rs)) {
            if (atomic_load(&rs->c->shm->state) == WRITER_FAILED && rs->r.polls > 3)
                break;
        }
        if (rc < 0)
            return rs->unopenable ? 1 : rc;
    }
    report(rs, true);
    count_unseen(rs);
    return 0;
}

/* Bad samples only past what the writer's last successful flush published
 * belong to a flush that failed (a fault): reported as an observation, not
 * as a broken promise. */
static void excuse_unflushed(rstate_t *rs, uint64_t published)
{
    if (rs->s->workload != SCN_APPEND || !(rs->r.mismatches + rs->r.fills))
        return;
    uint64_t lowest = UINT64_MAX;
    for (size_t i = 0; i < rs->nch; i++)
        if (rs->ch[i].min_bad < lowest)
            lowest = rs->ch[i].min_bad;
    if (lowest < published)
        return;
    rs->r.unflushed_bad = rs->r.mismatches + rs->r.fills;
    snprintf(rs->r.observation, sizeof rs->r.observation,
             "saw %llu bad samples, all past the last successful flush (%llu samples): data of a flush "
             "that failed; first: %.250s",
             (unsigned long long)rs->r.unflushed_bad, (unsigned long long)published, rs->r.msg);
    rs->r.msg[0] = '\0';
    rs->r.mismatches = rs->r.fills = 0;
}

/* Closes everything, fills the result record from the reader's state and
 * rc, sends it, and returns the exit code. */
static int reader_finish(rstate_t *rs, int rc)
{
    const role_ctx_t *c = rs->c;
    if (rc < 0)
        proto_error_seen(c->shm, c->index);
    in_call(rs, PROTO_CALL_CLOSE);
    proto_rss_end(&rs->r, rs->m ? mth5_fid(rs->m) : H5I_INVALID_HID); /* before the file and buffers are let go */
    if (rs->m)
        rs->r.channels = rs->nch;
    close_all(rs);
    in_call(rs, PROTO_CALL_NONE);
    lag_finish(&rs->lag, &rs->r); /* before the lag log is closed */
    if (rs->log && fclose(rs->log) != 0 && rc == 0)
        rc = h5s_seterr(&rs->err, H5S_ESYS, "writing the lag log failed");
    if (rs->ino >= 0)
        close(rs->ino);
    shm_t *shm = c->shm;
    uint64_t published = atomic_load(&shm->samples);
    rs->r.runs_seen = rs->nruns;
    rs->r.runs_expected = atomic_load(&shm->runs) + 1;
    rs->r.mismatches = rs->check.mismatches;
    rs->r.fills = rs->check.fills;
    excuse_unflushed(rs, published);
    rs->r.poll_cost = proto_lat(&rs->poll_cost);
    stats_free(&rs->poll_cost);
    free(rs->buf);
    free(rs->ch);
    rs->r.t_end_ns = h5s_now_ns();
    if (rc < 0) {
        rs->r.errors++;
        rs->r.cause = rs->err.cause;
        snprintf(rs->r.msg, sizeof rs->r.msg, "%.399s", rs->err.msg);
        printf("[%s] ERROR: %s\n", rs->name, rs->err.msg);
    }
    rs->r.exit_code = rc == H5S_ETIMEOUT                                 ? EXIT_TIMEOUT
                      : rc < 0                                           ? EXIT_FAIL
                      : rs->r.mismatches || rs->r.fills || rs->r.missing ? EXIT_VERIFY
                                                                         : EXIT_OK;
    say(rs, "Stopped: %llu samples read, %llu bad, %llu runs seen", (unsigned long long)rs->r.samples,
        (unsigned long long)(rs->r.mismatches + rs->r.fills), (unsigned long long)rs->r.runs_seen);
    fflush(stdout);
    proto_fill_usage(&rs->r);
    proto_send_result(c, &rs->r);
    return rs->r.exit_code;
}

int reader_main(const role_ctx_t *c)
{
    if (c->scn->reader_mode == SCN_READER_BARE)
        return bare_reader_main(c);
    scn_reader_kind_t kind = scn_reader_kind(c->scn, c->index - 1);
    if (kind != SCN_KIND_H5SWMR)
        return external_reader_main(c, kind);
    rstate_t rs;
    reader_init(&rs, c);
    crash_setup(&c->shm->reader_phase[c->index]);
    /* A poll period is a promise: without this the kernel may defer each
     * wake-up by its default 50 us timer slack, which a 1 ms poll would
     * add to every lag it measures. */
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    int rc = reader_start(&rs);
    if (rc == 0)
        rc = reader_watch(&rs);
    if (rc == 0)
        rc = reader_catch_up(&rs);
    return reader_finish(&rs, rc > 0 ? 0 : rc);
}
