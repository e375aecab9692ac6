/*
 * alerting_rates.c — the rate analyzers (detect/rate.h) in the alert stage of `vigil
 * serve`, on the writer thread, which sees every batch: each event that is a web request
 * (route webserver with a request: cs-method or cs-uri-stem) or a connection (routes
 * firewall and netflow, with a destination address) becomes one observation, and each
 * finding an alert hit of a built-in rule id, merged, scored and written like any other.
 *
 * Which events are observations, the built-in rules and the figures in words are in
 * src/detect/rate_event.c, shared with `vigil hunt`.
 *
 * An episode's reports (opened, every report_every, closed) carry the same rule and
 * entities, so the merger keeps ONE alert whose first and last seen are the episode's
 * span; its count is the number of reports. Alerts have no column for the figures: the
 * title of the opening report carries them (peak rate, baseline, sources, top path),
 * and each report is logged with the figures at the time.
 */
#include "ingest/ingest_int.h"

#include "enrich/enrich.h"

#include <stdio.h>
#include <string.h>

static void on_finding(void *ctx, const struct rate_finding *f)
{
    struct ingest *ig = ctx;
    if ((unsigned)f->kind >= RATE_KINDS)
        return;
    const struct rate_rule *rule = rate_rule_of(f->kind);
    char fig[400], title[512];
    rate_finding_text(f, fig, sizeof fig);
    log_info("rates: %s %s: %s", rate_kind_name(f->kind), rate_phase_name(f->phase), fig);
    snprintf(title, sizeof title, "%s: %s", rule->title, fig);
    struct alert_hit a = {
        .rule_id = rule->id,
        .rule_title = title,
        .rule_level = rule->level,
        .tags = rule->tags,
        .ntags = rule->ntags,
        .first_ns = f->first_ns,
        .last_ns = f->last_ns,
        .received_ns = vtime_now_ns(),
        .event_ids = f->event_ids,
        .nevents = f->nevents,
    };
    switch (f->kind) {
    case RATE_SITE_FLOOD:
    case RATE_SITE_ERRORS:
    case RATE_URL_FLOOD: /* the path is in the title: alerts have no column for it */
        a.host = f->key;
        break;
    case RATE_DDOS:
        a.dst_ip = f->key;
        break;
    case RATE_PORT_SCAN:
        a.src_ip = f->key;
        a.dst_ip = f->target;
        break;
    default: /* one source */
        a.src_ip = f->key;
    }
    /* several seconds of many events agree: scored as a correlation */
    a.risk = alert_risk(a.rule_level, "test", ingest_pick_asset(ig->assets, &a, &a.asset), true);
    atomic_fetch_add_explicit(&ig->rct.rate_alerts, 1, memory_order_relaxed);
    if (ingest_suppressed(ig, &a))
        return;
    if (f->phase == RATE_OPENED) /* an episode's risk counts once */
        ingest_accumulate(ig, &a);
    if (alert_merge_add(ig->alerting.merge, &a))
        atomic_fetch_add_explicit(&ig->rct.alerts_failed, 1, memory_order_relaxed);
}

static void publish(struct ingest *ig)
{
    struct rate_stats st;
    rate_stats(ig->alerting.rate, &st);
    struct ingest_rule_counters *r = &ig->rct;
    atomic_store_explicit(&r->rate_obs, st.observations, memory_order_relaxed);
    atomic_store_explicit(&r->rate_late, st.late, memory_order_relaxed);
    atomic_store_explicit(&r->rate_keys, st.keys, memory_order_relaxed);
    atomic_store_explicit(&r->rate_evicted, st.evicted, memory_order_relaxed);
    atomic_store_explicit(&r->rate_findings, st.findings, memory_order_relaxed);
    atomic_store_explicit(&r->rate_covered, st.covered, memory_order_relaxed);
}

/* See ingest_int.h. */
int ingest_rates_init(struct ingest *ig)
{
    if (ig->cfg->rates_off)
        return 0;
    ig->alerting.rate = rate_new(&ig->cfg->rates, on_finding, ig);
    return ig->alerting.rate ? 0 : ERR_NOMEM;
}

/* See ingest_int.h. */
void ingest_rates_batch(struct ingest *ig, const struct ingest_batch *b)
{
    struct rate *r = ig->alerting.rate;
    if (!r)
        return;
    for (size_t i = 0; i < b->n; i++) {
        struct rate_obs o;
        if (rate_observe_event(&b->evs[i], &o))
            rate_push(r, &o);
    }
    publish(ig);
}

/* See ingest_int.h. */
void ingest_rates_tick(struct ingest *ig, int64_t now_mono_ns)
{
    if (!ig->alerting.rate)
        return;
    rate_tick(ig->alerting.rate, now_mono_ns);
    publish(ig);
}

/* See ingest_int.h. */
void ingest_rates_finish(struct ingest *ig)
{
    if (!ig->alerting.rate)
        return;
    rate_flush(ig->alerting.rate);
    publish(ig);
    struct rate_stats st;
    rate_stats(ig->alerting.rate, &st);
    log_info("rates: %llu observations, %llu late, %llu findings (%llu episodes, %llu URL "
             "episodes inside a site flood), %llu keys, %llu evicted, %llu expired, %llu lost "
             "(no memory)",
             (unsigned long long)st.observations, (unsigned long long)st.late,
             (unsigned long long)st.findings, (unsigned long long)st.episodes,
             (unsigned long long)st.covered, (unsigned long long)st.keys,
             (unsigned long long)st.evicted, (unsigned long long)st.expired,
             (unsigned long long)st.nomem);
}

/* See ingest_int.h. */
void ingest_rates_fini(struct ingest *ig)
{
    rate_free(ig->alerting.rate);
    ig->alerting.rate = NULL;
}
