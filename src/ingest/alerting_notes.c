/*
 * alerting_notes.c — what the alert stage (alerting.c) keeps besides alerts, on the
 * writer thread: the suppressions in force (reread from vigil.db every 10 s), the
 * combinations of values rules with vigil_first_seen have seen (loaded at start, new ones
 * stored after each write of alerts), and the unregistered terminals DHCP and ARP saw
 * (stored after each write).
 */
#include "ingest/ingest_int.h"

#include <string.h>

#define MAX_SUPPRESSIONS 10000

static const char *dup_or_null(struct arena *a, struct slice v)
{
    return v.p ? arena_dup(a, v.p, v.len) : NULL; /* arena_dup ends it with a NUL */
}

static int keep_suppression(void *ctx, const struct store_suppression *x)
{
    struct ingest_alerting *al = ctx;
    if (al->nsup == al->capsup) {
        if (al->capsup == MAX_SUPPRESSIONS)
            return 1;
        size_t nc = al->capsup ? 2 * al->capsup : 16;
        struct alert_suppression *p = mem_realloc(al->sup, nc * sizeof *p);
        if (!p)
            return 1;
        al->sup = p;
        al->capsup = nc;
    }
    struct arena *a = &al->sup_arena;
    struct alert_suppression s = {
        .id = x->id,
        .rule_id = arena_dup(a, x->rule_id, strlen(x->rule_id)),
        .src_ip = dup_or_null(a, x->src_ip),
        .dst_ip = dup_or_null(a, x->dst_ip),
        .user = dup_or_null(a, x->user),
        .host = dup_or_null(a, x->host),
        .expires_ns = x->expires_ns,
    };
    if (s.rule_id)
        al->sup[al->nsup++] = s;
    return 0;
}

/* See ingest_int.h. */
void ingest_suppressions_read(struct ingest *ig, int64_t now_mono)
{
    struct ingest_alerting *al = &ig->alerting;
    al->sup_read_mono = now_mono;
    al->nsup = 0;
    arena_reset(&al->sup_arena);
    int rc = store_suppressions_list(ig->st, vtime_now_ns(), keep_suppression, al);
    if (rc)
        log_error("alerts: reading the suppressions: %s", err_str(rc));
}

/* See ingest_int.h. */
bool ingest_suppressed(struct ingest *ig, const struct alert_hit *h)
{
    struct ingest_alerting *al = &ig->alerting;
    if (!al->nsup || !alert_suppressed(al->sup, al->nsup, h, vtime_now_ns()))
        return false;
    atomic_fetch_add_explicit(&ig->rct.suppressed, 1, memory_order_relaxed);
    return true;
}

static int seen_key(void *ctx, uint64_t key)
{
    alert_seen_add(ctx, key);
    return 0;
}

/* See ingest_int.h. */
int ingest_seen_load(struct ingest *ig)
{
    return store_first_seen_keys(ig->st, seen_key, ig->alerting.seen);
}

/* See ingest_int.h. */
bool ingest_first_time(struct ingest *ig, const struct detect_rule_info *ri, const struct event *ev)
{
    struct ingest_alerting *al = &ig->alerting;
    if (!ri->nfirst_seen)
        return true;
    struct slice v[SIGMA_FIRST_SEEN_MAX];
    if (!alert_seen_values(ri->first_seen, ri->nfirst_seen, ev, v))
        return false;
    uint64_t key = alert_seen_key(ri->id, v, ri->nfirst_seen);
    if (!alert_seen_add(al->seen, key)) {
        atomic_fetch_add_explicit(&ig->rct.seen_before, 1, memory_order_relaxed);
        return false;
    }
    /* recorded with the alerts (write_changed) */
    if (al->nseen_rows == sizeof al->seen_rows / sizeof al->seen_rows[0])
        ingest_write_seen(ig);
    struct buf b;
    buf_init(&b, 4096);
    for (unsigned i = 0; i < ri->nfirst_seen; i++) {
        if (i)
            buf_puts(&b, " / ");
        buf_append(&b, v[i].p, v[i].len);
    }
    char *value = buf_cstr(&b) ? arena_dup(&al->seen_arena, b.p, b.len + 1) : NULL;
    char *rule = arena_dup(&al->seen_arena, ri->id, strlen(ri->id) + 1);
    buf_fini(&b);
    if (value && rule)
        al->seen_rows[al->nseen_rows++] = (struct store_first_seen){rule, key, value, ev->time_ns};
    else
        atomic_fetch_add_explicit(&ig->rct.alerts_failed, 1, memory_order_relaxed);
    return true;
}

/* See ingest_int.h. */
void ingest_write_seen(struct ingest *ig)
{
    struct ingest_alerting *al = &ig->alerting;
    if (!al->nseen_rows)
        return;
    int rc = store_first_seen_add(ig->st, al->seen_rows, al->nseen_rows);
    if (rc)
        log_error("first seen: %zu value(s) not recorded: %s", al->nseen_rows, err_str(rc));
    al->nseen_rows = 0;
    arena_reset(&al->seen_arena);
}

/* See ingest_int.h. */
void ingest_write_terms(struct ingest *ig)
{
    struct ingest_alerting *al = &ig->alerting;
    if (!al->nterms)
        return;
    int rc = store_terminals_merge(ig->st, al->terms, al->nterms);
    if (rc)
        log_error("terminals: %zu sighting(s) not recorded: %s", al->nterms, err_str(rc));
    al->nterms = 0;
    arena_reset(&al->terms_arena);
}

static struct slice copy(struct arena *a, struct slice v)
{
    char *p = v.p ? arena_dup(a, v.p, v.len) : NULL;
    return p ? (struct slice){p, v.len} : SLICE_NULL;
}

/* See ingest_int.h. */
void ingest_note_terminal(struct ingest *ig, const struct event *ev)
{
    struct ingest_alerting *al = &ig->alerting;
    struct slice mac, reg, ip, name;
    if (!event_get(ev, FIELD_mac, &mac) || !mac.len || mac.len > 64 ||
        (event_get(ev, FIELD_ip_registered, &reg) && slice_eq(reg, "true")))
        return;
    if (!event_get(ev, FIELD_ip, &ip))
        ip = SLICE_NULL;
    if (!event_get(ev, FIELD_hostname, &name))
        name = SLICE_NULL;
    for (size_t i = 0; i < al->nterms; i++) {
        struct store_terminal *t = &al->terms[i];
        if (strlen(t->mac) == mac.len && !memcmp(t->mac, mac.p, mac.len)) {
            t->seen++;
            if (ev->time_ns > t->last_ns)
                t->last_ns = ev->time_ns;
            if (ev->time_ns < t->first_ns)
                t->first_ns = ev->time_ns;
            if (ip.p)
                t->ip = copy(&al->terms_arena, ip);
            if (name.p)
                t->name = copy(&al->terms_arena, name);
            return;
        }
    }
    if (al->nterms == sizeof al->terms / sizeof al->terms[0])
        ingest_write_terms(ig);
    char *m = arena_dup(&al->terms_arena, mac.p, mac.len);
    if (!m)
        return;
    al->terms[al->nterms++] = (struct store_terminal){
        m, copy(&al->terms_arena, ip), copy(&al->terms_arena, name), ev->time_ns, ev->time_ns, 1};
}
