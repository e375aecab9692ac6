/*
 * test_dec_ids.c — unit tests of the IDS and antivirus decoders (dec_suricata.c,
 * dec_snort.c, dec_clamav.c) for what the golden files cannot show: the route aliases
 * (sid, signature, query, record_type read through them), routes per EVE event_type,
 * the year of year-less fast-alert stamps, forced formats and dispatch by first bytes.
 */
#include "core/core.h"
#include "decode/decode.h"
#include "event/event.h"
#include "testlib.h"

#include <string.h>

static struct decode_ctx *ctx;
static struct arena arena;
static struct event ev;
static struct decode_source src;
static const int64_t RECV = 1732579200LL * NS_PER_SEC; /* 2024-11-26T00:00:00Z */

static void dec(const char *line)
{
    arena_reset(&arena);
    memset(&ev, 0, sizeof ev);
    decode_record(ctx, &src, &arena, line, strlen(line), RECV, &ev);
}

static const char *f(const char *name)
{
    return t_field(&ev, name);
}

static bool has_route(int r)
{
    return (ev.routes & ROUTE_BIT(r)) != 0;
}

static int64_t at(int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
    return vtime_from_civil(y, mo, d, h, mi, s) * NS_PER_SEC;
}

static void suricata(void)
{
    dec("{\"timestamp\":\"2024-11-25T10:00:00.25+0000\",\"event_type\":\"alert\","
        "\"src_ip\":\"203.0.113.5\",\"src_port\":1,\"dest_ip\":\"10.0.0.2\",\"dest_port\":80,"
        "\"proto\":\"TCP\",\"alert\":{\"action\":\"blocked\",\"gid\":1,\"signature_id\":2010935,"
        "\"rev\":3,\"signature\":\"ET SCAN x\",\"category\":\"Bad\",\"severity\":2}}");
    T_EQ_STR(ev.decoder, "suricata");
    T_CHECK(has_route(ROUTE_suricata) && has_route(ROUTE_ids) && !has_route(ROUTE_dns));
    T_CHECK(ev.time_ns == at(2024, 11, 25, 10, 0, 0) + 250000000);
    T_CHECK(!(ev.flags & (EVF_TIME_RECEIVED | EVF_GENERIC)));
    /* the ids route's names, read through its aliases */
    T_EQ_STR(f("sid"), "2010935");
    T_EQ_STR(f("signature"), "ET SCAN x");
    T_EQ_STR(f("classification"), "Bad");
    T_EQ_STR(f("priority"), "2");
    T_EQ_STR(f("action"), "blocked");
    T_EQ_STR(f("dst_ip"), "10.0.0.2");
    T_EQ_STR(f("dest_ip"), "(none)");
    T_EQ_STR(f("timestamp"), "(none)");

    dec("{\"timestamp\":\"2024-11-25T10:00:00+0000\",\"event_type\":\"dns\",\"dns\":{"
        "\"type\":\"query\",\"rrname\":\"example.org\",\"rrtype\":\"MX\"}}");
    T_CHECK(has_route(ROUTE_suricata) && has_route(ROUTE_dns) && !has_route(ROUTE_ids));
    T_EQ_STR(f("query"), "example.org");
    T_EQ_STR(f("record_type"), "MX");
    T_EQ_STR(f("sid"), "(none)");

    dec("{\"timestamp\":\"2024-11-25T10:00:00+0000\",\"event_type\":\"tls\",\"tls\":{\"sni\":\"a\"}"
        "}");
    T_CHECK(has_route(ROUTE_suricata) && !has_route(ROUTE_ids) && !has_route(ROUTE_dns));
    T_EQ_STR(f("tls.sni"), "a");

    /* JSON that is not EVE goes to the JSON decoder; EVE keys in any order are found */
    dec("{\"timestamp\":\"2024-11-25T10:00:00Z\",\"type\":\"alert\"}");
    T_EQ_STR(ev.decoder, "json");
    dec("{\"flow_id\":7,\"event_type\":\"flow\",\"timestamp\":\"2024-11-25T10:00:00+0000\"}");
    T_EQ_STR(ev.decoder, "suricata");
    T_EQ_STR(f("flow_id"), "7");
    /* Windows JSON still goes to the Windows decoder */
    dec("{\"@timestamp\":\"2024-11-25T10:00:00Z\",\"winlog\":{\"channel\":\"Security\","
        "\"event_id\":\"4624\"}}");
    T_EQ_STR(ev.decoder, "windows");

    /* Suricata's syslog alert output */
    dec("Nov 25 10:00:00 s1 suricata[1]: [1:2:3] Sig {UDP} 10.0.0.1:53 -> 10.0.0.2:5353");
    T_EQ_STR(ev.decoder, "suricata");
    T_CHECK(has_route(ROUTE_suricata) && has_route(ROUTE_ids) && !has_route(ROUTE_snort));
    T_EQ_STR(f("sid"), "2");
    T_EQ_STR(f("dst_port"), "5353");
}

