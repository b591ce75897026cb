/* flushcost.c - `h5swmr flushcost`: how the cost of a flush grows with the
 * number of datasets.
 *
 * For each dataset count N and each way of flushing (H5Dflush of every
 * dataset, or one H5Fflush), fresh MTH5 files with N channels are measured
 * (flushcost_measure.c); the growth exponent of the round flush time in N
 * (log-log slope) tells linear from quadratic flushing on the HDF5 this
 * program runs with (on HDF5 1.10.8, flushing the datasets one by one takes
 * time quadratic in N), and a recommendation follows (flushcost_report.c).
 * One process, no readers. This file holds the command: its options, their
 * checks, and the run.
 *
 * `--fit X1,Y1 X2,Y2 ...` prints the log-log slope of the points
 * (stats_loglog_slope), so that tests can check the fit on known input. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <hdf5.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "flushcost.h"
#include "util.h"

#define FC_EXIT_FAIL 1
#define FC_EXIT_USAGE 2
#define FC_EXIT_INTR 130

/* SIGINT and SIGTERM: the measurement ends at its next check. */
static void fc_on_signal(int sig)
{
    (void)sig;
    g_fc_stop = 1;
}

/* Prints "h5swmr flushcost: MESSAGE" as one line. */
static void fc_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fc_error(const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    cli_one_line(buf);
    fprintf(stderr, "h5swmr flushcost: %s\n", buf);
}

/* Prints "h5swmr flushcost: MESSAGE (see h5swmr flushcost --help)" as one
 * line; returns the exit status of bad usage. */
static int fc_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fc_usage_error(const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    cli_one_line(buf);
    fprintf(stderr, "h5swmr flushcost: %s (see h5swmr flushcost --help)\n", buf);
    return FC_EXIT_USAGE;
}

/* ---- argument parsing ---------------------------------------------------- */

/* Parses a whole decimal integer from lo to hi (no blanks, no '+'); 0 or -1. */
static int fc_parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    if (!isdigit((unsigned char)s[0]) && !(s[0] == '-' && isdigit((unsigned char)s[1])))
        return -1; /* no leading blanks or '+' */
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* Parses a whole finite number (no leading blank); 0 or -1. */
static int fc_parse_double(const char *s, double *out)
{
    char *end;
    if (!*s || isspace((unsigned char)s[0]))
        return -1;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* Parses --counts: distinct dataset counts, comma-separated, into o->counts
 * (ascending). Returns 0, or the exit status of bad usage. */
static int fc_parse_counts(const char *s, fc_opts_t *o)
{
    char buf[1024];
    if (!*s || strlen(s) >= sizeof buf)
        return fc_usage_error("--counts: give a comma-separated list such as 1,10,100,1000");
    snprintf(buf, sizeof buf, "%s", s);
    o->ncounts = 0;
    /* every element between commas must be a count: "1,,2" and "1," are refused */
    char *tok = buf;
    for (bool last = false; !last;) {
        char *comma = strchr(tok, ',');
        if (comma)
            *comma = '\0';
        else
            last = true;
        long v;
        if (!*tok)
            return fc_usage_error("--counts: an empty element in '%s' (give counts such as 1,10,100,1000)", s);
        if (fc_parse_long(tok, 1, FC_MAX_N, &v) < 0)
            return fc_usage_error("--counts: '%s' is not a dataset count from 1 to %d", tok, FC_MAX_N);
        if (o->ncounts == FC_MAX_COUNTS)
            return fc_usage_error("--counts: at most %d counts", FC_MAX_COUNTS);
        for (int i = 0; i < o->ncounts; i++)
            if (o->counts[i] == v)
                return fc_usage_error("--counts: %ld given twice", v);
        /* insertion keeps the counts ascending */
        int i = o->ncounts++;
        while (i > 0 && o->counts[i - 1] > v) {
            o->counts[i] = o->counts[i - 1];
            i--;
        }
        o->counts[i] = v;
        if (comma)
            tok = comma + 1;
    }
    if (o->ncounts == 0)
        return fc_usage_error("--counts: give a comma-separated list such as 1,10,100,1000");
    return 0;
}

/* An output is written only as a new regular file, or with --force over an
 * existing regular file; never to a device, FIFO, socket, directory or
 * through a dangling link. */
static int fc_check_output(const char *opt, const char *path, bool force)
{
    struct stat st;
    if (!*path)
        return fc_usage_error("%s: empty file name", opt);
    if (cli_has_control_char(path))
        return fc_usage_error("%s: '%s': the path contains a control character", opt, path);
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT)
            return 0;
        return fc_usage_error("%s: '%s': %s", opt, path, strerror(errno));
    }
    if (S_ISLNK(st.st_mode) && stat(path, &st) != 0)
        return fc_usage_error("%s: '%s' is a symbolic link to nothing; not written through it", opt, path);
    if (!S_ISREG(st.st_mode))
        return fc_usage_error("%s: '%s' is not a regular file (%s); results are written only to regular files", opt,
                              path,
                              S_ISDIR(st.st_mode)    ? "a directory"
                              : S_ISFIFO(st.st_mode) ? "a FIFO"
                              : S_ISCHR(st.st_mode)  ? "a character device"
                              : S_ISBLK(st.st_mode)  ? "a block device"
                                                     : "a socket");
    if (!force)
        return fc_usage_error("%s: '%s' exists; h5swmr never overwrites results unless asked (--force)", opt, path);
    return 0;
}
/* Creates the directory of an output file if needed (after every check passed). */
static int fc_make_output_dir(const char *opt, const char *path)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (h5s_mkdir_p(dir) != 0)
            return fc_usage_error("%s: cannot create directory '%s': %s", opt, dir, strerror(errno));
    }
    return 0;
}

