/*
 * alert.h — the alert stage (docs/ARCHITECTURE.md §1 "alert"): hits of rules and of
 * correlations become alerts, and repeats of the same rule on the same entities within
 * a merge window update one alert (count, first/last seen, the most recent event ids)
 * instead of raising another. The merger keeps the open alerts in memory and hands the
 * changed ones to the caller as rows to write; it never touches the store (store
 * depends on alert, not the reverse).
 */
#ifndef VIGIL_ALERT_H
#define VIGIL_ALERT_H

#include "core/core.h"

#define ALERT_SAMPLE_IDS 16 /* event ids an alert keeps: the most recent */

/* One hit: a match of a rule that alerts, or a correlation that held. Strings are
 * copied by alert_merge_add. */
struct alert_hit {
    const char *rule_id, *rule_title, *rule_level;
    const char *const *tags;
    unsigned ntags;
    int64_t first_ns, last_ns;               /* event time (a match: both its time) */
    int64_t received_ns;                     /* receipt of the (last) event behind it */
    struct slice src_ip, dst_ip, user, host; /* the entities (p NULL: absent) */
    const uint64_t *event_ids;               /* the events behind it, oldest first */
    unsigned nevents;
    double risk;       /* 0-10 (alert_risk) */
    const char *asset; /* the name of the most valuable asset involved, or NULL */
};

/*
 * The risk of a hit, 0-10, in the spirit of OSSIM: value x priority x reliability / 25,
 * with value the asset value 0-5 (the most valuable asset among src_ip, dst_ip and the
 * host; enrich.h's default when none is known), priority from the rule's level (informational 1,
 * low 2, medium 3, high 4, critical 5) and reliability 0-10 from the rule's Sigma status (stable 8,
 * test 6, experimental 4, deprecated 2, unsupported 1, none 5), 2 more for a correlation
 * (several events agree), at most 10. README "Risk" documents it.
 */
double alert_risk(const char *level, const char *status, int value, bool correlation);

/* An alert as it is to be written: the whole row, every time (so a closed alert can be
 * replaced by a new one without asking for its strings again). */
struct alert_row {
    uint64_t id; /* deterministic: the first event behind it x the rule id */
    bool is_new; /* not written yet: insert; else update count, times and event ids */
    const char *rule_id, *rule_title, *rule_level;
    const char *tags_json; /* the tags as a JSON array */
    int64_t first_seen_ns, last_seen_ns, created_ns;
    uint64_t count;
    struct slice src_ip, dst_ip, user, host;
    uint64_t event_ids[ALERT_SAMPLE_IDS]; /* oldest first */
    unsigned nevents;
    double risk;       /* the highest risk of its hits */
    const char *asset; /* NULL: none known */
};

struct alert_merge_opts {
    int64_t window_ns; /* a hit within this (event time) of the alert's last one merges
                        * into it: default 1 h */
    size_t max_open;   /* open alerts remembered: default 100,000; past it the one
                        * hit longest ago is forgotten (its next hit opens a new alert) */
};

struct alert_merge_stats {
    uint64_t hits;      /* hits taken */
    uint64_t opened;    /* alerts opened */
    uint64_t merged;    /* hits merged into an open alert */
    uint64_t forgotten; /* open alerts forgotten at max_open */
    uint64_t reopened;  /* hits for an alert closed meanwhile, which opened another */
    uint64_t open;      /* open alerts now */
};

struct alert_merge;

struct alert_merge *alert_merge_new(const struct alert_merge_opts *o);
void alert_merge_free(struct alert_merge *m);

/* Takes one hit: merged into the open alert of the same rule and entities when its last
 * hit is within the window, else a new alert. ERR_NOMEM (the hit is lost, counted by
 * the caller). */
int alert_merge_add(struct alert_merge *m, const struct alert_hit *h);

/*
 * The alerts changed since the last call, as rows in *rows[0..*n) (valid until the next
 * call or alert_merge_written). The caller writes them (new: insert; else update unless
 * the alert was closed meanwhile) and then calls alert_merge_written.
 */
void alert_merge_changed(struct alert_merge *m, const struct alert_row **rows, size_t *n);

/*
 * After the rows of alert_merge_changed were written: closed[0..nclosed) are indexes
 * of rows whose update found the alert closed (an analyst closed it): each becomes a
 * new alert holding the hits it took since it was last written, reported by the next
 * alert_merge_changed. With ok false (the write failed) every row stays changed, to be
 * written again.
 */
void alert_merge_written(struct alert_merge *m, bool ok, const size_t *closed, size_t nclosed);

void alert_merge_stats(const struct alert_merge *m, struct alert_merge_stats *out);

/* ---- risk per entity (alert_entity.c) -------------------------------------------------- */

enum alert_entity { ALERT_ENTITY_SRC_IP, ALERT_ENTITY_USER, ALERT_ENTITY_HOST };

struct alert_entities_opts {
    int64_t halflife_ns; /* scores halve in this much event time: default 1 h */
    double threshold;    /* a score reaching it raises the entity's alert: default 20 */
    size_t max;          /* entities remembered: default 100,000 (oldest update forgotten) */
};

struct alert_entities;
struct alert_entities *alert_entities_new(const struct alert_entities_opts *o);
void alert_entities_free(struct alert_entities *e);
/*
 * Adds risk at event time t_ns to the entity (kind, value) and decays its score; *score
 * gets the score. True when the score has just reached the threshold (and the entity was
 * armed): the caller raises the entity alert. Re-armed below half the threshold.
 */
bool alert_entities_add(struct alert_entities *e, enum alert_entity kind, struct slice value,
                        int64_t t_ns, double risk, double *score);
void alert_entities_counts(const struct alert_entities *e, size_t *held, uint64_t *forgotten,
                           uint64_t *crossed);

/* ---- suppressions (alert_suppress.c) ---------------------------------------------------- */

/* An analyst's "not these, for now": hits of rule_id ("*": any rule) on the entities
 * given (NULL: any) raise no alert until expires_ns (wall clock). */
struct alert_suppression {
    int64_t id;
    const char *rule_id;
    const char *src_ip, *dst_ip, *user, *host;
    int64_t expires_ns;
};

/* The suppression (of list[0..n)) that silences h at now_ns, or NULL. */
const struct alert_suppression *alert_suppressed(const struct alert_suppression *list, size_t n,
                                                 const struct alert_hit *h, int64_t now_ns);

/* ---- first seen (alert_seen.c) ---------------------------------------------------------- */

/*
 * The combinations of values already seen for rules with `vigil_first_seen`: a set of
 * 64-bit keys (rule id and values hashed), bounded at max keys. The daemon fills it from
 * vigil.db at start, so "first" means first since the store began.
 */
struct alert_seen;

struct alert_seen *alert_seen_new(size_t max);
void alert_seen_free(struct alert_seen *s);
struct event;
/* The values of fields[0..n) in ev into v; false when one is absent or empty (such an
 * event is no first of anything). */
bool alert_seen_values(const char *const *fields, unsigned n, const struct event *ev,
                       struct slice *v);
/* The key of rule_id with values v[0..n). */
uint64_t alert_seen_key(const char *rule_id, const struct slice *v, unsigned n);
/* Adds key: true when it was not there (the first time). When the set is full the key is
 * not remembered and true is returned (an alert too many rather than one missed),
 * counted in *full. */
bool alert_seen_add(struct alert_seen *s, uint64_t key);
/* Keys held, and keys that did not fit. */
void alert_seen_counts(const struct alert_seen *s, size_t *held, uint64_t *full);

#endif
