/*
 * an_xss.c — cross-site scripting judged the way a browser would read the value once an
 * application reflected it: as HTML text (a tag that runs script, or any tag with an
 * event handler attribute), as an attribute value (a quote that breaks out and adds a
 * handler, a URL whose scheme is javascript:, vbscript: or an HTML data: URL once its
 * character references are decoded and the tabs and newlines a browser strips are
 * gone), as CSS (expression(), behaviours, script URLs) and as script (a string broken
 * out of, or a call of a script sink such as alert, eval or fetch). The scan keeps no
 * state and allocates nothing; entity decoding happens in a bounded local buffer.
 */
#include "analyze/analyze.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define ATTR_MAX 512 /* decoded bytes of an attribute value judged (the scheme is first) */

static bool alpha(unsigned char c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static bool ident(unsigned char c)
{
    return alpha(c) || (c >= '0' && c <= '9') || c == '_' || c == '$';
}

static bool html_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '/' || c == 0;
}

static bool found(struct analyze_finding *f, const char *why, size_t off, size_t len)
{
    f->why = why;
    f->off = off;
    f->len = len;
    return true;
}

/* A name of a list, with its length. */
struct name {
    const char *w;
    size_t len;
};
#define NAME(w)                                                                                    \
    {                                                                                              \
        (w), sizeof(w) - 1                                                                         \
    }

/* Tags that run or load script or change where the page's URLs point, by themselves. */
static const struct name script_tags[] = {
    NAME("script"),  NAME("iframe"), NAME("frame"),  NAME("frameset"),
    NAME("object"),  NAME("embed"),  NAME("applet"), NAME("base"),
    NAME("import"),  NAME("xml"),    NAME("xss"),    NAME("meta"),
    NAME("isindex"), NAME("portal"), NAME("layer"),  NAME("ilayer")};

/* Whether s[0..n) is one of list's names (lower case), in any case. The first letter and
 * the length are compared before the rest, since most words fail there. */
static bool tag_in(const char *s, size_t n, const struct name *list, size_t nlist)
{
    if (n == 0)
        return false;
    char c = (char)(s[0] | 0x20);
    for (size_t i = 0; i < nlist; i++)
        if (list[i].len == n && list[i].w[0] == c && !strncasecmp(s, list[i].w, n))
            return true;
    return false;
}

/*
 * Decodes HTML character references (&#106; &#x6a; &#0000106 &colon; &tab; ...) in
 * s[0..n) into out (at most cap bytes), dropping the tabs, newlines and NULs a browser
 * ignores inside a URL's scheme, and lowering ASCII letters; the length. *same is set
 * when out is s with its letters lowered and nothing else changed (all of s fitted).
 */
