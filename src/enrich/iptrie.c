/*
 * iptrie.c — address parsing and the prefix trie (iptrie.h). Nodes live in one growing
 * array and name their children by index, so the trie is two allocations' worth of
 * pointers-free memory. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are IPv4.
 */
#include "enrich/iptrie.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

static int new_node(struct iptrie *t, uint32_t *out)
{
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 1024;
        if (nc > UINT32_MAX)
            return ERR_NOMEM;
        struct iptrie_node *n = mem_realloc(t->nodes, nc * sizeof *n);
        if (!n)
            return ERR_NOMEM;
        t->nodes = n;
        t->cap = nc;
    }
    t->nodes[t->n] = (struct iptrie_node){{0, 0}, -1};
    *out = (uint32_t)t->n++;
    return 0;
}

/* See iptrie.h. */
int iptrie_init(struct iptrie *t)
{
    memset(t, 0, sizeof *t);
    if (new_node(t, &t->root4) || new_node(t, &t->root6)) {
        iptrie_fini(t);
        return ERR_NOMEM;
    }
    return 0;
}

/* See iptrie.h. */
void iptrie_fini(struct iptrie *t)
{
    mem_free(t->nodes);
    mem_free(t->v4_node);
    mem_free(t->v4_best);
    memset(t, 0, sizeof *t);
}

/* See iptrie.h. */
size_t iptrie_nodes(const struct iptrie *t)
{
    return t->n;
}

static unsigned bit_at(const uint8_t *b, unsigned i)
{
    return (b[i / 8] >> (7 - i % 8)) & 1;
}

/* See iptrie.h. */
int iptrie_insert(struct iptrie *t, const struct ipbits *a, unsigned prefix, int32_t v)
{
    if (t->v4_node) {
        mem_free(t->v4_node);
        mem_free(t->v4_best);
        t->v4_node = NULL;
        t->v4_best = NULL;
    }
    uint32_t n = a->bits == 32 ? t->root4 : t->root6;
    for (unsigned i = 0; i < prefix; i++) {
        unsigned d = bit_at(a->b, i);
        if (!t->nodes[n].child[d]) {
            uint32_t c;
            int rc = new_node(t, &c);
            if (rc)
                return rc;
            t->nodes[n].child[d] = c;
        }
        n = t->nodes[n].child[d];
    }
    if (t->nodes[n].value >= 0)
        return ERR_EXISTS;
    t->nodes[n].value = v;
    return 0;
}

/* Fills the shortcut under node n at depth d (prefix bits `top` so far). */
static void fill(struct iptrie *t, uint32_t n, unsigned d, uint32_t top, int32_t best)
{
    if (n && t->nodes[n].value >= 0)
        best = t->nodes[n].value;
    if (d == 16 || !n) {
        uint32_t lo = top << (16 - d), cnt = 1u << (16 - d);
        for (uint32_t i = 0; i < cnt; i++) {
            t->v4_node[lo + i] = n;
            t->v4_best[lo + i] = best;
        }
        return;
    }
    fill(t, t->nodes[n].child[0], d + 1, top << 1, best);
    fill(t, t->nodes[n].child[1], d + 1, top << 1 | 1, best);
}

/* See iptrie.h. */
int iptrie_seal(struct iptrie *t)
{
    if (t->n < IPTRIE_SEAL_MIN_NODES || t->v4_node)
        return 0;
    t->v4_node = mem_alloc(65536 * sizeof *t->v4_node);
    t->v4_best = mem_alloc(65536 * sizeof *t->v4_best);
    if (!t->v4_node || !t->v4_best) {
        mem_free(t->v4_node);
        mem_free(t->v4_best);
        t->v4_node = NULL;
        t->v4_best = NULL;
        return ERR_NOMEM;
    }
    /* node 0 is the IPv4 root, never a child: 0 below it means "no node" */
    int32_t best = t->nodes[t->root4].value;
    fill(t, t->nodes[t->root4].child[0], 1, 0, best);
    fill(t, t->nodes[t->root4].child[1], 1, 1, best);
    return 0;
}

