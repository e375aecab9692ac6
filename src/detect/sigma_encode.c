/*
 * sigma_encode.c — the encoding modifiers of Sigma values as pure functions over bytes:
 * base64, base64offset, utf16le/wide, utf16be, utf16 (with BOM) and windash. The value
 * compiler (sigma_value.c) runs them on the literal text of a value, once per rule at
 * load; nothing here runs per event. Results are appended to a caller's struct buf,
 * whose cap bounds them.
 */
#include "detect/sigma_encode.h"

#include <string.h>
#include <unictype.h>
#include <unistr.h>

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* See sigma_encode.h. */
int sigma_base64(const void *in, size_t n, struct buf *out)
{
    const uint8_t *p = in;
    if (n > (SIZE_MAX / 4) * 3 - 3)
        return ERR_TOOBIG;
    size_t need = (n + 2) / 3 * 4;
    int rc = buf_reserve(out, need);
    if (rc)
        return rc;
    char *o = out->p + out->len;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        *o++ = b64_alphabet[v >> 18 & 63];
        *o++ = b64_alphabet[v >> 12 & 63];
        *o++ = b64_alphabet[v >> 6 & 63];
        *o++ = b64_alphabet[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        *o++ = b64_alphabet[v >> 18 & 63];
        *o++ = b64_alphabet[v >> 12 & 63];
        *o++ = '=';
        *o++ = '=';
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        *o++ = b64_alphabet[v >> 18 & 63];
        *o++ = b64_alphabet[v >> 12 & 63];
        *o++ = b64_alphabet[v >> 6 & 63];
        *o++ = '=';
    }
    out->len += need;
    return 0;
}

/* See sigma_encode.h. Mirrors pySigma's SigmaBase64OffsetModifier exactly:
 *     encoded = b64encode(i * b" " + value)
 *     variant = encoded[(0, 2, 3)[i] : (None, -3, -2)[(len(value) + i) % 3]]
 * The cut characters are the ones that depend on the bytes around the value. */
int sigma_base64offset(const void *in, size_t n, unsigned i, struct buf *out)
{
    static const size_t start[3] = {0, 2, 3};
    static const size_t cut_end[3] = {0, 3, 2};
    if (i > 2)
        return ERR_INVAL;
    if (n > SIZE_MAX / 2)
        return ERR_TOOBIG;
    struct buf tmp, enc;
    buf_init(&tmp, n + 3);
    buf_init(&enc, (n + 4) / 3 * 4 + 4);
    int rc = buf_append(&tmp, "  ", i);
    if (!rc && n)
        rc = buf_append(&tmp, in, n);
    if (!rc)
        rc = sigma_base64(tmp.p ? tmp.p : "", tmp.len, &enc);
    if (!rc) {
        size_t s = start[i], e = enc.len;
        size_t cut = cut_end[(n + i) % 3];
        e = e >= cut ? e - cut : 0;
        if (e > s)
            rc = buf_append(out, enc.p + s, e - s);
    }
    buf_fini(&enc);
    buf_fini(&tmp);
    return rc;
}

/* Appends one UTF-16 code unit in the byte order of form. */
static int put_unit(struct buf *out, uint16_t u, enum sigma_utf16_form form)
{
    char b[2];
    if (form == SIGMA_UTF16BE) {
        b[0] = (char)(u >> 8);
        b[1] = (char)(u & 0xff);
    } else {
        b[0] = (char)(u & 0xff);
        b[1] = (char)(u >> 8);
    }
    return buf_append(out, b, 2);
}

