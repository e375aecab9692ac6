/*
 * dec_fortigate.c — FortiGate (FortiOS) log lines: key=value pairs, values quoted when
 * they may hold spaces ("..."; a '"' or '\' inside is written \" or \\):
 *   date=2024-11-25 time=10:00:00 devname="FG100E" devid="FG100E3G1..." logid="0000000013"
 *   type="traffic" subtype="forward" level="notice" vd="root" eventtime=1732528800123456789
 *   tz="+0800" srcip=203.0.113.5 srcport=51234 srcintf="port1" dstip=10.0.0.2 ...
 * sent with a PRI and no syslog timestamp ("<189>date=..."), or after a relay's syslog
 * header, or headerless; decode.c sends a message that starts "date=" with a devname= or
 * logid= key here (and any line when an input's format is "fortigate").
 * Fields: srcip, srcport, dstip, dstport, srcintf, dstintf → src_ip, src_port, dst_ip,
 * dst_port, src_zone, dst_zone; every other key under its own name (logid, type,
 * subtype, level, action as written, user, proto as the number written, cfgpath, msg,
 * ...; a UTM log's severity= replaces the syslog header's, kept as syslog_severity). Time:
 * eventtime (epoch in s, ms, us or ns by its digits), else date and time in tz= ("+0800") or the
 * source's zone. A line that is not key=value pairs from its first byte, or lacks
 * logid/devname/type, is not ours (ERR_PARSE).
 */
#include "decode/decode_int.h"

/* FortiGate names that have a Sigma taxonomy name: the pair goes under that name. */
static const struct {
    const char *key, *field;
} forti_names[] = {
    {"srcip", "src_ip"},     {"srcport", "src_port"}, {"dstip", "dst_ip"},
    {"dstport", "dst_port"}, {"srcintf", "src_zone"}, {"dstintf", "dst_zone"},
};

/* Adds pair k=v to ev: under its Sigma name (forti_names), else its own. */
static void add_pair(struct event *ev, struct slice k, struct slice v)
{
    for (size_t i = 0; i < sizeof forti_names / sizeof forti_names[0]; i++) {
        if (slice_eq(k, forti_names[i].key)) {
            event_add_named(ev, slice_cstr(forti_names[i].field), v);
            return;
        }
    }
    event_add_named(ev, k, v);
}

static bool is_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || dec_isdigit(c) || c == '_' ||
           c == '-' || c == '.';
}

/* Reads one "key=value" at *s (after spaces); false at the end or on a non-pair.
 * Escaped quoted values are unescaped into arena (*nomem set when it is full). */
static bool next_pair(struct slice *s, struct arena *arena, struct slice *k, struct slice *v,
                      bool *nomem)
{
    size_t i = 0;
    while (i < s->len && s->p[i] == ' ')
        i++;
    size_t k0 = i;
    while (i < s->len && is_key_char(s->p[i]))
        i++;
    if (i == k0 || i >= s->len || s->p[i] != '=')
        return false;
    *k = slice_make(s->p + k0, i - k0);
    i++;
    if (i < s->len && s->p[i] == '"') {
        size_t v0 = ++i;
        bool esc = false;
        while (i < s->len && s->p[i] != '"') {
            if (s->p[i] == '\\' && i + 1 < s->len) {
                esc = true;
                i++;
            }
            i++;
        }
        *v = slice_make(s->p + v0, i - v0); /* a truncated quote: the rest of the line */
        if (i < s->len)
            i++;
        if (esc) {
            char *d = arena_alloc(arena, v->len);
            if (!d) {
                *nomem = true;
                return false;
            }
            size_t o = 0;
            for (size_t j = 0; j < v->len; j++) {
                if (v->p[j] == '\\' && j + 1 < v->len)
                    j++;
                d[o++] = v->p[j];
            }
            *v = slice_make(d, o);
        }
    } else {
        size_t v0 = i;
        while (i < s->len && s->p[i] != ' ')
            i++;
        *v = slice_make(s->p + v0, i - v0);
    }
    *s = dec_skip(*s, i);
    return true;
}

static bool digits(struct slice s, size_t n)
{
    if (s.len != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!dec_isdigit(s.p[i]))
            return false;
    return true;
}

