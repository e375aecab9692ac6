/*
 * test_output.c — the alert outputs (src/output) without a network: the renderings and
 * their escaping (JSON; CEF header and extension; syslog RFC 5424 and 3164 headers; an
 * e-mail whose subject and body come from hostile entities), the bounded queue (drop the
 * oldest at the cap, timed pop, close), the once-a-minute throttle of updates, the
 * `outputs:` config (defaults, every refusal with FILE:LINE), and the set's filtering
 * (min_level, on_update) and counters with a receiver that is never reached.
 */
#include "core/core.h"
#include "ingest/ingest.h"
#include "output/output.h"
#include "testlib.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define S(n) ((int64_t)(n)*1000000000LL)

static const uint64_t ids[2] = {0x1122334455667788ULL, 0xa};

static struct alert_row row(const char *title, const char *src, const char *user)
{
    struct alert_row r = {
        .id = 0x00ab00cd00ef0012ULL,
        .is_new = true,
        .rule_id = "rule-1",
        .rule_title = title,
        .rule_level = "high",
        .tags_json = "[\"attack.t1110\"]",
        .first_seen_ns = S(1764064800), /* 2025-11-25T10:00:00Z */
        .last_seen_ns = S(1764064835),
        .created_ns = S(1764064836),
        .count = 8,
        .src_ip = src ? slice_cstr(src) : SLICE_NULL,
        .user = user ? slice_cstr(user) : SLICE_NULL,
        .nevents = 2,
        .risk = 3.2,
    };
    memcpy(r.event_ids, ids, sizeof ids);
    return r;
}

static const char *render_cef(const struct alert_row *r, struct buf *b)
{
    struct output_alert *a = output_alert_new(r);
    if (!a)
        return NULL;
    buf_reset(b);
    output_render_cef(b, a);
    output_alert_unref(a);
    return buf_cstr(b);
}

static void cef_plain(void)
{
    struct alert_row r = row("SSH brute force", "203.0.113.9", NULL);
    struct buf b;
    buf_init(&b, 1 << 16);
    const char *s = render_cef(&r, &b);
    T_EQ_STR(s, "CEF:0|Vigil|Vigil|" OUTPUT_PRODUCT_VERSION
                "|rule-1|SSH brute force|8|rt=1764064835000 start=1764064800000"
                " end=1764064835000 cnt=8 src=203.0.113.9 externalId=00ab00cd00ef0012 cat=high"
                " act=new cs1Label=risk cs1=3.2 cs3Label=tags cs3=[\"attack.t1110\"]"
                " cs4Label=eventIds cs4=1122334455667788,000000000000000a");
    buf_fini(&b);
}

/* Pipes and backslashes in the header, = \ CR LF in the extension, other control bytes
 * as spaces: one record, one line, every field where it was. */
static void cef_escaping(void)
{
    struct alert_row r = row("a|b\\c=d\ne", "10.0.0.1", "ev=il\\u|x\r\nsuser=root\x01");
    r.rule_id = "id|1";
    r.host = slice_cstr("h\tost");
    struct buf b;
    buf_init(&b, 1 << 16);
    const char *s = render_cef(&r, &b);
    T_CHECK(s);
    T_CHECK(strstr(s, "|id\\|1|a\\|b\\\\c=d e|8|rt=") != NULL);
    T_CHECK(strstr(s, " suser=ev\\=il\\\\u|x\\r\\nsuser\\=root  dhost=h ost ") != NULL);
    T_CHECK(strchr(s, '\n') == NULL && strchr(s, '\r') == NULL);
    /* a key=value pair an attacker wrote stays inside the value */
    T_CHECK(strstr(s, " suser=root") == NULL);
    /* a name where an address belongs goes to shost, not src */
    r = row("t", "evil.example.com", NULL);
    r.dst_ip = slice_cstr("not an ip");
    s = render_cef(&r, &b);
    T_CHECK(strstr(s, " shost=evil.example.com ") && !strstr(s, " src="));
    T_CHECK(strstr(s, " cs6=not an ip cs6Label=dst ") && !strstr(s, " dst="));
    r = row("t", "2001:db8::1", NULL);
    s = render_cef(&r, &b);
    T_CHECK(strstr(s, " src=2001:db8::1 "));
    buf_fini(&b);
}

