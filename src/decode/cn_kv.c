/*
 * cn_kv.c — the key=value body shared by the Qi-AnXin (dec_qianxin.c), NSFOCUS
 * (dec_nsfocus.c) and Venustech (dec_venustech.c) decoders: pairs separated by spaces
 * or by ';', values in double quotes when they hold the separator. Known keys of these
 * devices (case-insensitive) become the Sigma names (src_ip, dst_ip, src_port,
 * dst_port, proto); the device's verdict (action/op/policy/...) is kept under its own
 * key (action= as device_action when it reads as a verdict) and becomes action
 * allowed/blocked with blocked true/false; a time key (epoch
 * seconds or milliseconds, or "YYYY-MM-DD HH:MM:SS" / "YYYY/MM/DD HH:MM:SS" in the
 * source's zone) becomes the event time; every other key is an extra under its name.
 * A device's severity= or facility= replaces the syslog header's (kept as
 * syslog_severity / syslog_facility); its pri= is device_pri when the header's PRI
 * (above 191) is there already. Address and port keys whose value is "NULL" (Venustech writes
 * sport=NULL for ICMP) are kept as extras, not as Sigma fields. decode_cn_kv_colon() reads NSFOCUS
 * WAF's "key:value" form, whose values hold spaces (see there).
 */
#include "decode/decode_int.h"

static bool key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || dec_isdigit(c) || c == '_' ||
           c == '-' || c == '.';
}

static const struct cn_key {
    const char *key;
    uint16_t field;
} cn_keys[] = {
    {"src_ip", FIELD_src_ip},    {"sip", FIELD_src_ip},        {"srcip", FIELD_src_ip},
    {"sa", FIELD_src_ip},        {"src_addr", FIELD_src_ip},   {"dst_ip", FIELD_dst_ip},
    {"dip", FIELD_dst_ip},       {"dstip", FIELD_dst_ip},      {"da", FIELD_dst_ip},
    {"dst_addr", FIELD_dst_ip},  {"src_port", FIELD_src_port}, {"sport", FIELD_src_port},
    {"srcport", FIELD_src_port}, {"dst_port", FIELD_dst_port}, {"dport", FIELD_dst_port},
    {"dstport", FIELD_dst_port}, {"proto", FIELD_proto},       {"protocol", FIELD_proto},
    {"srcaddr", FIELD_src_ip},   {"destaddr", FIELD_dst_ip},   {"destport", FIELD_dst_port},
};

/* Verdict keys: the value is kept as an extra under the key, and read as action. */
static bool verdict_key(struct slice k)
{
    return slice_eq_nocase(k, "action") || slice_eq_nocase(k, "op") ||
           slice_eq_nocase(k, "policy") || slice_eq_nocase(k, "act") ||
           slice_eq_nocase(k, "result");
}

static bool time_key(struct slice k)
{
    return slice_eq_nocase(k, "time") || slice_eq_nocase(k, "timestamp") ||
           slice_eq_nocase(k, "date") || slice_eq_nocase(k, "stat_time") ||
           slice_eq_nocase(k, "start_time") || slice_eq_nocase(k, "recv_time");
}

/* allowed/blocked from a device's verdict (English words, NSFOCUS WAF's Block/Forward,
 * numbers of no meaning here,
 * or Chinese: 允许 放行 通过 / 拒绝 阻断 丢弃 禁止), or NULL. */
static const char *verdict(struct slice v)
{
    if (dec_icontains(v, "accept") || dec_icontains(v, "permit") || dec_icontains(v, "pass") ||
        dec_icontains(v, "allow") || dec_icontains(v, "forward") ||
        DEC_FIND(v, "\xE5\x85\x81\xE8\xAE\xB8") >= 0 ||
        DEC_FIND(v, "\xE6\x94\xBE\xE8\xA1\x8C") >= 0 ||
        DEC_FIND(v, "\xE9\x80\x9A\xE8\xBF\x87") >= 0)
        return "allowed";
    if (dec_icontains(v, "deny") || dec_icontains(v, "drop") || dec_icontains(v, "reject") ||
        dec_icontains(v, "block") || DEC_FIND(v, "\xE6\x8B\x92\xE7\xBB\x9D") >= 0 ||
        DEC_FIND(v, "\xE9\x98\xBB\xE6\x96\xAD") >= 0 ||
        DEC_FIND(v, "\xE4\xB8\xA2\xE5\xBC\x83") >= 0 ||
        DEC_FIND(v, "\xE7\xA6\x81\xE6\xAD\xA2") >= 0)
        return "blocked";
    return NULL;
}

