/*
 * detect_matcher.h — the compiled matcher's layout, shared by its compiler
 * (detect_compile.c) and its per-event loop (detect_match.c). Nothing else includes it.
 *
 * A rule set's prefilterable values ("atoms", see sigma_value_prefilterable) are turned
 * into Hyperscan patterns, one database per field name the rules compare strings with and
 * part of the routes (the Windows routes, the Linux ones, macOS, the rest: a Windows
 * command line is not scanned for the literals of Linux rules, and a rule of several
 * parts has its literals in each), plus, for keywords, one per route set: they look at
 * every value and the text. Scanning an
 * event's field values through the databases of their names marks the atoms that hold and makes
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

/* An atom a literal (or regex) decides, with what a hit needs at hand: its rule, the
 * rule's routes and the trigger groups the atom belongs to. */
struct target {
    route_set routes;
    uint32_t atom, rule;
    uint8_t kind;   /* enum target_kind */
    uint8_t groups; /* detect_matcher.atom_groups[atom] */
};

/* The parts of the routes that field scans are made per (see the file comment). */
#define SCAN_PARTS 4

/* The literals for one field name in one part of the routes (or the keywords). */
struct field_scan {
    char *name;       /* the rule-side field name; NULL for the keyword scan */
    uint32_t part;    /* of the routes (detect_matcher.part_routes); 0 for keywords */
    route_set routes; /* routes of the rules that have values here: skip otherwise */
    hs_database_t *db;
    uint32_t npatterns;
    uint32_t *first; /* literal p decides targets[first[p] .. first[p + 1]) */
    struct target *targets;
    uint32_t *len;  /* per literal: its length */
    uint8_t *cased; /* per literal: case-sensitive (scanned over the raw value) */
    bool any_cased;
    /* literals wanted as whole values only are looked up in a hash table instead (db
     * holds the others; NULL when there are none) */
    char **exact_lit;     /* per literal: its bytes when it is in the table, else NULL */
    uint32_t *exact_slot; /* open addressing: literal + 1, 0 empty */
    uint32_t exact_mask;  /* slots - 1; no table when exact_slot is NULL */
    bool exact_cased, exact_caseless;
    uint8_t exact_lens[32]; /* bit n: a literal of n bytes is in the table (n >= 256: all) */
    /* regex atoms: a prefilter database (NULL when Hyperscan refused the set: then each
     * regex is run by PCRE2 on every value) whose hits PCRE2 confirms */
    hs_database_t *re_db;
    uint32_t nre;
    struct target *re_targets;
    /* regex atoms looked for by a literal of theirs (in db): a hit only proposes the rule.
     * PCRE2 folds non-ASCII letters its own way, so a value with non-ASCII bytes takes
     * them all */
    struct target *proxies;
    uint32_t nproxies;
    /* keywords only: no regex and no literal holding a NUL, so the values of an event
     * can be scanned at once, joined by NULs (no hit can span two) */
    bool joinable;
};

struct detect_matcher {
    const struct detect_rules *rs;
    struct field_scan *scans;
    size_t nscans;
    route_set part_routes[SCAN_PARTS];         /* the routes of each part */
    int32_t by_id[SCAN_PARTS][FIELD_MAX_IDS]; /* part, field id -> its scan, -1 when none */
    struct scan_name {
        const char *name;
        uint32_t len, scan, part;
    } * by_name;           /* scans with a name, by name and part (for extras): open addressing */
    uint32_t by_name_mask; /* slots - 1 */
    /* a bit per name_sketch of the names in by_name: an event's extra field whose sketch
     * has no bit (nearly all: agent.type, RuleName) is not hashed and looked up */
    uint64_t name_sketches[16];
    uint32_t *keywords;    /* the keyword scans, one per route set of their rules */
    uint32_t nkeywords;
    /* per atom (1..rs->natoms) */
    const struct sigma_value **atom_value;
    uint32_t *atom_rule;
    uint8_t *atom_groups;  /* the trigger groups of its rule it belongs to (a bit each) */
    uint8_t *atom_scanned; /* the scan decides it (triggers, and all atoms of the rules
                            * evaluated on every event); else the evaluator matches it */
    /* per rule: the mask of its trigger groups; a rule becomes a candidate once each had
     * a hit (0: no triggers, it is in the unfiltered lists; 0xff with no atom carrying
     * the missing bits: it can never match) */
    uint8_t *rule_groups;
    /* per route: rules evaluated on every event of the route, in rule order */
    uint32_t *unfiltered[ROUTE_COUNT];
    uint32_t nunfiltered[ROUTE_COUNT];
    hs_scratch_t *proto; /* sized for every database; cloned per thread */
    struct detect_compile_stats stats;
};

/* A cheap sketch of a field name (its length, first and last bytes): one of 1024. */
static inline unsigned name_sketch(const char *p, size_t n)
{
    return n ? (unsigned)(n * 131 + (unsigned char)p[0] * 31 + (unsigned char)p[n - 1]) & 1023
             : 0;
}

#endif
