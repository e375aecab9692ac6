/*
 * alerting.c — the alert stage of `vigil serve`, run by the writer thread (one thread
 * sees every batch, so counts and merges are never split): each match of a batch feeds
 * the correlations that use its rule (corr_items_of → the correlator) and, unless the
 * rule only feeds correlations, the merger (src/alert) as a hit; each correlation that
 * holds is a hit too. The alerts the merger changed are written to vigil.db in one
 * transaction before the batch's events (pipeline.c says why), retried; an alert found
 * closed by an analyst meanwhile becomes a new one. The rows written are then handed to
 * the configured outputs (src/output: webhook, syslog CEF, e-mail), which copy them into
 * their own bounded queues and send from their own threads — never waiting here.
 *
 * The correlator belongs to one rule-set generation: when a reload publishes another,
 * the old correlator is flushed (its open windows judged) and a new one starts with
 * empty windows — correlation state does not survive a reload.
 */
#include "ingest/ingest_int.h"

#include "enrich/enrich.h"

#include <string.h>
#include <unistd.h>

#define STORE_RETRIES 5

/* The entity alerts (README "Risk"): one pseudo-rule per kind of entity. */
static const struct {
    enum alert_entity kind;
    const char *id, *title;
} entity_rules[] = {
    {ALERT_ENTITY_SRC_IP, "vigil-entity-risk-src_ip", "Accumulated risk of a source address"},
    {ALERT_ENTITY_USER, "vigil-entity-risk-user", "Accumulated risk of a user"},
    {ALERT_ENTITY_HOST, "vigil-entity-risk-host", "Accumulated risk of a host"},
};

/* See ingest_int.h: adds h's risk to its entities' scores; an entity reaching the
 * threshold raises its own alert (merged like any other: one per entity within the merge
 * window). */
void ingest_accumulate(struct ingest *ig, const struct alert_hit *h)
{
    struct ingest_alerting *al = &ig->alerting;
    const struct slice *values[3] = {&h->src_ip, &h->user, &h->host};
    for (size_t k = 0; k < 3; k++) {
        double score;
        if (!alert_entities_add(al->entities, entity_rules[k].kind, *values[k], h->last_ns, h->risk,
                                &score))
            continue;
        double thr =
            ig->cfg->alerting.entity_threshold > 0 ? ig->cfg->alerting.entity_threshold : 20;
        struct alert_hit e = {
            .rule_id = entity_rules[k].id,
            .rule_title = entity_rules[k].title,
            .rule_level = "high",
            .first_ns = h->last_ns,
            .last_ns = h->last_ns,
            .received_ns = h->received_ns,
            .event_ids = h->event_ids,
            .nevents = h->nevents,
            .risk = score >= 2 * thr ? 10 : 5 + 5 * (score - thr) / thr,
            .asset = h->asset,
        };
        e.src_ip = k == 0 ? *values[0] : SLICE_NULL;
        e.user = k == 1 ? *values[1] : SLICE_NULL;
        e.host = k == 2 ? *values[2] : SLICE_NULL;
        atomic_fetch_add_explicit(&ig->rct.entity_alerts, 1, memory_order_relaxed);
        if (!ingest_suppressed(ig, &e) && alert_merge_add(al->merge, &e))
            atomic_fetch_add_explicit(&ig->rct.alerts_failed, 1, memory_order_relaxed);
    }
}

/* See ingest_int.h: the most valuable asset behind an alert's entities (src_ip, dst_ip,
 * the host by name): its value (ASSET_DEFAULT_VALUE when none is known) and name. */
int ingest_pick_asset(const struct assets *inv, const struct alert_hit *h, const char **name)
{
    const struct asset *c[3] = {assets_lookup(inv, h->src_ip), assets_lookup(inv, h->dst_ip),
                                assets_lookup_name(inv, h->host)};
    const struct asset *x = NULL;
    for (int i = 0; i < 3; i++)
        if (c[i] && (!x || c[i]->value > x->value))
            x = c[i];
    *name = x && x->name[0] ? x->name : (x ? x->address : NULL);
    return x ? x->value : ASSET_DEFAULT_VALUE;
}

