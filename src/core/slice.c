/*
 * slice.c — operations on borrowed byte ranges (struct slice) and UTF-8 validation.
 * Everything here parses by length; nothing assumes a NUL terminator.
 */
#include "core/core.h"

#include <string.h>

struct slice slice_cstr(const char *s)
{
    return slice_make(s, s ? strlen(s) : 0);
}

bool slice_eqs(struct slice a, struct slice b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static inline unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

bool slice_eq_nocase(struct slice a, const char *b)
{
    /* no strlen: most calls differ at the first byte */
    size_t i = 0;
    for (; i < a.len; i++)
        if (!b[i] || lower((unsigned char)a.p[i]) != lower((unsigned char)b[i]))
            return false;
    return b[i] == '\0';
}

bool slice_starts(struct slice a, const char *prefix)
{
    size_t n = strlen(prefix);
    return a.len >= n && (n == 0 || memcmp(a.p, prefix, n) == 0);
}

long slice_find_byte(struct slice s, char c)
{
    if (!s.len)
        return -1;
    const char *q = memchr(s.p, c, s.len);
    return q ? (long)(q - s.p) : -1;
}

long slice_find(struct slice s, struct slice needle)
{
    if (needle.len == 0)
        return 0;
    if (s.len < needle.len)
        return -1;
    const char *q = memmem(s.p, s.len, needle.p, needle.len);
    return q ? (long)(q - s.p) : -1;
}

struct slice slice_trim(struct slice s)
{
    while (s.len && (s.p[0] == ' ' || s.p[0] == '\t')) {
        s.p++;
        s.len--;
    }
    while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t'))
        s.len--;
    return s;
}

int slice_to_u64(struct slice s, uint64_t *out)
{
    if (!s.len || s.len > 20)
        return ERR_PARSE;
    uint64_t v = 0;
    for (size_t i = 0; i < s.len; i++) {
        unsigned d = (unsigned char)s.p[i] - '0';
        if (d > 9)
            return ERR_PARSE;
        if (v > (UINT64_MAX - d) / 10)
            return ERR_PARSE;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int slice_to_i64(struct slice s, int64_t *out)
{
    bool neg = false;
    if (s.len && (s.p[0] == '-' || s.p[0] == '+')) {
        neg = s.p[0] == '-';
        s.p++;
        s.len--;
    }
    uint64_t v;
    int rc = slice_to_u64(s, &v);
    if (rc)
        return rc;
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1)
            return ERR_PARSE;
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    } else {
        if (v > (uint64_t)INT64_MAX)
            return ERR_PARSE;
        *out = (int64_t)v;
    }
    return 0;
}

bool utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        /* Fast path: eight ASCII bytes at a time. */
        if (end - p >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            if (!(w & 0x8080808080808080ULL)) {
                p += 8;
                continue;
            }
        }
        unsigned c = *p;
        if (c < 0x80) {
            p++;
        } else if (c >= 0xC2 && c <= 0xDF) {
            if (end - p < 2 || (p[1] & 0xC0) != 0x80)
                return false;
            p += 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            if (end - p < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
                return false;
            if (c == 0xE0 && p[1] < 0xA0) /* overlong */
                return false;
            if (c == 0xED && p[1] > 0x9F) /* surrogates */
                return false;
            p += 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            if (end - p < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
                (p[3] & 0xC0) != 0x80)
                return false;
            if (c == 0xF0 && p[1] < 0x90) /* overlong */
                return false;
            if (c == 0xF4 && p[1] > 0x8F) /* > U+10FFFF */
                return false;
            p += 4;
        } else {
            return false;
        }
    }
    return true;
}

int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
