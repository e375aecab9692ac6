/*
 * out_curl.c — the libcurl half of the webhook and e-mail outputs (see out_curl.h).
 */
#include "output/out_curl.h"

#include <stdio.h>

/* See out_curl.h. */
int out_curl_open(struct out_curl *oc, const struct output_cfg *c, const char *protocols, char *err,
                  size_t errlen)
{
    CURLU *u = curl_url();
    CURLUcode uc = u ? curl_url_set(u, CURLUPART_URL, c->url, 0) : CURLUE_OUT_OF_MEMORY;
    curl_url_cleanup(u);
    if (uc != CURLUE_OK) {
        snprintf(err, errlen, "output %s: url '%s': %s", c->name, c->url, curl_url_strerror(uc));
        return ERR_INVAL;
    }
    if (!(oc->h = curl_easy_init()))
        return ERR_NOMEM;
    CURLcode rc = curl_easy_setopt(oc->h, CURLOPT_URL, c->url);
    if (!rc)
        rc = curl_easy_setopt(oc->h, CURLOPT_PROTOCOLS_STR, protocols);
    if (!rc)
        rc = curl_easy_setopt(oc->h, CURLOPT_NOSIGNAL, 1L);
    if (!rc)
        rc = curl_easy_setopt(oc->h, CURLOPT_ERRORBUFFER, oc->errbuf);
    if (rc) {
        snprintf(err, errlen, "output %s: libcurl: %s", c->name, curl_easy_strerror(rc));
        return ERR_INVAL;
    }
    return 0;
}

/* See out_curl.h. */
bool out_curl_list_add(struct out_curl *oc, const char *line)
{
    struct curl_slist *l = curl_slist_append(oc->list, line);
    if (!l)
        return false;
    oc->list = l;
    return true;
}

/* See out_curl.h. */
int out_curl_perform(struct out_curl *oc, long timeout_ms, char *why, size_t whylen)
{
    oc->errbuf[0] = 0;
    curl_easy_setopt(oc->h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(oc->h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    CURLcode rc = curl_easy_perform(oc->h);
    if (rc != CURLE_OK) {
        snprintf(why, whylen, "%s", oc->errbuf[0] ? oc->errbuf : curl_easy_strerror(rc));
        return ERR_IO;
    }
    return 0;
}

/* See out_curl.h. */
void out_curl_close(struct out_curl *oc)
{
    if (oc->h)
        curl_easy_cleanup(oc->h);
    curl_slist_free_all(oc->list);
    oc->h = NULL;
    oc->list = NULL;
}
