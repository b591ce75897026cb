/* plot_series.c - collecting and writing the data files of a plot (see
 * plot_series.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "plot_series.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The length of the decimal number at the start of s (sign, digits,
 * fraction, exponent), 0 if there is none. */
static size_t num_prefix(const char *s)
{
    size_t i = 0, digits = 0;
    if (s[i] == '+' || s[i] == '-')
        i++;
    for (; s[i] >= '0' && s[i] <= '9'; i++)
        digits++;
    if (s[i] == '.')
        for (i++; s[i] >= '0' && s[i] <= '9'; i++)
            digits++;
    if (!digits)
        return 0;
    if (s[i] == 'e' || s[i] == 'E') {
        size_t j = i + 1;
        if (s[j] == '+' || s[j] == '-')
            j++;
        if (s[j] >= '0' && s[j] <= '9') {
            while (s[j] >= '0' && s[j] <= '9')
                j++;
            i = j;
        }
    }
    return i;
}

bool plot_isnum(const char *s)
{
    s += strspn(s, " \t");
    size_t n = num_prefix(s);
    return n > 0 && s[n + strspn(s + n, " \t")] == '\0';
}

double plot_num(const char *s)
{
    s += strspn(s, " \t\n\r\f\v");
    size_t n = num_prefix(s);
    char buf[128];
    if (!n || n >= sizeof buf)
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return strtod(buf, NULL);
}

const char *plot_fmt(double v, char *buf, size_t cap)
{
    if (isfinite(v) && v == floor(v) && fabs(v) < 1e15)
        snprintf(buf, cap, "%.0f", v);
    else
        snprintf(buf, cap, "%.6g", v);
    return buf;
}

void plot_track_num(plot_range_t *r, double v)
{
    if (v > 0 && (!r->has_min || v < r->min)) {
        r->min = v;
        r->has_min = true;
    }
    if (!r->has_max || v > r->max) {
        r->max = v;
        r->has_max = true;
    }
    if (v <= 0)
        r->nonpos = true;
}

void plot_track(plot_range_t *r, const char *v)
{
    if (plot_isnum(v))
        plot_track_num(r, plot_num(v));
}

bool plot_logaxis(const plot_range_t *r)
{
    if (r->nonpos || !r->has_min)
        return false;
    return r->max / r->min >= 8;
}

char *plot_clean(const char *s, char *buf, size_t cap)
{
    size_t i = 0;
    for (; s[i] && i + 1 < cap; i++)
        buf[i] = (s[i] == '"' || s[i] == '\t' || s[i] == '\\') ? '\'' : s[i];
    buf[i] = '\0';
    return buf;
}

/* FNV-1a of s. */
static size_t strset_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return (size_t)h;
}

/* The slot of key in h (its own, or the empty one where it would go). */
static size_t strset_slot(const plot_strset_t *h, const char *key)
{
    size_t i = strset_hash(key) & (h->cap - 1);
    while (h->key[i] && strcmp(h->key[i], key))
        i = (i + 1) & (h->cap - 1);
    return i;
}

int plot_strset_get(const plot_strset_t *h, const char *key)
{
    if (!h->cap)
        return -1;
    size_t i = strset_slot(h, key);
    return h->key[i] ? h->id[i] : -1;
}

int plot_strset_add(plot_strset_t *h, const char *key, int id)
{
    if (2 * (h->n + 1) > h->cap) { /* at most half full */
        plot_strset_t g = {.cap = h->cap ? 2 * h->cap : 64};
        g.key = calloc(g.cap, sizeof *g.key);
        g.id = calloc(g.cap, sizeof *g.id);
        if (!g.key || !g.id) {
            plot_strset_free(&g);
            return -1;
        }
        for (size_t k = 0; k < h->cap; k++)
            if (h->key[k]) {
                size_t i = strset_slot(&g, h->key[k]);
                g.key[i] = h->key[k];
                g.id[i] = h->id[k];
            }
        g.n = h->n;
        plot_strset_free(h);
        *h = g;
    }
    size_t i = strset_slot(h, key);
    if (!h->key[i]) {
        h->key[i] = key;
        h->id[i] = id;
        h->n++;
    }
    return h->id[i];
}

void plot_strset_free(plot_strset_t *h)
{
    free(h->key);
    free(h->id);
    memset(h, 0, sizeof *h);
}

int plot_set_find(const plot_set_t *s, const char *key)
{
    return plot_strset_get(&s->index, key);
}

int plot_set_series(plot_set_t *s, const char *key, const char *header, char prefix)
{
    int i = plot_set_find(s, key);
    if (i >= 0)
        return i;
    if (s->n == s->cap) {
        int ncap = s->cap ? 2 * s->cap : 8;
        plot_series_t *ns = realloc(s->s, (size_t)ncap * sizeof *ns);
        if (!ns) {
            s->oom = true;
            return -1;
        }
        s->s = ns;
        s->cap = ncap;
    }
    plot_series_t *p = &s->s[s->n];
    memset(p, 0, sizeof *p);
    p->key = strdup(key);
    p->header = strdup(header);
    p->prefix = prefix;
    if (!p->key || !p->header || plot_strset_add(&s->index, p->key, s->n) != s->n) {
        free(p->key);
        free(p->header);
        s->oom = true;
        return -1;
    }
    return s->n++;
}

