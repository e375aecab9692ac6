/*
 * dec_venustech.c — Venustech (启明星辰) / Leadsec (网御星云, its subsidiary) firewall,
 * UTM, IDS/IPS and netgap logs (天清汉马 USG, 天阗). Their form, seen in public parsers'
 * samples (programs kernel, webui, newconfig, logserver; dname=venus / themis; a
 * Leadsec kernel module prints it): key=value pairs separated by spaces, values in
 * double quotes when they hold spaces, a local time in date=:
 *   <6>Jun 15 02:26:04 fw1 kernel:  devid=0 date="2018/06/15 02:58:43" dname=themis
 *   logtype=1 pri=5 ver=0.3.0 rule_name=pf1 mod=pf sa=172.24.50.17 sport=58848 type=NULL
 *   da=218.2.135.1 dport=53 code=NULL proto=IPPROTO_UDP policy=POLICY_PERMIT duration=0
 *   rcvd=53 sent=53 fwlog=0 dsp_msg="包过滤日志"
 *   <158>webui: devid=0 date="2019/07/02 16:39:33" dname=themis logtype=9 pri=6 ... act=显示
 * (logtype 1 packet filter, 9 administration; sa/da/sport/dport the addresses and ports,
 * "NULL" for ICMP; pa/pport the translated ones; policy POLICY_PERMIT, POLICY_DENY,
 * POLICY_NAT_PERMIT; act= the administrator's action or drop.) Other bodies of ';'-
 * separated pairs ("type=ids;src_ip=...;") are read too (the separator after the first
 * value decides). The samples found carry ordinary PRIs (<6>, <134>, <157>, <158>); a
 * PRI above 191 ("<214>", from memory, no public sample found) is still accepted:
 * syslog.c keeps its digits as pri and flags the record malformed.
 * Fields and time: cn_kv.c. decode.c picks it for any body starting "devid=" with
 * " dname=" or " logtype=" in its first bytes, whatever the program, by program name
 * (venus, venustech, Venustech) or, for a record of a PRI above 191 no other decoder
 * took, always (this decoder refuses bodies of fewer than three pairs: they stay syslog).
 */
#include "decode/decode_int.h"

static int vt_decode(const struct decode_job *job, struct event *ev)
{
    struct slice m = job->msg;
    while (m.len && m.p[0] == ' ') /* "kernel:  devid=0 ..." */
        m = dec_skip(m, 1);
    char sep = decode_cn_kv_sep(m);
    if (!sep)
        return ERR_PARSE;
    if (decode_cn_kv(job, m, sep, ev) < 3)
        return ERR_PARSE;
    return decode_cn_kv_fw(ev) ? DK_VENUSTECH_FW : DK_VENUSTECH;
}

const struct decoder decode_venustech = {.name = "venustech", .decode = vt_decode};
