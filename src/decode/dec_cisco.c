/*
 * dec_cisco.c — Cisco messages "%FACILITY-SEVERITY-MNEMONIC: text": IOS / IOS-XE
 * ("%SEC-6-IPACCESSLOGP: list 101 denied tcp ...") and ASA / FTD ("%ASA-6-302013: Built
 * ..."; the ASA's mnemonic is a 6-digit message id). The tag is where the syslog header
 * parser left it: the header's program ("<166>Nov 25 2024 10:00:00: %ASA-6-302013: ..."
 * and "123: *Mar  1 18:46:11.123: %SYS-5-CONFIG_I: ..." give program "%ASA-6-302013"),
 * or the front of the message (headerless lines, and "host : %ASA-..." with the ASA's
 * empty program). decode.c sends a program led by '%' and a message led by "%" here.
 *
 * Every tagged line is an event of this decoder: facility ("SEC", "ASA") and severity (the
 * digit as written), the syslog header's PRI names moving to syslog_facility and
 * syslog_severity,
 * mnemonic, msg_id (the ASA's number, IOS's "SEC-6-IPACCESSLOGP") and, for the messages
 * known here, the parties (src_ip, src_port, src_zone, dst_*, proto, user, action,
 * outcome, ...); the ASA's bodies are read in dec_asa.c. A line without a valid tag is
 * not ours (ERR_PARSE). Known IOS messages: SEC/IPV6_ACL access-list logs, SEC_LOGIN
 * login success/failure, SYS-5-CONFIG_I, PARSER CFGLOG_LOGGEDCMD, LINK/LINEPROTO UPDOWN.
 */
#include "decode/decode_int.h"

static bool is_tag_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || dec_isdigit(c) || c == '_' ||
           c == '-';
}

/* A parsed tag: facility (may hold '-', as "SYS-SP"), severity digit, mnemonic. */
struct cisco_tag {
    struct slice facility, severity, mnemonic, msg_id;
};

/* Parses "%FAC-D-MNEMONIC" (all of t). */
static bool parse_tag(struct slice t, struct cisco_tag *tag)
{
    if (t.len < 6 || t.len > 80 || t.p[0] != '%')
        return false;
    for (size_t i = 1; i < t.len; i++)
        if (!is_tag_char(t.p[i]))
            return false;
    /* the first "-D-" with D a severity digit, after at least one facility byte */
    for (size_t i = 2; i + 2 < t.len; i++) {
        if (t.p[i - 1] == '-' && t.p[i] >= '0' && t.p[i] <= '7' && t.p[i + 1] == '-') {
            if (i - 2 == 0 || i + 2 >= t.len)
                return false;
            tag->facility = slice_make(t.p + 1, i - 2);
            tag->severity = slice_make(t.p + i, 1);
            tag->mnemonic = dec_skip(t, i + 2);
            tag->msg_id = dec_skip(t, 1);
            return true;
        }
    }
    return false;
}

/* The text of a "[key: value]" group of SEC_LOGIN messages, or an empty slice. */
static struct slice bracket_value(struct slice m, const char *key, size_t n)
{
    long at = dec_find(m, key, n);
    if (at < 0)
        return slice_make(m.p, 0);
    struct slice v = dec_skip(m, (size_t)at + n);
    long end = slice_find_byte(v, ']');
    if (end < 0)
        return slice_make(m.p, 0);
    return slice_trim(slice_make(v.p, (size_t)end));
}
#define BRACKET(m, k) bracket_value((m), (k), sizeof(k) - 1)

/* The word after literal lit in m (up to a space, ',' or ')'), or an empty slice. */
struct slice decode_cisco_word_after(struct slice m, const char *lit, size_t n)
{
    long at = dec_find(m, lit, n);
    if (at < 0)
        return slice_make(m.p, 0);
    struct slice v = dec_skip(m, (size_t)at + n), rest;
    v = dec_word(v, &rest);
    while (v.len && (v.p[v.len - 1] == ',' || v.p[v.len - 1] == ')' || v.p[v.len - 1] == '.'))
        v.len--;
    return v;
}
#define WORD_AFTER(m, lit) decode_cisco_word_after((m), (lit), sizeof(lit) - 1)