/* Group-by fields that name an alert's entities (a correlation hit has no event). */
static const struct {
    const char *field;
    int entity; /* 0 src_ip, 1 dst_ip, 2 user, 3 host */
} entity_fields[] = {
    {"src_ip", 0},       {"IpAddress", 0},       {"c-ip", 0}, {"SourceIp", 0},
    {"dst_ip", 1},       {"DestinationIp", 1},   {"user", 2}, {"TargetUserName", 2},
    {"User", 2},         {"SubjectUserName", 2}, {"host", 3}, {"Computer", 3},
    {"ComputerName", 3}, {"Hostname", 3},
};

static void on_corr_hit(void *ctx, const struct corr_hit *h)
{
    struct ingest *ig = ctx;
    struct ingest_alerting *al = &ig->alerting;
    atomic_fetch_add_explicit(&ig->rct.corr_hits, 1, memory_order_relaxed);
    const struct detect_rules *rs = al->corr_engine->rules;
    if (!detect_corr_alerts(rs, h->corr))
        return; /* it only feeds the correlations over it */
    struct detect_corr_info ci;
    detect_corr_info(rs, h->corr, &ci);
    struct alert_hit a = {
        .rule_id = ci.id && *ci.id ? ci.id : (ci.name ? ci.name : ci.title),
        .rule_title = ci.title,
        .rule_level = ci.level,
        .tags = ci.tags,
        .ntags = ci.ntags,
        .first_ns = h->first_ns,
        .last_ns = h->last_ns,
        .received_ns = vtime_now_ns(),
        .event_ids = h->event_ids,
        .nevents = h->nevents,
    };
    struct slice *ent[4] = {&a.src_ip, &a.dst_ip, &a.user, &a.host};
    for (unsigned g = 0; g < ci.ngroup_by; g++)
        for (size_t k = 0; k < sizeof entity_fields / sizeof entity_fields[0]; k++)
            if (!strcmp(ci.group_by[g], entity_fields[k].field) && !ent[entity_fields[k].entity]->p)
                corr_key_value(h->key, g, ent[entity_fields[k].entity]);
    a.risk = alert_risk(ci.level, ci.status, ingest_pick_asset(ig->assets, &a, &a.asset), true);
    if (ingest_suppressed(ig, &a))
        return;
    ingest_accumulate(ig, &a);
    /* the hit's ids are newest first; an alert keeps them oldest first */
    uint64_t ids[CORR_SAMPLE_IDS];
    for (unsigned i = 0; i < h->nevents && i < CORR_SAMPLE_IDS; i++)
        ids[i] = h->event_ids[h->nevents - 1 - i];
    a.event_ids = ids;
    if (alert_merge_add(al->merge, &a))
        atomic_fetch_add_explicit(&ig->rct.alerts_failed, 1, memory_order_relaxed);
}

/* See ingest_int.h. */
int ingest_alerting_init(struct ingest *ig)
{
    struct ingest_alerting *al = &ig->alerting;
    const struct ingest_alert_cfg *c = &ig->cfg->alerting;
    struct alert_merge_opts o = {.window_ns = c->merge_window_ns, .max_open = c->max_open};
    al->merge = alert_merge_new(&o);
    al->seen = alert_seen_new(c->max_first_seen);
    struct alert_entities_opts eo = {.halflife_ns = c->entity_halflife_ns,
                                     .threshold = c->entity_threshold};
    al->entities = alert_entities_new(&eo);
    if (!al->merge || !al->seen || !al->entities)
        return ERR_NOMEM;
    arena_init(&al->seen_arena, 1 << 14, 1 << 24);
    arena_init(&al->sup_arena, 1 << 14, 1 << 24);
    arena_init(&al->terms_arena, 1 << 14, 1 << 24);
    ingest_suppressions_read(ig, vtime_mono_ns());
    char err[512] = "";
    int rc = output_set_new(ig->cfg->outputs, ig->cfg->noutputs, &al->outputs, err, sizeof err);
    if (rc) {
        log_error("%s", err[0] ? err : err_str(rc));
        return rc;
    }
    rc = ingest_seen_load(ig);
    if (rc)
        log_error("first seen: reading what was seen before: %s", err_str(rc));
    return ingest_rates_init(ig);
}

