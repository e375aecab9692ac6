/*
 * evtx.c — Windows .evtx files into events (see evtx.h for the contract). The flow per
 * record: libevtx renders the record's Binary XML (templates and substitutions already
 * applied) as UTF-8 XML; expat parses it into a small tree (one arena, reset per
 * record); the tree is written as compact JSON in the shape of an EVTX dump, the shape
 * dec_windows.c reads; decode_record decodes that JSON. So Channel, EventID,
 * Provider_Name, Computer, the EventData and UserData names, the routes and the 4688
 * aliases of an .evtx event are those of the same event shipped as a JSON line, and
 * the event's raw text is a JSON line that `vigil parse` reads back the same way. (The
 * XML itself would be bigger, and no decoder of ours reads XML.)
 *
 * The JSON shape (as xmltodict and evtx dumpers write it): an element with neither
 * attributes nor child elements is its text ("" when empty); otherwise an object with
 * "@attr" members, one member per child name (an array when the name repeats, at its
 * first place) and "#text" when it has non-blank text. xmlns attributes are dropped.
 *
 * Bounds and what happens at them: XML over EVTX_MAX_XML or nested over EVTX_MAX_DEPTH,
 * a DTD, an entity declaration or a not well-formed document make the record corrupt
 * (counted, reported, skipped); past EVTX_MAX_CORRUPT of them the rest of the file is
 * given up. Past EVTX_MAX_NODES elements or EVTX_MAX_ATTRS
 * attributes per element the rest is dropped; a JSON text over EVENT_MAX_RECORD is
 * rendered again with values cut to 4096, 1024, ... bytes, then with fewer elements
 * (document order: System comes first and stays); either way the event is flagged
 * EVF_TRUNCATED. Control characters other than tab, CR and LF, which XML 1.0 forbids
 * but EVTX strings may hold, become U+FFFD before parsing.
 */
#include "decode/evtx.h"

#include <errno.h>
#include <expat.h>
/* Debian's libevtx-dev says LIBEVTX_HAVE_BFIO but does not bring libbfio's header; the
 * libbfio entry points are not used here, so their declarations are left out. */
#include <libevtx/features.h>
#undef LIBEVTX_HAVE_BFIO
#include <libevtx.h>
#include <stdio.h>
#include <string.h>

#define EVTX_NAME_MAX 256                         /* element and attribute names are cut here */
#define EVTX_ARENA_CAP (8u << 20)                 /* tree of one record: nodes, names, texts */
#define FILETIME_UNIX_EPOCH 116444736000000000ULL /* 1970-01-01 in 100 ns since 1601 */

/* ---- XML → tree ---------------------------------------------------------------- */

struct xnode {
    struct slice name;
    struct slice *attrs; /* nattr pairs: name, value */
    unsigned nattr;
    struct slice text;
    struct xnode *child, *last, *next;
    unsigned gen; /* render pass that already wrote this node (repeated names) */
};

struct conv {
    XML_Parser p;
    struct arena arena;
    struct xnode *root;
    struct xnode *stack[EVTX_MAX_DEPTH];
    struct buf text[EVTX_MAX_DEPTH]; /* text of each kept open element */
    int depth;                       /* kept open elements */
    int open;                        /* all open elements, dropped ones too */
    int skip;                        /* > 0: inside an element dropped at the node cap */
    unsigned nodes;
    bool cut;
    int err;
    const char *why;
};

static void conv_stop(struct conv *c, int err, const char *why)
{
    if (!c->err) {
        c->err = err;
        c->why = why;
    }
    XML_StopParser(c->p, XML_FALSE);
}

/* Length of s[0..n) cut back so no UTF-8 sequence is split at the end. */
static size_t utf8_floor(const char *s, size_t n)
{
    size_t i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return 0;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    return n - (i - 1) >= need ? n : i - 1;
}

static struct slice conv_dup(struct conv *c, const char *s, size_t n)
{
    char *d = arena_dup(&c->arena, s, n);
    if (!d) {
        conv_stop(c, ERR_NOMEM, "out of memory");
        return SLICE_NULL;
    }
    return slice_make(d, n);
}

static struct slice conv_name(struct conv *c, const char *s)
{
    size_t n = strlen(s);
    if (n > EVTX_NAME_MAX) {
        n = utf8_floor(s, EVTX_NAME_MAX);
        c->cut = true;
    }
    return conv_dup(c, s, n);
}

