/*
 * dec_dhcp.c — address assignment and station sightings for the asset inventory:
 *   ISC dhcpd   "DHCPACK on 10.0.0.50 to 00:11:22:33:44:55 (laptop-7) via eth0",
 *               DHCPDISCOVER/OFFER/REQUEST/NAK/RELEASE/DECLINE/INFORM, "uid ...", and
 *               dhcpd 6's "Reply NA: address 2001:db8::5 to client with duid ..."
 *   dnsmasq     "DHCPACK(eth0) 10.0.0.50 00:11:22:33:44:55 laptop-7" (program
 *               dnsmasq-dhcp or dnsmasq; its DNS lines are refused)
 *   Windows     DHCP server audit log rows "10,11/25/24,10:00:00,Assign,10.0.0.50,..."
 *   arpwatch    "new station 10.0.0.50 0:11:22:33:44:55 eth0", "changed ethernet
 *               address ...", "flip flop ...", ...
 * Fields: ip, mac (lower-case colon form; the original as extra mac_original when it
 * differs), hostname, action, iface, outcome, reason; extras old_mac, uid, duid,
 * server_ip, event_id, description, transaction_id, vendor_class.
 */
#include "decode/decode_int.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads a 48-bit MAC in any usual spelling ("0:11:22:33:44:55", "00-11-...",
 * "001122334455", "0011.2233.4455") into b; false when s is not one. */
static bool read_mac(struct slice s, unsigned char b[6])
{
    if (s.len == 12) {
        for (int i = 0; i < 6; i++) {
            int h = hexval(s.p[2 * i]), l = hexval(s.p[2 * i + 1]);
            if (h < 0 || l < 0)
                return false;
            b[i] = (unsigned char)(h * 16 + l);
        }
        return true;
    }
    if (s.len == 14 && s.p[4] == '.' && s.p[9] == '.') {
        char t[12];
        memcpy(t, s.p, 4);
        memcpy(t + 4, s.p + 5, 4);
        memcpy(t + 8, s.p + 10, 4);
        return read_mac(slice_make(t, 12), b);
    }
    size_t i = 0;
    char sep = 0;
    for (int g = 0; g < 6; g++) {
        if (g) {
            if (i >= s.len || (s.p[i] != ':' && s.p[i] != '-') || (sep && s.p[i] != sep))
                return false;
            sep = s.p[i++];
        }
        int v = 0, n = 0;
        while (i < s.len && n < 2 && hexval(s.p[i]) >= 0)
            v = v * 16 + hexval(s.p[i++]), n++;
        if (!n)
            return false;
        b[g] = (unsigned char)v;
    }
    return i == s.len;
}

/* Adds s as field id (mac) or extra name, in the lower-case colon form; the original
 * goes to orig_name when it differs. Returns 0, ERR_PARSE (not a MAC: nothing added)
 * or ERR_NOMEM. */
static int add_mac(const struct decode_job *job, struct event *ev, struct slice s, bool primary)
{
    unsigned char b[6];
    if (!read_mac(s, b))
        return ERR_PARSE;
    char *o = arena_alloc(job->arena, 17);
    if (!o)
        return ERR_NOMEM;
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < 6; i++) {
        o[3 * i] = hx[b[i] >> 4];
        o[3 * i + 1] = hx[b[i] & 15];
        if (i < 5)
            o[3 * i + 2] = ':';
    }
    struct slice n = slice_make(o, 17);
    if (primary) {
        event_add(ev, FIELD_mac, slice_eqs(n, s) ? s : n);
        if (!slice_eqs(n, s))
            event_add_named(ev, SLICE_LIT("mac_original"), s);
    } else {
        event_add_named(ev, SLICE_LIT("old_mac"), slice_eqs(n, s) ? s : n);
    }
    return 0;
}

/* Trims a trailing ':' or ',' from a token. */
static struct slice untail(struct slice t)
{
    while (t.len && (t.p[t.len - 1] == ':' || t.p[t.len - 1] == ','))
        t.len--;
    return t;
}

