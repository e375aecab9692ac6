/*
 * out_render.c — what the outputs send (output.h): the copy of an alert row they share,
 * and its renderings — JSON for the webhook, CEF for syslog (with an RFC 5424 or 3164
 * header), an RFC 5322 message for e-mail. Entities come from log lines, i.e. from
 * whoever sent them, so every value is escaped for the format it lands in: JSON
 * strings (invalid UTF-8 as \u00XX), CEF header (\| \\, line breaks as spaces) and
 * extension (\= \\ \n \r), e-mail header values (control bytes dropped, non-ASCII as
 * RFC 2047) and body lines (control bytes replaced, cut before SMTP's 998 bytes).
 */
#include "output/output.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- the copy ---------------------------------------------------------------------- */

#define OUTPUT_MAX_VALUE (1u << 20) /* an entity longer than this is no entity: not copied */

static size_t cstr_len(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

static const char *put_cstr(char **at, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    memcpy(*at, s, n);
    const char *r = *at;
    *at += n;
    return r;
}

static struct slice put_slice(char **at, struct slice s)
{
    if (!s.p)
        return SLICE_NULL;
    memcpy(*at, s.p, s.len);
    (*at)[s.len] = 0;
    struct slice r = slice_make(*at, s.len);
    *at += s.len + 1;
    return r;
}

/* See output.h. */
struct output_alert *output_alert_new(const struct alert_row *r)
{
    const struct slice *e[4] = {&r->src_ip, &r->dst_ip, &r->user, &r->host};
    size_t n = sizeof(struct output_alert) + cstr_len(r->rule_id) + cstr_len(r->rule_title) +
               cstr_len(r->rule_level) + cstr_len(r->tags_json) + cstr_len(r->asset);
    for (int i = 0; i < 4; i++)
        if (e[i]->p) {
            if (e[i]->len > OUTPUT_MAX_VALUE)
                return NULL;
            n += e[i]->len + 1;
        }
    struct output_alert *a = mem_alloc(n);
    if (!a)
        return NULL;
    memset(a, 0, sizeof *a);
    atomic_init(&a->refs, 1);
    char *at = (char *)(a + 1);
    a->id = r->id;
    a->is_new = r->is_new;
    a->rule_id = put_cstr(&at, r->rule_id);
    a->rule_title = put_cstr(&at, r->rule_title);
    a->rule_level = put_cstr(&at, r->rule_level);
    a->tags_json = put_cstr(&at, r->tags_json);
    a->asset = put_cstr(&at, r->asset);
    a->first_seen_ns = r->first_seen_ns;
    a->last_seen_ns = r->last_seen_ns;
    a->created_ns = r->created_ns;
    a->count = r->count;
    a->src_ip = put_slice(&at, r->src_ip);
    a->dst_ip = put_slice(&at, r->dst_ip);
    a->user = put_slice(&at, r->user);
    a->host = put_slice(&at, r->host);
    a->nevents = r->nevents < ALERT_SAMPLE_IDS ? r->nevents : ALERT_SAMPLE_IDS;
    memcpy(a->event_ids, r->event_ids, a->nevents * sizeof a->event_ids[0]);
    a->risk = r->risk;
    return a;
}

/* See output.h. */
void output_alert_ref(struct output_alert *a)
{
    atomic_fetch_add_explicit(&a->refs, 1, memory_order_relaxed);
}

/* See output.h. */
void output_alert_unref(struct output_alert *a)
{
    if (a && atomic_fetch_sub_explicit(&a->refs, 1, memory_order_acq_rel) == 1)
        mem_free(a);
}

/* ---- JSON -------------------------------------------------------------------------- */

static void json_key_time(struct buf *b, const char *key, int64_t ns)
{
    char t[64];
    if (vtime_format(ns, t, sizeof t) != 0)
        snprintf(t, sizeof t, "?");
    buf_printf(b, ",\"%s\":\"%s\"", key, t);
}

/* See output.h. */
void output_render_json(struct buf *b, const struct output_alert *a)
{
    buf_printf(b, "{\"id\":\"%016" PRIx64 "\",\"event\":\"%s\"", a->id,
               a->is_new ? "new" : "update");
    buf_json_member(b, "rule_id", a->rule_id, a->rule_id ? strlen(a->rule_id) : 0);
    buf_json_member(b, "title", a->rule_title, a->rule_title ? strlen(a->rule_title) : 0);
    buf_json_member(b, "level", a->rule_level, a->rule_level ? strlen(a->rule_level) : 0);
    /* the merger wrote the tags as a JSON array */
    buf_printf(b, ",\"tags\":%s", a->tags_json && a->tags_json[0] == '[' ? a->tags_json : "[]");
    json_key_time(b, "first_seen", a->first_seen_ns);
    json_key_time(b, "last_seen", a->last_seen_ns);
    buf_printf(b, ",\"count\":%" PRIu64, a->count);
    buf_json_member(b, "src_ip", a->src_ip.p, a->src_ip.len);
    buf_json_member(b, "dst_ip", a->dst_ip.p, a->dst_ip.len);
    buf_json_member(b, "user", a->user.p, a->user.len);
    buf_json_member(b, "host", a->host.p, a->host.len);
    buf_json_member(b, "asset", a->asset, a->asset ? strlen(a->asset) : 0);
    buf_printf(b, ",\"risk\":%.1f", a->risk);
    buf_puts(b, ",\"event_ids\":[");
    for (unsigned i = 0; i < a->nevents; i++)
        buf_printf(b, "%s\"%016" PRIx64 "\"", i ? "," : "", a->event_ids[i]);
    buf_putc(b, ']');
    json_key_time(b, "created", a->created_ns);
    buf_putc(b, '}');
}

/* ---- CEF --------------------------------------------------------------------------- */

/* A header value: \ and | escaped; line breaks and other control bytes, which a header
 * may not hold, become spaces. */
static void cef_header(struct buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\' || c == '|') {
            buf_putc(b, '\\');
            buf_putc(b, (char)c);
        } else {
            buf_putc(b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
        }
    }
}

