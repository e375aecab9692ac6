/*
 * dec_access.c — Apache/nginx access logs in the common and combined formats, on their
 * own or behind a syslog header (program apache2/httpd/nginx, or any record whose
 * first bytes look like "ADDR IDENT USER [" — see decode.c):
 *   ADDR IDENT USER [dd/Mon/yyyy:HH:MM:SS +zzzz] "METHOD URI VERSION" STATUS BYTES
 *       ["REFERER" "USER-AGENT"]
 * Fields use the W3C names of Sigma's webserver taxonomy (c-ip, cs-username, cs-method,
 * cs-uri, cs-uri-stem, cs-uri-query without its '?', cs-version, sc-status, sc-bytes,
 * cs-referer, cs-user-agent). Values are kept exactly as logged — no URL decoding,
 * no unescaping of \" inside quotes — so rules see what the attacker sent. "-" means
 * "absent" in this format: such fields are left out. The bracketed time, which carries
 * its own offset, is the event time.
 */
#include "decode/decode_int.h"

/* Reads a quoted string at s (s.p[0] == '"'); sets *val to its inside, returns bytes
 * used including both quotes, or 0 when unterminated. Backslash escapes are skipped. */
static size_t quoted(struct slice s, struct slice *val)
{
    if (!s.len || s.p[0] != '"')
        return 0;
    for (size_t i = 1; i < s.len; i++) {
        if (s.p[i] == '\\') {
            i++;
            continue;
        }
        if (s.p[i] == '"') {
            *val = slice_make(s.p + 1, i - 1);
            return i + 1;
        }
    }
    return 0;
}

static int two(const char *p)
{
    if (!dec_isdigit(p[0]) || !dec_isdigit(p[1]))
        return -1;
    return (p[0] - '0') * 10 + (p[1] - '0');
}

/* "dd/Mon/yyyy:HH:MM:SS +zzzz" (26 bytes) → UTC ns. */
static int access_time(struct slice t, int64_t *ns)
{
    if (t.len != 26 || t.p[2] != '/' || t.p[6] != '/' || t.p[11] != ':' || t.p[14] != ':' ||
        t.p[17] != ':' || t.p[20] != ' ' || (t.p[21] != '+' && t.p[21] != '-'))
        return ERR_PARSE;
    int d = two(t.p), y1 = two(t.p + 7), y2 = two(t.p + 9), h = two(t.p + 12);
    int mi = two(t.p + 15), s = two(t.p + 18), oh = two(t.p + 22), om = two(t.p + 24);
    unsigned mon = vtime_month3(t.p + 3);
    if (d < 1 || d > 31 || y1 < 0 || y2 < 0 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 ||
        s > 60 || oh < 0 || om < 0 || oh > 23 || om > 59 || !mon ||
        y1 * 100 + y2 < DECODE_YEAR_MIN || y1 * 100 + y2 > DECODE_YEAR_MAX)
        return ERR_PARSE;
    int64_t local =
        vtime_from_civil(y1 * 100 + y2, mon, (unsigned)d, (unsigned)h, (unsigned)mi, (unsigned)s);
    int32_t off = (oh * 3600 + om * 60) * (t.p[21] == '-' ? -1 : 1);
    *ns = (local - off) * NS_PER_SEC;
    return 0;
}

static void add_opt(struct event *ev, uint16_t id, struct slice v)
{
    if (v.len && !(v.len == 1 && v.p[0] == '-'))
        event_add(ev, id, v);
}

/* See decode_int.h: splits the request line "METHOD URI VERSION" into its fields; the
 * values are slices of r (they live as long as r does). */
void decode_http_request(struct slice r, struct event *ev)
{
    if (!r.len || (r.len == 1 && r.p[0] == '-'))
        return;
    struct slice rest;
    struct slice method = dec_word(r, &rest);
    if (!rest.len) { /* not a request line (a TLS hello, garbage): keep it whole */
        event_add(ev, FIELD_cs_uri, r);
        return;
    }
    event_add(ev, FIELD_cs_method, method);
    struct slice uri = rest, version = SLICE_NULL;
    const char *sp = NULL;
    for (size_t i = rest.len; i-- > 0;)
        if (rest.p[i] == ' ') {
            sp = rest.p + i;
            break;
        }
    if (sp) {
        struct slice v = slice_make(sp + 1, (size_t)(rest.p + rest.len - sp - 1));
        if (DEC_STARTS(v, "HTTP/")) {
            version = v;
            uri = slice_make(rest.p, (size_t)(sp - rest.p));
        }
    }
    event_add(ev, FIELD_cs_uri, uri);
    long q = slice_find_byte(uri, '?');
    event_add(ev, FIELD_cs_uri_stem, q >= 0 ? slice_make(uri.p, (size_t)q) : uri);
    if (q >= 0 && (size_t)q + 1 < uri.len)
        event_add(ev, FIELD_cs_uri_query, dec_skip(uri, (size_t)q + 1));
    if (version.len)
        event_add(ev, FIELD_cs_version, version);
}

static int access_decode(const struct decode_job *job, struct event *ev)
{
    struct slice s = job->msg, rest;
    struct slice addr = dec_word(s, &rest);
    if (!decode_looks_addr(addr))
        return ERR_PARSE;
    struct slice ident = dec_word(rest, &rest);
    (void)ident;
    struct slice user = dec_word(rest, &rest);
    if (!rest.len || rest.p[0] != '[' || rest.len < 28 || rest.p[27] != ']')
        return ERR_PARSE;
    int64_t t;
    if (access_time(slice_make(rest.p + 1, 26), &t))
        return ERR_PARSE;
    rest = dec_skip(rest, 28);
    if (!DEC_STARTS(rest, " \""))
        return ERR_PARSE;
    rest = dec_skip(rest, 1);
    struct slice req;
    size_t n = quoted(rest, &req);
    if (!n)
        return ERR_PARSE;
    rest = dec_skip(rest, n);
    if (!DEC_STARTS(rest, " "))
        return ERR_PARSE;
    struct slice status = dec_word(dec_skip(rest, 1), &rest);
    if (status.len != 3 || !dec_isdigit(status.p[0]) || !dec_isdigit(status.p[1]) ||
        !dec_isdigit(status.p[2]))
        return ERR_PARSE;
    struct slice bytes = dec_word(rest, &rest);

    event_add(ev, FIELD_c_ip, addr);
    add_opt(ev, FIELD_cs_username, user);
    decode_http_request(req, ev);
    event_add(ev, FIELD_sc_status, status);
    add_opt(ev, FIELD_sc_bytes, bytes);
    struct slice ref, ua;
    if ((n = quoted(rest, &ref)) != 0) {
        add_opt(ev, FIELD_cs_referer, ref);
        rest = dec_skip(rest, n);
        if (DEC_STARTS(rest, " ") && quoted(dec_skip(rest, 1), &ua))
            add_opt(ev, FIELD_cs_user_agent, ua);
    }
    ev->time_ns = t;
    ev->flags &= ~(uint32_t)EVF_TIME_RECEIVED;
    if (job->hdr->present && slice_eq(job->hdr->program, "nginx"))
        return DK_NGINX;
    return DK_APACHE;
}

const struct decoder decode_access = {.name = "access", .decode = access_decode};
