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
#include <signal.h>
#include <sys/stat.h>
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

/* The stress arguments of a deterministic failure (the first chunk overwritten
 * by another process, caught by the readers or the final check) in a scenario
 * with more than it needs: two readers, two channels, a writer stall. */
static void failing_args(const char **args, char *r, size_t cap)
{
    static char ini[1200];
    snprintf(r, cap, "results_dir=%s", tu_path("results"));
    snprintf(ini, sizeof ini, "%s/scenarios/append_fast.ini", H5SWMR_SOURCE_DIR);
    static const char *const fixed[] = {
        "corrupt_file_after_ms=100",
        "corrupt_file_target=first_chunk",
        "stall_writer_after_ms=20",
        "stall_writer_ms=20",
        "readers=2",
        "channels=ex,ey",
        "duration=0.2",
        "realtime=true",
        "sample_rate=6400",
        "block_samples=64",
        "kill_writer_after_ms=0",
        "kill_reader=0",
        "writer_fsize_limit_mb=0",
        "early_reader=false",
        "compress=false",
        "reader_wait=poll",
        "flush_every_blocks=1",
        "flush_call=dflush",
        "reader_refresh=refresh",
    };
    int n = 0;
    args[n++] = "stress";
    args[n++] = ini;
    args[n++] = "--iterations";
    args[n++] = "1";
    args[n++] = "-o";
    args[n++] = r;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        args[n++] = "-o";
        args[n++] = fixed[i];
    }
    args[n++] = "--minimize";
    args[n++] = "--minimize-tries";
    args[n++] = "1";
    args[n] = NULL;
}

/* The value of key in the scenario file path (asserts it is there). */
static void ini_value(const char *path, const char *key, char *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no %s", path);
    char line[1400];
    size_t l = strlen(key);
    bool found = false;
    while (!found && fgets(line, sizeof line, f))
        if (!strncmp(line, key, l) && (line[l] == ' ' || line[l] == '=')) {
            char *v = strchr(line, '=') + 1;
            v += strspn(v, " ");
            v[strcspn(v, "\r\n")] = '\0';
            snprintf(out, cap, "%s", v);
            found = true;
        }
    fclose(f);
    cr_assert(found, "%s has no %s", path, key);
}

Test(stress, minimize_shrinks_a_failure_and_keeps_its_cause)
{
    const char *args[64];
    char r[1200], kept[1400], f[1600], v[256];
    failing_args(args, r, sizeof r);
    cr_assert_eq(run(args), 3, "%s", g_out);
    cr_assert(strstr(g_out, "minimize: ") && strstr(g_out, "minimal.ini"), "%s", g_out);
    only_entry(tu_path("results/failures"), kept, sizeof kept);
    snprintf(f, sizeof f, "%s/minimal.ini", kept);
    ini_value(f, "readers", v, sizeof v);
    cr_assert_lt(atoi(v), 2, "readers not reduced: %s\n%s", v, g_out);
    ini_value(f, "stall_writer_ms", v, sizeof v);
    cr_assert_eq(atof(v), 0, "the writer stall, not needed to fail, was kept: %s\n%s", v, g_out);
    ini_value(f, "corrupt_file_after_ms", v, sizeof v);
    cr_assert_eq(atof(v), 100, "the fault that causes the failure was dropped: %s\n%s", v, g_out);
    ini_value(f, "channels", v, sizeof v);
    cr_assert(!strcmp(v, "ex") || !strcmp(v, "ex,ey"), "channels %s", v);
    /* the log says what was tried; dropping the cause was tried and rejected */
    snprintf(f, sizeof f, "%s/minimize.log", kept);
    unsigned char *log;
    size_t len;
    cr_assert_eq(tu_read_file(f, &log, &len), 0, "no %s", f);
    cr_assert(strstr((char *)log, "corrupt_file_after_ms=0 ... rejected (passed"), "%s", (char *)log);
    free(log);
    snprintf(f, sizeof f, "%s/minimize-scratch", kept);
    cr_assert(!tu_exists(f), "the scratch directory stayed");
    /* the minimal failing run is kept and fails again when replayed */
    snprintf(f, sizeof f, "%s/minimal-run", kept);
    const char *replay[] = {"stress", "--replay", f, NULL};
    cr_assert_neq(run(replay), 0, "the minimal scenario passed when replayed: %s", g_out);
    cr_assert(strstr(g_out, "replay: FAILED"), "%s", g_out);
}

