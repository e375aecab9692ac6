/*
 * web_api_rules.c — POST /api/v1/rules/test {"rule": YAML, "lines": TEXT}: a Sigma rule
 * pasted into the console, tried on pasted log lines the way the daemon reads them (each
 * line through the decoders, then the rule's single-event conditions with the reference
 * evaluator). Answers the refusals with their reasons, and per matching line the rules
 * that matched. Correlation documents are loaded and checked, not run (they need time
 * windows over a stream). At most WEB_TEST_LINES lines; audited (rules.test).
 * Also the daemon's loaded rules (GET /api/v1/rules) and switching one off or on
 * (POST /api/v1/rules/ID/disable|enable, audited), through the callbacks vigil serve gives.
 */
#include "decode/decode.h"
#include "detect/detect.h"
#include "web/web_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WEB_TEST_LINES 1000

struct refusals {
    json_t *list;
};

static void on_refusal(void *ctx, const struct detect_refusal *r)
{
    struct refusals *f = ctx;
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(r->id ? r->id : "-"));
    json_object_set_new(o, "line", json_integer(r->line));
    json_object_set_new(o, "reason", json_string(r->reason ? r->reason : "?"));
    json_array_append_new(f->list, o);
}

struct hits {
    const struct detect_rules *rules;
    json_t *list;
    size_t line;
};

static int on_match(void *ctx, size_t rule, const struct event *ev)
{
    (void)ev;
    struct hits *h = ctx;
    struct detect_rule_info ri;
    detect_rule_info(h->rules, rule, &ri);
    json_t *o = json_object();
    json_object_set_new(o, "line", json_integer((json_int_t)h->line));
    json_object_set_new(o, "id", json_string(ri.id ? ri.id : ""));
    json_object_set_new(o, "title", json_string(ri.title ? ri.title : ""));
    json_object_set_new(o, "level", json_string(ri.level ? ri.level : ""));
    json_array_append_new(h->list, o);
    return 0;
}

/* Decodes each line of text and runs the rules on it. */
static int run_lines(const struct detect_rules *rules, const char *text, struct hits *h,
                     size_t *nlines)
{
    struct decode_ctx *ctx = NULL;
    struct event *ev = mem_calloc(1, sizeof *ev);
    struct arena arena;
    arena_init(&arena, 1 << 16, 16u << 20);
    struct decode_source src = {0};
    int rc = !ev || decode_ctx_new(&ctx) ? ERR_NOMEM : 0;
    *nlines = 0;
    for (const char *p = text; !rc && *p && *nlines < WEB_TEST_LINES;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        size_t n = len && p[len - 1] == '\r' ? len - 1 : len;
        if (n) {
            h->line = ++*nlines;
            event_reset(ev);
            ev->id = h->line;
            ev->input = SLICE_LIT("console");
            decode_record(ctx, &src, &arena, p, n, vtime_now_ns(), ev);
            rc = detect_match_all(rules, ev, on_match, h);
            arena_reset(&arena);
        }
        p += len + (nl ? 1 : 0);
    }
    arena_fini(&arena);
    decode_ctx_free(ctx);
    mem_free(ev);
    return rc;
}

/* See web_int.h. */
void web_api_rules_test(struct web_req *r)
{
    const char *yaml = web_body_str(r, "rule"), *lines = web_body_str(r, "lines");
    if (!yaml || !lines) {
        web_error(r, 400, "expected {\"rule\": YAML, \"lines\": TEXT}");
        return;
    }
    struct refusals f = {json_array()};
    struct detect_rules *rules = NULL;
    struct detect_load_stats ls = {0};
    int rc = detect_rules_load_text(NULL, "pasted rule", yaml, strlen(yaml), on_refusal, &f,
                                    &rules, &ls);
    struct hits h = {rules, json_array(), 0};
    size_t nlines = 0;
    if (!rc)
        rc = run_lines(rules, lines, &h, &nlines);
    detect_rules_free(rules);
    json_t *o = json_object();
    json_object_set_new(o, "loaded", json_integer((json_int_t)ls.rules));
    json_object_set_new(o, "correlations", json_integer((json_int_t)ls.correlations));
    json_object_set_new(o, "refused", f.list);
    json_object_set_new(o, "lines", json_integer((json_int_t)nlines));
    json_object_set_new(o, "matches", h.list);
    char *text = rc ? NULL : json_dumps(o, JSON_COMPACT);
    json_decref(o);
    char res[96];
    if (rc)
        snprintf(res, sizeof res, "error: %s", err_str(rc));
    else
        snprintf(res, sizeof res, "ok: %zu rules, %zu lines", ls.rules, nlines);
    struct audit_entry e = {.actor = r->s.user, .source = r->address, .action = "rules.test",
                            .object = "pasted rule", .result = res};
    audit_record(&e);
    if (!text) {
        web_error(r, rc == ERR_TOOBIG ? 413 : 500, rc == ERR_TOOBIG ? "the rule is too large"
                                                                    : "the rule could not be tried");
        return;
    }
    buf_puts(&r->out, text);
    free(text);
    web_personal_data(r, "rules.test");
}

/* See web_int.h. */
void web_api_rules_list(struct web_req *r)
{
    if (!r->w->rules_json || r->w->rules_json(r->w->rules_ctx, &r->out))
        web_error(r, r->w->rules_json ? 500 : 404, "no rules are loaded in this process");
}

static void rule_switch(struct web_req *r, bool off)
{
    int rc = r->w->rule_switch ? r->w->rule_switch(r->w->rules_ctx, r->param, off) : ERR_NOTFOUND;
    struct audit_entry e = {.actor = r->s.user, .source = r->address,
                            .action = off ? "rule.disable" : "rule.enable", .object = r->param,
                            .result = rc ? err_str(rc) : "ok"};
    audit_record(&e);
    if (rc) {
        web_error(r, rc == ERR_NOTFOUND ? 404 : rc == ERR_INVAL ? 400 : 500,
                  rc == ERR_NOTFOUND ? "no rules are loaded in this process" : err_str(rc));
        return;
    }
    buf_printf(&r->out, "{\"ok\":true,\"disabled\":%s}", off ? "true" : "false");
}

/* See web_int.h. */
void web_api_rule_disable(struct web_req *r)
{
    rule_switch(r, true);
}

/* See web_int.h. */
void web_api_rule_enable(struct web_req *r)
{
    rule_switch(r, false);
}