/* An extension value: \ and = escaped, CR and LF as \r and \n, other control bytes as
 * spaces (a syslog line must stay one line). */
static void cef_value(struct buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\' || c == '=') {
            buf_putc(b, '\\');
            buf_putc(b, (char)c);
        } else if (c == '\n') {
            buf_puts(b, "\\n");
        } else if (c == '\r') {
            buf_puts(b, "\\r");
        } else {
            buf_putc(b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
        }
    }
}

static void cef_pair(struct buf *b, const char *key, const char *v, size_t n)
{
    if (!v)
        return;
    buf_printf(b, " %s=", key);
    cef_value(b, v, n);
}

static bool is_ip(struct slice s)
{
    char t[64];
    unsigned char bin[16];
    if (!s.p || s.len == 0 || s.len >= sizeof t)
        return false;
    memcpy(t, s.p, s.len);
    t[s.len] = 0;
    return inet_pton(AF_INET, t, bin) == 1 || inet_pton(AF_INET6, t, bin) == 1;
}

/* The CEF severity (0-10) of a Sigma level. */
static int cef_severity(const char *level)
{
    static const int sev[] = {1, 3, 5, 8, 10};
    int r = output_level_rank(level);
    return r < 0 ? 5 : sev[r];
}

/* See output.h. */
void output_render_cef(struct buf *b, const struct output_alert *a)
{
    buf_puts(b, "CEF:0|Vigil|Vigil|" OUTPUT_PRODUCT_VERSION "|");
    const char *id = a->rule_id ? a->rule_id : "";
    const char *title = a->rule_title ? a->rule_title : id;
    cef_header(b, id, strlen(id));
    buf_putc(b, '|');
    cef_header(b, title, strlen(title));
    buf_printf(b, "|%d|", cef_severity(a->rule_level));
    /* rt first: some receivers want the extension to begin with a key, never a space */
    buf_printf(b, "rt=%lld start=%lld end=%lld cnt=%" PRIu64,
               (long long)(a->last_seen_ns / 1000000), (long long)(a->first_seen_ns / 1000000),
               (long long)(a->last_seen_ns / 1000000), a->count);
    /* src= and dst= must be addresses; a name in their place goes to shost= / dhost= */
    if (a->src_ip.p)
        cef_pair(b, is_ip(a->src_ip) ? "src" : "shost", a->src_ip.p, a->src_ip.len);
    if (a->dst_ip.p)
        cef_pair(b, is_ip(a->dst_ip) ? "dst" : "cs6", a->dst_ip.p, a->dst_ip.len);
    if (a->dst_ip.p && !is_ip(a->dst_ip))
        buf_puts(b, " cs6Label=dst");
    cef_pair(b, "suser", a->user.p, a->user.len);
    cef_pair(b, "dhost", a->host.p, a->host.len);
    buf_printf(b, " externalId=%016" PRIx64, a->id);
    cef_pair(b, "cat", a->rule_level, a->rule_level ? strlen(a->rule_level) : 0);
    buf_printf(b, " act=%s", a->is_new ? "new" : "update");
    buf_printf(b, " cs1Label=risk cs1=%.1f", a->risk);
    if (a->asset) {
        buf_puts(b, " cs2Label=asset");
        cef_pair(b, "cs2", a->asset, strlen(a->asset));
    }
    if (a->tags_json && strcmp(a->tags_json, "[]")) {
        buf_puts(b, " cs3Label=tags");
        cef_pair(b, "cs3", a->tags_json, strlen(a->tags_json));
    }
    if (a->nevents) {
        buf_puts(b, " cs4Label=eventIds cs4=");
        for (unsigned i = 0; i < a->nevents; i++)
            buf_printf(b, "%s%016" PRIx64, i ? "," : "", a->event_ids[i]);
    }
}

