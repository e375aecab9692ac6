/*
 * cmd_alerts_manage.c — the analyst's side of alerts from the command line (the console
 * comes with issue 6), each change audited (actor $USER, source "cli"):
 *
 *   vigil alerts ack ID [--reason R]        new -> acknowledged
 *   vigil alerts escalate ID [--reason R]   new or acknowledged -> escalated
 *   vigil alerts close ID --reason R        any open status -> closed (final)
 *   vigil alerts suppress --rule ID|'*' [--src IP] [--dst IP] [--user U] [--host H]
 *                         --for DURATION --reason R
 *   vigil alerts suppressions               those in force: id, rule, entities, until, why
 *   vigil alerts unsuppress ID
 *
 * all with [-c FILE | -d DIR]. A running daemon picks suppressions up within 10 s;
 * status changes take effect at once (a hit for a closed alert opens a new one).
 * Exit status: 0 done, 1 refused or failed (the reason on stderr), 2 bad usage.
 */
#include "cli/cli.h"
#include "core/core.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct opts {
    const char *dir, *conf, *reason, *rule, *src, *dst, *user, *host, *dur;
    const char *arg; /* the ID after the verb */
};

static void usage(FILE *f)
{
    fprintf(f, "usage: vigil alerts ack|escalate ID [--reason R] [-c FILE | -d DIR]\n"
               "       vigil alerts close ID --reason R [-c FILE | -d DIR]\n"
               "       vigil alerts suppress --rule ID|'*' [--src IP] [--dst IP] [--user U]\n"
               "                    [--host H] --for DURATION --reason R [-c FILE | -d DIR]\n"
               "       vigil alerts suppressions [-c FILE | -d DIR]\n"
               "       vigil alerts unsuppress ID [-c FILE | -d DIR]\n"
               "  DURATION  N then m, h or d (at most 365d)\n");
}

static int parse(int argc, char **argv, struct opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        const char **dst = !strcmp(a, "-d") || !strcmp(a, "--data")     ? &o->dir
                           : !strcmp(a, "-c") || !strcmp(a, "--config") ? &o->conf
                           : !strcmp(a, "--reason")                     ? &o->reason
                           : !strcmp(a, "--rule")                       ? &o->rule
                           : !strcmp(a, "--src")                        ? &o->src
                           : !strcmp(a, "--dst")                        ? &o->dst
                           : !strcmp(a, "--user")                       ? &o->user
                           : !strcmp(a, "--host")                       ? &o->host
                           : !strcmp(a, "--for")                        ? &o->dur
                                                                        : NULL;
        if (dst) {
            if (!v) {
                fprintf(stderr, "vigil alerts: %s needs a value\n", a);
                return 2;
            }
            *dst = v;
            i++;
        } else if (a[0] != '-' && !o->arg) {
            o->arg = a;
        } else {
            fprintf(stderr, "vigil alerts: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    return 0;
}

/* "2h" -> ns; -1 when it is not N then m, h or d within a year. */
static int64_t duration(const char *s)
{
    char *end;
    if (!s || *s < '0' || *s > '9')
        return -1;
    unsigned long long n = strtoull(s, &end, 10);
    int64_t unit = *end == 'm' ? 60 : *end == 'h' ? 3600 : *end == 'd' ? 86400 : 0;
    if (!unit || end[1] || n == 0 || n * (unsigned long long)unit > 365ull * 86400)
        return -1;
    return (int64_t)n * unit * NS_PER_SEC;
}

/* 1 to 16 hex digits -> *out; false otherwise. */
static bool hex_id(const char *s, uint64_t *out)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 16 || strspn(s, "0123456789abcdefABCDEF") != n)
        return false;
    *out = strtoull(s, NULL, 16);
    return true;
}

static const char *actor(void)
{
    const char *u = getenv("USER");
    return u && *u ? u : "cli";
}

static int print_suppression(void *ctx, const struct store_suppression *s)
{
    (void)ctx;
    char until[40];
    vtime_format(s->expires_ns, until, sizeof until);
    printf("%" PRId64 "  rule %s", s->id, s->rule_id);
    const struct slice *e[4] = {&s->src_ip, &s->dst_ip, &s->user, &s->host};
    static const char *const names[4] = {"src_ip", "dst_ip", "user", "host"};
    for (int i = 0; i < 4; i++)
        if (e[i]->p)
            printf("  %s=%.*s", names[i], (int)e[i]->len, e[i]->p);
    printf("  until %.19sZ  by %s: %s\n", until, s->created_by, s->reason);
    return 0;
}

