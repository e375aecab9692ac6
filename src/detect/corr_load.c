/*
 * corr_load.c — Sigma correlation documents (SIGMA.md "Correlation") into the IR of
 * corr_int.h, and, once every file is loaded, their references resolved: rule ids or
 * names, other correlations (chaining), aliases of group-by fields per rule.
 *
 * Refused, with the reason: value_sum / value_avg / value_percentile (not supported
 * yet), a timespan that is not N followed by s, m, h, d or w, a condition that is not
 * a map of gt/gte/lt/lte/eq/neq with non-negative integers (or a count bound above
 * CORR_MAX_THRESHOLD), a temporal_ordered condition other than "all rules", more than
 * CORR_MAX_GROUP_BY group-by fields or CORR_MAX_RULES rules, a reference to no loaded
 * rule, a cycle, and an outer correlation grouping by a field its inner one does not.
 */
#include "detect/corr_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define CORR_MAX_TIMESPAN_NS (90LL * 86400 * 1000000000LL)
#define CORR_MAX_DEPTH 8

static const char *const type_names[] = {"event_count", "value_count", "temporal",
                                         "temporal_ordered"};

/* See corr_int.h. */
const char *corr_type_name(enum corr_type t)
{
    return (unsigned)t < 4 ? type_names[t] : "?";
}

static const char *scalar(const struct cfg_node *m, const char *key)
{
    const struct cfg_node *n = cfg_get(m, key);
    return n && n->kind == CFG_SCALAR ? n->text : NULL;
}

/* See corr_int.h. */
void corr_fini(struct sigma_corr *c)
{
    sigma_rule_fini(&c->meta);
    for (unsigned i = 0; i < c->ngroup_by; i++)
        mem_free(c->group_by[i]);
    mem_free(c->value_field);
    for (unsigned i = 0; i < c->naliases; i++) {
        mem_free(c->aliases[i].alias);
        mem_free(c->aliases[i].rule);
        mem_free(c->aliases[i].field);
    }
    mem_free(c->aliases);
    for (unsigned i = 0; i < c->nrefs; i++) {
        mem_free(c->refs[i].name);
        for (unsigned k = 0; k <= CORR_MAX_GROUP_BY; k++)
            mem_free(c->refs[i].fields[k]);
    }
    mem_free(c->refs);
    mem_free(c->chained_to);
    memset(c, 0, sizeof *c);
}

/* ---- parsing ----------------------------------------------------------------------- */

static int parse_timespan(const char *s, int64_t *out)
{
    char *end;
    if (!s || *s < '0' || *s > '9')
        return ERR_PARSE;
    unsigned long long n = strtoull(s, &end, 10);
    int64_t unit;
    switch (*end) {
    case 's':
        unit = 1;
        break;
    case 'm':
        unit = 60;
        break;
    case 'h':
        unit = 3600;
        break;
    case 'd':
        unit = 86400;
        break;
    case 'w':
        unit = 7 * 86400;
        break;
    default:
        return ERR_PARSE;
    }
    if (end[1] != '\0' || n == 0 || n > (unsigned long long)(CORR_MAX_TIMESPAN_NS / 1000000000LL))
        return ERR_PARSE;
    int64_t ns = (int64_t)n * unit * 1000000000LL;
    if (ns > CORR_MAX_TIMESPAN_NS)
        return ERR_PARSE;
    *out = ns;
    return 0;
}

static int parse_count(const struct cfg_node *n, uint64_t *out)
{
    if (n->kind != CFG_SCALAR || !n->text[0])
        return ERR_PARSE;
    for (const char *p = n->text; *p; p++)
        if (*p < '0' || *p > '9')
            return ERR_PARSE;
    if (strlen(n->text) > 12)
        return ERR_PARSE;
    *out = strtoull(n->text, NULL, 10);
    return 0;
}

