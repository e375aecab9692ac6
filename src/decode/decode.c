/*
 * decode.c — the decode stage's entry point (DESIGN §1, §6): one record in, one event
 * out. The steps are fixed: cut an over-long record, make the UTF-8 view (charset.c),
 * parse the syslog header once (syslog.c), pick a decoder — forced by the source's
 * format, else by program name through a table, else by the message's first bytes —
 * let it add its fields, then give the event its routes (routing.c). A message no
 * decoder understands is kept as a generic event with the header's fields: decoding
 * never drops a record.
 */
#include "decode/decode_int.h"

#include <arpa/inet.h>
#include <stdlib.h>

/* Program names that select a decoder. Compared by length first, then bytes. */
static const struct program_entry {
    const char *name;
    unsigned char len;
    const struct decoder *dec;
} program_table[] = {
// clang-format off
#define P(n, d) {n, sizeof(n) - 1, &d}
    P("sshd", decode_sshd),       P("sshd-session", decode_sshd), P("sudo", decode_sudo),
    P("su", decode_su),           P("CRON", decode_cron),         P("cron", decode_cron),
    P("crond", decode_cron),      P("systemd", decode_systemd),   P("systemd-logind", decode_systemd),
    P("apache2", decode_access),  P("apache", decode_access),     P("httpd", decode_access),
    P("nginx", decode_access),    P("login", decode_pam),       P("crontab", decode_cron),
    P("squid", decode_squid),
    /* Linux audit records forwarded by audisp-syslog */
    P("audit", decode_auditd),    P("auditd", decode_auditd),     P("audisp", decode_auditd),
    P("audispd", decode_auditd),  P("audisp-syslog", decode_auditd),
    /* shadow-utils account management */
    P("useradd", decode_shadow),  P("usermod", decode_shadow),    P("userdel", decode_shadow),
    P("groupadd", decode_shadow), P("groupmod", decode_shadow),   P("groupdel", decode_shadow),
    P("passwd", decode_shadow),   P("chpasswd", decode_shadow),   P("gpasswd", decode_shadow),
    P("chage", decode_shadow),
    /* netfilter packet logs; other kernel lines stay syslog (the decoder refuses them) */
    P("kernel", decode_netfilter),
    /* IDS and antivirus */
    P("suricata", decode_suricata), P("snort", decode_snort),     P("clamd", decode_clamav),
    P("clamscan", decode_clamav), P("clamdscan", decode_clamav), P("clamonacc", decode_clamav),
    P("freshclam", decode_clamav),
    /* databases */
    P("mysqld", decode_mysql),    P("mariadbd", decode_mysql),    P("mysqld_safe", decode_mysql),
    P("mariadbd-safe", decode_mysql), P("postgres", decode_postgres), P("postgresql", decode_postgres),
    /* asset discovery: DHCP servers (dnsmasq's DNS lines are refused) and arpwatch */
    P("dhcpd", decode_dhcp),      P("dnsmasq-dhcp", decode_dhcp), P("dnsmasq", decode_dhcp),
    P("arpwatch", decode_dhcp),   P("oracle", decode_oracle),
    /* firewalls */
    P("filterlog", decode_filterlog),
    /* network devices common in China (Sangfor AF's TAG) */
    P("fwlog", decode_sangfor),
    P("NSG", decode_qianxin),     P("qianxin", decode_qianxin),   P("QAX", decode_qianxin),
    P("SecGate", decode_qianxin), P("NSFOCUS", decode_nsfocus),   P("nsfocus", decode_nsfocus),
    P("NIPS", decode_nsfocus),    P("NF", decode_nsfocus),        P("WAF", decode_nsfocus),
    P("waf", decode_nsfocus),
    P("venus", decode_venustech), P("venustech", decode_venustech), P("Venustech", decode_venustech),
    P("DPTECH", decode_dptech),   P("DPtech", decode_dptech),     P("dptech", decode_dptech),
// clang-format on
#undef P
};

/* Every decoder, for forcing by name and for decode_names(). */
static const struct decoder *const all_decoders[] = {
    &decode_sshd,     &decode_sudo,      &decode_su,       &decode_pam,       &decode_cron,
    &decode_systemd,  &decode_access,    &decode_json,     &decode_windows,   &decode_auditd,
    &decode_shadow,   &decode_netfilter, &decode_weberror, &decode_squid,     &decode_w3c,
    &decode_suricata, &decode_snort,     &decode_clamav,   &decode_netflow,   &decode_mysql,
    &decode_postgres, &decode_dhcp,      &decode_oracle,   &decode_cisco,     &decode_fortigate,
    &decode_cef,      &decode_filterlog, &decode_kv,       &decode_huawei,    &decode_h3c,
    &decode_ruijie,   &decode_topsec,    &decode_sangfor,  &decode_hillstone, &decode_qianxin,
    &decode_nsfocus,  &decode_venustech, &decode_dptech,
};

