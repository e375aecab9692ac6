/*
 * out_config.c — the `outputs:` section of vigil.yaml (output.h): a list of maps, one
 * per output, each key checked ("FILE:LINE: reason"), so a typo stops the daemon at
 * start rather than losing alerts later. Values that end up in protocol text (headers,
 * addresses) are refused when they hold control bytes: a configuration cannot inject
 * a header line.
 */
#include "output/output.h"

#include <stdio.h>
#include <string.h>

struct oload {
    const char *file;
    char *err;
    size_t errlen;
};

static int bad(struct oload *l, unsigned line, const char *fmt, const char *arg)
{
    char why[256];
    snprintf(why, sizeof why, fmt, arg ? arg : "");
    snprintf(l->err, l->errlen, "%s:%u: %s", l->file, line, why);
    return ERR_INVAL;
}

static unsigned key_line(const struct cfg_node *v)
{
    return v->key_line ? v->key_line : v->line;
}

/* See output.h. */
const char *output_type_name(enum output_type t)
{
    switch (t) {
    case OUTPUT_WEBHOOK:
        return "webhook";
    case OUTPUT_SYSLOG:
        return "syslog";
    case OUTPUT_EMAIL:
        return "email";
    }
    return "?";
}

/* See output.h. */
int output_level_rank(const char *level)
{
    static const char *const names[] = {"informational", "low", "medium", "high", "critical"};
    for (int i = 0; level && i < 5; i++)
        if (!strcmp(level, names[i]))
            return i;
    return -1;
}

static void entry_fini(struct output_cfg *o)
{
    mem_free(o->name);
    mem_free(o->url);
    for (size_t i = 0; i < o->nheaders; i++)
        mem_free(o->headers[i]);
    mem_free(o->headers);
    mem_free(o->address);
    mem_free(o->from);
    for (size_t i = 0; i < o->nto; i++)
        mem_free(o->to[i]);
    mem_free(o->to);
    mem_free(o->username);
    mem_free(o->password);
}

/* See output.h. */
void output_config_free(struct output_cfg *o, size_t n)
{
    for (size_t i = 0; o && i < n; i++)
        entry_fini(&o[i]);
    mem_free(o);
}

static bool has_ctl(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

/* A non-empty scalar without control bytes, copied into *out. */
static int get_str(struct oload *l, const struct cfg_node *v, const char *key, char **out)
{
    if (v->kind != CFG_SCALAR || !v->text || !v->text[0])
        return bad(l, v->line, "%s: expected a non-empty value", key);
    if (has_ctl(v->text))
        return bad(l, v->line, "%s: control characters are not allowed", key);
    char *s = mem_strdup(v->text);
    if (!s)
        return ERR_NOMEM;
    mem_free(*out);
    *out = s;
    return 0;
}

static int get_bool(struct oload *l, const struct cfg_node *v, const char *key, bool *out)
{
    if (v->kind == CFG_SCALAR && v->text && (!strcmp(v->text, "true") || !strcmp(v->text, "yes")))
        *out = true;
    else if (v->kind == CFG_SCALAR && v->text &&
             (!strcmp(v->text, "false") || !strcmp(v->text, "no")))
        *out = false;
    else
        return bad(l, v->line, "%s: expected true or false", key);
    return 0;
}

static int get_uint(struct oload *l, const struct cfg_node *v, const char *key, uint64_t lo,
                    uint64_t hi, uint64_t *out)
{
    uint64_t u;
    if (v->kind != CFG_SCALAR || !v->text || slice_to_u64(slice_cstr(v->text), &u) || u < lo ||
        u > hi) {
        char why[160];
        snprintf(why, sizeof why, "%s: expected a whole number from %llu to %llu", key,
                 (unsigned long long)lo, (unsigned long long)hi);
        return bad(l, v->line, "%s", why);
    }
    *out = u;
    return 0;
}

/* A duration: N seconds, or N followed by ms, s or m; from 0 to 1 h. */
static int get_duration(struct oload *l, const struct cfg_node *v, const char *key, int64_t *ns)
{
    if (v->kind != CFG_SCALAR || !v->text)
        return bad(l, v->line, "%s: expected a duration (N, Nms, Ns or Nm)", key);
    const char *t = v->text;
    size_t len = strlen(t);
    int64_t unit = NS_PER_SEC;
    if (len > 2 && !strcmp(t + len - 2, "ms")) {
        unit = 1000000;
        len -= 2;
    } else if (len > 1 && (t[len - 1] == 's' || t[len - 1] == 'm')) {
        unit = t[len - 1] == 'm' ? 60 * NS_PER_SEC : NS_PER_SEC;
        len--;
    }
    uint64_t u;
    if (slice_to_u64(slice_make(t, len), &u) || u > 3600000 ||
        (int64_t)u * unit > 3600 * NS_PER_SEC) {
        char why[160];
        snprintf(why, sizeof why,
                 "%s: expected a duration (N, Nms, Ns or Nm) of at most 1 h, not '%%s'", key);
        return bad(l, v->line, why, t);
    }
    *ns = (int64_t)u * unit;
    return 0;
}

static int push(char ***arr, size_t *n, const char *s)
{
    char **p = mem_realloc(*arr, (*n + 1) * sizeof *p);
    if (!p)
        return ERR_NOMEM;
    *arr = p;
    if (!(p[*n] = mem_strdup(s)))
        return ERR_NOMEM;
    (*n)++;
    return 0;
}

/* An HTTP header name is a token (RFC 9110). */
static bool token(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr("!#$%&'*+-.^_`|~", *s)))
            return false;
    return true;
}

