/*
 * rate_engine.c — the rate analyzers' front (rate.h): options and their defaults, the
 * tables and what each counts, the watermark in event time, and the routing of an
 * observation to the tables it feeds. Single-threaded: the caller's thread (the writer
 * of `vigil serve`, or a test) calls every function.
 *
 * Tables (channels = counts kept per key and second; judged ones have a baseline):
 *   site         requests, 5xx, 4xx   judges: site flood (requests), errors (5xx)
 *   source       requests             judge: one-source flood
 *   destination  connections, packets, SYN-only, denied
 *                                     judge: DDoS (connections or packets)
 *   port scans (source × host → ports), host sweeps (source × port → hosts): rate_scan.c
 *
 * The watermark is the latest second seen minus the lateness (each observation's time
 * capped by its receipt, so a device whose clock runs ahead cannot push it); a second
 * at or behind it is judged, and an observation for it comes too late: counted and
 * skipped, so an event far in the past leaves every state as it was.
 */
#include "detect/rate_int.h"

#include <math.h>
#include <string.h>
#include <sys/random.h>

static const struct rate_table_spec spec_site = {
    .name = "site",
    .nchan = 3,
    .njudges = 2,
    .judge = {{RATE_SITE_FLOOD, 1u << 0, true, true}, {RATE_SITE_ERRORS, 1u << 1, true, true}},
};
static const struct rate_table_spec spec_source = {
    .name = "source",
    .nchan = 1,
    .njudges = 1,
    .judge = {{RATE_SOURCE_FLOOD, 1u << 0, false, false}},
};
static const struct rate_table_spec spec_dest = {
    .name = "destination",
    .nchan = 4,
    .njudges = 1,
    .judge = {{RATE_DDOS, (1u << 0) | (1u << 1), true, false}},
};

static void dflt_i64(int64_t *v, int64_t d, int64_t lo, int64_t hi)
{
    if (*v <= 0)
        *v = d;
    *v = *v < lo ? lo : *v > hi ? hi : *v;
}

static void dflt_d(double *v, double d)
{
    if (!(*v > 0) || !isfinite(*v))
        *v = d;
}

static void dflt_u(unsigned *v, unsigned d, unsigned lo, unsigned hi)
{
    if (!*v)
        *v = d;
    *v = *v < lo ? lo : *v > hi ? hi : *v;
}

static void dflt_z(size_t *v, size_t d)
{
    if (!*v)
        *v = d;
}

/* See rate.h. */
void rate_opts_defaults(struct rate_opts *o)
{
    dflt_i64(&o->lateness_ns, 10 * NS_PER_SEC, NS_PER_SEC, 120 * NS_PER_SEC);
    dflt_i64(&o->halflife_ns, 600 * NS_PER_SEC, 10 * NS_PER_SEC, 7 * 86400 * NS_PER_SEC);
    dflt_i64(&o->warmup_ns, 300 * NS_PER_SEC, NS_PER_SEC, 86400 * NS_PER_SEC);
    dflt_d(&o->k, 6);
    dflt_d(&o->multiplier, 3);
    dflt_u(&o->sustain_s, 5, 1, 3600);
    dflt_u(&o->quiet_s, 30, 1, 3600);
    dflt_i64(&o->report_every_ns, 300 * NS_PER_SEC, NS_PER_SEC, 86400 * NS_PER_SEC);
    dflt_i64(&o->max_episode_ns, 6 * 3600 * NS_PER_SEC, 60 * NS_PER_SEC, 30 * 86400 * NS_PER_SEC);
    dflt_d(&o->site_floor, 50);
    dflt_d(&o->source_floor, 100);
    dflt_d(&o->error_floor, 10);
    dflt_d(&o->conn_floor, 500);
    dflt_d(&o->packet_floor, 20000);
    dflt_u(&o->scan_ports, 100, 2, 1000);
    dflt_u(&o->sweep_hosts, 100, 2, 1000);
    dflt_i64(&o->scan_window_ns, 60 * NS_PER_SEC, 2 * NS_PER_SEC, 86400 * NS_PER_SEC);
    dflt_z(&o->max_sites, 10000);
    dflt_z(&o->max_sources, 100000);
    dflt_z(&o->max_destinations, 100000);
    dflt_z(&o->max_scan_keys, 100000);
}

