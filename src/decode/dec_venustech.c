/*
 * dec_venustech.c — Venustech (启明星辰) firewall / IDS (天清, 天阗) logs. The devices
 * send a PRI above 191 ("<214>"): syslog.c keeps its digits as pri and flags the
 * record malformed, then reads the rest of the header as usual; the body is key=value
 * pairs separated by spaces or by ';' (the separator after the first value decides),
 * values in double quotes when they hold spaces:
 *   <214>Nov 25 10:00:00 fw1 devid=FW01 date="2024-11-25 10:00:00" type=filter
 *   SrcIP=10.0.0.5 DstIP=203.0.113.9 SrcPort=51234 DstPort=443 Protocol=TCP Action=deny
 * Fields and time: cn_kv.c. decode.c picks it by program name (venus, venustech,
 * Venustech) or, for a record of a PRI above 191 no other decoder took, always (this
 * decoder refuses bodies of fewer than three pairs: they stay syslog).
 */
#include "decode/decode_int.h"

static int vt_decode(const struct decode_job *job, struct event *ev)
{
    char sep = decode_cn_kv_sep(job->msg);
    if (!sep)
        return ERR_PARSE;
    if (decode_cn_kv(job, job->msg, sep, ev) < 3)
        return ERR_PARSE;
    return decode_cn_kv_fw(ev) ? DK_VENUSTECH_FW : DK_VENUSTECH;
}

const struct decoder decode_venustech = {.name = "venustech", .decode = vt_decode};
