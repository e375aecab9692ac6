/*
 * auth_totp.c — the TOTP second factor (RFC 6238: HMAC-SHA1, 6 digits, 30 s steps) with
 * liboath: enrolment (a new 20-byte seed shown as base32 and as an otpauth:// URI,
 * confirmed by a first code before it counts) and the check at login, one step of clock
 * drift either way. A code is accepted once: the last step used per account is kept (in
 * memory, and on the account's row, so a restart does not forget it), so a code seen over
 * a shoulder cannot be replayed in its 30 seconds.
 */
#include "auth/auth_int.h"

#include <liboath/oath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define TOTP_STEP 30
#define TOTP_DIGITS 6

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;

static void oath_start(void)
{
    (void)oath_init();
}

/* Decodes a base32 seed into raw (up to 64 bytes); its length, or 0 when not base32. */
static size_t seed_raw(const char *b32, char raw[64])
{
    pthread_once(&oath_once, oath_start);
    char *out = NULL;
    size_t n = 0;
    if (oath_base32_decode(b32, strlen(b32), &out, &n) != OATH_OK || !out || n > 64 || !n) {
        free(out);
        return 0;
    }
    memcpy(raw, out, n);
    memset(out, 0, n);
    free(out);
    return n;
}

/* See auth_int.h. */
bool auth_totp_check(const char *secret_b32, const char *code, int64_t now_ns, int64_t *step)
{
    char raw[64];
    size_t n = seed_raw(secret_b32, raw);
    if (!n || !code || strlen(code) != TOTP_DIGITS || strspn(code, "0123456789") != TOTP_DIGITS)
        return false;
    int pos = 0;
    time_t now = (time_t)(now_ns / NS_PER_SEC);
    int rc = oath_totp_validate2(raw, n, now, TOTP_STEP, 0, 1, &pos, code);
    memset(raw, 0, sizeof raw);
    if (rc < 0)
        return false;
    *step = (int64_t)(now / TOTP_STEP) + pos;
    return true;
}

/* See auth.h. */
int auth_totp_code(const char *secret_b32, int64_t now_ns, char out[7])
{
    char raw[64];
    size_t n = seed_raw(secret_b32, raw);
    if (!n)
        return ERR_INVAL;
    int rc = oath_totp_generate(raw, n, (time_t)(now_ns / NS_PER_SEC), TOTP_STEP, 0, TOTP_DIGITS,
                                out);
    memset(raw, 0, sizeof raw);
    return rc == OATH_OK ? 0 : ERR_INVAL;
}

/* See auth.h. */
int auth_totp_begin(struct auth *a, const char *token, char *secret_b32, char *uri)
{
    pthread_once(&oath_once, oath_start);
    unsigned char seed[20];
    if (getrandom(seed, sizeof seed, 0) != (ssize_t)sizeof seed)
        return ERR_IO;
    char *b32 = NULL;
    size_t n = 0;
    if (oath_base32_encode((const char *)seed, sizeof seed, &b32, &n) != OATH_OK || n >= 64) {
        free(b32);
        return ERR_INVAL;
    }
    memset(seed, 0, sizeof seed);
    pthread_mutex_lock(&a->lock);
    struct auth_session *s = auth_session_find(a, token);
    int rc = ERR_NOTFOUND;
    if (s) {
        snprintf(a->enrolling[s - a->sessions], 64, "%s", b32);
        snprintf(secret_b32, 64, "%s", b32);
        /* the name is the account's: [A-Za-z0-9._-] (auth_admin.c), nothing to escape */
        snprintf(uri, 256,
                 "otpauth://totp/Vigil:%s?secret=%s&issuer=Vigil&algorithm=SHA1&digits=6"
                 "&period=30",
                 s->user, b32);
        rc = 0;
    }
    pthread_mutex_unlock(&a->lock);
    memset(b32, 0, n);
    free(b32);
    return rc;
}

/* See auth_int.h: true when step is newer than the account's last used one, which it
 * then becomes. Caller holds a->lock. */
bool auth_totp_fresh(struct auth *a, int64_t account_id, int64_t step)
{
    struct auth_totp_used *slot = &a->totp_used[(uint64_t)account_id % AUTH_TOTP_STEPS];
    if (slot->account_id == account_id && step <= slot->step)
        return false;
    slot->account_id = account_id;
    slot->step = step;
    return true;
}

/* See auth.h. */
int auth_totp_confirm(struct auth *a, const char *token, const char *code, char *msg,
                      size_t msglen)
{
    pthread_mutex_lock(&a->lock);
    struct auth_session *s = auth_session_find(a, token);
    char seed[64] = "", user[STORE_ACCOUNT_NAME + 1] = "", address[64] = "";
    if (s) {
        snprintf(seed, sizeof seed, "%s", a->enrolling[s - a->sessions]);
        snprintf(user, sizeof user, "%s", s->user);
        snprintf(address, sizeof address, "%s", s->address);
    }
    pthread_mutex_unlock(&a->lock);
    if (!s || !seed[0]) {
        snprintf(msg, msglen, "no enrolment was started in this session");
        return ERR_INVAL;
    }
    int64_t step;
    if (!auth_totp_check(seed, code, vtime_now_ns(), &step)) {
        snprintf(msg, msglen, "the code does not match: check the authenticator's clock");
        auth_audit(user, address, "auth.totp_enrol", user, "error: wrong code");
        return ERR_INVAL;
    }
    struct store_account acc;
    int rc = store_account_get(a->st, user, &acc);
    if (!rc)
        rc = auth_secret_seal(a, seed, acc.totp, sizeof acc.totp);
    if (!rc) {
        acc.totp_on = true;
        acc.totp_step = step; /* the enrolment's code is used */
        rc = store_account_update(a->st, &acc);
    }
    if (rc) {
        snprintf(msg, msglen, "the second factor could not be saved");
        return rc;
    }
    pthread_mutex_lock(&a->lock);
    (void)auth_totp_fresh(a, acc.id, step); /* the enrolment's code is used */
    if ((s = auth_session_find(a, token))) {
        a->enrolling[s - a->sessions][0] = '\0';
        auth_session_fill(a, s, &acc);
    }
    pthread_mutex_unlock(&a->lock);
    auth_audit(user, address, "auth.totp_enrol", user, "ok");
    snprintf(msg, msglen, "the second factor is enrolled");
    return 0;
}
