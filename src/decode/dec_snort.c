/*
 * dec_snort.c — Snort's and Suricata's "fast" alert lines, one alert a line:
 *   11/25/24-10:00:00.123456  [**] [1:2010935:3] ET SCAN ... [**] [Classification: Potentially
 *   Bad Traffic] [Priority: 2] {TCP} 203.0.113.5:51234 -> 10.0.0.2:1433
 * read from a file (headerless: decode.c dispatches by the "MM/DD" stamp) or sent by
 * syslog (program "snort": the same without the stamp and usually without "[**]").
 * The stamp's year is optional (Snort prints it with -y, two digits; Suricata's fast.log
 * always, four digits); a year-less stamp takes the year nearest to receipt. Suricata
 * may lead with "[Drop]" or "[wDrop]". Classification and Priority are optional; ICMP
 * and other port-less protocols give addresses without ports; IPv6 addresses come
 * bracketed ("[2001:db8::1]:80") or bare, where the port is what follows the last colon
 * for TCP, UDP and SCTP only (Snort prints no port for the others).
 *
 * Fields: sid, gid, rev, signature, classification, priority, proto, src_ip, src_port,
 * dst_ip, dst_port (slices of the line), action "blocked" for "[Drop]". A line whose
 * "[gid:sid:rev] msg" does not parse is not this format (ERR_PARSE); a truncated line
 * keeps the parts read whole before the cut (an address only with its " -> ").
 * A four-digit year marks Suricata's fast.log (DK_SURICATA_FAST: suricata and ids);
 * otherwise the output is DK_SNORT (snort and ids).
 */
#include "decode/decode_int.h"

/* Reads exactly n digits of s at *i; -1 when they are not there. */
static long digits_at(struct slice s, size_t *i, size_t n)
{
    if (*i > s.len || s.len - *i < n)
        return -1;
    long v = 0;
    for (size_t k = 0; k < n; k++) {
        char c = s.p[*i + k];
        if (!dec_isdigit(c))
            return -1;
        v = v * 10 + (c - '0');
    }
    *i += n;
    return v;
}

/* A run of 1..max digits at *i (advanced past it); false when none. */
static bool digit_run(struct slice s, size_t *i, size_t max, struct slice *out)
{
    size_t b = *i;
    while (*i < s.len && *i - b < max && dec_isdigit(s.p[*i]))
        (*i)++;
    *out = slice_make(s.p + b, *i - b);
    return *i > b && (*i >= s.len || !dec_isdigit(s.p[*i]));
}

/* "MM/DD[/YY|/YYYY]-HH:MM:SS[.ffffff]" then a space. Returns the bytes read or 0. */
static size_t stamp(struct slice s, const struct decode_job *job, int64_t *ns, bool *year4)
{
    size_t i = 0;
    long mon = digits_at(s, &i, 2), y = 0;
    if (mon < 0 || i >= s.len || s.p[i++] != '/')
        return 0;
    long day = digits_at(s, &i, 2);
    if (day < 0 || i >= s.len)
        return 0;
    *year4 = false;
    if (s.p[i] == '/') {
        i++;
        size_t y0 = i;
        while (i < s.len && i - y0 < 5 && dec_isdigit(s.p[i]))
            i++;
        if (i - y0 == 2) {
            size_t k = y0;
            y = 2000 + digits_at(s, &k, 2);
        } else if (i - y0 == 4) {
            size_t k = y0;
            y = digits_at(s, &k, 4);
            *year4 = true;
        } else {
            return 0;
        }
    }
    if (i >= s.len || s.p[i++] != '-')
        return 0;
    long h = digits_at(s, &i, 2);
    if (h < 0 || i >= s.len || s.p[i++] != ':')
        return 0;
    long mi = digits_at(s, &i, 2);
    if (mi < 0 || i >= s.len || s.p[i++] != ':')
        return 0;
    long sec = digits_at(s, &i, 2);
    if (sec < 0)
        return 0;
    int64_t frac = 0;
    if (i < s.len && s.p[i] == '.') {
        size_t f0 = ++i;
        int64_t scale = 100000000;
        while (i < s.len && dec_isdigit(s.p[i])) {
            if (i - f0 < 9) {
                frac += (s.p[i] - '0') * scale;
                scale /= 10;
            }
            i++;
        }
        if (i == f0)
            return 0;
    }
    if (i >= s.len || s.p[i] != ' ')
        return 0;
    const struct vtz *tz = job->src && job->src->tz ? job->src->tz : vtz_utc();
    if (decode_civil_time(y, (unsigned)mon, (unsigned)day, (unsigned)h, (unsigned)mi, (unsigned)sec,
                          frac, tz, job->received_ns, ns))
        return 0;
    return i;
}

