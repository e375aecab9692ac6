/*
 * an_request.c — a field of a web event judged by one analyzer, the way the application
 * behind the server would receive it. The detection engine calls this for the
 * `|vigil_attack` modifier of the built-in rules (src/detect/builtin_rules.c), so an
 * analyzer's finding is a rule match like any other.
 *
 * A field holds a request part in one of four forms, decided by its name:
 *  - a query string (cs-uri-query, c-uri-query): split at '&' as the server does, each
 *    parameter's value (and its name, when the name is not a plain identifier) decoded
 *    with '+' as a space and judged alone — the application never sees two parameters
 *    joined, so neither does the analyzer;
 *  - a path (cs-uri-stem): decoded without '+'; SQL injection and command injection are
 *    judged per segment (a REST id is one segment), the others on the whole path;
 *  - a URL (cs-uri, c-uri, cs-referer): the path before '?' and the query after it;
 *  - anything else (a user agent, a body field): decoded once as a whole.
 *
 * Every value of an event is at most EVENT_MAX_RECORD bytes and decoding never makes a
 * value longer, so a value decoded into the per-thread buffer is never cut.
 */
#include "analyze/analyze.h"

#include <string.h>
#include <strings.h>

#define DECODED_MAX (64 * 1024) /* EVENT_MAX_RECORD: the longest value an event holds */

/* An analyzer with the decoding flags of its value (only traversal reads them). */
typedef bool (*judge_fn)(const char *s, size_t n, unsigned dflags, struct analyze_finding *f);

static bool sqli(const char *s, size_t n, unsigned dflags, struct analyze_finding *f)
{
    (void)dflags;
    return analyze_sqli(s, n, f);
}

static bool xss(const char *s, size_t n, unsigned dflags, struct analyze_finding *f)
{
    (void)dflags;
    return analyze_xss(s, n, f);
}

static bool cmdi(const char *s, size_t n, unsigned dflags, struct analyze_finding *f)
{
    (void)dflags;
    return analyze_cmdi(s, n, f);
}

static bool scanner(const char *s, size_t n, unsigned dflags, struct analyze_finding *f)
{
    (void)dflags;
    return analyze_scanner(s, n, f);
}

static const struct {
    const char *name;
    judge_fn judge;
    bool per_segment; /* a path is judged segment by segment */
} kinds[ANALYZE_KINDS] = {
    [ANALYZE_SQLI] = {"sqli", sqli, true},
    [ANALYZE_XSS] = {"xss", xss, false},
    [ANALYZE_TRAVERSAL] = {"traversal", analyze_traversal_flags, false},
    [ANALYZE_CMDI] = {"cmdi", cmdi, true},
    [ANALYZE_SCANNER] = {"scanner", scanner, false},
};

/* See analyze.h. */
int analyze_kind_by_name(const char *name, size_t n)
{
    for (int k = 0; k < ANALYZE_KINDS; k++)
        if (strlen(kinds[k].name) == n && !memcmp(kinds[k].name, name, n))
            return k;
    return -1;
}

/* See analyze.h. */
const char *analyze_kind_name(enum analyze_kind k)
{
    return (unsigned)k < ANALYZE_KINDS ? kinds[k].name : "?";
}

static bool named(const char *field, size_t n, const char *want)
{
    return strlen(want) == n && !strncasecmp(field, want, n);
}

/* See analyze.h. */
enum analyze_form analyze_form_of_field(const char *field, size_t n)
{
    if (named(field, n, "cs-uri-query") || named(field, n, "c-uri-query"))
        return ANALYZE_FORM_QUERY;
    if (named(field, n, "cs-uri-stem") || named(field, n, "c-uri-stem"))
        return ANALYZE_FORM_PATH;
    if (named(field, n, "cs-uri") || named(field, n, "c-uri") || named(field, n, "cs-referer"))
        return ANALYZE_FORM_URL;
    return ANALYZE_FORM_RAW;
}

/* The per-thread buffer values are decoded into (workers judge concurrently). */
static _Thread_local char decoded[DECODED_MAX];

/* Copies what shows the finding into ev: the fragment, widened a little so an analyst
 * sees its context, bytes below 0x20 as '.'. */
