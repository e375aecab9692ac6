/*
 * alert_merge.c — merging repeats into one alert (alert.h). Open alerts are kept in a
 * hash table keyed by (rule id, src_ip, dst_ip, user, host) — compared in full, hashed
 * with a random seed since attackers choose the entity values — and listed by their
 * last hit, so the one hit longest ago is forgotten first at max_open (only when it has
 * been written: nothing merged is lost). Each open alert is one allocation holding its
 * row and its strings.
 */
#include "alert/alert.h"

#include <string.h>
#include <sys/random.h>

#define MIN_BUCKETS 1024

struct open_alert {
    struct open_alert *hnext, *prev, *next;
    uint64_t key;
    struct alert_row row;
    uint64_t count_written;     /* row.count when last written */
    int64_t first_unwritten_ns; /* earliest hit since then */
    bool dirty;                 /* in the changed list */
    bool replaced;              /* a newer alert took its key while it waited to be written */
    bool reopen;                /* found closed when written: a new alert from its unwritten hits */
    char strings[];             /* rule id, title, level, tags JSON, src, dst, user, host */
};

struct alert_merge {
    struct alert_merge_opts o;
    uint64_t seed;
    struct open_alert **buckets;
    size_t mask;
    struct open_alert *head, *tail; /* by last hit, oldest first */
    struct open_alert **changed;
    size_t nchanged, capchanged;
    struct alert_row *rows;
    size_t caprows;
    struct alert_merge_stats st;
};

/* See alert.h. */
struct alert_merge *alert_merge_new(const struct alert_merge_opts *o)
{
    struct alert_merge *m = mem_calloc(1, sizeof *m);
    if (!m)
        return NULL;
    if (o)
        m->o = *o;
    if (m->o.window_ns <= 0)
        m->o.window_ns = 3600LL * 1000000000LL;
    if (!m->o.max_open)
        m->o.max_open = 100000;
    if (getrandom(&m->seed, sizeof m->seed, 0) != (ssize_t)sizeof m->seed)
        m->seed = (uint64_t)vtime_mono_ns() * 0x9e3779b97f4a7c15ull;
    m->buckets = mem_calloc(MIN_BUCKETS, sizeof *m->buckets);
    if (!m->buckets) {
        mem_free(m);
        return NULL;
    }
    m->mask = MIN_BUCKETS - 1;
    return m;
}

/* See alert.h. */
void alert_merge_free(struct alert_merge *m)
{
    if (!m)
        return;
    for (struct open_alert *a = m->head, *n; a; a = n) {
        n = a->next;
        mem_free(a);
    }
    mem_free(m->buckets);
    mem_free(m->changed);
    mem_free(m->rows);
    mem_free(m);
}

static uint64_t slice_hash(struct slice s, uint64_t seed)
{
    /* absent and empty differ */
    return s.p ? hash64(s.p, s.len, seed) : seed * 0x100000001b3ull + 1;
}

static uint64_t key_of(const struct alert_merge *m, const struct alert_hit *h)
{
    uint64_t k = hash64(h->rule_id, strlen(h->rule_id), m->seed);
    k = hash_mix(k, slice_hash(h->src_ip, m->seed));
    k = hash_mix(k, slice_hash(h->dst_ip, m->seed));
    k = hash_mix(k, slice_hash(h->user, m->seed));
    return hash_mix(k, slice_hash(h->host, m->seed));
}

static bool same_slice(struct slice a, struct slice b)
{
    if (!a.p || !b.p)
        return !a.p && !b.p;
    return a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
}

static bool same(const struct open_alert *a, const struct alert_hit *h)
{
    return !strcmp(a->row.rule_id, h->rule_id) && same_slice(a->row.src_ip, h->src_ip) &&
           same_slice(a->row.dst_ip, h->dst_ip) && same_slice(a->row.user, h->user) &&
           same_slice(a->row.host, h->host);
}

static void table_remove(struct alert_merge *m, struct open_alert *a)
{
    struct open_alert **pp = &m->buckets[a->key & m->mask];
    while (*pp && *pp != a)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = a->hnext;
}

static void grow(struct alert_merge *m)
{
    size_t nb = (m->mask + 1) * 2;
    struct open_alert **b = mem_calloc(nb, sizeof *b);
    if (!b)
        return;
    for (size_t i = 0; i <= m->mask; i++)
        for (struct open_alert *a = m->buckets[i], *n; a; a = n) {
            n = a->hnext;
            a->hnext = b[a->key & (nb - 1)];
            b[a->key & (nb - 1)] = a;
        }
    mem_free(m->buckets);
    m->buckets = b;
    m->mask = nb - 1;
}

