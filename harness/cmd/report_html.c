/* report_html.c - report.html of a results directory (see report_html.h) and
 * the `h5swmr report` command.
 *
 * The page is one file that needs nothing else: inline CSS, no script, no
 * network; each plot is its NAME.svg as a data: URI in an <img>, where an
 * SVG can neither run a script nor load anything. Every text taken from a
 * file (a scenario or job name, a host name, a path, a message) goes
 * through html_text, so none of it becomes markup. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "report_html.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "util.h"

#define RH_JSON_MAX (64L << 20) /* bytes of a results JSON read */
#define RH_TEXT_MAX (16L << 20) /* bytes of an SVG, JUnit XML, TAP or text file read */
#define RH_MAX_NOTES 64
#define RH_MAX_SUBDIRS 4096
#define RH_MARK "<!-- h5swmr report: written by h5swmr; h5swmr report replaces it -->"

/* The page being written and what was found for it. */
typedef struct rh {
    FILE *f;
    const char *dir;
    char notes[RH_MAX_NOTES][600]; /* files skipped, and why */
    int nnotes;
    cJSON *env;     /* the first environment object found (borrowed from sweep or summary) */
    cJSON *sweep;   /* sweep.json */
    cJSON *gate;    /* gate.json */
    cJSON *advise;  /* advise.json */
    cJSON *summary; /* summary.json of dir itself */
    char **subdirs; /* names of subdirectories with a summary.json, sorted */
    size_t nsub;
    char **files; /* names of the entries of dir, sorted */
    size_t nfiles;
    bool stress_failure; /* dir is a stress failure (seed.txt, resolved.ini) */
    int nchecks;         /* JUnit or TAP files of h5swmr check */
    char *matrix;        /* matrix.md of ci/hdf5-matrix, or NULL */
} rh_t;

/* ---- output helpers ------------------------------------------------------------ */

/* Writes text as HTML character data or attribute value: & < > " ' escaped,
 * control characters (but newline and tab) and bytes that are not UTF-8
 * shown as U+FFFD. */
