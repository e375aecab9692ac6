/*
 * out_email.c — the e-mail output (output.h): each alert becomes one message
 * (output_render_email) sent with libcurl's SMTP client to the configured smtp:// URL
 * (STARTTLS none, try or required) or smtps:// (TLS from the start), with SMTP AUTH when
 * a username is given. libcurl does the dialogue and the dot-stuffing; a message the
 * server does not accept (any error, a timeout) is a failed attempt, retried by
 * out_set.c.
 */
#include "output/out_int.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

struct email {
    CURL *h;
    struct curl_slist *rcpt;
    char errbuf[CURL_ERROR_SIZE];
    const struct buf *msg; /* the message being uploaded */
    size_t off;
};

static size_t read_msg(char *p, size_t size, size_t n, void *ctx)
{
    struct email *e = ctx;
    size_t room = size * n, left = e->msg->len - e->off;
    size_t k = left < room ? left : room;
    memcpy(p, e->msg->p + e->off, k);
    e->off += k;
    return k;
}

static void email_close(struct output *o)
{
    struct email *e = o->priv;
    if (!e)
        return;
    if (e->h)
        curl_easy_cleanup(e->h);
    curl_slist_free_all(e->rcpt);
    mem_free(e);
    o->priv = NULL;
}

static int email_open(struct output *o, char *err, size_t errlen)
{
    const struct output_cfg *c = o->cfg;
    struct email *e = mem_calloc(1, sizeof *e);
    if (!e)
        return ERR_NOMEM;
    o->priv = e;
    CURLU *u = curl_url();
    CURLUcode uc = u ? curl_url_set(u, CURLUPART_URL, c->url, 0) : CURLUE_OUT_OF_MEMORY;
    curl_url_cleanup(u);
    if (uc != CURLUE_OK) {
        snprintf(err, errlen, "output %s: url '%s': %s", c->name, c->url, curl_url_strerror(uc));
        return ERR_INVAL;
    }
    for (size_t i = 0; i < c->nto; i++) {
        char addr[1024];
        snprintf(addr, sizeof addr, "<%s>", c->to[i]);
        struct curl_slist *l = curl_slist_append(e->rcpt, addr);
        if (!l)
            return ERR_NOMEM;
        e->rcpt = l;
    }
    if (!(e->h = curl_easy_init()))
        return ERR_NOMEM;
    char from[1024];
    snprintf(from, sizeof from, "<%s>", c->from);
    static const curl_usessl tls[] = {CURLUSESSL_NONE, CURLUSESSL_TRY, CURLUSESSL_ALL};
    CURL *h = e->h;
    CURLcode rc = curl_easy_setopt(h, CURLOPT_URL, c->url);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_MAIL_RCPT, e->rcpt);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_READFUNCTION, read_msg);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_READDATA, e);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_USE_SSL, (long)tls[c->starttls]);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_ERRORBUFFER, e->errbuf);
    if (!rc && c->username)
        rc = curl_easy_setopt(h, CURLOPT_USERNAME, c->username);
    if (!rc && c->password)
        rc = curl_easy_setopt(h, CURLOPT_PASSWORD, c->password);
    if (rc) {
        snprintf(err, errlen, "output %s: libcurl: %s", c->name, curl_easy_strerror(rc));
        return ERR_INVAL;
    }
    return 0;
}

static int email_send(struct output *o, const struct output_alert *a, long timeout_ms, char *why,
                      size_t whylen)
{
    struct email *e = o->priv;
    output_render_email(&o->msg, o->cfg, a, o->hostname, vtime_now_ns());
    if (o->msg.err) {
        snprintf(why, whylen, "the alert does not fit in a message");
        return ERR_TOOBIG;
    }
    e->msg = &o->msg;
    e->off = 0;
    e->errbuf[0] = 0;
    curl_easy_setopt(e->h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)o->msg.len);
    curl_easy_setopt(e->h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(e->h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    CURLcode rc = curl_easy_perform(e->h);
    if (rc != CURLE_OK) {
        snprintf(why, whylen, "%s", e->errbuf[0] ? e->errbuf : curl_easy_strerror(rc));
        return ERR_IO;
    }
    return 0;
}

const struct output_sender output_email = {
    .type = "email",
    .open = email_open,
    .send = email_send,
    .close = email_close,
};
