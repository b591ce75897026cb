/* mth5.c - MTH5 0.2.0 layout, open rules, channels and summaries over HDF5. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "mth5.h"

#include <errno.h>
#include <signal.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_START "1980-01-01T00:00:00+00:00"
#define TABLE_PATH "/Experiment/channel_summary"
#define SURVEYS_PATH "/Experiment/Surveys"

struct mth5_channel {
    mth5_t *file;
    hid_t did;
    mth5_dtype_t dtype;
    hid_t mtype; /* native memory type, not owned (predefined) */
    uint64_t len;
    char path[sizeof(((mth5_summary_row_t *)0)->path)];
    mth5_channel_t *next;
};

struct mth5 {
    hid_t fid;
    mth5_mode_t mode;
    bool swmr;
    bool writable;
    bool dirty;                        /* tree or lengths changed by a non-SWMR writer */
    bool static_file;                  /* an SWMR reader of a file no SWMR writer can open (old superblock) */
    const volatile sig_atomic_t *stop; /* set: long loops end with H5S_EINTR */
    hid_t table;                       /* channel_summary, opened lazily for in-place updates */
    hid_t dxpl;                        /* small conversion buffer for one-row table updates */
    mth5_channel_t *channels;
    char path[4096];
};

/* ---- small helpers ------------------------------------------------------ */

static hid_t dtype_native(mth5_dtype_t dt)
{
    switch (dt) {
    case MTH5_FLOAT32: return H5T_NATIVE_FLOAT;
    case MTH5_FLOAT64: return H5T_NATIVE_DOUBLE;
    case MTH5_INT32: return H5T_NATIVE_INT32;
    }
    return H5T_NATIVE_DOUBLE;
}

static hid_t dtype_file(mth5_dtype_t dt)
{
    switch (dt) {
    case MTH5_FLOAT32: return H5T_IEEE_F32LE;
    case MTH5_FLOAT64: return H5T_IEEE_F64LE;
    case MTH5_INT32: return H5T_STD_I32LE;
    }
    return H5T_IEEE_F64LE;
}

size_t mth5_dtype_size(mth5_dtype_t dt)
{
    return dt == MTH5_FLOAT64 ? 8 : 4;
}

static const char *ctype_mth5(mth5_ctype_t t)
{
    return t == MTH5_ELECTRIC ? "Electric" : t == MTH5_MAGNETIC ? "Magnetic" : "Auxiliary";
}

static const char *ctype_lower(mth5_ctype_t t)
{
    return t == MTH5_ELECTRIC ? "electric" : t == MTH5_MAGNETIC ? "magnetic" : "auxiliary";
}

/* A name is one HDF5 link name: non-empty, no '/', not "." and short enough. */
static int check_name(const char *what, const char *s, h5s_err_t *err)
{
    if (!s || !*s || strchr(s, '/') || strcmp(s, ".") == 0 || strlen(s) >= MTH5_NAME_MAX)
        return h5s_seterr(err, H5S_EINVAL, "invalid %s name '%s' (1-%d characters, no '/')", what, s ? s : "(null)",
                          MTH5_NAME_MAX - 1);
    return 0;
}

static int need_writable(mth5_t *m, const char *op, h5s_err_t *err)
{
    if (!m)
        return h5s_seterr(err, H5S_EINVAL, "%s: no file", op);
    if (!m->writable)
        return h5s_seterr(err, H5S_EREADONLY, "%s: '%s' is open read-only", op, m->path);
    return 0;
}

static hid_t vlen_str_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t >= 0 && (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
        H5Tclose(t);
        return H5I_INVALID_HID;
    }
    return t;
}

/* Writes (creating or replacing) a scalar attribute of type ftype from buf. */
static int attr_write(hid_t loc, const char *name, hid_t ftype, hid_t mtype, const void *buf)
{
    hid_t sp = H5I_INVALID_HID, a = H5I_INVALID_HID;
    int rc = -1;
    htri_t ex = H5Aexists(loc, name);
    if (ex < 0)
        return -1;
    if (ex > 0 && H5Adelete(loc, name) < 0)
        return -1;
    if ((sp = H5Screate(H5S_SCALAR)) < 0)
        goto done;
    if ((a = H5Acreate2(loc, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT)) < 0)
        goto done;
    if (H5Awrite(a, mtype, buf) < 0)
        goto done;
    rc = 0;
done:
    if (a >= 0)
        H5Aclose(a);
    if (sp >= 0)
        H5Sclose(sp);
    return rc;
}

static int attr_str(hid_t loc, const char *name, const char *value)
{
    hid_t t = vlen_str_type();
    if (t < 0)
        return -1;
    int rc = attr_write(loc, name, t, t, &value);
    H5Tclose(t);
    return rc;
}

static int attr_f8(hid_t loc, const char *name, double v)
{
    return attr_write(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
}

static int attr_i8(hid_t loc, const char *name, int64_t v)
{
    return attr_write(loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &v);
}

/* Reads a string attribute (variable or fixed length) into buf. 1 if found,
 * 0 if missing, -1 on error. */
static int attr_read_str(hid_t loc, const char *name, char *buf, size_t cap)
{
    buf[0] = '\0';
    htri_t ex = H5Aexists(loc, name);
    if (ex <= 0)
        return ex < 0 ? -1 : 0;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0)
        return -1;
    int rc = -1;
    hid_t ft = H5Aget_type(a), mt = H5I_INVALID_HID;
    if (ft < 0 || H5Tget_class(ft) != H5T_STRING)
        goto done;
    if (H5Tis_variable_str(ft) > 0) {
        char *s = NULL;
        /* the file's own type as memory type: HDF5 does not convert ASCII to UTF-8 */
        if ((mt = H5Tcopy(ft)) < 0 || H5Aread(a, mt, &s) < 0)
            goto done;
        snprintf(buf, cap, "%s", s ? s : "");
        H5free_memory(s);
    } else {
        size_t sz = H5Tget_size(ft);
        char *tmp = calloc(1, sz + 1);
        if (!tmp)
            goto done;
        mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, sz + 1);
        H5Tset_strpad(mt, H5T_STR_NULLTERM);
        if (H5Aread(a, mt, tmp) >= 0) {
            snprintf(buf, cap, "%s", tmp);
            rc = 1;
        }
        free(tmp);
        goto done;
    }
    rc = 1;
done:
    if (mt >= 0)
        H5Tclose(mt);
    if (ft >= 0)
        H5Tclose(ft);
    H5Aclose(a);
    return rc;
}

static double attr_read_f8(hid_t loc, const char *name, double dflt)
{
    double v = dflt;
    if (H5Aexists(loc, name) > 0) {
        hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
        if (a >= 0) {
            if (H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0)
                v = dflt;
            H5Aclose(a);
        }
    }
    return v;
}

static hid_t group_create(hid_t loc, const char *name, const char *mth5_type, const char *id)
{
    hid_t g = H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        return g;
    if (attr_str(g, "mth5_type", mth5_type) < 0 || (id && attr_str(g, "id", id) < 0)) {
        H5Gclose(g);
        return H5I_INVALID_HID;
    }
    return g;
}

static int subgroups(hid_t parent, const char *const *names, const char *const *types)
{
    for (size_t i = 0; names[i]; i++) {
        hid_t g = group_create(parent, names[i], types[i], NULL);
        if (g < 0)
            return -1;
        H5Gclose(g);
    }
    return 0;
}

static int path_join(char *out, size_t cap, const char *survey, const char *station, const char *run,
                     const char *channel)
{
    int k;
    if (channel)
        k = snprintf(out, cap, SURVEYS_PATH "/%s/Stations/%s/%s/%s", survey, station, run, channel);
    else if (run)
        k = snprintf(out, cap, SURVEYS_PATH "/%s/Stations/%s/%s", survey, station, run);
    else if (station)
        k = snprintf(out, cap, SURVEYS_PATH "/%s/Stations/%s", survey, station);
    else
        k = snprintf(out, cap, SURVEYS_PATH "/%s", survey);
    return k < 0 || (size_t)k >= cap ? -1 : 0;
}

static int exists_path(hid_t fid, const char *path)
{
    /* H5Lexists needs each intermediate link to exist; walk prefixes. */
    char buf[MTH5_PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            htri_t e = H5Lexists(fid, buf, H5P_DEFAULT);
            if (e <= 0)
                return e < 0 ? -1 : 0;
            if (c == '\0')
                return 1;
            *p = c;
        }
    }
}

