/*
 * test_sigma_value.c — the Sigma value compiler (src/detect/sigma_value.c), the value
 * matcher (sigma_match.c) and the encodings (sigma_encode.c): numbers as text, escapes
 * and wildcards, `?` as one character, lists and |all, the string modifiers, cased,
 * neq, exists, null, '', windash, base64/base64offset/utf16 (checked against pySigma's
 * outputs), cidr, numeric comparisons and time parts, regexes with flags, expand, every
 * refusal with its message, Unicode case folding, invalid UTF-8, the bounds, and
 * allocation failures at every step.
 *
 * Values are written as YAML (`k: <value>`) and parsed with cfg_parse, as the loader
 * does; the tree is freed before matching, so nothing compiled may point into it.
 */
#include "core/core.h"
#include "detect/sigma_encode.h"
#include "detect/sigma_int.h"
#include "testlib.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static char err[512];

/* Compiles key with the YAML value text (as in `k: <yaml>`) into *p; returns the code,
 * 99 when the YAML itself does not parse. */
static int comp_ph(const char *key, const char *yaml, const struct sigma_placeholders *ph,
                   struct sigma_pred *p)
{
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, "k: ");
    buf_puts(&b, yaml);
    struct cfg_node *root = NULL;
    err[0] = 0;
    int rc = cfg_parse(b.p, b.len, 0, &root, err, sizeof err);
    buf_fini(&b);
    if (rc)
        return 99;
    rc = sigma_pred_compile(key, root->children, ph, p, err, sizeof err);
    cfg_free(root);
    return rc;
}

static int comp(const char *key, const char *yaml, struct sigma_pred *p)
{
    return comp_ph(key, yaml, NULL, p);
}

/* Compiles a keyword written as YAML. */
static int kw(const char *yaml, struct sigma_value *v)
{
    struct cfg_node *root = NULL;
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, "k: ");
    buf_puts(&b, yaml);
    int rc = cfg_parse(b.p, b.len, 0, &root, err, sizeof err);
    buf_fini(&b);
    if (rc)
        return 99;
    rc = sigma_keyword_compile(root->children, v, err, sizeof err);
    cfg_free(root);
    return rc;
}

/* The predicate over one field value, as the evaluator combines values (neq aside). */
static bool holdsn(const struct sigma_pred *p, const char *s, size_t n)
{
    bool any = false, all = true;
    for (unsigned i = 0; i < p->nvalues; i++) {
        bool h = sigma_value_match(&p->values[i], s, n);
        any |= h;
        all &= h;
    }
    return p->all ? all && p->nvalues : any;
}

static bool holds(const struct sigma_pred *p, const char *s)
{
    return holdsn(p, s, strlen(s));
}

/* Compiles, checks it compiled, and tells whether s matches; frees. Returns -1 when the
 * compile failed (so a T_EQ_INT against 0 or 1 fails loudly). */
static int m1(const char *key, const char *yaml, const char *s)
{
    struct sigma_pred p;
    if (comp(key, yaml, &p) != 0)
        return -1;
    int r = holds(&p, s);
    sigma_pred_fini(&p);
    return r;
}

/* Compiles expecting a refusal; returns err (static) or "COMPILED". */
static const char *refused(const char *key, const char *yaml)
{
    struct sigma_pred p;
    int rc = comp(key, yaml, &p);
    if (rc == 0) {
        sigma_pred_fini(&p);
        return "COMPILED";
    }
    if (rc != ERR_PARSE)
        return "NOT ERR_PARSE";
    if (p.values || p.field || p.nvalues)
        return "OUT NOT CLEARED";
    return err;
}

#define T_REFUSED(key, yaml, needle)                                                               \
    do {                                                                                           \
        const char *t_e_ = refused(key, yaml);                                                     \
        if (!strstr(t_e_, needle)) {                                                               \
            t_fail(__FILE__, __LINE__, "%s: %s: expected \"%s\" in \"%s\"", key, yaml, needle,     \
                   t_e_);                                                                          \
            return;                                                                                \
        }                                                                                          \
    } while (0)

static void t_numbers(void)
{
    T_EQ_INT(m1("EventID", "4688", "4688"), 1);
    T_EQ_INT(m1("EventID", "4688", "04688"), 0);
    T_EQ_INT(m1("EventID", "4688", "46880"), 0);
    T_EQ_INT(m1("EventID", "4688", "468"), 0);
    T_EQ_INT(m1("EventID", "'4688'", "4688"), 1);
    T_EQ_INT(m1("EventID", "\"4688\"", "4688"), 1);
    T_EQ_INT(m1("EventID", "01", "01"), 1); /* compared as written */
    T_EQ_INT(m1("EventID", "01", "1"), 0);
    T_EQ_INT(m1("EventID", "[4688, 1]", "1"), 1);
    T_EQ_INT(m1("EventID", "[4688, 1]", "2"), 0);
    T_EQ_INT(m1("Enabled", "true", "true"), 1);
    T_EQ_INT(m1("Enabled", "true", "True"), 1);
    T_EQ_INT(m1("Enabled", "false", "true"), 0);
    struct sigma_pred p;
    T_EQ_INT(comp("EventID", "4688", &p), 0);
    T_EQ_INT(p.values[0].kind, SIGMA_PRED_STR);
    T_EQ_INT(p.values[0].strs[0].kind, SIGMA_STR_EXACT);
    T_EQ_STR(p.values[0].strs[0].s, "4688");
    T_EQ_STR(p.field, "EventID");
    sigma_pred_fini(&p);
}

