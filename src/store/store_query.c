/*
 * store_query.c — runs a compiled query over the day files for `vigil search` and the
 * console: newest first by (event time, id), paged by a (time, id) cursor, and counts.
 *
 * A day file holds the events *received* that day, whose event times may be anything,
 * so files are pruned by the min/max event time kept in their meta table, never by
 * their name. Each query opens its own read-only connections (WAL readers never block
 * the writer), so any thread may search while the writer writes.
 *
 * The candidates are slices of blocks (store_seal.c): those of each file whose terms
 * satisfy the query's prefilter (store_prefilter.c; every slice when it has none) and
 * whose event time span meets the time range and cursor, plus each file's open tail.
 * They are read newest span first, every record of the slice verified exactly
 * (store_filter.c), and the reading stops once the page is full and the next slice's
 * newest event is older than the page's oldest: blocks follow receipt and slices are
 * cut where times jump, so spans barely overlap and a page costs a few blocks. Two passes keep
 * memory bounded by the page: pass one keeps the (time, id, block, record) keys of the best `limit`
 * matches; pass two reads those records again (from a small cache of unpacked blocks) and hands
 * them out in order. Each file is read in one read transaction, so both passes see the same
 * snapshot while the writer goes on.
 */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#define CACHE_BLOCKS 4  /* unpacked blocks kept while a page is read */
#define TAIL_BLOCK (-1) /* a candidate standing for a file's tail rows */

struct qfile {
    int64_t day;
    sqlite3 *db;
    sqlite3_stmt *get_block;
    int64_t min_t, max_t;
    bool has_meta;
};

/* A candidate slice: the records of a block within a time span. */
struct qcand {
    unsigned file;
    int64_t block;        /* id in blocks, or TAIL_BLOCK */
    int64_t min_t, max_t; /* the slice's event time span */
    int64_t count;
};

struct qkey {
    int64_t time;
    uint64_t id;
    size_t cand;
    uint32_t rec;
};

struct qcache {
    struct store_block b;
    unsigned file;
    int64_t block;
    bool full;
    uint64_t used;
};

struct qrun {
    struct store *st;
    const struct store_query *q;
    struct store_filter filter;
    struct buf fts; /* the prefilter's FTS5 expression; empty = none */
    struct qfile *files;
    size_t nfiles;
    struct qcand *cands;
    size_t ncands, capc;
    struct qcache cache[CACHE_BLOCKS];
    uint64_t clock;
    struct buf sql, strs, fields;
};

/* Orders keys newest first: time, then id, descending. */
static int key_cmp(const void *a, const void *b)
{
    const struct qkey *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? 1 : -1;
    if (x->id != y->id)
        return x->id < y->id ? 1 : -1;
    return 0;
}

/* Orders candidates newest span first. */
static int cand_cmp(const void *a, const void *b)
{
    const struct qcand *x = a, *y = b;
    if (x->max_t != y->max_t)
        return x->max_t < y->max_t ? 1 : -1;
    return (x->min_t < y->min_t) - (x->min_t > y->min_t);
}

/* 0 for a file of the current schema; ERR_NOTFOUND for one the writer is creating
 * (version 0: no events yet); ERR_DB for any other version (not migrated yet). */
static int check_version(sqlite3 *db)
{
    sqlite3_stmt *s = NULL;
    int rc = ERR_DB;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
        int v = sqlite3_column_int(s, 0);
        rc = v == store_schema_current(STORE_FILE_DAY) ? 0 : v == 0 ? ERR_NOTFOUND : ERR_DB;
    }
    sqlite3_finalize(s);
    return rc;
}

