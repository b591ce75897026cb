/* plot_data.c - the data files of each plot, from h5swmr's CSV results (see
 * plot_data.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "plot_data.h"

#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plot_csv.h"
#include "plot_label.h"
#include "plot_series.h"

#define TXT 1024 /* a legend text or data row */

/* What a sweep plot works on: the rows of sweep.csv, which of them it shows
 * (sel[r]: the group of row r, NULL when left out) and their legend texts. */
typedef struct sweep_ctx {
    const plot_table_t *t;
    const char **sel;
    char **lab;
    char **pan; /* pan[r]: the panel of row r ("[job]"), all NULL when the plot has one */
    plot_set_t *s;
    char *msg;
    size_t cap;
} sweep_ctx_t;

/* Sets the reason there is nothing to plot; returns 0. */
static int nothing(char *msg, size_t cap, const char *why)
{
    snprintf(msg, cap, "%s", why);
    return 0;
}

/* The value of column col of row r, or "NaN" when it is not a number. */
static const char *num_or_nan(const plot_table_t *t, int r, const char *col)
{
    const char *v = plot_table_get(t, r, col);
    return plot_isnum(v) ? v : "NaN";
}

/* The writer mode of row r ("swmr" when the column is missing or empty). */
static const char *writer_mode(const plot_table_t *t, int r)
{
    const char *m = plot_table_get(t, r, "writer_mode");
    return *m ? m : "swmr";
}

/* ---- flushcost.csv ------------------------------------------------------- */

/* Adds row c of flushcost.csv (a number of datasets and the times of one
 * flush call) to the series of its flush call; notes the smallest count and
 * its round time as x0 and y0 (the origin of the N and N^2 lines). */
static void flushcost_row(plot_set_t *s, const plot_csv_t *c, const int *col, double *x0)
{
    const char *n = plot_csv_field(c, col[0]), *call = plot_csv_field(c, col[1]);
    const char *pd = plot_csv_field(c, col[2]), *p50 = plot_csv_field(c, col[3]);
    const char *p90 = col[4] >= 0 ? plot_csv_field(c, col[4]) : "NaN";
    if (!plot_isnum(n) || !plot_isnum(pd) || !plot_isnum(p50))
        return;
    char name[TXT], hdr[4 * TXT], a[64], b[64];
    plot_clean(plot_call_name(call), name, sizeof name);
    snprintf(hdr, sizeof hdr, "n_datasets\t%s\t%s (p50)\t%s (p90)", name, name, name);
    int i = plot_set_series(s, call, hdr, 's');
    double ms = plot_num(p50) / 1000;
    plot_set_emit(s, i, "%s\t%s\t%s\t%s", n, pd, plot_fmt(ms, a, sizeof a),
                  plot_isnum(p90) ? plot_fmt(plot_num(p90) / 1000, b, sizeof b) : "NaN");
    plot_track(&s->x, n);
    plot_track(&s->y, pd);
    plot_track_num(&s->y2, ms);
    if (isnan(*x0) || plot_num(n) < *x0) {
        *x0 = plot_num(n);
        plot_set_meta(s, "x0", "%s", n);
        plot_set_meta(s, "y0", "%s", plot_fmt(ms, a, sizeof a));
    }
}

/* flushcost.csv: per-dataset cost and round time against the number of
 * datasets, a series per flush call. */
static int data_flushcost(const char *path, plot_set_t *s, char *msg, size_t cap)
{
    plot_csv_t c;
    if (plot_csv_open(&c, path, msg, cap) < 0)
        return -1;
    int col[5] = {plot_csv_col(&c, "n_datasets"), plot_csv_col(&c, "flush_call"), plot_csv_col(&c, "per_dataset_us"),
                  plot_csv_col(&c, "round_p50_us"), plot_csv_col(&c, "round_p90_us")};
    bool bad = false;
    double x0 = NAN;
    int rc;
    while ((rc = plot_csv_next(&c, msg, cap)) == 1) {
        if (col[0] < 0 || col[1] < 0 || col[2] < 0 || col[3] < 0)
            bad = true;
        else
            flushcost_row(s, &c, col, &x0);
    }
    plot_csv_close(&c);
    if (rc < 0)
        return -1;
    if (s->n == 0)
        return nothing(msg, cap,
                       bad ? "flushcost.csv: needs columns n_datasets, flush_call, per_dataset_us, round_p50_us"
                           : "flushcost.csv: no rows");
    plot_set_meta(s, "logy2", "%d", plot_logaxis(&s->y2));
    s->lines = 2; /* flushcost_round: median and p90 */
    return s->n;
}

/* ---- lag logs ------------------------------------------------------------ */

/* A lag in nanoseconds (the text of a number) as microseconds, exactly when
 * it is an integer; *us gets its value. */
static const char *ns_to_us(const char *ns, char *buf, size_t cap, double *us)
{
    const char *p = ns + strspn(ns, " \t");
    bool neg = *p == '-';
    p += *p == '-' || *p == '+';
    size_t digits = strspn(p, "0123456789");
    *us = plot_num(ns) / 1000;
    if (digits == 0 || digits > 18 || p[digits + strspn(p + digits, " \t")] != '\0')
        return plot_fmt(*us, buf, cap);
    long long v = strtoll(p, NULL, 10);
    if (v % 1000 == 0) {
        snprintf(buf, cap, "%s%lld", neg && v ? "-" : "", v / 1000);
        return buf;
    }
    int n = snprintf(buf, cap, "%s%lld.%03lld", neg ? "-" : "", v / 1000, v % 1000);
    while (n > 0 && n < (int)cap && buf[n - 1] == '0')
        buf[--n] = '\0';
    return buf;
}

/* "lag_busy.csv" -> "busy": a lag log's name without lag_ and .csv. */
static void lag_stem(const char *path, char *stem, size_t cap)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (!strncmp(base, "lag_", 4))
        base += 4;
    snprintf(stem, cap, "%s", base);
    size_t n = strlen(stem);
    if (n >= 4 && !strcmp(stem + n - 4, ".csv"))
        stem[n - 4] = '\0';
}

