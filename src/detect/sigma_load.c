/*
 * sigma_load.c — Sigma YAML documents into rules (sigma_int.h): metadata, logsource,
 * search identifiers (through sigma_value.c) and the condition (through sigma_cond.c).
 *
 * A document that cannot be honoured entirely is refused with the reason, and nothing of
 * it is kept. Correlation documents are read by corr_load.c and their references
 * resolved once every file is in; filter documents are recognised and counted.
 */
#include "detect/corr_int.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SIGMA_MAX_FILE (4u << 20) /* bytes of one rule file; SigmaHQ's largest is ~300 KiB */
#define SIGMA_MAX_NODES 200000    /* YAML nodes of one file */
#define SIGMA_MAX_DEPTH_DIRS 16

struct loader {
    struct detect_rules *rs;
    detect_refusal_fn fn;
    void *ctx;
    struct detect_load_stats *stats;
    const char *file;
    struct sigma_placeholders ph; /* from the caller's options (none: every |expand refused) */
    bool builtin;                 /* reading the built-in rules */
};

static void refuse(struct loader *l, unsigned line, const char *id, const char *reason)
{
    l->stats->refused++;
    if (l->fn) {
        struct detect_refusal r = {l->file, line, id && *id ? id : "-", reason};
        l->fn(l->ctx, &r);
    }
}

static const char *scalar(const struct cfg_node *m, const char *key)
{
    const struct cfg_node *n = cfg_get(m, key);
    return n && n->kind == CFG_SCALAR ? n->text : NULL;
}

