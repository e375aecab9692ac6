/*
 * an_sqli.c — SQL injection judged by structure, not by keywords. The value is lexed
 * (sql_lex.c) in each context it may have been pasted into: as is (a number or a name
 * in the query), after a single quote, after a double quote. In a quoted context the
 * value's first token is the rest of the application's string; an injection closes it
 * and goes on in SQL. The token sequence is then judged by what an injection must do to
 * change a query:
 *   - add a condition: a logical operator followed by a comparison, a literal, a known
 *     function or a subquery (' OR 1=1, 1 AND ASCII(SUBSTRING(...))>64, ' OR 'a'='a);
 *   - join another query: UNION [ALL] SELECT, or a stacked statement after ';';
 *   - delay the answer: SLEEP/BENCHMARK/PG_SLEEP/WAITFOR DELAY in an expression;
 *   - reach files and system objects: LOAD_FILE, INTO OUTFILE, xp_cmdshell,
 *     information_schema in a query;
 *   - probe the shape: ORDER BY n, a string closed then a comment (admin'--) or an
 *     operator ('='), a whole statement with SQL punctuation.
 * Prose survives because it lacks that structure: O'Brien closes a string but goes on
 * with a word; "select a colour from the list" has no punctuation a statement needs;
 * "Tom and Jerry" has a logical word but no condition after it.
 *
 * Cost: one pass over the value's byte classes says which contexts and side checks can
 * apply (judge_classes), so most values are lexed once, as they are.
 */
#include "analyze/analyze_int.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#define MAX_TOKENS 512
#define KEEP_TOKENS 16      /* carried over when a long value fills the array */
#define T_CMT_AFTER 0x8000u /* a comment follows this token */

struct judge {
    const char *s;
    const struct sql_token *t;
    size_t m;
    bool quoted; /* t[0] is the application's string, closed by the value */
    enum sql_context ctx;
    bool first; /* t[0] is the value's first token (not a carried-over window) */
};

/* Whether token i is the word w (a string literal, lower case), in any case. The length
 * is the literal's, so most tokens fail on it before a byte is compared. */
#define is_kw(j, i, w) is_word((j), (i), (w), sizeof(w) - 1)

static bool is_word(const struct judge *j, size_t i, const char *w, size_t l)
{
    return i < j->m && j->t[i].len == l && !strncasecmp(j->s + j->t[i].off, w, l);
}

static bool kind(const struct judge *j, size_t i, int k)
{
    return i < j->m && j->t[i].kind == k;
}

/* Past the ')' matching the '(' at i (or the window's end). */
static size_t skip_parens(const struct judge *j, size_t i)
{
    int depth = 0;
    for (; i < j->m; i++) {
        if (j->t[i].kind == SQL_LPAREN)
            depth++;
        else if (j->t[i].kind == SQL_RPAREN && --depth == 0)
            return i + 1;
    }
    return j->m;
}

/* The end of the operand at i (0: none); *lit when it is a literal, a variable, a known
 * function call or a parenthesised expression rather than a bare name. */
static size_t operand_end(const struct judge *j, size_t i, bool *lit)
{
    *lit = false;
    while (i < j->m && j->t[i].kind == SQL_OP &&
           (j->s[j->t[i].off] == '-' || j->s[j->t[i].off] == '+' || j->s[j->t[i].off] == '~' ||
            j->s[j->t[i].off] == '!'))
        i++; /* unary */
    if (i >= j->m)
        return 0;
    const struct sql_token *t = &j->t[i];
    switch (t->kind) {
    case SQL_NUMBER:
    case SQL_STRING:
    case SQL_VAR:
        *lit = true;
        return i + 1;
    case SQL_WORD:
        return i + 1;
    case SQL_FUNC:
        *lit = (t->flags & SQL_F_KNOWN) != 0;
        return kind(j, i + 1, SQL_LPAREN) ? skip_parens(j, i + 1) : i + 1;
    case SQL_LPAREN:
        *lit = true;
        return skip_parens(j, i);
    default:
        return 0;
    }
}

static bool same_text(const struct judge *j, size_t a, size_t b)
{
    return j->t[a].len == j->t[b].len &&
           !strncasecmp(j->s + j->t[a].off, j->s + j->t[b].off, j->t[a].len);
}

