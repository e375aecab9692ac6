/*
 * fuzz_json.c — libFuzzer target for the JSON lines decoder (src/decode/dec_json.c),
 * forced with format "json" so every input reaches it: flattening, unescaping into the
 * arena, depth and field bounds, time keys. An object it refuses must come back as a
 * generic event with no fields.
 */
#include "core/core.h"
#include "decode/decode.h"
#include "event/event.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct decode_ctx *ctx;
    static struct event ev;
    if (!ctx) {
        field_registry_init();
        if (decode_ctx_new(&ctx))
            abort();
    }
    struct arena arena;
    arena_init(&arena, 4096, 1 << 20);
    struct decode_source src = {.tz = NULL, .charset = CHARSET_UTF8, .format = "json"};
    memset(&ev, 0, sizeof ev);
    decode_record(ctx, &src, &arena, (const char *)data, size, 1732579200LL * NS_PER_SEC, &ev);
    if (ev.nfields > EVENT_MAX_FIELDS)
        abort();
    /* A refused object leaves nothing behind (a record starting '{' has no header). */
    if ((ev.flags & EVF_GENERIC) && size && data[0] == '{' && ev.nfields != 0)
        abort();
    struct buf b;
    buf_init(&b, 0);
    if (event_to_json(&ev, &b) != 0)
        abort();
    buf_fini(&b);
    arena_fini(&arena);
    return 0;
}