/* See iptrie.h. */
int32_t iptrie_lookup(const struct iptrie *t, const struct ipbits *a)
{
    if (!t->nodes)
        return -1;
    uint32_t n = a->bits == 32 ? t->root4 : t->root6;
    int32_t best = t->nodes[n].value;
    unsigned from = 0;
    if (a->bits == 32 && t->v4_node) {
        unsigned k = (unsigned)a->b[0] << 8 | a->b[1];
        best = t->v4_best[k];
        if (!(n = t->v4_node[k]))
            return best;
        from = 16;
    }
    for (unsigned i = from; i < a->bits; i++) {
        n = t->nodes[n].child[bit_at(a->b, i)];
        if (!n)
            break;
        if (t->nodes[n].value >= 0)
            best = t->nodes[n].value;
    }
    return best;
}

/* s (a NUL-terminated string) into *a. */
static bool parse_z(const char *s, struct ipbits *a)
{
    if (strchr(s, ':')) {
        if (inet_pton(AF_INET6, s, a->b) != 1)
            return false;
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (!memcmp(a->b, mapped, 12)) {
            memmove(a->b, a->b + 12, 4);
            a->bits = 32;
        } else {
            a->bits = 128;
        }
        return true;
    }
    if (inet_pton(AF_INET, s, a->b) != 1)
        return false;
    a->bits = 32;
    return true;
}

/* See iptrie.h. */
bool ip_parse(struct slice s, struct ipbits *a)
{
    char buf[64];
    if (s.len == 0 || s.len >= sizeof buf)
        return false;
    memcpy(buf, s.p, s.len);
    buf[s.len] = '\0';
    return parse_z(buf, a);
}

/* See iptrie.h. */
bool ip_parse_cidr(struct slice s, struct ipbits *a, unsigned *prefix)
{
    char buf[64];
    if (s.len == 0 || s.len >= sizeof buf)
        return false;
    memcpy(buf, s.p, s.len);
    buf[s.len] = '\0';
    if (strlen(buf) != s.len)
        return false;
    char *slash = strchr(buf, '/');
    long pl = -1;
    if (slash) {
        *slash = '\0';
        char *end;
        if (!slash[1] || slash[1] < '0' || slash[1] > '9' || strlen(slash + 1) > 3)
            return false;
        pl = strtol(slash + 1, &end, 10);
        if (*end)
            return false;
    }
    bool was_v6 = strchr(buf, ':') != NULL;
    if (!parse_z(buf, a))
        return false;
    if (pl >= 0 && was_v6 && a->bits == 32) /* ::ffff:a.b.c.d/n: n counts the 96 bits before */
        pl = pl >= 96 ? pl - 96 : -2;
    if (pl == -2 || pl > (long)a->bits)
        return false;
    *prefix = pl < 0 ? a->bits : (unsigned)pl;
    return true;
}

/* See iptrie.h. */
bool ip_is_public(const struct ipbits *a)
{
    const uint8_t *b = a->b;
    if (a->bits == 32) {
        switch (b[0]) {
        case 0:   /* this network */
        case 10:  /* RFC 1918 */
        case 127: /* loopback */
            return false;
        case 100:
            return (b[1] & 0xc0) != 64; /* 100.64/10 CGNAT */
        case 169:
            return b[1] != 254; /* link-local */
        case 172:
            return (b[1] & 0xf0) != 16; /* 172.16/12 */
        case 192:
            if (b[1] == 168)
                return false;
            if (b[1] == 0 && (b[2] == 0 || b[2] == 2)) /* 192.0.0/24, TEST-NET-1 */
                return false;
            return true;
        case 198:
            if ((b[1] & 0xfe) == 18) /* 198.18/15 benchmarking */
                return false;
            return !(b[1] == 51 && b[2] == 100); /* TEST-NET-2 */
        case 203:
            return !(b[1] == 0 && b[2] == 113); /* TEST-NET-3 */
        default:
            return b[0] < 224; /* multicast, reserved, broadcast */
        }
    }
    if ((b[0] & 0xe0) != 0x20) /* only 2000::/3 is global unicast */
        return false;
    return !(b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8); /* 2001:db8::/32 */
}
