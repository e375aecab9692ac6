/*
 * dec_qianxin.c — Qi-AnXin (奇安信) NSG / SecGate (网神) firewall logs, by program name
 * only (NSG, qianxin, QAX, SecGate): one line of space-separated key=value pairs, values
 * in double quotes when they hold spaces. No public sample of these devices' logs was
 * found; the form below is from memory. The "devid=... dname=... logtype=... mod=pf
 * sa=... da=..." body once attributed to SecGate is Venustech / Leadsec's (网御, not
 * 网神): decode.c sends it to dec_venustech.c, though this decoder reads it too.
 *   time=1732528802 src_ip=10.0.0.6 dst_ip=203.0.113.10 src_port=50000 dst_port=80
 *   proto=TCP action=accept policy_name="出站 默认 策略" app=HTTP
 * src_ip/dst_ip/src_port/dst_port (sip/dip, sa/da), action=, and an epoch time= /
 * timestamp= (seconds or milliseconds). Fields and time: cn_kv.c. A line of fewer than
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
