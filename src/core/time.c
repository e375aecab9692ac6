/*
 * time.c — clocks and civil-time arithmetic without libc time-zone machinery: date
 * conversion by Howard Hinnant's days-from-civil algorithm, RFC 3339 formatting and
 * parsing (and the relative forms the CLI accepts). Zones live in tz.c.
 */
#include "core/core.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t vtime_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

int64_t vtime_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

int64_t vtime_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int64_t vtime_from_civil(int64_t y, unsigned mon, unsigned day, unsigned h, unsigned mi,
                         unsigned s)
{
    return vtime_days_from_civil(y, mon, day) * 86400 + h * 3600 + mi * 60 + s;
}

void vtime_to_civil(int64_t secs, int64_t *y, unsigned *mon, unsigned *day, unsigned *h,
                    unsigned *mi, unsigned *s)
{
    int64_t days = secs / 86400, rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    *h = (unsigned)(rem / 3600);
    *mi = (unsigned)(rem / 60 % 60);
    *s = (unsigned)(rem % 60);
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned doe = (unsigned)(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *day = doy - (153 * mp + 2) / 5 + 1;
    *mon = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*mon <= 2);
}

int vtime_format(int64_t ns, char *out, size_t outlen)
{
    int64_t secs = ns / NS_PER_SEC, frac = ns % NS_PER_SEC;
    if (frac < 0) {
        frac += NS_PER_SEC;
        secs--;
    }
    int64_t y;
    unsigned mo, d, h, mi, s;
    vtime_to_civil(secs, &y, &mo, &d, &h, &mi, &s);
    int n = snprintf(out, outlen, "%04lld-%02u-%02uT%02u:%02u:%02u.%09lldZ", (long long)y, mo, d,
                     h, mi, s, (long long)frac);
    return (n < 0 || (size_t)n >= outlen) ? ERR_TOOBIG : 0;
}

unsigned vtime_month3(const char *p)
{
    /* Case-sensitive first letter upper, as syslog writes them; also all-lower. */
    static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    char a = (char)(p[0] | 0x20), b = (char)(p[1] | 0x20), c = (char)(p[2] | 0x20);
    for (unsigned i = 0; i < 12; i++)
        if (names[i * 3] == a && names[i * 3 + 1] == b && names[i * 3 + 2] == c)
            return i + 1;
    return 0;
}

/* Reads exactly n digits at s->p, advancing; -1 when not digits. */
static int64_t take_digits(struct slice *s, size_t n)
{
    if (s->len < n)
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned char)s->p[i] - '0';
        if (d > 9)
            return -1;
        v = v * 10 + d;
    }
    s->p += n;
    s->len -= n;
    return v;
}

static bool take_char(struct slice *s, char c)
{
    if (s->len && s->p[0] == c) {
        s->p++;
        s->len--;
        return true;
    }
    return false;
}

static int parse_relative(struct slice s, int64_t now_ns, int64_t *out)
{
    if (slice_eq(s, "now")) {
        *out = now_ns;
        return 0;
    }
    if (s.len < 3 || s.p[0] != '-')
        return ERR_PARSE;
    int64_t unit;
    switch (s.p[s.len - 1]) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    case 'w': unit = 7 * 86400; break;
    default: return ERR_PARSE;
    }
    uint64_t n;
    if (slice_to_u64(slice_make(s.p + 1, s.len - 2), &n) || n > 100000ULL * 86400 / (uint64_t)unit)
        return ERR_PARSE;
    *out = now_ns - (int64_t)n * unit * NS_PER_SEC;
    return 0;
}

int vtime_parse(struct slice s, int64_t now_ns, int64_t *out_ns)
{
    s = slice_trim(s);
    if (s.len && (s.p[0] == '-' || s.p[0] == 'n'))
        return parse_relative(s, now_ns, out_ns);
    int64_t y = take_digits(&s, 4);
    /* int64 ns spans 1677-09-21 .. 2262-04-11: stay inside it. */
    if (y < 1678 || y > 2261 || !take_char(&s, '-'))
        return ERR_PARSE;
    int64_t mo = take_digits(&s, 2);
    if (mo < 1 || mo > 12 || !take_char(&s, '-'))
        return ERR_PARSE;
    int64_t d = take_digits(&s, 2);
    if (d < 1 || d > 31)
        return ERR_PARSE;
    int64_t h = 0, mi = 0, sec = 0, frac = 0, off = 0;
    if (s.len && (s.p[0] == 'T' || s.p[0] == 't' || s.p[0] == ' ')) {
        s.p++;
        s.len--;
        h = take_digits(&s, 2);
        if (h < 0 || h > 23 || !take_char(&s, ':'))
            return ERR_PARSE;
        mi = take_digits(&s, 2);
        if (mi < 0 || mi > 59)
            return ERR_PARSE;
        if (take_char(&s, ':')) {
            sec = take_digits(&s, 2);
            if (sec < 0 || sec > 60)
                return ERR_PARSE;
            if (take_char(&s, '.') || take_char(&s, ',')) {
                int64_t scale = NS_PER_SEC;
                size_t nd = 0;
                while (s.len && s.p[0] >= '0' && s.p[0] <= '9') {
                    if (nd < 9) {
                        scale /= 10;
                        frac += (s.p[0] - '0') * scale;
                    }
                    nd++;
                    s.p++;
                    s.len--;
                }
                if (!nd)
                    return ERR_PARSE;
            }
        }
        if (take_char(&s, 'Z') || take_char(&s, 'z')) {
            off = 0;
        } else if (s.len && (s.p[0] == '+' || s.p[0] == '-')) {
            int sign = s.p[0] == '-' ? -1 : 1;
            s.p++;
            s.len--;
            int64_t oh = take_digits(&s, 2);
            if (oh < 0 || oh > 23)
                return ERR_PARSE;
            take_char(&s, ':');
            int64_t om = s.len ? take_digits(&s, 2) : 0;
            if (om < 0 || om > 59)
                return ERR_PARSE;
            off = sign * (oh * 3600 + om * 60);
        }
    }
    if (s.len)
        return ERR_PARSE;
    int64_t secs = vtime_from_civil(y, (unsigned)mo, (unsigned)d, (unsigned)h, (unsigned)mi,
                                    (unsigned)sec) - off;
    *out_ns = secs * NS_PER_SEC + frac;
    return 0;
}
