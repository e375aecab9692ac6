/*
 * dec_weberror.c — nginx and Apache httpd error logs, headerless (a tailed file) or
 * behind a syslog header (programs nginx, apache2, httpd: decode.c tries this decoder
 * when the access decoder does not know the line; headerless lines are picked by their
 * first bytes, "YYYY/MM/DD " for nginx and "[Www Mmm " for Apache):
 *   nginx:  2024/11/25 10:00:00 [error] 1234#1234: *5 MESSAGE, client: ADDR,
 *           server: NAME, request: "GET /x HTTP/1.1", host: "example.com"
 *   Apache 2.4: [Mon Nov 25 10:00:00.123456 2024] [core:error] [pid 1234:tid 140234]
 *           [client ADDR:PORT] AH00126: MESSAGE[, referer: URL]
 *   Apache 2.2: [Mon Nov 25 10:00:00 2024] [error] [client ADDR] MESSAGE
 * Fields: level, module, pid, tid, error_code (AH…), message (the text, which replaces
 * the syslog MSG when there is a header), c-ip, src_port, cs-method, cs-uri(-stem,
 * -query), cs-version (from nginx's request or an Apache "... request GET /x HTTP/1.1"
 * ending), cs-host, cs-referer. The line's time is the server's local time: it is read
 * in the source's zone. Values are slices of the record, as logged.
 */
#include "decode/decode_int.h"

static bool is_level(struct slice l)
{
    static const char *const levels[] = {"emerg", "alert",  "crit", "error", "err",
                                         "warn",  "notice", "info", "debug"};
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
        if (slice_eq(l, levels[i]))
            return true;
    /* Apache's trace1..trace8 */
    return l.len == 6 && DEC_STARTS(l, "trace") && l.p[5] >= '1' && l.p[5] <= '8';
}

/* Sets ev's time from a local civil time read in the source's zone. */
static bool set_time(const struct decode_job *job, struct event *ev, int y, int mon, int d, int h,
                     int mi, int s, int64_t frac_ns)
{
    if (y < DECODE_YEAR_MIN || y > DECODE_YEAR_MAX || mon < 1 || mon > 12 || d < 1 || d > 31 ||
        h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60)
        return false;
    const struct vtz *tz = job->src && job->src->tz ? job->src->tz : vtz_utc();
    int64_t local =
        vtime_from_civil(y, (unsigned)mon, (unsigned)d, (unsigned)h, (unsigned)mi, (unsigned)s);
    ev->time_ns = vtz_local_to_utc(tz, local) * NS_PER_SEC + frac_ns;
    ev->flags &= ~(uint32_t)EVF_TIME_RECEIVED;
    return true;
}

/* The error text becomes `message`: behind a syslog header it replaces the header's
 * MSG (which holds the whole line), so the field is not repeated. */
static void set_message(struct event *ev, struct slice m)
{
    for (uint16_t i = 0; i < ev->nfields; i++)
        if (ev->fields[i].id == FIELD_message) {
            ev->fields[i].value = m;
            return;
        }
    if (m.len)
        event_add(ev, FIELD_message, m);
}

/* ---- nginx ------------------------------------------------------------------------ */

/* One ", key: value" pair of nginx's context (value quoted or up to the next ", "). */
struct kv {
    struct slice key, val;
};
#define NGX_MAX_KV 12
/* Candidates for the context's start tried. A candidate's parse usually stops at the next
 * one (a second "client" key), but one inside a long quoted value scans to its end:
 * bounded, so a line full of ", client: " costs at most this many scans (its text then
 * keeps them all, without a c-ip). */
#define NGX_MAX_TRIES 32

/* Parses "ADDR, key: value, ..." (what follows ", client: ") to the end of s. Returns
 * the number of pairs (client first) or 0 when s is not such a context. */
static size_t ngx_context(struct slice s, struct kv *kv)
{
    struct slice rest = s;
    long c = DEC_FIND(rest, ", ");
    struct slice addr = c >= 0 ? slice_make(rest.p, (size_t)c) : rest;
    if (!decode_looks_addr(addr))
        return 0;
    kv[0].key = slice_cstr("client");
    kv[0].val = addr;
    size_t n = 1;
    rest = c >= 0 ? dec_skip(rest, (size_t)c) : slice_make(rest.p + rest.len, 0);
    while (rest.len) {
        if (n == NGX_MAX_KV || !DEC_STARTS(rest, ", "))
            return 0;
        rest = dec_skip(rest, 2);
        size_t k = 0;
        while (k < rest.len && ((rest.p[k] >= 'a' && rest.p[k] <= 'z') || rest.p[k] == '_'))
            k++;
        if (!k || k > 32 || k + 2 > rest.len || rest.p[k] != ':' || rest.p[k + 1] != ' ')
            return 0;
        struct slice key = slice_make(rest.p, k);
        if (slice_eq(key, "client")) /* at most one: a second is inside the text */
            return 0;
        rest = dec_skip(rest, k + 2);
        struct slice val;
        if (rest.len && rest.p[0] == '"') {
            size_t i = 1;
            while (i < rest.len && rest.p[i] != '"')
                i += rest.p[i] == '\\' ? 2 : 1;
            if (i >= rest.len)
                return 0;
            val = slice_make(rest.p + 1, i - 1);
            rest = dec_skip(rest, i + 1);
        } else {
            long e = DEC_FIND(rest, ", ");
            val = e >= 0 ? slice_make(rest.p, (size_t)e) : rest;
            rest = dec_skip(rest, val.len);
        }
        kv[n].key = key;
        kv[n].val = val;
        n++;
    }
    return n;
}

