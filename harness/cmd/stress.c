/* stress.c - h5swmr stress: repeat a scenario with seeded random variation
 * (timing, block sizes, reader counts, faults and their moments) until the
 * first failure or N iterations; keep what a failure needs to be replayed. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "orch.h"
#include "report.h"
#include "report_html.h"
#include "scenario.h"
#include "stress.h"
#include "util.h"

#define MAX_OVERRIDES 256

/* One line on stderr, the exit status returned. */
#define fail(code, ...) h5s_cli_fail("stress", code, __VA_ARGS__)

/* A uniform number in [0, 1) from the generator state st. */
static double uniform(uint64_t *st)
{
    return (double)(h5s_rand_next(st) >> 11) / 9007199254740992.0;
}

/* A uniform whole number in [0, n) from the generator state st. */
static uint64_t pick(uint64_t *st, uint64_t n)
{
    return h5s_rand_next(st) % n;
}

/* Whether the user fixed key with -o (one of the nov overrides ov). */
static bool overridden(const char *const *ov, size_t nov, const char *key)
{
    size_t l = strlen(key);
    for (size_t i = 0; i < nov; i++)
        if (!strncmp(ov[i], key, l) && ov[i][l] == '=')
            return true;
    return false;
}

/* Sets key to a printf'd value unless the user fixed it with -o. */
static void vary(scn_t *s, const char *const *ov, size_t nov, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void vary(scn_t *s, const char *const *ov, size_t nov, const char *key, const char *fmt, ...)
{
    char v[128], msg[256];
    if (overridden(ov, nov, key))
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v, sizeof v, fmt, ap);
    va_end(ap);
    scn_set(s, key, v, msg, sizeof msg);
}

/* The iteration's scenario: the base with seeded variation. */
static void variation(scn_t *s, uint64_t seed, uint64_t iter, const char *const *ov, size_t nov, char *desc, size_t cap)
{
    static const int blocks[] = {64, 512, 4096, 16384};
    static const char *const polls[] = {"0", "0.5", "1", "5"};
    static const char *const dtypes[] = {"float32", "float64", "int32"};
    uint64_t st = seed * 0x9E3779B97F4A7C15ull ^ (iter + 1) * 0xD1B54A32D192ED03ull;
    double dur = 0.4 + 0.6 * uniform(&st);
    vary(s, ov, nov, "workload", "append");
    vary(s, ov, nov, "duration", "%.3f", dur);
    vary(s, ov, nov, "max_blocks", "0");
    vary(s, ov, nov, "realtime", "%s", pick(&st, 3) ? "false" : "true");
    vary(s, ov, nov, "sample_rate", "%d", 20000 + (int)pick(&st, 80000));
    vary(s, ov, nov, "readers", "%d", 1 + (int)pick(&st, 4));
    vary(s, ov, nov, "block_samples", "%d", blocks[pick(&st, 4)]);
    vary(s, ov, nov, "chunk_samples", "0");
    vary(s, ov, nov, "poll_ms", "%s", polls[pick(&st, 4)]);
    vary(s, ov, nov, "flush_every_blocks", "%d", 1 + (int)pick(&st, 3));
    vary(s, ov, nov, "flush_call", "%s", pick(&st, 2) ? "dflush" : "fflush");
    vary(s, ov, nov, "dtype", "%s", dtypes[pick(&st, 3)]);
    vary(s, ov, nov, "compress", "%s", pick(&st, 4) ? "false" : "true");
    vary(s, ov, nov, "reader_refresh", "%s", pick(&st, 3) ? "refresh" : "refresh,reopen");
    vary(s, ov, nov, "reader_wait", "%s", pick(&st, 4) ? "poll" : "inotify");
    vary(s, ov, nov, "quiet", "true");
    /* faults, each with its own probability, at random moments of the run */
    double ms = dur * 1000;
    bool kw = uniform(&st) < 0.2, kr = uniform(&st) < 0.15, stall = uniform(&st) < 0.15;
    bool fs = uniform(&st) < 0.1, early = uniform(&st) < 0.2;
    double kw_at = 20 + uniform(&st) * ms, kr_at = 20 + uniform(&st) * ms, st_at = 20 + uniform(&st) * ms;
    double st_len = 10 + uniform(&st) * 300, fs_mb = 1 + uniform(&st) * 15;
    vary(s, ov, nov, "kill_writer_after_ms", "%.0f", kw ? kw_at : 0);
    vary(s, ov, nov, "kill_reader", "%d", kr ? 1 + (int)pick(&st, (uint64_t)s->readers) : 0);
    vary(s, ov, nov, "kill_reader_after_ms", "%.0f", kr ? kr_at : 0);
    vary(s, ov, nov, "stall_writer_after_ms", "%.0f", stall ? st_at : 0);
    vary(s, ov, nov, "stall_writer_ms", "%.0f", stall ? st_len : 0);
    vary(s, ov, nov, "writer_fsize_limit_mb", "%.1f", fs ? fs_mb : 0);
    vary(s, ov, nov, "early_reader", "%s", early ? "true" : "false");
    char b[64];
    snprintf(desc, cap, "readers=%lld block=%lld poll=%gms flush/%lld %s%s", (long long)s->readers,
             (long long)s->block_samples, s->poll_ms, (long long)s->flush_every_blocks,
             s->realtime ? "paced" : "flat-out", s->compress ? " compressed" : "");
    size_t l = strlen(desc);
    if (s->kill_writer_after_ms > 0)
        l += (size_t)snprintf(desc + l, cap - l, " kill-writer@%gms", s->kill_writer_after_ms);
    if (s->kill_reader > 0)
        l += (size_t)snprintf(desc + l, cap - l, " kill-reader%lld@%gms", (long long)s->kill_reader,
                              s->kill_reader_after_ms);
    if (s->stall_writer_ms > 0)
        l += (size_t)snprintf(desc + l, cap - l, " stall@%gms+%gms", s->stall_writer_after_ms, s->stall_writer_ms);
    if (s->writer_fsize_limit_mb > 0)
        l += (size_t)snprintf(desc + l, cap - l, " fsize=%sMB",
                              (snprintf(b, sizeof b, "%.1f", s->writer_fsize_limit_mb), b));
    if (s->early_reader)
        snprintf(desc + l, cap - l, " early-reader");
}

