/*
 * fuzz_tcp_framing.c — libFuzzer target for the RFC 6587 framer (src/ingest/framer.c).
 * The first bytes choose the frame cap, the mode and a chunking pattern; the rest is the
 * stream. The stream is framed twice, once whole and once in the chosen chunks, and the
 * two frame lists must be identical (framing must not depend on how read() splits the
 * bytes); every frame must be non-empty and within the cap, and the frames can never
 * hold more bytes than the stream.
 */
#include "ingest/ingest.h"

#include <stdlib.h>
#include <string.h>

struct log {
    struct buf b; /* frames as: flags byte, 4-byte length, bytes */
    size_t frames, bytes, max;
};

static void collect(void *ctx, const char *p, size_t len, unsigned flags)
{
    struct log *l = ctx;
    if (len == 0 || len > l->max)
        abort();
    uint32_t n = (uint32_t)len;
    char f = (char)flags;
    buf_append(&l->b, &f, 1);
    buf_append(&l->b, &n, sizeof n);
    buf_append(&l->b, p, len);
    l->frames++;
    l->bytes += len;
}

static void run(const uint8_t *data, size_t size, size_t max, bool lf, const uint8_t *chunks,
                size_t nchunks, struct log *l)
{
    struct ingest_framer f;
    ingest_framer_init(&f, max, lf);
    size_t off = 0, k = 0;
    while (off < size) {
        size_t step = nchunks ? (size_t)chunks[k++ % nchunks] + 1 : size;
        if (step > size - off)
            step = size - off;
        ingest_framer_feed(&f, (const char *)data + off, step, collect, l);
        off += step;
    }
    ingest_framer_eof(&f, collect, l);
    ingest_framer_fini(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    size_t max = 256 + (size_t)data[0] * 4; /* 256 .. 1276: small, so caps are hit */
    bool lf = data[1] & 1;
    size_t nchunks = (size_t)(data[1] >> 1) % 8;
    if (size < 2 + nchunks)
        return 0;
    const uint8_t *chunks = data + 2;
    data += 2 + nchunks;
    size -= 2 + nchunks;
    struct log whole = {.max = max}, split = {.max = max};
    buf_init(&whole.b, 0);
    buf_init(&split.b, 0);
    run(data, size, max, lf, NULL, 0, &whole);
    run(data, size, max, lf, chunks, nchunks, &split);
    if (whole.bytes > size || whole.b.len != split.b.len ||
        (whole.b.len && memcmp(whole.b.p, split.b.p, whole.b.len) != 0))
        abort();
    buf_fini(&whole.b);
    buf_fini(&split.b);
    return 0;
}
