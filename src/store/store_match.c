/*
 * store_match.c — exact value matching for search: the case-insensitive wildcard
 * matcher and the SQL functions that apply it to a row (vmatch on a column or the
 * raw text, vfield on the stored fields object, vrange/vfield_range for numbers).
 *
 * The trigram index only narrows candidates; these functions decide. They read what
 * is stored on disk, which they treat as untrusted: every scan is bounded by length.
 */
#include "store/store_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static inline unsigned char fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* One pattern element at pat[*i]: returns the literal byte or -1 for '*', -2 for '?'. */
static int pat_next(const char *pat, size_t pn, size_t *i)
{
    unsigned char c = (unsigned char)pat[*i];
    if (c == '\\' && *i + 1 < pn) {
        *i += 2;
        return (unsigned char)pat[*i - 1];
    }
    (*i)++;
    if (c == '*')
        return -1;
    if (c == '?')
        return -2;
    return c;
}

/* Length of the UTF-8 sequence starting with byte c (1 for invalid lead bytes). */
static size_t u8len(unsigned char c)
{
    if (c >= 0xf0 && c < 0xf8)
        return 4;
    if (c >= 0xe0)
        return c < 0xf0 ? 3 : 1;
    if (c >= 0xc0)
        return 2;
    return 1;
}

/*
 * Glob match with * and ? (? = one UTF-8 character), ASCII case folded. open_start and
 * open_end act as an implicit * before and after the pattern (a "contains" search).
 * Iterative with one backtrack point, so the cost is O(n * m) at worst, never
 * exponential.
 */
static bool glob_ci(const char *s, size_t n, const char *pat, size_t pn, bool open_start,
                    bool open_end)
{
    size_t si = 0, pi = 0;
    size_t star_pi = open_start ? 0 : (size_t)-1, star_si = 0;
    while (si < n) {
        if (pi == pn && open_end)
            return true;
        if (pi < pn) {
            size_t save = pi;
            int e = pat_next(pat, pn, &pi);
            if (e == -1) {
                star_pi = pi;
                star_si = si;
                continue;
            }
            if (e == -2) {
                size_t l = u8len((unsigned char)s[si]);
                si += l <= n - si ? l : n - si;
                continue;
            }
            if (fold((unsigned char)e) == fold((unsigned char)s[si])) {
                si++;
                continue;
            }
            pi = save;
        }
        if (star_pi == (size_t)-1)
            return false;
        pi = star_pi;
        si = ++star_si;
    }
    while (pi < pn) {
        if (pat_next(pat, pn, &pi) != -1)
            return false;
    }
    return true;
}

static bool equal_ci(const char *s, size_t n, const char *pat, size_t pn)
{
    if (n != pn)
        return false;
    for (size_t i = 0; i < n; i++)
        if (fold((unsigned char)s[i]) != fold((unsigned char)pat[i]))
            return false;
    return true;
}

static bool contains_ci(const char *s, size_t n, const char *pat, size_t pn)
{
    if (pn == 0)
        return true;
    if (pn > n)
        return false;
    unsigned char first = fold((unsigned char)pat[0]);
    for (size_t i = 0; i + pn <= n; i++) {
        if (fold((unsigned char)s[i]) != first)
            continue;
        size_t k = 1;
        while (k < pn && fold((unsigned char)s[i + k]) == fold((unsigned char)pat[k]))
            k++;
        if (k == pn)
            return true;
    }
    return false;
}

/* See store_int.h. */
bool store_match(const char *s, size_t n, const char *pat, size_t pn, enum store_match_mode mode)
{
    if (!s)
        return false;
    switch (mode) {
    case STORE_MATCH_EQUAL:
        return equal_ci(s, n, pat, pn);
    case STORE_MATCH_GLOB:
        return glob_ci(s, n, pat, pn, false, false);
    case STORE_MATCH_CONTAINS:
        return contains_ci(s, n, pat, pn);
    case STORE_MATCH_CONTAINS_GLOB:
        return glob_ci(s, n, pat, pn, true, true);
    }
    return false;
}

/* See store_int.h. */
bool store_number(const char *s, size_t n, double *out)
{
    char tmp[64];
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    if (n == 0 || n >= sizeof tmp)
        return false;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *end = NULL;
    double v = strtod(tmp, &end);
    if (end != tmp + n || !isfinite(v))
        return false;
    /* strtod also takes hex and "inf": only plain decimals are numbers here */
    for (size_t i = 0; i < n; i++)
        if (tmp[i] == 'x' || tmp[i] == 'X' || tmp[i] == 'n' || tmp[i] == 'N')
            return false;
    *out = v;
    return true;
}