/* ---- time --------------------------------------------------------------- */

int mth5_iso_add(const char *base, double seconds, char *out, size_t cap)
{
    struct tm tm = {0};
    if (!base)
        base = DEFAULT_START;
    if (sscanf(base, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
               &tm.tm_sec) != 6)
        return H5S_EINVAL;
    double frac = 0;
    const char *dot = base + 19;
    if (strlen(base) > 19 && *dot == '.')
        frac = strtod(dot, NULL);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t0 = timegm(&tm);
    if (t0 == (time_t)-1 && tm.tm_year != 69)
        return H5S_EINVAL;
    double total = frac + seconds;
    long long whole = (long long)total;
    long usec = (long)((total - (double)whole) * 1e6 + 0.5);
    if (usec >= 1000000) {
        whole++;
        usec -= 1000000;
    }
    time_t t = t0 + (time_t)whole;
    struct tm r;
    if (!gmtime_r(&t, &r))
        return H5S_EINVAL;
    char head[32];
    strftime(head, sizeof head, "%Y-%m-%dT%H:%M:%S", &r);
    int k = snprintf(out, cap, "%.20s.%06d+00:00", head, (int)usec);
    return k < 0 || (size_t)k >= cap ? H5S_EINVAL : 0;
}

static void iso_now(char *out, size_t cap)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm r;
    gmtime_r(&ts.tv_sec, &r);
    char head[32];
    strftime(head, sizeof head, "%Y-%m-%dT%H:%M:%S", &r);
    snprintf(out, cap, "%.20s.%06d+00:00", head, (int)(ts.tv_nsec / 1000));
}

/* ---- open / create / close ---------------------------------------------- */

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

/* Maps a failed H5Fopen/H5Fcreate (message already in err) to a precise code. */
static int classify_open_failure(h5s_err_t *err, const char *path)
{
    if (strstr(err->msg, "unable to lock file") || strstr(err->msg, "already open for write")) {
        char tmp[H5S_ERRMSG_MAX];
        snprintf(tmp, sizeof tmp, "%s", err->msg);
        return h5s_seterr(err, H5S_ELOCKED,
                          "'%s' is in use by a writer (another process holds it, or a writer died "
                          "in SWMR mode: 'h5clear -s --increment=0' clears that): %s",
                          path, tmp);
    }
    if (strstr(err->msg, "truncated file") || strstr(err->msg, "signature")) {
        err->code = H5S_ENOTHDF5;
        return err->code;
    }
    return err->code;
}

static int write_root_layout(hid_t fid)
{
    char now[48];
    iso_now(now, sizeof now);
    if (attr_str(fid, "file.type", "MTH5") < 0 || attr_str(fid, "file.version", MTH5_FILE_VERSION) < 0 ||
        attr_str(fid, "file.access.platform", "Linux") < 0 || attr_str(fid, "file.access.time", now) < 0 ||
        attr_str(fid, "mth5.software.name", "h5swmr") < 0 ||
        attr_str(fid, "mth5.software.version", H5SWMR_VERSION) < 0 || attr_i8(fid, "data_level", 1) < 0)
        return -1;
    hid_t exp = group_create(fid, "Experiment", "Experiment", NULL);
    if (exp < 0)
        return -1;
    static const char *const names[] = {"Surveys", "Reports", "Standards", NULL};
    static const char *const types[] = {"MasterSurvey", "Reports", "Standards", NULL};
    int rc = subgroups(exp, names, types);
    H5Gclose(exp);
    return rc;
}

/* Checks the root attribute file.type of an open file. */
static int check_mth5(hid_t fid, const char *path, h5s_err_t *err)
{
    char type[32];
    int r = attr_read_str(fid, "file.type", type, sizeof type);
    if (r < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "'%s': cannot read root attribute file.type", path);
    if (r == 0 || strcmp(type, "MTH5") != 0)
        return h5s_seterr(err, H5S_ENOTMTH5, "'%s' is an HDF5 file but not an MTH5 file (root attribute file.type %s)",
                          path, r == 0 ? "is missing" : "is not 'MTH5'");
    return 0;
}

/* Opens an existing file read-only (optionally SWMR_READ) and checks it is MTH5. */
static int open_checked(const char *path, unsigned flags, hid_t fapl, hid_t *fid, h5s_err_t *err)
{
#if H5_VERSION_GE(1, 12, 0)
    htri_t acc = H5Fis_accessible(path, H5P_DEFAULT);
#else
    htri_t acc = H5Fis_hdf5(path);
#endif
    if (acc <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return h5s_seterr(err, H5S_ENOTHDF5, "'%s' is not an HDF5 file (no HDF5 signature)", path);
    }
    /* An SWMR reader whose open overlaps the writer's close can find the file
     * shorter than its superblock says for a moment (seen on HDF5 1.10.8):
     * that is a race, not a truncated file. Retry it for up to 100 ms. */
    struct timespec t0, now, pause = {0, 1000000};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        *fid = H5Fopen(path, flags, fapl);
        if (*fid >= 0)
            break;
        h5s_seterr_h5(err, H5S_EHDF5, "cannot open '%s'", path);
        clock_gettime(CLOCK_MONOTONIC, &now);
        long waited_ms = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
        if (!(flags & H5F_ACC_SWMR_READ) || !strstr(err->msg, "truncated file") || waited_ms >= 100)
            break;
        nanosleep(&pause, NULL); /* the writer's close needs the CPU to finish */
    }
    if (*fid < 0) {
        if ((flags & H5F_ACC_SWMR_READ) && strstr(err->msg, "truncated file")) {
            char tmp[H5S_ERRMSG_MAX];
            snprintf(tmp, sizeof tmp, "%s", err->msg);
            h5s_seterr(err, H5S_ENOTHDF5,
                       "'%s' is shorter than its superblock says (a truncated file; it stayed so for "
                       "100 ms, so not a writer closing it): %.900s",
                       path, tmp);
            err->cause = H5S_CAUSE_TRUNCATED;
            return H5S_ENOTHDF5;
        }
        return classify_open_failure(err, path);
    }
    int rc = check_mth5(*fid, path, err);
    if (rc < 0) {
        H5Fclose(*fid);
        *fid = H5I_INVALID_HID;
    }
    return rc;
}

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
#if H5_VERSION_GE(1, 12, 0)
    htri_t acc = H5Fis_accessible(path, H5P_DEFAULT);
#else
    htri_t acc = H5Fis_hdf5(path);
#endif
    H5Eclear2(H5E_DEFAULT);
    if (acc <= 0)
        return 0;
    hid_t fid = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    if (fid >= 0) {
        H5Fclose(fid);
        return 0;
    }
    h5s_err_t probe;
    h5s_seterr_h5(&probe, H5S_EHDF5, "cannot replace '%s'", path);
    if (classify_open_failure(&probe, path) == H5S_ELOCKED) {
        if (err)
            *err = probe;
        return H5S_ELOCKED;
    }
    return 0;
}

