/*
 * web_server.c — the HTTPS server around the routes: libmicrohttpd with TLS, bounded
 * connections (total, per address, idle time, memory per connection — which bounds the
 * request line and headers), request bodies bounded at WEB_MAX_BODY, the header count at
 * WEB_MAX_HEADERS, then per request: the session from the cookie, the route's access
 * (401 without a session, 403 without the permission — or while the password must be
 * changed or a second factor enrolled), the CSRF token on every state change, the
 * handler, and the security headers on every answer.
 */
#include "enrich/enrich.h"
#include "enrich/geo.h"
#include "web/web_int.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* Per connection state across the calls of one request. */
struct conn_ctx {
    struct buf body;
    bool too_big;
};

static const char *const security_headers[][2] = {
    {"Content-Security-Policy",
     "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
     " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self';"
     " frame-ancestors 'none'"},
    {"X-Frame-Options", "DENY"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"Strict-Transport-Security", "max-age=31536000; includeSubDomains"},
    {"Cross-Origin-Opener-Policy", "same-origin"},
    {"Cross-Origin-Resource-Policy", "same-origin"},
    {"Permissions-Policy", "camera=(), microphone=(), geolocation=()"},
};

/* See web_int.h. */
void web_error(struct web_req *r, unsigned status, const char *msg)
{
    r->status = status;
    buf_reset(&r->out);
    buf_puts(&r->out, "{\"error\":");
    buf_putc(&r->out, '"');
    buf_json_str(&r->out, msg, strlen(msg));
    buf_puts(&r->out, "\"}");
}

/* Masks personal data inside the JSON strings of p[0..n) only (numbers and keys' syntax
 * stay as they are); returns how many values. */
static size_t mask_json_strings(const struct auth *a, char *p, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '"')
            continue;
        size_t b = ++i;
        while (i < n && p[i] != '"')
            i += p[i] == '\\' ? 2 : 1;
        if (i > n)
            i = n;
        count += auth_mask(a, p + b, i - b);
    }
    return count;
}

/* See web_int.h. */
void web_personal_data(struct web_req *r, const char *what)
{
    if (r->out.err || !r->out.len)
        return;
    if (!auth_can(&r->s, PERM_PII_VIEW)) {
        mask_json_strings(r->w->auth, r->out.p, r->out.len);
        return;
    }
    char *copy = mem_strndup(r->out.p, r->out.len);
    size_t n = copy ? mask_json_strings(r->w->auth, copy, r->out.len) : 0;
    mem_free(copy);
    if (n) {
        char result[64];
        snprintf(result, sizeof result, "ok: %zu personal values shown unmasked", n);
        struct audit_entry e = {.actor = r->s.user, .source = r->address, .action = "pii.view",
                                .object = what, .result = result};
        audit_record(&e);
    }
}

/* See web_int.h. */
const char *web_body_str(const struct web_req *r, const char *key)
{
    json_t *v = r->json ? json_object_get(r->json, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* See web_int.h. */
const char *web_query(const struct web_req *r, const char *key)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

static void client_address(struct MHD_Connection *c, char *out, size_t len)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, len, "?");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)len);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)len);
}

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    (void)kind;
    (void)key;
    (void)value;
    ++*(unsigned *)cls;
    return MHD_YES;
}

/* See web_int.h. */
bool web_route_match(const char *pattern, const char *path, char *param, size_t plen)
{
    const char *hole = strstr(pattern, "{}");
    if (!hole)
        return !strcmp(pattern, path);
    size_t pre = (size_t)(hole - pattern);
    if (strncmp(pattern, path, pre))
        return false;
    const char *seg = path + pre, *end = strchr(seg, '/');
    size_t n = end ? (size_t)(end - seg) : strlen(seg);
    if (!n || n >= plen || strcmp(hole + 2, seg + n))
        return false;
    memcpy(param, seg, n);
    param[n] = '\0';
    return true;
}

static bool state_changing(const char *method)
{
    return strcmp(method, "GET") && strcmp(method, "HEAD") && strcmp(method, "OPTIONS");
}

