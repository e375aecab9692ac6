/*
 * sigma_match.c — matching one field value against one compiled Sigma value
 * (struct sigma_value, built by sigma_value.c): the string kinds (exact, prefix, suffix,
 * contains, glob) with Sigma's default case-insensitivity, regular expressions through
 * PCRE2, CIDR networks and numeric comparisons. The evaluator (sigma_eval.c) calls
 * sigma_value_match for every value of every field a predicate names, so this is the
 * per-event hot path of detection.
 *
 * Case-insensitivity: the compiler stores a case-insensitive value already folded
 * (sigma_fold); here the field value is folded the same way into a stack buffer (heap
 * when long) and then compared byte for byte. Folding maps one character to one
 * character, so `?` (one character) means the same before and after, and bytes that are
 * not valid UTF-8 pass through unchanged (compared bytewise, never a crash).
 *
 * Costs, whatever the input: exact/prefix/suffix O(len), contains O(n * 32) at most, glob
 * the two-pointer star algorithm (O(n * m) worst case, no exponential backtracking),
 * regex bounded by PCRE2 match and heap limits (a match that hits them is a non-match).
 */
#include "analyze/analyze.h"
#include "detect/sigma_encode.h"
#include "detect/sigma_int.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <arpa/inet.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unistr.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Regex bounds per match (see the file comment): backtracking steps, and KiB of heap
 * for PCRE2's backtracking frames. */
#define RE_MATCH_LIMIT 1000000
#define RE_HEAP_LIMIT_KIB 4096
/* Field values up to this many bytes are folded on the stack. */
#define FOLD_STACK 1024

/* ---- text primitives (declared in sigma_encode.h) -------------------------------------- */

static unsigned char ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c;
}

/*
 * Folds the character at p[0..n) (n >= 1) into out (4 bytes); returns the bytes written
 * and sets *used to the bytes consumed. A byte that does not start valid UTF-8 is
 * copied as it is (one byte each way).
 */
static size_t fold_char(const uint8_t *p, size_t n, char out[4], size_t *used)
{
    if (p[0] < 0x80) {
        out[0] = (char)ascii_lower(p[0]);
        *used = 1;
        return 1;
    }
    ucs4_t c;
    int k = u8_mbtoucr(&c, p, n);
    if (k <= 0) {
        out[0] = (char)p[0];
        *used = 1;
        return 1;
    }
    *used = (size_t)k;
    int w = u8_uctomb((uint8_t *)out, uc_tolower(uc_toupper(c)), 4);
    if (w <= 0) { /* unencodable (cannot happen): keep the original bytes */
        memcpy(out, p, (size_t)k);
        return (size_t)k;
    }
    return (size_t)w;
}

/* See sigma_encode.h. */
size_t sigma_fold(const char *s, size_t n, char *out, size_t outcap)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t i = 0, o = 0;
    while (i < n) {
        if (i + 8 <= n && outcap - o >= 8) { /* eight ASCII bytes at a time */
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (!(w & 0x8080808080808080ULL)) {
                /* bit 7 of each byte: >= 'A' and not >= 'Z' + 1 (no carries: bytes < 0x80) */
                uint64_t upper = (w + 0x3f3f3f3f3f3f3f3fULL) & ~(w + 0x2525252525252525ULL) &
                                 0x8080808080808080ULL;
                w |= upper >> 2;
                memcpy(out + o, &w, 8);
                i += 8, o += 8;
                continue;
            }
        }
        if (p[i] < 0x80 && o < outcap) { /* the common case, inline */
            out[o++] = (char)ascii_lower(p[i++]);
            continue;
        }
        char f[4];
        size_t used, w = fold_char(p + i, n - i, f, &used);
        if (outcap - o < w)
            break; /* cannot happen with outcap >= 2n + 4; never write past the end */
        memcpy(out + o, f, w);
        o += w;
        i += used;
    }
    return o;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* See sigma_encode.h. */
int sigma_parse_number(const char *s, size_t n, double *out)
{
    while (n && is_space(s[0]))
        s++, n--;
    while (n && is_space(s[n - 1]))
        n--;
    char tmp[64];
    if (n == 0 || n >= sizeof tmp)
        return ERR_PARSE;
    size_t i = 0, digits = 0;
    if (s[i] == '+' || s[i] == '-')
        i++;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, digits++;
    }
    if (!digits)
        return ERR_PARSE;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t ed = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, ed++;
        if (!ed)
            return ERR_PARSE;
    }
    if (i != n)
        return ERR_PARSE;
    /* The grammar above is a subset of what strtod reads, and Vigil never calls
     * setlocale, so the decimal point is '.'. */
    memcpy(tmp, s, n);
    tmp[n] = 0;
    char *end;
    double d = strtod(tmp, &end);
    if (end != tmp + n || d != d || d - d != 0) /* NaN or infinite (overflow) */
        return ERR_PARSE;
    *out = d;
    return 0;
}

