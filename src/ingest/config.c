/*
 * config.c — the schema of `vigil serve`'s YAML configuration and its loader. core's
 * cfg_parse gives a tree with line numbers; this file walks it, refuses every unknown
 * key and bad value with "FILE:LINE: reason", and fills struct ingest_config. Values
 * that other modules interpret (time zones, charsets, decoder names, regexes) are
 * checked here too, so a bad one stops the daemon at start rather than at first use.
 */
#include "decode/decode.h"
#include "ingest/config_int.h"

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONFIG_MAX_BYTES (1024 * 1024)
#define CONFIG_MAX_NODES 20000


/* See config_int.h. */
int ld_bad(struct loader *l, unsigned line, const char *fmt, const char *arg)
{
    char why[256];
    snprintf(why, sizeof why, fmt, arg ? arg : "");
    snprintf(l->err, l->errlen, "%s:%u: %s", l->file, line, why);
    return ERR_INVAL;
}

const char *ingest_type_name(enum ingest_type t)
{
    switch (t) {
    case INGEST_UDP:
        return "syslog_udp";
    case INGEST_TCP:
        return "syslog_tcp";
    case INGEST_FILE:
        return "file";
    case INGEST_STDIN:
        return "stdin";
    case INGEST_NETFLOW:
        return "netflow";
    }
    return "?";
}

void ingest_config_defaults(struct ingest_config *c)
{
    memset(c, 0, sizeof *c);
    c->workers = 1;
    c->queue_batches = 8;
    c->batch_records = 512;
    c->batch_bytes = 1024 * 1024;
    c->flush_ms = 100;
    c->log_level = LOG_INFO;
    c->stats_interval_s = 60;
}

static void input_fini(struct ingest_input_cfg *in)
{
    mem_free(in->name);
    mem_free(in->listen);
    mem_free(in->path);
    mem_free(in->start_pattern);
    mem_free(in->tz);
    mem_free(in->charset);
    mem_free(in->format);
}

static void rules_fini(struct ingest_rules_cfg *r)
{
    for (size_t i = 0; i < r->npaths; i++)
        mem_free(r->paths[i]);
    mem_free(r->paths);
    for (unsigned i = 0; i < r->nplaceholders; i++) {
        struct ingest_placeholder_cfg *p = &r->placeholders[i];
        mem_free(p->name);
        for (unsigned j = 0; j < p->nvalues; j++)
            mem_free(p->values[j]);
        mem_free(p->values);
    }
    mem_free(r->placeholders);
    memset(r, 0, sizeof *r);
}

void ingest_config_fini(struct ingest_config *c)
{
    rules_fini(&c->rules);
    mem_free(c->assets_path);
    mem_free(c->geo_mmdb);
    config_console_fini(c);
    for (size_t i = 0; i < c->nlists; i++) {
        mem_free(c->lists[i].name);
        mem_free(c->lists[i].file);
    }
    mem_free(c->lists);
    c->lists = NULL;
    c->nlists = 0;
    c->assets_path = c->geo_mmdb = NULL;
    for (size_t i = 0; i < c->ninputs; i++)
        input_fini(&c->inputs[i]);
    mem_free(c->inputs);
    mem_free(c->data_dir);
    decode_custom_free(c->custom);
    c->custom = NULL;
    output_config_free(c->outputs, c->noutputs);
    c->outputs = NULL;
    c->noutputs = 0;
    c->inputs = NULL;
    c->ninputs = 0;
    c->data_dir = NULL;
}

struct ingest_input_cfg *ingest_config_add_input(struct ingest_config *c, enum ingest_type type)
{
    if (c->ninputs >= INGEST_MAX_INPUTS)
        return NULL;
    struct ingest_input_cfg *n = mem_realloc(c->inputs, (c->ninputs + 1) * sizeof *n);
    if (!n)
        return NULL;
    c->inputs = n;
    struct ingest_input_cfg *in = &c->inputs[c->ninputs++];
    memset(in, 0, sizeof *in);
    in->type = type;
    in->max_frame = INGEST_DEFAULT_MAX_FRAME;
    in->max_connections = 1024;
    in->idle_timeout_s = 300;
    in->multiline_timeout_ms = 1000;
    if (type == INGEST_UDP || type == INGEST_TCP)
        in->listen = mem_strdup(INGEST_DEFAULT_PORT);
    if (type == INGEST_NETFLOW)
        in->listen = mem_strdup(INGEST_DEFAULT_NETFLOW_PORT);
    return in;
}