/* Where a condition may stop: the end, a comment, ')', ';' or another logical word. */
static bool stops(const struct judge *j, size_t i)
{
    return i >= j->m || (j->t[i - 1].flags & T_CMT_AFTER) || kind(j, i, SQL_RPAREN) ||
           kind(j, i, SQL_SEMI) || kind(j, i, SQL_LOGIC) || kind(j, i, SQL_COMMA);
}

/*
 * In a quoted context, the value's last string is left open for the application's own
 * closing quote (' OR 'a'='a). It counts as a literal only when it opens with the
 * context's quote and holds a short token without spaces: "a" or "1=1", not the rest of
 * a sentence ("and" in boolean search).
 */
static bool closing_literal(const struct judge *j, size_t i)
{
    const struct sql_token *t = &j->t[i];
    if (t->kind != SQL_STRING || !(t->flags & SQL_F_OPEN))
        return true; /* not the open string: judged as any literal */
    char q = j->ctx == SQL_CTX_SQUOTE ? '\'' : '"';
    if (!j->quoted || j->s[t->off] != q || t->len < 2 || t->len > 17)
        return false;
    return !memchr(j->s + t->off, ' ', t->len);
}

static bool dotted(const struct judge *j, size_t i)
{
    return memchr(j->s + j->t[i].off, '.', j->t[i].len) != NULL;
}

/* A condition that changes a query, starting at i (after AND/OR/WHERE/HAVING). depth
 * bounds the descent into parenthesised groups. */
static bool condition(const struct judge *j, size_t i, int depth)
{
    while (i < j->m && j->t[i].kind == SQL_OP && (is_kw(j, i, "not") || j->s[j->t[i].off] == '!'))
        i++;
    size_t p = i;
    while (kind(j, p, SQL_LPAREN))
        p++;
    if (p >= j->m)
        return false;
    if ((kind(j, p, SQL_STMT) && (j->t[p].flags & SQL_F_SELECT)) || is_kw(j, p, "exists"))
        return true; /* a subquery */
    bool lit;
    size_t a = i, e = operand_end(j, i, &lit);
    if (!e)
        return false;
    if (kind(j, a, SQL_FUNC) && ((j->t[a].flags & SQL_F_KNOWN) || dotted(j, a)))
        return true;
    if (e >= j->m || j->t[e].kind != SQL_OP) {
        if (kind(j, a, SQL_LPAREN))
            return depth < 4 && condition(j, a + 1, depth + 1); /* or (1=1) */
        /* a lone literal is a condition when the query may end or go on there; in a
         * quoted context the application's own closing quote ends a last string */
        if (kind(j, a, SQL_NUMBER))
            /* 1) or 1--, ' or 1#: a lone number where the query can end; not "1 or 1"
             * or "0 or 1" at the end of a bare value, which is mostly prose */
            return e < j->m ? stops(j, e) : j->quoted || (j->t[e - 1].flags & T_CMT_AFTER);
        return kind(j, a, SQL_STRING) && e >= j->m && (j->t[a].flags & SQL_F_OPEN) &&
               closing_literal(j, a);
    }
    bool lit2;
    size_t b = e + 1;
    if (is_kw(j, e, "not") || (is_kw(j, e, "sounds") && is_kw(j, b, "like")))
        b++;
    while (b < j->m && j->t[b].kind == SQL_OP && is_kw(j, b, "not"))
        b++;
    size_t e2 = operand_end(j, b, &lit2);
    if (!e2)
        return false;
    if ((lit && closing_literal(j, a)) || (lit2 && closing_literal(j, b)))
        return true;
    /* name = name: a tautology when both sides are the same name, or anywhere when the
     * value itself starts with the logical word (" OR x=y") */
    return kind(j, a, SQL_WORD) && kind(j, b, SQL_WORD) &&
           (same_text(j, a, b) || (a == 1 && j->first && !j->quoted));
}

/* Whether the statement keyword at i starts a statement (not prose that begins with
 * "select" or "update"). strict: also demand punctuation only SQL would have. */
