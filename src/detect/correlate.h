/*
 * correlate.h — Sigma correlation rules (docs/ARCHITECTURE.md §1 "correlate"): windowed
 * state over matches, kept in event time. Included by detect.h; outside src/detect
 * include detect.h.
 *
 * Two halves, on two kinds of threads:
 * - the worker that matched an event turns each match of a rule that correlations
 *   refer to into corr_items (corr_items_of): one per correlation, carrying only what
 *   the correlation needs — its group-by values, the value_count field's value, the
 *   event's time and id — never the event;
 * - the one correlator (struct correlator) takes the items of every worker, puts them
 *   in event-time order within a lateness allowance, keeps per (correlation, group) the
 *   little state each correlation type needs, and reports each correlation that holds
 *   as a corr_hit. A hit of a correlation that other correlations refer to is fed back
 *   into them (chaining).
 *
 * Semantics (README "Correlation"): windows slide in event time. A condition with only
 * a lower bound (gt, gte — almost every correlation) is judged on each item, over the
 * items of the last `timespan` before it; when it holds the correlation fires and the
 * group starts over (the events that fired are not counted again). A condition with an
 * upper bound or neq (lt, lte, eq, neq, a range) can only be judged when a window is
 * over: such a window opens at the group's first item and is judged once the
 * watermark passes its end. A match whose event lacks a group-by field does not join
 * any group (Splunk's `stats by` and Elastic's terms drop such events too): counted.
 */
#ifndef VIGIL_CORRELATE_H
#define VIGIL_CORRELATE_H

#include "core/core.h"
#include "event/event.h"

struct detect_rules;

#define CORR_MAX_GROUP_BY 8 /* group-by fields of one correlation */
#define CORR_MAX_KEY 1024   /* bytes of a group's values (longer values are cut) */
/* a key's size at most: the values plus a 2-byte length each */
#define CORR_KEY_BUF (CORR_MAX_KEY + 2 * (CORR_MAX_GROUP_BY + 1))
#define CORR_MAX_THRESHOLD 100000 /* a count condition above it is refused at load */
#define CORR_SAMPLE_IDS 16        /* event ids a hit carries (the most recent) */

/* Number of correlations in rs (they are numbered 0..n-1 in load order). */
size_t detect_corr_count(const struct detect_rules *rs);

/* A correlation as the outside world sees it. */
struct detect_corr_info {
    const char *id, *name, *title, *level, *type, *file;
    const char *status; /* NULL when absent */
    const char *const *tags;
    unsigned ntags;
    const char *const *group_by; /* field names, as the correlation writes them */
    unsigned ngroup_by;
    int64_t timespan_ns;
};
void detect_corr_info(const struct detect_rules *rs, size_t i, struct detect_corr_info *out);

/* False when every correlation referring to rule i says `generate: false` (the default):
 * the rule's matches then feed correlations but raise no alert of their own. */
bool detect_rule_alerts(const struct detect_rules *rs, size_t i);
/* The same for correlation i (chaining): false when every correlation over it says
 * generate: false; true for a correlation nothing refers to. */
bool detect_corr_alerts(const struct detect_rules *rs, size_t i);
/* True when some correlation refers to rule i (its matches must reach the correlator). */
bool detect_rule_correlated(const struct detect_rules *rs, size_t i);

/* What a correlation needs of one match: made by a worker, read by the correlator. */
struct corr_item {
    int64_t time_ns;     /* the event's time */
    int64_t received_ns; /* when it was received (bounds the watermark: see below) */
    uint64_t event_id;
    uint32_t corr;    /* the correlation */
    uint16_t slot;    /* which of its rules matched (its position in `rules`) */
    uint64_t group;   /* hash of key (with the correlation) */
    uint64_t value;   /* value_count: hash of the field's value */
    struct slice key; /* the group-by values, each as 2-byte length + bytes */
};

/*
 * Appends to out[0..max) one item per correlation that refers to rule `rule`, for its
 * match on ev; key bytes are allocated from a (the batch's arena). Returns the number of
 * items (0 when no correlation refers to the rule); *missing (may be NULL) gets the
 * number of correlations the event could not join (a group-by or value field absent).
 * A NULL return from the arena ends the list early (the items made so far stand).
 */
size_t corr_items_of(const struct detect_rules *rs, size_t rule, const struct event *ev,
                     struct arena *a, struct corr_item *out, size_t max, size_t *missing);

/* A correlation that held. */
struct corr_hit {
    uint32_t corr;
    int64_t first_ns, last_ns; /* event time of the first and last item behind it */
    uint64_t count;            /* events, distinct values or rules, per the type */
    struct slice key;          /* the group-by values (corr_key_value reads them) */
    const uint64_t *event_ids; /* the most recent events behind it (at most CORR_SAMPLE_IDS) */
    unsigned nevents;
};

/* Value i of a group key (the i-th group-by field); false past the last. */
bool corr_key_value(struct slice key, unsigned i, struct slice *out);

/* Appends hit h of a correlation of rs as one JSON object (corr_json.c says which). */
int detect_corr_hit_json(const struct detect_rules *rs, const struct corr_hit *h, struct buf *b);

typedef void (*corr_hit_fn)(void *ctx, const struct corr_hit *hit);

/* How a correlator bounds itself. Zeros mean the defaults. */
struct correlator_opts {
    int64_t lateness_ns; /* how late (event time) an item may come and still be put in
                          * order: default 10 s */
    size_t max_groups;   /* window groups held at once, all correlations: default 1,000,000 */
    size_t max_bytes;    /* bytes of their state: default 512 MiB */
    size_t max_pending;  /* items waiting for the watermark: default 1,000,000 */
};

/* What a correlator counted. */
struct correlator_stats {
    uint64_t items;   /* items taken */
    uint64_t late;    /* arrived behind the watermark: processed at once, out of order */
    uint64_t hits;    /* correlations that held */
    uint64_t groups;  /* groups held now */
    uint64_t bytes;   /* bytes of their state now */
    uint64_t expired; /* groups dropped because their window was over (normal) */
    uint64_t evicted; /* groups dropped at the caps, oldest first (state lost) */
    uint64_t dropped; /* items lost: no memory for their group */
    uint64_t forced;  /* items processed early because max_pending was reached */
    uint64_t pending; /* items waiting for the watermark now */
};

struct correlator;

/*
 * A correlator for the correlations of rs (which must outlive it), reporting hits to
 * fn(ctx, hit) — called on the thread that calls correlator_push/_tick/_flush. NULL on
 * allocation failure.
 */
struct correlator *correlator_new(const struct detect_rules *rs, const struct correlator_opts *o,
                                  corr_hit_fn fn, void *ctx);
void correlator_free(struct correlator *c);

/*
 * Takes one item (its key is copied). Items wait until the watermark — the latest
 * event time seen (each item's time capped by its receipt time, so a clock running
 * ahead cannot push it) minus the lateness — passes them, and are then processed in
 * event-time order. An item already behind the watermark is processed at once (late).
 * ERR_NOMEM when its key cannot be copied (the item is lost and not counted as taken).
 */
int correlator_push(struct correlator *c, const struct corr_item *it);
/* For a live stream: when no item came for `lateness` of wall-clock time (now_mono_ns,
 * vtime_mono_ns), processes every waiting item (a quiet stream must not hold alerts
 * back). */
void correlator_tick(struct correlator *c, int64_t now_mono_ns);
/* End of input (hunt): processes every waiting item and judges every open window. */
void correlator_flush(struct correlator *c);
void correlator_stats(const struct correlator *c, struct correlator_stats *out);

#endif
