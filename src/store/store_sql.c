/*
 * store_sql.c — compiles a query tree (from query_parse.c or the console) into the
 * SQLite backend's SQL: one predicate over the events table whose values are all bound
 * parameters, and, when a top-level conjunct allows it, an FTS5 expression over the
 * trigram index that narrows the candidates before the predicate verifies them.
 *
 * Field names resolve through the field registry (event.h): the promoted common fields
 * are columns (several with an index), every other name is looked up in the stored
 * fields object by vfield(). Text comparisons are ASCII case-insensitive; a value with
 * * or ? is a whole-value pattern; a field-less term matches anywhere in the raw text.
 */
#include "store/store_int.h"

#include <string.h>

#define SQL_MAX_TRIGRAMS 24 /* more add cost to the prefilter without selecting better */

struct promoted {
    uint16_t field;
    const char *column;
    bool indexed;
};

static const struct promoted promoted_cols[] = {
    {FIELD_src_ip, "src_ip", true},    {FIELD_dst_ip, "dst_ip", true},
    {FIELD_src_port, "src_port", false}, {FIELD_dst_port, "dst_port", false},
    {FIELD_user, "user", true},        {FIELD_action, "action", false},
    {FIELD_outcome, "outcome", false}, {FIELD_program, "program", false},
    {FIELD_host, "host", true},
};

/* The column for field `name`, or NULL when the name lives in the fields object. */
static const struct promoted *column_of(const char *name)
{
    static const struct promoted decoder = {FIELD_NONE, "decoder", false};
    if (!strcmp(name, "decoder"))
        return &decoder;
    uint16_t id = field_lookup(name, strlen(name));
    if (id == FIELD_NONE)
        return NULL;
    for (size_t i = 0; i < sizeof promoted_cols / sizeof promoted_cols[0]; i++)
        if (promoted_cols[i].field == id)
            return &promoted_cols[i];
    return NULL;
}

/* The stored name of a non-promoted field: the registry's spelling, else as given. */
static const char *stored_name(const char *name)
{
    uint16_t id = field_lookup(name, strlen(name));
    const char *n = id != FIELD_NONE ? field_name(id) : NULL;
    return n ? n : name;
}

static int add_param(struct store_sql *q, struct store_param p, unsigned *idx)
{
    if (q->nparams == q->cap) {
        unsigned nc = q->cap ? q->cap * 2 : 16;
        struct store_param *np = mem_realloc(q->params, nc * sizeof *np);
        if (!np) {
            mem_free(p.s);
            return ERR_NOMEM;
        }
        q->params = np;
        q->cap = nc;
    }
    q->params[q->nparams++] = p;
    *idx = q->nparams;
    return 0;
}

static int add_text(struct store_sql *q, const char *s, size_t n, unsigned *idx)
{
    struct store_param p = {.kind = STORE_PARAM_TEXT, .s = mem_strndup(s, n)};
    if (!p.s)
        return ERR_NOMEM;
    return add_param(q, p, idx);
}

static int add_real(struct store_sql *q, double d, unsigned *idx)
{
    struct store_param p = {.kind = STORE_PARAM_REAL, .d = d};
    return add_param(q, p, idx);
}

/* Converts a * ? pattern (backslash-escaped) into a LIKE pattern with escape '\'. */
static void like_pattern(const char *v, struct buf *b)
{
    buf_reset(b);
    for (size_t i = 0; v[i]; i++) {
        char c = v[i];
        if (c == '\\' && v[i + 1]) {
            c = v[++i];
            if (c == '%' || c == '_' || c == '\\')
                buf_putc(b, '\\');
            buf_putc(b, c);
        } else if (c == '*') {
            buf_putc(b, '%');
        } else if (c == '?') {
            buf_putc(b, '_');
        } else {
            if (c == '%' || c == '_')
                buf_putc(b, '\\');
            buf_putc(b, c);
        }
    }
}

static int compile(const struct query_node *n, bool top, struct store_sql *q, struct buf *tmp);