static const struct {
    const char *type, *action;
} dhcp_types[] = {
    {"DHCPDISCOVER", "discover"}, {"DHCPOFFER", "offer"},     {"DHCPREQUEST", "request"},
    {"DHCPACK", "lease"},         {"DHCPNAK", "nak"},         {"DHCPRELEASE", "release"},
    {"DHCPDECLINE", "decline"},   {"DHCPINFORM", "inform"},   {"DHCPSOLICIT", "discover"},
    {"DHCPADVERTISE", "offer"},   {"DHCPREPLY", "lease"},     {"DHCPRENEW", "renew"},
    {"DHCPREBIND", "renew"},      {"DHCPCONFIRM", "request"}, {"DHCPLEASEQUERY", "leasequery"},
};

/* The action of a "DHCPxxx" word, or NULL. */
static const char *dhcp_action(struct slice w)
{
    for (size_t i = 0; i < sizeof dhcp_types / sizeof dhcp_types[0]; i++)
        if (slice_eq(w, dhcp_types[i].type))
            return dhcp_types[i].action;
    return NULL;
}

/* ISC dhcpd: "DHCPxxx on|for|of IP to|from MAC (host) [uid U] via IFACE[: reason]". */
static int isc_line(const struct decode_job *job, struct slice m, struct event *ev)
{
    struct slice rest, w = dec_word(m, &rest);
    const char *act = dhcp_action(w);
    if (!act)
        return ERR_PARSE;
    event_add(ev, FIELD_action, slice_cstr(act));
    /* a reason after ": " that ends the line (": lease 10.0.0.5 unavailable.") */
    long colon = DEC_FIND(rest, ": ");
    struct slice body = rest;
    if (colon >= 0) {
        body = slice_make(rest.p, (size_t)colon);
        struct slice why = slice_trim(dec_skip(rest, (size_t)colon + 2));
        if (why.len)
            event_add(ev, FIELD_reason, why);
    }
    bool have_mac = false, have_ip = false;
    struct slice prev = SLICE_NULL;
    while (body.len) {
        struct slice t = untail(dec_word(body, &body));
        if (!t.len)
            continue;
        if (t.p[0] == '(' && t.len > 2) {
            /* "(name)" after the MAC; "(server-ip)" after the requested address;
             * "(found)"/"(not found)" after a release's interface */
            struct slice in = slice_make(t.p + 1, t.len - 2);
            if (t.p[t.len - 1] != ')') { /* "(not found)": a name with spaces */
                long rp = slice_find_byte(body, ')');
                if (rp < 0)
                    break;
                in = slice_make(t.p + 1, (size_t)(body.p + rp - t.p - 1));
                body = dec_skip(body, (size_t)rp + 1);
            }
            int rc = have_mac ? ERR_PARSE : add_mac(job, ev, in, true);
            if (rc == ERR_NOMEM)
                return rc;
            if (rc == 0)
                have_mac = true; /* "DHCPACK to IP (MAC) via ..." */
            else if (slice_eq(prev, "via"))
                event_add_named(ev, SLICE_LIT("lease_state"), in);
            else if (have_mac && !event_get(ev, FIELD_hostname, &(struct slice){0}) &&
                     !decode_is_ip(in))
                event_add(ev, FIELD_hostname, in);
            else if (decode_is_ip(in))
                event_add_named(ev, SLICE_LIT("server_ip"), in);
            prev = SLICE_LIT(")");
            continue;
        }
        if (slice_eq(prev, "via")) {
            prev = SLICE_NULL;
        } else if (slice_eq(prev, "on") || slice_eq(prev, "for") || slice_eq(prev, "of") ||
                   ((slice_eq(prev, "from") || slice_eq(prev, "to")) && !have_mac)) {
            int rc = add_mac(job, ev, t, true);
            if (rc == ERR_NOMEM)
                return rc;
            if (rc == 0) {
                have_mac = true;
            } else if (decode_is_ip(t) && !have_ip) {
                event_add(ev, FIELD_ip, t);
                have_ip = true;
            }
        } else if (slice_eq(prev, "uid")) {
            event_add_named(ev, SLICE_LIT("uid"), t);
        } else if (slice_eq(prev, "relay") && decode_is_ip(t)) {
            event_add_named(ev, SLICE_LIT("relay_ip"), t);
        }
        if (slice_eq(t, "via")) {
            struct slice r2, ifc = untail(dec_word(body, &r2));
            if (ifc.len)
                event_add(ev, FIELD_iface, ifc);
            body = r2;
            prev = SLICE_LIT("via");
            continue;
        }
        prev = t;
    }
    if (slice_eq(w, "DHCPNAK") || slice_eq(w, "DHCPDECLINE"))
        event_add(ev, FIELD_outcome, SLICE_LIT("failure"));
    return DK_DHCP;
}

