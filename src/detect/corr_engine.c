/*
 * corr_engine.c — the correlator (correlate.h): items put in event-time order behind a
 * watermark, each correlation type's window state per group (corr_groups.c), hits, and
 * chaining (a hit feeds the correlations that refer to its correlation).
 *
 * Order. Items wait (corr_order.c) in (event time, arrival) order until the watermark — the
 * latest event time seen, each item's capped by its receipt time, minus the lateness —
 * passes them. So replaying logs fast, or receiving them shuffled within the lateness,
 * processes them in the same order and gives the same hits. An item older than one
 * already processed is late: processed at once and counted.
 *
 * Windows (timespan S, an item's time t, the window of t being [t - S, t]):
 * - event_count, lower bound N: the last N item times of the group, sorted; it fires
 *   when the N fit in one window.
 * - value_count, lower bound N: the N values seen most recently (value hash and last
 *   time); it fires when N of them were seen within the window.
 * - temporal: the latest time of each rule; it fires when enough rules (default all)
 *   were seen within the window.
 * - temporal_ordered: per step j the latest start of a sequence that reached step j in
 *   order; it fires when the last step is reached within S of the start.
 * - conditions with an upper bound or neq: a window opens at the group's first item and
 *   is judged once processing has passed its end (or at flush).
 * After firing the group starts over. A group whose items can no longer fall into a
 * window of a later item is freed (expired).
 */
#include "detect/corr_int.h"

#include <string.h>

#define SWEEP_EVERY 1024            /* items processed between sweeps of expired groups, */
#define SWEEP_AFTER_NS 1000000000LL /* or event time passed since the last sweep */

struct correlator {
    const struct detect_rules *rs;
    struct correlator_opts o;
    corr_hit_fn fn;
    void *ctx;
    struct corr_groups gs;
    struct corr_order order; /* items waiting for the watermark */
    int64_t max_seen;        /* latest event time seen (capped by receipt) */
    int64_t done_ns;         /* latest event time processed: items before it are late */
    uint64_t pushes, pushes_at_tick;
    int64_t quiet_since;
    unsigned since_sweep;
    int64_t swept_ns; /* done_ns at the last sweep */
    struct correlator_stats st;
};

/* A hit, copied out of its group before the group is freed (chaining may reuse the
 * memory). */
struct fired {
    uint32_t corr;
    int64_t first_ns, last_ns;
    uint64_t count;
    uint16_t keylen;
    char key[CORR_KEY_BUF];
    uint64_t ids[CORR_SAMPLE_IDS];
    unsigned nids;
};

static void process(struct correlator *c, const struct corr_item *it);

/* ---- judging -------------------------------------------------------------------------- */

static bool holds(const struct corr_cond *k, uint64_t x)
{
    return x >= k->lo && x <= k->hi && !(k->has_neq && x == k->neq);
}

static uint32_t ring_at(const struct corr_group *g, uint32_t i)
{
    return (g->head + i) % g->cap;
}

/* Fills f from g: the given first/last/count, the key, and the ids of the entries whose
 * time is at least from (the most recent CORR_SAMPLE_IDS of them). */
static void fill(struct fired *f, struct corr_group *g, int64_t first, int64_t last, uint64_t count,
                 int64_t from)
{
    f->corr = g->corr;
    f->first_ns = first;
    f->last_ns = last;
    f->count = count;
    f->keylen = g->keylen;
    memcpy(f->key, corr_group_key(g), g->keylen);
    f->nids = 0;
    for (uint32_t i = g->n; i-- > 0 && f->nids < CORR_SAMPLE_IDS;) {
        const struct corr_entry *e = &g->e[ring_at(g, i)];
        if (e->t != CORR_NONE && e->t >= from)
            f->ids[f->nids++] = e->id;
    }
}

/* The count a window judged at its end is judged on. */
static uint64_t window_count(const struct sigma_corr *sc, const struct corr_group *g)
{
    if (sc->type == CORR_EVENT_COUNT || sc->type == CORR_VALUE_COUNT)
        return g->count;
    uint64_t k = 0;
    for (uint32_t i = 0; i < g->n; i++)
        k += g->e[i].t != CORR_NONE;
    return k;
}