static char *lower_dup(const char *s)
{
    char *d = mem_strdup(s);
    for (char *p = d; p && *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    return d;
}

/* ---- freeing ------------------------------------------------------------------------ */

static void ident_fini(struct sigma_ident *id)
{
    for (unsigned g = 0; g < id->ngroups; g++) {
        for (unsigned p = 0; p < id->groups[g].npreds; p++)
            sigma_pred_fini(&id->groups[g].preds[p]);
        mem_free(id->groups[g].preds);
    }
    mem_free(id->groups);
    mem_free(id->name);
}

/* See detect_int.h. */
void sigma_rule_fini(struct sigma_rule *r)
{
    for (unsigned i = 0; i < r->nidents; i++)
        ident_fini(&r->idents[i]);
    mem_free(r->idents);
    sigma_cond_free(r->cond);
    for (unsigned i = 0; i < r->ntags; i++)
        mem_free(r->tags[i]);
    mem_free(r->tags);
    for (unsigned i = 0; i < r->nfirst_seen; i++)
        mem_free(r->first_seen[i]);
    mem_free(r->id);
    mem_free(r->name);
    mem_free(r->title);
    mem_free(r->file);
    mem_free(r->status);
    mem_free(r->product);
    mem_free(r->category);
    mem_free(r->service);
    memset(r, 0, sizeof *r);
}

/* ---- detection ---------------------------------------------------------------------- */

static int keyword_pred(const struct cfg_node *list, bool all, struct sigma_pred *p, char *err,
                        size_t errlen);

/* A map of `field|mods: value` into one group of predicates. */
static int map_group(const struct cfg_node *m, const struct sigma_placeholders *ph,
                     struct sigma_group *g, char *err, size_t errlen)
{
    unsigned n = 0;
    for (const struct cfg_node *c = m->children; c; c = c->next)
        n++;
    g->preds = mem_calloc(n ? n : 1, sizeof *g->preds);
    if (!g->preds)
        return ERR_NOMEM;
    for (const struct cfg_node *c = m->children; c; c = c->next) {
        struct sigma_pred *p = &g->preds[g->npreds];
        int rc;
        if (!strcmp(c->key, "|all")) {
            /* keywords that must all be present */
            rc = keyword_pred(c, true, p, err, errlen);
        } else if (c->key[0] == '|') {
            snprintf(err, errlen, "line %u: keyword modifiers other than |all are not supported",
                     c->key_line);
            rc = ERR_PARSE;
        } else {
            rc = sigma_pred_compile(c->key, c, ph, p, err, errlen);
        }
        if (rc) {
            sigma_pred_fini(p); /* what a failed keyword list had compiled */
            return rc;
        }
        g->npreds++;
    }
    return 0;
}

/* Keywords (a string or a list of strings): any of them, or all of them. */
static int keyword_pred(const struct cfg_node *list, bool all, struct sigma_pred *p, char *err,
                        size_t errlen)
{
    memset(p, 0, sizeof *p);
    p->all = all;
    unsigned n = 0;
    if (list->kind == CFG_SCALAR) {
        n = 1;
    } else if (list->kind == CFG_SEQ) {
        for (const struct cfg_node *c = list->children; c; c = c->next)
            n++;
    } else {
        snprintf(err, errlen, "line %u: keywords must be strings", list->line);
        return ERR_PARSE;
    }
    p->values = mem_calloc(n ? n : 1, sizeof *p->values);
    if (!p->values)
        return ERR_NOMEM;
    const struct cfg_node *c = list->kind == CFG_SCALAR ? list : list->children;
    for (; c; c = list->kind == CFG_SCALAR ? NULL : c->next) {
        if (c->kind != CFG_SCALAR) {
            snprintf(err, errlen, "line %u: keywords must be strings", c->line);
            return ERR_PARSE;
        }
        int rc = sigma_keyword_compile(c, &p->values[p->nvalues], err, errlen);
        if (rc)
            return rc;
        p->nvalues++;
    }
    return 0;
}

/* One search identifier: a map, a list of maps, or a list of keywords. */
static int ident(const struct cfg_node *v, const struct sigma_placeholders *ph,
                 struct sigma_ident *id, char *err, size_t errlen)
{
    id->name = mem_strdup(v->key);
    if (!id->name)
        return ERR_NOMEM;
    if (v->kind == CFG_MAP) {
        id->groups = mem_calloc(1, sizeof *id->groups);
        if (!id->groups)
            return ERR_NOMEM;
        id->ngroups = 1;
        return map_group(v, ph, &id->groups[0], err, errlen);
    }
    if (v->kind != CFG_SEQ || !v->children) {
        snprintf(err, errlen, "line %u: search identifier '%s' must be a map or a list", v->line,
                 v->key);
        return ERR_PARSE;
    }
    unsigned n = 0, maps = 0;
    for (const struct cfg_node *c = v->children; c; c = c->next) {
        n++;
        maps += c->kind == CFG_MAP;
    }
    if (maps && maps != n) {
        snprintf(err, errlen, "line %u: search identifier '%s' mixes maps and keywords", v->line,
                 v->key);
        return ERR_PARSE;
    }
    id->groups = mem_calloc(n, sizeof *id->groups);
    if (!id->groups)
        return ERR_NOMEM;
    if (maps) {
        for (const struct cfg_node *c = v->children; c; c = c->next) {
            int rc = map_group(c, ph, &id->groups[id->ngroups++], err, errlen);
            if (rc)
                return rc;
        }
        return 0;
    }
    /* a keyword list: any keyword, one group holding one keyword predicate */
    id->ngroups = 1;
    id->groups[0].preds = mem_calloc(1, sizeof *id->groups[0].preds);
    if (!id->groups[0].preds)
        return ERR_NOMEM;
    id->groups[0].npreds = 1;
    return keyword_pred(v, false, &id->groups[0].preds[0], err, errlen);
}

/* The condition: a string, or a list of strings OR-ed. */
static int condition(const struct cfg_node *c, struct sigma_rule *r, char *err, size_t errlen)
{
    const char **names = mem_calloc(r->nidents ? r->nidents : 1, sizeof *names);
    if (!names)
        return ERR_NOMEM;
    for (unsigned i = 0; i < r->nidents; i++)
        names[i] = r->idents[i].name;
    int rc = 0;
    const struct cfg_node *item = c->kind == CFG_SEQ ? c->children : c;
    if (!item)
        rc = ERR_PARSE, snprintf(err, errlen, "line %u: empty condition", c->line);
    for (; item && rc == 0; item = c->kind == CFG_SEQ ? item->next : NULL) {
        if (item->kind != CFG_SCALAR) {
            snprintf(err, errlen, "line %u: a condition must be a string", item->line);
            rc = ERR_PARSE;
            break;
        }
        struct sigma_cond *one = NULL;
        char why[256];
        rc = sigma_cond_parse(item->text, names, r->nidents, &one, why, sizeof why);
        if (rc) {
            snprintf(err, errlen, "line %u: condition: %s", item->line, why);
            break;
        }
        if (!r->cond) {
            r->cond = one;
            continue;
        }
        struct sigma_cond * or = mem_calloc(1, sizeof * or);
        if (! or) {
            sigma_cond_free(one);
            rc = ERR_NOMEM;
            break;
        }
        or->kind = SIGMA_COND_OR;
        or->left = r->cond;
        or->right = one;
        r->cond = or ;
    }
    mem_free(names);
    return rc;
}

static int detection(const struct cfg_node *d, const struct sigma_placeholders *ph,
                     struct sigma_rule *r, char *err, size_t errlen)
{
    if (!d || d->kind != CFG_MAP) {
        snprintf(err, errlen, "detection must be a map");
        return ERR_PARSE;
    }
    const struct cfg_node *cond = NULL;
    unsigned n = 0;
    for (const struct cfg_node *c = d->children; c; c = c->next) {
        if (!strcmp(c->key, "condition"))
            cond = c;
        else if (!strcmp(c->key, "timeframe")) {
            snprintf(err, errlen,
                     "line %u: timeframe is Sigma v1 aggregation: use a correlation"
                     " rule",
                     c->key_line);
            return ERR_PARSE;
        } else
            n++;
    }
    if (!cond) {
        snprintf(err, errlen, "line %u: detection has no condition", d->line);
        return ERR_PARSE;
    }
    if (n > SIGMA_MAX_IDENTIFIERS) {
        snprintf(err, errlen, "line %u: more than %d search identifiers", d->line,
                 SIGMA_MAX_IDENTIFIERS);
        return ERR_PARSE;
    }
    r->idents = mem_calloc(n ? n : 1, sizeof *r->idents);
    if (!r->idents)
        return ERR_NOMEM;
    for (const struct cfg_node *c = d->children; c; c = c->next) {
        if (c == cond)
            continue;
        int rc = ident(c, ph, &r->idents[r->nidents++], err, errlen);
        if (rc)
            return rc;
    }
    return condition(cond, r, err, errlen);
}

/* ---- metadata ----------------------------------------------------------------------- */

static int level_of(const char *s, enum sigma_level *out)
{
    static const char *const names[] = {"informational", "low", "medium", "high", "critical"};
    for (int i = 0; i < 5; i++) {
        if (!strcmp(s, names[i])) {
            *out = (enum sigma_level)i;
            return 0;
        }
    }
    return ERR_PARSE;
}

/* See detect_int.h. */
const char *sigma_level_name(enum sigma_level l)
{
    static const char *const names[] = {"informational", "low", "medium", "high", "critical"};
    return (unsigned)l < 5 ? names[l] : "medium";
}

/* See detect_int.h. */
int sigma_meta_parse(const struct cfg_node *doc, struct sigma_rule *r, char *err, size_t errlen)
{
    const char *title = scalar(doc, "title"), *id = scalar(doc, "id"), *name = scalar(doc, "name");
    const char *level = scalar(doc, "level"), *status = scalar(doc, "status");
    if (!title || !*title) {
        snprintf(err, errlen, "the rule has no title");
        return ERR_PARSE;
    }
    if (strlen(title) > 256) {
        snprintf(err, errlen, "title longer than 256 characters");
        return ERR_PARSE;
    }
    r->title = mem_strdup(title);
    r->id = mem_strdup(id ? id : "");
    r->status = status ? mem_strdup(status) : NULL;
    r->name = name && *name ? mem_strdup(name) : NULL;
    if (!r->title || !r->id || (status && !r->status) || (name && *name && !r->name))
        return ERR_NOMEM;
    r->level = SIGMA_MEDIUM;
    if (level && level_of(level, &r->level)) {
        snprintf(err, errlen, "unknown level '%.40s'", level);
        return ERR_PARSE;
    }
    const struct cfg_node *tags = cfg_get(doc, "tags");
    if (tags && tags->kind == CFG_SEQ) {
        unsigned n = 0;
        for (const struct cfg_node *t = tags->children; t; t = t->next)
            n++;
        r->tags = mem_calloc(n ? n : 1, sizeof *r->tags);
        if (!r->tags)
            return ERR_NOMEM;
        for (const struct cfg_node *t = tags->children; t; t = t->next) {
            if (t->kind != CFG_SCALAR) {
                snprintf(err, errlen, "line %u: a tag must be a string", t->line);
                return ERR_PARSE;
            }
            if (!(r->tags[r->ntags++] = mem_strdup(t->text)))
                return ERR_NOMEM;
        }
    } else if (tags) {
        snprintf(err, errlen, "line %u: tags must be a list", tags->line);
        return ERR_PARSE;
    }
    return 0;
}

/* `vigil_first_seen: [field, ...]` (or one field). */
static int first_seen(const struct cfg_node *v, struct sigma_rule *r, char *err, size_t errlen)
{
    const struct cfg_node *one = v->kind == CFG_SCALAR ? v : NULL;
    const struct cfg_node *items = v->kind == CFG_SEQ ? v->children : one;
    if (!items || (v->kind != CFG_SEQ && v->kind != CFG_SCALAR)) {
        snprintf(err, errlen, "line %u: vigil_first_seen must be a field or a list of fields",
                 v->line);
        return ERR_PARSE;
    }
    for (const struct cfg_node *i = items; i; i = one ? NULL : i->next) {
        if (i->kind != CFG_SCALAR || !i->text[0] || r->nfirst_seen == SIGMA_MAX_FIRST_SEEN) {
            snprintf(err, errlen, "line %u: vigil_first_seen takes 1 to %d field names", i->line,
                     SIGMA_MAX_FIRST_SEEN);
            return ERR_PARSE;
        }
        if (!(r->first_seen[r->nfirst_seen++] = mem_strdup(i->text)))
            return ERR_NOMEM;
    }
    return 0;
}

static int metadata(const struct cfg_node *doc, struct sigma_rule *r, char *err, size_t errlen)
{
    int rc = sigma_meta_parse(doc, r, err, errlen);
    if (rc)
        return rc;
    const struct cfg_node *fs = cfg_get(doc, "vigil_first_seen");
    if (fs && (rc = first_seen(fs, r, err, errlen)))
        return rc;
    const struct cfg_node *ls = cfg_get(doc, "logsource");
    if (!ls || ls->kind != CFG_MAP) {
        snprintf(err, errlen, "the rule has no logsource map");
        return ERR_PARSE;
    }
    const char *p = scalar(ls, "product"), *c = scalar(ls, "category"), *s = scalar(ls, "service");
    if (!p && !c && !s) {
        snprintf(err, errlen, "line %u: logsource names no product, category or service", ls->line);
        return ERR_PARSE;
    }
    if ((p && !(r->product = lower_dup(p))) || (c && !(r->category = lower_dup(c))) ||
        (s && !(r->service = lower_dup(s))))
        return ERR_NOMEM;
    return 0;
}

/* ---- documents and files ------------------------------------------------------------ */

static void correlation(struct loader *l, const struct cfg_node *doc)
{
    struct sigma_corr c;
    char err[512] = "";
    int rc = corr_parse(doc, &c, err, sizeof err);
    if (rc == 0) {
        c.meta.file = mem_strdup(l->file);
        c.meta.line = doc->line;
        rc = c.meta.file ? corr_add(l->rs, &c) : ERR_NOMEM;
        if (rc)
            corr_fini(&c);
    }
    if (rc) {
        refuse(l, doc->line, scalar(doc, "id"), rc == ERR_NOMEM ? "out of memory" : err);
        return;
    }
    l->stats->correlations++;
}

/* A correlation whose references failed (corr_resolve): refused like any document. */
static void refuse_corr(void *ctx, const struct sigma_corr *c, const char *reason)
{
    struct loader *l = ctx;
    l->file = c->meta.file;
    l->stats->correlations--;
    refuse(l, c->meta.line, c->meta.id, reason);
}

/* After every file: references between rules and correlations. */
static int resolve(struct loader *l)
{
    int rc = corr_resolve(l->rs, refuse_corr, l);
    return rc < 0 ? rc : 0;
}

static void document(struct loader *l, const struct cfg_node *doc)
{
    const char *id = doc->kind == CFG_MAP ? scalar(doc, "id") : NULL;
    if (doc->kind != CFG_MAP) {
        refuse(l, doc->line, NULL, "a Sigma document must be a map");
        return;
    }
    if (cfg_get(doc, "correlation")) {
        correlation(l, doc);
        return;
    }
    if (cfg_get(doc, "filter")) {
        l->stats->filters++;
        return;
    }
    if (!cfg_get(doc, "detection") && cfg_get(doc, "action")) {
        /* a v1 "action: global" collection document */
        refuse(l, doc->line, id, "Sigma v1 rule collections (action:) are not supported");
        return;
    }
    struct sigma_rule r;
    memset(&r, 0, sizeof r);
    char err[512] = "";
    int rc = metadata(doc, &r, err, sizeof err);
    if (rc == 0)
        rc = detection(cfg_get(doc, "detection"), &l->ph, &r, err, sizeof err);
    if (rc == 0) {
        r.file = mem_strdup(l->file);
        r.line = doc->line;
        if (!r.file)
            rc = ERR_NOMEM;
    }
    if (rc == 0)
        rc = detect_rules_add(l->rs, &r);
    if (rc) {
        sigma_rule_fini(&r);
        refuse(l, doc->line, id, rc == ERR_NOMEM ? "out of memory" : err);
        return;
    }
    l->stats->rules++;
    if (l->builtin)
        l->stats->builtin++;
}

static void load_text(struct loader *l, const char *text, size_t len);

static void load_file(struct loader *l, const char *path)
{
    l->file = path;
    l->stats->files++;
    struct buf text;
    buf_init(&text, SIGMA_MAX_FILE);
    int rc = buf_read_file(&text, path);
    if (rc) {
        l->stats->unreadable++;
        refuse(l, 0, NULL, rc == ERR_TOOBIG ? "file larger than 4 MiB" : "cannot read the file");
        buf_fini(&text);
        return;
    }
    load_text(l, text.p ? text.p : "", text.len);
    buf_fini(&text);
}

static void load_text(struct loader *l, const char *text, size_t len)
{
    struct cfg_node *docs = NULL;
    char err[256];
    int rc = cfg_parse_all(text, len, SIGMA_MAX_NODES, &docs, err, sizeof err);
    if (rc) {
        l->stats->unreadable++;
        char why[300];
        snprintf(why, sizeof why, "YAML: %s", err);
        refuse(l, 0, NULL, why);
        return;
    }
    for (const struct cfg_node *d = docs->children; d; d = d->next)
        document(l, d);
    cfg_free(docs);
}

static bool yaml_name(const char *n)
{
    size_t len = strlen(n);
    return (len > 4 && !strcmp(n + len - 4, ".yml")) || (len > 5 && !strcmp(n + len - 5, ".yaml"));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(struct loader *l, const char *path, int depth)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        l->file = path;
        l->stats->unreadable++;
        refuse(l, 0, NULL, "no such file or directory");
        return 0;
    }
    if (!S_ISDIR(sb.st_mode)) {
        load_file(l, path);
        return 0;
    }
    if (depth > SIGMA_MAX_DEPTH_DIRS)
        return 0;
    DIR *d = opendir(path);
    if (!d) {
        l->file = path;
        l->stats->unreadable++;
        refuse(l, 0, NULL, "cannot open the directory");
        return 0;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            char **nn = mem_realloc(names, nc * sizeof *nn);
            if (!nn) {
                rc = ERR_NOMEM;
                break;
            }
            names = nn;
            cap = nc;
        }
        if (!(names[n] = mem_strdup(de->d_name))) {
            rc = ERR_NOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    struct buf child;
    buf_init(&child, 8192);
    for (size_t i = 0; i < n && rc == 0; i++) {
        buf_reset(&child);
        buf_printf(&child, "%s/%s", path, names[i]);
        const char *cp = buf_cstr(&child);
        if (!cp)
            continue;
        struct stat cs;
        if (stat(cp, &cs) != 0)
            continue;
        if (S_ISDIR(cs.st_mode))
            rc = walk(l, cp, depth + 1);
        else if (yaml_name(names[i]))
            load_file(l, cp);
    }
    buf_fini(&child);
    for (size_t i = 0; i < n; i++)
        mem_free(names[i]);
    mem_free(names);
    return rc;
}

/* The built-in rules, as one more file (not counted in stats->files: the user's files). */
static void load_builtin(struct loader *l)
{
    size_t len;
    const char *text = detect_builtin_text(&len);
    l->file = DETECT_BUILTIN_FILE;
    l->builtin = true;
    load_text(l, text, len);
    l->builtin = false;
}

static struct sigma_placeholders placeholders_of(const struct detect_load_opts *opts)
{
    struct sigma_placeholders ph = {NULL, 0};
    if (opts) {
        ph.items = opts->placeholders;
        ph.n = opts->nplaceholders;
    }
    return ph;
}

/* See detect.h. */
int detect_rules_load(const struct detect_load_opts *opts, const char *const *paths, size_t n,
                      detect_refusal_fn fn, void *ctx, struct detect_rules **out,
                      struct detect_load_stats *stats)
{
    struct detect_load_stats dummy;
    if (!stats)
        stats = &dummy;
    memset(stats, 0, sizeof *stats);
    *out = NULL;
    struct detect_rules *rs = detect_rules_new();
    if (!rs)
        return ERR_NOMEM;
    struct loader l = {rs, fn, ctx, stats, NULL, placeholders_of(opts), false};
    int rc = 0;
    if (opts && opts->builtin)
        load_builtin(&l);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = walk(&l, paths[i], 0);
    if (rc == 0)
        rc = resolve(&l);
    if (rc) {
        detect_rules_free(rs);
        return rc;
    }
    *out = rs;
    return 0;
}

/* See detect.h. */
int detect_rules_load_text(const struct detect_load_opts *opts, const char *name, const char *text,
                           size_t len, detect_refusal_fn fn, void *ctx, struct detect_rules **out,
                           struct detect_load_stats *stats)
{
    struct detect_load_stats dummy;
    if (!stats)
        stats = &dummy;
    memset(stats, 0, sizeof *stats);
    *out = NULL;
    if (len > SIGMA_MAX_FILE)
        return ERR_TOOBIG;
    struct detect_rules *rs = detect_rules_new();
    if (!rs)
        return ERR_NOMEM;
    struct loader l = {rs, fn, ctx, stats, name, placeholders_of(opts), false};
    if (opts && opts->builtin) {
        load_builtin(&l);
        l.file = name;
    }
    load_text(&l, text, len);
    int rc = resolve(&l);
    if (rc) {
        detect_rules_free(rs);
        return rc;
    }
    *out = rs;
    return 0;
}
