/*
 * store_prefilter.c — compiles a query tree into the FTS5 expression that selects the
 * candidate blocks of a day file (the terms are those of store_terms.c).
 *
 * The expression is necessary, not sufficient: every block holding a matching event
 * satisfies it, and each event of a candidate block is then verified exactly
 * (store_filter.c). So a part of the tree that terms cannot express (NOT, numeric
 * ranges, values shorter than a trigram) becomes "no constraint", which an AND drops
 * and which makes an OR unconstrained. The values go into the expression as FTS5
 * strings (double quotes doubled); the expression itself is bound as a parameter.
 */
#include "store/store_int.h"

#include <string.h>

#define MAX_TRIGRAMS_PER_TERM 16 /* more add cost without selecting better */
#define MAX_EXPR_TERMS 512       /* an AND beyond this drops its extra conjuncts */

struct pf {
    struct buf *out;
    unsigned terms;
};

static void put_token(struct pf *pf, const char *tok, size_t n)
{
    if (pf->out->len && pf->out->p[pf->out->len - 1] != '(')
        buf_puts(pf->out, " AND ");
    buf_putc(pf->out, '"');
    for (size_t i = 0; i < n; i++) {
        if (tok[i] == '"')
            buf_putc(pf->out, '"');
        buf_putc(pf->out, tok[i]);
    }
    buf_putc(pf->out, '"');
    pf->terms++;
}

/* Trigrams of one literal segment: those at 0, 3, 6, ... and the last one. */
static unsigned segment(struct pf *pf, const char *seg, size_t n, unsigned budget)
{
    if (n < 3)
        return 0;
    unsigned added = 0;
    for (size_t k = 0; added < budget; k += 3) {
        if (k > n - 3)
            k = n - 3;
        char tri[3];
        for (int j = 0; j < 3; j++)
            tri[j] = (char)store_term_norm((unsigned char)seg[k + (size_t)j]);
        put_token(pf, tri, 3);
        added++;
        if (k == n - 3)
            break;
    }
    return added;
}

/* The trigrams of a value's literal parts (split at unescaped * and ? when wild). */
static unsigned value_trigrams(struct pf *pf, const char *v, bool wild, struct buf *seg)
{
    unsigned total = 0;
    buf_reset(seg);
    for (size_t i = 0;; i++) {
        char c = v[i];
        if (c && wild && c == '\\' && v[i + 1]) {
            buf_putc(seg, v[++i]);
            continue;
        }
        if (!c || (wild && (c == '*' || c == '?'))) {
            if (seg->len && total < MAX_TRIGRAMS_PER_TERM && !seg->err)
                total += segment(pf, seg->p, seg->len, MAX_TRIGRAMS_PER_TERM - total);
            buf_reset(seg);
            if (!c)
                break;
            continue;
        }
        buf_putc(seg, c);
    }
    return total;
}

static bool term(struct pf *pf, const struct query_node *n, struct buf *seg)
{
    const char *v = n->value ? n->value : "";
    if (n->field && !n->wildcard) {
        const char *name = store_filter_field_name(n->field);
        size_t nl = strlen(name), vl = strlen(v);
        if (nl + 1 + vl <= STORE_TERM_FIELD_MAX) {
            char tok[STORE_TERM_FIELD_MAX];
            size_t tn = store_term_field(slice_make(name, nl), slice_make(v, vl), tok);
            put_token(pf, tok, tn);
            return true;
        }
    }
    return value_trigrams(pf, v, n->wildcard, seg) > 0;
}

/* Appends n's expression; false (and nothing appended) when it has no constraint. */
static bool node(struct pf *pf, const struct query_node *n, struct buf *seg)
{
    size_t mark = pf->out->len;
    switch (n->kind) {
    case QUERY_TERM:
        return term(pf, n, seg);
    case QUERY_AND: {
        if (pf->out->len && pf->out->p[pf->out->len - 1] != '(')
            buf_puts(pf->out, " AND ");
        buf_putc(pf->out, '(');
        bool l = node(pf, n->left, seg);
        bool r = pf->terms < MAX_EXPR_TERMS && node(pf, n->right, seg);
        if (!l && !r) {
            pf->out->len = mark;
            return false;
        }
        buf_putc(pf->out, ')');
        return true;
    }
    case QUERY_OR: {
        if (pf->out->len && pf->out->p[pf->out->len - 1] != '(')
            buf_puts(pf->out, " AND ");
        buf_puts(pf->out, "((");
        bool l = node(pf, n->left, seg);
        buf_puts(pf->out, ") OR (");
        bool r = l && node(pf, n->right, seg);
        if (!l || !r) {
            pf->out->len = mark;
            return false;
        }
        buf_puts(pf->out, "))");
        return true;
    }
    default: /* ALL, NOT, RANGE */
        return false;
    }
}

/* See store_int.h. */
int store_prefilter(const struct query_node *root, struct buf *out)
{
    buf_reset(out);
    struct buf seg;
    buf_init(&seg, 1 << 20);
    struct pf pf = {out, 0};
    if (root && !node(&pf, root, &seg))
        buf_reset(out);
    int rc = out->err ? out->err : seg.err;
    buf_fini(&seg);
    if (rc)
        buf_reset(out);
    if (out->len && !buf_cstr(out))
        return ERR_NOMEM;
    return out->err;
}
