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
    p->panel = strdup("");
    p->prefix = prefix;
    if (!p->key || !p->header || !p->panel || plot_strset_add(&s->index, p->key, s->n) != s->n) {
        free(p->key);
        free(p->header);
        free(p->panel);
        s->oom = true;
        return -1;
    }
    return s->n++;
}

void plot_set_panel(plot_set_t *s, int i, const char *panel)
{
    char *d = i >= 0 && i < s->n ? strdup(panel) : NULL;
    if (!d) {
        s->oom = s->oom || (i >= 0 && i < s->n);
        return;
    }
    free(s->s[i].panel);
    s->s[i].panel = d;
}

void plot_set_header(plot_set_t *s, int i, const char *header)
{
    char *d = i >= 0 && i < s->n ? strdup(header) : NULL;
    if (!d) {
        s->oom = s->oom || (i >= 0 && i < s->n);
        return;
    }
    free(s->s[i].header);
    s->s[i].header = d;
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

/* ---- styles and panels ---------------------------------------------------- */

/* Colours that tell lines apart on white, for colour-blind eyes too (no yellow). */
static const char *const style_colours[PLOT_COLOURS] = {"#0072b2", "#d55e00", "#009e73", "#9400d3",
                                                        "#e69f00", "#56b4e9", "#000000", "#cc79a7"};
/* solid, dashed, dash-dot, dotted, dash-dot-dot, long dashes, long dash-dot, sparse dots */
static const char *const style_dashes[PLOT_DASHES] = {"1", "2", "4", "3", "5", "(24,8)", "(24,6,4,6)", "(2,7)"};
/* point shapes: filled and open of circle, square, triangle, diamond, down triangle, pentagon */
static const int style_points[][2] = {{7, 6}, {5, 4}, {9, 8}, {13, 12}, {11, 10}, {15, 14}};

void plot_style(int p, int fam, int nfam, int j, int lines, plot_style_t *st)
{
    nfam = nfam < 1 ? 1 : nfam;
    lines = lines < 1 ? 1 : lines;
    int variant = (p / PLOT_COLOURS) * nfam + fam; /* what the dash tells among series of one colour */
    st->colour_i = p % PLOT_COLOURS;
    st->colour = style_colours[st->colour_i];
    st->dash_i = (variant * lines + j) % PLOT_DASHES;
    st->dash = style_dashes[st->dash_i];
    st->point = style_points[variant % (int)(sizeof style_points / sizeof *style_points)][j == 0 ? 0 : 1];
    st->width = j == 0 ? 2 : 1.2;
}

int plot_panel_cap(int lines, int nfam)
{
    int per = (nfam < 1 ? 1 : nfam) * (lines < 1 ? 1 : lines);
    int variants = PLOT_DASHES / per;
    return PLOT_COLOURS * (variants < 1 ? 1 : variants);
}

/* The order of the series written: by panel (panel[i]: the place of series
 * i's panel in the order of first appearance), by family, by number. */
typedef struct series_order {
    const plot_set_t *s;
    const int *panel;
} series_order_t;

/* qsort_r comparison of two series numbers (see series_order_t). */
static int series_cmp(const void *a, const void *b, void *arg)
{
    const series_order_t *o = arg;
    int x = *(const int *)a, y = *(const int *)b;
    if (o->panel[x] != o->panel[y])
        return o->panel[x] < o->panel[y] ? -1 : 1;
    if (o->s->s[x].family != o->s->s[y].family)
        return o->s->s[x].family < o->s->s[y].family ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Writes s as a gnuplot single-quoted string: quotes doubled (nothing else
 * is special there), control characters as blanks. */
static void gp_quote(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '\'')
            fputs("''", f);
        else
            fputc(ch < 0x20 || ch == 0x7f ? ' ' : ch, f);
    }
    fputc('\'', f);
}

/* The length in characters of the longest legend text of a header line
 * (its fields after the first). */
static int header_keychars(const char *h)
{
    int best = 0, n = 0;
    const char *p = strchr(h, '\t');
    for (; p && *p; p++) {
        if (*p == '\t')
            n = 0;
        else if (((unsigned char)*p & 0xc0) != 0x80)
            n++;
        best = n > best ? n : best;
    }
    return best;
}

/* Writes panels.gp into dir for the series in the order ord (see
 * plot_set_write; cdf: their files are .cdf); pan[k]: the panel of the k-th
 * of them. */
