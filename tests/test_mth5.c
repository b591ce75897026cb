/* test_mth5.c - the MTH5 0.2.0 layer (harness/mth5.h) on real HDF5 files.
 *
 * Every test gets a fresh temporary directory (tu_setup/tu_teardown). Layout
 * checks reopen the file with raw HDF5 calls, so they do not trust the layer
 * they test. Cross-process SWMR checks fork a child *before* the parent opens
 * anything; the child does its HDF5 work, talks over pipes and ends with
 * _exit(); the parent asserts. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "mth5.h"
#include "testutil.h"

TestSuite(mth5, .init = tu_setup, .fini = tu_teardown, .timeout = 60);

#define SURVEY "S1"
#define STATION "ST01"
#define RUN "r001"
#define START "2020-01-01T00:00:00+00:00"
#define START_NORM "2020-01-01T00:00:00.000000+00:00"
#define RATE 256.0
#define EX_PATH "/Experiment/Surveys/S1/Stations/ST01/r001/ex"
#define HX_PATH "/Experiment/Surveys/S1/Stations/ST01/r001/hx"
#define RUN_PATH "/Experiment/Surveys/S1/Stations/ST01/r001"
#define STATION_PATH "/Experiment/Surveys/S1/Stations/ST01"
#define SURVEY_PATH "/Experiment/Surveys/S1"

static const mth5_station_meta_t META = {40.5, -120.25, 1200.0};

/* The error of the last call made through OK() or FAILS(). */
static h5s_err_t E;

