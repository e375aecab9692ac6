/*
 * bench_correlate.c — matches/s through the correlator (one thread, as in `vigil serve`)
 * with 1,000,000 distinct group keys, and the memory it holds.
 *
 * Items are made beforehand (the worker's half, corr_items_of, is not timed): KEYS
 * source addresses, each matching ROUNDS times in a shuffled order, for three
 * correlations at once — brute force (event_count gte 3 in 5 min by src_ip), spraying
 * (value_count of user gte 4 in 5 min by src_ip) and brute force then success
 * (temporal_ordered) — each item feeding one of them. Two passes:
 *   reorder  the default lateness (10 s) with event time advancing 50,000 items per
 *            second: about 500,000 items wait in the reorder heap at any time;
 *   direct   lateness 0: the window state alone.
 * The cap is sized for the keys (max_groups = 3 x KEYS: one group per key and
 * correlation; 4 GiB of state), so nothing may be evicted; the evictions, the state's
 * bytes and the peak RSS are printed. Throughput counts items (a match times the
 * correlations it feeds).
 *   build/bench/bench_correlate [KEYS [ROUNDS]]   (default 1000000 4)
 */
#include "benchlib.h"
#include "core/core.h"
#include "detect/detect.h"
#include "event/event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GOAL_MATCHES_S 1000000.0

static const char *const rules_yaml =
    "title: ssh failure\nid: b-fail\nlogsource: {product: linux, service: sshd}\n"
    "detection:\n  sel: {outcome: failure}\n  condition: sel\n---\n"
    "title: ssh success\nid: b-ok\nlogsource: {product: linux, service: sshd}\n"
    "detection:\n  sel: {outcome: success}\n  condition: sel\n---\n"
    "title: brute force\nid: c-brute\nname: brute\ncorrelation:\n  type: event_count\n"
    "  rules: b-fail\n  group-by: [src_ip]\n  timespan: 5m\n  condition: {gte: 3}\n---\n"
    "title: spraying\nid: c-spray\ncorrelation:\n  type: value_count\n  rules: b-fail\n"
    "  group-by: [src_ip]\n  field: user\n  timespan: 5m\n  condition: {gte: 4}\n---\n"
    "title: then success\nid: c-then\ncorrelation:\n  type: temporal_ordered\n"
    "  rules: [brute, b-ok]\n  group-by: [src_ip]\n  timespan: 10m\n";

static uint64_t hits;

static void on_hit(void *ctx, const struct corr_hit *h)
{
    (void)ctx;
    (void)h;
    hits++;
}

static long rss_kib(const char *what)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    size_t n = strlen(what);
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, what, n))
            v = strtol(line + n, NULL, 10);
    if (f)
        fclose(f);
    return v;
}

static int64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void)
{
    return bench_rand(&rng);
}

struct plan {
    struct corr_item *items;
    size_t n, cap;
    struct arena arena; /* the items' keys */
};

/* Items for keys x rounds matches in a shuffled order, made by corr_items_of from
 * events: every tenth a login success (feeding "then success"), the others failures
 * (feeding brute force and spraying: two items each) with one of 16 users. */
static int make_plan(const struct detect_rules *rs, size_t keys, size_t rounds, struct plan *p)
{
    size_t matches = keys * rounds;
    p->cap = 2 * matches;
    p->items = mem_calloc(p->cap, sizeof *p->items);
    size_t *order = mem_alloc(matches * sizeof *order);
    struct event *ev = mem_alloc(sizeof *ev);
    arena_init(&p->arena, 1 << 20, (size_t)1 << 34);
    if (!p->items || !order || !ev)
        return ERR_NOMEM;
    for (size_t i = 0; i < matches; i++)
        order[i] = i % keys;
    for (size_t i = matches - 1; i > 0; i--) {
        size_t j = next_rand() % (i + 1), x = order[i];
        order[i] = order[j];
        order[j] = x;
    }
    size_t fail = 0, ok = 1;
    for (size_t r = 0; r < detect_rules_count(rs); r++) {
        struct detect_rule_info ri;
        detect_rule_info(rs, r, &ri);
        if (!strcmp(ri.id, "b-ok"))
            ok = r;
        else
            fail = r;
    }
    p->n = 0;
    for (size_t i = 0; i < matches; i++) {
        size_t k = order[i];
        char ip[32], user[16];
        snprintf(ip, sizeof ip, "10.%zu.%zu.%zu", (k >> 16) & 255, (k >> 8) & 255, k & 255);
        snprintf(user, sizeof user, "user%u", (unsigned)(next_rand() % 16));
        event_reset(ev);
        ev->id = i;
        event_add(ev, FIELD_src_ip, slice_cstr(ip));
        event_add(ev, FIELD_user, slice_cstr(user));
        size_t rule = i % 10 == 9 ? ok : fail;
        p->n += corr_items_of(rs, rule, ev, &p->arena, p->items + p->n, p->cap - p->n, NULL);
    }
    mem_free(order);
    mem_free(ev);
    return 0;
}

