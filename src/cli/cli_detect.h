/*
 * cli_detect.h — offline detection shared by `vigil hunt` and `vigil rules test`
 * (cli_detect.c): records decoded as the daemon decodes them, matched, correlated; what
 * alerts is reported through two callbacks.
 */
#ifndef VIGIL_CLI_DETECT_H
#define VIGIL_CLI_DETECT_H

#include "alert/alert.h"
#include "core/core.h"
#include "decode/decode.h"
#include "detect/detect.h"
#include "detect/rate.h"
#include "event/event.h"

#include <stdio.h>

/* A match of a rule that alerts. */
typedef int (*cli_match_fn)(void *ctx, size_t rule, const struct event *ev);
/* A correlation that held and alerts. */
typedef void (*cli_hit_fn)(void *ctx, const struct corr_hit *hit);

struct cli_detector {
    struct detect_rules *rules;     /* not owned */
    struct detect_matcher *matcher; /* NULL: the reference evaluator */
    struct detect_scratch *scratch;
    struct correlator *corr; /* NULL when the set has no correlation */
    struct corr_item items[64];
    struct decode_ctx *dc;
    struct decode_source src;
    struct arena arena;
    struct event *ev;
    struct alert_seen *seen; /* vigil_first_seen within the run */
    const struct assets *assets; /* NULL, or the inventory events are enriched from */
    struct rate *rate;           /* NULL, or the rate analyzers every event is observed by
                                  * (owned: freed by cli_detector_fini) */
    uint64_t events, corr_missing, corr_lost, seen_before;
    cli_match_fn on_match;
    cli_hit_fn on_hit;
    void *ctx;
};

/*
 * Prepares d for rules (which must outlive it): the compiled matcher unless reference,
 * a correlator when rules has correlations. 0, or ERR_NOMEM / ERR_PARSE with the reason
 * in err; d must be finished with cli_detector_fini either way.
 */
int cli_detector_init(struct cli_detector *d, struct detect_rules *rules, bool reference,
                      cli_match_fn on_match, cli_hit_fn on_hit, void *ctx, char *err,
                      size_t errlen);
/* Decodes one record (received now; id and input name given) and detects on it. */
int cli_detector_line(struct cli_detector *d, const char *line, size_t len, uint64_t id,
                      const char *input);
/* Detects on an event decoded elsewhere (EVTX records). */
int cli_detector_event(struct cli_detector *d, const struct event *ev);
/* End of input: the correlator's waiting matches and open windows judged, and the rate
 * analyzers' open episodes reported closed. */
void cli_detector_flush(struct cli_detector *d);
void cli_detector_fini(struct cli_detector *d);

/* ---- the rate analyzers' findings as `vigil hunt` prints them (hunt_rates.c) ---------- */

struct hunt_rates;
/* Called with the level of each finding printed (for the run's summary). */
typedef void (*hunt_rates_level_fn)(void *ctx, const char *level);

/* A printer to stdout, jsonl or (table) one line per finding; NULL on no memory. */
struct hunt_rates *hunt_rates_new(bool table, hunt_rates_level_fn on_level, void *ctx);
/* The rate_finding_fn to give rate_new (ctx: the printer): prints an episode when it
 * closes, holds a scan's reports until hunt_rates_flush. */
void hunt_rates_finding(void *ctx, const struct rate_finding *f);
/* Prints the scans held (call after the analyzers' rate_flush). */
void hunt_rates_flush(struct hunt_rates *h);
void hunt_rates_free(struct hunt_rates *h);

#endif
