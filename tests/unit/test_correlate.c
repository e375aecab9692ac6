/*
 * test_correlate.c — Sigma correlation rules end to end below the CLI: YAML loaded with
 * the rules they refer to, events matched (reference evaluator), matches turned into
 * items (corr_items_of) and fed to a correlator, hits compared with what the rule
 * means. Timed scenarios: a brute force of 8 failures in 2 minutes fires once and
 * 7 do not; the window slides (its edge is inclusive); replaying faster or shuffled
 * within the lateness gives the same hits; value_count, temporal, temporal_ordered,
 * chaining, aliases, conditions judged at a window's end; the caps evict the oldest
 * group first and count it; documents Vigil cannot honour are refused with a reason.
 */
#include "core/core.h"
#include "detect/corr_int.h"
#include "detect/detect.h"
#include "event/event.h"
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S(n) ((int64_t)(n)*1000000000LL)
#define T0 S(1795600800) /* 2026-11-25T10:00:00Z */

static const char *const ssh_rules =
    "title: ssh failure\nid: r-fail\nname: ssh_fail\nlogsource: {product: linux, service: sshd}\n"
    "detection:\n  sel: {outcome: failure}\n  condition: sel\n---\n"
    "title: ssh success\nid: r-ok\nname: ssh_ok\nlogsource: {product: linux, service: sshd}\n"
    "detection:\n  sel: {outcome: success}\n  condition: sel\n---\n"
    "title: brute force\nid: c-brute\nname: ssh_brute\nlevel: high\n"
    "correlation:\n  type: event_count\n  rules: ssh_fail\n  group-by: src_ip\n"
    "  timespan: 2m\n  condition: {gte: 8}\n---\n"
    "title: brute force then success\nid: c-then\nlevel: critical\n"
    "correlation:\n  type: temporal_ordered\n  rules: [ssh_brute, ssh_ok]\n  group-by: [src_ip]\n"
    "  timespan: 10m\n  generate: true\n";

static struct detect_rules *rs;
static struct correlator *corr;
static struct arena arena;
static struct buf hits; /* one JSON line per hit */
static unsigned nhits;

static void on_hit(void *ctx, const struct corr_hit *h)
{
    (void)ctx;
    nhits++;
    detect_corr_hit_json(rs, h, &hits);
    buf_putc(&hits, '\n');
}

static bool load(const char *yaml, size_t expect_refused)
{
    correlator_free(corr);
    detect_rules_free(rs);
    corr = NULL;
    rs = NULL;
    struct detect_load_stats st;
    if (detect_rules_load_text(NULL, "t.yml", yaml, strlen(yaml), NULL, NULL, &rs, &st) != 0)
        return false;
    if (st.refused != expect_refused)
        return false;
    return true;
}

static bool start(const struct correlator_opts *o)
{
    correlator_free(corr);
    buf_reset(&hits);
    nhits = 0;
    corr = correlator_new(rs, o, on_hit, NULL);
    return corr != NULL;
}

struct feed {
    size_t missing;
};

static int on_match(void *ctx, size_t rule, const struct event *ev)
{
    struct feed *f = ctx;
    struct corr_item items[8];
    size_t miss = 0;
    size_t n = corr_items_of(rs, rule, ev, &arena, items, 8, &miss);
    f->missing += miss;
    for (size_t i = 0; i < n; i++)
        correlator_push(corr, &items[i]);
    return 0;
}

/* An sshd event at time t (received at recv) from src with the outcome. */
static size_t feed_ssh(int64_t t, int64_t recv, const char *src, const char *user,
                       const char *outcome, uint64_t id)
{
    struct event ev;
    event_reset(&ev);
    ev.routes = ROUTE_BIT(route_by_name("linux/sshd"));
    ev.time_ns = t;
    ev.received_ns = recv;
    ev.id = id;
    ev.raw = ev.text = slice_cstr("x");
    if (src)
        event_add(&ev, FIELD_src_ip, slice_cstr(src));
    if (user)
        event_add(&ev, FIELD_user, slice_cstr(user));
    event_add(&ev, FIELD_outcome, slice_cstr(outcome));
    struct feed f = {0};
    detect_match_all(rs, &ev, on_match, &f);
    arena_reset(&arena);
    return f.missing;
}

