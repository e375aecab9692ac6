/*
 * web.h — the console's HTTPS server (docs/ARCHITECTURE.md §3 "Console"): the REST API
 * under /api/v1 (JSON in and out), the console's static files, and the limits and
 * security headers every answer carries. Sessions, permissions and the audit of what is
 * done are the auth module's; the data is the store's.
 *
 * The server is libmicrohttpd (TLS through GnuTLS) with its own polling thread and a
 * small thread pool; handlers run on those threads and use the store's thread-safe
 * calls (vigil.db under its mutex, searches on their own read connections).
 */
#ifndef VIGIL_WEB_H
#define VIGIL_WEB_H

#include "auth/auth.h"
#include "store/store.h"

struct web_opts {
    const char *listen;    /* "ADDR:PORT", default 127.0.0.1:8443 (port 0: any free one) */
    bool plain_http;       /* no TLS (tests of a proxy setup only); default TLS on */
    const char *cert_file; /* PEM; NULL: DATA_DIR/tls/console.crt, made self-signed at */
    const char *key_file;  /* first start with its key (console.key, 0600) */
    const char *root;      /* the console's static files; NULL: web/dist */
    const char *data_dir;
    unsigned threads;      /* handler threads; default 2 */
    unsigned max_connections; /* default 256; per address 32 */
    unsigned timeout_s;    /* an idle connection is closed after this; default 30 */
    /* /metrics: the daemon's own counters in Prometheus text (NULL: the store's and the
     * console's only), and a bearer token a scraper may use instead of a session with the
     * config permission (NULL: sessions only) */
    int (*metrics)(void *ctx, struct buf *out);
    void *metrics_ctx;
    const char *metrics_token;
    const char *assets_path; /* the inventory file (`assets:`), listed by /api/v1/assets */
    /* the daemon's rules: their list as JSON, and switching one off or on by id (NULL:
     * this process runs no rules) */
    int (*rules_json)(void *ctx, struct buf *out);
    int (*rule_switch)(void *ctx, const char *id, bool off);
    void *rules_ctx;
};

struct web;

/* Starts serving; *out owns the server. Message in err (a cert that does not load, an
 * address in use). */
int web_start(const struct web_opts *o, struct store *st, struct auth *a, struct web **out,
              char *err, size_t errlen);
/* The port the server listens on (the one chosen when the options said 0). */
int web_port(const struct web *w);
/* The console's address, "https://127.0.0.1:8443/". */
const char *web_url(const struct web *w);
/* Stops serving (in-flight requests finish) and frees w. */
void web_stop(struct web *w);

/* Makes a self-signed certificate for the console (EC P-256, 825 days, names localhost,
 * the host name and 127.0.0.1) in cert/key unless both exist (web_tls.c). */
int web_tls_ensure(const char *cert, const char *key, char *err, size_t errlen);

#endif
