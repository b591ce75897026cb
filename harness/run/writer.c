/* writer.c - the writer role: build the MTH5 structure without SWMR, reopen as
 * SWMR writer, report READY, then append (or add runs) and flush by policy. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "mth5.h"
#include "pattern.h"
#include "preheat.h"
#include "proto.h"
#include "util.h"

typedef struct wchan {
    char name[SCN_STR];
    mth5_channel_t *ch;
    uint64_t key;
    long row; /* channel_summary row, -1 if none */
} wchan_t;

typedef struct wstate {
    const role_ctx_t *c;
    const scn_t *s;
    mth5_t *m;
    wchan_t *ch;
    int nch;
    void *buf;
    size_t bufsz;
    char start_iso[48];
    hid_t table;
    proto_result_t r;
    stats_buf_t append_ns, flush_ns;
    uint64_t seq;
    int64_t t_first_unflushed;
    uint64_t blocks_since_flush;
    int64_t t_last_flush;
    uint64_t runs;
    int rawfd; /* writer_mode raw: the flat file */
    uint64_t rawoff;
    uint64_t rawlen; /* per-channel samples written in raw mode */
    h5s_err_t err;
} wstate_t;

/* The channel type a name implies: electric for e*, magnetic for h* and b*,
 * auxiliary otherwise. */
static mth5_ctype_t ctype_of(const char *name)
{
    return name[0] == 'e' ? MTH5_ELECTRIC : name[0] == 'h' || name[0] == 'b' ? MTH5_MAGNETIC : MTH5_AUXILIARY;
}

#define say(w, ...) h5s_say((w)->s->quiet, "Writer", __VA_ARGS__)

/* Fault slow_writer_pct: stretches a timed SWMR call that began at t0 by that
 * percentage of its own duration (spinning, as a slower write path would), and
 * returns the new end time. Other modes and a zero percentage cost nothing. */
static int64_t slow_down(const wstate_t *w, int64_t t0, int64_t t1)
{
    if (w->s->slow_writer_pct <= 0 || w->s->writer_mode != SCN_MODE_SWMR)
        return t1;
    int64_t until = t1 + (int64_t)((double)(t1 - t0) * w->s->slow_writer_pct / 100.0);
    while ((t1 = h5s_now_ns()) < until)
        ;
    return t1;
}

/* Adds the n channels named in items to run, with the scenario's type,
 * chunking and compression, the given sample rate, and an azimuth of 90 for
 * names whose second letter is 'y'. Returns n or a negative error code (in
 * w->err). */
static int add_channels(wstate_t *w, const char *run, char (*items)[SCN_STR], int n, double rate)
{
    for (int i = 0; i < n; i++) {
        mth5_channel_opts_t o = {
            .name = items[i],
            .type = ctype_of(items[i]),
            .dtype = (mth5_dtype_t)w->s->dtype,
            .chunk = (hsize_t)(w->s->chunk_samples ? w->s->chunk_samples : w->s->block_samples),
            .compress = w->s->compress,
            .sample_rate = rate,
            .azimuth = items[i][1] == 'y' ? 90.0 : 0.0,
        };
        int rc = mth5_add_channel(w->m, w->s->survey, w->s->station, run, &o, NULL, &w->err);
        if (rc < 0)
            return rc;
    }
    return n;
}

/* After a failure to create the file or its structure (no data in it yet):
 * removes the file this writer created and names a full disk as such.
 * Returns rc. */
static int creation_failed(wstate_t *w, int rc)
{
    proto_drop_data_file(w->c);
    if (w->err.cause == H5S_CAUSE_NO_SPACE) {
        h5s_seterr(&w->err, rc, "cannot create '%s': no space left on device; the file was removed", w->c->file);
        w->err.cause = H5S_CAUSE_NO_SPACE;
    }
    return rc;
}

/* Creates the file (proto_create_data_file: O_EXCL, its identity published)
 * and its structure (non-SWMR), then closes it. */
