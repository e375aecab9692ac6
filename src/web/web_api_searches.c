/*
 * web_api_searches.c — the caller's saved searches (store_searches.c), kept in vigil.db
 * so that they follow the analyst from one workstation to another: the list (GET
 * /api/v1/searches, newest first), a save by name that replaces the query of the same
 * name (POST /api/v1/searches {"name", "query"}; the query must parse), and a delete
 * (POST /api/v1/searches/ID/delete). Every call works on the session's own account
 * only: another account's id is "not found", never "forbidden", so ids tell nothing.
 * Saves and deletes, refused ones included, are audited (search.save, search.delete).
 */
#include "web/web_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Appends s as a JSON object without its closing brace: {"id","name","query","created". */
static void put_search(struct buf *b, const struct store_search *s)
{
    buf_printf(b, "{\"id\":%" PRId64, s->id);
    buf_json_member(b, "name", s->name, strlen(s->name));
    buf_json_member(b, "query", s->query, strlen(s->query));
    buf_json_time(b, "created", s->created_ns);
}

static int search_json(void *ctx, const struct store_search *s)
{
    struct buf *b = ctx;
    if (b->len > 1)
        buf_putc(b, ',');
    put_search(b, s);
    buf_putc(b, '}');
    return b->err != 0;
}

/* See web_int.h. The caller's own query texts go back as they were saved (not masked:
 * they are what this account typed, and a masked query would search for the mask). */
void web_api_searches_list(struct web_req *r)
{
    buf_putc(&r->out, '[');
    if (store_searches_list(r->w->st, r->s.user, search_json, &r->out) || r->out.err) {
        web_error(r, 500, "the saved searches cannot be read");
        return;
    }
    buf_putc(&r->out, ']');
}

/* A heap copy of the body's string member key without spaces around it; NULL when the
 * member is missing or not a string. */
static char *trimmed(const struct web_req *r, const char *key)
{
    const char *v = web_body_str(r, key);
    if (!v)
        return NULL;
    struct slice s = slice_trim(slice_cstr(v));
    return mem_strndup(s.p ? s.p : "", s.len);
}

static void audit(const struct web_req *r, const char *action, const char *object,
                  const char *result)
{
    struct audit_entry e = {.actor = r->s.user,
                            .source = r->address,
                            .action = action,
                            .object = object,
                            .result = result};
    audit_record(&e);
}

/* Checks and saves s; 0, or the status to answer with the reason in why. */
static unsigned save(struct web_req *r, struct store_search *s, bool *replaced, char *why,
                     size_t whylen)
{
    if (!s->name || !s->query) {
        snprintf(why, whylen, "expected {\"name\": TEXT, \"query\": TEXT}");
        return 400;
    }
    struct query_node *q = NULL;
    char err[200];
    if (*s->query && store_query_parse(s->query, &q, err, sizeof err)) {
        snprintf(why, whylen, "the query does not parse: %s", err);
        return 400;
    }
    store_query_free(q);
    int rc = store_search_save(r->w->st, s, replaced, why, whylen);
    return rc == 0 ? 0 : rc == ERR_INVAL ? 400 : rc == ERR_FULL ? 409 : 500;
}

/* See web_int.h. */
void web_api_searches_save(struct web_req *r)
{
    struct store_search s = {.owner = r->s.user, .created_ns = vtime_now_ns()};
    char *name = trimmed(r, "name"), *query = trimmed(r, "query");
    s.name = name;
    s.query = query;
    bool replaced = false;
    char why[240] = "", res[280];
    unsigned status = save(r, &s, &replaced, why, sizeof why);
    struct buf obj; /* "name: query", each cut at 4 bytes per character of its maximum */
    buf_init(&obj, 0);
    buf_printf(&obj, "%.*s: %.*s", 4 * STORE_SEARCH_NAME_MAX, name ? name : "(no name)",
               4 * STORE_SEARCH_QUERY_MAX, query ? query : "(no query)");
    if (status)
        snprintf(res, sizeof res, "refused: %s", why);
    else
        snprintf(res, sizeof res, "ok: %s id %" PRId64, replaced ? "replaced" : "saved", s.id);
    const char *object = buf_cstr(&obj);
    audit(r, "search.save", object ? object : "?", res);
    buf_fini(&obj);
    if (status) {
        web_error(r, status, why);
    } else {
        put_search(&r->out, &s);
        buf_printf(&r->out, ",\"replaced\":%s}", replaced ? "true" : "false");
    }
    mem_free(name);
    mem_free(query);
}

/* See web_int.h. */
void web_api_searches_delete(struct web_req *r)
{
    uint64_t id = 0;
    if (slice_to_u64(slice_cstr(r->param), &id)) {
        web_error(r, 400, "expected /searches/ID/delete with ID a number");
        return;
    }
    char name[4 * STORE_SEARCH_NAME_MAX + 1] = "", obj[sizeof name + 32];
    int rc = id > INT64_MAX
                 ? ERR_NOTFOUND
                 : store_search_delete(r->w->st, r->s.user, (int64_t)id, name, sizeof name);
    snprintf(obj, sizeof obj, "%" PRIu64 "%s%s", id, name[0] ? ": " : "", name);
    audit(r, "search.delete", obj,
          rc == 0              ? "ok"
          : rc == ERR_NOTFOUND ? "refused: none of the caller's"
                               : err_str(rc));
    if (rc) {
        web_error(r, rc == ERR_NOTFOUND ? 404 : 500,
                  rc == ERR_NOTFOUND ? "you have no saved search of that id"
                                     : "the saved search cannot be deleted");
        return;
    }
    buf_puts(&r->out, "{\"ok\":true}");
}
