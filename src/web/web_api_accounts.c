/*
 * web_api_accounts.c — accounts over the API: the list (no secrets in it), and the
 * administration calls of auth_admin.c, which check the separated duties themselves
 * (the route's permission is checked before, as for every route).
 */
#include "web/web_int.h"

#include <inttypes.h>
#include <string.h>

/* A time that may be unset (0: never). */
static void put_time(struct buf *b, const char *key, int64_t ns)
{
    if (ns)
        buf_json_time(b, key, ns);
    else
        buf_printf(b, ",\"%s\":null", key);
}

static int account_json(void *ctx, const struct store_account *a)
{
    struct buf *b = ctx;
    if (b->len > 1)
        buf_putc(b, ',');
    buf_puts(b, "{\"name\":\"");
    buf_json_str(b, a->name, strlen(a->name));
    buf_printf(b, "\",\"source\":\"%s\",\"roles\":[", a->source);
    bool first = true;
    for (int r = 0; r < ROLE_COUNT; r++)
        if (a->roles & ROLE_BIT(r)) {
            buf_printf(b, "%s\"%s\"", first ? "" : ",", auth_role_name(r));
            first = false;
        }
    buf_printf(b, "],\"pii_view\":%s,\"must_change_password\":%s,\"totp\":%s,\"disabled\":%s",
               a->privileges & PRIV_PII_VIEW ? "true" : "false", a->must_change ? "true" : "false",
               a->totp_on ? "true" : "false", a->disabled ? "true" : "false");
    put_time(b, "created", a->created_ns);
    put_time(b, "last_login", a->last_login_ns);
    buf_putc(b, '}');
    return 0;
}

/* See web_int.h. */
void web_api_accounts_list(struct web_req *r)
{
    buf_putc(&r->out, '[');
    if (store_account_list(r->w->st, account_json, &r->out)) {
        web_error(r, 500, "the accounts cannot be read");
        return;
    }
    buf_putc(&r->out, ']');
}

static void answer(struct web_req *r, int rc, const char *msg, const char *otp)
{
    if (rc) {
        web_error(r, rc == ERR_NOTFOUND ? 404 : rc == ERR_EXISTS ? 409 : rc == ERR_INVAL ? 400 : 500,
                  msg);
        return;
    }
    buf_puts(&r->out, "{\"ok\":true");
    buf_json_member(&r->out, "message", msg, strlen(msg));
    if (otp)
        buf_json_member(&r->out, "one_time_password", otp, strlen(otp));
    buf_putc(&r->out, '}');
}

/* See web_int.h. */
void web_api_accounts_create(struct web_req *r)
{
    const char *name = web_body_str(r, "name");
    char otp[17], msg[200];
    if (!name) {
        web_error(r, 400, "expected {\"name\"}");
        return;
    }
    int rc = auth_account_create(r->w->auth, &r->s, name, otp, msg, sizeof msg);
    answer(r, rc, msg, rc ? NULL : otp);
}

/* See web_int.h. */
void web_api_accounts_grant(struct web_req *r)
{
    json_t *roles = r->json ? json_object_get(r->json, "roles") : NULL;
    if (!json_is_array(roles)) {
        web_error(r, 400, "expected {\"roles\": [...], \"pii_view\": false}");
        return;
    }
    unsigned set = 0;
    size_t i;
    json_t *v;
    json_array_foreach(roles, i, v)
    {
        int role = json_is_string(v) ? auth_role_parse(json_string_value(v)) : -1;
        if (role < 0) {
            web_error(r, 400, "unknown role (sysadmin, secadmin, auditor, analyst, readonly)");
            return;
        }
        set |= ROLE_BIT(role);
    }
    unsigned privs = json_is_true(json_object_get(r->json, "pii_view")) ? PRIV_PII_VIEW : 0;
    char msg[200];
    answer(r, auth_account_grant(r->w->auth, &r->s, r->param, set, privs, msg, sizeof msg), msg,
           NULL);
}

/* See web_int.h. */
void web_api_accounts_disable(struct web_req *r)
{
    char msg[200];
    answer(r, auth_account_disable(r->w->auth, &r->s, r->param, true, msg, sizeof msg), msg, NULL);
}

/* See web_int.h. */
void web_api_accounts_enable(struct web_req *r)
{
    char msg[200];
    answer(r, auth_account_disable(r->w->auth, &r->s, r->param, false, msg, sizeof msg), msg,
           NULL);
}

/* See web_int.h. */
void web_api_accounts_delete(struct web_req *r)
{
    char msg[200];
    answer(r, auth_account_delete(r->w->auth, &r->s, r->param, msg, sizeof msg), msg, NULL);
}

/* See web_int.h. */
void web_api_accounts_reset(struct web_req *r)
{
    char otp[17], msg[200];
    int rc = auth_account_reset(r->w->auth, &r->s, r->param, otp, msg, sizeof msg);
    answer(r, rc, msg, rc || !otp[0] ? NULL : otp);
}
