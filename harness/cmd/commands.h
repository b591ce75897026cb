/* commands.h - the h5swmr program's subcommands, one file each. Every command
 * gets the whole argv (argv[1] is its name) and returns the exit status. */
#ifndef H5SWMR_COMMANDS_H
#define H5SWMR_COMMANDS_H

int cmd_check(int argc, char **argv);     /* check.c: the conformance suite */
int cmd_flushcost(int argc, char **argv); /* flushcost.c: flush cost against dataset count */
int cmd_plot(int argc, char **argv);      /* plot.c: gnuplot plots of a results directory */
int cmd_sweep(int argc, char **argv);     /* sweep.c: runs over lists of values */
int cmd_stress(int argc, char **argv);    /* stress.c: seeded repetition until failure */
int cmd_gate(int argc, char **argv);      /* gate.c: regression gate against a baseline sweep */

#endif