/* A run fails when its outcome is not clean, or a process outlived it. */
bool stress_judge(const orch_report_t *rep, char *why, size_t cap)
{
    for (int i = 0; i < rep->nchildren + rep->has_finalizer; i++) {
        const orch_child_t *ch = i < rep->nchildren ? &rep->children[i] : &rep->finalizer;
        if (ch->pid > 0 && (kill(ch->pid, 0) == 0 || errno != ESRCH) && !ch->reaped) {
            snprintf(why, cap, "process %d outlived the run", (int)ch->pid);
            return false;
        }
    }
    if (rep->exit_code != 0) {
        const char *first = rep->problem;
        for (int i = 0; i < rep->nchildren + rep->has_finalizer && !first[0]; i++) {
            const orch_child_t *ch = i < rep->nchildren ? &rep->children[i] : &rep->finalizer;
            if (ch->has_result && ch->res.msg[0])
                first = ch->res.msg;
        }
        snprintf(why, cap, "exit %d: %.400s", rep->exit_code, first[0] ? first : "(see report.txt)");
        return false;
    }
    return true;
}

/* Keeps a failed iteration: writes its resolved scenario, seed and report
 * into itdir, then moves itdir to a new directory under failroot (its path in
 * out). Returns 0, or -1 when it could not be moved (it stays in itdir). */
