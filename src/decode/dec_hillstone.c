/*
 * dec_hillstone.c — Hillstone StoneOS firewall logs. After the syslog header a line is
 *   SERIAL(VSYS) [EVENT_ID ]Type@MODULE: content
 *   YYYY-MM-DD HH:MM:SS, Type@MODULE: content
 * e.g. "0132051300000001(root) 44243624 Traffic@FLOW: SESSION: 10.0.0.5:51234->
 * 203.0.113.5:443(TCP), ..." or "2024-11-25 10:00:00, SECURITY@FLOW: ...", content in
 * English or Chinese. Without a header (or with the host before it) syslog.c reads the
 * date as the time and "Type@MODULE:" as the TAG; decode.c then dispatches on the
 * TAG's shape and this decoder takes the prefix from the program. The second form's
 * date is the device's local time: read in the source's zone, it is the event time.
 * Fields: log_category (Type), module, serial, vsys, event_id; from the content the
 * first "A:p->B:p(PROTO)" (or "A->B(PROTO)") as src_ip, src_port, dst_ip, dst_port,
 * proto, "policy N" as policy, and action allowed/blocked with blocked from the words
 * permit/deny (or 允许/拒绝). Lines with both addresses are firewall events.
 */
#include "decode/decode_int.h"

static bool word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || dec_isdigit(c) || c == '_' ||
           c == '-';
}

/* "Type@MODULE" exactly; sets both halves. */
static bool type_module(struct slice t, struct slice *type, struct slice *module)
{
    long at = slice_find_byte(t, '@');
    if (at <= 0 || (size_t)at + 1 >= t.len || t.len > 64)
        return false;
    for (size_t i = 0; i < t.len; i++)
        if ((long)i != at && !word_char(t.p[i]))
            return false;
    *type = slice_make(t.p, (size_t)at);
    *module = dec_skip(t, (size_t)at + 1);
    return true;
}

/* "Type@MODULE: " at s; *rest is the content. */
static bool tm_colon(struct slice s, struct slice *type, struct slice *module, struct slice *rest)
{
    long c = slice_find_byte(slice_make(s.p, s.len < 66 ? s.len : 66), ':');
    if (c <= 0 || !type_module(slice_make(s.p, (size_t)c), type, module))
        return false;
    *rest = slice_trim(dec_skip(s, (size_t)c + 1));
    return true;
}

/* An address and optional ":port" ending at "->" or at "(": IPv6 keeps its colons
 * unless the port form "[v6]:p" is used. */
static void add_addr(struct slice a, uint16_t ip, uint16_t port, struct event *ev)
{
    struct slice p = SLICE_NULL;
    long last = -1;
    size_t colons = 0;
    for (size_t i = 0; i < a.len; i++)
        if (a.p[i] == ':') {
            colons++;
            last = (long)i;
        }
    if (a.len && a.p[0] == '[') {
        long rb = slice_find_byte(a, ']');
        if (rb > 1) {
            if ((size_t)rb + 2 < a.len && a.p[rb + 1] == ':')
                p = dec_skip(a, (size_t)rb + 2);
            a = slice_make(a.p + 1, (size_t)rb - 1);
        }
    } else if (colons == 1) {
        p = dec_skip(a, (size_t)last + 1);
        a.len = (size_t)last;
    }
    /* a line cut inside an address ("203.0.") gives none */
    if (a.len && a.p[a.len - 1] != '.' && a.p[a.len - 1] != ':' && decode_looks_addr(a))
        event_add(ev, ip, a);
    if (p.len && dec_isdigit(p.p[0]))
        event_add(ev, port, p);
}

/* The first "A->B(PROTO)" of the content. */
static void flow(struct slice c, struct event *ev)
{
    long arrow = DEC_FIND(c, "->");
    if (arrow <= 0)
        return;
    size_t b = (size_t)arrow;
    while (b && c.p[b - 1] != ' ' && c.p[b - 1] != ',')
        b--;
    struct slice src = slice_make(c.p + b, (size_t)arrow - b);
    struct slice rest = dec_skip(c, (size_t)arrow + 2);
    size_t e = 0;
    while (e < rest.len && rest.p[e] != '(' && rest.p[e] != ',' && rest.p[e] != ' ')
        e++;
    struct slice dst = slice_make(rest.p, e);
    add_addr(src, FIELD_src_ip, FIELD_src_port, ev);
    add_addr(dst, FIELD_dst_ip, FIELD_dst_port, ev);
    if (e < rest.len && rest.p[e] == '(') {
        long rp = slice_find_byte(dec_skip(rest, e), ')');
        if (rp > 1 && rp < 16)
            event_add(ev, FIELD_proto, slice_make(rest.p + e + 1, (size_t)rp - 1));
    }
}