/* ---- scalar readers -------------------------------------------------------------- */

/* See config_int.h. */
int ld_want_scalar(struct loader *l, const struct cfg_node *n, const char *key)
{
    if (n->kind != CFG_SCALAR)
        return ld_bad(l, n->line, "%s: expected a single value", key);
    return 0;
}

/* See config_int.h. */
int ld_get_uint(struct loader *l, const struct cfg_node *n, const char *key, uint64_t lo,
                    uint64_t hi, uint64_t *out)
{
    int rc = ld_want_scalar(l, n, key);
    if (rc)
        return rc;
    uint64_t v;
    if (slice_to_u64(slice_cstr(n->text), &v) || v < lo || v > hi) {
        char why[160];
        snprintf(why, sizeof why, "%s: expected a whole number from %llu to %llu, not '%%s'", key,
                 (unsigned long long)lo, (unsigned long long)hi);
        return ld_bad(l, n->line, why, n->text);
    }
    *out = v;
    return 0;
}

/* See config_int.h. */
int ld_get_str(struct loader *l, const struct cfg_node *n, const char *key, char **out)
{
    int rc = ld_want_scalar(l, n, key);
    if (rc)
        return rc;
    if (!n->text || !n->text[0])
        return ld_bad(l, n->line, "%s: empty value", key);
    char *s = mem_strdup(n->text);
    if (!s)
        return ERR_NOMEM;
    mem_free(*out);
    *out = s;
    return 0;
}

/* Checks "HOST:PORT" / "[V6]:PORT" (port 0..65535). */
static bool listen_ok(const char *s)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s || !colon[1])
        return false;
    uint64_t port;
    if (slice_to_u64(slice_cstr(colon + 1), &port) || port > 65535)
        return false;
    if (s[0] == '[')
        return colon[-1] == ']' && colon - s > 2;
    return memchr(s, ':', (size_t)(colon - s)) == NULL;
}

/* ---- inputs ---------------------------------------------------------------------- */

static int parse_type(struct loader *l, const struct cfg_node *n, enum ingest_type *out)
{
    int rc = ld_want_scalar(l, n, "type");
    if (rc)
        return rc;
    static const enum ingest_type all[] = {INGEST_UDP, INGEST_TCP, INGEST_FILE, INGEST_STDIN,
                                           INGEST_NETFLOW};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!strcmp(n->text, ingest_type_name(all[i]))) {
            *out = all[i];
            return 0;
        }
    return ld_bad(l, n->line, "type: expected syslog_udp, syslog_tcp, file or stdin, not '%s'",
               n->text);
}

static bool format_known(const struct loader *l, const char *f)
{
    if (!strcmp(f, "auto"))
        return true;
    for (size_t i = 0; decode_custom_name(l->custom, i); i++)
        if (!strcmp(decode_custom_name(l->custom, i), f))
            return true;
    const char *const *names = decode_names();
    for (size_t i = 0; names && names[i]; i++)
        if (!strcmp(names[i], f))
            return true;
    return false;
}