#define NDECODERS (sizeof all_decoders / sizeof all_decoders[0])

/* Names of the decoders, NULL-terminated; static storage. */
const char *const *decode_names(void)
{
    static const char *const names[] = {
        "sshd",    "sudo",      "su",     "pam",       "cron",      "systemd",   "access",
        "json",    "windows",   "auditd", "shadow",    "netfilter", "weberror",  "squid",
        "w3c",     "suricata",  "snort",  "clamav",    "netflow",   "mysql",     "postgres",
        "dhcp",    "oracle",    "cisco",  "fortigate", "cef",       "filterlog", "kv",
        "huawei",  "h3c",       "ruijie", "topsec",    "sangfor",   "hillstone", "qianxin",
        "nsfocus", "venustech", "dptech", "syslog",    NULL};
    return names;
}

/* Allocates a decoding context for one thread; free it with decode_ctx_free. */
int decode_ctx_new(struct decode_ctx **out)
{
    struct decode_ctx *ctx = mem_calloc(1, sizeof *ctx);
    if (!ctx)
        return ERR_NOMEM;
    ctx->cd_gb18030 = (iconv_t)-1;
    ctx->cd_gbk = (iconv_t)-1;
    *out = ctx;
    return 0;
}

/* Frees ctx and its iconv handles; NULL does nothing. */
void decode_ctx_free(struct decode_ctx *ctx)
{
    if (!ctx)
        return;
    if (ctx->cd_gb18030 != (iconv_t)-1)
        iconv_close(ctx->cd_gb18030);
    if (ctx->cd_gbk != (iconv_t)-1)
        iconv_close(ctx->cd_gbk);
    audit_join_free(ctx->audit);
    decode_custom_ctx_free(ctx->custom_md);
    mem_free(ctx);
}

static const struct decoder *by_program(struct slice prog)
{
    for (size_t i = 0; i < sizeof program_table / sizeof program_table[0]; i++) {
        const struct program_entry *e = &program_table[i];
        if (e->len == prog.len && e->name[0] == prog.p[0] && !memcmp(e->name, prog.p, prog.len))
            return e->dec;
    }
    return NULL;
}

/* True for a TAG that is an H3C cmcc or unicom prefix ("%10SHELL/5/SHELL_LOGIN",
 * "10IFNET/2/210231a64jx073000020"): the header took it for the program. */
static bool h3c_tag(struct slice t)
{
    if (t.len && t.p[0] == '%')
        t = dec_skip(t, 1);
    return t.len > 6 && t.p[0] == '1' && t.p[1] == '0' && t.p[2] >= 'A' && t.p[2] <= 'Z' &&
           memchr(t.p, '/', t.len);
}

/* True for Ruijie's RFC 5424 form "<134>1 TS sysname LOGIN 6 LOGOUT [LOGOUT@4881 ...] text"
 * with its structured data, which carries Ruijie's enterprise number (4881). Without it
 * ("... SYS 5 CONFIG - text") the form is only a shape other senders may have too: such
 * lines are Ruijie's only for sources declared `format: ruijie`. */
static bool ruijie_5424(const struct syslog_hdr *h)
{
    return h->version == 1 && h->sd.len &&
           (DEC_FIND(h->sd, "@4881 ") >= 0 || DEC_FIND(h->sd, "@4881]") >= 0);
}

/* True for a Hillstone "Type@MODULE" TAG (word characters around one '@'; StoneOS
 * puts "HillstoneNetworks#" before it by default). */
static bool hillstone_tag(struct slice t)
{
    if (DEC_STARTS(t, "HillstoneNetworks#"))
        t = dec_skip(t, 18);
    const char *at = t.len ? memchr(t.p, '@', t.len) : NULL;
    if (!at || at == t.p || at == t.p + t.len - 1 || t.len > 64)
        return false;
    for (size_t i = 0; i < t.len; i++) {
        char c = t.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || dec_isdigit(c) || c == '_' ||
              c == '-' || t.p + i == at))
            return false;
    }
    return true;
}