static int hs_decode(const struct decode_job *job, struct event *ev)
{
    const struct syslog_hdr *h = job->hdr;
    struct slice m = slice_trim(job->msg), type, module, content, serial = SLICE_NULL,
                 vsys = SLICE_NULL, eid = SLICE_NULL;
    if (h && type_module(h->program, &type, &module)) {
        content = m;
    } else if (m.len > 21 && m.p[4] == '-' && m.p[7] == '-' && m.p[10] == ' ' && m.p[19] == ',') {
        int64_t ns;
        size_t used;
        const struct vtz *tz = job->src && job->src->tz ? job->src->tz : NULL;
        if (decode_iso_time(slice_make(m.p, 19), tz, &ns, &used) || used != 19 ||
            !tm_colon(slice_trim(dec_skip(m, 20)), &type, &module, &content))
            return ERR_PARSE;
        ev->time_ns = ns;
        ev->flags &= ~(uint32_t)EVF_TIME_RECEIVED;
    } else {
        /* "SERIAL(VSYS) [EVENT_ID ]Type@MODULE: " */
        struct slice rest;
        struct slice w = dec_word(m, &rest);
        long lp = slice_find_byte(w, '(');
        if (lp < 4 || w.p[w.len - 1] != ')')
            return ERR_PARSE;
        for (long i = 0; i < lp; i++)
            if (!word_char(w.p[i]))
                return ERR_PARSE;
        serial = slice_make(w.p, (size_t)lp);
        vsys = slice_make(w.p + lp + 1, w.len - (size_t)lp - 2);
        struct slice r2;
        struct slice e = dec_word(rest, &r2);
        if (e.len && e.len <= 12 && dec_isdigit(e.p[0]) && slice_find_byte(e, '@') < 0) {
            eid = e;
            rest = r2;
        }
        if (!tm_colon(rest, &type, &module, &content))
            return ERR_PARSE;
    }
    event_add_named(ev, SLICE_LIT("log_category"), type);
    event_add(ev, FIELD_module, module);
    if (serial.len)
        event_add_named(ev, SLICE_LIT("serial"), serial);
    if (vsys.len)
        event_add_named(ev, SLICE_LIT("vsys"), vsys);
    if (eid.len)
        event_add_named(ev, SLICE_LIT("event_id"), eid);
    flow(content, ev);
    long pol = DEC_FIND(content, "policy ");
    if (pol >= 0) {
        struct slice rest;
        struct slice id = dec_word(dec_skip(content, (size_t)pol + 7), &rest);
        while (id.len && (id.p[id.len - 1] == ',' || id.p[id.len - 1] == '.'))
            id.len--;
        if (id.len && dec_isdigit(id.p[0]))
            event_add_named(ev, SLICE_LIT("policy"), id);
    }
    const char *act = NULL;
    if (dec_icontains(content, "deny") || dec_icontains(content, "denied") ||
        DEC_FIND(content, "\xE6\x8B\x92\xE7\xBB\x9D") >= 0) /* 拒绝 */
        act = "blocked";
    else if (dec_icontains(content, "permit") || DEC_FIND(content, "\xE5\x85\x81\xE8\xAE\xB8") >= 0)
        act = "allowed"; /* 允许 */
    if (act) {
        decode_add_verdict(ev, act[0] == 'b');
    }
    struct slice a;
    if (event_get(ev, FIELD_src_ip, &a) && event_get(ev, FIELD_dst_ip, &a))
        return DK_HILLSTONE_FW;
    return DK_HILLSTONE;
}

const struct decoder decode_hillstone = {.name = "hillstone", .decode = hs_decode};
