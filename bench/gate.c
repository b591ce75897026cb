/* gate.c - h5swmr gate: the regression gate. It judges sweeps (sweep.json) in
 * one of two ways:
 *
 *   against a committed baseline: only figures that carry from one host to
 *   another are judged - SWMR against HDF5 without SWMR and h5swmr's own write
 *   path against a bare HDF5 loop (per-call p50 throughput, paired within each
 *   repeat), lag as a fraction of the poll interval, flush cost growth
 *   exponents, and every correctness figure exactly. Ratios to raw pwrite
 *   depend on the host and are reported, not judged;
 *
 *   A/B: two h5swmr builds (or one build with two settings) run the same sweep
 *   in alternating rounds on this machine, and every figure of B is judged
 *   against A's from the neighbouring round, host-dependent ratios included.
 *
 * A figure's verdict comes from the distribution of its paired values: a
 * distribution-free confidence interval of their median (the sign-test
 * interval, order statistics of the binomial) set against the tolerance.
 * pass: the whole interval is inside it; regressed: the whole interval is
 * beyond it; inconclusive: the interval straddles it (the noise measured in
 * this run is larger than the margin). With --run the gate runs the sweep
 * itself, and adds rounds while a figure is inconclusive (or a regression
 * has been seen in one round only) and the time budget lasts.
 *
 * This file reads sweeps, runs them in rounds and parses the command line;
 * gate_stats.c decides verdicts, gate_figures.c makes the figures and
 * gate_report.c prints them. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <cjson/cJSON.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child.h"
#include "cli.h"
#include "commands.h"
#include "fs.h"
#include "gate.h"
#include "proto.h"
#include "report_html.h"
#include "util.h"

#define fail(code, ...) h5s_cli_fail("gate", code, __VA_ARGS__)

#define MAX_OPTS 64
#define GATE_JSON_MAX (64L << 20) /* bytes of a sweep.json the gate reads */
#define GATE_DRY_RUN_MS 60000     /* for a side's sweep --dry-run */

/* ---------------------------------------------------------------- inputs */

/* Reads a JSON file that must be a regular file (a FIFO or device is refused
 * without blocking) of at most GATE_JSON_MAX bytes, one JSON value without
 * NUL bytes, trailing text or duplicate keys. NULL with msg set on failure. */
static cJSON *load_json(const char *path, char *msg, size_t cap)
{
    char why[256];
    cJSON *j = h5s_read_json(path, GATE_JSON_MAX, why, sizeof why);
    if (!j)
        snprintf(msg, cap, "cannot read %s as JSON: %s", path, why);
    return j;
}

/* Checks that j is sweep results the gate can read: a 'runs' array of
 * objects, each with a string job, a scenario object with a writer_mode and
 * numeric errors and exit_code; flush_growth entries with strings job and
 * flush_call and a number exponent_top. 0, or -1 with msg. */
static int validate(const cJSON *j, const char *path, char *msg, size_t cap)
{
    const cJSON *runs = cJSON_GetObjectItemCaseSensitive(j, "runs"), *r;
    if (!cJSON_IsArray(runs))
        return snprintf(msg, cap, "%s: not sweep results (no 'runs' array)", path), -1;
    int i = 0;
    cJSON_ArrayForEach (r, runs) {
        i++;
        if (!cJSON_IsObject(r) || !gate_str_of(r, "job") ||
            !gate_str_of(cJSON_GetObjectItemCaseSensitive(r, "scenario"), "writer_mode") ||
            isnan(gate_num(r, "errors")) || isnan(gate_num(r, "exit_code")))
            return snprintf(msg, cap, "%s: run %d lacks job, scenario.writer_mode, errors or exit_code", path, i), -1;
    }
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(j, "flush_growth");
    if (g && !cJSON_IsArray(g))
        return snprintf(msg, cap, "%s: 'flush_growth' is not an array", path), -1;
    i = 0;
    cJSON_ArrayForEach (r, g) {
        i++;
        if (!gate_str_of(r, "job") || !gate_str_of(r, "flush_call") || isnan(gate_num(r, "exponent_top")))
            return snprintf(msg, cap, "%s: flush_growth entry %d lacks job, flush_call or exponent_top", path, i), -1;
    }
    return 0;
}

