/*
 * auth_login.c — signing in: lockout per account name and per source address (a
 * number of failures in a window locks for the window after the last one; an unknown
 * name counts like a known one, so locks do not reveal which names exist), the password,
 * the second factor when enrolled, then a new session — any session the browser still
 * held is ended first (rotation at login). One answer for an unknown name and a wrong
 * password. Directory accounts (auth_ldap.c) are checked by the directory and kept as
 * rows of source "ldap" with the roles their groups map to. Every outcome is audited.
 */
#include "auth/auth_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* A hash of a password no one has, checked for unknown names so that they take as long
 * as known ones. Made once. */
static char decoy[STORE_ACCOUNT_SECRET];
static pthread_once_t decoy_once = PTHREAD_ONCE_INIT;

static void make_decoy(void)
{
    char pw[17];
    auth_password_random(pw);
    if (auth_password_hash(pw, decoy, sizeof decoy))
        decoy[0] = '\0';
}

/* Minutes left of a lock, or 0 when (kind, key) is not locked. */
static int locked_minutes(struct auth *a, const char *kind, const char *key, int64_t now)
{
    uint64_t n;
    int64_t last;
    if (store_login_failures(a->st, kind, key, now - a->cfg.lockout_window_ns, &n, &last) ||
        n < (uint64_t)a->cfg.lockout_failures)
        return 0;
    int64_t left = last + a->cfg.lockout_window_ns - now;
    return left > 0 ? (int)((left + 60 * NS_PER_SEC - 1) / (60 * NS_PER_SEC)) : 0;
}

static void lower_name(const char *user, char *out, size_t len)
{
    size_t i = 0;
    for (; user[i] && i + 1 < len; i++)
        out[i] = (char)tolower((unsigned char)user[i]);
    out[i] = '\0';
}

/* Records a failure for the name and the address; audits it, and the lock it causes. */
static enum auth_outcome fail(struct auth *a, const char *name, const char *address,
                              enum auth_outcome why, const char *what, char *msg, size_t msglen)
{
    int64_t now = vtime_now_ns();
    (void)store_login_failure_add(a->st, "account", name, now);
    (void)store_login_failure_add(a->st, "address", address, now);
    auth_audit(name, address, "auth.failure", name, what);
    int m = locked_minutes(a, "account", name, now);
    int am = locked_minutes(a, "address", address, now);
    if (m || am) {
        auth_audit(name, address, "auth.lockout", m ? name : address,
                   m ? "locked: the account" : "locked: the address");
        snprintf(msg, msglen,
                 "too many failed logins: %s is locked for %d minutes",
                 m ? "this account" : "this address", m > am ? m : am);
        return AUTH_LOCKED;
    }
    snprintf(msg, msglen, "%s",
             why == AUTH_BAD_TOTP ? "the one-time code is wrong or was used already"
                                  : "wrong user name or password");
    return why;
}

/* The password of a directory account, checked by the directory, and its roles from its
 * groups, kept on its row in the store (made at its first login) so that sessions, the
 * second factor and the audit work as for local accounts. */