/* --fit x1,y1 x2,y2 ...: prints the log-log slope of the points (a check of the fit). */
static int fc_fit_only(int argc, char **argv, int i)
{
    double x[256], y[256];
    int n = 0;
    for (; i < argc; i++) {
        char buf[128], *comma;
        if (n == 256)
            return fc_usage_error("--fit: at most 256 points");
        snprintf(buf, sizeof buf, "%s", argv[i]);
        if (!(comma = strchr(buf, ',')))
            return fc_usage_error("--fit: '%s' is not a point X,Y", argv[i]);
        *comma = '\0';
        if (fc_parse_double(buf, &x[n]) < 0 || fc_parse_double(comma + 1, &y[n]) < 0 || x[n] <= 0 || y[n] <= 0)
            return fc_usage_error("--fit: '%s' is not a point X,Y with X > 0 and Y > 0", argv[i]);
        n++;
    }
    double k = stats_loglog_slope(x, y, n);
    if (isnan(k))
        return fc_usage_error("--fit: needs at least two points with different X");
    printf("%.3f\n", k);
    return 0;
}

enum {
    FC_OPT_COUNTS,
    FC_OPT_ROUNDS,
    FC_OPT_BLOCK,
    FC_OPT_BUDGET,
    FC_OPT_DIR,
    FC_OPT_CSV,
    FC_OPT_JSON,
    FC_OPT_FORCE,
    FC_OPT_FIT,
};

/* Sets option k (one that takes a value) to v. Returns 0, or the exit
 * status of bad usage. */
static int fc_set_option(fc_opts_t *o, int k, const char *v)
{
    switch (k) {
    case FC_OPT_COUNTS: return fc_parse_counts(v, o);
    case FC_OPT_ROUNDS:
        if (fc_parse_long(v, 1, 100000, &o->rounds) < 0)
            return fc_usage_error("--rounds: '%s' is not a number of rounds from 1 to 100000", v);
        return 0;
    case FC_OPT_BLOCK:
        if (fc_parse_long(v, 1, 1L << 24, &o->block) < 0)
            return fc_usage_error("--block: '%s' is not a number of samples from 1 to %ld", v, 1L << 24);
        return 0;
    case FC_OPT_BUDGET:
        if (fc_parse_double(v, &o->budget_s) < 0 || o->budget_s < 0 || o->budget_s > 3600)
            return fc_usage_error("--budget: '%s' is not a number of seconds from 0 to 3600", v);
        return 0;
    case FC_OPT_DIR: o->dir = v; return 0;
    case FC_OPT_CSV: o->csv = v; return 0;
    case FC_OPT_JSON: o->json = v; return 0;
    }
    return 0;
}

