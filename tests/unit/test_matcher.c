/*
 * test_matcher.c — the compiled matcher (detect_match) against what a rule means and
 * against the reference evaluator (detect_match_all): every case states the expected
 * verdict, and both engines must give it. The cases are where a prefilter goes wrong:
 * a literal that occurs twice (only the last can end the value), anchors, case folding
 * beyond ASCII (Hyperscan folds ASCII only), cased values, globs with `?`, keywords,
 * conditions true with no hit (`not`), `|all`, empty values, route aliases, fields
 * nobody declared, value lists of thousands, the order of the matches, and the memo of
 * recent values (a value seen again must give what scanning it gives).
 */
#include "core/core.h"
#include "detect/detect.h"
#include "detect/detect_int.h"
#include "event/event.h"
#include "testlib.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* One rule for windows/process_creation with the given detection body. */
#define RULE(id, body)                                                                             \
    "title: " id "\nid: " id "\nlogsource:\n  product: windows\n  category: process_creation\n"    \
    "level: high\ndetection:\n" body "\n---\n"

static struct detect_rules *rs;
static struct detect_matcher *m;
static struct detect_scratch *s;
static struct event ev;

static void load(const char *yaml)
{
    detect_scratch_free(s);
    detect_matcher_free(m);
    detect_rules_free(rs);
    s = NULL, m = NULL, rs = NULL;
    struct detect_load_stats st;
    char err[256] = "";
    T_CHECK(detect_rules_load_text(NULL, "t.yml", yaml, strlen(yaml), NULL, NULL, &rs, &st) == 0);
    T_EQ_INT(st.refused, 0);
    T_CHECK(detect_matcher_compile(rs, &m, NULL, err, sizeof err) == 0);
    T_CHECK(m && (s = detect_scratch_new(m)) != NULL);
}

/* An event of route rt with name/value pairs (NULL-terminated). */
static void event_of(int rt, ...)
{
    event_reset(&ev);
    ev.routes = ROUTE_BIT(rt);
    va_list ap;
    va_start(ap, rt);
    const char *n;
    while ((n = va_arg(ap, const char *)) != NULL) {
        const char *v = va_arg(ap, const char *);
        event_add_named(&ev, slice_cstr(n), slice_cstr(v));
    }
    va_end(ap);
    ev.text = ev.raw = slice_cstr("a record");
}

struct got {
    size_t rules[16];
    size_t n;
};

static int collect(void *ctx, size_t rule, const struct event *e)
{
    (void)e;
    struct got *g = ctx;
    if (g->n < 16)
        g->rules[g->n++] = rule;
    return 0;
}

/* The ids of the matching rules, space-separated, from the compiled matcher; fails the
 * test when the reference evaluator says otherwise. */
static const char *matches(void)
{
    static char out[256];
    struct got c = {{0}, 0}, r = {{0}, 0};
    if (detect_match(m, s, &ev, collect, &c) != 0)
        t_fail(__FILE__, __LINE__, "detect_match failed");
    detect_match_all(rs, &ev, collect, &r);
    if (c.n != r.n || memcmp(c.rules, r.rules, c.n * sizeof c.rules[0]) != 0)
        t_fail(__FILE__, __LINE__, "the compiled matcher and the reference disagree");
    out[0] = 0;
    for (size_t i = 0; i < c.n; i++) {
        struct detect_rule_info ri;
        detect_rule_info(rs, c.rules[i], &ri);
        snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", i ? " " : "", ri.id);
    }
    return out;
}

static const int PC = ROUTE_win_process_creation;

static void t_anchors(void)
{
    load(RULE("suffix", "  sel:\n    CommandLine|endswith: 'cmd.exe'\n  condition: sel")
             RULE("prefix", "  sel:\n    CommandLine|startswith: 'cmd'\n  condition: sel")
                 RULE("exact", "  sel:\n    CommandLine: 'cmd.exe'\n  condition: sel"));
    /* the literal occurs twice: only the second ends the value */
    event_of(PC, "CommandLine", "cmd.exe /c cmd.exe", NULL);
    T_EQ_STR(matches(), "suffix prefix");
    event_of(PC, "CommandLine", "x cmd.exe /c", NULL);
    T_EQ_STR(matches(), "");
    event_of(PC, "CommandLine", "CMD.EXE", NULL);
    T_EQ_STR(matches(), "suffix prefix exact");
    event_of(PC, "CommandLine", "cmd.exe cmd.exe", NULL);
    T_EQ_STR(matches(), "suffix prefix");
    event_of(PC, "CommandLine", "", NULL);
    T_EQ_STR(matches(), "");
}

