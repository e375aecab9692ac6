/*
 * dec_hillstone.c — Hillstone StoneOS firewall logs. The StoneOS CLI manual (V5.5R12,
 * 监控 > 日志 > 配置日志信息的输出格式) gives the syslog line as
 *   <PRI>TIME SERIAL(VSYS) EVENT_ID HillstoneNetworks#Type@MODULE: content
 * with "[h:HOSTNAME][p:SEVERITY]" right after "(VSYS)" under "additional-information",
 * the host name in place of SERIAL(VSYS) under "hostname standard", no
 * "HillstoneNetworks#" under "company-name null" (the form most captures show), an ISO
 * time under "4digit-year-timestamp"; EVENT_ID is 8 hex digits ("4424362f"). Seen too:
 * RFC 5424 lines whose APP-NAME is SERIAL(VSYS), and exported lines
 * "YYYY-MM-DD HH:MM:SS, SEVERITY@MODULE: content". Content is English (names may be
 * Chinese; the device may send GBK, which charset.c converts), e.g.
 *   Traffic@FLOW: SESSION: 10.6.2.43:49608->192.168.20.160:11800(TCP), application
 *     TCP-ANY, interface tunnel6, vr trust-vr, policy 1, user -@-, host -, send packets
 *     1,send bytes 74,...,session end,TCP RST      (", policy deny" when denied)
 *   Traffic@FLOW: NAT: A:p->B:p(TCP), dnat to C:p, vr trust-vr, user -@UNKNOWN, ...
 *   Threat@FLOW: From A:p(IF) to B:p(IF), threat name: udp-flood, threat type: Dos,
 *     threat subtype: -, App/Protocol: IPv4/UDP, action: DROP, defender: AD, severity: ...
 *   IPS@IPS: From A:p to B:p, detected network intrusion, ID:306349, Name:..., action: ...
 *   Event@MGMT: Admin user "root" attempted to login through SSH failed, and the IP is X.
 * syslog.c leaves SERIAL(VSYS) as the host (or reads "Type@MODULE:" as the TAG when no
 * EVENT_ID precedes it); decode.c dispatches on those shapes. Fields: log_category (Type),
 * module, serial, vsys, event_id, host (the [h:] name, else the serial); from the content
 * the first "A:p->B:p(PROTO)" or "From A:p(...) to B:p(...)" as src_ip, src_port, dst_ip,
 * dst_port (proto from "(TCP)" or App/Protocol), "policy N" as policy, application,
 * "snat|dnat to C:p" as nat_src_ip/nat_src_port or nat_dst_ip/nat_dst_port, a user
 * "user X@Y" or 'user "X"', "the IP is X" / "The IP X" as src_ip, threat_name,
 * threat_type, threat_subtype, threat_severity, threat_id, defender, device_action;
 * action allowed/blocked with blocked from "action: X" (DROP/deny/block/reset vs
 * permit/accept; log-only is neither) or a Traffic line's "policy deny"; outcome of a
 * login (failed / logined, logged in). Lines with both addresses are firewall events.
 */
#include "decode/decode_int.h"

static bool word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || dec_isdigit(c) || c == '_' ||
           c == '-';
}

/* "Type@MODULE" exactly (after an optional "HillstoneNetworks#"); sets both halves. */
static bool type_module(struct slice t, struct slice *type, struct slice *module)
{
    long hash = slice_find_byte(t, '#');
    if (hash >= 0 && slice_eq(slice_make(t.p, (size_t)hash), "HillstoneNetworks"))
        t = dec_skip(t, (size_t)hash + 1);
    long at = slice_find_byte(t, '@');
    if (at <= 0 || (size_t)at + 1 >= t.len || t.len > 64)
        return false;
    for (size_t i = 0; i < t.len; i++)
        if ((long)i != at && !word_char(t.p[i]))
            return false;
    *type = slice_make(t.p, (size_t)at);
    *module = dec_skip(t, (size_t)at + 1);
    return true;
}