static int compile_term(const struct query_node *n, bool top, struct store_sql *q,
                        struct buf *tmp)
{
    struct buf *w = &q->where;
    unsigned a, b;
    int rc;
    const char *v = n->value ? n->value : "";
    if (!n->field) {
        rc = add_text(q, v, strlen(v), &a);
        if (rc)
            return rc;
        buf_printf(w, "vmatch(coalesce(e.text, e.raw), ?%u, %d)", a,
                   n->wildcard ? STORE_MATCH_CONTAINS_GLOB : STORE_MATCH_CONTAINS);
        return 0;
    }
    const struct promoted *col = column_of(n->field);
    if (col) {
        if (!n->wildcard) {
            rc = add_text(q, v, strlen(v), &a);
            if (rc)
                return rc;
            buf_printf(w, "e.%s = ?%u", col->column, a);
            if (top && col->indexed)
                q->index_term = true;
        } else {
            like_pattern(v, tmp);
            if (tmp->err)
                return tmp->err;
            rc = add_text(q, tmp->p ? tmp->p : "", tmp->len, &a);
            if (rc)
                return rc;
            buf_printf(w, "e.%s LIKE ?%u ESCAPE '\\'", col->column, a);
            if (top && col->indexed && v[0] != '*' && v[0] != '?')
                q->index_term = true;
        }
        return 0;
    }
    const char *name = stored_name(n->field);
    rc = add_text(q, name, strlen(name), &a);
    if (rc == 0)
        rc = add_text(q, v, strlen(v), &b);
    if (rc)
        return rc;
    buf_printf(w, "vfield(e.fields, ?%u, ?%u, %d)", a, b,
               n->wildcard ? STORE_MATCH_GLOB : STORE_MATCH_EQUAL);
    return 0;
}

static int compile_range(const struct query_node *n, struct store_sql *q)
{
    unsigned lo, hi, nm;
    int flags = (n->lo_incl ? 1 : 0) | (n->hi_incl ? 2 : 0);
    int rc = add_real(q, n->lo, &lo);
    if (rc == 0)
        rc = add_real(q, n->hi, &hi);
    if (rc)
        return rc;
    const struct promoted *col = n->field ? column_of(n->field) : NULL;
    if (col) {
        buf_printf(&q->where, "vrange(e.%s, ?%u, ?%u, %d)", col->column, lo, hi, flags);
        return 0;
    }
    const char *name = stored_name(n->field ? n->field : "");
    rc = add_text(q, name, strlen(name), &nm);
    if (rc)
        return rc;
    buf_printf(&q->where, "vfield_range(e.fields, ?%u, ?%u, ?%u, %d)", nm, lo, hi, flags);
    return 0;
}

static int compile(const struct query_node *n, bool top, struct store_sql *q, struct buf *tmp)
{
    struct buf *w = &q->where;
    int rc = 0;
    switch (n->kind) {
    case QUERY_ALL:
        buf_puts(w, "1");
        break;
    case QUERY_AND:
    case QUERY_OR:
        if (!n->left || !n->right)
            return ERR_INVAL;
        buf_putc(w, '(');
        rc = compile(n->left, top && n->kind == QUERY_AND, q, tmp);
        if (rc)
            return rc;
        buf_puts(w, n->kind == QUERY_AND ? " AND " : " OR ");
        rc = compile(n->right, top && n->kind == QUERY_AND, q, tmp);
        buf_putc(w, ')');
        break;
    case QUERY_NOT:
        if (!n->left)
            return ERR_INVAL;
        /* a missing column is NULL: NOT must still hold for it */
        buf_puts(w, "(NOT ifnull(");
        rc = compile(n->left, false, q, tmp);
        buf_puts(w, ", 0))");
        break;
    case QUERY_TERM:
        rc = compile_term(n, top, q, tmp);
        break;
    case QUERY_RANGE:
        rc = compile_range(n, q);
        break;
    default:
        return ERR_INVAL;
    }
    if (rc)
        return rc;
    return w->err;
}

/* ---- the trigram prefilter ---------------------------------------------------------- */

