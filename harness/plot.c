/* plot.c - placeholder until the command lands. */
#include <stdio.h>

#include "commands.h"

int cmd_plot(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "h5swmr: 'plot' is not built yet\n");
    return 1;
}