/* "Type@MODULE: " at s; *rest is the content. */
static bool tm_colon(struct slice s, struct slice *type, struct slice *module, struct slice *rest)
{
    long c = slice_find_byte(slice_make(s.p, s.len < 66 ? s.len : 66), ':');
    if (c <= 0 || !type_module(slice_make(s.p, (size_t)c), type, module))
        return false;
    *rest = slice_trim(dec_skip(s, (size_t)c + 1));
    return true;
}

/* An address and optional ":port" ending at "->" or at "(": IPv6 keeps its colons
 * unless the port form "[v6]:p" is used. */
static void add_addr(struct slice a, uint16_t ip, uint16_t port, struct event *ev)
{
    struct slice p = SLICE_NULL;
    long last = -1;
    size_t colons = 0;
    for (size_t i = 0; i < a.len; i++)
        if (a.p[i] == ':') {
            colons++;
            last = (long)i;
        }
    if (a.len && a.p[0] == '[') {
        long rb = slice_find_byte(a, ']');
        if (rb > 1) {
            if ((size_t)rb + 2 < a.len && a.p[rb + 1] == ':')
                p = dec_skip(a, (size_t)rb + 2);
            a = slice_make(a.p + 1, (size_t)rb - 1);
        }
    } else if (colons == 1) {
        p = dec_skip(a, (size_t)last + 1);
        a.len = (size_t)last;
    }
    /* a line cut inside an address ("203.0.") gives none */
    if (a.len && a.p[a.len - 1] != '.' && a.p[a.len - 1] != ':' && decode_looks_addr(a))
        event_add(ev, ip, a);
    if (p.len && dec_isdigit(p.p[0]))
        event_add(ev, port, p);
}

/* True for a protocol name in parentheses ("TCP", "ICMP"), not an interface
 * ("ethernet0/0", "aggregate1.21", "-"): upper-case letters and digits, 2 to 8. */
static bool proto_word(struct slice p)
{
    if (p.len < 2 || p.len > 8)
        return false;
    for (size_t i = 0; i < p.len; i++)
        if (!((p.p[i] >= 'A' && p.p[i] <= 'Z') || dec_isdigit(p.p[i])))
            return false;
    return true;
}

/* The first "A->B(PROTO)" of the content; the StoneOS manual's session example puts
 * each side's interface in parentheses instead ("A:p(ethernet0/1)->B:p(ethernet0/0),
 * Protocol TCP"). */
static void flow(struct slice c, struct event *ev)
{
    long arrow = DEC_FIND(c, "->");
    if (arrow <= 0)
        return;
    size_t b = (size_t)arrow;
    while (b && c.p[b - 1] != ' ' && c.p[b - 1] != ',')
        b--;
    struct slice src = slice_make(c.p + b, (size_t)arrow - b);
    if (src.len && src.p[src.len - 1] == ')') {
        long lp = slice_find_byte(src, '(');
        if (lp > 0)
            src.len = (size_t)lp;
    }
    struct slice rest = dec_skip(c, (size_t)arrow + 2);
    size_t e = 0;
    while (e < rest.len && rest.p[e] != '(' && rest.p[e] != ',' && rest.p[e] != ' ')
        e++;
    struct slice dst = slice_make(rest.p, e);
    add_addr(src, FIELD_src_ip, FIELD_src_port, ev);
    add_addr(dst, FIELD_dst_ip, FIELD_dst_port, ev);
    if (e < rest.len && rest.p[e] == '(') {
        long rp = slice_find_byte(dec_skip(rest, e), ')');
        if (rp > 1 && proto_word(slice_make(rest.p + e + 1, (size_t)rp - 1))) {
            event_add(ev, FIELD_proto, slice_make(rest.p + e + 1, (size_t)rp - 1));
            return;
        }
    }
    long pr = DEC_FIND(rest, ", Protocol ");
    if (pr >= 0) {
        struct slice r2, w = dec_word(dec_skip(rest, (size_t)pr + 11), &r2);
        while (w.len && w.p[w.len - 1] == ',')
            w.len--;
        if (proto_word(w))
            event_add(ev, FIELD_proto, w);
    }
}

