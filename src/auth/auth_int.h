/*
 * auth_int.h — what the auth module's files share: the service object, its session
 * table and the helpers for secrets at rest. Nothing outside src/auth includes this.
 */
#ifndef VIGIL_AUTH_INT_H
#define VIGIL_AUTH_INT_H

#include "auth/auth.h"

#include <pthread.h>

#define AUTH_MAX_SESSIONS 1024
#define AUTH_TOTP_STEPS 256 /* accounts whose last used TOTP step is remembered */

struct auth_totp_used {
    int64_t account_id;
    int64_t step;
};

struct auth {
    struct store *st;
    struct auth_config cfg;
    unsigned char secret_key[32]; /* AES-256-GCM key of secrets at rest */
    pthread_mutex_t lock;         /* sessions and totp_used */
    struct auth_session sessions[AUTH_MAX_SESSIONS]; /* token[0] == 0: free */
    struct auth_totp_used totp_used[AUTH_TOTP_STEPS];
    /* a seed being enrolled, per session slot (base32, "" none) */
    char enrolling[AUTH_MAX_SESSIONS][64];
    char ldap_bind_password[256]; /* unsealed at open */
    void **masks;                 /* the operator's patterns, compiled (pcre2_code) */
    size_t nmasks;
};

/* Compiles the operator's masking patterns into a (auth_mask.c); message in err. */
int auth_mask_open(struct auth *a, char *err, size_t errlen);
void auth_mask_close(struct auth *a);

/* Encrypts a secret (AES-256-GCM, random nonce) into "v1:" + hex: 0 or ERR_*. */
int auth_secret_seal(const struct auth *a, const char *plain, char *out, size_t outlen);
/* Decrypts what auth_secret_seal wrote: 0, ERR_INVAL when it does not open. */
int auth_secret_open(const struct auth *a, const char *sealed, char *out, size_t outlen);

/* Records an audit entry for the 4A layer: actor, address, action, object, result. */
void auth_audit(const char *actor, const char *address, const char *action, const char *object,
                const char *result);

/* Session slots (auth_session.c); callers hold a->lock. */
struct auth_session *auth_session_new(struct auth *a);
struct auth_session *auth_session_find(struct auth *a, const char *token);
void auth_session_end(struct auth *a, struct auth_session *s);
/* Ends every session of the account (a disable, a reset). */
void auth_sessions_end_account(struct auth *a, int64_t account_id);
/* The permissions a session gets for account acc (none while a step is pending). */
void auth_session_fill(const struct auth *a, struct auth_session *s,
                       const struct store_account *acc);

/* Checks user's password against the directory (auth_ldap.c) and maps its groups into
 * *roles and *privs: 0, ERR_NOTFOUND (no such user), ERR_INVAL (wrong or empty password),
 * ERR_IO (directory unreachable or refusing the service account; why says). */
int auth_ldap_check(const struct auth *a, const char *user, const char *password,
                    unsigned *roles, unsigned *privs, char *why, size_t len);

/* Checks a TOTP code for a base32 seed at now; *step gets the time step it matched
 * (window: the step before and after). */
bool auth_totp_check(const char *secret_b32, const char *code, int64_t now_ns, int64_t *step);
/* True when step is newer than the last TOTP step account_id used, which it then
 * becomes (a code is good once). Caller holds a->lock. */
bool auth_totp_fresh(struct auth *a, int64_t account_id, int64_t step);

#endif
