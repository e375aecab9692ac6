/*
 * test_analyze_field.c — a web event's fields judged by the analyzers as the application
 * would receive them (an_request.c): query strings split at '&' with each parameter
 * decoded alone, paths per segment, URLs split at '?', the evidence kept; and the
 * analyzers as rules: the `|vigil_attack` modifier (accepted and refused forms), the
 * built-in rules loaded on request, matched alike by the compiled matcher and the
 * reference evaluator, and the evidence of a match (detect_rule_evidence).
 */
#include "analyze/analyze.h"
#include "core/core.h"
#include "decode/decode.h"
#include "detect/detect.h"
#include "event/event.h"
#include "testlib.h"

#include <stdio.h>
#include <string.h>

static bool field(enum analyze_kind k, enum analyze_form form, const char *s,
                  struct analyze_evidence *ev)
{
    return analyze_field(k, form, s, strlen(s), ev);
}

static void t_forms_by_name(void)
{
    T_EQ_INT(analyze_form_of_field("cs-uri-query", 12), ANALYZE_FORM_QUERY);
    T_EQ_INT(analyze_form_of_field("c-uri-query", 11), ANALYZE_FORM_QUERY);
    T_EQ_INT(analyze_form_of_field("cs-uri-stem", 11), ANALYZE_FORM_PATH);
    T_EQ_INT(analyze_form_of_field("cs-uri", 6), ANALYZE_FORM_URL);
    T_EQ_INT(analyze_form_of_field("cs-referer", 10), ANALYZE_FORM_URL);
    T_EQ_INT(analyze_form_of_field("cs-user-agent", 13), ANALYZE_FORM_RAW);
    T_EQ_INT(analyze_form_of_field("cs-uri-q", 8), ANALYZE_FORM_RAW);
    T_EQ_INT(analyze_kind_by_name("sqli", 4), ANALYZE_SQLI);
    T_EQ_INT(analyze_kind_by_name("scanner", 7), ANALYZE_SCANNER);
    T_EQ_INT(analyze_kind_by_name("sql", 3), -1);
    T_EQ_STR(analyze_kind_name(ANALYZE_XSS), "xss");
}

static void t_query_split(void)
{
    struct analyze_evidence ev;
    /* the attack is in the second parameter; the evidence names it */
    T_CHECK(field(ANALYZE_SQLI, ANALYZE_FORM_QUERY, "page=2&id=1%27%20OR%20%271%27%3D%271", &ev));
    T_EQ_STR(ev.param, "id");
    T_CHECK(strstr(ev.fragment, "1' OR '1'='1") != NULL);
    T_EQ_INT(ev.len, strlen(ev.fragment));
    /* '+' is a space in a query value; an encoded '&' stays inside its value */
    T_CHECK(field(ANALYZE_SQLI, ANALYZE_FORM_QUERY, "q=1+UNION+SELECT+null,null--", &ev));
    T_CHECK(strstr(ev.fragment, "UNION SELECT") != NULL);
    T_CHECK(!field(ANALYZE_SQLI, ANALYZE_FORM_QUERY, "q=rock+%26+roll&artist=O%27Brien", NULL));
    /* a raw '&' splits as the server splits: neither half is an attack alone */
    T_CHECK(!field(ANALYZE_SQLI, ANALYZE_FORM_QUERY, "q=Tom & Jerry&sort=asc", NULL));
    /* a parameter without '=' is judged whole; a name that is not an identifier too */
    T_CHECK(field(ANALYZE_XSS, ANALYZE_FORM_QUERY, "%3Cscript%3Ealert(1)%3C/script%3E", &ev));
    T_EQ_STR(ev.param, "");
    T_CHECK(field(ANALYZE_XSS, ANALYZE_FORM_QUERY, "a=1&%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E=1",
                  &ev));
    T_CHECK(!field(ANALYZE_XSS, ANALYZE_FORM_QUERY, "items[0].name=shoe&items[0].qty=2", NULL));
    /* empty parts and trailing separators are harmless */
    T_CHECK(!field(ANALYZE_SQLI, ANALYZE_FORM_QUERY, "&&=&a=&=b&", NULL));
    T_CHECK(!field(ANALYZE_SQLI, ANALYZE_FORM_QUERY, "", NULL));
}