static void html_text(FILE *f, const char *text)
{
    const unsigned char *p = (const unsigned char *)(text ? text : "");
    size_t left = strlen((const char *)p);
    while (left) {
        uint32_t cp = 0;
        size_t len = cli_utf8_char(p, left, &cp);
        if (len == 0 || (cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) {
            fputs("\xef\xbf\xbd", f);
            len = len ? len : 1;
        } else if (cp == '&')
            fputs("&amp;", f);
        else if (cp == '<')
            fputs("&lt;", f);
        else if (cp == '>')
            fputs("&gt;", f);
        else if (cp == '"')
            fputs("&quot;", f);
        else if (cp == '\'')
            fputs("&#39;", f);
        else
            fwrite(p, 1, len, f);
        p += len;
        left -= len;
    }
}

/* printf into a buffer, then html_text: for formatted text that holds
 * values taken from files. */
static void html_fmt(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void html_fmt(FILE *f, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    html_text(f, buf);
}

/* Writes text as one shell word: as it is when it holds only safe
 * characters, else in single quotes (a ' as '\''); HTML-escaped. */
static void html_shell_word(FILE *f, const char *text)
{
    bool plain = text[0] != '\0';
    for (const char *c = text; *c && plain; c++)
        plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+./=:,@%", *c) != NULL;
    size_t n = strlen(text);
    char *q = plain ? NULL : malloc(4 * n + 3);
    if (!q) {
        html_text(f, text);
        return;
    }
    size_t k = 0;
    q[k++] = '\'';
    for (const char *c = text; *c; c++) {
        if (*c == '\'') {
            memcpy(q + k, "'\\''", 4);
            k += 4;
        } else
            q[k++] = *c;
    }
    q[k++] = '\'';
    q[k] = '\0';
    html_text(f, q);
    free(q);
}

/* Notes a file that was skipped, and why (shown on the page). */
static void rh_note(rh_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rh_note(rh_t *r, const char *fmt, ...)
{
    if (r->nnotes == RH_MAX_NOTES)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->notes[r->nnotes++], sizeof r->notes[0], fmt, ap);
    va_end(ap);
}

/* The string member key of o, or NULL. */
static const char *jstr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The number member key of o, or NAN. */
static double jnum(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* A number as table text: "-" when absent. */
static void html_num(FILE *f, double v, const char *fmt)
{
    if (isnan(v))
        fputs("-", f);
    else
        html_fmt(f, fmt, v);
}

/* Reads a whole text file (regular, at most max bytes, no NUL byte) into a
 * malloc'd NUL-terminated buffer; NULL with why. */
static char *read_text(const char *path, long max, size_t *len, char *why, size_t cap)
{
    FILE *in = h5s_open_input(path, max, why, cap);
    if (!in)
        return NULL;
    char *buf = NULL;
    size_t n = 0;
    FILE *mem = open_memstream(&buf, &n);
    char chunk[65536];
    size_t k;
    bool big = false;
    while (mem && !big && (k = fread(chunk, 1, sizeof chunk, in)) > 0) {
        fwrite(chunk, 1, k, mem);
        big = ftell(mem) > max;
    }
    bool ok = mem && !ferror(in) && fclose(mem) == 0;
    fclose(in);
    if (!ok || big || memchr(buf, '\0', n)) {
        snprintf(why, cap, "%s", big ? "too large" : !ok ? strerror(errno ? errno : EIO) : "holds a NUL byte");
        free(ok ? buf : NULL);
        return NULL;
    }
    *len = n;
    return buf;
}

/* ---- what is in the directory ----------------------------------------------------- */

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether name ends in suffix. */
static bool ends_with(const char *name, const char *suffix)
{
    size_t n = strlen(name), s = strlen(suffix);
    return n > s && !strcmp(name + n - s, suffix);
}

/* Reads dir/name as JSON, or notes why not (absent: silently NULL). */
static cJSON *load_json(rh_t *r, const char *dir, const char *name)
{
    char path[8192], why[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    if (lstat(path, &st) != 0)
        return NULL;
    if (!S_ISREG(st.st_mode)) { /* h5swmr writes its results as plain files, never links */
        rh_note(r, "%s: skipped: %s", path, S_ISLNK(st.st_mode) ? "a symbolic link" : "not a regular file");
        return NULL;
    }
    cJSON *j = h5s_read_json(path, RH_JSON_MAX, why, sizeof why);
    if (!j)
        rh_note(r, "%s: skipped: %s", path, why);
    else if (!cJSON_IsObject(j)) {
        rh_note(r, "%s: skipped: not a JSON object", path);
        cJSON_Delete(j);
        j = NULL;
    }
    return j;
}

/* Lists dir's entries (sorted) and the subdirectories with a summary.json. */
static int scan(rh_t *r, h5s_err_t *err)
{
    DIR *d = opendir(r->dir);
    if (!d) {
        h5s_err_t e = {.code = H5S_EINVAL};
        snprintf(e.msg, sizeof e.msg, "%s: %s", r->dir, strerror(errno));
        *err = e;
        return H5S_EINVAL;
    }
    size_t cap = 0, scap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (r->nfiles == cap) {
            cap = cap ? 2 * cap : 64;
            char **nf = realloc(r->files, cap * sizeof *nf);
            if (!nf)
                break;
            r->files = nf;
        }
        r->files[r->nfiles] = strdup(e->d_name);
        if (!r->files[r->nfiles])
            break;
        r->nfiles++;
        char sub[8192];
        struct stat st;
        snprintf(sub, sizeof sub, "%s/%s/summary.json", r->dir, e->d_name);
        if (r->nsub < RH_MAX_SUBDIRS && lstat(sub, &st) == 0 && S_ISREG(st.st_mode)) {
            if (r->nsub == scap) {
                scap = scap ? 2 * scap : 16;
                char **ns = realloc(r->subdirs, scap * sizeof *ns);
                if (!ns)
                    break;
                r->subdirs = ns;
            }
            if (!(r->subdirs[r->nsub] = strdup(e->d_name)))
                break;
            r->nsub++;
        }
    }
    bool nomem = e != NULL;
    closedir(d);
    if (nomem) {
        snprintf(err->msg, sizeof err->msg, "out of memory listing %s", r->dir);
        return err->code = H5S_ENOMEM;
    }
    if (r->files)
        qsort(r->files, r->nfiles, sizeof *r->files, name_cmp);
    if (r->subdirs)
        qsort(r->subdirs, r->nsub, sizeof *r->subdirs, name_cmp);
    return 0;
}

/* Whether dir holds file name. */
static bool has_file(const rh_t *r, const char *name)
{
    for (size_t i = 0; i < r->nfiles; i++)
        if (!strcmp(r->files[i], name))
            return true;
    return false;
}

/* Whether the file text is a report of h5swmr check: JUnit XML it wrote, or
 * its TAP stream. */
static bool is_check_junit(const char *text)
{
    static const char head[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"h5swmr check\"";
    return !strncmp(text, head, sizeof head - 1);
}
static bool is_check_tap(const char *text)
{
    static const char head[] = "TAP version 13\n# h5swmr ";
    return !strncmp(text, head, sizeof head - 1);
}

/* ---- verdicts ---------------------------------------------------------------------- */

/* The CSS class of a verdict word. */
static const char *verdict_class(const char *v)
{
    if (!v)
        return "na";
    if (!strcmp(v, "met") || !strcmp(v, "pass") || !strcmp(v, "ok") || !strcmp(v, "passed"))
        return "ok";
    if (!strcmp(v, "inconclusive") || !strcmp(v, "INCONCLUSIVE") || !strcmp(v, "report"))
        return "warn";
    return "bad";
}

/* A verdict cell. */
static void verdict_cell(FILE *f, const char *v)
{
    fprintf(f, "<td class=\"v %s\">", verdict_class(v));
    html_text(f, v ? v : "-");
    fputs("</td>", f);
}

/* The sweep's targets, its flush growth and recommendation. */
static void sweep_verdicts(rh_t *r)
{
    FILE *f = r->f;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(r->sweep, "targets"), *o;
    fputs("<h3>Sweep targets</h3>\n", f);
    if (!cJSON_IsArray(t) || !cJSON_GetArraySize(t)) {
        fputs("<p>No target applies to the runs of this sweep.</p>\n", f);
    } else {
        int met = 0, n = 0;
        cJSON_ArrayForEach (o, t) {
            n++;
            met += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "met"));
        }
        fprintf(f, "<p class=\"sum\">%d of %d targets met.</p>\n", met, n);
        fputs("<table><tr><th>verdict</th><th>config</th><th>target</th><th>measured</th></tr>\n", f);
        cJSON_ArrayForEach (o, t) {
            const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "measured");
            fputs("<tr>", f);
            verdict_cell(f, jstr(o, "verdict"));
            fputs("<td>", f);
            html_num(f, jnum(o, "config"), "%.0f");
            fputs("</td><td>", f);
            html_text(f, jstr(o, "target"));
            fputs("</td><td>", f);
            if (cJSON_IsString(m))
                html_text(f, m->valuestring);
            else
                html_num(f, jnum(o, "measured"), "%.3g");
            fputs("</td></tr>\n", f);
        }
        fputs("</table>\n", f);
    }
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(r->sweep, "flush_growth");
    if (cJSON_IsArray(g) && cJSON_GetArraySize(g)) {
        fputs("<h3>Flush cost growth</h3>\n<table><tr><th>job</th><th>flush call</th><th>exponent</th>"
              "<th>exponent (two largest counts)</th><th>us per channel at N max</th></tr>\n",
              f);
        cJSON_ArrayForEach (o, g) {
            fputs("<tr><td>", f);
            html_text(f, jstr(o, "job"));
            fputs("</td><td>", f);
            html_text(f, jstr(o, "flush_call"));
            fputs("</td><td>", f);
            html_num(f, jnum(o, "exponent"), "%.2f");
            fputs("</td><td>", f);
            html_num(f, jnum(o, "exponent_top"), "%.2f");
            fputs("</td><td>", f);
            html_num(f, jnum(o, "per_channel_us_at_n_max"), "%.1f");
            fputs("</td></tr>\n", f);
        }
        fputs("</table>\n", f);
    }
    if (jstr(r->sweep, "recommended_flush_call")) {
        fputs("<p class=\"sum\">Recommendation: flush_call = ", f);
        html_text(f, jstr(r->sweep, "recommended_flush_call"));
        fputs("</p>\n", f);
    }
}

/* The sweep's runs: one row each. */
static void sweep_runs(rh_t *r)
{
    FILE *f = r->f;
    const cJSON *runs = cJSON_GetObjectItemCaseSensitive(r->sweep, "runs"), *o;
    if (!cJSON_IsArray(runs))
        return;
    int bad = 0, n = 0;
    cJSON_ArrayForEach (o, runs) {
        n++;
        bad += jnum(o, "exit_code") != 0 || jnum(o, "errors") != 0;
    }
    fprintf(f, "<h3>Sweep runs</h3>\n<p class=\"sum %s\">%d runs, %d with errors or a non-zero exit.</p>\n",
            bad ? "bad" : "ok", n, bad);
    fputs("<table><tr><th>result</th><th>config</th><th>repeat</th><th>job</th><th>mode</th><th>readers</th>"
          "<th>MB/s</th><th>flush p50 us</th><th>lag p50 us</th><th>lag p99 us</th><th>errors</th></tr>\n",
          f);
    cJSON_ArrayForEach (o, runs) {
        bool fine = jnum(o, "exit_code") == 0 && jnum(o, "errors") == 0;
        char res[32];
        snprintf(res, sizeof res, fine ? "ok" : "exit %.0f", jnum(o, "exit_code"));
        fputs("<tr>", f);
        verdict_cell(f, res);
        fputs("<td>", f);
        html_num(f, jnum(o, "config"), "%.0f");
        fputs("</td><td>", f);
        html_num(f, jnum(o, "repeat"), "%.0f");
        fputs("</td><td>", f);
        html_text(f, jstr(o, "job"));
        fputs("</td><td>", f);
        html_text(f, jstr(o, "writer_mode"));
        if (jstr(o, "reader_mode") && strcmp(jstr(o, "reader_mode"), "h5swmr")) {
            fputs(" / ", f);
            html_text(f, jstr(o, "reader_mode"));
        }
        fputs("</td><td>", f);
        html_text(f, jstr(cJSON_GetObjectItemCaseSensitive(o, "scenario"), "readers"));
        fputs("</td><td>", f);
        html_num(f, jnum(o, "writer_MBps"), "%.1f");
        fputs("</td><td>", f);
        html_num(f, jnum(o, "flush_p50_us"), "%.1f");
        fputs("</td><td>", f);
        html_num(f, jnum(o, "lag_p50_us"), "%.0f");
        fputs("</td><td>", f);
        html_num(f, jnum(o, "lag_p99_us"), "%.0f");
        fputs("</td><td>", f);
        html_num(f, jnum(o, "errors"), "%.0f");
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* One figure object of advise.json as text: "lag p99 12 ms [10, 14] (400
 * events), writer 0.1 %, 2 % per reader". */
static void advise_figures(FILE *f, const cJSON *g)
{
    fputs("lag p99 ", f);
    html_num(f, jnum(g, "lag_p99_ms"), "%.4g");
    fputs(" ms [", f);
    html_num(f, jnum(g, "lag_p99_lo_ms"), "%.4g");
    fputs(", ", f);
    html_num(f, jnum(g, "lag_p99_hi_ms"), "%.4g");
    fputs("] (", f);
    html_num(f, jnum(g, "events"), "%.0f");
    fputs(" events), writer ", f);
    html_num(f, jnum(g, "writer_busy_pct"), "%.3g");
    fputs(" % of a core, ", f);
    html_num(f, jnum(g, "reader_cpu_pct"), "%.3g");
    fputs(" % per reader", f);
}

/* The advisor's recommendation (or nearest policy), its confirmation and
 * the Pareto front (advise.json). */
static void advise_verdicts(rh_t *r)
{
    FILE *f = r->f;
    const cJSON *a = r->advise, *o;
    bool feasible = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "feasible"));
    const cJSON *rec = cJSON_GetObjectItemCaseSensitive(a, feasible ? "recommendation" : "nearest");
    const cJSON *need = cJSON_GetObjectItemCaseSensitive(a, "needs");
    fputs("<h3>Flush and poll policy (h5swmr advise)</h3>\n", f);
    fputs("<p>Lag budget: p99 &le; ", f);
    html_num(f, jnum(need, "lag_p99_ms"), "%g");
    fputs(" ms (", f);
    html_text(f, jstr(need, "lag"));
    fputs(").</p>\n", f);
    const cJSON *pol = cJSON_GetObjectItemCaseSensitive(rec, "policy");
    fprintf(f, "<p class=\"sum %s\">%s: ", feasible ? "ok" : "bad",
            feasible ? "Recommended" : "No policy meets the budget on this machine; the nearest");
    html_text(f, jstr(pol, "text") ? jstr(pol, "text") : "(none)");
    fputs("</p>\n", f);
    if (!rec)
        return;
    fputs("<table><tr><th>verdict</th><th>measured</th><th>figures</th></tr>\n<tr>", f);
    verdict_cell(f, jstr(rec, "verdict"));
    fputs("<td>search (compressed pace)</td><td>", f);
    advise_figures(f, cJSON_GetObjectItemCaseSensitive(rec, "figures"));
    fputs("</td></tr>\n", f);
    const cJSON *conf = cJSON_GetObjectItemCaseSensitive(rec, "confirmation");
    if (conf) {
        fputs("<tr>", f);
        verdict_cell(f, jstr(conf, "verdict"));
        fputs("<td>confirmation (real pace)</td><td>", f);
        advise_figures(f, conf);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n<p>As scenario keys: <code>", f);
    html_text(f, jstr(pol, "scenario_keys"));
    fputs("</code></p>\n", f);
    const cJSON *front = cJSON_GetObjectItemCaseSensitive(a, "front");
    if (!cJSON_IsArray(front))
        return;
    fputs("<p>The Pareto front (no other policy has both a lower lag p99 and a lower total CPU):</p>\n"
          "<table><tr><th>verdict</th><th>policy</th><th>figures</th><th>source</th></tr>\n",
          f);
    cJSON_ArrayForEach (o, front) {
        fputs("<tr>", f);
        verdict_cell(f, jstr(o, "verdict"));
        fputs("<td>", f);
        html_text(f, jstr(cJSON_GetObjectItemCaseSensitive(o, "policy"), "text"));
        fputs("</td><td>", f);
        advise_figures(f, cJSON_GetObjectItemCaseSensitive(o, "figures"));
        fprintf(f, "</td><td>%s</td></tr>\n",
                cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "measured")) ? "measured" : "predicted");
    }
    fputs("</table>\n", f);
}

