/*
 * cli_detect.c — offline detection for the commands (`vigil hunt`, `vigil rules test`):
 * a record goes through the daemon's decoders, the compiled matcher (or the reference
 * evaluator) and the correlator, and what alerts is reported — a match of a rule that
 * alerts (not one that only feeds correlations with generate: false, nor one with
 * vigil_first_seen whose values were seen before in the run) and a correlation that held
 * (not an inner one whose outer correlations all say generate: false).
 */
#include "cli/cli_detect.h"
#include "enrich/enrich.h"

#include <string.h>

static int on_rule_match(void *ctx, size_t rule, const struct event *ev)
{
    struct cli_detector *d = ctx;
    if (d->corr && detect_rule_correlated(d->rules, rule)) {
        size_t missing = 0;
        size_t n = corr_items_of(d->rules, rule, ev, &d->arena, d->items,
                                 sizeof d->items / sizeof d->items[0], &missing);
        d->corr_missing += missing;
        for (size_t i = 0; i < n; i++)
            if (correlator_push(d->corr, &d->items[i]))
                d->corr_lost++;
        if (!detect_rule_alerts(d->rules, rule))
            return 0; /* it only feeds correlations (generate: false) */
    }
    struct detect_rule_info ri;
    detect_rule_info(d->rules, rule, &ri);
    if (ri.nfirst_seen) { /* only the first time these values are seen in the run */
        struct slice v[SIGMA_FIRST_SEEN_MAX];
        if (!alert_seen_values(ri.first_seen, ri.nfirst_seen, ev, v))
            return 0;
        if (!alert_seen_add(d->seen, alert_seen_key(ri.id, v, ri.nfirst_seen))) {
            d->seen_before++;
            return 0;
        }
    }
    return d->on_match ? d->on_match(d->ctx, rule, ev) : 0;
}

static void on_corr_hit(void *ctx, const struct corr_hit *hit)
{
    struct cli_detector *d = ctx;
    if (detect_corr_alerts(d->rules, hit->corr) && d->on_hit)
        d->on_hit(d->ctx, hit);
}

/* See cli_detect.h. */
int cli_detector_init(struct cli_detector *d, struct detect_rules *rules, bool reference,
                      cli_match_fn on_match, cli_hit_fn on_hit, void *ctx, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    d->rules = rules;
    d->on_match = on_match;
    d->on_hit = on_hit;
    d->ctx = ctx;
    snprintf(err, errlen, "out of memory");
    if (!reference) {
        int rc = detect_matcher_compile(rules, &d->matcher, NULL, err, errlen);
        if (rc)
            return rc;
        if (!(d->scratch = detect_scratch_new(d->matcher)))
            return ERR_NOMEM;
    }
    arena_init(&d->arena, 1 << 16, 1 << 24);
    if (!(d->ev = mem_alloc(sizeof *d->ev)) || decode_ctx_new(&d->dc) ||
        !(d->seen = alert_seen_new(0)))
        return ERR_NOMEM;
    if (detect_corr_count(rules) && !(d->corr = correlator_new(rules, NULL, on_corr_hit, d)))
        return ERR_NOMEM;
    err[0] = '\0';
    return 0;
}

/* See cli_detect.h. */
int cli_detector_event(struct cli_detector *d, const struct event *ev)
{
    d->events++;
    int rc = d->matcher ? detect_match(d->matcher, d->scratch, ev, on_rule_match, d)
                        : detect_match_all(d->rules, ev, on_rule_match, d);
    struct rate_obs o;
    if (d->rate && rate_observe_event(ev, &o))
        rate_push(d->rate, &o);
    return rc == ERR_IO ? 0 : rc; /* the scan failed and the reference evaluator stood in */
}

/* See cli_detect.h. */
int cli_detector_line(struct cli_detector *d, const char *line, size_t len, uint64_t id,
                      const char *input)
{
    struct event *ev = d->ev;
    event_reset(ev);
    ev->id = id;
    ev->input = slice_cstr(input);
    decode_record(d->dc, &d->src, &d->arena, line, len, vtime_now_ns(), ev);
    assets_enrich(d->assets, ev);
    int rc = cli_detector_event(d, ev);
    arena_reset(&d->arena);
    return rc;
}

/* See cli_detect.h. */
void cli_detector_flush(struct cli_detector *d)
{
    if (d->corr)
        correlator_flush(d->corr);
    if (d->rate)
        rate_flush(d->rate);
}

/* See cli_detect.h. */
void cli_detector_fini(struct cli_detector *d)
{
    correlator_free(d->corr);
    rate_free(d->rate);
    alert_seen_free(d->seen);
    decode_ctx_free(d->dc);
    arena_fini(&d->arena);
    mem_free(d->ev);
    detect_scratch_free(d->scratch);
    detect_matcher_free(d->matcher);
    memset(d, 0, sizeof *d);
}
