/*
 * dec_topsec.c — TopSec (天融信) firewall logs (TOS): one line of space-separated
 * key=value pairs, values in double quotes when they hold spaces, often sent without a
 * syslog header:
 *   id=tos time="2024-11-25 10:00:00" fw=TopsecOS pri=6 type=conn recorder=FW-NAT
 *   src=203.0.113.5 dst=10.0.0.2 sport=51234 dport=22 smac=... dmac=... proto=tcp
 *   indev=eth1 outdev=eth0 user= rule=12 op="ACCEPT" msg="..."
 * decode.c picks it by its first bytes "id=tos " (with or without a header before).
 * Fields: src_ip, dst_ip, src_port, dst_port, proto, user from src, dst, sport, dport,
 * proto, user; severity from pri (replacing the header's name); action allowed/blocked
 * with blocked from op (ACCEPT/PERMIT/PASS, DROP/DENY/REJECT); every other key as an
 * extra under its own name (fw, type, recorder, smac, rule, msg, ...). time is the
 * device's local time: it is read in the source's zone and becomes the event time.
 * Lines with both addresses are firewall events. A quoted value may hold \" (kept as
 * written). A line not starting with "id=tos" is not ours (ERR_PARSE).
 */
#include "decode/decode_int.h"

static bool key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || dec_isdigit(c) || c == '_' ||
           c == '-' || c == '.';
}

static const struct ts_key {
    const char *key;
    uint16_t field;
} ts_keys[] = {
    {"src", FIELD_src_ip},     {"dst", FIELD_dst_ip},  {"sport", FIELD_src_port},
    {"dport", FIELD_dst_port}, {"proto", FIELD_proto}, {"user", FIELD_user},
};

static int ts_decode(const struct decode_job *job, struct event *ev)
{
    struct slice s = job->msg;
    if (!DEC_STARTS(s, "id=tos") || (s.len > 6 && s.p[6] != ' '))
        return ERR_PARSE;
    struct slice op = SLICE_NULL, pri = SLICE_NULL;
    while (s.len) {
        while (s.len && s.p[0] == ' ')
            s = dec_skip(s, 1);
        size_t k = 0;
        while (k < s.len && k < 64 && key_char(s.p[k]))
            k++;
        if (!k || k >= s.len || s.p[k] != '=') {
            /* not a pair (a cut line, stray text): skip the word */
            struct slice rest;
            dec_word(s, &rest);
            s = rest;
            continue;
        }
        struct slice key = slice_make(s.p, k), val;
        size_t i = k + 1;
        if (i < s.len && s.p[i] == '"') {
            size_t v0 = ++i;
            while (i < s.len && s.p[i] != '"') {
                if (s.p[i] == '\\' && i + 1 < s.len)
                    i++;
                i++;
            }
            val = slice_make(s.p + v0, i - v0); /* an unclosed quote runs to the end */
            if (i < s.len)
                i++;
        } else {
            size_t v0 = i;
            while (i < s.len && s.p[i] != ' ')
                i++;
            val = slice_make(s.p + v0, i - v0);
        }
        s = dec_skip(s, i);

        bool done = false;
        for (size_t j = 0; j < sizeof ts_keys / sizeof ts_keys[0]; j++)
            if (slice_eq(key, ts_keys[j].key)) {
                if (val.len)
                    event_add(ev, ts_keys[j].field, val);
                done = true;
                break;
            }
        if (done)
            continue;
        if (slice_eq(key, "pri")) {
            pri = val;
            continue;
        }
        if (slice_eq(key, "op"))
            op = val;
        if (slice_eq(key, "time") && val.len) {
            int64_t ns;
            size_t used;
            const struct vtz *tz = job->src && job->src->tz ? job->src->tz : NULL;
            if (decode_iso_time(val, tz, &ns, &used) == 0 && used == val.len) {
                ev->time_ns = ns;
                ev->flags &= ~(uint32_t)EVF_TIME_RECEIVED;
            }
        }
        event_add_named(ev, key, val);
    }
    if (op.len) {
        const char *act = NULL;
        if (dec_icontains(op, "accept") || dec_icontains(op, "permit") || dec_icontains(op, "pass"))
            act = "allowed";
        else if (dec_icontains(op, "drop") || dec_icontains(op, "deny") ||
                 dec_icontains(op, "reject"))
            act = "blocked";
        if (act) {
            decode_add_verdict(ev, act[0] == 'b');
        }
    }
    if (pri.len == 1 && dec_isdigit(pri.p[0]))
        decode_take_field(ev, FIELD_severity, pri, NULL);
    else if (pri.len)
        event_add_named(ev, SLICE_LIT("pri"), pri);
    struct slice a;
    if (event_get(ev, FIELD_src_ip, &a) && event_get(ev, FIELD_dst_ip, &a))
        return DK_TOPSEC_FW;
    return DK_TOPSEC;
}

const struct decoder decode_topsec = {.name = "topsec", .decode = ts_decode};
