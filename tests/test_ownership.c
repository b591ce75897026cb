/* test_ownership.c - a run touches only the file its own writer held: a
 * writer that is refused, or loses the race to create the file, never lets
 * its finalizer recover, verify or rebuild that file. Real processes on real
 * files; each test is the command sequence a user would type. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "testutil.h"

TestSuite(ownership, .init = tu_setup, .fini = tu_teardown, .timeout = 120);

/* A flat-out writer of 1024-sample blocks into file for seconds. */
static void writer_argv(const char *argv[16], const char *file, const char *seconds, bool overwrite)
{
    static char scn[1200], f[3][1300], res[3][1300], dur[3][64];
    static int k;
    k = (k + 1) % 3;
    snprintf(scn, sizeof scn, "%s/scenarios/append_fast.ini", H5SWMR_SOURCE_DIR);
    snprintf(f[k], sizeof f[k], "file=%s", file);
    snprintf(res[k], sizeof res[k], "results_dir=%s", tu_path("results"));
    snprintf(dur[k], sizeof dur[k], "duration=%s", seconds);
    int n = 0;
    argv[n++] = H5SWMR_BIN;
    argv[n++] = "write";
    argv[n++] = scn;
    argv[n++] = "-o";
    argv[n++] = f[k];
    argv[n++] = "-o";
    argv[n++] = res[k];
    argv[n++] = "-o";
    argv[n++] = dur[k];
    argv[n++] = "-o";
    argv[n++] = "block_samples=1024";
    if (overwrite) {
        argv[n++] = "-o";
        argv[n++] = "overwrite=true";
    }
    argv[n] = NULL;
}

static int exit_of(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

Test(ownership, two_writers_racing_to_create_a_file_leave_the_winner_intact)
{
    for (int round = 0; round < 3; round++) {
        char file[1200];
        snprintf(file, sizeof file, "%s/race%d.mth5", tu_dir(), round);
        const char *a[16], *b[16];
        writer_argv(a, file, "2", false);
        writer_argv(b, file, "2", false);
        tu_proc_t pa, pb;
        cr_assert_eq(tu_spawn(&pa, a), 0);
        cr_assert_eq(tu_spawn(&pb, b), 0);
        int sa, sb;
        cr_assert_eq(tu_proc_finish(&pa, 60000, &sa), 0);
        cr_assert_eq(tu_proc_finish(&pb, 60000, &sb), 0);
        int ea = exit_of(sa), eb = exit_of(sb);
        /* one wins and verifies every sample; the other is refused and touches nothing */
        cr_assert((ea == 0 && eb == 2) || (ea == 2 && eb == 0), "round %d: exits %d and %d\n--- A\n%s\n--- B\n%s",
                  round, ea, eb, pa.buf, pb.buf);
        const char *loser = ea ? pa.buf : pb.buf;
        cr_assert(!strstr(loser, "finalizer"), "round %d: the refused writer's run ran a finalizer:\n%s", round, loser);
    }
}

Test(ownership, a_refused_second_writer_leaves_the_live_writer_alone)
{
    const char *file = tu_path("live.mth5");
    const char *a[16], *b[16];
    writer_argv(a, file, "4", false);
    tu_proc_t pa;
    cr_assert_eq(tu_spawn(&pa, a), 0);
    cr_assert_eq(tu_proc_wait_output(&pa, "SWMR writer mode active", 30000), 0, "%s", pa.buf);
    writer_argv(b, file, "1", true);
    char out[16384];
    int sb, sa;
    cr_assert_eq(tu_run(b, 60000, &sb, out, sizeof out), 0);
    cr_assert_eq(exit_of(sb), 2, "the second writer was not refused:\n%s", out);
    cr_assert(!strstr(out, "finalizer"), "the refused run ran a finalizer:\n%s", out);
    cr_assert_eq(tu_proc_finish(&pa, 60000, &sa), 0);
    cr_assert_eq(exit_of(sa), 0, "the live writer was disturbed:\n%s", pa.buf);
    cr_assert(strstr(pa.buf, "result: OK"), "%s", pa.buf);
}

Test(ownership, a_file_left_by_a_killed_writer_is_not_changed_by_a_refused_run)
{
    const char *file = tu_path("killed.mth5");
    char scn[1200], f[1300], res[1300];
    snprintf(scn, sizeof scn, "%s/scenarios/append_fast.ini", H5SWMR_SOURCE_DIR);
    snprintf(f, sizeof f, "file=%s", file);
    snprintf(res, sizeof res, "results_dir=%s", tu_path("results"));
    /* a writer SIGKILLed in SWMR mode, the file left as it died (no finalizer) */
    const char *k[] = {H5SWMR_BIN,
                       "run",
                       scn,
                       "-o",
                       f,
                       "-o",
                       res,
                       "-o",
                       "readers=0",
                       "-o",
                       "duration=5",
                       "-o",
                       "block_samples=1024",
                       "-o",
                       "kill_writer_after_ms=300",
                       "-o",
                       "finalize=false",
                       NULL};
    char out[16384];
    int st;
    cr_assert_eq(tu_run(k, 60000, &st, out, sizeof out), 0);
    cr_assert(tu_exists(file), "%s", out);
    unsigned char *before;
    size_t nbefore;
    cr_assert_eq(tu_read_file(file, &before, &nbefore), 0);
    /* a run asked to overwrite it: its writer cannot, and nothing else may touch the file */
    const char *o[] = {H5SWMR_BIN,       "run", scn, "-o", f, "-o", res, "-o", "readers=0", "-o", "duration=1", "-o",
                       "overwrite=true", NULL};
    cr_assert_eq(tu_run(o, 60000, &st, out, sizeof out), 0);
    cr_assert_neq(exit_of(st), 0, "the run replaced a file left in SWMR-write state:\n%s", out);
    cr_assert(tu_file_equals(file, before, nbefore), "the refused run changed the file:\n%s", out);
    free(before);
}
