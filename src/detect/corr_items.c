/*
 * corr_items.c — the worker's half of correlation: a match of a rule that correlations
 * refer to becomes one small corr_item per correlation (group-by values, the counted
 * value, time and id), so the correlator never sees the event itself.
 */
#include "detect/corr_int.h"

#include <string.h>

/* See corr_int.h. */
size_t corr_key_put(char *k, size_t len, struct slice v)
{
    /* len counts the values and their 2-byte lengths: the values stay within
     * CORR_MAX_KEY, the whole within CORR_KEY_BUF (at most CORR_MAX_GROUP_BY + 1 values) */
    size_t room = len < CORR_MAX_KEY ? CORR_MAX_KEY - len : 0;
    size_t n = v.len < room ? v.len : room;
    k[len] = (char)(n >> 8);
    k[len + 1] = (char)(n & 0xff);
    memcpy(k + len + 2, v.p, n);
    return len + 2 + n;
}

/* See correlate.h. */
bool corr_key_value(struct slice key, unsigned i, struct slice *out)
{
    size_t off = 0;
    for (unsigned k = 0;; k++) {
        if (off + 2 > key.len)
            return false;
        size_t n = ((size_t)(unsigned char)key.p[off] << 8) | (unsigned char)key.p[off + 1];
        if (off + 2 + n > key.len)
            return false;
        if (k == i) {
            *out = (struct slice){key.p + off + 2, n};
            return true;
        }
        off += 2 + n;
    }
}

/* See correlate.h. */
size_t corr_items_of(const struct detect_rules *rs, size_t rule, const struct event *ev,
                     struct arena *a, struct corr_item *out, size_t max, size_t *missing)
{
    size_t n = 0, miss = 0;
    unsigned nuses = rs->nuses ? rs->nuses[rule] : 0;
    for (unsigned u = 0; u < nuses && n < max; u++) {
        const struct corr_use *use = &rs->uses[rule][u];
        const struct sigma_corr *c = &rs->corrs[use->corr];
        const struct corr_ref *ref = &c->refs[use->slot];
        char key[CORR_KEY_BUF];
        size_t klen = 0;
        bool ok = true;
        for (unsigned k = 0; k < c->ngroup_by && ok; k++) {
            struct slice v;
            const char *f = ref->fields[k];
            ok = event_get_named(ev, (struct slice){f, strlen(f)}, &v) && v.len > 0;
            if (ok)
                klen = corr_key_put(key, klen, v);
        }
        uint64_t value = 0;
        if (ok && c->value_field) {
            struct slice v;
            const char *f = ref->fields[c->ngroup_by];
            ok = event_get_named(ev, (struct slice){f, strlen(f)}, &v) && v.len > 0;
            if (ok)
                value = hash64(v.p, v.len, rs->corr_seed) | 1;
        }
        if (!ok) {
            miss++;
            continue;
        }
        char *kp = klen ? arena_dup(a, key, klen) : NULL;
        if (klen && !kp)
            break;
        out[n++] = (struct corr_item){
            .time_ns = ev->time_ns,
            .received_ns = ev->received_ns,
            .event_id = ev->id,
            .corr = use->corr,
            .slot = use->slot,
            .group = hash_mix(hash64(key, klen, rs->corr_seed), use->corr),
            .value = value,
            .key = {kp, klen},
        };
    }
    if (missing)
        *missing = miss;
    return n;
}