static size_t url_text(const char *s, size_t n, char *out, size_t cap, bool *same)
{
    static const struct {
        const char *name;
        char c;
    } named[] = {{"colon", ':'}, {"tab", '\t'}, {"newline", '\n'}, {"lpar", '('},
                 {"rpar", ')'},  {"sol", '/'},  {"quot", '"'},     {"apos", '\''},
                 {"lt", '<'},    {"gt", '>'},   {"amp", '&'},      {"period", '.'}};
    size_t o = 0;
    bool changed = false;
    for (size_t i = 0; i < n && o < cap;) {
        unsigned c = (unsigned char)s[i];
        size_t adv = 1;
        if (c > '\r' && c != '\\' && c != '&') {
            /* most bytes: neither an escape, a reference nor a byte dropped */
            out[o++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
            i++;
            continue;
        }
        if (c == '\\' && i + 5 < n && s[i + 1] == 'u') {
            /* a script's \u0065 escape: what the script engine reads */
            unsigned v = 0;
            size_t k = i + 2;
            for (; k < i + 6; k++) {
                char h = (char)(s[k] | 0x20);
                if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f')))
                    break;
                v = v * 16 + (unsigned)(h <= '9' ? h - '0' : h - 'a' + 10);
            }
            if (k == i + 6) {
                c = v < 0x80 ? v : '?';
                adv = 6;
            }
        } else if (c == '&' && i + 1 < n) {
            size_t j = i + 1;
            unsigned v = 0;
            bool ok = false;
            if (s[j] == '#') {
                j++;
                bool hex = j < n && (s[j] | 0x20) == 'x';
                if (hex)
                    j++;
                size_t d0 = j;
                while (j < n && j - d0 < 12 &&
                       ((s[j] >= '0' && s[j] <= '9') ||
                        (hex && (s[j] | 0x20) >= 'a' && (s[j] | 0x20) <= 'f'))) {
                    unsigned dv =
                        s[j] <= '9' ? (unsigned)(s[j] - '0') : (unsigned)((s[j] | 0x20) - 'a' + 10);
                    v = v < 0x110000 ? v * (hex ? 16 : 10) + dv : v;
                    j++;
                }
                ok = j > d0;
            } else {
                for (size_t k = 0; k < sizeof named / sizeof named[0]; k++) {
                    size_t l = strlen(named[k].name);
                    if (j + l <= n && !strncasecmp(s + j, named[k].name, l)) {
                        v = (unsigned char)named[k].c;
                        j += l;
                        ok = true;
                        break;
                    }
                }
            }
            if (ok) {
                if (j < n && s[j] == ';')
                    j++;
                c = v < 0x80 ? v : '?';
                adv = j - i;
            }
        }
        i += adv;
        changed |= adv > 1;
        if (c == '\t' || c == '\n' || c == '\r' || c == 0) {
            changed = true;
            continue;
        }
        out[o++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
    }
    *same = !changed && o == n;
    return o;
}

/* A URL whose scheme runs script: javascript:, vbscript:, livescript:, or a data: URL
 * of HTML or SVG. Leading spaces and control characters are ignored, as browsers do. */
static bool script_url_text(const char *buf, size_t l)
{
    size_t i = 0;
    while (i < l && ((unsigned char)buf[i] <= ' ' || buf[i] == '"' || buf[i] == '\''))
        i++;
    static const struct name schemes[] = {
        NAME("javascript:"),    NAME("vbscript:"),      NAME("livescript:"),       NAME("mocha:"),
        NAME("data:text/html"), NAME("data:image/svg"), NAME("data:application/x")};
    for (size_t k = 0; i < l && k < sizeof schemes / sizeof schemes[0]; k++)
        if (schemes[k].w[0] == buf[i] && l - i >= schemes[k].len &&
            !memcmp(buf + i, schemes[k].w, schemes[k].len))
            return true;
    return false;
}

static bool script_url(const char *s, size_t n)
{
    char buf[ATTR_MAX];
    bool same;
    return script_url_text(buf, url_text(s, n, buf, sizeof buf, &same));
}

/* The set of the bytes of a text, one bit each. */
struct byteset {
    uint64_t w[4];
};

static void byteset_of(const char *s, size_t n, struct byteset *set)
{
    *set = (struct byteset){{0, 0, 0, 0}};
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        set->w[c >> 6] |= (uint64_t)1 << (c & 63);
    }
}

/* Whether every byte of w[0..len) is in set. */
static bool byteset_has_all(const struct byteset *set, const char *w, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)w[i];
        if (!(set->w[c >> 6] & ((uint64_t)1 << (c & 63))))
            return false;
    }
    return true;
}

/* CSS that runs script; the first CSS_FREE are looked for in free text too. */
static const struct name css_bad[] = {NAME("expression("),  NAME("behavior:"),
                                      NAME("-moz-binding"), NAME("@import"),
                                      NAME("javascript:"),  NAME("vbscript:")};
#define CSS_FREE 4

/* CSS that runs script: IE's expression() and behaviours, Mozilla's bindings, script
 * URLs in url() (schemes: also javascript: and vbscript: anywhere, for CSS already known
 * to be CSS; in free text those words are too common). */