/* A successful call: rc 0, or the test fails with the code and message. */
#define OK(expr)                                                                                                       \
    do {                                                                                                               \
        h5s_err_clear(&E);                                                                                             \
        int rc_ = (expr);                                                                                              \
        cr_assert_eq(rc_, 0, "%s -> %s: %s", #expr, h5s_errname(rc_), E.msg);                                          \
    } while (0)

/* A call that must fail with code: err.code set, a non-empty one-line message. */
#define FAILS(expr, want)                                                                                              \
    do {                                                                                                               \
        h5s_err_clear(&E);                                                                                             \
        int rc_ = (expr);                                                                                              \
        cr_assert_eq(rc_, (want), "%s -> %s (%s), expected %s", #expr, h5s_errname(rc_), E.msg, h5s_errname(want));    \
        assert_msg(&E, #expr);                                                                                         \
        cr_assert_eq(E.code, (want), "%s: err.code %s", #expr, h5s_errname(E.code));                                   \
    } while (0)

static void assert_msg(const h5s_err_t *e, const char *what)
{
    cr_assert(e->msg[0] != '\0', "%s: empty error message", what);
    cr_assert_null(strchr(e->msg, '\n'), "%s: message is not one line: %s", what, e->msg);
    cr_assert_null(strchr(e->msg, '\r'), "%s: message is not one line: %s", what, e->msg);
}

/* ---- building files ------------------------------------------------------ */

static void add_tree(mth5_t *m)
{
    OK(mth5_add_survey(m, SURVEY, &E));
    OK(mth5_add_station(m, SURVEY, STATION, &META, &E));
    OK(mth5_add_run(m, SURVEY, STATION, RUN, RATE, START, &E));
}

static mth5_channel_t *add_ch(mth5_t *m, const char *run, const char *name, mth5_ctype_t t, mth5_dtype_t dt,
                              bool compress)
{
    mth5_channel_opts_t o = {.name = name, .type = t, .dtype = dt, .compress = compress, .chunk = 256};
    mth5_channel_t *ch = NULL;
    OK(mth5_add_channel(m, SURVEY, STATION, run, &o, &ch, &E));
    cr_assert_not_null(ch);
    return ch;
}

/* Sample i of every test channel is i+1 (tu_counting_samples). */
static void append_pattern(mth5_channel_t *ch, size_t n, bool cork)
{
    mth5_dtype_t dt = mth5_channel_dtype(ch);
    void *b = tu_counting_samples(dt, mth5_channel_length(ch), n);
    OK(mth5_channel_append(ch, b, n, cork, &E));
    free(b);
}

/* Reads the whole channel back and compares it with the pattern. */
static void assert_pattern(mth5_channel_t *ch, uint64_t n)
{
    mth5_dtype_t dt = mth5_channel_dtype(ch);
    void *want = tu_counting_samples(dt, 0, n), *got = calloc(n + 1, mth5_dtype_size(dt));
    cr_assert_not_null(got);
    OK(mth5_channel_read(ch, 0, n, got, &E));
    cr_assert(memcmp(want, got, n * mth5_dtype_size(dt)) == 0, "%s: data differs from what was written",
              mth5_channel_path(ch));
    free(want);
    free(got);
}

/* w-creates path with S1/ST01/r001 and channels ex (float64, n_ex samples)
 * and hx (float32, compressed, n_hx samples), then closes it. */
static void build(const char *path, size_t n_ex, size_t n_hx)
{
    mth5_t *m = NULL;
    OK(mth5_open(path, "w", false, &m, &E));
    add_tree(m);
    mth5_channel_t *ex = add_ch(m, RUN, "ex", MTH5_ELECTRIC, MTH5_FLOAT64, false);
    mth5_channel_t *hx = add_ch(m, RUN, "hx", MTH5_MAGNETIC, MTH5_FLOAT32, true);
    if (n_ex)
        append_pattern(ex, n_ex, true);
    if (n_hx)
        append_pattern(hx, n_hx, true);
    OK(mth5_close(m, &E));
}

/* A non-MTH5 HDF5 file made with raw HDF5 (latest or default format). */
static void raw_hdf5(const char *path, bool latest, const char *file_type)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (latest)
        H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    cr_assert_geq(f, 0, "H5Fcreate %s", path);
    hid_t g = H5Gcreate2(f, "data", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert_geq(g, 0);
    H5Gclose(g);
    if (file_type) {
        hid_t t = H5Tcopy(H5T_C_S1);
        H5Tset_size(t, H5T_VARIABLE);
        H5Tset_cset(t, H5T_CSET_UTF8);
        hid_t sp = H5Screate(H5S_SCALAR);
        const char *vals[2] = {file_type, MTH5_FILE_VERSION};
        const char *names[2] = {"file.type", "file.version"};
        for (int i = 0; i < 2; i++) {
            hid_t a = H5Acreate2(f, names[i], t, sp, H5P_DEFAULT, H5P_DEFAULT);
            cr_assert_geq(a, 0);
            cr_assert_geq(H5Awrite(a, t, &vals[i]), 0);
            H5Aclose(a);
        }
        H5Sclose(sp);
        H5Tclose(t);
    }
    cr_assert_geq(H5Fclose(f), 0);
    H5Pclose(fapl);
}

/* ---- raw HDF5 checks ----------------------------------------------------- */

static hid_t raw_open(const char *path)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0, "raw H5Fopen of %s failed", path);
    return f;
}

/* A scalar variable-length UTF-8 string attribute; expect NULL = any non-empty. */
static void check_str_attr(hid_t f, const char *obj, const char *name, const char *expect)
{
    cr_assert_gt(H5Aexists_by_name(f, obj, name, H5P_DEFAULT), 0, "%s has no attribute %s", obj, name);
    hid_t a = H5Aopen_by_name(f, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert_geq(a, 0);
    hid_t t = H5Aget_type(a), sp = H5Aget_space(a);
    cr_assert_eq(H5Tget_class(t), H5T_STRING, "%s@%s is not a string", obj, name);
    cr_assert_gt(H5Tis_variable_str(t), 0, "%s@%s is not a variable-length string", obj, name);
    cr_assert_eq(H5Tget_cset(t), H5T_CSET_UTF8, "%s@%s is not UTF-8", obj, name);
    cr_assert_eq(H5Sget_simple_extent_type(sp), H5S_SCALAR, "%s@%s is not scalar", obj, name);
    char *s = NULL;
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, H5T_VARIABLE);
    H5Tset_cset(mt, H5T_CSET_UTF8);
    cr_assert_geq(H5Aread(a, mt, &s), 0);
    cr_assert_not_null(s);
    if (expect)
        cr_assert_str_eq(s, expect, "%s@%s = '%s', expected '%s'", obj, name, s, expect);
    else
        cr_assert(s[0] != '\0', "%s@%s is empty", obj, name);
    H5free_memory(s);
    H5Tclose(mt);
    H5Sclose(sp);
    H5Tclose(t);
    H5Aclose(a);
}

/* A scalar attribute of class cls and size bytes; its value as a double. */
static double num_attr(hid_t f, const char *obj, const char *name, H5T_class_t cls, size_t size)
{
    cr_assert_gt(H5Aexists_by_name(f, obj, name, H5P_DEFAULT), 0, "%s has no attribute %s", obj, name);
    hid_t a = H5Aopen_by_name(f, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    hid_t t = H5Aget_type(a), sp = H5Aget_space(a);
    cr_assert_eq(H5Tget_class(t), cls, "%s@%s has class %d, expected %d", obj, name, (int)H5Tget_class(t), (int)cls);
    cr_assert_eq(H5Tget_size(t), size, "%s@%s has size %zu, expected %zu", obj, name, H5Tget_size(t), size);
    cr_assert_eq(H5Tget_order(t), H5T_ORDER_LE);
    cr_assert_eq(H5Sget_simple_extent_type(sp), H5S_SCALAR, "%s@%s is not scalar", obj, name);
    double v = NAN;
    cr_assert_geq(H5Aread(a, H5T_NATIVE_DOUBLE, &v), 0);
    H5Sclose(sp);
    H5Tclose(t);
    H5Aclose(a);
    return v;
}

static void check_f8_attr(hid_t f, const char *obj, const char *name, double expect)
{
    double v = num_attr(f, obj, name, H5T_FLOAT, 8);
    cr_assert_float_eq(v, expect, 1e-12, "%s@%s = %g, expected %g", obj, name, v, expect);
}

static herr_t names_cb(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)g;
    (void)info;
    char *buf = data;
    strcat(buf, name);
    strcat(buf, ",");
    return 0;
}

/* The link names of obj, comma-separated in name order ("a,b,c,"). */
static const char *children(hid_t f, const char *obj)
{
    static char buf[4096];
    buf[0] = '\0';
    hid_t g = H5Gopen2(f, obj, H5P_DEFAULT);
    cr_assert_geq(g, 0, "no group %s", obj);
    hsize_t idx = 0;
    cr_assert_geq(H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, names_cb, buf), 0);
    H5Gclose(g);
    return buf;
}

static bool raw_exists(hid_t f, const char *path)
{
    return H5Lexists(f, path, H5P_DEFAULT) > 0 && H5Oexists_by_name(f, path, H5P_DEFAULT) > 0;
}

/* A file's bytes, kept to check that a refused open changed nothing. */
typedef struct {
    unsigned char *b;
    size_t n;
} snap_t;

static snap_t snap(const char *path)
{
    snap_t s;
    cr_assert_eq(tu_read_file(path, &s.b, &s.n), 0, "cannot read %s", path);
    return s;
}

static void assert_unchanged(const char *path, snap_t *s, const char *what)
{
    cr_assert(tu_file_equals(path, s->b, s->n), "%s: %s was modified", what, path);
}

/* ---- mode parsing ---------------------------------------------------------- */

Test(mth5, mode_parse)
{
    static const struct {
        const char *s;
        mth5_mode_t m;
    } ok[] = {
        {"r", MTH5_MODE_R}, {"r+", MTH5_MODE_RPLUS}, {"a", MTH5_MODE_A},
        {"w", MTH5_MODE_W}, {"w-", MTH5_MODE_X},     {"x", MTH5_MODE_X},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        mth5_mode_t m = (mth5_mode_t)99;
        cr_assert_eq(mth5_mode_parse(ok[i].s, &m), 0, "mode '%s' refused", ok[i].s);
        cr_assert_eq(m, ok[i].m, "mode '%s' parsed as %d", ok[i].s, (int)m);
    }
    const char *bad[] = {"", "R", "rw", "w+", "a+", "r+ ", "xx", "-", "ww"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mth5_mode_t m = (mth5_mode_t)99;
        cr_assert_eq(mth5_mode_parse(bad[i], &m), H5S_EINVAL, "mode '%s' accepted", bad[i]);
        cr_assert_eq(m, (mth5_mode_t)99, "mode '%s' changed *out", bad[i]);
    }
    mth5_mode_t m;
    cr_assert_eq(mth5_mode_parse(NULL, &m), H5S_EINVAL);
}

Test(mth5, open_bad_mode_creates_nothing)
{
    const char *p = tu_path("bad.h5");
    mth5_t *m = (mth5_t *)1;
    FAILS(mth5_open(p, "rw", false, &m, &E), H5S_EINVAL);
    cr_assert_null(m);
    FAILS(mth5_open(p, NULL, false, &m, &E), H5S_EINVAL);
    FAILS(mth5_open(p, "w+", true, &m, &E), H5S_EINVAL);
    FAILS(mth5_open("", "w", false, &m, &E), H5S_EINVAL);
    cr_assert_not(tu_exists(p), "a refused open created %s", p);
}

/* ---- creating: root, groups, attributes, datasets -------------------------- */

static void check_root(const char *path)
{
    hid_t f = raw_open(path);
    H5F_info2_t info;
    cr_assert_geq(H5Fget_info2(f, &info), 0);
    cr_assert_geq(info.super.version, 3, "superblock version %u, SWMR needs 3", info.super.version);
    check_str_attr(f, "/", "file.type", "MTH5");
    check_str_attr(f, "/", "file.version", "0.2.0");
    check_str_attr(f, "/", "file.access.platform", NULL);
    check_str_attr(f, "/", "file.access.time", NULL);
    check_str_attr(f, "/", "mth5.software.name", NULL);
    check_str_attr(f, "/", "mth5.software.version", NULL);
    double dl = num_attr(f, "/", "data_level", H5T_INTEGER, 8);
    cr_assert_eq(dl, 1.0, "data_level = %g", dl);
    hid_t a = H5Aopen_by_name(f, "/", "data_level", H5P_DEFAULT, H5P_DEFAULT);
    hid_t t = H5Aget_type(a);
    cr_assert_eq(H5Tget_sign(t), H5T_SGN_2, "data_level is not a signed int64");
    H5Tclose(t);
    H5Aclose(a);
    /* Every root attribute is a variable-length string except data_level. */
    H5O_info_t oi;
#if H5_VERSION_GE(1, 12, 0)
    cr_assert_geq(H5Oget_info3(f, &oi, H5O_INFO_NUM_ATTRS), 0);
#else
    cr_assert_geq(H5Oget_info2(f, &oi, H5O_INFO_NUM_ATTRS), 0);
#endif
    for (hsize_t i = 0; i < oi.num_attrs; i++) {
        char name[256];
        cr_assert_gt(H5Aget_name_by_idx(f, "/", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT), 0);
        if (strcmp(name, "data_level") != 0)
            check_str_attr(f, "/", name, NULL);
    }
    cr_assert_str_eq(children(f, "/"), "Experiment,");
    const char *exp = children(f, "/Experiment");
    cr_assert(strcmp(exp, "Reports,Standards,Surveys,") == 0 ||
                  strcmp(exp, "Reports,Standards,Surveys,channel_summary,") == 0,
              "/Experiment holds %s", exp);
    check_str_attr(f, "/Experiment", "mth5_type", "Experiment");
    check_str_attr(f, "/Experiment/Surveys", "mth5_type", "MasterSurvey");
    cr_assert_geq(H5Fclose(f), 0);
}

Test(mth5, create_modes_write_mth5_root)
{
    const char *modes[] = {"w", "x", "w-", "a"};
    for (size_t i = 0; i < 4; i++) {
        char name[32];
        snprintf(name, sizeof name, "create-%zu.h5", i);
        const char *p = tu_path(name);
        mth5_t *m = NULL;
        OK(mth5_open(p, modes[i], false, &m, &E));
        cr_assert_not_null(m);
        cr_assert(mth5_is_writable(m), "mode %s: not writable", modes[i]);
        cr_assert_not(mth5_is_swmr_mode(m), "mode %s: SWMR without asking", modes[i]);
        cr_assert_str_eq(mth5_path(m), p);
        cr_assert_geq(mth5_fid(m), 0);
        OK(mth5_close(m, &E));
        check_root(p);
        /* The file is SWMR-ready: a SWMR writer can open it. */
        OK(mth5_open(p, "a", true, &m, &E));
        cr_assert(mth5_is_swmr_mode(m));
        OK(mth5_close(m, &E));
    }
}

Test(mth5, tree_groups_and_attributes)
{
    const char *p = tu_path("tree.h5");
    build(p, 10, 20);
    hid_t f = raw_open(p);
    check_str_attr(f, SURVEY_PATH, "mth5_type", "Survey");
    check_str_attr(f, SURVEY_PATH, "id", SURVEY);
    cr_assert_str_eq(children(f, SURVEY_PATH), "Filters,Reports,Standards,Stations,");
    check_str_attr(f, SURVEY_PATH "/Stations", "mth5_type", "MasterStation");
    check_str_attr(f, STATION_PATH, "mth5_type", "Station");
    check_str_attr(f, STATION_PATH, "id", STATION);
    cr_assert_str_eq(children(f, STATION_PATH), "Features,Fourier_Coefficients,Transfer_Functions,r001,");
    check_f8_attr(f, STATION_PATH, "location.latitude", META.latitude);
    check_f8_attr(f, STATION_PATH, "location.longitude", META.longitude);
    check_f8_attr(f, STATION_PATH, "location.elevation", META.elevation);
    check_str_attr(f, RUN_PATH, "mth5_type", "Run");
    check_str_attr(f, RUN_PATH, "id", RUN);
    check_f8_attr(f, RUN_PATH, "sample_rate", RATE);
    check_str_attr(f, RUN_PATH, "time_period.start", START_NORM);
    check_str_attr(f, RUN_PATH, "time_period.end", NULL);
    cr_assert_str_eq(children(f, RUN_PATH), "ex,hx,");

    struct {
        const char *path, *mtype, *type, *comp, *units, *end;
    } ch[] = {
        {EX_PATH, "Electric", "electric", "ex", "mV/km", "2020-01-01T00:00:00.039063+00:00"},
        {HX_PATH, "Magnetic", "magnetic", "hx", "nT", "2020-01-01T00:00:00.078125+00:00"},
    };
    for (int i = 0; i < 2; i++) {
        check_str_attr(f, ch[i].path, "mth5_type", ch[i].mtype);
        check_str_attr(f, ch[i].path, "type", ch[i].type);
        check_str_attr(f, ch[i].path, "component", ch[i].comp);
        check_str_attr(f, ch[i].path, "units", ch[i].units);
        check_f8_attr(f, ch[i].path, "sample_rate", RATE);
        check_str_attr(f, ch[i].path, "time_period.start", START_NORM);
        /* rebuilt on close from start + n / sample_rate */
        check_str_attr(f, ch[i].path, "time_period.end", ch[i].end);
        check_f8_attr(f, ch[i].path, "measurement_azimuth", 0);
        check_f8_attr(f, ch[i].path, "measurement_tilt", 0);
    }
    cr_assert_geq(H5Fclose(f), 0);
}

Test(mth5, channel_options_and_defaults)
{
    const char *p = tu_path("opts.h5");
    mth5_t *m = NULL;
    OK(mth5_open(p, "w", false, &m, &E));
    add_tree(m);
    mth5_channel_opts_t aux = {.name = "temperature", .type = MTH5_AUXILIARY, .dtype = MTH5_INT32};
    OK(mth5_add_channel(m, SURVEY, STATION, RUN, &aux, NULL, &E));
    mth5_channel_opts_t ey = {.name = "ey",
                              .type = MTH5_ELECTRIC,
                              .sample_rate = 8,
                              .units = "mV",
                              .azimuth = 90,
                              .tilt = 1.5,
                              .start = "2021-06-01T12:00:00.5+00:00"};
    OK(mth5_add_channel(m, SURVEY, STATION, RUN, &ey, NULL, &E));
    OK(mth5_close(m, &E));
    hid_t f = raw_open(p);
    const char *tp = RUN_PATH "/temperature", *ep = RUN_PATH "/ey";
    check_str_attr(f, tp, "mth5_type", "Auxiliary");
    check_str_attr(f, tp, "type", "auxiliary");
    check_str_attr(f, tp, "units", "");
    check_f8_attr(f, tp, "sample_rate", RATE);
    check_str_attr(f, ep, "units", "mV");
    check_f8_attr(f, ep, "sample_rate", 8);
    check_f8_attr(f, ep, "measurement_azimuth", 90);
    check_f8_attr(f, ep, "measurement_tilt", 1.5);
    check_str_attr(f, ep, "time_period.start", "2021-06-01T12:00:00.500000+00:00");
    cr_assert_geq(H5Fclose(f), 0);
}

static void check_dataset(hid_t f, const char *path, mth5_dtype_t dt, bool compress, hsize_t chunk)
{
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    cr_assert_geq(d, 0, "no dataset %s", path);
    hid_t t = H5Dget_type(d);
    H5T_class_t cls = H5Tget_class(t);
    if (dt == MTH5_INT32) {
        cr_assert_eq(cls, H5T_INTEGER, "%s: class %d", path, (int)cls);
        cr_assert_eq(H5Tget_sign(t), H5T_SGN_2);
        cr_assert_eq(H5Tget_size(t), 4u);
    } else {
        cr_assert_eq(cls, H5T_FLOAT, "%s: class %d", path, (int)cls);
        cr_assert_eq(H5Tget_size(t), dt == MTH5_FLOAT32 ? 4u : 8u, "%s: size %zu", path, H5Tget_size(t));
    }
    hid_t sp = H5Dget_space(d);
    cr_assert_eq(H5Sget_simple_extent_ndims(sp), 1, "%s is not 1-D", path);
    hsize_t dims[1], maxd[1];
    H5Sget_simple_extent_dims(sp, dims, maxd);
    cr_assert_eq(maxd[0], H5S_UNLIMITED, "%s: maxshape not unlimited", path);
    hid_t dcpl = H5Dget_create_plist(d);
    cr_assert_eq(H5Pget_layout(dcpl), H5D_CHUNKED, "%s is not chunked", path);
    hsize_t cd[1] = {0};
    cr_assert_eq(H5Pget_chunk(dcpl, 1, cd), 1);
    cr_assert_eq(cd[0], chunk, "%s: chunk %llu", path, (unsigned long long)cd[0]);
    int nf = H5Pget_nfilters(dcpl);
    if (!compress) {
        cr_assert_eq(nf, 0, "%s: %d filters without compression", path, nf);
    } else {
        bool shuffle = false, deflate = false, fletcher = false;
        for (int i = 0; i < nf; i++) {
            unsigned flags, cv[8];
            size_t ncv = 8;
            H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)i, &flags, &ncv, cv, 0, NULL, NULL);
            shuffle |= id == H5Z_FILTER_SHUFFLE;
            deflate |= id == H5Z_FILTER_DEFLATE;
            fletcher |= id == H5Z_FILTER_FLETCHER32;
        }
        cr_assert(shuffle && deflate && fletcher, "%s: filters shuffle %d deflate %d fletcher32 %d", path, shuffle,
                  deflate, fletcher);
    }
    H5Pclose(dcpl);
    H5Sclose(sp);
    H5Tclose(t);
    H5Dclose(d);
}

