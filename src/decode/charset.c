/*
 * charset.c — the first step of decoding: the record's bytes as UTF-8 text. Many
 * Chinese devices send GBK or GB18030; ev->raw keeps the bytes as received (the legal
 * record) and ev->text is the UTF-8 view every later step reads. AUTO takes valid
 * UTF-8 as is and converts anything else from GB18030 (a superset of GBK) with glibc
 * iconv. A record that does not convert cleanly keeps its raw bytes as text and is
 * flagged EVF_BAD_UTF8: nothing is dropped or guessed at.
 *
 * Converted text lives in the batch arena. GB18030 → UTF-8 never grows a text more than
 * 1.5 times (a 2-byte character becomes at most 3 bytes, a 4-byte one at most 4), so
 * the output buffer is bounded by 2 × len before conversion starts.
 */
#include "decode/decode_int.h"

#include <errno.h>
#include <strings.h>

/* Parses a charset name ("auto", "utf-8"/"utf8", "gbk"/"cp936", "gb18030"), any case. */
int decode_charset_parse(const char *name, enum decode_charset *out)
{
    static const struct {
        const char *name;
        enum decode_charset cs;
    } names[] = {
        {"auto", CHARSET_AUTO},       {"utf-8", CHARSET_UTF8}, {"utf8", CHARSET_UTF8},
        {"gbk", CHARSET_GBK},         {"cp936", CHARSET_GBK},  {"gb2312", CHARSET_GBK},
        {"gb18030", CHARSET_GB18030},
    };
    if (!name)
        return ERR_INVAL;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcasecmp(name, names[i].name)) {
            *out = names[i].cs;
            return 0;
        }
    return ERR_INVAL;
}

/* True when every byte is ASCII (the common case: no conversion needed). */
static bool all_ascii(const char *p, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if (w & 0x8080808080808080ULL)
            return false;
    }
    for (; i < n; i++)
        if ((unsigned char)p[i] & 0x80)
            return false;
    return true;
}

/* Converts ev->raw with cd into the arena. ERR_PARSE when the bytes are not valid in
 * the source charset, ERR_NOMEM at the arena cap. */
static int convert(iconv_t cd, struct arena *arena, struct event *ev)
{
    size_t cap = ev->raw.len * 2 + 8;
    char *out = arena_alloc(arena, cap);
    if (!out)
        return ERR_NOMEM;
    iconv(cd, NULL, NULL, NULL, NULL); /* reset the shift state per record */
    char *in = (char *)ev->raw.p;
    size_t inleft = ev->raw.len, outleft = cap;
    char *o = out;
    if (iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1)
        return ERR_PARSE;
    if (iconv(cd, NULL, NULL, &o, &outleft) == (size_t)-1)
        return ERR_PARSE;
    ev->text = slice_make(out, (size_t)(o - out));
    ev->flags |= EVF_CONVERTED;
    return 0;
}

/* The iconv handle for cs, opened on first use; (iconv_t)-1 when glibc lacks it. */
static iconv_t handle(struct decode_ctx *ctx, enum decode_charset cs)
{
    iconv_t *slot = cs == CHARSET_GBK ? &ctx->cd_gbk : &ctx->cd_gb18030;
    if (*slot == (iconv_t)-1)
        *slot = iconv_open("UTF-8", cs == CHARSET_GBK ? "GBK" : "GB18030");
    return *slot;
}

/*
 * Length of s without an incomplete UTF-8 sequence at its very end, when that is the
 * only flaw (a record cut mid-character); 0 when s has other invalid bytes.
 */
static size_t valid_but_cut(const char *s, size_t n)
{
    for (size_t k = 1; k <= 3 && k <= n; k++) {
        unsigned char c = (unsigned char)s[n - k];
        if ((c & 0xC0) == 0xC0) /* lead byte of the cut sequence */
            return utf8_valid(s, n - k) ? n - k : 0;
        if ((c & 0xC0) != 0x80)
            return 0;
    }
    return 0;
}

/* See decode_int.h. */
int decode_charset(struct decode_ctx *ctx, enum decode_charset cs, struct arena *arena,
                   struct event *ev)
{
    ev->text = ev->raw;
    if (all_ascii(ev->raw.p, ev->raw.len))
        return 0;
    if (cs == CHARSET_AUTO || cs == CHARSET_UTF8) {
        if (utf8_valid(ev->raw.p, ev->raw.len))
            return 0;
        if (ev->flags & EVF_TRUNCATED) {
            size_t n = valid_but_cut(ev->raw.p, ev->raw.len);
            if (n) {
                ev->text.len = n;
                return 0;
            }
        }
        if (cs == CHARSET_UTF8) {
            ev->flags |= EVF_BAD_UTF8;
            return 0;
        }
    }
    iconv_t cd = handle(ctx, cs == CHARSET_GBK ? CHARSET_GBK : CHARSET_GB18030);
    int rc = cd == (iconv_t)-1 ? ERR_PARSE : convert(cd, arena, ev);
    if (rc) {
        ev->text = ev->raw;
        ev->flags |= EVF_BAD_UTF8;
    }
    return rc == ERR_NOMEM ? rc : 0;
}
