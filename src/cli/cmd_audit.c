/*
 * cmd_audit.c — `vigil audit verify [-c FILE | -d DIR] [--heads FILE]`: checks the sealed
 * audit trail (store_audit_verify) and prints one line per problem, naming the record,
 * then a summary. Exit 0 when the trail is whole, 1 when a problem was found or it
 * could not be read, 2 for usage. The verification itself is audited afterwards.
 */
#include "cli/cli.h"
#include "core/core.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static void print_problem(void *ctx, int64_t id, const char *what)
{
    (void)ctx;
    if (id > 0)
        printf("record %lld: %s\n", (long long)id, what);
    else
        printf("%s\n", what);
}

static int verify(const char *dir, const char *heads)
{
    struct store *st = NULL;
    struct store_opts so = {.dir = dir, .read_only = true};
    int rc = store_open(&so, &st);
    if (rc) {
        fprintf(stderr, "vigil audit: cannot open the store in %s: %s\n", dir, err_str(rc));
        return 1;
    }
    struct store_audit_report r;
    rc = store_audit_verify(st, heads, print_problem, NULL, &r);
    char result[160];
    if (rc) {
        fprintf(stderr, "vigil audit: cannot read the trail: %s\n", err_str(rc));
        snprintf(result, sizeof result, "error: %s", err_str(rc));
    } else {
        if (r.heads_missing)
            printf("warning: no heads file: a trail cut short at its end cannot be told\n");
        char when[40] = "";
        if (r.heads)
            vtime_format(r.head_time, when, sizeof when);
        if (r.problems)
            printf("FAILED: %llu problem(s) in %llu records\n", (unsigned long long)r.problems,
                   (unsigned long long)r.records);
        else
            printf("ok: %llu records, the chain is whole; %llu heads agree (newest: record %lld,"
                   " written %s)\n",
                   (unsigned long long)r.records, (unsigned long long)r.heads,
                   (long long)r.head_id, r.heads ? when : "never");
        snprintf(result, sizeof result, "%s: %llu records, %llu problems",
                 r.problems ? "failed" : "ok", (unsigned long long)r.records,
                 (unsigned long long)r.problems);
    }
    store_install_audit_sink(st);
    cli_audit("audit.verify", dir, result);
    audit_set_sink(NULL, NULL);
    store_close(st);
    return rc || r.problems ? 1 : 0;
}

/* See cli.h. */
int cmd_audit(int argc, char **argv)
{
    const char *dir = NULL, *conf = NULL, *heads = NULL;
    if (argc < 2 || strcmp(argv[1], "verify"))
        goto usage;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            goto usage;
        if (!strcmp(a, "-d"))
            dir = v;
        else if (!strcmp(a, "-c"))
            conf = v;
        else if (!strcmp(a, "--heads"))
            heads = v;
        else
            goto usage;
        i++;
    }
    char *d = NULL;
    if (cli_data_dir("audit", conf, dir, &d))
        return 2;
    int rc = verify(d, heads);
    mem_free(d);
    return rc;
usage:
    fprintf(stderr, "usage: vigil audit verify [-c FILE | -d DIR] [--heads FILE]\n");
    return 2;
}
