/*
 * bench_web.c — the console's API as a browser uses it, over HTTPS on 127.0.0.1, against
 * a real store: an alert-queue page (GET /api/v1/alerts?limit=100 over 20,000 alerts) and
 * event searches (GET /api/v1/search, first page of 100, then with the histogram) over
 * the store in DATADIR — `make bench` gives it the 10M-event store bench_store builds.
 * Each request is timed from the client's side (libcurl, one kept-alive connection, the
 * TLS handshake done once before); median and 95th percentile are printed.
 *
 *   bench_web DATADIR
 */
#include "auth/auth.h"
#include "benchlib.h"
#include "core/core.h"
#include "store/store.h"
#include "web/web.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALERTS 20000
#define RUNS 30

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static size_t sink(char *p, size_t size, size_t n, void *ctx)
{
    struct buf *b = ctx;
    buf_append(b, p, size * n);
    return size * n;
}

struct client {
    CURL *c;
    char cookie[128];
    struct buf body;
};

/* GETs url; returns the HTTP status, the body in cl->body, the time in *ns. */
static long get(struct client *cl, const char *url, int64_t *ns)
{
    buf_reset(&cl->body);
    curl_easy_setopt(cl->c, CURLOPT_URL, url);
    curl_easy_setopt(cl->c, CURLOPT_COOKIE, cl->cookie);
    int64_t t0 = vtime_mono_ns();
    CURLcode rc = curl_easy_perform(cl->c);
    *ns = vtime_mono_ns() - t0;
    long status = 0;
    curl_easy_getinfo(cl->c, CURLINFO_RESPONSE_CODE, &status);
    return rc == CURLE_OK ? status : -1;
}

static void timed(struct client *cl, const char *base, const char *what, const char *path)
{
    char url[1024];
    snprintf(url, sizeof url, "%s%s", base, path);
    int64_t t[RUNS], ns;
    long st = get(cl, url, &ns); /* warm the caches once */
    int runs = ns > NS_PER_SEC ? 5 : RUNS; /* slow ones: fewer runs */
    for (int i = 0; i < runs && st == 200; i++) {
        st = get(cl, url, &ns);
        t[i] = ns;
    }
    if (st != 200) {
        printf("%-62s HTTP %ld: %.200s\n", what, st, cl->body.p ? cl->body.p : "");
        return;
    }
    qsort(t, (size_t)runs, sizeof t[0], cmp_i64);
    const char *count = strstr(cl->body.p ? cl->body.p : "", "],\"count\":");
    printf("%-62s median %7.1f ms  p95 %7.1f ms  (%d runs, %zu bytes%s%.*s)\n", what,
           t[runs / 2] / 1e6, t[runs * 95 / 100] / 1e6, runs, cl->body.len, count ? ", events " : "",
           count ? (int)strspn(count + 10, "0123456789") : 0, count ? count + 10 : "");
}

static int add_alerts(struct store *st)
{
    static struct alert_row rows[1000];
    static char ips[1000][24], hosts[1000][24];
    static const char *const levels[] = {"low", "medium", "high", "critical"};
    int64_t now = vtime_now_ns();
    for (int k = 0; k < ALERTS / 1000; k++) {
        for (int i = 0; i < 1000; i++) {
            int n = k * 1000 + i;
            struct alert_row *r = &rows[i];
            memset(r, 0, sizeof *r);
            r->id = 0x5000000000000000ull + (uint64_t)n;
            r->is_new = true;
            r->rule_id = "bench-rule";
            r->rule_title = n % 3 ? "SSH brute force" : "Port scan";
            r->rule_level = levels[n % 4];
            r->tags_json = "[\"attack.t1110\"]";
            r->first_seen_ns = r->created_ns = now - (int64_t)n * 60 * NS_PER_SEC;
            r->last_seen_ns = r->first_seen_ns + NS_PER_SEC;
            r->count = 1 + (uint64_t)n % 50;
            snprintf(ips[i], sizeof ips[i], "198.51.%d.%d", n / 250 % 250, n % 250);
            snprintf(hosts[i], sizeof hosts[i], "srv%d", n % 40);
            r->src_ip = slice_cstr(ips[i]);
            r->host = slice_cstr(hosts[i]);
            r->risk = (double)(n % 100) / 10;
        }
        size_t closed[1000], nclosed = 0;
        if (store_alerts_write(st, rows, 1000, closed, &nclosed, NULL))
            return 1;
    }
    return 0;
}