static int save_failure(const char *itdir, const char *failroot, const char *base, const scn_t *s, uint64_t seed,
                        uint64_t iter, const orch_report_t *rep, char *out, size_t cap)
{
    char path[SCN_PATH + 256];
    FILE *f;
    snprintf(path, sizeof path, "%s/resolved.ini", itdir);
    if ((f = fopen(path, "w"))) {
        scn_write_ini(s, f);
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/seed.txt", itdir);
    if ((f = fopen(path, "w"))) {
        fprintf(f, "seed %llu iteration %llu\nreplay: h5swmr stress --replay <this directory>\n",
                (unsigned long long)seed, (unsigned long long)iter);
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/report.txt", itdir);
    if ((f = fopen(path, "w"))) {
        report_print(f, rep);
        fclose(f);
    }
    char name[SCN_STR + 64];
    snprintf(name, sizeof name, "%s-seed%llu-iter%llu", base, (unsigned long long)seed, (unsigned long long)iter);
    if (h5s_make_unique_dir(failroot, name, out, cap) != 0 || rmdir(out) != 0 || rename(itdir, out) != 0)
        return -1;
    return 0;
}

/* Writes what a kept run that did not fail needs beside its data: its summary
 * and its resolved scenario (so that --replay can rerun it too). */
static void keep_run(const char *dir, const scn_t *s, const orch_report_t *rep)
{
    char path[SCN_PATH + 128];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    report_write_json(path, rep, dir, NULL);
    snprintf(path, sizeof path, "%s/resolved.ini", dir);
    FILE *f = fopen(path, "w");
    if (f) {
        scn_write_ini(s, f);
        fclose(f);
    }
}

/* Removes a run's directory (its data file, and any raw logs), saying so if it
 * cannot. */
static void discard_run(const char *dir)
{
    if (h5s_rm_rf(dir) != 0)
        fprintf(stderr, "h5swmr stress: warning: cannot remove %s: %s\n", dir, strerror(errno));
}

/* Whether --replay DIR --minimize may minimize DIR: a kept failure, not
 * minimized before. 0, or the exit status after one message (nothing created). */
static int check_minimizable(const char *dir)
{
    static const char *const made[] = {"minimal.ini", "minimize.log", "minimal-run", "minimize-scratch"};
    char path[SCN_PATH + 64];
    struct stat st;
    snprintf(path, sizeof path, "%s/report.txt", dir);
    if (lstat(path, &st) != 0)
        return fail(EXIT_USAGE,
                    "--minimize: %s is not a kept failure (it has no report.txt): nothing failed, nothing to minimize",
                    dir);
    for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, made[i]);
        if (lstat(path, &st) == 0)
            return fail(EXIT_USAGE,
                        "--minimize: %s was minimized before (it has %s): nothing is overwritten; replay and "
                        "minimize %s/minimal-run instead",
                        dir, made[i], dir);
    }
    return 0;
}

/* stress --replay DIR: reruns a kept failure (or kept run) with exactly its
 * resolved settings, in a new directory inside DIR; only keep_data may be
 * overridden. With --minimize (mo->on), shrinks the failure instead, inside
 * DIR. Returns the exit status. */
static int replay(const char *dir, const char *const *ov, size_t nov, const stress_min_opts_t *mo)
{
    /* the kept settings are replayed exactly; only what happens to the data
     * afterwards may be chosen */
    for (size_t i = 0; i < nov; i++)
        if (strncmp(ov[i], "keep_data=", 10) != 0)
            return fail(EXIT_USAGE,
                        "--replay reruns the kept settings exactly: only -o keep_data=BOOL may be given, "
                        "not '%s'",
                        ov[i]);
    /* whether the kept run kept its data says nothing about this replay's: by
     * default its data goes when it passes */
    const char *rov[MAX_OVERRIDES + 1] = {"keep_data=false"};
    for (size_t i = 0; i < nov; i++)
        rov[i + 1] = ov[i];
    char ini[SCN_PATH + 32];
    snprintf(ini, sizeof ini, "%s/resolved.ini", dir);
    scn_file_t sf;
    h5s_err_t err;
    if (scn_load(ini, rov, nov + 1, &sf, &err) < 0)
        return fail(EXIT_USAGE, "%s", err.msg);
    scn_t s = sf.jobs[0];
    scn_file_free(&sf);
    if (mo->on) {
        int rc = check_minimizable(dir);
        if (rc)
            return rc;
        orch_report_t *mrep = malloc(sizeof *mrep);
        if (!mrep)
            return fail(EXIT_FAIL, "out of memory");
        int frc = 0;
        rc = stress_minimize(&s, NULL, dir, mo, mrep, &frc);
        free(mrep);
        return rc ? rc : frc;
    }
    char rundir[SCN_PATH + 64], file[SCN_PATH + 128];
    if (h5s_make_unique_dir(dir, "replay", rundir, sizeof rundir) != 0)
        return fail(EXIT_FAIL, "cannot create a replay directory in %s: %s", dir, strerror(errno));
    snprintf(file, sizeof file, "%s/data.mth5", rundir);
    s.file[0] = '\0';
    s.overwrite = false;
    printf("replaying %s in %s\n", ini, rundir);
    orch_report_t *rep = malloc(sizeof *rep);
    if (!rep)
        return fail(EXIT_FAIL, "out of memory");
    if (orch_run(&s, file, rundir, rep, &err) < 0) {
        free(rep);
        return fail(EXIT_FAIL, "%s", err.msg);
    }
    report_print(stdout, rep);
    char path[SCN_PATH + 160], why[512];
    snprintf(path, sizeof path, "%s/summary.json", rundir);
    report_write_json(path, rep, rundir, NULL);
    bool ok = stress_judge(rep, why, sizeof why);
    /* the replay's data file goes unless it failed (or keep_data is set), like
     * a passed stress iteration's; its summary.json stays */
    bool unverified = rep->interrupted && rep->exit_code != EXIT_VERIFY;
    bool drop = (ok || unverified) && !s.keep_data;
    if (drop && unlink(file) != 0 && errno != ENOENT)
        fprintf(stderr, "h5swmr stress: warning: cannot remove %s: %s\n", file, strerror(errno));
    printf("replay: %s%s%s\n",
           unverified ? "interrupted"
           : ok       ? "passed"
                      : "FAILED: ",
           ok || unverified ? "" : why, drop ? " (data file removed; -o keep_data=true keeps it)" : "");
    int rc = rep->exit_code ? rep->exit_code : ok ? 0 : EXIT_FAIL;
    free(rep);
    return rc;
}

