/* check_guide.c - the cases of the guide group: the rules of MTH5's SWMR
 * guide (how a writer and its readers open the file, what a flush
 * publishes), decided by HDF5. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>

#include "check_case.h"
#include "util.h"

/* The SWMR writer opens with mode, appends and flushes; a later plain open
 * reads back exactly what it wrote. */
static void writer_with(const chk_env_t *env, const char *mode, chk_outcome_t *out)
{
    char path[1200];
    mth5_t *m = NULL;
    mth5_channel_t *ch = NULL;
    h5s_err_t err;
    unsigned intent = 0;
    pat_check_t pc = {0};
    int rc;
    chk_case_file(env, "writer.mth5", path, sizeof path);
    if ((rc = chk_make_file(path, &err)) < 0) {
        chk_out_error(out, "creating the file", &err);
        return;
    }
    if ((rc = mth5_open(path, mode, true, &m, &err)) < 0) {
        snprintf(out->token, sizeof out->token, "refused:%s", h5s_errname(rc));
        snprintf(out->detail, sizeof out->detail, "%s", err.msg);
        return;
    }
    if (H5Fget_intent(mth5_fid(m), &intent) < 0 || !(intent & H5F_ACC_SWMR_WRITE)) {
        chk_out_set(out, "fail:not-swmr-write", "opened with '%s', but the file's intent is 0x%x (no SWMR_WRITE)", mode,
                    intent);
        goto done;
    }
    if ((rc = mth5_channel_open_path(m, CHK_EX_PATH, &ch, &err)) < 0 ||
        (rc = chk_append_blocks(ch, 1000, 3, true, true, &err)) < 0) {
        chk_out_error(out, "appending in SWMR-write mode", &err);
        goto done;
    }
    mth5_channel_close(ch);
    ch = NULL;
    if ((rc = mth5_close(m, &err)) < 0) {
        m = NULL;
        chk_out_error(out, "closing the SWMR writer", &err);
        goto done;
    }
    m = NULL;
    if ((rc = mth5_open(path, "r", false, &m, &err)) < 0 ||
        (rc = mth5_channel_open_path(m, CHK_EX_PATH, &ch, &err)) < 0 ||
        (rc = chk_verify_range(ch, 0, mth5_channel_length(ch), &pc, &err)) < 0) {
        chk_out_error(out, "reading back", &err);
        goto done;
    }
    if (mth5_channel_length(ch) != 3000 || pc.mismatches || pc.fills)
        chk_out_set(out, "fail:data-lost", "read back %llu samples (%llu wrong, %llu fill), wrote 3000",
                    (unsigned long long)mth5_channel_length(ch), (unsigned long long)pc.mismatches,
                    (unsigned long long)pc.fills);
    else
        chk_out_set(out, "pass", "'%s' + SWMR: intent RDWR|SWMR_WRITE (0x%x); 3 appends + H5Dflush, read back intact",
                    mode, intent);
done:
    mth5_channel_close(ch);
    mth5_close(m, NULL);
}

/* writer_with_a: an SWMR writer opened with 'a' appends; the data reads back. */
void chk_case_writer_with_a(const chk_env_t *env, chk_outcome_t *out)
{
    writer_with(env, "a", out);
}

