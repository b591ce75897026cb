/* flushcost_report.c - what `h5swmr flushcost` makes of its measurements:
 * the growth exponent of the round flush time in the dataset count (log-log
 * slope; stats_growth_class names it), the recommendation between the two
 * flush calls, the table, and the CSV and JSON outputs. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flushcost.h"
#include "report.h"
#include "util.h"

const char *const fc_call_key[FC_NCALLS] = {"dflush", "fflush"};
const char *const fc_call_label[FC_NCALLS] = {"H5Dflush each", "H5Fflush"};

/* Writes text to path through a temporary file beside it (a unique name):
 * without force the result appears only if path is still absent (link(2)
 * never replaces), with force it replaces a regular file (rename(2)). */
static int fc_write_output(const char *path, const char *text, bool force, h5s_err_t *err)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path) >= (int)sizeof tmp)
        return h5s_seterr(err, H5S_EINVAL, "'%s': path too long", path);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return h5s_seterr(err, H5S_ESYS, "cannot create a temporary file beside '%s': %s", path, strerror(errno));
    int rc = 0;
    mode_t um = umask(0);
    umask(um);
    if (fchmod(fd, 0666 & ~um) != 0 || h5s_write_full(fd, text, strlen(text)) != 0 || fsync(fd) != 0)
        rc = h5s_seterr(err, H5S_ESYS, "cannot write '%s': %s", tmp, strerror(errno));
    if (close(fd) != 0 && rc == 0)
        rc = h5s_seterr(err, H5S_ESYS, "cannot write '%s': %s", tmp, strerror(errno));
    if (rc == 0 && !force) {
        if (link(tmp, path) != 0)
            rc = h5s_seterr(err, H5S_ESYS, "cannot create '%s': %s", path, strerror(errno));
    } else if (rc == 0) {
        struct stat st;
        if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
            rc = h5s_seterr(err, H5S_ESYS, "'%s' is no longer a regular file; not replaced", path);
        else if (rename(tmp, path) != 0)
            rc = h5s_seterr(err, H5S_ESYS, "cannot replace '%s': %s", path, strerror(errno));
        else
            return 0;
    }
    unlink(tmp);
    return rc;
}

/* ---- analysis ------------------------------------------------------------ */

fc_fit_t fc_fit(const fc_row_t *rows, int nrows, int call)
{
    double x[FC_MAX_COUNTS] = {0}, y[FC_MAX_COUNTS] = {0};
    int n = 0;
    for (int i = 0; i < nrows; i++)
        if (rows[i].call == call) {
            x[n] = (double)rows[i].n;
            y[n] = rows[i].flush.p50;
            n++;
        }
    fc_fit_t f;
    f.all = stats_loglog_slope(x, y, n);
    f.tail = n >= 2 ? stats_loglog_slope(x + n - 2, y + n - 2, 2) : NAN;
    /* the slope at the largest counts decides: fixed per-round costs pull the
     * fit over all counts down at small N */
    f.growth = stats_growth_class(isnan(f.tail) ? f.all : f.tail);
    return f;
}

/* The row of count n and flush call, or NULL. */
static const fc_row_t *fc_find(const fc_row_t *rows, int nrows, long n, int call)
{
    for (int i = 0; i < nrows; i++)
        if (rows[i].n == n && rows[i].call == call)
            return &rows[i];
    return NULL;
}

/* A time in nanoseconds as text in a fitting unit: "12.3 us", "4.5 ms", "1.23 s". */
static void fc_fmt_time(double ns, char *buf, size_t cap)
{
    if (ns >= 1e9)
        snprintf(buf, cap, "%.2f s", ns / 1e9);
    else if (ns >= 1e6)
        snprintf(buf, cap, "%.1f ms", ns / 1e6);
    else
        snprintf(buf, cap, "%.1f us", ns / 1e3);
}

/* The recommendation text for the largest count; *cheaper is the call index or -1 (same). */