static int nginx_error(const struct decode_job *job, struct event *ev)
{
    struct slice m = job->msg;
    /* "YYYY/MM/DD HH:MM:SS [" */
    if (m.len < 24 || m.p[4] != '/' || m.p[7] != '/' || m.p[10] != ' ' || m.p[13] != ':' ||
        m.p[16] != ':' || m.p[19] != ' ' || m.p[20] != '[')
        return ERR_PARSE;
    int y = dec_num(m.p, 4), mon = dec_num(m.p + 5, 2), d = dec_num(m.p + 8, 2);
    int h = dec_num(m.p + 11, 2), mi = dec_num(m.p + 14, 2), s = dec_num(m.p + 17, 2);
    struct slice rest = dec_skip(m, 21);
    long rb = slice_find_byte(rest, ']');
    if (rb < 1)
        return ERR_PARSE;
    struct slice level = slice_make(rest.p, (size_t)rb);
    if (!is_level(level))
        return ERR_PARSE;
    rest = dec_skip(rest, (size_t)rb + 1);
    if (!DEC_STARTS(rest, " "))
        return ERR_PARSE;
    rest = dec_skip(rest, 1);
    /* "PID#TID: " */
    long hash = slice_find_byte(rest, '#');
    long colon = DEC_FIND(rest, ": ");
    if (hash < 1 || colon < hash + 2)
        return ERR_PARSE;
    struct slice pid = slice_make(rest.p, (size_t)hash);
    struct slice tid = slice_make(rest.p + hash + 1, (size_t)(colon - hash - 1));
    if (!dec_all_digits(pid) || !dec_all_digits(tid))
        return ERR_PARSE;
    if (!set_time(job, ev, y, mon, d, h, mi, s, 0))
        return ERR_PARSE;
    rest = dec_skip(rest, (size_t)colon + 2);
    struct slice conn = SLICE_NULL;
    if (rest.len > 1 && rest.p[0] == '*') { /* "*5 ": the connection number */
        struct slice after;
        struct slice w = dec_word(dec_skip(rest, 1), &after);
        if (dec_all_digits(w)) {
            conn = w;
            rest = after;
        }
    }
    /* The context starts at the first ", client: " after which the rest of the line
     * parses as nginx's context; one inside the text (a logged path) does not. */
    struct kv kv[NGX_MAX_KV];
    size_t nkv = 0, tries = 0;
    struct slice text = rest;
    for (struct slice scan = rest; nkv == 0 && tries < NGX_MAX_TRIES; tries++) {
        long at = DEC_FIND(scan, ", client: ");
        if (at < 0)
            break;
        nkv = ngx_context(dec_skip(scan, (size_t)at + 10), kv);
        if (nkv) {
            text = slice_make(rest.p, (size_t)(scan.p + at - rest.p));
            break;
        }
        scan = dec_skip(scan, (size_t)at + 1);
    }

    event_add(ev, FIELD_level, level);
    event_add(ev, FIELD_pid, pid);
    event_add_named(ev, slice_cstr("tid"), tid);
    if (conn.len)
        event_add_named(ev, slice_cstr("connection"), conn);
    set_message(ev, text);
    for (size_t i = 0; i < nkv; i++) {
        struct slice k = kv[i].key, v = kv[i].val;
        if (slice_eq(k, "client"))
            event_add(ev, FIELD_c_ip, v);
        else if (slice_eq(k, "request"))
            decode_http_request(v, ev);
        else if (slice_eq(k, "host"))
            event_add(ev, FIELD_cs_host, v);
        else if (slice_eq(k, "referrer"))
            event_add(ev, FIELD_cs_referer, v);
        else if (slice_eq(k, "server"))
            event_add_named(ev, slice_cstr("server_name"), v);
        else if (slice_eq(k, "upstream"))
            event_add_named(ev, slice_cstr("upstream"), v);
        else
            event_add_named(ev, k, v);
    }
    return DK_NGINX_ERROR;
}

