/*
 * decode_int.h — what the parts of the decode module share: the per-thread context,
 * the parsed syslog header, the decoder callback struct every decoder file exports,
 * the decoder kinds the routing table is indexed by, and small scanning helpers.
 * Flow: decode.c (charset → syslog header → dispatch) calls one decoder, then routing.
 */
#ifndef VIGIL_DECODE_INT_H
#define VIGIL_DECODE_INT_H

#include "decode/decode.h"

#include <iconv.h>
#include <string.h>

/* Decoder outputs; routing.c maps each to routes and field aliases. */
enum decode_kind {
    DK_GENERIC = 0, /* no header, no decoder: generic route only */
    DK_SYSLOG,      /* a syslog header, message not understood (or no decoder needed) */
    DK_SSHD,
    DK_SUDO,
    DK_SU,
    DK_PAM,
    DK_CRON,
    DK_SYSTEMD,
    DK_APACHE,
    DK_NGINX,
    DK_JSON,
    DK_WINDOWS, /* routes chosen by Channel and EventID (routing.c) */
    DK_AUDITD,
    DK_AUDITD_EXEC, /* an EXECVE record: also linux/process_creation */
    /* Linux part 1: shadow-utils account management (dec_shadow.c), netfilter packet
     * logs (dec_netfilter.c) */
    DK_SHADOW,
    DK_NETFILTER,
    DK_APACHE_ERROR, /* dec_weberror.c */
    DK_NGINX_ERROR,
    DK_SQUID,          /* dec_squid.c */
    DK_W3C,            /* dec_w3c.c: a W3C extended / IIS row */
    DK_W3C_DIRECTIVE,  /* a "#Fields:" (etc.) line: an event of its own, no webserver route */
    DK_SURICATA,       /* EVE JSON of an event_type without its own routes */
    DK_SURICATA_ALERT, /* EVE event_type "alert": also ids */
    DK_SURICATA_DNS,   /* EVE event_type "dns": also Sigma's dns category */
    DK_SNORT,          /* Snort "fast" alert lines (and Snort's syslog alerts) */
    DK_SURICATA_FAST,  /* Suricata's fast.log / syslog alert lines: suricata and ids */
    DK_CLAMAV,         /* ClamAV lines other than detections */
    DK_CLAMAV_FOUND,   /* a ClamAV detection ("... FOUND"): also antivirus */
    /* databases (dec_mysql.c, dec_postgres.c, dec_oracle.c) and asset discovery
     * sources (dec_dhcp.c) */
    DK_MYSQL,
    DK_POSTGRES,
    DK_ORACLE,
    DK_DHCP,     /* ISC dhcpd, dnsmasq, Windows DHCP audit rows */
    DK_ARPWATCH, /* arpwatch station reports */
    /* Firewalls and network devices (dec_cisco.c, dec_asa.c) */
    DK_CISCO,             /* a Cisco IOS/ASA message of no other kind below */
    DK_CISCO_FW,          /* a connection, access-list or deny message: also firewall */
    DK_CISCO_AAA,         /* logins, AAA authentication, configuration commands: also cisco/aaa */
    DK_FORTIGATE,         /* dec_fortigate.c: event, utm... logs (no fortigate route yet) */
    DK_FORTIGATE_TRAFFIC, /* type="traffic": firewall */
    DK_CEF,               /* dec_cef.c: ArcSight CEF */
    DK_LEEF,              /* dec_cef.c: QRadar LEEF 1.0/2.0 */
    DK_FILTERLOG,         /* dec_filterlog.c: pfSense/OPNsense: firewall */
    DK_KV,                /* dec_kv.c: generic key=value (format: kv) */
    /* network devices common in China (dec_huawei.c) */
    DK_HUAWEI,       /* a Huawei VRP/USG line */
    DK_HUAWEI_FW,    /* one with source and destination addresses: also firewall */
    DK_HUAWEI_BGP,   /* module BGP: huawei/bgp */
    DK_H3C,          /* an H3C Comware line (dec_h3c.c): no product route yet */
    DK_H3C_FW,       /* one with source and destination addresses: firewall */
    DK_RUIJIE,       /* a Ruijie RGOS line (dec_ruijie.c; sources of format ruijie) */
    DK_RUIJIE_FW,    /* a Ruijie ACL hit: firewall */
    DK_TOPSEC,       /* a TopSec line (dec_topsec.c) */
    DK_TOPSEC_FW,    /* one with source and destination addresses: firewall */
    DK_SANGFOR,      /* a Sangfor AF line (dec_sangfor.c) */
    DK_SANGFOR_FW,   /* one with source and destination addresses: firewall */
    DK_HILLSTONE,    /* a Hillstone StoneOS line (dec_hillstone.c) */
    DK_HILLSTONE_FW, /* one with source and destination addresses: firewall */
    /* more Chinese security devices (dec_qianxin.c, dec_nsfocus.c, dec_venustech.c,
     * dec_dptech.c; the key=value bodies in cn_kv.c) */
    DK_QIANXIN,      /* a Qi-AnXin NSG / SecGate line */
    DK_QIANXIN_FW,   /* one with source and destination addresses: firewall */
    DK_NSFOCUS,      /* an NSFOCUS NIPS/NF/WAF line */
    DK_NSFOCUS_FW,   /* one with source and destination addresses: firewall */
    DK_VENUSTECH,    /* a Venustech firewall/IDS line */
    DK_VENUSTECH_FW, /* one with source and destination addresses: firewall */
    DK_DPTECH,       /* a DPtech firewall line */
    DK_DPTECH_FW,    /* one with source and destination addresses: firewall */
    DK_NETFLOW,      /* a flow record of the netflow input (dec_netflow.c) */
    DK_CUSTOM,       /* an operator's decoder (custom.c): its own routes */
    DK_COUNT
};

