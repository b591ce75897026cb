/* check_hdf5.c - cases of the hdf5 group on opening and creating files:
 * what HDF5 itself does where h5swmr refuses first, the superblock version
 * SWMR needs, who may open while a writer holds the file, and what
 * HDF5_USE_FILE_LOCKING changes. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <hdf5.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_case.h"
#include "util.h"

/* ---- the same questions asked of HDF5 itself ------------------------------------------- */

/* A file access property list with the bounds h5swmr writes with (1.10 format). */
static hid_t fapl_v110(void)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0 && H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110) < 0) {
        H5Pclose(fapl);
        fapl = H5I_INVALID_HID;
    }
    return fapl;
}

/* H5Fcreate(flags) with fapl; text gets what happened. 1 created in SWMR-write
 * mode, 0 created without it, -1 refused. */
static int raw_create(const char *path, unsigned flags, hid_t fapl, char *text, size_t cap)
{
    h5s_err_t err;
    unsigned intent = 0;
    H5F_info2_t info = {0};
    hid_t f = H5Fcreate(path, flags, H5P_DEFAULT, fapl);
    if (f < 0) {
        h5s_seterr_h5(&err, H5S_EHDF5, "refused");
        snprintf(text, cap, "%.300s", err.msg);
        return -1;
    }
    H5Fget_intent(f, &intent);
    H5Fget_info2(f, &info);
    H5Fclose(f);
    H5Eclear2(H5E_DEFAULT);
    snprintf(text, cap, "created, intent 0x%x%s, superblock version %u", intent,
             intent & H5F_ACC_SWMR_WRITE ? " (SWMR_WRITE)" : "", info.super.version);
    return intent & H5F_ACC_SWMR_WRITE ? 1 : 0;
}

/* HDF5's own answer to swmr_with_w_refused: H5Fcreate with
 * H5F_ACC_TRUNC|H5F_ACC_SWMR_WRITE (what 'w' with SWMR would ask for). */
void chk_case_hdf5_swmr_create(const chk_env_t *env, chk_outcome_t *out)
{
    char path[1200], dpath[1200], t110[400], tdef[400];
    hid_t fapl = fapl_v110();
    if (fapl < 0) {
        chk_out_set(out, "error:H5S_EHDF5", "cannot make a file access property list");
        return;
    }
    chk_case_file(env, "create-v110.h5", path, sizeof path);
    chk_case_file(env, "create-default.h5", dpath, sizeof dpath);
    int r110 = raw_create(path, H5F_ACC_TRUNC | H5F_ACC_SWMR_WRITE, fapl, t110, sizeof t110);
    raw_create(dpath, H5F_ACC_TRUNC | H5F_ACC_SWMR_WRITE, H5P_DEFAULT, tdef, sizeof tdef);
    H5Pclose(fapl);
    chk_out_set(out,
                r110 > 0    ? "observed:creates-in-swmr-write-mode"
                : r110 == 0 ? "observed:creates-without-swmr"
                            : "observed:create-refused",
                "H5Fcreate(H5F_ACC_TRUNC|H5F_ACC_SWMR_WRITE) with libver bounds v110: %s; with default bounds: %s",
                t110, tdef);
    if (r110 > 0)
        chk_out_why(out, "HDF5 itself creates a file directly in SWMR-write mode; refusing 'w' with SWMR "
                         "(swmr_with_w_refused) is h5swmr's rule, after MTH5's guide and h5py, not HDF5's.");
}

