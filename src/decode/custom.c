/*
 * custom.c — decoders an operator defines in the configuration, so that a new device
 * needs no C (the `decoders:` list of vigil.yaml):
 *
 *   decoders:
 *     - name: acme_fw                  # the event's decoder name
 *       program: acmefw                # selects by syslog program, and/or
 *       prefix: "ACME "                # by the message's first bytes
 *       regex: '^(?<action>\w+) (?<src_ip>\S+) -> (?<dst_ip>\S+)'   # named groups, or
 *       kv: {pair: " ,", assign: "=", quote: "\""}                  # key=value, or
 *       json: true                                                  # a JSON object
 *       rename: {srcip: src_ip}        # extracted name -> field name
 *       routes: [firewall]             # route names (vigil decoders lists them)
 *
 * They are tried in order before the built-in decoders; a selected one whose extraction
 * finds nothing (the regex does not match, no pair, not JSON) gives way to the built-in
 * dispatch. Regexes are PCRE2 with JIT, bounded by a match limit; names and values of
 * the set live as long as it does (the daemon's configuration: the process).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "decode/decode_int.h"

#include <pcre2.h>
#include <stdio.h>

#define CUSTOM_MAX 256      /* decoders in a set */
#define CUSTOM_MAX_NAMES 64 /* named groups of a regex */
#define CUSTOM_MAX_RENAME 64
#define CUSTOM_MATCH_LIMIT 200000

enum custom_kind { CUSTOM_REGEX = 1, CUSTOM_KV, CUSTOM_JSON };

struct custom_name {
    uint32_t group;
    char *name; /* the field it becomes (renamed) */
};

struct custom_def {
    char *name, *program, *prefix;
    enum custom_kind kind;
    pcre2_code *re;
    struct custom_name names[CUSTOM_MAX_NAMES];
    unsigned nnames;
    char *pair, *assign, *quote; /* kv: separators between pairs, key from value, quotes */
    char *from[CUSTOM_MAX_RENAME], *to[CUSTOM_MAX_RENAME];
    unsigned nrename;
    route_set routes;
};

struct decode_custom {
    struct custom_def *defs;
    unsigned n;
    pcre2_match_context *mctx;
};

static void def_fini(struct custom_def *d)
{
    mem_free(d->name);
    mem_free(d->program);
    mem_free(d->prefix);
    pcre2_code_free(d->re);
    for (unsigned i = 0; i < d->nnames; i++)
        mem_free(d->names[i].name);
    mem_free(d->pair);
    mem_free(d->assign);
    mem_free(d->quote);
    for (unsigned i = 0; i < d->nrename; i++) {
        mem_free(d->from[i]);
        mem_free(d->to[i]);
    }
}

/* See decode.h. */
void decode_custom_free(struct decode_custom *c)
{
    if (!c)
        return;
    for (unsigned i = 0; i < c->n; i++)
        def_fini(&c->defs[i]);
    mem_free(c->defs);
    pcre2_match_context_free(c->mctx);
    mem_free(c);
}

struct loader {
    const char *file;
    char *err;
    size_t errlen;
};

static int bad(struct loader *l, unsigned line, const char *fmt, const char *a, const char *b)
{
    char why[320];
    snprintf(why, sizeof why, fmt, a ? a : "", b ? b : "");
    snprintf(l->err, l->errlen, "%s:%u: %s", l->file, line, why);
    return ERR_INVAL;
}

static int scalar(struct loader *l, const struct cfg_node *v, char **out)
{
    if (v->kind != CFG_SCALAR || !v->text)
        return bad(l, v->line, "decoders: %s: expected a value", v->key, NULL);
    if (*out)
        return bad(l, v->line, "decoders: %s given twice", v->key, NULL);
    if (!(*out = mem_strdup(v->text)))
        return ERR_NOMEM;
    return 0;
}

static bool is_true(const struct cfg_node *v)
{
    return v->kind == CFG_SCALAR && v->text && v->plain && !strcmp(v->text, "true");
}

/* The field a captured or extracted name becomes. */
static const char *renamed(const struct custom_def *d, const char *name, size_t len)
{
    for (unsigned i = 0; i < d->nrename; i++)
        if (strlen(d->from[i]) == len && !memcmp(d->from[i], name, len))
            return d->to[i];
    return NULL;
}