static void t_case(void)
{
    load(RULE("e-acute", "  sel:\n    CommandLine|contains: 'CAFÉ'\n  condition: sel")
             RULE("kelvin", "  sel:\n    CommandLine|endswith: 'k'\n  condition: sel")
                 RULE("cased", "  sel:\n    CommandLine|contains|cased: 'Abc'\n  condition: sel"));
    event_of(PC, "CommandLine", "un café noir", NULL);
    T_EQ_STR(matches(), "e-acute");
    event_of(PC, "CommandLine", "UN CAFÉ", NULL);
    T_EQ_STR(matches(), "e-acute");
    event_of(PC, "CommandLine", "500 \xe2\x84\xaa", NULL); /* KELVIN SIGN folds to k */
    T_EQ_STR(matches(), "kelvin");
    event_of(PC, "CommandLine", "xAbcé", NULL); /* cased, in a value with non-ASCII bytes */
    T_EQ_STR(matches(), "cased");
    event_of(PC, "CommandLine", "xabcé", NULL);
    T_EQ_STR(matches(), "");
    event_of(PC, "CommandLine", "xABC", NULL);
    T_EQ_STR(matches(), "");
    event_of(PC, "CommandLine", "\xff\xfe Abc", NULL); /* not UTF-8 */
    T_EQ_STR(matches(), "cased");
}

static void t_globs_and_keywords(void)
{
    load(RULE("glob", "  sel:\n    CommandLine: 'a?c*d'\n  condition: sel")
             RULE("kw", "  kw:\n    - 'evil'\n  condition: kw") RULE(
                 "kwall", "  kw:\n    '|all':\n      - 'one'\n      - 'two'\n  condition: kw"));
    event_of(PC, "CommandLine", "abcxxd", NULL);
    T_EQ_STR(matches(), "glob");
    event_of(PC, "CommandLine", "acd", NULL);
    T_EQ_STR(matches(), "");
    event_of(PC, "CommandLine",
             "a\xc3\xa9"
             "c d",
             NULL); /* ? is one character */
    T_EQ_STR(matches(), "glob");
    event_of(PC, "CommandLine", "abcd x", NULL);
    T_EQ_STR(matches(), "");
    event_of(PC, "User", "EVIL\\admin", "Image", "one.exe", "CommandLine", "two", NULL);
    T_EQ_STR(matches(), "kw kwall");
    event_of(PC, "Image", "one.exe", NULL);
    T_EQ_STR(matches(), "");
}

static void t_no_hit_needed(void)
{
    load(RULE("not", "  sel:\n    Image|endswith: '\\x.exe'\n  condition: not sel")
             RULE("null", "  sel:\n    ParentImage: null\n  condition: sel")
                 RULE("empty", "  sel:\n    CommandLine: ''\n  condition: sel")
                     RULE("re", "  sel:\n    CommandLine|re: '^[a-z]+ -[0-9]$'\n  condition: sel")
                         RULE("neq", "  sel:\n    Image|neq: 'C:\\a.exe'\n  condition: sel"));
    event_of(PC, "Image", "C:\\x.exe", "ParentImage", "p.exe", NULL);
    T_EQ_STR(matches(), "neq");
    event_of(PC, "Image", "C:\\a.exe", "CommandLine", "", NULL);
    T_EQ_STR(matches(), "not null empty");
    event_of(PC, "Image", "C:\\A.EXE", "CommandLine", "abc -4", "ParentImage", "p", NULL);
    T_EQ_STR(matches(), "not re");
}

static void t_all_and_lists(void)
{
    /* 2,000 hashes in one list, and |all over two literals */
    struct buf b;
    buf_init(&b, 1 << 20);
    buf_puts(&b, "title: hashes\nid: hashes\nlogsource:\n  product: windows\n"
                 "  category: process_creation\ndetection:\n  sel:\n    Hashes|contains:\n");
    for (int i = 0; i < 2000; i++)
        buf_printf(&b, "      - 'MD5=%032X'\n", i * 7919u);
    buf_puts(&b, "  condition: sel\n---\n");
    buf_puts(&b, RULE("all", "  sel:\n    CommandLine|contains|all:\n      - ' -enc '\n"
                             "      - 'powershell'\n  condition: sel"));
    load(buf_cstr(&b));
    buf_fini(&b);
    char v[80];
    snprintf(v, sizeof v, "SHA1=00,MD5=%032x,IMPHASH=11", 1234 * 7919u);
    event_of(PC, "Hashes", v, NULL);
    T_EQ_STR(matches(), "hashes");
    event_of(PC, "Hashes", "MD5=00000000000000000000000000000001", NULL);
    T_EQ_STR(matches(), "");
    event_of(PC, "CommandLine", "PowerShell.exe -enc AAAA", NULL);
    T_EQ_STR(matches(), "all");
    event_of(PC, "CommandLine", "powershell.exe -c x", NULL);
    T_EQ_STR(matches(), "");
}