static void t_escapes(void)
{
    struct sigma_pred p;
    /* YAML single quotes keep backslashes. The rule text C:\Windows\* ends in an
     * escaped star (pySigma; SigmaHQ writes ' -Filter \*' for a literal star) ... */
    T_EQ_INT(comp("Image", "'C:\\Windows\\*'", &p), 0);
    T_EQ_INT(p.values[0].strs[0].kind, SIGMA_STR_EXACT);
    T_EQ_STR(p.values[0].strs[0].s, "c:\\windows*");
    T_CHECK(holds(&p, "C:\\Windows*"));
    T_CHECK(!holds(&p, "C:\\Windows\\System32\\cmd.exe"));
    sigma_pred_fini(&p);
    /* ... while C:\Windows\\* is a backslash then a wildcard (SigmaHQ: 'Software\\*\PuTTY') */
    T_EQ_INT(comp("Image", "'C:\\Windows\\\\*'", &p), 0);
    T_EQ_INT(p.values[0].strs[0].kind, SIGMA_STR_PREFIX); /* the glob C:\Windows\\* */
    T_EQ_STR(p.values[0].strs[0].s, "c:\\windows\\");
    T_CHECK(holds(&p, "C:\\Windows\\System32\\cmd.exe"));
    T_CHECK(holds(&p, "c:\\windows\\"));
    T_CHECK(!holds(&p, "C:\\Windows"));
    T_CHECK(!holds(&p, "D:\\Windows\\x"));
    sigma_pred_fini(&p);
    T_EQ_INT(m1("k", "'reg query HKCU\\Software\\\\*\\PuTTY\\Sessions\\'",
                "REG QUERY HKCU\\Software\\SimonTatham\\PuTTY\\Sessions\\"),
             1);

    /* a\\* : an escaped backslash, then a wildcard */
    T_EQ_INT(m1("k", "'a\\\\*'", "a\\xyz"), 1);
    T_EQ_INT(m1("k", "'a\\\\*'", "a\\"), 1);
    T_EQ_INT(m1("k", "'a\\\\*'", "a\\\\"), 1);
    T_EQ_INT(m1("k", "'a\\\\*'", "ab"), 0);
    /* a\* : a literal star */
    T_EQ_INT(m1("k", "'a\\*'", "a*"), 1);
    T_EQ_INT(m1("k", "'a\\*'", "abc"), 0);
    T_EQ_INT(m1("k", "'a\\*'", "a\\*"), 0);
    /* a\\\* : a backslash and a literal star */
    T_EQ_INT(m1("k", "'a\\\\\\*'", "a\\*"), 1);
    T_EQ_INT(m1("k", "'a\\\\\\*'", "a\\x"), 0);
    /* a\? literal question mark; a\b and a trailing \ are literal backslashes */
    T_EQ_INT(m1("k", "'a\\?'", "a?"), 1);
    T_EQ_INT(m1("k", "'a\\?'", "ab"), 0);
    T_EQ_INT(m1("k", "'a\\b'", "a\\b"), 1);
    T_EQ_INT(m1("k", "'a\\b'", "ab"), 0);
    T_EQ_INT(m1("k", "'a\\'", "a\\"), 1);
    T_EQ_INT(m1("k", "'a\\\\b'", "a\\b"), 1); /* \\ is one backslash */
    T_EQ_INT(m1("k", "'a\\\\b'", "a\\\\b"), 0);
    /* escapes inside a glob: star, literal star, x, any one character */
    T_EQ_INT(comp("k", "'*\\*x?'", &p), 0);
    T_EQ_INT(p.values[0].strs[0].kind, SIGMA_STR_GLOB);
    T_EQ_STR(p.values[0].strs[0].s, "*\\*x?");
    T_CHECK(holds(&p, "foo*xy"));
    T_CHECK(holds(&p, "*xé"));
    T_CHECK(!holds(&p, "fooaxy"));
    T_CHECK(!holds(&p, "foo*x"));
    sigma_pred_fini(&p);
    /* literal backslashes around wildcards: the rule text C:\\*\x?exe */
    T_EQ_INT(comp("k", "'C:\\\\*\\x?exe'", &p), 0);
    T_EQ_INT(p.values[0].strs[0].kind, SIGMA_STR_GLOB);
    T_EQ_STR(p.values[0].strs[0].s, "c:\\\\*\\\\x?exe");
    T_CHECK(holds(&p, "C:\\Users\\x.exe"));
    T_CHECK(!holds(&p, "C:\\Users/x.exe"));
    sigma_pred_fini(&p);
    /* and C:\*\x?exe has a literal star instead */
    T_EQ_INT(comp("k", "'C:\\*\\x?exe'", &p), 0);
    T_CHECK(holds(&p, "C:*\\x.exe"));
    T_CHECK(!holds(&p, "C:\\Users\\x.exe"));
    sigma_pred_fini(&p);
}

static void t_wildcards(void)
{
    /* ? is exactly one character, multibyte ones included */
    T_EQ_INT(m1("k", "'a?c'", "abc"), 1);
    T_EQ_INT(m1("k", "'a?c'", "aéc"), 1);
    T_EQ_INT(m1("k", "'a?c'", "a\342\200\223c"), 1);     /* a 3-byte character */
    T_EQ_INT(m1("k", "'a?c'", "a\360\237\230\200c"), 1); /* a 4-byte one */
    T_EQ_INT(m1("k", "'a?c'", "ac"), 0);
    T_EQ_INT(m1("k", "'a?c'", "abbc"), 0);
    T_EQ_INT(m1("k", "'?\?'", "éé"), 1); /* (?\? only to avoid a C trigraph) */
    T_EQ_INT(m1("k", "'?\?'", "ab"), 1);
    T_EQ_INT(m1("k", "'?\?'", "é"), 0);
    T_EQ_INT(m1("k", "'*?'", "é"), 1);
    T_EQ_INT(m1("k", "'*?\?'", "é"), 0);
    /* * is any run, the empty one too */
    T_EQ_INT(m1("k", "'*'", ""), 1);
    T_EQ_INT(m1("k", "'*'", "anything"), 1);
    T_EQ_INT(m1("k", "'a*b*c'", "abc"), 1);
    T_EQ_INT(m1("k", "'a*b*c'", "aXXbYYc"), 1);
    T_EQ_INT(m1("k", "'a*b*c'", "aXXbYYcd"), 0);
    T_EQ_INT(m1("k", "'a*b*c'", "acb"), 0);
    T_EQ_INT(m1("k", "'*.exe'", "C:\\x\\A.EXE"), 1);
    T_EQ_INT(m1("k", "'*.exe'", "C:\\x\\A.EXE "), 0);
    struct sigma_pred p;
    T_EQ_INT(comp("k", "'**'", &p), 0);
    T_EQ_INT(p.values[0].strs[0].kind, SIGMA_STR_GLOB);
    T_EQ_STR(p.values[0].strs[0].s, "*");
    sigma_pred_fini(&p);
    T_EQ_INT(comp("k", "'*foo*'", &p), 0);
    T_EQ_INT(p.values[0].strs[0].kind, SIGMA_STR_CONTAINS);
    T_EQ_STR(p.values[0].strs[0].s, "foo");
    sigma_pred_fini(&p);
    T_EQ_INT(comp("k", "'*foo'", &p), 0);
    T_EQ_INT(p.values[0].strs[0].kind, SIGMA_STR_SUFFIX);
    sigma_pred_fini(&p);
    T_EQ_INT(comp("k", "'foo?'", &p), 0);
    T_EQ_INT(p.values[0].strs[0].kind, SIGMA_STR_GLOB);
    sigma_pred_fini(&p);
    /* glob is not exponential: many stars against a long non-matching subject */
    char big[20001];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    clock_t t0 = clock();
    T_EQ_INT(m1("k", "'*a*a*a*a*a*a*a*a*a*a*b'", big), 0);
    T_EQ_INT(m1("k", "'*a?a*a?a*a*a*a*a*a*a*a'", big), 1);
    T_CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
}

static void t_lists_all(void)
{
    T_EQ_INT(m1("k|contains", "[foo, bar]", "xxbarxx"), 1);
    T_EQ_INT(m1("k|contains", "[foo, bar]", "xxbazxx"), 0);
    T_EQ_INT(m1("k|contains|all", "[foo, bar]", "xxbarxx"), 0);
    T_EQ_INT(m1("k|contains|all", "[foo, bar]", "bar foo"), 1);
    T_EQ_INT(m1("k|all|contains", "[foo, bar]", "bar foo"), 1);
    T_EQ_INT(m1("k|contains|all", "[foo]", "a foo"), 1); /* a list of one is a list */
    struct sigma_pred p;
    T_EQ_INT(comp("k|contains|all", "[a, b, c]", &p), 0);
    T_CHECK(p.all);
    T_EQ_INT(p.nvalues, 3);
    sigma_pred_fini(&p);
    T_REFUSED("k|contains|all", "foo", "|all needs a list of values");
    T_REFUSED("k|all", "'x'", "|all needs a list of values");
    T_REFUSED("k", "[]", "empty list");
    T_REFUSED("k", "[a, [b]]", "must be scalars");
    T_REFUSED("k", "{a: b}", "scalar or a list");
}

