/*
 * store_sources.c — the source inventory's home in vigil.db: the ingest pipeline merges
 * its per-(input, host) counts here every few seconds and at shutdown, and reads them
 * back at start, so first-seen times and totals survive restarts (and later, source
 * health can tell a silent device from one never seen).
 */
#include "store/store_int.h"

static void bind_source(sqlite3_stmt *s, const void *rows, size_t i)
{
    const struct store_source *r = (const struct store_source *)rows + i;
    sqlite3_bind_text(s, 1, r->input ? r->input : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, r->host ? r->host : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, r->first_ns);
    sqlite3_bind_int64(s, 4, r->last_ns);
    sqlite3_bind_int64(s, 5, (sqlite3_int64)r->events);
}

int store_sources_merge(struct store *st, const struct store_source *rows, size_t n)
{
    if (st->read_only)
        return ERR_INVAL;
    return store_main_each(st,
                           "INSERT INTO sources(input, host, first_seen, last_seen, events)"
                           " VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(input, host) DO UPDATE SET"
                           " first_seen = min(first_seen, excluded.first_seen),"
                           " last_seen = max(last_seen, excluded.last_seen),"
                           " events = events + excluded.events",
                           rows, n, bind_source);
}

int store_sources_list(struct store *st, store_source_fn fn, void *ctx)
{
    int rc = ERR_DB;
    sqlite3_stmt *s = NULL;
    pthread_mutex_lock(&st->main_lock);
    if (sqlite3_prepare_v2(st->main_db,
                           "SELECT input, host, first_seen, last_seen, events FROM sources"
                           " ORDER BY input, host",
                           -1, &s, NULL) != SQLITE_OK)
        goto out;
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_source row = {
            .input = (const char *)sqlite3_column_text(s, 0),
            .host = (const char *)sqlite3_column_text(s, 1),
            .first_ns = sqlite3_column_int64(s, 2),
            .last_ns = sqlite3_column_int64(s, 3),
            .events = (uint64_t)sqlite3_column_int64(s, 4),
        };
        if (fn(ctx, &row))
            break;
    }
    rc = (r == SQLITE_ROW || r == SQLITE_DONE) ? 0 : ERR_DB;
out:
    sqlite3_finalize(s);
    pthread_mutex_unlock(&st->main_lock);
    return rc;
}