/* See rate.h. */
const char *rate_kind_name(enum rate_kind k)
{
    static const char *const names[RATE_KINDS] = {
        [RATE_SITE_FLOOD] = "site-flood",   [RATE_SOURCE_FLOOD] = "source-flood",
        [RATE_SITE_ERRORS] = "site-errors", [RATE_DDOS] = "ddos",
        [RATE_PORT_SCAN] = "port-scan",     [RATE_HOST_SWEEP] = "host-sweep",
    };
    return (unsigned)k < RATE_KINDS ? names[k] : "?";
}

/* See rate.h. */
struct rate *rate_new(const struct rate_opts *o, rate_finding_fn fn, void *ctx)
{
    struct rate *r = mem_calloc(1, sizeof *r);
    if (!r)
        return NULL;
    if (o)
        r->o = *o;
    rate_opts_defaults(&r->o);
    r->fn = fn;
    r->ctx = ctx;
    if (getrandom(&r->seed, sizeof r->seed, 0) != (ssize_t)sizeof r->seed)
        r->seed = (uint64_t)vtime_mono_ns() * 0x9e3779b97f4a7c15ull;
    r->lateness_s = r->o.lateness_ns / NS_PER_SEC;
    r->ring_len = r->lateness_s + 1;
    r->report_every_s = r->o.report_every_ns / NS_PER_SEC;
    r->max_episode_s = r->o.max_episode_ns / NS_PER_SEC;
    r->expire_s = 8 * (r->o.halflife_ns / NS_PER_SEC);
    double hl = (double)r->o.halflife_ns / NS_PER_SEC;
    struct rate_base_params p = {
        .alpha = 1 - pow(2, -1 / hl), .k = r->o.k, .multiplier = r->o.multiplier};
    const struct rate_table_spec *specs[RATE_TABLES] = {&spec_site, &spec_source, &spec_dest};
    size_t caps[RATE_TABLES] = {r->o.max_sites, r->o.max_sources, r->o.max_destinations};
    double floors[RATE_TABLES][RATE_MAX_CHAN] = {
        {r->o.site_floor, r->o.error_floor, INFINITY, INFINITY},
        {r->o.source_floor, INFINITY, INFINITY, INFINITY},
        {r->o.conn_floor, r->o.packet_floor, INFINITY, INFINITY},
    };
    int rc = 0;
    for (int i = 0; i < RATE_TABLES && !rc; i++) {
        rc = rate_table_init(r, &r->t[i], specs[i], caps[i]);
        for (unsigned c = 0; c < RATE_MAX_CHAN; c++) {
            r->t[i].params[c] = p;
            r->t[i].params[c].floor = floors[i][c];
        }
        /* sources come and go, and a flood from a new one is the case to catch: they are
         * judged from their first second (against the floor while their baseline is
         * young); sites and destinations exist before an attack and learn first */
        r->t[i].warmup_s = i == RATE_T_SOURCE ? 0 : r->o.warmup_ns / NS_PER_SEC;
    }
    if (!rc)
        rc = rate_scan_init(&r->scan[0], RATE_PORT_SCAN, r->o.scan_ports, r->o.max_scan_keys);
    if (!rc)
        rc = rate_scan_init(&r->scan[1], RATE_HOST_SWEEP, r->o.sweep_hosts, r->o.max_scan_keys);
    if (rc) {
        rate_free(r);
        return NULL;
    }
    return r;
}

