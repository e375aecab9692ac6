/*
 * auth_password.c — password hashes and the password policy. Hashes are argon2id
 * (libargon2) at OWASP's recommended cost: 19 MiB, 2 passes, 1 lane, a 16-byte random
 * salt, a 32-byte tag, in the encoded form that carries its own parameters (so a later
 * cost change still verifies old hashes).
 */
#include "auth/auth.h"

#include <argon2.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#define ARGON_T 2
#define ARGON_M 19456
#define ARGON_P 1
#define ARGON_SALT 16
#define ARGON_TAG 32

/* See auth.h. */
int auth_password_hash(const char *pw, char *out, size_t outlen)
{
    size_t n = strlen(pw);
    if (n > AUTH_PASSWORD_MAX)
        return ERR_TOOBIG;
    unsigned char salt[ARGON_SALT];
    if (getrandom(salt, sizeof salt, 0) != (ssize_t)sizeof salt)
        return ERR_IO;
    if (argon2_encodedlen(ARGON_T, ARGON_M, ARGON_P, ARGON_SALT, ARGON_TAG, Argon2_id) > outlen)
        return ERR_TOOBIG;
    int rc = argon2id_hash_encoded(ARGON_T, ARGON_M, ARGON_P, pw, n, salt, sizeof salt,
                                   ARGON_TAG, out, outlen);
    return rc == ARGON2_OK ? 0 : ERR_NOMEM;
}

/* See auth.h. */
bool auth_password_check(const char *encoded, const char *pw)
{
    size_t n = strlen(pw);
    if (!encoded[0] || n > AUTH_PASSWORD_MAX || strncmp(encoded, "$argon2id$", 10))
        return false;
    return argon2id_verify(encoded, pw, n) == ARGON2_OK;
}

static bool contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle), h = strlen(hay);
    for (size_t i = 0; n && i + n <= h; i++)
        if (!strncasecmp(hay + i, needle, n))
            return true;
    return false;
}

/* See auth.h. */
const char *auth_password_policy(const char *pw, const char *user, int min_len)
{
    size_t n = strlen(pw);
    if (n < (size_t)(min_len > 8 ? min_len : 8))
        return min_len > 8 ? "the password is shorter than the policy's minimum length"
                           : "the password must be at least 8 characters long";
    if (n > AUTH_PASSWORD_MAX)
        return "the password is longer than 256 characters";
    int lower = 0, upper = 0, digit = 0, other = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)pw[i];
        if (c < 0x20 || c == 0x7f)
            return "the password contains a control character";
        lower |= islower(c) != 0;
        upper |= isupper(c) != 0;
        digit |= isdigit(c) != 0;
        other |= !isalnum(c);
    }
    if (lower + upper + digit + other < 3)
        return "the password needs three of: lower-case letters, upper-case letters, digits,"
               " other characters";
    if (user && strlen(user) >= 3 && contains_nocase(pw, user))
        return "the password must not contain the user name";
    if (auth_password_weak(pw))
        return "the password is a commonly used one (or one with a few characters added)";
    return NULL;
}

/* See auth.h. */
void auth_password_random(char out[17])
{
    /* no look-alikes (0/O, 1/l/I); one of each class placed first, then shuffled in by
     * the random positions of the rest */
    static const char *const sets[] = {"abcdefghijkmnopqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ",
                                       "23456789", "-_.+=%#"};
    unsigned char r[32];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
        abort();
    for (int i = 0; i < 16; i++) {
        const char *set = sets[i < 4 ? i : (i % 5 == 0 ? 3 : i % 3)];
        out[i] = set[r[i] % strlen(set)];
    }
    for (int i = 15; i > 0; i--) { /* Fisher-Yates with the second half of r */
        int j = r[16 + i] % (i + 1);
        char t = out[i];
        out[i] = out[j];
        out[j] = t;
    }
    out[16] = '\0';
}
