/*
 * out_set.c — the running outputs (output.h): one thread per output, fed by its own
 * bounded queue of alert copies. The writer thread (output_set_push) decides who gets
 * what — new alerts at or above an output's min_level, updates only for on_update
 * outputs and at most once a minute per alert (out_throttle.c) — copies the alert once
 * and hands a reference to each queue; it never waits on a receiver.
 *
 * An output's thread sends one alert at a time, in order: an attempt that fails is
 * retried after the configured pauses (1 s, 5 s, 30 s by default), and when the last
 * fails the alert is counted as failed and logged; the alerts behind it wait (and past
 * max_queue the oldest of them is dropped, counted). At stop, the threads get a drain
 * deadline: pauses and attempt timeouts are cut to it, and whatever is still queued
 * then is counted as dropped and logged.
 */
#include "output/out_int.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct output_set {
    struct output *outs;
    size_t n;
    struct output_throttle *throttle; /* NULL when no output sends updates */
    bool curl;                        /* curl_global_init was called */
    bool stopped;
};

static const struct output_sender *sender_of(enum output_type t)
{
    switch (t) {
    case OUTPUT_WEBHOOK:
        return &output_webhook;
    case OUTPUT_SYSLOG:
        return &output_syslog;
    case OUTPUT_EMAIL:
        return &output_email;
    }
    return NULL;
}

static int rank_of(const char *level)
{
    int r = output_level_rank(level);
    return r < 0 ? 0 : r;
}

/* Waits until until_mono on the monotonic clock. */
static void pause_until(int64_t until_mono)
{
    struct timespec ts = {.tv_sec = until_mono / NS_PER_SEC, .tv_nsec = until_mono % NS_PER_SEC};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0)
        if (vtime_mono_ns() >= until_mono)
            break;
}

/* Sends a, retrying; counts the outcome. */
static void deliver(struct output *o, const struct output_alert *a)
{
    const struct output_cfg *c = o->cfg;
    char why[256];
    for (unsigned attempt = 0;; attempt++) {
        int64_t now = vtime_mono_ns(), by = atomic_load(&o->stop_by);
        int64_t timeout = c->timeout_ns;
        if (by && by - now < timeout)
            timeout = by - now;
        if (timeout <= 0)
            break; /* the drain deadline passed: unsent at stop */
        why[0] = 0;
        buf_reset(&o->msg);
        long ms = (long)(timeout / 1000000);
        int rc = o->sender->send(o, a, ms > 0 ? ms : 1, why, sizeof why);
        if (rc == 0) {
            atomic_fetch_add_explicit(&o->sent, 1, memory_order_relaxed);
            return;
        }
        if (attempt >= c->nretries) {
            atomic_fetch_add_explicit(&o->failed, 1, memory_order_relaxed);
            log_error("output %s: alert %016" PRIx64 " not sent after %u attempt(s): %s", c->name,
                      a->id, attempt + 1, why[0] ? why : err_str(rc));
            return;
        }
        int64_t wait = c->retry_ns[attempt];
        log_warn("output %s: alert %016" PRIx64 ": attempt %u failed (%s), next in %lld ms",
                 c->name, a->id, attempt + 1, why[0] ? why : err_str(rc),
                 (long long)(wait / 1000000));
        atomic_fetch_add_explicit(&o->retries, 1, memory_order_relaxed);
        int64_t until = vtime_mono_ns() + wait;
        if (!by)
            output_queue_sleep(&o->q, until);     /* cut short by a stop ... */
        if ((by = atomic_load(&o->stop_by)) != 0) /* ... which pauses up to its deadline */
            pause_until(until < by ? until : by);
    }
    atomic_fetch_add_explicit(&o->dropped, 1, memory_order_relaxed);
    log_warn("output %s: alert %016" PRIx64 " unsent at stop", c->name, a->id);
}