static enum auth_outcome directory_login(struct auth *a, const char *name, const char *password,
                                         const char *address, bool known,
                                         struct store_account *acc, char *msg, size_t msglen)
{
    unsigned roles, privs;
    char why[200];
    int rc = auth_ldap_check(a, name, password, &roles, &privs, why, sizeof why);
    if (rc == ERR_NOTFOUND)
        return fail(a, name, address, AUTH_BAD_CREDENTIALS, "unknown account", msg, msglen);
    if (rc == ERR_INVAL)
        return fail(a, name, address, AUTH_BAD_CREDENTIALS, "wrong password", msg, msglen);
    if (rc) {
        char r[260];
        snprintf(r, sizeof r, "error: %s", why);
        auth_audit(name, address, "auth.login", name, r);
        snprintf(msg, msglen, "the directory cannot be reached; try again later");
        return AUTH_ERROR;
    }
    const char *bad = roles ? auth_roles_invalid(roles) : "no Vigil role is mapped from its groups";
    if (bad) {
        char r[260];
        snprintf(r, sizeof r, "refused: directory account: %s", bad);
        auth_audit(name, address, "auth.login", name, r);
        snprintf(msg, msglen, "this directory account cannot sign in: %s", bad);
        return AUTH_DISABLED;
    }
    if (!known) {
        memset(acc, 0, sizeof *acc);
        snprintf(acc->name, sizeof acc->name, "%s", name);
        snprintf(acc->source, sizeof acc->source, "ldap");
        acc->created_ns = acc->password_changed_ns = vtime_now_ns();
    }
    acc->roles = roles;
    acc->privileges = privs;
    rc = known ? store_account_update(a->st, acc) : store_account_insert(a->st, acc, &acc->id);
    if (rc) {
        snprintf(msg, msglen, "the account store cannot be written");
        return AUTH_ERROR;
    }
    if (!known)
        auth_audit("system", address, "account.create", name, "ok: directory account");
    return AUTH_OK;
}

/* See auth.h. */
enum auth_outcome auth_login(struct auth *a, const char *user, const char *password,
                             const char *totp, const char *address, const char *old_token,
                             struct auth_session *out, char *msg, size_t msglen)
{
    char name[STORE_ACCOUNT_NAME + 1];
    lower_name(user ? user : "", name, sizeof name);
    address = address ? address : "?";
    int64_t now = vtime_now_ns();
    int m = locked_minutes(a, "address", address, now);
    int am = locked_minutes(a, "account", name, now);
    if (m || am) {
        snprintf(msg, msglen, "too many failed logins: %s is locked for %d more minutes",
                 am ? "this account" : "this address", am > m ? am : m);
        auth_audit(name, address, "auth.login", name, am ? "refused: account locked"
                                                          : "refused: address locked");
        return AUTH_LOCKED;
    }
    struct store_account acc;
    int rc = name[0] && password && strlen(user) <= STORE_ACCOUNT_NAME
                 ? store_account_get(a->st, name, &acc)
                 : ERR_NOTFOUND;
    if (rc && rc != ERR_NOTFOUND) {
        snprintf(msg, msglen, "the account store cannot be read");
        return AUTH_ERROR;
    }
    bool directory = a->cfg.ldap && (rc == ERR_NOTFOUND || !strcmp(acc.source, "ldap"));
    if (directory) {
        enum auth_outcome o = directory_login(a, name, password, address, rc == 0, &acc, msg,
                                              msglen);
        if (o != AUTH_OK)
            return o;
    } else if (rc == ERR_NOTFOUND) {
        pthread_once(&decoy_once, make_decoy);
        (void)auth_password_check(decoy, password ? password : "");
        return fail(a, name, address, AUTH_BAD_CREDENTIALS, "unknown account", msg, msglen);
    } else if (!auth_password_check(acc.password, password)) {
        return fail(a, name, address, AUTH_BAD_CREDENTIALS, "wrong password", msg, msglen);
    }
    if (acc.disabled) {
        auth_audit(name, address, "auth.login", name, "refused: account disabled");
        snprintf(msg, msglen, "this account is disabled");
        return AUTH_DISABLED;
    }
    int64_t step = 0;
    if (acc.totp_on) {
        if (!totp || !*totp) {
            snprintf(msg, msglen, "a one-time code from the authenticator is required");
            return AUTH_NEED_TOTP;
        }
        char seed[64];
        if (auth_secret_open(a, acc.totp, seed, sizeof seed)) {
            snprintf(msg, msglen, "the second factor cannot be read (secrets.key?)");
            auth_audit(name, address, "auth.login", name, "error: TOTP seed does not open");
            return AUTH_ERROR;
        }
        bool ok = auth_totp_check(seed, totp, now, &step);
        memset(seed, 0, sizeof seed);
        if (!ok)
            return fail(a, name, address, AUTH_BAD_TOTP, "wrong one-time code", msg, msglen);
    }
    pthread_mutex_lock(&a->lock);
    /* a step at or before the stored one was used already (also before a restart) */
    if (acc.totp_on && (step <= acc.totp_step || !auth_totp_fresh(a, acc.id, step))) {
        pthread_mutex_unlock(&a->lock);
        return fail(a, name, address, AUTH_BAD_TOTP, "one-time code replayed", msg, msglen);
    }
    struct auth_session *old = auth_session_find(a, old_token);
    if (old)
        auth_session_end(a, old);
    struct auth_session *s = auth_session_new(a);
    if (s) {
        auth_session_fill(a, s, &acc);
        snprintf(s->address, sizeof s->address, "%s", address);
        s->created_ns = s->last_seen_ns = vtime_now_ns(); /* after the hash's time */
        *out = *s;
    }
    pthread_mutex_unlock(&a->lock);
    if (!s) {
        snprintf(msg, msglen, "no session could be made");
        return AUTH_ERROR;
    }
    (void)store_login_failures_clear(a->st, "account", name);
    acc.last_login_ns = now;
    if (acc.totp_on)
        acc.totp_step = step;
    (void)store_account_update(a->st, &acc);
    auth_audit(acc.name, address, "auth.login", acc.name,
               out->must_change ? "ok: the password must be changed"
               : out->must_enrol ? "ok: a second factor must be enrolled"
                                 : "ok");
    snprintf(msg, msglen, "signed in");
    return AUTH_OK;
}