static void read_meta(struct qfile *f)
{
    sqlite3_stmt *s = NULL;
    f->min_t = INT64_MIN;
    f->max_t = INT64_MAX;
    int seen = 0;
    if (sqlite3_prepare_v2(f->db, "SELECT key, value FROM meta", -1, &s, NULL) == SQLITE_OK) {
        while (sqlite3_step(s) == SQLITE_ROW) {
            const char *k = (const char *)sqlite3_column_text(s, 0);
            if (k && !strcmp(k, "min_time")) {
                f->min_t = sqlite3_column_int64(s, 1);
                seen |= 1;
            } else if (k && !strcmp(k, "max_time")) {
                f->max_t = sqlite3_column_int64(s, 1);
                seen |= 2;
            }
        }
    }
    sqlite3_finalize(s);
    f->has_meta = seen == 3;
}

/* True when the file cannot hold an event of the query's time range and cursor. */
static bool prune(const struct qfile *f, const struct store_query *q)
{
    if (!f->has_meta)
        return true; /* meta is written with the first events: no meta, no events */
    if (q->from_ns && f->max_t < q->from_ns)
        return true;
    if (q->to_ns && f->min_t >= q->to_ns)
        return true;
    if (q->after.valid && f->min_t > q->after.time_ns)
        return true;
    return false;
}

static void close_files(struct qrun *r)
{
    for (size_t i = 0; i < r->nfiles; i++) {
        sqlite3_finalize(r->files[i].get_block);
        sqlite3_exec(r->files[i].db, "COMMIT", NULL, NULL, NULL);
        sqlite3_close(r->files[i].db);
    }
    mem_free(r->files);
    r->files = NULL;
    r->nfiles = 0;
}

/* Opens the day files that may hold matches, each in a read transaction. */
static int open_files(struct qrun *r)
{
    int64_t *days;
    size_t n;
    int rc = store_list_days(r->st->dir, &days, &n);
    if (rc)
        return rc;
    if (n == 0)
        return 0;
    r->files = mem_calloc(n, sizeof *r->files);
    if (!r->files) {
        mem_free(days);
        return ERR_NOMEM;
    }
    struct buf path;
    buf_init(&path, 4096);
    for (size_t i = 0; i < n; i++) {
        struct qfile *f = &r->files[r->nfiles];
        memset(f, 0, sizeof *f);
        f->day = days[i];
        rc = store_day_path(r->st->dir, days[i], &path);
        if (rc)
            break;
        rc = store_db_open(path.p, false, true, &f->db);
        if (rc == ERR_NOTFOUND) { /* deleted by retention meanwhile */
            rc = 0;
            continue;
        }
        if (rc)
            break;
        rc = check_version(f->db);
        if (rc) {
            sqlite3_close(f->db);
            if (rc != ERR_NOTFOUND)
                break;
            rc = 0;
            continue;
        }
        if (sqlite3_exec(f->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
            sqlite3_close(f->db);
            rc = ERR_DB;
            break;
        }
        read_meta(f);
        if (prune(f, r->q)) {
            sqlite3_exec(f->db, "COMMIT", NULL, NULL, NULL);
            sqlite3_close(f->db);
            f->db = NULL;
            continue;
        }
        r->nfiles++;
    }
    buf_fini(&path);
    mem_free(days);
    if (rc) {
        close_files(r);
        return rc;
    }
    return 0;
}

static int add_cand(struct qrun *r, struct qcand c)
{
    if (r->ncands == r->capc) {
        size_t nc = r->capc ? r->capc * 2 : 256;
        struct qcand *p = mem_realloc(r->cands, nc * sizeof *p);
        if (!p)
            return ERR_NOMEM;
        r->cands = p;
        r->capc = nc;
    }
    r->cands[r->ncands++] = c;
    return 0;
}

/* Adds the candidate blocks of file fi: prefilter, time range and cursor. */
static int file_cands(struct qrun *r, unsigned fi)
{
    const struct store_query *q = r->q;
    struct buf *b = &r->sql;
    buf_reset(b);
    buf_puts(b, "SELECT id, min_time, max_time, count FROM slices WHERE 1");
    if (r->fts.len)
        buf_puts(b, " AND id IN (SELECT rowid FROM blocks_fts WHERE blocks_fts MATCH ?1)");
    if (q->from_ns)
        buf_puts(b, " AND max_time >= ?2");
    if (q->to_ns)
        buf_puts(b, " AND min_time < ?3");
    if (q->after.valid)
        buf_puts(b, " AND min_time <= ?4");
    if (!buf_cstr(b))
        return ERR_NOMEM;
    sqlite3 *db = r->files[fi].db;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, b->p, (int)b->len, &s, NULL) != SQLITE_OK)
        return ERR_DB;
    if (r->fts.len)
        sqlite3_bind_text(s, 1, r->fts.p, (int)r->fts.len, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, q->from_ns);
    sqlite3_bind_int64(s, 3, q->to_ns);
    sqlite3_bind_int64(s, 4, q->after.time_ns);
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        struct qcand c = {fi, sqlite3_column_int64(s, 0) / STORE_BLOCK_SLICES,
                          sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2),
                          sqlite3_column_int64(s, 3)};
        rc = add_cand(r, c);
    }
    sqlite3_finalize(s);
    if (rc)
        return rc;
    if (step != SQLITE_DONE)
        return ERR_DB;
    /* the open block's tail rows have no terms: always a candidate when present */
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM tail", -1, &s, NULL) != SQLITE_OK)
        return ERR_DB;
    int64_t tail = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    if (tail < 0)
        return ERR_DB;
    if (tail > 0) {
        struct qcand c = {fi, TAIL_BLOCK, INT64_MIN, INT64_MAX, -1};
        rc = add_cand(r, c);
    }
    return rc;
}

