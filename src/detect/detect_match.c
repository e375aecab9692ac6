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
#include "detect/detect_memo.h"
#include "detect/sigma_encode.h"

#include <stdlib.h>
#include <string.h>

/* What one event has done to a rule so far, in one place (a hit touches one line). */
struct rule_state {
    uint32_t proposed; /* the generation in which it became a candidate */
    uint32_t gen;      /* mask is of this generation */
    uint8_t mask;      /* the trigger groups that had a hit */
    uint8_t full;      /* detect_matcher.rule_groups: every group */
};

struct detect_scratch {
    const struct detect_matcher *m;
    hs_scratch_t *hs;
    uint32_t gen;
    uint32_t *atom_stamp;    /* natoms + 1 */
    struct rule_state *rule; /* n rules */
    uint32_t *cands;
    size_t ncands;
    char *fold; /* 2 * EVENT_MAX_RECORD + 4 bytes */
    size_t foldcap;
    /* the value being scanned, for the hit callback */
    const struct field_scan *scan;
    struct slice value;                /* as it is in the event */
    size_t scanned;                    /* length of what is scanned (the value, or its fold) */
    int mode;                          /* SCAN_* */
    const struct field_scan **kwscans; /* the keyword scans of this event's routes */
    route_set routes;                  /* the event's: a hit proposes only rules that may see it */
    struct scan_memo *memo;
    bool rec; /* the value being scanned is being remembered */
    /* an event's values joined by NULs, for its keyword scans (keywords_in_values_only):
     * EVENT_MAX_RECORD bytes, no more than s->fold can fold */
    char *join;
    const struct event *joined; /* the event whose values are being scanned joined, or NULL */
    struct field_index *index;  /* the event's fields, for the evaluator */
};

/* The memo of each thread: 16,384 slots over 8 MB of records */
#define MEMO_SLOT_BITS 14
#define MEMO_RING_BITS 23

/* Which literals a scan may report: all (an ASCII value), the cased ones (a value with
 * other bytes, as it is) or the caseless ones (its fold). */
enum { SCAN_ALL, SCAN_CASED, SCAN_CASELESS };

/* See detect.h. */
struct detect_scratch *detect_scratch_new(const struct detect_matcher *m)
{
    struct detect_scratch *s = mem_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->m = m;
    s->atom_stamp = mem_calloc((size_t)m->rs->natoms + 1, sizeof *s->atom_stamp);
    s->rule = mem_calloc(m->rs->n ? m->rs->n : 1, sizeof *s->rule);
    s->cands = mem_calloc(m->rs->n ? m->rs->n : 1, sizeof *s->cands);
    s->foldcap = 2 * (size_t)EVENT_MAX_RECORD + 4;
    s->fold = mem_alloc(s->foldcap);
    s->kwscans = mem_calloc((size_t)m->nkeywords + 1, sizeof *s->kwscans);
    s->join = mem_alloc(EVENT_MAX_RECORD);
    s->memo = scan_memo_new(MEMO_SLOT_BITS, MEMO_RING_BITS);
    s->index = mem_calloc(1, sizeof *s->index);
    if (!s->memo || !s->index || !s->atom_stamp || !s->rule || !s->cands || !s->fold || !s->kwscans ||
        !s->join || (m->proto && hs_clone_scratch(m->proto, &s->hs) != HS_SUCCESS)) {
        detect_scratch_free(s);
        return NULL;
    }
    for (size_t i = 0; i < m->rs->n; i++)
        s->rule[i].full = m->rule_groups[i];
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
    mem_free(s->rule);
    mem_free(s->cands);
    mem_free(s->fold);
    mem_free(s->kwscans);
    mem_free(s->join);
    scan_memo_free(s->memo);
    mem_free(s->index);
    mem_free(s);
}

/* See detect.h. */
void detect_scratch_memo_counts(const struct detect_scratch *s, uint64_t *lookups, uint64_t *found)
{
    scan_memo_counts(s->memo, lookups, found);
}

/* See detect.h. */
void detect_scratch_forget(struct detect_scratch *s)
{
    scan_memo_forget(s->memo);
}

