/*
 * store_match.c — exact value matching for search: the case-insensitive wildcard
 * matcher and the number parser that store_filter.c applies to stored values.
 *
 * The block index only narrows candidates; these functions decide. They read what
 * is stored on disk, which they treat as untrusted: every scan is bounded by length.
 */
#include "store/store_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static inline unsigned char fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* One pattern element at pat[*i]: returns the literal byte or -1 for '*', -2 for '?'. */
static int pat_next(const char *pat, size_t pn, size_t *i)
{
    unsigned char c = (unsigned char)pat[*i];
    if (c == '\\' && *i + 1 < pn) {
        *i += 2;
        return (unsigned char)pat[*i - 1];
    }
    (*i)++;
    if (c == '*')
        return -1;
    if (c == '?')
        return -2;
    return c;
}

/* Length of the UTF-8 sequence starting with byte c (1 for invalid lead bytes). */
static size_t u8len(unsigned char c)
{
    if (c >= 0xf0 && c < 0xf8)
        return 4;
    if (c >= 0xe0)
        return c < 0xf0 ? 3 : 1;
    if (c >= 0xc0)
        return 2;
    return 1;
}

/*
 * Glob match with * and ? (? = one UTF-8 character), ASCII case folded. open_start and
 * open_end act as an implicit * before and after the pattern (a "contains" search).
 * Iterative with one backtrack point, so the cost is O(n * m) at worst, never
 * exponential.
 */
static bool glob_ci(const char *s, size_t n, const char *pat, size_t pn, bool open_start,
                    bool open_end)
{
    size_t si = 0, pi = 0;
    size_t star_pi = open_start ? 0 : (size_t)-1, star_si = 0;
    while (si < n) {
        if (pi == pn && open_end)
            return true;
        if (pi < pn) {
            size_t save = pi;
            int e = pat_next(pat, pn, &pi);
            if (e == -1) {
                star_pi = pi;
                star_si = si;
                continue;
            }
            if (e == -2) {
                size_t l = u8len((unsigned char)s[si]);
                si += l <= n - si ? l : n - si;
                continue;
            }
            if (fold((unsigned char)e) == fold((unsigned char)s[si])) {
                si++;
                continue;
            }
            pi = save;
        }
        if (star_pi == (size_t)-1)
            return false;
        pi = star_pi;
        si = ++star_si;
    }
    while (pi < pn) {
        if (pat_next(pat, pn, &pi) != -1)
            return false;
    }
    return true;
}

static bool equal_ci(const char *s, size_t n, const char *pat, size_t pn)
{
    if (n != pn)
        return false;
    for (size_t i = 0; i < n; i++)
        if (fold((unsigned char)s[i]) != fold((unsigned char)pat[i]))
            return false;
    return true;
}

static bool contains_ci(const char *s, size_t n, const char *pat, size_t pn)
{
    if (pn == 0)
        return true;
    if (pn > n)
        return false;
    unsigned char first = fold((unsigned char)pat[0]);
    for (size_t i = 0; i + pn <= n; i++) {
        if (fold((unsigned char)s[i]) != first)
            continue;
        size_t k = 1;
        while (k < pn && fold((unsigned char)s[i + k]) == fold((unsigned char)pat[k]))
            k++;
        if (k == pn)
            return true;
    }
    return false;
}

/* See store_int.h. */
bool store_match(const char *s, size_t n, const char *pat, size_t pn, enum store_match_mode mode)
{
    if (!s)
        return false;
    switch (mode) {
    case STORE_MATCH_EQUAL:
        return equal_ci(s, n, pat, pn);
    case STORE_MATCH_GLOB:
        return glob_ci(s, n, pat, pn, false, false);
    case STORE_MATCH_CONTAINS:
        return contains_ci(s, n, pat, pn);
    case STORE_MATCH_CONTAINS_GLOB:
        return glob_ci(s, n, pat, pn, true, true);
    }
    return false;
}

/* See store_int.h. */
bool store_number(const char *s, size_t n, double *out)
{
    char tmp[64];
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    if (n == 0 || n >= sizeof tmp)
        return false;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *end = NULL;
    double v = strtod(tmp, &end);
    if (end != tmp + n || !isfinite(v))
        return false;
    /* strtod also takes hex and "inf": only plain decimals are numbers here */
    for (size_t i = 0; i < n; i++)
        if (tmp[i] == 'x' || tmp[i] == 'X' || tmp[i] == 'n' || tmp[i] == 'N')
            return false;
    *out = v;
    return true;
}