static int parse_condition(const struct cfg_node *m, struct corr_cond *c, char *err, size_t errlen)
{
    c->lo = 1;
    c->hi = UINT64_MAX;
    if (m->kind != CFG_MAP || !m->children) {
        snprintf(err, errlen, "line %u: condition must be a map of gt, gte, lt, lte, eq, neq",
                 m->line);
        return ERR_PARSE;
    }
    for (const struct cfg_node *k = m->children; k; k = k->next) {
        uint64_t v;
        if (parse_count(k, &v)) {
            snprintf(err, errlen, "line %u: condition %s needs a non-negative integer", k->line,
                     k->key);
            return ERR_PARSE;
        }
        if (!strcmp(k->key, "gt")) {
            if (v + 1 > c->lo)
                c->lo = v + 1;
        } else if (!strcmp(k->key, "gte")) {
            if (v > c->lo)
                c->lo = v;
        } else if (!strcmp(k->key, "lt")) {
            if (v == 0) {
                snprintf(err, errlen, "line %u: lt 0 can never hold", k->line);
                return ERR_PARSE;
            }
            if (v - 1 < c->hi)
                c->hi = v - 1;
        } else if (!strcmp(k->key, "lte")) {
            if (v < c->hi)
                c->hi = v;
        } else if (!strcmp(k->key, "eq")) {
            if (v > c->lo)
                c->lo = v;
            if (v < c->hi)
                c->hi = v;
        } else if (!strcmp(k->key, "neq")) {
            c->has_neq = true;
            c->neq = v;
        } else {
            snprintf(err, errlen, "line %u: unknown condition operator '%.40s'", k->line, k->key);
            return ERR_PARSE;
        }
    }
    if (c->lo > c->hi) {
        snprintf(err, errlen, "line %u: the condition can never hold", m->line);
        return ERR_PARSE;
    }
    if (c->lo > CORR_MAX_THRESHOLD || (c->hi != UINT64_MAX && c->hi > CORR_MAX_THRESHOLD)) {
        snprintf(err, errlen, "line %u: a count above %d is not supported", m->line,
                 CORR_MAX_THRESHOLD);
        return ERR_PARSE;
    }
    return 0;
}

/* A string, or a list of strings, into names[0..*n) (at most max). */
static int parse_names(const struct cfg_node *v, const char *what, char **names, unsigned max,
                       unsigned *n, char *err, size_t errlen)
{
    *n = 0;
    if (v->kind == CFG_SCALAR) {
        if (!v->text[0]) {
            snprintf(err, errlen, "line %u: %s is empty", v->line, what);
            return ERR_PARSE;
        }
        return (names[(*n)++] = mem_strdup(v->text)) ? 0 : ERR_NOMEM;
    }
    if (v->kind != CFG_SEQ) {
        snprintf(err, errlen, "line %u: %s must be a string or a list of strings", v->line, what);
        return ERR_PARSE;
    }
    for (const struct cfg_node *i = v->children; i; i = i->next) {
        if (i->kind != CFG_SCALAR || !i->text[0]) {
            snprintf(err, errlen, "line %u: %s must be a list of strings", i->line, what);
            return ERR_PARSE;
        }
        if (*n == max) {
            snprintf(err, errlen, "line %u: more than %u %s", v->line, max, what);
            return ERR_PARSE;
        }
        if (!(names[(*n)++] = mem_strdup(i->text)))
            return ERR_NOMEM;
    }
    return 0;
}

static int parse_aliases(const struct cfg_node *m, struct sigma_corr *c, char *err, size_t errlen)
{
    if (m->kind != CFG_MAP) {
        snprintf(err, errlen, "line %u: aliases must be a map of alias: {rule: field}", m->line);
        return ERR_PARSE;
    }
    unsigned n = 0;
    for (const struct cfg_node *a = m->children; a; a = a->next) {
        if (a->kind != CFG_MAP) {
            snprintf(err, errlen, "line %u: alias %.40s must map rule names to fields", a->key_line,
                     a->key);
            return ERR_PARSE;
        }
        for (const struct cfg_node *r = a->children; r; r = r->next)
            n++;
    }
    c->aliases = mem_calloc(n ? n : 1, sizeof *c->aliases);
    if (!c->aliases)
        return ERR_NOMEM;
    for (const struct cfg_node *a = m->children; a; a = a->next)
        for (const struct cfg_node *r = a->children; r; r = r->next) {
            if (r->kind != CFG_SCALAR || !r->text[0]) {
                snprintf(err, errlen, "line %u: alias %.40s: the field for %.40s must be a string",
                         r->key_line, a->key, r->key);
                return ERR_PARSE;
            }
            struct corr_alias *x = &c->aliases[c->naliases++];
            x->alias = mem_strdup(a->key);
            x->rule = mem_strdup(r->key);
            x->field = mem_strdup(r->text);
            if (!x->alias || !x->rule || !x->field)
                return ERR_NOMEM;
        }
    return 0;
}