/* Computes and caches every run's key (validate first). */
static void key_rows(cJSON *j)
{
    static const char *const keys[] = {"writer_mode", "block_samples", "nchannels", "flush_call", "flush_every_blocks",
                                       "poll_ms",     "reader_wait",   "readers",   "dtype",      "cork",
                                       NULL};
    cJSON *r;
    char out[GATE_KEY_CAP];
    cJSON_ArrayForEach (r, cJSON_GetObjectItemCaseSensitive(j, "runs")) {
        int n = snprintf(out, sizeof out, "[%s]", gate_str_of(r, "job"));
        for (int i = 0; keys[i] && n > 0 && (size_t)n < sizeof out; i++)
            n += snprintf(out + n, sizeof out - (size_t)n, " %s=%s", keys[i], gate_sopt(r, keys[i]));
        /* sweeps from before reader_mode existed ran h5swmr's readers only */
        const char *rm = gate_sopt(r, "reader_mode");
        if (rm[0] && strcmp(rm, "h5swmr") && n > 0 && (size_t)n < sizeof out)
            snprintf(out + n, sizeof out - (size_t)n, " reader_mode=%s", rm);
        cJSON_DeleteItemFromObjectCaseSensitive(r, GATE_KEY_FIELD);
        cJSON_AddStringToObject(r, GATE_KEY_FIELD, out);
    }
}

/* ----------------------------------------------------------- running */

/* Finds the sweep directory a sweep made under parent (the only entry). */
static int find_sweep_json(const char *parent, char *out, size_t cap)
{
    DIR *d = opendir(parent);
    if (!d)
        return -1;
    struct dirent *e;
    int found = -1;
    while ((e = readdir(d)))
        if (strstr(e->d_name, "-sweep-")) {
            snprintf(out, cap, "%s/%s/sweep.json", parent, e->d_name);
            found = access(out, R_OK) == 0 ? 0 : -1;
        }
    closedir(d);
    return found;
}

/* How the gate runs sweeps: the program of each side, the scenario, where
 * rounds go, each side's overrides, and when the budget ends. */
typedef struct runner {
    const char *bin[2];   /* A, B (B NULL: baseline mode) */
    const char *scenario; /* the sweep to run */
    const char *out;      /* where rounds go */
    const char *opts[2][MAX_OPTS];
    int nopts[2];
    int64_t deadline_ns;
} runner_t;

/* The directory a side's rounds go to: its own results_dir override, else
 * the gate's --out. */
static const char *side_parent(const runner_t *ru, int s)
{
    const char *parent = ru->out;
    for (int i = 0; i < ru->nopts[s]; i++)
        if (!strncmp(ru->opts[s][i], "results_dir=", 12) && ru->opts[s][i][12])
            parent = ru->opts[s][i] + 12;
    return parent;
}

/* Checks, creating nothing, that rounds can be made in dir: it is a
 * directory, or the nearest part of its path that exists is one, that may
 * be written, and not on a pseudo file system (/proc, /sys). 0, or -1 with
 * msg. */
static int check_round_dir(const char *what, const char *dir, char *msg, size_t cap)
{
    char p[SCN_PATH], up[SCN_PATH];
    struct stat st;
    if (!dir[0] || snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p)
        return snprintf(msg, cap, "%s '%s': %s", what, dir, dir[0] ? "path too long" : "an empty path"), -1;
    while (stat(p, &st) != 0) {
        if (errno != ENOENT && errno != ENOTDIR)
            return snprintf(msg, cap, "%s %s: %s", what, dir, strerror(errno)), -1;
        h5s_parent_dir(p, up, sizeof up);
        if (!strcmp(up, p))
            return snprintf(msg, cap, "%s %s: %s", what, dir, strerror(errno)), -1;
        snprintf(p, sizeof p, "%s", up);
    }
    const char *pseudo = S_ISDIR(st.st_mode) ? h5s_fs_pseudo(p) : NULL;
    if (!S_ISDIR(st.st_mode))
        return snprintf(msg, cap, "%s %s: %s is not a directory", what, dir, p), -1;
    if (pseudo)
        return snprintf(msg, cap, "%s %s: on %s, which holds no results", what, dir, pseudo), -1;
    if (access(p, W_OK | X_OK) != 0)
        return snprintf(msg, cap, "%s %s: %s may not be written: %s", what, dir, p, strerror(errno)), -1;
    return 0;
}

