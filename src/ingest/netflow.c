/*
 * netflow.c — NetFlow v5 / v9 and IPFIX packets into flows (see netflow.h).
 *
 * v5: a 24-byte header and fixed 48-byte records (Cisco's format). v9 (RFC 3954): a
 * 20-byte header, then FlowSets: 0 templates, 1 options templates, 256+ data. IPFIX
 * (RFC 7011): a 16-byte header with the message length, then Sets: 2 templates, 3
 * options templates, 256+ data; fields may carry an enterprise number and be of
 * variable length. Information elements read (the same numbers in v9 and IPFIX): 1
 * bytes, 2 packets, 4 protocol, 6 TCP flags, 7/11 ports, 8/12 and 27/28 addresses, 10/14
 * interfaces, 21/22 uptime of last/first packet (v9), 150–153 start/end in seconds or
 * milliseconds (IPFIX), 85/86 total counts when no delta count came.
 */
#include "ingest/netflow.h"

#include "core/core.h"

#include <string.h>

struct tfield {
    uint16_t id, len; /* len 65535: variable (IPFIX) */
    uint32_t enterprise;
};

struct template
{
    uint64_t key; /* 0: empty */
    uint64_t used;
    uint16_t nfields;
    bool options; /* an options template: its data is not flows, skipped */
    struct tfield f[NETFLOW_TEMPLATE_FIELDS];
};

struct netflow_templates {
    struct template slot[NETFLOW_TEMPLATES];
    uint64_t clock;
};

#define PROBE 16

/* See netflow.h. */
struct netflow_templates *netflow_templates_new(void)
{
    return mem_calloc(1, sizeof(struct netflow_templates));
}

/* See netflow.h. */
void netflow_templates_free(struct netflow_templates *t)
{
    mem_free(t);
}

static uint64_t tkey(uint64_t exporter, unsigned version, uint32_t domain, uint16_t id)
{
    uint64_t k = hash_mix(hash_mix(exporter, ((uint64_t)version << 32) | domain), id);
    return k ? k : 1;
}

static struct template *tfind(struct netflow_templates *t, uint64_t key)
{
    size_t h = (size_t)(key % NETFLOW_TEMPLATES);
    for (size_t i = 0; i < PROBE; i++) {
        struct template *s = &t->slot[(h + i) % NETFLOW_TEMPLATES];
        if (s->key == key) {
            s->used = ++t->clock;
            return s;
        }
    }
    return NULL;
}

