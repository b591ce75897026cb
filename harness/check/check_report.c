/* check_report.c - the reports of `h5swmr check`: a table for people, TAP
 * version 13 and JUnit XML for CI. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_driver.h"

/* User text for a one-line message: control characters become '?', text
 * longer than cap is cut with "...". Returns buf. */
const char *chk_shown(const char *s, char *buf, size_t cap)
{
    size_t i = 0;
    for (; s[i] && i + 4 < cap; i++)
        buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    if (s[i] && i + 4 <= cap)
        memcpy(buf + i, "...", 3), i += 3;
    buf[i] = '\0';
    return buf;
}

/* ---- the table and TAP ------------------------------------------------------------ */

/* The explanation of a case's outcome: the case's own, else the table's. */
static const char *why_of(const chk_result_t *r)
{
    return r->seen.why[0] ? r->seen.why : r->c->why;
}

/* The header of the table or of the TAP stream. */
void chk_print_header(const chk_suite_t *k, size_t nsel)
{
    char dir[PATH_MAX], ex[PATH_MAX];
    chk_shown(k->workdir, dir, sizeof dir);
    chk_shown(k->expect_file[0] ? k->expect_file : "built-in (HDF5 1.10.8)", ex, sizeof ex);
    if (k->o.tap) {
        printf("TAP version 13\n");
        printf("# h5swmr %s, HDF5 %s, data directory %s (%s), expectations %s\n", H5SWMR_VERSION, k->hdf5, dir, k->fs,
               ex);
        printf("1..%zu\n", nsel);
    } else {
        printf("h5swmr check: HDF5 %s, data directory %s (%s)\n", k->hdf5, dir, k->fs);
        printf("expectations: %s\n", ex);
        if (!k->o.quiet)
            printf("\n%-26s %-*s %-*s %-7s %s\n", "CASE", k->width, "EXPECTED", k->width, "SEEN", "VERDICT", "TIME");
    }
    fflush(stdout);
}

/* A YAML double-quoted scalar. */
static void yaml_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\x%02x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

/* Where a case's outcome comes from, for reports: "h5swmr" for h5swmr's own
 * guards, "hdf5" for HDF5 (the guide's and HDF5's rules, integrity runs), "filesystem". */
static const char *decided_by(const chk_case_t *c)
{
    return !strcmp(c->group, "h5swmr") ? "h5swmr" : !strcmp(c->group, "filesystem") ? "filesystem" : "hdf5";
}

/* A line that opens a group of cases (the table, and a TAP comment). */
void chk_print_group(const chk_suite_t *k, const char *group)
{
    const char *t = chk_group_title(group);
    if (k->o.tap)
        printf("# group %s: %s\n", group, t ? t : group);
    else if (!k->o.quiet)
        printf("\n-- %s: %s\n", group, t ? t : group);
}

/* One case's result: a TAP line with its YAML block, or table rows. */
void chk_print_result(const chk_suite_t *k, const chk_result_t *r, size_t num)
{
    const chk_outcome_t *o = &r->seen;
    char where[PATH_MAX];
    chk_shown(r->dir, where, sizeof where);
    if (k->o.tap) {
        if (r->ok)
            printf("ok %zu - %s # %s\n", num, r->c->name, o->token);
        else
            printf("not ok %zu - %s # expected %s, seen %s\n", num, r->c->name, r->expected, o->token);
        /* diagnostics a TAP consumer shows even without the YAML block */
        if (o->retries)
            printf("# %s: retried %d time%s: %s\n", r->c->name, o->retries, o->retries == 1 ? "" : "s", o->retry_note);
        if (o->frequency[0])
            printf("# %s: %s\n", r->c->name, o->frequency);
        if (r->kept && !r->ok)
            printf("# %s: data kept in %s\n", r->c->name, where);
        printf("  ---\n  group: %s\n  decided_by: %s\n  expected: ", r->c->group, decided_by(r->c));
        yaml_str(stdout, r->expected);
        printf("\n  seen: ");
        yaml_str(stdout, o->token);
        printf("\n  expectation_from: ");
        yaml_str(stdout, r->source);
        printf("\n  detail: ");
        yaml_str(stdout, o->detail);
        printf("\n  explanation: ");
        yaml_str(stdout, why_of(r));
        printf("\n  retries: %d", o->retries);
        if (o->retries) {
            printf("\n  retry_note: ");
            yaml_str(stdout, o->retry_note);
        }
        if (o->frequency[0]) {
            printf("\n  frequency: ");
            yaml_str(stdout, o->frequency);
        }
        if (r->kept) {
            printf("\n  data_kept: ");
            yaml_str(stdout, where);
        }
        printf("\n  duration_s: %.3f\n  ...\n", r->secs);
    } else if (!k->o.quiet || !r->ok) {
        printf("%-26s %-*s %-*s %-7s %6.2fs\n", r->c->name, k->width, r->expected, k->width, o->token,
               r->ok ? "ok" : "DIFF", r->secs);
        printf("    why:  %s\n", why_of(r));
        printf("    saw:  %s\n", o->detail);
        if (o->frequency[0])
            printf("    freq: %s\n", o->frequency);
        if (o->retries)
            printf("    retry: %d time%s: %s\n", o->retries, o->retries == 1 ? "" : "s", o->retry_note);
        if (!r->ok)
            printf("    diff: expected %s (%s), seen %s\n", r->expected, r->source, o->token);
        if (r->kept && !r->ok)
            printf("    data: kept in %s\n", where);
    }
    fflush(stdout);
}