/* Asks side s's program whether it accepts the sweep as the gate will run
 * it: `sweep SCENARIO --dry-run` with the side's overrides checks the
 * scenario and every value, and runs and creates nothing. 0, or -1 with its
 * message (its last line of output) in msg. */
static int dry_run(const runner_t *ru, int s, char *msg, size_t cap)
{
    const char *argv[2 * MAX_OPTS + 16];
    int k = 0;
    argv[k++] = ru->bin[s];
    argv[k++] = "sweep";
    argv[k++] = ru->scenario;
    argv[k++] = "--dry-run";
    argv[k++] = "--no-plot";
    for (int i = 0; i < ru->nopts[s]; i++) {
        argv[k++] = "-o";
        argv[k++] = ru->opts[s][i];
    }
    argv[k] = NULL;
    int fd = memfd_create("h5swmr-gate-dry-run", MFD_CLOEXEC);
    if (fd < 0)
        return snprintf(msg, cap, "memfd_create: %s", strerror(errno)), -1;
    h5s_child_t ch;
    h5s_err_t err;
    h5s_child_opts_t o = {.pdeathsig = SIGKILL};
    pid_t pid = h5s_child_spawn(&ch, &o, &err);
    if (pid < 0) {
        close(fd);
        return snprintf(msg, cap, "%s", err.msg), -1;
    }
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        if (in < 0 || dup2(in, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
            _exit(127);
        execv(argv[0], (char *const *)argv);
        dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int r = h5s_child_wait(&ch, h5s_now_ns() + (int64_t)GATE_DRY_RUN_MS * 1000000);
    if (r == 0)
        h5s_child_end(&ch, H5S_REAP_GRACE_NS);
    int code = r > 0 ? h5s_child_exit_code(ch.status) : -1;
    /* the last line of its output says why */
    char tail[1024] = "";
    off_t end = lseek(fd, 0, SEEK_END);
    ssize_t n =
        end > 0 ? pread(fd, tail, sizeof tail - 1, end > (off_t)sizeof tail - 1 ? end - (off_t)sizeof tail + 1 : 0) : 0;
    close(fd);
    tail[n > 0 ? n : 0] = '\0';
    for (size_t len = strlen(tail); len && (tail[len - 1] == '\n' || tail[len - 1] == '\r');)
        tail[--len] = '\0';
    const char *last = strrchr(tail, '\n') ? strrchr(tail, '\n') + 1 : tail;
    if (code == 0)
        return 0;
    char line[512];
    if (!strncmp(last, "h5swmr sweep: ", 14))
        last += 14;
    snprintf(line, sizeof line, "%.500s", last);
    cli_one_line(line);
    if (r == 0)
        snprintf(msg, cap, "%s sweep --dry-run did not finish within %d s", ru->bin[s], GATE_DRY_RUN_MS / 1000);
    else
        snprintf(msg, cap, "%s sweep %s --dry-run refuses it%s%s", ru->bin[s], ru->scenario, line[0] ? ": " : "",
                 line[0] ? line : " (no message)");
    return -1;
}

/* Runs one sweep of side s as round r; returns its parsed sweep.json or NULL
 * with one line on stderr. */
static cJSON *run_sweep(const runner_t *ru, int s, int r)
{
    char dir[SCN_PATH + 160], resdir[SCN_PATH + 200], log[SCN_PATH + 200], json[SCN_PATH + 600],
        msg[2 * SCN_PATH + 900];
    /* a side's own results_dir (another file system) holds its rounds; the
     * gate's --out holds the others */
    const char *parent = side_parent(ru, s);
    snprintf(dir, sizeof dir, "%s/round%02d-%c", parent, r, 'a' + s);
    if (h5s_mkdir_p(dir) != 0) {
        fail(EXIT_FAIL, "cannot create %s: %s", dir, strerror(errno));
        return NULL;
    }
    snprintf(resdir, sizeof resdir, "results_dir=%s", dir);
    snprintf(log, sizeof log, "%s/sweep.log", dir);
    const char *argv[2 * MAX_OPTS + 16];
    int k = 0;
    argv[k++] = ru->bin[s];
    argv[k++] = "sweep";
    argv[k++] = ru->scenario;
    argv[k++] = "--no-plot";
    argv[k++] = "-o";
    argv[k++] = resdir;
    for (int i = 0; i < ru->nopts[s]; i++) {
        if (strncmp(ru->opts[s][i], "results_dir=", 12)) {
            argv[k++] = "-o";
            argv[k++] = ru->opts[s][i];
        }
    }
    argv[k] = NULL;
    int64_t left = (ru->deadline_ns - h5s_now_ns()) / 1000000;
    int rc = h5s_run_logged(argv, log, left > 60000 ? (int)left : 60000);
    if (rc != 0) {
        fail(EXIT_FAIL, "%s sweep %s %s (see %s)", ru->bin[s], ru->scenario,
             rc < 0      ? "timed out or could not run"
             : rc >= 128 ? "was interrupted"
                         : "failed",
             log);
        return NULL;
    }
    cJSON *j = NULL;
    if (find_sweep_json(dir, json, sizeof json) != 0 || !(j = load_json(json, msg, sizeof msg)) ||
        validate(j, json, msg, sizeof msg) != 0) {
        fail(EXIT_FAIL, "%s", j ? msg : "the sweep left no readable sweep.json");
        cJSON_Delete(j);
        return NULL;
    }
    key_rows(j);
    return j;
}

/* Whether another round may decide more: a regression seen in a single
 * round is confirmed by a second; once one is confirmed the gate has failed
 * and ends; otherwise rounds go on while a figure is inconclusive. */
static bool want_more(gate_figs_t *fs, int rounds)
{
    bool inconclusive = false, regressed = false;
    for (int i = 0; i < fs->n; i++) {
        gate_fig_judge(&fs->f[i]);
        inconclusive |= fs->f[i].verdict == V_INCONCLUSIVE;
        regressed |= fs->f[i].verdict == V_REGRESSED;
    }
    return regressed ? rounds < 2 : inconclusive;
}

/* --------------------------------------------------------------- CLI */

/* What the command line asks for, and the runner it sets up. */
typedef struct gate_args {
    gate_opt_t o;
    const char *baseline, *scenario, *out;
    const char *ab[2];
    const char *files[GATE_MAX_SOURCES];
    int nfiles;
    bool side_opt; /* an --a-opt or --b-opt was given */
    double budget, rounds, max_rounds;
    runner_t ru;
} gate_args_t;

enum {
    OPT_BASELINE,
    OPT_RUN,
    OPT_AB,
    OPT_TOLERANCE,
    OPT_LAG_TOLERANCE,
    OPT_EXPONENT_TOLERANCE,
    OPT_BUDGET,
    OPT_ROUNDS,
    OPT_MAX_ROUNDS,
    OPT_OUT,
    OPT_OVERRIDE,
    OPT_A_OPT,
    OPT_B_OPT,
    OPT_STRICT,
    OPT_MARKDOWN,
    OPT_FORCE,
};

static const cli_opt_t gate_opts[] = {
    [OPT_BASELINE] = {"baseline", 0, "BASELINE.json", "judge against this sweep.json (e.g. the committed baseline)"},
    [OPT_RUN] = {"run", 0, "SCENARIO", "run this sweep in rounds instead of judging SWEEP.json files"},
    [OPT_AB] = {"ab", 0, "A_BIN B_BIN", "A/B: two h5swmr programs in alternating rounds (needs --run)"},
    [OPT_TOLERANCE] = {"tolerance", 0, "F", "relative figures: fraction they may lose, below 1 (default 0.10)"},
    [OPT_LAG_TOLERANCE] = {"lag-tolerance", 0, "F",
                           "lag p50 may grow by this fraction of the poll interval, up to 10 (default 0.25)"},
    [OPT_EXPONENT_TOLERANCE] = {"exponent-tolerance", 0, "E",
                                "flush cost growth exponent may grow by E, up to 2 (default 0.45)"},
    [OPT_BUDGET] = {"budget", 0, "SECONDS", "--run: time for all rounds (default 300)"},
    [OPT_ROUNDS] = {"rounds", 0, "N", "--run: at least N rounds (default 1; --ab: 2)"},
    [OPT_MAX_ROUNDS] = {"max-rounds", 0, "N", "--run: at most N rounds (default 6)"},
    [OPT_OUT] = {"out", 0, "DIR", "--run: where the rounds' sweeps go (default results/gate-<UTC time>)"},
    [OPT_OVERRIDE] = {"o", 'o', "KEY=VALUE", "--run: a scenario override for every sweep"},
    [OPT_A_OPT] = {"a-opt", 0, "KEY=VALUE",
                   "--ab: an override for side A only (e.g. its data directory); only with --ab"},
    [OPT_B_OPT] = {"b-opt", 0, "KEY=VALUE", "--ab: an override for side B only"},
    [OPT_STRICT] = {"strict", 0, NULL, "an inconclusive figure fails the gate"},
    [OPT_MARKDOWN] = {"markdown", 0, "FILE", "also write the verdicts as a Markdown table (a new file)"},
    [OPT_FORCE] = {"force", 0, NULL, "--markdown: replace an existing regular file"},
    {NULL, 0, NULL, NULL},
};

/* Takes the value v of the number option k into its setting: --tolerance in
 * [0, 1) (at 1 a relative figure could fall to nothing and pass),
 * --lag-tolerance in [0, 10] poll intervals, --exponent-tolerance in [0, 2]
 * (more would pass linear flush cost turning cubic), the budget in
 * [0, 86400] s, round counts whole in [1, 64]. Returns 0, or the exit status
 * after one line on stderr. */
static int number_option(const cli_parser_t *p, int k, const char *v, gate_args_t *c)
{
    double *dst = k == OPT_TOLERANCE            ? &c->o.tol
                  : k == OPT_LAG_TOLERANCE      ? &c->o.lag_tol
                  : k == OPT_EXPONENT_TOLERANCE ? &c->o.exp_tol
                  : k == OPT_BUDGET             ? &c->budget
                  : k == OPT_ROUNDS             ? &c->rounds
                                                : &c->max_rounds;
    bool count = k == OPT_ROUNDS || k == OPT_MAX_ROUNDS;
    double lo = count ? 1 : 0, hi = k == OPT_BUDGET               ? 86400
                                    : count                       ? GATE_MAX_SOURCES
                                    : k == OPT_TOLERANCE          ? 1
                                    : k == OPT_EXPONENT_TOLERANCE ? 2
                                                                  : 10;
    const char *opt = cli_spelling(p, k);
    if (k == OPT_TOLERANCE && (!cli_number(v, lo, hi, dst) || *dst >= 1))
        return cli_usage_error(&cmd_gate_def,
                               "%s: '%s' is not a number in [0, 1) (the fraction a figure may lose: at 1 it could "
                               "fall to nothing and pass)",
                               opt, v);
    if (!cli_number(v, lo, hi, dst))
        return cli_usage_error(&cmd_gate_def, "%s: '%s' is not a number in [%g, %g]", opt, v, lo, hi);
    if (count && *dst != floor(*dst))
        return cli_usage_error(&cmd_gate_def, "%s: '%s' is not a whole number", opt, v);
    return 0;
}

/* Takes a scenario override: -o for both sides, --a-opt or --b-opt for one.
 * Returns 0, or the exit status after one line on stderr. */
static int override_option(const cli_parser_t *p, int k, const char *v, gate_args_t *c)
{
    if (!strchr(v, '=') || strchr(v, '\n'))
        return cli_usage_error(&cmd_gate_def, "%s needs KEY=VALUE, not '%s'", cli_spelling(p, k), v);
    c->side_opt |= k != OPT_OVERRIDE;
    for (int s = 0; s < 2; s++)
        if (k == OPT_OVERRIDE || (s == 0 && k == OPT_A_OPT) || (s == 1 && k == OPT_B_OPT)) {
            if (c->ru.nopts[s] == MAX_OPTS)
                return cli_usage_error(&cmd_gate_def, "too many scenario overrides");
            c->ru.opts[s][c->ru.nopts[s]++] = v;
        }
    return 0;
}

/* Takes one option or positional argument (see parse). Returns -1 to go on,
 * or the exit status. */
static int take_argument(cli_parser_t *p, int k, const char *v, gate_args_t *c)
{
    switch (k) {
    case CLI_HELP: return EXIT_OK;
    case CLI_ERROR: return EXIT_USAGE;
    case CLI_POSITIONAL:
        if (c->nfiles == GATE_MAX_SOURCES)
            return cli_usage_error(&cmd_gate_def, "at most %d sweep files", GATE_MAX_SOURCES);
        c->files[c->nfiles++] = v;
        return -1;
    case OPT_BASELINE: c->baseline = v; return -1;
    case OPT_RUN: c->scenario = v; return -1;
    case OPT_OUT: c->out = v; return -1;
    case OPT_MARKDOWN: c->o.markdown = v; return -1;
    case OPT_AB:
        /* the option's value is A's program; B's is the next argument, whatever it is */
        c->ab[0] = v;
        if (!(c->ab[1] = cli_take(p)))
            return cli_usage_error(&cmd_gate_def, "--ab needs two programs: --ab A_BIN B_BIN");
        return -1;
    case OPT_OVERRIDE:
    case OPT_A_OPT:
    case OPT_B_OPT: return override_option(p, k, v, c) ? EXIT_USAGE : -1;
    case OPT_STRICT: c->o.strict = true; return -1;
    case OPT_FORCE: c->o.force = true; return -1;
    default: return number_option(p, k, v, c) ? EXIT_USAGE : -1;
    }
}

/* Parses argv into c and checks that its options fit together. Returns -1
 * to go on, or the exit status (0 after --help, 2 after one line on
 * stderr). */
static int parse(int argc, char **argv, gate_args_t *c)
{
    cli_parser_t p;
    const char *v;
    cli_begin(&p, &cmd_gate_def, argc, argv);
    for (int k; (k = cli_next(&p, &v)) != CLI_END;) {
        int rc = take_argument(&p, k, v, c);
        if (rc >= 0)
            return rc;
    }
    if (!!c->baseline + !!c->ab[0] != 1)
        return cli_usage_error(&cmd_gate_def,
                               "give one of --baseline BASELINE.json or --ab A_BIN B_BIN (see h5swmr gate --help)");
    if (c->ab[0] && !c->scenario)
        return cli_usage_error(&cmd_gate_def, "--ab needs --run SCENARIO");
    if (c->side_opt && !c->ab[0])
        return cli_usage_error(
            &cmd_gate_def, "--a-opt and --b-opt are overrides for one side of --ab A_BIN B_BIN; without --ab use -o");
    if (!!c->scenario == !!c->nfiles)
        return cli_usage_error(&cmd_gate_def, "%s",
                               c->nfiles ? "give either --run SCENARIO or sweep files, not both"
                                         : "no sweep to judge: give SWEEP.json files or --run SCENARIO");
    if (c->rounds > c->max_rounds)
        return cli_usage_error(&cmd_gate_def, "--rounds %g is more than --max-rounds %g", c->rounds, c->max_rounds);
    struct stat st;
    for (int s = 0; s < 2 && c->ab[0]; s++)
        if (stat(c->ab[s], &st) != 0 || !S_ISREG(st.st_mode) || access(c->ab[s], X_OK) != 0)
            return cli_usage_error(&cmd_gate_def, "%s: not an executable program", c->ab[s]);
    char why[256];
    FILE *f = c->scenario ? h5s_open_input(c->scenario, 0, why, sizeof why) : NULL;
    if (c->scenario && !f)
        return cli_usage_error(&cmd_gate_def, "--run %s: %s", c->scenario, why);
    if (f)
        fclose(f);
    return -1;
}

/* Frees n parsed sources. */
static void free_all(cJSON **v, int n)
{
    for (int i = 0; i < n; i++)
        cJSON_Delete(v[i]);
}

/* Runs rounds until the figures are decided, the budget is spent or
 * max_rounds is reached; builds the figures into fs. Returns 0 or an exit
 * status. */
static int run_rounds(gate_args_t *c, const cJSON *base, cJSON **A, cJSON **B, int *n, gate_figs_t *fs)
{
    bool ab = c->ab[0] != NULL;
    int64_t t0 = h5s_now_ns();
    c->ru.deadline_ns = t0 + (int64_t)(c->budget * 1e9);
    double per_round = 0;
    for (int r = 0; r < (int)c->max_rounds; r++) {
        double spent = (double)(h5s_now_ns() - t0) / 1e9;
        if (r >= (int)c->rounds && (!want_more(fs, r) || spent + per_round > c->budget))
            break;
        /* alternate which side goes first (A B, B A, ...) so that drift cancels */
        for (int k = 0; k < (ab ? 2 : 1); k++) {
            int s = ab ? (k + r) % 2 : 0;
            printf("gate: round %d%s: %s sweep %s\n", r + 1, ab ? (s ? " B" : " A") : "", c->ru.bin[s], c->scenario);
            fflush(stdout);
            cJSON *j = run_sweep(&c->ru, s, r + 1);
            if (!j)
                return EXIT_FAIL;
            (s ? B : A)[*n] = j;
        }
        (*n)++;
        per_round = (double)(h5s_now_ns() - t0) / 1e9 / *n;
        gate_figs_free(fs);
        if (ab)
            gate_ab_figures(fs, A, B, *n, &c->o);
        else
            gate_baseline_figures(fs, base, A, *n, &c->o);
    }
    printf("gate: %d round%s in %.0f s (budget %.0f s); sweeps in %s\n", *n, *n == 1 ? "" : "s",
           (double)(h5s_now_ns() - t0) / 1e9, c->budget, c->out);
    return 0;
}

/* h5swmr gate: parses the command line, reads the baseline and the sweeps
 * (or runs them in rounds with --run), judges the figures and returns the
 * exit status. */
int cmd_gate(int argc, char **argv)
{
    gate_args_t c = {.o = {.tol = 0.10, .exp_tol = 0.45, .lag_tol = 0.25}, .budget = 300, .rounds = 0, .max_rounds = 6};
    int rc = parse(argc, argv, &c);
    if (rc >= 0)
        return rc;
    rc = 0;
    if (!c.rounds)
        c.rounds = c.ab[0] ? 2 : 1;
    char msg[1200];
    cJSON *base = NULL, *A[GATE_MAX_SOURCES] = {0}, *B[GATE_MAX_SOURCES] = {0};
    int n = 0;
    gate_figs_t fs = {0};
    if (c.baseline &&
        (!(base = load_json(c.baseline, msg, sizeof msg)) || validate(base, c.baseline, msg, sizeof msg))) {
        cJSON_Delete(base);
        return fail(EXIT_USAGE, "%s", msg);
    }
    if (base && !cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(base, "runs"))) {
        cJSON_Delete(base);
        return fail(EXIT_USAGE, "%s: the baseline has no runs: it would judge nothing", c.baseline);
    }
    if (base)
        key_rows(base);
    for (; n < c.nfiles; n++) {
        if (!(A[n] = load_json(c.files[n], msg, sizeof msg)) || validate(A[n], c.files[n], msg, sizeof msg)) {
            free_all(A, n + 1);
            cJSON_Delete(base);
            return fail(EXIT_USAGE, "%s", msg);
        }
        key_rows(A[n]);
    }
    char outdir[SCN_PATH + 64], self[SCN_PATH];
    if (c.scenario) {
        /* the gate's own executable, even when the parent's path is relative */
        ssize_t l = c.ab[0] ? -1 : readlink("/proc/self/exe", self, sizeof self - 1);
        if (l > 0)
            self[l] = '\0';
        c.ru.bin[0] = c.ab[0] ? c.ab[0] : l > 0 ? self : "/proc/self/exe";
        c.ru.bin[1] = c.ab[1];
        c.ru.scenario = c.scenario;
        c.ru.out = c.out ? c.out : "results";
        /* everything is checked before anything is created: where the rounds
         * go, and each side's sweep with its overrides (a dry run) */
        for (int s = 0; s < (c.ab[0] ? 2 : 1) && !rc; s++) {
            const char *parent = side_parent(&c.ru, s);
            if (check_round_dir(parent == c.ru.out ? "--out" : "results_dir", parent, msg, sizeof msg) != 0 ||
                dry_run(&c.ru, s, msg, sizeof msg) != 0)
                rc = EXIT_USAGE;
        }
        if (!rc) {
            if (c.out)
                snprintf(outdir, sizeof outdir, "%s", c.out);
            if ((c.out && h5s_mkdir_p(outdir) != 0) ||
                (!c.out && h5s_make_unique_dir("results", "gate", outdir, sizeof outdir) != 0)) {
                snprintf(msg, sizeof msg, "cannot create %s: %s", c.out ? c.out : "results/gate-*", strerror(errno));
                rc = EXIT_USAGE;
            }
        }
        if (rc) {
            free_all(A, n);
            cJSON_Delete(base);
            return fail(rc, "%s", msg);
        }
        c.ru.out = c.out = outdir;
        c.o.outdir = outdir, c.o.argc = argc, c.o.argv = argv; /* gate.json, for report.html */
        rc = run_rounds(&c, base, A, B, &n, &fs);
    } else {
        gate_baseline_figures(&fs, base, A, n, &c.o);
    }
    if (rc == 0) {
        char what[SCN_PATH * 2];
        if (c.ab[0])
            snprintf(what, sizeof what, "A/B, A = %s, B = %s, %d rounds of %s", c.ab[0], c.ab[1], n, c.scenario);
        else
            snprintf(what, sizeof what, "%d sweep%s against the baseline %s", n, n == 1 ? "" : "s", c.baseline);
        rc = gate_conclude(&fs, &c.o, what);
        if (c.o.outdir)
            report_html_after(c.o.outdir, stdout);
    }
    gate_figs_free(&fs);
    free_all(A, n);
    free_all(B, n);
    cJSON_Delete(base);
    return rc;
}

const cli_cmd_t cmd_gate_def = {
    .name = "gate",
    .synopsis = "--baseline B.json SWEEP.json... | --run SCENARIO | --ab A_BIN B_BIN --run SCENARIO",
    .summary = "regression gate: judge a sweep against a baseline, or two builds A/B",
    .help = "  h5swmr gate --baseline BASELINE.json SWEEP.json...           judge finished sweeps (pooled)\n"
            "  h5swmr gate --baseline BASELINE.json --run SCENARIO [...]     run the sweep, adding rounds as needed\n"
            "  h5swmr gate --ab A_BIN B_BIN --run SCENARIO [...]            A/B: two builds, interleaved rounds\n\n"
            "With --run, rounds are added while a figure is inconclusive or a regression was seen in one round\n"
            "only, as long as the --budget lasts.\n\n"
            "Verdicts per figure: pass, REGRESSED (with the change and its confidence interval), INCONCLUSIVE (the\n"
            "noise measured here is larger than the tolerance), MISSING. Exit 0 when nothing regressed or is missing,\n"
            "1 otherwise, 2 on bad input.\n",
    .opts = gate_opts,
    .handler = cmd_gate,
    .needs_hdf5 = true,
};
