/* file.c - h5swmr summary and finalize: what an MTH5 file holds, and the
 * rebuilding of its channel_summary table once no writer has it open. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "mth5.h"
#include "proto.h"

static const cli_opt_t no_opts[] = {{NULL, 0, NULL, NULL}};

/* Reads the one FILE argument of cmd into *file; returns 0 to go on, or the
 * exit status with *done set (after --help or a usage error). */
static int parse_file_arg(const cli_cmd_t *cmd, int argc, char **argv, const char **file, bool *done)
{
    cli_parser_t p;
    const char *arg;
    int k;
    *done = true;
    *file = NULL;
    cli_begin(&p, cmd, argc, argv);
    while ((k = cli_next(&p, &arg)) != CLI_END) {
        if (k == CLI_HELP)
            return 0;
        if (k == CLI_ERROR)
            return EXIT_USAGE;
        if (*file)
            return cli_usage_error(cmd, "unexpected argument '%s' (usage: h5swmr %s FILE)", arg, cmd->name);
        *file = arg;
    }
    if (!*file)
        return cli_usage_error(cmd, "no file given (usage: h5swmr %s FILE)", cmd->name);
    *done = false;
    return 0;
}

/* Prints the channels found by walking the tree beside the stored
 * channel_summary table's count for each. Returns 0 or the exit status. */
static int print_summary(mth5_t *m)
{
    h5s_err_t err;
    mth5_summary_row_t *rows = NULL;
    mth5_table_row_t *trows = NULL;
    size_t n = 0, nt = 0;
    if (mth5_channel_summary(m, &rows, &n, &err) < 0)
        return cmd_fail(EXIT_FAIL, "%s", err.msg);
    bool table = mth5_summary_table_read(m, &trows, &nt, &err) == 0;
    printf("%-14s %-10s %-10s %-6s %-10s %12s %10s %14s  %s\n", "survey", "station", "run", "chan", "type", "n_samples",
           "rate_Hz", "table_samples", "end");
    for (size_t i = 0; i < n; i++) {
        mth5_summary_row_t *r = &rows[i];
        char tab[24] = "missing";
        long k = table ? mth5_summary_table_find(trows, nt, r->survey, r->station, r->run, r->component) : -1;
        if (k >= 0)
            snprintf(tab, sizeof tab, "%lld", (long long)trows[k].n_samples);
        printf("%-14s %-10s %-10s %-6s %-10s %12llu %10g %14s  %s\n", r->survey, r->station, r->run, r->component,
               r->type, (unsigned long long)r->n_samples, r->sample_rate, tab, r->end);
    }
    printf("%zu channel%s; stored channel_summary table: %s\n", n, n == 1 ? "" : "s", table ? "present" : "missing");
    free(rows);
    free(trows);
    return 0;
}

/* h5swmr summary FILE: opens the file read-only (with SWMR_READ when an SWMR
 * writer holds it) and prints its channel summary. Returns 0 or the exit
 * status. */
static int cmd_summary(int argc, char **argv)
{
    const char *file;
    bool done;
    int rc = parse_file_arg(&cmd_summary_def, argc, argv, &file, &done);
    if (done)
        return rc;
    h5s_err_t err;
    mth5_t *m = NULL;
    if (mth5_open(file, "r", false, &m, &err) < 0) {
        /* a file an SWMR writer holds can still be read with SWMR_READ */
        if (err.code != H5S_ELOCKED || mth5_open(file, "r", true, &m, &err) < 0)
            return cmd_fail(cmd_open_exit(err.code), "%s", err.msg);
    }
    rc = print_summary(m);
    mth5_close(m, NULL);
    return rc;
}

/* h5swmr finalize FILE: reopens the file for writing without SWMR, rebuilds
 * its channel_summary table and closes it. Returns 0 or the exit status. */
static int cmd_finalize(int argc, char **argv)
{
    const char *file;
    bool done;
    int rc = parse_file_arg(&cmd_finalize_def, argc, argv, &file, &done);
    if (done)
        return rc;
    h5s_err_t err;
    mth5_t *m = NULL;
    if (mth5_open(file, "r+", false, &m, &err) < 0)
        return cmd_fail(cmd_open_exit(err.code), "%s", err.msg);
    if (mth5_summary_table_rebuild(m, &err) < 0) {
        mth5_close(m, NULL);
        return cmd_fail(EXIT_FAIL, "%s", err.msg);
    }
    if (mth5_close(m, &err) < 0)
        return cmd_fail(EXIT_FAIL, "%s", err.msg);
    printf("%s: channel_summary rebuilt\n", file);
    return 0;
}

const cli_cmd_t cmd_summary_def = {
    .name = "summary",
    .synopsis = "FILE",
    .summary = "channel summary of an MTH5 file: tree walk and stored table",
    .help = "Lists the channels of an MTH5 file found by walking its tree, each with its sample\n"
            "count in the stored /Experiment/channel_summary table (or 'missing'). A file an SWMR\n"
            "writer holds is read with SWMR.\n",
    .opts = no_opts,
    .handler = cmd_summary,
    .needs_hdf5 = true,
};

const cli_cmd_t cmd_finalize_def = {
    .name = "finalize",
    .synopsis = "FILE",
    .summary = "reopen without SWMR and rebuild channel_summary",
    .help = "Reopens an MTH5 file without SWMR and rebuilds its /Experiment/channel_summary table\n"
            "from the tree.\n",
    .opts = no_opts,
    .handler = cmd_finalize,
    .needs_hdf5 = true,
};
