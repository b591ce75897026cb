/* test_interop.c - h5py (an independent HDF5 reader) reads what the MTH5 layer
 * writes: a closed file checked as MTH5 checks it, and an SWMR reader in
 * Python following a forked C SWMR writer. The checks live in
 * tests/interop_h5py.py, run with /usr/bin/python3 (H5SWMR_PYTHON). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "mth5.h"
#include "pattern.h"
#include "testutil.h"

TestSuite(interop, .init = tu_setup, .fini = tu_teardown, .timeout = 90);

#define SCRIPT H5SWMR_SOURCE_DIR "/tests/interop_h5py.py"
#define PY_TIMEOUT_MS 60000
#define FOLLOW_N 2000
#define FOLLOW_BLOCK 100
#define FOLLOW_PATH "/Experiment/Surveys/S1/Stations/ST01/r001/ex"

static h5s_err_t E;

#define OK(expr)                                                                                                       \
    do {                                                                                                               \
        h5s_err_clear(&E);                                                                                             \
        int rc_ = (expr);                                                                                              \
        cr_assert_eq(rc_, 0, "%s -> %s: %s", #expr, h5s_errname(rc_), E.msg);                                          \
    } while (0)

static void need_python(void)
{
    if (!H5SWMR_PYTHON_OK || access(H5SWMR_PYTHON, X_OK) != 0)
        cr_skip_test("%s with h5py is not available", H5SWMR_PYTHON);
    cr_assert_eq(access(SCRIPT, R_OK), 0, "cannot read %s", SCRIPT);
}

/* Appends n samples of the pattern value[i] = i + 1 in the channel's dtype. */
static void append_pattern(mth5_channel_t *ch, size_t n)
{
    mth5_dtype_t dt = mth5_channel_dtype(ch);
    void *b = tu_counting_samples(dt, mth5_channel_length(ch), n);
    OK(mth5_channel_append(ch, b, n, true, &E));
    free(b);
}

/* S1/ST01 (with a location): r001 at 256 Hz with ex, ey (electric), hx, hy, hz
 * (magnetic), float32 and float64, with data; r002 at 8 Hz with an empty ex.
 * Closed without SWMR, so the channel_summary table is rebuilt. */
static void build_interop(const char *path)
{
    mth5_t *m = NULL;
    OK(mth5_open(path, "w", false, &m, &E));
    mth5_station_meta_t meta = {45.25, -110.5, 1510.0};
    OK(mth5_add_survey(m, "S1", &E));
    OK(mth5_add_station(m, "S1", "ST01", &meta, &E));
    OK(mth5_add_run(m, "S1", "ST01", "r001", 256, "2021-03-04T05:06:07+00:00", &E));
    OK(mth5_add_run(m, "S1", "ST01", "r002", 8, "2021-03-05T00:00:00+00:00", &E));
    struct {
        const char *name;
        mth5_ctype_t t;
        mth5_dtype_t dt;
        size_t n;
        bool compress;
        double az;
    } c[] = {
        {"ex", MTH5_ELECTRIC, MTH5_FLOAT32, 1000, false, 0}, {"ey", MTH5_ELECTRIC, MTH5_FLOAT64, 1000, true, 90},
        {"hx", MTH5_MAGNETIC, MTH5_FLOAT64, 1500, false, 0}, {"hy", MTH5_MAGNETIC, MTH5_FLOAT32, 777, true, 90},
        {"hz", MTH5_MAGNETIC, MTH5_FLOAT64, 3, false, 0},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        mth5_channel_opts_t o = {.name = c[i].name,
                                 .type = c[i].t,
                                 .dtype = c[i].dt,
                                 .chunk = 512,
                                 .compress = c[i].compress,
                                 .azimuth = c[i].az};
        mth5_channel_t *ch = NULL;
        OK(mth5_add_channel(m, "S1", "ST01", "r001", &o, &ch, &E));
        append_pattern(ch, c[i].n);
    }
    mth5_channel_opts_t o = {.name = "ex", .type = MTH5_ELECTRIC, .dtype = MTH5_FLOAT64};
    OK(mth5_add_channel(m, "S1", "ST01", "r002", &o, NULL, &E));
    OK(mth5_close(m, &E));
}

static int run_script(const char *const argv[], char *out, size_t cap)
{
    int st = 0;
    cr_assert_eq(tu_run(argv, PY_TIMEOUT_MS, &st, out, cap), 0, "%s timed out:\n%s", SCRIPT, out);
    return st;
}

