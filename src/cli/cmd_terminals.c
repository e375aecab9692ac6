/*
 * cmd_terminals.c — `vigil terminals [--format table|jsonl] [-c FILE | -d DIR]`: the
 * unregistered terminals `vigil serve` recorded (DHCP leases and arpwatch sightings of
 * devices the asset inventory does not register), last seen first:
 *
 *   table  last seen  first seen  MAC  address  name  sightings
 *   jsonl  {"mac","ip","name","first_seen","last_seen","seen"}
 *
 * Names come from the network (DHCP client names): control bytes are shown as '.' in
 * the table. Audited (terminals.list).
 */
#include "cli/cli.h"
#include "core/core.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

struct out {
    bool jsonl;
    size_t rows;
};

static void put_json(const char *k, struct slice v, bool first)
{
    printf("%s\"%s\":", first ? "" : ",", k);
    if (!v.p) {
        printf("null");
        return;
    }
    struct buf b;
    buf_init(&b, 1 << 16);
    buf_json_str(&b, v.p, v.len);
    printf("\"%.*s\"", (int)b.len, b.p ? b.p : "");
    buf_fini(&b);
}

static int print_terminal(void *ctx, const struct store_terminal *t)
{
    struct out *o = ctx;
    char first[40], last[40];
    vtime_format(t->first_ns, first, sizeof first);
    vtime_format(t->last_ns, last, sizeof last);
    o->rows++;
    if (o->jsonl) {
        printf("{");
        put_json("mac", slice_cstr(t->mac), true);
        put_json("ip", t->ip, false);
        put_json("name", t->name, false);
        printf(",\"first_seen\":\"%s\",\"last_seen\":\"%s\",\"seen\":%llu}\n", first, last,
               (unsigned long long)t->seen);
        return 0;
    }
    char name[33];
    size_t n = t->name.p ? (t->name.len < 32 ? t->name.len : 32) : 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t->name.p[i];
        name[i] = c < 0x20 || c == 0x7f ? '.' : (char)c;
    }
    name[n] = '\0';
    printf("%.19sZ  %.19sZ  %-17s  %-15.*s  %-32s  %llu\n", last, first, t->mac,
           (int)(t->ip.p ? t->ip.len : 1), t->ip.p ? t->ip.p : "-", n ? name : "-",
           (unsigned long long)t->seen);
    return 0;
}

/* See cli.h. */
int cmd_terminals(int argc, char **argv)
{
    const char *dir = NULL, *conf = NULL;
    struct out o = {false, 0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if ((!strcmp(a, "-d") || !strcmp(a, "-c") || !strcmp(a, "--format")) && v) {
            if (!strcmp(a, "-d"))
                dir = v;
            else if (!strcmp(a, "-c"))
                conf = v;
            else if (!strcmp(v, "jsonl") || !strcmp(v, "table"))
                o.jsonl = !strcmp(v, "jsonl");
            else
                goto usage;
            i++;
        } else {
            goto usage;
        }
    }
    char *d = NULL;
    if (cli_data_dir("terminals", conf, dir, &d))
        return 2;
    struct store *st = NULL;
    struct store_opts so = {.dir = d, .read_only = true};
    int rc = store_open(&so, &st);
    if (rc) {
        fprintf(stderr, "vigil terminals: cannot open the store in %s: %s\n", d, err_str(rc));
        mem_free(d);
        return 1;
    }
    store_install_audit_sink(st);
    rc = store_terminals_list(st, print_terminal, &o);
    char result[64];
    if (rc)
        snprintf(result, sizeof result, "error: %s", err_str(rc));
    else
        snprintf(result, sizeof result, "ok: %zu terminals", o.rows);
    cli_audit("terminals.list", "unregistered", result);
    store_close(st);
    mem_free(d);
    return rc ? 1 : 0;
usage:
    fprintf(stderr, "usage: vigil terminals [--format table|jsonl] [-c FILE | -d DIR]\n");
    return 2;
}
