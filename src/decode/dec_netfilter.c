/*
 * dec_netfilter.c — Linux netfilter packet log lines (iptables/ip6tables LOG target,
 * nftables "log", UFW, firewalld), program "kernel", chosen by program name in decode.c.
 * The kernel (nf_log_syslog.c) writes
 *   [UPTIME] PREFIX IN=eth0 OUT= MAC=dst:src:type SRC=a DST=b LEN=60 TOS=0x00 PREC=0x00
 *   TTL=52 ID=54321 DF PROTO=TCP SPT=51234 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0
 * (IPv6: TC=, HOPLIMIT=, FLOWLBL= for TOS/PREC/TTL/ID; ICMP: TYPE= CODE= and, for an
 * error, the offending packet's header in [brackets], which is skipped; UDP: a second
 * LEN=, the UDP length). PREFIX is free text set by --log-prefix / `log prefix` and is
 * printed with no separator, so IN= is found as "IN=word OUT=". Gives src_ip, dst_ip,
 * src_port, dst_port, proto (as written), in_iface, out_iface, mac, log_prefix
 * (trimmed), length, ttl, tcp_flags ("SYN ACK", as written), ip_flags ("DF"), and
 * action "blocked"/"allowed" (with blocked "true"/"false", as Sigma's firewall rules
 * also ask) when the prefix says BLOCK/DROP/REJECT/DENY or ACCEPT/ALLOW. Other keys
 * become extras (tos, prec, ip_id, window, icmp_type, ...; unknown ones by their own
 * name). Any kernel line without "IN=... OUT=" and a later SRC= is not ours (ERR_PARSE):
 * it stays a plain syslog event. The uptime is not a wall time and is not used.
 */
#include "decode/decode_int.h"

/* KEY=VALUE keys and the field each value goes to; after_proto for keys that mean
 * something else once PROTO= has been seen (UDP's LEN, ICMP's ID and SEQ). */
static const struct nf_key {
    const char *key;
    unsigned char len;
    bool after_proto;
    const char *field;
} nf_keys[] = {
#define K(k, ap, f)                                                                                \
    {                                                                                              \
        k, sizeof(k) - 1, ap, f                                                                    \
    }
    K("IN", false, "in_iface"),     K("OUT", false, "out_iface"),
    K("MAC", false, "mac"),         K("SRC", false, "src_ip"),
    K("DST", false, "dst_ip"),      K("LEN", false, "length"),
    K("LEN", true, "udp_length"),   K("TOS", false, "tos"),
    K("PREC", false, "prec"),       K("TTL", false, "ttl"),
    K("ID", false, "ip_id"),        K("ID", true, "icmp_id"),
    K("SEQ", true, "seq_num"),      K("ACK", true, "ack_num"),
    K("TC", false, "tc"),           K("HOPLIMIT", false, "hoplimit"),
    K("FLOWLBL", false, "flowlbl"), K("PROTO", false, "proto"),
    K("SPT", true, "src_port"),     K("DPT", true, "dst_port"),
    K("WINDOW", true, "window"),    K("RES", true, "res"),
    K("URGP", true, "urgp"),        K("TYPE", true, "icmp_type"),
    K("CODE", true, "icmp_code"),   K("MTU", true, "mtu"),
    K("GATEWAY", true, "gateway"),  K("UID", true, "uid"),
    K("GID", true, "gid"),          K("MARK", true, "mark"),
    K("PHYSIN", false, "physin"),   K("PHYSOUT", false, "physout"),
    K("FRAG", false, "frag"),
#undef K
};

/* The valueless words the kernel prints: IP flags and TCP flags. */
static bool is_word(struct slice w, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (slice_eq(w, set[i]))
            return true;
    return false;
}
static const char *const tcp_flag_words[] = {"CWR", "ECE", "URG", "ACK",
                                             "PSH", "RST", "SYN", "FIN"};
static const char *const ip_flag_words[] = {"CE", "DF", "MF"};
#define NWORDS(a) (sizeof(a) / sizeof(a)[0])

/* A run of flag words, kept as one slice when they stand together (as the kernel
 * writes them), else joined in the arena. */
struct flag_run {
    struct slice w[8];
    size_t n;
};

static void run_add(struct flag_run *r, struct slice w)
{
    if (r->n < sizeof r->w / sizeof r->w[0])
        r->w[r->n++] = w;
}

static int run_emit(const struct flag_run *r, const char *name, struct arena *arena,
                    struct event *ev)
{
    if (!r->n)
        return 0;
    size_t total = r->n - 1;
    bool together = true;
    for (size_t i = 0; i < r->n; i++) {
        total += r->w[i].len;
        if (i && r->w[i].p != r->w[i - 1].p + r->w[i - 1].len + 1)
            together = false;
    }
    if (together) {
        event_add_named(ev, slice_cstr(name), slice_make(r->w[0].p, total));
        return 0;
    }
    char *d = arena_alloc(arena, total);
    if (!d)
        return ERR_NOMEM;
    size_t o = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (i)
            d[o++] = ' ';
        memcpy(d + o, r->w[i].p, r->w[i].len);
        o += r->w[i].len;
    }
    event_add_named(ev, slice_cstr(name), slice_make(d, total));
    return 0;
}

