/*
 * test_dec_web.c — what the golden files of the web decoders cannot show (they are one
 * source, one event at a time): W3C columns kept per source and evicted at the table's
 * cap, column names of an event surviving a later #Fields line of its source, and the
 * access → error-log fallback for forced formats.
 */
#include "core/core.h"
#include "decode/decode.h"
#include "event/event.h"
#include "testlib.h"

#include <stdio.h>
#include <string.h>

static struct decode_ctx *ctx;
static struct arena arena;
static struct event ev, ev2;
static const int64_t RECV = 1732579200LL * NS_PER_SEC; /* 2024-11-26T00:00:00Z */

static void dec(struct decode_source *s, struct event *e, const char *line)
{
    memset(e, 0, sizeof *e);
    decode_record(ctx, s, &arena, line, strlen(line), RECV, e);
}

#define CUSTOM_FIELDS "#Fields: date time c-ip cs-method cs-uri-stem x-custom sc-status"
#define CUSTOM_ROW "2024-11-25 10:00:00 203.0.113.5 GET /a foo 200"
#define IIS_ROW "2024-11-25 10:00:00 10.0.0.1 GET /b - 80 - 192.0.2.1 curl/8 - 404 0 0 1"

static void w3c_per_source(void)
{
    struct decode_source a = {0}, b = {0};
    arena_reset(&arena);
    dec(&a, &ev, CUSTOM_FIELDS);
    T_EQ_STR(ev.decoder, "w3c");
    T_EQ_STR(t_field(&ev, "directive"), "Fields");
    T_CHECK(ev.routes == ROUTE_BIT(ROUTE_generic));
    dec(&a, &ev, CUSTOM_ROW);
    T_EQ_STR(ev.decoder, "w3c");
    T_EQ_STR(t_field(&ev, "x-custom"), "foo");
    T_EQ_STR(t_field(&ev, "c-ip"), "203.0.113.5");
    T_CHECK(ev.routes & ROUTE_BIT(ROUTE_webserver));
    /* b saw no #Fields: IIS's default columns; a's custom row is not one of b's */
    dec(&b, &ev, IIS_ROW);
    T_EQ_STR(ev.decoder, "w3c");
    T_EQ_STR(t_field(&ev, "c-ip"), "192.0.2.1");
    T_EQ_STR(t_field(&ev, "sc-status"), "404");
    dec(&b, &ev, CUSTOM_ROW);
    T_CHECK(strcmp(ev.decoder, "w3c") != 0);
}

static void w3c_eviction(void)
{
    struct decode_source s[12];
    memset(s, 0, sizeof s);
    arena_reset(&arena);
    for (int i = 0; i < 12; i++)
        dec(&s[i], &ev, CUSTOM_FIELDS);
    /* the table holds 8 sources: the 4 oldest lost their columns, the newest kept them */
    dec(&s[0], &ev, CUSTOM_ROW);
    T_CHECK(strcmp(ev.decoder, "w3c") != 0);
    dec(&s[0], &ev, IIS_ROW);
    T_EQ_STR(ev.decoder, "w3c");
    dec(&s[11], &ev, CUSTOM_ROW);
    T_EQ_STR(ev.decoder, "w3c");
    T_EQ_STR(t_field(&ev, "x-custom"), "foo");
}

static void w3c_names_outlive_fields_line(void)
{
    struct decode_source a = {0};
    arena_reset(&arena);
    dec(&a, &ev, CUSTOM_FIELDS);
    dec(&a, &ev, CUSTOM_ROW);
    /* a new #Fields line for the same source overwrites the table entry's text */
    dec(&a, &ev2, "#Fields: date time s-ip xxxxxxxx yyyyyyyy zzzzzzzzzz");
    T_EQ_STR(t_field(&ev, "x-custom"), "foo");
    T_EQ_STR(t_field(&ev, "cs-uri-stem"), "/a");
}

static void error_log_fallback(void)
{
    struct decode_source s = {0};
    arena_reset(&arena);
    const char *err = "[Mon Nov 25 10:00:00 2024] [error] [client 1.2.3.4] File does not exist: /x";
    s.format = "apache";
    dec(&s, &ev, err);
    T_EQ_STR(ev.decoder, "weberror");
    T_EQ_STR(t_field(&ev, "c-ip"), "1.2.3.4");
    T_EQ_STR(t_field(&ev, "src_ip"), "1.2.3.4"); /* the webserver alias */
    s.format = "access";                         /* the access decoder alone */
    dec(&s, &ev, err);
    T_CHECK(ev.flags & EVF_GENERIC);
    s.format = NULL;
    dec(&s, &ev, "<11>Nov 25 10:00:00 web apache2: 2024/11/25 10:00:00 [error] 1#1: oops");
    T_EQ_STR(ev.decoder, "weberror"); /* the nginx form under Apache's name: by its bytes */
    T_CHECK(ev.routes & ROUTE_BIT(ROUTE_nginx));
    dec(&s, &ev,
        "<11>Nov 25 10:00:00 px squid[1]: 1732528800.123 5 10.0.0.1 TCP_MISS/200 1 GET "
        "http://e.com/ - HIER_DIRECT/1.2.3.4 -");
    T_EQ_STR(ev.decoder, "squid");
    T_CHECK(ev.routes & ROUTE_BIT(ROUTE_proxy));
    T_CHECK(ev.routes & ROUTE_BIT(ROUTE_squid));
}

int main(void)
{
    field_registry_init();
    if (decode_ctx_new(&ctx))
        return 1;
    arena_init(&arena, 64 * 1024, 16 * 1024 * 1024);
    t_run("w3c_per_source", w3c_per_source);
    t_run("w3c_eviction", w3c_eviction);
    t_run("w3c_names_outlive_fields_line", w3c_names_outlive_fields_line);
    t_run("web_error_log_fallback", error_log_fallback);
    arena_fini(&arena);
    decode_ctx_free(ctx);
    return t_done();
}