static int write_panels(const plot_set_t *s, const int *ord, const int *pan, const char *dir, bool cdf, char *err,
                        size_t cap)
{
    char path[4096];
    int lines = s->lines < 1 ? 1 : s->lines, nfam = s->nfam < 1 ? 1 : s->nfam, pcap = plot_panel_cap(lines, nfam);
    /* panel chunks: a panel's series from first, at most pcap each */
    int np = 0, *first = calloc((size_t)s->n + 1, sizeof *first), *count = calloc((size_t)s->n + 1, sizeof *count);
    int *parts = calloc((size_t)s->n + 1, sizeof *parts), *part = calloc((size_t)s->n + 1, sizeof *part);
    if (!first || !count || !parts || !part) {
        free(first), free(count), free(parts), free(part);
        snprintf(err, cap, "out of memory");
        return -1;
    }
    for (int k = 0; k < s->n; k++) {
        if (k == 0 || pan[k] != pan[k - 1] || count[np - 1] == pcap) {
            first[np] = k;
            part[np] = k > 0 && pan[k] == pan[k - 1] ? part[np - 1] + 1 : 1;
            np++;
        }
        count[np - 1]++;
    }
    for (int q = 0; q < np; q++)
        parts[q] = part[q]; /* the last part of a panel knows how many there are */
    for (int q = np - 2; q >= 0; q--)
        if (pan[first[q]] == pan[first[q + 1]])
            parts[q] = parts[q + 1];
    snprintf(path, sizeof path, "%s/panels.gp", dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        free(first), free(count), free(parts), free(part);
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        return -1;
    }
    fprintf(f, "# the panels of the plot and the style of every line (h5swmr plot)\n");
    fprintf(f, "npanels = %d\nlines = %d\nnseries = %d\n", np, lines, s->n);
    fprintf(f, "array panel_title[%d]\narray panel_files[%d]\narray panel_first[%d]\narray panel_n[%d]\n", np, np, np,
            np);
    int all_keychars = 0;
    for (int q = 0; q < np; q++) {
        const plot_series_t *p0 = &s->s[ord[first[q]]];
        char title[1200];
        if (parts[q] > 1)
            snprintf(title, sizeof title, "%s (part %d of %d)", p0->panel, part[q], parts[q]);
        else
            snprintf(title, sizeof title, "%s", p0->panel);
        fprintf(f, "panel_title[%d] = ", q + 1);
        gp_quote(f, title);
        fprintf(f, "\npanel_files[%d] = '", q + 1);
        for (int k = first[q]; k < first[q] + count[q]; k++) {
            const plot_series_t *p = &s->s[ord[k]];
            fprintf(f, "%s%c%02d.%s", k > first[q] ? " " : "", p->prefix, k + 1, cdf ? "cdf" : "dat");
            int kc = header_keychars(p->header);
            all_keychars = kc > all_keychars ? kc : all_keychars;
        }
        fprintf(f, "'\npanel_first[%d] = %d\npanel_n[%d] = %d\n", q + 1, first[q] + 1, q + 1, count[q]);
    }
    fprintf(f, "keychars = %d\n", all_keychars);
    for (int q = 0; q < np; q++)
        for (int k = first[q]; k < first[q] + count[q]; k++)
            for (int j = 0; j < lines; j++) {
                plot_style_t st;
                plot_style(k - first[q], s->s[ord[k]].family, nfam, j, lines, &st);
                fprintf(f, "set style line %d lc rgb '%s' dt %s lw %g pt %d\n", k * lines + j + 1, st.colour, st.dash,
                        st.width, st.point);
            }
    free(first), free(count), free(parts), free(part);
    if (fclose(f) != 0) {
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int plot_set_write(const plot_set_t *s, const char *dir, bool cdf, char *err, size_t cap)
{
    char path[4096];
    if (s->oom) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    size_t n = s->n > 0 ? (size_t)s->n : 1;
    int *ord = calloc(n, sizeof *ord), *panel = calloc(n, sizeof *panel), *pan = calloc(n, sizeof *pan);
    plot_strset_t panels = {0};
    int rc = ord && panel && pan ? 0 : -1;
    for (int i = 0; rc == 0 && i < s->n; i++) {
        ord[i] = i;
        panel[i] = plot_strset_add(&panels, s->s[i].panel, i);
        rc = panel[i] < 0 ? -1 : 0;
    }
    if (rc < 0)
        snprintf(err, cap, "out of memory");
    series_order_t o = {.s = s, .panel = panel};
    if (rc == 0)
        qsort_r(ord, (size_t)s->n, sizeof *ord, series_cmp, &o);
    for (int k = 0; rc == 0 && k < s->n; k++) {
        plot_series_t *p = &s->s[ord[k]];
        pan[k] = panel[ord[k]];
        qsort(p->line, p->n, sizeof *p->line, line_cmp);
        snprintf(path, sizeof path, "%s/%c%02d.%s", dir, p->prefix, k + 1, cdf ? "cdf" : "dat");
        FILE *f = fopen(path, "w");
        if (!f) {
            snprintf(err, cap, "%s: %s", path, strerror(errno));
            rc = -1;
            break;
        }
        series_print(f, p, cdf);
        if (fclose(f) != 0) {
            snprintf(err, cap, "%s: %s", path, strerror(errno));
            rc = -1;
        }
    }
    if (rc == 0)
        rc = write_panels(s, ord, pan, dir, cdf, err, cap);
    free(ord);
    free(panel);
    free(pan);
    plot_strset_free(&panels);
    if (rc < 0)
        return -1;
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
        free(s->s[i].panel);
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
