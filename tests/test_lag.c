/* test_lag.c - visibility lag per flushed block and the warm-up in time, for
 * every reader kind, and how external clients are named and judged when they
 * start slowly or stop: real runs of the h5swmr program with real client
 * processes and signals; and the matching itself (lag.c) against a flush
 * ring filled as the writer fills it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "lag.h"
#include "testutil.h"

TestSuite(lag, .init = tu_setup, .fini = tu_teardown, .timeout = 90);
TestSuite(clients, .init = tu_setup, .fini = tu_teardown, .timeout = 90);

static char g_out[32768];

/* Runs 'h5swmr run' on a scenario of the lines in text with results (and
 * the data file) under tu_dir()/results; returns the exit status. */
static int run_ini(const char *text)
{
    char ini_text[4096];
    snprintf(ini_text, sizeof ini_text, "[global]\nquiet = true\nstop_timeout = 2\nresults_dir = %s\n%s",
             tu_path("results"), text);
    const char *ini = tu_path("x.ini");
    cr_assert_eq(tu_write_text(ini, ini_text), 0);
    const char *argv[] = {H5SWMR_BIN, "run", ini, NULL};
    int status;
    g_out[0] = '\0';
    cr_assert_eq(tu_run(argv, 60000, &status, g_out, sizeof g_out), 0, "h5swmr run did not finish: %s", g_out);
    cr_assert(WIFEXITED(status), "h5swmr run: %s\n%s", tu_status_str(status), g_out);
    return WEXITSTATUS(status);
}

/* The report's line of reader n, copied into out. */
static const char *row(int n, char *out, size_t cap)
{
    char key[32];
    snprintf(key, sizeof key, "\nreader %d ", n);
    const char *p = strstr(g_out, key);
    cr_assert_not_null(p, "no report row for reader %d:\n%s", n, g_out);
    p++;
    snprintf(out, cap, "%.*s", (int)strcspn(p, "\n"), p);
    return out;
}

/* Process i (0: the writer) of summary.json j. */
static const cJSON *process(const cJSON *j, int i)
{
    const cJSON *p = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "processes"), i);
    cr_assert_not_null(p, "no process %d in summary.json", i);
    return p;
}

/* Member key of o, an object. */
static const cJSON *obj(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    cr_assert(cJSON_IsObject(v), "no object '%s' in summary.json", key);
    return v;
}

/* Member key of o, a string. */
static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    cr_assert(cJSON_IsString(v), "no string '%s' in summary.json", key);
    return v->valuestring;
}

/* Writes an executable script into tu_dir(); returns its path. */
static const char *script(const char *name, const char *text)
{
    const char *p = tu_path(name);
    cr_assert_eq(tu_write_text(p, text), 0);
    cr_assert_eq(chmod(p, 0755), 0);
    return p;
}

/* What a reader's raw lag log says. */
typedef struct lag_log {
    long events;       /* lines */
    long observations; /* distinct t_seen_ns */
    bool consecutive;  /* every seq one more than the one before */
    long long max_lag_ns, first_seq, last_seq;
} lag_log_t;

/* Reads lag_reader<n>.csv of run directory dir. */
static lag_log_t read_lag_log(const char *dir, int n)
{
    char path[1400], line[256];
    snprintf(path, sizeof path, "%s/lag_reader%d.csv", dir, n);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no %s", path);
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_assert_str_eq(line, "reader,seq,samples,t_seen_ns,lag_ns,e2e_ns\n");
    lag_log_t l = {.consecutive = true, .max_lag_ns = -1, .first_seq = -1};
    long long prev_seen = -1;
    while (fgets(line, sizeof line, f)) {
        int r;
        long long seq, samples, seen, lag, e2e;
        cr_assert_eq(sscanf(line, "%d,%lld,%lld,%lld,%lld,%lld", &r, &seq, &samples, &seen, &lag, &e2e), 6, "%s", line);
        if (l.events && seq != l.last_seq + 1)
            l.consecutive = false;
        if (l.first_seq < 0)
            l.first_seq = seq;
        l.last_seq = seq;
        l.events++;
        l.observations += seen != prev_seen;
        prev_seen = seen;
        if (lag > l.max_lag_ns)
            l.max_lag_ns = lag;
    }
    fclose(f);
    return l;
}

