/*
 * store_terminals.c — the unregistered terminals (store.h): MAC, last known address and
 * name, first and last seen, sightings — what DHCP servers and arpwatch reported of
 * devices the asset inventory does not register. Written by the daemon's alert stage,
 * listed by `vigil terminals`.
 */
#include "store/store_int.h"

static void bind_opt(sqlite3_stmt *s, int i, struct slice v)
{
    if (v.p)
        sqlite3_bind_text(s, i, v.p, (int)v.len, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

static void bind_terminal(sqlite3_stmt *s, const void *rows, size_t i)
{
    const struct store_terminal *t = (const struct store_terminal *)rows + i;
    sqlite3_bind_text(s, 1, t->mac, -1, SQLITE_STATIC);
    bind_opt(s, 2, t->ip);
    bind_opt(s, 3, t->name);
    sqlite3_bind_int64(s, 4, t->first_ns);
    sqlite3_bind_int64(s, 5, t->last_ns);
    sqlite3_bind_int64(s, 6, (sqlite3_int64)t->seen);
}

/* See store.h. */
int store_terminals_merge(struct store *st, const struct store_terminal *rows, size_t n)
{
    return store_main_each(st,
                           "INSERT INTO terminals(mac, ip, name, first_seen, last_seen, seen)"
                           " VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(mac) DO UPDATE SET"
                           " ip = coalesce(excluded.ip, ip), name = coalesce(excluded.name, name),"
                           " first_seen = min(first_seen, excluded.first_seen),"
                           " last_seen = max(last_seen, excluded.last_seen),"
                           " seen = seen + excluded.seen",
                           rows, n, bind_terminal);
}

static struct slice col(sqlite3_stmt *s, int i)
{
    if (sqlite3_column_type(s, i) == SQLITE_NULL)
        return SLICE_NULL;
    return slice_make((const char *)sqlite3_column_text(s, i), (size_t)sqlite3_column_bytes(s, i));
}

/* See store.h. */
int store_terminals_list(struct store *st, store_terminal_fn fn, void *ctx)
{
    int rc = ERR_DB;
    sqlite3_stmt *s = NULL;
    pthread_mutex_lock(&st->main_lock);
    if (sqlite3_prepare_v2(st->main_db,
                           "SELECT mac, ip, name, first_seen, last_seen, seen FROM terminals"
                           " ORDER BY last_seen DESC, mac",
                           -1, &s, NULL) == SQLITE_OK) {
        int r;
        while ((r = sqlite3_step(s)) == SQLITE_ROW) {
            struct store_terminal t = {
                .mac = (const char *)sqlite3_column_text(s, 0),
                .ip = col(s, 1),
                .name = col(s, 2),
                .first_ns = sqlite3_column_int64(s, 3),
                .last_ns = sqlite3_column_int64(s, 4),
                .seen = (uint64_t)sqlite3_column_int64(s, 5),
            };
            if (fn(ctx, &t))
                break;
        }
        rc = r == SQLITE_ROW || r == SQLITE_DONE ? 0 : ERR_DB;
    }
    sqlite3_finalize(s);
    pthread_mutex_unlock(&st->main_lock);
    return rc;
}
