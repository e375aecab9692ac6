/*
 * metrics.c — the pipeline's counters in Prometheus' text format (0.0.4) for the
 * console's /metrics: per input what was received, decoded, dropped and stored, the
 * depth of the queues between the stages, and detection's counters. Counters end in
 * _total; the rest are gauges.
 */
#include "ingest/ingest_int.h"

#include <stddef.h>
#include <string.h>

static void label(struct buf *b, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\' || *v == '"')
            buf_putc(b, '\\');
        buf_putc(b, *v == '\n' ? ' ' : *v);
    }
}

static size_t depth(struct ingest_queue *q)
{
    pthread_mutex_lock(&q->mu);
    size_t n = q->n;
    pthread_mutex_unlock(&q->mu);
    return n;
}

static void metric(struct buf *b, const char *name, const char *type, const char *help)
{
    buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void rule_labels(struct buf *b, const char *name, const struct detect_rule_info *ri)
{
    buf_printf(b, "%s{rule=\"", name);
    label(b, ri->id ? ri->id : "");
    buf_puts(b, "\",title=\"");
    label(b, ri->title ? ri->title : "");
    buf_puts(b, "\"} ");
}

/*
 * Per rule of the current engine (reset by a reload), only for rules with something to
 * say: matches, and the rule's sampled cost alone (detect_cost.c). With thousands of
 * rules, a line per rule whatever its figures would be most of the page.
 */
static void per_rule(struct ingest *ig, struct buf *b)
{
    struct detect_engine *e = detect_engine_acquire(&ig->rules);
    size_t n = e ? detect_rules_count(e->rules) : 0;
    static const struct {
        const char *name, *help;
        size_t off;
        bool seconds;
    } series[] = {
        {"vigil_rule_hits_total", "Matches per rule since the rules were loaded.",
         offsetof(struct detect_rule_stats, matches), false},
        {"vigil_rule_cost_evaluations_total",
         "Sampled events on which the rule was timed alone.",
         offsetof(struct detect_rule_stats, evals), false},
        {"vigil_rule_cost_seconds_total",
         "The rule's time alone on the sampled events (reference evaluator); divided by"
         " its evaluations, what one event costs this rule.",
         offsetof(struct detect_rule_stats, eval_ns), true},
    };
    for (size_t k = 0; k < sizeof series / sizeof series[0]; k++) {
        metric(b, series[k].name, "counter", series[k].help);
        for (size_t i = 0; i < n; i++) {
            const _Atomic uint64_t *v =
                (const _Atomic uint64_t *)(const void *)((const char *)&e->stats[i] +
                                                         series[k].off);
            uint64_t x = atomic_load_explicit(v, memory_order_relaxed);
            if (!x)
                continue;
            struct detect_rule_info ri;
            detect_rule_info(e->rules, i, &ri);
            rule_labels(b, series[k].name, &ri);
            if (series[k].seconds)
                buf_printf(b, "%.9f\n", (double)x / NS_PER_SEC);
            else
                buf_printf(b, "%llu\n", (unsigned long long)x);
        }
    }
    detect_engine_release(e);
}

/* See ingest.h. */
int ingest_metrics_text(struct ingest *ig, struct buf *b)
{
    metric(b, "vigil_uptime_seconds", "gauge", "Seconds since the daemon started.");
    buf_printf(b, "vigil_uptime_seconds %lld\n",
               (long long)((vtime_now_ns() - ig->start_ns) / NS_PER_SEC));
    static const struct {
        const char *name, *help;
        size_t off;
    } counters[] = {
        {"vigil_input_received_total", "Records read by the input.",
         offsetof(struct ingest_counters, received)},
        {"vigil_input_decoded_total", "Records a decoder understood.",
         offsetof(struct ingest_counters, decoded)},
        {"vigil_input_generic_total", "Records kept as generic events (no decoder knew them).",
         offsetof(struct ingest_counters, generic)},
        {"vigil_input_malformed_total", "Records cut or refused as malformed.",
         offsetof(struct ingest_counters, malformed)},
        {"vigil_input_dropped_total", "Records dropped (UDP with the queues full).",
         offsetof(struct ingest_counters, dropped)},
        {"vigil_input_stored_total", "Events committed to the store.",
         offsetof(struct ingest_counters, stored)},
    };
    for (size_t c = 0; c < sizeof counters / sizeof counters[0]; c++) {
        metric(b, counters[c].name, "counter", counters[c].help);
        for (size_t i = 0; i < ig->ninputs; i++) {
            const struct ingest_input *in = &ig->inputs[i];
            _Atomic uint64_t *v = (_Atomic uint64_t *)(void *)((char *)&in->ct + counters[c].off);
            buf_printf(b, "%s{input=\"", counters[c].name);
            label(b, in->cfg->name ? in->cfg->name : "");
            buf_printf(b, "\",type=\"%s\"} %llu\n", ingest_type_name(in->cfg->type),
                       (unsigned long long)atomic_load(v));
        }
    }
    metric(b, "vigil_store_lag_seconds", "gauge",
           "From receipt to the store: the oldest record of the last batch written.");
    buf_printf(b, "vigil_store_lag_seconds %.3f\n",
               (double)atomic_load(&ig->store_lag_ns) / (double)NS_PER_SEC);
    metric(b, "vigil_queue_batches", "gauge", "Batches waiting between the stages.");
    size_t work = 0;
    for (unsigned w = 0; w < ig->nworkers; w++)
        work += depth(&ig->work_q[w]);
    buf_printf(b, "vigil_queue_batches{queue=\"decode\"} %zu\n", work);
    buf_printf(b, "vigil_queue_batches{queue=\"store\"} %zu\n", depth(&ig->write_q));
    buf_printf(b, "vigil_queue_batches{queue=\"free\"} %zu\n", depth(&ig->free_q));
    static const struct {
        const char *name, *type, *help;
        size_t off;
    } rules[] = {
        {"vigil_rule_matches_total", "counter", "Rule matches found by the workers.",
         offsetof(struct ingest_rule_counters, matches)},
        {"vigil_alerts_opened_total", "counter", "Alerts opened.",
         offsetof(struct ingest_rule_counters, alerts_written)},
        {"vigil_alerts_merged_total", "counter", "Hits merged into an open alert.",
         offsetof(struct ingest_rule_counters, alerts_merged)},
        {"vigil_alerts_open", "gauge", "Open alerts the merger remembers.",
         offsetof(struct ingest_rule_counters, alerts_open)},
        {"vigil_correlation_hits_total", "counter", "Correlations that held.",
         offsetof(struct ingest_rule_counters, corr_hits)},
        {"vigil_correlation_late_total", "counter", "Matches behind the watermark.",
         offsetof(struct ingest_rule_counters, corr_late)},
        {"vigil_correlation_evicted_total", "counter", "Window groups dropped at the caps.",
         offsetof(struct ingest_rule_counters, corr_evicted)},
        {"vigil_correlation_groups", "gauge", "Window groups held.",
         offsetof(struct ingest_rule_counters, corr_groups)},
        {"vigil_suppressed_total", "counter", "Hits an analyst's suppression silenced.",
         offsetof(struct ingest_rule_counters, suppressed)},
        {"vigil_rate_observations_total", "counter",
         "Web requests and connections the rate analyzers took.",
         offsetof(struct ingest_rule_counters, rate_obs)},
        {"vigil_rate_late_total", "counter",
         "Observations whose second the rate analyzers had judged already (skipped).",
         offsetof(struct ingest_rule_counters, rate_late)},
        {"vigil_rate_keys", "gauge", "Sites, URLs, sources, destinations and scan keys held.",
         offsetof(struct ingest_rule_counters, rate_keys)},
        {"vigil_rate_evicted_total", "counter",
         "Rate analyzer keys dropped at the caps, oldest first (their baseline lost).",
         offsetof(struct ingest_rule_counters, rate_evicted)},
        {"vigil_rate_findings_total", "counter",
         "Reports of the rate analyzers (an episode opened, going on, closed; a scan).",
         offsetof(struct ingest_rule_counters, rate_findings)},
        {"vigil_rate_covered_total", "counter",
         "URL flood episodes not reported because their site's flood covered them.",
         offsetof(struct ingest_rule_counters, rate_covered)},
        {"vigil_detect_sampled_events_total", "counter",
         "Events whose matching was timed (one per worker at most every 100 ms).",
         offsetof(struct ingest_rule_counters, cost_events)},
    };
    for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++) {
        _Atomic uint64_t *v = (_Atomic uint64_t *)(void *)((char *)&ig->rct + rules[r].off);
        metric(b, rules[r].name, rules[r].type, rules[r].help);
        buf_printf(b, "%s %llu\n", rules[r].name, (unsigned long long)atomic_load(v));
    }
    metric(b, "vigil_detect_sampled_seconds_total", "counter",
           "The compiled matcher's time on the sampled events.");
    buf_printf(b, "vigil_detect_sampled_seconds_total %.9f\n",
               (double)atomic_load(&ig->rct.cost_match_ns) / NS_PER_SEC);
    metric(b, "vigil_detect_sampled_alone_seconds_total", "counter",
           "The time every routed rule took alone (reference evaluator) on the sampled events.");
    buf_printf(b, "vigil_detect_sampled_alone_seconds_total %.9f\n",
               (double)atomic_load(&ig->rct.cost_rules_ns) / NS_PER_SEC);
    per_rule(ig, b);
    return b->err;
}