static double run(const struct detect_rules *rs, struct plan *p, size_t keys, int64_t lateness,
                  double per_s, struct correlator_stats *st)
{
    struct correlator_opts o = {
        .lateness_ns = lateness, .max_groups = 3 * keys, .max_bytes = (size_t)4 << 30};
    struct correlator *c = correlator_new(rs, &o, on_hit, NULL);
    if (!c)
        return 0;
    int64_t t0 = 1795600800LL * 1000000000LL;
    for (size_t i = 0; i < p->n; i++)
        p->items[i].time_ns = p->items[i].received_ns = t0 + (int64_t)((double)i * 1e9 / per_s);
    hits = 0;
    /* CPU time of this thread: the figure other work on the machine disturbs least */
    int64_t a = cpu_ns();
    for (size_t i = 0; i < p->n; i++)
        correlator_push(c, &p->items[i]);
    correlator_flush(c);
    int64_t b = cpu_ns();
    correlator_stats(c, st);
    correlator_free(c);
    return (double)p->n / ((double)(b - a) / 1e9);
}

int main(int argc, char **argv)
{
    size_t keys = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    size_t rounds = argc > 2 ? strtoull(argv[2], NULL, 10) : 4;
    if (!keys || !rounds || keys > (1u << 24)) {
        fprintf(stderr, "usage: bench_correlate [KEYS (1..16777216) [ROUNDS]]\n");
        return 2;
    }
    field_registry_init();
    struct detect_rules *rs;
    struct detect_load_stats ls;
    if (detect_rules_load_text(NULL, "bench.yml", rules_yaml, strlen(rules_yaml), NULL, NULL, &rs,
                               &ls) ||
        ls.refused || detect_corr_count(rs) != 3) {
        fprintf(stderr, "bench_correlate: the bench rules did not load\n");
        return 1;
    }
    struct plan p;
    if (make_plan(rs, keys, rounds, &p)) {
        fprintf(stderr, "bench_correlate: out of memory\n");
        return 1;
    }
    char cpu[128];
    bench_cpu_model(cpu, sizeof cpu);
    long base = rss_kib("VmRSS:");
    struct correlator_stats st;
    printf("%zu keys x %zu rounds: %zu items for 3 correlations (one thread)\n", keys, rounds, p.n);
    double direct = run(rs, &p, keys, -1, 50000.0, &st);
    long peak_direct = rss_kib("VmHWM:");
    printf("  direct (lateness 0):      %10.0f matches/s  hits %llu, expired %llu, evicted %llu\n",
           direct, (unsigned long long)hits, (unsigned long long)st.expired,
           (unsigned long long)st.evicted);
    double reorder = run(rs, &p, keys, 10 * 1000000000LL, 50000.0, &st);
    long peak = rss_kib("VmHWM:");
    printf("  reorder (lateness 10 s):  %10.0f matches/s  hits %llu, late %llu, forced %llu,"
           " evicted %llu\n",
           reorder, (unsigned long long)hits, (unsigned long long)st.late,
           (unsigned long long)st.forced, (unsigned long long)st.evicted);
    printf("  memory: RSS before %ld MiB; peak %ld MiB after direct, %ld MiB after reorder"
           " (items prepared beforehand: %zu MiB)\n",
           base / 1024, peak_direct / 1024, peak / 1024,
           (p.n * sizeof(struct corr_item) + keys * 24) >> 20);
    printf("  goal >= %.0f matches/s: direct %s, reorder %s\n", GOAL_MATCHES_S,
           direct >= GOAL_MATCHES_S ? "met" : "MISSED",
           reorder >= GOAL_MATCHES_S ? "met" : "MISSED");
    printf("machine: %s\nrerun: build/bench/bench_correlate %zu %zu\n", cpu, keys, rounds);
    mem_free(p.items);
    arena_fini(&p.arena);
    detect_rules_free(rs);
    return 0;
}
