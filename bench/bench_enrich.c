/*
 * bench_enrich.c — the cost per event of the enrichment beyond the inventory, on one
 * core: geolocation (Debian's GeoIP.dat, or the MaxMind DB given as argument) of an
 * event's src_ip and dst_ip, and the named lists (one address list of 100,000 networks,
 * one domain list of 100,000 names) over src_ip, dst_ip and a DNS query. Three address
 * mixes for geolocation: 1,000 public addresses repeating (the per-thread cache answers),
 * 1,000,000 distinct public addresses (every lookup misses it), and private addresses
 * (skipped before any lookup).
 *   build/bench/bench_enrich [GeoLite2-City.mmdb]
 */
#include "benchlib.h"
#include "core/core.h"
#include "enrich/geo.h"
#include "enrich/lists.h"
#include "event/event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EVENTS 2000000

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 88172645463325252ull;

static uint32_t next(void)
{
    return (uint32_t)bench_rand(&rng);
}

static void public_addr(char *out, size_t n, uint32_t r)
{
    /* 11.0.0.0 - 99.255.255.255 holds no private range */
    snprintf(out, n, "%u.%u.%u.%u", 11 + r % 89, (r >> 8) & 255, (r >> 16) & 255, r >> 24);
}

/* g NULL: the event's making alone (the baseline the figures include) */
static double geo_pass(const struct geo *g, char (*addrs)[16], size_t naddr, struct arena *ar)
{
    static struct event ev;
    double t0 = now_s();
    size_t found = 0;
    for (size_t i = 0; i < EVENTS; i++) {
        event_reset(&ev);
        event_add(&ev, FIELD_src_ip, slice_cstr(addrs[(2 * i) % naddr]));
        event_add(&ev, FIELD_dst_ip, slice_cstr(addrs[(2 * i + 1) % naddr]));
        geo_enrich(g, &ev, ar);
        found += ev.nfields > 2;
        if (i % 4096 == 0)
            arena_reset(ar);
    }
    double dt = now_s() - t0;
    if (!found && naddr > 1000 && addrs[0][0] != '1')
        fprintf(stderr, "bench_enrich: no address was found in the database\n");
    return dt * 1e9 / EVENTS;
}

int main(int argc, char **argv)
{
    field_registry_init();
    char cpu[128];
    bench_cpu_model(cpu, sizeof cpu);
    struct geo *g = NULL;
    char err[512] = "";
    if (geo_open(argc > 1 ? argv[1] : NULL, NULL, NULL, &g, err, sizeof err) || !g) {
        fprintf(stderr, "bench_enrich: no geolocation database: %s\n",
                err[0] ? err : "install geoip-database");
        return 1;
    }
    size_t nmax = 1000000;
    char(*addrs)[16] = malloc(nmax * sizeof *addrs);
    if (!addrs)
        return 1;
    struct arena ar;
    arena_init(&ar, 1 << 16, 1 << 24);

    printf("geolocation with %s, %d events of two addresses:\n", geo_describe(g), EVENTS);
    for (size_t i = 0; i < 1000; i++)
        public_addr(addrs[i], sizeof addrs[i], next());
    printf("  1,000 public addresses repeating (cache hits):  %6.0f ns/event\n",
           geo_pass(g, addrs, 1000, &ar));
    for (size_t i = 0; i < nmax; i++)
        public_addr(addrs[i], sizeof addrs[i], next());
    printf("  1,000,000 distinct public addresses (misses):   %6.0f ns/event\n",
           geo_pass(g, addrs, nmax, &ar));
    for (size_t i = 0; i < 1000; i++)
        snprintf(addrs[i], sizeof addrs[i], "10.%u.%u.%u", next() & 255, next() & 255,
                 next() & 255);
    printf("  private addresses (skipped before a lookup):   %6.0f ns/event\n",
           geo_pass(g, addrs, 1000, &ar));
    printf("  baseline, the event made and no lookup:        %6.0f ns/event\n",
           geo_pass(NULL, addrs, 1000, &ar));

    /* lists: 100,000 networks and 100,000 domains */
    struct buf a, d;
    buf_init(&a, 0);
    buf_init(&d, 0);
    for (size_t i = 0; i < 100000; i++) {
        uint32_t r = next();
        buf_printf(&a, "%u.%u.%u.0/24\n", 11 + r % 89, (r >> 8) & 255, (r >> 16) & 255);
        buf_printf(&d, "d%zu-%u.example%u.com\n", i, r & 0xffff, r >> 28);
    }
    char fa[] = "/tmp/vigil-bench-lists-XXXXXX";
    char fd[] = "/tmp/vigil-bench-lists-XXXXXX";
    int ha = mkstemp(fa), hd = mkstemp(fd);
    if (ha < 0 || hd < 0 || write(ha, a.p, a.len) != (ssize_t)a.len ||
        write(hd, d.p, d.len) != (ssize_t)d.len)
        return 1;
    close(ha);
    close(hd);
    struct list_decl decl[2] = {{"scanners", fa, LIST_ADDRESS}, {"ti_domains", fd, LIST_DOMAIN}};
    struct list_set *s = NULL;
    double t0 = now_s();
    if (list_set_load(decl, 2, &s, err, sizeof err)) {
        fprintf(stderr, "bench_enrich: %s\n", err);
        return 1;
    }
    double load = now_s() - t0;
    for (size_t i = 0; i < nmax; i++)
        public_addr(addrs[i], sizeof addrs[i], next());
    static struct event ev;
    size_t hit = 0;
    t0 = now_s();
    for (size_t i = 0; i < EVENTS; i++) {
        event_reset(&ev);
        event_add(&ev, FIELD_src_ip, slice_cstr(addrs[(2 * i) % nmax]));
        event_add(&ev, FIELD_dst_ip, slice_cstr(addrs[(2 * i + 1) % nmax]));
        event_add(&ev, FIELD_query, slice_cstr("www.mail.d17-2.example3.com"));
        lists_enrich(s, &ev);
        hit += ev.nfields > 3;
    }
    double dt = now_s() - t0;
    printf("lists (100,000 networks, 100,000 domains; read in %.2f s):\n", load);
    printf("  src_ip, dst_ip and a 5-label query per event:  %6.0f ns/event (%.1f%% in a list)\n",
           dt * 1e9 / EVENTS, 100.0 * (double)hit / EVENTS);
    printf("machine: %s\nrerun: build/bench/bench_enrich%s\n", cpu, argc > 1 ? " MMDB" : "");
    unlink(fa);
    unlink(fd);
    list_set_release(s);
    buf_fini(&a);
    buf_fini(&d);
    arena_fini(&ar);
    free(addrs);
    geo_free(g);
    return 0;
}
