/*
 * dec_nsfocus.c — NSFOCUS (绿盟) NIPS / NF firewall / WAF logs, two forms, with or
 * without a syslog header:
 * - the WAF's own syslog ("waf:" program): "tag:waf_log_websec site_id:1 ... key:value"
 *   pairs separated by spaces, values may hold spaces ("stat_time:2024-11-25 10:00:00",
 *   "http:GET / HTTP/1.1"); tags waf_log_websec, waf_log_webaccess, waf_log_arp,
 *   waf_log_login, waf_log_op, waf_log_system_run, waf_log_wafstat, waf_log_l4acl,
 *   waf_log_session...; action: Block (blocked), Forward / Accept (allowed), Other,
 *   Redirect, Pretend, Set, Clear, Replace (no verdict). Pairs: decode_cn_kv_colon().
 * - key=value pairs each ended by ';' (from memory; no public sample of the NIPS/NF
 *   form was found, see the report of issue 4's verification):
 *   type=ips_log;time=2024-11-25 10:00:00;rule_id=23456;src_ip=203.0.113.5;...
 * Fields and time: cn_kv.c. decode.c picks it by program name (NSFOCUS, nsfocus, NIPS,
 * NF, WAF, waf), by a headerless body starting "tag:waf_log_", or by one starting
 * "type=" whose first value ends at ';' (auditd's "type=X msg=" has a space there). A
 * body of neither form, or of fewer than three pairs, is not ours.
 */
#include "decode/decode_int.h"

static int nsf_decode(const struct decode_job *job, struct event *ev)
{
    struct slice m = job->msg;
    while (m.len && m.p[0] == ' ')
        m = dec_skip(m, 1);
    if (DEC_STARTS(m, "tag:waf_log_")) {
        if (decode_cn_kv_colon(job, m, ev) < 3)
            return ERR_PARSE;
    } else if (decode_cn_kv_sep(m) != ';' || decode_cn_kv(job, m, ';', ev) < 3) {
        return ERR_PARSE;
    }
    return decode_cn_kv_fw(ev) ? DK_NSFOCUS_FW : DK_NSFOCUS;
}

const struct decoder decode_nsfocus = {.name = "nsfocus", .decode = nsf_decode};