/* The command line of stress. */
typedef struct stress_args {
    const char *scenario, *replay_dir;
    const char *ov[MAX_OVERRIDES];
    size_t nov;
    long long iterations;
    unsigned long long seed;
    stress_min_opts_t min;
    bool min_bound_given; /* --minimize-tries or --minimize-budget */
} stress_args_t;

enum { OPT_ITERATIONS, OPT_SEED, OPT_REPLAY, OPT_SET, OPT_MINIMIZE, OPT_MIN_TRIES, OPT_MIN_BUDGET };
static const cli_opt_t stress_opts[] = {
    {"iterations", 0, "N", "stop after N iterations without a failure (1..1000000, default 100)"},
    {"seed", 0, "S", "seed of the variation (default 1): the same seed varies the same way"},
    {"replay", 0, "FAILURE_DIR", "rerun a kept failure with exactly its settings"},
    {"o", 'o', "KEY=VALUE", "set a scenario key, which is then not varied (repeatable)"},
    {"minimize", 0, NULL, "shrink the failure (or the replayed one) while it still fails alike"},
    {"minimize-tries", 0, "N", "runs of each reduction before it is judged passing (1..100, default 3)"},
    {"minimize-budget", 0, "SECONDS", "start no minimizing run after this long (default 600)"},
    {NULL, 0, NULL, NULL},
};

/* Reads the whole number of --iterations or --seed (option k) into a; returns
 * 0 or the exit status. */
static int count_arg(const cli_parser_t *p, int k, const char *v, stress_args_t *a)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (*end || end == v || errno || v[0] == '-')
        return cli_usage_error(p->cmd, "%s: '%s' is not a whole number", cli_spelling(p, k), v);
    if (k == OPT_SEED) {
        a->seed = n;
        return 0;
    }
    if (n < 1 || n > 1000000)
        return cli_usage_error(p->cmd, "--iterations must be 1..1000000");
    a->iterations = (long long)n;
    return 0;
}

/* Reads argv into a; returns 0 to go on, or the exit status with *done set
 * (after --help or a usage error). */
