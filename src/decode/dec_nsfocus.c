/*
 * dec_nsfocus.c — NSFOCUS (绿盟) NIPS / NF firewall / WAF logs: key=value pairs each
 * ended by ';', with or without a syslog header:
 *   type=ips_log;time=2024-11-25 10:00:00;rule_id=23456;src_ip=203.0.113.5;
 *   dst_ip=10.0.0.2;src_port=51234;dst_port=80;proto=TCP;action=block;
 * Fields and time: cn_kv.c (values may hold spaces; they end at ';'). decode.c picks
 * it by program name (NSFOCUS, nsfocus, NIPS, NF, WAF) or by a headerless body
 * starting "type=" whose first value ends at ';' (auditd's "type=X msg=" has a space
 * there). A body whose first pair does not end at ';', or of fewer than three pairs,
 * is not ours.
 */
#include "decode/decode_int.h"

static int nsf_decode(const struct decode_job *job, struct event *ev)
{
    if (decode_cn_kv_sep(job->msg) != ';')
        return ERR_PARSE;
    if (decode_cn_kv(job, job->msg, ';', ev) < 3)
        return ERR_PARSE;
    return decode_cn_kv_fw(ev) ? DK_NSFOCUS_FW : DK_NSFOCUS;
}

const struct decoder decode_nsfocus = {.name = "nsfocus", .decode = nsf_decode};
