/*
 * cmd_serve.c — `vigil serve [-c FILE] [--stdin] [-d DIR]`: the daemon. Loads and
 * audits the configuration (a bad one exits 2 with "FILE:LINE: reason"), opens the
 * store, runs retention, builds and starts the ingest pipeline, writes the ready file
 * <data_dir>/serve.json ({pid, inputs:[{name,type,addr}]}: how tests and operators
 * find ports bound as 0), then waits for signals: SIGTERM/SIGINT stop reading, drain,
 * commit and exit 0; SIGHUP reloads the Sigma rules of the configuration's `rules:`
 * section (the configuration itself is not reread).
 *
 * The reload runs here, on the main thread, never on a worker: loading and compiling a
 * large set takes seconds, during which the pipeline keeps matching with the working
 * set; a SIGTERM arriving meanwhile is handled when the reload ends. A reload that
 * fails or brings a new refusal is rejected and the working set stays (see
 * ingest_rules_reload). A rules path that cannot be read at start exits 1 with
 * "rules path P: reason".
 */
#include "auth/auth.h"
#include "cli/cli.h"
#include "core/core.h"
#include "ingest/ingest.h"
#include "store/store.h"
#include "web/web.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: vigil serve [-c FILE] [-d DATADIR] [--rules PATH ...] [--stdin]\n"
               "  -c FILE      YAML configuration (default: syslog on 127.0.0.1:5514 udp+tcp,\n"
               "               data in ./var, no rules); SIGHUP reloads its rules: paths\n"
               "  -d DATADIR   data directory (overrides the configuration's data_dir)\n"
               "  --rules PATH Sigma rules (file or directory) added to rules: paths\n"
               "  --stdin      also read newline-framed records from standard input\n");
}

static void audit_load(const char *file, const char *result)
{
    struct audit_entry e = {.actor = "system",
                            .source = "local",
                            .action = "config.load",
                            .object = file,
                            .result = result};
    audit_record(&e);
}

static int make_dir(const char *dir)
{
    if (mkdir(dir, 0700) == 0 || errno == EEXIST)
        return 0;
    return ERR_IO;
}

