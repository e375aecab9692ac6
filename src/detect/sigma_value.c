/*
 * sigma_value.c — the Sigma value compiler: turns one `Field|mod|mod: value or list`
 * of a selection (and each keyword of a keyword list) into struct sigma_pred /
 * struct sigma_value, which sigma_match.c then runs per event. The loader
 * (sigma_load.c) calls it once per predicate at rule load.
 *
 * How a value is built. Modifiers fall in three groups:
 *  - predicate flags, anywhere in the chain: all, neq, cased;
 *  - string modifiers, applied left to right to every string a value has become:
 *    contains, startswith, endswith, windash, expand and the encodings (base64,
 *    base64offset, utf16le/wide, utf16be, utf16);
 *  - the ones that change what a value is, each the first value modifier of its chain:
 *    re (then only i, m, s), exists, cidr, fieldref, and gt/gte/lt/lte and the time
 *    parts minute..year (a time part optionally followed by one comparison), and
 *    Vigil's vigil_attack (the value names a web attack analyzer: an_request.c).
 * While string modifiers apply, a value is a set of at most SIGMA_MAX_VARIANTS strings
 * in a canonical escaped form: '*' and '?' are wildcards, and every literal '*', '?' or
 * '\' is written with a backslash before it (so a rule's `C:\Windows\*` is
 * `C:\\Windows\\*`). contains/startswith/endswith put '*' around a string as pySigma
 * does (unless one is already there), so the order of modifiers means what it means in
 * pySigma: `|contains|base64` is refused (a wildcard cannot be encoded) while
 * `|base64|contains` is fine. At the end each string becomes a struct sigma_str: `*lit*`
 * CONTAINS, `lit*` PREFIX, `*lit` SUFFIX, `lit` EXACT (lit without wildcards, unescaped)
 * and anything else a GLOB keeping the canonical escapes. Unless the value is cased,
 * sigma_str.s is stored case-folded (sigma_fold), as sigma_match.c expects.
 *
 * Choices where the spec is silent (pySigma is followed otherwise):
 *  - a plain YAML number or boolean is compared as the text written (`EventID: 4688`
 *    is the string "4688"; 04688 would be "04688");
 *  - base64 and base64offset results are compared case-sensitively (base64 is); utf16
 *    alone keeps the default (its ASCII letters fold as Windows would);
 *  - base64offset strings are always matched with contains (`*v*`), and a variant that
 *    comes out empty (values of 1-2 bytes) is dropped instead of matching everything;
 *  - gt/gte/lt/lte and the time parts accept a quoted number too.
 *
 * Every refusal is ERR_PARSE with "line N: reason" in err; nothing is left allocated.
 */
#include "analyze/analyze.h"
#include "detect/sigma_encode.h"
#include "detect/sigma_int.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_MODS 16 /* modifiers in one key */
#define QUOTE 40    /* bytes of a value or name quoted in an error message */

enum mod {
    M_CONTAINS,
    M_STARTSWITH,
    M_ENDSWITH,
    M_ALL,
    M_EXISTS,
    M_CASED,
    M_NEQ,
    M_RE,
    M_I,
    M_M,
    M_S,
    M_BASE64,
    M_BASE64OFFSET,
    M_UTF16LE,
    M_WIDE,
    M_UTF16BE,
    M_UTF16,
    M_WINDASH,
    M_CIDR,
    M_GT,
    M_GTE,
    M_LT,
    M_LTE,
    M_MINUTE,
    M_HOUR,
    M_DAY,
    M_WEEK,
    M_MONTH,
    M_YEAR,
    M_FIELDREF,
    M_EXPAND,
    M_VIGIL_ATTACK,
    M_COUNT
};

static const char *const mod_names[M_COUNT] = {
    "contains", "startswith", "endswith", "all",    "exists",       "cased",    "neq",   "re",
    "i",        "m",          "s",        "base64", "base64offset", "utf16le",  "wide",  "utf16be",
    "utf16",    "windash",    "cidr",     "gt",     "gte",          "lt",       "lte",   "minute",
    "hour",     "day",        "week",     "month",  "year",         "fieldref", "expand",
    "vigil_attack"};

/* What a value becomes. */
enum mode { MODE_STR, MODE_RE, MODE_EXISTS, MODE_CIDR, MODE_FIELDREF, MODE_NUM, MODE_ATTACK };

