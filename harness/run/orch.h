/* orch.h - the orchestrator: forks one writer and N readers, signals READY and
 * STOP over pipes, bounds every wait, escalates SIGTERM then SIGKILL, reaps
 * every child and collects what each one reports. */
#ifndef H5SWMR_ORCH_H
#define H5SWMR_ORCH_H

#include <stdbool.h>
#include <sys/types.h>

#include "child.h"
#include "err.h"
#include "faults.h"
#include "proto.h"
#include "scenario.h"
#include "status.h"

/* A reader's crash handler (reader.c) ors its verdict into its
 * shm->reader_phase[] slot, next to proto.h's READER_OTHER / READER_WALKING:
 * the innermost frame of the crashed stack that is in HDF5 or in h5swmr's
 * own code (C library frames skipped: a free() crash called from HDF5 is
 * HDF5's), or neither. */
enum {
    READER_PHASE_MASK = 0xff,
    READER_CRASH_HDF5 = 0x100,
    READER_CRASH_OWN = 0x200,
    READER_CRASH_UNKNOWN = 0x400,
};

/* How a reader crashed, as the orchestrator tells it (orch_child_t.crash). */
enum { ORCH_CRASH_NONE, ORCH_CRASH_HDF5, ORCH_CRASH_OWN, ORCH_CRASH_UNKNOWN };

/* "inside HDF5", "in h5swmr's own code", ... for an ORCH_CRASH_* value. */
const char *orch_crash_text(int crash);

typedef struct orch_child {
    h5s_child_t proc; /* the live process; the fields below record what became of it */
    pid_t pid;
    int role, index;
    int ctl_w, st_r; /* our ends of the child's pipes (-1 when closed) */
    bool reaped;
    int status; /* waitpid status once reaped */
    bool has_result;
    proto_result_t res;
    int64_t stop_sent_ns; /* 0 = STOP not sent yet */
    int kill_stage;       /* H5S_CHILD_*: 0 none, 1 SIGTERM sent, 2 SIGKILL sent, 3 given up */
    bool fault_killed;    /* SIGKILLed on purpose by fault injection */
    int crash;            /* a reader killed by a crash signal: ORCH_CRASH_*, where its stack was */
    bool died_in_walk;    /* a reader that crashed inside an HDF5 call during its tree walk */
    double delay_s;       /* a reader's start delay: GO this long after READY (reader_delay_s) */
    int64_t go_sent_ns;   /* when GO was sent; 0 = never (a delayed reader stopped first) */
} orch_child_t;

typedef struct orch_report {
    scn_t scn;
    char file[SCN_PATH];
    int nchildren;
    orch_child_t children[1 + SCN_MAX_READERS];
    bool has_finalizer;
    orch_child_t finalizer;
    bool finalizer_stalled; /* stopped after finalize_stall_s without progress */
    bool file_gone;         /* the writer's file, with flushed data, was deleted or replaced during the run */
    bool interrupted;
    bool writer_ready;
    int64_t t_begin_ns, t_ready_ns, t_end_ns;
    int exit_code;       /* EXIT_* or 130 when interrupted */
    char problem[512];   /* the orchestrator's own view of what went wrong */
    char faults[256];    /* faults injected, as done */
    char recovery[1024]; /* what the file needs after the run, if anything */
    faults_t fx;         /* the faults one by one: what each hit, what the processes did */
} orch_report_t;

/* Runs one job on file (which must not exist unless s->overwrite) and fills rep;
 * raw logs, if asked for, go to run_dir (may be NULL).
 * Returns 0 when the run took place (see rep->exit_code for its outcome) or a
 * negative code when it could not start. Blocks SIGINT/SIGTERM/SIGCHLD while
 * it runs and restores the mask afterwards. */
int orch_run(const scn_t *s, const char *file, const char *run_dir, orch_report_t *rep, h5s_err_t *err);

/* orch_run with the live status line (status.h) of run, write, sweep and
 * stress: outer tells which run of a sweep or stress this is (label "": a
 * run of its own). */
int orch_run_live(const scn_t *s, const char *file, const char *run_dir, const status_outer_t *outer,
                  orch_report_t *rep, h5s_err_t *err);

/* Whether ch is a delayed reader that was asked to stop before its start
 * delay had passed: it never got GO and never opened the file (not an error). */
bool orch_stopped_before_delay(const orch_report_t *rep, const orch_child_t *ch);

/* Describes a waitpid status ("exit 0", "killed by SIGKILL") into buf. */
void orch_status_text(int status, char *buf, size_t cap);

#endif
