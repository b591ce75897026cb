/* pattern.h - the deterministic sample pattern writers write and readers verify.
 *
 * Sample i of a channel is an integer in [1, 2^22], exact in float32, float64
 * and int32, and never 0, so that a fill value (0) is told apart from a wrong
 * value. The channel's key is a hash of its dataset path. */
#ifndef H5SWMR_PATTERN_H
#define H5SWMR_PATTERN_H

#include <stddef.h>
#include <stdint.h>

#include "mth5.h"

/* Returns the key of the channel at path (FNV-1a). */
uint64_t pat_key(const char *path);

/* Returns sample i of the channel with this key. */
int32_t pat_value(uint64_t key, uint64_t i);

/* Writes samples [start, start+n) of the pattern into buf as dtype dt. */
void pat_fill(mth5_dtype_t dt, uint64_t key, uint64_t start, size_t n, void *buf);

typedef struct pat_check {
    uint64_t mismatches; /* samples that are neither the pattern nor 0 */
    uint64_t fills;      /* samples equal to the fill value 0 */
    uint64_t first_bad;  /* index of the first bad sample (valid if bad > 0) */
    double first_value;  /* what was read there */
    int32_t first_expected;
} pat_check_t;

/* Checks buf (dtype dt) against samples [start, start+n); adds to *c.
 * Returns the number of bad samples found in this call. */
uint64_t pat_verify(mth5_dtype_t dt, uint64_t key, uint64_t start, size_t n, const void *buf, pat_check_t *c);

#endif
