/* check_visibility.c - cases of the hdf5 group on what a reader sees of a
 * writer's growth: refreshing against reopening, new objects, and extents
 * that come before their data (corked and uncorked appends). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <hdf5.h>
#include <stdio.h>

#include "check_case.h"
#include "util.h"

/* refresh_needed: whether a held dataset handle sees growth before H5Drefresh. */
void chk_case_refresh_needed(const chk_env_t *env, chk_outcome_t *out)
{
    chk_helper_t w = CHK_HELPER_NONE;
    chk_wargs_t a;
    char path[1200];
    mth5_t *m = NULL;
    mth5_channel_t *ch = NULL;
    h5s_err_t err;
    chk_hmsg_t msg;
    uint64_t before = 0, after = 0, seen_early = 0, missed = 0;
    enum { ROUNDS = 3 };
    if (chk_writer_setup(env, true, &w, &a, path, sizeof path, out) < 0)
        return;
    if (chk_reader_open(path, &m, &ch, &err) < 0) {
        chk_out_error(out, "opening the SWMR reader", &err);
        goto done;
    }
    for (int i = 0; i < ROUNDS; i++) {
        chk_hcmd_t c = {.op = 'A', .n = 1000, .count = 1, .cork = true, .flush = true};
        if (chk_helper_call(&w, &c, &msg, CHK_REPLY_MS, &err) < 0) {
            chk_out_error(out, "the writer's append", &err);
            goto done;
        }
        before = chk_held_length(ch);
        if (mth5_channel_refresh(ch, &after, &err) < 0) {
            chk_out_error(out, "H5Drefresh", &err);
            goto done;
        }
        seen_early += before == msg.value;
        missed += after != msg.value;
    }
    if (missed)
        chk_out_set(out, "fail:invisible-after-refresh", "%llu of %d flushed appends not visible even after H5Drefresh",
                    (unsigned long long)missed, ROUNDS);
    else if (seen_early)
        chk_out_set(out, "observed:visible-without-refresh",
                    "%llu of %d flushed appends were visible to the held handle "
                    "before H5Drefresh",
                    (unsigned long long)seen_early, ROUNDS);
    else
        chk_out_set(out, "observed:invisible-without-refresh",
                    "%d flushed appends: the held handle kept length %llu "
                    "until H5Drefresh, which showed %llu",
                    ROUNDS, (unsigned long long)before, (unsigned long long)after);
done:
    mth5_channel_close(ch);
    mth5_close(m, NULL);
    chk_writer_end(&w, out);
}

/* drefresh_vs_reopen: growth seen by H5Drefresh on a held handle and by
 * reopening the file, with the cost of each. */