int mth5_open(const char *path, const char *mode_s, bool swmr, mth5_t **out, h5s_err_t *err)
{
    mth5_mode_t mode;
    hid_t fapl = H5I_INVALID_HID, fid = H5I_INVALID_HID;
    int rc;
    struct stat st;

    h5s_err_clear(err);
    if (!out || !path || !*path)
        return h5s_seterr(err, H5S_EINVAL, "mth5_open: no path");
    *out = NULL;
    if (strlen(path) >= sizeof(((mth5_t *)0)->path))
        return h5s_seterr(err, H5S_EINVAL, "path too long");
    if (mth5_mode_parse(mode_s, &mode) < 0)
        return h5s_seterr(err, H5S_EINVAL, "unknown mode '%s' (use r, r+, a, w, w- or x)", mode_s ? mode_s : "(null)");
    if (swmr && (mode == MTH5_MODE_W || mode == MTH5_MODE_X))
        return h5s_seterr(err, H5S_EMODE,
                          "SWMR mode cannot be used with mode '%s': create the file first, then "
                          "reopen it with 'a' or 'r+'",
                          mode_s);

    bool exists = stat(path, &st) == 0;
    if (!exists && errno != ENOENT)
        return h5s_seterr(err, H5S_ESYS, "'%s': %s", path, strerror(errno));
    if (exists && S_ISDIR(st.st_mode))
        return h5s_seterr(err, H5S_ENOTHDF5, "'%s' is a directory, not an HDF5 file", path);
    if (exists && !S_ISREG(st.st_mode))
        return h5s_seterr(err, H5S_ENOTHDF5, "'%s' is not a regular file", path);
    if (!exists && (swmr || mode == MTH5_MODE_R || mode == MTH5_MODE_RPLUS))
        return h5s_seterr(err, H5S_ENOENT, "'%s' does not exist%s", path,
                          swmr ? " (SWMR needs an existing MTH5 file: create it first without SWMR)" : "");
    if (exists && mode == MTH5_MODE_X)
        return h5s_seterr(err, H5S_EEXIST, "'%s' exists (mode '%s' never overwrites; use 'w' to replace it)", path,
                          mode_s);

    if ((fapl = fapl_latest()) < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "cannot create file access properties");

    if (!exists || mode == MTH5_MODE_W) {
        if ((rc = dir_writable(path, err)) < 0)
            goto fail;
        if (exists && (rc = not_in_use(path, fapl, err)) < 0)
            goto fail;
        fid = H5Fcreate(path, mode == MTH5_MODE_W ? H5F_ACC_TRUNC : H5F_ACC_EXCL, H5P_DEFAULT, fapl);
        if (fid < 0) {
            h5s_seterr_h5(err, H5S_EHDF5, "cannot create '%s'", path);
            rc = classify_open_failure(err, path);
            goto fail;
        }
        if (write_root_layout(fid) < 0) {
            rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot write the MTH5 layout into '%s'", path);
            goto fail;
        }
    } else if (mode == MTH5_MODE_R) {
        unsigned flags = H5F_ACC_RDONLY | (swmr ? H5F_ACC_SWMR_READ : 0);
        if ((rc = open_checked(path, flags, fapl, &fid, err)) < 0)
            goto fail;
    } else {
        /* r+ or a on an existing file: probe read-only first so that a file that
         * is not ours is refused without being opened for writing. */
        if ((rc = open_checked(path, H5F_ACC_RDONLY, fapl, &fid, err)) < 0)
            goto fail;
        H5Fclose(fid);
        fid = H5Fopen(path, H5F_ACC_RDWR, fapl);
        if (fid < 0) {
            h5s_seterr_h5(err, H5S_EHDF5, "cannot open '%s' for writing", path);
            rc = classify_open_failure(err, path);
            /* the read-only probe just passed, so no writer holds the file: a
             * reader does (its shared lock stops a writer's exclusive one) */
            if (rc == H5S_ELOCKED)
                h5s_seterr(err, H5S_ELOCKED,
                           "'%s' is open in another process that reads it (HDF5 opens a file for writing only when no "
                           "other process has it open): "
                           "close the readers and try again",
                           path);
            goto fail;
        }
        if (swmr && H5Fstart_swmr_write(fid) < 0) {
            rc = h5s_seterr_h5(err, H5S_EFORMAT, "cannot start SWMR-write mode on '%s'", path);
            if (strstr(err->msg, "superblock version"))
                h5s_seterr(err, H5S_EFORMAT,
                           "cannot start SWMR-write mode on '%s': it has an old superblock; SWMR "
                           "needs a file created with libver latest (version-3 superblock)",
                           path);
            goto fail;
        }
    }

    mth5_t *m = calloc(1, sizeof *m);
    if (!m) {
        rc = h5s_seterr(err, H5S_ENOMEM, "out of memory");
        goto fail;
    }
    m->fid = fid;
    m->mode = mode;
    m->swmr = swmr;
    m->writable = mode != MTH5_MODE_R;
    m->dirty = !exists || mode == MTH5_MODE_W;
    /* HDF5 1.10 opens an old-format file (superblock before version 3) with
     * SWMR_READ, but H5Drefresh then fails and leaves the dataset half torn
     * down (closing it crashes). No SWMR writer can ever open such a file, so
     * it is static: readers skip the refresh. */
    H5F_info2_t info;
    m->static_file = swmr && mode == MTH5_MODE_R && H5Fget_info2(fid, &info) >= 0 && info.super.version < 3;
    m->table = H5I_INVALID_HID;
    /* HDF5's default conversion buffer (1 MiB, allocated and cleared on every
     * converting write) costs far more than a one-row table update */
    m->dxpl = H5Pcreate(H5P_DATASET_XFER);
    if (m->dxpl < 0 || H5Pset_buffer(m->dxpl, 16384, NULL, NULL) < 0) {
        if (m->dxpl >= 0)
            H5Pclose(m->dxpl);
        free(m);
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot create transfer properties");
        goto fail;
    }
    snprintf(m->path, sizeof m->path, "%s", path);
    H5Pclose(fapl);
    *out = m;
    return 0;

fail:
    if (fid >= 0)
        H5Fclose(fid);
    if (fapl >= 0)
        H5Pclose(fapl);
    H5Eclear2(H5E_DEFAULT);
    return rc;
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
    int rc = need_writable(m, "flush", err);
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

static bool stopped(const mth5_t *m)
{
    return m->stop && *m->stop;
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
    if (m->writable && !m->swmr && m->dirty)
        rc = mth5_summary_table_rebuild(m, err);
    H5Pclose(m->dxpl);
    if (H5Fclose(m->fid) < 0 && rc == 0)
        rc = h5s_seterr_h5(err, H5S_EHDF5, "closing '%s' failed", m->path);
    free(m);
    return rc;
}

/* ---- tree --------------------------------------------------------------- */

static int refuse_structure_change(mth5_t *m, const char *op, h5s_err_t *err)
{
    int rc = need_writable(m, op, err);
    if (rc < 0)
        return rc;
    m->dirty = true;
    return 0;
}

int mth5_add_survey(mth5_t *m, const char *survey, h5s_err_t *err)
{
    char path[512];
    int rc;
    if ((rc = check_name("survey", survey, err)) < 0 || (rc = refuse_structure_change(m, "add_survey", err)) < 0)
        return rc;
    path_join(path, sizeof path, survey, NULL, NULL, NULL);
    if (exists_path(m->fid, path) > 0)
        return h5s_seterr(err, H5S_EEXIST, "survey '%s' exists", survey);
    hid_t g = group_create(m->fid, path, "Survey", survey);
    if (g < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "cannot create survey '%s'", survey);
    static const char *const names[] = {"Stations", "Reports", "Filters", "Standards", NULL};
    static const char *const types[] = {"MasterStation", "Reports", "Filters", "Standards", NULL};
    rc = subgroups(g, names, types);
    H5Gclose(g);
    if (rc < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "cannot create the groups of survey '%s'", survey);
    return 0;
}

int mth5_add_station(mth5_t *m, const char *survey, const char *station, const mth5_station_meta_t *meta,
                     h5s_err_t *err)
{
    char path[512];
    int rc;
    mth5_station_meta_t zero = {0, 0, 0};
    if (!meta)
        meta = &zero;
    if ((rc = check_name("survey", survey, err)) < 0 || (rc = check_name("station", station, err)) < 0 ||
        (rc = refuse_structure_change(m, "add_station", err)) < 0)
        return rc;
    path_join(path, sizeof path, survey, NULL, NULL, NULL);
    if (exists_path(m->fid, path) <= 0)
        return h5s_seterr(err, H5S_ENOENT, "survey '%s' does not exist", survey);
    path_join(path, sizeof path, survey, station, NULL, NULL);
    if (exists_path(m->fid, path) > 0)
        return h5s_seterr(err, H5S_EEXIST, "station '%s' exists in survey '%s'", station, survey);
    hid_t g = group_create(m->fid, path, "Station", station);
    if (g < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "cannot create station '%s'", station);
    static const char *const names[] = {"Transfer_Functions", "Fourier_Coefficients", "Features", NULL};
    static const char *const types[] = {"MasterTransferFunction", "MasterFCGroup", "MasterFeatures", NULL};
    rc = subgroups(g, names, types);
    if (rc == 0 &&
        (attr_f8(g, "location.latitude", meta->latitude) < 0 || attr_f8(g, "location.longitude", meta->longitude) < 0 ||
         attr_f8(g, "location.elevation", meta->elevation) < 0))
        rc = -1;
    H5Gclose(g);
    if (rc < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "cannot write station '%s'", station);
    return 0;
}

int mth5_add_run(mth5_t *m, const char *survey, const char *station, const char *run, double sample_rate,
                 const char *start, h5s_err_t *err)
{
    char path[512], iso[48];
    int rc;
    if ((rc = check_name("survey", survey, err)) < 0 || (rc = check_name("station", station, err)) < 0 ||
        (rc = check_name("run", run, err)) < 0 || (rc = refuse_structure_change(m, "add_run", err)) < 0)
        return rc;
    if (!(sample_rate >= 0))
        return h5s_seterr(err, H5S_EINVAL, "run '%s': sample rate must be >= 0", run);
    if (mth5_iso_add(start, 0, iso, sizeof iso) < 0)
        return h5s_seterr(err, H5S_EINVAL, "run '%s': bad start time '%s'", run, start);
    path_join(path, sizeof path, survey, station, NULL, NULL);
    if (exists_path(m->fid, path) <= 0)
        return h5s_seterr(err, H5S_ENOENT, "station '%s' does not exist in survey '%s'", station, survey);
    path_join(path, sizeof path, survey, station, run, NULL);
    if (exists_path(m->fid, path) > 0)
        return h5s_seterr(err, H5S_EEXIST, "run '%s' exists in station '%s'", run, station);
    hid_t g = group_create(m->fid, path, "Run", run);
    if (g < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "cannot create run '%s'", run);
    rc = 0;
    if (attr_f8(g, "sample_rate", sample_rate) < 0 || attr_str(g, "time_period.start", iso) < 0 ||
        attr_str(g, "time_period.end", iso) < 0)
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot write attributes of run '%s'", run);
    H5Gclose(g);
    return rc;
}

static mth5_channel_t *channel_wrap(mth5_t *m, hid_t did, const char *path)
{
    mth5_channel_t *ch = calloc(1, sizeof *ch);
    if (!ch)
        return NULL;
    ch->file = m;
    ch->did = did;
    snprintf(ch->path, sizeof ch->path, "%s", path);
    hid_t t = H5Dget_type(did);
    H5T_class_t cls = H5Tget_class(t);
    size_t sz = H5Tget_size(t);
    ch->dtype = cls == H5T_INTEGER ? MTH5_INT32 : sz == 4 ? MTH5_FLOAT32 : MTH5_FLOAT64;
    H5Tclose(t);
    ch->mtype = dtype_native(ch->dtype);
    hid_t sp = H5Dget_space(did);
    hsize_t dims[1] = {0};
    if (sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1)
        H5Sget_simple_extent_dims(sp, dims, NULL);
    if (sp >= 0)
        H5Sclose(sp);
    ch->len = dims[0];
    ch->next = m->channels;
    m->channels = ch;
    return ch;
}

static hid_t channel_dapl(hsize_t chunk_bytes)
{
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    size_t cache = chunk_bytes * 4 > (1u << 20) ? chunk_bytes * 4 : (1u << 20);
    if (dapl >= 0)
        H5Pset_chunk_cache(dapl, 521, cache, 1.0);
    return dapl;
}

int mth5_add_channel(mth5_t *m, const char *survey, const char *station, const char *run, const mth5_channel_opts_t *o,
                     mth5_channel_t **out, h5s_err_t *err)
{
    char path[512], runpath[512], start[48], units[32];
    hid_t sp = H5I_INVALID_HID, dcpl = H5I_INVALID_HID, dapl = H5I_INVALID_HID;
    hid_t did = H5I_INVALID_HID, rg = H5I_INVALID_HID;
    int rc;

    if (out)
        *out = NULL;
    if (!o)
        return h5s_seterr(err, H5S_EINVAL, "add_channel: no options");
    if ((rc = check_name("channel", o->name, err)) < 0 || (rc = check_name("run", run, err)) < 0 ||
        (rc = check_name("station", station, err)) < 0 || (rc = check_name("survey", survey, err)) < 0 ||
        (rc = refuse_structure_change(m, "add_channel", err)) < 0)
        return rc;
    for (const char *p = o->name; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            return h5s_seterr(err, H5S_EINVAL, "channel name '%s' must be lower case (MTH5 0.2.0)", o->name);
    if (o->type > MTH5_AUXILIARY || o->dtype > MTH5_INT32)
        return h5s_seterr(err, H5S_EINVAL, "channel '%s': bad type or dtype", o->name);
    hsize_t chunk = o->chunk ? o->chunk : 1024;
    if (chunk > ((hsize_t)1 << 28))
        return h5s_seterr(err, H5S_EINVAL, "channel '%s': chunk of %llu samples is too large", o->name,
                          (unsigned long long)chunk);
    path_join(runpath, sizeof runpath, survey, station, run, NULL);
    if (exists_path(m->fid, runpath) <= 0)
        return h5s_seterr(err, H5S_ENOENT, "run '%s' does not exist in %s/%s", run, survey, station);
    path_join(path, sizeof path, survey, station, run, o->name);
    if (exists_path(m->fid, path) > 0)
        return h5s_seterr(err, H5S_EEXIST, "channel '%s' exists in run '%s'", o->name, run);

    if ((rg = H5Gopen2(m->fid, runpath, H5P_DEFAULT)) < 0) {
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot open run '%s'", runpath);
        goto done;
    }
    double rate = o->sample_rate > 0 ? o->sample_rate : attr_read_f8(rg, "sample_rate", 0);
    if (o->start)
        snprintf(start, sizeof start, "%s", o->start);
    else if (attr_read_str(rg, "time_period.start", start, sizeof start) <= 0)
        snprintf(start, sizeof start, "%s", DEFAULT_START);
    if (mth5_iso_add(start, 0, start, sizeof start) < 0) {
        rc = h5s_seterr(err, H5S_EINVAL, "channel '%s': bad start time", o->name);
        goto done;
    }
    snprintf(units, sizeof units, "%s",
             o->units                   ? o->units
             : o->type == MTH5_ELECTRIC ? "mV/km"
             : o->type == MTH5_MAGNETIC ? "nT"
                                        : "");

    hsize_t dims[1] = {0}, maxdims[1] = {H5S_UNLIMITED}, cdims[1] = {chunk};
    if ((sp = H5Screate_simple(1, dims, maxdims)) < 0 || (dcpl = H5Pcreate(H5P_DATASET_CREATE)) < 0 ||
        H5Pset_chunk(dcpl, 1, cdims) < 0) {
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot set up channel '%s'", o->name);
        goto done;
    }
    if (o->compress && (H5Pset_shuffle(dcpl) < 0 || H5Pset_deflate(dcpl, 4) < 0 || H5Pset_fletcher32(dcpl) < 0)) {
        rc = h5s_seterr_h5(err, H5S_EHDF5, "channel '%s': filters unavailable", o->name);
        goto done;
    }
    dapl = channel_dapl(chunk * mth5_dtype_size(o->dtype));
    did = H5Dcreate2(rg, o->name, dtype_file(o->dtype), sp, H5P_DEFAULT, dcpl, dapl);
    if (did < 0) {
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot create channel '%s'", path);
        goto done;
    }
    if (attr_str(did, "mth5_type", ctype_mth5(o->type)) < 0 || attr_str(did, "type", ctype_lower(o->type)) < 0 ||
        attr_str(did, "component", o->name) < 0 || attr_str(did, "units", units) < 0 ||
        attr_f8(did, "sample_rate", rate) < 0 || attr_str(did, "time_period.start", start) < 0 ||
        attr_str(did, "time_period.end", start) < 0 || attr_f8(did, "measurement_azimuth", o->azimuth) < 0 ||
        attr_f8(did, "measurement_tilt", o->tilt) < 0) {
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot write attributes of channel '%s'", path);
        goto done;
    }
    rc = 0;
    if (out) {
        if (!(*out = channel_wrap(m, did, path)))
            rc = h5s_seterr(err, H5S_ENOMEM, "out of memory");
        else
            did = H5I_INVALID_HID;
    }
done:
    if (did >= 0)
        H5Dclose(did);
    if (dapl >= 0)
        H5Pclose(dapl);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (sp >= 0)
        H5Sclose(sp);
    if (rg >= 0)
        H5Gclose(rg);
    return rc;
}

int mth5_channel_open_path(mth5_t *m, const char *path, mth5_channel_t **out, h5s_err_t *err)
{
    if (!m || !out)
        return h5s_seterr(err, H5S_EINVAL, "channel_open: bad arguments");
    *out = NULL;
    if (exists_path(m->fid, path) <= 0)
        return h5s_seterr(err, H5S_ENOENT, "no channel '%s' in '%s'", path, m->path);
    hid_t dapl = channel_dapl(1u << 20);
    hid_t did = H5Dopen2(m->fid, path, dapl);
    if (did < 0) {
        /* capture HDF5's error stack before another API call clears it */
        h5s_seterr_h5(err, H5S_EHDF5, "cannot open channel '%s'", path);
        H5Pclose(dapl);
        return H5S_EHDF5;
    }
    H5Pclose(dapl);
    hid_t sp = H5Dget_space(did);
    int nd = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    if (sp >= 0)
        H5Sclose(sp);
    if (nd != 1) {
        H5Dclose(did);
        return h5s_seterr(err, H5S_EINVAL, "'%s' is not a 1-D channel", path);
    }
    if (!(*out = channel_wrap(m, did, path))) {
        H5Dclose(did);
        return h5s_seterr(err, H5S_ENOMEM, "out of memory");
    }
    return 0;
}

int mth5_channel_open(mth5_t *m, const char *survey, const char *station, const char *run, const char *channel,
                      mth5_channel_t **out, h5s_err_t *err)
{
    char path[MTH5_PATH_MAX];
    if (path_join(path, sizeof path, survey, station, run, channel) < 0)
        return h5s_seterr(err, H5S_EINVAL, "channel path too long");
    return mth5_channel_open_path(m, path, out, err);
}

void mth5_channel_close(mth5_channel_t *ch)
{
    if (!ch)
        return;
    for (mth5_channel_t **pp = &ch->file->channels; *pp; pp = &(*pp)->next)
        if (*pp == ch) {
            *pp = ch->next;
            break;
        }
    H5Dclose(ch->did);
    free(ch);
}

hid_t mth5_channel_did(const mth5_channel_t *ch)
{
    return ch->did;
}
mth5_dtype_t mth5_channel_dtype(const mth5_channel_t *ch)
{
    return ch->dtype;
}
const char *mth5_channel_path(const mth5_channel_t *ch)
{
    return ch->path;
}
uint64_t mth5_channel_length(const mth5_channel_t *ch)
{
    return ch->len;
}

#if H5SWMR_DELIBERATE_SLOWDOWN_US > 0
/* A deliberately slowed build (cmake -DH5SWMR_DELIBERATE_SLOWDOWN_US=N), for
 * showing that the regression gate catches a slower write path: spins N us. */
static void deliberate_slowdown(void)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    do
        clock_gettime(CLOCK_MONOTONIC, &b);
    while ((b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000 < H5SWMR_DELIBERATE_SLOWDOWN_US);
}
#endif

int mth5_channel_append(mth5_channel_t *ch, const void *buf, size_t n, bool cork, h5s_err_t *err)
{
#if H5SWMR_DELIBERATE_SLOWDOWN_US > 0
    deliberate_slowdown();
#endif
    int rc = need_writable(ch->file, "append", err);
    if (rc < 0)
        return rc;
    if (n == 0)
        return 0;
    hsize_t newlen[1] = {ch->len + n}, start[1] = {ch->len}, count[1] = {n};
    hid_t fs = H5I_INVALID_HID, ms = H5I_INVALID_HID;
    bool corked = false;
    rc = 0;
    if (cork) {
        if (H5Odisable_mdc_flushes(ch->did) < 0) {
            rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot cork '%s'", ch->path);
            goto done;
        }
        corked = true;
    }
    if (H5Dset_extent(ch->did, newlen) < 0) {
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot extend '%s' to %llu samples", ch->path,
                           (unsigned long long)newlen[0]);
        goto done;
    }
    if ((fs = H5Dget_space(ch->did)) < 0 || H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
        (ms = H5Screate_simple(1, count, NULL)) < 0 || H5Dwrite(ch->did, ch->mtype, ms, fs, H5P_DEFAULT, buf) < 0) {
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot write %zu samples to '%s'", n, ch->path);
        goto done;
    }
    ch->len = newlen[0];
    if (!ch->file->swmr)
        ch->file->dirty = true;
done:
    if (corked && H5Oenable_mdc_flushes(ch->did) < 0 && rc == 0)
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot uncork '%s'", ch->path);
    if (ms >= 0)
        H5Sclose(ms);
    if (fs >= 0)
        H5Sclose(fs);
    return rc;
}

int mth5_channel_refresh(mth5_channel_t *ch, uint64_t *len, h5s_err_t *err)
{
    if (ch->file->swmr && !ch->file->writable && !ch->file->static_file && H5Drefresh(ch->did) < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "H5Drefresh of '%s' failed", ch->path);
    hid_t sp = H5Dget_space(ch->did);
    hsize_t dims[1];
    if (sp < 0 || H5Sget_simple_extent_dims(sp, dims, NULL) != 1) {
        if (sp >= 0)
            H5Sclose(sp);
        return h5s_seterr_h5(err, H5S_EHDF5, "cannot read the extent of '%s'", ch->path);
    }
    H5Sclose(sp);
    ch->len = dims[0];
    if (len)
        *len = ch->len;
    return 0;
}

int mth5_channel_read(mth5_channel_t *ch, uint64_t start, size_t n, void *buf, h5s_err_t *err)
{
    if (n == 0)
        return 0;
    hsize_t st[1] = {start}, cnt[1] = {n};
    hid_t fs = H5Dget_space(ch->did), ms = H5I_INVALID_HID;
    int rc = 0;
    if (fs < 0 || H5Sselect_hyperslab(fs, H5S_SELECT_SET, st, NULL, cnt, NULL) < 0 ||
        (ms = H5Screate_simple(1, cnt, NULL)) < 0 || H5Dread(ch->did, ch->mtype, ms, fs, H5P_DEFAULT, buf) < 0)
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot read samples %llu..%llu of '%s'", (unsigned long long)start,
                           (unsigned long long)(start + n), ch->path);
    if (ms >= 0)
        H5Sclose(ms);
    if (fs >= 0)
        H5Sclose(fs);
    return rc;
}