static int do_status(struct store *st, const char *verb, const struct opts *o, char *object,
                     size_t objlen, char *result, size_t reslen)
{
    const char *to = !strcmp(verb, "ack")        ? "acknowledged"
                     : !strcmp(verb, "escalate") ? "escalated"
                                                 : "closed";
    uint64_t id;
    if (!hex_id(o->arg, &id)) {
        fprintf(stderr, "vigil alerts: %s needs an alert id (16 hex digits, as listed)\n", verb);
        return 2;
    }
    snprintf(object, objlen, "%016" PRIx64 " -> %s", id, to);
    char why[200] = "";
    int rc =
        store_alert_set_status(st, id, to, o->reason, actor(), vtime_now_ns(), why, sizeof why);
    if (rc) {
        fprintf(stderr, "vigil alerts: %s: %s\n", o->arg, why[0] ? why : err_str(rc));
        snprintf(result, reslen, "refused: %s", why[0] ? why : err_str(rc));
        return 1;
    }
    printf("alert %016" PRIx64 " %s\n", id, to);
    snprintf(result, reslen, "ok%s%s", o->reason ? ": " : "", o->reason ? o->reason : "");
    return 0;
}

static int do_suppress(struct store *st, const struct opts *o, char *object, size_t objlen,
                       char *result, size_t reslen)
{
    int64_t d = duration(o->dur);
    if (!o->rule || !*o->rule || !o->reason || !*o->reason || d < 0) {
        fprintf(stderr, "vigil alerts: suppress needs --rule, --for (N then m, h or d, at most"
                        " 365d) and --reason\n");
        return 2;
    }
    int64_t now = vtime_now_ns(), id = 0;
    struct store_suppression s = {
        .rule_id = o->rule,
        .src_ip = o->src ? slice_cstr(o->src) : SLICE_NULL,
        .dst_ip = o->dst ? slice_cstr(o->dst) : SLICE_NULL,
        .user = o->user ? slice_cstr(o->user) : SLICE_NULL,
        .host = o->host ? slice_cstr(o->host) : SLICE_NULL,
        .reason = o->reason,
        .created_by = actor(),
        .created_ns = now,
        .expires_ns = now + d,
    };
    snprintf(object, objlen, "rule %s src %s dst %s user %s host %s for %s", o->rule,
             o->src ? o->src : "*", o->dst ? o->dst : "*", o->user ? o->user : "*",
             o->host ? o->host : "*", o->dur);
    int rc = store_suppression_add(st, &s, &id);
    if (rc) {
        fprintf(stderr, "vigil alerts: %s\n", err_str(rc));
        snprintf(result, reslen, "error: %s", err_str(rc));
        return 1;
    }
    printf("suppression %" PRId64 " in force\n", id);
    snprintf(result, reslen, "ok: id %" PRId64 ": %s", id, o->reason);
    return 0;
}

/* See cli.h. */
int cmd_alerts_manage(int argc, char **argv)
{
    const char *verb = argv[1];
    struct opts o;
    int ret = parse(argc, argv, &o);
    if (ret)
        return ret;
    char *dir = NULL;
    if (cli_data_dir("alerts", o.conf, o.dir, &dir))
        return 2;
    struct store *st = NULL;
    struct store_opts so = {.dir = dir};
    int rc = store_open(&so, &st);
    if (rc) {
        fprintf(stderr, "vigil alerts: cannot open the store in %s: %s\n", dir, err_str(rc));
        mem_free(dir);
        return 1;
    }
    store_install_audit_sink(st);
    char object[512] = "", result[256] = "", action[64];
    snprintf(action, sizeof action, "alerts.%s", verb);
    if (!strcmp(verb, "ack") || !strcmp(verb, "escalate") || !strcmp(verb, "close")) {
        ret = do_status(st, verb, &o, object, sizeof object, result, sizeof result);
    } else if (!strcmp(verb, "suppress")) {
        ret = do_suppress(st, &o, object, sizeof object, result, sizeof result);
    } else if (!strcmp(verb, "unsuppress")) {
        uint64_t id;
        if (!o.arg || slice_to_u64(slice_cstr(o.arg), &id)) {
            fprintf(stderr, "vigil alerts: unsuppress needs a suppression id\n");
            ret = 2;
        } else {
            snprintf(object, sizeof object, "suppression %s", o.arg);
            rc = store_suppression_remove(st, (int64_t)id);
            ret = rc ? 1 : 0;
            if (rc)
                fprintf(stderr, "vigil alerts: suppression %s: %s\n", o.arg,
                        rc == ERR_NOTFOUND ? "there is none" : err_str(rc));
            snprintf(result, sizeof result, "%s", rc ? err_str(rc) : "ok");
        }
    } else { /* suppressions */
        snprintf(object, sizeof object, "in force");
        rc = store_suppressions_list(st, vtime_now_ns(), print_suppression, NULL);
        ret = rc ? 1 : 0;
        snprintf(result, sizeof result, "%s", rc ? err_str(rc) : "ok");
    }
    if (ret != 2)
        cli_audit(action, object, result);
    store_close(st);
    mem_free(dir);
    return ret;
}
