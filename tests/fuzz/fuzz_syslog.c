/*
 * fuzz_syslog.c — libFuzzer target for the whole decode path on arbitrary bytes:
 * charset detection (AUTO: UTF-8 or GB18030), the syslog header in all its variants,
 * dispatch and every decoder, then JSON rendering of the event. Checks that the event
 * stays within its bounds and that raw is the input (cut at EVENT_MAX_RECORD).
 */
#include "core/core.h"
#include "decode/decode.h"
#include "event/event.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct decode_ctx *ctx;
    static struct vtz *tz;
    static struct event ev;
    if (!ctx) {
        field_registry_init();
        if (decode_ctx_new(&ctx) || vtz_open("+08:00", &tz))
            abort();
    }
    struct arena arena;
    arena_init(&arena, 4096, 1 << 20);
    struct decode_source src = {.tz = tz, .charset = CHARSET_AUTO, .format = NULL};
    memset(&ev, 0, sizeof ev);
    decode_record(ctx, &src, &arena, (const char *)data, size, 1732579200LL * NS_PER_SEC, &ev);
    if (ev.nfields > EVENT_MAX_FIELDS || ev.raw.p != (const char *)data ||
        ev.raw.len != (size < EVENT_MAX_RECORD ? size : EVENT_MAX_RECORD))
        abort();
    struct buf b;
    buf_init(&b, 0);
    if (event_to_json(&ev, &b) != 0)
        abort();
    buf_fini(&b);
    arena_fini(&arena);
    return 0;
}
