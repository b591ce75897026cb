/* plot_label.c - legend texts of the plots (see plot_label.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "plot_label.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_series.h"

#define LABEL_MAX 2048

const char *plot_mode_name(const char *m)
{
    if (!strcmp(m, "swmr") || !*m)
        return "SWMR";
    if (!strcmp(m, "noswmr"))
        return "HDF5 without SWMR";
    if (!strcmp(m, "raw"))
        return "raw pwrite (no HDF5)";
    if (!strcmp(m, "bare"))
        return "bare HDF5 SWMR loop";
    return m;
}

const char *plot_call_name(const char *c)
{
    if (!strcmp(c, "dflush"))
        return "H5Dflush of every dataset";
    if (!strcmp(c, "fflush"))
        return "one H5Fflush per round";
    return c;
}

char *plot_human_bytes(double b, char *buf, size_t cap)
{
    if (b >= 1048576 && fmod(b, 1048576) == 0)
        snprintf(buf, cap, "%lld MiB", (long long)(b / 1048576));
    else if (b >= 1024 && fmod(b, 1024) == 0)
        snprintf(buf, cap, "%lld KiB", (long long)(b / 1024));
    else if (b >= 1048576)
        snprintf(buf, cap, "%.1f MiB", b / 1048576);
    else if (b >= 1024)
        snprintf(buf, cap, "%.1f KiB", b / 1024);
    else
        snprintf(buf, cap, "%lld B", (long long)b);
    return buf;
}

char *plot_pdesc(const char *p, const char *v, char *buf, size_t cap)
{
    if (!strcmp(p, "poll_ms"))
        plot_num(v) == 0 ? snprintf(buf, cap, "busy poll") : snprintf(buf, cap, "poll %s ms", v);
    else if (!strcmp(p, "reader_wait"))
        !strcmp(v, "inotify") ? snprintf(buf, cap, "inotify wake-up") : snprintf(buf, cap, "wait: %s", v);
    else if (!strcmp(p, "readers"))
        snprintf(buf, cap, "%s readers", v);
    else if (!strcmp(p, "nchannels"))
        snprintf(buf, cap, "%s channels", v);
    else if (!strcmp(p, "flush_call"))
        snprintf(buf, cap, "%s", !strcmp(v, "fflush") ? "H5Fflush" : !strcmp(v, "dflush") ? "H5Dflush" : v);
    else if (!strcmp(p, "cork"))
        (!strcmp(v, "true") || !strcmp(v, "1"))    ? snprintf(buf, cap, "corked")
        : (!strcmp(v, "false") || !strcmp(v, "0")) ? snprintf(buf, cap, "uncorked")
                                                   : snprintf(buf, cap, "cork %s", v);
    else if (!strcmp(p, "flush_every_ms"))
        snprintf(buf, cap, "flush every %s ms", v);
    else if (!strcmp(p, "flush_every_blocks"))
        plot_num(v) == 1 ? snprintf(buf, cap, "flush every block") : snprintf(buf, cap, "flush every %s blocks", v);
    else if (!strcmp(p, "block_samples"))
        snprintf(buf, cap, "block %s samples", v);
    else if (!strcmp(p, "writer_mode"))
        snprintf(buf, cap, "%s", plot_mode_name(v));
    else if (!strcmp(p, "job"))
        snprintf(buf, cap, "[%s]", v);
    else if (!strcmp(p, "reader_mode"))
        !strcmp(v, "bare")     ? snprintf(buf, cap, "bare HDF5 reader")
        : !strcmp(v, "h5swmr") ? snprintf(buf, cap, "h5swmr reader")
                               : snprintf(buf, cap, "reader mode %s", v);
    else if (!strcmp(p, "reader_kind"))
        snprintf(buf, cap, "%s readers", v);
    else
        snprintf(buf, cap, "%s=%s", p, v);
    return buf;
}

/* Appends ", item" (or item alone) to the label k. */
static void label_add(char *k, const char *item)
{
    size_t len = strlen(k);
    if (*item)
        snprintf(k + len, LABEL_MAX - len, "%s%s", len ? ", " : "", item);
}

