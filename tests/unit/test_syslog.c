/*
 * test_syslog.c — unit tests of the syslog header and the charset step through the
 * public decode_record: RFC 3164 and its variants (no year, year before/after the time,
 * fractions, Cisco sequence numbers and clock markers, missing or IPv6 hosts, TAG
 * forms), RFC 5424 with structured data and BOM, bad PRI, time zones, year inference
 * around New Year, skewed clocks, headerless records, GBK, invalid UTF-8, over-long
 * records. Expected values are worked out from the formats, not copied from output.
 */
#include "core/core.h"
#include "decode/decode.h"
#include "event/event.h"
#include "testlib.h"

#include <stdio.h>
#include <string.h>

static struct decode_ctx *ctx;
static struct arena arena;
static struct event ev;
static struct decode_source src;

/* 2024-11-26T00:00:00Z unless a test says otherwise */
static int64_t recv_ns;

static int64_t ns(int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
    return vtime_from_civil(y, mo, d, h, mi, s) * NS_PER_SEC;
}

static void dec(const char *line)
{
    arena_reset(&arena);
    memset(&ev, 0, sizeof ev);
    decode_record(ctx, &src, &arena, line, strlen(line), recv_ns, &ev);
}

static void decn(const char *line, size_t len)
{
    arena_reset(&arena);
    memset(&ev, 0, sizeof ev);
    decode_record(ctx, &src, &arena, line, len, recv_ns, &ev);
}

/* The field's first value as a C string ("(none)" when absent). */
static const char *f(const char *name)
{
    return t_field(&ev, name);
}

static void reset_src(void)
{
    src.tz = NULL;
    src.charset = CHARSET_AUTO;
    src.format = NULL;
    recv_ns = ns(2024, 11, 26, 0, 0, 0);
}

static void rfc3164_basic(void)
{
    reset_src();
    dec("<38>Nov 25 10:00:00 web01 sshd[1234]: Server listening on 0.0.0.0 port 22.");
    T_EQ_INT(ev.time_ns, ns(2024, 11, 25, 10, 0, 0));
    T_EQ_STR(f("facility"), "auth");
    T_EQ_STR(f("severity"), "info");
    T_EQ_STR(f("host"), "web01");
    T_EQ_STR(f("program"), "sshd");
    T_EQ_STR(f("pid"), "1234");
    T_EQ_STR(f("message"), "Server listening on 0.0.0.0 port 22.");
    T_CHECK(!(ev.flags & (EVF_MALFORMED | EVF_TIME_RECEIVED | EVF_GENERIC)));
    T_EQ_STR(ev.decoder, "sshd");
    /* No PRI (a line read from a file), space-padded day, tag without pid. */
    dec("Nov  5 01:02:03 db01 sudo: pam_unix(sudo:session): session closed for user root");
    T_EQ_INT(ev.time_ns, ns(2024, 11, 5, 1, 2, 3));
    T_EQ_STR(f("facility"), "(none)");
    T_EQ_STR(f("host"), "db01");
    T_EQ_STR(f("program"), "sudo");
    T_EQ_STR(f("pid"), "(none)");
}

static void year_inference(void)
{
    reset_src();
    /* Received just after New Year: "Dec 31" is last year. */
    recv_ns = ns(2025, 1, 1, 0, 5, 0);
    dec("Dec 31 23:59:00 h p: x");
    T_EQ_INT(ev.time_ns, ns(2024, 12, 31, 23, 59, 0));
    /* Received on Dec 31, a sender clock already in January: next year. */
    recv_ns = ns(2024, 12, 31, 23, 59, 0);
    dec("Jan  1 00:01:00 h p: x");
    T_EQ_INT(ev.time_ns, ns(2025, 1, 1, 0, 1, 0));
    /* Six months ahead is not "the future": it is last year. */
    recv_ns = ns(2024, 6, 1, 0, 0, 0);
    dec("Dec  1 00:00:00 h p: x");
    T_EQ_INT(ev.time_ns, ns(2023, 12, 1, 0, 0, 0));
    /* Feb 29 without a year takes the last leap year. */
    recv_ns = ns(2025, 2, 1, 0, 0, 0);
    dec("Feb 29 12:00:00 h p: x");
    T_EQ_INT(ev.time_ns, ns(2024, 2, 29, 12, 0, 0));
    T_CHECK(!(ev.flags & EVF_TIME_SKEWED));
}

