/*
 * iptrie.h — addresses and networks as bits (IPv4 and IPv6): parsing, the private /
 * loopback / link-local test, and a binary trie from prefix bits to a value, so a lookup
 * walks at most 32 or 128 bits and returns the value of the longest prefix holding the
 * address. Used by the asset inventory (assets.c) and the named lists (lists.c). Built
 * once, read-only after: any number of threads look up at once.
 */
#ifndef VIGIL_IPTRIE_H
#define VIGIL_IPTRIE_H

#include "core/core.h"

struct iptrie_node {
    uint32_t child[2]; /* 0: none (the roots are never children) */
    int32_t value;     /* -1: no entry ends here */
};

struct iptrie {
    struct iptrie_node *nodes;
    size_t n, cap;
    uint32_t root4, root6;
    /* after iptrie_seal of a large trie: by an IPv4 address's first 16 bits, the node at
     * depth 16 (0: none) and the value of the longest prefix up to it, so a lookup skips
     * the 16 upper levels (the cache misses of a trie of many networks) */
    uint32_t *v4_node;
    int32_t *v4_best;
};

#define IPTRIE_SEAL_MIN_NODES 4096 /* smaller tries are walked from the root */

/* An address as bits: b[0..bits/8), bits 32 (IPv4, also IPv4-mapped IPv6) or 128. */
struct ipbits {
    uint8_t b[16];
    unsigned bits;
};

/* Starts t empty (two roots). ERR_NOMEM. */
int iptrie_init(struct iptrie *t);
/* Frees what t owns. */
void iptrie_fini(struct iptrie *t);
/* Sets the value of the network a/prefix to v (>= 0). ERR_EXISTS when it has one already,
 * ERR_NOMEM. */
int iptrie_insert(struct iptrie *t, const struct ipbits *a, unsigned prefix, int32_t v);
/* Done inserting: builds the IPv4 shortcut of a trie of IPTRIE_SEAL_MIN_NODES nodes or
 * more (512 KiB). ERR_NOMEM (the trie still works, without it). An insert after it drops
 * the shortcut. */
int iptrie_seal(struct iptrie *t);
/* The value of the longest prefix holding a, or -1. */
int32_t iptrie_lookup(const struct iptrie *t, const struct ipbits *a);
/* Nodes in t (its memory is this x sizeof(struct iptrie_node)). */
size_t iptrie_nodes(const struct iptrie *t);

/* An IPv4 or IPv6 address (text, no prefix) into *a; false when it is none. */
bool ip_parse(struct slice s, struct ipbits *a);
/* An address or a CIDR network ("10.0.0.0/8", "2001:db8::/32", "::ffff:10.0.0.0/104") into
 * *a and *prefix (bits for a plain address); false when it is none. */
bool ip_parse_cidr(struct slice s, struct ipbits *a, unsigned *prefix);
/* True when a is routed on the Internet as far as a lookup cares: not private (RFC 1918,
 * fc00::/7), loopback, link-local, unspecified, CGNAT (100.64/10), multicast or
 * documentation ranges. */
bool ip_is_public(const struct ipbits *a);

#endif