/* The legend of the lag distribution of configuration key: "config 3: desc"
 * (desc: with its job, or plain without it). */
static void lag_header(const char *key, const char *desc, char *hdr, size_t cap)
{
    char lab[3 * TXT], clean[3 * TXT];
    bool number = *key && key[strspn(key, "0123456789")] == '\0';
    snprintf(lab, sizeof lab, "%s%s%s%s", number ? "config " : "", key, desc ? ": " : "", desc ? desc : "");
    snprintf(hdr, cap, "lag_us\t%s", plot_clean(lab, clean, sizeof clean));
}

/* The series of configuration key (added with its legend if new). */
static int lag_series(plot_set_t *s, const char *key, const plot_desc_t *desc)
{
    int i = plot_set_find(s, key);
    if (i >= 0)
        return i;
    char hdr[3 * TXT + 16];
    lag_header(key, plot_desc_get(desc, key), hdr, sizeof hdr);
    return plot_set_series(s, key, hdr, 's');
}

/* Adds the lags of one lag log to the series of their configurations (the
 * config column, else the file's name). Sets *bad when it has no lag column
 * but rows. Returns 0, or -1 when it cannot be read. */
static int lag_file(const char *path, plot_set_t *s, const plot_desc_t *desc, bool *bad, char *msg, size_t cap)
{
    plot_csv_t c;
    char stem[TXT], buf[64];
    if (plot_csv_open(&c, path, msg, cap) < 0)
        return -1;
    lag_stem(path, stem, sizeof stem);
    int cfg = plot_csv_col(&c, "config"), ns = plot_csv_col(&c, "lag_ns"), us = plot_csv_col(&c, "lag_us");
    int rc;
    while ((rc = plot_csv_next(&c, msg, cap)) == 1) {
        if (ns < 0 && us < 0) {
            *bad = true;
            continue;
        }
        const char *v = plot_csv_field(&c, ns >= 0 ? ns : us);
        if (!plot_isnum(v))
            continue;
        double lag = plot_num(v);
        if (ns >= 0)
            v = ns_to_us(v, buf, sizeof buf, &lag);
        const char *key = cfg >= 0 && *plot_csv_field(&c, cfg) ? plot_csv_field(&c, cfg) : stem;
        plot_set_emit(s, lag_series(s, key, desc), "%s", v);
        plot_track_num(&s->x, lag);
    }
    plot_csv_close(&c);
    if (rc < 0) {
        char why[TXT];
        snprintf(why, sizeof why, "%s", msg);
        snprintf(msg, cap, "%s: %s", path, why);
        return -1;
    }
    return 0;
}

/* When the lag distribution has more than PLOT_PANEL_SERIES configurations
 * from two or more jobs: puts each in its job's panel, its legend without the
 * job. */
static void lag_panels(plot_set_t *s, const plot_desc_t *desc)
{
    plot_strset_t jobs = {0};
    int njobs = 0;
    for (int i = 0; i < s->n; i++) {
        const char *job;
        plot_desc_plain(desc, s->s[i].key, &job);
        njobs += plot_strset_add(&jobs, job, i) == i;
    }
    plot_strset_free(&jobs);
    if (s->n <= PLOT_PANEL_SERIES || njobs < 2)
        return;
    char hdr[3 * TXT + 16], title[TXT];
    for (int i = 0; i < s->n; i++) {
        const char *job, *plain = plot_desc_plain(desc, s->s[i].key, &job);
        lag_header(s->s[i].key, plain && *plain ? plain : NULL, hdr, sizeof hdr);
        plot_set_header(s, i, hdr);
        snprintf(title, sizeof title, *job ? "[%s]" : "%s", *job ? job : "(no job)");
        plot_set_panel(s, i, title);
    }
}

/* lag_*.csv: the distribution of the visibility lag, a series per
 * configuration, described from sweep.csv when there is one; one panel per
 * job when there are many. */
static int data_lagcdf(const char *const *files, int nfiles, const char *sweep, plot_set_t *s, char *msg, size_t cap)
{
    plot_desc_t desc = {0};
    if (sweep)
        plot_desc_load(&desc, sweep);
    bool bad = false;
    int rc = 0;
    for (int i = 0; i < nfiles && rc == 0; i++)
        rc = lag_file(files[i], s, &desc, &bad, msg, cap);
    if (rc == 0)
        lag_panels(s, &desc);
    plot_desc_free(&desc);
    if (rc < 0)
        return -1;
    if (s->n == 0)
        return nothing(msg, cap,
                       bad ? "lag files: needs a lag_ns (or lag_us) column" : "lag files: no rows with a lag value");
    plot_set_meta(s, "nonpos", "%d", s->x.nonpos ? 1 : 0);
    /* log x even with lags <= 0 (they stay left of the axis): the modes span decades */
    s->x.nonpos = false;
    return s->n;
}

/* ---- lag by reader kind --------------------------------------------------- */

/* A configuration of sweep.csv in the reader-kind plot: its reader kind (the
 * reader_kind column), or the bare HDF5 reader loop (reader_mode bare). */
typedef struct kind_cfg {
    const char *cfg, *kind, *desc; /* desc: from plot_desc, "" when none */
    const char *run_dir;           /* bare-reader rows: where its lag logs are */
    bool bare, has_events;
    int series;
    char *group; /* "b" or "s\x1fKIND": the entries pooled when their descriptions agree */
} kind_cfg_t;

typedef struct kind_ctx {
    kind_cfg_t *c;
    int n;
    plot_strset_t by_cfg; /* the non-bare entries by configuration */
    plot_set_t *s;
    char *msg;
    size_t cap;
} kind_ctx_t;

/* The entry of the non-bare configuration cfg, or NULL. */
static kind_cfg_t *kind_find(const kind_ctx_t *k, const char *cfg)
{
    int i = plot_strset_get(&k->by_cfg, cfg);
    return i >= 0 ? &k->c[i] : NULL;
}