static void next_generation(struct detect_scratch *s)
{
    if (++s->gen == 0) { /* wrapped: forget every stamp */
        memset(s->atom_stamp, 0, ((size_t)s->m->rs->natoms + 1) * sizeof *s->atom_stamp);
        for (size_t i = 0; i < s->m->rs->n; i++)
            s->rule[i].proposed = s->rule[i].gen = 0;
        s->gen = 1;
    }
    s->ncands = 0;
}

static void propose(struct detect_scratch *s, uint32_t rule)
{
    if (s->rule[rule].proposed != s->gen) {
        s->rule[rule].proposed = s->gen;
        s->cands[s->ncands++] = rule;
    }
}

/* Nothing left to do for target t on this event: its rule cannot see the event, or its
 * atom already held. (The routes first: most targets of a common value, `\cmd.exe` in
 * Image, belong to rules of other routes, whose atoms' stamps need not be read.) */
static bool settled(const struct detect_scratch *s, const struct target *t)
{
    return !(t->routes & s->routes) || s->atom_stamp[t->atom] == s->gen;
}

/* The atom of target t holds for this event (its rule may see it): a step towards its
 * rule's candidacy. */
static void hold(struct detect_scratch *s, const struct target *t)
{
    s->atom_stamp[t->atom] = s->gen;
    uint32_t r = t->rule;
    if (!t->groups)
        return;
    struct rule_state *st = &s->rule[r];
    if (st->gen != s->gen) {
        st->gen = s->gen;
        st->mask = 0;
    }
    st->mask |= t->groups;
    if (st->mask == st->full)
        propose(s, r);
}

/* Target t holds for the value being scanned (held: settled for this event): remember
 * it with the value, and hold it. */
static void take(struct detect_scratch *s, const struct target *t, bool held)
{
    if (s->rec)
        scan_memo_add(s->memo, t);
    if (!held)
        hold(s, t);
}

/* A glob keyword hit in the joined values: does the glob match one of them whole? */
static bool verify_joined(const struct detect_scratch *s, uint32_t atom)
{
    const struct event *ev = s->joined;
    for (unsigned i = 0; i < ev->nfields; i++) {
        struct slice v = ev->fields[i].value;
        if (sigma_value_match(s->m->atom_value[atom], v.p ? v.p : "", v.len))
            return true;
    }
    return false;
}

/* Literal id of the scan was found in raw (a value), at its start and/or its end. */
static void literal_found(struct detect_scratch *s, const struct field_scan *f, unsigned id,
                          bool at_start, bool at_end, struct slice raw)
{
    for (uint32_t k = f->first[id]; k < f->first[id + 1]; k++) {
        const struct target *t = &f->targets[k];
        bool held = settled(s, t);
        if (held && !s->rec)
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
            if (s->joined
                    ? !verify_joined(s, t->atom)
                    : !sigma_value_match(s->m->atom_value[t->atom], raw.p ? raw.p : "", raw.len))
                continue;
        }
        take(s, t, held);
    }
}

static int on_hit(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                  void *ctx)
{
    (void)from;
    (void)flags;
    struct detect_scratch *s = ctx;
    const struct field_scan *f = s->scan;
    int mode = s->mode;
    if ((mode == SCAN_CASED && !f->cased[id]) || (mode == SCAN_CASELESS && f->cased[id]))
        return 0;
    literal_found(s, f, id, to == f->len[id], to == s->scanned, s->value);
    return 0;
}

/* The whole value v (folded: fv, its fold) in the scan's table of exact literals. */
static void lookup_exact(struct detect_scratch *s, const struct field_scan *f, struct slice v,
                         struct slice fv, bool cased)
{
    struct slice k = cased ? v : fv;
    size_t j = hash64(k.p, k.len, cased) & f->exact_mask;
    for (uint32_t id; (id = f->exact_slot[j]) != 0; j = (j + 1) & f->exact_mask) {
        id--;
        if (f->len[id] == k.len && f->cased[id] == cased && !memcmp(f->exact_lit[id], k.p, k.len))
            literal_found(s, f, id, true, true, v);
    }
}