/* A key's modifiers, checked once and applied to each of its values. */
struct plan {
    enum mode mode;
    enum mod mods[MAX_MODS]; /* MODE_STR: the string modifiers, in order */
    unsigned nmods;
    bool all, neq, cased;
    uint32_t re_flags;
    enum sigma_num_op op;
    enum sigma_time_part time;
    enum analyze_form form; /* MODE_ATTACK: what the field holds (from its name) */
    const struct sigma_placeholders *ph;
};

/* A value's strings while the string modifiers apply. */
struct work {
    struct buf s[SIGMA_MAX_VARIANTS];
    unsigned n;
};

static int refuse(char *err, size_t errlen, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int refuse(char *err, size_t errlen, unsigned line, const char *fmt, ...)
{
    if (err && errlen) {
        int k = snprintf(err, errlen, "line %u: ", line);
        if (k >= 0 && (size_t)k < errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(err + k, errlen - (size_t)k, fmt, ap);
            va_end(ap);
        }
    }
    return ERR_PARSE;
}

static bool is_time(enum mod m)
{
    return m >= M_MINUTE && m <= M_YEAR;
}

static bool is_cmp(enum mod m)
{
    return m >= M_GT && m <= M_LTE;
}

static bool is_re_flag(enum mod m)
{
    return m == M_I || m == M_M || m == M_S;
}

/* ---- the key ------------------------------------------------------------------------- */

/*
 * Splits key into the field name (its length in *flen) and the modifiers, and checks
 * that they go together; fills p.
 */
static int parse_key(const char *key, unsigned line, struct plan *p, size_t *flen, char *err,
                     size_t errlen)
{
    memset(p, 0, sizeof *p);
    const char *bar = strchr(key, '|');
    *flen = bar ? (size_t)(bar - key) : strlen(key);
    if (*flen == 0)
        return refuse(err, errlen, line,
                      bar ? "modifiers need a field name before them" : "empty field name");
    enum mod vm[MAX_MODS]; /* value modifiers (not all/neq/cased), in order */
    unsigned nvm = 0;
    while (bar) {
        const char *name = bar + 1;
        bar = strchr(name, '|');
        size_t n = bar ? (size_t)(bar - name) : strlen(name);
        unsigned m = 0;
        while (m < M_COUNT && !(strlen(mod_names[m]) == n && !memcmp(mod_names[m], name, n)))
            m++;
        if (m == M_COUNT)
            return refuse(err, errlen, line, "unknown modifier '%.*s'",
                          (int)(n > QUOTE ? QUOTE : n), name);
        if (m == M_ALL)
            p->all = true;
        else if (m == M_NEQ)
            p->neq = true;
        else if (m == M_CASED)
            p->cased = true;
        else if (nvm == MAX_MODS)
            return refuse(err, errlen, line, "more than %d modifiers", MAX_MODS);
        else
            vm[nvm++] = (enum mod)m;
    }
    if (nvm == 0)
        return 0;
    enum mod first = vm[0];
    for (unsigned i = 0; i < nvm; i++) {
        if (is_re_flag(vm[i]) && first != M_RE)
            return refuse(err, errlen, line, "|%s applies only after |re", mod_names[vm[i]]);
    }
    if (first == M_RE) {
        p->mode = MODE_RE;
        for (unsigned i = 1; i < nvm; i++) {
            if (vm[i] == M_I)
                p->re_flags |= PCRE2_CASELESS;
            else if (vm[i] == M_M)
                p->re_flags |= PCRE2_MULTILINE;
            else if (vm[i] == M_S)
                p->re_flags |= PCRE2_DOTALL;
            else
                return refuse(err, errlen, line, "|%s cannot follow |re", mod_names[vm[i]]);
        }
        return 0;
    }
    if (first == M_EXISTS || first == M_CIDR || first == M_FIELDREF || first == M_VIGIL_ATTACK) {
        if (nvm > 1)
            return refuse(err, errlen, line, "|%s cannot be combined with |%s", mod_names[first],
                          mod_names[vm[1]]);
        p->mode = first == M_EXISTS  ? MODE_EXISTS
                  : first == M_CIDR  ? MODE_CIDR
                  : first == M_FIELDREF ? MODE_FIELDREF
                                        : MODE_ATTACK;
        p->form = analyze_form_of_field(key, *flen);
        if (first == M_EXISTS && p->all)
            return refuse(err, errlen, line, "|exists cannot be combined with |all");
        return 0;
    }
    if (is_time(first) || is_cmp(first)) {
        p->mode = MODE_NUM;
        p->op = SIGMA_NUM_EQ;
        unsigned i = 0;
        if (is_time(vm[0]))
            p->time = (enum sigma_time_part)(SIGMA_TIME_MINUTE + (vm[i++] - M_MINUTE));
        if (i < nvm && is_cmp(vm[i])) {
            static const enum sigma_num_op ops[] = {SIGMA_NUM_GT, SIGMA_NUM_GTE, SIGMA_NUM_LT,
                                                    SIGMA_NUM_LTE};
            p->op = ops[vm[i++] - M_GT];
        }
        if (i < nvm)
            return refuse(err, errlen, line, "|%s cannot follow |%s", mod_names[vm[i]],
                          mod_names[vm[i - 1]]);
        return 0;
    }
    p->mode = MODE_STR;
    for (unsigned i = 0; i < nvm; i++) {
        enum mod m = vm[i];
        if (m == M_RE || m == M_EXISTS || m == M_CIDR || m == M_FIELDREF || m == M_VIGIL_ATTACK ||
            is_time(m) || is_cmp(m))
            return refuse(err, errlen, line, "|%s cannot follow |%s", mod_names[m],
                          mod_names[vm[i - 1]]);
        p->mods[p->nmods++] = m;
    }
    return 0;
}

/* ---- scalars ------------------------------------------------------------------------- */

/* YAML 1.2 core schema: a plain null. */
static bool is_null(const struct cfg_node *v)
{
    const char *t = v->text;
    return v->plain && (!t[0] || !strcmp(t, "~") || !strcmp(t, "null") || !strcmp(t, "Null") ||
                        !strcmp(t, "NULL"));
}

/* A plain boolean: 1 true, 0 false, -1 not a boolean. */
static int plain_bool(const struct cfg_node *v)
{
    if (!v->plain)
        return -1;
    const char *t = v->text;
    if (!strcmp(t, "true") || !strcmp(t, "True") || !strcmp(t, "TRUE"))
        return 1;
    if (!strcmp(t, "false") || !strcmp(t, "False") || !strcmp(t, "FALSE"))
        return 0;
    return -1;
}

/* ---- the canonical escaped form ------------------------------------------------------ */

/* Appends a rule's string (Sigma escapes: '\' escapes '*', '?' and '\' only) in the
 * canonical form. */
static int canon_append(struct buf *b, const char *s, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        char c = s[i];
        if (c == '\\') {
            if (i + 1 < n && (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\')) {
                rc = buf_putc(b, '\\');
                if (!rc)
                    rc = buf_putc(b, s[++i]);
            } else {
                rc = buf_append(b, "\\\\", 2); /* any other backslash is literal */
            }
        } else {
            rc = buf_putc(b, c);
        }
    }
    return rc;
}

/* Appends literal bytes in the canonical form. */
static int escape_append(struct buf *b, const char *s, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        if (s[i] == '*' || s[i] == '?' || s[i] == '\\')
            rc = buf_putc(b, '\\');
        if (!rc)
            rc = buf_putc(b, s[i]);
    }
    return rc;
}