/* ---- lag per flushed block: real runs ------------------------------------- */

/* A reader that looks every 400 ms at a channel flushed every 20 ms: each
 * look covers about 20 flushes, and each of them is one lag event (the
 * flushes are consecutive in its log, several per observation), spread up to
 * the poll interval - not one event per look with the age of the newest
 * flush. extra: the reader's kind. */
static void per_flushed_block(const char *extra)
{
    char text[1024];
    snprintf(text, sizeof text,
             "duration = 1.5\nreaders = 1\nchannels = ex\nsample_rate = 1000\nblock_samples = 20\n"
             "poll_ms = 400\nraw_logs = true\n%s",
             extra);
    cr_assert_eq(run_ini(text), 0, "%s", g_out);
    char dir[1200];
    cJSON *j = tu_summary_json(tu_path("results"), dir, sizeof dir);
    lag_log_t l = read_lag_log(dir, 1);
    cr_assert_geq(l.events, 10, "%ld lag events\n%s", l.events, g_out);
    cr_assert(l.consecutive, "flushes %lld..%lld: not one event for each flush covered\n%s", l.first_seq, l.last_seq,
              g_out);
    cr_assert_geq(l.events, 3 * l.observations, "%ld events from %ld observations: not one per flush\n%s", l.events,
                  l.observations, g_out);
    /* a flush right after a look waits for the next one */
    cr_assert_geq(l.max_lag_ns, 200000000LL, "longest wait %lld ns, under half the 400 ms poll interval\n%s",
                  l.max_lag_ns, g_out);
    const cJSON *r = process(j, 1);
    const cJSON *lag = obj(r, "visibility_lag"), *newest = obj(r, "visibility_lag_newest");
    cr_assert_eq(tu_num(lag, "count"), (double)l.events);
    /* the age of the newest flush: one figure per observation, the shortest wait of each */
    cr_assert_eq(tu_num(newest, "count"), (double)l.observations);
    cr_assert_leq(tu_num(newest, "max_us"), tu_num(lag, "max_us"));
    cr_assert_eq(tu_num(r, "lag_skipped_flushes"), 0);
    char rw[1024], want[64];
    snprintf(want, sizeof want, "(n=%ld flushes)", l.events);
    cr_assert(strstr(row(1, rw, sizeof rw), want), "the row does not give the event count '%s': %s", want, rw);
    cJSON_Delete(j);
}

Test(lag, h5swmr_reader_gives_an_event_per_flushed_block)
{
    per_flushed_block("");
}

Test(lag, bare_reader_gives_an_event_per_flushed_block)
{
    per_flushed_block("reader_mode = bare\n");
}

/* A client that prints only when data grows (h5swmr watch, one channel: a
 * line per look) at 1 s polls is warm after lag_warmup_ms from its first
 * line, not after 16 lines: a 3 s run gives it lag events, one per flushed
 * block. */
Test(lag, a_print_on_growth_client_at_1_s_polls_gets_lag_events)
{
    cr_assert_eq(run_ini("duration = 3\nreaders = 1\nreader_kind = watch\nchannels = ex\nsample_rate = 1000\n"
                         "block_samples = 100\npoll_ms = 1000\nraw_logs = true\n"),
                 0, "%s", g_out);
    char dir[1200], rw[1024];
    cJSON *j = tu_summary_json(tu_path("results"), dir, sizeof dir);
    const cJSON *lag = obj(process(j, 1), "visibility_lag");
    cr_assert_geq(tu_num(lag, "count"), 5, "%s", g_out);
    cr_assert(strstr(row(1, rw, sizeof rw), "lag p50"), "%s", rw);
    lag_log_t l = read_lag_log(dir, 1);
    cr_assert(l.consecutive && l.events >= 3 * l.observations, "%ld events of %ld observations\n%s", l.events,
              l.observations, g_out);
    cJSON_Delete(j);
}

