/*
 * hash.c — a fast 64-bit hash for ids and hash tables: eight bytes per step with a
 * multiply-xorshift mix (in the spirit of wyhash/murmur finalizers, written here).
 */
#include "core/core.h"

#include <string.h>

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

uint64_t hash64(const void *p, size_t n, uint64_t seed)
{
    const unsigned char *s = p;
    uint64_t h = seed ^ (0x9e3779b97f4a7c15ULL * (n + 1));
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = mix64(h ^ w) + 0x9e3779b97f4a7c15ULL;
        s += 8;
        n -= 8;
    }
    uint64_t t = 0;
    for (size_t i = 0; i < n; i++)
        t |= (uint64_t)s[i] << (8 * i);
    return mix64(h ^ t ^ ((uint64_t)n << 59));
}

uint64_t hash_mix(uint64_t a, uint64_t b)
{
    return mix64(a ^ mix64(b + 0x9e3779b97f4a7c15ULL));
}
