/*
 * detect_engine.h — the rule set the daemon matches with, as one refcounted bundle
 * (docs/ARCHITECTURE.md §1 "match"): the loaded rules, their compiled matcher, a
 * generation number, the load and compile figures and the list of refused documents.
 *
 * An engine is built whole on the calling thread (the daemon's start, or its reload on
 * SIGHUP) and is immutable afterwards, so any number of workers share it. A holder
 * publishes the current engine: workers `acquire` it once per batch (a reference), the
 * reloading thread `swap`s in a new one, and the old engine is freed when its last
 * reference is released (the last batch matched with it has been written). A worker
 * keeps one detect_scratch per thread and makes a new one when the generation it
 * acquires differs from its scratch's.
 */
#ifndef VIGIL_DETECT_ENGINE_H
#define VIGIL_DETECT_ENGINE_H

#include "detect/detect.h"

#include <pthread.h>
#include <stdatomic.h>

/* The refusals an engine remembers; more are counted in nrefusals_over only. */
#define DETECT_ENGINE_MAX_REFUSALS 65536

/* A refused document, kept (owned by the engine) to compare sets across reloads. */
struct detect_engine_refusal {
    char *file;
    unsigned line;
    char *id;
    char *reason;
    uint64_t key; /* hash of (file, id, reason without line numbers): its identity */
};

/*
 * What an engine learns about one rule while workers use it (detect_cost.c): its
 * matches, and the time the reference evaluator took on the events sampled for cost.
 * Relaxed atomics: any worker adds, /metrics and the console read.
 */
struct detect_rule_stats {
    _Atomic uint64_t matches;
    _Atomic uint64_t evals;   /* timed evaluations of the rule alone */
    _Atomic uint64_t eval_ns; /* their time */
};

/* Everything but `refs` and `stats` is read-only once detect_engine_build returns. */
struct detect_engine {
    struct detect_rules *rules;
    struct detect_matcher *matcher;
    uint64_t generation;
    struct detect_load_stats load;
    struct detect_compile_stats compile;
    int64_t load_ns, compile_ns; /* wall time spent loading and compiling */
    struct detect_engine_refusal *refusals;
    size_t nrefusals, nrefusals_over;
    struct detect_rule_stats *stats; /* per rule; reset by a reload (a new engine) */
    atomic_uint refs; /* private: see detect_engine_ref / detect_engine_release */
};

/*
 * Loads the Sigma files under paths[0..n) with opts and compiles them, on the calling
 * thread, into a new engine with one reference (the caller's) and the given generation.
 * Every configured path must be readable (a directory that opens, a file that opens):
 * otherwise ERR_NOTFOUND / ERR_IO with "rules path P: reason" in err and nothing built.
 * Refused documents are not an error (they are listed in the engine). ERR_NOMEM;
 * ERR_PARSE with the compiler's reason when the matcher cannot be compiled.
 */
int detect_engine_build(const struct detect_load_opts *opts, const char *const *paths, size_t n,
                        uint64_t generation, struct detect_engine **out, char *err, size_t errlen);

/* Adds a reference to e (not NULL) and returns it. Any thread. */
struct detect_engine *detect_engine_ref(struct detect_engine *e);
/* Drops a reference; the last one frees e (matcher, then rules). NULL does nothing. */
void detect_engine_release(struct detect_engine *e);

typedef void (*detect_engine_refusal_fn)(void *ctx, const struct detect_engine_refusal *r);

/*
 * Counts the refusals of next that cur does not have (compared by file, id and reason,
 * not by line: editing a file moves lines, so the N of "line N" in a reason is ignored
 * too), calling fn (may be NULL) for each. cur NULL
 * means every refusal of next is new. Neither engine is changed.
 */
size_t detect_engine_new_refusals(const struct detect_engine *cur, const struct detect_engine *next,
                                  detect_engine_refusal_fn fn, void *ctx);

/* Counts a match of rule (an index of e->rules) in e's statistics. */
void detect_engine_count_match(struct detect_engine *e, size_t rule);

/*
 * Per-rule cost, sampled (detect_cost.c). The compiled matcher shares its work between
 * rules (one Hyperscan scan per field serves all of them), so its time cannot be split
 * by rule. What can be measured is what each rule costs alone: for one event, every
 * rule whose logsource covers it is evaluated by the reference evaluator and timed, and
 * the time is added to that rule's statistics. The answer is that evaluation's total
 * time, so a caller samples: one event in many, never every event.
 */
int64_t detect_engine_time_rules(struct detect_engine *e, const struct event *ev);

/* Where the current engine is published. */
struct detect_engine_holder {
    pthread_mutex_t mu;
    struct detect_engine *cur; /* NULL: no rules */
};

/* Starts h empty. */
void detect_engine_holder_init(struct detect_engine_holder *h);
/* Releases the current engine (other references keep it alive) and destroys h. */
void detect_engine_holder_fini(struct detect_engine_holder *h);
/* The current engine with a reference the caller releases, or NULL when none. */
struct detect_engine *detect_engine_acquire(struct detect_engine_holder *h);
/* Publishes e (its reference passes to h; NULL empties h) and releases the previous
 * engine: atomic for acquirers, who see either the old or the new one. */
void detect_engine_swap(struct detect_engine_holder *h, struct detect_engine *e);

#endif