/* Counts x (the text of a row's first field) among the distinct x values. */
static void set_count_x(plot_set_t *s, const char *row)
{
    size_t len = strcspn(row, "\t");
    char *x = strndup(row, len);
    if (!x) {
        s->oom = true;
        return;
    }
    int had = plot_strset_get(&s->xindex, x);
    if (had >= 0) {
        free(x);
        return;
    }
    if (s->nx == s->nx_cap) {
        int ncap = s->nx_cap ? 2 * s->nx_cap : 16;
        char **nx = realloc(s->xseen, (size_t)ncap * sizeof *nx);
        if (!nx) {
            free(x);
            s->oom = true;
            return;
        }
        s->xseen = nx;
        s->nx_cap = ncap;
    }
    if (plot_strset_add(&s->xindex, x, s->nx) != s->nx) {
        free(x);
        s->oom = true;
        return;
    }
    s->xseen[s->nx++] = x;
}

void plot_set_emit(plot_set_t *s, int i, const char *fmt, ...)
{
    if (i < 0 || i >= s->n)
        return;
    plot_series_t *p = &s->s[i];
    if (p->n == p->cap) {
        size_t ncap = p->cap ? 2 * p->cap : 64;
        plot_line_t *nl = realloc(p->line, ncap * sizeof *nl);
        if (!nl) {
            s->oom = true;
            return;
        }
        p->line = nl;
        p->cap = ncap;
    }
    char *text;
    va_list ap;
    va_start(ap, fmt);
    int rc = vasprintf(&text, fmt, ap);
    va_end(ap);
    if (rc < 0) {
        s->oom = true;
        return;
    }
    p->line[p->n].text = text;
    p->line[p->n].x = strtod(text, NULL);
    p->n++;
    if (s->count_x)
        set_count_x(s, text);
}

void plot_set_meta(plot_set_t *s, const char *key, const char *fmt, ...)
{
    char *val;
    va_list ap;
    va_start(ap, fmt);
    int rc = vasprintf(&val, fmt, ap);
    va_end(ap);
    if (rc < 0) {
        s->oom = true;
        return;
    }
    for (int i = 0; i < s->nmeta; i++)
        if (!strcmp(s->meta_key[i], key)) {
            free(s->meta_val[i]);
            s->meta_val[i] = val;
            return;
        }
    if (s->nmeta == PLOT_META_MAX || !(s->meta_key[s->nmeta] = strdup(key))) {
        free(val);
        s->oom = true;
        return;
    }
    s->meta_val[s->nmeta++] = val;
}

/* Orders rows by x, then by their text (as `sort -g -k1,1` does). */
static int line_cmp(const void *a, const void *b)
{
    const plot_line_t *x = a, *y = b;
    if (x->x < y->x)
        return -1;
    if (x->x > y->x)
        return 1;
    return strcmp(x->text, y->text);
}

/* Writes the rows of p after its header: all of them, or for a CDF each
 * value with the fraction of rows up to it (the first, the last and every
 * step-th, so that a line has about 2000 points). */
static void series_print(FILE *f, const plot_series_t *p, bool cdf)
{
    fprintf(f, "%s\n", p->header);
    size_t step = p->n / 2000 < 1 ? 1 : p->n / 2000;
    for (size_t i = 1; i <= p->n; i++) {
        const char *t = p->line[i - 1].text;
        if (!cdf)
            fprintf(f, "%s\n", t);
        else if (i == 1 || i == p->n || i % step == 0)
            fprintf(f, "%.*s\t%.6f\n", (int)strcspn(t, "\t"), t, (double)i / (double)p->n);
    }
}

int plot_set_write(const plot_set_t *s, const char *dir, bool cdf, char *err, size_t cap)
{
    char path[4096];
    if (s->oom) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    for (int i = 0; i < s->n; i++) {
        plot_series_t *p = &s->s[i];
        qsort(p->line, p->n, sizeof *p->line, line_cmp);
        snprintf(path, sizeof path, "%s/%c%02d.%s", dir, p->prefix, i + 1, cdf ? "cdf" : "dat");
        FILE *f = fopen(path, "w");
        if (!f) {
            snprintf(err, cap, "%s: %s", path, strerror(errno));
            return -1;
        }
        series_print(f, p, cdf);
        if (fclose(f) != 0) {
            snprintf(err, cap, "%s: %s", path, strerror(errno));
            return -1;
        }
    }
    snprintf(path, sizeof path, "%s/meta.gp", dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        return -1;
    }
    for (int i = 0; i < s->nmeta; i++)
        fprintf(f, "%s = %s\n", s->meta_key[i], s->meta_val[i]);
    if (fclose(f) != 0) {
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

void plot_set_free(plot_set_t *s)
{
    for (int i = 0; i < s->n; i++) {
        for (size_t k = 0; k < s->s[i].n; k++)
            free(s->s[i].line[k].text);
        free(s->s[i].line);
        free(s->s[i].key);
        free(s->s[i].header);
    }
    free(s->s);
    plot_strset_free(&s->index);
    plot_strset_free(&s->xindex);
    for (int i = 0; i < s->nx; i++)
        free(s->xseen[i]);
    free(s->xseen);
    for (int i = 0; i < s->nmeta; i++) {
        free(s->meta_key[i]);
        free(s->meta_val[i]);
    }
    memset(s, 0, sizeof *s);
}
