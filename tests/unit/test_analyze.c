/*
 * test_analyze.c — the web attack analyzers (src/analyze): the request decoding (double
 * encoding, %u, '+', overlong UTF-8, NUL), the SQL lexer's tokens, SQL injection in each
 * context and through the usual evasions (comments inside keywords, case mixing,
 * encoded quotes, UNION/＊＊/SELECT, numbers without quotes, stacked queries, time-based
 * blind payloads), XSS in text, attributes and URLs (<svg onload>, attribute breaking,
 * javascript: with entities, double URL-encoding), and the benign values that look
 * like them — prose about SQL, names with apostrophes, JSON, base64 — which must pass.
 * Each attack is checked through analyze_decode first, as the daemon and the harness
 * do, so an encoded payload is tested as it arrives.
 */
#include "analyze/analyze.h"
#include "analyze/analyze_int.h"
#include "testlib.h"

#include <stdio.h>
#include <string.h>

static char dec[8192];

static size_t decode(const char *s, unsigned *flags)
{
    return analyze_decode(s, strlen(s), true, dec, sizeof dec, flags);
}

static bool sqli(const char *raw)
{
    unsigned fl;
    size_t n = decode(raw, &fl);
    struct analyze_finding f;
    return analyze_sqli(dec, n, &f);
}

static bool xss(const char *raw)
{
    unsigned fl;
    size_t n = decode(raw, &fl);
    struct analyze_finding f;
    return analyze_xss(dec, n, &f);
}

#define T_SQLI(s)                                                                                  \
    do {                                                                                           \
        if (!sqli(s)) {                                                                            \
            t_fail(__FILE__, __LINE__, "SQL injection missed: %s", s);                             \
            return;                                                                                \
        }                                                                                          \
    } while (0)
#define T_NOT_SQLI(s)                                                                              \
    do {                                                                                           \
        if (sqli(s)) {                                                                             \
            t_fail(__FILE__, __LINE__, "benign value flagged as SQL injection: %s", s);            \
            return;                                                                                \
        }                                                                                          \
    } while (0)
#define T_XSS(s)                                                                                   \
    do {                                                                                           \
        if (!xss(s)) {                                                                             \
            t_fail(__FILE__, __LINE__, "XSS missed: %s", s);                                       \
            return;                                                                                \
        }                                                                                          \
    } while (0)
#define T_NOT_XSS(s)                                                                               \
    do {                                                                                           \
        if (xss(s)) {                                                                              \
            t_fail(__FILE__, __LINE__, "benign value flagged as XSS: %s", s);                      \
            return;                                                                                \
        }                                                                                          \
    } while (0)

static void t_decode(void)
{
    unsigned fl;
    size_t n = decode("%2527%20OR%201%3D1", &fl);
    T_EQ_INT(n, 8);
    T_CHECK(!memcmp(dec, "' OR 1=1", 8));
    T_CHECK((fl & ANALYZE_D_URL) && (fl & ANALYZE_D_DOUBLE));
    n = decode("a+b%u0027c", &fl);
    T_CHECK(n == 5 && !memcmp(dec, "a b'c", 5) && (fl & ANALYZE_D_PLUS));
    n = decode("..%c0%af..%c0%afetc", &fl); /* overlong '/' */
    T_CHECK(n == 9 && !memcmp(dec, "../../etc", 9) && (fl & ANALYZE_D_BAD_UTF8));
    n = decode("a%00b", &fl);
    T_CHECK(n == 3 && dec[1] == 0 && (fl & ANALYZE_D_NUL));
    n = decode("caf%C3%A9", &fl); /* valid UTF-8 stays as it is */
    T_CHECK(n == 5 && !(fl & ANALYZE_D_BAD_UTF8));
    n = decode("%zz%4", &fl); /* broken escapes are kept */
    T_CHECK(n == 5 && !memcmp(dec, "%zz%4", 5) && !(fl & ANALYZE_D_URL));
    char small[4];
    n = analyze_decode("abcdefgh", 8, false, small, sizeof small, &fl);
    T_CHECK(n == 4 && (fl & ANALYZE_D_CUT));
    /* decoding terminates on anything: 4 rounds at most */
    n = decode("%25252525252527", &fl);
    T_CHECK(n > 0);
    /* plain runs are copied whole: around escapes, '+' a space only in a query */
    n = analyze_decode("a%41cd+e", 8, false, dec, sizeof dec, &fl);
    T_CHECK(n == 6 && !memcmp(dec, "aAcd+e", 6) && fl == ANALYZE_D_URL);
    n = analyze_decode("a+b%41", 6, true, dec, sizeof dec, &fl);
    T_CHECK(n == 4 && !memcmp(dec, "a bA", 4) && (fl & ANALYZE_D_PLUS));
    n = decode("%", &fl);
    T_CHECK(n == 1 && dec[0] == '%' && !fl);
    n = decode("abc%c0%ae", &fl); /* overlong after an ASCII prefix */
    T_CHECK(n == 4 && !memcmp(dec, "abc.", 4) && (fl & ANALYZE_D_BAD_UTF8));
    n = decode("abc\xff", &fl);
    T_CHECK(n == 4 && (fl & ANALYZE_D_BAD_UTF8));
}