static int read_block(struct qrun *r, const struct qcand *c, struct store_block *b)
{
    struct qfile *f = &r->files[c->file];
    sqlite3_stmt *s;
    int rc = 0;
    if (c->block == TAIL_BLOCK) {
        if (sqlite3_prepare_v2(f->db, "SELECT data FROM tail ORDER BY seq", -1, &s, NULL) !=
            SQLITE_OK)
            return ERR_DB;
        buf_reset(&b->recs);
        while (rc == 0 && sqlite3_step(s) == SQLITE_ROW)
            rc =
                buf_append(&b->recs, sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0));
        sqlite3_finalize(s);
        return rc ? rc : store_block_index(b);
    }
    if (!f->get_block && sqlite3_prepare_v2(f->db, "SELECT data FROM blocks WHERE id = ?1", -1,
                                            &f->get_block, NULL) != SQLITE_OK)
        return ERR_DB;
    s = f->get_block;
    sqlite3_bind_int64(s, 1, c->block);
    if (sqlite3_step(s) == SQLITE_ROW)
        rc = store_block_unpack(b, sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0));
    else
        rc = ERR_DB;
    sqlite3_reset(s);
    return rc;
}

/* True when record time t lies in the query's range and after its cursor. */
static bool in_window(const struct store_query *q, int64_t t, uint64_t id)
{
    if (q->from_ns && t < q->from_ns)
        return false;
    if (q->to_ns && t >= q->to_ns)
        return false;
    if (q->after.valid && (t > q->after.time_ns || (t == q->after.time_ns && id >= q->after.id)))
        return false;
    return true;
}

/* The block of candidate ci unpacked, from the cache when it is there. */
static int load(struct qrun *r, size_t ci, struct store_block **out)
{
    const struct qcand *c = &r->cands[ci];
    struct qcache *slot = &r->cache[0];
    for (int i = 0; i < CACHE_BLOCKS; i++) {
        struct qcache *e = &r->cache[i];
        if (e->full && e->file == c->file && e->block == c->block) {
            e->used = ++r->clock;
            *out = &e->b;
            return 0;
        }
        if (e->used < slot->used)
            slot = e;
    }
    slot->full = false;
    int rc = read_block(r, c, &slot->b);
    if (rc)
        return rc;
    slot->full = true;
    slot->file = c->file;
    slot->block = c->block;
    slot->used = ++r->clock;
    *out = &slot->b;
    return 0;
}

