/*
 * out_email.c — the e-mail output (output.h): each alert becomes one message
 * (output_render_email) sent with libcurl's SMTP client to the configured smtp:// URL
 * (STARTTLS none, try or required) or smtps:// (TLS from the start), with SMTP AUTH when
 * a username is given. libcurl does the dialogue and the dot-stuffing; a message the
 * server does not accept (any error, a timeout) is a failed attempt, retried by
 * out_set.c.
 */
#include "output/out_curl.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

struct email {
    struct out_curl c;     /* its list: the recipients */
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
    out_curl_close(&e->c);
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
    int orc = out_curl_open(&e->c, c, "smtp,smtps", err, errlen);
    if (orc)
        return orc;
    for (size_t i = 0; i < c->nto; i++) {
        char addr[1024];
        snprintf(addr, sizeof addr, "<%s>", c->to[i]);
        if (!out_curl_list_add(&e->c, addr))
            return ERR_NOMEM;
    }
    char from[1024];
    snprintf(from, sizeof from, "<%s>", c->from);
    static const curl_usessl tls[] = {CURLUSESSL_NONE, CURLUSESSL_TRY, CURLUSESSL_ALL};
    CURL *h = e->c.h;
    CURLcode rc = curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_MAIL_RCPT, e->c.list);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_READFUNCTION, read_msg);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_READDATA, e);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_USE_SSL, (long)tls[c->starttls]);
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
    curl_easy_setopt(e->c.h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)o->msg.len);
    return out_curl_perform(&e->c, timeout_ms, why, whylen);
}

const struct output_sender output_email = {
    .type = "email",
    .open = email_open,
    .send = email_send,
    .close = email_close,
};