/* ---- external clients ----------------------------------------------------- */

/* A client that is still starting (importing a large package takes seconds)
 * when the run ends, and ends on SIGTERM as asked, was stopped before it
 * started observing: a note, not a failure. It is named by its script, not
 * by its interpreter. */
Test(clients, a_slow_starting_client_stopped_before_its_first_line_is_not_a_failure)
{
    const char *py = script("slow_start.py", "import time\n"
                                             "print('# importing', flush=True)\n"
                                             "time.sleep(60)  # stands for an import of several seconds\n");
    char text[1024];
    snprintf(text, sizeof text,
             "duration = 1\nreaders = 2\nreader_kind = h5swmr,cmd\nreader_cmd = %s -u %s\nsample_rate = 1000\n"
             "block_samples = 100\npoll_ms = 20\n",
             H5SWMR_PYTHON, py);
    cr_assert_eq(run_ini(text), 0, "%s", g_out);
    char rw[1024];
    row(2, rw, sizeof rw);
    cr_assert(strstr(rw, "slow_start.py") && strstr(rw, "exit 0") && strstr(rw, "stopped before it started observing"),
              "%s", rw);
    cr_assert(!strstr(rw, "python"), "the client is named by its interpreter: %s", rw);
    cJSON *j = tu_summary_json(tu_path("results"), NULL, 0);
    const cJSON *r = process(j, 2);
    cr_assert_str_eq(str(r, "name"), "slow_start.py");
    cr_assert_str_eq(str(r, "kind"), "cmd");
    cr_assert(tu_flag(r, "stopped_before_observing"));
    cJSON_Delete(j);
}

/* Two clients of the same command told apart by reader_name: in the kind
 * column, in summary.json and in the messages; h5swmr's reader is named by
 * it too. */
Test(clients, reader_names_tell_clients_apart)
{
    const char *py = script("mon.py", "import os, sys, time\n"
                                      "ch = os.environ['H5SWMR_FIRST_CHANNEL']\n"
                                      "if sys.argv[1] == '2':\n"
                                      "    print(time.monotonic_ns(), ch, 10, 'bad=3', flush=True)\n"
                                      "else:\n"
                                      "    print(time.monotonic_ns(), ch, 0, flush=True)\n"
                                      "time.sleep(100)\n");
    char text[1024];
    snprintf(text, sizeof text,
             "duration = 1\nreaders = 3\nreader_kind = cmd,cmd,h5swmr\nreader_name = left,right,c-reader\n"
             "reader_cmd = %s %s {index}\n"
             "sample_rate = 1000\nblock_samples = 100\npoll_ms = 20\n",
             H5SWMR_PYTHON, py);
    cr_assert_eq(run_ini(text), 3, "%s", g_out);
    char r1[1024], r2[1024];
    row(1, r1, sizeof r1);
    row(2, r2, sizeof r2);
    cr_assert(strstr(r1, " left ") && !strstr(r1, "right"), "%s", r1);
    cr_assert(strstr(r2, " right ") && strstr(r2, "external reader 2 (right): "), "%s", r2);
    cr_assert(strstr(row(3, r1, sizeof r1), " c-reader "), "%s", r1);
    cJSON *j = tu_summary_json(tu_path("results"), NULL, 0);
    cr_assert_str_eq(str(process(j, 1), "name"), "left");
    cr_assert_str_eq(str(process(j, 2), "name"), "right");
    cr_assert_str_eq(str(process(j, 2), "kind"), "cmd");
    cr_assert_str_eq(str(process(j, 3), "name"), "c-reader");
    cr_assert_str_eq(str(process(j, 3), "kind"), "h5swmr");
    cJSON_Delete(j);
}

