/*
 * test_detect.c — Sigma rule sets end to end: YAML files loaded (and refused with a
 * reason), rules evaluated against events decoded from real log lines, and routing:
 * a rule never sees the events of another logsource.
 */
#include "core/core.h"
#include "decode/decode.h"
#include "detect/detect.h"
#include "event/event.h"
#include "testlib.h"

#include <stdio.h>
#include <string.h>

#define SSHD_LINE "Sep  5 02:00:00 web01 sshd[17049]: Failed password for invalid user ftp" \
                  " from 198.51.100.4 port 6721 ssh2"
#define SSHD_OK "Sep  5 02:00:01 web01 sshd[17050]: Accepted publickey for alice from" \
                " 10.0.0.7 port 50022 ssh2"
/* a web request that carries the sshd rule's words in its URL */
#define WEB_LINE "203.0.113.5 - - [05/Sep/2024:02:00:00 +0000] \"GET /x?q=Failed%20password" \
                 " HTTP/1.1\" 404 22 \"-\" \"sqlmap/1.7\""

static struct decode_ctx *dc;
static struct arena arena;
static struct event evs[4];

static void decode(struct event *ev, const char *line)
{
    struct decode_source src = {0};
    event_reset(ev);
    decode_record(dc, &src, &arena, line, strlen(line), vtime_now_ns(), ev);
}

static const char *write_file(const char *name, const char *text)
{
    static char path[4][1024];
    static int k;
    char *p = path[k++ & 3];
    snprintf(p, 1024, "%s/%s", t_tmpdir(), name);
    FILE *f = fopen(p, "w");
    if (!f)
        return NULL;
    fputs(text, f);
    fclose(f);
    return p;
}

struct refusals {
    int n;
    char last[512];
};

static void on_refusal(void *ctx, const struct detect_refusal *r)
{
    struct refusals *rf = ctx;
    rf->n++;
    snprintf(rf->last, sizeof rf->last, "%u %s %s", r->line, r->id, r->reason);
}

static struct detect_rules *load_text(const char *yaml, struct refusals *rf,
                                      struct detect_load_stats *st)
{
    const char *path = write_file("rules.yml", yaml);
    struct detect_rules *rs = NULL;
    memset(rf, 0, sizeof *rf);
    if (!path || detect_rules_load(NULL, &path, 1, on_refusal, rf, &rs, st))
        return NULL;
    return rs;
}

struct hits {
    int n;
    size_t rule;
};

static int on_match(void *ctx, size_t rule, const struct event *ev)
{
    (void)ev;
    struct hits *h = ctx;
    h->n++;
    h->rule = rule;
    return 0;
}

static int hits(const struct detect_rules *rs, const struct event *ev)
{
    struct hits h = {0};
    detect_match_all(rs, ev, on_match, &h);
    return h.n;
}

static void setup_events(void)
{
    decode(&evs[0], SSHD_LINE);
    decode(&evs[1], SSHD_OK);
    decode(&evs[2], WEB_LINE);
}

static void t_routing(void)
{
    setup_events();
    struct refusals rf;
    struct detect_load_stats st;
    struct detect_rules *rs = load_text("title: ssh password failure\n"
                                        "id: 11111111-1111-4111-8111-111111111111\n"
                                        "logsource: {product: linux, service: sshd}\n"
                                        "detection:\n"
                                        "  keywords: ['Failed password']\n"
                                        "  condition: keywords\n"
                                        "level: medium\n"
                                        "---\n"
                                        "title: anything but publickey on sshd\n"
                                        "logsource: {product: linux, service: sshd}\n"
                                        "detection:\n"
                                        "  selection: {auth_method: publickey}\n"
                                        "  condition: not selection\n",
                                        &rf, &st);
    T_CHECK(rs);
    T_EQ_INT(rf.n, 0);
    T_EQ_INT(st.rules, 2);
    T_EQ_INT(hits(rs, &evs[0]), 2); /* keyword + not publickey */
    T_EQ_INT(hits(rs, &evs[1]), 0); /* publickey: neither */
    /* the web request has the words and no auth_method, but is not an sshd event */
    T_EQ_INT(hits(rs, &evs[2]), 0);
    detect_rules_free(rs);
}

static void t_fields_and_aliases(void)
{
    setup_events();
    struct refusals rf;
    struct detect_load_stats st;
    struct detect_rules *rs = load_text("title: scanner client\n"
                                        "logsource: {category: webserver}\n"
                                        "detection:\n"
                                        "  sel:\n"
                                        "    src_ip: 203.0.113.5\n" /* alias of c-ip */
                                        "    cs-user-agent|startswith: sqlmap\n"
                                        "  condition: sel\n",
                                        &rf, &st);
    T_CHECK(rs);
    T_EQ_INT(rf.n, 0);
    T_EQ_INT(hits(rs, &evs[2]), 1);
    T_EQ_INT(hits(rs, &evs[0]), 0);
    struct detect_rule_info info;
    detect_rule_info(rs, 0, &info);
    T_EQ_STR(info.title, "scanner client");
    T_EQ_STR(info.level, "medium"); /* the default */
    detect_rules_free(rs);
}

