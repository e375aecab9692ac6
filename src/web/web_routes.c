/*
 * web_routes.c — the API's routes and the permission each needs. This table is the
 * permission matrix as the server enforces it; README "Roles and permissions" documents
 * it, and tests/integration/test_web_api.py checks every route against every role from
 * its own copy of the README's matrix.
 */
#include "web/web_int.h"

#define PUB(m, p, h) {m, p, WEB_PUBLIC, 0, h}
#define SIGNED(m, p, h) {m, p, WEB_SIGNED, 0, h}
#define NEEDS(m, p, perm, h) {m, p, WEB_PERM, perm, h}

const struct web_route web_routes[] = {
    PUB("POST", "/api/v1/login", web_api_login),
    SIGNED("POST", "/api/v1/logout", web_api_logout),
    SIGNED("GET", "/api/v1/session", web_api_session),
    SIGNED("POST", "/api/v1/password", web_api_password),
    SIGNED("POST", "/api/v1/totp/begin", web_api_totp_begin),
    SIGNED("POST", "/api/v1/totp/confirm", web_api_totp_confirm),
    SIGNED("GET", "/api/v1/permissions", web_api_permissions),
    NEEDS("GET", "/api/v1/accounts", PERM_ACCOUNTS_READ, web_api_accounts_list),
    NEEDS("POST", "/api/v1/accounts", PERM_ACCOUNTS_MANAGE, web_api_accounts_create),
    NEEDS("POST", "/api/v1/accounts/{}/roles", PERM_ROLES_GRANT, web_api_accounts_grant),
    NEEDS("POST", "/api/v1/accounts/{}/disable", PERM_ACCOUNTS_MANAGE, web_api_accounts_disable),
    NEEDS("POST", "/api/v1/accounts/{}/enable", PERM_ACCOUNTS_MANAGE, web_api_accounts_enable),
    NEEDS("POST", "/api/v1/accounts/{}/reset", PERM_ACCOUNTS_MANAGE, web_api_accounts_reset),
    NEEDS("POST", "/api/v1/accounts/{}/delete", PERM_ACCOUNTS_MANAGE, web_api_accounts_delete),
    NEEDS("GET", "/api/v1/overview", PERM_OVERVIEW, web_api_overview),
    NEEDS("GET", "/api/v1/alerts", PERM_ALERTS_READ, web_api_alerts_list),
    NEEDS("POST", "/api/v1/alerts/{}/status", PERM_ALERTS_WRITE, web_api_alerts_status),
    NEEDS("POST", "/api/v1/alerts/{}/assign", PERM_ALERTS_WRITE, web_api_alerts_assign),
    NEEDS("GET", "/api/v1/search", PERM_SEARCH, web_api_search),
    NEEDS("GET", "/api/v1/search/export", PERM_EXPORT, web_api_search_export),
    NEEDS("GET", "/api/v1/searches", PERM_SEARCH, web_api_searches_list),
    NEEDS("POST", "/api/v1/searches", PERM_SEARCH, web_api_searches_save),
    NEEDS("POST", "/api/v1/searches/{}/delete", PERM_SEARCH, web_api_searches_delete),
    NEEDS("POST", "/api/v1/rules/test", PERM_RULES_READ, web_api_rules_test),
    NEEDS("GET", "/api/v1/rules", PERM_RULES_READ, web_api_rules_list),
    NEEDS("POST", "/api/v1/rules/{}/disable", PERM_RULES_WRITE, web_api_rule_disable),
    NEEDS("POST", "/api/v1/rules/{}/enable", PERM_RULES_WRITE, web_api_rule_enable),
    NEEDS("GET", "/api/v1/sources", PERM_SOURCES_READ, web_api_sources),
    NEEDS("GET", "/api/v1/terminals", PERM_ASSETS_READ, web_api_terminals),
    NEEDS("GET", "/api/v1/assets", PERM_ASSETS_READ, web_api_assets),
    NEEDS("GET", "/api/v1/audit", PERM_AUDIT_READ, web_api_audit_list),
    NEEDS("GET", "/api/v1/audit/verify", PERM_AUDIT_READ, web_api_audit_verify),
};
const size_t web_nroutes = sizeof web_routes / sizeof web_routes[0];