static bool script_css_text(char *buf, size_t l, bool schemes)
{
    size_t count = schemes ? sizeof css_bad / sizeof css_bad[0] : CSS_FREE;
    /* The text looked at below is buf with some bytes dropped: a pattern with a byte
     * that buf lacks cannot be in it, and most text lacks a byte of each. */
    struct byteset set;
    byteset_of(buf, l, &set);
    size_t k = 0;
    while (k < count && !byteset_has_all(&set, css_bad[k].w, css_bad[k].len))
        k++;
    if (k == count)
        return false;
    /* CSS comments and backslash escapes split words: drop them before looking */
    size_t o = 0;
    for (size_t i = 0; i < l; i++) {
        if (buf[i] == '/' && i + 1 < l && buf[i + 1] == '*') {
            const char *e = memmem(buf + i + 2, l - i - 2, "*/", 2);
            i = e ? (size_t)(e - buf) + 1 : l;
            continue;
        }
        if (buf[i] == '\\' || buf[i] == ' ')
            continue;
        buf[o++] = buf[i];
    }
    for (; k < count; k++)
        if (byteset_has_all(&set, css_bad[k].w, css_bad[k].len) &&
            memmem(buf, o, css_bad[k].w, css_bad[k].len))
            return true;
    return false;
}

static bool script_css(const char *s, size_t n, bool schemes)
{
    char buf[ATTR_MAX];
    bool same;
    return script_css_text(buf, url_text(s, n, buf, sizeof buf, &same), schemes);
}

/* Attributes whose value is a URL the browser may load or follow. */
static const struct name url_attrs[] = {
    NAME("href"),       NAME("src"),        NAME("action"), NAME("formaction"), NAME("data"),
    NAME("xlink:href"), NAME("background"), NAME("dynsrc"), NAME("lowsrc"),     NAME("poster"),
    NAME("code"),       NAME("codebase"),   NAME("value"),  NAME("to"),         NAME("from"),
    NAME("values"),     NAME("content"),    NAME("srcset"), NAME("ping"),       NAME("cite")};

/*
 * Scans the tag whose name starts at s[i] (after '<'); true with *f when the tag runs
 * script. *next gets where scanning resumes.
 */
static bool scan_tag(const char *s, size_t n, size_t lt, size_t i, struct analyze_finding *f,
                     size_t *next)
{
    size_t name = i;
    while (i < n && (ident((unsigned char)s[i]) || s[i] == '-' || s[i] == ':'))
        i++;
    size_t nl = i - name;
    *next = i;
    if (i < n && !html_space((unsigned char)s[i]) && s[i] != '>')
        return false; /* not a tag: "<3", "a<b" */
    if (tag_in(s + name, nl, script_tags, sizeof script_tags / sizeof script_tags[0]))
        return found(f, "script tag", lt, i - lt);
    bool style_tag = nl == 5 && !strncasecmp(s + name, "style", 5);
    /* attributes, until '>' or the end of the value */
    while (i < n && s[i] != '>') {
        while (i < n && (html_space((unsigned char)s[i]) || s[i] == '"' || s[i] == '\''))
            i++;
        size_t an = i;
        while (i < n && !html_space((unsigned char)s[i]) && s[i] != '=' && s[i] != '>')
            i++;
        size_t al = i - an;
        if (al == 0) {
            if (i < n && s[i] == '=')
                i++;
            continue;
        }
        size_t vs = i, ve = i;
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n'))
            i++;
        if (i < n && s[i] == '=') {
            i++;
            while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n'))
                i++;
            if (i < n && (s[i] == '"' || s[i] == '\'' || s[i] == '`')) {
                char q = s[i++];
                vs = i;
                const char *e = memchr(s + i, q, n - i);
                ve = e ? (size_t)(e - s) : n;
                i = e ? ve + 1 : n;
            } else {
                vs = i;
                while (i < n && !html_space((unsigned char)s[i]) && s[i] != '>')
                    i++;
                ve = i;
            }
        } else {
            vs = ve = an + al; /* no value */
        }
        if (al > 2 && (s[an] | 0x20) == 'o' && (s[an + 1] | 0x20) == 'n' &&
            alpha((unsigned char)s[an + 2]))
            return found(f, "event handler attribute", lt, (i < n ? i : n) - lt);
        if (tag_in(s + an, al, url_attrs, sizeof url_attrs / sizeof url_attrs[0]) &&
            script_url(s + vs, ve - vs))
            return found(f, "script URL in an attribute", lt, ve - lt);
        if (al == 5 && !strncasecmp(s + an, "style", 5) && script_css(s + vs, ve - vs, true))
            return found(f, "script in a style attribute", lt, ve - lt);
        if (al == 6 && !strncasecmp(s + an, "srcdoc", 6) && memchr(s + vs, '<', ve - vs))
            return found(f, "HTML in srcdoc", lt, ve - lt);
    }
    if (style_tag && i < n) {
        const char *end = memmem(s + i, n - i, "</", 2);
        size_t e = end ? (size_t)(end - s) : n;
        if (script_css(s + i, e - i, true))
            return found(f, "script in a style sheet", lt, e - lt);
    }
    *next = i;
    return false;
}