static int compile_regex(struct loader *l, struct custom_def *d, const struct cfg_node *v)
{
    int code;
    PCRE2_SIZE off;
    d->re = pcre2_compile((PCRE2_SPTR)v->text, PCRE2_ZERO_TERMINATED,
                          PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &off, NULL);
    if (!d->re) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(code, msg, sizeof msg);
        char at[32];
        snprintf(at, sizeof at, "%zu", (size_t)off);
        return bad(l, v->line, "decoders: regex: %s (at offset %s)", (const char *)msg, at);
    }
    pcre2_jit_compile(d->re, PCRE2_JIT_COMPLETE); /* else the interpreter matches */
    uint32_t count = 0, size = 0, groups = 0;
    PCRE2_SPTR table = NULL;
    pcre2_pattern_info(d->re, PCRE2_INFO_NAMECOUNT, &count);
    pcre2_pattern_info(d->re, PCRE2_INFO_NAMEENTRYSIZE, &size);
    pcre2_pattern_info(d->re, PCRE2_INFO_NAMETABLE, &table);
    pcre2_pattern_info(d->re, PCRE2_INFO_CAPTURECOUNT, &groups);
    if (count == 0)
        return bad(l, v->line, "decoders: regex: no named group (?<name>...): nothing to extract",
                   NULL, NULL);
    if (count > CUSTOM_MAX_NAMES || groups >= CUSTOM_MAX_NAMES * 2)
        return bad(l, v->line, "decoders: regex: more than 64 named groups", NULL, NULL);
    return 0;
}

/* After `rename` is known: the named groups and the fields they become. */
static int regex_names(struct custom_def *d)
{
    uint32_t count = 0, size = 0;
    PCRE2_SPTR table = NULL;
    pcre2_pattern_info(d->re, PCRE2_INFO_NAMECOUNT, &count);
    pcre2_pattern_info(d->re, PCRE2_INFO_NAMEENTRYSIZE, &size);
    pcre2_pattern_info(d->re, PCRE2_INFO_NAMETABLE, &table);
    for (uint32_t i = 0; i < count; i++) {
        PCRE2_SPTR e = table + (size_t)i * size;
        const char *name = (const char *)e + 2;
        const char *to = renamed(d, name, strlen(name));
        d->names[i].group = (uint32_t)(e[0] << 8 | e[1]);
        if (!(d->names[i].name = mem_strdup(to ? to : name)))
            return ERR_NOMEM;
        d->nnames++;
    }
    return 0;
}

static int kv_options(struct loader *l, struct custom_def *d, const struct cfg_node *v)
{
    if (v->kind == CFG_MAP) {
        for (const struct cfg_node *k = v->children; k; k = k->next) {
            char **slot = !strcmp(k->key, "pair")     ? &d->pair
                          : !strcmp(k->key, "assign") ? &d->assign
                          : !strcmp(k->key, "quote")  ? &d->quote
                                                      : NULL;
            if (!slot)
                return bad(l, k->key_line, "decoders: kv: unknown key '%s' (pair, assign, quote)",
                           k->key, NULL);
            int rc = scalar(l, k, slot);
            if (rc)
                return rc;
            if (slot != &d->quote && !**slot)
                return bad(l, k->line, "decoders: kv: %s must not be empty", k->key, NULL);
        }
    } else if (!is_true(v)) {
        return bad(l, v->line, "decoders: kv: expected true or a map (pair, assign, quote)", NULL,
                   NULL);
    }
    if ((!d->pair && !(d->pair = mem_strdup(" "))) ||
        (!d->assign && !(d->assign = mem_strdup("="))) ||
        (!d->quote && !(d->quote = mem_strdup("\""))))
        return ERR_NOMEM;
    return 0;
}