/* A reader kind in words: "h5py readers", "mixed readers: h5swmr + h5py". */
static void kind_words(const char *kind, char *buf, size_t cap)
{
    if (!strchr(kind, ',')) {
        snprintf(buf, cap, "%s readers", kind);
        return;
    }
    size_t n = (size_t)snprintf(buf, cap, "mixed readers: ");
    for (const char *p = kind; *p && n + 4 < cap; p++) {
        if (*p == ',')
            n += (size_t)snprintf(buf + n, cap - n, " + ");
        else if (*p != ' ')
            buf[n++] = *p, buf[n] = '\0';
    }
}

/* Reads the lags of lag log path: rows whose configuration (the config
 * column) is a non-bare entry with events go to that entry's series, or
 * (mark) only mark the entry as having events; with fixed >= 0 every row
 * goes to series fixed. Returns 0, or -1 when the file cannot be read. */
static int kind_lags(kind_ctx_t *k, const char *path, bool mark, int fixed)
{
    plot_csv_t c;
    char buf[64];
    if (plot_csv_open(&c, path, k->msg, k->cap) < 0)
        return -1;
    int cfg = plot_csv_col(&c, "config"), ns = plot_csv_col(&c, "lag_ns"), us = plot_csv_col(&c, "lag_us");
    int rc;
    while ((rc = plot_csv_next(&c, k->msg, k->cap)) == 1) {
        if (ns < 0 && us < 0)
            break;
        const char *v = plot_csv_field(&c, ns >= 0 ? ns : us);
        if (!plot_isnum(v))
            continue;
        int i = fixed;
        if (fixed < 0) {
            kind_cfg_t *e = cfg >= 0 ? kind_find(k, plot_csv_field(&c, cfg)) : NULL;
            if (!e)
                continue;
            if (mark) {
                e->has_events = true;
                continue;
            }
            if ((i = e->series) < 0)
                continue;
        }
        double lag = plot_num(v);
        if (ns >= 0)
            v = ns_to_us(v, buf, sizeof buf, &lag);
        plot_set_emit(k->s, i, "%s", v);
        plot_track_num(&k->s->x, lag);
    }
    plot_csv_close(&c);
    if (rc < 0) {
        char why[TXT];
        snprintf(why, sizeof why, "%s", k->msg);
        snprintf(k->msg, k->cap, "%s: %s", path, why);
        return -1;
    }
    return 0;
}

/* What kind_assign knows of a group of entries (kind_cfg_t.group) with
 * events: whether their descriptions all agree, how many configurations. */
typedef struct kind_group {
    const char *desc;
    bool same;
    int count;
} kind_group_t;

/* Gives every entry with events a series: one per kind when the kind's
 * configurations differ in nothing else, else one per kind and description.
 * The groups and their configurations are found with hash sets: linear in
 * the entries. Returns 0, or -1 when out of memory. */
static int kind_assign(kind_ctx_t *k)
{
    char words[TXT], lab[3 * TXT], cl[3 * TXT], hdr[3 * TXT + 16], key[3 * TXT];
    plot_strset_t groups = {0}, cfgs = {0};
    kind_group_t *g = calloc(k->n ? (size_t)k->n : 1, sizeof *g);
    char **gcfg = calloc(k->n ? (size_t)k->n : 1, sizeof *gcfg);
    int *gi = calloc(k->n ? (size_t)k->n : 1, sizeof *gi), rc = g && gcfg && gi ? 0 : -1;
    for (int i = 0; rc == 0 && i < k->n; i++) {
        kind_cfg_t *e = &k->c[i];
        if (!e->has_events)
            continue;
        gi[i] = plot_strset_add(&groups, e->group, i);
        /* a configuration counted already (another repeat) is not counted again */
        if (gi[i] < 0 || asprintf(&gcfg[i], "%s\x1f%s", e->group, e->cfg) < 0) {
            gcfg[i] = NULL;
            rc = -1;
            break;
        }
        int c = plot_strset_add(&cfgs, gcfg[i], i);
        kind_group_t *gr = &g[gi[i]];
        if (gi[i] == i)
            *gr = (kind_group_t){.desc = e->desc, .same = true};
        gr->same = gr->same && !strcmp(gr->desc, e->desc);
        gr->count += c == i;
        rc = c < 0 ? -1 : 0;
    }
    for (int i = 0; rc == 0 && i < k->n; i++) {
        kind_cfg_t *e = &k->c[i];
        e->series = -1;
        if (!e->has_events)
            continue;
        bool pooled = g[gi[i]].same;
        int count = g[gi[i]].count;
        if (e->bare)
            snprintf(words, sizeof words, "bare HDF5 reader");
        else
            kind_words(e->kind, words, sizeof words);
        snprintf(key, sizeof key, "%c\034%s\034%s", e->bare ? 'b' : 's', e->bare ? "" : e->kind, pooled ? "" : e->desc);
        if (pooled && count > 1)
            snprintf(lab, sizeof lab, "%s (%d configurations pooled)", words, count);
        else if (pooled)
            snprintf(lab, sizeof lab, "%s (config %s)", words, e->cfg);
        else
            snprintf(lab, sizeof lab, "%s: %s", words, *e->desc ? e->desc : e->cfg);
        snprintf(hdr, sizeof hdr, "lag_us\t%s", plot_clean(lab, cl, sizeof cl));
        e->series = plot_set_series(k->s, key, hdr, e->bare ? 'b' : 's');
        if (e->bare && e->series >= 0)
            k->s->s[e->series].family = 1; /* dashed: the floor */
    }
    for (int i = 0; gcfg && i < k->n; i++)
        free(gcfg[i]);
    free(gcfg);
    free(gi);
    free(g);
    plot_strset_free(&groups);
    plot_strset_free(&cfgs);
    return rc;
}