Test(interop, h5py_reads_closed_file_as_mth5)
{
    need_python();
    const char *p = tu_path("interop.h5");
    build_interop(p);
    static char out[16384];
    const char *argv[] = {H5SWMR_PYTHON, SCRIPT, p, "--channels", "6", NULL};
    int st = run_script(argv, out, sizeof out);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "interop_h5py.py: %s\n%s", tu_status_str(st), out);
    cr_assert_not_null(strstr(out, "ok"), "%s", out);
}

/* The script must be able to fail: a fixed-length file.version (which MTH5
 * rejects) and a table row whose n_samples disagrees with its dataset. */
Test(interop, h5py_check_catches_a_broken_file)
{
    need_python();
    const char *p = tu_path("broken.h5");
    build_interop(p);
    /* grow one channel behind the table's back (raw HDF5, no rebuild) */
    hid_t f = H5Fopen(p, H5F_ACC_RDWR, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    hid_t d = H5Dopen2(f, "/Experiment/Surveys/S1/Stations/ST01/r001/hz", H5P_DEFAULT);
    hsize_t dims[1] = {4};
    cr_assert_geq(H5Dset_extent(d, dims), 0);
    H5Dclose(d);
    cr_assert_geq(H5Adelete(f, "file.version"), 0);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, 5);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(f, "file.version", t, sp, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert_geq(H5Awrite(a, t, "0.2.0"), 0);
    H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(t);
    cr_assert_geq(H5Fclose(f), 0);
    static char out[16384];
    const char *argv[] = {H5SWMR_PYTHON, SCRIPT, p, NULL};
    int st = run_script(argv, out, sizeof out);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "interop_h5py.py on a broken file: %s\n%s", tu_status_str(st),
              out);
    cr_assert_not_null(strstr(out, "file.version: fixed-length"), "%s", out);
    cr_assert_not_null(strstr(out, "n_samples 3, dataset has 4"), "%s", out);
}

/* The forked C SWMR writer: creates the file, reopens it in SWMR-write mode,
 * says 'R'; on 'g' appends one block of FOLLOW_BLOCK samples of the pattern,
 * flushes, says 'k'; 'q' or EOF ends it. */
static int follow_writer(void *arg, int in, int out)
{
    const char *path = arg;
    h5s_err_t e = {0};
    mth5_t *m = NULL;
    mth5_channel_t *ch = NULL;
    mth5_channel_opts_t o = {.name = "ex", .type = MTH5_ELECTRIC, .dtype = MTH5_FLOAT64, .chunk = 256};
    if (h5s_hdf5_quiet() < 0)
        return 2;
    if (mth5_open(path, "w", false, &m, &e) < 0 || mth5_add_survey(m, "S1", &e) < 0 ||
        mth5_add_station(m, "S1", "ST01", NULL, &e) < 0 || mth5_add_run(m, "S1", "ST01", "r001", 100, NULL, &e) < 0 ||
        mth5_add_channel(m, "S1", "ST01", "r001", &o, NULL, &e) < 0 || mth5_close(m, &e) < 0 ||
        (m = NULL, mth5_open(path, "a", true, &m, &e) < 0) || mth5_channel_open_path(m, FOLLOW_PATH, &ch, &e) < 0)
        goto fail;
    tu_send(out, 'R');
    for (;;) {
        char c = 0;
        int r = tu_recv(in, &c, 30000);
        if (r < 0) {
            mth5_close(m, NULL);
            return 3;
        }
        if (r == 0 || c == 'q')
            break;
        if (c != 'g')
            continue;
        double buf[FOLLOW_BLOCK];
        uint64_t n = mth5_channel_length(ch);
        for (size_t i = 0; i < FOLLOW_BLOCK; i++)
            buf[i] = (double)(n + i + 1);
        if (mth5_channel_append(ch, buf, FOLLOW_BLOCK, true, &e) < 0 || mth5_flush(m, &e) < 0)
            goto fail;
        tu_send(out, 'k');
    }
    if (mth5_close(m, &e) < 0)
        goto fail;
    return 0;
fail:
    dprintf(2, "SWMR writer child: %s\n", e.msg);
    tu_send(out, 'E');
    return 2;
}