/* A token of a canonical string: a wildcard or one literal byte. */
enum tok { T_STAR, T_QMARK, T_LIT };

static enum tok tok_at(const char *s, size_t n, size_t *i, char *lit)
{
    char c = s[*i];
    if (c == '*' || c == '?') {
        (*i)++;
        return c == '*' ? T_STAR : T_QMARK;
    }
    if (c == '\\' && *i + 1 < n)
        c = s[++*i];
    *lit = c;
    (*i)++;
    return T_LIT;
}

/* Counts the wildcards of a canonical string; *first_star / *last_star tell whether it
 * starts / ends with a '*' wildcard. */
static unsigned wildcards(const char *s, size_t n, bool *first_star, bool *last_star)
{
    unsigned w = 0;
    *first_star = *last_star = false;
    size_t i = 0;
    bool first = true;
    while (i < n) {
        char lit;
        enum tok t = tok_at(s, n, &i, &lit);
        if (t != T_LIT)
            w++;
        if (first)
            *first_star = t == T_STAR;
        *last_star = t == T_STAR;
        first = false;
    }
    return w;
}

/* Appends the literal of a canonical string without wildcards. */
static int unescape_append(struct buf *b, const char *s, size_t n)
{
    int rc = 0;
    size_t i = 0;
    while (i < n && !rc) {
        char lit;
        if (tok_at(s, n, &i, &lit) == T_LIT)
            rc = buf_putc(b, lit);
    }
    return rc;
}

