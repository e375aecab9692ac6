/*
 * fuzz_dec_custom.c — libFuzzer target for the operator's decoders (custom.c): a fixed
 * configuration with a regex, a key=value and a JSON decoder; the input bytes are
 * decoded forced through each, and behind a syslog header whose program selects them.
 * Checks the event's bounds and that it renders as JSON.
 */
#include "core/core.h"
#include "decode/decode.h"
#include "event/event.h"
#include "ingest/ingest.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static const char config[] =
    "decoders:\n"
    "  - name: f_re\n    program: fre\n"
    "    regex: '^(?<action>\\w+) (?<src_ip>[^ :]+):(?<src_port>\\d+)(?: (?<rest>.*))?$'\n"
    "    routes: [firewall]\n"
    "  - name: f_kv\n    program: fkv\n    kv: {pair: \" ,|\", assign: \"=:\", quote: \"\\\"'\"}\n"
    "    rename: {src: src_ip}\n"
    "  - name: f_json\n    program: fjson\n    json: true\n    rename: {a.b: user}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct event *ev)
{
    if (ev->nfields > EVENT_MAX_FIELDS)
        abort();
    struct buf b;
    buf_init(&b, 0);
    if (event_to_json(ev, &b) != 0)
        abort();
    buf_fini(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct decode_ctx *ctx;
    static struct ingest_config cfg;
    static struct event ev;
    static char line[EVENT_MAX_RECORD + 64];
    if (!ctx) {
        field_registry_init();
        char err[256];
        ingest_config_defaults(&cfg);
        if (decode_ctx_new(&ctx) ||
            ingest_config_load("fuzz.yaml", config, sizeof config - 1, &cfg, err, sizeof err))
            abort();
    }
    struct arena arena;
    arena_init(&arena, 4096, 1 << 20);
    static const char *const names[] = {"f_re", "f_kv", "f_json"};
    static const char *const progs[] = {"fre", "fkv", "fjson"};
    for (int i = 0; i < 3; i++) {
        struct decode_source src = {
            .charset = CHARSET_AUTO, .format = names[i], .custom = cfg.custom};
        memset(&ev, 0, sizeof ev);
        decode_record(ctx, &src, &arena, (const char *)data, size, 1732579200LL * NS_PER_SEC, &ev);
        check(&ev);
        arena_reset(&arena);
        int h = snprintf(line, 64, "Nov 25 10:00:00 host %s: ", progs[i]);
        size_t n = size < sizeof line - (size_t)h ? size : sizeof line - (size_t)h;
        memcpy(line + h, data, n);
        src.format = NULL;
        memset(&ev, 0, sizeof ev);
        decode_record(ctx, &src, &arena, line, (size_t)h + n, 1732579200LL * NS_PER_SEC, &ev);
        check(&ev);
        arena_reset(&arena);
    }
    arena_fini(&arena);
    return 0;
}
