/*
 * store_filter.c — exact evaluation of a query tree against one stored record: the
 * decision behind every search result (the block prefilter only narrows candidates).
 *
 * Semantics, as the search language documents them: a field-less term matches
 * anywhere in the record's text (the UTF-8 form, else the raw bytes); `field:value`
 * matches when any value of that field equals the value (ASCII case-insensitive) or
 * matches its * ? pattern (an alias of the event's routes, such as src_ip for a web
 * server's c-ip, reads its target field); `decoder:` compares the decoder's name; a numeric range
 * holds when any value of the field is a number inside it; NOT holds for a record
 * without the field.
 *
 * The tree is compiled once per query into a flat array with field names resolved
 * (the registry's spelling), so that evaluating a record does no lookups.
 */
#include "store/store_int.h"

#include <string.h>

/* See store_int.h. */
const char *store_filter_field_name(const char *name)
{
    uint16_t id = field_lookup(name, strlen(name));
    const char *n = id != FIELD_NONE ? field_name(id) : NULL;
    return n ? n : name;
}

static int add(struct store_filter *f, const struct query_node *n, int *out)
{
    if (f->n == f->cap) {
        unsigned nc = f->cap ? f->cap * 2 : 16;
        struct store_pred *np = mem_realloc(f->preds, nc * sizeof *np);
        if (!np)
            return ERR_NOMEM;
        f->preds = np;
        f->cap = nc;
    }
    int idx = (int)f->n++;
    struct store_pred *p = &f->preds[idx];
    memset(p, 0, sizeof *p);
    p->kind = n->kind;
    p->left = p->right = -1;
    int rc = 0;
    switch (n->kind) {
    case QUERY_AND:
    case QUERY_OR:
        if (!n->left || !n->right)
            return ERR_INVAL;
        rc = add(f, n->left, &f->preds[idx].left);
        if (rc == 0)
            rc = add(f, n->right, &f->preds[idx].right);
        break;
    case QUERY_NOT:
        if (!n->left)
            return ERR_INVAL;
        rc = add(f, n->left, &f->preds[idx].left);
        break;
    case QUERY_TERM:
        p->pat = n->value ? n->value : "";
        p->pn = strlen(p->pat);
        if (!n->field) {
            p->mode = n->wildcard ? STORE_MATCH_CONTAINS_GLOB : STORE_MATCH_CONTAINS;
        } else {
            p->mode = n->wildcard ? STORE_MATCH_GLOB : STORE_MATCH_EQUAL;
            p->decoder = !strcmp(n->field, "decoder");
            p->name = store_filter_field_name(n->field);
            p->namelen = strlen(p->name);
        }
        break;
    case QUERY_RANGE:
        p->mode = -1;
        p->name = n->field ? store_filter_field_name(n->field) : NULL;
        p->namelen = p->name ? strlen(p->name) : 0;
        p->lo = n->lo;
        p->hi = n->hi;
        p->lo_incl = n->lo_incl;
        p->hi_incl = n->hi_incl;
        break;
    case QUERY_ALL:
        break;
    default:
        return ERR_INVAL;
    }
    *out = idx;
    return rc;
}

/* See store_int.h. */
int store_filter_compile(const struct query_node *root, struct store_filter *f)
{
    memset(f, 0, sizeof *f);
    if (!root)
        return ERR_INVAL;
    int rc = add(f, root, &f->root);
    if (rc)
        store_filter_fini(f);
    return rc;
}

/* See store_int.h. */
void store_filter_fini(struct store_filter *f)
{
    mem_free(f->preds);
    memset(f, 0, sizeof *f);
}

static bool value_ok(const struct store_pred *p, struct slice v)
{
    if (p->mode < 0) {
        double x;
        if (!store_number(v.p, v.len, &x))
            return false;
        bool lo = p->lo_incl ? x >= p->lo : x > p->lo;
        bool hi = p->hi_incl ? x <= p->hi : x < p->hi;
        return lo && hi;
    }
    return store_match(v.p ? v.p : "", v.len, p->pat, p->pn, (enum store_match_mode)p->mode);
}

/* True when a value of the fields called name satisfies p. */
static bool any_value(const struct store_pred *p, const struct store_rec *r, struct slice name)
{
    for (unsigned k = 0; k < r->nfields; k++)
        if (slice_eqs(r->names[k], name) && value_ok(p, r->values[k]))
            return true;
    return false;
}

static bool eval(const struct store_filter *f, int i, const struct store_rec *r)
{
    const struct store_pred *p = &f->preds[i];
    switch (p->kind) {
    case QUERY_ALL:
        return true;
    case QUERY_AND:
        return eval(f, p->left, r) && eval(f, p->right, r);
    case QUERY_OR:
        return eval(f, p->left, r) || eval(f, p->right, r);
    case QUERY_NOT:
        return !eval(f, p->left, r);
    case QUERY_TERM:
    case QUERY_RANGE:
        break;
    default:
        return false;
    }
    if (!p->name) {
        if (p->kind == QUERY_RANGE)
            return false;
        struct slice t = r->text;
        return store_match(t.p ? t.p : "", t.len, p->pat, p->pn, (enum store_match_mode)p->mode);
    }
    if (p->decoder)
        return value_ok(p, r->decoder);
    struct slice name = {p->name, p->namelen};
    if (any_value(p, r, name))
        return true;
    for (unsigned a = 0; a < r->naliases; a++)
        if (slice_eqs(r->aliases[a], name) && any_value(p, r, r->targets[a]))
            return true;
    return false;
}

/* See store_int.h. */
bool store_filter_eval(const struct store_filter *f, const struct store_rec *r)
{
    return f->n && eval(f, f->root, r);
}