static void json_escaping(void)
{
    struct alert_row r = row("quote \" back \\ nl \n", "10.0.0.1", "bad\xff\x01");
    r.is_new = false;
    r.asset = "db<1>";
    struct output_alert *a = output_alert_new(&r);
    T_CHECK(a);
    struct buf b;
    buf_init(&b, 1 << 16);
    output_render_json(&b, a);
    output_alert_unref(a);
    const char *s = buf_cstr(&b);
    T_EQ_STR(s, "{\"id\":\"00ab00cd00ef0012\",\"event\":\"update\",\"rule_id\":\"rule-1\","
                "\"title\":\"quote \\\" back \\\\ nl \\n\",\"level\":\"high\","
                "\"tags\":[\"attack.t1110\"],\"first_seen\":\"2025-11-25T10:00:00.000000000Z\","
                "\"last_seen\":\"2025-11-25T10:00:35.000000000Z\",\"count\":8,"
                "\"src_ip\":\"10.0.0.1\",\"dst_ip\":null,\"user\":\"bad\\u00ff\\u0001\","
                "\"host\":null,\"asset\":\"db<1>\",\"risk\":3.2,"
                "\"event_ids\":[\"1122334455667788\",\"000000000000000a\"],"
                "\"created\":\"2025-11-25T10:00:36.000000000Z\"}");
    buf_fini(&b);
}

/* An entity may hold a NUL byte: the copy keeps its length. */
static void copy_keeps_bytes(void)
{
    struct alert_row r = row("t", NULL, NULL);
    r.user = slice_make("a\0b", 3);
    struct output_alert *a = output_alert_new(&r);
    T_CHECK(a);
    T_EQ_INT(a->user.len, 3);
    T_CHECK(a->user.p[1] == 0 && a->user.p[2] == 'b' && a->src_ip.p == NULL);
    output_alert_ref(a);
    output_alert_unref(a);
    T_EQ_INT(a->count, 8);
    output_alert_unref(a);
    output_alert_unref(NULL);
}

static void syslog_headers(void)
{
    struct alert_row r = row("T", "10.0.0.1", NULL);
    struct output_alert *a = output_alert_new(&r);
    T_CHECK(a);
    struct output_cfg o = {.facility = 16};
    struct buf b;
    buf_init(&b, 1 << 16);
    int64_t now = S(1764064900) + 5000000; /* 2025-11-25T10:01:40.005Z */
    output_render_syslog(&b, &o, a, "srv 1\x7f", 42, now);
    T_CHECK(!strncmp(buf_cstr(&b),
                     "<131>1 2025-11-25T10:01:40.005Z srv_1_ vigil 42 alert - CEF:0|Vigil|", 68));
    buf_reset(&b);
    o.rfc3164 = true;
    o.facility = 20;
    r.rule_level = "critical";
    output_alert_unref(a);
    a = output_alert_new(&r);
    T_CHECK(a);
    output_render_syslog(&b, &o, a, "", 7, S(1764662400)); /* 2025-12-02T08:00:00Z */
    T_CHECK(!strncmp(buf_cstr(&b), "<162>Dec  2 08:00:00 - vigil[7]: CEF:0|Vigil|Vigil|", 51));
    T_CHECK(strstr(buf_cstr(&b), "|T|10|rt="));
    output_alert_unref(a);
    buf_fini(&b);
}

static struct output_cfg mail_cfg(void)
{
    static char from[] = "vigil@example.com";
    static char to0[] = "soc@example.com";
    static char *to[] = {to0};
    struct output_cfg o = {.type = OUTPUT_EMAIL, .from = from, .to = to, .nto = 1};
    return o;
}

/* A title and entities cannot add header lines; the body has no bare control bytes; a
 * non-ASCII subject is RFC 2047. */
