/*
 * rate_scan.c — scans (rate.h): one source → many ports of one host (port scan, keyed
 * by source and host, counting ports), one source → many hosts on one port (host
 * sweep, keyed by source and port, counting hosts). Each key keeps two half windows of
 * window/2 each, a 512-bit bitmap of the values seen in each (linear counting), and
 * judges the union of the current and the previous half: a scan of N values within
 * window/2 is always seen, one spread over a whole window mostly. The first time the
 * union holds `threshold` values in a half a finding is reported: RATE_OPENED, or
 * RATE_ONGOING when the previous half reported too — a long scan thus reports at most
 * once per half window, and the merger keeps it as one alert.
 *
 * Scans are judged on arrival (no watermark): an observation older than the previous
 * half is counted late and skipped. Caps: max_keys per table, the key touched longest
 * ago evicted and counted; keys idle for two windows are freed as expired (their halves
 * are empty by then).
 */
#include "detect/rate_int.h"

#include <stdio.h>
#include <string.h>

#define MIN_BUCKETS 256

struct rate_skey {
    struct rate_skey *hnext, *prev, *next;
    uint64_t hash;
    int64_t half; /* the current half window: time / (window / 2) */
    int64_t last_ns;
    int64_t first_ns[2]; /* [0] current, [1] previous: the earliest observation in it */
    uint64_t n[2];       /* observations in it */
    uint64_t bm[2][RATE_BITMAP_WORDS];
    bool fired[2]; /* reported in it */
    uint64_t ids[RATE_SAMPLE_IDS];
    unsigned nids, idhead;
    size_t bytes;
    uint16_t srclen, keylen;
    unsigned port;
    char key[]; /* source, NUL, host (port scan) or port (sweep) */
};

/* See rate_int.h. */
int rate_scan_init(struct rate_scan_table *s, enum rate_kind kind, unsigned threshold,
                   size_t max_keys)
{
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->threshold = threshold;
    s->max_keys = max_keys;
    s->buckets = mem_calloc(MIN_BUCKETS, sizeof *s->buckets);
    if (!s->buckets)
        return ERR_NOMEM;
    s->mask = MIN_BUCKETS - 1;
    return 0;
}

static void drop(struct rate *r, struct rate_scan_table *s, struct rate_skey *k)
{
    struct rate_skey **pp = &s->buckets[k->hash & s->mask];
    while (*pp && *pp != k)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = k->hnext;
    DLIST_UNLINK(s->head, s->tail, k);
    s->n--;
    r->st.keys--;
    r->st.bytes -= k->bytes;
    mem_free(k);
}

/* See rate_int.h. */
void rate_scan_fini(struct rate *r, struct rate_scan_table *s)
{
    while (s->head)
        drop(r, s, s->head);
    mem_free(s->buckets);
    memset(s, 0, sizeof *s);
}

static void grow(struct rate_scan_table *s)
{
    size_t nb = (s->mask + 1) * 2;
    struct rate_skey **b = mem_calloc(nb, sizeof *b);
    if (!b)
        return;
    for (size_t i = 0; i <= s->mask; i++)
        for (struct rate_skey *k = s->buckets[i], *n; k; k = n) {
            n = k->hnext;
            k->hnext = b[k->hash & (nb - 1)];
            b[k->hash & (nb - 1)] = k;
        }
    mem_free(s->buckets);
    s->buckets = b;
    s->mask = nb - 1;
}

static struct rate_skey *get(struct rate *r, struct rate_scan_table *s, const char *key,
                             size_t keylen, size_t srclen, unsigned port, int64_t half)
{
    uint64_t h = hash64(key, keylen, r->seed ^ (uint64_t)s->kind);
    struct rate_skey *k = s->buckets[h & s->mask];
    while (k && !(k->hash == h && k->keylen == keylen && memcmp(k->key, key, keylen) == 0))
        k = k->hnext;
    if (k) {
        DLIST_UNLINK(s->head, s->tail, k);
        DLIST_APPEND(s->head, s->tail, k);
        return k;
    }
    if (s->n >= s->max_keys && s->head) {
        drop(r, s, s->head);
        r->st.evicted++;
    }
    size_t bytes = sizeof *k + keylen;
    k = mem_calloc(1, bytes);
    if (!k)
        return NULL;
    memcpy(k->key, key, keylen);
    k->hash = h;
    k->keylen = (uint16_t)keylen;
    k->srclen = (uint16_t)srclen;
    k->port = port;
    k->bytes = bytes;
    k->half = half;
    k->first_ns[0] = k->first_ns[1] = INT64_MAX;
    k->hnext = s->buckets[h & s->mask];
    s->buckets[h & s->mask] = k;
    DLIST_APPEND(s->head, s->tail, k);
    s->n++;
    r->st.keys++;
    r->st.bytes += bytes;
    if (s->n > s->mask + 1)
        grow(s);
    return k;
}

