/* run.c - h5swmr run and write: one writer and N readers (or the writer
 * alone) on a new file, for each job of a scenario, after refusing every data
 * file path h5swmr must not write. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "commands.h"
#include "orch.h"
#include "report.h"
#include "scenario.h"
#include "util.h"
#include "fs.h"
#include "datafile.h"

#define MAX_OVERRIDES 256

/* What a file that is not a regular file is, for messages ("a FIFO"). */
static const char *file_kind(mode_t m)
{
    return S_ISFIFO(m)   ? "a FIFO"
           : S_ISCHR(m)  ? "a character device"
           : S_ISBLK(m)  ? "a block device"
           : S_ISSOCK(m) ? "a socket"
           : S_ISDIR(m)  ? "a directory"
                         : "not a regular file";
}

/* Is the existing regular file f in use (h5s_df_in_use)? Returns false
 * when it cannot be opened: the writer reports what it cannot open. */
static bool in_use(const char *f, char *why, size_t cap)
{
    int fd = open(f, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st;
    bool used = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && h5s_df_in_use(fd, &st, why, cap);
    close(fd);
    return used;
}

/* Refuses an existing data file f (lstat'ed into st) that h5swmr must not
 * replace: a symbolic link (live or dangling: h5swmr never writes through
 * one), not a regular file, on a pseudo file system, not to be overwritten,
 * or in use. Returns 0 or the exit status. */
static int preflight_existing(const char *f, struct stat *st, bool overwrite)
{
    if (S_ISLNK(st->st_mode))
        return cmd_fail(EXIT_USAGE,
                        "data file '%s' is a symbolic link%s; h5swmr never writes through one (name the file "
                        "itself)",
                        f, stat(f, st) != 0 && errno == ENOENT ? " to nothing (a dangling link)" : "");
    if (!S_ISREG(st->st_mode))
        return cmd_fail(EXIT_USAGE, "data file '%s' is %s; h5swmr writes data files only as regular files", f,
                        file_kind(st->st_mode));
    const char *pfs = h5s_fs_pseudo(f);
    if (pfs)
        return cmd_fail(EXIT_USAGE, "data file '%s' is on %s, not a file system for data", f, pfs);
    if (!overwrite)
        return cmd_fail(EXIT_USAGE,
                        "data file '%s' exists; h5swmr never overwrites it unless asked (-o overwrite=true)", f);
    char why[200];
    if (in_use(f, why, sizeof why))
        return cmd_fail(EXIT_USAGE, "data file '%s' is in use, so it is not replaced: %s", f, why);
    return 0;
}

/* Refuses, before anything is created, a data file path that h5swmr must not
 * write: only an absent file (in a directory) or an existing regular file
 * (with overwrite=true, not in use) is accepted. */
static int preflight(const scn_t *s)
{
    struct stat st;
    const char *f = s->file;
    if (!f[0])
        return 0;
    if (cli_has_control_char(f))
        return cmd_fail(EXIT_USAGE, "data file '%s': the path contains a control character", f);
    if (lstat(f, &st) == 0)
        return preflight_existing(f, &st, s->overwrite);
    if (errno != ENOENT)
        return cmd_fail(EXIT_USAGE, "data file '%s': %s", f, strerror(errno));
    char dir[SCN_PATH];
    h5s_parent_dir(f, dir, sizeof dir);
    if (stat(dir, &st) != 0)
        return cmd_fail(EXIT_USAGE, "data file '%s': directory '%s': %s", f, dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return cmd_fail(EXIT_USAGE, "data file '%s': '%s' is not a directory", f, dir);
    const char *pfs = h5s_fs_pseudo(dir);
    if (pfs)
        return cmd_fail(EXIT_USAGE, "data file '%s' would be on %s, not a file system for data", f, pfs);
    if (access(dir, W_OK) != 0)
        return cmd_fail(EXIT_USAGE, "data file '%s': directory '%s' is not writable", f, dir);
    return 0;
}

/* Checks every job's data file before any job runs: each path passes the
 * preflight, and no two jobs name the same file (jobs run in turn, and a
 * second job on the same file would replace what the first made). Returns 0
 * or the exit status. */
static int check_jobs(const scn_file_t *sf)
{
    int rc;
    for (size_t j = 0; j < sf->njobs; j++)
        if ((rc = preflight(&sf->jobs[j])) != 0)
            return rc;
    for (size_t j = 0; j < sf->njobs; j++)
        if (sf->jobs[j].file[0])
            for (size_t k = j + 1; k < sf->njobs; k++)
                if (!strcmp(sf->jobs[j].file, sf->jobs[k].file))
                    return cmd_fail(EXIT_USAGE,
                                    "jobs [%s] and [%s] name the same data file '%s' (each job writes its own "
                                    "file: set file per job, or leave it unset for one in each run's results "
                                    "directory)",
                                    sf->jobs[j].name, sf->jobs[k].name, sf->jobs[j].file);
    return 0;
}

/* The banner a job's run starts with: what runs, on which file. */
static void print_banner(const scn_t *s, const char *file, bool writer_only)
{
    printf("======================================================================\n");
    printf("h5swmr %s: %s [%s]: 1 writer (%s), %lld reader%s, %s\n", writer_only ? "write" : "run", s->scenario,
           s->name, s->workload == SCN_STRUCTURE ? "structure" : "append", (long long)s->readers,
           s->readers == 1 ? "" : "s", s->duration_s > 0 ? "timed" : "until Ctrl-C or max_blocks");
    printf("file: %s\n", file);
    if (writer_only)
        printf("attach readers from other terminals once the writer says so: h5swmr watch %s\n", file);
    printf("======================================================================\n");
    fflush(stdout);
}

/* Runs one job in a new results directory and reports it (text on stdout,
 * summary.json beside its data). Folds its exit status into *worst (wrong
 * data seen wins over the rest); returns false when no further job should
 * run (a failure to start, or an interruption). */
static bool run_job(const scn_t *s, size_t njobs, bool writer_only, orch_report_t *rep, int *worst)
{
    char base[2 * SCN_STR + 2], dir[SCN_PATH + 64], file[SCN_PATH + 80], json[SCN_PATH + 100];
    h5s_err_t err;
    if (njobs > 1)
        snprintf(base, sizeof base, "%s-%s", s->scenario, s->name);
    else
        snprintf(base, sizeof base, "%s", s->scenario);
    if (h5s_make_unique_dir(s->results_dir, base, dir, sizeof dir) != 0) {
        *worst =
            cmd_fail(EXIT_USAGE, "cannot create a results directory under '%s': %s", s->results_dir, strerror(errno));
        return false;
    }
    if (s->file[0])
        snprintf(file, sizeof file, "%s", s->file);
    else
        snprintf(file, sizeof file, "%s/%s", dir,
                 s->writer_mode == SCN_MODE_RAW    ? "data.raw"
                 : s->writer_mode == SCN_MODE_BARE ? "data.h5"
                                                   : "data.mth5");
    print_banner(s, file, writer_only);
    status_outer_t alone = {0}; /* the live status line of a run of its own */
    if (orch_run_live(s, file, dir, &alone, rep, &err) < 0) {
        *worst = cmd_fail(EXIT_FAIL, "%s", err.msg);
        return false;
    }
    report_print(stdout, rep);
    snprintf(json, sizeof json, "%s/summary.json", dir);
    if (report_write_json(json, rep, dir, &err) < 0) {
        /* a partial summary is no summary (a full disk): what this run made there goes */
        unlink(json);
        rmdir(dir);
        cmd_fail(EXIT_FAIL, "cannot write the run's summary: %s; removed", err.msg);
        if (!*worst)
            *worst = EXIT_FAIL;
    } else
        printf("results: %s\n", json);
    fflush(stdout);
    if (rep->exit_code && (!*worst || rep->exit_code == EXIT_VERIFY))
        *worst = rep->exit_code;
    return !rep->interrupted;
}

/* The options of run and write. */
enum { OPT_SET };
static const cli_opt_t run_opts[] = {
    {"o", 'o', "KEY=VALUE", "set a scenario key for every job (repeatable; wins over the file)"},
    {NULL, 0, NULL, NULL},
};

/* The command line of run and write: the scenario file and its -o overrides. */
typedef struct run_args {
    const char *scenario;
    const char *ov[MAX_OVERRIDES + 1]; /* one more for write's readers=0 */
    size_t nov;
} run_args_t;

/* Reads argv into a; returns 0 to go on, or the exit status with *done set
 * (after --help or a usage error). */
static int parse_run_args(const cli_cmd_t *cmd, int argc, char **argv, run_args_t *a, bool *done)
{
    cli_parser_t p;
    const char *arg;
    int k;
    *done = true;
    cli_begin(&p, cmd, argc, argv);
    while ((k = cli_next(&p, &arg)) != CLI_END) {
        if (k == CLI_HELP)
            return 0;
        if (k == CLI_ERROR)
            return EXIT_USAGE;
        if (k == OPT_SET) {
            if (a->nov == MAX_OVERRIDES)
                return cli_usage_error(cmd, "too many -o options");
            a->ov[a->nov++] = arg;
        } else if (!a->scenario) {
            a->scenario = arg;
        } else {
            return cli_usage_error(cmd, "unexpected argument '%s' (one scenario file per run)", arg);
        }
    }
    if (!a->scenario)
        return cli_usage_error(cmd, "no scenario file given (try scenarios/mth5_concurrent.ini)");
    *done = false;
    return 0;
}

/* run and write: loads the scenario with its overrides, checks every job's
 * data file, then runs the jobs in turn. */
static int run_command(const cli_cmd_t *cmd, int argc, char **argv, bool writer_only)
{
    run_args_t a = {0};
    bool done;
    int rc = parse_run_args(cmd, argc, argv, &a, &done);
    if (done)
        return rc;
    if (writer_only)
        a.ov[a.nov++] = "readers=0";
    scn_file_t sf;
    h5s_err_t err;
    if (scn_load(a.scenario, a.ov, a.nov, &sf, &err) < 0)
        return cmd_fail(EXIT_USAGE, "%s", err.msg);
    if ((rc = check_jobs(&sf)) != 0) {
        scn_file_free(&sf);
        return rc;
    }
    orch_report_t *rep = malloc(sizeof *rep);
    if (!rep)
        return scn_file_free(&sf), cmd_fail(EXIT_FAIL, "out of memory");
    int worst = 0;
    for (size_t j = 0; j < sf.njobs; j++)
        if (!run_job(&sf.jobs[j], sf.njobs, writer_only, rep, &worst))
            break;
    free(rep);
    scn_file_free(&sf);
    return worst;
}

/* h5swmr run: runs every job of the scenario with its writer and readers.
 * Returns the worst exit status of the jobs. */
static int cmd_run_main(int argc, char **argv)
{
    return run_command(&cmd_run_def, argc, argv, false);
}

/* h5swmr write: runs every job of the scenario with its writer alone
 * (readers=0). Returns the worst exit status of the jobs. */
static int cmd_write_main(int argc, char **argv)
{
    return run_command(&cmd_write_def, argc, argv, true);
}

/* The scenario keys, after the options of run's and write's --help. */
static void scenario_keys_help(FILE *out)
{
    fputc('\n', out);
    scn_print_help(out);
}

const cli_cmd_t cmd_run_def = {
    .name = "run",
    .synopsis = "SCENARIO [-o KEY=VALUE]...",
    .summary = "one writer and N readers on a new file, for each job of the scenario",
    .help = "Runs one writer and N readers on a new file for each job of SCENARIO (an INI file),\n"
            "in turn, and reports what the readers saw: a summary on stdout and summary.json in a\n"
            "new directory under results_dir. An existing data file is never replaced unless\n"
            "-o overwrite=true.\n",
    .opts = run_opts,
    .handler = cmd_run_main,
    .needs_hdf5 = false,
    .help_extra = scenario_keys_help,
    .own_stop_signals = true, /* each job's orchestrator reads them from a signalfd */
};

const cli_cmd_t cmd_write_def = {
    .name = "write",
    .synopsis = "SCENARIO [-o KEY=VALUE]...",
    .summary = "the writer alone (readers = 0); says when readers may attach",
    .help = "Runs the writer of each job of SCENARIO alone (readers = 0) and says when readers may\n"
            "attach from other terminals (h5swmr watch FILE, h5py, h5dump). Results as for run.\n",
    .opts = run_opts,
    .handler = cmd_write_main,
    .needs_hdf5 = false,
    .help_extra = scenario_keys_help,
    .own_stop_signals = true,
};