/* Epoch seconds (10 digits) or milliseconds (13), or "YYYY-MM-DD HH:MM:SS" with '-' or
 * '/'; sets ev's time when v is one. */
static void set_time(const struct decode_job *job, struct slice v, struct event *ev)
{
    int64_t ns = 0;
    if (dec_all_digits(v) && (v.len == 10 || v.len == 13)) {
        int64_t n = 0;
        for (size_t i = 0; i < v.len; i++)
            n = n * 10 + (v.p[i] - '0');
        ns = v.len == 10 ? n * NS_PER_SEC : n * (NS_PER_SEC / 1000);
    } else if (v.len >= 19 && (v.p[4] == '-' || v.p[4] == '/') && v.p[7] == v.p[4] &&
               (v.p[10] == ' ' || v.p[10] == 'T') && v.p[13] == ':' && v.p[16] == ':') {
        int y = dec_num(v.p, 4), mo = dec_num(v.p + 5, 2), d = dec_num(v.p + 8, 2);
        int h = dec_num(v.p + 11, 2), mi = dec_num(v.p + 14, 2), s = dec_num(v.p + 17, 2);
        if (y < DECODE_YEAR_MIN || y > DECODE_YEAR_MAX || mo < 0 || d < 0 || h < 0 || mi < 0 ||
            s < 0 || v.len != 19)
            return;
        const struct vtz *tz = job->src && job->src->tz ? job->src->tz : vtz_utc();
        if (decode_civil_time(y, (unsigned)mo, (unsigned)d, (unsigned)h, (unsigned)mi, (unsigned)s,
                              0, tz, job->received_ns, &ns))
            return;
    } else {
        return;
    }
    ev->time_ns = ns;
    ev->flags &= ~(uint32_t)EVF_TIME_RECEIVED;
}

/* True for a key of cn_keys[] (an address, port or protocol). */
static bool sigma_key(struct slice k)
{
    for (size_t j = 0; j < sizeof cn_keys / sizeof cn_keys[0]; j++)
        if (slice_eq_nocase(k, cn_keys[j].key))
            return true;
    return false;
}

/* What the pairs of one body say about the verdict, across add_pair() calls. */
struct cn_state {
    struct slice act;
    bool act_key;
};

/* Adds one key=value of a body to ev (see the top of this file). */
static void add_pair(const struct decode_job *job, struct slice key, struct slice val,
                     struct cn_state *st, struct event *ev)
{
    for (size_t j = 0; j < sizeof cn_keys / sizeof cn_keys[0]; j++)
        if (slice_eq_nocase(key, cn_keys[j].key)) {
            if (val.len && !slice_eq_nocase(val, "NULL"))
                event_add(ev, cn_keys[j].field, val);
            else if (val.len)
                event_add_named(ev, key, val);
            return;
        }
    if (verdict_key(key) && (!st->act.len || slice_eq_nocase(key, "action")))
        st->act = val;
    if (time_key(key) && val.len)
        set_time(job, val, ev);
    struct slice had;
    if (val.len && slice_eq(key, "severity")) /* the device's; the header's kept aside */
        decode_take_field(ev, FIELD_severity, val, "syslog_severity");
    else if (val.len && slice_eq(key, "facility"))
        decode_take_field(ev, FIELD_facility, val, "syslog_facility");
    else if (val.len && slice_eq(key, "pri") && event_get(ev, FIELD_pri, &had))
        event_add_named(ev, SLICE_LIT("device_pri"), val); /* syslog.c's pri above 191 */
    else if (val.len && !slice_eq_nocase(key, "action"))
        event_add_named(ev, key, val);
    else if (val.len)
        st->act_key = true;
}

/* Adds the verdict the pairs gave (action or device_action, allowed/blocked). */
static void finish(const struct cn_state *st, struct event *ev)
{
    const char *a = st->act.len ? verdict(st->act) : NULL;
    /* "action" written by the device: kept as device_action when read, or when a code
     * of no known meaning (NSFOCUS NIPS's action=1) */
    if (st->act_key)
        event_add_named(
            ev, a || dec_all_digits(st->act) ? SLICE_LIT("device_action") : SLICE_LIT("action"),
            st->act);
    if (a)
        decode_add_verdict(ev, a[0] == 'b');
}

