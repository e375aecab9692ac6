/*
 * corr_groups.c — the correlator's table of window groups: one allocation per
 * (correlation, group key), found by hash and key, listed per correlation in deadline
 * order, and bounded by two caps (groups and bytes). Past a cap the group with the
 * oldest deadline of all goes first, and is counted as evicted: its state is lost, so
 * an attack spread over it may be missed — the counter says so.
 */
#include "detect/corr_int.h"

#include <string.h>

#define MIN_BUCKETS 1024

/* See corr_int.h. */
int corr_groups_init(struct corr_groups *gs, size_t ncorrs, size_t max_groups, size_t max_bytes)
{
    memset(gs, 0, sizeof *gs);
    gs->buckets = mem_calloc(MIN_BUCKETS, sizeof *gs->buckets);
    gs->lists = mem_calloc(ncorrs ? ncorrs : 1, sizeof *gs->lists);
    if (!gs->buckets || !gs->lists) {
        mem_free(gs->buckets);
        mem_free(gs->lists);
        return ERR_NOMEM;
    }
    gs->mask = MIN_BUCKETS - 1;
    gs->nlists = ncorrs;
    gs->max_groups = max_groups;
    gs->max_bytes = max_bytes;
    return 0;
}

/* See corr_int.h. */
void corr_groups_fini(struct corr_groups *gs)
{
    for (size_t l = 0; l < gs->nlists; l++)
        for (struct corr_group *g = gs->lists[l].head, *n; g; g = n) {
            n = g->next;
            mem_free(g);
        }
    mem_free(gs->buckets);
    mem_free(gs->lists);
    memset(gs, 0, sizeof *gs);
}

/* See corr_int.h. */
struct corr_group *corr_groups_find(struct corr_groups *gs, uint32_t corr, uint64_t hash,
                                    struct slice key)
{
    for (struct corr_group *g = gs->buckets[hash & gs->mask]; g; g = g->hnext)
        if (g->hash == hash && g->corr == corr && g->keylen == key.len &&
            (!key.len || memcmp(corr_group_key(g), key.p, key.len) == 0))
            return g;
    return NULL;
}

static void unlink_list(struct corr_groups *gs, struct corr_group *g)
{
    struct corr_list *l = &gs->lists[g->corr];
    if (g->prev)
        g->prev->next = g->next;
    else
        l->head = g->next;
    if (g->next)
        g->next->prev = g->prev;
    else
        l->tail = g->prev;
    g->prev = g->next = NULL;
}

static void append_list(struct corr_groups *gs, struct corr_group *g)
{
    struct corr_list *l = &gs->lists[g->corr];
    g->prev = l->tail;
    g->next = NULL;
    if (l->tail)
        l->tail->next = g;
    else
        l->head = g;
    l->tail = g;
}

/* See corr_int.h. */
void corr_groups_remove(struct corr_groups *gs, struct corr_group *g)
{
    struct corr_group **pp = &gs->buckets[g->hash & gs->mask];
    while (*pp && *pp != g)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = g->hnext;
    unlink_list(gs, g);
    gs->n--;
    gs->bytes -= g->bytes;
    mem_free(g);
}

/* See corr_int.h. */
void corr_groups_touch(struct corr_groups *gs, struct corr_group *g)
{
    if (gs->lists[g->corr].tail == g)
        return;
    unlink_list(gs, g);
    append_list(gs, g);
}

/* Evicts the group with the oldest deadline of all lists; false when there is none. */
static bool evict_oldest(struct corr_groups *gs)
{
    struct corr_group *old = NULL;
    for (size_t l = 0; l < gs->nlists; l++) {
        struct corr_group *h = gs->lists[l].head;
        if (h && (!old || h->deadline_ns < old->deadline_ns))
            old = h;
    }
    if (!old)
        return false;
    corr_groups_remove(gs, old);
    gs->evicted++;
    return true;
}

/* Doubles the buckets while there are more groups than buckets (allocation failure
 * only makes chains longer). */
static void grow(struct corr_groups *gs)
{
    size_t nb = (gs->mask + 1) * 2;
    struct corr_group **b = mem_calloc(nb, sizeof *b);
    if (!b)
        return;
    for (size_t i = 0; i <= gs->mask; i++)
        for (struct corr_group *g = gs->buckets[i], *n; g; g = n) {
            n = g->hnext;
            g->hnext = b[g->hash & (nb - 1)];
            b[g->hash & (nb - 1)] = g;
        }
    mem_free(gs->buckets);
    gs->buckets = b;
    gs->mask = nb - 1;
}

/* See corr_int.h. */
struct corr_group *corr_groups_add(struct corr_groups *gs, uint32_t corr, uint64_t hash,
                                   struct slice key, uint32_t cap)
{
    size_t bytes = sizeof(struct corr_group) + (size_t)cap * sizeof(struct corr_entry) + key.len;
    while ((gs->n + 1 > gs->max_groups || gs->bytes + bytes > gs->max_bytes) && evict_oldest(gs))
        ;
    struct corr_group *g = mem_alloc(bytes);
    if (!g)
        return NULL;
    memset(g, 0, sizeof *g);
    g->hash = hash;
    g->corr = corr;
    g->cap = cap;
    g->bytes = (uint32_t)bytes;
    g->keylen = (uint16_t)key.len;
    g->first_ns = g->last_ns = CORR_NONE;
    for (uint32_t i = 0; i < cap; i++)
        g->e[i].t = CORR_NONE;
    if (key.len)
        memcpy(corr_group_key(g), key.p, key.len);
    g->hnext = gs->buckets[hash & gs->mask];
    gs->buckets[hash & gs->mask] = g;
    append_list(gs, g);
    gs->n++;
    gs->bytes += bytes;
    if (gs->n > gs->mask + 1)
        grow(gs);
    return g;
}
