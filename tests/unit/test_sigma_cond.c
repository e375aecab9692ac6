/*
 * test_sigma_cond.c — the Sigma condition parser (src/detect/sigma_cond.c): precedence,
 * parentheses, `not`, selectors with globs and `them`, the underscore rule, every refusal
 * with its message, the bounds, and every condition of the SigmaHQ rule snapshot. Trees
 * are compared through a printer that writes them back as "or(a,and(b,c))" or
 * "oneof(sel1,sel2)" so each case reads as the tree it expects.
 */
#include "core/core.h"
#include "detect/sigma_int.h"
#include "testlib.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void print(const struct sigma_cond *c, const char *const *names, struct buf *b)
{
    static const char *const kind[] = {"id", "and", "or", "not", "oneof", "allof"};
    switch (c->kind) {
    case SIGMA_COND_ID:
        buf_puts(b, names[c->ids[0]]);
        return;
    case SIGMA_COND_AND:
    case SIGMA_COND_OR:
        buf_printf(b, "%s(", kind[c->kind]);
        print(c->left, names, b);
        buf_putc(b, ',');
        print(c->right, names, b);
        buf_putc(b, ')');
        return;
    case SIGMA_COND_NOT:
        buf_puts(b, "not(");
        print(c->left, names, b);
        buf_putc(b, ')');
        return;
    case SIGMA_COND_ONE_OF:
    case SIGMA_COND_ALL_OF:
        buf_printf(b, "%s(", kind[c->kind]);
        for (unsigned i = 0; i < c->nids; i++)
            buf_printf(b, "%s%s", i ? "," : "", names[c->ids[i]]);
        buf_putc(b, ')');
        return;
    }
}

/* The identifiers most cases use. */
static const char *const std_names[] = {"a",
                                        "b",
                                        "c",
                                        "d",
                                        "sel1",
                                        "sel2",
                                        "selection",
                                        "mysel",
                                        "filter",
                                        "filter_main_x",
                                        "filter_optional_y",
                                        "_x1",
                                        "_x2",
                                        "x-y",
                                        "s-3",
                                        "1",
                                        "keywords"};
#define NSTD (sizeof std_names / sizeof std_names[0])

/* Parses text over names and returns the printed tree in a static buffer, or
 * "ERR: reason" (checking the code is ERR_PARSE and *out stays NULL). */
static const char *parse_with(const char *text, const char *const *names, size_t n)
{
    static char out[8192];
    struct sigma_cond *c = (struct sigma_cond *)1;
    char err[256] = "unset";
    int rc = sigma_cond_parse(text, names, n, &c, err, sizeof err);
    if (rc) {
        snprintf(out, sizeof out, "ERR%s%s: %s", rc == ERR_PARSE ? "" : "(code)",
                 c ? "(out set)" : "", err);
        return out;
    }
    struct buf b;
    buf_init(&b, sizeof out - 1);
    print(c, names, &b);
    snprintf(out, sizeof out, "%s", buf_cstr(&b) ? b.p : "?");
    buf_fini(&b);
    sigma_cond_free(c);
    return out;
}

static const char *parse(const char *text)
{
    return parse_with(text, std_names, NSTD);
}

/* True when the parse fails with a message holding both words. */
static bool refused(const char *text, const char *w1, const char *w2)
{
    const char *r = parse(text);
    if (strncmp(r, "ERR: offset ", 12) != 0 || !strstr(r, w1) || (w2 && !strstr(r, w2))) {
        printf("# %.60s -> %s\n", text, r);
        return false;
    }
    return true;
}

static void t_identifiers(void)
{
    T_EQ_STR(parse("a"), "a");
    T_EQ_STR(parse("  selection\n"), "selection");
    T_EQ_STR(parse("x-y and s-3"), "and(x-y,s-3)");
    T_EQ_STR(parse("_x1"), "_x1"); /* a plain reference may name an underscore identifier */
    T_EQ_STR(parse("1"), "1");     /* an identifier named 1 when no `of` follows */
    T_EQ_STR(parse("\ta\r\nand\tb"), "and(a,b)");
}

