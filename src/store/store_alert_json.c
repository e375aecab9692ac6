/*
 * store_alert_json.c — a stored alert as JSON, the one form `vigil alerts --format jsonl`
 * and the console's API both give (store.h). Every text is escaped by buf_json_member.
 */
#include "store/store_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* A stored JSON array, or [] when the column holds anything else. */
static void put_array(struct buf *b, const char *key, const char *json)
{
    buf_printf(b, ",\"%s\":%s", key, json && json[0] == '[' ? json : "[]");
}

static void put_text(struct buf *b, const char *key, const char *s)
{
    buf_json_member(b, key, s, s ? strlen(s) : 0);
}

/* See store.h. */
void store_alert_json(struct buf *b, const struct store_alert *a)
{
    buf_printf(b, "{\"id\":\"%016" PRIx64 "\"", a->id);
    put_text(b, "rule_id", a->rule_id);
    put_text(b, "title", a->rule_title);
    put_text(b, "level", a->rule_level);
    put_array(b, "tags", a->tags_json);
    buf_json_time(b, "first_seen", a->first_seen_ns);
    buf_json_time(b, "last_seen", a->last_seen_ns);
    buf_printf(b, ",\"count\":%" PRIu64, a->count);
    buf_json_member(b, "src_ip", a->src_ip.p, a->src_ip.len);
    buf_json_member(b, "dst_ip", a->dst_ip.p, a->dst_ip.len);
    buf_json_member(b, "user", a->user.p, a->user.len);
    buf_json_member(b, "host", a->host.p, a->host.len);
    put_text(b, "asset", a->asset);
    if (a->has_risk)
        buf_printf(b, ",\"risk\":%.1f", a->risk);
    else
        buf_puts(b, ",\"risk\":null");
    put_text(b, "status", a->status);
    put_array(b, "event_ids", a->event_ids_json);
    buf_json_time(b, "created", a->created_ns);
    put_text(b, "status_reason", a->status_reason);
    put_text(b, "status_by", a->status_by);
    if (a->status_by)
        buf_json_time(b, "status_at", a->status_at_ns);
    else
        buf_puts(b, ",\"status_at\":null");
    put_text(b, "assignee", a->assignee);
    buf_putc(b, '}');
}