static void t_kinds(void)
{
    struct sigma_pred p;
    T_EQ_INT(comp("k|contains", "Foo", &p), 0);
    T_EQ_INT(p.values[0].strs[0].kind, SIGMA_STR_CONTAINS);
    T_EQ_STR(p.values[0].strs[0].s, "foo");
    T_CHECK(holds(&p, "xFOOx"));
    T_CHECK(holds(&p, "foo"));
    T_CHECK(!holds(&p, "fo"));
    sigma_pred_fini(&p);
    T_EQ_INT(comp("k|startswith", "Foo", &p), 0);
    T_EQ_INT(p.values[0].strs[0].kind, SIGMA_STR_PREFIX);
    T_CHECK(holds(&p, "foobar"));
    T_CHECK(!holds(&p, "xfoo"));
    sigma_pred_fini(&p);
    T_EQ_INT(comp("k|endswith", "'\\cmd.exe'", &p), 0);
    T_EQ_INT(p.values[0].strs[0].kind, SIGMA_STR_SUFFIX);
    T_EQ_STR(p.values[0].strs[0].s, "\\cmd.exe");
    T_CHECK(holds(&p, "C:\\Windows\\System32\\CMD.EXE"));
    T_CHECK(!holds(&p, "C:\\Windows\\System32\\xcmd.exe"));
    T_CHECK(!holds(&p, "cmd.exe"));
    sigma_pred_fini(&p);
    /* with wildcards inside: globs */
    T_EQ_INT(comp("k|contains", "'a*b'", &p), 0);
    T_EQ_INT(p.values[0].strs[0].kind, SIGMA_STR_GLOB);
    T_EQ_STR(p.values[0].strs[0].s, "*a*b*");
    T_CHECK(holds(&p, "xxaYYbzz"));
    T_CHECK(!holds(&p, "xxbYYazz"));
    sigma_pred_fini(&p);
    T_EQ_INT(comp("k|startswith", "'a?c'", &p), 0);
    T_EQ_INT(p.values[0].strs[0].kind, SIGMA_STR_GLOB);
    T_EQ_STR(p.values[0].strs[0].s, "a?c*");
    T_CHECK(holds(&p, "abcdef"));
    T_CHECK(!holds(&p, "xabc"));
    sigma_pred_fini(&p);
    T_EQ_INT(comp("k|endswith", "'a?c'", &p), 0);
    T_EQ_STR(p.values[0].strs[0].s, "*a?c");
    T_CHECK(holds(&p, "xxabc"));
    T_CHECK(!holds(&p, "abcx"));
    sigma_pred_fini(&p);
    /* a star already there is not doubled; contains of a prefix glob is a contains */
    T_EQ_INT(comp("k|contains", "'foo*'", &p), 0);
    T_EQ_INT(p.values[0].strs[0].kind, SIGMA_STR_CONTAINS);
    T_EQ_STR(p.values[0].strs[0].s, "foo");
    sigma_pred_fini(&p);
    /* contains of a literal star */
    T_EQ_INT(comp("k|contains", "'\\*'", &p), 0);
    T_EQ_INT(p.values[0].strs[0].kind, SIGMA_STR_CONTAINS);
    T_EQ_STR(p.values[0].strs[0].s, "*");
    T_CHECK(holds(&p, "a*b"));
    T_CHECK(!holds(&p, "ab"));
    sigma_pred_fini(&p);
    /* contains '' matches everything, '' alone only the empty value */
    T_EQ_INT(m1("k|contains", "''", "abc"), 1);
    T_EQ_INT(m1("k", "''", ""), 1);
    T_EQ_INT(m1("k", "''", "a"), 0);
    T_EQ_INT(comp("k", "''", &p), 0);
    T_EQ_INT(p.values[0].kind, SIGMA_PRED_STR);
    T_EQ_INT(p.values[0].strs[0].kind, SIGMA_STR_EXACT);
    T_EQ_INT(p.values[0].strs[0].len, 0);
    sigma_pred_fini(&p);
}

static void t_flags(void)
{
    struct sigma_pred p;
    T_EQ_INT(comp("k|cased", "Foo", &p), 0);
    T_CHECK(p.values[0].cased);
    T_CHECK(holds(&p, "Foo"));
    T_CHECK(!holds(&p, "foo"));
    T_CHECK(!holds(&p, "FOO"));
    sigma_pred_fini(&p);
    T_EQ_INT(m1("k|contains|cased", "Foo", "xFoox"), 1);
    T_EQ_INT(m1("k|cased|contains", "Foo", "xfoox"), 0);
    T_EQ_INT(m1("k", "Foo", "FOO"), 1);
    T_EQ_INT(comp("k|neq", "x", &p), 0);
    T_CHECK(p.neq);
    T_CHECK(!p.all);
    sigma_pred_fini(&p);
    T_EQ_INT(comp("k", "x", &p), 0);
    T_CHECK(!p.neq);
    T_CHECK(!p.values[0].cased);
    sigma_pred_fini(&p);
    T_EQ_INT(comp("Image|fieldref|neq", "ParentImage", &p), 0);
    T_EQ_INT(p.values[0].kind, SIGMA_PRED_FIELDREF);
    T_EQ_STR(p.values[0].ref, "ParentImage");
    T_CHECK(p.neq);
    T_CHECK(!sigma_value_match(&p.values[0], "ParentImage", 11)); /* decided elsewhere */
    sigma_pred_fini(&p);
    T_REFUSED("k|fieldref|contains", "x", "cannot be combined");
}

static void t_exists_null(void)
{
    struct sigma_pred p;
    T_EQ_INT(comp("k|exists", "true", &p), 0);
    T_EQ_INT(p.values[0].kind, SIGMA_PRED_EXISTS);
    T_CHECK(p.values[0].exists);
    sigma_pred_fini(&p);
    T_EQ_INT(comp("k|exists", "false", &p), 0);
    T_CHECK(!p.values[0].exists);
    sigma_pred_fini(&p);
    T_REFUSED("k|exists", "'true'", "|exists takes true or false");
    T_REFUSED("k|exists", "yes please", "|exists takes true or false");
    T_REFUSED("k|exists", "[true]", "|exists takes true or false");
    T_REFUSED("k|exists|contains", "true", "cannot be combined");
    static const char *const nulls[] = {"null", "~", "", "Null", "NULL"};
    for (unsigned i = 0; i < 5; i++) {
        T_EQ_INT(comp("k", nulls[i], &p), 0);
        T_EQ_INT(p.nvalues, 1);
        T_EQ_INT(p.values[0].kind, SIGMA_PRED_NULL);
        T_CHECK(!sigma_value_match(&p.values[0], "", 0));
        sigma_pred_fini(&p);
    }
    T_EQ_INT(comp("k|neq", "null", &p), 0);
    T_EQ_INT(p.values[0].kind, SIGMA_PRED_NULL);
    sigma_pred_fini(&p);
    /* a quoted null is a string */
    T_EQ_INT(m1("k", "'null'", "null"), 1);
    T_REFUSED("k", "[a, null]", "null inside a list");
    T_REFUSED("k", "[a, ~]", "null inside a list");
    T_REFUSED("k|contains", "null", "a null value takes no modifier");
    T_REFUSED("k|re", "null", "a null value takes no modifier");
}