static bool statement(const struct judge *j, size_t i, bool strict)
{
    const struct sql_token *t = &j->t[i];
    size_t end = i + 12 < j->m ? i + 12 : j->m;
    bool punct = false, from = false, danger = false, sel_item = false;
    for (size_t k = i + 1; k < end; k++) {
        const struct sql_token *x = &j->t[k];
        if (x->kind == SQL_COMMA || x->kind == SQL_LPAREN || x->kind == SQL_SEMI ||
            x->kind == SQL_VAR || x->kind == SQL_STRING || x->kind == SQL_DOT ||
            (x->kind == SQL_OP && x->len == 1 && strchr("*=", j->s[x->off])) ||
            (x->kind == SQL_WORD && memchr(j->s + x->off, '.', x->len)) ||
            (x->kind == SQL_FUNC && (x->flags & SQL_F_KNOWN)))
            punct = true;
        if (x->flags & SQL_F_DANGER)
            danger = true;
        if (is_kw(j, k, "from") || is_kw(j, k, "into") || is_kw(j, k, "table") ||
            is_kw(j, k, "set") || is_kw(j, k, "database") || is_kw(j, k, "procedure") ||
            is_kw(j, k, "values"))
            from = true;
        if (k == i + 1 && (x->kind == SQL_NUMBER || x->kind == SQL_VAR || x->kind == SQL_FUNC ||
                           (x->kind == SQL_OP && j->s[x->off] == '*')))
            sel_item = true;
    }
    bool ends = j->m > 0 && (kind(j, j->m - 1, SQL_SEMI) || (j->t[j->m - 1].flags & T_CMT_AFTER));
    if (t->flags & SQL_F_WAIT)
        return is_kw(j, i + 1, "delay") || is_kw(j, i + 1, "time");
    if (is_kw(j, i, "shutdown"))
        return i + 1 >= j->m || kind(j, i + 1, SQL_SEMI) || (t->flags & T_CMT_AFTER);
    if (is_kw(j, i, "declare"))
        return kind(j, i + 1, SQL_VAR);
    if (is_kw(j, i, "exec") || is_kw(j, i, "execute") || is_kw(j, i, "call"))
        return danger || kind(j, i + 1, SQL_VAR) || kind(j, i + 1, SQL_LPAREN) || !strict;
    if (danger)
        return true;
    if (t->flags & SQL_F_SELECT) {
        /* SELECT list FROM table, or SELECT item; — the list holds something only SQL
         * would (a number, *, a function, a variable, a comma), or the table does */
        size_t k = i + 1, from_at = 0;
        bool item = false;
        for (; k < end && !from_at; k++) {
            const struct sql_token *x = &j->t[k];
            if (is_kw(j, k, "from"))
                from_at = k;
            else if (x->kind == SQL_NUMBER || x->kind == SQL_VAR || x->kind == SQL_COMMA ||
                     x->kind == SQL_STRING || is_kw(j, k, "top") || (x->flags & SQL_F_NAME) ||
                     (x->kind == SQL_FUNC && (x->flags & SQL_F_KNOWN)) ||
                     (x->kind == SQL_OP && j->s[x->off] == '*'))
                item = true;
        }
        if (from_at > i + 1 && from_at + 1 < j->m) {
            const struct sql_token *tb = &j->t[from_at + 1];
            bool table_sql = (tb->kind == SQL_WORD && (tb->flags & SQL_F_QUOTED)) ||
                             (tb->kind == SQL_WORD && dotted(j, from_at + 1)) ||
                             kind(j, from_at + 2, SQL_SEMI) || kind(j, from_at + 2, SQL_DOT);
            return item || table_sql || !strict;
        }
        /* no FROM: SELECT 1; SELECT @@version -- SELECT user(); */
        return item && (ends || !strict) && j->m - i <= 8;
    }
    if (strict)
        return (from || sel_item) && (punct || ends);
    return from || sel_item || punct;
}

static bool hit(struct analyze_finding *f, const struct judge *j, size_t a, size_t b,
                const char *why)
{
    if (b >= j->m)
        b = j->m - 1;
    f->why = why;
    f->off = j->t[a].off;
    f->len = j->t[b].off + j->t[b].len - j->t[a].off;
    return true;
}

