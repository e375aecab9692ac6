/*
 * detect.h — detection (docs/ARCHITECTURE.md §1 "match"): Sigma rule sets loaded from
 * YAML files, and their evaluation against decoded events.
 *
 * A rule set is loaded from files and directories of Sigma YAML (multi-document files
 * hold rules, correlation and filter documents). A document Vigil cannot honour is
 * refused with its file, line, rule id and the reason, through a callback: never
 * skipped silently, never half-loaded. Correlation documents are loaded beside the rules
 * they refer to (correlate.h runs them); filter documents are counted, not applied yet.
 */
#ifndef VIGIL_DETECT_H
#define VIGIL_DETECT_H

#include "analyze/analyze.h"
#include "core/core.h"
#include "event/event.h"

struct detect_rules;

/* One refused document (valid only during the callback). */
struct detect_refusal {
    const char *file;
    unsigned line;  /* the document's first line, or the line of the fault */
    const char *id; /* the rule's id, or "-" when it has none (or the file is unreadable) */
    const char *reason;
};

typedef void (*detect_refusal_fn)(void *ctx, const struct detect_refusal *r);

struct detect_load_stats {
    size_t files;        /* YAML files read */
    size_t unreadable;   /* files that could not be read or parsed as YAML */
    size_t rules;        /* single-event rules loaded */
    size_t builtin;      /* of which Vigil's built-in rules (detect_load_opts.builtin) */
    size_t correlations; /* correlation documents kept */
    size_t filters;      /* filter documents kept */
    size_t refused;      /* documents refused */
};

/*
 * The values of a `%name%` placeholder for |expand. Sigma leaves them to the deployment
 * (pySigma: processing pipelines): a value with %name% expands to one alternative per
 * value, OR-ed; a rule naming a placeholder nobody configured is refused.
 */
struct detect_placeholder {
    const char *name;          /* without the % signs */
    const char *const *values; /* Sigma strings: wildcards and escapes as in a rule */
    unsigned nvalues;
};

/* How rules are loaded; NULL means the defaults (no placeholders, no built-in rules). */
struct detect_load_opts {
    const struct detect_placeholder *placeholders;
    unsigned nplaceholders;
    bool builtin; /* load Vigil's built-in rules first (builtin_rules.c: the web attack
                   * analyzers), as the file DETECT_BUILTIN_FILE */
};

#define DETECT_BUILTIN_FILE "builtin:vigil-web-attacks.yml"

/*
 * Loads the Sigma files under paths[0..n) (a file, or a directory walked recursively for
 * *.yml and *.yaml, in name order). Each refusal is reported through fn (may be NULL).
 * Returns 0 with *out set (the caller frees it with detect_rules_free) even when rules
 * were refused; ERR_NOMEM on allocation failure.
 */
int detect_rules_load(const struct detect_load_opts *opts, const char *const *paths, size_t n,
                      detect_refusal_fn fn, void *ctx, struct detect_rules **out,
                      struct detect_load_stats *stats);
/* The same for the YAML text of one file called name (at most 4 MiB: ERR_TOOBIG). */
int detect_rules_load_text(const struct detect_load_opts *opts, const char *name, const char *text,
                           size_t len, detect_refusal_fn fn, void *ctx, struct detect_rules **out,
                           struct detect_load_stats *stats);
void detect_rules_free(struct detect_rules *r);

/* Number of single-event rules in r. */
size_t detect_rules_count(const struct detect_rules *r);

/* A rule as the outside world sees it. */
#define SIGMA_FIRST_SEEN_MAX 4 /* fields of vigil_first_seen (sigma_int.h's bound) */

struct detect_rule_info {
    const char *id, *title, *level, *file;
    const char *status; /* Sigma status (stable, test, ...), NULL when absent */
    const char *const *first_seen; /* vigil_first_seen fields (nfirst_seen of them) */
    unsigned nfirst_seen;
    const char *const *tags;
    unsigned ntags;
};

/* Rule i of r (i < detect_rules_count). */
void detect_rule_info(const struct detect_rules *r, size_t i, struct detect_rule_info *out);

typedef int (*detect_match_fn)(void *ctx, size_t rule, const struct event *ev);