/* True for "SERIAL(VSYS)" as a Hillstone host or RFC 5424 APP-NAME: 8 to 32 digits or
 * upper-case letters, "(", a name, ")" at the end (or "[h:...]" after it). */
static bool hillstone_serial(struct slice t)
{
    size_t i = 0;
    while (i < t.len && i < 32 && ((t.p[i] >= 'A' && t.p[i] <= 'Z') || dec_isdigit(t.p[i])))
        i++;
    if (i < 8 || i >= t.len || t.p[i] != '(')
        return false;
    long rp = slice_find_byte(t, ')');
    return rp > (long)i + 1 && ((size_t)rp + 1 == t.len || t.p[rp + 1] == '[');
}

/* True for a Hillstone message start: "YYYY-MM-DD HH:MM:SS, ", "SERIAL(VSYS) " with
 * an '@' in the first bytes, or an EVENT_ID (4 to 12 hex digits) and a space before
 * "[HillstoneNetworks#]Type@MODULE:" (the rest of the line when syslog.c took
 * SERIAL(VSYS) for the host). */
static bool hillstone_start(struct slice m)
{
    if (m.len > 21 && m.p[4] == '-' && m.p[7] == '-' && m.p[10] == ' ' && m.p[19] == ',' &&
        m.p[20] == ' ')
        return true;
    size_t h = 0;
    while (h < m.len && h < 13 &&
           (dec_isdigit(m.p[h]) || (m.p[h] >= 'a' && m.p[h] <= 'f') ||
            (m.p[h] >= 'A' && m.p[h] <= 'F')))
        h++;
    if (h >= 4 && h <= 12 && h < m.len && m.p[h] == ' ') {
        struct slice rest;
        struct slice tag = dec_word(dec_skip(m, h + 1), &rest);
        return tag.len > 1 && tag.p[tag.len - 1] == ':' &&
               hillstone_tag(slice_make(tag.p, tag.len - 1));
    }
    size_t i = 0;
    while (i < m.len && i < 32 && ((m.p[i] >= 'A' && m.p[i] <= 'Z') || dec_isdigit(m.p[i])))
        i++;
    if (i < 8 || i >= m.len || m.p[i] != '(')
        return false;
    const char *rp = memchr(m.p + i, ')', m.len - i < 40 ? m.len - i : 40);
    size_t lim = m.len < 96 ? m.len : 96;
    return rp && rp + 1 < m.p + m.len && (rp[1] == ' ' || rp[1] == '[') && memchr(m.p, '@', lim);
}

static const struct decoder *by_name(const char *name)
{
    if (!strcmp(name, "apache") || !strcmp(name, "nginx") || !strcmp(name, "webserver"))
        return &decode_access; /* and the error log decoder when it is not an access line */
    for (size_t i = 0; i < NDECODERS; i++)
        if (!strcmp(all_decoders[i]->name, name))
            return all_decoders[i];
    return NULL;
}

/* See decode_int.h. */
void decode_take_field(struct event *ev, uint16_t id, struct slice v, const char *keep_as)
{
    for (unsigned i = 0; i < ev->nfields; i++) {
        if (ev->fields[i].id == id) {
            if (!keep_as) {
                ev->fields[i].value = v;
                return;
            }
            ev->fields[i].id = FIELD_EXTRA;
            ev->fields[i].name = slice_cstr(keep_as);
            break;
        }
    }
    event_add(ev, id, v);
}

/* See decode_int.h. */
void decode_add_verdict(struct event *ev, bool blocked)
{
    event_add(ev, FIELD_action, blocked ? SLICE_LIT("blocked") : SLICE_LIT("allowed"));
    event_add_named(ev, SLICE_LIT("blocked"), blocked ? SLICE_LIT("true") : SLICE_LIT("false"));
}

/* See decode_int.h. */
bool dec_icontains(struct slice s, const char *lit)
{
    size_t n = strlen(lit);
    for (size_t i = 0; i + n <= s.len; i++) {
        size_t j = 0;
        while (j < n && dec_lower(s.p[i + j]) == dec_lower(lit[j]))
            j++;
        if (j == n)
            return true;
    }
    return false;
}

/* See decode_int.h. */
bool decode_is_ip(struct slice s)
{
    char buf[64];
    unsigned char out[16];
    if (s.len < 2 || s.len >= sizeof buf)
        return false;
    memcpy(buf, s.p, s.len);
    buf[s.len] = 0;
    char *zone = memchr(buf, '%', s.len);
    if (zone)
        *zone = 0;
    return inet_pton(AF_INET, buf, out) == 1 || inet_pton(AF_INET6, buf, out) == 1;
}