static void snort(void)
{
    /* a year-less stamp: the year nearest to receipt, at most 31 days ahead */
    dec("02/29-10:00:00.5  [**] [1:2:3] leap [**] {TCP} 1.2.3.4:5 -> 6.7.8.9:10");
    T_EQ_STR(ev.decoder, "snort");
    T_CHECK(ev.time_ns == at(2024, 2, 29, 10, 0, 0) + 500000000);
    T_CHECK(has_route(ROUTE_snort) && has_route(ROUTE_ids) && !has_route(ROUTE_suricata));
    dec("12/31-23:59:59.0  [**] [1:2:3] last year [**] {TCP} 1.2.3.4:5 -> 6.7.8.9:10");
    T_CHECK(ev.time_ns == at(2023, 12, 31, 23, 59, 59));
    dec("12/20-00:00:00.0  [**] [1:2:3] soon [**] {TCP} 1.2.3.4:5 -> 6.7.8.9:10");
    T_CHECK(ev.time_ns == at(2024, 12, 20, 0, 0, 0));
    /* impossible dates are not this format */
    dec("11/31-10:00:00.0  [**] [1:2:3] x [**] {TCP} 1.2.3.4:5 -> 6.7.8.9:10");
    T_CHECK(ev.flags & EVF_GENERIC);
    dec("02/29/23-10:00:00.0  [**] [1:2:3] x [**] {TCP} 1.2.3.4:5 -> 6.7.8.9:10");
    T_CHECK(ev.flags & EVF_GENERIC);
    /* a bad port or address: no half endpoint */
    dec("11/25-10:00:00.0  [**] [1:2:3] x [**] {TCP} 1.2.3.4:5x -> 6.7.8.9:10");
    T_EQ_STR(f("proto"), "TCP");
    T_EQ_STR(f("src_ip"), "(none)");
    T_EQ_STR(f("dst_ip"), "(none)");
    /* headerless "[gid:sid:rev]" lines */
    dec("[1:2:3] bare {ICMP} 1.2.3.4 -> 5.6.7.8");
    T_EQ_STR(ev.decoder, "snort");
    T_EQ_STR(f("src_ip"), "1.2.3.4");
    T_EQ_STR(f("src_port"), "(none)");
    dec("[12345.678] usb 1-1: new device");
    T_CHECK(ev.flags & EVF_GENERIC);
    /* forced format */
    src.format = "snort";
    dec("[1:2:3] forced {TCP} [::1]:1 -> [::2]:2");
    T_EQ_STR(ev.decoder, "snort");
    T_EQ_STR(f("dst_ip"), "::2");
    src.format = NULL;
}

static void clamav(void)
{
    dec("Nov 25 10:00:00 av1 clamd[1]: /a b/c: Win.Test.EICAR_HDB-1 FOUND");
    T_CHECK(has_route(ROUTE_antivirus) && has_route(ROUTE_clamav));
    T_EQ_STR(f("Filename"), "/a b/c");
    T_EQ_STR(f("Signature"), "Win.Test.EICAR_HDB-1");
    /* any other clamd line is a clamav event, not an antivirus one */
    dec("Nov 25 10:00:00 av1 clamd[1]: Reading databases from /var/lib/clamav");
    T_EQ_STR(ev.decoder, "clamav");
    T_CHECK(has_route(ROUTE_clamav) && !has_route(ROUTE_antivirus));
    /* headerless lines that are not detections are not dispatched to ClamAV */
    dec("/tmp/ok.txt: OK");
    T_CHECK(ev.flags & EVF_GENERIC);
    /* a clamd log stamp with a one-digit day */
    dec("Tue Nov  5 10:00:00 2024 -> /x: Eicar-Signature FOUND");
    T_CHECK(ev.time_ns == at(2024, 11, 5, 10, 0, 0));
    T_EQ_STR(f("Filename"), "/x");
}

int main(void)
{
    field_registry_init();
    if (decode_ctx_new(&ctx))
        return 1;
    arena_init(&arena, 64 * 1024, 16 * 1024 * 1024);
    t_run("decode_suricata", suricata);
    t_run("decode_snort", snort);
    t_run("decode_clamav", clamav);
    arena_fini(&arena);
    decode_ctx_free(ctx);
    return t_done();
}