/* Judges what the correlator holds and drops it (a reload, or the end). */
static void drop_correlator(struct ingest *ig)
{
    struct ingest_alerting *al = &ig->alerting;
    if (!al->corr)
        return;
    correlator_flush(al->corr);
    struct correlator_stats cs;
    correlator_stats(al->corr, &cs);
    log_info("correlation: generation %llu done: %llu items, %llu hits, %llu late, %llu evicted",
             (unsigned long long)al->corr_engine->generation, (unsigned long long)cs.items,
             (unsigned long long)cs.hits, (unsigned long long)cs.late,
             (unsigned long long)cs.evicted);
    al->late_before += cs.late;
    al->evicted_before += cs.evicted;
    correlator_free(al->corr);
    al->corr = NULL;
    detect_engine_release(al->corr_engine);
    al->corr_engine = NULL;
}

/* Makes the correlator follow engine e (a new generation after a reload). */
static void follow_engine(struct ingest *ig, struct detect_engine *e)
{
    struct ingest_alerting *al = &ig->alerting;
    if (al->corr_engine == e || (al->corr_engine && al->corr_engine->generation == e->generation))
        return;
    drop_correlator(ig);
    if (!detect_corr_count(e->rules))
        return;
    const struct ingest_alert_cfg *c = &ig->cfg->alerting;
    struct correlator_opts o = {
        .lateness_ns = c->lateness_ns, .max_groups = c->max_groups, .max_bytes = c->max_bytes};
    al->corr_engine = detect_engine_ref(e);
    al->corr = correlator_new(e->rules, &o, on_corr_hit, ig);
    if (!al->corr) {
        log_error("correlation: no memory for a correlator: correlations do not run");
        detect_engine_release(al->corr_engine);
        al->corr_engine = NULL;
    }
}

/* The entities of an event, for an alert. */
static void entities(const struct event *ev, struct alert_hit *a)
{
    if (!event_get(ev, FIELD_src_ip, &a->src_ip))
        a->src_ip = SLICE_NULL;
    if (!event_get(ev, FIELD_dst_ip, &a->dst_ip))
        a->dst_ip = SLICE_NULL;
    if (!event_get(ev, FIELD_user, &a->user))
        a->user = SLICE_NULL;
    if (!event_get(ev, FIELD_host, &a->host))
        a->host = SLICE_NULL;
}

/* Copies the correlator's and the merger's counters where the stats log reads them. */
static void publish(struct ingest *ig)
{
    struct ingest_alerting *al = &ig->alerting;
    struct ingest_rule_counters *r = &ig->rct;
    if (al->corr) {
        struct correlator_stats cs;
        correlator_stats(al->corr, &cs);
        atomic_store_explicit(&r->corr_late, al->late_before + cs.late, memory_order_relaxed);
        atomic_store_explicit(&r->corr_evicted, al->evicted_before + cs.evicted,
                              memory_order_relaxed);
        atomic_store_explicit(&r->corr_groups, cs.groups, memory_order_relaxed);
    }
    struct alert_merge_stats ms;
    alert_merge_stats(al->merge, &ms);
    atomic_store_explicit(&r->alerts_merged, ms.merged, memory_order_relaxed);
    atomic_store_explicit(&r->alerts_open, ms.open, memory_order_relaxed);
}