/* True for "[0-9a-fA-F:.]+" or a host-name-like token: a plausible client address. */
bool decode_looks_addr(struct slice s)
{
    if (s.len == 0 || s.len > 255)
        return false;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '.' || c == ':' || c == '-' || c == '_' || c == '%'))
            return false;
    }
    return true;
}

/* True for a DPtech "%%IPS/ATTACK/2/SRVLOG(l):" tag at the start of t (H3C's and
 * Huawei's "%%10"/"%%01" start with digits). */
static bool dptech_tag(struct slice t)
{
    return t.len > 12 && t.p[0] == '%' && t.p[1] == '%' && t.p[2] >= 'A' && t.p[2] <= 'Z' &&
           DEC_FIND(slice_make(t.p, t.len < 64 ? t.len : 64), "/SRVLOG") >= 0;
}

/* True for a Venustech / Leadsec (网御) body "devid=0 date=... dname=... logtype=...",
 * whatever program sent it (kernel, webui, newconfig, logserver...). */
static bool leadsec_body(struct slice m)
{
    while (m.len && m.p[0] == ' ')
        m = dec_skip(m, 1);
    if (!DEC_STARTS(m, "devid="))
        return false;
    struct slice head = slice_make(m.p, m.len < 160 ? m.len : 160);
    return DEC_FIND(head, " dname=") >= 0 || DEC_FIND(head, " logtype=") >= 0;
}

/* True for an NSFOCUS body: WAF "tag:waf_log_...", NIPS "...manufacturers=nsfocus;..."
 * or "time=...;log_type=..." / "time:...;danger_degree:..." near the start. */
static bool nsfocus_body(struct slice m)
{
    while (m.len && m.p[0] == ' ')
        m = dec_skip(m, 1);
    if (m.len < 12 || (m.p[0] != 't' && m.p[0] != 'm' && m.p[0] != 'd'))
        return false;
    if (DEC_STARTS(m, "tag:waf_log_"))
        return true;
    struct slice head = slice_make(m.p, m.len < 200 ? m.len : 200);
    if (DEC_FIND(head, "manufacturers=nsfocus;") >= 0)
        return true;
    return (DEC_STARTS(m, "time=") || DEC_STARTS(m, "time:")) &&
           (DEC_FIND(head, ";danger_degree") >= 0 || DEC_FIND(head, ";log_type=") >= 0);
}