static int load_def(struct loader *l, struct decode_custom *c, const struct cfg_node *m)
{
    if (m->kind != CFG_MAP)
        return bad(l, m->line, "decoders: each decoder is a map (name, program/prefix, ...)", NULL,
                   NULL);
    struct custom_def *d = &c->defs[c->n++];
    const struct cfg_node *re = NULL;
    int rc = 0;
    for (const struct cfg_node *v = m->children; v && !rc; v = v->next) {
        const char *k = v->key;
        if (!strcmp(k, "name"))
            rc = scalar(l, v, &d->name);
        else if (!strcmp(k, "program"))
            rc = scalar(l, v, &d->program);
        else if (!strcmp(k, "prefix"))
            rc = scalar(l, v, &d->prefix);
        else if (!strcmp(k, "regex") || !strcmp(k, "kv") || !strcmp(k, "json")) {
            if (d->kind)
                return bad(l, v->key_line, "decoders: one of regex, kv or json, not %s as well", k,
                           NULL);
            if (!strcmp(k, "regex")) {
                if (v->kind != CFG_SCALAR || !v->text)
                    return bad(l, v->line, "decoders: regex: expected a pattern", NULL, NULL);
                d->kind = CUSTOM_REGEX;
                re = v;
                rc = compile_regex(l, d, v);
            } else if (!strcmp(k, "kv")) {
                d->kind = CUSTOM_KV;
                rc = kv_options(l, d, v);
            } else {
                if (!is_true(v))
                    return bad(l, v->line, "decoders: json: expected true", NULL, NULL);
                d->kind = CUSTOM_JSON;
            }
        } else if (!strcmp(k, "rename")) {
            if (v->kind != CFG_MAP)
                return bad(l, v->line, "decoders: rename: expected a map (from: to)", NULL, NULL);
            for (const struct cfg_node *r = v->children; r && !rc; r = r->next) {
                if (d->nrename == CUSTOM_MAX_RENAME)
                    return bad(l, r->key_line, "decoders: rename: more than 64 names", NULL, NULL);
                if (r->kind != CFG_SCALAR || !r->text || !r->text[0])
                    return bad(l, r->line, "decoders: rename: %s: expected a field name", r->key,
                               NULL);
                if (!(d->from[d->nrename] = mem_strdup(r->key)) ||
                    !(d->to[d->nrename] = mem_strdup(r->text)))
                    return ERR_NOMEM;
                d->nrename++;
            }
        } else if (!strcmp(k, "routes")) {
            if (v->kind != CFG_SEQ)
                return bad(l, v->line, "decoders: routes: expected a list of route names", NULL,
                           NULL);
            for (const struct cfg_node *r = v->children; r; r = r->next) {
                int id = r->kind == CFG_SCALAR && r->text ? route_by_name(r->text) : -1;
                if (id < 0)
                    return bad(l, r->line,
                               "decoders: routes: unknown route '%s' (vigil decoders lists them)",
                               r->text, NULL);
                d->routes |= ROUTE_BIT(id);
            }
        } else {
            return bad(l, v->key_line,
                       "decoders: unknown key '%s' (name, program, prefix, regex, kv, json, "
                       "rename, routes)",
                       k, NULL);
        }
    }
    if (rc)
        return rc;
    if (!d->name || !d->name[0])
        return bad(l, m->line, "decoders: a decoder needs a name", NULL, NULL);
    for (const char *const *b = decode_names(); *b; b++)
        if (!strcmp(*b, d->name))
            return bad(l, m->line, "decoders: '%s' is the name of a built-in decoder", d->name,
                       NULL);
    for (unsigned i = 0; i + 1 < c->n; i++)
        if (!strcmp(c->defs[i].name, d->name))
            return bad(l, m->line, "decoders: '%s' is defined twice", d->name, NULL);
    if (!d->program && !d->prefix)
        return bad(l, m->line, "decoders: %s: needs program or prefix to select its lines", d->name,
                   NULL);
    if (!d->kind)
        return bad(l, m->line, "decoders: %s: needs regex, kv or json", d->name, NULL);
    (void)re;
    return d->kind == CUSTOM_REGEX ? regex_names(d) : 0;
}

/* See decode.h. */
int decode_custom_load(const struct cfg_node *list, const char *file, struct decode_custom **out,
                       char *err, size_t errlen)
{
    struct loader l = {file ? file : "config", err, errlen};
    *out = NULL;
    if (list->kind != CFG_SEQ)
        return bad(&l, list->line, "decoders: expected a list of decoders", NULL, NULL);
    unsigned n = 0;
    for (const struct cfg_node *m = list->children; m; m = m->next)
        n++;
    if (n > CUSTOM_MAX)
        return bad(&l, list->line, "decoders: more than 256", NULL, NULL);
    struct decode_custom *c = mem_calloc(1, sizeof *c);
    if (!c || (n && !(c->defs = mem_calloc(n, sizeof *c->defs))) ||
        !(c->mctx = pcre2_match_context_create(NULL))) {
        decode_custom_free(c);
        return ERR_NOMEM;
    }
    pcre2_set_match_limit(c->mctx, CUSTOM_MATCH_LIMIT);
    pcre2_set_depth_limit(c->mctx, CUSTOM_MATCH_LIMIT / 10);
    for (const struct cfg_node *m = list->children; m; m = m->next) {
        int rc = load_def(&l, c, m);
        if (rc) {
            decode_custom_free(c);
            return rc;
        }
    }
    *out = c;
    return 0;
}

/* See decode.h. */
const char *decode_custom_name(const struct decode_custom *c, size_t i)
{
    return c && i < c->n ? c->defs[i].name : NULL;
}

