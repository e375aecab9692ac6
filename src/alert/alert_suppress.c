/*
 * alert_suppress.c — whether a hit is silenced by a suppression (alert.h): the rule must
 * be the suppression's (or it names any rule), every entity the suppression gives must
 * equal the hit's, and the suppression must not have expired. The list is short (what
 * analysts typed), so it is walked.
 */
#include "alert/alert.h"

#include <string.h>

static bool same(const char *want, struct slice got)
{
    if (!want)
        return true;
    size_t n = strlen(want);
    return got.p && got.len == n && memcmp(got.p, want, n) == 0;
}

/* See alert.h. */
const struct alert_suppression *alert_suppressed(const struct alert_suppression *list, size_t n,
                                                 const struct alert_hit *h, int64_t now_ns)
{
    for (size_t i = 0; i < n; i++) {
        const struct alert_suppression *s = &list[i];
        if (s->expires_ns <= now_ns)
            continue;
        if (strcmp(s->rule_id, "*") != 0 && strcmp(s->rule_id, h->rule_id) != 0)
            continue;
        if (same(s->src_ip, h->src_ip) && same(s->dst_ip, h->dst_ip) && same(s->user, h->user) &&
            same(s->host, h->host))
            return s;
    }
    return NULL;
}