/* See sigma_encode.h. */
int sigma_utf16(const char *s, size_t n, enum sigma_utf16_form form, struct buf *out)
{
    if (!utf8_valid(s, n))
        return ERR_PARSE;
    size_t len0 = out->len;
    int rc = 0;
    if (form == SIGMA_UTF16BOM)
        rc = buf_append(out, "\xff\xfe", 2);
    const uint8_t *p = (const uint8_t *)s;
    size_t i = 0;
    while (!rc && i < n) {
        ucs4_t c;
        int k = u8_mbtoucr(&c, p + i, n - i);
        if (k <= 0) { /* cannot happen after utf8_valid; refuse rather than guess */
            rc = ERR_PARSE;
            break;
        }
        i += (size_t)k;
        if (c >= 0x10000) {
            c -= 0x10000;
            rc = put_unit(out, (uint16_t)(0xd800 + (c >> 10)), form);
            if (!rc)
                rc = put_unit(out, (uint16_t)(0xdc00 + (c & 0x3ff)), form);
        } else {
            rc = put_unit(out, (uint16_t)c, form);
        }
    }
    if (rc == ERR_PARSE)
        out->len = len0; /* nothing appended (buf errors stay recorded in out->err) */
    return rc;
}

/* The dashes of windash in UTF-8, in variant order. */
static const char *const windash_chars[SIGMA_WINDASH_NCHARS] = {
    "-", "/", "\xe2\x80\x93" /* – U+2013 */, "\xe2\x80\x94" /* — U+2014 */,
    "\xe2\x80\x95" /* ― U+2015 */};

/* Decodes the character at s[i] (1 byte when not valid UTF-8) into *c; returns its
 * length. Invalid bytes decode to a value no classification calls a word character. */
static size_t char_at(const char *s, size_t n, size_t i, ucs4_t *c)
{
    unsigned char b = (unsigned char)s[i];
    if (b < 0x80) {
        *c = b;
        return 1;
    }
    int k = u8_mbtoucr(c, (const uint8_t *)s + i, n - i);
    if (k <= 0) {
        *c = 0xfffd;
        return 1;
    }
    return (size_t)k;
}

/* Python's \w: '_', letters and digits of any script. */
static bool is_word(ucs4_t c)
{
    if (c < 0x80)
        return c == '_' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
    return uc_is_alnum(c);
}

/*
 * Walks the characters of s and calls back for each windash position (offset of the
 * dash). Returns the number of positions.
 */
static unsigned windash_walk(const char *s, size_t n, size_t *pos, unsigned maxpos)
{
    unsigned count = 0;
    bool prev_word = false; /* the start of the string is a non-word boundary */
    size_t i = 0;
    while (i < n) {
        ucs4_t c;
        size_t k = char_at(s, n, i, &c);
        if ((c == '-' || c == '/') && !prev_word && i + 1 < n) {
            ucs4_t next;
            char_at(s, n, i + 1, &next);
            if (is_word(next)) {
                if (pos && count < maxpos)
                    pos[count] = i;
                count++;
            }
        }
        prev_word = is_word(c);
        i += k;
    }
    return count;
}

/* See sigma_encode.h. */
unsigned sigma_windash_count(const char *s, size_t n)
{
    return windash_walk(s, n, NULL, 0);
}

/* See sigma_encode.h. */
int sigma_windash_variant(const char *s, size_t n, unsigned k, struct buf *out)
{
    enum { MAXPOS = 32 }; /* 5^14 already exceeds any unsigned k a caller can ask */
    size_t pos[MAXPOS];
    unsigned count = windash_walk(s, n, pos, MAXPOS);
    if (count > MAXPOS)
        count = MAXPOS; /* positions past MAXPOS keep their dash: k cannot reach them */
    size_t at = 0;
    int rc = 0;
    for (unsigned j = 0; j < count && !rc; j++) {
        rc = buf_append(out, s + at, pos[j] - at);
        if (!rc)
            rc = buf_puts(out, windash_chars[k % SIGMA_WINDASH_NCHARS]);
        k /= SIGMA_WINDASH_NCHARS;
        at = pos[j] + 1;
    }
    if (!rc)
        rc = buf_append(out, s + at, n - at);
    return rc;
}
