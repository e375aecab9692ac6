/*
 * auth_weak.c — is a password one of the common weak ones (auth_weak_list.h)? Checked
 * as typed (lower case), then as the word inside it: letters substituted back (@ a, 0 o,
 * 1 i, 3 e, $ s, 5 s, 7 t) and the digits and symbols around the word stripped, so
 * "P@ssw0rd2024!" and "Zhang@1990" count as weak. A word needs at least four letters to
 * count this way ("li" + a year is not refused for "li"). Also refused: one character
 * repeated (also as the word: "aaaaaaaA1"), and runs along the digit row or a keyboard
 * row.
 */
#include "auth/auth.h"
#include "auth/auth_weak_list.h"

#include <ctype.h>
#include <string.h>

static bool listed(const char *w)
{
    for (size_t i = 0; i < sizeof weak_english / sizeof weak_english[0]; i++)
        if (!strcmp(w, weak_english[i]))
            return true;
    for (size_t i = 0; i < sizeof weak_chinese / sizeof weak_chinese[0]; i++)
        if (!strcmp(w, weak_chinese[i]))
            return true;
    return false;
}

static char unleet(char c)
{
    switch (c) {
    case '@':
    case '4':
        return 'a';
    case '0':
        return 'o';
    case '1':
    case '!':
        return 'i';
    case '3':
        return 'e';
    case '$':
    case '5':
        return 's';
    case '7':
        return 't';
    default:
        return c;
    }
}

/* True when s is a run of at least 6 along one of the rows (either direction). */
static bool keyboard_run(const char *s, size_t n)
{
    static const char *const rows[] = {"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm",
                                       "abcdefghijklmnopqrstuvwxyz"};
    if (n < 6)
        return false;
    char rev[AUTH_PASSWORD_MAX + 1];
    for (size_t i = 0; i < n; i++)
        rev[i] = s[n - 1 - i];
    rev[n] = '\0';
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++)
        if (strstr(rows[r], s) || strstr(rows[r], rev))
            return true;
    return false;
}

/* See auth.h. */
bool auth_password_weak(const char *pw)
{
    size_t n = strlen(pw);
    if (n == 0 || n > AUTH_PASSWORD_MAX)
        return n == 0;
    char low[AUTH_PASSWORD_MAX + 1];
    bool same = true;
    for (size_t i = 0; i < n; i++) {
        low[i] = (char)tolower((unsigned char)pw[i]);
        same = same && pw[i] == pw[0];
    }
    low[n] = '\0';
    if (same || listed(low) || keyboard_run(low, n))
        return true;
    /* the word inside: trim what is not a letter at both ends, then undo substitutions */
    size_t b = 0, e = n;
    while (b < e && !isalpha((unsigned char)low[b]))
        b++;
    while (e > b && !isalpha((unsigned char)low[e - 1]))
        e--;
    char word[AUTH_PASSWORD_MAX + 1];
    size_t letters = 0;
    for (size_t i = b; i < e; i++) {
        word[i - b] = unleet(low[i]);
        letters += isalpha((unsigned char)word[i - b]) != 0;
    }
    word[e - b] = '\0';
    bool one_letter = letters >= 4;
    for (size_t i = 1; one_letter && i < e - b; i++)
        one_letter = word[i] == word[0];
    if (letters >= 4 && (one_letter || listed(word) || keyboard_run(word, e - b)))
        return true;
    /* a listed digit pattern with letters around it ("qq5201314", "a123456") */
    size_t db = 0, de = n;
    while (db < de && !isdigit((unsigned char)low[db]))
        db++;
    while (de > db && !isdigit((unsigned char)low[de - 1]))
        de--;
    if (de - db >= 6) {
        char digits[AUTH_PASSWORD_MAX + 1];
        memcpy(digits, low + db, de - db);
        digits[de - db] = '\0';
        if (strspn(digits, "0123456789") == de - db && (listed(digits) || keyboard_run(digits, de - db)))
            return true;
    }
    return false;
}