static void t_windash(void)
{
    T_EQ_INT(sigma_windash_count(" -a /b", 6), 2);
    T_EQ_INT(sigma_windash_count("a-b", 3), 0);        /* \B fails: a word character before */
    T_EQ_INT(sigma_windash_count("x -", 3), 0);        /* \b fails: nothing after */
    T_EQ_INT(sigma_windash_count("-x", 2), 1);         /* the start counts as non-word */
    T_EQ_INT(sigma_windash_count("--x", 3), 1);        /* only the second */
    T_EQ_INT(sigma_windash_count(" -\xc3\xa9", 4), 1); /* é is a word character */
    T_EQ_INT(sigma_windash_count("\xc3\xa9-x", 4), 0);
    T_EQ_INT(sigma_windash_count(" -*", 3), 0); /* a wildcard is not a word character */
    T_EQ_INT(sigma_windash_count("\\\\-x", 4), 1);

    struct sigma_pred p;
    T_EQ_INT(comp("CommandLine|contains|windash", "' -foo /bar'", &p), 0);
    T_EQ_INT(p.values[0].nstrs, 25);
    for (unsigned i = 0; i < 25; i++)
        T_EQ_INT(p.values[0].strs[i].kind, SIGMA_STR_CONTAINS);
    T_CHECK(holds(&p, "cmd.exe -foo /bar"));
    T_CHECK(holds(&p, "cmd.exe /FOO -bar"));
    T_CHECK(holds(&p, "cmd.exe \342\200\223foo \342\200\224bar")); /* en, em dash */
    T_CHECK(holds(&p, "cmd.exe \342\200\225foo \342\200\225bar")); /* horizontal bar */
    T_CHECK(!holds(&p, "cmd.exe +foo /bar"));
    T_CHECK(!holds(&p, "cmd.exe -foo/bar"));
    sigma_pred_fini(&p);
    /* the same through a real rule's shape: |windash after |contains, one dash */
    T_EQ_INT(comp("CommandLine|contains|windash", "[' -enc ', ' -ep bypass']", &p), 0);
    T_EQ_INT(p.values[0].nstrs, 5);
    T_EQ_INT(p.values[1].nstrs, 5);
    T_CHECK(holds(&p, "powershell.exe \342\200\223ep bypass"));
    T_CHECK(holds(&p, "powershell.exe /Enc abc"));
    T_CHECK(!holds(&p, "powershell.exe enc abc"));
    sigma_pred_fini(&p);
    T_EQ_INT(comp("k|windash", "a-b", &p), 0);
    T_EQ_INT(p.values[0].nstrs, 1);
    sigma_pred_fini(&p);
    /* 3 positions: 125 strings, over SIGMA_MAX_VARIANTS */
    T_REFUSED("k|windash", "' -a -b -c'", "more than 64 strings");
}

static void t_base64(void)
{
    struct sigma_pred p;
    /* pySigma: base64offset of "http://" (checked with python3's base64) */
    T_EQ_INT(comp("k|base64offset|contains", "'http://'", &p), 0);
    struct sigma_value *v = &p.values[0];
    T_CHECK(v->cased);
    T_EQ_INT(v->nstrs, 3);
    T_EQ_STR(v->strs[0].s, "aHR0cDovL");
    T_EQ_STR(v->strs[1].s, "h0dHA6Ly");
    T_EQ_STR(v->strs[2].s, "odHRwOi8v");
    for (unsigned i = 0; i < 3; i++)
        T_EQ_INT(v->strs[i].kind, SIGMA_STR_CONTAINS);
    T_CHECK(holds(&p, "x aHR0cDovL2V4YW1wbGU= y")); /* b64("http://example") */
    T_CHECK(holds(&p, "IGh0dHA6Ly9leGFtcGw="));     /* b64(" http://exampl") */
    T_CHECK(holds(&p, "ICBodHRwOi8vZXhhbXBsZQ==")); /* b64("  http://example") */
    T_CHECK(!holds(&p, "AHR0CDOVL2V4YW1WBGU="));    /* case matters in base64 */
    sigma_pred_fini(&p);
    /* the same without |contains: still a contains */
    T_EQ_INT(comp("k|base64offset", "'http://'", &p), 0);
    T_EQ_INT(p.values[0].strs[0].kind, SIGMA_STR_CONTAINS);
    sigma_pred_fini(&p);
    /* base64 alone: an exact, case-sensitive string */
    T_EQ_INT(comp("k|base64", "'http://'", &p), 0);
    T_EQ_INT(p.values[0].strs[0].kind, SIGMA_STR_EXACT);
    T_EQ_STR(p.values[0].strs[0].s, "aHR0cDovLw==");
    T_CHECK(p.values[0].cased);
    T_CHECK(holds(&p, "aHR0cDovLw=="));
    T_CHECK(!holds(&p, "AHR0CDOVLW=="));
    sigma_pred_fini(&p);
    T_EQ_INT(m1("k|base64|contains", "'http://'", "x aHR0cDovLw== y"), 1);
    /* wide then base64offset (pySigma: "ping".encode("utf-16le")) */
    T_EQ_INT(comp("k|wide|base64offset|contains", "ping", &p), 0);
    v = &p.values[0];
    T_EQ_INT(v->nstrs, 3);
    T_EQ_STR(v->strs[0].s, "cABpAG4AZw");
    T_EQ_STR(v->strs[1].s, "AAaQBuAGcA");
    T_EQ_STR(v->strs[2].s, "wAGkAbgBnA");
    sigma_pred_fini(&p);
    /* short values: empty variants are dropped, not turned into match-everything */
    T_EQ_INT(comp("k|base64offset|contains", "a", &p), 0);
    T_EQ_INT(p.values[0].nstrs, 2);
    T_EQ_STR(p.values[0].strs[0].s, "Y");
    T_EQ_STR(p.values[0].strs[1].s, "h");
    T_CHECK(!holds(&p, "zzz"));
    sigma_pred_fini(&p);
    T_REFUSED("k|base64offset|contains", "''", "leave nothing");
    /* the raw encoder */
    struct buf b;
    buf_init(&b, 0);
    T_EQ_INT(sigma_base64("", 0, &b), 0);
    T_EQ_INT(b.len, 0);
    T_EQ_INT(sigma_base64("f", 1, &b), 0);
    T_EQ_INT(sigma_base64("fo", 2, &b), 0);
    T_EQ_INT(sigma_base64("foo", 3, &b), 0);
    T_EQ_INT(sigma_base64("foob", 4, &b), 0);
    T_EQ_STR(buf_cstr(&b), "Zg==Zm8=Zm9vZm9vYg==");
    buf_fini(&b);
}

