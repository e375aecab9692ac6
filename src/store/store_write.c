/*
 * store_write.c — the store's write path: a batch of decoded events (from the workers,
 * via the store writer thread) becomes rows of the day files of their receipt, with
 * the inputs' checkpoints in the same transaction.
 *
 * Per event: one INSERT OR IGNORE (a replayed id stores nothing) and, when the row is
 * new, one row of the trigram index. Statements are prepared once per day file; the
 * fields object and the index document are built in two scratch buffers reused for
 * every event, so the path allocates nothing per event once warm.
 *
 * Group commit: the checkpoint's day file keeps one transaction open across batches
 * (store_write_batch, store_flush), because a commit per batch costs more than the
 * inserts; each batch inside it is a savepoint, so a failing batch undoes itself only.
 */
#include "store/store_int.h"

#include <string.h>

/*
 * The document indexed for full-text search: the UTF-8 text, then every field value
 * that is not already part of it (unescaped or converted values), one per line, so
 * that the trigram prefilter never misses a field match.
 */
static void fts_doc(const struct event *ev, struct slice text, struct buf *b)
{
    buf_reset(b);
    buf_append(b, text.p ? text.p : "", text.len);
    for (unsigned i = 0; i < ev->nfields; i++) {
        struct slice v = ev->fields[i].value;
        if (v.len == 0)
            continue;
        if (text.p && v.p >= text.p && v.p + v.len <= text.p + text.len)
            continue; /* a slice of the text itself */
        if (slice_find(text, v) >= 0)
            continue;
        buf_putc(b, '\n');
        buf_append(b, v.p, v.len);
    }
}

static void bind_slice(sqlite3_stmt *s, int i, struct slice v)
{
    if (v.p)
        sqlite3_bind_text(s, i, v.p, (int)v.len, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

static void bind_field(sqlite3_stmt *s, int i, const struct event *ev, uint16_t id)
{
    struct slice v;
    if (event_get(ev, id, &v))
        bind_slice(s, i, v);
    else
        sqlite3_bind_null(s, i);
}

/* Inserts one event; *inserted is 1 when the row is new. */
static int write_event(struct store *st, struct store_day *d, const struct event *ev,
                       struct buf *routes, int *inserted)
{
    sqlite3_stmt *s = d->ins_event;
    struct slice text = ev->text.p ? ev->text : ev->raw;
    bool same_text = text.len == ev->raw.len &&
                     (text.p == ev->raw.p || memcmp(text.p, ev->raw.p, text.len) == 0);
    buf_reset(&st->fields);
    event_fields_json(ev, &st->fields);
    buf_reset(routes);
    event_routes_str(ev, routes);
    if (st->fields.err || routes->err)
        return ERR_TOOBIG;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)ev->id);
    sqlite3_bind_int64(s, 2, ev->time_ns);
    sqlite3_bind_int64(s, 3, ev->received_ns);
    bind_field(s, 4, ev, FIELD_host);
    if (ev->decoder)
        sqlite3_bind_text(s, 5, ev->decoder, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, 5);
    sqlite3_bind_text(s, 6, routes->p ? routes->p : "", (int)routes->len, SQLITE_STATIC);
    sqlite3_bind_int64(s, 7, ev->flags);
    bind_field(s, 8, ev, FIELD_src_ip);
    bind_field(s, 9, ev, FIELD_dst_ip);
    bind_field(s, 10, ev, FIELD_src_port);
    bind_field(s, 11, ev, FIELD_dst_port);
    bind_field(s, 12, ev, FIELD_user);
    bind_field(s, 13, ev, FIELD_action);
    bind_field(s, 14, ev, FIELD_outcome);
    bind_field(s, 15, ev, FIELD_program);
    sqlite3_bind_text(s, 16, st->fields.p, (int)st->fields.len, SQLITE_STATIC);
    sqlite3_bind_blob(s, 17, ev->raw.p ? ev->raw.p : "", (int)ev->raw.len, SQLITE_STATIC);
    if (same_text)
        sqlite3_bind_null(s, 18);
    else
        sqlite3_bind_text(s, 18, text.p, (int)text.len, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return ERR_DB;
    *inserted = sqlite3_changes(d->db) > 0;
    if (!*inserted)
        return 0;
    fts_doc(ev, text, &st->ftstext);
    if (st->ftstext.err)
        return ERR_TOOBIG;
    sqlite3_stmt *f = d->ins_fts;
    sqlite3_bind_int64(f, 1, sqlite3_last_insert_rowid(d->db));
    sqlite3_bind_text(f, 2, st->ftstext.p ? st->ftstext.p : "", (int)st->ftstext.len,
                      SQLITE_STATIC);
    rc = sqlite3_step(f);
    sqlite3_reset(f);
    return rc == SQLITE_DONE ? 0 : ERR_DB;
}

static int put_meta(struct store_day *d, const char *key, int64_t v)
{
    sqlite3_bind_text(d->put_meta, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(d->put_meta, 2, v);
    int rc = sqlite3_step(d->put_meta);
    sqlite3_reset(d->put_meta);
    return rc == SQLITE_DONE ? 0 : ERR_DB;
}

static int exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : ERR_DB;
}

/* See store.h. */
int store_flush(struct store *st)
{
    struct store_day *d = st->tx_day;
    if (!d)
        return 0;
    st->tx_day = NULL;
    st->tx_events = 0;
    if (exec(d->db, "COMMIT") == 0)
        return 0;
    exec(d->db, "ROLLBACK");
    (void)store_day_load_meta(d); /* the cached time span may include lost rows */
    return ERR_DB;
}

/*
 * Writes the events of evs whose day of receipt is `day` (and the checkpoints when
 * given) into that day's file: in the open group transaction (group set; a savepoint
 * undoes this batch alone on failure) or in a transaction of their own.
 */
static int write_day(struct store *st, int64_t day, const struct event *evs, size_t n,
                     const struct store_checkpoint *cps, size_t ncps, bool group,
                     size_t *stored)
{
    struct store_day *d;
    int rc = store_day_get(st, day, &d);
    if (rc)
        return rc;
    if (group && !st->tx_day) {
        if (exec(d->db, "BEGIN IMMEDIATE"))
            return ERR_DB;
        st->tx_day = d;
        st->tx_events = 0;
        st->tx_start = vtime_mono_ns();
    }
    if (exec(d->db, group ? "SAVEPOINT batch" : "BEGIN IMMEDIATE"))
        return ERR_DB;
    struct buf routes;
    buf_init(&routes, 4096);
    int64_t lo = d->min_time, hi = d->max_time;
    size_t added = 0, seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (store_day_of(evs[i].received_ns) != day)
            continue;
        int ins = 0;
        rc = write_event(st, d, &evs[i], &routes, &ins);
        if (rc)
            goto fail;
        added += (size_t)ins;
        seen++;
        if (evs[i].time_ns < lo)
            lo = evs[i].time_ns;
        if (evs[i].time_ns > hi)
            hi = evs[i].time_ns;
    }
    rc = ERR_DB;
    if (lo != d->min_time && put_meta(d, "min_time", lo))
        goto fail;
    if (hi != d->max_time && put_meta(d, "max_time", hi))
        goto fail;
    int64_t now = vtime_now_ns();
    for (size_t i = 0; i < ncps; i++) {
        sqlite3_stmt *s = d->put_ckpt;
        sqlite3_bind_text(s, 1, cps[i].key ? cps[i].key : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, cps[i].value ? cps[i].value : "", -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, now);
        int r = sqlite3_step(s);
        sqlite3_reset(s);
        if (r != SQLITE_DONE)
            goto fail;
    }
    if (exec(d->db, group ? "RELEASE batch" : "COMMIT"))
        goto fail;
    d->min_time = lo;
    d->max_time = hi;
    *stored += added;
    if (group)
        st->tx_events += seen;
    buf_fini(&routes);
    return 0;
fail:
    if (group) {
        exec(d->db, "ROLLBACK TO batch");
        exec(d->db, "RELEASE batch");
    } else {
        exec(d->db, "ROLLBACK");
    }
    buf_fini(&routes);
    return rc ? rc : ERR_DB;
}

