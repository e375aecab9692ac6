/*
 * bench_http.c — the measurement behind the console's HTTP library: libmicrohttpd (what
 * src/web uses: its own epoll thread and a pool of 2) against libevent's evhttp (one
 * event loop thread, the usual way to run it), both answering a small JSON body on
 * 127.0.0.1 over plain HTTP (TLS is GnuTLS's or OpenSSL's work either way). Clients:
 * libcurl, kept-alive connections; first one client for the latency per request, then 8
 * clients at once for the throughput. Both servers run in this process, one at a time.
 *
 *   bench_http [REQUESTS]   (default 20000 per run)
 */
#include "benchlib.h"
#include "core/core.h"

#include <curl/curl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/buffer.h>
#include <event2/thread.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char body[] = "{\"user\":\"analyst\",\"roles\":[\"analyst\"],\"csrf\":"
                           "\"0123456789abcdef0123456789abcdef\"}";

static enum MHD_Result mhd_answer(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *up,
                                  size_t *up_size, void **con_cls)
{
    (void)cls, (void)url, (void)method, (void)version, (void)up, (void)up_size;
    if (!*con_cls) { /* the first call of a request: headers only */
        *con_cls = (void *)1;
        return MHD_YES;
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(sizeof body - 1, (void *)body,
                                                             MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ret;
}

static void ev_answer(struct evhttp_request *req, void *arg)
{
    (void)arg;
    struct evbuffer *b = evbuffer_new();
    evbuffer_add(b, body, sizeof body - 1);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
    evhttp_send_reply(req, 200, "OK", b);
    evbuffer_free(b);
}

struct ev_server {
    struct event_base *base;
    struct evhttp *http;
    int port;
    pthread_t th;
};

static void *ev_loop(void *arg)
{
    struct ev_server *s = arg;
    event_base_dispatch(s->base);
    return NULL;
}

static size_t drop(char *p, size_t size, size_t n, void *ctx)
{
    (void)p, (void)ctx;
    return size * n;
}

struct client {
    char url[64];
    long n;
    long failed;
};

static void *client_run(void *arg)
{
    struct client *c = arg;
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, c->url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, drop);
    for (long i = 0; i < c->n; i++) {
        long st = 0;
        if (curl_easy_perform(h) != CURLE_OK ||
            (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &st), st != 200))
            c->failed++;
    }
    curl_easy_cleanup(h);
    return NULL;
}

/* Runs `clients` clients of `n` requests each against port; prints requests/s. */
static void load(const char *name, int port, int clients, long n)
{
    struct client c[8];
    pthread_t th[8];
    int64_t t0 = vtime_mono_ns();
    for (int i = 0; i < clients; i++) {
        snprintf(c[i].url, sizeof c[i].url, "http://127.0.0.1:%d/api/v1/session", port);
        c[i].n = n / clients;
        c[i].failed = 0;
        pthread_create(&th[i], NULL, client_run, &c[i]);
    }
    long failed = 0;
    for (int i = 0; i < clients; i++) {
        pthread_join(th[i], NULL);
        failed += c[i].failed;
    }
    double s = (double)(vtime_mono_ns() - t0) / 1e9;
    printf("  %-34s %d client%s  %9.0f requests/s  %6.1f us/request%s\n", name, clients,
           clients > 1 ? "s" : " ", (double)n / s, s * 1e6 / (double)n * clients,
           failed ? "  (FAILED requests)" : "");
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 20000;
    if (n < 100)
        n = 100;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    char cpu[128];
    bench_cpu_model(cpu, sizeof cpu);
    printf("machine: %s; %ld requests per run, libcurl kept-alive clients\n", cpu, n);

    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL, mhd_answer, NULL,
        MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_THREAD_POOL_SIZE, 2u, MHD_OPTION_END);
    const union MHD_DaemonInfo *di = d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    if (!di) {
        fprintf(stderr, "bench_http: libmicrohttpd did not start\n");
        return 1;
    }
    load("libmicrohttpd (epoll, pool of 2)", di->port, 1, n);
    load("libmicrohttpd (epoll, pool of 2)", di->port, 8, n);
    MHD_stop_daemon(d);

    evthread_use_pthreads();
    struct ev_server es = {.base = event_base_new()};
    es.http = evhttp_new(es.base);
    evhttp_set_gencb(es.http, ev_answer, NULL);
    struct evhttp_bound_socket *bs = evhttp_bind_socket_with_handle(es.http, "127.0.0.1", 0);
    if (!bs) {
        fprintf(stderr, "bench_http: libevent did not start\n");
        return 1;
    }
    struct sockaddr_in got;
    socklen_t len = sizeof got;
    getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&got, &len);
    es.port = ntohs(got.sin_port);
    pthread_create(&es.th, NULL, ev_loop, &es);
    load("libevent evhttp (one loop)", es.port, 1, n);
    load("libevent evhttp (one loop)", es.port, 8, n);
    event_base_loopbreak(es.base);
    pthread_join(es.th, NULL);
    evhttp_free(es.http);
    event_base_free(es.base);
    curl_global_cleanup();
    printf("rerun: build/bench/bench_http %ld\n", n);
    return 0;
}
