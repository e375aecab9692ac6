/*
 * auth_ldap.c — directory accounts (LDAP, Active Directory) with libldap: the user is
 * found with the service account's bind (or anonymously), its password checked by
 * binding as it, its groups read (a search for groups naming its DN, and its memberOf
 * values, for AD), and its roles mapped from those groups. The name goes into the filter
 * escaped (RFC 4515); an empty password is refused before any bind (an LDAP bind with a
 * DN and no password is an unauthenticated bind that succeeds). Every call has a network
 * timeout; with starttls the connection is upgraded before anything is sent.
 */
#include "auth/auth_int.h"

#include <ldap.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int connect_dir(const struct auth_ldap_config *c, const char *bind_pw, LDAP **out,
                       char *why, size_t len)
{
    LDAP *ld = NULL;
    if (ldap_initialize(&ld, c->url) != LDAP_SUCCESS || !ld) {
        snprintf(why, len, "directory url '%s' is not usable", c->url);
        return ERR_INVAL;
    }
    int version = LDAP_VERSION3;
    struct timeval tv = {c->timeout_s > 0 ? c->timeout_s : 5, 0};
    ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version);
    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv);
    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
    int rc = c->starttls ? ldap_start_tls_s(ld, NULL, NULL) : LDAP_SUCCESS;
    if (rc == LDAP_SUCCESS && c->bind_dn) {
        struct berval cred = {strlen(bind_pw), (char *)bind_pw};
        rc = ldap_sasl_bind_s(ld, c->bind_dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
    }
    if (rc != LDAP_SUCCESS) {
        snprintf(why, len, "the directory refused the service account: %s", ldap_err2string(rc));
        ldap_unbind_ext_s(ld, NULL, NULL);
        return ERR_IO;
    }
    *out = ld;
    return 0;
}

/* Writes filter with every %s replaced by the escaped value into out. */
static bool make_filter(const char *filter, const char *value, char *out, size_t len)
{
    struct berval in = {strlen(value), (char *)value}, esc = {0, NULL};
    if (ldap_bv2escaped_filter_value(&in, &esc) != 0)
        return false;
    size_t n = 0;
    bool ok = true;
    for (const char *p = filter; *p && ok; p++) {
        if (p[0] == '%' && p[1] == 's') {
            ok = n + esc.bv_len < len;
            if (ok)
                memcpy(out + n, esc.bv_val, esc.bv_len);
            n += esc.bv_len;
            p++;
        } else {
            ok = n + 1 < len;
            if (ok)
                out[n++] = *p;
        }
    }
    ber_memfree(esc.bv_val);
    if (ok)
        out[n] = '\0';
    return ok;
}

/* The role bits and privileges of group dn (case-insensitive match of the map). */
static void map_group(const struct auth_ldap_config *c, const char *dn, unsigned *roles,
                      unsigned *privs)
{
    for (size_t i = 0; i < c->nmap; i++)
        if (!strcasecmp(c->map[i].group_dn, dn)) {
            if (c->map[i].role >= 0)
                *roles |= ROLE_BIT(c->map[i].role);
            if (c->map[i].pii)
                *privs |= PRIV_PII_VIEW;
        }
}

/* See auth_int.h. */
int auth_ldap_check(const struct auth *a, const char *user, const char *password,
                    unsigned *roles, unsigned *privs, char *why, size_t len)
{
    const struct auth_ldap_config *c = a->cfg.ldap;
    *roles = *privs = 0;
    if (!password || !*password || strlen(password) > AUTH_PASSWORD_MAX) {
        snprintf(why, len, "empty password");
        return ERR_INVAL;
    }
    LDAP *ld = NULL;
    int rc = connect_dir(c, a->ldap_bind_password, &ld, why, len);
    if (rc)
        return rc;
    char filter[1024];
    LDAPMessage *res = NULL;
    char *attrs[] = {"memberOf", NULL};
    char *dn = NULL;
    if (!make_filter(c->user_filter ? c->user_filter : "(uid=%s)", user, filter, sizeof filter)) {
        snprintf(why, len, "the user filter is too long");
        rc = ERR_INVAL;
        goto out;
    }
    int lrc = ldap_search_ext_s(ld, c->base_dn, LDAP_SCOPE_SUBTREE, filter, attrs, 0, NULL, NULL,
                                NULL, 2, &res);
    if (lrc != LDAP_SUCCESS && lrc != LDAP_SIZELIMIT_EXCEEDED) {
        snprintf(why, len, "directory search: %s", ldap_err2string(lrc));
        rc = ERR_IO;
        goto out;
    }
    if (ldap_count_entries(ld, res) != 1) {
        snprintf(why, len, "unknown account"); /* none, or not one */
        rc = ERR_NOTFOUND;
        goto out;
    }
    LDAPMessage *e = ldap_first_entry(ld, res);
    dn = ldap_get_dn(ld, e);
    struct berval **member_of = ldap_get_values_len(ld, e, "memberOf");
    for (int i = 0; member_of && member_of[i]; i++) {
        char g[1024];
        snprintf(g, sizeof g, "%.*s", (int)member_of[i]->bv_len, member_of[i]->bv_val);
        map_group(c, g, roles, privs);
    }
    ldap_value_free_len(member_of);
    ldap_msgfree(res);
    res = NULL;
    if (!dn) {
        rc = ERR_IO;
        goto out;
    }
    /* the password: a bind as the user on a connection of its own */
    LDAP *as_user = NULL;
    struct auth_ldap_config anon = *c;
    anon.bind_dn = NULL;
    if ((rc = connect_dir(&anon, NULL, &as_user, why, len)))
        goto out;
    struct berval cred = {strlen(password), (char *)password};
    lrc = ldap_sasl_bind_s(as_user, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
    ldap_unbind_ext_s(as_user, NULL, NULL);
    if (lrc != LDAP_SUCCESS) {
        snprintf(why, len, "wrong password");
        rc = ERR_INVAL;
        goto out;
    }
    /* groups that name the user (groupOfNames member, groupOfUniqueNames uniqueMember) */
    if (!make_filter(c->group_filter ? c->group_filter : "(|(member=%s)(uniqueMember=%s))", dn,
                     filter, sizeof filter)) {
        snprintf(why, len, "the group filter is too long");
        rc = ERR_INVAL;
        goto out;
    }
    char *none[] = {LDAP_NO_ATTRS, NULL};
    lrc = ldap_search_ext_s(ld, c->group_base ? c->group_base : c->base_dn, LDAP_SCOPE_SUBTREE,
                            filter, none, 0, NULL, NULL, NULL, 1000, &res);
    if (lrc == LDAP_SUCCESS || lrc == LDAP_SIZELIMIT_EXCEEDED)
        for (LDAPMessage *g = ldap_first_entry(ld, res); g; g = ldap_next_entry(ld, g)) {
            char *gdn = ldap_get_dn(ld, g);
            if (gdn)
                map_group(c, gdn, roles, privs);
            ldap_memfree(gdn);
        }
    rc = 0;
out:
    ldap_memfree(dn);
    ldap_msgfree(res);
    ldap_unbind_ext_s(ld, NULL, NULL);
    return rc;
}
