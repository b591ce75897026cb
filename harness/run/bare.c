/* bare.c - the references h5swmr's own code paths are judged against.
 *
 * writer_mode bare: the reference that h5swmr's own SWMR write path is
 * judged against. The same HDF5 calls the SWMR writer times (cork,
 * H5Dset_extent, H5Dwrite, uncork; H5Dflush of each dataset or one H5Fflush),
 * on a file with one chunked dataset per channel directly under the root, with
 * none of h5swmr's layers in between: no MTH5 layout, no sample pattern (one
 * constant block), no shared-memory publishing, no summary table. If h5swmr's
 * append or flush ever costs more than this loop's, the harness added it.
 *
 * reader_mode bare: the reference for h5swmr's reader. It follows the
 * channels of h5swmr's own writer the plainest correct way, doing the HDF5
 * work h5swmr's reader does and nothing else: after GO it opens the file as
 * SWMR reader and every channel's dataset, and at each poll (absolute
 * deadlines, flat out, or on an inotify event) calls H5Drefresh and
 * H5Dget_space on each, the first channel first, and reads the new samples
 * with H5Dread; it verifies nothing, walks no tree, corrects no wake-up. Lag
 * is measured on the first channel, as h5swmr's reader measures it. Its lag
 * is the floor HDF5 and the machine allow a poller of that period. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <hdf5.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "lag.h"
#include "preheat.h"
#include "proto.h"
#include "util.h"

typedef struct bare {
    const role_ctx_t *c;
    const scn_t *s;
    hid_t fid;
    hid_t *did;
    int nch;
    hsize_t len; /* samples per dataset */
    void *buf;
    size_t bufsz;
    stats_buf_t append_ns, flush_ns;
    proto_result_t r;
    bool refused; /* the data file may not be created or replaced: bad input */
} bare_t;

/* The cause of the HDF5 failure now on the error stack (which it clears),
 * for the result record: the bare loops keep their own plain messages. */
static h5s_cause_t bare_hdf5_cause(void)
{
    h5s_err_t e;
    h5s_seterr_h5(&e, H5S_EHDF5, "bare");
    return e.cause;
}

/* The HDF5 memory type of a scenario dtype: 1 float64, 2 int32, anything
 * else float32. */
static hid_t bare_type(int dtype)
{
    return dtype == 1 ? H5T_NATIVE_DOUBLE : dtype == 2 ? H5T_NATIVE_INT32 : H5T_NATIVE_FLOAT;
}

/* The size in bytes of one sample of a scenario dtype: 8 for float64, 4
 * otherwise. */
static size_t bare_size(int dtype)
{
    return dtype == 1 ? 8 : 4;
}

/* Creates the file (version-3 superblock, as h5swmr's files) with its
 * datasets, closes it, and reopens it as SWMR writer. Returns 0 or -1 with
 * r.msg set. */
