/*
 * fuzz_sigma_rules.c — libFuzzer target for the Sigma loader: any bytes as the YAML
 * text of a rule file (multi-document), through the YAML parser, the metadata, the
 * identifiers, every modifier and the condition; each loaded rule is then evaluated
 * against a few decoded events. Loading must never crash or leak; each refusal must
 * come with a reason.
 */
#include "core/core.h"
#include "decode/decode.h"
#include "detect/detect.h"
#include "event/event.h"

#include <stdlib.h>
#include <string.h>

static const char *const lines[] = {
    "Sep  5 02:00:00 web01 sshd[17049]: Failed password for invalid user ftp from "
    "198.51.100.4 port 6721 ssh2",
    "203.0.113.5 - - [05/Sep/2024:02:00:00 +0000] \"GET /x?q=1%27 HTTP/1.1\" 404 22 \"-\" "
    "\"sqlmap/1.7\"",
    "{\"EventID\": 4688, \"CommandLine\": \"cmd.exe /c whoami\", \"Image\": "
    "\"C:\\\\Windows\\\\System32\\\\cmd.exe\"}",
};
#define NLINES (sizeof lines / sizeof lines[0])

static struct event evs[NLINES];

static void on_refusal(void *ctx, const struct detect_refusal *r)
{
    (void)ctx;
    if (!r->reason || !*r->reason || !r->id || !r->file)
        abort();
}

static int on_match(void *ctx, size_t rule, const struct event *ev)
{
    (void)ctx;
    (void)rule;
    (void)ev;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    static struct decode_ctx *dc;
    static struct arena arena;
    if (!init) {
        field_registry_init();
        if (decode_ctx_new(&dc))
            abort();
        arena_init(&arena, 1 << 16, 1 << 22);
        for (size_t i = 0; i < NLINES; i++) {
            struct decode_source src = {0};
            event_reset(&evs[i]);
            decode_record(dc, &src, &arena, lines[i], strlen(lines[i]), 1725501600000000000LL,
                          &evs[i]);
            evs[i].routes = ~0ULL; /* let every rule see every event */
        }
        init = true;
    }
    if (size > (1 << 20))
        return 0;
    struct detect_rules *rs = NULL;
    struct detect_load_stats st;
    if (detect_rules_load_text(NULL, "fuzz.yml", (const char *)data, size, on_refusal, NULL, &rs,
                               &st) != 0)
        return 0;
    if (detect_rules_count(rs) != st.rules)
        abort();
    for (size_t i = 0; i < NLINES; i++)
        detect_match_all(rs, &evs[i], on_match, NULL);
    detect_rules_free(rs);
    return 0;
}