/* The legend text of row r: start, then each parameter of list that varies
 * (vary[i] for list[i]), with a reader's wake-up as one item. */
static void label_of(const plot_table_t *t, int r, const char *const *list, const bool *vary, bool vary_poll,
                     const char *start, char *k)
{
    char d[LABEL_MAX];
    snprintf(k, LABEL_MAX, "%s", start);
    for (int i = 0; list[i]; i++) {
        if (!vary[i])
            continue;
        const char *p = list[i], *v = plot_table_get(t, r, p);
        plot_pdesc(p, v, d, sizeof d);
        if (!strcmp(p, "reader_wait") && strcmp(v, "inotify") != 0) {
            if (vary_poll)
                d[0] = '\0';
            else
                plot_pdesc("poll_ms", plot_table_get(t, r, "poll_ms"), d, sizeof d);
        }
        if (!strcmp(p, "poll_ms") && !strcmp(plot_table_get(t, r, "reader_wait"), "inotify"))
            d[0] = '\0';
        label_add(k, d);
    }
}

/* Whether row r is in group. */
static bool in_group(const char *const *sel, int r, const char *group)
{
    return sel[r] && !strcmp(sel[r], group);
}

/* Sets vary[i]: whether parameter list[i] (a column of t) takes more than
 * one value among the rows of group. Returns whether poll_ms varies. */
static bool label_varying(const plot_table_t *t, const char *const *sel, const char *group, const char *const *list,
                          bool *vary)
{
    bool vary_poll = false;
    for (int i = 0; list[i]; i++) {
        vary[i] = false;
        if (!plot_table_has(t, list[i]))
            continue;
        const char *first = NULL;
        for (int r = 0; r < t->nrows && !vary[i]; r++) {
            if (!in_group(sel, r, group))
                continue;
            const char *v = plot_table_get(t, r, list[i]);
            if (!first)
                first = v;
            else if (strcmp(v, first) != 0)
                vary[i] = true;
        }
        if (!strcmp(list[i], "poll_ms"))
            vary_poll = vary[i];
    }
    return vary_poll;
}

/* Whether two rows of group with different jobs have the same label: one
 * whose job differs from that of the first row with its label (rows grouped
 * by label in a hash set: linear in the rows). Out of memory, true. */
static bool label_needs_job(const plot_table_t *t, const char *const *sel, const char *group, char *const *lab)
{
    plot_strset_t first = {0};
    bool needs = false;
    for (int r = 0; r < t->nrows && !needs; r++) {
        if (!in_group(sel, r, group))
            continue;
        int f = plot_strset_add(&first, lab[r], r);
        needs = f < 0 || strcmp(plot_table_get(t, r, "job"), plot_table_get(t, f, "job")) != 0;
    }
    plot_strset_free(&first);
    return needs;
}

int plot_label_rows(const plot_table_t *t, const char *const *sel, const char *group, const char *const *list,
                    const char *start, char **lab)
{
    bool vary[64];
    int n = 0;
    while (list[n] && n < 63)
        n++;
    const char *lst[64];
    memcpy(lst, list, (size_t)n * sizeof *lst);
    lst[n] = NULL;
    bool vary_poll = label_varying(t, sel, group, lst, vary);
    char k[LABEL_MAX];
    for (int r = 0; r < t->nrows; r++) {
        if (!in_group(sel, r, group))
            continue;
        label_of(t, r, lst, vary, vary_poll, start, k);
        free(lab[r]);
        if (!(lab[r] = strdup(k)))
            return -1;
    }
    if (!label_needs_job(t, sel, group, lab))
        return 0;
    for (int r = 0; r < t->nrows; r++) {
        const char *job = plot_table_get(t, r, "job");
        if (!in_group(sel, r, group) || !*job)
            continue;
        char *nl;
        if (asprintf(&nl, "[%s] %s", job, lab[r]) < 0)
            return -1;
        free(lab[r]);
        lab[r] = nl;
    }
    return 0;
}