Test(mth5, channel_datasets_types_chunks_filters)
{
    const char *p = tu_path("ds.h5");
    mth5_t *m = NULL;
    OK(mth5_open(p, "w", false, &m, &E));
    add_tree(m);
    struct {
        const char *name;
        mth5_dtype_t dt;
        bool compress;
        hsize_t chunk;
    } c[] = {
        {"ex", MTH5_FLOAT32, false, 0}, {"ey", MTH5_FLOAT64, true, 100}, {"hx", MTH5_INT32, true, 4096},
        {"hy", MTH5_FLOAT64, false, 7}, {"hz", MTH5_FLOAT32, true, 1},
    };
    for (size_t i = 0; i < 5; i++) {
        mth5_channel_opts_t o = {.name = c[i].name,
                                 .type = i < 2 ? MTH5_ELECTRIC : MTH5_MAGNETIC,
                                 .dtype = c[i].dt,
                                 .compress = c[i].compress,
                                 .chunk = c[i].chunk};
        mth5_channel_t *ch = NULL;
        OK(mth5_add_channel(m, SURVEY, STATION, RUN, &o, &ch, &E));
        cr_assert_eq(mth5_channel_dtype(ch), c[i].dt);
        cr_assert_eq(mth5_channel_length(ch), 0u);
        cr_assert_geq(mth5_channel_did(ch), 0);
        append_pattern(ch, 300, true);
    }
    OK(mth5_close(m, &E));
    hid_t f = raw_open(p);
    for (size_t i = 0; i < 5; i++) {
        char path[256];
        snprintf(path, sizeof path, RUN_PATH "/%s", c[i].name);
        check_dataset(f, path, c[i].dt, c[i].compress, c[i].chunk ? c[i].chunk : 1024);
    }
    cr_assert_geq(H5Fclose(f), 0);
    /* and the data comes back through the filters */
    OK(mth5_open(p, "r", false, &m, &E));
    for (size_t i = 0; i < 5; i++) {
        mth5_channel_t *ch = NULL;
        OK(mth5_channel_open(m, SURVEY, STATION, RUN, c[i].name, &ch, &E));
        cr_assert_eq(mth5_channel_length(ch), 300u);
        assert_pattern(ch, 300);
    }
    OK(mth5_close(m, &E));
}

Test(mth5, names_validated)
{
    const char *p = tu_path("names.h5");
    mth5_t *m = NULL;
    OK(mth5_open(p, "w", false, &m, &E));
    FAILS(mth5_add_survey(m, "", &E), H5S_EINVAL);
    FAILS(mth5_add_survey(m, "a/b", &E), H5S_EINVAL);
    FAILS(mth5_add_survey(m, NULL, &E), H5S_EINVAL);
    char longname[MTH5_NAME_MAX + 1];
    memset(longname, 'x', MTH5_NAME_MAX);
    longname[MTH5_NAME_MAX] = '\0';
    FAILS(mth5_add_survey(m, longname, &E), H5S_EINVAL);
    FAILS(mth5_add_station(m, SURVEY, STATION, NULL, &E), H5S_ENOENT);
    OK(mth5_add_survey(m, SURVEY, &E));
    FAILS(mth5_add_survey(m, SURVEY, &E), H5S_EEXIST);
    FAILS(mth5_add_run(m, SURVEY, STATION, RUN, RATE, START, &E), H5S_ENOENT);
    OK(mth5_add_station(m, SURVEY, STATION, NULL, &E));
    FAILS(mth5_add_station(m, SURVEY, STATION, NULL, &E), H5S_EEXIST);
    FAILS(mth5_add_run(m, SURVEY, STATION, RUN, -1, START, &E), H5S_EINVAL);
    FAILS(mth5_add_run(m, SURVEY, STATION, RUN, RATE, "yesterday", &E), H5S_EINVAL);
    mth5_channel_opts_t o = {.name = "ex"};
    FAILS(mth5_add_channel(m, SURVEY, STATION, RUN, &o, NULL, &E), H5S_ENOENT);
    OK(mth5_add_run(m, SURVEY, STATION, RUN, RATE, NULL, &E));
    FAILS(mth5_add_run(m, SURVEY, STATION, RUN, RATE, NULL, &E), H5S_EEXIST);
    o.name = "Ex";
    FAILS(mth5_add_channel(m, SURVEY, STATION, RUN, &o, NULL, &E), H5S_EINVAL);
    o.name = "ex";
    o.dtype = (mth5_dtype_t)7;
    FAILS(mth5_add_channel(m, SURVEY, STATION, RUN, &o, NULL, &E), H5S_EINVAL);
    o.dtype = MTH5_FLOAT64;
    FAILS(mth5_add_channel(m, SURVEY, STATION, RUN, NULL, NULL, &E), H5S_EINVAL);
    OK(mth5_add_channel(m, SURVEY, STATION, RUN, &o, NULL, &E));
    FAILS(mth5_add_channel(m, SURVEY, STATION, RUN, &o, NULL, &E), H5S_EEXIST);
    mth5_channel_t *ch = NULL;
    FAILS(mth5_channel_open(m, SURVEY, STATION, RUN, "ey", &ch, &E), H5S_ENOENT);
    cr_assert_null(ch);
    /* a group is not a channel; HDF5 says why */
    FAILS(mth5_channel_open_path(m, RUN_PATH, &ch, &E), H5S_EHDF5);
    cr_assert_not_null(strstr(E.msg, "HDF5:"), "no HDF5 text in: %s", E.msg);
    cr_assert_null(ch);
    OK(mth5_close(m, &E));
    /* the run without a start time got the default one */
    hid_t f = raw_open(p);
    check_str_attr(f, RUN_PATH, "time_period.start", "1980-01-01T00:00:00.000000+00:00");
    H5Fclose(f);
}

/* ---- existing files, refused opens ------------------------------------------ */

Test(mth5, x_refuses_existing_file_unchanged)
{
    const char *p = tu_path("exists.h5");
    build(p, 5, 5);
    snap_t s = snap(p);
    struct stat st0, st1;
    cr_assert_eq(stat(p, &st0), 0);
    mth5_t *m = (mth5_t *)1;
    FAILS(mth5_open(p, "x", false, &m, &E), H5S_EEXIST);
    cr_assert_null(m);
    FAILS(mth5_open(p, "w-", false, &m, &E), H5S_EEXIST);
    assert_unchanged(p, &s, "x/w- on an existing file");
    cr_assert_eq(stat(p, &st1), 0);
    cr_assert_eq(st0.st_mtim.tv_sec, st1.st_mtim.tv_sec);
    cr_assert_eq(st0.st_mtim.tv_nsec, st1.st_mtim.tv_nsec);
    /* a text file is not replaced either */
    const char *t = tu_path("notes.txt");
    cr_assert_eq(tu_write_text(t, "keep me\n"), 0);
    FAILS(mth5_open(t, "x", false, &m, &E), H5S_EEXIST);
    cr_assert(tu_file_equals(t, (const unsigned char *)"keep me\n", 8));
    free(s.b);
}

Test(mth5, w_replaces_existing_file)
{
    const char *p = tu_path("replace.h5");
    build(p, 100, 100);
    mth5_t *m = NULL;
    OK(mth5_open(p, "w", false, &m, &E));
    mth5_summary_row_t *rows = NULL;
    size_t n = 99;
    OK(mth5_channel_summary(m, &rows, &n, &E));
    cr_assert_eq(n, 0u, "w kept %zu channels of the old file", n);
    free(rows);
    OK(mth5_close(m, &E));
    hid_t f = raw_open(p);
    cr_assert_str_eq(children(f, "/Experiment/Surveys"), "");
    H5Fclose(f);
    check_root(p);
    /* a text file is replaced by an MTH5 file */
    const char *t = tu_path("was-text.h5");
    cr_assert_eq(tu_write_text(t, "not hdf5\n"), 0);
    OK(mth5_open(t, "w", false, &m, &E));
    OK(mth5_close(m, &E));
    check_root(t);
}

Test(mth5, a_and_rplus_keep_existing_contents)
{
    const char *p = tu_path("keep.h5");
    build(p, 50, 60);
    const char *modes[] = {"a", "r+"};
    for (int i = 0; i < 2; i++) {
        mth5_t *m = NULL;
        OK(mth5_open(p, modes[i], false, &m, &E));
        cr_assert(mth5_is_writable(m));
        mth5_channel_t *ex = NULL;
        OK(mth5_channel_open(m, SURVEY, STATION, RUN, "ex", &ex, &E));
        cr_assert_eq(mth5_channel_length(ex), 50u + 10u * (unsigned)i);
        append_pattern(ex, 10, false);
        assert_pattern(ex, 60u + 10u * (unsigned)i);
        OK(mth5_close(m, &E));
    }
}

