/*
 * corr_int.h — the correlation IR shared by corr_load.c (YAML → IR, references
 * resolved), corr_items.c (worker side) and corr_engine.c / corr_groups.c (the
 * correlator). Private to src/detect.
 */
#ifndef VIGIL_CORR_INT_H
#define VIGIL_CORR_INT_H

#include "detect/detect_int.h"

enum corr_type { CORR_EVENT_COUNT, CORR_VALUE_COUNT, CORR_TEMPORAL, CORR_TEMPORAL_ORDERED };

#define CORR_MAX_RULES 64 /* rules one correlation refers to */

/* A condition over the count, normalised to an inclusive range plus an optional neq. */
struct corr_cond {
    uint64_t lo, hi; /* lo..hi inclusive; hi UINT64_MAX when unbounded */
    bool has_neq;
    uint64_t neq;
};

/* One referenced rule or correlation, resolved. */
struct corr_ref {
    char *name;     /* as the correlation wrote it (an id or a name) */
    bool is_corr;   /* a correlation (chaining) rather than a single-event rule */
    uint32_t index; /* rule or correlation index in the set */
    /* per group-by field (and then the value field): the field this rule's events carry
     * it under (aliases applied); for a correlation, the position in its group-by */
    char *fields[CORR_MAX_GROUP_BY + 1];
    uint8_t positions[CORR_MAX_GROUP_BY + 1];
};

/* `aliases: {alias: {rule: field}}`, flattened. */
struct corr_alias {
    char *alias, *rule, *field;
};

struct sigma_corr {
    struct sigma_rule meta; /* id, name, title, level, status, tags, file, line only */
    enum corr_type type;
    int64_t timespan_ns;
    bool generate;
    struct corr_cond cond;
    bool judged_at_end; /* the condition has an upper bound or neq: judged when a
                         * window closes, not on each item */
    char *group_by[CORR_MAX_GROUP_BY];
    unsigned ngroup_by;
    char *value_field; /* value_count: the field whose distinct values are counted */
    struct corr_alias *aliases;
    unsigned naliases;
    struct corr_ref *refs;
    unsigned nrefs;
    bool alerts;          /* false when every correlation referring to it says generate: false */
    uint32_t *chained_to; /* correlations that refer to this one */
    unsigned nchained;
    unsigned depth; /* 0 for a correlation over rules only; 1 + the deepest it refers to */
};

/* For each rule: the correlations that refer to it (with the slot it holds there). */
struct corr_use {
    uint32_t corr;
    uint16_t slot;
};

/* Appends value v to the key k[0..len) as a 2-byte length then the bytes, cut so that
 * the values stay within CORR_MAX_KEY (k has room for CORR_KEY_BUF); the new length. */
size_t corr_key_put(char *k, size_t len, struct slice v);

/* Parses a correlation document; ERR_PARSE with the reason, ERR_NOMEM. References are
 * kept as names until corr_resolve. */
int corr_parse(const struct cfg_node *doc, struct sigma_corr *out, char *err, size_t errlen);
void corr_fini(struct sigma_corr *c);
/* Adds *c to rs (moved: *c zeroed on success). */
int corr_add(struct detect_rules *rs, struct sigma_corr *c);

typedef void (*corr_refuse_fn)(void *ctx, const struct sigma_corr *c, const char *reason);
/*
 * Resolves every correlation's references in rs (after every file was loaded): ids or
 * names of rules or other correlations; checks aliases, chaining (no cycles, group-by
 * of an outer correlation among the inner one's) and builds the per-rule uses. A
 * correlation that fails is reported through fn and removed (and so is any correlation
 * referring to it). Returns the number removed, or a negative ERR_NOMEM.
 */
int corr_resolve(struct detect_rules *rs, corr_refuse_fn fn, void *ctx);

/* ---- the correlator's window state (corr_groups.c) ------------------------------------ */

#define CORR_NONE INT64_MIN /* an entry's time when it holds nothing */

/* One remembered item: its time, event id and (value_count) value hash; temporal_ordered
 * keeps there the sequence's start (t) and the step's own time (v). */
struct corr_entry {
    int64_t t;
    uint64_t id;
    uint64_t v;
};

/* The state of one (correlation, group): a header, cap entries, then the key bytes. */
struct corr_group {
    struct corr_group *spare_next;  /* in a spare list (corr_groups.c) */
    struct corr_group *prev, *next; /* its correlation's list, oldest deadline first */
    uint64_t hash;
    int64_t deadline_ns;       /* past it (event time) the state can no longer matter, or the
                                * window (judged at its end) is over */
    int64_t first_ns, last_ns; /* earliest and latest item time held */
    uint64_t count;            /* items in an open window (judged at end) */
    uint32_t corr;
    uint32_t n, cap, head; /* entries used, allocated, ring start */
    uint32_t bytes;        /* size of the allocation */
    uint16_t keylen;
    struct corr_entry e[];
};

