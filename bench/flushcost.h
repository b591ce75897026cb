/* flushcost.h - the parts of `h5swmr flushcost` (how the cost of a flush
 * grows with the number of datasets): options and rows shared by the
 * command (flushcost.c), the measurement (flushcost_measure.c) and the
 * analysis and outputs (flushcost_report.c). */
#ifndef H5SWMR_FLUSHCOST_H
#define H5SWMR_FLUSHCOST_H
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "stats.h"

#define FC_SCHEMA_VERSION 1
#define FC_MAX_COUNTS 32
#define FC_MAX_N 100000
#define FC_DEFAULT_ROUNDS 10  /* timed rounds per file */
#define FC_MAX_FILES 50       /* fresh files per configuration, at most */
#define FC_DEFAULT_BUDGET 1.0 /* seconds per configuration before no new file is started */

enum { FC_DFLUSH, FC_FFLUSH, FC_NCALLS };
extern const char *const fc_call_key[FC_NCALLS];   /* "dflush", "fflush" */
extern const char *const fc_call_label[FC_NCALLS]; /* "H5Dflush each", "H5Fflush" */

/* Set by SIGINT and SIGTERM: every loop of the measurement ends on it. */
extern volatile sig_atomic_t g_fc_stop;

typedef struct fc_opts {
    long counts[FC_MAX_COUNTS]; /* ascending */
    int ncounts;
    long rounds; /* timed rounds per file */
    long block;  /* samples per append (float32); also the chunk length */
    double budget_s;
    const char *dir, *csv, *json;
    bool force; /* --force: an existing regular output file may be replaced */
} fc_opts_t;

/* The measurement of one configuration: n datasets, one flush call. */
typedef struct fc_row {
    long n;
    int call;
    long files;             /* fresh files measured */
    stats_summary_t flush;  /* one round's flush time, ns */
    stats_summary_t append; /* one round's appends, ns */
} fc_row_t;

/* How the round flush time of one call grows with n. */
typedef struct fc_fit {
    double all;  /* least squares over every count */
    double tail; /* between the two largest counts */
    stats_growth_t growth;
} fc_fit_t;

/* The recommendation at the largest count. */
typedef struct fc_rec {
    char text[512];
    int cheaper;  /* the call index, or -1 when both cost about the same */
    double ratio; /* dearer / cheaper round time */
} fc_rec_t;

/* Measures one configuration (n datasets, one flush call) into row, with
 * its scratch files in dir. Returns 0, or a negative code with err set
 * (H5S_EINTR when interrupted). */
int fc_measure(const fc_opts_t *o, const char *dir, long n, int call, fc_row_t *row, h5s_err_t *err);

/* Fits the round flush time (p50) against n for one call over rows. */
fc_fit_t fc_fit(const fc_row_t *rows, int nrows, int call);
/* The recommendation for the largest count nmax. */
void fc_recommend(const fc_row_t *rows, int nrows, long nmax, fc_rec_t *rec);
/* Prints one row of the table on stdout. */
void fc_print_row(const fc_row_t *r);
/* Writes the rows as CSV to path (a new file, or with force over a regular
 * file). Returns 0, or a negative code with err set. */
int fc_write_csv(const char *path, const fc_row_t *rows, int nrows, bool force, h5s_err_t *err);
/* Writes rows, exponents, recommendation, options and environment as JSON
 * to o->json. Returns 0, or a negative code with err set. */
int fc_write_json(const fc_opts_t *o, const char *dir, const fc_row_t *rows, int nrows, const fc_fit_t *fits,
                  const fc_rec_t *rec, h5s_err_t *err);

#endif