Test(mth5, swmr_refuses_create_modes)
{
    const char *modes[] = {"w", "w-", "x"};
    const char *p = tu_path("swmr-create.h5");
    for (int i = 0; i < 3; i++) {
        mth5_t *m = (mth5_t *)1;
        FAILS(mth5_open(p, modes[i], true, &m, &E), H5S_EMODE);
        cr_assert_null(m);
        cr_assert_not(tu_exists(p), "SWMR %s created the file", modes[i]);
    }
    /* also on an existing file, which stays as it was */
    build(p, 3, 3);
    snap_t s = snap(p);
    for (int i = 0; i < 3; i++) {
        mth5_t *m = NULL;
        FAILS(mth5_open(p, modes[i], true, &m, &E), H5S_EMODE);
    }
    assert_unchanged(p, &s, "SWMR w/w-/x");
    free(s.b);
}

Test(mth5, missing_file_refused)
{
    const char *p = tu_path("missing.h5");
    struct {
        const char *mode;
        bool swmr;
    } c[] = {
        {"r", false}, {"r+", false}, {"r", true}, {"r+", true}, {"a", true},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        mth5_t *m = (mth5_t *)1;
        FAILS(mth5_open(p, c[i].mode, c[i].swmr, &m, &E), H5S_ENOENT);
        cr_assert_null(m);
        cr_assert_not(tu_exists(p), "mode %s swmr %d created the file", c[i].mode, c[i].swmr);
    }
}

/* Every way of opening an existing file with a write or read intent. */
static const struct {
    const char *mode;
    bool swmr;
} OPENS[] = {
    {"r", false}, {"r+", false}, {"a", false}, {"r", true}, {"r+", true}, {"a", true},
};
#define NOPENS (sizeof OPENS / sizeof OPENS[0])

Test(mth5, not_mth5_hdf5_file_refused_unchanged)
{
    for (int latest = 0; latest < 2; latest++) {
        for (int variant = 0; variant < 2; variant++) {
            char name[64];
            snprintf(name, sizeof name, "plain-%d-%d.h5", latest, variant);
            const char *p = tu_path(name);
            raw_hdf5(p, latest, variant ? "NOTMTH5" : NULL);
            snap_t s = snap(p);
            for (size_t i = 0; i < NOPENS; i++) {
                mth5_t *m = (mth5_t *)1;
                h5s_err_clear(&E);
                int rc = mth5_open(p, OPENS[i].mode, OPENS[i].swmr, &m, &E);
                cr_assert_null(m);
                int want = H5S_ENOTMTH5;
                cr_assert_eq(rc, want, "%s mode %s swmr %d -> %s (%s), expected %s", name, OPENS[i].mode, OPENS[i].swmr,
                             h5s_errname(rc), E.msg, h5s_errname(want));
                assert_msg(&E, name);
                assert_unchanged(p, &s, OPENS[i].mode);
            }
            free(s.b);
        }
    }
}

Test(mth5, not_hdf5_files_refused_unchanged)
{
    const char *text = tu_path("text.h5");
    cr_assert_eq(tu_write_text(text, "this is a text file, not HDF5\n"), 0);
    const char *empty = tu_path("empty.h5");
    cr_assert_eq(tu_write_text(empty, ""), 0);
    const char *trunc = tu_path("truncated.h5");
    build(trunc, 5000, 5000);
    struct stat st;
    cr_assert_eq(stat(trunc, &st), 0);
    cr_assert_eq(truncate(trunc, st.st_size / 2), 0);
    const char *files[] = {text, empty, trunc};
    for (int k = 0; k < 3; k++) {
        snap_t s = snap(files[k]);
        for (size_t i = 0; i < NOPENS; i++) {
            mth5_t *m = (mth5_t *)1;
            h5s_err_clear(&E);
            int rc = mth5_open(files[k], OPENS[i].mode, OPENS[i].swmr, &m, &E);
#if H5_VERSION_GE(1, 12, 0)
            /* HDF5 1.12+ skips the end-of-file check for every SWMR-read open
             * of a version-3 superblock: a truncated file opens (reads fail) */
            if (rc == 0 && files[k] == trunc && OPENS[i].swmr && !strcmp(OPENS[i].mode, "r")) {
                mth5_close(m, NULL);
                assert_unchanged(files[k], &s, OPENS[i].mode);
                continue;
            }
#endif
            cr_assert_null(m);
            cr_assert_eq(rc, H5S_ENOTHDF5, "%s mode %s swmr %d -> %s (%s)", files[k], OPENS[i].mode, OPENS[i].swmr,
                         h5s_errname(rc), E.msg);
            /* no signature: refused before HDF5 opens it; a signature but too
             * short: HDF5's open fails and says why */
            h5s_cause_t want = files[k] == trunc ? H5S_CAUSE_TRUNCATED : H5S_CAUSE_NONE;
            cr_assert_eq(E.cause, want, "%s mode %s swmr %d: cause %s (%s)", files[k], OPENS[i].mode, OPENS[i].swmr,
                         h5s_cause_name(E.cause), E.msg);
            assert_msg(&E, files[k]);
            assert_unchanged(files[k], &s, OPENS[i].mode);
        }
        free(s.b);
    }
}

Test(mth5, directory_and_missing_directory_refused)
{
    const char *d = tu_path("adir");
    cr_assert_eq(mkdir(d, 0755), 0);
    const char *modes[] = {"r", "r+", "a", "w", "x", "w-"};
    for (int i = 0; i < 6; i++) {
        mth5_t *m = (mth5_t *)1;
        FAILS(mth5_open(d, modes[i], false, &m, &E), H5S_ENOTHDF5);
        cr_assert_null(m);
    }
    FAILS(mth5_open(d, "r", true, &(mth5_t *){NULL}, &E), H5S_ENOTHDF5);
    FAILS(mth5_open(d, "a", true, &(mth5_t *){NULL}, &E), H5S_ENOTHDF5);
    struct stat st;
    cr_assert_eq(stat(d, &st), 0);
    cr_assert(S_ISDIR(st.st_mode), "the directory was replaced");
    const char *in_missing = tu_path("nodir/f.h5");
    for (int i = 0; i < 6; i++) {
        mth5_t *m = (mth5_t *)1;
        FAILS(mth5_open(in_missing, modes[i], false, &m, &E), H5S_ENOENT);
        cr_assert_null(m);
        FAILS(mth5_open(in_missing, i < 3 ? modes[i] : "a", true, &m, &E), H5S_ENOENT);
    }
    cr_assert_not(tu_exists(tu_path("nodir")), "a refused open created the directory");
    /* a path through a regular file: a system error (ENOTDIR), nothing made */
    const char *file = tu_path("plainfile");
    cr_assert_eq(tu_write_text(file, "x"), 0);
    FAILS(mth5_open(tu_path("plainfile/f.h5"), "w", false, &(mth5_t *){NULL}, &E), H5S_ESYS);
    cr_assert_not_null(strstr(E.msg, "Not a directory"), "%s", E.msg);
    cr_assert(tu_file_equals(file, (const unsigned char *)"x", 1));
}

Test(mth5, old_format_mth5_refuses_swmr)
{
    const char *p = tu_path("old.h5");
    raw_hdf5(p, false, "MTH5");
    {
        hid_t f = raw_open(p);
        H5F_info2_t info;
        cr_assert_geq(H5Fget_info2(f, &info), 0);
        cr_assert_lt(info.super.version, 3, "raw default file has superblock %u", info.super.version);
        H5Fclose(f);
    }
    snap_t s = snap(p);
    const char *modes[] = {"a", "r+"};
    for (int i = 0; i < 2; i++) {
        mth5_t *m = (mth5_t *)1;
        FAILS(mth5_open(p, modes[i], true, &m, &E), H5S_EFORMAT);
        cr_assert_null(m);
        cr_assert_not_null(strstr(E.msg, "superblock"), "mode %s: message does not explain: %s", modes[i], E.msg);
        /* the refusal is recognised as such (from HDF5's error stack), not only passed on */
        cr_assert_eq(E.cause, H5S_CAUSE_OLD_SUPERBLOCK, "mode %s: cause %s (%s)", modes[i], h5s_cause_name(E.cause),
                     E.msg);
        cr_assert_not_null(strstr(E.msg, "it has an old superblock"), "mode %s: %s", modes[i], E.msg);
        assert_unchanged(p, &s, modes[i]);
    }
    /* Readers open it: it is an MTH5 file by its root attribute, and HDF5
     * 1.10.8 lets an SWMR reader open a default-format file (no SWMR writer
     * can ever join it, so it reads a static file). */
    mth5_t *m = NULL;
    OK(mth5_open(p, "r", false, &m, &E));
    cr_assert_not(mth5_is_swmr_mode(m));
    OK(mth5_close(m, &E));
    OK(mth5_open(p, "r", true, &m, &E));
    cr_assert(mth5_is_swmr_mode(m));
    OK(mth5_close(m, &E));
    assert_unchanged(p, &s, "readers");
    free(s.b);
}

/* ---- SWMR modes -------------------------------------------------------------- */

Test(mth5, swmr_writer_via_a_and_rplus)
{
    const char *p = tu_path("writer.h5");
    build(p, 0, 0);
    const char *modes[] = {"a", "r+"};
    for (int i = 0; i < 2; i++) {
        mth5_t *m = NULL;
        OK(mth5_open(p, modes[i], true, &m, &E));
        cr_assert(mth5_is_swmr_mode(m), "mode %s", modes[i]);
        cr_assert(mth5_is_writable(m), "mode %s", modes[i]);
        unsigned intent = 0;
        cr_assert_geq(H5Fget_intent(mth5_fid(m), &intent), 0);
        cr_assert(intent & H5F_ACC_SWMR_WRITE, "mode %s: intent 0x%x lacks SWMR_WRITE", modes[i], intent);
        cr_assert(intent & H5F_ACC_RDWR);
        mth5_channel_t *ex = NULL;
        OK(mth5_channel_open_path(m, EX_PATH, &ex, &E));
        cr_assert_str_eq(mth5_channel_path(ex), EX_PATH);
        append_pattern(ex, 100, i == 0);
        OK(mth5_channel_flush(ex, &E));
        OK(mth5_flush(m, &E));
        uint64_t len = 0;
        OK(mth5_channel_refresh(ex, &len, &E));
        cr_assert_eq(len, 100u * (unsigned)(i + 1));
        /* changing attributes and rebuilding the table are refused here */
        FAILS(mth5_channel_set_end(ex, "2020-01-01T00:00:01+00:00", &E), H5S_ESWMR);
        FAILS(mth5_summary_table_rebuild(m, &E), H5S_ESWMR);
        OK(mth5_close(m, &E));
    }
    mth5_t *m = NULL;
    OK(mth5_open(p, "r", false, &m, &E));
    mth5_channel_t *ex = NULL;
    OK(mth5_channel_open_path(m, EX_PATH, &ex, &E));
    cr_assert_eq(mth5_channel_length(ex), 200u);
    assert_pattern(ex, 200);
    OK(mth5_close(m, &E));
}

