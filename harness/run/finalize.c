/* finalize.c - the finalizer role: after the writer and readers ended, recover
 * the file if the writer died in SWMR mode (h5clear -s), read every sample back
 * and check it against the pattern and against what the writer had flushed,
 * then rebuild /Experiment/channel_summary without SWMR. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faults.h"
#include "mth5.h"
#include "pattern.h"
#include "proto.h"
#include "util.h"

#define CHUNK_SAMPLES (1u << 20)

/* --increment=0 first sets the superblock's end-of-allocation to the file's
 * real end: a writer that dies in SWMR mode leaves a stale one, and a plain
 * "h5clear -s" (like any read-write open and close) then truncates the file to
 * it, losing everything written in SWMR mode (seen on HDF5 1.10.8; the
 * conformance case crash_recovery checks it). */
static int run_h5clear(const char *file, int timeout_ms)
{
    const char *argv[] = {"h5clear", "-s", "--increment=0", file, NULL};
    return h5s_run_quiet(argv, timeout_ms);
}

/* The writer's file is not at its path any more (deleted, or another file
 * renamed over it; err says which): nothing is recovered, verified or
 * rebuilt, and every flushed sample counts as missing. */
static void file_gone(const role_ctx_t *c, proto_result_t *r, const h5s_err_t *err)
{
    uint64_t flushed = atomic_load(&c->shm->samples);
    uint64_t runs = atomic_load(&c->shm->runs);
    r->recovery |= PROTO_RECOVERY_FILE_GONE;
    r->missing = flushed ? flushed : runs;
    char what[96] = "";
    if (r->missing)
        snprintf(what, sizeof what, ": the %llu %s are not there", (unsigned long long)r->missing,
                 flushed ? "flushed samples per channel" : "runs the writer added and flushed");
    snprintf(r->msg, sizeof r->msg,
             "%.230s%.90s; nothing was recovered, verified or rebuilt, and no other file was touched", err->msg, what);
}

/* Publishes a finished step (the orchestrator counts any as progress). */
static void step(const role_ctx_t *c)
{
    atomic_fetch_add(&c->shm->finalize_steps, 1);
}

/* Publishes the bytes of all channels, which verification will read back:
 * the denominator of the progress the orchestrator shows. */
static void publish_total(mth5_t *m, const role_ctx_t *c, const mth5_summary_row_t *rows, size_t n)
{
    uint64_t total = 0;
    h5s_err_t err;
    for (size_t i = 0; i < n; i++) {
        mth5_channel_t *ch;
        if (mth5_channel_open_path(m, rows[i].path, &ch, &err) < 0)
            continue; /* verify() reports it */
        total += mth5_channel_length(ch) * mth5_dtype_size(mth5_channel_dtype(ch));
        mth5_channel_close(ch);
        step(c);
    }
    atomic_store(&c->shm->finalize_total, total);
}

/* Reads every channel back; counts bad samples and flushed samples that are
 * not in the file (only for the writer's run, whose flushed length is known). */
static int verify(mth5_t *m, const role_ctx_t *c, proto_result_t *r, h5s_err_t *err)
{
    mth5_summary_row_t *rows = NULL;
    size_t n = 0;
    int rc = mth5_channel_summary(m, &rows, &n, err);
    if (rc < 0)
        return rc;
    void *buf = malloc((size_t)CHUNK_SAMPLES * 8);
    if (!buf) {
        free(rows);
        return h5s_seterr(err, H5S_ENOMEM, "out of memory");
    }
    const scn_t *s = c->scn;
    uint64_t flushed = atomic_load(&c->shm->samples);
    publish_total(m, c, rows, n);
    pat_check_t chk = {0};
    for (size_t i = 0; i < n && rc == 0; i++) {
        mth5_channel_t *ch;
        if ((rc = mth5_channel_open_path(m, rows[i].path, &ch, err)) < 0)
            break;
        uint64_t len = mth5_channel_length(ch), key = pat_key(rows[i].path);
        size_t dsize = mth5_dtype_size(mth5_channel_dtype(ch));
        pat_check_t here = {0};
        for (uint64_t at = 0; at < len && rc == 0; at += CHUNK_SAMPLES) {
            size_t k = len - at > CHUNK_SAMPLES ? CHUNK_SAMPLES : (size_t)(len - at);
            if ((rc = mth5_channel_read(ch, at, k, buf, err)) == 0) {
                pat_verify(mth5_channel_dtype(ch), key, at, k, buf, &here);
                atomic_fetch_add(&c->shm->finalize_bytes, (uint64_t)k * dsize);
            }
        }
        step(c);
        bool writers_run = s->workload == SCN_APPEND && !strcmp(rows[i].run, s->run);
        uint64_t bad = here.mismatches + here.fills;
        if (bad && writers_run && here.first_bad >= flushed) {
            /* only past the last successful flush: an extent whose data a failed
             * flush never wrote; what was flushed is intact */
            if (!r->unflushed_bad)
                snprintf(r->observation, sizeof r->observation,
                         "%.200s: %llu samples past the last successful flush (%llu) read back as %s", rows[i].path,
                         (unsigned long long)bad, (unsigned long long)flushed,
                         here.fills == bad ? "fill values" : "wrong values");
            r->unflushed_bad += bad;
        } else if (bad) {
            if (chk.mismatches + chk.fills == 0)
                snprintf(r->msg, sizeof r->msg, "%.200s[%llu] = %g, expected %d", rows[i].path,
                         (unsigned long long)here.first_bad, here.first_value, here.first_expected);
            chk.mismatches += here.mismatches;
            chk.fills += here.fills;
        }
        if (writers_run && len < flushed)
            r->missing += flushed - len;
        r->samples += len;
        r->bytes += len * dsize;
        mth5_channel_close(ch);
    }
    r->channels = n;
    r->mismatches = chk.mismatches;
    r->fills = chk.fills;
    free(buf);
    free(rows);
    return rc;
}