static void t_utf16(void)
{
    struct sigma_pred p;
    T_EQ_INT(comp("k|wide|contains", "aB", &p), 0);
    struct sigma_str *s = &p.values[0].strs[0];
    T_EQ_INT(s->kind, SIGMA_STR_CONTAINS);
    T_EQ_INT(s->len, 4);
    T_CHECK(memcmp(s->s, "a\0b\0", 4) == 0); /* folded: utf16 alone keeps case folding */
    T_CHECK(holdsn(&p, "x\0A\0B\0y\0", 8));
    T_CHECK(!holdsn(&p, "x\0A\0C\0y\0", 8));
    sigma_pred_fini(&p);
    T_EQ_INT(comp("k|utf16le|cased", "aB", &p), 0);
    T_CHECK(memcmp(p.values[0].strs[0].s, "a\0B\0", 4) == 0);
    sigma_pred_fini(&p);
    T_EQ_INT(comp("k|utf16be|cased", "aB", &p), 0);
    T_EQ_INT(p.values[0].strs[0].len, 4);
    T_CHECK(memcmp(p.values[0].strs[0].s, "\0a\0B", 4) == 0);
    sigma_pred_fini(&p);
    T_EQ_INT(comp("k|utf16|cased", "aB", &p), 0);
    T_EQ_INT(p.values[0].strs[0].len, 6);
    T_CHECK(memcmp(p.values[0].strs[0].s, "\377\376a\0B\0", 6) == 0);
    sigma_pred_fini(&p);
    /* a non-BMP character becomes a surrogate pair; a literal * stays literal */
    T_EQ_INT(comp("k|utf16le|base64", "'\xf0\x9f\x98\x80\\*'", &p), 0);
    T_EQ_STR(p.values[0].strs[0].s, "PdgA3ioA"); /* "😀*".encode("utf-16le") in base64 */
    sigma_pred_fini(&p);
    struct buf b;
    buf_init(&b, 0);
    T_EQ_INT(sigma_utf16("\xc3", 1, SIGMA_UTF16LE, &b), ERR_PARSE);
    T_EQ_INT(b.len, 0);
    buf_fini(&b);
}

static void t_encode_refusals(void)
{
    T_REFUSED("k|base64", "'a*'", "cannot encode a value with wildcards");
    T_REFUSED("k|base64offset|contains", "'a?b'", "cannot encode a value with wildcards");
    T_REFUSED("k|wide", "'*a'", "cannot encode a value with wildcards");
    T_REFUSED("k|contains|base64", "a", "cannot encode a value with wildcards");
    T_REFUSED("k|windash|contains|base64offset", "' -a'", "cannot encode");
    /* escaped wildcards are literal: fine to encode */
    T_EQ_INT(m1("k|base64", "'a\\*'", "YSo="), 1);
    /* windash then base64offset: 5 x 3 strings */
    struct sigma_pred p;
    T_EQ_INT(comp("k|windash|base64offset|contains", "' -a'", &p), 0);
    T_EQ_INT(p.values[0].nstrs, 15);
    sigma_pred_fini(&p);
    /* 2 positions x 3 variants = 75 > 64 */
    T_REFUSED("k|windash|base64offset", "' -a -b'", "more than 64 strings");
}

static void t_cidr(void)
{
    T_EQ_INT(m1("ip|cidr", "10.0.0.0/8", "10.255.255.255"), 1);
    T_EQ_INT(m1("ip|cidr", "10.0.0.0/8", "10.0.0.0"), 1);
    T_EQ_INT(m1("ip|cidr", "10.0.0.0/8", "11.0.0.0"), 0);
    T_EQ_INT(m1("ip|cidr", "10.0.0.0/8", "9.255.255.255"), 0);
    T_EQ_INT(m1("ip|cidr", "0.0.0.0/0", "203.0.113.9"), 1);
    T_EQ_INT(m1("ip|cidr", "0.0.0.0/0", "::1"), 0);
    T_EQ_INT(m1("ip|cidr", "192.168.1.7/32", "192.168.1.7"), 1);
    T_EQ_INT(m1("ip|cidr", "192.168.1.7/32", "192.168.1.6"), 0);
    T_EQ_INT(m1("ip|cidr", "192.168.1.7", "192.168.1.7"), 1); /* no prefix: one host */
    T_EQ_INT(m1("ip|cidr", "172.16.0.0/12", "172.31.255.1"), 1);
    T_EQ_INT(m1("ip|cidr", "172.16.0.0/12", "172.32.0.1"), 0);
    T_EQ_INT(m1("ip|cidr", "10.1.2.3/8", "10.9.9.9"), 1);        /* host bits cleared */
    T_EQ_INT(m1("ip|cidr", "10.0.0.0/8", "::ffff:10.1.2.3"), 1); /* IPv4-mapped */
    T_EQ_INT(m1("ip|cidr", "10.0.0.0/8", "::10.1.2.3"), 0);
    T_EQ_INT(m1("ip|cidr", "10.0.0.0/8", "not an ip"), 0);
    T_EQ_INT(m1("ip|cidr", "10.0.0.0/8", " 10.0.0.1"), 0);
    T_EQ_INT(m1("ip|cidr", "10.0.0.0/8", ""), 0);
    T_EQ_INT(m1("ip|cidr", "'2001:db8::/32'", "2001:db8::1"), 1);
    T_EQ_INT(m1("ip|cidr", "'2001:db8::/32'", "2001:DB8:ffff::1"), 1);
    T_EQ_INT(m1("ip|cidr", "'2001:db8::/32'", "2001:db9::1"), 0);
    T_EQ_INT(m1("ip|cidr", "'2001:db8::/32'", "10.0.0.1"), 0);
    T_EQ_INT(m1("ip|cidr", "'::/0'", "10.0.0.1"), 0); /* v4 never in a v6 network */
    T_EQ_INT(m1("ip|cidr", "'::/0'", "fe80::1%eth0"), 1);
    T_EQ_INT(m1("ip|cidr", "'::1/128'", "::1"), 1);
    T_EQ_INT(m1("ip|cidr", "'::1/128'", "::2"), 0);
    T_EQ_INT(m1("ip|cidr", "'fe80::/10'", "febf::1"), 1);
    T_EQ_INT(m1("ip|cidr", "'fe80::/10'", "fec0::1"), 0);
    T_EQ_INT(m1("ip|cidr", "[10.0.0.0/8, '192.168.0.0/16']", "192.168.3.4"), 1);
    struct sigma_pred p;
    T_EQ_INT(comp("ip|cidr", "10.0.0.0/8", &p), 0);
    T_EQ_INT(p.values[0].kind, SIGMA_PRED_CIDR);
    T_CHECK(p.values[0].v4);
    T_EQ_INT(p.values[0].prefix, 104);
    sigma_pred_fini(&p);
    T_REFUSED("ip|cidr", "10.0.0.0/33", "bad cidr");
    T_REFUSED("ip|cidr", "10.0.0/8", "bad cidr");
    T_REFUSED("ip|cidr", "foo", "bad cidr");
    T_REFUSED("ip|cidr", "'::/129'", "bad cidr");
    T_REFUSED("ip|cidr", "10.0.0.0/", "bad cidr");
    T_REFUSED("ip|cidr", "10.0.0.0/-1", "bad cidr");
    T_REFUSED("ip|cidr", "10.0.0.0/8/8", "bad cidr");
    T_REFUSED("ip|cidr|contains", "10.0.0.0/8", "cannot be combined");
}

