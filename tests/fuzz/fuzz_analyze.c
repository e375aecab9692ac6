/*
 * fuzz_analyze.c — libFuzzer target for the web attack analyzers (src/analyze): any bytes
 * decoded as a request value (with and without '+' as a space), then judged for SQL
 * injection, XSS, path traversal (with the decoding flags too), command injection and
 * scanner user agents, and every token of the SQL lexer in each context; and the raw
 * bytes as each form of web event field (analyze_field: query strings split at '&',
 * paths per segment, URLs) with every analyzer. The decoding must stay within its
 * buffer, the findings' evidence within the value, and the evidence kept NUL-terminated
 * within its bounds.
 */
#include "analyze/analyze.h"
#include "analyze/analyze_int.h"

#include <stdlib.h>
#include <string.h>

static void check(const char *s, size_t n, unsigned dflags)
{
    struct analyze_finding f;
    if (analyze_sqli(s, n, &f) && (!f.why || f.off > n || f.len > n - f.off))
        abort();
    if (analyze_xss(s, n, &f) && (!f.why || f.off > n || f.len > n - f.off))
        abort();
    if (analyze_traversal_flags(s, n, dflags, &f) && (!f.why || f.off > n || f.len > n - f.off))
        abort();
    if (analyze_cmdi(s, n, &f) && (!f.why || f.off > n || f.len > n - f.off))
        abort();
    if (analyze_scanner(s, n, &f) && (!f.why || f.off > n || f.len > n - f.off))
        abort();
    for (int ctx = SQL_CTX_BARE; ctx <= SQL_CTX_DQUOTE; ctx++) {
        struct sql_lexer lx;
        struct sql_token t;
        sql_lex_init(&lx, s, n, (enum sql_context)ctx);
        size_t count = 0, last = 0;
        while (sql_lex_next(&lx, &t)) {
            if ((size_t)t.off + t.len > n || ++count > n + 1 || (count > 1 && lx.pos <= last))
                abort(); /* out of the value, or no progress */
            last = lx.pos;
        }
    }
}

/* The value as a field of each form, through every analyzer. */
static void check_fields(const char *s, size_t n)
{
    for (int form = ANALYZE_FORM_RAW; form <= ANALYZE_FORM_URL; form++)
        for (int k = 0; k < ANALYZE_KINDS; k++) {
            struct analyze_evidence ev;
            if (!analyze_field((enum analyze_kind)k, (enum analyze_form)form, s, n, &ev))
                continue;
            if (!ev.why || ev.len > ANALYZE_EVIDENCE_MAX || ev.fragment[ev.len] ||
                strlen(ev.fragment) != ev.len || strlen(ev.param) > ANALYZE_PARAM_MAX)
                abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1 << 16))
        return 0;
    static char out[1 << 16];
    unsigned flags;
    for (int plus = 0; plus < 2; plus++) {
        size_t n = analyze_decode((const char *)data, size, plus, out, sizeof out, &flags);
        if (n > sizeof out)
            abort();
        check(out, n, flags);
    }
    check((const char *)data, size, 0);
    check_fields((const char *)data, size);
    return 0;
}
