/* mth5_open.c - opening, creating and closing MTH5 files: the guide's open
 * rules, the SWMR checks, and what a refused open is (locked, not HDF5, not
 * MTH5, old format), decided on the cause HDF5's error stack gave. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mth5_int.h"

int mth5_mode_parse(const char *s, mth5_mode_t *out)
{
    static const struct {
        const char *s;
        mth5_mode_t m;
    } modes[] = {
        {"r", MTH5_MODE_R}, {"r+", MTH5_MODE_RPLUS}, {"a", MTH5_MODE_A},
        {"w", MTH5_MODE_W}, {"w-", MTH5_MODE_X},     {"x", MTH5_MODE_X},
    };
    for (size_t i = 0; s && i < sizeof modes / sizeof modes[0]; i++)
        if (strcmp(s, modes[i].s) == 0) {
            *out = modes[i].m;
            return 0;
        }
    return H5S_EINVAL;
}

/* File access for writers: the 1.10 file format, low and high (a version-3
 * superblock, which SWMR needs). Not "latest": a newer HDF5 would write
 * objects that HDF5 1.10 readers (h5py on Debian bookworm, older MTH5 stacks)
 * cannot open; on 1.10 the two are the same. */
static hid_t fapl_latest(void)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0)
        return fapl;
    if (H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110) < 0) {
        H5Pclose(fapl);
        return H5I_INVALID_HID;
    }
    return fapl;
}

/* Sets err to code and a new message like h5s_seterr, but keeps the cause
 * HDF5's error stack gave it. The arguments may include err->msg itself. */
static int __attribute__((format(printf, 3, 4))) reword(h5s_err_t *err, int code, const char *fmt, ...)
{
    char msg[H5S_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    h5s_cause_t cause = err->cause;
    h5s_seterr(err, code, "%s", msg);
    err->cause = cause;
    return code;
}

/* Maps a failed H5Fopen/H5Fcreate (HDF5's text and cause already in err) to a
 * precise code: the file lock, or the superblock's open-for-write flags, mean
 * another writer has the file (H5S_ELOCKED); a truncated file or one without
 * the HDF5 signature is not an HDF5 file (H5S_ENOTHDF5). */
static int classify_open_failure(h5s_err_t *err, const char *path)
{
    switch (err->cause) {
    case H5S_CAUSE_LOCKED:
    case H5S_CAUSE_ALREADY_OPEN:
        return reword(err, H5S_ELOCKED,
                      "'%s' is in use by a writer (another process holds it, or a writer died "
                      "in SWMR mode: 'h5clear -s --increment=0' clears that): %s",
                      path, err->msg);
    case H5S_CAUSE_TRUNCATED:
    case H5S_CAUSE_NOT_HDF5: err->code = H5S_ENOTHDF5; return err->code;
    default: return err->code;
    }
}

/* True (> 0) when path starts with the HDF5 signature; HDF5's stack is left clear. */
static htri_t is_hdf5(const char *path)
{
#if H5_VERSION_GE(1, 12, 0)
    htri_t acc = H5Fis_accessible(path, H5P_DEFAULT);
#else
    htri_t acc = H5Fis_hdf5(path);
#endif
    H5Eclear2(H5E_DEFAULT);
    return acc;
}

/* Checks the root attribute file.type of an open file. */
static int check_mth5(hid_t fid, const char *path, h5s_err_t *err)
{
    char type[32];
    int r = mth5__attr_read_str(fid, "file.type", type, sizeof type);
    if (r < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "'%s': cannot read root attribute file.type", path);
    if (r == 0 || strcmp(type, "MTH5") != 0)
        return h5s_seterr(err, H5S_ENOTMTH5, "'%s' is an HDF5 file but not an MTH5 file (root attribute file.type %s)",
                          path, r == 0 ? "is missing" : "is not 'MTH5'");
    return 0;
}

/* How long an SWMR open that finds the file shorter than its superblock says
 * is retried. HDF5 1.10.8 refuses such opens now and then while a writer
 * appends or closes (docs/findings.md, reproducer reader-open-race): a race,
 * not a truncated file. The writer must get the CPU to end it; on a loaded
 * 2-core machine (16 readers beside it) 100 ms was seen to be too short. */
#define OPEN_RACE_RETRY_MS 2000

/* H5Fopen of an existing HDF5 file, with HDF5's failure in err; an SWMR open
 * refused as truncated is retried for up to OPEN_RACE_RETRY_MS (1 ms apart
 * for the first 100 ms, then 10 ms). */
static hid_t open_retrying(const char *path, unsigned flags, hid_t fapl, h5s_err_t *err)
{
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        hid_t fid = H5Fopen(path, flags, fapl);
        if (fid >= 0)
            return fid;
        h5s_seterr_h5(err, H5S_EHDF5, "cannot open '%s'", path);
        clock_gettime(CLOCK_MONOTONIC, &now);
        long waited_ms = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
        if (!(flags & H5F_ACC_SWMR_READ) || err->cause != H5S_CAUSE_TRUNCATED || waited_ms >= OPEN_RACE_RETRY_MS)
            return H5I_INVALID_HID;
        struct timespec pause = {0, waited_ms < 100 ? 1000000 : 10000000};
        nanosleep(&pause, NULL); /* the writer needs the CPU to finish */
    }
}

