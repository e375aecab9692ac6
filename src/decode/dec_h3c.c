/*
 * dec_h3c.c — H3C Comware logs as sent to a log host, in the three formats of
 * `info-center format` (Comware "Information center" manual, Log host rows):
 *   H3C (default)  Sysname %%10MODULE/L/MNEMONIC[(l|t|d)]: [-Source; ]Content
 *   cmcc           Sysname %10MODULE/L/MNEMONIC: [-Source; ]Content
 *   unicom         Host 10MODULE/L/SERIAL_NUMBER: log_type=...;content=...
 * "10" is the format version, L the level 0-7; the source ("-DevIP=1.1.1.1",
 * "-MDC=1", ...) is optional. The syslog header (timestamps "Oct 9 14:59:04 2009",
 * ISO, or year-less) is parsed by syslog.c, which leaves a "%%" prefix in the message;
 * the cmcc and unicom prefixes end in ':' and are read by it as the TAG, so this
 * decoder then reads its prefix from the header's program (decode.c dispatches on its
 * shape). Content is free text or the fast-output fields "Name(id)=value;" of
 * FILTER, SESSION, NAT, ATK, ... ; a unicom body is "key=value;" pairs.
 * Fields: module, severity (the level as written, replacing the header's name),
 * brief (the mnemonic), info_type (l, t, d), serial_number (unicom), source; src_ip, dst_ip,
 * src_port, dst_port, proto, user, src_zone, dst_zone from the keys that mean them (SrcIPAddr,
 * SrcIPv6Addr, DstIPAddr, ..., SrcZoneName, DstZoneName, UserName) and other keys as
 * extras under their names (without the id); action allowed/blocked (with blocked
 * "false"/"true") from an Action key or a PERMIT/DENY mnemonic; for SHELL, SSHS, LOGIN
 * lines action login/logout with user, src_ip and outcome read from the text ("admin
 * logged in from 10.0.0.5."). Lines with both addresses are firewall events.
 */
#include "decode/decode_int.h"

static bool up_or_digit(char c)
{
    return (c >= 'A' && c <= 'Z') || dec_isdigit(c) || c == '_' || c == '-';
}

static bool word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || dec_isdigit(c) || c == '_' ||
           c == '-' || c == '.';
}

struct h3c_prefix {
    struct slice module, sev, brief, type, serial;
};

/*
 * Parses "10MODULE/L/WORD[(t)]" at s (the "%%"/"%" already skipped); with colon set
 * a ':' must follow and *rest is after it. unicom: WORD is a serial number (lower-case
 * allowed), cmcc/H3C: a mnemonic. Returns false when s is not such a prefix.
 */
static bool h3c_prefix(struct slice s, bool colon, bool unicom, struct h3c_prefix *p,
                       struct slice *rest)
{
    if (s.len < 7 || s.p[0] != '1' || s.p[1] != '0')
        return false;
    size_t i = 2, b = i;
    while (i < s.len && i - b < 64 && up_or_digit(s.p[i]))
        i++;
    if (i == b || i + 3 >= s.len || s.p[i] != '/' || !dec_isdigit(s.p[i + 1]) || s.p[i + 2] != '/')
        return false;
    p->module = slice_make(s.p + b, i - b);
    p->sev = slice_make(s.p + i + 1, 1);
    i += 3;
    b = i;
    while (i < s.len && i - b < 96 &&
           (up_or_digit(s.p[i]) || (unicom && s.p[i] >= 'a' && s.p[i] <= 'z')))
        i++;
    if (i == b)
        return false;
    struct slice w = slice_make(s.p + b, i - b);
    p->brief = unicom ? SLICE_NULL : w;
    p->serial = unicom ? w : SLICE_NULL;
    p->type = SLICE_NULL;
    if (i < s.len && s.p[i] == '(') {
        size_t t = ++i;
        while (i < s.len && i - t < 4 && s.p[i] >= 'a' && s.p[i] <= 'z')
            i++;
        if (i == t || i >= s.len || s.p[i] != ')')
            return false;
        p->type = slice_make(s.p + t, i - t);
        i++;
    }
    if (colon) {
        if (i >= s.len || s.p[i] != ':')
            return false;
        i++;
    } else if (i != s.len) {
        return false;
    }
    while (i < s.len && s.p[i] == ' ')
        i++;
    *rest = dec_skip(s, i);
    return true;
}

/* Device key → declared field (case-insensitive). */
static const struct h3c_key {
    const char *key;
    uint16_t field;
} h3c_keys[] = {
    {"SrcIPAddr", FIELD_src_ip},     {"SrcIPv6Addr", FIELD_src_ip}, {"DstIPAddr", FIELD_dst_ip},
    {"DstIPv6Addr", FIELD_dst_ip},   {"SrcPort", FIELD_src_port},   {"DstPort", FIELD_dst_port},
    {"Protocol", FIELD_proto},       {"UserName", FIELD_user},      {"SrcZoneName", FIELD_src_zone},
    {"DstZoneName", FIELD_dst_zone},
};