/* "by group: h5swmr 3/3, guide 6/6, ..." (as expected / run), into buf. */
static const char *group_counts(const chk_suite_t *k, char *buf, size_t cap)
{
    size_t l = (size_t)snprintf(buf, cap, "by group:");
    for (size_t i = 0; i < k->ncases && l < cap; i++) {
        bool first = true;
        for (size_t j = 0; j < i && first; j++)
            first = strcmp(k->cases[j].group, k->cases[i].group) != 0;
        if (!first)
            continue;
        size_t run = 0, ok = 0;
        for (size_t j = i; j < k->ncases; j++)
            if (!strcmp(k->cases[j].group, k->cases[i].group) && k->res[j].ran) {
                run++;
                ok += k->res[j].ok;
            }
        if (run)
            l += (size_t)snprintf(buf + l, cap - l, "%s %s %zu/%zu", l > 9 ? "," : "", k->cases[i].group, ok, run);
    }
    if (l < cap)
        snprintf(buf + l, cap - l, " as expected (h5swmr: h5swmr's own guards, not HDF5)");
    return buf;
}

/* The summary: counts, per group, and the cases that differ. */
void chk_print_summary(const chk_suite_t *k, size_t nsel, size_t nrun, size_t ndiff, double secs)
{
    char groups[512];
    group_counts(k, groups, sizeof groups);
    if (k->o.tap) {
        printf("# %zu cases: %zu as expected, %zu differ%s (%.1f s)\n", nrun, nrun - ndiff, ndiff,
               k->interrupted ? ", interrupted" : "", secs);
        printf("# %s\n", groups);
    } else {
        printf("\n%zu case%s: %zu as expected, %zu differ", nrun, nrun == 1 ? "" : "s", nrun - ndiff, ndiff);
        if (nrun < nsel)
            printf(", %zu not run", nsel - nrun);
        printf("%s (%.1f s)\n", k->interrupted ? ", interrupted" : "", secs);
        printf("%s\n", groups);
        for (size_t i = 0; i < k->ncases; i++) {
            const chk_result_t *r = &k->res[i];
            if (r->ran && !r->ok)
                printf("  DIFF %s: expected %s, seen %s\n", r->c->name, r->expected, r->seen.token);
        }
    }
    fflush(stdout);
}

/* ---- JUnit XML --------------------------------------------------------------------- */

/* Writes text with XML escapes; bytes that are not valid UTF-8 or not allowed
 * in XML 1.0 become '?'. */
static void xml_str(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned char ch = *p;
        if (ch < 0x80) {
            if (ch == '&')
                fputs("&amp;", f);
            else if (ch == '<')
                fputs("&lt;", f);
            else if (ch == '>')
                fputs("&gt;", f);
            else if (ch == '"')
                fputs("&quot;", f);
            else if (ch == '\'')
                fputs("&apos;", f);
            else if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
                fputc('?', f);
            else
                fputc(ch, f);
            p++;
            continue;
        }
        int n = ch >= 0xF0 && ch <= 0xF4 ? 4 : ch >= 0xE0 ? 3 : ch >= 0xC2 && ch <= 0xDF ? 2 : 0;
        int ok = n > 0;
        for (int i = 1; ok && i < n; i++)
            ok = (p[i] & 0xC0) == 0x80;
        if (ok && n == 3 &&
            ((ch == 0xE0 && p[1] < 0xA0) || (ch == 0xED && p[1] >= 0xA0) ||
             (ch == 0xEF && p[1] == 0xBF && p[2] >= 0xBE)))
            ok = 0; /* overlong, surrogate, U+FFFE/FFFF */
        if (ok && n == 4 && ((ch == 0xF0 && p[1] < 0x90) || (ch == 0xF4 && p[1] >= 0x90)))
            ok = 0;
        if (ok) {
            fwrite(p, 1, (size_t)n, f);
            p += n;
        } else {
            fputc('?', f);
            p++;
        }
    }
}

/* True when a case's outcome says it could not run as designed (an error,
 * a timeout, a crash) rather than that it saw something else. */
static bool seen_error(const chk_result_t *r)
{
    return !strncmp(r->seen.token, "error:", 6) || !strcmp(r->seen.token, "timeout") ||
           !strncmp(r->seen.token, "crashed:", 8);
}