/* See corr_int.h. */
int corr_parse(const struct cfg_node *doc, struct sigma_corr *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    int rc = sigma_meta_parse(doc, &c->meta, err, errlen);
    if (rc)
        goto fail;
    const struct cfg_node *m = cfg_get(doc, "correlation");
    rc = ERR_PARSE;
    if (m->kind != CFG_MAP) {
        snprintf(err, errlen, "line %u: correlation must be a map", m->line);
        goto fail;
    }
    const char *type = scalar(m, "type");
    if (!type) {
        snprintf(err, errlen, "line %u: the correlation has no type", m->line);
        goto fail;
    }
    unsigned t = 0;
    while (t < 4 && strcmp(type, type_names[t]))
        t++;
    if (t == 4) {
        if (!strncmp(type, "value_", 6))
            snprintf(err, errlen, "correlation type %.40s is not supported yet", type);
        else
            snprintf(err, errlen, "unknown correlation type '%.40s'", type);
        goto fail;
    }
    c->type = (enum corr_type)t;

    const struct cfg_node *rules = cfg_get(m, "rules");
    char *names[CORR_MAX_RULES];
    unsigned nnames = 0;
    if (!rules) {
        snprintf(err, errlen, "line %u: the correlation names no rules", m->line);
        goto fail;
    }
    rc = parse_names(rules, "rules", names, CORR_MAX_RULES, &nnames, err, errlen);
    if (nnames) {
        c->refs = mem_calloc(nnames, sizeof *c->refs);
        if (!c->refs) {
            for (unsigned i = 0; i < nnames; i++)
                mem_free(names[i]);
            rc = ERR_NOMEM;
            goto fail;
        }
        for (unsigned i = 0; i < nnames; i++)
            c->refs[i].name = names[i];
        c->nrefs = nnames;
    }
    if (rc)
        goto fail;
    rc = ERR_PARSE;
    if (c->nrefs == 0) {
        snprintf(err, errlen, "line %u: the correlation names no rules", rules->line);
        goto fail;
    }
    if ((c->type == CORR_TEMPORAL || c->type == CORR_TEMPORAL_ORDERED) && c->nrefs < 2) {
        snprintf(err, errlen, "line %u: a %s correlation needs at least two rules", rules->line,
                 type);
        goto fail;
    }

    const struct cfg_node *gb = cfg_get(m, "group-by");
    if (gb && !(gb->kind == CFG_SCALAR && !gb->text[0] && gb->plain)) {
        rc = parse_names(gb, "group-by fields", c->group_by, CORR_MAX_GROUP_BY, &c->ngroup_by, err,
                         errlen);
        if (rc)
            goto fail;
        rc = ERR_PARSE;
    }

    const char *ts = scalar(m, "timespan");
    if (!ts) {
        snprintf(err, errlen, "line %u: the correlation has no timespan", m->line);
        goto fail;
    }
    if (parse_timespan(ts, &c->timespan_ns)) {
        snprintf(err, errlen, "timespan '%.40s' is not N followed by s, m, h, d or w (at most 90d)",
                 ts);
        goto fail;
    }

    const struct cfg_node *cond = cfg_get(m, "condition");
    if (cond) {
        rc = parse_condition(cond, &c->cond, err, errlen);
        if (rc)
            goto fail;
        rc = ERR_PARSE;
    } else if (c->type == CORR_TEMPORAL || c->type == CORR_TEMPORAL_ORDERED) {
        c->cond.lo = c->nrefs; /* every rule */
        c->cond.hi = UINT64_MAX;
    } else {
        snprintf(err, errlen, "line %u: an %s correlation needs a condition", m->line, type);
        goto fail;
    }
    if (c->type == CORR_TEMPORAL || c->type == CORR_TEMPORAL_ORDERED) {
        if (c->cond.lo > c->nrefs) {
            snprintf(err, errlen, "the condition asks for more rules than the correlation names");
            goto fail;
        }
        if (c->type == CORR_TEMPORAL_ORDERED &&
            (c->cond.lo != c->nrefs || c->cond.hi != UINT64_MAX || c->cond.has_neq)) {
            snprintf(err, errlen, "a temporal_ordered condition can only ask for all its rules");
            goto fail;
        }
    }
    c->judged_at_end = c->cond.hi != UINT64_MAX || c->cond.has_neq;

    const char *field = scalar(m, "field");
    if (c->type == CORR_VALUE_COUNT) {
        if (!field || !*field) {
            snprintf(err, errlen, "line %u: a value_count correlation needs a field", m->line);
            goto fail;
        }
        if (!(c->value_field = mem_strdup(field))) {
            rc = ERR_NOMEM;
            goto fail;
        }
    }

    const struct cfg_node *al = cfg_get(m, "aliases");
    if (al) {
        rc = parse_aliases(al, c, err, errlen);
        if (rc)
            goto fail;
        rc = ERR_PARSE;
    }

    const char *gen = scalar(m, "generate");
    if (gen && strcmp(gen, "true") && strcmp(gen, "false")) {
        snprintf(err, errlen, "generate must be true or false");
        goto fail;
    }
    c->generate = gen && !strcmp(gen, "true");
    return 0;
fail:
    corr_fini(c);
    return rc;
}