/* ---- string modifiers ---------------------------------------------------------------- */

static void work_fini(struct work *w)
{
    for (unsigned i = 0; i < w->n; i++)
        buf_fini(&w->s[i]);
    w->n = 0;
}

/* A new empty string in w, or NULL when w is full. */
static struct buf *work_add(struct work *w)
{
    if (w->n == SIGMA_MAX_VARIANTS)
        return NULL;
    struct buf *b = &w->s[w->n++];
    buf_init(b, SIGMA_MAX_VALUE);
    return b;
}

/* Maps a buf error to the refusal a rule author understands. */
static int buf_refusal(int rc, char *err, size_t errlen, unsigned line)
{
    if (rc == ERR_TOOBIG)
        return refuse(err, errlen, line, "value longer than %d bytes after modifiers",
                      SIGMA_MAX_VALUE);
    return rc;
}

static int too_many(char *err, size_t errlen, unsigned line, const char *mod)
{
    return refuse(err, errlen, line, "|%s makes more than %d strings of one value", mod,
                  SIGMA_MAX_VARIANTS);
}

/* The name of a placeholder at s[i] ("%name%" with name [A-Za-z0-9_]+): its length
 * including both '%', or 0. */
static size_t placeholder_at(const char *s, size_t n, size_t i)
{
    if (s[i] != '%')
        return 0;
    size_t j = i + 1;
    while (j < n && (s[j] == '_' || (s[j] >= '0' && s[j] <= '9') ||
                     ((s[j] | 0x20) >= 'a' && (s[j] | 0x20) <= 'z')))
        j++;
    return j > i + 1 && j < n && s[j] == '%' ? j + 1 - i : 0;
}

static const struct detect_placeholder *placeholder_find(const struct sigma_placeholders *ph,
                                                         const char *name, size_t n)
{
    for (unsigned i = 0; ph && i < ph->n; i++) {
        const char *pn = ph->items[i].name;
        if (pn && strlen(pn) == n && !memcmp(pn, name, n) && ph->items[i].nvalues > 0)
            return &ph->items[i];
    }
    return NULL;
}

/*
 * |expand: replaces every %name% of s by each value of the placeholder (the cartesian
 * product when there are several), appending the results to out.
 */
static int expand(const struct plan *p, const char *s, size_t n, struct work *out, char *err,
                  size_t errlen, unsigned line)
{
    /* the placeholders of s, left to right */
    enum { MAXPH = 8 };
    size_t at[MAXPH], len[MAXPH];
    const struct detect_placeholder *ph[MAXPH];
    unsigned nph = 0;
    unsigned long total = 1;
    for (size_t i = 0; i < n;) {
        size_t k = placeholder_at(s, n, i);
        if (!k) {
            i++;
            continue;
        }
        const struct detect_placeholder *x = placeholder_find(p->ph, s + i + 1, k - 2);
        if (!x)
            return refuse(err, errlen, line, "placeholder %.*s has no value (configure it)",
                          (int)(k > QUOTE ? QUOTE : k), s + i);
        if (nph == MAXPH)
            return refuse(err, errlen, line, "more than %d placeholders in one value", MAXPH);
        at[nph] = i;
        len[nph] = k;
        ph[nph++] = x;
        total *= x->nvalues;
        if (total > SIGMA_MAX_VARIANTS)
            return too_many(err, errlen, line, "expand");
        i += k;
    }
    for (unsigned long v = 0; v < total; v++) {
        struct buf *b = work_add(out);
        if (!b)
            return too_many(err, errlen, line, "expand");
        size_t from = 0;
        unsigned long k = v;
        int rc = 0;
        for (unsigned j = 0; j < nph && !rc; j++) {
            const char *val = ph[j]->values[k % ph[j]->nvalues];
            k /= ph[j]->nvalues;
            rc = buf_append(b, s + from, at[j] - from);
            if (!rc && val)
                rc = canon_append(b, val, strlen(val));
            from = at[j] + len[j];
        }
        if (!rc)
            rc = buf_append(b, s + from, n - from);
        if (rc)
            return buf_refusal(rc, err, errlen, line);
    }
    return 0;
}

/* Applies string modifier m to one canonical string s, appending the results to out;
 * *cased is set by the encodings compared case-sensitively. */
