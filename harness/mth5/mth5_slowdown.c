/* mth5_slowdown.c - the deliberately slowed build of the append path.
 *
 * A build made with cmake -DH5SWMR_DELIBERATE_SLOWDOWN_US=N spins N
 * microseconds at the start of every mth5_channel_append. It exists to show
 * that the performance regression gate (h5swmr gate) catches a slower write
 * path; a normal build (N = 0, the default) does nothing here. */
#include <time.h>

#include "mth5_int.h"

/* Spins H5SWMR_DELIBERATE_SLOWDOWN_US microseconds (busy, so that the time
 * counts as the writer's CPU like real work would). */
#if H5SWMR_DELIBERATE_SLOWDOWN_US > 0
void mth5__deliberate_slowdown(void)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    do
        clock_gettime(CLOCK_MONOTONIC, &b);
    while ((b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000 < H5SWMR_DELIBERATE_SLOWDOWN_US);
}
#endif