/* See corr_int.h. */
int corr_add(struct detect_rules *rs, struct sigma_corr *c)
{
    if (rs->ncorrs == rs->corrcap) {
        size_t nc = rs->corrcap ? rs->corrcap * 2 : 16;
        struct sigma_corr *n = mem_realloc(rs->corrs, nc * sizeof *n);
        if (!n)
            return ERR_NOMEM;
        rs->corrs = n;
        rs->corrcap = nc;
    }
    rs->corrs[rs->ncorrs++] = *c;
    memset(c, 0, sizeof *c);
    return 0;
}

/* ---- resolving references ------------------------------------------------------------ */

static bool named(const struct sigma_rule *meta, const char *s)
{
    return (meta->id && meta->id[0] && !strcmp(meta->id, s)) ||
           (meta->name && !strcmp(meta->name, s));
}

/* The field that rule `ref` (by the name the correlation wrote, its id or its name)
 * carries group-by field (or alias) `f` under. */
static const char *aliased(const struct sigma_corr *c, const char *f, const char *refname,
                           const struct sigma_rule *target)
{
    for (unsigned i = 0; i < c->naliases; i++) {
        const struct corr_alias *a = &c->aliases[i];
        if (!strcmp(a->alias, f) && (!strcmp(a->rule, refname) || named(target, a->rule)))
            return a->field;
    }
    return f;
}

/* Step 1: what each reference names; the reason for a failure goes to why. */
static int resolve_refs(struct detect_rules *rs, size_t ci, char *why, size_t whylen)
{
    struct sigma_corr *c = &rs->corrs[ci];
    for (unsigned r = 0; r < c->nrefs; r++) {
        struct corr_ref *ref = &c->refs[r];
        bool found = false;
        for (size_t j = 0; j < rs->ncorrs && !found; j++)
            if (named(&rs->corrs[j].meta, ref->name)) {
                if (j == ci) {
                    snprintf(why, whylen, "the correlation refers to itself");
                    return ERR_PARSE;
                }
                ref->is_corr = true;
                ref->index = (uint32_t)j;
                found = true;
            }
        for (size_t j = 0; j < rs->n && !found; j++)
            if (named(&rs->rules[j], ref->name)) {
                ref->is_corr = false;
                ref->index = (uint32_t)j;
                found = true;
            }
        if (!found) {
            snprintf(why, whylen,
                     "rule '%.80s' is not loaded (no rule or correlation has that "
                     "id or name, or it was refused)",
                     ref->name);
            return ERR_PARSE;
        }
        for (unsigned r2 = 0; r2 < r; r2++)
            if (c->refs[r2].is_corr == ref->is_corr && c->refs[r2].index == ref->index) {
                snprintf(why, whylen, "rule '%.80s' is named twice", ref->name);
                return ERR_PARSE;
            }
    }
    return 0;
}

/* Step 2 (references resolved, indexes current): fields per reference. */
static int resolve_fields(struct detect_rules *rs, size_t ci, char *why, size_t whylen)
{
    struct sigma_corr *c = &rs->corrs[ci];
    for (unsigned r = 0; r < c->nrefs; r++) {
        struct corr_ref *ref = &c->refs[r];
        const struct sigma_rule *target =
            ref->is_corr ? &rs->corrs[ref->index].meta : &rs->rules[ref->index];
        unsigned nf = c->ngroup_by + (c->value_field ? 1 : 0);
        for (unsigned k = 0; k < nf; k++) {
            const char *f = k < c->ngroup_by ? c->group_by[k] : c->value_field;
            const char *as = aliased(c, f, ref->name, target);
            mem_free(ref->fields[k]);
            if (!(ref->fields[k] = mem_strdup(as)))
                return ERR_NOMEM;
            if (!ref->is_corr)
                continue;
            const struct sigma_corr *inner = &rs->corrs[ref->index];
            unsigned p = 0;
            while (p < inner->ngroup_by && strcmp(inner->group_by[p], as))
                p++;
            if (p == inner->ngroup_by) {
                snprintf(why, whylen,
                         "it uses field '%.80s' of correlation '%.80s', which "
                         "does not group by it",
                         as, ref->name);
                return ERR_PARSE;
            }
            ref->positions[k] = (uint8_t)p;
        }
    }
    return 0;
}

