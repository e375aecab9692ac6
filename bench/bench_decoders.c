/*
 * bench_decoders.c — lines/s per decoder on one thread. Input: log files of real formats
 * (the golden corpus, tests/golden/ NAME.log: every decoder's documented format
 * with its awkward cases). A first pass decodes every line once and groups the lines by
 * the decoder that took them (in file order, so per-source state such as W3C's #Fields
 * and the audit join sees what it would); then each group is decoded over and over, one
 * reused event and arena, for at least MIN_SECONDS, and its lines/s printed against the
 * goal. Lines that no decoder took (generic, syslog) are a group too.
 *   build/bench/bench_decoders tests/golden/ALL.log (each .log file of tests/golden)
 */
#include "benchlib.h"
#include "core/core.h"
#include "decode/decode.h"
#include "event/event.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MIN_SECONDS 0.3
#define GOAL_LINES_S 500000.0
#define MAX_GROUPS 64
#define MAX_LINES (1 << 20)

struct line {
    const char *p;
    size_t n;
};

struct group {
    const char *decoder;
    struct line *lines;
    size_t n, cap;
    size_t bytes;
};

static struct group *group_of(struct group *g, size_t *ng, const char *decoder)
{
    for (size_t i = 0; i < *ng; i++)
        if (!strcmp(g[i].decoder, decoder))
            return &g[i];
    if (*ng == MAX_GROUPS)
        return NULL;
    g[*ng] = (struct group){.decoder = decoder};
    return &g[(*ng)++];
}

static bool add_line(struct group *g, const char *p, size_t n)
{
    if (g->n == g->cap) {
        size_t nc = g->cap ? 2 * g->cap : 64;
        struct line *nl = mem_realloc(g->lines, nc * sizeof *nl);
        if (!nl)
            return false;
        g->lines = nl;
        g->cap = nc;
    }
    g->lines[g->n++] = (struct line){p, n};
    g->bytes += n + 1;
    return true;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE...   (e.g. tests/golden/*.log)\n", argv[0]);
        return 2;
    }
    field_registry_init();
    struct decode_ctx *ctx;
    struct event *ev = mem_calloc(1, sizeof *ev);
    if (decode_ctx_new(&ctx) || !ev)
        return 1;
    struct arena arena;
    arena_init(&arena, 1 << 20, 256u << 20);
    struct decode_source src = {.tz = NULL, .charset = CHARSET_AUTO, .format = NULL};
    int64_t received = vtime_now_ns();
    static struct group groups[MAX_GROUPS];
    size_t ngroups = 0, nlines = 0;
    char **files = mem_calloc((size_t)argc, sizeof *files);
    if (!files)
        return 1;

    /* Pass 1: which decoder takes each line. */
    for (int fi = 1; fi < argc; fi++) {
        size_t len = 0;
        char *data = files[fi] = bench_read_all(argv[fi], &len);
        if (!data) {
            fprintf(stderr, "bench_decoders: cannot read %s\n", argv[fi]);
            return 1;
        }
        for (size_t off = 0; off < len && nlines < MAX_LINES;) {
            const char *p = data + off, *nl = memchr(p, '\n', len - off);
            size_t n = nl ? (size_t)(nl - p) : len - off;
            off += n + 1;
            if (!n)
                continue;
            arena_reset(&arena);
            decode_record(ctx, &src, &arena, p, n, received, ev);
            struct group *g = group_of(groups, &ngroups, ev->decoder ? ev->decoder : "?");
            if (!g || !add_line(g, p, n)) {
                fprintf(stderr, "bench_decoders: too many decoders or out of memory\n");
                return 1;
            }
            nlines++;
        }
    }

    char cpu[256];
    bench_cpu_model(cpu, sizeof cpu);
    printf("bench_decoders: %zu lines of %d files, each decoder's lines decoded for %.1f s "
           "or more, 1 thread\n",
           nlines, argc - 1, MIN_SECONDS);
    printf("  %-10s %7s %9s %14s %9s   %s\n", "decoder", "lines", "bytes/l", "lines/s", "ns/line",
           "goal >= 500000");
    size_t missed = 0;
    for (size_t gi = 0; gi < ngroups; gi++) {
        struct group *g = &groups[gi];
        uint64_t done = 0;
        int64_t t0 = vtime_mono_ns(), t1;
        do {
            for (size_t i = 0; i < g->n; i++) {
                if ((done & 1023) == 0)
                    arena_reset(&arena);
                decode_record(ctx, &src, &arena, g->lines[i].p, g->lines[i].n, received, ev);
                done++;
            }
            t1 = vtime_mono_ns();
        } while ((double)(t1 - t0) / 1e9 < MIN_SECONDS);
        double secs = (double)(t1 - t0) / 1e9, lps = (double)done / secs;
        bool ok = lps >= GOAL_LINES_S;
        missed += !ok;
        printf("  %-10s %7zu %9.0f %14.0f %9.1f   %s\n", g->decoder, g->n,
               (double)g->bytes / (double)g->n, lps, secs * 1e9 / (double)done,
               ok ? "ok" : "MISSED");
        mem_free(g->lines);
    }
    printf("  decoders below the goal: %zu\n", missed);
    printf("  machine      nproc=%ld, %s\n", sysconf(_SC_NPROCESSORS_ONLN), cpu);
    printf("  rerun       ");
    for (int i = 0; i < argc; i++)
        printf(" %s", argv[i]);
    printf("\n");
    for (int fi = 1; fi < argc; fi++)
        mem_free(files[fi]);
    mem_free(files);
    arena_fini(&arena);
    decode_ctx_free(ctx);
    mem_free(ev);
    return 0;
}