static void year_and_fraction_forms(void)
{
    reset_src();
    dec("Nov 25 2024 10:00:00 host1 prog: a");
    T_EQ_INT(ev.time_ns, ns(2024, 11, 25, 10, 0, 0));
    T_EQ_STR(f("host"), "host1");
    dec("Nov 25 10:00:00 2024 host2 prog: b");
    T_EQ_INT(ev.time_ns, ns(2024, 11, 25, 10, 0, 0));
    T_EQ_STR(f("host"), "host2");
    dec("Nov 25 10:00:00.250 host3 prog: c");
    T_EQ_INT(ev.time_ns, ns(2024, 11, 25, 10, 0, 0) + 250000000);
    /* ISO timestamps, with and without offset. */
    dec("<13>2024-11-25T10:00:00.123456+08:00 host4 prog[9]: d");
    T_EQ_INT(ev.time_ns, ns(2024, 11, 25, 2, 0, 0) + 123456000);
    T_EQ_STR(f("host"), "host4");
    T_EQ_STR(f("pid"), "9");
    dec("2024-11-25T10:00:00 host5 prog: e");
    T_EQ_INT(ev.time_ns, ns(2024, 11, 25, 10, 0, 0));
}

static void zones(void)
{
    reset_src();
    struct vtz *sh;
    T_EQ_INT(vtz_open("Asia/Shanghai", &sh), 0);
    src.tz = sh;
    dec("Nov 25 10:00:00 h p: x");
    T_EQ_INT(ev.time_ns, ns(2024, 11, 25, 2, 0, 0));
    dec("2024-11-25T10:00:00 h p: x");
    T_EQ_INT(ev.time_ns, ns(2024, 11, 25, 2, 0, 0));
    /* An explicit offset wins over the source's zone. */
    dec("2024-11-25T10:00:00Z h p: x");
    T_EQ_INT(ev.time_ns, ns(2024, 11, 25, 10, 0, 0));
    src.tz = NULL;
    vtz_free(sh);
}

static void cisco(void)
{
    reset_src();
    dec("<189>25: *Mar  1 18:46:11.123: %SYS-5-CONFIG_I: Configured from console by vty0");
    T_EQ_STR(f("seq"), "25");
    /* the Cisco decoder gives facility and severity as the tag writes them; the PRI's
     * names stay under syslog_* */
    T_EQ_STR(f("syslog_facility"), "local7");
    T_EQ_STR(f("syslog_severity"), "notice");
    T_EQ_STR(f("facility"), "SYS");
    T_EQ_STR(f("severity"), "5");
    T_EQ_STR(f("host"), "(none)");
    T_EQ_STR(f("program"), "%SYS-5-CONFIG_I");
    T_EQ_STR(f("message"), "Configured from console by vty0");
    T_EQ_INT(ev.time_ns, ns(2024, 3, 1, 18, 46, 11) + 123000000);
    dec("<187>1234: .Nov 25 10:00:00: %LINK-3-UPDOWN: Interface Gi0/1, changed state to down");
    T_EQ_STR(f("seq"), "1234");
    T_EQ_STR(f("program"), "%LINK-3-UPDOWN");
    T_EQ_INT(ev.time_ns, ns(2024, 11, 25, 10, 0, 0));
    /* `logging origin-id`: the host between the sequence number and the time */
    dec("<189>35: router1: *Mar  1 00:03:30.639: %SYS-5-CONFIG_I: Configured");
    T_EQ_STR(f("seq"), "35");
    T_EQ_STR(f("host"), "router1");
    T_EQ_STR(f("program"), "%SYS-5-CONFIG_I");
    T_EQ_INT(ev.time_ns, ns(2024, 3, 1, 0, 3, 30) + 639000000);
}