static void email_headers_safe(void)
{
    struct alert_row r =
        row("Brute\r\nBcc: victim@example.com", "10.0.0.1\r\nX-Evil: 1", "u\x1b[31m");
    struct output_cfg o = mail_cfg();
    struct output_alert *a = output_alert_new(&r);
    T_CHECK(a);
    struct buf b;
    buf_init(&b, 1 << 16);
    output_render_email(&b, &o, a, "mail.example.com", S(1764064800));
    const char *s = buf_cstr(&b);
    T_CHECK(strstr(s, "\r\nBcc:") == NULL && strstr(s, "\r\nX-Evil:") == NULL);
    T_CHECK(
        strstr(s, "Subject: [Vigil] high: BruteBcc: victim@example.com (10.0.0.1X-Evil: 1)\r\n"));
    T_CHECK(strstr(s, "Date: Tue, 25 Nov 2025 10:00:00 +0000\r\n"));
    T_CHECK(strstr(s, "Message-ID: <00ab00cd00ef0012.1764064800000000000.mail.example.com>\r\n"));
    T_CHECK(strstr(s, "  user:        u.[31m\r\n"));
    T_CHECK(strstr(s, "  source:      10.0.0.1..X-Evil: 1\r\n"));
    /* every line ends with CRLF, none longer than SMTP allows, no bare LF */
    size_t line = 0;
    for (size_t i = 0; i < b.len; i++) {
        if (s[i] == '\n') {
            T_CHECK(i > 0 && s[i - 1] == '\r');
            line = 0;
        } else {
            T_CHECK(++line <= 998);
        }
    }
    output_alert_unref(a);
    /* non-ASCII: encoded words, decodable, never a raw byte in the header */
    r = row("Überwachung 暴力破解", NULL, NULL);
    a = output_alert_new(&r);
    T_CHECK(a);
    buf_reset(&b);
    output_render_email(&b, &o, a, "h", S(1764064800));
    s = buf_cstr(&b);
    const char *subj = strstr(s, "Subject: ");
    T_CHECK(subj && !strncmp(subj, "Subject: =?UTF-8?B?", 19));
    const char *end = strstr(subj, "\r\nX-Vigil-Alert");
    T_CHECK(end);
    for (const char *p = subj; p < end; p++)
        T_CHECK((unsigned char)*p < 0x80);
    /* a long value is cut in the body */
    char longv[3000];
    memset(longv, 'x', sizeof longv - 1);
    longv[sizeof longv - 1] = 0;
    output_alert_unref(a);
    r = row("t", NULL, longv);
    a = output_alert_new(&r);
    T_CHECK(a);
    buf_reset(&b);
    output_render_email(&b, &o, a, "h", S(1764064800));
    T_CHECK(strstr(buf_cstr(&b), "x [...]\r\n"));
    output_alert_unref(a);
    buf_fini(&b);
}

static void queue_drops_oldest(void)
{
    struct output_queue q;
    T_EQ_INT(output_queue_init(&q, 3), 0);
    int v[5];
    T_CHECK(output_queue_push(&q, &v[0]) == NULL);
    T_CHECK(output_queue_push(&q, &v[1]) == NULL);
    T_CHECK(output_queue_push(&q, &v[2]) == NULL);
    T_CHECK(output_queue_push(&q, &v[3]) == &v[0]); /* full: the oldest comes back */
    T_CHECK(output_queue_push(&q, &v[4]) == &v[1]);
    T_EQ_INT(output_queue_len(&q), 3);
    T_CHECK(output_queue_pop(&q, 0) == &v[2]);
    T_CHECK(output_queue_pop(&q, 0) == &v[3]);
    T_CHECK(output_queue_pop(&q, 0) == &v[4]);
    int64_t t0 = vtime_mono_ns();
    T_CHECK(output_queue_pop(&q, t0 + 50000000) == NULL); /* waits, then times out */
    T_CHECK(vtime_mono_ns() - t0 >= 45000000);
    T_CHECK(!output_queue_sleep(&q, vtime_mono_ns() + 1000000));
    output_queue_push(&q, &v[0]);
    output_queue_close(&q);
    T_CHECK(output_queue_sleep(&q, vtime_mono_ns() + S(10))); /* closed: no wait */
    T_CHECK(output_queue_pop(&q, -1) == &v[0]);               /* drained after close */
    T_CHECK(output_queue_pop(&q, -1) == NULL);                /* closed and empty: no wait */
    output_queue_fini(&q);
    T_CHECK(output_queue_init(&q, 0) == ERR_INVAL);
}

