/*
 * corr_json.c — a correlation hit as the JSON line `vigil hunt` prints and alerts keep:
 *   {"rule":{"id","title","level","tags","file"},"correlation":{"type","group":{field:
 *   value,...},"count","first","last","timespan","events":[id,...]}}
 */
#include "detect/corr_int.h"

#include <string.h>

static void json_str(struct buf *b, const char *s, size_t n)
{
    buf_putc(b, '"');
    buf_json_str(b, s, n);
    buf_putc(b, '"');
}

/* See correlate.h. */
int detect_corr_hit_json(const struct detect_rules *rs, const struct corr_hit *h, struct buf *b)
{
    const struct sigma_corr *c = &rs->corrs[h->corr];
    const struct sigma_rule *m = &c->meta;
    buf_puts(b, "{\"rule\":{\"id\":");
    json_str(b, m->id, strlen(m->id));
    buf_puts(b, ",\"title\":");
    json_str(b, m->title, strlen(m->title));
    buf_printf(b, ",\"level\":\"%s\",\"tags\":[", sigma_level_name(m->level));
    for (unsigned i = 0; i < m->ntags; i++) {
        if (i)
            buf_putc(b, ',');
        json_str(b, m->tags[i], strlen(m->tags[i]));
    }
    buf_puts(b, "],\"file\":");
    json_str(b, m->file, strlen(m->file));
    buf_printf(b, "},\"correlation\":{\"type\":\"%s\",\"group\":{", corr_type_name(c->type));
    for (unsigned i = 0; i < c->ngroup_by; i++) {
        struct slice v = SLICE_NULL;
        corr_key_value(h->key, i, &v);
        if (i)
            buf_putc(b, ',');
        json_str(b, c->group_by[i], strlen(c->group_by[i]));
        buf_putc(b, ':');
        json_str(b, v.p ? v.p : "", v.len);
    }
    char first[40], last[40];
    vtime_format(h->first_ns, first, sizeof first);
    vtime_format(h->last_ns, last, sizeof last);
    buf_printf(b,
               "},\"count\":%llu,\"first\":\"%s\",\"last\":\"%s\",\"timespan_s\":%lld,"
               "\"events\":[",
               (unsigned long long)h->count, first, last,
               (long long)(c->timespan_ns / 1000000000LL));
    for (unsigned i = 0; i < h->nevents; i++)
        buf_printf(b, "%s\"%016llx\"", i ? "," : "", (unsigned long long)h->event_ids[i]);
    buf_puts(b, "]}}");
    return b->err;
}