struct audit_join;

/* W3C extended logs (dec_w3c.c): the columns of the last "#Fields:" line per source.
 * A fixed table: at W3C_SOURCES sources the least recently used entry is overwritten
 * (that source's rows then use IIS's default columns until its next #Fields line); a
 * #Fields line longer than W3C_FIELDS_TEXT or with more than W3C_MAX_COLS columns is
 * not kept (the source keeps its previous columns). */
#define W3C_SOURCES 8
#define W3C_MAX_COLS 40
#define W3C_FIELDS_TEXT 768
struct w3c_columns {
    const void *src; /* the decode_source the line came from (a key only, never read) */
    uint64_t used;   /* ctx->w3c_clock at the last use, for eviction */
    uint8_t ncols;   /* 0: free entry */
    uint16_t off[W3C_MAX_COLS], len[W3C_MAX_COLS]; /* column names in text */
    char text[W3C_FIELDS_TEXT];
};

/* Per-thread state: iconv handles opened on first use, W3C columns per source, the
 * audit join table. */
struct decode_ctx {
    iconv_t cd_gb18030; /* (iconv_t)-1 until needed */
    iconv_t cd_gbk;
    uint64_t w3c_clock;
    struct w3c_columns w3c[W3C_SOURCES];
    struct audit_join *audit; /* audit_join.c; NULL until an audit record comes */
    void *custom_md;          /* custom.c's pcre2_match_data, made on first use */
};

struct decode_job;

/* Frees a decode context's match data of operator regexes (custom.c). */
void decode_custom_ctx_free(void *md);
/* Runs the operator's decoders of c on the job (only the one named forced, when not
 * NULL; else those whose program or prefix selects the line, in order): DK_CUSTOM with
 * ev->decoder set and *routes the decoder's routes, ERR_PARSE when none took the line
 * (nothing added), or ERR_NOMEM. */
int decode_custom_run(const struct decode_custom *c, const char *forced,
                      const struct decode_job *job, struct event *ev, route_set *routes);

/* Frees the audit join table (decode_ctx_free). */
void audit_join_free(struct audit_join *j);
/* Remembers the n (names[i], values[i]) of the SYSCALL record of the audit event key
 * (host and stamp), copied, for the event's later records. Returns 0 or ERR_NOMEM. */
int audit_join_keep(struct decode_ctx *ctx, uint64_t key, const struct slice *names,
                    const struct slice *values, unsigned n);
/* Adds to ev what audit_join_keep remembered for key, except names that ev's fields
 * first.. (the record's own) have; values are copied into arena. Returns 0 or
 * ERR_NOMEM. */
int audit_join_add(struct decode_ctx *ctx, uint64_t key, struct arena *arena, struct event *ev,
                   unsigned first);

/* A parsed syslog header. All slices point into the record's text. */
struct syslog_hdr {
    bool present;   /* a PRI or a timestamp was recognised */
    bool malformed; /* PRI out of range or structured data broken */
    bool has_time;  /* time_ns holds the record's own timestamp */
    int pri;        /* -1 when absent */
    int version;    /* 0 = BSD (RFC 3164 style), 1 = RFC 5424 */
    int64_t time_ns;
    struct slice pri_text; /* digits of an out-of-range PRI */
    struct slice seq;      /* Cisco sequence number */
    bool ruijie;           /* a header form only Ruijie RGOS writes (syslog.c: "<189> 226:Mar 5 ..."
                            * or a sysname after the "*stamp:") */
    struct slice host, program, pid, msgid, sd;
    struct slice msg; /* the MSG part (whole text when !present) */
};

