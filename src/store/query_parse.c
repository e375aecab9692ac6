/*
 * query_parse.c — the search language parser: turns what an analyst types in the
 * console or after `vigil search` into the query tree of store.h, which each store
 * backend compiles to its own parameterised SQL. Values never reach SQL as text.
 *
 * Grammar (precedence NOT > AND > OR; juxtaposition is AND):
 *   query   := or? EOF                      (empty or "*" = everything)
 *   or      := and ("OR" and)*
 *   and     := not (["AND"] not)*
 *   not     := "NOT" not | primary
 *   primary := "(" or ")" | term
 *   term    := [field ":"] value
 *   value   := '"' chars '"' | word | "[" num "TO" num "]" | ">" num | ">=" num | "<" ...
 * A range may use "{" "}" for exclusive bounds and "*" for an open one. In a word a
 * backslash escapes any character; an unescaped * or ? makes the term a wildcard.
 *
 * The input is untrusted: the parser reads by length, caps the text, the node count
 * and the nesting depth, and every error names the byte offset where it was found.
 */
#include "store/store.h"
#include "store/store_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QP_MAX_NODES 256
#define QP_MAX_DEPTH 64
#define QP_MAX_TEXT (16 * 1024)
#define QP_MAX_FIELD 128

struct qp {
    const char *s;
    size_t len;
    size_t pos;
    unsigned nodes;
    unsigned depth;
    char *err;
    size_t errlen;
    int rc;
};

static int qp_fail(struct qp *p, size_t at, const char *why)
{
    if (p->rc == 0) {
        if (p->err && p->errlen)
            snprintf(p->err, p->errlen, "offset %zu: %s", at, why);
        p->rc = ERR_PARSE;
    }
    return p->rc;
}

static bool qp_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void qp_skip(struct qp *p)
{
    while (p->pos < p->len && qp_space(p->s[p->pos]))
        p->pos++;
}

/* A word ends at white space, a parenthesis, a quote or the end (escapes included). */
static bool qp_word_end(char c)
{
    return qp_space(c) || c == '(' || c == ')' || c == '"';
}

/* True when the keyword kw stands at the current position as a whole word. */
static bool qp_keyword(struct qp *p, const char *kw)
{
    size_t n = strlen(kw);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, kw, n) != 0)
        return false;
    return p->pos + n == p->len || qp_word_end(p->s[p->pos + n]);
}

static struct query_node *qp_node(struct qp *p, enum query_kind kind)
{
    if (p->nodes >= QP_MAX_NODES) {
        qp_fail(p, p->pos, "query too complex (more than 256 terms and operators)");
        return NULL;
    }
    struct query_node *n = mem_calloc(1, sizeof *n);
    if (!n) {
        if (p->rc == 0)
            p->rc = ERR_NOMEM;
        return NULL;
    }
    p->nodes++;
    n->kind = kind;
    return n;
}

static struct query_node *qp_or(struct qp *p);

/*
 * Parses a number for a range bound: the text s[0..n) must be a finite decimal
 * number (strtod on a bounded NUL-terminated copy).
 */
static int qp_number(struct qp *p, size_t at, const char *s, size_t n, double *out)
{
    char tmp[64];
    if (n == 0 || n >= sizeof tmp)
        return qp_fail(p, at, "expected a number");
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    for (size_t i = 0; i < n; i++) {
        char c = tmp[i];
        if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'))
            return qp_fail(p, at, "expected a number");
    }
    char *end = NULL;
    double v = strtod(tmp, &end);
    if (end != tmp + n || !isfinite(v))
        return qp_fail(p, at, "expected a number");
    *out = v;
    return 0;
}

/* Reads a bare token for a range bound (up to space, ']', '}' or ')'). */
static void qp_bound_token(struct qp *p, size_t *start, size_t *n)
{
    qp_skip(p);
    *start = p->pos;
    while (p->pos < p->len) {
        char c = p->s[p->pos];
        if (qp_space(c) || c == ']' || c == '}' || c == ')' || c == '(')
            break;
        p->pos++;
    }
    *n = p->pos - *start;
}