static int input_key(struct loader *l, struct ingest_input_cfg *in, const struct cfg_node *v)
{
    const char *k = v->key;
    bool net = in->type == INGEST_UDP || in->type == INGEST_TCP || in->type == INGEST_NETFLOW;
    uint64_t u;
    int rc;
    if (!strcmp(k, "type"))
        return 0;
    if (!strcmp(k, "name"))
        return ld_get_str(l, v, k, &in->name);
    if (!strcmp(k, "listen") && net) {
        if ((rc = ld_get_str(l, v, k, &in->listen)))
            return rc;
        if (!listen_ok(in->listen))
            return ld_bad(l, v->line, "listen: expected HOST:PORT with a port 0-65535, not '%s'",
                       in->listen);
        return 0;
    }
    if (!strcmp(k, "path") && in->type == INGEST_FILE)
        return ld_get_str(l, v, k, &in->path);
    if (!strcmp(k, "start_pattern") && in->type == INGEST_FILE) {
        if ((rc = ld_get_str(l, v, k, &in->start_pattern)))
            return rc;
        regex_t re;
        if (regcomp(&re, in->start_pattern, REG_EXTENDED | REG_NOSUB) != 0)
            return ld_bad(l, v->line, "start_pattern: not a valid POSIX extended regex: '%s'",
                       in->start_pattern);
        regfree(&re);
        return 0;
    }
    if (!strcmp(k, "tz")) {
        if ((rc = ld_get_str(l, v, k, &in->tz)))
            return rc;
        struct vtz *z = NULL;
        if (vtz_open(in->tz, &z))
            return ld_bad(l, v->line, "tz: unknown time zone '%s'", in->tz);
        vtz_free(z);
        return 0;
    }
    if (!strcmp(k, "charset")) {
        if ((rc = ld_get_str(l, v, k, &in->charset)))
            return rc;
        enum decode_charset cs;
        if (decode_charset_parse(in->charset, &cs))
            return ld_bad(l, v->line, "charset: expected auto, utf-8, gbk or gb18030, not '%s'",
                       in->charset);
        return 0;
    }
    if (!strcmp(k, "format")) {
        if ((rc = ld_get_str(l, v, k, &in->format)))
            return rc;
        if (!format_known(l, in->format))
            return ld_bad(l, v->line, "format: no decoder called '%s'", in->format);
        return 0;
    }
    if (!strcmp(k, "max_frame")) {
        if ((rc = ld_get_uint(l, v, k, 256, EVENT_MAX_RECORD, &u)))
            return rc;
        in->max_frame = (size_t)u;
        return 0;
    }
    if (!strcmp(k, "max_connections") && in->type == INGEST_TCP) {
        if ((rc = ld_get_uint(l, v, k, 1, 65536, &u)))
            return rc;
        in->max_connections = (unsigned)u;
        return 0;
    }
    if (!strcmp(k, "idle_timeout") && in->type == INGEST_TCP) {
        if ((rc = ld_get_uint(l, v, k, 1, 86400, &u)))
            return rc;
        in->idle_timeout_s = (unsigned)u;
        return 0;
    }
    if (!strcmp(k, "multiline_timeout_ms") && in->type == INGEST_FILE) {
        if ((rc = ld_get_uint(l, v, k, 10, 3600000, &u)))
            return rc;
        in->multiline_timeout_ms = (unsigned)u;
        return 0;
    }
    char why[128];
    snprintf(why, sizeof why, "unknown key '%%s' for an input of type %s",
             ingest_type_name(in->type));
    return ld_bad(l, v->key_line ? v->key_line : v->line, why, k);
}

static int load_input(struct loader *l, struct ingest_config *c, const struct cfg_node *m)
{
    if (m->kind != CFG_MAP)
        return ld_bad(l, m->line, "inputs: each input is a map with a type", NULL);
    const struct cfg_node *t = cfg_get(m, "type");
    if (!t)
        return ld_bad(l, m->line, "input without a type", NULL);
    enum ingest_type type = INGEST_UDP; /* set by parse_type */
    int rc = parse_type(l, t, &type);
    if (rc)
        return rc;
    struct ingest_input_cfg *in = ingest_config_add_input(c, type);
    if (!in)
        return ld_bad(l, m->line, "too many inputs (at most 64)", NULL);
    in->line = m->line;
    for (const struct cfg_node *v = m->children; v; v = v->next)
        if ((rc = input_key(l, in, v)))
            return rc;
    if (type == INGEST_FILE && !in->path)
        return ld_bad(l, m->line, "a file input needs a path", NULL);
    return 0;
}

/* Gives unnamed inputs their type's name (+ a number when the type repeats) and
 * refuses duplicates. */
