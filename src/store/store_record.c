/*
 * store_record.c — one event as bytes inside a block of the SQLite store, and back.
 *
 * A record is a sequence of unsigned LEB128 varints and length-prefixed strings:
 *
 *   id · zigzag(time) · zigzag(received) · flags · decoder · routes · raw ·
 *   text (length + 1, or 0 when the text is the raw record) · nfields ·
 *   nfields × (name · value) · naliases · naliases × (alias · target)
 *
 * The aliases are those of the event's routes whose target field the event has
 * (`src_ip` → `c-ip` for web servers): a search for the alias reads the target.
 * Fields keep their names (the registry's spelling or the extra's own), so a file
 * reads the same whatever the field registry of the reading program holds. Decoding
 * treats the bytes as untrusted (a damaged file is still read by `vigil search`):
 * every length is checked against what remains, and at most EVENT_MAX_FIELDS fields
 * are accepted.
 */
#include "store/store_int.h"

#include <string.h>

static void put_varint(struct buf *b, uint64_t v)
{
    char tmp[10];
    size_t n = 0;
    while (v >= 0x80) {
        tmp[n++] = (char)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (char)v;
    buf_append(b, tmp, n);
}

static uint64_t zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static void put_str(struct buf *b, const char *p, size_t n)
{
    put_varint(b, n);
    if (n)
        buf_append(b, p, n);
}

/* See store_int.h. */
int store_rec_encode(const struct event *ev, struct buf *scratch, struct buf *out)
{
    struct slice text = ev->text.p ? ev->text : ev->raw;
    bool same = text.len == ev->raw.len &&
                (text.p == ev->raw.p || (text.len && memcmp(text.p, ev->raw.p, text.len) == 0));
    buf_reset(scratch);
    event_routes_str(ev, scratch);
    put_varint(out, ev->id);
    put_varint(out, zigzag(ev->time_ns));
    put_varint(out, zigzag(ev->received_ns));
    put_varint(out, ev->flags);
    const char *dec = ev->decoder ? ev->decoder : "generic";
    put_str(out, dec, strlen(dec));
    put_str(out, scratch->p, scratch->len);
    put_str(out, ev->raw.p, ev->raw.len);
    if (same) {
        put_varint(out, 0);
    } else {
        put_varint(out, (uint64_t)text.len + 1);
        if (text.len)
            buf_append(out, text.p, text.len);
    }
    put_varint(out, ev->nfields);
    for (unsigned i = 0; i < ev->nfields; i++) {
        struct slice name = event_field_name(&ev->fields[i]);
        put_str(out, name.p, name.len);
        put_str(out, ev->fields[i].value.p, ev->fields[i].value.len);
    }
    unsigned na = 0;
    const struct field_alias *al[STORE_MAX_ALIASES];
    for (const struct field_alias *a = ev->aliases; a && a->alias && na < STORE_MAX_ALIASES; a++) {
        struct slice v;
        const char *an = field_name(a->alias), *tn = field_name(a->target);
        if (an && tn && event_get(ev, a->target, &v))
            al[na++] = a;
    }
    put_varint(out, na);
    for (unsigned i = 0; i < na; i++) {
        const char *an = field_name(al[i]->alias), *tn = field_name(al[i]->target);
        put_str(out, an, strlen(an));
        put_str(out, tn, strlen(tn));
    }
    return scratch->err ? scratch->err : out->err;
}

struct reader {
    const unsigned char *p;
    size_t n, i;
};

static bool get_varint(struct reader *r, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (r->i >= r->n)
            return false;
        unsigned char c = r->p[r->i++];
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

static bool get_bytes(struct reader *r, uint64_t len, struct slice *out)
{
    if (len > r->n - r->i)
        return false;
    out->p = (const char *)r->p + r->i;
    out->len = (size_t)len;
    r->i += (size_t)len;
    return true;
}

static bool get_str(struct reader *r, struct slice *out)
{
    uint64_t len;
    return get_varint(r, &len) && get_bytes(r, len, out);
}

/* See store_int.h. */
int store_rec_decode(const char *p, size_t n, size_t *used, struct store_rec *rec)
{
    struct reader r = {(const unsigned char *)p, n, 0};
    uint64_t t, rcv, flags, textlen, nf;
    memset(rec, 0, offsetof(struct store_rec, names));
    if (!get_varint(&r, &rec->id) || !get_varint(&r, &t) || !get_varint(&r, &rcv) ||
        !get_varint(&r, &flags) || !get_str(&r, &rec->decoder) || !get_str(&r, &rec->routes) ||
        !get_str(&r, &rec->raw) || !get_varint(&r, &textlen))
        return ERR_PARSE;
    rec->time_ns = unzigzag(t);
    rec->received_ns = unzigzag(rcv);
    rec->flags = (uint32_t)flags;
    if (textlen == 0)
        rec->text = rec->raw;
    else if (!get_bytes(&r, textlen - 1, &rec->text))
        return ERR_PARSE;
    if (!get_varint(&r, &nf) || nf > EVENT_MAX_FIELDS)
        return ERR_PARSE;
    rec->nfields = (unsigned)nf;
    for (unsigned i = 0; i < rec->nfields; i++)
        if (!get_str(&r, &rec->names[i]) || !get_str(&r, &rec->values[i]))
            return ERR_PARSE;
    uint64_t na;
    if (!get_varint(&r, &na) || na > STORE_MAX_ALIASES)
        return ERR_PARSE;
    rec->naliases = (unsigned)na;
    for (unsigned i = 0; i < rec->naliases; i++)
        if (!get_str(&r, &rec->aliases[i]) || !get_str(&r, &rec->targets[i]))
            return ERR_PARSE;
    *used = r.i;
    return 0;
}

/* See store_int.h. */
int store_rec_peek_time(const char *p, size_t n, int64_t *time_ns)
{
    struct reader r = {(const unsigned char *)p, n, 0};
    uint64_t id, t;
    if (!get_varint(&r, &id) || !get_varint(&r, &t))
        return ERR_PARSE;
    *time_ns = unzigzag(t);
    return 0;
}

/* See store_int.h. */
bool store_rec_field(const struct store_rec *rec, const char *name, struct slice *out)
{
    size_t n = strlen(name);
    for (unsigned i = 0; i < rec->nfields; i++) {
        if (rec->names[i].len == n && memcmp(rec->names[i].p, name, n) == 0) {
            *out = rec->values[i];
            return true;
        }
    }
    return false;
}

/* See store_int.h. */
int store_rec_fields_json(const struct store_rec *rec, struct buf *out)
{
    /* The same object event_fields_json writes for the event the record came from:
     * rebuild that event's fields and let it write them. */
    struct event *ev = mem_alloc(sizeof *ev);
    if (!ev)
        return ERR_NOMEM;
    event_reset(ev);
    for (unsigned i = 0; i < rec->nfields; i++)
        (void)event_add_named(ev, rec->names[i], rec->values[i]);
    int rc = event_fields_json(ev, out);
    mem_free(ev);
    return rc;
}