/* "ADDR(PORT)" or "ADDR" of an IOS access-list log; false when ADDR is not an address. */
static bool ios_ep(struct slice w, struct slice *ip, struct slice *port)
{
    long paren = slice_find_byte(w, '(');
    *port = slice_make(w.p, 0);
    if (paren >= 0) {
        if (w.p[w.len - 1] != ')')
            return false;
        *port = slice_make(w.p + paren + 1, w.len - (size_t)paren - 2);
        w.len = (size_t)paren;
    }
    *ip = w;
    return decode_looks_addr(w) && (slice_find_byte(w, '.') >= 0 || slice_find_byte(w, ':') >= 0);
}

/* "list ACL permitted|denied PROTO SRC(P) [(IFC MAC)] -> DST(P), N packets" and the
 * NP/DP/S forms (no ports; a number for the protocol; no proto and no destination). */
static int ios_acl(struct slice m, struct event *ev)
{
    struct slice rest, w;
    if (!DEC_STARTS(m, "list "))
        return DK_CISCO;
    struct slice acl = dec_word(dec_skip(m, 5), &rest);
    struct slice verdict = dec_word(rest, &rest);
    event_add_named(ev, SLICE_LIT("acl"), acl);
    bool deny = slice_eq(verdict, "denied");
    if (deny || slice_eq(verdict, "permitted")) {
        event_add(ev, FIELD_action, deny ? SLICE_LIT("blocked") : SLICE_LIT("allowed"));
        event_add(ev, FIELD_blocked, deny ? SLICE_LIT("true") : SLICE_LIT("false"));
    }
    w = dec_word(rest, &rest);
    struct slice ip, port;
    if (!ios_ep(w, &ip, &port)) { /* a protocol first */
        event_add(ev, FIELD_proto, w);
        w = dec_word(rest, &rest);
        if (!ios_ep(w, &ip, &port))
            return DK_CISCO_FW;
    }
    event_add(ev, FIELD_src_ip, ip);
    if (port.len)
        event_add(ev, FIELD_src_port, port);
    /* an optional "(IFC MAC)" before "->" */
    long arrow = DEC_FIND(rest, "-> ");
    if (arrow < 0)
        return DK_CISCO_FW;
    if (arrow > 0 && rest.p[0] == '(') {
        struct slice in = slice_make(rest.p + 1, (size_t)arrow - 1), r2;
        in = slice_trim(in);
        if (in.len && in.p[in.len - 1] == ')')
            in.len--;
        event_add(ev, FIELD_in_iface, dec_word(in, &r2));
    }
    w = dec_word(dec_skip(rest, (size_t)arrow + 3), &rest);
    if (w.len && w.p[w.len - 1] == ',')
        w.len--;
    if (ios_ep(w, &ip, &port)) {
        event_add(ev, FIELD_dst_ip, ip);
        if (port.len)
            event_add(ev, FIELD_dst_port, port);
    }
    return DK_CISCO_FW;
}