/* Judges g's window (over), frees g; true with f filled when the condition held. */
static bool close_window(struct correlator *c, struct corr_group *g, struct fired *f)
{
    const struct sigma_corr *sc = &c->rs->corrs[g->corr];
    uint64_t k = window_count(sc, g);
    bool fire = holds(&sc->cond, k);
    if (fire)
        fill(f, g, g->first_ns, g->last_ns, k, INT64_MIN);
    corr_groups_remove(&c->gs, g);
    if (!fire)
        c->gs.expired++;
    return fire;
}

/* ---- per type --------------------------------------------------------------------------- */

/* event_count, lower bound: the last cap times, sorted. */
static bool event_count(struct corr_group *g, const struct sigma_corr *sc,
                        const struct corr_item *it, struct fired *f)
{
    if (g->n == g->cap) {
        if (it->time_ns < g->e[g->head].t)
            return false; /* older than all kept: cannot complete a window they do not */
        g->head = (g->head + 1) % g->cap;
        g->n--;
    }
    uint32_t i = g->n;
    while (i > 0 && g->e[ring_at(g, i - 1)].t > it->time_ns) {
        g->e[ring_at(g, i)] = g->e[ring_at(g, i - 1)];
        i--;
    }
    g->e[ring_at(g, i)] = (struct corr_entry){it->time_ns, it->event_id, 0};
    g->n++;
    int64_t first = g->e[g->head].t, last = g->e[ring_at(g, g->n - 1)].t;
    g->deadline_ns = last + sc->timespan_ns;
    if (g->n == g->cap && last - first <= sc->timespan_ns) {
        fill(f, g, first, last, g->n, first);
        return true;
    }
    return false;
}

/* value_count and temporal, after their entry was updated: the group's latest time
 * moves to it; the entries within the window of that time are counted, and the
 * correlation fires when there are enough. */
static bool judge_recent(struct corr_group *g, const struct sigma_corr *sc,
                         const struct corr_item *it, struct fired *f)
{
    if (g->last_ns == CORR_NONE || it->time_ns > g->last_ns)
        g->last_ns = it->time_ns;
    g->deadline_ns = g->last_ns + sc->timespan_ns;
    int64_t from = g->last_ns - sc->timespan_ns, first = g->last_ns;
    uint64_t k = 0;
    for (uint32_t j = 0; j < g->n; j++)
        if (g->e[j].t != CORR_NONE && g->e[j].t >= from) {
            k++;
            if (g->e[j].t < first)
                first = g->e[j].t;
        }
    if (k < sc->cond.lo)
        return false;
    fill(f, g, first, g->last_ns, k, from);
    return true;
}

/* value_count, lower bound: the cap most recently seen distinct values. */
static bool value_count(struct corr_group *g, const struct sigma_corr *sc,
                        const struct corr_item *it, struct fired *f)
{
    uint32_t i = 0, oldest = 0;
    while (i < g->n && g->e[i].v != it->value) {
        if (g->e[i].t < g->e[oldest].t)
            oldest = i;
        i++;
    }
    if (i < g->n) {
        if (it->time_ns >= g->e[i].t)
            g->e[i] = (struct corr_entry){it->time_ns, it->event_id, it->value};
    } else if (g->n < g->cap) {
        g->e[g->n++] = (struct corr_entry){it->time_ns, it->event_id, it->value};
    } else if (it->time_ns > g->e[oldest].t) {
        g->e[oldest] = (struct corr_entry){it->time_ns, it->event_id, it->value};
    }
    return judge_recent(g, sc, it, f);
}

/* temporal: the latest time of each rule. */
static bool temporal(struct corr_group *g, const struct sigma_corr *sc, const struct corr_item *it,
                     struct fired *f)
{
    struct corr_entry *e = &g->e[it->slot];
    if (e->t == CORR_NONE || it->time_ns >= e->t)
        *e = (struct corr_entry){it->time_ns, it->event_id, 0};
    return judge_recent(g, sc, it, f);
}