/* ---- syslog ------------------------------------------------------------------------ */

/* The syslog severity of a Sigma level: critical 2 ... informational 6. */
static int syslog_severity(const char *level)
{
    static const int sev[] = {6, 5, 4, 3, 2};
    int r = output_level_rank(level);
    return r < 0 ? 5 : sev[r];
}

/* The host name as a syslog header field: printable ASCII without spaces, or "-". */
static void put_hostname(struct buf *b, const char *h)
{
    size_t n = 0;
    for (; h && h[n] && n < 255; n++) {
        unsigned char c = (unsigned char)h[n];
        buf_putc(b, c > 0x20 && c < 0x7f ? (char)c : '_');
    }
    if (!n)
        buf_putc(b, '-');
}

/* See output.h. */
void output_render_syslog(struct buf *b, const struct output_cfg *o, const struct output_alert *a,
                          const char *hostname, long pid, int64_t now_ns)
{
    int pri = o->facility * 8 + syslog_severity(a->rule_level);
    int64_t y;
    unsigned mon, d, h, mi, s;
    int64_t secs = now_ns / NS_PER_SEC;
    vtime_to_civil(secs, &y, &mon, &d, &h, &mi, &s);
    if (o->rfc3164) {
        static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        buf_printf(b, "<%d>%s %2u %02u:%02u:%02u ", pri, months[(mon - 1) % 12], d, h, mi, s);
        put_hostname(b, hostname);
        buf_printf(b, " vigil[%ld]: ", pid);
    } else {
        buf_printf(b, "<%d>1 %04lld-%02u-%02uT%02u:%02u:%02u.%03uZ ", pri, (long long)y, mon, d, h,
                   mi, s, (unsigned)(now_ns % NS_PER_SEC / 1000000));
        put_hostname(b, hostname);
        buf_printf(b, " vigil %ld alert - ", pid);
    }
    output_render_cef(b, a);
}

/* ---- e-mail ------------------------------------------------------------------------ */

static bool ascii_printable(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
            return false;
    return true;
}

static void base64(struct buf *b, const unsigned char *p, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        buf_putc(b, tab[v >> 18 & 63]);
        buf_putc(b, tab[v >> 12 & 63]);
        buf_putc(b, i + 1 < n ? tab[v >> 6 & 63] : '=');
        buf_putc(b, i + 2 < n ? tab[v & 63] : '=');
    }
}

/* The subject: control bytes dropped; when anything else is not printable ASCII, RFC
 * 2047 encoded words of at most 45 bytes each (75 characters), split on UTF-8
 * character boundaries. */
static void put_subject(struct buf *b, const char *s, size_t n)
{
    char clean[512];
    size_t k = 0;
    for (size_t i = 0; i < n && k < sizeof clean - 1; i++)
        if ((unsigned char)s[i] >= 0x20 && s[i] != 0x7f)
            clean[k++] = s[i];
    for (int cut = 0; cut < 3 && k && !utf8_valid(clean, k); cut++)
        k--; /* a character cut at the end */
    if (ascii_printable(clean, k)) {
        buf_append(b, clean, k);
        return;
    }
    if (!utf8_valid(clean, k)) { /* not text: show it as ASCII */
        for (size_t i = 0; i < k; i++)
            buf_putc(b, (unsigned char)clean[i] < 0x7f ? clean[i] : '?');
        return;
    }
    size_t i = 0;
    while (i < k) {
        size_t j = i + 45 < k ? i + 45 : k;
        while (j < k && ((unsigned char)clean[j] & 0xC0) == 0x80)
            j--;
        if (i)
            buf_puts(b, "\r\n "); /* folded */
        buf_puts(b, "=?UTF-8?B?");
        base64(b, (const unsigned char *)clean + i, j - i);
        buf_puts(b, "?=");
        i = j;
    }
}

/* One body line "  label: value": control bytes as '.', invalid UTF-8 bytes as '?',
 * cut at 900 bytes (SMTP allows 998 per line). */