/* --rules PATH: added to the configuration's rules.paths. */
static int add_rule_paths(struct ingest_config *cfg, const char *const *paths, size_t n)
{
    struct ingest_rules_cfg *r = &cfg->rules;
    if (r->npaths + n > INGEST_MAX_RULE_PATHS)
        return ERR_FULL;
    char **p = mem_realloc(r->paths, (r->npaths + n) * sizeof *p);
    if (!p)
        return ERR_NOMEM;
    r->paths = p;
    for (size_t i = 0; i < n; i++)
        if (!(r->paths[r->npaths] = mem_strdup(paths[i])))
            return ERR_NOMEM;
        else
            r->npaths++;
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    const char *conf = NULL, *dir = NULL;
    bool want_stdin = false;
    const char *rule_paths[INGEST_MAX_RULE_PATHS];
    size_t nrule_paths = 0;
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) && i + 1 < argc) {
            conf = argv[++i];
        } else if ((!strcmp(argv[i], "-d") || !strcmp(argv[i], "--data")) && i + 1 < argc) {
            dir = argv[++i];
        } else if (!strcmp(argv[i], "--rules") && i + 1 < argc &&
                   nrule_paths < INGEST_MAX_RULE_PATHS) {
            rule_paths[nrule_paths++] = argv[++i];
        } else if (!strcmp(argv[i], "--stdin")) {
            want_stdin = true;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "vigil serve: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }

    struct ingest_config cfg;
    ingest_config_defaults(&cfg);
    char err[512] = "";
    int rc = conf ? ingest_config_load_file(conf, &cfg, err, sizeof err)
                  : ingest_config_load("(defaults)", "", 0, &cfg, err, sizeof err);
    if (rc) {
        fprintf(stderr, "vigil serve: %s\n", err);
        audit_load(conf ? conf : "(defaults)", "error: invalid configuration");
        ingest_config_fini(&cfg);
        return 2;
    }
    if (dir) {
        mem_free(cfg.data_dir);
        cfg.data_dir = mem_strdup(dir);
    }
    if (nrule_paths && add_rule_paths(&cfg, rule_paths, nrule_paths)) {
        fprintf(stderr, "vigil serve: too many rules paths (at most %d) or out of memory\n",
                INGEST_MAX_RULE_PATHS);
        ingest_config_fini(&cfg);
        return 2;
    }
    if (want_stdin) {
        struct ingest_input_cfg *in = ingest_config_add_input(&cfg, INGEST_STDIN);
        if (in)
            in->name = mem_strdup("stdin");
        if (!in || !in->name) {
            fprintf(stderr, "vigil serve: out of memory\n");
            ingest_config_fini(&cfg);
            return 1;
        }
    }
    log_set_level(cfg.log_level);

    int status = 1;
    struct store *st = NULL;
    struct ingest *ig = NULL;
    struct auth *au = NULL;
    struct web *web = NULL;
    struct store_audit_opts ao = {.hmac = cfg.audit.hmac,
                                  .key_file = cfg.audit.key_file,
                                  .heads_file = cfg.audit.heads_file,
                                  .heads_interval_s = cfg.audit.heads_interval_s,
                                  .heads_syslog = cfg.audit.heads_syslog};
    struct store_opts so = {
        .dir = cfg.data_dir, .retention_days = cfg.retention_days, .audit = &ao};
    if (!cfg.data_dir || make_dir(cfg.data_dir)) {
        fprintf(stderr, "vigil serve: %s: %s\n", cfg.data_dir ? cfg.data_dir : "data_dir",
                err_errno(errno));
        goto out;
    }
    if ((rc = store_open(&so, &st))) {
        fprintf(stderr, "vigil serve: cannot open the store in %s: %s\n", cfg.data_dir,
                err_str(rc));
        goto out;
    }
    store_install_audit_sink(st);
    audit_load(conf ? conf : "(defaults)", "ok");
    rc = store_retention_run(st, vtime_now_ns());
    if (rc > 0)
        log_info("retention: removed %d day file(s)", rc);

    /* signals are taken by sigtimedwait below; every thread inherits the mask */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* the 4A service first: the configuration's sealed secrets open with its key */
    if ((rc = serve_auth_open(&cfg, st, &au)))
        goto out;
    if ((rc = ingest_new(&cfg, st, &ig, err, sizeof err))) {
        fprintf(stderr, "vigil serve: %s\n", err[0] ? err : err_str(rc));
        goto out;
    }
    if ((rc = ingest_start(ig))) {
        fprintf(stderr, "vigil serve: cannot start threads: %s\n", err_str(rc));
        goto out;
    }
    if (!cfg.web.off && (rc = serve_console_start(&cfg, st, ig, au, &web)))
        goto out;
    if ((rc = ingest_ready_write(ig, cfg.data_dir, web ? web_url(web) : NULL)))
        log_warn("serve: cannot write %s/serve.json: %s", cfg.data_dir, err_str(rc));
    log_info("vigil serve: running (pid %ld, %zu inputs, %u workers, data in %s)", (long)getpid(),
             cfg.ninputs, cfg.workers, cfg.data_dir);

    for (;;) {
        struct timespec ts = {0, 200 * 1000000L};
        int sig = sigtimedwait(&set, NULL, &ts);
        if (sig == SIGHUP) {
            log_info("serve: SIGHUP: reloading the rules");
            (void)ingest_rules_reload(ig); /* logs and audits its outcome */
            continue;
        }
        if (sig == SIGTERM || sig == SIGINT) {
            log_info("serve: signal %d: draining and stopping", sig);
            break;
        }
        if (ingest_finished(ig)) {
            log_info("serve: every input has ended; stopping");
            break;
        }
    }
    web_stop(web);
    web = NULL;
    ingest_stop(ig);
    status = 0;
out:
    web_stop(web);
    ingest_free(ig);
    auth_close(au);
    serve_console_free();
    if (st) {
        audit_set_sink(NULL, NULL);
        store_close(st);
    }
    if (status == 0 && cfg.data_dir) {
        char path[4200];
        int n = snprintf(path, sizeof path, "%s/serve.json", cfg.data_dir);
        if (n > 0 && (size_t)n < sizeof path)
            unlink(path);
        log_info("vigil serve: stopped");
    }
    ingest_config_fini(&cfg);
    return status;
}
