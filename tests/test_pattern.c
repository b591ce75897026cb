/* test_pattern.c - the deterministic sample pattern and its verification
 * (harness/pattern.h). Pure computation: no files.
 * Tests marked "Regression (fixed)" guard defects found and fixed. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mth5.h"
#include "pattern.h"

TestSuite(pattern, .timeout = 30);

#define EX "/Experiment/Surveys/S1/Stations/ST01/r001/ex"
#define EY "/Experiment/Surveys/S1/Stations/ST01/r001/ey"
#define BIG_START UINT64_C(1000000000)
#define N 4096

static const mth5_dtype_t DTYPES[] = {MTH5_FLOAT32, MTH5_FLOAT64, MTH5_INT32};
static const char *const DTNAME[] = {"float32", "float64", "int32"};

static void *alloc_buf(size_t n)
{
    return calloc(n, sizeof(double));
}

/* Stores x as sample k of buf (dtype dt). */
static void put(mth5_dtype_t dt, void *buf, size_t k, double x)
{
    switch (dt) {
    case MTH5_FLOAT32: ((float *)buf)[k] = (float)x; break;
    case MTH5_FLOAT64: ((double *)buf)[k] = x; break;
    case MTH5_INT32: ((int32_t *)buf)[k] = (int32_t)x; break;
    }
}

static double get(mth5_dtype_t dt, const void *buf, size_t k)
{
    switch (dt) {
    case MTH5_FLOAT32: return ((const float *)buf)[k];
    case MTH5_FLOAT64: return ((const double *)buf)[k];
    case MTH5_INT32: return ((const int32_t *)buf)[k];
    }
    return NAN;
}

Test(pattern, values_in_range_and_deterministic)
{
    const uint64_t keys[] = {0, 1, UINT64_MAX, UINT64_C(0x2946f8ed3f260c2d), pat_key(EX)};
    const uint64_t far[] = {BIG_START, UINT64_C(1) << 40, UINT64_MAX - 1, UINT64_MAX};
    int32_t lo = INT32_MAX, hi = 0;
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        for (uint64_t i = 0; i < 20000; i++) {
            int32_t v = pat_value(keys[k], i);
            cr_assert(v >= 1 && v <= (1 << 22), "key %zu, i %llu: %d out of [1, 2^22]", k, (unsigned long long)i, v);
            cr_assert_eq(pat_value(keys[k], i), v, "not deterministic");
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        for (size_t j = 0; j < sizeof far / sizeof *far; j++) {
            int32_t v = pat_value(keys[k], far[j]);
            cr_assert(v >= 1 && v <= (1 << 22), "i %llu: %d", (unsigned long long)far[j], v);
            cr_assert_eq(pat_value(keys[k], far[j]), v);
        }
    }
    /* the values use the whole range, not a corner of it */
    cr_expect_lt(lo, 1 << 12, "smallest value %d", lo);
    cr_expect_gt(hi, (1 << 22) - (1 << 12), "largest value %d", hi);
}

/* Writers and readers (in other processes, other builds, and the h5py
 * follower tests/follow_h5py.py) must agree on the pattern: these values pin it. */
Test(pattern, values_are_pinned)
{
    cr_expect_eq(pat_value(0, 0), 1);
    cr_expect_eq(pat_value(0, 123456), 1751925);
    const uint64_t k = UINT64_C(0x2946f8ed3f260c2d);
    cr_expect_eq(pat_value(k, 0), 3520151);
    cr_expect_eq(pat_value(k, 1), 2821444);
    cr_expect_eq(pat_value(k, 2), 104654);
    cr_expect_eq(pat_value(k, UINT64_C(5000000000)), 3394672);
    cr_expect_eq(pat_value(k, UINT64_MAX), 2470276);
}

Test(pattern, successive_values_vary)
{
    const uint64_t key = pat_key(EX);
    unsigned same_as_prev = 0;
    for (uint64_t i = 1; i < 1000; i++)
        same_as_prev += pat_value(key, i) == pat_value(key, i - 1);
    cr_expect_lt(same_as_prev, 5, "%u of 999 neighbours equal", same_as_prev);
}

Test(pattern, keys_give_different_sequences)
{
    const uint64_t a = pat_key(EX), b = pat_key(EY);
    cr_assert_neq(a, b);
    unsigned equal = 0;
    for (uint64_t i = 0; i < 1000; i++)
        equal += pat_value(a, i) == pat_value(b, i);
    cr_expect_lt(equal, 10, "%u of 1000 samples equal between ex and ey", equal);
    /* neighbouring keys too */
    equal = 0;
    for (uint64_t i = 0; i < 1000; i++)
        equal += pat_value(1, i) == pat_value(2, i);
    cr_expect_lt(equal, 10, "%u of 1000 samples equal between keys 1 and 2", equal);
}