/* Writes the Markdown line of ci/hdf5-matrix's table as table cells of
 * kind (th or td); the line starts with '|'. A cell ends at a '|' that is
 * not escaped (a backslash before it makes it part of the cell); bold and
 * code marks are dropped. */
static void matrix_row(FILE *f, const char *line, const char *kind)
{
    fputs("<tr>", f);
    const char *c = line + 1;
    while (*c) {
        char cell[1024];
        size_t n = 0;
        while (*c && *c != '|') {
            if (c[0] == '\\' && c[1] == '|')
                c++;
            if (c[0] == '*' && c[1] == '*')
                c += 2;
            else if (*c == '`')
                c++;
            else if (n + 1 < sizeof cell)
                cell[n++] = *c++;
            else
                c++;
        }
        if (!*c) /* the text after the last '|' */
            break;
        c++;
        while (n && cell[n - 1] == ' ')
            n--;
        cell[n] = '\0';
        fprintf(f, "<%s>", kind);
        html_text(f, cell + strspn(cell, " "));
        fprintf(f, "</%s>", kind);
    }
    fputs("</tr>\n", f);
}

/* The table of ci/hdf5-matrix (matrix.md): its title, the table with a
 * column per HDF5 version, and its closing lines (conformance, GREEN/RED). */
static void matrix_verdicts(rh_t *r)
{
    FILE *f = r->f;
    fputs("<h3>HDF5 version matrix</h3>\n", f);
    bool in_table = false, header = false;
    for (char *line = r->matrix, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (line[0] == '|') {
            if (!in_table) {
                fputs("<table>\n", f);
                in_table = header = true;
            }
            if (strspn(line, "|-: ") == strlen(line)) /* the separator line */
                continue;
            matrix_row(f, line, header ? "th" : "td");
            header = false;
            continue;
        }
        if (in_table) {
            fputs("</table>\n", f);
            in_table = false;
        }
        while (*line == '#' || *line == ' ')
            line++;
        if (!*line)
            continue;
        bool green = strstr(line, "Matrix: GREEN") != NULL, red = strstr(line, "Matrix: RED") != NULL;
        fprintf(f, "<p%s>", green ? " class=\"sum ok\"" : red ? " class=\"sum bad\"" : "");
        html_text(f, line);
        fputs("</p>\n", f);
    }
    if (in_table)
        fputs("</table>\n", f);
}