/* See sigma_encode.h. */
int sigma_parse_ip(const char *s, size_t n, uint8_t out[16], bool *v4)
{
    char tmp[64];
    if (n == 0 || n >= sizeof tmp || memchr(s, 0, n))
        return ERR_PARSE;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    if (memchr(tmp, ':', n)) {
        char *zone = strchr(tmp, '%');
        if (zone)
            *zone = 0;
        if (inet_pton(AF_INET6, tmp, out) != 1)
            return ERR_PARSE;
        *v4 = false;
        return 0;
    }
    uint8_t a[4];
    if (inet_pton(AF_INET, tmp, a) != 1)
        return ERR_PARSE;
    memset(out, 0, 10);
    out[10] = out[11] = 0xff;
    memcpy(out + 12, a, 4);
    *v4 = true;
    return 0;
}

/* ---- strings ------------------------------------------------------------------------- */

/* Bytes of the character at s[0..n): its UTF-8 length, or 1 when not valid UTF-8. */
static size_t char_len(const char *s, size_t n)
{
    unsigned char b = (unsigned char)s[0];
    if (b < 0x80)
        return 1;
    ucs4_t c;
    int k = u8_mbtoucr(&c, (const uint8_t *)s, n);
    return k > 0 ? (size_t)k : 1;
}

/*
 * True when the whole of s[0..n) matches the glob p[0..m): '*' any run, '?' one
 * character, '\' makes the next byte literal (a '\' at the end is itself literal). On a
 * mismatch only the last star is retried one character further, which is enough for
 * globs (an earlier star can never need to absorb more) and bounds the work at O(n * m).
 */
static bool glob_match(const char *p, size_t m, const char *s, size_t n)
{
    size_t pi = 0, si = 0;
    size_t star_p = SIZE_MAX, star_s = 0;
    while (si < n) {
        if (pi < m && p[pi] == '*') {
            while (pi < m && p[pi] == '*')
                pi++;
            star_p = pi;
            star_s = si;
            continue;
        }
        if (pi < m && p[pi] == '?') {
            pi++;
            si += char_len(s + si, n - si);
            continue;
        }
        if (pi < m) {
            size_t w = p[pi] == '\\' && pi + 1 < m ? 2 : 1;
            if (p[pi + w - 1] == s[si]) {
                pi += w;
                si++;
                continue;
            }
        }
        if (star_p == SIZE_MAX)
            return false;
        star_s += char_len(s + star_s, n - star_s);
        si = star_s;
        pi = star_p;
    }
    while (pi < m && p[pi] == '*')
        pi++;
    return pi == m;
}

/*
 * Whether needle p[0..m) occurs in s[0..n) (2 <= m <= n). Short needles (the common
 * contains of a rule: `-enc`, `\\temp\\`) are looked for 16 places at a time by their
 * first and last bytes (SSE2), each place with both confirmed by memcmp: O(n * m), so
 * only up to FIND_SHORT bytes; longer needles go to memmem (linear, a set-up cost that
 * dominates for short ones).
 */
#define FIND_SHORT 32

static bool contains(const char *s, size_t n, const char *p, size_t m)
{
#ifdef __SSE2__
    if (m <= FIND_SHORT) {
        const __m128i first = _mm_set1_epi8(p[0]), last = _mm_set1_epi8(p[m - 1]);
        size_t i = 0, end = n - m + 1; /* places to try */
        for (; i + 16 <= end; i += 16) {
            __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + i + m - 1));
            unsigned hits = (unsigned)_mm_movemask_epi8(
                _mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, last)));
            for (; hits; hits &= hits - 1)
                if (memcmp(s + i + (unsigned)__builtin_ctz(hits) + 1, p + 1, m - 2) == 0)
                    return true;
        }
        for (; i < end; i++)
            if (s[i] == p[0] && s[i + m - 1] == p[m - 1] && memcmp(s + i + 1, p + 1, m - 2) == 0)
                return true;
        return false;
    }
#endif
    return memmem(s, n, p, m) != NULL;
}

