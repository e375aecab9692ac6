/*
 * out_webhook.c — the webhook output (output.h): each alert is POSTed as one JSON
 * object (output_render_json) to the configured http:// or https:// URL with libcurl,
 * one easy handle per output so the connection is kept alive between alerts. Any 2xx
 * answer is a delivery; anything else (another status, no answer within the timeout, a
 * refused connection) is a failed attempt, retried by out_set.c. Redirects are not
 * followed and only HTTP(S) is allowed, so a receiver cannot bounce the alert (and its
 * headers, e.g. an Authorization) elsewhere.
 */
#include "output/out_int.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct webhook {
    CURL *h;
    struct curl_slist *headers;
    char errbuf[CURL_ERROR_SIZE];
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
    if (w->h)
        curl_easy_cleanup(w->h);
    curl_slist_free_all(w->headers);
    mem_free(w);
    o->priv = NULL;
}

/* Appends a header line to the list; false when out of memory. */
static bool add_header(struct webhook *w, const char *line)
{
    struct curl_slist *l = curl_slist_append(w->headers, line);
    if (!l)
        return false;
    w->headers = l;
    return true;
}

static int webhook_open(struct output *o, char *err, size_t errlen)
{
    const struct output_cfg *c = o->cfg;
    struct webhook *w = mem_calloc(1, sizeof *w);
    if (!w)
        return ERR_NOMEM;
    o->priv = w;
    CURLU *u = curl_url();
    CURLUcode uc = u ? curl_url_set(u, CURLUPART_URL, c->url, 0) : CURLUE_OUT_OF_MEMORY;
    curl_url_cleanup(u);
    if (uc != CURLUE_OK) {
        snprintf(err, errlen, "output %s: url '%s': %s", c->name, c->url, curl_url_strerror(uc));
        return ERR_INVAL;
    }
    if (!(w->h = curl_easy_init()))
        return ERR_NOMEM;
    if (!has_header(c, "Content-Type") && !add_header(w, "Content-Type: application/json"))
        return ERR_NOMEM;
    if (!has_header(c, "User-Agent") && !add_header(w, "User-Agent: vigil/" OUTPUT_PRODUCT_VERSION))
        return ERR_NOMEM;
    if (!add_header(w, "Expect:")) /* no 100-continue round trip */
        return ERR_NOMEM;
    for (size_t i = 0; i < c->nheaders; i++)
        if (!add_header(w, c->headers[i]))
            return ERR_NOMEM;
    CURL *h = w->h;
    CURLcode rc = CURLE_OK;
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_URL, c->url);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_POST, 1L);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_HTTPHEADER, w->headers);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_ERRORBUFFER, w->errbuf);
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
    w->errbuf[0] = 0;
    curl_easy_setopt(w->h, CURLOPT_POSTFIELDS, o->msg.p);
    curl_easy_setopt(w->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)o->msg.len);
    curl_easy_setopt(w->h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(w->h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    CURLcode rc = curl_easy_perform(w->h);
    if (rc != CURLE_OK) {
        snprintf(why, whylen, "%s", w->errbuf[0] ? w->errbuf : curl_easy_strerror(rc));
        return ERR_IO;
    }
    long status = 0;
    curl_easy_getinfo(w->h, CURLINFO_RESPONSE_CODE, &status);
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