static void t_precedence(void)
{
    T_EQ_STR(parse("a or b and c"), "or(a,and(b,c))");
    T_EQ_STR(parse("a and b or c"), "or(and(a,b),c)");
    T_EQ_STR(parse("not a and b"), "and(not(a),b)");
    T_EQ_STR(parse("a or not b"), "or(a,not(b))");
    T_EQ_STR(parse("1 of sel* and not filter"), "and(oneof(sel1,sel2,selection),not(filter))");
    T_EQ_STR(parse("not 1 of sel*"), "not(oneof(sel1,sel2,selection))");
    /* left-associative chains */
    T_EQ_STR(parse("a and b and c"), "and(and(a,b),c)");
    T_EQ_STR(parse("a or b or c or d"), "or(or(or(a,b),c),d)");
    T_EQ_STR(parse("a or b and c or d"), "or(or(a,and(b,c)),d)");
}

static void t_parentheses(void)
{
    T_EQ_STR(parse("(a or b) and c"), "and(or(a,b),c)");
    T_EQ_STR(parse("a and (b or c)"), "and(a,or(b,c))");
    T_EQ_STR(parse("((a))"), "a");
    T_EQ_STR(parse("not (a or b)"), "not(or(a,b))");
    T_EQ_STR(parse("(a)and(b)"), "and(a,b)");
    T_EQ_STR(parse("( a or ( b and not c ) ) and not d"), "and(or(a,and(b,not(c))),not(d))");
    T_EQ_STR(parse("(1 of sel*)"), "oneof(sel1,sel2,selection)");
}

static void t_not(void)
{
    T_EQ_STR(parse("not not a"), "not(not(a))");
    T_EQ_STR(parse("not not not a"), "not(not(not(a)))");
    T_EQ_STR(parse("not a and not not b"), "and(not(a),not(not(b)))");
}

static void t_selectors(void)
{
    T_EQ_STR(parse("1 of sel*"), "oneof(sel1,sel2,selection)");
    T_EQ_STR(parse("any of sel*"), "oneof(sel1,sel2,selection)");
    T_EQ_STR(parse("all of sel*"), "allof(sel1,sel2,selection)");
    T_EQ_STR(parse("all of sel?"), "ERR: offset 10: unexpected character '?' in condition");
    /* whole names only */
    T_EQ_STR(parse("1 of sel"), "ERR: offset 5: '1 of sel' matches no identifier");
    T_EQ_STR(parse("1 of *sel"), "oneof(mysel)");
    T_EQ_STR(parse("1 of *sel*"), "oneof(sel1,sel2,selection,mysel)");
    T_EQ_STR(parse("1 of sel*1"), "oneof(sel1)");
    T_EQ_STR(parse("1 of s*l*n"), "oneof(selection)");
    T_EQ_STR(parse("1 of sel**"), "oneof(sel1,sel2,selection)");
    T_EQ_STR(parse("1 of filter_*"), "oneof(filter_main_x,filter_optional_y)");
    T_EQ_STR(parse("1 of s-*"), "oneof(s-3)");
    T_EQ_STR(parse("1 of a"), "oneof(a)"); /* a glob without * is an exact name */
    /* them and the underscore rule */
    T_EQ_STR(parse("all of them"), "allof(a,b,c,d,sel1,sel2,selection,mysel,filter,filter_main_x,"
                                   "filter_optional_y,x-y,s-3,1,keywords)");
    T_EQ_STR(parse("1 of *1"), "oneof(sel1,1)"); /* `*` skips _x1 too */
    T_EQ_STR(parse("1 of _x*"), "oneof(_x1,_x2)");
    T_EQ_STR(parse("all of _*"), "allof(_x1,_x2)");
    /* ids follow the order of names, not of the glob */
    static const char *const rev[] = {"sel_b", "other", "sel_a"};
    T_EQ_STR(parse_with("1 of sel_*", rev, 3), "oneof(sel_b,sel_a)");
    /* them with only underscore identifiers matches nothing */
    static const char *const under[] = {"_a", "_b"};
    T_EQ_STR(parse_with("all of them", under, 2),
             "ERR: offset 7: 'all of them' matches no identifier");
    T_EQ_STR(parse_with("1 of _*", under, 2), "oneof(_a,_b)");
    /* the loader's ids point into names: an identifier named like a keyword word */
    static const char *const kw[] = {"them", "any"};
    T_EQ_STR(parse_with("them or any", kw, 2), "or(them,any)");
}

/* A plain recursive glob matcher to hold the parser's against. */
static bool ref_glob(const char *g, const char *s)
{
    if (!*g)
        return !*s;
    if (*g == '*')
        return ref_glob(g + 1, s) || (*s && ref_glob(g, s + 1));
    return *s == *g && ref_glob(g + 1, s + 1);
}