/* Script sinks an injected call would reach first. */
static const struct name sinks[] = {NAME("alert"),      NAME("prompt"),     NAME("confirm"),
                                    NAME("eval"),       NAME("settimeout"), NAME("setinterval"),
                                    NAME("execscript"), NAME("msgbox"),     NAME("fromcharcode"),
                                    NAME("constructor")};

/* A call of a script sink: NAME( NAME` (NAME)( NAME.call( or top['NAME'](; *at its start. */
static bool sink_call(const char *s, size_t n, size_t *at)
{
    /* the sinks' first letters (bit c - 'a'): a word starting with another is no sink */
    uint32_t first = 0;
    for (size_t k = 0; k < sizeof sinks / sizeof sinks[0]; k++)
        first |= (uint32_t)1 << (sinks[k].w[0] - 'a');
    for (size_t i = 0; i < n; i++) {
        if (!alpha((unsigned char)s[i]) || (i > 0 && ident((unsigned char)s[i - 1])))
            continue;
        size_t j = i;
        while (j < n && ident((unsigned char)s[j]))
            j++;
        if (!((first >> ((s[i] | 0x20) - 'a')) & 1) ||
            !tag_in(s + i, j - i, sinks, sizeof sinks / sizeof sinks[0])) {
            i = j;
            continue;
        }
        if (i > 0 && (s[i - 1] == '=' || s[i - 1] == '(' || s[i - 1] == ',') && j < n &&
            (s[j] == ',' || s[j] == ')' || s[j] == ';')) {
            *at = i; /* a=alert,a(1)  [1].find(alert): the sink passed as a value */
            return true;
        }
        size_t k = j;
        while (k < n && s[k] == ')')
            k++;
        while (k < n && (s[k] == ' ' || s[k] == '\t'))
            k++;
        bool member_call = k < n && s[k] == '.' && k + 5 < n &&
                           (!strncasecmp(s + k, ".call(", 6) || !strncasecmp(s + k, ".apply", 6));
        if (k < n && (s[k] == '(' || s[k] == '`' || member_call)) {
            *at = i;
            return true;
        }
        i = j;
    }
    /* top['al'+'ert'](1), window[/al/.source+...](1): a computed name called. Each name
     * ends in '[', so only the word before each '[' can be one: the first name of the
     * list found wins, at its first place */
    static const char *const globals[] = {"top",  "window",     "self",  "parent",
                                          "this", "globalthis", "frames"};
    size_t best = sizeof globals / sizeof globals[0];
    for (const char *b = memchr(s, '[', n); b; b = memchr(b + 1, '[', n - (size_t)(b + 1 - s))) {
        size_t k = (size_t)(b - s), i = k;
        while (i > 0 && ident((unsigned char)s[i - 1]))
            i--;
        for (size_t g = 0; g < best; g++) {
            if (strlen(globals[g]) != k - i || strncasecmp(s + i, globals[g], k - i))
                continue;
            const char *close = memchr(b, ']', n - k);
            if (close && close + 1 < s + n && close[1] == '(') {
                best = g;
                *at = i;
            }
            break;
        }
    }
    return best < sizeof globals / sizeof globals[0];
}