/* Opens an existing file read-only (optionally SWMR_READ) and checks it is MTH5. */
static int open_checked(const char *path, unsigned flags, hid_t fapl, hid_t *fid, h5s_err_t *err)
{
    if (is_hdf5(path) <= 0)
        return h5s_seterr(err, H5S_ENOTHDF5, "'%s' is not an HDF5 file (no HDF5 signature)", path);
    *fid = open_retrying(path, flags, fapl, err);
    if (*fid < 0) {
        if ((flags & H5F_ACC_SWMR_READ) && err->cause == H5S_CAUSE_TRUNCATED)
            return reword(err, H5S_ENOTHDF5,
                          "'%s' is shorter than its superblock says (a truncated file; it stayed so for "
                          "%d ms, so not a writer's append or close racing the open): %.900s",
                          path, OPEN_RACE_RETRY_MS, err->msg);
        return classify_open_failure(err, path);
    }
    int rc = check_mth5(*fid, path, err);
    if (rc < 0) {
        H5Fclose(*fid);
        *fid = H5I_INVALID_HID;
    }
    return rc;
}

/* Checks that a file can be created at path: its directory exists and is
 * writable. 0, H5S_ENOENT or H5S_ESYS. */
static int dir_writable(const char *path, h5s_err_t *err)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    const char *dir = dirname(tmp);
    struct stat st;
    if (stat(dir, &st) != 0)
        return h5s_seterr(err, H5S_ENOENT, "cannot create '%s': directory '%s': %s", path, dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return h5s_seterr(err, H5S_ENOENT, "cannot create '%s': '%s' is not a directory", path, dir);
    if (access(dir, W_OK) != 0)
        return h5s_seterr(err, H5S_ESYS, "cannot create '%s': directory '%s': %s", path, dir, strerror(errno));
    return 0;
}

/* Before 'w' truncates an existing HDF5 file: HDF5 opens it with O_TRUNC before
 * it takes the file lock (so a plain writer's file is emptied even though the
 * create then fails), and an SWMR writer no longer holds the lock at all. A
 * read-only probe open fails on both; other probe failures (a damaged file)
 * do not stop 'w' from replacing the file. */
static int not_in_use(const char *path, hid_t fapl, h5s_err_t *err)
{
    if (is_hdf5(path) <= 0)
        return 0;
    hid_t fid = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    if (fid >= 0) {
        H5Fclose(fid);
        return 0;
    }
    h5s_err_t probe;
    h5s_seterr_h5(&probe, H5S_EHDF5, "cannot replace '%s'", path);
    if (classify_open_failure(&probe, path) == H5S_ELOCKED) {
        *err = probe;
        return H5S_ELOCKED;
    }
    return 0;
}

/* The checks of mth5_open that need no HDF5: the arguments, the mode and the
 * state of path. Sets *mode and *exists; 0 or a negative code. */
static int open_preflight(const char *path, const char *mode_s, bool swmr, mth5_mode_t *mode, bool *exists,
                          h5s_err_t *err)
{
    struct stat st;
    if (strlen(path) >= sizeof(((mth5_t *)0)->path))
        return h5s_seterr(err, H5S_EINVAL, "path too long");
    if (mth5_mode_parse(mode_s, mode) < 0)
        return h5s_seterr(err, H5S_EINVAL, "unknown mode '%s' (use r, r+, a, w, w- or x)", mode_s ? mode_s : "(null)");
    if (swmr && (*mode == MTH5_MODE_W || *mode == MTH5_MODE_X))
        return h5s_seterr(err, H5S_EMODE,
                          "SWMR mode cannot be used with mode '%s': create the file first, then "
                          "reopen it with 'a' or 'r+'",
                          mode_s);
    *exists = stat(path, &st) == 0;
    if (!*exists && errno != ENOENT)
        return h5s_seterr(err, H5S_ESYS, "'%s': %s", path, strerror(errno));
    if (*exists && S_ISDIR(st.st_mode))
        return h5s_seterr(err, H5S_ENOTHDF5, "'%s' is a directory, not an HDF5 file", path);
    if (*exists && !S_ISREG(st.st_mode))
        return h5s_seterr(err, H5S_ENOTHDF5, "'%s' is not a regular file", path);
    if (!*exists && (swmr || *mode == MTH5_MODE_R || *mode == MTH5_MODE_RPLUS))
        return h5s_seterr(err, H5S_ENOENT, "'%s' does not exist%s", path,
                          swmr ? " (SWMR needs an existing MTH5 file: create it first without SWMR)" : "");
    if (*exists && *mode == MTH5_MODE_X)
        return h5s_seterr(err, H5S_EEXIST, "'%s' exists (mode '%s' never overwrites; use 'w' to replace it)", path,
                          mode_s);
    return 0;
}

