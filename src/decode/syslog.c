/*
 * syslog.c — the syslog header, parsed once per record before dispatch (decode.c):
 * RFC 5424 ("<PRI>1 TS HOST APP PROCID MSGID SD MSG") and the many shapes of RFC 3164
 * met in the field: no PRI (lines read from files), PRI above 191 (kept, flagged),
 * Cisco sequence numbers ("123: "), origin-id hosts ("123: router1: ") and clock
 * markers ("*Mar  1 18:46:11.123:"), zone abbreviations after the time ("... UTC:", and
 * "... UTC host"), an offset glued to a BSD time ("Jan 8 2013 03:58:15+07:00", Huawei:
 * a UTC stamp and the device's zone), Ruijie's "<189> 226:Mar 5 ..." and sysname after
 * "*stamp:", the ASA's "<166>:Nov 25 10:00:00 UTC: %ASA-...",
 * a year before the date ("2024 Nov 25 ...") or after the time, fractional seconds, ISO 8601
 * timestamps with or without offset, IPv6 or missing host names, TAG with or without [pid].
 *
 * Time zones: a timestamp without an offset is read in the source's zone
 * (decode_source.tz), and in UTC when the source declares none. A timestamp without a
 * year takes the year that puts it nearest to the time the record was received, but
 * never more than 31 days after it (clocks run a little fast; a "Dec 31" line read on
 * Jan 1 belongs to last year). Conversion uses vtime_from_civil and the zone's
 * transition table: no libc time-zone call per event.
 */
#include "decode/decode_int.h"

#define MAX_HOST 255
#define MAX_TAG 64
#define MAX_PID 32
#define FUTURE_SLACK (31 * 86400LL)

/* A civil date-time as read; local to the zone unless has_off. */
struct civil {
    int64_t y;
    unsigned mon, day, h, mi, s;
    int64_t frac_ns;
    bool has_year;
    bool has_off;
    int32_t off; /* seconds east of UTC when has_off */
};

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(int64_t y, unsigned m)
{
    static const unsigned char dm[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && !is_leap(y))
        return 28;
    return dm[m];
}

/* Reads n digits at p (caller checked the length); -1 when one is not a digit. */
static int digits(const char *p, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!dec_isdigit(p[i]))
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

/* Reads ".ddd" fractional seconds at p[0..left); returns bytes used. */
static size_t read_frac(const char *p, size_t left, int64_t *ns)
{
    if (left < 2 || (p[0] != '.' && p[0] != ',') || !dec_isdigit(p[1]))
        return 0;
    size_t i = 1;
    int64_t v = 0, scale = 100000000;
    for (; i < left && dec_isdigit(p[i]); i++) {
        if (scale) {
            v += (p[i] - '0') * scale;
            scale /= 10;
        }
        if (i > 32) /* absurd precision: stop reading */
            break;
    }
    *ns = v;
    return i;
}

/* Reads "hh:mm:ss" (hour may be one digit); returns bytes used or 0. */
static size_t read_hms(const char *p, size_t left, struct civil *c)
{
    size_t hl = (left >= 2 && dec_isdigit(p[0]) && dec_isdigit(p[1])) ? 2 : 1;
    if (left < hl + 6 || p[hl] != ':' || p[hl + 3] != ':')
        return 0;
    int h = digits(p, hl), mi = digits(p + hl + 1, 2), s = digits(p + hl + 4, 2);
    if (h < 0 || mi < 0 || s < 0 || h > 23 || mi > 59 || s > 60)
        return 0;
    c->h = (unsigned)h;
    c->mi = (unsigned)mi;
    c->s = (unsigned)s;
    return hl + 6;
}

/*
 * BSD timestamp: "Mmm dd [yyyy ]hh:mm:ss[.fff][ yyyy]" with the day space- or
 * zero-padded or neither. Returns bytes used or 0.
 */
