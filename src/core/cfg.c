/*
 * cfg.c — YAML text to a small tree of maps, sequences and scalars with the line of
 * every node (libyaml's event parser does the YAML; this file builds the tree). Loaders
 * walk the tree to refuse unknown keys and bad values with "file:line: reason".
 * Bounded: node count, depth 32; anchors, aliases, tags, duplicate keys and non-scalar
 * keys are refused because a configuration needs none of them.
 */
#include "core/core.h"

#include <stdio.h>
#include <string.h>
#include <yaml.h>

#define CFG_MAX_DEPTH 32

struct builder {
    yaml_parser_t parser;
    size_t nodes, max_nodes;
    char *err;
    size_t errlen;
};

static int fail(struct builder *b, unsigned line, const char *why)
{
    snprintf(b->err, b->errlen, "line %u: %s", line, why);
    return ERR_PARSE;
}

void cfg_free(struct cfg_node *n)
{
    while (n) {
        struct cfg_node *next = n->next;
        cfg_free(n->children);
        mem_free(n->text);
        mem_free(n->key);
        mem_free(n);
        n = next;
    }
}

static struct cfg_node *node_new(struct builder *b, enum cfg_kind kind, unsigned line)
{
    if (b->nodes >= b->max_nodes)
        return NULL;
    struct cfg_node *n = mem_calloc(1, sizeof *n);
    if (!n)
        return NULL;
    b->nodes++;
    n->kind = kind;
    n->line = line;
    return n;
}

static int next_event(struct builder *b, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&b->parser, ev)) {
        const char *why = b->parser.problem ? b->parser.problem : "invalid YAML";
        return fail(b, (unsigned)b->parser.problem_mark.line + 1, why);
    }
    return 0;
}

static int parse_node(struct builder *b, yaml_event_t *ev, int depth, struct cfg_node **out);

/* Parses the items of a map or sequence until its end event. */
static int parse_children(struct builder *b, struct cfg_node *parent, int depth)
{
    struct cfg_node **tail = &parent->children;
    for (;;) {
        yaml_event_t ev;
        int rc = next_event(b, &ev);
        if (rc)
            return rc;
        if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            return 0;
        }
        char *key = NULL;
        unsigned key_line = 0;
        if (parent->kind == CFG_MAP) {
            key_line = (unsigned)ev.start_mark.line + 1;
            if (ev.type != YAML_SCALAR_EVENT) {
                yaml_event_delete(&ev);
                return fail(b, key_line, "a key must be a plain scalar");
            }
            key = mem_strndup((const char *)ev.data.scalar.value, ev.data.scalar.length);
            yaml_event_delete(&ev);
            if (!key)
                return ERR_NOMEM;
            for (struct cfg_node *c = parent->children; c; c = c->next) {
                if (!strcmp(c->key, key)) {
                    char why[200];
                    snprintf(why, sizeof why, "duplicate key '%.100s' (first on line %u)", key,
                             c->key_line);
                    mem_free(key);
                    return fail(b, key_line, why);
                }
            }
            rc = next_event(b, &ev);
            if (rc) {
                mem_free(key);
                return rc;
            }
        }
        struct cfg_node *child = NULL;
        rc = parse_node(b, &ev, depth + 1, &child);
        yaml_event_delete(&ev);
        if (rc) {
            mem_free(key);
            return rc;
        }
        child->key = key;
        child->key_line = key_line;
        *tail = child;
        tail = &child->next;
    }
}

