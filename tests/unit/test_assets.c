/*
 * test_assets.c — the asset inventory (src/enrich): YAML and CSV forms, longest-prefix
 * lookups over IPv4, IPv6 and IPv4-mapped addresses, the errors an operator gets for a
 * bad file (with its line), the fields an event gains, and the risk score of a hit.
 */
#include "alert/alert.h"
#include "core/core.h"
#include "enrich/enrich.h"
#include "event/event.h"
#include "testlib.h"

#include <stdio.h>
#include <string.h>

static const char *const yaml = "assets:\n"
                                "  - address: 10.0.0.0/8\n"
                                "    name: corp\n"
                                "    value: 1\n"
                                "    registered: true\n"
                                "  - address: 10.1.0.0/16\n"
                                "    name: datacenter\n"
                                "    owner: ops\n"
                                "    department: IT\n"
                                "    value: 3\n"
                                "    registered: true\n"
                                "  - address: 10.1.2.3\n"
                                "    name: jump01\n"
                                "    value: 5\n"
                                "    registered: true\n"
                                "    tags: [bastion, linux]\n"
                                "  - address: 2001:db8::/32\n"
                                "    name: v6net\n"
                                "    value: 2\n"
                                "  - address: 2001:db8::42/128\n"
                                "    name: v6host\n"
                                "    value: 4\n";

static const char *name_of(const struct assets *a, const char *ip)
{
    const struct asset *x = assets_lookup(a, slice_cstr(ip));
    return x ? x->name : "(none)";
}

static void longest_prefix(void)
{
    struct assets *a = NULL;
    char err[256];
    T_CHECK(assets_load_text("a.yaml", yaml, strlen(yaml), false, &a, err, sizeof err) == 0);
    T_EQ_INT(assets_count(a), 5);
    T_EQ_STR(name_of(a, "10.1.2.3"), "jump01");
    T_EQ_STR(name_of(a, "10.1.2.4"), "datacenter");
    T_EQ_STR(name_of(a, "10.200.0.1"), "corp");
    T_EQ_STR(name_of(a, "11.0.0.1"), "(none)");
    T_EQ_STR(name_of(a, "::ffff:10.1.2.3"), "jump01"); /* IPv4-mapped */
    T_EQ_STR(name_of(a, "2001:db8::42"), "v6host");
    T_EQ_STR(name_of(a, "2001:db8::43"), "v6net");
    T_EQ_STR(name_of(a, "2001:db9::1"), "(none)");
    T_EQ_STR(name_of(a, "not an address"), "(none)");
    T_EQ_STR(name_of(a, ""), "(none)");
    const struct asset *j = assets_lookup(a, slice_cstr("10.1.2.3"));
    T_CHECK(j && j->value == 5 && j->registered && asset_has_tag(j, "bastion") &&
            !asset_has_tag(j, "dmz"));
    const struct asset *d = assets_lookup(a, slice_cstr("10.1.9.9"));
    T_CHECK(d && !strcmp(d->owner, "ops") && !strcmp(d->department, "IT"));
    T_CHECK(assets_lookup(NULL, slice_cstr("10.1.2.3")) == NULL);
    assets_free(a);
}

static void csv_form(void)
{
    const char *csv =
        "address,name,value,registered,tags,owner\r\n"
        "192.168.1.10,\"printer, 2nd floor\",1,yes,\"office;printer\",\"O\"\"Brien\"\r\n"
        "\r\n"
        "192.168.1.0/24,office,2,no,,\n"
        "192.168.1.20,,0,,,\n";
    struct assets *a = NULL;
    char err[256] = "";
    T_CHECK(assets_load_text("a.csv", csv, strlen(csv), true, &a, err, sizeof err) == 0);
    T_EQ_INT(assets_count(a), 3);
    const struct asset *p = assets_lookup(a, slice_cstr("192.168.1.10"));
    T_CHECK(p);
    T_EQ_STR(p->name, "printer, 2nd floor");
    T_EQ_STR(p->owner, "O\"Brien");
    T_EQ_INT(p->ntags, 2);
    T_EQ_STR(p->tags[1], "printer");
    T_CHECK(p->registered);
    const struct asset *o = assets_lookup(a, slice_cstr("192.168.1.99"));
    T_CHECK(o && !o->registered && o->value == 2);
    const struct asset *n = assets_lookup(a, slice_cstr("192.168.1.20"));
    T_CHECK(n && n->value == 0 && !strcmp(n->name, ""));
    assets_free(a);
}

