/*
 * dec_asa.c — the bodies of Cisco ASA / Firepower Threat Defense messages, by message id
 * (Cisco's "ASA Series Syslog Messages"); dec_cisco.c has read the "%ASA-6-302013" tag.
 *   302013/302015  Built {inbound|outbound} {TCP|UDP} connection ID for IFC:IP/P (IP/P)
 *                  to IFC:IP/P (IP/P)     (outbound: the first party is the destination)
 *   302014/302016  Teardown {TCP|UDP} connection ID for IFC:IP/P to IFC:IP/P duration
 *                  H:MM:SS bytes N [reason]
 *   302020/302021  Built|Teardown {inbound|outbound} ICMP connection for faddr IP/ID
 *                  gaddr IP/ID laddr IP/ID
 *   106001  Inbound TCP connection denied from IP/P to IP/P flags F on interface IFC
 *   106006  Deny inbound UDP from IP/P to IP/P on interface IFC
 *   106015  Deny TCP (no connection) from IP/P to IP/P flags F on interface IFC
 *   106023  Deny PROTO src IFC:IP[/P] dst IFC:IP[/P] [(type T, code C)] by access-group
 *           "ACL" [0x.., 0x..]
 *   106100  access-list ACL {permitted|denied|est-allowed} PROTO IFC/IP(P) -> IFC/IP(P)
 *           hit-cnt N ...
 *   710003  {TCP|UDP} access denied by ACL from IP/P to IFC:IP/P
 *   113004/113005/113012/113015  AAA user authentication {Successful|Rejected} : reason = R
 *           : server = S : user = U : user IP = IP
 *   605004/605005  Login {denied|permitted} from IP/P to IFC:IP/SERVICE for user "U"
 *   111008/111009/111010  User 'U' executed the 'CMD' command. / executed cmd: CMD /
 *           User 'U', running 'CLI' from IP [address ]IP, executed 'CMD'
 * Fields: src_ip, src_port, src_zone (interface), dst_*, proto, action ("allowed",
 * "blocked"; with blocked "true"/"false"), user, outcome, command, reason; extras
 * conn_id, duration, bytes, acl, tcp_flags, icmp_type, icmp_code, server, direction.
 * A body that does not read as its id's format keeps what was read (the tag's fields
 * stay: still a Cisco event); unknown ids keep the tag's fields.
 */
#include "decode/decode_int.h"

#define WORD_AFTER(m, lit) decode_cisco_word_after((m), (lit), sizeof(lit) - 1)

/* A party: interface (zone), address, port. */
struct asa_ep {
    struct slice zone, ip, port;
};

static bool is_ip(struct slice s)
{
    return decode_looks_addr(s) && (slice_find_byte(s, '.') >= 0 || slice_find_byte(s, ':') >= 0);
}

/* "[IFC:]IP[/PORT]" (with_zone: the interface is there; an IPv6 address has ':' too, so
 * the interface ends at the first ':'); sep is the byte before the port ('/'). */
static bool parse_ep(struct slice w, bool with_zone, struct asa_ep *e)
{
    e->zone = slice_make(w.p, 0);
    e->port = slice_make(w.p, 0);
    if (with_zone) {
        long c = slice_find_byte(w, ':');
        if (c <= 0)
            return false;
        e->zone = slice_make(w.p, (size_t)c);
        w = dec_skip(w, (size_t)c + 1);
    }
    size_t i = w.len;
    while (i > 0 && w.p[i - 1] != '/')
        i--;
    if (i > 0) {
        e->port = dec_skip(w, i);
        w.len = i - 1;
    }
    e->ip = w;
    return is_ip(w);
}

/* "IFC/IP(PORT)" of 106100. */
static bool parse_ep_acl(struct slice w, struct asa_ep *e)
{
    long s = slice_find_byte(w, '/');
    if (s <= 0)
        return false;
    e->zone = slice_make(w.p, (size_t)s);
    w = dec_skip(w, (size_t)s + 1);
    e->port = slice_make(w.p, 0);
    long paren = slice_find_byte(w, '(');
    if (paren >= 0 && w.p[w.len - 1] == ')') {
        e->port = slice_make(w.p + paren + 1, w.len - (size_t)paren - 2);
        w.len = (size_t)paren;
    }
    e->ip = w;
    return is_ip(w);
}

static void add_ep(struct event *ev, const struct asa_ep *e, bool src)
{
    event_add(ev, src ? FIELD_src_ip : FIELD_dst_ip, e->ip);
    if (e->port.len)
        event_add(ev, src ? FIELD_src_port : FIELD_dst_port, e->port);
    if (e->zone.len)
        event_add(ev, src ? FIELD_src_zone : FIELD_dst_zone, e->zone);
}

