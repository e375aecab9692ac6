/*
 * store_audit_seal.c — the audit trail's hash chain (docs/ARCHITECTURE.md §3 "Audit").
 * Each record of the audit table carries a seal: HMAC(key, seal of the record before ||
 * id || time || actor, source, action, object, result, each with its length), HMAC-SHA256
 * by default or HMAC-SM3 where the Chinese cryptography rules apply (both OpenSSL 3).
 * The key lives in a file outside the database; without it a record cannot be altered,
 * removed or moved without breaking the chain from there on.
 *
 * What a chain alone cannot show is a tail cut off (the last records deleted leave a
 * shorter chain that is still whole). So the chain's head — the newest id and its seal
 * — is written out now and then: appended to a heads file (configured to live
 * elsewhere) and sent to syslog (authpriv), which usually leaves the machine.
 * `vigil audit verify` (store_audit_verify.c) checks every head against the trail.
 */
#include "store/store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

static const char *const alg_names[] = {"sha256", "sm3"};

static void put_le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static bool mac_put(EVP_MAC_CTX *c, const void *p, size_t n)
{
    return EVP_MAC_update(c, p, n) == 1;
}

/* See store_int.h. */
int store_audit_seal_of(const struct store_audit_seal *a, int alg,
                        const unsigned char prev[STORE_SEAL_BYTES], int64_t id, int64_t time,
                        const char *const text[5], unsigned char out[STORE_SEAL_BYTES])
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *c = mac ? EVP_MAC_CTX_new(mac) : NULL;
    if (!c) {
        EVP_MAC_free(mac);
        return ERR_NOMEM;
    }
    char digest[8];
    snprintf(digest, sizeof digest, "%s", alg == STORE_HMAC_SM3 ? "SM3" : "SHA256");
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                           OSSL_PARAM_construct_end()};
    unsigned char num[16];
    put_le64(num, (uint64_t)id);
    put_le64(num + 8, (uint64_t)time);
    bool ok = EVP_MAC_init(c, a->key, STORE_SEAL_BYTES, params) == 1 &&
              mac_put(c, prev, STORE_SEAL_BYTES) && mac_put(c, num, sizeof num);
    for (int i = 0; ok && i < 5; i++) {
        size_t n = strlen(text[i]);
        unsigned char len[8];
        put_le64(len, n);
        ok = mac_put(c, len, sizeof len) && mac_put(c, text[i], n);
    }
    size_t outlen = 0;
    ok = ok && EVP_MAC_final(c, out, &outlen, STORE_SEAL_BYTES) == 1 &&
         outlen == STORE_SEAL_BYTES;
    EVP_MAC_CTX_free(c);
    EVP_MAC_free(mac);
    return ok ? 0 : ERR_INVAL;
}

/* See store_int.h. */
void store_audit_seal_format(int alg, const unsigned char seal[STORE_SEAL_BYTES], char *out)
{
    static const char hex[] = "0123456789abcdef";
    int n = sprintf(out, "hmac-%s:", alg_names[alg == STORE_HMAC_SM3]);
    for (int i = 0; i < STORE_SEAL_BYTES; i++) {
        out[n++] = hex[seal[i] >> 4];
        out[n++] = hex[seal[i] & 15];
    }
    out[n] = '\0';
}

static bool parse_hex(const char *p, size_t n, unsigned char *out, size_t outlen)
{
    if (n != 2 * outlen)
        return false;
    for (size_t i = 0; i < outlen; i++) {
        int h = hex_digit(p[2 * i]), l = hex_digit(p[2 * i + 1]);
        if (h < 0 || l < 0)
            return false;
        out[i] = (unsigned char)(h << 4 | l);
    }
    return true;
}

/* See store_int.h. */
bool store_audit_seal_parse(const char *text, int *alg, unsigned char seal[STORE_SEAL_BYTES])
{
    if (!text || strncmp(text, "hmac-", 5))
        return false;
    for (int a = 0; a < 2; a++) {
        size_t n = strlen(alg_names[a]);
        if (!strncmp(text + 5, alg_names[a], n) && text[5 + n] == ':') {
            *alg = a;
            const char *h = text + 6 + n;
            return parse_hex(h, strlen(h), seal, STORE_SEAL_BYTES);
        }
    }
    return false;
}

/* ---- options: given, else as the daemon last set them, else the defaults ---- */

