/*
 * in_netflow.c — the netflow input's records: each flow of a NetFlow v5/v9/IPFIX
 * datagram (netflow.c) becomes one text record, the line the store keeps as the event's
 * raw and the netflow decoder (dec_netflow.c) reads back:
 *   netflow v9 exporter=10.0.0.1 domain=0 src_ip=203.0.113.5 dst_ip=10.0.0.2
 *   src_port=51234 dst_port=22 proto=6 tcp_flags=0x12 bytes=1234 packets=10 in_if=1
 *   out_if=2 start=2024-11-25T10:00:00.000Z end=2024-11-25T10:00:05.000Z
 * (one line; parts the flow lacks are left out). The socket side is in_udp.c's. A
 * packet that is not NetFlow, or damaged, is counted malformed; data for a template the
 * exporter has not sent yet is dropped and counted (templates come every few seconds).
 */
#include "ingest/ingest_int.h"
#include "ingest/netflow.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

struct flow_out {
    struct ingest_input *in;
    uint64_t host_hash;
    const char *peer;
    size_t peer_len, host_len;
    int64_t now;
};

static size_t put_ms(char *out, size_t cap, int64_t ms)
{
    char t[48];
    if (vtime_format(ms * 1000000, t, sizeof t) != 0)
        return 0;
    /* "2024-11-25T10:00:00.000000000Z" -> milliseconds */
    size_t n = strlen(t);
    if (n > 7 && t[n - 1] == 'Z') {
        t[n - 7] = 'Z';
        t[n - 6] = 0;
    }
    return (size_t)snprintf(out, cap, "%s", t);
}

static void on_flow(void *arg, const struct netflow_flow *f)
{
    struct flow_out *o = arg;
    char line[512], src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
    size_t n = (size_t)snprintf(line, sizeof line, "netflow v%u exporter=%.*s domain=%u",
                                f->version, (int)o->host_len, o->peer, f->domain);
    if (f->ip_version) {
        int af = f->ip_version == 6 ? AF_INET6 : AF_INET;
        inet_ntop(af, f->src, src, sizeof src);
        inet_ntop(af, f->dst, dst, sizeof dst);
        n += (size_t)snprintf(line + n, sizeof line - n, " src_ip=%s dst_ip=%s", src, dst);
    }
    n += (size_t)snprintf(line + n, sizeof line - n,
                          " src_port=%u dst_port=%u proto=%u tcp_flags=0x%02x bytes=%llu "
                          "packets=%llu in_if=%u out_if=%u",
                          f->src_port, f->dst_port, f->proto, f->tcp_flags,
                          (unsigned long long)f->bytes, (unsigned long long)f->packets, f->in_if,
                          f->out_if);
    if (f->start_ms > 0 && n < sizeof line - 40) {
        n += (size_t)snprintf(line + n, sizeof line - n, " start=");
        n += put_ms(line + n, sizeof line - n, f->start_ms);
    }
    if (f->end_ms > 0 && n < sizeof line - 40) {
        n += (size_t)snprintf(line + n, sizeof line - n, " end=");
        n += put_ms(line + n, sizeof line - n, f->end_ms);
    }
    if (n >= sizeof line)
        n = sizeof line - 1;
    uint64_t id = ingest_net_id(o->in, hash64(o->peer, o->peer_len, 1), o->now);
    if (ingest_add(o->in, o->host_hash, line, n, 0, id, (struct event_origin){0, 0}, o->now,
                   o->peer, o->peer_len, NULL, false))
        atomic_fetch_add_explicit(&o->in->ct.dropped, 1, memory_order_relaxed);
}

/* See ingest_int.h. */
void ingest_netflow_datagram(struct ingest_input *in, struct netflow_templates *t,
                             uint64_t host_hash, const char *peer, size_t peer_len, size_t host_len,
                             const uint8_t *p, size_t n, int64_t now)
{
    struct flow_out o = {in, host_hash, peer, peer_len, host_len, now};
    struct netflow_stats st = {0};
    netflow_parse(t, host_hash, p, n, on_flow, &o, &st);
    if (st.malformed)
        atomic_fetch_add_explicit(&in->ct.malformed, st.malformed, memory_order_relaxed);
    if (st.no_template)
        atomic_fetch_add_explicit(&in->ct.dropped, st.no_template, memory_order_relaxed);
}