/* Writes the changed alerts (retried); a failure is logged and counted, and they stay
 * changed for the next write. */
static void write_changed(struct ingest *ig)
{
    struct ingest_alerting *al = &ig->alerting;
    const struct alert_row *rows;
    size_t n;
    alert_merge_changed(al->merge, &rows, &n);
    if (!n) {
        ingest_write_seen(ig);
        ingest_write_terms(ig);
        return;
    }
    if (n > al->capclosed) {
        size_t *p = mem_realloc(al->closed, n * sizeof *p);
        if (!p) {
            atomic_fetch_add_explicit(&ig->rct.alerts_failed, n, memory_order_relaxed);
            return;
        }
        al->closed = p;
        al->capclosed = n;
    }
    size_t inserted = 0, nclosed = 0;
    int rc = ERR_DB;
    for (int attempt = 0; attempt < STORE_RETRIES; attempt++) {
        rc = store_alerts_write(ig->st, rows, n, al->closed, &nclosed, &inserted);
        if (rc == 0)
            break;
        log_error("ingest: store refused %zu alert(s) (attempt %d): %s", n, attempt + 1,
                  err_str(rc));
        usleep(200000);
    }
    if (rc == 0) /* before alert_merge_written: the rows are valid until then */
        output_set_push(al->outputs, rows, n, al->closed, nclosed);
    alert_merge_written(al->merge, rc == 0, al->closed, nclosed);
    publish(ig);
    if (rc) {
        atomic_fetch_add_explicit(&ig->rct.alerts_failed, n, memory_order_relaxed);
        return;
    }
    atomic_fetch_add_explicit(&ig->rct.alerts_written, inserted, memory_order_relaxed);
    atomic_fetch_add_explicit(&ig->rct.alerts_updated, n - inserted - nclosed,
                              memory_order_relaxed);
    ingest_write_seen(ig); /* after the alerts: a crash between re-alerts rather than loses one */
    ingest_write_terms(ig);
}

/* A health finding (health.c) as an alert of its pseudo-rule. */
static void health_alert(struct ingest *ig, const struct ingest_health_hit *h)
{
    static const char *const tags[] = {"vigil.health"};
    bool silent = h->kind == INGEST_HEALTH_SILENT;
    struct alert_hit a = {
        .rule_id = silent ? "vigil-source-silent" : "vigil-clock-skew",
        .rule_title = silent ? "Source stopped sending" : "Device clock is off",
        .rule_level = silent ? "medium" : "low",
        .tags = tags,
        .ntags = 1,
        .first_ns = h->first_ns,
        .last_ns = h->time_ns,
        .received_ns = h->time_ns,
        .host = slice_cstr(h->device),
    };
    a.risk = alert_risk(a.rule_level, "stable", ingest_pick_asset(ig->assets, &a, &a.asset), false);
    atomic_fetch_add_explicit(&ig->rct.health_alerts, 1, memory_order_relaxed);
    if (!ingest_suppressed(ig, &a) && alert_merge_add(ig->alerting.merge, &a))
        atomic_fetch_add_explicit(&ig->rct.alerts_failed, 1, memory_order_relaxed);
}

