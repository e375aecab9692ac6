/*
 * config_console.c — the configuration of the console and its 4A: the `web:` section
 * (listen address, certificate, sessions, password policy, TOTP, LDAP, masking) and the
 * `audit:` section (the trail's HMAC, key and heads). Part of the loader of config.c,
 * with its helpers (config_int.h).
 */
#include "ingest/config_int.h"

#include <string.h>

static void ldap_fini(struct ingest_ldap_cfg *d)
{
    char *strs[] = {d->url, d->bind_dn, d->bind_password, d->base_dn, d->user_filter,
                    d->group_base, d->group_filter};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        mem_free(strs[i]);
    for (size_t i = 0; i < d->ngroups; i++) {
        mem_free(d->group_dn[i]);
        mem_free(d->group_role[i]);
    }
    for (size_t i = 0; i < d->npii; i++)
        mem_free(d->pii_groups[i]);
    mem_free(d->group_dn);
    mem_free(d->group_role);
    mem_free(d->pii_groups);
    memset(d, 0, sizeof *d);
}

/* See config_int.h. */
void config_console_fini(struct ingest_config *c)
{
    mem_free(c->audit.hmac);
    mem_free(c->audit.key_file);
    mem_free(c->audit.heads_file);
    memset(&c->audit, 0, sizeof c->audit);
    mem_free(c->web.listen);
    mem_free(c->web.cert);
    mem_free(c->web.key);
    mem_free(c->web.root);
    mem_free(c->web.metrics_token);
    ldap_fini(&c->web.ldap);
    for (size_t i = 0; i < c->web.nmask_patterns; i++)
        mem_free(c->web.mask_patterns[i]);
    mem_free(c->web.mask_patterns);
    memset(&c->web, 0, sizeof c->web);
}