static void t_lexer(void)
{
    const char *s = "1 UNION ALL /*x*/ SELECT sleep(5),@@version FROM t ORDER BY 1-- c";
    struct sql_lexer lx;
    sql_lex_init(&lx, s, strlen(s), SQL_CTX_BARE);
    int want[] = {SQL_NUMBER,  SQL_UNION,  SQL_COMMENT, SQL_STMT,   SQL_FUNC,
                  SQL_LPAREN,  SQL_NUMBER, SQL_RPAREN,  SQL_COMMA,  SQL_VAR,
                  SQL_KEYWORD, SQL_WORD,   SQL_KEYWORD, SQL_NUMBER, SQL_COMMENT};
    struct sql_token t;
    size_t k = 0;
    while (sql_lex_next(&lx, &t)) {
        T_CHECK(k < sizeof want / sizeof want[0]);
        T_EQ_INT(t.kind, want[k]);
        k++;
    }
    T_EQ_INT(k, sizeof want / sizeof want[0]);
    /* every keyword class the table holds is found (the table must stay sorted) */
    const char *words[] = {"abs(", "elt(", "else", "xp_cmdshell(", "waitfor", "xor", "null"};
    int kinds[] = {SQL_FUNC, SQL_FUNC, SQL_KEYWORD, SQL_FUNC, SQL_STMT, SQL_LOGIC, SQL_NUMBER};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        sql_lex_init(&lx, words[i], strlen(words[i]), SQL_CTX_BARE);
        T_CHECK(sql_lex_next(&lx, &t));
        T_EQ_INT(t.kind, kinds[i]);
    }
    /* the keyword table: sorted, unique, lower case, no longer than the index looks up,
     * and every name found by the lexer in any case (the index holds them all) */
    const char *prev = NULL;
    size_t nk = 0;
    for (const char *w; (w = sql_lex_keyword(nk)) != NULL; nk++) {
        size_t wl = strlen(w);
        T_CHECK(wl > 0 && wl <= 40);
        T_CHECK(!prev || strcmp(prev, w) < 0);
        for (size_t i = 0; i < wl; i++)
            T_CHECK(!(w[i] >= 'A' && w[i] <= 'Z'));
        char up[48];
        for (size_t i = 0; i <= wl; i++)
            up[i] = (char)(w[i] >= 'a' && w[i] <= 'z' ? w[i] - 32 : w[i]);
        for (int c = 0; c < 2; c++) {
            const char *form = c ? up : w;
            sql_lex_init(&lx, form, wl, SQL_CTX_BARE);
            T_CHECK(sql_lex_next(&lx, &t));
            T_CHECK(t.off == 0 && t.len == wl);
            /* found: a keyword's kind, or a word with a keyword's flags */
            T_CHECK(t.kind != SQL_WORD || t.flags != 0);
        }
        prev = w;
    }
    T_CHECK(nk > 100);
    /* a quoted context starts inside the application's string */
    sql_lex_init(&lx, "x' OR 'a'='a", 12, SQL_CTX_SQUOTE);
    T_CHECK(sql_lex_next(&lx, &t) && t.kind == SQL_STRING && t.len == 2 && !(t.flags & SQL_F_OPEN));
    T_CHECK(sql_lex_next(&lx, &t) && t.kind == SQL_LOGIC);
    /* MySQL reads 1or1=1 as 1 OR 1=1 */
    sql_lex_init(&lx, "1or1=1", 6, SQL_CTX_BARE);
    T_CHECK(sql_lex_next(&lx, &t) && t.kind == SQL_NUMBER);
    T_CHECK(sql_lex_next(&lx, &t) && t.kind == SQL_LOGIC);
}

