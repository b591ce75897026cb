/* test_check.c - integration tests of `h5swmr check`, the conformance suite:
 * the real program on this machine's HDF5 and file system, its TAP, JUnit and
 * table output, expectation files good and bad, case selection. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "fs.h"
#include "testutil.h"

TestSuite(check, .init = tu_setup, .fini = tu_teardown, .timeout = 240);

#define RUN_MS 200000 /* the whole suite takes well under a minute; ASan builds are slower */

/* Runs `bin check` with the arguments of ap; stdout and stderr go to a file,
 * read back into *out (NUL-terminated, caller frees). Returns the exit status. */
static int vrun(const char *bin, char **out, const char *a1, va_list ap)
{
    static int seq;
    char path[64];
    snprintf(path, sizeof path, "out-%d.txt", seq++);
    const char *file = tu_path(path);
    const char *argv[40] = {"/bin/sh", "-c", "o=$1; shift; exec \"$@\" >\"$o\" 2>&1", "sh", file, bin, "check"};
    int n = 7;
    for (const char *a = a1; a && n < 38; a = va_arg(ap, const char *))
        argv[n++] = a;
    argv[n] = NULL;
    int status;
    char sh[512];
    cr_assert_eq(tu_run(argv, RUN_MS, &status, sh, sizeof sh), 0, "h5swmr check did not finish in time");
    cr_assert(WIFEXITED(status), "h5swmr check: %s %s", tu_status_str(status), sh);
    unsigned char *buf;
    size_t len;
    cr_assert_eq(tu_read_file(file, &buf, &len), 0, "no output file (%s)", sh);
    char *text = malloc(len + 1);
    cr_assert_not_null(text);
    memcpy(text, buf, len);
    text[len] = '\0';
    free(buf);
    *out = text;
    return WEXITSTATUS(status);
}

/* Runs h5swmr check with up to 30 arguments (NULL-terminated). */
static int check(char **out, const char *a1, ...)
{
    va_list ap;
    va_start(ap, a1);
    int rc = vrun(H5SWMR_BIN, out, a1, ap);
    va_end(ap);
    return rc;
}

/* Lines of text that start with prefix. */
static int count_lines(const char *text, const char *prefix)
{
    int n = 0;
    size_t l = strlen(prefix);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        n += !strncmp(p, prefix, l);
    return n;
}

