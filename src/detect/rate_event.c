/*
 * rate_event.c — what the rate analyzers (rate.h) need from the rest of Vigil, shared by
 * `vigil serve` (src/ingest/alerting_rates.c) and `vigil hunt`: an event read as an
 * observation, the built-in rule each kind of finding is reported as, and a finding's
 * figures in words.
 *
 * An event is a web request when it is routed webserver and has a request (cs-method or
 * cs-uri-stem: an error log line is not one); its site is its cs-host (W3C logs, vhost
 * formats), else the host that logged it (the syslog header), else its destination
 * address, else the name of the input that read it (a file per site is the common layout
 * of access logs, whose combined format names no site). It is a connection when it is
 * routed firewall or netflow and names a destination address.
 */
#include "detect/rate.h"
#include "event/event.h"

#include <stdio.h>
#include <string.h>

/* The built-in rules (README "Rate analyzers"). */
static const char *const tags_flood[] = {"attack.impact", "attack.t1498", "attack.t1499.002"};
static const char *const tags_errors[] = {"attack.impact", "attack.t1499"};
static const char *const tags_ddos[] = {"attack.impact", "attack.t1498", "attack.t1498.001"};
static const char *const tags_scan[] = {"attack.discovery", "attack.t1046"};

static const struct rate_rule rules[RATE_KINDS] = {
    [RATE_SITE_FLOOD] = {"vigil-rate-http-flood", "HTTP flood on a site", "high", tags_flood, 3},
    [RATE_SOURCE_FLOOD] = {"vigil-rate-http-flood-source", "HTTP flood from one source", "high",
                           tags_flood, 3},
    [RATE_SITE_ERRORS] = {"vigil-rate-http-errors", "Burst of server errors on a site", "medium",
                          tags_errors, 2},
    [RATE_DDOS] = {"vigil-rate-ddos", "DDoS indication against a destination", "high", tags_ddos,
                   3},
    [RATE_PORT_SCAN] = {"vigil-rate-port-scan", "Port scan", "medium", tags_scan, 2},
    [RATE_HOST_SWEEP] = {"vigil-rate-host-sweep", "Host sweep", "medium", tags_scan, 2},
    [RATE_URL_FLOOD] = {"vigil-rate-http-flood-url", "HTTP flood on one URL", "high", tags_flood,
                        3},
};

static const char *const phases[] = {"opened", "ongoing", "closed"};

/* See rate.h. */
const struct rate_rule *rate_rule_of(enum rate_kind k)
{
    return (unsigned)k < RATE_KINDS ? &rules[k] : NULL;
}

/* See rate.h. */
const char *rate_phase_name(enum rate_phase p)
{
    return (unsigned)p <= RATE_CLOSED ? phases[p] : "?";
}

/* See rate.h. */
void rate_finding_text(const struct rate_finding *f, char *out, size_t cap)
{
    int k = (int)f->key.len, t = (int)f->target.len, p = (int)f->top_path.len;
    double secs = (double)(f->last_ns - f->first_ns + 1) / NS_PER_SEC;
    switch (f->kind) {
    case RATE_SITE_FLOOD:
    case RATE_SITE_ERRORS:
        snprintf(out, cap,
                 "%s on %.*s: peak %llu/s, baseline %.1f/s, %llu in %.0f s from ~%llu sources"
                 "%s%.*s",
                 f->kind == RATE_SITE_FLOOD ? "requests" : "server errors", k, f->key.p,
                 (unsigned long long)f->peak, f->mean, (unsigned long long)f->total, secs,
                 (unsigned long long)f->sources, p ? ", mostly " : "", p, f->top_path.p);
        break;
    case RATE_URL_FLOOD:
        snprintf(out, cap,
                 "requests on %.*s %.*s: peak %llu/s, baseline %.1f/s, %llu in %.0f s from ~%llu "
                 "sources",
                 k, f->key.p, t, f->target.p, (unsigned long long)f->peak, f->mean,
                 (unsigned long long)f->total, secs, (unsigned long long)f->sources);
        break;
    case RATE_SOURCE_FLOOD:
        snprintf(out, cap, "requests from %.*s: peak %llu/s, %llu in %.0f s", k, f->key.p,
                 (unsigned long long)f->peak, (unsigned long long)f->total, secs);
        break;
    case RATE_DDOS:
        snprintf(out, cap,
                 "to %.*s: peak %llu connections/s (baseline %.1f/s), %llu packets/s peak, "
                 "~%llu sources, %llu%% SYN-only, %llu%% denied",
                 k, f->key.p, (unsigned long long)f->peak, f->mean,
                 (unsigned long long)f->packets_peak, (unsigned long long)f->sources,
                 (unsigned long long)(f->total ? 100 * f->syn_only / f->total : 0),
                 (unsigned long long)(f->total ? 100 * f->denied / f->total : 0));
        break;
    case RATE_PORT_SCAN:
        snprintf(out, cap, "%.*s to %.*s: ~%llu ports, %llu connections", k, f->key.p, t,
                 f->target.p, (unsigned long long)f->peak, (unsigned long long)f->total);
        break;
    case RATE_HOST_SWEEP:
        snprintf(out, cap, "%.*s on port %u: ~%llu hosts, %llu attempts", k, f->key.p, f->port,
                 (unsigned long long)f->peak, (unsigned long long)f->total);
        break;
    default:
        out[0] = '\0';
    }
}