static void t_numeric(void)
{
    T_EQ_INT(m1("n|gt", "10", "11"), 1);
    T_EQ_INT(m1("n|gt", "10", "10"), 0);
    T_EQ_INT(m1("n|gt", "10", "10.5"), 1);
    T_EQ_INT(m1("n|gt", "10", "1e2"), 1);
    T_EQ_INT(m1("n|gt", "10", " 11 "), 1);
    T_EQ_INT(m1("n|gt", "10", "abc"), 0);
    T_EQ_INT(m1("n|gt", "10", "0x10"), 0);
    T_EQ_INT(m1("n|gt", "10", "11abc"), 0);
    T_EQ_INT(m1("n|gt", "10", ""), 0);
    T_EQ_INT(m1("n|gt", "10", "inf"), 0);
    T_EQ_INT(m1("n|gt", "10", "nan"), 0);
    T_EQ_INT(m1("n|gt", "10", "1e999"), 0);
    T_EQ_INT(m1("n|gte", "10.5", "10.5"), 1);
    T_EQ_INT(m1("n|gte", "10.5", "10.49"), 0);
    T_EQ_INT(m1("n|lt", "-1", "-2"), 1);
    T_EQ_INT(m1("n|lt", "-1", "-1"), 0);
    T_EQ_INT(m1("n|lte", "0", "0.0"), 1);
    T_EQ_INT(m1("n|lte", "0", "-0"), 1);
    T_EQ_INT(m1("n|lte", "0", ".5"), 0);
    T_EQ_INT(m1("n|lt", "'100'", "99"), 1); /* a quoted number is accepted */
    T_REFUSED("n|gt", "abc", "is not a number");
    T_REFUSED("n|gt", "0x10", "is not a number");
    T_REFUSED("n|gte", "''", "is not a number");
    T_REFUSED("n|gt|lt", "1", "cannot follow");
    T_REFUSED("n|gt|contains", "1", "cannot follow");
    T_REFUSED("n|contains|gt", "1", "cannot follow");
    /* time parts: a NUM on the part the evaluator extracts */
    struct sigma_pred p;
    T_EQ_INT(comp("ts|hour", "13", &p), 0);
    T_EQ_INT(p.values[0].kind, SIGMA_PRED_NUM);
    T_EQ_INT(p.values[0].time_part, SIGMA_TIME_HOUR);
    T_EQ_INT(p.values[0].num_op, SIGMA_NUM_EQ);
    T_CHECK(holds(&p, "13"));
    T_CHECK(!holds(&p, "12"));
    sigma_pred_fini(&p);
    T_EQ_INT(comp("ts|week|gte", "20", &p), 0);
    T_EQ_INT(p.values[0].time_part, SIGMA_TIME_WEEK);
    T_EQ_INT(p.values[0].num_op, SIGMA_NUM_GTE);
    T_CHECK(holds(&p, "52"));
    T_CHECK(!holds(&p, "19"));
    sigma_pred_fini(&p);
    T_EQ_INT(comp("ts|year", "[2024, 2025]", &p), 0);
    T_EQ_INT(p.values[1].time_part, SIGMA_TIME_YEAR);
    sigma_pred_fini(&p);
    T_REFUSED("ts|gt|hour", "1", "cannot follow");
    T_REFUSED("ts|hour|minute", "1", "cannot follow");
    T_REFUSED("ts|month", "May", "is not a number");
}