/* Tokens after which an expression may start. */
static bool expr_start(const struct judge *j, size_t i)
{
    if (i == 0)
        return j->first && !j->quoted;
    const struct sql_token *p = &j->t[i - 1];
    if (j->quoted && i == 1 && j->first)
        return true;
    return p->kind == SQL_LOGIC || p->kind == SQL_OP || p->kind == SQL_LPAREN ||
           p->kind == SQL_COMMA || p->kind == SQL_KEYWORD || p->kind == SQL_STMT ||
           p->kind == SQL_SEMI;
}

static bool judge(const struct judge *j, struct analyze_finding *f)
{
    const struct sql_token *t = j->t;
    size_t m = j->m;
    if (j->quoted && j->first && m > 0 && !(t[0].flags & SQL_F_OPEN)) {
        /* the application's string closed: what follows decides */
        size_t k = 1;
        if (t[0].flags & T_CMT_AFTER)
            return hit(f, j, 0, 0, "string closed, then a comment");
        while (kind(j, k, SQL_RPAREN))
            k++;
        if (k > 1 && (t[k - 1].flags & T_CMT_AFTER))
            return hit(f, j, 0, k - 1, "string and parenthesis closed, then a comment");
        if (kind(j, k, SQL_SEMI) && (k + 1 >= m || (t[k].flags & T_CMT_AFTER)))
            return hit(f, j, 0, k, "string closed, statement ended");
        bool lit;
        size_t e;
        if (kind(j, k, SQL_OP) && (e = operand_end(j, k + 1, &lit)) && lit &&
            closing_literal(j, e - 1) &&
            (e >= m || kind(j, e, SQL_LOGIC) || kind(j, e, SQL_OP) ||
             (t[e - 1].flags & T_CMT_AFTER)))
            return hit(f, j, k, e, "string closed, then an operator");
    }
    if (j->first && !j->quoted && m > 0 && kind(j, 0, SQL_SEMI) && (t[0].flags & T_CMT_AFTER))
        return hit(f, j, 0, 0, "statement ended, then a comment");
    for (size_t i = 0; i < m; i++) {
        const struct sql_token *x = &t[i];
        switch (x->kind) {
        case SQL_UNION: {
            size_t k = i + 1;
            while (kind(j, k, SQL_LPAREN))
                k++;
            if (kind(j, k, SQL_STMT) && (t[k].flags & SQL_F_SELECT))
                return hit(f, j, i, k, "UNION SELECT");
            break;
        }
        case SQL_SEMI:
            if (kind(j, i + 1, SQL_STMT) && statement(j, i + 1, false))
                return hit(f, j, i, i + 3, "stacked query");
            break;
        case SQL_STMT:
            if ((x->flags & SQL_F_WAIT) && statement(j, i, false))
                return hit(f, j, i, i + 2, "WAITFOR delay");
            if ((i == 0 ? j->first && !j->quoted
                        : t[i - 1].kind != SQL_WORD && t[i - 1].kind != SQL_STRING) &&
                statement(j, i, true))
                return hit(f, j, i, i + 4, "SQL statement");
            if ((is_kw(j, i, "exec") || is_kw(j, i, "execute")) && kind(j, i + 1, SQL_LPAREN) &&
                kind(j, i + 2, SQL_VAR))
                return hit(f, j, i, i + 3, "dynamic SQL executed");
            break;
        case SQL_VAR:
            if (x->len > 2 && j->s[x->off + 1] == '@')
                return hit(f, j, i, i, "server variable");
            break;
        case SQL_FUNC:
            if ((x->flags & SQL_F_TIMING) && expr_start(j, i))
                return hit(f, j, i, i + 3, "time delay function");
            if ((x->flags & SQL_F_DANGER) && i > 0 && expr_start(j, i))
                return hit(f, j, i, i + 3, "file, shell or system function");
            break;
        case SQL_WORD:
        case SQL_KEYWORD:
            if ((x->flags & SQL_F_DANGER) && i > 0 &&
                (is_kw(j, i - 1, "from") || is_kw(j, i - 1, "into") || kind(j, i - 1, SQL_STMT) ||
                 kind(j, i - 1, SQL_COMMA) || kind(j, i - 1, SQL_LOGIC) || kind(j, i - 1, SQL_OP)))
                return hit(f, j, i - 1, i, "system table or file");
            if ((x->flags & SQL_F_BY) && kind(j, i + 1, SQL_NUMBER) &&
                (i + 2 >= m || kind(j, i + 2, SQL_COMMA) || (t[i + 1].flags & T_CMT_AFTER) ||
                 kind(j, i + 2, SQL_SEMI)))
                return hit(f, j, i, i + 1, "ORDER BY probe");
            if ((x->flags & SQL_F_BY) && kind(j, i + 1, SQL_FUNC) && (t[i + 1].flags & SQL_F_KNOWN))
                return hit(f, j, i, i + 1, "ORDER BY probe");
            if ((is_kw(j, i, "having") || is_kw(j, i, "where")) &&
                (i > 0 || (j->first && !j->quoted)) && condition(j, i + 1, 0))
                return hit(f, j, i, i + 3, "condition added");
            break;
        case SQL_LOGIC: {
            bool after_operand =
                i == 0 ? j->first && !j->quoted
                       : (t[i - 1].kind == SQL_STRING || t[i - 1].kind == SQL_NUMBER ||
                          t[i - 1].kind == SQL_WORD || t[i - 1].kind == SQL_VAR ||
                          t[i - 1].kind == SQL_RPAREN || t[i - 1].kind == SQL_SEMI);
            if (after_operand && condition(j, i + 1, 0))
                return hit(f, j, i, i + 3, "condition added");
            break;
        }
        default:
            break;
        }
    }
    return false;
}

