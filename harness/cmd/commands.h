/* commands.h - the h5swmr program's commands. Each command describes itself
 * once (a cli_cmd_t: name, synopsis, summary, --help, options, handler, and
 * whether HDF5 is initialised before it runs); main.c's table lists them, and
 * the program's usage text, the dispatch and every --help come from there.
 * A handler gets the whole argv (argv[1] is its name) and returns the exit
 * status. To add a command: define its cli_cmd_t, declare it here, list it in
 * main.c's table. */
#ifndef H5SWMR_COMMANDS_H
#define H5SWMR_COMMANDS_H
#include "cli.h"

extern const cli_cmd_t cmd_run_def;       /* run.c: one writer and N readers */
extern const cli_cmd_t cmd_write_def;     /* run.c: the writer alone */
extern const cli_cmd_t cmd_watch_def;     /* watch.c: follow a file being written */
extern const cli_cmd_t cmd_summary_def;   /* file.c: channel summary of a file */
extern const cli_cmd_t cmd_finalize_def;  /* file.c: rebuild channel_summary */
extern const cli_cmd_t cmd_check_def;     /* check/check.c: the conformance suite */
extern const cli_cmd_t cmd_sweep_def;     /* bench/sweep.c: runs over lists of values */
extern const cli_cmd_t cmd_stress_def;    /* stress.c: seeded repetition until failure */
extern const cli_cmd_t cmd_flushcost_def; /* bench/flushcost.c: flush cost against dataset count */
extern const cli_cmd_t cmd_plot_def;      /* bench/plot.c: gnuplot plots of a results directory */
extern const cli_cmd_t cmd_gate_def;      /* bench/gate.c: regression gate */
extern const cli_cmd_t cmd_repro_def;     /* repro.c: standalone C reproducers of HDF5 defects */
extern const cli_cmd_t cmd_advise_def;    /* bench/advise.c: the flush and poll policy for a lag budget */
extern const cli_cmd_t cmd_report_def;    /* report_html.c: report.html of a results directory */

/* The handlers, for commands that call each other (sweep runs plot). */
int cmd_check(int argc, char **argv);
int cmd_flushcost(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_stress(int argc, char **argv);
int cmd_gate(int argc, char **argv);

/* Names the command being run (main sets it once, before the command's
 * handler runs) for the messages of cmd_fail. */
void cmd_set_name(const char *name);
/* Prints "h5swmr COMMAND: message" ("h5swmr: message" before a command is
 * chosen) as one line on stderr (control characters of what it echoes, a
 * path with a newline, shown as '?') and returns code: how the file commands
 * report what they cannot do. */
int cmd_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The exit status of a refused mth5_open (its error code): 2, bad input, for
 * a file refused before anything was read or changed (missing, not HDF5 or
 * MTH5, wrong format, in use); 1 only for running out of memory. */
int cmd_open_exit(int code);

#endif
