/* status.h - the live status line of a run, like fio's: elapsed time and
 * ETA, the writer's MB/s and flushes, the readers' samples and lag p99 so
 * far, errors; for a sweep or stress also which run of how many.
 *
 * On a terminal (stdout is a TTY) it is one line refreshed in place ("\r",
 * the line, erase to its end), clipped to the terminal's width (read before
 * each refresh, so a resized window is followed); the processes' own lines
 * reach stdout through a pipe the orchestrator reads, so that the status
 * line is cleared before each of them and drawn again below. Otherwise it is
 * a plain "status:" line every report_ms. The orchestrator drives it from
 * its wait loop (status_tick lowers the loop's wake-up time); the figures
 * are what the processes publish in shared memory (proto_progress_t). */
#ifndef H5SWMR_STATUS_H
#define H5SWMR_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "proto.h"
#include "scenario.h"

/* Where a run stands in what its caller runs: a sweep's configurations or
 * stress's iterations. label "": a run of its own. */
typedef struct status_outer {
    char label[96];         /* "run 3/17, config 2/6", "iteration 4/100"; "": a run of its own */
    long long index, count; /* this run's number (from 1) of count: the label's short form */
    int64_t t0_ns;          /* when the sweep or stress began (elapsed counts from it); 0: the run's start */
    double eta_after_s;     /* estimated seconds of the runs after this one; < 0 unknown */
} status_outer_t;

enum { STATUS_NONE, STATUS_TTY, STATUS_LINES };

typedef struct status {
    int mode;             /* STATUS_* */
    status_outer_t outer; /* label "": a run of its own */
    int64_t period_ns;    /* between refreshes (TTY) or lines */
    int64_t next_ns;      /* when the next one is due */
    bool shown;           /* TTY: the line is on screen, the cursor after it */
    char line[1024];      /* the line last drawn (TTY: drawn again below other output) */
    int out_r, out_w;     /* TTY: the pipe the processes' stdout goes to (-1: none) */
    char part[1024];      /* what they wrote after their last newline */
    size_t npart;
} status_t;

struct orch_report;

/* Sets st up for a run of scenario s: outer NULL = no status at all (the
 * callers that show none, such as check); otherwise by s->status, stdout
 * and s->quiet. In TTY mode it makes the processes' stdout pipe. Returns 0
 * or a negative code with err. */
int status_begin(status_t *st, const scn_t *s, const status_outer_t *outer, h5s_err_t *err);

/* The descriptor a process of the run must have as stdout (0: its own). */
int status_child_stdout(const status_t *st);

/* The descriptor to wait on for the processes' output (-1: none). */
int status_pollfd(const status_t *st);

/* Copies what the processes wrote to stdout, whole lines, with the status
 * line cleared before them and drawn again after. */
void status_pump(status_t *st);

/* Clears the status line from the terminal before the orchestrator prints
 * a line of its own (the next refresh draws it again). */
void status_clear(status_t *st);

/* Refreshes the status line (or prints a plain line) when due at now, from
 * rep and shm; finalizing: the finalizer runs. Lowers *wake to the next one. */
void status_tick(status_t *st, const struct orch_report *rep, const shm_t *shm, bool finalizing, int64_t now,
                 int64_t *wake);

/* The run is over: the processes' last output, then on a terminal the
 * final status line and a newline (in a sweep or stress, or when none was
 * drawn, the line is cleared instead); closes the pipe. shm may be NULL (the
 * run did not start). Safe to call once st is set up, whatever happened. */
void status_end(status_t *st, const struct orch_report *rep, const shm_t *shm);

/* Formats the status line into buf (cap bytes) for a terminal of cols
 * columns (0: no limit, the plain line with every field in full): shorter
 * forms of the fields where the full ones do not fit, then clipped to
 * cols - 1 characters. final: the run is over (no ETA). Returns its length. */
size_t status_format(char *buf, size_t cap, int cols, const struct orch_report *rep, const shm_t *shm,
                     const status_outer_t *outer, bool finalizing, bool final, int64_t now);

#endif