static void assert_readonly_refusals(mth5_t *m)
{
    FAILS(mth5_flush(m, &E), H5S_EREADONLY);
    FAILS(mth5_add_survey(m, "S9", &E), H5S_EREADONLY);
    FAILS(mth5_add_station(m, SURVEY, "ST09", NULL, &E), H5S_EREADONLY);
    FAILS(mth5_add_run(m, SURVEY, STATION, "r009", 1, NULL, &E), H5S_EREADONLY);
    mth5_channel_opts_t o = {.name = "hz", .type = MTH5_MAGNETIC};
    FAILS(mth5_add_channel(m, SURVEY, STATION, RUN, &o, NULL, &E), H5S_EREADONLY);
    FAILS(mth5_remove(m, HX_PATH, &E), H5S_EREADONLY);
    FAILS(mth5_summary_table_update(m, 0, 5, START, &E), H5S_EREADONLY);
    FAILS(mth5_summary_table_rebuild(m, &E), H5S_EREADONLY);
    mth5_channel_t *ex = NULL;
    OK(mth5_channel_open_path(m, EX_PATH, &ex, &E));
    double v = 1;
    FAILS(mth5_channel_append(ex, &v, 1, true, &E), H5S_EREADONLY);
    FAILS(mth5_channel_set_end(ex, START, &E), H5S_EREADONLY);
    mth5_channel_close(ex);
}

Test(mth5, readers_swmr_and_plain)
{
    const char *p = tu_path("reader.h5");
    build(p, 30, 40);
    snap_t s = snap(p);
    for (int swmr = 0; swmr < 2; swmr++) {
        mth5_t *m = NULL;
        OK(mth5_open(p, "r", swmr, &m, &E));
        cr_assert_eq(mth5_is_swmr_mode(m), (bool)swmr);
        cr_assert_not(mth5_is_writable(m));
        unsigned intent = 0;
        cr_assert_geq(H5Fget_intent(mth5_fid(m), &intent), 0);
        cr_assert_eq((intent & H5F_ACC_SWMR_READ) != 0, (bool)swmr, "intent 0x%x", intent);
        cr_assert_eq(intent & H5F_ACC_RDWR, 0u);
        assert_readonly_refusals(m);
        mth5_channel_t *hx = NULL;
        OK(mth5_channel_open_path(m, HX_PATH, &hx, &E));
        uint64_t len = 0;
        OK(mth5_channel_refresh(hx, &len, &E));
        cr_assert_eq(len, 40u);
        assert_pattern(hx, 40);
        OK(mth5_close(m, &E));
    }
    assert_unchanged(p, &s, "read-only opens");
    free(s.b);
    cr_assert_eq(mth5_close(NULL, &E), 0);
    mth5_channel_close(NULL);
}

Test(mth5, remove_rules)
{
    const char *p = tu_path("remove.h5");
    build(p, 10, 10);
    mth5_t *m = NULL;
    /* SWMR-write mode: refused, nothing removed */
    OK(mth5_open(p, "a", true, &m, &E));
    FAILS(mth5_remove(m, HX_PATH, &E), H5S_ESWMR);
    FAILS(mth5_remove(m, STATION_PATH, &E), H5S_ESWMR);
    cr_assert(raw_exists(mth5_fid(m), HX_PATH), "hx is gone after a refused remove");
    OK(mth5_close(m, &E));
    {
        hid_t f = raw_open(p);
        cr_assert(raw_exists(f, HX_PATH));
        H5Fclose(f);
    }
    /* read-only */
    OK(mth5_open(p, "r", false, &m, &E));
    FAILS(mth5_remove(m, HX_PATH, &E), H5S_EREADONLY);
    OK(mth5_close(m, &E));
    /* non-SWMR writer: bad paths refused, then removal works */
    OK(mth5_open(p, "a", false, &m, &E));
    FAILS(mth5_remove(m, "Experiment/Surveys", &E), H5S_EINVAL);
    FAILS(mth5_remove(m, "/", &E), H5S_EINVAL);
    FAILS(mth5_remove(m, NULL, &E), H5S_EINVAL);
    FAILS(mth5_remove(m, RUN_PATH "/hz", &E), H5S_ENOENT);
    FAILS(mth5_remove(m, "/Nowhere/at/all", &E), H5S_ENOENT);
    mth5_channel_t *ex = NULL;
    OK(mth5_channel_open_path(m, EX_PATH, &ex, &E));
    FAILS(mth5_remove(m, EX_PATH, &E), H5S_EINVAL);      /* open channel */
    FAILS(mth5_remove(m, STATION_PATH, &E), H5S_EINVAL); /* holds an open channel */
    OK(mth5_remove(m, HX_PATH, &E));
    cr_assert_not(raw_exists(mth5_fid(m), HX_PATH));
    cr_assert(raw_exists(mth5_fid(m), EX_PATH));
    mth5_channel_close(ex);
    OK(mth5_close(m, &E));
    /* the table rebuilt on close no longer lists hx */
    OK(mth5_open(p, "r", false, &m, &E));
    mth5_table_row_t *rows = NULL;
    size_t n = 0;
    OK(mth5_summary_table_read(m, &rows, &n, &E));
    cr_assert_eq(n, 1u);
    cr_assert_str_eq(rows[0].component, "ex");
    free(rows);
    OK(mth5_close(m, &E));
}

/* ---- data -------------------------------------------------------------------- */

Test(mth5, append_read_back_corked_and_uncorked)
{
    const char *p = tu_path("append.h5");
    mth5_t *m = NULL;
    OK(mth5_open(p, "w", false, &m, &E));
    add_tree(m);
    mth5_dtype_t dts[] = {MTH5_FLOAT32, MTH5_FLOAT64, MTH5_INT32};
    const char *names[] = {"ex", "ey", "hx"};
    mth5_channel_t *ch[3];
    for (int i = 0; i < 3; i++) {
        ch[i] = add_ch(m, RUN, names[i], i ? MTH5_MAGNETIC : MTH5_ELECTRIC, dts[i], i == 1);
        cr_assert_eq(mth5_dtype_size(dts[i]), i == 1 ? 8u : 4u);
    }
    /* uneven blocks across chunk boundaries (chunk 256), alternating cork */
    size_t blocks[] = {1, 255, 256, 1000, 3, 0, 77};
    uint64_t total = 0;
    for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++) {
        for (int i = 0; i < 3; i++) {
            append_pattern(ch[i], blocks[b], b % 2 == 0);
            cr_assert_eq(mth5_channel_length(ch[i]), total + blocks[b]);
        }
        total += blocks[b];
    }
    for (int i = 0; i < 3; i++) {
        assert_pattern(ch[i], total);
        /* a slice in the middle */
        void *want = tu_counting_samples(dts[i], 500, 100), *got = malloc(100 * 8);
        OK(mth5_channel_read(ch[i], 500, 100, got, &E));
        cr_assert(memcmp(want, got, 100 * mth5_dtype_size(dts[i])) == 0, "%s slice", names[i]);
        OK(mth5_channel_read(ch[i], 0, 0, got, &E));
        free(want);
        free(got);
    }
    OK(mth5_close(m, &E));
    OK(mth5_open(p, "r", false, &m, &E));
    for (int i = 0; i < 3; i++) {
        mth5_channel_t *c = NULL;
        OK(mth5_channel_open(m, SURVEY, STATION, RUN, names[i], &c, &E));
        cr_assert_eq(mth5_channel_length(c), total);
        cr_assert_eq(mth5_channel_dtype(c), dts[i]);
        assert_pattern(c, total);
    }
    OK(mth5_close(m, &E));
}

Test(mth5, hdf5_failures_carry_hdf5_text)
{
    const char *p = tu_path("hdf5err.h5");
    build(p, 10, 0);
    mth5_t *m = NULL;
    OK(mth5_open(p, "r", false, &m, &E));
    mth5_channel_t *ex = NULL;
    OK(mth5_channel_open_path(m, EX_PATH, &ex, &E));
    double buf[20];
    FAILS(mth5_channel_read(ex, 5, 10, buf, &E), H5S_EHDF5);
    cr_assert_not_null(strstr(E.msg, "HDF5:"), "no HDF5 text in: %s", E.msg);
    FAILS(mth5_channel_read(ex, 100, 1, buf, &E), H5S_EHDF5);
    cr_assert_not_null(strstr(E.msg, "HDF5:"), "no HDF5 text in: %s", E.msg);
    OK(mth5_close(m, &E));
    /* a truncated file's message carries HDF5's reason */
    struct stat st;
    cr_assert_eq(stat(p, &st), 0);
    cr_assert_eq(truncate(p, st.st_size - 100), 0);
    FAILS(mth5_open(p, "r", false, &m, &E), H5S_ENOTHDF5);
    cr_assert_not_null(strstr(E.msg, "HDF5:"), "no HDF5 text in: %s", E.msg);
    cr_assert_eq(E.cause, H5S_CAUSE_TRUNCATED, "cause %s (%s)", h5s_cause_name(E.cause), E.msg);
    /* the error helpers */
    h5s_err_t e;
    cr_assert_eq(h5s_seterr(&e, H5S_EVERIFY, "x %d", 1), H5S_EVERIFY);
    cr_assert_str_eq(e.msg, "x 1");
    cr_assert_str_eq(h5s_errname(H5S_ELOCKED), "H5S_ELOCKED");
    cr_assert_str_eq(h5s_errname(12345), "H5S_E?");
    cr_assert_str_neq(h5s_strerror(H5S_EFORMAT), "");
    cr_assert_eq(h5s_seterr(NULL, H5S_EINVAL, "nothing"), H5S_EINVAL);
}

Test(mth5, iso_add)
{
    char out[64];
    cr_assert_eq(mth5_iso_add("2020-01-01T00:00:00+00:00", 0, out, sizeof out), 0);
    cr_assert_str_eq(out, "2020-01-01T00:00:00.000000+00:00");
    cr_assert_eq(mth5_iso_add("2020-12-31T23:59:59.5+00:00", 1.25, out, sizeof out), 0);
    cr_assert_str_eq(out, "2021-01-01T00:00:00.750000+00:00");
    cr_assert_eq(mth5_iso_add("1980-01-01T00:00:00", 86400.0 * 366, out, sizeof out), 0);
    cr_assert_str_eq(out, "1981-01-01T00:00:00.000000+00:00");
    cr_assert_eq(mth5_iso_add("2020-01-01T00:00:00", 1.0 / 3.0, out, sizeof out), 0);
    cr_assert_str_eq(out, "2020-01-01T00:00:00.333333+00:00");
    cr_assert_eq(mth5_iso_add("yesterday", 0, out, sizeof out), H5S_EINVAL);
    cr_assert_eq(mth5_iso_add("2020-01-01T00:00:00", 0, out, 10), H5S_EINVAL);
}