static unsigned hits_of(const char *id)
{
    char pat[80];
    snprintf(pat, sizeof pat, "\"id\":\"%s\"", id);
    unsigned n = 0;
    const char *s = buf_cstr(&hits);
    for (const char *p = s; p && (p = strstr(p, pat)) != NULL; p += strlen(pat))
        n++;
    return n;
}

static void brute_force_fires_once(void)
{
    T_CHECK(load(ssh_rules, 0));
    T_EQ_INT(detect_corr_count(rs), 2);
    T_CHECK(start(NULL));
    for (int i = 0; i < 8; i++)
        feed_ssh(T0 + S(i * 10), T0 + S(i * 10), "203.0.113.9", "root", "failure", 100 + i);
    feed_ssh(T0 + S(90), T0 + S(90), "203.0.113.9", "root", "success", 200);
    correlator_flush(corr);
    T_EQ_INT(hits_of("c-brute"), 1);
    T_EQ_INT(hits_of("c-then"), 1);
    T_CHECK(strstr(buf_cstr(&hits), "\"group\":{\"src_ip\":\"203.0.113.9\"},\"count\":8,"
                                    "\"first\":\"2026-11-25T10:00:00.000000000Z\","
                                    "\"last\":\"2026-11-25T10:01:10.000000000Z\""));
    /* the rule the correlation uses raises nothing of its own (generate: false) ... */
    size_t fail = 0;
    while (fail < detect_rules_count(rs)) {
        struct detect_rule_info ri;
        detect_rule_info(rs, fail, &ri);
        if (!strcmp(ri.id, "r-fail"))
            break;
        fail++;
    }
    T_CHECK(!detect_rule_alerts(rs, fail));
    /* ... while the brute force, under a correlation with generate: true, does */
    T_CHECK(detect_corr_alerts(rs, 0));
}

static void seven_failures_do_not_fire(void)
{
    T_CHECK(load(ssh_rules, 0));
    T_CHECK(start(NULL));
    for (int i = 0; i < 7; i++)
        feed_ssh(T0 + S(i * 10), T0 + S(i * 10), "203.0.113.9", "root", "failure", 100 + i);
    feed_ssh(T0 + S(90), T0 + S(90), "203.0.113.9", "root", "success", 200);
    /* an eighth failure from another address does not count for this one */
    feed_ssh(T0 + S(95), T0 + S(95), "198.51.100.7", "root", "failure", 300);
    correlator_flush(corr);
    T_EQ_INT(nhits, 0);
}

static void window_slides_edge_inclusive(void)
{
    T_CHECK(load(ssh_rules, 0));
    /* 8 failures spanning 121 s: no window of 2 minutes holds 8 */
    T_CHECK(start(NULL));
    for (int i = 0; i < 7; i++)
        feed_ssh(T0 + S(i), T0 + S(i), "203.0.113.9", "u", "failure", i);
    feed_ssh(T0 + S(6 + 115), T0 + S(121), "203.0.113.9", "u", "failure", 7);
    correlator_flush(corr);
    T_EQ_INT(nhits, 0);
    /* spanning exactly 120 s: the edge is inclusive */
    T_CHECK(start(NULL));
    for (int i = 0; i < 7; i++)
        feed_ssh(T0 + S(i), T0 + S(i), "203.0.113.9", "u", "failure", i);
    feed_ssh(T0 + S(120), T0 + S(120), "203.0.113.9", "u", "failure", 7);
    correlator_flush(corr);
    T_EQ_INT(hits_of("c-brute"), 1);
    /* 16 failures in a minute fire twice: the group starts over after firing */
    T_CHECK(start(NULL));
    for (int i = 0; i < 16; i++)
        feed_ssh(T0 + S(i * 3), T0 + S(i * 3), "203.0.113.9", "u", "failure", i);
    correlator_flush(corr);
    T_EQ_INT(hits_of("c-brute"), 2);
}

