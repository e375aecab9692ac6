/*
 * web_api_session.c — signing in and out, the session's description, the password
 * change and TOTP enrolment. The session cookie is HttpOnly, Secure, SameSite=Strict,
 * new at every login (auth_login ends the session the browser held); the CSRF token
 * travels in the JSON answer and comes back in the X-CSRF-Token header.
 */
#include "web/web_int.h"

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

static void put_str(struct buf *b, const char *key, const char *v)
{
    buf_json_member(b, key, v, v ? strlen(v) : 0);
}

/* See web_int.h. */
void web_session_json(struct buf *b, const struct auth_session *s)
{
    buf_puts(b, "{\"user\":");
    buf_putc(b, '"');
    buf_json_str(b, s->user, strlen(s->user));
    buf_puts(b, "\",\"roles\":[");
    bool first = true;
    for (int r = 0; r < ROLE_COUNT; r++)
        if (s->roles & ROLE_BIT(r)) {
            buf_printf(b, "%s\"%s\"", first ? "" : ",", auth_role_name(r));
            first = false;
        }
    buf_puts(b, "],\"permissions\":[");
    first = true;
    for (int p = 0; p < PERM_COUNT; p++)
        if (auth_can(s, p)) {
            buf_printf(b, "%s\"%s\"", first ? "" : ",", auth_perm_name(p));
            first = false;
        }
    buf_putc(b, ']');
    put_str(b, "csrf", s->csrf);
    buf_printf(b, ",\"must_change_password\":%s,\"must_enrol_totp\":%s}",
               s->must_change ? "true" : "false", s->must_enrol ? "true" : "false");
}

/* See web_int.h. */
void web_api_login(struct web_req *r)
{
    const char *user = web_body_str(r, "user"), *pw = web_body_str(r, "password");
    if (!user || !pw) {
        web_error(r, 400, "expected {\"user\", \"password\"[, \"totp\"]}");
        return;
    }
    const char *old = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, WEB_COOKIE);
    char msg[200];
    struct auth_session s;
    enum auth_outcome o = auth_login(r->w->auth, user, pw, web_body_str(r, "totp"), r->address,
                                     old, &s, msg, sizeof msg);
    switch (o) {
    case AUTH_OK:
        snprintf(r->set_cookie, sizeof r->set_cookie,
                 WEB_COOKIE "=%s; Path=/; HttpOnly; Secure; SameSite=Strict", s.token);
        web_session_json(&r->out, &s);
        return;
    case AUTH_NEED_TOTP:
        r->status = 401;
        buf_puts(&r->out, "{\"need_totp\":true");
        put_str(&r->out, "error", msg);
        buf_putc(&r->out, '}');
        return;
    case AUTH_LOCKED:
        web_error(r, 429, msg);
        return;
    case AUTH_DISABLED:
        web_error(r, 403, msg);
        return;
    case AUTH_ERROR:
        web_error(r, 500, msg);
        return;
    default:
        web_error(r, 401, msg);
        return;
    }
}

/* See web_int.h. */
void web_api_logout(struct web_req *r)
{
    auth_logout(r->w->auth, r->s.token);
    snprintf(r->set_cookie, sizeof r->set_cookie,
             WEB_COOKIE "=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0");
    buf_puts(&r->out, "{\"signed_out\":true}");
}

/* See web_int.h. */
void web_api_session(struct web_req *r)
{
    web_session_json(&r->out, &r->s);
}

/* After a step of the session's own (password, enrolment): the error, or the session as
 * it is now. */
static void step_answer(struct web_req *r, int rc, const char *msg)
{
    if (rc) {
        web_error(r, rc == ERR_INVAL ? 400 : 500, msg);
        return;
    }
    struct auth_session s;
    if (auth_session_get(r->w->auth, r->s.token, &s) == 0)
        web_session_json(&r->out, &s);
}

/* See web_int.h. */
void web_api_password(struct web_req *r)
{
    char msg[200];
    int rc = auth_password_change(r->w->auth, r->s.token, web_body_str(r, "old"),
                                  web_body_str(r, "new"), msg, sizeof msg);
    step_answer(r, rc, msg);
}

/* See web_int.h. */
void web_api_totp_begin(struct web_req *r)
{
    char secret[64], uri[256];
    if (auth_totp_begin(r->w->auth, r->s.token, secret, uri)) {
        web_error(r, 500, "no seed could be made");
        return;
    }
    buf_puts(&r->out, "{\"secret\":\"");
    buf_puts(&r->out, secret);
    buf_putc(&r->out, '"');
    put_str(&r->out, "uri", uri);
    buf_putc(&r->out, '}');
}

/* See web_int.h. */
void web_api_totp_confirm(struct web_req *r)
{
    char msg[200];
    int rc = auth_totp_confirm(r->w->auth, r->s.token, web_body_str(r, "code"), msg, sizeof msg);
    step_answer(r, rc, msg);
}

/* See web_int.h. */
void web_api_permissions(struct web_req *r)
{
    buf_puts(&r->out, "{\"roles\":{");
    for (int role = 0; role < ROLE_COUNT; role++) {
        buf_printf(&r->out, "%s\"%s\":[", role ? "," : "", auth_role_name(role));
        uint32_t p = auth_perms_of(ROLE_BIT(role), 0);
        bool first = true;
        for (int i = 0; i < PERM_COUNT; i++)
            if (p & (1u << i)) {
                buf_printf(&r->out, "%s\"%s\"", first ? "" : ",", auth_perm_name(i));
                first = false;
            }
        buf_putc(&r->out, ']');
    }
    buf_puts(&r->out, "}}");
}
