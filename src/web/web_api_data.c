/*
 * web_api_data.c — what analysts read and change: the alert queue, an alert's status,
 * event search (the query parsed into the store's tree, never SQL; audited), the
 * log sources, and the unregistered terminals. Every text from a log goes out JSON-escaped; the console shows it as
 * text, never as markup.
 */
#include "enrich/enrich.h"
#include "web/web_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t query_uint(const struct web_req *r, const char *key, size_t dflt, size_t max)
{
    const char *v = web_query(r, key);
    uint64_t u;
    if (!v || slice_to_u64(slice_cstr(v), &u))
        return dflt;
    return u < 1 ? 1 : u > max ? max : (size_t)u;
}

static int alert_json(void *ctx, const struct store_alert *a)
{
    struct buf *b = ctx;
    if (b->len > 1)
        buf_putc(b, ',');
    store_alert_json(b, a);
    return b->err != 0;
}

/* See web_int.h. */
void web_api_alerts_list(struct web_req *r)
{
    struct store_alert_filter f = {.limit = query_uint(r, "limit", 100, 1000),
                                   .min_level = web_query(r, "level")};
    buf_putc(&r->out, '[');
    int rc = store_alerts_list(r->w->st, &f, alert_json, &r->out);
    if (rc) {
        web_error(r, rc == ERR_INVAL ? 400 : 500,
                  rc == ERR_INVAL ? "unknown level" : "the alerts cannot be read");
        return;
    }
    buf_putc(&r->out, ']');
    web_personal_data(r, "alerts");
    char what[80];
    snprintf(what, sizeof what, "level>=%s limit %zu", f.min_level ? f.min_level : "any", f.limit);
    struct audit_entry e = {.actor = r->s.user, .source = r->address, .action = "alerts.list",
                            .object = what, .result = "ok"};
    audit_record(&e);
}

/* See web_int.h. */
void web_api_alerts_status(struct web_req *r)
{
    uint64_t id = 0;
    const char *to = web_body_str(r, "status");
    char *end = NULL;
    id = strtoull(r->param, &end, 16);
    if (!to || !end || *end || strlen(r->param) > 16) {
        web_error(r, 400, "expected /alerts/ID/status with {\"status\", \"reason\"}");
        return;
    }
    char why[200] = "";
    int rc = store_alert_set_status(r->w->st, id, to, web_body_str(r, "reason"), r->s.user,
                                    vtime_now_ns(), why, sizeof why);
    char obj[64], res[240];
    snprintf(obj, sizeof obj, "%016" PRIx64 " -> %.20s", id, to);
    snprintf(res, sizeof res, "%s%s", rc ? "refused: " : "ok", rc ? (why[0] ? why : err_str(rc)) : "");
    struct audit_entry e = {.actor = r->s.user, .source = r->address, .action = "alert.status",
                            .object = obj, .result = res};
    audit_record(&e);
    if (rc) {
        web_error(r, rc == ERR_NOTFOUND ? 404 : rc == ERR_INVAL ? 409 : 500,
                  why[0] ? why : err_str(rc));
        return;
    }
    buf_puts(&r->out, "{\"ok\":true}");
}

/* See web_int.h: POST /alerts/ID/assign {"assignee": NAME or ""}: to an existing account
 * (an analyst takes an alert with its own name). */
void web_api_alerts_assign(struct web_req *r)
{
    char *end = NULL;
    uint64_t id = strtoull(r->param, &end, 16);
    const char *who = web_body_str(r, "assignee");
    struct store_account acc;
    if (!who || !end || *end || strlen(r->param) > 16) {
        web_error(r, 400, "expected /alerts/ID/assign with {\"assignee\": NAME or \"\"}");
        return;
    }
    if (*who && store_account_get(r->w->st, who, &acc)) {
        web_error(r, 400, "no account of that name");
        return;
    }
    int rc = store_alert_assign(r->w->st, id, *who ? acc.name : NULL);
    char obj[120];
    snprintf(obj, sizeof obj, "%016" PRIx64 " -> %s", id, *who ? acc.name : "(nobody)");
    struct audit_entry e = {.actor = r->s.user, .source = r->address, .action = "alert.assign",
                            .object = obj, .result = rc ? err_str(rc) : "ok"};
    audit_record(&e);
    if (rc) {
        web_error(r, rc == ERR_NOTFOUND ? 404 : 500, rc == ERR_NOTFOUND ? "no alert has that id"
                                                                          : "not saved");
        return;
    }
    buf_puts(&r->out, "{\"ok\":true}");
}

struct rows {
    struct buf *b;
    size_t n;
};

