/*
 * bench_decode.c — the decode stage's speed on one thread: reads a whole log file into
 * memory, splits it into lines, and decodes each into one reused event with one
 * decode_ctx and one arena (reset every 1024 lines, as a batch would be), repeating
 * the file until at least 3 s have passed. Prints lines/s, MB/s, the share of generic
 * events, the machine and the command to rerun. Input for the reference figure:
 *   python3 /work/shared/tools/gen-mixed-logs.py 1000000 42 > /tmp/mixed-1m.log
 *   build/bench/bench_decode /tmp/mixed-1m.log
 */
#include "core/core.h"
#include "decode/decode.h"
#include "event/event.h"

#include <stdio.h>
#include <string.h>

#define MIN_SECONDS 3.0
#define MAX_FILE ((size_t)2 << 30)

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct buf b;
    buf_init(&b, MAX_FILE);
    char chunk[1 << 16];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (buf_append(&b, chunk, n)) {
            buf_fini(&b);
            fclose(f);
            return NULL;
        }
    fclose(f);
    *len = b.len;
    return b.p; /* the caller frees with mem_free */
}

static void cpu_model(char *out, size_t outlen)
{
    snprintf(out, outlen, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "model name", 10)) {
            char *c = strchr(line, ':');
            if (c) {
                c += 2;
                c[strcspn(c, "\n")] = 0;
                snprintf(out, outlen, "%s", c);
            }
            break;
        }
    }
    fclose(f);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE   (e.g. python3 /work/shared/tools/gen-mixed-logs.py "
                        "1000000 42 > /tmp/mixed-1m.log)\n", argv[0]);
        return 2;
    }
    field_registry_init();
    size_t len = 0;
    char *data = read_all(argv[1], &len);
    if (!data) {
        fprintf(stderr, "bench_decode: cannot read %s\n", argv[1]);
        return 1;
    }
    /* Line index: offsets of line starts and lengths, built once. */
    size_t nlines = 0, cap = 1024;
    struct slice *lines = mem_alloc(cap * sizeof *lines);
    for (char *p = data, *end = data + len; p < end && lines;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *stop = nl ? nl : end;
        if (stop > p) {
            if (nlines == cap) {
                cap *= 2;
                struct slice *n2 = mem_realloc(lines, cap * sizeof *lines);
                if (!n2) {
                    mem_free(lines);
                    lines = NULL;
                    break;
                }
                lines = n2;
            }
            lines[nlines++] = slice_make(p, (size_t)(stop - p));
        }
        p = stop + 1;
    }
    if (!lines || !nlines) {
        fprintf(stderr, "bench_decode: no lines\n");
        return 1;
    }
    struct decode_ctx *ctx;
    struct event *ev = mem_calloc(1, sizeof *ev);
    if (decode_ctx_new(&ctx) || !ev)
        return 1;
    struct arena arena;
    arena_init(&arena, 1 << 20, 256u << 20);
    struct decode_source src = {.tz = NULL, .charset = CHARSET_AUTO, .format = NULL};
    int64_t received = vtime_now_ns();

    uint64_t done = 0, bytes = 0, generic = 0, errors = 0;
    int64_t t0 = vtime_mono_ns(), t1;
    do {
        for (size_t i = 0; i < nlines; i++) {
            if ((i & 1023) == 0)
                arena_reset(&arena);
            if (decode_record(ctx, &src, &arena, lines[i].p, lines[i].len, received, ev))
                errors++;
            generic += (ev->flags & EVF_GENERIC) != 0;
            bytes += lines[i].len + 1;
        }
        done += nlines;
        t1 = vtime_mono_ns();
    } while ((double)(t1 - t0) / 1e9 < MIN_SECONDS);
    double secs = (double)(t1 - t0) / 1e9;

    char cpu[256];
    cpu_model(cpu, sizeof cpu);
    long ncpu = 0;
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        char line[512];
        while (fgets(line, sizeof line, f))
            ncpu += !strncmp(line, "processor", 9);
        fclose(f);
    }
    printf("bench_decode: %s (%zu lines, %zu bytes), %llu lines decoded in %.2f s, 1 thread\n",
           argv[1], nlines, len, (unsigned long long)done, secs);
    printf("  lines/s      %.0f\n", (double)done / secs);
    printf("  MB/s         %.1f\n", (double)bytes / secs / 1e6);
    printf("  ns/line      %.1f\n", secs * 1e9 / (double)done);
    printf("  generic      %.1f%%\n", 100.0 * (double)generic / (double)done);
    printf("  arena errors %llu\n", (unsigned long long)errors);
    printf("  machine      nproc=%ld, %s\n", ncpu, cpu);
    printf("  rerun        %s %s\n", argv[0], argv[1]);
    arena_fini(&arena);
    decode_ctx_free(ctx);
    mem_free(ev);
    mem_free(lines);
    mem_free(data);
    return 0;
}