static int parse_node(struct builder *b, yaml_event_t *ev, int depth, struct cfg_node **out)
{
    unsigned line = (unsigned)ev->start_mark.line + 1;
    if (depth > CFG_MAX_DEPTH)
        return fail(b, line, "nesting too deep");
    const yaml_char_t *anchor = NULL, *tag = NULL;
    enum cfg_kind kind;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        kind = CFG_SCALAR;
        anchor = ev->data.scalar.anchor;
        tag = ev->data.scalar.tag;
        break;
    case YAML_MAPPING_START_EVENT:
        kind = CFG_MAP;
        anchor = ev->data.mapping_start.anchor;
        tag = ev->data.mapping_start.tag;
        break;
    case YAML_SEQUENCE_START_EVENT:
        kind = CFG_SEQ;
        anchor = ev->data.sequence_start.anchor;
        tag = ev->data.sequence_start.tag;
        break;
    case YAML_ALIAS_EVENT:
        return fail(b, line, "aliases are not allowed here");
    default:
        return fail(b, line, "unexpected YAML structure");
    }
    if (anchor)
        return fail(b, line, "anchors are not allowed here");
    if (tag)
        return fail(b, line, "tags are not allowed here");
    struct cfg_node *n = node_new(b, kind, line);
    if (!n)
        return fail(b, line, "too many nodes");
    if (kind == CFG_SCALAR) {
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        n->text = mem_strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
        if (!n->text) {
            cfg_free(n);
            return ERR_NOMEM;
        }
        if (strlen(n->text) != ev->data.scalar.length) {
            cfg_free(n);
            return fail(b, line, "NUL byte in a value");
        }
    } else {
        int rc = parse_children(b, n, depth);
        if (rc) {
            cfg_free(n);
            return rc;
        }
    }
    *out = n;
    return 0;
}

/* The stream's documents: one (many = false, the document itself) or all (the items of
 * a sequence root). */
static int parse_stream(const char *text, size_t len, size_t max_nodes, bool many,
                        struct cfg_node **out, char *err, size_t errlen)
{
    struct builder b = {.max_nodes = max_nodes ? max_nodes : 100000, .err = err,
                        .errlen = errlen};
    *out = NULL;
    if (errlen)
        err[0] = 0;
    if (!yaml_parser_initialize(&b.parser))
        return ERR_NOMEM;
    yaml_parser_set_input_string(&b.parser, (const unsigned char *)text, len);
    struct cfg_node *root = NULL, *doc = NULL, **tail = NULL;
    int rc = 0, docs = 0;
    if (many) {
        root = node_new(&b, CFG_SEQ, 1);
        if (!root) {
            yaml_parser_delete(&b.parser);
            return ERR_NOMEM;
        }
        tail = &root->children;
    }
    for (;;) {
        yaml_event_t ev;
        rc = next_event(&b, &ev);
        if (rc)
            break;
        yaml_event_type_t t = ev.type;
        if (t == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (t == YAML_DOCUMENT_START_EVENT && ++docs > 1 && !many) {
            rc = fail(&b, (unsigned)ev.start_mark.line + 1, "only one YAML document is allowed");
            yaml_event_delete(&ev);
            break;
        }
        if (t == YAML_SCALAR_EVENT || t == YAML_MAPPING_START_EVENT ||
            t == YAML_SEQUENCE_START_EVENT || t == YAML_ALIAS_EVENT) {
            if (t == YAML_SCALAR_EVENT && ev.data.scalar.length == 0 &&
                ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
                yaml_event_delete(&ev); /* an empty document */
                continue;
            }
            rc = parse_node(&b, &ev, 0, many ? &doc : &root);
            yaml_event_delete(&ev);
            if (rc)
                break;
            if (many) {
                *tail = doc;
                tail = &doc->next;
                doc = NULL;
            }
            continue;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&b.parser);
    if (rc) {
        cfg_free(root);
        return rc;
    }
    if (!root) {
        root = mem_calloc(1, sizeof *root);
        if (!root)
            return ERR_NOMEM;
        root->kind = CFG_MAP;
        root->line = 1;
    }
    *out = root;
    return 0;
}

int cfg_parse(const char *text, size_t len, size_t max_nodes, struct cfg_node **out, char *err,
              size_t errlen)
{
    return parse_stream(text, len, max_nodes, false, out, err, errlen);
}

int cfg_parse_all(const char *text, size_t len, size_t max_nodes, struct cfg_node **out,
                  char *err, size_t errlen)
{
    return parse_stream(text, len, max_nodes, true, out, err, errlen);
}

const struct cfg_node *cfg_get(const struct cfg_node *m, const char *k)
{
    if (!m || m->kind != CFG_MAP)
        return NULL;
    for (const struct cfg_node *c = m->children; c; c = c->next)
        if (c->key && !strcmp(c->key, k))
            return c;
    return NULL;
}