/* temporal_ordered: e[j].t the start of the latest sequence through step j, e[j].v the
 * time step j happened. */
static bool temporal_ordered(struct corr_group *g, const struct sigma_corr *sc,
                             const struct corr_item *it, struct fired *f)
{
    uint16_t s = it->slot;
    struct corr_entry *e = g->e;
    if (s == 0) {
        e[0] = (struct corr_entry){it->time_ns, it->event_id, (uint64_t)it->time_ns};
    } else {
        const struct corr_entry *p = &e[s - 1];
        if (p->t == CORR_NONE || (int64_t)p->v > it->time_ns ||
            it->time_ns - p->t > sc->timespan_ns)
            return false;
        e[s] = (struct corr_entry){p->t, it->event_id, (uint64_t)it->time_ns};
    }
    int64_t latest = CORR_NONE;
    for (uint32_t j = 0; j < g->n; j++)
        if (e[j].t > latest)
            latest = e[j].t;
    g->deadline_ns = latest + sc->timespan_ns;
    if (s == g->n - 1) {
        fill(f, g, e[s].t, it->time_ns, g->n, INT64_MIN);
        return true;
    }
    return false;
}

/* Entries a group of sc needs. */
static uint32_t entries_for(const struct sigma_corr *sc)
{
    switch (sc->type) {
    case CORR_EVENT_COUNT:
        return sc->judged_at_end ? CORR_SAMPLE_IDS : (uint32_t)sc->cond.lo;
    case CORR_VALUE_COUNT: {
        uint64_t n = sc->cond.lo;
        if (sc->cond.hi != UINT64_MAX && sc->cond.hi + 1 > n)
            n = sc->cond.hi + 1;
        if (sc->cond.has_neq && sc->cond.neq + 1 > n)
            n = sc->cond.neq + 1;
        return (uint32_t)n;
    }
    default:
        return sc->nrefs;
    }
}

/* An item into the open window of a group judged at its end. */
static void window_add(struct corr_group *g, const struct sigma_corr *sc,
                       const struct corr_item *it)
{
    if (it->time_ns > g->last_ns)
        g->last_ns = it->time_ns;
    if (it->time_ns < g->first_ns)
        g->first_ns = it->time_ns;
    struct corr_entry ne = {it->time_ns, it->event_id, it->value};
    switch (sc->type) {
    case CORR_EVENT_COUNT:
        g->count++;
        if (g->n < g->cap) {
            g->e[g->n++] = ne;
        } else {
            g->e[g->head] = ne;
            g->head = (g->head + 1) % g->cap;
        }
        break;
    case CORR_VALUE_COUNT: {
        uint32_t i = 0;
        while (i < g->n && g->e[i].v != it->value)
            i++;
        if (i < g->n)
            g->e[i] = ne;
        else if (g->n < g->cap)
            g->e[g->n++] = ne;
        else
            g->count = g->cap + 1ull; /* more distinct values than the condition tells apart */
        if (g->count <= g->cap)
            g->count = g->n;
        break;
    }
    default:
        if (g->e[it->slot].t == CORR_NONE || it->time_ns >= g->e[it->slot].t)
            g->e[it->slot] = ne;
        break;
    }
}

/* ---- processing --------------------------------------------------------------------------- */

