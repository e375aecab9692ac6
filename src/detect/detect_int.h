/*
 * detect_int.h — private declarations of src/detect beyond the Sigma IR: the rule set
 * container and the rule evaluator.
 */
#ifndef VIGIL_DETECT_INT_H
#define VIGIL_DETECT_INT_H

#include "detect/detect.h"
#include "detect/sigma_int.h"

#include <string.h>

struct detect_rules {
    struct sigma_rule *rules;
    route_set *routes; /* per rule: the routes (ROUTE_BIT set) its logsource covers */
    size_t n, cap;
    uint32_t natoms; /* prefilterable values, numbered 1..natoms as rules are added */
    /* correlations (corr_int.h), and per rule the correlations that refer to it */
    struct sigma_corr *corrs;
    size_t ncorrs, corrcap;
    struct corr_use **uses; /* per rule: NULL, or an array of nuses[i] */
    uint16_t *nuses;
    uint64_t corr_seed; /* seeds group hashes (attackers choose group values) */
    uint8_t *alerts;    /* per rule: 0 when every correlation referring to it says
                         * generate: false (NULL: every rule alerts) */
};

/* An empty rule set (detect.c). */
struct detect_rules *detect_rules_new(void);
/* Moves *r into rs (r is zeroed on success; on failure the caller still owns it). */
int detect_rules_add(struct detect_rules *rs, struct sigma_rule *r);
/* Frees what a rule owns. */
void sigma_rule_fini(struct sigma_rule *r);
/* "informational" ... "critical". */
const char *sigma_level_name(enum sigma_level l);
/* The routes whose (product, category, service) satisfy the rule's logsource: every
 * attribute the rule names must equal the route's. */
route_set sigma_rule_routes(const struct sigma_rule *r);

/*
 * Reads the metadata common to rules and correlations from doc into r: title (required,
 * at most 256 characters), id, name, level (default medium), status, tags.
 */
/* The YAML of the built-in rules (builtin_rules.c), *len bytes, static. */
const char *detect_builtin_text(size_t *len);

int sigma_meta_parse(const struct cfg_node *doc, struct sigma_rule *r, char *err, size_t errlen);

/* True when the rule's condition holds for ev (sigma_eval.c): the reference evaluation. */
bool sigma_rule_match(const struct sigma_rule *r, const struct event *ev);

/*
 * Where one event's values are, by field id, so that a predicate finds its field's
 * values without reading every field of the event. For id (valid when stamp[id] == gen):
 * bit i of own[id] is event field i carrying id, bit i of via[id] a field that a route
 * alias of the event gives the name id (fields never chain: the alias of an alias is not
 * followed, as in the field lookup without an index). Extras are not in it: an extra
 * never carries a declared name (event_add_named gives every known name its id).
 */
struct field_index {
    uint32_t gen;
    uint32_t stamp[FIELD_MAX_IDS];
    uint64_t own[FIELD_MAX_IDS], via[FIELD_MAX_IDS];
};

/* Indexes ev's fields in x (sigma_eval.c); x->gen moves on, nothing is cleared. */
void field_index_build(struct field_index *x, const struct event *ev);

/*
 * The prefilter's verdicts for one event: value v (v->atom != 0, scanned[v->atom] != 0)
 * holds exactly when stamp[v->atom] == gen. The compiled matcher fills them by scanning
 * the event once, and indexes the event's fields for the evaluator.
 */
struct sigma_atoms {
    const uint32_t *stamp;
    uint32_t gen;
    const uint8_t *scanned; /* per atom: non-zero when the scan decided it (else the
                             * evaluator matches the value itself) */
    const struct field_index *index; /* the event's fields (NULL: looked through) */
};

/* sigma_rule_match, taking each prefilterable value's verdict from at (NULL: evaluate
 * every value itself). */
bool sigma_rule_eval(const struct sigma_rule *r, const struct event *ev,
                     const struct sigma_atoms *at);

/*
 * True when the compiled matcher's prefilter decides v exactly (detect_compile.c): a
 * string value without a time modifier whose every alternative has a literal of at
 * least one byte to look for. Other values (regex, cidr, numbers, exists, null,
 * fieldref, empty strings, globs of wildcards only) the evaluator matches itself.
 */
bool sigma_value_prefilterable(const struct sigma_value *v);

/*
 * Where Sigma keywords look in ev: the text and every field value, except in an event
 * decoded from JSON (the json and windows decoders, .evtx records included) with all its
 * fields kept, where the text is only syntax around the values: there keywords look in
 * the values alone, so a keyword never matches a key name and `\Temp\` is found in a
 * path the JSON writes `\\Temp\\`. The matcher and the reference agree on it.
 */
static inline bool keywords_in_values_only(const struct event *ev)
{
    return ev->decoder && !(ev->flags & (EVF_FIELDS_DROPPED | EVF_TRUNCATED)) &&
           (!strcmp(ev->decoder, "json") || !strcmp(ev->decoder, "windows"));
}

/*
 * A literal every match of regex re[0..n) (PCRE2 options flags) contains (re_literal.c):
 * its length (0: none found), written to out (cap bytes; runs longer than cap / 2 are
 * cut). *caseless: the regex matches it in any ASCII case (out is then lower-case).
 */
size_t re_required_literal(const char *re, size_t n, uint32_t flags, char *out, size_t cap,
                           bool *caseless);

#endif
