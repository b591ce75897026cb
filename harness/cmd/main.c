/* main.c - the h5swmr program: its command table, the dispatch to a
 * command's handler, and the program's own --help and --version. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <hdf5.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "man.h"
#include "proto.h"
#include "util.h"

/* The command table: the usage text and the dispatch come from it. */
static const cli_cmd_t *const commands[] = {
    &cmd_run_def,   &cmd_write_def, &cmd_watch_def,  &cmd_summary_def, &cmd_finalize_def,
    &cmd_check_def, &cmd_sweep_def, &cmd_advise_def, &cmd_stress_def,  &cmd_flushcost_def,
    &cmd_plot_def,  &cmd_gate_def,  &cmd_repro_def,  &cmd_report_def,  NULL,
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

/* Blocks SIGINT and SIGTERM before anything else of the program runs, the
 * shared libraries' initialisers included (those of HDF5's dependencies take
 * some 20 ms): a signal that comes meanwhile waits for main, which ends the
 * program with 130 or hands it to the command (startup_signals_end). Only
 * the loading of the libraries themselves comes earlier. */
static void block_stop_signals_first(int argc, char **argv, char **envp)
{
    (void)argc;
    (void)argv;
    (void)envp;
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, NULL);
}
__attribute__((section(".preinit_array"), used)) static void (*const block_first)(int, char **,
                                                                                  char **) = block_stop_signals_first;

/* Ends the program with 130 if SIGINT or SIGTERM is pending: it came while
 * they were blocked at the start (before any command could install its
 * handlers: nothing was created yet), or was already pending when the
 * program was started. Otherwise restores the mask the program was started
 * with, SIGINT and SIGTERM unblocked, so that commands and their children
 * never begin with them blocked, unless cmd handles them itself
 * (own_stop_signals): then they stay blocked until its handlers are in place. */
static void startup_signals_end(const sigset_t *start_mask, const char *cmd, bool keep_blocked)
{
    sigset_t pending, mask = *start_mask;
    if (sigpending(&pending) == 0 && (sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM))) {
        h5s_cli_fail(cmd, 130, "interrupted as it started; nothing was done");
        _exit(130); /* the signal stays blocked and pending: never delivered */
    }
    (keep_blocked ? sigaddset : sigdelset)(&mask, SIGINT);
    (keep_blocked ? sigaddset : sigdelset)(&mask, SIGTERM);
    sigprocmask(SIG_SETMASK, &mask, NULL);
}

int main(int argc, char **argv)
{
    /* SIGINT and SIGTERM wait until a command is chosen (and HDF5 set up):
     * one that comes earlier ends the program with 130, not by the signal
     * (blocked already by block_stop_signals_first; blocked here again for a
     * program that runs main without its .preinit_array) */
    sigset_t block, start_mask;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &start_mask);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) {
        startup_signals_end(&start_mask, NULL, false);
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    for (size_t i = 0; commands[i]; i++)
        if (!strcmp(cmd, commands[i]->name))
            cmd_set_name(commands[i]->name);
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help") || !strcmp(cmd, "-V") ||
        !strcmp(cmd, "--version"))
        startup_signals_end(&start_mask, NULL, false);
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        if (argc > 2)
            return cmd_fail(EXIT_USAGE, "%s takes no arguments (for a command's help: h5swmr COMMAND --help)", cmd);
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--man")) { /* not in --help: the build makes h5swmr.1 with it */
        startup_signals_end(&start_mask, NULL, false);
        if (argc > 2)
            return cmd_fail(EXIT_USAGE, "%s takes no arguments", cmd);
        man_page(stdout, commands, H5SWMR_VERSION);
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
        startup_signals_end(&start_mask, commands[i]->name, commands[i]->own_stop_signals);
        return commands[i]->handler(argc, argv);
    }
    startup_signals_end(&start_mask, NULL, false);
    return cmd_fail(EXIT_USAGE, "unknown command '%s' (see h5swmr --help)", cmd);
}