/* A scenario of three attackers and noise, as (time offset s, source, outcome). */
struct step {
    int t;
    const char *src, *outcome;
};
static const struct step scenario[] = {
    {0, "203.0.113.9", "failure"},    {3, "203.0.113.9", "failure"},
    {4, "198.51.100.7", "failure"},   {6, "203.0.113.9", "failure"},
    {9, "203.0.113.9", "failure"},    {11, "10.0.0.5", "success"},
    {12, "203.0.113.9", "failure"},   {15, "203.0.113.9", "failure"},
    {17, "198.51.100.7", "failure"},  {18, "203.0.113.9", "failure"},
    {21, "203.0.113.9", "failure"},   {30, "203.0.113.9", "success"},
    {40, "198.51.100.7", "failure"},  {45, "198.51.100.7", "failure"},
    {50, "198.51.100.7", "failure"},  {55, "198.51.100.7", "failure"},
    {60, "198.51.100.7", "failure"},  {62, "198.51.100.7", "failure"},
    {200, "198.51.100.7", "success"}, {700, "198.51.100.7", "success"},
};
#define NSTEPS (sizeof scenario / sizeof scenario[0])

/* Runs the scenario in the order given by perm, received times from recv_of; returns
 * the hits as text (caller frees). */
static char *run_scenario(const size_t *perm, int64_t (*recv_of)(int64_t t), uint64_t *late)
{
    if (!start(NULL))
        return NULL;
    for (size_t k = 0; k < NSTEPS; k++) {
        const struct step *s = &scenario[perm[k]];
        int64_t t = T0 + S(s->t);
        feed_ssh(t, recv_of(t), s->src, "root", s->outcome, 1000 + perm[k]);
    }
    correlator_flush(corr);
    struct correlator_stats st;
    correlator_stats(corr, &st);
    *late = st.late;
    return mem_strdup(buf_cstr(&hits) ? buf_cstr(&hits) : "");
}

static int64_t recv_live(int64_t t)
{
    return t;
}
static int64_t recv_fast(int64_t t)
{
    return T0 + (t - T0) / 10; /* replayed ten times faster */
}
static int64_t recv_delayed(int64_t t)
{
    return t + S(3600); /* read an hour later: yesterday's logs */
}

static void replay_and_shuffle_give_the_same(void)
{
    T_CHECK(load(ssh_rules, 0));
    size_t perm[NSTEPS];
    for (size_t i = 0; i < NSTEPS; i++)
        perm[i] = i;
    uint64_t late = 0;
    char *live = run_scenario(perm, recv_live, &late);
    T_CHECK(live);
    T_EQ_INT(late, 0);
    T_EQ_INT(hits_of("c-brute"), 2);
    T_EQ_INT(hits_of("c-then"), 2); /* 203.0.113.9 at 30 s, 198.51.100.7 at 200 s */
    char *fast = run_scenario(perm, recv_fast, &late);
    char *delayed = run_scenario(perm, recv_delayed, &late);
    /* shuffled: every step moved by less than the lateness (10 s): pairs swapped, and
     * runs reversed */
    size_t sh[NSTEPS];
    for (size_t i = 0; i < NSTEPS; i++)
        sh[i] = i;
    for (size_t i = 0; i + 1 < NSTEPS; i += 2) {
        size_t x = sh[i];
        sh[i] = sh[i + 1];
        sh[i + 1] = x;
    }
    char *shuffled = run_scenario(sh, recv_live, &late);
    uint64_t late_shuffled = late;
    size_t rv[NSTEPS] = {3, 2, 1, 0, 7, 6, 5, 4, 10, 9, 8, 11, 13, 12, 15, 14, 17, 16, 18, 19};
    char *reversed = run_scenario(rv, recv_live, &late);
    bool ok = fast && delayed && shuffled && reversed && !strcmp(live, fast) &&
              !strcmp(live, delayed) && !strcmp(live, shuffled) && !strcmp(live, reversed);
    mem_free(live);
    mem_free(fast);
    mem_free(delayed);
    mem_free(shuffled);
    mem_free(reversed);
    T_CHECK(ok);
    T_EQ_INT(late_shuffled, 0);
    T_EQ_INT(late, 0);
}