static void body_line(struct buf *b, const char *label, const char *v, size_t n)
{
    if (!v)
        return;
    buf_printf(b, "  %-12s ", label);
    size_t max = n < 900 ? n : 900;
    bool text = utf8_valid(v, max);
    for (size_t i = 0; i < max; i++) {
        unsigned char c = (unsigned char)v[i];
        buf_putc(b, c < 0x20 || c == 0x7f ? '.' : (!text && c >= 0x80 ? '?' : (char)c));
    }
    if (max < n)
        buf_puts(b, " [...]");
    buf_puts(b, "\r\n");
}

static void body_time(struct buf *b, const char *label, int64_t ns)
{
    char t[64];
    if (vtime_format(ns, t, sizeof t) != 0)
        snprintf(t, sizeof t, "?");
    body_line(b, label, t, strlen(t));
}

/* See output.h. */
void output_render_email(struct buf *b, const struct output_cfg *o, const struct output_alert *a,
                         const char *hostname, int64_t now_ns)
{
    static const char *const days[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t secs = now_ns / NS_PER_SEC, y;
    unsigned mon, d, h, mi, s;
    vtime_to_civil(secs, &y, &mon, &d, &h, &mi, &s);
    int64_t days_since = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    buf_printf(b, "Date: %s, %02u %s %04lld %02u:%02u:%02u +0000\r\n",
               days[((days_since % 7) + 7) % 7], d, months[(mon - 1) % 12], (long long)y, h, mi, s);
    buf_printf(b, "From: Vigil <%s>\r\nTo: ", o->from);
    for (size_t i = 0; i < o->nto; i++)
        buf_printf(b, "%s<%s>", i ? ",\r\n " : "", o->to[i]);
    buf_puts(b, "\r\nMessage-ID: <");
    buf_printf(b, "%016" PRIx64 ".%lld.", a->id, (long long)now_ns);
    put_hostname(b, hostname && strchr(hostname, '.') ? hostname : "vigil.invalid");
    buf_puts(b, ">\r\nSubject: ");
    const char *level = a->rule_level ? a->rule_level : "alert";
    const char *title = a->rule_title ? a->rule_title : (a->rule_id ? a->rule_id : "");
    struct buf subj;
    buf_init(&subj, 1024);
    buf_printf(&subj, "[Vigil] %s%s: %s", a->is_new ? "" : "update: ", level, title);
    const struct slice *who = a->src_ip.p ? &a->src_ip : (a->user.p ? &a->user : &a->host);
    if (who->p) {
        buf_puts(&subj, " (");
        buf_append(&subj, who->p, who->len < 100 ? who->len : 100);
        buf_putc(&subj, ')');
    }
    put_subject(b, subj.p ? subj.p : "[Vigil] alert", subj.p ? subj.len : 13);
    buf_fini(&subj);
    buf_printf(b, "\r\nX-Vigil-Alert: %016" PRIx64 "\r\n", a->id);
    buf_puts(b, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                "Content-Transfer-Encoding: 8bit\r\n\r\n");
    buf_puts(b, a->is_new ? "Vigil raised an alert:\r\n\r\n"
                          : "An alert Vigil raised before has new hits:\r\n\r\n");
    body_line(b, "title:", a->rule_title, a->rule_title ? strlen(a->rule_title) : 0);
    body_line(b, "rule:", a->rule_id, a->rule_id ? strlen(a->rule_id) : 0);
    body_line(b, "level:", a->rule_level, a->rule_level ? strlen(a->rule_level) : 0);
    char num[64];
    snprintf(num, sizeof num, "%.1f", a->risk);
    body_line(b, "risk:", num, strlen(num));
    snprintf(num, sizeof num, "%" PRIu64, a->count);
    body_line(b, "count:", num, strlen(num));
    body_time(b, "first seen:", a->first_seen_ns);
    body_time(b, "last seen:", a->last_seen_ns);
    body_line(b, "source:", a->src_ip.p, a->src_ip.len);
    body_line(b, "destination:", a->dst_ip.p, a->dst_ip.len);
    body_line(b, "user:", a->user.p, a->user.len);
    body_line(b, "host:", a->host.p, a->host.len);
    body_line(b, "asset:", a->asset, a->asset ? strlen(a->asset) : 0);
    body_line(b, "tags:", a->tags_json, a->tags_json ? strlen(a->tags_json) : 0);
    snprintf(num, sizeof num, "%016" PRIx64, a->id);
    body_line(b, "alert id:", num, strlen(num));
    buf_puts(b, "\r\n-- \r\nvigil " OUTPUT_PRODUCT_VERSION " (vigil alerts --format jsonl)\r\n");
}
