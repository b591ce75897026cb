/* check_driver.h - what the parts of the driver of `h5swmr check` share:
 * the invocation (options, expectations, results), and the steps it goes
 * through: expectations (check_expect.c), running each case in its own
 * process group (check_run.c), reports for people and CI (check_report.c),
 * and the command itself (check.c). */
#ifndef H5SWMR_CHECK_DRIVER_H
#define H5SWMR_CHECK_DRIVER_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "check.h"
#include "util.h"

#define CHK_EXIT_DIFF 1
#define CHK_EXIT_BAD 2
#define CHK_EXIT_INTR 130
#define CHK_MAX_ONLY 64
#define CHK_SRC_MAX 1200

typedef struct chk_opts {
    const char *dir;    /* --dir: where the data directory is made */
    const char *expect; /* --hdf5-expect */
    const char *junit;  /* --junit FILE */
    bool force;         /* --force: --junit may replace an existing regular file */
    bool tap, list, quiet;
    bool keep; /* --keep-data (or --keep): keep the data of every case, not only of those that differ */
    const char *only[CHK_MAX_ONLY];
    size_t nonly;
} chk_opts_t;

/* One case as run: its expectation, what was seen, the verdict. */
typedef struct chk_result {
    const chk_case_t *c;
    bool selected, ran, ok;
    bool kept;          /* its data stayed (it differed, or --keep-data) */
    char dir[PATH_MAX]; /* the case's own directory */
    char expected[CHK_TOKEN_MAX];
    char source[CHK_SRC_MAX]; /* "file:line" or "built-in" */
    chk_outcome_t seen;
    double secs;
} chk_result_t;

/* Everything one invocation works with. */
typedef struct chk_suite {
    chk_opts_t o;
    const chk_case_t *cases;
    size_t ncases;
    chk_result_t *res;
    char expect_file[PATH_MAX]; /* empty: built-in expectations */
    char hdf5[32];              /* "1.10.8" */
    char hdf5_mm[16];           /* "1.10": names the default expectation file */
    char workdir[PATH_MAX];
    char fs[64];
    int sfd; /* signalfd for SIGINT/SIGTERM */
    sigset_t oldmask;
    bool interrupted;
    int width; /* outcome column width in the table */
} chk_suite_t;

/* One line "h5swmr check: ..." on stderr; the value is CHK_EXIT_BAD. */
#define chk_bad(...) h5s_cli_fail("check", CHK_EXIT_BAD, __VA_ARGS__)

/* User text for a one-line message: control characters become '?', text
 * longer than cap is cut with "...". Returns buf. */
const char *chk_shown(const char *s, char *buf, size_t cap);

/* ---- expectations (check_expect.c) ------------------------------------------------ */

/* The case called name, or NULL. */
const chk_case_t *chk_find_case(const chk_suite_t *k, const char *name);

/* Gives every case its expectation: built-in, then those of the expectation
 * file (--hdf5-expect, else the shipped one for this HDF5, if any).
 * Returns 0, or CHK_EXIT_BAD with one line on stderr. */
int chk_setup_expectations(chk_suite_t *k);

/* ---- running (check_run.c) -------------------------------------------------------- */

/* Runs the case of r in its own process group on a fresh directory under
 * k->workdir and fills r. Returns 0, or CHK_EXIT_INTR when SIGINT/SIGTERM
 * arrived. */
int chk_run_case(chk_suite_t *k, chk_result_t *r);

/* Removes dir and everything under it (nothing if dir is empty). */
void chk_rm_tree(const char *dir);

/* ---- reports (check_report.c) ----------------------------------------------------- */

/* The header of the table or of the TAP stream, for nsel cases. */
void chk_print_header(const chk_suite_t *k, size_t nsel);

/* A line that opens a group of cases (the table, and a TAP comment). */
void chk_print_group(const chk_suite_t *k, const char *group);

/* The result of one case, the num-th run (table or TAP). */
void chk_print_result(const chk_suite_t *k, const chk_result_t *r, size_t num);

/* The summary: counts, per group, and the cases that differ. */
void chk_print_summary(const chk_suite_t *k, size_t nsel, size_t nrun, size_t ndiff, double secs);

/* Writes the JUnit XML report to --junit. Returns 0, or CHK_EXIT_BAD with one
 * line on stderr. */
int chk_write_junit(const chk_suite_t *k, double secs);

#endif
