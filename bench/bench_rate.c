/*
 * bench_rate.c — observations/s through the rate analyzers (detect/rate.h) on one thread,
 * as the writer thread of `vigil serve` runs them, and the memory they hold.
 *
 * Observations are made beforehand: half web requests (1,000 sites, 200,000 client
 * addresses, 500 paths, 1% server errors), half firewall connections (20,000
 * destinations, 200,000 sources, 1,000 ports, 30% SYN-only, 20% denied), in a shuffled
 * order, event time advancing 50,000 observations per second with the default lateness,
 * so seconds close, baselines learn and idle keys expire as in a live stream. The default
 * caps hold (10,000 sites, 100,000 sources and destinations, 100,000 scan keys per
 * table) are smaller than the keys seen, so keys are evicted all the time as on a busy
 * firewall (every flow a new source and host pair for the scan tables): the worst case,
 * and the evictions are printed. The analyzers share the writer thread with the store,
 * whose goal is 150,000 events/s; the goal here is twice that, so they never make the
 * writer the bottleneck: ≥ 300,000 observations/s.
 *   build/bench/bench_rate [OBSERVATIONS]   (default 4000000)
 */
#include "benchlib.h"
#include "core/core.h"
#include "detect/rate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GOAL_OBS_S 300000.0
#define PER_SECOND 50000

static uint64_t findings;

static void on_finding(void *ctx, const struct rate_finding *f)
{
    (void)ctx;
    (void)f;
    findings++;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_rand(void)
{
    return bench_rand(&rng);
}

static long peak_rss_mib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6))
            v = strtol(line + 6, NULL, 10) / 1024;
    if (f)
        fclose(f);
    return v;
}

/* Writes "10.a.b.c" for k into out (16 bytes) and returns its slice. */
static struct slice addr(char *out, unsigned prefix, uint64_t k)
{
    int n = snprintf(out, 16, "%u.%u.%u.%u", prefix, (unsigned)(k >> 16) & 255,
                     (unsigned)(k >> 8) & 255, (unsigned)k & 255);
    return slice_make(out, (size_t)n);
}

struct plan {
    struct rate_obs *obs;
    char (*text)[3][16]; /* per observation: source, destination or site, path */
    size_t n;
};

static int make_plan(size_t n, struct plan *p)
{
    p->n = n;
    p->obs = mem_calloc(n, sizeof *p->obs);
    p->text = mem_calloc(n, sizeof *p->text);
    if (!p->obs || !p->text)
        return ERR_NOMEM;
    int64_t t0 = (int64_t)1767225600 * NS_PER_SEC; /* 2026-01-01 */
    for (size_t i = 0; i < n; i++) {
        struct rate_obs *o = &p->obs[i];
        char(*t)[16] = p->text[i];
        o->time_ns = t0 + (int64_t)(i / PER_SECOND) * NS_PER_SEC +
                     (int64_t)(next_rand() % NS_PER_SEC);
        o->event_id = i;
        if (i % 2 == 0) {
            o->kind = RATE_OBS_WEB;
            o->src = addr(t[0], 172, next_rand() % 200000);
            int k = snprintf(t[1], 16, "site%u", (unsigned)(next_rand() % 1000));
            o->site = slice_make(t[1], (size_t)k);
            k = snprintf(t[2], 16, "/p/%u", (unsigned)(next_rand() % 500));
            o->path = slice_make(t[2], (size_t)k);
            o->status = next_rand() % 100 == 0 ? 503 : 200;
        } else {
            o->kind = RATE_OBS_CONN;
            o->src = addr(t[0], 198, next_rand() % 200000);
            o->dst = addr(t[1], 10, next_rand() % 20000);
            o->dst_port = 1 + (unsigned)(next_rand() % 1000);
            o->packets = 1 + next_rand() % 20;
            o->syn_only = next_rand() % 10 < 3;
            o->denied = next_rand() % 10 < 2;
        }
    }
    /* shuffled within each second's block: arrival order is not time order, but no
     * observation comes more than a second late (the lateness allows 10) */
    for (size_t from = 0; from < n; from += PER_SECOND) {
        size_t len = n - from < PER_SECOND ? n - from : PER_SECOND;
        for (size_t i = len; i > 1; i--) {
            size_t j = from + next_rand() % i;
            struct rate_obs tmp = p->obs[from + i - 1];
            p->obs[from + i - 1] = p->obs[j];
            p->obs[j] = tmp;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 4000000;
    if (n < PER_SECOND || n > 100000000) {
        fprintf(stderr, "usage: bench_rate [OBSERVATIONS (%d..100000000)]\n", PER_SECOND);
        return 2;
    }
    struct plan p;
    if (make_plan(n, &p)) {
        fprintf(stderr, "bench_rate: out of memory\n");
        return 1;
    }
    char cpu[128];
    bench_cpu_model(cpu, sizeof cpu);
    long before = peak_rss_mib();
    struct rate *r = rate_new(NULL, on_finding, NULL);
    if (!r) {
        fprintf(stderr, "bench_rate: out of memory\n");
        return 1;
    }
    int64_t t0 = vtime_mono_ns();
    for (size_t i = 0; i < p.n; i++)
        rate_push(r, &p.obs[i]);
    rate_flush(r);
    double secs = (double)(vtime_mono_ns() - t0) / NS_PER_SEC;
    struct rate_stats st;
    rate_stats(r, &st);
    double rate = secs > 0 ? (double)p.n / secs : 0;
    printf("%zu observations (half web requests, half connections), %d per second of event"
           " time (one thread)\n",
           p.n, PER_SECOND);
    printf("  %10.0f observations/s  late %llu, findings %llu, keys %llu, evicted %llu,"
           " expired %llu, state %llu MiB\n",
           rate, (unsigned long long)st.late, (unsigned long long)findings,
           (unsigned long long)st.keys, (unsigned long long)st.evicted,
           (unsigned long long)st.expired, (unsigned long long)(st.bytes >> 20));
    printf("  memory: peak RSS %ld MiB (observations prepared beforehand: %zu MiB; before"
           " the analyzers %ld MiB)\n",
           peak_rss_mib(), (p.n * (sizeof *p.obs + sizeof *p.text)) >> 20, before);
    printf("  goal >= %.0f observations/s: %s\n", GOAL_OBS_S, rate >= GOAL_OBS_S ? "met" : "MISSED");
    printf("machine: %s\nrerun: build/bench/bench_rate %zu\n", cpu, p.n);
    rate_free(r);
    mem_free(p.obs);
    mem_free(p.text);
    return 0;
}
