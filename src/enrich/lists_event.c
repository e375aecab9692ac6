/*
 * lists_event.c — an event's addresses and domains looked up in the named lists
 * (lists.h), one field value per list that holds them (fields.def "named lists").
 */
#include "enrich/lists.h"
#include "event/event.h"

#include <string.h>

/* The host of an absolute URI ("http://user@host:port/path"), or an empty slice. */
static struct slice uri_host(struct slice u)
{
    const char *p = u.len > 3 ? memchr(u.p, ':', u.len < 16 ? u.len : 16) : NULL;
    if (!p || (size_t)(u.p + u.len - p) < 3 || p[1] != '/' || p[2] != '/')
        return slice_make(NULL, 0);
    const char *h = p + 3, *end = u.p + u.len, *e = h;
    while (e < end && *e != '/' && *e != '?' && *e != '#')
        e++;
    const char *at = memchr(h, '@', (size_t)(e - h));
    if (at)
        h = at + 1;
    const char *colon = memchr(h, ':', (size_t)(e - h));
    if (colon && h < e && *h != '[')
        e = colon;
    return slice_make(h, (size_t)(e - h));
}

static void addr_lists(const struct list_set *s, struct event *ev, uint16_t from, uint16_t to)
{
    struct slice v;
    struct ipbits a;
    if (!event_get(ev, from, &v) || !ip_parse(v, &a))
        return;
    for (size_t i = 0; i < s->n; i++)
        if (s->types[i] == LIST_ADDRESS && list_has_addr(s->lists[i], &a))
            event_add(ev, to, slice_cstr(s->names[i]));
}

/* See lists.h. */
void lists_enrich(const struct list_set *s, struct event *ev)
{
    if (!s || !s->n)
        return;
    addr_lists(s, ev, FIELD_src_ip, FIELD_src_ip_list);
    addr_lists(s, ev, FIELD_dst_ip, FIELD_dst_ip_list);
    static const uint16_t dom_fields[] = {FIELD_query, FIELD_dns_rrname, FIELD_cs_host,
                                          FIELD_r_dns};
    struct slice doms[6];
    size_t nd = 0;
    struct slice v;
    for (size_t i = 0; i < sizeof dom_fields / sizeof *dom_fields; i++)
        if (event_get(ev, dom_fields[i], &v) && v.len)
            doms[nd++] = v;
    if (event_get(ev, FIELD_c_uri, &v) && (v = uri_host(v)).len)
        doms[nd++] = v;
    if (event_get(ev, FIELD_cs_uri, &v) && (v = uri_host(v)).len)
        doms[nd++] = v;
    if (!nd)
        return;
    for (size_t i = 0; i < s->n; i++) {
        if (s->types[i] != LIST_DOMAIN)
            continue;
        for (size_t j = 0; j < nd; j++)
            if (list_has_domain(s->lists[i], doms[j])) {
                event_add(ev, FIELD_domain_list, slice_cstr(s->names[i]));
                break;
            }
    }
}