static void add_verdict(struct event *ev, bool blocked)
{
    event_add(ev, FIELD_action, blocked ? SLICE_LIT("blocked") : SLICE_LIT("allowed"));
    event_add(ev, FIELD_blocked, blocked ? SLICE_LIT("true") : SLICE_LIT("false"));
}

/* The two parties named after lit_a and lit_b; src first unless swap. */
static void two_eps(struct event *ev, struct slice a, bool za, struct slice b, bool zb, bool swap)
{
    struct asa_ep ea, eb;
    bool oka = a.len && parse_ep(a, za, &ea), okb = b.len && parse_ep(b, zb, &eb);
    if (oka)
        add_ep(ev, &ea, !swap);
    if (okb)
        add_ep(ev, &eb, swap);
}

/* 302013..302016: connection built / torn down. */
static void conn(struct event *ev, struct slice m)
{
    struct slice rest, w;
    bool built = DEC_STARTS(m, "Built ");
    if (!built && !DEC_STARTS(m, "Teardown "))
        return;
    w = dec_word(m, &rest);
    w = dec_word(rest, &rest);
    bool outbound = false;
    if (slice_eq(w, "inbound") || slice_eq(w, "outbound")) {
        outbound = w.p[0] == 'o';
        event_add_named(ev, SLICE_LIT("direction"), w);
        w = dec_word(rest, &rest);
    }
    event_add(ev, FIELD_proto, w);
    struct slice id = WORD_AFTER(rest, "connection ");
    if (id.len)
        event_add_named(ev, SLICE_LIT("conn_id"), id);
    two_eps(ev, WORD_AFTER(rest, " for "), true, WORD_AFTER(rest, " to "), true, outbound);
    if (built) {
        add_verdict(ev, false);
        return;
    }
    struct slice v = WORD_AFTER(rest, " duration ");
    if (v.len)
        event_add_named(ev, SLICE_LIT("duration"), v);
    long at = DEC_FIND(rest, " bytes ");
    if (at < 0)
        return;
    struct slice after = dec_skip(rest, (size_t)at + 7);
    v = dec_word(after, &after);
    event_add_named(ev, SLICE_LIT("bytes"), v);
    /* the teardown reason, then the authenticated user "(user)" */
    long paren = DEC_FIND(after, " (");
    if (paren < 0 && after.len && after.p[0] == '(')
        paren = 0;
    if (paren >= 0) {
        struct slice u = slice_trim(dec_skip(after, (size_t)paren));
        if (u.len > 2 && u.p[u.len - 1] == ')')
            event_add(ev, FIELD_user, slice_make(u.p + 1, u.len - 2));
        after.len = (size_t)paren;
    }
    after = slice_trim(after);
    if (after.len)
        event_add(ev, FIELD_reason, after);
}

/* 302020/302021: ICMP built / torn down: faddr (foreign), laddr (local). */
static void conn_icmp(struct event *ev, struct slice m)
{
    bool outbound = DEC_FIND(m, " outbound ") >= 0;
    if (DEC_STARTS(m, "Built "))
        add_verdict(ev, false);
    event_add(ev, FIELD_proto, SLICE_LIT("ICMP"));
    struct asa_ep f, l;
    struct slice fa = WORD_AFTER(m, "faddr "), la = WORD_AFTER(m, "laddr ");
    if (fa.len && parse_ep(fa, false, &f)) {
        f.port.len = 0; /* an ICMP id, not a port */
        add_ep(ev, &f, !outbound);
    }
    if (la.len && parse_ep(la, false, &l)) {
        l.port.len = 0;
        add_ep(ev, &l, outbound);
    }
}

/* "... on interface IFC": the interface the packet came in on. */
static void on_interface(struct event *ev, struct slice m)
{
    struct slice v = WORD_AFTER(m, " on interface ");
    if (v.len)
        event_add(ev, FIELD_src_zone, v);
}

/* 106001, 106006, 106015, 710003: "... from IP/P to [IFC:]IP/P ..." */
static void denied_from(struct event *ev, struct slice m, struct slice proto, bool to_zone)
{
    if (proto.len)
        event_add(ev, FIELD_proto, proto);
    two_eps(ev, WORD_AFTER(m, " from "), false, WORD_AFTER(m, " to "), to_zone, false);
    long f = DEC_FIND(m, " flags ");
    if (f >= 0) {
        struct slice fl = dec_skip(m, (size_t)f + 7);
        long end = DEC_FIND(fl, " on interface");
        if (end >= 0)
            fl.len = (size_t)end;
        fl = slice_trim(fl);
        if (fl.len)
            event_add(ev, FIELD_tcp_flags, fl);
    }
    on_interface(ev, m);
    add_verdict(ev, true);
}