int mth5_channel_flush(mth5_channel_t *ch, h5s_err_t *err)
{
    if (H5Dflush(ch->did) < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "H5Dflush of '%s' failed", ch->path);
    return 0;
}

int mth5_channel_set_end(mth5_channel_t *ch, const char *end, h5s_err_t *err)
{
    int rc = need_writable(ch->file, "set_end", err);
    if (rc < 0)
        return rc;
    if (ch->file->swmr)
        return h5s_seterr(err, H5S_ESWMR, "changing attributes of '%s' is not supported in SWMR-write mode", ch->path);
    if (attr_str(ch->did, "time_period.end", end) < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "cannot write time_period.end of '%s'", ch->path);
    return 0;
}

int mth5_remove(mth5_t *m, const char *path, h5s_err_t *err)
{
    int rc = need_writable(m, "remove", err);
    if (rc < 0)
        return rc;
    if (m->swmr)
        return h5s_seterr(err, H5S_ESWMR,
                          "cannot remove '%s': removing objects is not allowed in SWMR-write mode "
                          "(close and reopen without SWMR first)",
                          path);
    if (!path || path[0] != '/' || strcmp(path, "/") == 0)
        return h5s_seterr(err, H5S_EINVAL, "remove: '%s' is not an absolute object path", path ? path : "");
    if (exists_path(m->fid, path) <= 0)
        return h5s_seterr(err, H5S_ENOENT, "cannot remove '%s': no such object", path);
    for (mth5_channel_t *c = m->channels; c; c = c->next) {
        size_t l = strlen(path);
        if (strncmp(c->path, path, l) == 0 && (c->path[l] == '\0' || c->path[l] == '/'))
            return h5s_seterr(err, H5S_EINVAL, "cannot remove '%s': channel '%s' is open", path, c->path);
    }
    if (H5Ldelete(m->fid, path, H5P_DEFAULT) < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "cannot remove '%s'", path);
    m->dirty = true;
    return 0;
}