static bool str_match(const struct sigma_str *x, const char *s, size_t n)
{
    switch (x->kind) {
    case SIGMA_STR_EXACT:
        return n == x->len && (n == 0 || memcmp(s, x->s, n) == 0);
    case SIGMA_STR_PREFIX:
        return n >= x->len && memcmp(s, x->s, x->len) == 0;
    case SIGMA_STR_SUFFIX:
        return n >= x->len && memcmp(s + n - x->len, x->s, x->len) == 0;
    case SIGMA_STR_CONTAINS:
        if (x->len <= 1)
            return x->len == 0 || (n && memchr(s, x->s[0], n) != NULL);
        return n >= x->len && contains(s, n, x->s, x->len);
    case SIGMA_STR_GLOB:
        return glob_match(x->s, x->len, s, n);
    }
    return false;
}

/*
 * True when the fold of s[0..n) starts with (whole: equals) the folded pattern p[0..m),
 * folding s one character at a time: no copy, and a mismatch stops at once (a list of
 * thousands of hashes costs one or two byte compares per hash that does not match).
 */
static bool fold_starts(const char *p, size_t m, const char *s, size_t n, bool whole)
{
    const uint8_t *u = (const uint8_t *)s;
    size_t i = 0, j = 0;
    while (j < m) {
        if (i >= n)
            return false;
        if (u[i] < 0x80) {
            if ((char)ascii_lower(u[i]) != p[j])
                return false;
            i++, j++;
            continue;
        }
        char f[4];
        size_t used, w = fold_char(u + i, n - i, f, &used);
        if (m - j < w || memcmp(p + j, f, w) != 0)
            return false;
        i += used;
        j += w;
    }
    return !whole || i == n;
}

/*
 * The fold of the field value s[0..n), kept per thread (the last FOLD_CACHE values, each
 * with a copy of the value) for the next calls: the values of a predicate (often dozens
 * of paths or names) are all compared with the same field value, which is then folded
 * once. Longer values are folded into a heap buffer the
 * caller frees (*heap). NULL when out of memory.
 */
#define FOLD_CACHE 4 /* entries: a candidate's predicates read a few fields in turn */

static _Thread_local struct fold_entry {
    size_t n, fn;
    char orig[(FOLD_STACK - 4) / 2]; /* the value folded: compared, never trusted by address */
    char buf[FOLD_STACK];
} fold_cache[FOLD_CACHE];
static _Thread_local unsigned fold_next;

static const char *folded(const char *s, size_t n, size_t *fn, char **heap)
{
    *heap = NULL;
    if (n <= sizeof fold_cache[0].orig) {
        for (unsigned i = 0; i < FOLD_CACHE; i++) {
            struct fold_entry *e = &fold_cache[i];
            if (e->n == n && e->fn && memcmp(e->orig, s, n) == 0) {
                *fn = e->fn;
                return e->buf;
            }
        }
        struct fold_entry *e = &fold_cache[fold_next++ % FOLD_CACHE];
        e->fn = sigma_fold(s, n, e->buf, sizeof e->buf);
        memcpy(e->orig, s, n);
        e->n = n;
        *fn = e->fn;
        return e->buf;
    }
    if (n > (SIZE_MAX - 4) / 2 || !(*heap = mem_alloc(2 * n + 4)))
        return NULL;
    *fn = sigma_fold(s, n, *heap, 2 * n + 4);
    return *heap;
}

static bool match_strs(const struct sigma_value *v, const char *s, size_t n)
{
    if (v->cased) {
        for (unsigned i = 0; i < v->nstrs; i++)
            if (str_match(&v->strs[i], s, n))
                return true;
        return false;
    }
    /* EXACT and PREFIX fold as they go; the other kinds compare against the field
     * value folded once, on first need */
    const char *buf = NULL;
    char *heap = NULL;
    size_t fn = 0;
    bool hit = false;
    for (unsigned i = 0; i < v->nstrs && !hit; i++) {
        const struct sigma_str *x = &v->strs[i];
        if (x->kind == SIGMA_STR_EXACT || x->kind == SIGMA_STR_PREFIX) {
            hit = fold_starts(x->s, x->len, s, n, x->kind == SIGMA_STR_EXACT);
            continue;
        }
        if (!buf && !(buf = folded(s, n, &fn, &heap)))
            return false; /* out of memory: a non-match, like a regex over its limits */
        hit = str_match(x, buf, fn);
    }
    mem_free(heap);
    return hit;
}

/* ---- regular expressions ------------------------------------------------------------- */

static pthread_once_t re_once = PTHREAD_ONCE_INIT;
static pcre2_match_context *re_mctx; /* shared, read-only after re_init; never freed */

static pthread_key_t re_md_key; /* the thread's pcre2_match_data */

static void re_md_free(void *md)
{
    pcre2_match_data_free(md);
}