/* Every glob over {a, b, *} up to 6 bytes against every name over {a, b} up to 5. */
static void t_glob_exhaustive(void)
{
    static char store[64][8];
    const char *names[64];
    size_t n = 0;
    for (int len = 1; len <= 5; len++)
        for (int bits = 0; bits < (1 << len); bits++, n++) {
            for (int i = 0; i < len; i++)
                store[n][i] = (bits >> i) & 1 ? 'b' : 'a';
            store[n][len] = '\0';
            names[n] = store[n];
        }
    unsigned checked = 0;
    for (int len = 1; len <= 6; len++) {
        int total = 1;
        for (int i = 0; i < len; i++)
            total *= 3;
        for (int code = 0; code < total; code++) {
            char glob[8], cond[32], want[1024] = "oneof(";
            for (int i = 0, c = code; i < len; i++, c /= 3)
                glob[i] = "ab*"[c % 3];
            glob[len] = '\0';
            snprintf(cond, sizeof cond, "1 of %s", glob);
            size_t w = strlen(want), hits = 0;
            for (size_t k = 0; k < n; k++)
                if (ref_glob(glob, names[k]))
                    w += (size_t)snprintf(want + w, sizeof want - w, "%s%s", hits++ ? "," : "",
                                          names[k]);
            snprintf(want + w, sizeof want - w, ")");
            const char *got = parse_with(cond, names, n);
            if (!hits)
                T_CHECK(strstr(got, "matches no identifier") != NULL);
            else
                T_EQ_STR(got, want);
            checked++;
        }
    }
    T_EQ_INT(checked, 3 + 9 + 27 + 81 + 243 + 729);
}

static void t_errors(void)
{
    T_CHECK(refused("", "empty", NULL));
    T_CHECK(refused("   \n\t", "empty", NULL));
    T_EQ_STR(parse("(a or b"),
             "ERR: offset 7: unbalanced parentheses: '(' at offset 0 is never closed");
    T_EQ_STR(parse("a)"), "ERR: offset 1: unbalanced parentheses: ')' without a matching '('");
    T_CHECK(refused("((a)", "unbalanced", "never closed"));
    T_CHECK(refused("(a))", "unbalanced", NULL));
    T_CHECK(refused("()", "empty parentheses", NULL));
    T_EQ_STR(parse("a b"), "ERR: offset 2: unexpected 'b': expected the end of the condition "
                           "(trailing input: 'and' or 'or' missing?)");
    T_CHECK(refused("(a b)", "unexpected 'b'", "')'"));
    T_CHECK(refused("a and (b c)", "offset 9", "unexpected"));
    T_EQ_STR(parse("a and"), "ERR: offset 5: missing operand after 'and'");
    T_EQ_STR(parse("a or"), "ERR: offset 4: missing operand after 'or'");
    T_EQ_STR(parse("and a"), "ERR: offset 0: missing operand before 'and'");
    T_EQ_STR(parse("a and or b"), "ERR: offset 6: missing operand before 'or'");
    T_EQ_STR(parse("not"), "ERR: offset 3: missing operand after 'not'");
    T_EQ_STR(parse("a and not"), "ERR: offset 9: missing operand after 'not'");
    T_CHECK(refused("(a and )", "missing operand", "')'"));
    T_EQ_STR(parse("of sel*"), "ERR: offset 0: 'of' needs a quantifier before it: 1, any or all");
    T_EQ_STR(parse("2 of sel*"),
             "ERR: offset 0: quantifier '2' is not supported: use 1, any or all");
    T_CHECK(refused("a and one of sel*", "quantifier 'one'", NULL));
    T_CHECK(refused("1 of", "pattern", "end of condition"));
    T_CHECK(refused("1 of (a)", "pattern", "'('"));
    T_EQ_STR(parse("1 of filter_zz*"), "ERR: offset 5: '1 of filter_zz*' matches no identifier");
    T_EQ_STR(parse("a and nope"), "ERR: offset 6: unknown identifier 'nope'");
    T_EQ_STR(parse("a AND b"), "ERR: offset 2: unexpected 'AND': keywords are lowercase");
    T_EQ_STR(parse("a and Not b"),
             "ERR: offset 6: unknown identifier 'Not' (keywords are lowercase)");
    T_CHECK(refused("NOT a", "unknown identifier 'NOT'", "lowercase"));
    T_CHECK(refused("sel*", "wildcard", "'1 of'"));
    /* v1 aggregations */
    T_EQ_STR(parse("selection | count() > 5"),
             "ERR: offset 10: aggregation (|) is Sigma v1 syntax: use a correlation rule");
    T_CHECK(refused("a|b", "aggregation (|)", "correlation"));
    T_CHECK(refused("x = \"|\"", "aggregation", NULL)); /* a | anywhere wins */
    T_CHECK(refused("count() by a > 3", "count()", "correlation"));
    T_CHECK(refused("a and count (b)", "count()", "v1"));
    T_CHECK(refused("a near b", "near", "v1"));
    T_CHECK(refused("near b", "near", "v1"));
    static const char *const nn[] = {"a", "near"}; /* unless an identifier has that name */
    T_EQ_STR(parse_with("a and near", nn, 2), "and(a,near)");
    /* other characters */
    T_EQ_STR(parse("a = b"), "ERR: offset 2: unexpected character '=' in condition");
    T_CHECK(refused("'a'", "offset 0", "unexpected character '''"));
    T_CHECK(refused("a and \"b\"", "offset 6", "unexpected character"));
    T_CHECK(refused("a and \xc3\xa9", "offset 6", "byte 0xc3"));
    T_CHECK(refused("a,b", "offset 1", "','"));
}

