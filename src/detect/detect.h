/*
 * detect.h — detection (docs/ARCHITECTURE.md §1 "match"): Sigma rule sets loaded from
 * YAML files, and their evaluation against decoded events.
 *
 * A rule set is loaded from files and directories of Sigma YAML (multi-document files
 * hold rules, correlation and filter documents). A document Vigil cannot honour is
 * refused with its file, line, rule id and the reason, through a callback: never
 * skipped silently, never half-loaded. Correlation and filter documents are kept for
 * the correlation stage (counted, not evaluated here).
 */
#ifndef VIGIL_DETECT_H
#define VIGIL_DETECT_H

#include "core/core.h"
#include "event/event.h"

struct detect_rules;

/* One refused document (valid only during the callback). */
struct detect_refusal {
    const char *file;
    unsigned line;   /* the document's first line, or the line of the fault */
    const char *id;  /* the rule's id, or "-" when it has none (or the file is unreadable) */
    const char *reason;
};

typedef void (*detect_refusal_fn)(void *ctx, const struct detect_refusal *r);

struct detect_load_stats {
    size_t files;        /* YAML files read */
    size_t unreadable;   /* files that could not be read or parsed as YAML */
    size_t rules;        /* single-event rules loaded */
    size_t correlations; /* correlation documents kept */
    size_t filters;      /* filter documents kept */
    size_t refused;      /* documents refused */
};

/*
 * Loads the Sigma files under paths[0..n) (a file, or a directory walked recursively for
 * *.yml and *.yaml, in name order). Each refusal is reported through fn (may be NULL).
 * Returns 0 with *out set (the caller frees it with detect_rules_free) even when rules
 * were refused; ERR_NOMEM on allocation failure.
 */
int detect_rules_load(const char *const *paths, size_t n, detect_refusal_fn fn, void *ctx,
                      struct detect_rules **out, struct detect_load_stats *stats);
/* The same for the YAML text of one file called name (at most 4 MiB: ERR_TOOBIG). */
int detect_rules_load_text(const char *name, const char *text, size_t len, detect_refusal_fn fn,
                           void *ctx, struct detect_rules **out, struct detect_load_stats *stats);
void detect_rules_free(struct detect_rules *r);

/* Number of single-event rules in r. */
size_t detect_rules_count(const struct detect_rules *r);

/* A rule as the outside world sees it. */
struct detect_rule_info {
    const char *id, *title, *level, *file;
    const char *const *tags;
    unsigned ntags;
};

/* Rule i of r (i < detect_rules_count). */
void detect_rule_info(const struct detect_rules *r, size_t i, struct detect_rule_info *out);

typedef int (*detect_match_fn)(void *ctx, size_t rule, const struct event *ev);

/*
 * Evaluates every rule of r against ev and calls fn(ctx, rule index, ev) per matching
 * rule (fn's non-zero stops). The reference evaluator: every rule, every predicate.
 */
int detect_match_all(const struct detect_rules *r, const struct event *ev, detect_match_fn fn,
                     void *ctx);

#endif
