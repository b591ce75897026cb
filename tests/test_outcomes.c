/* test_outcomes.c - verdicts that say what happened: a reader that runs out
 * of time to read what the file already shows has unread samples, not
 * missing ones; samples flushed but never visible would be missing. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "testutil.h"

TestSuite(outcomes, .init = tu_setup, .fini = tu_teardown, .timeout = 120);

Test(outcomes, a_reader_out_of_time_has_unread_samples_not_missing_ones)
{
    char scn[1200], res[1300];
    snprintf(scn, sizeof scn, "%s/scenarios/append_fast.ini", H5SWMR_SOURCE_DIR);
    snprintf(res, sizeof res, "results_dir=%s", tu_path("results"));
    /* a flat-out writer for 2 s (about 1.5 GB), a reader that polls once as
     * it opens and then not for 100 s, and 0.25 s to catch up after STOP:
     * it is stopped with most of the file visible and unread */
    const char *a[] = {"run", scn,
                       "-o",  res,
                       "-o",  "readers=1",
                       "-o",  "duration=2",
                       "-o",  "poll_ms=100000",
                       "-o",  "stop_timeout=0.5",
                       "-o",  "block_samples=65536",
                       "-o",  "verify_file=false",
                       NULL};
    char out[16384];
    int status;
    cr_assert_eq(tu_run_args(H5SWMR_BIN, a, 60000, &status, out, sizeof out), 0, "hung: %s", out);
    cr_assert(WIFEXITED(status), "%s", tu_status_str(status));
    cr_assert_eq(WEXITSTATUS(status), 0, "a reader that ran out of time failed the run:\n%s", out);
    cr_assert(strstr(out, "visible but not read before its deadline"), "the reader caught up after all:\n%s", out);
    cr_assert(!strstr(out, "missing"), "%s", out);
}
