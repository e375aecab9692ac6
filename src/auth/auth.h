/*
 * auth.h — the console's 4A layer (docs/ARCHITECTURE.md §3 "Console"): accounts, roles
 * with separated duties, passwords (argon2id, a policy, weak lists), lockout, sessions
 * with idle timeout and CSRF tokens, TOTP second factor (RFC 6238), secrets encrypted
 * at rest. Everything it decides is audited through core's audit sink.
 *
 * The web server (src/web) calls it per request: auth_session_get for the cookie, then
 * auth_can for the endpoint's permission. Nothing here knows HTTP.
 */
#ifndef VIGIL_AUTH_H
#define VIGIL_AUTH_H

#include "core/core.h"
#include "store/store.h"

/* ---- roles and permissions (auth_roles.c) ------------------------------------------ */

/* The roles. The first three are the administrator roles of the "three administrators"
 * separation: no account holds two of them. */
enum auth_role {
    ROLE_SYSADMIN, /* system administrator: configuration, inputs, accounts' existence */
    ROLE_SECADMIN, /* security administrator: rules, assets, alert policy, role grants */
    ROLE_AUDITOR,  /* auditor: reads the audit trail, changes nothing */
    ROLE_ANALYST,  /* alerts, search */
    ROLE_READONLY, /* dashboards, alerts and events, read only */
    ROLE_COUNT
};
#define ROLE_BIT(r) (1u << (r))
#define ROLE_ADMINS (ROLE_BIT(ROLE_SYSADMIN) | ROLE_BIT(ROLE_SECADMIN) | ROLE_BIT(ROLE_AUDITOR))

/* The permissions the API checks; the matrix of auth_roles.c gives them to roles. */
enum auth_perm {
    PERM_OVERVIEW,      /* dashboards, indicators */
    PERM_ALERTS_READ,   /* the alert queue and details */
    PERM_ALERTS_WRITE,  /* acknowledge, escalate, close, assign */
    PERM_ALERT_POLICY,  /* suppressions */
    PERM_SEARCH,        /* event search, saved searches */
    PERM_EXPORT,        /* exporting results */
    PERM_RULES_READ,    /* list rules, test a rule */
    PERM_RULES_WRITE,   /* enable, disable, reload */
    PERM_ASSETS_READ,   /* assets, unregistered terminals */
    PERM_ASSETS_WRITE,  /* the inventory */
    PERM_SOURCES_READ,  /* log sources and their health */
    PERM_CONFIG,        /* configuration, inputs, the system's own state and metrics */
    PERM_ACCOUNTS_READ, /* list accounts */
    PERM_ACCOUNTS_MANAGE, /* create, disable, enable, delete, reset a password */
    PERM_ROLES_GRANT,   /* grant and revoke roles and the personal-data privilege */
    PERM_AUDIT_READ,    /* the audit trail */
    PERM_PII_VIEW,      /* personal data unmasked (a privilege granted per account) */
    PERM_COUNT
};

/* Per-account privileges beyond roles (store_account.privileges). */
#define PRIV_PII_VIEW 1u

const char *auth_role_name(enum auth_role r);
/* The role named s ("sysadmin", "secadmin", "auditor", "analyst", "readonly"), or -1. */
int auth_role_parse(const char *s);
const char *auth_perm_name(enum auth_perm p);
/* The permissions (bit set over enum auth_perm) of roles and privileges. */
uint32_t auth_perms_of(unsigned roles, unsigned privileges);
/* NULL when the set of roles may be held by one account, else why not. */
const char *auth_roles_invalid(unsigned roles);

/* ---- passwords (auth_password.c, auth_weak.c) --------------------------------------- */

#define AUTH_PASSWORD_MAX 256 /* longer ones are refused before hashing */

/* Hashes pw with argon2id (random salt) into out (STORE_ACCOUNT_SECRET bytes). */
int auth_password_hash(const char *pw, char *out, size_t outlen);
/* True when pw matches the encoded argon2id hash. */
bool auth_password_check(const char *encoded, const char *pw);
/* NULL when pw meets the policy for user name, else the reason in English: length >=
 * min_len, three of four character classes, not containing the name, not a common
 * weak password (English and Chinese lists, also after stripping digits and symbols
 * around a word). */