/* ---- summaries ----------------------------------------------------------------- */

static const mth5_summary_row_t *find_row(const mth5_summary_row_t *r, size_t n, const char *station, const char *run,
                                          const char *comp)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(r[i].station, station) && !strcmp(r[i].run, run) && !strcmp(r[i].component, comp))
            return &r[i];
    cr_assert_fail("no summary row for %s/%s/%s", station, run, comp);
    return NULL;
}

/* S1: ST01 {r001 256 Hz: ex 512, ey 100, hx 0; r002 8 Hz: hz 80}, ST02 {r001 1 Hz: ex 10};
 * S2: A1 {r1 with no channels}. */
static void build_many(const char *path)
{
    mth5_t *m = NULL;
    OK(mth5_open(path, "w", false, &m, &E));
    add_tree(m);
    OK(mth5_add_run(m, SURVEY, STATION, "r002", 8, "2020-02-01T00:00:00+00:00", &E));
    mth5_station_meta_t m2 = {-33.5, 151.25, 10};
    OK(mth5_add_station(m, SURVEY, "ST02", &m2, &E));
    OK(mth5_add_run(m, SURVEY, "ST02", RUN, 1, START, &E));
    OK(mth5_add_survey(m, "S2", &E));
    OK(mth5_add_station(m, "S2", "A1", NULL, &E));
    OK(mth5_add_run(m, "S2", "A1", "r1", 4, NULL, &E));
    append_pattern(add_ch(m, RUN, "ex", MTH5_ELECTRIC, MTH5_FLOAT64, false), 512, true);
    append_pattern(add_ch(m, RUN, "ey", MTH5_ELECTRIC, MTH5_FLOAT32, false), 100, false);
    add_ch(m, RUN, "hx", MTH5_MAGNETIC, MTH5_FLOAT32, true);
    append_pattern(add_ch(m, "r002", "hz", MTH5_MAGNETIC, MTH5_INT32, false), 80, true);
    mth5_channel_opts_t o = {.name = "ex", .type = MTH5_ELECTRIC, .azimuth = 90};
    mth5_channel_t *c = NULL;
    OK(mth5_add_channel(m, SURVEY, "ST02", RUN, &o, &c, &E));
    append_pattern(c, 10, true);
    OK(mth5_close(m, &E));
}

Test(mth5, channel_and_run_summary_walk)
{
    const char *p = tu_path("many.h5");
    build_many(p);
    for (int swmr = 0; swmr < 2; swmr++) {
        mth5_t *m = NULL;
        OK(mth5_open(p, "r", swmr, &m, &E));
        mth5_summary_row_t *r = NULL;
        size_t n = 0;
        OK(mth5_channel_summary(m, &r, &n, &E));
        cr_assert_eq(n, 5u, "%zu channel rows", n);
        const mth5_summary_row_t *ex = find_row(r, n, STATION, RUN, "ex");
        cr_assert_str_eq(ex->survey, SURVEY);
        cr_assert_eq(ex->n_samples, 512u);
        cr_assert_float_eq(ex->sample_rate, 256.0, 1e-12);
        cr_assert_str_eq(ex->type, "electric");
        cr_assert_str_eq(ex->units, "mV/km");
        cr_assert_str_eq(ex->start, START_NORM);
        cr_assert_str_eq(ex->end, "2020-01-01T00:00:02.000000+00:00");
        cr_assert_float_eq(ex->latitude, META.latitude, 1e-12);
        cr_assert_float_eq(ex->longitude, META.longitude, 1e-12);
        cr_assert_float_eq(ex->elevation, META.elevation, 1e-12);
        cr_assert_str_eq(ex->path, EX_PATH);
        cr_assert_eq(find_row(r, n, STATION, RUN, "ey")->n_samples, 100u);
        const mth5_summary_row_t *hx = find_row(r, n, STATION, RUN, "hx");
        cr_assert_eq(hx->n_samples, 0u);
        cr_assert_str_eq(hx->type, "magnetic");
        cr_assert_str_eq(hx->units, "nT");
        const mth5_summary_row_t *hz = find_row(r, n, STATION, "r002", "hz");
        cr_assert_eq(hz->n_samples, 80u);
        cr_assert_float_eq(hz->sample_rate, 8.0, 1e-12);
        cr_assert_str_eq(hz->start, "2020-02-01T00:00:00.000000+00:00");
        cr_assert_str_eq(hz->end, "2020-02-01T00:00:10.000000+00:00");
        const mth5_summary_row_t *ex2 = find_row(r, n, "ST02", RUN, "ex");
        cr_assert_eq(ex2->n_samples, 10u);
        cr_assert_float_eq(ex2->sample_rate, 1.0, 1e-12);
        cr_assert_float_eq(ex2->azimuth, 90.0, 1e-12);
        cr_assert_float_eq(ex2->latitude, -33.5, 1e-12);
        free(r);
        /* the non-refreshing walk agrees on a quiet file */
        OK(mth5_channel_summary_ex(m, MTH5_REFRESH_NONE, &r, &n, &E));
        cr_assert_eq(n, 5u);
        free(r);

        mth5_run_row_t *rr = NULL;
        OK(mth5_run_summary(m, &rr, &n, &E));
        cr_assert_eq(n, 4u, "%zu run rows", n);
        int seen = 0;
        for (size_t i = 0; i < n; i++) {
            if (!strcmp(rr[i].station, STATION) && !strcmp(rr[i].run, RUN)) {
                cr_assert_eq(rr[i].n_channels, 3u);
                cr_assert_eq(rr[i].n_samples, 512u);
                cr_assert_float_eq(rr[i].sample_rate, 256.0, 1e-12);
                cr_assert_str_eq(rr[i].path, RUN_PATH);
                seen |= 1;
            } else if (!strcmp(rr[i].run, "r002")) {
                cr_assert_eq(rr[i].n_channels, 1u);
                cr_assert_eq(rr[i].n_samples, 80u);
                seen |= 2;
            } else if (!strcmp(rr[i].station, "ST02")) {
                cr_assert_eq(rr[i].n_channels, 1u);
                cr_assert_eq(rr[i].n_samples, 10u);
                seen |= 4;
            } else if (!strcmp(rr[i].survey, "S2")) {
                cr_assert_str_eq(rr[i].station, "A1");
                cr_assert_eq(rr[i].n_channels, 0u);
                cr_assert_eq(rr[i].n_samples, 0u);
                cr_assert_float_eq(rr[i].sample_rate, 4.0, 1e-12);
                seen |= 8;
            }
        }
        cr_assert_eq(seen, 15, "runs seen: mask %d", seen);
        free(rr);
        OK(mth5_run_summary_ex(m, MTH5_REFRESH_NONE, &rr, &n, &E));
        cr_assert_eq(n, 4u);
        free(rr);
        OK(mth5_close(m, &E));
    }
}

Test(mth5, summary_table_rebuilt_on_close)
{
    const char *p = tu_path("table.h5");
    /* a new file gets an empty table */
    mth5_t *m = NULL;
    OK(mth5_open(p, "w", false, &m, &E));
    OK(mth5_close(m, &E));
    OK(mth5_open(p, "r", false, &m, &E));
    mth5_table_row_t *t = (mth5_table_row_t *)1;
    size_t n = 99;
    OK(mth5_summary_table_read(m, &t, &n, &E));
    cr_assert_eq(n, 0u);
    free(t);
    OK(mth5_close(m, &E));

    build_many(p);
    OK(mth5_open(p, "r", false, &m, &E));
    OK(mth5_summary_table_read(m, &t, &n, &E));
    cr_assert_eq(n, 5u, "%zu table rows", n);
    struct {
        const char *survey, *station, *run, *comp;
        int64_t n;
        double rate;
        const char *end;
    } want[] = {
        {SURVEY, STATION, RUN, "ex", 512, 256, "2020-01-01T00:00:02.000000+00:00"},
        {SURVEY, STATION, RUN, "ey", 100, 256, NULL},
        {SURVEY, STATION, RUN, "hx", 0, 256, START_NORM},
        {SURVEY, STATION, "r002", "hz", 80, 8, "2020-02-01T00:00:10.000000+00:00"},
        {SURVEY, "ST02", RUN, "ex", 10, 1, "2020-01-01T00:00:10.000000+00:00"},
    };
    for (int i = 0; i < 5; i++) {
        long k = mth5_summary_table_find(t, n, want[i].survey, want[i].station, want[i].run, want[i].comp);
        cr_assert_geq(k, 0, "no table row for %s/%s/%s", want[i].station, want[i].run, want[i].comp);
        cr_assert_eq(t[k].n_samples, want[i].n, "%s/%s/%s n_samples %lld", want[i].station, want[i].run, want[i].comp,
                     (long long)t[k].n_samples);
        cr_assert_float_eq(t[k].sample_rate, want[i].rate, 1e-12);
        if (want[i].end)
            cr_assert_str_eq(t[k].end, want[i].end);
    }
    cr_assert_eq(mth5_summary_table_find(t, n, SURVEY, STATION, RUN, "hz"), -1);
    cr_assert_eq(mth5_summary_table_find(t, n, "S2", "A1", "r1", "ex"), -1);
    free(t);
    OK(mth5_close(m, &E));

    /* a non-SWMR writer appends and adds a channel: the table follows on close */
    OK(mth5_open(p, "a", false, &m, &E));
    mth5_channel_t *hx = NULL;
    OK(mth5_channel_open(m, SURVEY, STATION, RUN, "hx", &hx, &E));
    append_pattern(hx, 64, true);
    mth5_channel_opts_t o = {.name = "ex", .type = MTH5_ELECTRIC};
    OK(mth5_add_channel(m, "S2", "A1", "r1", &o, NULL, &E));
    OK(mth5_close(m, &E));
    OK(mth5_open(p, "r", false, &m, &E));
    OK(mth5_summary_table_read(m, &t, &n, &E));
    cr_assert_eq(n, 6u);
    long k = mth5_summary_table_find(t, n, SURVEY, STATION, RUN, "hx");
    cr_assert_geq(k, 0);
    cr_assert_eq(t[k].n_samples, 64);
    cr_assert_str_eq(t[k].end, "2020-01-01T00:00:00.250000+00:00");
    cr_assert_geq(mth5_summary_table_find(t, n, "S2", "A1", "r1", "ex"), 0);
    free(t);
    OK(mth5_close(m, &E));
}

