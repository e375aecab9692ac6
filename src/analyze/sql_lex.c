/*
 * sql_lex.c — a lexer of SQL as the databases behind web applications read it, for the
 * SQL injection analyzer (an_sqli.c). It reads a request value the way the database
 * would once the application pasted it into a query: in a given context (as is, or
 * inside a '...' or "..." string whose opening quote the application wrote), with the
 * comments of every dialect (-- # / * * / and MySQL's executable / *! * /), strings with
 * doubled-quote and backslash escapes, hex and scientific numbers, @variables, `quoted`
 * and [bracketed] names, and the keywords and functions of MySQL, MSSQL, PostgreSQL,
 * Oracle, SQLite and DB2 folded into one vocabulary (analyze_int.h).
 *
 * Nothing is allocated and every token consumes at least one byte, so a value costs
 * time linear in its length whatever an attacker puts in it. Keywords are found through
 * a hash index built once from the table; operators by their first byte; the byte
 * classes (word, space) through a table built at the same time.
 */
#include "analyze/analyze_int.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

struct kw {
    const char *w;
    uint8_t kind;
    uint16_t flags;
};

/* Sorted by name (lower case), for readers; looked up through kw_find's index. Functions
 * named here are only SQL_FUNC when a '(' follows; otherwise the kind given applies
 * (SQL_WORD for plain functions). */
