/*
 * web_int.h — what the web server's files share: the request as handlers see it, the
 * route table, and the answer helpers. Nothing outside src/web includes this.
 */
#ifndef VIGIL_WEB_INT_H
#define VIGIL_WEB_INT_H

#include "web/web.h"

#include <jansson.h>

struct MHD_Connection;
struct MHD_Daemon;
struct MHD_Response;

#define WEB_MAX_BODY (64 * 1024)  /* request bodies above this get 413 */
#define WEB_MAX_HEADERS 64        /* more header lines get 431 */
#define WEB_MAX_URL 4096          /* longer URLs get 414 */
#define WEB_COOKIE "vigil_session"

struct geo;
struct assets;

struct web {
    struct MHD_Daemon *mhd;
    struct geo *geo; /* Debian's country database for the overview's map; NULL: none */
    struct store *st;
    struct auth *auth;
    char *root;      /* static files */
    int port;
    char url[96];
    int (*metrics)(void *ctx, struct buf *out);
    void *metrics_ctx;
    char *metrics_token;
    struct assets *assets; /* the inventory as the daemon read it at start (NULL: none) */
    int (*rules_json)(void *ctx, struct buf *out);
    int (*rule_switch)(void *ctx, const char *id, bool off);
    void *rules_ctx;
};

/* One request, as a handler sees it. */
struct web_req {
    struct web *w;
    struct MHD_Connection *conn;
    const char *method, *path;
    const char *param;         /* the {name} segment of the route, when it has one */
    const char *body;          /* NUL-terminated */
    size_t body_len;
    json_t *json;              /* the body parsed, when it is a JSON object */
    char address[64];
    bool has_session;
    struct auth_session s;     /* the caller's session, when has_session */
    /* the answer */
    unsigned status;
    struct buf out;            /* JSON, unless content_type says otherwise */
    char set_cookie[200];
    const char *content_type;  /* NULL: application/json */
    char disposition[96];      /* Content-Disposition, when set */
};

/* What a route needs before its handler runs. */
enum web_access {
    WEB_PUBLIC,  /* anyone (login) */
    WEB_SIGNED,  /* any session, even one that must first change its password */
    WEB_PERM     /* a session holding the route's permission */
};

struct web_route {
    const char *method;
    const char *path;   /* exact, or ending in "/{}" + rest: one segment captured */
    enum web_access access;
    enum auth_perm perm;
    void (*handler)(struct web_req *r);
};

/* The API's routes (web_api_*.c), in one table (web_routes.c). */
extern const struct web_route web_routes[];
extern const size_t web_nroutes;

/* Answers status with {"error": msg}. */
void web_error(struct web_req *r, unsigned status, const char *msg);
/* A string member of the JSON body, or NULL. */
const char *web_body_str(const struct web_req *r, const char *key);
/* A query string argument, or NULL. */
const char *web_query(const struct web_req *r, const char *key);
/* Masks the personal data in the answer unless the session may see it (PERM_PII_VIEW);
 * when it may and the answer holds some, the unmasked view is audited (pii.view, what). */
void web_personal_data(struct web_req *r, const char *what);
/* The session's description: {"user","roles":[…],"permissions":[…],"csrf",…}. */
void web_session_json(struct buf *b, const struct auth_session *s);

/* Handlers. */
void web_api_login(struct web_req *r);
void web_api_logout(struct web_req *r);
void web_api_session(struct web_req *r);
void web_api_password(struct web_req *r);
void web_api_totp_begin(struct web_req *r);
void web_api_totp_confirm(struct web_req *r);
void web_api_permissions(struct web_req *r);
void web_api_accounts_list(struct web_req *r);
void web_api_accounts_create(struct web_req *r);
void web_api_accounts_grant(struct web_req *r);
void web_api_accounts_disable(struct web_req *r);
void web_api_accounts_enable(struct web_req *r);
void web_api_accounts_reset(struct web_req *r);
void web_api_accounts_delete(struct web_req *r);
void web_api_alerts_list(struct web_req *r);
void web_api_alerts_status(struct web_req *r);
void web_api_alerts_assign(struct web_req *r);
void web_api_search(struct web_req *r);
void web_api_search_export(struct web_req *r);
void web_api_audit_list(struct web_req *r);
void web_api_audit_verify(struct web_req *r);
void web_api_sources(struct web_req *r);
void web_api_terminals(struct web_req *r);
void web_api_assets(struct web_req *r);
void web_api_overview(struct web_req *r);
void web_api_rules_test(struct web_req *r);
void web_api_rules_list(struct web_req *r);
void web_api_rule_disable(struct web_req *r);
void web_api_rule_enable(struct web_req *r);
/* The session's own saved searches: list, save or replace by name, delete by id
 * (web_api_searches.c). */
void web_api_searches_list(struct web_req *r);
void web_api_searches_save(struct web_req *r);
void web_api_searches_delete(struct web_req *r);
/* Counts the events of q (NULL: all) in [from, to) in 24 buckets, newest first, for at
 * most about a second and 200,000 events: {"counts":[…], "from", "bucket_ns", "capped",
 * "counted_from"} (web_api_overview.c). */
int web_histogram(struct web *w, const struct query_node *q, int64_t from, int64_t to,
                  json_t **out);

/* Answers GET /metrics (web_metrics.c): for a session with PERM_CONFIG, or the bearer
 * token of web.metrics_token; *resp gets the text answer. */
void web_metrics(struct web_req *r, struct MHD_Response **resp);

/* True when path (decoded) may name a file under the web root: it starts with '/', has
 * no backslash, no "//", no segment starting with '.', and is at most 1 KiB
 * (web_static.c). The real-path check comes after. */
bool web_path_safe(const char *path);
/* Matches path against a route pattern (exact, or one "{}" segment captured into param
 * of plen bytes) (web_server.c). */
bool web_route_match(const char *pattern, const char *path, char *param, size_t plen);

/* Serves a static file of the console for GET path (web_static.c). */
void web_static(struct web_req *r, struct MHD_Response **resp);

#endif
