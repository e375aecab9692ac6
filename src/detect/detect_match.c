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
    uint32_t *rule_stamp; /* n rules: proposed in this generation */
    uint32_t *rule_gen;   /* n rules: rule_mask is of this generation */
    uint8_t *rule_mask;   /* n rules: the trigger groups that had a hit */
    uint32_t *cands;
    size_t ncands;
    char *fold; /* 2 * EVENT_MAX_RECORD + 4 bytes */
    size_t foldcap;
    /* the value being scanned, for the hit callback */
    const struct field_scan *scan;
    struct slice value; /* as it is in the event */
    size_t scanned;     /* length of what is scanned (the value, or its fold) */
    int mode;           /* SCAN_* */
    /* the keyword scan covers the text and every value in one buffer of segments: a hit
     * counts inside one segment only (nseg 0: one value, the whole of what is scanned) */
    unsigned nseg;
    uint32_t seg_start[EVENT_MAX_FIELDS + 1], seg_end[EVENT_MAX_FIELDS + 1];
    struct slice seg_raw[EVENT_MAX_FIELDS + 1];
    bool seg_ascii[EVENT_MAX_FIELDS + 1];
    char *kw;                          /* the segments as they are, then folded */
    const struct field_scan **kwscans; /* the keyword scans of this event's routes */
    size_t kwcap;
    uint64_t routes; /* the event's: a hit proposes only rules that may see it */
};

/* Which literals a scan may report: all (an ASCII value), the cased ones (a value with
 * other bytes, as it is), the caseless ones (its fold), or per segment (keywords). */
enum { SCAN_ALL, SCAN_CASED, SCAN_CASELESS, SCAN_MIXED };

/* The keyword buffer: the segments, then their fold (at most twice as long, plus 4). */
#define KW_CAP (6 * (size_t)EVENT_MAX_RECORD + 64)

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
    s->rule_gen = mem_calloc(m->rs->n ? m->rs->n : 1, sizeof *s->rule_gen);
    s->rule_mask = mem_calloc(m->rs->n ? m->rs->n : 1, 1);
    s->foldcap = 2 * (size_t)EVENT_MAX_RECORD + 4;
    s->fold = mem_alloc(s->foldcap);
    s->kwcap = KW_CAP;
    s->kw = mem_alloc(s->kwcap);
    s->kwscans = mem_calloc((size_t)m->nkeywords + 1, sizeof *s->kwscans);
    if (!s->atom_stamp || !s->rule_stamp || !s->cands || !s->fold || !s->rule_gen || !s->kw ||
        !s->kwscans || !s->rule_mask ||
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
    mem_free(s->rule_gen);
    mem_free(s->rule_mask);
    mem_free(s->fold);
    mem_free(s->kw);
    mem_free(s->kwscans);
    mem_free(s);
}

static void next_generation(struct detect_scratch *s)
{
    if (++s->gen == 0) { /* wrapped: forget every stamp */
        memset(s->atom_stamp, 0, ((size_t)s->m->rs->natoms + 1) * sizeof *s->atom_stamp);
        memset(s->rule_stamp, 0, s->m->rs->n * sizeof *s->rule_stamp);
        memset(s->rule_gen, 0, s->m->rs->n * sizeof *s->rule_gen);
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

/* The atom of target t holds for this event: a step towards its rule's candidacy. */
static void hold(struct detect_scratch *s, const struct target *t)
{
    s->atom_stamp[t->atom] = s->gen;
    uint32_t r = t->rule;
    if (!t->groups || !(t->routes & s->routes))
        return;
    if (s->rule_gen[r] != s->gen) {
        s->rule_gen[r] = s->gen;
        s->rule_mask[r] = 0;
    }
    s->rule_mask[r] |= t->groups;
    if (s->rule_mask[r] == s->m->rule_groups[r])
        propose(s, r);
}

/* Literal id of the scan was found in raw (a value), at its start and/or its end. */
static void literal_found(struct detect_scratch *s, const struct field_scan *f, unsigned id,
                          bool at_start, bool at_end, struct slice raw)
{
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
            if (!sigma_value_match(s->m->atom_value[t->atom], raw.p ? raw.p : "", raw.len))
                continue;
        }
        hold(s, t);
    }
}