#define F SQL_FUNC
#define K SQL_F_KNOWN
static const struct kw keywords[] = {
    {"abs", F, K},
    {"all", SQL_KEYWORD, 0},
    {"all_tables", SQL_WORD, SQL_F_DANGER},
    {"all_users", SQL_WORD, SQL_F_DANGER},
    {"alter", SQL_STMT, 0},
    {"analyse", SQL_KEYWORD, 0},
    {"and", SQL_LOGIC, 0},
    {"as", SQL_KEYWORD, 0},
    {"asc", SQL_KEYWORD, 0},
    {"ascii", F, K},
    {"avg", F, K},
    {"backup", SQL_STMT, 0},
    {"benchmark", F, K | SQL_F_TIMING},
    {"between", SQL_OP, SQL_F_CMP},
    {"bin", F, K},
    {"by", SQL_KEYWORD, 0},
    {"call", SQL_STMT, 0},
    {"case", SQL_KEYWORD, 0},
    {"cast", F, K},
    {"char", F, K},
    {"char_length", F, K},
    {"chr", F, K},
    {"coalesce", F, K},
    {"collate", SQL_OP, 0},
    {"concat", F, K},
    {"concat_ws", F, K},
    {"convert", F, K},
    {"copy", SQL_STMT, 0},
    {"count", F, K},
    {"create", SQL_STMT, 0},
    {"ctxsys.drithsx.sn", F, K | SQL_F_DANGER},
    {"current_database", F, K},
    {"current_setting", F, K | SQL_F_DANGER},
    {"current_user", F, K},
    {"database", F, K},
    {"db_name", F, K},
    {"dba_users", SQL_WORD, SQL_F_DANGER},
    {"dbcc", SQL_STMT, 0},
    {"dbms_lock.sleep", F, K | SQL_F_TIMING},
    {"dbms_pipe.receive_message", F, K | SQL_F_TIMING},
    {"declare", SQL_STMT, 0},
    {"delay", SQL_KEYWORD, SQL_F_TIMING},
    {"delete", SQL_STMT, 0},
    {"desc", SQL_KEYWORD, 0},
    {"distinct", SQL_KEYWORD, 0},
    {"div", SQL_OP, 0},
    {"drop", SQL_STMT, 0},
    {"dumpfile", SQL_KEYWORD, SQL_F_DANGER},
    {"else", SQL_KEYWORD, 0},
    {"elt", F, K},
    {"end", SQL_KEYWORD, 0},
    {"escape", SQL_OP, 0},
    {"exec", SQL_STMT, 0},
    {"execute", SQL_STMT, 0},
    {"exists", SQL_KEYWORD, 0},
    {"exp", F, K},
    {"extractvalue", F, K},
    {"false", SQL_NUMBER, 0},
    {"floor", F, K},
    {"from", SQL_KEYWORD, 0},
    {"generate_series", F, K},
    {"glob", SQL_OP, SQL_F_CMP},
    {"grant", SQL_STMT, 0},
    {"group", SQL_KEYWORD, 0},
    {"group_concat", F, K},
    {"having", SQL_KEYWORD, 0},
    {"hex", F, K},
    {"host_name", F, K},
    {"if", F, K},
    {"ifnull", F, K},
    {"iif", F, K},
    {"in", SQL_OP, SQL_F_CMP},
    {"information_schema", SQL_WORD, SQL_F_DANGER},
    {"insert", SQL_STMT, 0},
    {"instr", F, K},
    {"into", SQL_KEYWORD, 0},
    {"is", SQL_OP, SQL_F_CMP},
    {"is_srvrolemember", F, K | SQL_F_DANGER},
    {"isnull", F, K},
    {"join", SQL_KEYWORD, 0},
    {"json_extract", F, K},
    {"length", F, K},
    {"like", SQL_OP, SQL_F_CMP},
    {"limit", SQL_KEYWORD, 0},
    {"load_file", F, K | SQL_F_DANGER},
    {"locate", F, K},
    {"lower", F, K},
    {"make_set", F, K},
    {"master..sysdatabases", SQL_WORD, SQL_F_DANGER},
    {"max", F, K},
    {"md5", F, K},
    {"merge", SQL_STMT, 0},
    {"mid", F, K},
    {"min", F, K},
    {"mod", SQL_OP, 0},
    {"name_const", F, K},
    {"not", SQL_OP, 0},
    {"now", F, K},
    {"null", SQL_NUMBER, 0},
    {"nullif", F, K},
    {"offset", SQL_KEYWORD, 0},
    {"opendatasource", F, K | SQL_F_DANGER},
    {"openrowset", F, K | SQL_F_DANGER},
    {"or", SQL_LOGIC, 0},
    {"ord", F, K},
    {"order", SQL_KEYWORD, 0},
    {"outfile", SQL_KEYWORD, SQL_F_DANGER},
    {"pg_read_file", F, K | SQL_F_DANGER},
    {"pg_sleep", F, K | SQL_F_TIMING},
    {"procedure", SQL_KEYWORD, 0},
    {"rand", F, K},
    {"randomblob", F, K | SQL_F_TIMING},
    {"regexp", SQL_OP, SQL_F_CMP},
    {"repeat", F, K},
    {"replace", F, K},
    {"reverse", F, K},
    {"revoke", SQL_STMT, 0},
    {"rlike", SQL_OP, SQL_F_CMP},
    {"round", F, K},
    {"schema", F, K},
    {"select", SQL_STMT, SQL_F_SELECT},
    {"session_user", F, K},
    {"sha1", F, K},
    {"shutdown", SQL_STMT, 0},
    {"sleep", F, K | SQL_F_TIMING},
    {"sounds", SQL_OP, SQL_F_CMP},
    {"sp_oacreate", F, K | SQL_F_DANGER},
    {"space", F, K},
    {"sqlite_master", SQL_WORD, SQL_F_DANGER},
    {"sqlite_version", F, K},
    {"substr", F, K},
    {"substring", F, K},
    {"substring_index", F, K},
    {"sum", F, K},
    {"sysdate", F, K},
    {"sysobjects", SQL_WORD, SQL_F_DANGER},
    {"system_user", F, K},
    {"table", SQL_KEYWORD, 0},
    {"then", SQL_KEYWORD, 0},
    {"to_char", F, K},
    {"top", SQL_KEYWORD, 0},
    {"trim", F, K},
    {"true", SQL_NUMBER, 0},
    {"truncate", SQL_STMT, 0},
    {"unhex", F, K},
    {"union", SQL_UNION, 0},
    {"update", SQL_STMT, 0},
    {"updatexml", F, K},
    {"upper", F, K},
    {"user", F, K},
    {"user_name", F, K},
    {"utl_http.request", F, K | SQL_F_DANGER},
    {"utl_inaddr.get_host_address", F, K | SQL_F_DANGER},
    {"values", SQL_KEYWORD, 0},
    {"version", F, K},
    {"waitfor", SQL_STMT, SQL_F_WAIT | SQL_F_TIMING},
    {"when", SQL_KEYWORD, 0},
    {"where", SQL_KEYWORD, 0},
    {"xmltype", F, K},
    {"xor", SQL_LOGIC, 0},
    {"xp_cmdshell", F, K | SQL_F_DANGER},
    {"xp_dirtree", F, K | SQL_F_DANGER},
    {"xp_regread", F, K | SQL_F_DANGER},
};
#undef F
#undef K