static void t_fields_routes_order(void)
{
    load(RULE("b-image", "  sel:\n    Image|endswith: '\\whoami.exe'\n  condition: sel") RULE(
        "a-custom",
        "  sel:\n    ZzNobodyDeclaredThis: 'yes'\n  condition: sel") "title: web\nid: "
                                                                     "web\nlogsource:\n  category: "
                                                                     "webserver\ndetection:\n"
                                                                     "  sel:\n    "
                                                                     "cs-uri-query|contains: "
                                                                     "'whoami'\n  condition: "
                                                                     "sel\n");
    /* the route aliases of Security 4688: Image is read from NewProcessName */
    uint16_t image = field_lookup("Image", 5), npn = field_lookup("NewProcessName", 14);
    T_CHECK(image != FIELD_NONE && npn != FIELD_NONE);
    const struct field_alias aliases[] = {{image, npn}, {0, 0}};
    event_of(PC, "NewProcessName", "C:\\Windows\\System32\\whoami.exe", "ZzNobodyDeclaredThis",
             "YES", NULL);
    ev.aliases = aliases;
    T_EQ_STR(matches(), "b-image a-custom"); /* in rule order, not the order of hits */
    /* the same values on a web event: only the web rule may see it */
    event_of(ROUTE_webserver, "Image", "C:\\whoami.exe", "cs-uri-query", "c=whoami", NULL);
    T_EQ_STR(matches(), "web");
    event_of(ROUTE_webserver, "ZzNobodyDeclaredThis", "yes", NULL);
    T_EQ_STR(matches(), "");
}

static void t_memo(void)
{
    load(RULE("kw", "  kw:\n    - 'evil'\n  condition: kw")
             RULE("kwall", "  kw:\n    '|all':\n      - 'one'\n      - 'two'\n  condition: kw")
                 RULE("both", "  sel:\n    Image|endswith: '\\x.exe'\n    CommandLine|contains: "
                              "'abc'\n  condition: sel"));
    /* the second value is scanned while 'evil' already holds for the event: what the
     * memo keeps of it must still say 'evil' */
    event_of(PC, "User", "evil one", "Image", "evil two", NULL);
    T_EQ_STR(matches(), "kw kwall");
    event_of(PC, "Image", "evil two", NULL);
    T_EQ_STR(matches(), "kw");
    event_of(PC, "User", "one", "Image", "evil two", NULL);
    T_EQ_STR(matches(), "kw kwall");
    /* two values of one field, both holding the same atom, then the second alone */
    event_of(PC, "Image", "C:\\x.exe", "CommandLine", "abc 1", "CommandLine", "abc 2", NULL);
    T_EQ_STR(matches(), "both");
    event_of(PC, "Image", "C:\\x.exe", "CommandLine", "abc 2", NULL);
    T_EQ_STR(matches(), "both");
    /* a remembered value beside different other values */
    event_of(PC, "Image", "C:\\x.exe", "CommandLine", "zzz", NULL);
    T_EQ_STR(matches(), "");
    event_of(PC, "Image", "C:\\y.exe", "CommandLine", "abc 2", NULL);
    T_EQ_STR(matches(), "");
    /* far more values than the memo holds (16,384 slots, 8 MB of records), some longer
     * than it keeps, each seen again later: the verdict is the value's, whatever the
     * memo forgot or overwrote in between */
    static char v[1600];
    uint64_t lookups0, found0, lookups, found;
    detect_scratch_memo_counts(s, &lookups0, &found0);
    for (unsigned i = 0; i < 24000; i++) {
        unsigned k = i % 2 ? i / 2 : (i * 7919u) % 12000; /* each k comes back */
        size_t len = 16 + (k * 131u) % 1500;
        for (size_t j = 0; j < len; j++)
            v[j] = (char)('a' + (k + j * 7) % 23 % 19); /* no 'abc' run, no 'evil' */
        snprintf(v + len, sizeof v - len, "%s", k % 3 ? "" : " abc");
        event_of(PC, "Image", k % 5 ? "C:\\x.exe" : "C:\\y.exe", "CommandLine", v, NULL);
        bool want = k % 3 == 0 && k % 5 != 0;
        const char *got = matches();
        if (strcmp(got, want ? "both" : "") != 0) {
            t_fail(__FILE__, __LINE__, "a value seen again gave another verdict");
            break;
        }
    }
    detect_scratch_memo_counts(s, &lookups, &found);
    T_CHECK(lookups > lookups0 && found > found0); /* the memo was used, and not always */
    T_CHECK(found - found0 < lookups - lookups0);
}