/* Why an analyzer rule (one with `|vigil_attack`) matched an event. */
struct detect_evidence {
    const char *analyzer;       /* "sqli", "xss", ... (static) */
    const char *field;          /* the field it judged (the rule's, valid with the rules) */
    struct analyze_evidence at; /* why, the decoded fragment, the parameter */
};

/*
 * For rule i of r that matched ev: when the rule runs a web attack analyzer, judges its
 * analyzer fields of ev again and fills *out with the first finding (true). False for
 * other rules, at no cost but a flag test. Any thread (the analyzers keep no state).
 */
bool detect_rule_evidence(const struct detect_rules *r, size_t i, const struct event *ev,
                          struct detect_evidence *out);
/* Appends e as a JSON object {"analyzer","field","param" (when any),"why","fragment"};
 * b's error (0 or ERR_NOMEM/ERR_TOOBIG). */
int detect_evidence_json(const struct detect_evidence *e, struct buf *b);

/*
 * Evaluates every rule of r against ev and calls fn(ctx, rule index, ev) per matching
 * rule (fn's non-zero stops). The reference evaluator: every rule, every predicate.
 */
int detect_match_all(const struct detect_rules *r, const struct event *ev, detect_match_fn fn,
                     void *ctx);

/* ---- the compiled matcher (detect_compile.c, detect_match.c) ------------------------------ */

/*
 * A rule set compiled for speed: per field name a Hyperscan database of every string
 * value the rules compare that field with, then the conditions of only the rules a hit
 * (or their routes' rules that need no hit, such as `not selection`) makes candidates.
 * It gives the same matches as detect_match_all, in the same order. Immutable once
 * built, so any number of threads share one, each with its own detect_scratch. It
 * points into the rule set, which must outlive it.
 */
struct detect_matcher;
/* Per-thread working memory of a matcher: matching allocates nothing else per event. */
struct detect_scratch;

/* What compiling produced, for `vigil rules check` and the benchmark. */
struct detect_compile_stats {
    size_t patterns;       /* distinct literals */
    size_t exact;          /* of which wanted whole only: looked up in hash tables */
    size_t databases;      /* Hyperscan databases (field names with string values) */
    size_t atoms;          /* values resolved by the prefilter (strings and regexes) */
    size_t regexes;        /* of which regexes in Hyperscan prefilter databases */
    size_t regexes_direct; /* regexes whose database Hyperscan refused: run one by one */
    size_t prefiltered;    /* rules evaluated only after a prefilter hit */
    size_t unfiltered;     /* rules evaluated on every event of their routes */
    size_t bytes;          /* size of the compiled databases */
};

/*
 * Compiles rs into *out. ERR_NOMEM, or ERR_PARSE with the reason in err when Hyperscan
 * refuses a pattern (a rule that loaded always compiles: that would be a bug). stats may
 * be NULL. The caller frees *out with detect_matcher_free (before freeing rs).
 */
int detect_matcher_compile(const struct detect_rules *rs, struct detect_matcher **out,
                           struct detect_compile_stats *stats, char *err, size_t errlen);
void detect_matcher_free(struct detect_matcher *m);

/* Working memory for one thread matching with m (NULL on allocation failure). */
struct detect_scratch *detect_scratch_new(const struct detect_matcher *m);
void detect_scratch_free(struct detect_scratch *s);
/* Of the values s scanned, how many (*lookups) and how many its memo of recent values
 * answered without scanning (*found). */
void detect_scratch_memo_counts(const struct detect_scratch *s, uint64_t *lookups, uint64_t *found);
/* Forgets the values s remembers, as a new scratch would not know them (a benchmark that
 * passes over the same events again must not find the last pass's values). */
void detect_scratch_forget(struct detect_scratch *s);

/*
 * Calls fn(ctx, rule index, ev) for each rule of m's rule set that matches ev, in rule
 * order (fn's non-zero stops). s must have been made for m and not be in use by another
 * thread. Returns 0, or ERR_IO when Hyperscan fails (the event is then evaluated by the
 * reference evaluator, so no match is lost).
 */
int detect_match(const struct detect_matcher *m, struct detect_scratch *s, const struct event *ev,
                 detect_match_fn fn, void *ctx);

#include "detect/correlate.h"

#endif