static void roundtrip(mth5_dtype_t dt, const char *name, uint64_t start)
{
    const uint64_t key = pat_key(EX);
    void *buf = alloc_buf(N);
    cr_assert_not_null(buf);
    pat_fill(dt, key, start, N, buf);
    for (size_t k = 0; k < N; k += 97)
        cr_assert_eq(get(dt, buf, k), (double)pat_value(key, start + k), "%s: sample %zu", name, k);
    pat_check_t c;
    memset(&c, 0, sizeof c);
    uint64_t bad = pat_verify(dt, key, start, N, buf, &c);
    cr_assert_eq(bad, 0, "%s at %llu: %llu bad, first at %llu (%g, expected %d)", name, (unsigned long long)start,
                 (unsigned long long)bad, (unsigned long long)c.first_bad, c.first_value, c.first_expected);
    cr_assert_eq(c.mismatches, 0);
    cr_assert_eq(c.fills, 0);
    /* the same samples checked one index off, or under another key, are wrong */
    memset(&c, 0, sizeof c);
    bad = pat_verify(dt, key, start + 1, N, buf, &c);
    cr_assert_gt(bad, N - 10, "%s: shifted by one, only %llu of %d bad", name, (unsigned long long)bad, N);
    cr_assert_eq(c.mismatches, bad);
    cr_assert_eq(c.first_bad, start + 1);
    memset(&c, 0, sizeof c);
    bad = pat_verify(dt, pat_key(EY), start, N, buf, &c);
    cr_assert_gt(bad, N - 10, "%s: another key, only %llu of %d bad", name, (unsigned long long)bad, N);
    free(buf);
}

Test(pattern, fill_verify_roundtrip_all_dtypes)
{
    for (size_t d = 0; d < 3; d++) {
        roundtrip(DTYPES[d], DTNAME[d], 0);
        roundtrip(DTYPES[d], DTNAME[d], BIG_START);
        /* across the index 2^32, where the high half of the index changes */
        roundtrip(DTYPES[d], DTNAME[d], (UINT64_C(1) << 32) - N / 2);
    }
}

Test(pattern, one_changed_value_is_one_mismatch)
{
    const uint64_t key = pat_key(EX);
    const uint64_t starts[] = {0, BIG_START};
    for (size_t d = 0; d < 3; d++)
        for (size_t s = 0; s < 2; s++) {
            void *buf = alloc_buf(N);
            cr_assert_not_null(buf);
            pat_fill(DTYPES[d], key, starts[s], N, buf);
            const size_t at = 1234;
            const int32_t want = pat_value(key, starts[s] + at);
            const double wrong = want == 1 ? 2 : want - 1;
            put(DTYPES[d], buf, at, wrong);
            pat_check_t c;
            memset(&c, 0, sizeof c);
            uint64_t bad = pat_verify(DTYPES[d], key, starts[s], N, buf, &c);
            cr_assert_eq(bad, 1, "%s: %llu bad", DTNAME[d], (unsigned long long)bad);
            cr_assert_eq(c.mismatches, 1);
            cr_assert_eq(c.fills, 0);
            cr_assert_eq(c.first_bad, starts[s] + at, "%s: first_bad %llu", DTNAME[d], (unsigned long long)c.first_bad);
            cr_assert_eq(c.first_expected, want);
            cr_assert_eq(c.first_value, wrong);
            free(buf);
        }
}

Test(pattern, nan_is_a_mismatch)
{
    const uint64_t key = pat_key(EX);
    for (size_t d = 0; d < 2; d++) { /* the float types */
        void *buf = alloc_buf(16);
        pat_fill(DTYPES[d], key, 0, 16, buf);
        put(DTYPES[d], buf, 3, NAN);
        pat_check_t c;
        memset(&c, 0, sizeof c);
        cr_assert_eq(pat_verify(DTYPES[d], key, 0, 16, buf, &c), 1, "%s", DTNAME[d]);
        cr_assert_eq(c.mismatches, 1);
        cr_assert_eq(c.fills, 0);
        cr_assert_eq(c.first_bad, 3);
        cr_assert(isnan(c.first_value));
        free(buf);
    }
}

Test(pattern, zeros_are_fills_not_mismatches)
{
    const uint64_t key = pat_key(EX);
    for (size_t d = 0; d < 3; d++) {
        void *buf = alloc_buf(N);
        pat_fill(DTYPES[d], key, BIG_START, N, buf);
        put(DTYPES[d], buf, 10, 0);
        put(DTYPES[d], buf, 20, 0);
        put(DTYPES[d], buf, N - 1, 0);
        pat_check_t c;
        memset(&c, 0, sizeof c);
        cr_assert_eq(pat_verify(DTYPES[d], key, BIG_START, N, buf, &c), 3, "%s", DTNAME[d]);
        cr_assert_eq(c.fills, 3);
        cr_assert_eq(c.mismatches, 0);
        cr_assert_eq(c.first_bad, BIG_START + 10);
        cr_assert_eq(c.first_value, 0.0);
        cr_assert_eq(c.first_expected, pat_value(key, BIG_START + 10));
        /* an all-zero (never written) block is all fills */
        memset(buf, 0, N * sizeof(double));
        memset(&c, 0, sizeof c);
        cr_assert_eq(pat_verify(DTYPES[d], key, 0, N, buf, &c), N);
        cr_assert_eq(c.fills, N);
        cr_assert_eq(c.mismatches, 0);
        cr_assert_eq(c.first_bad, 0);
        free(buf);
    }
}