/* The number of cases, from --list (two lines per case, the second indented). */
static int ncases(void)
{
    char *out;
    cr_assert_eq(check(&out, "--list", NULL), 0, "%s", out);
    int n = 0;
    for (const char *p = out; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        n += *p >= 'a' && *p <= 'z';
    free(out);
    return n;
}

/* Parses the TAP: version line, plan 1..N, then N test lines numbered 1..N.
 * Returns N; *ok gets the number of "ok" lines. */
static int parse_tap(const char *tap, int *ok)
{
    cr_assert(!strncmp(tap, "TAP version 13\n", 15), "no TAP version line:\n%s", tap);
    const char *plan = strstr(tap, "\n1..");
    cr_assert_not_null(plan, "no plan line:\n%s", tap);
    int n = atoi(plan + 4);
    int next = 1;
    *ok = 0;
    for (const char *p = tap; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        int num = 0;
        if (!strncmp(p, "ok ", 3))
            num = atoi(p + 3), (*ok)++;
        else if (!strncmp(p, "not ok ", 7))
            num = atoi(p + 7);
        else
            continue;
        cr_assert_eq(num, next, "test line %d out of order:\n%s", num, tap);
        cr_assert(strstr(p, " - "), "test line without ' - name'");
        next++;
    }
    cr_assert_eq(next - 1, n, "plan 1..%d but %d test lines", n, next - 1);
    return n;
}

/* Runs a Python snippet on a JUnit file (sys.argv[1]); returns its output,
 * asserting it exited 0. */
static void junit_py(const char *file, const char *code, char *out, size_t cap)
{
    const char *argv[] = {"/usr/bin/python3", "-c", code, file, NULL};
    int status;
    cr_assert_eq(tu_run(argv, 30000, &status, out, cap), 0);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: %s", file, out);
}

/* Parses a JUnit file with Python's XML parser: testcases, failures, errors. */
static void parse_junit(const char *file, int *tests, int *failures, int *errors)
{
    const char *argv[] = {"/usr/bin/python3", "-c",
                          "import sys, xml.etree.ElementTree as E\n"
                          "r = E.parse(sys.argv[1]).getroot()\n"
                          "assert r.tag == 'testsuites', r.tag\n"
                          "s = r.find('testsuite')\n"
                          "n = len(s.findall('testcase'))\n"
                          "assert int(s.get('tests')) == n\n"
                          "print('junit', n, len(s.findall('testcase/failure')), len(s.findall('testcase/error')))\n",
                          file, NULL};
    char out[1024];
    int status;
    cr_assert_eq(tu_run(argv, 30000, &status, out, sizeof out), 0);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s does not parse as JUnit XML: %s", file, out);
    cr_assert_eq(sscanf(strstr(out, "junit"), "junit %d %d %d", tests, failures, errors), 3, "%s", out);
}

static const char *write_expect(const char *name, const char *text)
{
    const char *p = tu_path(name);
    cr_assert_eq(tu_write_text(p, text), 0);
    return p;
}

/* Entries of dir whose name starts with prefix. */
static int entries(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += !strncmp(e->d_name, prefix, strlen(prefix));
    closedir(d);
    return n;
}

/* ---- the whole suite ----------------------------------------------------------- */

Test(check, passes_here_with_tap_and_junit)
{
    int n = ncases();
    cr_assert_geq(n, 20, "only %d cases", n);
    const char *junit = tu_path("check.xml");
    char *out;
    int rc = check(&out, "--tap", "--junit", junit, "--dir", tu_dir(), NULL);
    cr_assert_eq(rc, 0, "h5swmr check exited %d on this machine:\n%s", rc, out);
    int ok;
    cr_assert_eq(parse_tap(out, &ok), n, "plan is not the %d cases:\n%s", n, out);
    cr_assert_eq(ok, n, "%d of %d cases ok:\n%s", ok, n, out);
    cr_assert_eq(count_lines(out, "not ok"), 0);
    /* every case explains itself */
    cr_assert_eq(count_lines(out, "  explanation: \""), n);
    cr_assert_eq(count_lines(out, "  seen: \""), n);
    cr_assert(strstr(out, "ok ") && strstr(out, " - write_order # pass"), "%s", out);
    /* every case says whether it ran anything again */
    cr_assert_eq(count_lines(out, "  retries: "), n);
    /* h5swmr's own guards are a group of their own, first, apart from HDF5's rules */
    cr_assert(strstr(out, "\n# group h5swmr: h5swmr's own rules"), "%s", out);
    cr_assert(strstr(out, "\n# group hdf5: "), "%s", out);
    static const char *const own[] = {"swmr_with_w_refused", "swmr_missing_file_refused", "remove_refused_in_swmr"};
    for (int i = 0; i < 3; i++) {
        char want[128];
        snprintf(want, sizeof want, "ok %d - %s # ", i + 1, own[i]);
        cr_assert(strstr(out, want), "no '%s':\n%s", want, out);
    }
    cr_assert_eq(count_lines(out, "  decided_by: h5swmr"), 3, "%s", out);
    /* HDF5 asked the same questions, in the hdf5 group */
    cr_assert(strstr(out, " - hdf5_swmr_create # observed:"), "%s", out);
    cr_assert(strstr(out, " - hdf5_swmr_open_missing # observed:"), "%s", out);
    cr_assert(strstr(out, " - hdf5_swmr_delete # observed:"), "%s", out);
    /* the race reports how often it went which way, as a TAP diagnostic */
    const char *freq = strstr(out, "\n# reader_open_race: refused in ");
    cr_assert_not_null(freq, "%s", out);
    long refused = -1, opens = -1;
    cr_assert_eq(sscanf(freq, "\n# reader_open_race: refused in %ld of %ld opens", &refused, &opens), 2, "%.200s",
                 freq);
    cr_assert(opens > 0 && refused >= 0 && refused <= opens, "%.200s", freq);
    cr_assert(strstr(out, refused ? " - reader_open_race # observed:open-refused-truncated\n"
                                  : " - reader_open_race # observed:opens-ok\n"),
              "the outcome does not match the frequency (%ld of %ld):\n%s", refused, opens, out);
    /* so does the uncorked race: how many fill values it read */
    cr_assert(strstr(out, "\n# uncorked_extend: fill values in "), "%s", out);
    int tests, failures, errors;
    parse_junit(junit, &tests, &failures, &errors);
    cr_assert_eq(tests, n);
    cr_assert_eq(failures + errors, 0);
    /* JUnit: the group is the classname, who decided it and the retries are properties */
    char py[8192];
    junit_py(junit,
             "import sys, xml.etree.ElementTree as E\n"
             "s = E.parse(sys.argv[1]).getroot().find('testsuite')\n"
             "for c in s.findall('testcase'):\n"
             "    p = {q.get('name'): q.get('value') for q in c.findall('properties/property')}\n"
             "    assert 'retries' in p and p['decided_by'] in ('h5swmr', 'hdf5', 'filesystem'), c.get('name')\n"
             "    assert c.get('classname') == 'h5swmr.check.' + p['group'], c.get('classname')\n"
             "    assert ('retries:' in c.find('system-out').text) == (p['retries'] != '0'), c.get('name')\n"
             "    print(c.get('name'), c.get('classname'), p['decided_by'], p.get('frequency', '-'))\n",
             py, sizeof py);
    cr_assert(strstr(py, "swmr_with_w_refused h5swmr.check.h5swmr h5swmr -"), "%s", py);
    cr_assert(strstr(py, "remove_refused_in_swmr h5swmr.check.h5swmr h5swmr -"), "%s", py);
    cr_assert(strstr(py, "hdf5_swmr_delete h5swmr.check.hdf5 hdf5 -"), "%s", py);
    cr_assert(strstr(py, "reader_open_race h5swmr.check.hdf5 hdf5 refused in "), "%s", py);
    /* the data directory was made inside --dir and removed */
    cr_assert_eq(entries(tu_dir(), "h5swmr-check-"), 0, "the data directory was left behind");
    free(out);
}

/* ---- expectations ----------------------------------------------------------------- */

Test(check, different_expectation_fails_with_a_diff)
{
    const char *ex =
        write_expect("other.expect", "# a build that shows growth without refresh\n"
                                     "refresh_needed   observed:visible-without-refresh  # not what 1.10.8 does\n"
                                     "single_writer    refused:H5S_ELOCKED\n");
    const char *junit = tu_path("diff.xml");
    char *out;
    int rc = check(&out, "--tap", "--hdf5-expect", ex, "--junit", junit, "--dir", tu_dir(), "--case", "single_writer",
                   "--case", "refresh_needed", NULL);
    cr_assert_eq(rc, 1, "exit %d:\n%s", rc, out);
    /* the data of the case that differs stays, and the report says where; the
     * data of the case that went as expected is gone */
    cr_assert_eq(entries(tu_dir(), "h5swmr-check-"), 1, "%s", out);
    const char *kept = strstr(out, "data of 1 case that differ kept in ");
    cr_assert_not_null(kept, "%s", out);
    char line[1024];
    const char *item = strstr(kept, "\n  ");
    cr_assert_not_null(item, "%s", out);
    cr_assert_eq(sscanf(item + 3, "%1023s", line), 1);
    cr_assert(strstr(line, "/refresh_needed"), "%s", line);
    cr_assert(strstr(out, "# refresh_needed: data kept in "), "%s", out);
    char file[1200];
    snprintf(file, sizeof file, "%s/live.mth5", line);
    cr_assert(tu_exists(file), "the differing case's data file %s is gone", file);
    snprintf(file, sizeof file, "%s/case.log", line);
    cr_assert(tu_exists(file), "the differing case's log %s is gone", file);
    char *slash = strrchr(line, '/');
    snprintf(slash, sizeof line - (size_t)(slash - line), "/single_writer");
    cr_assert(!tu_exists(line), "the data of a case as expected stayed: %s", line);
    int ok;
    cr_assert_eq(parse_tap(out, &ok), 2, "%s", out);
    cr_assert_eq(ok, 1, "%s", out);
    /* table order: single_writer first */
    cr_assert(strstr(out, "ok 1 - single_writer # refused:H5S_ELOCKED\n"), "%s", out);
    cr_assert(strstr(out, "not ok 2 - refresh_needed # expected observed:visible-without-refresh, seen "
                          "observed:invisible-without-refresh\n"),
              "%s", out);
    cr_assert(strstr(out, "  expected: \"observed:visible-without-refresh\"\n  seen: "
                          "\"observed:invisible-without-refresh\"\n"),
              "%s", out);
    cr_assert(strstr(out, "other.expect:2"), "the expectation's line is not named:\n%s", out);
    int tests, failures, errors;
    parse_junit(junit, &tests, &failures, &errors);
    cr_assert_eq(tests, 2);
    cr_assert_eq(failures, 1);
    cr_assert_eq(errors, 0);
    free(out);

    /* the table says it too */
    rc = check(&out, "--hdf5-expect", ex, "--dir", tu_dir(), "--case", "refresh_needed", NULL);
    cr_assert_eq(rc, 1, "%s", out);
    cr_assert(strstr(out, "DIFF"), "%s", out);
    cr_assert(strstr(out, "diff: expected observed:visible-without-refresh"), "%s", out);
    cr_assert(strstr(out, "seen observed:invisible-without-refresh"), "%s", out);
    cr_assert(strstr(out, "1 case: 0 as expected, 1 differ"), "%s", out);
    free(out);

    /* --quiet shows only what differs */
    rc = check(&out, "--quiet", "--hdf5-expect", ex, "--dir", tu_dir(), "--case", "single_writer", "--case",
               "refresh_needed", NULL);
    cr_assert_eq(rc, 1, "%s", out);
    cr_assert(strstr(out, "refresh_needed") && !strstr(out, "single_writer "), "%s", out);
    free(out);
}

Test(check, expectation_sets_accept_any_of_their_outcomes)
{
    /* a set is as expected when the outcome seen is any of its members */
    const char *ex =
        write_expect("set.expect", "single_writer  accepted|refused:H5S_ELOCKED  # either\n"
                                   "refresh_needed observed:visible-without-refresh|fail:never # neither\n");
    char *out;
    int rc = check(&out, "--tap", "--hdf5-expect", ex, "--dir", tu_dir(), "--case", "single_writer", "--case",
                   "refresh_needed", NULL);
    cr_assert_eq(rc, 1, "exit %d:\n%s", rc, out);
    cr_assert(strstr(out, "ok 1 - single_writer # refused:H5S_ELOCKED\n"), "%s", out);
    cr_assert(strstr(out, "not ok 2 - refresh_needed # expected observed:visible-without-refresh|fail:never, seen "
                          "observed:invisible-without-refresh\n"),
              "%s", out);
    free(out);
    /* the built-in expectation of the open race is a set: both outcomes are fine on 1.10 */
    cr_assert_eq(check(&out, "--list", "--hdf5-expect", "builtin", "--case", "reader_open_race", NULL), 0);
    cr_assert(strstr(out, "expected: observed:open-refused-truncated|observed:opens-ok (built-in)"), "%s", out);
    free(out);
}

Test(check, bad_expectation_files_exit_2_with_file_line)
{
    static const struct {
        const char *text, *line, *words;
    } bad[] = {
        {"swmr_with_w_refused  refused:H5S_EMODE\n\n# fine so far\nno_such_case pass\n",
         ":4:", "unknown case 'no_such_case'"},
        {"single_writer refused:H5S_NOPE # a typo\n", ":1:", "bad outcome 'refused:H5S_NOPE'"},
        {"single_writer observed:Mixed-Case\n", ":1:", "bad outcome"},
        {"single_writer timeout\n", ":1:", "bad outcome 'timeout'"},
        {"single_writer maybe\n", ":1:", "bad outcome 'maybe'"},
        {"\nsingle_writer\n", ":2:", "expected 'case_name outcome'"},
        {"single_writer pass pass\n", ":1:", "unexpected 'pass'"},
        {"single_writer pass\nsingle_writer pass\n", ":2:", "listed twice"},
        {"single_writer \x01pass\n", ":1:", "not a text line"},
        {"single_writer pass||accepted\n", ":1:", "an empty outcome in the set"},
        {"single_writer pass|\n", ":1:", "an empty outcome in the set"},
        {"single_writer |pass\n", ":1:", "an empty outcome in the set"},
        {"single_writer pass|accepted|pass\n", ":1:", "listed twice in the set"},
        {"single_writer pass|maybe\n", ":1:", "bad outcome 'pass|maybe'"},
        {"single_writer pass|timeout\n", ":1:", "bad outcome"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "bad%zu.expect", i);
        const char *ex = write_expect(name, bad[i].text);
        char *out;
        int rc = check(&out, "--hdf5-expect", ex, "--tap", NULL);
        cr_assert_eq(rc, 2, "%s: exit %d:\n%s", name, rc, out);
        char want[64];
        snprintf(want, sizeof want, "%s%s", name, bad[i].line);
        cr_assert(strstr(out, want), "%s: no '%s' in:\n%s", name, want, out);
        cr_assert(strstr(out, bad[i].words), "%s: no '%s' in:\n%s", name, bad[i].words, out);
        cr_assert_null(strstr(out, "TAP version"), "%s: cases ran after a bad expectation file", name);
        cr_assert_eq(strchr(out, '\n'), out + strlen(out) - 1, "%s: more than one line:\n%s", name, out);
        free(out);
    }
    char *out;
    cr_assert_eq(check(&out, "--hdf5-expect", tu_path("missing.expect"), NULL), 2);
    cr_assert(strstr(out, "missing.expect"), "%s", out);
    free(out);
}

Test(check, expectation_file_with_comments_and_defaults)
{
    /* listed cases take the file's outcome, others keep the built-in one */
    const char *ex = write_expect("good.expect", "   # indented comment\n"
                                                 "write_order\tpass\t# tabs are blanks\n"
                                                 "single_writer refused:H5S_ELOCKED # ünïcode in a comment\n");
    char *out;
    cr_assert_eq(check(&out, "--hdf5-expect", ex, "--list", NULL), 0, "%s", out);
    cr_assert(strstr(out, "good.expect:2"), "%s", out);
    cr_assert(strstr(out, "good.expect:3"), "%s", out);
    cr_assert(strstr(out, "(built-in)"), "%s", out);
    free(out);
}

/* From --list output: the expectation and its source of each case, in order. */
static int list_expectations(const char *list, char names[][64], char tokens[][128], char sources[][512], int max)
{
    int n = 0;
    for (const char *p = list; p && *p && n < max; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (*p >= 'a' && *p <= 'z') {
            cr_assert_eq(sscanf(p, "%63s", names[n]), 1);
        } else {
            const char *e = strstr(p, "expected: ");
            const char *eol = strchr(p, '\n');
            if (!e || (eol && e > eol))
                continue;
            cr_assert_eq(sscanf(e, "expected: %127s (%511[^)])", tokens[n], sources[n]), 2, "%.200s", e);
            n++;
        }
    }
    return n;
}

Test(check, expectation_files_agree_with_built_in_values)
{
    enum { MAX = 64 };
    static char names[3][MAX][64], tokens[3][MAX][128], sources[3][MAX][512];
    /* --hdf5-expect builtin uses the program's built-in values */
    char *out;
    cr_assert_eq(check(&out, "--list", "--hdf5-expect", "builtin", NULL), 0, "%s", out);
    int n = list_expectations(out, names[0], tokens[0], sources[0], MAX);
    free(out);
    cr_assert_geq(n, 20);
    for (int i = 0; i < n; i++)
        cr_assert_str_eq(sources[0][i], "built-in", "%s", names[0][i]);
    cr_assert_eq(
        check(&out, "--quiet", "--hdf5-expect", "builtin", "--dir", tu_dir(), "--case", "swmr_with_w_refused", NULL), 0,
        "%s", out);
    cr_assert(strstr(out, "expectations: built-in (HDF5 1.10.8)"), "%s", out);
    free(out);

    /* each shipped file parses and names every case; the 1.10 file says what
     * the built-in values (HDF5 1.10.8) say */
    static const char *const files[] = {H5SWMR_SOURCE_DIR "/scenarios/expect/hdf5-1.10.expect",
                                        H5SWMR_SOURCE_DIR "/scenarios/expect/hdf5-1.14.expect"};
    for (int k = 0; k < 2; k++) {
        cr_assert_eq(check(&out, "--list", "--hdf5-expect", files[k], NULL), 0, "%s", out);
        int m = list_expectations(out, names[k + 1], tokens[k + 1], sources[k + 1], MAX);
        free(out);
        cr_assert_eq(m, n);
        for (int i = 0; i < n; i++) {
            cr_assert_str_eq(names[k + 1][i], names[0][i]);
            cr_assert(strstr(sources[k + 1][i], ".expect:"), "%s: %s does not list it", names[0][i], files[k]);
            if (k == 0)
                cr_assert_str_eq(tokens[k + 1][i], tokens[0][i], "%s: %s says %s, built-in %s", names[0][i], files[k],
                                 tokens[k + 1][i], tokens[0][i]);
        }
    }
}

/* ---- selection and arguments ------------------------------------------------------- */

Test(check, case_selection_and_list)
{
    char *out;
    cr_assert_eq(check(&out, "--list", NULL), 0);
    static const char *const names[] = {"swmr_with_w_refused", "single_writer", "objects_under_swmr",
                                        "integrity_matrix",    "write_order",   "file_locking_env"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        cr_assert(strstr(out, names[i]), "--list lacks %s:\n%s", names[i], out);
    cr_assert(strstr(out, "expected: "), "%s", out);
    free(out);
    cr_assert_eq(check(&out, "--list", "--case", "write_order", NULL), 0);
    cr_assert(strstr(out, "write_order") && !strstr(out, "single_writer"), "%s", out);
    free(out);

    /* two cases, in the suite's order whatever the order asked */
    int rc = check(&out, "--tap", "--dir", tu_dir(), "--case", "write_order", "--case", "swmr_with_w_refused", NULL);
    cr_assert_eq(rc, 0, "%s", out);
    int ok;
    cr_assert_eq(parse_tap(out, &ok), 2, "%s", out);
    cr_assert_eq(ok, 2);
    cr_assert(strstr(out, "ok 1 - swmr_with_w_refused # refused:H5S_EMODE\n"), "%s", out);
    cr_assert(strstr(out, "ok 2 - write_order # pass\n"), "%s", out);
    free(out);

    cr_assert_eq(check(&out, "--case", "no_such_case", NULL), 2);
    cr_assert(strstr(out, "unknown case 'no_such_case'"), "%s", out);
    free(out);
}

Test(check, bad_arguments_exit_2)
{
    char *out;
    const char *file = tu_path("plain-file");
    cr_assert_eq(tu_write_text(file, "x"), 0);
    struct {
        const char *a, *b;
        const char *words;
    } bad[] = {
        {"--frobnicate", NULL, "unknown option '--frobnicate'"},
        {"stray", NULL, "unknown argument 'stray'"},
        {"--dir", tu_path("no-such-dir"), "no-such-dir"},
        {"--dir", file, "not a directory"},
        {"--junit", tu_path("no-such-dir/x.xml"), "does not exist"},
        {"--case", NULL, "--case needs NAME"},
        {"--dir", NULL, "--dir needs DIR"},
        {"--dir=", NULL, "--dir needs DIR"},
        {"--tap=1", NULL, "--tap takes no value"},
        {"--keep-data=yes", NULL, "--keep-data takes no value"},
        {"--keep-data=", NULL, "--keep-data takes no value"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = check(&out, bad[i].a, bad[i].b, NULL);
        cr_assert_eq(rc, 2, "%s %s: exit %d:\n%s", bad[i].a, bad[i].b ? bad[i].b : "", rc, out);
        cr_assert(strstr(out, bad[i].words), "%s: no '%s' in:\n%s", bad[i].a, bad[i].words, out);
        cr_assert_eq(strchr(out, '\n'), out + strlen(out) - 1, "%s: more than one line:\n%s", bad[i].a, out);
        free(out);
    }
    /* nothing created, with --dir given too */
    cr_assert_eq(check(&out, "--dir", tu_dir(), "--keep-data=1", NULL), 2, "%s", out);
    free(out);
    cr_assert_eq(entries(tu_dir(), "h5swmr-check-"), 0);
    cr_assert_eq(check(&out, "--help", NULL), 0);
    cr_assert(strstr(out, "Usage: h5swmr check"), "%s", out);
    free(out);
}

Test(check, table_for_people_and_data_dir)
{
    char *out;
    int rc = check(&out, "--dir", tu_dir(), "--case", "write_order", "--case", "objects_under_swmr", NULL);
    cr_assert_eq(rc, 0, "%s", out);
    cr_assert(strstr(out, tu_dir()), "the data directory is not named:\n%s", out);
    cr_assert(strstr(out, "CASE") && strstr(out, "EXPECTED") && strstr(out, "SEEN") && strstr(out, "VERDICT"), "%s",
              out);
    cr_assert(strstr(out, "why:") && strstr(out, "saw:"), "%s", out);
    cr_assert(strstr(out, "only works for readers that reopen the file"), "%s", out);
    cr_assert(strstr(out, "2 cases: 2 as expected, 0 differ"), "%s", out);
    /* cases come under their group's heading, and the summary counts per group */
    const char *h = strstr(out, "\n-- hdf5: HDF5's rules"), *f = strstr(out, "\n-- filesystem: ");
    cr_assert(h && f && h < strstr(out, "objects_under_swmr ") && f < strstr(out, "write_order "), "%s", out);
    cr_assert(strstr(out, "by group: hdf5 1/1, filesystem 1/1 as expected"), "%s", out);
    cr_assert_eq(entries(tu_dir(), "h5swmr-check-"), 0, "the data directory was left behind");
    free(out);

    /* --keep-data leaves it, with every case's files and log (--keep is the same) */
    rc =
        check(&out, "--dir", tu_dir(), "--keep-data", "--case", "swmr_with_w_refused", "--case", "writer_with_a", NULL);
    cr_assert_eq(rc, 0, "%s", out);
    cr_assert(strstr(out, "data directory kept: "), "%s", out);
    cr_assert_eq(entries(tu_dir(), "h5swmr-check-"), 1);
    char kept[1200];
    cr_assert_eq(sscanf(strstr(out, "data directory kept: "), "data directory kept: %1199s", kept), 1);
    char file[1400];
    snprintf(file, sizeof file, "%s/writer_with_a/writer.mth5", kept);
    cr_assert(tu_exists(file), "--keep-data did not keep %s:\n%s", file, out);
    snprintf(file, sizeof file, "%s/swmr_with_w_refused/case.log", kept);
    cr_assert(tu_exists(file), "--keep-data did not keep %s", file);
    free(out);
    rc = check(&out, "--dir", tu_dir(), "--keep", "--case", "swmr_with_w_refused", NULL);
    cr_assert_eq(rc, 0, "%s", out);
    cr_assert(strstr(out, "data directory kept: "), "%s", out);
    cr_assert_eq(entries(tu_dir(), "h5swmr-check-"), 2);
    free(out);
}

/* ---- the file-system table ---------------------------------------------------------- */

Test(check, file_systems_by_magic_and_by_path)
{
    cr_assert_str_eq(h5s_fs_name_of(0xEF53), "ext4");
    cr_assert_str_eq(h5s_fs_name_of(0x6969), "nfs");
    cr_assert_null(h5s_fs_name_of(0x12345678));
    cr_assert(h5s_fs_by_magic(0x6969)->flags & H5S_FS_NETWORK);
    cr_assert(h5s_fs_by_magic(0x9fa0)->flags & H5S_FS_PSEUDO);
    cr_assert_eq(h5s_fs_by_magic(0x01021994)->flags, 0u, "tmpfs holds data files, locally");
    char buf[64];
    cr_assert_str_eq(h5s_fs_name_by_path(tu_path("no-such-dir/x"), buf, sizeof buf), "unknown");
    unsigned long magic;
    cr_assert_eq(h5s_fs_magic_of(tu_dir(), &magic), 0);
    const char *name = h5s_fs_name_of(magic);
    h5s_fs_name_by_path(tu_dir(), buf, sizeof buf);
    if (name)
        cr_assert_str_eq(buf, name);
    else
        cr_assert_eq(strtoul(buf, NULL, 16), magic, "%s", buf);
    /* /proc holds no data files; the test directory does */
    cr_assert_str_eq(h5s_fs_pseudo("/proc/self"), "procfs (/proc)");
    cr_assert_null(h5s_fs_pseudo(tu_dir()));
}
