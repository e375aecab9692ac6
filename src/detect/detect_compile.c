/*
 * detect_compile.c — compiles a loaded rule set into the matcher of detect_matcher.h:
 * which values the prefilter decides, their Hyperscan patterns grouped by field name,
 * and which rules must be evaluated even when no pattern hits.
 *
 * Patterns. A string alternative becomes a pure literal (hs_compile_lit_multi, much
 * quicker to compile than regexes); where it must sit is checked on each hit from the
 * match's end offset: startswith ends at the literal's length, endswith at the value's,
 * exact both. Case-insensitive values (the default) are stored folded and compiled
 * with HS_FLAG_CASELESS, which folds ASCII only: the matcher scans a value with
 * non-ASCII bytes a second time, folded the way sigma_fold folds, for those patterns. A
 * glob (`a*b?c`) is looked for by its longest literal run and a hit is confirmed by the
 * reference match of that value. The same literal wanted by many values (`\cmd.exe`
 * appears in dozens of rules, as endswith and contains) is compiled once and decides
 * them all. A literal only wanted at the start or anywhere reports its first hit only
 * (HS_FLAG_SINGLEMATCH); one wanted at the end reports every hit, the last being the
 * one that can end the value.
 *
 * Rules. A rule becomes a candidate when each of its trigger groups had a hit (see
 * "triggers" below); a rule whose condition can hold with every atom false (`not
 * selection`, `Field: null`) is evaluated on every event of its routes.
 */
#include "detect/detect_matcher.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- which values the prefilter decides ------------------------------------------------ */

/* The longest run of literal bytes in glob p[0..n) (canonical escapes: `\x` is the
 * literal x), unescaped into out (n bytes suffice); returns its length. */
static size_t glob_longest_literal(const char *p, size_t n, char *out)
{
    size_t best = 0, best_at = 0, i = 0;
    while (i < n) {
        if (p[i] == '*' || p[i] == '?') {
            i++;
            continue;
        }
        size_t at = i, len = 0;
        for (; i < n && p[i] != '*' && p[i] != '?'; i++, len++)
            if (p[i] == '\\' && i + 1 < n)
                i++;
        if (len > best)
            best = len, best_at = at;
    }
    size_t o = 0;
    for (i = best_at; o < best; i++, o++) {
        if (p[i] == '\\' && i + 1 < n)
            i++;
        out[o] = p[i];
    }
    return best;
}

/* Hyperscan flags for a regex value: prefilter mode (a superset of the matches, each
 * confirmed by PCRE2), with the value's i/m/s. */
static unsigned re_flags(const struct sigma_value *v)
{
    unsigned f = HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH;
    if (v->re_flags & PCRE2_CASELESS)
        f |= HS_FLAG_CASELESS;
    if (v->re_flags & PCRE2_MULTILINE)
        f |= HS_FLAG_MULTILINE;
    if (v->re_flags & PCRE2_DOTALL)
        f |= HS_FLAG_DOTALL;
    return f;
}

/* A regex Hyperscan can prefilter: it parses it, and it cannot match an empty string. */
static bool re_prefilterable(const struct sigma_value *v)
{
    if (!v->re || !v->re_code)
        return false;
    hs_expr_info_t *info = NULL;
    hs_compile_error_t *ce = NULL;
    bool ok = hs_expression_info(v->re, re_flags(v), &info, &ce) == HS_SUCCESS && info &&
              info->min_width > 0;
    free(info); /* Hyperscan's default allocator */
    if (ce)
        hs_free_compile_error(ce);
    return ok;
}

/* The shortest regex literal worth looking for instead of prefiltering the regex. */
#define PROXY_MIN 3
#define PROXY_CAP 512

/* The literal that stands for regex value v in the scan (its length, at least PROXY_MIN;
 * 0: v is prefiltered as a regex): a hit makes v's rule a candidate without deciding v,
 * which PCRE2 then matches when the rule is evaluated. */
static size_t re_proxy(const struct sigma_value *v, char out[PROXY_CAP], bool *caseless)
{
    if (v->kind != SIGMA_PRED_RE || !v->re)
        return 0;
    size_t n = re_required_literal(v->re, strlen(v->re), v->re_flags, out, PROXY_CAP, caseless);
    return n >= PROXY_MIN ? n : 0;
}

/* See detect_int.h. */
bool sigma_value_prefilterable(const struct sigma_value *v)
{
    if (v->kind == SIGMA_PRED_RE)
        return re_prefilterable(v);
    if (v->kind != SIGMA_PRED_STR || v->time_part != SIGMA_TIME_NONE || v->nstrs == 0)
        return false;
    for (unsigned i = 0; i < v->nstrs; i++) {
        const struct sigma_str *x = &v->strs[i];
        if (x->kind != SIGMA_STR_GLOB) {
            if (x->len == 0)
                return false; /* `''` or `*`: matches the empty string */
            continue;
        }
        bool literal = false;
        for (size_t k = 0; k < x->len && !literal; k++)
            literal = x->s[k] != '*' && x->s[k] != '?';
        if (!literal)
            return false;
    }
    return true;
}

/* ---- building: patterns per scan ------------------------------------------------------- */

struct pattern {
    char *lit;
    size_t len;
    bool cased;
};

/* A (pattern, atom, where) triple, sorted into the scan's targets at the end. */
struct pair {
    uint32_t pattern, atom;
    uint8_t kind; /* enum target_kind */
};