static size_t read_bsd(const char *p, size_t left, struct civil *c)
{
    if (left < 14 || p[3] != ' ')
        return 0;
    unsigned mon = vtime_month3(p);
    if (!mon)
        return 0;
    size_t i = 4;
    if (p[i] == ' ')
        i++;
    int day;
    if (dec_isdigit(p[i]) && dec_isdigit(p[i + 1]) && p[i + 2] == ' ') {
        day = digits(p + i, 2);
        i += 3;
    } else if (dec_isdigit(p[i]) && p[i + 1] == ' ') {
        day = p[i] - '0';
        i += 2;
    } else {
        return 0;
    }
    if (day < 1 || day > 31)
        return 0;
    c->mon = mon;
    c->day = (unsigned)day;
    c->has_year = false;
    if (left - i >= 5 && p[i + 4] == ' ' && (c->y = digits(p + i, 4)) >= 0) {
        c->has_year = true;
        i += 5;
    }
    size_t n = read_hms(p + i, left - i, c);
    if (!n)
        return 0;
    i += n;
    c->frac_ns = 0;
    i += read_frac(p + i, left - i, &c->frac_ns);
    /* Huawei's "Jan 8 2013 03:58:15+07:00": an offset right after the time. Its log
     * format guide reads that line as "generated at the local host time 10:58:15": the
     * stamp is UTC and the offset is the device's zone, so the instant is the stamp as
     * written (not stamp - offset, as ISO 8601 would have it). */
    c->has_off = false;
    if (left - i >= 6 && (p[i] == '+' || p[i] == '-') && p[i + 3] == ':') {
        int oh = digits(p + i + 1, 2), om = digits(p + i + 4, 2);
        if (oh >= 0 && om >= 0 && oh <= 23 && om <= 59) {
            c->has_off = true;
            c->off = 0;
            i += 6;
        }
    }
    if (!c->has_year && left - i >= 5 && p[i] == ' ' && digits(p + i + 1, 4) >= 0 &&
        (left - i == 5 || p[i + 5] == ' ')) {
        c->y = digits(p + i + 1, 4);
        c->has_year = true;
        i += 5;
    }
    if (c->has_year &&
        (c->y < DECODE_YEAR_MIN || c->y > DECODE_YEAR_MAX || c->day > month_days(c->y, c->mon)))
        return 0;
    if (!c->has_year && c->day > month_days(2000, c->mon))
        return 0;
    return i;
}

/* ISO 8601: "yyyy-mm-dd[T ]hh:mm:ss[.f][Z|+hh:mm|+hhmm|+hh]". Returns bytes used or 0. */
static size_t read_iso(const char *p, size_t left, struct civil *c)
{
    if (left < 19 || p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != ' '))
        return 0;
    int y = digits(p, 4), mo = digits(p + 5, 2), d = digits(p + 8, 2);
    if (y < DECODE_YEAR_MIN || y > DECODE_YEAR_MAX || mo < 1 || mo > 12 || d < 1 ||
        d > (int)month_days(y, (unsigned)mo))
        return 0;
    if (p[13] != ':' || p[16] != ':')
        return 0;
    size_t n = read_hms(p + 11, left - 11, c);
    if (n != 8)
        return 0;
    c->y = y;
    c->mon = (unsigned)mo;
    c->day = (unsigned)d;
    c->has_year = true;
    c->frac_ns = 0;
    size_t i = 19;
    i += read_frac(p + i, left - i, &c->frac_ns);
    c->has_off = false;
    if (i < left && (p[i] == 'Z' || p[i] == 'z')) {
        c->has_off = true;
        c->off = 0;
        i++;
    } else if (i + 3 <= left && (p[i] == '+' || p[i] == '-') && digits(p + i + 1, 2) >= 0) {
        int sign = p[i] == '+' ? 1 : -1;
        int oh = digits(p + i + 1, 2), om = 0;
        size_t j = i + 3;
        if (j + 3 <= left && p[j] == ':' && digits(p + j + 1, 2) >= 0) {
            om = digits(p + j + 1, 2);
            j += 3;
        } else if (j + 2 <= left && digits(p + j, 2) >= 0) {
            om = digits(p + j, 2);
            j += 2;
        }
        if (oh <= 23 && om <= 59) {
            c->has_off = true;
            c->off = sign * (oh * 3600 + om * 60);
            i = j;
        }
    }
    return i;
}

