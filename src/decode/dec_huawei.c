/*
 * dec_huawei.c — Huawei VRP (switches, routers) and USG/Eudemon firewall logs, as the
 * information center writes them (Huawei's "Information Output Format"):
 *   %%ddMODULE/S/BRIEF(l)[n]:BODY
 * dd the format version ("01"), S the level 0-7, BRIEF the mnemonic, (l|s|d|t) the
 * information type (log, security log, debug, trap), [n] an optional counter. A
 * syslog header ("Nov 25 2024 10:00:00[+08:00] HOST ": UTC, the offset being the
 * device's zone as Huawei's log format guide reads "Jan 8 2013 03:58:15+07:00" — local
 * 10:58:15 —, or "2024-11-25 10:00:00 HOST ") is parsed before, by syslog.c. BODY is one of
 *   k=v,k=v,...                        (USG session logs: SECLOG/6/SESSION_TEARDOWN)
 *   k=v, k=v, ...                      (USG policy logs: POLICY/6/POLICYPERMIT)
 *   Text. (k=v, k=v, ...)              (most VRP logs: SSH/4/SSH_FAIL)
 *   free text                          (SHELL/5/LOGIN "User admin login from 10.0.0.5.";
 *                                       SECLOG/6/SESSION_BUILT "Built an udp session,
 *                                       10.1.1.1:1 (trust) to 10.1.1.2:1 (trust).")
 * optionally led by the component id "CID=0x...;" or "VS=Admin-VS-CID=...;".
 * Fields: module, severity (the level as written, replacing the header's name), brief,
 * info_type, log_count; the common names for the keys that mean them (src_ip, dst_ip,
 * src_port, dst_port, proto, user, src_zone, dst_zone) and every other key as an extra
 * under the device's own name; description (the text before "(k=v...)"); action and
 * outcome from the mnemonic (POLICYPERMIT/POLICYDENY: allowed/blocked, with blocked
 * "false"/"true" as Sigma's firewall rules ask, as dec_netfilter.c; LOGIN...: login,
 * success or failure). A line with both addresses is a firewall event (DK_HUAWEI_FW);
 * BGP lines are huawei/bgp (Sigma's logsource). Anything that does not start with the
 * prefix is not ours (ERR_PARSE).
 */
#include "decode/decode_int.h"

static bool is_upper_or_digit(char c)
{
    return (c >= 'A' && c <= 'Z') || dec_isdigit(c) || c == '_' || c == '-';
}

static bool is_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || dec_isdigit(c) || c == '_' ||
           c == '-' || c == '.';
}

/* Case-insensitive: does s contain the upper-case literal w? */
static bool has_upper(struct slice s, const char *w)
{
    size_t n = strlen(w);
    for (size_t i = 0; i + n <= s.len; i++) {
        size_t j = 0;
        while (j < n && dec_lower(s.p[i + j]) == dec_lower(w[j]))
            j++;
        if (j == n)
            return true;
    }
    return false;
}

/* The parsed "%%ddMODULE/S/BRIEF(t)[n]:" prefix. */
struct hw_prefix {
    struct slice version, module, sev, brief, type, count;
    struct slice body; /* after the ':' (and one space) */
};

/* Parses the prefix at m; false when m is not one. */
static bool hw_prefix(struct slice m, struct hw_prefix *p)
{
    if (m.len < 10 || m.p[0] != '%' || m.p[1] != '%' || !dec_isdigit(m.p[2]) ||
        !dec_isdigit(m.p[3]))
        return false;
    p->version = slice_make(m.p + 2, 2);
    size_t i = 4, b = i;
    while (i < m.len && i - b < 64 && is_upper_or_digit(m.p[i]))
        i++;
    if (i == b || i + 3 >= m.len || m.p[i] != '/' || !dec_isdigit(m.p[i + 1]) || m.p[i + 2] != '/')
        return false;
    p->module = slice_make(m.p + b, i - b);
    p->sev = slice_make(m.p + i + 1, 1);
    i += 3;
    b = i;
    while (i < m.len && i - b < 96 &&
           (is_upper_or_digit(m.p[i]) || (m.p[i] >= 'a' && m.p[i] <= 'z')))
        i++;
    if (i == b || i >= m.len || m.p[i] != '(')
        return false;
    p->brief = slice_make(m.p + b, i - b);
    b = ++i;
    while (i < m.len && i - b < 4 && m.p[i] >= 'a' && m.p[i] <= 'z')
        i++;
    if (i == b || i >= m.len || m.p[i] != ')')
        return false;
    p->type = slice_make(m.p + b, i - b);
    i++;
    p->count = SLICE_NULL;
    if (i < m.len && m.p[i] == '[') {
        b = ++i;
        while (i < m.len && i - b < 20 && dec_isdigit(m.p[i]))
            i++;
        if (i == b || i >= m.len || m.p[i] != ']')
            return false;
        p->count = slice_make(m.p + b, i - b);
        i++;
    }
    if (i >= m.len || m.p[i] != ':')
        return false;
    i++;
    while (i < m.len && m.p[i] == ' ')
        i++;
    p->body = dec_skip(m, i);
    return true;
}

