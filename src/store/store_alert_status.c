/*
 * store_alert_status.c — the alert lifecycle (new -> acknowledged -> escalated -> closed,
 * with who, when and why) and suppressions, in vigil.db (store.h). The lifecycle is
 * checked in the UPDATE itself, so two analysts moving one alert at once cannot take it
 * somewhere the lifecycle does not go.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

/* The statuses an alert may be moved to from, for each target. */
static const struct {
    const char *to;
    const char *from_sql; /* the statuses it may come from, as an SQL list */
} moves[] = {
    {"acknowledged", "('new')"},
    {"escalated", "('new', 'acknowledged')"},
    {"closed", "('new', 'acknowledged', 'escalated')"},
};

static void bind_text_or_null(sqlite3_stmt *s, int i, struct slice v)
{
    if (v.p)
        sqlite3_bind_text(s, i, v.p, (int)v.len, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

/* See store.h. */
int store_alert_set_status(struct store *st, uint64_t id, const char *status, const char *reason,
                           const char *actor, int64_t now_ns, char *why, size_t whylen)
{
    size_t m = 0;
    while (m < sizeof moves / sizeof moves[0] && strcmp(moves[m].to, status))
        m++;
    if (m == sizeof moves / sizeof moves[0]) {
        snprintf(why, whylen,
                 "'%s' is not a status an alert can be moved to (acknowledged,"
                 " escalated, closed)",
                 status);
        return ERR_INVAL;
    }
    if (!strcmp(status, "closed") && (!reason || !*reason)) {
        snprintf(why, whylen, "closing an alert needs a reason");
        return ERR_INVAL;
    }
    char sql[256];
    snprintf(sql, sizeof sql,
             "UPDATE alerts SET status = ?2, status_reason = ?3, status_by = ?4, status_at = ?5"
             " WHERE id = ?1 AND status IN %s",
             moves[m].from_sql);
    int rc = ERR_DB;
    sqlite3_stmt *s = NULL, *q = NULL;
    pthread_mutex_lock(&st->main_lock);
    if (sqlite3_prepare_v2(st->main_db, sql, -1, &s, NULL) != SQLITE_OK)
        goto out;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)id);
    sqlite3_bind_text(s, 2, status, -1, SQLITE_STATIC);
    bind_text_or_null(s, 3, reason && *reason ? slice_cstr(reason) : SLICE_NULL);
    sqlite3_bind_text(s, 4, actor ? actor : "-", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, now_ns);
    if (sqlite3_step(s) != SQLITE_DONE)
        goto out;
    if (sqlite3_changes(st->main_db) == 1) {
        rc = 0;
        goto out;
    }
    /* why not: no such alert, or its status */
    if (sqlite3_prepare_v2(st->main_db, "SELECT status FROM alerts WHERE id = ?1", -1, &q, NULL) !=
        SQLITE_OK)
        goto out;
    sqlite3_bind_int64(q, 1, (sqlite3_int64)id);
    if (sqlite3_step(q) == SQLITE_ROW) {
        snprintf(why, whylen, "the alert is %s: it cannot be moved to %s",
                 (const char *)sqlite3_column_text(q, 0), status);
        rc = ERR_INVAL;
    } else {
        snprintf(why, whylen, "no alert has that id");
        rc = ERR_NOTFOUND;
    }
out:
    sqlite3_finalize(s);
    sqlite3_finalize(q);
    pthread_mutex_unlock(&st->main_lock);
    return rc;
}

/* See store.h. */
int store_alert_assign(struct store *st, uint64_t id, const char *assignee)
{
    int rc = ERR_DB;
    sqlite3_stmt *s = NULL;
    pthread_mutex_lock(&st->main_lock);
    if (sqlite3_prepare_v2(st->main_db, "UPDATE alerts SET assignee = ?2 WHERE id = ?1", -1, &s,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, (sqlite3_int64)id);
        bind_text_or_null(s, 2, assignee && *assignee ? slice_cstr(assignee) : SLICE_NULL);
        if (sqlite3_step(s) == SQLITE_DONE)
            rc = sqlite3_changes(st->main_db) ? 0 : ERR_NOTFOUND;
    }
    sqlite3_finalize(s);
    pthread_mutex_unlock(&st->main_lock);
    return rc;
}

/* See store.h. */
int store_suppression_add(struct store *st, const struct store_suppression *x, int64_t *id)
{
    int rc = ERR_DB;
    sqlite3_stmt *s = NULL;
    pthread_mutex_lock(&st->main_lock);
    if (sqlite3_prepare_v2(st->main_db,
                           "INSERT INTO suppressions(rule_id, src_ip, dst_ip, user, host, reason,"
                           " created_by, created, expires) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
                           " ?9)",
                           -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, x->rule_id, -1, SQLITE_STATIC);
        bind_text_or_null(s, 2, x->src_ip);
        bind_text_or_null(s, 3, x->dst_ip);
        bind_text_or_null(s, 4, x->user);
        bind_text_or_null(s, 5, x->host);
        sqlite3_bind_text(s, 6, x->reason, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 7, x->created_by ? x->created_by : "-", -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 8, x->created_ns);
        sqlite3_bind_int64(s, 9, x->expires_ns);
        if (sqlite3_step(s) == SQLITE_DONE) {
            *id = sqlite3_last_insert_rowid(st->main_db);
            rc = 0;
        }
    }
    sqlite3_finalize(s);
    pthread_mutex_unlock(&st->main_lock);
    return rc;
}

/* See store.h. */
int store_suppression_remove(struct store *st, int64_t id)
{
    return store_main_by_id(st, "DELETE FROM suppressions WHERE id = ?1", id);
}

static struct slice col(sqlite3_stmt *s, int i)
{
    if (sqlite3_column_type(s, i) == SQLITE_NULL)
        return SLICE_NULL;
    const char *p = (const char *)sqlite3_column_text(s, i);
    return slice_make(p, (size_t)sqlite3_column_bytes(s, i));
}

/* See store.h. */
int store_suppressions_list(struct store *st, int64_t now_ns, store_suppression_fn fn, void *ctx)
{
    int rc = ERR_DB;
    sqlite3_stmt *s = NULL;
    pthread_mutex_lock(&st->main_lock);
    if (sqlite3_prepare_v2(st->main_db,
                           "SELECT id, rule_id, src_ip, dst_ip, user, host, reason, created_by,"
                           " created, expires FROM suppressions WHERE ?1 = 0 OR expires > ?1"
                           " ORDER BY id",
                           -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, now_ns);
        int r;
        while ((r = sqlite3_step(s)) == SQLITE_ROW) {
            struct store_suppression x = {
                .id = sqlite3_column_int64(s, 0),
                .rule_id = (const char *)sqlite3_column_text(s, 1),
                .src_ip = col(s, 2),
                .dst_ip = col(s, 3),
                .user = col(s, 4),
                .host = col(s, 5),
                .reason = (const char *)sqlite3_column_text(s, 6),
                .created_by = (const char *)sqlite3_column_text(s, 7),
                .created_ns = sqlite3_column_int64(s, 8),
                .expires_ns = sqlite3_column_int64(s, 9),
            };
            if (fn(ctx, &x))
                break;
        }
        rc = r == SQLITE_ROW || r == SQLITE_DONE ? 0 : ERR_DB;
    }
    sqlite3_finalize(s);
    pthread_mutex_unlock(&st->main_lock);
    return rc;
}
