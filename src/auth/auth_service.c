/*
 * auth_service.c — the 4A service's life: opening it on the store with the key of
 * secrets at rest, the first start's three administrator accounts, encrypting stored
 * secrets (TOTP seeds; later LDAP bind passwords and webhook tokens) with AES-256-GCM,
 * and the audit records of the layer.
 */
#include "auth/auth_int.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

/* See auth.h. */
void auth_config_defaults(struct auth_config *c)
{
    memset(c, 0, sizeof *c);
    c->min_length = 8;
    c->expiry_days = 90;
    c->lockout_failures = 5;
    c->lockout_window_ns = 15 * 60 * NS_PER_SEC;
    c->idle_timeout_ns = 15 * 60 * NS_PER_SEC;
}

/* See auth.h. */
int auth_open(struct store *st, const char *data_dir, const struct auth_config *cfg,
              struct auth **out, char *err, size_t errlen)
{
    *out = NULL;
    struct auth *a = mem_calloc(1, sizeof *a);
    if (!a)
        return ERR_NOMEM;
    a->st = st;
    if (cfg)
        a->cfg = *cfg;
    else
        auth_config_defaults(&a->cfg);
    char path[4200];
    snprintf(path, sizeof path, "%s/secrets.key", data_dir);
    int rc = keyfile_load(path, true, a->secret_key, err, errlen);
    if (rc) {
        mem_free(a);
        return rc;
    }
    const struct auth_ldap_config *l = a->cfg.ldap;
    if (l && l->bind_dn &&
        (!l->bind_password ||
         auth_secret_open(a, l->bind_password, a->ldap_bind_password,
                          sizeof a->ldap_bind_password))) {
        snprintf(err, errlen,
                 "web.ldap.bind_password does not open with %s: seal it with `vigil secret"
                 " seal`",
                 path);
        memset(a, 0, sizeof *a);
        mem_free(a);
        return ERR_INVAL;
    }
    if ((rc = auth_mask_open(a, err, errlen))) {
        auth_mask_close(a);
        memset(a, 0, sizeof *a);
        mem_free(a);
        return rc;
    }
    pthread_mutex_init(&a->lock, NULL);
    *out = a;
    return 0;
}

/* See auth.h. */
int auth_seal_secret(const struct auth *a, const char *plain, char *out, size_t outlen)
{
    return auth_secret_seal(a, plain, out, outlen);
}

/* See auth.h. */
int auth_unseal_secret(const struct auth *a, const char *sealed, char *out, size_t outlen)
{
    return auth_secret_open(a, sealed, out, outlen);
}

/* See auth.h. */
void auth_close(struct auth *a)
{
    if (!a)
        return;
    auth_mask_close(a);
    pthread_mutex_destroy(&a->lock);
    memset(a, 0, sizeof *a);
    mem_free(a);
}

/* See auth_int.h. */
void auth_audit(const char *actor, const char *address, const char *action, const char *object,
                const char *result)
{
    struct audit_entry e = {.actor = actor && *actor ? actor : "anonymous",
                            .source = address,
                            .action = action,
                            .object = object,
                            .result = result};
    audit_record(&e);
}

static void to_hex(const unsigned char *p, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[p[i] >> 4];
        out[2 * i + 1] = hex[p[i] & 15];
    }
    out[2 * n] = '\0';
}

#define GCM_NONCE 12
#define GCM_TAG 16
#define SECRET_MAX 128

/* See auth_int.h. */
int auth_secret_seal(const struct auth *a, const char *plain, char *out, size_t outlen)
{
    size_t n = strlen(plain);
    if (n > SECRET_MAX || outlen < 3 + 2 * (GCM_NONCE + n + GCM_TAG) + 1)
        return ERR_TOOBIG;
    unsigned char buf[GCM_NONCE + SECRET_MAX + GCM_TAG];
    if (getrandom(buf, GCM_NONCE, 0) != GCM_NONCE)
        return ERR_IO;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int len = 0, fin = 0;
    bool ok = c && EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, a->secret_key, buf) == 1 &&
              EVP_EncryptUpdate(c, buf + GCM_NONCE, &len, (const unsigned char *)plain,
                                (int)n) == 1 &&
              EVP_EncryptFinal_ex(c, buf + GCM_NONCE + len, &fin) == 1 &&
              EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, GCM_TAG, buf + GCM_NONCE + n) == 1;
    EVP_CIPHER_CTX_free(c);
    if (!ok)
        return ERR_INVAL;
    memcpy(out, "v1:", 3);
    to_hex(buf, GCM_NONCE + n + GCM_TAG, out + 3);
    return 0;
}

/* See auth_int.h. */
int auth_secret_open(const struct auth *a, const char *sealed, char *out, size_t outlen)
{
    size_t h = strlen(sealed);
    if (strncmp(sealed, "v1:", 3) || (h - 3) % 2 || (h - 3) / 2 < GCM_NONCE + GCM_TAG)
        return ERR_INVAL;
    size_t total = (h - 3) / 2, n = total - GCM_NONCE - GCM_TAG;
    unsigned char buf[GCM_NONCE + SECRET_MAX + GCM_TAG];
    if (n > SECRET_MAX || n + 1 > outlen)
        return ERR_TOOBIG;
    for (size_t i = 0; i < total; i++) {
        int hi = hex_digit(sealed[3 + 2 * i]), lo = hex_digit(sealed[4 + 2 * i]);
        if (hi < 0 || lo < 0)
            return ERR_INVAL;
        buf[i] = (unsigned char)(hi << 4 | lo);
    }
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int len = 0, fin = 0;
    bool ok = c && EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, a->secret_key, buf) == 1 &&
              EVP_DecryptUpdate(c, (unsigned char *)out, &len, buf + GCM_NONCE, (int)n) == 1 &&
              EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, GCM_TAG, buf + GCM_NONCE + n) == 1 &&
              EVP_DecryptFinal_ex(c, (unsigned char *)out + len, &fin) == 1;
    EVP_CIPHER_CTX_free(c);
    if (!ok) {
        memset(out, 0, outlen);
        return ERR_INVAL;
    }
    out[n] = '\0';
    return 0;
}

static int count_account(void *ctx, const struct store_account *acc)
{
    (void)acc;
    ++*(int *)ctx;
    return 1; /* one is enough */
}

/* See auth.h. */
int auth_bootstrap(struct auth *a, struct auth_initial *out, bool *created)
{
    *created = false;
    memset(out, 0, sizeof *out);
    int n = 0;
    int rc = store_account_list(a->st, count_account, &n);
    if (rc || n)
        return rc;
    static const enum auth_role roles[3] = {ROLE_SYSADMIN, ROLE_SECADMIN, ROLE_AUDITOR};
    for (int i = 0; i < 3; i++) {
        struct store_account acc;
        memset(&acc, 0, sizeof acc);
        snprintf(acc.name, sizeof acc.name, "%s", auth_role_name(roles[i]));
        snprintf(acc.source, sizeof acc.source, "local");
        acc.roles = ROLE_BIT(roles[i]);
        acc.must_change = true;
        acc.created_ns = acc.password_changed_ns = vtime_now_ns();
        auth_password_random(out->password[i]);
        snprintf(out->name[i], sizeof out->name[i], "%s", auth_role_name(roles[i]));
        if ((rc = auth_password_hash(out->password[i], acc.password, sizeof acc.password)) ||
            (rc = store_account_insert(a->st, &acc, NULL)))
            return rc;
        auth_audit("system", "local", "account.create", acc.name,
                   "ok: first start, one-time password");
    }
    *created = true;
    return 0;
}
