/* gate.h - what the parts of h5swmr gate share: a figure and its verdict
 * (gate_stats.c decides it), the figures of a sweep against a baseline or of
 * B against A (gate_figures.c), and the report of them (gate_report.c).
 * Private to bench/. */
#ifndef H5SWMR_GATE_H
#define H5SWMR_GATE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#define GATE_MAX_SOURCES 64 /* sweeps pooled per side */
#define GATE_KEY_CAP 512

/* Where a run's key is cached in its JSON object (no key of a sweep starts so). */
#define GATE_KEY_FIELD "\x01gate_key"

typedef enum { V_PASS, V_REGRESSED, V_INCONCLUSIVE, V_MISSING, V_REPORTED } gate_verdict_t;

/* How a figure is judged. */
typedef enum {
    J_HIGHER_REL, /* higher is better; value / base must stay above 1 - tol */
    J_LOWER_REL,  /* lower is better; value / base must stay below 1 + tol */
    J_LOWER_ABS,  /* lower is better; value - base must stay below tol */
    J_EXACT,      /* must equal base */
    J_REPORT,     /* shown, never judged */
} gate_judge_t;

/* One figure: what it compares, its reference and this run's values. */
typedef struct gate_fig {
    char key[GATE_KEY_CAP];
    char name[128];
    gate_judge_t judge;
    double tol, base;
    double *v;
    int n, cap;
    gate_verdict_t verdict;
    double med, lo, hi, conf; /* of the normalised values (ratio to base, or difference) */
} gate_fig_t;

/* The figures of one judgement, a growable array. */
typedef struct gate_figs {
    gate_fig_t *f;
    int n, cap;
} gate_figs_t;

/* The gate's settings. */
typedef struct gate_opt {
    double tol, exp_tol, lag_tol;
    bool strict, force;
    const char *markdown;
    const char *outdir; /* --run: gate.json (the verdicts, for report.html) goes here */
    int argc;           /* the gate's command line, recorded in gate.json */
    char **argv;
} gate_opt_t;

/* ---- gate_stats.c: values and verdicts ---- */

/* The median of the n values of v (sorted in place). */
double gate_median(double *v, int n);
/* Appends a figure without values to fs; NULL when out of memory. */
gate_fig_t *gate_fig_add(gate_figs_t *fs, const char *key, const char *name, gate_judge_t judge, double tol,
                         double base);
/* Adds a value to f (a value that is not finite is left out). */
void gate_fig_value(gate_fig_t *f, double x);
/* Frees every figure of fs and empties it. */
void gate_figs_free(gate_figs_t *fs);
/* Decides f's verdict from the confidence interval of its values' median. */
void gate_fig_judge(gate_fig_t *f);

/* ---- gate_figures.c: reading sweep results, making figures ---- */

/* The string member key of o, or NULL if absent or not a string. */
const char *gate_str_of(const cJSON *o, const char *key);
/* The scenario value key of a run, "" if absent. */
const char *gate_sopt(const cJSON *row, const char *key);
/* The number member key of o, or NAN if absent or not a number. */
double gate_num(const cJSON *o, const char *key);
/* Every figure of a judgement against a baseline, from the nsrc sweeps src. */
void gate_baseline_figures(gate_figs_t *fs, const cJSON *base, cJSON *const *src, int nsrc, const gate_opt_t *o);
/* Every figure of an A/B judgement: B's value against A's from the same
 * round, over n rounds. */
void gate_ab_figures(gate_figs_t *fs, cJSON *const *A, cJSON *const *B, int n, const gate_opt_t *o);

/* ---- gate_report.c: verdicts printed ---- */

/* Judges every figure, prints them (and writes the Markdown table of
 * --markdown) and returns the exit status: 1 if anything regressed or is
 * missing (or, with --strict, is inconclusive), 2 on a bad --markdown, else 0.
 * what says what was judged, for the table's title. */
int gate_conclude(gate_figs_t *fs, const gate_opt_t *o, const char *what);

#endif