static int apply(const struct plan *p, enum mod m, const char *s, size_t n, struct work *out,
                 bool *cased, char *err, size_t errlen, unsigned line)
{
    bool fs, ls;
    unsigned nwild = wildcards(s, n, &fs, &ls);
    struct buf *b;
    int rc = 0;
    switch (m) {
    case M_CONTAINS:
    case M_STARTSWITH:
    case M_ENDSWITH:
        if (!(b = work_add(out)))
            return too_many(err, errlen, line, mod_names[m]);
        if (m != M_STARTSWITH && !fs)
            rc = buf_putc(b, '*');
        if (!rc)
            rc = buf_append(b, s, n);
        if (!rc && m != M_ENDSWITH && !ls)
            rc = buf_putc(b, '*');
        return buf_refusal(rc, err, errlen, line);
    case M_WINDASH: {
        unsigned c = sigma_windash_count(s, n);
        unsigned long total = 1;
        for (unsigned i = 0; i < c && total <= SIGMA_MAX_VARIANTS; i++)
            total *= SIGMA_WINDASH_NCHARS;
        if (total > SIGMA_MAX_VARIANTS || out->n + total > SIGMA_MAX_VARIANTS)
            return too_many(err, errlen, line, "windash");
        for (unsigned long k = 0; k < total && !rc; k++) {
            b = work_add(out);
            rc = sigma_windash_variant(s, n, (unsigned)k, b);
        }
        return buf_refusal(rc, err, errlen, line);
    }
    case M_EXPAND:
        return expand(p, s, n, out, err, errlen, line);
    default:
        break;
    }
    /* the encodings: of the literal text, which must have no wildcard */
    if (nwild)
        return refuse(err, errlen, line, "cannot encode a value with wildcards (|%s)",
                      mod_names[m]);
    struct buf lit, enc;
    buf_init(&lit, SIGMA_MAX_VALUE);
    buf_init(&enc, SIGMA_MAX_VALUE);
    rc = unescape_append(&lit, s, n);
    const char *lp = lit.p ? lit.p : "";
    switch (m) {
    case M_BASE64:
        *cased = true;
        if (!rc)
            rc = sigma_base64(lp, lit.len, &enc);
        if (!rc && !(b = work_add(out)))
            rc = ERR_FULL;
        if (!rc)
            rc = buf_append(b, enc.p ? enc.p : "", enc.len); /* no * ? \ in base64 */
        break;
    case M_BASE64OFFSET:
        *cased = true;
        for (unsigned i = 0; i < 3 && !rc; i++) {
            buf_reset(&enc);
            rc = sigma_base64offset(lp, lit.len, i, &enc);
            if (rc || enc.len == 0)
                continue; /* an empty variant would match everything */
            if (!(b = work_add(out)))
                rc = ERR_FULL;
            if (!rc)
                rc = buf_putc(b, '*');
            if (!rc)
                rc = buf_append(b, enc.p, enc.len);
            if (!rc)
                rc = buf_putc(b, '*');
        }
        break;
    default: { /* utf16le, wide, utf16be, utf16 */
        enum sigma_utf16_form form = m == M_UTF16BE ? SIGMA_UTF16BE
                                     : m == M_UTF16 ? SIGMA_UTF16BOM
                                                    : SIGMA_UTF16LE;
        if (!rc)
            rc = sigma_utf16(lp, lit.len, form, &enc);
        if (rc == ERR_PARSE) {
            buf_fini(&lit);
            buf_fini(&enc);
            return refuse(err, errlen, line, "|%s needs UTF-8 text", mod_names[m]);
        }
        if (!rc && !(b = work_add(out)))
            rc = ERR_FULL;
        if (!rc)
            rc = escape_append(b, enc.p ? enc.p : "", enc.len);
        break;
    }
    }
    buf_fini(&lit);
    buf_fini(&enc);
    if (rc == ERR_FULL)
        return too_many(err, errlen, line, mod_names[m]);
    return buf_refusal(rc, err, errlen, line);
}