struct scan_build {
    struct pattern *pats;
    size_t npats, cap;
    const struct sigma_value **res; /* regex atoms prefiltered as regexes */
    size_t nres, rcap;
    uint32_t *proxied; /* regex atoms looked for by a literal (re_proxy) */
    size_t nproxied, xcap;
    struct pair *pairs;
    size_t npairs, pcap;
    route_set kw_group; /* the keyword scan's: see keyword_group */
};

/* Literal dedup: (scan, cased, literal) -> pattern index, open addressing. */
struct dedup_slot {
    uint64_t h;
    uint32_t scan, pattern; /* pattern + 1; 0 empty */
};

struct builder {
    struct detect_matcher *m;
    struct scan_build *sb;
    size_t scap;
    struct dedup_slot *slots;
    size_t nslots, used;
};

/*
 * Which keyword scan a rule of these routes joins: a keyword looks at a whole event, so
 * a Linux keyword list is not scanned on Windows events. Rules of one product share a
 * scan (every Windows event then scans the Windows keywords once, a hit counting only
 * for the rules of its routes); a route with no product (webserver, generic) keeps its
 * own.
 */
static route_set keyword_group(route_set routes)
{
    route_set g = 0;
    for (int r = 0; r < ROUTE_COUNT; r++) {
        if (!(routes & ROUTE_BIT(r)))
            continue;
        const char *p = route_table[r].product;
        if (!*p) {
            g |= ROUTE_BIT(r);
            continue;
        }
        for (int q = 0; q < ROUTE_COUNT; q++)
            if (!strcmp(route_table[q].product, p))
                g |= ROUTE_BIT(q);
    }
    return g;
}

/* The products whose routes have field scans of their own (the rest share the last
 * part): the rule set's bulk, so that an event's values meet only its product's literals. */
static const char *const part_products[SCAN_PARTS - 1] = {"windows", "linux", "macos"};

/* Which part of the routes (detect_matcher.part_routes) route r is in. */
static uint32_t route_part(int r)
{
    for (uint32_t p = 0; p < SCAN_PARTS - 1; p++)
        if (!strcmp(route_table[r].product, part_products[p]))
            return p;
    return SCAN_PARTS - 1;
}

/* The scan of field name in part of the routes, or for keywords (name NULL) the one of
 * the rule's routes' keyword group. */
static int scan_index(struct builder *b, const char *name, uint32_t part, route_set routes,
                      int32_t *out)
{
    struct detect_matcher *m = b->m;
    route_set group = name ? 0 : keyword_group(routes);
    for (size_t i = 0; i < m->nscans; i++) /* compile time only: few hundred names */
        if ((!name && !m->scans[i].name && b->sb[i].kw_group == group) ||
            (name && m->scans[i].name && m->scans[i].part == part &&
             !strcmp(name, m->scans[i].name))) {
            *out = (int32_t)i;
            return 0;
        }
    if (m->nscans == b->scap) {
        size_t nc = b->scap ? b->scap * 2 : 64;
        struct field_scan *ns = mem_realloc(m->scans, nc * sizeof *ns);
        if (!ns)
            return ERR_NOMEM;
        m->scans = ns;
        struct scan_build *nb = mem_realloc(b->sb, nc * sizeof *nb);
        if (!nb)
            return ERR_NOMEM;
        b->sb = nb;
        b->scap = nc;
    }
    struct field_scan *sc = &m->scans[m->nscans];
    memset(sc, 0, sizeof *sc);
    memset(&b->sb[m->nscans], 0, sizeof b->sb[m->nscans]);
    b->sb[m->nscans].kw_group = group;
    sc->part = name ? part : 0;
    if (name && !(sc->name = mem_strdup(name)))
        return ERR_NOMEM;
    *out = (int32_t)m->nscans++;
    return 0;
}

static int dedup_grow(struct builder *b)
{
    size_t nn = b->nslots ? b->nslots * 2 : 4096;
    struct dedup_slot *ns = mem_calloc(nn, sizeof *ns);
    if (!ns)
        return ERR_NOMEM;
    for (size_t i = 0; i < b->nslots; i++) {
        if (!b->slots[i].pattern)
            continue;
        size_t j = b->slots[i].h & (nn - 1);
        while (ns[j].pattern)
            j = (j + 1) & (nn - 1);
        ns[j] = b->slots[i];
    }
    mem_free(b->slots);
    b->slots = ns;
    b->nslots = nn;
    return 0;
}

/*
 * Hyperscan 5.4 fails every scan of a literal database (HS_UNKNOWN_ERROR) holding a
 * literal with a run of one byte longer than about 33 (intel/hyperscan#303, #353): such
 * a literal is looked for by its longest piece with runs of at most RUN_MAX, and a hit
 * is confirmed by the value's own match.
 */
#define RUN_MAX 32

/* The longest piece of lit[0..*n) with no run of one byte longer than RUN_MAX: its start
 * (*n its length); *n unchanged and 0 when lit has no such run. */
static size_t piece_without_long_runs(const char *lit, size_t *n)
{
    size_t best = 0, best_at = 0, from = 0, run = 0;
    bool cut = false;
    for (size_t i = 0; i < *n; i++) {
        run = i && lit[i] == lit[i - 1] ? run + 1 : 1;
        if (run > RUN_MAX) {
            from = i - RUN_MAX + 1;
            cut = true;
        }
        if (i + 1 - from > best)
            best = i + 1 - from, best_at = from;
    }
    if (cut)
        *n = best;
    return cut ? best_at : 0;
}

