/* check.h - the conformance suite behind `h5swmr check`: what the driver
 * (check.c and check_driver.h) and the cases (check_cases.c, the table, and
 * check_case.h) share. Internal to the program.
 *
 * A case runs in its own forked process (the "case process") on a fresh
 * directory, may fork helper processes that do HDF5 work of their own, and
 * reports one outcome: a token compared with the expectation, and a line that
 * says what was seen. */
#ifndef H5SWMR_CHECK_H
#define H5SWMR_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#define CHK_TOKEN_MAX 128
#define CHK_TEXT_MAX 1024

/* What a case saw. token is one of the outcome vocabulary (see chk_token_valid):
 *   pass                  the rule holds
 *   accepted              an operation the rule says is refused succeeded
 *   refused:H5S_<NAME>    refused with that h5swmr error code
 *   observed:<word>       documented HDF5 behaviour, classified
 *   fail:<word>           the rule does not hold, classified
 * and, seen only (never expected): error:<what> (the case could not run),
 * timeout, crashed:<SIGNAL>. */
typedef struct chk_outcome {
    char token[CHK_TOKEN_MAX];
    char detail[CHK_TEXT_MAX]; /* one line: what was seen, HDF5's own words where it refused */
    char why[CHK_TEXT_MAX];    /* optional: replaces the case's static explanation */
    /* a case that ran something again says so: how often, and why (one line) */
    int retries;
    char retry_note[512];
    /* a case whose outcome depends on a race says how often it went which
     * way, e.g. "refused in 3 of 2000 opens" (one line; empty otherwise) */
    char frequency[192];
} chk_outcome_t;

_Static_assert(sizeof(chk_outcome_t) <= 4096, "an outcome must fit in PIPE_BUF");

/* What a case gets. */
typedef struct chk_env {
    const char *dir; /* the case's own fresh directory (removed afterwards) */
    const char *fs;  /* file system of the data directory, e.g. "ext4" */
} chk_env_t;

/* Runs the case in the case process and fills out; never returns early
 * without a token (the driver reports an empty token as an error). */
typedef void (*chk_fn)(const chk_env_t *env, chk_outcome_t *out);

/* The groups, in run order: who decides a case's outcome.
 *   h5swmr      h5swmr's own guards, before HDF5 is called: the rule is
 *               h5swmr's (MTH5's guide), not a fact about HDF5
 *   guide       the guide's rules, decided by HDF5
 *   hdf5        HDF5's rules and behaviour
 *   integrity   orchestrated runs: every sample verified
 *   filesystem  the data directory's file system, without HDF5 */
typedef struct chk_case {
    const char *name;  /* unique, [a-z0-9_] */
    const char *group; /* h5swmr, guide, hdf5, integrity, filesystem */
    const char *desc;  /* one line: what the case does */
    const char *dflt;  /* built-in expectation: what HDF5 1.10.8 does here */
    const char *why;   /* one line: what it means for an SWMR user */
    chk_fn fn;
    int timeout_s; /* the case process is killed after this */
} chk_case_t;

/* The case table, in run order; *n gets its length. */
const chk_case_t *chk_cases(size_t *n);

/* True when s is an outcome an expectation file may name (seen-only outcomes
 * are not); on false, why gets a short reason. */
bool chk_token_valid(const char *s, const char **why);

/* An expectation: one outcome, or a set of acceptable outcomes separated by
 * '|' (an outcome that depends on a race, e.g.
 * "observed:open-refused-truncated|observed:opens-ok"). True when every
 * alternative is valid and none repeats; on false, why gets a short reason. */
bool chk_expect_valid(const char *s, const char **why);

/* True when token is one of the outcomes the expectation set names. */
bool chk_expect_matches(const char *set, const char *token);

/* One line about a group (see chk_case_t), for reports; NULL if unknown. */
const char *chk_group_title(const char *group);

/* `h5swmr check --probe-helper FILE` (internal): the file_locking_env case's
 * prober, started as a fresh process so that HDF5 reads the environment it
 * was given. Reads commands on fd 3, answers on fd 4. Returns the exit status. */
int chk_probe_main(const char *path);

#endif