/* UTC ns of a civil time that has its year; zone-less times are read in tz. */
static int64_t civil_to_ns(const struct civil *c, const struct vtz *tz)
{
    int64_t local = vtime_from_civil(c->y, c->mon, c->day, c->h, c->mi, c->s);
    int64_t utc = c->has_off ? local - c->off : vtz_local_to_utc(tz, local);
    return utc * NS_PER_SEC + c->frac_ns;
}

/*
 * Picks the year of a year-less local time: the latest of (received year + 1, year,
 * year - 1, ...) that is not more than FUTURE_SLACK after the received local time.
 * Feb 29 looks back to the last leap year.
 */
static void infer_year(struct civil *c, const struct vtz *tz, int64_t received_ns)
{
    int64_t rs = received_ns / NS_PER_SEC;
    int64_t lr = rs + vtz_offset_at_utc(tz, rs);
    int64_t y;
    unsigned mo, d, h, mi, s;
    vtime_to_civil(lr, &y, &mo, &d, &h, &mi, &s);
    for (int64_t cand = y + 1; cand >= y - 8; cand--) {
        if (c->day > month_days(cand, c->mon))
            continue;
        int64_t l = vtime_from_civil(cand, c->mon, c->day, c->h, c->mi, c->s);
        if (l <= lr + FUTURE_SLACK) {
            c->y = cand;
            return;
        }
    }
    c->y = y;
}

/* Length of the leading run of decimal digits of s (at most max). */
static size_t digit_run(struct slice s, size_t max)
{
    size_t i = 0;
    while (i < s.len && i < max && dec_isdigit(s.p[i]))
        i++;
    return i;
}

/* "yyyy Mmm dd hh:mm:ss" (some appliances put the year first). Returns bytes or 0. */
static size_t read_year_first(struct slice s, struct civil *c)
{
    int y = s.len > 5 && s.p[4] == ' ' ? digits(s.p, 4) : -1;
    if (y < DECODE_YEAR_MIN || y > DECODE_YEAR_MAX)
        return 0;
    size_t n = read_bsd(s.p + 5, s.len - 5, c);
    if (!n || c->has_year || c->day > month_days(y, c->mon))
        return 0;
    c->y = y;
    c->has_year = true;
    return n + 5;
}

/* Reads a timestamp at s (BSD, with optional '*'/'.' marker, ISO, or year first). */
static size_t read_time(struct slice s, struct civil *c)
{
    size_t n;
    if (s.len && (s.p[0] == '*' || s.p[0] == '.')) {
        n = read_bsd(s.p + 1, s.len - 1, c);
        return n ? n + 1 : 0;
    }
    if (s.len && dec_isdigit(s.p[0])) {
        n = read_iso(s.p, s.len, c);
        return n ? n : read_year_first(s, c);
    }
    return read_bsd(s.p, s.len, c);
}

/*
 * A zone abbreviation after the time, as Cisco writes it ("00:03:30.639 UTC: %SYS-...").
 * Only names followed by ':' are taken, so a host name is never mistaken for one. UTC
 * and GMT fix the offset; the others are ambiguous (CST is China, Cuba or US Central),
 * so they are skipped and the source's zone applies. Returns bytes to skip (0 = none).
 */
static size_t read_zone_abbrev(struct slice s, bool *utc)
{
    static const char *const names[] = {"UTC", "GMT", "CST", "CET",  "CEST", "EST", "EDT",
                                        "PST", "PDT", "MST", "MDT",  "BST",  "JST", "KST",
                                        "IST", "HKT", "SGT", "AEST", "MSK",  "EET", "EEST"};
    if (s.len < 5 || s.p[0] != ' ')
        return 0;
    /* "... 10:00:00 UTC HUAWEI %%01...": UTC or GMT then a space, when a host and a
     * message follow (network devices that print the zone before the host) */
    if ((!memcmp(s.p + 1, "UTC ", 4) || !memcmp(s.p + 1, "GMT ", 4)) && s.len > 6 &&
        s.p[5] != ' ' && memchr(s.p + 5, ' ', s.len - 5)) {
        *utc = true;
        return 4;
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t n = strlen(names[i]);
        if (s.len > n + 1 && !memcmp(s.p + 1, names[i], n) && s.p[n + 1] == ':') {
            *utc = i < 2;
            return n + 1;
        }
    }
    return 0;
}

