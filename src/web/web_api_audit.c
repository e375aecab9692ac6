/*
 * web_api_audit.c — the audit trail for auditors: pages of records, newest first, and
 * the verification of its seals (store_audit_verify). Both reads are audited too.
 */
#include "web/web_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void put(struct buf *b, const char *key, const char *v)
{
    buf_json_member(b, key, v, v ? strlen(v) : 0);
}

static int record_json(void *ctx, const struct store_audit_row *a)
{
    struct buf *b = ctx;
    if (b->len > 1)
        buf_putc(b, ',');
    buf_printf(b, "{\"id\":%" PRId64, a->id);
    buf_json_time(b, "time", a->time_ns);
    put(b, "actor", a->actor);
    put(b, "source", a->source);
    put(b, "action", a->action);
    put(b, "object", a->object);
    put(b, "result", a->result);
    buf_putc(b, '}');
    return b->err != 0;
}

static void audit_read(const struct web_req *r, const char *action, const char *result)
{
    struct audit_entry e = {.actor = r->s.user, .source = r->address, .action = action,
                            .object = "audit trail", .result = result};
    audit_record(&e);
}

/* See web_int.h. */
void web_api_audit_list(struct web_req *r)
{
    uint64_t before = 0, limit = 100;
    const char *b = web_query(r, "before"), *l = web_query(r, "limit");
    if ((b && slice_to_u64(slice_cstr(b), &before)) || (l && slice_to_u64(slice_cstr(l), &limit))) {
        web_error(r, 400, "before and limit are numbers");
        return;
    }
    buf_putc(&r->out, '[');
    if (store_audit_list(r->w->st, (int64_t)before, limit > 1000 ? 1000 : limit, record_json,
                         &r->out)) {
        web_error(r, 500, "the audit trail cannot be read");
        return;
    }
    buf_putc(&r->out, ']');
    audit_read(r, "audit.read", "ok");
}

struct problems {
    struct buf *b;
    unsigned n;
};

static void problem_json(void *ctx, int64_t id, const char *what)
{
    struct problems *p = ctx;
    if (p->n++ >= 1000)
        return;
    buf_printf(p->b, "%s{\"record\":%" PRId64, p->n > 1 ? "," : "", id);
    put(p->b, "problem", what);
    buf_putc(p->b, '}');
}

/* See web_int.h. */
void web_api_audit_verify(struct web_req *r)
{
    struct store_audit_report rep;
    struct problems p = {&r->out, 0};
    buf_puts(&r->out, "{\"problems\":[");
    int rc = store_audit_verify(r->w->st, NULL, problem_json, &p, &rep);
    if (rc) {
        web_error(r, 500, "the audit trail cannot be verified");
        audit_read(r, "audit.verify", "error");
        return;
    }
    buf_printf(&r->out,
               "],\"ok\":%s,\"records\":%" PRIu64 ",\"heads\":%" PRIu64
               ",\"newest_head_record\":%" PRId64 ",\"heads_file_missing\":%s}",
               rep.problems ? "false" : "true", rep.records, rep.heads, rep.head_id,
               rep.heads_missing ? "true" : "false");
    audit_read(r, "audit.verify", rep.problems ? "failed" : "ok");
}