/* See rate.h. */
void rate_free(struct rate *r)
{
    if (!r)
        return;
    for (int i = 0; i < RATE_TABLES; i++)
        if (r->t[i].buckets)
            rate_table_fini(r, &r->t[i]);
    for (int i = 0; i < 2; i++)
        if (r->scan[i].buckets)
            rate_scan_fini(r, &r->scan[i]);
    mem_free(r);
}

/* Moves the watermark on to `wm` and judges what it passed. */
static void advance(struct rate *r, int64_t wm)
{
    if (wm <= r->wm)
        return;
    r->wm = wm;
    for (int i = 0; i < RATE_TABLES; i++)
        rate_table_sweep(r, &r->t[i]);
}

static void feed(struct rate *r, int i, struct slice key, int64_t sec, const uint64_t *x,
                 const struct rate_obs *o)
{
    struct rate_table *t = &r->t[i];
    struct rate_key *k = rate_table_get(r, t, key, sec);
    if (!k) {
        r->st.nomem++;
        return;
    }
    rate_key_close(r, t, k, r->wm); /* before its last second moves: see rate_key_close */
    if (sec > k->last_sec)
        k->last_sec = sec;
    rate_key_add(r, t, k, sec, x, o);
}

/* See rate.h. */
void rate_push(struct rate *r, const struct rate_obs *o)
{
    r->st.observations++;
    int64_t t = o->time_ns;
    if (o->received_ns > 0 && t > o->received_ns)
        t = o->received_ns;
    int64_t sec = t / NS_PER_SEC - (t % NS_PER_SEC < 0);
    if (!r->started) {
        r->started = true;
        r->max_sec = sec;
        r->wm = sec - r->lateness_s;
    } else if (sec > r->max_sec) {
        r->max_sec = sec;
        advance(r, sec - r->lateness_s);
    }
    r->pushes_seen++;
    if (o->kind == RATE_OBS_CONN) {
        rate_scan_push(r, &r->scan[0], o, t);
        if (r->o.sweep_all > 0 || o->denied || o->syn_only)
            rate_scan_push(r, &r->scan[1], o, t);
    }
    if (sec <= r->wm) {
        r->st.late++;
        return;
    }
    if (o->kind == RATE_OBS_WEB) {
        uint64_t x[3] = {1, o->status >= 500 && o->status < 600,
                         o->status >= 400 && o->status < 500};
        if (o->site.len)
            feed(r, RATE_T_SITE, o->site, sec, x, o);
        if (o->src.len)
            feed(r, RATE_T_SOURCE, o->src, sec, x, o);
    } else if (o->dst.len) {
        uint64_t x[4] = {1, o->packets, o->syn_only, o->denied};
        feed(r, RATE_T_DEST, o->dst, sec, x, o);
    }
}

/* See rate.h. */
void rate_tick(struct rate *r, int64_t now_mono_ns)
{
    if (r->pushes_seen != r->pushes_at_tick || !r->quiet_since) {
        r->pushes_at_tick = r->pushes_seen;
        r->quiet_since = now_mono_ns;
        r->quiet_moved = 0;
        return;
    }
    if (!r->started || now_mono_ns - r->quiet_since < r->o.lateness_ns)
        return;
    /* quiet for the lateness: event time moves with the wall clock from the last push */
    int64_t secs = (now_mono_ns - r->quiet_since) / NS_PER_SEC;
    if (secs > r->quiet_moved) {
        r->max_sec += secs - r->quiet_moved;
        r->quiet_moved = secs;
        advance(r, r->max_sec - r->lateness_s);
    }
}

/* See rate.h. */
void rate_flush(struct rate *r)
{
    if (!r->started)
        return;
    advance(r, r->max_sec);
    for (int i = 0; i < RATE_TABLES; i++)
        rate_table_flush(r, &r->t[i]);
}

/* See rate.h. */
void rate_stats(const struct rate *r, struct rate_stats *out)
{
    *out = r->st;
}