/* Turns a canonical string into a struct sigma_str (see the file comment). */
static int resolve(const char *s, size_t n, bool cased, struct sigma_str *out)
{
    /* lo: after the leading stars; hi: after the last token that is not a star; mid:
     * the wildcards between them */
    size_t i = 0, lo = 0, hi = 0;
    unsigned lead = 0, mid = 0;
    bool leading = true;
    while (i < n) {
        char lit;
        size_t at = i;
        enum tok t = tok_at(s, n, &i, &lit);
        if (leading && t == T_STAR) {
            lead++;
            lo = i;
            continue;
        }
        if (leading)
            hi = lo = at;
        leading = false;
        if (t != T_STAR)
            hi = i;
    }
    if (!leading) {
        for (i = lo; i < hi;) {
            char lit;
            if (tok_at(s, n, &i, &lit) != T_LIT)
                mid++;
        }
    }
    struct buf b;
    buf_init(&b, SIGMA_MAX_VALUE);
    int rc = 0;
    if (leading && lead) {
        out->kind = SIGMA_STR_GLOB; /* only stars: anything, the empty value too */
        rc = buf_putc(&b, '*');
    } else if (mid == 0) {
        bool trail = hi < n;
        out->kind = lead && trail ? SIGMA_STR_CONTAINS
                    : lead        ? SIGMA_STR_SUFFIX
                    : trail       ? SIGMA_STR_PREFIX
                                  : SIGMA_STR_EXACT;
        rc = unescape_append(&b, s + lo, hi - lo);
    } else {
        out->kind = SIGMA_STR_GLOB;
        rc = buf_append(&b, s, n);
    }
    const char *text = b.p ? b.p : "";
    size_t len = b.len;
    if (!rc && !cased) {
        char *f = mem_alloc(2 * len + 4);
        if (!f) {
            rc = ERR_NOMEM;
        } else {
            len = sigma_fold(text, len, f, 2 * len + 4);
            out->s = mem_strndup(f, len);
            mem_free(f);
        }
    } else if (!rc) {
        out->s = mem_strndup(text, len);
    }
    buf_fini(&b);
    if (rc)
        return rc;
    if (!out->s)
        return ERR_NOMEM;
    out->len = len;
    return 0;
}

/* A value of MODE_STR: text through the string modifiers, then resolved. */
static int compile_str(const struct plan *p, const char *text, size_t n, unsigned line,
                       struct sigma_value *out, char *err, size_t errlen)
{
    struct work a, b;
    a.n = b.n = 0;
    struct work *cur = &a, *next = &b;
    bool cased = p->cased;
    int rc = canon_append(work_add(cur), text, n);
    if (rc)
        rc = buf_refusal(rc, err, errlen, line);
    for (unsigned m = 0; m < p->nmods && !rc; m++) {
        for (unsigned i = 0; i < cur->n && !rc; i++)
            rc = apply(p, p->mods[m], cur->s[i].p ? cur->s[i].p : "", cur->s[i].len, next, &cased,
                       err, errlen, line);
        work_fini(cur);
        struct work *t = cur;
        cur = next;
        next = t;
    }
    size_t total = 0;
    for (unsigned i = 0; i < cur->n && !rc; i++)
        total += cur->s[i].len;
    if (!rc && total > SIGMA_MAX_VALUE)
        rc = buf_refusal(ERR_TOOBIG, err, errlen, line);
    if (!rc && cur->n == 0)
        rc = refuse(err, errlen, line, "the modifiers leave nothing to match");
    if (!rc) {
        out->kind = SIGMA_PRED_STR;
        out->cased = cased;
        out->strs = mem_calloc(cur->n, sizeof *out->strs);
        if (!out->strs)
            rc = ERR_NOMEM;
        for (unsigned i = 0; i < cur->n && !rc; i++) {
            rc = resolve(cur->s[i].p ? cur->s[i].p : "", cur->s[i].len, cased,
                         &out->strs[out->nstrs]);
            if (!rc)
                out->nstrs++;
        }
    }
    work_fini(&a);
    work_fini(&b);
    return rc;
}

/* A general context whose allocations go through mem_alloc (see core.h). */
static void *re_alloc(PCRE2_SIZE n, void *ctx)
{
    (void)ctx;
    return mem_alloc(n);
}

static void re_free(void *p, void *ctx)
{
    (void)ctx;
    mem_free(p);
}