/* The shipped h5py client wakes on SIGTERM at once and makes its last poll:
 * with a 10 s pause between polls it still ends well within the 1 s it gets
 * (half of stop_timeout), and the report says that its lag figures come from
 * that final poll. (3.5 s leave it time to import h5py and make its first
 * poll on a loaded machine: it must be in its pause when STOP comes.) */
Test(clients, the_h5py_client_wakes_on_sigterm_for_its_final_poll)
{
    if (!H5SWMR_PYTHON_OK)
        cr_skip_test("%s cannot import h5py", H5SWMR_PYTHON);
    char text[1024];
    snprintf(text, sizeof text,
             "duration = 3.5\nreaders = 1\nreader_kind = h5py\nreader_python = %s\nchannels = ex\n"
             "sample_rate = 1000\nblock_samples = 100\npoll_ms = 10000\n",
             H5SWMR_PYTHON);
    cr_assert_eq(run_ini(text), 0, "%s", g_out);
    char rw[1024];
    cr_assert(strstr(row(1, rw, sizeof rw), "from the final poll after STOP"), "%s", rw);
    cJSON *j = tu_summary_json(tu_path("results"), NULL, 0);
    const cJSON *r = process(j, 1);
    cr_assert_gt(tu_num(r, "lag_final_poll_events"), 0);
    cr_assert(tu_flag(r, "lag_max_from_final_poll"));
    cJSON_Delete(j);
}

/* The name of reader 2 (a cmd reader) of a scenario with reader_cmd cmd. */
static const char *cmd_reader_name(const char *cmd)
{
    static char name[SCN_STR];
    scn_t s;
    char msg[256];
    scn_defaults(&s);
    cr_assert_eq(scn_set(&s, "reader_kind", "h5swmr,cmd", msg, sizeof msg), 0, "%s", msg);
    cr_assert_eq(scn_set(&s, "reader_cmd", cmd, msg, sizeof msg), 0, "%s", msg);
    scn_reader_name(&s, 1, name, sizeof name);
    return name;
}

/* A cmd client is named by what it runs, not by its interpreter. */
Test(clients, a_cmd_client_is_named_by_its_script)
{
    cr_assert_str_eq(cmd_reader_name("/usr/bin/python3 -u /opt/mon/watch_mt.py {file}"), "watch_mt.py");
    cr_assert_str_eq(cmd_reader_name("python3 -m mth5_monitor.follow --every {poll_ms}"), "mth5_monitor.follow");
    cr_assert_str_eq(cmd_reader_name("env PYTHONPATH=/x python3.11 'my monitor.py'"), "my_monitor.py");
    cr_assert_str_eq(cmd_reader_name("julia --project=/opt/mon monitor.jl {file}"), "monitor.jl");
    cr_assert_str_eq(cmd_reader_name("/opt/viewer/bin/swmrview --file {file}"), "swmrview");
    cr_assert_str_eq(cmd_reader_name("{h5swmr} watch {file} --protocol"), "h5swmr");
    cr_assert_str_eq(cmd_reader_name("sh -c 'exec mon {file}'"), "sh");
    /* names stand in a column: at most SCN_NAME_MAX characters */
    cr_assert_eq(strlen(cmd_reader_name("python3 a_monitor_with_a_very_long_file_name.py")), SCN_NAME_MAX);
    /* reader_name wins, cycled over the readers; other kinds by program */
    scn_t s;
    char msg[256], name[SCN_STR];
    scn_defaults(&s);
    cr_assert_eq(scn_set(&s, "reader_kind", "h5swmr,h5py,watch", msg, sizeof msg), 0, "%s", msg);
    scn_reader_name(&s, 1, name, sizeof name);
    cr_assert_str_eq(name, "h5py");
    scn_reader_name(&s, 2, name, sizeof name);
    cr_assert_str_eq(name, "watch");
    cr_assert_eq(scn_set(&s, "reader_name", "c1,py", msg, sizeof msg), 0, "%s", msg);
    scn_reader_name(&s, 2, name, sizeof name);
    cr_assert_str_eq(name, "c1");
    static const char *const bad[] = {"a b", "a,,b", "x/y", "abcdefghijklmnopqrstuvwxyz", ","};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_lt(scn_set(&s, "reader_name", bad[i], msg, sizeof msg), 0, "'%s' was taken as a name list", bad[i]);
    cr_assert(strstr(msg, "reader_name"), "%s", msg);
}