static void late_beyond_allowance_is_counted(void)
{
    T_CHECK(load(ssh_rules, 0));
    T_CHECK(start(NULL));
    feed_ssh(T0 + S(100), T0 + S(100), "203.0.113.9", "u", "failure", 1);
    feed_ssh(T0 + S(200), T0 + S(200), "203.0.113.9", "u", "failure", 2); /* 100 processed */
    feed_ssh(T0 + S(50), T0 + S(201), "203.0.113.9", "u", "failure", 3);  /* 50 s behind it */
    correlator_flush(corr);
    struct correlator_stats st;
    correlator_stats(corr, &st);
    T_EQ_INT(st.items, 3);
    T_EQ_INT(st.late, 1);
    /* a clock running ahead does not push the watermark: capped by receipt */
    T_CHECK(start(NULL));
    feed_ssh(T0 + S(5000), T0 + S(100), "203.0.113.9", "u", "failure", 1);
    feed_ssh(T0 + S(99), T0 + S(100), "203.0.113.9", "u", "failure", 2);
    correlator_flush(corr);
    correlator_stats(corr, &st);
    T_EQ_INT(st.late, 0);
}

static void missing_group_field_joins_nothing(void)
{
    T_CHECK(load(ssh_rules, 0));
    T_CHECK(start(NULL));
    size_t missing = 0;
    for (int i = 0; i < 10; i++)
        missing += feed_ssh(T0 + S(i), T0 + S(i), NULL, "u", "failure", i);
    correlator_flush(corr);
    T_EQ_INT(missing, 10);
    T_EQ_INT(nhits, 0);
}

static void value_count_spraying(void)
{
    const char *y =
        "title: f\nid: r-fail\nlogsource: {product: linux, service: sshd}\n"
        "detection:\n  sel: {outcome: failure}\n  condition: sel\n---\n"
        "title: spray\nid: c-spray\ncorrelation:\n  type: value_count\n  rules: r-fail\n"
        "  group-by: [src_ip]\n  field: user\n  timespan: 5m\n  condition: {gte: 5}\n";
    T_CHECK(load(y, 0));
    T_CHECK(start(NULL));
    const char *users[] = {"alice", "bob", "carol", "dave"};
    for (int i = 0; i < 12; i++) /* 12 tries, 4 users: no */
        feed_ssh(T0 + S(i), T0 + S(i), "203.0.113.9", users[i % 4], "failure", i);
    correlator_flush(corr);
    T_EQ_INT(nhits, 0);
    T_CHECK(start(NULL));
    for (int i = 0; i < 12; i++)
        feed_ssh(T0 + S(i), T0 + S(i), "203.0.113.9", users[i % 4], "failure", i);
    feed_ssh(T0 + S(200), T0 + S(200), "203.0.113.9", "erin", "failure", 99); /* fifth */
    correlator_flush(corr);
    T_EQ_INT(nhits, 1);
    T_CHECK(strstr(buf_cstr(&hits), "\"count\":5,"));
    /* the fifth user outside the window of the others: no */
    T_CHECK(start(NULL));
    for (int i = 0; i < 4; i++)
        feed_ssh(T0 + S(i), T0 + S(i), "203.0.113.9", users[i], "failure", i);
    feed_ssh(T0 + S(400), T0 + S(400), "203.0.113.9", "erin", "failure", 99);
    correlator_flush(corr);
    T_EQ_INT(nhits, 0);
}

