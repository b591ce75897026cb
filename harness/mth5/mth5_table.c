/* mth5_table.c - the stored /Experiment/channel_summary table: rebuilt from a
 * walk by non-SWMR writers, read back, and updated row by row in place. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mth5_int.h"

/* One row of the stored table in memory, as MTH5 defines its columns. */
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

/* A fixed-length, NUL-padded string type of n bytes. */
static hid_t fixed_str(size_t n)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, n);
    H5Tset_strpad(t, H5T_STR_NULLPAD);
    return t;
}

/* The FALSE/TRUE int8 enumeration h5py stores booleans as. */
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

/* Copies src into the fixed-width field dst of cap bytes (NUL-padded, cut
 * to cap when longer). */
static void put(char *dst, size_t cap, const char *src)
{
    size_t l = strlen(src);
    memset(dst, 0, cap);
    memcpy(dst, src, l < cap ? l : cap);
}

/* Fills the stored row t from the walk's row r, with object references to
 * the channel, its run and its station, and brings the channel's own
 * time_period.end up to date. 0 or H5S_EHDF5. */
static int table_row_fill(mth5_t *m, const mth5_summary_row_t *r, table_mem_t *t, h5s_err_t *err)
{
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
    mth5__path_join(runp, sizeof runp, r->survey, r->station, r->run, NULL);
    mth5__path_join(stp, sizeof stp, r->survey, r->station, NULL, NULL);
    if (H5Rcreate(&t->ref, m->fid, r->path, H5R_OBJECT, -1) < 0 ||
        H5Rcreate(&t->run_ref, m->fid, runp, H5R_OBJECT, -1) < 0 ||
        H5Rcreate(&t->station_ref, m->fid, stp, H5R_OBJECT, -1) < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "cannot reference '%s'", r->path);
    /* Keep each channel's own end time current while we may change attributes. */
    hid_t ds_ch = H5Dopen2(m->fid, r->path, H5P_DEFAULT);
    if (ds_ch >= 0) {
        mth5__attr_str(ds_ch, "time_period.end", r->end);
        H5Dclose(ds_ch);
    }
    return 0;
}

/* Replaces the stored table with the n rows of mem. 0 or H5S_EHDF5. */
static int table_write(mth5_t *m, const table_mem_t *mem, size_t n, h5s_err_t *err)
{
    hid_t mt = H5I_INVALID_HID, ft = H5I_INVALID_HID, sp = H5I_INVALID_HID, dcpl = H5I_INVALID_HID;
    hid_t ds = H5I_INVALID_HID;
    int rc = 0;
    if (m->table >= 0) { /* the handle would keep reading the unlinked old table */
        H5Dclose(m->table);
        m->table = H5I_INVALID_HID;
    }
    if (mth5__exists_path(m->fid, MTH5_TABLE_PATH) > 0 && H5Ldelete(m->fid, MTH5_TABLE_PATH, H5P_DEFAULT) < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "cannot replace %s", MTH5_TABLE_PATH);
    hsize_t dims[1] = {n}, maxd[1] = {H5S_UNLIMITED}, chunk[1] = {64};
    mt = table_mem_type();
    ft = H5Tcopy(mt);
    H5Tpack(ft);
    if ((sp = H5Screate_simple(1, dims, maxd)) < 0 || (dcpl = H5Pcreate(H5P_DATASET_CREATE)) < 0 ||
        H5Pset_chunk(dcpl, 1, chunk) < 0 ||
        (ds = H5Dcreate2(m->fid, MTH5_TABLE_PATH, ft, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT)) < 0 ||
        (n && H5Dwrite(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, mem) < 0) ||
        mth5__attr_str(ds, "mth5_type", "ChannelSummary") < 0)
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot write %s", MTH5_TABLE_PATH);
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
    return rc;
}