/* ---- the matching, against a flush ring ------------------------------------ */

static shm_t *g_shm;
static scn_t g_scn;

/* A zeroed flush ring and a default scenario with warm-up ms of warm-up. */
static void ring(double warmup_ms)
{
    g_shm = calloc(1, sizeof *g_shm);
    cr_assert_not_null(g_shm);
    scn_defaults(&g_scn);
    g_scn.lag_warmup_ms = warmup_ms;
}

/* Publishes a flush as the writer does: the record, then the count. */
static void publish(uint64_t samples, int64_t t_flushed)
{
    uint64_t seq = atomic_load(&g_shm->nflush);
    g_shm->rec[seq % SHM_RECS] =
        (shm_rec_t){.seq = seq, .samples = samples, .t_start_ns = t_flushed - 10, .t_flushed_ns = t_flushed};
    atomic_store(&g_shm->nflush, seq + 1);
}

Test(lag, one_observation_gives_an_event_for_every_flush_it_covers)
{
    ring(0);
    lag_t *L = malloc(sizeof *L);
    lag_init(L, &g_scn, g_shm, 1, NULL);
    lag_begin(L, 1000);
    for (int i = 1; i <= 10; i++)
        publish(100 * (uint64_t)i, 1000 + 100 * i);
    lag_observe(L, 1000, 2500); /* covers all ten */
    proto_result_t r = {0};
    lag_finish(L, &r);
    cr_assert_eq(r.lag.n, 10);
    cr_assert_eq(r.lag.max_us, (2500 - 1100) / 1e3); /* the first flush waited longest */
    cr_assert_eq(r.lag_newest.n, 1);
    cr_assert_eq(r.lag_newest.max_us, (2500 - 2000) / 1e3);
    free(L);
    free(g_shm);
}

Test(lag, the_warm_up_is_time_after_the_first_observation)
{
    ring(250); /* 250 ms */
    lag_t *L = malloc(sizeof *L);
    lag_init(L, &g_scn, g_shm, 1, NULL);
    int64_t ms = 1000000;
    publish(10, 50 * ms); /* before the first observation */
    lag_observe(L, 10, 100 * ms);
    publish(20, 300 * ms); /* within 250 ms of it */
    publish(30, 400 * ms); /* after */
    publish(30, 450 * ms); /* nothing new on the first channel: no event */
    lag_observe(L, 30, 1000 * ms);
    proto_result_t r = {0};
    lag_finish(L, &r);
    cr_assert_eq(r.lag.n, 1, "%llu events", (unsigned long long)r.lag.n);
    cr_assert_eq(r.lag.max_us, 600000.0);
    free(L);
    free(g_shm);
}

Test(lag, data_seen_before_its_flush_record_is_matched_later)
{
    ring(0);
    lag_t *L = malloc(sizeof *L);
    lag_init(L, &g_scn, g_shm, 1, NULL);
    lag_begin(L, 10);
    lag_observe(L, 5, 100); /* the flush has not returned yet */
    publish(5, 150);
    lag_resolve(L);
    proto_result_t r = {0};
    lag_finish(L, &r);
    cr_assert_eq(r.lag.n, 1);
    cr_assert_eq(r.lag.max_us, -0.05);
    free(L);
    free(g_shm);
}