static void t_path_and_url(void)
{
    struct analyze_evidence ev;
    /* a REST id segment; '+' stays a plus in a path */
    T_CHECK(field(ANALYZE_SQLI, ANALYZE_FORM_PATH, "/api/item/1%20AND%20SLEEP(5)/view", &ev));
    T_CHECK(strstr(ev.fragment, "SLEEP(5)") != NULL);
    T_CHECK(!field(ANALYZE_SQLI, ANALYZE_FORM_PATH,
                   "/blog/2026/how-to-select-from-a-table-where-and-or", NULL));
    T_CHECK(!field(ANALYZE_SQLI, ANALYZE_FORM_PATH, "/c++/union+select", NULL));
    T_CHECK(field(ANALYZE_XSS, ANALYZE_FORM_PATH, "/search/%3Csvg%20onload%3Dalert(1)%3E", &ev));
    /* a URL: the path, then the query after '?' */
    T_CHECK(field(ANALYZE_SQLI, ANALYZE_FORM_URL, "/a/b?x=1&id=1%20UNION%20SELECT%201,2--", &ev));
    T_EQ_STR(ev.param, "id");
    T_CHECK(!field(ANALYZE_SQLI, ANALYZE_FORM_URL, "/a/b?name=O%27Brien&city=St.+John%27s", NULL));
    /* a raw value: decoded, but '+' kept */
    T_CHECK(field(ANALYZE_XSS, ANALYZE_FORM_RAW, "javascript:alert(document.cookie)", &ev));
}

static void t_evidence_bounds(void)
{
    /* control bytes shown as '.', the fragment cut at ANALYZE_EVIDENCE_MAX */
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, "q=");
    for (int i = 0; i < 500; i++)
        buf_puts(&b, "a");
    buf_puts(&b, "%0a%27%20UNION%20SELECT%20");
    for (int i = 0; i < 300; i++)
        buf_puts(&b, "col,");
    buf_puts(&b, "x%20FROM%20t--");
    struct analyze_evidence ev;
    bool hit = analyze_field(ANALYZE_SQLI, ANALYZE_FORM_QUERY, b.p, b.len, &ev);
    buf_fini(&b);
    T_CHECK(hit);
    T_CHECK(ev.len <= ANALYZE_EVIDENCE_MAX);
    T_EQ_INT(strlen(ev.fragment), ev.len);
    for (size_t i = 0; i < ev.len; i++)
        T_CHECK((unsigned char)ev.fragment[i] >= 0x20);
    /* a value longer than any event's field still decodes whole (64 KiB) */
    struct buf big;
    buf_init(&big, 0);
    buf_puts(&big, "q=");
    for (int i = 0; i < 60000; i++)
        buf_putc(&big, 'b');
    buf_puts(&big, "%27%20OR%201%3D1--");
    hit = analyze_field(ANALYZE_SQLI, ANALYZE_FORM_QUERY, big.p, big.len, &ev);
    buf_fini(&big);
    T_CHECK(hit);
}

/* ---- as rules ------------------------------------------------------------------------- */

#define ATTACK_LINE                                                                           \
    "203.0.113.5 - - [05/Dec/2026:10:00:00 +0000] \"GET /p.php?lang=en&id=1%27%20UNION%20"   \
    "SELECT%20user,pass%20FROM%20users--%20 HTTP/1.1\" 200 512 \"-\" \"Mozilla/5.0\""
#define BENIGN_LINE                                                                           \
    "198.51.100.1 - - [05/Dec/2026:10:00:01 +0000] \"GET /search?q=O%27Brien+%26+sons "     \
    "HTTP/1.1\" 200 512 \"-\" \"Mozilla/5.0\""

static const char user_rule[] = "title: sqlmap agent\nid: user-1\nlogsource: {category: webserver}\n"
                                "detection:\n  s: {cs-user-agent|contains: sqlmap}\n"
                                "  condition: s\nlevel: low\n";

struct seen {
    int n;
    size_t rules[8];
};

static int on_match(void *ctx, size_t rule, const struct event *ev)
{
    (void)ev;
    struct seen *s = ctx;
    if (s->n < 8)
        s->rules[s->n] = rule;
    s->n++;
    return 0;
}

static void decode_line(struct decode_ctx *dc, struct arena *a, struct event *ev, const char *l)
{
    struct decode_source src = {0};
    event_reset(ev);
    decode_record(dc, &src, a, l, strlen(l), vtime_now_ns(), ev);
}

