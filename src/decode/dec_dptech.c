/*
 * dec_dptech.c — DPtech (迪普) firewall / IPS / Guard logs. The devices' own form (seen in
 * public parsers' samples of DPtech IPS and Guard 3000) is an H3C-like tag then fields
 * "key:value;" separated by ";``", values holding spaces, addresses as "4-" and 8 hex
 * digits (IPv4; "6-" and 32 for IPv6):
 *   Jul 22 08:57:04 2012 DPTECH %%IPS/ATTACK/2/SRVLOG(l): log-type:attack-protect;``
 *   event:block;``attack-name:(402653194)Apache CGI Byterange Request;`` ip-proto-id:6;``
 *   source-ip:4-0a010164;``source-port:7590;``destination-ip:4-0a0101c8;``...
 * Other firmware (from memory, no public sample found) writes "key=value" or "key:value"
 * separated by ',', ';', '|' or spaces, addresses plain or as bare hex:
 *   type:session,src-ip:0a000005,dst-ip:cb007109,src-port:51234,action:deny
 * The tag ("IPS/ATTACK/2/SRVLOG(l)") is kept as tag. Fields: src_ip, dst_ip from
 * source-ip/src-ip/src_ip/srcip/sip (and destination-ip/dst-...), hex addresses
 * converted to text into the arena (the hex kept as src_ip_hex/dst_ip_hex); src_port,
 * dst_port from source-port/src-port/sport/srcport (and destination-port...), proto;
 * action as written, kept as device_action when it reads as allowed/blocked, with
 * blocked true/false (without an action, the IPS's event:block gives the verdict and
 * stays event); the rest as extras. decode.c picks
 * it by program name (DPTECH, DPtech, dptech), by a "%%MOD/.../SRVLOG" tag (as program or
 * at the start of the message) or an input's format: dptech; a body of fewer than three
 * fields is not ours.
 */
#include "decode/decode_int.h"

#include <arpa/inet.h>

static bool key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || dec_isdigit(c) || c == '_' ||
           c == '-' || c == '.';
}

/* A field separator: ';' and '`' in the ";``" form (spaces are in values there), else
 * ',', ';', '|' or a space. */
static bool field_sep(char c, bool semi)
{
    if (semi)
        return c == ';' || c == '`';
    return c == ',' || c == ';' || c == '|' || c == ' ';
}

/* True when k is w, case and '-'/'_' aside. */
static bool key_is(struct slice k, const char *w)
{
    size_t n = strlen(w);
    if (k.len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char a = dec_lower(k.p[i]) == '_' ? '-' : dec_lower(k.p[i]);
        if (a != w[i])
            return false;
    }
    return true;
}

static bool src_key(struct slice k)
{
    return key_is(k, "src-ip") || key_is(k, "srcip") || key_is(k, "sip") ||
           key_is(k, "source-ip") || key_is(k, "src-addr");
}

static bool src_port_key(struct slice k)
{
    return key_is(k, "src-port") || key_is(k, "sport") || key_is(k, "srcport") ||
           key_is(k, "source-port");
}

static bool dst_port_key(struct slice k)
{
    return key_is(k, "dst-port") || key_is(k, "dport") || key_is(k, "dstport") ||
           key_is(k, "destination-port") || key_is(k, "dest-port");
}

static bool dst_key(struct slice k)
{
    return key_is(k, "dst-ip") || key_is(k, "dstip") || key_is(k, "dip") || key_is(k, "dest-ip") ||
           key_is(k, "destination-ip") || key_is(k, "dst-addr");
}

