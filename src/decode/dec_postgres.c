/*
 * dec_postgres.c — PostgreSQL server log lines, headerless with Debian's default
 * log_line_prefix '%m [%p] %q%u@%d ' or after a syslog header (program postgres):
 *   "2024-11-25 10:00:00.123 UTC [1234] app@shop FATAL:  password authentication failed ..."
 *   "2024-11-25 10:00:00.123 UTC [1234] LOG:  database system is ready ..." (%q: no session)
 *   "postgres[1234]: [1-1] user=app,db=shop,app=psql,client=10.0.0.7 LOG:  connection ..."
 * The prefix is configurable: whatever stands before the severity word ("LOG:",
 * "FATAL:", ...) is read for "user@db" and the user=/db=/app=/client= keys.
 * Also "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h " (pgBadger's advice). The time
 * is "%m"/"%t" with log_timezone's abbreviation or tz data's "+08" (see own_time).
 * Login failures: "<method> authentication failed for user", "no pg_hba.conf entry for",
 * "pg_hba.conf rejects connection for", role missing or not permitted to log in,
 * database missing; successes: "connection authorized: user=...".
 * Fields: level, pid (headerless), user, database, src_ip (or src_host), src_port,
 * action (login / connect / disconnect), outcome, reason, statement and
 * application_name (extras).
 */
#include "decode/decode_int.h"

static const char *const levels[] = {
    "LOG",    "FATAL",  "ERROR",  "WARNING", "PANIC", "NOTICE",  "INFO",      "DEBUG1", "DEBUG2",
    "DEBUG3", "DEBUG4", "DEBUG5", "DETAIL",  "HINT",  "CONTEXT", "STATEMENT", "QUERY",  "LOCATION"};

/* The severity word at s ("FATAL:  "), its length without ':' or 0. */
static size_t level_at(struct slice s)
{
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        size_t n = strlen(levels[i]);
        if (s.len > n && s.p[n] == ':' && !memcmp(s.p, levels[i], n))
            return n;
    }
    return 0;
}

/* The value of "key=" at a token start in s, up to ' ', ',' or the end. */
static struct slice kv(struct slice s, const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i + n <= s.len; i++) {
        if ((i == 0 || s.p[i - 1] == ' ' || s.p[i - 1] == ',') && !memcmp(s.p + i, key, n)) {
            size_t j = i + n;
            while (j < s.len && s.p[j] != ' ' && s.p[j] != ',')
                j++;
            return slice_make(s.p + i + n, j - i - n);
        }
    }
    return SLICE_NULL;
}

/* "..." after key in s (no escapes in these messages), or an empty slice. */
static struct slice dq_after(struct slice s, const char *key, size_t klen)
{
    long k = dec_find(s, key, klen);
    if (k < 0)
        return SLICE_NULL;
    struct slice v = dec_skip(s, (size_t)k + klen);
    long q = slice_find_byte(v, '"');
    return q < 0 ? SLICE_NULL : slice_make(v.p, (size_t)q);
}

static bool is_addr(struct slice h)
{
    bool sep = false, letter = false;
    if (!h.len || h.len > 64)
        return false;
    for (size_t i = 0; i < h.len; i++) {
        char c = h.p[i];
        if (c == ':' || c == '.')
            sep = true;
        else if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
            letter = true;
        else if (!dec_isdigit(c))
            return false;
    }
    return sep && (!letter || memchr(h.p, ':', h.len));
}

static void add_host(struct slice h, struct event *ev)
{
    if (!h.len || slice_eq(h, "[local]") || slice_eq(h, "[unknown]"))
        return;
    if (is_addr(h))
        event_add(ev, FIELD_src_ip, h);
    else
        event_add_named(ev, SLICE_LIT("src_host"), h);
}

