/*
 * store_row_json.c — a search result row as JSON (store.h): the one form the CLI's
 * `--format jsonl` and the console's API give. Texts are escaped by buf_json_str; the
 * fields column is the JSON object the writer made.
 */
#include "store/store_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* See store.h. */
void store_row_json(struct buf *b, const struct store_row *row)
{
    buf_printf(b, "{\"id\":\"%016" PRIx64 "\"", row->id);
    buf_json_time(b, "time", row->time_ns);
    buf_json_time(b, "received", row->received_ns);
    buf_json_member(b, "host", row->host, row->host ? strlen(row->host) : 0);
    buf_json_member(b, "decoder", row->decoder, row->decoder ? strlen(row->decoder) : 0);
    buf_puts(b, ",\"routes\":[");
    const char *r = row->routes ? row->routes : "";
    bool first = true;
    while (*r) {
        const char *comma = strchr(r, ',');
        size_t n = comma ? (size_t)(comma - r) : strlen(r);
        if (n) {
            buf_printf(b, "%s\"", first ? "" : ",");
            buf_json_str(b, r, n);
            buf_putc(b, '"');
            first = false;
        }
        r += n + (comma ? 1 : 0);
    }
    buf_puts(b, "],\"fields\":");
    buf_puts(b, row->fields && row->fields[0] == '{' ? row->fields : "{}");
    buf_json_member(b, "raw", row->raw, row->raw_len);
    buf_putc(b, '}');
}