Test(pattern, check_accumulates_across_calls)
{
    const uint64_t key = pat_key(EX);
    int32_t a[100], b[100];
    pat_fill(MTH5_INT32, key, 0, 100, a);
    pat_fill(MTH5_INT32, key, 100, 100, b);
    a[5] = 0;  /* a fill first */
    b[7] = -3; /* then a wrong value */
    b[8] = 0;
    pat_check_t c;
    memset(&c, 0, sizeof c);
    cr_assert_eq(pat_verify(MTH5_INT32, key, 0, 100, a, &c), 1);
    cr_assert_eq(pat_verify(MTH5_INT32, key, 100, 100, b, &c), 2, "the return value counts this call only");
    cr_assert_eq(c.fills, 2);
    cr_assert_eq(c.mismatches, 1);
    cr_assert_eq(c.first_bad, 5, "the first bad sample overall is kept");
    cr_assert_eq(c.first_value, 0.0);
    cr_assert_eq(c.first_expected, pat_value(key, 5));
    /* a clean call adds nothing */
    pat_fill(MTH5_INT32, key, 200, 100, a);
    cr_assert_eq(pat_verify(MTH5_INT32, key, 200, 100, a, &c), 0);
    cr_assert_eq(c.fills + c.mismatches, 3);
}

Test(pattern, float32_holds_every_value_exactly)
{
    const uint64_t keys[] = {pat_key(EX), pat_key(EY), 0, UINT64_MAX};
    enum { M = 100000 };
    float *f = malloc(M * sizeof *f);
    cr_assert_not_null(f);
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        const uint64_t start = k & 1 ? BIG_START : 0;
        pat_fill(MTH5_FLOAT32, keys[k], start, M, f);
        for (size_t i = 0; i < M; i++) {
            int32_t v = pat_value(keys[k], start + i);
            cr_assert_eq((int32_t)f[i], v, "key %zu, i %zu: %.1f != %d", k, i, (double)f[i], v);
            cr_assert_eq((double)f[i], (double)v);
        }
        pat_check_t c;
        memset(&c, 0, sizeof c);
        cr_assert_eq(pat_verify(MTH5_FLOAT32, keys[k], start, M, f, &c), 0);
    }
    free(f);
}

Test(pattern, keys_are_stable_and_distinct)
{
    char path[128];
    snprintf(path, sizeof path, "%s", EX);
    cr_assert_eq(pat_key(path), pat_key(EX), "same text, another buffer");
    cr_assert_eq(pat_key(EX), pat_key(EX));
    /* distinct for many paths that differ a little */
    enum { P = 400 };
    uint64_t *k = malloc(P * sizeof *k);
    cr_assert_not_null(k);
    const char *ch[] = {"ex", "ey", "hx", "hy", "hz"};
    size_t n = 0;
    for (int run = 1; run <= P / 5; run++)
        for (int c = 0; c < 5; c++) {
            snprintf(path, sizeof path, "/Experiment/Surveys/S1/Stations/ST01/run_%03d/%s", run, ch[c]);
            k[n++] = pat_key(path);
        }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            cr_assert_neq(k[i], k[j], "paths %zu and %zu have the same key", i, j);
    free(k);
    cr_expect_neq(pat_key("a"), pat_key("b"));
    cr_expect_neq(pat_key("ab"), pat_key("ba"));
    cr_expect_neq(pat_key(""), pat_key("/"));
}

/* Regression (fixed):6): pattern.h says the key is FNV-1a, but the
 * offset basis is 1469598103934665603 (0x14650fb0739d0383), a digit short of
 * FNV-1a's 14695981039346656037 (0xcbf29ce484222325). The keys are still
 * stable and distinct, but an independent FNV-1a implementation (a verifier
 * written from the header) gets other keys, hence other samples.
 * tests/follow_h5py.py copies the same constant. Standard FNV-1a 64 vectors: */
Test(pattern, key_is_fnv1a_as_documented)
{
    cr_expect_eq(pat_key(""), UINT64_C(0xcbf29ce484222325), "pat_key(\"\") = %#llx", (unsigned long long)pat_key(""));
    cr_expect_eq(pat_key("a"), UINT64_C(0xaf63dc4c8601ec8c), "pat_key(\"a\") = %#llx",
                 (unsigned long long)pat_key("a"));
    cr_expect_eq(pat_key("foobar"), UINT64_C(0x85944171f73967e8), "pat_key(\"foobar\") = %#llx",
                 (unsigned long long)pat_key("foobar"));
}