/* Moves k's halves on to half h (> k->half). */
static void rotate(struct rate_skey *k, int64_t h)
{
    if (h == k->half + 1) {
        memcpy(k->bm[1], k->bm[0], sizeof k->bm[0]);
        k->first_ns[1] = k->first_ns[0];
        k->n[1] = k->n[0];
        k->fired[1] = k->fired[0];
    } else {
        memset(k->bm[1], 0, sizeof k->bm[1]);
        k->first_ns[1] = INT64_MAX;
        k->n[1] = 0;
        k->fired[1] = false;
    }
    memset(k->bm[0], 0, sizeof k->bm[0]);
    k->first_ns[0] = INT64_MAX;
    k->n[0] = 0;
    k->fired[0] = false;
    k->half = h;
}

/* See rate_int.h. */
void rate_scan_push(struct rate *r, struct rate_scan_table *s, const struct rate_obs *o,
                    int64_t t_ns)
{
    bool ports = s->kind == RATE_PORT_SCAN;
    if (!o->src.len || !o->dst.len || !o->dst_port || o->src.len > 64 || o->dst.len > 64)
        return; /* addresses are short; anything longer is not one */
    char key[160];
    size_t len = o->src.len;
    memcpy(key, o->src.p, len);
    key[len++] = '\0';
    if (ports) {
        memcpy(key + len, o->dst.p, o->dst.len);
        len += o->dst.len;
    } else {
        len += (size_t)snprintf(key + len, sizeof key - len, "%u", o->dst_port);
    }
    int64_t half_ns = r->o.scan_window_ns / 2, h = t_ns / half_ns;
    /* keys idle for two windows hold nothing any more */
    for (int i = 0; i < 8 && s->head && s->head->last_ns < t_ns - 2 * r->o.scan_window_ns; i++) {
        drop(r, s, s->head);
        r->st.expired++;
    }
    struct rate_skey *k = get(r, s, key, len, o->src.len, o->dst_port, h);
    if (!k) {
        r->st.nomem++;
        return;
    }
    if (h > k->half)
        rotate(k, h);
    int w = h == k->half ? 0 : h == k->half - 1 ? 1 : -1;
    if (w < 0) {
        r->st.late++;
        return;
    }
    uint64_t v = ports ? hash64(&o->dst_port, sizeof o->dst_port, r->seed)
                       : hash64(o->dst.p, o->dst.len, r->seed);
    rate_bitmap_add(k->bm[w], v);
    k->n[w]++;
    if (t_ns < k->first_ns[w])
        k->first_ns[w] = t_ns;
    if (t_ns > k->last_ns)
        k->last_ns = t_ns;
    k->ids[k->idhead] = o->event_id;
    k->idhead = (k->idhead + 1) % RATE_SAMPLE_IDS;
    if (k->nids < RATE_SAMPLE_IDS)
        k->nids++;
    if (k->fired[0])
        return;
    uint64_t count = rate_bitmap_count(k->bm[0], k->bm[1]);
    if (count < s->threshold)
        return;
    k->fired[0] = true;
    uint64_t ids[RATE_SAMPLE_IDS];
    unsigned start = k->nids < RATE_SAMPLE_IDS ? 0 : k->idhead;
    for (unsigned i = 0; i < k->nids; i++)
        ids[i] = k->ids[(start + i) % RATE_SAMPLE_IDS];
    struct rate_finding f = {
        .kind = s->kind,
        .phase = k->fired[1] ? RATE_ONGOING : RATE_OPENED,
        .key = slice_make(k->key, k->srclen),
        .target =
            ports ? slice_make(k->key + k->srclen + 1, k->keylen - k->srclen - 1) : SLICE_NULL,
        .port = ports ? 0 : k->port,
        .first_ns = k->first_ns[1] < k->first_ns[0] ? k->first_ns[1] : k->first_ns[0],
        .last_ns = k->last_ns,
        .peak = count,
        .total = k->n[0] + k->n[1],
        .threshold = s->threshold,
        .event_ids = ids,
        .nevents = k->nids,
    };
    r->st.findings++;
    if (f.phase == RATE_OPENED)
        r->st.episodes++;
    r->fn(r->ctx, &f);
}
