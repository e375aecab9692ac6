/*
 * bench_decode.c — the decode stage's speed on one thread: reads a whole log file into
 * memory, frames it into lines with the input's newline framer (64 KiB reads), and
 * decodes each into one reused event with one
 * decode_ctx and one arena (reset every 1024 lines, as a batch would be), repeating
 * the file until at least 3 s have passed. Prints lines/s, MB/s, the share of generic
 * events, the machine and the command to rerun. Input for the reference figure:
 *   python3 /work/shared/tools/gen-mixed-logs.py 1000000 42 > /tmp/mixed-1m.log
 *   build/bench/bench_decode /tmp/mixed-1m.log
 */
#include "benchlib.h"
#include "core/core.h"
#include "decode/decode.h"
#include "event/event.h"
#include "ingest/ingest.h"

#include <stdio.h>
#include <string.h>

#define MIN_SECONDS 3.0


#define CHUNK (64 * 1024)

struct run {
    struct decode_ctx *ctx;
    const struct decode_source *src;
    struct arena *arena;
    struct event *ev;
    int64_t received;
    uint64_t done, bytes, generic, errors;
};

/* One framed line: decode it into the reused event, as a worker does. */
static void on_frame(void *arg, const char *p, size_t n, unsigned flags)
{
    struct run *r = arg;
    (void)flags;
    if ((r->done & 1023) == 0)
        arena_reset(r->arena);
    if (decode_record(r->ctx, r->src, r->arena, p, n, r->received, r->ev))
        r->errors++;
    r->generic += (r->ev->flags & EVF_GENERIC) != 0;
    r->bytes += n + 1;
    r->done++;
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
    char *data = bench_read_all(argv[1], &len);
    if (!data) {
        fprintf(stderr, "bench_decode: cannot read %s\n", argv[1]);
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

    struct run r = {.ctx = ctx, .src = &src, .arena = &arena, .ev = ev, .received = received};
    struct ingest_framer fr;
    ingest_framer_init(&fr, 0, true);
    size_t nlines = 0;
    int64_t t0 = vtime_mono_ns(), t1;
    do {
        /* Framing is part of the measure: the file goes through the newline framer in
         * 64 KiB reads, as a socket or file input hands it over. */
        for (size_t off = 0; off < len; off += CHUNK)
            ingest_framer_feed(&fr, data + off, len - off < CHUNK ? len - off : CHUNK, on_frame,
                               &r);
        ingest_framer_eof(&fr, on_frame, &r);
        if (!nlines)
            nlines = (size_t)r.done;
        t1 = vtime_mono_ns();
    } while ((double)(t1 - t0) / 1e9 < MIN_SECONDS);
    ingest_framer_fini(&fr);
    uint64_t done = r.done, bytes = r.bytes, generic = r.generic, errors = r.errors;
    double secs = (double)(t1 - t0) / 1e9;

    char cpu[256];
    bench_cpu_model(cpu, sizeof cpu);
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
    mem_free(data);
    return 0;
}
