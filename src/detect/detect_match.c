/*
 * detect_match.c — the compiled matcher's per-event loop (see detect_matcher.h): scan
 * each field value through the Hyperscan database of its name (and of the names its
 * route aliases give it), mark the atoms that hit and their rules as candidates, add
 * the unfiltered rules of the event's routes, then evaluate the candidates' conditions
 * in rule order with the atoms' verdicts (sigma_rule_eval).
 *
 * Per-thread state lives in struct detect_scratch, sized at creation: a Hyperscan
 * scratch, a stamp per atom and per rule (compared with a generation number, so nothing
 * is cleared between events), the candidate list and a buffer for folded values. A
 * value with non-ASCII bytes is scanned twice: as it is for the case-sensitive patterns,
 * and folded by sigma_fold for the case-insensitive ones (Hyperscan folds ASCII only).
 */
#include "detect/detect_matcher.h"
#include "detect/sigma_encode.h"

#include <stdlib.h>
#include <string.h>

struct detect_scratch {
    const struct detect_matcher *m;
    hs_scratch_t *hs;
    uint32_t gen;
    uint32_t *atom_stamp; /* natoms + 1 */
    uint32_t *rule_stamp; /* n rules */
    uint32_t *cands;
    size_t ncands;
    char *fold;           /* 2 * EVENT_MAX_RECORD + 4 bytes */
    size_t foldcap;
    /* the value being scanned, for the hit callback */
    const struct field_scan *scan;
    struct slice value;  /* as it is in the event */
    size_t scanned;      /* length of what is scanned (the value, or its fold) */
    int mode; /* SCAN_* */
};

enum { SCAN_ALL, SCAN_CASED, SCAN_CASELESS };

/* See detect.h. */
struct detect_scratch *detect_scratch_new(const struct detect_matcher *m)
{
    struct detect_scratch *s = mem_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->m = m;
    s->atom_stamp = mem_calloc((size_t)m->rs->natoms + 1, sizeof *s->atom_stamp);
    s->rule_stamp = mem_calloc(m->rs->n ? m->rs->n : 1, sizeof *s->rule_stamp);
    s->cands = mem_calloc(m->rs->n ? m->rs->n : 1, sizeof *s->cands);
    s->foldcap = 2 * (size_t)EVENT_MAX_RECORD + 4;
    s->fold = mem_alloc(s->foldcap);
    if (!s->atom_stamp || !s->rule_stamp || !s->cands || !s->fold ||
        (m->proto && hs_clone_scratch(m->proto, &s->hs) != HS_SUCCESS)) {
        detect_scratch_free(s);
        return NULL;
    }
    return s;
}

/* See detect.h. */
void detect_scratch_free(struct detect_scratch *s)
{
    if (!s)
        return;
    if (s->hs)
        hs_free_scratch(s->hs);
    mem_free(s->atom_stamp);
    mem_free(s->rule_stamp);
    mem_free(s->cands);
    mem_free(s->fold);
    mem_free(s);
}

static void next_generation(struct detect_scratch *s)
{
    if (++s->gen == 0) { /* wrapped: forget every stamp */
        memset(s->atom_stamp, 0, ((size_t)s->m->rs->natoms + 1) * sizeof *s->atom_stamp);
        memset(s->rule_stamp, 0, s->m->rs->n * sizeof *s->rule_stamp);
        s->gen = 1;
    }
    s->ncands = 0;
}

static void propose(struct detect_scratch *s, uint32_t rule)
{
    if (s->rule_stamp[rule] != s->gen) {
        s->rule_stamp[rule] = s->gen;
        s->cands[s->ncands++] = rule;
    }
}

static int on_hit(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                  void *ctx)
{
    (void)from;
    (void)flags;
    struct detect_scratch *s = ctx;
    const struct field_scan *f = s->scan;
    const struct detect_matcher *m = s->m;
    if ((s->mode == SCAN_CASED && !f->cased[id]) || (s->mode == SCAN_CASELESS && f->cased[id]))
        return 0;
    bool at_start = to == f->len[id], at_end = to == s->scanned;
    for (uint32_t k = f->first[id]; k < f->first[id + 1]; k++) {
        const struct target *t = &f->targets[k];
        if (s->atom_stamp[t->atom] == s->gen)
            continue;
        switch (t->kind) {
        case TARGET_CONTAINS:
            break;
        case TARGET_PREFIX:
            if (!at_start)
                continue;
            break;
        case TARGET_SUFFIX:
            if (!at_end)
                continue;
            break;
        case TARGET_EXACT:
            if (!at_start || !at_end)
                continue;
            break;
        default: /* TARGET_VERIFY */
            if (!sigma_value_match(m->atom_value[t->atom], s->value.p ? s->value.p : "",
                                   s->value.len))
                continue;
        }
        s->atom_stamp[t->atom] = s->gen;
        propose(s, m->atom_rule[t->atom]);
    }
    return 0;
}

