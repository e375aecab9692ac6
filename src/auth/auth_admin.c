/*
 * auth_admin.c — administering accounts with separated duties: the system
 * administrator creates, disables, resets and deletes accounts (which start with no role), the
 * security administrator grants roles and the personal-data privilege, and nobody
 * changes their own account's roles or state. Every attempt is audited, refused ones
 * included; a change that alters what an account may do ends its sessions.
 */
#include "auth/auth_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool name_ok(const char *name)
{
    size_t n = strlen(name);
    return n >= 2 && n <= STORE_ACCOUNT_NAME &&
           strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

/* Refuses (audited) when the actor lacks perm or targets its own account. */
static bool allowed(const struct auth_session *actor, enum auth_perm perm, const char *action,
                    const char *name, char *msg, size_t msglen)
{
    const char *why = NULL;
    if (!auth_can(actor, perm))
        why = "refused: not permitted";
    else if (!strcasecmp(actor->user, name))
        why = "refused: not on one's own account";
    if (!why)
        return true;
    auth_audit(actor->user, actor->address, action, name, why);
    snprintf(msg, msglen, "%s", why + 9);
    return false;
}

static void end_sessions(struct auth *a, int64_t id)
{
    pthread_mutex_lock(&a->lock);
    auth_sessions_end_account(a, id);
    pthread_mutex_unlock(&a->lock);
}

/* See auth.h. */
int auth_account_create(struct auth *a, const struct auth_session *actor, const char *name,
                        char otp[17], char *msg, size_t msglen)
{
    if (!allowed(actor, PERM_ACCOUNTS_MANAGE, "account.create", name, msg, msglen))
        return ERR_INVAL;
    if (!name_ok(name)) {
        snprintf(msg, msglen, "a name is 2 to 64 of A-Z a-z 0-9 . _ -");
        auth_audit(actor->user, actor->address, "account.create", name, "refused: bad name");
        return ERR_INVAL;
    }
    struct store_account acc;
    memset(&acc, 0, sizeof acc);
    snprintf(acc.name, sizeof acc.name, "%s", name);
    snprintf(acc.source, sizeof acc.source, "local");
    acc.must_change = true;
    acc.created_ns = acc.password_changed_ns = vtime_now_ns();
    auth_password_random(otp);
    int rc = auth_password_hash(otp, acc.password, sizeof acc.password);
    if (!rc)
        rc = store_account_insert(a->st, &acc, NULL);
    snprintf(msg, msglen, "%s",
             rc == ERR_EXISTS ? "an account of that name exists" : rc ? "not saved" : "created");
    auth_audit(actor->user, actor->address, "account.create", name,
               rc == ERR_EXISTS ? "refused: exists" : rc ? "error" : "ok: one-time password");
    return rc;
}

/* See auth.h. */
int auth_account_grant(struct auth *a, const struct auth_session *actor, const char *name,
                       unsigned roles, unsigned privileges, char *msg, size_t msglen)
{
    if (!allowed(actor, PERM_ROLES_GRANT, "account.grant", name, msg, msglen))
        return ERR_INVAL;
    char what[160] = "roles:";
    for (int r = 0; r < ROLE_COUNT; r++)
        if (roles & ROLE_BIT(r))
            snprintf(what + strlen(what), sizeof what - strlen(what), " %s", auth_role_name(r));
    if (privileges & PRIV_PII_VIEW)
        snprintf(what + strlen(what), sizeof what - strlen(what), "; pii.view");
    const char *why = auth_roles_invalid(roles);
    if (!why && (privileges & ~PRIV_PII_VIEW))
        why = "unknown privilege";
    if (why) {
        char r[240];
        snprintf(r, sizeof r, "refused: %s (%s)", why, what);
        auth_audit(actor->user, actor->address, "account.grant", name, r);
        snprintf(msg, msglen, "%s", why);
        return ERR_INVAL;
    }
    struct store_account acc;
    int rc = store_account_get(a->st, name, &acc);
    if (!rc) {
        acc.roles = roles;
        acc.privileges = privileges;
        rc = store_account_update(a->st, &acc);
    }
    if (!rc)
        end_sessions(a, acc.id);
    snprintf(msg, msglen, "%s", rc == ERR_NOTFOUND ? "no such account" : rc ? "not saved" : "granted");
    char r[240];
    snprintf(r, sizeof r, "%s (%s)", rc == ERR_NOTFOUND ? "refused: no such account" : rc ? "error" : "ok",
             what);
    auth_audit(actor->user, actor->address, "account.grant", name, r);
    return rc;
}

/* See auth.h. */
int auth_account_disable(struct auth *a, const struct auth_session *actor, const char *name,
                         bool disabled, char *msg, size_t msglen)
{
    const char *action = disabled ? "account.disable" : "account.enable";
    if (!allowed(actor, PERM_ACCOUNTS_MANAGE, action, name, msg, msglen))
        return ERR_INVAL;
    struct store_account acc;
    int rc = store_account_get(a->st, name, &acc);
    if (!rc) {
        acc.disabled = disabled;
        rc = store_account_update(a->st, &acc);
    }
    if (!rc && disabled)
        end_sessions(a, acc.id);
    snprintf(msg, msglen, "%s", rc == ERR_NOTFOUND ? "no such account" : rc ? "not saved" : "done");
    auth_audit(actor->user, actor->address, action, name,
               rc == ERR_NOTFOUND ? "refused: no such account" : rc ? "error" : "ok");
    return rc;
}

/* See auth.h. */
int auth_account_reset(struct auth *a, const struct auth_session *actor, const char *name,
                       char otp[17], char *msg, size_t msglen)
{
    if (!allowed(actor, PERM_ACCOUNTS_MANAGE, "account.reset", name, msg, msglen))
        return ERR_INVAL;
    struct store_account acc;
    int rc = store_account_get(a->st, name, &acc);
    bool directory = !rc && !strcmp(acc.source, "ldap");
    otp[0] = '\0';
    if (!rc && !directory) { /* a directory account's password is the directory's */
        auth_password_random(otp);
        rc = auth_password_hash(otp, acc.password, sizeof acc.password);
    }
    if (!rc) {
        acc.must_change = !directory;
        acc.password_changed_ns = vtime_now_ns();
        acc.totp[0] = '\0';
        acc.totp_on = false;
        rc = store_account_update(a->st, &acc);
    }
    if (!rc)
        end_sessions(a, acc.id);
    snprintf(msg, msglen, "%s", rc == ERR_NOTFOUND ? "no such account" : rc ? "not saved" : "reset");
    auth_audit(actor->user, actor->address, "account.reset", name,
               rc == ERR_NOTFOUND ? "refused: no such account"
               : rc              ? "error"
                                 : "ok: one-time password, second factor reset");
    return rc;
}

/* See auth.h. */
int auth_account_delete(struct auth *a, const struct auth_session *actor, const char *name,
                        char *msg, size_t msglen)
{
    if (!allowed(actor, PERM_ACCOUNTS_MANAGE, "account.delete", name, msg, msglen))
        return ERR_INVAL;
    struct store_account acc;
    int rc = store_account_get(a->st, name, &acc);
    if (!rc && (acc.roles & ROLE_ADMINS)) {
        snprintf(msg, msglen, "the account holds an administrator role: revoke it first");
        auth_audit(actor->user, actor->address, "account.delete", name,
                   "refused: holds an administrator role");
        return ERR_INVAL;
    }
    if (!rc)
        rc = store_account_delete(a->st, acc.id);
    if (!rc)
        end_sessions(a, acc.id);
    snprintf(msg, msglen, "%s", rc == ERR_NOTFOUND ? "no such account" : rc ? "not saved" : "deleted");
    auth_audit(actor->user, actor->address, "account.delete", name,
               rc == ERR_NOTFOUND ? "refused: no such account" : rc ? "error" : "ok");
    return rc;
}