/* System tables and schemas reached through a dotted name (sysibm.systables). */
static const char *const danger_prefixes[] = {
    "information_schema.", "sysibm.", "pg_catalog.", "mysql.", "sys.", "master.", "msdb."};

/*
 * The keyword index: an open-addressing hash of the table's names, built once (the
 * table itself stays sorted for readers and for sql_lex_keyword). KW_SLOTS is a power of
 * two over twice the table's size, so a probe run is short; a slot holds an index into
 * keywords plus one (0: empty).
 */
#define NKEYWORDS (sizeof keywords / sizeof keywords[0])
#define KW_SLOTS 512
#define KW_LONGEST 40 /* longer words are not looked up (a unit test checks the names) */
_Static_assert(NKEYWORDS < 255 && 2 * NKEYWORDS < KW_SLOTS, "the keyword index is too small");

static uint8_t kw_slot[KW_SLOTS];
static uint8_t kw_len[NKEYWORDS];
static pthread_once_t kw_once = PTHREAD_ONCE_INIT;

/* Bit l of kw_lens[c]: a keyword of length l starts with byte c (either case). */
static uint64_t kw_lens[256];
_Static_assert(KW_LONGEST < 64, "kw_lens holds lengths below 64");

/* Byte classes (lex_class): a byte of a name, white space. */
enum { LX_WORD = 1, LX_SPACE = 2 };
static uint8_t lex_class[256];

/* A byte of a name: letters, digits, _ $ and any byte of a UTF-8 sequence. */
static bool word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || c >= 0x80;
}

/* White space as the databases skip it (0xa0: a no-break space in Latin-1). */
static bool space_byte(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == 0xa0;
}

static uint32_t kw_hash(const char *lower, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)lower[i]) * 16777619u;
    return h;
}

/* Builds the keyword index and the byte classes (once, from sql_lex_init). */
static void kw_index(void)
{
    for (unsigned c = 0; c < 256; c++)
        lex_class[c] = (uint8_t)((word_byte((unsigned char)c) ? LX_WORD : 0) |
                                 (space_byte((unsigned char)c) ? LX_SPACE : 0));
    for (size_t k = 0; k < NKEYWORDS; k++) {
        kw_len[k] = (uint8_t)strlen(keywords[k].w);
        unsigned char c0 = (unsigned char)keywords[k].w[0];
        kw_lens[c0] |= (uint64_t)1 << kw_len[k];
        if (c0 >= 'a' && c0 <= 'z')
            kw_lens[c0 - 32] |= (uint64_t)1 << kw_len[k];
        uint32_t h = kw_hash(keywords[k].w, kw_len[k]) & (KW_SLOTS - 1);
        while (kw_slot[h])
            h = (h + 1) & (KW_SLOTS - 1);
        kw_slot[h] = (uint8_t)(k + 1);
    }
}

/* The keyword s[0..n) is, in any case; NULL when none. The word is lowered and hashed
 * in one pass (kw_hash's FNV-1a). The index is built by sql_lex_init. */
static const struct kw *kw_find(const char *s, size_t n)
{
    /* most words fail on their first byte and length, before being lowered */
    if (n > KW_LONGEST || !((kw_lens[(unsigned char)s[0]] >> n) & 1))
        return NULL;
    char lower[KW_LONGEST];
    uint32_t hash = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80)
            return NULL; /* the names are ASCII */
        c = (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        lower[i] = (char)c;
        hash = (hash ^ c) * 16777619u;
    }
    for (uint32_t h = hash & (KW_SLOTS - 1); kw_slot[h]; h = (h + 1) & (KW_SLOTS - 1)) {
        size_t k = kw_slot[h] - 1u;
        if (kw_len[k] == n && !memcmp(keywords[k].w, lower, n))
            return &keywords[k];
    }
    return NULL;
}

