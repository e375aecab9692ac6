/*
 * dec_filterlog.c — pfSense / OPNsense packet filter logs (syslog program "filterlog"),
 * one CSV line per packet, as pfSense's "Filter Log Format" documents it:
 *   rule,subrule,anchor,tracker,interface,reason,action,direction,ipversion,
 *   IPv4: tos,ecn,ttl,id,offset,flags,protoid,proto,length,src,dst,
 *   IPv6: class,flowlabel,hoplimit,proto,protoid,length,src,dst,
 *   then TCP: srcport,dstport,datalen,tcpflags,seq,ack,window,urg,options
 *        UDP: srcport,dstport,datalen
 *        ICMP (v4 "icmp", v6 "ipv6-icmp"): icmptype and what that type adds
 *        CARP: type,ttl,vhid,version,advskew,advbase
 * Fields: src_ip, dst_ip, src_port, dst_port, proto (text, as written), in_iface or
 * out_iface by direction, action "blocked"/"allowed" (block, pass) with blocked
 * "true"/"false" (other verdicts as written), reason, ttl, length, tcp_flags; extras
 * rule, tracker, direction, ip_version, hoplimit, data_length, icmp_type, ... A line
 * whose first nine columns do not read as the common part (a rule number, an interface,
 * an action, ip version 4 or 6) is not ours (ERR_PARSE); a line cut short keeps what it
 * had.
 */
#include "decode/decode_int.h"

#define FL_MAX_COLS 40

static bool all_digits(struct slice s)
{
    for (size_t i = 0; i < s.len; i++)
        if (!dec_isdigit(s.p[i]))
            return false;
    return true;
}

/* Adds column i under name when the line has it and it is not empty. */
static void col(struct event *ev, const struct slice *c, size_t n, size_t i, const char *name)
{
    if (i < n && c[i].len)
        event_add_named(ev, slice_cstr(name), c[i]);
}

static int fl_decode(const struct decode_job *job, struct event *ev)
{
    struct slice c[FL_MAX_COLS], m = job->msg;
    size_t n = 0;
    while (n < FL_MAX_COLS) {
        long comma = slice_find_byte(m, ',');
        if (comma < 0) {
            c[n++] = m;
            break;
        }
        c[n++] = slice_make(m.p, (size_t)comma);
        m = dec_skip(m, (size_t)comma + 1);
    }
    /* the common part: rule (a number), an interface, an action, ip version (the tracker
     * is a number on pfSense, a rule label hash on OPNsense) */
    if (n < 9 || !c[0].len || !all_digits(c[0]) || !c[4].len || !c[6].len ||
        !(slice_eq(c[8], "4") || slice_eq(c[8], "6")))
        return ERR_PARSE;
    bool v6 = c[8].p[0] == '6';
    col(ev, c, n, 0, "rule");
    col(ev, c, n, 1, "subrule");
    col(ev, c, n, 2, "anchor");
    col(ev, c, n, 3, "tracker");
    bool out = slice_eq(c[7], "out");
    col(ev, c, n, 4, out ? "out_iface" : "in_iface");
    col(ev, c, n, 5, "reason");
    if (slice_eq(c[6], "block") || slice_eq(c[6], "pass")) {
        bool b = c[6].p[0] == 'b';
        event_add(ev, FIELD_action, b ? SLICE_LIT("blocked") : SLICE_LIT("allowed"));
        event_add(ev, FIELD_blocked, b ? SLICE_LIT("true") : SLICE_LIT("false"));
    } else {
        col(ev, c, n, 6, "action");
    }
    col(ev, c, n, 7, "direction");
    col(ev, c, n, 8, "ip_version");
    size_t p; /* the first column of the protocol part */
    struct slice proto = {0};
    if (!v6) {
        col(ev, c, n, 9, "tos");
        col(ev, c, n, 10, "ecn");
        col(ev, c, n, 11, "ttl");
        col(ev, c, n, 12, "ip_id");
        col(ev, c, n, 13, "offset");
        col(ev, c, n, 14, "ip_flags");
        col(ev, c, n, 15, "proto_id");
        col(ev, c, n, 16, "proto");
        col(ev, c, n, 17, "length");
        col(ev, c, n, 18, "src_ip");
        col(ev, c, n, 19, "dst_ip");
        if (n > 16)
            proto = c[16];
        p = 20;
    } else {
        col(ev, c, n, 9, "class");
        col(ev, c, n, 10, "flow_label");
        col(ev, c, n, 11, "hoplimit");
        col(ev, c, n, 12, "proto");
        col(ev, c, n, 13, "proto_id");
        col(ev, c, n, 14, "length");
        col(ev, c, n, 15, "src_ip");
        col(ev, c, n, 16, "dst_ip");
        if (n > 12)
            proto = c[12];
        p = 17;
    }
    if (slice_eq(proto, "tcp")) {
        col(ev, c, n, p, "src_port");
        col(ev, c, n, p + 1, "dst_port");
        col(ev, c, n, p + 2, "data_length");
        col(ev, c, n, p + 3, "tcp_flags");
        col(ev, c, n, p + 4, "tcp_seq");
        col(ev, c, n, p + 5, "tcp_ack");
        col(ev, c, n, p + 6, "window");
        col(ev, c, n, p + 7, "urg");
        col(ev, c, n, p + 8, "tcp_options");
    } else if (slice_eq(proto, "udp")) {
        col(ev, c, n, p, "src_port");
        col(ev, c, n, p + 1, "dst_port");
        col(ev, c, n, p + 2, "data_length");
    } else if (slice_eq(proto, "icmp") || slice_eq(proto, "ipv6-icmp")) {
        col(ev, c, n, p, "icmp_type");
        struct slice t = p < n ? c[p] : (struct slice){0};
        if (slice_eq(t, "request") || slice_eq(t, "reply") || slice_eq(t, "tstamp")) {
            col(ev, c, n, p + 1, "icmp_id");
            col(ev, c, n, p + 2, "icmp_seq");
        } else if (slice_eq(t, "unreachproto")) {
            col(ev, c, n, p + 1, "icmp_dst");
            col(ev, c, n, p + 2, "icmp_proto");
        } else if (slice_eq(t, "needfrag")) {
            col(ev, c, n, p + 1, "icmp_dst");
            col(ev, c, n, p + 2, "mtu");
        } else if (slice_eq(t, "tstampreply")) {
            col(ev, c, n, p + 1, "icmp_id");
            col(ev, c, n, p + 2, "icmp_seq");
            col(ev, c, n, p + 3, "icmp_otime");
            col(ev, c, n, p + 4, "icmp_rtime");
            col(ev, c, n, p + 5, "icmp_ttime");
        } else {
            col(ev, c, n, p + 1, "icmp_description");
        }
    } else if (slice_eq(proto, "carp")) {
        col(ev, c, n, p, "carp_type");
        col(ev, c, n, p + 1, "carp_ttl");
        col(ev, c, n, p + 2, "vhid");
        col(ev, c, n, p + 3, "carp_version");
        col(ev, c, n, p + 4, "advskew");
        col(ev, c, n, p + 5, "advbase");
    }
    return DK_FILTERLOG;
}

const struct decoder decode_filterlog = {.name = "filterlog", .decode = fl_decode};
