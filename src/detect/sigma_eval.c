/*
 * sigma_eval.c — the reference evaluation of a Sigma rule against one event: every
 * predicate of every identifier the condition needs, field by field. The compiled
 * matcher (detect_match.c) runs the same code with the verdicts of its prefilter for
 * the values that scan decides (struct sigma_atoms), and must agree with it on every
 * event.
 *
 * Field lookup: a rule's field name matches an event field of that name (declared or
 * extra) and, through the event's route aliases, the field an alias points to. A field
 * may repeat; a value predicate holds when any occurrence satisfies it. Keywords search
 * the event's text and every field value (the values alone in a JSON event).
 */
#include "detect/detect_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Calls visit(ctx, value) for each value of the field called name; stops on true. id is
 * name's id in the field registry (FIELD_NONE when unknown: names are compared then). */
typedef bool (*visit_fn)(const void *ctx, struct slice v);

/* The same through an index of the event's fields: the fields carrying id, then those
 * its aliases point at. */
static bool each_indexed(const struct event *ev, const struct field_index *x, uint16_t id,
                         visit_fn visit, const void *ctx)
{
    if (x->stamp[id] != x->gen)
        return false;
    for (uint64_t m = x->own[id]; m; m &= m - 1)
        if (visit(ctx, ev->fields[__builtin_ctzll(m)].value))
            return true;
    for (uint64_t m = x->via[id]; m; m &= m - 1)
        if (visit(ctx, ev->fields[__builtin_ctzll(m)].value))
            return true;
    return false;
}

static bool each_value(const struct event *ev, const struct sigma_atoms *at, const char *name,
                       uint16_t id, visit_fn visit, const void *ctx)
{
    if (id == FIELD_NONE) {
        size_t nl = strlen(name);
        for (unsigned i = 0; i < ev->nfields; i++) {
            struct slice n = event_field_name(&ev->fields[i]);
            if (n.len == nl && memcmp(n.p, name, nl) == 0 && visit(ctx, ev->fields[i].value))
                return true;
        }
        for (const struct field_alias *a = ev->aliases; a && a->alias; a++) {
            const char *an = field_name(a->alias);
            if (!an || strcmp(an, name) != 0)
                continue;
            for (unsigned i = 0; i < ev->nfields; i++)
                if (ev->fields[i].id == a->target && visit(ctx, ev->fields[i].value))
                    return true;
        }
        return false;
    }
    if (at && at->index && id < FIELD_MAX_IDS)
        return each_indexed(ev, at->index, id, visit, ctx);
    /* a declared name: a field carries it by id (an extra by name, in case a decoder
     * added one under a declared name) */
    size_t nl = 0;
    for (unsigned i = 0; i < ev->nfields; i++) {
        const struct event_field *f = &ev->fields[i];
        if (f->id == FIELD_EXTRA && !nl)
            nl = strlen(name);
        if ((f->id == id ||
             (f->id == FIELD_EXTRA && f->name.len == nl && memcmp(f->name.p, name, nl) == 0)) &&
            visit(ctx, f->value))
            return true;
    }
    for (const struct field_alias *a = ev->aliases; a && a->alias; a++) {
        if (a->alias != id)
            continue;
        for (unsigned i = 0; i < ev->nfields; i++)
            if (ev->fields[i].id == a->target && visit(ctx, ev->fields[i].value))
                return true;
    }
    return false;
}

static void index_field(struct field_index *x, uint16_t id)
{
    if (x->stamp[id] != x->gen) {
        x->stamp[id] = x->gen;
        x->own[id] = x->via[id] = 0;
    }
}

/* See detect_int.h. */
void field_index_build(struct field_index *x, const struct event *ev)
{
    if (++x->gen == 0) { /* wrapped: forget every stamp */
        memset(x->stamp, 0, sizeof x->stamp);
        x->gen = 1;
    }
    _Static_assert(EVENT_MAX_FIELDS <= 64, "a field's bit in a 64-bit mask");
    for (unsigned i = 0; i < ev->nfields; i++) {
        uint16_t id = ev->fields[i].id;
        if (id == FIELD_EXTRA || id == FIELD_NONE || id >= FIELD_MAX_IDS)
            continue;
        index_field(x, id);
        x->own[id] |= 1ULL << i;
    }
    for (const struct field_alias *a = ev->aliases; a && a->alias; a++) {
        uint16_t to = a->target;
        if (a->alias >= FIELD_MAX_IDS || to >= FIELD_MAX_IDS || x->stamp[to] != x->gen)
            continue;
        index_field(x, a->alias);
        x->via[a->alias] |= x->own[to];
    }
}

static bool visit_true(const void *ctx, struct slice v)
{
    (void)ctx;
    (void)v;
    return true;
}

