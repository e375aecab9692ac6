/*
 * auth_session.c — the live sessions: a fixed table of AUTH_MAX_SESSIONS slots in memory
 * (a restart signs everyone out), tokens of 32 random bytes compared in constant time,
 * an idle timeout checked at every use, and the permissions each session carries.
 */
#include "auth/auth_int.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static bool random_hex(char out[65])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char r[32];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
        return false;
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[r[i] >> 4];
        out[2 * i + 1] = hex[r[i] & 15];
    }
    out[64] = '\0';
    return true;
}

/* See auth_int.h. A full table ends the session idle the longest. */
struct auth_session *auth_session_new(struct auth *a)
{
    struct auth_session *s = NULL, *oldest = &a->sessions[0];
    for (int i = 0; i < AUTH_MAX_SESSIONS && !s; i++) {
        if (!a->sessions[i].token[0])
            s = &a->sessions[i];
        else if (a->sessions[i].last_seen_ns < oldest->last_seen_ns)
            oldest = &a->sessions[i];
    }
    if (!s) {
        auth_audit(oldest->user, oldest->address, "auth.session_evicted", oldest->user,
                   "ok: the session table was full");
        auth_session_end(a, oldest);
        s = oldest;
    }
    memset(s, 0, sizeof *s);
    if (!random_hex(s->token) || !random_hex(s->csrf)) {
        memset(s, 0, sizeof *s);
        return NULL;
    }
    return s;
}

/* See auth_int.h. */
struct auth_session *auth_session_find(struct auth *a, const char *token)
{
    if (!token || strlen(token) != 64)
        return NULL;
    struct auth_session *found = NULL;
    for (int i = 0; i < AUTH_MAX_SESSIONS; i++)
        if (a->sessions[i].token[0] && !CRYPTO_memcmp(a->sessions[i].token, token, 64))
            found = &a->sessions[i];
    return found;
}

/* See auth_int.h. */
void auth_session_end(struct auth *a, struct auth_session *s)
{
    a->enrolling[s - a->sessions][0] = '\0';
    memset(s, 0, sizeof *s);
}

/* See auth_int.h. */
void auth_sessions_end_account(struct auth *a, int64_t account_id)
{
    for (int i = 0; i < AUTH_MAX_SESSIONS; i++)
        if (a->sessions[i].token[0] && a->sessions[i].account_id == account_id)
            auth_session_end(a, &a->sessions[i]);
}

/* See auth_int.h. */
void auth_session_fill(const struct auth *a, struct auth_session *s,
                       const struct store_account *acc)
{
    s->account_id = acc->id;
    snprintf(s->user, sizeof s->user, "%s", acc->name);
    s->roles = acc->roles;
    int64_t age = vtime_now_ns() - acc->password_changed_ns;
    /* a directory account's password is the directory's to expire */
    bool expired = strcmp(acc->source, "ldap") && a->cfg.expiry_days > 0 &&
                   age > (int64_t)a->cfg.expiry_days * 86400 * NS_PER_SEC;
    s->must_change = acc->must_change || expired;
    s->must_enrol = !acc->totp_on && (acc->roles & ROLE_ADMINS) && !a->cfg.totp_optional_for_admins;
    s->perms = s->must_change || s->must_enrol ? 0 : auth_perms_of(acc->roles, acc->privileges);
}

/* See auth.h. */
int auth_session_get(struct auth *a, const char *token, struct auth_session *out)
{
    pthread_mutex_lock(&a->lock);
    struct auth_session *s = auth_session_find(a, token);
    int64_t now = vtime_now_ns();
    int rc = ERR_NOTFOUND;
    if (s && now - s->last_seen_ns > a->cfg.idle_timeout_ns) {
        auth_audit(s->user, s->address, "auth.timeout", s->user, "ok: idle session ended");
        auth_session_end(a, s);
    } else if (s) {
        s->last_seen_ns = now;
        *out = *s;
        rc = 0;
    }
    pthread_mutex_unlock(&a->lock);
    return rc;
}

/* See auth.h. */
size_t auth_sessions_live(struct auth *a)
{
    size_t n = 0;
    pthread_mutex_lock(&a->lock);
    for (int i = 0; i < AUTH_MAX_SESSIONS; i++)
        n += a->sessions[i].token[0] != 0;
    pthread_mutex_unlock(&a->lock);
    return n;
}

/* See auth.h. */
void auth_logout(struct auth *a, const char *token)
{
    pthread_mutex_lock(&a->lock);
    struct auth_session *s = auth_session_find(a, token);
    if (s) {
        auth_audit(s->user, s->address, "auth.logout", s->user, "ok");
        auth_session_end(a, s);
    }
    pthread_mutex_unlock(&a->lock);
}

/* See auth.h. */
bool auth_can(const struct auth_session *s, enum auth_perm p)
{
    return (unsigned)p < PERM_COUNT && (s->perms & (1u << p));
}

/* See auth.h. */
bool auth_csrf_ok(const struct auth_session *s, const char *given)
{
    return given && strlen(given) == 64 && s->csrf[0] && !CRYPTO_memcmp(s->csrf, given, 64);
}
