/*
 * hunt_rates.c — the rate analyzers' findings as `vigil hunt` prints them. Offline the
 * span is what matters, so a rate episode is printed once, when it closes with its whole
 * span; a scan has no close (it reports when its window first holds enough, then at most
 * once per half window while it goes on), so its reports are merged as the daemon's
 * alert merger would — one line per scan, with the first report's start and the last's
 * figures — and printed at the end of the run. At most HUNT_SCANS_HELD scans are held;
 * past that a scan's reports are printed as they come.
 *
 *   jsonl  {"rule":{"id","title","level","tags"},"rate":{"kind","key","target","port",
 *          "first","last","peak","total","baseline","threshold","sources","summary",
 *          "event_ids"}}
 *   table  time  level  title  the figures in words
 */
#include "cli/cli_detect.h"

#include <stdio.h>
#include <string.h>

#define HUNT_SCANS_HELD 4096

/* A scan's merged reports: the last one, with the first one's start. */
struct held_scan {
    enum rate_kind kind;
    char key[RATE_MAX_KEY + 1], target[RATE_MAX_KEY + 1];
    size_t key_len, target_len;
    unsigned port;
    int64_t first_ns, last_ns;
    uint64_t peak, total;
    double threshold;
    uint64_t ids[RATE_SAMPLE_IDS];
    unsigned nids;
};

struct hunt_rates {
    bool table;
    hunt_rates_level_fn on_level;
    void *ctx;
    struct buf out;
    struct held_scan *scans;
    size_t nscans, cap;
};

/* See cli_detect.h. */
struct hunt_rates *hunt_rates_new(bool table, hunt_rates_level_fn on_level, void *ctx)
{
    struct hunt_rates *h = mem_calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->table = table;
    h->on_level = on_level;
    h->ctx = ctx;
    buf_init(&h->out, 0);
    return h;
}

static void print(struct hunt_rates *h, const struct rate_finding *f)
{
    const struct rate_rule *rule = rate_rule_of(f->kind);
    if (!rule)
        return;
    if (h->on_level)
        h->on_level(h->ctx, rule->level);
    char text[400];
    rate_finding_text(f, text, sizeof text);
    struct buf *b = &h->out;
    buf_reset(b);
    if (h->table) {
        char when[40];
        vtime_format(f->first_ns, when, sizeof when);
        buf_printf(b, "%s  %-13s %-50.50s %s", when, rule->level, rule->title, text);
    } else {
        buf_printf(b, "{\"rule\":{\"id\":\"%s\",\"title\":\"%s\",\"level\":\"%s\",\"tags\":[",
                   rule->id, rule->title, rule->level);
        for (unsigned i = 0; i < rule->ntags; i++)
            buf_printf(b, "%s\"%s\"", i ? "," : "", rule->tags[i]);
        buf_printf(b, "]},\"rate\":{\"kind\":\"%s\",\"key\":\"", rate_kind_name(f->kind));
        buf_json_str(b, f->key.p, f->key.len);
        if (f->target.len) {
            buf_puts(b, "\",\"target\":\"");
            buf_json_str(b, f->target.p, f->target.len);
        }
        char first[40], last[40];
        vtime_format(f->first_ns, first, sizeof first);
        vtime_format(f->last_ns, last, sizeof last);
        buf_printf(b,
                   "\",\"port\":%u,\"first\":\"%s\",\"last\":\"%s\",\"peak\":%llu,"
                   "\"total\":%llu,\"baseline\":%.2f,\"threshold\":%.2f,\"sources\":%llu,"
                   "\"summary\":\"",
                   f->port, first, last, (unsigned long long)f->peak,
                   (unsigned long long)f->total, f->mean, f->threshold,
                   (unsigned long long)f->sources);
        buf_json_str(b, text, strlen(text));
        buf_puts(b, "\",\"event_ids\":[");
        for (unsigned i = 0; i < f->nevents; i++)
            buf_printf(b, "%s\"%016llx\"", i ? "," : "", (unsigned long long)f->event_ids[i]);
        buf_puts(b, "]}}");
    }
    buf_putc(b, '\n');
    if (!b->err)
        (void)fwrite(b->p, 1, b->len, stdout);
}

static bool same_scan(const struct held_scan *s, const struct rate_finding *f)
{
    return s->kind == f->kind && s->port == f->port && s->key_len == f->key.len &&
           s->target_len == f->target.len && !memcmp(s->key, f->key.p, f->key.len) &&
           (!f->target.len || !memcmp(s->target, f->target.p, f->target.len));
}

/* Holds scan f (merged into the same scan's earlier report); false when full. */
static bool hold(struct hunt_rates *h, const struct rate_finding *f)
{
    if (f->key.len > RATE_MAX_KEY || f->target.len > RATE_MAX_KEY)
        return false;
    struct held_scan *s = NULL;
    for (size_t i = 0; i < h->nscans && !s; i++)
        if (same_scan(&h->scans[i], f))
            s = &h->scans[i];
    if (!s) {
        if (h->nscans == HUNT_SCANS_HELD ||
            mem_grow((void **)&h->scans, &h->cap, h->nscans, sizeof *h->scans, 16))
            return false;
        s = &h->scans[h->nscans++];
        memset(s, 0, sizeof *s);
        s->kind = f->kind;
        s->port = f->port;
        memcpy(s->key, f->key.p, s->key_len = f->key.len);
        if (f->target.len)
            memcpy(s->target, f->target.p, s->target_len = f->target.len);
        s->first_ns = f->first_ns;
    }
    if (f->first_ns < s->first_ns)
        s->first_ns = f->first_ns;
    s->last_ns = f->last_ns > s->last_ns ? f->last_ns : s->last_ns;
    s->peak = f->peak > s->peak ? f->peak : s->peak;
    s->total = f->total;
    s->threshold = f->threshold;
    s->nids = f->nevents < RATE_SAMPLE_IDS ? f->nevents : RATE_SAMPLE_IDS;
    memcpy(s->ids, f->event_ids, s->nids * sizeof *s->ids);
    return true;
}

/* See cli_detect.h. */
void hunt_rates_finding(void *ctx, const struct rate_finding *f)
{
    struct hunt_rates *h = ctx;
    bool scan = f->kind == RATE_PORT_SCAN || f->kind == RATE_HOST_SWEEP;
    if (scan ? !hold(h, f) : f->phase == RATE_CLOSED)
        print(h, f);
}

/* See cli_detect.h. */
void hunt_rates_flush(struct hunt_rates *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->nscans; i++) {
        const struct held_scan *s = &h->scans[i];
        struct rate_finding f = {
            .kind = s->kind,
            .phase = RATE_CLOSED,
            .key = slice_make(s->key, s->key_len),
            .target = slice_make(s->target, s->target_len),
            .port = s->port,
            .first_ns = s->first_ns,
            .last_ns = s->last_ns,
            .peak = s->peak,
            .total = s->total,
            .threshold = s->threshold,
            .event_ids = s->ids,
            .nevents = s->nids,
        };
        print(h, &f);
    }
    h->nscans = 0;
}

/* See cli_detect.h. */
void hunt_rates_free(struct hunt_rates *h)
{
    if (!h)
        return;
    buf_fini(&h->out);
    mem_free(h->scans);
    mem_free(h);
}