static bool visit_nonempty(const void *ctx, struct slice v)
{
    (void)ctx;
    return v.len > 0;
}

/* The part of a timestamp a time modifier asks for, as a decimal string. */
static bool time_part(enum sigma_time_part part, struct slice v, char *out, size_t outlen)
{
    int64_t ns;
    if (vtime_parse(v, 0, &ns) != 0)
        return false;
    int64_t secs = ns / NS_PER_SEC - (ns % NS_PER_SEC < 0);
    int64_t y;
    unsigned mo, d, h, mi, s;
    vtime_to_civil(secs, &y, &mo, &d, &h, &mi, &s);
    long long x;
    switch (part) {
    case SIGMA_TIME_MINUTE:
        x = mi;
        break;
    case SIGMA_TIME_HOUR:
        x = h;
        break;
    case SIGMA_TIME_DAY:
        x = d;
        break;
    case SIGMA_TIME_MONTH:
        x = mo;
        break;
    case SIGMA_TIME_YEAR:
        x = y;
        break;
    case SIGMA_TIME_WEEK: {
        /* ISO 8601 week number */
        int64_t days = secs / 86400 - (secs % 86400 < 0);
        int64_t wday = ((days % 7) + 7 + 3) % 7; /* Monday = 0; 1970-01-01 was a Thursday */
        int64_t thursday = days - wday + 3;
        int64_t ty;
        unsigned tmo, td, th, tmi, ts;
        vtime_to_civil(thursday * 86400, &ty, &tmo, &td, &th, &tmi, &ts);
        int64_t jan1 = vtime_days_from_civil(ty, 1, 1);
        x = (long long)((thursday - jan1) / 7 + 1);
        break;
    }
    default:
        return false;
    }
    snprintf(out, outlen, "%lld", x);
    return true;
}

static bool visit_value(const void *ctx, struct slice v)
{
    const struct sigma_value *sv = ctx;
    if (sv->time_part != SIGMA_TIME_NONE) {
        char part[32];
        return time_part(sv->time_part, v, part, sizeof part) &&
               sigma_value_match(sv, part, strlen(part));
    }
    return sigma_value_match(sv, v.p ? v.p : "", v.len);
}

struct ref_ctx {
    const struct event *ev;
    const struct sigma_atoms *at;
    const char *ref;
    uint16_t ref_id;
    struct slice mine;
};

static bool same_ci(struct slice a, struct slice b)
{
    return a.len == b.len && (a.len == 0 || strncasecmp(a.p, b.p, a.len) == 0);
}

static bool visit_ref_other(const void *ctx, struct slice v)
{
    const struct ref_ctx *rc = ctx;
    return same_ci(rc->mine, v);
}

static bool visit_ref(const void *ctx, struct slice v)
{
    struct ref_ctx rc = *(const struct ref_ctx *)ctx;
    rc.mine = v;
    return each_value(rc.ev, rc.at, rc.ref, rc.ref_id, visit_ref_other, &rc);
}

static bool value_holds(const struct sigma_pred *p, const struct sigma_value *v,
                        const struct event *ev, const struct sigma_atoms *at)
{
    if (at && v->atom && at->scanned[v->atom])
        return at->stamp[v->atom] == at->gen;
    switch (v->kind) {
    case SIGMA_PRED_EXISTS:
        return each_value(ev, at, p->field, p->field_id, visit_true, NULL) == v->exists;
    case SIGMA_PRED_NULL:
        return !each_value(ev, at, p->field, p->field_id, visit_nonempty, NULL);
    case SIGMA_PRED_FIELDREF: {
        struct ref_ctx rc = {ev, at, v->ref, v->ref_id, SLICE_NULL};
        return each_value(ev, at, p->field, p->field_id, visit_ref, &rc);
    }
    default:
        return each_value(ev, at, p->field, p->field_id, visit_value, v);
    }
}

/* A keyword: in the event's text (unless keywords_in_values_only), or in a field value. */
static bool keyword_holds(const struct sigma_value *v, const struct event *ev,
                          const struct sigma_atoms *at)
{
    if (at && v->atom && at->scanned[v->atom])
        return at->stamp[v->atom] == at->gen;
    struct slice t = ev->text.p ? ev->text : ev->raw;
    if (!keywords_in_values_only(ev) && sigma_value_match(v, t.p ? t.p : "", t.len))
        return true;
    for (unsigned i = 0; i < ev->nfields; i++) {
        struct slice fv = ev->fields[i].value;
        if (sigma_value_match(v, fv.p ? fv.p : "", fv.len))
            return true;
    }
    return false;
}

/* The values of a field, gathered once for a predicate's list of values. */
#define GATHER_MAX 8

struct gathered {
    struct slice v[GATHER_MAX];
    int n; /* -1: more than GATHER_MAX (each value then looks the field up itself) */
};

