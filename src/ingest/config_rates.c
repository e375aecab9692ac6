/*
 * config_rates.c — the `rates:` section of vigil.yaml: the rate analyzers' thresholds,
 * baseline and caps (detect/rate.h, README "Rate analyzers" for the reason behind each
 * default). Part of the loader of config.c, with its helpers (config_int.h). A key left
 * out keeps rate.h's default (the struct's zero).
 */
#include "ingest/config_int.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* A decimal number (digits, an optional fraction) from lo to hi. */
static int get_number(struct loader *l, const struct cfg_node *n, const char *key, double lo,
                      double hi, double *out)
{
    int rc = ld_want_scalar(l, n, key);
    if (rc)
        return rc;
    const char *t = n->text;
    size_t len = strlen(t), i = 0;
    double v = 0, scale = 1;
    bool digits = false, point = false;
    for (; i < len && i < 24; i++) {
        char ch = t[i];
        if (ch >= '0' && ch <= '9') {
            digits = true;
            if (point)
                v += (ch - '0') * (scale /= 10);
            else
                v = v * 10 + (ch - '0');
        } else if (ch == '.' && !point) {
            point = true;
        } else {
            break;
        }
    }
    if (!digits || i != len || v < lo || v > hi) {
        char why[160];
        snprintf(why, sizeof why, "%s: expected a number from %g to %g, not '%%s'", key, lo, hi);
        return ld_bad(l, n->line, why, t);
    }
    *out = v;
    return 0;
}

/* The duration keys: name, bounds in seconds, where it goes. */
struct dur_key {
    const char *name;
    int64_t lo, hi;
    size_t off;
};

#define OPT(f) offsetof(struct rate_opts, f)

static const struct dur_key durations[] = {
    {"lateness", 1, 120, OPT(lateness_ns)},
    {"halflife", 10, 7 * 86400, OPT(halflife_ns)},
    {"warmup", 1, 86400, OPT(warmup_ns)},
    {"report_every", 1, 86400, OPT(report_every_ns)},
    {"max_episode", 60, 30 * 86400, OPT(max_episode_ns)},
    {"scan_window", 2, 86400, OPT(scan_window_ns)},
};

static const struct {
    const char *name;
    double lo, hi;
    size_t off;
} numbers[] = {
    {"k", 1, 100, OPT(k)},
    {"multiplier", 1, 1000, OPT(multiplier)},
    {"site_floor", 0.01, 1e9, OPT(site_floor)},
    {"url_floor", 0.01, 1e9, OPT(url_floor)},
    {"source_floor", 0.01, 1e9, OPT(source_floor)},
    {"error_floor", 0.01, 1e9, OPT(error_floor)},
    {"conn_floor", 0.01, 1e9, OPT(conn_floor)},
    {"packet_floor", 0.01, 1e12, OPT(packet_floor)},
};

static const struct {
    const char *name;
    uint64_t lo, hi;
    size_t off;
    bool is_size; /* size_t, else unsigned */
} counts[] = {
    {"sustain", 1, 3600, OPT(sustain_s), false},
    {"quiet", 1, 3600, OPT(quiet_s), false},
    {"scan_ports", 2, 1000, OPT(scan_ports), false},
    {"sweep_hosts", 2, 1000, OPT(sweep_hosts), false},
    {"max_sites", 10, 100000000, OPT(max_sites), true},
    {"max_urls", 10, 100000000, OPT(max_urls), true},
    {"max_sources", 10, 100000000, OPT(max_sources), true},
    {"max_destinations", 10, 100000000, OPT(max_destinations), true},
    {"max_scan_keys", 10, 100000000, OPT(max_scan_keys), true},
};

/* See config_int.h. */
int config_rates_section(struct loader *l, struct ingest_config *c, const struct cfg_node *v)
{
    if (v->kind != CFG_MAP)
        return ld_bad(l, v->line, "rates: expected a map (enabled, site_floor, k, ...)", NULL);
    char *o = (char *)&c->rates;
    for (const struct cfg_node *k = v->children; k; k = k->next) {
        char key[64];
        snprintf(key, sizeof key, "rates.%s", k->key);
        int rc = 1; /* 1: no key of that name yet */
        bool b;
        if (!strcmp(k->key, "enabled")) {
            if ((rc = ld_get_bool(l, k, key, &b)) == 0)
                c->rates_off = !b;
        } else if (!strcmp(k->key, "sweep_all")) {
            if ((rc = ld_get_bool(l, k, key, &b)) == 0)
                c->rates.sweep_all = b ? 1 : -1;
        }
        for (size_t i = 0; rc == 1 && i < sizeof durations / sizeof durations[0]; i++)
            if (!strcmp(k->key, durations[i].name))
                rc = ld_get_duration(l, k, key, durations[i].lo, durations[i].hi,
                                     (int64_t *)(void *)(o + durations[i].off));
        for (size_t i = 0; rc == 1 && i < sizeof numbers / sizeof numbers[0]; i++)
            if (!strcmp(k->key, numbers[i].name))
                rc = get_number(l, k, key, numbers[i].lo, numbers[i].hi,
                                (double *)(void *)(o + numbers[i].off));
        for (size_t i = 0; rc == 1 && i < sizeof counts / sizeof counts[0]; i++) {
            uint64_t u;
            if (strcmp(k->key, counts[i].name))
                continue;
            /* sustain and quiet are seconds: "5" or "5s" alike */
            if (counts[i].off == OPT(sustain_s) || counts[i].off == OPT(quiet_s)) {
                int64_t ns;
                if ((rc = ld_get_duration(l, k, key, (int64_t)counts[i].lo, (int64_t)counts[i].hi,
                                          &ns)) == 0)
                    *(unsigned *)(void *)(o + counts[i].off) = (unsigned)(ns / NS_PER_SEC);
            } else if ((rc = ld_get_uint(l, k, key, counts[i].lo, counts[i].hi, &u)) == 0) {
                if (counts[i].is_size)
                    *(size_t *)(void *)(o + counts[i].off) = (size_t)u;
                else
                    *(unsigned *)(void *)(o + counts[i].off) = (unsigned)u;
            }
        }
        if (rc == 1)
            rc = ld_bad(l, k->key_line ? k->key_line : k->line,
                        "unknown key '%s' in rates (see README \"Rate analyzers\")", k->key);
        if (rc)
            return rc;
    }
    return 0;
}