/* ---- walks -------------------------------------------------------------- */

typedef struct names {
    char (*v)[MTH5_WALK_NAME_MAX];
    size_t n, cap;
    char toolong[64]; /* the start of a name too long to list, if one was met */
} names_t;

static herr_t collect_cb(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    names_t *nm = data;
    (void)g;
    (void)info;
    if (strlen(name) >= MTH5_WALK_NAME_MAX) { /* never left out silently: the walk fails */
        snprintf(nm->toolong, sizeof nm->toolong, "%.40s", name);
        return 1;
    }
    if (nm->n == nm->cap) {
        size_t cap = nm->cap ? nm->cap * 2 : 16;
        void *p = realloc(nm->v, cap * sizeof *nm->v);
        if (!p)
            return -1;
        nm->v = p;
        nm->cap = cap;
    }
    snprintf(nm->v[nm->n++], MTH5_WALK_NAME_MAX, "%s", name);
    return 0;
}

/* Opens loc/name as an object, refreshing it first if asked. */
static hid_t obj_open(hid_t loc, const char *name, bool refresh)
{
    hid_t o = H5Oopen(loc, name, H5P_DEFAULT);
    if (o >= 0 && refresh && H5Orefresh(o) < 0) {
        H5Oclose(o);
        return H5I_INVALID_HID;
    }
    return o;
}

