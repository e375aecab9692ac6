/*
 * auth_mask.c — personal data masked on the server for roles without "view personal
 * data": Chinese resident ID numbers (18 characters, the ISO 7064 MOD 11-2 check digit
 * valid, a plausible birth date), mainland mobile numbers (11 digits, 1[3-9]…, with or
 * without +86 / 86), bank card numbers (13 to 19 digits, Luhn valid) and e-mail addresses
 * (the local part). Digits or letters are replaced by '*' in place, so lengths and the
 * JSON around them are unchanged; what stays visible is what analysts need to tell
 * values apart (ID: region and last digit; mobile: first 3 and last 4; card: first 6 and
 * last 4; e-mail: first letter and the domain). A number inside a longer run of digits
 * or letters is not one of these, and is left alone. The operator adds patterns of its
 * own (`web: {mask_patterns: [...]}`, PCRE2, matched with limits): each match is masked.
 */
#include "auth/auth_int.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <pcre2.h>
#include <stdio.h>
#include <string.h>

static bool is_word(unsigned char c)
{
    return isalnum(c) || c == '_';
}

/* True when p[i-1] ends a word: a letter of an escape ("\n", "\t") does not count. */
static bool after_word(const char *p, size_t i)
{
    return i > 0 && is_word((unsigned char)p[i - 1]) && !(i > 1 && p[i - 2] == '\\');
}

static bool id_checksum(const char *p)
{
    static const int weight[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char check[11] = "10X98765432";
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (!isdigit((unsigned char)p[i]))
            return false;
        sum += (p[i] - '0') * weight[i];
    }
    char last = (char)toupper((unsigned char)p[17]);
    if (last != check[sum % 11])
        return false;
    int year = (p[6] - '0') * 1000 + (p[7] - '0') * 100 + (p[8] - '0') * 10 + (p[9] - '0');
    int month = (p[10] - '0') * 10 + (p[11] - '0'), day = (p[12] - '0') * 10 + (p[13] - '0');
    return year >= 1900 && year <= 2100 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

static bool luhn(const char *p, size_t n)
{
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int d = p[n - 1 - i] - '0';
        if (i % 2) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    return sum % 10 == 0;
}

static void star(char *p, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (isalnum((unsigned char)p[i]))
            p[i] = '*';
}

/* Masks the run of digits p[0..n) (ID numbers may end in X) when it is personal data;
 * true when it was. */
static bool mask_number(char *p, size_t n)
{
    if (n == 18 && id_checksum(p)) {
        star(p, 6, 17); /* region code and the check digit stay */
        return true;
    }
    if (n == 11 && p[0] == '1' && p[1] >= '3' && p[1] <= '9') {
        star(p, 3, 7);
        return true;
    }
    if (n == 13 && !strncmp(p, "86", 2) && p[2] == '1' && p[3] >= '3' && p[3] <= '9') {
        star(p, 5, 9);
        return true;
    }
    if (n >= 13 && n <= 19 && luhn(p, n)) {
        star(p, 6, n - 4);
        return true;
    }
    return false;
}

static bool email_local(unsigned char c)
{
    return isalnum(c) || strchr("._%+-", c);
}

static bool email_domain(unsigned char c)
{
    return isalnum(c) || c == '.' || c == '-';
}

/* Masks e-mail addresses around each '@' of p[0..n); returns how many. */
static size_t mask_emails(char *p, size_t n)
{
    size_t count = 0;
    for (size_t at = 1; at + 3 < n; at++) {
        if (p[at] != '@')
            continue;
        size_t b = at;
        while (b > 0 && email_local((unsigned char)p[b - 1]))
            b--;
        size_t e = at + 1, dots = 0;
        while (e < n && email_domain((unsigned char)p[e]))
            dots += p[e++] == '.';
        if (b == at || !dots || e - at < 4 || p[e - 1] == '.')
            continue;
        star(p, b + 1, at); /* the first character and the domain stay */
        count++;
    }
    return count;
}

/* See auth.h. */
size_t auth_mask_personal(char *p, size_t n)
{
    size_t count = mask_emails(p, n);
    size_t i = 0;
    while (i < n) {
        if (!isdigit((unsigned char)p[i]) || after_word(p, i)) {
            i++;
            continue;
        }
        size_t e = i;
        while (e < n && isdigit((unsigned char)p[e]))
            e++;
        if (e - i == 17 && e < n && (p[e] == 'X' || p[e] == 'x'))
            e++;
        /* a "+86 138…" keeps its prefix outside the run: the 11 digits are masked */
        if ((e >= n || !is_word((unsigned char)p[e])) && mask_number(p + i, e - i))
            count++;
        i = e;
    }
    return count;
}

/* See auth_int.h. */
int auth_mask_open(struct auth *a, char *err, size_t errlen)
{
    size_t n = a->cfg.nmask_patterns;
    if (!n)
        return 0;
    if (!(a->masks = mem_calloc(n, sizeof *a->masks)))
        return ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        int code;
        PCRE2_SIZE off;
        pcre2_code *re = pcre2_compile((PCRE2_SPTR)a->cfg.mask_patterns[i], PCRE2_ZERO_TERMINATED,
                                       PCRE2_UTF | PCRE2_NO_UTF_CHECK, &code, &off, NULL);
        if (!re) {
            PCRE2_UCHAR msg[160];
            pcre2_get_error_message(code, msg, sizeof msg);
            snprintf(err, errlen, "web.mask_patterns[%zu] at %zu: %s", i, (size_t)off,
                     (const char *)msg);
            return ERR_INVAL;
        }
        (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
        a->masks[a->nmasks++] = re;
    }
    return 0;
}

/* See auth_int.h. */
void auth_mask_close(struct auth *a)
{
    for (size_t i = 0; i < a->nmasks; i++)
        pcre2_code_free(a->masks[i]);
    mem_free(a->masks);
    a->masks = NULL;
    a->nmasks = 0;
}

/* See auth.h. */
size_t auth_mask(const struct auth *a, char *p, size_t n)
{
    size_t count = auth_mask_personal(p, n);
    for (size_t i = 0; a && i < a->nmasks; i++) {
        pcre2_code *re = a->masks[i];
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
        pcre2_match_context *mc = pcre2_match_context_create(NULL);
        if (!md || !mc) {
            pcre2_match_data_free(md);
            pcre2_match_context_free(mc);
            continue;
        }
        pcre2_set_match_limit(mc, 100000);
        size_t at = 0;
        while (at < n && pcre2_match(re, (PCRE2_SPTR)p, n, at, PCRE2_NO_UTF_CHECK, md, mc) > 0) {
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            if (ov[1] <= ov[0]) {
                at = ov[0] + 1;
                continue;
            }
            star(p, ov[0], ov[1]);
            count++;
            at = ov[1];
        }
        pcre2_match_data_free(md);
        pcre2_match_context_free(mc);
    }
    return count;
}
