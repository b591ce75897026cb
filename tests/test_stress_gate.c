/* test_stress_gate.c - h5swmr stress (seeded repetition, failures kept and
 * replayed) and h5swmr gate (the regression gate's comparison), with the real
 * program. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "testutil.h"

TestSuite(stress, .init = tu_setup, .fini = tu_teardown, .timeout = 180);
TestSuite(gate, .init = tu_setup, .fini = tu_teardown, .timeout = 60);

static char g_out[16384];

static int run(const char *const *args)
{
    const char *argv[32] = {H5SWMR_BIN};
    int n = 1;
    for (; args[n - 1] && n < 31; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    int status;
    cr_assert_eq(tu_run(argv, 170000, &status, g_out, sizeof g_out), 0, "h5swmr hung: %s", g_out);
    cr_assert(WIFEXITED(status), "%s", tu_status_str(status));
    return WEXITSTATUS(status);
}

/* The one entry of dir (asserts there is exactly one). */
static void only_entry(const char *dir, char *out, size_t cap)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "no %s", dir);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            snprintf(out, cap, "%s/%s", dir, e->d_name);
            n++;
        }
    closedir(d);
    cr_assert_eq(n, 1, "%d entries in %s", n, dir);
}

Test(stress, iterations_with_random_faults_pass_and_leave_nothing)
{
    char r[1200], ini[1200];
    snprintf(r, sizeof r, "results_dir=%s", tu_path("results"));
    snprintf(ini, sizeof ini, "%s/scenarios/append_fast.ini", H5SWMR_SOURCE_DIR);
    const char *args[] = {"stress", ini, "--iterations", "8", "--seed", "7", "-o", r, NULL};
    cr_assert_eq(run(args), 0, "%s", g_out);
    cr_assert(strstr(g_out, "stress: 8 iterations") && strstr(g_out, "no failure"), "%s", g_out);
    cr_assert(strstr(g_out, "kill-writer@"), "seed 7 should inject a writer kill in 8 iterations: %s", g_out);
    /* successful iterations are removed; no failures directory */
    cr_assert(!tu_exists(tu_path("results/failures")));
}

Test(stress, a_failure_is_kept_and_replays)
{
    char r[1200], ini[1200];
    snprintf(r, sizeof r, "results_dir=%s", tu_path("results"));
    snprintf(ini, sizeof ini, "%s/scenarios/append_fast.ini", H5SWMR_SOURCE_DIR);
    /* another process overwriting the file is a failure the final check must catch */
    const char *args[] = {"stress",
                          ini,
                          "--iterations",
                          "5",
                          "--seed",
                          "3",
                          "-o",
                          r,
                          "-o",
                          "corrupt_file_after_ms=150",
                          "-o",
                          "kill_writer_after_ms=0",
                          "-o",
                          "writer_fsize_limit_mb=0",
                          "-o",
                          "realtime=false",
                          "-o",
                          "duration=1",
                          NULL};
    cr_assert_eq(run(args), 3, "%s", g_out);
    cr_assert(strstr(g_out, "FAILED") && strstr(g_out, "replay: h5swmr stress --replay"), "%s", g_out);
    char kept[1400], f[1600];
    only_entry(tu_path("results/failures"), kept, sizeof kept);
    static const char *const files[] = {"data.mth5", "resolved.ini", "seed.txt", "report.txt", "summary.json"};
    for (size_t i = 0; i < 5; i++) {
        snprintf(f, sizeof f, "%s/%s", kept, files[i]);
        cr_assert(tu_exists(f), "the failure directory has no %s", files[i]);
    }
    const char *replay[] = {"stress", "--replay", kept, NULL};
    int rc = run(replay);
    cr_assert_neq(rc, 0, "the replay of a corrupted run passed: %s", g_out);
    cr_assert(strstr(g_out, "replay: FAILED"), "%s", g_out);
}

Test(stress, bad_arguments_exit_2)
{
    const char *a1[] = {"stress", NULL};
    cr_assert_eq(run(a1), 2);
    const char *a2[] = {"stress", "x.ini", "--iterations", "zero", NULL};
    cr_assert_eq(run(a2), 2);
    const char *a3[] = {"stress", "--replay", tu_path("nowhere"), NULL};
    cr_assert_eq(run(a3), 2);
}