static int name_inputs(struct loader *l, struct ingest_config *c)
{
    for (size_t i = 0; i < c->ninputs; i++) {
        struct ingest_input_cfg *in = &c->inputs[i];
        if (in->name)
            continue;
        const char *tn = ingest_type_name(in->type);
        char name[64];
        snprintf(name, sizeof name, "%s", tn);
        for (unsigned k = 2; k < 1000; k++) {
            bool taken = false;
            for (size_t j = 0; j < c->ninputs; j++)
                if (c->inputs[j].name && !strcmp(c->inputs[j].name, name))
                    taken = true;
            if (!taken)
                break;
            snprintf(name, sizeof name, "%s%u", tn, k);
        }
        in->name = mem_strdup(name);
        if (!in->name)
            return ERR_NOMEM;
    }
    for (size_t i = 0; i < c->ninputs; i++)
        for (size_t j = i + 1; j < c->ninputs; j++)
            if (!strcmp(c->inputs[i].name, c->inputs[j].name))
                return ld_bad(l, c->inputs[j].line, "duplicate input name '%s'", c->inputs[j].name);
    return 0;
}

/* ---- rules ----------------------------------------------------------------------- */

/* Appends a copy of n's text (a non-empty scalar) to the array *arr of *len. */
static int push_str(struct loader *l, const struct cfg_node *n, const char *key, char ***arr,
                    size_t *len)
{
    if (n->kind != CFG_SCALAR || !n->text || !n->text[0])
        return ld_bad(l, n->line, "%s: expected a non-empty string", key);
    char **p = mem_realloc(*arr, (*len + 1) * sizeof *p);
    if (!p)
        return ERR_NOMEM;
    *arr = p;
    if (!(p[*len] = mem_strdup(n->text)))
        return ERR_NOMEM;
    (*len)++;
    return 0;
}

static int rules_paths(struct loader *l, struct ingest_rules_cfg *r, const struct cfg_node *v)
{
    if (v->kind == CFG_SCALAR) /* one path may be written without the list */
        return push_str(l, v, "rules.paths", &r->paths, &r->npaths);
    if (v->kind != CFG_SEQ)
        return ld_bad(l, v->line, "rules.paths: expected a list of files or directories", NULL);
    for (const struct cfg_node *p = v->children; p; p = p->next) {
        if (r->npaths >= INGEST_MAX_RULE_PATHS)
            return ld_bad(l, p->line, "rules.paths: at most 64 paths", NULL);
        int rc = push_str(l, p, "rules.paths", &r->paths, &r->npaths);
        if (rc)
            return rc;
    }
    return 0;
}

static int rules_placeholders(struct loader *l, struct ingest_rules_cfg *r,
                              const struct cfg_node *v)
{
    if (v->kind != CFG_MAP)
        return ld_bad(l, v->line, "rules.placeholders: expected a map of name: [values]", NULL);
    for (const struct cfg_node *p = v->children; p; p = p->next) {
        unsigned line = p->key_line ? p->key_line : p->line;
        if (r->nplaceholders >= INGEST_MAX_PLACEHOLDERS)
            return ld_bad(l, line, "rules.placeholders: at most 256 placeholders", NULL);
        if (!p->key[0] || strchr(p->key, '%'))
            return ld_bad(l, line,
                       "rules.placeholders: '%s' is not a placeholder name (write it"
                       " without the %% signs)",
                       p->key);
        for (unsigned i = 0; i < r->nplaceholders; i++)
            if (!strcmp(r->placeholders[i].name, p->key))
                return ld_bad(l, line, "rules.placeholders: '%s' is given twice", p->key);
        struct ingest_placeholder_cfg *np =
            mem_realloc(r->placeholders, (r->nplaceholders + 1) * sizeof *np);
        if (!np)
            return ERR_NOMEM;
        r->placeholders = np;
        struct ingest_placeholder_cfg *ph = &np[r->nplaceholders++];
        memset(ph, 0, sizeof *ph);
        if (!(ph->name = mem_strdup(p->key)))
            return ERR_NOMEM;
        size_t n = 0;
        int rc = 0;
        if (p->kind == CFG_SCALAR) {
            rc = push_str(l, p, p->key, &ph->values, &n);
        } else if (p->kind == CFG_SEQ) {
            for (const struct cfg_node *x = p->children; x && rc == 0; x = x->next) {
                if (n >= INGEST_MAX_PLACEHOLDER_VALUES)
                    return ld_bad(l, x->line, "rules.placeholders: at most 4096 values", NULL);
                rc = push_str(l, x, p->key, &ph->values, &n);
            }
        } else {
            return ld_bad(l, line, "rules.placeholders.%s: expected a list of values", p->key);
        }
        ph->nvalues = (unsigned)n;
        if (rc)
            return rc;
        if (n == 0)
            return ld_bad(l, line, "rules.placeholders.%s: no values", p->key);
    }
    return 0;
}