/* See analyze_int.h. */
const char *sql_lex_keyword(size_t i)
{
    return i < NKEYWORDS ? keywords[i].w : NULL;
}

static bool word_char(unsigned char c)
{
    return lex_class[c] & LX_WORD;
}

static bool space(unsigned char c)
{
    return lex_class[c] & LX_SPACE;
}

/* The end of a string opened at s[start] (its quote), past the closing quote; *open set
 * when the value ends first. Doubled quotes and backslashes escape. */
static size_t string_end(const char *s, size_t n, size_t start, char q, bool *open)
{
    size_t i = start + 1, qi = 0; /* qi: the next quote at or after i, once known */
    bool known = false;
    while (i < n) {
        /* the text up to the next quote or backslash, whichever comes first; the quote is
         * searched again only once i has passed it, so each byte is looked at twice at
         * most (linear even with a long run of backslashes) */
        if (!known || qi < i) {
            const char *qp = memchr(s + i, q, n - i);
            qi = qp ? (size_t)(qp - s) : n;
            known = true;
        }
        const char *bp = memchr(s + i, '\\', qi - i);
        i = bp ? (size_t)(bp - s) : qi;
        if (i >= n)
            break;
        if (s[i] == '\\' && i + 1 < n) {
            i += 2;
        } else if (s[i] == q) {
            if (i + 1 < n && s[i + 1] == q) {
                i += 2;
            } else {
                *open = false;
                return i + 1;
            }
        } else {
            i++;
        }
    }
    *open = true;
    return n;
}

/* Skips white space and block comments from i (not executable ones); the new index. */
static size_t skip_gap(const char *s, size_t n, size_t i)
{
    for (;;) {
        while (i < n && space((unsigned char)s[i]))
            i++;
        if (i + 1 < n && s[i] == '/' && s[i + 1] == '*' && (i + 2 >= n || s[i + 2] != '!')) {
            const char *e = memmem(s + i + 2, n - i - 2, "*/", 2);
            i = e ? (size_t)(e - s) + 2 : n;
            continue;
        }
        return i;
    }
}

/* True when the word s[i..i+len) is followed (past gaps) by the word w. */
static bool next_word_is(const char *s, size_t n, size_t i, const char *w, size_t *end)
{
    size_t j = skip_gap(s, n, i), k = 0, wl = strlen(w);
    while (k < wl && j + k < n && (s[j + k] | 0x20) == w[k])
        k++;
    if (k < wl || (j + k < n && word_char((unsigned char)s[j + k])))
        return false;
    *end = j + k;
    return true;
}

/* See analyze_int.h. */
void sql_lex_init(struct sql_lexer *lx, const char *s, size_t n, enum sql_context ctx)
{
    pthread_once(&kw_once, kw_index);
    *lx = (struct sql_lexer){.s = s, .n = n, .ctx = ctx};
}

