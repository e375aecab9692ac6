/*
 * event_json.c — renders an event as one JSON object (for `vigil parse`, search
 * results and the API). Field order is the decoder's; a repeated field becomes an
 * array at the place of its first occurrence. Output is always valid JSON, whatever
 * bytes the record held (see buf_json_str).
 */
#include "event/event.h"

#include <inttypes.h>

static const char *const flag_names[] = {
    "truncated", "generic", "malformed", "converted", "bad_utf8", "time_received",
    "fields_dropped", "time_skewed",
};

static void put_kv_str(struct buf *b, const char *key, struct slice v)
{
    buf_printf(b, ",\"%s\":\"", key);
    buf_json_str(b, v.p, v.len);
    buf_putc(b, '"');
}

static void put_time(struct buf *b, const char *key, int64_t ns)
{
    char ts[48];
    vtime_format(ns, ts, sizeof ts);
    buf_printf(b, ",\"%s\":\"%s\"", key, ts);
}

static bool same_name(const struct event_field *a, const struct event_field *b)
{
    if (a->id != b->id)
        return false;
    return a->id != FIELD_EXTRA || slice_eqs(a->name, b->name);
}

int event_fields_json(const struct event *ev, struct buf *b)
{
    buf_putc(b, '{');
    bool first = true;
    for (unsigned i = 0; i < ev->nfields; i++) {
        const struct event_field *f = &ev->fields[i];
        bool seen = false;
        unsigned repeats = 0;
        for (unsigned j = 0; j < i && !seen; j++)
            seen = same_name(&ev->fields[j], f);
        if (seen)
            continue;
        for (unsigned j = i + 1; j < ev->nfields; j++)
            repeats += same_name(&ev->fields[j], f);
        struct slice name = event_field_name(f);
        if (!first)
            buf_putc(b, ',');
        first = false;
        buf_putc(b, '"');
        buf_json_str(b, name.p, name.len);
        buf_puts(b, "\":");
        if (repeats)
            buf_putc(b, '[');
        bool first_v = true;
        for (unsigned j = i; j < ev->nfields; j++) {
            if (j != i && !same_name(&ev->fields[j], f))
                continue;
            if (!first_v)
                buf_putc(b, ',');
            first_v = false;
            buf_putc(b, '"');
            buf_json_str(b, ev->fields[j].value.p, ev->fields[j].value.len);
            buf_putc(b, '"');
        }
        if (repeats)
            buf_putc(b, ']');
    }
    buf_putc(b, '}');
    return b->err;
}

int event_to_json(const struct event *ev, struct buf *b)
{
    buf_printf(b, "{\"id\":\"%016" PRIx64 "\"", ev->id);
    put_time(b, "time", ev->time_ns);
    put_time(b, "received", ev->received_ns);
    buf_puts(b, ",\"routes\":[");
    bool first = true;
    for (int r = 0; r < ROUTE_COUNT; r++) {
        if (!(ev->routes & ROUTE_BIT(r)))
            continue;
        buf_printf(b, "%s\"%s\"", first ? "" : ",", route_table[r].name);
        first = false;
    }
    buf_putc(b, ']');
    put_kv_str(b, "decoder", slice_cstr(ev->decoder ? ev->decoder : "generic"));
    if (ev->input.len)
        put_kv_str(b, "input", ev->input);
    if (ev->peer.len)
        put_kv_str(b, "peer", ev->peer);
    if (ev->flags) {
        buf_puts(b, ",\"flags\":[");
        first = true;
        for (unsigned i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++) {
            if (!(ev->flags & (1u << i)))
                continue;
            buf_printf(b, "%s\"%s\"", first ? "" : ",", flag_names[i]);
            first = false;
        }
        buf_putc(b, ']');
    }
    buf_puts(b, ",\"fields\":");
    event_fields_json(ev, b);
    put_kv_str(b, "raw", ev->raw);
    buf_putc(b, '}');
    return b->err;
}
