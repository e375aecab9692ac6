/*
 * dec_netflow.c — the flow records the netflow input writes (in_netflow.c), one per
 * flow of a NetFlow v5/v9/IPFIX packet:
 *   netflow v9 exporter=10.0.0.1 domain=0 src_ip=203.0.113.5 dst_ip=10.0.0.2 src_port=51234
 *   dst_port=22 proto=6 tcp_flags=0x12 bytes=1234 packets=10 in_if=1 out_if=2
 *   start=2024-11-25T10:00:00.000Z end=2024-11-25T10:00:05.000Z
 * Chosen by the input (its format is "netflow"), never by content. Fields: src_ip,
 * dst_ip, src_port, dst_port, proto (tcp, udp, icmp, ipv6-icmp, or the number), and the
 * flow's own names (flow_version, exporter, domain, tcp_flags, bytes, packets, in_if,
 * out_if, start, end); the event's time is the flow's end (else its start).
 */
#include "decode/decode_int.h"

static struct slice proto_name(struct slice v)
{
    if (v.len == 1 && v.p[0] == '6')
        return SLICE_LIT("tcp");
    if (v.len == 2 && !memcmp(v.p, "17", 2))
        return SLICE_LIT("udp");
    if (v.len == 1 && v.p[0] == '1')
        return SLICE_LIT("icmp");
    if (v.len == 2 && !memcmp(v.p, "58", 2))
        return SLICE_LIT("ipv6-icmp");
    return v;
}

static int netflow_decode(const struct decode_job *job, struct event *ev)
{
    struct slice m = job->msg, rest;
    if (!DEC_STARTS(m, "netflow v"))
        return ERR_PARSE;
    struct slice version = dec_word(dec_skip(m, 9), &rest);
    if (!version.len || !dec_isdigit(version.p[0]))
        return ERR_PARSE;
    event_add_named(ev, SLICE_LIT("flow_version"), version);
    struct slice start = SLICE_NULL, end = SLICE_NULL;
    while (rest.len) {
        struct slice kv = dec_word(rest, &rest);
        long eq = slice_find_byte(kv, '=');
        if (eq <= 0)
            continue;
        struct slice k = slice_make(kv.p, (size_t)eq), v = dec_skip(kv, (size_t)eq + 1);
        if (DEC_STARTS(k, "proto") && k.len == 5)
            v = proto_name(v);
        else if (k.len == 5 && DEC_STARTS(k, "start"))
            start = v;
        else if (k.len == 3 && DEC_STARTS(k, "end"))
            end = v;
        event_add_named(ev, k, v);
    }
    struct slice t = end.len ? end : start;
    int64_t ns;
    size_t used;
    if (t.len && decode_iso_time(t, NULL, &ns, &used) == 0 && used == t.len) {
        ev->time_ns = ns;
        ev->flags &= ~(uint32_t)EVF_TIME_RECEIVED;
    }
    return DK_NETFLOW;
}

const struct decoder decode_netflow = {.name = "netflow", .decode = netflow_decode};