/* The last route of routes.def, past bit 63 of the route set: a rule of its logsource
 * sees its events and no other's. */
static void t_high_route(void)
{
    int rt = ROUTE_COUNT - 1;
    T_CHECK(rt >= 64);
    const struct route *r = &route_table[rt];
    char yaml[512];
    snprintf(yaml, sizeof yaml,
             "title: high\nid: high\nlogsource:\n%s%s%s%s%s%s%s%s%s"
             "detection:\n  sel:\n    hostname: laptop-7\n  condition: sel\n",
             r->product[0] ? "  product: " : "", r->product, r->product[0] ? "\n" : "",
             r->category[0] ? "  category: " : "", r->category, r->category[0] ? "\n" : "",
             r->service[0] ? "  service: " : "", r->service, r->service[0] ? "\n" : "");
    load(yaml);
    event_of(rt, "hostname", "laptop-7", NULL);
    T_EQ_STR(matches(), "high");
    event_of(PC, "hostname", "laptop-7", NULL);
    T_EQ_STR(matches(), "");
}

/* Regexes looked for by a literal of theirs: a hit only proposes the rule, PCRE2 decides;
 * a regex beside a literal group is not scanned at all; caseless regexes and values with
 * letters PCRE2 folds beyond ASCII. */
static void t_regex_literals(void)
{
    load(RULE("net-user", "  sel:\n    CommandLine|re: 'net\\s+user\\s+'\n  condition: sel")
             RULE("ci", "  sel:\n    CommandLine|re: '(?i)kerberos::[a-z]+'\n  condition: sel")
                 RULE("beside", "  img:\n    Image|endswith: '\\curl.exe'\n  cli:\n"
                                "    CommandLine|re: '\\s-k\\s'\n  condition: img and cli")
                     RULE("alt", "  sel:\n    CommandLine|re: 'mimikatz|kiwi'\n  condition: sel"));
    event_of(PC, "CommandLine", "net  user bob /add", NULL);
    T_EQ_STR(matches(), "net-user");
    event_of(PC, "CommandLine", "net user", NULL); /* the literal, not the regex */
    T_EQ_STR(matches(), "");
    event_of(PC, "CommandLine", "KERBEROS::ptt", NULL);
    T_EQ_STR(matches(), "ci");
    event_of(PC, "CommandLine",
             "\xe2\x84\xaa"
             "erberos::list",
             NULL); /* KELVIN SIGN */
    T_EQ_STR(matches(), "ci");
    event_of(PC, "CommandLine", "kerberos:: list", NULL);
    T_EQ_STR(matches(), "");
    event_of(PC, "Image", "C:\\curl.exe", "CommandLine", "curl -k https://x", NULL);
    T_EQ_STR(matches(), "beside");
    event_of(PC, "Image", "C:\\wget.exe", "CommandLine", "curl -k https://x", NULL);
    T_EQ_STR(matches(), "");
    event_of(PC, "CommandLine", "run kiwi now", NULL);
    T_EQ_STR(matches(), "alt");
}

/* A literal with a long run of one byte (Hyperscan 5.4 fails every scan of a database
 * holding one): looked for by a shorter piece, confirmed by the value. */
static void t_long_runs(void)
{
    load(RULE("run",
              "  sel:\n    CommandLine|contains: 'exe2222222222222222222222222222222222222222'\n"
              "  condition: sel")
             RULE("end", "  sel:\n    CommandLine|endswith: 'cmd.exe'\n  condition: sel"));
    event_of(PC, "CommandLine", "cmd.exe", NULL);
    T_EQ_STR(matches(), "end");
    event_of(PC, "CommandLine", "a.exe2222222222222222222222222222222222222222 cmd.exe", NULL);
    T_EQ_STR(matches(), "run end");
    event_of(PC, "CommandLine", "a.exe222222222222222222222222222222222222222 x",
             NULL); /* one short */
    T_EQ_STR(matches(), "");
}

/* Keywords in a JSON event look at its values alone, joined for one scan: not at key
 * names, not across two values; a JSON-escaped backslash is found as one. */
