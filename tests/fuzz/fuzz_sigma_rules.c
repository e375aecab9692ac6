/*
 * fuzz_sigma_rules.c — libFuzzer target for the Sigma loader: any bytes as the YAML
 * text of a rule file (multi-document), through the YAML parser, the metadata, the
 * identifiers, every modifier and the condition; each loaded rule is then evaluated
 * against a few decoded events by the reference evaluator and by the compiled matcher
 * (twice, the second time through its memo of values).
 * Loading must never crash or leak; each refusal must come with a reason; a loaded set
 * must compile, and both engines must give the same matches in the same order.
 * Correlation documents among them then run: the matches become items
 * (corr_items_of) fed to a small correlator at shifting, partly out-of-order times, and
 * every hit is rendered as JSON.
 */
#include "core/core.h"
#include "decode/decode.h"
#include "detect/detect.h"
#include "event/event.h"

#include <stdlib.h>
#include <string.h>

static const char *const lines[] = {
    "Sep  5 02:00:00 web01 sshd[17049]: Failed password for invalid user ftp from "
    "198.51.100.4 port 6721 ssh2",
    "203.0.113.5 - - [05/Sep/2024:02:00:00 +0000] \"GET /x?q=1%27 HTTP/1.1\" 404 22 \"-\" "
    "\"sqlmap/1.7\"",
    "{\"EventID\": 4688, \"CommandLine\": \"cmd.exe /c whoami\", \"Image\": "
    "\"C:\\\\Windows\\\\System32\\\\cmd.exe\"}",
    "{\"EventID\": \"1\", \"CommandLine\": \"CAF\u00c9 \u212a cmd.exe cmd.exe\", \"User\": "
    "\"\u00c9cole\\\\Admin\", \"Hashes\": \"MD5=00FF,SHA1=AB\", \"Image\": \"\"}",
};
#define NLINES (sizeof lines / sizeof lines[0])

static struct event evs[NLINES];

static void on_refusal(void *ctx, const struct detect_refusal *r)
{
    (void)ctx;
    if (!r->reason || !*r->reason || !r->id || !r->file)
        abort();
}

struct hits {
    size_t rule[64];
    size_t n;
};

static int on_match(void *ctx, size_t rule, const struct event *ev)
{
    (void)ev;
    struct hits *h = ctx;
    if (h->n < 64)
        h->rule[h->n++] = rule;
    return 0;
}

static void on_hit(void *ctx, const struct corr_hit *h)
{
    const struct detect_rules *rs = ctx;
    if (h->corr >= detect_corr_count(rs) || h->nevents > CORR_SAMPLE_IDS)
        abort();
    struct buf b;
    buf_init(&b, 1 << 20);
    detect_corr_hit_json(rs, h, &b);
    buf_fini(&b);
}

struct feed {
    const struct detect_rules *rs;
    struct correlator *c;
    struct arena *arena;
};

static int feed_match(void *ctx, size_t rule, const struct event *ev)
{
    struct feed *f = ctx;
    struct corr_item items[16];
    size_t n = corr_items_of(f->rs, rule, ev, f->arena, items, 16, NULL);
    for (size_t i = 0; i < n; i++)
        (void)correlator_push(f->c, &items[i]);
    return 0;
}

/* Runs rs's correlations over rounds of the events at shifting times. */
static void correlate(const struct detect_rules *rs)
{
    struct arena keys; /* the items' keys: freed with the run */
    arena_init(&keys, 1 << 12, 1 << 20);
    struct arena *arena = &keys;
    struct correlator_opts o = {
        .lateness_ns = 5000000000LL, .max_groups = 64, .max_bytes = 1 << 20, .max_pending = 32};
    struct correlator *c = correlator_new(rs, &o, on_hit, (void *)rs);
    if (!c) {
        arena_fini(&keys);
        return;
    }
    struct feed f = {rs, c, arena};
    static const int64_t offsets_s[] = {0, 1, 30, 2, 61, 3600, 3599, 90000, 5, 90001};
    for (size_t k = 0; k < sizeof offsets_s / sizeof offsets_s[0]; k++)
        for (size_t i = 0; i < NLINES; i++) {
            struct event ev = evs[i];
            ev.time_ns += offsets_s[k] * 1000000000LL;
            ev.received_ns = ev.time_ns;
            ev.id = k * NLINES + i;
            detect_match_all(rs, &ev, feed_match, &f);
        }
    correlator_flush(c);
    correlator_free(c);
    arena_fini(&keys);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    static struct decode_ctx *dc;
    static struct arena arena;
    if (!init) {
        field_registry_init();
        if (decode_ctx_new(&dc))
            abort();
        arena_init(&arena, 1 << 16, 1 << 22);
        for (size_t i = 0; i < NLINES; i++) {
            struct decode_source src = {0};
            event_reset(&evs[i]);
            decode_record(dc, &src, &arena, lines[i], strlen(lines[i]), 1725501600000000000LL,
                          &evs[i]);
            evs[i].routes = ~0ULL; /* let every rule see every event */
        }
        init = true;
    }
    if (size > (1 << 20))
        return 0;
    struct detect_rules *rs = NULL;
    struct detect_load_stats st;
    if (detect_rules_load_text(NULL, "fuzz.yml", (const char *)data, size, on_refusal, NULL, &rs,
                               &st) != 0)
        return 0;
    if (detect_rules_count(rs) != st.rules)
        abort();
    struct detect_matcher *m = NULL;
    struct detect_scratch *s = NULL;
    char err[256];
    int rc = detect_matcher_compile(rs, &m, NULL, err, sizeof err);
    if (rc == ERR_NOMEM) {
        detect_rules_free(rs);
        return 0;
    }
    if (rc || !(s = detect_scratch_new(m)))
        abort(); /* a set that loaded must compile */
    /* twice over: the second pass finds each value in the matcher's memo */
    for (size_t i = 0; i < 2 * NLINES; i++) {
        struct hits ref = {{0}, 0}, got = {{0}, 0};
        const struct event *ev = &evs[i % NLINES];
        detect_match_all(rs, ev, on_match, &ref);
        if (detect_match(m, s, ev, on_match, &got) != 0 || got.n != ref.n ||
            memcmp(got.rule, ref.rule, got.n * sizeof got.rule[0]) != 0)
            abort(); /* the compiled matcher disagrees with the reference */
    }
    if (detect_corr_count(rs))
        correlate(rs);
    detect_scratch_free(s);
    detect_matcher_free(m);
    detect_rules_free(rs);
    return 0;
}
