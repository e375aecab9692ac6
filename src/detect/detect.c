/*
 * detect.c — the rule set: the container the loader fills, each rule's routes (which
 * events it may see, from its logsource and the route table of event/routes.def), and
 * the reference matching loop over all rules.
 *
 * Routing is part of correctness (SIGMA.md): a rule only sees events of the routes its
 * logsource covers, so `not selection` rules and keyword rules for one product never
 * fire on another's events. A rule whose logsource no route covers yet is loaded but
 * sees nothing until a decoder brings that source.
 */
#include "detect/corr_int.h"

#include <string.h>

/* See detect_int.h. */
struct detect_rules *detect_rules_new(void)
{
    return mem_calloc(1, sizeof(struct detect_rules));
}

/* See detect.h. */
void detect_rules_free(struct detect_rules *rs)
{
    if (!rs)
        return;
    for (size_t i = 0; i < rs->n; i++)
        sigma_rule_fini(&rs->rules[i]);
    mem_free(rs->rules);
    mem_free(rs->routes);
    for (size_t i = 0; i < rs->ncorrs; i++)
        corr_fini(&rs->corrs[i]);
    mem_free(rs->corrs);
    if (rs->uses)
        for (size_t i = 0; i < rs->n; i++)
            mem_free(rs->uses[i]);
    mem_free(rs->uses);
    mem_free(rs->nuses);
    mem_free(rs->alerts);
    mem_free(rs);
}

/* See detect_int.h. */
route_set sigma_rule_routes(const struct sigma_rule *r)
{
    route_set set = 0;
    for (int i = 0; i < ROUTE_COUNT; i++) {
        const struct route *rt = &route_table[i];
        if ((r->product && strcmp(r->product, rt->product) != 0) ||
            (r->category && strcmp(r->category, rt->category) != 0) ||
            (r->service && strcmp(r->service, rt->service) != 0))
            continue;
        if (!r->product && !r->category && !r->service)
            continue; /* a rule without a logsource is refused before this */
        set |= ROUTE_BIT(i);
    }
    return set;
}

/* See detect_int.h. */
int detect_rules_add(struct detect_rules *rs, struct sigma_rule *r)
{
    if (rs->n == rs->cap) {
        size_t nc = rs->cap ? rs->cap * 2 : 256;
        struct sigma_rule *nr = mem_realloc(rs->rules, nc * sizeof *nr);
        if (!nr)
            return ERR_NOMEM;
        rs->rules = nr;
        route_set *nt = mem_realloc(rs->routes, nc * sizeof *nt);
        if (!nt)
            return ERR_NOMEM;
        rs->routes = nt;
        rs->cap = nc;
    }
    for (unsigned i = 0; i < r->nidents; i++)
        for (unsigned g = 0; g < r->idents[i].ngroups; g++)
            for (unsigned k = 0; k < r->idents[i].groups[g].npreds; k++) {
                struct sigma_pred *p = &r->idents[i].groups[g].preds[k];
                p->field_id = p->field ? field_lookup(p->field, strlen(p->field)) : FIELD_NONE;
                p->atoms_from = p->nvalues ? rs->natoms + 1 : 0;
                for (unsigned j = 0; j < p->nvalues; j++) {
                    struct sigma_value *v = &p->values[j];
                    if (sigma_value_prefilterable(v))
                        v->atom = ++rs->natoms;
                    else
                        p->atoms_from = 0;
                    if (v->kind == SIGMA_PRED_ATTACK)
                        r->attack = true;
                    if (v->kind == SIGMA_PRED_FIELDREF && v->ref)
                        v->ref_id = field_lookup(v->ref, strlen(v->ref));
                }
            }
    rs->routes[rs->n] = sigma_rule_routes(r);
    rs->rules[rs->n++] = *r;
    memset(r, 0, sizeof *r);
    return 0;
}

/* See detect.h. */
size_t detect_rules_count(const struct detect_rules *rs)
{
    return rs ? rs->n : 0;
}

/* See detect.h. */
void detect_rule_info(const struct detect_rules *rs, size_t i, struct detect_rule_info *out)
{
    const struct sigma_rule *r = &rs->rules[i];
    out->id = r->id;
    out->title = r->title;
    out->level = sigma_level_name(r->level);
    out->file = r->file;
    out->status = r->status;
    out->first_seen = (const char *const *)r->first_seen;
    out->nfirst_seen = r->nfirst_seen;
    out->tags = (const char *const *)r->tags;
    out->ntags = r->ntags;
}

/* See detect.h. */
int detect_match_all(const struct detect_rules *rs, const struct event *ev, detect_match_fn fn,
                     void *ctx)
{
    for (size_t i = 0; i < rs->n; i++) {
        if (!(rs->routes[i] & ev->routes))
            continue;
        if (sigma_rule_match(&rs->rules[i], ev) && fn && fn(ctx, i, ev))
            break;
    }
    return 0;
}
