/*
 * store_write.c — the store's write path: a batch of decoded events (from the workers,
 * via the store writer thread) becomes rows of the day files of their receipt, with
 * the inputs' checkpoints in the same transaction.
 *
 * Per event: its record appended to the day's open block in memory, unless the event
 * comes from a replayable input (a file) at a position the file holds already. The
 * writer keeps each stream's highest stored position in memory, so a record past it
 * (every record but replays) costs no lookup; the batch's span of positions per
 * stream is written with the batch. A
 * block is sealed at STORE_BLOCK_EVENTS events or STORE_BLOCK_BYTES: packed into one
 * row of `blocks` and its distinct terms into one document of blocks_fts. At the end
 * of each batch the records added to the open block are written as one `tail` row, so
 * that what is committed is always searchable and survives a restart; sealing deletes
 * the block's tail rows. Statements are prepared once per day file and the buffers
 * are reused, so the path allocates nothing per event once warm.
 *
 * Group commit: the checkpoint's day file keeps one transaction open across batches
 * (store_write_batch, store_flush), because a commit per batch costs more than the
 * inserts; each batch inside it is a savepoint, so a failing batch undoes itself only.
 */
#include "store/store_int.h"

#include <string.h>

/* See store_int.h. */
int store_step_done(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : ERR_DB;
}

/* See store_int.h. */
void store_open_reset(struct store_open_block *o, int64_t id)
{
    o->id = id;
    buf_reset(&o->recs);
    o->count = 0;
    o->synced = 0;
}

/* See store_int.h. */
int store_day_sync_tail(struct store_day *d)
{
    struct store_open_block *o = &d->open;
    if (o->recs.len == o->synced)
        return 0;
    sqlite3_stmt *s = d->ins_tail;
    sqlite3_bind_int64(s, 1, o->id);
    sqlite3_bind_blob(s, 2, o->recs.p + o->synced, (int)(o->recs.len - o->synced), SQLITE_STATIC);
    if (store_step_done(s))
        return ERR_DB;
    o->synced = o->recs.len;
    return 0;
}

/* ---- replays: the streams' stored positions ---------------------------------------- */

static struct store_hw *hw_find(struct store_day *d, uint64_t src)
{
    if (!d->hwcap)
        return NULL;
    for (size_t i = src & (d->hwcap - 1);; i = (i + 1) & (d->hwcap - 1)) {
        if (d->hw[i].src == src)
            return &d->hw[i];
        if (!d->hw[i].src)
            return NULL;
    }
}

/* Raises src's highest stored position to at least pos. */
static int hw_raise(struct store_day *d, uint64_t src, uint64_t pos)
{
    struct store_hw *h = hw_find(d, src);
    if (h) {
        if (pos > h->pos)
            h->pos = pos;
        return 0;
    }
    if ((d->nhw + 1) * 2 > d->hwcap) {
        size_t nc = d->hwcap ? d->hwcap * 2 : 64;
        struct store_hw *nt = mem_calloc(nc, sizeof *nt);
        if (!nt)
            return ERR_NOMEM;
        struct store_hw *old = d->hw;
        size_t oldcap = d->hwcap;
        d->hw = nt;
        d->hwcap = nc;
        d->nhw = 0;
        for (size_t i = 0; i < oldcap; i++)
            if (old[i].src)
                (void)hw_raise(d, old[i].src, old[i].pos);
        mem_free(old);
    }
    size_t i = src & (d->hwcap - 1);
    while (d->hw[i].src)
        i = (i + 1) & (d->hwcap - 1);
    d->hw[i] = (struct store_hw){src, pos};
    d->nhw++;
    return 0;
}

static int load_positions(struct store_day *d)
{
    if (d->hwcap)
        memset(d->hw, 0, d->hwcap * sizeof *d->hw);
    d->nhw = 0;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(d->db, "SELECT src, max(last) FROM positions GROUP BY src", -1, &s,
                           NULL) != SQLITE_OK)
        return ERR_DB;
    int rc = 0;
    while (rc == 0 && sqlite3_step(s) == SQLITE_ROW)
        rc =
            hw_raise(d, (uint64_t)sqlite3_column_int64(s, 0), (uint64_t)sqlite3_column_int64(s, 1));
    sqlite3_finalize(s);
    return rc;
}

/* True when position o is stored in d already (a replay): in the batch's spans or the
 * file's positions table. */
static int replayed(struct store *st, struct store_day *d, const struct event_origin *o, bool *yes)
{
    *yes = false;
    const struct store_hw *h = hw_find(d, o->src);
    if (!h || o->pos > h->pos)
        return 0; /* past everything stored: the common case, no lookup */
    for (unsigned i = 0; i < st->nspans; i++) {
        const struct store_span *sp = &st->spans[i];
        if (sp->src == o->src && sp->first <= o->pos && o->pos <= sp->last) {
            *yes = true;
            return 0;
        }
    }
    sqlite3_stmt *s = d->get_pos;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)o->src);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)o->pos);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *yes = (uint64_t)sqlite3_column_int64(s, 0) <= o->pos;
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return ERR_DB;
    return 0;
}

static int write_spans(struct store *st, struct store_day *d)
{
    for (unsigned i = 0; i < st->nspans; i++) {
        const struct store_span *sp = &st->spans[i];
        sqlite3_stmt *s = d->ins_pos;
        sqlite3_bind_int64(s, 1, (sqlite3_int64)sp->src);
        sqlite3_bind_int64(s, 2, (sqlite3_int64)sp->first);
        sqlite3_bind_int64(s, 3, (sqlite3_int64)sp->last);
        sqlite3_bind_int64(s, 4, sp->block);
        if (store_step_done(s))
            return ERR_DB;
    }
    st->nspans = 0;
    return 0;
}