static int released;
static uint64_t released_count;

static void on_release(void *ctx, struct output_alert *a)
{
    (void)ctx;
    released++;
    released_count = a->count;
    output_alert_unref(a);
}

static void throttle_updates(void)
{
    struct output_throttle *t = output_throttle_new();
    T_CHECK(t);
    struct alert_row r = row("t", "10.0.0.1", NULL);
    struct output_alert *a = output_alert_new(&r), *ev;
    T_CHECK(a && output_throttle_pass(t, a, S(100), &ev) && !ev); /* new: goes */
    output_alert_unref(a);
    r.is_new = false;
    r.count = 9;
    a = output_alert_new(&r);
    T_CHECK(!output_throttle_pass(t, a, S(110), &ev)); /* an update 10 s later: held */
    output_alert_unref(a);
    r.count = 10;
    a = output_alert_new(&r);
    T_CHECK(!output_throttle_pass(t, a, S(130), &ev)); /* replaces the held one */
    output_alert_unref(a);
    T_EQ_INT(output_throttle_held(t), 1);
    released = 0;
    output_throttle_due(t, S(159), false, on_release, NULL);
    T_EQ_INT(released, 0);
    output_throttle_due(t, S(160), false, on_release, NULL); /* the minute is over */
    T_EQ_INT(released, 1);
    T_EQ_INT(released_count, 10); /* the latest state */
    T_EQ_INT(output_throttle_held(t), 0);
    r.count = 11;
    a = output_alert_new(&r);
    T_CHECK(!output_throttle_pass(t, a, S(170), &ev)); /* released at 160: held again */
    output_alert_unref(a);
    r.count = 12;
    a = output_alert_new(&r);
    T_CHECK(output_throttle_pass(t, a, S(221), &ev)); /* more than a minute: goes */
    output_alert_unref(a);
    T_EQ_INT(output_throttle_held(t), 0); /* and the held one is dropped */
    /* another alert is independent; an update of an alert never seen goes at once */
    r.id = 77;
    a = output_alert_new(&r);
    T_CHECK(output_throttle_pass(t, a, S(222), &ev));
    output_alert_unref(a);
    r.count = 13;
    a = output_alert_new(&r);
    T_CHECK(!output_throttle_pass(t, a, S(223), &ev));
    output_alert_unref(a);
    released = 0;
    output_throttle_due(t, S(224), true, on_release, NULL); /* at stop: all */
    T_EQ_INT(released, 1);
    /* a full set hands back its held update rather than losing it */
    r.count = 14;
    a = output_alert_new(&r);
    T_CHECK(!output_throttle_pass(t, a, S(225), &ev));
    output_alert_unref(a);
    int evicted = 0;
    for (uint64_t id = 1000; id < 1000 + 4 * OUTPUT_THROTTLE_SETS && !evicted; id++) {
        r.id = id;
        r.is_new = true;
        a = output_alert_new(&r);
        T_CHECK(output_throttle_pass(t, a, S(226), &ev));
        output_alert_unref(a);
        if (ev) {
            evicted++;
            T_EQ_INT(ev->id, 77);
            output_alert_unref(ev);
        }
    }
    T_EQ_INT(evicted, 1);
    output_throttle_free(t);
}

static int load(const char *yaml, struct output_cfg **o, size_t *n, char *err, size_t errlen)
{
    struct cfg_node *root = NULL;
    *o = NULL;
    *n = 0;
    err[0] = 0;
    int rc = cfg_parse(yaml, strlen(yaml), 1000, &root, err, errlen);
    if (rc)
        return rc;
    rc = output_config_load(cfg_get(root, "outputs"), "v.yaml", o, n, err, errlen);
    cfg_free(root);
    return rc;
}

