/*
 * store_alerts.c — the alerts' home in vigil.db (docs/ARCHITECTURE.md §3 "Alerts"): the
 * ingest writer thread writes the alerts the merger (src/alert) changed with each batch
 * in one transaction, before the batch's events (see src/ingest/pipeline.c for why that
 * order) — new ones inserted, merged ones updated unless an analyst closed them
 * meanwhile; `vigil alerts` and, later, the console read them newest first. Ids are
 * deterministic, so inserting the alerts of a batch matched again after a crash adds
 * nothing.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

static const char *const level_names[] = {"informational", "low", "medium", "high", "critical"};

/* See store.h. */
int store_alert_level_rank(const char *level)
{
    for (int i = 0; level && i < 5; i++)
        if (!strcmp(level, level_names[i]))
            return i;
    return -1;
}

static void bind_slice(sqlite3_stmt *s, int i, struct slice v)
{
    if (v.p)
        sqlite3_bind_text(s, i, v.p, (int)v.len, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

static void bind_str(sqlite3_stmt *s, int i, const char *v)
{
    sqlite3_bind_text(s, i, v ? v : "", -1, SQLITE_STATIC);
}

/* The JSON array of a row's event ids into ids (reset here). */
static int ids_json(const struct alert_row *a, struct buf *ids)
{
    buf_reset(ids);
    buf_putc(ids, '[');
    for (unsigned i = 0; i < a->nevents; i++)
        buf_printf(ids, "%s\"%016llx\"", i ? "," : "", (unsigned long long)a->event_ids[i]);
    buf_putc(ids, ']');
    if (ids->err)
        return ids->err;
    return buf_cstr(ids) ? 0 : ERR_NOMEM;
}

static const char *const insert_sql =
    "INSERT OR IGNORE INTO alerts(id, rule_id, rule_title, rule_level, tags, first_seen,"
    " last_seen, count, src_ip, dst_ip, user, host, asset, risk, status, event_ids, created)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?15, ?16, 'new', ?13, ?14)";
/* a closed alert is left as the analyst closed it: its row reports 0 changes */
static const char *const update_sql =
    "UPDATE alerts SET count = ?2, first_seen = min(first_seen, ?3),"
    " last_seen = max(last_seen, ?4), event_ids = ?5, risk = max(coalesce(risk, 0), ?6)"
    " WHERE id = ?1 AND status != 'closed'";

static int write_row(sqlite3_stmt *ins, sqlite3_stmt *upd, const struct alert_row *a,
                     const char *ids, size_t idslen)
{
    sqlite3_stmt *s = a->is_new ? ins : upd;
    /* the id is a 64-bit hash: stored as the signed integer with the same bits */
    sqlite3_bind_int64(s, 1, (sqlite3_int64)a->id);
    if (a->is_new) {
        bind_str(s, 2, a->rule_id);
        bind_str(s, 3, a->rule_title);
        bind_str(s, 4, a->rule_level);
        bind_str(s, 5, a->tags_json ? a->tags_json : "[]");
        sqlite3_bind_int64(s, 6, a->first_seen_ns);
        sqlite3_bind_int64(s, 7, a->last_seen_ns);
        sqlite3_bind_int64(s, 8, (sqlite3_int64)(a->count ? a->count : 1));
        bind_slice(s, 9, a->src_ip);
        bind_slice(s, 10, a->dst_ip);
        bind_slice(s, 11, a->user);
        bind_slice(s, 12, a->host);
        sqlite3_bind_text(s, 13, ids, (int)idslen, SQLITE_STATIC);
        sqlite3_bind_int64(s, 14, a->created_ns);
        if (a->asset)
            sqlite3_bind_text(s, 15, a->asset, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(s, 15);
        sqlite3_bind_double(s, 16, a->risk);
    } else {
        sqlite3_bind_int64(s, 2, (sqlite3_int64)a->count);
        sqlite3_bind_int64(s, 3, a->first_seen_ns);
        sqlite3_bind_int64(s, 4, a->last_seen_ns);
        sqlite3_bind_text(s, 5, ids, (int)idslen, SQLITE_STATIC);
        sqlite3_bind_double(s, 6, a->risk);
    }
    int r = sqlite3_step(s);
    sqlite3_reset(s);
    return r == SQLITE_DONE ? 0 : ERR_DB;
}

/* See store.h. */
int store_alerts_write(struct store *st, const struct alert_row *rows, size_t n, size_t *closed,
                       size_t *nclosed, size_t *inserted)
{
    size_t dummy;
    if (!inserted)
        inserted = &dummy;
    *inserted = 0;
    *nclosed = 0;
    if (n == 0)
        return 0;
    int rc = ERR_DB;
    sqlite3_stmt *ins = NULL, *upd = NULL;
    struct buf ids;
    buf_init(&ids, 1 << 16);
    size_t added = 0, nc = 0;
    pthread_mutex_lock(&st->main_lock);
    if (sqlite3_exec(st->main_db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        goto out;
    if (sqlite3_prepare_v2(st->main_db, insert_sql, -1, &ins, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->main_db, update_sql, -1, &upd, NULL) != SQLITE_OK)
        goto rollback;
    for (size_t i = 0; i < n; i++) {
        const struct alert_row *a = &rows[i];
        if ((rc = ids_json(a, &ids)) || (rc = write_row(ins, upd, a, ids.p, ids.len)))
            goto rollback;
        int changed = sqlite3_changes(st->main_db);
        if (a->is_new)
            added += (size_t)changed;
        else if (changed == 0)
            closed[nc++] = i;
    }
    if (sqlite3_exec(st->main_db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK) {
        rc = 0;
        *inserted = added;
        *nclosed = nc;
        goto out;
    }
    rc = ERR_DB;
rollback:
    sqlite3_exec(st->main_db, "ROLLBACK", NULL, NULL, NULL);
out:
    sqlite3_finalize(ins);
    sqlite3_finalize(upd);
    pthread_mutex_unlock(&st->main_lock);
    buf_fini(&ids);
    return rc;
}

static void bind_first_seen(sqlite3_stmt *s, const void *rows, size_t i)
{
    const struct store_first_seen *r = (const struct store_first_seen *)rows + i;
    bind_str(s, 1, r->rule_id);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)r->key);
    bind_str(s, 3, r->value);
    sqlite3_bind_int64(s, 4, r->first_seen_ns);
}

/* See store.h. */
int store_first_seen_add(struct store *st, const struct store_first_seen *rows, size_t n)
{
    return store_main_each(st,
                           "INSERT OR IGNORE INTO first_seen(rule_id, key, value, first_seen)"
                           " VALUES(?1, ?2, ?3, ?4)",
                           rows, n, bind_first_seen);
}

/* See store.h. */
int store_first_seen_keys(struct store *st, int (*fn)(void *ctx, uint64_t key), void *ctx)
{
    sqlite3_stmt *s = NULL;
    int rc = ERR_DB;
    pthread_mutex_lock(&st->main_lock);
    if (sqlite3_prepare_v2(st->main_db, "SELECT key FROM first_seen", -1, &s, NULL) == SQLITE_OK) {
        int r;
        while ((r = sqlite3_step(s)) == SQLITE_ROW)
            if (fn(ctx, (uint64_t)sqlite3_column_int64(s, 0)))
                break;
        rc = r == SQLITE_ROW || r == SQLITE_DONE ? 0 : ERR_DB;
    }
    sqlite3_finalize(s);
    pthread_mutex_unlock(&st->main_lock);
    return rc;
}

static struct slice col_slice(sqlite3_stmt *s, int i)
{
    if (sqlite3_column_type(s, i) == SQLITE_NULL)
        return SLICE_NULL;
    const char *p = (const char *)sqlite3_column_text(s, i);
    return slice_make(p, (size_t)sqlite3_column_bytes(s, i));
}

/* See store.h. */
int store_alerts_list(struct store *st, const struct store_alert_filter *f, store_alert_fn fn,
                      void *ctx)
{
    size_t limit = f && f->limit ? f->limit : 100;
    if (limit > STORE_ALERTS_MAX_LIST)
        limit = STORE_ALERTS_MAX_LIST;
    int min_rank = 0;
    if (f && f->min_level && (min_rank = store_alert_level_rank(f->min_level)) < 0)
        return ERR_INVAL;
    int rc = ERR_DB;
    sqlite3_stmt *s = NULL;
    pthread_mutex_lock(&st->main_lock);
    /* the level's rank is spelled in SQL so the filter runs in the scan; an unknown
     * stored level ranks as medium, as the Sigma loader defaults it */
    if (sqlite3_prepare_v2(st->main_db,
                           "SELECT id, rule_id, rule_title, rule_level, tags, first_seen,"
                           " last_seen, count, src_ip, dst_ip, user, host, asset, risk, status,"
                           " event_ids, created, status_reason, status_by, status_at, assignee"
                           " FROM alerts WHERE"
                           " (CASE rule_level WHEN 'informational' THEN 0 WHEN 'low' THEN 1"
                           " WHEN 'medium' THEN 2 WHEN 'high' THEN 3 WHEN 'critical' THEN 4"
                           " ELSE 2 END) >= ?1"
                           " ORDER BY first_seen DESC, id DESC LIMIT ?2",
                           -1, &s, NULL) != SQLITE_OK)
        goto out;
    sqlite3_bind_int(s, 1, min_rank);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)limit);
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_alert a = {
            .id = (uint64_t)sqlite3_column_int64(s, 0),
            .rule_id = (const char *)sqlite3_column_text(s, 1),
            .rule_title = (const char *)sqlite3_column_text(s, 2),
            .rule_level = (const char *)sqlite3_column_text(s, 3),
            .tags_json = (const char *)sqlite3_column_text(s, 4),
            .first_seen_ns = sqlite3_column_int64(s, 5),
            .last_seen_ns = sqlite3_column_int64(s, 6),
            .count = (uint64_t)sqlite3_column_int64(s, 7),
            .src_ip = col_slice(s, 8),
            .dst_ip = col_slice(s, 9),
            .user = col_slice(s, 10),
            .host = col_slice(s, 11),
            .asset = (const char *)sqlite3_column_text(s, 12),
            .has_risk = sqlite3_column_type(s, 13) != SQLITE_NULL,
            .risk = sqlite3_column_double(s, 13),
            .status = (const char *)sqlite3_column_text(s, 14),
            .event_ids_json = (const char *)sqlite3_column_text(s, 15),
            .created_ns = sqlite3_column_int64(s, 16),
            .status_reason = (const char *)sqlite3_column_text(s, 17),
            .status_by = (const char *)sqlite3_column_text(s, 18),
            .status_at_ns = sqlite3_column_int64(s, 19),
            .assignee = (const char *)sqlite3_column_text(s, 20),
        };
        if (fn(ctx, &a))
            break;
    }
    rc = (r == SQLITE_ROW || r == SQLITE_DONE) ? 0 : ERR_DB;
out:
    sqlite3_finalize(s);
    pthread_mutex_unlock(&st->main_lock);
    return rc;
}
