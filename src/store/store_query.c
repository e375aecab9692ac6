/*
 * store_query.c — runs a compiled query over the day files for `vigil search` and the
 * console: newest first by (event time, id), paged by a (time, id) cursor, and counts.
 *
 * A day file holds the events *received* that day, whose event times may be anything,
 * so files are pruned by the min/max event time kept in their meta table, never by
 * their name. Each query opens its own read-only connections (WAL readers never block
 * the writer), so any thread may search while the writer writes.
 *
 * Two passes keep memory bounded by the page size rather than by row size: pass one
 * collects the (time, id, rowid) keys of each file's best `limit` matches and keeps the
 * global best `limit`; pass two fetches and hands out those rows in order.
 *
 * Per file, a query with a trigram-indexable term and no indexed column term is first
 * tried by walking the time index (fast when matches are common) under a work budget;
 * past the budget it is rerun from the trigram index's candidates (fast when rare).
 */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

/* Progress-handler ticks (of 1000 VM steps) a time-index walk may take before the
 * query switches to the trigram candidates. */
#define SCAN_BUDGET_TICKS 50


struct qfile {
    int64_t day;
    sqlite3 *db;
    sqlite3_stmt *fetch;
    int64_t min_t, max_t;
    bool has_meta;
};

struct qkey {
    int64_t time;
    int64_t id;
    int64_t rowid;
    unsigned file;
};

struct qrun {
    struct store *st;
    const struct store_query *q;
    struct store_sql sql;
    struct qfile *files;
    size_t nfiles;
    struct buf text;
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

static int file_cmp(const void *a, const void *b)
{
    const struct qfile *x = a, *y = b;
    return (x->max_t < y->max_t) - (x->max_t > y->max_t);
}

static int check_version(sqlite3 *db)
{
    sqlite3_stmt *s = NULL;
    int rc = ERR_DB;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW &&
        sqlite3_column_int(s, 0) == store_schema_current(STORE_FILE_DAY))
        rc = 0;
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
        sqlite3_finalize(r->files[i].fetch);
        sqlite3_close(r->files[i].db);
    }
    mem_free(r->files);
    r->files = NULL;
    r->nfiles = 0;
}

/* Opens the day files that may hold matches, newest event time first. */
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
            break;
        }
        read_meta(f);
        if (prune(f, r->q)) {
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
    qsort(r->files, r->nfiles, sizeof *r->files, file_cmp);
    return 0;
}

/*
 * Writes into r->text the SQL for one file: keys (count=false) or count(*). The
 * compiled parameters are ?1..?n; the time bounds, cursor, match and limit follow.
 */
static int build_sql(struct qrun *r, bool fts, bool count)
{
    const struct store_query *q = r->q;
    unsigned n = r->sql.nparams;
    struct buf *b = &r->text;
    buf_reset(b);
    buf_puts(b, count ? "SELECT count(*) FROM " : "SELECT e.time, e.id, e.rowid FROM ");
    if (fts)
        buf_printf(b, "events_fts CROSS JOIN events e ON e.rowid = events_fts.rowid"
                      " WHERE events_fts MATCH ?%u AND ", n + 1);
    else
        buf_puts(b, "events e WHERE ");
    if (q->from_ns)
        buf_printf(b, "e.time >= ?%u AND ", n + 2);
    if (q->to_ns)
        buf_printf(b, "e.time < ?%u AND ", n + 3);
    if (!count && q->after.valid)
        buf_printf(b, "e.time <= ?%u AND (e.time < ?%u OR e.id < ?%u) AND ", n + 4, n + 4,
                   n + 5);
    buf_printf(b, "(%s)", r->sql.where.p);
    if (!count)
        buf_printf(b, " ORDER BY e.time DESC, e.id DESC LIMIT ?%u", n + 6);
    return buf_cstr(b) ? 0 : ERR_NOMEM;
}

static int prepare(struct qrun *r, sqlite3 *db, bool fts, bool count, size_t limit,
                   sqlite3_stmt **out)
{
    *out = NULL;
    int rc = build_sql(r, fts, count);
    if (rc)
        return rc;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, r->text.p, (int)r->text.len, &s, NULL) != SQLITE_OK)
        return ERR_DB;
    unsigned n = r->sql.nparams;
    if (store_sql_bind(&r->sql, s)) {
        sqlite3_finalize(s);
        return ERR_DB;
    }
    if (fts)
        sqlite3_bind_text(s, (int)n + 1, r->sql.fts.p, (int)r->sql.fts.len, SQLITE_STATIC);
    if (r->q->from_ns)
        sqlite3_bind_int64(s, (int)n + 2, r->q->from_ns);
    if (r->q->to_ns)
        sqlite3_bind_int64(s, (int)n + 3, r->q->to_ns);
    if (!count && r->q->after.valid) {
        sqlite3_bind_int64(s, (int)n + 4, r->q->after.time_ns);
        sqlite3_bind_int64(s, (int)n + 5, (sqlite3_int64)r->q->after.id);
    }
    if (!count)
        sqlite3_bind_int64(s, (int)n + 6, (sqlite3_int64)limit);
    *out = s;
    return 0;
}

static int budget_cb(void *ctx)
{
    unsigned *ticks = ctx;
    return ++*ticks > SCAN_BUDGET_TICKS;
}

