/*
 * test_query.c — the search language parser (src/store/query_parse.c): precedence,
 * implicit AND, quotes, escapes, wildcards, ranges, limits and error offsets. Trees
 * are compared through a small S-expression printer so that each case reads as the
 * tree it expects.
 */
#include "core/core.h"
#include "store/store.h"
#include "testlib.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void sexp(const struct query_node *n, struct buf *b)
{
    switch (n->kind) {
    case QUERY_ALL:
        buf_puts(b, "ALL");
        break;
    case QUERY_AND:
    case QUERY_OR:
        buf_printf(b, "(%s ", n->kind == QUERY_AND ? "AND" : "OR");
        sexp(n->left, b);
        buf_putc(b, ' ');
        sexp(n->right, b);
        buf_putc(b, ')');
        break;
    case QUERY_NOT:
        buf_puts(b, "(NOT ");
        sexp(n->left, b);
        buf_putc(b, ')');
        break;
    case QUERY_TERM:
        buf_printf(b, "%s%s=%s%s", n->field ? n->field : "_raw", n->phrase ? "\"" : "",
                   n->value, n->wildcard ? "~" : "");
        break;
    case QUERY_RANGE:
        buf_printf(b, "%s%c%g,%g%c", n->field, n->lo_incl ? '[' : '(', n->lo, n->hi,
                   n->hi_incl ? ']' : ')');
        break;
    }
}

/* Parses text and returns its S-expression in a static buffer, or "ERR: reason". */
static const char *parse(const char *text)
{
    static char out[4096];
    struct query_node *q = NULL;
    char err[256];
    int rc = store_query_parse(text, &q, err, sizeof err);
    if (rc) {
        snprintf(out, sizeof out, "ERR: %s", err);
        return out;
    }
    struct buf b;
    buf_init(&b, sizeof out);
    sexp(q, &b);
    snprintf(out, sizeof out, "%s", buf_cstr(&b) ? b.p : "?");
    buf_fini(&b);
    store_query_free(q);
    return out;
}

static void t_terms(void)
{
    T_EQ_STR(parse("src_ip:1.2.3.4"), "src_ip=1.2.3.4");
    T_EQ_STR(parse("  failed  "), "_raw=failed");
    T_EQ_STR(parse("cs-user-agent:*sqlmap*"), "cs-user-agent=*sqlmap*~");
    T_EQ_STR(parse("user:ad?in"), "user=ad?in~");
    T_EQ_STR(parse("src_ip:fe80::1"), "src_ip=fe80::1"); /* ':' allowed in a value */
    T_EQ_STR(parse(""), "ALL");
    T_EQ_STR(parse("*"), "ALL");
    T_EQ_STR(parse("host:*"), "host=*~");
}

static void t_precedence(void)
{
    T_EQ_STR(parse("a OR b AND c"), "(OR _raw=a (AND _raw=b _raw=c))");
    T_EQ_STR(parse("a AND b OR c"), "(OR (AND _raw=a _raw=b) _raw=c)");
    T_EQ_STR(parse("NOT a AND b"), "(AND (NOT _raw=a) _raw=b)");
    T_EQ_STR(parse("NOT NOT a"), "(NOT (NOT _raw=a))");
    T_EQ_STR(parse("(a OR b) c"), "(AND (OR _raw=a _raw=b) _raw=c)");
    T_EQ_STR(parse("a b OR c"), "(OR (AND _raw=a _raw=b) _raw=c)");
    T_EQ_STR(parse("a OR NOT (b c)"), "(OR _raw=a (NOT (AND _raw=b _raw=c)))");
    /* lower-case operators are words */
    T_EQ_STR(parse("a or b"), "(AND (AND _raw=a _raw=or) _raw=b)");
}

static void t_quotes_escapes(void)
{
    T_EQ_STR(parse("\"Failed password\""), "_raw\"=Failed password");
    T_EQ_STR(parse("message:\"a \\\"b\\\" c\""), "message\"=a \"b\" c");
    T_EQ_STR(parse("\"x*y\""), "_raw\"=x*y"); /* no wildcard inside quotes */
    T_EQ_STR(parse("a\\ b"), "_raw=a b");
    T_EQ_STR(parse("path:C\\:\\\\Windows"), "path=C:\\Windows");
    /* an escaped star stays escaped in a pattern, and is plain text otherwise */
    T_EQ_STR(parse("f:a\\*b*"), "f=a\\*b*~");
    T_EQ_STR(parse("f:a\\*b"), "f=a*b");
    T_EQ_STR(parse("\\(x\\)"), "_raw=(x)");
}