static inline char *corr_group_key(struct corr_group *g)
{
    return (char *)&g->e[g->cap];
}

#define CORR_SPARE_CLASSES 64
#define CORR_SPARE_MAX 65536 /* spare groups kept per class */

/* Every group of a correlator: a hash table over (correlation, key), a list per
 * correlation, and the caps. */
struct corr_groups {
    struct corr_slot {
        uint64_t hash;        /* the group's, so a probe reads no other group */
        struct corr_group *g; /* NULL: empty */
    } * slots;                /* open addressing, linear probing, at most 3/4 full */
    size_t mask;
    struct corr_list {
        struct corr_group *head, *tail;
    } * lists;
    size_t nlists;
    size_t n, bytes, max_groups, max_bytes;
    uint64_t expired, evicted;
    /* freed groups kept for reuse, per size class of 32 bytes (up to 2 KiB) */
    struct corr_group *spare[CORR_SPARE_CLASSES];
    uint32_t nspare[CORR_SPARE_CLASSES];
};

int corr_groups_init(struct corr_groups *gs, size_t ncorrs, size_t max_groups, size_t max_bytes);
void corr_groups_fini(struct corr_groups *gs);
/* The group of correlation corr with this hash and key, or NULL. */
struct corr_group *corr_groups_find(struct corr_groups *gs, uint32_t corr, uint64_t hash,
                                    struct slice key);
/* A new empty group with room for cap entries, at the tail of its list; evicts the
 * oldest groups (counted) first when a cap would be passed. NULL on ERR_NOMEM. */
struct corr_group *corr_groups_add(struct corr_groups *gs, uint32_t corr, uint64_t hash,
                                   struct slice key, uint32_t cap);
/* Moves g to the tail of its list (its deadline grew). */
void corr_groups_touch(struct corr_groups *gs, struct corr_group *g);
/* Removes and frees g. */
void corr_groups_remove(struct corr_groups *gs, struct corr_group *g);
/* Prefetches what finding a group will read: the slot of hash `far`, and the group in
 * the slot of hash `near` (whose slot was prefetched earlier). */
static inline void corr_groups_prefetch(const struct corr_groups *gs, uint64_t far, uint64_t near)
{
    __builtin_prefetch(&gs->slots[far & gs->mask]);
    const struct corr_slot *s = &gs->slots[near & gs->mask];
    if (s->g && s->hash == near)
        __builtin_prefetch(s->g);
}

/* The oldest group of correlation corr, or NULL. */
static inline struct corr_group *corr_groups_oldest(const struct corr_groups *gs, uint32_t corr)
{
    return gs->lists[corr].head;
}

/* ---- the reorder buffer (corr_order.c) ------------------------------------------------- */

#define CORR_ORDER_INLINE 40 /* key bytes kept inside an entry */

struct corr_pend {
    struct corr_item it; /* key.p unset: the key is in inl or big */
    uint64_t seq;        /* arrival, to order equal times */
    char *big;           /* a key longer than CORR_ORDER_INLINE (mem_alloc) */
    char inl[CORR_ORDER_INLINE];
};

/* Waiting items: a FIFO ring for those in time order, a min-heap for the others. */
struct corr_order {
    struct corr_pend *ring, *heap;
    size_t head, nring, capring, nheap, capheap;
    int64_t ring_last; /* time of the ring's newest entry */
    uint64_t seq;
};

/* Adds a copy of it (and its key); ERR_NOMEM. */
int corr_order_push(struct corr_order *o, const struct corr_item *it);
/* Time of the next item to take; false when none waits. */
bool corr_order_peek(const struct corr_order *o, int64_t *time_ns);
/* Takes the next item (one must wait) into *out, its key copied to key (CORR_KEY_BUF
 * bytes) and out->key pointing there. */
void corr_order_take(struct corr_order *o, struct corr_item *out, char *key);
/* The item k places behind the next one in the FIFO ring (the order items in time order
 * are taken in), or NULL: for prefetching what it will touch. */
static inline const struct corr_item *corr_order_ahead(const struct corr_order *o, size_t k)
{
    return k < o->nring ? &o->ring[(o->head + k) % o->capring].it : NULL;
}
static inline size_t corr_order_count(const struct corr_order *o)
{
    return o->nring + o->nheap;
}
void corr_order_fini(struct corr_order *o);

/* Name of a correlation type ("event_count", ...). */
const char *corr_type_name(enum corr_type t);

#endif