static bool is_ascii(const char *p, size_t n)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, u + i, 8);
        if (w & 0x8080808080808080ULL)
            return false;
    }
    for (; i < n; i++)
        if (u[i] & 0x80)
            return false;
    return true;
}

/* Scans value v through scan f; ERR_IO when Hyperscan fails. */
static int scan_value(struct detect_scratch *s, const struct field_scan *f, struct slice v)
{
    if (!v.len || !f->db)
        return 0;
    s->scan = f;
    s->value = v;
    s->scanned = v.len;
    if (is_ascii(v.p, v.len)) {
        s->mode = SCAN_ALL;
        return hs_scan(f->db, v.p, (unsigned)v.len, 0, s->hs, on_hit, s) == HS_SUCCESS ? 0
                                                                                    : ERR_IO;
    }
    if (f->any_cased) {
        s->mode = SCAN_CASED;
        if (hs_scan(f->db, v.p, (unsigned)v.len, 0, s->hs, on_hit, s) != HS_SUCCESS)
            return ERR_IO;
    }
    size_t n = v.len;
    if (n > (s->foldcap - 4) / 2)
        n = (s->foldcap - 4) / 2; /* cannot happen: values are inside a record */
    size_t fn = sigma_fold(v.p, n, s->fold, s->foldcap);
    s->mode = SCAN_CASELESS;
    s->scanned = fn;
    return hs_scan(f->db, s->fold, (unsigned)fn, 0, s->hs, on_hit, s) == HS_SUCCESS ? 0 : ERR_IO;
}

static int cmp_name(const void *key, const void *elem)
{
    const struct slice *k = key;
    const char *n = ((const struct scan_name *)elem)->name;
    size_t nl = strlen(n);
    int c = memcmp(k->p, n, k->len < nl ? k->len : nl);
    return c ? c : (k->len > nl) - (k->len < nl);
}

/* The scan for an event field, or NULL. */
static const struct field_scan *scan_of(const struct detect_matcher *m,
                                        const struct event_field *f)
{
    if (f->id != FIELD_EXTRA) {
        int32_t i = f->id < FIELD_MAX_IDS ? m->by_id[f->id] : -1;
        return i >= 0 ? &m->scans[i] : NULL;
    }
    if (!f->name.len || !m->nby_name)
        return NULL;
    const struct scan_name *hit =
        bsearch(&f->name, m->by_name, m->nby_name, sizeof *m->by_name, cmp_name);
    return hit ? &m->scans[hit->scan] : NULL;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int scan_event(const struct detect_matcher *m, struct detect_scratch *s,
                      const struct event *ev)
{
    uint64_t routes = ev->routes;
    int rc = 0;
    for (unsigned i = 0; i < ev->nfields && !rc; i++) {
        const struct field_scan *f = scan_of(m, &ev->fields[i]);
        if (f && (f->routes & routes))
            rc = scan_value(s, f, ev->fields[i].value);
    }
    for (const struct field_alias *a = ev->aliases; a && a->alias && !rc; a++) {
        int32_t k = a->alias < FIELD_MAX_IDS ? m->by_id[a->alias] : -1;
        if (k < 0 || !(m->scans[k].routes & routes))
            continue;
        for (unsigned i = 0; i < ev->nfields && !rc; i++)
            if (ev->fields[i].id == a->target)
                rc = scan_value(s, &m->scans[k], ev->fields[i].value);
    }
    if (m->keywords >= 0 && (m->scans[m->keywords].routes & routes) && !rc) {
        const struct field_scan *f = &m->scans[m->keywords];
        rc = scan_value(s, f, ev->text.p ? ev->text : ev->raw);
        for (unsigned i = 0; i < ev->nfields && !rc; i++)
            rc = scan_value(s, f, ev->fields[i].value);
    }
    return rc;
}

/* See detect.h. */
int detect_match(const struct detect_matcher *m, struct detect_scratch *s, const struct event *ev,
                 detect_match_fn fn, void *ctx)
{
    const struct detect_rules *rs = m->rs;
    if (!ev->routes)
        return 0; /* every rule has routes: none sees an unrouted event */
    next_generation(s);
    if (scan_event(m, s, ev)) {
        detect_match_all(rs, ev, fn, ctx);
        return ERR_IO;
    }
    for (int rt = 0; rt < ROUTE_COUNT; rt++)
        if (ev->routes & ROUTE_BIT(rt))
            for (uint32_t i = 0; i < m->nunfiltered[rt]; i++)
                propose(s, m->unfiltered[rt][i]);
    if (s->ncands > 1)
        qsort(s->cands, s->ncands, sizeof *s->cands, cmp_u32);
    struct sigma_atoms at = {s->atom_stamp, s->gen};
    for (size_t i = 0; i < s->ncands; i++) {
        uint32_t r = s->cands[i];
        if ((rs->routes[r] & ev->routes) && sigma_rule_eval(&rs->rules[r], ev, &at) && fn &&
            fn(ctx, r, ev))
            break;
    }
    return 0;
}