/* ---- Apache ----------------------------------------------------------------------- */

/* "[Www Mmm dd HH:MM:SS[.ffffff] yyyy]" at s; sets *used to the bytes taken. */
static bool apache_time(const struct decode_job *job, struct event *ev, struct slice s,
                        size_t *used)
{
    /* "[Mon Nov 25 10:00:00 2024]" is 26 bytes; a fraction adds up to 7 */
    if (s.len < 26 || s.p[0] != '[' || s.p[4] != ' ' || s.p[8] != ' ' || s.p[11] != ' ' ||
        s.p[14] != ':' || s.p[17] != ':')
        return false;
    unsigned mon = vtime_month3(s.p + 5);
    int d = s.p[9] == ' ' ? dec_num(s.p + 10, 1) : dec_num(s.p + 9, 2);
    int h = dec_num(s.p + 12, 2), mi = dec_num(s.p + 15, 2), sec = dec_num(s.p + 18, 2);
    size_t i = 20;
    int64_t frac = 0;
    if (s.p[i] == '.') {
        int64_t scale = NS_PER_SEC;
        for (i++; i < s.len && dec_isdigit(s.p[i]) && i < 30; i++) {
            scale /= 10;
            frac += (s.p[i] - '0') * scale;
        }
    }
    if (i + 6 > s.len || s.p[i] != ' ' || s.p[i + 5] != ']')
        return false;
    int y = dec_num(s.p + i + 1, 4);
    if (!mon || !set_time(job, ev, y, (int)mon, d, h, mi, sec, frac))
        return false;
    *used = i + 6;
    return true;
}

/* Splits "ADDR", "ADDR:PORT" or "[ADDR]:PORT" (port only when with_port). */
static bool apache_addr(struct slice a, bool with_port, struct slice *ip, struct slice *port)
{
    *port = SLICE_NULL;
    if (a.len > 2 && a.p[0] == '[') {
        long rb = slice_find_byte(a, ']');
        if (rb < 2)
            return false;
        *ip = slice_make(a.p + 1, (size_t)rb - 1);
        if ((size_t)rb + 1 < a.len) {
            if (a.p[rb + 1] != ':')
                return false;
            *port = dec_skip(a, (size_t)rb + 2);
        }
    } else {
        *ip = a;
        long last = -1, colons = 0;
        for (size_t i = 0; i < a.len; i++)
            if (a.p[i] == ':') {
                last = (long)i;
                colons++;
            }
        /* IPv4:port always; an unbracketed IPv6 only when the format has ports (2.4) */
        if (last > 0 && (colons == 1 || with_port)) {
            *ip = slice_make(a.p, (size_t)last);
            *port = dec_skip(a, (size_t)last + 1);
        }
    }
    return decode_looks_addr(*ip) && (!port->len || dec_all_digits(*port));
}

/* The request at the end of an Apache message ("... in request GET /x HTTP/1.1"). */
static void apache_request(struct slice msg, struct event *ev)
{
    long at = -1;
    for (struct slice scan = msg;;) {
        long f = DEC_FIND(scan, "request ");
        if (f < 0)
            break;
        at = (long)(scan.p - msg.p) + f;
        scan = dec_skip(scan, (size_t)f + 1);
    }
    if (at < 0)
        return;
    struct slice r = dec_skip(msg, (size_t)at + 8), rest;
    struct slice method = dec_word(r, &rest);
    if (!method.len || method.len > 20 || !rest.len)
        return;
    for (size_t i = 0; i < method.len; i++)
        if (method.p[i] < 'A' || method.p[i] > 'Z')
            return;
    decode_http_request(r, ev);
}

