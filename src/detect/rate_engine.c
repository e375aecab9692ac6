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
 *   URL          requests             judge: flood on one URL (site + path), gated by
 *                                     its site (see "URLs" below)
 *   port scans (source × host → ports), host sweeps (source × port → hosts): rate_scan.c
 *
 * The watermark is the latest second seen minus the lateness (each observation's time
 * capped by its receipt, so a device whose clock runs ahead cannot push it); a second
 * at or behind it is judged, and an observation for it comes too late: counted and
 * skipped, so an event far in the past leaves every state as it was.
 *
 * URLs. A flood on one URL of a busy site (300 bots on /login at 400/s against a site at
 * 2,000/s over many pages) does not triple the site's rate, so each (site, path) is
 * judged too. The choices, and why:
 * - The key is the site (up to its first NUL, at most URL_SITE_MAX bytes), a NUL, and the
 *   path without its query string (a flood varies the query to dodge caches; the page
 *   hit is the same), cut to fit RATE_MAX_KEY.
 * - Paths are many (every product page), so the table has its own cap (max_urls) and a
 *   URL idle for one half-life is freed (up to URL_EXPIRE_BATCH a second, O(1) each):
 *   only a URL above ~url_floor/3 requests/s has a bar above the floor, and such a URL
 *   is never idle that long; what is lost is a decayed mean under the floor.
 * - Warm-up: a URL is judged only once its site is past its warm-up (on a freshly started
 *   daemon every popular page would be new, and learns instead). After that a URL is
 *   judged from its first second, as a source is (a flood on a URL nobody visited is the
 *   case to catch), but for its first `warmup` its bar is at least URL_YOUNG_SHARE (1/4)
 *   of its site's mean rate: a new page that draws visitors (a product launch, a deploy's
 *   new asset names) takes a share of the site, seldom a quarter within minutes, while a
 *   flood is caught from a quarter of the site's rate up (above twice it, the site flood
 *   takes over).
 * - One attack, one alert: a URL episode that opens while its site's flood judge has a
 *   run or an open episode is part of that flood — the site's alert carries the most
 *   requested path — and is not reported (rate_stats.covered); if it goes on once the
 *   site's flood is over, it is reported then, opened with its whole span. A URL flood
 *   that opens first (a ramp: the URL's bar is the lower) stays reported, and so does a
 *   site flood that follows it: two findings, the second saying the site as a whole is
 *   now overwhelmed.
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
static const struct rate_table_spec spec_url = {
    .name = "url",
    .nchan = 1,
    .njudges = 1,
    .judge = {{RATE_URL_FLOOD, 1u << 0, true, false}},
};
static const struct rate_table_spec spec_dest = {
    .name = "destination",
    .nchan = 4,
    .njudges = 1,
    .judge = {{RATE_DDOS, (1u << 0) | (1u << 1), true, false}},
};

#define URL_SITE_MAX 128      /* bytes of the site in a URL key */
#define URL_YOUNG_SHARE 0.25  /* a young URL's bar: at least this share of its site's mean */
#define URL_EXPIRE_BATCH 1024 /* idle URL keys freed per sweep (a second) at most */
#define EXPIRE_BATCH 64       /* the other tables' */

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
    dflt_d(&o->url_floor, 50);
    dflt_d(&o->source_floor, 100);
    dflt_d(&o->error_floor, 10);
    dflt_d(&o->conn_floor, 500);
    dflt_d(&o->packet_floor, 20000);
    dflt_u(&o->scan_ports, 100, 2, 1000);
    dflt_u(&o->sweep_hosts, 100, 2, 1000);
    dflt_i64(&o->scan_window_ns, 60 * NS_PER_SEC, 2 * NS_PER_SEC, 86400 * NS_PER_SEC);
    dflt_z(&o->max_sites, 10000);
    dflt_z(&o->max_urls, 100000);
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
        [RATE_URL_FLOOD] = "url-flood",
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
    r->seed = r->o.seed;
    if (!r->seed && getrandom(&r->seed, sizeof r->seed, 0) != (ssize_t)sizeof r->seed)
        r->seed = (uint64_t)vtime_mono_ns() * 0x9e3779b97f4a7c15ull;
    r->lateness_s = r->o.lateness_ns / NS_PER_SEC;
    r->ring_len = r->lateness_s + 1;
    r->report_every_s = r->o.report_every_ns / NS_PER_SEC;
    r->max_episode_s = r->o.max_episode_ns / NS_PER_SEC;
    int64_t hl_s = r->o.halflife_ns / NS_PER_SEC;
    double hl = (double)r->o.halflife_ns / NS_PER_SEC;
    struct rate_base_params p = {
        .alpha = 1 - pow(2, -1 / hl), .k = r->o.k, .multiplier = r->o.multiplier};
    const struct rate_table_spec *specs[RATE_TABLES] = {&spec_site, &spec_source, &spec_dest,
                                                        &spec_url};
    size_t caps[RATE_TABLES] = {r->o.max_sites, r->o.max_sources, r->o.max_destinations,
                                r->o.max_urls};
    double floors[RATE_TABLES][RATE_MAX_CHAN] = {
        {r->o.site_floor, r->o.error_floor, INFINITY, INFINITY},
        {r->o.source_floor, INFINITY, INFINITY, INFINITY},
        {r->o.conn_floor, r->o.packet_floor, INFINITY, INFINITY},
        {r->o.url_floor, INFINITY, INFINITY, INFINITY},
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
        r->t[i].expire_s = 8 * hl_s; /* the baseline decayed to under 1/256 */
        r->t[i].expire_batch = EXPIRE_BATCH;
    }
    if (!rc) { /* URLs: see the file's comment */
        struct rate_table *u = &r->t[RATE_T_URL];
        u->gated = true;
        u->warmup_s = 0;
        u->young_s = r->o.warmup_ns / NS_PER_SEC;
        u->young_share = URL_YOUNG_SHARE;
        u->expire_s = hl_s;
        u->expire_batch = URL_EXPIRE_BATCH;
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

/* Counts o in table i under key; parent: the key's parent (a URL's site), whose state the
 * key takes along (judged up to the watermark, as the key is about to be). Returns the
 * key, or NULL when no memory. */
static struct rate_key *feed(struct rate *r, int i, struct slice key, int64_t sec,
                             const uint64_t *x, const struct rate_obs *o,
                             const struct rate_key *parent)
{
    struct rate_table *t = &r->t[i];
    struct rate_key *k = rate_table_get(r, t, key, sec);
    if (!k) {
        r->st.nomem++;
        return NULL;
    }
    if (parent) {
        const struct rate_table *pt = &r->t[RATE_T_SITE];
        const struct rate_judge *pj = &parent->judge[0]; /* the site flood */
        k->pmean = parent->base[0].mean;
        k->pflags =
            (uint8_t)((parent->closed_sec - parent->born_sec >= pt->warmup_s ? RATE_PARENT_WARM
                                                                             : 0) |
                      (pj->open || pj->run ? RATE_PARENT_FLOOD : 0));
    }
    rate_key_close(r, t, k, r->wm); /* before its last second moves: see rate_key_close */
    if (sec > k->last_sec)
        k->last_sec = sec;
    rate_key_add(r, t, k, sec, x, o);
    return k;
}

/* The URL key of site and path into buf (RATE_MAX_KEY bytes): see the file's comment. */
static struct slice url_key(char *buf, struct slice site, struct slice path)
{
    const char *nul = memchr(site.p, '\0', site.len);
    size_t sl = nul ? (size_t)(nul - site.p) : site.len;
    if (sl > URL_SITE_MAX)
        sl = URL_SITE_MAX;
    const char *q = memchr(path.p, '?', path.len);
    size_t pl = q ? (size_t)(q - path.p) : path.len;
    if (pl > RATE_MAX_KEY - 1 - sl)
        pl = RATE_MAX_KEY - 1 - sl;
    memcpy(buf, site.p, sl);
    buf[sl] = '\0';
    if (pl)
        memcpy(buf + sl + 1, path.p, pl);
    return slice_make(buf, sl + 1 + pl);
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
        struct rate_key *site = o->site.len ? feed(r, RATE_T_SITE, o->site, sec, x, o, NULL) : NULL;
        if (o->src.len)
            feed(r, RATE_T_SOURCE, o->src, sec, x, o, NULL);
        if (site && o->path.len) {
            char buf[RATE_MAX_KEY];
            feed(r, RATE_T_URL, url_key(buf, o->site, o->path), sec, x, o, site);
        }
    } else if (o->dst.len) {
        uint64_t x[4] = {1, o->packets, o->syn_only, o->denied};
        feed(r, RATE_T_DEST, o->dst, sec, x, o, NULL);
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
