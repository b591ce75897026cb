/* test_scenario.c - the option table, scn_set, INI scenario files, -o
 * overrides, validation and help (harness/scenario.h).
 *
 * Every test gets a fresh temporary directory (tu_setup/tu_teardown); scenario
 * files are real files written there. Tests marked "Regression (fixed)" guard
 * defects found and fixed. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "err.h"
#include "scenario.h"
#include "testutil.h"

TestSuite(scenario, .init = tu_setup, .fini = tu_teardown, .timeout = 30);

/* The message of the last scn_set / error of the last scn_load. */
static char M[1024];
static h5s_err_t E;

/* scn_set succeeds. */
#define SET_OK(s, key, value)                                                                                          \
    do {                                                                                                               \
        M[0] = '\0';                                                                                                   \
        int rc_ = scn_set((s), (key), (value), M, sizeof M);                                                           \
        cr_assert_eq(rc_, 0, "scn_set(%s, '%s') -> %d: %s", (key), (value), rc_, M);                                   \
    } while (0)

/* scn_set fails with H5S_ESCENARIO, leaves *s untouched, and its message names
 * the key and contains needle. */
#define SET_FAILS(s, key, value, needle)                                                                               \
    do {                                                                                                               \
        scn_t before_ = *(s);                                                                                          \
        M[0] = '\0';                                                                                                   \
        int rc_ = scn_set((s), (key), (value), M, sizeof M);                                                           \
        cr_assert_eq(rc_, H5S_ESCENARIO, "scn_set(%s, '%s') -> %d (%s), expected a refusal", (key), (value), rc_, M);  \
        cr_assert(strstr(M, (key)) != NULL, "scn_set(%s, '%s'): message does not name the key: %s", (key), (value),    \
                  M);                                                                                                  \
        cr_assert(strstr(M, (needle)) != NULL, "scn_set(%s, '%s'): message lacks '%s': %s", (key), (value), (needle),  \
                  M);                                                                                                  \
        cr_assert_null(strchr(M, '\n'), "message is not one line: %s", M);                                             \
        cr_assert(memcmp(&before_, (s), sizeof before_) == 0, "scn_set(%s, '%s') failed but changed the scenario",     \
                  (key), (value));                                                                                     \
    } while (0)

static const scn_opt_t *opt(const char *name)
{
    for (const scn_opt_t *o = scn_options(); o->name; o++)
        if (!strcmp(o->name, name))
            return o;
    cr_assert_fail("no option '%s' in the table", name);
    return NULL;
}

static const char *fmt(const scn_t *s, const char *name)
{
    static char buf[4][SCN_PATH];
    static unsigned next;
    char *b = buf[next++ % 4];
    scn_format(s, opt(name), b, SCN_PATH);
    return b;
}

static const char *write_file(const char *name, const char *text)
{
    const char *p = tu_path(name);
    cr_assert_eq(tu_write_text(p, text), 0, "cannot write %s", p);
    return p;
}

static int load(const char *path, const char *const *ov, size_t nov, scn_file_t *sf)
{
    h5s_err_clear(&E);
    memset(sf, 0xA5, sizeof *sf); /* scn_load must set it whatever happens */
    return scn_load(path, ov, nov, sf, &E);
}

/* Loads a file that must load. */
#define LOAD_OK(path, ov, nov, sf)                                                                                     \
    do {                                                                                                               \
        int rc_ = load((path), (ov), (nov), (sf));                                                                     \
        cr_assert_eq(rc_, 0, "scn_load(%s) -> %s: %s", (path), h5s_errname(rc_), E.msg);                               \
        cr_assert_eq(E.code, 0, "scn_load succeeded but set an error: %s", E.msg);                                     \
    } while (0)

/* scn_load refuses path: H5S_ESCENARIO, out emptied, a one-line message that
 * starts with prefix and contains needle. */
static void load_fails(const char *path, const char *const *ov, size_t nov, const char *prefix, const char *needle)
{
    scn_file_t sf;
    int rc = load(path, ov, nov, &sf);
    cr_assert_eq(rc, H5S_ESCENARIO, "scn_load(%s) -> %s (%s), expected H5S_ESCENARIO", path, h5s_errname(rc), E.msg);
    cr_assert_eq(E.code, H5S_ESCENARIO, "err.code %s", h5s_errname(E.code));
    cr_assert_null(sf.jobs, "a failed load left jobs");
    cr_assert_eq(sf.njobs, 0, "a failed load left njobs = %zu", sf.njobs);
    cr_assert_null(strchr(E.msg, '\n'), "message is not one line: %s", E.msg);
    cr_assert_eq(strncmp(E.msg, prefix, strlen(prefix)), 0, "message should start with '%s': %s", prefix, E.msg);
    cr_assert(strstr(E.msg, needle) != NULL, "message lacks '%s': %s", needle, E.msg);
}

/* A one-file error at line: "path:line: ...needle...". */
static void line_error(const char *name, const char *text, int line, const char *needle)
{
    const char *p = write_file(name, text);
    char prefix[600];
    snprintf(prefix, sizeof prefix, "%s:%d: ", p, line);
    load_fails(p, NULL, 0, prefix, needle);
}

/* ---- defaults ------------------------------------------------------------ */