void chk_case_drefresh_vs_reopen(const chk_env_t *env, chk_outcome_t *out)
{
    chk_helper_t w = CHK_HELPER_NONE;
    chk_wargs_t a;
    char path[1200];
    mth5_t *m = NULL;
    mth5_channel_t *ch = NULL;
    h5s_err_t err;
    chk_hmsg_t msg;
    int refresh_ok = 0, reopen_ok = 0;
    int64_t t_refresh = 0, t_reopen = 0;
    enum { ROUNDS = 5 };
    if (chk_writer_setup(env, true, &w, &a, path, sizeof path, out) < 0)
        return;
    if (chk_reader_open(path, &m, &ch, &err) < 0) {
        chk_out_error(out, "opening the SWMR reader", &err);
        goto done;
    }
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t len = 0;
        chk_hcmd_t c = {.op = 'A', .n = 1000, .count = 1, .cork = true, .flush = true};
        if (chk_helper_call(&w, &c, &msg, CHK_REPLY_MS, &err) < 0) {
            chk_out_error(out, "the writer's append", &err);
            goto done;
        }
        int64_t t0 = h5s_now_ns();
        if (mth5_channel_refresh(ch, &len, &err) < 0) {
            chk_out_error(out, "H5Drefresh", &err);
            goto done;
        }
        t_refresh += h5s_now_ns() - t0;
        refresh_ok += len == msg.value;
        /* the same growth seen by a reader that closes and reopens the file */
        chk_hcmd_t c2 = c;
        if (chk_helper_call(&w, &c2, &msg, CHK_REPLY_MS, &err) < 0) {
            chk_out_error(out, "the writer's append", &err);
            goto done;
        }
        mth5_channel_close(ch);
        ch = NULL;
        mth5_close(m, NULL);
        m = NULL;
        t0 = h5s_now_ns();
        if (chk_reader_open(path, &m, &ch, &err) < 0) {
            chk_out_error(out, "reopening", &err);
            goto done;
        }
        len = chk_held_length(ch);
        t_reopen += h5s_now_ns() - t0;
        reopen_ok += len == msg.value;
    }
    const char *tok = refresh_ok == ROUNDS && reopen_ok == ROUNDS ? "observed:both-see-growth"
                      : refresh_ok == ROUNDS                      ? "observed:refresh-only"
                      : reopen_ok == ROUNDS                       ? "observed:reopen-only"
                                                                  : "fail:neither-sees-growth";
    chk_out_set(out, tok,
                "H5Drefresh on a held handle saw %d of %d flushes (%.0f us each); closing and reopening the file "
                "saw %d of %d (%.0f us each)",
                refresh_ok, ROUNDS, (double)t_refresh / ROUNDS / 1e3, reopen_ok, ROUNDS,
                (double)t_reopen / ROUNDS / 1e3);
done:
    mth5_channel_close(ch);
    mth5_close(m, NULL);
    chk_writer_end(&w, out);
}

/* Links in a group as this handle sees it, -1 on error. */
static long group_links(hid_t g)
{
    H5G_info_t info;
    if (H5Gget_info(g, &info) < 0) {
        H5Eclear2(H5E_DEFAULT);
        return -1;
    }
    return (long)info.nlinks;
}

/* Opens a new run group and reads one of its attributes: 0 or an error. */
static int open_new_run(hid_t loc, const char *name, h5s_err_t *err)
{
    hid_t g = H5Gopen2(loc, name, H5P_DEFAULT);
    if (g < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "opening %s", name);
    int rc = 0;
    htri_t e = H5Aexists(g, "sample_rate");
    if (e <= 0)
        rc = h5s_seterr_h5(err, H5S_EHDF5, "reading %s", name);
    H5Gclose(g);
    return rc;
}

/* objects_under_swmr: the writer adds runs in SWMR mode; what an open reader
 * sees of the new links and whether it can open them. */