static int apache_error(const struct decode_job *job, struct event *ev)
{
    struct slice m = job->msg;
    size_t used;
    if (!apache_time(job, ev, m, &used))
        return ERR_PARSE;
    struct slice rest = dec_skip(m, used);
    /* the level group: "[module:level]", "[:level]" or 2.2's "[level]" */
    if (!DEC_STARTS(rest, " ["))
        return ERR_PARSE;
    long rb = slice_find_byte(rest, ']');
    if (rb < 3)
        return ERR_PARSE;
    struct slice grp = slice_make(rest.p + 2, (size_t)rb - 2);
    long colon = slice_find_byte(grp, ':');
    struct slice module = colon >= 0 ? slice_make(grp.p, (size_t)colon) : SLICE_NULL;
    struct slice level = colon >= 0 ? dec_skip(grp, (size_t)colon + 1) : grp;
    if (!is_level(level))
        return ERR_PARSE;
    bool v24 = colon >= 0;
    rest = dec_skip(rest, (size_t)rb + 1);

    struct slice pid = SLICE_NULL, tid = SLICE_NULL, cip = SLICE_NULL, cport = SLICE_NULL;
    struct slice rip = SLICE_NULL, rport = SLICE_NULL, oserr = SLICE_NULL;
    /* "[pid N:tid M]", "[client A]", "[remote A]" in any order, an OS error "(111)Text: "
     * among them (2.4's default puts it before the client); another group ends them */
    for (;;) {
        if (!oserr.len && DEC_STARTS(rest, " (")) {
            struct slice o = dec_skip(rest, 2);
            size_t d = 0;
            while (d < o.len && d < 12 && dec_isdigit(o.p[d]))
                d++;
            long e = DEC_FIND(o, ": ");
            if (d == 0 || d >= o.len || o.p[d] != ')' || e < (long)d + 2)
                break;
            oserr = slice_make(rest.p + 1, (size_t)e + 1);
            rest = dec_skip(o, (size_t)e + 1);
            continue;
        }
        if (!DEC_STARTS(rest, " ["))
            break;
        struct slice g = dec_skip(rest, 2);
        size_t end; /* index in g of the group's ']' */
        if (DEC_STARTS(g, "client [") || DEC_STARTS(g, "remote [")) {
            long inner = slice_find_byte(dec_skip(g, 8), ']');
            if (inner < 0)
                break;
            long outer = slice_find_byte(dec_skip(g, 8 + (size_t)inner + 1), ']');
            if (outer < 0)
                break;
            end = 8 + (size_t)inner + 1 + (size_t)outer;
        } else {
            long e = slice_find_byte(g, ']');
            if (e < 0)
                break;
            end = (size_t)e;
        }
        struct slice body = slice_make(g.p, end);
        if (DEC_STARTS(body, "pid ")) {
            struct slice v = dec_skip(body, 4);
            long c = DEC_FIND(v, ":tid ");
            pid = c >= 0 ? slice_make(v.p, (size_t)c) : v;
            tid = c >= 0 ? dec_skip(v, (size_t)c + 5) : SLICE_NULL;
            if (!dec_all_digits(pid) || (c >= 0 && !dec_all_digits(tid)))
                return ERR_PARSE;
        } else if (DEC_STARTS(body, "client ")) {
            if (!apache_addr(dec_skip(body, 7), v24, &cip, &cport))
                return ERR_PARSE;
        } else if (DEC_STARTS(body, "remote ")) {
            if (!apache_addr(dec_skip(body, 7), v24, &rip, &rport))
                return ERR_PARSE;
        } else {
            break;
        }
        rest = dec_skip(g, end + 1);
    }
    if (rest.len && rest.p[0] == ' ')
        rest = dec_skip(rest, 1);

    /* ", referer: URL" is appended last by Apache */
    struct slice referer = SLICE_NULL;
    long ref = -1;
    for (struct slice scan = rest;;) {
        long f = DEC_FIND(scan, ", referer: ");
        if (f < 0)
            break;
        ref = (long)(scan.p - rest.p) + f;
        scan = dec_skip(scan, (size_t)f + 1);
    }
    if (ref >= 0) {
        referer = dec_skip(rest, (size_t)ref + 11);
        rest = slice_make(rest.p, (size_t)ref);
    }
    /* "AH00126: " */
    struct slice code = SLICE_NULL, text = rest;
    if (rest.len >= 9 && DEC_STARTS(rest, "AH") && dec_num(rest.p + 2, 5) >= 0 &&
        rest.p[7] == ':' && rest.p[8] == ' ') {
        code = slice_make(rest.p, 7);
        text = dec_skip(rest, 9);
    }

    event_add(ev, FIELD_level, level);
    if (module.len)
        event_add(ev, FIELD_module, module);
    if (pid.len)
        event_add(ev, FIELD_pid, pid);
    if (tid.len)
        event_add_named(ev, slice_cstr("tid"), tid);
    if (cip.len)
        event_add(ev, FIELD_c_ip, cip);
    if (cport.len)
        event_add(ev, FIELD_src_port, cport);
    if (rip.len)
        event_add_named(ev, slice_cstr("remote_ip"), rip);
    if (rport.len)
        event_add_named(ev, slice_cstr("remote_port"), rport);
    if (oserr.len)
        event_add_named(ev, slice_cstr("os_error"), oserr);
    if (code.len)
        event_add(ev, FIELD_error_code, code);
    set_message(ev, text);
    apache_request(text, ev);
    if (referer.len)
        event_add(ev, FIELD_cs_referer, referer);
    return DK_APACHE_ERROR;
}

static int weberror_decode(const struct decode_job *job, struct event *ev)
{
    struct slice m = job->msg;
    if (m.len && m.p[0] == '[')
        return apache_error(job, ev);
    if (m.len && dec_isdigit(m.p[0]))
        return nginx_error(job, ev);
    return ERR_PARSE;
}

const struct decoder decode_weberror = {.name = "weberror", .decode = weberror_decode};
