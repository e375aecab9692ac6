/*
 * cmd_backup.c — `vigil backup` and `vigil restore`: an online, consistent copy of a
 * store (settings, accounts, alerts, assets seen, the audit trail, the keys, and the day
 * files chosen) into a new directory, and its restoration into an empty one
 * (store_backup.c). Both are audited: the backup in the store it copies, the restore in
 * the restored store.
 *
 *   vigil backup [-c FILE | -d DIR] --out BACKUP [--days N | --from DATE --to DATE]
 *   vigil restore --from BACKUP -d DIR
 */
#include "cli/cli.h"
#include "core/core.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int day_of(const char *opt, const char *v, int64_t *day)
{
    int64_t ns;
    if (vtime_parse(slice_cstr(v), vtime_now_ns(), &ns)) {
        fprintf(stderr, "vigil backup: %s: not a date: '%s'\n", opt, v);
        return 2;
    }
    int64_t d = 86400LL * NS_PER_SEC;
    *day = ns >= 0 ? ns / d : -((-ns + d - 1) / d);
    return 0;
}

static int backup(int argc, char **argv)
{
    const char *dir = NULL, *conf = NULL, *out = NULL;
    int64_t from = INT64_MIN, to = INT64_MAX;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            goto usage;
        if (!strcmp(a, "-d")) {
            dir = v;
        } else if (!strcmp(a, "-c")) {
            conf = v;
        } else if (!strcmp(a, "--out")) {
            out = v;
        } else if (!strcmp(a, "--days")) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 0 || n > 36500)
                goto usage;
            int64_t today = vtime_now_ns() / (86400LL * NS_PER_SEC);
            from = today - n + 1;
        } else if (!strcmp(a, "--from") || !strcmp(a, "--to")) {
            if (day_of(a, v, !strcmp(a, "--from") ? &from : &to))
                return 2;
        } else {
            goto usage;
        }
        i++;
    }
    if (!out)
        goto usage;
    char *d = NULL;
    if (cli_data_dir("backup", conf, dir, &d))
        return 2;
    struct store *st = NULL;
    struct store_opts so = {.dir = d, .read_only = true};
    int rc = store_open(&so, &st);
    if (rc) {
        fprintf(stderr, "vigil backup: cannot open the store in %s: %s\n", d, err_str(rc));
        mem_free(d);
        return 1;
    }
    store_install_audit_sink(st);
    char err[512] = "", result[128];
    struct store_backup_report r;
    int64_t t0 = vtime_mono_ns();
    rc = store_backup(st, out, from, to, &r, err, sizeof err);
    if (rc) {
        fprintf(stderr, "vigil backup: %s\n", err);
        snprintf(result, sizeof result, "error: %s", err_str(rc));
    } else {
        printf("backed up %s into %s: %zu files (%zu day files of events), %.1f s\n", d, out,
               r.files, r.days, (double)(vtime_mono_ns() - t0) / 1e9);
        snprintf(result, sizeof result, "ok: %zu files, %zu day files", r.files, r.days);
    }
    cli_audit("backup", out, result);
    audit_set_sink(NULL, NULL);
    store_close(st);
    mem_free(d);
    return rc ? 1 : 0;
usage:
    fprintf(stderr, "usage: vigil backup [-c FILE | -d DIR] --out BACKUP [--days N | --from"
                    " DATE --to DATE]\n"
                    "  BACKUP  a new (or empty) directory\n"
                    "  N       the last N days of receipt (default: every day file)\n");
    return 2;
}

/* See cli.h. */
int cmd_restore(int argc, char **argv)
{
    const char *from = NULL, *dir = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--from"))
            from = argv[i + 1];
        else if (!strcmp(argv[i], "-d"))
            dir = argv[i + 1];
        else
            from = dir = NULL, i = argc;
    }
    if (!from || !dir || argc % 2 == 0) {
        fprintf(stderr, "usage: vigil restore --from BACKUP -d DIR   (DIR: no store in it)\n");
        return 2;
    }
    char err[512] = "";
    struct store_backup_report r;
    int rc = store_restore(from, dir, &r, err, sizeof err);
    if (rc) {
        fprintf(stderr, "vigil restore: %s\n", err);
        return 1;
    }
    printf("restored %s into %s: %zu files (%zu day files of events)\n", from, dir, r.files,
           r.days);
    /* the restored store opens (its schema, its keys) and records its restoration */
    struct store *st = NULL;
    struct store_opts so = {.dir = dir, .read_only = true};
    if ((rc = store_open(&so, &st))) {
        fprintf(stderr, "vigil restore: the restored store does not open: %s\n", err_str(rc));
        return 1;
    }
    store_install_audit_sink(st);
    cli_audit("restore", from, "ok");
    audit_set_sink(NULL, NULL);
    store_close(st);
    return 0;
}

/* See cli.h. */
int cmd_backup(int argc, char **argv)
{
    return backup(argc, argv);
}