/* Lexes s in ctx and judges it window by window. */
static bool sqli_in(const char *s, size_t n, enum sql_context ctx, struct analyze_finding *f)
{
    struct sql_token tok[MAX_TOKENS];
    struct sql_lexer lx;
    sql_lex_init(&lx, s, n, ctx);
    struct judge j = {.s = s, .t = tok, .quoted = ctx != SQL_CTX_BARE, .ctx = ctx, .first = true};
    size_t m = 0;
    struct sql_token t;
    bool more;
    do {
        more = sql_lex_next(&lx, &t);
        if (more && t.kind == SQL_COMMENT) {
            if (m)
                tok[m - 1].flags |= T_CMT_AFTER;
            else if (j.first && !j.quoted && lx.pos >= n)
                return false; /* only a comment */
            continue;
        }
        if (more)
            tok[m++] = t;
        if (m == MAX_TOKENS || (!more && m)) {
            j.m = m;
            if (judge(&j, f))
                return true;
            if (!more)
                break;
            memmove(tok, tok + m - KEEP_TOKENS, KEEP_TOKENS * sizeof tok[0]);
            m = KEEP_TOKENS;
            j.first = false;
        }
        if (ctx != SQL_CTX_BARE && m == 1 && (tok[0].flags & SQL_F_OPEN))
            return false; /* the string never closes: the value stays data */
    } while (more);
    return false;
}

/*
 * Byte classes, so that one pass over a value says which of the analyzer's paths can
 * apply to it (byte_classes). Each path below states the bytes it cannot do without:
 *   B_NOTPLAIN  a byte other than a letter, a digit, _ . @ or >= 0x80: without one the
 *               value is one run of word characters, which holds no SQL structure (only
 *               a hex literal is judged)
 *   B_ALNUM     a letter, a digit or a byte >= 0x80: without one, a quote makes a probe
 *   B_SQUOTE B_DQUOTE  ' and ": the quoted contexts are only lexed with their quote
 *   B_DOLLAR    $: every NoSQL operator starts with it
 *   B_LPAREN B_EQ  ( and =: server-side JavaScript needs '(' and LDAP marks need '('
 *               (and a filter '=')
 *   B_JSOP      ; & |: server-side JavaScript joins conditions or statements with them
 *   B_X         x: a hex literal (0x...)
 *   B_SLASH B_STAR  / and *: a comment (folded when inside a word)
 *   B_HIGH      a byte >= 0xe2: the first byte of the typographic quotes fold() maps
 */
enum {
    B_NOTPLAIN = 1,
    B_ALNUM = 2,
    B_SQUOTE = 4,
    B_DQUOTE = 8,
    B_DOLLAR = 16,
    B_LPAREN = 32,
    B_EQ = 64,
    B_JSOP = 128,
    B_X = 256,
    B_SLASH = 512,
    B_STAR = 1024,
    B_HIGH = 2048,
};