/* Depth of correlation ci (1 + its deepest inner one); -1 on a cycle or past the cap. */
static int depth_of(const struct detect_rules *rs, size_t ci, uint8_t *state, int *depth)
{
    if (state[ci] == 2)
        return depth[ci];
    if (state[ci] == 1)
        return -1;
    state[ci] = 1;
    int d = 0;
    const struct sigma_corr *c = &rs->corrs[ci];
    for (unsigned r = 0; r < c->nrefs; r++) {
        if (!c->refs[r].is_corr)
            continue;
        int x = depth_of(rs, c->refs[r].index, state, depth);
        if (x < 0 || x + 1 > CORR_MAX_DEPTH) {
            d = -1;
            break;
        }
        if (x + 1 > d)
            d = x + 1;
    }
    state[ci] = 2;
    depth[ci] = d;
    return d;
}

/* Removes the correlations marked bad (reporting each), remapping references. */
static void compact(struct detect_rules *rs, char **why, corr_refuse_fn fn, void *ctx,
                    uint32_t *newidx)
{
    size_t w = 0;
    for (size_t i = 0; i < rs->ncorrs; i++)
        newidx[i] = why[i] ? UINT32_MAX : (uint32_t)w++;
    w = 0;
    for (size_t i = 0; i < rs->ncorrs; i++) {
        if (why[i]) {
            if (fn)
                fn(ctx, &rs->corrs[i], why[i]);
            corr_fini(&rs->corrs[i]);
            continue;
        }
        rs->corrs[w++] = rs->corrs[i];
    }
    rs->ncorrs = w;
    for (size_t i = 0; i < w; i++)
        for (unsigned r = 0; r < rs->corrs[i].nrefs; r++)
            if (rs->corrs[i].refs[r].is_corr)
                rs->corrs[i].refs[r].index = newidx[rs->corrs[i].refs[r].index];
}

/* Uses per rule, chained_to per correlation, alert flags. */
static int link_uses(struct detect_rules *rs)
{
    rs->uses = mem_calloc(rs->n ? rs->n : 1, sizeof *rs->uses);
    rs->nuses = mem_calloc(rs->n ? rs->n : 1, sizeof *rs->nuses);
    rs->alerts = mem_alloc(rs->n ? rs->n : 1);
    if (!rs->uses || !rs->nuses || !rs->alerts)
        return ERR_NOMEM;
    memset(rs->alerts, 1, rs->n ? rs->n : 1);
    uint8_t *wanted = mem_calloc(rs->n ? rs->n : 1, 1); /* some correlation generates */
    if (!wanted)
        return ERR_NOMEM;
    for (size_t i = 0; i < rs->ncorrs; i++)
        rs->corrs[i].alerts = true;
    for (size_t i = 0; i < rs->ncorrs; i++) {
        const struct sigma_corr *c = &rs->corrs[i];
        for (unsigned r = 0; r < c->nrefs; r++) {
            uint32_t x = c->refs[r].index;
            if (c->refs[r].is_corr) {
                struct sigma_corr *inner = &rs->corrs[x];
                uint32_t *n = mem_realloc(inner->chained_to, (inner->nchained + 1) * sizeof *n);
                if (!n) {
                    mem_free(wanted);
                    return ERR_NOMEM;
                }
                inner->chained_to = n;
                n[inner->nchained++] = (uint32_t)i;
                continue;
            }
            struct corr_use *u = mem_realloc(rs->uses[x], (rs->nuses[x] + 1u) * sizeof *u);
            if (!u) {
                mem_free(wanted);
                return ERR_NOMEM;
            }
            rs->uses[x] = u;
            u[rs->nuses[x]++] = (struct corr_use){(uint32_t)i, (uint16_t)r};
            if (c->generate)
                wanted[x] = 1;
            else if (!wanted[x])
                rs->alerts[x] = 0;
        }
    }
    /* an inner correlation alerts unless every correlation over it says generate: false */
    for (size_t i = 0; i < rs->ncorrs; i++) {
        struct sigma_corr *c = &rs->corrs[i];
        if (!c->nchained)
            continue;
        bool gen = false;
        for (unsigned k = 0; k < c->nchained; k++)
            gen |= rs->corrs[c->chained_to[k]].generate;
        c->alerts = gen;
    }
    for (size_t x = 0; x < rs->n; x++)
        if (wanted[x])
            rs->alerts[x] = 1;
    mem_free(wanted);
    if (getrandom(&rs->corr_seed, sizeof rs->corr_seed, 0) != (ssize_t)sizeof rs->corr_seed)
        rs->corr_seed = (uint64_t)vtime_mono_ns() * 0x9e3779b97f4a7c15ull;
    return 0;
}

