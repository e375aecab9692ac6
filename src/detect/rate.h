/*
 * rate.h — the rate analyzers (docs/ARCHITECTURE.md §1 "correlate"): floods, DDoS
 * indications and scans, judged in event time against an adaptive baseline. Like the
 * correlator they run in one place (the writer thread of `vigil serve`), so a count is
 * never split across workers; they depend on core only and know nothing of the daemon.
 *
 * The caller turns each event that says something about traffic into one observation
 * (struct rate_obs): a web request (source, site, URL path, status) or a connection from
 * a firewall or flow log (source, destination, port, packets, SYN-only, denied). The
 * analyzers keep, per key, per second of event time, counts; when a second is over (the
 * watermark — the latest second seen minus the lateness — has passed it) it is judged:
 *
 * - Rates against a baseline (rate_base.c, rate_judge.c). Per site: requests/s (HTTP
 *   flood, many sources) and server errors/s (5xx burst); per site and URL path:
 *   requests/s (HTTP flood on one URL, which a busy site's whole rate hides); per source:
 *   requests/s (HTTP flood by one source); per destination address of firewall/flow
 *   events: connections/s and packets/s (DDoS indication). The baseline of a rate is
 *   the exponentially weighted mean and variance of its per-second values; a second is
 *   *over* when its value exceeds max(floor, mean + k·σ, multiplier·mean). `sustain`
 *   over seconds in a row open an episode; while it is open the baseline is frozen (a
 *   long flood must not become normal) and a second stays over down to halfway between
 *   the mean and that threshold; `quiet` seconds in a row below it close the episode.
 * - URL paths (site + path without the query string) are many and come and go, so they
 *   have their own cap and expire after one idle half-life. A URL is not judged while its
 *   site is still warming up (a freshly started daemon has no baseline for its popular
 *   pages); for its own first `warmup` its bar is at least a quarter of its site's mean
 *   rate (a new page that draws a share of the site's visitors is not a flood; a flood
 *   on a URL nobody visited, from a quarter of the site's rate up, is). A URL episode
 *   that opens while its site's flood is on is part of that flood and is not reported
 *   (the site's alert names the top path), unless it outlasts it (rate_engine.c).
 * - Scans, in a sliding window (rate_scan.c): one source → many ports of one host (port
 *   scan), one source → many hosts on one port (host sweep).
 *
 * An episode is reported when it opens (RATE_OPENED: the analyst must know now), every
 * `report_every` while it lasts (RATE_ONGOING) and when it closes with its whole span
 * (RATE_CLOSED). The reports of one episode carry the same kind and key, so the alert
 * merger (alert.h: same rule and entities within its window) keeps them as ONE alert
 * whose first/last seen are the episode's span; report_every keeps a long episode inside
 * the merge window. Scans report when the window first holds enough, then at most once
 * per half window while it goes on.
 *
 * Memory: every table has a cap on its keys; past it the key touched longest ago is
 * evicted (an open episode is reported closed first) and counted. Distinct counts are
 * sketches of fixed size (HyperLogLog of 512 registers for sources, bitmaps of 512 bits
 * for ports and hosts), so no key grows with what it sees.
 */
#ifndef VIGIL_RATE_H
#define VIGIL_RATE_H

#include "core/core.h"

#define RATE_SAMPLE_IDS 16 /* event ids a finding carries (the most recent over seconds) */
#define RATE_MAX_KEY 255   /* bytes of a key kept (longer values are cut) */

enum rate_obs_kind {
    RATE_OBS_WEB,  /* an HTTP request a web server logged */
    RATE_OBS_CONN, /* a connection (firewall log) or a flow (NetFlow/IPFIX) */
};

