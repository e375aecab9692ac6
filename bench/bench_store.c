/*
 * bench_store.c — the store stage's speed, and the loader the search integration test
 * uses to fill a store from a log file (decode_record + store_write_batch, the path the
 * daemon takes).
 *
 *   bench_store FILE DATADIR              decode+store FILE with a writer thread while a
 *                                         second thread runs the three kinds of search,
 *                                         one every SEARCH_PAUSE_US (a console with
 *                                         several analysts); prints events/s,
 *                                         bytes/event, peak RSS
 *   bench_store FILE DATADIR --load-only  the same without the search thread
 *   bench_store FILE DATADIR --search-10m builds 10M events (FILE ten times, distinct
 *                                         ids) received over 7 days, then times each
 *                                         search (median of 3)
 *   bench_store FILE DATADIR --search-only times the searches on a store built before
 * Reference input:
 *   python3 /work/shared/tools/gen-mixed-logs.py 1000000 42 > /tmp/mixed-1m.log
 */
#include "benchlib.h"
#include "core/core.h"
#include "decode/decode.h"
#include "event/event.h"
#include "store/store.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define BATCH 1024
/* Pause between two concurrent searches: ten a second at most. On 2 cores the decode
 * and writer threads use both; searches back to back would measure a third busy
 * thread, not the store. */
#define SEARCH_PAUSE_US 100000

static const char *const searches[3][2] = {
    {"promoted field", "src_ip:203.0.113.5"},
    {"decoder field", "auth_method:publickey"},
    {"raw substring", "sqlmap"},
};

struct slot {
    struct event *evs;
    size_t n;
    struct arena arena;
    bool full;
};

struct bench {
    struct store *st;
    struct slot slots[2];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
    bool failed;
    size_t stored;
    volatile bool stop_search;
    unsigned long searches_run;
    double search_max_s;
    unsigned next_slot; /* the slot the feeder fills next (the writer follows in order) */
};

static double now_s(void)
{
    return (double)vtime_mono_ns() / 1e9;
}


static unsigned long long dir_bytes(const char *dir)
{
    unsigned long long total = 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, "events-", 7) != 0)
            continue;
        char p[4200];
        struct stat sb;
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        if (stat(p, &sb) == 0)
            total += (unsigned long long)sb.st_size;
    }
    closedir(d);
    return total;
}

static void *writer_main(void *arg)
{
    struct bench *b = arg;
    for (unsigned k = 0;; k ^= 1) {
        struct slot *s = &b->slots[k];
        pthread_mutex_lock(&b->mu);
        while (!s->full && !b->done)
            pthread_cond_wait(&b->cv, &b->mu);
        bool finished = !s->full && b->done;
        pthread_mutex_unlock(&b->mu);
        if (finished)
            break;
        size_t stored = 0;
        if (store_write_batch(b->st, s->evs, s->n, NULL, 0, &stored) != 0)
            b->failed = true;
        pthread_mutex_lock(&b->mu);
        b->stored += stored;
        arena_reset(&s->arena);
        s->full = false;
        pthread_cond_broadcast(&b->cv);
        pthread_mutex_unlock(&b->mu);
    }
    if (store_flush(b->st) != 0) /* commit the last group: part of the timed load */
        b->failed = true;
    return NULL;
}

static int count_row(void *ctx, const struct store_row *row)
{
    (void)row;
    (*(size_t *)ctx)++;
    return 0;
}

/* Runs one search (first page of 100); returns seconds, rows in *rows, <0 on error. */
static double run_search(struct store *st, const char *text, size_t *rows)
{
    struct query_node *q;
    char err[256];
    if (store_query_parse(text, &q, err, sizeof err))
        return -1;
    struct store_query sq = {.root = q, .limit = 100};
    *rows = 0;
    double t0 = now_s();
    int rc = store_query(st, &sq, count_row, rows, NULL);
    double t = now_s() - t0;
    store_query_free(q);
    return rc ? -1 : t;
}