/* HDF5's own answer to swmr_missing_file_refused: SWMR opens of a missing path. */
void chk_case_hdf5_swmr_open_missing(const chk_env_t *env, chk_outcome_t *out)
{
    const unsigned flags[2] = {H5F_ACC_RDWR | H5F_ACC_SWMR_WRITE, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ};
    static const char *const names[2] = {"RDWR|SWMR_WRITE", "RDONLY|SWMR_READ"};
    char path[1200], text[2][400];
    int opened = 0, created = 0;
    hid_t fapl = fapl_v110();
    if (fapl < 0) {
        chk_out_set(out, "error:H5S_EHDF5", "cannot make a file access property list");
        return;
    }
    chk_case_file(env, "missing.h5", path, sizeof path);
    for (int i = 0; i < 2; i++) {
        h5s_err_t err;
        hid_t f = H5Fopen(path, flags[i], fapl);
        if (f >= 0) {
            opened++;
            H5Fclose(f);
            snprintf(text[i], sizeof text[i], "opened");
        } else {
            h5s_seterr_h5(&err, H5S_EHDF5, "refused");
            snprintf(text[i], sizeof text[i], "%.390s", err.msg);
        }
        created += access(path, F_OK) == 0;
    }
    H5Pclose(fapl);
    chk_out_set(out,
                opened    ? "observed:opened"
                : created ? "observed:refused-file-created"
                          : "observed:refused-nothing-created",
                "H5Fopen of a missing path, %s: %s; %s: %s; the path %s afterwards", names[0], text[0], names[1],
                text[1], created ? "exists" : "does not exist");
}

/* HDF5's own answer to remove_refused_in_swmr: H5Ldelete in SWMR-write mode. */
void chk_case_hdf5_swmr_delete(const chk_env_t *env, chk_outcome_t *out)
{
    char path[1200];
    h5s_err_t err, derr;
    chk_case_file(env, "delete.mth5", path, sizeof path);
    if (chk_make_file(path, &err) < 0) {
        chk_out_error(out, "creating the file", &err);
        return;
    }
    hid_t fapl = fapl_v110();
    hid_t f = fapl >= 0 ? H5Fopen(path, H5F_ACC_RDWR, fapl) : H5I_INVALID_HID;
    if (f < 0 || H5Fstart_swmr_write(f) < 0) {
        h5s_seterr_h5(&err, H5S_EHDF5, "opening in SWMR-write mode");
        chk_out_error(out, "H5Fopen + H5Fstart_swmr_write", &err);
        if (f >= 0)
            H5Fclose(f);
        if (fapl >= 0)
            H5Pclose(fapl);
        return;
    }
    h5s_err_clear(&derr);
    herr_t d = H5Ldelete(f, CHK_EX_PATH, H5P_DEFAULT);
    if (d < 0)
        h5s_seterr_h5(&derr, H5S_EHDF5, "H5Ldelete refused");
    H5Fclose(f);
    htri_t after = -1;
    if ((f = H5Fopen(path, H5F_ACC_RDONLY, fapl)) >= 0) {
        after = H5Lexists(f, CHK_EX_PATH, H5P_DEFAULT);
        H5Fclose(f);
    }
    H5Pclose(fapl);
    H5Eclear2(H5E_DEFAULT);
    if (d < 0)
        chk_out_set(out, "observed:delete-refused", "H5Ldelete(%s) in SWMR-write mode: %.700s", CHK_EX_PATH, derr.msg);
    else
        chk_out_set(out, after == 0 ? "observed:delete-accepted" : "observed:delete-accepted-link-kept",
                    "H5Ldelete(%s) in SWMR-write mode returned success; after the writer closed, the link %s",
                    CHK_EX_PATH,
                    after == 0  ? "is gone"
                    : after > 0 ? "still exists"
                                : "could not be checked");
    if (d >= 0)
        chk_out_why(out, "HDF5 does not refuse deleting an object in SWMR-write mode, although readers may hold it "
                         "(SWMR does not support it); refusing it (remove_refused_in_swmr) is h5swmr's rule.");
}
/* ---- HDF5's rules ---------------------------------------------------------------------- */

/* An MTH5 root (file.type as a variable-length string) in a default-format file. */
static int make_old_format_file(const char *path, unsigned *super, h5s_err_t *err)
{
    hid_t f = H5I_INVALID_HID, t = H5I_INVALID_HID, s = H5I_INVALID_HID, at = H5I_INVALID_HID;
    const char *val = "MTH5";
    H5F_info2_t info;
    int rc = 0;
    if ((f = H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT)) < 0 || (t = H5Tcopy(H5T_C_S1)) < 0 ||
        H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0 || (s = H5Screate(H5S_SCALAR)) < 0 ||
        (at = H5Acreate2(f, "file.type", t, s, H5P_DEFAULT, H5P_DEFAULT)) < 0 || H5Awrite(at, t, &val) < 0 ||
        H5Fget_info2(f, &info) < 0)
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot create a default-format file");
    else
        *super = info.super.version;
    if (at >= 0)
        H5Aclose(at);
    if (s >= 0)
        H5Sclose(s);
    if (t >= 0)
        H5Tclose(t);
    if (f >= 0 && H5Fclose(f) < 0 && rc == 0)
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot close the default-format file");
    return rc;
}