/* The prefix's session part: "user@db" or user=,db=,app=,client= keys. */
static void prefix_fields(struct slice p, struct event *ev)
{
    struct slice u = kv(p, "user="), d = kv(p, "db="), a = kv(p, "app="), c = kv(p, "client=");
    if (u.len || d.len || a.len || c.len || DEC_FIND(p, "user=") >= 0) {
        if (u.len)
            event_add(ev, FIELD_user, u);
        if (d.len)
            event_add(ev, FIELD_database, d);
        if (a.len && !slice_eq(a, "[unknown]"))
            event_add_named(ev, SLICE_LIT("application_name"), a);
        long lp = slice_find_byte(c, '('); /* %r: host(port) */
        add_host(lp >= 0 ? slice_make(c.p, (size_t)lp) : c, ev);
        return;
    }
    p = slice_trim(p);
    long at = slice_find_byte(p, '@');
    if (at < 0) /* Debian's "%u@%d ": the whole prefix (a user name may hold spaces) */
        return;
    u = slice_make(p.p, (size_t)at);
    d = dec_skip(p, (size_t)at + 1);
    if (u.len && !slice_eq(u, "[unknown]"))
        event_add(ev, FIELD_user, u);
    if (d.len && !slice_eq(d, "[unknown]"))
        event_add(ev, FIELD_database, d);
}

/* Adds what a known message says. */
static void message_fields(struct slice lv, struct slice m, struct event *ev)
{
    bool fatal = slice_eq(lv, "FATAL") || slice_eq(lv, "PANIC");
    struct slice v;
    if (slice_eq(lv, "STATEMENT") || slice_eq(lv, "QUERY")) {
        event_add_named(ev, SLICE_LIT("statement"), m);
    } else if ((v = dq_after(m, "authentication failed for user \"", 32)).p) {
        event_add(ev, FIELD_action, SLICE_LIT("login"));
        event_add(ev, FIELD_outcome, SLICE_LIT("failure"));
        if (!event_get(ev, FIELD_user, &(struct slice){0}) && v.len)
            event_add(ev, FIELD_user, v);
        event_add(ev, FIELD_reason, slice_make(m.p, (size_t)DEC_FIND(m, " for user")));
    } else if (DEC_STARTS(m, "connection authorized: ")) {
        struct slice r = dec_skip(m, 23), u = kv(r, "user="), d = kv(r, "database="),
                     a = kv(r, "application_name=");
        if (u.len && !event_get(ev, FIELD_user, &(struct slice){0}))
            event_add(ev, FIELD_user, u);
        if (d.len && !event_get(ev, FIELD_database, &(struct slice){0}))
            event_add(ev, FIELD_database, d);
        if (a.len && !event_get_named(ev, SLICE_LIT("application_name"), &(struct slice){0}))
            event_add_named(ev, SLICE_LIT("application_name"), a);
        event_add(ev, FIELD_action, SLICE_LIT("login"));
        event_add(ev, FIELD_outcome, SLICE_LIT("success"));
    } else if (DEC_STARTS(m, "connection received: ")) {
        struct slice r = dec_skip(m, 21), h = kv(r, "host="), p = kv(r, "port=");
        if (!event_get(ev, FIELD_src_ip, &(struct slice){0}))
            add_host(h, ev);
        if (p.len)
            event_add(ev, FIELD_src_port, p);
        event_add(ev, FIELD_action, SLICE_LIT("connect"));
    } else if (DEC_STARTS(m, "disconnection: ")) {
        struct slice r = dec_skip(m, 15), h = kv(r, "host="), p = kv(r, "port=");
        if (!event_get(ev, FIELD_src_ip, &(struct slice){0}))
            add_host(h, ev);
        if (p.len)
            event_add(ev, FIELD_src_port, p);
        event_add(ev, FIELD_action, SLICE_LIT("disconnect"));
    } else if (DEC_STARTS(m, "no pg_hba.conf entry for ") ||
               DEC_STARTS(m, "pg_hba.conf rejects connection for ")) {
        struct slice h = dq_after(m, "host \"", 6), u = dq_after(m, "user \"", 6),
                     d = dq_after(m, "database \"", 10);
        if (!event_get(ev, FIELD_src_ip, &(struct slice){0}))
            add_host(h, ev);
        if (u.len && !event_get(ev, FIELD_user, &(struct slice){0}))
            event_add(ev, FIELD_user, u);
        if (d.len && !event_get(ev, FIELD_database, &(struct slice){0}))
            event_add(ev, FIELD_database, d);
        event_add(ev, FIELD_action, SLICE_LIT("login"));
        event_add(ev, FIELD_outcome, SLICE_LIT("failure"));
        event_add(ev, FIELD_reason,
                  m.p[0] == 'n' ? SLICE_LIT("no pg_hba.conf entry")
                                : SLICE_LIT("pg_hba.conf rejects"));
    } else if (fatal && DEC_STARTS(m, "role \"") &&
               DEC_FIND(m, "\" is not permitted to log in") > 0) {
        struct slice u = dq_after(m, "role \"", 6);
        if (u.len && !event_get(ev, FIELD_user, &(struct slice){0}))
            event_add(ev, FIELD_user, u);
        event_add(ev, FIELD_action, SLICE_LIT("login"));
        event_add(ev, FIELD_outcome, SLICE_LIT("failure"));
        event_add(ev, FIELD_reason, SLICE_LIT("role not permitted to log in"));
    } else if (fatal && DEC_STARTS(m, "role \"") && DEC_FIND(m, "\" does not exist") > 0) {
        struct slice u = dq_after(m, "role \"", 6);
        if (u.len && !event_get(ev, FIELD_user, &(struct slice){0}))
            event_add(ev, FIELD_user, u);
        event_add(ev, FIELD_action, SLICE_LIT("login"));
        event_add(ev, FIELD_outcome, SLICE_LIT("failure"));
        event_add(ev, FIELD_reason, SLICE_LIT("role does not exist"));
    } else if (fatal && DEC_STARTS(m, "database \"") && DEC_FIND(m, "\" does not exist") > 0) {
        struct slice d = dq_after(m, "database \"", 10);
        if (d.len && !event_get(ev, FIELD_database, &(struct slice){0}))
            event_add(ev, FIELD_database, d);
        event_add(ev, FIELD_action, SLICE_LIT("login"));
        event_add(ev, FIELD_outcome, SLICE_LIT("failure"));
        event_add(ev, FIELD_reason, SLICE_LIT("database does not exist"));
    }
}