static unsigned number(struct slice v)
{
    uint64_t u;
    return slice_to_u64(slice_trim(v), &u) == 0 && u < 1000000 ? (unsigned)u : 0;
}

/* A TCP attempt that never got past SYN: flags as a number (NetFlow's "0x02", or
 * decimal) with SYN set and ACK and RST clear, or as words with SYN and no ACK. */
static bool syn_only(struct slice v)
{
    if (!v.len)
        return false;
    uint64_t x = 0;
    bool num = false;
    if (v.len > 2 && v.p[0] == '0' && (v.p[1] == 'x' || v.p[1] == 'X')) {
        num = true;
        for (size_t i = 2; i < v.len && num; i++) {
            char c = v.p[i];
            int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
            num = d >= 0;
            x = x * 16 + (uint64_t)(d < 0 ? 0 : d);
        }
        if (!num)
            return false;
    } else if (slice_to_u64(v, &x) == 0) {
        num = true;
    }
    if (num)
        return (x & 0x02) && !(x & 0x14);
    return slice_find(v, SLICE_LIT("SYN")) >= 0 && slice_find(v, SLICE_LIT("ACK")) < 0 &&
           slice_find(v, SLICE_LIT("RST")) < 0;
}

static bool denied(const struct event *ev)
{
    struct slice v;
    if (event_get(ev, FIELD_blocked, &v))
        return slice_eq_nocase(v, "true") || slice_eq(v, "1") || slice_eq_nocase(v, "yes");
    if (!event_get(ev, FIELD_action, &v))
        return false;
    static const char *const words[] = {"blocked", "block",  "deny",     "denied", "drop",
                                        "dropped", "reject", "rejected", "refused"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (slice_eq_nocase(v, words[i]))
            return true;
    return false;
}

/* See rate.h. */
bool rate_observe_event(const struct event *ev, struct rate_obs *o)
{
    struct slice v;
    memset(o, 0, sizeof *o);
    o->time_ns = ev->time_ns;
    o->received_ns = ev->received_ns;
    o->event_id = ev->id;
    if (ev->routes & ROUTE_BIT(ROUTE_webserver)) {
        if (!event_get(ev, FIELD_cs_method, &v) && !event_get(ev, FIELD_cs_uri_stem, &v))
            return false; /* an error log line, not a request */
        o->kind = RATE_OBS_WEB;
        if (!event_get(ev, FIELD_src_ip, &o->src))
            o->src = SLICE_NULL;
        if (!event_get(ev, FIELD_cs_host, &o->site) && !event_get(ev, FIELD_host, &o->site) &&
            !event_get(ev, FIELD_dst_ip, &o->site))
            o->site = ev->input;
        if (event_get(ev, FIELD_cs_uri_stem, &v))
            o->path = v;
        if (event_get(ev, FIELD_sc_status, &v))
            o->status = number(v);
        return true;
    }
    if (!(ev->routes & (ROUTE_BIT(ROUTE_firewall) | ROUTE_BIT(ROUTE_netflow))))
        return false;
    if (!event_get(ev, FIELD_dst_ip, &o->dst) || !o->dst.len)
        return false;
    o->kind = RATE_OBS_CONN;
    if (!event_get(ev, FIELD_src_ip, &o->src))
        o->src = SLICE_NULL;
    if (event_get(ev, FIELD_dst_port, &v))
        o->dst_port = number(v);
    if (event_get_named(ev, SLICE_LIT("packets"), &v)) {
        uint64_t u;
        if (slice_to_u64(v, &u) == 0)
            o->packets = u;
    }
    if (event_get(ev, FIELD_tcp_flags, &v))
        o->syn_only = syn_only(v);
    o->denied = denied(ev);
    return true;
}
