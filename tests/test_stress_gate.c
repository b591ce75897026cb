/* test_stress_gate.c - h5swmr stress (seeded repetition, failures kept and
 * replayed), with the real program. The gate's tests are in test_gate.c. */
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

static char g_out[16384];

static int run(const char *const *args)
{
    int status;
    cr_assert_eq(tu_run_args(H5SWMR_BIN, args, 170000, &status, g_out, sizeof g_out), 0, "h5swmr hung: %s", g_out);
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
    static const char *const files[] = {"data.mth5",  "resolved.ini", "seed.txt",
                                        "report.txt", "summary.json", "report.html"};
    for (size_t i = 0; i < 6; i++) {
        snprintf(f, sizeof f, "%s/%s", kept, files[i]);
        cr_assert(tu_exists(f), "the failure directory has no %s", files[i]);
    }
    /* its report.html: the failure, and how to replay it */
    unsigned char *page;
    size_t len;
    snprintf(f, sizeof f, "%s/report.html", kept);
    cr_assert_eq(tu_read_file(f, &page, &len), 0);
    cr_assert(strstr((char *)page, "Stress failure") && strstr((char *)page, "h5swmr stress --replay "), "%s", page);
    free(page);
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
