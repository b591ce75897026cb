/* common.c - what the file commands (run, write, watch, summary, finalize)
 * share: one-line messages and the exit status of a refused file. */
#include <stdarg.h>
#include <stdio.h>

#include "commands.h"
#include "err.h"
#include "cli.h"
#include "proto.h"
#include "util.h"

int cmd_fail(int code, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    cli_one_line(buf);
    return h5s_cli_fail(NULL, code, "%s", buf);
}

int cmd_open_exit(int code)
{
    return code == H5S_ENOMEM ? EXIT_FAIL : EXIT_USAGE;
}