static int compile_re(const struct plan *p, const char *text, unsigned line,
                      struct sigma_value *out, char *err, size_t errlen)
{
    out->kind = SIGMA_PRED_RE;
    out->re_flags = p->re_flags;
    out->re = mem_strdup(text);
    pcre2_general_context *gc = pcre2_general_context_create(re_alloc, re_free, NULL);
    if (!out->re || !gc) {
        pcre2_general_context_free(gc);
        return ERR_NOMEM;
    }
    pcre2_compile_context *cc = pcre2_compile_context_create(gc);
    if (!cc) {
        pcre2_general_context_free(gc);
        return ERR_NOMEM;
    }
    int code;
    PCRE2_SIZE off;
    /* UTF with invalid subjects allowed: field values are bytes, mostly UTF-8 */
    uint32_t opts = p->re_flags | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_NEVER_BACKSLASH_C;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)text, strlen(text), opts, &code, &off, cc);
    pcre2_compile_context_free(cc);
    pcre2_general_context_free(gc);
    if (!re) {
        if (code == PCRE2_ERROR_HEAP_FAILED)
            return ERR_NOMEM;
        PCRE2_UCHAR msg[160];
        if (pcre2_get_error_message(code, msg, sizeof msg) < 0)
            snprintf((char *)msg, sizeof msg, "error %d", code);
        return refuse(err, errlen, line, "regex does not compile at offset %zu: %s", (size_t)off,
                      (const char *)msg);
    }
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* optional: the interpreter works */
    out->re_code = re;
    return 0;
}

static int compile_cidr(const char *text, unsigned line, struct sigma_value *out, char *err,
                        size_t errlen)
{
    size_t n = strlen(text);
    const char *slash = memchr(text, '/', n);
    size_t alen = slash ? (size_t)(slash - text) : n;
    bool v4;
    if (sigma_parse_ip(text, alen, out->net, &v4) != 0)
        return refuse(err, errlen, line, "bad cidr '%.*s'", QUOTE, text);
    unsigned max = v4 ? 32 : 128, bits = max;
    if (slash) {
        const char *d = slash + 1;
        size_t dl = n - alen - 1;
        bits = 0;
        if (dl == 0 || dl > 3)
            return refuse(err, errlen, line, "bad cidr '%.*s'", QUOTE, text);
        for (size_t i = 0; i < dl; i++) {
            if (d[i] < '0' || d[i] > '9')
                return refuse(err, errlen, line, "bad cidr '%.*s'", QUOTE, text);
            bits = bits * 10 + (unsigned)(d[i] - '0');
        }
        if (bits > max)
            return refuse(err, errlen, line, "bad cidr '%.*s': prefix over %u", QUOTE, text, max);
    }
    out->kind = SIGMA_PRED_CIDR;
    out->v4 = v4;
    out->prefix = v4 ? 96 + bits : bits;
    /* clear the host bits, so that 10.1.2.3/8 is 10.0.0.0/8 */
    for (unsigned i = 0; i < 16; i++) {
        unsigned lo = i * 8;
        if (lo >= out->prefix)
            out->net[i] = 0;
        else if (out->prefix - lo < 8)
            out->net[i] &= (uint8_t)(0xff << (8 - (out->prefix - lo)));
    }
    return 0;
}

/* One scalar value of a predicate compiled by p's mode. */
static int compile_value(const struct plan *p, const struct cfg_node *v, struct sigma_value *out,
                         char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const char *text = v->text ? v->text : "";
    size_t n = strlen(text);
    if (n > SIGMA_MAX_VALUE)
        return refuse(err, errlen, v->line, "value longer than %d bytes", SIGMA_MAX_VALUE);
    if (is_null(v)) {
        if (p->mode != MODE_STR || p->nmods)
            return refuse(err, errlen, v->line, "a null value takes no modifier but neq");
        out->kind = SIGMA_PRED_NULL;
        return 0;
    }
    int rc = 0;
    switch (p->mode) {
    case MODE_STR:
        rc = compile_str(p, text, n, v->line, out, err, errlen);
        break;
    case MODE_RE:
        rc = compile_re(p, text, v->line, out, err, errlen);
        break;
    case MODE_EXISTS: {
        int b = plain_bool(v);
        if (b < 0)
            return refuse(err, errlen, v->line, "|exists takes true or false");
        out->kind = SIGMA_PRED_EXISTS;
        out->exists = b;
        break;
    }
    case MODE_CIDR:
        rc = compile_cidr(text, v->line, out, err, errlen);
        break;
    case MODE_FIELDREF:
        if (!n)
            return refuse(err, errlen, v->line, "|fieldref needs a field name");
        out->kind = SIGMA_PRED_FIELDREF;
        out->ref = mem_strdup(text);
        rc = out->ref ? 0 : ERR_NOMEM;
        break;
    case MODE_ATTACK: {
        int k = analyze_kind_by_name(text, n);
        if (k < 0)
            return refuse(err, errlen, v->line,
                          "|vigil_attack takes sqli, xss, traversal, cmdi or scanner, not '%.*s'",
                          QUOTE, text);
        out->kind = SIGMA_PRED_ATTACK;
        out->attack = (uint8_t)k;
        out->attack_form = (uint8_t)p->form;
        break;
    }
    case MODE_NUM:
        if (sigma_parse_number(text, n, &out->num) != 0)
            return refuse(err, errlen, v->line, "'%.*s' is not a number", QUOTE, text);
        out->kind = SIGMA_PRED_NUM;
        out->num_op = p->op;
        out->time_part = p->time;
        break;
    }
    if (rc)
        sigma_value_fini(out);
    return rc;
}