/* See config_int.h. */
int ld_get_duration(struct loader *l, const struct cfg_node *n, const char *key, int64_t lo_s,
                        int64_t hi_s, int64_t *out_ns)
{
    int rc = ld_want_scalar(l, n, key);
    if (rc)
        return rc;
    const char *t = n->text;
    size_t len = strlen(t);
    int64_t unit = 1;
    if (len > 1 && strchr("smhd", t[len - 1])) {
        unit = t[len - 1] == 's' ? 1 : t[len - 1] == 'm' ? 60 : t[len - 1] == 'h' ? 3600 : 86400;
        len--;
    }
    uint64_t v;
    if (slice_to_u64(slice_make(t, len), &v) || v > (uint64_t)hi_s || (int64_t)v * unit < lo_s ||
        (int64_t)v * unit > hi_s) {
        char why[200];
        snprintf(why, sizeof why,
                 "%s: expected a duration (seconds, or N then s, m, h, d) from"
                 " %llds to %llds, not '%%s'",
                 key, (long long)lo_s, (long long)hi_s);
        return ld_bad(l, n->line, why, n->text);
    }
    *out_ns = (int64_t)v * unit * NS_PER_SEC;
    return 0;
}

/* `correlation: {lateness, max_groups, max_memory_mb}` */
static int correlation_section(struct loader *l, struct ingest_config *c, const struct cfg_node *v)
{
    if (v->kind != CFG_MAP)
        return ld_bad(l, v->line, "correlation: expected a map (lateness, max_groups, max_memory_mb)",
                   NULL);
    for (const struct cfg_node *k = v->children; k; k = k->next) {
        uint64_t u;
        int rc;
        if (!strcmp(k->key, "lateness")) {
            rc = ld_get_duration(l, k, "correlation.lateness", 0, 3600, &c->alerting.lateness_ns);
            if (rc == 0 && c->alerting.lateness_ns == 0)
                c->alerting.lateness_ns = -1; /* none (0 means the default) */
        } else if (!strcmp(k->key, "max_groups")) {
            if ((rc = ld_get_uint(l, k, "correlation.max_groups", 1000, 100000000, &u)) == 0)
                c->alerting.max_groups = (size_t)u;
        } else if (!strcmp(k->key, "max_memory_mb")) {
            if ((rc = ld_get_uint(l, k, "correlation.max_memory_mb", 1, 1 << 20, &u)) == 0)
                c->alerting.max_bytes = (size_t)u << 20;
        } else {
            rc = ld_bad(l, k->key_line,
                     "unknown key '%s' in correlation (expected lateness, max_groups,"
                     " max_memory_mb)",
                     k->key);
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* `health: {silence_min, silence_factor, max_clock_skew}` */
static int health_section(struct loader *l, struct ingest_config *c, const struct cfg_node *v)
{
    if (v->kind != CFG_MAP)
        return ld_bad(l, v->line,
                   "health: expected a map (silence_min, silence_factor,"
                   " max_clock_skew)",
                   NULL);
    for (const struct cfg_node *k = v->children; k; k = k->next) {
        uint64_t u;
        int rc;
        if (!strcmp(k->key, "silence_min")) {
            rc = ld_get_duration(l, k, "health.silence_min", 1, 30 * 86400, &c->health.silence_min_ns);
        } else if (!strcmp(k->key, "silence_factor")) {
            if ((rc = ld_get_uint(l, k, "health.silence_factor", 1, 1000, &u)) == 0)
                c->health.silence_factor = (double)u;
        } else if (!strcmp(k->key, "max_clock_skew")) {
            rc =
                ld_get_duration(l, k, "health.max_clock_skew", 0, 365 * 86400, &c->health.max_skew_ns);
            if (rc == 0 && c->health.max_skew_ns == 0)
                c->health.max_skew_ns = -1; /* 0: not checked (0 in the struct means default) */
        } else {
            rc = ld_bad(l, k->key_line,
                     "unknown key '%s' in health (expected silence_min, silence_factor,"
                     " max_clock_skew)",
                     k->key);
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* `alerts: {merge_window, max_open}` */
static int alerts_section(struct loader *l, struct ingest_config *c, const struct cfg_node *v)
{
    if (v->kind != CFG_MAP)
        return ld_bad(l, v->line, "alerts: expected a map (merge_window, max_open, max_first_seen)",
                   NULL);
    for (const struct cfg_node *k = v->children; k; k = k->next) {
        uint64_t u;
        int rc;
        if (!strcmp(k->key, "merge_window")) {
            rc = ld_get_duration(l, k, "alerts.merge_window", 1, 30 * 86400,
                              &c->alerting.merge_window_ns);
        } else if (!strcmp(k->key, "max_open")) {
            if ((rc = ld_get_uint(l, k, "alerts.max_open", 100, 10000000, &u)) == 0)
                c->alerting.max_open = (size_t)u;
        } else if (!strcmp(k->key, "entity_risk_threshold")) {
            if ((rc = ld_get_uint(l, k, "alerts.entity_risk_threshold", 1, 100000, &u)) == 0)
                c->alerting.entity_threshold = (double)u;
        } else if (!strcmp(k->key, "entity_risk_halflife")) {
            rc = ld_get_duration(l, k, "alerts.entity_risk_halflife", 60, 30 * 86400,
                              &c->alerting.entity_halflife_ns);
        } else if (!strcmp(k->key, "max_first_seen")) {
            if ((rc = ld_get_uint(l, k, "alerts.max_first_seen", 1000, 100000000, &u)) == 0)
                c->alerting.max_first_seen = (size_t)u;
        } else {
            rc = ld_bad(l, k->key_line, "unknown key '%s' in alerts (expected merge_window, max_open)",
                     k->key);
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* `geo: {mmdb: PATH, enabled: BOOL}` */
static int geo_section(struct loader *l, struct ingest_config *c, const struct cfg_node *v)
{
    if (v->kind != CFG_MAP)
        return ld_bad(l, v->line, "geo: expected a map (mmdb, enabled)", NULL);
    for (const struct cfg_node *k = v->children; k; k = k->next) {
        int rc;
        if (!strcmp(k->key, "mmdb")) {
            rc = ld_get_str(l, k, "geo.mmdb", &c->geo_mmdb);
        } else if (!strcmp(k->key, "enabled")) {
            if ((rc = ld_want_scalar(l, k, "geo.enabled")))
                return rc;
            if (!strcmp(k->text, "true"))
                c->geo_off = false;
            else if (!strcmp(k->text, "false"))
                c->geo_off = true;
            else
                rc = ld_bad(l, k->line, "geo.enabled: expected true or false, not '%s'", k->text);
        } else {
            rc = ld_bad(l, k->key_line, "unknown key '%s' in geo (expected mmdb, enabled)", k->key);
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* One `lists:` entry: {name, file, type: address|domain}. */
static int list_entry(struct loader *l, struct ingest_config *c, const struct cfg_node *m)
{
    if (m->kind != CFG_MAP)
        return ld_bad(l, m->line, "lists: each list is a map {name, file, type}", NULL);
    if (c->nlists >= LIST_MAX_LISTS)
        return ld_bad(l, m->line, "lists: at most 64 lists", NULL);
    struct list_decl *n = mem_realloc(c->lists, (c->nlists + 1) * sizeof *n);
    if (!n)
        return ERR_NOMEM;
    c->lists = n;
    struct list_decl *d = &c->lists[c->nlists++];
    memset(d, 0, sizeof *d);
    bool typed = false;
    for (const struct cfg_node *k = m->children; k; k = k->next) {
        int rc = 0;
        if (!strcmp(k->key, "name")) {
            rc = ld_get_str(l, k, "lists.name", &d->name);
        } else if (!strcmp(k->key, "file")) {
            rc = ld_get_str(l, k, "lists.file", &d->file);
        } else if (!strcmp(k->key, "type")) {
            if ((rc = ld_want_scalar(l, k, "lists.type")))
                return rc;
            typed = true;
            if (!strcmp(k->text, "address"))
                d->type = LIST_ADDRESS;
            else if (!strcmp(k->text, "domain"))
                d->type = LIST_DOMAIN;
            else
                rc = ld_bad(l, k->line, "lists.type: expected address or domain, not '%s'", k->text);
        } else {
            rc = ld_bad(l, k->key_line, "unknown key '%s' in a list (expected name, file, type)",
                     k->key);
        }
        if (rc)
            return rc;
    }
    if (!d->name || !d->file || !typed)
        return ld_bad(l, m->line, "lists: a list needs a name, a file and a type", NULL);
    for (size_t i = 0; i + 1 < c->nlists; i++)
        if (!strcmp(c->lists[i].name, d->name))
            return ld_bad(l, m->line, "lists: the name '%s' is used twice", d->name);
    return 0;
}

static int rules_section(struct loader *l, struct ingest_config *c, const struct cfg_node *v)
{
    if (v->kind != CFG_MAP)
        return ld_bad(l, v->line, "rules: expected a map with paths (and placeholders)", NULL);
    int rc;
    for (const struct cfg_node *k = v->children; k; k = k->next) {
        if (!strcmp(k->key, "paths"))
            rc = rules_paths(l, &c->rules, k);
        else if (!strcmp(k->key, "placeholders"))
            rc = rules_placeholders(l, &c->rules, k);
        else if (!strcmp(k->key, "builtin")) {
            bool on = true;
            rc = ld_get_bool(l, k, "rules.builtin", &on);
            c->rules.no_builtin = !on;
        } else
            rc = ld_bad(l, k->key_line ? k->key_line : k->line,
                        "unknown key '%s' in rules (expected paths, placeholders, builtin)",
                        k->key);
        if (rc)
            return rc;
    }
    return 0;
}

static int top_key(struct loader *l, struct ingest_config *c, const struct cfg_node *v)
{
    const char *k = v->key;
    uint64_t u;
    int rc;
    if (!strcmp(k, "data_dir"))
        return ld_get_str(l, v, k, &c->data_dir);
    if (!strcmp(k, "retention_days")) {
        if ((rc = ld_get_uint(l, v, k, 1, 36500, &u)))
            return rc;
        c->retention_days = (int)u;
        return 0;
    }
    if (!strcmp(k, "workers")) {
        if ((rc = ld_get_uint(l, v, k, 1, 64, &u)))
            return rc;
        c->workers = (unsigned)u;
        return 0;
    }
    if (!strcmp(k, "queue_batches")) {
        if ((rc = ld_get_uint(l, v, k, 1, 4096, &u)))
            return rc;
        c->queue_batches = (unsigned)u;
        return 0;
    }
    if (!strcmp(k, "batch_records")) {
        if ((rc = ld_get_uint(l, v, k, 1, 65536, &u)))
            return rc;
        c->batch_records = (unsigned)u;
        return 0;
    }
    if (!strcmp(k, "batch_bytes")) {
        if ((rc = ld_get_uint(l, v, k, 4096, 256u * 1024 * 1024, &u)))
            return rc;
        c->batch_bytes = (size_t)u;
        return 0;
    }
    if (!strcmp(k, "flush_ms")) {
        if ((rc = ld_get_uint(l, v, k, 1, 60000, &u)))
            return rc;
        c->flush_ms = (unsigned)u;
        return 0;
    }
    if (!strcmp(k, "stats_interval")) {
        if ((rc = ld_get_uint(l, v, k, 1, 86400, &u)))
            return rc;
        c->stats_interval_s = (unsigned)u;
        return 0;
    }
    if (!strcmp(k, "log_level")) {
        if ((rc = ld_want_scalar(l, v, k)))
            return rc;
        static const char *const levels[] = {"error", "warn", "info", "debug"};
        for (int i = 0; i < 4; i++)
            if (!strcmp(v->text, levels[i])) {
                c->log_level = (enum log_level)i;
                return 0;
            }
        return ld_bad(l, v->line, "log_level: expected error, warn, info or debug, not '%s'", v->text);
    }
    if (!strcmp(k, "rules"))
        return rules_section(l, c, v);
    if (!strcmp(k, "correlation"))
        return correlation_section(l, c, v);
    if (!strcmp(k, "health"))
        return health_section(l, c, v);
    if (!strcmp(k, "assets"))
        return ld_get_str(l, v, "assets", &c->assets_path);
    if (!strcmp(k, "alerts"))
        return alerts_section(l, c, v);
    if (!strcmp(k, "outputs"))
        return output_config_load(v, l->file, &c->outputs, &c->noutputs, l->err, l->errlen);
    if (!strcmp(k, "geo"))
        return geo_section(l, c, v);
    if (!strcmp(k, "rates"))
        return config_rates_section(l, c, v);
    if (!strcmp(k, "audit"))
        return config_audit_section(l, c, v);
    if (!strcmp(k, "web"))
        return config_web_section(l, c, v);
    if (!strcmp(k, "lists")) {
        if (v->kind != CFG_SEQ)
            return ld_bad(l, v->line, "lists: expected a list of {name, file, type}", NULL);
        for (const struct cfg_node *m = v->children; m; m = m->next)
            if ((rc = list_entry(l, c, m)))
                return rc;
        return 0;
    }
    if (!strcmp(k, "decoders"))
        return 0; /* loaded before the other keys (inputs may name them) */
    if (!strcmp(k, "inputs")) {
        if (v->kind != CFG_SEQ)
            return ld_bad(l, v->line, "inputs: expected a list of inputs", NULL);
        for (const struct cfg_node *m = v->children; m; m = m->next)
            if ((rc = load_input(l, c, m)))
                return rc;
        return 0;
    }
    return ld_bad(l, v->key_line ? v->key_line : v->line, "unknown key '%s'", k);
}

int ingest_config_load(const char *file, const char *text, size_t len, struct ingest_config *c,
                       char *err, size_t errlen)
{
    struct loader l = {.file = file ? file : "config", .err = err, .errlen = errlen};
    struct cfg_node *root = NULL;
    char perr[256];
    int rc = cfg_parse(text, len, CONFIG_MAX_NODES, &root, perr, sizeof perr);
    if (rc) {
        /* cfg_parse says "line N: reason"; the daemon's contract is "FILE:N: reason" */
        const char *p = perr;
        if (!strncmp(p, "line ", 5)) {
            p += 5;
            snprintf(err, errlen, "%s:%s", l.file, p);
        } else {
            snprintf(err, errlen, "%s:1: %s", l.file, perr);
        }
        return rc == ERR_NOMEM ? rc : ERR_PARSE;
    }
    if (root->kind != CFG_MAP) {
        rc = ld_bad(&l, root->line, "the configuration must be a map of settings", NULL);
        goto out;
    }
    const struct cfg_node *dec = cfg_get(root, "decoders");
    if (dec && (rc = decode_custom_load(dec, l.file, &c->custom, err, errlen)) != 0)
        goto out;
    l.custom = c->custom;
    bool has_inputs = false;
    for (const struct cfg_node *v = root->children; v; v = v->next) {
        if (!strcmp(v->key, "inputs"))
            has_inputs = true;
        if ((rc = top_key(&l, c, v)))
            goto out;
    }
    if (!has_inputs) {
        if (!ingest_config_add_input(c, INGEST_UDP) || !ingest_config_add_input(c, INGEST_TCP)) {
            rc = ERR_NOMEM;
            goto out;
        }
    }
    if (!c->data_dir && !(c->data_dir = mem_strdup("./var"))) {
        rc = ERR_NOMEM;
        goto out;
    }
    rc = name_inputs(&l, c);
out:
    cfg_free(root);
    return rc;
}

int ingest_config_load_file(const char *path, struct ingest_config *c, char *err, size_t errlen)
{
    struct buf b;
    buf_init(&b, CONFIG_MAX_BYTES);
    int rc = buf_read_file(&b, path);
    if (rc == ERR_TOOBIG)
        snprintf(err, errlen, "%s:1: the file is larger than 1 MiB", path);
    else if (rc)
        snprintf(err, errlen, "%s: %s", path, rc == ERR_IO ? err_errno(errno) : err_str(rc));
    else
        rc = ingest_config_load(path, b.p ? b.p : "", b.len, c, err, errlen);
    buf_fini(&b);
    return rc;
}