/* field:[lo TO hi], {lo TO hi}, mixed brackets, "*" for an open end. */
static int qp_range_brackets(struct qp *p, struct query_node *n)
{
    size_t open_at = p->pos;
    n->lo_incl = p->s[p->pos] == '[';
    p->pos++;
    size_t a, an;
    qp_bound_token(p, &a, &an);
    if (an == 1 && p->s[a] == '*')
        n->lo = -INFINITY;
    else if (qp_number(p, a, p->s + a, an, &n->lo))
        return p->rc;
    qp_skip(p);
    if (!qp_keyword(p, "TO"))
        return qp_fail(p, p->pos, "expected TO in range");
    p->pos += 2;
    size_t b, bn;
    qp_bound_token(p, &b, &bn);
    if (bn == 1 && p->s[b] == '*')
        n->hi = INFINITY;
    else if (qp_number(p, b, p->s + b, bn, &n->hi))
        return p->rc;
    qp_skip(p);
    if (p->pos >= p->len || (p->s[p->pos] != ']' && p->s[p->pos] != '}'))
        return qp_fail(p, open_at, "range not closed with ] or }");
    n->hi_incl = p->s[p->pos] == ']';
    p->pos++;
    if (n->lo > n->hi)
        return qp_fail(p, open_at, "range lower bound above upper bound");
    return 0;
}

/* field:>n, >=n, <n, <=n. */
static int qp_range_compare(struct qp *p, struct query_node *n)
{
    size_t at = p->pos;
    char op = p->s[p->pos++];
    bool eq = false;
    if (p->pos < p->len && p->s[p->pos] == '=') {
        eq = true;
        p->pos++;
    }
    size_t a = p->pos;
    while (p->pos < p->len && !qp_word_end(p->s[p->pos]))
        p->pos++;
    double v;
    if (qp_number(p, a, p->s + a, p->pos - a, &v))
        return p->rc;
    (void)at;
    if (op == '>') {
        n->lo = v;
        n->lo_incl = eq;
        n->hi = INFINITY;
    } else {
        n->hi = v;
        n->hi_incl = eq;
        n->lo = -INFINITY;
    }
    return 0;
}

/*
 * Reads a quoted phrase starting at the opening quote into a heap string; \" and \\
 * are the escapes (a backslash before anything else is kept as is).
 */
static char *qp_phrase(struct qp *p)
{
    size_t open_at = p->pos++;
    struct buf b;
    buf_init(&b, QP_MAX_TEXT);
    for (;;) {
        if (p->pos >= p->len) {
            buf_fini(&b);
            qp_fail(p, open_at, "unterminated quote");
            return NULL;
        }
        char c = p->s[p->pos++];
        if (c == '"')
            break;
        if (c == '\\' && p->pos < p->len && (p->s[p->pos] == '"' || p->s[p->pos] == '\\'))
            c = p->s[p->pos++];
        buf_putc(&b, c);
    }
    char *out = b.err ? NULL : mem_strndup(b.p ? b.p : "", b.len);
    buf_fini(&b);
    if (!out && p->rc == 0)
        p->rc = ERR_NOMEM;
    return out;
}

/*
 * Reads a bare word value. Escapes are resolved, except that when the word holds an
 * unescaped * or ? the result is a pattern in which \*, \? and \\ stay escaped.
 */
