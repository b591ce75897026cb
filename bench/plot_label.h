/* plot_label.h - legend texts of the plots: what a sweep parameter's value
 * means in words ("busy poll", "flush every 8 blocks"), and which rows of a
 * sweep a plot shows and under which legend entry. */
#ifndef H5SWMR_PLOT_LABEL_H
#define H5SWMR_PLOT_LABEL_H
#include <stddef.h>

#include "plot_csv.h"
#include "plot_series.h"

/* A writer mode in words: "SWMR", "HDF5 without SWMR", "raw pwrite (no HDF5)". */
const char *plot_mode_name(const char *mode);
/* A flush call (flushcost.csv's flush_call) in words. */
const char *plot_call_name(const char *call);
/* A byte count as "64 KiB", "1 MiB", "1.5 KiB", "100 B". */
char *plot_human_bytes(double b, char *buf, size_t cap);
/* A short description of sweep parameter p with value v ("poll 1 ms"). */
char *plot_pdesc(const char *p, const char *v, char *buf, size_t cap);

/* Fills lab[r] (allocated; the caller frees them) for the rows r of t whose
 * group sel[r] is group: start, then a description of each parameter of
 * list (NULL-terminated) whose value differs between those rows. A reader's
 * wake-up is one item: "inotify wake-up", or its poll interval. The job
 * name comes first only when two jobs would share a legend entry.
 * Returns 0, or -1 when out of memory. */
int plot_label_rows(const plot_table_t *t, const char *const *sel, const char *group, const char *const *list,
                    const char *start, char **lab);
/* Keeps selected (sel[r] not NULL) only the rows of jobs (the job column;
 * "" without one) that ran at least two values of column col among the
 * selected rows; keeps every job when none did. */
void plot_keep_jobs_varying(const plot_table_t *t, const char **sel, const char *col);

/* The description of each configuration of a sweep, for the legends of the
 * lag distribution: config -> "busy poll, flush every block, block 64 KiB". */
typedef struct plot_desc {
    char **cfg, **desc;
    char **job, **plain; /* its job ("" without one), and desc without "[job] " */
    int n, cap;
    plot_strset_t index; /* cfg -> its place */
} plot_desc_t;

/* Reads the descriptions from sweep.csv at path; a file that cannot be read,
 * or has no config column, gives none. */
void plot_desc_load(plot_desc_t *d, const char *path);
/* The description of configuration cfg, or NULL. */
const char *plot_desc_get(const plot_desc_t *d, const char *cfg);
/* The description of configuration cfg without its job, and its job ("" for
 * none) in *job; NULL when it has none. */
const char *plot_desc_plain(const plot_desc_t *d, const char *cfg, const char **job);
void plot_desc_free(plot_desc_t *d);

#endif