static void re_init(void)
{
    if (pthread_key_create(&re_md_key, re_md_free) != 0)
        abort(); /* only when the process is out of keys: nothing sensible remains */
    re_mctx = pcre2_match_context_create(NULL);
    if (re_mctx) {
        pcre2_set_match_limit(re_mctx, RE_MATCH_LIMIT);
        pcre2_set_heap_limit(re_mctx, RE_HEAP_LIMIT_KIB);
    }
}

static bool match_re(const struct sigma_value *v, const char *s, size_t n)
{
    if (!v->re_code)
        return false;
    pthread_once(&re_once, re_init);
    /* One match data block per thread, made on first use and kept (one ovector pair:
     * only "did it match" matters); freed when the thread exits. */
    pcre2_match_data *md = pthread_getspecific(re_md_key);
    if (!md) {
        md = pcre2_match_data_create(1, NULL);
        if (!md || pthread_setspecific(re_md_key, md) != 0) {
            pcre2_match_data_free(md);
            return false;
        }
    }
    int rc = pcre2_match(v->re_code, (PCRE2_SPTR)s, n, 0, 0, md, re_mctx);
    return rc >= 0; /* no match, limits and invalid input are all non-matches */
}

/* ---- addresses and numbers ----------------------------------------------------------- */

/* The last address parsed on this thread: a list of networks compares one field value
 * with each in turn, which then parses it once. Keyed by the bytes, never the address. */
static _Thread_local struct {
    char text[INET6_ADDRSTRLEN + 8];
    size_t n; /* 0: empty */
    uint8_t a[16];
    bool v4, ok;
} last_ip;

static bool match_cidr(const struct sigma_value *v, const char *s, size_t n)
{
    uint8_t a[16];
    bool v4;
    if (n && n <= sizeof last_ip.text && n == last_ip.n && memcmp(s, last_ip.text, n) == 0) {
        if (!last_ip.ok)
            return false;
        memcpy(a, last_ip.a, 16);
        v4 = last_ip.v4;
    } else {
        bool ok = sigma_parse_ip(s, n, a, &v4) == 0;
        if (n && n <= sizeof last_ip.text) {
            memcpy(last_ip.text, s, n);
            last_ip.n = n;
            last_ip.ok = ok;
            if (ok) {
                memcpy(last_ip.a, a, 16);
                last_ip.v4 = v4;
            }
        }
        if (!ok)
            return false;
    }
    if (v->v4) {
        /* an IPv4 network: the address must be IPv4, or IPv4-mapped IPv6 (::ffff:a.b.c.d),
         * which shares the first 96 bits of the stored network */
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (!v4 && memcmp(a, mapped, 12) != 0)
            return false;
    } else if (v4) {
        return false; /* a dotted IPv4 address is never in an IPv6 network */
    }
    unsigned bits = v->prefix > 128 ? 128 : v->prefix;
    unsigned full = bits / 8, rest = bits % 8;
    if (memcmp(a, v->net, full) != 0)
        return false;
    if (rest) {
        uint8_t mask = (uint8_t)(0xff << (8 - rest));
        if ((a[full] & mask) != (v->net[full] & mask))
            return false;
    }
    return true;
}

static bool match_num(const struct sigma_value *v, const char *s, size_t n)
{
    double d;
    if (sigma_parse_number(s, n, &d) != 0)
        return false;
    switch (v->num_op) {
    case SIGMA_NUM_EQ:
        return d == v->num;
    case SIGMA_NUM_GT:
        return d > v->num;
    case SIGMA_NUM_GTE:
        return d >= v->num;
    case SIGMA_NUM_LT:
        return d < v->num;
    case SIGMA_NUM_LTE:
        return d <= v->num;
    }
    return false;
}

/* See sigma_int.h. A time modifier's value is a NUM (the evaluator passes the part
 * already extracted as a decimal string). */
bool sigma_value_match(const struct sigma_value *v, const char *s, size_t n)
{
    if (!s)
        s = "", n = 0;
    switch (v->kind) {
    case SIGMA_PRED_STR:
        return match_strs(v, s, n);
    case SIGMA_PRED_RE:
        return match_re(v, s, n);
    case SIGMA_PRED_CIDR:
        return match_cidr(v, s, n);
    case SIGMA_PRED_NUM:
        return match_num(v, s, n);
    case SIGMA_PRED_ATTACK:
        return analyze_field((enum analyze_kind)v->attack, (enum analyze_form)v->attack_form, s,
                             n, NULL);
    case SIGMA_PRED_EXISTS:
    case SIGMA_PRED_NULL:
    case SIGMA_PRED_FIELDREF:
        return false; /* decided by the evaluator */
    }
    return false;
}