/* Zone abbreviations that current tz data gives one offset only (minutes east). CST
 * (US, China, Cuba), IST (India, Israel, Ireland), PST/PDT (US, Manila) are not here. */
static const struct {
    const char *name;
    int16_t min;
} zones[] = {
    {"UTC", 0},    {"GMT", 0},    {"UCT", 0},    {"WET", 0},    {"WEST", 60},   {"BST", 60},
    {"CET", 60},   {"CEST", 120}, {"MET", 60},   {"MEST", 120}, {"EET", 120},   {"EEST", 180},
    {"MSK", 180},  {"WAT", 60},   {"CAT", 120},  {"SAST", 120}, {"EAT", 180},   {"IDT", 180},
    {"PKT", 300},  {"WIB", 420},  {"WITA", 480}, {"HKT", 480},  {"AWST", 480},  {"WIT", 540},
    {"JST", 540},  {"KST", 540},  {"ACST", 570}, {"ACDT", 630}, {"AEST", 600},  {"AEDT", 660},
    {"NZST", 720}, {"NZDT", 780}, {"NST", -210}, {"NDT", -150}, {"AST", -240},  {"ADT", -180},
    {"EST", -300}, {"EDT", -240}, {"MST", -420}, {"MDT", -360}, {"AKST", -540}, {"AKDT", -480},
    {"HST", -600}, {"HDT", -540}, {"SST", -660},
};

/* The offset in minutes of a zone word: a name above, or tz data's numeric form ("+08",
 * "-03", "+0530", "+05:30"). False when the word says nothing certain. */