/* The gate's verdicts (gate.json). */
static void gate_verdicts(rh_t *r)
{
    FILE *f = r->f;
    const cJSON *g = r->gate, *o;
    bool failed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "failed"));
    fputs("<h3>Regression gate</h3>\n", f);
    fprintf(f, "<p class=\"sum %s\">", failed ? "bad" : "ok");
    html_text(f, jstr(g, "closing") ? jstr(g, "closing") : "(no closing line)");
    fputs("</p>\n<p>", f);
    html_text(f, jstr(g, "what"));
    fputs("</p>\n", f);
    const cJSON *figs = cJSON_GetObjectItemCaseSensitive(g, "figures");
    if (!cJSON_IsArray(figs))
        return;
    fputs("<table><tr><th>verdict</th><th>configuration</th><th>figure</th></tr>\n", f);
    cJSON_ArrayForEach (o, figs) {
        fputs("<tr>", f);
        verdict_cell(f, jstr(o, "verdict"));
        fputs("<td><code>", f);
        html_text(f, jstr(o, "configuration"));
        fputs("</code></td><td>", f);
        html_text(f, jstr(o, "figure"));
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* The value of attribute name in the tag that starts at tag (up to its '>'),
 * XML entities replaced, into out; false if absent. */
static bool xml_attr(const char *tag, const char *name, char *out, size_t cap)
{
    const char *end = strchr(tag, '>');
    char pat[64];
    snprintf(pat, sizeof pat, " %s=\"", name);
    const char *p = strstr(tag, pat);
    if (!p || !end || p > end)
        return false;
    p += strlen(pat);
    size_t n = 0;
    static const char *const ent[][2] = {
        {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}};
    while (*p && *p != '"' && n + 1 < cap) {
        size_t k = 0;
        while (k < 5 && strncmp(p, ent[k][0], strlen(ent[k][0])))
            k++;
        if (k < 5) {
            out[n++] = ent[k][1][0];
            p += strlen(ent[k][0]);
        } else
            out[n++] = *p++;
    }
    out[n] = '\0';
    return true;
}

/* The cases of a JUnit file of h5swmr check. */
static void check_junit(rh_t *r, const char *name, const char *text)
{
    FILE *f = r->f;
    char a[1024], b[1024], c[4096];
    const char *suite = strstr(text, "<testsuite ");
    fputs("<h3>Conformance check: ", f);
    html_text(f, name);
    fputs("</h3>\n", f);
    if (suite) {
        double tests = xml_attr(suite, "tests", a, sizeof a) ? atof(a) : 0;
        double fails = xml_attr(suite, "failures", a, sizeof a) ? atof(a) : 0;
        double errs = xml_attr(suite, "errors", a, sizeof a) ? atof(a) : 0;
        fprintf(f, "<p class=\"sum %s\">%.0f case%s: %.0f as expected, %.0f differ, %.0f errors.</p>\n",
                fails + errs ? "bad" : "ok", tests, tests == 1 ? "" : "s", tests - fails - errs, fails, errs);
    }
    fputs("<table><tr><th>verdict</th><th>case</th><th>group</th><th>outcome</th></tr>\n", f);
    for (const char *t = strstr(text, "<testcase "); t; t = strstr(t + 1, "<testcase ")) {
        const char *end = strstr(t, "</testcase>");
        const char *fl = strstr(t, "<failure message=\""), *er = strstr(t, "<error message=\"");
        const char *bad = fl && (!end || fl < end) ? fl : er && (!end || er < end) ? er : NULL;
        if (!xml_attr(t, "name", a, sizeof a))
            continue;
        if (!xml_attr(t, "classname", b, sizeof b))
            b[0] = '\0';
        if (!bad || !xml_attr(bad, "message", c, sizeof c))
            snprintf(c, sizeof c, "as expected");
        fputs("<tr>", f);
        verdict_cell(f, bad ? "DIFFERS" : "ok");
        fputs("<td>", f);
        html_text(f, a);
        fputs("</td><td>", f);
        html_text(f, !strncmp(b, "h5swmr.check.", 13) ? b + 13 : b);
        fputs("</td><td>", f);
        html_text(f, c);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* The cases of a TAP stream of h5swmr check. */
static void check_tap(rh_t *r, const char *name, char *text)
{
    FILE *f = r->f;
    int ok = 0, notok = 0;
    fputs("<h3>Conformance check: ", f);
    html_text(f, name);
    fputs("</h3>\n<table><tr><th>verdict</th><th>case</th><th>outcome</th></tr>\n", f);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        bool good = !strncmp(line, "ok ", 3), bad = !strncmp(line, "not ok ", 7);
        if (!good && !bad)
            continue;
        ok += good;
        notok += bad;
        char *dash = strstr(line, " - "), *hash = dash ? strstr(dash, " # ") : NULL;
        if (hash)
            *hash = '\0';
        fputs("<tr>", f);
        verdict_cell(f, good ? "ok" : "DIFFERS");
        fputs("<td>", f);
        html_text(f, dash ? dash + 3 : line);
        fputs("</td><td>", f);
        html_text(f, hash ? hash + 3 : "");
        fputs("</td></tr>\n", f);
    }
    fprintf(f, "</table>\n<p class=\"sum %s\">%d case%s: %d as expected, %d differ.</p>\n", notok ? "bad" : "ok",
            ok + notok, ok + notok == 1 ? "" : "s", ok, notok);
}

/* Every JUnit or TAP file of h5swmr check in dir. */
static void check_verdicts(rh_t *r)
{
    for (size_t i = 0; i < r->nfiles; i++) {
        const char *n = r->files[i];
        if (!ends_with(n, ".xml") && !ends_with(n, ".tap"))
            continue;
        char path[8192], why[256];
        size_t len;
        snprintf(path, sizeof path, "%s/%s", r->dir, n);
        char *text = read_text(path, RH_TEXT_MAX, &len, why, sizeof why);
        if (!text) {
            rh_note(r, "%s: skipped: %s", path, why);
            continue;
        }
        if (ends_with(n, ".xml") && is_check_junit(text))
            check_junit(r, n, text);
        else if (ends_with(n, ".tap") && is_check_tap(text))
            check_tap(r, n, text);
        else
            rh_note(r, "%s: skipped: not a report of h5swmr check", path);
        free(text);
    }
}

/* A stress failure kept by h5swmr stress: its seed and its run's table. */
static void stress_verdict(rh_t *r)
{
    FILE *f = r->f;
    char path[8192], why[256];
    size_t len;
    fputs("<h3>Stress failure</h3>\n", f);
    const char *files[] = {"seed.txt", "report.txt"};
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/%s", r->dir, files[k]);
        char *text = read_text(path, RH_TEXT_MAX, &len, why, sizeof why);
        if (!text) {
            rh_note(r, "%s: skipped: %s", path, why);
            continue;
        }
        fputs("<pre>", f);
        html_text(f, text);
        fputs("</pre>\n", f);
        free(text);
    }
}

/* The rows of the processes of one summary.json (label names its run). */
static void summary_rows(FILE *f, const char *label, const cJSON *s)
{
    const cJSON *procs = cJSON_GetObjectItemCaseSensitive(s, "processes"), *p;
    const cJSON *fin = cJSON_GetObjectItemCaseSensitive(s, "finalize");
    const cJSON *all[2] = {procs, fin};
    for (int k = 0; k < 2; k++) {
        const cJSON *list = all[k];
        if (!list)
            continue;
        for (p = cJSON_IsArray(list) ? list->child : list; p; p = cJSON_IsArray(list) ? p->next : NULL) {
            if (!cJSON_IsObject(p))
                continue;
            const cJSON *lag = cJSON_GetObjectItemCaseSensitive(p, "visibility_lag");
            bool fine = jnum(p, "exit_code") == 0 && jnum(p, "errors") == 0;
            fputs("<tr>", f);
            verdict_cell(f, fine ? "ok" : jstr(p, "exit") ? jstr(p, "exit") : "failed");
            fputs("<td>", f);
            html_text(f, label);
            fputs("</td><td>", f);
            html_text(f, jstr(p, "role"));
            if (!isnan(jnum(p, "index")) && jnum(p, "index") > 0)
                html_fmt(f, " %.0f", jnum(p, "index"));
            fputs("</td><td>", f);
            html_text(f, jstr(p, "kind") ? jstr(p, "kind") : "-");
            fputs("</td><td>", f);
            html_num(f, jnum(p, "samples"), "%.0f");
            fputs("</td><td>", f);
            html_num(f, jnum(p, "errors"), "%.0f");
            fputs("</td><td>", f);
            html_num(f, jnum(lag, "p50_us"), "%.0f");
            fputs("</td><td>", f);
            html_num(f, jnum(lag, "p99_us"), "%.0f");
            fputs("</td><td>", f);
            html_text(f, jstr(p, "message"));
            fputs("</td></tr>\n", f);
        }
    }
}

/* The result of each run (dir's own summary.json and those of its
 * subdirectories), per process. Beside a sweep's table only runs that did
 * not pass are listed. */
static void run_verdicts(rh_t *r)
{
    FILE *f = r->f;
    if (!r->summary && !r->nsub)
        return;
    const cJSON *o;
    bool failed = false; /* beside a sweep's table: whether a run did not pass */
    const cJSON *runs = cJSON_GetObjectItemCaseSensitive(r->sweep, "runs");
    cJSON_ArrayForEach (o, runs)
        failed |= jnum(o, "exit_code") != 0 || jnum(o, "errors") != 0;
    if (r->sweep && !failed)
        return;
    fputs("<h3>Runs, per process</h3>\n", f);
    if (r->sweep)
        fputs("<p>Runs of the sweep that did not pass (every run is in the table above):</p>\n", f);
    fputs("<table><tr><th>result</th><th>run (job)</th><th>process</th><th>kind</th><th>samples</th><th>errors</th>"
          "<th>lag p50 us</th><th>lag p99 us</th><th>message</th></tr>\n",
          f);
    if (r->summary) {
        const char *job = jstr(cJSON_GetObjectItemCaseSensitive(r->summary, "scenario"), "job");
        summary_rows(f, job ? job : ".", r->summary);
    }
    for (size_t i = 0; i < r->nsub; i++) {
        char name[8192];
        snprintf(name, sizeof name, "%s/summary.json", r->subdirs[i]);
        cJSON *s = load_json(r, r->dir, name);
        if (!s)
            continue;
        const cJSON *run = cJSON_GetObjectItemCaseSensitive(s, "run");
        if (!r->sweep || jnum(run, "exit_code") != 0)
            summary_rows(f, r->subdirs[i], s);
        if (!r->env && cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(s, "environment")))
            r->env = cJSON_DetachItemFromObjectCaseSensitive(s, "environment");
        cJSON_Delete(s);
    }
    fputs("</table>\n", f);
}