static int parse_stress_args(int argc, char **argv, stress_args_t *a, bool *done)
{
    cli_parser_t p;
    const char *arg;
    int k, rc;
    *done = true;
    cli_begin(&p, &cmd_stress_def, argc, argv);
    while ((k = cli_next(&p, &arg)) != CLI_END) {
        if (k == CLI_HELP)
            return 0;
        if (k == CLI_ERROR)
            return EXIT_USAGE;
        if (k == OPT_ITERATIONS || k == OPT_SEED) {
            if ((rc = count_arg(&p, k, arg, a)) != 0)
                return rc;
        } else if (k == OPT_REPLAY) {
            a->replay_dir = arg;
        } else if (k == OPT_MINIMIZE) {
            a->min.on = true;
        } else if (k == OPT_MIN_TRIES || k == OPT_MIN_BUDGET) {
            double v;
            a->min_bound_given = true;
            if (k == OPT_MIN_TRIES && (!cli_number(arg, 1, 100, &v) || v != (double)(long)v))
                return cli_usage_error(p.cmd, "--minimize-tries: '%s' is not a whole number 1..100", arg);
            if (k == OPT_MIN_BUDGET && (!cli_number(arg, 0, 1e7, &v) || v <= 0))
                return cli_usage_error(p.cmd,
                                       "--minimize-budget: '%s' is not a number of seconds above 0 (at most 1e7)", arg);
            if (k == OPT_MIN_TRIES)
                a->min.tries = (long)v;
            else
                a->min.budget_s = v;
        } else if (k == OPT_SET) {
            if (a->nov == MAX_OVERRIDES)
                return cli_usage_error(p.cmd, "too many -o options");
            a->ov[a->nov++] = arg;
        } else if (!a->scenario) {
            a->scenario = arg;
        } else {
            return cli_usage_error(p.cmd, "unexpected argument '%s'", arg);
        }
    }
    if (a->replay_dir && a->scenario)
        return cli_usage_error(p.cmd, "--replay takes no scenario");
    if (!a->replay_dir && !a->scenario)
        return cli_usage_error(p.cmd, "no scenario file given (try scenarios/append_fast.ini)");
    if (a->min_bound_given && !a->min.on)
        return cli_usage_error(p.cmd, "--minimize-tries and --minimize-budget bound --minimize, which is not given");
    *done = false;
    return 0;
}

/* Loads the scenario to vary into *base: one job, with no data file of its
 * own. Returns 0 or the exit status. */
