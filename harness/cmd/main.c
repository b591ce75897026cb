/* main.c - the h5swmr program: its command table, the dispatch to a
 * command's handler, and the program's own --help and --version. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <hdf5.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "proto.h"
#include "util.h"

/* The command table: the usage text and the dispatch come from it. */
static const cli_cmd_t *const commands[] = {
    &cmd_run_def,   &cmd_write_def,  &cmd_watch_def,     &cmd_summary_def, &cmd_finalize_def, &cmd_check_def,
    &cmd_sweep_def, &cmd_stress_def, &cmd_flushcost_def, &cmd_plot_def,    &cmd_gate_def,     NULL,
};

/* The program's --help: its commands from the table, its options and exit
 * statuses. */
static void usage(FILE *out)
{
    fprintf(out, "Usage: h5swmr COMMAND [ARGS]\n"
                 "\n"
                 "Drives HDF5 single-writer/multiple-reader (SWMR) mode with real processes on\n"
                 "real MTH5 files, and reports what readers see.\n"
                 "\n"
                 "Commands:\n");
    for (size_t i = 0; commands[i]; i++)
        fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(out, "\n"
                 "Options:\n"
                 "  -h, --help      this help ('h5swmr COMMAND --help' for a command's; 'h5swmr run --help'\n"
                 "                  lists every scenario key)\n"
                 "  -V, --version   h5swmr and HDF5 versions\n"
                 "\n"
                 "Exit status: 0 ok, 1 failure, 2 bad input, 3 readers saw wrong or missing data,\n"
                 "4 timed out, 130 interrupted.\n");
}

/* --version: h5swmr's version, and HDF5's at run time and at build time. */
static void version(void)
{
    unsigned maj, min, rel;
    H5get_libversion(&maj, &min, &rel);
    printf("h5swmr %s\nHDF5 %u.%u.%u (built against %d.%d.%d)\n", H5SWMR_VERSION, maj, min, rel, H5_VERS_MAJOR,
           H5_VERS_MINOR, H5_VERS_RELEASE);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        if (argc > 2)
            return cmd_fail(EXIT_USAGE, "%s takes no arguments (for a command's help: h5swmr COMMAND --help)", cmd);
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
        if (argc > 2)
            return cmd_fail(EXIT_USAGE, "%s takes no arguments", cmd);
        version();
        return 0;
    }
    /* The orchestrating process never touches HDF5 before it forks (children
     * initialise their own library); commands that use HDF5 directly silence it. */
    for (size_t i = 0; commands[i]; i++) {
        if (strcmp(cmd, commands[i]->name))
            continue;
        if (commands[i]->needs_hdf5 && h5s_hdf5_quiet() < 0)
            return cmd_fail(EXIT_FAIL, "cannot initialise HDF5");
        return commands[i]->handler(argc, argv);
    }
    return cmd_fail(EXIT_USAGE, "unknown command '%s' (see h5swmr --help)", cmd);
}