/* Checks the output files (new regular files, or --force) and creates their
 * directories. Returns 0, or the exit status of bad usage. */
static int fc_check_outputs(const fc_opts_t *o)
{
    if (o->dir && !*o->dir)
        return fc_usage_error("--dir: empty directory name");
    if (o->csv && fc_check_output("--csv", o->csv, o->force))
        return FC_EXIT_USAGE;
    if (o->json && fc_check_output("--json", o->json, o->force))
        return FC_EXIT_USAGE;
    if (o->csv && o->json && !strcmp(o->csv, o->json))
        return fc_usage_error("--csv and --json name the same file");
    if ((o->csv && fc_make_output_dir("--csv", o->csv)) || (o->json && fc_make_output_dir("--json", o->json)))
        return FC_EXIT_USAGE;
    return 0;
}

/* Reads the command line into o. Returns -1 to go on, else the exit status
 * (0 after --help or --fit, 2 bad usage). */
static int fc_parse_args(int argc, char **argv, fc_opts_t *o)
{
    fc_parse_counts("1,10,100,1000", o);
    o->rounds = FC_DEFAULT_ROUNDS;
    o->block = 64;
    o->budget_s = FC_DEFAULT_BUDGET;
    cli_parser_t p;
    const char *v;
    int k, rc;
    cli_begin(&p, &cmd_flushcost_def, argc, argv);
    while ((k = cli_next(&p, &v)) != CLI_END) {
        switch (k) {
        case CLI_HELP: return 0;
        case CLI_ERROR: return FC_EXIT_USAGE;
        case CLI_POSITIONAL: return fc_usage_error("unexpected argument '%s'", v);
        case FC_OPT_FORCE: o->force = true; break;
        case FC_OPT_FIT: return fc_fit_only(argc, argv, p.i); /* the rest are points */
        default:
            /* "--csv --json x": an option where the value belongs is a mistake, not a file name */
            if (v[0] == '-' && v[1] == '-')
                return fc_usage_error("%s needs a value, not the option '%s'", cli_spelling(&p, k), v);
            if ((rc = fc_set_option(o, k, v)) != 0)
                return rc;
        }
    }
    rc = fc_check_outputs(o);
    return rc ? rc : -1;
}

/* The scratch directory: o->dir (created if needed), or a new temporary
 * directory (*tmp set: removed at the end). Returns 0, or an exit status. */
static int fc_scratch_dir(const fc_opts_t *o, char *dir, size_t cap, bool *tmp)
{
    *tmp = !o->dir;
    if (*tmp) {
        const char *t = getenv("TMPDIR");
        snprintf(dir, cap, "%s/h5swmr-flushcost-XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(dir)) {
            fc_error("cannot create a temporary directory '%s': %s", dir, strerror(errno));
            return FC_EXIT_FAIL;
        }
        return 0;
    }
    snprintf(dir, cap, "%s", o->dir);
    if (h5s_mkdir_p(dir) != 0) {
        fc_error("--dir: cannot create '%s': %s", dir, strerror(errno));
        return FC_EXIT_USAGE;
    }
    return 0;
}

/* Measures every (count, call) configuration into rows, printing the table
 * as it goes, with SIGINT and SIGTERM ending it. Returns 0, or a negative
 * code with err set. */