void fc_recommend(const fc_row_t *rows, int nrows, long nmax, fc_rec_t *rec)
{
    const fc_row_t *d = fc_find(rows, nrows, nmax, FC_DFLUSH), *f = fc_find(rows, nrows, nmax, FC_FFLUSH);
    char *buf = rec->text;
    size_t cap = sizeof rec->text;
    rec->cheaper = -1;
    rec->ratio = 1;
    if (!d || !f || !(d->flush.p50 > 0) || !(f->flush.p50 > 0)) {
        snprintf(buf, cap, "no recommendation (a flush time is missing)");
        return;
    }
    int c = f->flush.p50 < d->flush.p50 ? FC_FFLUSH : FC_DFLUSH;
    const fc_row_t *lo = c == FC_FFLUSH ? f : d, *hi = c == FC_FFLUSH ? d : f;
    rec->ratio = hi->flush.p50 / lo->flush.p50;
    char tl[32], th[32];
    fc_fmt_time(lo->flush.p50, tl, sizeof tl);
    fc_fmt_time(hi->flush.p50, th, sizeof th);
    if (rec->ratio < 1.10) {
        snprintf(buf, cap,
                 "at %ld datasets both calls cost about the same per round (%s and %s, within 10%%): "
                 "either flush_call works; H5Dflush lets you publish only the datasets you changed",
                 nmax, tl, th);
        return;
    }
    rec->cheaper = c;
    if (c == FC_FFLUSH)
        snprintf(buf, cap,
                 "at %ld datasets one H5Fflush per round is %.1fx cheaper than H5Dflush of every dataset "
                 "(%s vs %s per round): use flush_call = fflush",
                 nmax, rec->ratio, tl, th);
    else
        snprintf(buf, cap,
                 "at %ld datasets H5Dflush of every dataset is %.1fx cheaper than one H5Fflush "
                 "(%s vs %s per round): use flush_call = dflush",
                 nmax, rec->ratio, tl, th);
}

/* ---- output -------------------------------------------------------------- */

void fc_print_row(const fc_row_t *r)
{
    printf("%9ld  %-13s %7llu %6ld %14.1f %14.1f %16.2f\n", r->n, fc_call_label[r->call],
           (unsigned long long)r->flush.n, r->files, r->flush.p50 / 1e3, r->flush.p90 / 1e3,
           r->flush.p50 / 1e3 / (double)r->n);
}

int fc_write_csv(const char *path, const fc_row_t *rows, int nrows, bool force, h5s_err_t *err)
{
    size_t cap = 128 + (size_t)nrows * 128, len = 0;
    char *text = malloc(cap);
    if (!text)
        return h5s_seterr(err, H5S_ENOMEM, "out of memory");
    len += (size_t)snprintf(text + len, cap - len,
                            "n_datasets,flush_call,rounds,round_p50_us,round_p90_us,per_dataset_us\n");
    for (int i = 0; i < nrows && len < cap; i++) {
        const fc_row_t *r = &rows[i];
        len += (size_t)snprintf(text + len, cap - len, "%ld,%s,%llu,%.3f,%.3f,%.4f\n", r->n, fc_call_key[r->call],
                                (unsigned long long)r->flush.n, r->flush.p50 / 1e3, r->flush.p90 / 1e3,
                                r->flush.p50 / 1e3 / (double)r->n);
    }
    int rc = len < cap ? fc_write_output(path, text, force, err) : h5s_seterr(err, H5S_EINVAL, "CSV too long");
    free(text);
    return rc;
}

/* Adds key: v, or null when v is not a number. */
static void fc_add_num(cJSON *o, const char *key, double v)
{
    if (isnan(v))
        cJSON_AddNullToObject(o, key);
    else
        cJSON_AddNumberToObject(o, key, v);
}

/* The "options" object: what was measured, and how. */
static void fc_json_options(cJSON *root, const fc_opts_t *o, const char *dir)
{
    cJSON *opt = cJSON_AddObjectToObject(root, "options");
    cJSON *counts = cJSON_AddArrayToObject(opt, "counts");
    for (int i = 0; i < o->ncounts; i++)
        cJSON_AddItemToArray(counts, cJSON_CreateNumber((double)o->counts[i]));
    cJSON_AddNumberToObject(opt, "rounds_per_file", (double)o->rounds);
    cJSON_AddNumberToObject(opt, "budget_s", o->budget_s);
    cJSON_AddNumberToObject(opt, "max_files", FC_MAX_FILES);
    cJSON_AddNumberToObject(opt, "block_samples", (double)o->block);
    cJSON_AddNumberToObject(opt, "chunk_samples", (double)o->block);
    cJSON_AddStringToObject(opt, "dtype", "float32");
    cJSON_AddBoolToObject(opt, "cork", 1);
    cJSON_AddStringToObject(opt, "dir", dir);
    cJSON_AddStringToObject(opt, "timed", "the flush call(s) of one round, after one untimed warm-up round");
}

