/*
 * dec_nsfocus.c — NSFOCUS (绿盟) NIPS / NIDS / NF firewall / WAF logs, with or without a
 * syslog header (the NIPS sends a bare "<5>" PRI before its body). Forms seen in public
 * parsers' samples:
 * - the WAF's own syslog ("waf:" program): "tag:waf_log_websec site_id:1 ... key:value"
 *   pairs separated by one or two spaces, values may hold spaces ("stat_time:2024-11-25
 *   10:00:00", "event_type:WEB Access Logs"); some write "tag: waf_log_arp", newer ones
 *   separate the pairs by ';'. Tags waf_log_websec, waf_log_webaccess, waf_log_arp,
 *   waf_log_login, waf_log_op, waf_log_system_run, waf_log_wafstat, waf_log_l4acl,
 *   waf_log_session...; action: Block (blocked), Forward / Accept (allowed), Other,
 *   Redirect, Pretend, Set, Clear, Replace (no verdict).
 * - NIPS / NIDS 5.6: key=value pairs each ended by ';', values with spaces:
 *   time=2019-10-12 18:10:39;device_type=ips;manufacturers=nsfocus;log_type=av;
 *   event=[40819]...;src_addr=1.1.86.147;src_port=20395;dst_addr=...;proto=SMTP;
 *   (log_type=fw_log with action=accept for the firewall module; 5.6R11 writes
 *   security_name=ips_log, sip/dip/sport/dport, epoch time=, and numeric action=1
 *   acted=1 whose meaning no sample says: kept as device_action, no verdict.)
 * - older NIDS: "time:2010-08-13 15:35:18;danger_degree:3;event:[20132]...;src_addr:
 *   ...;dst_port:80;proto:TCP.HTTP" (key:value;).
 * - "type=ips_log;..." (from memory, no public sample).
 * Pairs, fields and time: cn_kv.c (decode_cn_kv with ';', decode_cn_kv_colon). decode.c
 * picks it by program name (NSFOCUS, nsfocus, NIPS, NF, WAF, waf), by a headerless body
 * starting "tag:waf_log_" or naming manufacturers=nsfocus, starting "time=" / "time:"
 * with ";danger_degree" or ";log_type=" near, or starting "type=" whose first value
 * ends at ';' (auditd's "type=X msg=" has a space there). A body of none of these
 * forms, or of fewer than three pairs, is not ours.
 */
#include "decode/decode_int.h"

/* The separator after m's first key: '=' or ':' (the one first met after a key of
 * word characters), or 0. */
static char first_kv(struct slice m)
{
    size_t k = 0;
    while (k < m.len && k < 64 &&
           ((m.p[k] >= 'a' && m.p[k] <= 'z') || dec_isdigit(m.p[k]) || m.p[k] == '_'))
        k++;
    return k && k < m.len && (m.p[k] == '=' || m.p[k] == ':') ? m.p[k] : 0;
}

/* True when m's first key=value ends at ';' (values may hold spaces, not '='). */
static bool semi_pairs(struct slice m)
{
    const char *eq = memchr(m.p, '=', m.len);
    if (!eq)
        return false;
    struct slice r = slice_make(eq + 1, m.len - (size_t)(eq + 1 - m.p));
    const char *semi = memchr(r.p, ';', r.len);
    return semi && !memchr(r.p, '=', (size_t)(semi - r.p));
}

static int nsf_decode(const struct decode_job *job, struct event *ev)
{
    struct slice m = job->msg;
    while (m.len && m.p[0] == ' ')
        m = dec_skip(m, 1);
    if (DEC_STARTS(m, "waf: ")) /* "waf: waf: tag: waf_log_arp ..." */
        m = dec_skip(m, 5);
    char kv = first_kv(m);
    if (kv == ':') {
        if (decode_cn_kv_colon(job, m, ev) < 3)
            return ERR_PARSE;
    } else if (kv != '=' || !semi_pairs(m) || decode_cn_kv(job, m, ';', ev) < 3) {
        return ERR_PARSE;
    }
    return decode_cn_kv_fw(ev) ? DK_NSFOCUS_FW : DK_NSFOCUS;
}

const struct decoder decode_nsfocus = {.name = "nsfocus", .decode = nsf_decode};
