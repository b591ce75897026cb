/* test_fuzz_scenario.c - a bounded fuzz of the scenario parser: a corpus
 * generated from the shipped scenarios and the option table, mutated with a
 * fixed seed (bytes flipped, inserted and deleted, lines duplicated, spliced,
 * truncated; NULs, brackets, '=', ';' and overlong lines), fed to scn_load,
 * -o overrides and the sweep parser. Every input must be refused with one
 * clear line or accepted and survive a write/read round trip. Run under the
 * ASan+UBSan build (ci/test does), memory errors abort the test.
 * H5SWMR_FUZZ_SECONDS (default 15) and H5SWMR_FUZZ_SEED change the budget and
 * the seed. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scenario.h"
#include "testutil.h"
#include "util.h"

TestSuite(fuzz, .init = tu_setup, .fini = tu_teardown, .timeout = 120);

#define FUZZ_MAX (1 << 16)

typedef struct corpus {
    char *text[64];
    size_t len[64];
    int n;
} corpus_t;

static uint64_t g_rng;

static uint64_t rnd(uint64_t n)
{
    return n ? h5s_rand_next(&g_rng) % n : 0;
}

static void add(corpus_t *c, const char *text, size_t len)
{
    if (c->n < 64 && (c->text[c->n] = malloc(len + 1))) {
        memcpy(c->text[c->n], text, len);
        c->text[c->n][len] = '\0';
        c->len[c->n++] = len;
    }
}

static void load_corpus(corpus_t *c)
{
    char dir[1200];
    snprintf(dir, sizeof dir, "%s/scenarios", H5SWMR_SOURCE_DIR);
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 4, ".ini"))
            continue;
        char p[1500];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unsigned char *buf;
        size_t len;
        if (tu_read_file(p, &buf, &len) == 0) {
            add(c, (const char *)buf, len);
            free(buf);
        }
    }
    closedir(d);
    /* one line per option with its default, and with a neighbour's value */
    static char all[32768];
    size_t l = (size_t)snprintf(all, sizeof all, "[global]\n");
    scn_t s;
    scn_defaults(&s);
    for (const scn_opt_t *o = scn_options(); o->name; o++) {
        char v[SCN_PATH];
        scn_format(&s, o, v, sizeof v);
        l += (size_t)snprintf(all + l, sizeof all - l, "%s = %s\n", o->name, v);
    }
    add(c, all, l);
    add(c, "[a]\n[b]\nreaders=1\n[global]\nduration=1\n", 38);
    cr_assert_gt(c->n, 3);
}

static size_t mutate(const corpus_t *c, char *out)
{
    int k = (int)rnd((uint64_t)c->n);
    size_t len = c->len[k] < FUZZ_MAX / 2 ? c->len[k] : FUZZ_MAX / 2;
    memcpy(out, c->text[k], len);
    static const char tokens[][24] = {"\n",   "=",      "[",           "]",       ";",    "#",      " ",
                                      ",",    "\0",     "[global]\n",  "readers", "=-1",  "=1e999", "=nan",
                                      "true", "sweep=", "channels=EX", "\t",      "\r\n", "\xff"};
    int rounds = 1 + (int)rnd(8);
    for (int r = 0; r < rounds; r++) {
        size_t at = len ? rnd(len) : 0;
        switch (rnd(7)) {
        case 0: /* flip a byte */
            if (len)
                out[at] = (char)rnd(256);
            break;
        case 1: { /* insert a token */
            const char *t = tokens[rnd(sizeof tokens / sizeof tokens[0])];
            size_t tl = t[0] ? strlen(t) : 1;
            if (len + tl < FUZZ_MAX) {
                memmove(out + at + tl, out + at, len - at);
                memcpy(out + at, t, tl);
                len += tl;
            }
            break;
        }
        case 2: { /* delete a range */
            size_t n = rnd(64);
            if (at + n > len)
                n = len - at;
            memmove(out + at, out + at + n, len - at - n);
            len -= n;
            break;
        }
        case 3: /* truncate */ len = at; break;
        case 4: { /* an overlong line */
            size_t n = 150 + rnd(2000);
            if (len + n + 8 < FUZZ_MAX) {
                memmove(out + at + n + 8, out + at, len - at);
                memcpy(out + at, "\nfile = ", 8);
                memset(out + at + 8, 'x', n);
                len += n + 8;
            }
            break;
        }
        case 5: { /* splice the tail of another input */
            int j = (int)rnd((uint64_t)c->n);
            size_t from = rnd(c->len[j] + 1), n = c->len[j] - from;
            if (at + n < FUZZ_MAX) {
                memcpy(out + at, c->text[j] + from, n);
                len = at + n;
            }
            break;
        }
        default: { /* duplicate a range */
            size_t n = rnd(200);
            if (at + n > len)
                n = len - at;
            if (len + n < FUZZ_MAX) {
                memmove(out + at + n, out + at, len - at);
                len += n;
            }
            break;
        }
        }
    }
    return len;
}

