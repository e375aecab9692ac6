/*
 * dec_sangfor.c — Sangfor (深信服) AF next-generation firewall logs: Chinese
 * "键:值" pairs separated by ", ", behind the syslog TAG "fwlog:" (also "fwlog[PID]:",
 * and "nat:" for NAT lines), as public parsers' samples of AF 7/8 show them:
 *   日志类型:服务控制或应用控制, 用户:(null), 源IP:203.0.113.5, 源端口:51234,
 *   目的IP:10.0.0.2, 目的端口:22, 应用类型:远程登录, 应用名称:SSH, 系统动作:拒绝
 *   日志类型:IPS防护日志, 源IP:..., 源端口:..., 目的IP:..., 目的端口:80, 协议:tcp,
 *   攻击类型:web漏洞攻击, 漏洞名称:..., 严重等级:高, 动作:拒绝
 *   日志类型:SSL VPN用户行为日志, 用户:wjj, IP地址:..., 操作对象:SSL VPN, 操作:登录,
 *   时间:2016-05-25 12:45:59, 描述:登录成功
 * (other types: WAF应用防护日志, DOS攻击日志, 僵尸网络日志, 病毒查杀, 网站访问, 系统操作,
 * 用户认证, NAT日志, 流量审计; newer versions put "所属系统:public, " first and add
 * 策略名称). The colon may be the full-width "：", the comma "，". The text is UTF-8 here:
 * charset.c converts GBK first. decode.c picks this decoder by program "fwlog" or by a
 * message starting with "日志类型" or "所属系统". A pair ends at a ',' followed by another
 * "key:" (a key is a run without spaces, commas or colons), so values may hold commas,
 * colons and spaces. Fields: src_ip, dst_ip, src_port, dst_port, proto, user, src_zone,
 * dst_zone from 源IP, 目的IP, 源端口, 目的端口, 协议, 用户/用户名, 源区域, 目的区域 (a user
 * "(null)" is left out), src_ip also from IP地址 (the user's or administrator's address
 * in 系统操作, 用户认证 and VPN lines) when there is no 源IP; action allowed/blocked with
 * blocked from 系统动作 or 动作 (允许/放行/通过, 拒绝/阻断/阻止/丢弃/拦截; "被记录", logged
 * only, is neither); outcome from a 描述 that ends in 成功/失败; the other pairs under
 * their own (Chinese) names. A message with no 日志类型 and no 源IP pair is not ours
 * (ERR_PARSE).
 */
#include "decode/decode_int.h"

#define SRC_IP "\xE6\xBA\x90IP"                                       /* 源IP */
#define DST_IP "\xE7\x9B\xAE\xE7\x9A\x84IP"                           /* 目的IP */
#define SRC_PORT "\xE6\xBA\x90\xE7\xAB\xAF\xE5\x8F\xA3"               /* 源端口 */
#define DST_PORT "\xE7\x9B\xAE\xE7\x9A\x84\xE7\xAB\xAF\xE5\x8F\xA3"   /* 目的端口 */
#define PROTO "\xE5\x8D\x8F\xE8\xAE\xAE"                              /* 协议 */
#define USER "\xE7\x94\xA8\xE6\x88\xB7"                               /* 用户 */
#define USER_NAME "\xE7\x94\xA8\xE6\x88\xB7\xE5\x90\x8D"              /* 用户名 */
#define SRC_ZONE "\xE6\xBA\x90\xE5\x8C\xBA\xE5\x9F\x9F"               /* 源区域 */
#define DST_ZONE "\xE7\x9B\xAE\xE7\x9A\x84\xE5\x8C\xBA\xE5\x9F\x9F"   /* 目的区域 */
#define LOG_TYPE "\xE6\x97\xA5\xE5\xBF\x97\xE7\xB1\xBB\xE5\x9E\x8B"   /* 日志类型 */
#define SYS_ACTION "\xE7\xB3\xBB\xE7\xBB\x9F\xE5\x8A\xA8\xE4\xBD\x9C" /* 系统动作 */
#define FW_COLON "\xEF\xBC\x9A"                                       /* ： */
#define FW_COMMA "\xEF\xBC\x8C"                                       /* ， */
#define ACTION "\xE5\x8A\xA8\xE4\xBD\x9C"                             /* 动作 */
#define IP_ADDR "IP\xE5\x9C\xB0\xE5\x9D\x80"                          /* IP地址 */
#define DESCR "\xE6\x8F\x8F\xE8\xBF\xB0"                              /* 描述 */

static const struct sf_key {
    const char *key;
    uint16_t field;
} sf_keys[] = {
    {SRC_IP, FIELD_src_ip},     {DST_IP, FIELD_dst_ip},     {SRC_PORT, FIELD_src_port},
    {DST_PORT, FIELD_dst_port}, {PROTO, FIELD_proto},       {USER, FIELD_user},
    {USER_NAME, FIELD_user},    {SRC_ZONE, FIELD_src_zone}, {DST_ZONE, FIELD_dst_zone},
};