Test(scenario, defaults_are_the_table_defaults)
{
    scn_t s;
    memset(&s, 0x5A, sizeof s);
    scn_defaults(&s);
    cr_expect_eq(s.duration_s, 10.0);
    cr_expect_eq(s.readers, 3);
    cr_expect_eq(s.workload, SCN_APPEND);
    cr_expect_str_eq(s.channels, "ex,ey,hx,hy,hz");
    cr_expect_str_eq(s.new_run_channels, "ex");
    cr_expect_eq(s.dtype, 0, "dtype %d, expected float32 (0)", s.dtype);
    cr_expect_str_eq(fmt(&s, "dtype"), "float32");
    cr_expect(s.cork);
    cr_expect_eq(s.flush_every_blocks, 1);
    cr_expect_eq(s.flush_every_ms, 0.0);
    cr_expect_eq(s.flush_call, SCN_DFLUSH);
    cr_expect_eq(s.sample_rate, 100.0);
    cr_expect(s.realtime);
    cr_expect_eq(s.block_samples, 1000);
    cr_expect_eq(s.chunk_samples, 0);
    cr_expect_not(s.compress);
    cr_expect_not(s.overwrite);
    cr_expect_str_eq(s.file, "");
    cr_expect_str_eq(s.results_dir, "results");
    cr_expect_str_eq(s.survey, "live_survey");
    cr_expect_str_eq(s.station, "MT001");
    cr_expect_str_eq(s.run, "run_001");
    cr_expect_str_eq(s.reader_refresh, "refresh");
    cr_expect_eq(s.poll_ms, 500.0);
    cr_expect_eq(s.ready_timeout_s, 30.0);
    cr_expect_eq(s.stop_timeout_s, 5.0);
    cr_expect_eq(s.seed, 1);
    cr_expect_eq(s.kill_reader, 0);
    cr_expect_str_eq(s.name, "global");
    cr_expect_str_eq(s.scenario, "cli");
    char m[256];
    cr_expect_eq(scn_validate(&s, m, sizeof m), 0, "the defaults do not validate: %s", m);
}

Test(scenario, option_table_is_well_formed)
{
    size_t n = 0;
    for (const scn_opt_t *o = scn_options(); o->name; o++, n++) {
        cr_assert(o->name[0] != '\0', "option %zu has an empty name", n);
        cr_assert_not_null(o->dflt, "%s: no default", o->name);
        cr_assert(o->help && o->help[0], "%s: no help", o->name);
        if (o->type == OPT_ENUM)
            cr_assert_not_null(o->choices, "%s: enum without choices", o->name);
        if (o->type == OPT_INT || o->type == OPT_DOUBLE)
            cr_assert(o->min <= o->max, "%s: range [%g, %g]", o->name, o->min, o->max);
        for (const scn_opt_t *p = scn_options(); p != o; p++)
            cr_assert(strcmp(p->name, o->name) != 0, "option '%s' appears twice", o->name);
    }
    cr_assert_geq(n, 30, "only %zu options", n);
}

/* ---- scn_set: numbers ---------------------------------------------------- */

Test(scenario, set_int_accepts_whole_numbers)
{
    scn_t s;
    scn_defaults(&s);
    SET_OK(&s, "readers", "0");
    cr_assert_eq(s.readers, 0);
    SET_OK(&s, "readers", "256");
    cr_assert_eq(s.readers, 256);
    SET_OK(&s, "readers", "  7 ");
    cr_assert_eq(s.readers, 7);
    SET_OK(&s, "readers", "5.0");
    cr_assert_eq(s.readers, 5);
    SET_OK(&s, "block_samples", "1");
    cr_assert_eq(s.block_samples, 1);
    SET_OK(&s, "block_samples", "67108864");
    cr_assert_eq(s.block_samples, 1 << 26);
    SET_OK(&s, "seed", "9000000000000000");
    cr_assert_eq(s.seed, 9000000000000000LL);
    SET_OK(&s, "max_blocks", "123456789");
    cr_assert_eq(s.max_blocks, 123456789);
    cr_assert_str_eq(fmt(&s, "max_blocks"), "123456789");
}