/* An Action value → allowed/blocked, or NULL. */
static const char *verdict(struct slice v)
{
    if (dec_icontains(v, "permit") || dec_icontains(v, "accept") || dec_icontains(v, "allow") ||
        dec_icontains(v, "pass"))
        return "allowed";
    if (dec_icontains(v, "deny") || dec_icontains(v, "drop") || dec_icontains(v, "reject") ||
        dec_icontains(v, "block"))
        return "blocked";
    return NULL;
}

static void add_kv(struct slice k, struct slice v, struct event *ev, const char **act)
{
    for (size_t i = 0; i < sizeof h3c_keys / sizeof h3c_keys[0]; i++)
        if (slice_eq_nocase(k, h3c_keys[i].key)) {
            if (v.len)
                event_add(ev, h3c_keys[i].field, v);
            return;
        }
    if (slice_eq_nocase(k, "Action") && !*act)
        *act = verdict(v);
    event_add_named(ev, k, v);
}

/* Length of "Name(digits)=" at s (named the part before '(' in *name), or of "key=" when
 * ids is false; 0 when s does not start so. */
static size_t key_at(struct slice s, bool ids, struct slice *name)
{
    size_t i = 0;
    while (i < s.len && i < 64 && word_char(s.p[i]))
        i++;
    if (!i || i >= s.len)
        return 0;
    *name = slice_make(s.p, i);
    if (!ids)
        return s.p[i] == '=' ? i + 1 : 0;
    if (s.p[i] != '(')
        return 0;
    size_t d = ++i;
    while (i < s.len && i - d < 8 && dec_isdigit(s.p[i]))
        i++;
    if (i == d || i + 1 >= s.len || s.p[i] != ')' || s.p[i + 1] != '=')
        return 0;
    return i + 2;
}

/* "Name(id)=v;Name(id)=v;" (ids) or "k=v;k=v" (unicom): a value runs to a ';' that
 * ends the text or is followed by another key. Returns the pairs added. */
static unsigned parse_fields(struct slice s, bool ids, struct event *ev, const char **act)
{
    unsigned n = 0;
    struct slice name;
    while (s.len) {
        size_t kl = key_at(s, ids, &name);
        if (!kl)
            break;
        size_t v0 = kl, vend = s.len, next = s.len;
        for (size_t i = v0; i < s.len; i++) {
            if (s.p[i] != ';')
                continue;
            size_t j = i + 1;
            while (j < s.len && s.p[j] == ' ')
                j++;
            struct slice nn, tail = dec_skip(s, j);
            if (j == s.len || key_at(tail, ids, &nn)) {
                vend = i;
                next = j;
                break;
            }
            /* a line cut inside the next key ("...;SrcIPA"): the value ends here */
            size_t t = 0;
            while (t < tail.len && (word_char(tail.p[t]) || tail.p[t] == '(' || tail.p[t] == ')'))
                t++;
            if (t == tail.len) {
                vend = i;
                next = s.len;
                break;
            }
        }
        add_kv(name, slice_trim(slice_make(s.p + v0, vend - v0)), ev, act);
        n++;
        s = dec_skip(s, next);
    }
    return n;
}

/* The address after "from " / "(IP: " in t, trailing punctuation dropped. */
static void text_addr(struct slice t, struct event *ev)
{
    long at = DEC_FIND(t, " from ");
    size_t skip = 6;
    if (at < 0) {
        at = DEC_FIND(t, "(IP: ");
        skip = 5;
    }
    if (at < 0)
        return;
    struct slice rest;
    struct slice a = dec_word(dec_skip(t, (size_t)at + skip), &rest);
    while (a.len && (a.p[a.len - 1] == '.' || a.p[a.len - 1] == ',' || a.p[a.len - 1] == ')' ||
                     a.p[a.len - 1] == ';'))
        a.len--;
    if (a.len && decode_looks_addr(a))
        event_add(ev, FIELD_src_ip, a);
    if (DEC_STARTS(rest, "port ")) {
        struct slice r2;
        struct slice port = dec_word(dec_skip(rest, 5), &r2);
        if (port.len && dec_isdigit(port.p[0]))
            event_add(ev, FIELD_src_port, port);
    }
}

/* The account a login text names: "for user X", "SSH user X", "User X", or the first
 * word of "X logged in/out" / "X failed to log in" (not a line name such as VTY). */
static void text_user(struct slice t, struct event *ev)
{
    static const char *const leads[] = {"for user ", "SSH user ", "User ", "user ", "failed for "};
    struct slice rest, u = SLICE_NULL;
    for (size_t i = 0; i < sizeof leads / sizeof leads[0] && !u.len; i++) {
        long at = dec_find(t, leads[i], strlen(leads[i]));
        if (at >= 0)
            u = dec_word(dec_skip(t, (size_t)at + strlen(leads[i])), &rest);
    }
    if (!u.len && (DEC_FIND(t, " logged ") > 0 || DEC_FIND(t, " failed to log") > 0)) {
        u = dec_word(t, &rest);
        static const char *const lines[] = {"VTY", "Console", "AUX", "TTY", "Telnet"};
        for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
            if (slice_eq_nocase(u, lines[i]))
                u = SLICE_NULL;
    }
    if (u.len)
        event_add(ev, FIELD_user, u);
}