static bool lex_word(struct sql_lexer *lx, struct sql_token *t)
{
    const char *s = lx->s;
    size_t n = lx->n, i = lx->pos;
    bool dot = false; /* a '.' in the name */
    /* dotted names: a.b, master..sysdatabases, utl_inaddr.get_host_address */
    while (i < n) {
        if (word_char((unsigned char)s[i]))
            i++;
        else if (s[i] == '.' && i + 1 < n &&
                 (word_char((unsigned char)s[i + 1]) || s[i + 1] == '.'))
            i++, dot = true;
        else
            break;
    }
    size_t len = i - lx->pos;
    /* a one-letter prefix then a quote: N'..' X'..' B'..' E'..' are strings */
    if (len == 1 && i < n && (s[i] == '\'') && strchr("NnXxBbEe", s[lx->pos])) {
        bool open;
        size_t e = string_end(s, n, i, '\'', &open);
        *t = (struct sql_token){SQL_STRING, open ? SQL_F_OPEN : 0, (uint32_t)lx->pos,
                                (uint32_t)(e - lx->pos)};
        lx->pos = e;
        return true;
    }
    /* or1=1, and2>1: a logical word glued to a number, as MySQL reads it */
    const char *w = s + lx->pos;
    size_t lw = len >= 3 && (w[0] | 0x20) == 'o' && (w[1] | 0x20) == 'r' ? 2
                : len >= 4 && ((w[0] | 0x20) == 'a' || (w[0] | 0x20) == 'x') &&
                        (w[1] | 0x20) == ((w[0] | 0x20) == 'a' ? 'n' : 'o') &&
                        (w[2] | 0x20) == ((w[0] | 0x20) == 'a' ? 'd' : 'r')
                    ? 3
                    : 0;
    if (lw && s[lx->pos + lw] >= '0' && s[lx->pos + lw] <= '9') {
        *t = (struct sql_token){SQL_LOGIC, 0, (uint32_t)lx->pos, (uint32_t)lw};
        lx->pos += lw;
        return true;
    }
    *t = (struct sql_token){SQL_WORD, 0, (uint32_t)lx->pos, (uint32_t)len};
    const struct kw *k = kw_find(s + lx->pos, len);
    /* skip_gap moves only over white space and a comment's '/' */
    size_t gap = i < n && (space((unsigned char)s[i]) || s[i] == '/') ? skip_gap(s, n, i) : i, end;
    bool paren = gap < n && s[gap] == '(';
    if (k) {
        t->kind = k->kind;
        t->flags = k->flags;
        if (k->kind == SQL_FUNC && !paren) {
            t->kind = SQL_WORD; /* a function's name without '(' is just a name */
            t->flags = (uint16_t)((t->flags & ~SQL_F_KNOWN) | SQL_F_NAME);
        } else if (k->kind != SQL_FUNC && paren && k->kind == SQL_WORD) {
            t->kind = SQL_FUNC;
        }
        if (k->kind == SQL_UNION &&
            (next_word_is(s, n, i, "all", &end) || next_word_is(s, n, i, "distinct", &end)))
            i = end;
        if ((k->w[0] == 'o' || k->w[0] == 'g') &&
            (!strcmp(k->w, "order") || !strcmp(k->w, "group")) &&
            next_word_is(s, n, i, "by", &end)) {
            t->flags |= SQL_F_BY;
            i = end;
        }
    } else {
        if (paren)
            t->kind = SQL_FUNC;
        /* every prefix ends with '.': an undotted name has none */
        for (size_t p = 0; dot && p < sizeof danger_prefixes / sizeof danger_prefixes[0]; p++) {
            size_t pl = strlen(danger_prefixes[p]);
            if (len > pl && !strncasecmp(w, danger_prefixes[p], pl))
                t->flags |= SQL_F_DANGER;
        }
        if (len >= 3 && w[2] == '_' && (w[1] | 0x20) == 'p' &&
            ((w[0] | 0x20) == 'x' || (w[0] | 0x20) == 's'))
            t->flags |= SQL_F_DANGER;
    }
    t->len = (uint32_t)(i - lx->pos);
    lx->pos = i;
    return true;
}

