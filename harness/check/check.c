/* check.c - `h5swmr check`: runs the conformance cases (check_cases.c), each in
 * its own process group on a fresh directory (check_run.c), compares every
 * outcome with its expectation (an expectation file, else the built-in HDF5
 * 1.10.8 values; check_expect.c) and reports a table for people, TAP 13 or
 * JUnit XML for CI (check_report.c).
 *
 * Exit status: 0 every outcome as expected, 1 any differs, 2 bad arguments or
 * a bad expectation file (nothing run), 130 interrupted. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <hdf5.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_driver.h"
#include "cli.h"
#include "commands.h"
#include "fs.h"
#include "report_html.h"

/* ---- arguments ----------------------------------------------------------------- */

enum { O_DIR, O_EXPECT, O_TAP, O_JUNIT, O_FORCE, O_CASE, O_LIST, O_QUIET, O_KEEP_DATA, O_KEEP };

static const cli_opt_t check_opts[] = {
    [O_DIR] = {"dir", 0, "DIR", "test the file system of DIR (default: /tmp)"},
    [O_EXPECT] = {"hdf5-expect", 0, "FILE", "expectations (default: the shipped file for this HDF5; 'builtin')"},
    [O_TAP] = {"tap", 0, NULL, "TAP version 13 on stdout instead of the table"},
    [O_JUNIT] = {"junit", 0, "FILE", "also write JUnit XML to FILE (a new file; see --force)"},
    [O_FORCE] = {"force", 0, NULL, "--junit may replace an existing regular file"},
    [O_CASE] = {"case", 0, "NAME", "run only this case (repeatable)"},
    [O_LIST] = {"list", 0, NULL, "list the cases and exit"},
    [O_QUIET] = {"quiet", 'q', NULL, "table: only cases that differ, and the summary"},
    [O_KEEP_DATA] = {"keep-data", 0, NULL, "keep the files and log of every case, not only of those that differ"},
    [O_KEEP] = {"keep", 0, NULL, "the same as --keep-data"},
    {NULL, 0, NULL, NULL},
};

/* Takes the value of an option that needs one (never empty). Returns 0, or
 * CHK_EXIT_BAD with one line on stderr. */
static int take_value(chk_suite_t *k, const cli_parser_t *p, int opt, const char *v)
{
    chk_opts_t *o = &k->o;
    char tmp[256];
    if (!*v)
        return cli_usage_error(&cmd_check_def, "%s needs %s (see h5swmr check --help)", cli_spelling(p, opt),
                               check_opts[opt].arg);
    switch (opt) {
    case O_DIR: o->dir = v; return 0;
    case O_EXPECT: o->expect = v; return 0;
    case O_JUNIT: o->junit = v; return 0;
    default:
        if (!chk_find_case(k, v))
            return chk_bad("unknown case '%s' (h5swmr check --list shows the cases)", chk_shown(v, tmp, sizeof tmp));
        if (o->nonly == CHK_MAX_ONLY)
            return chk_bad("too many --case options (at most %d)", CHK_MAX_ONLY);
        o->only[o->nonly++] = v;
        return 0;
    }
}

/* Returns 0, 1 for --help (done), or CHK_EXIT_BAD. */
static int parse_args(chk_suite_t *k, int argc, char **argv)
{
    chk_opts_t *o = &k->o;
    cli_parser_t p;
    const char *v;
    char tmp[256];
    int opt, rc;
    cli_begin(&p, &cmd_check_def, argc, argv);
    while ((opt = cli_next(&p, &v)) != CLI_END) {
        switch (opt) {
        case CLI_HELP: return 1;
        case CLI_ERROR: return CHK_EXIT_BAD;
        case CLI_POSITIONAL:
            return chk_bad("unknown argument '%s' (h5swmr check --help)", chk_shown(v, tmp, sizeof tmp));
        case O_TAP: o->tap = true; break;
        case O_LIST: o->list = true; break;
        case O_QUIET: o->quiet = true; break;
        case O_FORCE: o->force = true; break;
        case O_KEEP:
        case O_KEEP_DATA: o->keep = true; break;
        default:
            if ((rc = take_value(k, &p, opt, v)) != 0)
                return rc;
        }
    }
    if (o->tap && o->quiet)
        o->quiet = false; /* TAP always lists every case */
    return 0;
}

/* ---- the data directory -------------------------------------------------------- */

/* Makes the fresh data directory under --dir (or /tmp) and names its file
 * system. Returns 0, or CHK_EXIT_BAD with one line on stderr. */