static bool zone_offset(struct slice z, int *min)
{
    if (z.len >= 3 && (z.p[0] == '+' || z.p[0] == '-')) {
        char d[4];
        size_t n = 0;
        for (size_t i = 1; i < z.len; i++) {
            if (z.p[i] == ':' && i == 3)
                continue;
            if (!dec_isdigit(z.p[i]) || n == 4)
                return false;
            d[n++] = z.p[i];
        }
        if (n != 2 && n != 4)
            return false;
        int h = (d[0] - '0') * 10 + (d[1] - '0'), m = n == 4 ? (d[2] - '0') * 10 + (d[3] - '0') : 0;
        if (h > 15 || m > 59)
            return false;
        *min = (z.p[0] == '-' ? -1 : 1) * (h * 60 + m);
        return true;
    }
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        if (slice_eq(z, zones[i].name)) {
            *min = zones[i].min;
            return true;
        }
    }
    return false;
}

/*
 * The line's own "%m"/"%t" stamp and the zone word after it (log_timezone's abbreviation,
 * or tz data's "+08" where the zone has none); returns what follows, or m unchanged.
 * A word of a known offset fixes the time; another one (CST, IST, ...) is read in the
 * source's configured zone; with none configured, the time the event already has (the
 * syslog header's, or the received time) is kept: a guessed offset would be hours off.
 */
static struct slice own_time(const struct decode_job *job, struct slice m, struct event *ev,
                             bool *ok)
{
    *ok = false;
    const struct vtz *tz = job->src ? job->src->tz : NULL;
    int64_t ns;
    size_t used;
    if (m.len < 20 || !dec_isdigit(m.p[0]) || decode_iso_time(m, vtz_utc(), &ns, &used) != 0)
        return m;
    *ok = true;
    struct slice r = dec_skip(m, used);
    bool known = true;
    if (r.len > 1 && r.p[0] == ' ' && r.p[1] != '[') {
        struct slice rest, z = dec_word(dec_skip(r, 1), &rest);
        int min;
        if (zone_offset(z, &min))
            ns -= (int64_t)min * 60 * NS_PER_SEC;
        else if (tz)
            decode_iso_time(slice_make(m.p, used), tz, &ns, &used);
        else
            known = false;
        r = slice_make(rest.p - 1, rest.len + 1);
    } else if (tz) {
        decode_iso_time(slice_make(m.p, used), tz, &ns, &used);
    }
    if (known) {
        ev->time_ns = ns;
        ev->flags &= ~(uint32_t)EVF_TIME_RECEIVED;
    }
    return r;
}

static int postgres_decode(const struct decode_job *job, struct event *ev)
{
    bool stamped;
    struct slice m = slice_trim(own_time(job, job->msg, ev, &stamped));
    if (!stamped && !job->hdr->present)
        return ERR_PARSE;
    /* "[pid]" headerless, "[line-part]" (syslog's line number); through syslog, the
     * prefix (and its own stamp and "[pid]") may follow the line number */
    for (int round = 0; round < 2; round++) {
        if (m.len > 2 && m.p[0] == '[' && dec_isdigit(m.p[1])) {
            long rb = slice_find_byte(m, ']');
            if (rb < 0)
                return job->hdr->present ? DK_POSTGRES : ERR_PARSE;
            struct slice in = slice_make(m.p + 1, (size_t)rb - 1);
            if (!job->hdr->present && slice_find_byte(in, '-') < 0)
                event_add(ev, FIELD_pid, in);
            m = slice_trim(dec_skip(m, (size_t)rb + 1));
        }
        if (stamped || round)
            break;
        m = slice_trim(own_time(job, m, ev, &stamped));
        if (!stamped)
            break;
    }
    /* the severity word at the start of a token */
    size_t lvn = 0, at = 0;
    for (size_t i = 0; i < m.len && i < 512; i++) {
        if ((i == 0 || m.p[i - 1] == ' ') && m.p[i] >= 'A' && m.p[i] <= 'Z' &&
            (lvn = level_at(dec_skip(m, i))) != 0) {
            at = i;
            break;
        }
    }
    if (!lvn)
        return job->hdr->present ? DK_POSTGRES : ERR_PARSE;
    prefix_fields(slice_make(m.p, at), ev);
    struct slice lv = slice_make(m.p + at, lvn);
    event_add(ev, FIELD_level, lv);
    message_fields(lv, slice_trim(dec_skip(m, at + lvn + 1)), ev);
    return DK_POSTGRES;
}

const struct decoder decode_postgres = {.name = "postgres", .decode = postgres_decode};