/* 106023: "Deny PROTO src IFC:IP/P dst IFC:IP/P ... by access-group "ACL" ..." */
static void deny_acl(struct event *ev, struct slice m)
{
    struct slice rest, proto;
    if (!DEC_STARTS(m, "Deny "))
        return;
    proto = dec_word(dec_skip(m, 5), &rest);
    event_add(ev, FIELD_proto, proto);
    two_eps(ev, WORD_AFTER(rest, "src "), true, WORD_AFTER(rest, " dst "), true, false);
    struct slice t = WORD_AFTER(rest, "(type "), c = WORD_AFTER(rest, ", code ");
    if (t.len && c.len) { /* ICMP: "(type 8, code 0)" */
        event_add_named(ev, SLICE_LIT("icmp_type"), t);
        event_add_named(ev, SLICE_LIT("icmp_code"), c);
    }
    long at = DEC_FIND(rest, "access-group \"");
    if (at >= 0) {
        struct slice a = dec_skip(rest, (size_t)at + 14);
        long q = slice_find_byte(a, '"');
        if (q >= 0)
            event_add_named(ev, SLICE_LIT("acl"), slice_make(a.p, (size_t)q));
    }
    add_verdict(ev, true);
}

/* 106100: "access-list ACL VERDICT PROTO IFC/IP(P) -> IFC/IP(P) hit-cnt N ..." */
static void acl_hit(struct event *ev, struct slice m)
{
    struct slice rest;
    if (!DEC_STARTS(m, "access-list "))
        return;
    struct slice acl = dec_word(dec_skip(m, 12), &rest);
    struct slice verdict = dec_word(rest, &rest);
    struct slice proto = dec_word(rest, &rest);
    event_add_named(ev, SLICE_LIT("acl"), acl);
    if (slice_eq(verdict, "denied"))
        add_verdict(ev, true);
    else if (slice_eq(verdict, "permitted") || slice_eq(verdict, "est-allowed"))
        add_verdict(ev, false);
    if (proto.len)
        event_add(ev, FIELD_proto, proto);
    struct asa_ep e;
    struct slice w = dec_word(rest, &rest);
    if (parse_ep_acl(w, &e))
        add_ep(ev, &e, true);
    if (DEC_STARTS(rest, "-> ") || (rest.len && rest.p[0] == '(')) {
        long arrow = DEC_FIND(rest, "-> ");
        if (arrow >= 0) {
            w = dec_word(dec_skip(rest, (size_t)arrow + 3), &rest);
            if (parse_ep_acl(w, &e))
                add_ep(ev, &e, false);
        }
    }
    struct slice hits = WORD_AFTER(rest, "hit-cnt ");
    if (hits.len)
        event_add_named(ev, SLICE_LIT("hit_count"), hits);
}

/* A value of "key = value : key = value" (AAA messages), up to " : " or the end. */
static struct slice aaa_value(struct slice m, const char *key, size_t n)
{
    long at = dec_find(m, key, n);
    if (at < 0)
        return slice_make(m.p, 0);
    struct slice v = dec_skip(m, (size_t)at + n);
    long end = DEC_FIND(v, " :");
    if (end >= 0)
        v.len = (size_t)end;
    long colon = slice_find_byte(v, ':');
    /* "user = admin: user IP = 10.0.0.5" (113015 writes no space before the colon);
     * an IPv6 value keeps its colons */
    if (colon >= 0 && !is_ip(slice_trim(v)))
        v.len = (size_t)colon;
    return slice_trim(v);
}
#define AAA_VALUE(m, k) aaa_value((m), (k), sizeof(k) - 1)

/* 113004/113005/113012/113015 and other "AAA user ..." messages. */
static void aaa(struct event *ev, struct slice m)
{
    if (!DEC_STARTS(m, "AAA "))
        return;
    if (DEC_FIND(m, " Successful") >= 0)
        event_add(ev, FIELD_outcome, SLICE_LIT("success"));
    else if (DEC_FIND(m, " Rejected") >= 0 || DEC_FIND(m, " failed") >= 0)
        event_add(ev, FIELD_outcome, SLICE_LIT("failure"));
    struct slice v;
    /* "user IP" first: " user = " must not take it */
    if ((v = AAA_VALUE(m, "user IP = ")).len && is_ip(v))
        event_add(ev, FIELD_src_ip, v);
    if ((v = AAA_VALUE(m, " user = ")).len)
        event_add(ev, FIELD_user, v);
    if ((v = AAA_VALUE(m, "reason = ")).len)
        event_add(ev, FIELD_reason, v);
    if ((v = AAA_VALUE(m, "server = ")).len)
        event_add_named(ev, SLICE_LIT("server"), v);
    if (DEC_FIND(m, "local database") >= 0)
        event_add_named(ev, SLICE_LIT("server"), SLICE_LIT("LOCAL"));
}

