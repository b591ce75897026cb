/* check_expect.c - the expectations of `h5swmr check`: the outcome
 * vocabulary, expectation sets, and expectation files (one line per case,
 * 'case_name  outcome  # why') that override the built-in values. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_driver.h"
#include "paths.h"

/* ---- cases and expectations ------------------------------------------------------ */

/* The case called name, or NULL. */
const chk_case_t *chk_find_case(const chk_suite_t *k, const char *name)
{
    for (size_t i = 0; i < k->ncases; i++)
        if (!strcmp(k->cases[i].name, name))
            return &k->cases[i];
    return NULL;
}

/* ---- expectation files --------------------------------------------------------- */

/* Finds the shipped expectations for this HDF5,
 * scenarios/expect/hdf5-MAJOR.MINOR.expect (see h5s_data_path: an override,
 * the installed data, or the source tree the program was built from). */
static bool default_expect_file(const chk_suite_t *k, char out[PATH_MAX])
{
    char rel[64], tried[16];
    snprintf(rel, sizeof rel, "scenarios/expect/hdf5-%s.expect", k->hdf5_mm);
    return h5s_data_path(rel, out, PATH_MAX, tried, sizeof tried) == 0;
}

/* s without the blanks around it (cut in place). */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t l = strlen(s);
    while (l && (s[l - 1] == ' ' || s[l - 1] == '\t' || s[l - 1] == '\r' || s[l - 1] == '\n'))
        s[--l] = '\0';
    return s;
}

/* Reads an expectation file into k->res. Errors: "file:line: message", CHK_EXIT_BAD. */
static int load_expect(chk_suite_t *k, const char *path, const char *label)
{
    char lab[256];
    chk_shown(label, lab, sizeof lab);
    char refused[256];
    FILE *f = h5s_open_input(path, 1L << 20, refused, sizeof refused);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0, rc = 0;
    int *seen_at = calloc(k->ncases, sizeof *seen_at);
    if (!seen_at) {
        if (f)
            fclose(f);
        return chk_bad("out of memory");
    }
    if (!f) {
        free(seen_at);
        return chk_bad("cannot read expectation file '%s': %s", lab, refused);
    }
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (memchr(line, '\0', (size_t)len)) {
            rc = chk_bad("%s:%d: not a text line", lab, lineno);
            break;
        }
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        bool text = true;
        for (const char *q = line; *q && text; q++)
            text = (*q >= 0x20 && *q < 0x7f) || *q == '\t' || *q == '\r' || *q == '\n';
        if (!text) {
            rc = chk_bad("%s:%d: not a text line (comments start with #)", lab, lineno);
            break;
        }
        char *s = trim(line);
        if (!*s)
            continue;
        char *save = NULL;
        char *name = strtok_r(s, " \t", &save);
        char *outcome = strtok_r(NULL, " \t", &save);
        char *extra = strtok_r(NULL, " \t", &save);
        if (!outcome) {
            rc = chk_bad("%s:%d: expected 'case_name outcome', got only '%s'", lab, lineno, name);
            break;
        }
        if (extra) {
            rc = chk_bad("%s:%d: unexpected '%s' after the outcome (comments start with #)", lab, lineno, extra);
            break;
        }
        const chk_case_t *c = chk_find_case(k, name);
        if (!c) {
            rc = chk_bad("%s:%d: unknown case '%s' (h5swmr check --list shows the cases)", lab, lineno, name);
            break;
        }
        size_t i = (size_t)(c - k->cases);
        if (seen_at[i]) {
            rc = chk_bad("%s:%d: case '%s' is listed twice (first on line %d)", lab, lineno, name, seen_at[i]);
            break;
        }
        const char *why = "";
        if (!chk_expect_valid(outcome, &why)) {
            rc = chk_bad("%s:%d: bad outcome '%s' for case '%s': %s", lab, lineno, outcome, name, why);
            break;
        }
        seen_at[i] = lineno;
        snprintf(k->res[i].expected, sizeof k->res[i].expected, "%s", outcome);
        snprintf(k->res[i].source, sizeof k->res[i].source, "%.1100s:%d", lab, lineno);
    }
    if (rc == 0 && ferror(f))
        rc = chk_bad("cannot read expectation file '%s': %s", lab, strerror(errno));
    free(line);
    free(seen_at);
    fclose(f);
    return rc;
}