static int load_base(const stress_args_t *a, scn_t *base)
{
    scn_file_t sf;
    h5s_err_t err;
    if (scn_load(a->scenario, a->ov, a->nov, &sf, &err) < 0)
        return fail(EXIT_USAGE, "%s", err.msg);
    if (sf.njobs > 1) {
        char names[256] = "";
        for (size_t j = 0; j < sf.njobs && strlen(names) < 200; j++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s[%.40s]", j ? ", " : "", sf.jobs[j].name);
        size_t nj = sf.njobs;
        scn_file_free(&sf);
        return fail(EXIT_USAGE, "stress varies one job, and this scenario has %zu (%s): give a scenario with one job",
                    nj, names);
    }
    *base = sf.jobs[0];
    scn_file_free(&sf);
    if (base->file[0])
        return fail(EXIT_USAGE, "stress makes a file per iteration: do not set 'file'");
    return 0;
}

/* A stress session: its settings, where its iterations go, what it kept. */
typedef struct stress {
    const stress_args_t *a;
    const scn_t *base;
    char workdir[SCN_PATH + 64], failroot[SCN_PATH + 32];
    long long nkept;
    orch_report_t *rep;
    int64_t t0; /* when the first iteration began: the status line's elapsed time */
} stress_t;

/* Keeps a run that did not fail when keep_data asks for it, or removes it. */
static void keep_or_discard(stress_t *st, const char *itdir, const scn_t *s)
{
    if (s->keep_data) {
        keep_run(itdir, s, st->rep);
        st->nkept++;
    } else {
        discard_run(itdir);
    }
}

/* Runs iteration it (from 0). Returns -1 to go on to the next one, or the
 * session's exit status when it stops here (a failure kept, an interruption,
 * or an error). */
static int stress_iteration(stress_t *st, long long it)
{
    const stress_args_t *a = st->a;
    orch_report_t *rep = st->rep;
    scn_t s = *st->base;
    char desc[400], itdir[SCN_PATH + 96], file[SCN_PATH + 128], msg[256], why[512];
    h5s_err_t err;
    variation(&s, a->seed, (uint64_t)it, a->ov, a->nov, desc, sizeof desc);
    if (scn_validate(&s, msg, sizeof msg) < 0) {
        /* a user override can contradict a variation: keep the user's word */
        printf("iteration %lld: skipped (%s)\n", it + 1, msg);
        return -1;
    }
    snprintf(itdir, sizeof itdir, "%s/iter-%06lld", st->workdir, it + 1);
    if (mkdir(itdir, 0755) != 0)
        return fail(EXIT_FAIL, "%s: %s", itdir, strerror(errno));
    snprintf(file, sizeof file, "%s/data.mth5", itdir);
    int64_t t1 = h5s_now_ns();
    /* the live status line: this iteration of how many, the time left at the pace so far */
    status_outer_t outer = {.index = it + 1, .count = a->iterations, .t0_ns = st->t0};
    snprintf(outer.label, sizeof outer.label, "iteration %lld/%lld", it + 1, a->iterations);
    double el = (double)(t1 - st->t0) / 1e9;
    outer.eta_after_s = (double)(a->iterations - it - 1) * (it ? el / (double)it : s.duration_s + 0.5);
    if (orch_run_live(&s, file, itdir, &outer, rep, &err) < 0) {
        int rc = fail(EXIT_FAIL, "%s", err.msg);
        discard_run(itdir); /* nothing ran that could be judged */
        return rc;
    }
    if (rep->interrupted && rep->exit_code != EXIT_VERIFY) {
        /* stopped before it could be judged: not a failure, its data goes as a pass's
         * does (wrong data seen before the interruption is a failure, kept below) */
        keep_or_discard(st, itdir, &s);
        printf("iteration %lld: interrupted%s\n", it + 1, s.keep_data ? " (kept)" : " (its data removed)");
        return 130;
    }
    bool ok = stress_judge(rep, why, sizeof why);
    printf("iteration %lld/%lld seed %llu: %s ... %s (%.1f s)\n", it + 1, a->iterations, a->seed, desc,
           ok                 ? "ok"
           : rep->interrupted ? "FAILED (interrupted)"
                              : "FAILED",
           (double)(h5s_now_ns() - t1) / 1e9);
    fflush(stdout);
    if (ok) {
        keep_or_discard(st, itdir, &s);
        return -1;
    }
    char kept[SCN_PATH + 160], path[SCN_PATH + 128];
    snprintf(path, sizeof path, "%s/summary.json", itdir);
    report_write_json(path, rep, itdir, NULL);
    if (save_failure(itdir, st->failroot, st->base->scenario, &s, a->seed, (uint64_t)it + 1, rep, kept, sizeof kept) ==
        0) {
        printf("failure: %s\nkept in %s (replay: h5swmr stress --replay %s)\n", why, kept, kept);
        report_html_after(kept, stdout);
    } else {
        printf("failure: %s\nkept in %s\n", why, itdir);
        snprintf(kept, sizeof kept, "%s", itdir);
    }
    if (a->min.on) {
        char cls[512];
        int frc;
        stress_failure_class(rep, cls, sizeof cls);
        if (stress_minimize(&s, cls, kept, &a->min, rep, &frc) == 130)
            return 130;
    }
    return EXIT_VERIFY;
}

/* Runs the iterations with SIGINT and SIGTERM blocked (an interruption is
 * seen between iterations, and by the orchestrator during one); returns the
 * exit status and the number of iterations begun in *done. */
static int stress_iterations(stress_t *st, long long *done)
{
    sigset_t stopset, oldmask;
    sigemptyset(&stopset);
    sigaddset(&stopset, SIGINT);
    sigaddset(&stopset, SIGTERM);
    sigprocmask(SIG_BLOCK, &stopset, &oldmask);
    int rc = 0;
    long long it;
    for (it = 0; it < st->a->iterations; it++) {
        sigset_t pend;
        if (sigpending(&pend) == 0 && (sigismember(&pend, SIGINT) || sigismember(&pend, SIGTERM))) {
            rc = 130;
            break;
        }
        int r = stress_iteration(st, it);
        if (r >= 0) {
            rc = r;
            it++; /* it was begun */
            break;
        }
    }
    struct timespec zero = {0, 0};
    while (sigtimedwait(&stopset, NULL, &zero) > 0)
        rc = 130;
    sigprocmask(SIG_SETMASK, &oldmask, NULL);
    *done = it;
    return rc;
}

int cmd_stress(int argc, char **argv)
{
    stress_args_t a = {.iterations = 100, .seed = 1, .min = {.tries = 3, .budget_s = 600}};
    bool done;
    int rc = parse_stress_args(argc, argv, &a, &done);
    if (done)
        return rc;
    if (a.replay_dir)
        return replay(a.replay_dir, a.ov, a.nov, &a.min);
    scn_t base;
    if ((rc = load_base(&a, &base)) != 0)
        return rc;
    stress_t st = {.a = &a, .base = &base, .t0 = h5s_now_ns()};
    char name[SCN_STR + 16];
    snprintf(name, sizeof name, "%s-stress", base.scenario);
    if (h5s_make_unique_dir(base.results_dir, name, st.workdir, sizeof st.workdir) != 0)
        return fail(EXIT_USAGE, "cannot create a directory under '%s': %s", base.results_dir, strerror(errno));
    snprintf(st.failroot, sizeof st.failroot, "%s/failures", base.results_dir);
    if (!(st.rep = malloc(sizeof *st.rep)))
        return fail(EXIT_FAIL, "out of memory");
    printf("stress %s: up to %lld iterations, seed %llu\n", a.scenario, a.iterations, a.seed);
    int64_t t0 = h5s_now_ns();
    long long it;
    rc = stress_iterations(&st, &it);
    printf("stress: %lld iteration%s in %.0f s, %s\n", it, it == 1 ? "" : "s", (double)(h5s_now_ns() - t0) / 1e9,
           rc == 0     ? (a.min.on ? "no failure (nothing to minimize)" : "no failure")
           : rc == 130 ? "interrupted"
                       : "stopped at the first failure");
    if (st.nkept)
        printf("stress: %lld iteration%s kept with their data in %s (keep_data)\n", st.nkept, st.nkept == 1 ? "" : "s",
               st.workdir);
    if (st.nkept)
        report_html_after(st.workdir, stdout);
    rmdir(st.workdir); /* only if empty: a failure moved out, successes removed */
    free(st.rep);
    return rc;
}

const cli_cmd_t cmd_stress_def = {
    .name = "stress",
    .synopsis = "SCENARIO [--iterations N] [--seed S] [-o KEY=VALUE]... [--minimize [--minimize-tries N]\n"
                "       [--minimize-budget SECONDS]]\n"
                "       h5swmr stress --replay FAILURE_DIR [-o keep_data=BOOL]\n"
                "       h5swmr stress --replay FAILURE_DIR --minimize [--minimize-tries N] [--minimize-budget SECONDS]",
    .summary = "seeded variation and faults until a failure",
    .help = "Repeats the scenario with seeded random variation (durations, pacing, block sizes,\n"
            "reader counts, poll intervals, flush policy, dtypes, compression, and faults: writer\n"
            "SIGKILL, reader SIGKILL, writer stall, file-size limit, early reader, at random moments)\n"
            "until the first failure or N iterations. Keys given with -o are not varied. A failure is\n"
            "kept under <results_dir>/failures/ with its file, resolved.ini, seed and report;\n"
            "--replay reruns it with exactly those settings.\n\n"
            "The directory of an iteration that passed (or was interrupted) is deleted with its data\n"
            "file unless -o keep_data=true, which keeps it under <results_dir>/<scenario>-stress-<time>/\n"
            "with its summary.json and resolved.ini. A replay that passes deletes its data file unless\n"
            "-o keep_data=true. Failures are always kept.\n\n"
            "--minimize shrinks the failure (or, with --replay, the replayed one once it fails again):\n"
            "one reduction at a time (fewer readers and channels, each fault dropped, a shorter run, smaller\n"
            "blocks, simpler options), each kept when a real run fails alike (same exit and kind)\n"
            "within --minimize-tries runs, until none applies or --minimize-budget seconds have gone.\n"
            "It writes minimal.ini and minimize.log into the failure directory and keeps the last\n"
            "failing run in minimal-run/ (replayable); passing runs are deleted. When the failure is\n"
            "HDF5's, it names the 'h5swmr repro' reproducer to hand over.\n",
    .opts = stress_opts,
    .handler = cmd_stress,
    .needs_hdf5 = true,
};