static int create_structure(wstate_t *w)
{
    const scn_t *s = w->s;
    int rc;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    strftime(w->start_iso, sizeof w->start_iso, "%Y-%m-%dT%H:%M:%S+00:00", &tm);

    say(w, "Creating file: %s", w->c->file);
    char(*names)[SCN_STR] = calloc(SCN_MAX_GEN_CHANNELS, SCN_STR);
    if (!names)
        return h5s_seterr(&w->err, H5S_ENOMEM, "out of memory");
    int nnames = scn_channel_names(s, names, SCN_MAX_GEN_CHANNELS);
    int fd = proto_create_data_file(w->c, &w->err);
    if (fd < 0) {
        free(names);
        return fd;
    }
    /* HDF5 writes the very file just created, whatever is at the path by now */
    rc = mth5_open_fd(fd, w->c->file, "w", false, &w->m, &w->err);
    close(fd);
    if (rc < 0) {
        free(names);
        return creation_failed(w, rc);
    }
    mth5_station_meta_t loc = {40.0, -120.0, 1200.0};
    if ((rc = mth5_add_survey(w->m, s->survey, &w->err)) < 0 ||
        (rc = mth5_add_station(w->m, s->survey, s->station, &loc, &w->err)) < 0 ||
        (rc = mth5_add_run(w->m, s->survey, s->station, s->run, s->sample_rate, w->start_iso, &w->err)) < 0 ||
        (rc = add_channels(w, s->run, names, nnames, s->sample_rate)) < 0) {
        free(names);
        mth5_close(w->m, NULL);
        w->m = NULL;
        return creation_failed(w, rc);
    }
    free(names);
    rc = mth5_close(w->m, &w->err);
    w->m = NULL;
    if (rc < 0)
        return creation_failed(w, rc);
    say(w, "Initial structure created");
    return rc;
}

/* Reopens the file this writer created (by its identity: a file renamed over
 * its path since is refused, never opened for writing). Returns 0 or a
 * negative code (in w->err). */
static int reopen_own(wstate_t *w, bool swmr)
{
    h5s_df_id_t id;
    if (!proto_data_file_id(w->c, &id))
        return h5s_seterr(&w->err, H5S_ESYS, "'%s': this writer did not create it", w->c->file);
    int fd = h5s_df_open_same(w->c->file, &id, O_RDONLY, &w->err);
    if (fd < 0) {
        /* not a refusal of the user's input: the file changed under the run */
        w->err.code = H5S_ESYS;
        return w->err.code;
    }
    int rc = mth5_open_fd(fd, w->c->file, "a", swmr, &w->m, &w->err);
    close(fd);
    return rc;
}

/* Reopens the file for writing in SWMR mode (or without it, for the
 * baseline), opens every channel with its pattern key and, with summary
 * upkeep, its row of channel_summary and the table itself, and allocates the
 * block buffer. Returns 0 or a negative error code (in w->err). */
static int open_swmr(wstate_t *w)
{
    const scn_t *s = w->s;
    int rc;
    bool swmr = s->writer_mode == SCN_MODE_SWMR;
    bool upkeep_on = swmr && s->summary_upkeep && s->workload == SCN_APPEND;
    say(w, swmr ? "Activating SWMR writer mode..." : "Reopening without SWMR (baseline)...");
    if ((rc = reopen_own(w, swmr)) < 0)
        return rc;
    char(*items)[SCN_STR] = calloc(SCN_MAX_GEN_CHANNELS, SCN_STR);
    if (!items)
        return h5s_seterr(&w->err, H5S_ENOMEM, "out of memory");
    w->nch = scn_channel_names(s, items, SCN_MAX_GEN_CHANNELS);
    w->ch = calloc((size_t)w->nch, sizeof *w->ch);
    if (!w->ch) {
        free(items);
        return h5s_seterr(&w->err, H5S_ENOMEM, "out of memory");
    }
    mth5_table_row_t *rows = NULL;
    size_t nrows = 0;
    if (upkeep_on && mth5_summary_table_read(w->m, &rows, &nrows, &w->err) < 0) {
        free(items);
        return w->err.code;
    }
    for (int i = 0; i < w->nch; i++) {
        snprintf(w->ch[i].name, sizeof w->ch[i].name, "%s", items[i]);
        if ((rc = mth5_channel_open(w->m, s->survey, s->station, s->run, items[i], &w->ch[i].ch, &w->err)) < 0) {
            free(rows);
            free(items);
            return rc;
        }
        w->ch[i].key = pat_key(mth5_channel_path(w->ch[i].ch));
        w->ch[i].row = rows ? mth5_summary_table_find(rows, nrows, s->survey, s->station, s->run, items[i]) : -1;
    }
    free(rows);
    free(items);
    if (upkeep_on) {
        w->table = H5Dopen2(mth5_fid(w->m), "/Experiment/channel_summary", H5P_DEFAULT);
        if (w->table < 0)
            return h5s_seterr_h5(&w->err, H5S_EHDF5, "cannot open the channel summary table");
    }
    w->bufsz = (size_t)s->block_samples * mth5_dtype_size((mth5_dtype_t)s->dtype);
    if (!(w->buf = malloc(w->bufsz)))
        return h5s_seterr(&w->err, H5S_ENOMEM, "out of memory for a %zu-byte block", w->bufsz);
    return 0;
}

