/*
 * dec_cef.c — the vendor-neutral "header|fields" formats: ArcSight CEF and IBM QRadar
 * LEEF, headerless or after a syslog header (decode.c sends a message that starts
 * "CEF:" or "LEEF:" here).
 *   CEF:0|Vendor|Product|Version|SignatureID|Name|Severity|k1=v1 k2=v 2 ...
 * Header fields escape '|' and '\' as "\|", "\\"; extension values escape '=' and '\'
 * ("\=", "\\") and write newlines as "\n", "\r", and may hold spaces: a value runs to the
 * space before the next "key=". Fields: cef_version, device_vendor, device_product,
 * device_version, signature_id, name, severity (the header's; the syslog PRI's moves to
 * syslog_severity); extension keys src, dst, spt, dpt, suser, duser, act, proto as
 * src_ip, dst_ip, src_port, dst_port, user, target_user, action, proto, others by their
 * own names; rt (epoch ms) as the event time.
 *   LEEF:1.0|Vendor|Product|Version|EventID|k1=v1<TAB>k2=v2
 *   LEEF:2.0|Vendor|Product|Version|EventID|DELIM|k1=v1DELIMk2=v2
 * (DELIM one character or its hex "x5E"/"0x5E"; tab when empty). Fields: leef_version,
 * device_vendor, device_product, device_version, event_id; src, dst, srcPort, dstPort,
 * usrName, proto as src_ip, dst_ip, src_port, dst_port, user, proto, others by their own
 * names. A message with fewer header fields than its format's, or a CEF severity that is
 * not one (an unescaped '|' in the header), is not ours (ERR_PARSE).
 */
#include "decode/decode_int.h"

/* The next '|'-terminated header field of *s (escapes kept); false at no '|'. */
static bool hdr_field(struct slice *s, struct slice *out)
{
    for (size_t i = 0; i < s->len; i++) {
        if (s->p[i] == '\\' && i + 1 < s->len) {
            i++;
            continue;
        }
        if (s->p[i] == '|') {
            *out = slice_make(s->p, i);
            *s = dec_skip(*s, i + 1);
            return true;
        }
    }
    return false;
}

/* v with its backslash escapes undone (\n, \r as newline, carriage return; \x as x),
 * copied into arena when it has any. Returns 0 or ERR_NOMEM. */
static int unescape(struct arena *arena, struct slice *v)
{
    if (slice_find_byte(*v, '\\') < 0)
        return 0;
    char *d = arena_alloc(arena, v->len);
    if (!d)
        return ERR_NOMEM;
    size_t o = 0;
    for (size_t i = 0; i < v->len; i++) {
        char c = v->p[i];
        if (c == '\\' && i + 1 < v->len) {
            c = v->p[++i];
            if (c == 'n')
                c = '\n';
            else if (c == 'r')
                c = '\r';
        }
        d[o++] = c;
    }
    *v = slice_make(d, o);
    return 0;
}

static int add_unescaped(struct arena *arena, struct event *ev, const char *name, struct slice v)
{
    int rc = unescape(arena, &v);
    if (rc)
        return rc;
    if (v.len)
        event_add_named(ev, slice_cstr(name), v);
    return 0;
}

static bool is_ext_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || dec_isdigit(c) || c == '_' ||
           c == '.' || c == '-' || c == '[' || c == ']';
}

/* Length of the "key=" at s (key chars then '='), or 0. */
static size_t key_at(struct slice s)
{
    size_t i = 0;
    while (i < s.len && i < 64 && is_ext_key_char(s.p[i]))
        i++;
    return i > 0 && i < s.len && s.p[i] == '=' ? i : 0;
}

/* Extension keys with a Sigma name: CEF's, then LEEF's. */
static const struct {
    const char *key, *field;
} ext_names[] = {
    {"src", "src_ip"},       {"dst", "dst_ip"},        {"spt", "src_port"}, {"dpt", "dst_port"},
    {"suser", "user"},       {"duser", "target_user"}, {"act", "action"},   {"proto", "proto"},
    {"srcPort", "src_port"}, {"dstPort", "dst_port"},  {"usrName", "user"},
};

static void add_ext(struct event *ev, struct slice k, struct slice v)
{
    if (!v.len)
        return;
    for (size_t i = 0; i < sizeof ext_names / sizeof ext_names[0]; i++) {
        if (slice_eq(k, ext_names[i].key)) {
            event_add_named(ev, slice_cstr(ext_names[i].field), v);
            return;
        }
    }
    if (slice_eq(k, "severity"))
        decode_take_field(ev, FIELD_severity, v, "syslog_severity");
    else
        event_add_named(ev, k, v);
}

/* CEF's "rt" as epoch milliseconds. */
static void cef_time(struct slice v, struct event *ev)
{
    uint64_t ms;
    if (v.len >= 12 && v.len <= 13 && slice_to_u64(v, &ms) == 0) {
        ev->time_ns = (int64_t)ms * 1000000;
        ev->flags &= ~(uint32_t)EVF_TIME_RECEIVED;
    }
}