/* One observation: what one event says. Slices are read during rate_push only. */
struct rate_obs {
    enum rate_obs_kind kind;
    int64_t time_ns;     /* event time */
    int64_t received_ns; /* receipt (0: unknown): a time ahead of it is taken as it */
    uint64_t event_id;
    struct slice src;  /* source address (empty: unknown; such an event counts for the
                        * site or destination but not per source) */
    struct slice site; /* web: the site key the caller chose */
    struct slice dst;  /* destination address */
    unsigned dst_port; /* 0: unknown */
    struct slice path; /* web: the URL path */
    unsigned status;   /* web: HTTP status (0: unknown) */
    uint64_t packets;  /* flows: packets (0: unknown) */
    bool syn_only;     /* a TCP attempt that never got past SYN */
    bool denied;       /* the firewall denied, dropped or rejected it */
};

enum rate_kind {
    RATE_SITE_FLOOD,   /* requests/s on a site, many sources */
    RATE_SOURCE_FLOOD, /* requests/s from one source */
    RATE_SITE_ERRORS,  /* server errors (5xx)/s on a site */
    RATE_DDOS,         /* connections/s or packets/s to one destination */
    RATE_PORT_SCAN,    /* one source, one host, many ports */
    RATE_HOST_SWEEP,   /* one source, one port, many hosts */
    RATE_URL_FLOOD,    /* requests/s on one URL path of a site, many sources */
    RATE_KINDS
};

enum rate_phase { RATE_OPENED, RATE_ONGOING, RATE_CLOSED };

/* What a finding says; valid during the callback only. */
struct rate_finding {
    enum rate_kind kind;
    enum rate_phase phase;
    struct slice key;               /* the site, source or destination; scans: the source */
    struct slice target;            /* port scan: the host scanned; URL flood: the path (else
                                     * empty) */
    unsigned port;                  /* host sweep: the port swept (else 0) */
    int64_t first_ns, last_ns;      /* the span so far (whole seconds; scans: event times) */
    uint64_t peak;                  /* highest per-second count (scans: distinct ports/hosts) */
    uint64_t total;                 /* count over the span (requests, errors, connections) */
    double mean;                    /* the baseline's mean per second when it opened */
    double threshold;               /* the per-second value it had to exceed */
    uint64_t sources;               /* distinct sources in the over seconds (estimate; 0: not
                                     * counted for this kind) */
    uint64_t errors, client_errors; /* site: 5xx and 4xx over the span */
    uint64_t packets, packets_peak; /* DDoS: packets over the span, highest per second */
    uint64_t syn_only, denied;      /* DDoS: connections that were so, over the span */
    struct slice top_path;          /* site: the URL path most requested in the over
                                     * seconds (cut at 96 bytes), and its share */
    uint64_t top_path_count, paths_counted;
    const uint64_t *event_ids; /* oldest first */
    unsigned nevents;
};

typedef void (*rate_finding_fn)(void *ctx, const struct rate_finding *f);

/* How the analyzers judge and bound themselves. Zeros mean the defaults (rate_opts_
 * defaults fills them; README "Rate analyzers" gives the reason for each). */