/* "SERIAL(VSYS)" with an optional "[h:NAME][p:N]" after it; sets the parts. */
static bool serial_vsys(struct slice w, struct slice *serial, struct slice *vsys,
                        struct slice *hname)
{
    long lp = slice_find_byte(w, '(');
    if (lp < 4 || lp > 32)
        return false;
    for (long i = 0; i < lp; i++)
        if (!word_char(w.p[i]))
            return false;
    long rp = slice_find_byte(w, ')');
    if (rp <= lp)
        return false;
    struct slice tail = dec_skip(w, (size_t)rp + 1);
    *hname = SLICE_NULL;
    while (tail.len) {
        long rb = slice_find_byte(tail, ']');
        if (tail.p[0] != '[' || rb < 3 || tail.p[2] != ':')
            return false;
        if (tail.p[1] == 'h')
            *hname = slice_make(tail.p + 3, (size_t)rb - 3);
        tail = dec_skip(tail, (size_t)rb + 1);
    }
    *serial = slice_make(w.p, (size_t)lp);
    *vsys = slice_make(w.p + lp + 1, (size_t)(rp - lp - 1));
    return true;
}

/* An event id: 4 to 12 hex digits. */
static bool event_id(struct slice e)
{
    if (e.len < 4 || e.len > 12)
        return false;
    for (size_t i = 0; i < e.len; i++)
        if (!(dec_isdigit(e.p[i]) || (e.p[i] >= 'a' && e.p[i] <= 'f') ||
              (e.p[i] >= 'A' && e.p[i] <= 'F')))
            return false;
    return true;
}

/* The value after "key" in c up to the next ',' (trimmed), or an empty slice. */
static struct slice item(struct slice c, const char *key)
{
    long at = dec_find(c, key, strlen(key));
    if (at < 0)
        return SLICE_NULL;
    struct slice v = dec_skip(c, (size_t)at + strlen(key));
    long comma = slice_find_byte(v, ',');
    if (comma >= 0)
        v.len = (size_t)comma;
    return slice_trim(v);
}

/* "From A:p(X) to B:p(Y)" (or "from A..."): the addresses (when they are IPs) and
 * "(PROTO)" after B when it is upper case. */
static void from_to(struct slice c, struct event *ev)
{
    long at = DEC_FIND(c, "From ");
    if (at < 0)
        at = DEC_FIND(c, "from ");
    if (at < 0)
        return;
    struct slice rest, w = dec_word(dec_skip(c, (size_t)at + 5), &rest);
    while (w.len && w.p[w.len - 1] == ',')
        w.len--;
    long lp = slice_find_byte(w, '(');
    struct slice a = lp >= 0 ? slice_make(w.p, (size_t)lp) : w, host = a;
    long colon = slice_find_byte(a, ':');
    if (colon >= 0 && slice_find_byte(dec_skip(a, (size_t)colon + 1), ':') < 0)
        host = slice_make(a.p, (size_t)colon);
    if (!decode_is_ip(host) && !(a.len && a.p[0] == '[' && decode_looks_addr(a)))
        return;
    add_addr(a, FIELD_src_ip, FIELD_src_port, ev);
    if (!DEC_STARTS(rest, "to "))
        return;
    struct slice r2;
    w = dec_word(dec_skip(rest, 3), &r2);
    while (w.len && (w.p[w.len - 1] == ',' || w.p[w.len - 1] == '.'))
        w.len--;
    lp = slice_find_byte(w, '(');
    a = lp >= 0 ? slice_make(w.p, (size_t)lp) : w;
    add_addr(a, FIELD_dst_ip, FIELD_dst_port, ev);
    if (lp >= 0 && w.p[w.len - 1] == ')' &&
        proto_word(slice_make(w.p + lp + 1, w.len - (size_t)lp - 2)))
        event_add(ev, FIELD_proto, slice_make(w.p + lp + 1, w.len - (size_t)lp - 2));
}

/* 1 blocked, 0 allowed, -1 neither, for the word of "action: X". */
static int action_word(struct slice v)
{
    if (dec_icontains(v, "drop") || dec_icontains(v, "deny") || dec_icontains(v, "block") ||
        dec_icontains(v, "reset") || dec_icontains(v, "reject"))
        return 1;
    if (dec_icontains(v, "permit") || dec_icontains(v, "accept") || dec_icontains(v, "allow"))
        return 0;
    return -1;
}

