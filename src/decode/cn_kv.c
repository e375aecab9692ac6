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

/* allowed/blocked from a device's verdict (English words, numbers of no meaning here,
 * or Chinese: 允许 放行 通过 / 拒绝 阻断 丢弃 禁止), or NULL. */
static const char *verdict(struct slice v)
{
    if (dec_icontains(v, "accept") || dec_icontains(v, "permit") || dec_icontains(v, "pass") ||
        dec_icontains(v, "allow") || DEC_FIND(v, "\xE5\x85\x81\xE8\xAE\xB8") >= 0 ||
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

/* See decode_int.h. */
int decode_cn_kv(const struct decode_job *job, struct slice s, char sep, struct event *ev)
{
    int pairs = 0;
    struct slice act = SLICE_NULL;
    bool act_key = false;
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
            size_t v0 = ++i;
            while (i < s.len && s.p[i] != '"') {
                if (s.p[i] == '\\' && i + 1 < s.len)
                    i++;
                i++;
            }
            val = slice_make(s.p + v0, i - v0); /* an unclosed quote runs to the end */
            if (i < s.len)
                i++;
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

        bool done = false;
        for (size_t j = 0; j < sizeof cn_keys / sizeof cn_keys[0]; j++)
            if (slice_eq_nocase(key, cn_keys[j].key)) {
                if (val.len)
                    event_add(ev, cn_keys[j].field, val);
                done = true;
                break;
            }
        if (done)
            continue;
        if (verdict_key(key) && (!act.len || slice_eq_nocase(key, "action")))
            act = val;
        if (time_key(key) && val.len)
            set_time(job, val, ev);
        if (val.len && !slice_eq_nocase(key, "action"))
            event_add_named(ev, key, val);
        else if (val.len)
            act_key = true;
    }
    const char *a = act.len ? verdict(act) : NULL;
    if (act_key) /* "action" written by the device: kept as device_action when read */
        event_add_named(ev, a ? SLICE_LIT("device_action") : SLICE_LIT("action"), act);
    if (a) {
        decode_add_verdict(ev, a[0] == 'b');
    }
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