/* superblock_v3_required: SWMR writers are refused on a file with an old
 * superblock (default libver bounds). */
void chk_case_superblock_v3_required(const chk_env_t *env, chk_outcome_t *out)
{
    static const char *const modes[] = {"a", "r+"};
    char path[1200];
    unsigned super = 99;
    h5s_err_t err;
    chk_case_file(env, "old.mth5", path, sizeof path);
    if (make_old_format_file(path, &super, &err) < 0) {
        chk_out_error(out, "creating the file", &err);
        return;
    }
    chk_refusals(path, modes, 2, true, H5S_EFORMAT, out);
    size_t l = strlen(out->detail);
    snprintf(out->detail + l, sizeof out->detail - l, " [superblock version %u]", super);
}

/* writer_before_readers: an SWMR reader is refused while a plain writer holds
 * the file. */
void chk_case_writer_before_readers(const chk_env_t *env, chk_outcome_t *out)
{
    static const char *const modes[] = {"r"};
    chk_helper_t w = CHK_HELPER_NONE;
    chk_wargs_t a;
    char path[1200];
    if (chk_writer_setup(env, false, &w, &a, path, sizeof path, out) < 0)
        return;
    chk_refusals(path, modes, 1, true, H5S_ELOCKED, out);
    chk_writer_end(&w, out);
}

/* plain_reader_refused: a read-only open without SWMR is refused while an SWMR
 * writer is active. */
void chk_case_plain_reader_refused(const chk_env_t *env, chk_outcome_t *out)
{
    static const char *const modes[] = {"r"};
    chk_helper_t w = CHK_HELPER_NONE;
    chk_wargs_t a;
    char path[1200];
    if (chk_writer_setup(env, true, &w, &a, path, sizeof path, out) < 0)
        return;
    chk_refusals(path, modes, 1, false, H5S_ELOCKED, out);
    chk_writer_end(&w, out);
}

/* One word for how an open went: opened, lock (the file lock), flags (the
 * superblock's open-for-write flags), or refused (anything else). */
static const char *probe_word(int rc, h5s_cause_t cause)
{
    if (rc == 0)
        return "opened";
    if (cause == H5S_CAUSE_LOCKED)
        return "lock";
    if (cause == H5S_CAUSE_ALREADY_OPEN || cause == H5S_CAUSE_NOT_SWMR_FILE)
        return "flags";
    return "refused";
}

/* Asks a prober for one kind of open; *word and text get what happened.
 * Returns 0, or a negative code when the prober itself failed. */
static int probe(chk_helper_t *p, int kind, const char **word, char *text, size_t cap, h5s_err_t *err)
{
    chk_hcmd_t c = {.op = 'P', .kind = kind};
    chk_hmsg_t m;
    h5s_err_t perr;
    h5s_err_clear(&perr);
    int rc = chk_helper_call(p, &c, &m, CHK_REPLY_MS, &perr);
    if (rc == H5S_ECHILD || rc == H5S_ETIMEOUT) {
        *err = perr;
        return rc;
    }
    *word = probe_word(rc, perr.cause);
    if (rc == 0)
        snprintf(text, cap, "%s", *word);
    else
        snprintf(text, cap, "%s %.200s", *word, h5s_err_hdf5_text(&perr));
    return 0;
}

/* file_locking_env: which opens still fail with HDF5_USE_FILE_LOCKING=FALSE,
 * against an SWMR writer and against a plain one, seen by two fresh probers
 * (one with the variable, one without). */