static struct slice skip_spaces(struct slice s)
{
    size_t i = 0;
    while (i < s.len && s.p[i] == ' ')
        i++;
    return dec_skip(s, i);
}

/* True for the protocols whose endpoints Snort prints with a port. */
static bool has_ports(struct slice proto)
{
    return slice_eqs(proto, SLICE_LIT("TCP")) || slice_eqs(proto, SLICE_LIT("UDP")) ||
           slice_eqs(proto, SLICE_LIT("SCTP")) || slice_eqs(proto, SLICE_LIT("tcp")) ||
           slice_eqs(proto, SLICE_LIT("udp")) || slice_eqs(proto, SLICE_LIT("sctp"));
}

/* Splits "addr", "addr:port", "[v6]:port" or bare "v6:port" (ports: the last colon is a
 * port's). False when the parts do not look like an address and a port. */
static bool endpoint(struct slice s, bool ports, struct slice *addr, struct slice *port)
{
    *port = SLICE_NULL;
    if (!s.len)
        return false;
    if (s.p[0] == '[') {
        long c = slice_find_byte(s, ']');
        if (c < 2)
            return false;
        *addr = slice_make(s.p + 1, (size_t)c - 1);
        struct slice r = dec_skip(s, (size_t)c + 1);
        if (r.len) {
            if (r.p[0] != ':')
                return false;
            *port = dec_skip(r, 1);
        }
    } else {
        long first = slice_find_byte(s, ':');
        long last = first;
        for (size_t i = s.len; first >= 0 && i-- > (size_t)first;)
            if (s.p[i] == ':') {
                last = (long)i;
                break;
            }
        if (first < 0 || (first != last && !ports)) {
            *addr = s;
        } else {
            *addr = slice_make(s.p, (size_t)last);
            *port = dec_skip(s, (size_t)last + 1);
            if (!port->len)
                return false;
        }
    }
    if (!decode_looks_addr(*addr))
        return false;
    size_t i = 0;
    struct slice d;
    if (port->p && (!digit_run(*port, &i, 5, &d) || i != port->len))
        return false;
    return true;
}

/* "{PROTO} A -> B" after the brace: proto and the two endpoints. */
static void addresses(struct slice s, struct event *ev)
{
    long cb = slice_find_byte(s, '}');
    if (cb <= 0)
        return;
    struct slice proto = slice_make(s.p, (size_t)cb);
    for (size_t i = 0; i < proto.len; i++)
        if (proto.p[i] == ' ' || proto.p[i] == '{' || proto.p[i] == '[')
            return;
    event_add(ev, FIELD_proto, proto);
    struct slice r = skip_spaces(dec_skip(s, (size_t)cb + 1));
    long arrow = DEC_FIND(r, " -> ");
    if (arrow <= 0)
        return;
    struct slice rest, src = slice_make(r.p, (size_t)arrow);
    struct slice dst = dec_word(dec_skip(r, (size_t)arrow + 4), &rest);
    bool ports = has_ports(proto);
    struct slice sa, sp, da, dp;
    if (!endpoint(src, ports, &sa, &sp) || !endpoint(dst, ports, &da, &dp))
        return;
    event_add(ev, FIELD_src_ip, sa);
    if (sp.len)
        event_add(ev, FIELD_src_port, sp);
    event_add(ev, FIELD_dst_ip, da);
    if (dp.len)
        event_add(ev, FIELD_dst_port, dp);
}