/* ---- entry points -------------------------------------------------------------------- */

/* See sigma_int.h. */
int sigma_pred_compile(const char *key, const struct cfg_node *value,
                       const struct sigma_placeholders *placeholders, struct sigma_pred *out,
                       char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!key || !value)
        return refuse(err, errlen, value ? value->line : 0, "missing field or value");
    unsigned kline = value->key_line ? value->key_line : value->line;
    struct plan p;
    size_t flen;
    int rc = parse_key(key, kline, &p, &flen, err, errlen);
    if (rc)
        return rc;
    p.ph = placeholders;
    unsigned n = 0;
    if (value->kind == CFG_SCALAR) {
        if (p.all)
            return refuse(err, errlen, value->line, "|all needs a list of values");
        n = 1;
    } else if (value->kind == CFG_SEQ) {
        for (const struct cfg_node *c = value->children; c; c = c->next) {
            if (c->kind != CFG_SCALAR)
                return refuse(err, errlen, c->line, "the values of '%.*s' must be scalars",
                              (int)(flen > QUOTE ? QUOTE : flen), key);
            if (is_null(c))
                return refuse(err, errlen, c->line, "null inside a list of values");
            n++;
        }
        if (n == 0)
            return refuse(err, errlen, value->line, "empty list of values for '%.*s'",
                          (int)(flen > QUOTE ? QUOTE : flen), key);
        if (p.mode == MODE_EXISTS)
            return refuse(err, errlen, value->line, "|exists takes true or false");
    } else {
        return refuse(err, errlen, value->line,
                      "the value of '%.*s' must be a scalar or a list of scalars",
                      (int)(flen > QUOTE ? QUOTE : flen), key);
    }
    out->field = mem_strndup(key, flen);
    out->values = mem_calloc(n, sizeof *out->values);
    if (!out->field || !out->values) {
        sigma_pred_fini(out);
        return ERR_NOMEM;
    }
    out->all = p.all;
    out->neq = p.neq;
    const struct cfg_node *c = value->kind == CFG_SCALAR ? value : value->children;
    for (; c && !rc; c = value->kind == CFG_SCALAR ? NULL : c->next) {
        rc = compile_value(&p, c, &out->values[out->nvalues], err, errlen);
        if (!rc)
            out->nvalues++;
    }
    if (rc)
        sigma_pred_fini(out);
    return rc;
}

/* See sigma_int.h. */
int sigma_keyword_compile(const struct cfg_node *value, struct sigma_value *out, char *err,
                          size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!value || value->kind != CFG_SCALAR)
        return refuse(err, errlen, value ? value->line : 0, "a keyword must be a string");
    if (is_null(value))
        return refuse(err, errlen, value->line, "a keyword cannot be null");
    struct plan p;
    memset(&p, 0, sizeof p);
    p.mode = MODE_STR;
    p.mods[p.nmods++] = M_CONTAINS;
    const char *text = value->text;
    size_t n = strlen(text);
    if (n > SIGMA_MAX_VALUE)
        return refuse(err, errlen, value->line, "value longer than %d bytes", SIGMA_MAX_VALUE);
    return compile_str(&p, text, n, value->line, out, err, errlen);
}

/* See sigma_int.h. */
void sigma_value_fini(struct sigma_value *v)
{
    if (!v)
        return;
    for (unsigned i = 0; i < v->nstrs; i++)
        mem_free(v->strs[i].s);
    mem_free(v->strs);
    mem_free(v->re);
    pcre2_code_free(v->re_code);
    mem_free(v->ref);
    memset(v, 0, sizeof *v);
}

/* See sigma_int.h. */
void sigma_pred_fini(struct sigma_pred *p)
{
    if (!p)
        return;
    for (unsigned i = 0; i < p->nvalues; i++)
        sigma_value_fini(&p->values[i]);
    mem_free(p->values);
    mem_free(p->field);
    memset(p, 0, sizeof *p);
}