/* Runs the API route for r, or answers 404/405. */
static void dispatch(struct web_req *r)
{
    char param[256];
    const struct web_route *hit = NULL;
    bool path_known = false;
    for (size_t i = 0; i < web_nroutes && !hit; i++) {
        if (!web_route_match(web_routes[i].path, r->path, param, sizeof param))
            continue;
        path_known = true;
        if (!strcmp(web_routes[i].method, r->method))
            hit = &web_routes[i];
    }
    if (!hit) {
        web_error(r, path_known ? 405 : 404, path_known ? "method not allowed" : "no such endpoint");
        return;
    }
    r->param = param;
    const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, WEB_COOKIE);
    r->has_session = cookie && auth_session_get(r->w->auth, cookie, &r->s) == 0;
    if (hit->access != WEB_PUBLIC) {
        if (!r->has_session) {
            web_error(r, 401, "sign in first (no session, or it ended)");
            return;
        }
        if (state_changing(r->method) &&
            !auth_csrf_ok(&r->s, MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                                              "X-CSRF-Token"))) {
            web_error(r, 403, "missing or wrong CSRF token");
            return;
        }
        if (hit->access == WEB_PERM && !auth_can(&r->s, hit->perm)) {
            web_error(r, 403,
                      r->s.must_change  ? "change the one-time or expired password first"
                      : r->s.must_enrol ? "enrol a second factor first"
                                        : "not permitted for this account's roles");
            return;
        }
    }
    if (r->body_len) {
        /* a cross-site form can post text/plain that parses as JSON (a login CSRF); it
         * cannot send application/json without a CORS preflight, which is never granted */
        const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
        if (!ct || strncasecmp(ct, "application/json", 16)) {
            web_error(r, 415, "the body must be sent as application/json");
            return;
        }
        json_error_t je;
        r->json = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &je);
        if (!json_is_object(r->json)) {
            web_error(r, 400, "the body must be a JSON object");
            return;
        }
    }
    r->status = 200;
    hit->handler(r);
}

static enum MHD_Result respond(struct MHD_Connection *c, struct web_req *r,
                               struct MHD_Response *resp)
{
    if (!resp) {
        resp = MHD_create_response_from_buffer(r->out.len, r->out.p, MHD_RESPMEM_MUST_COPY);
        if (!resp)
            return MHD_NO;
        MHD_add_response_header(resp, "Content-Type",
                                r->content_type && r->status == 200
                                    ? r->content_type
                                    : "application/json; charset=utf-8");
        MHD_add_response_header(resp, "Cache-Control", "no-store");
        if (r->disposition[0] && r->status == 200)
            MHD_add_response_header(resp, "Content-Disposition", r->disposition);
    }
    for (size_t i = 0; i < sizeof security_headers / sizeof security_headers[0]; i++)
        MHD_add_response_header(resp, security_headers[i][0], security_headers[i][1]);
    if (r->set_cookie[0])
        MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
    enum MHD_Result ret = MHD_queue_response(c, r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    struct web *w = cls;
    struct conn_ctx *cx = *con_cls;
    if (!cx) {
        if (!(cx = mem_calloc(1, sizeof *cx)))
            return MHD_NO;
        buf_init(&cx->body, WEB_MAX_BODY);
        *con_cls = cx;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!cx->too_big && buf_append(&cx->body, upload, *upload_size))
            cx->too_big = true;
        *upload_size = 0;
        return MHD_YES;
    }
    struct web_req r = {.w = w, .conn = c, .method = method, .path = url, .status = 200};
    buf_init(&r.out, 0);
    client_address(c, r.address, sizeof r.address);
    unsigned headers = 0;
    MHD_get_connection_values(c, MHD_HEADER_KIND, count_header, &headers);
    struct MHD_Response *resp = NULL;
    if (headers > WEB_MAX_HEADERS) {
        web_error(&r, 431, "too many header lines");
    } else if (strlen(url) > WEB_MAX_URL) {
        web_error(&r, 414, "the URL is too long");
    } else if (cx->too_big) {
        web_error(&r, 413, "the request body is larger than 64 KiB");
    } else if (!strncmp(url, "/api/", 5)) {
        buf_putc(&cx->body, '\0');
        r.body = cx->body.p ? cx->body.p : "";
        r.body_len = cx->body.len ? cx->body.len - 1 : 0;
        dispatch(&r);
    } else if (!strcmp(url, "/metrics") && !strcmp(method, "GET")) {
        web_metrics(&r, &resp);
    } else if (!strcmp(method, "GET") || !strcmp(method, "HEAD")) {
        web_static(&r, &resp);
    } else {
        web_error(&r, 405, "method not allowed");
    }
    if (r.out.err)
        web_error(&r, 500, "the answer did not fit");
    enum MHD_Result ret = respond(c, &r, resp);
    json_decref(r.json);
    buf_fini(&r.out);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct conn_ctx *cx = *con_cls;
    if (cx) {
        buf_fini(&cx->body);
        mem_free(cx);
        *con_cls = NULL;
    }
}