/* The content's fields (see the top of the file). */
static void content_fields(struct slice type, struct slice c, struct event *ev)
{
    struct slice a, v;
    if (DEC_FIND(c, "->") > 0)
        flow(c, ev);
    else
        from_to(c, ev);
    long pol = DEC_FIND(c, "policy ");
    if (pol >= 0) {
        struct slice rest;
        struct slice id = dec_word(dec_skip(c, (size_t)pol + 7), &rest);
        while (id.len && (id.p[id.len - 1] == ',' || id.p[id.len - 1] == '.'))
            id.len--;
        if (id.len && dec_isdigit(id.p[0]))
            event_add_named(ev, SLICE_LIT("policy"), id);
    }
    if ((v = item(c, ", application ")).len)
        event_add_named(ev, SLICE_LIT("application"), v);
    long nat = DEC_FIND(c, "nat to ");
    if (nat >= 1 && (c.p[nat - 1] == 's' || c.p[nat - 1] == 'd')) {
        bool snat = c.p[nat - 1] == 's';
        struct slice rest, t = dec_word(dec_skip(c, (size_t)nat + 7), &rest);
        while (t.len && t.p[t.len - 1] == ',')
            t.len--;
        struct slice host = t, port = SLICE_NULL;
        long colon = slice_find_byte(t, ':');
        if (colon >= 0 && slice_find_byte(dec_skip(t, (size_t)colon + 1), ':') < 0) {
            host = slice_make(t.p, (size_t)colon);
            port = dec_skip(t, (size_t)colon + 1);
        }
        if (decode_is_ip(host))
            event_add_named(ev, snat ? SLICE_LIT("nat_src_ip") : SLICE_LIT("nat_dst_ip"), host);
        if (port.len && dec_all_digits(port))
            event_add_named(ev, snat ? SLICE_LIT("nat_src_port") : SLICE_LIT("nat_dst_port"), port);
    }
    /* users: "user NAME@AAA" (traffic; "-" is none), 'user "NAME"' (management) */
    long u = DEC_FIND(c, "user ");
    if (u >= 0) {
        struct slice rest, w = dec_word(dec_skip(c, (size_t)u + 5), &rest);
        while (w.len && w.p[w.len - 1] == ',')
            w.len--;
        if (w.len > 2 && w.p[0] == '"') {
            long q = slice_find_byte(dec_skip(w, 1), '"');
            if (q > 0)
                event_add(ev, FIELD_user, slice_make(w.p + 1, (size_t)q));
        } else {
            long at = slice_find_byte(w, '@');
            if (at > 0 && !(at == 1 && w.p[0] == '-'))
                event_add(ev, FIELD_user, slice_make(w.p, (size_t)at));
        }
    }
    if (!event_get(ev, FIELD_src_ip, &a)) {
        v = item(c, "the IP is ");
        if (!v.len) {
            long at = DEC_FIND(c, "The IP ");
            if (at >= 0) {
                struct slice rest;
                v = dec_word(dec_skip(c, (size_t)at + 7), &rest);
            }
        }
        while (v.len && v.p[v.len - 1] == '.')
            v.len--;
        if (v.len && decode_is_ip(v))
            event_add(ev, FIELD_src_ip, v);
    }
    static const struct {
        const char *key, *name;
    } items[] = {
        {"threat name: ", "threat_name"},
        {"threat type: ", "threat_type"},
        {"threat subtype: ", "threat_subtype"},
        {"severity: ", "threat_severity"},
        {"defender: ", "defender"},
        {"App/Protocol: ", "app_protocol"},
        {", ID:", "threat_id"},
        {", Name:", "threat_name"},
    };
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
        if ((v = item(c, items[i].key)).len)
            event_add_named(ev, slice_cstr(items[i].name), v);
    if (!event_get(ev, FIELD_proto, &a) && (v = item(c, "App/Protocol: ")).len) {
        long sl = slice_find_byte(v, '/');
        if (sl >= 0 && (size_t)sl + 1 < v.len)
            event_add(ev, FIELD_proto, dec_skip(v, (size_t)sl + 1));
    }
    int verdict = -1;
    if ((v = item(c, "action: ")).len) {
        event_add_named(ev, SLICE_LIT("device_action"), v);
        verdict = action_word(v);
    } else if (slice_eq_nocase(type, "Traffic") && DEC_FIND(c, "policy deny") >= 0) {
        verdict = 1;
    }
    if (verdict >= 0)
        decode_add_verdict(ev, verdict == 1);
    /* a login's outcome */
    if (DEC_FIND(c, "login") >= 0 || DEC_FIND(c, "log in") >= 0 || DEC_FIND(c, "logs on") >= 0) {
        if (DEC_FIND(c, "fail") >= 0)
            event_add(ev, FIELD_outcome, SLICE_LIT("failure"));
        else if (DEC_FIND(c, "logined") >= 0 || DEC_FIND(c, "logged in") >= 0 ||
                 DEC_FIND(c, "success") >= 0)
            event_add(ev, FIELD_outcome, SLICE_LIT("success"));
    }
}

