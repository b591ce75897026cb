/* check_case_util.c - what the cases of `h5swmr check` share (see
 * check_case.h): their outcomes, the MTH5 file they use, and refusals. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <hdf5.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_case.h"
#include "util.h"

/* ---- outcomes ---------------------------------------------------------------- */

/* Sets the token and the detail line of an outcome. */
void chk_out_set(chk_outcome_t *o, const char *token, const char *fmt, ...)
{
    va_list ap;
    snprintf(o->token, sizeof o->token, "%s", token);
    va_start(ap, fmt);
    vsnprintf(o->detail, sizeof o->detail, fmt, ap);
    va_end(ap);
}

/* The case could not run (setup failed): error:<code>, with the message. */
void chk_out_error(chk_outcome_t *o, const char *what, const h5s_err_t *err)
{
    snprintf(o->token, sizeof o->token, "error:%s", h5s_errname(err->code));
    snprintf(o->detail, sizeof o->detail, "%.100s: %.900s", what, err->msg);
}

/* Replaces the case's static explanation for this outcome. */
void chk_out_why(chk_outcome_t *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->why, sizeof o->why, fmt, ap);
    va_end(ap);
}

/* The path of name in the case's directory. */
const char *chk_case_file(const chk_env_t *env, const char *name, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/%s", env->dir, name);
    return buf;
}

/* ---- files --------------------------------------------------------------------- */

/* Creates the MTH5 file every case uses: one survey, station, run and an empty
 * float32 channel ex (chunked, unlimited), closed again. */
int chk_make_file(const char *path, h5s_err_t *err)
{
    mth5_t *m = NULL;
    mth5_station_meta_t loc = {40.0, -120.0, 1200.0};
    mth5_channel_opts_t o = {.name = "ex", .type = MTH5_ELECTRIC, .dtype = MTH5_FLOAT32, .chunk = CHK_CHUNK};
    int rc = mth5_open(path, "x", false, &m, err);
    if (rc < 0)
        return rc;
    if ((rc = mth5_add_survey(m, CHK_SURVEY, err)) < 0 ||
        (rc = mth5_add_station(m, CHK_SURVEY, CHK_STATION, &loc, err)) < 0 ||
        (rc = mth5_add_run(m, CHK_SURVEY, CHK_STATION, CHK_RUN, CHK_RATE, NULL, err)) < 0 ||
        (rc = mth5_add_channel(m, CHK_SURVEY, CHK_STATION, CHK_RUN, &o, NULL, err)) < 0) {
        mth5_close(m, NULL);
        return rc;
    }
    return mth5_close(m, err);
}

/* Appends count blocks of n pattern samples to ch (float32), flushing each
 * block when asked. */
int chk_append_blocks(mth5_channel_t *ch, int64_t n, int64_t count, bool cork, bool flush, h5s_err_t *err)
{
    float *buf = malloc((size_t)n * sizeof *buf);
    int rc = 0;
    if (!buf)
        return h5s_seterr(err, H5S_ENOMEM, "out of memory");
    uint64_t key = pat_key(CHK_EX_PATH);
    for (int64_t i = 0; i < count && rc == 0; i++) {
        pat_fill(MTH5_FLOAT32, key, mth5_channel_length(ch), (size_t)n, buf);
        rc = mth5_channel_append(ch, buf, (size_t)n, cork, err);
        if (rc == 0 && flush)
            rc = mth5_channel_flush(ch, err);
    }
    free(buf);
    return rc;
}

/* Reads samples [from, to) of ch and checks them against the pattern into *pc. */
int chk_verify_range(mth5_channel_t *ch, uint64_t from, uint64_t to, pat_check_t *pc, h5s_err_t *err)
{
    enum { STEP = 65536 };
    float *buf = malloc(STEP * sizeof *buf);
    int rc = 0;
    if (!buf)
        return h5s_seterr(err, H5S_ENOMEM, "out of memory");
    uint64_t key = pat_key(CHK_EX_PATH);
    for (uint64_t at = from; at < to && rc == 0; at += STEP) {
        size_t n = to - at > STEP ? STEP : (size_t)(to - at);
        if ((rc = mth5_channel_read(ch, at, n, buf, err)) == 0)
            pat_verify(MTH5_FLOAT32, key, at, n, buf, pc);
    }
    free(buf);
    return rc;
}

/* The length a held dataset handle reports without a refresh. */
uint64_t chk_held_length(mth5_channel_t *ch)
{
    hsize_t d[1] = {0};
    hid_t sp = H5Dget_space(mth5_channel_did(ch));
    if (sp >= 0) {
        H5Sget_simple_extent_dims(sp, d, NULL);
        H5Sclose(sp);
    }
    H5Eclear2(H5E_DEFAULT);
    return d[0];
}

/* Opens path as an SWMR reader with channel ex. */
int chk_reader_open(const char *path, mth5_t **m, mth5_channel_t **ch, h5s_err_t *err)
{
    int rc = mth5_open(path, "r", true, m, err);
    if (rc == 0 && (rc = mth5_channel_open_path(*m, CHK_EX_PATH, ch, err)) < 0) {
        mth5_close(*m, NULL);
        *m = NULL;
    }
    return rc;
}

/* ---- refusals --------------------------------------------------------------------- */

/* Opens path with each mode (SWMR or not); the outcome is refused:<expect>
 * when every open is refused with expect and, if path did not exist, nothing
 * was created; otherwise the first open that behaved differently. */
void chk_refusals(const char *path, const char *const *modes, size_t n, bool swmr, int expect, chk_outcome_t *out)
{
    bool existed = access(path, F_OK) == 0;
    char list[256] = "";
    h5s_err_t err, first;
    size_t len = 0;
    h5s_err_clear(&first);
    for (size_t i = 0; i < n; i++) {
        mth5_t *m = NULL;
        h5s_err_clear(&err);
        int rc = mth5_open(path, modes[i], swmr, &m, &err);
        if (rc == 0) {
            mth5_close(m, NULL);
            chk_out_set(out, "accepted", "mode '%s'%s opened the file", modes[i], swmr ? " with SWMR" : "");
            return;
        }
        if (!existed && access(path, F_OK) == 0) {
            chk_out_set(out, "fail:file-created", "mode '%s' was refused (%s) but created %s", modes[i],
                        h5s_errname(rc), path);
            return;
        }
        if (rc != expect) {
            snprintf(out->token, sizeof out->token, "refused:%s", h5s_errname(rc));
            snprintf(out->detail, sizeof out->detail, "mode '%s': %.900s", modes[i], err.msg);
            return;
        }
        len += (size_t)snprintf(list + len, sizeof list - len, "%s'%s'", i ? ", " : "", modes[i]);
        if (len >= sizeof list)
            len = sizeof list - 1;
        if (!first.msg[0])
            first = err;
    }
    snprintf(out->token, sizeof out->token, "refused:%s", h5s_errname(expect));
    snprintf(out->detail, sizeof out->detail, "%s%s: %.700s", list, swmr ? " with SWMR" : "", first.msg);
}
