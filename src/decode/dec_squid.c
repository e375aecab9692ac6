/*
 * dec_squid.c — Squid's native access.log, headerless (a tailed file: decode.c picks it
 * by its "EPOCH.mmm  ELAPSED " start) or behind a syslog header (program "squid"):
 *   time elapsed client result/status bytes method URL user hierarchy/peer type
 *   1732528800.123    456 203.0.113.5 TCP_MISS/200 1234 GET http://example.com/x?y=1 -
 *       HIER_DIRECT/93.184.216.34 text/html
 * Columns are separated by runs of spaces (Squid pads elapsed). The first seven are
 * required; user, hierarchy and type may be missing (a cut line). Fields use Sigma's
 * proxy taxonomy: c-ip, cs-method, c-uri (as logged), cs-host and r-dns (the URL's host,
 * or CONNECT's host), dst_port (an explicit port), c-uri-query (without '?'),
 * c-uri-extension (of the path's last segment), sc-status, sc-bytes, cs-username,
 * time-taken (ms); Squid's own: result_code (TCP_MISS), hierarchy (HIER_DIRECT), dst_ip
 * (the peer when it is an address, else peer_host), content_type. "-" means absent. The
 * epoch time is the event time. Native lines carry no user agent (c-useragent).
 */
#include "decode/decode_int.h"

#define SQUID_COLS 10

/* Splits s at runs of spaces into at most max words; returns the count. */
static size_t split(struct slice s, struct slice *w, size_t max)
{
    size_t n = 0, i = 0;
    while (i < s.len && n < max) {
        while (i < s.len && s.p[i] == ' ')
            i++;
        if (i == s.len)
            break;
        size_t b = i;
        while (i < s.len && s.p[i] != ' ')
            i++;
        w[n++] = slice_make(s.p + b, i - b);
    }
    return n;
}

static bool digits(struct slice s, size_t max)
{
    if (!s.len || s.len > max)
        return false;
    for (size_t i = 0; i < s.len; i++)
        if (!dec_isdigit(s.p[i]))
            return false;
    return true;
}

/* "1732528800.123" → ns. */
static bool epoch(struct slice t, int64_t *ns)
{
    long dot = slice_find_byte(t, '.');
    struct slice sec = dot >= 0 ? slice_make(t.p, (size_t)dot) : t;
    struct slice frac = dot >= 0 ? dec_skip(t, (size_t)dot + 1) : SLICE_NULL;
    if (!digits(sec, 11) || (dot >= 0 && !digits(frac, 9)))
        return false;
    int64_t s = 0, f = 0, scale = NS_PER_SEC;
    for (size_t i = 0; i < sec.len; i++)
        s = s * 10 + (sec.p[i] - '0');
    for (size_t i = 0; i < frac.len; i++) {
        scale /= 10;
        f += (frac.p[i] - '0') * scale;
    }
    /* 2260-01-01: beyond it ns overflow (DECODE_YEAR_MAX) */
    if (s > 9088761600LL)
        return false;
    *ns = s * NS_PER_SEC + f;
    return true;
}

static bool absent(struct slice v)
{
    return !v.len || (v.len == 1 && v.p[0] == '-');
}

static bool ip_literal(struct slice s)
{
    if (!s.len)
        return false;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        if (!(dec_isdigit(c) || c == '.' || c == ':' || (c >= 'a' && c <= 'f') ||
              (c >= 'A' && c <= 'F')))
            return false;
    }
    return slice_find_byte(s, '.') >= 0 || slice_find_byte(s, ':') >= 0;
}

/* "host", "host:port", "[v6]", "[v6]:port" → host and port (port may be empty). */
static void host_port(struct slice a, struct slice *host, struct slice *port)
{
    *port = SLICE_NULL;
    *host = a;
    if (a.len && a.p[0] == '[') {
        long rb = slice_find_byte(a, ']');
        if (rb < 1)
            return;
        *host = slice_make(a.p + 1, (size_t)rb - 1);
        if ((size_t)rb + 1 < a.len && a.p[rb + 1] == ':')
            *port = dec_skip(a, (size_t)rb + 2);
        return;
    }
    long c = slice_find_byte(a, ':');
    if (c >= 0 && slice_find_byte(dec_skip(a, (size_t)c + 1), ':') < 0) {
        *host = slice_make(a.p, (size_t)c);
        *port = dec_skip(a, (size_t)c + 1);
    }
}