/* The IOS bodies known here; others keep the tag's fields only. */
static int ios_body(const struct cisco_tag *t, struct slice m, struct event *ev)
{
    struct slice v;
    if ((slice_eq(t->facility, "SEC") && DEC_STARTS(t->mnemonic, "IPACCESSLOG")) ||
        (slice_eq(t->facility, "IPV6_ACL") && DEC_STARTS(t->mnemonic, "ACCESSLOG")))
        return ios_acl(m, ev);
    if (slice_eq(t->facility, "SEC_LOGIN")) {
        if ((v = BRACKET(m, "[user:")).len)
            event_add(ev, FIELD_user, v);
        if ((v = BRACKET(m, "[Source:")).len)
            event_add(ev, FIELD_src_ip, v);
        if ((v = BRACKET(m, "[localport:")).len)
            event_add(ev, FIELD_dst_port, v);
        if ((v = BRACKET(m, "[Reason:")).len)
            event_add(ev, FIELD_reason, v);
        if (DEC_STARTS(t->mnemonic, "LOGIN_SUCCESS"))
            event_add(ev, FIELD_outcome, SLICE_LIT("success"));
        else if (DEC_STARTS(t->mnemonic, "LOGIN_FAILED"))
            event_add(ev, FIELD_outcome, SLICE_LIT("failure"));
        return DK_CISCO_AAA;
    }
    if (slice_eq(t->facility, "SYS") && slice_eq(t->mnemonic, "CONFIG_I")) {
        /* "Configured from console by admin on vty0 (10.0.0.5)"; without a login the
         * line alone: "Configured from console by vty0 (10.0.0.5)", "... by console" */
        struct slice by = WORD_AFTER(m, " by "), on = WORD_AFTER(m, " on ");
        bool line = !on.len && (DEC_STARTS(by, "vty") || DEC_STARTS(by, "tty") ||
                                slice_eq(by, "console") || DEC_STARTS(by, "aux"));
        if (by.len && !line)
            event_add(ev, FIELD_user, by);
        if (on.len || line)
            event_add(ev, FIELD_tty, line ? by : on);
        if ((v = WORD_AFTER(m, " (")).len && decode_looks_addr(v))
            event_add(ev, FIELD_src_ip, v);
        return DK_CISCO_AAA;
    }
    if (slice_eq(t->facility, "PARSER") && DEC_STARTS(t->mnemonic, "CFGLOG_LOGGEDCMD")) {
        /* "User:admin  logged command:username test privilege 15 secret *" */
        if ((v = WORD_AFTER(m, "User:")).len)
            event_add(ev, FIELD_user, v);
        long at = DEC_FIND(m, "logged command:");
        if (at >= 0)
            event_add(ev, FIELD_command, dec_skip(m, (size_t)at + 15));
        return DK_CISCO_AAA;
    }
    if ((slice_eq(t->facility, "LINK") || slice_eq(t->facility, "LINEPROTO")) &&
        slice_eq(t->mnemonic, "UPDOWN")) {
        /* "[Line protocol on ]Interface Gi0/1, changed state to down" */
        if ((v = WORD_AFTER(m, "Interface ")).len)
            event_add_named(ev, SLICE_LIT("interface"), v);
        if ((v = WORD_AFTER(m, "changed state to ")).len)
            event_add_named(ev, SLICE_LIT("state"), v);
    }
    return DK_CISCO;
}

static int cisco_decode(const struct decode_job *job, struct event *ev)
{
    struct slice m = job->msg, tagtext;
    bool from_msg = false;
    if (job->hdr->program.len && job->hdr->program.p[0] == '%') {
        tagtext = job->hdr->program;
    } else {
        /* "%TAG: text", also after the ASA's empty program (": %ASA-...") */
        if (DEC_STARTS(m, ": "))
            m = dec_skip(m, 2);
        long colon = slice_find_byte(m, ':');
        if (colon < 0 || !m.len || m.p[0] != '%')
            return ERR_PARSE;
        tagtext = slice_make(m.p, (size_t)colon);
        m = dec_skip(m, (size_t)colon + 1);
        if (m.len && m.p[0] == ' ')
            m = dec_skip(m, 1);
        from_msg = true;
    }
    struct cisco_tag t;
    if (!parse_tag(tagtext, &t))
        return ERR_PARSE;
    bool asa =
        (slice_eq(t.facility, "ASA") || slice_eq(t.facility, "FTD")) && dec_all_digits(t.mnemonic);
    if (asa)
        t.msg_id = t.mnemonic;
    decode_take_field(ev, FIELD_facility, t.facility, "syslog_facility");
    decode_take_field(ev, FIELD_severity, t.severity, "syslog_severity");
    if (!job->hdr->present || from_msg)
        decode_take_field(ev, FIELD_message, m, NULL);
    if (!asa)
        event_add_named(ev, SLICE_LIT("mnemonic"), t.mnemonic);
    event_add(ev, FIELD_msg_id, t.msg_id);
    return asa ? decode_asa_body(t.mnemonic, m, ev) : ios_body(&t, m, ev);
}

const struct decoder decode_cisco = {.name = "cisco", .decode = cisco_decode};