/* ---- plots, environment, commands --------------------------------------------------- */

/* Writes n bytes of data as base64. */
static void base64(FILE *f, const unsigned char *data, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v =
            (unsigned)data[i] << 16 | (i + 1 < n ? (unsigned)data[i + 1] << 8 : 0) | (i + 2 < n ? data[i + 2] : 0);
        char out[4] = {tab[v >> 18 & 63], tab[v >> 12 & 63], i + 1 < n ? tab[v >> 6 & 63] : '=',
                       i + 2 < n ? tab[v & 63] : '='};
        fwrite(out, 1, 4, f);
    }
}

/* Every NAME.svg of dir, inline; a NAME.png without its SVG is noted. */
static void plots(rh_t *r)
{
    FILE *f = r->f;
    int n = 0;
    fputs("<h2 id=\"plots\">Plots</h2>\n", f);
    for (size_t i = 0; i < r->nfiles; i++) {
        const char *name = r->files[i];
        char path[8192], why[256];
        if (ends_with(name, ".png")) {
            snprintf(path, sizeof path, "%.*s.svg", (int)strlen(name) - 4, name);
            if (!has_file(r, path))
                rh_note(r, "%s/%s: not shown: no %s beside it (h5swmr plot writes both)", r->dir, name, path);
            continue;
        }
        if (!ends_with(name, ".svg"))
            continue;
        size_t len;
        snprintf(path, sizeof path, "%s/%s", r->dir, name);
        char *svg = read_text(path, RH_TEXT_MAX, &len, why, sizeof why);
        const char *start = svg;
        while (start && (*start == ' ' || *start == '\n' || *start == '\r' || *start == '\t'))
            start++;
        if (svg && strncmp(start, "<?xml", 5) && strncmp(start, "<svg", 4))
            snprintf(why, sizeof why, "not an SVG file");
        if (!svg || (strncmp(start, "<?xml", 5) && strncmp(start, "<svg", 4))) {
            rh_note(r, "%s: skipped: %s", path, why);
            free(svg);
            continue;
        }
        fputs("<figure><img alt=\"", f);
        html_text(f, name);
        fputs("\" src=\"data:image/svg+xml;base64,", f);
        base64(f, (const unsigned char *)svg, len);
        fputs("\"><figcaption>", f);
        html_text(f, name);
        fputs("</figcaption></figure>\n", f);
        free(svg);
        n++;
    }
    if (!n)
        fputs("<p>No plots in this directory (h5swmr plot DIR makes them from a sweep's results).</p>\n", f);
}