Test(lag, events_after_stop_are_the_final_polls)
{
    ring(0);
    lag_t *L = malloc(sizeof *L);
    lag_init(L, &g_scn, g_shm, 1, NULL);
    lag_begin(L, 10);
    publish(1, 100);
    lag_observe(L, 1, 200);
    publish(2, 300);
    publish(3, 400);
    lag_stop(L, 1000);
    lag_observe(L, 3, 5000);
    proto_result_t r = {0};
    lag_finish(L, &r);
    cr_assert_eq(r.lag.n, 3);
    cr_assert_eq(r.lag_final, 2);
    cr_assert_eq(r.lag_before_stop.n, 1);
    cr_assert_eq(r.lag_before_stop.max_us, 0.1);
    free(L);
    free(g_shm);
}

/* More flushes between two looks than the ring holds: the overwritten
 * records are counted as skipped, never read stale; every other flush gives
 * its event. */
Test(lag, a_ring_overrun_is_counted_not_read_stale)
{
    ring(0);
    lag_t *L = malloc(sizeof *L);
    lag_init(L, &g_scn, g_shm, 1, NULL);
    lag_begin(L, 1000);
    uint64_t n = SHM_RECS + 10;
    for (uint64_t i = 0; i < n; i++)
        publish(i + 1, 2000 + (int64_t)i);
    lag_observe(L, n, 1000000000);
    proto_result_t r = {0};
    lag_finish(L, &r);
    cr_assert_eq(r.lag_skipped + r.lag.n, n, "%llu skipped, %llu events", (unsigned long long)r.lag_skipped,
                 (unsigned long long)r.lag.n);
    cr_assert_geq(r.lag_skipped, 10);
    cr_assert_eq(r.lag.max_us, (1000000000 - (2000 + (double)r.lag_skipped)) / 1e3, "the oldest event is stale");
    free(L);
    free(g_shm);
}

/* Flushes overwritten before the warm-up ended are not events lost. */
Test(lag, an_overrun_before_the_warm_up_ended_skips_nothing)
{
    ring(0);
    lag_t *L = malloc(sizeof *L);
    lag_init(L, &g_scn, g_shm, 1, NULL);
    uint64_t n = SHM_RECS + 10;
    for (uint64_t i = 0; i < n; i++)
        publish(i + 1, 2000 + (int64_t)i);
    lag_observe(L, n, 1000000000); /* the first observation: everything before is its start-up */
    publish(n + 1, 1000000100);
    lag_observe(L, n + 1, 1000000300);
    proto_result_t r = {0};
    lag_finish(L, &r);
    cr_assert_eq(r.lag_skipped, 0);
    cr_assert_eq(r.lag.n, 1);
    free(L);
    free(g_shm);
}

/* An observation dropped from a full queue: the flush it saw first is
 * skipped, not given the time of a later observation. */
Test(lag, an_observation_dropped_from_a_full_queue_skips_its_flush)
{
    ring(0);
    lag_t *L = malloc(sizeof *L);
    lag_init(L, &g_scn, g_shm, 1, NULL);
    lag_begin(L, 1);
    for (uint64_t i = 1; i <= LAG_MAX_OBS + 1; i++) /* seen before any flush record: the last one is dropped */
        lag_observe(L, i, 1000 + (int64_t)i);
    for (uint64_t i = 1; i <= LAG_MAX_OBS + 2; i++)
        publish(i, 500 + (int64_t)i);
    lag_resolve(L); /* the queue drains */
    lag_observe(L, LAG_MAX_OBS + 2, 5000);
    proto_result_t r = {0};
    lag_finish(L, &r);
    cr_assert_eq(r.lag_skipped, 1);
    cr_assert_eq(r.lag.n, LAG_MAX_OBS + 1);
    free(L);
    free(g_shm);
}
