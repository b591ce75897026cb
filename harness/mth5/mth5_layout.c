/* mth5_layout.c - the MTH5 layout on HDF5: names and paths, attributes, ISO
 * times, the root groups, surveys, stations and runs, and removing objects. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mth5_int.h"

/* ---- names and write access --------------------------------------------- */

/* A name is one HDF5 link name: non-empty, no '/', not "." and short enough. */
int mth5__check_name(const char *what, const char *s, h5s_err_t *err)
{
    if (!s || !*s || strchr(s, '/') || strcmp(s, ".") == 0 || strlen(s) >= MTH5_NAME_MAX)
        return h5s_seterr(err, H5S_EINVAL, "invalid %s name '%s' (1-%d characters, no '/')", what, s ? s : "(null)",
                          MTH5_NAME_MAX - 1);
    return 0;
}

/* Refuses (H5S_EREADONLY) an operation op on a file open read-only. */
int mth5__need_writable(mth5_t *m, const char *op, h5s_err_t *err)
{
    if (!m)
        return h5s_seterr(err, H5S_EINVAL, "%s: no file", op);
    if (!m->writable)
        return h5s_seterr(err, H5S_EREADONLY, "%s: '%s' is open read-only", op, m->path);
    return 0;
}

/* ---- attributes --------------------------------------------------------- */

/* The UTF-8 variable-length string type MTH5 stores its text attributes in. */
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

/* Writes a UTF-8 variable-length string attribute. 0 or -1. */
int mth5__attr_str(hid_t loc, const char *name, const char *value)
{
    hid_t t = vlen_str_type();
    if (t < 0)
        return -1;
    int rc = attr_write(loc, name, t, t, &value);
    H5Tclose(t);
    return rc;
}