static void temporal_any_order_with_aliases(void)
{
    const char *y = "title: a\nid: r-a\nname: ra\nlogsource: {product: linux, service: sshd}\n"
                    "detection:\n  sel: {outcome: failure}\n  condition: sel\n---\n"
                    "title: b\nid: r-b\nname: rb\nlogsource: {product: linux, service: sshd}\n"
                    "detection:\n  sel: {outcome: success}\n  condition: sel\n---\n"
                    "title: both\nid: c-both\ncorrelation:\n  type: temporal\n  rules: [ra, rb]\n"
                    "  group-by: [who]\n  timespan: 1m\n"
                    "  aliases:\n    who:\n      ra: src_ip\n      rb: user\n";
    T_CHECK(load(y, 0));
    T_CHECK(start(NULL));
    /* b (user 10.1.1.1) before a (src_ip 10.1.1.1): any order fires */
    feed_ssh(T0, T0, "192.0.2.1", "10.1.1.1", "success", 1);
    feed_ssh(T0 + S(30), T0 + S(30), "10.1.1.1", "x", "failure", 2);
    /* too far apart for another */
    feed_ssh(T0 + S(100), T0 + S(100), "192.0.2.1", "10.2.2.2", "success", 3);
    feed_ssh(T0 + S(200), T0 + S(200), "10.2.2.2", "x", "failure", 4);
    correlator_flush(corr);
    T_EQ_INT(nhits, 1);
    T_CHECK(strstr(buf_cstr(&hits), "\"group\":{\"who\":\"10.1.1.1\"}"));
}

static void temporal_ordered_needs_the_order(void)
{
    T_CHECK(load(ssh_rules, 0));
    T_CHECK(start(NULL));
    /* success first, then the brute force: not "brute force then success" */
    feed_ssh(T0, T0, "203.0.113.9", "u", "success", 1);
    for (int i = 0; i < 8; i++)
        feed_ssh(T0 + S(10 + i), T0 + S(10 + i), "203.0.113.9", "u", "failure", 10 + i);
    correlator_flush(corr);
    T_EQ_INT(hits_of("c-brute"), 1);
    T_EQ_INT(hits_of("c-then"), 0);
    /* success 11 minutes after the brute force: outside the 10 minutes */
    T_CHECK(start(NULL));
    for (int i = 0; i < 8; i++)
        feed_ssh(T0 + S(i), T0 + S(i), "203.0.113.9", "u", "failure", i);
    feed_ssh(T0 + S(7 + 660), T0 + S(7 + 660), "203.0.113.9", "u", "success", 20);
    correlator_flush(corr);
    T_EQ_INT(hits_of("c-then"), 0);
}

static void upper_bound_judged_at_window_end(void)
{
    const char *y = "title: ok\nid: r-ok\nlogsource: {product: linux, service: sshd}\n"
                    "detection:\n  sel: {outcome: success}\n  condition: sel\n---\n"
                    "title: few\nid: c-few\ncorrelation:\n  type: event_count\n  rules: r-ok\n"
                    "  group-by: [src_ip]\n  timespan: 1h\n  condition: {gte: 2, lte: 3}\n";
    T_CHECK(load(y, 0));
    T_CHECK(start(NULL));
    /* 10.0.0.1: 2 in its hour (fires at the window's end); 10.0.0.2: 5 (no) */
    feed_ssh(T0, T0, "10.0.0.1", "u", "success", 1);
    feed_ssh(T0 + S(60), T0 + S(60), "10.0.0.1", "u", "success", 2);
    for (int i = 0; i < 5; i++)
        feed_ssh(T0 + S(100 + i), T0 + S(100 + i), "10.0.0.2", "u", "success", 10 + i);
    T_EQ_INT(nhits, 0); /* nothing can be judged before the hour is over */
    /* time goes on (another source): the windows close */
    feed_ssh(T0 + S(7300), T0 + S(7300), "10.0.0.3", "u", "success", 30);
    feed_ssh(T0 + S(7400), T0 + S(7400), "10.0.0.4", "u", "success", 31);
    T_EQ_INT(nhits, 1);
    T_CHECK(strstr(buf_cstr(&hits), "\"group\":{\"src_ip\":\"10.0.0.1\"},\"count\":2,"));
    correlator_flush(corr); /* 10.0.0.3 and .4 had one each: no */
    T_EQ_INT(nhits, 1);
}