static void t_sqli_contexts(void)
{
    T_SQLI("' OR '1'='1");
    T_SQLI("\" or \"a\"=\"a");
    T_SQLI("admin'--");
    T_SQLI("admin')#");
    T_SQLI("1 OR 1=1");
    T_SQLI("1) or (1=1");
    T_SQLI("') or ('x')=('x");
    T_SQLI("x' AND 1=0 UNION SELECT username, password FROM users--");
    T_SQLI("1 AND ASCII(SUBSTRING((SELECT password FROM users LIMIT 1),1,1))>64");
    T_SQLI("' or 2 between 1 and 3");
    T_SQLI("1' ORDER BY 3--");
    T_SQLI(" HAVING 1=1--");
    T_SQLI("select user from sysibm.sysdummy1;");
    T_SQLI("' AND 1=utl_inaddr.get_host_address((SELECT banner FROM v$version WHERE rownum=1))--");
}

static void t_sqli_evasions(void)
{
    T_SQLI("1 UnIoN SeLeCt 1,2,3");                 /* case mixing */
    T_SQLI("1 UNION/**/SELECT 1,2");                /* comments as spaces */
    T_SQLI("1 /*!50000UNION*/ /*!50000SELECT*/ 1"); /* MySQL executable comments */
    T_SQLI("1 UNI/**/ON SEL/**/ECT 1,2");           /* comments inside keywords */
    T_SQLI("%27%20or%20%271%27%3D%271");            /* encoded quotes */
    T_SQLI("%2527%2520or%25201%253D1--");           /* double encoding */
    T_SQLI("1%20or%201=1");                         /* numeric, no quotes */
    T_SQLI("1or1=1");                               /* glued to the number */
    T_SQLI("1; DROP TABLE users--");                /* stacked */
    T_SQLI("'; exec master..xp_cmdshell 'ping 10.0.0.1'--");
    T_SQLI("1; waitfor delay '0:0:10'--"); /* time-based blind */
    T_SQLI("' AND SLEEP(5)#");
    T_SQLI("1 and benchmark(10000000,MD5(1))");
    T_SQLI("1) or pg_sleep(5)--");
    T_SQLI("’ or ‘1’=’1"); /* typographic quotes, best-fit mapped */
    T_SQLI("0x77616974666F722064656C61792027303A303A313027"); /* hex: waitfor delay '0:0:10' */
    T_SQLI("' || (SELECT 1 FROM dual) || '");
    T_SQLI("{\"username\": {\"$ne\": null}}"); /* NoSQL operator */
    T_SQLI("*)(uid=*))(|(uid=*");              /* LDAP filter */
}

