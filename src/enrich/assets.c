/*
 * assets.c — the asset inventory (enrich.h): entries read from YAML or CSV into an array,
 * and a prefix trie (iptrie.h) from network to the entry (the longest prefix wins). The CSV reader
 * is written here: quoted fields (RFC 4180) and nothing more; libcsv would do, but it is one screen
 * of code and the inventory is read once.
 */
#include "enrich/enrich.h"
#include "enrich/iptrie.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ASSET_MAX_FILE (64u << 20)
#define ASSET_MAX_FIELD 1024

struct assets {
    struct asset *v;
    size_t n, cap;
    struct iptrie trie; /* prefix -> index in v */
    uint32_t *by_name;  /* entries with a name, sorted by it (case-insensitively) */
    size_t nnamed;
};

static void asset_fini(struct asset *x)
{
    mem_free(x->address);
    mem_free(x->name);
    mem_free(x->owner);
    mem_free(x->department);
    for (unsigned i = 0; i < x->ntags; i++)
        mem_free(x->tags[i]);
    memset(x, 0, sizeof *x);
}

/* See enrich.h. */
void assets_free(struct assets *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++)
        asset_fini(&a->v[i]);
    mem_free(a->v);
    iptrie_fini(&a->trie);
    mem_free(a->by_name);
    mem_free(a);
}

/* See enrich.h. */
size_t assets_count(const struct assets *a)
{
    return a ? a->n : 0;
}

/* See enrich.h. */
const struct asset *assets_at(const struct assets *a, size_t i)
{
    return a && i < a->n ? &a->v[i] : NULL;
}

/* See enrich.h. */
bool asset_has_tag(const struct asset *x, const char *t)
{
    for (unsigned i = 0; x && i < x->ntags; i++)
        if (!strcmp(x->tags[i], t))
            return true;
    return false;
}

/* See enrich.h. */
const struct asset *assets_lookup(const struct assets *a, struct slice addr)
{
    struct ipbits ip;
    if (!a || !a->n || !ip_parse(addr, &ip))
        return NULL;
    int32_t best = iptrie_lookup(&a->trie, &ip);
    return best >= 0 ? &a->v[best] : NULL;
}

/* ---- entries -------------------------------------------------------------------------- */

static struct asset *next_entry(struct assets *a)
{
    if (a->n == ASSET_MAX_ENTRIES)
        return NULL;
    if (a->n == a->cap) {
        size_t nc = a->cap ? a->cap * 2 : 64;
        struct asset *v = mem_realloc(a->v, nc * sizeof *v);
        if (!v)
            return NULL;
        a->v = v;
        a->cap = nc;
    }
    struct asset *x = &a->v[a->n];
    memset(x, 0, sizeof *x);
    return x;
}

/* One field of an entry; a reason in err on a bad value. */
static int set_field(struct asset *x, const char *key, const char *val, char *err, size_t errlen)
{
    char **dst = !strcmp(key, "address") || !strcmp(key, "cidr") ? &x->address
                 : !strcmp(key, "name")                          ? &x->name
                 : !strcmp(key, "owner")                         ? &x->owner
                 : !strcmp(key, "department")                    ? &x->department
                                                                 : NULL;
    if (dst) {
        mem_free(*dst);
        return (*dst = mem_strdup(val)) ? 0 : ERR_NOMEM;
    }
    if (!strcmp(key, "value")) {
        if (strlen(val) != 1 || val[0] < '0' || val[0] > '5') {
            snprintf(err, errlen, "value must be 0 to 5, not '%.40s'", val);
            return ERR_PARSE;
        }
        x->value = val[0] - '0';
        return 0;
    }
    if (!strcmp(key, "registered")) {
        if (!strcmp(val, "true") || !strcmp(val, "yes") || !strcmp(val, "1"))
            x->registered = true;
        else if (!strcmp(val, "false") || !strcmp(val, "no") || !strcmp(val, "0") || !*val)
            x->registered = false;
        else {
            snprintf(err, errlen, "registered must be true or false, not '%.40s'", val);
            return ERR_PARSE;
        }
        return 0;
    }
    if (!strcmp(key, "tags")) { /* CSV: tags separated by ';' */
        const char *p = val;
        while (*p) {
            const char *e = strchr(p, ';');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            while (n && *p == ' ')
                p++, n--;
            while (n && p[n - 1] == ' ')
                n--;
            if (n) {
                if (x->ntags == ASSET_MAX_TAGS) {
                    snprintf(err, errlen, "more than %d tags", ASSET_MAX_TAGS);
                    return ERR_PARSE;
                }
                if (!(x->tags[x->ntags++] = mem_strndup(p, n)))
                    return ERR_NOMEM;
            }
            p = e ? e + 1 : p + strlen(p);
        }
        return 0;
    }
    snprintf(err, errlen,
             "unknown key '%.40s' (address, name, owner, department, value,"
             " registered, tags)",
             key);
    return ERR_PARSE;
}

