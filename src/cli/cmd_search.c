/*
 * cmd_search.c — `vigil search QUERY [--from T] [--to T] [--limit N]
 * [--format table|jsonl] [-d DIR]`: runs the search language against the store in DIR
 * (default ./var) and prints the matching events newest first. Every search, even one
 * that fails to parse, is recorded in the audit trail (actor $USER, source "cli").
 *
 * Stored records are attacker-written text: the table format replaces control bytes so
 * that a log line cannot drive the analyst's terminal.
 */
#include "cli/cli.h"
#include "core/core.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define SEARCH_DEFAULT_LIMIT 100

enum out_format { OUT_TABLE, OUT_JSONL };

struct search_out {
    enum out_format format;
    size_t width; /* table: characters of raw text shown */
    struct buf line;
    size_t rows;
};

static void usage(FILE *f)
{
    fprintf(f, "usage: vigil search QUERY [--from T] [--to T] [--limit N]\n"
               "                    [--format table|jsonl] [-c FILE | -d DIR]\n"
               "  QUERY   field:value, \"phrase\", wild*card, AND OR NOT, ( ),\n"
               "          field:[1 TO 9], field:>n; a bare word searches the raw record\n"
               "  T       RFC 3339 (2024-09-05T02:00:00Z) or relative (-15m, -2h, -7d)\n"
               "  FILE    the daemon's config: its data_dir is searched\n"
               "  DIR     data directory (default ./var)\n");
}

static void put_time(struct buf *b, int64_t ns)
{
    char t[64];
    if (vtime_format(ns, t, sizeof t) != 0) {
        buf_puts(b, "?");
        return;
    }
    buf_append(b, t, strlen(t) > 19 ? 19 : strlen(t));
    buf_putc(b, 'Z');
}

/* Appends s with control bytes and DEL shown as '.', cut at `max` bytes (never in the
 * middle of a UTF-8 sequence). */
static void put_safe(struct buf *b, const char *s, size_t n, size_t max)
{
    size_t i = 0;
    for (; i < n && i < max; i++) {
        unsigned char c = (unsigned char)s[i];
        buf_putc(b, (c < 0x20 || c == 0x7f) ? '.' : (char)c);
    }
    if (i < n) {
        while (b->len && ((unsigned char)b->p[b->len - 1] & 0xc0) == 0x80)
            b->len--;
        if (b->len && (unsigned char)b->p[b->len - 1] >= 0xc0)
            b->len--;
        buf_puts(b, "...");
    }
}

static int print_row(void *ctx, const struct store_row *row)
{
    struct search_out *o = ctx;
    struct buf *b = &o->line;
    buf_reset(b);
    if (o->format == OUT_JSONL) {
        store_row_json(b, row);
        buf_putc(b, '\n');
    } else {
        put_time(b, row->time_ns);
        buf_putc(b, ' ');
        const char *h = row->host ? row->host : "-";
        put_safe(b, h, strlen(h), 32);
        buf_putc(b, ' ');
        const char *d = row->decoder ? row->decoder : "-";
        put_safe(b, d, strlen(d), 16);
        buf_putc(b, ' ');
        size_t used = b->len < o->width ? b->len : o->width - 1;
        put_safe(b, row->raw, row->raw_len, o->width > used + 20 ? o->width - used : 20);
        buf_putc(b, '\n');
    }
    if (b->err)
        return 1;
    fwrite(b->p, 1, b->len, stdout);
    o->rows++;
    return 0;
}

static size_t table_width(void)
{
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 40)
        return ws.ws_col;
    return 200;
}

static int parse_time(const char *opt, const char *v, int64_t *out)
{
    if (vtime_parse(slice_cstr(v), vtime_now_ns(), out) != 0) {
        fprintf(stderr, "vigil search: %s: not a time: '%s'\n", opt, v);
        return 2;
    }
    return 0;
}

