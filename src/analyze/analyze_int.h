/*
 * analyze_int.h — private declarations of src/analyze: the SQL lexer the SQL injection
 * analyzer judges with (sql_lex.c) and the HTML scanner of the XSS analyzer.
 */
#ifndef VIGIL_ANALYZE_INT_H
#define VIGIL_ANALYZE_INT_H

#include "analyze/analyze.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * SQL token kinds. The lexer folds the dialects an injection may target (MySQL, MSSQL,
 * PostgreSQL, Oracle, SQLite, DB2) into one vocabulary, since a detector does not know
 * which database is behind the application:
 *   SQL_STRING  'text' "text" (SQL_F_OPEN when the value ends inside it)
 *   SQL_NUMBER  42 0x2a 1e3 .5, and NULL TRUE FALSE (literal values)
 *   SQL_WORD    a bare identifier (a column, a table, prose)
 *   SQL_FUNC    a name followed by '(' (SQL_F_KNOWN when it is a known SQL function)
 *   SQL_VAR     @x @@version
 *   SQL_UNION   UNION (ALL / DISTINCT folded in)
 *   SQL_STMT    a statement's first keyword: SELECT INSERT UPDATE DELETE DROP EXEC ...
 *   SQL_LOGIC   AND OR XOR && ||
 *   SQL_OP      = < > <= >= <> != <=> + - * / % ^ | & ~ ! LIKE IS IN BETWEEN REGEXP ...
 *   SQL_KEYWORD the other keywords (FROM WHERE ORDER BY HAVING LIMIT INTO CASE ...)
 *   SQL_COMMENT -- ... # ... / * ... * / (SQL_F_OPEN: the value ends inside it)
 *   SQL_LPAREN ( SQL_RPAREN ) SQL_COMMA , SQL_SEMI ; SQL_DOT .
 *   SQL_OTHER   anything else (a backslash, a brace, a lone quote of another kind)
 */
enum sql_kind {
    SQL_STRING = 1,
    SQL_NUMBER,
    SQL_WORD,
    SQL_FUNC,
    SQL_VAR,
    SQL_UNION,
    SQL_STMT,
    SQL_LOGIC,
    SQL_OP,
    SQL_KEYWORD,
    SQL_COMMENT,
    SQL_LPAREN,
    SQL_RPAREN,
    SQL_COMMA,
    SQL_SEMI,
    SQL_DOT,
    SQL_OTHER,
};

#define SQL_F_OPEN 1u     /* a string or comment the value ends inside */
#define SQL_F_KNOWN 2u    /* SQL_FUNC: a known SQL function */
#define SQL_F_TIMING 4u   /* SQL_FUNC / SQL_KEYWORD: sleeps or delays (SLEEP, WAITFOR ...) */
#define SQL_F_DANGER 8u   /* files, shells, system tables: LOAD_FILE, OUTFILE, xp_cmdshell */
#define SQL_F_CMP 16u     /* SQL_OP: a comparison (= < > LIKE IN BETWEEN IS REGEXP ...) */
#define SQL_F_BY 32u      /* SQL_KEYWORD: ORDER BY / GROUP BY (folded into one token) */
#define SQL_F_WAIT 64u    /* SQL_STMT: WAITFOR */
#define SQL_F_SELECT 128u /* SQL_STMT: SELECT */
#define SQL_F_QUOTED 256u /* SQL_WORD: `quoted` or [bracketed] identifier */
#define SQL_F_NAME 512u   /* SQL_WORD: a known function's name without '(' (CURRENT_USER) */

struct sql_token {
    uint8_t kind;
    uint16_t flags;
    uint32_t off, len; /* where in the value */
};

/* The contexts a value may be injected into: as is, or inside a quoted string. */
enum sql_context { SQL_CTX_BARE, SQL_CTX_SQUOTE, SQL_CTX_DQUOTE };

/*
 * A lexer over one value. Bounded: tokens come one at a time, nothing is allocated, and
 * each call consumes at least one byte, so a value of n bytes gives at most n tokens.
 */
struct sql_lexer {
    const char *s;
    size_t n, pos;
    enum sql_context ctx;
    bool started; /* the opening string of a quoted context was given */
};

/* Starts lx over s[0..n) in context ctx (s not copied: it must outlive lx). The first
 * call also builds the lexer's tables (keyword index, byte classes), once per process:
 * sql_lex_next needs a lexer started here. */
void sql_lex_init(struct sql_lexer *lx, const char *s, size_t n, enum sql_context ctx);
/* The next token into *t; false at the end. */
bool sql_lex_next(struct sql_lexer *lx, struct sql_token *t);
/* The i-th name of the lexer's keyword table (sorted, lower case; static text), NULL
 * past its end: for the tests. */
const char *sql_lex_keyword(size_t i);

#endif