/* Completes the entry just filled (index a->n) and adds it to the tries. */
static int finish_entry(struct assets *a, struct asset *x, char *err, size_t errlen)
{
    struct ipbits ip;
    unsigned prefix;
    if (!x->address) {
        snprintf(err, errlen, "an entry needs an address");
        return ERR_PARSE;
    }
    if (!ip_parse_cidr(slice_cstr(x->address), &ip, &prefix)) {
        snprintf(err, errlen, "'%.60s' is not an IPv4 or IPv6 address or CIDR network", x->address);
        return ERR_PARSE;
    }
    if ((!x->name && !(x->name = mem_strdup(""))) || (!x->owner && !(x->owner = mem_strdup(""))) ||
        (!x->department && !(x->department = mem_strdup(""))))
        return ERR_NOMEM;
    int rc = iptrie_insert(&a->trie, &ip, prefix, (int32_t)a->n);
    if (rc == ERR_EXISTS) {
        snprintf(err, errlen, "'%.60s' is listed twice", x->address);
        return ERR_PARSE;
    }
    if (rc)
        return rc;
    a->n++;
    return 0;
}

static struct assets *assets_new(void)
{
    struct assets *a = mem_calloc(1, sizeof *a);
    if (!a || iptrie_init(&a->trie)) {
        assets_free(a);
        return NULL;
    }
    return a;
}

/* ---- YAML ------------------------------------------------------------------------------- */

static int load_yaml(struct assets *a, const char *name, const char *text, size_t len, char *err,
                     size_t errlen)
{
    struct cfg_node *root = NULL;
    char why[256];
    int rc = cfg_parse(text, len, 8 * ASSET_MAX_ENTRIES, &root, why, sizeof why);
    if (rc) {
        snprintf(err, errlen, "%s: %s", name, why);
        return ERR_PARSE;
    }
    const struct cfg_node *list = root->kind == CFG_MAP ? cfg_get(root, "assets") : NULL;
    if (!list || list->kind != CFG_SEQ) {
        snprintf(err, errlen, "%s:%u: expected 'assets:' and a list of entries", name, root->line);
        cfg_free(root);
        return ERR_PARSE;
    }
    for (const struct cfg_node *e = list->children; e && rc == 0; e = e->next) {
        struct asset *x = next_entry(a);
        if (!x) {
            rc = a->n == ASSET_MAX_ENTRIES ? ERR_FULL : ERR_NOMEM;
            snprintf(err, errlen, "%s: more than %d entries (or out of memory)", name,
                     ASSET_MAX_ENTRIES);
            break;
        }
        unsigned line = e->line;
        if (e->kind != CFG_MAP) {
            snprintf(why, sizeof why, "an entry must be a map");
            rc = ERR_PARSE;
        }
        for (const struct cfg_node *k = e->kind == CFG_MAP ? e->children : NULL; k && rc == 0;
             k = k->next) {
            line = k->key_line;
            if (!strcmp(k->key, "tags") && k->kind == CFG_SEQ) {
                for (const struct cfg_node *t = k->children; t && rc == 0; t = t->next) {
                    if (t->kind != CFG_SCALAR || x->ntags == ASSET_MAX_TAGS) {
                        snprintf(why, sizeof why, "tags: at most %d strings", ASSET_MAX_TAGS);
                        rc = ERR_PARSE;
                    } else if (!(x->tags[x->ntags++] = mem_strdup(t->text))) {
                        rc = ERR_NOMEM;
                    }
                }
            } else if (k->kind != CFG_SCALAR) {
                snprintf(why, sizeof why, "%.40s: expected a single value", k->key);
                rc = ERR_PARSE;
            } else {
                rc = set_field(x, k->key, k->text, why, sizeof why);
            }
        }
        if (rc == 0)
            rc = finish_entry(a, x, why, sizeof why);
        if (rc) {
            asset_fini(x);
            snprintf(err, errlen, "%s:%u: %s", name, line, rc == ERR_NOMEM ? "out of memory" : why);
        }
    }
    cfg_free(root);
    return rc;
}

/* ---- CSV -------------------------------------------------------------------------------- */

/* The next field of the CSV line at *p (quoted or not) into out; *eol set at the end of
 * the record. false on a field over ASSET_MAX_FIELD or an unclosed quote. */
static bool csv_field(const char **p, const char *end, char *out, bool *eol, unsigned *line)
{
    size_t n = 0;
    const char *s = *p;
    if (s < end && *s == '"') {
        s++;
        for (;;) {
            if (s >= end)
                return false;
            if (*s == '"') {
                if (s + 1 < end && s[1] == '"') {
                    s++;
                } else {
                    s++;
                    break;
                }
            }
            if (*s == '\n')
                (*line)++;
            if (n + 1 >= ASSET_MAX_FIELD)
                return false;
            out[n++] = *s++;
        }
    } else {
        while (s < end && *s != ',' && *s != '\n' && *s != '\r') {
            if (n + 1 >= ASSET_MAX_FIELD)
                return false;
            out[n++] = *s++;
        }
    }
    out[n] = '\0';
    if (s < end && *s == '\r')
        s++;
    *eol = s >= end || *s == '\n';
    if (s < end)
        s++; /* the ',' or '\n' */
    *p = s;
    return true;
}

#define CSV_MAX_COLS 16