#define NP B_NOTPLAIN
#define AL B_ALNUM
#define HI (B_ALNUM | B_HIGH)
/* clang-format off: 16 bytes a row */
static const uint16_t byte_class[256] = {
    /* 0x00 */ NP, NP, NP, NP, NP, NP, NP, NP, NP, NP, NP, NP, NP, NP, NP, NP,
    /* 0x10 */ NP, NP, NP, NP, NP, NP, NP, NP, NP, NP, NP, NP, NP, NP, NP, NP,
    /* 0x20 */ NP, NP, NP | B_DQUOTE, NP, NP | B_DOLLAR, NP, NP | B_JSOP, NP | B_SQUOTE, NP | B_LPAREN, NP, NP | B_STAR, NP, NP, NP, 0, NP | B_SLASH,
    /* 0x30 */ AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, NP, NP | B_JSOP, NP, NP | B_EQ, NP, NP,
    /* 0x40 */ 0, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL,
    /* 0x50 */ AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, NP, NP, NP, NP, 0,
    /* 0x60 */ NP, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL,
    /* 0x70 */ AL, AL, AL, AL, AL, AL, AL, AL, AL | B_X, AL, AL, NP, NP | B_JSOP, NP, NP, NP,
    /* 0x80 */ AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL,
    /* 0x90 */ AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL,
    /* 0xa0 */ AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL,
    /* 0xb0 */ AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL,
    /* 0xc0 */ AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL,
    /* 0xd0 */ AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL,
    /* 0xe0 */ AL, AL, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI,
    /* 0xf0 */ HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI,
};
/* clang-format on */
#undef NP
#undef AL
#undef HI

/* The classes of s's bytes, or-ed. */
static unsigned byte_classes(const char *s, size_t n)
{
    unsigned c = 0;
    for (size_t i = 0; i < n; i++)
        c |= byte_class[(unsigned char)s[i]];
    return c;
}

/*
 * A copy of s in out (at most cap bytes) with what a database or a filter would read
 * differently folded away: the typographic quotes and primes that best-fit mappings
 * turn into ASCII quotes (‘ ’ ′ ＇ “ ” ″ ＂), and inline comments inside words, which
 * filters that strip comments join (UNI/＊＊/ON). The length; 0 when nothing changed.
 */
static size_t fold(const char *s, size_t n, char *out, size_t cap)
{
    static const struct {
        const char *from;
        char to;
    } quotes[] = {{"\xe2\x80\x98", '\''}, {"\xe2\x80\x99", '\''}, {"\xe2\x80\xb2", '\''},
                  {"\xef\xbc\x87", '\''}, {"\xe2\x80\x9c", '"'},  {"\xe2\x80\x9d", '"'},
                  {"\xe2\x80\xb3", '"'},  {"\xef\xbc\x82", '"'}};
    size_t o = 0;
    bool changed = false;
    for (size_t i = 0; i < n && o < cap;) {
        size_t q = 0;
        for (; q < sizeof quotes / sizeof quotes[0]; q++)
            if (i + 3 <= n && !memcmp(s + i, quotes[q].from, 3))
                break;
        if (q < sizeof quotes / sizeof quotes[0]) {
            out[o++] = quotes[q].to;
            i += 3;
            changed = true;
        } else if (i + 1 < n && s[i] == '/' && s[i + 1] == '*' && i > 0 && i + 2 < n &&
                   s[i + 2] != '!') {
            const char *e = memmem(s + i + 2, n - i - 2, "*/", 2);
            size_t end = e ? (size_t)(e - s) + 2 : n;
            bool inside = end < n && (unsigned char)s[i - 1] > ' ' && (unsigned char)s[end] > ' ';
            if (!inside) {
                out[o++] = s[i++];
                continue;
            }
            i = end;
            changed = true;
        } else {
            out[o++] = s[i++];
        }
    }
    return changed ? o : 0;
}

/* Whether w[0..l) (l > 0) is in s[0..n): tried at each place of w's first byte, which for
 * the short words and values here is quicker than a general search; at most n * l. */
static bool contains(const char *s, size_t n, const char *w, size_t l)
{
    for (const char *p = memchr(s, w[0], n); p; p = memchr(p + 1, w[0], n - (size_t)(p + 1 - s)))
        if ((size_t)(s + n - p) >= l && !memcmp(p, w, l))
            return true;
    return false;
}

