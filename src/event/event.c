/*
 * event.c — filling and reading an event: fields by id or by name, alias resolution
 * (a route's rules may ask for `src_ip` where the source says `c-ip`), route names.
 */
#include "event/event.h"

#include <stddef.h>
#include <string.h>

_Static_assert(ROUTE_COUNT <= 128, "routes are a 128-bit set (route_set)");

void event_reset(struct event *ev)
{
    /* The field array is not cleared: nfields bounds what is read. */
    memset(ev, 0, offsetof(struct event, fields));
}

int event_add(struct event *ev, uint16_t id, struct slice value)
{
    if (ev->nfields >= EVENT_MAX_FIELDS) {
        ev->flags |= EVF_FIELDS_DROPPED;
        return ERR_FULL;
    }
    struct event_field *f = &ev->fields[ev->nfields++];
    f->id = id;
    f->name = SLICE_NULL;
    f->value = value;
    return 0;
}

int event_add_named(struct event *ev, struct slice name, struct slice value)
{
    uint16_t id = name.len ? field_lookup(name.p, name.len) : FIELD_NONE;
    if (id != FIELD_NONE)
        return event_add(ev, id, value);
    if (name.len > EVENT_MAX_EXTRA_NAME)
        name.len = EVENT_MAX_EXTRA_NAME;
    int rc = event_add(ev, FIELD_EXTRA, value);
    if (!rc)
        ev->fields[ev->nfields - 1].name = name;
    return rc;
}

static bool get_direct(const struct event *ev, uint16_t id, struct slice *out)
{
    for (unsigned i = 0; i < ev->nfields; i++) {
        if (ev->fields[i].id == id) {
            *out = ev->fields[i].value;
            return true;
        }
    }
    return false;
}

bool event_get(const struct event *ev, uint16_t id, struct slice *out)
{
    if (id == FIELD_NONE || id == FIELD_EXTRA)
        return false;
    if (get_direct(ev, id, out))
        return true;
    if (ev->aliases)
        for (const struct field_alias *a = ev->aliases; a->alias; a++)
            if (a->alias == id && get_direct(ev, a->target, out))
                return true;
    return false;
}

bool event_get_named(const struct event *ev, struct slice name, struct slice *out)
{
    uint16_t id = field_lookup(name.p, name.len);
    if (id != FIELD_NONE)
        return event_get(ev, id, out);
    for (unsigned i = 0; i < ev->nfields; i++) {
        const struct event_field *f = &ev->fields[i];
        if (f->id == FIELD_EXTRA && slice_eqs(f->name, name)) {
            *out = f->value;
            return true;
        }
    }
    return false;
}

struct slice event_field_name(const struct event_field *f)
{
    if (f->id == FIELD_EXTRA)
        return f->name;
    return slice_cstr(field_name(f->id));
}

int event_routes_str(const struct event *ev, struct buf *b)
{
    bool first = true;
    for (int r = 0; r < ROUTE_COUNT; r++) {
        if (!(ev->routes & ROUTE_BIT(r)))
            continue;
        if (!first)
            buf_putc(b, ',');
        buf_puts(b, route_table[r].name);
        first = false;
    }
    return b->err;
}