static void t_arguments(void)
{
    struct sigma_cond *c = NULL;
    char err[64];
    T_EQ_INT(sigma_cond_parse(NULL, std_names, NSTD, &c, err, sizeof err), ERR_INVAL);
    T_CHECK(err[0] != '\0');
    T_EQ_INT(sigma_cond_parse("a", std_names, NSTD, NULL, err, sizeof err), ERR_INVAL);
    /* no identifiers at all */
    T_EQ_INT(sigma_cond_parse("a", NULL, 0, &c, err, sizeof err), ERR_PARSE);
    T_CHECK(c == NULL);
    T_CHECK(strstr(err, "unknown identifier 'a'") != NULL);
    /* a tiny error buffer still gets a NUL-terminated prefix */
    char small[8];
    T_EQ_INT(sigma_cond_parse("a and", std_names, NSTD, &c, small, sizeof small), ERR_PARSE);
    T_EQ_STR(small, "offset ");
    T_EQ_INT(sigma_cond_parse("a and", std_names, NSTD, &c, NULL, 0), ERR_PARSE);
    sigma_cond_free(NULL);
    /* over SIGMA_MAX_IDENTIFIERS names */
    static const char *many[SIGMA_MAX_IDENTIFIERS + 1];
    for (size_t i = 0; i <= SIGMA_MAX_IDENTIFIERS; i++)
        many[i] = "a";
    T_EQ_INT(sigma_cond_parse("a", many, SIGMA_MAX_IDENTIFIERS + 1, &c, err, sizeof err),
             ERR_PARSE);
    T_CHECK(strstr(err, "identifiers") != NULL);
    T_EQ_INT(sigma_cond_parse("a", many, SIGMA_MAX_IDENTIFIERS, &c, err, sizeof err), 0);
    T_EQ_INT(c->ids[0], 0); /* the first of equal names */
    sigma_cond_free(c);
}

/* text of `n` times `open`, then `mid`, then `n` times `close`, heap-owned. */
static char *repeat3(const char *open, size_t n, const char *mid, const char *close)
{
    size_t lo = strlen(open), lm = strlen(mid), lc = strlen(close);
    char *s = malloc(n * (lo + lc) + lm + 1);
    if (!s)
        return NULL;
    char *w = s;
    for (size_t i = 0; i < n; i++, w += lo)
        memcpy(w, open, lo);
    memcpy(w, mid, lm);
    w += lm;
    for (size_t i = 0; i < n; i++, w += lc)
        memcpy(w, close, lc);
    *w = '\0';
    return s;
}