/* Case-insensitive: does s contain the upper-case word w? */
static bool has_upper(struct slice s, const char *w)
{
    size_t n = strlen(w);
    for (size_t i = 0; i + n <= s.len; i++) {
        size_t j = 0;
        while (j < n) {
            char c = s.p[i + j];
            if (c >= 'a' && c <= 'z')
                c = (char)(c - 32);
            if (c != w[j])
                break;
            j++;
        }
        if (j == n)
            return true;
    }
    return false;
}

/* The verdict a log prefix states, or NULL. Blocking words win ("[UFW LIMIT BLOCK]"). */
static const char *prefix_action(struct slice p)
{
    static const char *const blocked[] = {"BLOCK", "DROP", "REJECT", "DENY", "DENIED"};
    static const char *const allowed[] = {"ACCEPT", "ALLOW"};
    for (size_t i = 0; i < sizeof blocked / sizeof blocked[0]; i++)
        if (has_upper(p, blocked[i]))
            return "blocked";
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        if (has_upper(p, allowed[i]))
            return "allowed";
    return NULL;
}

/* Offset of the "IN=" that starts the packet fields ("IN=word OUT="), or -1. */
static long find_in(struct slice m)
{
    size_t from = 0;
    while (from < m.len) {
        long at = DEC_FIND(dec_skip(m, from), "IN=");
        if (at < 0)
            return -1;
        size_t p = from + (size_t)at + 3;
        while (p < m.len && m.p[p] != ' ')
            p++;
        if (DEC_STARTS(dec_skip(m, p), " OUT="))
            return (long)(from + (size_t)at);
        /* any later "IN=" in the same word ends at the same space: skip the word, which
         * keeps this linear on "IN=IN=IN=..." */
        from = p;
    }
    return -1;
}

/* True for a key of upper-case letters, digits and '_'. */
static bool is_key(struct slice k)
{
    if (!k.len || k.len > 16)
        return false;
    for (size_t i = 0; i < k.len; i++) {
        char c = k.p[i];
        if (!((c >= 'A' && c <= 'Z') || dec_isdigit(c) || c == '_'))
            return false;
    }
    return true;
}

static int nf_decode(const struct decode_job *job, struct event *ev)
{
    struct slice m = job->msg;
    long in = find_in(m);
    if (in < 0)
        return ERR_PARSE;
    struct slice pkt = dec_skip(m, (size_t)in);
    if (DEC_FIND(pkt, " SRC=") < 0)
        return ERR_PARSE;

    /* what precedes IN=: "[ 12345.678901] " (the uptime), then the prefix */
    struct slice pre = slice_make(m.p, (size_t)in);
    if (pre.len && pre.p[0] == '[') {
        size_t i = 1;
        while (i < pre.len && (pre.p[i] == ' ' || pre.p[i] == '.' || dec_isdigit(pre.p[i])))
            i++;
        if (i > 1 && i < pre.len && pre.p[i] == ']')
            pre = dec_skip(pre, i + 1);
    }
    pre = slice_trim(pre);

    struct flag_run tcp = {.n = 0}, ip = {.n = 0};
    bool after_proto = false;
    int depth = 0; /* inside "[...]" (an ICMP error's inner packet) or "(...)" (OPT) */
    struct slice rest = pkt;
    while (rest.len) {
        struct slice w = dec_word(rest, &rest);
        if (!w.len)
            continue;
        if (depth || w.p[0] == '[' || w.p[0] == '(') {
            for (size_t i = 0; i < w.len; i++) {
                if (w.p[i] == '[' || w.p[i] == '(')
                    depth++;
                else if ((w.p[i] == ']' || w.p[i] == ')') && depth > 0)
                    depth--;
            }
            continue;
        }
        long eq = slice_find_byte(w, '=');
        if (eq < 0) {
            if (is_word(w, tcp_flag_words, NWORDS(tcp_flag_words)))
                run_add(&tcp, w);
            else if (is_word(w, ip_flag_words, NWORDS(ip_flag_words)))
                run_add(&ip, w);
            continue;
        }
        struct slice k = slice_make(w.p, (size_t)eq), v = dec_skip(w, (size_t)eq + 1);
        if (!is_key(k) || !v.len)
            continue;
        /* the row for the current state (before/after PROTO=), else any row of the key */
        const char *field = NULL;
        for (size_t i = 0; i < sizeof nf_keys / sizeof nf_keys[0]; i++) {
            const struct nf_key *e = &nf_keys[i];
            if (e->len != k.len || memcmp(e->key, k.p, k.len))
                continue;
            if (!field)
                field = e->field;
            if (e->after_proto == after_proto) {
                field = e->field;
                break;
            }
        }
        if (field)
            event_add_named(ev, slice_cstr(field), v);
        else
            event_add_named(ev, k, v);
        if (slice_eq(k, "PROTO"))
            after_proto = true;
    }
    int rc = run_emit(&tcp, "tcp_flags", job->arena, ev);
    if (!rc)
        rc = run_emit(&ip, "ip_flags", job->arena, ev);
    if (rc)
        return rc;
    if (pre.len) {
        event_add_named(ev, SLICE_LIT("log_prefix"), pre);
        const char *act = prefix_action(pre);
        if (act) {
            decode_add_verdict(ev, act[0] == 'b');
        }
    }
    return DK_NETFILTER;
}

const struct decoder decode_netfilter = {.name = "netfilter", .decode = nf_decode};
