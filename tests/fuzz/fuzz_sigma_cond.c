/*
 * fuzz_sigma_cond.c — libFuzzer target for the Sigma condition parser (sigma_cond.c).
 * The input's first line is the condition, each following line an identifier name.
 * sigma_cond_parse must never crash; a refusal must come with a message (ERR_PARSE:
 * "offset N: ...") and no tree; an accepted tree must be well formed, reference only
 * valid identifier indexes, and stay within SIGMA_MAX_COND_NODES and
 * SIGMA_MAX_COND_DEPTH. When the names are plain, distinct identifiers, the tree is
 * also printed back as a fully parenthesised condition (selectors expanded into
 * and/or chains), parsed again and both trees evaluated on a few truth assignments:
 * they must agree.
 */
#include "core/core.h"
#include "detect/sigma_int.h"

#include <stdlib.h>
#include <string.h>

#define MAX_INPUT 200000

/* Checks the shape of c; returns its node count, or aborts. *depth gets the depth as
 * sigma_cond.c counts it (a chain of one operator is one level). */
static unsigned check(const struct sigma_cond *c, size_t n, unsigned *depth, unsigned guard)
{
    if (!c || guard > SIGMA_MAX_COND_NODES + 1)
        abort();
    unsigned ld = 0, rd = 0, nodes = 1;
    switch (c->kind) {
    case SIGMA_COND_ID:
        if (c->nids != 1 || !c->ids || c->ids[0] >= n || c->left || c->right)
            abort();
        *depth = 1;
        return 1;
    case SIGMA_COND_ONE_OF:
    case SIGMA_COND_ALL_OF:
        if (c->nids < 1 || !c->ids || c->nids > n || c->left || c->right)
            abort();
        for (unsigned i = 0; i < c->nids; i++)
            if (c->ids[i] >= n || (i && c->ids[i] <= c->ids[i - 1]))
                abort(); /* valid, in the order of names, no repeats */
        *depth = 1;
        return 1;
    case SIGMA_COND_NOT:
        if (c->right || c->ids || c->nids)
            abort();
        nodes += check(c->left, n, &ld, guard + 1);
        *depth = ld + 1;
        return nodes;
    case SIGMA_COND_AND:
    case SIGMA_COND_OR:
        if (c->ids || c->nids)
            abort();
        nodes += check(c->left, n, &ld, guard + 1);
        nodes += check(c->right, n, &rd, guard + 1);
        if (c->left->kind == c->kind)
            ld--;
        if (c->right->kind == c->kind)
            rd--;
        *depth = 1 + (ld > rd ? ld : rd);
        return nodes;
    }
    abort();
}

static bool eval(const struct sigma_cond *c, const bool *v)
{
    switch (c->kind) {
    case SIGMA_COND_ID:
        return v[c->ids[0]];
    case SIGMA_COND_AND:
        return eval(c->left, v) && eval(c->right, v);
    case SIGMA_COND_OR:
        return eval(c->left, v) || eval(c->right, v);
    case SIGMA_COND_NOT:
        return !eval(c->left, v);
    case SIGMA_COND_ONE_OF:
    case SIGMA_COND_ALL_OF: {
        bool all = c->kind == SIGMA_COND_ALL_OF;
        for (unsigned i = 0; i < c->nids; i++)
            if (v[c->ids[i]] != all)
                return !all;
        return all;
    }
    }
    abort();
}

/* Prints c as a fully parenthesised condition without selectors. */
static void print(const struct sigma_cond *c, const char *const *names, struct buf *b)
{
    switch (c->kind) {
    case SIGMA_COND_ID:
        buf_puts(b, names[c->ids[0]]);
        return;
    case SIGMA_COND_AND:
    case SIGMA_COND_OR:
        buf_putc(b, '(');
        print(c->left, names, b);
        buf_puts(b, c->kind == SIGMA_COND_AND ? " and " : " or ");
        print(c->right, names, b);
        buf_putc(b, ')');
        return;
    case SIGMA_COND_NOT:
        buf_puts(b, "not ");
        print(c->left, names, b);
        return;
    case SIGMA_COND_ONE_OF:
    case SIGMA_COND_ALL_OF:
        buf_putc(b, '(');
        for (unsigned i = 0; i < c->nids; i++) {
            if (i)
                buf_puts(b, c->kind == SIGMA_COND_ALL_OF ? " and " : " or ");
            buf_puts(b, names[c->ids[i]]);
        }
        buf_putc(b, ')');
        return;
    }
}