/* dhcpd 6: "Reply NA: address 2001:db8::5 to client with duid D iaid = N valid for S
 * seconds" (also Advertise, and PD prefixes). */
static int isc6_line(struct slice m, struct event *ev)
{
    const char *act;
    if (DEC_STARTS(m, "Reply "))
        act = "lease";
    else if (DEC_STARTS(m, "Advertise "))
        act = "offer";
    else
        return ERR_PARSE;
    long a = DEC_FIND(m, ": address ");
    long p = DEC_FIND(m, ": prefix ");
    if (a < 0 && p < 0)
        return ERR_PARSE;
    struct slice rest, addr = dec_word(dec_skip(m, (size_t)(a >= 0 ? a + 10 : p + 9)), &rest);
    long slash = slice_find_byte(addr, '/'); /* a prefix "2001:db8:1::/48" */
    if (!decode_is_ip(slash < 0 ? addr : slice_make(addr.p, (size_t)slash)))
        return ERR_PARSE;
    event_add(ev, FIELD_ip, addr);
    long d = DEC_FIND(rest, "duid ");
    if (d >= 0) {
        struct slice r2, duid = dec_word(dec_skip(rest, (size_t)d + 5), &r2);
        if (duid.len)
            event_add_named(ev, SLICE_LIT("duid"), duid);
    }
    event_add(ev, FIELD_action, slice_cstr(act));
    return DK_DHCP;
}

/* dnsmasq: "[xid ]DHCPxxx(iface) [ip] [mac] [name or reason]". */
static int dnsmasq_line(const struct decode_job *job, struct slice m, struct event *ev)
{
    size_t i = 0;
    while (i < m.len && dec_isdigit(m.p[i]))
        i++;
    if (i && i < m.len && m.p[i] == ' ') { /* log-dhcp's transaction id */
        event_add_named(ev, SLICE_LIT("transaction_id"), slice_make(m.p, i));
        m = dec_skip(m, i + 1);
    }
    long lp = slice_find_byte(m, '(');
    if (lp < 5 || lp > 20)
        return ERR_PARSE;
    const char *act = dhcp_action(slice_make(m.p, (size_t)lp));
    struct slice r = dec_skip(m, (size_t)lp + 1);
    long rp = slice_find_byte(r, ')');
    if (!act || rp < 0)
        return ERR_PARSE;
    event_add(ev, FIELD_action, slice_cstr(act));
    if (rp > 0)
        event_add(ev, FIELD_iface, slice_make(r.p, (size_t)rp));
    struct slice rest = slice_trim(dec_skip(r, (size_t)rp + 1));
    struct slice w = dec_word(rest, &rest);
    if (decode_is_ip(w) && !read_mac(w, (unsigned char[6]){0})) {
        event_add(ev, FIELD_ip, w);
        w = dec_word(rest, &rest);
    }
    int rc = add_mac(job, ev, w, true);
    if (rc == ERR_NOMEM)
        return rc;
    if (rc == 0) {
        w = rest;
    } else if (w.len && w.len <= 130 && slice_find_byte(w, ':') > 0) {
        event_add_named(ev, SLICE_LIT("duid"), w); /* DHCPv6: the client's DUID */
        w = rest;
    } else {
        w = slice_make(w.p, (size_t)(rest.p + rest.len - w.p));
    }
    w = slice_trim(w);
    if (w.len) {
        /* a host name is one word; anything longer is the reason ("no address available") */
        if (slice_find_byte(w, ' ') < 0 && strcmp(act, "nak") != 0)
            event_add(ev, FIELD_hostname, w);
        else
            event_add(ev, FIELD_reason, w);
    }
    if (!strcmp(act, "nak") || !strcmp(act, "decline"))
        event_add(ev, FIELD_outcome, SLICE_LIT("failure"));
    return DK_DHCP;
}