/*
 * Parses the syslog header at the front of text. Timestamps without an offset are
 * read in zone tz; a year-less timestamp takes the year that puts it nearest to
 * received_ns but not more than 31 days after it. Never fails: a record with no
 * header gives present=false and msg=text.
 */
void decode_syslog_header(struct slice text, const struct vtz *tz, int64_t received_ns,
                          struct syslog_hdr *h);

/*
 * Adds RFC 5424 structured data h->sd to ev as extras "sd.<SD-ID>.<PARAM>", values
 * unescaped into arena when they hold escapes. Returns 0, ERR_PARSE when the data is
 * malformed (what was read stays), ERR_NOMEM at the arena cap.
 */
int decode_syslog_sd(struct slice sd, struct arena *arena, struct event *ev);

/* Parses an ISO 8601 / RFC 3339 date-time at s ("2024-11-25T10:00:00.5+08:00", also
 * with ' ' for 'T'); zone-less times are read in tz. Sets *used to the bytes taken. */
int decode_iso_time(struct slice s, const struct vtz *tz, int64_t *ns, size_t *used);

/*
 * UTC ns of a civil date-time read by a decoder from its own timestamp, in zone tz; y 0
 * (a year-less stamp) takes the year as the syslog header does (nearest to received_ns,
 * at most 31 days after it). Returns 0, or ERR_PARSE for an impossible date or time.
 */
int decode_civil_time(int64_t y, unsigned mon, unsigned day, unsigned h, unsigned mi, unsigned s,
                      int64_t frac_ns, const struct vtz *tz, int64_t received_ns, int64_t *ns);

/* Years accepted in timestamps: within what int64 nanoseconds hold (1678..2262) with a
 * margin. A timestamp outside them is "unparseable": the event takes its received time. */
#define DECODE_YEAR_MIN 1900
#define DECODE_YEAR_MAX 2260

/* What a decoder is given. */
struct decode_job {
    struct decode_ctx *ctx;
    const struct decode_source *src;
    struct arena *arena;
    const struct syslog_hdr *hdr; /* hdr->present false for headerless records */
    struct slice msg;             /* the text to decode (MSG, or the whole record) */
    int64_t received_ns;
};

/*
 * A decoder. decode() reads job->msg and adds fields to ev; it returns the decode_kind
 * of its output (>= 0), or ERR_PARSE when the message is not its format (the caller
 * then removes whatever it added), or ERR_NOMEM at the arena cap. It may set
 * ev->time_ns (and clear EVF_TIME_RECEIVED) when the message carries its own time.
 */
struct decoder {
    const char *name;
    int (*decode)(const struct decode_job *job, struct event *ev);
};

extern const struct decoder decode_sshd;
extern const struct decoder decode_sudo;
extern const struct decoder decode_su;
extern const struct decoder decode_pam;
extern const struct decoder decode_cron;
extern const struct decoder decode_systemd;
extern const struct decoder decode_access;
extern const struct decoder decode_json;
extern const struct decoder decode_windows;
extern const struct decoder decode_auditd;
extern const struct decoder decode_netflow;
extern const struct decoder decode_shadow;
extern const struct decoder decode_netfilter;
extern const struct decoder decode_weberror;
extern const struct decoder decode_squid;
extern const struct decoder decode_w3c;

/* True when the headerless text is a W3C extended row for this source: a
 * "YYYY-MM-DD HH:MM:SS " start, then an address, and as many space-separated columns as
 * the source's last #Fields line (or IIS's default). decode.c then skips the syslog
 * header parse, which would take the date and address for a header (dec_w3c.c). */
bool decode_w3c_row(struct decode_ctx *ctx, const struct decode_source *src, struct slice text);

/* Adds the fields of an HTTP request line "METHOD URI [HTTP/x.y]" (cs-method, cs-uri,
 * cs-uri-stem, cs-uri-query, cs-version); values are slices of r (dec_access.c). */
void decode_http_request(struct slice r, struct event *ev);
extern const struct decoder decode_suricata;
extern const struct decoder decode_snort;
extern const struct decoder decode_clamav;
extern const struct decoder decode_mysql;
extern const struct decoder decode_postgres;
extern const struct decoder decode_dhcp;
extern const struct decoder decode_oracle;

/* True for a Windows DHCP server audit row "ID,MM/DD/YY,HH:MM:SS,..." (dec_dhcp.c). */
bool decode_dhcp_win_row(struct slice m);