static int bare_open(bare_t *b)
{
    const scn_t *s = b->s;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS), dcpl = H5Pcreate(H5P_DATASET_CREATE), sp = H5I_INVALID_HID;
    hsize_t dims[1] = {0}, maxd[1] = {H5S_UNLIMITED};
    hsize_t chunk[1] = {(hsize_t)(s->chunk_samples ? s->chunk_samples : s->block_samples)};
    int rc = -1;
    if (fapl < 0 || dcpl < 0 || H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110) < 0 ||
        H5Pset_chunk(dcpl, 1, chunk) < 0 ||
        (s->compress && (H5Pset_shuffle(dcpl) < 0 || H5Pset_deflate(dcpl, 4) < 0 || H5Pset_fletcher32(dcpl) < 0)))
        goto out;
    if ((sp = H5Screate_simple(1, dims, maxd)) < 0)
        goto out;
    /* the file is created with O_EXCL (proto_create_data_file) and HDF5
     * writes that very file, then reopens it by its identity */
    h5s_err_t e;
    char via[64];
    int fd = proto_create_data_file(b->c, &e);
    if (fd < 0) {
        snprintf(b->r.msg, sizeof b->r.msg, "%.399s", e.msg);
        b->refused = e.code == H5S_EEXIST;
        rc = -2;
        goto out;
    }
    hid_t fid = H5Fcreate(h5s_df_fd_path((int)getpid(), fd, via, sizeof via), H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    close(fd);
    if (fid < 0)
        goto out;
    bool ok = true;
    for (int i = 0; i < b->nch && ok; i++) {
        char name[32];
        snprintf(name, sizeof name, "ch%04d", i);
        hid_t d = H5Dcreate2(fid, name, bare_type(s->dtype), sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        ok = d >= 0;
        if (ok)
            H5Dclose(d);
    }
    if (H5Fclose(fid) < 0 || !ok)
        goto out;
    h5s_df_id_t id;
    if (!proto_data_file_id(b->c, &id) || (fd = h5s_df_open_same(b->c->file, &id, O_RDONLY, &e)) < 0) {
        snprintf(b->r.msg, sizeof b->r.msg, "bare HDF5 loop: %.380s", e.msg);
        rc = -2;
        goto out;
    }
    b->fid = H5Fopen(h5s_df_fd_path((int)getpid(), fd, via, sizeof via), H5F_ACC_RDWR | H5F_ACC_SWMR_WRITE, fapl);
    close(fd);
    if (b->fid < 0)
        goto out;
    for (int i = 0; i < b->nch; i++) {
        char name[32];
        snprintf(name, sizeof name, "ch%04d", i);
        if ((b->did[i] = H5Dopen2(b->fid, name, H5P_DEFAULT)) < 0)
            goto out;
    }
    rc = 0;
out:
    if (rc == -1) {
        b->r.cause = bare_hdf5_cause();
        snprintf(b->r.msg, sizeof b->r.msg, "bare HDF5 loop: cannot create %.300s in SWMR mode%s", b->c->file,
                 b->r.cause == H5S_CAUSE_NO_SPACE ? ": no space left on device" : "");
    }
    if (rc < 0 && !b->refused) {
        if (b->fid >= 0)
            H5Fclose(b->fid);
        b->fid = H5I_INVALID_HID;
        proto_drop_data_file(b->c); /* it holds no data yet */
    }
    if (sp >= 0)
        H5Sclose(sp);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (fapl >= 0)
        H5Pclose(fapl);
    return rc < 0 ? -1 : 0;
}

/* One block to every dataset, each append timed as h5swmr times its own. */
static int bare_append(bare_t *b)
{
    const scn_t *s = b->s;
    hsize_t n = (hsize_t)s->block_samples, start[1] = {b->len}, count[1] = {n}, newlen[1] = {b->len + n};
    hid_t ms = H5Screate_simple(1, count, NULL);
    if (ms < 0)
        return -1;
    for (int i = 0; i < b->nch; i++) {
        int64_t t0 = h5s_now_ns();
        hid_t fs = H5I_INVALID_HID;
        bool ok = (!s->cork || H5Odisable_mdc_flushes(b->did[i]) >= 0) && H5Dset_extent(b->did[i], newlen) >= 0 &&
                  (fs = H5Dget_space(b->did[i])) >= 0 &&
                  H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
                  H5Dwrite(b->did[i], bare_type(s->dtype), ms, fs, H5P_DEFAULT, b->buf) >= 0;
        if (s->cork && H5Oenable_mdc_flushes(b->did[i]) < 0)
            ok = false;
        if (fs >= 0)
            H5Sclose(fs);
        int64_t t1 = h5s_now_ns();
        if (!ok) {
            H5Sclose(ms);
            return -1;
        }
        b->r.io_ns += t1 - t0;
        if (s->measure)
            stats_add(&b->append_ns, t1 - t0);
        b->r.samples += n;
        b->r.bytes += b->bufsz;
    }
    H5Sclose(ms);
    b->len += n;
    b->r.blocks++;
    return 0;
}

/* Flushes the file with one H5Fflush, or each dataset with H5Dflush, as the
 * scenario's flush_call says, and counts the flush and its time. Returns 0,
 * or -1 if a flush failed (its time not counted). */
static int bare_flush(bare_t *b)
{
    int64_t t0 = h5s_now_ns();
    bool ok = true;
    if (b->s->flush_call == SCN_FFLUSH)
        ok = H5Fflush(b->fid, H5F_SCOPE_LOCAL) >= 0;
    else
        for (int i = 0; i < b->nch && ok; i++)
            ok = H5Dflush(b->did[i]) >= 0;
    int64_t t1 = h5s_now_ns();
    if (!ok)
        return -1;
    b->r.io_ns += t1 - t0;
    if (b->s->measure)
        stats_add(&b->flush_ns, t1 - t0);
    b->r.flushes++;
    return 0;
}

/* Appends flat out by the scenario's limits and flush policy until STOP. */
static int bare_loop(bare_t *b)
{
    const scn_t *s = b->s;
    int64_t t0 = h5s_now_ns(), last_flush = t0;
    int64_t t_end = s->duration_s > 0 ? t0 + (int64_t)(s->duration_s * 1e9) : INT64_MAX;
    uint64_t since = 0;
    for (;;) {
        if ((s->max_blocks > 0 && b->r.blocks >= (uint64_t)s->max_blocks) ||
            (s->max_mb > 0 && (double)b->r.bytes >= s->max_mb * 1e6) || h5s_now_ns() >= t_end ||
            proto_stop_requested(b->c))
            break;
        if (bare_append(b) < 0) {
            snprintf(b->r.msg, sizeof b->r.msg, "bare HDF5 loop: append failed");
            b->r.cause = bare_hdf5_cause();
            return -1;
        }
        since++;
        int64_t now = h5s_now_ns();
        bool due = (s->flush_every_blocks > 0 && since >= (uint64_t)s->flush_every_blocks) ||
                   (s->flush_every_ms > 0 && (double)(now - last_flush) >= s->flush_every_ms * 1e6);
        if (due) {
            if (bare_flush(b) < 0) {
                snprintf(b->r.msg, sizeof b->r.msg, "bare HDF5 loop: flush failed");
                b->r.cause = bare_hdf5_cause();
                return -1;
            }
            since = 0;
            last_flush = h5s_now_ns();
        }
        proto_writer_progress(b->c->shm, b->r.blocks, b->r.bytes, b->r.flushes);
    }
    if (since && bare_flush(b) < 0) {
        snprintf(b->r.msg, sizeof b->r.msg, "bare HDF5 loop: flush failed");
        b->r.cause = bare_hdf5_cause();
        return -1;
    }
    proto_writer_progress(b->c->shm, b->r.blocks, b->r.bytes, b->r.flushes);
    return 0;
}

int bare_main(const role_ctx_t *c)
{
    const scn_t *s = c->scn;
    bare_t b = {.c = c, .s = s, .fid = H5I_INVALID_HID};
    uint64_t preheat = 0; /* bytes written past the end of the file before READY */
    h5s_err_t perr;
    b.r.role = ROLE_WRITER;
    b.r.table_samples = -1;
    b.r.t_start_ns = h5s_now_ns();
    snprintf(b.r.strategy, sizeof b.r.strategy, "bare");
    char(*names)[SCN_STR] = calloc(SCN_MAX_GEN_CHANNELS, SCN_STR);
    b.nch = names ? scn_channel_names(s, names, SCN_MAX_GEN_CHANNELS) : 0;
    free(names);
    b.bufsz = (size_t)s->block_samples * bare_size(s->dtype);
    b.did = calloc((size_t)(b.nch > 0 ? b.nch : 1), sizeof *b.did);
    b.buf = malloc(b.bufsz);
    int rc = -1;
    if (!b.did || !b.buf || b.nch <= 0) {
        snprintf(b.r.msg, sizeof b.r.msg, "bare HDF5 loop: out of memory");
        goto out;
    }
    /* a constant, non-zero block: generating samples is not what is timed */
    memset(b.buf, 0x41, b.bufsz);
    for (int i = 0; i < b.nch; i++)
        b.did[i] = H5I_INVALID_HID;
    if (bare_open(&b) < 0)
        goto out;
    b.r.channels = (uint64_t)b.nch;
    preheat = preheat_bytes(s, b.nch);
    if (preheat && preheat_file(c->file, preheat, &perr) < 0) {
        snprintf(b.r.msg, sizeof b.r.msg, "bare HDF5 loop: %.380s", perr.msg);
        b.r.cause = perr.cause;
        goto out;
    }
    b.r.t_ready_ns = h5s_now_ns();
    atomic_store(&c->shm->t_ready_ns, b.r.t_ready_ns);
    atomic_store(&c->shm->state, WRITER_READY);
    if (proto_send_ready(c) < 0) {
        snprintf(b.r.msg, sizeof b.r.msg, "cannot report READY to the orchestrator");
        goto out;
    }
    rc = bare_loop(&b);
out:
    for (int i = 0; b.did && i < b.nch; i++)
        if (b.did[i] >= 0)
            H5Dclose(b.did[i]);
    if (b.fid >= 0 && H5Fclose(b.fid) < 0 && rc == 0) {
        snprintf(b.r.msg, sizeof b.r.msg, "bare HDF5 loop: closing %.300s failed", c->file);
        rc = -1;
    }
    if (rc == 0 && preheat && preheat_trim(c->file, &perr) < 0) {
        snprintf(b.r.msg, sizeof b.r.msg, "bare HDF5 loop: %.380s", perr.msg);
        rc = -1;
    }
    H5Eclear2(H5E_DEFAULT);
    atomic_store(&c->shm->state, rc < 0 ? WRITER_FAILED : WRITER_DONE);
    free(b.did);
    free(b.buf);
    proto_finish_writer(&b.r, &b.append_ns, &b.flush_ns);
    b.r.errors = rc < 0;
    b.r.exit_code = rc < 0 ? (b.refused ? EXIT_USAGE : EXIT_FAIL) : EXIT_OK;
    if (rc < 0) {
        printf("[Writer] ERROR: %s\n", b.r.msg);
        fflush(stdout);
    }
    proto_fill_usage(&b.r);
    proto_send_result(c, &b.r);
    return b.r.exit_code;
}

/* --------------------------------------------------------- the bare reader */

typedef struct bare_reader {
    const role_ctx_t *c;
    const scn_t *s;
    hid_t fid;
    hid_t did[SCN_MAX_CHANNELS];
    uint64_t got[SCN_MAX_CHANNELS]; /* samples read so far, per channel */
    int nch;
    int ino;
    void *buf;
    size_t buf_samples;
    FILE *log; /* raw_logs: every lag event, as h5swmr's reader writes them */
    lag_t lag; /* lag per flushed block of the first channel, as h5swmr's reader measures it */
    proto_result_t r;
} bare_reader_t;

/* Waits for the writer's READY (the orchestrator's GO) and opens the file
 * and every channel, the first channel first. Returns 0, or -1 with r.msg set. */
static int bare_reader_open(bare_reader_t *b)
{
    const scn_t *s = b->s;
    int cb = proto_wait_ctl(b->c, h5s_now_ns() + (int64_t)(s->ready_timeout_s * 1e9));
    if (cb != PROTO_GO && cb > 0 && atomic_load(&b->c->shm->t_ready_ns) != 0)
        return 1; /* the writer was ready: a start delay (reader_delay_s) outlasted the run */
    if (cb != PROTO_GO) {
        snprintf(b->r.msg, sizeof b->r.msg, "%s", cb == 0 ? "no READY from the writer" : "stopped before READY");
        return -1;
    }
    static char names[SCN_MAX_CHANNELS][SCN_STR];
    int n = scn_channel_names(s, names, SCN_MAX_CHANNELS);
    if ((b->fid = H5Fopen(b->c->file, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT)) < 0) {
        snprintf(b->r.msg, sizeof b->r.msg, "bare HDF5 reader: cannot open %.300s", b->c->file);
        b->r.cause = bare_hdf5_cause();
        return -1;
    }
    for (b->nch = 0; b->nch < n; b->nch++) {
        char path[512];
        snprintf(path, sizeof path, "/Experiment/Surveys/%.63s/Stations/%.63s/%.63s/%.63s", s->survey, s->station,
                 s->run, names[b->nch]);
        if ((b->did[b->nch] = H5Dopen2(b->fid, path, H5P_DEFAULT)) < 0) {
            snprintf(b->r.msg, sizeof b->r.msg, "bare HDF5 reader: cannot open %.200s in %.150s", path, b->c->file);
            b->r.cause = bare_hdf5_cause();
            return -1;
        }
    }
    if (s->reader_wait == SCN_WAIT_INOTIFY && ((b->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0 ||
                                               inotify_add_watch(b->ino, b->c->file, IN_MODIFY) < 0)) {
        snprintf(b->r.msg, sizeof b->r.msg, "bare HDF5 reader: inotify on %.300s failed", b->c->file);
        return -1;
    }
    return 0;
}

/* Refreshes channel k and reads what it gained; *len gets its length.
 * Returns 0, or -1 with r.msg set. */
static int bare_reader_channel(bare_reader_t *b, int k, uint64_t *len)
{
    hsize_t dims[1] = {0};
    hid_t did = b->did[k], fs = H5I_INVALID_HID;
    if (H5Drefresh(did) < 0 || (fs = H5Dget_space(did)) < 0 || H5Sget_simple_extent_dims(fs, dims, NULL) < 0) {
        if (fs >= 0)
            H5Sclose(fs);
        snprintf(b->r.msg, sizeof b->r.msg, "bare HDF5 reader: refreshing channel %d failed", k + 1);
        b->r.cause = bare_hdf5_cause();
        return -1;
    }
    *len = dims[0];
    bool ok = true;
    while (ok && b->got[k] < *len) {
        uint64_t left = *len - b->got[k];
        hsize_t start[1] = {b->got[k]}, count[1] = {left < b->buf_samples ? left : b->buf_samples};
        hid_t ms = H5Screate_simple(1, count, NULL);
        ok = ms >= 0 && H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
             H5Dread(did, bare_type(b->s->dtype), ms, fs, H5P_DEFAULT, b->buf) >= 0;
        if (ms >= 0)
            H5Sclose(ms);
        if (ok)
            b->got[k] += count[0];
    }
    H5Sclose(fs);
    if (!ok) {
        snprintf(b->r.msg, sizeof b->r.msg, "bare HDF5 reader: reading channel %d from sample %llu failed", k + 1,
                 (unsigned long long)b->got[k]);
        b->r.cause = bare_hdf5_cause();
        return -1;
    }
    return 0;
}

/* One poll: every channel refreshed and read, the first one first; its new
 * length is the observation matched with the writer's flush records.
 * Returns 0, or -1. */
static int bare_reader_poll(bare_reader_t *b)
{
    uint64_t len = 0, other;
    if (bare_reader_channel(b, 0, &len) < 0)
        return -1;
    int64_t t_seen = h5s_now_ns();
    for (int k = 1; k < b->nch; k++)
        if (bare_reader_channel(b, k, &other) < 0)
            return -1;
    b->r.polls++;
    if (len > b->r.samples) {
        b->r.updates++;
        b->r.samples = len;
    }
    proto_seen(b->c->shm, b->c->index, len);
    /* every flush this poll newly covers, against the flush records */
    if (b->s->measure) {
        lag_observe(&b->lag, len, t_seen);
        lag_resolve(&b->lag);
    }
    return 0;
}

/* Waits until the next poll is due: returns true to poll, false to stop. */
static bool bare_reader_wait(bare_reader_t *b, int64_t *next, int64_t period)
{
    if (b->ino >= 0) {
        struct pollfd pf[2] = {{.fd = b->c->ctl_fd, .events = POLLIN}, {.fd = b->ino, .events = POLLIN}};
        int64_t left = period > 0 ? period : 1000000000LL;
        struct timespec ts = {left / 1000000000, left % 1000000000};
        if (ppoll(pf, 2, &ts, NULL) > 0 && pf[0].revents)
            return false; /* STOP, or the orchestrator is gone */
        char ev[4096] __attribute__((aligned(8)));
        while (read(b->ino, ev, sizeof ev) > 0)
            ;
        return true;
    }
    if (period <= 0)
        return !proto_stop_requested(b->c);
    *next += period;
    if (*next < h5s_now_ns())
        *next = h5s_now_ns();
    int cb = proto_wait_ctl(b->c, *next);
    return cb == 0;
}

int bare_reader_main(const role_ctx_t *c)
{
    const scn_t *s = c->scn;
    bare_reader_t b = {.c = c, .s = s, .fid = H5I_INVALID_HID, .ino = -1};
    lag_init(&b.lag, s, c->shm, c->index, NULL);
    b.r.role = ROLE_READER;
    b.r.index = c->index;
    b.r.table_samples = -1;
    b.r.t_start_ns = h5s_now_ns();
    snprintf(b.r.strategy, sizeof b.r.strategy, "bare");
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); /* as h5swmr's reader: polls when due */
    b.buf_samples = 1u << 20;
    int rc = -1;
    if (!(b.buf = malloc(b.buf_samples * 8))) {
        snprintf(b.r.msg, sizeof b.r.msg, "bare HDF5 reader: out of memory");
        goto out;
    }
    int opened = bare_reader_open(&b);
    if (opened != 0) {
        rc = opened > 0 ? 0 : -1; /* > 0: stopped before its start delay ended, nothing opened */
        goto out;
    }
    if (s->raw_logs && c->run_dir) {
        char lp[4200];
        snprintf(lp, sizeof lp, "%s/lag_reader%d.csv", c->run_dir, c->index);
        if (!(b.log = fopen(lp, "wx"))) {
            snprintf(b.r.msg, sizeof b.r.msg, "%.300s: cannot create the lag log", lp);
            goto out;
        }
        fprintf(b.log, "reader,seq,samples,t_seen_ns,lag_ns,e2e_ns\n");
        b.lag.log = b.log;
    }
    b.r.t_ready_ns = atomic_load(&c->shm->t_ready_ns);
    b.r.t_open_ns = h5s_now_ns();
    int64_t period = (int64_t)(s->poll_ms * 1e6);
    int64_t next = h5s_now_ns() + proto_poll_phase(s, c->index, period);
    do {
        if (bare_reader_poll(&b) < 0)
            goto out;
        proto_rss_tick(&b.r, s, b.fid);
    } while (bare_reader_wait(&b, &next, period));
    /* stopped: one last look, so that the sample count covers the last flush */
    lag_stop(&b.lag, h5s_now_ns());
    rc = bare_reader_poll(&b);
out:
    proto_rss_end(&b.r, b.fid); /* before the file and buffers are let go */
    for (int k = 0; k < b.nch; k++)
        H5Dclose(b.did[k]);
    if (b.fid >= 0)
        H5Fclose(b.fid);
    H5Eclear2(H5E_DEFAULT);
    if (b.ino >= 0)
        close(b.ino);
    lag_finish(&b.lag, &b.r); /* before the lag log is closed */
    if (b.log && fclose(b.log) != 0 && rc == 0) {
        snprintf(b.r.msg, sizeof b.r.msg, "writing the lag log failed");
        rc = -1;
    }
    free(b.buf);
    b.r.channels = (uint64_t)b.nch;
    b.r.runs_seen = 1;
    b.r.runs_expected = 1;
    b.r.t_end_ns = h5s_now_ns();
    b.r.errors = rc < 0;
    b.r.exit_code = rc < 0 ? EXIT_FAIL : EXIT_OK;
    if (rc < 0) {
        printf("[Reader %d] ERROR: %s\n", c->index, b.r.msg);
        fflush(stdout);
    }
    proto_fill_usage(&b.r);
    proto_send_result(c, &b.r);
    return b.r.exit_code;
}