/* Writes a little-endian float64 attribute. 0 or -1. */
int mth5__attr_f8(hid_t loc, const char *name, double v)
{
    return attr_write(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
}

/* Writes a little-endian int64 attribute. 0 or -1. */
static int attr_i8(hid_t loc, const char *name, int64_t v)
{
    return attr_write(loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &v);
}

/* Reads a string attribute (variable or fixed length) into buf. 1 if found,
 * 0 if missing, -1 on error. */
int mth5__attr_read_str(hid_t loc, const char *name, char *buf, size_t cap)
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

/* Reads a numeric attribute as a double; dflt when missing or unreadable. */
double mth5__attr_read_f8(hid_t loc, const char *name, double dflt)
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

/* ---- groups and paths --------------------------------------------------- */

/* Creates group loc/name with its mth5_type attribute and, if id is given,
 * its id attribute. The group id, or H5I_INVALID_HID. */
static hid_t group_create(hid_t loc, const char *name, const char *mth5_type, const char *id)
{
    hid_t g = H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        return g;
    if (mth5__attr_str(g, "mth5_type", mth5_type) < 0 || (id && mth5__attr_str(g, "id", id) < 0)) {
        H5Gclose(g);
        return H5I_INVALID_HID;
    }
    return g;
}

/* Creates the NULL-terminated list of groups names (with mth5_type types)
 * under parent. 0 or -1. */
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

/* The path of a survey, station, run or channel (see mth5_int.h). */
int mth5__path_join(char *out, size_t cap, const char *survey, const char *station, const char *run,
                    const char *channel)
{
    int k;
    if (channel)
        k = snprintf(out, cap, MTH5_SURVEYS_PATH "/%s/Stations/%s/%s/%s", survey, station, run, channel);
    else if (run)
        k = snprintf(out, cap, MTH5_SURVEYS_PATH "/%s/Stations/%s/%s", survey, station, run);
    else if (station)
        k = snprintf(out, cap, MTH5_SURVEYS_PATH "/%s/Stations/%s", survey, station);
    else
        k = snprintf(out, cap, MTH5_SURVEYS_PATH "/%s", survey);
    return k < 0 || (size_t)k >= cap ? -1 : 0;
}

/* 1 if every link of the absolute path exists, 0 if one is missing, -1 on error. */
int mth5__exists_path(hid_t fid, const char *path)
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
        base = MTH5_DEFAULT_START;
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

/* The current time as ISO 8601 with microseconds and +00:00. */
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

/* ---- the tree ----------------------------------------------------------- */

/* Writes the root attributes and the /Experiment groups of a new file. */
int mth5__write_root_layout(hid_t fid)
{
    char now[48];
    iso_now(now, sizeof now);
    if (mth5__attr_str(fid, "file.type", "MTH5") < 0 || mth5__attr_str(fid, "file.version", MTH5_FILE_VERSION) < 0 ||
        mth5__attr_str(fid, "file.access.platform", "Linux") < 0 || mth5__attr_str(fid, "file.access.time", now) < 0 ||
        mth5__attr_str(fid, "mth5.software.name", "h5swmr") < 0 ||
        mth5__attr_str(fid, "mth5.software.version", H5SWMR_VERSION) < 0 || attr_i8(fid, "data_level", 1) < 0)
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

/* Checks the file is writable and marks the tree changed (see mth5_int.h). */
int mth5__begin_structure_change(mth5_t *m, const char *op, h5s_err_t *err)
{
    int rc = mth5__need_writable(m, op, err);
    if (rc < 0)
        return rc;
    m->dirty = true;
    return 0;
}

int mth5_add_survey(mth5_t *m, const char *survey, h5s_err_t *err)
{
    char path[512];
    int rc;
    if ((rc = mth5__check_name("survey", survey, err)) < 0 ||
        (rc = mth5__begin_structure_change(m, "add_survey", err)) < 0)
        return rc;
    mth5__path_join(path, sizeof path, survey, NULL, NULL, NULL);
    if (mth5__exists_path(m->fid, path) > 0)
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
    if ((rc = mth5__check_name("survey", survey, err)) < 0 || (rc = mth5__check_name("station", station, err)) < 0 ||
        (rc = mth5__begin_structure_change(m, "add_station", err)) < 0)
        return rc;
    mth5__path_join(path, sizeof path, survey, NULL, NULL, NULL);
    if (mth5__exists_path(m->fid, path) <= 0)
        return h5s_seterr(err, H5S_ENOENT, "survey '%s' does not exist", survey);
    mth5__path_join(path, sizeof path, survey, station, NULL, NULL);
    if (mth5__exists_path(m->fid, path) > 0)
        return h5s_seterr(err, H5S_EEXIST, "station '%s' exists in survey '%s'", station, survey);
    hid_t g = group_create(m->fid, path, "Station", station);
    if (g < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "cannot create station '%s'", station);
    static const char *const names[] = {"Transfer_Functions", "Fourier_Coefficients", "Features", NULL};
    static const char *const types[] = {"MasterTransferFunction", "MasterFCGroup", "MasterFeatures", NULL};
    rc = subgroups(g, names, types);
    if (rc == 0 && (mth5__attr_f8(g, "location.latitude", meta->latitude) < 0 ||
                    mth5__attr_f8(g, "location.longitude", meta->longitude) < 0 ||
                    mth5__attr_f8(g, "location.elevation", meta->elevation) < 0))
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
    if ((rc = mth5__check_name("survey", survey, err)) < 0 || (rc = mth5__check_name("station", station, err)) < 0 ||
        (rc = mth5__check_name("run", run, err)) < 0 || (rc = mth5__begin_structure_change(m, "add_run", err)) < 0)
        return rc;
    if (!(sample_rate >= 0))
        return h5s_seterr(err, H5S_EINVAL, "run '%s': sample rate must be >= 0", run);
    if (mth5_iso_add(start, 0, iso, sizeof iso) < 0)
        return h5s_seterr(err, H5S_EINVAL, "run '%s': bad start time '%s'", run, start);
    mth5__path_join(path, sizeof path, survey, station, NULL, NULL);
    if (mth5__exists_path(m->fid, path) <= 0)
        return h5s_seterr(err, H5S_ENOENT, "station '%s' does not exist in survey '%s'", station, survey);
    mth5__path_join(path, sizeof path, survey, station, run, NULL);
    if (mth5__exists_path(m->fid, path) > 0)
        return h5s_seterr(err, H5S_EEXIST, "run '%s' exists in station '%s'", run, station);
    hid_t g = group_create(m->fid, path, "Run", run);
    if (g < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "cannot create run '%s'", run);
    rc = 0;
    if (mth5__attr_f8(g, "sample_rate", sample_rate) < 0 || mth5__attr_str(g, "time_period.start", iso) < 0 ||
        mth5__attr_str(g, "time_period.end", iso) < 0)
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot write attributes of run '%s'", run);
    H5Gclose(g);
    return rc;
}

int mth5_remove(mth5_t *m, const char *path, h5s_err_t *err)
{
    int rc = mth5__need_writable(m, "remove", err);
    if (rc < 0)
        return rc;
    if (m->swmr)
        return h5s_seterr(err, H5S_ESWMR,
                          "cannot remove '%s': removing objects is not allowed in SWMR-write mode "
                          "(close and reopen without SWMR first)",
                          path);
    if (!path || path[0] != '/' || strcmp(path, "/") == 0)
        return h5s_seterr(err, H5S_EINVAL, "remove: '%s' is not an absolute object path", path ? path : "");
    if (mth5__exists_path(m->fid, path) <= 0)
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
