/*
 * sigma_encode.h — private helpers of the Sigma value compiler (sigma_value.c) and the
 * value matcher (sigma_match.c): the encoding modifiers as pure functions (base64,
 * base64offset, utf16le/be/with BOM, windash), and the few text primitives both sides
 * must agree on (case folding, decimal numbers, IP addresses). Nothing outside those
 * two files and their unit test includes this.
 *
 * Encoders append to a struct buf, so the caller's cap bounds every result (ERR_TOOBIG
 * past it); they never fail otherwise except ERR_NOMEM, and ERR_PARSE for text that is
 * not UTF-8 where characters matter.
 */
#ifndef VIGIL_SIGMA_ENCODE_H
#define VIGIL_SIGMA_ENCODE_H

#include "core/core.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- encodings (sigma_encode.c) --------------------------------------------------------- */

/* Appends the base64 (RFC 4648 alphabet, '=' padded) of in[0..n) to out. */
int sigma_base64(const void *in, size_t n, struct buf *out);

/*
 * Appends variant i (0, 1 or 2) of `base64offset` of in[0..n) to out: the base64 of i
 * spaces followed by the value, with the characters that depend on the neighbouring
 * bytes cut off (pySigma: start (0,2,3)[i], end (none,-3,-2)[(n+i)%3]). A variant may be
 * empty (a value of 1 byte has an empty variant 1); nothing is appended then.
 */
int sigma_base64offset(const void *in, size_t n, unsigned i, struct buf *out);

enum sigma_utf16_form {
    SIGMA_UTF16LE,  /* utf16le, wide */
    SIGMA_UTF16BE,  /* utf16be */
    SIGMA_UTF16BOM, /* utf16: the bytes FF FE, then little-endian */
};

/* Appends the UTF-16 encoding of the UTF-8 text s[0..n) (characters above U+FFFF as
 * surrogate pairs). ERR_PARSE when s is not valid UTF-8 (nothing appended then). */
int sigma_utf16(const char *s, size_t n, enum sigma_utf16_form form, struct buf *out);

/* The five dashes `windash` puts at each position: - / – — ― (UTF-8). */
#define SIGMA_WINDASH_NCHARS 5

/*
 * The number of positions of s[0..n) where `windash` replaces a dash: each `-` or `/`
 * matching the regex \B[-/]\b (the character before is not a word character or there
 * is none, the character after is one; word characters are letters and digits of any
 * script and '_'). s may hold Sigma escapes: '\', '*' and '?' are not word characters,
 * so escapes never change the answer.
 */
unsigned sigma_windash_count(const char *s, size_t n);

/* Appends variant k (0 <= k < 5^count) of s: the j-th position gets dash
 * (k / 5^j) % 5. Variant 0 has '-' everywhere. */
int sigma_windash_variant(const char *s, size_t n, unsigned k, struct buf *out);

/* ---- text primitives shared with the matcher (sigma_match.c) ---------------------------- */

/*
 * Writes the case fold of s[0..n) to out (outcap bytes; 2 * n + 4 always suffices) and
 * returns its length. ASCII letters go to lower case; each other character of valid
 * UTF-8 to lower(upper(c)) by the Unicode simple mappings (so É/é, Σ/σ/ς, K/K (Kelvin)
 * fold alike); bytes that are not part of valid UTF-8 are copied as they are. A
 * character count is kept: one character in, one character out.
 */
size_t sigma_fold(const char *s, size_t n, char *out, size_t outcap);

/* Parses s[0..n) as a decimal number: optional sign, digits with an optional fraction,
 * an optional exponent; spaces and tabs around are ignored. No hex, inf, nan or digit
 * separators: ERR_PARSE. */
int sigma_parse_number(const char *s, size_t n, double *out);

/* Parses s[0..n) as an IPv4 (dotted quad: *v4 true, stored as ::ffff:a.b.c.d) or IPv6
 * address (a "%zone" suffix is ignored) into out. ERR_PARSE otherwise. */
int sigma_parse_ip(const char *s, size_t n, uint8_t out[16], bool *v4);

#endif