/* Built-in expectations, then those of the expectation file, if any. */
int chk_setup_expectations(chk_suite_t *k)
{
    char tmp[256];
    for (size_t i = 0; i < k->ncases; i++) {
        snprintf(k->res[i].expected, sizeof k->res[i].expected, "%s", k->cases[i].dflt);
        snprintf(k->res[i].source, sizeof k->res[i].source, "built-in");
    }
    if (k->o.expect && !strcmp(k->o.expect, "builtin")) {
        k->expect_file[0] = '\0';
        return 0;
    }
    if (k->o.expect) {
        if (!realpath(k->o.expect, k->expect_file))
            return chk_bad("cannot read expectation file '%s': %s", chk_shown(k->o.expect, tmp, sizeof tmp),
                           strerror(errno));
    } else if (!default_expect_file(k, k->expect_file)) {
        k->expect_file[0] = '\0';
        return 0;
    }
    return load_expect(k, k->expect_file, k->o.expect ? k->o.expect : k->expect_file);
}

/* ---- the outcome vocabulary ------------------------------------------------------ */

/* Whether s is a valid expectation: one outcome or a set of them separated by
 * '|', each valid, none repeated. */
bool chk_expect_valid(const char *s, const char **why)
{
    if (strlen(s) >= CHK_TOKEN_MAX) {
        *why = "expectation too long";
        return false;
    }
    char buf[CHK_TOKEN_MAX];
    snprintf(buf, sizeof buf, "%s", s);
    const char *seen[CHK_TOKEN_MAX / 2];
    size_t n = 0;
    for (char *p = buf;;) {
        char *bar = strchr(p, '|');
        if (bar)
            *bar = '\0';
        if (!*p) {
            *why = "an empty outcome in the set (outcomes are separated by a single '|')";
            return false;
        }
        if (!chk_token_valid(p, why))
            return false;
        for (size_t i = 0; i < n; i++)
            if (!strcmp(seen[i], p)) {
                *why = "an outcome is listed twice in the set";
                return false;
            }
        seen[n++] = p;
        if (!bar)
            break;
        p = bar + 1;
    }
    return true;
}

/* Whether token is one of the outcomes the set names. */
bool chk_expect_matches(const char *set, const char *token)
{
    size_t l = strlen(token);
    for (const char *p = set; *p;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == l && !strncmp(p, token, l))
            return true;
        if (!bar)
            break;
        p = bar + 1;
    }
    return false;
}

/* Whether s is an outcome an expectation file may name. */
bool chk_token_valid(const char *s, const char **why)
{
    static const char *const words[] = {"observed:", "fail:"};
    if (!strcmp(s, "pass") || !strcmp(s, "accepted"))
        return true;
    if (!strncmp(s, "refused:", 8)) {
        for (int c = -1; c >= -64; c--)
            if (!strcmp(h5s_errname(c), s + 8) && strcmp(s + 8, "H5S_E?"))
                return true;
        *why = "refused: needs an h5swmr error name, e.g. refused:H5S_ELOCKED";
        return false;
    }
    for (size_t i = 0; i < 2; i++) {
        size_t l = strlen(words[i]);
        if (strncmp(s, words[i], l))
            continue;
        const char *w = s + l;
        if (!*w || !((*w >= 'a' && *w <= 'z') || (*w >= '0' && *w <= '9'))) {
            *why = "the word after observed: or fail: must start with a-z or 0-9";
            return false;
        }
        for (; *w; w++)
            if (!((*w >= 'a' && *w <= 'z') || (*w >= '0' && *w <= '9') || strchr(",=+._-", *w))) {
                *why = "observed: and fail: words use only a-z 0-9 , = + . _ -";
                return false;
            }
        return strlen(s) < CHK_TOKEN_MAX ? true : (*why = "outcome too long", false);
    }
    *why = "an outcome is pass, accepted, refused:H5S_<NAME>, observed:<word> or fail:<word>";
    return false;
}