static void *search_main(void *arg)
{
    struct bench *b = arg;
    for (unsigned i = 0; !b->stop_search; i++) {
        size_t rows;
        double t = run_search(b->st, searches[i % 3][1], &rows);
        if (t > b->search_max_s)
            b->search_max_s = t;
        b->searches_run++;
        usleep(SEARCH_PAUSE_US);
    }
    return NULL;
}

/*
 * Decodes `lines` in batches into the two slots and hands them to the writer thread.
 * Event ids mix `rep` and the line number, and each event has the origin a file input
 * gives it (stream `rep`, position = line number), so the store's replay check is
 * part of what is timed; received times run from recv0 by step ns.
 */
static int feed(struct bench *b, struct decode_ctx *dc, const struct slice *lines, size_t nlines,
                uint64_t rep, int64_t recv0, double step_ns)
{
    struct decode_source src = {0};
    unsigned k = b->next_slot;
    for (size_t i = 0; i < nlines;) {
        struct slot *s = &b->slots[k];
        pthread_mutex_lock(&b->mu);
        while (s->full)
            pthread_cond_wait(&b->cv, &b->mu);
        pthread_mutex_unlock(&b->mu);
        s->n = 0;
        for (; i < nlines && s->n < BATCH; i++) {
            struct event *ev = &s->evs[s->n++];
            int64_t recv = recv0 + (int64_t)(step_ns * (double)i);
            decode_record(dc, &src, &s->arena, lines[i].p, lines[i].len, recv, ev);
            ev->id = hash_mix(rep, i);
            ev->origin = (struct event_origin){rep, i};
        }
        pthread_mutex_lock(&b->mu);
        s->full = true;
        pthread_cond_broadcast(&b->cv);
        pthread_mutex_unlock(&b->mu);
        k ^= 1;
        b->next_slot = k;
        if (b->failed)
            return -1;
    }
    return 0;
}