static bool is_xmlns(const char *name)
{
    return !strncmp(name, "xmlns", 5) && (name[5] == 0 || name[5] == ':');
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct conv *c = ud;
    if (c->err)
        return;
    if (c->open >= EVTX_MAX_DEPTH) {
        conv_stop(c, ERR_PARSE, "XML nested deeper than 32 elements");
        return;
    }
    c->open++;
    if (c->skip || c->nodes >= EVTX_MAX_NODES) {
        c->skip++;
        c->cut = true;
        return;
    }
    struct xnode *n = arena_alloc(&c->arena, sizeof *n);
    if (!n) {
        conv_stop(c, ERR_NOMEM, "out of memory");
        return;
    }
    memset(n, 0, sizeof *n);
    c->nodes++;
    n->name = conv_name(c, name);
    unsigned na = 0;
    for (size_t i = 0; atts[i]; i += 2)
        if (!is_xmlns(atts[i]))
            na++;
    if (na > EVTX_MAX_ATTRS) {
        na = EVTX_MAX_ATTRS;
        c->cut = true;
    }
    if (na) {
        n->attrs = arena_alloc(&c->arena, 2 * na * sizeof n->attrs[0]);
        if (!n->attrs) {
            conv_stop(c, ERR_NOMEM, "out of memory");
            return;
        }
        for (size_t i = 0; atts[i] && n->nattr < na; i += 2) {
            if (is_xmlns(atts[i]))
                continue;
            n->attrs[2 * n->nattr] = conv_name(c, atts[i]);
            n->attrs[2 * n->nattr + 1] = conv_dup(c, atts[i + 1], strlen(atts[i + 1]));
            n->nattr++;
        }
    }
    if (c->depth == 0) {
        c->root = n; /* XML has one root: a second start at depth 0 cannot happen */
    } else {
        struct xnode *parent = c->stack[c->depth - 1];
        if (parent->last)
            parent->last->next = n;
        else
            parent->child = n;
        parent->last = n;
    }
    c->stack[c->depth] = n;
    buf_reset(&c->text[c->depth]);
    c->depth++;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    struct conv *c = ud;
    if (c->err || c->skip || c->depth == 0 || len <= 0)
        return;
    struct buf *t = &c->text[c->depth - 1];
    size_t n = (size_t)len;
    if (t->len + n > EVENT_MAX_RECORD) { /* the JSON could not hold more anyway */
        size_t room = t->len < EVENT_MAX_RECORD ? EVENT_MAX_RECORD - t->len : 0;
        n = utf8_floor(s, room);
        c->cut = true;
    }
    if (n && buf_append(t, s, n))
        conv_stop(c, ERR_NOMEM, "out of memory");
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return false;
    return true;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    struct conv *c = ud;
    (void)name;
    if (c->err)
        return;
    c->open--;
    if (c->skip) {
        c->skip--;
        return;
    }
    c->depth--;
    struct xnode *n = c->stack[c->depth];
    struct buf *t = &c->text[c->depth];
    /* Between child elements text is libevtx's indentation: only a leaf keeps blanks. */
    if (t->len && !(n->child && blank(t->p, t->len)))
        n->text = conv_dup(c, t->p, t->len);
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal;
    conv_stop(ud, ERR_PARSE, "a DTD in a record");
}

static void XMLCALL on_entity(void *ud, const XML_Char *name, int is_param, const XML_Char *value,
                              int value_len, const XML_Char *base, const XML_Char *sysid,
                              const XML_Char *pubid, const XML_Char *notation)
{
    (void)name, (void)is_param, (void)value, (void)value_len, (void)base, (void)sysid;
    (void)pubid, (void)notation;
    conv_stop(ud, ERR_PARSE, "an entity declaration in a record");
}

static const XML_Memory_Handling_Suite mem_suite = {mem_alloc, mem_realloc, mem_free};

static void conv_handlers(struct conv *c)
{
    XML_SetUserData(c->p, c);
    XML_SetElementHandler(c->p, on_start, on_end);
    XML_SetCharacterDataHandler(c->p, on_text);
    XML_SetStartDoctypeDeclHandler(c->p, on_doctype);
    XML_SetEntityDeclHandler(c->p, on_entity);
    XML_SetParamEntityParsing(c->p, XML_PARAM_ENTITY_PARSING_NEVER);
}

