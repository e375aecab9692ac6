/*
 * serve_console.c — what `vigil serve` starts for the console: the 4A service (auth.h) on
 * the store, with the directory settings and masking patterns of `web:` — opened first,
 * since the configuration's sealed secrets (outputs' passwords and header values) open
 * with its key — then, unless `web: {enabled: false}`, the first start's accounts and the
 * HTTPS server (web.h) with the pipeline's metrics.
 */
#include "auth/auth.h"
#include "cli/cli.h"
#include "core/core.h"
#include "ingest/ingest.h"
#include "output/output.h"
#include "store/store.h"
#include "web/web.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Writes the first start's one-time passwords to DATA_DIR/first-login.txt (0600). */
static void first_login_file(const char *dir, const char *url, const struct auth_initial *first)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/first-login.txt", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        log_error("serve: cannot write %s: the first start's passwords are lost; delete"
                  " the accounts table to make new ones", path);
        return;
    }
    fprintf(f,
            "Vigil console: %s\n\n"
            "The three administrator accounts and their one-time passwords. Each must be\n"
            "changed at the first login, and each administrator then enrols a second factor\n"
            "(TOTP). Delete this file once they have signed in.\n\n",
            url);
    for (int i = 0; i < 3; i++)
        fprintf(f, "  %-9s %s\n", first->name[i], first->password[i]);
    fclose(f);
    fprintf(stderr,
            "vigil serve: first start: accounts sysadmin, secadmin and auditor have one-time"
            " passwords in %s\n",
            path);
}

/* The directory settings as auth reads them; they live as long as the daemon. */
static struct auth_ldap_config ldap_cfg;
static struct auth_ldap_group *ldap_groups;

static const struct auth_ldap_config *ldap_of(const struct ingest_ldap_cfg *d)
{
    if (!d->on)
        return NULL;
    size_t n = d->ngroups + d->npii;
    ldap_groups = mem_calloc(n ? n : 1, sizeof *ldap_groups);
    if (!ldap_groups)
        return NULL;
    for (size_t i = 0; i < d->ngroups; i++)
        ldap_groups[i] = (struct auth_ldap_group){d->group_dn[i], auth_role_parse(d->group_role[i]),
                                                  false};
    for (size_t i = 0; i < d->npii; i++)
        ldap_groups[d->ngroups + i] = (struct auth_ldap_group){d->pii_groups[i], -1, true};
    ldap_cfg = (struct auth_ldap_config){.url = d->url,
                                         .starttls = d->starttls,
                                         .bind_dn = d->bind_dn,
                                         .bind_password = d->bind_password,
                                         .base_dn = d->base_dn,
                                         .user_filter = d->user_filter,
                                         .group_base = d->group_base,
                                         .group_filter = d->group_filter,
                                         .map = ldap_groups,
                                         .nmap = n,
                                         .timeout_s = d->timeout_s};
    return &ldap_cfg;
}

static int rules_json(void *ctx, struct buf *out)
{
    return ingest_rules_json(ctx, out);
}

static int rule_switch(void *ctx, const char *id, bool off)
{
    return ingest_rule_switch(ctx, id, off);
}

static int pipeline_metrics(void *ctx, struct buf *out)
{
    return ingest_metrics_text(ctx, out);
}

/* Unseals the "v1:" secrets of the outputs (an e-mail password, a header's value) in
 * place with the key of secrets at rest. */
static int unseal_outputs(struct ingest_config *cfg, struct auth *a)
{
    char plain[512];
    for (size_t i = 0; i < cfg->noutputs; i++) {
        struct output_cfg *o = &cfg->outputs[i];
        if (o->password && !strncmp(o->password, "v1:", 3)) {
            if (auth_unseal_secret(a, o->password, plain, sizeof plain))
                return ERR_INVAL;
            mem_free(o->password);
            o->password = mem_strdup(plain);
        }
        for (size_t h = 0; o->headers && h < o->nheaders; h++) {
            char *colon = strchr(o->headers[h], ':');
            const char *v = colon ? colon + 1 : "";
            while (*v == ' ')
                v++;
            if (strncmp(v, "v1:", 3))
                continue;
            if (auth_unseal_secret(a, v, plain, sizeof plain))
                return ERR_INVAL;
            char *nh = NULL;
            size_t klen = (size_t)(colon - o->headers[h]);
            if ((nh = mem_alloc(klen + 2 + strlen(plain) + 1))) {
                sprintf(nh, "%.*s: %s", (int)klen, o->headers[h], plain);
                mem_free(o->headers[h]);
                o->headers[h] = nh;
            }
        }
    }
    memset(plain, 0, sizeof plain);
    return 0;
}

/* See cli.h. */
int serve_auth_open(struct ingest_config *cfg, struct store *st, struct auth **au)
{
    struct auth_config ac;
    auth_config_defaults(&ac);
    const struct ingest_web_cfg *w = &cfg->web;
    if (w->idle_timeout_min)
        ac.idle_timeout_ns = (int64_t)w->idle_timeout_min * 60 * NS_PER_SEC;
    if (w->password_expiry_days)
        ac.expiry_days = w->password_expiry_days < 0 ? 0 : w->password_expiry_days;
    if (w->min_password_length)
        ac.min_length = w->min_password_length;
    ac.totp_optional_for_admins = w->totp_optional;
    ac.ldap = ldap_of(&w->ldap);
    ac.mask_patterns = (const char *const *)w->mask_patterns;
    ac.nmask_patterns = w->nmask_patterns;
    if (w->ldap.on && !ac.ldap)
        return ERR_NOMEM;
    char err[512] = "";
    int rc = auth_open(st, cfg->data_dir, &ac, au, err, sizeof err);
    if (rc) {
        fprintf(stderr, "vigil serve: %s\n", err);
        return rc;
    }
    if ((rc = unseal_outputs(cfg, *au)))
        fprintf(stderr, "vigil serve: outputs: a sealed secret does not open with %s/secrets.key\n",
                cfg->data_dir);
    return rc;
}

/* See cli.h. */
int serve_console_start(const struct ingest_config *cfg, struct store *st, struct ingest *ig,
                        struct auth *au, struct web **web)
{
    const struct ingest_web_cfg *w = &cfg->web;
    char err[512] = "";
    int rc;
    struct auth_initial first;
    bool created = false;
    if ((rc = auth_bootstrap(au, &first, &created))) {
        fprintf(stderr, "vigil serve: console: cannot make the first accounts: %s\n",
                err_str(rc));
        return rc;
    }
    struct web_opts wo = {.listen = w->listen,
                          .cert_file = w->cert,
                          .key_file = w->key,
                          .root = w->root,
                          .data_dir = cfg->data_dir,
                          .metrics = pipeline_metrics,
                          .metrics_ctx = ig,
                          .metrics_token = w->metrics_token,
                          .assets_path = cfg->assets_path,
                          .rules_json = rules_json,
                          .rule_switch = rule_switch,
                          .rules_ctx = ig};
    if ((rc = web_start(&wo, st, au, web, err, sizeof err))) {
        fprintf(stderr, "vigil serve: console: %s\n", err);
        return rc;
    }
    if (created)
        first_login_file(cfg->data_dir, web_url(*web), &first);
    memset(&first, 0, sizeof first);
    log_info("console: %s", web_url(*web));
    return 0;
}


/* See cli.h. */
void serve_console_free(void)
{
    mem_free(ldap_groups);
    ldap_groups = NULL;
}
