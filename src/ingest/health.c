/*
 * health.c — the health of the sources themselves (README "Source health"):
 *
 * - Silence (I/O thread, which owns the source inventory): each network source (input x
 *   sending host) keeps the longest gap between two of its records this run, halved
 *   every day so one outage does not raise the bar for ever. Once a second the sources
 *   are checked: one that has sent at least HEALTH_MIN_EVENTS records this run and has
 *   been quiet for more than max(silence_min, silence_factor x its longest gap) — counted
 *   from the later of its last record and the daemon's start — raises "Source stopped
 *   sending", once; it is re-armed when it sends again.
 * - Clock skew (writer thread, which sees every event): an event from a network input
 *   whose own time differs from its receipt by more than max_clock_skew counts against
 *   its device (the `host` field, else the sending address); HEALTH_SKEW_EVENTS such
 *   events within 10 minutes raise "Device clock is off", once per device until it has
 *   sent none for an hour. Only skewed events touch the table (at most HEALTH_DEVICES
 *   devices; past that new ones are not tracked, counted).
 *
 * Both become hits of the alert stage (pseudo-rules vigil-source-silent and
 * vigil-clock-skew): silence hits cross from the I/O thread through a small locked
 * queue the writer drains each second.
 */
#include "ingest/ingest_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define HEALTH_MIN_EVENTS 20
#define HEALTH_SKEW_EVENTS 10
#define HEALTH_SKEW_WINDOW_NS (600LL * NS_PER_SEC)
#define HEALTH_SKEW_REARM_NS (3600LL * NS_PER_SEC)
#define HEALTH_DEVICES 4096
#define DAY_NS (86400LL * NS_PER_SEC)

static int64_t silence_min(const struct ingest *ig)
{
    return ig->cfg->health.silence_min_ns > 0 ? ig->cfg->health.silence_min_ns : 600LL * NS_PER_SEC;
}

/* See ingest_int.h. */
void ingest_health_note(struct ingest_source_entry *e, int64_t now_ns)
{
    if (e->run_events++ > 0 && now_ns > e->last_ns && now_ns - e->last_ns > e->max_gap_ns)
        e->max_gap_ns = now_ns - e->last_ns;
    e->silent = false;
}

static void push_hit(struct ingest *ig, const struct ingest_health_hit *h)
{
    pthread_mutex_lock(&ig->health_mu);
    if (ig->nhealth < INGEST_HEALTH_QUEUE)
        ig->health_q[ig->nhealth++] = *h;
    else
        atomic_fetch_add_explicit(&ig->rct.alerts_dropped, 1, memory_order_relaxed);
    pthread_mutex_unlock(&ig->health_mu);
}

/* See ingest_int.h. */
void ingest_health_check(struct ingest *ig, int64_t now_ns)
{
    struct ingest_sources *s = &ig->sources;
    double factor = ig->cfg->health.silence_factor > 0 ? ig->cfg->health.silence_factor : 3;
    int64_t dt = ig->health_checked_ns ? now_ns - ig->health_checked_ns : 0;
    ig->health_checked_ns = now_ns;
    double decay = dt > 0 ? exp2(-(double)dt / (double)DAY_NS) : 1.0;
    for (size_t i = 0; i < s->nslots; i++) {
        struct ingest_source_entry *e = &s->slots[i];
        if (!e->used || e->input >= ig->ninputs)
            continue;
        enum ingest_type t = ig->inputs[e->input].cfg->type;
        if (t == INGEST_FILE || t == INGEST_STDIN)
            continue; /* a file ends; that is no silence */
        e->max_gap_ns = (int64_t)((double)e->max_gap_ns * decay);
        if (e->silent || e->run_events < HEALTH_MIN_EVENTS)
            continue;
        int64_t since = e->last_ns > ig->start_ns ? e->last_ns : ig->start_ns;
        int64_t bar = (int64_t)(factor * (double)e->max_gap_ns);
        if (bar < silence_min(ig))
            bar = silence_min(ig);
        if (now_ns - since <= bar)
            continue;
        e->silent = true;
        struct ingest_health_hit h = {
            .kind = INGEST_HEALTH_SILENT, .time_ns = now_ns, .first_ns = since};
        snprintf(h.device, sizeof h.device, "%.*s", (int)e->host_len, e->host);
        snprintf(h.input, sizeof h.input, "%s", ig->inputs[e->input].cfg->name);
        log_warn("health: %s on %s has sent nothing for %lld s (its longest gap: %lld s)", h.device,
                 h.input, (long long)((now_ns - since) / NS_PER_SEC),
                 (long long)(e->max_gap_ns / NS_PER_SEC));
        push_hit(ig, &h);
    }
}

