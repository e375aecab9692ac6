/*
 * enriching.c — the enrichment the workers add after decoding beyond the asset inventory:
 * geolocation (enrich/geo.h, opened at start, read-only) and the named lists
 * (enrich/lists.h, a refcounted snapshot the writer thread rebuilds when a file changes).
 */
#include "enrich/enrich.h"
#include "enrich/geo.h"
#include "enrich/lists.h"
#include "ingest/ingest_int.h"

#include <stdio.h>

/* See ingest_int.h. */
int ingest_enrich_init(struct ingest *ig, char *err, size_t errlen)
{
    const struct ingest_config *cfg = ig->cfg;
    int rc;
    if (!cfg->geo_off) {
        if ((rc = geo_open(cfg->geo_mmdb, NULL, NULL, &ig->geo, err, errlen)))
            return rc;
        if (ig->geo)
            log_info("geo: %s", geo_describe(ig->geo));
    }
    if (cfg->nlists) {
        struct list_set *s;
        if ((rc = list_set_load(cfg->lists, cfg->nlists, &s, err, errlen)))
            return rc;
        for (size_t i = 0; i < s->n; i++)
            log_info("lists: %s: %zu entries from %s", s->names[i], list_count(s->lists[i]),
                     cfg->lists[i].file);
        list_holder_swap(&ig->lists, s);
        ig->lists_mono = vtime_mono_ns();
    }
    return 0;
}

/* See ingest_int.h. */
void ingest_enrich_event(struct ingest *ig, const struct list_set *lists, struct event *ev,
                         struct arena *arena)
{
    assets_enrich(ig->assets, ev);
    geo_enrich(ig->geo, ev, arena);
    lists_enrich(lists, ev);
}

/* See ingest_int.h. */
void ingest_enrich_tick(struct ingest *ig, int64_t now_mono_ns)
{
    const struct ingest_config *cfg = ig->cfg;
    if (!cfg->nlists || now_mono_ns - ig->lists_mono < LISTS_CHECK_NS)
        return;
    ig->lists_mono = now_mono_ns;
    uint64_t sig = list_files_sig(cfg->lists, cfg->nlists);
    struct list_set *cur = list_holder_acquire(&ig->lists);
    bool same = cur && cur->sig == sig;
    list_set_release(cur);
    if (same || sig == ig->lists_bad_sig)
        return;
    char err[512] = "";
    struct list_set *s;
    int rc = list_set_load(cfg->lists, cfg->nlists, &s, err, sizeof err);
    if (rc) {
        ig->lists_bad_sig = sig; /* said once until the files change again */
        atomic_fetch_add_explicit(&ig->lists_reload_failed, 1, memory_order_relaxed);
        log_error("lists: not reloaded, the previous lists stay in force: %s",
                  err[0] ? err : err_str(rc));
        return;
    }
    size_t total = 0;
    for (size_t i = 0; i < s->n; i++)
        total += list_count(s->lists[i]);
    list_holder_swap(&ig->lists, s);
    atomic_fetch_add_explicit(&ig->lists_reloaded, 1, memory_order_relaxed);
    log_info("lists: reloaded %zu list(s), %zu entries", cfg->nlists, total);
}

/* See ingest_int.h. */
void ingest_enrich_fini(struct ingest *ig)
{
    list_holder_fini(&ig->lists);
    geo_free(ig->geo);
    ig->geo = NULL;
}
