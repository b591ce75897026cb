/* plot_csv.h - reading the CSV files h5swmr writes (sweep.csv, flushcost.csv,
 * lag logs) for the plots: columns are found by name in the header line,
 * fields may be quoted ("a, b", "say ""x"""), blanks around a field and a
 * CR at the end of a line are dropped, and blank lines are skipped.
 *
 * Only regular files are read: a FIFO or device named like a result file
 * would block or never end. */
#ifndef H5SWMR_PLOT_CSV_H
#define H5SWMR_PLOT_CSV_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* A CSV file read one row at a time. */
typedef struct plot_csv {
    FILE *f;
    char *line;
    size_t line_cap;
    char **hdr; /* the header's names (trimmed) */
    int nhdr;
    char **fld; /* the current row's fields (trimmed), pointing into buf */
    int nfld, fld_cap;
    char *buf;
    size_t buf_cap;
} plot_csv_t;

/* Opens path (a regular file) and reads its header line. Returns 0, or -1
 * with the reason in err. An empty file has no columns and no rows. */
int plot_csv_open(plot_csv_t *c, const char *path, char *err, size_t cap);
/* The index of the column named name (the last one of that name), or -1. */
int plot_csv_col(const plot_csv_t *c, const char *name);
/* Reads the next row that is not blank: 1 a row, 0 the end, -1 a read
 * error (with the reason in err). */
int plot_csv_next(plot_csv_t *c, char *err, size_t cap);
/* Field col of the current row; "" when col < 0 or the row is shorter. */
const char *plot_csv_field(const plot_csv_t *c, int col);
void plot_csv_close(plot_csv_t *c);

/* A whole CSV file in memory (sweep.csv: a few hundred rows at most). */
typedef struct plot_table {
    char **hdr;
    int ncols;
    char ***cell; /* cell[row][col], "" for a field the row lacks */
    int nrows;
} plot_table_t;

/* Reads path into t. Returns 0, or -1 with the reason in err. */
int plot_table_load(plot_table_t *t, const char *path, char *err, size_t cap);
/* Whether the header has a column named name. */
bool plot_table_has(const plot_table_t *t, const char *name);
/* The value of column name in row r (the last column of that name); "" when
 * the header has no such column. */
const char *plot_table_get(const plot_table_t *t, int r, const char *name);
void plot_table_free(plot_table_t *t);

#endif
