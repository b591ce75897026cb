/* stress.c - placeholder until the command lands. */
#include <stdio.h>

#include "commands.h"

int cmd_stress(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "h5swmr: 'stress' is not built yet\n");
    return 1;
}