static void t_limits(void)
{
    size_t before = mem_in_use();
    /* 100k open parentheses: over the length cap */
    char *s = repeat3("(", 100000, "a", ")");
    T_CHECK(s);
    bool ok = refused(s, "offset 65536", "longer than 65536 bytes");
    free(s);
    T_CHECK(ok);
    /* 60k within the cap: refused at the 65th, no stack overflow */
    s = repeat3("(", 60000, "", "");
    ok = s && refused(s, "offset 64:", "deeper than 64");
    free(s);
    T_CHECK(ok);
    s = repeat3("(", 30000, "a", ")");
    ok = s && refused(s, "deeper than 64", NULL);
    free(s);
    T_CHECK(ok);
    s = repeat3("not ", 16000, "a", "");
    ok = s && refused(s, "deeper than 64", NULL);
    free(s);
    T_CHECK(ok);
    /* 64 levels are fine, 65 are not */
    s = repeat3("(", 64, "a", ")");
    ok = s && strcmp(parse(s), "a") == 0;
    free(s);
    T_CHECK(ok);
    s = repeat3("not ", 63, "a", "");
    ok = s && strncmp(parse(s), "not(not(", 8) == 0;
    free(s);
    T_CHECK(ok);
    s = repeat3("not ", 64, "a", "");
    ok = s && refused(s, "deeper than 64", NULL);
    free(s);
    T_CHECK(ok);
    /* alternating and/or through parentheses: each switch is a level */
    s = repeat3("a and (b or (", 40, "c", "))");
    ok = s && refused(s, "deeper than 64", NULL);
    free(s);
    T_CHECK(ok);
    /* a long flat chain is one level: fine up to the node cap */
    s = repeat3("a or ", 500, "b", "");
    ok = s && strncmp(parse(s), "or(or(", 6) == 0;
    free(s);
    T_CHECK(ok);
    s = repeat3("a or ", 600, "b", ""); /* 1201 nodes */
    ok = s && refused(s, "more than 1024 nodes", NULL);
    free(s);
    T_CHECK(ok);
    /* over 64 KiB of text */
    s = repeat3(" ", 70000, "a", "");
    ok = s && refused(s, "longer than 65536", NULL);
    free(s);
    T_CHECK(ok);
    s = repeat3(" ", 65535, "a", "");
    ok = s && strcmp(parse(s), "a") == 0;
    free(s);
    T_CHECK(ok);
    T_EQ_INT(mem_in_use(), before);
}

/* Every allocation failure point: an error, never a crash or a leak. */
static void t_nomem(void)
{
    size_t before = mem_in_use();
    const char *text = "(1 of sel* or a) and not all of filter_* and b";
    int seen_ok = 0;
    for (long k = 0; k < 40; k++) {
        struct sigma_cond *c = NULL;
        char err[128] = "";
        mem_fail_after(k);
        int rc = sigma_cond_parse(text, std_names, NSTD, &c, err, sizeof err);
        mem_fail_after(-1);
        if (rc == 0) {
            seen_ok++;
            sigma_cond_free(c);
        } else {
            T_EQ_INT(rc, ERR_NOMEM);
            T_CHECK(c == NULL);
            T_CHECK(err[0] != '\0');
        }
        T_EQ_INT(mem_in_use(), before);
    }
    T_CHECK(seen_ok > 0);
}

/* Conditions copied from the SigmaHQ rules, with their identifiers: runs without the
 * snapshot, and pins a few structures. */
static void t_real(void)
{
    static const char *const n1[] = {
        "selection_parent",      "selection_generic_child_img", "selection_generic_child_cli",
        "selection_specific_sh", "selection_specific_cli",      "filter_main_default_shell_flag"};
    T_EQ_STR(parse_with("selection_parent and\n(\n    1 of selection_generic_*\n    or\n"
                        "    (selection_specific_sh and not filter_main_default_shell_flag)\n"
                        "    or\n    (all of selection_specific_* and "
                        "selection_generic_child_cli)\n)\n",
                        n1, 6),
             "and(selection_parent,or(or(oneof(selection_generic_child_img,"
             "selection_generic_child_cli),and(selection_specific_sh,not(filter_main_default_"
             "shell_flag))),and(allof(selection_specific_sh,selection_specific_cli),"
             "selection_generic_child_cli)))");
    static const char *const n2[] = {"selection", "filter_main_a", "filter_main_b",
                                     "filter_optional_c"};
    T_EQ_STR(
        parse_with("selection and not 1 of filter_main_* and not 1 of filter_optional_*", n2, 4),
        "and(and(selection,not(oneof(filter_main_a,filter_main_b))),"
        "not(oneof(filter_optional_c)))");
    static const char *const n3[] = {"request_client", "respond_server", "filter1", "svchost",
                                     "commandline_null"};
    T_EQ_STR(parse_with("( request_client or respond_server ) and not 1 of filter* and not "
                        "( svchost and commandline_null )",
                        n3, 5),
             "and(and(or(request_client,respond_server),not(oneof(filter1))),"
             "not(and(svchost,commandline_null)))");
    static const char *const n4[] = {"selection1", "selection2", "selection3", "folder"};
    T_EQ_STR(parse_with("(selection1 or selection2 or selection3) and folder", n4, 4),
             "and(or(or(selection1,selection2),selection3),folder)");
    static const char *const n5[] = {"selection_4103", "selection_4104"};
    T_EQ_STR(parse_with("selection_4103", n5, 2), "selection_4103");
}