/* Length of "key:" / "key：" at s (the key in *key), or 0. */
static size_t key_at(struct slice s, struct slice *key)
{
    size_t i = 0;
    while (i < s.len && i < 64) {
        char c = s.p[i];
        if (c == ':' || (c == '\xEF' && DEC_STARTS(dec_skip(s, i), FW_COLON)))
            break;
        if (c == ' ' || c == ',' || c == '=' || (unsigned char)c < 0x20 ||
            (c == '\xEF' && DEC_STARTS(dec_skip(s, i), FW_COMMA)))
            return 0;
        i++;
    }
    if (!i || i >= s.len || i >= 64)
        return 0;
    *key = slice_make(s.p, i);
    return i + (s.p[i] == ':' ? 1 : 3);
}

/* allowed / blocked for a 系统动作 value, or NULL ("被记录", logged only). */
static const char *verdict(struct slice v)
{
    static const char *const allow[] = {"\xE5\x85\x81\xE8\xAE\xB8",  /* 允许 */
                                        "\xE6\x94\xBE\xE8\xA1\x8C",  /* 放行 */
                                        "\xE9\x80\x9A\xE8\xBF\x87"}; /* 通过 */
    static const char *const block[] = {"\xE6\x8B\x92\xE7\xBB\x9D",  /* 拒绝 */
                                        "\xE9\x98\xBB\xE6\x96\xAD",  /* 阻断 */
                                        "\xE9\x98\xBB\xE6\xAD\xA2",  /* 阻止 */
                                        "\xE4\xB8\xA2\xE5\xBC\x83",  /* 丢弃 */
                                        "\xE6\x8B\xA6\xE6\x88\xAA"}; /* 拦截 */
    for (size_t i = 0; i < sizeof block / sizeof block[0]; i++)
        if (dec_find(v, block[i], strlen(block[i])) >= 0)
            return "blocked";
    for (size_t i = 0; i < sizeof allow / sizeof allow[0]; i++)
        if (dec_find(v, allow[i], strlen(allow[i])) >= 0)
            return "allowed";
    return NULL;
}

/* True when v ends with the bytes of lit. */
static bool slice_ends(struct slice v, const char *lit)
{
    size_t n = strlen(lit);
    return v.len >= n && memcmp(v.p + v.len - n, lit, n) == 0;
}

static int sf_decode(const struct decode_job *job, struct event *ev)
{
    struct slice s = slice_trim(job->msg), key;
    if (!key_at(s, &key))
        return ERR_PARSE;
    if (DEC_FIND(s, LOG_TYPE) < 0 && DEC_FIND(s, SRC_IP) < 0)
        return ERR_PARSE;
    const char *act = NULL;
    struct slice a;
    while (s.len) {
        size_t kl = key_at(s, &key);
        if (!kl)
            break;
        size_t vend = s.len, next = s.len;
        for (size_t i = kl; i < s.len; i++) {
            size_t sep = s.p[i] == ',' ? 1 : DEC_STARTS(dec_skip(s, i), FW_COMMA) ? 3 : 0;
            if (!sep)
                continue;
            size_t j = i + sep;
            while (j < s.len && s.p[j] == ' ')
                j++;
            struct slice nk;
            if (j == s.len || key_at(dec_skip(s, j), &nk)) {
                vend = i;
                next = j;
                break;
            }
        }
        struct slice v = slice_trim(slice_make(s.p + kl, vend - kl));
        s = dec_skip(s, next);
        bool mapped = false;
        for (size_t i = 0; i < sizeof sf_keys / sizeof sf_keys[0] && !mapped; i++)
            if (slice_eq(key, sf_keys[i].key)) {
                mapped = true;
                if (v.len && !slice_eq(v, "(null)"))
                    event_add(ev, sf_keys[i].field, v);
            }
        if (mapped)
            continue;
        if ((slice_eq(key, SYS_ACTION) || slice_eq(key, ACTION)) && !act)
            act = verdict(v);
        if (slice_eq(key, IP_ADDR) && v.len && !event_get(ev, FIELD_src_ip, &a)) {
            event_add(ev, FIELD_src_ip, v);
            continue;
        }
        if (slice_eq(key, DESCR)) {
            if (slice_ends(v, "\xE6\x88\x90\xE5\x8A\x9F")) /* 成功 */
                event_add(ev, FIELD_outcome, SLICE_LIT("success"));
            else if (slice_ends(v, "\xE5\xA4\xB1\xE8\xB4\xA5")) /* 失败 */
                event_add(ev, FIELD_outcome, SLICE_LIT("failure"));
        }
        event_add_named(ev, key, v);
    }
    if (act) {
        decode_add_verdict(ev, act[0] == 'b');
    }
    if (event_get(ev, FIELD_src_ip, &a) && event_get(ev, FIELD_dst_ip, &a))
        return DK_SANGFOR_FW;
    return DK_SANGFOR;
}

const struct decoder decode_sangfor = {.name = "sangfor", .decode = sf_decode};