static int on_hit(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                  void *ctx)
{
    (void)from;
    (void)flags;
    struct detect_scratch *s = ctx;
    const struct field_scan *f = s->scan;
    size_t len = f->len[id], lo = 0, hi = s->scanned;
    struct slice raw = s->value;
    int mode = s->mode;
    if (s->nseg) { /* the segment the hit ends in; a hit across two is none */
        unsigned a = 0, b = s->nseg;
        while (a < b) {
            unsigned mid = (a + b) / 2;
            if (s->seg_end[mid] < to)
                a = mid + 1;
            else
                b = mid;
        }
        if (a == s->nseg || to - len < s->seg_start[a])
            return 0;
        lo = s->seg_start[a], hi = s->seg_end[a], raw = s->seg_raw[a];
        if (mode == SCAN_MIXED)
            mode = s->seg_ascii[a] ? SCAN_ALL : SCAN_CASED;
    }
    if ((mode == SCAN_CASED && !f->cased[id]) || (mode == SCAN_CASELESS && f->cased[id]))
        return 0;
    literal_found(s, f, id, to - len == lo, to == hi, raw);
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
    if (s->atom_stamp[t->atom] != s->gen &&
        sigma_value_match(s->m->atom_value[t->atom], s->value.p, s->value.len))
        hold(s, t);
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
        if (s->atom_stamp[t->atom] != s->gen &&
            sigma_value_match(s->m->atom_value[t->atom], v.p, v.len))
            hold(s, t);
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
    if (!v.len)
        return 0; /* no atom matches an empty value (they need a byte or more) */
    bool ascii = is_ascii(v.p, v.len);
    if (f->nre && scan_regexes(s, f, v, ascii))
        return ERR_IO;
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
    if (!f->db)
        return 0;
    s->scan = f;
    s->value = v;
    s->scanned = v.len;
    if (ascii) {
        s->mode = SCAN_ALL;
        return hs_scan(f->db, v.p, (unsigned)v.len, 0, s->hs, on_hit, s) == HS_SUCCESS ? 0 : ERR_IO;
    }
    if (f->any_cased) {
        s->mode = SCAN_CASED;
        if (hs_scan(f->db, v.p, (unsigned)v.len, 0, s->hs, on_hit, s) != HS_SUCCESS)
            return ERR_IO;
    }
    s->mode = SCAN_CASELESS;
    s->scanned = fv.len;
    return hs_scan(f->db, fv.p, (unsigned)fv.len, 0, s->hs, on_hit, s) == HS_SUCCESS ? 0 : ERR_IO;
}

/*
 * Lays the segments out in s->kw from offset base, a newline between two. The raw pass
 * takes the text, then each value that is not a piece of the text (a keyword is always
 * `*...*`, so it is found in a value only where it is found in a text holding that
 * value), noting which are ASCII. The fold pass takes the raw pass's segments that are
 * not ASCII, folded. Returns the end, or 0 when they do not fit.
 */
static size_t lay_segments(struct detect_scratch *s, const struct event *ev, size_t base, bool fold)
{
    size_t o = base;
    unsigned k = 0, n = fold ? s->nseg : ev->nfields + 1u;
    struct slice raw[EVENT_MAX_FIELDS + 1];
    bool ascii[EVENT_MAX_FIELDS + 1];
    if (fold) {
        memcpy(raw, s->seg_raw, n * sizeof raw[0]);
        memcpy(ascii, s->seg_ascii, n * sizeof ascii[0]);
    }
    struct slice text = ev->text.p ? ev->text : ev->raw;
    for (unsigned i = 0; i < n; i++) {
        struct slice v = fold ? raw[i] : i == 0 ? text : ev->fields[i - 1].value;
        if (fold ? ascii[i]
                 : i > 0 && v.len && text.p && v.p >= text.p && v.p + v.len <= text.p + text.len)
            continue;
        size_t need = fold ? 2 * v.len + 4 : v.len;
        if (s->kwcap - o < need + 1) {
            s->nseg = 0;
            return 0;
        }
        s->seg_start[k] = (uint32_t)(o - base);
        if (fold) {
            o += sigma_fold(v.p ? v.p : "", v.len, s->kw + o, need);
        } else {
            if (v.len)
                memcpy(s->kw + o, v.p, v.len);
            o += v.len;
            s->seg_ascii[k] = true; /* corrected below when the whole is not ASCII */
        }
        s->seg_end[k] = (uint32_t)(o - base);
        s->seg_raw[k++] = v;
        s->kw[o++] = '\n';
    }
    s->nseg = k;
    if (!fold && !is_ascii(s->kw + base, o - base))
        for (unsigned i = 0; i < k; i++)
            s->seg_ascii[i] =
                is_ascii(s->kw + base + s->seg_start[i], s->seg_end[i] - s->seg_start[i]);
    return o;
}

