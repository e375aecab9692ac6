/*
 * rate_sketch.c — fixed-size distinct counters and a top-N of the rate analyzers
 * (rate_int.h), so that no key grows with what it sees: HyperLogLog (512 one-byte
 * registers, standard error 1.04/sqrt(512) = 4.6%, linear counting below 2.5 x 512) for
 * the sources of a flood; bitmaps of 512 bits with linear counting for the ports and
 * hosts of a scan (accurate within a few percent up to about a thousand, the largest
 * threshold allowed); space-saving over 8 counters for the URL paths of a site's flood
 * (a path holding more than 1/8 of the requests is always among them).
 */
#include "detect/rate_int.h"

#include <math.h>
#include <string.h>

/* See rate_int.h. */
void rate_hll_add(uint8_t *reg, uint64_t h)
{
    unsigned idx = (unsigned)(h >> (64 - RATE_HLL_BITS));
    uint64_t w = (h << RATE_HLL_BITS) | (1ull << (RATE_HLL_BITS - 1));
    uint8_t rank = (uint8_t)(__builtin_clzll(w) + 1);
    if (rank > reg[idx])
        reg[idx] = rank;
}

/* See rate_int.h. */
uint64_t rate_hll_count(const uint8_t *reg)
{
    double m = RATE_HLL_M, sum = 0;
    unsigned zeros = 0;
    for (unsigned i = 0; i < RATE_HLL_M; i++) {
        sum += ldexp(1.0, -(int)reg[i]);
        zeros += reg[i] == 0;
    }
    double e = 0.7213 / (1 + 1.079 / m) * m * m / sum;
    if (e <= 2.5 * m && zeros > 0)
        e = m * log(m / zeros);
    return (uint64_t)(e + 0.5);
}

/* See rate_int.h. */
void rate_bitmap_add(uint64_t *bm, uint64_t h)
{
    unsigned bit = (unsigned)(h >> 55); /* 0..511 */
    bm[bit >> 6] |= 1ull << (bit & 63);
}

/* See rate_int.h. */
uint64_t rate_bitmap_count(const uint64_t *a, const uint64_t *b)
{
    unsigned set = 0, m = RATE_BITMAP_WORDS * 64;
    for (unsigned i = 0; i < RATE_BITMAP_WORDS; i++)
        set += (unsigned)__builtin_popcountll(a[i] | (b ? b[i] : 0));
    if (set >= m)
        set = m - 1; /* saturated: the count is at least this */
    return (uint64_t)(-(double)m * log(1 - (double)set / m) + 0.5);
}

/* See rate_int.h. */
void rate_paths_add(struct rate_path *top, uint64_t h, struct slice path)
{
    struct rate_path *min = &top[0];
    for (unsigned i = 0; i < RATE_TOP_PATHS; i++) {
        if (top[i].count && top[i].hash == h) {
            top[i].count++;
            return;
        }
        if (top[i].count < min->count)
            min = &top[i];
    }
    /* a free counter, or the smallest taken over (its count carried: space-saving) */
    min->count++;
    min->hash = h;
    min->len = (uint8_t)(path.len < RATE_PATH_MAX ? path.len : RATE_PATH_MAX);
    if (min->len)
        memcpy(min->text, path.p, min->len);
}

/* See rate_int.h. */
const struct rate_path *rate_paths_top(const struct rate_path *top)
{
    const struct rate_path *best = NULL;
    for (unsigned i = 0; i < RATE_TOP_PATHS; i++)
        if (top[i].count && (!best || top[i].count > best->count))
            best = &top[i];
    return best;
}