Test(stress, minimize_interrupted_exits_130_and_keeps_what_it_found)
{
    const char *args[64], *argv[66] = {H5SWMR_BIN};
    char r[1200], kept[1400], f[1600];
    failing_args(args, r, sizeof r);
    for (int i = 0; args[i]; i++)
        argv[i + 1] = args[i];
    tu_proc_t p;
    cr_assert_eq(tu_spawn(&p, argv), 0);
    cr_assert_eq(tu_proc_wait_output(&p, "minimize: shrinking", 60000), 0, "%s", p.buf);
    kill(p.pid, SIGINT);
    int st;
    cr_assert_eq(tu_proc_finish(&p, 60000, &st), 0, "%s", p.buf);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 130, "%s: %s", tu_status_str(st), p.buf);
    cr_assert(strstr(p.buf, "interrupted"), "%s", p.buf);
    only_entry(tu_path("results/failures"), kept, sizeof kept);
    static const char *const stay[] = {"minimal.ini", "minimize.log", "resolved.ini", "report.txt", "data.mth5"};
    for (size_t i = 0; i < sizeof stay / sizeof stay[0]; i++) {
        snprintf(f, sizeof f, "%s/%s", kept, stay[i]);
        cr_assert(tu_exists(f), "%s is gone after the interruption", stay[i]);
    }
    snprintf(f, sizeof f, "%s/minimize-scratch", kept);
    cr_assert(!tu_exists(f), "the scratch directory stayed after the interruption");
}

Test(stress, minimize_bad_input_exit_2_and_creates_nothing)
{
    char ini[1200], dir[1200], f[1400];
    snprintf(ini, sizeof ini, "%s/scenarios/append_fast.ini", H5SWMR_SOURCE_DIR);
    const char *a1[] = {"stress", ini, "--minimize", "--minimize-budget", "-1", NULL};
    cr_assert_eq(run(a1), 2, "%s", g_out);
    cr_assert(strstr(g_out, "--minimize-budget"), "%s", g_out);
    const char *a2[] = {"stress", ini, "--minimize", "--minimize-budget", "nan", NULL};
    cr_assert_eq(run(a2), 2, "%s", g_out);
    const char *a3[] = {"stress", ini, "--minimize", "--minimize-tries", "0", NULL};
    cr_assert_eq(run(a3), 2, "%s", g_out);
    const char *a4[] = {"stress", ini, "--minimize-tries", "2", NULL};
    cr_assert_eq(run(a4), 2, "%s", g_out);
    cr_assert(strstr(g_out, "not given"), "%s", g_out);
    /* a kept run that did not fail: nothing to minimize */
    snprintf(dir, sizeof dir, "%s", tu_path("passed"));
    cr_assert_eq(mkdir(dir, 0755), 0);
    snprintf(f, sizeof f, "%s/resolved.ini", dir);
    cr_assert_eq(tu_write_text(f, "[global]\nreaders = 1\n"), 0);
    const char *a5[] = {"stress", "--replay", dir, "--minimize", NULL};
    cr_assert_eq(run(a5), 2, "%s", g_out);
    cr_assert(strstr(g_out, "nothing to minimize"), "%s", g_out);
    /* a failure minimized before: nothing overwritten */
    snprintf(f, sizeof f, "%s/report.txt", dir);
    cr_assert_eq(tu_write_text(f, "failed\n"), 0);
    snprintf(f, sizeof f, "%s/minimal.ini", dir);
    cr_assert_eq(tu_write_text(f, "; mine\n"), 0);
    cr_assert_eq(run(a5), 2, "%s", g_out);
    cr_assert(strstr(g_out, "minimized before"), "%s", g_out);
    cr_assert(tu_file_equals(f, (const unsigned char *)"; mine\n", 7));
    const char *ls[] = {"/bin/sh", "-c", "ls -A \"$0\" | wc -l", dir, NULL};
    int st;
    char out[64];
    cr_assert_eq(tu_run(ls, 5000, &st, out, sizeof out), 0);
    cr_assert_eq(atoi(out), 3, "something was created in %s", dir);
}