/* The directory of a bare-reader run: run_dir as recorded, or one of its
 * name in the results directory (results moved since); "" when neither is. */
static void kind_run_dir(const char *run_dir, const char *results, char *out, size_t cap)
{
    struct stat st;
    out[0] = '\0';
    if (!*run_dir)
        return;
    if (stat(run_dir, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(out, cap, "%s", run_dir);
        return;
    }
    const char *base = strrchr(run_dir, '/');
    base = base ? base + 1 : run_dir;
    if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
        return;
    snprintf(out, cap, "%s/%s", results, base);
    if (stat(out, &st) != 0 || !S_ISDIR(st.st_mode))
        out[0] = '\0';
}

/* Calls kind_lags on every regular file lag_*.csv in dir (sorted). */
static int kind_dir_lags(kind_ctx_t *k, const char *dir, bool mark, int fixed, bool *any)
{
    struct dirent **ents = NULL;
    int n = scandir(dir, &ents, NULL, alphasort), rc = 0;
    for (int i = 0; i < n; i++) {
        const char *nm = ents[i]->d_name;
        size_t len = strlen(nm);
        char path[PATH_MAX + 512];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, nm);
        if (rc == 0 && len >= 8 && !strncmp(nm, "lag_", 4) && !strcmp(nm + len - 4, ".csv") && lstat(path, &st) == 0 &&
            S_ISREG(st.st_mode)) {
            *any = true;
            if (!mark)
                rc = kind_lags(k, path, false, fixed);
        }
        free(ents[i]);
    }
    free(ents);
    return rc;
}

/* Marks, in cmp[f] for the first row f of each job, whether the job
 * compares reader kinds: two of its (non-bare) rows differ in reader_kind.
 * Only such jobs are plotted by kind, so that no other axis (poll interval,
 * flush interval) passes as a kind's difference. Without a job column, the
 * whole sweep is one job. first[r] gets the first row of row r's job.
 * Returns 0, or -1 when out of memory. */
static int jobs_comparing_kinds(const plot_table_t *t, int *first, bool *cmp)
{
    plot_strset_t jobs = {0};
    const char **kind = calloc(t->nrows ? (size_t)t->nrows : 1, sizeof *kind); /* the job's first kind */
    int rc = kind ? 0 : -1;
    for (int r = 0; rc == 0 && r < t->nrows; r++) {
        int f = first[r] = plot_strset_add(&jobs, plot_table_get(t, r, "job"), r);
        const char *k = plot_table_get(t, r, "reader_kind");
        if (f < 0)
            rc = -1;
        else if (*k && strcmp(plot_table_get(t, r, "reader_mode"), "bare")) {
            if (!kind[f])
                kind[f] = k;
            else if (strcmp(kind[f], k))
                cmp[f] = true;
        }
    }
    free(kind);
    plot_strset_free(&jobs);
    return rc;
}

/* lag_events.csv with sweep.csv's reader_kind: the lag distribution of each
 * reader kind in the jobs that compare kinds, and of the bare HDF5 reader loop (reader_mode bare, whose lag
 * logs are in its run directory) when they are there. */
