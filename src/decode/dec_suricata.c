/*
 * dec_suricata.c — Suricata's EVE JSON, one event a line: the tail of eve.json
 * (headerless; decode.c picks this decoder for a '{' line naming "event_type") or EVE
 * sent by syslog (program "suricata"). Every event type is read the same way, through
 * dec_json.c's walker (decode_json_walk): each leaf is kept under Suricata's own
 * flattened name (alert.signature, http.hostname, dns.rrname, tls.sni,
 * fileinfo.filename, flow.bytes_toserver, ...), except that dest_ip and dest_port
 * become the common dst_ip and dst_port (src_ip, src_port and proto already carry the
 * common names). "timestamp" ("2024-11-25T10:00:00.123456+0000") is the event time
 * (the walker reads it) and is not kept as a field.
 *
 * The output kind follows event_type: "alert" → DK_SURICATA_ALERT (routes suricata and
 * ids; the ids aliases read sid, signature, ... from alert.*), "dns" → DK_SURICATA_DNS
 * (suricata and Sigma's dns: query and record_type are aliases of dns.rrname and
 * dns.rrtype), any other → DK_SURICATA. DNS in EVE version 3 lists its question under
 * dns.queries.N: the first one is also given as dns.rrname and dns.rrtype. Every answer
 * (dns.answers.N.rdata, or dns.grouped.TYPE.N) is also given as Sigma's `answer`
 * (repeated, once per distinct value), since no single EVE name holds them all.
 * A JSON object without a top-level event_type is not EVE: ERR_PARSE, and decode.c
 * hands the line to the plain JSON decoder. Suricata's syslog alert output (program
 * "suricata", "[1:2010935:3] ET SCAN ... {TCP} a:p -> b:q") is read by dec_snort.c's
 * decode_snort_alert and gives DK_SURICATA_FAST.
 */
#include "decode/decode_int.h"

struct suri {
    struct arena *arena;
    struct event *ev;
    struct slice event_type;
    bool have_type;
};

static bool is(struct slice p, const char *lit)
{
    return slice_eqs(p, slice_cstr(lit));
}

/* True when p is "PREFIX<digits>SUFFIX" (SUFFIX may be empty). */
static bool indexed(struct slice p, const char *prefix, const char *suffix)
{
    size_t pn = strlen(prefix), sn = strlen(suffix);
    if (p.len < pn + 1 + sn || memcmp(p.p, prefix, pn) != 0 ||
        memcmp(p.p + p.len - sn, suffix, sn) != 0)
        return false;
    for (size_t i = pn; i < p.len - sn; i++)
        if (!dec_isdigit(p.p[i]))
            return false;
    return true;
}

/* Adds v as `answer` unless an equal answer is there already. */
static void add_answer(struct event *ev, struct slice v)
{
    for (unsigned i = 0; i < ev->nfields; i++)
        if (ev->fields[i].id == FIELD_answer && slice_eqs(ev->fields[i].value, v))
            return;
    event_add(ev, FIELD_answer, v);
}

static int leaf_cb(void *ctx, struct slice path, struct slice v)
{
    struct suri *s = ctx;
    if (!path.len || is(path, "timestamp"))
        return 0;
    if (is(path, "dest_ip")) {
        event_add(s->ev, FIELD_dst_ip, v);
        return 0;
    }
    if (is(path, "dest_port")) {
        event_add(s->ev, FIELD_dst_port, v);
        return 0;
    }
    if (is(path, "event_type")) {
        s->event_type = v;
        s->have_type = true;
    } else if (path.len > 4 && !memcmp(path.p, "dns.", 4)) {
        if (is(path, "dns.queries.0.rrname"))
            event_add(s->ev, FIELD_dns_rrname, v);
        else if (is(path, "dns.queries.0.rrtype"))
            event_add(s->ev, FIELD_dns_rrtype, v);
        else if (indexed(path, "dns.answers.", ".rdata"))
            add_answer(s->ev, v);
        else if (path.len > 12 && !memcmp(path.p, "dns.grouped.", 12)) {
            long dot = slice_find_byte(dec_skip(path, 12), '.');
            if (dot > 0 && indexed(dec_skip(path, 12 + (size_t)dot), ".", ""))
                add_answer(s->ev, v);
        }
    }
    if (s->ev->nfields >= EVENT_MAX_FIELDS) {
        s->ev->flags |= EVF_FIELDS_DROPPED;
        return 0;
    }
    char *name = arena_dup(s->arena, path.p, path.len);
    if (!name)
        return ERR_NOMEM;
    event_add_named(s->ev, slice_make(name, path.len), v);
    return 0;
}

static int suricata_decode(const struct decode_job *job, struct event *ev)
{
    struct slice m = job->msg;
    if (m.len && m.p[0] == '[')
        return decode_snort_alert(m, ev) ? ERR_PARSE : DK_SURICATA_FAST;
    struct suri s = {.arena = job->arena, .ev = ev};
    int rc = decode_json_walk(job, ev, leaf_cb, &s);
    if (rc)
        return rc;
    if (!s.have_type)
        return ERR_PARSE;
    if (is(s.event_type, "alert"))
        return DK_SURICATA_ALERT;
    if (is(s.event_type, "dns"))
        return DK_SURICATA_DNS;
    return DK_SURICATA;
}

const struct decoder decode_suricata = {.name = "suricata", .decode = suricata_decode};
