/* test_late_readers.c - readers that attach while the writer runs
 * (reader_delay_s): real runs of the h5swmr program, summary.json checked. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "scenario.h"
#include "testutil.h"

TestSuite(late_readers, .init = tu_setup, .fini = tu_teardown, .timeout = 120);

static char g_out[16384];

/* Runs h5swmr with the NULL-terminated args; returns its exit status. */
static int h5swmr(const char *const *args)
{
    int status;
    g_out[0] = '\0';
    cr_assert_eq(tu_run_args(H5SWMR_BIN, args, 90000, &status, g_out, sizeof g_out), 0, "h5swmr did not finish: %s",
                 g_out);
    cr_assert(WIFEXITED(status), "%s\n%s", tu_status_str(status), g_out);
    return WEXITSTATUS(status);
}

static const cJSON *process(const cJSON *j, int i)
{
    const cJSON *p = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "processes"), i);
    cr_assert_not_null(p, "no process %d", i);
    return p;
}

/* A scenario file of a short realtime run with two readers. */
static const char *scenario(void)
{
    const char *p = tu_path("late.ini");
    cr_assert_eq(tu_write_text(p, "[global]\nreaders = 2\nsample_rate = 1000\nblock_samples = 100\n"
                                  "poll_ms = 20\nquiet = true\n"),
                 0);
    return p;
}

/* A reader with a start delay of 1 s in a 3 s run opens the file 1 s or more
 * after READY, reads samples and verifies them; the one without a delay
 * opens at once. */
Test(late_readers, delayed_reader_opens_after_its_delay_and_reads)
{
    char res[1200];
    snprintf(res, sizeof res, "results_dir=%s", tu_path("results"));
    const char *args[] = {"run", scenario(), "-o", "reader_delay_s=0,1", "-o", "duration=3", "-o", res, NULL};
    cr_assert_eq(h5swmr(args), 0, "%s", g_out);
    cr_assert(strstr(g_out, "start delay 1 s"), "the report does not show the delay:\n%s", g_out);
    cJSON *j = tu_summary_json(tu_path("results"), NULL, 0);
    const cJSON *r1 = process(j, 1), *r2 = process(j, 2);
    cr_assert_eq(tu_num(r1, "start_delay_s"), 0);
    cr_assert_eq(tu_num(r2, "start_delay_s"), 1);
    cr_assert_lt(tu_num(r1, "open_after_ready_ms"), 1000, "the reader without a delay waited");
    cr_assert_geq(tu_num(r2, "open_after_ready_ms"), 1000, "the delayed reader opened %g ms after READY",
                  tu_num(r2, "open_after_ready_ms"));
    cr_assert_not(tu_flag(r2, "stopped_before_start_delay"));
    cr_assert_geq(tu_num(r2, "go_after_ready_ms"), 1000);
    cr_assert_lt(tu_num(r2, "go_after_ready_ms"), 1500, "GO came %g ms after READY", tu_num(r2, "go_after_ready_ms"));
    cr_assert_gt(tu_num(r2, "samples"), 0, "the delayed reader read nothing");
    cr_assert_eq(tu_num(r2, "exit_code"), 0);
    cr_assert_eq(
        tu_num(r2, "mismatched_samples") + tu_num(r2, "fill_value_samples") + tu_num(r2, "missing_flushed_samples"), 0);
    /* it catches up with everything the writer flushed, like the others */
    cr_assert_eq(tu_num(r2, "samples"), tu_num(r1, "samples"));
    cJSON_Delete(j);
}

/* A delay longer than the run: the reader gets STOP, never GO; a plain note,
 * and the run is OK. */
Test(late_readers, delay_longer_than_the_run_is_a_plain_note)
{
    char res[1200];
    snprintf(res, sizeof res, "results_dir=%s", tu_path("results"));
    const char *args[] = {"run", scenario(), "-o", "reader_delay_s=0,60", "-o", "duration=1", "-o", res, NULL};
    cr_assert_eq(h5swmr(args), 0, "%s", g_out);
    cr_assert(strstr(g_out, "stopped before its start delay ended"), "no plain note:\n%s", g_out);
    cr_assert(strstr(g_out, "result: OK"), "%s", g_out);
    cJSON *j = tu_summary_json(tu_path("results"), NULL, 0);
    const cJSON *r2 = process(j, 2);
    cr_assert(tu_flag(r2, "stopped_before_start_delay"));
    cr_assert_eq(tu_num(r2, "go_after_ready_ms"), -1, "a GO was sent");
    cr_assert_eq(tu_num(r2, "start_delay_s"), 60);
    cr_assert_eq(tu_num(r2, "samples"), 0);
    /* not an error of the reader's either: it exits 0 and says no ERROR */
    cr_assert_eq(tu_num(r2, "exit_code"), 0);
    cr_assert_null(strstr(g_out, "ERROR"), "%s", g_out);
    cr_assert_gt(tu_num(process(j, 1), "samples"), 0);
    cJSON_Delete(j);
}

/* reader_delay_s: numbers in [0, 86400]; anything else is one line, exit 2,
 * and nothing created. */
Test(late_readers, bad_delay_values_exit_2)
{
    static const char *const bad[] = {"abc", "-1", "nan", "inf", "86401", "1,,2", "1,x", "", ","};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char kv[64], res[1200];
        snprintf(kv, sizeof kv, "reader_delay_s=%s", bad[i]);
        snprintf(res, sizeof res, "results_dir=%s", tu_path("results"));
        const char *args[] = {"run", scenario(), "-o", kv, "-o", res, NULL};
        cr_assert_eq(h5swmr(args), 2, "%s accepted:\n%s", kv, g_out);
        cr_assert(strstr(g_out, "reader_delay_s"), "%s: the message does not name the key: %s", kv, g_out);
        char *nl = strchr(g_out, '\n');
        cr_assert(nl && !nl[1], "%s: more than one line: %s", kv, g_out);
        cr_assert_not(tu_exists(tu_path("results")), "%s: a results directory was created", kv);
    }
}

/* The list is cycled over readers like reader_refresh, keeps its text, and
 * refuses what is not a number in range with a message naming the item. */
Test(late_readers, delay_list_is_cycled_over_readers)
{
    scn_t s;
    char msg[300];
    scn_defaults(&s);
    cr_assert_eq(scn_reader_delay(&s, 0), 0, "the default is no delay");
    cr_assert_eq(scn_set(&s, "reader_delay_s", " 0, 2.5 ,5", msg, sizeof msg), 0, "%s", msg);
    cr_assert_eq(scn_reader_delay(&s, 0), 0);
    cr_assert_eq(scn_reader_delay(&s, 1), 2.5);
    cr_assert_eq(scn_reader_delay(&s, 2), 5);
    cr_assert_eq(scn_reader_delay(&s, 3), 0);
    cr_assert_eq(scn_reader_delay(&s, 4), 2.5);
    cr_assert_eq(scn_set(&s, "reader_delay_s", "1,-2", msg, sizeof msg), H5S_ESCENARIO);
    cr_assert(strstr(msg, "-2 is out of range [0, 86400]"), "%s", msg);
    cr_assert_eq(scn_set(&s, "reader_delay_s", "1,two", msg, sizeof msg), H5S_ESCENARIO);
    cr_assert(strstr(msg, "'two' is not a number"), "%s", msg);
    cr_assert_eq(scn_reader_delay(&s, 1), 2.5, "a refused value changed the setting");
    cr_assert_eq(scn_validate(&s, msg, sizeof msg), 0, "%s", msg);
}
