/*
 * re_literal.c — a literal that every match of a Sigma `|re` value contains, so the
 * compiled matcher can look for that literal among its other literals (one Hyperscan
 * pass) and leave the regex to PCRE2 on the rules that become candidates, instead of
 * prefiltering the regex on every new value of its field.
 *
 * The reading is deliberately narrow: it walks the top level of the pattern, keeps runs
 * of plain characters and escaped punctuation, and gives up (no literal) on anything
 * whose effect on the text it does not follow: a top-level `|`, option settings after
 * the start (`a(?i)b`), extended mode, `\Q...\E`, start-of-pattern verbs, braces that
 * are not a quantifier. Groups, classes, `.`, anchors and escapes such as `\s` end a
 * run; a quantifier that allows zero repetitions takes back the character before it.
 * Only ASCII is kept: PCRE2 folds other letters its own way in caseless mode.
 */
#include "detect/detect_int.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <ctype.h>
#include <string.h>

/* The index just past the class that opens at p[i] == '[' (`]` first is a member, `\]`
 * too). */
static size_t skip_class(const char *p, size_t n, size_t i)
{
    i++;
    if (i < n && p[i] == '^')
        i++;
    if (i < n && p[i] == ']')
        i++;
    while (i < n && p[i] != ']') {
        if (p[i] == '[' && i + 1 < n && p[i + 1] == ':') { /* [:alpha:] */
            const char *e = memmem(p + i + 2, n - i - 2, ":]", 2);
            if (e) {
                i = (size_t)(e - p) + 2;
                continue;
            }
        }
        i += (p[i] == '\\' && i + 1 < n) ? 2 : 1;
    }
    return i < n ? i + 1 : n;
}

/* The index just past the group that opens at p[i] == '(' (or n when it never closes). */
static size_t skip_group(const char *p, size_t n, size_t i)
{
    int depth = 0;
    while (i < n) {
        char c = p[i];
        if (c == '\\' && i + 1 < n) {
            i += 2;
            continue;
        }
        if (c == '[') {
            i = skip_class(p, n, i);
            continue;
        }
        if (c == '(')
            depth++;
        else if (c == ')' && --depth == 0)
            return i + 1;
        i++;
    }
    return n;
}

/* A quantifier at p[i]: its length (0: none, SIZE_MAX: a `{` that is not one, which
 * PCRE2 reads as a literal) and whether it allows zero repetitions. */
static size_t quantifier(const char *p, size_t n, size_t i, bool *zero)
{
    *zero = false;
    if (i >= n)
        return 0;
    size_t k = i;
    if (p[k] == '*' || p[k] == '?') {
        *zero = true;
        k++;
    } else if (p[k] == '+') {
        k++;
    } else if (p[k] == '{') {
        k++;
        size_t d0 = k;
        unsigned long lo = 0;
        while (k < n && isdigit((unsigned char)p[k]) && lo < 100000)
            lo = lo * 10 + (unsigned long)(p[k++] - '0');
        bool have_lo = k > d0;
        if (k < n && p[k] == ',') {
            k++;
            while (k < n && isdigit((unsigned char)p[k]))
                k++;
        }
        if (k >= n || p[k] != '}' || !have_lo)
            return SIZE_MAX;
        k++;
        *zero = lo == 0;
    } else {
        return 0;
    }
    if (k < n && (p[k] == '?' || p[k] == '+'))
        k++; /* lazy or possessive */
    return k - i;
}

/* Leading option settings `(?i)`, `(?s)`, ...: where the pattern proper starts, or
 * SIZE_MAX when an option changes how text is read (x, or switching options off). */
static size_t leading_options(const char *p, size_t n, bool *caseless)
{
    size_t i = 0;
    while (i + 2 < n && p[i] == '(' && p[i + 1] == '?') {
        size_t k = i + 2;
        while (k < n && p[k] && strchr("imsnJU", p[k]))
            k++;
        if (k >= n || p[k] != ')')
            return i; /* a group, not an option setting */
        for (size_t j = i + 2; j < k; j++) {
            if (p[j] == 'i')
                *caseless = true;
            else if (p[j] != 'm' && p[j] != 's')
                return SIZE_MAX;
        }
        i = k + 1;
    }
    return i;
}

/* The runs read so far: the longest in out[0..best), the current one in cur[0..run). */
struct runs {
    char *out, *cur;
    size_t best, run, half;
};

static void end_run(struct runs *r)
{
    if (r->run > r->best) {
        memmove(r->out, r->cur, r->run);
        r->best = r->run;
    }
    r->run = 0;
}

/* Skips what follows a group or class at re[i]: a quantifier. SIZE_MAX: braces that are
 * not one. */
static size_t after_atom(const char *re, size_t n, size_t i)
{
    bool zero;
    size_t q = quantifier(re, n, i, &zero);
    return q == SIZE_MAX ? SIZE_MAX : i + q;
}

/* See detect_int.h. */
size_t re_required_literal(const char *re, size_t n, uint32_t flags, char *out, size_t cap,
                           bool *caseless)
{
    *caseless = (flags & PCRE2_CASELESS) != 0;
    if ((flags & PCRE2_EXTENDED) || cap < 2)
        return 0;
    if (n >= 2 && re[0] == '(' && re[1] == '*')
        return 0; /* (*UTF), (*CRLF), ...: verbs */
    size_t i = leading_options(re, n, caseless);
    if (i == SIZE_MAX)
        return 0;
    struct runs r = {out, out + cap / 2, 0, 0, cap / 2};
    while (i < n) {
        char c = re[i];
        int lit = -1; /* the literal byte at re[i], else -1 */
        size_t len = 1;
        if (c == '\\') {
            if (i + 1 >= n || re[i + 1] == 'Q')
                return 0;
            len = 2;
            if (!isalnum((unsigned char)re[i + 1]) && (unsigned char)re[i + 1] < 0x80)
                lit = (unsigned char)re[i + 1];
        } else if (c == '|' || c == ')' || c == '{') {
            return 0; /* alternation at the top, a stray parenthesis, braces PCRE2 reads */
        } else if (c == '(' || c == '[') {
            if (c == '(' && i + 2 < n && re[i + 1] == '?' &&
                (isalpha((unsigned char)re[i + 2]) || strchr("-^#", re[i + 2])))
                return 0; /* options in the middle, comments, forms this does not read */
            end_run(&r);
            i = after_atom(re, n, c == '(' ? skip_group(re, n, i) : skip_class(re, n, i));
            if (i == SIZE_MAX)
                return 0;
            continue;
        } else if (!strchr(".^$*+?", c) && (unsigned char)c >= 0x20 && (unsigned char)c < 0x7f) {
            lit = (unsigned char)c;
        }
        i += len;
        bool zero = false;
        size_t q = quantifier(re, n, i, &zero);
        if (q == SIZE_MAX)
            return 0;
        if (lit >= 0 && !zero && r.run < r.half)
            r.cur[r.run++] = (char)(*caseless ? tolower(lit) : lit);
        if (lit < 0 || q)
            end_run(&r); /* a repeated character may be followed by itself */
        i += q;
    }
    end_run(&r);
    return r.best;
}