/* The decoder that the message's first bytes suggest, or NULL. */
static const struct decoder *by_content(struct slice m)
{
    if (!m.len)
        return NULL;
    char c = m.p[0];
    if (c == '{') {
        /* Suricata's EVE opens with "timestamp" and names its event_type within the first
         * fields: a bounded look, before the Windows scans of the whole line */
        if (DEC_STARTS(m, "{\"timestamp\":\"") &&
            DEC_FIND(slice_make(m.p, m.len < 256 ? m.len : 256), "\"event_type\":") >= 0)
            return &decode_suricata;
        /* Windows keys seen: try that first, json if it is not (decode_record) */
        if (DEC_FIND(m, "\"winlog\"") >= 0 || DEC_FIND(m, "\"EventID\"") >= 0)
            return &decode_windows;
        return DEC_FIND(m, "\"event_type\":") >= 0 ? &decode_suricata : &decode_json;
    }
    /* Huawei "%%01MOD/5/BRIEF(l):", H3C "%%10MOD/5/MNEMONIC:" (its format version is
     * always 10; syslog.c leaves "%%" prefixes in the message); H3C cmcc "%10MOD/..." */
    if (c == '%' && m.len > 4 && m.p[1] == '%' && dec_isdigit(m.p[2]) && dec_isdigit(m.p[3]))
        return m.p[2] == '1' && m.p[3] == '0' ? &decode_h3c : &decode_huawei;
    if (c == '%' && m.len > 4 && m.p[1] == '1' && m.p[2] == '0' && m.p[3] >= 'A' && m.p[3] <= 'Z')
        return &decode_h3c;
    if (c == '%' && dptech_tag(m))
        return &decode_dptech;
    if ((dec_isdigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) && hillstone_start(m))
        return &decode_hillstone;
    if (c == 'i' && DEC_STARTS(m, "id=tos ")) /* TopSec */
        return &decode_topsec;
    /* Sangfor AF without its TAG (or behind "nat:"): "日志类型:", or "所属系统:" first */
    if (c == '\xE6' && (DEC_STARTS(m, "\xE6\x97\xA5\xE5\xBF\x97\xE7\xB1\xBB\xE5\x9E\x8B") ||
                        DEC_STARTS(m, "\xE6\x89\x80\xE5\xB1\x9E\xE7\xB3\xBB\xE7\xBB\x9F")))
        return &decode_sangfor;
    /* Cisco "%ASA-6-302013: ...", also after the ASA's empty program (": %ASA-...") */
    if (c == '%' || (c == ':' && DEC_STARTS(m, ": %")))
        return &decode_cisco;
    /* FortiGate "date=2024-11-25 time=... devname=... logid=..." */
    if (c == 'd' && DEC_STARTS(m, "date=")) {
        struct slice head = slice_make(m.p, m.len < 200 ? m.len : 200);
        if (DEC_FIND(head, " devname=") >= 0 || DEC_FIND(head, " logid=") >= 0)
            return &decode_fortigate;
    }
    if ((c == 'C' && DEC_STARTS(m, "CEF:")) || (c == 'L' && DEC_STARTS(m, "LEEF:")))
        return &decode_cef;
    if (c == 'p' && DEC_STARTS(m, "pam_"))
        return &decode_pam;
    /* NSFOCUS "type=ips_log;..." (auditd's "type=X msg=..." has a space there) */
    if (c == 't' && DEC_STARTS(m, "type=") && decode_cn_kv_sep(m) == ';')
        return &decode_nsfocus;
    if ((c == 't' && DEC_STARTS(m, "type=")) || (c == 'n' && DEC_STARTS(m, "node=")))
        return &decode_auditd;
    /* NSFOCUS WAF "tag:waf_log_websec site_id:...", NIPS/NIDS bodies */
    if (nsfocus_body(m))
        return &decode_nsfocus;
    if (c == '#' &&
        (DEC_STARTS(m, "#Software:") || DEC_STARTS(m, "#Fields:") || DEC_STARTS(m, "#Version:") ||
         DEC_STARTS(m, "#Date:") || DEC_STARTS(m, "#Remark:") || DEC_STARTS(m, "#Start-Date:") ||
         DEC_STARTS(m, "#End-Date:")))
        return &decode_w3c;
    /* "[Mon Nov 25 " (Apache error log) */
    if (c == '[' && m.len > 12 && m.p[4] == ' ' && m.p[8] == ' ' && vtime_month3(m.p + 5))
        return &decode_weberror;
    /* "2024/11/25 10:00:00 [" (nginx error log) */
    if (m.len > 21 && m.p[4] == '/' && m.p[7] == '/' && m.p[10] == ' ' && m.p[19] == ' ' &&
        m.p[20] == '[' && dec_isdigit(c))
        return &decode_weberror;
    /* "1732528800.123    456 " (Squid's native access.log) */
    if (dec_isdigit(c) && m.len > 20) {
        size_t i = 0;
        while (i < 12 && dec_isdigit(m.p[i]))
            i++;
        if (i >= 9 && m.p[i] == '.' && dec_isdigit(m.p[i + 1]) && dec_isdigit(m.p[i + 2]) &&
            dec_isdigit(m.p[i + 3]) && m.p[i + 4] == ' ')
            return &decode_squid;
    }
    /* Snort/Suricata fast alerts: "MM/DD-" or "MM/DD/YY-", or "[gid:sid:rev]"/"[**]" */
    if (m.len > 6 && dec_isdigit(c) && dec_isdigit(m.p[1]) && m.p[2] == '/' &&
        dec_isdigit(m.p[3]) && dec_isdigit(m.p[4]) && (m.p[5] == '-' || m.p[5] == '/'))
        return &decode_snort;
    if (c == '[' && m.len > 1 && (dec_isdigit(m.p[1]) || DEC_STARTS(m, "[**] ")))
        return &decode_snort;
    /* ClamAV: a detection "/path: Sig FOUND", or clamd's log file stamp
     * "Mon Nov 25 10:00:00 2024 -> " */
    if (c == '/' && m.len > 8 && !memcmp(m.p + m.len - 6, " FOUND", 6))
        return &decode_clamav;
    if (m.len > 28 && !memcmp(m.p + 24, " -> ", 4) && m.p[3] == ' ' && m.p[7] == ' ')
        return &decode_clamav;
    /* MySQL 5.x / MariaDB general log, a line in the same second as the one before:
     * "\t\t   52 Query\tcommit" (tabs, the thread id, a command word) */
    if (c == '\t' && m.len > 4 && m.p[1] == '\t') {
        size_t i = 2;
        while (i < m.len && i < 12 && m.p[i] == ' ')
            i++;
        size_t d = i;
        while (i < m.len && dec_isdigit(m.p[i]))
            i++;
        if (i > d && i + 1 < m.len && m.p[i] == ' ' && m.p[i + 1] >= 'A' && m.p[i + 1] <= 'Z')
            return &decode_mysql;
    }
    /* MySQL 5.5 / old MariaDB error log: "241125 10:00:00 [Warning] ..." */
    if (dec_isdigit(c) && decode_mysql_old_stamp(m))
        return &decode_mysql;
    /* Oracle's audit to syslog: "Oracle Audit[pid]: LENGTH: ..." (a space in the name:
     * the header parser leaves it in the message) */
    if (c == 'O' && (DEC_STARTS(m, "Oracle Audit") || DEC_STARTS(m, "Oracle Unified Audit")))
        return &decode_oracle;
    /* Windows DHCP server audit log: "10,11/25/24,10:00:00,Assign,..." */
    if (dec_isdigit(c) && decode_dhcp_win_row(m))
        return &decode_dhcp;
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':') {
        /* "addr ident user [" within the first bytes: an access log */
        size_t lim = m.len < 300 ? m.len : 300;
        const char *b = memchr(m.p, '[', lim);
        if (b && b > m.p + 4 && b[-1] == ' ')
            return &decode_access;
    }
    return NULL;
}