/* URL unescaping as libmicrohttpd's, except that %00 stays as it is: a NUL would cut the
 * path short unseen ("/%00/etc/passwd" read as "/"). */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    char *w = s;
    for (const char *r = s; *r; r++) {
        int h, l;
        if (r[0] == '%' && (h = hex_digit(r[1])) >= 0 && (l = hex_digit(r[2])) >= 0 &&
            (h | l)) {
            *w++ = (char)(h << 4 | l);
            r += 2;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

static bool parse_listen(const char *s, struct sockaddr_in *sa)
{
    char host[64];
    const char *colon = strrchr(s, ':');
    if (!colon || (size_t)(colon - s) >= sizeof host)
        return false;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    return *end == '\0' && port >= 0 && port <= 65535 &&
           inet_pton(AF_INET, host, &sa->sin_addr) == 1;
}

/* See web.h. */
int web_start(const struct web_opts *o, struct store *st, struct auth *a, struct web **out,
              char *err, size_t errlen)
{
    *out = NULL;
    struct sockaddr_in sa;
    const char *listen = o->listen ? o->listen : "127.0.0.1:8443";
    if (!parse_listen(listen, &sa)) {
        snprintf(err, errlen, "web.listen '%s': expected IPv4ADDRESS:PORT", listen);
        return ERR_INVAL;
    }
    char cert[4200], key[4200];
    snprintf(cert, sizeof cert, "%s", o->cert_file ? o->cert_file : "");
    snprintf(key, sizeof key, "%s", o->key_file ? o->key_file : "");
    struct buf cpem, kpem; /* the certificate and key, PEM */
    buf_init(&cpem, 1 << 20);
    buf_init(&kpem, 1 << 20);
    int rc = 0;
    if (!o->plain_http) {
        if (!o->cert_file || !o->key_file) {
            snprintf(cert, sizeof cert, "%s/tls/console.crt", o->data_dir);
            snprintf(key, sizeof key, "%s/tls/console.key", o->data_dir);
            if ((rc = web_tls_ensure(cert, key, err, errlen)))
                goto out;
        }
        if (buf_read_file(&cpem, cert) || buf_read_file(&kpem, key) || buf_putc(&cpem, 0) ||
            buf_putc(&kpem, 0)) {
            snprintf(err, errlen, "cannot read the certificate %s or its key %s", cert, key);
            rc = ERR_IO;
            goto out;
        }
    }
    struct web *w = mem_calloc(1, sizeof *w);
    if (!w) {
        rc = ERR_NOMEM;
        goto out;
    }
    w->st = st;
    w->auth = a;
    w->root = mem_strdup(o->root ? o->root : "web/dist");
    w->metrics = o->metrics;
    w->metrics_ctx = o->metrics_ctx;
    w->metrics_token = o->metrics_token ? mem_strdup(o->metrics_token) : NULL;
    w->rules_json = o->rules_json;
    w->rule_switch = o->rule_switch;
    w->rules_ctx = o->rules_ctx;
    char aerr[256];
    if (o->assets_path && assets_load_file(o->assets_path, &w->assets, aerr, sizeof aerr))
        log_warn("web: the asset inventory is not listed: %s", aerr);
    char gerr[256];
    if (geo_open(NULL, NULL, NULL, &w->geo, gerr, sizeof gerr))
        w->geo = NULL; /* the map stays empty */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    if (!o->plain_http)
        flags |= MHD_USE_TLS;
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_SOCK_ADDR, 0, &sa},
        {MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)(o->threads ? o->threads : 2), NULL},
        {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)(o->max_connections ? o->max_connections : 256),
         NULL},
        {MHD_OPTION_PER_IP_CONNECTION_LIMIT, 32, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)(o->timeout_s ? o->timeout_s : 30), NULL},
        /* bounds the request line and headers of one connection */
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, 32 * 1024, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL},
        {MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)unescape, NULL},
        {o->plain_http ? MHD_OPTION_END : MHD_OPTION_HTTPS_MEM_CERT, 0, cpem.p},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, kpem.p},
        {MHD_OPTION_HTTPS_PRIORITIES, 0,
         (void *)"SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"},
        {MHD_OPTION_END, 0, NULL},
    };
    w->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, w, MHD_OPTION_ARRAY, opts,
                              MHD_OPTION_END);
    if (!w->mhd) {
        snprintf(err, errlen, "cannot serve the console on %s (address in use, or a bad"
                              " certificate)", listen);
        geo_free(w->geo);
        assets_free(w->assets);
        mem_free(w->metrics_token);
        mem_free(w->root);
        mem_free(w);
        rc = ERR_IO;
        goto out;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(w->mhd, MHD_DAEMON_INFO_BIND_PORT);
    w->port = di ? di->port : ntohs(sa.sin_port);
    char host[64];
    inet_ntop(AF_INET, &sa.sin_addr, host, sizeof host);
    snprintf(w->url, sizeof w->url, "%s://%s:%d/", o->plain_http ? "http" : "https", host,
             w->port);
    *out = w;
out:
    if (kpem.p)
        memset(kpem.p, 0, kpem.len);
    buf_fini(&cpem);
    buf_fini(&kpem);
    return rc;
}

/* See web.h. */
int web_port(const struct web *w)
{
    return w->port;
}

/* See web.h. */
const char *web_url(const struct web *w)
{
    return w->url;
}

/* See web.h. */
void web_stop(struct web *w)
{
    if (!w)
        return;
    MHD_stop_daemon(w->mhd);
    geo_free(w->geo);
    assets_free(w->assets);
    mem_free(w->metrics_token);
    mem_free(w->root);
    mem_free(w);
}
