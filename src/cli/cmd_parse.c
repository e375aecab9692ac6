/*
 * cmd_parse.c — `vigil parse`: decodes log lines from stdin and prints each event as
 * one JSON object per line (event_to_json). It runs the same decode_record as the
 * daemon, so it is how operators and the golden tests see what Vigil makes of a log.
 *
 * Lines are read by cli_read_lines (cli_lines.c: bounded, over-long lines cut and
 * flagged). Empty lines are skipped (they are not records) but count for line numbers.
 * The event id is hash("stdin", line number), as a file input would make it.
 */
#include "cli/cli.h"
#include "core/core.h"
#include "decode/decode.h"
#include "event/event.h"
#include "ingest/ingest.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: vigil parse [-c CONFIG] [--tz ZONE] [--charset auto|utf-8|gbk|gb18030] "
               "[--format NAME]\n"
               "  reads log lines on stdin, prints one JSON event per line\n"
               "  --tz ZONE      zone of timestamps without offset (default UTC): "
               "UTC, +08:00, Asia/Shanghai\n"
               "  --charset C    character set of the input (default auto)\n"
               "  -c CONFIG      also the operator's decoders of that vigil.yaml (decoders:)\n"
               "  --format NAME  force a decoder:");
    for (const char *const *n = decode_names(); *n; n++)
        fprintf(f, " %s", *n);
    fprintf(f, "\n");
}

struct parse_state {
    struct decode_ctx *ctx;
    struct decode_source src;
    struct arena arena;
    struct event *ev;
    struct buf out;
    int64_t received; /* fixed (--received) or 0 for the clock */
    uint64_t id_seed;
};

static int emit(struct parse_state *st, const char *line, size_t len, uint64_t lineno)
{
    if (len == 0)
        return 0;
    int64_t recv = st->received ? st->received : vtime_now_ns();
    st->ev->id = hash_mix(st->id_seed, lineno);
    st->ev->input = SLICE_LIT("stdin");
    st->ev->peer = SLICE_NULL;
    decode_record(st->ctx, &st->src, &st->arena, line, len, recv, st->ev);
    buf_reset(&st->out);
    event_to_json(st->ev, &st->out);
    buf_putc(&st->out, '\n');
    arena_reset(&st->arena);
    if (st->out.err)
        return st->out.err;
    if (fwrite(st->out.p, 1, st->out.len, stdout) != st->out.len)
        return ERR_IO;
    return 0;
}

static int on_line(void *ctx, const char *line, size_t len, uint64_t lineno)
{
    return emit(ctx, line, len, lineno);
}

/* `vigil parse`; see cli.h. Returns 0, 1 on a runtime failure, 2 on bad usage. */
int cmd_parse(int argc, char **argv)
{
    const char *tzname = NULL, *charset = NULL, *format = NULL, *received = NULL, *config = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--tz"))
            slot = &tzname;
        else if (!strcmp(a, "--charset"))
            slot = &charset;
        else if (!strcmp(a, "--format"))
            slot = &format;
        else if (!strcmp(a, "-c") || !strcmp(a, "--config"))
            slot = &config;
        else if (!strcmp(a, "--received")) /* hidden: fixed receive time for tests */
            slot = &received;
        if (!slot || i + 1 >= argc) {
            fprintf(stderr, "vigil parse: %s '%s'\n", slot ? "missing value for" : "unknown option",
                    a);
            usage(stderr);
            return 2;
        }
        *slot = argv[++i];
    }

    struct parse_state st;
    memset(&st, 0, sizeof st);
    struct vtz *tz = NULL;
    int code = 1, rc;
    struct ingest_config cfg;
    ingest_config_defaults(&cfg);
    if (tzname && (rc = vtz_open(tzname, &tz)) != 0) {
        fprintf(stderr, "vigil parse: time zone '%s': %s\n", tzname, err_str(rc));
        return 2;
    }
    st.src.tz = tz;
    if (charset && decode_charset_parse(charset, &st.src.charset) != 0) {
        fprintf(stderr, "vigil parse: unknown charset '%s'\n", charset);
        code = 2;
        goto done;
    }
    if (config) {
        char err[512];
        if (ingest_config_load_file(config, &cfg, err, sizeof err) != 0) {
            fprintf(stderr, "vigil parse: %s\n", err);
            code = 2;
            goto done;
        }
        st.src.custom = cfg.custom;
    }
    st.src.format = format;
    if (format) {
        bool known =
            !strcmp(format, "auto") || !strcmp(format, "apache") || !strcmp(format, "nginx");
        for (size_t i = 0; decode_custom_name(cfg.custom, i) && !known; i++)
            known = !strcmp(decode_custom_name(cfg.custom, i), format);
        for (const char *const *n = decode_names(); *n && !known; n++)
            known = !strcmp(*n, format);
        if (!known) {
            fprintf(stderr, "vigil parse: unknown format '%s'\n", format);
            code = 2;
            goto done;
        }
    }
    if (received && vtime_parse(slice_cstr(received), vtime_now_ns(), &st.received) != 0) {
        fprintf(stderr, "vigil parse: bad --received time '%s'\n", received);
        code = 2;
        goto done;
    }
    st.id_seed = hash64("stdin", 5, 0);
    st.ev = mem_alloc(sizeof *st.ev);
    if (!st.ev || decode_ctx_new(&st.ctx) != 0) {
        fprintf(stderr, "vigil parse: out of memory\n");
        goto done;
    }
    memset(st.ev, 0, sizeof *st.ev);
    arena_init(&st.arena, 256 * 1024, 64 * 1024 * 1024);
    buf_init(&st.out, 0);
    rc = cli_read_lines(stdin, on_line, &st);
    fflush(stdout);
    if (rc)
        fprintf(stderr, "vigil parse: %s\n", err_str(rc));
    else
        code = 0;
    buf_fini(&st.out);
    arena_fini(&st.arena);
done:
    decode_ctx_free(st.ctx);
    mem_free(st.ev);
    vtz_free(tz);
    ingest_config_fini(&cfg);
    return code;
}