static void *output_main(void *arg)
{
    struct output *o = arg;
    for (;;) {
        struct output_alert *a = output_queue_pop(&o->q, -1);
        if (!a)
            break; /* stopped and empty */
        deliver(o, a);
        output_alert_unref(a);
        int64_t by = atomic_load(&o->stop_by);
        if (by && vtime_mono_ns() >= by)
            break;
    }
    size_t left = 0;
    for (struct output_alert *a; (a = output_queue_pop(&o->q, 0)) != NULL; left++)
        output_alert_unref(a);
    if (left) {
        atomic_fetch_add_explicit(&o->dropped, left, memory_order_relaxed);
        log_warn("output %s: %zu alert(s) unsent at stop", o->cfg->name, left);
    }
    return NULL;
}

/* See output.h. */
int output_set_new(const struct output_cfg *cfg, size_t n, struct output_set **out, char *err,
                   size_t errlen)
{
    *out = NULL;
    if (n == 0)
        return 0; /* no set: pushing to NULL does nothing */
    struct output_set *s = mem_calloc(1, sizeof *s);
    if (!s || !(s->outs = mem_calloc(n, sizeof *s->outs))) {
        mem_free(s);
        return ERR_NOMEM;
    }
    int rc = 0;
    bool updates = false;
    for (size_t i = 0; i < n; i++) {
        if (cfg[i].on_update)
            updates = true;
        if (cfg[i].type != OUTPUT_SYSLOG && !s->curl) {
            if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
                snprintf(err, errlen, "outputs: libcurl cannot start");
                rc = ERR_IO;
                goto fail;
            }
            s->curl = true;
        }
    }
    if (updates && !(s->throttle = output_throttle_new())) {
        rc = ERR_NOMEM;
        goto fail;
    }
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) != 0)
        host[0] = 0;
    for (size_t i = 0; i < n; i++) {
        struct output *o = &s->outs[i];
        s->n = i + 1;
        o->cfg = &cfg[i];
        o->sender = sender_of(cfg[i].type);
        o->pid = (long)getpid();
        snprintf(o->hostname, sizeof o->hostname, "%s", host);
        buf_init(&o->msg, 1 << 20);
        if ((rc = output_queue_init(&o->q, cfg[i].max_queue ? cfg[i].max_queue : 10000)))
            goto fail;
        if ((rc = o->sender->open(o, err, errlen)))
            goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        struct output *o = &s->outs[i];
        if (pthread_create(&o->th, NULL, output_main, o)) {
            snprintf(err, errlen, "outputs: cannot start a thread");
            rc = ERR_IO;
            goto fail;
        }
        o->started = true;
        log_info("output %s: %s to %s", cfg[i].name, output_type_name(cfg[i].type),
                 cfg[i].type == OUTPUT_SYSLOG ? cfg[i].address : cfg[i].url);
    }
    *out = s;
    return 0;
fail:
    if (rc == ERR_NOMEM && err && !err[0])
        snprintf(err, errlen, "outputs: out of memory");
    output_set_free(s);
    return rc;
}

/* Queues a (one reference more) on every output that takes it. */
static void dispatch(struct output_set *s, struct output_alert *a)
{
    int rank = rank_of(a->rule_level);
    for (size_t i = 0; i < s->n; i++) {
        struct output *o = &s->outs[i];
        if (rank < o->cfg->min_level || (!a->is_new && !o->cfg->on_update))
            continue;
        output_alert_ref(a);
        struct output_alert *old = output_queue_push(&o->q, a);
        if (old) {
            atomic_fetch_add_explicit(&o->dropped, 1, memory_order_relaxed);
            output_alert_unref(old);
        }
    }
}

/* A held update released: queued, and the throttle's reference dropped. */
static void release(void *ctx, struct output_alert *a)
{
    dispatch(ctx, a);
    output_alert_unref(a);
}