static void zone_abbreviations_and_year_first(void)
{
    struct vtz *sh;
    T_EQ_INT(vtz_open("Asia/Shanghai", &sh), 0);
    reset_src();
    src.tz = sh;
    /* UTC/GMT after the time override the source's zone ... */
    dec("<189>35: *Mar  1 00:03:30 UTC: %SYS-5-CONFIG_I: Configured");
    T_EQ_STR(f("program"), "%SYS-5-CONFIG_I");
    T_EQ_INT(ev.time_ns, ns(2024, 3, 1, 0, 3, 30));
    /* ... an ambiguous abbreviation is skipped and the source's zone (+08:00) applies */
    dec("<189>36: *Mar  1 08:03:30 CST: %SYS-5-CONFIG_I: Configured");
    T_EQ_STR(f("program"), "%SYS-5-CONFIG_I");
    T_EQ_INT(ev.time_ns, ns(2024, 3, 1, 0, 3, 30));
    /* an upper-case host name is not a zone */
    dec("Nov 25 10:00:00 FW01 app: y");
    T_EQ_STR(f("host"), "FW01");
    /* the year first */
    dec("2023 Nov 25 18:00:00 host app: x");
    T_EQ_STR(f("host"), "host");
    T_EQ_STR(f("message"), "x");
    T_EQ_INT(ev.time_ns, ns(2023, 11, 25, 10, 0, 0));
    src.tz = NULL;
    vtz_free(sh);
}

static void hosts_and_tags(void)
{
    reset_src();
    dec("Nov 25 10:00:00 2001:db8::1 sshd[7]: Accepted publickey for a from 10.0.0.1 port 2 ssh2");
    T_EQ_STR(f("host"), "2001:db8::1");
    T_EQ_STR(f("program"), "sshd");
    /* No host: what follows the time is "program[pid]:" */
    dec("<38>Nov 25 10:00:00 sshd[7]: Invalid user x from 1.2.3.4 port 5");
    T_EQ_STR(f("host"), "(none)");
    T_EQ_STR(f("program"), "sshd");
    T_EQ_STR(f("user"), "x");
    dec("Nov 25 10:00:00 CRON[99]: (root) CMD (true)");
    T_EQ_STR(f("host"), "(none)");
    T_EQ_STR(f("program"), "CRON");
    /* A /dev/log style record: PRI then tag, no time, no host. */
    dec("<86>sudo: pam_unix(sudo:auth): authentication failure; logname=bob uid=1000");
    T_EQ_STR(f("program"), "sudo");
    T_CHECK(ev.flags & EVF_TIME_RECEIVED);
    T_EQ_INT(ev.time_ns, recv_ns);
    /* A host and a message without a tag. */
    dec("Nov 25 10:00:00 fw1 just some text");
    T_EQ_STR(f("host"), "fw1");
    T_EQ_STR(f("program"), "(none)");
    T_EQ_STR(f("message"), "just some text");
}

static void rfc5424(void)
{
    reset_src();
    dec("<165>1 2024-11-25T10:00:00.003Z mymachine.example.com evntslog 42 ID47 "
        "[exampleSDID@32473 iut=\"3\" eventSource=\"App\\\"li\\\\ca\\]tion\"][meta x=\"\"] "
        "\xEF\xBB\xBF" "An application event");
    T_EQ_INT(ev.time_ns, ns(2024, 11, 25, 10, 0, 0) + 3000000);
    T_EQ_STR(f("facility"), "local4");
    T_EQ_STR(f("severity"), "notice");
    T_EQ_STR(f("host"), "mymachine.example.com");
    T_EQ_STR(f("program"), "evntslog");
    T_EQ_STR(f("pid"), "42");
    T_EQ_STR(f("msgid"), "ID47");
    T_EQ_STR(f("sd.exampleSDID@32473.iut"), "3");
    T_EQ_STR(f("sd.exampleSDID@32473.eventSource"), "App\"li\\ca]tion");
    T_EQ_STR(f("sd.meta.x"), "");
    T_EQ_STR(f("message"), "An application event");
    T_CHECK(!(ev.flags & EVF_MALFORMED));
    /* NILVALUEs everywhere, no MSG. */
    dec("<14>1 - - - - - -");
    T_EQ_STR(f("host"), "(none)");
    T_EQ_STR(f("program"), "(none)");
    T_CHECK(ev.flags & EVF_TIME_RECEIVED);
    T_CHECK(!(ev.flags & EVF_MALFORMED));
    /* Broken structured data is flagged, the record kept. */
    dec("<14>1 2024-11-25T10:00:00Z h app - - [unterminated x=\"1\" rest");
    T_CHECK(ev.flags & EVF_MALFORMED);
    T_EQ_STR(f("host"), "h");
    /* sshd via 5424 still reaches the sshd decoder. */
    dec("<38>1 2024-11-25T10:00:00Z h sshd 77 - - Failed password for root from 1.2.3.4 port 9 ssh2");
    T_EQ_STR(ev.decoder, "sshd");
    T_EQ_STR(f("src_ip"), "1.2.3.4");
}