/* The slot for key: its own, an empty one, or the least recently used of the window. */
static struct template *tslot(struct netflow_templates *t, uint64_t key)
{
    size_t h = (size_t)(key % NETFLOW_TEMPLATES);
    struct template *old = NULL;
    for (size_t i = 0; i < PROBE; i++) {
        struct template *s = &t->slot[(h + i) % NETFLOW_TEMPLATES];
        if (s->key == key || s->key == 0)
            return s;
        if (!old || s->used < old->used)
            old = s;
    }
    return old;
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* An unsigned big-endian number of 1..8 bytes (reduced-size encoding); 0 beyond 8. */
static uint64_t ben(const uint8_t *p, size_t n)
{
    if (n > 8)
        return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* ---- v5 ------------------------------------------------------------------------- */

static int parse_v5(const uint8_t *p, size_t n, netflow_flow_fn fn, void *ctx,
                    struct netflow_stats *st)
{
    if (n < 24)
        return -1;
    unsigned count = be16(p + 2);
    if (count == 0 || count > 30 || n < 24 + (size_t)count * 48)
        return -1;
    uint32_t uptime = be32(p + 4);
    int64_t now_ms = (int64_t)be32(p + 8) * 1000 + be32(p + 12) / 1000000;
    for (unsigned i = 0; i < count; i++) {
        const uint8_t *r = p + 24 + (size_t)i * 48;
        struct netflow_flow f = {.version = 5, .ip_version = 4};
        memcpy(f.src, r, 4);
        memcpy(f.dst, r + 4, 4);
        f.in_if = be16(r + 12);
        f.out_if = be16(r + 14);
        f.packets = be32(r + 16);
        f.bytes = be32(r + 20);
        f.start_ms = now_ms - (int64_t)(uint32_t)(uptime - be32(r + 24));
        f.end_ms = now_ms - (int64_t)(uint32_t)(uptime - be32(r + 28));
        f.src_port = be16(r + 32);
        f.dst_port = be16(r + 34);
        f.tcp_flags = r[37];
        f.proto = r[38];
        f.domain = (uint32_t)p[20] << 8 | p[21];
        fn(ctx, &f);
        st->flows++;
    }
    return (int)count;
}

/* ---- templates (v9 and IPFIX) ----------------------------------------------------- */

/*
 * Reads the templates of one set body b[0..n). IPFIX fields may have the enterprise
 * bit; options templates carry a scope count first (v9: scope and option lengths in
 * bytes; IPFIX: a field count and a scope field count). Returns false when a template
 * does not fit: the rest of the set is dropped.
 */
static bool read_templates(struct netflow_templates *t, uint64_t exporter, unsigned version,
                           uint32_t domain, const uint8_t *b, size_t n, bool options,
                           struct netflow_stats *st)
{
    size_t off = 0;
    while (n - off >= 4) {
        uint16_t id = be16(b + off);
        unsigned nf;
        size_t hdr = 4;
        if (options && version == 9) {
            if (n - off < 6)
                return false;
            unsigned scope_len = be16(b + off + 2), opt_len = be16(b + off + 4);
            if (scope_len % 4 || opt_len % 4)
                return false;
            nf = (scope_len + opt_len) / 4;
            hdr = 6;
        } else {
            nf = be16(b + off + 2);
            if (options) {
                if (n - off < 6)
                    return false;
                hdr = 6;
            }
        }
        if (id < 256) {
            if (id == 0 && nf == 0 && !options)
                return true; /* padding */
            return false;
        }
        if (nf == 0 && version == 10) { /* IPFIX template withdrawal */
            struct template *gone = tfind(t, tkey(exporter, version, domain, id));
            if (gone)
                gone->key = 0;
            off += hdr;
            continue;
        }
        if (nf == 0 || nf > NETFLOW_TEMPLATE_FIELDS)
            return false;
        off += hdr;
        struct template tmp = {.nfields = (uint16_t)nf, .options = options};
        for (unsigned i = 0; i < nf; i++) {
            if (n - off < 4)
                return false;
            uint16_t ie = be16(b + off), len = be16(b + off + 2);
            off += 4;
            uint32_t ent = 0;
            if (version == 10 && (ie & 0x8000)) {
                if (n - off < 4)
                    return false;
                ent = be32(b + off);
                off += 4;
                ie &= 0x7fff;
            }
            if (len == 0 || (len == 65535 && version != 10))
                return false;
            tmp.f[i] = (struct tfield){ie, len, ent};
        }
        uint64_t key = tkey(exporter, version, domain, id);
        struct template *s = tslot(t, key);
        *s = tmp;
        s->key = key;
        s->used = ++t->clock;
        st->templates++;
    }
    return true; /* fewer than 4 bytes left: padding */
}

/* What a data record's fields say, before times are placed. */
static void set_field(struct netflow_flow *f, const struct tfield *tf, const uint8_t *v, size_t len,
                      int64_t *first_up, int64_t *last_up, bool *have_delta)
{
    if (tf->enterprise)
        return;
    switch (tf->id) {
    case 1:
        f->bytes = ben(v, len);
        *have_delta = true;
        break;
    case 2:
        f->packets = ben(v, len);
        break;
    case 85:
        if (!*have_delta)
            f->bytes = ben(v, len);
        break;
    case 86:
        if (!f->packets)
            f->packets = ben(v, len);
        break;
    case 4:
        f->proto = (uint8_t)ben(v, len);
        break;
    case 6:
        f->tcp_flags = (uint8_t)ben(v, len);
        break;
    case 7:
        f->src_port = (uint16_t)ben(v, len);
        break;
    case 11:
        f->dst_port = (uint16_t)ben(v, len);
        break;
    case 8:
    case 12:
        if (len == 4) {
            memcpy(tf->id == 8 ? f->src : f->dst, v, 4);
            if (!f->ip_version)
                f->ip_version = 4;
        }
        break;
    case 27:
    case 28:
        if (len == 16) {
            memcpy(tf->id == 27 ? f->src : f->dst, v, 16);
            f->ip_version = 6;
        }
        break;
    case 10:
        f->in_if = (uint32_t)ben(v, len);
        break;
    case 14:
        f->out_if = (uint32_t)ben(v, len);
        break;
    case 22:
        *first_up = (int64_t)ben(v, len);
        break;
    case 21:
        *last_up = (int64_t)ben(v, len);
        break;
    case 150:
        f->start_ms = (int64_t)ben(v, len) * 1000;
        break;
    case 151:
        f->end_ms = (int64_t)ben(v, len) * 1000;
        break;
    case 152:
        f->start_ms = (int64_t)ben(v, len);
        break;
    case 153:
        f->end_ms = (int64_t)ben(v, len);
        break;
    default:
        break;
    }
}

/*
 * Reads the data records of one set body b[0..n) with template tp. Returns the flows
 * given to fn; a record cut short ends the set (the rest is padding or damage).
 */
static int read_data(const struct template *tp, unsigned version, uint32_t domain, int64_t now_ms,
                     uint32_t uptime, const uint8_t *b, size_t n, netflow_flow_fn fn, void *ctx,
                     struct netflow_stats *st)
{
    int flows = 0;
    size_t off = 0;
    for (;;) {
        struct netflow_flow f = {.version = version, .domain = domain};
        int64_t first_up = -1, last_up = -1;
        bool have_delta = false, whole = true;
        size_t start = off;
        for (unsigned i = 0; i < tp->nfields && whole; i++) {
            size_t len = tp->f[i].len;
            if (len == 65535) { /* IPFIX variable length */
                if (off >= n) {
                    whole = false;
                    break;
                }
                len = b[off++];
                if (len == 255) {
                    if (n - off < 2) {
                        whole = false;
                        break;
                    }
                    len = be16(b + off);
                    off += 2;
                }
            }
            if (n - off < len) {
                whole = false;
                break;
            }
            if (!tp->options)
                set_field(&f, &tp->f[i], b + off, len, &first_up, &last_up, &have_delta);
            off += len;
        }
        if (!whole || off == start)
            break;
        if (tp->options)
            continue;
        if (version == 9) {
            if (first_up >= 0)
                f.start_ms = now_ms - (int64_t)(uint32_t)(uptime - (uint32_t)first_up);
            if (last_up >= 0)
                f.end_ms = now_ms - (int64_t)(uint32_t)(uptime - (uint32_t)last_up);
        }
        fn(ctx, &f);
        st->flows++;
        flows++;
    }
    return flows;
}

/* ---- v9 and IPFIX --------------------------------------------------------------- */

static int parse_sets(struct netflow_templates *t, uint64_t exporter, unsigned version,
                      const uint8_t *p, size_t n, netflow_flow_fn fn, void *ctx,
                      struct netflow_stats *st)
{
    size_t hdr = version == 9 ? 20 : 16;
    if (n < hdr)
        return -1;
    uint32_t uptime = 0, domain;
    int64_t now_ms;
    if (version == 9) {
        uptime = be32(p + 4);
        now_ms = (int64_t)be32(p + 8) * 1000;
        domain = be32(p + 16);
    } else {
        size_t len = be16(p + 2);
        if (len < 16 || len > n)
            return -1;
        n = len; /* bytes past the message length are not the message's */
        now_ms = (int64_t)be32(p + 4) * 1000;
        domain = be32(p + 12);
    }
    int flows = 0;
    for (size_t off = hdr; n - off >= 4;) {
        uint16_t id = be16(p + off), len = be16(p + off + 2);
        if (len < 4 || len > n - off) {
            st->malformed++;
            break;
        }
        const uint8_t *b = p + off + 4;
        size_t bn = (size_t)len - 4;
        off += len;
        bool tmpl = version == 9 ? id == 0 : id == 2;
        bool opts = version == 9 ? id == 1 : id == 3;
        if (tmpl || opts) {
            if (!read_templates(t, exporter, version, domain, b, bn, opts, st))
                st->malformed++;
        } else if (id >= 256) {
            const struct template *tp = tfind(t, tkey(exporter, version, domain, id));
            if (!tp) {
                st->no_template++;
                continue;
            }
            flows += read_data(tp, version, domain, now_ms, uptime, b, bn, fn, ctx, st);
        }
    }
    return flows;
}

/* See netflow.h. */
int netflow_parse(struct netflow_templates *t, uint64_t exporter, const uint8_t *p, size_t n,
                  netflow_flow_fn fn, void *ctx, struct netflow_stats *st)
{
    st->packets++;
    int rc = -1;
    if (n >= 2) {
        unsigned version = be16(p);
        if (version == 5)
            rc = parse_v5(p, n, fn, ctx, st);
        else if (version == 9 || version == 10)
            rc = parse_sets(t, exporter, version, p, n, fn, ctx, st);
    }
    if (rc < 0)
        st->malformed++;
    return rc;
}