/* See output.h. */
void output_set_push(struct output_set *s, const struct alert_row *rows, size_t n,
                     const size_t *skip, size_t nskip)
{
    if (!s || s->stopped)
        return;
    int64_t now = vtime_mono_ns();
    for (size_t i = 0; i < n; i++) {
        const struct alert_row *r = &rows[i];
        bool skipped = false;
        for (size_t k = 0; k < nskip && !skipped; k++)
            skipped = skip[k] == i;
        int rank = rank_of(r->rule_level);
        bool wanted = false;
        for (size_t k = 0; k < s->n; k++)
            if (rank >= s->outs[k].cfg->min_level && (r->is_new || s->outs[k].cfg->on_update))
                wanted = true;
        if (skipped || !wanted)
            continue;
        struct output_alert *a = output_alert_new(r);
        if (!a) {
            for (size_t k = 0; k < s->n; k++)
                atomic_fetch_add_explicit(&s->outs[k].dropped, 1, memory_order_relaxed);
            continue;
        }
        if (s->throttle) {
            struct output_alert *evicted;
            bool now_ok = output_throttle_pass(s->throttle, a, now, &evicted);
            if (evicted)
                release(s, evicted);
            if (!now_ok) {
                output_alert_unref(a);
                continue;
            }
        }
        dispatch(s, a);
        output_alert_unref(a);
    }
}

/* See output.h. */
void output_set_tick(struct output_set *s, int64_t now_mono)
{
    if (s && !s->stopped && s->throttle && output_throttle_held(s->throttle))
        output_throttle_due(s->throttle, now_mono, false, release, s);
}

/* See output.h. */
void output_set_stop(struct output_set *s, int64_t drain_ns)
{
    if (!s || s->stopped)
        return;
    if (s->throttle)
        output_throttle_due(s->throttle, vtime_mono_ns(), true, release, s);
    s->stopped = true;
    int64_t by = vtime_mono_ns() + (drain_ns > 0 ? drain_ns : 1);
    for (size_t i = 0; i < s->n; i++) {
        atomic_store(&s->outs[i].stop_by, by);
        if (s->outs[i].q.ring)
            output_queue_close(&s->outs[i].q);
    }
    for (size_t i = 0; i < s->n; i++) {
        struct output *o = &s->outs[i];
        if (!o->started)
            continue;
        pthread_join(o->th, NULL);
        o->started = false;
        log_info("output %s: sent %llu failed %llu dropped %llu retries %llu", o->cfg->name,
                 (unsigned long long)atomic_load(&o->sent),
                 (unsigned long long)atomic_load(&o->failed),
                 (unsigned long long)atomic_load(&o->dropped),
                 (unsigned long long)atomic_load(&o->retries));
    }
}

/* See output.h. */
void output_set_free(struct output_set *s)
{
    if (!s)
        return;
    output_set_stop(s, 0);
    for (size_t i = 0; i < s->n; i++) {
        struct output *o = &s->outs[i];
        if (o->q.ring) {
            for (struct output_alert *a; (a = output_queue_pop(&o->q, 0)) != NULL;)
                output_alert_unref(a);
            output_queue_fini(&o->q);
        }
        if (o->sender && o->priv)
            o->sender->close(o);
        buf_fini(&o->msg);
    }
    output_throttle_free(s->throttle);
    mem_free(s->outs);
    if (s->curl)
        curl_global_cleanup();
    mem_free(s);
}

/* See output.h. */
size_t output_set_count(const struct output_set *s)
{
    return s ? s->n : 0;
}

/* See output.h. */
void output_set_stats(struct output_set *s, size_t i, struct output_stats *st)
{
    struct output *o = &s->outs[i];
    st->name = o->cfg->name;
    st->sent = atomic_load(&o->sent);
    st->failed = atomic_load(&o->failed);
    st->dropped = atomic_load(&o->dropped);
    st->retries = atomic_load(&o->retries);
    st->queued = o->q.ring ? output_queue_len(&o->q) : 0;
}

/* See output.h. */
void output_stats_line(struct output_set *s, char *out, size_t outlen)
{
    size_t at = 0;
    if (outlen)
        out[0] = 0;
    for (size_t i = 0; s && i < s->n && at < outlen; i++) {
        struct output_stats st;
        output_set_stats(s, i, &st);
        int k = snprintf(out + at, outlen - at,
                         " output_%s_sent %llu output_%s_failed %llu output_%s_dropped %llu"
                         " output_%s_retries %llu",
                         st.name, (unsigned long long)st.sent, st.name,
                         (unsigned long long)st.failed, st.name, (unsigned long long)st.dropped,
                         st.name, (unsigned long long)st.retries);
        if (k < 0 || (size_t)k >= outlen - at) {
            out[at] = 0; /* no half entry */
            break;
        }
        at += (size_t)k;
    }
}