/* A minimal sweep.json with one SWMR configuration and its raw baseline. */
static const char *sweep_json(const char *name, double swmr_io, double raw_io, double errors, double exponent)
{
    char text[4096];
    snprintf(
        text, sizeof text,
        "{\"schema_version\":1,\"runs\":["
        "{\"job\":\"t\",\"io_MBps\":%g,\"errors\":0,\"exit_code\":0,\"scenario\":{\"writer_mode\":\"raw\","
        "\"block_samples\":\"16384\",\"nchannels\":\"0\",\"flush_call\":\"dflush\",\"flush_every_blocks\":\"1\","
        "\"poll_ms\":\"500\",\"reader_wait\":\"poll\",\"readers\":\"0\",\"dtype\":\"float32\",\"cork\":\"true\"}},"
        "{\"job\":\"t\",\"io_MBps\":%g,\"errors\":%g,\"exit_code\":0,\"scenario\":{\"writer_mode\":\"swmr\","
        "\"block_samples\":\"16384\",\"nchannels\":\"0\",\"flush_call\":\"dflush\",\"flush_every_blocks\":\"1\","
        "\"poll_ms\":\"500\",\"reader_wait\":\"poll\",\"readers\":\"0\",\"dtype\":\"float32\",\"cork\":\"true\"}}],"
        "\"flush_growth\":[{\"job\":\"c\",\"flush_call\":\"dflush\",\"exponent\":1.4,\"exponent_top\":%g}]}",
        raw_io, swmr_io, errors, exponent);
    const char *p = tu_path(name);
    cr_assert_eq(tu_write_text(p, text), 0);
    return p;
}

Test(gate, passes_within_tolerance_and_names_what_regressed)
{
    char base[1200], same[1200], slow[1200], bad[1200], steep[1200];
    snprintf(base, sizeof base, "%s", sweep_json("base.json", 1300, 4000, 0, 2.0));
    /* the machine is twice as fast overall: ratios unchanged, passes */
    snprintf(same, sizeof same, "%s", sweep_json("same.json", 2600, 8000, 0, 2.1));
    const char *a1[] = {"gate", "--baseline", base, same, NULL};
    cr_assert_eq(run(a1), 0, "%s", g_out);
    cr_assert(strstr(g_out, "gate: ") && strstr(g_out, "passed"), "%s", g_out);
    /* SWMR at a quarter of its ratio to raw: regressed, named, by how much */
    snprintf(slow, sizeof slow, "%s", sweep_json("slow.json", 325, 4000, 0, 2.0));
    const char *a2[] = {"gate", "--baseline", base, slow, NULL};
    cr_assert_eq(run(a2), 1, "%s", g_out);
    cr_assert(strstr(g_out, "REGRESSED [t]") && strstr(g_out, "raw io MB/s") && strstr(g_out, "-75%"), "%s", g_out);
    /* a correctness figure must match exactly */
    snprintf(bad, sizeof bad, "%s", sweep_json("bad.json", 1300, 4000, 3, 2.0));
    const char *a3[] = {"gate", "--baseline", base, bad, NULL};
    cr_assert_eq(run(a3), 1, "%s", g_out);
    cr_assert(strstr(g_out, "errors (any repeat): 3, baseline 0"), "%s", g_out);
    /* flush cost growing faster than the baseline's exponent allows */
    snprintf(steep, sizeof steep, "%s", sweep_json("steep.json", 1300, 4000, 0, 2.9));
    const char *a4[] = {"gate", "--baseline", base, steep, NULL};
    cr_assert_eq(run(a4), 1, "%s", g_out);
    cr_assert(strstr(g_out, "REGRESSED [c] flush_call=dflush flush cost growth exponent"), "%s", g_out);
    /* the committed baseline itself passes against itself */
    char committed[1200];
    snprintf(committed, sizeof committed, "%s/results/baseline/sweep.json", H5SWMR_SOURCE_DIR);
    const char *a5[] = {"gate", "--baseline", committed, committed, NULL};
    cr_assert_eq(run(a5), 0, "%s", g_out);
}

Test(gate, bad_input_exit_2)
{
    const char *a1[] = {"gate", NULL};
    cr_assert_eq(run(a1), 2);
    const char *txt = tu_path("x.json");
    tu_write_text(txt, "not json");
    const char *a2[] = {"gate", "--baseline", txt, txt, NULL};
    cr_assert_eq(run(a2), 2);
    cr_assert(strstr(g_out, "cannot read"), "%s", g_out);
    const char *a3[] = {"gate", "--baseline", txt, txt, "--tolerance", "lots", NULL};
    cr_assert_eq(run(a3), 2);
}