static void config_loads(void)
{
    struct output_cfg *o;
    size_t n;
    char err[512];
    int rc = load("outputs:\n"
                  "  - type: webhook\n"
                  "    url: http://127.0.0.1:9000/hook\n"
                  "    min_level: medium\n"
                  "    headers: {Authorization: \"Bearer x\"}\n"
                  "  - type: syslog\n"
                  "    address: 127.0.0.1:514\n"
                  "    protocol: tcp\n"
                  "  - type: email\n"
                  "    url: smtp://127.0.0.1:2525\n"
                  "    from: vigil@example.com\n"
                  "    to: [soc@example.com]\n"
                  "    min_level: high\n"
                  "    on_update: true\n"
                  "    retry: [1s, 500ms]\n"
                  "    max_queue: 5\n"
                  "  - type: syslog\n"
                  "    address: \"[::1]:514\"\n",
                  &o, &n, err, sizeof err);
    if (rc)
        t_fail(__FILE__, __LINE__, "%s", err);
    T_EQ_INT(rc, 0);
    T_EQ_INT(n, 4);
    T_EQ_STR(o[0].name, "webhook");
    T_EQ_INT(o[0].min_level, 2);
    T_EQ_INT(o[0].nheaders, 1);
    T_EQ_STR(o[0].headers[0], "Authorization: Bearer x");
    T_EQ_INT(o[0].max_queue, 10000);
    T_EQ_INT(o[0].nretries, 3);
    T_EQ_INT(o[0].retry_ns[2], S(30));
    T_EQ_INT(o[0].timeout_ns, S(10));
    T_CHECK(!o[0].on_update);
    T_CHECK(o[1].tcp && !o[1].rfc3164 && o[1].facility == 16);
    T_EQ_STR(o[1].name, "syslog");
    T_EQ_STR(o[3].name, "syslog2");
    T_EQ_INT(o[2].min_level, 3);
    T_CHECK(o[2].on_update);
    T_EQ_INT(o[2].nretries, 2);
    T_EQ_INT(o[2].retry_ns[1], 500000000);
    T_EQ_INT(o[2].max_queue, 5);
    T_EQ_INT(o[2].nto, 1);
    output_config_free(o, n);
}