/* The <properties> of one <testcase>: those with a value. */
static void junit_case_properties(FILE *f, const chk_result_t *r)
{
    char num[32];
    snprintf(num, sizeof num, "%d", r->seen.retries);
    const char *tprops[][2] = {{"group", r->c->group},
                               {"decided_by", decided_by(r->c)},
                               {"expected", r->expected},
                               {"retries", num},
                               {"retry_note", r->seen.retry_note},
                               {"frequency", r->seen.frequency},
                               {"data_kept", r->kept ? r->dir : ""}};
    fprintf(f, "      <properties>\n");
    for (size_t p = 0; p < sizeof tprops / sizeof tprops[0]; p++) {
        if (!tprops[p][1][0])
            continue;
        fprintf(f, "        <property name=\"%s\" value=\"", tprops[p][0]);
        xml_str(f, tprops[p][1]);
        fprintf(f, "\"/>\n");
    }
    fprintf(f, "      </properties>\n");
}

/* The <error> or <failure> of a case that differs from its expectation. */
static void junit_case_failure(FILE *f, const chk_result_t *r)
{
    bool err = seen_error(r);
    fprintf(f, "      <%s message=\"expected ", err ? "error" : "failure");
    xml_str(f, r->expected);
    fprintf(f, ", seen ");
    xml_str(f, r->seen.token);
    fprintf(f, "\" type=\"unexpected-outcome\">expected: ");
    xml_str(f, r->expected);
    fprintf(f, " (");
    xml_str(f, r->source);
    fprintf(f, ")\nseen: ");
    xml_str(f, r->seen.token);
    fprintf(f, "\ndetail: ");
    xml_str(f, r->seen.detail);
    fprintf(f, "</%s>\n", err ? "error" : "failure");
}

/* One <testcase>: properties, the failure if any, and what was seen. */
static void junit_case(FILE *f, const chk_result_t *r)
{
    fprintf(f, "    <testcase classname=\"h5swmr.check.%s\" name=\"%s\" time=\"%.3f\">\n", r->c->group, r->c->name,
            r->secs);
    junit_case_properties(f, r);
    if (!r->ok)
        junit_case_failure(f, r);
    fprintf(f, "      <system-out>");
    xml_str(f, r->c->desc);
    fprintf(f, "\nexpected: ");
    xml_str(f, r->expected);
    fprintf(f, "\nseen: ");
    xml_str(f, r->seen.token);
    fprintf(f, "\ndetail: ");
    xml_str(f, r->seen.detail);
    fprintf(f, "\nwhy: ");
    xml_str(f, why_of(r));
    fprintf(f, "\ndecided by: %s", decided_by(r->c));
    if (r->seen.frequency[0]) {
        fprintf(f, "\nfrequency: ");
        xml_str(f, r->seen.frequency);
    }
    if (r->seen.retries) {
        fprintf(f, "\nretries: %d: ", r->seen.retries);
        xml_str(f, r->seen.retry_note);
    }
    if (r->kept) {
        fprintf(f, "\ndata kept: ");
        xml_str(f, r->dir);
    }
    fprintf(f, "</system-out>\n    </testcase>\n");
}

/* The <testsuites> and <testsuite> openings with the counts, and the
 * suite's properties. */
static void junit_head(FILE *f, const chk_suite_t *k, double secs)
{
    char stamp[32], host[256] = "localhost";
    size_t tests = 0, failures = 0, errors = 0;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    gethostname(host, sizeof host - 1);
    for (size_t i = 0; i < k->ncases; i++) {
        const chk_result_t *r = &k->res[i];
        if (!r->ran)
            continue;
        tests++;
        if (!r->ok && seen_error(r))
            errors++;
        else if (!r->ok)
            failures++;
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f, "<testsuites name=\"h5swmr check\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n",
            tests, failures, errors, secs);
    fprintf(f,
            "  <testsuite name=\"h5swmr.check\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"0\" "
            "time=\"%.3f\" timestamp=\"%s\" hostname=\"",
            tests, failures, errors, secs, stamp);
    xml_str(f, host);
    fprintf(f, "\">\n    <properties>\n");
    const char *props[][2] = {{"h5swmr", H5SWMR_VERSION},
                              {"hdf5", k->hdf5},
                              {"data_directory", k->workdir},
                              {"file_system", k->fs},
                              {"expectations", k->expect_file[0] ? k->expect_file : "built-in (HDF5 1.10.8)"}};
    for (size_t i = 0; i < sizeof props / sizeof props[0]; i++) {
        fprintf(f, "      <property name=\"%s\" value=\"", props[i][0]);
        xml_str(f, props[i][1]);
        fprintf(f, "\"/>\n");
    }
    fprintf(f, "    </properties>\n");
}

/* Writes the JUnit XML report to --junit (beside it first, then into place). */
int chk_write_junit(const chk_suite_t *k, double secs)
{
    char tmp[PATH_MAX + 8], msg[PATH_MAX + 128];
    FILE *f = h5s_output_begin(k->o.junit, tmp, sizeof tmp, msg, sizeof msg);
    if (!f)
        return chk_bad("--junit: %s", msg);
    junit_head(f, k, secs);
    for (size_t i = 0; i < k->ncases; i++)
        if (k->res[i].ran)
            junit_case(f, &k->res[i]);
    fprintf(f, "  </testsuite>\n</testsuites>\n");
    if (h5s_output_commit(f, tmp, k->o.junit, k->o.force, msg, sizeof msg) != 0)
        return chk_bad("--junit: %s", msg);
    return 0;
}