/* NoSQL (MongoDB) operators and server-side JavaScript in a value. */
static bool nosql(const char *s, size_t n, unsigned cls, struct analyze_finding *f)
{
    static const char *const ops[] = {"$where", "$ne", "$gt",  "$lt",     "$gte",  "$lte",
                                      "$regex", "$or", "$nin", "$exists", "$expr", "$function"};
    /* every operator starts with '$': without one, none can match; with one, each
     * operator is tried at each '$' in turn, the places a search for it would stop */
    for (size_t k = 0; (cls & B_DOLLAR) && k < sizeof ops / sizeof ops[0]; k++) {
        size_t l = strlen(ops[k]);
        for (const char *p = memchr(s, '$', n); p != NULL;
             p = memchr(p + 1, '$', n - (size_t)(p + 1 - s))) {
            size_t at = (size_t)(p - s), e = at + l;
            if (n - at < l || memcmp(p, ops[k], l))
                continue;
            bool word_end = e >= n || !((s[e] | 0x20) >= 'a' && (s[e] | 0x20) <= 'z');
            /* an operator as a key: {"$ne": 1}, [$ne]=1, $where: '...' */
            size_t k2 = e;
            while (k2 < n && (s[k2] == ' ' || s[k2] == '"' || s[k2] == '\'' || s[k2] == ']'))
                k2++;
            if (word_end && k2 < n && (s[k2] == ':' || s[k2] == '=')) {
                f->why = "NoSQL operator";
                f->off = at;
                f->len = k2 + 1 - at;
                return true;
            }
            if (at + l >= n)
                break;
        }
    }
    static const char *const js[] = {"this.", "db.", "sleep(", "return ", "while("};
    /* the cheap conditions first: a quote, '(' and a && || or ; */
    if (!(cls & (B_SQUOTE | B_DQUOTE)) || !(cls & B_LPAREN) || !(cls & B_JSOP) ||
        !(memchr(s, ';', n) || contains(s, n, "&&", 2) || contains(s, n, "||", 2)))
        return false;
    int hits = 0;
    for (size_t k = 0; k < sizeof js / sizeof js[0]; k++)
        hits += contains(s, n, js[k], strlen(js[k]));
    if (hits >= 1) {
        f->why = "server-side JavaScript";
        f->off = 0;
        f->len = n < 48 ? n : 48;
        return true;
    }
    return false;
}

/* LDAP filter injection: a value that closes a filter and opens another. The caller
 * has seen a '(' and a '=' in it (every mark holds a '('). */
static bool ldap(const char *s, size_t n, struct analyze_finding *f)
{
    /* in order of preference: the first mark of the list found wins, at its first place */
    static const char marks[][4] = {"*)(", ")(|", ")(&", "(|(", "(&(", "(!("};
    size_t best = sizeof marks / sizeof marks[0], at = 0;
    /* every mark holds a '(' in its first three bytes: only the places up to two bytes
     * before a '(' can start one, visited in order */
    size_t i = 0;
    for (const char *p = memchr(s, '(', n); p && best > 0;
         p = memchr(p + 1, '(', n - (size_t)(p + 1 - s))) {
        size_t paren = (size_t)(p - s);
        if (i + 2 < paren)
            i = paren - 2;
        for (; i <= paren && i + 3 <= n && best > 0; i++)
            for (size_t k = 0; k < best; k++)
                if (!memcmp(s + i, marks[k], 3)) {
                    best = k;
                    at = i;
                    break;
                }
    }
    if (best == sizeof marks / sizeof marks[0])
        return false;
    f->why = "LDAP filter injection";
    f->off = at;
    f->len = n - at < 32 ? n - at : 32;
    return true;
}

static bool judge_all(const char *s, size_t n, struct analyze_finding *f, int depth);

/* A long hex literal (0x...) is text the database decodes: judge that text too (also
 * as UTF-16LE, MSSQL's nvarchar). */