/* Lists the link names of group g into nm (cleared first). */
static int list_links(hid_t g, names_t *nm)
{
    nm->n = 0;
    nm->toolong[0] = '\0';
    hsize_t idx = 0;
    if (H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_cb, nm) < 0)
        return -1;
    return nm->toolong[0] ? -2 : 0;
}

static bool is_station_child(const char *s)
{
    return !strcmp(s, "Transfer_Functions") || !strcmp(s, "Fourier_Coefficients") || !strcmp(s, "Features");
}

typedef struct walk {
    mth5_t *m;
    bool refresh;
    mth5_summary_row_t *rows;
    size_t n, cap;
    mth5_run_row_t *runs;
    size_t nruns, capruns;
    h5s_err_t err; /* the first failure, captured where it happened */
} walk_t;

/* Records the first failure of a walk with HDF5's error text; returns -1. */
static int wfail(walk_t *w, const char *what, const char *name)
{
    if (w->err.code == 0)
        h5s_seterr_h5(&w->err, H5S_EHDF5, "%s '%s' failed", what, name);
    return -1;
}

/* Lists group g into nm; a failure is recorded as wfail does, a name too long
 * for a summary row with its own message. 0 or -1. */
static int wlist(walk_t *w, hid_t g, names_t *nm, const char *what, const char *name)
{
    int r = list_links(g, nm);
    if (r == -2) {
        if (w->err.code == 0)
            h5s_seterr(&w->err, H5S_EFORMAT, "%s '%s' has an object named '%s...' longer than %d characters", what,
                       name, nm->toolong, MTH5_WALK_NAME_MAX - 1);
        return -1;
    }
    return r < 0 ? wfail(w, "listing", name) : 0;
}

static int walk_channel(walk_t *w, hid_t ds, const mth5_summary_row_t *proto)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 16;
        void *p = realloc(w->rows, cap * sizeof *w->rows);
        if (!p)
            return -1;
        w->rows = p;
        w->cap = cap;
    }
    mth5_summary_row_t *r = &w->rows[w->n];
    *r = *proto;
    if (w->refresh && H5Drefresh(ds) < 0)
        return wfail(w, "H5Drefresh of", proto->path);
    hid_t sp = H5Dget_space(ds);
    hsize_t dims[1] = {0};
    if (sp < 0)
        return wfail(w, "H5Dget_space of", proto->path);
    if (H5Sget_simple_extent_ndims(sp) == 1)
        H5Sget_simple_extent_dims(sp, dims, NULL);
    H5Sclose(sp);
    r->n_samples = dims[0];
    char comp[MTH5_WALK_NAME_MAX];
    if (attr_read_str(ds, "component", comp, sizeof comp) > 0)
        snprintf(r->component, sizeof r->component, "%s", comp);
    attr_read_str(ds, "type", r->type, sizeof r->type);
    attr_read_str(ds, "units", r->units, sizeof r->units);
    attr_read_str(ds, "time_period.start", r->start, sizeof r->start);
    r->sample_rate = attr_read_f8(ds, "sample_rate", 0);
    r->azimuth = attr_read_f8(ds, "measurement_azimuth", 0);
    r->tilt = attr_read_f8(ds, "measurement_tilt", 0);
    if (r->sample_rate > 0 && mth5_iso_add(r->start, (double)r->n_samples / r->sample_rate, r->end, sizeof r->end) == 0)
        ;
    else
        attr_read_str(ds, "time_period.end", r->end, sizeof r->end);
    w->n++;
    return 0;
}

static int walk_run(walk_t *w, hid_t rg, mth5_summary_row_t *proto)
{
    names_t nm = {0};
    int rc = wlist(w, rg, &nm, "run", proto->run);
    mth5_run_row_t rr = {0};
    snprintf(rr.survey, sizeof rr.survey, "%s", proto->survey);
    snprintf(rr.station, sizeof rr.station, "%s", proto->station);
    snprintf(rr.run, sizeof rr.run, "%s", proto->run);
    rr.sample_rate = attr_read_f8(rg, "sample_rate", 0);
    path_join(rr.path, sizeof rr.path, proto->survey, proto->station, proto->run, NULL);
    for (size_t i = 0; rc == 0 && i < nm.n; i++) {
        if (stopped(w->m)) {
            if (w->err.code == 0)
                h5s_seterr(&w->err, H5S_EINTR, "interrupted");
            rc = -1;
            break;
        }
        hid_t o = H5Oopen(rg, nm.v[i], H5P_DEFAULT);
        if (o < 0) {
            rc = wfail(w, "opening", nm.v[i]);
            break;
        }
        if (H5Iget_type(o) == H5I_DATASET) {
            snprintf(proto->component, sizeof proto->component, "%s", nm.v[i]);
            path_join(proto->path, sizeof proto->path, proto->survey, proto->station, proto->run, nm.v[i]);
            size_t before = w->n;
            rc = walk_channel(w, o, proto);
            if (rc == 0) {
                rr.n_channels++;
                if (w->rows[before].n_samples > rr.n_samples)
                    rr.n_samples = w->rows[before].n_samples;
            }
        }
        H5Oclose(o);
    }
    free(nm.v);
    if (rc == 0) {
        if (w->nruns == w->capruns) {
            size_t cap = w->capruns ? w->capruns * 2 : 8;
            void *p = realloc(w->runs, cap * sizeof *w->runs);
            if (!p)
                return -1;
            w->runs = p;
            w->capruns = cap;
        }
        w->runs[w->nruns++] = rr;
    }
    return rc;
}

static int walk_tree(walk_t *w)
{
    mth5_t *m = w->m;
    names_t surveys = {0}, stations = {0}, runs = {0};
    int rc = 0;
    hid_t sg = obj_open(m->fid, SURVEYS_PATH, w->refresh);
    if (sg < 0)
        return wfail(w, "opening", SURVEYS_PATH);
    if (wlist(w, sg, &surveys, "group", SURVEYS_PATH) < 0)
        rc = -1;
    for (size_t i = 0; rc == 0 && i < surveys.n; i++) {
        mth5_summary_row_t proto = {0};
        snprintf(proto.survey, sizeof proto.survey, "%s", surveys.v[i]);
        char p[MTH5_WALK_NAME_MAX + 16];
        snprintf(p, sizeof p, "%s/Stations", surveys.v[i]);
        hid_t stg = obj_open(sg, p, w->refresh);
        if (stg < 0) {
            rc = wfail(w, "opening", p);
            break;
        }
        if (wlist(w, stg, &stations, "group", p) < 0)
            rc = -1;
        for (size_t j = 0; rc == 0 && j < stations.n; j++) {
            hid_t st = obj_open(stg, stations.v[j], w->refresh);
            if (st < 0) {
                rc = wfail(w, "opening station", stations.v[j]);
                break;
            }
            snprintf(proto.station, sizeof proto.station, "%s", stations.v[j]);
            proto.latitude = attr_read_f8(st, "location.latitude", 0);
            proto.longitude = attr_read_f8(st, "location.longitude", 0);
            proto.elevation = attr_read_f8(st, "location.elevation", 0);
            if (wlist(w, st, &runs, "station", stations.v[j]) < 0)
                rc = -1;
            for (size_t k = 0; rc == 0 && k < runs.n; k++) {
                if (is_station_child(runs.v[k]))
                    continue;
                hid_t rg = obj_open(st, runs.v[k], w->refresh);
                if (rg < 0) {
                    rc = wfail(w, "opening run", runs.v[k]);
                    break;
                }
                if (H5Iget_type(rg) == H5I_GROUP) {
                    snprintf(proto.run, sizeof proto.run, "%s", runs.v[k]);
                    rc = walk_run(w, rg, &proto);
                }
                H5Oclose(rg);
            }
            H5Oclose(st);
        }
        H5Oclose(stg);
    }
    H5Oclose(sg);
    free(surveys.v);
    free(stations.v);
    free(runs.v);
    return rc;
}

