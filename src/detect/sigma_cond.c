/*
 * sigma_cond.c — the Sigma condition parser: turns a rule's `condition` string into the
 * tree of struct sigma_cond that sigma_eval.c walks, resolving every identifier and every
 * `1|any|all of <glob|them>` selector into indexes of the rule's identifier names. The
 * loader (sigma_load.c) calls it once per condition string.
 *
 * Grammar (Sigma v2.1 as pySigma reads it), loosest first:
 *
 *     or_expr  := and_expr ('or' and_expr)*          left-associative
 *     and_expr := not_expr ('and' not_expr)*         left-associative
 *     not_expr := 'not' not_expr | primary
 *     primary  := '(' or_expr ')' | quant 'of' (glob | 'them') | identifier
 *     quant    := '1' | 'any' | 'all'
 *
 * Keywords are lowercase only; a word is [A-Za-z0-9_-]+ ('*' also in a glob). The lexer
 * is a pure function of a byte offset, so the parser needs no token array and can look
 * one token further (for `X of`) by lexing again.
 *
 * Bounds, each refused with ERR_PARSE and "offset N: reason" in err:
 *  - the text: at most COND_MAX_TEXT bytes;
 *  - the parser's nesting (open parentheses plus pending `not`s): at most
 *    SIGMA_MAX_COND_DEPTH, so 100k `(` cost 64 stack frames, not 100k;
 *  - the tree's depth as the author sees it: a `not` is a level, a chain of the same
 *    operator (`a or b or c`) is one level, and each switch between and/or is a level.
 *    At most SIGMA_MAX_COND_DEPTH. (The binary tree a long chain becomes is deeper, but
 *    never more than SIGMA_MAX_COND_NODES: a flat OR of 100 identifiers is fine.)
 *  - the node count: at most SIGMA_MAX_COND_NODES;
 *  - the identifier count: at most SIGMA_MAX_IDENTIFIERS (this bounds the ids arrays).
 * Glob matching only knows `*`, so it is done by segments with memmem: linear in the
 * glob plus the name, whatever the input.
 */
#include "detect/sigma_int.h"

#include <stdarg.h>
#include <strings.h>
#include <stdio.h>
#include <string.h>

#define COND_MAX_TEXT 65536 /* bytes of one condition string */
#define COND_QUOTE_MAX 48   /* bytes of a token quoted in an error message */

enum tok_kind { TOK_END, TOK_LPAREN, TOK_RPAREN, TOK_AND, TOK_OR, TOK_NOT, TOK_OF, TOK_WORD };

struct tok {
    enum tok_kind kind;
    size_t off, len; /* bytes of text */
    bool glob;       /* a TOK_WORD holding '*' */
};

struct parser {
    const char *text;
    size_t len;
    const char *const *names;
    size_t n;
    struct tok cur; /* the next unconsumed token */
    unsigned level; /* open parentheses plus pending nots */
    unsigned nodes; /* nodes created so far */
    char *err;
    size_t errlen;
};

__attribute__((format(printf, 3, 4))) static int fail(struct parser *p, size_t off, const char *fmt,
                                                      ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (p->err && p->errlen)
        snprintf(p->err, p->errlen, "offset %zu: %s", off, msg);
    return ERR_PARSE;
}

static int fail_nomem(struct parser *p)
{
    if (p->err && p->errlen)
        snprintf(p->err, p->errlen, "out of memory parsing the condition");
    return ERR_NOMEM;
}

static bool is_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '*';
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool tok_is(const struct parser *p, const struct tok *t, const char *word)
{
    size_t wl = strlen(word);
    return t->kind == TOK_WORD && t->len == wl && memcmp(p->text + t->off, word, wl) == 0;
}

/* Length to quote of a token in a message, and whether it was cut. */
static int quote_len(const struct tok *t)
{
    return (int)(t->len > COND_QUOTE_MAX ? COND_QUOTE_MAX : t->len);
}

static const char *quote_more(const struct tok *t)
{
    return t->len > COND_QUOTE_MAX ? "..." : "";
}

/* The index of the identifier named like t, or -1. */
static long find_name(const struct parser *p, const struct tok *t)
{
    for (size_t i = 0; i < p->n; i++) {
        const char *nm = p->names[i];
        if (nm && strlen(nm) == t->len && memcmp(nm, p->text + t->off, t->len) == 0)
            return (long)i;
    }
    return -1;
}