/*
 * Parses "prog[pid]: " / "prog: " / "prog[pid] " at s. On success sets program, pid and
 * returns the rest (the message); otherwise returns s unchanged with program empty.
 */
static struct slice read_tag(struct slice s, struct syslog_hdr *h)
{
    /* "%%01HWCM/5/EXIT(l)[1]: ..." (Huawei, H3C): the message's own prefix, not a TAG */
    if (DEC_STARTS(s, "%%"))
        return s;
    size_t i = 0, lim = s.len < MAX_TAG ? s.len : MAX_TAG;
    while (i < lim && s.p[i] != ' ' && s.p[i] != '[' && s.p[i] != ':')
        i++;
    if (i == 0 || i == s.len)
        return s;
    struct slice prog = slice_make(s.p, i), pid = SLICE_NULL;
    bool tagged = false;
    if (s.p[i] == '[') {
        size_t j = i + 1;
        while (j < s.len && j - i <= MAX_PID && s.p[j] != ']' && s.p[j] != ' ')
            j++;
        if (j >= s.len || s.p[j] != ']')
            return s;
        pid = slice_make(s.p + i + 1, j - i - 1);
        i = j + 1;
        tagged = true;
    }
    if (i < s.len && s.p[i] == ':') {
        i++;
        tagged = true;
    }
    if (!tagged || (i < s.len && s.p[i] != ' '))
        return s;
    if (i < s.len)
        i++;
    h->program = prog;
    h->pid = pid;
    return dec_skip(s, i);
}

/* True when token is a TAG rather than a host: "prog:" (one colon, at the end) or has '['. */
static bool token_is_tag(struct slice t)
{
    if (memchr(t.p, '[', t.len))
        return true;
    if (t.len && t.p[t.len - 1] == ':') {
        const char *c = memchr(t.p, ':', t.len);
        return c == t.p + t.len - 1;
    }
    return false;
}

/*
 * Cisco and Ruijie: "123: *Mar  1 18:46:11.123: ..." — a sequence number first ("226:Mar"
 * with no space in Ruijie's older guides), and with `logging origin-id` the host after it
 * ("123: router1: *Mar  1 ..."). On success sets seq (and host), moves *s past them to
 * the stamp and returns read_time's length; 0 and nothing changed otherwise.
 */
static size_t read_seq_time(struct slice *s, struct civil *c, struct syslog_hdr *h)
{
    size_t d = digit_run(*s, 10);
    if (!d || d + 2 >= s->len || s->p[d] != ':')
        return 0;
    struct slice after = dec_skip(*s, s->p[d + 1] == ' ' ? d + 2 : d + 1);
    size_t tn = read_time(after, c);
    if (tn) {
        h->seq = slice_make(s->p, d);
        *s = after;
        return tn;
    }
    if (s->p[d + 1] != ' ')
        return 0;
    struct slice rest;
    struct slice tok = dec_word(after, &rest);
    if (tok.len >= 2 && tok.len <= MAX_HOST && tok.p[tok.len - 1] == ':' &&
        (tn = read_time(rest, c))) {
        h->seq = slice_make(s->p, d);
        h->host = slice_make(tok.p, tok.len - 1);
        *s = rest;
    }
    return tn;
}

/* True for a Cisco-style tag word "%FAC-L-MNEMONIC:" (a level digit between dashes). */
static bool is_cisco_tag(struct slice w)
{
    if (w.len < 7 || w.len > 96 || w.p[0] != '%' || w.p[w.len - 1] != ':')
        return false;
    for (size_t i = 2; i + 3 < w.len; i++)
        if (w.p[i] == '-' && w.p[i + 1] >= '0' && w.p[i + 1] <= '7' && w.p[i + 2] == '-')
            return true;
    return false;
}