static void bad_pri_and_time(void)
{
    reset_src();
    dec("<999>Nov 25 10:00:00 h prog: x");
    T_CHECK(ev.flags & EVF_MALFORMED);
    T_EQ_STR(f("pri"), "999");
    T_EQ_STR(f("facility"), "(none)");
    T_EQ_STR(f("host"), "h");
    T_EQ_STR(f("message"), "x");
    T_EQ_INT(ev.time_ns, ns(2024, 11, 25, 10, 0, 0));
    dec("<192>Nov 25 10:00:00 h prog: x");
    T_CHECK(ev.flags & EVF_MALFORMED);
    dec("<191>Nov 25 10:00:00 h prog: x");
    T_CHECK(!(ev.flags & EVF_MALFORMED));
    T_EQ_STR(f("facility"), "local7");
    T_EQ_STR(f("severity"), "debug");
    /* A clock 15 years off is kept and flagged. */
    dec("<13>2009-11-25T10:00:00Z h p: x");
    T_EQ_INT(ev.time_ns, ns(2009, 11, 25, 10, 0, 0));
    T_CHECK(ev.flags & EVF_TIME_SKEWED);
    dec("Nov 25 2039 10:00:00 h p: x");
    T_EQ_INT(ev.time_ns, ns(2039, 11, 25, 10, 0, 0));
    T_CHECK(ev.flags & EVF_TIME_SKEWED);
    /* PRI then an impossible time: header kept, time = received. */
    dec("<13>Feb 30 10:00:00 h p: x");
    T_CHECK(ev.flags & EVF_TIME_RECEIVED);
    T_EQ_INT(ev.time_ns, recv_ns);
}

static void headerless(void)
{
    reset_src();
    /* (an Apache error line was the example here; dec_weberror.c decodes those now) */
    dec("[Mon Nov 25 03:01:02.123456 2024] [core:bogus] [pid 1] not a known level");
    T_CHECK(ev.flags & EVF_GENERIC);
    T_CHECK(ev.flags & EVF_TIME_RECEIVED);
    T_CHECK(ev.routes == ROUTE_BIT(ROUTE_generic));
    T_EQ_INT(ev.nfields, 0);
    T_EQ_STR(ev.decoder, "generic");
    dec("");
    T_CHECK(ev.flags & EVF_GENERIC);
    T_EQ_INT(ev.raw.len, 0);
}