/* Resolves one text option into *out (heap): given, else the setting, else dflt. When
 * given and different from the setting, the setting is updated. */
static int resolve(sqlite3 *db, const char *key, const char *given, const char *dflt, char **out)
{
    char *set = store_setting_db_get(db, key);
    if (given && *given) {
        if ((!set || strcmp(set, given)) && store_setting_db_put(db, key, given)) {
            mem_free(set);
            return ERR_DB;
        }
        mem_free(set);
        *out = mem_strdup(given);
    } else {
        *out = set ? set : mem_strdup(dflt);
    }
    return *out ? 0 : ERR_NOMEM;
}

static int64_t sealed_rows(sqlite3 *db)
{
    sqlite3_stmt *s = NULL;
    int64_t n = -1;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM audit WHERE seal IS NOT NULL", -1, &s,
                           NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
}

/* Seals the records a schema before 7 wrote (ids up to `upto`), once: the update
 * trigger is lifted for the length of one transaction. */
static int seal_legacy(struct store *st, int64_t upto)
{
    sqlite3 *db = st->main_db;
    if (sqlite3_exec(db,
                     "BEGIN IMMEDIATE; DROP TRIGGER audit_no_update;"
                     "DELETE FROM settings WHERE key = 'audit.unsealed_upto';",
                     NULL, NULL, NULL) != SQLITE_OK) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return ERR_DB;
    }
    sqlite3_stmt *rd = NULL, *up = NULL;
    int rc = ERR_DB;
    unsigned char prev[STORE_SEAL_BYTES] = {0};
    if (sqlite3_prepare_v2(db,
                           "SELECT id, time, actor, source, action, object, result FROM audit"
                           " WHERE id <= ?1 AND seal IS NULL ORDER BY id",
                           -1, &rd, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "UPDATE audit SET seal = ?2 WHERE id = ?1", -1, &up, NULL) !=
            SQLITE_OK)
        goto out;
    sqlite3_bind_int64(rd, 1, upto);
    int step;
    while ((step = sqlite3_step(rd)) == SQLITE_ROW) {
        const char *text[5];
        for (int i = 0; i < 5; i++) {
            text[i] = (const char *)sqlite3_column_text(rd, 2 + i);
            if (!text[i])
                text[i] = "";
        }
        int64_t id = sqlite3_column_int64(rd, 0);
        unsigned char seal[STORE_SEAL_BYTES];
        char s[80];
        if (store_audit_seal_of(&st->audit, st->audit.alg, prev, id, sqlite3_column_int64(rd, 1),
                                text, seal))
            goto out;
        store_audit_seal_format(st->audit.alg, seal, s);
        sqlite3_bind_int64(up, 1, id);
        sqlite3_bind_text(up, 2, s, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(up) != SQLITE_DONE)
            goto out;
        sqlite3_reset(up);
        memcpy(prev, seal, sizeof prev);
    }
    if (step == SQLITE_DONE)
        rc = 0;
out:
    sqlite3_finalize(rd);
    sqlite3_finalize(up);
    if (rc == 0 &&
        sqlite3_exec(db,
                     "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
                     " BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
                     "COMMIT",
                     NULL, NULL, NULL) == SQLITE_OK)
        return 0;
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return ERR_DB;
}

