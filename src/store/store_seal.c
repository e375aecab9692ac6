/*
 * store_seal.c — sealing the writer's open block: its records packed into one row of
 * `blocks`, its events cut into slices of event time, and each slice's distinct terms
 * written as one document of blocks_fts (store_terms.c).
 *
 * Why slices: a search pages newest first by event time and stops once the next
 * candidate cannot hold anything newer than its page. A block of live traffic spans
 * seconds, but one stray event (a device clock years off, a record without a time,
 * which takes its time of receipt, a late file) would stretch its span over years and
 * make the block a candidate for every page. Cutting the block at its widest gaps
 * (at least STORE_SLICE_GAP_NS, at most STORE_BLOCK_SLICES slices) and indexing each
 * slice alone keeps every candidate's span tight and its terms its own.
 */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

static int by_time(const void *a, const void *b)
{
    const struct store_seal_rec *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return (x->off > y->off) - (x->off < y->off);
}

static int by_size(const void *a, const void *b)
{
    const int64_t *x = a, *y = b; /* {gap, position} pairs, widest first */
    return (x[0] < y[0]) - (x[0] > y[0]);
}

static int by_pos(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b;
    return (*x > *y) - (*x < *y);
}

/* The open block's records, in st->seal, sorted by event time. */
static int order_records(struct store *st, const struct store_open_block *o)
{
    if (st->sealcap < o->count) {
        struct store_seal_rec *p = mem_realloc(st->seal, o->count * sizeof *p);
        if (!p)
            return ERR_NOMEM;
        st->seal = p;
        st->sealcap = o->count;
    }
    size_t n = 0;
    for (size_t i = 0; i < o->recs.len && n < o->count;) {
        struct store_rec r;
        size_t used;
        if (store_rec_decode(o->recs.p + i, o->recs.len - i, &used, &r))
            return ERR_PARSE;
        st->seal[n++] = (struct store_seal_rec){r.time_ns, (uint32_t)i};
        i += used;
    }
    if (n != o->count)
        return ERR_PARSE;
    qsort(st->seal, n, sizeof *st->seal, by_time);
    return 0;
}

/*
 * Where the sorted records are cut: the starts of slices 1.. (ascending) into cuts;
 * returns their number. The widest gaps of at least STORE_SLICE_GAP_NS win.
 */
static unsigned choose_cuts(const struct store_seal_rec *recs, size_t n,
                            uint32_t cuts[STORE_BLOCK_SLICES - 1])
{
    int64_t gaps[2 * STORE_BLOCK_EVENTS];
    size_t ngaps = 0;
    for (size_t i = 1; i < n && ngaps < STORE_BLOCK_EVENTS; i++) {
        /* times are sorted: the difference of two int64 may still overflow */
        uint64_t gap = (uint64_t)recs[i].time - (uint64_t)recs[i - 1].time;
        if (gap >= (uint64_t)STORE_SLICE_GAP_NS) {
            gaps[2 * ngaps] = gap > INT64_MAX ? INT64_MAX : (int64_t)gap;
            gaps[2 * ngaps + 1] = (int64_t)i;
            ngaps++;
        }
    }
    qsort(gaps, ngaps, 2 * sizeof gaps[0], by_size);
    unsigned k = 0;
    for (; k < ngaps && k < STORE_BLOCK_SLICES - 1; k++)
        cuts[k] = (uint32_t)gaps[2 * k + 1];
    qsort(cuts, k, sizeof cuts[0], by_pos);
    return k;
}

/* The terms of records [from, to) of st->seal into st->doc. */
static int slice_doc(struct store *st, const struct store_open_block *o, size_t from, size_t to)
{
    if (!st->terms && store_terms_new(&st->terms))
        return ERR_NOMEM;
    struct store_terms *t = st->terms;
    store_terms_reset(t);
    int rc = 0;
    for (size_t i = from; i < to && rc == 0; i++) {
        struct store_rec r;
        size_t used, off = st->seal[i].off;
        rc = store_rec_decode(o->recs.p + off, o->recs.len - off, &used, &r);
        if (rc)
            break;
        rc = store_terms_add_text(t, r.text.p, r.text.len);
        for (unsigned k = 0; rc == 0 && k < r.nfields; k++)
            rc = store_terms_add_field(t, r.names[k], r.values[k]);
        /* an alias is searched as its target's values: index them under its name */
        for (unsigned a = 0; rc == 0 && a < r.naliases; a++)
            for (unsigned k = 0; rc == 0 && k < r.nfields; k++)
                if (slice_eqs(r.names[k], r.targets[a]))
                    rc = store_terms_add_field(t, r.aliases[a], r.values[k]);
        if (rc == 0)
            rc = store_terms_add_field(t, SLICE_LIT("decoder"), r.decoder);
    }
    return rc ? rc : store_terms_doc(t, &st->doc);
}

static int put_slice(struct store *st, struct store_day *d, unsigned k, size_t from, size_t to)
{
    int rc = slice_doc(st, &d->open, from, to);
    if (rc)
        return rc;
    int64_t id = d->open.id * STORE_BLOCK_SLICES + k;
    sqlite3_stmt *s = d->ins_slice;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, st->seal[from].time);
    sqlite3_bind_int64(s, 3, st->seal[to - 1].time);
    sqlite3_bind_int64(s, 4, (sqlite3_int64)(to - from));
    if (store_step_done(s))
        return ERR_DB;
    sqlite3_bind_int64(d->ins_fts, 1, id);
    sqlite3_bind_text(d->ins_fts, 2, st->doc.p ? st->doc.p : "", (int)st->doc.len, SQLITE_STATIC);
    return store_step_done(d->ins_fts);
}

/* See store_int.h. */
int store_seal(struct store *st, struct store_day *d)
{
    struct store_open_block *o = &d->open;
    if (o->count == 0)
        return 0;
    int rc = store_block_pack(&st->cctx, o->recs.p, o->recs.len, &st->packed);
    if (rc == 0)
        rc = order_records(st, o);
    if (rc)
        return rc;
    sqlite3_stmt *s = d->ins_block;
    sqlite3_bind_int64(s, 1, o->id);
    sqlite3_bind_int64(s, 2, o->count);
    sqlite3_bind_blob(s, 3, st->packed.p, (int)st->packed.len, SQLITE_STATIC);
    if (store_step_done(s))
        return ERR_DB;
    uint32_t cuts[STORE_BLOCK_SLICES - 1];
    unsigned ncuts = choose_cuts(st->seal, o->count, cuts);
    size_t from = 0;
    for (unsigned k = 0; k <= ncuts && rc == 0; k++) {
        size_t to = k < ncuts ? cuts[k] : o->count;
        rc = put_slice(st, d, k, from, to);
        from = to;
    }
    if (rc)
        return rc;
    sqlite3_bind_int64(d->del_tail, 1, o->id);
    if (store_step_done(d->del_tail))
        return ERR_DB;
    store_open_reset(o, o->id + 1);
    return 0;
}
