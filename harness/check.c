/* check.c - placeholder until the command lands. */
#include <stdio.h>

#include "commands.h"

int cmd_check(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "h5swmr: 'check' is not built yet\n");
    return 1;
}