Test(scenario, set_int_rejects_non_integers)
{
    scn_t s;
    scn_defaults(&s);
    const char *bad[] = {"1.5", "abc", "", "   ", "12abc", "1,5", "nan", "inf", "-inf", "0.0001", "2 3"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        SET_FAILS(&s, "readers", bad[i], "not a whole number");
    SET_FAILS(&s, "seed", "1e999", "not a whole number");
    cr_assert_eq(s.readers, 3);
}

Test(scenario, set_int_rejects_out_of_range_with_the_range)
{
    scn_t s;
    scn_defaults(&s);
    SET_FAILS(&s, "readers", "257", "out of range [0, 256]");
    SET_FAILS(&s, "readers", "-1", "out of range [0, 256]");
    SET_FAILS(&s, "block_samples", "0", "out of range [1, 67108864]");
    SET_FAILS(&s, "block_samples", "67108865", "out of range [1, 67108864]");
    SET_FAILS(&s, "kill_reader", "1000", "[0, 256]");
    SET_FAILS(&s, "seed", "-5", "out of range [0, 9e+15]");
    SET_FAILS(&s, "seed", "9000000000000001", "out of range");
    /* the offending value is quoted too */
    SET_FAILS(&s, "readers", "300", "300");
}

Test(scenario, set_double_accepts_numbers_in_range)
{
    scn_t s;
    scn_defaults(&s);
    SET_OK(&s, "duration", "2.5");
    cr_assert_eq(s.duration_s, 2.5);
    SET_OK(&s, "duration", "0");
    cr_assert_eq(s.duration_s, 0.0);
    SET_OK(&s, "duration", "86400");
    cr_assert_eq(s.duration_s, 86400.0);
    SET_OK(&s, "sample_rate", "1e3");
    cr_assert_eq(s.sample_rate, 1000.0);
    SET_OK(&s, "poll_ms", " 0.25\t");
    cr_assert_eq(s.poll_ms, 0.25);
    SET_OK(&s, "ready_timeout", "0.1");
    cr_assert_eq(s.ready_timeout_s, 0.1);
}

Test(scenario, set_double_rejects_non_finite_and_garbage)
{
    scn_t s;
    scn_defaults(&s);
    const char *bad[] = {"nan", "NaN", "inf", "-inf", "infinity", "1e999", "-1e999", "abc", "", "1.5x", "0x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        SET_FAILS(&s, "duration", bad[i], "not a number");
    cr_assert_eq(s.duration_s, 10.0);
}

Test(scenario, set_double_rejects_out_of_range_with_the_range)
{
    scn_t s;
    scn_defaults(&s);
    SET_FAILS(&s, "duration", "86400.5", "out of range [0, 86400]");
    SET_FAILS(&s, "duration", "-0.001", "out of range [0, 86400]");
    SET_FAILS(&s, "ready_timeout", "0.05", "out of range [0.1, 3600]");
    SET_FAILS(&s, "stop_timeout", "601", "out of range [0.1, 600]");
    SET_FAILS(&s, "sample_rate", "-1", "out of range");
}

/* ---- scn_set: bool, enum ------------------------------------------------- */

Test(scenario, set_bool_spellings)
{
    scn_t s;
    scn_defaults(&s);
    const char *yes[] = {"true", "1", "yes", "on", " true "};
    const char *no[] = {"false", "0", "no", "off", "\toff"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        s.compress = false;
        SET_OK(&s, "compress", yes[i]);
        cr_assert(s.compress, "'%s' did not set compress", yes[i]);
        s.cork = true;
        SET_OK(&s, "cork", no[i]);
        cr_assert_not(s.cork, "'%s' did not clear cork", no[i]);
    }
    const char *bad[] = {"maybe", "", "2", "truee", "y", "-1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        SET_FAILS(&s, "verify", bad[i], "not a boolean");
}

Test(scenario, set_enum_choices)
{
    scn_t s;
    scn_defaults(&s);
    SET_OK(&s, "workload", "structure");
    cr_assert_eq(s.workload, SCN_STRUCTURE);
    SET_OK(&s, "workload", "append");
    cr_assert_eq(s.workload, SCN_APPEND);
    SET_OK(&s, "flush_call", "fflush");
    cr_assert_eq(s.flush_call, SCN_FFLUSH);
    SET_OK(&s, "dtype", "float64");
    cr_assert_str_eq(fmt(&s, "dtype"), "float64");
    SET_OK(&s, "dtype", " int32 ");
    cr_assert_str_eq(fmt(&s, "dtype"), "int32");
    SET_FAILS(&s, "dtype", "float16", "is not one of: float32, float64, int32");
    SET_FAILS(&s, "dtype", "", "is not one of: float32, float64, int32");
    SET_FAILS(&s, "workload", "Append", "append, structure");
    SET_FAILS(&s, "flush_call", "sync", "dflush, fflush");
    cr_assert_str_eq(fmt(&s, "dtype"), "int32");
}

/* ---- scn_set: lists and strings ------------------------------------------ */

Test(scenario, set_channels_accepts_lower_case_names)
{
    scn_t s;
    scn_defaults(&s);
    SET_OK(&s, "channels", "ex");
    cr_assert_str_eq(s.channels, "ex");
    SET_OK(&s, "channels", "  ex, ey ,temperature_1 ");
    cr_assert_str_eq(s.channels, "ex, ey ,temperature_1");
    char items[SCN_MAX_CHANNELS][SCN_STR];
    cr_assert_eq(scn_split(s.channels, items, SCN_MAX_CHANNELS), 3);
    cr_assert_str_eq(items[1], "ey");
    SET_OK(&s, "new_run_channels", "hx,hy");
    cr_assert_str_eq(s.new_run_channels, "hx,hy");
}

Test(scenario, set_channels_rejects_bad_lists)
{
    scn_t s;
    scn_defaults(&s);
    SET_FAILS(&s, "channels", "Ex", "lower case");
    SET_FAILS(&s, "channels", "ex,HX", "lower case");
    SET_FAILS(&s, "channels", "ex,ey,ex", "'ex' appears twice");
    SET_FAILS(&s, "channels", "ex, ey,ey ", "appears twice");
    SET_FAILS(&s, "channels", "ex,,ey", "comma-separated list");
    SET_FAILS(&s, "channels", "ex,", "comma-separated list");
    SET_FAILS(&s, "channels", "ex, ,ey", "comma-separated list");
    SET_FAILS(&s, "channels", "ex,ey, ", "comma-separated list");
    SET_FAILS(&s, "channels", "", "comma-separated list");
    SET_FAILS(&s, "channels", "  ", "comma-separated list");
    SET_FAILS(&s, "channels", ",", "comma-separated list");
    SET_FAILS(&s, "channels", "ex,a/b", "not a valid name");
    SET_FAILS(&s, "channels", ".", "not a valid name");
    SET_FAILS(&s, "new_run_channels", "ex,ex", "appears twice");
    cr_assert_str_eq(s.channels, "ex,ey,hx,hy,hz");
}

/* Regression (fixed): a leading comma makes an empty first
 * item, like "ex,,ey" and "ex," do, but strtok_r skips it and only doubled and
 * trailing commas are checked, so ",ex" is accepted (and stored as ",ex"). */
Test(scenario, set_channels_rejects_leading_comma)
{
    scn_t s;
    scn_defaults(&s);
    char items[SCN_MAX_CHANNELS][SCN_STR];
    cr_expect_eq(scn_split(",ex", items, SCN_MAX_CHANNELS), -1, "scn_split(\",ex\") accepts an empty first item");
    SET_FAILS(&s, "channels", ",ex", "comma-separated list");
}

static void numbered_list(char *buf, size_t cap, int n)
{
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        size_t l = strlen(buf);
        snprintf(buf + l, cap - l, "%sc%d", i ? "," : "", i);
    }
}

Test(scenario, set_channels_at_most_64)
{
    scn_t s;
    scn_defaults(&s);
    char list[1024];
    numbered_list(list, sizeof list, SCN_MAX_CHANNELS);
    cr_assert_lt(strlen(list), SCN_STR);
    SET_OK(&s, "channels", list);
    char items[SCN_MAX_CHANNELS][SCN_STR];
    cr_assert_eq(scn_split(s.channels, items, SCN_MAX_CHANNELS), SCN_MAX_CHANNELS);
    cr_assert_str_eq(items[63], "c63");
    numbered_list(list, sizeof list, SCN_MAX_CHANNELS + 1);
    cr_assert_lt(strlen(list), SCN_STR);
    SET_FAILS(&s, "channels", list, "1 to 64 items");
    /* 40 items of 9 characters: few enough, but longer than the field */
    list[0] = '\0';
    for (int i = 0; i < 40; i++) {
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%schan_%04d", i ? "," : "", i);
    }
    cr_assert_geq(strlen(list), SCN_STR);
    SET_FAILS(&s, "channels", list, "too long");
    cr_assert_str_eq(items[0], "c0");
}

Test(scenario, set_reader_refresh_choices_only)
{
    scn_t s;
    scn_defaults(&s);
    SET_OK(&s, "reader_refresh", "reopen");
    cr_assert_str_eq(s.reader_refresh, "reopen");
    SET_OK(&s, "reader_refresh", "none,refresh,reopen");
    SET_OK(&s, "reader_refresh", "none,none"); /* repeats are how a cycle is weighted */
    cr_assert_str_eq(s.reader_refresh, "none,none");
    SET_FAILS(&s, "reader_refresh", "bogus", "'bogus' is not one of: refresh, reopen, none");
    SET_FAILS(&s, "reader_refresh", "refresh,Reopen", "is not one of: refresh, reopen, none");
    SET_FAILS(&s, "reader_refresh", "", "comma-separated list");
    SET_FAILS(&s, "reader_refresh", "refresh,,none", "comma-separated list");
    cr_assert_str_eq(s.reader_refresh, "none,none");
}

Test(scenario, set_string_length_limits)
{
    scn_t s;
    scn_defaults(&s);
    char v[SCN_PATH + 8];
    memset(v, 'p', SCN_PATH - 1);
    v[SCN_PATH - 1] = '\0';
    SET_OK(&s, "file", v); /* 1023 characters fit */
    cr_assert_eq(strlen(s.file), SCN_PATH - 1);
    v[SCN_PATH - 1] = 'p';
    v[SCN_PATH] = '\0';
    SET_FAILS(&s, "file", v, "too long");
    SET_FAILS(&s, "results_dir", v, "too long");
    char w[SCN_STR + 10];
    memset(w, 's', SCN_STR + 5);
    w[SCN_STR + 5] = '\0';
    SET_FAILS(&s, "survey", w, "too long");
    /* group names: 1-63 characters, no '/' */
    memset(w, 's', 64);
    w[64] = '\0';
    SET_FAILS(&s, "station", w, "not a valid group name");
    w[63] = '\0';
    SET_OK(&s, "station", w);
    SET_FAILS(&s, "run", "a/b", "not a valid group name");
    SET_FAILS(&s, "survey", "", "not a valid group name");
    SET_OK(&s, "results_dir", "");
    cr_assert_str_eq(s.results_dir, "");
}

Test(scenario, set_unknown_key)
{
    scn_t s;
    scn_defaults(&s);
    SET_FAILS(&s, "bogus", "1", "unknown key 'bogus'");
    SET_FAILS(&s, "Readers", "1", "unknown key 'Readers'");
    M[0] = '\0';
    cr_assert_eq(scn_set(&s, "", "1", M, sizeof M), H5S_ESCENARIO);
    cr_assert(strstr(M, "unknown key") != NULL, "%s", M);
}

/* ---- scn_load ------------------------------------------------------------ */

static const char TWO_JOBS[] = "; two jobs sharing global settings\n"
                               "[global]\n"
                               "readers = 2\n"
                               "duration = 5\n"
                               "dtype = float64\n"
                               "channels = ex,ey,hx\n"
                               "\n"
                               "[fast]\n"
                               "readers = 1\n"
                               "realtime = false\n"
                               "seed = 7\n"
                               "seed = 8   ; the last one wins\n"
                               "\n"
                               "[slow]\n"
                               "duration = 20\n"
                               "channels = hx,hy\n";

Test(scenario, load_jobs_inherit_and_override_global)
{
    const char *p = write_file("mixed.ini", TWO_JOBS);
    scn_file_t sf;
    LOAD_OK(p, NULL, 0, &sf);
    cr_assert_eq(sf.njobs, 2);
    const scn_t *a = &sf.jobs[0], *b = &sf.jobs[1];
    cr_expect_str_eq(a->name, "fast");
    cr_expect_str_eq(b->name, "slow");
    cr_expect_str_eq(a->scenario, "mixed");
    cr_expect_str_eq(b->scenario, "mixed");
    /* fast: own readers/realtime/seed, global duration/dtype/channels */
    cr_expect_eq(a->readers, 1);
    cr_expect_not(a->realtime);
    cr_expect_eq(a->seed, 8);
    cr_expect_eq(a->duration_s, 5.0);
    cr_expect_str_eq(fmt(a, "dtype"), "float64");
    cr_expect_str_eq(a->channels, "ex,ey,hx");
    /* slow: own duration/channels, global readers/dtype, fast's keys do not leak */
    cr_expect_eq(b->readers, 2);
    cr_expect_eq(b->duration_s, 20.0);
    cr_expect_str_eq(b->channels, "hx,hy");
    cr_expect_str_eq(fmt(b, "dtype"), "float64");
    cr_expect(b->realtime);
    cr_expect_eq(b->seed, 1);
    /* untouched keys keep their defaults */
    cr_expect_eq(a->block_samples, 1000);
    cr_expect_str_eq(b->survey, "live_survey");
    scn_file_free(&sf);
    cr_assert_null(sf.jobs);
    cr_assert_eq(sf.njobs, 0);
}

Test(scenario, load_only_global_is_one_job)
{
    const char *p = write_file("solo.ini", "[global]\nreaders = 4\nworkload: structure\n");
    scn_file_t sf;
    LOAD_OK(p, NULL, 0, &sf);
    cr_assert_eq(sf.njobs, 1);
    cr_expect_str_eq(sf.jobs[0].name, "global");
    cr_expect_str_eq(sf.jobs[0].scenario, "solo");
    cr_expect_eq(sf.jobs[0].readers, 4);
    cr_expect_eq(sf.jobs[0].workload, SCN_STRUCTURE);
    scn_file_free(&sf);

    /* the scenario name is the file's base name, whatever the directories */
    cr_assert_eq(mkdir(tu_path("dir.d"), 0755), 0);
    p = write_file("dir.d/plain", "[global]\nreaders = 1\n");
    LOAD_OK(p, NULL, 0, &sf);
    cr_expect_str_eq(sf.jobs[0].scenario, "plain");
    scn_file_free(&sf);
    p = write_file("dir.d/two.dots.ini", "[global]\nreaders = 1\n");
    LOAD_OK(p, NULL, 0, &sf);
    cr_expect_str_eq(sf.jobs[0].scenario, "two.dots");
    scn_file_free(&sf);
    p = write_file("dir.d/.hidden", "[global]\nreaders = 1\n");
    LOAD_OK(p, NULL, 0, &sf);
    cr_expect_str_eq(sf.jobs[0].scenario, ".hidden", "a leading dot is not an extension");
    scn_file_free(&sf);
}

Test(scenario, load_jobs_without_global)
{
    const char *p = write_file("noglobal.ini", "[b]\nreaders = 1\n[a]\nreaders = 2\n[b]\nduration = 3\n");
    scn_file_t sf;
    LOAD_OK(p, NULL, 0, &sf);
    cr_assert_eq(sf.njobs, 2);
    cr_expect_str_eq(sf.jobs[0].name, "b");
    cr_expect_eq(sf.jobs[0].readers, 1);
    cr_expect_eq(sf.jobs[0].duration_s, 3.0, "a section that appears twice is one job");
    cr_expect_str_eq(sf.jobs[1].name, "a");
    cr_expect_eq(sf.jobs[1].readers, 2);
    cr_expect_eq(sf.jobs[1].duration_s, 10.0);
    scn_file_free(&sf);
}

/* Regression (fixed): a job is registered only when one of its
 * keys is seen (the system libinih is not built with
 * INI_CALL_HANDLER_ON_NEW_SECTION), so a job section with no keys of its own,
 * i.e. a job that runs the [global] settings, is silently dropped. */
Test(scenario, load_job_section_without_keys_is_a_job)
{
    const char *p = write_file("empty_job.ini", "[global]\nreaders = 2\n[a]\n[b]\nreaders = 1\n");
    scn_file_t sf;
    LOAD_OK(p, NULL, 0, &sf);
    cr_expect_eq(sf.njobs, 2, "job [a] (no keys of its own) was dropped: %zu job(s), first [%s]", sf.njobs,
                 sf.njobs ? sf.jobs[0].name : "");
    if (sf.njobs == 2) {
        cr_expect_str_eq(sf.jobs[0].name, "a");
        cr_expect_eq(sf.jobs[0].readers, 2);
        cr_expect_str_eq(sf.jobs[1].name, "b");
        cr_expect_eq(sf.jobs[1].readers, 1);
    }
    scn_file_free(&sf);
}

Test(scenario, overrides_apply_to_every_job_and_win)
{
    const char *p = write_file("mixed.ini", TWO_JOBS);
    const char *ov[] = {"readers=5", " duration = 7 ", "quiet=on", "dtype=int32"};
    scn_file_t sf;
    LOAD_OK(p, ov, 4, &sf);
    cr_assert_eq(sf.njobs, 2);
    for (size_t j = 0; j < 2; j++) {
        const scn_t *s = &sf.jobs[j];
        cr_expect_eq(s->readers, 5, "[%s] readers %lld", s->name, (long long)s->readers);
        cr_expect_eq(s->duration_s, 7.0, "[%s] duration %g", s->name, s->duration_s);
        cr_expect(s->quiet, "[%s]", s->name);
        cr_expect_str_eq(fmt(s, "dtype"), "int32");
    }
    /* keys not overridden still come from the file */
    cr_expect_str_eq(sf.jobs[0].channels, "ex,ey,hx");
    cr_expect_str_eq(sf.jobs[1].channels, "hx,hy");
    cr_expect_not(sf.jobs[0].realtime);
    scn_file_free(&sf);

    /* later overrides win over earlier ones */
    const char *ov2[] = {"readers=5", "readers=6"};
    LOAD_OK(p, ov2, 2, &sf);
    cr_expect_eq(sf.jobs[0].readers, 6);
    cr_expect_eq(sf.jobs[1].readers, 6);
    scn_file_free(&sf);
}

Test(scenario, bad_overrides_are_refused)
{
    const char *p = write_file("mixed.ini", TWO_JOBS);
    const char *no_eq[] = {"readers"};
    load_fails(p, no_eq, 1, "-o readers", "key=value");
    const char *bad_val[] = {"duration=1", "readers=abc"};
    load_fails(p, bad_val, 2, "-o readers=abc", "not a whole number");
    const char *unknown[] = {"bogus=1"};
    load_fails(p, unknown, 1, "-o bogus=1", "unknown key 'bogus'");
    const char *range[] = {"readers=1000"};
    load_fails(p, range, 1, "-o readers=1000", "out of range [0, 256]");
}

Test(scenario, load_overrides_without_file)
{
    const char *ov[] = {"readers=2", "channels=ex,ey"};
    scn_file_t sf;
    h5s_err_clear(&E);
    int rc = scn_load_overrides("adhoc", ov, 2, &sf, &E);
    cr_assert_eq(rc, 0, "%s", E.msg);
    cr_assert_eq(sf.njobs, 1);
    cr_expect_str_eq(sf.jobs[0].scenario, "adhoc");
    cr_expect_str_eq(sf.jobs[0].name, "global");
    cr_expect_eq(sf.jobs[0].readers, 2);
    cr_expect_str_eq(sf.jobs[0].channels, "ex,ey");
    scn_file_free(&sf);
    const char *bad[] = {"readers=2", "kill_reader=3"};
    h5s_err_clear(&E);
    rc = scn_load_overrides("adhoc", bad, 2, &sf, &E);
    cr_assert_eq(rc, H5S_ESCENARIO);
    cr_assert_null(sf.jobs);
    cr_assert(strstr(E.msg, "kill_reader") != NULL, "%s", E.msg);
}

/* ---- scn_load: errors with line numbers --------------------------------- */

Test(scenario, load_error_unknown_key_line)
{
    line_error("unknown.ini", "[global]\nreaders = 2\n\nbogus = 1\nduration = 1\n", 4, "unknown key 'bogus'");
}

Test(scenario, load_error_bad_value_line)
{
    line_error("badval.ini", "[global]\n; readers below\nreaders = abc\n", 3, "readers: 'abc' is not a whole number");
}

Test(scenario, load_error_out_of_range_line)
{
    line_error("range.ini", "[global]\nreaders = 2\n[j]\nduration = 1\nreaders = 999\n", 5,
               "[j] readers: 999 is out of range [0, 256]");
}

Test(scenario, load_error_bad_enum_and_bool_lines)
{
    line_error("enum.ini", "[global]\ndtype = float16\n", 2, "float32, float64, int32");
    line_error("bool.ini", "[global]\nreaders = 2\n\n\ncork = maybe\n", 5, "not a boolean");
}

Test(scenario, load_error_syntax_line)
{
    line_error("syntax.ini", "[global]\nreaders = 2\nthis line has no equals sign\nduration = 1\n", 3, "syntax error");
    line_error("section.ini", "[global]\nreaders = 2\n[unclosed\nduration = 1\n", 3, "syntax error");
}

Test(scenario, load_error_key_before_section_line)
{
    line_error("nosection.ini", "; a comment first\nreaders = 2\n[global]\nduration = 1\n", 2,
               "'readers' is outside any section");
}

/* Regression (fixed): libinih goes on after an error and
 * returns the line of the FIRST error, but the message is the first HANDLER
 * error, which can come from a later line. With a syntax error on line 2 and an
 * unknown key on line 4 the message reads "f.ini:2: [global] unknown key
 * 'bogus'": the line of one error with the text of another. */
Test(scenario, load_error_message_matches_its_line)
{
    const char *p = write_file("two_errors.ini", "[global]\nno equals sign here\nreaders = 1\nbogus = 2\n");
    scn_file_t sf;
    int rc = load(p, NULL, 0, &sf);
    cr_assert_eq(rc, H5S_ESCENARIO);
    char prefix[600];
    snprintf(prefix, sizeof prefix, "%s:2: ", p);
    cr_expect_eq(strncmp(E.msg, prefix, strlen(prefix)), 0, "expected line 2: %s", E.msg);
    cr_expect(strstr(E.msg, "syntax error") != NULL && strstr(E.msg, "bogus") == NULL,
              "line 2 is the syntax error, but the message describes line 4: %s", E.msg);
}

/* Regression (fixed) (harness/scenario.c, scn_load + the system libinih, INI_MAX_LINE 200,
 * no INI_ALLOW_REALLOC): a line longer than 199 characters is cut and its tail
 * parsed as the next line, so a data file path of 300 characters, accepted by
 * -o file=... (up to 1023), is refused in a file with "line 3: syntax error"
 * (or, if the tail starts with a blank, silently replaced by the tail as a
 * multi-line continuation). The "line too long" check in handler() is never
 * reached. */
Test(scenario, load_long_value_as_in_override)
{
    char path[400], text[600], ov[420];
    snprintf(path, sizeof path, "/data/%0300d/x.mth5", 0);
    snprintf(ov, sizeof ov, "file=%s", path);
    const char *ovs[] = {ov};
    scn_file_t sf;
    h5s_err_clear(&E);
    cr_assert_eq(scn_load_overrides("long", ovs, 1, &sf, &E), 0, "-o file=<%zu chars>: %s", strlen(path), E.msg);
    cr_assert_str_eq(sf.jobs[0].file, path);
    scn_file_free(&sf);

    snprintf(text, sizeof text, "[global]\nfile = %s\nreaders = 1\n", path);
    const char *p = write_file("long.ini", text);
    int rc = load(p, NULL, 0, &sf);
    cr_expect_eq(rc, 0, "a %zu-character value in a file is refused: %s", strlen(path), E.msg);
    if (rc == 0) {
        cr_expect_str_eq(sf.jobs[0].file, path);
        cr_expect_eq(sf.jobs[0].readers, 1);
        scn_file_free(&sf);
    }
}

/* ---- scn_load: files that are not scenarios ------------------------------ */

Test(scenario, load_refuses_empty_and_comment_only_files)
{
    const char *p = write_file("empty.ini", "");
    load_fails(p, NULL, 0, p, "empty");
    p = write_file("comments.ini", "; just a comment\n# and another\n\n   \n");
    load_fails(p, NULL, 0, p, "empty");
}

Test(scenario, load_refuses_binary_file)
{
    const char *p = tu_path("binary.ini");
    static const char bytes[] = "[global]\nreaders = 2\n\0\x01\x02\xff";
    FILE *f = fopen(p, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(bytes, 1, sizeof bytes - 1, f), sizeof bytes - 1);
    cr_assert_eq(fclose(f), 0);
    load_fails(p, NULL, 0, p, "NUL");
}

Test(scenario, load_refuses_directory_and_missing_file)
{
    load_fails(tu_dir(), NULL, 0, tu_dir(), "not a regular file");
    const char *missing = tu_path("no-such.ini");
    load_fails(missing, NULL, 0, missing, strerror(ENOENT));
}

static void write_padded(const char *p, size_t size)
{
    /* [global] and a key, then 99-character comment lines up to size bytes */
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    const char *head = "[global]\nreaders = 2\n";
    size_t n = strlen(head);
    fputs(head, f);
    char line[101];
    memset(line, 'c', 99);
    line[0] = ';';
    line[99] = '\n';
    line[100] = '\0';
    while (n + 100 <= size) {
        fputs(line, f);
        n += 100;
    }
    for (; n < size; n++) /* fill the rest with blank lines */
        fputc('\n', f);
    cr_assert_eq(fclose(f), 0);
    struct stat st;
    cr_assert_eq(stat(p, &st), 0);
    cr_assert_eq((size_t)st.st_size, size);
}

Test(scenario, load_size_limit_is_one_mib)
{
    const char *ok = tu_path("exactly_1mib.ini");
    write_padded(ok, 1u << 20);
    scn_file_t sf;
    LOAD_OK(ok, NULL, 0, &sf);
    cr_expect_eq(sf.jobs[0].readers, 2);
    scn_file_free(&sf);
    const char *big = tu_path("too_big.ini");
    write_padded(big, (1u << 20) + 1);
    load_fails(big, NULL, 0, big, "1 MiB");
}

/* ---- scn_load: validation ------------------------------------------------ */

Test(scenario, load_refuses_realtime_without_rate)
{
    const char *p = write_file("rt.ini", "[global]\nrealtime = true\nsample_rate = 0\n");
    load_fails(p, NULL, 0, p, "realtime = true needs sample_rate > 0");
    p = write_file("rt_ok.ini", "[global]\nrealtime = false\nsample_rate = 0\n");
    scn_file_t sf;
    LOAD_OK(p, NULL, 0, &sf);
    scn_file_free(&sf);
}

Test(scenario, load_refuses_kill_reader_above_readers)
{
    const char *p = write_file("kill.ini", "[global]\nreaders = 2\n[j1]\nkill_reader = 2\n[j2]\nkill_reader = 3\n");
    char prefix[600];
    snprintf(prefix, sizeof prefix, "%s [j2]: ", p);
    load_fails(p, NULL, 0, prefix, "kill_reader = 3 but there are only 2 readers");
    /* an override can make a valid file invalid */
    p = write_file("kill_ok.ini", "[global]\nreaders = 2\nkill_reader = 2\n");
    scn_file_t sf;
    LOAD_OK(p, NULL, 0, &sf);
    scn_file_free(&sf);
    const char *ov[] = {"readers=1"};
    load_fails(p, ov, 1, p, "kill_reader");
}

Test(scenario, load_refuses_flush_interval_longer_than_run)
{
    const char *p = write_file("flush.ini", "[global]\nduration = 1\nflush_every_ms = 2000\nflush_every_blocks = 0\n");
    load_fails(p, NULL, 0, p, "flush_every_ms");
    /* with a block count, or a run of unlimited duration, it is fine */
    scn_file_t sf;
    p = write_file("flush_ok.ini", "[global]\nduration = 1\nflush_every_ms = 2000\nflush_every_blocks = 1\n");
    LOAD_OK(p, NULL, 0, &sf);
    scn_file_free(&sf);
    p = write_file("flush_ok2.ini", "[global]\nduration = 0\nmax_blocks = 5\nflush_every_ms = 2000\n"
                                    "flush_every_blocks = 0\n");
    LOAD_OK(p, NULL, 0, &sf);
    scn_file_free(&sf);
}

/* ---- helpers: split, refresh cycle, help, format ------------------------- */

Test(scenario, split_trims_and_rejects_empty_items)
{
    char items[SCN_MAX_CHANNELS][SCN_STR];
    cr_assert_eq(scn_split(" ex ,\tey,hx  ", items, SCN_MAX_CHANNELS), 3);
    cr_assert_str_eq(items[0], "ex");
    cr_assert_str_eq(items[1], "ey");
    cr_assert_str_eq(items[2], "hx");
    cr_assert_eq(scn_split("one", items, SCN_MAX_CHANNELS), 1);
    cr_assert_str_eq(items[0], "one");
    cr_assert_eq(scn_split("", items, SCN_MAX_CHANNELS), 0);
    cr_assert_eq(scn_split("   ", items, SCN_MAX_CHANNELS), 0);
    cr_assert_eq(scn_split("ex,,ey", items, SCN_MAX_CHANNELS), -1);
    cr_assert_eq(scn_split("ex,", items, SCN_MAX_CHANNELS), -1);
    cr_assert_eq(scn_split("ex, ,ey", items, SCN_MAX_CHANNELS), -1);
    cr_assert_eq(scn_split(",", items, SCN_MAX_CHANNELS), -1);
    cr_assert_eq(scn_split("a,b", items, 2), 2);
    cr_assert_eq(scn_split("a,b,c", items, 2), -1);
    char longitem[SCN_STR + 2];
    memset(longitem, 'x', SCN_STR);
    longitem[SCN_STR] = '\0';
    cr_assert_eq(scn_split(longitem, items, SCN_MAX_CHANNELS), -1, "an item of %d characters", SCN_STR);
    longitem[SCN_STR - 1] = '\0';
    cr_assert_eq(scn_split(longitem, items, SCN_MAX_CHANNELS), 1);
}

/* Regression (fixed): the trailing-comma check looks at the
 * last character of the untrimmed list, after trim() has already cut the
 * blanks off the copy that strtok_r splits, so "ex,ey,\t" (an empty last item)
 * gives 2 items. scn_set trims values first, so only direct callers of
 * scn_split with unstripped text see it. */
Test(scenario, split_rejects_trailing_comma_before_blanks)
{
    char items[SCN_MAX_CHANNELS][SCN_STR];
    int n = scn_split("ex,ey,\t", items, SCN_MAX_CHANNELS);
    cr_expect_eq(n, -1, "scn_split(\"ex,ey,\\t\") = %d, expected -1 (empty last item)", n);
    n = scn_split("ex,ey, ", items, SCN_MAX_CHANNELS);
    cr_expect_eq(n, -1, "scn_split(\"ex,ey, \") = %d, expected -1 (empty last item)", n);
}

Test(scenario, reader_refresh_cycles_over_readers)
{
    scn_t s;
    scn_defaults(&s);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(scn_reader_refresh(&s, i), SCN_REFRESH, "default, reader %d", i);
    SET_OK(&s, "reader_refresh", "none, refresh ,reopen");
    const scn_refresh_t want[] = {SCN_NONE, SCN_REFRESH, SCN_REOPEN};
    for (int i = 0; i < 10; i++)
        cr_assert_eq(scn_reader_refresh(&s, i), want[i % 3], "reader %d: %s, expected %s", i,
                     scn_refresh_name(scn_reader_refresh(&s, i)), scn_refresh_name(want[i % 3]));
    cr_assert_eq(scn_reader_refresh(&s, 255), SCN_NONE);
    SET_OK(&s, "reader_refresh", "reopen,none");
    cr_assert_eq(scn_reader_refresh(&s, 0), SCN_REOPEN);
    cr_assert_eq(scn_reader_refresh(&s, 1), SCN_NONE);
    cr_assert_eq(scn_reader_refresh(&s, 2), SCN_REOPEN);
    cr_assert_str_eq(scn_refresh_name(SCN_REFRESH), "refresh");
    cr_assert_str_eq(scn_refresh_name(SCN_REOPEN), "reopen");
    cr_assert_str_eq(scn_refresh_name(SCN_NONE), "none");
}

Test(scenario, help_lists_every_option)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_not_null(f);
    scn_print_help(f);
    cr_assert_eq(fclose(f), 0);
    cr_assert_gt(len, 0);
    size_t n = 0;
    for (const scn_opt_t *o = scn_options(); o->name; o++, n++) {
        char needle[128];
        snprintf(needle, sizeof needle, "\n  %s ", o->name);
        cr_expect(strstr(text, needle) != NULL, "help does not list '%s'", o->name);
        cr_expect(strstr(text, o->help) != NULL, "help lacks the help text of '%s'", o->name);
    }
    cr_expect(strstr(text, "one of: float32, float64, int32") != NULL, "help lacks the dtype choices");
    cr_expect(strstr(text, "range [0, 256]") != NULL, "help lacks the readers range");
    /* one line per option plus its help line, plus the heading */
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    cr_expect_geq(lines, 2 * n, "%zu lines for %zu options", lines, n);
    free(text);
}

static void assert_field_equal(const scn_t *a, const scn_t *b, const scn_opt_t *o)
{
    size_t size = o->size;
    switch (o->type) {
    case OPT_INT: size = sizeof(int64_t); break;
    case OPT_DOUBLE: size = sizeof(double); break;
    case OPT_BOOL: size = sizeof(bool); break;
    case OPT_ENUM: size = sizeof(int); break;
    default: break;
    }
    if (o->type == OPT_STRING || o->type == OPT_LIST)
        cr_assert_str_eq((const char *)a + o->offset, (const char *)b + o->offset, "%s", o->name);
    else
        cr_assert(memcmp((const char *)a + o->offset, (const char *)b + o->offset, size) == 0,
                  "%s: value changed in the round trip", o->name);
}

Test(scenario, format_round_trips_every_default)
{
    scn_t s, t;
    scn_defaults(&s);
    for (const scn_opt_t *o = scn_options(); o->name; o++) {
        char a[SCN_PATH], b[SCN_PATH];
        scn_format(&s, o, a, sizeof a);
        cr_expect_str_eq(a, o->dflt, "%s: default formats as '%s', the table says '%s'", o->name, a, o->dflt);
        scn_defaults(&t);
        memset((char *)&t + o->offset, 0x33, o->type == OPT_BOOL ? 1 : o->type == OPT_ENUM ? sizeof(int) : 8);
        SET_OK(&t, o->name, a);
        scn_format(&t, o, b, sizeof b);
        cr_assert_str_eq(a, b, "%s: '%s' set back formats as '%s'", o->name, a, b);
        assert_field_equal(&s, &t, o);
    }
}

Test(scenario, format_round_trips_set_values)
{
    static const char *const kv[][2] = {
        {"duration", "12.5"},     {"sample_rate", "44100"},          {"poll_ms", "0.25"},
        {"readers", "17"},        {"seed", "123456789012"},          {"max_blocks", "9000000000000000"},
        {"cork", "off"},          {"workload", "structure"},         {"dtype", "int32"},
        {"channels", "ex, ey"},   {"reader_refresh", "none,reopen"}, {"file", "/tmp/some file.mth5"},
        {"flush_call", "fflush"}, {"ready_timeout", "0.1"},          {"kill_writer_after_ms", "2500"},
    };
    for (size_t i = 0; i < sizeof kv / sizeof *kv; i++) {
        scn_t s, t;
        scn_defaults(&s);
        scn_defaults(&t);
        const scn_opt_t *o = opt(kv[i][0]);
        SET_OK(&s, kv[i][0], kv[i][1]);
        char a[SCN_PATH], b[SCN_PATH];
        scn_format(&s, o, a, sizeof a);
        SET_OK(&t, kv[i][0], a);
        scn_format(&t, o, b, sizeof b);
        cr_assert_str_eq(a, b, "%s", kv[i][0]);
        assert_field_equal(&s, &t, o);
    }
}

/* Regression (fixed): doubles are formatted with
 * "%g", 6 significant digits, so a value with more digits does not survive
 * format -> set: sample_rate 1234567 formats as "1.23457e+06" (1234570). */
Test(scenario, format_round_trips_precise_doubles)
{
    static const char *const kv[][2] = {{"sample_rate", "1234567"}, {"duration", "3600.125"}};
    for (size_t i = 0; i < sizeof kv / sizeof *kv; i++) {
        scn_t s, t;
        scn_defaults(&s);
        scn_defaults(&t);
        const scn_opt_t *o = opt(kv[i][0]);
        SET_OK(&s, kv[i][0], kv[i][1]);
        char a[SCN_PATH];
        scn_format(&s, o, a, sizeof a);
        SET_OK(&t, kv[i][0], a);
        double x = *(const double *)((const char *)&s + o->offset);
        double y = *(const double *)((const char *)&t + o->offset);
        cr_expect_eq(x, y, "%s = %s formats as '%s', which sets %.17g", kv[i][0], kv[i][1], a, y);
    }
}

/* ---- the shipped scenarios ----------------------------------------------- */

Test(scenario, shipped_scenarios_load)
{
    const char *dir = H5SWMR_SOURCE_DIR "/scenarios";
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s: %s", dir, strerror(errno));
    int count = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l <= 4 || strcmp(de->d_name + l - 4, ".ini") != 0)
            continue;
        char path[2048], base[256];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        snprintf(base, sizeof base, "%.*s", (int)(l - 4), de->d_name);
        scn_file_t sf;
        LOAD_OK(path, NULL, 0, &sf);
        cr_expect_geq(sf.njobs, 1, "%s", path);
        for (size_t j = 0; j < sf.njobs; j++) {
            char m[512];
            cr_expect_str_eq(sf.jobs[j].scenario, base, "%s", path);
            cr_expect_eq(scn_validate(&sf.jobs[j], m, sizeof m), 0, "%s [%s]: %s", path, sf.jobs[j].name, m);
        }
        scn_file_free(&sf);
        count++;
    }
    closedir(d);
    cr_assert_geq(count, 3, "only %d scenarios in %s", count, dir);
}