/* writer_with_r_plus: the same with 'r+'. */
void chk_case_writer_with_r_plus(const chk_env_t *env, chk_outcome_t *out)
{
    writer_with(env, "r+", out);
}
/* reader_with_r: 'r' with SWMR opens and walks the tree while an SWMR writer runs. */
void chk_case_reader_with_r(const chk_env_t *env, chk_outcome_t *out)
{
    chk_helper_t w = CHK_HELPER_NONE;
    chk_wargs_t a;
    char path[1200];
    mth5_t *m = NULL;
    h5s_err_t err;
    mth5_summary_row_t *rows = NULL;
    size_t n = 0;
    unsigned intent = 0;
    if (chk_writer_setup(env, true, &w, &a, path, sizeof path, out) < 0)
        return;
    int rc = mth5_open(path, "r", true, &m, &err);
    if (rc < 0) {
        snprintf(out->token, sizeof out->token, "refused:%s", h5s_errname(rc));
        snprintf(out->detail, sizeof out->detail, "%s", err.msg);
    } else if (H5Fget_intent(mth5_fid(m), &intent) < 0 || !(intent & H5F_ACC_SWMR_READ)) {
        chk_out_set(out, "fail:not-swmr-read", "opened, but the intent is 0x%x (no SWMR_READ)", intent);
    } else if (mth5_channel_summary(m, &rows, &n, &err) < 0 || n != 1) {
        chk_out_set(out, "fail:tree-unreadable", "the reader cannot walk the tree (%zu channels): %s", n, err.msg);
    } else {
        chk_out_set(out, "pass",
                    "'r' + SWMR opened (intent 0x%x) while the writer is in SWMR mode, and walked %zu channel", intent,
                    n);
    }
    free(rows);
    mth5_close(m, NULL);
    chk_writer_end(&w, out);
}

/* single_writer: a second SWMR writer is refused while another process writes. */
void chk_case_single_writer(const chk_env_t *env, chk_outcome_t *out)
{
    static const char *const modes[] = {"a", "r+"};
    chk_helper_t w = CHK_HELPER_NONE;
    chk_wargs_t a;
    char path[1200];
    if (chk_writer_setup(env, true, &w, &a, path, sizeof path, out) < 0)
        return;
    chk_refusals(path, modes, 2, true, H5S_ELOCKED, out);
    chk_writer_end(&w, out);
}
/* ---- data visibility ------------------------------------------------------------------ */

/* flushed_data_visible: after each flush of the writer, a refresh shows the
 * reader exactly the flushed samples, with the right values. */
void chk_case_flushed_data_visible(const chk_env_t *env, chk_outcome_t *out)
{
    chk_helper_t w = CHK_HELPER_NONE;
    chk_wargs_t a;
    char path[1200];
    mth5_t *m = NULL;
    mth5_channel_t *ch = NULL;
    h5s_err_t err;
    chk_hmsg_t msg;
    pat_check_t pc = {0};
    uint64_t len = 0, read = 0, stale = 0;
    enum { ROUNDS = 5, BLOCK = 1000 };
    if (chk_writer_setup(env, true, &w, &a, path, sizeof path, out) < 0)
        return;
    if (chk_reader_open(path, &m, &ch, &err) < 0) {
        chk_out_error(out, "opening the SWMR reader", &err);
        goto done;
    }
    for (int i = 0; i < ROUNDS; i++) {
        chk_hcmd_t c = {.op = 'A', .n = BLOCK, .count = 1, .cork = true, .flush = true};
        if (chk_helper_call(&w, &c, &msg, CHK_REPLY_MS, &err) < 0) {
            chk_out_error(out, "the writer's append", &err);
            goto done;
        }
        if (mth5_channel_refresh(ch, &len, &err) < 0) {
            chk_out_error(out, "H5Drefresh", &err);
            goto done;
        }
        if (len != msg.value)
            stale++;
        if (len > read && chk_verify_range(ch, read, len, &pc, &err) < 0) {
            chk_out_error(out, "reading", &err);
            goto done;
        }
        if (len > read)
            read = len;
    }
    if (stale)
        chk_out_set(out, "fail:not-visible",
                    "%llu of %d flushes were not visible after H5Drefresh (last: %llu of %llu samples)",
                    (unsigned long long)stale, ROUNDS, (unsigned long long)len, (unsigned long long)msg.value);
    else if (pc.fills)
        chk_out_set(out, "fail:fill-values", "%llu flushed samples read as fill values (first at %llu)",
                    (unsigned long long)pc.fills, (unsigned long long)pc.first_bad);
    else if (pc.mismatches)
        chk_out_set(out, "fail:wrong-values", "%llu samples differ (first at %llu: %g, expected %d)",
                    (unsigned long long)pc.mismatches, (unsigned long long)pc.first_bad, pc.first_value,
                    pc.first_expected);
    else
        chk_out_set(out, "pass",
                    "%d x (append %d samples + H5Dflush): after each, H5Drefresh showed exactly the flushed "
                    "length and all %llu samples verified",
                    ROUNDS, BLOCK, (unsigned long long)read);
done:
    mth5_channel_close(ch);
    mth5_close(m, NULL);
    chk_writer_end(&w, out);
}