void plot_keep_jobs_varying(const plot_table_t *t, const char **sel, const char *col)
{
    size_t n = (size_t)t->nrows, cap = n ? n : 1;
    /* pair[r]: "job\x1fvalue" of a selected row; nval[f]: how many values
     * the job whose first selected row is f ran (hash sets: linear in rows) */
    char **pair = calloc(cap, sizeof *pair);
    int *nval = calloc(cap, sizeof *nval), *jobrow = calloc(cap, sizeof *jobrow);
    plot_strset_t jobs = {0}, pairs = {0};
    bool any = false, ok = pair && nval && jobrow;
    for (size_t r = 0; ok && r < n; r++) {
        if (!sel[r])
            continue;
        const char *job = plot_table_get(t, (int)r, "job");
        ok = asprintf(&pair[r], "%s\x1f%s", job, plot_table_get(t, (int)r, col)) >= 0;
        if (!ok) {
            pair[r] = NULL;
            break;
        }
        int j = plot_strset_add(&jobs, job, (int)r), p = plot_strset_add(&pairs, pair[r], (int)r);
        ok = j >= 0 && p >= 0;
        jobrow[r] = j;
        if (ok && p == (int)r)
            nval[j]++; /* a value new to its job */
    }
    for (size_t r = 0; ok && r < n; r++)
        any |= sel[r] && nval[jobrow[r]] >= 2;
    for (size_t r = 0; ok && r < n && any; r++)
        if (sel[r] && nval[jobrow[r]] < 2)
            sel[r] = NULL;
    for (size_t r = 0; pair && r < n; r++)
        free(pair[r]);
    free(pair);
    free(nval);
    free(jobrow);
    plot_strset_free(&jobs);
    plot_strset_free(&pairs);
}

/* Adds or replaces the description of configuration cfg: desc, of job. */
static void desc_set(plot_desc_t *d, const char *cfg, const char *desc, const char *job)
{
    char *full = NULL;
    if (*job ? asprintf(&full, "[%s] %s", job, desc) < 0 : !(full = strdup(desc)))
        return;
    char *fields[3] = {full, strdup(desc), strdup(job)};
    int i = plot_strset_get(&d->index, cfg);
    if (i < 0 && d->n == d->cap) {
        int ncap = d->cap ? 2 * d->cap : 16;
        char **arr[4] = {d->cfg, d->desc, d->plain, d->job};
        for (int k = 0; k < 4; k++) {
            char **na = realloc(arr[k], (size_t)ncap * sizeof *na);
            if (na)
                arr[k] = na;
            else
                ncap = 0;
        }
        d->cfg = arr[0], d->desc = arr[1], d->plain = arr[2], d->job = arr[3];
        if (ncap)
            d->cap = ncap;
    }
    if (!fields[1] || !fields[2] || (i < 0 && d->n == d->cap)) {
        for (int k = 0; k < 3; k++)
            free(fields[k]);
        return;
    }
    if (i >= 0) {
        free(d->desc[i]), free(d->plain[i]), free(d->job[i]);
    } else {
        char *c = strdup(cfg);
        if (!c || plot_strset_add(&d->index, c, d->n) != d->n) {
            free(c);
            for (int k = 0; k < 3; k++)
                free(fields[k]);
            return;
        }
        i = d->n++;
        d->cfg[i] = c;
    }
    d->desc[i] = fields[0], d->plain[i] = fields[1], d->job[i] = fields[2];
}

/* The description of the current row of sweep.csv c: wake-up, readers (how
 * many, of which kind), flush interval, block size (its job apart). */
