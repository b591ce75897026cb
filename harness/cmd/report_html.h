/* report_html.h - report.html: one self-contained page of a results
 * directory (verdicts, plots as inline SVG, environment, the commands that
 * reproduce it), for people and for CI systems that keep it as an artefact.
 * `h5swmr report DIR` writes it, and so do the commands that leave results
 * (sweep, gate, check, stress) when they end. */
#ifndef H5SWMR_REPORT_HTML_H
#define H5SWMR_REPORT_HTML_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

/* The name of the page in a results directory. */
#define REPORT_HTML_NAME "report.html"

/* Writes dir/report.html from what the results files in dir (and its
 * subdirectories one level down) say; files it does not know or cannot read
 * are skipped with a note in the page. Written beside it first, then renamed
 * into place; an existing report.html is replaced only if h5swmr wrote it
 * (never a link, a user's file or anything else). Returns 0 with the page's
 * path in path (cap bytes), or a negative H5S_E* code with err: H5S_EINVAL
 * when dir is no results directory or report.html may not be replaced
 * (nothing written), H5S_ESYS or H5S_ENOMEM when writing failed. */
int report_html_write(const char *dir, char *path, size_t cap, h5s_err_t *err);

/* What a command that leaves results calls as it ends: writes dir's page and
 * prints one line on out, "report: DIR/report.html" or why it was not
 * written. The command's own outcome does not depend on it. */
void report_html_after(const char *dir, FILE *out);

/* report_html_after for the directory that holds file (check's --junit),
 * when file is a regular file; nothing otherwise. */
void report_html_beside(const char *file, FILE *out);

#endif