/* See ingest_int.h. */
void ingest_alerting_batch(struct ingest *ig, struct ingest_batch *b)
{
    struct ingest_alerting *al = &ig->alerting;
    enum ingest_type t = b->in->cfg->type;
    bool network = t != INGEST_FILE && t != INGEST_STDIN; /* a file read now may be old */
    for (size_t i = 0; i < b->n; i++) {
        struct ingest_health_hit h;
        if (network && ingest_health_skew(ig, &b->evs[i], &h))
            health_alert(ig, &h);
        if (b->evs[i].routes & ROUTE_BIT(ROUTE_dhcp))
            ingest_note_terminal(ig, &b->evs[i]);
    }
    ingest_rates_batch(ig, b); /* every event, matched or not */
    if (!b->engine) {
        write_changed(ig);
        return;
    }
    const struct detect_rules *rs = b->engine->rules;
    follow_engine(ig, b->engine);
    for (size_t i = 0; i < b->nmatches; i++) {
        const struct ingest_match *m = &b->matches[i];
        const struct event *ev = &b->evs[m->ev];
        if (al->corr && detect_rule_correlated(rs, m->rule)) {
            size_t missing = 0;
            size_t n = corr_items_of(rs, m->rule, ev, &b->arena, al->items,
                                     sizeof al->items / sizeof al->items[0], &missing);
            if (missing)
                atomic_fetch_add_explicit(&ig->rct.corr_missing, missing, memory_order_relaxed);
            for (size_t k = 0; k < n; k++)
                if (correlator_push(al->corr, &al->items[k]))
                    atomic_fetch_add_explicit(&ig->rct.alerts_failed, 1, memory_order_relaxed);
        }
        if (!detect_rule_alerts(rs, m->rule))
            continue;
        struct detect_rule_info ri;
        detect_rule_info(rs, m->rule, &ri);
        if (!ingest_first_time(ig, &ri, ev))
            continue;
        struct alert_hit a = {
            .rule_id = ri.id && *ri.id ? ri.id : ri.title,
            .rule_title = ri.title,
            .rule_level = ri.level,
            .tags = ri.tags,
            .ntags = ri.ntags,
            .first_ns = ev->time_ns,
            .last_ns = ev->time_ns,
            .received_ns = ev->received_ns,
            .event_ids = &ev->id,
            .nevents = 1,
        };
        entities(ev, &a);
        /* the workers enriched the event already; looking up again is cheaper than
         * reading the fields back as numbers */
        a.risk =
            alert_risk(ri.level, ri.status, ingest_pick_asset(ig->assets, &a, &a.asset), false);
        if (ingest_suppressed(ig, &a))
            continue;
        ingest_accumulate(ig, &a);
        if (alert_merge_add(al->merge, &a))
            atomic_fetch_add_explicit(&ig->rct.alerts_failed, 1, memory_order_relaxed);
    }
    write_changed(ig);
}

/* See ingest_int.h. */
void ingest_alerting_tick(struct ingest *ig, int64_t now_mono_ns)
{
    struct ingest_health_hit h[16];
    size_t n;
    while ((n = ingest_health_take(ig, h, 16)) > 0)
        for (size_t i = 0; i < n; i++)
            health_alert(ig, &h[i]);
    if (now_mono_ns - ig->alerting.sup_read_mono >= INGEST_SUPPRESSIONS_EVERY_NS)
        ingest_suppressions_read(ig, now_mono_ns);
    if (ig->alerting.corr)
        correlator_tick(ig->alerting.corr, now_mono_ns);
    ingest_rates_tick(ig, now_mono_ns);
    write_changed(ig);
    output_set_tick(ig->alerting.outputs, now_mono_ns);
}

/* See ingest_int.h. */
void ingest_alerting_finish(struct ingest *ig)
{
    drop_correlator(ig);
    ingest_rates_finish(ig);
    if (ig->alerting.merge)
        write_changed(ig);
    output_set_stop(ig->alerting.outputs, OUTPUT_DRAIN_NS); /* what is queued, sent */
}

/* See ingest_int.h. */
void ingest_alerting_fini(struct ingest *ig)
{
    struct ingest_alerting *al = &ig->alerting;
    drop_correlator(ig);
    ingest_rates_fini(ig);
    alert_merge_free(al->merge);
    alert_seen_free(al->seen);
    alert_entities_free(al->entities);
    mem_free(al->skew);
    output_set_free(al->outputs);
    arena_fini(&al->seen_arena);
    arena_fini(&al->sup_arena);
    arena_fini(&al->terms_arena);
    mem_free(al->sup);
    mem_free(al->closed);
    memset(al, 0, sizeof *al);
}