struct rate_opts {
    int64_t lateness_ns;     /* out-of-order allowance in event time: 10 s (max 120 s) */
    int64_t halflife_ns;     /* the baseline's half-life: 10 min */
    int64_t warmup_ns;       /* a site or destination learns this long before it is
                              * judged: 5 min (sources are judged at once) */
    double k;                /* σ above the mean: 6 */
    double multiplier;       /* times the mean: 3 */
    unsigned sustain_s;      /* over seconds in a row that open an episode: 5 */
    unsigned quiet_s;        /* seconds in a row below that close it: 30 */
    int64_t report_every_ns; /* while open, a report this often: 5 min */
    int64_t max_episode_ns;  /* an episode this long is closed and its level learned: 6 h */
    double site_floor;       /* requests/s on a site: 50 */
    double url_floor;        /* requests/s on one URL path of a site: 50 */
    double source_floor;     /* requests/s from one source: 100 */
    double error_floor;      /* 5xx/s on a site: 10 */
    double conn_floor;       /* connections/s to one destination: 500 */
    double packet_floor;     /* packets/s to one destination: 20,000 */
    unsigned scan_ports;     /* distinct ports of one host from one source: 100 */
    unsigned sweep_hosts;    /* distinct hosts on one port from one source: 100 */
    int64_t scan_window_ns;  /* their window: 60 s */
    int sweep_all;           /* 1: every connection counts for sweeps; -1 or 0 (default):
                              * only denied or SYN-only ones */
    size_t max_sites;        /* keys per table: 10,000 */
    size_t max_urls;         /* (site, path): 100,000 */
    size_t max_sources;      /* 100,000 */
    size_t max_destinations; /* 100,000 */
    size_t max_scan_keys;    /* per scan table: 100,000 */
    uint64_t seed;           /* the keys' hash seed; 0 (default): random, so a sender cannot
                              * choose keys that collide (tests fix it: the distinct-source
                              * estimates then come out the same every run) */
};

/* Fills the zeros of o with the defaults (and bounds what is out of range). */
void rate_opts_defaults(struct rate_opts *o);

/* What the analyzers counted. */
struct rate_stats {
    uint64_t observations; /* taken */
    uint64_t late;         /* behind the watermark: skipped (their second was judged) */
    uint64_t keys;         /* keys held now, all tables */
    uint64_t evicted;      /* keys dropped at the caps, oldest first (state lost) */
    uint64_t expired;      /* keys dropped after a long idle time (nothing lost) */
    uint64_t findings;     /* reports made (each phase counts) */
    uint64_t episodes;     /* episodes and scans opened (reported) */
    uint64_t covered;      /* URL episodes opened inside their site's flood: not reported
                            * (unless they outlast it) */
    uint64_t nomem;        /* observations lost: no memory for their key */
    uint64_t bytes;        /* bytes held now */
};

struct rate;

/* New analyzers with options o (NULL: defaults), reporting to fn(ctx, finding) on the
 * thread that calls rate_push / rate_tick / rate_flush. NULL on allocation failure. */
struct rate *rate_new(const struct rate_opts *o, rate_finding_fn fn, void *ctx);
void rate_free(struct rate *r);

/* Takes one observation (copies what it keeps). An observation whose second was judged
 * already is counted late and skipped; one that finds no memory is counted (nomem). */
void rate_push(struct rate *r, const struct rate_obs *o);
/* For a live stream: when nothing came for `lateness` of wall-clock time (now_mono_ns,
 * vtime_mono_ns), event time is taken to move with the wall clock, so the seconds of a
 * stream that went quiet are judged and its episodes close. */
void rate_tick(struct rate *r, int64_t now_mono_ns);
/* The end of input: every second judged, every open episode reported closed. */
void rate_flush(struct rate *r);
void rate_stats(const struct rate *r, struct rate_stats *out);

/* "site-flood", "source-flood", ... */
const char *rate_kind_name(enum rate_kind k);
/* "opened", "ongoing", "closed". */
const char *rate_phase_name(enum rate_phase p);

/* ---- with the rest of Vigil (rate_event.c) ------------------------------------------- */

struct event;

/* The built-in rule a kind of finding is reported as (README "Rate analyzers"). */
struct rate_rule {
    const char *id, *title, *level;
    const char *const *tags;
    unsigned ntags;
};

/* The rule of kind k (static), NULL for an unknown kind. */
const struct rate_rule *rate_rule_of(enum rate_kind k);
/* ev as an observation (slices into ev); false when it is neither a web request nor a
 * connection of a firewall or flow log. */
bool rate_observe_event(const struct event *ev, struct rate_obs *o);
/* f's figures in words ("requests on shop: peak 5056/s, baseline 49.0/s, ..."), cut to
 * cap bytes. */
void rate_finding_text(const struct rate_finding *f, char *out, size_t cap);

#endif