static bool in_range(double v, double lo, double hi, int flags)
{
    bool lo_ok = (flags & 1) ? v >= lo : v > lo;
    bool hi_ok = (flags & 2) ? v <= hi : v < hi;
    return lo_ok && hi_ok;
}

/* ---- the stored fields object ------------------------------------------------------ */

/*
 * The fields column is the JSON object written by store_write.c: string keys, values a
 * string or an array of strings. The scanner below walks it by length; anything it
 * does not expect ends the walk (no match), it never reads past the end.
 */
struct jscan {
    const char *p;
    size_t n, i;
};

static void js_ws(struct jscan *j)
{
    while (j->i < j->n && (j->p[j->i] == ' ' || j->p[j->i] == '\n' || j->p[j->i] == '\t' ||
                           j->p[j->i] == '\r'))
        j->i++;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/*
 * Reads a JSON string at j->i. When it holds no escape, s and sn point into the input;
 * else it is unescaped into tmp (growing it) and *s points there. False on bad input.
 */
static bool js_string(struct jscan *j, struct buf *tmp, const char **s, size_t *sn)
{
    if (j->i >= j->n || j->p[j->i] != '"')
        return false;
    size_t start = ++j->i;
    bool esc = false;
    while (j->i < j->n && j->p[j->i] != '"') {
        if (j->p[j->i] == '\\') {
            esc = true;
            j->i++;
        }
        j->i++;
    }
    if (j->i >= j->n)
        return false;
    size_t end = j->i++;
    if (!esc) {
        *s = j->p + start;
        *sn = end - start;
        return true;
    }
    buf_reset(tmp);
    for (size_t k = start; k < end; k++) {
        char c = j->p[k];
        if (c != '\\') {
            buf_putc(tmp, c);
            continue;
        }
        c = j->p[++k];
        switch (c) {
        case 'n': buf_putc(tmp, '\n'); break;
        case 't': buf_putc(tmp, '\t'); break;
        case 'r': buf_putc(tmp, '\r'); break;
        case 'b': buf_putc(tmp, '\b'); break;
        case 'f': buf_putc(tmp, '\f'); break;
        case 'u': {
            unsigned v = 0;
            if (k + 4 >= end)
                return false;
            for (int h = 1; h <= 4; h++) {
                int x = hexval(j->p[k + h]);
                if (x < 0)
                    return false;
                v = v * 16 + (unsigned)x;
            }
            k += 4;
            /* The writer only emits \u00XX (controls and raw invalid bytes): keep the
             * byte. Other code points are written as UTF-8. */
            if (v < 0x100) {
                buf_putc(tmp, (char)v);
            } else if (v < 0x800) {
                buf_putc(tmp, (char)(0xc0 | (v >> 6)));
                buf_putc(tmp, (char)(0x80 | (v & 0x3f)));
            } else {
                buf_putc(tmp, (char)(0xe0 | (v >> 12)));
                buf_putc(tmp, (char)(0x80 | ((v >> 6) & 0x3f)));
                buf_putc(tmp, (char)(0x80 | (v & 0x3f)));
            }
            break;
        }
        default: buf_putc(tmp, c); break;
        }
    }
    if (tmp->err)
        return false;
    *s = tmp->p ? tmp->p : "";
    *sn = tmp->len;
    return true;
}

struct fmatch {
    const char *pat;
    size_t pn;
    int mode;           /* enum store_match_mode, or -1 for a numeric range */
    double lo, hi;
    int flags;
};

static bool fmatch_value(const struct fmatch *m, const char *s, size_t n)
{
    if (m->mode < 0) {
        double v;
        return store_number(s, n, &v) && in_range(v, m->lo, m->hi, m->flags);
    }
    return store_match(s, n, m->pat, m->pn, (enum store_match_mode)m->mode);
}

/* True when any value of key `name` in the fields object matches m. */
static bool fields_match(const char *obj, size_t n, const char *name, size_t namelen,
                         const struct fmatch *m)
{
    struct jscan j = {obj, n, 0};
    struct buf tk, tv;
    buf_init(&tk, 1024);
    buf_init(&tv, 1 << 20);
    bool hit = false;
    js_ws(&j);
    if (j.i >= j.n || j.p[j.i] != '{')
        goto out;
    j.i++;
    for (;;) {
        js_ws(&j);
        if (j.i < j.n && j.p[j.i] == '}')
            break;
        const char *k, *v;
        size_t kn, vn;
        if (!js_string(&j, &tk, &k, &kn))
            break;
        js_ws(&j);
        if (j.i >= j.n || j.p[j.i] != ':')
            break;
        j.i++;
        js_ws(&j);
        bool want = kn == namelen && memcmp(k, name, kn) == 0;
        if (j.i < j.n && j.p[j.i] == '[') {
            j.i++;
            bool bad = false;
            for (;;) {
                js_ws(&j);
                if (j.i < j.n && j.p[j.i] == ']') {
                    j.i++;
                    break;
                }
                if (!js_string(&j, &tv, &v, &vn)) {
                    bad = true;
                    break;
                }
                if (want && fmatch_value(m, v, vn)) {
                    hit = true;
                    goto out;
                }
                js_ws(&j);
                if (j.i < j.n && j.p[j.i] == ',')
                    j.i++;
            }
            if (bad)
                break;
        } else {
            if (!js_string(&j, &tv, &v, &vn))
                break;
            if (want && fmatch_value(m, v, vn)) {
                hit = true;
                goto out;
            }
        }
        js_ws(&j);
        if (j.i < j.n && j.p[j.i] == ',')
            j.i++;
        else
            break;
    }
out:
    buf_fini(&tk);
    buf_fini(&tv);
    return hit;
}

/* ---- SQL functions ------------------------------------------------------------------ */

/* vmatch(value, pattern, mode): 1 when the value matches (NULL value: 0). */
static void sql_vmatch(sqlite3_context *c, int argc, sqlite3_value **v)
{
    (void)argc;
    const char *s = sqlite3_value_blob(v[0]);
    size_t n = (size_t)sqlite3_value_bytes(v[0]);
    const char *pat = (const char *)sqlite3_value_text(v[1]);
    size_t pn = (size_t)sqlite3_value_bytes(v[1]);
    int mode = sqlite3_value_int(v[2]);
    if (!s || !pat || mode < 0 || mode > STORE_MATCH_CONTAINS_GLOB) {
        sqlite3_result_int(c, 0);
        return;
    }
    sqlite3_result_int(c, store_match(s, n, pat, pn, (enum store_match_mode)mode));
}

/* vrange(value, lo, hi, flags): 1 when value is a number inside the range. */
static void sql_vrange(sqlite3_context *c, int argc, sqlite3_value **v)
{
    (void)argc;
    const char *s = sqlite3_value_blob(v[0]);
    size_t n = (size_t)sqlite3_value_bytes(v[0]);
    double x;
    if (!s || !store_number(s, n, &x)) {
        sqlite3_result_int(c, 0);
        return;
    }
    sqlite3_result_int(c, in_range(x, sqlite3_value_double(v[1]), sqlite3_value_double(v[2]),
                                   sqlite3_value_int(v[3])));
}

/* vfield(fields, name, pattern, mode): 1 when a value of field `name` matches. */
static void sql_vfield(sqlite3_context *c, int argc, sqlite3_value **v)
{
    (void)argc;
    const char *obj = sqlite3_value_blob(v[0]);
    const char *name = (const char *)sqlite3_value_text(v[1]);
    struct fmatch m = {0};
    m.pat = (const char *)sqlite3_value_text(v[2]);
    m.pn = (size_t)sqlite3_value_bytes(v[2]);
    m.mode = sqlite3_value_int(v[3]);
    if (!obj || !name || !m.pat || m.mode < 0 || m.mode > STORE_MATCH_CONTAINS_GLOB) {
        sqlite3_result_int(c, 0);
        return;
    }
    sqlite3_result_int(c, fields_match(obj, (size_t)sqlite3_value_bytes(v[0]), name,
                                       (size_t)sqlite3_value_bytes(v[1]), &m));
}

/* vfield_range(fields, name, lo, hi, flags). */
static void sql_vfield_range(sqlite3_context *c, int argc, sqlite3_value **v)
{
    (void)argc;
    const char *obj = sqlite3_value_blob(v[0]);
    const char *name = (const char *)sqlite3_value_text(v[1]);
    struct fmatch m = {.mode = -1};
    m.lo = sqlite3_value_double(v[2]);
    m.hi = sqlite3_value_double(v[3]);
    m.flags = sqlite3_value_int(v[4]);
    if (!obj || !name) {
        sqlite3_result_int(c, 0);
        return;
    }
    sqlite3_result_int(c, fields_match(obj, (size_t)sqlite3_value_bytes(v[0]), name,
                                       (size_t)sqlite3_value_bytes(v[1]), &m));
}

/* See store_int.h. */
int store_sql_functions(sqlite3 *db)
{
    int f = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    if (sqlite3_create_function(db, "vmatch", 3, f, NULL, sql_vmatch, NULL, NULL) ||
        sqlite3_create_function(db, "vrange", 4, f, NULL, sql_vrange, NULL, NULL) ||
        sqlite3_create_function(db, "vfield", 4, f, NULL, sql_vfield, NULL, NULL) ||
        sqlite3_create_function(db, "vfield_range", 5, f, NULL, sql_vfield_range, NULL, NULL))
        return ERR_DB;
    return 0;
}
