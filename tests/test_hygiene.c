/* test_hygiene.c - what h5swmr's commands and scripts leave on disk, with the
 * real program and scripts: stress iterations that passed (or were
 * interrupted) leave no data file behind unless keep_data is set, kept
 * iterations can be replayed, a replay that passes drops its data file, bad
 * input to these options is refused before anything is created; h5swmr plot
 * --force replaces its own plots but no other file of the same name. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <dirent.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "scenario.h"
#include "testutil.h"

TestSuite(stress_data, .init = tu_setup, .fini = tu_teardown, .timeout = 180);
TestSuite(scripts, .init = tu_setup, .fini = tu_teardown, .timeout = 120);

static char g_out[16384];

static int run(const char *const *args)
{
    int status;
    cr_assert_eq(tu_run_args(H5SWMR_BIN, args, 170000, &status, g_out, sizeof g_out), 0, "h5swmr hung: %s", g_out);
    cr_assert(WIFEXITED(status), "%s", tu_status_str(status));
    return WEXITSTATUS(status);
}

/* Every file under a tree (nftw callback state). */
static int g_files;
static char g_first[1200];

static int count_file(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_F || flag == FTW_SL) {
        if (!g_files++)
            snprintf(g_first, sizeof g_first, "%s", path);
    }
    return 0;
}

/* The number of files (not directories) under dir; 0 if dir does not exist. */
static int files_under(const char *dir)
{
    g_files = 0;
    g_first[0] = '\0';
    if (tu_exists(dir))
        cr_assert_eq(nftw(dir, count_file, 16, FTW_PHYS), 0, "cannot walk %s", dir);
    return g_files;
}

/* The entries of dir whose names start with prefix, sorted, into out[]; their count. */
static int entries(const char *dir, const char *prefix, char out[][1400], int max)
{
    struct dirent **list;
    int n = scandir(dir, &list, NULL, alphasort), k = 0;
    cr_assert_geq(n, 0, "cannot read %s", dir);
    for (int i = 0; i < n; i++) {
        if (!strncmp(list[i]->d_name, prefix, strlen(prefix)) && k < max)
            snprintf(out[k++], 1400, "%s/%s", dir, list[i]->d_name);
        free(list[i]);
    }
    free(list);
    return k;
}

/* True if path is an HDF5 file with data in it (the superblock signature at
 * offset 0, more than a superblock's worth of bytes). */
static bool is_hdf5_with_data(const char *path)
{
    unsigned char *buf;
    size_t len;
    if (tu_read_file(path, &buf, &len) != 0)
        return false;
    bool ok = len > 4096 && !memcmp(buf, "\x89HDF\r\n\x1a\n", 8);
    free(buf);
    return ok;
}

static const char *scenario_ini(void)
{
    static char ini[1200];
    snprintf(ini, sizeof ini, "%s/scenarios/append_fast.ini", H5SWMR_SOURCE_DIR);
    return ini;
}

Test(stress_data, passed_iterations_leave_no_data_files)
{
    char r[1200];
    snprintf(r, sizeof r, "results_dir=%s", tu_path("results"));
    const char *args[] = {"stress", scenario_ini(), "--iterations", "4", "--seed", "2", "-o", r, NULL};
    cr_assert_eq(run(args), 0, "%s", g_out);
    cr_assert(strstr(g_out, "iteration 4/4 seed 2") && strstr(g_out, "stress: 4 iterations") &&
                  strstr(g_out, "no failure"),
              "%s", g_out);
    cr_assert(!strstr(g_out, "kept with their data"), "%s", g_out);
    /* four runs wrote their files in results/; none is left, nor anything else */
    cr_assert_eq(files_under(tu_path("results")), 0, "a passed stress left %s (and %d files in all)", g_first, g_files);
}

