/*
 * rules_state.c — rules switched off and on from the console without editing their
 * files: a sorted set of the 64-bit hashes of the rule ids switched off, kept in
 * vigil.db's settings (rules.disabled, one id per line) so it outlives restarts and
 * reloads, and checked per match by the workers (a read lock and a binary search: the
 * cost falls on matches, not on events). A switched-off rule neither alerts nor feeds
 * correlations. Also the list of loaded rules for the console, with each rule's matches
 * and its sampled cost (detect_cost.c).
 */
#include "ingest/ingest_int.h"

#include <stdlib.h>
#include <string.h>

#define DISABLED_KEY "rules.disabled"
#define DISABLED_MAX 10000

static uint64_t id_hash(const char *id)
{
    return hash64(id, strlen(id), 0x5e1ec7ed);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Rebuilds the hash set from the newline-separated ids (caller holds the write lock). */
static int set_from_text(struct ingest *ig, const char *text)
{
    size_t n = 0;
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        n++;
    uint64_t *v = n ? mem_alloc(n * sizeof *v) : NULL;
    if (n && !v)
        return ERR_NOMEM;
    size_t k = 0;
    for (const char *p = text; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len)
            v[k++] = hash64(p, len, 0x5e1ec7ed);
        p = nl ? nl + 1 : NULL;
    }
    if (k)
        qsort(v, k, sizeof *v, cmp_u64);
    mem_free(ig->disabled);
    ig->disabled = v;
    ig->ndisabled = k;
    return 0;
}

/* See ingest_int.h. */
int ingest_rules_state_load(struct ingest *ig)
{
    pthread_rwlock_init(&ig->disabled_lock, NULL);
    char *text = ig->st ? store_setting_get(ig->st, DISABLED_KEY) : NULL;
    int rc = text ? set_from_text(ig, text) : 0;
    mem_free(text);
    return rc;
}

/* See ingest_int.h. */
void ingest_rules_state_free(struct ingest *ig)
{
    mem_free(ig->disabled);
    ig->disabled = NULL;
    ig->ndisabled = 0;
    pthread_rwlock_destroy(&ig->disabled_lock);
}

/* See ingest_int.h. */
bool ingest_rule_disabled(struct ingest *ig, const struct detect_rules *rules, size_t rule)
{
    if (!__atomic_load_n(&ig->ndisabled, __ATOMIC_RELAXED))
        return false;
    struct detect_rule_info ri;
    detect_rule_info(rules, rule, &ri);
    if (!ri.id)
        return false;
    uint64_t h = id_hash(ri.id);
    pthread_rwlock_rdlock(&ig->disabled_lock);
    bool off = ig->ndisabled && bsearch(&h, ig->disabled, ig->ndisabled, sizeof h, cmp_u64);
    pthread_rwlock_unlock(&ig->disabled_lock);
    return off;
}

/* See ingest.h. */
int ingest_rule_switch(struct ingest *ig, const char *id, bool off)
{
    if (!id || !*id || strchr(id, '\n') || strlen(id) > 256 || !ig->st)
        return ERR_INVAL;
    struct buf text;
    buf_init(&text, 0);
    char *old = store_setting_get(ig->st, DISABLED_KEY);
    size_t n = 0;
    bool had = false;
    for (const char *p = old; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        bool same = len == strlen(id) && !memcmp(p, id, len);
        had |= same;
        if (len && !same) {
            buf_append(&text, p, len);
            buf_putc(&text, '\n');
            n++;
        }
        p = nl ? nl + 1 : NULL;
    }
    mem_free(old);
    if (off) {
        buf_puts(&text, id);
        buf_putc(&text, '\n');
        n++;
    }
    int rc = n > DISABLED_MAX ? ERR_FULL : text.err;
    if (!rc && had != off)
        rc = store_setting_put(ig->st, DISABLED_KEY, buf_cstr(&text) ? buf_cstr(&text) : "");
    if (!rc) {
        pthread_rwlock_wrlock(&ig->disabled_lock);
        rc = set_from_text(ig, text.p ? buf_cstr(&text) : "");
        pthread_rwlock_unlock(&ig->disabled_lock);
    }
    buf_fini(&text);
    return rc;
}

/* See ingest.h. */
int ingest_rules_json(struct ingest *ig, struct buf *b)
{
    struct detect_engine *e = detect_engine_acquire(&ig->rules);
    buf_puts(b, "{\"rules\":[");
    size_t n = e ? detect_rules_count(e->rules) : 0;
    for (size_t i = 0; i < n; i++) {
        struct detect_rule_info ri;
        detect_rule_info(e->rules, i, &ri);
        buf_printf(b, "%s{\"disabled\":%s", i ? "," : "",
                   ingest_rule_disabled(ig, e->rules, i) ? "true" : "false");
        buf_json_member(b, "id", ri.id, ri.id ? strlen(ri.id) : 0);
        buf_json_member(b, "title", ri.title, ri.title ? strlen(ri.title) : 0);
        buf_json_member(b, "level", ri.level, ri.level ? strlen(ri.level) : 0);
        buf_json_member(b, "status", ri.status, ri.status ? strlen(ri.status) : 0);
        buf_json_member(b, "file", ri.file, ri.file ? strlen(ri.file) : 0);
        buf_puts(b, ",\"tags\":[");
        for (unsigned t = 0; t < ri.ntags; t++) {
            buf_puts(b, t ? ",\"" : "\"");
            buf_json_str(b, ri.tags[t], strlen(ri.tags[t]));
            buf_putc(b, '"');
        }
        const struct detect_rule_stats *st = &e->stats[i];
        uint64_t evals = atomic_load_explicit(&st->evals, memory_order_relaxed);
        uint64_t ns = atomic_load_explicit(&st->eval_ns, memory_order_relaxed);
        buf_printf(b, "],\"matches\":%llu,\"cost_samples\":%llu",
                   (unsigned long long)atomic_load_explicit(&st->matches, memory_order_relaxed),
                   (unsigned long long)evals);
        if (evals)
            buf_printf(b, ",\"cost_ns\":%llu", (unsigned long long)(ns / evals));
        buf_puts(b, "}");
    }
    buf_printf(b, "],\"refused\":%zu,\"correlations\":%zu}", e ? e->nrefusals : (size_t)0,
               e ? e->load.correlations : (size_t)0);
    detect_engine_release(e);
    return b->err;
}
