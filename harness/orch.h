/* orch.h - the orchestrator: forks one writer and N readers, signals READY and
 * STOP over pipes, bounds every wait, escalates SIGTERM then SIGKILL, reaps
 * every child and collects what each one reports. */
#ifndef H5SWMR_ORCH_H
#define H5SWMR_ORCH_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"
#include "proto.h"
#include "scenario.h"

typedef struct orch_child {
    pid_t pid;
    int role, index;
    int ctl_w, st_r; /* our ends of the child's pipes (-1 when closed) */
    bool reaped;
    int status; /* waitpid status once reaped */
    bool has_result;
    proto_result_t res;
    int64_t stop_sent_ns; /* 0 = STOP not sent yet */
    int kill_stage;       /* 0 none, 1 SIGTERM sent, 2 SIGKILL sent, 3 given up */
    bool fault_killed;    /* SIGKILLed on purpose by fault injection */
    bool died_in_walk;    /* a reader killed by a signal inside HDF5\'s tree walk */
} orch_child_t;

typedef struct orch_report {
    scn_t scn;
    char file[SCN_PATH];
    int nchildren;
    orch_child_t children[1 + SCN_MAX_READERS];
    bool has_finalizer;
    orch_child_t finalizer;
    bool interrupted;
    bool writer_ready;
    int64_t t_begin_ns, t_ready_ns, t_end_ns;
    int exit_code;       /* EXIT_* or 130 when interrupted */
    char problem[512];   /* the orchestrator's own view of what went wrong */
    char faults[256];    /* faults injected, as done */
    char recovery[1024]; /* what the file needs after the run, if anything */
} orch_report_t;

/* Runs one job on file (which must not exist unless s->overwrite) and fills rep;
 * raw logs, if asked for, go to run_dir (may be NULL).
 * Returns 0 when the run took place (see rep->exit_code for its outcome) or a
 * negative code when it could not start. Blocks SIGINT/SIGTERM/SIGCHLD while
 * it runs and restores the mask afterwards. */
int orch_run(const scn_t *s, const char *file, const char *run_dir, orch_report_t *rep, h5s_err_t *err);

/* Describes a waitpid status ("exit 0", "killed by SIGKILL") into buf. */
void orch_status_text(int status, char *buf, size_t cap);

#endif