/* unflushed_not_promised: what a reader sees of appends that are not flushed,
 * for a while, and then after the flush. */
void chk_case_unflushed_not_promised(const chk_env_t *env, chk_outcome_t *out)
{
    chk_helper_t w = CHK_HELPER_NONE;
    chk_wargs_t a;
    char path[1200];
    mth5_t *m = NULL;
    mth5_channel_t *ch = NULL;
    h5s_err_t err;
    chk_hmsg_t msg;
    pat_check_t pc = {0};
    uint64_t len = 0, seen = 0;
    int polls = 0;
    enum { BLOCKS = 4, BLOCK = 1000, WINDOW_MS = 200 };
    if (chk_writer_setup(env, true, &w, &a, path, sizeof path, out) < 0)
        return;
    if (chk_reader_open(path, &m, &ch, &err) < 0) {
        chk_out_error(out, "opening the SWMR reader", &err);
        goto done;
    }
    chk_hcmd_t c = {.op = 'A', .n = BLOCK, .count = BLOCKS, .cork = true, .flush = false};
    if (chk_helper_call(&w, &c, &msg, CHK_REPLY_MS, &err) < 0) {
        chk_out_error(out, "the writer's append", &err);
        goto done;
    }
    /* look for the unflushed data for a while: every millisecond for WINDOW_MS */
    int64_t end = h5s_now_ns() + (int64_t)WINDOW_MS * 1000000;
    while (h5s_now_ns() < end) {
        if (mth5_channel_refresh(ch, &len, &err) < 0) {
            chk_out_error(out, "H5Drefresh", &err);
            goto done;
        }
        polls++;
        if (len > seen) {
            if (chk_verify_range(ch, seen, len, &pc, &err) < 0) {
                chk_out_error(out, "reading", &err);
                goto done;
            }
            seen = len;
        }
        h5s_wait_readable(w.from, h5s_now_ns() + 1000000); /* the writer says nothing now: a 1 ms pace */
    }
    uint64_t unflushed_seen = seen;
    uint64_t written = msg.value;
    /* now the writer flushes: that is what publishes the data */
    chk_hcmd_t f = {.op = 'F'};
    if (chk_helper_call(&w, &f, &msg, CHK_REPLY_MS, &err) < 0) {
        chk_out_error(out, "the writer's flush", &err);
        goto done;
    }
    if (mth5_channel_refresh(ch, &len, &err) < 0 || (len > seen && chk_verify_range(ch, seen, len, &pc, &err) < 0)) {
        chk_out_error(out, "reading after the flush", &err);
        goto done;
    }
    if (len != written)
        chk_out_set(out, "fail:flushed-not-visible", "after the flush the reader sees %llu of %llu samples",
                    (unsigned long long)len, (unsigned long long)written);
    else if (pc.mismatches)
        chk_out_set(out, "fail:wrong-values", "%llu samples differ", (unsigned long long)pc.mismatches);
    else if (unflushed_seen == 0)
        chk_out_set(out, "observed:not-visible",
                    "%llu samples appended (corked) without a flush: %d refreshes over %d ms "
                    "saw length 0; after H5Dflush all %llu were visible and verified",
                    (unsigned long long)written, polls, WINDOW_MS, (unsigned long long)written);
    else if (pc.fills)
        chk_out_set(out, "observed:extent-without-data",
                    "unflushed: the reader saw %llu of %llu samples, %llu of them fill values",
                    (unsigned long long)unflushed_seen, (unsigned long long)written, (unsigned long long)pc.fills);
    else
        chk_out_set(out, "observed:visible", "unflushed: the reader saw %llu of %llu samples, all correct",
                    (unsigned long long)unflushed_seen, (unsigned long long)written);
done:
    mth5_channel_close(ch);
    mth5_close(m, NULL);
    chk_writer_end(&w, out);
}
