/*
 * cmd_decoders.c — `vigil decoders`: the routing table as the code has it
 * (decode_route_info): each decoder output, the Sigma logsources (routes) its events
 * belong to, and the field aliases those routes' rules read; then the Windows rows by
 * channel and by (channel, event id). A table for people, or JSON lines for tools.
 */
#include "cli/cli.h"
#include "core/core.h"
#include "decode/decode.h"
#include "event/event.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: vigil decoders [--format table|jsonl]\n"
               "  lists each decoder output with its routes and field aliases\n");
}

static void routes_text(route_set routes, struct buf *b, bool json)
{
    bool first = true;
    for (int r = 0; r < ROUTE_COUNT; r++) {
        if (!(routes & ROUTE_BIT(r)))
            continue;
        buf_printf(b, json ? "%s\"%s\"" : "%s%s",
                   first  ? ""
                   : json ? ","
                          : ", ",
                   route_table[r].name);
        first = false;
    }
}

static void aliases_text(const struct field_alias *a, struct buf *b, bool json)
{
    for (bool first = true; a && a->alias; a++, first = false) {
        if (json)
            buf_printf(b, "%s[\"%s\",\"%s\"]", first ? "" : ",", field_name(a->alias),
                       field_name(a->target));
        else
            buf_printf(b, "%s%s → %s", first ? "" : ", ", field_name(a->alias),
                       field_name(a->target));
    }
}

/* The JSON text of s, quoted (names and channels: printable, but a quote is escaped). */
static void json_str(struct buf *b, const char *s)
{
    buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            buf_putc(b, '\\');
        buf_putc(b, *s);
    }
    buf_putc(b, '"');
}

/* `vigil decoders [--format table|jsonl]`. */
int cmd_decoders(int argc, char **argv)
{
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--format") && i + 1 < argc) {
            const char *f = argv[++i];
            if (!strcmp(f, "jsonl"))
                json = true;
            else if (strcmp(f, "table") != 0) {
                usage(stderr);
                return 2;
            }
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    field_registry_init();
    struct buf b;
    buf_init(&b, 0);
    if (!json)
        printf("%-10s %-48s %-40s %s\n", "DECODER", "OUTPUT", "ROUTES", "ALIASES");
    struct decode_route_info ri;
    for (size_t i = 0; decode_route_info(i, &ri); i++) {
        buf_reset(&b);
        if (json) {
            buf_puts(&b, "{\"decoder\":");
            json_str(&b, ri.decoder);
            buf_puts(&b, ",\"output\":");
            json_str(&b, ri.output);
            if (ri.event_id)
                buf_printf(&b, ",\"event_id\":%u", ri.event_id);
            buf_puts(&b, ",\"routes\":[");
            routes_text(ri.routes, &b, true);
            buf_puts(&b, "],\"aliases\":[");
            aliases_text(ri.aliases, &b, true);
            buf_puts(&b, "]}\n");
        } else {
            char out[160];
            if (ri.event_id)
                snprintf(out, sizeof out, "%s, event %u", ri.output, ri.event_id);
            else
                snprintf(out, sizeof out, "%s", ri.output);
            buf_printf(&b, "%-10s %-48s ", ri.decoder, out);
            size_t at = b.len;
            if (ri.windows_extra)
                buf_puts(&b, "+ ");
            routes_text(ri.routes, &b, false);
            while (b.len < at + 40)
                buf_putc(&b, ' ');
            buf_putc(&b, ' ');
            aliases_text(ri.aliases, &b, false);
            if (ri.aliases && !ri.aliases->alias)
                buf_puts(&b, "—");
            buf_putc(&b, '\n');
        }
        if (b.err || fwrite(b.p, 1, b.len, stdout) != b.len) {
            buf_fini(&b);
            return 1;
        }
    }
    buf_fini(&b);
    return 0;
}
