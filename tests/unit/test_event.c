/*
 * test_event.c — unit tests of the event module: the field registry, adding and
 * reading fields (by id, by name, through aliases, extras), the field cap, routes and
 * the JSON rendering.
 */
#include "event/event.h"
#include "testlib.h"

#include <stdio.h>
#include <string.h>

static void registry(void)
{
    field_registry_init();
    T_EQ_INT(field_lookup("c-ip", 4), FIELD_c_ip);
    T_EQ_STR(field_name(FIELD_src_ip), "src_ip");
    T_EQ_INT(field_lookup("NoSuchField", 11), FIELD_NONE);
    uint16_t id, again;
    T_EQ_INT(field_intern("OriginalFileName", 16, &id), 0);
    T_CHECK(id >= FIELD_BUILTIN_COUNT);
    T_EQ_INT(field_intern("OriginalFileName", 16, &again), 0);
    T_EQ_INT(again, id);
    T_EQ_INT(field_lookup("OriginalFileName", 16), id);
    T_EQ_STR(field_name(id), "OriginalFileName");
    T_EQ_INT(field_intern("", 0, &id), ERR_INVAL);
}

static const struct field_alias web_aliases[] = {
    {FIELD_src_ip, FIELD_c_ip},
    {FIELD_user, FIELD_cs_username},
    {0, 0},
};

static struct event ev; /* large: keep off the stack */

static void fields_and_aliases(void)
{
    event_reset(&ev);
    ev.aliases = web_aliases;
    T_EQ_INT(event_add(&ev, FIELD_c_ip, SLICE_LIT("203.0.113.5")), 0);
    T_EQ_INT(event_add_named(&ev, SLICE_LIT("cs-method"), SLICE_LIT("GET")), 0);
    T_EQ_INT(event_add_named(&ev, SLICE_LIT("custom.key"), SLICE_LIT("v1")), 0);
    T_EQ_INT(ev.fields[2].id, FIELD_EXTRA);
    struct slice v;
    T_CHECK(event_get(&ev, FIELD_src_ip, &v)); /* through the alias */
    T_EQ_SLICE(v, "203.0.113.5");
    T_CHECK(event_get_named(&ev, SLICE_LIT("cs-method"), &v));
    T_EQ_SLICE(v, "GET");
    T_CHECK(event_get_named(&ev, SLICE_LIT("custom.key"), &v));
    T_EQ_SLICE(v, "v1");
    T_CHECK(!event_get(&ev, FIELD_user, &v)); /* alias target absent */
    T_CHECK(!event_get_named(&ev, SLICE_LIT("custom"), &v));
}

static void field_cap(void)
{
    event_reset(&ev);
    for (int i = 0; i < EVENT_MAX_FIELDS; i++)
        T_EQ_INT(event_add(&ev, FIELD_message, SLICE_LIT("x")), 0);
    T_EQ_INT(event_add(&ev, FIELD_message, SLICE_LIT("x")), ERR_FULL);
    T_CHECK(ev.flags & EVF_FIELDS_DROPPED);
    T_EQ_INT(ev.nfields, EVENT_MAX_FIELDS);
}

static void routes(void)
{
    T_EQ_INT(route_by_name("linux/sshd"), ROUTE_linux_sshd);
    T_EQ_STR(route_table[ROUTE_linux_sshd].service, "sshd");
    T_EQ_INT(route_by_name("nope"), -1);
    event_reset(&ev);
    ev.routes = ROUTE_BIT(ROUTE_linux) | ROUTE_BIT(ROUTE_linux_sshd);
    struct buf b;
    buf_init(&b, 0);
    event_routes_str(&ev, &b);
    T_EQ_STR(buf_cstr(&b), "linux,linux/sshd");
    buf_fini(&b);
}

static void json_rendering(void)
{
    event_reset(&ev);
    ev.id = 0xabcdef;
    ev.time_ns = 1709208000LL * NS_PER_SEC;
    ev.received_ns = ev.time_ns + NS_PER_SEC;
    ev.routes = ROUTE_BIT(ROUTE_webserver);
    ev.decoder = "apache";
    ev.flags = EVF_TRUNCATED | EVF_BAD_UTF8;
    ev.raw = SLICE_LIT("GET /\"x\xff");
    event_add(&ev, FIELD_cs_method, SLICE_LIT("GET"));
    event_add_named(&ev, SLICE_LIT("tag"), SLICE_LIT("a"));
    event_add(&ev, FIELD_host, SLICE_LIT("web01"));
    event_add_named(&ev, SLICE_LIT("tag"), SLICE_LIT("b"));
    struct buf b;
    buf_init(&b, 0);
    T_EQ_INT(event_to_json(&ev, &b), 0);
    T_EQ_STR(buf_cstr(&b),
             "{\"id\":\"0000000000abcdef\",\"time\":\"2024-02-29T12:00:00.000000000Z\","
             "\"received\":\"2024-02-29T12:00:01.000000000Z\",\"routes\":[\"webserver\"],"
             "\"decoder\":\"apache\",\"flags\":[\"truncated\",\"bad_utf8\"],"
             "\"fields\":{\"cs-method\":\"GET\",\"tag\":[\"a\",\"b\"],\"host\":\"web01\"},"
             "\"raw\":\"GET /\\\"x\\u00ff\"}");
    buf_fini(&b);
}

int main(void)
{
    t_run("registry", registry);
    t_run("fields_and_aliases", fields_and_aliases);
    t_run("field_cap", field_cap);
    t_run("routes", routes);
    t_run("json_rendering", json_rendering);
    return t_done();
}
