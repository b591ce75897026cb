/* check_recovery.c - cases of the hdf5 group on a writer's end: a writer
 * killed in SWMR mode and how h5clear brings its file back, and readers
 * that open while a writer closes. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check_case.h"
#include "util.h"

/* One iteration of the open race: a fresh file, a writer that makes 60
 * flushed appends and closes the file at once, and this process opening and
 * closing the file as an SWMR reader all the while. Returns 0 (counts
 * updated) or -1 (out set). */
static int open_race_once(const chk_env_t *env, int it, long *opens, long *refused, h5s_err_t *first,
                          chk_outcome_t *out)
{
    chk_helper_t w = CHK_HELPER_NONE;
    char path[1200], name[64];
    h5s_err_t err;
    chk_hmsg_t msg;
    int rc = -1;
    snprintf(name, sizeof name, "race-%d.mth5", it);
    chk_wargs_t a = {.path = chk_case_file(env, name, path, sizeof path), .mode = "a", .swmr = true, .create = true};
    if (chk_start_writer(&w, &a, &err) < 0) {
        chk_out_error(out, "starting the SWMR writer", &err);
        return -1;
    }
    chk_hcmd_t c = {.op = 'A', .n = CHK_CHUNK, .count = 60, .cork = true, .flush = true, .close_after = true};
    if (h5s_write_full(w.to, &c, sizeof c) != 0) {
        chk_out_set(out, "error:H5S_ECHILD", "the writer helper is gone");
        goto done;
    }
    int64_t deadline = h5s_now_ns() + (int64_t)CHK_REPLY_MS * 1000000;
    for (bool last = false; !last;) {
        if (h5s_now_ns() > deadline) {
            chk_out_set(out, "error:H5S_ETIMEOUT", "the writer did not append and close in %d ms", CHK_REPLY_MS);
            goto done;
        }
        last = h5s_wait_readable(w.from, h5s_now_ns()) > 0; /* it answers once the file is closed */
        /* HDF5's own open, not mth5_open (which retries this race away) */
        h5s_err_clear(&err);
        (*opens)++;
        hid_t fid = H5Fopen(path, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT);
        if (fid < 0)
            h5s_seterr_h5(&err, H5S_EHDF5, "H5Fopen(RDONLY|SWMR_READ) of '%s' failed", path);
        if (fid >= 0) {
            H5Fclose(fid);
        } else if (err.cause == H5S_CAUSE_TRUNCATED) {
            if (!(*refused)++)
                *first = err;
        } else {
            chk_out_error(out, "an SWMR reader's open", &err);
            goto done;
        }
    }
    if (chk_recv_msg(&w, &msg, CHK_REPLY_MS) != 1 || msg.code != 'k') {
        chk_out_set(out, "error:H5S_ECHILD", "the writer failed: %.900s", msg.code == 'e' ? msg.text : "no answer");
        goto done;
    }
    rc = 0;
done:
    chk_writer_end(&w, out);
    if (rc == 0)
        unlink(path); /* kept when the case cannot go on: a look at it may help */
    return rc;
}

/* reader_open_race: SWMR readers open while writers append and close, for a
 * fixed time; how often HDF5 refused such an open. */
void chk_case_reader_open_race(const chk_env_t *env, chk_outcome_t *out)
{
    /* a fixed budget rather than "until the first refusal", so that the
     * frequency reported is a frequency; the outcome is a race: expected as a
     * set (a quiet machine may never see a refusal where 1.10.8 allows one) */
    enum { MAX_RUNS = 1000 };
    const int64_t budget_ns = 4000000000LL;
    long opens = 0, refused = 0;
    int it;
    h5s_err_t first;
    h5s_err_clear(&first);
    int64_t t0 = h5s_now_ns();
    for (it = 0; it < MAX_RUNS && h5s_now_ns() - t0 < budget_ns; it++)
        if (open_race_once(env, it, &opens, &refused, &first, out) < 0)
            return;
    double secs = (double)(h5s_now_ns() - t0) / 1e9;
    snprintf(out->frequency, sizeof out->frequency, "refused in %ld of %ld opens (%d short runs, %.1f s)", refused,
             opens, it, secs);
    if (refused) {
        chk_out_set(out, "observed:open-refused-truncated",
                    "%ld of %ld SWMR-reader opens made while a writer appended and "
                    "closed the file were refused (%d short runs): %.700s",
                    refused, opens, it, h5s_err_hdf5_text(&first));
    } else {
        chk_out_set(out, "observed:opens-ok",
                    "%ld SWMR-reader opens made while a writer appended and closed the "
                    "file (%d short runs): none refused",
                    opens, it);
        chk_out_why(out,
                    "No SWMR open was refused, not even those that overlapped the writer's close (HDF5 1.10.8 "
                    "refuses some of those: 'truncated file'); readers that may start at any time still do well to "
                    "retry a failed open (mth5_open retries for 100 ms).");
    }
}