static void t_regex(void)
{
    T_EQ_INT(m1("k|re", "'ab+c'", "xxabbbcxx"), 1); /* unanchored */
    T_EQ_INT(m1("k|re", "'ab+c'", "ABC"), 0);       /* case-sensitive */
    T_EQ_INT(m1("k|re|i", "'ab+c'", "ABC"), 1);
    T_EQ_INT(m1("k|re|i", "'straße'", "STRAẞE"), 1); /* caseless is Unicode-aware */
    T_EQ_INT(m1("k|re", "'(?i)ab+c'", "ABC"), 1);
    T_EQ_INT(m1("k|re", "'^b$'", "a\nb\nc"), 0);
    T_EQ_INT(m1("k|re|m", "'^b$'", "a\nb\nc"), 1);
    T_EQ_INT(m1("k|re", "'a.c'", "a\nc"), 0);
    T_EQ_INT(m1("k|re|s", "'a.c'", "a\nc"), 1);
    T_EQ_INT(m1("k|re|i|m|s", "'^A.C$'", "x\na\nc\ny"), 1);
    /* backslashes reach PCRE2 as written, not as Sigma escapes */
    T_EQ_INT(m1("k|re", "'\\\\cmd\\.exe$'", "C:\\cmd.exe"), 1);
    T_EQ_INT(m1("k|re", "'\\s-e(nc)?\\s'", "ps -e x"), 1);
    T_EQ_INT(m1("k|re", "'\\d{4}'", "id 4688"), 1);
    T_EQ_INT(m1("k|re", "'^.{3}$'", "\xc3\xa9\xc3\xa9\xc3\xa9"), 1); /* . is a character */
    /* invalid UTF-8 in a subject: PCRE2 (MATCH_INVALID_UTF) matches nothing across the
     * bad bytes, and no crash */
    T_EQ_INT(m1("k|re", "'a.b'", "a\377b"), 0);
    T_EQ_INT(m1("k|re", "'abc'", "\xff abc"), 1);
    T_EQ_INT(m1("k|re", "'x'", "\xff\xfe\xc3"), 0);
    struct sigma_pred p;
    T_EQ_INT(comp("k|re|i", "'a'", &p), 0);
    T_EQ_INT(p.values[0].kind, SIGMA_PRED_RE);
    T_EQ_STR(p.values[0].re, "a");
    T_CHECK(p.values[0].re_code != NULL);
    T_EQ_INT(p.values[0].re_flags, 0x00000008u /* PCRE2_CASELESS */);
    sigma_pred_fini(&p);
    /* catastrophic backtracking hits the match limit and is a non-match, quickly */
    char big[64];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    clock_t t0 = clock();
    T_EQ_INT(m1("k|re", "'^(a+)+$'", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"), 0);
    T_CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0);
    T_EQ_INT(m1("k|re", "'^(a+)+$'", big), 1);
    T_REFUSED("k|re", "'a(b'", "regex does not compile at offset 3");
    T_REFUSED("k|re", "'a(b'", "missing closing parenthesis");
    T_REFUSED("k|re", "'[z-a]'", "regex does not compile");
    T_REFUSED("k|i", "a", "|i applies only after |re");
    T_REFUSED("k|contains|s", "a", "|s applies only after |re");
    T_REFUSED("k|re|contains", "a", "|contains cannot follow |re");
    T_REFUSED("k|contains|re", "a", "|re cannot follow |contains");
    T_REFUSED("k|re|base64", "a", "cannot follow |re");
}

static void t_key_refusals(void)
{
    T_REFUSED("k|foo", "a", "unknown modifier 'foo'");
    T_REFUSED("k|Contains", "a", "unknown modifier 'Contains'");
    T_REFUSED("k||contains", "a", "unknown modifier ''");
    T_REFUSED("k|contains|", "a", "unknown modifier ''");
    T_REFUSED("|contains", "a", "field name");
    T_REFUSED("", "a", "empty field name");
    T_REFUSED("k|contains|contains|contains|contains|contains|contains|contains|contains|"
              "contains|contains|contains|contains|contains|contains|contains|contains|contains",
              "a", "more than 16 modifiers");
    /* the message names the line */
    T_REFUSED("k|foo", "a", "line 1:");
    /* a long unknown modifier is quoted shortly */
    char key[300] = "k|";
    memset(key + 2, 'x', 280);
    key[282] = 0;
    const char *e = refused(key, "a");
    T_CHECK(strstr(e, "unknown modifier 'xxxx"));
    T_CHECK(strlen(e) < 120);
}

static void t_case_folding(void)
{
    T_EQ_INT(m1("k", "ÄRGER", "ärger"), 1);
    T_EQ_INT(m1("k", "ärger", "ÄRGER"), 1);
    T_EQ_INT(m1("k", "ärger", "ARGER"), 0);
    T_EQ_INT(m1("k|contains", "ПРИВЕТ", "скажи привет миру"), 1);
    T_EQ_INT(m1("k|contains", "привет", "СКАЖИ ПРИВЕТ"), 1);
    T_EQ_INT(m1("k|startswith", "É", "école"), 1);
    T_EQ_INT(m1("k|endswith", "ΟΔΟΣ", "η οδο\xcf\x83"), 1); /* σ */
    T_EQ_INT(m1("k|endswith", "ΟΔΟΣ", "η οδο\xcf\x82"), 1); /* final ς folds alike */
    T_EQ_INT(m1("k", "'Ä?ER'", "äxer"), 1);                 /* a glob folds too */
    T_EQ_INT(m1("k", "'*É'", "café"), 1);
    T_EQ_INT(m1("k|cased", "Ärger", "ärger"), 0);
    T_EQ_INT(m1("k", "'\xe2\x84\xaa'", "k"), 1); /* U+212A KELVIN SIGN folds to k */
    /* field values longer than the matcher's stack buffer fold on the heap */
    struct buf b;
    buf_init(&b, 0);
    for (int i = 0; i < 3000; i++)
        buf_puts(&b, "\xc3\x89"); /* É */
    buf_puts(&b, "ПРИВЕТ");
    const char *big = buf_cstr(&b);
    T_EQ_INT(m1("k|contains", "привет", big), 1);
    T_EQ_INT(m1("k|endswith", "éпривет", big), 1);
    T_EQ_INT(m1("k|startswith", "éé", big), 1);
    T_EQ_INT(m1("k", "'é*т'", big), 1);
    T_EQ_INT(m1("k|contains", "пока", big), 0);
    buf_fini(&b);
    /* the folder itself: one character for one, 2n + 4 is always enough */
    char out[64];
    size_t n = sigma_fold("\xc8\xba", 2, out, sizeof out); /* Ⱥ U+023A -> ⱥ U+2C65 */
    T_EQ_INT(n, 3);
    T_CHECK(memcmp(out, "\xe2\xb1\xa5", 3) == 0);
    n = sigma_fold("AbC\xff", 4, out, sizeof out);
    T_EQ_INT(n, 4);
    T_CHECK(memcmp(out, "abc\xff", 4) == 0);
    /* every ASCII byte, eight at a time and one at a time, at every offset */
    char in[140], want[140], got[300];
    for (int i = 0; i < 128; i++) {
        in[i] = (char)i;
        want[i] = (char)(i >= 'A' && i <= 'Z' ? i + 32 : i);
    }
    for (int off = 0; off < 9; off++) {
        n = sigma_fold(in + off, 128 - (size_t)off, got, sizeof got);
        T_EQ_INT(n, 128 - off);
        T_CHECK(memcmp(got, want + off, n) == 0);
    }
    n = sigma_fold("ABCDEFG\xc3\x89XYZ@[`{", 16, got, sizeof got); /* a word with É */
    T_EQ_INT(n, 16);
    T_CHECK(memcmp(got, "abcdefg\xc3\xa9xyz@[`{", 16) == 0);
}

static void t_invalid_utf8(void)
{
    static const char *const bad[] = {"\xff",         "\xc3",     "\xe2\x80",   "\xf0\x9f\x98",
                                      "\xed\xa0\x80", "\xc0\xaf", "a\377\376b", "\x80\x80"};
    static const char *const rules[][2] = {{"k", "'a?b'"},
                                           {"k|contains", "b"},
                                           {"k|endswith", "'\xc3\xa9'"},
                                           {"k", "'*?*'"},
                                           {"k|re", "'.'"},
                                           {"k|cidr", "10.0.0.0/8"},
                                           {"k|gt", "1"},
                                           {"k|contains", "ПРИВЕТ"},
                                           {"k|windash|contains", "' -x'"},
                                           {"k|startswith|cased", "a"}};
    for (unsigned r = 0; r < sizeof rules / sizeof rules[0]; r++) {
        struct sigma_pred p;
        T_EQ_INT(comp(rules[r][0], rules[r][1], &p), 0);
        for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
            (void)holds(&p, bad[i]);
        sigma_pred_fini(&p);
    }
    /* an invalid byte is one character for ?, and compares bytewise */
    T_EQ_INT(m1("k", "'a?b'", "a\377b"), 1);
    T_EQ_INT(m1("k", "'a?b'", "a\377\376b"), 0);
    T_EQ_INT(m1("k|contains", "def", "abc\377DEF"), 1);
    T_EQ_INT(m1("k|endswith", "'é'", "caf\xc3"), 0);
    /* NUL bytes inside a field value */
    struct sigma_pred p;
    T_EQ_INT(comp("k|contains", "b", &p), 0);
    T_CHECK(holdsn(&p, "a\0B", 3));
    T_CHECK(!holdsn(&p, "a\0c", 3));
    sigma_pred_fini(&p);
}

static void t_keywords(void)
{
    struct sigma_value v;
    T_EQ_INT(kw("Mimikatz", &v), 0);
    T_EQ_INT(v.kind, SIGMA_PRED_STR);
    T_EQ_INT(v.strs[0].kind, SIGMA_STR_CONTAINS);
    T_CHECK(sigma_value_match(&v, "run MIMIKATZ.exe", 16));
    T_CHECK(!sigma_value_match(&v, "mimi katz", 9));
    sigma_value_fini(&v);
    T_EQ_INT(kw("'sekurlsa::*pass'", &v), 0);
    T_EQ_INT(v.strs[0].kind, SIGMA_STR_GLOB);
    T_CHECK(sigma_value_match(&v, "x sekurlsa::logonpasswords", 26));
    T_CHECK(!sigma_value_match(&v, "sekurlsa:logonpasswords", 23));
    sigma_value_fini(&v);
    T_EQ_INT(kw("4688", &v), 0);
    T_CHECK(sigma_value_match(&v, "event 4688 seen", 15));
    sigma_value_fini(&v);
    T_EQ_INT(kw("null", &v), ERR_PARSE);
    T_CHECK(strstr(err, "cannot be null"));
    T_EQ_INT(v.nstrs, 0);
    T_EQ_INT(kw("[a]", &v), ERR_PARSE);
}

static void t_expand(void)
{
    T_REFUSED("k|contains|expand", "'%known_cdcs%'",
              "placeholder %known_cdcs% has no value (configure it)");
    T_REFUSED("k|expand", "'a%x%b'", "placeholder %x% has no value");
    /* no placeholder: nothing to expand */
    T_EQ_INT(m1("k|expand", "'100%'", "100%"), 1);
    T_EQ_INT(m1("k|expand", "'%a b%'", "%A B%"), 1);
    static const char *const dcs[] = {"dc1", "10.*.9"};
    static const char *const dom[] = {"corp"};
    static const struct detect_placeholder items[] = {{"known_cdcs", dcs, 2}, {"domain", dom, 1}};
    static const struct sigma_placeholders ph = {items, 2};
    struct sigma_pred p;
    T_EQ_INT(comp_ph("k|contains|expand", "'%known_cdcs%'", &ph, &p), 0);
    T_EQ_INT(p.values[0].nstrs, 2);
    T_EQ_INT(p.values[0].strs[0].kind, SIGMA_STR_CONTAINS);
    T_EQ_STR(p.values[0].strs[0].s, "dc1");
    T_EQ_INT(p.values[0].strs[1].kind, SIGMA_STR_GLOB);
    T_EQ_STR(p.values[0].strs[1].s, "*10.*.9*");
    T_CHECK(holds(&p, "from DC1 x"));
    T_CHECK(holds(&p, "via 10.0.0.9 x"));
    T_CHECK(!holds(&p, "via 10.0.1.7"));
    sigma_pred_fini(&p);
    T_EQ_INT(comp_ph("k|expand", "'%domain%\\%known_cdcs%$'", &ph, &p), 0);
    T_EQ_INT(p.values[0].nstrs, 2);
    T_CHECK(holds(&p, "CORP\\DC1$"));
    T_CHECK(holds(&p, "corp\\10.0.0.9$"));
    T_CHECK(!holds(&p, "corp\\dc2$"));
    sigma_pred_fini(&p);
    T_EQ_INT(comp_ph("k|expand", "'%nope%'", &ph, &p), ERR_PARSE);
    T_CHECK(strstr(err, "placeholder %nope% has no value"));
}

static void t_bounds(void)
{
    struct buf b;
    buf_init(&b, 0);
    buf_putc(&b, '\'');
    for (int i = 0; i < SIGMA_MAX_VALUE + 1; i++)
        buf_putc(&b, 'a');
    buf_putc(&b, '\'');
    T_REFUSED("k", buf_cstr(&b), "value longer than 65536 bytes");
    buf_reset(&b);
    /* 60000 bytes fit, but their base64 does not */
    buf_putc(&b, '\'');
    for (int i = 0; i < 60000; i++)
        buf_putc(&b, 'a');
    buf_putc(&b, '\'');
    T_EQ_INT(m1("k|contains", buf_cstr(&b), "x"), 0);
    T_REFUSED("k|base64", buf_cstr(&b), "value longer than 65536 bytes after modifiers");
    T_REFUSED("k|wide", buf_cstr(&b), "after modifiers");
    /* 25 windash strings of 3000 bytes: each fits, together they do not */
    buf_reset(&b);
    buf_puts(&b, "' -a -b");
    for (int i = 0; i < 3000; i++)
        buf_putc(&b, 'c');
    buf_putc(&b, '\'');
    T_REFUSED("k|windash", buf_cstr(&b), "after modifiers");
    buf_fini(&b);
}

/* The naive answer: does p[0..m) occur in s[0..n)? */
static bool naive_contains(const char *s, size_t n, const char *p, size_t m)
{
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(s + i, p, m) == 0)
            return true;
    return false;
}