static bool lex_number(struct sql_lexer *lx, struct sql_token *t)
{
    const char *s = lx->s;
    size_t n = lx->n, i = lx->pos;
    if (i + 1 < n && s[i] == '0' && (s[i + 1] | 0x20) == 'x') {
        i += 2;
        while (i < n && strchr("0123456789abcdefABCDEF", s[i]) && s[i])
            i++;
    } else {
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i < n && s[i] == '.') {
            i++;
            while (i < n && s[i] >= '0' && s[i] <= '9')
                i++;
        }
        if (i + 1 < n && (s[i] | 0x20) == 'e' &&
            ((s[i + 1] >= '0' && s[i + 1] <= '9') ||
             ((s[i + 1] == '+' || s[i + 1] == '-') && i + 2 < n && s[i + 2] >= '0' &&
              s[i + 2] <= '9'))) {
            i += 2;
            while (i < n && s[i] >= '0' && s[i] <= '9')
                i++;
        }
    }
    /* MySQL reads 1or1=1 as 1 OR 1=1: a number ends where a logical word starts */
    static const char *const glued[] = {"or", "and", "xor", "union", "like", "div"};
    /* the words' first letters: o a x u l d */
    char g0 = i < n ? (char)(s[i] | 0x20) : 0;
    bool may_glue = g0 == 'o' || g0 == 'a' || g0 == 'x' || g0 == 'u' || g0 == 'l' || g0 == 'd';
    for (size_t g = 0; may_glue && g < sizeof glued / sizeof glued[0]; g++) {
        size_t gl = strlen(glued[g]);
        if (i + gl <= n && !strncasecmp(s + i, glued[g], gl) &&
            (i + gl == n || !word_char((unsigned char)s[i + gl]) ||
             (s[i + gl] >= '0' && s[i + gl] <= '9'))) {
            *t = (struct sql_token){SQL_NUMBER, 0, (uint32_t)lx->pos, (uint32_t)(i - lx->pos)};
            lx->pos = i;
            return true;
        }
    }
    if (i < n && word_char((unsigned char)s[i]) && s[i] != '$') {
        /* 2pm, 3rd, 1abc: a word, not a number (MySQL reads 1e1a the same way) */
        return lex_word(lx, t);
    }
    *t = (struct sql_token){SQL_NUMBER, 0, (uint32_t)lx->pos, (uint32_t)(i - lx->pos)};
    lx->pos = i;
    return true;
}

/*
 * Operators, longest first: <=> ->> <= >= <> != == := !< !> -> = < > + - * / % ^ | & ~ !
 * (|| and && are logical words). Chosen by the first byte, then the longest form that
 * matches; comparisons (those starting with = < > and the two-byte ! forms) carry
 * SQL_F_CMP.
 */
static bool lex_op(struct sql_lexer *lx, struct sql_token *t)
{
    const char *s = lx->s + lx->pos;
    size_t left = lx->n - lx->pos;
    char c1 = left >= 2 ? s[1] : 0, c2 = left >= 3 ? s[2] : 0;
    size_t l = 1;
    bool cmp = false;
    switch (s[0]) {
    case '|':
    case '&':
        if (c1 == s[0]) {
            *t = (struct sql_token){SQL_LOGIC, 0, (uint32_t)lx->pos, 2};
            lx->pos += 2;
            return true;
        }
        break;
    case '<':
        l = c1 == '=' && c2 == '>' ? 3 : c1 == '=' || c1 == '>' ? 2 : 1;
        cmp = true;
        break;
    case '>':
    case '=':
        l = c1 == '=' ? 2 : 1;
        cmp = true;
        break;
    case '!':
        l = c1 == '=' || c1 == '<' || c1 == '>' ? 2 : 1;
        cmp = l == 2;
        break;
    case '-':
        l = c1 == '>' && c2 == '>' ? 3 : c1 == '>' ? 2 : 1;
        break;
    case ':':
        if (c1 != '=')
            return false;
        l = 2;
        break;
    case '+':
    case '*':
    case '/':
    case '%':
    case '^':
    case '~':
        break;
    default:
        return false;
    }
    *t = (struct sql_token){SQL_OP, cmp ? SQL_F_CMP : 0, (uint32_t)lx->pos, (uint32_t)l};
    lx->pos += l;
    return true;
}

/* Past white space and MySQL's executable comment marks from i: / *! and / *!50000 open
 * code, * / closes it; the code inside is lexed as any other. */
static size_t skip_blank(const char *s, size_t n, size_t i)
{
    for (;;) {
        while (i < n && space((unsigned char)s[i]))
            i++;
        if (i + 2 < n && s[i] == '/' && s[i + 1] == '*' && s[i + 2] == '!') {
            i += 3;
            while (i < n && s[i] >= '0' && s[i] <= '9')
                i++;
            continue;
        }
        if (i + 1 < n && s[i] == '*' && s[i + 1] == '/') {
            i += 2;
            continue;
        }
        return i;
    }
}

