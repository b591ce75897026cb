/* common.c - what the file commands (run, write, watch, summary, finalize)
 * share: one-line messages and the exit status of a refused file. */
#include <stdarg.h>
#include <stdio.h>

#include "commands.h"
#include "err.h"
#include "cli.h"
#include "proto.h"
#include "util.h"

/* The command being run, for messages: set once by main before the
 * command's handler runs, and never changed after. */
static const char *g_cmd_name;

void cmd_set_name(const char *name)
{
    g_cmd_name = name;
}

int cmd_fail(int code, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    cli_one_line(buf);
    return h5s_cli_fail(g_cmd_name, code, "%s", buf);
}

int cmd_open_exit(int code)
{
    return code == H5S_ENOMEM ? EXIT_FAIL : EXIT_USAGE;
}