/* See store_int.h. */
int store_audit_seal_open(struct store *st, const struct store_audit_opts *opts, char *err,
                          size_t errlen)
{
    static const struct store_audit_opts none;
    const struct store_audit_opts *o = opts ? opts : &none;
    struct store_audit_seal *a = &st->audit;
    sqlite3 *db = st->main_db;
    char dflt_key[4200], dflt_heads[4200], interval[24];
    snprintf(dflt_key, sizeof dflt_key, "%s/audit.key", st->dir);
    snprintf(dflt_heads, sizeof dflt_heads, "%s/audit.heads", st->dir);
    char *alg = NULL, *ivl = NULL, *sys = NULL;
    if (o->heads_interval_s > 0)
        snprintf(interval, sizeof interval, "%d", o->heads_interval_s);
    else
        interval[0] = '\0';
    const char *syslog_given = o->heads_syslog > 0 ? "on" : o->heads_syslog < 0 ? "off" : NULL;
    int rc = resolve(db, "audit.hmac", o->hmac, "sha256", &alg);
    if (!rc)
        rc = resolve(db, "audit.key_file", o->key_file, dflt_key, &a->key_file);
    if (!rc)
        rc = resolve(db, "audit.heads_file", o->heads_file, dflt_heads, &a->heads_file);
    if (!rc)
        rc = resolve(db, "audit.heads_interval", interval, "60", &ivl);
    if (!rc)
        rc = resolve(db, "audit.heads_syslog", syslog_given, "on", &sys);
    if (rc) {
        snprintf(err, errlen, "cannot read or record the audit settings in vigil.db");
        goto out;
    }
    if (!strcmp(alg, "sha256") || !strcmp(alg, "sm3")) {
        a->alg = strcmp(alg, "sm3") ? STORE_HMAC_SHA256 : STORE_HMAC_SM3;
    } else {
        snprintf(err, errlen, "audit hmac '%s': expected sha256 or sm3", alg);
        rc = ERR_INVAL;
        goto out;
    }
    uint64_t secs = 60;
    (void)slice_to_u64(slice_cstr(ivl), &secs);
    a->heads_interval_ns = (int64_t)(secs ? secs : 60) * NS_PER_SEC;
    a->heads_syslog = strcmp(sys, "off") != 0;
    int64_t sealed = sealed_rows(db);
    if (sealed < 0) {
        snprintf(err, errlen, "cannot read the audit trail in vigil.db");
        rc = ERR_DB;
        goto out;
    }
    /* A key is made only for a trail no key has sealed yet. */
    if ((rc = keyfile_load(a->key_file, sealed == 0, a->key, err, errlen)))
        goto out;
    char *upto = store_setting_db_get(db, "audit.unsealed_upto");
    if (upto) {
        uint64_t u = 0;
        (void)slice_to_u64(slice_cstr(upto), &u);
        mem_free(upto);
        if ((rc = seal_legacy(st, (int64_t)u))) {
            snprintf(err, errlen, "cannot seal the audit records of an older schema");
            goto out;
        }
    }
out:
    mem_free(alg);
    mem_free(ivl);
    mem_free(sys);
    return rc;
}

/* See store_int.h. */
void store_audit_head_maybe(struct store *st, int64_t id, const char *seal, bool force)
{
    struct store_audit_seal *a = &st->audit;
    a->unheaded = true;
    int64_t now = vtime_mono_ns();
    if (!force && a->last_head_mono && now - a->last_head_mono < a->heads_interval_ns)
        return;
    int64_t wall = vtime_now_ns();
    char line[256];
    int n = snprintf(line, sizeof line, "vigil-audit-head time=%lld id=%lld seal=%s\n",
                     (long long)wall, (long long)id, seal);
    int fd = open(a->heads_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    bool ok = fd >= 0 && write(fd, line, (size_t)n) == n;
    if (fd >= 0)
        close(fd);
    if (!ok)
        log_warn("audit: cannot append the chain's head to %s: %s", a->heads_file,
                 err_errno(errno));
    if (a->heads_syslog)
        syslog(LOG_AUTHPRIV | LOG_NOTICE, "vigil audit head id=%lld seal=%s", (long long)id,
               seal);
    a->last_head_mono = now;
    a->unheaded = false;
}

static int newest(sqlite3 *db, int64_t *id, char *seal, size_t len)
{
    sqlite3_stmt *s = NULL;
    int rc = ERR_NOTFOUND;
    if (sqlite3_prepare_v2(db, "SELECT id, seal FROM audit ORDER BY id DESC LIMIT 1", -1, &s,
                           NULL) != SQLITE_OK)
        return ERR_DB;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 1)) {
        *id = sqlite3_column_int64(s, 0);
        snprintf(seal, len, "%s", (const char *)sqlite3_column_text(s, 1));
        rc = 0;
    }
    sqlite3_finalize(s);
    return rc;
}

/* See store_int.h. */
void store_audit_seal_close(struct store *st)
{
    struct store_audit_seal *a = &st->audit;
    if (a->unheaded && st->main_db) {
        int64_t id;
        char seal[96];
        if (newest(st->main_db, &id, seal, sizeof seal) == 0)
            store_audit_head_maybe(st, id, seal, true);
    }
    memset(a->key, 0, sizeof a->key);
    mem_free(a->key_file);
    mem_free(a->heads_file);
    a->key_file = a->heads_file = NULL;
}