static int hexval(char c)
{
    if (dec_isdigit(c))
        return c - '0';
    c = dec_lower(c);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* The address written as 8 or 32 hex digits in v (after "4-" or "6-" in the ";``"
 * form), as text in the arena: 1 done, 0 not hex (v is kept as written), ERR_NOMEM. */
static int hex_addr(struct arena *arena, struct slice v, struct slice *out)
{
    if ((v.len == 10 && v.p[0] == '4' && v.p[1] == '-') ||
        (v.len == 34 && v.p[0] == '6' && v.p[1] == '-'))
        v = dec_skip(v, 2);
    else if (v.len == 8 && dec_all_digits(v))
        return 0; /* 8 decimal digits: more likely a number than an address */
    if (v.len != 8 && v.len != 32)
        return 0;
    unsigned char b[16];
    for (size_t i = 0; i < v.len; i += 2) {
        int h = hexval(v.p[i]), l = hexval(v.p[i + 1]);
        if (h < 0 || l < 0)
            return 0;
        b[i / 2] = (unsigned char)(h << 4 | l);
    }
    char *d = arena_alloc(arena, INET6_ADDRSTRLEN);
    if (!d)
        return ERR_NOMEM;
    if (!inet_ntop(v.len == 8 ? AF_INET : AF_INET6, b, d, INET6_ADDRSTRLEN))
        return 0;
    *out = slice_cstr(d);
    return 1;
}

static const char *verdict(struct slice v)
{
    struct slice l = v;
    static const char *const allow[] = {"accept", "permit", "pass", "allow"};
    static const char *const block[] = {"deny", "drop", "reject", "block", "discard"};
    for (size_t i = 0; i < 4; i++)
        if (key_is(l, allow[i]))
            return "allowed";
    for (size_t i = 0; i < 5; i++)
        if (key_is(l, block[i]))
            return "blocked";
    if (DEC_FIND(v, "\xE5\x85\x81\xE8\xAE\xB8") >= 0) /* 允许 */
        return "allowed";
    if (DEC_FIND(v, "\xE6\x8B\x92\xE7\xBB\x9D") >= 0 || /* 拒绝 */
        DEC_FIND(v, "\xE4\xB8\xA2\xE5\xBC\x83") >= 0)   /* 丢弃 */
        return "blocked";
    return NULL;
}

static int dp_decode(const struct decode_job *job, struct event *ev)
{
    struct slice s = job->msg, act = SLICE_NULL, tag = SLICE_NULL, evt = SLICE_NULL;
    int pairs = 0;
    while (s.len && s.p[0] == ' ')
        s = dec_skip(s, 1);
    if (s.len > 2 && s.p[0] == '%' && s.p[1] == '%') { /* "%%IPS/ATTACK/2/SRVLOG(l): " */
        long c = DEC_FIND(s, ": ");
        if (c < 0)
            return ERR_PARSE;
        tag = slice_make(s.p + 2, (size_t)c - 2);
        s = dec_skip(s, (size_t)c + 2);
    }
    bool semi = DEC_FIND(s, ";``") >= 0;
    while (s.len) {
        while (s.len && (field_sep(s.p[0], semi) || s.p[0] == ' '))
            s = dec_skip(s, 1);
        if (!s.len)
            break;
        size_t k = 0;
        while (k < s.len && k < 64 && key_char(s.p[k]))
            k++;
        if (!k || k >= s.len || (s.p[k] != '=' && s.p[k] != ':')) {
            size_t i = 0; /* not a field: skip to the next separator */
            while (i < s.len && !field_sep(s.p[i], semi))
                i++;
            s = dec_skip(s, i ? i : 1);
            continue;
        }
        struct slice key = slice_make(s.p, k), val;
        size_t i = k + 1;
        if (i < s.len && s.p[i] == '"') {
            size_t v0 = ++i;
            while (i < s.len && s.p[i] != '"')
                i++;
            val = slice_make(s.p + v0, i - v0); /* an unclosed quote runs to the end */
            if (i < s.len)
                i++;
        } else {
            size_t v0 = i;
            while (i < s.len && !field_sep(s.p[i], semi))
                i++;
            val = slice_make(s.p + v0, i - v0);
            if (semi)
                val = slice_trim(val);
        }
        s = dec_skip(s, i);
        pairs++;
        if (!val.len)
            continue;
        bool src = src_key(key), dst = !src && dst_key(key);
        if (src || dst) {
            struct slice txt = val;
            int rc = hex_addr(job->arena, val, &txt);
            if (rc < 0)
                return rc;
            event_add(ev, src ? FIELD_src_ip : FIELD_dst_ip, txt);
            if (rc == 1)
                event_add_named(ev, src ? SLICE_LIT("src_ip_hex") : SLICE_LIT("dst_ip_hex"), val);
        } else if (src_port_key(key)) {
            event_add(ev, FIELD_src_port, val);
        } else if (dst_port_key(key)) {
            event_add(ev, FIELD_dst_port, val);
        } else if (key_is(key, "protocol") || key_is(key, "proto")) {
            event_add(ev, FIELD_proto, val);
        } else if (key_is(key, "action")) {
            act = val;
        } else {
            if (key_is(key, "event"))
                evt = val;
            event_add_named(ev, key, val);
        }
    }
    if (pairs < 3)
        return ERR_PARSE;
    if (tag.len)
        event_add_named(ev, SLICE_LIT("tag"), tag);
    if (act.len) {
        const char *a = verdict(act);
        event_add_named(ev, a ? SLICE_LIT("device_action") : SLICE_LIT("action"), act);
        if (a) {
            decode_add_verdict(ev, a[0] == 'b');
        }
    } else if (evt.len) { /* the IPS's event:block (kept as event) */
        const char *a = verdict(evt);
        if (a)
            decode_add_verdict(ev, a[0] == 'b');
    }
    return decode_cn_kv_fw(ev) ? DK_DPTECH_FW : DK_DPTECH;
}

const struct decoder decode_dptech = {.name = "dptech", .decode = dp_decode};