static void t_keywords_json(void)
{
    load(RULE("kw-name", "  kw:\n    - 'Image'\n  condition: kw")
             RULE("kw-path", "  kw:\n    - '\\Temp\\evil'\n  condition: kw")
                 RULE("kw-glob", "  kw:\n    - 'abc*xyz'\n  condition: kw"));
    event_of(PC, "Image", "C:\\Temp\\evil.exe", "User", "abc", "Company", "xyz", NULL);
    ev.decoder = "json";
    ev.text = ev.raw =
        slice_cstr("{\"Image\":\"C:\\\\Temp\\\\evil.exe\",\"User\":\"abc\",\"Company\":\"xyz\"}");
    T_EQ_STR(matches(), "kw-path");
    event_of(PC, "Image", "C:\\x.exe", "User", "abc-xyz", NULL);
    ev.decoder = "json";
    ev.text = ev.raw = slice_cstr("{\"Image\":\"C:\\\\x.exe\",\"User\":\"abc-xyz\"}");
    T_EQ_STR(matches(), "kw-glob");
    event_of(PC, "Image", "C:\\x.exe", "User", "ABC\xc3\xa9XYZ", NULL); /* folded */
    ev.decoder = "windows";
    T_EQ_STR(matches(), "kw-glob");
    /* a text log: the text is part of what keywords see */
    event_of(PC, "User", "abc", NULL);
    ev.decoder = "syslog";
    ev.text = ev.raw = slice_cstr("Image abc then xyz");
    T_EQ_STR(matches(), "kw-name kw-glob");
    /* a JSON event that lost fields: its text counts again */
    event_of(PC, "User", "abc", NULL);
    ev.decoder = "json";
    ev.flags |= EVF_FIELDS_DROPPED;
    ev.text = ev.raw = slice_cstr("{\"User\":\"abc\",\"Image\":\"xyz\"}");
    T_EQ_STR(matches(), "kw-name kw-glob");
}

/* re_required_literal: what it keeps and where it gives up. */
static void t_regex_literal_reading(void)
{
    static const struct {
        const char *re;
        const char *lit; /* "" for none */
        bool caseless;
    } cases[] = {
        {"net\\s+user\\s+", "user", false},
        {"(?i)Kerberos::", "kerberos::", true},
        {"\\$PSHome\\[\\s*\\d", "$PSHome[", false},
        {"ab?cdef", "cdef", false},
        {"abcd*e", "abc", false},
        {"abc+de", "abc", false},
        {"x{2}yz", "yz", false},
        {"ab{0,3}cd", "cd", false},
        {"cmd.{0,5}(?:/c|/r).+powershell.+", "powershell", false},
        {"mimikatz|kiwi", "", false},
        {"(?x)a b c", "", false},
        {"abc(?i)def", "", false},
        {"\\Qabc\\E", "", false},
        {"[abc]{3}\\d+", "", false},
        {"a{b", "", false},
        {"[[:alpha:]]]xyz", "]xyz", false},
        {"(?#a(b)abcd", "", false},
        {"caf\xc3\xa9latte", "latte", false},
        {"\\\\windows\\\\temp", "\\windows\\temp", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64];
        bool ci = false;
        size_t n = re_required_literal(cases[i].re, strlen(cases[i].re), 0, out, sizeof out, &ci);
        char got[64];
        snprintf(got, sizeof got, "%.*s", (int)n, out);
        T_EQ_STR(got, cases[i].lit);
        if (n)
            T_EQ_INT(ci, cases[i].caseless);
    }
}

int main(void)
{
    field_registry_init();
    t_run("matcher: startswith/endswith/exact when the literal occurs twice", t_anchors);
    t_run("matcher: case folding beyond ASCII, cased values, bytes not UTF-8", t_case);
    t_run("matcher: globs with ?, keywords and |all keywords", t_globs_and_keywords);
    t_run("matcher: conditions that hold with no hit (not, null, empty, re, neq)", t_no_hit_needed);
    t_run("matcher: 2,000-value lists, |all", t_all_and_lists);
    t_run("matcher: route aliases, undeclared fields, routes, rule order", t_fields_routes_order);
    t_run("matcher: values seen again, within and beyond the memo", t_memo);
    t_run("matcher: a route past bit 63 of the route set", t_high_route);
    t_run("matcher: regexes looked for by a literal of theirs", t_regex_literals);
    t_run("matcher: the literal a regex requires", t_regex_literal_reading);
    t_run("matcher: literals with long runs of one byte", t_long_runs);
    t_run("matcher: keywords in JSON events look at the values alone", t_keywords_json);
    detect_scratch_free(s);
    detect_matcher_free(m);
    detect_rules_free(rs);
    return t_done();
}