Test(mth5, summary_table_rebuild_then_read_sees_new_table)
{
    const char *p = tu_path("rebuild.h5");
    build(p, 10, 0);
    mth5_t *m = NULL;
    OK(mth5_open(p, "a", false, &m, &E));
    mth5_table_row_t *t = NULL;
    size_t n = 0;
    OK(mth5_summary_table_read(m, &t, &n, &E));
    long k = mth5_summary_table_find(t, n, SURVEY, STATION, RUN, "ex");
    cr_assert_geq(k, 0);
    cr_assert_eq(t[k].n_samples, 10);
    free(t);
    mth5_channel_t *ex = NULL;
    OK(mth5_channel_open_path(m, EX_PATH, &ex, &E));
    append_pattern(ex, 15, true);
    OK(mth5_summary_table_rebuild(m, &E));
    OK(mth5_summary_table_read(m, &t, &n, &E));
    k = mth5_summary_table_find(t, n, SURVEY, STATION, RUN, "ex");
    cr_assert_geq(k, 0);
    cr_assert_eq(t[k].n_samples, 25, "read after rebuild sees %lld samples", (long long)t[k].n_samples);
    free(t);
    /* an in-place update after a rebuild lands in the new table */
    OK(mth5_summary_table_update(m, (size_t)k, 7, START_NORM, &E));
    OK(mth5_summary_table_read(m, &t, &n, &E));
    cr_assert_eq(t[k].n_samples, 7);
    free(t);
    OK(mth5_close(m, &E));
}

Test(mth5, summary_table_missing)
{
    const char *p = tu_path("notable.h5");
    build(p, 1, 1);
    hid_t f = H5Fopen(p, H5F_ACC_RDWR, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    cr_assert_geq(H5Ldelete(f, "/Experiment/channel_summary", H5P_DEFAULT), 0);
    H5Fclose(f);
    mth5_t *m = NULL;
    OK(mth5_open(p, "r", false, &m, &E));
    mth5_table_row_t *t = (mth5_table_row_t *)1;
    size_t n = 99;
    FAILS(mth5_summary_table_read(m, &t, &n, &E), H5S_ENOENT);
    cr_assert_null(t);
    cr_assert_eq(n, 0u);
    OK(mth5_close(m, &E));
}

/* Reads the has_data enum of row k of the stored table with raw HDF5. */
static int8_t raw_has_data(const char *path, size_t k)
{
    hid_t f = raw_open(path);
    hid_t d = H5Dopen2(f, "/Experiment/channel_summary", H5P_DEFAULT);
    cr_assert_geq(d, 0);
    hid_t e = H5Tenum_create(H5T_NATIVE_INT8);
    int8_t v0 = 0, v1 = 1;
    H5Tenum_insert(e, "FALSE", &v0);
    H5Tenum_insert(e, "TRUE", &v1);
    hid_t mt = H5Tcreate(H5T_COMPOUND, 1);
    H5Tinsert(mt, "has_data", 0, e);
    hid_t fs = H5Dget_space(d);
    hsize_t st[1] = {k}, cnt[1] = {1};
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, st, NULL, cnt, NULL);
    hid_t ms = H5Screate_simple(1, cnt, NULL);
    int8_t v = -1;
    cr_assert_geq(H5Dread(d, mt, ms, fs, H5P_DEFAULT, &v), 0, "cannot read has_data");
    H5Sclose(ms);
    H5Sclose(fs);
    H5Tclose(mt);
    H5Tclose(e);
    H5Dclose(d);
    H5Fclose(f);
    return v;
}

Test(mth5, summary_table_update_in_swmr_write_mode)
{
    const char *p = tu_path("update.h5");
    build(p, 0, 0);
    mth5_t *m = NULL;
    OK(mth5_open(p, "a", true, &m, &E));
    mth5_table_row_t *t = NULL;
    size_t n = 0;
    OK(mth5_summary_table_read(m, &t, &n, &E));
    cr_assert_eq(n, 2u);
    long kx = mth5_summary_table_find(t, n, SURVEY, STATION, RUN, "ex");
    long kh = mth5_summary_table_find(t, n, SURVEY, STATION, RUN, "hx");
    cr_assert(kx >= 0 && kh >= 0);
    cr_assert_eq(t[kx].n_samples, 0);
    free(t);
    mth5_channel_t *ex = NULL;
    OK(mth5_channel_open_path(m, EX_PATH, &ex, &E));
    append_pattern(ex, 512, true);
    const char *end = "2020-01-01T00:00:02.000000+00:00";
    OK(mth5_summary_table_update(m, (size_t)kx, 512, end, &E));
    FAILS(mth5_summary_table_update(m, 2, 1, end, &E), H5S_EINVAL);
    FAILS(mth5_summary_table_update(m, 1000, 1, end, &E), H5S_EINVAL);
    OK(mth5_flush(m, &E));
    OK(mth5_summary_table_read(m, &t, &n, &E));
    cr_assert_eq(n, 2u, "an update changed the number of rows");
    cr_assert_eq(t[kx].n_samples, 512);
    cr_assert_str_eq(t[kx].end, end);
    cr_assert_eq(t[kh].n_samples, 0, "the other row changed");
    free(t);
    OK(mth5_close(m, &E));
    /* persisted, and the other fields of the row survived the partial write */
    OK(mth5_open(p, "r", false, &m, &E));
    OK(mth5_summary_table_read(m, &t, &n, &E));
    cr_assert_eq(n, 2u);
    cr_assert_eq(t[kx].n_samples, 512);
    cr_assert_str_eq(t[kx].end, end);
    cr_assert_str_eq(t[kx].survey, SURVEY);
    cr_assert_str_eq(t[kx].station, STATION);
    cr_assert_str_eq(t[kx].run, RUN);
    cr_assert_str_eq(t[kx].component, "ex");
    cr_assert_str_eq(t[kx].start, START_NORM);
    cr_assert_float_eq(t[kx].sample_rate, RATE, 1e-12);
    free(t);
    OK(mth5_close(m, &E));
    cr_assert_eq(raw_has_data(p, (size_t)kx), 1);
    cr_assert_eq(raw_has_data(p, (size_t)kh), 0);
}

/* ---- cross-process SWMR -------------------------------------------------------- */

#define BLOCK 300

typedef struct wargs {
    const char *path;
    bool plain; /* reopen as a plain (non-SWMR) writer instead */
} wargs_t;

static int child_fail(int out, const char *what, const h5s_err_t *e)
{
    dprintf(2, "SWMR writer child: %s: %s\n", what, e->msg);
    tu_send(out, 'E');
    return 2;
}

/* The forked SWMR writer: creates the file (non-SWMR, so the table is built),
 * reopens it with 'a' in SWMR mode (or as a plain writer), says 'R', then for each 'g' appends BLOCK
 * samples of the pattern to ex (corked) and hx (uncorked), updates their
 * table rows, flushes and says 'k'. 'q' or EOF ends it. */
static int swmr_writer_child(void *arg, int in, int out)
{
    wargs_t *a = arg;
    h5s_err_t e = {0};
    mth5_t *m = NULL;
    mth5_channel_t *ex = NULL, *hx = NULL;
    mth5_channel_opts_t oe = {.name = "ex", .type = MTH5_ELECTRIC, .dtype = MTH5_FLOAT64, .chunk = 128};
    mth5_channel_opts_t oh = {.name = "hx", .type = MTH5_MAGNETIC, .dtype = MTH5_FLOAT32, .chunk = 128};
    if (h5s_hdf5_quiet() < 0)
        return 2;
    if (mth5_open(a->path, "w", false, &m, &e) < 0 || mth5_add_survey(m, SURVEY, &e) < 0 ||
        mth5_add_station(m, SURVEY, STATION, &META, &e) < 0 ||
        mth5_add_run(m, SURVEY, STATION, RUN, RATE, START, &e) < 0 ||
        mth5_add_channel(m, SURVEY, STATION, RUN, &oe, NULL, &e) < 0 ||
        mth5_add_channel(m, SURVEY, STATION, RUN, &oh, NULL, &e) < 0 || mth5_close(m, &e) < 0)
        return child_fail(out, "create", &e);
    m = NULL;
    if (mth5_open(a->path, "a", !a->plain, &m, &e) < 0)
        return child_fail(out, "reopen", &e);
    mth5_table_row_t *t = NULL;
    size_t nt = 0;
    if (mth5_channel_open_path(m, EX_PATH, &ex, &e) < 0 || mth5_channel_open_path(m, HX_PATH, &hx, &e) < 0 ||
        mth5_summary_table_read(m, &t, &nt, &e) < 0)
        return child_fail(out, "open channels", &e);
    long kx = mth5_summary_table_find(t, nt, SURVEY, STATION, RUN, "ex");
    long kh = mth5_summary_table_find(t, nt, SURVEY, STATION, RUN, "hx");
    free(t);
    if (kx < 0 || kh < 0)
        return child_fail(out, "table rows", &e);
    if (tu_send(out, 'R') < 0)
        return 2;
    uint64_t n = 0;
    int rc = 0;
    for (;;) {
        char c = 0;
        int r = tu_recv(in, &c, TU_TIMEOUT_MS);
        if (r < 0) {
            rc = 3; /* the parent went silent */
            break;
        }
        if (r == 0 || c == 'q')
            break;
        if (c != 'g')
            continue;
        double d[BLOCK];
        float f[BLOCK];
        for (size_t i = 0; i < BLOCK; i++)
            f[i] = (float)(d[i] = (double)(n + i + 1));
        char end[48];
        mth5_iso_add(START, (double)(n + BLOCK) / RATE, end, sizeof end);
        if (mth5_channel_append(ex, d, BLOCK, true, &e) < 0 || mth5_channel_append(hx, f, BLOCK, false, &e) < 0 ||
            mth5_summary_table_update(m, (size_t)kx, (int64_t)(n + BLOCK), end, &e) < 0 ||
            mth5_summary_table_update(m, (size_t)kh, (int64_t)(n + BLOCK), end, &e) < 0 || mth5_flush(m, &e) < 0)
            return child_fail(out, "append", &e);
        n += BLOCK;
        if (tu_send(out, 'k') < 0)
            return 2;
    }
    if (mth5_close(m, &e) < 0)
        return child_fail(out, "close", &e);
    return rc;
}

static void start_writer(tu_child_t *c, wargs_t *a)
{
    cr_assert_eq(tu_child_start(c, swmr_writer_child, a), 0, "fork failed");
    char r = 0;
    int got = tu_recv(c->from, &r, TU_TIMEOUT_MS);
    cr_assert_eq(got, 1, "the SWMR writer never said ready (%s)", got == 0 ? "EOF" : "timeout");
    cr_assert_eq(r, 'R', "the SWMR writer failed to start ('%c')", r);
}

