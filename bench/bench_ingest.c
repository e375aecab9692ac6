/*
 * bench_ingest.c — the ingest stage's speed: (1) the RFC 6587 framer alone, newline and
 * octet-counted, fed 64 KiB chunks as read() would; (2) the whole daemon pipeline in
 * process: a client thread sends FILE over TCP to a syslog_tcp input on 127.0.0.1, and
 * the time runs until every record is stored (I/O thread → decode worker → store
 * writer, the path `vigil serve` takes). Prints records/s, MB/s, the machine and the
 * command to rerun. Reference input:
 *   python3 /work/shared/tools/gen-mixed-logs.py 1000000 42 > /tmp/mixed-1m.log
 *   build/bench/bench_ingest /tmp/mixed-1m.log /tmp/bench-ingest [WORKERS]
 */
#include "benchlib.h"
#include "core/core.h"
#include "ingest/ingest.h"
#include "store/store.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MIN_SECONDS 2.0


static void count_frame(void *ctx, const char *p, size_t len, unsigned flags)
{
    (void)p;
    (void)len;
    (void)flags;
    (*(uint64_t *)ctx)++;
}

static void bench_framer(const char *name, const char *data, size_t len, bool lf)
{
    uint64_t frames = 0, rounds = 0;
    int64_t t0 = vtime_mono_ns(), t1;
    do {
        struct ingest_framer f;
        ingest_framer_init(&f, 0, lf);
        for (size_t off = 0; off < len; off += 65536)
            ingest_framer_feed(&f, data + off, len - off < 65536 ? len - off : 65536, count_frame,
                               &frames);
        ingest_framer_eof(&f, count_frame, &frames);
        ingest_framer_fini(&f);
        rounds++;
        t1 = vtime_mono_ns();
    } while ((double)(t1 - t0) / 1e9 < MIN_SECONDS);
    double s = (double)(t1 - t0) / 1e9;
    printf("framer %-8s %12.0f frames/s %9.1f MB/s\n", name, (double)frames / s,
           (double)len * (double)rounds / s / 1e6);
}

struct client {
    const char *data;
    size_t len;
    int port;
};

static void *client_main(void *arg)
{
    struct client *c = arg;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)c->port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
        size_t off = 0;
        while (off < c->len) {
            ssize_t n = write(fd, c->data + off, c->len - off);
            if (n <= 0)
                break;
            off += (size_t)n;
        }
    }
    close(fd);
    return NULL;
}

/* The value of "key":N for the first input in the stats JSON. */
static uint64_t stat_of(struct ingest *ig, const char *key)
{
    struct buf b;
    buf_init(&b, 0);
    ingest_stats_json(ig, &b);
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = b.p ? strstr(b.p, pat) : NULL;
    uint64_t v = 0;
    if (p)
        v = strtoull(p + strlen(pat), NULL, 10);
    buf_fini(&b);
    return v;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_ingest FILE DATADIR [WORKERS]\n");
        return 2;
    }
    size_t len = 0;
    char *data = bench_read_all(argv[1], &len);
    if (!data) {
        fprintf(stderr, "bench_ingest: cannot read %s\n", argv[1]);
        return 1;
    }
    uint64_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += data[i] == '\n';
    field_registry_init();
    log_set_level(LOG_WARN);

    /* (1) the framer; an octet-counted copy of the input for the second mode */
    bench_framer("newline", data, len, true);
    struct buf oct;
    buf_init(&oct, 0);
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(data + i, '\n', len - i);
        size_t l = nl ? (size_t)(nl - (data + i)) : len - i;
        if (l)
            buf_printf(&oct, "%zu %.*s", l, (int)l, data + i);
        i += l + 1;
    }
    bench_framer("octet", oct.p, oct.len, false);
    buf_fini(&oct);

    /* (2) the pipeline, TCP to store */
    struct ingest_config cfg;
    ingest_config_defaults(&cfg);
    cfg.data_dir = mem_strdup(argv[2]);
    cfg.workers = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 1;
    if (cfg.workers < 1)
        cfg.workers = 1;
    cfg.stats_interval_s = 3600;
    struct ingest_input_cfg *in = ingest_config_add_input(&cfg, INGEST_TCP);
    in->name = mem_strdup("bench");
    mem_free(in->listen);
    in->listen = mem_strdup("127.0.0.1:0");
    struct store *st = NULL;
    struct store_opts so = {.dir = cfg.data_dir};
    char err[256] = "";
    struct ingest *ig = NULL;
    if (store_open(&so, &st) || ingest_new(&cfg, st, &ig, err, sizeof err) || ingest_start(ig)) {
        fprintf(stderr, "bench_ingest: cannot start the pipeline in %s: %s\n", argv[2], err);
        return 1;
    }
    struct buf ready;
    buf_init(&ready, 0);
    ingest_ready_json(ig, NULL, &ready);
    const char *port = strstr(buf_cstr(&ready), "127.0.0.1:");
    struct client c = {data, len, port ? (int)strtoul(port + 10, NULL, 10) : 0};
    buf_fini(&ready);
    int64_t t0 = vtime_mono_ns();
    pthread_t th;
    pthread_create(&th, NULL, client_main, &c);
    uint64_t received = 0;
    for (int i = 0; i < 30000 && received < lines; i++) { /* at most 10 min */
        usleep(20000);
        received = stat_of(ig, "received");
    }
    pthread_join(th, NULL);
    ingest_stop(ig); /* drains: everything received is stored when it returns */
    int64_t t1 = vtime_mono_ns();
    uint64_t stored = stat_of(ig, "stored");
    double s = (double)(t1 - t0) / 1e9;
    printf("pipeline tcp->decode->store (%u worker%s): %llu records in %.2f s: %.0f records/s, "
           "%.1f MB/s (%llu stored)\n",
           cfg.workers, cfg.workers > 1 ? "s" : "", (unsigned long long)received, s,
           (double)received / s, (double)len / s / 1e6, (unsigned long long)stored);
    ingest_free(ig);
    store_close(st);
    ingest_config_fini(&cfg);
    mem_free(data);

    char cpu[256];
    bench_cpu_model(cpu, sizeof cpu);
    printf("machine: %ld cores, %s\n", sysconf(_SC_NPROCESSORS_ONLN), cpu);
    printf("rerun: %s %s %s %s (DATADIR should be empty; day files accumulate)\n", argv[0], argv[1],
           argv[2], argc > 3 ? argv[3] : "1");
    return 0;
}