static int row_json(void *ctx, const struct store_row *row)
{
    struct rows *o = ctx;
    if (o->n++)
        buf_putc(o->b, ',');
    store_row_json(o->b, row);
    return o->b->err != 0;
}

static bool time_arg(const struct web_req *r, const char *key, int64_t *out)
{
    const char *v = web_query(r, key);
    *out = 0;
    return !v || !*v || vtime_parse(slice_cstr(v), vtime_now_ns(), out) == 0;
}

/* See web_int.h. */
void web_api_search(struct web_req *r)
{
    const char *q = web_query(r, "q");
    struct query_node *root = NULL;
    char err[200];
    struct store_query sq = {.limit = query_uint(r, "limit", 100, 1000)};
    if (!time_arg(r, "from", &sq.from_ns) || !time_arg(r, "to", &sq.to_ns)) {
        web_error(r, 400, "from/to: not a time (RFC 3339, or -15m, -24h, -7d)");
        return;
    }
    if (store_query_parse(q ? q : "", &root, err, sizeof err)) {
        web_error(r, 400, err);
        return;
    }
    sq.root = root;
    struct rows o = {&r->out, 0};
    buf_puts(&r->out, "{\"events\":[");
    struct store_cursor next = {0};
    int rc = store_query(r->w->st, &sq, row_json, &o, &next);
    json_t *hist = NULL;
    const char *h = web_query(r, "histogram");
    if (!rc && h && !strcmp(h, "1")) {
        int64_t to = sq.to_ns ? sq.to_ns : vtime_now_ns();
        int64_t from = sq.from_ns ? sq.from_ns : to - 86400 * NS_PER_SEC;
        rc = web_histogram(r->w, root, from, to, &hist);
    }
    store_query_free(root);
    char res[64];
    if (rc)
        snprintf(res, sizeof res, "error: %s", err_str(rc));
    else
        snprintf(res, sizeof res, "rows %zu", o.n);
    struct audit_entry e = {.actor = r->s.user, .source = r->address, .action = "search",
                            .object = q ? q : "", .result = res};
    audit_record(&e);
    if (rc) {
        json_decref(hist);
        web_error(r, 500, "the search failed");
        return;
    }
    buf_printf(&r->out, "],\"count\":%zu,\"more\":%s", o.n, next.valid ? "true" : "false");
    if (hist) {
        char *text = json_dumps(hist, JSON_COMPACT);
        json_decref(hist);
        if (text) {
            buf_printf(&r->out, ",\"histogram\":%s", text);
            free(text);
        }
    }
    buf_putc(&r->out, '}');
    web_personal_data(r, q && *q ? q : "search");
}

/* One CSV cell: quoted, quotes doubled, and a leading = + - @ (or tab, CR) made inert
 * with a ' so that a spreadsheet does not run a log line as a formula. */
static void csv_cell(struct buf *b, const char *s, size_t n)
{
    buf_putc(b, '"');
    if (n && strchr("=+-@\t\r", s[0]))
        buf_putc(b, '\'');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            buf_putc(b, '"');
        buf_putc(b, s[i]);
    }
    buf_putc(b, '"');
}

struct export {
    struct buf *b;
    bool csv;
    size_t n;
};

static int export_row(void *ctx, const struct store_row *row)
{
    struct export *x = ctx;
    x->n++;
    if (!x->csv) {
        store_row_json(x->b, row);
        buf_putc(x->b, '\n');
        return x->b->err != 0;
    }
    char t[64];
    vtime_format(row->time_ns, t, sizeof t);
    csv_cell(x->b, t, strlen(t));
    buf_putc(x->b, ',');
    csv_cell(x->b, row->host ? row->host : "", row->host ? strlen(row->host) : 0);
    buf_putc(x->b, ',');
    csv_cell(x->b, row->decoder ? row->decoder : "", row->decoder ? strlen(row->decoder) : 0);
    buf_putc(x->b, ',');
    csv_cell(x->b, row->raw, row->raw_len);
    buf_puts(x->b, "\r\n");
    return x->b->err != 0;
}

/* See web_int.h: GET /search/export?q=&from=&to=&format=jsonl|csv&limit= (at most 100,000
 * events), masked like search, audited (export) with the query and the count. */
