/*
 * rate_table.c — the keyed tables of the rate analyzers (rate_int.h): one per kind of
 * key (site, source, destination, site + URL path). A key is found by a seeded hash
 * (attackers choose source addresses and host names) in a chained table that doubles as
 * it fills; it is on the table's list by last touch, which gives the eviction order, and
 * on at most one work list: *unsettled* (touched; some of its seconds are not judged
 * yet), in the order it was last touched, or *live* (not touched since the watermark
 * passed its last second, but a run or an episode is open, so its empty seconds must
 * still be judged).
 *
 * Caps: at max_keys the key touched longest ago is evicted — its open episode reported
 * closed first — and counted (rate_stats.evicted: its baseline is lost, and the key
 * starts again as new if it comes back). A key idle for eight half-lives with nothing
 * open is freed as expired: its baseline has decayed to under 1/256 of what it was, so
 * a new key knows as much. URL keys expire sooner (rate_engine.c says why). Expiry takes
 * keys from the head of the list by last touch, O(1) each, a bounded number per sweep.
 */
#include "detect/rate_int.h"

#include <string.h>

#define MIN_BUCKETS 256

/* ---- work lists ------------------------------------------------------------------------- */

static void work_unlink(struct rate_table *t, struct rate_key *k)
{
    struct rate_key **head = k->where == RATE_LIVE ? &t->live_head : &t->uns_head;
    struct rate_key **tail = k->where == RATE_LIVE ? &t->live_tail : &t->uns_tail;
    if (k->where == RATE_NOWHERE)
        return;
    if (k->wprev)
        k->wprev->wnext = k->wnext;
    else
        *head = k->wnext;
    if (k->wnext)
        k->wnext->wprev = k->wprev;
    else
        *tail = k->wprev;
    k->wprev = k->wnext = NULL;
    k->where = RATE_NOWHERE;
}

static void work_append(struct rate_table *t, struct rate_key *k, uint8_t where)
{
    work_unlink(t, k);
    struct rate_key **head = where == RATE_LIVE ? &t->live_head : &t->uns_head;
    struct rate_key **tail = where == RATE_LIVE ? &t->live_tail : &t->uns_tail;
    k->wprev = *tail;
    k->wnext = NULL;
    if (*tail)
        (*tail)->wnext = k;
    else
        *head = k;
    *tail = k;
    k->where = where;
}

/* ---- the table --------------------------------------------------------------------------- */

/* See rate_int.h. */
int rate_table_init(struct rate *r, struct rate_table *t, const struct rate_table_spec *spec,
                    size_t max_keys)
{
    (void)r;
    memset(t, 0, sizeof *t);
    t->spec = spec;
    t->max_keys = max_keys;
    t->buckets = mem_calloc(MIN_BUCKETS, sizeof *t->buckets);
    if (!t->buckets)
        return ERR_NOMEM;
    t->mask = MIN_BUCKETS - 1;
    return 0;
}

static void key_free(struct rate *r, struct rate_table *t, struct rate_key *k)
{
    for (unsigned j = 0; j < t->spec->njudges; j++)
        if (k->judge[j].ev) {
            mem_free(k->judge[j].ev->hll);
            mem_free(k->judge[j].ev->paths);
            mem_free(k->judge[j].ev);
        }
    r->st.bytes -= k->bytes;
    r->st.keys--;
    mem_free(k);
}

/* See rate_int.h. */
void rate_table_fini(struct rate *r, struct rate_table *t)
{
    for (struct rate_key *k = t->head, *n; k; k = n) {
        n = k->next;
        key_free(r, t, k);
    }
    mem_free(t->buckets);
    memset(t, 0, sizeof *t);
}

static void unhash(struct rate_table *t, struct rate_key *k)
{
    struct rate_key **pp = &t->buckets[k->hash & t->mask];
    while (*pp && *pp != k)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = k->hnext;
}

/* Removes k from everything and frees it. */
static void drop(struct rate *r, struct rate_table *t, struct rate_key *k)
{
    work_unlink(t, k);
    DLIST_UNLINK(t->head, t->tail, k);
    unhash(t, k);
    t->n--;
    key_free(r, t, k);
}