/*
 * Huawei USG's own header forms, which the syslog header parser leaves in the message
 * (USG log guide, "syslog header format"): a space after the PRI before the time
 * ("<190> 2016-01-08 01:18:58 USG6000E %%01..."), no time ("<190>USG6000E %%01..."), or a
 * "%%: " before the tag ("<190>USG6000E %%: %%01..."). On a match the host and time are
 * taken, job->msg becomes the "%%01..." part and true is returned.
 */
static bool huawei_header(struct decode_job *job, const struct vtz *tz, struct event *ev)
{
    struct slice m = slice_trim(job->msg);
    int64_t ns = 0;
    size_t used = 0;
    bool timed = m.len > 19 && dec_isdigit(m.p[0]) && m.p[4] == '-' &&
                 decode_iso_time(m, tz, &ns, &used) == 0 && used < m.len && m.p[used] == ' ';
    if (timed)
        m = slice_trim(dec_skip(m, used));
    struct slice rest, host = dec_word(m, &rest);
    if (!host.len || host.len > 64 || memchr(host.p, '%', host.len))
        return false;
    if (DEC_STARTS(rest, "%%: "))
        rest = dec_skip(rest, 4);
    if (!(rest.len > 4 && DEC_STARTS(rest, "%%") && dec_isdigit(rest.p[2]) &&
          dec_isdigit(rest.p[3])))
        return false;
    event_add(ev, FIELD_host, host);
    if (timed) {
        ev->time_ns = ns;
        ev->flags &= ~(uint32_t)EVF_TIME_RECEIVED;
    }
    job->msg = rest;
    return true;
}

static const struct vtz *src_tz(const struct decode_source *src)
{
    return src && src->tz ? src->tz : vtz_utc();
}

static const char *const facility_names[24] = {
    "kern",   "user",   "mail",     "daemon", "auth",   "syslog",   "lpr",     "news",
    "uucp",   "cron",   "authpriv", "ftp",    "ntp",    "security", "console", "solaris-cron",
    "local0", "local1", "local2",   "local3", "local4", "local5",   "local6",  "local7",
};
static const char *const severity_names[8] = {"emerg",   "alert",  "crit", "err",
                                              "warning", "notice", "info", "debug"};

/* Adds the header's fields to ev. */
static int add_header(const struct syslog_hdr *h, struct arena *arena, struct event *ev)
{
    if (h->pri >= 0) {
        event_add(ev, FIELD_facility, slice_cstr(facility_names[h->pri >> 3]));
        event_add(ev, FIELD_severity, slice_cstr(severity_names[h->pri & 7]));
    } else if (h->pri_text.len) {
        event_add(ev, FIELD_pri, h->pri_text);
    }
    if (h->seq.len)
        event_add(ev, FIELD_seq, h->seq);
    if (h->host.len)
        event_add(ev, FIELD_host, h->host);
    if (h->program.len)
        event_add(ev, FIELD_program, h->program);
    if (h->pid.len)
        event_add(ev, FIELD_pid, h->pid);
    if (h->msgid.len)
        event_add(ev, FIELD_msgid, h->msgid);
    if (h->sd.len) {
        int rc = decode_syslog_sd(h->sd, arena, ev);
        if (rc == ERR_NOMEM)
            return rc;
        if (rc)
            ev->flags |= EVF_MALFORMED;
    }
    event_add(ev, FIELD_message, h->msg);
    return 0;
}