Test(stress_data, keep_data_keeps_passed_iterations_which_replay)
{
    char r[1200];
    snprintf(r, sizeof r, "results_dir=%s", tu_path("results"));
    const char *args[] = {"stress", scenario_ini(), "--iterations",   "3", "--seed", "2", "-o",
                          r,        "-o",           "keep_data=true", NULL};
    cr_assert_eq(run(args), 0, "%s", g_out);
    cr_assert(strstr(g_out, "stress: 3 iterations kept with their data in"), "%s", g_out);
    cr_assert(!tu_exists(tu_path("results/failures")), "no iteration failed, yet there is a failures directory");
    char work[1][1400], iters[4][1400], f[8192];
    cr_assert_eq(entries(tu_path("results"), "append_fast-stress-", work, 1), 1, "no stress directory kept");
    cr_assert_eq(entries(work[0], "iter-", iters, 4), 3, "not every passed iteration was kept");
    static const char *const kept[] = {"data.mth5", "summary.json", "resolved.ini"};
    for (int i = 0; i < 3; i++) {
        for (size_t k = 0; k < 3; k++) {
            snprintf(f, sizeof f, "%s/%s", iters[i], kept[k]);
            cr_assert(tu_exists(f), "kept iteration %s has no %s", iters[i], kept[k]);
        }
        snprintf(f, sizeof f, "%s/data.mth5", iters[i]);
        cr_assert(is_hdf5_with_data(f), "%s is not an HDF5 file with data", f);
    }

    /* a kept iteration replays; a replay that passes drops its data file... */
    const char *rp[] = {"stress", "--replay", iters[0], NULL};
    cr_assert_eq(run(rp), 0, "%s", g_out);
    cr_assert(strstr(g_out, "replay: passed (data file removed"), "%s", g_out);
    char reps[3][1400];
    cr_assert_eq(entries(iters[0], "replay-", reps, 3), 1);
    snprintf(f, sizeof f, "%s/summary.json", reps[0]);
    cr_assert(tu_exists(f), "the replay wrote no summary.json");
    snprintf(f, sizeof f, "%s/data.mth5", reps[0]);
    cr_assert(!tu_exists(f), "a passed replay kept its data file");
    /* ...unless asked to keep it; the replayed iteration's own file stays */
    const char *rk[] = {"stress", "--replay", iters[0], "-o", "keep_data=true", NULL};
    cr_assert_eq(run(rk), 0, "%s", g_out);
    cr_assert(strstr(g_out, "replay: passed") && !strstr(g_out, "data file removed"), "%s", g_out);
    cr_assert_eq(entries(iters[0], "replay-", reps, 3), 2);
    int with_data = 0;
    for (int i = 0; i < 2; i++) {
        snprintf(f, sizeof f, "%s/data.mth5", reps[i]);
        with_data += is_hdf5_with_data(f);
    }
    cr_assert_eq(with_data, 1, "keep_data=true should keep the second replay's data file only");
    snprintf(f, sizeof f, "%s/data.mth5", iters[0]);
    cr_assert(is_hdf5_with_data(f), "a replay removed the replayed iteration's data file");
}

Test(stress_data, an_interrupted_iteration_leaves_no_data_file)
{
    char r[1200];
    snprintf(r, sizeof r, "results_dir=%s", tu_path("results"));
    /* a paced writer with no readers and no faults, far longer than the test (a
     * block per 65 s): SIGINT after it reported SWMR mode is the only way the
     * iteration ends soon */
    const char *argv[] = {H5SWMR_BIN,
                          "stress",
                          scenario_ini(),
                          "--iterations",
                          "3",
                          "-o",
                          r,
                          "-o",
                          "duration=120",
                          "-o",
                          "realtime=true",
                          "-o",
                          "readers=0",
                          "-o",
                          "early_reader=false",
                          "-o",
                          "kill_writer_after_ms=0",
                          "-o",
                          "kill_reader=0",
                          "-o",
                          "stall_writer_ms=0",
                          "-o",
                          "stall_writer_after_ms=0",
                          "-o",
                          "sample_rate=1000",
                          "-o",
                          "block_samples=65536",
                          "-o",
                          "writer_fsize_limit_mb=0",
                          "-o",
                          "quiet=false",
                          NULL};
    tu_proc_t p;
    cr_assert_eq(tu_spawn(&p, argv), 0);
    cr_assert_eq(tu_proc_wait_output(&p, "SWMR writer mode active", 60000), 0, "the writer did not start: %s", p.buf);
    char data[1500], iters[1][1400];
    cr_assert_eq(entries(tu_path("results"), "append_fast-stress-", iters, 1), 1);
    snprintf(data, sizeof data, "%s/iter-000001/data.mth5", iters[0]);
    cr_assert(tu_exists(data), "the running iteration has no data file at %s", data);
    cr_assert_eq(kill(p.pid, SIGINT), 0);
    int status;
    cr_assert_eq(tu_proc_finish(&p, 60000, &status), 0, "stress did not stop after SIGINT: %s", p.buf);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 130, "%s: %s", tu_status_str(status), p.buf);
    cr_assert(strstr(p.buf, "iteration 1: interrupted (its data removed)"), "%s", p.buf);
    cr_assert_eq(files_under(tu_path("results")), 0, "an interrupted stress left %s", g_first);
}