/* The database decoder (mysql, postgres) a headerless line belongs to, by its stamp
 * and what follows ("2024-11-25T10:00:00Z 12 [Note]", "... UTC [1234] "), or NULL.
 * decode.c then skips the syslog header parse, which would take the thread id or the
 * zone for a host (dec_mysql.c). */
const struct decoder *decode_db_row(struct slice text);

/* True for MySQL 5.5's "YYMMDD HH:MM:SS " stamp at the front of t (dec_mysql.c). */
bool decode_mysql_old_stamp(struct slice t);
extern const struct decoder decode_cisco;
extern const struct decoder decode_fortigate;
extern const struct decoder decode_cef;
extern const struct decoder decode_filterlog;
extern const struct decoder decode_kv;

/* Reads the body m of the Cisco ASA/FTD message whose id (digits) is id into ev: the
 * parties, verdict, user... of the ids dec_asa.c knows; values are slices of m. Returns
 * the event's kind (DK_CISCO, DK_CISCO_FW, DK_CISCO_AAA); never fails. */
int decode_asa_body(struct slice id, struct slice m, struct event *ev);
/* Sets field id of ev to v where the syslog header set it already (facility, severity,
 * message): the header's value is renamed to the extra keep_as (a static name), or
 * replaced when keep_as is NULL; v is added when ev has no such field (decode.c). */
void decode_take_field(struct event *ev, uint16_t id, struct slice v, const char *keep_as);
/* The word after literal lit in m (up to a space; a trailing ',' ')' '.' dropped), or an
 * empty slice when lit is absent (dec_cisco.c). */
struct slice decode_cisco_word_after(struct slice m, const char *lit, size_t n);
extern const struct decoder decode_huawei;
extern const struct decoder decode_h3c;
extern const struct decoder decode_ruijie;
extern const struct decoder decode_topsec;
extern const struct decoder decode_sangfor;
extern const struct decoder decode_hillstone;
extern const struct decoder decode_qianxin;
extern const struct decoder decode_nsfocus;
extern const struct decoder decode_venustech;
extern const struct decoder decode_dptech;

/*
 * Adds the key=value pairs of s (separated by sep, ' ' or ';'; values in double quotes
 * when they hold sep) to ev, for dec_qianxin.c, dec_nsfocus.c, dec_venustech.c
 * (cn_kv.c): the known address, port and protocol keys as src_ip, dst_ip, src_port,
 * dst_port, proto; a verdict key as action allowed/blocked and blocked true/false; a
 * time key as the event time; the rest as extras (slices of s). Returns the number of
 * pairs read (text that is no pair is skipped).
 */
int decode_cn_kv(const struct decode_job *job, struct slice s, char sep, struct event *ev);
/* The separator (' ' or ';') after the first key=value of m, or 0 when m does not
 * start with a key=value followed by one (cn_kv.c). */
char decode_cn_kv_sep(struct slice m);
/*
 * Adds the pairs of NSFOCUS WAF's "key:value key:value" (or NIDS's "key:value;") body s to ev as
 * decode_cn_kv() does: a key is a lowercase word ([a-z][a-z0-9_]*) right before ':', at the start
 * or after a space; its value (spaces allowed: "stat_time:2024-11-25 10:00:00", "http:GET /
 * HTTP/1.1") runs to the next " key:" or ";key:" (NSFOCUS NIDS's older "time:...;event:...;" form)
 * (cn_kv.c). Returns the number of pairs read; it stops at text that is no key.
 */
int decode_cn_kv_colon(const struct decode_job *job, struct slice s, struct event *ev);
/* True when ev has both src_ip and dst_ip (cn_kv.c). */
bool decode_cn_kv_fw(struct event *ev);

/*
 * Parses a Snort/Suricata alert (dec_snort.c): "[gid:sid:rev] msg [Classification: c]
 * [Priority: n] {PROTO} src[:port] -> dst[:port]", optionally led by "[**] " and by
 * "[Drop] "; adds sid, gid, rev, signature, classification, priority, proto and the
 * addresses to ev (slices of msg). Returns 0, or ERR_PARSE (nothing added) when msg
 * does not start with such an alert.
 */
int decode_snort_alert(struct slice msg, struct event *ev);

/* Called by decode_json_walk for each leaf: path is the flattened name ("a.b.0"), valid
 * only during the call; value lives as long as the record/arena. Returns 0 or ERR_*. */
typedef int (*decode_json_leaf_fn)(void *ctx, struct slice path, struct slice value);

/*
 * Parses job->msg as one JSON object (dec_json.c). With fn NULL every leaf is added to
 * ev as a field; otherwise each leaf goes to fn instead. A top-level time key sets
 * ev->time_ns either way. Returns 0, ERR_PARSE (not JSON), ERR_NOMEM, or fn's error.
 */