/* Whether an event handler attribute starts at s[a]: "on", letters, then '=' after
 * spaces ("onload=", "ONERROR ="); a + 3 must be inside the value. */
static bool handler_at(const char *s, size_t n, size_t a)
{
    if (!(a + 3 < n && (s[a] | 0x20) == 'o' && (s[a + 1] | 0x20) == 'n' &&
          alpha((unsigned char)s[a + 2])))
        return false;
    size_t e = a + 2;
    while (e < n && alpha((unsigned char)s[e]))
        e++;
    while (e < n && (s[e] == ' ' || s[e] == '\t'))
        e++;
    return e < n && s[e] == '=';
}

/* The first a >= from where a handler starts after a space or a quote, or n. */
static size_t next_handler(const char *s, size_t n, size_t from)
{
    for (size_t a = from; a + 3 < n; a++)
        if ((s[a] | 0x20) == 'o' && a > 0 &&
            (html_space((unsigned char)s[a - 1]) || s[a - 1] == '"' || s[a - 1] == '\'') &&
            handler_at(s, n, a))
            return a;
    return n;
}

/* A quote or a closing tag/brace that leaves a string or a script, then code. */
static bool breaks_out(const char *s, size_t n, size_t *at)
{
    size_t h = 0; /* the next handler after a space or a quote, from where it was sought */
    bool known = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '"' && s[i] != '\'' && s[i] != '`')
            continue;
        size_t j = i + 1;
        /* "onmouseover=..., " autofocus onfocus=...: a quote then a handler attribute
         * within 64 bytes, right after the quote or after a space or another quote. The
         * next such handler is sought again only once passed (each byte looked at once
         * for all the quotes). */
        if (!known || h < j + 1) {
            h = next_handler(s, n, j + 1);
            known = true;
        }
        if (handler_at(s, n, j) || (h < n && h < j + 64)) {
            *at = i;
            return true;
        }
        /* ';alert(1)//  "-prompt(8)-"  ');confirm(1)  : a script string left */
        while (j < n && strchr(");+-*/|&,^%!~? \t\\", s[j]) && s[j])
            j++;
        size_t sink;
        if (j > i + 1 && sink_call(s + j, n - j < 64 ? n - j : 64, &sink) && sink == 0) {
            *at = i;
            return true;
        }
    }
    return false;
}

/* See analyze.h. */
bool analyze_xss(const char *s, size_t n, struct analyze_finding *f)
{
    for (size_t i = 0; i + 1 < n; i++) {
        const char *lt = memchr(s + i, '<', n - i - 1); /* a tag needs a byte after '<' */
        if (!lt)
            break;
        i = (size_t)(lt - s);
        size_t j = i + 1;
        if (s[j] == '/')
            j++;
        if (j < n && alpha((unsigned char)s[j])) {
            size_t next;
            if (scan_tag(s, n, i, j, f, &next))
                return true;
            if (next > i + 1)
                i = next - 1;
        }
    }
    /* the value as a URL or script reads it: decoded once for the checks below */
    char buf[ATTR_MAX];
    bool same; /* buf is s lowered: sink_call, which ignores case, would find nothing new */
    size_t l = url_text(s, n, buf, sizeof buf, &same);
    if (script_url_text(buf, l))
        return found(f, "script URL", 0, n < 32 ? n : 32);
    size_t at;
    if (breaks_out(s, n, &at))
        return found(f, "breaks out of a string or attribute into script", at,
                     n - at < 48 ? n - at : 48);
    if (sink_call(s, n, &at))
        return found(f, "script sink called", at, n - at < 32 ? n - at : 32);
    if (!same && sink_call(buf, l, &at)) /* alert&lpar;1&rpar;  al\u0065rt(1) */
        return found(f, "script sink called (escaped)", 0, n < 32 ? n : 32);
    /* last: script_css_text rewrites buf */
    if ((memchr(buf, '{', l) && memmem(buf, l, "{{", 2) && memmem(buf, l, "constructor", 11)) ||
        script_css_text(buf, l, false))
        return found(f, "template or style expression", 0, n < 32 ? n : 32);
    return false;
}