/* The "]"-terminated text after a "[Label: " prefix of len n, or false when cut. */
static bool bracket_value(struct slice s, size_t n, struct slice *v, struct slice *rest)
{
    struct slice in = dec_skip(s, n);
    long e = slice_find_byte(in, ']');
    if (e < 0)
        return false;
    *v = slice_trim(slice_make(in.p, (size_t)e));
    *rest = dec_skip(in, (size_t)e + 1);
    return true;
}

/* See decode_int.h. */
int decode_snort_alert(struct slice msg, struct event *ev)
{
    struct slice s = skip_spaces(msg);
    bool drop = false;
    if (DEC_STARTS(s, "[Drop] ")) {
        drop = true;
        s = skip_spaces(dec_skip(s, 7));
    } else if (DEC_STARTS(s, "[wDrop] ")) {
        s = skip_spaces(dec_skip(s, 8));
    }
    if (DEC_STARTS(s, "[**] "))
        s = skip_spaces(dec_skip(s, 5));
    /* "[gid:sid:rev] " */
    struct slice gid, sid, rev;
    size_t i = 1;
    if (!s.len || s.p[0] != '[' || !digit_run(s, &i, 10, &gid) || i >= s.len || s.p[i++] != ':' ||
        !digit_run(s, &i, 10, &sid) || i >= s.len || s.p[i++] != ':' ||
        !digit_run(s, &i, 10, &rev) || i + 1 >= s.len || s.p[i] != ']' || s.p[i + 1] != ' ')
        return ERR_PARSE;
    struct slice r = dec_skip(s, i + 2);
    /* the message ends at " [**]", else at the first of the parts that follow it */
    long end = DEC_FIND(r, " [**]");
    struct slice after;
    if (end >= 0) {
        after = dec_skip(r, (size_t)end + 5);
    } else {
        static const struct {
            const char *lit;
            size_t n;
        } stops[] = {{" [Classification: ", 18}, {" [Priority: ", 12}, {" {", 2}};
        end = (long)r.len;
        for (size_t k = 0; k < sizeof stops / sizeof stops[0]; k++) {
            long f = dec_find(slice_make(r.p, (size_t)end), stops[k].lit, stops[k].n);
            if (f >= 0)
                end = f;
        }
        after = dec_skip(r, (size_t)end);
    }
    struct slice sig = slice_trim(slice_make(r.p, (size_t)end));
    if (!sig.len)
        return ERR_PARSE;
    event_add(ev, FIELD_sid, sid);
    event_add(ev, FIELD_gid, gid);
    event_add(ev, FIELD_rev, rev);
    event_add(ev, FIELD_signature, sig);
    if (drop)
        event_add(ev, FIELD_action, SLICE_LIT("blocked"));
    for (;;) {
        after = skip_spaces(after);
        struct slice v;
        if (DEC_STARTS(after, "[Classification: ")) {
            if (!bracket_value(after, 17, &v, &after))
                break;
            if (v.len)
                event_add(ev, FIELD_classification, v);
        } else if (DEC_STARTS(after, "[Priority: ")) {
            if (!bracket_value(after, 11, &v, &after))
                break;
            size_t k = 0;
            struct slice d;
            if (digit_run(v, &k, 10, &d) && k == v.len)
                event_add(ev, FIELD_priority, v);
        } else if (after.len && after.p[0] == '[') { /* [Xref => ...] and the like */
            if (!bracket_value(after, 1, &v, &after))
                break;
        } else {
            if (after.len && after.p[0] == '{')
                addresses(dec_skip(after, 1), ev);
            break;
        }
    }
    return 0;
}

static int snort_decode(const struct decode_job *job, struct event *ev)
{
    struct slice m = job->msg;
    int64_t ns = 0;
    bool year4 = false, timed = false;
    if (m.len && dec_isdigit(m.p[0])) {
        size_t n = stamp(m, job, &ns, &year4);
        if (!n)
            return ERR_PARSE;
        m = dec_skip(m, n);
        timed = true;
    }
    if (decode_snort_alert(m, ev))
        return ERR_PARSE;
    if (timed) {
        ev->time_ns = ns;
        ev->flags &= ~(uint32_t)EVF_TIME_RECEIVED;
    }
    return year4 ? DK_SURICATA_FAST : DK_SNORT;
}

const struct decoder decode_snort = {.name = "snort", .decode = snort_decode};