/* Lexes the token at or after off into *t. Fails on a byte no token may hold and on
 * the v1 aggregation `count(`. */
static int lex(struct parser *p, size_t off, struct tok *t)
{
    while (off < p->len && is_space((unsigned char)p->text[off]))
        off++;
    memset(t, 0, sizeof *t);
    t->off = off;
    if (off >= p->len) {
        t->kind = TOK_END;
        return 0;
    }
    unsigned char c = (unsigned char)p->text[off];
    if (c == '(' || c == ')') {
        t->kind = c == '(' ? TOK_LPAREN : TOK_RPAREN;
        t->len = 1;
        return 0;
    }
    if (!is_word_byte(c)) {
        if (c == '|')
            return fail(p, off, "aggregation (|) is Sigma v1 syntax: use a correlation rule");
        if (c > 0x20 && c < 0x7f)
            return fail(p, off, "unexpected character '%c' in condition", c);
        return fail(p, off, "unexpected byte 0x%02x in condition", c);
    }
    size_t end = off;
    while (end < p->len && is_word_byte((unsigned char)p->text[end])) {
        if (p->text[end] == '*')
            t->glob = true;
        end++;
    }
    t->len = end - off;
    t->kind = TOK_WORD;
    if (tok_is(p, t, "and"))
        t->kind = TOK_AND;
    else if (tok_is(p, t, "or"))
        t->kind = TOK_OR;
    else if (tok_is(p, t, "not"))
        t->kind = TOK_NOT;
    else if (tok_is(p, t, "of"))
        t->kind = TOK_OF;
    else if (tok_is(p, t, "count")) {
        size_t k = end;
        while (k < p->len && is_space((unsigned char)p->text[k]))
            k++;
        if (k < p->len && p->text[k] == '(')
            return fail(p, off, "count() is Sigma v1 aggregation syntax: use a correlation rule");
    }
    return 0;
}

static int advance(struct parser *p)
{
    return lex(p, p->cur.off + p->cur.len, &p->cur);
}

/* True when word t is a keyword written in another case (`AND`, `Not`). */
static bool wrong_case_keyword(const struct parser *p, const struct tok *t)
{
    static const char *const kw[] = {"and", "or", "not", "of", "any", "all", "them"};
    for (size_t k = 0; k < sizeof kw / sizeof kw[0]; k++)
        if (t->kind == TOK_WORD && t->len == strlen(kw[k]) &&
            strncasecmp(p->text + t->off, kw[k], t->len) == 0)
            return true;
    return false;
}

/* The error for a token that cannot stand where it is; want says what could. */
static int unexpected(struct parser *p, const struct tok *t, const char *want)
{
    if (t->kind == TOK_END)
        return fail(p, t->off, "unexpected end of condition: expected %s", want);
    if (tok_is(p, t, "near") && find_name(p, t) < 0)
        return fail(p, t->off, "'near' is Sigma v1 syntax: use a temporal correlation rule");
    if (wrong_case_keyword(p, t))
        return fail(p, t->off, "unexpected '%.*s': keywords are lowercase", quote_len(t),
                    p->text + t->off);
    return fail(p, t->off, "unexpected '%.*s%s': expected %s", quote_len(t), p->text + t->off,
                quote_more(t), want);
}

static struct sigma_cond *new_node(struct parser *p, enum sigma_cond_kind kind, size_t off, int *rc)
{
    if (p->nodes >= SIGMA_MAX_COND_NODES) {
        *rc = fail(p, off, "condition has more than %d nodes", SIGMA_MAX_COND_NODES);
        return NULL;
    }
    struct sigma_cond *c = mem_calloc(1, sizeof *c);
    if (!c) {
        *rc = fail_nomem(p);
        return NULL;
    }
    p->nodes++;
    c->kind = kind;
    return c;
}

/*
 * True when the whole of name matches glob g (gl bytes) where '*' matches any run,
 * including an empty one. With only '*' as a wildcard, taking each literal segment at
 * its leftmost place is always right, so this is a memmem per segment.
 */
