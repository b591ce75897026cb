/* pattern.c - deterministic samples and their verification. */
#include "pattern.h"

uint64_t pat_key(const char *path)
{
    uint64_t h = 14695981039346656037ull;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        h ^= *p;
        h *= 1099511628211ull;
    }
    return h;
}

int32_t pat_value(uint64_t key, uint64_t i)
{
    uint64_t x = (i + 1) * 0x9E3779B97F4A7C15ull ^ key;
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    return (int32_t)(x % ((1u << 22) - 1)) + 1;
}

void pat_fill(mth5_dtype_t dt, uint64_t key, uint64_t start, size_t n, void *buf)
{
    switch (dt) {
    case MTH5_FLOAT32:
        for (size_t k = 0; k < n; k++)
            ((float *)buf)[k] = (float)pat_value(key, start + k);
        break;
    case MTH5_FLOAT64:
        for (size_t k = 0; k < n; k++)
            ((double *)buf)[k] = (double)pat_value(key, start + k);
        break;
    case MTH5_INT32:
        for (size_t k = 0; k < n; k++)
            ((int32_t *)buf)[k] = pat_value(key, start + k);
        break;
    }
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

uint64_t pat_verify(mth5_dtype_t dt, uint64_t key, uint64_t start, size_t n, const void *buf, pat_check_t *c)
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
