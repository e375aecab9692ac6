/*
 * detect_matcher.h — the compiled matcher's layout, shared by its compiler
 * (detect_compile.c) and its per-event loop (detect_match.c). Nothing else includes it.
 *
 * A rule set's prefilterable values ("atoms", see sigma_value_prefilterable) are turned
 * into Hyperscan patterns, one database per field name the rules compare strings with
 * (plus one for keywords, which look at every value and the text). Scanning an event's
 * field values through the databases of their names marks the atoms that hold and makes
 * their rules candidates. Rules whose condition can hold with every atom false (a
 * `not`, a regex-only selection, ...) are candidates on every event of their routes.
 * The candidates' conditions are then evaluated with the atoms' verdicts.
 */
#ifndef VIGIL_DETECT_MATCHER_H
#define VIGIL_DETECT_MATCHER_H

#include "detect/detect_int.h"

#include <hs.h>

/* What a literal's hit means for one atom. */
enum target_kind {
    TARGET_CONTAINS, /* anywhere */
    TARGET_PREFIX,   /* only a hit that ends at the literal's length */
    TARGET_SUFFIX,   /* only a hit that ends the value */
    TARGET_EXACT,    /* both */
    TARGET_VERIFY,   /* a proposal: confirm with sigma_value_match (globs) */
};

struct target {
    uint32_t atom;
    uint8_t kind;
};

/* The literals for one field name (or the keywords). */
struct field_scan {
    char *name;          /* the rule-side field name; NULL for the keyword scan */
    uint64_t routes;     /* routes of the rules that have values here: skip otherwise */
    hs_database_t *db;
    uint32_t npatterns;
    uint32_t *first;     /* literal p decides targets[first[p] .. first[p + 1]) */
    struct target *targets;
    uint32_t *len;       /* per literal: its length */
    uint8_t *cased;      /* per literal: case-sensitive (scanned over the raw value) */
    bool any_cased;
};

struct detect_matcher {
    const struct detect_rules *rs;
    struct field_scan *scans;
    size_t nscans;
    int32_t by_id[FIELD_MAX_IDS]; /* field id -> its scan, -1 when none */
    struct scan_name {
        const char *name;
        uint32_t scan;
    } *by_name;                   /* scans with a name, sorted by name (extras, bsearch) */
    size_t nby_name;
    int32_t keywords;             /* the keyword scan, -1 when no rule has keywords */
    /* per atom (1..rs->natoms) */
    const struct sigma_value **atom_value;
    uint32_t *atom_rule;
    /* per route: rules evaluated on every event of the route, in rule order */
    uint32_t *unfiltered[ROUTE_COUNT];
    uint32_t nunfiltered[ROUTE_COUNT];
    hs_scratch_t *proto; /* sized for every database; cloned per thread */
    struct detect_compile_stats stats;
};

#endif