int decode_json_walk(const struct decode_job *job, struct event *ev, decode_json_leaf_fn fn,
                     void *ctx);

/*
 * Parses a PAM line "MODULE(SERVICE:TYPE): text" from msg into ev (pam_module,
 * pam_service, user, rhost, outcome, ...). When session_target is set, the account
 * named by "session opened for user X by Y" is target_user and Y is user (su, sudo);
 * otherwise X is user. Returns 0 or ERR_PARSE.
 */
int decode_pam_line(struct slice msg, bool session_target, struct event *ev);

/* Gives ev the routes and aliases of decoder output `kind` (routing.c). */
void decode_route(struct event *ev, enum decode_kind kind);

/* Converts rec to UTF-8 per charset into ev->text, setting EVF_CONVERTED or EVF_BAD_UTF8
 * (charset.c). Returns 0 or ERR_NOMEM (ev->text is then the raw bytes). */
int decode_charset(struct decode_ctx *ctx, enum decode_charset cs, struct arena *arena,
                   struct event *ev);

/* ---- scanning helpers (inline: they are on the hot path) ------------------------- */

static inline bool dec_isdigit(char c)
{
    return c >= '0' && c <= '9';
}

/* c in lower case (ASCII). */
static inline char dec_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

/* A firewall's verdict the way Sigma's firewall rules read it: action "blocked" or
 * "allowed", and blocked "true"/"false" (decode.c). */
void decode_add_verdict(struct event *ev, bool blocked);

/* True when the literal lit occurs in s, ignoring ASCII case (decode.c). */
bool dec_icontains(struct slice s, const char *lit);

/* True when s is one or more ASCII digits. */
static inline bool dec_all_digits(struct slice s)
{
    for (size_t i = 0; i < s.len; i++)
        if (!dec_isdigit(s.p[i]))
            return false;
    return s.len > 0;
}

/* The number written by the n digits at p (n <= 9); -1 when one is not a digit. */
static inline int dec_num(const char *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!dec_isdigit(p[i]))
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

/* True when s starts with the literal lit (length given). */
static inline bool dec_starts(struct slice s, const char *lit, size_t n)
{
    return s.len >= n && memcmp(s.p, lit, n) == 0;
}
#define DEC_STARTS(s, lit) dec_starts((s), (lit), sizeof(lit) - 1)

/* Drops n bytes from the front of s (n <= s.len). */
static inline struct slice dec_skip(struct slice s, size_t n)
{
    return slice_make(s.p + n, s.len - n);
}

/* The run of bytes before the first space (or all of s); *rest is after that space. */
/* The value of a key="value" pair whose opening quote is at s.p[i]: into *val (without
 * the quotes; a backslash keeps the next byte in; an unclosed quote runs to the end);
 * returns the index after the closing quote. */
static inline size_t dec_quoted(struct slice s, size_t i, struct slice *val)
{
    size_t v0 = ++i;
    while (i < s.len && s.p[i] != '"') {
        if (s.p[i] == '\\' && i + 1 < s.len)
            i++;
        i++;
    }
    *val = slice_make(s.p + v0, i - v0);
    return i < s.len ? i + 1 : i;
}

static inline struct slice dec_word(struct slice s, struct slice *rest)
{
    const char *sp = s.len ? memchr(s.p, ' ', s.len) : NULL;
    if (!sp) {
        *rest = slice_make(s.p + s.len, 0);
        return s;
    }
    *rest = slice_make(sp + 1, s.len - (size_t)(sp - s.p) - 1);
    return slice_make(s.p, (size_t)(sp - s.p));
}

/* Index of literal lit in s, or -1. */
static inline long dec_find(struct slice s, const char *lit, size_t n)
{
    if (n == 0 || s.len < n)
        return n == 0 ? 0 : -1;
    const char *p = s.p, *end = s.p + s.len - n + 1;
    while (p < end) {
        const char *q = memchr(p, lit[0], (size_t)(end - p));
        if (!q)
            return -1;
        if (memcmp(q, lit, n) == 0)
            return q - s.p;
        p = q + 1;
    }
    return -1;
}
#define DEC_FIND(s, lit) dec_find((s), (lit), sizeof(lit) - 1)

/* True when s is an IPv4 or IPv6 address literal (inet_pton; an IPv6 zone "%eth0" is
 * allowed), not a host name or a MAC address. */
bool decode_is_ip(struct slice s);

/* True for an IPv4/IPv6 literal or a host name character run (no spaces). */
bool decode_looks_addr(struct slice s);

#endif