/* Takes one RFC 5424 header field (up to a space); "-" gives an empty slice. */
static bool take_5424(struct slice *s, size_t max, struct slice *out)
{
    struct slice rest;
    struct slice w = dec_word(*s, &rest);
    if (w.len == 0 || w.len > max || w.len == s->len) /* each field ends in a space */
        return false;
    *out = (w.len == 1 && w.p[0] == '-') ? SLICE_NULL : w;
    *s = rest;
    return true;
}

/* Length of the structured data at s ("-" or "[..][..]"); 0 when malformed. */
static size_t sd_length(struct slice s)
{
    if (s.len && s.p[0] == '-')
        return 1;
    size_t i = 0;
    while (i < s.len && s.p[i] == '[') {
        bool quoted = false;
        i++;
        for (;;) {
            if (i >= s.len)
                return 0;
            char ch = s.p[i];
            if (quoted && ch == '\\' && i + 1 < s.len) {
                i += 2;
                continue;
            }
            if (ch == '"')
                quoted = !quoted;
            else if (ch == ']' && !quoted)
                break;
            i++;
        }
        i++;
    }
    return i;
}

static void strip_bom(struct slice *m)
{
    if (DEC_STARTS(*m, "\xEF\xBB\xBF"))
        *m = dec_skip(*m, 3);
}

static void parse_5424(struct slice s, const struct vtz *tz, struct syslog_hdr *h)
{
    struct civil c;
    h->version = 1;
    struct slice ts;
    if (!take_5424(&s, 64, &ts))
        goto bad;
    if (ts.len) {
        size_t n = read_iso(ts.p, ts.len, &c);
        if (n == ts.len) {
            h->time_ns = civil_to_ns(&c, tz);
            h->has_time = true;
        }
    }
    if (!take_5424(&s, MAX_HOST, &h->host) || !take_5424(&s, 48, &h->program) ||
        !take_5424(&s, 128, &h->pid) || !take_5424(&s, 32, &h->msgid))
        goto bad;
    size_t n = sd_length(s);
    if (n == 0)
        goto bad;
    if (!(n == 1 && s.p[0] == '-'))
        h->sd = slice_make(s.p, n);
    s = dec_skip(s, n);
    if (s.len && s.p[0] == ' ')
        s = dec_skip(s, 1);
    else if (s.len)
        goto bad;
    strip_bom(&s);
    h->msg = s;
    return;
bad:
    h->malformed = true;
    h->msg = s;
}

/* See decode_int.h. */
void decode_syslog_header(struct slice text, const struct vtz *tz, int64_t received_ns,
                          struct syslog_hdr *h)
{
    memset(h, 0, sizeof *h);
    h->pri = -1;
    h->msg = text;
    struct slice s = text;

    if (s.len >= 3 && s.p[0] == '<') {
        size_t n = digit_run(dec_skip(s, 1), 6);
        if (n >= 1 && n <= 5 && n + 1 < s.len && s.p[n + 1] == '>') {
            int pri = 0;
            for (size_t i = 0; i < n; i++)
                pri = pri * 10 + (s.p[1 + i] - '0');
            if (pri > 191 || (n > 1 && s.p[1] == '0')) {
                h->malformed = true;
                h->pri_text = slice_make(s.p + 1, n);
            } else {
                h->pri = pri;
            }
            h->present = true;
            s = dec_skip(s, n + 2);
        }
    }
    /* version "0" (not RFC 5424's, but sent so by some relays of Hillstone devices) only
     * before a year-first time */
    if (h->present &&
        (DEC_STARTS(s, "1 ") || (DEC_STARTS(s, "0 ") && s.len > 7 &&
                                 digit_run(dec_skip(s, 2), 4) == 4 && s.p[6] == '-'))) {
        parse_5424(dec_skip(s, 2), tz, h);
        return;
    }