/* A signed-in session for a new account with role, made through the auth API. */
static int session_for(struct auth *a, const struct auth_initial *first, enum auth_role role,
                       const char *name, char *token)
{
    struct auth_session sys, sec, s;
    char msg[200], otp[17];
    const char *pw = "Quiet-river-42!";
    if (auth_login(a, "sysadmin", first->password[0], NULL, "127.0.0.1", NULL, &sys, msg,
                   sizeof msg) != AUTH_OK ||
        auth_password_change(a, sys.token, first->password[0], "Sys-bench-2!", msg, sizeof msg) ||
        auth_session_get(a, sys.token, &sys) ||
        auth_login(a, "secadmin", first->password[1], NULL, "127.0.0.1", NULL, &sec, msg,
                   sizeof msg) != AUTH_OK ||
        auth_password_change(a, sec.token, first->password[1], "Sec-bench-3!", msg, sizeof msg) ||
        auth_session_get(a, sec.token, &sec) ||
        auth_account_create(a, &sys, name, otp, msg, sizeof msg) ||
        auth_account_grant(a, &sec, name, ROLE_BIT(role), 0, msg, sizeof msg) ||
        auth_login(a, name, otp, NULL, "127.0.0.1", NULL, &s, msg, sizeof msg) != AUTH_OK ||
        auth_password_change(a, s.token, otp, pw, msg, sizeof msg)) {
        fprintf(stderr, "bench_web: cannot make a session: %s\n", msg);
        return 1;
    }
    strcpy(token, s.token);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DATADIR   (a store, e.g. the one bench_store --search-10m"
                        " builds)\n",
                argv[0]);
        return 2;
    }
    log_set_level(LOG_WARN);
    struct store *st = NULL;
    struct store_opts so = {.dir = argv[1]};
    char err[512];
    if (store_open(&so, &st)) {
        fprintf(stderr, "bench_web: cannot open the store in %s\n", argv[1]);
        return 1;
    }
    store_install_audit_sink(st);
    struct auth_config ac;
    auth_config_defaults(&ac);
    ac.totp_optional_for_admins = true;
    struct auth *a = NULL;
    struct auth_initial first;
    bool created;
    char token[65];
    struct web *w = NULL;
    struct web_opts wo = {.listen = "127.0.0.1:0", .data_dir = argv[1]};
    if (auth_open(st, argv[1], &ac, &a, err, sizeof err) || auth_bootstrap(a, &first, &created) ||
        !created || add_alerts(st) || session_for(a, &first, ROLE_ANALYST, "bench", token) ||
        web_start(&wo, st, a, &w, err, sizeof err)) {
        fprintf(stderr, "bench_web: set-up failed (a fresh store is needed): %s\n", err);
        return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct client cl = {.c = curl_easy_init()};
    buf_init(&cl.body, 64u << 20);
    snprintf(cl.cookie, sizeof cl.cookie, "vigil_session=%s", token);
    curl_easy_setopt(cl.c, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(cl.c, CURLOPT_WRITEDATA, &cl.body);
    curl_easy_setopt(cl.c, CURLOPT_SSL_VERIFYPEER, 0L); /* the self-signed certificate */
    curl_easy_setopt(cl.c, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(cl.c, CURLOPT_TIMEOUT, 120L);
    char base[160], cpu[128];
    snprintf(base, sizeof base, "%.*sapi/v1", (int)strlen(web_url(w)), web_url(w));
    bench_cpu_model(cpu, sizeof cpu);
    printf("machine: %s\n", cpu);
    printf("store: %s; %d alerts; HTTPS on %s, one kept-alive connection, %d runs each (5 when"
           " one takes over a second)\n",
           argv[1], ALERTS, web_url(w), RUNS);
    timed(&cl, base, "alert queue, first page of 100", "/alerts?limit=100");
    timed(&cl, base, "alert queue, 100 of level high and above", "/alerts?limit=100&level=high");
    timed(&cl, base, "overview, 24 h", "/overview?range=24h");
    timed(&cl, base, "search src_ip:203.0.113.5, first 100 (all time)",
          "/search?q=src_ip:203.0.113.5&limit=100");
    timed(&cl, base, "search \"Failed password\" AND root, first 100",
          "/search?q=%22Failed%20password%22%20AND%20root&limit=100");
    timed(&cl, base, "search program:sshd, first 100", "/search?q=program:sshd&limit=100");
    timed(&cl, base, "search src_ip:203.0.113.5 + histogram (24 buckets, all days)",
          "/search?q=src_ip:203.0.113.5&limit=100&histogram=1&from=2000-01-01T00:00:00Z");
    printf("rerun: make bench (or build/bench/bench_web DATADIR on a fresh copy of a store)\n");
    curl_easy_cleanup(cl.c);
    buf_fini(&cl.body);
    curl_global_cleanup();
    web_stop(w);
    auth_close(a);
    audit_set_sink(NULL, NULL);
    store_close(st);
    return 0;
}