static int conv_init(struct conv *c)
{
    memset(c, 0, sizeof *c);
    arena_init(&c->arena, 16 * 1024, EVTX_ARENA_CAP);
    for (int i = 0; i < EVTX_MAX_DEPTH; i++)
        buf_init(&c->text[i], EVENT_MAX_RECORD + 8);
    c->p = XML_ParserCreate_MM("UTF-8", &mem_suite, NULL);
    return c->p ? 0 : ERR_NOMEM;
}

static void conv_fini(struct conv *c)
{
    if (c->p)
        XML_ParserFree(c->p);
    for (int i = 0; i < EVTX_MAX_DEPTH; i++)
        buf_fini(&c->text[i]);
    arena_fini(&c->arena);
}

/* Parses xml into c->root. 0, ERR_PARSE (c->why says why), ERR_NOMEM. */
static int conv_parse(struct conv *c, const char *xml, size_t len, char *why, size_t why_size)
{
    arena_reset(&c->arena);
    c->root = NULL;
    c->depth = c->open = c->skip = 0;
    c->nodes = 0;
    c->cut = false;
    c->err = 0;
    c->why = NULL;
    if (len > EVTX_MAX_XML) {
        if (why)
            snprintf(why, why_size, "XML of %zu bytes, over the %u byte cap", len,
                     (unsigned)EVTX_MAX_XML);
        return ERR_PARSE;
    }
    if (XML_ParserReset(c->p, "UTF-8") != XML_TRUE)
        return ERR_NOMEM;
    conv_handlers(c);
    enum XML_Status st = XML_Parse(c->p, xml, (int)len, XML_TRUE);
    if (st != XML_STATUS_OK || c->err || !c->root) {
        int err = c->err ? c->err : ERR_PARSE;
        if (why) {
            if (c->why)
                snprintf(why, why_size, "%s", c->why);
            else if (st != XML_STATUS_OK)
                snprintf(why, why_size, "XML line %lu column %lu: %s",
                         (unsigned long)XML_GetCurrentLineNumber(c->p),
                         (unsigned long)XML_GetCurrentColumnNumber(c->p),
                         XML_ErrorString(XML_GetErrorCode(c->p)));
            else
                snprintf(why, why_size, "no XML element");
        }
        if (XML_GetErrorCode(c->p) == XML_ERROR_NO_MEMORY)
            err = ERR_NOMEM;
        return err;
    }
    return 0;
}

/* ---- tree → JSON ----------------------------------------------------------------- */

struct render {
    struct buf *out;
    unsigned gen;
    size_t vmax;     /* values longer are cut */
    unsigned budget; /* elements still to write */
    bool cut;
};

static void put_str(struct render *r, struct slice s, bool value)
{
    size_t max = value ? r->vmax : EVTX_NAME_MAX;
    if (s.len > max) {
        s.len = utf8_floor(s.p, max);
        r->cut = true;
    }
    buf_putc(r->out, '"');
    buf_json_str(r->out, s.p ? s.p : "", s.len);
    buf_putc(r->out, '"');
}

static void put_key(struct render *r, const char *prefix, struct slice name)
{
    buf_puts(r->out, prefix);
    if (name.len > EVTX_NAME_MAX) /* conv_name cut it already; kept for safety */
        name.len = utf8_floor(name.p, EVTX_NAME_MAX);
    buf_json_str(r->out, name.p ? name.p : "", name.len);
    buf_puts(r->out, "\":");
}

static void put_node(struct render *r, struct xnode *n);

/* Writes the children of n as members, a repeated name as one array. */
static void put_children(struct render *r, struct xnode *n, bool *first)
{
    for (struct xnode *c = n->child; c; c = c->next) {
        if (c->gen == r->gen)
            continue; /* written in the array of an earlier sibling */
        if (!r->budget) {
            r->cut = true;
            return;
        }
        bool repeated = false;
        for (struct xnode *d = c->next; d && !repeated; d = d->next)
            repeated = slice_eqs(d->name, c->name);
        put_key(r, *first ? "\"" : ",\"", c->name);
        *first = false;
        if (!repeated) {
            put_node(r, c);
            continue;
        }
        buf_putc(r->out, '[');
        bool f = true;
        for (struct xnode *d = c; d; d = d->next) {
            if (!slice_eqs(d->name, c->name))
                continue;
            if (!r->budget) {
                r->cut = true;
                break;
            }
            if (!f)
                buf_putc(r->out, ',');
            f = false;
            put_node(r, d);
        }
        buf_putc(r->out, ']');
    }
}