/* Runs one key query on file fi, appending keys; ERR_AGAIN when the budget ran out. */
static int collect(struct qrun *r, unsigned fi, bool fts, bool budget, size_t limit,
                   struct qkey *keys, size_t *nkeys)
{
    sqlite3 *db = r->files[fi].db;
    sqlite3_stmt *s;
    int rc = prepare(r, db, fts, false, limit, &s);
    if (rc)
        return rc;
    unsigned ticks = 0;
    if (budget)
        sqlite3_progress_handler(db, 1000, budget_cb, &ticks);
    size_t start = *nkeys;
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        struct qkey *k = &keys[(*nkeys)++];
        k->time = sqlite3_column_int64(s, 0);
        k->id = sqlite3_column_int64(s, 1);
        k->rowid = sqlite3_column_int64(s, 2);
        k->file = fi;
    }
    if (budget)
        sqlite3_progress_handler(db, 0, NULL, NULL);
    sqlite3_finalize(s);
    if (step == SQLITE_DONE)
        return 0;
    *nkeys = start;
    return step == SQLITE_INTERRUPT ? ERR_AGAIN : ERR_DB;
}

static int file_keys(struct qrun *r, unsigned fi, size_t limit, struct qkey *keys,
                     size_t *nkeys)
{
    bool fts_ok = r->sql.fts.len > 0 && !r->sql.index_term;
    int rc = collect(r, fi, false, fts_ok, limit, keys, nkeys);
    if (rc == ERR_AGAIN)
        rc = collect(r, fi, true, false, limit, keys, nkeys);
    return rc;
}

static int emit(struct qrun *r, const struct qkey *k, store_row_fn fn, void *ctx, int *stop)
{
    struct qfile *f = &r->files[k->file];
    if (!f->fetch &&
        sqlite3_prepare_v2(f->db,
                           "SELECT id, time, received, host, decoder, routes, fields, raw"
                           " FROM events WHERE rowid = ?1",
                           -1, &f->fetch, NULL) != SQLITE_OK)
        return ERR_DB;
    sqlite3_stmt *s = f->fetch;
    sqlite3_bind_int64(s, 1, k->rowid);
    int rc = 0;
    if (sqlite3_step(s) == SQLITE_ROW) {
        struct store_row row = {
            .id = (uint64_t)sqlite3_column_int64(s, 0),
            .time_ns = sqlite3_column_int64(s, 1),
            .received_ns = sqlite3_column_int64(s, 2),
            .host = (const char *)sqlite3_column_text(s, 3),
            .decoder = (const char *)sqlite3_column_text(s, 4),
            .routes = (const char *)sqlite3_column_text(s, 5),
            .fields = (const char *)sqlite3_column_text(s, 6),
        };
        row.raw = sqlite3_column_blob(s, 7);
        row.raw_len = (size_t)sqlite3_column_bytes(s, 7);
        if (!row.raw)
            row.raw = "";
        *stop = fn(ctx, &row);
    } else {
        rc = ERR_DB;
    }
    sqlite3_reset(s);
    return rc;
}

static int run_init(struct qrun *r, struct store *st, const struct store_query *q)
{
    memset(r, 0, sizeof *r);
    r->st = st;
    r->q = q;
    buf_init(&r->text, 1 << 21);
    int rc = store_sql_compile(q->root, &r->sql);
    if (rc)
        return rc;
    return open_files(r);
}

static void run_fini(struct qrun *r)
{
    close_files(r);
    store_sql_fini(&r->sql);
    buf_fini(&r->text);
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
    int rc = run_init(&r, st, q);
    struct qkey *keys = NULL;
    if (rc)
        goto out;
    keys = mem_alloc(2 * limit * sizeof *keys);
    if (!keys) {
        rc = ERR_NOMEM;
        goto out;
    }
    size_t nkeys = 0;
    for (unsigned i = 0; i < r.nfiles; i++) {
        /* files come newest first: one whose newest event is older than the page's
         * oldest key cannot contribute */
        if (nkeys >= limit && r.files[i].max_t < keys[limit - 1].time)
            continue;
        rc = file_keys(&r, i, limit, keys, &nkeys);
        if (rc)
            goto out;
        qsort(keys, nkeys, sizeof *keys, key_cmp);
        if (nkeys > limit)
            nkeys = limit;
    }
    size_t emitted = 0;
    int stop = 0;
    for (size_t i = 0; i < nkeys && !stop; i++) {
        rc = emit(&r, &keys[i], fn, ctx, &stop);
        if (rc)
            goto out;
        emitted++;
    }
    if (next && emitted && (emitted == limit || stop)) {
        next->time_ns = keys[emitted - 1].time;
        next->id = (uint64_t)keys[emitted - 1].id;
        next->valid = true;
    }
out:
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
    struct qrun r;
    int rc = run_init(&r, st, q);
    bool fts = r.sql.fts.len > 0 && !r.sql.index_term;
    for (unsigned i = 0; rc == 0 && i < r.nfiles; i++) {
        sqlite3_stmt *s;
        rc = prepare(&r, r.files[i].db, fts, true, 0, &s);
        if (rc)
            break;
        if (sqlite3_step(s) == SQLITE_ROW)
            *out += (uint64_t)sqlite3_column_int64(s, 0);
        else
            rc = ERR_DB;
        sqlite3_finalize(s);
    }
    run_fini(&r);
    return rc;
}
