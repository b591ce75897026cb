/* test_misuse.c - bad input and misuse of the real h5swmr program (issue 10):
 * nothing destroyed, nothing crashes, nothing hangs; one clear line and exit
 * 2 for what is refused. Real files, real processes, real signals. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mth5.h"
#include "testutil.h"

TestSuite(misuse, .init = tu_setup, .fini = tu_teardown, .timeout = 240);

static char g_out[16384];

/* Runs h5swmr with up to 31 arguments; returns its exit status (a crash fails the test). */
static int h5swmr(const char *a1, ...)
{
    const char *argv[32] = {H5SWMR_BIN};
    int n = 1;
    va_list ap;
    va_start(ap, a1);
    for (const char *a = a1; a && n < 31; a = va_arg(ap, const char *))
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    int status;
    g_out[0] = '\0';
    cr_assert_eq(tu_run(argv, 90000, &status, g_out, sizeof g_out), 0, "h5swmr %s did not finish in time: %s", a1,
                 g_out);
    cr_assert(WIFEXITED(status), "h5swmr %s: %s\n%s", a1, tu_status_str(status), g_out);
    return WEXITSTATUS(status);
}

/* The output is exactly one line, starting with "h5swmr". */
static void assert_one_line(void)
{
    size_t l = strlen(g_out);
    cr_assert(l > 0 && g_out[l - 1] == '\n', "no line: '%s'", g_out);
    cr_assert_eq(strchr(g_out, '\n'), g_out + l - 1, "more than one line:\n%s", g_out);
    cr_assert(!strncmp(g_out, "h5swmr", 6), "%s", g_out);
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static const char *scenario(const char *name, const char *text)
{
    const char *p = tu_path(name);
    cr_assert_eq(tu_write_text(p, text), 0);
    return p;
}

static const char *kv(const char *key, const char *value)
{
    static char buf[8][1200];
    static int k;
    char *b = buf[k++ % 8];
    snprintf(b, sizeof buf[0], "%s=%s", key, value);
    return b;
}

/* ---- (5) a multi-job scenario with one data file ------------------------- */

Test(misuse, multi_job_scenario_with_one_file_is_refused_without_crash)
{
    const char *res = tu_path("results"), *file = tu_path("x.mth5");
    int rc = h5swmr("run", H5SWMR_SOURCE_DIR "/scenarios/sweep_quick.ini", "-o", kv("file", file), "-o",
                    kv("results_dir", res), NULL);
    cr_assert_eq(rc, 2, "exit %d: %s", rc, g_out);
    assert_one_line();
    cr_assert(strstr(g_out, "same data file"), "%s", g_out);
    cr_assert(!tu_exists(file) && !tu_exists(res), "a refused run created files");
    const char *two = scenario("two.ini", "[global]\nreaders = 0\nmax_blocks = 2\nduration = 0\nrealtime = false\n"
                                          "[a]\nblock_samples = 100\n[b]\nblock_samples = 200\n");
    rc = h5swmr("write", two, "-o", kv("file", file), "-o", kv("results_dir", res), NULL);
    cr_assert_eq(rc, 2, "exit %d: %s", rc, g_out);
    assert_one_line();
    cr_assert(strstr(g_out, "[a]") && strstr(g_out, "[b]"), "%s", g_out);
    cr_assert(!tu_exists(file) && !tu_exists(res), "a refused run created files");
}

/* ---- (6) watch of an MTH5-looking file with an old superblock ------------ */

/* A file as HDF5's defaults make it (version-0 superblock, not SWMR-capable)
 * with MTH5's root attribute and tree, and one chunked 1-D channel. */
static void make_old_superblock_mth5(const char *path)
{
    hid_t fid = H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert_geq(fid, 0);
    hid_t st = H5Tcopy(H5T_C_S1);
    H5Tset_size(st, H5T_VARIABLE);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(fid, "file.type", st, sp, H5P_DEFAULT, H5P_DEFAULT);
    const char *v = "MTH5";
    cr_assert_geq(H5Awrite(a, st, &v), 0);
    H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(st);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t g = H5Gcreate2(fid, "/Experiment/Surveys/s/Stations/st/r", lcpl, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert_geq(g, 0);
    hsize_t dims[1] = {10}, maxd[1] = {H5S_UNLIMITED}, chunk[1] = {4};
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 1, chunk);
    sp = H5Screate_simple(1, dims, maxd);
    hid_t ds = H5Dcreate2(g, "ex", H5T_IEEE_F32LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    cr_assert_geq(ds, 0);
    float buf[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    cr_assert_geq(H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), 0);
    H5Dclose(ds);
    H5Sclose(sp);
    H5Pclose(dcpl);
    H5Gclose(g);
    H5Pclose(lcpl);
    cr_assert_geq(H5Fclose(fid), 0);
}

Test(misuse, watch_of_an_old_superblock_file_is_refused_without_crash)
{
    const char *f = tu_path("old.mth5");
    make_old_superblock_mth5(f);
    int rc = h5swmr("watch", f, "--duration", "1", NULL);
    cr_assert_eq(rc, 2, "exit %d: %s", rc, g_out);
    assert_one_line();
    cr_assert(strstr(g_out, "old.mth5") && strstr(g_out, "superblock"), "%s", g_out);
    rc = h5swmr("watch", f, "/Experiment/Surveys/s/Stations/st/r/ex", "--duration", "1", NULL);
    cr_assert_eq(rc, 2, "exit %d: %s", rc, g_out);
    assert_one_line();
    /* summary reads it (no SWMR needed) */
    cr_assert_eq(h5swmr("summary", f, NULL), 0, "%s", g_out);
    /* an SWMR reader of the MTH5 layer reads it as the static file it is */
    mth5_t *m = NULL;
    mth5_channel_t *ch = NULL;
    h5s_err_t err;
    cr_assert_eq(mth5_open(f, "r", true, &m, &err), 0, "%s", err.msg);
    cr_assert(mth5_is_static(m));
    cr_assert_eq(mth5_channel_open_path(m, "/Experiment/Surveys/s/Stations/st/r/ex", &ch, &err), 0, "%s", err.msg);
    uint64_t len = 0;
    cr_assert_eq(mth5_channel_refresh(ch, &len, &err), 0, "%s", err.msg);
    cr_assert_eq(len, 10);
    mth5_summary_row_t *rows = NULL;
    size_t n = 0;
    cr_assert_eq(mth5_channel_summary(m, &rows, &n, &err), 0, "%s", err.msg);
    cr_assert_eq(n, 1);
    free(rows);
    mth5_channel_close(ch);
    cr_assert_eq(mth5_close(m, &err), 0, "%s", err.msg);
}

/* ---- (10, 17) numbers and arguments -------------------------------------- */

Test(misuse, watch_numbers_must_be_finite_and_in_range)
{
    const char *f = tu_path("none.mth5");
    const char *bad[] = {"nan", "NAN", "-nan", "inf", "-inf", "infinity", "-1", "1e300", "86401", "0x", "", " 1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = h5swmr("watch", f, "--interval", bad[i], NULL);
        cr_assert_eq(rc, 2, "--interval '%s': exit %d: %s", bad[i], rc, g_out);
        assert_one_line();
        cr_assert(strstr(g_out, "--interval"), "%s", g_out);
        rc = h5swmr("watch", f, "--duration", bad[i], NULL);
        cr_assert_eq(rc, 2, "--duration '%s': exit %d: %s", bad[i], rc, g_out);
        assert_one_line();
    }
}

Test(misuse, extra_arguments_are_refused)
{
    cr_assert_eq(h5swmr("--version", "extra", NULL), 2, "%s", g_out);
    assert_one_line();
    cr_assert_eq(h5swmr("-V", "x", NULL), 2, "%s", g_out);
    cr_assert_eq(h5swmr("--help", "x", NULL), 2, "%s", g_out);
    cr_assert_eq(h5swmr("--version", NULL), 0, "%s", g_out);
    cr_assert_eq(h5swmr("summary", "a", "b", NULL), 2, "%s", g_out);
    assert_one_line();
}

Test(misuse, flushcost_lists_and_option_values)
{
    const char *bad[] = {"1,,2", ",1", "1,", ",", "1,2,,", "1, 2", "nan", "0", "100001"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = h5swmr("flushcost", "--counts", bad[i], "--dir", tu_path("d"), NULL);
        cr_assert_eq(rc, 2, "--counts '%s': exit %d: %s", bad[i], rc, g_out);
        assert_one_line();
    }
    cr_assert(!tu_exists(tu_path("d")), "a refused flushcost created its directory");
    /* an option where a value belongs is not a file name */
    cr_assert(chdir(tu_dir()) == 0);
    int rc = h5swmr("flushcost", "--csv", "--json", "j.json", "--counts", "1", NULL);
    cr_assert_eq(rc, 2, "exit %d: %s", rc, g_out);
    assert_one_line();
    cr_assert(!tu_exists(tu_path("--json")) && !tu_exists(tu_path("j.json")), "a file was created");
    const char *nums[][2] = {{"--budget", "nan"}, {"--budget", "inf"}, {"--budget", "-1"}, {"--budget", "1e9"},
                             {"--rounds", "0"},   {"--rounds", "1e3"}, {"--block", "-5"},  {"--block", "99999999999"}};
    for (size_t i = 0; i < sizeof nums / sizeof *nums; i++) {
        rc = h5swmr("flushcost", nums[i][0], nums[i][1], "--counts", "1", NULL);
        cr_assert_eq(rc, 2, "%s '%s': exit %d: %s", nums[i][0], nums[i][1], rc, g_out);
        assert_one_line();
    }
}

/* ---- (15) data file paths that must not be written ------------------------ */

static char g_sc[1200]; /* the scenario (tu_path's buffers rotate) */

/* h5swmr run on file=path (with overwrite=true when asked): exit 2, one line
 * containing want, and no results directory. */
static void refused_data_file(const char *path, bool overwrite, const char *want)
{
    const char *res = tu_path("results");
    int rc = h5swmr("run", g_sc, "-o", kv("file", path), "-o", kv("results_dir", res), "-o",
                    overwrite ? "overwrite=true" : "overwrite=false", NULL);
    cr_assert_eq(rc, 2, "file=%s: exit %d: %s", path, rc, g_out);
    assert_one_line();
    cr_assert(strstr(g_out, want), "file=%s: no '%s' in: %s", path, want, g_out);
    cr_assert(!tu_exists(res), "file=%s: a results directory was created", path);
}

Test(misuse, data_file_must_be_absent_or_a_regular_file)
{
    snprintf(g_sc, sizeof g_sc, "%s",
             scenario("s.ini", "[global]\nreaders = 0\nmax_blocks = 2\nduration = 0\nrealtime = false\n"));
    refused_data_file("/proc/self/status", true, "procfs");
    refused_data_file("/proc/h5swmr-new.mth5", false, "procfs");
    refused_data_file("/sys/kernel/h5swmr.mth5", false, "sysfs");
    refused_data_file("/dev/null", true, "character device");
    cr_assert(!strstr(g_out, "h5clear"), "%s", g_out);
    const char *fifo = tu_path("fifo");
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    refused_data_file(fifo, true, "FIFO");
    struct stat st;
    cr_assert(stat(fifo, &st) == 0 && S_ISFIFO(st.st_mode));
    const char *dang = tu_path("dangling.mth5");
    cr_assert_eq(symlink(tu_path("nowhere/x.mth5"), dang), 0);
    refused_data_file(dang, false, "dangling");
    refused_data_file(dang, true, "dangling");
    cr_assert(lstat(dang, &st) == 0 && S_ISLNK(st.st_mode));
    cr_assert(!tu_exists(tu_path("nowhere")));
    refused_data_file(tu_dir(), true, "directory");
    const char *txt = tu_path("notes.txt");
    cr_assert_eq(tu_write_text(txt, "keep\n"), 0);
    refused_data_file(tu_path("notes.txt/x.mth5"), false, "Not a directory");
    refused_data_file(tu_path("nodir/x.mth5"), false, "nodir");
    refused_data_file(tu_path("new\nline.mth5"), false, "new?line");
    cr_assert(tu_file_equals(txt, (const unsigned char *)"keep\n", 5));
    cr_assert_eq(stat("/dev/null", &st), 0);
    cr_assert(S_ISCHR(st.st_mode), "/dev/null is no longer a device");
}

/* A child holding path open: an SWMR writer (swmr) or a plain reader. */
typedef struct holder {
    const char *path;
    bool swmr;
} holder_t;

static int hold_file(void *arg, int in, int out)
{
    holder_t *h = arg;
    mth5_t *m = NULL;
    if (mth5_open(h->path, h->swmr ? "a" : "r", h->swmr, &m, NULL) < 0)
        return 1;
    tu_send(out, 'R');
    char c;
    tu_recv(in, &c, 60000); /* until the parent closes the pipe */
    mth5_close(m, NULL);
    return 0;
}

Test(misuse, data_file_in_use_is_not_replaced)
{
    snprintf(g_sc, sizeof g_sc, "%s",
             scenario("s.ini", "[global]\nreaders = 0\nmax_blocks = 2\nduration = 0\nrealtime = false\n"));
    const char *f = tu_path("busy.mth5");
    mth5_t *m;
    h5s_err_t err;
    cr_assert_eq(mth5_open(f, "x", false, &m, &err), 0, "%s", err.msg);
    cr_assert_eq(mth5_close(m, &err), 0, "%s", err.msg);
    unsigned char *before;
    size_t blen;
    for (int swmr = 0; swmr < 2; swmr++) {
        holder_t h = {f, swmr};
        tu_child_t c;
        cr_assert_eq(tu_child_start(&c, hold_file, &h), 0);
        char r;
        cr_assert_eq(tu_recv(c.from, &r, TU_TIMEOUT_MS), 1, "the holder did not open %s", f);
        cr_assert_eq(tu_read_file(f, &before, &blen), 0);
        refused_data_file(f, true, "in use");
        cr_assert(tu_file_equals(f, before, blen), "a file in use was changed");
        free(before);
        int status;
        cr_assert_eq(tu_child_finish(&c, TU_TIMEOUT_MS, &status), 0);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s", tu_status_str(status));
    }
    /* no longer in use: replaced when asked */
    int rc = h5swmr("run", g_sc, "-o", kv("file", f), "-o", kv("results_dir", tu_path("results")), "-o",
                    "overwrite=true", "-o", "quiet=true", NULL);
    cr_assert_eq(rc, 0, "exit %d: %s", rc, g_out);
}

Test(misuse, messages_echoing_a_path_stay_one_line)
{
    const char *nl = tu_path("a\nb.mth5");
    const char *cmds[] = {"summary", "finalize", "watch"};
    for (size_t i = 0; i < 3; i++) {
        int rc = h5swmr(cmds[i], nl, NULL);
        cr_assert_eq(rc, 2, "%s: exit %d: %s", cmds[i], rc, g_out);
        assert_one_line();
        cr_assert(strstr(g_out, "a?b.mth5"), "%s", g_out);
    }
    cr_assert_eq(h5swmr("watch", nl, "--interval", "x\ny", NULL), 2, "%s", g_out);
    assert_one_line();
    cr_assert_eq(h5swmr("frob\nnicate", NULL), 2, "%s", g_out);
    assert_one_line();
}

/* ---- (9) flushcost ends on SIGINT and SIGTERM, leaving no scratch file ---- */

/* Waits (poll, bounded) for an inotify event in mask. 0 seen, -1 not. */
static int wait_inotify(int ifd, uint32_t mask, int timeout_ms)
{
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    struct pollfd pf = {.fd = ifd, .events = POLLIN};
    while (poll(&pf, 1, timeout_ms) == 1) {
        ssize_t n = read(ifd, buf, sizeof buf);
        for (char *p = buf; n > 0 && p < buf + n;) {
            struct inotify_event *e = (struct inotify_event *)p;
            if (e->mask & mask)
                return 0;
            p += sizeof *e + e->len;
        }
    }
    return -1;
}

/* Starts flushcost on count datasets with its scratch files in a watched
 * directory, waits for event (IN_CREATE: the scratch file is being made;
 * IN_CLOSE_WRITE: it was made and closed, the SWMR rounds begin), sends sig and
 * expects exit 130 within a bound far below what the work would take, with no
 * scratch file left. */
static void flushcost_interrupted(const char *count, uint32_t event, int sig)
{
    const char *dir = tu_path("scratch");
    cr_assert_eq(mkdir(dir, 0755), 0);
    int ifd = inotify_init1(IN_CLOEXEC);
    cr_assert_geq(ifd, 0);
    cr_assert_geq(inotify_add_watch(ifd, dir, IN_CREATE | IN_CLOSE_WRITE), 0);
    const char *argv[] = {H5SWMR_BIN, "flushcost", "--counts", count, "--rounds", "1",
                          "--budget", "0",         "--dir",    dir,   NULL};
    tu_proc_t p;
    cr_assert_eq(tu_spawn(&p, argv), 0);
    /* creating 100,000 datasets takes tens of seconds on a slow machine */
    cr_assert_eq(wait_inotify(ifd, event, 200000), 0, "flushcost never got there");
    close(ifd);
    cr_assert_eq(count_entries(dir), 1, "no scratch file while measuring");
    cr_assert_eq(kill(p.pid, sig), 0);
    int status;
    /* without checks, the round of 100,000 flushes alone runs for minutes */
    cr_assert_eq(tu_proc_finish(&p, 20000, &status), 0, "flushcost ignored signal %d: %s", sig, p.buf);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 130, "%s: %s", tu_status_str(status), p.buf);
    cr_assert(strstr(p.buf, "interrupted"), "%s", p.buf);
    cr_assert_eq(count_entries(dir), 0, "a scratch file was left in %s", dir);
}

Test(misuse, flushcost_ends_on_sigterm_while_creating)
{
    flushcost_interrupted("100000", IN_CREATE, SIGTERM);
}

Test(misuse, flushcost_ends_on_sigint_in_a_round_of_20000_flushes)
{
    flushcost_interrupted("20000", IN_CLOSE_WRITE, SIGINT);
}

/* ---- (4) plot does not replace plots it did not just make ------------------ */

Test(misuse, plot_refuses_existing_plots_unless_forced)
{
    const char *dir = tu_path("res");
    cr_assert_eq(mkdir(dir, 0755), 0);
    char csv[1200], png[1200];
    snprintf(csv, sizeof csv, "%s/flushcost.csv", dir);
    snprintf(png, sizeof png, "%s/flushcost_round.png", dir);
    cr_assert_eq(tu_write_text(csv, "n_datasets,flush_call,rounds,round_p50_us,round_p90_us,per_dataset_us\n"
                                    "1,dflush,10,10.0,12.0,10.0\n10,dflush,10,50.0,60.0,5.0\n"
                                    "1,fflush,10,11.0,13.0,11.0\n10,fflush,10,40.0,45.0,4.0\n"),
                 0);
    const char *mine = "my own picture\n";
    cr_assert_eq(tu_write_text(png, mine), 0);
    int rc = h5swmr("plot", dir, NULL);
    cr_assert_eq(rc, 2, "exit %d: %s", rc, g_out);
    assert_one_line();
    cr_assert(strstr(g_out, "flushcost_round.png") && strstr(g_out, "--force"), "%s", g_out);
    cr_assert(tu_file_equals(png, (const unsigned char *)mine, strlen(mine)), "plot replaced %s", png);
    cr_assert_eq(count_entries(dir), 2, "plot wrote files although it refused");
    /* with --force it goes ahead (and still keeps a file that is not a plot) */
    rc = h5swmr("plot", dir, "--force", NULL);
    cr_assert_neq(rc, 2, "--force was refused: %s", g_out);
    cr_assert(tu_file_equals(png, (const unsigned char *)mine, strlen(mine)), "plot replaced %s", png);
    /* a directory it plotted before: a second plot needs --force */
    const char *d2 = tu_path("res2");
    cr_assert_eq(mkdir(d2, 0755), 0);
    snprintf(csv, sizeof csv, "%s/flushcost.csv", d2);
    cr_assert_eq(tu_write_text(csv, "n_datasets,flush_call,rounds,round_p50_us,round_p90_us,per_dataset_us\n"
                                    "1,dflush,10,10.0,12.0,10.0\n10,dflush,10,50.0,60.0,5.0\n"),
                 0);
    rc = h5swmr("plot", d2, NULL);
    if (rc != 0)
        return; /* no gnuplot here: nothing was plotted */
    cr_assert_eq(h5swmr("plot", d2, NULL), 2, "%s", g_out);
    assert_one_line();
    cr_assert_eq(h5swmr("plot", d2, "--force", NULL), 0, "%s", g_out);
}

/* ---- (17) flushcost outputs: new regular files, or --force ----------------- */

Test(misuse, flushcost_writes_outputs_only_as_regular_files)
{
    const char *fifo = tu_path("out.fifo");
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    const char *bad[] = {"/dev/null", fifo, tu_dir()};
    for (size_t i = 0; i < 3; i++)
        for (int force = 0; force < 2; force++) {
            int rc = h5swmr("flushcost", "--counts", "1", "--rounds", "1", "--budget", "0", "--csv", bad[i],
                            force ? "--force" : NULL, NULL);
            cr_assert_eq(rc, 2, "--csv %s: exit %d: %s", bad[i], rc, g_out);
            assert_one_line();
        }
    struct stat st;
    cr_assert(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
    cr_assert(stat(fifo, &st) == 0 && S_ISFIFO(st.st_mode));
    const char *dir = tu_path("out");
    cr_assert_eq(mkdir(dir, 0755), 0);
    char csv[1200], json[1200];
    snprintf(csv, sizeof csv, "%s/fc.csv", dir);
    snprintf(json, sizeof json, "%s/fc.json", dir);
    const char *mine = "mine\n";
    cr_assert_eq(tu_write_text(csv, mine), 0);
    int rc = h5swmr("flushcost", "--counts", "1", "--rounds", "1", "--budget", "0", "--csv", csv, NULL);
    cr_assert_eq(rc, 2, "exit %d: %s", rc, g_out);
    assert_one_line();
    cr_assert(strstr(g_out, "--force"), "%s", g_out);
    cr_assert(tu_file_equals(csv, (const unsigned char *)mine, strlen(mine)));
    rc = h5swmr("flushcost", "--counts", "1", "--rounds", "1", "--budget", "0", "--csv", csv, "--json", json, "--force",
                NULL);
    cr_assert_eq(rc, 0, "exit %d: %s", rc, g_out);
    unsigned char *buf;
    size_t len;
    cr_assert_eq(tu_read_file(csv, &buf, &len), 0);
    cr_assert(len > 10 && !memcmp(buf, "n_datasets,", 11), "%.*s", (int)len, buf);
    free(buf);
    cr_assert(tu_exists(json));
    cr_assert_eq(count_entries(dir), 2, "temporary files left in %s", dir);
    cr_assert(stat(csv, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0044), "mode %o", st.st_mode);
    /* a new file is never replaced by a run without --force */
    rc = h5swmr("flushcost", "--counts", "1", "--rounds", "1", "--budget", "0", "--json", json, NULL);
    cr_assert_eq(rc, 2, "exit %d: %s", rc, g_out);
}

/* ---- (17) finalize says who holds the file -------------------------------- */

static int hold_reader(void *arg, int in, int out)
{
    const char *path = arg;
    mth5_t *m = NULL;
    if (mth5_open(path, "r", false, &m, NULL) < 0)
        return 1;
    tu_send(out, 'R');
    char c;
    tu_recv(in, &c, 60000);
    mth5_close(m, NULL);
    return 0;
}

Test(misuse, finalize_names_a_reader_as_a_reader)
{
    const char *f = tu_path("read.mth5");
    mth5_t *m;
    h5s_err_t err;
    cr_assert_eq(mth5_open(f, "x", false, &m, &err), 0, "%s", err.msg);
    cr_assert_eq(mth5_close(m, &err), 0, "%s", err.msg);
    tu_child_t c;
    cr_assert_eq(tu_child_start(&c, hold_reader, (void *)f), 0);
    char r;
    cr_assert_eq(tu_recv(c.from, &r, TU_TIMEOUT_MS), 1);
    int rc = h5swmr("finalize", f, NULL);
    cr_assert_eq(rc, 2, "exit %d: %s", rc, g_out);
    assert_one_line();
    cr_assert(strstr(g_out, "reads it") && !strstr(g_out, "writer"), "%s", g_out);
    int status;
    cr_assert_eq(tu_child_finish(&c, TU_TIMEOUT_MS, &status), 0);
    cr_assert_eq(h5swmr("finalize", f, NULL), 0, "%s", g_out);
}

/* ---- (16) names of 64 characters and more --------------------------------- */

/* Adds a 1-D float32 dataset of n samples at path (intermediate groups made). */
static void raw_channel(const char *file, const char *path, hsize_t n)
{
    hid_t fid = H5Fopen(file, H5F_ACC_RDWR, H5P_DEFAULT);
    cr_assert_geq(fid, 0);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hsize_t maxd[1] = {H5S_UNLIMITED}, chunk[1] = {16};
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 1, chunk);
    hid_t sp = H5Screate_simple(1, &n, maxd);
    hid_t ds = H5Dcreate2(fid, path, H5T_IEEE_F32LE, sp, lcpl, dcpl, H5P_DEFAULT);
    cr_assert_geq(ds, 0, "cannot create %s", path);
    H5Dclose(ds);
    H5Sclose(sp);
    H5Pclose(dcpl);
    H5Pclose(lcpl);
    cr_assert_geq(H5Fclose(fid), 0);
}

Test(misuse, summary_and_finalize_never_leave_out_long_names)
{
    const char *f = tu_path("long.mth5");
    mth5_t *m;
    h5s_err_t err;
    cr_assert_eq(mth5_open(f, "x", false, &m, &err), 0, "%s", err.msg);
    cr_assert_eq(mth5_add_survey(m, "s", &err), 0, "%s", err.msg);
    cr_assert_eq(mth5_add_station(m, "s", "st", NULL, &err), 0, "%s", err.msg);
    cr_assert_eq(mth5_add_run(m, "s", "st", "r", 1.0, NULL, &err), 0, "%s", err.msg);
    cr_assert_eq(mth5_close(m, &err), 0, "%s", err.msg);
    char name63[64], name64[65], path[1200];
    memset(name63, 'c', 63);
    name63[63] = '\0';
    memset(name64, 'd', 64);
    name64[64] = '\0';
    snprintf(path, sizeof path, "/Experiment/Surveys/s/Stations/st/r/%s", name63);
    raw_channel(f, path, 7);
    cr_assert_eq(h5swmr("summary", f, NULL), 0, "%s", g_out);
    cr_assert(strstr(g_out, name63) && strstr(g_out, "1 channel;"), "%s", g_out);
    cr_assert_eq(h5swmr("finalize", f, NULL), 0, "%s", g_out);
    cr_assert_eq(h5swmr("summary", f, NULL), 0, "%s", g_out);
    cr_assert(!strstr(g_out, "missing"), "the table lost a channel with a long name:\n%s", g_out);
    /* 64 characters and more, in a run and in a channel name: listed and finalized */
    const char *where[] = {"/Experiment/Surveys/s/Stations/st/r/%s", "/Experiment/Surveys/s/Stations/st/%s/ex"};
    for (int k = 0; k < 2; k++) {
        const char *g = tu_path(k ? "long2.mth5" : "long1.mth5");
        char cmd[1300];
        snprintf(cmd, sizeof cmd, "cp '%s' '%s'", f, g);
        cr_assert_eq(system(cmd), 0);
        snprintf(path, sizeof path, where[k], name64);
        raw_channel(g, path, 3);
        cr_assert_eq(h5swmr("summary", g, NULL), 0, "%s", g_out);
        cr_assert(strstr(g_out, name64) && strstr(g_out, "2 channels;"), "a long name was left out:\n%s", g_out);
        cr_assert_eq(h5swmr("finalize", g, NULL), 0, "%s", g_out);
        cr_assert_eq(h5swmr("summary", g, NULL), 0, "%s", g_out);
        cr_assert(!strstr(g_out, "missing"), "the table lost a channel with a long name:\n%s", g_out);
    }
    /* past what the walk holds (255 characters): it fails and says so, never leaves the object out */
    char name256[257];
    memset(name256, 'e', 256);
    name256[256] = '\0';
    const char *g = tu_path("long3.mth5");
    char cmd[1300];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", f, g);
    cr_assert_eq(system(cmd), 0);
    snprintf(path, sizeof path, where[0], name256);
    raw_channel(g, path, 3);
    cr_assert_neq(h5swmr("summary", g, NULL), 0, "a channel was left out silently: %s", g_out);
    assert_one_line();
    cr_assert(strstr(g_out, "longer than 255"), "%s", g_out);
    cr_assert_neq(h5swmr("finalize", g, NULL), 0, "%s", g_out);
    assert_one_line();
    cr_assert(strstr(g_out, "longer than 255"), "%s", g_out);
}
