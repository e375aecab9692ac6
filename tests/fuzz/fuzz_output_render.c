/*
 * fuzz_output_render.c — libFuzzer target for the alert outputs' renderings
 * (src/output/out_render.c). They parse nothing, but every entity of an alert comes from
 * a log line, i.e. from whoever sent it, so the escaping must hold for any bytes: the input
 * is split at NUL bytes into title, rule id, src_ip, dst_ip, user, host and asset, and
 *   - the CEF record and the syslog message are one line (no CR, LF or NUL), whose header
 *     has exactly seven unescaped '|' before the extension;
 *   - the JSON has no raw control byte;
 *   - the e-mail's header lines are only the ones Vigil writes (or folded continuations),
 *     and no line is longer than SMTP's 998 bytes.
 */
#include "output/output.h"

#include <stdlib.h>
#include <string.h>

static void check_line(const struct buf *b)
{
    for (size_t i = 0; i < b->len; i++)
        if (b->p[i] == '\n' || b->p[i] == '\r' || b->p[i] == 0)
            abort();
}

/* Seven unescaped pipes end the CEF header; the extension may hold any. */
static void check_cef(const char *p, size_t n)
{
    const char *cef = memmem(p, n, "CEF:0|", 6);
    if (!cef)
        abort();
    unsigned pipes = 0;
    for (const char *q = cef; q < p + n && pipes < 7; q++) {
        if (*q == '\\')
            q++;
        else if (*q == '|')
            pipes++;
    }
    if (pipes != 7)
        abort();
}

static void check_email(const struct buf *b)
{
    static const char *const names[] = {
        "Date:",         "From:",         "To:",
        "Message-ID:",   "Subject:",      "X-Vigil-Alert:",
        "MIME-Version:", "Content-Type:", "Content-Transfer-Encoding:"};
    size_t start = 0;
    bool header = true;
    for (size_t i = 0; i < b->len; i++) {
        if (b->p[i] != '\n')
            continue;
        if (i == 0 || b->p[i - 1] != '\r' || i - start > 999)
            abort();
        const char *l = b->p + start;
        size_t len = i - 1 - start;
        if (header && len == 0) {
            header = false;
        } else if (header && l[0] != ' ') {
            bool known = false;
            for (size_t k = 0; k < sizeof names / sizeof names[0] && !known; k++)
                known = len >= strlen(names[k]) && !memcmp(l, names[k], strlen(names[k]));
            if (!known)
                abort();
        }
        start = i + 1;
    }
    if (header)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct slice part[7] = {{0}};
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= size && k < 7; i++)
        if (i == size || data[i] == 0) {
            part[k++] = slice_make((const char *)data + start, i - start);
            start = i + 1;
        }
    char *title = mem_strndup(part[0].p ? part[0].p : "", part[0].len);
    char *rule = mem_strndup(part[1].p ? part[1].p : "", part[1].len);
    char *asset = part[6].p ? mem_strndup(part[6].p, part[6].len) : NULL;
    uint64_t ids[2] = {1, 2};
    struct alert_row r = {
        .id = size,
        .is_new = size % 2 == 0,
        .rule_id = rule,
        .rule_title = title,
        .rule_level = size % 3 ? "high" : "low",
        .tags_json = "[\"attack.t1110\"]",
        .first_seen_ns = 1764064800000000000LL,
        .last_seen_ns = 1764064835000000000LL,
        .count = 3,
        .src_ip = part[2],
        .dst_ip = part[3],
        .user = part[4],
        .host = part[5],
        .nevents = 2,
        .asset = asset,
    };
    memcpy(r.event_ids, ids, sizeof ids);
    struct output_alert *a = title && rule ? output_alert_new(&r) : NULL;
    if (a) {
        struct buf b;
        buf_init(&b, 1 << 22);
        output_render_cef(&b, a);
        check_line(&b);
        check_cef(b.p, b.len);
        buf_reset(&b);
        struct output_cfg o = {.facility = 16, .rfc3164 = size % 2};
        output_render_syslog(&b, &o, a, "host", 1, 1764064900000000000LL);
        check_line(&b);
        check_cef(b.p, b.len);
        buf_reset(&b);
        output_render_json(&b, a);
        for (size_t i = 0; i < b.len; i++)
            if ((unsigned char)b.p[i] < 0x20)
                abort();
        buf_reset(&b);
        char from[] = "vigil@example.com", to0[] = "soc@example.com";
        char *to[] = {to0};
        struct output_cfg m = {.type = OUTPUT_EMAIL, .from = from, .to = to, .nto = 1};
        output_render_email(&b, &m, a, "mail.example.com", 1764064900000000000LL);
        check_email(&b);
        buf_fini(&b);
        output_alert_unref(a);
    }
    mem_free(title);
    mem_free(rule);
    mem_free(asset);
    return 0;
}
