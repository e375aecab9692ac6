/*
 * dec_mysql.c — MySQL / MariaDB error log and general query log lines, headerless or
 * after a syslog header (programs mysqld, mariadbd, mysqld_safe):
 *   MySQL 8    "2024-11-25T10:00:00.123456Z 12 [Note] [MY-010926] [Server] Access denied ..."
 *   MySQL 5.7  "2024-11-25T10:00:00.123456Z 12 [Note] Access denied ..."
 *   MariaDB    "2024-11-25 10:00:00 12 [Warning] Aborted connection 12 to db: 'shop' ..."
 *   5.5/old    "241125 10:00:00 [Warning] ..." (YYMMDD, hour may be space-padded)
 *   general    "2024-11-25T10:00:00.123456Z\t   12 Connect\tapp@10.0.0.7 on shop using TCP/IP"
 * Fields: thread_id, level, error_code (MY-...), subsystem (extra), and from the
 * messages that matter to a SIEM: user, src_ip (or src_host for a name), database,
 * action (login / connect / disconnect / query), outcome, reason, statement (extra).
 * Also decode_db_row(): which database decoder a headerless line belongs to, before
 * the syslog header parser would take "2024-11-25T10:00:00Z 12 [" for a host "12".
 */
#include "decode/decode_int.h"

static bool is_ws(char c)
{
    return c == ' ' || c == '\t';
}

static struct slice skip_ws(struct slice s)
{
    size_t i = 0;
    while (i < s.len && is_ws(s.p[i]))
        i++;
    return dec_skip(s, i);
}

/* Bytes of the ISO stamp at p (date, time, fraction, Z or offset), 0 when none. */
static size_t iso_len(const char *p, size_t n)
{
    if (n < 19 || !dec_isdigit(p[0]) || p[4] != '-' || p[7] != '-' ||
        (p[10] != 'T' && p[10] != ' ') || p[13] != ':' || p[16] != ':')
        return 0;
    size_t i = 19;
    if (i < n && p[i] == '.')
        for (i++; i < n && dec_isdigit(p[i]);)
            i++;
    if (i < n && p[i] == 'Z')
        i++;
    else if (i + 6 <= n && (p[i] == '+' || p[i] == '-') && p[i + 3] == ':')
        i += 6;
    return i;
}

/* See decode_int.h. */
const struct decoder *decode_db_row(struct slice t)
{
    size_t i = iso_len(t.p, t.len);
    if (!i || i >= t.len || !is_ws(t.p[i]))
        return NULL;
    size_t j = i;
    while (j < t.len && is_ws(t.p[j]))
        j++;
    /* PostgreSQL: "%m [%p]": a zone word (UTC, CET, +08), "[pid]", and a severity
     * word's ":  " (two spaces) soon after */
    if (j < t.len && !dec_isdigit(t.p[j]) && t.p[j] != '[') {
        size_t k = j;
        while (k < t.len && k - j < 8 &&
               ((t.p[k] >= 'A' && t.p[k] <= 'Z') || dec_isdigit(t.p[k]) || t.p[k] == '+' ||
                t.p[k] == '-' || t.p[k] == ':'))
            k++;
        if (k > j && k + 2 < t.len && t.p[k] == ' ' && t.p[k + 1] == '[' &&
            dec_isdigit(t.p[k + 2])) {
            struct slice w = dec_skip(t, k);
            if (w.len > 400)
                w.len = 400;
            if (DEC_FIND(w, ":  ") >= 0)
                return &decode_postgres;
        }
        return NULL;
    }
    /* MySQL / MariaDB: [thread id] then "[Level]" or a general log command */
    size_t k = j;
    while (k < t.len && dec_isdigit(t.p[k]))
        k++;
    if (k > j && k < t.len && is_ws(t.p[k])) {
        while (k < t.len && is_ws(t.p[k]))
            k++;
        if (k + 1 < t.len && t.p[k] == '[' && t.p[k + 1] >= 'A' && t.p[k + 1] <= 'Z')
            return &decode_mysql;
        if (k > j + 1 && k < t.len && t.p[k] >= 'A' && t.p[k] <= 'Z')
            return &decode_mysql; /* "12 Connect\t..." */
        return NULL;
    }
    if (k == j && j + 1 < t.len && t.p[j] == '[' && t.p[j + 1] >= 'A' && t.p[j + 1] <= 'Z')
        return &decode_mysql;
    return NULL;
}