static bool visit_gather(const void *ctx, struct slice v)
{
    struct gathered *g = (struct gathered *)ctx;
    if (g->n == GATHER_MAX) {
        g->n = -1;
        return true; /* stop */
    }
    g->v[g->n++] = v;
    return false;
}

/* Value v of field predicate p, compared with the field's gathered values when that
 * gives the same answer as value_holds (a plain comparison), else by value_holds. */
static bool gathered_holds(const struct sigma_pred *p, const struct sigma_value *v,
                           const struct event *ev, const struct sigma_atoms *at, struct gathered *g)
{
    if ((at && v->atom && at->scanned[v->atom]) || v->kind == SIGMA_PRED_EXISTS ||
        v->kind == SIGMA_PRED_NULL || v->kind == SIGMA_PRED_FIELDREF)
        return value_holds(p, v, ev, at);
    if (g->n == -2) {
        g->n = 0;
        each_value(ev, at, p->field, p->field_id, visit_gather, g);
    }
    if (g->n < 0)
        return value_holds(p, v, ev, at);
    for (int j = 0; j < g->n; j++)
        if (visit_value(v, g->v[j]))
            return true;
    return false;
}

/*
 * Predicate p from the stamps of its atoms alone, when they tell (every value has an
 * atom, numbered in a row): 1 or 0 before `neq`; -1 when the verdict needs a value the
 * scan did not decide. A run of stamps is read, not the values (a list of fifty paths
 * is fifty values, each on its own cache line).
 */
static int pred_from_stamps(const struct sigma_pred *p, const struct sigma_atoms *at)
{
    bool unknown = false;
    for (uint32_t a = p->atoms_from, e = a + p->nvalues; a < e; a++) {
        if (!at->scanned[a])
            unknown = true;
        else if ((at->stamp[a] == at->gen) != p->all)
            return !p->all; /* one held (any), or one did not (all): decided */
    }
    return unknown ? -1 : p->all;
}

static bool pred_holds(const struct sigma_pred *p, const struct event *ev,
                       const struct sigma_atoms *at)
{
    if (at && p->atoms_from) {
        int r = pred_from_stamps(p, at);
        if (r >= 0)
            return p->neq ? !r : r;
    }
    bool any = false, all = true;
    struct gathered g;
    g.n = -2; /* not gathered yet (the values are left unset: filled when gathered) */
    for (unsigned i = 0; i < p->nvalues; i++) {
        const struct sigma_value *v = &p->values[i];
        bool h = p->field ? gathered_holds(p, v, ev, at, &g) : keyword_holds(v, ev, at);
        any |= h;
        all &= h;
        if (p->all ? !all : any)
            break;
    }
    bool r = p->all ? all && p->nvalues > 0 : any;
    return p->neq ? !r : r;
}

static bool ident_holds(const struct sigma_ident *id, const struct event *ev,
                        const struct sigma_atoms *at)
{
    for (unsigned g = 0; g < id->ngroups; g++) {
        bool ok = true;
        for (unsigned i = 0; i < id->groups[g].npreds && ok; i++)
            ok = pred_holds(&id->groups[g].preds[i], ev, at);
        if (ok)
            return true;
    }
    return false;
}

static bool cond_holds(const struct sigma_rule *r, const struct sigma_cond *c,
                       const struct event *ev, const struct sigma_atoms *at)
{
    switch (c->kind) {
    case SIGMA_COND_ID:
        return c->nids == 1 && c->ids[0] < r->nidents && ident_holds(&r->idents[c->ids[0]], ev, at);
    case SIGMA_COND_AND:
        return cond_holds(r, c->left, ev, at) && cond_holds(r, c->right, ev, at);
    case SIGMA_COND_OR:
        return cond_holds(r, c->left, ev, at) || cond_holds(r, c->right, ev, at);
    case SIGMA_COND_NOT:
        return !cond_holds(r, c->left, ev, at);
    case SIGMA_COND_ONE_OF:
        for (unsigned i = 0; i < c->nids; i++)
            if (c->ids[i] < r->nidents && ident_holds(&r->idents[c->ids[i]], ev, at))
                return true;
        return false;
    case SIGMA_COND_ALL_OF:
        for (unsigned i = 0; i < c->nids; i++)
            if (c->ids[i] >= r->nidents || !ident_holds(&r->idents[c->ids[i]], ev, at))
                return false;
        return c->nids > 0;
    }
    return false;
}

/* See detect_int.h. */
bool sigma_rule_eval(const struct sigma_rule *r, const struct event *ev,
                     const struct sigma_atoms *at)
{
    return r->cond && cond_holds(r, r->cond, ev, at);
}

/* See detect_int.h. */
bool sigma_rule_match(const struct sigma_rule *r, const struct event *ev)
{
    return sigma_rule_eval(r, ev, NULL);
}