static unsigned num2(const char *p)
{
    return (unsigned)(p[0] - '0') * 10 + (unsigned)(p[1] - '0');
}

/* The event time from eventtime, else date + time (+ tz). */
static void forti_time(const struct decode_job *job, struct slice date, struct slice time,
                       struct slice tz, struct slice eventtime, struct event *ev)
{
    uint64_t et;
    if (eventtime.len >= 9 && eventtime.len <= 19 && slice_to_u64(eventtime, &et) == 0) {
        int64_t ns;
        if (eventtime.len <= 10)
            ns = (int64_t)et * NS_PER_SEC;
        else if (eventtime.len <= 13)
            ns = (int64_t)et * 1000000;
        else if (eventtime.len <= 16)
            ns = (int64_t)et * 1000;
        else
            ns = (int64_t)et;
        ev->time_ns = ns;
        ev->flags &= ~(uint32_t)EVF_TIME_RECEIVED;
        return;
    }
    /* date=2024-11-25 time=10:00:00 */
    if (date.len != 10 || date.p[4] != '-' || date.p[7] != '-' || time.len != 8 ||
        time.p[2] != ':' || time.p[5] != ':')
        return;
    struct slice y = slice_make(date.p, 4);
    uint64_t year;
    if (!digits(y, 4) || slice_to_u64(y, &year) != 0)
        return;
    for (size_t i = 0; i < 8; i += 3)
        if (!dec_isdigit(time.p[i]) || !dec_isdigit(time.p[i + 1]))
            return;
    if (!dec_isdigit(date.p[5]) || !dec_isdigit(date.p[6]) || !dec_isdigit(date.p[8]) ||
        !dec_isdigit(date.p[9]))
        return;
    const struct vtz *zone = job->src && job->src->tz ? job->src->tz : vtz_utc();
    int64_t off = 0;
    /* tz="+0800" / "-0500" */
    if (tz.len == 5 && (tz.p[0] == '+' || tz.p[0] == '-') && digits(dec_skip(tz, 1), 4)) {
        off = (int64_t)(num2(tz.p + 1) * 3600 + num2(tz.p + 3) * 60);
        if (tz.p[0] == '-')
            off = -off;
        zone = vtz_utc();
    }
    int64_t ns;
    if (decode_civil_time((int64_t)year, num2(date.p + 5), num2(date.p + 8), num2(time.p),
                          num2(time.p + 3), num2(time.p + 6), 0, zone, job->received_ns, &ns) != 0)
        return;
    ev->time_ns = ns - off * NS_PER_SEC;
    ev->flags &= ~(uint32_t)EVF_TIME_RECEIVED;
}

static int forti_decode(const struct decode_job *job, struct event *ev)
{
    struct slice m = job->msg, k, v;
    struct slice date = {0}, time = {0}, tz = {0}, eventtime = {0}, type = {0};
    struct slice severity = {0};
    bool nomem = false, known = false;
    unsigned n = 0;
    while (next_pair(&m, job->arena, &k, &v, &nomem)) {
        n++;
        if (slice_eq(k, "severity"))
            severity = v; /* the header's severity moves once the line is ours */
        else
            add_pair(ev, k, v);
        if (slice_eq(k, "date"))
            date = v;
        else if (slice_eq(k, "time"))
            time = v;
        else if (slice_eq(k, "tz"))
            tz = v;
        else if (slice_eq(k, "eventtime"))
            eventtime = v;
        else if (slice_eq(k, "type"))
            type = v;
        if (slice_eq(k, "logid") || slice_eq(k, "devname") || slice_eq(k, "devid"))
            known = true;
    }
    if (nomem)
        return ERR_NOMEM;
    if (n < 2 || !known)
        return ERR_PARSE;
    if (severity.len)
        decode_take_field(ev, FIELD_severity, severity, "syslog_severity");
    forti_time(job, date, time, tz, eventtime, ev);
    if (!job->hdr->present)
        event_add(ev, FIELD_message, job->msg);
    return slice_eq(type, "traffic") ? DK_FORTIGATE_TRAFFIC : DK_FORTIGATE;
}

const struct decoder decode_fortigate = {.name = "fortigate", .decode = forti_decode};