/* Runs dec; on ERR_PARSE removes what it added. Returns its kind or a negative code. */
static int run(const struct decoder *dec, const struct decode_job *job, struct event *ev)
{
    uint16_t n0 = ev->nfields;
    uint32_t f0 = ev->flags;
    int64_t t0 = ev->time_ns;
    int kind = dec->decode(job, ev);
    if (kind < 0) {
        ev->nfields = n0;
        ev->flags = f0;
        ev->time_ns = t0;
        return kind;
    }
    ev->decoder = dec->name;
    return kind;
}

/* Decodes a record; see decode.h for the contract. */
int decode_record(struct decode_ctx *ctx, const struct decode_source *src, struct arena *arena,
                  const char *rec, size_t len, int64_t received_ns, struct event *ev)
{
    uint64_t id = ev->id;
    struct event_origin origin = ev->origin;
    struct slice input = ev->input, peer = ev->peer;
    event_reset(ev);
    ev->id = id;
    ev->origin = origin;
    ev->input = input;
    ev->peer = peer;
    ev->received_ns = received_ns;
    bool cut = len > EVENT_MAX_RECORD;
    if (cut) {
        len = EVENT_MAX_RECORD;
        ev->flags |= EVF_TRUNCATED;
    }
    ev->raw = slice_make(rec, len);
    int rc = decode_charset(ctx, src ? src->charset : CHARSET_AUTO, arena, ev);
    if (rc)
        goto generic;
    struct slice text = ev->text;
    if (DEC_STARTS(text, "\xEF\xBB\xBF"))
        text = dec_skip(text, 3);

    const struct vtz *tz = src_tz(src);
    bool forced = src && src->format && src->format[0] && strcmp(src->format, "auto") != 0;
    /* a W3C row starts like a syslog header ("2024-11-25 10:00:00 10.0.0.1 ..."): not one */
    bool w3c_row =
        (!forced || by_name(src->format) == &decode_w3c) && decode_w3c_row(ctx, src, text);
    /* nor is a database's own line ("2024-11-25T10:00:00Z 12 [Note] ...") */
    const struct decoder *db_row = NULL;
    if (!w3c_row && text.len > 20 && text.p[4] == '-' && dec_isdigit(text.p[0])) {
        db_row = decode_db_row(text);
        if (db_row && forced && by_name(src->format) != db_row)
            db_row = NULL;
    }
    struct syslog_hdr h;
    if (w3c_row || db_row) {
        memset(&h, 0, sizeof h);
        h.pri = -1;
        h.msg = text;
    } else {
        decode_syslog_header(text, tz, received_ns, &h);
    }
    if (h.has_time) {
        ev->time_ns = h.time_ns;
    } else {
        ev->time_ns = received_ns;
        ev->flags |= EVF_TIME_RECEIVED;
    }
    if (h.malformed)
        ev->flags |= EVF_MALFORMED;
    /* Oracle sends its audit to a remote syslog without a host ("<142>May 23 15:43:36
     * Oracle Audit[pid]: LENGTH : ..."): "Oracle" is not a host, the rest is the message */
    if (h.host.len == 6 && h.host.p >= text.p && h.host.p < text.p + text.len &&
        !memcmp(h.host.p, "Oracle", 6)) {
        struct slice rest = slice_make(h.host.p, (size_t)(text.p + text.len - h.host.p));
        if (DEC_STARTS(rest, "Oracle Audit[") || DEC_STARTS(rest, "Oracle Unified Audit[")) {
            h.msg = rest;
            h.host = h.program = h.pid = SLICE_NULL;
        }
    }
    if (h.present && (rc = add_header(&h, arena, ev)) != 0)
        goto generic;

    struct decode_job job = {
        .ctx = ctx,
        .src = src,
        .arena = arena,
        .hdr = &h,
        .msg = h.msg,
        .received_ns = received_ns,
    };
    const struct decoder *dec = NULL;
    /* the operator's decoders first: they know their devices better */
    int kind = ERR_PARSE;
    route_set custom_routes = 0;
    bool custom_forced = forced && src->custom && !by_name(src->format);
    if (src && src->custom && (!forced || custom_forced)) {
        uint16_t n0 = ev->nfields;
        uint32_t f0 = ev->flags;
        int64_t t0 = ev->time_ns;
        kind = decode_custom_run(src->custom, custom_forced ? src->format : NULL, &job, ev,
                                 &custom_routes);
        if (kind == ERR_PARSE) {
            ev->nfields = n0;
            ev->flags = f0;
            ev->time_ns = t0;
        }
    }
    if (kind != ERR_PARSE || custom_forced) {
        /* taken by an operator's decoder, or forced to one that did not take it */
    } else if (forced) {
        dec = by_name(src->format); /* "syslog" (or an unknown name): header only */
    } else {
        if (w3c_row)
            dec = &decode_w3c;
        if (db_row)
            dec = db_row;
        if (!dec && leadsec_body(h.msg)) /* before the program: theirs is "kernel" */
            dec = &decode_venustech;
        if (!dec && (h.ruijie || ruijie_5424(&h)))
            dec = &decode_ruijie;
        if (!dec && h.program.len)
            dec = by_program(h.program);
        if (!dec && h3c_tag(h.program))
            dec = &decode_h3c;
        if (!dec && (hillstone_tag(h.program) || hillstone_serial(h.program)))
            dec = &decode_hillstone;
        if (!dec && dptech_tag(h.program))
            dec = &decode_dptech;
        if (!dec && h.program.len && h.program.p[0] == '%')
            dec = &decode_cisco;
        if (!dec && !h.program.len && huawei_header(&job, tz, ev))
            dec = &decode_huawei;
        if (!dec)
            dec = by_content(h.msg);
        /* Venustech sends a PRI above 191 ("<214>"): a key=value body no vendor's own
         * signature claimed is its ("type=…;" too: NSFOCUS sends valid PRIs) */
        if ((!dec || dec == &decode_nsfocus || dec == &decode_auditd) && h.pri_text.len &&
            decode_cn_kv_sep(h.msg))
            dec = &decode_venustech;
    }
    if (dec)
        kind = run(dec, &job, ev);
    if (kind == ERR_PARSE && !forced && (dec == &decode_windows || dec == &decode_suricata) &&
        h.msg.len && h.msg.p[0] == '{')
        kind = run(&decode_json, &job, ev);
    /* the kernel prints audit records itself when no auditd runs */
    if (kind == ERR_PARSE && !forced && dec == &decode_netfilter && DEC_FIND(h.msg, "audit(") > 0)
        kind = run(&decode_auditd, &job, ev);
    /* apache2/httpd/nginx (and the formats apache, nginx, webserver) log errors too */
    if (kind == ERR_PARSE && dec == &decode_access && !(forced && !strcmp(src->format, "access")))
        kind = run(&decode_weberror, &job, ev);
    if (kind < 0 && !forced && dec != &decode_pam && DEC_STARTS(h.msg, "pam_"))
        kind = run(&decode_pam, &job, ev);
    if (kind == ERR_NOMEM) {
        rc = kind;
        goto generic;
    }
    if (kind < 0) {
        ev->flags |= EVF_GENERIC;
        ev->decoder = h.present ? "syslog" : "generic";
        kind = h.present ? DK_SYSLOG : DK_GENERIC;
    }
    decode_route(ev, (enum decode_kind)kind);
    if (kind == DK_CUSTOM)
        ev->routes |= custom_routes;
    if (!(ev->flags & EVF_TIME_RECEIVED)) {
        /* in seconds: the difference of two ns instants may not fit int64 */
        int64_t d = ev->time_ns / NS_PER_SEC - received_ns / NS_PER_SEC;
        if (d > 366 * 86400LL || d < -366 * 86400LL)
            ev->flags |= EVF_TIME_SKEWED;
    }
    return 0;

generic:
    /* Arena exhausted: keep the raw record alone, as the contract says. */
    event_reset(ev);
    ev->id = id;
    ev->origin = origin;
    ev->input = input;
    ev->peer = peer;
    ev->received_ns = received_ns;
    ev->time_ns = received_ns;
    ev->raw = slice_make(rec, len);
    ev->text = ev->raw;
    ev->flags = EVF_GENERIC | EVF_TIME_RECEIVED | (cut ? EVF_TRUNCATED : 0);
    ev->decoder = "generic";
    decode_route(ev, DK_GENERIC);
    return rc;
}
