/*
 * cmd_stats.c — `vigil stats [-c FILE | -d DIR]`: prints the counters and the source
 * inventory that `vigil serve` writes to <data_dir>/stats.json (at every stats_interval
 * and at shutdown). JSON is a subset of YAML's flow style, so the file is read back
 * with core's bounded cfg_parse rather than a second parser.
 */
#include "cli/cli.h"
#include "core/core.h"
#include "ingest/ingest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define STATS_MAX_BYTES (16 * 1024 * 1024)

static const char *text_of(const struct cfg_node *m, const char *k)
{
    const struct cfg_node *n = cfg_get(m, k);
    return n && n->kind == CFG_SCALAR && n->text ? n->text : "-";
}

static void print_tables(const struct cfg_node *root)
{
    printf("as of %s (daemon pid %s, up %s s)\n\n", text_of(root, "time"), text_of(root, "pid"),
           text_of(root, "uptime_s"));
    printf("%-16s %-10s %-24s %10s %10s %10s %10s %10s %10s\n", "INPUT", "TYPE", "ADDRESS",
           "RECEIVED", "DECODED", "GENERIC", "MALFORMED", "DROPPED", "STORED");
    const struct cfg_node *ins = cfg_get(root, "inputs");
    for (const struct cfg_node *i = ins ? ins->children : NULL; i; i = i->next)
        printf("%-16s %-10s %-24s %10s %10s %10s %10s %10s %10s\n", text_of(i, "name"),
               text_of(i, "type"), text_of(i, "addr"), text_of(i, "received"),
               text_of(i, "decoded"), text_of(i, "generic"), text_of(i, "malformed"),
               text_of(i, "dropped"), text_of(i, "stored"));
    printf("\n%-16s %-40s %-20s %-20s %10s %10s\n", "INPUT", "HOST", "FIRST SEEN", "LAST SEEN",
           "EVENTS", "EVENTS/S");
    const struct cfg_node *src = cfg_get(root, "sources");
    for (const struct cfg_node *s = src ? src->children : NULL; s; s = s->next) {
        char first[20], last[20]; /* to the second */
        snprintf(first, sizeof first, "%s", text_of(s, "first_seen"));
        snprintf(last, sizeof last, "%s", text_of(s, "last_seen"));
        printf("%-16s %-40s %-20s %-20s %10s %10s\n", text_of(s, "input"), text_of(s, "host"),
               first, last, text_of(s, "events"), text_of(s, "rate"));
    }
}

int cmd_stats(int argc, char **argv)
{
    const char *conf = NULL, *dir = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) && i + 1 < argc) {
            conf = argv[++i];
        } else if ((!strcmp(argv[i], "-d") || !strcmp(argv[i], "--data")) && i + 1 < argc) {
            dir = argv[++i];
        } else if (!strcmp(argv[i], "--json")) {
            json = true;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: vigil stats [-c FILE | -d DATADIR] [--json]\n");
            return 0;
        } else {
            fprintf(stderr, "usage: vigil stats [-c FILE | -d DATADIR] [--json]\n");
            return 2;
        }
    }
    char *dir_owned = NULL;
    if (cli_data_dir("stats", conf, dir, &dir_owned))
        return 2;
    dir = dir_owned;
    char err[512];
    int status = 1;
    char path[4200];
    snprintf(path, sizeof path, "%s/stats.json", dir);
    struct buf b;
    buf_init(&b, STATS_MAX_BYTES);
    struct cfg_node *root = NULL;
    if (buf_read_file(&b, path)) {
        fprintf(stderr, "vigil stats: cannot read %s: %s (has `vigil serve` run here?)\n", path,
                b.err ? err_str(b.err) : err_errno(errno));
        goto out;
    }
    if (json) {
        fwrite(b.p ? b.p : "", 1, b.len, stdout);
        status = 0;
        goto out;
    }
    if (cfg_parse(b.p ? b.p : "", b.len, 0, &root, err, sizeof err)) {
        fprintf(stderr, "vigil stats: %s: %s\n", path, err);
        goto out;
    }
    print_tables(root);
    status = 0;
out:
    cfg_free(root);
    buf_fini(&b);
    mem_free(dir_owned);
    return status;
}