static void config_refuses(void)
{
    static const struct {
        const char *yaml, *msg;
    } bad[] = {
        {"outputs:\n  - type: pager\n", "v.yaml:2: type: expected webhook, syslog or email"},
        {"outputs:\n  - type: webhook\n", "v.yaml:2: a webhook output needs a url"},
        {"outputs:\n  - type: webhook\n    url: ftp://x/\n", "v.yaml:3: url: a webhook needs"},
        {"outputs:\n  - type: webhook\n    url: http://x/\n    address: a:1\n",
         "v.yaml:4: unknown key 'address' for an output of type webhook"},
        {"outputs:\n  - type: webhook\n    url: http://x/\n    headers: {\"Bad Name\": x}\n",
         "v.yaml:4: headers: 'Bad Name' is not a header name"},
        {"outputs:\n  - type: webhook\n    url: http://x/\n    headers: {X: \"a\\r\\nB: c\"}\n",
         "v.yaml:4: headers.X: expected a value without control characters"},
        {"outputs:\n  - type: webhook\n    url: http://x/\n    min_level: severe\n",
         "v.yaml:4: min_level: expected informational"},
        {"outputs:\n  - type: syslog\n    address: 127.0.0.1\n", "v.yaml:3: address: expected"},
        {"outputs:\n  - type: syslog\n    address: h:1\n    protocol: sctp\n",
         "v.yaml:4: protocol: expected udp or tcp"},
        {"outputs:\n  - type: email\n    url: smtp://h\n    from: a@b\n",
         "v.yaml:2: an email output needs from and to"},
        {"outputs:\n  - type: email\n    url: smtp://h\n    from: a@b\n    to: [\"x>@y\"]\n",
         "v.yaml:5: to: 'x>@y' is not an e-mail address"},
        {"outputs:\n  - type: email\n    url: smtp://h\n    from: a@b\n    to: c@d\n"
         "    username: u\n",
         "v.yaml:2: an email output needs both username and password"},
        {"outputs:\n  - type: syslog\n    address: h:1\n    retry: [2h]\n",
         "v.yaml:4: retry: expected a duration"},
        {"outputs:\n  - type: syslog\n    address: h:1\n    max_queue: 0\n",
         "v.yaml:4: max_queue: expected a whole number from 1 to 1000000"},
        {"outputs:\n  - {type: syslog, address: \"h:1\", name: a}\n"
         "  - {type: syslog, address: \"h:2\", name: a}\n",
         "v.yaml:3: duplicate output name 'a'"},
        {"outputs: {type: syslog}\n", "v.yaml:1: outputs: expected a list of outputs"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct output_cfg *o;
        size_t n;
        char err[512];
        int rc = load(bad[i].yaml, &o, &n, err, sizeof err);
        output_config_free(o, n);
        if (rc != ERR_INVAL || strncmp(err, bad[i].msg, strlen(bad[i].msg)) != 0) {
            t_fail(__FILE__, __LINE__, "case %zu: rc %d, '%s' (want '%s')", i, rc, err, bad[i].msg);
            return;
        }
    }
}

/* vigil.yaml's loader (src/ingest/config.c) hands `outputs:` to out_config.c and frees it. */
static void daemon_config(void)
{
    static const char ok[] = "data_dir: /tmp/x\noutputs:\n"
                             "  - {type: syslog, address: \"127.0.0.1:514\"}\n";
    struct ingest_config c;
    ingest_config_defaults(&c);
    char err[512] = "";
    T_EQ_INT(ingest_config_load("vigil.yaml", ok, sizeof ok - 1, &c, err, sizeof err), 0);
    T_EQ_INT(c.noutputs, 1);
    T_EQ_STR(c.outputs[0].name, "syslog");
    ingest_config_fini(&c);
    T_CHECK(c.outputs == NULL && c.noutputs == 0);
    static const char bad[] = "data_dir: /tmp/x\noutputs:\n  - type: syslog\n    addr: x\n";
    ingest_config_defaults(&c);
    T_EQ_INT(ingest_config_load("vigil.yaml", bad, sizeof bad - 1, &c, err, sizeof err), ERR_INVAL);
    T_EQ_STR(err, "vigil.yaml:4: unknown key 'addr' for an output of type syslog");
    ingest_config_fini(&c);
}

/* Filtering and counting through a real set whose receiver does not exist: a UDP syslog
 * output "sends" (UDP cannot tell), a TCP one to a closed port fails after its retries;
 * the min_level filter and the queue's cap count as they should. */
static void set_filters_and_counts(void)
{
    struct output_cfg *o;
    size_t n;
    char err[512];
    int rc = load("outputs:\n"
                  "  - {type: syslog, name: udp, address: \"127.0.0.1:9\", min_level: high}\n"
                  "  - {type: syslog, name: tcp, address: \"127.0.0.1:1\", protocol: tcp,"
                  " retry: [10ms], timeout: 1s}\n"
                  "  - {type: syslog, name: upd, address: \"127.0.0.1:9\", on_update: true}\n",
                  &o, &n, err, sizeof err);
    T_EQ_INT(rc, 0);
    struct output_set *s;
    rc = output_set_new(o, n, &s, err, sizeof err);
    T_EQ_INT(rc, 0);
    struct alert_row rows[3] = {row("a", "10.0.0.1", NULL), row("b", "10.0.0.2", NULL),
                                row("c", "10.0.0.3", NULL)};
    rows[1].rule_level = "medium";
    rows[1].id = 98;
    rows[2].is_new = false;
    rows[2].id = 99;
    size_t skip[1] = {0};
    output_set_push(s, rows, 3, skip, 0);
    output_set_push(s, rows, 1, skip, 1); /* row 0 skipped: found closed */
    struct output_stats st[3];
    int64_t deadline = vtime_mono_ns() + S(10);
    do {
        for (size_t i = 0; i < 3; i++)
            output_set_stats(s, i, &st[i]);
        if (st[0].sent == 1 && st[1].failed == 2 && st[2].sent == 3)
            break;
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    } while (vtime_mono_ns() < deadline);
    T_EQ_INT(st[0].sent, 1); /* only the high one */
    T_EQ_INT(st[1].failed, 2);
    T_EQ_INT(st[1].retries, 2);
    T_EQ_INT(st[2].sent, 3); /* new, new, and the update (never seen before: not held) */
    char line[1024];
    output_stats_line(s, line, sizeof line);
    T_CHECK(strstr(line, " output_udp_sent 1 output_udp_failed 0 output_udp_dropped 0"));
    T_CHECK(strstr(line, " output_tcp_sent 0 output_tcp_failed 2 output_tcp_dropped 0"
                         " output_tcp_retries 2"));
    output_set_stop(s, S(1));
    output_set_stop(s, S(1));
    output_set_push(s, rows, 3, NULL, 0); /* after stop: ignored */
    output_set_free(s);
    output_config_free(o, n);
    output_set_push(NULL, rows, 3, NULL, 0);
    output_set_free(NULL);
}

/* A receiver that never answers (a TCP listener nobody accepts from fills up; here: a
 * sender blocked by retries) cannot block the pusher: past max_queue the oldest alerts
 * are dropped and counted, and what is left at stop is counted too. */
static void set_never_blocks(void)
{
    struct output_cfg *o;
    size_t n;
    char err[512];
    int rc = load("outputs:\n"
                  "  - {type: syslog, name: slow, address: \"127.0.0.1:1\", protocol: tcp,"
                  " retry: [10s], max_queue: 10}\n",
                  &o, &n, err, sizeof err);
    T_EQ_INT(rc, 0);
    struct output_set *s;
    T_EQ_INT(output_set_new(o, n, &s, err, sizeof err), 0);
    struct alert_row r = row("a", "10.0.0.1", NULL);
    int64_t t0 = vtime_mono_ns();
    for (uint64_t i = 0; i < 1000; i++) {
        r.id = i + 1;
        output_set_push(s, &r, 1, NULL, 0);
    }
    T_CHECK(vtime_mono_ns() - t0 < S(1));
    struct output_stats st;
    output_set_stats(s, 0, &st);
    /* one in the sender's hands, ten queued, the rest dropped */
    T_CHECK(st.dropped >= 989 && st.queued <= 10);
    t0 = vtime_mono_ns();
    output_set_stop(s, 200000000); /* the 10 s pause is cut to the drain */
    T_CHECK(vtime_mono_ns() - t0 < S(3));
    output_set_stats(s, 0, &st);
    T_EQ_INT(st.sent + st.failed + st.dropped, 1000);
    T_EQ_INT(st.queued, 0);
    output_set_free(s);
    output_config_free(o, n);
}

int main(void)
{
    log_set_level(LOG_ERROR);
    t_run("output: CEF record of an alert", cef_plain);
    t_run("output: CEF escaping of header and extension", cef_escaping);
    t_run("output: JSON rendering and escaping", json_escaping);
    t_run("output: the copy keeps every byte of an entity", copy_keeps_bytes);
    t_run("output: syslog RFC 5424 and RFC 3164 headers", syslog_headers);
    t_run("output: e-mail headers cannot be injected; RFC 2047; line lengths", email_headers_safe);
    t_run("output: bounded queue drops the oldest at the cap", queue_drops_oldest);
    t_run("output: updates at most once a minute per alert", throttle_updates);
    t_run("output: config loads with defaults", config_loads);
    t_run("output: config refuses bad values with FILE:LINE", config_refuses);
    t_run("output: vigil.yaml's loader takes outputs:", daemon_config);
    t_run("output: set filters by level and update, counts sent and failed",
          set_filters_and_counts);
    t_run("output: set never blocks the writer; drops counted", set_never_blocks);
    return t_done();
}