static int hs_decode(const struct decode_job *job, struct event *ev)
{
    const struct syslog_hdr *h = job->hdr;
    struct slice m = slice_trim(job->msg), type, module, content, serial = SLICE_NULL,
                 vsys = SLICE_NULL, hname = SLICE_NULL, eid = SLICE_NULL;
    bool from_host = false;
    /* SERIAL(VSYS) where syslog.c put it: the host (3164) or the APP-NAME (5424) */
    if (h && serial_vsys(h->host, &serial, &vsys, &hname))
        from_host = true;
    else if (h && h->program.len && serial_vsys(h->program, &serial, &vsys, &hname))
        h = NULL; /* the program is not a Type@MODULE */
    if (h && type_module(h->program, &type, &module)) {
        content = m;
    } else if (m.len > 21 && m.p[4] == '-' && m.p[7] == '-' && m.p[10] == ' ' && m.p[19] == ',') {
        int64_t ns;
        size_t used;
        const struct vtz *tz = job->src && job->src->tz ? job->src->tz : NULL;
        if (decode_iso_time(slice_make(m.p, 19), tz, &ns, &used) || used != 19 ||
            !tm_colon(slice_trim(dec_skip(m, 20)), &type, &module, &content))
            return ERR_PARSE;
        ev->time_ns = ns;
        ev->flags &= ~(uint32_t)EVF_TIME_RECEIVED;
    } else {
        /* "[SERIAL(VSYS)[h:..][p:..] ][EVENT_ID ][HillstoneNetworks#]Type@MODULE: " */
        struct slice rest;
        struct slice w = dec_word(m, &rest);
        if (serial_vsys(w, &serial, &vsys, &hname)) {
            from_host = false;
            m = slice_trim(rest);
            w = dec_word(m, &rest);
        }
        if (event_id(w)) {
            eid = w;
            m = slice_trim(rest);
        }
        if (!tm_colon(m, &type, &module, &content))
            return ERR_PARSE;
    }
    event_add_named(ev, SLICE_LIT("log_category"), type);
    event_add(ev, FIELD_module, module);
    if (serial.len)
        event_add_named(ev, SLICE_LIT("serial"), serial);
    if (vsys.len)
        event_add_named(ev, SLICE_LIT("vsys"), vsys);
    if (eid.len)
        event_add_named(ev, SLICE_LIT("event_id"), eid);
    if (hname.len)
        decode_take_field(ev, FIELD_host, hname, NULL);
    else if (from_host)
        decode_take_field(ev, FIELD_host, serial, NULL);
    content_fields(type, content, ev);
    struct slice a;
    if (event_get(ev, FIELD_src_ip, &a) && event_get(ev, FIELD_dst_ip, &a))
        return DK_HILLSTONE_FW;
    return DK_HILLSTONE;
}

const struct decoder decode_hillstone = {.name = "hillstone", .decode = hs_decode};