static void put_node(struct render *r, struct xnode *n)
{
    n->gen = r->gen;
    r->budget--;
    if (!n->nattr && !n->child) {
        put_str(r, n->text, true);
        return;
    }
    buf_putc(r->out, '{');
    bool first = true;
    for (unsigned i = 0; i < n->nattr; i++) {
        put_key(r, first ? "\"@" : ",\"@", n->attrs[2 * i]);
        put_str(r, n->attrs[2 * i + 1], true);
        first = false;
    }
    put_children(r, n, &first);
    if (n->text.len) {
        put_key(r, first ? "\"" : ",\"", SLICE_LIT("#text"));
        put_str(r, n->text, true);
    }
    buf_putc(r->out, '}');
}

/* Renders c->root into out within EVENT_MAX_RECORD; sets *cut when it had to cut. */
static int render_json(struct conv *c, struct buf *out, bool *cut)
{
    static const size_t vcaps[] = {SIZE_MAX, 4096, 1024, 256, 64, 16};
    size_t start = out->len;
    struct render r = {.out = out};
    for (size_t i = 0;; i++) {
        bool fewer = i >= sizeof vcaps / sizeof vcaps[0];
        out->len = start;
        out->err = 0;
        r.gen++;
        r.vmax = fewer ? 16 : vcaps[i];
        /* after the value caps, halve the elements kept until it fits (1 always fits:
         * a name of at most EVTX_NAME_MAX bytes and a 16-byte value) */
        size_t halvings = fewer ? i - sizeof vcaps / sizeof vcaps[0] + 1 : 0;
        unsigned want = halvings < 16 ? c->nodes >> halvings : 0;
        if (want == 0)
            want = 1;
        r.budget = want;
        r.cut = c->cut;
        buf_putc(out, '{');
        put_key(&r, "\"", c->root->name);
        put_node(&r, c->root);
        buf_putc(out, '}');
        if (out->err) {
            int err = out->err;
            out->len = start;
            out->err = 0;
            return err == ERR_TOOBIG ? ERR_NOMEM : err;
        }
        if (out->len - start <= EVENT_MAX_RECORD || (fewer && want <= 1))
            break;
        r.cut = true;
        c->cut = true;
    }
    *cut = r.cut;
    return 0;
}

/* See evtx.h. */
int evtx_xml_to_json(const char *xml, size_t len, struct buf *out, bool *cut, char *why,
                     size_t why_size)
{
    struct conv *c = mem_alloc(sizeof *c);
    if (!c)
        return ERR_NOMEM;
    int rc = conv_init(c);
    if (!rc)
        rc = conv_parse(c, xml, len, why, why_size);
    if (!rc)
        rc = render_json(c, out, cut);
    conv_fini(c);
    mem_free(c);
    return rc;
}

/* ---- the file ------------------------------------------------------------------- */

/* The innermost line of a libevtx error (the most specific), then frees it. */
static void lib_error(libevtx_error_t **e, char *dst, size_t n)
{
    char tmp[2048];
    dst[0] = 0;
    if (!e || !*e) {
        snprintf(dst, n, "unknown libevtx error");
        return;
    }
    if (libevtx_error_backtrace_sprint(*e, tmp, sizeof tmp) > 0) {
        char *nl = strchr(tmp, '\n');
        if (nl)
            *nl = 0;
        size_t k = strlen(tmp);
        if (k && tmp[k - 1] == '.')
            tmp[k - 1] = 0;
        snprintf(dst, n, "%s", tmp);
    } else {
        snprintf(dst, n, "unknown libevtx error");
    }
    libevtx_error_free(e);
}

