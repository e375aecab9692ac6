/*
 * dec_ruijie.c — Ruijie RGOS switches, routers and wireless controllers (Ruijie
 * "Configuring Syslog" guide). RGOS writes, to a log server,
 *   <PRI>seq: *Mmm dd [yyyy ]hh:mm:ss[.msec]: [sysname ]%MODULE-L-MNEMONIC: content
 * (the sequence number, year, milliseconds and sysname each optional), or with RFC 5424
 * logging on
 *   <PRI>1 2013-07-24T12:19:33.130290Z sysname MODULE L MNEMONIC [SD@4881 ...] content
 * (older guides, and D-Link's DGS-3610 built on RGOS: "<189> 226:Mar 5 02:09:10 S3250
 * %SYS-5-CONFIG_I: ..."). The first form is Cisco's bytes; decode.c sends a line here
 * without `format: ruijie` only when its header is a form only RGOS writes (syslog.c
 * sets hdr->ruijie: a space after the PRI before the sequence number, or the sysname
 * after "*stamp:") or its RFC 5424 structured data carries Ruijie's enterprise number
 * 4881; otherwise a `format: ruijie` source (decode.c: forced).
 * It reads the prefix from the message, from the header's TAG (syslog.c takes
 * "%MODULE-L-MNEMONIC:" for one) or, after a "*...:" stamp, behind the sysname (which
 * then becomes `host`); for RFC 5424, MODULE, L and MNEMONIC are the header's
 * APP-NAME, PROCID and MSGID. Fields: module, severity (the level as written,
 * replacing the header's name), brief (the mnemonic); from login texts user,
 * src_ip, action login/logout, outcome; from ACL hits ("list 101 denied tcp
 * 203.0.113.5(51234) -> 10.0.0.2(22), 1 packet") acl, proto, the addresses and ports,
 * action allowed/blocked with blocked (a firewall event, DK_RUIJIE_FW). Anything else is not ours
 * (ERR_PARSE).
 */
#include "decode/decode_int.h"

static bool up_or_digit(char c)
{
    return (c >= 'A' && c <= 'Z') || dec_isdigit(c) || c == '_';
}

static bool all_up(struct slice s, size_t min, size_t max)
{
    if (s.len < min || s.len > max)
        return false;
    for (size_t i = 0; i < s.len; i++)
        if (!up_or_digit(s.p[i]))
            return false;
    return true;
}

struct rj_prefix {
    struct slice module, sev, brief;
};

/* Parses "%MODULE-L-MNEMONIC" at the front of s (module 2-20, mnemonic up to 32
 * upper-case characters, as the guide says); *used is its length. */
static bool rj_prefix(struct slice s, struct rj_prefix *p, size_t *used)
{
    if (s.len < 6 || s.p[0] != '%')
        return false;
    size_t i = 1, b = 1;
    while (i < s.len && i - b <= 20 && up_or_digit(s.p[i]))
        i++;
    if (i - b < 2 || i + 3 > s.len || s.p[i] != '-' || !dec_isdigit(s.p[i + 1]) ||
        s.p[i + 2] != '-')
        return false;
    p->module = slice_make(s.p + b, i - b);
    p->sev = slice_make(s.p + i + 1, 1);
    i += 3;
    b = i;
    while (i < s.len && i - b <= 32 && up_or_digit(s.p[i]))
        i++;
    if (i == b)
        return false;
    p->brief = slice_make(s.p + b, i - b);
    *used = i;
    return true;
}

/* Parses "%MODULE-L-MNEMONIC: content" at s; *body is the content. */
static bool rj_line(struct slice s, struct rj_prefix *p, struct slice *body)
{
    size_t n;
    if (!rj_prefix(s, p, &n) || n >= s.len || s.p[n] != ':')
        return false;
    *body = slice_trim(dec_skip(s, n + 1));
    return true;
}

/* "User admin(10.0.0.5) ..." / "... user admin from 10.0.0.5 ..." */
static void login_text(struct slice t, struct event *ev)
{
    long at = DEC_FIND(t, "ser ");
    if (at >= 1 && (t.p[at - 1] == 'U' || t.p[at - 1] == 'u')) {
        struct slice rest;
        struct slice u = dec_word(dec_skip(t, (size_t)at + 4), &rest);
        long lp = slice_find_byte(u, '(');
        if (lp > 0 && u.len && u.p[u.len - 1] == ')') {
            struct slice a = slice_make(u.p + lp + 1, u.len - (size_t)lp - 2);
            u.len = (size_t)lp;
            if (decode_looks_addr(a))
                event_add(ev, FIELD_src_ip, a);
        }
        while (u.len && (u.p[u.len - 1] == ',' || u.p[u.len - 1] == '.'))
            u.len--;
        if (u.len)
            event_add(ev, FIELD_user, u);
    }
    struct slice have;
    long f = DEC_FIND(t, " from ");
    if (f >= 0 && !event_get(ev, FIELD_src_ip, &have)) {
        struct slice rest;
        struct slice a = dec_word(dec_skip(t, (size_t)f + 6), &rest);
        while (a.len && (a.p[a.len - 1] == '.' || a.p[a.len - 1] == ','))
            a.len--;
        if (a.len && decode_looks_addr(a))
            event_add(ev, FIELD_src_ip, a);
    }
}