int mth5_summary_table_rebuild(mth5_t *m, h5s_err_t *err)
{
    int rc = mth5__need_writable(m, "summary_table_rebuild", err);
    if (rc < 0)
        return rc;
    if (m->swmr)
        return h5s_seterr(err, H5S_ESWMR, "the channel summary table cannot be rebuilt in SWMR-write mode");
    mth5_summary_row_t *rows = NULL;
    size_t n = 0;
    table_mem_t *mem = NULL;
    if ((rc = mth5_channel_summary_ex(m, MTH5_REFRESH_NONE, &rows, &n, err)) < 0)
        return rc;
    if (n && !(mem = calloc(n, sizeof *mem))) {
        rc = h5s_seterr(err, H5S_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        if (mth5__stopped(m)) {
            rc = h5s_seterr(err, H5S_EINTR, "interrupted while rebuilding %s", MTH5_TABLE_PATH);
            goto done;
        }
        if ((rc = table_row_fill(m, &rows[i], &mem[i], err)) < 0)
            goto done;
    }
    if ((rc = table_write(m, mem, n, err)) == 0)
        m->dirty = false;
done:
    free(mem);
    free(rows);
    return rc;
}

/* The columns of a stored row that h5swmr reads back. */
typedef struct table_read_mem {
    char survey[30], station[30], run[20], component[20], start[36], end[36];
    int64_t n_samples;
    double sample_rate;
} table_read_mem_t;

/* The memory type of table_read_mem_t. */
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

/* Copies a fixed-width field src (srclen bytes, maybe not NUL-terminated)
 * into the C string dst of cap bytes. */
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

/* Opens the stored table into m->table once (it stays open until close or
 * a rebuild). H5S_ENOENT if the file has none. */
static int table_open(mth5_t *m, h5s_err_t *err)
{
    if (m->table >= 0)
        return 0;
    if (mth5__exists_path(m->fid, MTH5_TABLE_PATH) <= 0)
        return h5s_seterr(err, H5S_ENOENT, "'%s' has no %s", m->path, MTH5_TABLE_PATH);
    if ((m->table = H5Dopen2(m->fid, MTH5_TABLE_PATH, H5P_DEFAULT)) < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "cannot open %s", MTH5_TABLE_PATH);
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
        return h5s_seterr_h5(err, H5S_EHDF5, "H5Drefresh of %s failed", MTH5_TABLE_PATH);
    hid_t sp = H5Dget_space(m->table);
    hsize_t dims[1] = {0};
    if (sp < 0 || H5Sget_simple_extent_dims(sp, dims, NULL) != 1) {
        if (sp >= 0)
            H5Sclose(sp);
        return h5s_seterr_h5(err, H5S_EHDF5, "%s is not a 1-D table", MTH5_TABLE_PATH);
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
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot read %s", MTH5_TABLE_PATH);
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

/* The columns a one-row update writes. */
typedef struct table_upd_mem {
    int64_t n_samples;
    char end[36];
    int8_t has_data;
} table_upd_mem_t;

int mth5_summary_table_update(mth5_t *m, size_t row, int64_t n_samples, const char *end, h5s_err_t *err)
{
    int rc = mth5__need_writable(m, "summary_table_update", err);
    if (rc < 0 || (rc = table_open(m, err)) < 0)
        return rc;
    table_upd_mem_t v = {.n_samples = n_samples, .has_data = n_samples > 0};
    put(v.end, sizeof v.end, end ? end : "");
    if (m->upd_type < 0) {
        hid_t mt = H5Tcreate(H5T_COMPOUND, sizeof v), s = fixed_str(36), e = bool_enum();
        if (mt < 0 || s < 0 || e < 0 ||
            H5Tinsert(mt, "n_samples", HOFFSET(table_upd_mem_t, n_samples), H5T_NATIVE_INT64) < 0 ||
            H5Tinsert(mt, "end", HOFFSET(table_upd_mem_t, end), s) < 0 ||
            H5Tinsert(mt, "has_data", HOFFSET(table_upd_mem_t, has_data), e) < 0) {
            hid_t t[] = {mt, s, e};
            for (int i = 0; i < 3; i++)
                if (t[i] >= 0)
                    H5Tclose(t[i]);
            return h5s_seterr_h5(err, H5S_EHDF5, "cannot make the row update type of %s", MTH5_TABLE_PATH);
        }
        m->upd_type = mt;
        m->upd_str = s;
        m->upd_enum = e;
    }
    hid_t mt = m->upd_type;
    hsize_t st[1] = {row}, cnt[1] = {1};
    hid_t fs = H5Dget_space(m->table), ms = H5Screate_simple(1, cnt, NULL);
    hsize_t dims[1] = {0};
    rc = 0;
    if (fs < 0 || H5Sget_simple_extent_dims(fs, dims, NULL) != 1 || row >= dims[0])
        rc = h5s_seterr(err, H5S_EINVAL, "%s has no row %zu", MTH5_TABLE_PATH, row);
    else if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, st, NULL, cnt, NULL) < 0 ||
             H5Dwrite(m->table, mt, ms, fs, m->dxpl, &v) < 0)
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot update row %zu of %s", row, MTH5_TABLE_PATH);
    H5Sclose(ms);
    if (fs >= 0)
        H5Sclose(fs);
    return rc;
}
