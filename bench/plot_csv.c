/* plot_csv.c - the CSV reader of the plots (see plot_csv.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "plot_csv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Whether line holds nothing but blanks, tabs and CRs. */
static bool csv_blank(const char *line)
{
    return line[strspn(line, " \t\r\n")] == '\0';
}

/* Removes the blanks and tabs around s, in place. */
static char *csv_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

/* Splits line into c->fld (storage in c->buf): fields between commas, a
 * quoted part taken literally with "" for a quote. A line without text has
 * no fields. Returns 0, or -1 when out of memory. */
static int csv_split(plot_csv_t *c, const char *line)
{
    size_t len = strlen(line);
    if (len && line[len - 1] == '\n')
        len--;
    if (len && line[len - 1] == '\r')
        len--;
    c->nfld = 0;
    if (len == 0)
        return 0;
    if (c->buf_cap < 2 * len + 2) {
        char *nb = realloc(c->buf, 2 * len + 2);
        if (!nb)
            return -1;
        c->buf = nb;
        c->buf_cap = 2 * len + 2;
    }
    char *out = c->buf, *start = out;
    bool quoted = false;
    for (size_t i = 0; i <= len; i++) {
        char ch = i < len ? line[i] : '\0';
        if (i < len && quoted) {
            if (ch != '"')
                *out++ = ch;
            else if (i + 1 < len && line[i + 1] == '"')
                *out++ = '"', i++;
            else
                quoted = false;
        } else if (i < len && ch == '"') {
            quoted = true;
        } else if (i < len && ch != ',') {
            *out++ = ch;
        } else {
            *out++ = '\0';
            if (c->nfld == c->fld_cap) {
                int ncap = c->fld_cap ? 2 * c->fld_cap : 32;
                char **nf = realloc(c->fld, (size_t)ncap * sizeof *nf);
                if (!nf)
                    return -1;
                c->fld = nf;
                c->fld_cap = ncap;
            }
            c->fld[c->nfld++] = start;
            start = out;
        }
    }
    for (int k = 0; k < c->nfld; k++)
        c->fld[k] = csv_trim(c->fld[k]);
    return 0;
}

/* Opens path for reading only if it is a regular file (a FIFO is never
 * waited on). Returns the stream, or NULL with the reason in err. */
static FILE *csv_open_regular(const char *path, char *err, size_t cap)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0) {
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, cap, "%s: not a regular file", path);
        close(fd);
        return NULL;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    FILE *f = fdopen(fd, "r");
    if (!f) {
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        close(fd);
    }
    return f;
}

int plot_csv_open(plot_csv_t *c, const char *path, char *err, size_t cap)
{
    memset(c, 0, sizeof *c);
    if (!(c->f = csv_open_regular(path, err, cap)))
        return -1;
    errno = 0;
    if (getline(&c->line, &c->line_cap, c->f) < 0) {
        if (ferror(c->f)) {
            snprintf(err, cap, "%s: %s", path, strerror(errno));
            plot_csv_close(c);
            return -1;
        }
        return 0; /* an empty file */
    }
    if (csv_split(c, c->line) < 0 || (c->nfld && !(c->hdr = calloc((size_t)c->nfld, sizeof *c->hdr)))) {
        snprintf(err, cap, "%s: out of memory", path);
        plot_csv_close(c);
        return -1;
    }
    for (int k = 0; k < c->nfld; k++)
        if (!(c->hdr[k] = strdup(c->fld[k]))) {
            c->nhdr = k;
            snprintf(err, cap, "%s: out of memory", path);
            plot_csv_close(c);
            return -1;
        }
    c->nhdr = c->nfld;
    c->nfld = 0;
    return 0;
}

int plot_csv_col(const plot_csv_t *c, const char *name)
{
    for (int k = c->nhdr - 1; k >= 0; k--)
        if (!strcmp(c->hdr[k], name))
            return k;
    return -1;
}

int plot_csv_next(plot_csv_t *c, char *err, size_t cap)
{
    if (!c->f)
        return 0;
    for (;;) {
        errno = 0;
        if (getline(&c->line, &c->line_cap, c->f) < 0) {
            if (!ferror(c->f))
                return 0;
            snprintf(err, cap, "%s", strerror(errno ? errno : EIO));
            return -1;
        }
        if (csv_blank(c->line))
            continue;
        if (csv_split(c, c->line) < 0) {
            snprintf(err, cap, "out of memory");
            return -1;
        }
        return 1;
    }
}

const char *plot_csv_field(const plot_csv_t *c, int col)
{
    return col >= 0 && col < c->nfld ? c->fld[col] : "";
}

void plot_csv_close(plot_csv_t *c)
{
    if (c->f)
        fclose(c->f);
    for (int k = 0; k < c->nhdr; k++)
        free(c->hdr[k]);
    free(c->hdr);
    free(c->fld);
    free(c->buf);
    free(c->line);
    memset(c, 0, sizeof *c);
}

/* Copies the current row of c into a new array of t->ncols strings. */
static char **table_copy_row(const plot_table_t *t, const plot_csv_t *c)
{
    char **row = calloc((size_t)(t->ncols ? t->ncols : 1), sizeof *row);
    if (!row)
        return NULL;
    for (int k = 0; k < t->ncols; k++)
        if (!(row[k] = strdup(plot_csv_field(c, k)))) {
            for (int j = 0; j < k; j++)
                free(row[j]);
            free(row);
            return NULL;
        }
    return row;
}

int plot_table_load(plot_table_t *t, const char *path, char *err, size_t cap)
{
    plot_csv_t c;
    memset(t, 0, sizeof *t);
    if (plot_csv_open(&c, path, err, cap) < 0)
        return -1;
    /* the header moves into the table */
    t->hdr = c.hdr;
    t->ncols = c.nhdr;
    c.hdr = NULL;
    c.nhdr = 0;
    int rc = 0, have = 0;
    char **row;
    while ((rc = plot_csv_next(&c, err, cap)) == 1) {
        if (t->nrows == have) {
            have = have ? 2 * have : 64;
            char ***nc = realloc(t->cell, (size_t)have * sizeof *nc);
            if (!nc) {
                rc = -1;
                snprintf(err, cap, "out of memory");
                break;
            }
            t->cell = nc;
        }
        if (!(row = table_copy_row(t, &c))) {
            rc = -1;
            snprintf(err, cap, "out of memory");
            break;
        }
        t->cell[t->nrows++] = row;
    }
    plot_csv_close(&c);
    if (rc < 0) {
        plot_table_free(t);
        return -1;
    }
    return 0;
}

/* The index of the last column named name, or -1. */
static int table_col(const plot_table_t *t, const char *name)
{
    for (int k = t->ncols - 1; k >= 0; k--)
        if (!strcmp(t->hdr[k], name))
            return k;
    return -1;
}

bool plot_table_has(const plot_table_t *t, const char *name)
{
    return table_col(t, name) >= 0;
}

const char *plot_table_get(const plot_table_t *t, int r, const char *name)
{
    int k = table_col(t, name);
    return k >= 0 && r >= 0 && r < t->nrows ? t->cell[r][k] : "";
}

void plot_table_free(plot_table_t *t)
{
    for (int r = 0; r < t->nrows; r++) {
        for (int k = 0; k < t->ncols; k++)
            free(t->cell[r][k]);
        free(t->cell[r]);
    }
    free(t->cell);
    for (int k = 0; k < t->ncols; k++)
        free(t->hdr[k]);
    free(t->hdr);
    memset(t, 0, sizeof *t);
}