/* Byte length of the UTF-8 character at s (0 when invalid). */
static size_t u8char(const unsigned char *s, size_t n)
{
    size_t l = s[0] < 0x80 ? 1 : s[0] < 0xc2 ? 0 : s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3
               : s[0] < 0xf5 ? 4 : 0;
    if (l == 0 || l > n)
        return 0;
    for (size_t i = 1; i < l; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return l;
}

/*
 * Appends to fts the trigrams of one literal segment: those starting at characters
 * 0, 3, 6, ... and the last one, each a quoted FTS5 string, joined by AND. Returns the
 * number added (0 when the segment is shorter than 3 characters or not UTF-8).
 */
static unsigned segment_trigrams(const char *seg, size_t n, struct buf *fts, unsigned budget)
{
    size_t offs[SQL_MAX_TRIGRAMS * 3 + 4];
    size_t count = 0, i = 0;
    /* character offsets; only as many as the trigram budget can use, plus the tail */
    while (i < n && count < sizeof offs / sizeof offs[0] - 1) {
        size_t l = u8char((const unsigned char *)seg + i, n - i);
        if (!l)
            return 0;
        offs[count++] = i;
        i += l;
    }
    if (i < n) {
        /* long segment: keep the leading characters only */
        n = i;
    }
    offs[count] = n;
    if (count < 3)
        return 0;
    unsigned added = 0;
    size_t last = count - 3;
    for (size_t k = 0; added < budget; k += 3) {
        if (k > last)
            k = last;
        if (fts->len)
            buf_puts(fts, " AND ");
        buf_putc(fts, '"');
        for (size_t c = offs[k]; c < offs[k + 3]; c++) {
            if (seg[c] == '"')
                buf_putc(fts, '"');
            buf_putc(fts, seg[c]);
        }
        buf_putc(fts, '"');
        added++;
        if (k == last)
            break;
    }
    return added;
}

/* Builds the FTS expression for term n into fts; returns the trigram count. */
static unsigned term_trigrams(const struct query_node *n, struct buf *fts, struct buf *seg)
{
    const char *v = n->value ? n->value : "";
    unsigned total = 0;
    buf_reset(fts);
    buf_reset(seg);
    for (size_t i = 0;; i++) {
        char c = v[i];
        bool end = c == '\0';
        if (!end && n->wildcard && c == '\\' && v[i + 1]) {
            buf_putc(seg, v[++i]);
            continue;
        }
        if (end || (n->wildcard && (c == '*' || c == '?'))) {
            if (seg->len && total < SQL_MAX_TRIGRAMS)
                total += segment_trigrams(seg->p, seg->len, fts, SQL_MAX_TRIGRAMS - total);
            buf_reset(seg);
            if (end)
                break;
            continue;
        }
        buf_putc(seg, c);
    }
    if (fts->err || seg->err)
        return 0;
    return total;
}

/* Picks the top-level conjunct with the most trigrams as the prefilter's driver. */
static void choose_driver(const struct query_node *n, struct store_sql *q, struct buf *fts,
                          struct buf *seg, unsigned *best)
{
    if (n->kind == QUERY_AND) {
        choose_driver(n->left, q, fts, seg, best);
        choose_driver(n->right, q, fts, seg, best);
        return;
    }
    if (n->kind != QUERY_TERM || (n->field && column_of(n->field)))
        return;
    unsigned t = term_trigrams(n, fts, seg);
    if (t > *best) {
        *best = t;
        buf_reset(&q->fts);
        buf_append(&q->fts, fts->p, fts->len);
    }
}

/* See store_int.h. */
int store_sql_compile(const struct query_node *root, struct store_sql *out)
{
    memset(out, 0, sizeof *out);
    buf_init(&out->where, 1 << 20);
    buf_init(&out->fts, 1 << 16);
    if (!root)
        return ERR_INVAL;
    struct buf tmp, fts, seg;
    buf_init(&tmp, 1 << 16);
    buf_init(&fts, 1 << 16);
    buf_init(&seg, 1 << 16);
    int rc = compile(root, true, out, &tmp);
    if (rc == 0) {
        unsigned best = 0;
        choose_driver(root, out, &fts, &seg, &best);
        rc = out->fts.err;
        if (rc == 0 && !buf_cstr(&out->where))
            rc = ERR_NOMEM;
        if (rc == 0 && out->fts.len && !buf_cstr(&out->fts))
            rc = ERR_NOMEM;
    }
    buf_fini(&tmp);
    buf_fini(&fts);
    buf_fini(&seg);
    if (rc)
        store_sql_fini(out);
    return rc;
}

/* See store_int.h. */
void store_sql_fini(struct store_sql *q)
{
    for (unsigned i = 0; i < q->nparams; i++)
        mem_free(q->params[i].s);
    mem_free(q->params);
    buf_fini(&q->where);
    buf_fini(&q->fts);
    memset(q, 0, sizeof *q);
}

/* See store_int.h. */
int store_sql_bind(const struct store_sql *q, sqlite3_stmt *stmt)
{
    for (unsigned i = 0; i < q->nparams; i++) {
        const struct store_param *p = &q->params[i];
        int rc;
        if (p->kind == STORE_PARAM_TEXT)
            rc = sqlite3_bind_text(stmt, (int)i + 1, p->s, -1, SQLITE_STATIC);
        else if (p->kind == STORE_PARAM_REAL)
            rc = sqlite3_bind_double(stmt, (int)i + 1, p->d);
        else
            rc = sqlite3_bind_int64(stmt, (int)i + 1, p->i);
        if (rc != SQLITE_OK)
            return ERR_DB;
    }
    return 0;
}