static bool glob_match(const char *g, size_t gl, const char *name)
{
    size_t nl = strlen(name);
    const char *star = memchr(g, '*', gl);
    if (!star)
        return gl == nl && memcmp(g, name, nl) == 0;
    size_t head = (size_t)(star - g);
    if (head > nl || memcmp(g, name, head) != 0)
        return false;
    /* the last segment must end the name */
    const char *last = g + gl;
    while (last > g && last[-1] != '*')
        last--;
    size_t tail = (size_t)(g + gl - last);
    if (tail > nl - head || memcmp(name + nl - tail, last, tail) != 0)
        return false;
    /* middle segments, leftmost each, within name[head, nl - tail) */
    const char *s = name + head, *s_end = name + nl - tail;
    const char *q = star + 1;
    while (q < last) {
        const char *e = memchr(q, '*', (size_t)(last - q));
        size_t sl = (size_t)(e - q);
        if (sl) {
            const char *hit = memmem(s, (size_t)(s_end - s), q, sl);
            if (!hit)
                return false;
            s = hit + sl;
        }
        q = e + 1;
    }
    return true;
}

/* `quant of pattern` with cur at the pattern; the quantifier token is q. */
static int selector(struct parser *p, const struct tok *q, struct sigma_cond **out)
{
    struct tok pat = p->cur;
    if (pat.kind != TOK_WORD)
        return unexpected(p, &pat, "an identifier pattern or 'them' after 'of'");
    bool them = tok_is(p, &pat, "them");
    const char *g = p->text + pat.off;
    bool underscore = !them && g[0] == '_';
    unsigned count = 0;
    for (size_t i = 0; i < p->n; i++) {
        const char *nm = p->names[i];
        if (!nm || (nm[0] == '_' && !underscore))
            continue;
        if (them || glob_match(g, pat.len, nm))
            count++;
    }
    if (!count)
        return fail(p, pat.off, "'%.*s of %.*s%s' matches no identifier", quote_len(q),
                    p->text + q->off, quote_len(&pat), g, quote_more(&pat));
    int rc = 0;
    bool all = tok_is(p, q, "all");
    struct sigma_cond *c = new_node(p, all ? SIGMA_COND_ALL_OF : SIGMA_COND_ONE_OF, q->off, &rc);
    if (!c)
        return rc;
    c->ids = mem_alloc(count * sizeof *c->ids);
    if (!c->ids) {
        mem_free(c);
        return fail_nomem(p);
    }
    for (size_t i = 0; i < p->n; i++) {
        const char *nm = p->names[i];
        if (!nm || (nm[0] == '_' && !underscore))
            continue;
        if (them || glob_match(g, pat.len, nm))
            c->ids[c->nids++] = (unsigned)i;
    }
    if ((rc = advance(p))) {
        sigma_cond_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* A plain identifier reference; cur is the word. */
static int identifier(struct parser *p, struct sigma_cond **out)
{
    struct tok t = p->cur;
    const char *w = p->text + t.off;
    if (t.glob)
        return fail(p, t.off,
                    "wildcard in '%.*s%s': patterns are only allowed after '1 of', "
                    "'any of' or 'all of'",
                    quote_len(&t), w, quote_more(&t));
    long i = find_name(p, &t);
    if (i < 0) {
        if (tok_is(p, &t, "near"))
            return fail(p, t.off, "'near' is Sigma v1 syntax: use a temporal correlation rule");
        if (wrong_case_keyword(p, &t))
            return fail(p, t.off, "unknown identifier '%.*s' (keywords are lowercase)",
                        quote_len(&t), w);
        return fail(p, t.off, "unknown identifier '%.*s%s'", quote_len(&t), w, quote_more(&t));
    }
    int rc = 0;
    struct sigma_cond *c = new_node(p, SIGMA_COND_ID, t.off, &rc);
    if (!c)
        return rc;
    c->ids = mem_alloc(sizeof *c->ids);
    if (!c->ids) {
        mem_free(c);
        return fail_nomem(p);
    }
    c->ids[0] = (unsigned)i;
    c->nids = 1;
    if ((rc = advance(p))) {
        sigma_cond_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

static int or_expr(struct parser *p, struct sigma_cond **out, unsigned *depth);

/* after: what came just before (for "missing operand after 'and'"), NULL at the start. */
static int primary(struct parser *p, const char *after, struct sigma_cond **out, unsigned *depth)
{
    struct tok t = p->cur;
    int rc;
    switch (t.kind) {
    case TOK_END:
        if (after)
            return fail(p, t.off, "missing operand after %s", after);
        return fail(p, t.off, "empty condition");
    case TOK_AND:
    case TOK_OR:
        return fail(p, t.off, "missing operand before '%s'", t.kind == TOK_AND ? "and" : "or");
    case TOK_RPAREN:
        if (after && !strcmp(after, "'('"))
            return fail(p, t.off, "empty parentheses");
        return fail(p, t.off, "missing operand before ')'");
    case TOK_OF:
        return fail(p, t.off, "'of' needs a quantifier before it: 1, any or all");
    case TOK_NOT: /* not_expr handles it; here only through a bug */
        return fail(p, t.off, "unexpected 'not'");
    case TOK_LPAREN: {
        if (p->level >= SIGMA_MAX_COND_DEPTH)
            return fail(p, t.off, "condition nests deeper than %d levels", SIGMA_MAX_COND_DEPTH);
        p->level++;
        struct sigma_cond *c = NULL;
        if ((rc = advance(p)) || (rc = or_expr(p, &c, depth))) {
            p->level--;
            return rc;
        }
        p->level--;
        /* or_expr stopped at a token it cannot take: it must be our ')' */
        if (p->cur.kind != TOK_RPAREN) {
            struct tok bad = p->cur;
            sigma_cond_free(c);
            if (bad.kind == TOK_END)
                return fail(p, bad.off, "unbalanced parentheses: '(' at offset %zu is never closed",
                            t.off);
            return unexpected(p, &bad, "'and', 'or' or ')'");
        }
        if ((rc = advance(p))) {
            sigma_cond_free(c);
            return rc;
        }
        *out = c;
        return 0;
    }
    case TOK_WORD:
        break;
    }
    struct tok next;
    if ((rc = lex(p, t.off + t.len, &next)))
        return rc;
    if (next.kind == TOK_OF) {
        if (!tok_is(p, &t, "1") && !tok_is(p, &t, "any") && !tok_is(p, &t, "all"))
            return fail(p, t.off, "quantifier '%.*s%s' is not supported: use 1, any or all",
                        quote_len(&t), p->text + t.off, quote_more(&t));
        p->cur = next;
        if ((rc = advance(p)))
            return rc;
        *depth = 1;
        return selector(p, &t, out);
    }
    *depth = 1;
    return identifier(p, out);
}

static int not_expr(struct parser *p, const char *after, struct sigma_cond **out, unsigned *depth)
{
    if (p->cur.kind != TOK_NOT)
        return primary(p, after, out, depth);
    size_t off = p->cur.off;
    if (p->level >= SIGMA_MAX_COND_DEPTH)
        return fail(p, off, "condition nests deeper than %d levels", SIGMA_MAX_COND_DEPTH);
    int rc;
    if ((rc = advance(p)))
        return rc;
    struct sigma_cond *inner = NULL;
    unsigned d = 0;
    p->level++;
    rc = not_expr(p, "'not'", &inner, &d);
    p->level--;
    if (rc)
        return rc;
    if (d + 1 > SIGMA_MAX_COND_DEPTH) {
        sigma_cond_free(inner);
        return fail(p, off, "condition nests deeper than %d levels", SIGMA_MAX_COND_DEPTH);
    }
    struct sigma_cond *c = new_node(p, SIGMA_COND_NOT, off, &rc);
    if (!c) {
        sigma_cond_free(inner);
        return rc;
    }
    c->left = inner;
    *out = c;
    *depth = d + 1;
    return 0;
}

/* Joins l and r under kind; the depth counts a same-kind child's chain as one level. */
static int join(struct parser *p, enum sigma_cond_kind kind, size_t off, struct sigma_cond **l,
                unsigned *ld, struct sigma_cond *r, unsigned rd)
{
    unsigned a = (*l)->kind == kind ? *ld - 1 : *ld;
    unsigned b = r->kind == kind ? rd - 1 : rd;
    unsigned d = 1 + (a > b ? a : b);
    int rc = 0;
    if (d > SIGMA_MAX_COND_DEPTH)
        rc = fail(p, off, "condition nests deeper than %d levels", SIGMA_MAX_COND_DEPTH);
    struct sigma_cond *c = rc ? NULL : new_node(p, kind, off, &rc);
    if (!c) {
        sigma_cond_free(r);
        return rc;
    }
    c->left = *l;
    c->right = r;
    *l = c;
    *ld = d;
    return 0;
}

static int and_expr(struct parser *p, const char *after, struct sigma_cond **out, unsigned *depth)
{
    struct sigma_cond *l = NULL;
    unsigned ld = 0;
    int rc = not_expr(p, after, &l, &ld);
    while (!rc && p->cur.kind == TOK_AND) {
        size_t off = p->cur.off;
        struct sigma_cond *r = NULL;
        unsigned rd = 0;
        if ((rc = advance(p)) || (rc = not_expr(p, "'and'", &r, &rd)))
            break;
        rc = join(p, SIGMA_COND_AND, off, &l, &ld, r, rd);
    }
    if (rc) {
        sigma_cond_free(l);
        return rc;
    }
    *out = l;
    *depth = ld;
    return 0;
}

static int or_expr(struct parser *p, struct sigma_cond **out, unsigned *depth)
{
    struct sigma_cond *l = NULL;
    unsigned ld = 0;
    int rc = and_expr(p, p->level ? "'('" : NULL, &l, &ld);
    while (!rc && p->cur.kind == TOK_OR) {
        size_t off = p->cur.off;
        struct sigma_cond *r = NULL;
        unsigned rd = 0;
        if ((rc = advance(p)) || (rc = and_expr(p, "'or'", &r, &rd)))
            break;
        rc = join(p, SIGMA_COND_OR, off, &l, &ld, r, rd);
    }
    if (rc) {
        sigma_cond_free(l);
        return rc;
    }
    *out = l;
    *depth = ld;
    return 0;
}

int sigma_cond_parse(const char *text, const char *const *names, size_t n, struct sigma_cond **out,
                     char *err, size_t errlen)
{
    struct parser p = {.text = text, .names = names, .n = n, .err = err, .errlen = errlen};
    if (err && errlen)
        err[0] = '\0';
    if (!out || !text || (n && !names)) {
        if (err && errlen)
            snprintf(err, errlen, "bad arguments to the condition parser");
        return ERR_INVAL;
    }
    *out = NULL;
    if (n > SIGMA_MAX_IDENTIFIERS)
        return fail(&p, 0, "more than %d search identifiers", SIGMA_MAX_IDENTIFIERS);
    p.len = strnlen(text, COND_MAX_TEXT + 1);
    if (p.len > COND_MAX_TEXT)
        return fail(&p, COND_MAX_TEXT, "condition longer than %d bytes", COND_MAX_TEXT);
    /* v1 aggregations first, so `sel | count() > 5` names the real reason */
    const char *bar = memchr(text, '|', p.len);
    if (bar)
        return fail(&p, (size_t)(bar - text),
                    "aggregation (|) is Sigma v1 syntax: use a correlation rule");
    /* a lexing pass first, so a stray byte is named before any grammar error past it */
    int rc;
    struct tok t = {.kind = TOK_LPAREN};
    for (size_t off = 0; t.kind != TOK_END; off = t.off + t.len)
        if ((rc = lex(&p, off, &t)))
            return rc;
    if ((rc = lex(&p, 0, &p.cur)))
        return rc;
    struct sigma_cond *c = NULL;
    unsigned depth = 0;
    if ((rc = or_expr(&p, &c, &depth)))
        return rc;
    if (p.cur.kind != TOK_END) {
        t = p.cur;
        sigma_cond_free(c);
        if (t.kind == TOK_RPAREN)
            return fail(&p, t.off, "unbalanced parentheses: ')' without a matching '('");
        return unexpected(&p, &t,
                          "the end of the condition (trailing input: 'and' or 'or' "
                          "missing?)");
    }
    *out = c;
    return 0;
}

void sigma_cond_free(struct sigma_cond *c)
{
    /* Recursion is bounded: a parsed tree has at most SIGMA_MAX_COND_NODES nodes and the
     * loader adds one OR per extra condition string. Descend the left spine (where long
     * and/or chains grow) by iteration. */
    while (c) {
        struct sigma_cond *left = c->left;
        sigma_cond_free(c->right);
        mem_free(c->ids);
        mem_free(c);
        c = left;
    }
}