static void t_sqli_benign(void)
{
    T_NOT_SQLI("O'Brien");
    T_NOT_SQLI("D'Angelo's pizza");
    T_NOT_SQLI("don't stop believin'");
    T_NOT_SQLI("rock 'n' roll");
    T_NOT_SQLI("5'11\" tall");
    T_NOT_SQLI("select a colour from the list");
    T_NOT_SQLI("how to update drivers");
    T_NOT_SQLI("Tom and Jerry");
    T_NOT_SQLI("'Tom' and 'Jerry'");
    T_NOT_SQLI("1 or 2 bedrooms");
    T_NOT_SQLI("Union Station to Grand Central");
    T_NOT_SQLI("sleep apnea treatment");
    T_NOT_SQLI("order by date");
    T_NOT_SQLI("{\"id\":123,\"name\":\"O'Brien\",\"tags\":[\"a\",\"b\"]}");
    T_NOT_SQLI("dGhpcyBpcyBhIHRlc3Q=");
    T_NOT_SQLI("a+b/c==");
    T_NOT_SQLI(
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    T_NOT_SQLI("Ben & Jerry's");
    T_NOT_SQLI("it's 5 o'clock");
    T_NOT_SQLI("SQL tutorial: how do I use LIKE?");
    T_NOT_SQLI("-- double dash");
    T_NOT_SQLI("#1 best seller");
    T_NOT_SQLI("");
}

static void t_xss(void)
{
    T_XSS("<script>alert(1)</script>");
    T_XSS("<svg onload=alert(1)>");
    T_XSS("<svg/onload=alert(1)>");
    T_XSS("<IMG SRC=x OnErRoR=alert(1)>");
    T_XSS("\"><img src=x onerror=prompt(1)>"); /* attribute breaking */
    T_XSS("\" onmouseover=\"alert(1)");        /* attribute breaking, no tag */
    T_XSS("' autofocus onfocus=alert(1) x='");
    T_XSS("javascript:alert(1)");                              /* URL context */
    T_XSS("<a href=\"&#106;avascript&colon;alert(1)\">x</a>"); /* javascript: with entities */
    T_XSS("<a href=\"jav&#x09;ascript:alert(1)\">x</a>");
    T_XSS("%253Cscript%253Ealert(1)%253C%252Fscript%253E"); /* double URL-encoding */
    T_XSS("<iframe src=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">");
    T_XSS("';alert(String.fromCharCode(88,83,83))//"); /* a script string left */
    T_XSS("\"-prompt(8)-\"");
    T_XSS("<div style=\"width:expression(alert(1))\">");
    T_XSS("alert&lpar;1&rpar;");
    T_XSS("{{constructor.constructor('alert(1)')()}}");
}

static void t_xss_benign(void)
{
    T_NOT_XSS("a < b && c > d");
    T_NOT_XSS("I <3 NY");
    T_NOT_XSS("std::vector<int>");
    T_NOT_XSS("onload event explained");
    T_NOT_XSS("javascript tutorial");
    T_NOT_XSS("learn javascript: the good parts");
    T_NOT_XSS("alert box css");
    T_NOT_XSS("<br> tag meaning");
    T_NOT_XSS("<b>bold</b> and <i>italic</i>");
    T_NOT_XSS("O'Brien");
    T_NOT_XSS("he said \"hi\" to me");
    T_NOT_XSS("{\"msg\":\"he said \\\"hi\\\"\"}");
    T_NOT_XSS("https://example.com/a?b=c&d=e");
    T_NOT_XSS("please confirm your e-mail");
}

/*
 * The lexer's fast paths: glued logical words, operators chosen by their first byte,
 * dangerous names by prefix, keywords in any case through the index.
 */
static void t_lexer_paths(void)
{
    static const struct {
        const char *s;
        int kind;
        uint32_t len;
        uint16_t flags; /* flags that must be set */
    } first[] = {
        {"or1=1", SQL_LOGIC, 2, 0},
        {"AND2>1", SQL_LOGIC, 3, 0},
        {"xOr3", SQL_LOGIC, 3, 0},
        {"orx", SQL_WORD, 3, 0},
        {"order", SQL_KEYWORD, 5, 0},
        {"andy", SQL_WORD, 4, 0},
        {"<=>1", SQL_OP, 3, SQL_F_CMP},
        {"->>'$.a'", SQL_OP, 3, 0},
        {"!<1", SQL_OP, 2, SQL_F_CMP},
        {"!~1", SQL_OP, 1, 0},
        {"==1", SQL_OP, 2, SQL_F_CMP},
        {":=1", SQL_OP, 2, 0},
        {":", SQL_OTHER, 1, 0},
        {"||1", SQL_LOGIC, 2, 0},
        {"|1", SQL_OP, 1, 0},
        {"<>1", SQL_OP, 2, SQL_F_CMP},
        {"-1", SQL_OP, 1, 0},
        {"XP_CMDSHELL", SQL_WORD, 11, SQL_F_DANGER},
        {"sp_who", SQL_WORD, 6, SQL_F_DANGER},
        {"Sys.objects", SQL_WORD, 11, SQL_F_DANGER},
        {"Information_Schema.tables", SQL_WORD, 25, SQL_F_DANGER},
        {"MASTER..SYSDATABASES", SQL_WORD, 20, SQL_F_DANGER},
        {"UNION", SQL_UNION, 5, 0},
        {"SeLeCt", SQL_STMT, 6, SQL_F_SELECT},
        {"Sleep (1)", SQL_FUNC, 5, SQL_F_TIMING},
    };
    for (size_t i = 0; i < sizeof first / sizeof first[0]; i++) {
        struct sql_lexer lx;
        struct sql_token t;
        sql_lex_init(&lx, first[i].s, strlen(first[i].s), SQL_CTX_BARE);
        T_CHECK(sql_lex_next(&lx, &t));
        if (t.kind != first[i].kind || t.len != first[i].len ||
            (t.flags & first[i].flags) != first[i].flags) {
            t_fail(__FILE__, __LINE__, "%s: kind %d len %u flags %u", first[i].s, t.kind,
                   (unsigned)t.len, (unsigned)t.flags);
            return;
        }
    }
    /* a number ends where a glued word starts, in any case */
    struct sql_lexer lx;
    struct sql_token t;
    sql_lex_init(&lx, "1UNION", 6, SQL_CTX_BARE);
    T_CHECK(sql_lex_next(&lx, &t) && t.kind == SQL_NUMBER && t.len == 1);
    T_CHECK(sql_lex_next(&lx, &t) && t.kind == SQL_UNION);
}

/*
 * Attacks at the edge of each shortcut the analyzers take (a path skipped when the value
 * lacks the bytes it needs): each must still be found, through the path named.
 */
static void t_prefilter_edges(void)
{
    /* no quote: only the bare context; no punctuation at all; a keyword in capitals */
    T_SQLI("1 or 1=1");
    T_SQLI("1 AND SLEEP(5)");
    T_SQLI("1;DROP TABLE x");
    T_SQLI("1 union select 1");
    T_SQLI("1UNION SELECT 1");
    T_SQLI("1 AND BENCHMARK(1000000,MD5(1))");
    T_SQLI("1 union select table_name from Information_Schema.tables");
    /* only a double quote: the double-quoted context alone */
    T_SQLI("a\" or \"1\"=\"1");
    /* only typographic quotes: no ASCII quote until the second, folded pass */
    T_SQLI("admin’--");
    T_SQLI("admin’ or ’1’=’1");
    T_SQLI("1” or ”1”=”1");
    /* comments inside words, joined only by the folded pass */
    T_SQLI("1 un/*x*/ion sel/*x*/ect 1,2");
    /* NoSQL with a '$' and no quote; LDAP with only ( ) = *; quote probes with no letter */
    T_SQLI("user[$ne]=x");
    T_SQLI("x)(|(cn=*)");
    T_SQLI("admin*)(cn=*"); /* and none of ; & | */
    T_SQLI("')");
    T_SQLI("\"'");
    /* server-side JavaScript: quote, '(' and ';' */
    T_SQLI("'; while(true){}; var x='");
    /* hex literals, in a plain run of word characters and after a space */
    T_SQLI("0x73656c65637420404076657273696f6e");
    T_SQLI("a 0x73656c65637420404076657273696f6e");
    /* typographic quotes in prose stay prose after folding */
    T_NOT_SQLI("it’s fine");
    T_NOT_SQLI("5’11” tall");

    /* XSS: the script URL, CSS and template paths without a tag; computed calls */
    T_XSS("<svg/onload=alert(1)>");
    T_XSS("javascript:alert(1)");
    T_XSS("&#106;avascript:alert(1)");
    T_XSS("al\\u0065rt(1)");
    T_XSS("x:expression(document.cookie)");
    T_XSS("<div style=\"behavior:url(x.htc)\">");
    T_XSS("<div style=\"-moz-binding:url(http://x/xss.xml#xss)\">");
    T_XSS("<a style=\"-moz-binding url(x.xml#x)\">"); /* no ':' */
    T_XSS("<style>@import'http://x/xss.css';</style>");
    T_XSS("{{'a'.constructor.prototype.charAt=[].join}}");
    T_XSS("window[\"alert\"](1)");
    T_XSS("self['ale'%2B'rt'](1)");
    T_XSS("ALERT(1)");
    T_XSS("[1].find(alert)");
    T_NOT_XSS("xtop['a'](1)"); /* not the global "top" */
}

/* Whether analyze_sqli finds raw (decoded first) for the reason given, at off+len. */
static bool sqli_at(const char *raw, const char *why, size_t off, size_t len)
{
    unsigned fl;
    size_t n = decode(raw, &fl);
    struct analyze_finding f;
    return analyze_sqli(dec, n, &f) && !strcmp(f.why, why) && f.off == off && f.len == len;
}

/*
 * The side paths of the SQL injection analyzer visit only the places that can start a
 * match: NoSQL operators at each '$', LDAP marks up to two bytes before each '(', hex
 * literals at each 'x' after a '0'. The first place and the list's order still decide.
 */
static void t_sqli_side_paths(void)
{
    T_CHECK(sqli_at("x=(|(a)*)(", "LDAP filter injection", 7, 3)); /* "*)(" wins, found last */
    T_CHECK(sqli_at("=*)(", "LDAP filter injection", 1, 3));       /* '(' two bytes in */
    T_CHECK(sqli_at("=a)(|b", "LDAP filter injection", 2, 4));     /* one byte in */
    T_CHECK(sqli_at("=(!(x", "LDAP filter injection", 1, 4));      /* at the '(' */
    T_CHECK(sqli_at("a=b)(&", "LDAP filter injection", 3, 3));     /* at the end */
    T_CHECK(sqli_at("{\"$gte\": 1}", "NoSQL operator", 2, 6)); /* $gt is tried, not a word end */
    T_CHECK(sqli_at("x[$ne]=1", "NoSQL operator", 2, 5));
    T_CHECK(sqli_at("a $where: 1", "NoSQL operator", 2, 7));
    T_NOT_SQLI("$or");
    T_CHECK(sqli_at("0x12 0x73656c65637420404076657273696f6e", "SQL in a hex literal", 5, 34));
    T_CHECK(sqli_at("x0x0x73656c65637420404076657273696f6e", "SQL in a hex literal", 3, 34));
}

/* The reason analyze_xss gives for raw (decoded first), or "" when it passes. */
static const char *xss_why(const char *raw)
{
    unsigned fl;
    size_t n = decode(raw, &fl);
    struct analyze_finding f;
    return analyze_xss(dec, n, &f) ? f.why : "";
}

/*
 * Attacks at the edge of the XSS shortcuts: the escaped sink is looked for only when
 * decoding the references changed more than the case (a tab dropped is enough); a CSS
 * pattern only when every byte of it is in the decoded text (a '(' from a reference, a
 * comment or a backslash inside the word); a script URL by its first letter.
 */
static void t_xss_shortcut_edges(void)
{
    T_EQ_STR(xss_why("al%09ert(1)"), "script sink called (escaped)");
    T_EQ_STR(xss_why("al&#x65;rt(1)"), "script sink called (escaped)");
    T_EQ_STR(xss_why("ALERT&lpar;1)"), "script sink called (escaped)");
    T_EQ_STR(xss_why("x:expression&#40;1)"), "template or style expression");
    T_EQ_STR(xss_why("x:expre/**/ssion(1)"), "template or style expression");
    T_EQ_STR(xss_why("x:ex\\pression(1)"), "template or style expression");
    T_EQ_STR(xss_why("-moz-binding:x"), "template or style expression");
    T_EQ_STR(xss_why("@import 'x'"), "template or style expression");
    T_EQ_STR(xss_why("{{x.constructor}}"), "template or style expression");
    T_EQ_STR(xss_why("{x}{constructor}"), "");
    T_EQ_STR(xss_why("<div style=\"x:url(vbscri&#112;t:x)\">"), "script in a style attribute");
    T_EQ_STR(xss_why("<style>x{behavior:url(a.htc)}</style>"), "script in a style sheet");
    T_EQ_STR(xss_why("DATA:TEXT/HTML,x"), "script URL");
    T_EQ_STR(xss_why(" \"mocha:x"), "script URL");
    T_EQ_STR(xss_why("jav&#x09;ascript:x"), "script URL");
    T_EQ_STR(xss_why("expression"), "");
    /* a handler after a quote: sought once for all the quotes, 64 bytes at most away,
     * right after a backtick only for that backtick */
    static char far[80];
    snprintf(far, sizeof far, "\"%62s onx=1", "");
    T_EQ_STR(xss_why(far), "breaks out of a string or attribute into script");
    snprintf(far, sizeof far, "\"%63s onx=1", "");
    T_EQ_STR(xss_why(far), "");
    T_EQ_STR(xss_why("`onload=1"), "breaks out of a string or attribute into script");
    unsigned fl;
    size_t n = decode("x`y`onload=1", &fl);
    struct analyze_finding f;
    T_CHECK(analyze_xss(dec, n, &f) && f.off == 3); /* the second backtick, not the first */
    T_EQ_STR(xss_why("\"x onload"), "");
    /* tags found from one '<' to the next */
    T_EQ_STR(xss_why("a<3 <svg onload=x>"), "event handler attribute");
    T_EQ_STR(xss_why("<"), "");
}

/* Long values and junk: linear time, no crash, the carried window still judges. */
static void t_bounds(void)
{
    static char big[60000];
    memset(big, 'a', sizeof big);
    for (size_t i = 0; i + 2 < sizeof big; i += 3)
        big[i] = ' ';
    const char *tail = " 1 UNION SELECT 1,2";
    memcpy(big + sizeof big - strlen(tail) - 1, tail, strlen(tail));
    big[sizeof big - 1] = 0;
    struct analyze_finding f;
    T_CHECK(analyze_sqli(big, strlen(big), &f));
    T_CHECK(!strcmp(f.why, "UNION SELECT"));
    for (size_t i = 0; i < sizeof big - 1; i++)
        big[i] = "'\"()<>/*-#;=&|`\\\n"[i % 17];
    (void)analyze_sqli(big, sizeof big - 1, &f);
    (void)analyze_xss(big, sizeof big - 1, &f);
    T_CHECK(!analyze_sqli("", 0, &f) && !analyze_xss("", 0, &f));
}

int main(void)
{
    t_run("decode", t_decode);
    t_run("lexer", t_lexer);
    t_run("lexer_paths", t_lexer_paths);
    t_run("sqli_contexts", t_sqli_contexts);
    t_run("sqli_evasions", t_sqli_evasions);
    t_run("sqli_benign", t_sqli_benign);
    t_run("xss", t_xss);
    t_run("xss_benign", t_xss_benign);
    t_run("prefilter_edges", t_prefilter_edges);
    t_run("sqli_side_paths", t_sqli_side_paths);
    t_run("xss_shortcut_edges", t_xss_shortcut_edges);
    t_run("bounds", t_bounds);
    return t_done();
}