static void finish_writer(tu_child_t *c)
{
    int st = 0;
    cr_assert_eq(tu_send(c->to, 'q'), 0);
    cr_assert_eq(tu_child_finish(c, TU_TIMEOUT_MS, &st), 0, "the SWMR writer did not exit");
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the SWMR writer ended with %s", tu_status_str(st));
}

/* A refusal as H5S_ELOCKED keeps the cause HDF5's error stack gave: the file
 * lock, or the superblock's flags saying a writer has the file open. */
static void assert_lock_cause(const h5s_err_t *e, const char *mode)
{
    cr_assert(e->cause == H5S_CAUSE_LOCKED || e->cause == H5S_CAUSE_ALREADY_OPEN, "mode %s: cause %s (%s)", mode,
              h5s_cause_name(e->cause), e->msg);
}

Test(mth5, only_one_writer)
{
    const char *p = tu_path("locked.h5");
    tu_child_t c;
    wargs_t a = {p, false};
    start_writer(&c, &a);
    /* a second writer, SWMR or not, and a plain reader are refused */
    struct {
        const char *mode;
        bool swmr;
    } refused[] = {
        {"a", true}, {"r+", true}, {"a", false}, {"r+", false}, {"r", false},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        mth5_t *m = (mth5_t *)1;
        h5s_err_clear(&E);
        int rc = mth5_open(p, refused[i].mode, refused[i].swmr, &m, &E);
        cr_assert_null(m, "mode %s swmr %d opened a file held by an SWMR writer", refused[i].mode, refused[i].swmr);
        cr_assert_eq(rc, H5S_ELOCKED, "mode %s swmr %d -> %s (%s)", refused[i].mode, refused[i].swmr, h5s_errname(rc),
                     E.msg);
        assert_lock_cause(&E, refused[i].mode);
        assert_msg(&E, refused[i].mode);
    }
    /* w and x do not clobber it */
    mth5_t *m = NULL;
    h5s_err_clear(&E);
    int rc = mth5_open(p, "x", false, &m, &E);
    cr_assert_eq(rc, H5S_EEXIST, "x -> %s", h5s_errname(rc));
    /* an SWMR reader gets in and sees the tree */
    OK(mth5_open(p, "r", true, &m, &E));
    cr_assert(mth5_is_swmr_mode(m));
    cr_assert_not(mth5_is_writable(m));
    mth5_summary_row_t *rows = NULL;
    size_t n = 0;
    OK(mth5_channel_summary(m, &rows, &n, &E));
    cr_assert_eq(n, 2u);
    free(rows);
    OK(mth5_close(m, &E));
    finish_writer(&c);
    /* the writer closed cleanly: a normal writer may open now */
    OK(mth5_open(p, "a", false, &m, &E));
    OK(mth5_close(m, &E));
}

/* HDF5 truncates (open with O_TRUNC) before it takes the file lock, and an
 * SWMR writer has released its lock: 'w' must check first. */
static void w_does_not_clobber(bool plain)
{
    const char *p = tu_path("clobber.h5");
    tu_child_t c;
    wargs_t a = {p, plain};
    start_writer(&c, &a);
    struct stat st0;
    cr_assert_eq(stat(p, &st0), 0);
    mth5_t *m = NULL;
    h5s_err_clear(&E);
    int rc = mth5_open(p, "w", false, &m, &E);
    if (rc == 0)
        mth5_close(m, NULL);
    cr_assert_eq(rc, H5S_ELOCKED, "w on a file held by a%s writer -> %s (%s)", plain ? " plain" : "n SWMR",
                 h5s_errname(rc), E.msg);
    assert_lock_cause(&E, "w");
    assert_msg(&E, "w");
    struct stat st1;
    cr_assert_eq(stat(p, &st1), 0);
    cr_assert_eq(st1.st_size, st0.st_size, "the file was truncated");
    /* the writer still works on an intact file */
    char k = 0;
    cr_assert_eq(tu_send(c.to, 'g'), 0);
    cr_assert_eq(tu_recv(c.from, &k, TU_TIMEOUT_MS), 1);
    cr_assert_eq(k, 'k');
    finish_writer(&c);
    OK(mth5_open(p, "r", false, &m, &E));
    mth5_channel_t *ex = NULL;
    OK(mth5_channel_open_path(m, EX_PATH, &ex, &E));
    cr_assert_eq(mth5_channel_length(ex), (uint64_t)BLOCK);
    assert_pattern(ex, BLOCK);
    OK(mth5_close(m, &E));
}

Test(mth5, w_does_not_clobber_a_file_held_by_an_swmr_writer)
{
    w_does_not_clobber(false);
}

Test(mth5, w_does_not_clobber_a_file_held_by_a_plain_writer)
{
    w_does_not_clobber(true);
}

Test(mth5, plain_writer_locks_out_everyone)
{
    const char *p = tu_path("plain-locked.h5");
    tu_child_t c;
    wargs_t a = {p, true};
    start_writer(&c, &a);
    for (size_t i = 0; i < NOPENS; i++) {
        mth5_t *m = (mth5_t *)1;
        h5s_err_clear(&E);
        int rc = mth5_open(p, OPENS[i].mode, OPENS[i].swmr, &m, &E);
        cr_assert_null(m);
        cr_assert_eq(rc, H5S_ELOCKED, "mode %s swmr %d -> %s (%s)", OPENS[i].mode, OPENS[i].swmr, h5s_errname(rc),
                     E.msg);
        assert_lock_cause(&E, OPENS[i].mode);
        assert_msg(&E, OPENS[i].mode);
    }
    finish_writer(&c);
}

Test(mth5, cross_process_growth_seen_by_swmr_reader)
{
    const char *p = tu_path("growth.h5");
    tu_child_t c;
    wargs_t a = {p, false};
    start_writer(&c, &a);
    mth5_t *m = NULL;
    OK(mth5_open(p, "r", true, &m, &E));
    mth5_channel_t *ex = NULL, *hx = NULL;
    OK(mth5_channel_open(m, SURVEY, STATION, RUN, "ex", &ex, &E));
    OK(mth5_channel_open_path(m, HX_PATH, &hx, &E));
    uint64_t len = 99;
    OK(mth5_channel_refresh(ex, &len, &E));
    cr_assert_eq(len, 0u);
    mth5_table_row_t *t = NULL;
    size_t nt = 0;
    OK(mth5_summary_table_read(m, &t, &nt, &E));
    long kx = mth5_summary_table_find(t, nt, SURVEY, STATION, RUN, "ex");
    cr_assert_geq(kx, 0);
    cr_assert_eq(t[kx].n_samples, 0);
    free(t);
    for (unsigned step = 1; step <= 4; step++) {
        uint64_t want = (uint64_t)step * BLOCK;
        char k = 0;
        cr_assert_eq(tu_send(c.to, 'g'), 0);
        int got = tu_recv(c.from, &k, TU_TIMEOUT_MS);
        cr_assert_eq(got, 1, "step %u: no answer from the writer", step);
        cr_assert_eq(k, 'k', "step %u: the writer failed", step);
        /* the held handles see the growth only after a refresh */
        cr_assert_eq(mth5_channel_length(ex), want - BLOCK);
        OK(mth5_channel_refresh(ex, &len, &E));
        cr_assert_eq(len, want, "step %u: ex has %llu samples", step, (unsigned long long)len);
        cr_assert_eq(mth5_channel_length(ex), want);
        OK(mth5_channel_refresh(hx, &len, &E));
        cr_assert_eq(len, want, "step %u: hx has %llu samples", step, (unsigned long long)len);
        assert_pattern(ex, want);
        assert_pattern(hx, want);
        /* the refreshing walk sees it too */
        mth5_summary_row_t *rows = NULL;
        size_t n = 0;
        OK(mth5_channel_summary(m, &rows, &n, &E));
        cr_assert_eq(n, 2u);
        cr_assert_eq(find_row(rows, n, STATION, RUN, "ex")->n_samples, want);
        cr_assert_eq(find_row(rows, n, STATION, RUN, "hx")->n_samples, want);
        free(rows);
        mth5_run_row_t *runs = NULL;
        OK(mth5_run_summary(m, &runs, &n, &E));
        cr_assert_eq(n, 1u);
        cr_assert_eq(runs[0].n_samples, want);
        free(runs);
        /* and the stored table, updated in place by the writer */
        OK(mth5_summary_table_read(m, &t, &nt, &E));
        cr_assert_eq(nt, 2u);
        cr_assert_eq(t[kx].n_samples, (int64_t)want, "step %u: table says %lld", step, (long long)t[kx].n_samples);
        char end[48];
        mth5_iso_add(START, (double)want / RATE, end, sizeof end);
        cr_assert_str_eq(t[kx].end, end);
        free(t);
    }
    OK(mth5_close(m, &E));
    finish_writer(&c);
}

/* ---- tools ---------------------------------------------------------------------- */

Test(mth5, h5dump_reads_the_file)
{
    if (!H5DUMP[0] || access(H5DUMP, X_OK) != 0)
        cr_skip_test("h5dump not found");
    const char *p = tu_path("dump.h5");
    build_many(p);
    static char out[16384];
    int st = 0;
    const char *argv[] = {H5DUMP, "-n", p, NULL}; /* the list of objects */
    cr_assert_eq(tu_run(argv, TU_TIMEOUT_MS, &st, out, sizeof out), 0, "h5dump timed out");
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "h5dump -n: %s\n%s", tu_status_str(st), out);
    cr_assert_not_null(strstr(out, "/Experiment/channel_summary"), "%s", out);
    cr_assert_not_null(strstr(out, "/Experiment/Surveys/S1/Stations/ST02/r001/ex"), "%s", out);
    const char *argva[] = {H5DUMP, "-a", "/file.type", p, NULL};
    cr_assert_eq(tu_run(argva, TU_TIMEOUT_MS, &st, out, sizeof out), 0, "h5dump timed out");
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "h5dump -a: %s\n%s", tu_status_str(st), out);
    cr_assert_not_null(strstr(out, "\"MTH5\""), "%s", out);
    const char *argv2[] = {H5DUMP, p, NULL};
    cr_assert_eq(tu_run(argv2, TU_TIMEOUT_MS, &st, NULL, 0), 0, "h5dump timed out");
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "h5dump: %s", tu_status_str(st));
    /* and it fails on a file that is not HDF5 (so the check above can fail) */
    const char *t = tu_path("text.h5");
    tu_write_text(t, "nope\n");
    const char *argv3[] = {H5DUMP, t, NULL};
    cr_assert_eq(tu_run(argv3, TU_TIMEOUT_MS, &st, NULL, 0), 0);
    cr_assert(!(WIFEXITED(st) && WEXITSTATUS(st) == 0), "h5dump accepted a text file");
}