static void t_conditions(void)
{
    setup_events();
    struct refusals rf;
    struct detect_load_stats st;
    struct detect_rules *rs = load_text("title: of-selectors\n"
                                        "logsource: {product: linux}\n"
                                        "detection:\n"
                                        "  sel_user: {user: ftp}\n"
                                        "  sel_ip: {src_ip: 198.51.100.4}\n"
                                        "  _other: {user: nobody}\n"
                                        "  filter: {outcome: success}\n"
                                        "  condition: all of sel_* and not filter\n"
                                        "---\n"
                                        "title: list of maps and a list of conditions\n"
                                        "logsource: {product: linux}\n"
                                        "detection:\n"
                                        "  sel:\n"
                                        "    - {user: nobody}\n"
                                        "    - {user: alice, auth_method: publickey}\n"
                                        "  other: {user: root}\n"
                                        "  condition: [other, sel]\n",
                                        &rf, &st);
    T_CHECK(rs);
    T_EQ_INT(rf.n, 0);
    struct hits h = {0};
    detect_match_all(rs, &evs[0], on_match, &h);
    T_EQ_INT(h.n, 1);
    T_EQ_INT(h.rule, 0);
    h.n = 0;
    detect_match_all(rs, &evs[1], on_match, &h);
    T_EQ_INT(h.n, 1);
    T_EQ_INT(h.rule, 1);
    detect_rules_free(rs);
}

static void t_refusals(void)
{
    struct refusals rf;
    struct detect_load_stats st;
    struct detect_rules *rs =
        load_text("title: fine\n"
                  "name: fine\n"
                  "logsource: {product: linux}\n"
                  "detection: {sel: {user: root}, condition: sel}\n"
                  "---\n"
                  "title: missing identifier\n"
                  "id: 22222222-2222-4222-8222-222222222222\n"
                  "logsource: {product: linux}\n"
                  "detection: {sel: {user: root}, condition: sel and other}\n"
                  "---\n"
                  "title: v1 aggregation\n"
                  "logsource: {product: linux}\n"
                  "detection: {sel: {user: root}, condition: 'sel | count() > 5',"
                  " timeframe: 5m}\n"
                  "---\n"
                  "logsource: {product: linux}\n"
                  "detection: {sel: {user: root}, condition: sel}\n"
                  "---\n"
                  "title: no logsource\n"
                  "detection: {sel: {user: root}, condition: sel}\n"
                  "---\n"
                  "title: a correlation\n"
                  "correlation: {type: event_count, rules: [fine], group-by: [user],"
                  " timespan: 5m, condition: {gte: 10}}\n",
                  &rf, &st);
    T_CHECK(rs);
    T_EQ_INT(st.rules, 1);
    T_EQ_INT(st.correlations, 1);
    T_EQ_INT(st.refused, 4);
    T_EQ_INT(rf.n, 4);
    T_EQ_INT(detect_rules_count(rs), 1);
    detect_rules_free(rs);

    /* the refusal names the rule and says why */
    rs = load_text("title: missing identifier\n"
                   "id: 22222222-2222-4222-8222-222222222222\n"
                   "logsource: {product: linux}\n"
                   "detection: {sel: {user: root}, condition: sel and other}\n",
                   &rf, &st);
    T_CHECK(rs);
    T_EQ_INT(rf.n, 1);
    T_CHECK(strstr(rf.last, "22222222-2222-4222-8222-222222222222") != NULL);
    T_CHECK(strstr(rf.last, "other") != NULL);
    detect_rules_free(rs);

    /* a file that is not YAML is reported, and counted unreadable */
    rs = load_text("title: [unclosed\n  : :\n", &rf, &st);
    T_CHECK(rs);
    T_EQ_INT(st.unreadable, 1);
    T_EQ_INT(rf.n, 1);
    T_CHECK(strstr(rf.last, "YAML") != NULL);
    detect_rules_free(rs);
}

int main(void)
{
    field_registry_init();
    if (decode_ctx_new(&dc))
        return 1;
    arena_init(&arena, 1 << 16, 1 << 24);
    t_run("detect: a rule only sees events of its logsource", t_routing);
    t_run("detect: fields, route aliases, modifiers", t_fields_and_aliases);
    t_run("detect: all of / not / list of maps / list of conditions", t_conditions);
    t_run("detect: refusals with rule id and reason; correlations kept", t_refusals);
    arena_fini(&arena);
    decode_ctx_free(dc);
    return t_done();
}
