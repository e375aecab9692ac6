/*
 * detect_cost.c — an engine's per-rule statistics (detect_engine.h): matches counted as
 * the workers find them, and each rule's cost measured alone on sampled events with the
 * reference evaluator. The operator's question is "which rules are expensive": a rule
 * whose regular expression or long list costs the most alone is the one that slows the
 * compiled matcher down when its literals hit, so the sampled cost ranks rules the way
 * tuning needs, without any timing on the per-event path.
 */
#include "detect/detect_engine.h"
#include "detect/detect_int.h"

/* See detect_engine.h. */
void detect_engine_count_match(struct detect_engine *e, size_t rule)
{
    if (rule < e->rules->n)
        atomic_fetch_add_explicit(&e->stats[rule].matches, 1, memory_order_relaxed);
}

/* See detect_engine.h. */
int64_t detect_engine_time_rules(struct detect_engine *e, const struct event *ev)
{
    const struct detect_rules *rs = e->rules;
    int64_t start = vtime_mono_ns(), t = start;
    for (size_t i = 0; i < rs->n; i++) {
        if (!(rs->routes[i] & ev->routes))
            continue;
        (void)sigma_rule_match(&rs->rules[i], ev);
        int64_t now = vtime_mono_ns();
        atomic_fetch_add_explicit(&e->stats[i].evals, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&e->stats[i].eval_ns, (uint64_t)(now - t),
                                  memory_order_relaxed);
        t = now;
    }
    return t - start;
}