/* Device key → declared field. Keys compare case-insensitively. */
static const struct hw_key {
    const char *key; /* lower case */
    uint16_t field;
} hw_keys[] = {
    {"sourceip", FIELD_src_ip},
    {"source-ip", FIELD_src_ip},
    {"srcip", FIELD_src_ip},
    {"srcipaddr", FIELD_src_ip},
    {"ip", FIELD_src_ip},
    {"ipaddress", FIELD_src_ip},
    {"useraddress", FIELD_src_ip},
    {"remoteip", FIELD_src_ip}, /* CLI/5/LOGIN, CLI/5/LOGOUT */
    {"destinationip", FIELD_dst_ip},
    {"destination-ip", FIELD_dst_ip},
    {"dstip", FIELD_dst_ip},
    {"dstipaddr", FIELD_dst_ip},
    {"sourceport", FIELD_src_port},
    {"source-port", FIELD_src_port},
    {"srcport", FIELD_src_port},
    {"destinationport", FIELD_dst_port},
    {"destination-port", FIELD_dst_port},
    {"dstport", FIELD_dst_port},
    {"protocol", FIELD_proto},
    {"username", FIELD_user},
    {"user-name", FIELD_user},
    {"user", FIELD_user},
    {"sourcezone", FIELD_src_zone},
    {"source-zone", FIELD_src_zone},
    {"srczone", FIELD_src_zone},
    {"destinationzone", FIELD_dst_zone},
    {"destination-zone", FIELD_dst_zone},
    {"dstzone", FIELD_dst_zone},
};

static void add_kv(struct slice k, struct slice v, struct event *ev)
{
    if (v.len >= 2 && v.p[0] == '"' && v.p[v.len - 1] == '"') /* Command="display ..." */
        v = slice_make(v.p + 1, v.len - 2);
    for (size_t i = 0; i < sizeof hw_keys / sizeof hw_keys[0]; i++)
        if (slice_eq_nocase(k, hw_keys[i].key)) {
            if (v.len)
                event_add(ev, hw_keys[i].field, v);
            return;
        }
    event_add_named(ev, k, v);
}

/* Length of a "key=" at s (key chars then '='), or 0. */
static size_t key_at(struct slice s)
{
    size_t i = 0;
    while (i < s.len && i < 64 && is_key_char(s.p[i]))
        i++;
    return (i && i < s.len && s.p[i] == '=') ? i : 0;
}

/*
 * Reads "k=v<sep>k=v..." where a pair ends at a ',' or ';' followed by spaces and
 * another "key=" (so values may hold spaces and commas), or at the end. Returns the
 * number of pairs added.
 */
static unsigned parse_kv(struct slice s, struct event *ev)
{
    unsigned n = 0;
    while (s.len) {
        size_t kl = key_at(s);
        if (!kl)
            break;
        struct slice k = slice_make(s.p, kl);
        size_t v0 = kl + 1, i = v0, vend = s.len, next = s.len;
        for (; i < s.len; i++) {
            if (s.p[i] != ',' && s.p[i] != ';')
                continue;
            size_t j = i + 1;
            while (j < s.len && s.p[j] == ' ')
                j++;
            if (j == s.len) { /* a trailing separator */
                vend = i;
                next = s.len;
                break;
            }
            struct slice tail = dec_skip(s, j);
            if (key_at(tail)) {
                vend = i;
                next = j;
                break;
            }
            /* a line cut inside the next key ("..., sour"): the value ends here */
            size_t t = 0;
            while (t < tail.len && is_key_char(tail.p[t]))
                t++;
            if (t == tail.len) {
                vend = i;
                next = s.len;
                break;
            }
        }
        add_kv(k, slice_trim(slice_make(s.p + v0, vend - v0)), ev);
        n++;
        s = dec_skip(s, next);
    }
    return n;
}