static int data_readerkind(const char *events, const char *sweep, plot_set_t *s, char *msg, size_t cap)
{
    plot_table_t t;
    if (plot_table_load(&t, sweep, msg, cap) < 0)
        return -1;
    plot_desc_t desc = {0};
    plot_desc_load(&desc, sweep);
    size_t nr = t.nrows ? (size_t)t.nrows : 1;
    kind_ctx_t k = {.c = calloc(nr, sizeof *k.c), .s = s, .msg = msg, .cap = cap};
    s->nfam = 2; /* the kinds, and the bare HDF5 reader */
    int *jfirst = calloc(nr, sizeof *jfirst);
    bool *jcmp = calloc(nr, sizeof *jcmp);
    plot_strset_t bare_runs = {0}, kinds_seen = {0};
    char **bare_key = calloc(nr, sizeof *bare_key);
    char results[PATH_MAX], dirbuf[PATH_MAX + 512], kinds[TXT] = "";
    snprintf(results, sizeof results, "%s", sweep);
    char *slash = strrchr(results, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(results, sizeof results, ".");
    int rc = 1, nkinds = 0; /* 1: going on, 0: nothing to plot, -1: failed */
    if (!k.c || !jfirst || !jcmp || !bare_key || jobs_comparing_kinds(&t, jfirst, jcmp) < 0) {
        snprintf(msg, cap, "out of memory");
        rc = -1;
    } else if (!plot_table_has(&t, "reader_kind") || !plot_table_has(&t, "config"))
        rc = nothing(msg, cap, "sweep.csv has no reader_kind or config column");
    for (int r = 0; rc > 0 && r < t.nrows; r++) {
        const char *cfg = plot_table_get(&t, r, "config"), *kind = plot_table_get(&t, r, "reader_kind");
        bool bare = !strcmp(plot_table_get(&t, r, "reader_mode"), "bare");
        if (!*cfg || (!bare && (!*kind || kind_find(&k, cfg))) || !jcmp[jfirst[r]])
            continue;
        /* a bare-reader run seen already */
        if (bare && asprintf(&bare_key[r], "%s\x1f%s", cfg, plot_table_get(&t, r, "run_dir")) < 0) {
            bare_key[r] = NULL;
            rc = -1;
            break;
        }
        int seen = bare ? plot_strset_add(&bare_runs, bare_key[r], r) : r;
        if (seen != r) {
            rc = seen < 0 ? -1 : rc;
            continue;
        }
        const char *d = plot_desc_get(&desc, cfg);
        kind_cfg_t *e = &k.c[k.n];
        *e = (kind_cfg_t){.cfg = cfg,
                          .kind = kind,
                          .desc = d ? d : "",
                          .run_dir = plot_table_get(&t, r, "run_dir"),
                          .bare = bare,
                          .series = -1};
        if ((!bare && plot_strset_add(&k.by_cfg, cfg, k.n) != k.n) ||
            asprintf(&e->group, "%s%s", bare ? "b" : "s\x1f", bare ? "" : kind) < 0) {
            e->group = NULL;
            rc = -1;
            break;
        }
        k.n++;
    }
    if (rc < 0 && !*msg)
        snprintf(msg, cap, "out of memory");
    if (rc > 0 && kind_lags(&k, events, true, -1) < 0)
        rc = -1;
    /* reader kinds with lag events */
    for (int i = 0; rc > 0 && i < k.n; i++) {
        const kind_cfg_t *e = &k.c[i];
        if (e->bare || !e->has_events || plot_strset_add(&kinds_seen, e->kind, i) != i)
            continue; /* (a kind seen already) */
        size_t len = strlen(kinds);
        snprintf(kinds + len, sizeof kinds - len, "%s%s", nkinds ? "; " : "", e->kind);
        nkinds++;
    }
    if (rc > 0 && nkinds < 2) {
        char why[2 * TXT];
        snprintf(why, sizeof why, "lag_events.csv has lag events of %s reader kind%s%s (reader_kind in sweep.csv)",
                 nkinds ? "one" : "no", nkinds ? ": " : "", kinds);
        rc = nothing(msg, cap, why);
    }
    /* the bare reader's runs with lag logs */
    for (int i = 0; rc > 0 && i < k.n; i++) {
        kind_cfg_t *e = &k.c[i];
        bool any = false;
        kind_run_dir(e->run_dir, results, dirbuf, sizeof dirbuf);
        if (e->bare && *dirbuf && kind_dir_lags(&k, dirbuf, true, -1, &any) == 0)
            e->has_events = any;
    }
    if (rc > 0 && kind_assign(&k) < 0) {
        snprintf(msg, cap, "out of memory");
        rc = -1;
    }
    if (rc > 0 && kind_lags(&k, events, false, -1) < 0)
        rc = -1;
    for (int i = 0; rc > 0 && i < k.n; i++) {
        kind_cfg_t *e = &k.c[i];
        bool any = false;
        if (!e->bare || e->series < 0)
            continue;
        kind_run_dir(e->run_dir, results, dirbuf, sizeof dirbuf);
        if (kind_dir_lags(&k, dirbuf, false, e->series, &any) < 0)
            rc = -1;
    }
    if (rc > 0) {
        rc = s->n;
        plot_set_meta(s, "nonpos", "%d", s->x.nonpos ? 1 : 0);
        s->x.nonpos = false;
    }
    for (int i = 0; k.c && i < k.n; i++)
        free(k.c[i].group);
    for (size_t r = 0; bare_key && r < nr; r++)
        free(bare_key[r]);
    free(bare_key);
    free(k.c);
    free(jfirst);
    free(jcmp);
    plot_strset_free(&k.by_cfg);
    plot_strset_free(&bare_runs);
    plot_strset_free(&kinds_seen);
    plot_desc_free(&desc);
    plot_table_free(&t);
    return rc;
}

/* ---- sweep.csv ----------------------------------------------------------- */

/* Whether the selected rows make more than PLOT_PANEL_SERIES series (group
 * and legend text) and come from two or more jobs: then the plot is drawn
 * one panel per job. */
static bool sweep_wants_panels(const sweep_ctx_t *x)
{
    plot_strset_t series = {0}, jobs = {0};
    char **key = calloc(x->t->nrows ? (size_t)x->t->nrows : 1, sizeof *key);
    int nseries = 0, njobs = 0;
    for (int r = 0; key && r < x->t->nrows; r++) {
        if (!x->sel[r] || asprintf(&key[r], "%s\034%s", x->sel[r], x->lab[r] ? x->lab[r] : "") < 0) {
            key[r] = NULL;
            continue;
        }
        nseries += plot_strset_add(&series, key[r], r) == r;
        njobs += plot_strset_add(&jobs, plot_table_get(x->t, r, "job"), r) == r;
    }
    for (int r = 0; key && r < x->t->nrows; r++)
        free(key[r]);
    free(key);
    plot_strset_free(&series);
    plot_strset_free(&jobs);
    return nseries > PLOT_PANEL_SERIES && njobs >= 2;
}

/* When the plot wants panels (sweep_wants_panels): gives every selected row
 * its panel pan[r] ("[job]") and a legend text that describes it within its
 * job and group: start (the group in words when mode_start, e.g. "SWMR"),
 * then each parameter of others that varies inside the job. Returns 0, or -1
 * when out of memory. */
static int sweep_panels(sweep_ctx_t *x, const char *const *others, bool mode_start)
{
    const plot_table_t *t = x->t;
    if (!sweep_wants_panels(x))
        return 0;
    char **gsel = calloc(t->nrows ? (size_t)t->nrows : 1, sizeof *gsel);
    plot_strset_t groups = {0};
    int rc = gsel ? 0 : -1;
    for (int r = 0; rc == 0 && r < t->nrows; r++) {
        if (!x->sel[r])
            continue;
        const char *job = plot_table_get(t, r, "job");
        if (asprintf(&gsel[r], "%s\x1f%s", job, x->sel[r]) < 0 ||
            asprintf(&x->pan[r], *job ? "[%s]" : "%s", *job ? job : "(no job)") < 0) {
            gsel[r] = x->pan[r] = NULL;
            rc = -1;
        }
    }
    for (int r = 0; rc == 0 && r < t->nrows; r++) {
        if (!gsel[r])
            continue;
        int first = plot_strset_add(&groups, gsel[r], r);
        if (first < 0 || (first == r && plot_label_rows(t, (const char *const *)gsel, gsel[r], others,
                                                        mode_start ? plot_mode_name(x->sel[r]) : "", x->lab) < 0))
            rc = -1;
    }
    for (int r = 0; gsel && r < t->nrows; r++)
        free(gsel[r]);
    free(gsel);
    plot_strset_free(&groups);
    return rc;
}

/* The series of row r: key in its panel (pan[r]), with its header line and
 * file prefix when new. */
static int sweep_series(sweep_ctx_t *x, int r, const char *key, const char *hdr, char prefix)
{
    char pkey[4 * TXT];
    snprintf(pkey, sizeof pkey, "%s\034%s", x->pan[r] ? x->pan[r] : "", key);
    int i = plot_set_series(x->s, pkey, hdr, prefix);
    if (i >= 0 && x->pan[r] && x->s->s[i].n == 0)
        plot_set_panel(x->s, i, x->pan[r]);
    return i;
}

/* How many different values column col takes in the selected rows; *any_pos
 * tells whether one of them is a number > 0. */
static int distinct_values(const sweep_ctx_t *x, const char *col, bool *any_pos)
{
    int n = 0;
    plot_strset_t seen = {0};
    *any_pos = false;
    for (int r = 0; r < x->t->nrows; r++) {
        if (!x->sel[r])
            continue;
        const char *v = plot_table_get(x->t, r, col);
        n += plot_strset_add(&seen, v, r) == r; /* a value not seen before (or out of memory) */
        *any_pos |= plot_num(v) > 0;
    }
    plot_strset_free(&seen);
    return n;
}

/* The flush interval column lag_vs_flush puts on x: the one the sweep varied
 * more (flush_every_ms on a tie if it was used), or the one there is; NULL
 * when there is neither. */
static const char *lagflush_xcol(const sweep_ctx_t *x)
{
    bool anyms, anybl;
    int nms = distinct_values(x, "flush_every_ms", &anyms), nbl = distinct_values(x, "flush_every_blocks", &anybl);
    const char *xcol = (nms > nbl || (nms == nbl && anyms)) ? "flush_every_ms" : "flush_every_blocks";
    if (!plot_table_has(x->t, xcol))
        xcol = !strcmp(xcol, "flush_every_ms") ? "flush_every_blocks" : "flush_every_ms";
    return plot_table_has(x->t, xcol) ? xcol : NULL;
}

/* Adds the distinct block size of row r to the list blocks ("4 KiB, 64 KiB"). */
static void add_block(const plot_table_t *t, int r, char *blocks, size_t cap)
{
    char hb[64], item[80];
    if (!plot_isnum(plot_table_get(t, r, "block_bytes")))
        return;
    plot_human_bytes(plot_num(plot_table_get(t, r, "block_bytes")), hb, sizeof hb);
    snprintf(item, sizeof item, ", %s,", hb);
    char list[TXT + 4];
    snprintf(list, sizeof list, ", %s,", blocks);
    if (strstr(list, item))
        return;
    size_t len = strlen(blocks);
    snprintf(blocks + len, cap - len, "%s%s", len ? ", " : "", hb);
}

/* sweep.csv: visibility lag p50 and p99 against the flush interval, for SWMR
 * runs with readers; a series per other parameter the sweep varied. */
static int data_lagflush(sweep_ctx_t *x)
{
    const plot_table_t *t = x->t;
    if (!plot_table_has(t, "lag_p50_us") || !plot_table_has(t, "block_samples"))
        return nothing(x->msg, x->cap, "sweep.csv has no lag_p50_us or block_samples column");
    for (int r = 0; r < t->nrows; r++)
        x->sel[r] = !strcmp(writer_mode(t, r), "swmr") && plot_isnum(plot_table_get(t, r, "lag_p50_us")) ? "use" : NULL;
    const char *xcol = lagflush_xcol(x);
    if (!xcol)
        return nothing(x->msg, x->cap, "sweep.csv has no flush_every_ms or flush_every_blocks column");
    const char *order[] = {"reader_mode", "reader_kind",    "block_samples",     "poll_ms",
                           "reader_wait", "readers",        "nchannels",         "flush_call",
                           "cork",        "flush_every_ms", "flush_every_blocks"};
    const char *others[12];
    int n = 0;
    for (size_t i = 0; i < sizeof order / sizeof *order; i++)
        if (strcmp(order[i], xcol) != 0)
            others[n++] = order[i];
    others[n] = NULL;
    if (plot_label_rows(t, x->sel, "use", others, "", x->lab) < 0 || sweep_panels(x, others, false) < 0)
        return -1;
    x->s->lines = 2;
    char blocks[TXT] = "", cl[TXT], hdr[3 * TXT];
    for (int r = 0; r < t->nrows; r++) {
        const char *xv = plot_table_get(t, r, xcol);
        if (!x->sel[r] || !plot_isnum(xv))
            continue;
        const char *l = x->lab[r] && *x->lab[r] ? x->lab[r] : "SWMR";
        plot_clean(l, cl, sizeof cl);
        snprintf(hdr, sizeof hdr, "%s\t%s\t%s p99", xcol, cl, cl);
        const char *p50 = plot_table_get(t, r, "lag_p50_us"), *p99 = num_or_nan(t, r, "lag_p99_us");
        plot_set_emit(x->s, sweep_series(x, r, l, hdr, 's'), "%s\t%s\t%s", xv, p50, p99);
        plot_track(&x->s->x, xv);
        plot_track(&x->s->y, p50);
        plot_track(&x->s->y, p99);
        add_block(t, r, blocks, sizeof blocks);
    }
    plot_set_meta(x->s, "xlab", "\"%s\"",
                  !strcmp(xcol, "flush_every_ms") ? "flush interval, ms between flushes"
                                                  : "flush interval, blocks appended per flush");
    plot_set_meta(x->s, "blocks", "\"%s\"", blocks);
    if (x->s->n == 0)
        return nothing(x->msg, x->cap, "sweep.csv has no SWMR rows with a visibility lag (runs without readers?)");
    if (x->s->nx < 2)
        return nothing(x->msg, x->cap,
                       "sweep.csv has one flush interval only (sweep flush_every_blocks or flush_every_ms for this "
                       "plot)");
    return x->s->n;
}

/* The block size of row r in KiB, as text. */
static const char *block_kib(const plot_table_t *t, int r, char *buf, size_t cap)
{
    return plot_fmt(plot_num(plot_table_get(t, r, "block_bytes")) / 1024, buf, cap);
}

/* The file prefix of a writer mode's series in throughput.gp. */
static char mode_prefix(const char *g)
{
    return !strcmp(g, "swmr") ? 'a' : !strcmp(g, "noswmr") ? 'b' : !strcmp(g, "raw") ? 'c' : 'd';
}

/* The family of a writer mode's series in throughput (its dash, plot_style):
 * SWMR solid, raw pwrite dashed, HDF5 without SWMR dash-dot, others dotted. */
static int mode_family(const char *g)
{
    return !strcmp(g, "swmr") ? 0 : !strcmp(g, "raw") ? 1 : !strcmp(g, "noswmr") ? 2 : 3;
}

/* sweep.csv: writer throughput against block size, a series per writer mode
 * (SWMR, HDF5 without SWMR, raw pwrite) and other parameter varied. */
static int data_throughput(sweep_ctx_t *x)
{
    const plot_table_t *t = x->t;
    /* io_MBps (time inside the append and flush calls) when the sweep has it:
     * what the storage path sustains, without generating the samples */
    const char *tcol = plot_table_has(t, "io_MBps") ? "io_MBps" : "writer_MBps";
    if (!plot_table_has(t, tcol) || !plot_table_has(t, "block_bytes"))
        return nothing(x->msg, x->cap, "sweep.csv has no writer_MBps or block_bytes column");
    for (int r = 0; r < t->nrows; r++)
        x->sel[r] = plot_isnum(plot_table_get(t, r, tcol)) && plot_isnum(plot_table_get(t, r, "block_bytes"))
                        ? writer_mode(t, r)
                        : NULL;
    plot_keep_jobs_varying(t, x->sel, "block_bytes");
    static const char *const others[] = {"flush_every_blocks",
                                         "flush_every_ms",
                                         "flush_call",
                                         "cork",
                                         "nchannels",
                                         "readers",
                                         "poll_ms",
                                         "reader_wait",
                                         NULL};
    plot_strset_t groups = {0};
    for (int r = 0; r < t->nrows; r++) {
        int first = x->sel[r] ? plot_strset_add(&groups, x->sel[r], r) : -1;
        if ((x->sel[r] && first < 0) ||
            (first == r && plot_label_rows(t, x->sel, x->sel[r], others, plot_mode_name(x->sel[r]), x->lab) < 0)) {
            plot_strset_free(&groups);
            return -1;
        }
    }
    plot_strset_free(&groups);
    if (sweep_panels(x, others, true) < 0)
        return -1;
    x->s->nfam = 4;
    char key[2 * TXT], cl[TXT], hdr[TXT + 16], kib[64];
    for (int r = 0; r < t->nrows; r++) {
        if (!x->sel[r])
            continue;
        snprintf(key, sizeof key, "%s\034%s", x->sel[r], x->lab[r]);
        snprintf(hdr, sizeof hdr, "block_kib\t%s", plot_clean(x->lab[r], cl, sizeof cl));
        int i = sweep_series(x, r, key, hdr, mode_prefix(x->sel[r]));
        if (i >= 0)
            x->s->s[i].family = mode_family(x->sel[r]);
        plot_set_emit(x->s, i, "%s\t%s", block_kib(t, r, kib, sizeof kib), plot_table_get(t, r, tcol));
        plot_track(&x->s->x, kib);
        plot_track(&x->s->y, plot_table_get(t, r, tcol));
    }
    if (x->s->n == 0)
        return nothing(x->msg, x->cap, "sweep.csv has no rows with writer_MBps and block_bytes");
    if (x->s->nx < 2)
        return nothing(x->msg, x->cap, "sweep.csv has one block size only (sweep block_samples for this plot)");
    return x->s->n;
}

/* Selects (as "use") the rows of HDF5 runs with a flush latency and a number
 * in column col. */
static void select_flushed(sweep_ctx_t *x, const char *col)
{
    const plot_table_t *t = x->t;
    for (int r = 0; r < t->nrows; r++) {
        const char *p50 = plot_table_get(t, r, "flush_p50_us");
        x->sel[r] = strcmp(writer_mode(t, r), "raw") != 0 && plot_isnum(p50) && plot_num(p50) > 0 &&
                            plot_isnum(plot_table_get(t, r, col))
                        ? "use"
                        : NULL;
    }
}

/* sweep.csv: flush latency p50, p90, p99 and p99.9 against block size. */
static int data_flushlat(sweep_ctx_t *x)
{
    const plot_table_t *t = x->t;
    if (!plot_table_has(t, "flush_p50_us") || !plot_table_has(t, "block_bytes"))
        return nothing(x->msg, x->cap, "sweep.csv has no flush_p50_us or block_bytes column");
    select_flushed(x, "block_bytes");
    plot_keep_jobs_varying(t, x->sel, "block_bytes");
    static const char *const others[] = {
        "writer_mode", "flush_call", "flush_every_blocks", "flush_every_ms", "cork", "nchannels", "readers", "poll_ms",
        "reader_wait", NULL};
    if (plot_label_rows(t, x->sel, "use", others, "", x->lab) < 0 || sweep_panels(x, others, false) < 0)
        return -1;
    x->s->lines = 4;
    static const char *const pc[] = {"flush_p50_us", "flush_p90_us", "flush_p99_us", "flush_p999_us"};
    char l[TXT], hdr[5 * TXT], kib[64];
    for (int r = 0; r < t->nrows; r++) {
        if (!x->sel[r])
            continue;
        plot_clean(*x->lab[r] ? x->lab[r] : "flush", l, sizeof l);
        snprintf(hdr, sizeof hdr, "block_kib\t%s\t%s p90\t%s p99\t%s p99.9", l, l, l, l);
        const char *v[4];
        for (int k = 0; k < 4; k++) {
            v[k] = num_or_nan(t, r, pc[k]);
            plot_track(&x->s->y, v[k]);
        }
        plot_set_emit(x->s, sweep_series(x, r, l, hdr, 's'), "%s\t%s\t%s\t%s\t%s", block_kib(t, r, kib, sizeof kib),
                      v[0], v[1], v[2], v[3]);
        plot_track(&x->s->x, kib);
    }
    if (x->s->n == 0)
        return nothing(x->msg, x->cap, "sweep.csv has no rows with a flush latency (flush_p50_us)");
    if (x->s->nx < 2)
        return nothing(x->msg, x->cap, "sweep.csv has one block size only (sweep block_samples for this plot)");
    return x->s->n;
}

/* Whether the selected rows have at least two different channel counts. */
static bool two_channel_counts(const sweep_ctx_t *x)
{
    bool have = false;
    double first = 0;
    for (int r = 0; r < x->t->nrows; r++) {
        if (!x->sel[r])
            continue;
        double v = plot_num(plot_table_get(x->t, r, "nchannels"));
        if (have && v != first)
            return true;
        have = true;
        first = v;
    }
    return false;
}

/* sweep.csv: flush latency p50 and p99 against the channels written per flush. */
static int data_flushchan(sweep_ctx_t *x)
{
    const plot_table_t *t = x->t;
    if (!plot_table_has(t, "flush_p50_us") || !plot_table_has(t, "nchannels"))
        return nothing(x->msg, x->cap, "sweep.csv has no flush_p50_us or nchannels column");
    select_flushed(x, "nchannels");
    plot_keep_jobs_varying(t, x->sel, "nchannels");
    if (!two_channel_counts(x))
        return nothing(x->msg, x->cap, "sweep.csv has fewer than two channel counts (nchannels)");
    static const char *const others[] = {"flush_call",     "writer_mode", "block_samples", "flush_every_blocks",
                                         "flush_every_ms", "cork",        "readers",       "poll_ms",
                                         "reader_wait",    NULL};
    if (plot_label_rows(t, x->sel, "use", others, "", x->lab) < 0 || sweep_panels(x, others, false) < 0)
        return -1;
    x->s->lines = 2;
    char cl[TXT], hdr[3 * TXT];
    for (int r = 0; r < t->nrows; r++) {
        if (!x->sel[r])
            continue;
        const char *l = *x->lab[r] ? x->lab[r] : "flush";
        plot_clean(l, cl, sizeof cl);
        snprintf(hdr, sizeof hdr, "nchannels\t%s\t%s p99", cl, cl);
        const char *n = plot_table_get(t, r, "nchannels"), *p50 = plot_table_get(t, r, "flush_p50_us");
        const char *p99 = num_or_nan(t, r, "flush_p99_us");
        plot_set_emit(x->s, sweep_series(x, r, l, hdr, 's'), "%s\t%s\t%s", n, p50, p99);
        plot_track(&x->s->x, n);
        plot_track(&x->s->y, p50);
        plot_track(&x->s->y, p99);
    }
    return x->s->n;
}

/* Runs a sweep plot's preparation on sweep.csv at path. */
static int data_sweep(plot_mode_t mode, const char *path, plot_set_t *s, char *msg, size_t cap)
{
    plot_table_t t;
    if (plot_table_load(&t, path, msg, cap) < 0)
        return -1;
    size_t n = t.nrows ? (size_t)t.nrows : 1;
    sweep_ctx_t x = {.t = &t,
                     .sel = calloc(n, sizeof *x.sel),
                     .lab = calloc(n, sizeof *x.lab),
                     .pan = calloc(n, sizeof *x.pan),
                     .s = s,
                     .msg = msg,
                     .cap = cap};
    int rc = -1;
    if (!x.sel || !x.lab || !x.pan)
        snprintf(msg, cap, "out of memory");
    else if (mode == PLOT_LAGFLUSH)
        rc = data_lagflush(&x);
    else if (mode == PLOT_THROUGHPUT)
        rc = data_throughput(&x);
    else if (mode == PLOT_FLUSHLAT)
        rc = data_flushlat(&x);
    else
        rc = data_flushchan(&x);
    if (rc < 0 && x.sel && x.lab && x.pan)
        snprintf(msg, cap, "out of memory");
    for (int r = 0; x.lab && r < t.nrows; r++)
        free(x.lab[r]);
    for (int r = 0; x.pan && r < t.nrows; r++)
        free(x.pan[r]);
    free(x.lab);
    free(x.pan);
    free((void *)x.sel);
    plot_table_free(&t);
    return rc;
}

int plot_data_prepare(plot_mode_t mode, const char *const *files, int nfiles, const char *sweep, const char *dir,
                      char *msg, size_t cap)
{
    plot_set_t s = {.count_x = mode != PLOT_LAGCDF && mode != PLOT_READERKIND};
    int n;
    msg[0] = '\0';
    if (mode == PLOT_LAGCDF)
        n = data_lagcdf(files, nfiles, sweep, &s, msg, cap);
    else if (mode == PLOT_READERKIND)
        n = nfiles == 1 && sweep ? data_readerkind(files[0], sweep, &s, msg, cap)
                                 : nothing(msg, cap, "lag_events.csv and sweep.csv expected");
    else if (nfiles != 1)
        n = nothing(msg, cap, "one CSV file expected");
    else if (mode == PLOT_FLUSHCOST)
        n = data_flushcost(files[0], &s, msg, cap);
    else
        n = data_sweep(mode, files[0], &s, msg, cap);
    if (n > 0) {
        plot_set_meta(&s, "logx", "%d", plot_logaxis(&s.x));
        plot_set_meta(&s, "logy", "%d", plot_logaxis(&s.y));
        if (plot_set_write(&s, dir, mode == PLOT_LAGCDF || mode == PLOT_READERKIND, msg, cap) < 0)
            n = -1;
    }
    plot_set_free(&s);
    return n;
}