static int fc_measure_all(const fc_opts_t *o, const char *dir, fc_row_t *rows, int *nrows, h5s_err_t *err)
{
    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = fc_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    h5s_stop_signals_ready();

    unsigned maj = 0, min = 0, rel = 0;
    H5get_libversion(&maj, &min, &rel);
    printf("h5swmr flushcost: HDF5 %u.%u.%u, SWMR-write, float32 blocks of %ld samples (chunk %ld), corked appends\n"
           "Per configuration: fresh files in %s, each with one warm-up round and %ld timed rounds,\n"
           "until %.1f s have passed (at most %d files). Timed: the flush of one round, after every dataset\n"
           "was extended and written once.\n\n",
           maj, min, rel, o->block, o->block, dir, o->rounds, o->budget_s, FC_MAX_FILES);
    printf("%9s  %-13s %7s %6s %14s %14s %16s\n", "datasets", "flush call", "rounds", "files", "round p50 us",
           "round p90 us", "per dataset us");

    int rc = 0;
    bool tty = isatty(STDERR_FILENO);
    *nrows = 0;
    for (int i = 0; i < o->ncounts && rc == 0; i++)
        for (int c = 0; c < FC_NCALLS && rc == 0; c++) {
            if (tty)
                fprintf(stderr, "measuring %ld datasets, %s ...\r", o->counts[i], fc_call_label[c]);
            rc = fc_measure(o, dir, o->counts[i], c, &rows[*nrows], err);
            if (tty)
                fprintf(stderr, "%60s\r", "");
            if (rc == 0)
                fc_print_row(&rows[(*nrows)++]);
        }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    return rc;
}

/* Prints the growth exponents (fits[] filled) and the recommendation (rec). */
static void fc_print_analysis(const fc_opts_t *o, const fc_row_t *rows, int nrows, fc_fit_t *fits, fc_rec_t *rec)
{
    long nmin = o->counts[0], nmax = o->counts[o->ncounts - 1];
    printf("\nGrowth of the round flush time with the dataset count N (time ~ N^k; k ~ 1 linear, k ~ 2 quadratic):\n");
    for (int c = 0; c < FC_NCALLS; c++) {
        fits[c] = fc_fit(rows, nrows, c);
        if (o->ncounts < 2) {
            printf("  %s: needs at least two dataset counts for an exponent\n", fc_call_label[c]);
            continue;
        }
        printf("  %s: round cost grows as N^%.2f (%s): %s\n", fc_call_label[c],
               isnan(fits[c].tail) ? fits[c].all : fits[c].tail, fits[c].growth.cls, fits[c].growth.meaning);
        if (o->ncounts > 2)
            printf("      (N^%.2f from N=%ld to N=%ld, the largest counts; least squares over N=%ld..%ld: N^%.2f)\n",
                   fits[c].tail, o->counts[o->ncounts - 2], nmax, nmin, nmax, fits[c].all);
    }
    if (o->ncounts > 2)
        printf("  The exponent between the two largest counts decides: fixed per-round costs flatten the fit at small "
               "N.\n");

    fc_recommend(rows, nrows, nmax, rec);
    printf("\nRecommendation: %s.\n", rec->text);
    printf("For comparison, a 2-core VM with HDF5 1.10.8: per dataset, H5Dflush each 9, 8, 18, 203 us and H5Fflush 12, "
           "7.5, 7.6, "
           "24 us at N = 1, 10, 100, 1000.\n");
}

int cmd_flushcost(int argc, char **argv)
{
    fc_opts_t o;
    memset(&o, 0, sizeof o);
    int rc = fc_parse_args(argc, argv, &o);
    if (rc >= 0)
        return rc;
    char dir[PATH_MAX];
    bool tmpdir;
    if ((rc = fc_scratch_dir(&o, dir, sizeof dir, &tmpdir)) != 0)
        return rc;

    fc_row_t rows[FC_MAX_COUNTS * FC_NCALLS];
    int nrows = 0;
    h5s_err_t err;
    h5s_err_clear(&err);
    rc = fc_measure_all(&o, dir, rows, &nrows, &err);
    if (rc < 0) {
        if (tmpdir)
            rmdir(dir);
        if (rc == H5S_EINTR) {
            fprintf(stderr, "h5swmr flushcost: interrupted; nothing written\n");
            return FC_EXIT_INTR;
        }
        fc_error("%s", err.msg);
        return FC_EXIT_FAIL;
    }

    fc_fit_t fits[FC_NCALLS];
    fc_rec_t rec;
    fc_print_analysis(&o, rows, nrows, fits, &rec);
    int out_rc = 0;
    if (o.csv && fc_write_csv(o.csv, rows, nrows, o.force, &err) < 0) {
        fc_error("%s", err.msg);
        out_rc = FC_EXIT_FAIL;
    }
    if (o.json && fc_write_json(&o, dir, rows, nrows, fits, &rec, &err) < 0) {
        fc_error("%s", err.msg);
        out_rc = FC_EXIT_FAIL;
    }
    if (tmpdir && rmdir(dir) != 0)
        fc_error("cannot remove '%s': %s", dir, strerror(errno));
    return out_rc;
}