static void charsets(void)
{
    reset_src();
    /* "用户" in GBK is D3 C3 BB A7; in UTF-8 E7 94 A8 E6 88 B7. */
    const char gbk[] = "Nov 25 10:00:00 fw1 kernel: \xD3\xC3\xBB\xA7 login";
    dec(gbk);
    T_CHECK(ev.flags & EVF_CONVERTED);
    T_CHECK(!(ev.flags & EVF_BAD_UTF8));
    T_EQ_STR(f("message"), "\xE7\x94\xA8\xE6\x88\xB7 login");
    T_EQ_INT(ev.raw.len, strlen(gbk));
    T_CHECK(!memcmp(ev.raw.p, gbk, ev.raw.len));
    /* Explicit GBK, and UTF-8 left alone under AUTO. */
    src.charset = CHARSET_GBK;
    dec(gbk);
    T_EQ_STR(f("message"), "\xE7\x94\xA8\xE6\x88\xB7 login");
    src.charset = CHARSET_AUTO;
    dec("Nov 25 10:00:00 fw1 kernel: \xE7\x94\xA8\xE6\x88\xB7 login");
    T_CHECK(!(ev.flags & (EVF_CONVERTED | EVF_BAD_UTF8)));
    T_EQ_STR(f("message"), "\xE7\x94\xA8\xE6\x88\xB7 login");
    /* Bytes valid in neither: kept raw, flagged. */
    dec("Nov 25 10:00:00 fw1 kernel: bad \xFF\xFF end");
    T_CHECK(ev.flags & EVF_BAD_UTF8);
    T_EQ_STR(f("message"), "bad \xFF\xFF end");
    /* Declared UTF-8 with a bad byte: flagged, not converted. */
    src.charset = CHARSET_UTF8;
    dec("Nov 25 10:00:00 fw1 kernel: \xD3\xC3");
    T_CHECK(ev.flags & EVF_BAD_UTF8);
    T_CHECK(!(ev.flags & EVF_CONVERTED));
    src.charset = CHARSET_AUTO;
    /* A BOM is stripped from the text, kept in raw. */
    dec("\xEF\xBB\xBFNov 25 10:00:00 h p: x");
    T_EQ_STR(f("host"), "h");
    T_EQ_INT(ev.raw.p[0], (char)0xEF);
    enum decode_charset cs;
    T_EQ_INT(decode_charset_parse("GB18030", &cs), 0);
    T_EQ_INT(cs, CHARSET_GB18030);
    T_EQ_INT(decode_charset_parse("Utf-8", &cs), 0);
    T_EQ_INT(cs, CHARSET_UTF8);
    T_CHECK(decode_charset_parse("latin1", &cs) != 0);
}

static void long_and_nul(void)
{
    reset_src();
    size_t n = EVENT_MAX_RECORD + 1000;
    char *big = mem_alloc(n);
    T_CHECK(big);
    memset(big, 'a', n);
    memcpy(big, "Nov 25 10:00:00 h p: ", 21);
    decn(big, n);
    T_CHECK(ev.flags & EVF_TRUNCATED);
    T_EQ_INT(ev.raw.len, EVENT_MAX_RECORD);
    T_EQ_STR(f("host"), "h");
    mem_free(big);
    /* NUL bytes are data: parsing goes by length. */
    static const char nul[] = "Nov 25 10:00:00 h p: a\0b";
    decn(nul, sizeof nul - 1);
    struct slice m;
    T_CHECK(event_get(&ev, FIELD_message, &m));
    T_EQ_INT(m.len, 3);
    T_CHECK(!memcmp(m.p, "a\0b", 3));
}

static void ids_kept(void)
{
    reset_src();
    arena_reset(&arena);
    memset(&ev, 0, sizeof ev);
    ev.id = 42;
    ev.input = SLICE_LIT("in");
    ev.peer = SLICE_LIT("1.2.3.4");
    decode_record(ctx, &src, &arena, "x", 1, 7, &ev);
    T_EQ_INT(ev.id, 42);
    T_EQ_SLICE(ev.input, "in");
    T_EQ_SLICE(ev.peer, "1.2.3.4");
    T_EQ_INT(ev.received_ns, 7);
}

int main(void)
{
    field_registry_init();
    if (decode_ctx_new(&ctx))
        return 1;
    arena_init(&arena, 64 * 1024, 16 * 1024 * 1024);
    t_run("syslog_rfc3164_basic", rfc3164_basic);
    t_run("syslog_year_inference", year_inference);
    t_run("syslog_year_and_fraction_forms", year_and_fraction_forms);
    t_run("syslog_zones", zones);
    t_run("syslog_cisco", cisco);
    t_run("syslog_zone_abbreviations_and_year_first", zone_abbreviations_and_year_first);
    t_run("syslog_hosts_and_tags", hosts_and_tags);
    t_run("syslog_rfc5424", rfc5424);
    t_run("syslog_bad_pri_and_time", bad_pri_and_time);
    t_run("syslog_headerless", headerless);
    t_run("syslog_charsets", charsets);
    t_run("syslog_long_and_nul", long_and_nul);
    t_run("syslog_ids_kept", ids_kept);
    arena_fini(&arena);
    decode_ctx_free(ctx);
    return t_done();
}