/* 605004/605005: "Login {denied|permitted} from IP/P to IFC:IP/SVC for user "U"" */
static void login(struct event *ev, struct slice m)
{
    if (!DEC_STARTS(m, "Login "))
        return;
    bool ok = DEC_STARTS(m, "Login permitted");
    event_add(ev, FIELD_outcome, ok ? SLICE_LIT("success") : SLICE_LIT("failure"));
    two_eps(ev, WORD_AFTER(m, " from "), false, WORD_AFTER(m, " to "), true, false);
    long at = DEC_FIND(m, " for user \"");
    if (at >= 0) {
        struct slice u = dec_skip(m, (size_t)at + 11);
        long q = slice_find_byte(u, '"');
        if (q > 0)
            event_add(ev, FIELD_user, slice_make(u.p, (size_t)q));
    }
}

/* The text between the quote after lit and the next quote, or an empty slice. */
static struct slice quoted_after(struct slice m, const char *lit, size_t n)
{
    long at = dec_find(m, lit, n);
    if (at < 0)
        return slice_make(m.p, 0);
    struct slice v = dec_skip(m, (size_t)at + n);
    long q = slice_find_byte(v, '\'');
    return q < 0 ? slice_make(m.p, 0) : slice_make(v.p, (size_t)q);
}

/* 111008/111009/111010: the commands a user ran. */
static void command(struct event *ev, struct slice m)
{
    if (!DEC_STARTS(m, "User '"))
        return;
    struct slice u = dec_skip(m, 6);
    long q = slice_find_byte(u, '\'');
    if (q <= 0)
        return;
    event_add(ev, FIELD_user, slice_make(u.p, (size_t)q));
    struct slice rest = dec_skip(u, (size_t)q + 1), v;
    if ((v = quoted_after(rest, "executed the '", 14)).len) {
        event_add(ev, FIELD_command, v);
    } else if ((v = quoted_after(rest, "executed '", 10)).len) {
        event_add(ev, FIELD_command, v);
    } else {
        long at = DEC_FIND(rest, "executed cmd: ");
        if (at >= 0)
            event_add(ev, FIELD_command, dec_skip(rest, (size_t)at + 14));
    }
    /* "from IP 10.0.0.5," as the message guide writes 111010 ("from IP ip addr"); some
     * releases spell out "from IP address 10.0.0.5," */
    if (((v = WORD_AFTER(rest, "from IP address ")).len && is_ip(v)) ||
        ((v = WORD_AFTER(rest, "from IP ")).len && is_ip(v)))
        event_add(ev, FIELD_src_ip, v);
}

/* Reads the body m of ASA message id (digits) into ev; returns the event's kind. */
int decode_asa_body(struct slice id, struct slice m, struct event *ev)
{
    uint64_t n = 0;
    if (slice_to_u64(id, &n) != 0)
        return DK_CISCO;
    struct slice rest;
    switch (n) {
    case 302013:
    case 302014:
    case 302015:
    case 302016:
        conn(ev, m);
        return DK_CISCO_FW;
    case 302020:
    case 302021:
        conn_icmp(ev, m);
        return DK_CISCO_FW;
    case 106001: /* "Inbound TCP connection denied ..." */
        denied_from(ev, m, dec_word(dec_skip(m, DEC_STARTS(m, "Inbound ") ? 8 : 0), &rest), false);
        return DK_CISCO_FW;
    case 106006: /* "Deny inbound UDP from ..." */
    case 106007:
        denied_from(ev, m, WORD_AFTER(m, "Deny inbound "), false);
        return DK_CISCO_FW;
    case 106015: /* "Deny TCP (no connection) from ..." */
        denied_from(ev, m, WORD_AFTER(m, "Deny "), false);
        return DK_CISCO_FW;
    case 710003: /* "TCP access denied by ACL from IP/P to IFC:IP/P" */
        denied_from(ev, m, dec_word(m, &rest), true);
        return DK_CISCO_FW;
    case 106023:
        deny_acl(ev, m);
        return DK_CISCO_FW;
    case 106100:
        acl_hit(ev, m);
        return DK_CISCO_FW;
    case 113004:
    case 113005:
    case 113012:
    case 113015:
        aaa(ev, m);
        return DK_CISCO_AAA;
    case 605004:
    case 605005:
        login(ev, m);
        return DK_CISCO_AAA;
    case 111008:
    case 111009:
    case 111010:
        command(ev, m);
        return DK_CISCO_AAA;
    default:
        return DK_CISCO;
    }
}