/* True for "YYMMDD HH:MM:SS " / "YYMMDD  H:MM:SS " (MySQL 5.5, old MariaDB; MariaDB's
 * general log, with a tab after it). */
bool decode_mysql_old_stamp(struct slice t)
{
    if (t.len < 16)
        return false;
    for (int i = 0; i < 6; i++)
        if (!dec_isdigit(t.p[i]))
            return false;
    const char *h = t.p + 7;
    return t.p[6] == ' ' && (dec_isdigit(h[0]) || h[0] == ' ') && dec_isdigit(h[1]) &&
           h[2] == ':' && dec_isdigit(h[3]) && dec_isdigit(h[4]) && h[5] == ':' &&
           dec_isdigit(h[6]) && dec_isdigit(h[7]) && is_ws(h[8]);
}

/* Reads the line's own stamp at the front of m, setting the time; returns what follows
 * (m itself when there is no stamp). *ok is set when a stamp was taken. */
static struct slice own_time(const struct decode_job *job, struct slice m, struct event *ev,
                             bool *ok)
{
    const struct vtz *tz = job->src && job->src->tz ? job->src->tz : vtz_utc();
    int64_t ns;
    size_t used;
    *ok = false;
    if (iso_len(m.p, m.len) && decode_iso_time(m, tz, &ns, &used) == 0) {
        *ok = true;
    } else if (iso_len(m.p, m.len) == 19 && m.p[11] == ' ' && dec_isdigit(m.p[12])) {
        /* MariaDB's error log pads the hour with a space: "2024-11-25  9:00:00" */
        const char *p = m.p;
        unsigned v[6];
        v[0] =
            (unsigned)((p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0'));
        v[1] = (unsigned)((p[5] - '0') * 10 + (p[6] - '0'));
        v[2] = (unsigned)((p[8] - '0') * 10 + (p[9] - '0'));
        v[3] = (unsigned)(p[12] - '0');
        v[4] = (unsigned)((p[14] - '0') * 10 + (p[15] - '0'));
        v[5] = (unsigned)((p[17] - '0') * 10 + (p[18] - '0'));
        for (int k = 0; k < 19; k++)
            if (k != 4 && k != 7 && k != 10 && k != 11 && k != 13 && k != 16 && !dec_isdigit(p[k]))
                return m;
        if (decode_civil_time((int)v[0], v[1], v[2], v[3], v[4], v[5], 0, tz, job->received_ns,
                              &ns) != 0)
            return m;
        used = 19;
        *ok = true;
    } else if (decode_mysql_old_stamp(m)) {
        unsigned v[6];
        const char *p = m.p;
        for (int k = 0; k < 3; k++)
            v[k] = (unsigned)((p[2 * k] - '0') * 10 + (p[2 * k + 1] - '0'));
        v[3] = (unsigned)((p[7] == ' ' ? 0 : p[7] - '0') * 10 + (p[8] - '0'));
        v[4] = (unsigned)((p[10] - '0') * 10 + (p[11] - '0'));
        v[5] = (unsigned)((p[13] - '0') * 10 + (p[14] - '0'));
        if (decode_civil_time(2000 + v[0], v[1], v[2], v[3], v[4], v[5], 0, tz, job->received_ns,
                              &ns) != 0)
            return m;
        used = 15;
        *ok = true;
    }
    if (!*ok)
        return m;
    ev->time_ns = ns;
    ev->flags &= ~(uint32_t)EVF_TIME_RECEIVED;
    return dec_skip(m, used);
}

/* The client host: src_ip when an address, else the extra src_host. */
static void add_host(struct slice h, struct event *ev)
{
    if (!h.len || memchr(h.p, '%', h.len)) /* '%': an account's host pattern */
        return;
    if (decode_is_ip(h))
        event_add(ev, FIELD_src_ip, h);
    else
        event_add_named(ev, SLICE_LIT("src_host"), h);
}

/* "'user'@'host'" at s: adds user and host; returns false when it is not that form. */
static bool user_at_host(struct slice s, struct event *ev)
{
    if (!s.len || s.p[0] != '\'')
        return false;
    long at = DEC_FIND(s, "'@'");
    if (at < 1)
        return false;
    struct slice h = dec_skip(s, (size_t)at + 3);
    long q = slice_find_byte(h, '\'');
    if (q < 0)
        return false;
    struct slice u = slice_make(s.p + 1, (size_t)at - 1);
    if (u.len)
        event_add(ev, FIELD_user, u);
    add_host(slice_make(h.p, (size_t)q), ev);
    return true;
}

/* The value of "KEY: 'v'" in s (Aborted connection), or an empty slice. */
static struct slice quoted_after(struct slice s, const char *key, size_t klen)
{
    long k = dec_find(s, key, klen);
    if (k < 0)
        return SLICE_NULL;
    struct slice v = dec_skip(s, (size_t)k + klen);
    long q = slice_find_byte(v, '\'');
    return q < 0 ? SLICE_NULL : slice_make(v.p, (size_t)q);
}

/* "(reason)." at the end of s, or an empty slice. */
static struct slice paren_tail(struct slice s)
{
    while (s.len && (s.p[s.len - 1] == '.' || s.p[s.len - 1] == ' '))
        s.len--;
    if (!s.len || s.p[s.len - 1] != ')')
        return SLICE_NULL;
    long lp = slice_find_byte(s, '(');
    if (lp < 0)
        return SLICE_NULL;
    return slice_make(s.p + lp + 1, s.len - (size_t)lp - 2);
}

/* Error log messages: access denied, aborted connections. */
static void error_message(struct slice m, struct event *ev)
{
    if (DEC_STARTS(m, "Access denied for user ")) {
        struct slice r = dec_skip(m, 23);
        if (!user_at_host(r, ev))
            return;
        long db = DEC_FIND(r, " to database '");
        if (db >= 0) {
            struct slice d = dec_skip(r, (size_t)db + 14);
            long q = slice_find_byte(d, '\'');
            if (q > 0)
                event_add(ev, FIELD_database, slice_make(d.p, (size_t)q));
            event_add(ev, FIELD_action, SLICE_LIT("access"));
        } else {
            event_add(ev, FIELD_action, SLICE_LIT("login"));
        }
        event_add(ev, FIELD_outcome, SLICE_LIT("failure"));
        struct slice why = paren_tail(r);
        if (why.len)
            event_add(ev, FIELD_reason, why);
    } else if (DEC_STARTS(m, "Aborted connection ")) {
        struct slice d = quoted_after(m, "db: '", 5), u = quoted_after(m, "user: '", 7),
                     h = quoted_after(m, "host: '", 7);
        if (d.len && !slice_eq(d, "unconnected"))
            event_add(ev, FIELD_database, d);
        if (u.len && !slice_eq(u, "unauthenticated"))
            event_add(ev, FIELD_user, u);
        add_host(h, ev);
        event_add(ev, FIELD_action, SLICE_LIT("disconnect"));
        event_add(ev, FIELD_outcome, SLICE_LIT("failure"));
        struct slice why = paren_tail(m);
        if (why.len)
            event_add(ev, FIELD_reason, why);
    }
}

/* General log: "Connect\tuser@host on db using TCP/IP", "Quit", "Query\tSQL", ... */
static bool general_line(struct slice m, struct event *ev)
{
    size_t i = 0;
    while (i < m.len && !is_ws(m.p[i]))
        i++;
    struct slice cmd = slice_make(m.p, i), arg = slice_trim(skip_ws(dec_skip(m, i)));
    if (slice_eq(cmd, "Init") && DEC_STARTS(arg, "DB")) {
        cmd = slice_make(m.p, i + 3);
        arg = slice_trim(skip_ws(dec_skip(arg, 2)));
    }
    if (slice_eq(cmd, "Connect")) {
        if (DEC_STARTS(arg, "Access denied for user ")) {
            error_message(arg, ev);
            event_add_named(ev, SLICE_LIT("command"), cmd);
            return true;
        }
        event_add(ev, FIELD_action, SLICE_LIT("connect"));
        /* "user@host on db using TCP/IP" (MySQL 8); "user@host as account on db" when
         * the account matched differs (MariaDB writes "as anonymous" then too) */
        long on = DEC_FIND(arg, " on ");
        if (on < 0 && arg.len >= 3 && !memcmp(arg.p + arg.len - 3, " on", 3))
            on = (long)arg.len - 3; /* "... on " trimmed: no database */
        struct slice uh = on >= 0 ? slice_make(arg.p, (size_t)on) : arg;
        long as = DEC_FIND(uh, " as ");
        if (as >= 0) {
            struct slice acct = slice_trim(dec_skip(uh, (size_t)as + 4));
            if (acct.len)
                event_add_named(ev, SLICE_LIT("account"), acct);
            uh.len = (size_t)as;
        }
        long at = -1;
        for (size_t k = uh.len; k > 0; k--)
            if (uh.p[k - 1] == '@') {
                at = (long)k - 1;
                break;
            }
        if (at > 0)
            event_add(ev, FIELD_user, slice_make(uh.p, (size_t)at));
        if (at >= 0)
            add_host(dec_skip(uh, (size_t)at + 1), ev);
        if (on >= 0 && (size_t)on + 4 <= arg.len) {
            struct slice d = dec_skip(arg, (size_t)on + 4);
            long us = DEC_FIND(d, "using ");
            d = slice_trim(us >= 0 ? slice_make(d.p, (size_t)us) : d);
            if (d.len)
                event_add(ev, FIELD_database, d);
        }
        event_add(ev, FIELD_outcome, SLICE_LIT("success"));
    } else if (slice_eq(cmd, "Quit")) {
        event_add(ev, FIELD_action, SLICE_LIT("disconnect"));
    } else if (slice_eq(cmd, "Query") || slice_eq(cmd, "Execute") || slice_eq(cmd, "Prepare")) {
        event_add(ev, FIELD_action, SLICE_LIT("query"));
        if (arg.len)
            event_add_named(ev, SLICE_LIT("statement"), arg);
    } else if (slice_eq(cmd, "Init DB")) {
        event_add(ev, FIELD_action, SLICE_LIT("use"));
        if (arg.len)
            event_add(ev, FIELD_database, arg);
    } else {
        return false;
    }
    event_add_named(ev, SLICE_LIT("command"), cmd);
    return true;
}

/* "[Word]" at m: its inside, *rest after it and its spaces; empty when absent. */
static struct slice bracket(struct slice m, struct slice *rest)
{
    if (m.len < 3 || m.p[0] != '[')
        return SLICE_NULL;
    long rb = slice_find_byte(m, ']');
    if (rb < 2 || rb > 40)
        return SLICE_NULL;
    for (long k = 1; k < rb; k++)
        if (m.p[k] == ' ' || m.p[k] == '[')
            return SLICE_NULL;
    *rest = skip_ws(dec_skip(m, (size_t)rb + 1));
    return slice_make(m.p + 1, (size_t)rb - 1);
}

static int mysql_decode(const struct decode_job *job, struct event *ev)
{
    bool stamped;
    struct slice m = skip_ws(own_time(job, job->msg, ev, &stamped));
    /* the general log leaves the stamp out while the second is unchanged:
     * "\t\t   52 Query\tcommit" (the event keeps its received time) */
    bool cont = !stamped && !job->hdr->present && DEC_STARTS(job->msg, "\t\t");
    if (!stamped && !job->hdr->present && !cont)
        return ERR_PARSE;
    size_t i = 0;
    while (i < m.len && dec_isdigit(m.p[i]))
        i++;
    if (i && i < m.len && is_ws(m.p[i])) {
        event_add(ev, FIELD_thread_id, slice_make(m.p, i));
        m = skip_ws(dec_skip(m, i));
    } else if (i) {
        if (!job->hdr->present)
            return ERR_PARSE;
    }
    if (cont) /* a thread id and a command, nothing else */
        return i && general_line(m, ev) ? DK_MYSQL : ERR_PARSE;
    struct slice rest = m;
    struct slice lv = bracket(m, &rest);
    if (lv.len) {
        struct slice r2 = rest, b = bracket(rest, &r2);
        if (DEC_STARTS(lv, "MY-")) { /* to syslog MySQL 8 may write no level */
            b = lv;
            r2 = rest;
        } else {
            event_add(ev, FIELD_level, lv);
        }
        if (b.len && DEC_STARTS(b, "MY-")) {
            event_add(ev, FIELD_error_code, b);
            rest = r2;
            b = bracket(rest, &r2);
        }
        if (b.len) { /* MySQL 8's subsystem: Server, InnoDB, Repl, ... */
            event_add_named(ev, SLICE_LIT("subsystem"), b);
            rest = r2;
        }
        error_message(rest, ev);
    } else if (!general_line(m, ev)) {
        error_message(m, ev); /* MariaDB to syslog, mysqld_safe: no level */
    }
    return DK_MYSQL;
}

const struct decoder decode_mysql = {.name = "mysql", .decode = mysql_decode};