Test(stress_data, bad_keep_data_and_replay_overrides_exit_2_creating_nothing)
{
    char r[1200];
    snprintf(r, sizeof r, "results_dir=%s", tu_path("results"));
    const char *a1[] = {"stress", scenario_ini(), "-o", r, "-o", "keep_data=maybe", NULL};
    cr_assert_eq(run(a1), 2, "%s", g_out);
    cr_assert(strstr(g_out, "keep_data") && strchr(g_out, '\n') == g_out + strlen(g_out) - 1,
              "not one line naming keep_data: '%s'", g_out);
    cr_assert(!tu_exists(tu_path("results")), "a refused stress created its results directory");

    /* a kept failure's directory, written as stress writes it */
    scn_t s;
    scn_defaults(&s);
    cr_assert_eq(mkdir(tu_path("fail"), 0755), 0);
    FILE *f = fopen(tu_path("fail/resolved.ini"), "w");
    cr_assert_not_null(f);
    cr_assert_eq(scn_write_ini(&s, f), 0);
    fclose(f);
    const char *bad[][2] = {
        {"readers=2", "only -o keep_data"}, {"keep_data=sometimes", "keep_data"}, {"keep_data", "only -o keep_data"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *a[] = {"stress", "--replay", tu_path("fail"), "-o", bad[i][0], NULL};
        cr_assert_eq(run(a), 2, "-o %s: %s", bad[i][0], g_out);
        cr_assert(strstr(g_out, bad[i][1]) && strchr(g_out, '\n') == g_out + strlen(g_out) - 1,
                  "-o %s: not one line naming the problem: '%s'", bad[i][0], g_out);
    }
    char reps[1][1400];
    cr_assert_eq(entries(tu_path("fail"), "replay-", reps, 1), 0, "a refused replay created a directory");
}

/* ---- h5swmr plot --force -------------------------------------------------- */

static const char FLUSHCOST_CSV[] = "n_datasets,flush_call,rounds,round_p50_us,round_p90_us,per_dataset_us\n"
                                    "1,dflush,10,9.0,12.0,9.0\n"
                                    "1,fflush,10,12.0,15.0,12.0\n"
                                    "10,dflush,10,80.0,95.0,8.0\n"
                                    "10,fflush,10,75.0,90.0,7.5\n"
                                    "100,dflush,10,1800.0,2100.0,18.0\n"
                                    "100,fflush,10,760.0,900.0,7.6\n"
                                    "1000,dflush,10,203000.0,220000.0,203.0\n"
                                    "1000,fflush,10,24000.0,26000.0,24.0\n";

static bool have_gnuplot(void)
{
    const char *argv[] = {"/bin/sh", "-c", "command -v gnuplot", NULL};
    int status;
    char out[256];
    return tu_run(argv, 10000, &status, out, sizeof out) == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int plot_force(const char *dir)
{
    const char *argv[] = {H5SWMR_BIN, "plot", "--force", dir, NULL};
    int status;
    cr_assert_eq(tu_run(argv, 60000, &status, g_out, sizeof g_out), 0, "plot hung: %s", g_out);
    cr_assert(WIFEXITED(status), "%s", tu_status_str(status));
    return WEXITSTATUS(status);
}

static bool is_png(const char *path)
{
    unsigned char *buf;
    size_t len;
    if (tu_read_file(path, &buf, &len) != 0)
        return false;
    bool ok = len > 1000 && !memcmp(buf, "\x89PNG\r\n\x1a\n", 8);
    free(buf);
    return ok;
}

Test(scripts, plot_force_replaces_its_plots_but_not_other_files)
{
    if (!have_gnuplot())
        cr_skip_test("gnuplot is not installed");
    const char *dir = tu_path("fc");
    char csv[1200], mine[1200], png[1200], svg[1200];
    cr_assert_eq(mkdir(dir, 0755), 0);
    snprintf(csv, sizeof csv, "%s/flushcost.csv", dir);
    cr_assert_eq(tu_write_text(csv, FLUSHCOST_CSV), 0);
    /* someone's own file under a plot's name */
    static const char notes[] = "my notes, not a plot\n";
    snprintf(mine, sizeof mine, "%s/flushcost.svg", dir);
    cr_assert_eq(tu_write_text(mine, notes), 0);
    cr_assert_eq(plot_force(dir), 1, "plot replaced or ignored a file it did not write: %s", g_out);
    cr_assert(strstr(g_out, "not replacing") && strstr(g_out, "flushcost.svg"), "%s", g_out);
    cr_assert(tu_file_equals(mine, (const unsigned char *)notes, strlen(notes)), "flushcost.svg was overwritten");
    snprintf(png, sizeof png, "%s/flushcost.png", dir);
    cr_assert(!tu_exists(png), "half of a refused plot was written");
    /* the other plot of the same data is written */
    snprintf(png, sizeof png, "%s/flushcost_round.png", dir);
    cr_assert(is_png(png), "flushcost_round.png was not written: %s", g_out);

    /* without the foreign file, a second run replaces its own plots */
    cr_assert_eq(unlink(mine), 0);
    cr_assert_eq(plot_force(dir), 0, "%s", g_out);
    cr_assert_eq(plot_force(dir), 0, "plot did not replace its own plots: %s", g_out);
    cr_assert(strstr(g_out, "2 plot(s) written"), "%s", g_out);
    snprintf(png, sizeof png, "%s/flushcost.png", dir);
    snprintf(svg, sizeof svg, "%s/flushcost.svg", dir);
    cr_assert(is_png(png) && tu_exists(svg), "%s", g_out);
    cr_assert(tu_file_equals(csv, (const unsigned char *)FLUSHCOST_CSV, strlen(FLUSHCOST_CSV)),
              "plot changed the CSV file");
}
