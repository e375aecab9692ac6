/*
 * detect_memo.c — the per-thread memo of value scans (see detect_memo.h).
 *
 * Offsets in the ring are absolute (they only grow); a byte at offset x lives at
 * x mod the ring's size. A record [at, at + its size) is intact while nothing beyond
 * at + size has been written, which `written` (the furthest byte ever written) tells.
 * A record starts where it fits whole before the ring's end, so it is one run of bytes:
 * the value, padded to 8, then its targets.
 */
#include "detect/detect_memo.h"

#include <string.h>

struct memo_slot {
    uint64_t hash;
    uint64_t at;   /* where its record starts */
    uint32_t scan; /* scan number + 1; 0: empty */
    uint32_t len;  /* of the value */
    uint32_t ntargets;
};

struct scan_memo {
    struct memo_slot *slot;
    uint64_t mask; /* slots - 1 */
    unsigned char *ring;
    uint64_t size;    /* of the ring */
    uint64_t head;    /* where the next record starts */
    uint64_t written; /* the furthest byte written, + 1 */
    /* the record being written */
    struct memo_slot cur;
    const struct target **cur_targets;
    bool recording, overflow;
    uint64_t lookups, found;
};

static size_t pad8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

/* See detect_memo.h. */
struct scan_memo *scan_memo_new(unsigned slot_bits, unsigned ring_bits)
{
    struct scan_memo *mo = mem_calloc(1, sizeof *mo);
    if (!mo)
        return NULL;
    if (ring_bits < 15)
        ring_bits = 15; /* room for the largest record */
    mo->mask = ((uint64_t)1 << slot_bits) - 1;
    mo->size = (uint64_t)1 << ring_bits;
    mo->slot = mem_calloc((size_t)mo->mask + 1, sizeof *mo->slot);
    mo->ring = mem_alloc((size_t)mo->size);
    if (!mo->slot || !mo->ring) {
        scan_memo_free(mo);
        return NULL;
    }
    return mo;
}

/* See detect_memo.h. */
void scan_memo_free(struct scan_memo *mo)
{
    if (!mo)
        return;
    mem_free(mo->slot);
    mem_free(mo->ring);
    mem_free(mo);
}

/* The memo's hash: one 64x64->128-bit multiply per 16 bytes (wyhash's folding step,
 * written here), cheaper than hash64's two per 8. It needs no resistance to chosen
 * inputs: a collision only costs a memcmp, and colliding values only share a slot. */
static uint64_t fold_mul(uint64_t a, uint64_t b)
{
    __extension__ typedef unsigned __int128 u128;
    u128 r = (u128)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static uint64_t load64(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

static uint64_t load32(const unsigned char *p)
{
    uint32_t w;
    memcpy(&w, p, 4);
    return w;
}

/* See detect_memo.h. */
uint64_t scan_memo_hash(uint32_t scan, struct slice v)
{
    const uint64_t k0 = 0xa0761d6478bd642fULL, k1 = 0xe7037ed1a0b428dbULL,
                   k2 = 0x8ebc6af09c88c6e3ULL;
    const unsigned char *p = (const unsigned char *)v.p;
    size_t n = v.len;
    uint64_t h = k0 ^ scan ^ ((uint64_t)n << 32), a = 0, b = 0;
    for (; n > 16; p += 16, n -= 16)
        h = fold_mul(load64(p) ^ k1, load64(p + 8) ^ h);
    if (n >= 8) { /* the last 8..16 bytes, as two words that may overlap */
        a = load64(p);
        b = load64(p + n - 8);
    } else if (n >= 4) {
        a = load32(p);
        b = load32(p + n - 4);
    } else if (n > 0) {
        a = ((uint64_t)p[0] << 16) | ((uint64_t)p[n / 2] << 8) | p[n - 1];
    }
    return fold_mul(a ^ k1 ^ h, b ^ k2 ^ v.len);
}

/* See detect_memo.h. */
int scan_memo_find(struct scan_memo *mo, uint64_t hash, uint32_t scan, struct slice v,
                   const struct target *const **targets)
{
    const struct memo_slot *e = &mo->slot[hash & mo->mask];
    mo->lookups++;
    if (e->scan != scan + 1 || e->hash != hash || e->len != v.len || mo->written > e->at + mo->size)
        return -1;
    const unsigned char *rec = mo->ring + (e->at & (mo->size - 1));
    if (memcmp(rec, v.p, v.len) != 0)
        return -1;
    mo->found++;
    *targets = (const struct target *const *)(const void *)(rec + pad8(v.len));
    return (int)e->ntargets;
}

/* See detect_memo.h. */
bool scan_memo_start(struct scan_memo *mo, uint64_t hash, uint32_t scan, struct slice v)
{
    mo->recording = false;
    if (v.len > MEMO_VALUE_MAX)
        return false;
    size_t most = pad8(v.len) + MEMO_TARGETS * sizeof(const struct target *);
    uint64_t in = mo->head & (mo->size - 1);
    if (in + most > mo->size)
        mo->head += mo->size - in; /* to the ring's start */
    unsigned char *rec = mo->ring + (mo->head & (mo->size - 1));
    memcpy(rec, v.p, v.len);
    mo->cur = (struct memo_slot){hash, mo->head, scan + 1, (uint32_t)v.len, 0};
    mo->cur_targets = (const struct target **)(void *)(rec + pad8(v.len));
    if (mo->written < mo->head + v.len)
        mo->written = mo->head + v.len;
    mo->recording = true;
    mo->overflow = false;
    return true;
}

/* See detect_memo.h. */
void scan_memo_add(struct scan_memo *mo, const struct target *t)
{
    uint32_t n = mo->cur.ntargets;
    if (!mo->recording || (n && mo->cur_targets[n - 1] == t))
        return; /* a repeat right after itself (a literal found twice): once is enough */
    if (n == MEMO_TARGETS) {
        mo->overflow = true;
        return;
    }
    mo->cur_targets[n] = t;
    mo->cur.ntargets = n + 1;
    uint64_t end = mo->cur.at + pad8(mo->cur.len) + (uint64_t)(n + 1) * sizeof t;
    if (mo->written < end)
        mo->written = end;
}

/* See detect_memo.h. */
void scan_memo_end(struct scan_memo *mo, bool ok)
{
    if (!mo->recording)
        return;
    mo->recording = false;
    if (!ok || mo->overflow)
        return;
    mo->head = mo->cur.at + pad8(mo->cur.len) + (uint64_t)mo->cur.ntargets * sizeof(void *);
    mo->slot[mo->cur.hash & mo->mask] = mo->cur;
}

/* See detect_memo.h. */
void scan_memo_forget(struct scan_memo *mo)
{
    memset(mo->slot, 0, ((size_t)mo->mask + 1) * sizeof *mo->slot);
    mo->recording = false;
}

/* See detect_memo.h. */
void scan_memo_counts(const struct scan_memo *mo, uint64_t *lookups, uint64_t *found)
{
    *lookups = mo->lookups;
    *found = mo->found;
}