/* See auth.h. */
int auth_password_change(struct auth *a, const char *token, const char *old_pw,
                         const char *new_pw, char *msg, size_t msglen)
{
    struct auth_session s;
    if (auth_session_get(a, token, &s)) {
        snprintf(msg, msglen, "not signed in");
        return ERR_NOTFOUND;
    }
    struct store_account acc;
    if (store_account_get(a->st, s.user, &acc)) {
        snprintf(msg, msglen, "the account is gone");
        return ERR_NOTFOUND;
    }
    if (!strcmp(acc.source, "ldap")) {
        snprintf(msg, msglen, "a directory account's password is changed in the directory");
        return ERR_INVAL;
    }
    if (!old_pw || !new_pw || !auth_password_check(acc.password, old_pw)) {
        snprintf(msg, msglen, "the current password is wrong");
        auth_audit(s.user, s.address, "auth.password_change", s.user,
                   "refused: wrong current password");
        return ERR_INVAL;
    }
    const char *why = auth_password_policy(new_pw, acc.name, a->cfg.min_length);
    if (!why && !strcmp(old_pw, new_pw))
        why = "the new password must differ from the current one";
    if (why) {
        snprintf(msg, msglen, "%s", why);
        char r[200];
        snprintf(r, sizeof r, "refused: %s", why);
        auth_audit(s.user, s.address, "auth.password_change", s.user, r);
        return ERR_INVAL;
    }
    int rc = auth_password_hash(new_pw, acc.password, sizeof acc.password);
    if (!rc) {
        acc.must_change = false;
        acc.password_changed_ns = vtime_now_ns();
        rc = store_account_update(a->st, &acc);
    }
    if (rc) {
        snprintf(msg, msglen, "the password could not be saved");
        return rc;
    }
    pthread_mutex_lock(&a->lock);
    /* the account's other sessions end: whoever knew the old password is signed out */
    for (int i = 0; i < AUTH_MAX_SESSIONS; i++) {
        struct auth_session *o = &a->sessions[i];
        if (o->token[0] && o->account_id == acc.id && strcmp(o->token, s.token))
            auth_session_end(a, o);
    }
    struct auth_session *live = auth_session_find(a, token);
    if (live)
        auth_session_fill(a, live, &acc);
    pthread_mutex_unlock(&a->lock);
    auth_audit(s.user, s.address, "auth.password_change", s.user, "ok");
    snprintf(msg, msglen, "the password is changed");
    return 0;
}
