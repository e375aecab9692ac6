/*
 * out_webhook.c — the webhook output (output.h): each alert is POSTed as one JSON
 * object (output_render_json) to the configured http:// or https:// URL with libcurl,
 * one easy handle per output so the connection is kept alive between alerts. Any 2xx
 * answer is a delivery; anything else (another status, no answer within the timeout, a
 * refused connection) is a failed attempt, retried by out_set.c. Redirects are not
 * followed and only HTTP(S) is allowed, so a receiver cannot bounce the alert (and its
 * headers, e.g. an Authorization) elsewhere.
 */
#include "output/out_curl.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

struct webhook {
    struct out_curl c; /* its list: the request headers */
};

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

static bool has_header(const struct output_cfg *c, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < c->nheaders; i++)
        if (!strncasecmp(c->headers[i], name, n) && c->headers[i][n] == ':')
            return true;
    return false;
}

static void webhook_close(struct output *o)
{
    struct webhook *w = o->priv;
    if (!w)
        return;
    out_curl_close(&w->c);
    mem_free(w);
    o->priv = NULL;
}

static int webhook_open(struct output *o, char *err, size_t errlen)
{
    const struct output_cfg *c = o->cfg;
    struct webhook *w = mem_calloc(1, sizeof *w);
    if (!w)
        return ERR_NOMEM;
    o->priv = w;
    int orc = out_curl_open(&w->c, c, "http,https", err, errlen);
    if (orc)
        return orc;
    if (!has_header(c, "Content-Type") &&
        !out_curl_list_add(&w->c, "Content-Type: application/json"))
        return ERR_NOMEM;
    if (!has_header(c, "User-Agent") &&
        !out_curl_list_add(&w->c, "User-Agent: vigil/" OUTPUT_PRODUCT_VERSION))
        return ERR_NOMEM;
    if (!out_curl_list_add(&w->c, "Expect:")) /* no 100-continue round trip */
        return ERR_NOMEM;
    for (size_t i = 0; i < c->nheaders; i++)
        if (!out_curl_list_add(&w->c, c->headers[i]))
            return ERR_NOMEM;
    CURL *h = w->c.h;
    CURLcode rc = curl_easy_setopt(h, CURLOPT_POST, 1L);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_HTTPHEADER, w->c.list);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    if (rc) {
        snprintf(err, errlen, "output %s: libcurl: %s", c->name, curl_easy_strerror(rc));
        return ERR_INVAL;
    }
    return 0;
}

static int webhook_send(struct output *o, const struct output_alert *a, long timeout_ms, char *why,
                        size_t whylen)
{
    struct webhook *w = o->priv;
    output_render_json(&o->msg, a);
    if (o->msg.err) {
        snprintf(why, whylen, "the alert does not fit in a message");
        return ERR_TOOBIG;
    }
    curl_easy_setopt(w->c.h, CURLOPT_POSTFIELDS, o->msg.p);
    curl_easy_setopt(w->c.h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)o->msg.len);
    int rc = out_curl_perform(&w->c, timeout_ms, why, whylen);
    if (rc)
        return rc;
    long status = 0;
    curl_easy_getinfo(w->c.h, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299) {
        snprintf(why, whylen, "HTTP status %ld", status);
        return ERR_IO;
    }
    return 0;
}

const struct output_sender output_webhook = {
    .type = "webhook",
    .open = webhook_open,
    .send = webhook_send,
    .close = webhook_close,
};