/* |contains|cased against the naive search, for needles of 1 to 40 bytes (short ones
 * take the 16-places-at-a-time path) at every place of values of 0 to 80 bytes, and
 * near-misses that share the first and last byte. */
static void t_contains_places(void)
{
    char hay[96], yaml[64];
    unsigned seed = 7;
    for (size_t m = 1; m <= 40; m++) {
        char needle[48];
        for (size_t i = 0; i < m; i++)
            needle[i] = (char)('a' + (i * 7 + m) % 3); /* a small alphabet: many partial hits */
        needle[m] = 0;
        snprintf(yaml, sizeof yaml, "'%s'", needle);
        struct sigma_pred p;
        T_EQ_INT(comp("k|contains|cased", yaml, &p), 0);
        for (size_t n = 0; n <= 80; n++) {
            for (size_t i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                hay[i] = (char)('a' + (seed >> 16) % 3);
            }
            for (size_t at = 0; at + m <= n; at += 1 + n / 8) {
                char h2[96];
                memcpy(h2, hay, n);
                memcpy(h2 + at, needle, m);
                if (m > 2)
                    h2[at + m / 2] = 'z'; /* first and last byte kept: a near miss */
                T_EQ_INT(holdsn(&p, h2, n), naive_contains(h2, n, needle, m));
                memcpy(h2 + at, needle, m);
                T_CHECK(holdsn(&p, h2, n));
            }
            T_EQ_INT(holdsn(&p, hay, n), naive_contains(hay, n, needle, m));
        }
        sigma_pred_fini(&p);
    }
}

/* Every allocation of a compile fails in turn: ERR_NOMEM (or success), never a leak. */
static void t_nomem(void)
{
    static const char *const cases[][2] = {
        {"CommandLine|contains|windash|all", "[' -a /b', ' -enc']"},
        {"k|wide|base64offset|contains", "ping"},
        {"k|re|i", "'^a(b|c)+$'"},
        {"k|cidr", "['10.0.0.0/8', '::1/128']"},
        {"k|fieldref", "Other"},
        {"k|utf16|base64", "x"},
        {"k", "['a*b?c', 'x']"},
    };
    size_t before = mem_in_use();
    for (unsigned c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        bool done = false;
        for (long n = 0; n < 10000 && !done; n++) {
            struct sigma_pred p;
            /* the YAML parse allocates too: fail only inside the compile */
            struct buf b;
            buf_init(&b, 0);
            buf_puts(&b, "k: ");
            buf_puts(&b, cases[c][1]);
            struct cfg_node *root = NULL;
            T_EQ_INT(cfg_parse(b.p, b.len, 0, &root, err, sizeof err), 0);
            buf_fini(&b);
            mem_fail_after(n);
            int rc = sigma_pred_compile(cases[c][0], root->children, NULL, &p, err, sizeof err);
            mem_fail_after(-1);
            cfg_free(root);
            if (rc == 0) {
                done = true;
                sigma_pred_fini(&p);
            } else {
                T_EQ_INT(rc, ERR_NOMEM);
                T_CHECK(p.values == NULL && p.field == NULL);
            }
            T_EQ_INT(mem_in_use(), before);
        }
        T_CHECK(done);
    }
}

int main(void)
{
    t_run("numbers", t_numbers);
    t_run("escapes", t_escapes);
    t_run("wildcards", t_wildcards);
    t_run("lists_all", t_lists_all);
    t_run("kinds", t_kinds);
    t_run("flags", t_flags);
    t_run("exists_null", t_exists_null);
    t_run("windash", t_windash);
    t_run("base64", t_base64);
    t_run("utf16", t_utf16);
    t_run("encode_refusals", t_encode_refusals);
    t_run("cidr", t_cidr);
    t_run("numeric", t_numeric);
    t_run("regex", t_regex);
    t_run("key_refusals", t_key_refusals);
    t_run("case_folding", t_case_folding);
    t_run("invalid_utf8", t_invalid_utf8);
    t_run("keywords", t_keywords);
    t_run("expand", t_expand);
    t_run("bounds", t_bounds);
    t_run("contains_places", t_contains_places);
    t_run("nomem", t_nomem);
    return t_done();
}
