/*
 * web_decode.c — a request value decoded the way a web server and its framework would
 * before the application reads it, so the analyzers judge what the application sees,
 * not what the attacker typed: %XX and IIS's %uXXXX, repeated (double and triple
 * encoding evade filters that decode once), '+' as a space in query strings, and the
 * overlong UTF-8 forms of ASCII characters (%c0%ae is '.') folded to ASCII, as lenient
 * decoders have done. Each trick is flagged; an analyzer or a rule may treat the trick
 * itself as a sign.
 */
#include "analyze/analyze.h"

#include <stdint.h>
#include <string.h>

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Writes code point cp (< 0x10000) as UTF-8 into out at *o (if it fits). */
static void put_utf8(char *out, size_t cap, size_t *o, unsigned cp)
{
    unsigned char b[3];
    size_t l;
    if (cp < 0x80) {
        b[0] = (unsigned char)cp;
        l = 1;
    } else if (cp < 0x800) {
        b[0] = (unsigned char)(0xc0 | (cp >> 6));
        b[1] = (unsigned char)(0x80 | (cp & 0x3f));
        l = 2;
    } else {
        b[0] = (unsigned char)(0xe0 | (cp >> 12));
        b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (unsigned char)(0x80 | (cp & 0x3f));
        l = 3;
    }
    if (*o + l <= cap) {
        memcpy(out + *o, b, l);
        *o += l;
    }
}

/* One round of percent-decoding from in to out (out may equal in: it never grows);
 * the new length, *changed when something was decoded. Runs of plain bytes are copied
 * whole (most values are one such run). */
static size_t percent_round(const char *in, size_t n, bool plus, char *out, size_t cap,
                            bool *changed, unsigned *flags)
{
    size_t o = 0, pct = 0; /* pct: the next '%' at or after i, once known */
    bool known = false;
    *changed = false;
    for (size_t i = 0; i < n && o < cap;) {
        /* the run of bytes copied as they are: up to the next '%' (searched again only
         * once passed: linear), or the next '+' before it when '+' is a space */
        if (!known || pct < i) {
            const char *p = memchr(in + i, '%', n - i);
            pct = p ? (size_t)(p - in) : n;
            known = true;
        }
        const char *sp = plus ? memchr(in + i, '+', pct - i) : NULL;
        size_t run = (sp ? (size_t)(sp - in) : pct) - i;
        if (run) {
            if (run > cap - o)
                run = cap - o;
            memmove(out + o, in + i, run);
            o += run;
            i += run;
            continue;
        }
        unsigned char c = (unsigned char)in[i];
        int h, l;
        if (c == '%' && i + 2 < n && (h = hexval((unsigned char)in[i + 1])) >= 0 &&
            (l = hexval((unsigned char)in[i + 2])) >= 0) {
            unsigned char v = (unsigned char)(h * 16 + l);
            if (!v)
                *flags |= ANALYZE_D_NUL;
            out[o++] = (char)v;
            i += 3;
            *changed = true;
        } else if (c == '%' && i + 5 < n && (in[i + 1] | 0x20) == 'u' &&
                   hexval((unsigned char)in[i + 2]) >= 0 && hexval((unsigned char)in[i + 3]) >= 0 &&
                   hexval((unsigned char)in[i + 4]) >= 0 && hexval((unsigned char)in[i + 5]) >= 0) {
            unsigned cp = 0;
            for (int k = 2; k < 6; k++)
                cp = cp * 16 + (unsigned)hexval((unsigned char)in[i + k]);
            put_utf8(out, cap, &o, cp);
            i += 6;
            *changed = true;
        } else if (c == '+' && plus) {
            out[o++] = ' ';
            i++;
            *flags |= ANALYZE_D_PLUS;
        } else {
            out[o++] = (char)c;
            i++;
        }
    }
    return o;
}

/* Folds overlong UTF-8 encodings of ASCII (C0/C1 xx, E0 80..81 xx) to ASCII in place
 * and flags them and any other invalid UTF-8; the new length. */
static size_t fold_utf8(char *s, size_t n, unsigned *flags)
{
    /* an ASCII prefix stays as it is: skipped 8 bytes at a time while no byte of them
     * has its high bit set, then byte by byte */
    size_t i = 0;
    for (uint64_t w; i + 8 <= n; i += 8) {
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080u)
            break;
    }
    while (i < n && (unsigned char)s[i] < 0x80)
        i++;
    size_t o = i;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            s[o++] = s[i++];
            continue;
        }
        size_t need = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
        bool ok = need != 0;
        for (size_t k = 1; ok && k <= need; k++)
            ok = i + k < n && ((unsigned char)s[i + k] & 0xc0) == 0x80;
        if (ok && (c == 0xc0 || c == 0xc1)) {
            s[o++] = (char)(((c & 0x1f) << 6) | ((unsigned char)s[i + 1] & 0x3f));
            *flags |= ANALYZE_D_BAD_UTF8;
            i += 2;
        } else if (ok && c == 0xe0 && (unsigned char)s[i + 1] < 0x82) {
            s[o++] =
                (char)((((unsigned char)s[i + 1] & 0x3f) << 6) | ((unsigned char)s[i + 2] & 0x3f));
            *flags |= ANALYZE_D_BAD_UTF8;
            i += 3;
        } else if (ok) {
            memmove(s + o, s + i, need + 1);
            o += need + 1;
            i += need + 1;
        } else {
            *flags |= ANALYZE_D_BAD_UTF8;
            s[o++] = s[i++];
        }
    }
    return o;
}

/* See analyze.h. */
size_t analyze_decode(const char *in, size_t n, bool plus, char *out, size_t cap, unsigned *flags)
{
    *flags = 0;
    if (n > cap) {
        *flags |= ANALYZE_D_CUT;
        n = cap;
    }
    bool changed;
    size_t len = percent_round(in, n, plus, out, cap, &changed, flags);
    if (changed)
        *flags |= ANALYZE_D_URL;
    for (int round = 1; changed && round < 4; round++) {
        len = percent_round(out, len, false, out, cap, &changed, flags);
        if (changed)
            *flags |= ANALYZE_D_DOUBLE;
    }
    return fold_utf8(out, len, flags);
}