    struct civil c;
    memset(&c, 0, sizeof c);
    /* "<188> Apr 11 02:48:22 ..." (a space after the PRI, as Hillstone's and Huawei's
     * manuals print it) */
    if (h->present && s.len > 1 && s.p[0] == ' ' && read_time(dec_skip(s, 1), &c))
        s = dec_skip(s, 1);
    memset(&c, 0, sizeof c);
    size_t tn = read_time(s, &c);
    if (!tn)
        tn = read_seq_time(&s, &c, h);
    if (!tn && h->present && s.len > 1 && (s.p[0] == ' ' || s.p[0] == ':')) {
        /* A byte (or ": ") between the PRI and the header: Ruijie's "<189> 226:Mar 5 02:09:10
         * S3250 %SYS-5-CONFIG_I: ..." (its configuration guide; no other sender puts a
         * space before a sequence number), "<166> Nov 25 ..." and the ASA/FTD's
         * "<166>:Nov 25 10:00:00 UTC: %ASA-6-302015: ..." (the empty device id), and
         * NX-OS's "<187>: 2019 Apr 18 10:57:54 UTC: %AUTHPRIV-3-SYSTEM_MSG: ...". */
        struct slice t = dec_skip(s, s.p[0] == ':' && s.p[1] == ' ' ? 2 : 1);
        if ((tn = read_time(t, &c)) != 0) {
            s = t;
        } else if (s.p[0] == ' ' && (tn = read_seq_time(&t, &c, h)) != 0) {
            s = t;
            h->ruijie = true;
        }
    }
    bool cisco_colon = false;
    if (tn) {
        h->present = true;
        if (!c.has_year)
            infer_year(&c, tz, received_ns);
        s = dec_skip(s, tn);
        bool utc = false;
        size_t zn = read_zone_abbrev(s, &utc);
        if (zn) {
            s = dec_skip(s, zn);
            if (utc && !c.has_off)
                tz = NULL; /* civil_to_ns: NULL zone = UTC */
        }
        h->time_ns = civil_to_ns(&c, tz);
        h->has_time = true;
        if (s.len && s.p[0] == ':') {
            cisco_colon = true;
            s = dec_skip(s, 1);
        } else if (DEC_STARTS(s, ", ")) {
            s = dec_skip(s, 1); /* Hillstone: "2024-11-25 10:00:00, Type@MODULE: ..." */
        }
        while (s.len && s.p[0] == ' ')
            s = dec_skip(s, 1);
        if (cisco_colon && s.len) {
            /* RGOS with its sysname on: "*May 22 09:44:36: Ruijie %SYS-5-CONFIG_I: ..."
             * (Cisco IOS writes its origin-id before the stamp, never here) */
            struct slice rest;
            struct slice tok = dec_word(s, &rest);
            struct slice next = dec_word(rest, &rest);
            if (tok.len && tok.len <= MAX_HOST && tok.p[0] != '%' && !token_is_tag(tok) &&
                is_cisco_tag(next)) {
                h->host = tok;
                h->ruijie = true;
                s = dec_skip(s, (size_t)(next.p - s.p));
            }
        }
        if (!cisco_colon && s.len) {
            struct slice rest;
            struct slice tok = dec_word(s, &rest);
            if (DEC_STARTS(tok, "%%")) {
                /* no host: a Huawei/H3C message right after the time */
            } else if (tok.len <= MAX_HOST && !token_is_tag(tok) && rest.len) {
                h->host = tok;
                s = rest;
            } else if (tok.len <= MAX_HOST && !token_is_tag(tok) && !rest.len && tok.len == s.len) {
                h->host = tok; /* "Nov 25 10:00:00 host" and nothing else */
                s = rest;
            }
        }
    } else if (!h->present) {
        return;
    }
    s = read_tag(s, h);
    h->msg = s;
}

