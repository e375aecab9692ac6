/*
 * auth_roles.c — the permission matrix (README "Roles and permissions" prints it from
 * here: `vigil accounts matrix`). Least privilege with separated duties: the system
 * administrator runs the machine and decides who has an account but grants no role and
 * reads no alert or audit record; the security administrator grants roles and owns
 * rules, assets and alert policy but creates no account; the auditor only reads the
 * audit trail; analysts work alerts and search; read-only sees without changing.
 * Personal data unmasked is not a role's: it is a privilege granted per account.
 */
#include "auth/auth.h"

#include <string.h>

static const char *const role_names[ROLE_COUNT] = {"sysadmin", "secadmin", "auditor", "analyst",
                                                   "readonly"};

static const char *const perm_names[PERM_COUNT] = {
    "overview",      "alerts.read",  "alerts.write",    "alerts.policy", "search",
    "export",        "rules.read",   "rules.write",     "assets.read",   "assets.write",
    "sources.read",  "config",       "accounts.read",   "accounts.manage", "roles.grant",
    "audit.read",    "pii.view"};

#define P(x) (1u << (x))

static const uint32_t matrix[ROLE_COUNT] = {
    [ROLE_SYSADMIN] = P(PERM_SOURCES_READ) | P(PERM_CONFIG) | P(PERM_ACCOUNTS_READ) |
                      P(PERM_ACCOUNTS_MANAGE),
    [ROLE_SECADMIN] = P(PERM_OVERVIEW) | P(PERM_ALERTS_READ) | P(PERM_ALERT_POLICY) |
                      P(PERM_RULES_READ) | P(PERM_RULES_WRITE) | P(PERM_ASSETS_READ) |
                      P(PERM_ASSETS_WRITE) | P(PERM_SOURCES_READ) | P(PERM_ACCOUNTS_READ) |
                      P(PERM_ROLES_GRANT),
    [ROLE_AUDITOR] = P(PERM_AUDIT_READ),
    [ROLE_ANALYST] = P(PERM_OVERVIEW) | P(PERM_ALERTS_READ) | P(PERM_ALERTS_WRITE) |
                     P(PERM_SEARCH) | P(PERM_EXPORT) | P(PERM_RULES_READ) | P(PERM_ASSETS_READ) |
                     P(PERM_SOURCES_READ),
    [ROLE_READONLY] = P(PERM_OVERVIEW) | P(PERM_ALERTS_READ) | P(PERM_SEARCH) |
                      P(PERM_RULES_READ) | P(PERM_ASSETS_READ) | P(PERM_SOURCES_READ),
};

/* See auth.h. */
const char *auth_role_name(enum auth_role r)
{
    return (unsigned)r < ROLE_COUNT ? role_names[r] : "?";
}

/* See auth.h. */
int auth_role_parse(const char *s)
{
    for (int r = 0; r < ROLE_COUNT; r++)
        if (!strcmp(s, role_names[r]))
            return r;
    return -1;
}

/* See auth.h. */
const char *auth_perm_name(enum auth_perm p)
{
    return (unsigned)p < PERM_COUNT ? perm_names[p] : "?";
}

/* See auth.h. */
uint32_t auth_perms_of(unsigned roles, unsigned privileges)
{
    uint32_t p = 0;
    for (int r = 0; r < ROLE_COUNT; r++)
        if (roles & ROLE_BIT(r))
            p |= matrix[r];
    /* the auditor's seat stays read-only whatever else is granted to the account */
    if ((privileges & PRIV_PII_VIEW) && !(roles & ROLE_BIT(ROLE_AUDITOR)))
        p |= P(PERM_PII_VIEW);
    return p;
}

/* See auth.h. */
const char *auth_roles_invalid(unsigned roles)
{
    if (roles & ~((1u << ROLE_COUNT) - 1))
        return "unknown role";
    unsigned admins = roles & ROLE_ADMINS;
    if (admins & (admins - 1))
        return "an account may hold only one administrator role (sysadmin, secadmin, auditor)";
    if ((roles & ROLE_BIT(ROLE_AUDITOR)) && roles != ROLE_BIT(ROLE_AUDITOR))
        return "the auditor role is held alone (an auditor changes nothing)";
    return NULL;
}