static void emit(struct correlator *c, const struct fired *f)
{
    c->st.hits++;
    if (c->fn) {
        struct corr_hit h = {
            f->corr, f->first_ns, f->last_ns, f->count, (struct slice){f->key, f->keylen},
            f->ids,  f->nids};
        c->fn(c->ctx, &h);
    }
    const struct sigma_corr *sc = &c->rs->corrs[f->corr];
    for (unsigned k = 0; k < sc->nchained; k++) {
        uint32_t oc = sc->chained_to[k];
        const struct sigma_corr *outer = &c->rs->corrs[oc];
        unsigned slot = 0;
        while (slot < outer->nrefs &&
               !(outer->refs[slot].is_corr && outer->refs[slot].index == f->corr))
            slot++;
        if (slot == outer->nrefs)
            continue;
        const struct corr_ref *ref = &outer->refs[slot];
        char key[CORR_KEY_BUF];
        size_t klen = 0;
        for (unsigned g = 0; g < outer->ngroup_by; g++) {
            struct slice v = SLICE_NULL;
            corr_key_value((struct slice){f->key, f->keylen}, ref->positions[g], &v);
            klen = corr_key_put(key, klen, v);
        }
        uint64_t value = 0;
        if (outer->value_field) {
            struct slice v = SLICE_NULL;
            corr_key_value((struct slice){f->key, f->keylen}, ref->positions[outer->ngroup_by], &v);
            value = hash64(v.p, v.len, c->rs->corr_seed) | 1;
        }
        struct corr_item it = {
            .time_ns = f->last_ns,
            .received_ns = f->last_ns,
            .event_id = f->nids ? f->ids[0] : 0,
            .corr = oc,
            .slot = (uint16_t)slot,
            .group = hash_mix(hash64(key, klen, c->rs->corr_seed), oc),
            .value = value,
            .key = {key, klen},
        };
        process(c, &it);
    }
}

static void process(struct correlator *c, const struct corr_item *it)
{
    const struct sigma_corr *sc = &c->rs->corrs[it->corr];
    struct corr_group *g = corr_groups_find(&c->gs, it->corr, it->group, it->key);
    struct fired f;
    if (g && sc->judged_at_end && it->time_ns > g->deadline_ns) {
        if (close_window(c, g, &f))
            emit(c, &f);
        g = corr_groups_find(&c->gs, it->corr, it->group, it->key); /* NULL: it was freed */
    }
    if (!g) {
        if (sc->type == CORR_TEMPORAL_ORDERED && it->slot > 0)
            return; /* no sequence to continue */
        g = corr_groups_add(&c->gs, it->corr, it->group, it->key, entries_for(sc));
        if (!g) {
            c->st.dropped++;
            return;
        }
        if (sc->type == CORR_TEMPORAL || sc->type == CORR_TEMPORAL_ORDERED)
            g->n = g->cap; /* one entry per rule, each empty */
        if (sc->judged_at_end) {
            g->first_ns = g->last_ns = it->time_ns;
            g->deadline_ns = it->time_ns + sc->timespan_ns;
        }
    }
    if (sc->judged_at_end) {
        window_add(g, sc, it);
        return; /* its list order is its deadline, fixed when it opened */
    }
    bool fire;
    switch (sc->type) {
    case CORR_EVENT_COUNT:
        fire = event_count(g, sc, it, &f);
        break;
    case CORR_VALUE_COUNT:
        fire = value_count(g, sc, it, &f);
        break;
    case CORR_TEMPORAL:
        fire = temporal(g, sc, it, &f);
        break;
    default:
        fire = temporal_ordered(g, sc, it, &f);
        break;
    }
    if (fire) {
        corr_groups_remove(&c->gs, g);
        emit(c, &f);
    } else {
        corr_groups_touch(&c->gs, g);
    }
}

/* Frees the groups that no item from `frontier` on can matter to, and judges the windows
 * that are over. */
static void sweep(struct correlator *c, int64_t frontier)
{
    for (uint32_t k = 0; k < c->rs->ncorrs; k++) {
        struct corr_group *g;
        while ((g = corr_groups_oldest(&c->gs, k)) && g->deadline_ns < frontier) {
            struct fired f;
            if (c->rs->corrs[k].judged_at_end) {
                if (close_window(c, g, &f))
                    emit(c, &f);
            } else {
                corr_groups_remove(&c->gs, g);
                c->gs.expired++;
            }
        }
    }
    c->since_sweep = 0;
    c->swept_ns = c->done_ns;
}

#define PREFETCH_FAR 16 /* items ahead whose bucket is fetched, */
#define PREFETCH_NEAR 8 /* and whose group is (a million groups do not fit any cache) */