/* Unescapes an SD-PARAM value (\" \\ \]) into the arena when it holds a backslash. */
static int sd_value(struct slice v, struct arena *arena, struct slice *out)
{
    if (!memchr(v.p, '\\', v.len)) {
        *out = v;
        return 0;
    }
    char *d = arena_alloc(arena, v.len ? v.len : 1);
    if (!d)
        return ERR_NOMEM;
    size_t o = 0;
    for (size_t i = 0; i < v.len; i++) {
        if (v.p[i] == '\\' && i + 1 < v.len &&
            (v.p[i + 1] == '"' || v.p[i + 1] == '\\' || v.p[i + 1] == ']'))
            i++;
        d[o++] = v.p[i];
    }
    *out = slice_make(d, o);
    return 0;
}

/* See decode_int.h. */
int decode_syslog_sd(struct slice sd, struct arena *arena, struct event *ev)
{
    size_t i = 0;
    while (i < sd.len && sd.p[i] == '[') {
        size_t id0 = ++i;
        while (i < sd.len && sd.p[i] != ' ' && sd.p[i] != ']')
            i++;
        if (i >= sd.len || i == id0 || i - id0 > 64)
            return ERR_PARSE;
        struct slice id = slice_make(sd.p + id0, i - id0);
        while (i < sd.len && sd.p[i] == ' ') {
            size_t n0 = ++i;
            while (i < sd.len && sd.p[i] != '=' && sd.p[i] != ' ' && sd.p[i] != ']')
                i++;
            if (i + 1 >= sd.len || sd.p[i] != '=' || sd.p[i + 1] != '"' || i == n0)
                return ERR_PARSE;
            struct slice name = slice_make(sd.p + n0, i - n0);
            size_t v0 = i + 2;
            i = v0;
            while (i < sd.len && sd.p[i] != '"') {
                if (sd.p[i] == '\\' && i + 1 < sd.len)
                    i++;
                i++;
            }
            if (i >= sd.len)
                return ERR_PARSE;
            struct slice val;
            if (sd_value(slice_make(sd.p + v0, i - v0), arena, &val))
                return ERR_NOMEM;
            i++;
            size_t nl = 3 + id.len + 1 + name.len;
            char *fn = arena_alloc(arena, nl);
            if (!fn)
                return ERR_NOMEM;
            memcpy(fn, "sd.", 3);
            memcpy(fn + 3, id.p, id.len);
            fn[3 + id.len] = '.';
            memcpy(fn + 4 + id.len, name.p, name.len);
            event_add_named(ev, slice_make(fn, nl), val);
        }
        if (i >= sd.len || sd.p[i] != ']')
            return ERR_PARSE;
        i++;
    }
    return i == sd.len ? 0 : ERR_PARSE;
}

/* See decode_int.h. */
int decode_iso_time(struct slice s, const struct vtz *tz, int64_t *ns, size_t *used)
{
    struct civil c;
    memset(&c, 0, sizeof c);
    size_t n = read_iso(s.p, s.len, &c);
    if (!n)
        return ERR_PARSE;
    *ns = civil_to_ns(&c, tz);
    *used = n;
    return 0;
}

/* See decode_int.h. */
int decode_civil_time(int64_t y, unsigned mon, unsigned day, unsigned h, unsigned mi, unsigned s,
                      int64_t frac_ns, const struct vtz *tz, int64_t received_ns, int64_t *ns)
{
    if (mon < 1 || mon > 12 || day < 1 || day > 31 || h > 23 || mi > 59 || s > 60 || frac_ns < 0 ||
        frac_ns >= NS_PER_SEC)
        return ERR_PARSE;
    if (y && (y < DECODE_YEAR_MIN || y > DECODE_YEAR_MAX || day > month_days(y, mon)))
        return ERR_PARSE;
    if (!y && day > month_days(2000, mon)) /* 2000: a leap year, Feb 29 may be */
        return ERR_PARSE;
    struct civil c;
    memset(&c, 0, sizeof c);
    c.y = y;
    c.mon = mon;
    c.day = day;
    c.h = h;
    c.mi = mi;
    c.s = s;
    c.frac_ns = frac_ns;
    if (!y)
        infer_year(&c, tz, received_ns);
    *ns = civil_to_ns(&c, tz);
    return 0;
}