/* See decode_int.h. */
int decode_cn_kv(const struct decode_job *job, struct slice s, char sep, struct event *ev)
{
    int pairs = 0;
    struct cn_state st = {SLICE_NULL, false};
    while (s.len) {
        while (s.len && (s.p[0] == ' ' || s.p[0] == sep))
            s = dec_skip(s, 1);
        size_t k = 0;
        while (k < s.len && k < 64 && key_char(s.p[k]))
            k++;
        if (!k || k >= s.len || s.p[k] != '=') {
            /* not a pair (a cut line, stray text): skip to the next separator */
            size_t i = 0;
            while (i < s.len && s.p[i] != sep)
                i++;
            s = dec_skip(s, i);
            continue;
        }
        struct slice key = slice_make(s.p, k), val;
        size_t i = k + 1;
        if (i < s.len && s.p[i] == '"') {
            i = dec_quoted(s, i, &val);
        } else {
            size_t v0 = i;
            while (i < s.len && s.p[i] != sep)
                i++;
            val = slice_make(s.p + v0, i - v0);
            if (sep != ' ')
                val = slice_trim(val);
        }
        s = dec_skip(s, i);
        pairs++;
        add_pair(job, key, val, &st, ev);
    }
    finish(&st, ev);
    return pairs;
}

/* The length of the key at p (a lowercase letter, then lowercase letters, digits and
 * '_') when a ':' not starting "://" follows it, else 0. */
static size_t colon_key(const char *p, size_t n)
{
    if (!n || p[0] < 'a' || p[0] > 'z')
        return 0;
    size_t k = 1;
    while (k < n && k < 64 && ((p[k] >= 'a' && p[k] <= 'z') || dec_isdigit(p[k]) || p[k] == '_'))
        k++;
    if (k >= n || p[k] != ':')
        return 0;
    return k + 2 < n && p[k + 1] == '/' && p[k + 2] == '/' ? 0 : k; /* "http://" is no key */
}

/* See decode_int.h. */
int decode_cn_kv_colon(const struct decode_job *job, struct slice s, struct event *ev)
{
    int pairs = 0;
    struct cn_state st = {SLICE_NULL, false};
    while (s.len && s.p[0] == ' ')
        s = dec_skip(s, 1);
    while (s.len) {
        size_t k = colon_key(s.p, s.len);
        if (!k)
            break; /* the caller starts s at a key; a value swallowed the rest */
        struct slice key = slice_make(s.p, k);
        size_t v0 = k + 1, i = v0;
        /* the value runs to the next " key:" or ";key:" (a header "Host: x" has its ':'
         * followed by a space and a capital: not a key) */
        while (i < s.len &&
               !((s.p[i] == ' ' || s.p[i] == ';') && colon_key(s.p + i + 1, s.len - i - 1)))
            i++;
        struct slice val = slice_trim(slice_make(s.p + v0, i - v0));
        if (i == s.len && val.len && val.p[val.len - 1] == ';') /* the last pair's ';' */
            val = slice_trim(slice_make(val.p, val.len - 1));
        s = dec_skip(s, i < s.len ? i + 1 : i);
        if (sigma_key(key)) { /* an address or port has no space: the rest is a cut key */
            const char *sp = val.len ? memchr(val.p, ' ', val.len) : NULL;
            if (sp)
                val.len = (size_t)(sp - val.p);
        }
        pairs++;
        add_pair(job, key, val, &st, ev);
    }
    finish(&st, ev);
    return pairs;
}

/* See decode_int.h. */
bool decode_cn_kv_fw(struct event *ev)
{
    struct slice a;
    return event_get(ev, FIELD_src_ip, &a) && event_get(ev, FIELD_dst_ip, &a);
}

/* See decode_int.h. */
char decode_cn_kv_sep(struct slice m)
{
    size_t k = 0;
    while (k < m.len && k < 64 && key_char(m.p[k]))
        k++;
    if (!k || k >= m.len || m.p[k] != '=')
        return 0;
    size_t i = k + 1;
    if (i < m.len && m.p[i] == '"') {
        for (i++; i < m.len && m.p[i] != '"'; i++)
            if (m.p[i] == '\\' && i + 1 < m.len)
                i++;
        i++;
    }
    for (; i < m.len; i++)
        if (m.p[i] == ';' || m.p[i] == ' ')
            return m.p[i];
    return 0;
}
