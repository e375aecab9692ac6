/*
 * out_curl.h — what the libcurl outputs (out_webhook.c, out_email.c) share: one easy
 * handle per output (connections kept alive between alerts), a header or recipient
 * list, the error buffer, the URL check at open and one attempt at send.
 */
#ifndef VIGIL_OUT_CURL_H
#define VIGIL_OUT_CURL_H

#include "output/out_int.h"

#include <curl/curl.h>

struct out_curl {
    CURL *h;
    struct curl_slist *list; /* headers (webhook) or recipients (e-mail) */
    char errbuf[CURL_ERROR_SIZE];
};

/* Checks c's URL and makes the handle, restricted to protocols ("http,https"), with no
 * signals and the error buffer set; err gets a reason (ERR_INVAL, ERR_NOMEM). */
int out_curl_open(struct out_curl *oc, const struct output_cfg *c, const char *protocols, char *err,
                  size_t errlen);
/* Appends line to the list; false when out of memory. */
bool out_curl_list_add(struct out_curl *oc, const char *line);
/* One transfer with the options set, within timeout_ms: 0, or ERR_IO with libcurl's
 * reason in why. */
int out_curl_perform(struct out_curl *oc, long timeout_ms, char *why, size_t whylen);
/* Frees the handle and the list. */
void out_curl_close(struct out_curl *oc);

#endif