/* Adds (or finds) the literal lit[0..n) of scan sc and pairs it with atom and kind. */
static int add_pattern(struct builder *b, int32_t sc, const char *lit, size_t n, bool cased,
                       uint32_t atom, enum target_kind kind)
{
    size_t n0 = n;
    lit += piece_without_long_runs(lit, &n);
    if (n != n0)
        kind = TARGET_VERIFY;
    if ((b->used + 1) * 2 > b->nslots && dedup_grow(b))
        return ERR_NOMEM;
    struct scan_build *sb = &b->sb[sc];
    uint64_t h = hash_mix(hash64(lit, n, cased), (uint64_t)sc);
    size_t j = h & (b->nslots - 1);
    uint32_t pat = UINT32_MAX;
    while (b->slots[j].pattern) {
        struct dedup_slot *d = &b->slots[j];
        const struct pattern *x = &sb->pats[d->pattern - 1];
        if (d->h == h && d->scan == (uint32_t)sc && x->cased == cased && x->len == n &&
            !memcmp(x->lit, lit, n)) {
            pat = d->pattern - 1;
            break;
        }
        j = (j + 1) & (b->nslots - 1);
    }
    if (pat == UINT32_MAX) {
        if (sb->npats == sb->cap) {
            size_t nc = sb->cap ? sb->cap * 2 : 16;
            struct pattern *np = mem_realloc(sb->pats, nc * sizeof *np);
            if (!np)
                return ERR_NOMEM;
            sb->pats = np;
            sb->cap = nc;
        }
        char *e = mem_strndup(lit, n);
        if (!e)
            return ERR_NOMEM;
        pat = (uint32_t)sb->npats;
        sb->pats[sb->npats++] = (struct pattern){e, n, cased};
        b->slots[j] = (struct dedup_slot){h, (uint32_t)sc, pat + 1};
        b->used++;
    }
    if (sb->npairs == sb->pcap) {
        size_t nc = sb->pcap ? sb->pcap * 2 : 16;
        struct pair *np = mem_realloc(sb->pairs, nc * sizeof *np);
        if (!np)
            return ERR_NOMEM;
        sb->pairs = np;
        sb->pcap = nc;
    }
    sb->pairs[sb->npairs++] = (struct pair){pat, atom, (uint8_t)kind};
    return 0;
}

/* The patterns of one atom value v (field name or NULL for a keyword) in the scan of
 * one part of the routes (0 for keywords). */