static void t_ranges(void)
{
    T_EQ_STR(parse("dst_port:[20 TO 25]"), "dst_port[20,25]");
    T_EQ_STR(parse("dst_port:{20 TO 25]"), "dst_port(20,25]");
    T_EQ_STR(parse("sc-bytes:>1000"), "sc-bytes(1000,inf)");
    T_EQ_STR(parse("sc-bytes:>=1000"), "sc-bytes[1000,inf)");
    T_EQ_STR(parse("sc-status:<500"), "sc-status(-inf,500)");
    T_EQ_STR(parse("sc-status:<=-1.5e2"), "sc-status(-inf,-150]");
    T_EQ_STR(parse("x:[* TO 5]"), "x[-inf,5]");
    T_EQ_STR(parse("x:[1 TO 2] AND y:3"), "(AND x[1,2] y=3)");
}

static void t_errors(void)
{
    T_EQ_STR(parse("a AND"), "ERR: offset 5: expected a term");
    T_EQ_STR(parse("(a OR b"), "ERR: offset 0: unbalanced parenthesis");
    T_EQ_STR(parse("a)"), "ERR: offset 1: unbalanced parenthesis");
    T_EQ_STR(parse("\"open"), "ERR: offset 0: unterminated quote");
    T_EQ_STR(parse("OR a"), "ERR: offset 0: operator without a left-hand term");
    T_EQ_STR(parse("f: x"), "ERR: offset 2: expected a value after ':'");
    T_EQ_STR(parse("f:[1 TO x]"), "ERR: offset 8: expected a number");
    T_EQ_STR(parse("f:[5 TO 1]"), "ERR: offset 2: range lower bound above upper bound");
    T_EQ_STR(parse("f:[1 2]"), "ERR: offset 5: expected TO in range");
    T_EQ_STR(parse("f:>nan"), "ERR: offset 3: expected a number");
    T_EQ_STR(parse("a\\"), "ERR: offset 1: backslash at end of query");
    T_EQ_STR(parse("\"\""), "ERR: offset 0: empty phrase");
    T_EQ_STR(parse("()"), "ERR: offset 1: unbalanced parenthesis");
}

static void t_limits(void)
{
    /* depth: 70 nested parentheses */
    char deep[200];
    size_t n = 0;
    for (int i = 0; i < 70; i++)
        deep[n++] = '(';
    deep[n++] = 'a';
    for (int i = 0; i < 70; i++)
        deep[n++] = ')';
    deep[n] = '\0';
    T_CHECK(strstr(parse(deep), "nested too deeply") != NULL);
    /* nodes: 300 terms */
    struct buf b;
    buf_init(&b, 0);
    for (int i = 0; i < 300; i++)
        buf_puts(&b, "a ");
    const char *r = parse(buf_cstr(&b));
    buf_fini(&b);
    T_CHECK(strstr(r, "too complex") != NULL);
    /* 100 terms are fine */
    buf_init(&b, 0);
    for (int i = 0; i < 100; i++)
        buf_puts(&b, "x:1 ");
    r = parse(buf_cstr(&b));
    buf_fini(&b);
    T_CHECK(strncmp(r, "ERR", 3) != 0);
    /* over-long text */
    static char big[20000];
    memset(big, 'a', sizeof big - 1);
    struct query_node *q = NULL;
    char err[128];
    T_EQ_INT(store_query_parse(big, &q, err, sizeof err), ERR_TOOBIG);
    T_CHECK(q == NULL);
}

static void t_no_leak_on_error(void)
{
    size_t before = mem_in_use();
    for (int i = 0; i < 50; i++) {
        parse("a AND (b OR c:[1 TO 2] OR \"unterminated");
        parse("x:1 y:2 NOT (z:3");
    }
    T_EQ_INT(mem_in_use(), before);
}

int main(void)
{
    t_run("query terms", t_terms);
    t_run("query precedence NOT > AND > OR, implicit AND", t_precedence);
    t_run("query quotes and escapes", t_quotes_escapes);
    t_run("query numeric ranges", t_ranges);
    t_run("query errors with offsets", t_errors);
    t_run("query depth, node and length caps", t_limits);
    t_run("query frees everything on error", t_no_leak_on_error);
    return t_done();
}
