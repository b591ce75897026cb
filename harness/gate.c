/* gate.c - h5swmr gate: the CI regression gate. Compares a sweep's results
 * (sweep.json) with a committed baseline of the same sweep: correctness
 * figures must match exactly; performance figures are ratios measured in the
 * same run (SWMR against raw pwrite and against HDF5 without SWMR, lag against
 * the poll interval, the flush cost growth exponent) and may move within a
 * tolerance, so that a noisy machine passes and a real regression does not. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "proto.h"
#include "util.h"

/* One line on stderr, the exit status returned. */
#define fail(code, ...) h5s_cli_fail("gate", code, __VA_ARGS__)

static cJSON *load(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = n > 0 && n < (64L << 20) ? malloc((size_t)n + 1) : NULL;
    cJSON *j = NULL;
    if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
        buf[n] = '\0';
        j = cJSON_Parse(buf);
    }
    free(buf);
    fclose(f);
    return j;
}

static const char *sopt(const cJSON *row, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(row, "scenario"), key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double num(const cJSON *o, const char *key, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

/* What identifies a run across sweeps: its job and the values that vary;
 * with mode set, the key of its baseline run in that writer mode. */
static void row_key_as(const cJSON *row, const char *mode, char *out, size_t cap);

static void row_key(const cJSON *row, char *out, size_t cap)
{
    row_key_as(row, NULL, out, cap);
}

static void row_key_as(const cJSON *row, const char *mode, char *out, size_t cap)
{
    static const char *const keys[] = {"writer_mode", "block_samples", "nchannels", "flush_call", "flush_every_blocks",
                                       "poll_ms",     "reader_wait",   "readers",   "dtype",      "cork",
                                       NULL};
    const cJSON *job = cJSON_GetObjectItemCaseSensitive(row, "job");
    int n = snprintf(out, cap, "[%s]", cJSON_IsString(job) ? job->valuestring : "?");
    for (int i = 0; keys[i] && n > 0 && (size_t)n < cap; i++) {
        const char *v = sopt(row, keys[i]);
        if (mode && !strcmp(keys[i], "writer_mode"))
            v = mode;
        else if (mode && !strcmp(keys[i], "readers"))
            v = "0"; /* baselines run without readers */
        n += snprintf(out + n, cap - (size_t)n, " %s=%s", keys[i], v);
    }
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of a figure over every run with this key (repeats); dflt if none. */
static double median_of(const cJSON *runs, const char *key, const char *field, double dflt)
{
    double v[64];
    int n = 0;
    const cJSON *r;
    char k[1024];
    cJSON_ArrayForEach (r, runs) {
        row_key(r, k, sizeof k);
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(r, field);
        if (!strcmp(k, key) && cJSON_IsNumber(x) && n < 64)
            v[n++] = x->valuedouble;
    }
    if (!n)
        return dflt;
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The largest value of a figure over every run with this key. */
static double max_of(const cJSON *runs, const char *key, const char *field, double dflt)
{
    double m = dflt;
    bool any = false;
    const cJSON *r;
    char k[1024];
    cJSON_ArrayForEach (r, runs) {
        row_key(r, k, sizeof k);
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(r, field);
        if (!strcmp(k, key) && cJSON_IsNumber(x) && (!any || x->valuedouble > m)) {
            m = x->valuedouble;
            any = true;
        }
    }
    return m;
}

static const cJSON *find_row(const cJSON *runs, const char *key)
{
    const cJSON *r;
    char k[1024];
    cJSON_ArrayForEach (r, runs) {
        row_key(r, k, sizeof k);
        if (!strcmp(k, key))
            return r;
    }
    return NULL;
}

typedef struct tally {
    int checked, regressed, missing;
} tally_t;

/* A ratio that must not fall more than tol (a fraction) below the baseline. */
static void ratio(tally_t *t, const char *key, const char *name, double base, double now, double tol)
{
    if (!(base > 0))
        return;
    t->checked++;
    double change = now / base - 1;
    bool bad = !(now >= base * (1 - tol));
    printf("%-9s %s %s: %.3f, baseline %.3f (%+.0f%%, tolerance -%.0f%%)\n", bad ? "REGRESSED" : "ok", key, name, now,
           base, change * 100, tol * 100);
    t->regressed += bad;
}

/* A figure that must not rise more than tol (a fraction) above the baseline. */
static void ceiling(tally_t *t, const char *key, const char *name, double base, double now, double tol, double slack)
{
    if (!(base > 0))
        return;
    t->checked++;
    bool bad = !(now <= base * (1 + tol) + slack);
    printf("%-9s %s %s: %.3f, baseline %.3f (%+.3f, allowed up to %.3f)\n", bad ? "REGRESSED" : "ok", key, name, now,
           base, now - base, base * (1 + tol) + slack);
    t->regressed += bad;
}

static void exact(tally_t *t, const char *key, const char *name, double base, double now)
{
    t->checked++;
    bool bad = now != base;
    if (bad)
        printf("REGRESSED %s %s: %g, baseline %g (must match exactly)\n", key, name, now, base);
    t->regressed += bad;
}

int cmd_gate(int argc, char **argv)
{
    const char *baseline = NULL, *current = NULL;
    double tol = 0.5, exp_tol = 0.45;
    for (int i = 2; i < argc; i++) {
        char *end;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("Usage: h5swmr gate --baseline BASELINE.json SWEEP.json [--tolerance F] [--exponent-tolerance E]\n\n"
                   "Compares a sweep (its sweep.json) with a baseline of the same sweep. Exact: every run's errors\n"
                   "and exit status. Within tolerance F (default 0.5, a fraction): SWMR throughput as a ratio to\n"
                   "raw pwrite and to HDF5 without SWMR measured in the same run (best of the repeats). Within a\n"
                   "third of the interval: visibility lag p50 (median of repeats) as a fraction of the poll\n"
                   "interval. Within E (default 0.45, absolute): the flush cost growth exponent.\n"
                   "Prints one line per figure and exits 1 if any regressed, naming it and by how much.\n");
            return 0;
        } else if (!strcmp(argv[i], "--baseline") && i + 1 < argc) {
            baseline = argv[++i];
        } else if ((!strcmp(argv[i], "--tolerance") || !strcmp(argv[i], "--exponent-tolerance")) && i + 1 < argc) {
            double v = strtod(argv[i + 1], &end);
            if (*end || end == argv[i + 1] || !(v >= 0 && v < 10))
                return fail(EXIT_USAGE, "%s: '%s' is not a number in [0, 10)", argv[i], argv[i + 1]);
            if (argv[i][2] == 't')
                tol = v;
            else
                exp_tol = v;
            i++;
        } else if (argv[i][0] == '-') {
            return fail(EXIT_USAGE, "unknown or incomplete option '%s'", argv[i]);
        } else if (!current) {
            current = argv[i];
        } else {
            return fail(EXIT_USAGE, "unexpected argument '%s'", argv[i]);
        }
    }
    if (!baseline || !current)
        return fail(EXIT_USAGE, "usage: h5swmr gate --baseline BASELINE.json SWEEP.json");
    cJSON *b = load(baseline), *c = load(current);
    if (!b || !c) {
        cJSON_Delete(b);
        cJSON_Delete(c);
        return fail(EXIT_USAGE, "cannot read %s as JSON", !b ? baseline : current);
    }
    const cJSON *bruns = cJSON_GetObjectItem(b, "runs"), *cruns = cJSON_GetObjectItem(c, "runs");
    if (!cJSON_IsArray(bruns) || !cJSON_IsArray(cruns)) {
        cJSON_Delete(b);
        cJSON_Delete(c);
        return fail(EXIT_USAGE, "not sweep results (no 'runs' array)");
    }
    tally_t t = {0};
    const cJSON *br;
    char key[1024];
    cJSON_ArrayForEach (br, bruns) {
        row_key(br, key, sizeof key);
        if (find_row(bruns, key) != br)
            continue; /* a repeat: the key's figures are medians over all of them */
        if (!find_row(cruns, key)) {
            printf("REGRESSED %s: in the baseline, not in this run\n", key);
            t.missing++;
            continue;
        }
        exact(&t, key, "errors (any repeat)", max_of(bruns, key, "errors", 0), max_of(cruns, key, "errors", -1));
        exact(&t, key, "exit_code (any repeat)", max_of(bruns, key, "exit_code", 0),
              max_of(cruns, key, "exit_code", -1));
        if (strcmp(sopt(br, "writer_mode"), "swmr"))
            continue;
        /* each mode's best of the repeats: a transient stall of the machine
         * (page cache handed back to the host, another process) slows one
         * repeat of one mode; a regression slows every SWMR repeat */
        static const char *const base_modes[] = {"raw", "noswmr"};
        for (int k = 0; k < 2; k++) {
            char bkey[1024], name[64];
            row_key_as(br, base_modes[k], bkey, sizeof bkey);
            double b_base = max_of(bruns, bkey, "io_MBps", 0), c_base = max_of(cruns, bkey, "io_MBps", 0);
            if (b_base <= 0)
                continue;
            snprintf(name, sizeof name, "io MB/s / %s io MB/s (best of repeats)", base_modes[k]);
            ratio(&t, key, name, max_of(bruns, key, "io_MBps", 0) / b_base,
                  c_base > 0 ? max_of(cruns, key, "io_MBps", 0) / c_base : 0, tol);
        }
        double poll = atof(sopt(br, "poll_ms")) * 1e3;
        double blag = median_of(bruns, key, "lag_p50_us", 0);
        if (poll > 0 && !strcmp(sopt(br, "reader_wait"), "poll") && blag > 0)
            /* lag within a poll interval depends on the phase between writer
             * and readers: allowed to move by a third of the interval */
            ceiling(&t, key, "lag_p50 / poll interval", blag / poll, median_of(cruns, key, "lag_p50_us", 1e12) / poll,
                    0, 0.34);
    }
    /* the flush cost growth exponents (dimensionless: comparable across machines) */
    const cJSON *bg;
    cJSON_ArrayForEach (bg, cJSON_GetObjectItem(b, "flush_growth")) {
        const char *job = cJSON_GetObjectItem(bg, "job")->valuestring,
                   *call = cJSON_GetObjectItem(bg, "flush_call")->valuestring;
        const cJSON *cg = NULL, *x;
        cJSON_ArrayForEach (x, cJSON_GetObjectItem(c, "flush_growth")) {
            if (!strcmp(cJSON_GetObjectItem(x, "job")->valuestring, job) &&
                !strcmp(cJSON_GetObjectItem(x, "flush_call")->valuestring, call))
                cg = x;
        }
        snprintf(key, sizeof key, "[%s] flush_call=%s", job, call);
        if (!cg) {
            printf("REGRESSED %s: growth exponent in the baseline, not in this run\n", key);
            t.missing++;
            continue;
        }
        double be = num(bg, "exponent_top", 0), ce = num(cg, "exponent_top", 99);
        t.checked++;
        bool bad = ce > be + exp_tol;
        printf("%-9s %s flush cost growth exponent: %.2f, baseline %.2f (%+.2f, tolerance +%.2f)\n",
               bad ? "REGRESSED" : "ok", key, ce, be, ce - be, exp_tol);
        t.regressed += bad;
    }
    printf("gate: %d figures checked, %d regressed, %d missing: %s\n", t.checked, t.regressed, t.missing,
           t.regressed || t.missing ? "FAILED" : "passed");
    cJSON_Delete(b);
    cJSON_Delete(c);
    return t.regressed || t.missing ? 1 : 0;
}