#define FC_STR(x) #x
#define FC_XSTR(x) FC_STR(x)
#define FC_HELP_INDENT "\n                            "

static const cli_opt_t fc_opts[] = {
    [FC_OPT_COUNTS] = {"counts", 0, "LIST",
                       "dataset counts, comma-separated (default 1,10,100,1000; max " FC_XSTR(FC_MAX_N) ")"},
    [FC_OPT_ROUNDS] = {"rounds", 0, "R", "timed rounds per file (default " FC_XSTR(FC_DEFAULT_ROUNDS) ")"},
    [FC_OPT_BLOCK] = {"block", 0, "SAMPLES", "samples per append and chunk length (default 64)"},
    [FC_OPT_BUDGET] = {"budget", 0, "SECONDS",
                       "per configuration, start fresh files (R rounds each) until this" FC_HELP_INDENT
                       "much time has passed, at most " FC_XSTR(FC_MAX_FILES) " files; 0 = one file" FC_HELP_INDENT
                                                                              "(default " FC_XSTR(
                                                                                  FC_DEFAULT_BUDGET) ")"},
    [FC_OPT_DIR] = {"dir", 0, "DIR",
                    "where the scratch files go (default: a new temporary directory," FC_HELP_INDENT
                    "removed afterwards); files are deleted after each configuration"},
    [FC_OPT_CSV] = {"csv", 0, "FILE", "one row per (count, call), as a new regular file"},
    [FC_OPT_JSON] = {"json", 0, "FILE", "rows, exponents, recommendation and environment, as a new regular file"},
    [FC_OPT_FORCE] = {"force", 0, NULL, "replace an existing regular --csv/--json file (never a device or FIFO)"},
    [FC_OPT_FIT] = {"fit", 0, NULL,
                    "print the growth exponent (log-log slope) of the points X,Y that" FC_HELP_INDENT
                    "follow as arguments, and exit (a check of the fit)"},
    {NULL, 0, NULL, NULL},
};

const cli_cmd_t cmd_flushcost_def = {
    .name = "flushcost",
    .synopsis = "[--counts N1,N2,...] [--rounds R] [--csv FILE] [--json FILE] [OPTION]...",
    .summary = "flush cost against the number of datasets",
    .help = "Measures how the cost of flushing grows with the number of datasets, on the HDF5\n"
            "this program runs with. For each count N and each flush call, a fresh MTH5 file\n"
            "with N float32 channels is opened in SWMR-write mode; each round appends one\n"
            "block to every channel (corked) and then flushes: either H5Dflush of every\n"
            "dataset, or one H5Fflush. Only the flush is timed (CLOCK_MONOTONIC), after one\n"
            "untimed warm-up round. Flush cost also grows with the file's history (chunks\n"
            "written so far), so every count gets the same R rounds per file; more samples\n"
            "come from more fresh files (while --budget lasts), never from longer files.\n"
            "The growth exponent k (round time ~ N^k, log-log slope) says whether flushing\n"
            "is linear (k ~ 1) or quadratic (k ~ 2) in N.\n"
            "\n"
            "Exit status: 0 ok, 1 failure, 2 bad arguments, 130 interrupted.\n",
    .opts = fc_opts,
    .handler = cmd_flushcost,
    .needs_hdf5 = true,
    .own_stop_signals = true, /* fc_measure_all installs its handlers */
};
