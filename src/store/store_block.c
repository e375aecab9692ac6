/*
 * store_block.c — blocks of records: packing a block's records with zstd for the
 * blocks table, and reading a block (packed from blocks, or the plain records of the
 * tail table) back into an index of its records.
 *
 * Why blocks: one SQLite row and a few index documents per ~2000 events instead of one
 * of each per event is what lets one writer thread store well over 100k events/s
 * (a B-tree insert per event and per index was the cost), and zstd over a block of
 * similar lines stores each event in a fraction of its size.
 *
 * What is read from disk is untrusted: the unpacked size is bounded by
 * STORE_BLOCK_MAX_RAW before anything is allocated, and a record that does not decode
 * ends the block with ERR_PARSE.
 */
#include "store/store_int.h"

#include <string.h>
#include <zstd.h>

#define ZSTD_LEVEL 1 /* level 3 packs ~10% smaller at half the speed (bench_store) */

/* See store_int.h. */
void store_block_init(struct store_block *b)
{
    memset(b, 0, sizeof *b);
    buf_init(&b->recs, STORE_BLOCK_MAX_RAW);
}

/* See store_int.h. */
void store_block_fini(struct store_block *b)
{
    buf_fini(&b->recs);
    mem_free(b->offs);
    ZSTD_freeDCtx(b->dctx);
    memset(b, 0, sizeof *b);
}

/* See store_int.h. */
int store_block_index(struct store_block *b)
{
    b->n = 0;
    size_t i = 0;
    while (i < b->recs.len) {
        struct store_rec r;
        size_t used;
        if (store_rec_decode(b->recs.p + i, b->recs.len - i, &used, &r))
            return ERR_PARSE;
        if (b->n == b->cap) {
            size_t nc = b->cap ? b->cap * 2 : 1024;
            uint32_t *no = mem_realloc(b->offs, nc * sizeof *no);
            if (!no)
                return ERR_NOMEM;
            b->offs = no;
            b->cap = nc;
        }
        b->offs[b->n++] = (uint32_t)i;
        i += used;
    }
    return 0;
}

/* See store_int.h. */
int store_block_unpack(struct store_block *b, const void *packed, size_t n)
{
    buf_reset(&b->recs);
    b->n = 0;
    unsigned long long size = ZSTD_getFrameContentSize(packed, n);
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN ||
        size > STORE_BLOCK_MAX_RAW)
        return ERR_PARSE;
    if (!b->dctx && !(b->dctx = ZSTD_createDCtx()))
        return ERR_NOMEM;
    if (buf_reserve(&b->recs, (size_t)size))
        return b->recs.err;
    size_t got = size ? ZSTD_decompressDCtx(b->dctx, b->recs.p, (size_t)size, packed, n) : 0;
    if (ZSTD_isError(got) || got != size)
        return ERR_PARSE;
    b->recs.len = got;
    return store_block_index(b);
}

/* See store_int.h. */
int store_block_rec(const struct store_block *b, size_t i, struct store_rec *r)
{
    if (i >= b->n)
        return ERR_INVAL;
    size_t off = b->offs[i], used;
    return store_rec_decode(b->recs.p + off, b->recs.len - off, &used, r);
}

/* See store_int.h. */
int store_block_pack(void **cctx, const char *recs, size_t n, struct buf *out)
{
    if (!*cctx && !(*cctx = ZSTD_createCCtx()))
        return ERR_NOMEM;
    size_t bound = ZSTD_compressBound(n);
    buf_reset(out);
    if (buf_reserve(out, bound))
        return out->err;
    size_t got = ZSTD_compressCCtx(*cctx, out->p, bound, recs, n, ZSTD_LEVEL);
    if (ZSTD_isError(got))
        return ERR_INVAL;
    out->len = got;
    return 0;
}

/* See store_int.h. */
void store_block_free_cctx(void *cctx)
{
    ZSTD_freeCCtx(cctx);
}
