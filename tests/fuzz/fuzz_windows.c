/*
 * fuzz_windows.c — libFuzzer target for the Windows event decoder (dec_windows.c) and
 * its dispatch: each input is decoded twice, by content (a '{' record mentioning
 * "winlog" or "EventID" goes to the Windows decoder, then to plain JSON when it is not
 * Windows) and forced with format "windows". A Windows event must hold an EventID and
 * a Channel or Provider_Name, carry the windows route, and stay within the field cap; a
 * refused object leaves no fields behind.
 */
#include "core/core.h"
#include "decode/decode.h"
#include "event/event.h"

#include <stdlib.h>
#include <string.h>

static void check(const struct event *ev, const uint8_t *data, size_t size)
{
    if (ev->nfields > EVENT_MAX_FIELDS)
        abort();
    if ((ev->flags & EVF_GENERIC) && size && data[0] == '{' && ev->nfields != 0)
        abort();
    if (ev->decoder && !strcmp(ev->decoder, "windows")) {
        struct slice v;
        if (!event_get(ev, FIELD_EventID, &v) ||
            !(event_get(ev, FIELD_Channel, &v) || event_get(ev, FIELD_Provider_Name, &v)))
            abort();
        if (!(ev->routes & ROUTE_BIT(ROUTE_windows)) || !ev->aliases)
            abort();
    }
    struct buf b;
    buf_init(&b, 0);
    if (event_to_json(ev, &b) != 0)
        abort();
    buf_fini(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct decode_ctx *ctx;
    static struct event ev;
    if (!ctx) {
        field_registry_init();
        if (decode_ctx_new(&ctx))
            abort();
    }
    static const char *const formats[] = {NULL, "windows"};
    for (int i = 0; i < 2; i++) {
        struct arena arena;
        arena_init(&arena, 4096, 1 << 20);
        struct decode_source src = {.tz = NULL, .charset = CHARSET_UTF8, .format = formats[i]};
        memset(&ev, 0, sizeof ev);
        decode_record(ctx, &src, &arena, (const char *)data, size, 1732579200LL * NS_PER_SEC, &ev);
        check(&ev, data, size);
        arena_fini(&arena);
    }
    return 0;
}