static void process_next(struct correlator *c)
{
    const struct corr_item *far = corr_order_ahead(&c->order, PREFETCH_FAR);
    const struct corr_item *near = corr_order_ahead(&c->order, PREFETCH_NEAR);
    if (near)
        corr_groups_prefetch(&c->gs, far ? far->group : near->group, near->group);
    struct corr_item it;
    char key[CORR_KEY_BUF];
    corr_order_take(&c->order, &it, key);
    if (it.time_ns < c->done_ns)
        c->st.late++;
    else
        c->done_ns = it.time_ns;
    process(c, &it);
    if (++c->since_sweep >= SWEEP_EVERY || c->swept_ns == INT64_MIN ||
        c->done_ns - c->swept_ns >= SWEEP_AFTER_NS)
        sweep(c, c->done_ns);
}

/* ---- the public face --------------------------------------------------------------------- */

/* See correlate.h. */
struct correlator *correlator_new(const struct detect_rules *rs, const struct correlator_opts *o,
                                  corr_hit_fn fn, void *ctx)
{
    struct correlator *c = mem_calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->rs = rs;
    if (o)
        c->o = *o;
    if (!c->o.lateness_ns)
        c->o.lateness_ns = 10 * 1000000000LL;
    if (c->o.lateness_ns < 0)
        c->o.lateness_ns = 0;
    if (!c->o.max_groups)
        c->o.max_groups = 1000000;
    if (!c->o.max_bytes)
        c->o.max_bytes = 512u << 20;
    if (!c->o.max_pending)
        c->o.max_pending = 1000000;
    c->fn = fn;
    c->ctx = ctx;
    c->max_seen = c->done_ns = c->swept_ns = INT64_MIN;
    if (corr_groups_init(&c->gs, rs->ncorrs, c->o.max_groups, c->o.max_bytes)) {
        mem_free(c);
        return NULL;
    }
    return c;
}

/* See correlate.h. */
void correlator_free(struct correlator *c)
{
    if (!c)
        return;
    corr_order_fini(&c->order);
    corr_groups_fini(&c->gs);
    mem_free(c);
}

/* See correlate.h. */
int correlator_push(struct correlator *c, const struct corr_item *it)
{
    if (it->corr >= c->rs->ncorrs)
        return ERR_INVAL;
    int64_t seen = it->time_ns < it->received_ns ? it->time_ns : it->received_ns;
    if (seen > c->max_seen)
        c->max_seen = seen;
    int rc = corr_order_push(&c->order, it);
    if (rc)
        return rc;
    c->st.items++;
    c->pushes++;
    int64_t wm = c->max_seen == INT64_MIN ? INT64_MIN : c->max_seen - c->o.lateness_ns;
    int64_t t;
    while (corr_order_peek(&c->order, &t) &&
           (t <= wm || corr_order_count(&c->order) > c->o.max_pending)) {
        if (t > wm)
            c->st.forced++;
        process_next(c);
    }
    return 0;
}

/* See correlate.h. */
void correlator_tick(struct correlator *c, int64_t now_mono_ns)
{
    if (c->pushes != c->pushes_at_tick || c->quiet_since == 0) {
        c->pushes_at_tick = c->pushes;
        c->quiet_since = now_mono_ns;
        return;
    }
    int64_t quiet = now_mono_ns - c->quiet_since;
    if (quiet < c->o.lateness_ns)
        return;
    while (corr_order_count(&c->order))
        process_next(c);
    /* event time is taken to go on with the wall clock while nothing comes */
    if (c->max_seen != INT64_MIN) {
        int64_t front = c->max_seen + quiet - c->o.lateness_ns;
        if (front > c->done_ns)
            c->done_ns = front;
    }
    sweep(c, c->done_ns);
}

/* See correlate.h. */
void correlator_flush(struct correlator *c)
{
    while (corr_order_count(&c->order))
        process_next(c);
    sweep(c, INT64_MAX);
}

/* See correlate.h. */
void correlator_stats(const struct correlator *c, struct correlator_stats *out)
{
    *out = c->st;
    out->groups = c->gs.n;
    out->bytes = c->gs.bytes;
    out->expired = c->gs.expired;
    out->evicted = c->gs.evicted;
    out->pending = corr_order_count(&c->order);
}