/* `audit: {hmac, key_file, heads_file, heads_interval, heads_syslog}` (store.h) */
/* See config_int.h. */
int config_audit_section(struct loader *l, struct ingest_config *c, const struct cfg_node *v)
{
    if (v->kind != CFG_MAP)
        return ld_bad(l, v->line,
                   "audit: expected a map (hmac, key_file, heads_file, heads_interval,"
                   " heads_syslog)",
                   NULL);
    struct ingest_audit_cfg *a = &c->audit;
    for (const struct cfg_node *k = v->children; k; k = k->next) {
        int rc;
        uint64_t u;
        if (!strcmp(k->key, "hmac")) {
            if ((rc = ld_want_scalar(l, k, "audit.hmac")) == 0 && strcmp(k->text, "sha256") &&
                strcmp(k->text, "sm3"))
                rc = ld_bad(l, k->line, "audit.hmac: expected sha256 or sm3, not '%s'", k->text);
            if (rc == 0)
                rc = ld_get_str(l, k, "audit.hmac", &a->hmac);
        } else if (!strcmp(k->key, "key_file")) {
            rc = ld_get_str(l, k, "audit.key_file", &a->key_file);
        } else if (!strcmp(k->key, "heads_file")) {
            rc = ld_get_str(l, k, "audit.heads_file", &a->heads_file);
        } else if (!strcmp(k->key, "heads_interval")) {
            if ((rc = ld_get_uint(l, k, "audit.heads_interval", 1, 86400, &u)) == 0)
                a->heads_interval_s = (int)u;
        } else if (!strcmp(k->key, "heads_syslog")) {
            if ((rc = ld_want_scalar(l, k, "audit.heads_syslog")))
                return rc;
            if (!strcmp(k->text, "true") || !strcmp(k->text, "false"))
                a->heads_syslog = !strcmp(k->text, "true") ? 1 : -1;
            else
                rc = ld_bad(l, k->line, "audit.heads_syslog: expected true or false, not '%s'",
                         k->text);
        } else {
            rc = ld_bad(l, k->key_line,
                     "unknown key '%s' in audit (expected hmac, key_file, heads_file,"
                     " heads_interval, heads_syslog)",
                     k->key);
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* See config_int.h. */
int ld_get_bool(struct loader *l, const struct cfg_node *k, const char *key, bool *out)
{
    int rc = ld_want_scalar(l, k, key);
    if (rc)
        return rc;
    if (strcmp(k->text, "true") && strcmp(k->text, "false"))
        return ld_bad(l, k->line, "%s: expected true or false", key);
    *out = !strcmp(k->text, "true");
    return 0;
}

/* See config_int.h. */
int ld_push_text(char ***arr, size_t *n, const char *v)
{
    char **a = mem_realloc(*arr, (*n + 1) * sizeof *a);
    if (!a)
        return ERR_NOMEM;
    *arr = a;
    if (!(a[*n] = mem_strdup(v)))
        return ERR_NOMEM;
    (*n)++;
    return 0;
}

/* `web: {ldap: {url, starttls, bind_dn, bind_password, base_dn, user_filter, group_base,
 * group_filter, timeout, roles: {GROUP_DN: ROLE}, pii_groups: [GROUP_DN]}}` */
static int ldap_section(struct loader *l, struct ingest_ldap_cfg *d, const struct cfg_node *v)
{
    static const char *const roles[] = {"sysadmin", "secadmin", "auditor", "analyst", "readonly"};
    if (v->kind != CFG_MAP)
        return ld_bad(l, v->line, "web.ldap: expected a map", NULL);
    d->on = true;
    int rc = 0;
    for (const struct cfg_node *k = v->children; k && !rc; k = k->next) {
        struct {
            const char *key;
            char **out;
        } strs[] = {{"url", &d->url},
                    {"bind_dn", &d->bind_dn},
                    {"bind_password", &d->bind_password},
                    {"base_dn", &d->base_dn},
                    {"user_filter", &d->user_filter},
                    {"group_base", &d->group_base},
                    {"group_filter", &d->group_filter}};
        size_t i = 0;
        while (i < sizeof strs / sizeof strs[0] && strcmp(k->key, strs[i].key))
            i++;
        if (i < sizeof strs / sizeof strs[0]) {
            rc = ld_get_str(l, k, k->key, strs[i].out);
        } else if (!strcmp(k->key, "starttls")) {
            rc = ld_get_bool(l, k, "web.ldap.starttls", &d->starttls);
        } else if (!strcmp(k->key, "timeout")) {
            int64_t ns;
            if ((rc = ld_get_duration(l, k, "web.ldap.timeout", 1, 60, &ns)) == 0)
                d->timeout_s = (int)(ns / NS_PER_SEC);
        } else if (!strcmp(k->key, "roles") && k->kind == CFG_MAP) {
            for (const struct cfg_node *g = k->children; g && !rc; g = g->next) {
                size_t r = 0;
                while (g->kind == CFG_SCALAR && r < 5 && strcmp(g->text, roles[r]))
                    r++;
                if (r == 5)
                    return ld_bad(l, g->line,
                               "web.ldap.roles: a group maps to sysadmin, secadmin, auditor,"
                               " analyst or readonly",
                               NULL);
                size_t n = d->ngroups;
                if (!(rc = ld_push_text(&d->group_dn, &n, g->key)))
                    rc = ld_push_text(&d->group_role, &d->ngroups, roles[r]);
            }
        } else if (!strcmp(k->key, "pii_groups") && k->kind == CFG_SEQ) {
            for (const struct cfg_node *g = k->children; g && !rc; g = g->next)
                rc = g->kind == CFG_SCALAR ? ld_push_text(&d->pii_groups, &d->npii, g->text)
                                           : ld_bad(l, g->line, "web.ldap.pii_groups: group DNs", NULL);
        } else {
            rc = ld_bad(l, k->key_line,
                     "unknown key '%s' in web.ldap (expected url, starttls, bind_dn,"
                     " bind_password, base_dn, user_filter, group_base, group_filter, timeout,"
                     " roles, pii_groups)",
                     k->key);
        }
    }
    if (!rc && (!d->url || !d->base_dn))
        rc = ld_bad(l, v->line, "web.ldap: url and base_dn are required", NULL);
    if (!rc && d->bind_dn && (!d->bind_password || strncmp(d->bind_password, "v1:", 3)))
        rc = ld_bad(l, v->line,
                 "web.ldap.bind_password: give it sealed, as `vigil secret seal` prints it", NULL);
    return rc;
}

/* `web: {enabled, listen, cert, key, root, idle_timeout, password_expiry_days,
 * min_password_length, totp_required_for_admins}` (web.h, auth.h) */
/* See config_int.h. */
int config_web_section(struct loader *l, struct ingest_config *c, const struct cfg_node *v)
{
#define WEB_KEYS                                                                               \
    "enabled, listen, cert, key, root, metrics_token, idle_timeout, password_expiry_days,"    \
    " min_password_length, totp_required_for_admins, ldap, mask_patterns"
    if (v->kind != CFG_MAP)
        return ld_bad(l, v->line, "web: expected a map (" WEB_KEYS ")", NULL);
    struct ingest_web_cfg *w = &c->web;
    for (const struct cfg_node *k = v->children; k; k = k->next) {
        int rc;
        uint64_t u;
        bool b;
        if (!strcmp(k->key, "enabled")) {
            if ((rc = ld_get_bool(l, k, "web.enabled", &b)) == 0)
                w->off = !b;
        } else if (!strcmp(k->key, "listen")) {
            rc = ld_get_str(l, k, "web.listen", &w->listen);
        } else if (!strcmp(k->key, "cert")) {
            rc = ld_get_str(l, k, "web.cert", &w->cert);
        } else if (!strcmp(k->key, "key")) {
            rc = ld_get_str(l, k, "web.key", &w->key);
        } else if (!strcmp(k->key, "root")) {
            rc = ld_get_str(l, k, "web.root", &w->root);
        } else if (!strcmp(k->key, "metrics_token")) {
            if ((rc = ld_get_str(l, k, "web.metrics_token", &w->metrics_token)) == 0 &&
                strlen(w->metrics_token) < 16)
                rc = ld_bad(l, k->line, "web.metrics_token: at least 16 characters", NULL);
        } else if (!strcmp(k->key, "idle_timeout")) {
            int64_t ns;
            if ((rc = ld_get_duration(l, k, "web.idle_timeout", 60, 8 * 3600, &ns)) == 0)
                w->idle_timeout_min = (int)(ns / (60 * NS_PER_SEC));
        } else if (!strcmp(k->key, "password_expiry_days")) {
            if ((rc = ld_get_uint(l, k, "web.password_expiry_days", 0, 3650, &u)) == 0)
                w->password_expiry_days = u ? (int)u : -1;
        } else if (!strcmp(k->key, "min_password_length")) {
            if ((rc = ld_get_uint(l, k, "web.min_password_length", 8, 128, &u)) == 0)
                w->min_password_length = (int)u;
        } else if (!strcmp(k->key, "ldap")) {
            rc = ldap_section(l, &w->ldap, k);
        } else if (!strcmp(k->key, "mask_patterns") && k->kind == CFG_SEQ) {
            for (const struct cfg_node *m = k->children; m && !rc; m = m->next)
                rc = m->kind == CFG_SCALAR && m->text && *m->text
                         ? ld_push_text(&w->mask_patterns, &w->nmask_patterns, m->text)
                         : ld_bad(l, m->line, "web.mask_patterns: a list of regular expressions",
                               NULL);
        } else if (!strcmp(k->key, "totp_required_for_admins")) {
            if ((rc = ld_get_bool(l, k, "web.totp_required_for_admins", &b)) == 0)
                w->totp_optional = !b;
        } else {
            rc = ld_bad(l, k->key_line, "unknown key '%s' in web (expected " WEB_KEYS ")", k->key);
        }
        if (rc)
            return rc;
    }
    return 0;
}