/* Reads the 128-byte file header: the signature, and the next record id. */
static int read_header(const char *path, struct evtx_stats *st)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(st->error, sizeof st->error, "cannot open it: %s", err_errno(errno));
        return ERR_IO;
    }
    unsigned char h[128];
    size_t n = fread(h, 1, sizeof h, f);
    fclose(f);
    if (n < 8 || memcmp(h, "ElfFile", 8) != 0) {
        snprintf(st->error, sizeof st->error,
                 "not an EVTX file (it does not start with \"ElfFile\")");
        return ERR_PARSE;
    }
    if (n < sizeof h) {
        snprintf(st->error, sizeof st->error, "EVTX file cut inside its header (%zu bytes)", n);
        return ERR_PARSE;
    }
    uint64_t next = 0;
    for (int i = 7; i >= 0; i--)
        next = next << 8 | h[24 + i];
    st->next_id = next;
    return 0;
}

/* Replaces the control characters XML 1.0 forbids with U+FFFD (into tmp when any). */
static int xml_clean(struct buf *xml, struct buf *tmp, struct slice *out)
{
    size_t i = 0;
    while (i < xml->len && !((unsigned char)xml->p[i] < 0x20 && xml->p[i] != '\t' &&
                             xml->p[i] != '\n' && xml->p[i] != '\r'))
        i++;
    if (i == xml->len) {
        *out = slice_make(xml->p, xml->len);
        return 0;
    }
    buf_reset(tmp);
    for (i = 0; i < xml->len; i++) {
        unsigned char b = (unsigned char)xml->p[i];
        if (b < 0x20 && b != '\t' && b != '\n' && b != '\r')
            buf_puts(tmp, "\xEF\xBF\xBD");
        else
            buf_putc(tmp, (char)b);
    }
    if (tmp->err)
        return tmp->err;
    *out = slice_make(tmp->p, tmp->len);
    return 0;
}

struct reading {
    const struct evtx_reader *r;
    const char *path;
    struct evtx_stats *st;
    libevtx_file_t *file;
    struct conv conv;
    struct buf xml, clean, json;
    int64_t received_ns;
};

static void skip(struct reading *g, uint64_t no, const char *fmt, const char *why)
{
    char line[512];
    g->st->corrupt++;
    if (!g->r->on_skip)
        return;
    snprintf(line, sizeof line, fmt, why);
    g->r->on_skip(g->r->ctx, no, line);
}

/* Decodes record index i. 0 (also when skipped), ERR_NOMEM, or on_event's return. */
static int read_record(struct reading *g, int i)
{
    uint64_t no = (uint64_t)i + 1;
    libevtx_error_t *e = NULL;
    libevtx_record_t *rec = NULL;
    char why[300];
    if (libevtx_file_get_record_by_index(g->file, i, &rec, &e) != 1) {
        lib_error(&e, why, sizeof why);
        skip(g, no, "libevtx: %s", why);
        return 0;
    }
    size_t xs = 0;
    uint64_t ft = 0, rid = 0;
    int rc = 0;
    if (libevtx_record_get_utf8_xml_string_size(rec, &xs, &e) != 1 || xs == 0) {
        lib_error(&e, why, sizeof why);
        skip(g, no, "libevtx: %s", why);
        goto done;
    }
    if (xs > EVTX_MAX_XML) {
        snprintf(why, sizeof why, "%zu bytes", xs);
        skip(g, no, "XML of %s, over the 1 MiB cap", why);
        goto done;
    }
    buf_reset(&g->xml);
    if ((rc = buf_reserve(&g->xml, xs)) != 0)
        goto done;
    if (libevtx_record_get_utf8_xml_string(rec, (uint8_t *)g->xml.p, xs, &e) != 1) {
        lib_error(&e, why, sizeof why);
        skip(g, no, "libevtx: %s", why);
        goto done;
    }
    g->xml.len = strnlen(g->xml.p, xs);
    if (libevtx_record_get_written_time(rec, &ft, NULL) != 1)
        ft = 0;
    if (libevtx_record_get_identifier(rec, &rid, NULL) != 1)
        rid = 0;
    libevtx_record_free(&rec, NULL);

    struct slice xml;
    if ((rc = xml_clean(&g->xml, &g->clean, &xml)) != 0)
        return rc == ERR_TOOBIG ? ERR_NOMEM : rc;
    rc = conv_parse(&g->conv, xml.p, xml.len, why, sizeof why);
    bool cut = false;
    buf_reset(&g->json);
    if (!rc)
        rc = render_json(&g->conv, &g->json, &cut);
    if (rc == ERR_PARSE) {
        skip(g, no, "%s", why);
        return 0;
    }
    if (rc)
        return rc;

    const struct evtx_reader *r = g->r;
    struct event *ev = r->ev;
    struct decode_source src = {.tz = NULL, .charset = CHARSET_UTF8, .format = NULL};
    arena_reset(r->arena);
    event_reset(ev);
    ev->input = slice_cstr(g->path);
    decode_record(r->dc, &src, r->arena, g->json.p, g->json.len, g->received_ns, ev);
    if (cut) {
        ev->flags |= EVF_TRUNCATED;
        g->st->truncated++;
    }
    /* No usable TimeCreated: the record header's written time is the next best. */
    if ((ev->flags & EVF_TIME_RECEIVED) && ft > FILETIME_UNIX_EPOCH &&
        (ft - FILETIME_UNIX_EPOCH) / 10000000ULL < 9000000000ULL) {
        ev->time_ns = (int64_t)((ft - FILETIME_UNIX_EPOCH) / 10000000ULL) * NS_PER_SEC +
                      (int64_t)((ft - FILETIME_UNIX_EPOCH) % 10000000ULL) * 100;
        ev->flags &= ~(uint32_t)EVF_TIME_RECEIVED;
    }
    g->st->events++;
    g->st->last_id = rid;
    return r->on_event(r->ctx, no, ev);

done:
    libevtx_record_free(&rec, NULL);
    return rc == ERR_TOOBIG ? ERR_NOMEM : rc;
}