static int mark_changed(struct alert_merge *m, struct open_alert *a)
{
    if (a->dirty)
        return 0;
    if (m->nchanged == m->capchanged) {
        size_t nc = m->capchanged ? 2 * m->capchanged : 256;
        struct open_alert **p = mem_realloc(m->changed, nc * sizeof *p);
        if (!p)
            return ERR_NOMEM;
        m->changed = p;
        m->capchanged = nc;
    }
    m->changed[m->nchanged++] = a;
    a->dirty = true;
    return 0;
}

/* Forgets the written alerts hit longest ago while more than max_open are open. */
static void forget_old(struct alert_merge *m)
{
    struct open_alert *a = m->head;
    while (m->st.open > m->o.max_open && a) {
        struct open_alert *n = a->next;
        if (!a->dirty) {
            DLIST_UNLINK(m->head, m->tail, a);
            table_remove(m, a);
            mem_free(a);
            m->st.open--;
            m->st.forgotten++;
        }
        a = n;
    }
}

static void add_ids(struct alert_row *r, const struct alert_hit *h)
{
    unsigned from = h->nevents > ALERT_SAMPLE_IDS ? h->nevents - ALERT_SAMPLE_IDS : 0;
    for (unsigned i = from; i < h->nevents; i++) {
        if (r->nevents == ALERT_SAMPLE_IDS) {
            memmove(r->event_ids, r->event_ids + 1,
                    (ALERT_SAMPLE_IDS - 1) * sizeof r->event_ids[0]);
            r->nevents--;
        }
        r->event_ids[r->nevents++] = h->event_ids[i];
    }
}

/* Copies s into *dst (a NUL-terminated run at *at); returns the slice over the copy. */
static struct slice put(char **at, struct slice s)
{
    if (!s.p)
        return SLICE_NULL;
    char *d = *at;
    memcpy(d, s.p, s.len);
    d[s.len] = '\0';
    *at += s.len + 1;
    return (struct slice){d, s.len};
}

static const char *put_str(char **at, const char *s)
{
    return put(at, slice_cstr(s ? s : "")).p;
}

static struct open_alert *open_new(const struct alert_hit *h, uint64_t key)
{
    size_t tags = 2;
    for (unsigned i = 0; i < h->ntags; i++)
        tags += 2 * strlen(h->tags[i]) * 3 + 3; /* JSON escapes at most x6, plus quotes */
    size_t n = strlen(h->rule_id) + strlen(h->rule_title ? h->rule_title : "") +
               strlen(h->rule_level ? h->rule_level : "") + tags + h->src_ip.len + h->dst_ip.len +
               h->user.len + h->host.len + (h->asset ? strlen(h->asset) : 0) + 9;
    struct open_alert *a = mem_alloc(sizeof *a + n);
    if (!a)
        return NULL;
    memset(a, 0, sizeof *a);
    char *at = a->strings;
    a->row.rule_id = put_str(&at, h->rule_id);
    a->row.rule_title = put_str(&at, h->rule_title);
    a->row.rule_level = put_str(&at, h->rule_level);
    struct buf b;
    buf_init(&b, 1 << 16);
    buf_putc(&b, '[');
    for (unsigned i = 0; i < h->ntags; i++) {
        buf_puts(&b, i ? ",\"" : "\"");
        buf_json_str(&b, h->tags[i], strlen(h->tags[i]));
        buf_putc(&b, '"');
    }
    buf_putc(&b, ']');
    const char *tj = !b.err && buf_cstr(&b) && strlen(buf_cstr(&b)) < tags ? buf_cstr(&b) : "[]";
    a->row.tags_json = put_str(&at, tj);
    buf_fini(&b);
    a->row.src_ip = put(&at, h->src_ip);
    a->row.dst_ip = put(&at, h->dst_ip);
    a->row.user = put(&at, h->user);
    a->row.host = put(&at, h->host);
    a->row.asset = h->asset ? put_str(&at, h->asset) : NULL;
    a->row.risk = h->risk;
    a->key = key;
    uint64_t first_id = h->nevents ? h->event_ids[0] : (uint64_t)h->first_ns;
    a->row.id = hash_mix(first_id, hash64(h->rule_id, strlen(h->rule_id), 0x616c6572));
    a->row.is_new = true;
    a->row.first_seen_ns = h->first_ns;
    a->row.last_seen_ns = h->last_ns;
    a->row.created_ns = h->received_ns;
    a->row.count = 1;
    a->first_unwritten_ns = h->first_ns;
    add_ids(&a->row, h);
    return a;
}