static void keep_evidence(struct analyze_evidence *ev, const struct analyze_finding *f,
                          const char *s, size_t n, const char *param, size_t plen)
{
    if (!ev)
        return;
    ev->why = f->why;
    size_t off = f->off <= n ? f->off : n;
    size_t len = f->len <= n - off ? f->len : n - off;
    size_t from = off > 16 ? off - 16 : 0, to = off + len + 16 < n ? off + len + 16 : n;
    if (to - from > ANALYZE_EVIDENCE_MAX)
        to = from + ANALYZE_EVIDENCE_MAX;
    for (size_t i = from; i < to; i++)
        ev->fragment[i - from] = (unsigned char)s[i] < 0x20 ? '.' : s[i];
    ev->len = to - from;
    ev->fragment[ev->len] = 0;
    if (plen > ANALYZE_PARAM_MAX)
        plen = ANALYZE_PARAM_MAX;
    memcpy(ev->param, param, plen);
    ev->param[plen] = 0;
}

/* Decodes one part and judges it; param names the parameter it came from (may be ""). */
static bool judge_part(enum analyze_kind k, const char *s, size_t n, bool plus,
                       const char *param, size_t plen, struct analyze_evidence *ev)
{
    if (!n)
        return false;
    unsigned flags;
    size_t dn = analyze_decode(s, n, plus, decoded, sizeof decoded, &flags);
    struct analyze_finding f;
    if (!kinds[k].judge(decoded, dn, flags, &f))
        return false;
    keep_evidence(ev, &f, decoded, dn, param, plen);
    if (ev)
        ev->flags = flags;
    return true;
}

/* A parameter name an application would declare: letters, digits and _ . - [ ]. */
static bool plain_name(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c | 0x20) >= 'a' && (c | 0x20) <= 'z') && !(c >= '0' && c <= '9') && c != '_' &&
            c != '.' && c != '-' && c != '[' && c != ']')
            return false;
    }
    return true;
}

static bool judge_query(enum analyze_kind k, const char *s, size_t n, struct analyze_evidence *ev)
{
    size_t i = 0;
    while (i < n) {
        const char *p = s + i;
        const char *amp = memchr(p, '&', n - i);
        size_t len = amp ? (size_t)(amp - p) : n - i;
        const char *eq = memchr(p, '=', len);
        size_t nlen = eq ? (size_t)(eq - p) : 0;
        if (eq) {
            if (!plain_name(p, nlen) && judge_part(k, p, nlen, true, "", 0, ev))
                return true;
            if (judge_part(k, eq + 1, len - nlen - 1, true, p, nlen, ev))
                return true;
        } else if (judge_part(k, p, len, true, "", 0, ev)) {
            return true;
        }
        i += len + 1;
    }
    return false;
}

static bool judge_path(enum analyze_kind k, const char *s, size_t n, struct analyze_evidence *ev)
{
    if (!kinds[k].per_segment)
        return judge_part(k, s, n, false, "", 0, ev);
    size_t i = 0;
    while (i < n) {
        const char *p = s + i;
        const char *slash = memchr(p, '/', n - i);
        size_t len = slash ? (size_t)(slash - p) : n - i;
        if (judge_part(k, p, len, false, "", 0, ev))
            return true;
        i += len + 1;
    }
    return false;
}

/* See analyze.h. */
bool analyze_field(enum analyze_kind k, enum analyze_form form, const char *s, size_t n,
                   struct analyze_evidence *ev)
{
    if ((unsigned)k >= ANALYZE_KINDS || !s)
        return false;
    switch (form) {
    case ANALYZE_FORM_QUERY:
        return judge_query(k, s, n, ev);
    case ANALYZE_FORM_PATH:
        return judge_path(k, s, n, ev);
    case ANALYZE_FORM_URL: {
        const char *q = memchr(s, '?', n);
        size_t plen = q ? (size_t)(q - s) : n;
        if (judge_path(k, s, plen, ev))
            return true;
        return q && judge_query(k, q + 1, n - plen - 1, ev);
    }
    case ANALYZE_FORM_RAW:
        break;
    }
    return judge_part(k, s, n, false, "", 0, ev);
}
