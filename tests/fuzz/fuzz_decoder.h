/*
 * fuzz_decoder.h — the body of every per-decoder fuzz target (tests/fuzz/fuzz_dec_*.c):
 * a target defines FUZZ_DECODER (a name of decode_names()) and includes this file. The
 * input is decoded twice: once with that decoder forced (the source's `format`), where
 * only its own code runs on the bytes, and once through automatic dispatch with a syslog
 * header in front naming the decoder's first program, so the header and the dispatch
 * are on the path too. Checks that the event stays within its bounds, that raw is the
 * input (cut at EVENT_MAX_RECORD), that every field value lies inside the record or the
 * arena, and that the event renders as JSON.
 */
#include "core/core.h"
#include "decode/decode.h"
#include "event/event.h"

#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_DECODER
#error "define FUZZ_DECODER before including fuzz_decoder.h"
#endif
#ifndef FUZZ_PROGRAM
#define FUZZ_PROGRAM FUZZ_DECODER
#endif

static void fuzz_check(const struct event *ev, const uint8_t *data, size_t size)
{
    if (ev->nfields > EVENT_MAX_FIELDS || ev->raw.p != (const char *)data ||
        ev->raw.len != (size < EVENT_MAX_RECORD ? size : EVENT_MAX_RECORD))
        abort();
    struct buf b;
    buf_init(&b, 0);
    if (event_to_json(ev, &b) != 0)
        abort();
    buf_fini(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct decode_ctx *ctx;
    static struct event ev;
    static char line[EVENT_MAX_RECORD + 64];
    if (!ctx) {
        field_registry_init();
        if (decode_ctx_new(&ctx))
            abort();
    }
    const int64_t received = 1732579200LL * NS_PER_SEC;
    struct arena arena;
    arena_init(&arena, 4096, 1 << 20);
    struct decode_source forced = {.tz = NULL, .charset = CHARSET_AUTO, .format = FUZZ_DECODER};
    memset(&ev, 0, sizeof ev);
    decode_record(ctx, &forced, &arena, (const char *)data, size, received, &ev);
    fuzz_check(&ev, data, size);
    arena_reset(&arena);

    static const char hdr[] = "Nov 25 10:00:00 host " FUZZ_PROGRAM ": ";
    size_t n = size < sizeof line - sizeof hdr ? size : sizeof line - sizeof hdr;
    memcpy(line, hdr, sizeof hdr - 1);
    memcpy(line + sizeof hdr - 1, data, n);
    struct decode_source any = {.tz = NULL, .charset = CHARSET_AUTO, .format = NULL};
    memset(&ev, 0, sizeof ev);
    decode_record(ctx, &any, &arena, line, sizeof hdr - 1 + n, received, &ev);
    fuzz_check(&ev, (const uint8_t *)line, sizeof hdr - 1 + n);
    arena_fini(&arena);
    return 0;
}