/* The environment the results were measured in. */
static void environment(rh_t *r)
{
    FILE *f = r->f;
    fputs("<h2 id=\"environment\">Environment</h2>\n", f);
    if (!cJSON_IsObject(r->env)) {
        fputs("<p>No environment recorded (no sweep.json or summary.json here).</p>\n", f);
        return;
    }
    fputs("<table class=\"kv\">\n", f);
    const cJSON *o;
    cJSON_ArrayForEach (o, r->env) {
        if (!cJSON_IsString(o) && !cJSON_IsNumber(o) && !cJSON_IsBool(o))
            continue;
        fputs("<tr><th>", f);
        html_text(f, o->string);
        fputs("</th><td>", f);
        if (cJSON_IsString(o))
            html_text(f, o->valuestring[0] ? o->valuestring : "(unset)");
        else if (cJSON_IsNumber(o))
            html_fmt(f, "%g", o->valuedouble);
        else
            fputs(cJSON_IsTrue(o) ? "true" : "false", f);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* The commands that reproduce the results, as far as the files say. */
static void commands_section(rh_t *r)
{
    FILE *f = r->f;
    fputs("<h2 id=\"reproduce\">Reproduce</h2>\n<pre class=\"cmd\">", f);
    if (r->sweep && jstr(r->sweep, "scenario_file")) {
        fputs("h5swmr sweep ", f);
        html_shell_word(f, jstr(r->sweep, "scenario_file"));
        fputs("\nh5swmr plot ", f);
        html_shell_word(f, r->dir);
        fputs("\n", f);
    }
    const cJSON *cmds[2] = {r->gate, r->advise};
    for (int k = 0; k < 2; k++) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(cmds[k], "command"), *w;
        if (cJSON_IsArray(a)) {
            bool first = true;
            cJSON_ArrayForEach (w, a) {
                if (!cJSON_IsString(w))
                    continue;
                if (!first)
                    fputc(' ', f);
                html_shell_word(f, w->valuestring);
                first = false;
            }
            fputs("\n", f);
        }
    }
    if (r->stress_failure) {
        fputs("h5swmr stress --replay ", f);
        html_shell_word(f, r->dir);
        fputs("\n", f);
    } else if (r->summary) {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(r->summary, "scenario");
        fputs("# the run's resolved settings are in summary.json (scenario); with its scenario file:\nh5swmr run ", f);
        html_shell_word(f, jstr(s, "scenario") ? jstr(s, "scenario") : "SCENARIO");
        fputs(".ini\n", f);
    }
    if (r->matrix) {
        /* the versions from the table's title, "## HDF5 version matrix: V... (time, host, cores)" */
        /* only its first line: independent of whether matrix_verdicts has split the text */
        const char *end1 = r->matrix + strcspn(r->matrix, "\n");
        const char *t = strstr(r->matrix, "version matrix: ");
        const char *e = t && t < end1 ? strstr(t, " (") : NULL;
        if (e && e > end1)
            e = NULL;
        fputs("ci/hdf5-matrix", f);
        if (t && e && e - t < 600) {
            char v[640];
            t += strlen("version matrix: ");
            snprintf(v, sizeof v, "%.*s", (int)(e - t), t);
            for (char *w = strtok(v, " "); w; w = strtok(NULL, " ")) {
                fputc(' ', f);
                html_shell_word(f, w);
            }
        }
        fputs("   # from the source tree\n", f);
    }
    if (r->nchecks)
        fputs("h5swmr check --junit FILE   # or --tap; the expectations used are named in the report\n", f);
    fputs("h5swmr report ", f);
    html_shell_word(f, r->dir);
    fputs("</pre>\n", f);
}

/* ---- the page ------------------------------------------------------------------------- */

static const char css[] =
    "body{font:15px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:1200px;padding:0 1em;color:#222}"
    "h1{font-size:1.5em}h2{border-bottom:2px solid #ccc;padding-bottom:.2em;margin-top:1.8em}"
    "table{border-collapse:collapse;margin:.5em 0;font-size:13px}th,td{border:1px solid #ccc;padding:2px 6px;"
    "text-align:left;vertical-align:top}th{background:#f0f0f0}td.v{font-weight:bold;white-space:nowrap}"
    ".ok{color:#05691f}.bad{color:#b00020}.warn{color:#9a5b00}.na{color:#666}td.ok{background:#e6f4ea}"
    "td.bad{background:#fde7e9}td.warn{background:#fff4e0}p.sum{font-weight:bold}"
    "figure{margin:1em 0;border:1px solid #ddd;padding:.5em}figure img{width:100%;height:auto;display:block}"
    "figcaption{color:#555;font-size:13px}pre{background:#f6f6f6;padding:.6em;overflow-x:auto}"
    "pre.cmd{white-space:pre-wrap}code{font-size:12px}.notes li{color:#555}";

/* Writes the whole page into r->f. */
static void page(rh_t *r)
{
    FILE *f = r->f;
    char stamp[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S UTC", &tm);
    const char *base = strrchr(r->dir, '/') && strrchr(r->dir, '/')[1] ? strrchr(r->dir, '/') + 1 : r->dir;
    fprintf(f,
            "<!DOCTYPE html>\n%s\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
            "<meta name=\"generator\" content=\"h5swmr %s\">\n<title>h5swmr report: ",
            RH_MARK, H5SWMR_VERSION);
    html_text(f, base);
    fprintf(f, "</title>\n<style>%s</style></head><body>\n<h1>h5swmr report: ", css);
    html_text(f, base);
    fputs("</h1>\n<p>Results directory <code>", f);
    html_text(f, r->dir);
    fprintf(f, "</code>; this page written %s by h5swmr %s.</p>\n", stamp, H5SWMR_VERSION);
    fputs("<h2 id=\"verdicts\">Verdicts</h2>\n", f);
    if (r->matrix)
        matrix_verdicts(r);
    if (r->gate)
        gate_verdicts(r);
    if (r->advise)
        advise_verdicts(r);
    if (r->sweep)
        sweep_verdicts(r);
    check_verdicts(r);
    if (r->stress_failure)
        stress_verdict(r);
    if (r->sweep)
        sweep_runs(r);
    run_verdicts(r);
    plots(r);
    environment(r);
    commands_section(r);
    if (r->nnotes) {
        fputs("<h2 id=\"notes\">Files not shown</h2>\n<ul class=\"notes\">\n", f);
        for (int i = 0; i < r->nnotes; i++) {
            fputs("<li>", f);
            html_text(f, r->notes[i]);
            fputs("</li>\n", f);
        }
        fputs("</ul>\n", f);
    }
    fputs("</body></html>\n", f);
}

/* Whether the existing path may be replaced: absent, or a regular file
 * (not a link) that starts as the pages written here do. 0 (*exists set),
 * or -1 with msg. */
static int may_replace(const char *path, bool *exists, char *msg, size_t cap)
{
    struct stat st;
    *exists = false;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : (snprintf(msg, cap, "%s: %s", path, strerror(errno)), -1);
    if (S_ISLNK(st.st_mode))
        return snprintf(msg, cap, "%s is a symbolic link: not replaced", path), -1;
    if (!S_ISREG(st.st_mode))
        return snprintf(msg, cap, "%s exists and is not a regular file: not replaced", path), -1;
    char head[160] = "", why[256];
    FILE *in = h5s_open_input(path, 0, why, sizeof why);
    size_t n = in ? fread(head, 1, sizeof head - 1, in) : 0;
    if (in)
        fclose(in);
    head[n] = '\0';
    char want[160];
    snprintf(want, sizeof want, "<!DOCTYPE html>\n%s\n", RH_MARK);
    if (strncmp(head, want, strlen(want)))
        return snprintf(msg, cap, "%s was not written by h5swmr: not replaced (move it away to get the report)", path),
               -1;
    *exists = true;
    return 0;
}

/* Frees what r holds. */
static void rh_free(rh_t *r)
{
    cJSON_Delete(r->sweep);
    cJSON_Delete(r->gate);
    cJSON_Delete(r->advise);
    cJSON_Delete(r->summary);
    cJSON_Delete(r->env);
    free(r->matrix);
    for (size_t i = 0; i < r->nfiles; i++)
        free(r->files[i]);
    for (size_t i = 0; i < r->nsub; i++)
        free(r->subdirs[i]);
    free(r->files);
    free(r->subdirs);
    free(r);
}

int report_html_write(const char *given, char *path, size_t cap, h5s_err_t *err)
{
    char tmp[8200], msg[8400], dir[4096];
    /* the directory without trailing slashes ("/" stays) */
    if (!realpath(given, dir))
        snprintf(dir, sizeof dir, "%s", given);
    for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/';)
        dir[--n] = '\0';
    struct stat st;
    int rc = 0;
    err->code = 0;
    err->msg[0] = '\0';
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err->msg, sizeof err->msg, "%.700s: %s", dir,
                 stat(dir, &st) != 0 ? strerror(errno) : "not a directory (give a results directory)");
        return err->code = H5S_EINVAL;
    }
    if ((size_t)snprintf(path, cap, "%s/%s", dir, REPORT_HTML_NAME) >= cap) {
        snprintf(err->msg, sizeof err->msg, "%.700s: path too long", dir);
        return err->code = H5S_EINVAL;
    }
    rh_t *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err->msg, sizeof err->msg, "out of memory");
        return err->code = H5S_ENOMEM;
    }
    r->dir = dir;
    if ((rc = scan(r, err)) != 0)
        goto out;
    r->sweep = load_json(r, dir, "sweep.json");
    r->gate = load_json(r, dir, "gate.json");
    r->advise = load_json(r, dir, "advise.json");
    r->summary = load_json(r, dir, "summary.json");
    if (has_file(r, "matrix.md")) {
        char p[8192], why[256];
        size_t len;
        snprintf(p, sizeof p, "%s/matrix.md", dir);
        if (!(r->matrix = read_text(p, RH_TEXT_MAX, &len, why, sizeof why)))
            rh_note(r, "matrix.md: %s", why);
    }
    r->stress_failure = has_file(r, "seed.txt") && has_file(r, "resolved.ini") && r->summary;
    for (size_t i = 0; i < r->nfiles; i++) {
        char p[8192], why[256], *text;
        size_t len;
        if (!ends_with(r->files[i], ".xml") && !ends_with(r->files[i], ".tap"))
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, r->files[i]);
        if ((text = read_text(p, RH_TEXT_MAX, &len, why, sizeof why)))
            r->nchecks += is_check_junit(text) || is_check_tap(text);
        free(text);
    }
    cJSON *envsrc = r->sweep ? r->sweep : r->advise ? r->advise : r->summary ? r->summary : r->gate;
    if (envsrc && cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(envsrc, "environment")))
        r->env = cJSON_DetachItemFromObjectCaseSensitive(envsrc, "environment");
    if (!r->sweep && !r->gate && !r->advise && !r->summary && !r->nsub && !r->nchecks && !r->matrix) {
        snprintf(err->msg, sizeof err->msg,
                 "%.700s is not a results directory of h5swmr (no sweep.json, summary.json, gate.json, "
                 "advise.json, matrix.md, report of h5swmr check, nor a run's directory in it)",
                 dir);
        rc = err->code = H5S_EINVAL;
        goto out;
    }
    bool exists;
    if (may_replace(path, &exists, msg, sizeof msg) != 0) {
        snprintf(err->msg, sizeof err->msg, "%.1000s", msg);
        rc = err->code = H5S_EINVAL;
        goto out;
    }
    if (!(r->f = h5s_output_begin(path, tmp, sizeof tmp, msg, sizeof msg))) {
        snprintf(err->msg, sizeof err->msg, "%.1000s", msg);
        rc = err->code = H5S_ESYS;
        goto out;
    }
    page(r);
    /* checked again just before the rename: the file there now must still be ours */
    if (may_replace(path, &exists, msg, sizeof msg) != 0) {
        fclose(r->f);
        unlink(tmp);
        snprintf(err->msg, sizeof err->msg, "%.1000s", msg);
        rc = err->code = H5S_EINVAL;
        goto out;
    }
    if (h5s_output_commit(r->f, tmp, path, exists, msg, sizeof msg) != 0) {
        snprintf(err->msg, sizeof err->msg, "%.1000s", msg);
        rc = err->code = H5S_ESYS;
    }