Test(interop, h5py_swmr_reader_follows_c_writer)
{
    need_python();
    const char *p = tu_path("follow.h5");
    tu_child_t c;
    cr_assert_eq(tu_child_start(&c, follow_writer, (void *)p), 0);
    char r = 0;
    cr_assert_eq(tu_recv(c.from, &r, TU_TIMEOUT_MS), 1, "the writer never said ready");
    cr_assert_eq(r, 'R', "the writer failed to start");
    /* Python opens as an SWMR reader while the writer is in SWMR mode ... */
    static tu_proc_t py;
    char n[32];
    snprintf(n, sizeof n, "%d", FOLLOW_N);
    const char *argv[] = {H5SWMR_PYTHON, SCRIPT, "--swmr-follow", p, FOLLOW_PATH, n, NULL};
    cr_assert_eq(tu_spawn(&py, argv), 0);
    cr_assert_eq(tu_proc_wait_output(&py, "opened", PY_TIMEOUT_MS), 0, "the h5py reader did not open:\n%s", py.buf);
    /* ... and only then does the writer append, one block at a time: the
     * reader must report every new length before the next block. */
    for (int b = 1; b * FOLLOW_BLOCK <= FOLLOW_N; b++) {
        cr_assert_eq(tu_send(c.to, 'g'), 0);
        int got = tu_recv(c.from, &r, TU_TIMEOUT_MS);
        cr_assert_eq(got, 1, "block %d: no answer from the writer", b);
        cr_assert_eq(r, 'k', "block %d: the writer failed to append", b);
        char seen[64];
        snprintf(seen, sizeof seen, "\nseen %d\n", b * FOLLOW_BLOCK);
        cr_assert_eq(tu_proc_wait_output(&py, seen, TU_TIMEOUT_MS), 0,
                     "block %d: the h5py reader did not see %d samples:\n%s", b, b * FOLLOW_BLOCK, py.buf);
    }
    int st = 0;
    cr_assert_eq(tu_proc_finish(&py, PY_TIMEOUT_MS, &st), 0, "the h5py reader timed out:\n%s", py.buf);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "interop_h5py.py --swmr-follow: %s\n%s", tu_status_str(st),
              py.buf);
    cr_assert_not_null(strstr(py.buf, "followed 2000 samples"), "%s", py.buf);
    cr_log_info("h5py reader: %s", strstr(py.buf, "followed"));
    cr_assert_eq(tu_send(c.to, 'q'), 0);
    cr_assert_eq(tu_child_finish(&c, TU_TIMEOUT_MS, &st), 0, "the writer did not exit");
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the writer ended with %s", tu_status_str(st));
    /* The writer closed from SWMR mode, so the stored table still says 0
     * samples (attributes and the table are not rewritten in SWMR mode); a
     * non-SWMR writer rebuilds it, then the full check passes. */
    mth5_t *m = NULL;
    OK(mth5_open(p, "a", false, &m, &E));
    OK(mth5_summary_table_rebuild(m, &E));
    OK(mth5_close(m, &E));
    static char out[16384];
    const char *argv2[] = {H5SWMR_PYTHON, SCRIPT, p, "--channels", "1", NULL};
    st = run_script(argv2, out, sizeof out);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "interop_h5py.py after SWMR: %s\n%s", tu_status_str(st), out);
}

/* The Python implementation of the sample pattern that external readers use
 * (harness/clients/h5swmr_pattern.py) gives the C implementation's key and
 * values: at the start, at a billion, and across the index 2^32. */
Test(interop, python_pattern_equals_c)
{
    if (!H5SWMR_PYTHON_OK || access(H5SWMR_PYTHON, X_OK) != 0)
        cr_skip_test("%s with h5py is not available", H5SWMR_PYTHON);
    const uint64_t starts[] = {0, 1000000000, (UINT64_C(1) << 32) - 300};
    enum { NV = 600 };
    for (size_t s = 0; s < 3; s++) {
        char start[32], out[NV * 12 + 64];
        snprintf(start, sizeof start, "%llu", (unsigned long long)starts[s]);
        const char *const argv[] = {
            H5SWMR_PYTHON, H5SWMR_SOURCE_DIR "/harness/clients/h5swmr_pattern.py", FOLLOW_PATH, start, "600", NULL};
        int st = 0;
        cr_assert_eq(tu_run(argv, PY_TIMEOUT_MS, &st, out, sizeof out), 0);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "h5swmr_pattern.py: %s\n%s", tu_status_str(st), out);
        char *save = NULL, *line = strtok_r(out, "\n", &save);
        cr_assert_not_null(line);
        cr_assert_eq(strtoull(line, NULL, 10), pat_key(FOLLOW_PATH), "key %s", line);
        for (int i = 0; i < NV; i++) {
            line = strtok_r(NULL, "\n", &save);
            cr_assert_not_null(line, "only %d values from Python", i);
            cr_assert_eq(atol(line), pat_value(pat_key(FOLLOW_PATH), starts[s] + (uint64_t)i),
                         "sample %llu: Python %s, C %d", (unsigned long long)starts[s] + (unsigned long long)i, line,
                         pat_value(pat_key(FOLLOW_PATH), starts[s] + (uint64_t)i));
        }
    }
}
