/* test_finalize.c - the finalizer's budget follows its progress: real runs of
 * the h5swmr program whose finalizer reads back a file of about 1 GB, real
 * signals (SIGSTOP of the finalizer process, Ctrl-C to the orchestrator). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

TestSuite(finalize, .init = tu_setup, .fini = tu_teardown, .timeout = 180);

/* The file every test writes: flat out, no readers, about 1 GB (its
 * read-back takes a few tenths of a second here: longer than the smallest
 * stop_timeout, 0.1 s). */
#define BIG_MB "1000"

static const cJSON *obj(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    cr_assert(cJSON_IsObject(v), "no object '%s'", key);
    return v;
}

/* Starts 'h5swmr write' of append_fast.ini (flat out, 64 KiB blocks) until
 * BIG_MB MB with the extra
 * -o settings (NULL-terminated), its results under tu_dir()/results. */
static void start_write(tu_proc_t *p, const char *const *extra)
{
    static char file[1200], res[1200];
    snprintf(file, sizeof file, "file=%s", tu_path("big.h5"));
    snprintf(res, sizeof res, "results_dir=%s", tu_path("results"));
    const char *argv[40] = {H5SWMR_BIN,
                            "write",
                            H5SWMR_SOURCE_DIR "/scenarios/append_fast.ini",
                            "-o",
                            "duration=0",
                            "-o",
                            "max_mb=" BIG_MB,
                            "-o",
                            file,
                            "-o",
                            res};
    int n = 11;
    for (int i = 0; extra && extra[i] && n < 37; i++) {
        argv[n++] = "-o";
        argv[n++] = extra[i];
    }
    argv[n] = NULL;
    cr_assert_eq(tu_spawn(p, argv), 0);
}

/* The children of process pid, as /proc lists them (at most max). */
static int children_of(pid_t pid, pid_t *kids, int max)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int n = 0;
    long v;
    while (n < max && fscanf(f, "%ld", &v) == 1)
        kids[n++] = (pid_t)v;
    fclose(f);
    return n;
}

/* The pid of a child of the orchestrator other than `not`, waited for by
 * polling /proc (every millisecond, up to timeout_ms); -1 if none came. */
static pid_t wait_child(pid_t orch, pid_t not, int timeout_ms)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        pid_t kids[8];
        int n = children_of(orch, kids, 8);
        for (int i = 0; i < n; i++)
            if (kids[i] != not )
                return kids[i];
        clock_gettime(CLOCK_MONOTONIC, &t);
        if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > timeout_ms)
            return -1;
        poll(NULL, 0, 1); /* a bounded poll of a condition the kernel shows only in /proc */
    }
}

/* Starts a write and returns the finalizer's pid once it runs: the writer is
 * the orchestrator's first child (no readers), the finalizer the next. */
static pid_t start_until_finalizer(tu_proc_t *p, const char *const *extra)
{
    start_write(p, extra);
    pid_t writer = wait_child(p->pid, 0, 20000);
    cr_assert_gt(writer, 0, "no writer process appeared: %s", p->buf);
    cr_assert_eq(tu_proc_wait_output(p, "[Writer] Stopped", 60000), 0, "the writer did not stop: %s", p->buf);
    pid_t fin = wait_child(p->pid, writer, 20000);
    cr_assert_gt(fin, 0, "no finalizer process appeared: %s", p->buf);
    return fin;
}

/* The state letter of process pid in /proc ('R', 'S', 'T', 'Z', ...), or 0
 * once it is gone. */
static char proc_state(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *paren = strrchr(buf, ')');
    return paren && paren[1] == ' ' ? paren[2] : 0;
}

/* SIGSTOPs the finalizer and waits (a bounded poll of /proc) until it is
 * stopped, so that it surely is still verifying when the test goes on. */
static void hold(pid_t fin)
{
    cr_assert_eq(kill(fin, SIGSTOP), 0, "the finalizer (pid %d) is gone", (int)fin);
    for (int i = 0; i < 10000; i++) {
        char st = proc_state(fin);
        if (st == 'T')
            return;
        cr_assert(st && st != 'Z', "the finalizer (pid %d) ended before it could be stopped: make BIG_MB larger",
                  (int)fin);
        poll(NULL, 0, 1);
    }
    cr_assert_fail("the finalizer (pid %d) did not stop within 10 s of SIGSTOP", (int)fin);
}

/* The file is read back for longer than stop_timeout (and than the twice
 * stop_timeout after which a stopping child is SIGKILLed): the finalizer
 * progresses, so it finishes and the run is OK. */
Test(finalize, longer_than_stop_timeout_still_ends_ok)
{
    const char *extra[] = {"stop_timeout=0.1", NULL};
    tu_proc_t p;
    start_write(&p, extra);
    int status;
    cr_assert_eq(tu_proc_finish(&p, 150000, &status), 0, "h5swmr did not finish: %s", p.buf);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s\n%s", tu_status_str(status), p.buf);
    cr_assert(strstr(p.buf, "result: OK"), "%s", p.buf);
    cJSON *j = tu_summary_json(tu_path("results"), NULL, 0);
    const cJSON *fin = obj(j, "finalize");
    const cJSON *w = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "processes"), 0);
    cr_assert_not_null(w);
    /* the point of the test: its read-back outlasted the old fixed budget */
    cr_assert_gt(tu_num(fin, "wall_s"), 0.2, "the finalizer took only %g s: the test needs a bigger file",
                 tu_num(fin, "wall_s"));
    cr_assert_eq(tu_num(fin, "exit_code"), 0);
    cr_assert_eq(tu_num(fin, "escalation"), 0, "the finalizer got SIGTERM/SIGKILL");
    cr_assert_not(tu_flag(fin, "stalled"));
    cr_assert_eq(tu_num(fin, "samples"), tu_num(w, "samples"), "not every sample was verified");
    cr_assert_gt(tu_num(fin, "samples"), 0);
    cr_assert(strstr(p.buf, "verified 5 channels"), "%s", p.buf);
    cJSON_Delete(j);
}