static int add_atom_to(struct builder *b, const char *field, uint32_t part,
                       const struct sigma_value *v, uint32_t rule)
{
    struct detect_matcher *m = b->m;
    int32_t sc;
    int rc = scan_index(b, field, part, m->rs->routes[rule], &sc);
    if (rc)
        return rc;
    m->scans[sc].routes |= m->rs->routes[rule];
    m->atom_value[v->atom] = v;
    m->atom_rule[v->atom] = rule;
    char lit[PROXY_CAP];
    bool caseless;
    size_t pn = re_proxy(v, lit, &caseless);
    if (pn) {
        struct scan_build *sb = &b->sb[sc];
        if (mem_grow((void **)&sb->proxied, &sb->xcap, sb->nproxied, sizeof *sb->proxied, 8))
            return ERR_NOMEM;
        sb->proxied[sb->nproxied++] = v->atom;
        return add_pattern(b, sc, lit, pn, !caseless, v->atom, TARGET_CONTAINS);
    }
    if (v->kind == SIGMA_PRED_RE) {
        struct scan_build *sb = &b->sb[sc];
        if (mem_grow((void **)&sb->res, &sb->rcap, sb->nres, sizeof *sb->res, 8))
            return ERR_NOMEM;
        sb->res[sb->nres++] = v;
        return 0;
    }
    for (unsigned i = 0; i < v->nstrs; i++) {
        const struct sigma_str *x = &v->strs[i];
        static const uint8_t kinds[] = {[SIGMA_STR_EXACT] = TARGET_EXACT,
                                        [SIGMA_STR_PREFIX] = TARGET_PREFIX,
                                        [SIGMA_STR_SUFFIX] = TARGET_SUFFIX,
                                        [SIGMA_STR_CONTAINS] = TARGET_CONTAINS,
                                        [SIGMA_STR_GLOB] = TARGET_VERIFY};
        if (x->kind != SIGMA_STR_GLOB) {
            rc = add_pattern(b, sc, x->s, x->len, v->cased, v->atom, kinds[x->kind]);
        } else {
            char *run = mem_alloc(x->len + 1);
            if (!run)
                return ERR_NOMEM;
            size_t n = glob_longest_literal(x->s, x->len, run);
            rc = add_pattern(b, sc, run, n, v->cased, v->atom, TARGET_VERIFY);
            mem_free(run);
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* The patterns of one atom value v (field name or NULL for a keyword): a field's in the
 * scan of each part of the routes its rule has. */
static int add_atom(struct builder *b, const char *field, const struct sigma_value *v,
                    uint32_t rule)
{
    const struct detect_matcher *m = b->m;
    if (!field)
        return add_atom_to(b, NULL, 0, v, rule);
    for (uint32_t p = 0; p < SCAN_PARTS; p++) {
        int rc = (m->rs->routes[rule] & m->part_routes[p]) ? add_atom_to(b, field, p, v, rule) : 0;
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- triggers: the atoms whose hit makes a rule a candidate ------------------------------ */

/*
 * A rule's condition implies clauses: sets of its atoms of which at least one holds
 * whenever the condition holds. `a and b` implies the clauses of both sides, `a or b`
 * the unions of a clause of each side (so `(img and cli) or x` implies {img, x} and
 * {cli, x}), a one-value-list predicate the clause of its values, a |all predicate one
 * clause per value; a `not`, a |neq or a value the prefilter does not decide implies
 * nothing. The up-to-MAX_TRIGGER_GROUPS cheapest clauses become the rule's trigger
 * groups: the rule is a candidate once each had a hit, so a rule on `\svchost.exe` with
 * a rare command line waits for both. A weak clause (a regex prefiltered as one, a
 * literal of one or two bytes) is a trigger group only when it is the cheapest: a
 * further group only cuts candidates, which does not pay for a regex prefiltered on
 * every new value (`\s-k\s` beside `\curl.exe`) or for `>` confirmed all over every
 * command line. A rule implying no clause is evaluated on every event of its routes.
 *
 * Rarity is guessed from length: a literal of n bytes costs 1/n², so `\cmd.exe` is
 * preferred over `.exe`, and a selection of a thousand hashes costs what it should.
 * Lists are pruned to their KEEP cheapest clauses at each step (a subset of implied
 * clauses is still implied), which bounds the work on any condition.
 */
#include <math.h>

#define KEEP 8
#ifndef MAX_TRIGGER_GROUPS
#define MAX_TRIGGER_GROUPS 3 /* at most 8: a bit each in a byte */
#endif

static double atom_cost(const struct sigma_value *v)
{
    if (v->kind == SIGMA_PRED_RE) {
        char lit[PROXY_CAP];
        bool caseless;
        double n = (double)re_proxy(v, lit, &caseless);
        return n ? 1.0 / (n * n + 1.0) : 0.1; /* as three bytes: its literals may be short */
    }
    double c = 0;
    for (unsigned i = 0; i < v->nstrs; i++) {
        double n = (double)v->strs[i].len; /* a glob's length overstates it: fine */
        c += 1.0 / (n * n + 1.0);
    }
    return c;
}

struct clause {
    uint32_t *atoms;
    unsigned n;
    double cost;
    bool weak; /* an atom of it is weak (weak_atom) */
};

static bool prefiltered_re(const struct sigma_value *v)
{
    char lit[PROXY_CAP];
    bool caseless;
    return v->kind == SIGMA_PRED_RE && !re_proxy(v, lit, &caseless);
}

#ifndef WEAK_LEN
#define WEAK_LEN 3 /* measured with bench_sigma: 2 and 3 alike, 4 loses */
#endif

/* An atom that costs every scan of its field more than it saves as a further trigger
 * group: a regex prefiltered as one, or a literal shorter than WEAK_LEN bytes (`>`, `/c`:
 * Hyperscan confirms hits of short literals nearly everywhere). */
static bool weak_atom(const struct sigma_value *v)
{
    if (v->kind == SIGMA_PRED_RE)
        return prefiltered_re(v);
    for (unsigned i = 0; i < v->nstrs; i++)
        if (v->strs[i].len < WEAK_LEN)
            return true;
    return false;
}

/* Implied clauses; free: the part may hold with every atom false (implies nothing). */
struct clauses {
    struct clause c[KEEP];
    unsigned n;
    bool free;
};

static void clauses_fini(struct clauses *l)
{
    for (unsigned i = 0; i < l->n; i++)
        mem_free(l->c[i].atoms);
    l->n = 0;
}

/* Adds clause c to l (taking its atoms), keeping the KEEP cheapest. */
static void clauses_add(struct clauses *l, struct clause c)
{
    if (l->n < KEEP) {
        l->c[l->n++] = c;
        return;
    }
    unsigned worst = 0;
    for (unsigned i = 1; i < l->n; i++)
        if (l->c[i].cost > l->c[worst].cost)
            worst = i;
    if (c.cost >= l->c[worst].cost) {
        mem_free(c.atoms);
        return;
    }
    mem_free(l->c[worst].atoms);
    l->c[worst] = c;
}

static int pred_clauses(const struct sigma_pred *p, struct clauses *out)
{
    memset(out, 0, sizeof *out);
    out->free = true;
    if (p->neq)
        return 0;
    if (p->all) {
        for (unsigned i = 0; i < p->nvalues; i++) {
            const struct sigma_value *v = &p->values[i];
            if (!v->atom)
                continue;
            uint32_t *a = mem_alloc(sizeof *a);
            if (!a)
                return ERR_NOMEM;
            *a = v->atom;
            clauses_add(out, (struct clause){a, 1, atom_cost(v), weak_atom(v)});
            out->free = false;
        }
        if (!p->nvalues) { /* never true: the empty clause */
            out->free = false;
            clauses_add(out, (struct clause){NULL, 0, 0, false});
        }
        return 0;
    }
    for (unsigned i = 0; i < p->nvalues; i++)
        if (!p->values[i].atom)
            return 0; /* this value may hold with no hit */
    struct clause c = {mem_calloc(p->nvalues ? p->nvalues : 1, sizeof(uint32_t)), 0, 0, false};
    if (!c.atoms)
        return ERR_NOMEM;
    for (unsigned i = 0; i < p->nvalues; i++) {
        c.atoms[c.n++] = p->values[i].atom;
        c.cost += atom_cost(&p->values[i]);
        c.weak |= weak_atom(&p->values[i]);
    }
    out->free = false;
    clauses_add(out, c);
    return 0;
}

/* a and b: the clauses of both (b is emptied). */
static void clauses_and(struct clauses *a, struct clauses *b)
{
    if (b->free)
        return;
    if (a->free) {
        *a = *b;
        b->n = 0;
        return;
    }
    for (unsigned i = 0; i < b->n; i++)
        clauses_add(a, b->c[i]);
    b->n = 0;
}

/* a or b: a clause of each, joined (b is emptied). */
static int clauses_or(struct clauses *a, struct clauses *b)
{
    if (a->free || b->free) {
        clauses_fini(a);
        clauses_fini(b);
        a->free = true;
        return 0;
    }
    struct clauses r;
    memset(&r, 0, sizeof r);
    int rc = 0;
    for (unsigned i = 0; i < a->n && !rc; i++)
        for (unsigned k = 0; k < b->n && !rc; k++) {
            struct clause c = {mem_alloc((a->c[i].n + b->c[k].n + 1) * sizeof(uint32_t)),
                               a->c[i].n + b->c[k].n, a->c[i].cost + b->c[k].cost,
                               a->c[i].weak || b->c[k].weak};
            if (!c.atoms) {
                rc = ERR_NOMEM;
                break;
            }
            if (a->c[i].n)
                memcpy(c.atoms, a->c[i].atoms, a->c[i].n * sizeof(uint32_t));
            if (b->c[k].n)
                memcpy(c.atoms + a->c[i].n, b->c[k].atoms, b->c[k].n * sizeof(uint32_t));
            clauses_add(&r, c);
        }
    clauses_fini(a);
    clauses_fini(b);
    *a = r;
    return rc;
}

static int ident_clauses(const struct sigma_ident *id, struct clauses *out)
{
    memset(out, 0, sizeof *out);
    int rc = 0;
    for (unsigned g = 0; g < id->ngroups && !rc; g++) {
        struct clauses all = {.free = true};
        for (unsigned i = 0; i < id->groups[g].npreds && !rc; i++) {
            struct clauses p;
            rc = pred_clauses(&id->groups[g].preds[i], &p);
            clauses_and(&all, &p);
            clauses_fini(&p);
        }
        if (g == 0)
            *out = all;
        else if (!rc)
            rc = clauses_or(out, &all);
        else
            clauses_fini(&all);
    }
    if (!id->ngroups) /* never true */
        clauses_add(out, (struct clause){NULL, 0, 0, false});
    return rc;
}

static int cond_clauses(const struct sigma_rule *r, const struct sigma_cond *c, struct clauses *out)
{
    memset(out, 0, sizeof *out);
    struct clauses b;
    int rc = 0;
    switch (c->kind) {
    case SIGMA_COND_ID:
        if (c->nids == 1 && c->ids[0] < r->nidents)
            return ident_clauses(&r->idents[c->ids[0]], out);
        clauses_add(out, (struct clause){NULL, 0, 0, false}); /* a bad reference is false */
        return 0;
    case SIGMA_COND_NOT:
        out->free = true;
        return 0;
    case SIGMA_COND_AND:
    case SIGMA_COND_OR:
        rc = cond_clauses(r, c->left, out);
        if (!rc)
            rc = cond_clauses(r, c->right, &b);
        else
            memset(&b, 0, sizeof b);
        if (!rc && c->kind == SIGMA_COND_AND)
            clauses_and(out, &b);
        else if (!rc)
            rc = clauses_or(out, &b);
        clauses_fini(&b);
        return rc;
    case SIGMA_COND_ONE_OF:
    case SIGMA_COND_ALL_OF:
        if (!c->nids) { /* `1 of` nothing is false, `all of` nothing is false */
            clauses_add(out, (struct clause){NULL, 0, 0, false});
            return 0;
        }
        for (unsigned i = 0; i < c->nids && !rc; i++) {
            if (c->ids[i] < r->nidents)
                rc = ident_clauses(&r->idents[c->ids[i]], &b);
            else {
                memset(&b, 0, sizeof b);
                clauses_add(&b, (struct clause){NULL, 0, 0, false});
            }
            if (i == 0)
                *out = b, memset(&b, 0, sizeof b);
            else if (!rc && c->kind == SIGMA_COND_ALL_OF)
                clauses_and(out, &b);
            else if (!rc)
                rc = clauses_or(out, &b);
            clauses_fini(&b);
        }
        return rc;
    }
    out->free = true;
    return 0;
}

static int cmp_clause(const void *a, const void *b)
{
    double x = ((const struct clause *)a)->cost, y = ((const struct clause *)b)->cost;
    return (x > y) - (x < y);
}

/*
 * Marks rule r's trigger groups in groups[] (a bit per group, on each atom of it) and
 * returns the mask of all its groups: the rule becomes a candidate once every group had
 * a hit. 0: no triggers (evaluated on every event of its routes); *never: it has an
 * empty clause, so it can never match.
 */
static uint8_t mark_triggers(const struct sigma_rule *r, uint8_t *groups, bool *never, int *rc)
{
    *never = false;
    *rc = 0;
    if (!r->cond) {
        *never = true;
        return 0;
    }
    struct clauses l;
    if ((*rc = cond_clauses(r, r->cond, &l)) != 0 || l.free) {
        clauses_fini(&l);
        return 0;
    }
    qsort(l.c, l.n, sizeof l.c[0], cmp_clause);
    uint8_t full = 0;
    for (unsigned i = 0, g = 0; i < l.n && g < MAX_TRIGGER_GROUPS; i++) {
        if (!l.c[i].n)
            *never = true;
        if (g && l.c[i].weak)
            continue; /* only to cut candidates: not worth it on every value */
        for (unsigned k = 0; k < l.c[i].n; k++)
            groups[l.c[i].atoms[k]] |= (uint8_t)(1u << g);
        full |= (uint8_t)(1u << g++);
    }
    clauses_fini(&l);
    return full;
}

/* ---- finishing ------------------------------------------------------------------------- */

static int cmp_pair(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    if (x->pattern != y->pattern)
        return x->pattern < y->pattern ? -1 : 1;
    if (x->atom != y->atom)
        return x->atom < y->atom ? -1 : 1;
    return (x->kind > y->kind) - (x->kind < y->kind);
}

static struct target target_of(const struct detect_matcher *m, uint32_t atom, uint8_t kind)
{
    uint32_t rule = m->atom_rule[atom];
    return (struct target){m->rs->routes[rule], atom, rule, kind, m->atom_groups[atom]};
}

/* True when literal i of f is only ever wanted as a whole value. */
static bool only_exact(const struct field_scan *f, size_t i)
{
    bool exact = f->first[i + 1] > f->first[i];
    for (uint32_t k = f->first[i]; k < f->first[i + 1] && exact; k++)
        exact = f->targets[k].kind == TARGET_EXACT;
    return exact;
}

/* Puts the literals of f whose every target is TARGET_EXACT in f's hash table (not for
 * keywords, which look inside values). */
static int exact_table(struct field_scan *f, const struct scan_build *sb)
{
    size_t n = f->npatterns, count = 0;
    if (!f->name)
        return 0;
    for (size_t i = 0; i < n; i++)
        count += only_exact(f, i);
    if (!count)
        return 0;
    size_t slots = 16;
    while (slots < 2 * count)
        slots *= 2;
    f->exact_lit = mem_calloc(n, sizeof *f->exact_lit);
    f->exact_slot = mem_calloc(slots, sizeof *f->exact_slot);
    if (!f->exact_lit || !f->exact_slot)
        return ERR_NOMEM;
    f->exact_mask = (uint32_t)(slots - 1);
    for (size_t i = 0; i < n; i++) {
        if (!only_exact(f, i))
            continue;
        const struct pattern *p = &sb->pats[i];
        if (!(f->exact_lit[i] = mem_strndup(p->lit, p->len)))
            return ERR_NOMEM;
        if (p->len < 256)
            f->exact_lens[p->len / 8] |= (uint8_t)(1u << (p->len % 8));
        if (p->cased)
            f->exact_cased = true;
        else
            f->exact_caseless = true;
        size_t j = hash64(p->lit, p->len, p->cased) & f->exact_mask;
        while (f->exact_slot[j])
            j = (j + 1) & f->exact_mask;
        f->exact_slot[j] = (uint32_t)i + 1;
    }
    return 0;
}

/* Compiles scan sc's patterns into its database and lays out its targets. */
static int finish_scan(struct builder *b, size_t sc, char *err, size_t errlen)
{
    struct detect_matcher *m = b->m;
    struct field_scan *f = &m->scans[sc];
    struct scan_build *sb = &b->sb[sc];
    size_t n = sb->npats;
    size_t n1 = n ? n : 1; /* a field with regexes only has no literal */
    const char **lits = mem_calloc(n1, sizeof *lits);
    size_t *lens = mem_calloc(n1, sizeof *lens);
    unsigned *flags = mem_calloc(n1, sizeof *flags);
    unsigned *ids = mem_calloc(n1, sizeof *ids);
    f->first = mem_calloc(n + 1, sizeof *f->first);
    f->len = mem_calloc(n ? n : 1, sizeof *f->len);
    f->cased = mem_calloc(n ? n : 1, 1);
    f->targets = mem_calloc(sb->npairs ? sb->npairs : 1, sizeof *f->targets);
    int rc = 0;
    if (!lits || !lens || !flags || !ids || !f->first || !f->len || !f->cased || !f->targets) {
        rc = ERR_NOMEM;
        goto out;
    }
    if (sb->npairs)
        qsort(sb->pairs, sb->npairs, sizeof *sb->pairs, cmp_pair);
    size_t t = 0;
    for (size_t i = 0; i < n; i++)
        flags[i] = HS_FLAG_SINGLEMATCH;
    for (size_t i = 0; i < sb->npairs; i++) {
        const struct pair *p = &sb->pairs[i];
        if (i && p->pattern == p[-1].pattern && p->atom == p[-1].atom && p->kind == p[-1].kind)
            continue;
        if (p->kind == TARGET_SUFFIX || p->kind == TARGET_EXACT || !f->name)
            flags[p->pattern] = 0; /* the hit that ends the value may not be the first;
                                    * for keywords, the first may straddle two values */
        f->targets[t++] = target_of(m, p->atom, p->kind);
        f->first[p->pattern + 1] = (uint32_t)t;
    }
    for (size_t i = 1; i <= n; i++) /* a pattern always has a pair, but stay safe */
        if (f->first[i] < f->first[i - 1])
            f->first[i] = f->first[i - 1];
    for (size_t i = 0; i < n; i++) {
        lits[i] = sb->pats[i].lit;
        lens[i] = sb->pats[i].len;
        f->len[i] = (uint32_t)lens[i];
        ids[i] = (unsigned)i;
        f->cased[i] = sb->pats[i].cased;
        f->any_cased |= f->cased[i];
        if (!f->cased[i])
            flags[i] |= HS_FLAG_CASELESS;
    }
    f->npatterns = (uint32_t)n;
    f->joinable = !f->name && !sb->nres;
    for (size_t i = 0; i < n && f->joinable; i++)
        f->joinable = !memchr(lits[i], 0, lens[i]);
    if (sb->nproxied) {
        f->proxies = mem_calloc(sb->nproxied, sizeof *f->proxies);
        if (!f->proxies) {
            rc = ERR_NOMEM;
            goto out;
        }
        for (size_t i = 0; i < sb->nproxied; i++)
            f->proxies[i] = target_of(m, sb->proxied[i], TARGET_CONTAINS);
        f->nproxies = (uint32_t)sb->nproxied;
    }
    if (!n)
        goto out; /* regexes only */
    /* literals only ever wanted whole go to the hash table */
    size_t nhs = 0;
    if ((rc = exact_table(f, sb)) != 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (f->exact_lit && f->exact_lit[i])
            continue;
        lits[nhs] = lits[i], lens[nhs] = lens[i], flags[nhs] = flags[i], ids[nhs] = ids[i];
        nhs++;
    }
    m->stats.exact += n - nhs;
    if (!nhs)
        goto out;
    hs_compile_error_t *ce = NULL;
    if (hs_compile_lit_multi(lits, flags, ids, lens, (unsigned)nhs, HS_MODE_BLOCK, NULL, &f->db,
                             &ce) != HS_SUCCESS) {
        int at = ce ? ce->expression : -1;
        snprintf(err, errlen, "field %s: literal %d (%.*s): %s", f->name ? f->name : "(keywords)",
                 at, at >= 0 ? (int)(lens[at] < 60 ? lens[at] : 60) : 0, at >= 0 ? lits[at] : "",
                 ce && ce->message ? ce->message : "unknown error");
        hs_free_compile_error(ce);
        rc = ERR_PARSE;
        goto out;
    }
    size_t dbsize = 0;
    if (hs_database_size(f->db, &dbsize) == HS_SUCCESS)
        m->stats.bytes += dbsize;
    if (hs_alloc_scratch(f->db, &m->proto) != HS_SUCCESS) {
        snprintf(err, errlen, "field %s: cannot allocate scanning memory",
                 f->name ? f->name : "(keywords)");
        rc = ERR_NOMEM;
    }
    m->stats.patterns += n;
out:
    mem_free(lits);
    mem_free(lens);
    mem_free(flags);
    mem_free(ids);
    return rc;
}

/*
 * Compiles scan sc's regexes into its regex database. When Hyperscan refuses the set
 * (its prefilter accepted each one alone, but resources are per database), the scan
 * keeps the list with no database and the matcher runs each regex itself.
 */
static int finish_regexes(struct builder *b, size_t sc)
{
    struct detect_matcher *m = b->m;
    struct field_scan *f = &m->scans[sc];
    struct scan_build *sb = &b->sb[sc];
    size_t n = sb->nres;
    if (!n)
        return 0;
    const char **exprs = mem_calloc(n, sizeof *exprs);
    unsigned *flags = mem_calloc(n, sizeof *flags);
    unsigned *ids = mem_calloc(n, sizeof *ids);
    f->re_targets = mem_calloc(n, sizeof *f->re_targets);
    int rc = 0;
    if (!exprs || !flags || !ids || !f->re_targets) {
        rc = ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        exprs[i] = sb->res[i]->re;
        flags[i] = re_flags(sb->res[i]);
        ids[i] = (unsigned)i;
        f->re_targets[i] = target_of(m, sb->res[i]->atom, TARGET_VERIFY);
    }
    f->nre = (uint32_t)n;
    hs_compile_error_t *ce = NULL;
    if (hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK, NULL, &f->re_db, &ce) !=
        HS_SUCCESS) {
        hs_free_compile_error(ce);
        f->re_db = NULL;
        m->stats.regexes_direct += n;
        goto out;
    }
    size_t dbsize = 0;
    if (hs_database_size(f->re_db, &dbsize) == HS_SUCCESS)
        m->stats.bytes += dbsize;
    if (hs_alloc_scratch(f->re_db, &m->proto) != HS_SUCCESS)
        rc = ERR_NOMEM;
    m->stats.regexes += n;
out:
    mem_free(exprs);
    mem_free(flags);
    mem_free(ids);
    return rc;
}

static int finish(struct builder *b, char *err, size_t errlen)
{
    struct detect_matcher *m = b->m;
    for (size_t i = 0; i < m->nscans; i++) {
        int rc = finish_scan(b, i, err, errlen);
        if (!rc)
            rc = finish_regexes(b, i);
        if (rc)
            return rc;
    }
    m->stats.databases = m->nscans;
    for (size_t p = 0; p < SCAN_PARTS; p++)
        for (size_t i = 0; i < FIELD_MAX_IDS; i++)
            m->by_id[p][i] = -1;
    size_t slots = 16;
    while (slots < 2 * m->nscans)
        slots *= 2;
    m->by_name = mem_calloc(slots, sizeof *m->by_name);
    m->by_name_mask = (uint32_t)(slots - 1);
    m->keywords = mem_calloc(m->nscans ? m->nscans : 1, sizeof *m->keywords);
    if (!m->by_name || !m->keywords)
        return ERR_NOMEM;
    for (size_t i = 0; i < m->nscans; i++) {
        const char *name = m->scans[i].name;
        if (!name) {
            if (m->scans[i].db)
                m->keywords[m->nkeywords++] = (uint32_t)i;
            continue;
        }
        uint32_t part = m->scans[i].part;
        size_t len = strlen(name), j = hash64(name, len, 0) & m->by_name_mask;
        while (m->by_name[j].name)
            j = (j + 1) & m->by_name_mask;
        m->by_name[j] = (struct scan_name){name, (uint32_t)len, (uint32_t)i, part};
        unsigned k = name_sketch(name, len);
        m->name_sketches[k / 64] |= 1ULL << (k % 64);
        uint16_t id = field_lookup(name, strlen(name));
        if (id != FIELD_NONE && id != FIELD_EXTRA && id < FIELD_MAX_IDS)
            m->by_id[part][id] = (int32_t)i;
    }
    return 0;
}

static void builder_fini(struct builder *b)
{
    for (size_t i = 0; b->m && i < b->m->nscans; i++) {
        for (size_t k = 0; k < b->sb[i].npats; k++)
            mem_free(b->sb[i].pats[k].lit);
        mem_free(b->sb[i].pats);
        mem_free(b->sb[i].pairs);
        mem_free(b->sb[i].res);
        mem_free(b->sb[i].proxied);
    }
    mem_free(b->sb);
    mem_free(b->slots);
}

static int add_rules(struct builder *b)
{
    struct detect_matcher *m = b->m;
    const struct detect_rules *rs = m->rs;
    for (size_t ri = 0; ri < rs->n; ri++) {
        const struct sigma_rule *r = &rs->rules[ri];
        if (!rs->routes[ri])
            continue; /* no route feeds it: it can never see an event */
        bool never;
        int rc0;
        m->rule_groups[ri] = mark_triggers(r, m->atom_groups, &never, &rc0);
        if (rc0)
            return rc0;
        if (never)
            m->rule_groups[ri] = 0xff; /* no hit can complete it */
        /* only triggers are scanned for; the evaluator matches the other values itself
         * when the rule is a candidate (a filter's hundred paths cost nothing until then).
         * A rule without triggers is evaluated on every event of its routes: there all
         * its atoms are scanned, so its filters are read from stamps */
        bool all = !m->rule_groups[ri];
        for (unsigned i = 0; i < r->nidents; i++)
            for (unsigned g = 0; g < r->idents[i].ngroups; g++)
                for (unsigned k = 0; k < r->idents[i].groups[g].npreds; k++) {
                    const struct sigma_pred *p = &r->idents[i].groups[g].preds[k];
                    for (unsigned j = 0; j < p->nvalues; j++) {
                        uint32_t a = p->values[j].atom;
                        if (!a || (!all && !m->atom_groups[a]))
                            continue;
                        /* a regex looked for by a literal gives no verdict: PCRE2 decides it
                         * when the rule is evaluated, so it is only scanned as a trigger */
                        bool proxied =
                            !prefiltered_re(&p->values[j]) && p->values[j].kind == SIGMA_PRED_RE;
                        if (proxied && !m->atom_groups[a])
                            continue;
                        m->atom_scanned[a] = !proxied;
                        int rc = add_atom(b, p->field, &p->values[j], (uint32_t)ri);
                        if (rc)
                            return rc;
                        m->stats.atoms++;
                    }
                }
        if (m->rule_groups[ri]) {
            m->stats.prefiltered++;
            continue;
        }
        m->stats.unfiltered++;
        for (int rt = 0; rt < ROUTE_COUNT; rt++) {
            if (!(rs->routes[ri] & ROUTE_BIT(rt)))
                continue;
            uint32_t *nl = mem_realloc(m->unfiltered[rt], (m->nunfiltered[rt] + 1) * sizeof *nl);
            if (!nl)
                return ERR_NOMEM;
            nl[m->nunfiltered[rt]++] = (uint32_t)ri;
            m->unfiltered[rt] = nl;
        }
    }
    return 0;
}

/* See detect.h. */
int detect_matcher_compile(const struct detect_rules *rs, struct detect_matcher **out,
                           struct detect_compile_stats *stats, char *err, size_t errlen)
{
    *out = NULL;
    if (errlen)
        err[0] = 0;
    struct detect_matcher *m = mem_calloc(1, sizeof *m);
    if (!m)
        return ERR_NOMEM;
    m->rs = rs;
    for (int r = 0; r < ROUTE_COUNT; r++)
        m->part_routes[route_part(r)] |= ROUTE_BIT(r);
    size_t na = (size_t)rs->natoms + 1;
    m->atom_value = mem_calloc(na, sizeof *m->atom_value);
    m->atom_rule = mem_calloc(na, sizeof *m->atom_rule);
    m->atom_groups = mem_calloc(na, 1);
    m->atom_scanned = mem_calloc(na, 1);
    m->rule_groups = mem_calloc(rs->n ? rs->n : 1, 1);
    struct builder b = {.m = m};
    int rc = ERR_NOMEM;
    if (m->atom_value && m->atom_rule && m->atom_groups && m->atom_scanned && m->rule_groups &&
        (rc = add_rules(&b)) == 0)
        rc = finish(&b, err, errlen);
    builder_fini(&b);
    if (rc) {
        if (rc == ERR_NOMEM && errlen && !err[0])
            snprintf(err, errlen, "out of memory");
        detect_matcher_free(m);
        return rc;
    }
    if (stats)
        *stats = m->stats;
    *out = m;
    return 0;
}

/* See detect.h. */
void detect_matcher_free(struct detect_matcher *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nscans; i++) {
        struct field_scan *f = &m->scans[i];
        mem_free(f->name);
        if (f->db)
            hs_free_database(f->db);
        if (f->re_db)
            hs_free_database(f->re_db);
        mem_free(f->re_targets);
        mem_free(f->proxies);
        for (uint32_t k = 0; f->exact_lit && k < f->npatterns; k++)
            mem_free(f->exact_lit[k]);
        mem_free(f->exact_lit);
        mem_free(f->exact_slot);
        mem_free(f->first);
        mem_free(f->targets);
        mem_free(f->cased);
        mem_free(f->len);
    }
    mem_free(m->scans);
    mem_free(m->by_name);
    mem_free(m->keywords);
    mem_free(m->atom_value);
    mem_free(m->atom_rule);
    mem_free(m->atom_groups);
    mem_free(m->atom_scanned);
    mem_free(m->rule_groups);
    for (int i = 0; i < ROUTE_COUNT; i++)
        mem_free(m->unfiltered[i]);
    if (m->proto)
        hs_free_scratch(m->proto);
    mem_free(m);
}