/* Windows DHCP server audit log: the documented event id table. */
static const struct {
    unsigned id;
    const char *action, *outcome;
} win_ids[] = {
    {0, "log_start", NULL},
    {1, "log_stop", NULL},
    {2, "log_pause", NULL},
    {10, "lease", "success"},
    {11, "renew", "success"},
    {12, "release", "success"},
    {13, "in_use", "failure"},
    {14, "pool_exhausted", "failure"},
    {15, "deny", "failure"},
    {16, "delete", "success"},
    {17, "expire", NULL},
    {18, "expire", NULL},
    {20, "lease", "success"},
    {21, "lease", "success"},
    {22, "pool_exhausted", "failure"},
    {23, "delete", "success"},
    {24, "cleanup", NULL},
    {25, "cleanup", NULL},
    {30, "dns_update", NULL},
    {31, "dns_update", "failure"},
    {32, "dns_update", "success"},
    {33, "drop", "failure"},
    {34, "dns_update", "failure"},
    {35, "dns_update", "failure"},
    {36, "drop", "failure"},
};

/* True for "ID,MM/DD/YY,HH:MM:SS," (a Windows DHCP audit row). */
bool decode_dhcp_win_row(struct slice m)
{
    size_t i = 0;
    while (i < m.len && i < 5 && dec_isdigit(m.p[i]))
        i++;
    if (!i || m.len < i + 20)
        return false;
    const char *p = m.p + i;
    return p[0] == ',' && dec_isdigit(p[1]) && dec_isdigit(p[2]) && p[3] == '/' &&
           dec_isdigit(p[4]) && dec_isdigit(p[5]) && p[6] == '/' && dec_isdigit(p[7]) &&
           dec_isdigit(p[8]) && p[9] == ',' && dec_isdigit(p[10]) && p[12] == ':' && p[15] == ':' &&
           p[18] == ',';
}

static unsigned two(const char *p)
{
    return (unsigned)((p[0] - '0') * 10 + (p[1] - '0'));
}

static int windows_row(const struct decode_job *job, struct slice m, struct event *ev)
{
    if (!decode_dhcp_win_row(m))
        return ERR_PARSE;
    struct slice col[19];
    size_t n = 0;
    struct slice r = m;
    while (n < 19) {
        long c = slice_find_byte(r, ',');
        if (c < 0) {
            col[n++] = r;
            break;
        }
        col[n++] = slice_make(r.p, (size_t)c);
        r = dec_skip(r, (size_t)c + 1);
    }
    if (n < 4)
        return ERR_PARSE;
    const char *d = col[1].p, *t = col[2].p;
    const struct vtz *tz = job->src && job->src->tz ? job->src->tz : vtz_utc();
    int64_t ns;
    if (col[2].len != 8 || !dec_isdigit(t[1]) || !dec_isdigit(t[3]) || !dec_isdigit(t[4]) ||
        !dec_isdigit(t[6]) || !dec_isdigit(t[7]))
        return ERR_PARSE;
    if (decode_civil_time(2000 + two(d + 6), two(d), two(d + 3), two(t), two(t + 3), two(t + 6), 0,
                          tz, job->received_ns, &ns) == 0) {
        ev->time_ns = ns;
        ev->flags &= ~(uint32_t)EVF_TIME_RECEIVED;
    }
    uint64_t id = 0;
    slice_to_u64(col[0], &id);
    event_add_named(ev, SLICE_LIT("event_id"), col[0]);
    for (size_t k = 0; k < sizeof win_ids / sizeof win_ids[0]; k++) {
        if (win_ids[k].id == id) {
            event_add(ev, FIELD_action, slice_cstr(win_ids[k].action));
            if (win_ids[k].outcome)
                event_add(ev, FIELD_outcome, slice_cstr(win_ids[k].outcome));
            break;
        }
    }
    if (col[3].len)
        event_add_named(ev, SLICE_LIT("description"), col[3]);
    if (n > 4 && col[4].len)
        event_add(ev, FIELD_ip, col[4]);
    if (n > 5 && col[5].len)
        event_add(ev, FIELD_hostname, col[5]);
    if (n > 6 && col[6].len) {
        int rc = add_mac(job, ev, col[6], true);
        if (rc == ERR_NOMEM)
            return rc;
        if (rc)
            event_add_named(ev, SLICE_LIT("mac_original"), col[6]); /* a client id */
    }
    if (n > 7 && col[7].len)
        event_add(ev, FIELD_user, col[7]);
    if (n > 8 && col[8].len)
        event_add_named(ev, SLICE_LIT("transaction_id"), col[8]);
    if (n > 14 && col[14].len)
        event_add_named(ev, SLICE_LIT("vendor_class"), col[14]);
    return DK_DHCP;
}