/* Free text of a login line: "User admin login from 10.0.0.5." / "VTY0 login from
 * 192.168.0.1 succeed." → user, src_ip. */
static void login_text(struct slice t, struct event *ev)
{
    struct slice have;
    if ((DEC_STARTS(t, "User ") || DEC_STARTS(t, "user ")) && !event_get(ev, FIELD_user, &have)) {
        struct slice rest;
        struct slice u = dec_word(dec_skip(t, 5), &rest);
        if (u.len)
            event_add(ev, FIELD_user, u);
    }
    long f = DEC_FIND(t, " from ");
    if (f >= 0 && !event_get(ev, FIELD_src_ip, &have)) {
        struct slice rest;
        struct slice a = dec_word(dec_skip(t, (size_t)f + 6), &rest);
        while (a.len && (a.p[a.len - 1] == '.' || a.p[a.len - 1] == ',' || a.p[a.len - 1] == ';'))
            a.len--;
        if (a.len && decode_looks_addr(a))
            event_add(ev, FIELD_src_ip, a);
    }
}

/* "ADDR:PORT" (IPv4, or IPv6 whose last ':' leads the port) → the two, or false. */
static bool addr_port(struct slice w, struct slice *a, struct slice *port)
{
    const char *c = w.len ? memrchr(w.p, ':', w.len) : NULL;
    if (!c || c == w.p || c == w.p + w.len - 1)
        return false;
    *a = slice_make(w.p, (size_t)(c - w.p));
    *port = slice_make(c + 1, w.len - (size_t)(c - w.p) - 1);
    for (size_t i = 0; i < port->len; i++)
        if (!dec_isdigit(port->p[i]))
            return false;
    return port->len <= 5 && decode_is_ip(*a);
}

/* "(zone)" with an optional trailing '.' or ',' → the zone, or an empty slice. */
static struct slice paren_zone(struct slice w)
{
    while (w.len && (w.p[w.len - 1] == '.' || w.p[w.len - 1] == ','))
        w.len--;
    if (w.len < 3 || w.p[0] != '(' || w.p[w.len - 1] != ')')
        return SLICE_NULL;
    return slice_make(w.p + 1, w.len - 2);
}

/* USG's session text, as its log guide shows SECLOG/6/SESSION_BUILT: "Built an udp
 * session, 10.1.1.1:1 (trust) to 10.1.1.2:1 (trust)." → proto, addresses, ports, zones.
 * Only when both ends read as ADDR:PORT; nothing is added otherwise. */
static void session_text(struct slice t, struct event *ev)
{
    long at = DEC_FIND(t, " session, ");
    if (at <= 0)
        return;
    struct slice head = slice_make(t.p, (size_t)at), rest, w, proto = SLICE_NULL;
    for (w = dec_word(head, &rest); w.len; w = dec_word(rest, &rest))
        proto = w;
    rest = dec_skip(t, (size_t)at + 10);
    struct slice s1 = dec_word(rest, &rest), z1 = dec_word(rest, &rest);
    struct slice to = dec_word(rest, &rest), s2 = dec_word(rest, &rest);
    struct slice z2 = dec_word(rest, &rest);
    if (s2.len && (s2.p[s2.len - 1] == '.' || s2.p[s2.len - 1] == ','))
        s2.len--;
    struct slice a1, p1, a2, p2;
    if (!slice_eq(to, "to") || !addr_port(s1, &a1, &p1) || !addr_port(s2, &a2, &p2))
        return;
    if (proto.len && !slice_eq(proto, "an") && !slice_eq(proto, "a"))
        event_add(ev, FIELD_proto, proto);
    event_add(ev, FIELD_src_ip, a1);
    event_add(ev, FIELD_src_port, p1);
    event_add(ev, FIELD_dst_ip, a2);
    event_add(ev, FIELD_dst_port, p2);
    if ((z1 = paren_zone(z1)).len)
        event_add(ev, FIELD_src_zone, z1);
    if ((z2 = paren_zone(z2)).len)
        event_add(ev, FIELD_dst_zone, z2);
}