static int headers(struct oload *l, struct output_cfg *o, const struct cfg_node *v)
{
    if (v->kind != CFG_MAP)
        return bad(l, v->line, "headers: expected a map of name: value", NULL);
    for (const struct cfg_node *h = v->children; h; h = h->next) {
        if (o->nheaders >= OUTPUT_MAX_HEADERS)
            return bad(l, key_line(h), "headers: at most 32", NULL);
        if (!token(h->key))
            return bad(l, key_line(h), "headers: '%s' is not a header name", h->key);
        if (h->kind != CFG_SCALAR || !h->text || has_ctl(h->text))
            return bad(l, h->line, "headers.%s: expected a value without control characters",
                       h->key);
        char line[4096];
        int k = snprintf(line, sizeof line, "%s: %s", h->key, h->text);
        if (k < 0 || (size_t)k >= sizeof line)
            return bad(l, h->line, "headers.%s: too long", h->key);
        if (push(&o->headers, &o->nheaders, line))
            return ERR_NOMEM;
    }
    return 0;
}

/* An e-mail address as SMTP takes it: something@something, no spaces, <, > or controls. */
static bool mail_ok(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || !at[1] || strchr(at + 1, '@'))
        return false;
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || *s == 0x7f || strchr("<>,;\"()", *s))
            return false;
    return true;
}

static int recipients(struct oload *l, struct output_cfg *o, const struct cfg_node *v)
{
    const struct cfg_node *one = v->kind == CFG_SCALAR ? v : NULL;
    const struct cfg_node *x = one ? one : (v->kind == CFG_SEQ ? v->children : NULL);
    if (!x)
        return bad(l, v->line, "to: expected an address or a list of addresses", NULL);
    for (; x; x = one ? NULL : x->next) {
        if (o->nto >= OUTPUT_MAX_RECIPIENTS)
            return bad(l, x->line, "to: at most 64 addresses", NULL);
        if (x->kind != CFG_SCALAR || !x->text || !mail_ok(x->text))
            return bad(l, x->line, "to: '%s' is not an e-mail address", x->text ? x->text : "");
        if (push(&o->to, &o->nto, x->text))
            return ERR_NOMEM;
    }
    return 0;
}

static int retries(struct oload *l, struct output_cfg *o, const struct cfg_node *v)
{
    if (v->kind != CFG_SEQ)
        return bad(l, v->line, "retry: expected a list of waits, e.g. [1s, 5s, 30s] ([] for none)",
                   NULL);
    o->nretries = 0;
    for (const struct cfg_node *x = v->children; x; x = x->next) {
        if (o->nretries >= OUTPUT_MAX_RETRIES)
            return bad(l, x->line, "retry: at most 8 retries", NULL);
        int rc = get_duration(l, x, "retry", &o->retry_ns[o->nretries]);
        if (rc)
            return rc;
        o->nretries++;
    }
    return 0;
}

static const char *const facilities[] = {
    "kern",   "user",   "mail",     "daemon", "auth",   "syslog", "lpr",    "news",
    "uucp",   "cron",   "authpriv", "ftp",    "ntp",    "audit",  "alert",  "clock",
    "local0", "local1", "local2",   "local3", "local4", "local5", "local6", "local7"};

/* Checks "HOST:PORT" / "[V6]:PORT" with a port 1..65535. */
static bool address_ok(const char *s)
{
    const char *colon = strrchr(s, ':');
    uint64_t port;
    if (!colon || colon == s || slice_to_u64(slice_cstr(colon + 1), &port) || port == 0 ||
        port > 65535)
        return false;
    if (s[0] == '[')
        return colon[-1] == ']' && colon - s > 2;
    return memchr(s, ':', (size_t)(colon - s)) == NULL;
}

static bool url_scheme(const char *url, const char *a, const char *b)
{
    return !strncmp(url, a, strlen(a)) || !strncmp(url, b, strlen(b));
}