/* The "rows" array: one object per (count, call). */
static void fc_json_rows(cJSON *root, const fc_row_t *rows, int nrows)
{
    cJSON *arr = cJSON_AddArrayToObject(root, "rows");
    for (int i = 0; i < nrows; i++) {
        const fc_row_t *r = &rows[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "n_datasets", (double)r->n);
        cJSON_AddStringToObject(j, "flush_call", fc_call_key[r->call]);
        cJSON_AddNumberToObject(j, "rounds", (double)r->flush.n);
        cJSON_AddNumberToObject(j, "files", (double)r->files);
        cJSON_AddNumberToObject(j, "round_p50_us", r->flush.p50 / 1e3);
        cJSON_AddNumberToObject(j, "round_p90_us", r->flush.p90 / 1e3);
        cJSON_AddNumberToObject(j, "round_mean_us", r->flush.mean / 1e3);
        cJSON_AddNumberToObject(j, "round_min_us", r->flush.min / 1e3);
        cJSON_AddNumberToObject(j, "round_max_us", r->flush.max / 1e3);
        cJSON_AddNumberToObject(j, "per_dataset_us", r->flush.p50 / 1e3 / (double)r->n);
        cJSON_AddNumberToObject(j, "append_round_p50_us", r->append.p50 / 1e3);
        cJSON_AddItemToArray(arr, j);
    }
}

/* The "exponents" array (one object per call) and the "recommendation". */
static void fc_json_analysis(cJSON *root, const fc_opts_t *o, const fc_fit_t *fits, const fc_rec_t *rec)
{
    cJSON *ex = cJSON_AddArrayToObject(root, "exponents");
    for (int c = 0; c < FC_NCALLS; c++) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "flush_call", fc_call_key[c]);
        fc_add_num(j, "exponent", fits[c].all);
        fc_add_num(j, "exponent_largest_counts", fits[c].tail);
        if (o->ncounts >= 2) {
            cJSON_AddNumberToObject(j, "from_n", (double)o->counts[o->ncounts - 2]);
            cJSON_AddNumberToObject(j, "to_n", (double)o->counts[o->ncounts - 1]);
        }
        cJSON_AddStringToObject(j, "class", fits[c].growth.cls);
        cJSON_AddStringToObject(j, "meaning", fits[c].growth.meaning);
        cJSON_AddItemToArray(ex, j);
    }

    cJSON *rj = cJSON_AddObjectToObject(root, "recommendation");
    cJSON_AddNumberToObject(rj, "n_datasets", (double)o->counts[o->ncounts - 1]);
    if (rec->cheaper >= 0)
        cJSON_AddStringToObject(rj, "cheaper_call", fc_call_key[rec->cheaper]);
    else
        cJSON_AddNullToObject(rj, "cheaper_call");
    cJSON_AddNumberToObject(rj, "ratio", rec->ratio);
    cJSON_AddStringToObject(rj, "text", rec->text);
}

int fc_write_json(const fc_opts_t *o, const char *dir, const fc_row_t *rows, int nrows, const fc_fit_t *fits,
                  const fc_rec_t *rec, h5s_err_t *err)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "schema_version", FC_SCHEMA_VERSION);
    cJSON_AddStringToObject(root, "command", "flushcost");
    char *env = report_environment_json(dir);
    cJSON *envj = env ? cJSON_Parse(env) : NULL;
    free(env);
    cJSON_AddItemToObject(root, "environment", envj ? envj : cJSON_CreateNull());
    fc_json_options(root, o, dir);
    fc_json_rows(root, rows, nrows);
    fc_json_analysis(root, o, fits, rec);

    char *text = h5s_json_text(root);
    cJSON_Delete(root);
    if (!text)
        return h5s_seterr(err, H5S_ENOMEM, "out of memory");
    size_t l = strlen(text);
    char *nl = realloc(text, l + 2);
    if (!nl) {
        free(text);
        return h5s_seterr(err, H5S_ENOMEM, "out of memory");
    }
    nl[l] = '\n';
    nl[l + 1] = '\0';
    int rc = fc_write_output(o->json, nl, o->force, err);
    free(nl);
    return rc;
}
