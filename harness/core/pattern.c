/* pattern.c - deterministic samples and their verification.
 *
 * The pattern (documented for other languages in docs/runs.md, "The sample
 * pattern"): with k = the low 32 bits of key ^ (key >> 32), and lo, hi the
 * low and high 32 bits of the sample index i, in unsigned 32-bit arithmetic
 * (every product and sum modulo 2^32)
 *
 *     x  = lo * 0x9E3779B1 + ((hi * 0x85EBCA77) ^ k)
 *     x ^= x >> 16;  x *= 0x7FEB352D
 *     x ^= x >> 15;  x *= 0x846CA68B
 *     x ^= x >> 16
 *     sample i = (x >> 10) + 1
 *
 * For a fixed hi the map from lo to x is a bijection, so no two of the 2^32
 * indexes that share a high half share x; the value is 22 bits plus one:
 * an integer in [1, 2^22], exact in float32, float64 and int32, never 0.
 * Only 32-bit multiplies and shifts: the loops below vectorise, so a writer
 * makes samples faster than HDF5 stores them. */
#include "pattern.h"

/* Multiversioned where the compiler and platform can: the same loop built for
 * AVX2 (8 samples per instruction) and the baseline, chosen at load time. */
#if defined(__x86_64__) && defined(__has_attribute) && !defined(__SANITIZE_ADDRESS__)
#if __has_attribute(target_clones)
#define PAT_CLONES __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef PAT_CLONES
#define PAT_CLONES
#endif

uint64_t pat_key(const char *path)
{
    uint64_t h = 14695981039346656037ull;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        h ^= *p;
        h *= 1099511628211ull;
    }
    return h;
}

/* The pattern's mixing of one index, given its high half and the key
 * already combined: base = (hi * 0x85EBCA77) ^ k. */
static inline int32_t pat_mix(uint32_t lo, uint32_t base)
{
    uint32_t x = lo * 0x9E3779B1u + base;
    x ^= x >> 16;
    x *= 0x7FEB352Du;
    x ^= x >> 15;
    x *= 0x846CA68Bu;
    x ^= x >> 16;
    return (int32_t)(x >> 10) + 1;
}

/* The key folded to 32 bits. */
static inline uint32_t pat_k32(uint64_t key)
{
    return (uint32_t)(key ^ (key >> 32));
}

/* The combined high half and key of index i. */
static inline uint32_t pat_base(uint64_t key, uint64_t i)
{
    return ((uint32_t)(i >> 32) * 0x85EBCA77u) ^ pat_k32(key);
}

int32_t pat_value(uint64_t key, uint64_t i)
{
    return pat_mix((uint32_t)i, pat_base(key, i));
}

/* The longest run from start on whose indexes share their high half (where
 * the inner loops may hold the base constant), at most n. */
static size_t pat_span(uint64_t start, size_t n)
{
    uint64_t left = (uint64_t)1 << 32;
    left -= start & 0xFFFFFFFFu;
    return (uint64_t)n < left ? n : (size_t)left;
}

PAT_CLONES static void fill_f32(uint32_t lo, uint32_t base, size_t n, float *out)
{
    for (size_t k = 0; k < n; k++)
        out[k] = (float)pat_mix(lo + (uint32_t)k, base);
}

PAT_CLONES static void fill_f64(uint32_t lo, uint32_t base, size_t n, double *out)
{
    for (size_t k = 0; k < n; k++)
        out[k] = (double)pat_mix(lo + (uint32_t)k, base);
}

PAT_CLONES static void fill_i32(uint32_t lo, uint32_t base, size_t n, int32_t *out)
{
    for (size_t k = 0; k < n; k++)
        out[k] = pat_mix(lo + (uint32_t)k, base);
}

void pat_fill(mth5_dtype_t dt, uint64_t key, uint64_t start, size_t n, void *buf)
{
    size_t sz = mth5_dtype_size(dt);
    while (n > 0) {
        size_t m = pat_span(start, n);
        uint32_t lo = (uint32_t)start, base = pat_base(key, start);
        switch (dt) {
        case MTH5_FLOAT32: fill_f32(lo, base, m, buf); break;
        case MTH5_FLOAT64: fill_f64(lo, base, m, buf); break;
        case MTH5_INT32: fill_i32(lo, base, m, buf); break;
        }
        buf = (char *)buf + m * sz;
        start += m;
        n -= m;
    }
}

/* How many of n samples differ from the pattern: the fast pass (vectorised,
 * no branch); the slow pass below only runs where it finds some. */
PAT_CLONES static size_t count_f32(uint32_t lo, uint32_t base, size_t n, const float *in)
{
    size_t bad = 0;
    for (size_t k = 0; k < n; k++)
        bad += in[k] != (float)pat_mix(lo + (uint32_t)k, base);
    return bad;
}

PAT_CLONES static size_t count_f64(uint32_t lo, uint32_t base, size_t n, const double *in)
{
    size_t bad = 0;
    for (size_t k = 0; k < n; k++)
        bad += in[k] != (double)pat_mix(lo + (uint32_t)k, base);
    return bad;
}

PAT_CLONES static size_t count_i32(uint32_t lo, uint32_t base, size_t n, const int32_t *in)
{
    size_t bad = 0;
    for (size_t k = 0; k < n; k++)
        bad += in[k] != pat_mix(lo + (uint32_t)k, base);
    return bad;
}

/* Sample k of buf, an array of dt, as a double (0 for an unknown type). */
static double sample_at(mth5_dtype_t dt, const void *buf, size_t k)
{
    switch (dt) {
    case MTH5_FLOAT32: return ((const float *)buf)[k];
    case MTH5_FLOAT64: return ((const double *)buf)[k];
    case MTH5_INT32: return ((const int32_t *)buf)[k];
    }
    return 0;
}

/* The slow pass: every bad sample of [start, start+n) classified and the
 * first one recorded in *c. Returns the number found. */
static uint64_t classify(mth5_dtype_t dt, uint64_t key, uint64_t start, size_t n, const void *buf, pat_check_t *c)
{
    uint64_t bad = 0;
    for (size_t k = 0; k < n; k++) {
        double v = sample_at(dt, buf, k);
        int32_t want = pat_value(key, start + k);
        if (v == (double)want)
            continue;
        if (c->mismatches + c->fills == 0) {
            c->first_bad = start + k;
            c->first_value = v;
            c->first_expected = want;
        }
        if (v == 0)
            c->fills++;
        else
            c->mismatches++;
        bad++;
    }
    return bad;
}

uint64_t pat_verify(mth5_dtype_t dt, uint64_t key, uint64_t start, size_t n, const void *buf, pat_check_t *c)
{
    size_t sz = mth5_dtype_size(dt);
    uint64_t bad = 0;
    while (n > 0) {
        size_t m = pat_span(start, n), found = 0;
        uint32_t lo = (uint32_t)start, base = pat_base(key, start);
        switch (dt) {
        case MTH5_FLOAT32: found = count_f32(lo, base, m, buf); break;
        case MTH5_FLOAT64: found = count_f64(lo, base, m, buf); break;
        case MTH5_INT32: found = count_i32(lo, base, m, buf); break;
        default: found = m; break;
        }
        if (found)
            bad += classify(dt, key, start, m, buf, c);
        buf = (const char *)buf + m * sz;
        start += m;
        n -= m;
    }
    return bad;
}