/* One key of an output map. */
static int entry_key(struct oload *l, struct output_cfg *o, const struct cfg_node *v)
{
    const char *k = v->key;
    uint64_t u;
    int rc;
    enum output_type t = o->type;
    if (!strcmp(k, "type"))
        return 0;
    if (!strcmp(k, "name")) {
        if ((rc = get_str(l, v, k, &o->name)))
            return rc;
        for (const char *p = o->name; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
                return bad(l, v->line, "name: letters, digits, _ and - only, not '%s'", o->name);
        return 0;
    }
    if (!strcmp(k, "min_level")) {
        const char *s = v->kind == CFG_SCALAR ? v->text : NULL;
        if ((o->min_level = output_level_rank(s)) < 0)
            return bad(l, v->line,
                       "min_level: expected informational, low, medium, high or critical, not '%s'",
                       s ? s : "");
        return 0;
    }
    if (!strcmp(k, "on_update"))
        return get_bool(l, v, k, &o->on_update);
    if (!strcmp(k, "max_queue")) {
        if ((rc = get_uint(l, v, k, 1, 1000000, &u)))
            return rc;
        o->max_queue = (size_t)u;
        return 0;
    }
    if (!strcmp(k, "retry"))
        return retries(l, o, v);
    if (!strcmp(k, "timeout")) {
        if ((rc = get_duration(l, v, k, &o->timeout_ns)))
            return rc;
        if (o->timeout_ns < 100000000)
            return bad(l, v->line, "timeout: at least 100ms", NULL);
        return 0;
    }
    if (!strcmp(k, "url") && (t == OUTPUT_WEBHOOK || t == OUTPUT_EMAIL)) {
        if ((rc = get_str(l, v, k, &o->url)))
            return rc;
        if (t == OUTPUT_WEBHOOK && !url_scheme(o->url, "http://", "https://"))
            return bad(l, v->line, "url: a webhook needs an http:// or https:// URL, not '%s'",
                       o->url);
        if (t == OUTPUT_EMAIL && !url_scheme(o->url, "smtp://", "smtps://"))
            return bad(l, v->line, "url: e-mail needs an smtp:// or smtps:// URL, not '%s'",
                       o->url);
        return 0;
    }
    if (!strcmp(k, "headers") && t == OUTPUT_WEBHOOK)
        return headers(l, o, v);
    if (!strcmp(k, "address") && t == OUTPUT_SYSLOG) {
        if ((rc = get_str(l, v, k, &o->address)))
            return rc;
        if (!address_ok(o->address))
            return bad(l, v->line, "address: expected HOST:PORT with a port 1-65535, not '%s'",
                       o->address);
        return 0;
    }
    if (!strcmp(k, "protocol") && t == OUTPUT_SYSLOG) {
        if (v->kind == CFG_SCALAR && v->text &&
            (!strcmp(v->text, "udp") || !strcmp(v->text, "tcp")))
            o->tcp = !strcmp(v->text, "tcp");
        else
            return bad(l, v->line, "protocol: expected udp or tcp, not '%s'", v->text);
        return 0;
    }
    if (!strcmp(k, "header") && t == OUTPUT_SYSLOG) {
        if (v->kind == CFG_SCALAR && v->text &&
            (!strcmp(v->text, "rfc5424") || !strcmp(v->text, "rfc3164")))
            o->rfc3164 = !strcmp(v->text, "rfc3164");
        else
            return bad(l, v->line, "header: expected rfc5424 or rfc3164, not '%s'", v->text);
        return 0;
    }
    if (!strcmp(k, "framing") && t == OUTPUT_SYSLOG) {
        if (v->kind == CFG_SCALAR && v->text &&
            (!strcmp(v->text, "newline") || !strcmp(v->text, "octet-counting")))
            o->octet_count = !strcmp(v->text, "octet-counting");
        else
            return bad(l, v->line, "framing: expected newline or octet-counting, not '%s'",
                       v->text);
        return 0;
    }
    if (!strcmp(k, "facility") && t == OUTPUT_SYSLOG) {
        for (int i = 0; v->kind == CFG_SCALAR && v->text && i < 24; i++)
            if (!strcmp(v->text, facilities[i])) {
                o->facility = i;
                return 0;
            }
        return bad(l, v->line, "facility: expected a syslog facility name (local0 ...), not '%s'",
                   v->text);
    }
    if (!strcmp(k, "from") && t == OUTPUT_EMAIL) {
        if ((rc = get_str(l, v, k, &o->from)))
            return rc;
        if (!mail_ok(o->from))
            return bad(l, v->line, "from: '%s' is not an e-mail address", o->from);
        return 0;
    }
    if (!strcmp(k, "to") && t == OUTPUT_EMAIL)
        return recipients(l, o, v);
    if (!strcmp(k, "username") && t == OUTPUT_EMAIL)
        return get_str(l, v, k, &o->username);
    if (!strcmp(k, "password") && t == OUTPUT_EMAIL)
        return get_str(l, v, k, &o->password);
    if (!strcmp(k, "starttls") && t == OUTPUT_EMAIL) {
        static const char *const modes[] = {"no", "try", "required"};
        for (int i = 0; v->kind == CFG_SCALAR && v->text && i < 3; i++)
            if (!strcmp(v->text, modes[i])) {
                o->starttls = (enum output_tls)i;
                return 0;
            }
        return bad(l, v->line, "starttls: expected no, try or required, not '%s'", v->text);
    }
    char why[128];
    snprintf(why, sizeof why, "unknown key '%%s' for an output of type %s", output_type_name(t));
    return bad(l, key_line(v), why, k);
}

static int load_entry(struct oload *l, struct output_cfg *o, const struct cfg_node *m)
{
    if (m->kind != CFG_MAP)
        return bad(l, m->line, "outputs: each output is a map with a type", NULL);
    const struct cfg_node *t = cfg_get(m, "type");
    if (!t || t->kind != CFG_SCALAR || !t->text)
        return bad(l, m->line, "output without a type (webhook, syslog or email)", NULL);
    if (!strcmp(t->text, "webhook"))
        o->type = OUTPUT_WEBHOOK;
    else if (!strcmp(t->text, "syslog"))
        o->type = OUTPUT_SYSLOG;
    else if (!strcmp(t->text, "email"))
        o->type = OUTPUT_EMAIL;
    else
        return bad(l, t->line, "type: expected webhook, syslog or email, not '%s'", t->text);
    o->line = m->line;
    o->max_queue = 10000;
    o->timeout_ns = 10 * NS_PER_SEC;
    o->facility = 16;
    o->nretries = 3;
    o->retry_ns[0] = 1 * NS_PER_SEC;
    o->retry_ns[1] = 5 * NS_PER_SEC;
    o->retry_ns[2] = 30 * NS_PER_SEC;
    for (const struct cfg_node *v = m->children; v; v = v->next) {
        int rc = entry_key(l, o, v);
        if (rc)
            return rc;
    }
    if (o->type != OUTPUT_SYSLOG && !o->url)
        return bad(l, m->line, "a %s output needs a url", output_type_name(o->type));
    if (o->type == OUTPUT_SYSLOG && !o->address)
        return bad(l, m->line, "a syslog output needs an address (HOST:PORT)", NULL);
    if (o->type == OUTPUT_EMAIL && (!o->from || !o->nto))
        return bad(l, m->line, "an email output needs from and to", NULL);
    if (o->type == OUTPUT_EMAIL && !o->username != !o->password)
        return bad(l, m->line, "an email output needs both username and password, or neither",
                   NULL);
    return 0;
}

/* Names the unnamed outputs after their type (+ a number when it repeats); refuses
 * duplicates. */
static int name_entries(struct oload *l, struct output_cfg *o, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (o[i].name)
            continue;
        const char *tn = output_type_name(o[i].type);
        char name[64];
        snprintf(name, sizeof name, "%s", tn);
        for (unsigned k = 2; k < 100; k++) {
            bool taken = false;
            for (size_t j = 0; j < n; j++)
                if (o[j].name && !strcmp(o[j].name, name))
                    taken = true;
            if (!taken)
                break;
            snprintf(name, sizeof name, "%s%u", tn, k);
        }
        if (!(o[i].name = mem_strdup(name)))
            return ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (!strcmp(o[i].name, o[j].name))
                return bad(l, o[j].line, "duplicate output name '%s'", o[j].name);
    return 0;
}

/* See output.h. */
int output_config_load(const struct cfg_node *v, const char *file, struct output_cfg **out,
                       size_t *n, char *err, size_t errlen)
{
    struct oload l = {file ? file : "config", err, errlen};
    if (v->kind != CFG_SEQ)
        return bad(&l, v->line, "outputs: expected a list of outputs", NULL);
    for (const struct cfg_node *m = v->children; m; m = m->next) {
        if (*n >= OUTPUT_MAX)
            return bad(&l, m->line, "outputs: at most 16", NULL);
        struct output_cfg *p = mem_realloc(*out, (*n + 1) * sizeof *p);
        if (!p)
            return ERR_NOMEM;
        *out = p;
        memset(&p[*n], 0, sizeof p[*n]);
        (*n)++;
        int rc = load_entry(&l, &p[*n - 1], m);
        if (rc)
            return rc;
    }
    return name_entries(&l, *out, *n);
}