static bool want_refresh(const mth5_t *m, mth5_refresh_t r)
{
    return r == MTH5_REFRESH_OBJECT && m->swmr && !m->writable && !m->static_file;
}

int mth5_channel_summary_ex(mth5_t *m, mth5_refresh_t refresh, mth5_summary_row_t **rows, size_t *n, h5s_err_t *err)
{
    walk_t w = {.m = m, .refresh = want_refresh(m, refresh)};
    *rows = NULL;
    *n = 0;
    if (walk_tree(&w) < 0) {
        free(w.rows);
        free(w.runs);
        return h5s_seterr(err, w.err.code == H5S_EINTR || w.err.code == H5S_EFORMAT ? w.err.code : H5S_EHDF5,
                          "cannot walk the channels of '%s': %s", m->path, w.err.code ? w.err.msg : "out of memory");
    }
    free(w.runs);
    *rows = w.rows;
    *n = w.n;
    return 0;
}

int mth5_channel_summary(mth5_t *m, mth5_summary_row_t **rows, size_t *n, h5s_err_t *err)
{
    return mth5_channel_summary_ex(m, MTH5_REFRESH_OBJECT, rows, n, err);
}

int mth5_run_summary_ex(mth5_t *m, mth5_refresh_t refresh, mth5_run_row_t **rows, size_t *n, h5s_err_t *err)
{
    walk_t w = {.m = m, .refresh = want_refresh(m, refresh)};
    *rows = NULL;
    *n = 0;
    if (walk_tree(&w) < 0) {
        free(w.rows);
        free(w.runs);
        return h5s_seterr(err, w.err.code == H5S_EINTR || w.err.code == H5S_EFORMAT ? w.err.code : H5S_EHDF5,
                          "cannot walk the runs of '%s': %s", m->path, w.err.code ? w.err.msg : "out of memory");
    }
    free(w.rows);
    *rows = w.runs;
    *n = w.nruns;
    return 0;
}

int mth5_run_summary(mth5_t *m, mth5_run_row_t **rows, size_t *n, h5s_err_t *err)
{
    return mth5_run_summary_ex(m, MTH5_REFRESH_OBJECT, rows, n, err);
}

/* ---- the stored channel_summary table ----------------------------------- */

typedef struct table_mem {
    char survey[30], station[30], run[20];
    double latitude, longitude, elevation;
    char component[20], start[36], end[36];
    int64_t n_samples;
    double sample_rate;
    char measurement_type[30];
    double azimuth, tilt;
    char units[60];
    int8_t has_data;
    hobj_ref_t ref, run_ref, station_ref;
} table_mem_t;

static hid_t fixed_str(size_t n)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, n);
    H5Tset_strpad(t, H5T_STR_NULLPAD);
    return t;
}

static hid_t bool_enum(void)
{
    hid_t t = H5Tenum_create(H5T_NATIVE_INT8);
    int8_t f = 0, tr = 1;
    H5Tenum_insert(t, "FALSE", &f);
    H5Tenum_insert(t, "TRUE", &tr);
    return t;
}

/* The memory type of table_mem_t; file type = this, packed. */
static hid_t table_mem_type(void)
{
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(table_mem_t));
    struct {
        const char *name;
        size_t off;
        size_t strlen_;
        hid_t base;
    } f[] = {
        {"survey", HOFFSET(table_mem_t, survey), 30, 0},
        {"station", HOFFSET(table_mem_t, station), 30, 0},
        {"run", HOFFSET(table_mem_t, run), 20, 0},
        {"latitude", HOFFSET(table_mem_t, latitude), 0, H5T_NATIVE_DOUBLE},
        {"longitude", HOFFSET(table_mem_t, longitude), 0, H5T_NATIVE_DOUBLE},
        {"elevation", HOFFSET(table_mem_t, elevation), 0, H5T_NATIVE_DOUBLE},
        {"component", HOFFSET(table_mem_t, component), 20, 0},
        {"start", HOFFSET(table_mem_t, start), 36, 0},
        {"end", HOFFSET(table_mem_t, end), 36, 0},
        {"n_samples", HOFFSET(table_mem_t, n_samples), 0, H5T_NATIVE_INT64},
        {"sample_rate", HOFFSET(table_mem_t, sample_rate), 0, H5T_NATIVE_DOUBLE},
        {"measurement_type", HOFFSET(table_mem_t, measurement_type), 30, 0},
        {"azimuth", HOFFSET(table_mem_t, azimuth), 0, H5T_NATIVE_DOUBLE},
        {"tilt", HOFFSET(table_mem_t, tilt), 0, H5T_NATIVE_DOUBLE},
        {"units", HOFFSET(table_mem_t, units), 60, 0},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        if (f[i].strlen_) {
            hid_t s = fixed_str(f[i].strlen_);
            H5Tinsert(t, f[i].name, f[i].off, s);
            H5Tclose(s);
        } else {
            H5Tinsert(t, f[i].name, f[i].off, f[i].base);
        }
    }
    hid_t e = bool_enum();
    H5Tinsert(t, "has_data", HOFFSET(table_mem_t, has_data), e);
    H5Tclose(e);
    H5Tinsert(t, "hdf5_reference", HOFFSET(table_mem_t, ref), H5T_STD_REF_OBJ);
    H5Tinsert(t, "run_hdf5_reference", HOFFSET(table_mem_t, run_ref), H5T_STD_REF_OBJ);
    H5Tinsert(t, "station_hdf5_reference", HOFFSET(table_mem_t, station_ref), H5T_STD_REF_OBJ);
    return t;
}

static void put(char *dst, size_t cap, const char *src)
{
    size_t l = strlen(src);
    memset(dst, 0, cap);
    memcpy(dst, src, l < cap ? l : cap);
}

int mth5_summary_table_rebuild(mth5_t *m, h5s_err_t *err)
{
    int rc = need_writable(m, "summary_table_rebuild", err);
    if (rc < 0)
        return rc;
    if (m->swmr)
        return h5s_seterr(err, H5S_ESWMR, "the channel summary table cannot be rebuilt in SWMR-write mode");
    mth5_summary_row_t *rows = NULL;
    size_t n = 0;
    table_mem_t *mem = NULL;
    hid_t mt = H5I_INVALID_HID, ft = H5I_INVALID_HID, sp = H5I_INVALID_HID, dcpl = H5I_INVALID_HID;
    hid_t ds = H5I_INVALID_HID;
    if ((rc = mth5_channel_summary_ex(m, MTH5_REFRESH_NONE, &rows, &n, err)) < 0)
        return rc;
    if (n && !(mem = calloc(n, sizeof *mem))) {
        rc = h5s_seterr(err, H5S_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        mth5_summary_row_t *r = &rows[i];
        table_mem_t *t = &mem[i];
        if (stopped(m)) {
            rc = h5s_seterr(err, H5S_EINTR, "interrupted while rebuilding %s", TABLE_PATH);
            goto done;
        }
        char runp[MTH5_PATH_MAX], stp[MTH5_PATH_MAX];
        put(t->survey, sizeof t->survey, r->survey);
        put(t->station, sizeof t->station, r->station);
        put(t->run, sizeof t->run, r->run);
        put(t->component, sizeof t->component, r->component);
        put(t->start, sizeof t->start, r->start);
        put(t->end, sizeof t->end, r->end);
        put(t->measurement_type, sizeof t->measurement_type, r->type);
        put(t->units, sizeof t->units, r->units);
        t->latitude = r->latitude;
        t->longitude = r->longitude;
        t->elevation = r->elevation;
        t->n_samples = (int64_t)r->n_samples;
        t->sample_rate = r->sample_rate;
        t->azimuth = r->azimuth;
        t->tilt = r->tilt;
        t->has_data = r->n_samples > 0;
        path_join(runp, sizeof runp, r->survey, r->station, r->run, NULL);
        path_join(stp, sizeof stp, r->survey, r->station, NULL, NULL);
        if (H5Rcreate(&t->ref, m->fid, r->path, H5R_OBJECT, -1) < 0 ||
            H5Rcreate(&t->run_ref, m->fid, runp, H5R_OBJECT, -1) < 0 ||
            H5Rcreate(&t->station_ref, m->fid, stp, H5R_OBJECT, -1) < 0) {
            rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot reference '%s'", r->path);
            goto done;
        }
        /* Keep each channel's own end time current while we may change attributes. */
        hid_t ds_ch = H5Dopen2(m->fid, r->path, H5P_DEFAULT);
        if (ds_ch >= 0) {
            attr_str(ds_ch, "time_period.end", r->end);
            H5Dclose(ds_ch);
        }
    }
    if (m->table >= 0) { /* the handle would keep reading the unlinked old table */
        H5Dclose(m->table);
        m->table = H5I_INVALID_HID;
    }
    if (exists_path(m->fid, TABLE_PATH) > 0 && H5Ldelete(m->fid, TABLE_PATH, H5P_DEFAULT) < 0) {
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot replace %s", TABLE_PATH);
        goto done;
    }
    hsize_t dims[1] = {n}, maxd[1] = {H5S_UNLIMITED}, chunk[1] = {64};
    mt = table_mem_type();
    ft = H5Tcopy(mt);
    H5Tpack(ft);
    if ((sp = H5Screate_simple(1, dims, maxd)) < 0 || (dcpl = H5Pcreate(H5P_DATASET_CREATE)) < 0 ||
        H5Pset_chunk(dcpl, 1, chunk) < 0 ||
        (ds = H5Dcreate2(m->fid, TABLE_PATH, ft, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT)) < 0 ||
        (n && H5Dwrite(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, mem) < 0) ||
        attr_str(ds, "mth5_type", "ChannelSummary") < 0) {
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot write %s", TABLE_PATH);
        goto done;
    }
    m->dirty = false;
    rc = 0;
done:
    if (ds >= 0)
        H5Dclose(ds);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (sp >= 0)
        H5Sclose(sp);
    if (ft >= 0)
        H5Tclose(ft);
    if (mt >= 0)
        H5Tclose(mt);
    free(mem);
    free(rows);
    return rc;
}

typedef struct table_read_mem {
    char survey[30], station[30], run[20], component[20], start[36], end[36];
    int64_t n_samples;
    double sample_rate;
} table_read_mem_t;

static hid_t table_read_type(void)
{
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(table_read_mem_t));
    struct {
        const char *name;
        size_t off, len;
    } s[] = {
        {"survey", HOFFSET(table_read_mem_t, survey), 30}, {"station", HOFFSET(table_read_mem_t, station), 30},
        {"run", HOFFSET(table_read_mem_t, run), 20},       {"component", HOFFSET(table_read_mem_t, component), 20},
        {"start", HOFFSET(table_read_mem_t, start), 36},   {"end", HOFFSET(table_read_mem_t, end), 36},
    };
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
        hid_t st = fixed_str(s[i].len);
        H5Tinsert(t, s[i].name, s[i].off, st);
        H5Tclose(st);
    }
    H5Tinsert(t, "n_samples", HOFFSET(table_read_mem_t, n_samples), H5T_NATIVE_INT64);
    H5Tinsert(t, "sample_rate", HOFFSET(table_read_mem_t, sample_rate), H5T_NATIVE_DOUBLE);
    return t;
}