/* See alert.h. */
int alert_merge_add(struct alert_merge *m, const struct alert_hit *h)
{
    m->st.hits++;
    uint64_t key = key_of(m, h);
    struct open_alert *a = m->buckets[key & m->mask];
    while (a && !(a->key == key && same(a, h)))
        a = a->hnext;
    if (a && h->last_ns <= a->row.last_seen_ns + m->o.window_ns &&
        h->first_ns >= a->row.first_seen_ns - m->o.window_ns) {
        int rc = mark_changed(m, a);
        if (rc)
            return rc;
        a->row.count++;
        if (h->last_ns > a->row.last_seen_ns)
            a->row.last_seen_ns = h->last_ns;
        if (h->first_ns < a->row.first_seen_ns)
            a->row.first_seen_ns = h->first_ns;
        if (h->risk > a->row.risk)
            a->row.risk = h->risk;
        if (h->first_ns < a->first_unwritten_ns || a->count_written == a->row.count - 1)
            a->first_unwritten_ns = h->first_ns;
        add_ids(&a->row, h);
        DLIST_UNLINK(m->head, m->tail, a);
        DLIST_APPEND(m->head, m->tail, a);
        m->st.merged++;
        return 0;
    }
    if (a) { /* its window is over: the next alert of this rule and entities starts */
        DLIST_UNLINK(m->head, m->tail, a);
        table_remove(m, a);
        if (a->dirty) { /* not written yet: keep it for the writer, then drop it */
            a->replaced = true;
            a->hnext = NULL;
            DLIST_APPEND(m->head, m->tail, a);
        } else {
            mem_free(a);
            m->st.open--;
        }
    }
    struct open_alert *n = open_new(h, key);
    if (!n)
        return ERR_NOMEM;
    if (mark_changed(m, n)) {
        mem_free(n);
        return ERR_NOMEM;
    }
    n->hnext = m->buckets[key & m->mask];
    m->buckets[key & m->mask] = n;
    DLIST_APPEND(m->head, m->tail, n);
    m->st.open++;
    m->st.opened++;
    if (m->st.open > m->mask + 1)
        grow(m);
    forget_old(m);
    return 0;
}

/* See alert.h. */
void alert_merge_changed(struct alert_merge *m, const struct alert_row **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    if (!m->nchanged)
        return;
    if (m->nchanged > m->caprows) {
        struct alert_row *p = mem_realloc(m->rows, m->nchanged * sizeof *p);
        if (!p)
            return; /* written at the next call */
        m->rows = p;
        m->caprows = m->nchanged;
    }
    for (size_t i = 0; i < m->nchanged; i++)
        m->rows[i] = m->changed[i]->row;
    *rows = m->rows;
    *n = m->nchanged;
}

/* See alert.h. */
void alert_merge_written(struct alert_merge *m, bool ok, const size_t *closed, size_t nclosed)
{
    if (!ok)
        return;
    /* the closed ones first: they become new alerts, still changed */
    for (size_t k = 0; k < nclosed; k++) {
        if (closed[k] >= m->nchanged)
            continue;
        struct open_alert *a = m->changed[closed[k]];
        uint64_t since = a->row.count > a->count_written ? a->row.count - a->count_written : 1;
        a->row.id = hash_mix(a->row.id, a->row.event_ids[a->row.nevents ? a->row.nevents - 1 : 0]);
        a->row.count = since;
        a->row.first_seen_ns = a->first_unwritten_ns;
        a->row.is_new = true;
        a->count_written = 0;
        a->reopen = true;
        m->st.reopened += since;
    }
    size_t keep = 0;
    for (size_t i = 0; i < m->nchanged; i++) {
        struct open_alert *a = m->changed[i];
        if (a->reopen) { /* stays changed: inserted as a new alert next time */
            a->reopen = false;
            m->changed[keep++] = a;
            continue;
        }
        a->dirty = false;
        a->row.is_new = false;
        a->count_written = a->row.count;
        a->first_unwritten_ns = a->row.last_seen_ns;
        if (a->replaced) {
            DLIST_UNLINK(m->head, m->tail, a);
            mem_free(a);
            m->st.open--;
        }
    }
    m->nchanged = keep;
    forget_old(m);
}

/* See alert.h. */
void alert_merge_stats(const struct alert_merge *m, struct alert_merge_stats *out)
{
    *out = m->st;
}
