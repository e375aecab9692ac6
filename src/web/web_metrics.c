/*
 * web_metrics.c — GET /metrics in Prometheus' text format: the daemon's pipeline
 * counters (ingest, through the callback vigil serve gives), the store's size, and the
 * console's live sessions. Readable with a session holding the config permission (the
 * system administrator) or with the bearer token of `web: {metrics_token}` that a
 * scraper is configured with; both compared in constant time.
 */
#include "web/web_int.h"

#include <microhttpd.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool token_ok(const struct web *w, const char *auth)
{
    if (!w->metrics_token || !auth || strncmp(auth, "Bearer ", 7))
        return false;
    const char *given = auth + 7;
    size_t n = strlen(w->metrics_token);
    return strlen(given) == n && !CRYPTO_memcmp(given, w->metrics_token, n);
}

/* "store.files 3" lines -> vigil_store_files 3 */
static void store_lines(struct buf *out, const char *text)
{
    static const char *const help[][2] = {
        {"files", "Day files of events."}, {"bytes", "Bytes of the store on disk."},
        {"events", "Events stored."}};
    for (size_t i = 0; i < sizeof help / sizeof help[0]; i++) {
        char key[32];
        snprintf(key, sizeof key, "store.%s ", help[i][0]);
        const char *at = strstr(text, key);
        if (!at)
            continue;
        unsigned long long v = strtoull(at + strlen(key), NULL, 10);
        buf_printf(out, "# HELP vigil_store_%s %s\n# TYPE vigil_store_%s gauge\nvigil_store_%s %llu\n",
                   help[i][0], help[i][1], help[i][0], help[i][0], v);
    }
}

/* See web_int.h. */
void web_metrics(struct web_req *r, struct MHD_Response **resp)
{
    const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, WEB_COOKIE);
    r->has_session = cookie && auth_session_get(r->w->auth, cookie, &r->s) == 0;
    bool by_token = token_ok(r->w, MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                                                "Authorization"));
    if (!by_token && !r->has_session) {
        web_error(r, 401, "a session or the metrics bearer token is required");
        return;
    }
    if (!by_token && !auth_can(&r->s, PERM_CONFIG)) {
        web_error(r, 403, "not permitted for this account's roles");
        return;
    }
    struct buf text, st;
    buf_init(&text, 0);
    buf_init(&st, 0);
    if (r->w->metrics)
        (void)r->w->metrics(r->w->metrics_ctx, &text);
    if (store_stats(r->w->st, &st) == 0 && st.p)
        store_lines(&text, buf_cstr(&st));
    buf_printf(&text, "# HELP vigil_console_sessions Live console sessions.\n"
                      "# TYPE vigil_console_sessions gauge\nvigil_console_sessions %zu\n",
               auth_sessions_live(r->w->auth));
    buf_fini(&st);
    if (text.err) {
        buf_fini(&text);
        web_error(r, 500, "the metrics did not fit");
        return;
    }
    *resp = MHD_create_response_from_buffer(text.len, text.p ? text.p : (char *)"",
                                            MHD_RESPMEM_MUST_COPY);
    buf_fini(&text);
    if (*resp) {
        MHD_add_response_header(*resp, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        MHD_add_response_header(*resp, "Cache-Control", "no-store");
    }
    r->status = 200;
}
