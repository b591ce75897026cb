/* paths.h - where h5swmr finds the data it ships (scenarios, expectation
 * files, gnuplot scripts), so that an installed program works from any
 * directory with its source tree gone. */
#ifndef H5SWMR_PATHS_H
#define H5SWMR_PATHS_H
#include <stddef.h>

/* Finds the shipped file rel (a path as in the source tree, e.g.
 * "scenarios/expect/hdf5-1.10.expect" or "bench/lag_cdf.gp"), in order:
 *   1. $H5SWMR_DATA_DIR/rel (an override);
 *   2. <program dir>/../share/h5swmr/rel (installed: cmake --install);
 *   3. the source tree the program was built from (a build directory).
 * Returns 0 with its real path in out, or -1 with the places looked at in
 * tried (a comma-separated list). */
int h5s_data_path(const char *rel, char *out, size_t cap, char *tried, size_t tcap);

#endif
