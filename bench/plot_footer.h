/* plot_footer.h - the footer line of every plot: where its data was measured
 * (CPU, kernel, file system, HDF5, h5swmr) and by which scenario, read from
 * the environment the sweep recorded in sweep.json (or that a single run
 * recorded in summary.json, or h5swmr flushcost --json in flushcost.json), as
 * text that is safe inside a gnuplot string. */
#ifndef H5SWMR_PLOT_FOOTER_H
#define H5SWMR_PLOT_FOOTER_H
#include <stddef.h>

/* Copies s into out as text that can stand between single quotes in a
 * gnuplot command and is shown as one line: printable ASCII only; quotes,
 * backquotes, backslashes, '@' and '$' become '?', as does any byte outside
 * ASCII; control characters (newlines, tabs...) become one blank. At most
 * cap - 1 bytes; returns out. */
char *plot_footer_clean(const char *s, char *out, size_t cap);

/* Fills out with the footer of the plots of the results directory results:
 * "host 2-core AMD EPYC x86_64, Linux 6.1, ext4 | HDF5 1.10.8, h5swmr 0.1.0 |
 * scenario sweep_quick (sweep_quick-sweep-2026...)", every part cleaned with
 * plot_footer_clean. Without sweep.json, summary.json or flushcost.json the
 * facts are said to be unrecorded; when the first of them there is cannot be
 * read, note gets why (else note is ""). */
void plot_footer_build(const char *results, char *out, size_t cap, char *note, size_t ncap);

#endif