/* The CEF extension: "k=v k=v with spaces k=v". */
static int cef_ext(struct arena *arena, struct slice s, struct event *ev)
{
    size_t kl;
    while (s.len && s.p[0] == ' ')
        s = dec_skip(s, 1);
    while (s.len && (kl = key_at(s)) > 0) {
        struct slice k = slice_make(s.p, kl);
        s = dec_skip(s, kl + 1);
        /* the value ends at the space before the next unescaped "key=" */
        size_t i = 0, end = s.len;
        for (; i < s.len; i++) {
            if (s.p[i] == '\\') {
                i++;
                continue;
            }
            if (s.p[i] == ' ' && key_at(dec_skip(s, i + 1))) {
                end = i;
                break;
            }
        }
        struct slice v = slice_make(s.p, end);
        while (v.len && v.p[v.len - 1] == ' ')
            v.len--;
        int rc = unescape(arena, &v);
        if (rc)
            return rc;
        add_ext(ev, k, v);
        if (slice_eq(k, "rt"))
            cef_time(v, ev);
        s = dec_skip(s, end < s.len ? end + 1 : end);
    }
    return 0;
}

/* CEF's severity: 0..10, or Unknown, Low, Medium, High, Very-High. A header with an
 * unescaped '|' in a field puts other text here: not CEF. */
static bool cef_severity(struct slice s)
{
    if (s.len == 1 || s.len == 2) {
        uint64_t n;
        if (slice_to_u64(s, &n) == 0)
            return n <= 10;
    }
    static const char *const words[] = {"Unknown", "Low", "Medium", "High", "Very-High"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (slice_eq_nocase(s, words[i]))
            return true;
    return false;
}

static int cef(const struct decode_job *job, struct slice m, struct event *ev)
{
    static const char *const names[] = {"cef_version",    "device_vendor", "device_product",
                                        "device_version", "signature_id",  "name"};
    struct slice f[7];
    for (int i = 0; i < 7; i++)
        if (!hdr_field(&m, &f[i]))
            return ERR_PARSE;
    if (!f[0].len || !dec_isdigit(f[0].p[0]) || !cef_severity(f[6]))
        return ERR_PARSE;
    int rc = 0;
    for (int i = 0; i < 6 && !rc; i++)
        rc = add_unescaped(job->arena, ev, names[i], f[i]);
    if (rc)
        return rc;
    struct slice sev = f[6];
    if (sev.len)
        decode_take_field(ev, FIELD_severity, sev, "syslog_severity");
    if ((rc = cef_ext(job->arena, m, ev)) != 0)
        return rc;
    return DK_CEF;
}

/* LEEF 2.0's delimiter field: one character, or "xHH"/"0xHH"; tab when empty. */
static bool leef_delim(struct slice d, char *out)
{
    if (!d.len) {
        *out = '\t';
        return true;
    }
    if (d.len == 1) {
        *out = d.p[0];
        return true;
    }
    if (DEC_STARTS(d, "0x") || DEC_STARTS(d, "0X"))
        d = dec_skip(d, 2);
    else if (d.p[0] == 'x' || d.p[0] == 'X')
        d = dec_skip(d, 1);
    if (d.len < 1 || d.len > 2)
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < d.len; i++) {
        char c = d.p[i];
        unsigned h = dec_isdigit(c)           ? (unsigned)(c - '0')
                     : (c >= 'a' && c <= 'f') ? (unsigned)(c - 'a' + 10)
                     : (c >= 'A' && c <= 'F') ? (unsigned)(c - 'A' + 10)
                                              : 16u;
        if (h > 15)
            return false;
        v = v * 16 + h;
    }
    if (!v)
        return false;
    *out = (char)v;
    return true;
}

static int leef(const struct decode_job *job, struct slice m, struct event *ev)
{
    static const char *const names[] = {"leef_version", "device_vendor", "device_product",
                                        "device_version", "event_id"};
    struct slice f[5];
    for (int i = 0; i < 5; i++)
        if (!hdr_field(&m, &f[i]))
            return ERR_PARSE;
    if (!f[0].len || !dec_isdigit(f[0].p[0]))
        return ERR_PARSE;
    char delim = '\t';
    if (DEC_STARTS(f[0], "2.")) {
        struct slice d;
        if (!hdr_field(&m, &d) || !leef_delim(d, &delim))
            return ERR_PARSE;
    }
    int rc = 0;
    for (int i = 0; i < 5 && !rc; i++)
        rc = add_unescaped(job->arena, ev, names[i], f[i]);
    if (rc)
        return rc;
    while (m.len) {
        long d = slice_find_byte(m, delim);
        struct slice a = d < 0 ? m : slice_make(m.p, (size_t)d);
        m = d < 0 ? slice_make(m.p + m.len, 0) : dec_skip(m, (size_t)d + 1);
        long eq = slice_find_byte(a, '=');
        if (eq <= 0)
            continue;
        add_ext(ev, slice_trim(slice_make(a.p, (size_t)eq)), dec_skip(a, (size_t)eq + 1));
    }
    return DK_LEEF;
}

static int cef_decode(const struct decode_job *job, struct event *ev)
{
    struct slice m = job->msg;
    int kind;
    if (DEC_STARTS(m, "CEF:"))
        kind = cef(job, dec_skip(m, 4), ev);
    else if (DEC_STARTS(m, "LEEF:"))
        kind = leef(job, dec_skip(m, 5), ev);
    else
        return ERR_PARSE;
    if (kind >= 0 && !job->hdr->present)
        event_add(ev, FIELD_message, m);
    return kind;
}

const struct decoder decode_cef = {.name = "cef", .decode = cef_decode};
