/*
 * corr_groups.c — the correlator's table of window groups: one allocation per
 * (correlation, group key), found by hash and key (open addressing with the hash in the
 * slot, so a lookup reads only the group it wants: with a million groups each read is a
 * cache miss), listed per correlation in deadline
 * order, and bounded by two caps (groups and bytes). Freed blocks of up to 2 KiB are
 * kept per size class for the next group (a window table churns: groups expire and
 * new ones open all the time), at most CORR_SPARE_MAX per class. Past a cap the group with the
 * oldest deadline of all goes first, and is counted as evicted: its state is lost, so
 * an attack spread over it may be missed — the counter says so.
 */
#include "detect/corr_int.h"

#include <string.h>

#define MIN_SLOTS 1024

/* See corr_int.h. */
int corr_groups_init(struct corr_groups *gs, size_t ncorrs, size_t max_groups, size_t max_bytes)
{
    memset(gs, 0, sizeof *gs);
    gs->slots = mem_calloc(MIN_SLOTS, sizeof *gs->slots);
    gs->lists = mem_calloc(ncorrs ? ncorrs : 1, sizeof *gs->lists);
    if (!gs->slots || !gs->lists) {
        mem_free(gs->slots);
        mem_free(gs->lists);
        return ERR_NOMEM;
    }
    gs->mask = MIN_SLOTS - 1;
    gs->nlists = ncorrs;
    gs->max_groups = max_groups;
    gs->max_bytes = max_bytes;
    return 0;
}

/* A block of `bytes` (rounded up to its class): a spare one when there is. */
static struct corr_group *block_get(struct corr_groups *gs, size_t *bytes)
{
    size_t cls = (*bytes + 31) / 32;
    if (cls < CORR_SPARE_CLASSES) {
        *bytes = cls * 32;
        struct corr_group *g = gs->spare[cls];
        if (g) {
            gs->spare[cls] = g->spare_next;
            gs->nspare[cls]--;
            return g;
        }
    }
    return mem_alloc(*bytes);
}

/* Frees g's block, or keeps it for reuse. */
static void block_put(struct corr_groups *gs, struct corr_group *g)
{
    size_t cls = g->bytes / 32;
    if (g->bytes % 32 == 0 && cls < CORR_SPARE_CLASSES && gs->nspare[cls] < CORR_SPARE_MAX) {
        g->spare_next = gs->spare[cls];
        gs->spare[cls] = g;
        gs->nspare[cls]++;
        return;
    }
    mem_free(g);
}

/* See corr_int.h. */
void corr_groups_fini(struct corr_groups *gs)
{
    for (size_t l = 0; l < gs->nlists; l++)
        for (struct corr_group *g = gs->lists[l].head, *n; g; g = n) {
            n = g->next;
            mem_free(g);
        }
    for (size_t c = 0; c < CORR_SPARE_CLASSES; c++)
        for (struct corr_group *g = gs->spare[c], *n; g; g = n) {
            n = g->spare_next;
            mem_free(g);
        }
    mem_free(gs->slots);
    mem_free(gs->lists);
    memset(gs, 0, sizeof *gs);
}

/* See corr_int.h. */
struct corr_group *corr_groups_find(struct corr_groups *gs, uint32_t corr, uint64_t hash,
                                    struct slice key)
{
    for (size_t i = hash & gs->mask;; i = (i + 1) & gs->mask) {
        const struct corr_slot *s = &gs->slots[i];
        if (!s->g)
            return NULL;
        struct corr_group *g = s->g;
        if (s->hash == hash && g->corr == corr && g->keylen == key.len &&
            (!key.len || memcmp(corr_group_key(g), key.p, key.len) == 0))
            return g;
    }
}

static void unlink_list(struct corr_groups *gs, struct corr_group *g)
{
    struct corr_list *l = &gs->lists[g->corr];
    DLIST_UNLINK(l->head, l->tail, g);
}

static void append_list(struct corr_groups *gs, struct corr_group *g)
{
    struct corr_list *l = &gs->lists[g->corr];
    DLIST_APPEND(l->head, l->tail, g);
}

/* See corr_int.h. */
void corr_groups_remove(struct corr_groups *gs, struct corr_group *g)
{
    size_t i = g->hash & gs->mask;
    while (gs->slots[i].g && gs->slots[i].g != g)
        i = (i + 1) & gs->mask;
    if (gs->slots[i].g) {
        /* backward-shift deletion: the entries after it that may sit at i move up, so
         * no probe ever stops early at the hole */
        for (size_t j = (i + 1) & gs->mask; gs->slots[j].g; j = (j + 1) & gs->mask) {
            size_t home = gs->slots[j].hash & gs->mask;
            /* j may move to i when its home is not in the cyclic range (i, j] */
            if (((j - home) & gs->mask) >= ((j - i) & gs->mask)) {
                gs->slots[i] = gs->slots[j];
                i = j;
            }
        }
        gs->slots[i] = (struct corr_slot){0, NULL};
    }
    unlink_list(gs, g);
    gs->n--;
    gs->bytes -= g->bytes;
    block_put(gs, g);
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

static void slot_put(struct corr_slot *slots, size_t mask, uint64_t hash, struct corr_group *g)
{
    size_t i = hash & mask;
    while (slots[i].g)
        i = (i + 1) & mask;
    slots[i] = (struct corr_slot){hash, g};
}

/* Doubles the slots when they are 3/4 full (allocation failure only fills them more;
 * the caps keep the count bounded, and a full table cannot happen below them). */
static void grow(struct corr_groups *gs)
{
    size_t ns = (gs->mask + 1) * 2;
    struct corr_slot *t = mem_calloc(ns, sizeof *t);
    if (!t)
        return;
    for (size_t i = 0; i <= gs->mask; i++)
        if (gs->slots[i].g)
            slot_put(t, ns - 1, gs->slots[i].hash, gs->slots[i].g);
    mem_free(gs->slots);
    gs->slots = t;
    gs->mask = ns - 1;
}

/* See corr_int.h. */
struct corr_group *corr_groups_add(struct corr_groups *gs, uint32_t corr, uint64_t hash,
                                   struct slice key, uint32_t cap)
{
    size_t bytes = sizeof(struct corr_group) + (size_t)cap * sizeof(struct corr_entry) + key.len;
    while ((gs->n + 1 > gs->max_groups || gs->bytes + bytes > gs->max_bytes) && evict_oldest(gs))
        ;
    struct corr_group *g = block_get(gs, &bytes);
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
    if ((gs->n + 1) * 4 > (gs->mask + 1) * 3)
        grow(gs);
    if ((gs->n + 1) * 8 > (gs->mask + 1) * 7) { /* could not grow: keep probes finite */
        block_put(gs, g);
        return NULL;
    }
    slot_put(gs->slots, gs->mask, hash, g);
    append_list(gs, g);
    gs->n++;
    gs->bytes += bytes;
    return g;
}