void chk_case_objects_under_swmr(const chk_env_t *env, chk_outcome_t *out)
{
    chk_helper_t w = CHK_HELPER_NONE;
    chk_wargs_t a;
    char path[1200];
    mth5_t *m = NULL;
    hid_t g = H5I_INVALID_HID, g2 = H5I_INVALID_HID;
    h5s_err_t err, oerr, rerr;
    chk_hmsg_t msg;
    enum { NEW_RUNS = 12 }; /* past the compact-to-dense link storage switch (8) */
    const char *newrun = "run_013";
    if (chk_writer_setup(env, true, &w, &a, path, sizeof path, out) < 0)
        return;
    if (mth5_open(path, "r", true, &m, &err) < 0) {
        chk_out_error(out, "opening the SWMR reader", &err);
        goto done;
    }
    if ((g = H5Gopen2(mth5_fid(m), CHK_STATION_PATH, H5P_DEFAULT)) < 0) {
        h5s_seterr_h5(&err, H5S_EHDF5, "opening the station group");
        chk_out_error(out, "the reader", &err);
        goto done;
    }
    long n0 = group_links(g);
    chk_hcmd_t c = {.op = 'G', .n = NEW_RUNS};
    if (chk_helper_call(&w, &c, &msg, CHK_REPLY_MS, &err) < 0) {
        chk_out_error(out, "the writer's new runs", &err);
        goto done;
    }
    long held = group_links(g);
    g2 = H5Gopen2(mth5_fid(m), CHK_STATION_PATH, H5P_DEFAULT);
    long second = g2 >= 0 ? group_links(g2) : -1;
    if (g2 >= 0)
        H5Gclose(g2);
    g2 = H5I_INVALID_HID;
    H5Eclear2(H5E_DEFAULT);
    long refreshed = H5Orefresh(g) >= 0 ? group_links(g) : -1;
    H5Eclear2(H5E_DEFAULT);
    h5s_err_clear(&oerr);
    int open_rc = open_new_run(g, newrun, &oerr);
    H5Gclose(g);
    g = H5I_INVALID_HID;
    mth5_close(m, NULL);
    m = NULL;
    /* a reader that reopens the file */
    long reopened = -1;
    h5s_err_clear(&rerr);
    int reopen_rc = mth5_open(path, "r", true, &m, &rerr);
    if (reopen_rc == 0) {
        if ((g = H5Gopen2(mth5_fid(m), CHK_STATION_PATH, H5P_DEFAULT)) >= 0) {
            reopened = group_links(g);
            reopen_rc = open_new_run(g, newrun, &rerr);
        } else {
            reopen_rc = h5s_seterr_h5(&rerr, H5S_EHDF5, "opening the station group");
        }
    }
    const char *links = held > n0 ? "links-without-refresh" : refreshed > n0 ? "links-after-refresh" : "links-never";
    snprintf(out->token, sizeof out->token, "observed:%s,open-%s,reopen-%s", links, open_rc == 0 ? "ok" : "fails",
             reopen_rc == 0 && reopened > n0 ? "ok" : "fails");
    snprintf(out->detail, sizeof out->detail,
             "writer added %d runs in SWMR mode; reader's station links: %ld before, held handle %ld, new handle %ld, "
             "after H5Orefresh %ld; opening %s after the refresh: %.300s; after a reopen: %ld links, %s %s%.200s",
             NEW_RUNS, n0, held, second, refreshed, newrun, open_rc == 0 ? "ok" : oerr.msg, reopened, newrun,
             reopen_rc == 0 ? "opened" : "failed: ", reopen_rc == 0 ? "" : rerr.msg);
done:
    if (g >= 0)
        H5Gclose(g);
    mth5_close(m, NULL);
    H5Eclear2(H5E_DEFAULT);
    chk_writer_end(&w, out);
}

/* The writer appends many small flushed blocks while this process polls as
 * fast as it can, reading and checking every new sample. */