/* ---- the rule snapshot ---------------------------------------------------------------- */

struct corpus_stats {
    unsigned files, conditions, failed;
};

static void check_doc(const char *path, const struct cfg_node *doc, struct corpus_stats *st)
{
    const struct cfg_node *det = cfg_get(doc, "detection");
    if (!det || det->kind != CFG_MAP)
        return;
    const char *names[SIGMA_MAX_IDENTIFIERS];
    size_t n = 0;
    const struct cfg_node *cond = NULL;
    for (const struct cfg_node *c = det->children; c; c = c->next) {
        if (!strcmp(c->key, "condition"))
            cond = c;
        else if (n < SIGMA_MAX_IDENTIFIERS)
            names[n++] = c->key;
    }
    if (!cond)
        return;
    const struct cfg_node *items = cond->kind == CFG_SEQ ? cond->children : cond;
    for (const struct cfg_node *it = items; it; it = cond->kind == CFG_SEQ ? it->next : NULL) {
        struct sigma_cond *c = NULL;
        char err[256];
        st->conditions++;
        if (it->kind != CFG_SCALAR ||
            sigma_cond_parse(it->text, names, n, &c, err, sizeof err) != 0) {
            if (st->failed++ < 10)
                printf("# %s:%u: %s\n", path, it->line,
                       it->kind == CFG_SCALAR ? err : "not a string");
            continue;
        }
        sigma_cond_free(c);
    }
}

static void walk_dir(const char *dir, struct corpus_stats *st, unsigned depth)
{
    DIR *d = opendir(dir);
    if (!d || depth > 16) {
        if (d)
            closedir(d);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat sb;
        if (stat(path, &sb))
            continue;
        if (S_ISDIR(sb.st_mode)) {
            walk_dir(path, st, depth + 1);
            continue;
        }
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 4, ".yml"))
            continue;
        struct buf text;
        struct cfg_node *docs = NULL;
        char err[256];
        buf_init(&text, 16u << 20);
        if (buf_read_file(&text, path) == 0 &&
            cfg_parse_all(text.p ? text.p : "", text.len, 1u << 20, &docs, err, sizeof err) == 0) {
            st->files++;
            for (const struct cfg_node *doc = docs->children; doc; doc = doc->next)
                if (doc->kind == CFG_MAP)
                    check_doc(path, doc, st);
        }
        cfg_free(docs);
        buf_fini(&text);
    }
    closedir(d);
}

/* Every condition of the SigmaHQ snapshot (SIGMA.md) parses over its identifiers. The
 * snapshot lives outside the repository: VIGIL_SIGMA_RULES points at it, by default
 * /work/shared/sigma-rules; without it the case says so and passes. */
static void t_corpus(void)
{
    const char *root = getenv("VIGIL_SIGMA_RULES");
    if (!root)
        root = "/work/shared/sigma-rules";
    struct stat sb;
    if (stat(root, &sb) || !S_ISDIR(sb.st_mode)) {
        printf("# no Sigma rule snapshot at %s: corpus case skipped\n", root);
        return;
    }
    size_t before = mem_in_use();
    struct corpus_stats st = {0};
    walk_dir(root, &st, 0);
    printf("# %u rule files, %u conditions, %u refused\n", st.files, st.conditions, st.failed);
    T_CHECK(st.files > 1000);
    T_CHECK(st.conditions >= st.files);
    T_EQ_INT(st.failed, 0);
    T_EQ_INT(mem_in_use(), before);
}

int main(void)
{
    t_run("identifiers", t_identifiers);
    t_run("precedence", t_precedence);
    t_run("parentheses", t_parentheses);
    t_run("not", t_not);
    t_run("selectors", t_selectors);
    t_run("glob_exhaustive", t_glob_exhaustive);
    t_run("errors", t_errors);
    t_run("arguments", t_arguments);
    t_run("limits", t_limits);
    t_run("nomem", t_nomem);
    t_run("real_conditions", t_real);
    t_run("corpus", t_corpus);
    return t_done();
}