int finalizer_main(const role_ctx_t *c)
{
    proto_result_t r = {.role = ROLE_FINALIZER, .table_samples = -1};
    h5s_err_t err;
    mth5_t *m = NULL;
    int rc = 0;
    r.t_start_ns = h5s_now_ns();
    snprintf(r.strategy, sizeof r.strategy, "%s", c->recover ? "recover" : "finalize");
    char recovered[200] = "";
    /* the file this run's writer created, by its identity: through this
     * descriptor h5clear and HDF5 reach that very file, never another one
     * renamed over its path, and never create one */
    h5s_df_id_t id;
    int fd = proto_data_file_id(c, &id) ? h5s_df_open_same(c->file, &id, O_RDONLY, &err)
                                        : h5s_seterr(&err, H5S_ENOENT, "the writer created no data file");
    if (fd < 0) {
        file_gone(c, &r, &err);
        r.exit_code = r.missing ? EXIT_VERIFY : EXIT_FAIL;
        goto done;
    }
    char via[64];
    h5s_df_fd_path((int)getpid(), fd, via, sizeof via);
    if (c->recover) {
        int hc = run_h5clear(via, 30000);
        r.recovery |= hc == 0 ? PROTO_RECOVERY_CLEARED : PROTO_RECOVERY_CLEAR_FAILED;
        snprintf(
            recovered, sizeof recovered,
            hc == 0
                ? "the writer ended in SWMR mode without a clean close: 'h5clear -s --increment=0' cleared the file's "
                  "open-for-write flags and its stale end-of-allocation"
                : "the writer ended in SWMR mode without a clean close and 'h5clear -s --increment=0' failed (exit %d)",
            hc);
        step(c);
    }
    /* whether the file is flagged open for write before this process opens it */
    bool flagged_before = faults_superblock_flags(via) > 0;
    const char *doing = "opening it read-write";
    rc = mth5_open_fd(fd, c->file, "r+", false, &m, &err);
    step(c);
    if (rc == 0 && c->scn->verify_file) {
        doing = "reading the samples back";
        if ((rc = verify(m, c, &r, &err)) == 0)
            r.recovery |= PROTO_RECOVERY_VERIFIED;
    }
    if (rc == 0) {
        doing = "rebuilding /Experiment/channel_summary";
        rc = mth5_summary_table_rebuild(m, &err);
    }
    step(c);
    if (m && mth5_close(m, rc == 0 ? &err : NULL) < 0 && rc == 0) {
        doing = "closing it";
        rc = err.code;
    }
    if (rc < 0 && rc != H5S_ELOCKED && !flagged_before && faults_superblock_flags(via) > 0) {
        /* the failed work left the superblock saying a writer has the file
         * open (HDF5 could not close it): this process set that flag, and
         * clears it again, so that the file opens normally */
        r.recovery |= PROTO_RECOVERY_LEFT_OPEN;
        if (run_h5clear(via, 30000) == 0 && faults_superblock_flags(via) == 0)
            r.recovery |= PROTO_RECOVERY_UNFLAGGED;
        step(c);
    }
    close(fd); /* the file's identity was needed until here */
    if (recovered[0]) {
        char obs[sizeof r.observation];
        snprintf(obs, sizeof obs, "%s%s%.190s", recovered, r.observation[0] ? "; " : "", r.observation);
        memcpy(r.observation, obs, sizeof obs);
    }
    if (rc == H5S_ELOCKED && !c->recover) {
        /* another process (a reader in another terminal) still has the file
         * open: not an error of the run; the table keeps its in-place counts */
        snprintf(r.observation, sizeof r.observation,
                 "not verified, channel_summary not rebuilt: another process still has the file open; run "
                 "'h5swmr finalize FILE' once it is closed");
        rc = 0;
    } else if (rc < 0) {
        snprintf(r.msg, sizeof r.msg, "%s: %.360s", doing, err.msg);
        r.cause = err.cause;
    }
    r.exit_code = rc < 0 ? EXIT_FAIL : r.mismatches || r.fills || r.missing ? EXIT_VERIFY : EXIT_OK;
done:
    r.t_end_ns = h5s_now_ns();
    proto_fill_usage(&r);
    proto_send_result(c, &r);
    return r.exit_code;
}
