/*
 * alert_entity.c — risk accumulated per entity (alert.h): each hit adds its risk to the
 * score of its source address, user and host; scores decay exponentially in event time
 * (half-life, default 1 h), so a score is the recent weight of what an entity did. When
 * a score reaches the threshold the caller raises the entity's own alert; the entity is
 * re-armed once its score has fallen below half the threshold (so it does not alert
 * again and again while it stays hot: its alert merges repeats anyway).
 *
 * Bounded: at most max entities (default 100,000), kept in a hash table and a list by
 * last update; past the cap the entity updated longest ago is forgotten (counted).
 */
#include "alert/alert.h"

#include <math.h>
#include <string.h>
#include <sys/random.h>

struct entity {
    struct entity *hnext, *prev, *next;
    uint64_t hash;
    int64_t t_ns; /* time of the score */
    double score;
    bool armed;
    uint8_t kind;
    uint16_t len;
    char value[];
};

struct alert_entities {
    struct alert_entities_opts o;
    uint64_t seed;
    struct entity **buckets;
    size_t mask, n;
    struct entity *head, *tail; /* by last update, oldest first */
    uint64_t forgotten, crossed;
};

/* See alert.h. */
struct alert_entities *alert_entities_new(const struct alert_entities_opts *o)
{
    struct alert_entities *e = mem_calloc(1, sizeof *e);
    if (!e)
        return NULL;
    if (o)
        e->o = *o;
    if (e->o.halflife_ns <= 0)
        e->o.halflife_ns = 3600LL * 1000000000LL;
    if (e->o.threshold <= 0)
        e->o.threshold = 20;
    if (!e->o.max)
        e->o.max = 100000;
    if (getrandom(&e->seed, sizeof e->seed, 0) != (ssize_t)sizeof e->seed)
        e->seed = (uint64_t)vtime_mono_ns();
    e->buckets = mem_calloc(1024, sizeof *e->buckets);
    if (!e->buckets) {
        mem_free(e);
        return NULL;
    }
    e->mask = 1023;
    return e;
}

/* See alert.h. */
void alert_entities_free(struct alert_entities *e)
{
    if (!e)
        return;
    for (struct entity *x = e->head, *n; x; x = n) {
        n = x->next;
        mem_free(x);
    }
    mem_free(e->buckets);
    mem_free(e);
}

static void forget_oldest(struct alert_entities *e)
{
    struct entity *x = e->head;
    if (!x)
        return;
    DLIST_UNLINK(e->head, e->tail, x);
    struct entity **pp = &e->buckets[x->hash & e->mask];
    while (*pp && *pp != x)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = x->hnext;
    mem_free(x);
    e->n--;
    e->forgotten++;
}

static void grow(struct alert_entities *e)
{
    size_t nb = (e->mask + 1) * 2;
    struct entity **b = mem_calloc(nb, sizeof *b);
    if (!b)
        return;
    for (size_t i = 0; i <= e->mask; i++)
        for (struct entity *x = e->buckets[i], *n; x; x = n) {
            n = x->hnext;
            x->hnext = b[x->hash & (nb - 1)];
            b[x->hash & (nb - 1)] = x;
        }
    mem_free(e->buckets);
    e->buckets = b;
    e->mask = nb - 1;
}

/* See alert.h. */
bool alert_entities_add(struct alert_entities *e, enum alert_entity kind, struct slice value,
                        int64_t t_ns, double risk, double *score)
{
    *score = 0;
    if (!value.p || !value.len || value.len > 1024 || risk <= 0)
        return false;
    uint64_t h = hash_mix(hash64(value.p, value.len, e->seed), (uint64_t)kind + 1);
    struct entity *x = e->buckets[h & e->mask];
    while (x && !(x->hash == h && x->kind == kind && x->len == value.len &&
                  memcmp(x->value, value.p, value.len) == 0))
        x = x->hnext;
    if (!x) {
        if (e->n >= e->o.max)
            forget_oldest(e);
        if (!(x = mem_alloc(sizeof *x + value.len)))
            return false;
        memset(x, 0, sizeof *x);
        x->hash = h;
        x->kind = (uint8_t)kind;
        x->len = (uint16_t)value.len;
        memcpy(x->value, value.p, value.len);
        x->t_ns = t_ns;
        x->armed = true;
        x->hnext = e->buckets[h & e->mask];
        e->buckets[h & e->mask] = x;
        e->n++;
        if (e->n > e->mask + 1)
            grow(e);
    } else {
        DLIST_UNLINK(e->head, e->tail, x);
    }
    DLIST_APPEND(e->head, e->tail, x);
    /* decay to the later of the two times; a hit from the past decays instead */
    int64_t dt = t_ns - x->t_ns;
    double hl = (double)e->o.halflife_ns;
    if (dt >= 0) {
        x->score = x->score * exp2(-(double)dt / hl) + risk;
        x->t_ns = t_ns;
    } else {
        x->score += risk * exp2((double)dt / hl);
    }
    *score = x->score;
    if (!x->armed && x->score < e->o.threshold / 2)
        x->armed = true;
    if (x->armed && x->score >= e->o.threshold) {
        x->armed = false;
        e->crossed++;
        return true;
    }
    return false;
}

/* See alert.h. */
void alert_entities_counts(const struct alert_entities *e, size_t *held, uint64_t *forgotten,
                           uint64_t *crossed)
{
    *held = e->n;
    *forgotten = e->forgotten;
    *crossed = e->crossed;
}