static void caps_evict_oldest_first(void)
{
    const char *y = "title: f\nid: r-fail\nlogsource: {product: linux, service: sshd}\n"
                    "detection:\n  sel: {outcome: failure}\n  condition: sel\n---\n"
                    "title: two\nid: c-two\ncorrelation:\n  type: event_count\n  rules: r-fail\n"
                    "  group-by: [src_ip]\n  timespan: 1d\n  condition: {gte: 2}\n";
    T_CHECK(load(y, 0));
    struct correlator_opts o = {.max_groups = 100};
    T_CHECK(start(&o));
    char ip[32];
    for (int i = 0; i <= 100; i++) { /* 101 groups: the first is evicted */
        snprintf(ip, sizeof ip, "10.0.%d.%d", i / 256, i % 256);
        feed_ssh(T0 + S(i), T0 + S(i), ip, "u", "failure", (uint64_t)i);
    }
    feed_ssh(T0 + S(200), T0 + S(200), "10.0.0.50", "u", "failure", 500); /* kept: fires */
    feed_ssh(T0 + S(201), T0 + S(201), "10.0.0.0", "u", "failure", 501);  /* lost: no */
    correlator_flush(corr);
    struct correlator_stats st;
    correlator_stats(corr, &st);
    T_EQ_INT(nhits, 1);
    T_CHECK(strstr(buf_cstr(&hits), "\"src_ip\":\"10.0.0.50\""));
    /* 10.0.0.0 for the 101st; 10.0.0.50 freed its place by firing, so 10.0.0.0's return
     * (a new group, which does not fire) evicts nothing */
    T_EQ_INT(st.evicted, 1);
}

static void million_keys_fit_the_cap(void)
{
    const char *y = "title: f\nid: r-fail\nlogsource: {product: linux, service: sshd}\n"
                    "detection:\n  sel: {outcome: failure}\n  condition: sel\n---\n"
                    "title: five\nid: c-five\ncorrelation:\n  type: event_count\n  rules: r-fail\n"
                    "  group-by: [src_ip]\n  timespan: 1d\n  condition: {gte: 5}\n";
    T_CHECK(load(y, 0));
    struct correlator_opts o = {.max_groups = 1000000};
    T_CHECK(start(&o));
    /* items straight in (the worker's half is tested above): 1,000,000 keys */
    char key[16];
    for (uint32_t i = 0; i < 1000000; i++) {
        key[0] = 0;
        key[1] = 4;
        memcpy(key + 2, &i, 4);
        struct corr_item it = {.time_ns = T0 + (int64_t)i * 1000,
                               .received_ns = T0 + (int64_t)i * 1000,
                               .event_id = i,
                               .corr = 0,
                               .slot = 0,
                               .group = hash_mix(hash64(key, 6, 7), 0),
                               .key = {key, 6}};
        T_CHECK(correlator_push(corr, &it) == 0);
    }
    correlator_flush(corr);
    struct correlator_stats st;
    correlator_stats(corr, &st);
    T_EQ_INT(st.items, 1000000);
    T_EQ_INT(st.evicted, 0);
    T_EQ_INT(st.dropped, 0);
    T_EQ_INT(nhits, 0);
}

static void keep_reason(void *ctx, const struct detect_refusal *r)
{
    snprintf(ctx, 512, "%s", r->reason);
}