static int make_workdir(chk_suite_t *k)
{
    const char *base = k->o.dir ? k->o.dir : "/tmp";
    char tmp[256];
    struct stat st;
    if (stat(base, &st) != 0)
        return chk_bad("data directory '%s': %s", chk_shown(base, tmp, sizeof tmp), strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return chk_bad("data directory '%s' is not a directory", chk_shown(base, tmp, sizeof tmp));
    if (access(base, W_OK | X_OK) != 0)
        return chk_bad("data directory '%s' is not writable", chk_shown(base, tmp, sizeof tmp));
    if (snprintf(k->workdir, sizeof k->workdir, "%s/h5swmr-check-XXXXXX", base) >= (int)sizeof k->workdir - 64)
        return chk_bad("data directory path too long");
    if (!mkdtemp(k->workdir)) {
        int e = errno;
        k->workdir[0] = '\0';
        return chk_bad("cannot create a directory in '%s': %s", chk_shown(base, tmp, sizeof tmp), strerror(e));
    }
    h5s_fs_name_by_path(k->workdir, k->fs, sizeof k->fs);
    return 0;
}

/* ---- the command ------------------------------------------------------------------- */

/* Prints the selected cases with their expectations (--list). */

/* Prints the selected cases with their expectations (--list). */
static int list_cases(const chk_suite_t *k)
{
    for (size_t i = 0; i < k->ncases; i++) {
        const chk_result_t *r = &k->res[i];
        if (!r->selected)
            continue;
        printf("%-26s %-10s %s\n", r->c->name, r->c->group, r->c->desc);
        printf("%-26s %-10s expected: %s (%s)\n", "", "", r->expected, r->source);
    }
    return 0;
}

/* Refuses a --junit destination before any case runs: its directory must
 * exist and be writable, and the file must be new (or, with --force, an
 * existing regular file). */
static int check_junit_dir(const char *file, bool force)
{
    char tmp[PATH_MAX], msg[PATH_MAX + 128], a[PATH_MAX + 128];
    snprintf(tmp, sizeof tmp, "%s", file);
    const char *dir = dirname(tmp);
    if (h5s_output_ok(file, force, msg, sizeof msg) != 0)
        return chk_bad("--junit: %s", chk_shown(msg, a, sizeof a));
    if (access(dir, W_OK) != 0)
        return chk_bad("--junit %s: directory '%s' is not writable", chk_shown(file, a, sizeof a), dir);
    return 0;
}

/* Runs the selected cases in order, reporting each as it ends, then the summary and
 * the JUnit file. Returns the exit status of the command. */
static int run_all(chk_suite_t *k)
{
    size_t nsel = 0, nrun = 0, ndiff = 0, num = 0;
    int64_t t0 = h5s_now_ns();
    int w = 20;
    for (size_t i = 0; i < k->ncases; i++)
        if (k->res[i].selected) {
            nsel++;
            int l = (int)strlen(k->res[i].expected);
            if (l > w)
                w = l;
        }
    k->width = w > 36 ? 36 : w;
    chk_print_header(k, nsel);
    const char *group = NULL;
    for (size_t i = 0; i < k->ncases && !k->interrupted; i++) {
        chk_result_t *r = &k->res[i];
        if (!r->selected)
            continue;
        if (!group || strcmp(group, r->c->group))
            chk_print_group(k, group = r->c->group);
        if (chk_run_case(k, r) == CHK_EXIT_INTR) {
            k->interrupted = true;
            r->ran = false;
            break;
        }
        nrun++;
        ndiff += !r->ok;
        chk_print_result(k, r, ++num);
    }
    double secs = (double)(h5s_now_ns() - t0) / 1e9;
    if (k->o.tap && k->interrupted)
        printf("Bail out! interrupted\n");
    chk_print_summary(k, nsel, nrun, ndiff, secs);
    int rc = k->interrupted ? CHK_EXIT_INTR : ndiff ? CHK_EXIT_DIFF : 0;
    if (k->o.junit && chk_write_junit(k, secs) != 0 && rc == 0)
        rc = CHK_EXIT_DIFF;
    return rc;
}

/* Blocks SIGINT/SIGTERM (they stop the run) and SIGCHLD (it wakes the reaping
 * of a case's processes) into a signalfd, and makes this process the
 * subreaper of the processes a killed case leaves behind. 0 or CHK_EXIT_BAD. */
static int catch_signals(chk_suite_t *k)
{
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGCHLD);
    if (sigprocmask(SIG_BLOCK, &mask, &k->oldmask) != 0 ||
        (k->sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0 || prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
        return chk_bad("cannot set up signal handling: %s", strerror(errno));
    return 0;
}

/* Says where data stayed: the whole data directory (--keep-data), or the
 * directories of the cases that differ. Returns how many of those there are. */
static size_t report_kept(const chk_suite_t *k)
{
    size_t kept = 0;
    for (size_t i = 0; i < k->ncases; i++)
        kept += k->res[i].ran && k->res[i].kept;
    FILE *o = k->o.tap ? stderr : stdout;
    if (k->o.keep) {
        fprintf(o, "data directory kept: %s\n", k->workdir);
    } else if (kept) {
        /* the data of cases that differ stays; everything else is gone */
        fprintf(o, "data of %zu case%s that differ kept in %s:\n", kept, kept == 1 ? "" : "s", k->workdir);
        for (size_t i = 0; i < k->ncases; i++)
            if (k->res[i].ran && k->res[i].kept)
                fprintf(o, "  %s\n", k->res[i].dir);
    }
    return kept;
}

/* The HDF5 version, the cases, their selection (--case) and expectations.
 * Returns 0, 1 for --help (done), or CHK_EXIT_BAD. */
static int prepare(chk_suite_t *k, int argc, char **argv)
{
    unsigned maj, min, rel;
    int rc;
    k->sfd = -1;
    k->cases = chk_cases(&k->ncases);
    if ((rc = parse_args(k, argc, argv)) != 0)
        return rc;
    /* H5get_libversion does not start HDF5's file package, so case processes
     * forked from here still read HDF5_USE_FILE_LOCKING when they start it */
    H5get_libversion(&maj, &min, &rel);
    snprintf(k->hdf5, sizeof k->hdf5, "%u.%u.%u", maj, min, rel);
    snprintf(k->hdf5_mm, sizeof k->hdf5_mm, "%u.%u", maj, min);
    if (!(k->res = calloc(k->ncases, sizeof *k->res)))
        return chk_bad("out of memory");
    for (size_t i = 0; i < k->ncases; i++) {
        k->res[i].c = &k->cases[i];
        k->res[i].selected = k->o.nonly == 0;
        for (size_t j = 0; j < k->o.nonly; j++)
            if (!strcmp(k->o.only[j], k->cases[i].name))
                k->res[i].selected = true;
    }
    return chk_setup_expectations(k);
}

/* `h5swmr check`: see the command's help below. */
int cmd_check(int argc, char **argv)
{
    chk_suite_t k;
    int rc;
    size_t kept = 0;
    if (argc == 4 && !strcmp(argv[2], "--probe-helper"))
        return chk_probe_main(argv[3]); /* internal: file_locking_env's fresh prober */
    memset(&k, 0, sizeof k);
    if ((rc = prepare(&k, argc, argv)) != 0) {
        rc = rc == 1 ? 0 : rc;
        goto out;
    }
    if (k.o.list) {
        rc = list_cases(&k);
        goto out;
    }
    if ((k.o.junit && (rc = check_junit_dir(k.o.junit, k.o.force)) != 0) || (rc = make_workdir(&k)) != 0 ||
        (rc = catch_signals(&k)) != 0)
        goto out;
    rc = run_all(&k);
    prctl(PR_SET_CHILD_SUBREAPER, 0);
    kept = report_kept(&k);
    if (k.o.junit && rc != CHK_EXIT_BAD && !k.interrupted) /* report.html beside the JUnit file */
        report_html_beside(k.o.junit, k.o.tap ? stderr : stdout);
out:
    if (k.workdir[0] && !k.o.keep && !kept)
        chk_rm_tree(k.workdir);
    if (k.sfd >= 0) {
        close(k.sfd);
        sigprocmask(SIG_SETMASK, &k.oldmask, NULL);
    }
    free(k.res);
    return rc;
}

const cli_cmd_t cmd_check_def = {
    .name = "check",
    .synopsis = "[--tap|--junit FILE] [--case NAME]... [--dir DIR] [--keep-data]",
    .summary = "conformance suite: does SWMR behave as expected here?",
    .help = "Runs the SWMR conformance suite: each case with real processes on a fresh file,\n"
            "its outcome compared with what this HDF5 is expected to do.\n"
            "\n"
            "Data: a fresh subdirectory of DIR (--dir; default /tmp) is made for the run. It is\n"
            "removed afterwards, but cases that differ from their expectation keep their files and\n"
            "log there (the report says where); --keep-data (or --keep) keeps those of every case.\n"
            "\n"
            "Expectations: --hdf5-expect FILE; by default scenarios/expect/hdf5-MAJOR.MINOR.expect\n"
            "as shipped (in $H5SWMR_DATA_DIR, the installed share/h5swmr, or the source tree),\n"
            "else the built-in values (HDF5 1.10.8); --hdf5-expect builtin uses the built-in values.\n"
            "\n"
            "Groups: h5swmr (h5swmr's own guards, decided before HDF5 is called), guide, hdf5,\n"
            "integrity, filesystem.\n"
            "\n"
            "Expectation files: one line per case, 'case_name  outcome  # why', where outcome is\n"
            "pass, accepted, refused:H5S_<NAME>, observed:<word> or fail:<word>, or a set of\n"
            "acceptable outcomes separated by '|' for an outcome that depends on a race (e.g.\n"
            "observed:open-refused-truncated|observed:opens-ok). Cases not listed keep their\n"
            "built-in expectation.\n"
            "\n"
            "Exit status: 0 every outcome as expected, 1 any differs, 2 bad arguments or\n"
            "expectation file, 130 interrupted.\n",
    .opts = check_opts,
    .handler = cmd_check,
    .needs_hdf5 = true,
};