/* "(p)" after an address: the port, or an empty slice. */
static struct slice paren_port(struct slice *a)
{
    long lp = slice_find_byte(*a, '(');
    if (lp <= 0 || a->p[a->len - 1] != ')')
        return SLICE_NULL;
    struct slice port = slice_make(a->p + lp + 1, a->len - (size_t)lp - 2);
    a->len = (size_t)lp;
    return port;
}

/* An ACL hit, as the SEC/ACL modules write it (Cisco's IPACCESSLOGP form):
 * "list 101 denied tcp 203.0.113.5(51234) -> 10.0.0.2(22), 1 packet". Returns true when
 * the text was one (addresses, ports, proto, acl, action added). */
static bool acl_text(struct slice t, struct event *ev)
{
    if (!DEC_STARTS(t, "list "))
        return false;
    struct slice rest, acl = dec_word(dec_skip(t, 5), &rest);
    struct slice verb = dec_word(rest, &rest);
    bool deny = slice_eq(verb, "denied"), permit = slice_eq(verb, "permitted");
    if (!acl.len || (!deny && !permit))
        return false;
    struct slice proto = dec_word(rest, &rest);
    struct slice src = dec_word(rest, &rest);
    struct slice arrow = dec_word(rest, &rest);
    struct slice dst = dec_word(rest, &rest);
    if (dst.len && dst.p[dst.len - 1] == ',')
        dst.len--;
    if (!slice_eq(arrow, "->") || !src.len || !dst.len)
        return false;
    struct slice sp = paren_port(&src), dp = paren_port(&dst);
    if (!decode_looks_addr(src) || !decode_looks_addr(dst))
        return false;
    event_add_named(ev, SLICE_LIT("acl"), acl);
    event_add(ev, FIELD_proto, proto);
    event_add(ev, FIELD_src_ip, src);
    if (sp.len)
        event_add(ev, FIELD_src_port, sp);
    event_add(ev, FIELD_dst_ip, dst);
    if (dp.len)
        event_add(ev, FIELD_dst_port, dp);
    decode_add_verdict(ev, deny);
    return true;
}

static int rj_decode(const struct decode_job *job, struct event *ev)
{
    const struct syslog_hdr *h = job->hdr;
    struct rj_prefix p;
    struct slice body, m = job->msg, host = SLICE_NULL;
    size_t n;
    if (rj_line(m, &p, &body)) {
        /* the prefix opens the message */
    } else if (h && h->program.len && rj_prefix(h->program, &p, &n) && n == h->program.len) {
        body = slice_trim(m);
    } else if (h && h->version == 1 && all_up(h->program, 2, 20) && h->pid.len == 1 &&
               dec_isdigit(h->pid.p[0]) && all_up(h->msgid, 1, 32)) {
        p.module = h->program;
        p.sev = h->pid;
        p.brief = h->msgid;
        body = slice_trim(m);
    } else {
        struct slice rest;
        host = dec_word(m, &rest);
        if (!host.len || host.len > 255 || !rj_line(rest, &p, &body))
            return ERR_PARSE;
    }
    if (host.len)
        event_add(ev, FIELD_host, host);
    event_add(ev, FIELD_module, p.module);
    event_add_named(ev, SLICE_LIT("brief"), p.brief);

    if (acl_text(body, ev)) {
        decode_take_field(ev, FIELD_severity, p.sev, NULL);
        return DK_RUIJIE_FW;
    }
    struct slice br = p.brief;
    bool out = dec_icontains(br, "LOGOUT") || dec_icontains(br, "LOGOFF") ||
               dec_icontains(body, "logout") || dec_icontains(body, "logged out");
    bool in = dec_icontains(br, "LOGIN") || dec_icontains(br, "LOGON") ||
              dec_icontains(br, "AUTH") || dec_icontains(body, "login") ||
              dec_icontains(body, "logged in");
    if (out || in) {
        event_add(ev, FIELD_action, out ? SLICE_LIT("logout") : SLICE_LIT("login"));
        login_text(body, ev);
        if (!out)
            event_add(ev, FIELD_outcome,
                      dec_icontains(br, "FAIL") || dec_icontains(body, "fail")
                          ? SLICE_LIT("failure")
                          : SLICE_LIT("success"));
    }
    decode_take_field(ev, FIELD_severity, p.sev, NULL);
    return DK_RUIJIE;
}

const struct decoder decode_ruijie = {.name = "ruijie", .decode = rj_decode};