/* A byte-for-byte copy of src into dst. 0 or -1. */
static int copy_file(const char *src, const char *dst)
{
    int in = open(src, O_RDONLY | O_CLOEXEC), out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    int rc = in >= 0 && out >= 0 ? 0 : -1;
    char buf[1 << 16];
    ssize_t r;
    while (rc == 0 && (r = read(in, buf, sizeof buf)) != 0)
        if (r < 0 || h5s_write_full(out, buf, (size_t)r) != 0)
            rc = -1;
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) != 0)
        rc = -1;
    return rc;
}

/* After h5clear with these options, how much of ex reads back right: the
 * verified length, or -1 (text says why) when the file or the data is unreadable. */
static int64_t cleared_length(const char *path, const char *const *opts, char *text, size_t cap)
{
    const char *argv[6] = {"h5clear"};
    int k = 1;
    for (; opts[k - 1]; k++)
        argv[k] = opts[k - 1];
    argv[k++] = path;
    argv[k] = NULL;
    int hc = h5s_run_quiet(argv, CHK_REPLY_MS);
    if (hc != 0) {
        snprintf(text, cap, "h5clear exited %d%s", hc, hc == 127 ? " (not installed: hdf5-tools)" : "");
        return -1;
    }
    mth5_t *m = NULL;
    mth5_channel_t *ch = NULL;
    h5s_err_t err;
    pat_check_t pc = {0};
    int64_t len = -1;
    if (mth5_open(path, "r", false, &m, &err) < 0 || mth5_channel_open_path(m, CHK_EX_PATH, &ch, &err) < 0)
        snprintf(text, cap, "%.300s", err.msg);
    else if (chk_verify_range(ch, 0, mth5_channel_length(ch), &pc, &err) < 0)
        snprintf(text, cap, "%llu samples listed, reading them fails: %.300s",
                 (unsigned long long)mth5_channel_length(ch), err.msg);
    else if (pc.mismatches + pc.fills)
        snprintf(text, cap, "%llu of %llu samples wrong", (unsigned long long)(pc.mismatches + pc.fills),
                 (unsigned long long)mth5_channel_length(ch));
    else
        len = (int64_t)mth5_channel_length(ch);
    mth5_channel_close(ch);
    mth5_close(m, NULL);
    return len;
}

/* A writer dies (SIGKILL) in SWMR mode after flushing: how is the file brought
 * back? Plain "h5clear -s" against "h5clear -s --increment=0", on copies. */
void chk_case_crash_recovery(const chk_env_t *env, chk_outcome_t *out)
{
    chk_helper_t w = CHK_HELPER_NONE;
    chk_wargs_t a;
    char path[1200], plain[1200], inc[1200];
    h5s_err_t err;
    chk_hmsg_t msg;
    if (chk_writer_setup(env, true, &w, &a, path, sizeof path, out) < 0)
        return;
    chk_hcmd_t c = {.op = 'A', .n = CHK_CHUNK, .count = 50, .cork = true, .flush = true};
    if (chk_helper_call(&w, &c, &msg, CHK_REPLY_MS, &err) < 0) {
        chk_out_error(out, "appending", &err);
        chk_helper_finish(&w, CHK_REPLY_MS, NULL);
        return;
    }
    uint64_t flushed = msg.value;
    kill(w.pid, SIGKILL);
    chk_helper_finish(&w, CHK_REPLY_MS, NULL);
    chk_case_file(env, "plain.mth5", plain, sizeof plain);
    chk_case_file(env, "increment.mth5", inc, sizeof inc);
    if (copy_file(path, plain) < 0 || copy_file(path, inc) < 0) {
        chk_out_set(out, "error:H5S_ESYS", "copying the crashed file: %s", strerror(errno));
        return;
    }
    char tp[400] = "", ti[400] = "";
    static const char *const o_plain[] = {"-s", NULL}, *const o_inc[] = {"-s", "--increment=0", NULL};
    int64_t lp = cleared_length(plain, o_plain, tp, sizeof tp);
    int64_t li = cleared_length(inc, o_inc, ti, sizeof ti);
    bool plain_ok = lp == (int64_t)flushed, inc_ok = li == (int64_t)flushed;
    snprintf(out->token, sizeof out->token, "observed:%s,%s",
             plain_ok ? "plain-clear-keeps-data" : "plain-clear-loses-data",
             inc_ok ? "increment-recovers" : "increment-loses-data");
    snprintf(out->detail, sizeof out->detail,
             "writer SIGKILLed after %llu samples flushed in SWMR mode; 'h5clear -s': %s; "
             "'h5clear -s --increment=0': %s",
             (unsigned long long)flushed,
             plain_ok ? "all samples intact"
             : tp[0]  ? tp
                      : "data lost",
             inc_ok  ? "all samples intact"
             : ti[0] ? ti
                     : "data lost");
}