static bool hex_payload(const char *s, size_t n, struct analyze_finding *f, int depth)
{
    /* each "0x" found at its 'x' (a search for "0x" would stop at the same places) */
    for (const char *x = n > 1 ? memchr(s + 1, 'x', n - 1) : NULL; x != NULL;
         x = memchr(x + 1, 'x', n - (size_t)(x + 1 - s))) {
        if (x[-1] != '0')
            continue;
        const char *p = x - 1;
        size_t i = (size_t)(p - s) + 2, h = i;
        while (h < n &&
               ((s[h] >= '0' && s[h] <= '9') || ((s[h] | 0x20) >= 'a' && (s[h] | 0x20) <= 'f')))
            h++;
        size_t digits = h - i;
        if (digits < 16)
            continue;
        char text[256];
        size_t o = 0;
        for (size_t k = i; k + 1 < h && o < sizeof text; k += 2) {
            int v = 0;
            for (int d = 0; d < 2; d++) {
                char c = s[k + d];
                v = v * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
            }
            if (v != 0) /* UTF-16LE's zero bytes dropped */
                text[o++] = (char)v;
        }
        struct analyze_finding inner;
        if (judge_all(text, o, &inner, depth + 1)) {
            f->why = "SQL in a hex literal";
            f->off = (size_t)(p - s);
            f->len = h - f->off;
            return true;
        }
        if (h >= n)
            break;
    }
    return false;
}

/*
 * Every path of the analyzer on s, whose byte classes are cls.
 *
 * Invariant: each shortcut below only skips a path that cannot say yes, because the
 * value lacks a byte that path needs (see the byte classes); the verdict, and the
 * evidence, are those of running every path. Why each holds:
 *   - the quoted contexts: without the context's quote, the application's string never
 *     closes, so the first token stays open and sqli_in gives up at once. Typographic
 *     quotes count only after fold(), whose pass runs this again on the folded text;
 *   - the quote probe needs a quote and no letter or digit;
 *   - NoSQL operators start with '$'; server-side JavaScript needs a quote, '(' and
 *     ; && or ||; LDAP marks hold '(' and the filter a '='; a hex literal an 'x'.
 * The one run of word characters is not such a shortcut but a choice of the analyzer:
 * it holds no structure a query would change by (only a hex literal is read in it).
 * tests/unit/test_analyze.c (prefilter_edges) holds attacks at each edge.
 */
static bool judge_classes(const char *s, size_t n, unsigned cls, struct analyze_finding *f,
                          int depth)
{
    if (depth > 1)
        return false;
    if (!(cls & B_NOTPLAIN))
        return n > 18 && (cls & B_X) && hex_payload(s, n, f, depth);
    if (sqli_in(s, n, SQL_CTX_BARE, f))
        return true;
    if ((cls & B_SQUOTE) && sqli_in(s, n, SQL_CTX_SQUOTE, f))
        return true;
    if ((cls & B_DQUOTE) && sqli_in(s, n, SQL_CTX_DQUOTE, f))
        return true;
    if (!(cls & B_ALNUM) && (cls & (B_SQUOTE | B_DQUOTE))) {
        /* only punctuation, with a quote in it: the probe that looks for an SQL error */
        f->why = "quote probe";
        f->off = 0;
        f->len = n;
        return true;
    }
    return nosql(s, n, cls, f) || ((cls & B_LPAREN) && (cls & B_EQ) && ldap(s, n, f)) ||
           ((cls & B_X) && hex_payload(s, n, f, depth));
}

static bool judge_all(const char *s, size_t n, struct analyze_finding *f, int depth)
{
    return judge_classes(s, n, byte_classes(s, n), f, depth);
}

/* See analyze.h. */
bool analyze_sqli(const char *s, size_t n, struct analyze_finding *f)
{
    unsigned cls = byte_classes(s, n);
    if (judge_classes(s, n, cls, f, 0))
        return true;
    /* fold() changes only typographic quotes (their first byte is >= 0xe2) and comments
     * inside words: without either, the folded value is the value */
    if (!(cls & B_HIGH) && !((cls & B_SLASH) && (cls & B_STAR) && memmem(s, n, "/*", 2) != NULL))
        return false;
    char folded[4096];
    size_t fn = fold(s, n, folded, sizeof folded);
    if (fn && judge_all(folded, fn, f, 0)) {
        /* the evidence is in the folded text: point at the whole value */
        f->off = 0;
        f->len = n;
        return true;
    }
    return false;
}