static int extend_race(const chk_env_t *env, bool cork, pat_check_t *pc, uint64_t *polls, uint64_t *total,
                       chk_outcome_t *out, chk_helper_t *w)
{
    chk_wargs_t a;
    char path[1200];
    mth5_t *m = NULL;
    mth5_channel_t *ch = NULL;
    h5s_err_t err;
    chk_hmsg_t msg;
    uint64_t read = 0, len = 0;
    int rc = -1;
    enum { BLOCKS = 10000, BLOCK = 700 }; /* 700: appends straddle the 1024-sample chunks */
    if (chk_writer_setup(env, true, w, &a, path, sizeof path, out) < 0)
        return -1;
    if (chk_reader_open(path, &m, &ch, &err) < 0) {
        chk_out_error(out, "opening the SWMR reader", &err);
        goto done;
    }
    chk_hcmd_t c = {.op = 'A', .n = BLOCK, .count = BLOCKS, .cork = cork, .flush = true};
    if (h5s_write_full(w->to, &c, sizeof c) != 0) {
        chk_out_set(out, "error:H5S_ECHILD", "the writer helper is gone");
        goto done;
    }
    int64_t deadline = h5s_now_ns() + 20000000000LL;
    bool done = false;
    while (!done) {
        if (h5s_now_ns() > deadline) {
            chk_out_set(out, "error:H5S_ETIMEOUT", "the writer did not finish %d appends in 20 s", BLOCKS);
            goto done;
        }
        done = h5s_wait_readable(w->from, h5s_now_ns()) > 0; /* the writer has answered: one last poll */
        if (mth5_channel_refresh(ch, &len, &err) < 0) {
            chk_out_error(out, "H5Drefresh", &err);
            goto done;
        }
        (*polls)++;
        if (len > read) {
            if (chk_verify_range(ch, read, len, pc, &err) < 0) {
                chk_out_error(out, "reading", &err);
                goto done;
            }
            read = len;
        }
    }
    if (chk_recv_msg(w, &msg, CHK_REPLY_MS) != 1 || msg.code != 'k') {
        chk_out_set(out, "error:H5S_ECHILD", "the writer failed: %s", msg.code == 'e' ? msg.text : "no answer");
        goto done;
    }
    *total = msg.value;
    if (read != msg.value) {
        chk_out_set(out, "fail:missing", "the reader saw %llu of %llu flushed samples", (unsigned long long)read,
                    (unsigned long long)msg.value);
        goto done;
    }
    rc = 0;
done:
    mth5_channel_close(ch);
    mth5_close(m, NULL);
    return rc;
}

/* corked_extend: corked appends never show a reader fill values. */
void chk_case_corked_extend(const chk_env_t *env, chk_outcome_t *out)
{
    chk_helper_t w = CHK_HELPER_NONE;
    pat_check_t pc = {0};
    uint64_t polls = 0, total = 0;
    if (extend_race(env, true, &pc, &polls, &total, out, &w) == 0) {
        if (pc.fills)
            chk_out_set(out, "fail:fill-values",
                        "corked appends: %llu fill values seen in %llu polls (first at sample %llu)",
                        (unsigned long long)pc.fills, (unsigned long long)polls, (unsigned long long)pc.first_bad);
        else if (pc.mismatches)
            chk_out_set(out, "fail:wrong-values", "%llu samples differ (first at %llu)",
                        (unsigned long long)pc.mismatches, (unsigned long long)pc.first_bad);
        else
            chk_out_set(out, "pass",
                        "10000 corked appends of 700 samples, each flushed: %llu reader polls, all %llu "
                        "samples verified, no fill value seen",
                        (unsigned long long)polls, (unsigned long long)total);
    }
    chk_writer_end(&w, out);
}

/* uncorked_extend: the same appends uncorked, and how often fill values show. */
void chk_case_uncorked_extend(const chk_env_t *env, chk_outcome_t *out)
{
    chk_helper_t w = CHK_HELPER_NONE;
    pat_check_t pc = {0};
    uint64_t polls = 0, total = 0;
    if (extend_race(env, false, &pc, &polls, &total, out, &w) == 0) {
        snprintf(out->frequency, sizeof out->frequency, "fill values in %llu of %llu samples read (%llu polls)",
                 (unsigned long long)pc.fills, (unsigned long long)total, (unsigned long long)polls);
        if (pc.mismatches)
            chk_out_set(out, "fail:wrong-values", "%llu samples differ (first at %llu)",
                        (unsigned long long)pc.mismatches, (unsigned long long)pc.first_bad);
        else if (pc.fills)
            chk_out_set(out, "observed:fill-values-seen",
                        "uncorked appends: %llu fill values seen in %llu polls (first at "
                        "sample %llu); the file itself is intact",
                        (unsigned long long)pc.fills, (unsigned long long)polls, (unsigned long long)pc.first_bad);
        else
            chk_out_set(out, "observed:no-fill-values-seen",
                        "10000 uncorked appends of 700 samples, each flushed: %llu "
                        "reader polls saw no fill value (%llu samples verified)",
                        (unsigned long long)polls, (unsigned long long)total);
    }
    chk_writer_end(&w, out);
}