/* writer_mode raw: the same bytes with pwrite into a flat file, no HDF5. */
static int open_raw(wstate_t *w)
{
    const scn_t *s = w->s;
    say(w, "Creating raw file (pwrite baseline, no HDF5): %s", w->c->file);
    if ((w->rawfd = proto_create_data_file(w->c, &w->err)) < 0) {
        int rc = w->rawfd;
        w->rawfd = -1;
        return rc;
    }
    char(*items)[SCN_STR] = calloc(SCN_MAX_GEN_CHANNELS, SCN_STR);
    if (!items)
        return h5s_seterr(&w->err, H5S_ENOMEM, "out of memory");
    w->nch = scn_channel_names(s, items, SCN_MAX_GEN_CHANNELS);
    free(items);
    w->ch = calloc((size_t)w->nch, sizeof *w->ch);
    w->bufsz = (size_t)s->block_samples * mth5_dtype_size((mth5_dtype_t)s->dtype);
    if (!w->ch || !(w->buf = malloc(w->bufsz)))
        return h5s_seterr(&w->err, H5S_ENOMEM, "out of memory");
    for (int i = 0; i < w->nch; i++)
        w->ch[i].key = (uint64_t)i + 1;
    return 0;
}

/* Keeps the channel summary rows current (in-place raw-data writes). */
static int upkeep(wstate_t *w)
{
    char end[48];
    for (int i = 0; i < w->nch; i++) {
        if (w->ch[i].row < 0)
            continue;
        uint64_t n = mth5_channel_length(w->ch[i].ch);
        mth5_iso_add(w->start_iso, w->s->sample_rate > 0 ? (double)n / w->s->sample_rate : 0, end, sizeof end);
        int rc = mth5_summary_table_update(w->m, (size_t)w->ch[i].row, (int64_t)n, end, &w->err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Brings the summary table up to date (with upkeep) and flushes as the
 * scenario says (nothing in raw mode), then counts the flush and publishes
 * its record and the sample and run counts in shared memory for the readers.
 * Returns 0 or a negative error code (in w->err). */
static int do_flush(wstate_t *w)
{
    int rc;
    if (w->table >= 0 && (rc = upkeep(w)) < 0)
        return rc;
    int64_t t0 = h5s_now_ns(), t_first = 0;
    if (w->s->writer_mode == SCN_MODE_RAW) {
        /* nothing to flush: pwrite already put the bytes in the page cache */
    } else if (w->s->flush_call == SCN_FFLUSH || w->s->workload == SCN_STRUCTURE) {
        if ((rc = mth5_flush(w->m, &w->err)) < 0)
            return rc;
    } else {
        for (int i = 0; i < w->nch; i++) {
            if ((rc = mth5_channel_flush(w->ch[i].ch, &w->err)) < 0)
                return rc;
            if (i == 0)
                t_first = h5s_now_ns();
        }
        if (w->table >= 0 && H5Dflush(w->table) < 0)
            return h5s_seterr_h5(&w->err, H5S_EHDF5, "H5Dflush of the channel summary table failed");
    }
    int64_t t1 = slow_down(w, t0, h5s_now_ns());
    if (!t_first)
        t_first = t1;
    w->r.io_ns += t1 - t0;
    if (w->s->measure)
        stats_add(&w->flush_ns, t1 - t0);
    shm_t *shm = w->c->shm;
    uint64_t samples = w->s->writer_mode == SCN_MODE_RAW ? w->rawlen : w->nch ? mth5_channel_length(w->ch[0].ch) : 0;
    shm_rec_t *rec = &shm->rec[w->seq % SHM_RECS];
    rec->seq = w->seq;
    rec->samples = samples;
    rec->t_start_ns = w->t_first_unflushed;
    rec->t_flushed_ns = t_first;
    rec->t_round_ns = t1;
    w->seq++;
    atomic_store(&shm->samples, samples);
    atomic_store(&shm->runs, w->runs);
    atomic_store(&shm->nflush, w->seq);
    w->r.flushes++;
    w->blocks_since_flush = 0;
    w->t_last_flush = t1;
    w->t_first_unflushed = 0;
    return 0;
}

/* Whether a flush is due at now: some blocks are unflushed, and
 * flush_every_blocks of them or flush_every_ms since the last flush have
 * passed. */
static bool flush_due(const wstate_t *w, int64_t now)
{
    const scn_t *s = w->s;
    if (w->blocks_since_flush == 0)
        return false;
    if (s->flush_every_blocks > 0 && w->blocks_since_flush >= (uint64_t)s->flush_every_blocks)
        return true;
    return s->flush_every_ms > 0 && (double)(now - w->t_last_flush) >= s->flush_every_ms * 1e6;
}

/* Raises shm->samples_written to n, before a channel is made to hold n
 * samples: the bound no reader's count can pass. */
static void announce_length(wstate_t *w, uint64_t n)
{
    if (n > atomic_load(&w->c->shm->samples_written))
        atomic_store(&w->c->shm->samples_written, n);
}

/* Appends one block of pattern samples to every channel (with pwrite in raw
 * mode) and counts the blocks, samples, bytes and append times. Returns 0 or
 * a negative error code (in w->err, with the cause of a failed pwrite). */
static int append_block(wstate_t *w)
{
    const scn_t *s = w->s;
    int64_t t0 = h5s_now_ns();
    if (!w->t_first_unflushed)
        w->t_first_unflushed = t0;
    bool raw = s->writer_mode == SCN_MODE_RAW;
    for (int i = 0; i < w->nch; i++) {
        uint64_t at = raw ? w->rawlen : mth5_channel_length(w->ch[i].ch);
        announce_length(w, at + (uint64_t)s->block_samples);
        pat_fill((mth5_dtype_t)s->dtype, w->ch[i].key, at, (size_t)s->block_samples, w->buf);
        int64_t a0 = h5s_now_ns();
        if (raw) {
            ssize_t k = pwrite(w->rawfd, w->buf, w->bufsz, (off_t)w->rawoff);
            if (k != (ssize_t)w->bufsz) {
                int e = k < 0 ? errno : 0;
                h5s_seterr(&w->err, H5S_ESYS, "pwrite to %s: %s", w->c->file, e ? strerror(e) : "short write");
                w->err.cause = e == EFBIG    ? H5S_CAUSE_FILE_TOO_LARGE
                               : e == ENOSPC ? H5S_CAUSE_NO_SPACE
                                             : H5S_CAUSE_NONE;
                return w->err.code;
            }
            w->rawoff += w->bufsz;
        } else {
            int rc = mth5_channel_append(w->ch[i].ch, w->buf, (size_t)s->block_samples, s->cork, &w->err);
            if (rc < 0)
                return rc;
        }
        int64_t a1 = slow_down(w, a0, h5s_now_ns());
        w->r.io_ns += a1 - a0;
        if (s->measure)
            stats_add(&w->append_ns, a1 - a0);
        w->r.samples += (uint64_t)s->block_samples;
        w->r.bytes += w->bufsz;
    }
    if (raw)
        w->rawlen += (uint64_t)s->block_samples;
    w->r.blocks++;
    w->blocks_since_flush++;
    return 0;
}

/* Structure workload: one new run with its channels and one block each. */
static int add_run_block(wstate_t *w)
{
    const scn_t *s = w->s;
    char run[SCN_STR + 16], items[SCN_MAX_CHANNELS][SCN_STR];
    int rc;
    if (!w->t_first_unflushed)
        w->t_first_unflushed = h5s_now_ns();
    snprintf(run, sizeof run, "run_%03llu", (unsigned long long)(w->runs + 2));
    if ((rc = mth5_add_run(w->m, s->survey, s->station, run, s->sample_rate, w->start_iso, &w->err)) < 0)
        return rc;
    int n = scn_split(s->new_run_channels, items, SCN_MAX_CHANNELS);
    if ((rc = add_channels(w, run, items, n, s->sample_rate)) < 0)
        return rc;
    for (int i = 0; i < n; i++) {
        mth5_channel_t *ch;
        if ((rc = mth5_channel_open(w->m, s->survey, s->station, run, items[i], &ch, &w->err)) < 0)
            return rc;
        announce_length(w, (uint64_t)s->block_samples);
        pat_fill((mth5_dtype_t)s->dtype, pat_key(mth5_channel_path(ch)), 0, (size_t)s->block_samples, w->buf);
        rc = mth5_channel_append(ch, w->buf, (size_t)s->block_samples, s->cork, &w->err);
        mth5_channel_close(ch);
        if (rc < 0)
            return rc;
        w->r.samples += (uint64_t)s->block_samples;
        w->r.bytes += w->bufsz;
    }
    w->runs++;
    w->r.runs_written = w->runs;
    w->r.blocks++;
    w->blocks_since_flush++;
    say(w, "Iteration %llu: added %s with %d channel%s of %lld samples", (unsigned long long)w->runs, run, n,
        n == 1 ? "" : "s", (long long)s->block_samples);
    return 0;
}

/* Writes blocks (or, for the structure workload, adds runs) until max_blocks,
 * max_mb, the duration or a stop request ends the run, paced in real time
 * with jitter when the scenario asks for it, flushing when due and, at the
 * end, whatever is still unflushed. Returns 0 or a negative error code (in
 * w->err). */
static int run_loop(wstate_t *w)
{
    const scn_t *s = w->s;
    int64_t t0 = h5s_now_ns();
    int64_t t_end = s->duration_s > 0 ? t0 + (int64_t)(s->duration_s * 1e9) : INT64_MAX;
    double period_ns = s->realtime ? (double)s->block_samples / s->sample_rate * 1e9 : 0;
    int64_t next = t0;
    int rc = 0;
    uint64_t rng = (uint64_t)s->seed * 0x9E3779B97F4A7C15ull + 0x6A09E667F3BCC908ull;
    w->t_last_flush = t0;
    for (;;) {
        if (s->max_blocks > 0 && w->r.blocks >= (uint64_t)s->max_blocks)
            break;
        if (s->max_mb > 0 && (double)w->r.bytes >= s->max_mb * 1e6)
            break;
        if (h5s_now_ns() >= t_end)
            break;
        if (period_ns > 0) {
            /* pace on absolute deadlines, waiting on the stop pipe, never blindly */
            int64_t deadline = next < t_end ? next : t_end;
            int b = proto_wait_ctl(w->c, deadline);
            if (b == PROTO_STOP || b < 0)
                break;
            if (h5s_now_ns() >= t_end)
                break;
            /* block k is due at a random moment of [k, k + pace_jitter) periods,
             * so that no reader's poll interval locks in phase with it */
            double u = (double)(h5s_rand_next(&rng) >> 11) / 9007199254740992.0;
            double due = (double)t0 + ((double)(w->r.blocks + 1) + u * s->pace_jitter) * period_ns;
            /* a period longer than the run (sample_rate = 1e-7) waits for the end, never overflows */
            next = due >= (double)t_end || due >= 4e18 ? t_end : (int64_t)due;
        } else if (proto_stop_requested(w->c)) {
            break;
        }
        rc = s->workload == SCN_STRUCTURE ? add_run_block(w) : append_block(w);
        if (rc < 0)
            return rc;
        if (flush_due(w, h5s_now_ns()) && (rc = do_flush(w)) < 0)
            return rc;
        proto_writer_progress(w->c->shm, w->r.blocks, w->r.bytes, w->r.flushes);
        proto_rss_tick(&w->r, s, w->m ? mth5_fid(w->m) : H5I_INVALID_HID);
        if (s->workload == SCN_APPEND && !s->quiet && period_ns > 0)
            say(w, "Block %llu: +%lld samples x %d channels%s", (unsigned long long)w->r.blocks,
                (long long)s->block_samples, w->nch, w->blocks_since_flush ? "" : ", flushed");
    }
    /* whatever is left is flushed at the end (also for flush policy 'never') */
    if (w->blocks_since_flush && (rc = do_flush(w)) < 0)
        return rc;
    proto_writer_progress(w->c->shm, w->r.blocks, w->r.bytes, w->r.flushes);
    return 0;
}

int writer_main(const role_ctx_t *c)
{
    if (c->scn->writer_mode == SCN_MODE_BARE)
        return bare_main(c);
    wstate_t w = {.c = c, .s = c->scn, .table = H5I_INVALID_HID, .rawfd = -1};
    uint64_t preheat = 0; /* bytes written past the end of the file before READY */
    int rc;
    w.r.role = ROLE_WRITER;
    w.r.table_samples = -1;
    w.r.t_start_ns = h5s_now_ns();
    snprintf(w.r.strategy, sizeof w.r.strategy, "%s", c->scn->workload == SCN_STRUCTURE ? "structure" : "append");
    say(&w, "Starting...");
    if (c->scn->writer_mode == SCN_MODE_RAW) {
        if ((rc = open_raw(&w)) < 0)
            goto out;
    } else if ((rc = create_structure(&w)) < 0 || (rc = open_swmr(&w)) < 0) {
        goto out;
    }
    if (c->scn->writer_mode == SCN_MODE_SWMR && !mth5_is_swmr_mode(w.m)) {
        rc = h5s_seterr(&w.err, H5S_ESWMR, "SWMR mode not active after open");
        goto out;
    }
    w.r.channels = (uint64_t)w.nch;
    preheat = preheat_bytes(c->scn, w.nch);
    if (preheat && (rc = preheat_file(c->file, preheat, &w.err)) < 0)
        goto out;
    if (c->scn->writer_fsize_limit_mb > 0) {
        /* a disk-full stand-in: writes past the limit fail with EFBIG */
        struct rlimit rl;
        rl.rlim_cur = rl.rlim_max = (rlim_t)(c->scn->writer_fsize_limit_mb * 1e6);
        signal(SIGXFSZ, SIG_IGN);
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0) {
            rc = h5s_seterr(&w.err, H5S_ESYS, "setrlimit(RLIMIT_FSIZE): %s", strerror(errno));
            goto out;
        }
    }
    w.r.t_ready_ns = h5s_now_ns();
    atomic_store(&c->shm->t_ready_ns, w.r.t_ready_ns);
    if (c->scn->writer_mode == SCN_MODE_SWMR)
        atomic_store(&c->shm->held_swmr, 1);
    atomic_store(&c->shm->state, WRITER_READY);
    if (proto_send_ready(c) < 0) {
        rc = h5s_seterr(&w.err, H5S_ESYS, "cannot report READY to the orchestrator");
        goto out;
    }
    if (c->scn->writer_mode == SCN_MODE_SWMR)
        say(&w, "SWMR writer mode active: readers may open %s", c->file);
    rc = run_loop(&w);
    proto_rss_end(&w.r, w.m ? mth5_fid(w.m) : H5I_INVALID_HID); /* before the file and buffers are let go */
    if (rc == 0)
        say(&w, "Completed %llu blocks (%llu flushes)", (unsigned long long)w.r.blocks,
            (unsigned long long)w.r.flushes);
out:
    if (w.table >= 0)
        H5Dclose(w.table);
    /* the raw file holds what was written, not its preheated tail */
    if (w.rawfd >= 0 && preheat && ftruncate(w.rawfd, (off_t)w.rawoff) != 0 && rc == 0)
        rc = h5s_seterr(&w.err, H5S_ESYS, "truncating %s: %s", c->file, strerror(errno));
    if (w.rawfd >= 0 && close(w.rawfd) != 0 && rc == 0)
        rc = h5s_seterr(&w.err, H5S_ESYS, "closing %s: %s", c->file, strerror(errno));
    if (w.m) {
        h5s_err_t cerr;
        if (mth5_close(w.m, &cerr) < 0 && rc == 0) {
            w.err = cerr;
            rc = cerr.code;
        }
    }
    /* no finalizer opens a noswmr writer's file: it cuts its preheated tail itself */
    if (rc == 0 && preheat && c->scn->writer_mode == SCN_MODE_NOSWMR)
        rc = preheat_trim(c->file, &w.err);
    if (rc < 0)
        proto_error_seen(c->shm, 0);
    atomic_store(&c->shm->state, rc < 0 ? WRITER_FAILED : WRITER_DONE);
    free(w.buf);
    free(w.ch);
    proto_finish_writer(&w.r, &w.append_ns, &w.flush_ns);
    if (rc < 0) {
        w.r.errors = 1;
        w.r.cause = w.err.cause;
        snprintf(w.r.msg, sizeof w.r.msg, "%.399s", w.err.msg);
        printf("[Writer] ERROR: %s\n", w.err.msg);
        fflush(stdout);
    }
    w.r.exit_code = rc < 0 ? (rc == H5S_EEXIST ? EXIT_USAGE : EXIT_FAIL) : EXIT_OK;
    proto_fill_usage(&w.r);
    say(&w, "Stopped");
    proto_send_result(c, &w.r);
    return w.r.exit_code;
}