/* Notes position o of a stored event in the batch's span of its stream. */
static int note_position(struct store *st, struct store_day *d, const struct event_origin *o)
{
    struct store_span *sp = NULL;
    for (unsigned i = 0; i < st->nspans && !sp; i++)
        if (st->spans[i].src == o->src)
            sp = &st->spans[i];
    if (!sp) {
        if (st->nspans == STORE_BATCH_SPANS) {
            int rc = write_spans(st, d);
            if (rc)
                return rc;
        }
        sp = &st->spans[st->nspans++];
        *sp = (struct store_span){o->src, o->pos, o->pos, d->open.id};
    }
    if (o->pos < sp->first)
        sp->first = o->pos;
    if (o->pos > sp->last)
        sp->last = o->pos;
    return hw_raise(d, o->src, o->pos);
}

/* ---- the open block ------------------------------------------------------------------ */

/* See store_int.h. */
int store_day_load_open(struct store_day *d)
{
    struct store_open_block *o = &d->open;
    sqlite3_stmt *s = NULL;
    int64_t next = 1;
    if (sqlite3_prepare_v2(d->db, "SELECT max(id) FROM blocks", -1, &s, NULL) != SQLITE_OK)
        return ERR_DB;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        next = sqlite3_column_int64(s, 0) + 1;
    sqlite3_finalize(s);
    store_open_reset(o, next);
    if (sqlite3_prepare_v2(d->db, "SELECT block, data FROM tail ORDER BY seq", -1, &s, NULL) !=
        SQLITE_OK)
        return ERR_DB;
    int rc = 0;
    while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
        int64_t block = sqlite3_column_int64(s, 0);
        if (block != o->id) /* only the open block has tail rows */
            continue;
        rc = buf_append(&o->recs, sqlite3_column_blob(s, 1), (size_t)sqlite3_column_bytes(s, 1));
    }
    sqlite3_finalize(s);
    if (rc == 0)
        rc = load_positions(d);
    if (rc)
        return rc;
    o->synced = o->recs.len;
    for (size_t i = 0; i < o->recs.len;) {
        struct store_rec r;
        size_t used;
        if (store_rec_decode(o->recs.p + i, o->recs.len - i, &used, &r))
            return ERR_PARSE;
        i += used;
        o->count++;
    }
    return 0;
}

/* See store_int.h. */
int store_day_write_event(struct store *st, struct store_day *d, const struct event *ev,
                          int *inserted)
{
    struct store_open_block *o = &d->open;
    *inserted = 0;
    int rc = 0;
    if (ev->origin.src) {
        bool dup;
        rc = replayed(st, d, &ev->origin, &dup);
        if (rc || dup)
            return rc;
        rc = note_position(st, d, &ev->origin);
        if (rc)
            return rc;
    }
    *inserted = 1;
    rc = store_rec_encode(ev, &st->scratch, &o->recs);
    if (rc)
        return rc;
    o->count++;
    if (o->count >= STORE_BLOCK_EVENTS || o->recs.len >= STORE_BLOCK_BYTES)
        return store_seal(st, d);
    return 0;
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
    (void)store_day_load_open(d); /* and the open block lost records */
    return ERR_DB;
}

/*
 * Writes the events of evs whose day of receipt is `day` (and the checkpoints when
 * given) into that day's file: in the open group transaction (group set; a savepoint
 * undoes this batch alone on failure) or in a transaction of their own.
 */
static int write_day(struct store *st, int64_t day, const struct event *evs, size_t n,
                     const struct store_checkpoint *cps, size_t ncps, bool group, size_t *stored)
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
    st->nspans = 0;
    int64_t lo = d->min_time, hi = d->max_time;
    size_t added = 0, seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (store_day_of(evs[i].received_ns) != day)
            continue;
        int ins = 0;
        rc = store_day_write_event(st, d, &evs[i], &ins);
        if (rc)
            goto fail;
        added += (size_t)ins;
        seen++;
        if (evs[i].time_ns < lo)
            lo = evs[i].time_ns;
        if (evs[i].time_ns > hi)
            hi = evs[i].time_ns;
    }
    rc = write_spans(st, d);
    if (rc == 0)
        rc = store_day_sync_tail(d);
    if (rc)
        goto fail;
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
    return 0;
fail:
    if (group) {
        exec(d->db, "ROLLBACK TO batch");
        exec(d->db, "RELEASE batch");
    } else {
        exec(d->db, "ROLLBACK");
    }
    (void)store_day_load_open(d); /* the records of the undone batch are gone */
    return rc ? rc : ERR_DB;
}

/*
 * See store.h. Days other than the checkpoint's are committed first, so that a
 * checkpoint is never durable before the events it covers; only the checkpoint's day
 * joins the group, and a group open on another file is committed before anything
 * else is written. When a day fails, the days already committed stay (a retry of a
 * replayable input's batch stores nothing twice: its positions are in those files).
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
    if (st->tx_events >= STORE_GROUP_EVENTS || vtime_mono_ns() - st->tx_start >= STORE_GROUP_NS) {
        rc = store_flush(st);
        if (rc)
            *stored = before; /* this batch's rows of the group were lost */
    }
    return rc;
}

/* See store_int.h. */
int store_seal_open_blocks(struct store *st)
{
    int rc = 0;
    for (unsigned i = 0; i < st->ndays; i++) {
        struct store_day *d = &st->days[i];
        if (d->open.count == 0)
            continue;
        if (exec(d->db, "BEGIN IMMEDIATE") == 0 && store_seal(st, d) == 0 &&
            exec(d->db, "COMMIT") == 0)
            continue;
        exec(d->db, "ROLLBACK");
        (void)store_day_load_open(d);
        rc = ERR_DB;
    }
    return rc;
}