/* Creates path (mode w replaces an existing file that no process uses, the
 * others create a new one) with the MTH5 root layout. */
static int create_file(const char *path, mth5_mode_t mode, bool exists, hid_t fapl, hid_t *fid, h5s_err_t *err)
{
    int rc;
    if (!exists && (rc = dir_writable(path, err)) < 0)
        return rc;
    if (exists && (rc = not_in_use(path, fapl, err)) < 0)
        return rc;
    *fid = H5Fcreate(path, mode == MTH5_MODE_W ? H5F_ACC_TRUNC : H5F_ACC_EXCL, H5P_DEFAULT, fapl);
    if (*fid < 0) {
        h5s_seterr_h5(err, H5S_EHDF5, "cannot create '%s'", path);
        return classify_open_failure(err, path);
    }
    if (mth5__write_root_layout(*fid) < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "cannot write the MTH5 layout into '%s'", path);
    return 0;
}

/* r+ or a on an existing file: a read-only probe first, so that a file that
 * is not ours is refused without being opened for writing; then the
 * read-write open and, with swmr, SWMR-write mode. */
static int open_for_writing(const char *path, bool swmr, hid_t fapl, hid_t *fid, h5s_err_t *err)
{
    int rc;
    if ((rc = open_checked(path, H5F_ACC_RDONLY, fapl, fid, err)) < 0)
        return rc;
    H5Fclose(*fid);
    *fid = H5Fopen(path, H5F_ACC_RDWR, fapl);
    if (*fid < 0) {
        h5s_seterr_h5(err, H5S_EHDF5, "cannot open '%s' for writing", path);
        rc = classify_open_failure(err, path);
        /* the read-only probe just passed, so no writer holds the file: a
         * reader does (its shared lock stops a writer's exclusive one) */
        if (rc == H5S_ELOCKED)
            reword(err, H5S_ELOCKED,
                   "'%s' is open in another process that reads it (HDF5 opens a file for writing only when no "
                   "other process has it open): "
                   "close the readers and try again",
                   path);
        return rc;
    }
    if (swmr && H5Fstart_swmr_write(*fid) < 0) {
        rc = h5s_seterr_h5(err, H5S_EFORMAT, "cannot start SWMR-write mode on '%s'", path);
        if (err->cause == H5S_CAUSE_OLD_SUPERBLOCK)
            reword(err, H5S_EFORMAT,
                   "cannot start SWMR-write mode on '%s': it has an old superblock; SWMR "
                   "needs a file created with libver latest (version-3 superblock)",
                   path);
        return rc;
    }
    return 0;
}

/* A new handle for the open file fid (which it owns from then on). 0, or a
 * negative code with fid left to the caller. */
static int handle_new(hid_t fid, const char *path, mth5_mode_t mode, bool swmr, bool created, mth5_t **out,
                      h5s_err_t *err)
{
    mth5_t *m = calloc(1, sizeof *m);
    if (!m)
        return h5s_seterr(err, H5S_ENOMEM, "out of memory");
    m->fid = fid;
    m->mode = mode;
    m->swmr = swmr;
    m->writable = mode != MTH5_MODE_R;
    m->dirty = created;
    /* HDF5 1.10 opens an old-format file (superblock before version 3) with
     * SWMR_READ, but H5Drefresh then fails and leaves the dataset half torn
     * down (closing it crashes). No SWMR writer can ever open such a file, so
     * it is static: readers skip the refresh. */
    H5F_info2_t info;
    m->static_file = swmr && mode == MTH5_MODE_R && H5Fget_info2(fid, &info) >= 0 && info.super.version < 3;
    m->table = m->upd_type = m->upd_str = m->upd_enum = H5I_INVALID_HID;
    /* HDF5's default conversion buffer (1 MiB, allocated and cleared on every
     * converting write) costs far more than a one-row table update */
    m->dxpl = H5Pcreate(H5P_DATASET_XFER);
    if (m->dxpl < 0 || H5Pset_buffer(m->dxpl, 16384, NULL, NULL) < 0) {
        if (m->dxpl >= 0)
            H5Pclose(m->dxpl);
        free(m);
        return h5s_seterr_h5(err, H5S_EHDF5, "cannot create transfer properties");
    }
    snprintf(m->path, sizeof m->path, "%s", path);
    *out = m;
    return 0;
}