const char *auth_password_policy(const char *pw, const char *user, int min_len);
/* True when pw (case-insensitive) is in the weak lists, or is a listed word with
 * digits and symbols added around it ("Password1!", "woaini1314"). */
bool auth_password_weak(const char *pw);
/* Writes a random one-time password that meets the policy (16 characters) into out. */
void auth_password_random(char out[17]);

/* ---- personal data (auth_mask.c) ------------------------------------------------------ */

/* Masks in place, keeping lengths, the personal data in text p[0..n): Chinese resident
 * ID numbers (check digit and birth date valid), mainland mobile numbers, bank card
 * numbers (Luhn), e-mail addresses. Returns how many values were masked. */
size_t auth_mask_personal(char *p, size_t n);

struct auth;
/* Masks as auth_mask_personal does, then every match of the operator's patterns
 * (auth_config.mask_patterns). Returns how many values were masked. */
size_t auth_mask(const struct auth *a, char *p, size_t n);

/* ---- the 4A service ------------------------------------------------------------------ */

/* Directory accounts (auth_ldap.c): where users and groups are, and which groups give
 * which role. */
struct auth_ldap_group {
    const char *group_dn;
    int role; /* enum auth_role, or -1 for none */
    bool pii; /* the group also gives pii_view */
};
struct auth_ldap_config {
    const char *url;         /* ldap://host:389 or ldaps://host:636 */
    bool starttls;
    const char *bind_dn;     /* the service account; NULL: searches anonymously */
    const char *bind_password; /* sealed ("v1:..." from `vigil secret seal`) */
    const char *base_dn;     /* where users are */
    const char *user_filter; /* default (uid=%s); Active Directory: (sAMAccountName=%s) */
    const char *group_base;  /* where groups are; default base_dn */
    const char *group_filter; /* default (|(member=%s)(uniqueMember=%s)), %s the user's DN */
    const struct auth_ldap_group *map;
    size_t nmap;
    int timeout_s;           /* default 5 */
};

struct auth_config {
    int min_length;           /* 8 */
    int expiry_days;          /* a password older than this must be changed; 0: never */
    int lockout_failures;     /* 5 */
    int64_t lockout_window_ns; /* 15 min: failures counted in it, and how long a lock lasts */
    int64_t idle_timeout_ns;  /* 15 min */
    bool totp_optional_for_admins; /* false: administrators must enrol a second factor */
    const struct auth_ldap_config *ldap; /* NULL: local accounts only; must outlive auth */
    const char *const *mask_patterns;   /* the operator's own personal data (PCRE2) */
    size_t nmask_patterns;
};
/* Fills c with the defaults above. */
void auth_config_defaults(struct auth_config *c);

/* Opens the service on an open store; the key of secrets at rest is data_dir/secrets.key
 * (32 random bytes, created 0400); a directory's bind password is unsealed with it.
 * Message in err. */
int auth_open(struct store *st, const char *data_dir, const struct auth_config *cfg,
              struct auth **out, char *err, size_t errlen);
void auth_close(struct auth *a);

/* The three administrator accounts made at first start, with one-time passwords. */
struct auth_initial {
    char name[3][16];
    char password[3][17];
};
/* When no account exists, creates sysadmin, secadmin and auditor, each with one role and
 * a one-time password that must be changed at first login; *created tells. */
int auth_bootstrap(struct auth *a, struct auth_initial *out, bool *created);

/* A session as the web layer sees it. */
struct auth_session {
    char token[65];      /* the cookie value */
    char csrf[65];       /* the token state-changing requests must echo */
    char user[STORE_ACCOUNT_NAME + 1];
    char address[64];
    int64_t account_id;
    unsigned roles;
    uint32_t perms;      /* none while must_change or must_enrol */
    bool must_change;    /* the password must be changed first */
    bool must_enrol;     /* a second factor must be enrolled first */
    int64_t created_ns, last_seen_ns;
};