void chk_case_file_locking_env(const chk_env_t *env, chk_outcome_t *out)
{
    /* kinds probed, in order: against the SWMR writer, then against a plain writer */
    static const int kinds[4] = {CHK_PROBE_PLAIN_READER, CHK_PROBE_SWMR_READER, CHK_PROBE_SWMR_WRITER,
                                 CHK_PROBE_SWMR_READER};
    static const char *const names[4] = {"plain-reader", "swmr-reader", "writer2", "early-reader"};
    chk_helper_t p[2] = {CHK_HELPER_NONE, CHK_HELPER_NONE},
                 w = CHK_HELPER_NONE; /* p[0] without the variable, p[1] with it */
    chk_wargs_t a;
    char path[1200], text[2][4][240];
    const char *word[2][4];
    h5s_err_t err;
    int st = 0;
    /* HDF5 reads HDF5_USE_FILE_LOCKING when it starts (1.10.8: its file
     * package; 1.14: H5open), and a forked child keeps what its parent read:
     * the probers are fresh processes (this program again), and the writer
     * helper creates the file. */
    chk_case_file(env, "live.mth5", path, sizeof path);
    char *probe_argv[] = {"h5swmr", "check", "--probe-helper", path, NULL};
    for (int i = 0; i < 2; i++)
        if (chk_helper_spawn(&p[i], NULL, NULL, probe_argv, i ? "HDF5_USE_FILE_LOCKING=FALSE" : NULL, &err) < 0 ||
            chk_helper_ready(&p[i], &err) < 0) {
            chk_out_error(out, "starting a prober", &err);
            goto done;
        }
    a = (chk_wargs_t){.path = path, .mode = "a", .swmr = true, .create = true};
    if (chk_start_writer(&w, &a, &err) < 0) {
        chk_out_error(out, "starting the SWMR writer", &err);
        goto done;
    }
    /* against the SWMR writer; the second writers go last (one that got in
     * would change the superblock when it closes), the one with locks first */
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < 2; i++)
            if (probe(&p[i], kinds[k], &word[i][k], text[i][k], sizeof text[i][k], &err) < 0) {
                chk_out_error(out, "a prober", &err);
                goto done;
            }
    if (chk_helper_finish(&w, CHK_REPLY_MS, &st) < 0) {
        chk_out_set(out, "error:H5S_ECHILD", "the SWMR writer ended badly (status 0x%x) after the probes", st);
        goto done;
    }
    /* against a plain (non-SWMR) writer: an SWMR reader that comes too early */
    a = (chk_wargs_t){.path = path, .mode = "a", .swmr = false};
    if (chk_start_writer(&w, &a, &err) < 0) {
        chk_out_error(out, "starting the plain writer", &err);
        goto done;
    }
    for (int i = 0; i < 2; i++)
        if (probe(&p[i], kinds[3], &word[i][3], text[i][3], sizeof text[i][3], &err) < 0) {
            chk_out_error(out, "a prober", &err);
            goto done;
        }
    snprintf(out->token, sizeof out->token, "observed:plain-reader-%s,writer2-%s,early-reader-%s", word[1][0],
             word[1][2], word[1][3]);
    if (strcmp(word[1][1], "opened") || strcmp(word[0][1], "opened"))
        snprintf(out->token, sizeof out->token, "fail:swmr-reader-%s",
                 strcmp(word[1][1], "opened") ? word[1][1] : word[0][1]);
    int l = snprintf(out->detail, sizeof out->detail, "with HDF5_USE_FILE_LOCKING=FALSE (without it):");
    for (int k = 0; k < 4 && l > 0 && (size_t)l < sizeof out->detail; k++)
        l += snprintf(out->detail + l, sizeof out->detail - (size_t)l, "%s %s: %s (%s)", k ? ";" : "", names[k],
                      text[1][k], word[0][k]);
    if (!strcmp(word[1][3], "lock"))
        snprintf(out->token, sizeof out->token, "fail:variable-ignored"); /* still refused by the lock */
done:
    chk_writer_end(&w, out);
    for (int i = 0; i < 2; i++)
        chk_helper_finish(&p[i], CHK_REPLY_MS, NULL);
}