/* arpwatch: "KIND ip mac [(old mac)] [iface]". */
static int arpwatch_line(const struct decode_job *job, struct slice m, struct event *ev)
{
    static const struct {
        const char *prefix, *action;
    } kinds[] = {
        {"new station ", "new_station"},
        {"new activity ", "new_activity"},
        {"changed ethernet address ", "changed_mac"},
        {"flip flop ", "flip_flop"},
        {"reused old ethernet address ", "reused_mac"},
        {"ethernet broadcast ", "broadcast"},
        {"ethernet mismatch ", "mismatch"},
        {"bogon ", "bogon"},
    };
    size_t k = 0, nk = sizeof kinds / sizeof kinds[0];
    while (k < nk && !slice_starts(m, kinds[k].prefix))
        k++;
    if (k == nk)
        return ERR_PARSE;
    struct slice rest = dec_skip(m, strlen(kinds[k].prefix));
    struct slice ip = dec_word(rest, &rest), mac = dec_word(rest, &rest);
    if (!decode_is_ip(ip))
        return ERR_PARSE;
    int rc = add_mac(job, ev, mac, true);
    if (rc)
        return rc;
    event_add(ev, FIELD_ip, ip);
    event_add(ev, FIELD_action, slice_cstr(kinds[k].action));
    struct slice w = dec_word(rest, &rest);
    if (w.len > 2 && w.p[0] == '(' && w.p[w.len - 1] == ')') {
        if (add_mac(job, ev, slice_make(w.p + 1, w.len - 2), false) == ERR_NOMEM)
            return ERR_NOMEM;
        w = dec_word(rest, &rest);
    }
    if (w.len)
        event_add(ev, FIELD_iface, w);
    return DK_ARPWATCH;
}

static int dhcp_decode(const struct decode_job *job, struct event *ev)
{
    struct slice m = slice_trim(job->msg);
    if (!job->hdr->present)
        return windows_row(job, m, ev);
    struct slice prog = job->hdr->program;
    if (slice_eq(prog, "arpwatch"))
        return arpwatch_line(job, m, ev);
    if (DEC_STARTS(m, "DHCP") || (m.len && dec_isdigit(m.p[0]))) {
        long sp = slice_find_byte(m, ' '), lp = slice_find_byte(m, '(');
        if (lp > 0 && (sp < 0 || lp < sp || dec_isdigit(m.p[0])))
            return dnsmasq_line(job, m, ev);
        return isc_line(job, m, ev);
    }
    /* arpwatch's kinds are distinct words: also taken under another program name */
    int rc = arpwatch_line(job, m, ev);
    return rc == ERR_PARSE ? isc6_line(m, ev) : rc;
}

const struct decoder decode_dhcp = {.name = "dhcp", .decode = dhcp_decode};