out:
    rh_free(r);
    return rc;
}

void report_html_after(const char *dir, FILE *out)
{
    char path[8192];
    h5s_err_t err;
    if (report_html_write(dir, path, sizeof path, &err) == 0) {
        cli_one_line(path);
        fprintf(out, "report: %s\n", path);
    } else {
        cli_one_line(err.msg);
        fprintf(out, "report: not written: %s\n", err.msg);
    }
    fflush(out);
}

void report_html_beside(const char *file, FILE *out)
{
    char dir[4096];
    struct stat st;
    if (lstat(file, &st) != 0 || !S_ISREG(st.st_mode))
        return; /* no file was written there (--junit /dev/null): no results beside it */
    h5s_parent_dir(file, dir, sizeof dir);
    report_html_after(dir, out);
}

/* ---- the command ------------------------------------------------------------------------ */

static const cli_opt_t report_opts[] = {{NULL, 0, NULL, NULL}};

/* h5swmr report DIR: writes DIR/report.html; 0, 2 for bad input, 1 when
 * writing failed. */
static int cmd_report(int argc, char **argv)
{
    cli_parser_t p;
    const char *v, *dir = NULL;
    int opt;
    cli_begin(&p, &cmd_report_def, argc, argv);
    while ((opt = cli_next(&p, &v)) != CLI_END) {
        if (opt == CLI_HELP)
            return 0;
        if (opt == CLI_ERROR)
            return EXIT_USAGE;
        if (dir)
            return cli_usage_error(&cmd_report_def, "one results directory only (see h5swmr report --help)");
        dir = v;
    }
    if (!dir || !dir[0])
        return cli_usage_error(&cmd_report_def, "needs a results directory (see h5swmr report --help)");
    char path[8192];
    h5s_err_t err;
    int rc = report_html_write(dir, path, sizeof path, &err);
    if (rc != 0)
        return cmd_fail(rc == H5S_EINVAL ? EXIT_USAGE : EXIT_FAIL, "%s", err.msg);
    cli_one_line(path);
    printf("report: %s\n", path);
    return 0;
}

const cli_cmd_t cmd_report_def = {
    .name = "report",
    .synopsis = "DIR",
    .summary = "one self-contained report.html of a results directory",
    .help = "Writes DIR/report.html: one file that needs nothing else (no network, no script), for\n"
            "people and for CI systems that keep it as an artefact. First the verdicts: a sweep's\n"
            "targets met or missed, the gate's verdicts (gate.json), the outcomes of h5swmr check\n"
            "(its --junit XML or --tap output saved as *.tap), a kept stress failure, and the result\n"
            "of each run per process; then every plot (NAME.svg, embedded); the environment (host,\n"
            "CPU, kernel, file system, HDF5); and the commands that reproduce the results.\n"
            "\n"
            "sweep, gate --run, check --junit and stress write it when they end. A report.html that\n"
            "h5swmr did not write (or a link) is never replaced. Files it does not know or cannot\n"
            "read are listed at the end of the page.\n"
            "\n"
            "Exit status: 0 written, 1 writing failed, 2 DIR is not a results directory or its\n"
            "report.html may not be replaced.\n",
    .opts = report_opts,
    .handler = cmd_report,
    .needs_hdf5 = false,
};