/* The URL's parts: host, port, query, extension of the last path segment. */
static void url_fields(struct slice method, struct slice url, struct event *ev)
{
    struct slice auth = url, path = SLICE_NULL;
    if (!slice_eq(method, "CONNECT")) {
        long sch = DEC_FIND(url, "://");
        if (sch < 1)
            return; /* "error:invalid-request", a relative URL: no host */
        auth = dec_skip(url, (size_t)sch + 3);
        size_t e = 0;
        while (e < auth.len && auth.p[e] != '/' && auth.p[e] != '?' && auth.p[e] != '#')
            e++;
        path = dec_skip(auth, e);
        auth = slice_make(auth.p, e);
        long at = slice_find_byte(auth, '@'); /* user:pass@host */
        if (at >= 0)
            auth = dec_skip(auth, (size_t)at + 1);
    }
    struct slice host, port;
    host_port(auth, &host, &port);
    if (host.len) {
        event_add(ev, FIELD_cs_host, host);
        event_add(ev, FIELD_r_dns, host);
    }
    if (digits(port, 5))
        event_add(ev, FIELD_dst_port, port);
    if (!path.len)
        return;
    long hash = slice_find_byte(path, '#');
    if (hash >= 0)
        path = slice_make(path.p, (size_t)hash);
    long q = slice_find_byte(path, '?');
    if (q >= 0 && (size_t)q + 1 < path.len)
        event_add(ev, FIELD_c_uri_query, dec_skip(path, (size_t)q + 1));
    struct slice stem = q >= 0 ? slice_make(path.p, (size_t)q) : path;
    size_t i = stem.len;
    while (i > 0 && stem.p[i - 1] != '/' && stem.p[i - 1] != '.')
        i--;
    if (i > 0 && stem.p[i - 1] == '.' && i < stem.len)
        event_add(ev, FIELD_c_uri_extension, dec_skip(stem, i));
}

static int squid_decode(const struct decode_job *job, struct event *ev)
{
    struct slice w[SQUID_COLS];
    size_t n = split(job->msg, w, SQUID_COLS);
    if (n < 7)
        return ERR_PARSE;
    int64_t t;
    if (!epoch(w[0], &t) || !digits(w[1], 12) || !decode_looks_addr(w[2]))
        return ERR_PARSE;
    long sl = slice_find_byte(w[3], '/');
    if (sl < 1 || !digits(dec_skip(w[3], (size_t)sl + 1), 3))
        return ERR_PARSE;
    struct slice result = slice_make(w[3].p, (size_t)sl);
    for (size_t i = 0; i < result.len; i++)
        if (!((result.p[i] >= 'A' && result.p[i] <= 'Z') || result.p[i] == '_'))
            return ERR_PARSE;
    if (!digits(w[4], 20) || w[5].len > 32)
        return ERR_PARSE;
    for (size_t i = 0; i < w[5].len; i++) /* a method, or "NONE" / "-" */
        if (!((w[5].p[i] >= 'A' && w[5].p[i] <= 'Z') || w[5].p[i] == '_' || w[5].p[i] == '-'))
            return ERR_PARSE;

    event_add(ev, FIELD_c_ip, w[2]);
    event_add(ev, FIELD_time_taken, w[1]);
    event_add_named(ev, slice_cstr("result_code"), result);
    event_add(ev, FIELD_sc_status, dec_skip(w[3], (size_t)sl + 1));
    event_add(ev, FIELD_sc_bytes, w[4]);
    if (!absent(w[5]))
        event_add(ev, FIELD_cs_method, w[5]);
    if (!absent(w[6])) {
        event_add(ev, FIELD_c_uri, w[6]);
        url_fields(w[5], w[6], ev);
    }
    if (n > 7 && !absent(w[7]))
        event_add(ev, FIELD_cs_username, w[7]);
    if (n > 8) {
        long h = slice_find_byte(w[8], '/');
        struct slice hier = h >= 0 ? slice_make(w[8].p, (size_t)h) : w[8];
        struct slice peer = h >= 0 ? dec_skip(w[8], (size_t)h + 1) : SLICE_NULL;
        if (!absent(hier))
            event_add_named(ev, slice_cstr("hierarchy"), hier);
        if (!absent(peer) && ip_literal(peer))
            event_add(ev, FIELD_dst_ip, peer);
        else if (!absent(peer))
            event_add_named(ev, slice_cstr("peer_host"), peer);
    }
    if (n > 9 && !absent(w[9]))
        event_add_named(ev, slice_cstr("content_type"), w[9]);
    ev->time_ns = t;
    ev->flags &= ~(uint32_t)EVF_TIME_RECEIVED;
    return DK_SQUID;
}

const struct decoder decode_squid = {.name = "squid", .decode = squid_decode};
