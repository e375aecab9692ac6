/*
 * enrich_event.c — an event's addresses looked up in the asset inventory (enrich.h), the
 * entry's attributes added as fields (fields.def "enrichment") so that rules, search and
 * the alert stage's risk see them.
 */
#include "enrich/enrich.h"
#include "event/event.h"

static const char *const digits[] = {"0", "1", "2", "3", "4", "5"};

static void add(const struct asset *x, struct event *ev, uint16_t name, uint16_t value,
                uint16_t reg, uint16_t tag)
{
    if (x->name[0])
        event_add(ev, name, slice_cstr(x->name));
    event_add(ev, value, slice_cstr(digits[x->value >= 0 && x->value <= 5 ? x->value : 0]));
    event_add(ev, reg, slice_cstr(x->registered ? "true" : "false"));
    for (unsigned i = 0; i < x->ntags; i++)
        event_add(ev, tag, slice_cstr(x->tags[i]));
}

/* See enrich.h. */
void assets_enrich(const struct assets *a, struct event *ev)
{
    if (!a)
        return;
    struct slice ip;
    const struct asset *x;
    if (event_get(ev, FIELD_src_ip, &ip) && (x = assets_lookup(a, ip)))
        add(x, ev, FIELD_src_asset, FIELD_src_asset_value, FIELD_src_asset_registered,
            FIELD_src_asset_tag);
    if (event_get(ev, FIELD_dst_ip, &ip) && (x = assets_lookup(a, ip)))
        add(x, ev, FIELD_dst_asset, FIELD_dst_asset_value, FIELD_dst_asset_registered,
            FIELD_dst_asset_tag);
    if (event_get(ev, FIELD_host, &ip) && (x = assets_lookup_name(a, ip))) {
        event_add(ev, FIELD_host_asset, slice_cstr(x->name));
        event_add(ev, FIELD_host_asset_value,
                  slice_cstr(digits[x->value >= 0 && x->value <= 5 ? x->value : 0]));
        for (unsigned i = 0; i < x->ntags; i++)
            event_add(ev, FIELD_host_asset_tag, slice_cstr(x->tags[i]));
    }
    /* a terminal seen by DHCP or ARP: registered or not, also when no entry holds it */
    if (event_get(ev, FIELD_ip, &ip)) {
        x = assets_lookup(a, ip);
        if (x && x->name[0])
            event_add(ev, FIELD_ip_asset, slice_cstr(x->name));
        event_add(ev, FIELD_ip_registered, slice_cstr(x && x->registered ? "true" : "false"));
    }
}