static void refusals_name_the_reason(void)
{
    static const struct {
        const char *corr, *why;
    } cases[] = {
        {"  type: event_count\n  rules: nosuch\n  timespan: 1m\n  condition: {gte: 2}\n",
         "is not loaded"},
        {"  type: value_sum\n  rules: r-a\n  timespan: 1m\n  field: x\n  condition: {gte: 2}\n",
         "not supported yet"},
        {"  type: event_count\n  rules: r-a\n  timespan: 1 minute\n  condition: {gte: 2}\n",
         "timespan"},
        {"  type: event_count\n  rules: r-a\n  timespan: 1m\n  condition: {lt: 0}\n", "never"},
        {"  type: event_count\n  rules: r-a\n  timespan: 1m\n  condition: {gte: 5, lte: 3}\n",
         "never"},
        {"  type: event_count\n  rules: r-a\n  timespan: 1m\n  condition: {about: 3}\n",
         "unknown condition"},
        {"  type: event_count\n  rules: r-a\n  timespan: 1m\n", "needs a condition"},
        {"  type: value_count\n  rules: r-a\n  timespan: 1m\n  condition: {gte: 2}\n",
         "needs a field"},
        {"  type: temporal\n  rules: r-a\n  timespan: 1m\n", "at least two"},
        {"  type: event_count\n  rules: r-a\n  timespan: 1m\n  condition: {gte: 1000001}\n",
         "not supported"},
        {"  type: event_count\n  rules: self\n  timespan: 1m\n  condition: {gte: 2}\n", "itself"},
        {"  type: event_count\n  rules: inner\n  group-by: [user]\n  timespan: 1m\n"
         "  condition: {gte: 2}\n",
         "does not group by it"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char y[2048];
        snprintf(y, sizeof y,
                 "title: a\nid: r-a\nlogsource: {product: linux, service: sshd}\n"
                 "detection:\n  sel: {outcome: failure}\n  condition: sel\n---\n"
                 "title: inner\nname: inner\ncorrelation:\n  type: event_count\n  rules: r-a\n"
                 "  group-by: src_ip\n  timespan: 1m\n  condition: {gte: 2}\n---\n"
                 "title: t\nname: self\nid: c-t\ncorrelation:\n%s",
                 cases[i].corr);
        char why[512] = "";
        struct detect_rules *r = NULL;
        struct detect_load_stats st;
        T_CHECK(detect_rules_load_text(NULL, "t.yml", y, strlen(y), keep_reason, why, &r, &st) ==
                0);
        detect_rules_free(r);
        if (!strstr(why, cases[i].why))
            t_fail(__FILE__, __LINE__, "case %zu: reason '%s' lacks '%s'", i, why, cases[i].why);
        T_EQ_INT(st.refused, 1);
        T_EQ_INT(st.correlations, 1); /* the inner one */
    }
}

static void refusal_reason_and_chain(void)
{
    /* an outer correlation over a refused one is refused too, with both named */
    const char *y = "title: a\nid: r-a\nlogsource: {product: linux, service: sshd}\n"
                    "detection:\n  sel: {outcome: failure}\n  condition: sel\n---\n"
                    "title: bad\nname: bad\ncorrelation:\n  type: event_count\n  rules: nosuch\n"
                    "  timespan: 1m\n  condition: {gte: 2}\n---\n"
                    "title: outer\nid: c-outer\ncorrelation:\n  type: event_count\n  rules: bad\n"
                    "  timespan: 1m\n  condition: {gte: 2}\n";
    T_CHECK(load(y, 2));
    T_EQ_INT(detect_corr_count(rs), 0);
    T_EQ_INT(detect_rules_count(rs), 1);
    /* without correlations the rule alerts on its own */
    T_CHECK(detect_rule_alerts(rs, 0));
    T_CHECK(!detect_rule_correlated(rs, 0));
}

/* The group table against a plain array: adds, finds and removals in random order, with
 * hashes that collide in clusters (64 distinct values for 3,000 keys), so probes run
 * long and removals shift entries back. */
static void group_table_matches_reference(void)
{
    struct corr_groups gs;
    T_CHECK(corr_groups_init(&gs, 2, 1000000, (size_t)1 << 30) == 0);
    enum { NKEYS = 3000 };
    static struct corr_group *ref[NKEYS];
    memset(ref, 0, sizeof ref);
    uint64_t rnd = 12345;
    bool ok = true;
    for (int op = 0; op < 60000 && ok; op++) {
        rnd = rnd * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t k = (uint32_t)(rnd >> 33) % NKEYS;
        char key[8];
        memcpy(key, &k, 4);
        struct slice ks = {key, 4};
        uint64_t h = 0x9e3779b97f4a7c15ull * (k % 64);
        uint32_t cn = k & 1;
        struct corr_group *g = corr_groups_find(&gs, cn, h, ks);
        ok = g == ref[k];
        if (!ok)
            break;
        if (g && (rnd >> 20) % 3 == 0) {
            corr_groups_remove(&gs, g);
            ref[k] = NULL;
        } else if (!g) {
            ref[k] = corr_groups_add(&gs, cn, h, ks, 2);
            ok = ref[k] != NULL;
        }
    }
    size_t live = 0;
    for (int k = 0; k < NKEYS; k++)
        live += ref[k] != NULL;
    bool counts = gs.n == live;
    corr_groups_fini(&gs);
    T_CHECK(ok);
    T_CHECK(counts);
}

static void key_values_read_back(void)
{
    /* long values: each cut so that the whole stays within its buffer */
    char big[3000];
    memset(big, 'x', sizeof big);
    char kb[CORR_KEY_BUF];
    size_t kl = 0;
    for (int i = 0; i < CORR_MAX_GROUP_BY; i++)
        kl = corr_key_put(kb, kl, (struct slice){big, sizeof big});
    T_CHECK(kl <= CORR_KEY_BUF);
    struct slice last;
    T_CHECK(corr_key_value((struct slice){kb, kl}, CORR_MAX_GROUP_BY - 1, &last));
    T_EQ_INT(last.len, 0);
    char k[] = {0, 3, 'a', 'b', 'c', 0, 0, 0, 1, 'z'};
    struct slice v;
    T_CHECK(corr_key_value((struct slice){k, sizeof k}, 0, &v));
    T_EQ_SLICE(v, "abc");
    T_CHECK(corr_key_value((struct slice){k, sizeof k}, 1, &v));
    T_EQ_INT(v.len, 0);
    T_CHECK(corr_key_value((struct slice){k, sizeof k}, 2, &v));
    T_EQ_SLICE(v, "z");
    T_CHECK(!corr_key_value((struct slice){k, sizeof k}, 3, &v));
    T_CHECK(!corr_key_value((struct slice){k, 4}, 0, &v)); /* cut short */
}

int main(void)
{
    field_registry_init();
    arena_init(&arena, 1 << 16, 1 << 24);
    buf_init(&hits, 0);
    t_run("correlate: 8 failures in 2 minutes then success fire once each", brute_force_fires_once);
    t_run("correlate: 7 failures do not fire", seven_failures_do_not_fire);
    t_run("correlate: the window slides, its edge inclusive; firing starts over",
          window_slides_edge_inclusive);
    t_run("correlate: replayed 10x faster, an hour late or shuffled within the lateness: same",
          replay_and_shuffle_give_the_same);
    t_run("correlate: late beyond the allowance is counted; a clock ahead is capped",
          late_beyond_allowance_is_counted);
    t_run("correlate: an event without the group-by field joins no group",
          missing_group_field_joins_nothing);
    t_run("correlate: value_count (password spraying)", value_count_spraying);
    t_run("correlate: temporal in any order, group-by through aliases",
          temporal_any_order_with_aliases);
    t_run("correlate: temporal_ordered needs the order and the timespan",
          temporal_ordered_needs_the_order);
    t_run("correlate: an upper bound is judged when the window is over",
          upper_bound_judged_at_window_end);
    t_run("correlate: past the cap the oldest group goes first, counted", caps_evict_oldest_first);
    t_run("correlate: 1,000,000 keys under a cap of 1,000,000 evict none",
          million_keys_fit_the_cap);
    t_run("correlate: documents Vigil cannot honour are refused", refusals_name_the_reason);
    t_run("correlate: a correlation over a refused one is refused", refusal_reason_and_chain);
    t_run("correlate: group key values read back", key_values_read_back);
    t_run("correlate: the group table agrees with a plain array under colliding hashes",
          group_table_matches_reference);
    correlator_free(corr);
    detect_rules_free(rs);
    arena_fini(&arena);
    buf_fini(&hits);
    return t_done();
}
