/* plot_series.h - the data files the gnuplot scripts (bench/NAME.gp) read.
 *
 * A plot's data directory holds one file per series, named <prefix>NN.dat
 * (NN counts every series of the plot from 01; the prefix groups series for
 * a script, e.g. a: SWMR, b: HDF5 without SWMR) or <prefix>NN.cdf for a
 * distribution: a header line whose fields are the legend titles, then
 * tab-separated rows sorted by their first field (x). meta.gp beside them
 * holds gnuplot assignments: axis scales (logx, logy...), labels.
 *
 * Numbers follow the rules the plots always had: a field is a number when it
 * is one whole (blanks around it allowed; no "nan", "inf" or hex), and a
 * computed number is written as an integer when it is one, else with six
 * significant digits. */
#ifndef H5SWMR_PLOT_SERIES_H
#define H5SWMR_PLOT_SERIES_H
#include <stdbool.h>
#include <stddef.h>

/* Whether s is a decimal number (with optional sign, fraction, exponent). */
bool plot_isnum(const char *s);
/* The number s starts with (0 when it starts with none), as in
 * arithmetic on a text field. */
double plot_num(const char *s);
/* v as text: an integer when it is one, else six significant digits. */
const char *plot_fmt(double v, char *buf, size_t cap);

/* The values seen on one axis, to choose between a linear and a log scale. */
typedef struct plot_range {
    bool has_min, has_max, nonpos;
    double min, max; /* min: of the values > 0 */
} plot_range_t;

/* Notes the value of text v on axis r when it is a number. */
void plot_track(plot_range_t *r, const char *v);
void plot_track_num(plot_range_t *r, double v);
/* Whether the axis should be logarithmic: only values > 0, spanning a factor
 * of 8 or more. */
bool plot_logaxis(const plot_range_t *r);

/* A set of strings (not copied: they must outlive it), each with the number
 * it was added with: finding one takes constant time on average, so that
 * grouping the rows of a file is linear in them, never pairwise. */
typedef struct plot_strset {
    const char **key;
    int *id;
    size_t cap, n;
} plot_strset_t;

/* The number key was first added with; when key is new, adds it with id and
 * returns id. -1 when out of memory. */
int plot_strset_add(plot_strset_t *h, const char *key, int id);
/* The number key was added with, or -1. */
int plot_strset_get(const plot_strset_t *h, const char *key);
void plot_strset_free(plot_strset_t *h);

typedef struct plot_line {
    double x;   /* the first field, for sorting */
    char *text; /* the whole row */
} plot_line_t;

typedef struct plot_series {
    char *key;    /* what tells this series from the others */
    char *header; /* the first line of its file */
    char *panel;  /* the panel it is drawn in (a job), "" for the only one */
    char prefix;
    int family; /* its kind among the plot's (plot_set_t.nfam): keyed by dash */
    plot_line_t *line;
    size_t n, cap;
} plot_series_t;

#define PLOT_META_MAX 16

/* More series than this in one plot are drawn one panel per job (small
 * multiples), when they come from two or more jobs. */
#define PLOT_PANEL_SERIES 6
/* The colours of the series of a panel, before dashes repeat them. */
#define PLOT_COLOURS 8
/* The dash patterns (plot_dash); a panel holds at most PLOT_COLOURS times
 * PLOT_DASHES / (lines * nfam) series, a job with more is split. */
#define PLOT_DASHES 8

/* The look of one line of a series, made from its place in its panel so that
 * no two lines of a panel look alike: colour and dash as a pair are unique. */
typedef struct plot_style {
    const char *colour; /* "#rrggbb" */
    const char *dash;   /* a gnuplot dash type: "1", "(24,8)" */
    int colour_i, dash_i;
    int point; /* gnuplot point type: filled for a series' first line, else open */
    double width;
} plot_style_t;

/* The style of line j (of lines) of the series at place p (from 0) of its
 * panel, of family fam (of nfam). */
void plot_style(int p, int fam, int nfam, int j, int lines, plot_style_t *st);
/* How many series one panel holds (see PLOT_DASHES). */
int plot_panel_cap(int lines, int nfam);

/* The series of one plot, being collected. */
typedef struct plot_set {
    plot_series_t *s;
    int n, cap;
    plot_strset_t index; /* the series by key */
    bool count_x;        /* count the distinct x values (nx) */
    plot_strset_t xindex;
    char **xseen;
    int nx, nx_cap;
    plot_range_t x, y, y2;
    char *meta_key[PLOT_META_MAX], *meta_val[PLOT_META_MAX];
    int nmeta;
    int lines; /* lines drawn per series (columns after x), 1 when 0 */
    int nfam;  /* families of series (plot_series_t.family), 1 when 0 */
    bool oom;  /* an allocation failed: writing the set fails */
} plot_set_t;

/* The index of the series with key, or -1. */
int plot_set_find(const plot_set_t *s, const char *key);
/* The index of the series with key, added (with its header line and file
 * prefix) if it is new. */
int plot_set_series(plot_set_t *s, const char *key, const char *header, char prefix);
/* Puts series i in the panel named panel (a job). */
void plot_set_panel(plot_set_t *s, int i, const char *panel);
/* Replaces the header line (legend texts) of series i. */
void plot_set_header(plot_set_t *s, int i, const char *header);
/* Adds a row (printf format) to series i; its first field is its x. */
void plot_set_emit(plot_set_t *s, int i, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Sets a gnuplot variable of meta.gp: key = value (printf format). */
void plot_set_meta(plot_set_t *s, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Writes every series into dir (.dat sorted by x, or .cdf: sorted values and
 * the fraction seen, at most about 2000 points), meta.gp, and panels.gp: the
 * panels (npanels; per panel its title, files, first series, series count and
 * longest legend text) and a line style per line of every series
 * ((series - 1) * lines + line, from 1; plot_style). The series are numbered
 * panel by panel (in the order the panels first appear), by family within
 * one, and a panel with more series than plot_panel_cap is split. Returns 0,
 * or -1 with the reason in err. */
int plot_set_write(const plot_set_t *s, const char *dir, bool cdf, char *err, size_t cap);
void plot_set_free(plot_set_t *s);

/* gnuplot text of a legend: quotes, tabs and backslashes become "'". */
char *plot_clean(const char *s, char *buf, size_t cap);

#endif
