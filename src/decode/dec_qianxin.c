/*
 * dec_qianxin.c — Qi-AnXin (奇安信) NSG / SecGate firewall logs: one line of
 * space-separated key=value pairs, values in double quotes when they hold spaces,
 * with or without a syslog header:
 *   devid=3 date="2024/11/25 10:00:00" dname=nsg logtype=1 pri=5 mod=pf
 *   sa=10.0.0.5 sport=51234 da=203.0.113.9 dport=443 proto=IPPROTO_TCP policy=允许
 * or the newer names src_ip/dst_ip/src_port/dst_port (sip/dip), action=, and an epoch
 * time= / timestamp= (seconds or milliseconds). Fields and time: cn_kv.c. decode.c
 * picks it by program name (NSG, qianxin, QAX, SecGate) or by a body starting
 * "devid=" with " dname=" or " logtype=" in the first bytes. A line of fewer than
 * three pairs, or none of them naming an address or the device, is not ours.
 */
#include "decode/decode_int.h"

static int qax_decode(const struct decode_job *job, struct event *ev)
{
    struct slice m = job->msg;
    if (!m.len || !memchr(m.p, '=', m.len < 64 ? m.len : 64))
        return ERR_PARSE;
    uint16_t n0 = ev->nfields;
    if (decode_cn_kv(job, m, ' ', ev) < 3)
        return ERR_PARSE;
    struct slice v;
    bool ours =
        decode_cn_kv_fw(ev) || event_get(ev, FIELD_src_ip, &v) || event_get(ev, FIELD_dst_ip, &v);
    for (uint16_t i = n0; i < ev->nfields && !ours; i++) {
        struct slice k = ev->fields[i].name;
        ours = slice_eq(k, "devid") || slice_eq(k, "dname") || slice_eq(k, "logtype");
    }
    if (!ours)
        return ERR_PARSE;
    return decode_cn_kv_fw(ev) ? DK_QIANXIN_FW : DK_QIANXIN;
}

const struct decoder decode_qianxin = {.name = "qianxin", .decode = qax_decode};
