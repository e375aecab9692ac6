/*
 * detect_int.h — private declarations of src/detect beyond the Sigma IR: the rule set
 * container and the rule evaluator.
 */
#ifndef VIGIL_DETECT_INT_H
#define VIGIL_DETECT_INT_H

#include "detect/detect.h"
#include "detect/sigma_int.h"

struct detect_rules {
    struct sigma_rule *rules;
    uint64_t *routes; /* per rule: the routes (ROUTE_BIT set) its logsource covers */
    size_t n, cap;
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
uint64_t sigma_rule_routes(const struct sigma_rule *r);

/* True when the rule's condition holds for ev (sigma_eval.c). */
bool sigma_rule_match(const struct sigma_rule *r, const struct event *ev);

#endif
