/*
 * store_main.c — the shapes of write several vigil.db tables share (store_int.h): one
 * statement run for each of a batch of rows, in one transaction under the main lock;
 * one statement on the row of an id; and the settings table's keys.
 */
#include "store/store_int.h"

/* See store_int.h. */
int store_main_each(struct store *st, const char *sql, const void *rows, size_t n,
                    store_bind_fn bind)
{
    if (n == 0)
        return 0;
    int rc = ERR_DB;
    sqlite3_stmt *s = NULL;
    pthread_mutex_lock(&st->main_lock);
    if (sqlite3_exec(st->main_db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        goto out;
    if (sqlite3_prepare_v2(st->main_db, sql, -1, &s, NULL) != SQLITE_OK)
        goto rollback;
    for (size_t i = 0; i < n; i++) {
        bind(s, rows, i);
        int r = sqlite3_step(s);
        sqlite3_reset(s);
        if (r != SQLITE_DONE)
            goto rollback;
    }
    if (sqlite3_exec(st->main_db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK) {
        rc = 0;
        goto out;
    }
rollback:
    sqlite3_exec(st->main_db, "ROLLBACK", NULL, NULL, NULL);
out:
    sqlite3_finalize(s);
    pthread_mutex_unlock(&st->main_lock);
    return rc;
}

/* See store_int.h. */
int store_main_by_id(struct store *st, const char *sql, int64_t id)
{
    int rc = ERR_DB;
    sqlite3_stmt *s = NULL;
    pthread_mutex_lock(&st->main_lock);
    if (sqlite3_prepare_v2(st->main_db, sql, -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, id);
        if (sqlite3_step(s) == SQLITE_DONE)
            rc = sqlite3_changes(st->main_db) ? 0 : ERR_NOTFOUND;
    }
    sqlite3_finalize(s);
    pthread_mutex_unlock(&st->main_lock);
    return rc;
}

/* See store_int.h. */
char *store_setting_db_get(sqlite3 *db, const char *key)
{
    sqlite3_stmt *s = NULL;
    char *v = NULL;
    if (sqlite3_prepare_v2(db, "SELECT value FROM settings WHERE key = ?1", -1, &s, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW)
            v = mem_strdup((const char *)sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    return v;
}

/* See store_int.h. */
int store_setting_db_put(sqlite3 *db, const char *key, const char *value)
{
    sqlite3_stmt *s = NULL;
    int rc = ERR_DB;
    if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO settings(key, value) VALUES(?1, ?2)", -1,
                           &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
        rc = sqlite3_step(s) == SQLITE_DONE ? 0 : ERR_DB;
    }
    sqlite3_finalize(s);
    return rc;
}

/* See store.h. */
char *store_setting_get(struct store *st, const char *key)
{
    pthread_mutex_lock(&st->main_lock);
    char *v = store_setting_db_get(st->main_db, key);
    pthread_mutex_unlock(&st->main_lock);
    return v;
}

/* See store.h. */
int store_setting_put(struct store *st, const char *key, const char *value)
{
    pthread_mutex_lock(&st->main_lock);
    int rc = store_setting_db_put(st->main_db, key, value);
    pthread_mutex_unlock(&st->main_lock);
    return rc;
}
