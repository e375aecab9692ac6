/*
 * dec_topsec.c — TopSec (天融信) firewall logs (TOS): one line of space-separated
 * key=value pairs, values in double quotes when they hold spaces, often sent without a
 * syslog header (or behind one whose host is the device's address):
 *   id=tos time="2018-05-31 16:20:00" fw=TopsecOS  pri=6 type=ac  recorder=FW-NAT
 *   src=172.24.72.210 dst=10.157.171.34 sport=45120 dport=9876 smac=... dmac=...
 *   proto=tcp indev=eth21 outdev=eth22 user= rule=deny connid=487364673 parentid=0
 *   dpiid=0 natid=0 policyid=8035 msg="null"
 *   id=tos time="2019-09-19 14:35:34" fw=TopsecOS pri=5 type=mgmt user=superman
 *   src=10.1.1.9 result=0 recorder=config msg="log log type_set add mgmt"
 * (as in public parsers' samples of TOS lines: type ac (access control), conn (session
 * end, with inpkt/outpkt/sent/rcvd/duration), mgmt and system (administration, with op
 * and result), dpi, avse (antivirus, virus_name/virus_deal), sv_netacc (VPN); fw is
 * the device's name, Chinese when so named; pairs may be separated by more than one
 * space or by tabs, and words that are not pairs are skipped.)
 * decode.c picks it by its first bytes "id=tos " (with or without a header before).
 * Fields: src_ip, dst_ip, src_port, dst_port, proto, user from src, dst, sport, dport,
 * proto, user (a user "N/A" is left out); severity from pri (replacing the header's
 * name); action allowed/blocked with blocked from the verdict of an access-control line,
 * rule=accept|deny (and from action= of dpi lines: forbid/block/drop/deny, pass/permit/
 * accept; kept as device_action); op is the administrator's operation, not a verdict; outcome from
 * result (0 success, another number failure); every other key as an extra under its own name (fw,
 * type, recorder, smac, rule, msg, ...). time is the device's local time: it is read in the
 * source's zone and becomes the event time. Lines with both addresses are firewall events. A quoted
 * value may hold \" (kept as written). A line not starting with "id=tos" is not ours (ERR_PARSE).
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

/* 1 blocked, 0 allowed, -1 neither: a TOS verdict word (rule=accept|deny on access
 * control lines, action=forbid|pass|... on dpi lines), whole words only. */
static int verdict(struct slice v)
{
    static const char *const block[] = {"deny", "drop", "reject", "forbid", "block"};
    static const char *const allow[] = {"accept", "permit", "pass", "allow"};
    for (size_t i = 0; i < sizeof block / sizeof block[0]; i++)
        if (slice_eq_nocase(v, block[i]))
            return 1;
    for (size_t i = 0; i < sizeof allow / sizeof allow[0]; i++)
        if (slice_eq_nocase(v, allow[i]))
            return 0;
    return -1;
}

static int ts_decode(const struct decode_job *job, struct event *ev)
{
    struct slice s = job->msg;
    if (!DEC_STARTS(s, "id=tos") || (s.len > 6 && s.p[6] != ' ' && s.p[6] != '\t'))
        return ERR_PARSE;
    struct slice rule = SLICE_NULL, action = SLICE_NULL, result = SLICE_NULL, pri = SLICE_NULL;
    while (s.len) {
        while (s.len && (s.p[0] == ' ' || s.p[0] == '\t'))
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
            i = dec_quoted(s, i, &val);
        } else {
            size_t v0 = i;
            while (i < s.len && s.p[i] != ' ' && s.p[i] != '\t')
                i++;
            val = slice_make(s.p + v0, i - v0);
        }
        s = dec_skip(s, i);

        bool done = false;
        for (size_t j = 0; j < sizeof ts_keys / sizeof ts_keys[0]; j++)
            if (slice_eq(key, ts_keys[j].key)) {
                if (val.len && !(ts_keys[j].field == FIELD_user && slice_eq(val, "N/A")))
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
        if (slice_eq(key, "rule"))
            rule = val;
        else if (slice_eq(key, "action")) {
            action = val; /* the device's word, kept apart from our action field */
            event_add_named(ev, SLICE_LIT("device_action"), val);
            continue;
        } else if (slice_eq(key, "result"))
            result = val;
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
    int v = verdict(rule);
    if (v < 0)
        v = verdict(action);
    if (v >= 0)
        decode_add_verdict(ev, v == 1);
    if (result.len) {
        struct slice digits = result.p[0] == '-' ? dec_skip(result, 1) : result;
        if (digits.len && dec_all_digits(digits))
            event_add(ev, FIELD_outcome,
                      slice_eq(result, "0") ? SLICE_LIT("success") : SLICE_LIT("failure"));
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