void web_api_search_export(struct web_req *r)
{
    const char *q = web_query(r, "q"), *fmt = web_query(r, "format");
    bool csv = fmt && !strcmp(fmt, "csv");
    if (fmt && !csv && strcmp(fmt, "jsonl")) {
        web_error(r, 400, "format: jsonl or csv");
        return;
    }
    struct query_node *root = NULL;
    char err[200];
    struct store_query sq = {.limit = query_uint(r, "limit", 10000, 100000)};
    if (!time_arg(r, "from", &sq.from_ns) || !time_arg(r, "to", &sq.to_ns)) {
        web_error(r, 400, "from/to: not a time (RFC 3339, or -15m, -24h, -7d)");
        return;
    }
    if (store_query_parse(q ? q : "", &root, err, sizeof err)) {
        web_error(r, 400, err);
        return;
    }
    sq.root = root;
    struct export x = {&r->out, csv, 0};
    if (csv)
        buf_puts(&r->out, "\"time\",\"host\",\"decoder\",\"raw\"\r\n");
    struct store_cursor next = {0};
    int rc = store_query(r->w->st, &sq, export_row, &x, &next);
    store_query_free(root);
    char res[80];
    if (rc || r->out.err)
        snprintf(res, sizeof res, "error: %s", err_str(rc ? rc : r->out.err));
    else
        snprintf(res, sizeof res, "ok: %zu events as %s%s", x.n, csv ? "csv" : "jsonl",
                 next.valid ? " (more exist)" : "");
    struct audit_entry e = {.actor = r->s.user, .source = r->address, .action = "export",
                            .object = q ? q : "", .result = res};
    audit_record(&e);
    if (rc || r->out.err) {
        web_error(r, 500, "the export failed");
        return;
    }
    if (!auth_can(&r->s, PERM_PII_VIEW))
        auth_mask(r->w->auth, r->out.p, r->out.len); /* CSV and JSON lines: whole text */
    else
        web_personal_data(r, "export");
    r->content_type = csv ? "text/csv; charset=utf-8" : "application/x-ndjson";
    snprintf(r->disposition, sizeof r->disposition, "attachment; filename=\"vigil-export.%s\"",
             csv ? "csv" : "jsonl");
}

static int source_json(void *ctx, const struct store_source *s)
{
    struct buf *b = ctx;
    buf_puts(b, b->len > 1 ? ",{\"events\":" : "{\"events\":");
    buf_printf(b, "%" PRIu64, s->events);
    buf_json_member(b, "input", s->input, strlen(s->input));
    buf_json_member(b, "host", s->host, strlen(s->host));
    buf_json_time(b, "first_seen", s->first_ns);
    buf_json_time(b, "last_seen", s->last_ns);
    buf_putc(b, '}');
    return b->err != 0;
}

/* See web_int.h. */
void web_api_sources(struct web_req *r)
{
    buf_putc(&r->out, '[');
    if (store_sources_list(r->w->st, source_json, &r->out)) {
        web_error(r, 500, "the sources cannot be read");
        return;
    }
    buf_putc(&r->out, ']');
}

static int terminal_json(void *ctx, const struct store_terminal *t)
{
    struct buf *b = ctx;
    buf_puts(b, b->len > 1 ? ",{\"seen\":" : "{\"seen\":");
    buf_printf(b, "%" PRIu64, t->seen);
    buf_json_member(b, "mac", t->mac, strlen(t->mac));
    buf_json_member(b, "ip", t->ip.p, t->ip.len);
    buf_json_member(b, "name", t->name.p, t->name.len);
    buf_json_time(b, "first_seen", t->first_ns);
    buf_json_time(b, "last_seen", t->last_ns);
    buf_putc(b, '}');
    return b->err != 0;
}

/* See web_int.h. */
void web_api_terminals(struct web_req *r)
{
    buf_putc(&r->out, '[');
    if (store_terminals_list(r->w->st, terminal_json, &r->out)) {
        web_error(r, 500, "the terminals cannot be read");
        return;
    }
    buf_putc(&r->out, ']');
}

/* See web_int.h: the asset inventory (address, name, owner, department, value 0-5,
 * registered, tags). */
void web_api_assets(struct web_req *r)
{
    struct buf *b = &r->out;
    buf_putc(b, '[');
    for (size_t i = 0; i < assets_count(r->w->assets); i++) {
        const struct asset *x = assets_at(r->w->assets, i);
        buf_printf(b, "%s{\"value\":%d,\"registered\":%s", i ? "," : "", x->value,
                   x->registered ? "true" : "false");
        buf_json_member(b, "address", x->address, strlen(x->address));
        buf_json_member(b, "name", x->name, strlen(x->name));
        buf_json_member(b, "owner", x->owner, strlen(x->owner));
        buf_json_member(b, "department", x->department, strlen(x->department));
        buf_puts(b, ",\"tags\":[");
        for (unsigned t = 0; t < x->ntags; t++) {
            buf_puts(b, t ? ",\"" : "\"");
            buf_json_str(b, x->tags[t], strlen(x->tags[t]));
            buf_putc(b, '"');
        }
        buf_puts(b, "]}");
    }
    buf_putc(b, ']');
    web_personal_data(r, "assets");
}