/* See evtx.h. */
int evtx_read_file(const struct evtx_reader *r, const char *path, struct evtx_stats *st)
{
    memset(st, 0, sizeof *st);
    int rc = read_header(path, st);
    if (rc)
        return rc;
    struct reading *g = mem_calloc(1, sizeof *g);
    if (!g) {
        snprintf(st->error, sizeof st->error, "out of memory");
        return ERR_NOMEM;
    }
    g->r = r;
    g->path = path;
    g->st = st;
    g->received_ns = vtime_now_ns();
    buf_init(&g->xml, EVTX_MAX_XML + 8);
    buf_init(&g->clean, 3 * (size_t)EVTX_MAX_XML + 8);
    buf_init(&g->json, 2 * (size_t)EVENT_MAX_RECORD);
    libevtx_error_t *e = NULL;
    char why[200];
    if ((rc = conv_init(&g->conv)) != 0) {
        snprintf(st->error, sizeof st->error, "out of memory");
        goto fail_conv;
    }
    if (libevtx_file_initialize(&g->file, &e) != 1) {
        lib_error(&e, why, sizeof why);
        snprintf(st->error, sizeof st->error, "libevtx: %s", why);
        rc = ERR_NOMEM;
        goto fail_conv;
    }
    if (libevtx_file_open(g->file, path, LIBEVTX_OPEN_READ, &e) != 1) {
        lib_error(&e, why, sizeof why);
        snprintf(st->error, sizeof st->error, "libevtx cannot open it: %s", why);
        rc = ERR_PARSE;
        goto fail_file;
    }
    int n = 0;
    if (libevtx_file_get_number_of_records(g->file, &n, &e) != 1) {
        lib_error(&e, why, sizeof why);
        snprintf(st->error, sizeof st->error, "libevtx: %s", why);
        rc = ERR_PARSE;
        goto fail_open;
    }
    st->records = n > 0 ? (uint64_t)n : 0;
    st->damaged = libevtx_file_is_corrupted(g->file, NULL) == 1;
    for (int i = 0; i < n && !rc; i++) {
        rc = read_record(g, i);
        if (!rc && st->corrupt > EVTX_MAX_CORRUPT) {
            snprintf(st->error, sizeof st->error,
                     "over %u corrupt records: the rest of the file (after record %d) is not"
                     " read",
                     (unsigned)EVTX_MAX_CORRUPT, i + 1);
            rc = ERR_PARSE;
        }
    }
    if (rc == ERR_NOMEM)
        snprintf(st->error, sizeof st->error, "out of memory");

fail_open:
    libevtx_file_close(g->file, NULL);
fail_file:
    libevtx_file_free(&g->file, NULL);
fail_conv:
    conv_fini(&g->conv);
    buf_fini(&g->xml);
    buf_fini(&g->clean);
    buf_fini(&g->json);
    mem_free(g);
    return rc;
}
