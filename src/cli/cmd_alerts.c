/*
 * cmd_alerts.c — `vigil alerts [--limit N] [--level L] [--format table|jsonl]
 * [-c FILE | -d DIR]`: lists the newest alerts (by first seen) that `vigil serve` stored
 * in DIR/vigil.db, with at least level L when given (informational < low < medium <
 * high < critical). One alert per line:
 *
 *   jsonl  {"id","rule_id","title","level","tags":[…],"first_seen","last_seen","count",
 *           "src_ip","dst_ip","user","host","asset","risk","status","event_ids":[…],
 *           "created","status_reason","status_by","status_at"}  (times RFC 3339 UTC;
 *           absent entities, asset, risk and status change are null)
 *   table  first seen  level  title  src_ip  user  host  count  status
 *
 * Entities come from log lines, i.e. from whoever sent them: the table replaces
 * control bytes so that they cannot drive the analyst's terminal. Every listing is
 * audited (actor $USER, source "cli", action alerts.list).
 */
#include "cli/cli.h"
#include "core/core.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct alerts_out {
    bool jsonl;
    struct buf line;
    size_t rows;
};

static void usage(FILE *f)
{
    fprintf(f, "usage: vigil alerts [--limit N] [--level L] [--format table|jsonl]\n"
               "                    [-c FILE | -d DIR]\n"
               "  lists the newest alerts (by first seen)\n"
               "  N       alerts shown (default 100, at most 100000)\n"
               "  L       informational, low, medium, high or critical: that level or above\n"
               "  FILE    the daemon's config: its data_dir is read\n"
               "  DIR     data directory (default ./var)\n"
               "       vigil alerts ack|escalate|close|suppress|suppressions|unsuppress ...\n"
               "  (vigil alerts ack --help for those)\n");
}

/* Appends s (n bytes) with control bytes and DEL as '.', padded or cut to w columns. */
static void put_cell(struct buf *b, const char *s, size_t n, size_t w)
{
    if (!s) {
        s = "-";
        n = 1;
    }
    size_t i = 0;
    for (; i < n && i < w; i++) {
        unsigned char c = (unsigned char)s[i];
        buf_putc(b, (c < 0x20 || c == 0x7f) ? '.' : (char)c);
    }
    for (; i < w; i++)
        buf_putc(b, ' ');
    buf_putc(b, ' ');
}

static int print_alert(void *ctx, const struct store_alert *a)
{
    struct alerts_out *o = ctx;
    struct buf *b = &o->line;
    buf_reset(b);
    if (o->jsonl) {
        store_alert_json(b, a);
        buf_putc(b, '\n');
    } else {
        char t[64];
        if (vtime_format(a->first_seen_ns, t, sizeof t) != 0)
            snprintf(t, sizeof t, "?");
        if (strlen(t) > 19) {
            t[19] = 'Z';
            t[20] = 0;
        }
        buf_printf(b, "%-20s ", t);
        const char *lv = a->rule_level ? a->rule_level : "-";
        put_cell(b, lv, strlen(lv), 13);
        const char *ti = a->rule_title ? a->rule_title : "-";
        put_cell(b, ti, strlen(ti), 48);
        put_cell(b, a->src_ip.p, a->src_ip.len, 39 < a->src_ip.len ? 39 : 15);
        put_cell(b, a->user.p, a->user.len, 16);
        put_cell(b, a->host.p, a->host.len, 16);
        buf_printf(b, "%6" PRIu64 " ", a->count);
        const char *stt = a->status ? a->status : "-";
        put_cell(b, stt, strlen(stt), 12);
        while (b->len && b->p[b->len - 1] == ' ')
            b->len--;
        buf_putc(b, '\n');
    }
    if (b->err)
        return b->err;
    o->rows++;
    return fwrite(b->p, 1, b->len, stdout) == b->len ? 0 : ERR_IO;
}

/* See cli.h. */
int cmd_alerts(int argc, char **argv)
{
    static const char *const verbs[] = {"ack",      "escalate",     "close",
                                        "suppress", "suppressions", "unsuppress"};
    for (size_t v = 0; argc > 1 && v < sizeof verbs / sizeof verbs[0]; v++)
        if (!strcmp(argv[1], verbs[v]))
            return cmd_alerts_manage(argc, argv);
    const char *dir = NULL, *conf = NULL, *level = NULL;
    size_t limit = 100;
    struct alerts_out out = {.jsonl = false};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        bool takes = !strcmp(a, "--limit") || !strcmp(a, "--level") || !strcmp(a, "--format") ||
                     !strcmp(a, "-d") || !strcmp(a, "--data") || !strcmp(a, "-c") ||
                     !strcmp(a, "--config");
        if (!takes) {
            fprintf(stderr, "vigil alerts: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        }
        if (!v) {
            fprintf(stderr, "vigil alerts: %s needs a value\n", a);
            return 2;
        }
        i++;
        if (!strcmp(a, "--limit")) {
            uint64_t n;
            if (slice_to_u64(slice_cstr(v), &n) || n == 0 || n > STORE_ALERTS_MAX_LIST) {
                fprintf(stderr, "vigil alerts: --limit wants 1..%d\n", STORE_ALERTS_MAX_LIST);
                return 2;
            }
            limit = (size_t)n;
        } else if (!strcmp(a, "--level")) {
            if (store_alert_level_rank(v) < 0) {
                fprintf(stderr,
                        "vigil alerts: --level is informational, low, medium, high or"
                        " critical, not '%s'\n",
                        v);
                return 2;
            }
            level = v;
        } else if (!strcmp(a, "--format")) {
            if (strcmp(v, "table") && strcmp(v, "jsonl")) {
                fprintf(stderr, "vigil alerts: --format is table or jsonl\n");
                return 2;
            }
            out.jsonl = !strcmp(v, "jsonl");
        } else if (!strcmp(a, "-d") || !strcmp(a, "--data")) {
            dir = v;
        } else {
            conf = v;
        }
    }
    char *dir_owned = NULL;
    if (cli_data_dir("alerts", conf, dir, &dir_owned))
        return 2;
    int ret = 1;
    struct store *st = NULL;
    struct store_opts so = {.dir = dir_owned, .read_only = true};
    int rc = store_open(&so, &st);
    if (rc) {
        fprintf(stderr, "vigil alerts: cannot open the store in %s: %s\n", dir_owned, err_str(rc));
        goto out;
    }
    store_install_audit_sink(st);
    buf_init(&out.line, 1 << 20);
    struct store_alert_filter f = {.limit = limit, .min_level = level};
    rc = store_alerts_list(st, &f, print_alert, &out);
    fflush(stdout);
    char object[64], result[128];
    snprintf(object, sizeof object, "level>=%s limit=%zu", level ? level : "any", limit);
    if (rc) {
        fprintf(stderr, "vigil alerts: %s\n", err_str(rc));
        snprintf(result, sizeof result, "error: %s", err_str(rc));
    } else {
        snprintf(result, sizeof result, "ok: %zu alerts", out.rows);
        ret = 0;
    }
    cli_audit("alerts.list", object, result);
    buf_fini(&out.line);
    audit_set_sink(NULL, NULL);
    store_close(st);
out:
    mem_free(dir_owned);
    return ret;
}
