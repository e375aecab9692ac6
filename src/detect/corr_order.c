/*
 * corr_order.c — the correlator's reorder buffer: items waiting for the watermark, taken
 * out in (event time, arrival) order. Most items come in time order (each stream is
 * ordered; sources differ by little), so they go to a FIFO ring in O(1); an item older
 * than the ring's newest goes to a min-heap instead; the next item is the earlier of
 * the two heads. A key of up to CORR_ORDER_INLINE bytes is kept inside the entry (no
 * allocation per item); a longer one is copied to the heap of the process.
 */
#include "detect/corr_int.h"

#include <string.h>

static bool before(const struct corr_pend *a, const struct corr_pend *b)
{
    return a->it.time_ns < b->it.time_ns || (a->it.time_ns == b->it.time_ns && a->seq < b->seq);
}

/* Fills p from it: the key inline or copied. */
static int pend_of(struct corr_order *o, const struct corr_item *it, struct corr_pend *p)
{
    p->it = *it;
    p->seq = o->seq++;
    p->big = NULL;
    if (it->key.len > CORR_ORDER_INLINE) {
        if (!(p->big = mem_alloc(it->key.len)))
            return ERR_NOMEM;
        memcpy(p->big, it->key.p, it->key.len);
    } else if (it->key.len) {
        memcpy(p->inl, it->key.p, it->key.len);
    }
    p->it.key.p = NULL; /* resolved when taken out */
    return 0;
}

static int grow(struct corr_pend **a, size_t *cap)
{
    size_t nc = *cap ? *cap * 2 : 1024;
    struct corr_pend *n = mem_realloc(*a, nc * sizeof *n);
    if (!n)
        return ERR_NOMEM;
    *a = n;
    *cap = nc;
    return 0;
}

static int ring_push(struct corr_order *o, const struct corr_pend *p)
{
    if (o->nring == o->capring) {
        size_t old = o->capring;
        if (grow(&o->ring, &o->capring))
            return ERR_NOMEM;
        /* unwrap: the entries before head move after the old end */
        if (o->head + o->nring > old)
            memcpy(o->ring + old, o->ring, (o->head + o->nring - old) * sizeof *o->ring);
    }
    o->ring[(o->head + o->nring) % o->capring] = *p;
    o->nring++;
    o->ring_last = p->it.time_ns;
    return 0;
}

static int heap_push(struct corr_order *o, const struct corr_pend *p)
{
    if (o->nheap == o->capheap && grow(&o->heap, &o->capheap))
        return ERR_NOMEM;
    size_t i = o->nheap++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(p, &o->heap[parent]))
            break;
        o->heap[i] = o->heap[parent];
        i = parent;
    }
    o->heap[i] = *p;
    return 0;
}

static void heap_pop(struct corr_order *o, struct corr_pend *top)
{
    *top = o->heap[0];
    struct corr_pend last = o->heap[--o->nheap];
    size_t i = 0, n = o->nheap;
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        const struct corr_pend *best = &last;
        if (l < n && before(&o->heap[l], best)) {
            m = l;
            best = &o->heap[l];
        }
        if (l + 1 < n && before(&o->heap[l + 1], best))
            m = l + 1;
        if (m == i)
            break;
        o->heap[i] = o->heap[m];
        i = m;
    }
    if (n)
        o->heap[i] = last;
}

/* See corr_int.h. */
int corr_order_push(struct corr_order *o, const struct corr_item *it)
{
    struct corr_pend p;
    int rc = pend_of(o, it, &p);
    if (rc)
        return rc;
    if (o->nring == 0 || it->time_ns >= o->ring_last)
        rc = ring_push(o, &p);
    else
        rc = heap_push(o, &p);
    if (rc)
        mem_free(p.big);
    return rc;
}

/* The entry to take next, or NULL. */
static const struct corr_pend *next(const struct corr_order *o, bool *from_ring)
{
    const struct corr_pend *r = o->nring ? &o->ring[o->head] : NULL;
    const struct corr_pend *h = o->nheap ? &o->heap[0] : NULL;
    *from_ring = r && (!h || before(r, h));
    return *from_ring ? r : h;
}

/* See corr_int.h. */
bool corr_order_peek(const struct corr_order *o, int64_t *time_ns)
{
    bool ring;
    const struct corr_pend *p = next(o, &ring);
    if (p)
        *time_ns = p->it.time_ns;
    return p != NULL;
}

/* See corr_int.h. */
void corr_order_take(struct corr_order *o, struct corr_item *out, char *key)
{
    bool ring;
    struct corr_pend p;
    if (!next(o, &ring))
        return;
    if (ring) {
        p = o->ring[o->head];
        o->head = (o->head + 1) % o->capring;
        o->nring--;
    } else {
        heap_pop(o, &p);
    }
    *out = p.it;
    if (p.it.key.len)
        memcpy(key, p.big ? p.big : p.inl, p.it.key.len);
    out->key.p = key;
    mem_free(p.big);
}

/* See corr_int.h. */
void corr_order_fini(struct corr_order *o)
{
    for (size_t i = 0; i < o->nring; i++)
        mem_free(o->ring[(o->head + i) % o->capring].big);
    for (size_t i = 0; i < o->nheap; i++)
        mem_free(o->heap[i].big);
    mem_free(o->ring);
    mem_free(o->heap);
    memset(o, 0, sizeof *o);
}