static void t_builtin_rules(void)
{
    struct detect_load_opts on = {NULL, 0, true};
    struct detect_rules *rs = NULL;
    struct detect_load_stats st;
    T_CHECK(detect_rules_load_text(&on, "u.yml", user_rule, strlen(user_rule), NULL, NULL, &rs,
                                   &st) == 0);
    T_EQ_INT(st.refused, 0);
    T_EQ_INT(detect_rules_count(rs), 6); /* five built-in, then the user's */
    struct detect_rule_info ri;
    detect_rule_info(rs, 0, &ri);
    T_EQ_STR(ri.id, "vigil-web-sqli");
    T_EQ_STR(ri.level, "high");
    T_EQ_STR(ri.file, DETECT_BUILTIN_FILE);
    bool t1190 = false;
    for (unsigned i = 0; i < ri.ntags; i++)
        t1190 |= !strcmp(ri.tags[i], "attack.t1190");
    T_CHECK(t1190);
    detect_rule_info(rs, 5, &ri);
    T_EQ_STR(ri.id, "user-1");
    T_EQ_STR(ri.file, "u.yml");

    struct detect_matcher *m = NULL;
    char err[256];
    T_CHECK(detect_matcher_compile(rs, &m, NULL, err, sizeof err) == 0);
    struct detect_scratch *sc = detect_scratch_new(m);
    struct decode_ctx *dc = NULL;
    T_CHECK(sc && decode_ctx_new(&dc) == 0);
    struct arena a;
    arena_init(&a, 1 << 14, 1 << 20);
    struct event *ev = mem_alloc(sizeof *ev);
    T_CHECK(ev);
    decode_line(dc, &a, ev, ATTACK_LINE);
    struct seen c = {0}, r = {0};
    detect_match(m, sc, ev, on_match, &c);
    detect_match_all(rs, ev, on_match, &r);
    bool same = c.n == 1 && r.n == 1 && c.rules[0] == 0 && r.rules[0] == 0;
    struct detect_evidence e;
    bool has = detect_rule_evidence(rs, 0, ev, &e);
    bool user_has = detect_rule_evidence(rs, 5, ev, &e) || detect_rule_evidence(rs, 99, ev, &e);
    has = has && detect_rule_evidence(rs, 0, ev, &e);
    /* e.field points into the rules, freed below: keep a copy */
    char efield[64];
    snprintf(efield, sizeof efield, "%s", has ? e.field : "");
    decode_line(dc, &a, ev, BENIGN_LINE);
    struct seen bc = {0}, br = {0};
    detect_match(m, sc, ev, on_match, &bc);
    detect_match_all(rs, ev, on_match, &br);
    mem_free(ev);
    arena_fini(&a);
    decode_ctx_free(dc);
    detect_scratch_free(sc);
    detect_matcher_free(m);
    detect_rules_free(rs);
    T_CHECK(same);
    T_CHECK(has);
    T_EQ_STR(e.analyzer, "sqli");
    T_EQ_STR(efield, "cs-uri-query");
    T_EQ_STR(e.at.param, "id");
    T_EQ_STR(e.at.why, "UNION SELECT");
    T_CHECK(!user_has);
    T_EQ_INT(bc.n, 0);
    T_EQ_INT(br.n, 0);

    /* without the option, the user's rules alone */
    T_CHECK(detect_rules_load_text(NULL, "u.yml", user_rule, strlen(user_rule), NULL, NULL, &rs,
                                   &st) == 0);
    T_EQ_INT(detect_rules_count(rs), 1);
    detect_rules_free(rs);
}

struct why {
    char text[256];
};

static void keep_why(void *ctx, const struct detect_refusal *r)
{
    snprintf(((struct why *)ctx)->text, sizeof ((struct why *)ctx)->text, "%s", r->reason);
}

static void t_modifier(void)
{
    static const char *const bad[][2] = {
        {"cs-uri-query|vigil_attack: sql", "takes sqli, xss"},
        {"cs-uri-query|vigil_attack|contains: sqli", "cannot be combined"},
        {"cs-uri-query|contains|vigil_attack: sqli", "cannot follow"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char y[512];
        snprintf(y, sizeof y,
                 "title: t\nid: t\nlogsource: {category: webserver}\ndetection:\n"
                 "  s:\n    %s\n  condition: s\n",
                 bad[i][0]);
        struct why w = {""};
        struct detect_rules *rs = NULL;
        struct detect_load_stats st;
        T_CHECK(detect_rules_load_text(NULL, "b.yml", y, strlen(y), keep_why, &w, &rs, &st) == 0);
        T_EQ_INT(st.refused, 1);
        detect_rules_free(rs);
        if (!strstr(w.text, bad[i][1])) {
            t_fail(__FILE__, __LINE__, "%s: reason '%s' lacks '%s'", bad[i][0], w.text, bad[i][1]);
            return;
        }
    }
    /* a user's rule may use it too, on any field, with a list of analyzers */
    static const char good[] = "title: t\nid: t\nlogsource: {category: webserver}\ndetection:\n"
                               "  s:\n    cs-referer|vigil_attack: [xss, sqli]\n  condition: s\n";
    struct detect_rules *rs = NULL;
    struct detect_load_stats st;
    T_CHECK(detect_rules_load_text(NULL, "g.yml", good, strlen(good), NULL, NULL, &rs, &st) == 0);
    T_EQ_INT(st.rules, 1);
    detect_rules_free(rs);
}

int main(void)
{
    field_registry_init();
    t_run("analyze: field forms by name, analyzer names", t_forms_by_name);
    t_run("analyze: a query string split and each parameter decoded alone", t_query_split);
    t_run("analyze: paths per segment, URLs split at '?'", t_path_and_url);
    t_run("analyze: evidence bounded and printable; 64 KiB values whole", t_evidence_bounds);
    t_run("analyze: the built-in rules, both matchers, the evidence", t_builtin_rules);
    t_run("analyze: the vigil_attack modifier accepted and refused", t_modifier);
    return t_done();
}