static int load_csv(struct assets *a, const char *name, const char *text, size_t len, char *err,
                    size_t errlen)
{
    const char *p = text, *end = text + len;
    char cols[CSV_MAX_COLS][32];
    unsigned ncols = 0, line = 1;
    char field[ASSET_MAX_FIELD], why[256];
    bool eol = false;
    while (!eol) { /* the header */
        if (ncols == CSV_MAX_COLS || !csv_field(&p, end, field, &eol, &line) || !field[0] ||
            strlen(field) >= sizeof cols[0]) {
            snprintf(err, errlen,
                     "%s:1: expected a header naming the columns (address, name,"
                     " owner, department, value, registered, tags)",
                     name);
            return ERR_PARSE;
        }
        memcpy(cols[ncols++], field, strlen(field) + 1); /* shorter than a column name: above */
    }
    while (p < end) {
        line++;
        if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) { /* a blank line */
            p += *p == '\r' ? 2 : 1;
            continue;
        }
        struct asset *x = next_entry(a);
        if (!x) {
            snprintf(err, errlen, "%s:%u: more than %d entries (or out of memory)", name, line,
                     ASSET_MAX_ENTRIES);
            return ERR_FULL;
        }
        int rc = 0;
        unsigned c = 0, first_line = line;
        eol = false;
        while (!eol && rc == 0) {
            if (!csv_field(&p, end, field, &eol, &line)) {
                snprintf(why, sizeof why, "a field longer than %d bytes or an unclosed quote",
                         ASSET_MAX_FIELD - 1);
                rc = ERR_PARSE;
            } else if (c >= ncols) {
                snprintf(why, sizeof why, "more fields than the header names");
                rc = ERR_PARSE;
            } else if (field[0]) {
                rc = set_field(x, cols[c], field, why, sizeof why);
            }
            c++;
        }
        if (rc == 0)
            rc = finish_entry(a, x, why, sizeof why);
        if (rc) {
            asset_fini(x);
            snprintf(err, errlen, "%s:%u: %s", name, first_line,
                     rc == ERR_NOMEM ? "out of memory" : why);
            return rc;
        }
    }
    return 0;
}

static const struct assets *sort_ctx; /* qsort has no context: set around the call */

static int cmp_name(const void *x, const void *y)
{
    return strcasecmp(sort_ctx->v[*(const uint32_t *)x].name,
                      sort_ctx->v[*(const uint32_t *)y].name);
}

/* The name index (entries without a name are not in it). */
static int index_names(struct assets *a)
{
    a->by_name = mem_alloc((a->n ? a->n : 1) * sizeof *a->by_name);
    if (!a->by_name)
        return ERR_NOMEM;
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i].name[0])
            a->by_name[a->nnamed++] = (uint32_t)i;
    sort_ctx = a;
    qsort(a->by_name, a->nnamed, sizeof *a->by_name, cmp_name);
    sort_ctx = NULL;
    return iptrie_seal(&a->trie);
}

static const struct asset *find_name(const struct assets *a, const char *name, size_t len)
{
    size_t lo = 0, hi = a->nnamed;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const char *m = a->v[a->by_name[mid]].name;
        int c = strncasecmp(m, name, len);
        if (c == 0 && m[len])
            c = 1; /* m is longer */
        if (c == 0)
            return &a->v[a->by_name[mid]];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* See enrich.h. */
const struct asset *assets_lookup_name(const struct assets *a, struct slice name)
{
    if (!a || !a->nnamed || !name.len || name.len > 255)
        return NULL;
    const struct asset *x = find_name(a, name.p, name.len);
    const char *dot = memchr(name.p, '.', name.len);
    if (!x && dot && dot > name.p) /* "srv1.corp.example.com" as "srv1" */
        x = find_name(a, name.p, (size_t)(dot - name.p));
    return x;
}

/* See enrich.h. */
int assets_load_text(const char *name, const char *text, size_t len, bool csv, struct assets **out,
                     char *err, size_t errlen)
{
    *out = NULL;
    err[0] = '\0';
    struct assets *a = assets_new();
    if (!a)
        return ERR_NOMEM;
    int rc = csv ? load_csv(a, name, text, len, err, errlen)
                 : load_yaml(a, name, text, len, err, errlen);
    if (rc == 0)
        rc = index_names(a);
    if (rc) {
        assets_free(a);
        return rc;
    }
    *out = a;
    return 0;
}

/* See enrich.h. */
int assets_load_file(const char *path, struct assets **out, char *err, size_t errlen)
{
    struct buf text;
    buf_init(&text, ASSET_MAX_FILE);
    int rc = buf_read_file(&text, path);
    if (rc) {
        snprintf(err, errlen, "%s: %s", path,
                 rc == ERR_TOOBIG ? "larger than 64 MiB" : err_str(rc));
        buf_fini(&text);
        *out = NULL;
        return rc;
    }
    size_t n = strlen(path);
    bool csv = n > 4 && !strcasecmp(path + n - 4, ".csv");
    rc = assets_load_text(path, text.p ? text.p : "", text.len, csv, out, err, errlen);
    buf_fini(&text);
    return rc;
}