/*
 * Decodes record i of b into rec when it belongs to candidate c's slice and the
 * query's window; false (rec untouched) when it does not, or *rc on damage.
 */
static bool slice_rec(const struct qrun *r, const struct qcand *c, const struct store_block *b,
                      size_t i, struct store_rec *rec, int *rc)
{
    int64_t t;
    size_t off = b->offs[i];
    if ((*rc = store_rec_peek_time(b->recs.p + off, b->recs.len - off, &t)) != 0 || t < c->min_t ||
        t > c->max_t)
        return false;
    if ((*rc = store_block_rec(b, i, rec)) != 0)
        return false;
    return in_window(r->q, rec->time_ns, rec->id);
}

static int run_init(struct qrun *r, struct store *st, const struct store_query *q)
{
    memset(r, 0, sizeof *r);
    r->st = st;
    r->q = q;
    buf_init(&r->fts, 1 << 20);
    buf_init(&r->sql, 1 << 16);
    buf_init(&r->strs, 1 << 16);
    buf_init(&r->fields, 0);
    for (int i = 0; i < CACHE_BLOCKS; i++)
        store_block_init(&r->cache[i].b);
    int rc = store_filter_compile(q->root, &r->filter);
    if (rc == 0)
        rc = store_prefilter(q->root, &r->fts);
    if (rc == 0)
        rc = open_files(r);
    for (unsigned i = 0; rc == 0 && i < r->nfiles; i++)
        rc = file_cands(r, i);
    if (rc == 0 && r->ncands)
        qsort(r->cands, r->ncands, sizeof *r->cands, cand_cmp);
    return rc;
}

static void run_fini(struct qrun *r)
{
    close_files(r);
    store_filter_fini(&r->filter);
    for (int i = 0; i < CACHE_BLOCKS; i++)
        store_block_fini(&r->cache[i].b);
    mem_free(r->cands);
    buf_fini(&r->fts);
    buf_fini(&r->sql);
    buf_fini(&r->strs);
    buf_fini(&r->fields);
}

/* Copies s into r->strs as a C string; returns its offset. */
static size_t put_str(struct qrun *r, struct slice s)
{
    size_t off = r->strs.len;
    buf_append(&r->strs, s.p ? s.p : "", s.len);
    buf_putc(&r->strs, '\0');
    return off;
}

static int emit(struct qrun *r, const struct qkey *k, store_row_fn fn, void *ctx, int *stop)
{
    struct store_block *b;
    int rc = load(r, k->cand, &b);
    struct store_rec rec;
    if (rc == 0)
        rc = store_block_rec(b, k->rec, &rec);
    if (rc)
        return rc;
    struct slice host = SLICE_NULL;
    bool has_host = store_rec_field(&rec, "host", &host);
    buf_reset(&r->strs);
    buf_reset(&r->fields);
    size_t oh = put_str(r, host), od = put_str(r, rec.decoder), oro = put_str(r, rec.routes);
    rc = store_rec_fields_json(&rec, &r->fields);
    if (rc || r->strs.err || !buf_cstr(&r->fields))
        return rc ? rc : ERR_NOMEM;
    struct store_row row = {
        .id = rec.id,
        .time_ns = rec.time_ns,
        .received_ns = rec.received_ns,
        .host = has_host ? r->strs.p + oh : NULL,
        .decoder = r->strs.p + od,
        .routes = r->strs.p + oro,
        .fields = r->fields.p,
        .raw = rec.raw.p ? rec.raw.p : "",
        .raw_len = rec.raw.len,
    };
    *stop = fn(ctx, &row);
    return 0;
}