int mth5_open(const char *path, const char *mode_s, bool swmr, mth5_t **out, h5s_err_t *err)
{
    mth5_mode_t mode = MTH5_MODE_R;
    hid_t fapl = H5I_INVALID_HID, fid = H5I_INVALID_HID;
    bool exists = false;
    h5s_err_t local; /* the failure classes need a message and a cause */
    int rc;

    if (!err)
        err = &local;
    h5s_err_clear(err);
    if (!out || !path || !*path)
        return h5s_seterr(err, H5S_EINVAL, "mth5_open: no path");
    *out = NULL;
    if ((rc = open_preflight(path, mode_s, swmr, &mode, &exists, err)) < 0)
        return rc;
    if ((fapl = fapl_latest()) < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "cannot create file access properties");
    if (!exists || mode == MTH5_MODE_W)
        rc = create_file(path, mode, exists, fapl, &fid, err);
    else if (mode == MTH5_MODE_R)
        rc = open_checked(path, H5F_ACC_RDONLY | (swmr ? H5F_ACC_SWMR_READ : 0), fapl, &fid, err);
    else
        rc = open_for_writing(path, swmr, fapl, &fid, err);
    if (rc == 0)
        rc = handle_new(fid, path, mode, swmr, !exists || mode == MTH5_MODE_W, out, err);
    if (rc < 0 && fid >= 0)
        H5Fclose(fid);
    H5Pclose(fapl);
    if (rc < 0)
        H5Eclear2(H5E_DEFAULT);
    return rc;
}

/* Replaces every "from" in msg (cap bytes) with "to". */
static void replace_all(char *msg, size_t cap, const char *from, const char *to)
{
    char out[H5S_ERRMSG_MAX];
    size_t lf = strlen(from), n = 0;
    for (const char *p = msg; *p && n + 1 < sizeof out;) {
        if (!strncmp(p, from, lf)) {
            n += (size_t)snprintf(out + n, sizeof out - n, "%s", to);
            p += lf;
        } else {
            out[n++] = *p++;
        }
    }
    out[n < sizeof out ? n : sizeof out - 1] = '\0';
    snprintf(msg, cap, "%s", out);
}

int mth5_open_fd(int fd, const char *shown, const char *mode, bool swmr, mth5_t **out, h5s_err_t *err)
{
    h5s_err_t local;
    if (!err)
        err = &local;
    char via[64];
    snprintf(via, sizeof via, "/proc/%d/fd/%d", (int)getpid(), fd);
    int rc = mth5_open(via, mode && !strcmp(mode, "a") ? "r+" : mode, swmr, out, err);
    if (rc < 0) {
        replace_all(err->msg, sizeof err->msg, via, shown);
        return rc;
    }
    snprintf((*out)->path, sizeof(*out)->path, "%s", shown);
    return 0;
}

bool mth5_is_swmr_mode(const mth5_t *m)
{
    return m && m->swmr;
}
bool mth5_is_static(const mth5_t *m)
{
    return m && m->static_file;
}
bool mth5_is_writable(const mth5_t *m)
{
    return m && m->writable;
}
hid_t mth5_fid(const mth5_t *m)
{
    return m ? m->fid : H5I_INVALID_HID;
}
const char *mth5_path(const mth5_t *m)
{
    return m ? m->path : "";
}

int mth5_flush(mth5_t *m, h5s_err_t *err)
{
    int rc = mth5__need_writable(m, "flush", err);
    if (rc < 0)
        return rc;
    if (H5Fflush(m->fid, H5F_SCOPE_GLOBAL) < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "H5Fflush of '%s' failed", m->path);
    return 0;
}

void mth5_set_stop_flag(mth5_t *m, const volatile sig_atomic_t *stop)
{
    if (m)
        m->stop = stop;
}

void mth5_skip_summary_rebuild(mth5_t *m)
{
    if (m)
        m->dirty = false;
}

int mth5_close(mth5_t *m, h5s_err_t *err)
{
    int rc = 0;
    if (!m)
        return 0;
    while (m->channels)
        mth5_channel_close(m->channels);
    if (m->table >= 0)
        H5Dclose(m->table);
    m->table = H5I_INVALID_HID;
    hid_t types[] = {m->upd_type, m->upd_str, m->upd_enum};
    for (int i = 0; i < 3; i++)
        if (types[i] >= 0)
            H5Tclose(types[i]);
    m->upd_type = m->upd_str = m->upd_enum = H5I_INVALID_HID;
    if (m->writable && !m->swmr && m->dirty)
        rc = mth5_summary_table_rebuild(m, err);
    H5Pclose(m->dxpl);
    if (H5Fclose(m->fid) < 0 && rc == 0)
        rc = h5s_seterr_h5(err, H5S_EHDF5, "closing '%s' failed", m->path);
    free(m);
    return rc;
}