/* A one-byte token at i. */
static bool lex_single(struct sql_lexer *lx, struct sql_token *t, uint8_t kind)
{
    *t = (struct sql_token){kind, 0, (uint32_t)lx->pos, 1};
    lx->pos++;
    return true;
}

/* See analyze_int.h. Names first (most tokens are names); the other tokens by their
 * first byte. */
bool sql_lex_next(struct sql_lexer *lx, struct sql_token *t)
{
    const char *s = lx->s;
    size_t n = lx->n;
    if (!lx->started) {
        lx->started = true;
        if (lx->ctx != SQL_CTX_BARE) {
            /* the application opened the string: the value starts inside it */
            bool open;
            char q = lx->ctx == SQL_CTX_SQUOTE ? '\'' : '"';
            size_t e = string_end(s, n, SIZE_MAX, q, &open); /* SIZE_MAX + 1: from 0 */
            *t = (struct sql_token){SQL_STRING, open ? SQL_F_OPEN : 0, 0, (uint32_t)e};
            lx->pos = e;
            return true;
        }
    }
    size_t i = skip_blank(s, n, lx->pos);
    lx->pos = i;
    if (i >= n)
        return false;
    unsigned char c = (unsigned char)s[i];
    uint32_t off = (uint32_t)i;
    bool digit = c >= '0' && c <= '9';
    /* no byte of a name starts anything else but a number (a digit) */
    if (word_char(c) && !digit)
        return lex_word(lx, t);
    if (digit)
        return lex_number(lx, t);
    switch (c) {
    case '-':
    case '#':
        if (c == '#' || (i + 1 < n && s[i + 1] == '-')) {
            const char *nl = memchr(s + i, '\n', n - i);
            size_t e = nl ? (size_t)(nl - s) : n;
            *t = (struct sql_token){SQL_COMMENT, 0, off, (uint32_t)(e - i)};
            lx->pos = e;
            return true;
        }
        break; /* an operator */
    case '/':
        if (i + 1 < n && s[i + 1] == '*') {
            const char *e = memmem(s + i + 2, n - i - 2, "*/", 2);
            size_t end = e ? (size_t)(e - s) + 2 : n;
            *t = (struct sql_token){SQL_COMMENT, e ? 0 : SQL_F_OPEN, off, (uint32_t)(end - i)};
            lx->pos = end;
            return true;
        }
        break; /* an operator */
    case '\'':
    case '"': {
        bool open;
        size_t e = string_end(s, n, i, (char)c, &open);
        *t = (struct sql_token){SQL_STRING, open ? SQL_F_OPEN : 0, off, (uint32_t)(e - i)};
        lx->pos = e;
        return true;
    }
    case '`':
    case '[': {
        const char *e = memchr(s + i + 1, c == '`' ? '`' : ']', n - i - 1);
        if (e) {
            *t = (struct sql_token){SQL_WORD, SQL_F_QUOTED, off, (uint32_t)(e - (s + i) + 1)};
            lx->pos = (size_t)(e - s) + 1;
            return true;
        }
        break; /* a lone quote of a name: other */
    }
    case '@': {
        size_t j = i + 1;
        if (j < n && s[j] == '@')
            j++;
        size_t w = j;
        while (j < n && (word_char((unsigned char)s[j]) || s[j] == '.'))
            j++;
        *t = (struct sql_token){j > w ? SQL_VAR : SQL_OTHER, 0, off, (uint32_t)(j - i)};
        lx->pos = j;
        return true;
    }
    case '.':
        if (i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9')
            return lex_number(lx, t); /* .5 */
        return lex_single(lx, t, SQL_DOT);
    case '(':
        return lex_single(lx, t, SQL_LPAREN);
    case ')':
        return lex_single(lx, t, SQL_RPAREN);
    case ',':
        return lex_single(lx, t, SQL_COMMA);
    case ';':
        return lex_single(lx, t, SQL_SEMI);
    default:
        break;
    }
    if (lex_op(lx, t))
        return true;
    *t = (struct sql_token){SQL_OTHER, 0, off, 1};
    lx->pos = i + 1;
    return true;
}