/*
 * Keywords look at the text and at every value: one scan over all of them laid end to
 * end (a hit counts inside one segment only) per keyword scan of the event's routes;
 * then, when some values are not ASCII, a second over those folded, for the caseless
 * keywords (the first took only the cased ones from them). When the segments do not fit
 * the buffer, each is scanned alone.
 */
static int scan_keywords(struct detect_scratch *s, const struct field_scan *const *fs, unsigned nfs,
                         const struct event *ev)
{
    int rc = 0;
    size_t n = lay_segments(s, ev, 0, false);
    if (n) {
        bool all_ascii = true;
        for (unsigned i = 0; i < s->nseg; i++)
            all_ascii &= s->seg_ascii[i];
        for (unsigned k = 0; k < nfs && !rc; k++) {
            s->scan = fs[k];
            s->value = (struct slice){s->kw, n};
            s->scanned = n;
            s->mode = SCAN_MIXED;
            if (hs_scan(fs[k]->db, s->kw, (unsigned)n, 0, s->hs, on_hit, s) != HS_SUCCESS)
                rc = ERR_IO;
        }
        size_t e = all_ascii || rc ? n : lay_segments(s, ev, n, true);
        for (unsigned k = 0; k < nfs && e > n && !rc; k++) {
            s->scan = fs[k];
            s->scanned = e - n;
            s->mode = SCAN_CASELESS;
            if (hs_scan(fs[k]->db, s->kw + n, (unsigned)(e - n), 0, s->hs, on_hit, s) != HS_SUCCESS)
                rc = ERR_IO;
        }
        s->nseg = 0;
        if (rc || all_ascii || e > n)
            return rc;
        /* the folds do not fit: value by value */
    }
    for (unsigned k = 0; k < nfs && !rc; k++) {
        rc = scan_value(s, fs[k], ev->text.p ? ev->text : ev->raw);
        for (unsigned i = 0; i < ev->nfields && !rc; i++)
            rc = scan_value(s, fs[k], ev->fields[i].value);
    }
    return rc;
}

/* The scan for an event field, or NULL. */
static const struct field_scan *scan_of(const struct detect_matcher *m, const struct event_field *f)
{
    if (f->id != FIELD_EXTRA) {
        int32_t i = f->id < FIELD_MAX_IDS ? m->by_id[f->id] : -1;
        return i >= 0 ? &m->scans[i] : NULL;
    }
    size_t j = hash64(f->name.p, f->name.len, 0) & m->by_name_mask;
    for (const struct scan_name *e; (e = &m->by_name[j])->name; j = (j + 1) & m->by_name_mask)
        if (e->len == f->name.len && memcmp(e->name, f->name.p, f->name.len) == 0)
            return &m->scans[e->scan];
    return NULL;
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
    for (int rt = 0; rt < ROUTE_COUNT; rt++)
        if (ev->routes & ROUTE_BIT(rt))
            for (uint32_t i = 0; i < m->nunfiltered[rt]; i++)
                propose(s, m->unfiltered[rt][i]);
    if (s->ncands > 1)
        qsort(s->cands, s->ncands, sizeof *s->cands, cmp_u32);
    struct sigma_atoms at = {s->atom_stamp, s->gen, m->atom_scanned};
    for (size_t i = 0; i < s->ncands; i++) {
        uint32_t r = s->cands[i];
        if (sigma_rule_eval(&rs->rules[r], ev, &at) && fn && fn(ctx, r, ev))
            break;
    }
    return 0;
}