/* True when every name is a plain identifier, no keyword, and all are distinct. */
static bool plain_names(const char *const *names, size_t n)
{
    static const char *const kw[] = {"and", "or", "not", "of", "count", "near"};
    for (size_t i = 0; i < n; i++) {
        if (!names[i][0] || strspn(names[i], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW"
                                             "XYZ0123456789_-") != strlen(names[i]))
            return false;
        for (size_t k = 0; k < sizeof kw / sizeof kw[0]; k++)
            if (!strcmp(names[i], kw[k]))
                return false;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(names[i], names[j]))
                return false;
    }
    return true;
}

static void roundtrip(const struct sigma_cond *c, const char *const *names, size_t n, uint64_t seed)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    print(c, names, &b);
    const char *text = buf_cstr(&b);
    struct sigma_cond *again = NULL;
    char err[256];
    int rc = text ? sigma_cond_parse(text, names, n, &again, err, sizeof err) : ERR_NOMEM;
    if (rc == 0) {
        bool v[SIGMA_MAX_IDENTIFIERS];
        for (int round = 0; round < 8; round++) {
            for (size_t i = 0; i < n; i++) {
                seed = seed * 6364136223846793005ull + 1442695040888963407ull;
                v[i] = (seed >> 33) & 1;
            }
            if (eval(c, v) != eval(again, v))
                abort();
        }
        sigma_cond_free(again);
    } else if (rc == ERR_PARSE) {
        /* expanding selectors may pass a bound; nothing else may fail */
        if (!strstr(err, "nodes") && !strstr(err, "deeper") && !strstr(err, "longer"))
            abort();
    } else if (rc != ERR_NOMEM) {
        abort();
    }
    buf_fini(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    char *text = malloc(size + 1);
    const char **names = malloc((size + 1) * sizeof *names);
    if (!text || !names) {
        free(text);
        free(names);
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    /* lines: the condition, then names (a trailing newline ends the last name) */
    size_t n = 0;
    char *nl = memchr(text, '\n', size);
    if (nl) {
        *nl = '\0';
        char *p = nl + 1, *end = text + size;
        while (p < end) {
            char *e = memchr(p, '\n', (size_t)(end - p));
            if (!e)
                e = end;
            *e = '\0';
            names[n++] = p;
            p = e + 1;
        }
    }
    struct sigma_cond *c = (struct sigma_cond *)&n; /* must be set to NULL on failure */
    char err[256];
    memset(err, 'x', sizeof err);
    int rc = sigma_cond_parse(text, names, n, &c, err, sizeof err);
    if (!memchr(err, '\0', sizeof err))
        abort();
    if (rc == 0) {
        unsigned depth = 0;
        if (!c || check(c, n, &depth, 0) > SIGMA_MAX_COND_NODES || depth > SIGMA_MAX_COND_DEPTH)
            abort();
        if (strchr(text, '|'))
            abort();
        uint64_t seed = size;
        for (size_t i = 0; i < size && i < 64; i++)
            seed = seed * 131 + data[i];
        if (n <= SIGMA_MAX_IDENTIFIERS && plain_names(names, n))
            roundtrip(c, names, n, seed);
        sigma_cond_free(c);
    } else {
        if (c || !err[0])
            abort();
        if (rc == ERR_PARSE && strncmp(err, "offset ", 7) != 0)
            abort();
        if (rc != ERR_PARSE && rc != ERR_NOMEM)
            abort();
    }
    free(names);
    free(text);
    return 0;
}