static double median3(double a, double b, double c)
{
    if (a > b) {
        double t = a;
        a = b;
        b = t;
    }
    if (b > c)
        b = c;
    return a > b ? a : b;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s FILE DATADIR [--load-only | --search-10m]\n"
                        "  FILE e.g. from: python3 /work/shared/tools/gen-mixed-logs.py "
                        "1000000 42 > /tmp/mixed-1m.log\n",
                argv[0]);
        return 2;
    }
    bool load_only = argc > 3 && !strcmp(argv[3], "--load-only");
    bool big = argc > 3 && !strcmp(argv[3], "--search-10m");
    bool search_only = argc > 3 && !strcmp(argv[3], "--search-only");
    big = big || search_only;
    field_registry_init();
    size_t len = 0;
    char *data = bench_read_all(argv[1], &len);
    if (!data) {
        fprintf(stderr, "bench_store: cannot read %s\n", argv[1]);
        return 1;
    }
    size_t nlines = 0, cap = 1 << 16;
    struct slice *lines = mem_alloc(cap * sizeof *lines);
    for (char *p = data, *end = data + len; p < end && lines;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *stop = nl ? nl : end;
        if (nlines == cap) {
            cap *= 2;
            lines = mem_realloc(lines, cap * sizeof *lines);
            if (!lines)
                break;
        }
        lines[nlines++] = slice_make(p, (size_t)(stop - p));
        p = stop + 1;
    }
    if (!lines) {
        fprintf(stderr, "bench_store: out of memory\n");
        return 1;
    }

    struct bench b = {0};
    pthread_mutex_init(&b.mu, NULL);
    pthread_cond_init(&b.cv, NULL);
    struct store_opts so = {.dir = argv[2]};
    if (store_open(&so, &b.st)) {
        fprintf(stderr, "bench_store: cannot open store %s\n", argv[2]);
        return 1;
    }
    for (int k = 0; k < 2; k++) {
        b.slots[k].evs = mem_calloc(BATCH, sizeof(struct event));
        arena_init(&b.slots[k].arena, 1 << 20, 256 << 20);
    }
    struct decode_ctx *dc;
    if (decode_ctx_new(&dc)) {
        fprintf(stderr, "bench_store: decode_ctx_new failed\n");
        return 1;
    }
    pthread_t wt, sth;
    pthread_create(&wt, NULL, writer_main, &b);
    bool with_search = !load_only && !big;
    if (with_search)
        pthread_create(&sth, NULL, search_main, &b);

    double t0 = now_s();
    size_t total = 0;
    int rc = 0;
    if (search_only) {
        /* the store in DATADIR is already built: time the searches only */
    } else if (!big) {
        rc = feed(&b, dc, lines, nlines, hash64(argv[1], strlen(argv[1]), 0), vtime_now_ns(),
                  0);
        total = nlines;
    } else {
        /* 10 repetitions; received times spread evenly over 7 days ending yesterday */
        int64_t day = 86400LL * NS_PER_SEC;
        int64_t start = (vtime_now_ns() / day - 7) * day;
        double step = (double)(7 * day) / (double)(10 * nlines);
        for (uint64_t r = 0; r < 10 && rc == 0; r++) {
            rc = feed(&b, dc, lines, nlines, r + 1,
                      start + (int64_t)(step * (double)(r * nlines)), step);
            total += nlines;
            fprintf(stderr, "  built %zu events, %.0f s\n", total, now_s() - t0);
        }
    }
    pthread_mutex_lock(&b.mu);
    b.done = true;
    pthread_cond_broadcast(&b.cv);
    pthread_mutex_unlock(&b.mu);
    pthread_join(wt, NULL);
    double elapsed = now_s() - t0;
    b.stop_search = true;
    if (with_search)
        pthread_join(sth, NULL);
    if (rc || b.failed) {
        fprintf(stderr, "bench_store: store write failed\n");
        return 1;
    }
    store_close(b.st); /* checkpoints the WAL into the files */
    b.st = NULL;
    unsigned long long bytes = dir_bytes(argv[2]);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    char cpu[256];
    bench_cpu_model(cpu, sizeof cpu);

    printf("bench_store: %zu lines from %s\n", total, argv[1]);
    printf("  decode+store      %.0f events/s (%.2f s, %zu stored)%s\n",
           (double)total / elapsed, elapsed, b.stored,
           with_search ? " with searches running" : "");
    if (with_search)
        printf("  concurrent search %lu searches (one per %d ms at most), slowest %.3f s\n",
               b.searches_run, SEARCH_PAUSE_US / 1000, b.search_max_s);
    printf("  on disk           %.1f bytes/event (%llu bytes)\n",
           total ? (double)bytes / (double)total : 0.0, bytes);
    printf("  peak RSS          %ld MiB\n", ru.ru_maxrss / 1024);

    if (big) {
        if (store_open(&so, &b.st))
            return 1;
        for (int i = 0; i < 3; i++) {
            double t[3];
            size_t rows = 0;
            for (int k = 0; k < 3; k++)
                t[k] = run_search(b.st, searches[i][1], &rows);
            struct query_node *q;
            char err[256];
            uint64_t count = 0;
            double c0 = now_s();
            if (store_query_parse(searches[i][1], &q, err, sizeof err) == 0) {
                struct store_query sq = {.root = q};
                store_count(b.st, &sq, &count);
                store_query_free(q);
            }
            double ct = now_s() - c0;
            printf("  search %-15s %-24s first page %.3f s median of 3 (%zu rows);"
                   " count %llu in %.3f s\n",
                   searches[i][0], searches[i][1], median3(t[0], t[1], t[2]), rows,
                   (unsigned long long)count, ct);
        }
        store_close(b.st);
    }
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    printf("  machine           %ld cpus, %s\n", ncpu, cpu);
    printf("  rerun             %s %s %s%s\n", argv[0], argv[1], argv[2],
           search_only ? " --search-only"
           : big       ? " --search-10m"
           : load_only ? " --load-only"
                       : "");
    decode_ctx_free(dc);
    for (int k = 0; k < 2; k++) {
        mem_free(b.slots[k].evs);
        arena_fini(&b.slots[k].arena);
    }
    mem_free(lines);
    mem_free(data);
    return 0;
}