/* A regex atom's prefilter hit: PCRE2 decides. */
static int on_re_hit(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                     void *ctx)
{
    (void)from;
    (void)to;
    (void)flags;
    struct detect_scratch *s = ctx;
    const struct target *t = &s->scan->re_targets[id];
    bool held = settled(s, t);
    if ((!held || s->rec) && sigma_value_match(s->m->atom_value[t->atom], s->value.p, s->value.len))
        take(s, t, held);
    return 0;
}

/* The regexes of f over v: through the prefilter when the value is ASCII (where its
 * bytes are PCRE2's characters), else each by PCRE2. */
static int scan_regexes(struct detect_scratch *s, const struct field_scan *f, struct slice v,
                        bool ascii)
{
    s->scan = f;
    s->value = v;
    if (ascii && f->re_db)
        return hs_scan(f->re_db, v.p, (unsigned)v.len, 0, s->hs, on_re_hit, s) == HS_SUCCESS
                   ? 0
                   : ERR_IO;
    for (uint32_t i = 0; i < f->nre; i++) {
        const struct target *t = &f->re_targets[i];
        bool held = settled(s, t);
        if ((!held || s->rec) && sigma_value_match(s->m->atom_value[t->atom], v.p, v.len))
            take(s, t, held);
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

/* A value with bytes beyond ASCII: every regex looked for by a literal is proposed (see
 * field_scan.proxies). */
static void take_proxies(struct detect_scratch *s, const struct field_scan *f)
{
    for (uint32_t i = 0; i < f->nproxies; i++)
        take(s, &f->proxies[i], settled(s, &f->proxies[i]));
}

/* Runs f's literal database over raw (a value, or joined values): once when raw is ASCII
 * (folded is then SLICE_NULL), else over raw for the case-sensitive literals and over
 * folded, its fold, for the others. ERR_IO when Hyperscan fails. */
static int scan_literals(struct detect_scratch *s, const struct field_scan *f, struct slice raw,
                         struct slice folded)
{
    s->scan = f;
    s->value = raw;
    s->scanned = raw.len;
    if (!folded.p) {
        s->mode = SCAN_ALL;
        return hs_scan(f->db, raw.p, (unsigned)raw.len, 0, s->hs, on_hit, s) == HS_SUCCESS
                   ? 0
                   : ERR_IO;
    }
    if (f->any_cased) {
        s->mode = SCAN_CASED;
        if (hs_scan(f->db, raw.p, (unsigned)raw.len, 0, s->hs, on_hit, s) != HS_SUCCESS)
            return ERR_IO;
    }
    s->mode = SCAN_CASELESS;
    s->scanned = folded.len;
    return hs_scan(f->db, folded.p, (unsigned)folded.len, 0, s->hs, on_hit, s) == HS_SUCCESS
               ? 0
               : ERR_IO;
}

/* Scans value v through scan f; ERR_IO when Hyperscan fails. */
static int scan_value_now(struct detect_scratch *s, const struct field_scan *f, struct slice v)
{
    bool ascii = is_ascii(v.p, v.len);
    if (f->nre && scan_regexes(s, f, v, ascii))
        return ERR_IO;
    if (!ascii)
        take_proxies(s, f);
    struct slice fv = SLICE_NULL;
    /* the table only when a literal has the value's length (a fold may change it) */
    bool exact =
        f->exact_slot && (!ascii || v.len >= 256 || (f->exact_lens[v.len / 8] >> (v.len % 8) & 1));
    if (!ascii || (exact && f->exact_caseless)) {
        size_t n = v.len;
        if (n > (s->foldcap - 4) / 2)
            n = (s->foldcap - 4) / 2; /* cannot happen: values are inside a record */
        fv = slice_make(s->fold, sigma_fold(v.p, n, s->fold, s->foldcap));
    }
    if (exact) {
        if (f->exact_cased)
            lookup_exact(s, f, v, fv, true);
        if (f->exact_caseless)
            lookup_exact(s, f, v, fv, false);
    }
    return f->db ? scan_literals(s, f, v, ascii ? SLICE_NULL : fv) : 0;
}

/* Scans value v through scan f, or takes what the memo remembers of it; ERR_IO when
 * Hyperscan fails. */
static int scan_value(struct detect_scratch *s, const struct field_scan *f, struct slice v)
{
    if (!v.len)
        return 0; /* no atom matches an empty value (they need a byte or more) */
    uint32_t scan = (uint32_t)(f - s->m->scans);
    uint64_t h = scan_memo_hash(scan, v);
    const struct target *const *t;
    int n = scan_memo_find(s->memo, h, scan, v, &t);
    if (n >= 0) {
        for (int i = 0; i < n; i++)
            if (!settled(s, t[i]))
                hold(s, t[i]);
        return 0;
    }
    s->rec = scan_memo_start(s->memo, h, scan, v);
    int rc = scan_value_now(s, f, v);
    if (s->rec)
        scan_memo_end(s->memo, rc == 0);
    s->rec = false;
    return rc;
}

/* An event's values joined by NULs, for its keyword scans (keywords_in_values_only). */
struct joined {
    struct slice raw;    /* in s->join */
    struct slice folded; /* in s->fold: each value with bytes beyond ASCII folded
                          * (sigma_fold), the others as they are (Hyperscan folds ASCII);
                          * SLICE_NULL when every value is ASCII */
};

/* Joins ev's values into *j; false when they do not fit. */
static bool join_values(struct detect_scratch *s, const struct event *ev, struct joined *j)
{
    size_t o = 0;
    for (unsigned i = 0; i < ev->nfields; i++) {
        struct slice v = ev->fields[i].value;
        if (o >= EVENT_MAX_RECORD || v.len >= EVENT_MAX_RECORD - o)
            return false;
        if (v.len)
            memcpy(s->join + o, v.p, v.len);
        o += v.len;
        s->join[o++] = 0;
    }
    j->raw = slice_make(s->join, o);
    j->folded = SLICE_NULL;
    if (is_ascii(s->join, o))
        return true;
    o = 0;
    for (unsigned i = 0; i < ev->nfields; i++) {
        struct slice v = ev->fields[i].value;
        if (s->foldcap - o < 2 * v.len + 5)
            return false; /* cannot happen: twice the record and a byte a value fit */
        if (is_ascii(v.p, v.len)) {
            if (v.len)
                memcpy(s->fold + o, v.p, v.len);
            o += v.len;
        } else {
            o += sigma_fold(v.p, v.len, s->fold + o, s->foldcap - o);
        }
        s->fold[o++] = 0;
    }
    j->folded = slice_make(s->fold, o);
    return true;
}

/* Scans the joined values j of ev through keyword scan f; ERR_IO when Hyperscan fails. */
static int scan_joined(struct detect_scratch *s, const struct field_scan *f,
                       const struct event *ev, const struct joined *j)
{
    if (j->folded.p)
        take_proxies(s, f);
    if (!f->db)
        return 0;
    s->joined = ev;
    int rc = scan_literals(s, f, j->raw, j->folded);
    s->joined = NULL;
    return rc;
}

/*
 * Keywords look at the text and at every value: the text is scanned, then each value
 * that is not a piece of it (a keyword is always `*...*`, so it is found in a value
 * only where it is found in a text holding that value). Values go through the memo like
 * any other; the text, different in every event, does not. Where keywords look at the
 * values alone (keywords_in_values_only), the values are scanned at once, joined.
 */
static int scan_keywords(struct detect_scratch *s, const struct field_scan *const *fs, unsigned nfs,
                         const struct event *ev)
{
    struct slice text = ev->text.p ? ev->text : ev->raw;
    struct joined all;
    bool joined = false;
    if (keywords_in_values_only(ev)) {
        text = SLICE_NULL;
        joined = join_values(s, ev, &all);
    }
    int rc = 0;
    for (unsigned k = 0; k < nfs && !rc; k++) {
        if (joined && fs[k]->joinable) {
            rc = scan_joined(s, fs[k], ev, &all);
            continue;
        }
        rc = text.len ? scan_value_now(s, fs[k], text) : 0;
        for (unsigned i = 0; i < ev->nfields && !rc; i++) {
            struct slice v = ev->fields[i].value;
            if (!text.p || v.p < text.p || v.p + v.len > text.p + text.len)
                rc = scan_value(s, fs[k], v);
        }
    }
    return rc;
}

/* The scan for an event field in part of the routes, or NULL. */
static const struct field_scan *scan_of(const struct detect_matcher *m, uint32_t part,
                                        const struct event_field *f)
{
    if (f->id != FIELD_EXTRA) {
        int32_t i = f->id < FIELD_MAX_IDS ? m->by_id[part][f->id] : -1;
        return i >= 0 ? &m->scans[i] : NULL;
    }
    unsigned k = name_sketch(f->name.p, f->name.len);
    if (!(m->name_sketches[k / 64] >> (k % 64) & 1))
        return NULL; /* no scan has a name like it */
    size_t j = hash64(f->name.p, f->name.len, 0) & m->by_name_mask;
    for (const struct scan_name *e; (e = &m->by_name[j])->name; j = (j + 1) & m->by_name_mask)
        if (e->part == part && e->len == f->name.len &&
            memcmp(e->name, f->name.p, f->name.len) == 0)
            return &m->scans[e->scan];
    return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Scans ev's field values (and those its aliases name) through the field scans of one
 * part of the routes. */
static int scan_fields(const struct detect_matcher *m, struct detect_scratch *s, uint32_t part,
                       const struct event *ev)
{
    route_set routes = ev->routes;
    int rc = 0;
    for (unsigned i = 0; i < ev->nfields && !rc; i++) {
        const struct field_scan *f = scan_of(m, part, &ev->fields[i]);
        if (f && (f->routes & routes))
            rc = scan_value(s, f, ev->fields[i].value);
    }
    for (const struct field_alias *a = ev->aliases; a && a->alias && !rc; a++) {
        int32_t k = a->alias < FIELD_MAX_IDS ? m->by_id[part][a->alias] : -1;
        if (k < 0 || !(m->scans[k].routes & routes))
            continue;
        for (unsigned i = 0; i < ev->nfields && !rc; i++)
            if (ev->fields[i].id == a->target)
                rc = scan_value(s, &m->scans[k], ev->fields[i].value);
    }
    return rc;
}

static int scan_event(const struct detect_matcher *m, struct detect_scratch *s,
                      const struct event *ev)
{
    route_set routes = ev->routes;
    int rc = 0;
    for (uint32_t p = 0; p < SCAN_PARTS && !rc; p++) /* one part, nearly always */
        if (routes & m->part_routes[p])
            rc = scan_fields(m, s, p, ev);
    unsigned nkw = 0;
    for (uint32_t i = 0; i < m->nkeywords; i++)
        if (m->scans[m->keywords[i]].routes & routes)
            s->kwscans[nkw++] = &m->scans[m->keywords[i]];
    if (nkw && !rc)
        rc = scan_keywords(s, s->kwscans, nkw, ev);
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
    s->routes = ev->routes;
    if (scan_event(m, s, ev)) {
        detect_match_all(rs, ev, fn, ctx);
        return ERR_IO;
    }
    for (route_set left = ev->routes; left; left &= left - 1) { /* each route of the event */
        uint64_t lo = (uint64_t)left;
        int rt = lo ? __builtin_ctzll(lo) : 64 + __builtin_ctzll((uint64_t)(left >> 64));
        for (uint32_t i = 0; rt < ROUTE_COUNT && i < m->nunfiltered[rt]; i++)
            propose(s, m->unfiltered[rt][i]);
    }
    if (s->ncands > 16)
        qsort(s->cands, s->ncands, sizeof *s->cands, cmp_u32);
    else /* a few, the common case: insertion sort, no calls */
        for (size_t i = 1; i < s->ncands; i++) {
            uint32_t x = s->cands[i];
            size_t j = i;
            for (; j && s->cands[j - 1] > x; j--)
                s->cands[j] = s->cands[j - 1];
            s->cands[j] = x;
        }
    if (s->ncands)
        field_index_build(s->index, ev);
    struct sigma_atoms at = {s->atom_stamp, s->gen, m->atom_scanned, s->index};
    for (size_t i = 0; i < s->ncands; i++) {
        uint32_t r = s->cands[i];
        if (sigma_rule_eval(&rs->rules[r], ev, &at) && fn && fn(ctx, r, ev))
            break;
    }
    return 0;
}