/* See corr_int.h. */
int corr_resolve(struct detect_rules *rs, corr_refuse_fn fn, void *ctx)
{
    if (rs->ncorrs == 0)
        return 0;
    size_t n = rs->ncorrs;
    char **why = mem_calloc(n, sizeof *why);
    uint8_t *state = mem_calloc(n, 1);
    int *depth = mem_calloc(n, sizeof *depth);
    uint32_t *newidx = mem_calloc(n, sizeof *newidx);
    int rc = ERR_NOMEM, removed = 0;
    if (!why || !state || !depth || !newidx)
        goto out;
    char buf[300];
    for (size_t i = 0; i < n; i++)
        if (resolve_refs(rs, i, buf, sizeof buf) && !(why[i] = mem_strdup(buf)))
            goto out;
    for (size_t i = 0; i < n; i++)
        if (!why[i] && depth_of(rs, i, state, depth) < 0 &&
            !(why[i] = mem_strdup("its references form a cycle or nest deeper than 8")))
            goto out;
    for (size_t i = 0; i < n; i++) {
        if (why[i])
            continue;
        int frc = resolve_fields(rs, i, buf, sizeof buf);
        if (frc == ERR_NOMEM)
            goto out;
        if (frc && !(why[i] = mem_strdup(buf)))
            goto out;
        rs->corrs[i].depth = (unsigned)depth[i];
    }
    /* a correlation over a refused one goes too */
    for (bool changed = true; changed;) {
        changed = false;
        for (size_t i = 0; i < n; i++) {
            if (why[i])
                continue;
            for (unsigned r = 0; r < rs->corrs[i].nrefs; r++) {
                const struct corr_ref *ref = &rs->corrs[i].refs[r];
                if (ref->is_corr && why[ref->index]) {
                    snprintf(buf, sizeof buf, "it refers to correlation '%.80s', which was refused",
                             ref->name);
                    if (!(why[i] = mem_strdup(buf)))
                        goto out;
                    changed = true;
                    break;
                }
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        removed += why[i] != NULL;
    compact(rs, why, fn, ctx, newidx);
    rc = link_uses(rs);
out:
    if (why)
        for (size_t i = 0; i < n; i++)
            mem_free(why[i]);
    mem_free(why);
    mem_free(state);
    mem_free(depth);
    mem_free(newidx);
    return rc ? rc : removed;
}

/* ---- the public face ----------------------------------------------------------------- */

/* See correlate.h. */
size_t detect_corr_count(const struct detect_rules *rs)
{
    return rs ? rs->ncorrs : 0;
}

/* See correlate.h. */
void detect_corr_info(const struct detect_rules *rs, size_t i, struct detect_corr_info *out)
{
    const struct sigma_corr *c = &rs->corrs[i];
    out->id = c->meta.id;
    out->name = c->meta.name;
    out->title = c->meta.title;
    out->level = sigma_level_name(c->meta.level);
    out->type = corr_type_name(c->type);
    out->file = c->meta.file;
    out->status = c->meta.status;
    out->tags = (const char *const *)c->meta.tags;
    out->ntags = c->meta.ntags;
    out->group_by = (const char *const *)c->group_by;
    out->ngroup_by = c->ngroup_by;
    out->timespan_ns = c->timespan_ns;
}

/* See correlate.h. */
bool detect_rule_alerts(const struct detect_rules *rs, size_t i)
{
    return !rs->alerts || rs->alerts[i];
}

/* See correlate.h. */
bool detect_corr_alerts(const struct detect_rules *rs, size_t i)
{
    return rs->corrs[i].alerts;
}

/* See correlate.h. */
bool detect_rule_correlated(const struct detect_rules *rs, size_t i)
{
    return rs->nuses && rs->nuses[i] > 0;
}
