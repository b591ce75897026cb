/* stress.h - what stress.c shares with its minimizer (stress_min.c): how a
 * run is judged and classed, and the minimization of a failing scenario. */
#ifndef H5SWMR_STRESS_H
#define H5SWMR_STRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "orch.h"
#include "scenario.h"

/* --minimize and its bounds. */
typedef struct stress_min_opts {
    bool on;
    long tries;      /* runs of one candidate before it is judged passing (1..100) */
    double budget_s; /* no new run starts after this long (seconds) */
} stress_min_opts_t;

/* Whether run rep passed (true), else the reason in why: an outcome that is
 * not clean, or a process that outlived the run. */
bool stress_judge(const orch_report_t *rep, char *why, size_t cap);

/* The class of a failed run rep into cls: its exit kind and what marks it (a
 * process outliving the run, a reader's crash and where, a hang, an open
 * refused, the file replaced). Two runs fail alike when their classes are equal. */
void stress_failure_class(const orch_report_t *rep, char *cls, size_t cap);

/* Shrinks the failing scenario s (kept in faildir) while it still fails with
 * class cls (NULL: first rerun s up to o->tries times to see it fail and take
 * that class). Writes faildir/minimal.ini, faildir/minimize.log and the last
 * failing run's directory faildir/minimal-run, prints the steps and a summary;
 * rep is scratch space. Returns 0 (done, or nothing failed), 130 when
 * interrupted (what was found so far kept, scratch removed) or EXIT_FAIL;
 * *fail_rc is the exit status of the failure (0 when nothing failed). */
int stress_minimize(const scn_t *s, const char *cls, const char *faildir, const stress_min_opts_t *o,
                    orch_report_t *rep, int *fail_rc);

#endif