/* A finalizer that stops making progress (SIGSTOPped: it cannot run) is
 * stopped after finalize_stall_s: SIGTERM, reaped, one clear line, FAILED. */
Test(finalize, stalled_finalizer_is_stopped_with_a_clear_line)
{
    const char *extra[] = {"finalize_stall_s=0.5", "stop_timeout=0.2", NULL};
    tu_proc_t p;
    pid_t fin = start_until_finalizer(&p, extra);
    hold(fin);
    int status;
    cr_assert_eq(tu_proc_finish(&p, 30000, &status), 0, "h5swmr did not finish: %s", p.buf);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1, "%s\n%s", tu_status_str(status), p.buf);
    cr_assert(strstr(p.buf, "problem: the finalizer made no progress for 0.5 s"), "%s", p.buf);
    cr_assert(strstr(p.buf, "result: FAILED"), "%s", p.buf);
    cr_assert(strstr(p.buf, "stopped: no progress for 0.5 s"), "the finalizer row does not say why: %s", p.buf);
    cJSON *j = tu_summary_json(tu_path("results"), NULL, 0);
    const cJSON *f = obj(j, "finalize");
    cr_assert_eq((pid_t)tu_num(f, "pid"), fin, "another process was stopped");
    cr_assert(tu_flag(f, "stalled"));
    cr_assert_eq(tu_num(f, "signal"), SIGTERM, "the finalizer was not ended by SIGTERM");
    cr_assert(kill(fin, 0) != 0 && errno == ESRCH, "the finalizer is still there");
    cJSON_Delete(j);
}

/* The first Ctrl-C while the finalizer verifies lets it finish and says that
 * a second one stops it; the run is interrupted (130) but the file verified.
 * The finalizer is held (SIGSTOP) while the signal arrives, so that it is
 * surely still verifying, and let go once the orchestrator has answered. */
Test(finalize, first_ctrl_c_lets_the_finalizer_finish)
{
    tu_proc_t p;
    pid_t fin = start_until_finalizer(&p, NULL);
    hold(fin);
    kill(p.pid, SIGINT);
    cr_assert_eq(tu_proc_wait_output(&p, "Ctrl-C again to stop it", 20000), 0, "no answer to Ctrl-C: %s", p.buf);
    kill(fin, SIGCONT);
    int status;
    cr_assert_eq(tu_proc_finish(&p, 60000, &status), 0, "h5swmr did not finish: %s", p.buf);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 130, "%s\n%s", tu_status_str(status), p.buf);
    cJSON *j = tu_summary_json(tu_path("results"), NULL, 0);
    const cJSON *f = obj(j, "finalize");
    cr_assert_eq(tu_num(f, "exit_code"), 0, "the finalizer did not finish: %s", p.buf);
    cr_assert_eq(tu_num(f, "escalation"), 0);
    cr_assert_gt(tu_num(f, "samples"), 0);
    cr_assert(tu_flag(obj(j, "run"), "interrupted"));
    cJSON_Delete(j);
}

/* A second Ctrl-C stops the finalizer (SIGTERM), which is reaped. */
Test(finalize, second_ctrl_c_stops_the_finalizer)
{
    tu_proc_t p;
    pid_t fin = start_until_finalizer(&p, NULL);
    hold(fin);
    kill(p.pid, SIGINT);
    cr_assert_eq(tu_proc_wait_output(&p, "Ctrl-C again to stop it", 20000), 0, "no answer to Ctrl-C: %s", p.buf);
    kill(p.pid, SIGINT);
    int status;
    cr_assert_eq(tu_proc_finish(&p, 30000, &status), 0, "h5swmr did not finish: %s", p.buf);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 130, "%s\n%s", tu_status_str(status), p.buf);
    cr_assert(strstr(p.buf, "stopping the finalizer"), "%s", p.buf);
    cJSON *j = tu_summary_json(tu_path("results"), NULL, 0);
    const cJSON *f = obj(j, "finalize");
    cr_assert_eq(tu_num(f, "signal"), SIGTERM);
    cr_assert_not(tu_flag(f, "stalled"));
    cr_assert(kill(fin, 0) != 0 && errno == ESRCH, "the finalizer is still there");
    cJSON_Delete(j);
}

/* finalize_stall_s: a positive, finite, bounded number; anything else is one
 * line, exit 2, and nothing created. */
Test(finalize, bad_finalize_stall_values_exit_2)
{
    static const char *const bad[] = {"0", "-1", "abc", "nan", "inf", "1e9", "", "0.05"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char kv[64], res[1200], out[4096];
        snprintf(kv, sizeof kv, "finalize_stall_s=%s", bad[i]);
        snprintf(res, sizeof res, "results_dir=%s", tu_path("results"));
        const char *args[] = {"write", H5SWMR_SOURCE_DIR "/scenarios/append_fast.ini", "-o", kv, "-o", res, NULL};
        int status;
        cr_assert_eq(tu_run_args(H5SWMR_BIN, args, 20000, &status, out, sizeof out), 0);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 2, "%s: %s\n%s", kv, tu_status_str(status), out);
        cr_assert(strstr(out, "finalize_stall_s"), "%s: the message does not name the key: %s", kv, out);
        char *nl = strchr(out, '\n');
        cr_assert(nl && !nl[1], "%s: more than one line: %s", kv, out);
        cr_assert_not(tu_exists(tu_path("results")), "%s: a results directory was created", kv);
    }
}