static void take(char *dst, size_t cap, const char *src, size_t srclen)
{
    size_t l = 0;
    while (l < srclen && src[l])
        l++;
    if (l >= cap)
        l = cap - 1;
    memcpy(dst, src, l);
    dst[l] = '\0';
}

static int table_open(mth5_t *m, h5s_err_t *err)
{
    if (m->table >= 0)
        return 0;
    if (exists_path(m->fid, TABLE_PATH) <= 0)
        return h5s_seterr(err, H5S_ENOENT, "'%s' has no %s", m->path, TABLE_PATH);
    if ((m->table = H5Dopen2(m->fid, TABLE_PATH, H5P_DEFAULT)) < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "cannot open %s", TABLE_PATH);
    return 0;
}

int mth5_summary_table_read(mth5_t *m, mth5_table_row_t **rows, size_t *n, h5s_err_t *err)
{
    int rc;
    *rows = NULL;
    *n = 0;
    if ((rc = table_open(m, err)) < 0)
        return rc;
    if (m->swmr && !m->writable && !m->static_file && H5Drefresh(m->table) < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "H5Drefresh of %s failed", TABLE_PATH);
    hid_t sp = H5Dget_space(m->table);
    hsize_t dims[1] = {0};
    if (sp < 0 || H5Sget_simple_extent_dims(sp, dims, NULL) != 1) {
        if (sp >= 0)
            H5Sclose(sp);
        return h5s_seterr_h5(err, H5S_EHDF5, "%s is not a 1-D table", TABLE_PATH);
    }
    H5Sclose(sp);
    if (dims[0] == 0)
        return 0;
    table_read_mem_t *mem = calloc(dims[0], sizeof *mem);
    mth5_table_row_t *out = calloc(dims[0], sizeof *out);
    hid_t mt = table_read_type();
    rc = 0;
    if (!mem || !out)
        rc = h5s_seterr(err, H5S_ENOMEM, "out of memory");
    else if (H5Dread(m->table, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, mem) < 0)
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot read %s", TABLE_PATH);
    H5Tclose(mt);
    if (rc < 0) {
        free(mem);
        free(out);
        return rc;
    }
    for (size_t i = 0; i < dims[0]; i++) {
        take(out[i].survey, sizeof out[i].survey, mem[i].survey, sizeof mem[i].survey);
        take(out[i].station, sizeof out[i].station, mem[i].station, sizeof mem[i].station);
        take(out[i].run, sizeof out[i].run, mem[i].run, sizeof mem[i].run);
        take(out[i].component, sizeof out[i].component, mem[i].component, sizeof mem[i].component);
        take(out[i].start, sizeof out[i].start, mem[i].start, sizeof mem[i].start);
        take(out[i].end, sizeof out[i].end, mem[i].end, sizeof mem[i].end);
        out[i].n_samples = mem[i].n_samples;
        out[i].sample_rate = mem[i].sample_rate;
    }
    free(mem);
    *rows = out;
    *n = dims[0];
    return 0;
}

/* The table keeps names in fixed widths (MTH5's: 30, 30, 20, 20 bytes): a
 * longer name is stored cut to the width and matches that way. */
static bool table_name_eq(const char *stored, size_t width, const char *name)
{
    size_t l = strlen(name);
    if (l <= width)
        return !strcmp(stored, name);
    return strlen(stored) == width && !strncmp(stored, name, width);
}

long mth5_summary_table_find(const mth5_table_row_t *rows, size_t n, const char *survey, const char *station,
                             const char *run, const char *component)
{
    for (size_t i = 0; i < n; i++)
        if (table_name_eq(rows[i].survey, 30, survey) && table_name_eq(rows[i].station, 30, station) &&
            table_name_eq(rows[i].run, 20, run) && table_name_eq(rows[i].component, 20, component))
            return (long)i;
    return -1;
}

typedef struct table_upd_mem {
    int64_t n_samples;
    char end[36];
    int8_t has_data;
} table_upd_mem_t;

int mth5_summary_table_update(mth5_t *m, size_t row, int64_t n_samples, const char *end, h5s_err_t *err)
{
    int rc = need_writable(m, "summary_table_update", err);
    if (rc < 0 || (rc = table_open(m, err)) < 0)
        return rc;
    table_upd_mem_t v = {.n_samples = n_samples, .has_data = n_samples > 0};
    put(v.end, sizeof v.end, end ? end : "");
    hid_t mt = H5Tcreate(H5T_COMPOUND, sizeof v), s = fixed_str(36), e = bool_enum();
    H5Tinsert(mt, "n_samples", HOFFSET(table_upd_mem_t, n_samples), H5T_NATIVE_INT64);
    H5Tinsert(mt, "end", HOFFSET(table_upd_mem_t, end), s);
    H5Tinsert(mt, "has_data", HOFFSET(table_upd_mem_t, has_data), e);
    hsize_t st[1] = {row}, cnt[1] = {1};
    hid_t fs = H5Dget_space(m->table), ms = H5Screate_simple(1, cnt, NULL);
    hsize_t dims[1] = {0};
    rc = 0;
    if (fs < 0 || H5Sget_simple_extent_dims(fs, dims, NULL) != 1 || row >= dims[0])
        rc = h5s_seterr(err, H5S_EINVAL, "%s has no row %zu", TABLE_PATH, row);
    else if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, st, NULL, cnt, NULL) < 0 ||
             H5Dwrite(m->table, mt, ms, fs, m->dxpl, &v) < 0)
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot update row %zu of %s", row, TABLE_PATH);
    H5Sclose(ms);
    if (fs >= 0)
        H5Sclose(fs);
    H5Tclose(e);
    H5Tclose(s);
    H5Tclose(mt);
    return rc;
}