static char *qp_word(struct qp *p, bool *wildcard)
{
    size_t start = p->pos;
    bool wild = false;
    while (p->pos < p->len && !qp_word_end(p->s[p->pos])) {
        char c = p->s[p->pos];
        if (c == '\\') {
            if (p->pos + 1 >= p->len) {
                qp_fail(p, p->pos, "backslash at end of query");
                return NULL;
            }
            p->pos += 2;
            continue;
        }
        if (c == '*' || c == '?')
            wild = true;
        p->pos++;
    }
    struct buf b;
    buf_init(&b, QP_MAX_TEXT);
    for (size_t i = start; i < p->pos; i++) {
        char c = p->s[i];
        if (c == '\\') {
            char e = p->s[++i];
            if (wild && (e == '*' || e == '?' || e == '\\'))
                buf_putc(&b, '\\');
            buf_putc(&b, e);
        } else {
            buf_putc(&b, c);
        }
    }
    char *out = b.err ? NULL : mem_strndup(b.p ? b.p : "", b.len);
    buf_fini(&b);
    if (!out && p->rc == 0)
        p->rc = ERR_NOMEM;
    *wildcard = wild;
    return out;
}

/* Length of a field name at the current position when it is followed by ':', else 0. */
static size_t qp_field_len(struct qp *p)
{
    size_t i = p->pos;
    while (i < p->len) {
        char c = p->s[i];
        if (c == ':')
            return i - p->pos;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '.' || c == '/' || c == '@';
        if (!ok)
            return 0;
        i++;
    }
    return 0;
}

static struct query_node *qp_term(struct qp *p)
{
    size_t at = p->pos;
    char *field = NULL;
    size_t flen = qp_field_len(p);
    if (flen) {
        if (flen > QP_MAX_FIELD) {
            qp_fail(p, at, "field name too long");
            return NULL;
        }
        field = mem_strndup(p->s + p->pos, flen);
        if (!field) {
            p->rc = ERR_NOMEM;
            return NULL;
        }
        p->pos += flen + 1;
        if (p->pos >= p->len || qp_space(p->s[p->pos]) || p->s[p->pos] == ')') {
            mem_free(field);
            qp_fail(p, p->pos, "expected a value after ':'");
            return NULL;
        }
    }
    char c = p->pos < p->len ? p->s[p->pos] : '\0';
    struct query_node *n = NULL;
    if (field && (c == '[' || c == '{' || c == '>' || c == '<')) {
        n = qp_node(p, QUERY_RANGE);
        if (!n)
            goto fail;
        n->field = field;
        field = NULL;
        int rc = (c == '[' || c == '{') ? qp_range_brackets(p, n) : qp_range_compare(p, n);
        if (rc)
            goto fail;
        return n;
    }
    if (c == '(' || c == ')') {
        qp_fail(p, p->pos, field ? "expected a value after ':'" : "unexpected parenthesis");
        goto fail;
    }
    n = qp_node(p, QUERY_TERM);
    if (!n)
        goto fail;
    n->field = field;
    field = NULL;
    if (c == '"') {
        n->value = qp_phrase(p);
        n->phrase = true;
    } else {
        n->value = qp_word(p, &n->wildcard);
    }
    if (!n->value)
        goto fail;
    if (!n->field && n->wildcard && strcmp(n->value, "*") == 0) {
        /* a lone "*" asks for everything */
        mem_free(n->value);
        n->value = NULL;
        n->wildcard = false;
        n->kind = QUERY_ALL;
    } else if (!n->field && n->value[0] == '\0') {
        qp_fail(p, at, "empty phrase");
        goto fail;
    }
    return n;
fail:
    mem_free(field);
    store_query_free(n);
    return NULL;
}

static struct query_node *qp_binary(struct qp *p, enum query_kind kind, struct query_node *l,
                                    struct query_node *r)
{
    struct query_node *n = qp_node(p, kind);
    if (!n) {
        store_query_free(l);
        store_query_free(r);
        return NULL;
    }
    n->left = l;
    n->right = r;
    return n;
}