static int hw_decode(const struct decode_job *job, struct event *ev)
{
    struct hw_prefix p;
    if (!hw_prefix(job->msg, &p))
        return ERR_PARSE;
    event_add(ev, FIELD_module, p.module);
    event_add_named(ev, SLICE_LIT("brief"), p.brief);
    event_add_named(ev, SLICE_LIT("info_type"), p.type);
    if (p.count.len)
        event_add_named(ev, SLICE_LIT("log_count"), p.count);
    event_add_named(ev, SLICE_LIT("format_version"), p.version);

    struct slice b = slice_trim(p.body);
    /* "CID=0x80ca2712;" / "VS=Admin-VS-CID=0x...;" */
    if (DEC_STARTS(b, "CID=") || DEC_STARTS(b, "VS=")) {
        long semi = slice_find_byte(b, ';');
        if (semi > 0) {
            struct slice c = slice_make(b.p, (size_t)semi);
            long cid = DEC_FIND(c, "CID=");
            if (DEC_STARTS(c, "VS=") && cid > 4 && c.p[cid - 1] == '-')
                event_add_named(ev, SLICE_LIT("vs"), slice_make(c.p + 3, (size_t)cid - 4));
            if (cid >= 0)
                event_add_named(ev, SLICE_LIT("cid"), dec_skip(c, (size_t)cid + 4));
            b = slice_trim(dec_skip(b, (size_t)semi + 1));
        }
    }
    struct slice text = b;
    if (key_at(b)) {
        /* USG ends its lists with a '.' ("rule-name=web_in.") */
        if (b.len && b.p[b.len - 1] == '.')
            b.len--;
        parse_kv(b, ev);
        text = SLICE_NULL;
    } else {
        /* "Text. (k=v, k=v)": the last " (" whose group closes the line */
        size_t end = b.len;
        while (end && (b.p[end - 1] == ' ' || b.p[end - 1] == '.'))
            end--;
        long lp = -1;
        if (end && b.p[end - 1] == ')')
            for (size_t i = 0; i + 1 < end; i++)
                if (b.p[i] == '(' && key_at(slice_make(b.p + i + 1, end - 1 - (i + 1))))
                    lp = (long)i;
        if (lp >= 0) {
            parse_kv(slice_make(b.p + lp + 1, end - 1 - ((size_t)lp + 1)), ev);
            text = slice_trim(slice_make(b.p, (size_t)lp));
        }
        if (text.len) {
            event_add_named(ev, SLICE_LIT("description"), text);
            if (has_upper(p.brief, "SESSION"))
                session_text(text, ev);
        }
    }

    /* what the mnemonic says */
    struct slice br = p.brief;
    bool fail = has_upper(br, "FAIL") || has_upper(text, "fail") ||
                DEC_FIND(text, "\xE5\xA4\xB1\xE8\xB4\xA5") >= 0; /* 失败 */
    if (has_upper(br, "POLICYPERMIT") || slice_eq_nocase(br, "permit")) {
        decode_add_verdict(ev, false);
    } else if (has_upper(br, "POLICYDENY") || slice_eq_nocase(br, "deny")) {
        decode_add_verdict(ev, true);
    } else if (has_upper(br, "LOGOUT") || has_upper(br, "LOGOFF")) {
        event_add(ev, FIELD_action, SLICE_LIT("logout"));
        login_text(text, ev);
    } else if (has_upper(br, "LOGIN") || has_upper(br, "LOGON") ||
               (fail &&
                (slice_eq_nocase(p.module, "ssh") || slice_eq_nocase(p.module, "telnet") ||
                 slice_eq_nocase(p.module, "httpd") || slice_eq_nocase(p.module, "ftps")))) {
        event_add(ev, FIELD_action, SLICE_LIT("login"));
        login_text(text, ev);
        event_add(ev, FIELD_outcome, fail ? SLICE_LIT("failure") : SLICE_LIT("success"));
    }
    decode_take_field(ev, FIELD_severity, p.sev, NULL);

    if (slice_eq_nocase(p.module, "bgp"))
        return DK_HUAWEI_BGP;
    struct slice a;
    if (event_get(ev, FIELD_src_ip, &a) && event_get(ev, FIELD_dst_ip, &a))
        return DK_HUAWEI_FW;
    return DK_HUAWEI;
}

const struct decoder decode_huawei = {.name = "huawei", .decode = hw_decode};