/* See ingest_int.h. */
size_t ingest_health_take(struct ingest *ig, struct ingest_health_hit *out, size_t max)
{
    pthread_mutex_lock(&ig->health_mu);
    size_t n = ig->nhealth < max ? ig->nhealth : max;
    memcpy(out, ig->health_q, n * sizeof *out);
    memmove(ig->health_q, ig->health_q + n, (ig->nhealth - n) * sizeof *out);
    ig->nhealth -= n;
    pthread_mutex_unlock(&ig->health_mu);
    return n;
}

/* ---- clock skew (writer thread) ------------------------------------------------------- */

struct skew_device {
    uint64_t hash; /* 0: empty */
    int64_t window_start_ns, last_ns;
    uint32_t count;
    bool alerted;
};

/* See ingest_int.h. */
bool ingest_health_skew(struct ingest *ig, const struct event *ev, struct ingest_health_hit *hit)
{
    struct ingest_alerting *al = &ig->alerting;
    if ((ev->flags & EVF_TIME_RECEIVED) || ig->cfg->health.max_skew_ns < 0)
        return false;
    int64_t max =
        ig->cfg->health.max_skew_ns > 0 ? ig->cfg->health.max_skew_ns : 300LL * NS_PER_SEC;
    int64_t off = ev->time_ns / NS_PER_SEC - ev->received_ns / NS_PER_SEC;
    if (off <= max / NS_PER_SEC && off >= -(max / NS_PER_SEC))
        return false;
    struct slice dev;
    if (!event_get(ev, FIELD_host, &dev) || !dev.len)
        dev = ev->peer;
    if (!dev.len)
        return false;
    if (!al->skew && !(al->skew = mem_calloc(2 * HEALTH_DEVICES, sizeof *al->skew)))
        return false;
    uint64_t h = hash64(dev.p, dev.len, 0x736b6577) | 1;
    size_t i = h & (2 * HEALTH_DEVICES - 1);
    while (al->skew[i].hash && al->skew[i].hash != h)
        i = (i + 1) & (2 * HEALTH_DEVICES - 1);
    struct skew_device *d = &al->skew[i];
    if (!d->hash) {
        if (al->nskew >= HEALTH_DEVICES) {
            atomic_fetch_add_explicit(&ig->rct.skew_untracked, 1, memory_order_relaxed);
            return false;
        }
        al->nskew++;
        d->hash = h;
    }
    int64_t now = ev->received_ns;
    if (d->alerted && now - d->last_ns > HEALTH_SKEW_REARM_NS)
        d->alerted = false;
    if (now - d->window_start_ns > HEALTH_SKEW_WINDOW_NS) {
        d->window_start_ns = now;
        d->count = 0;
    }
    d->last_ns = now;
    if (d->alerted || ++d->count < HEALTH_SKEW_EVENTS)
        return false;
    d->alerted = true;
    *hit = (struct ingest_health_hit){.kind = INGEST_HEALTH_SKEW,
                                      .time_ns = ev->received_ns,
                                      .first_ns = d->window_start_ns,
                                      .skew_s = off};
    snprintf(hit->device, sizeof hit->device, "%.*s", (int)(dev.len < 255 ? dev.len : 255), dev.p);
    snprintf(hit->input, sizeof hit->input, "%.*s", (int)(ev->input.len < 63 ? ev->input.len : 63),
             ev->input.p);
    log_warn("health: the clock of %s is off by %lld s", hit->device, (long long)off);
    return true;
}