static void one_line(const h5s_err_t *err, const char *what)
{
    cr_assert(err->msg[0], "%s: an empty error message", what);
    cr_assert_null(strchr(err->msg, '\n'), "%s: a message of more than one line: %s", what, err->msg);
}

/* An accepted scenario written out and read back gives the same values. */
static void round_trip(const scn_t *s)
{
    char p[1200];
    snprintf(p, sizeof p, "%s", tu_path("rt.ini"));
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    cr_assert_eq(scn_write_ini(s, f), 0);
    fclose(f);
    scn_file_t back;
    h5s_err_t err;
    cr_assert_eq(scn_load(p, NULL, 0, &back, &err), 0, "round trip refused: %s", err.msg);
    for (const scn_opt_t *o = scn_options(); o->name; o++) {
        char a[SCN_PATH], b[SCN_PATH];
        scn_format(s, o, a, sizeof a);
        scn_format(&back.jobs[0], o, b, sizeof b);
        for (char *q = a; *q; q++)
            if (*q == ';' || *q == '#')
                *q = ' ';
        if (o->type == OPT_STRING) /* leading/trailing blanks are not kept by INI */
            continue;
        cr_assert_str_eq(a, b, "%s changed in the round trip", o->name);
    }
    scn_file_free(&back);
}

Test(fuzz, scenario_parser_refuses_or_round_trips)
{
    const char *secs = getenv("H5SWMR_FUZZ_SECONDS"), *seed = getenv("H5SWMR_FUZZ_SEED");
    double budget = secs ? atof(secs) : 15;
    g_rng = seed ? strtoull(seed, NULL, 10) : 20261122;
    corpus_t c = {0};
    load_corpus(&c);
    char *buf = malloc(FUZZ_MAX + 1);
    cr_assert_not_null(buf);
    char p[1200]; /* tu_path's buffers rotate: keep our own copy */
    snprintf(p, sizeof p, "%s", tu_path("fuzz.ini"));
    int64_t end = h5s_now_ns() + (int64_t)(budget * 1e9);
    long n = 0, accepted = 0;
    while (h5s_now_ns() < end && n < 200000) {
        size_t len = mutate(&c, buf);
        FILE *f = fopen(p, "wb");
        cr_assert_not_null(f);
        fwrite(buf, 1, len, f);
        fclose(f);
        scn_file_t sf;
        h5s_err_t err;
        h5s_err_clear(&err);
        int rc = scn_load(p, NULL, 0, &sf, &err);
        if (rc == 0) {
            accepted++;
            cr_assert_gt(sf.njobs, 0);
            char msg[400];
            for (size_t j = 0; j < sf.njobs; j++)
                cr_assert_eq(scn_validate(&sf.jobs[j], msg, sizeof msg), 0, "an accepted job is invalid: %s", msg);
            if (accepted % 50 == 1)
                round_trip(&sf.jobs[0]);
            scn_file_free(&sf);
        } else {
            cr_assert(rc == H5S_ESCENARIO || rc == H5S_ENOMEM, "unexpected code %d", rc);
            one_line(&err, "scn_load");
            cr_assert(strstr(err.msg, "fuzz.ini"), "the message does not name the file: %s", err.msg);
        }
        /* the same bytes as -o overrides and as a sweep specification */
        buf[len < 300 ? len : 300] = '\0';
        const char *ov[1] = {buf};
        if (scn_load_overrides("fuzz", ov, 1, &sf, &err) == 0)
            scn_file_free(&sf);
        else
            one_line(&err, "-o");
        scn_axis_t axes[16];
        char msg[400];
        int na = scn_parse_sweep(buf, axes, 16, msg, sizeof msg);
        cr_assert(na >= 0 || (msg[0] && !strchr(msg, '\n')), "sweep: bad message");
        n++;
    }
    free(buf);
    for (int i = 0; i < c.n; i++)
        free(c.text[i]);
    cr_log_info("fuzz: %ld inputs, %ld accepted", n, accepted);
    cr_assert_gt(n, 100, "the fuzz ran only %ld inputs", n);
    cr_assert_gt(accepted, 0, "no mutated input was accepted: the corpus is too broken to exercise the parser");
}