static void bad_files_say_where(void)
{
    static const struct {
        bool csv;
        const char *text, *want;
    } cases[] = {
        {false, "assets:\n  - address: 10.0.0.300\n", "a:2: '10.0.0.300' is not an IPv4"},
        {false, "assets:\n  - address: 10.0.0.1\n    value: 7\n", "a:3: value must be 0 to 5"},
        {false, "assets:\n  - address: 10.0.0.1\n  - address: 10.0.0.1\n", "listed twice"},
        {false, "assets:\n  - address: 10.0.0.1\n    colour: red\n", "unknown key 'colour'"},
        {false, "assets:\n  - name: x\n", "needs an address"},
        {false, "hosts: []\n", "expected 'assets:'"},
        {false, "assets:\n  - address: 10.0.0.0/33\n", "not an IPv4"},
        {true, "address,name\n10.0.0.1,\"open\n", "unclosed quote"},
        {true, "address,name\n10.0.0.1,a,b\n", "more fields than the header"},
        {true, "", "expected a header"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct assets *a = NULL;
        char err[256] = "";
        int rc = assets_load_text("a", cases[i].text, strlen(cases[i].text), cases[i].csv, &a, err,
                                  sizeof err);
        if (rc == 0 || a || !strstr(err, cases[i].want))
            t_fail(__FILE__, __LINE__, "case %zu: rc %d, err '%s', want '%s'", i, rc, err,
                   cases[i].want);
        assets_free(a);
    }
}

static void event_gains_fields(void)
{
    struct assets *a = NULL;
    char err[256];
    T_CHECK(assets_load_text("a.yaml", yaml, strlen(yaml), false, &a, err, sizeof err) == 0);
    struct event ev;
    event_reset(&ev);
    event_add(&ev, FIELD_src_ip, slice_cstr("203.0.113.9"));
    event_add(&ev, FIELD_dst_ip, slice_cstr("10.1.2.3"));
    assets_enrich(a, &ev);
    T_EQ_STR(t_field(&ev, "dst_asset"), "jump01");
    T_EQ_STR(t_field(&ev, "dst_asset_value"), "5");
    T_EQ_STR(t_field(&ev, "dst_asset_registered"), "true");
    T_EQ_STR(t_field(&ev, "dst_asset_tag"), "bastion");
    T_EQ_STR(t_field(&ev, "src_asset"), "(none)");
    /* the sending device by its name (case-insensitive; an FQDN's first label) */
    struct event h;
    event_reset(&h);
    event_add(&h, FIELD_host, slice_cstr("JUMP01.corp.example.com"));
    assets_enrich(a, &h);
    T_EQ_STR(t_field(&h, "host_asset"), "jump01");
    T_EQ_STR(t_field(&h, "host_asset_value"), "5");
    T_EQ_STR(t_field(&h, "host_asset_tag"), "bastion");
    T_CHECK(assets_lookup_name(a, slice_cstr("v6ne")) == NULL);
    T_CHECK(assets_lookup_name(a, slice_cstr("datacenter")) != NULL);
    T_CHECK(assets_lookup_name(a, slice_cstr("nosuch")) == NULL);
    unsigned tags = 0;
    for (unsigned i = 0; i < ev.nfields; i++)
        tags += ev.fields[i].id == FIELD_dst_asset_tag;
    T_EQ_INT(tags, 2);
    assets_free(a);
}

static void risk_formula(void)
{
    /* value x priority x reliability / 25 */
    double r = alert_risk("critical", "stable", 5, false); /* 5 x 5 x 8 / 25 */
    T_CHECK(r > 7.99 && r < 8.01);
    r = alert_risk("critical", "stable", 5, true); /* reliability 10: the top */
    T_CHECK(r > 9.99 && r <= 10.0);
    r = alert_risk("high", NULL, ASSET_DEFAULT_VALUE, true); /* 2 x 4 x 7 / 25 */
    T_CHECK(r > 2.23 && r < 2.25);
    r = alert_risk("informational", "experimental", 0, false);
    T_CHECK(r == 0.0);
    r = alert_risk("low", "deprecated", 3, false); /* 3 x 2 x 2 / 25 */
    T_CHECK(r > 0.47 && r < 0.49);
    r = alert_risk("nonsense", "nonsense", 9, true); /* medium, 5+2, value capped at 5 */
    T_CHECK(r > 4.19 && r < 4.21);
}

int main(void)
{
    field_registry_init();
    t_run("assets: longest prefix over IPv4, IPv6 and mapped addresses", longest_prefix);
    t_run("assets: the CSV form with quoted fields and blank lines", csv_form);
    t_run("assets: a bad inventory names its line and reason", bad_files_say_where);
    t_run("assets: an event gains its addresses' and its host's asset fields", event_gains_fields);
    t_run("risk: value x priority x reliability / 25, at most 10", risk_formula);
    return t_done();
}