static void desc_of_row(const plot_csv_t *c, char *d, size_t cap)
{
    char item[256];
    int wait = plot_csv_col(c, "reader_wait"), poll = plot_csv_col(c, "poll_ms");
    int fms = plot_csv_col(c, "flush_every_ms"), fbl = plot_csv_col(c, "flush_every_blocks");
    int bb = plot_csv_col(c, "block_bytes");
    d[0] = '\0';
    if (wait >= 0 && !strcmp(plot_csv_field(c, wait), "inotify"))
        snprintf(d, cap, "inotify wake-up");
    else if (poll >= 0)
        plot_pdesc("poll_ms", plot_csv_field(c, poll), d, cap);
    int nr = plot_csv_col(c, "readers"), kd = plot_csv_col(c, "reader_kind");
    if (nr >= 0 && plot_num(plot_csv_field(c, nr)) > 0) {
        const char *n = plot_csv_field(c, nr), *k = kd >= 0 ? plot_csv_field(c, kd) : "";
        if (!*k || !strcmp(k, "h5swmr"))
            snprintf(item, sizeof item, "%s readers", n);
        else if (strchr(k, ','))
            snprintf(item, sizeof item, "%s readers (%.100s)", n, k);
        else
            snprintf(item, sizeof item, "%s %.100s readers", n, k);
        label_add(d, item);
    }
    if (fms >= 0 && plot_num(plot_csv_field(c, fms)) > 0)
        label_add(d, plot_pdesc("flush_every_ms", plot_csv_field(c, fms), item, sizeof item));
    else if (fbl >= 0 && plot_num(plot_csv_field(c, fbl)) > 0)
        label_add(d, plot_pdesc("flush_every_blocks", plot_csv_field(c, fbl), item, sizeof item));
    if (bb >= 0 && plot_isnum(plot_csv_field(c, bb))) {
        char hb[64];
        snprintf(item, sizeof item, "block %s", plot_human_bytes(plot_num(plot_csv_field(c, bb)), hb, sizeof hb));
        label_add(d, item);
    }
}

void plot_desc_load(plot_desc_t *d, const char *path)
{
    plot_csv_t c;
    char err[256], desc[LABEL_MAX];
    memset(d, 0, sizeof *d);
    if (plot_csv_open(&c, path, err, sizeof err) < 0)
        return;
    int cfg = plot_csv_col(&c, "config"), mode = plot_csv_col(&c, "reader_mode"), job = plot_csv_col(&c, "job");
    while (cfg >= 0 && plot_csv_next(&c, err, sizeof err) == 1) {
        if (mode >= 0 && !strcmp(plot_csv_field(&c, mode), "bare"))
            continue; /* a configuration is described by its own readers' row, not the bare reader's */
        desc_of_row(&c, desc, sizeof desc);
        if (*desc || (job >= 0 && *plot_csv_field(&c, job)))
            desc_set(d, plot_csv_field(&c, cfg), desc, job >= 0 ? plot_csv_field(&c, job) : "");
    }
    plot_csv_close(&c);
}

const char *plot_desc_get(const plot_desc_t *d, const char *cfg)
{
    int i = plot_strset_get(&d->index, cfg);
    return i >= 0 ? d->desc[i] : NULL;
}

const char *plot_desc_plain(const plot_desc_t *d, const char *cfg, const char **job)
{
    int i = plot_strset_get(&d->index, cfg);
    *job = i >= 0 ? d->job[i] : "";
    return i >= 0 ? d->plain[i] : NULL;
}

void plot_desc_free(plot_desc_t *d)
{
    for (int i = 0; i < d->n; i++) {
        free(d->cfg[i]);
        free(d->desc[i]);
        free(d->plain[i]);
        free(d->job[i]);
    }
    free(d->cfg);
    free(d->desc);
    free(d->plain);
    free(d->job);
    plot_strset_free(&d->index);
    memset(d, 0, sizeof *d);
}
