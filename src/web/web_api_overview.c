/*
 * web_api_overview.c — GET /api/v1/overview?range=1h|24h|7d|30d: the store's alert
 * figures (store_overview_json) plus what the store does not aggregate itself: events
 * over time (counted from the events in the range, newest first, for at most about a
 * second and WEB_HISTOGRAM_CAP events: "capped" and "counted_from" say where a count cut
 * short stopped), the countries of the alerts' source
 * addresses (geolocation), and the log sources silent for an hour.
 */
#include "enrich/geo.h"
#include "web/web_int.h"

#include <stdlib.h>
#include <string.h>

#define WEB_HISTOGRAM_CAP 200000
#define WEB_HISTOGRAM_NS (NS_PER_SEC) /* time spent counting, at most (about) */
#define WEB_HISTOGRAM_PAGE 1000
#define WEB_BUCKETS 24

struct hist {
    int64_t from, bucket;
    uint64_t counts[WEB_BUCKETS];
    size_t seen;
    int64_t oldest;   /* the oldest event counted */
    int64_t deadline; /* monotonic: stop counting */
    bool out_of_time;
};

static int count_row(void *ctx, const struct store_row *row)
{
    struct hist *h = ctx;
    int64_t k = (row->time_ns - h->from) / h->bucket;
    if (k >= 0 && k < WEB_BUCKETS)
        h->counts[k]++;
    h->oldest = row->time_ns;
    if (++h->seen % 256 == 0 && vtime_mono_ns() > h->deadline)
        h->out_of_time = true;
    return h->seen >= WEB_HISTOGRAM_CAP || h->out_of_time;
}

/* See web_int.h. Counts events of q in WEB_BUCKETS buckets of [from, to). */
int web_histogram(struct web *w, const struct query_node *q, int64_t from, int64_t to,
                  json_t **out)
{
    struct hist h = {.from = from, .bucket = (to - from) / WEB_BUCKETS};
    if (h.bucket <= 0)
        h.bucket = 1;
    struct query_node *all = NULL;
    char err[64];
    if (!q && store_query_parse("", &all, err, sizeof err))
        return ERR_NOMEM;
    struct store_query sq = {
        .root = q ? q : all, .from_ns = from, .to_ns = to, .limit = WEB_HISTOGRAM_PAGE};
    int rc = 0;
    bool more = false;
    h.deadline = vtime_mono_ns() + WEB_HISTOGRAM_NS;
    for (;;) {
        struct store_cursor next = {0};
        size_t before = h.seen;
        if ((rc = store_query(w->st, &sq, count_row, &h, &next)))
            break;
        more = next.valid && h.seen > before;
        if (!more || h.seen >= WEB_HISTOGRAM_CAP || h.out_of_time ||
            vtime_mono_ns() > h.deadline)
            break;
        sq.after = next;
    }
    store_query_free(all);
    json_t *o = json_object(), *a = json_array();
    for (int i = 0; i < WEB_BUCKETS; i++)
        json_array_append_new(a, json_integer((json_int_t)h.counts[i]));
    json_object_set_new(o, "counts", a);
    json_object_set_new(o, "from", json_integer(from));
    json_object_set_new(o, "bucket_ns", json_integer(h.bucket));
    /* newest first: a count cut short covers [counted_from, to) */
    json_object_set_new(o, "capped", json_boolean(more));
    json_object_set_new(o, "counted_from", json_integer(more ? h.oldest : from));
    *out = o;
    return rc;
}

static int64_t range_ns(const char *r)
{
    static const struct {
        const char *name;
        int64_t s;
    } ranges[] = {{"1h", 3600}, {"24h", 86400}, {"7d", 7 * 86400}, {"30d", 30 * 86400}};
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if (r && !strcmp(r, ranges[i].name))
            return ranges[i].s * NS_PER_SEC;
    return r ? -1 : 86400 * NS_PER_SEC;
}

static void add_countries(const struct geo *g, json_t *o)
{
    json_t *countries = json_object();
    json_t *addrs = json_object_get(o, "source_addresses");
    size_t i;
    json_t *v;
    json_array_foreach(addrs, i, v)
    {
        const char *ip = json_string_value(json_object_get(v, "value"));
        struct geo_result r;
        if (!g || !ip || !geo_lookup(g, slice_cstr(ip), &r) || !r.country.len || r.country.len > 3)
            continue;
        char cc[4];
        memcpy(cc, r.country.p, r.country.len);
        cc[r.country.len] = '\0';
        json_int_t hits = json_integer_value(json_object_get(v, "hits"));
        json_int_t had = json_integer_value(json_object_get(countries, cc));
        json_object_set_new(countries, cc, json_integer(had + hits));
    }
    json_object_set_new(o, "countries", countries);
    json_object_del(o, "source_addresses");
}

struct silent {
    json_t *list;
    int64_t before;
};

static int silent_source(void *ctx, const struct store_source *s)
{
    struct silent *si = ctx;
    if (s->last_ns < si->before && json_array_size(si->list) < 50) {
        json_t *e = json_object();
        json_object_set_new(e, "input", json_string(s->input));
        json_object_set_new(e, "host", json_string(s->host));
        json_object_set_new(e, "last_seen", json_integer(s->last_ns));
        json_array_append_new(si->list, e);
    }
    return 0;
}

/* See web_int.h. */
void web_api_overview(struct web_req *r)
{
    int64_t span = range_ns(web_query(r, "range"));
    if (span < 0) {
        web_error(r, 400, "range: 1h, 24h, 7d or 30d");
        return;
    }
    int64_t to = vtime_now_ns(), from = to - span;
    struct buf b;
    buf_init(&b, 0);
    int rc = store_overview_json(r->w->st, from, to, span / WEB_BUCKETS, &b);
    json_error_t je;
    json_t *o = rc ? NULL : json_loadb(b.p, b.len, 0, &je);
    buf_fini(&b);
    json_t *hist = NULL;
    if (!o || web_histogram(r->w, NULL, from, to, &hist)) {
        json_decref(o);
        json_decref(hist);
        web_error(r, 500, "the overview cannot be computed");
        return;
    }
    json_object_set_new(o, "events_over_time", hist);
    add_countries(r->w->geo, o);
    struct silent si = {json_array(), to - 3600 * NS_PER_SEC};
    (void)store_sources_list(r->w->st, silent_source, &si);
    json_object_set_new(o, "silent_sources", si.list);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!text) {
        web_error(r, 500, "out of memory");
        return;
    }
    buf_puts(&r->out, text);
    free(text);
    web_personal_data(r, "overview");
}