enum auth_outcome {
    AUTH_OK,
    AUTH_BAD_CREDENTIALS, /* unknown user or wrong password (one answer for both) */
    AUTH_LOCKED,          /* too many failures for the account or the address */
    AUTH_NEED_TOTP,       /* password right; a one-time code is required */
    AUTH_BAD_TOTP,
    AUTH_DISABLED,
    AUTH_ERROR
};

/*
 * Checks user, password and (when enrolled) the TOTP code from address; on AUTH_OK makes
 * a new session (the one named old_token, if any, is ended: rotation at login) into *s.
 * msg gets the sentence to show (the lockout's with its remaining minutes). Every
 * outcome is audited (auth.login, auth.failure, auth.lockout).
 */
enum auth_outcome auth_login(struct auth *a, const char *user, const char *password,
                             const char *totp, const char *address, const char *old_token,
                             struct auth_session *s, char *msg, size_t msglen);
/* The live session for token into *s, its idle clock restarted; ERR_NOTFOUND when there
 * is none or it was idle too long (then it is ended and the timeout audited). */
int auth_session_get(struct auth *a, const char *token, struct auth_session *s);
/* The number of live sessions (for /metrics). */
size_t auth_sessions_live(struct auth *a);
/* Ends the session (audited as auth.logout). */
void auth_logout(struct auth *a, const char *token);
/* True when s holds permission p. */
bool auth_can(const struct auth_session *s, enum auth_perm p);
/* Compares a request's CSRF token with the session's in constant time. */
bool auth_csrf_ok(const struct auth_session *s, const char *given);

/* Changes the session's own password (old one required); the policy's reason, or a
 * wrong old password, in msg. ERR_INVAL / ERR_DB / 0. Audited. */
int auth_password_change(struct auth *a, const char *token, const char *old_pw,
                         const char *new_pw, char *msg, size_t msglen);
/* Starts enrolment of a TOTP second factor for the session's account: a new seed,
 * shown as base32 (secret_b32, 64 bytes) and an otpauth:// URI (uri, 256 bytes). */
int auth_totp_begin(struct auth *a, const char *token, char *secret_b32, char *uri);
/* Confirms the enrolment with a code from the authenticator. ERR_INVAL when wrong. */
int auth_totp_confirm(struct auth *a, const char *token, const char *code, char *msg,
                      size_t msglen);
/* The current code for a base32 seed at time now (for tests and `vigil` tools). */
int auth_totp_code(const char *secret_b32, int64_t now_ns, char out[7]);

/* Seals a secret for the configuration (a directory's bind password, a webhook token)
 * with the key of secrets at rest: "v1:" + hex of AES-256-GCM (auth_service.c). */
int auth_seal_secret(const struct auth *a, const char *plain, char *out, size_t outlen);
/* Opens what auth_seal_secret made: 0, ERR_INVAL when it does not open with this key. */
int auth_unseal_secret(const struct auth *a, const char *sealed, char *out, size_t outlen);

/* ---- account administration (auth_admin.c): each checks the actor's permission ---- */

/* Creates a local account with no role and a one-time password (into otp). sysadmin. */
int auth_account_create(struct auth *a, const struct auth_session *actor, const char *name,
                        char otp[17], char *msg, size_t msglen);
/* Sets the roles and privileges of name. secadmin; not on the actor's own account;
 * the set must be valid (auth_roles_invalid). */
int auth_account_grant(struct auth *a, const struct auth_session *actor, const char *name,
                       unsigned roles, unsigned privileges, char *msg, size_t msglen);
/* Disables or enables name (its sessions end). sysadmin; not the actor's own. */
int auth_account_disable(struct auth *a, const struct auth_session *actor, const char *name,
                         bool disabled, char *msg, size_t msglen);
/* Deletes name (its sessions end). sysadmin; not the actor's own, and not an account
 * that holds an administrator role (the security administrator revokes it first). */
int auth_account_delete(struct auth *a, const struct auth_session *actor, const char *name,
                        char *msg, size_t msglen);
/* A new one-time password for name (into otp; "" for a directory account, whose password
 * is the directory's), its second factor reset. sysadmin. */
int auth_account_reset(struct auth *a, const struct auth_session *actor, const char *name,
                       char otp[17], char *msg, size_t msglen);

#endif