/*
 * See store.h. Days other than the checkpoint's are committed first, so that a
 * checkpoint is never durable before the events it covers; only the checkpoint's day
 * joins the group, and a group open on another file is committed before anything
 * else is written. When a day fails, the days already committed stay (a retry
 * re-inserts nothing: INSERT OR IGNORE).
 */
int store_write_batch(struct store *st, const struct event *evs, size_t n,
                      const struct store_checkpoint *cps, size_t ncps, size_t *stored)
{
    size_t dummy;
    if (!stored)
        stored = &dummy;
    *stored = 0;
    if (st->read_only)
        return ERR_INVAL;
    int64_t ckday = store_day_of(n ? evs[n - 1].received_ns : vtime_now_ns());
    bool other = false;
    for (size_t i = 0; i < n && !other; i++)
        other = store_day_of(evs[i].received_ns) != ckday;
    int rc;
    if (st->tx_day && (other || st->tx_day->day != ckday) && (rc = store_flush(st)) != 0)
        return rc;
    for (size_t i = 0; other && i < n; i++) {
        int64_t day = store_day_of(evs[i].received_ns);
        if (day == ckday)
            continue;
        bool seen = false;
        for (size_t j = i; j-- > 0 && !seen;)
            seen = store_day_of(evs[j].received_ns) == day;
        if (seen)
            continue;
        rc = write_day(st, day, evs, n, NULL, 0, false, stored);
        if (rc)
            return rc;
    }
    size_t before = *stored;
    rc = write_day(st, ckday, evs, n, cps, ncps, true, stored);
    if (rc)
        return rc;
    if (st->tx_events >= STORE_GROUP_EVENTS ||
        vtime_mono_ns() - st->tx_start >= STORE_GROUP_NS) {
        rc = store_flush(st);
        if (rc)
            *stored = before; /* this batch's rows of the group were lost */
    }
    return rc;
}