static int regex_extract(const struct decode_custom *c, const struct custom_def *d,
                         struct decode_ctx *ctx, struct slice m, struct event *ev)
{
    if (!ctx->custom_md && !(ctx->custom_md = pcre2_match_data_create(CUSTOM_MAX_NAMES * 2, NULL)))
        return ERR_NOMEM;
    pcre2_match_data *md = ctx->custom_md;
    int rc = pcre2_match(d->re, (PCRE2_SPTR)(m.p ? m.p : ""), m.len, 0, 0, md, c->mctx);
    if (rc <= 0)
        return ERR_PARSE; /* no match, or a limit: the built-in decoders try */
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    uint32_t pairs = pcre2_get_ovector_count(md);
    bool any = false;
    for (unsigned i = 0; i < d->nnames; i++) {
        uint32_t g = d->names[i].group;
        if (g >= pairs || g >= (uint32_t)rc || ov[2 * g] == PCRE2_UNSET)
            continue;
        event_add_named(ev, slice_cstr(d->names[i].name),
                        slice_make(m.p + ov[2 * g], ov[2 * g + 1] - ov[2 * g]));
        any = true;
    }
    return any ? 0 : ERR_PARSE;
}

/* c is one of the bytes of set (a NUL byte never is). */
static bool in_set(const char *set, char c)
{
    return c && strchr(set, c);
}

static int kv_extract(const struct custom_def *d, struct slice m, struct event *ev)
{
    size_t i = 0;
    bool any = false;
    while (i < m.len) {
        while (i < m.len && in_set(d->pair, m.p[i]))
            i++;
        size_t k0 = i;
        while (i < m.len && !in_set(d->assign, m.p[i]) && !in_set(d->pair, m.p[i]))
            i++;
        if (i >= m.len || !in_set(d->assign, m.p[i]) || i == k0) {
            i += i < m.len; /* a token without a value: skipped */
            continue;
        }
        struct slice key = slice_make(m.p + k0, i - k0);
        i++;
        size_t v0 = i, v1;
        if (i < m.len && in_set(d->quote, m.p[i])) {
            const char *q = memchr(m.p + i + 1, m.p[i], m.len - i - 1);
            v0 = i + 1;
            v1 = q ? (size_t)(q - m.p) : m.len;
            i = q ? v1 + 1 : m.len;
        } else {
            while (i < m.len && !in_set(d->pair, m.p[i]))
                i++;
            v1 = i;
        }
        const char *to = renamed(d, key.p, key.len);
        event_add_named(ev, to ? slice_cstr(to) : key, slice_make(m.p + v0, v1 - v0));
        any = true;
    }
    return any ? 0 : ERR_PARSE;
}

/* JSON leaves renamed; a name not renamed is copied into the arena (the path the walker
 * hands over lives only during the call). */
struct json_ctx {
    const struct custom_def *d;
    struct arena *arena;
    struct event *ev;
};

static int json_leaf(void *arg, struct slice path, struct slice value)
{
    struct json_ctx *j = arg;
    const char *to = renamed(j->d, path.p, path.len);
    struct slice name = to ? slice_cstr(to) : path;
    if (!to) {
        char *copy = arena_dup(j->arena, path.p, path.len);
        if (!copy)
            return ERR_NOMEM;
        name = slice_make(copy, path.len);
    }
    event_add_named(j->ev, name, value);
    return 0;
}

/* See decode_int.h. */
void decode_custom_ctx_free(void *md)
{
    pcre2_match_data_free(md);
}

/* See decode_int.h. */
int decode_custom_run(const struct decode_custom *c, const char *forced,
                      const struct decode_job *job, struct event *ev, route_set *routes)
{
    const struct syslog_hdr *h = job->hdr;
    for (unsigned i = 0; i < c->n; i++) {
        const struct custom_def *d = &c->defs[i];
        if (forced) {
            if (strcmp(forced, d->name) != 0)
                continue;
        } else {
            bool by_prog = d->program && h->program.len == strlen(d->program) &&
                           !memcmp(h->program.p, d->program, h->program.len);
            bool by_prefix = d->prefix && job->msg.len >= strlen(d->prefix) &&
                             !memcmp(job->msg.p, d->prefix, strlen(d->prefix));
            if (!by_prog && !by_prefix)
                continue;
        }
        uint16_t n0 = ev->nfields;
        int rc;
        if (d->kind == CUSTOM_REGEX) {
            rc = regex_extract(c, d, job->ctx, job->msg, ev);
        } else if (d->kind == CUSTOM_KV) {
            rc = kv_extract(d, job->msg, ev);
        } else {
            struct json_ctx j = {d, job->arena, ev};
            rc = decode_json_walk(job, ev, json_leaf, &j);
        }
        if (rc == ERR_NOMEM)
            return rc;
        if (rc) {
            ev->nfields = n0;
            continue; /* the next operator decoder, then the built-in ones */
        }
        ev->decoder = d->name;
        *routes = d->routes;
        return DK_CUSTOM;
    }
    return ERR_PARSE;
}