static int h3c_decode(const struct decode_job *job, struct event *ev)
{
    struct h3c_prefix p;
    struct slice body, m = job->msg, prog = job->hdr ? job->hdr->program : SLICE_NULL;
    bool unicom = false;
    if (DEC_STARTS(m, "%%")) {
        if (!h3c_prefix(dec_skip(m, 2), true, false, &p, &body))
            return ERR_PARSE;
    } else if (DEC_STARTS(prog, "%") && h3c_prefix(dec_skip(prog, 1), false, false, &p, &body)) {
        body = m; /* cmcc: the header took "%10MOD/L/MNEMONIC:" for its TAG */
    } else if (prog.len && h3c_prefix(prog, false, true, &p, &body)) {
        body = m; /* unicom: "10MOD/L/SERIAL:" */
        unicom = true;
    } else if (DEC_STARTS(m, "%") && h3c_prefix(dec_skip(m, 1), true, false, &p, &body)) {
        /* cmcc with no header (a forced format, a file) */
    } else if (h3c_prefix(m, true, true, &p, &body)) {
        unicom = true;
    } else {
        return ERR_PARSE;
    }
    event_add(ev, FIELD_module, p.module);
    if (p.brief.len)
        event_add_named(ev, SLICE_LIT("brief"), p.brief);
    if (p.type.len)
        event_add_named(ev, SLICE_LIT("info_type"), p.type);
    if (p.serial.len)
        event_add_named(ev, SLICE_LIT("serial_number"), p.serial);

    body = slice_trim(body);
    /* "-DevIP=1.1.1.1; Content" / "-MDC=1-Slot=2; Content" */
    if (body.len > 1 && body.p[0] == '-') {
        long semi = slice_find_byte(slice_make(body.p, body.len < 256 ? body.len : 256), ';');
        if (semi > 1) {
            struct slice src = slice_make(body.p + 1, (size_t)semi - 1);
            event_add_named(ev, SLICE_LIT("source"), src);
            long dip = DEC_FIND(src, "DevIP=");
            if (dip >= 0) {
                struct slice d = dec_skip(src, (size_t)dip + 6);
                long dash = slice_find_byte(d, '-');
                if (dash >= 0)
                    d.len = (size_t)dash;
                event_add_named(ev, SLICE_LIT("dev_ip"), d);
            }
            body = slice_trim(dec_skip(body, (size_t)semi + 1));
        }
    }
    const char *act = NULL;
    struct slice name, text = SLICE_NULL;
    if (key_at(body, true, &name))
        parse_fields(body, true, ev, &act);
    else if (unicom && key_at(body, false, &name))
        parse_fields(body, false, ev, &act);
    else
        text = body;

    struct slice br = p.brief;
    if (!act && (dec_icontains(br, "PERMIT") || dec_icontains(br, "ACCEPT")))
        act = "allowed";
    else if (!act && (dec_icontains(br, "DENY") || dec_icontains(br, "DROP")))
        act = "blocked";
    if (act) {
        decode_add_verdict(ev, act[0] == 'b');
    } else if (text.len &&
               (slice_eq_nocase(p.module, "SHELL") || slice_eq_nocase(p.module, "SSHS") ||
                slice_eq_nocase(p.module, "LOGIN") || slice_eq_nocase(p.module, "TELNETD") ||
                slice_eq_nocase(p.module, "WEB"))) {
        bool out = dec_icontains(br, "LOGOUT") || DEC_FIND(text, " logged out") >= 0;
        bool in = dec_icontains(br, "LOGIN") || dec_icontains(br, "AUTH") ||
                  DEC_FIND(text, " logged in") >= 0 || dec_icontains(text, "log in") ||
                  dec_icontains(text, "authentication");
        if (out || in) {
            event_add(ev, FIELD_action, out ? SLICE_LIT("logout") : SLICE_LIT("login"));
            text_user(text, ev);
            text_addr(text, ev);
            if (in && !out) {
                bool fail = dec_icontains(br, "FAIL") || dec_icontains(text, "fail") ||
                            dec_icontains(text, "didn't pass") ||
                            DEC_FIND(text, "\xE5\xA4\xB1\xE8\xB4\xA5") >= 0; /* 失败 */
                event_add(ev, FIELD_outcome, fail ? SLICE_LIT("failure") : SLICE_LIT("success"));
            }
        }
    }
    decode_take_field(ev, FIELD_severity, p.sev, NULL);

    struct slice a;
    if (event_get(ev, FIELD_src_ip, &a) && event_get(ev, FIELD_dst_ip, &a))
        return DK_H3C_FW;
    return DK_H3C;
}

const struct decoder decode_h3c = {.name = "h3c", .decode = h3c_decode};
