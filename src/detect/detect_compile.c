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
 * Rules. With every atom false, a condition is evaluated in three-valued logic, the
 * values the prefilter does not decide being unknown: when it comes out false, the rule
 * can only match after one of its atoms hit (prefiltered); otherwise it is evaluated on
 * every event of its routes (unfiltered: `not selection`, a regex-only selection,
 * `Field: null`).
 */
#include "detect/detect_matcher.h"

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

/* See detect_int.h. */
bool sigma_value_prefilterable(const struct sigma_value *v)
{
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
    struct pair *pairs;
    size_t npairs, pcap;
};

/* Pattern dedup: (scan, flags, expr) -> pattern index, open addressing. */
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
    struct buf tmp;
};

static int scan_index(struct builder *b, const char *name, int32_t *out)
{
    struct detect_matcher *m = b->m;
    for (size_t i = 0; i < m->nscans; i++) /* compile time only: few hundred names */
        if ((!name && !m->scans[i].name) ||
            (name && m->scans[i].name && !strcmp(name, m->scans[i].name))) {
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

/* Adds (or finds) the literal lit[0..n) of scan sc and pairs it with atom and kind. */
static int add_pattern(struct builder *b, int32_t sc, const char *lit, size_t n, bool cased,
                       uint32_t atom, enum target_kind kind)
{
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

/* The patterns of one atom value v (field name or NULL for a keyword). */
static int add_atom(struct builder *b, const char *field, const struct sigma_value *v,
                    uint32_t rule)
{
    struct detect_matcher *m = b->m;
    int32_t sc;
    int rc = scan_index(b, field, &sc);
    if (rc)
        return rc;
    m->scans[sc].routes |= m->rs->routes[rule];
    if (!field)
        m->keywords = sc;
    m->atom_value[v->atom] = v;
    m->atom_rule[v->atom] = rule;
    for (unsigned i = 0; i < v->nstrs; i++) {
        const struct sigma_str *x = &v->strs[i];
        static const uint8_t kinds[] = {
            [SIGMA_STR_EXACT] = TARGET_EXACT, [SIGMA_STR_PREFIX] = TARGET_PREFIX,
            [SIGMA_STR_SUFFIX] = TARGET_SUFFIX, [SIGMA_STR_CONTAINS] = TARGET_CONTAINS,
            [SIGMA_STR_GLOB] = TARGET_VERIFY};
        if (x->kind != SIGMA_STR_GLOB) {
            rc = add_pattern(b, sc, x->s, x->len, v->cased, v->atom, kinds[x->kind]);
        } else {
            char *lit = mem_alloc(x->len + 1);
            if (!lit)
                return ERR_NOMEM;
            size_t n = glob_longest_literal(x->s, x->len, lit);
            rc = add_pattern(b, sc, lit, n, v->cased, v->atom, TARGET_VERIFY);
            mem_free(lit);
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- three-valued conditions ----------------------------------------------------------- */

enum tv { TV_FALSE, TV_TRUE, TV_UNKNOWN };

static enum tv tv_not(enum tv a)
{
    return a == TV_UNKNOWN ? TV_UNKNOWN : a == TV_TRUE ? TV_FALSE : TV_TRUE;
}

static enum tv tv_and(enum tv a, enum tv b)
{
    if (a == TV_FALSE || b == TV_FALSE)
        return TV_FALSE;
    return a == TV_TRUE && b == TV_TRUE ? TV_TRUE : TV_UNKNOWN;
}

static enum tv tv_or(enum tv a, enum tv b)
{
    if (a == TV_TRUE || b == TV_TRUE)
        return TV_TRUE;
    return a == TV_FALSE && b == TV_FALSE ? TV_FALSE : TV_UNKNOWN;
}

/* A predicate with every atom false, its other values unknown. */
static enum tv tv_pred(const struct sigma_pred *p)
{
    enum tv r = p->all ? (p->nvalues ? TV_TRUE : TV_FALSE) : TV_FALSE;
    for (unsigned i = 0; i < p->nvalues; i++) {
        enum tv v = p->values[i].atom ? TV_FALSE : TV_UNKNOWN;
        r = p->all ? tv_and(r, v) : tv_or(r, v);
    }
    return p->neq ? tv_not(r) : r;
}

static enum tv tv_ident(const struct sigma_ident *id)
{
    enum tv any = TV_FALSE;
    for (unsigned g = 0; g < id->ngroups; g++) {
        enum tv all = TV_TRUE;
        for (unsigned i = 0; i < id->groups[g].npreds; i++)
            all = tv_and(all, tv_pred(&id->groups[g].preds[i]));
        any = tv_or(any, all);
    }
    return any;
}

static enum tv tv_cond(const struct sigma_rule *r, const struct sigma_cond *c)
{
    enum tv acc;
    switch (c->kind) {
    case SIGMA_COND_ID:
        return c->nids == 1 && c->ids[0] < r->nidents ? tv_ident(&r->idents[c->ids[0]])
                                                        : TV_FALSE;
    case SIGMA_COND_AND:
        return tv_and(tv_cond(r, c->left), tv_cond(r, c->right));
    case SIGMA_COND_OR:
        return tv_or(tv_cond(r, c->left), tv_cond(r, c->right));
    case SIGMA_COND_NOT:
        return tv_not(tv_cond(r, c->left));
    case SIGMA_COND_ONE_OF:
        acc = TV_FALSE;
        for (unsigned i = 0; i < c->nids; i++)
            acc = tv_or(acc, c->ids[i] < r->nidents ? tv_ident(&r->idents[c->ids[i]])
                                                     : TV_FALSE);
        return acc;
    case SIGMA_COND_ALL_OF:
        acc = c->nids ? TV_TRUE : TV_FALSE;
        for (unsigned i = 0; i < c->nids; i++)
            acc = tv_and(acc, c->ids[i] < r->nidents ? tv_ident(&r->idents[c->ids[i]])
                                                      : TV_FALSE);
        return acc;
    }
    return TV_UNKNOWN;
}

/* True when rule r can only match after one of its atoms hit. */
static bool needs_atom(const struct sigma_rule *r)
{
    return !r->cond || tv_cond(r, r->cond) == TV_FALSE;
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

static int cmp_by_name(const void *a, const void *b)
{
    return strcmp(((const struct scan_name *)a)->name, ((const struct scan_name *)b)->name);
}

/* Compiles scan sc's patterns into its database and lays out its targets. */
static int finish_scan(struct builder *b, size_t sc, char *err, size_t errlen)
{
    struct detect_matcher *m = b->m;
    struct field_scan *f = &m->scans[sc];
    struct scan_build *sb = &b->sb[sc];
    size_t n = sb->npats;
    const char **lits = mem_calloc(n, sizeof *lits);
    size_t *lens = mem_calloc(n, sizeof *lens);
    unsigned *flags = mem_calloc(n, sizeof *flags);
    unsigned *ids = mem_calloc(n, sizeof *ids);
    f->first = mem_calloc(n + 1, sizeof *f->first);
    f->len = mem_calloc(n ? n : 1, sizeof *f->len);
    f->cased = mem_calloc(n ? n : 1, 1);
    f->targets = mem_calloc(sb->npairs ? sb->npairs : 1, sizeof *f->targets);
    int rc = 0;
    if (!lits || !lens || !flags || !ids || !f->first || !f->len || !f->cased || !f->targets) {
        rc = ERR_NOMEM;
        goto out;
    }
    qsort(sb->pairs, sb->npairs, sizeof *sb->pairs, cmp_pair);
    size_t t = 0;
    for (size_t i = 0; i < n; i++)
        flags[i] = HS_FLAG_SINGLEMATCH;
    for (size_t i = 0; i < sb->npairs; i++) {
        const struct pair *p = &sb->pairs[i];
        if (i && p->pattern == p[-1].pattern && p->atom == p[-1].atom && p->kind == p[-1].kind)
            continue;
        if (p->kind == TARGET_SUFFIX || p->kind == TARGET_EXACT)
            flags[p->pattern] = 0; /* the hit that ends the value may not be the first */
        f->targets[t++] = (struct target){p->atom, p->kind};
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
    hs_compile_error_t *ce = NULL;
    if (hs_compile_lit_multi(lits, flags, ids, lens, (unsigned)n, HS_MODE_BLOCK, NULL, &f->db,
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

static int finish(struct builder *b, char *err, size_t errlen)
{
    struct detect_matcher *m = b->m;
    for (size_t i = 0; i < m->nscans; i++) {
        int rc = finish_scan(b, i, err, errlen);
        if (rc)
            return rc;
    }
    m->stats.databases = m->nscans;
    for (size_t i = 0; i < FIELD_MAX_IDS; i++)
        m->by_id[i] = -1;
    m->by_name = mem_calloc(m->nscans ? m->nscans : 1, sizeof *m->by_name);
    if (!m->by_name)
        return ERR_NOMEM;
    for (size_t i = 0; i < m->nscans; i++) {
        const char *name = m->scans[i].name;
        if (!name)
            continue;
        m->by_name[m->nby_name++] = (struct scan_name){name, (uint32_t)i};
        uint16_t id = field_lookup(name, strlen(name));
        if (id != FIELD_NONE && id != FIELD_EXTRA && id < FIELD_MAX_IDS)
            m->by_id[id] = (int32_t)i;
    }
    qsort(m->by_name, m->nby_name, sizeof *m->by_name, cmp_by_name);
    return 0;
}

static void builder_fini(struct builder *b)
{
    for (size_t i = 0; b->m && i < b->m->nscans; i++) {
        for (size_t k = 0; k < b->sb[i].npats; k++)
            mem_free(b->sb[i].pats[k].lit);
        mem_free(b->sb[i].pats);
        mem_free(b->sb[i].pairs);
    }
    mem_free(b->sb);
    mem_free(b->slots);
    buf_fini(&b->tmp);
}

static int add_rules(struct builder *b)
{
    struct detect_matcher *m = b->m;
    const struct detect_rules *rs = m->rs;
    for (size_t ri = 0; ri < rs->n; ri++) {
        const struct sigma_rule *r = &rs->rules[ri];
        if (!rs->routes[ri])
            continue; /* no route feeds it: it can never see an event */
        for (unsigned i = 0; i < r->nidents; i++)
            for (unsigned g = 0; g < r->idents[i].ngroups; g++)
                for (unsigned k = 0; k < r->idents[i].groups[g].npreds; k++) {
                    const struct sigma_pred *p = &r->idents[i].groups[g].preds[k];
                    for (unsigned j = 0; j < p->nvalues; j++) {
                        if (!p->values[j].atom)
                            continue;
                        int rc = add_atom(b, p->field, &p->values[j], (uint32_t)ri);
                        if (rc)
                            return rc;
                        m->stats.atoms++;
                    }
                }
        if (needs_atom(r)) {
            m->stats.prefiltered++;
            continue;
        }
        m->stats.unfiltered++;
        for (int rt = 0; rt < ROUTE_COUNT; rt++) {
            if (!(rs->routes[ri] & ROUTE_BIT(rt)))
                continue;
            uint32_t *nl = mem_realloc(m->unfiltered[rt],
                                       (m->nunfiltered[rt] + 1) * sizeof *nl);
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
    m->keywords = -1;
    size_t na = (size_t)rs->natoms + 1;
    m->atom_value = mem_calloc(na, sizeof *m->atom_value);
    m->atom_rule = mem_calloc(na, sizeof *m->atom_rule);
    struct builder b = {.m = m};
    buf_init(&b.tmp, 4 * (size_t)SIGMA_MAX_VALUE + 16); /* \xHH per byte, anchors */
    int rc = ERR_NOMEM;
    if (m->atom_value && m->atom_rule && (rc = add_rules(&b)) == 0)
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
        mem_free(f->first);
        mem_free(f->targets);
        mem_free(f->cased);
        mem_free(f->len);
    }
    mem_free(m->scans);
    mem_free(m->by_name);
    mem_free(m->atom_value);
    mem_free(m->atom_rule);
    for (int i = 0; i < ROUTE_COUNT; i++)
        mem_free(m->unfiltered[i]);
    if (m->proto)
        hs_free_scratch(m->proto);
    mem_free(m);
}