/* Pass one: the keys of the best `limit` matches, newest first, into *keys. */
static int best_keys(struct qrun *r, size_t limit, struct qkey **keys, size_t *nkeys)
{
    size_t cap = limit + STORE_BLOCK_EVENTS;
    struct qkey *k = mem_alloc(cap * sizeof *k);
    if (!k)
        return ERR_NOMEM;
    size_t n = 0;
    int rc = 0;
    for (size_t ci = 0; ci < r->ncands && rc == 0; ci++) {
        /* newest span first: once the page is full, a block whose newest event is
         * older than the page's oldest cannot contribute, nor can any after it */
        if (n >= limit && r->cands[ci].max_t < k[limit - 1].time)
            break;
        struct store_block *b;
        rc = load(r, ci, &b);
        for (size_t i = 0; rc == 0 && i < b->n; i++) {
            struct store_rec rec;
            if (!slice_rec(r, &r->cands[ci], b, i, &rec, &rc) ||
                !store_filter_eval(&r->filter, &rec))
                continue;
            if (n == cap) {
                struct qkey *nk = mem_realloc(k, 2 * cap * sizeof *nk);
                if (!nk) {
                    rc = ERR_NOMEM;
                    break;
                }
                k = nk;
                cap *= 2;
            }
            k[n++] = (struct qkey){rec.time_ns, rec.id, ci, (uint32_t)i};
        }
        qsort(k, n, sizeof *k, key_cmp);
        if (n > limit)
            n = limit;
    }
    if (rc) {
        mem_free(k);
        return rc;
    }
    *keys = k;
    *nkeys = n;
    return 0;
}

/* See store.h. */
int store_query(struct store *st, const struct store_query *q, store_row_fn fn, void *ctx,
                struct store_cursor *next)
{
    struct store_cursor end = {0};
    if (next)
        *next = end;
    if (!q || !q->root || !fn)
        return ERR_INVAL;
    size_t limit = q->limit ? q->limit : 100;
    if (limit > STORE_MAX_PAGE)
        limit = STORE_MAX_PAGE;
    struct qrun r;
    struct qkey *keys = NULL;
    size_t nkeys = 0;
    int rc = run_init(&r, st, q);
    if (rc == 0)
        rc = best_keys(&r, limit, &keys, &nkeys);
    size_t emitted = 0;
    int stop = 0;
    for (size_t i = 0; rc == 0 && i < nkeys && !stop; i++) {
        rc = emit(&r, &keys[i], fn, ctx, &stop);
        emitted += rc == 0;
    }
    if (rc == 0 && next && emitted && (emitted == limit || stop)) {
        next->time_ns = keys[emitted - 1].time;
        next->id = keys[emitted - 1].id;
        next->valid = true;
    }
    mem_free(keys);
    run_fini(&r);
    return rc;
}

/* See store.h. */
int store_count(struct store *st, const struct store_query *q, uint64_t *out)
{
    *out = 0;
    if (!q || !q->root)
        return ERR_INVAL;
    struct store_query whole = *q; /* a count ignores the cursor */
    whole.after.valid = false;
    q = &whole;
    struct qrun r;
    int rc = run_init(&r, st, q);
    bool all = rc == 0 && r.filter.preds[r.filter.root].kind == QUERY_ALL;
    for (size_t ci = 0; rc == 0 && ci < r.ncands; ci++) {
        const struct qcand *c = &r.cands[ci];
        /* a slice wholly inside the range counts without being read */
        if (all && c->block != TAIL_BLOCK && (!q->from_ns || c->min_t >= q->from_ns) &&
            (!q->to_ns || c->max_t < q->to_ns)) {
            *out += (uint64_t)c->count;
            continue;
        }
        struct store_block *b;
        rc = load(&r, ci, &b);
        for (size_t i = 0; rc == 0 && i < b->n; i++) {
            struct store_rec rec;
            if (slice_rec(&r, c, b, i, &rec, &rc) && store_filter_eval(&r.filter, &rec))
                (*out)++;
        }
    }
    run_fini(&r);
    return rc;
}