static struct query_node *qp_not(struct qp *p)
{
    qp_skip(p);
    if (p->pos >= p->len) {
        qp_fail(p, p->pos, "expected a term");
        return NULL;
    }
    if (++p->depth > QP_MAX_DEPTH) {
        qp_fail(p, p->pos, "query nested too deeply");
        return NULL;
    }
    struct query_node *n = NULL;
    if (qp_keyword(p, "NOT")) {
        p->pos += 3;
        struct query_node *inner = qp_not(p);
        if (inner) {
            n = qp_node(p, QUERY_NOT);
            if (n)
                n->left = inner;
            else
                store_query_free(inner);
        }
    } else if (p->s[p->pos] == '(') {
        size_t open_at = p->pos++;
        n = qp_or(p);
        if (n) {
            qp_skip(p);
            if (p->pos >= p->len || p->s[p->pos] != ')') {
                qp_fail(p, open_at, "unbalanced parenthesis");
                store_query_free(n);
                n = NULL;
            } else {
                p->pos++;
            }
        }
    } else if (qp_keyword(p, "AND") || qp_keyword(p, "OR")) {
        qp_fail(p, p->pos, "operator without a left-hand term");
    } else if (p->s[p->pos] == ')') {
        qp_fail(p, p->pos, "unbalanced parenthesis");
    } else {
        n = qp_term(p);
    }
    p->depth--;
    return n;
}

/* True when the next token can start an operand (for implicit AND). */
static bool qp_operand_next(struct qp *p)
{
    qp_skip(p);
    if (p->pos >= p->len || p->s[p->pos] == ')')
        return false;
    return !qp_keyword(p, "OR");
}

static struct query_node *qp_and(struct qp *p)
{
    struct query_node *l = qp_not(p);
    while (l && qp_operand_next(p)) {
        if (qp_keyword(p, "AND")) {
            p->pos += 3;
        }
        struct query_node *r = qp_not(p);
        if (!r) {
            store_query_free(l);
            return NULL;
        }
        l = qp_binary(p, QUERY_AND, l, r);
    }
    return l;
}

static struct query_node *qp_or(struct qp *p)
{
    if (++p->depth > QP_MAX_DEPTH) {
        qp_fail(p, p->pos, "query nested too deeply");
        return NULL;
    }
    struct query_node *l = qp_and(p);
    for (;;) {
        if (!l)
            break;
        qp_skip(p);
        if (!qp_keyword(p, "OR"))
            break;
        p->pos += 2;
        struct query_node *r = qp_and(p);
        if (!r) {
            store_query_free(l);
            l = NULL;
            break;
        }
        l = qp_binary(p, QUERY_OR, l, r);
    }
    p->depth--;
    return l;
}

/*
 * Parses `text` (NUL-terminated, at most 16 KiB) into a tree owned by the caller
 * (free with store_query_free). Returns 0, ERR_PARSE with "offset N: reason" in err,
 * ERR_TOOBIG or ERR_NOMEM.
 */
int store_query_parse(const char *text, struct query_node **out, char *err, size_t errlen)
{
    *out = NULL;
    if (err && errlen)
        err[0] = '\0';
    if (!text)
        return ERR_INVAL;
    struct qp p = {.s = text, .len = strlen(text), .err = err, .errlen = errlen};
    if (p.len > QP_MAX_TEXT) {
        if (err && errlen)
            snprintf(err, errlen, "offset %d: query longer than %d bytes", QP_MAX_TEXT,
                     QP_MAX_TEXT);
        return ERR_TOOBIG;
    }
    qp_skip(&p);
    if (p.pos == p.len) {
        struct query_node *all = qp_node(&p, QUERY_ALL);
        if (!all)
            return ERR_NOMEM;
        *out = all;
        return 0;
    }
    struct query_node *root = qp_or(&p);
    if (root) {
        qp_skip(&p);
        if (p.pos < p.len) {
            qp_fail(&p, p.pos, p.s[p.pos] == ')' ? "unbalanced parenthesis" : "unexpected text");
            store_query_free(root);
            root = NULL;
        }
    }
    if (!root)
        return p.rc ? p.rc : ERR_PARSE;
    *out = root;
    return 0;
}

/* Frees a tree from store_query_parse (NULL does nothing). */
void store_query_free(struct query_node *q)
{
    if (!q)
        return;
    store_query_free(q->left);
    store_query_free(q->right);
    mem_free(q->field);
    mem_free(q->value);
    mem_free(q);
}