/* See cli.h. */
int cmd_search(int argc, char **argv)
{
    const char *dir = NULL, *conf = NULL;
    char *dir_owned = NULL;
    struct store_query q = {0};
    struct search_out out = {.format = OUT_TABLE};
    struct buf query;
    buf_init(&query, 64 * 1024);
    size_t limit = SEARCH_DEFAULT_LIMIT;
    int ret = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            ret = 0;
            goto out;
        }
        bool takes = !strcmp(a, "--from") || !strcmp(a, "--to") || !strcmp(a, "--limit") ||
                     !strcmp(a, "--format") || !strcmp(a, "-d") || !strcmp(a, "--data") ||
                     !strcmp(a, "-c") || !strcmp(a, "--config");
        if (takes && !v) {
            fprintf(stderr, "vigil search: %s needs a value\n", a);
            goto out;
        }
        if (!strcmp(a, "--from")) {
            if (parse_time(a, v, &q.from_ns))
                goto out;
        } else if (!strcmp(a, "--to")) {
            if (parse_time(a, v, &q.to_ns))
                goto out;
        } else if (!strcmp(a, "--limit")) {
            uint64_t n;
            if (slice_to_u64(slice_cstr(v), &n) || n == 0 || n > 100000) {
                fprintf(stderr, "vigil search: --limit wants 1..100000\n");
                goto out;
            }
            limit = (size_t)n;
        } else if (!strcmp(a, "--format")) {
            if (!strcmp(v, "table"))
                out.format = OUT_TABLE;
            else if (!strcmp(v, "jsonl"))
                out.format = OUT_JSONL;
            else {
                fprintf(stderr, "vigil search: --format is table or jsonl\n");
                goto out;
            }
        } else if (!strcmp(a, "-d") || !strcmp(a, "--data")) {
            dir = v;
        } else if (!strcmp(a, "-c") || !strcmp(a, "--config")) {
            conf = v;
        } else if (a[0] == '-' && a[1] == '-' && a[2] == '\0') {
            for (i++; i < argc; i++) {
                if (query.len)
                    buf_putc(&query, ' ');
                buf_puts(&query, argv[i]);
            }
            break;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "vigil search: unknown option '%s'\n", a);
            usage(stderr);
            goto out;
        } else {
            if (query.len)
                buf_putc(&query, ' ');
            buf_puts(&query, a);
            continue;
        }
        i++;
    }
    if (query.err || !buf_cstr(&query)) {
        fprintf(stderr, "vigil search: query too long\n");
        goto out;
    }
    out.width = table_width();
    buf_init(&out.line, EVENT_MAX_RECORD * 8);

    struct store *st = NULL;
    if (cli_data_dir("search", conf, dir, &dir_owned))
        goto out;
    dir = dir_owned;
    struct store_opts so = {.dir = dir, .read_only = true};
    int rc = store_open(&so, &st);
    if (rc) {
        fprintf(stderr, "vigil search: cannot open the store in %s: %s\n", dir, err_str(rc));
        ret = 1;
        goto out;
    }
    store_install_audit_sink(st);

    struct query_node *root = NULL;
    char err[256];
    rc = store_query_parse(query.p, &root, err, sizeof err);
    if (rc) {
        fprintf(stderr, "vigil search: bad query: %s\n", err[0] ? err : err_str(rc));
        char res[300];
        snprintf(res, sizeof res, "error: %s", err[0] ? err : err_str(rc));
        cli_audit("search", query.p, res);
        ret = 2;
        goto close;
    }
    q.root = root;
    q.limit = limit;
    rc = store_query(st, &q, print_row, &out, NULL);
    fflush(stdout);
    char res[300];
    if (rc) {
        snprintf(res, sizeof res, "error: %s", err_str(rc));
        fprintf(stderr, "vigil search: %s\n", err_str(rc));
        ret = 1;
    } else {
        snprintf(res, sizeof res, "rows %zu", out.rows);
        ret = 0;
    }
    cli_audit("search", query.p, res);
    store_query_free(root);
close:
    audit_set_sink(NULL, NULL);
    store_close(st);
out:
    buf_fini(&out.line);
    buf_fini(&query);
    mem_free(dir_owned);
    return ret;
}
