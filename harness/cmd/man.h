/* man.h - h5swmr(1), generated from the command and scenario option tables. */
#ifndef H5SWMR_MAN_H
#define H5SWMR_MAN_H

#include <stdio.h>

#include "cli.h"

/* Writes the manual page (roff, man macros) of the program with the
 * NULL-terminated command table cmds and the scenario keys onto out. */
void man_page(FILE *out, const cli_cmd_t *const *cmds, const char *version);

#endif