static void grow(struct rate_table *t)
{
    size_t nb = (t->mask + 1) * 2;
    struct rate_key **b = mem_calloc(nb, sizeof *b);
    if (!b)
        return; /* longer chains, still correct */
    for (size_t i = 0; i <= t->mask; i++)
        for (struct rate_key *k = t->buckets[i], *n; k; k = n) {
            n = k->hnext;
            k->hnext = b[k->hash & (nb - 1)];
            b[k->hash & (nb - 1)] = k;
        }
    mem_free(t->buckets);
    t->buckets = b;
    t->mask = nb - 1;
}

/* See rate_int.h. The key's last second is left to the caller, who judges the key up to
 * the watermark first: seconds after the last one are empty and judged at once. */
struct rate_key *rate_table_get(struct rate *r, struct rate_table *t, struct slice key, int64_t sec)
{
    if (key.len > RATE_MAX_KEY)
        key.len = RATE_MAX_KEY;
    uint64_t h = hash64(key.p, key.len, r->seed);
    struct rate_key *k = t->buckets[h & t->mask];
    while (k && !(k->hash == h && k->keylen == key.len &&
                  memcmp(rate_key_text(t, k), key.p, key.len) == 0))
        k = k->hnext;
    if (!k) {
        if (t->n >= t->max_keys && t->head) { /* the cap: the one touched longest ago goes */
            rate_key_end(r, t, t->head);
            drop(r, t, t->head);
            r->st.evicted++;
        }
        unsigned nchan = t->spec->nchan, nj = t->spec->njudges;
        size_t ring = (size_t)r->ring_len * nchan * sizeof(uint64_t);
        size_t state = nchan * sizeof(struct rate_base) + nj * sizeof(struct rate_judge);
        size_t bytes = sizeof *k + ring + state + key.len;
        k = mem_alloc(bytes);
        if (!k)
            return NULL;
        memset(k, 0, bytes - key.len);
        /* every part is a multiple of 8 bytes, so each stays aligned */
        k->base = (struct rate_base *)(void *)((char *)k->ring + ring);
        k->judge = (struct rate_judge *)(void *)(k->base + nchan);
        memcpy((char *)k->judge + nj * sizeof(struct rate_judge), key.p, key.len);
        k->hash = h;
        k->keylen = (uint16_t)key.len;
        k->bytes = bytes;
        k->born_sec = sec;
        k->last_sec = r->wm;   /* the caller moves it on once the key is judged up to wm */
        k->closed_sec = r->wm; /* the seconds before it came are not its own */
        for (unsigned c = 0; c < t->spec->nchan; c++)
            rate_base_thresholds(&k->base[c], &t->params[c]);
        k->hnext = t->buckets[h & t->mask];
        t->buckets[h & t->mask] = k;
        DLIST_APPEND(t->head, t->tail, k);
        t->n++;
        r->st.keys++;
        r->st.bytes += bytes;
        if (t->n > t->mask + 1)
            grow(t);
    } else {
        DLIST_UNLINK(t->head, t->tail, k);
        DLIST_APPEND(t->head, t->tail, k);
    }
    work_append(t, k, RATE_UNSETTLED);
    return k;
}

/* See rate_int.h. */
void rate_table_sweep(struct rate *r, struct rate_table *t)
{
    /* touched keys whose seconds the watermark has all passed: judge them; those with
     * something open go live, the others rest */
    while (t->uns_head && t->uns_head->last_sec <= r->wm) {
        struct rate_key *k = t->uns_head;
        rate_key_close(r, t, k, r->wm);
        if (rate_key_busy(t, k))
            work_append(t, k, RATE_LIVE);
        else
            work_unlink(t, k);
    }
    for (struct rate_key *k = t->live_head, *n; k; k = n) {
        n = k->wnext;
        rate_key_close(r, t, k, r->wm);
        if (!rate_key_busy(t, k))
            work_unlink(t, k);
    }
    /* long idle keys with nothing open (at most a few per sweep: they are many only
     * when traffic stopped, and then there is time) */
    for (unsigned i = 0; i < t->expire_batch && t->head && t->head->where == RATE_NOWHERE &&
                         t->head->last_sec < r->wm - t->expire_s;
         i++) {
        drop(r, t, t->head);
        r->st.expired++;
    }
}

/* See rate_int.h. */
void rate_table_flush(struct rate *r, struct rate_table *t)
{
    for (struct rate_key *k = t->head; k; k = k->next) {
        rate_key_close(r, t, k, r->wm);
        rate_key_end(r, t, k);
        work_unlink(t, k);
    }
}
