/*
 * store_accounts.c — the console's accounts and failed logins in vigil.db (store.h).
 * Rows only: what a role means, how a password is hashed and when an account is locked
 * are the auth module's. Every call takes the vigil.db mutex.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

#define ACCOUNT_COLS                                                                            \
    "id, name, source, roles, privileges, password, must_change, password_changed, totp,"      \
    " totp_on, disabled, created, last_login, totp_step"

static void text_col(sqlite3_stmt *s, int i, char *out, size_t len)
{
    const char *t = (const char *)sqlite3_column_text(s, i);
    snprintf(out, len, "%s", t ? t : "");
}

static void read_row(sqlite3_stmt *s, struct store_account *a)
{
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(s, 0);
    text_col(s, 1, a->name, sizeof a->name);
    text_col(s, 2, a->source, sizeof a->source);
    a->roles = (unsigned)sqlite3_column_int64(s, 3);
    a->privileges = (unsigned)sqlite3_column_int64(s, 4);
    text_col(s, 5, a->password, sizeof a->password);
    a->must_change = sqlite3_column_int(s, 6) != 0;
    a->password_changed_ns = sqlite3_column_int64(s, 7);
    text_col(s, 8, a->totp, sizeof a->totp);
    a->totp_on = sqlite3_column_int(s, 9) != 0;
    a->disabled = sqlite3_column_int(s, 10) != 0;
    a->created_ns = sqlite3_column_int64(s, 11);
    a->last_login_ns = sqlite3_column_int64(s, 12);
    a->totp_step = sqlite3_column_int64(s, 13);
}

/* Binds a's columns after the id, from parameter 2 on. */
static void bind_row(sqlite3_stmt *s, const struct store_account *a)
{
    sqlite3_bind_text(s, 2, a->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, a->source[0] ? a->source : "local", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, a->roles);
    sqlite3_bind_int64(s, 5, a->privileges);
    sqlite3_bind_text(s, 6, a->password, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 7, a->must_change);
    sqlite3_bind_int64(s, 8, a->password_changed_ns);
    sqlite3_bind_text(s, 9, a->totp, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 10, a->totp_on);
    sqlite3_bind_int(s, 11, a->disabled);
    sqlite3_bind_int64(s, 12, a->created_ns);
    sqlite3_bind_int64(s, 13, a->last_login_ns);
    sqlite3_bind_int64(s, 14, a->totp_step);
}

/* See store.h. */
int store_account_get(struct store *st, const char *name, struct store_account *a)
{
    int rc = ERR_DB;
    sqlite3_stmt *s = NULL;
    pthread_mutex_lock(&st->main_lock);
    if (sqlite3_prepare_v2(st->main_db, "SELECT " ACCOUNT_COLS " FROM accounts WHERE name = ?1",
                           -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
        int r = sqlite3_step(s);
        if (r == SQLITE_ROW) {
            read_row(s, a);
            rc = 0;
        } else if (r == SQLITE_DONE) {
            rc = ERR_NOTFOUND;
        }
    }
    sqlite3_finalize(s);
    pthread_mutex_unlock(&st->main_lock);
    return rc;
}

/* See store.h. */
int store_account_insert(struct store *st, const struct store_account *a, int64_t *id)
{
    int rc = ERR_DB;
    sqlite3_stmt *s = NULL;
    pthread_mutex_lock(&st->main_lock);
    if (sqlite3_prepare_v2(st->main_db,
                           "INSERT INTO accounts(" ACCOUNT_COLS ") VALUES(NULL, ?2, ?3, ?4, ?5,"
                           " ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                           -1, &s, NULL) == SQLITE_OK) {
        bind_row(s, a);
        int r = sqlite3_step(s);
        if (r == SQLITE_DONE) {
            rc = 0;
            if (id)
                *id = sqlite3_last_insert_rowid(st->main_db);
        } else if (sqlite3_extended_errcode(st->main_db) == SQLITE_CONSTRAINT_UNIQUE) {
            rc = ERR_EXISTS;
        }
    }
    sqlite3_finalize(s);
    pthread_mutex_unlock(&st->main_lock);
    return rc;
}

/* See store.h. */
int store_account_update(struct store *st, const struct store_account *a)
{
    int rc = ERR_DB;
    sqlite3_stmt *s = NULL;
    pthread_mutex_lock(&st->main_lock);
    if (sqlite3_prepare_v2(st->main_db,
                           "UPDATE accounts SET name = ?2, source = ?3, roles = ?4,"
                           " privileges = ?5, password = ?6, must_change = ?7,"
                           " password_changed = ?8, totp = ?9, totp_on = ?10, disabled = ?11,"
                           " created = ?12, last_login = ?13, totp_step = ?14 WHERE id = ?1",
                           -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, a->id);
        bind_row(s, a);
        if (sqlite3_step(s) == SQLITE_DONE)
            rc = sqlite3_changes(st->main_db) ? 0 : ERR_NOTFOUND;
    }
    sqlite3_finalize(s);
    pthread_mutex_unlock(&st->main_lock);
    return rc;
}

/* See store.h. */
int store_account_delete(struct store *st, int64_t id)
{
    return store_main_by_id(st, "DELETE FROM accounts WHERE id = ?1", id);
}

/* See store.h. */
int store_account_list(struct store *st, store_account_fn fn, void *ctx)
{
    int rc = ERR_DB;
    sqlite3_stmt *s = NULL;
    pthread_mutex_lock(&st->main_lock);
    if (sqlite3_prepare_v2(st->main_db, "SELECT " ACCOUNT_COLS " FROM accounts ORDER BY name",
                           -1, &s, NULL) == SQLITE_OK) {
        int r;
        rc = 0;
        while ((r = sqlite3_step(s)) == SQLITE_ROW) {
            struct store_account a;
            read_row(s, &a);
            if (fn(ctx, &a))
                break;
        }
        if (r != SQLITE_ROW && r != SQLITE_DONE)
            rc = ERR_DB;
    }
    sqlite3_finalize(s);
    pthread_mutex_unlock(&st->main_lock);
    return rc;
}

/* Runs one statement with (kind, key[, time]) bound; 0 or ERR_DB. Caller holds the lock. */
static int exec3(sqlite3 *db, const char *sql, const char *kind, const char *key, int64_t t)
{
    sqlite3_stmt *s = NULL;
    int rc = ERR_DB;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
        if (sqlite3_bind_parameter_count(s) >= 3)
            sqlite3_bind_int64(s, 3, t);
        rc = sqlite3_step(s) == SQLITE_DONE ? 0 : ERR_DB;
    }
    sqlite3_finalize(s);
    return rc;
}

/* See store.h. */
int store_login_failure_add(struct store *st, const char *kind, const char *key, int64_t now_ns)
{
    pthread_mutex_lock(&st->main_lock);
    int rc = exec3(st->main_db, "INSERT INTO login_failures(kind, key, time) VALUES(?1, ?2, ?3)",
                   kind, key, now_ns);
    pthread_mutex_unlock(&st->main_lock);
    return rc;
}

/* See store.h. */
int store_login_failures(struct store *st, const char *kind, const char *key, int64_t since_ns,
                         uint64_t *n, int64_t *last_ns)
{
    *n = 0;
    *last_ns = 0;
    int rc = ERR_DB;
    sqlite3_stmt *s = NULL;
    pthread_mutex_lock(&st->main_lock);
    (void)exec3(st->main_db, "DELETE FROM login_failures WHERE kind = ?1 AND key = ?2 AND time < ?3",
                kind, key, since_ns - 86400LL * NS_PER_SEC);
    if (sqlite3_prepare_v2(st->main_db,
                           "SELECT count(*), coalesce(max(time), 0) FROM login_failures"
                           " WHERE kind = ?1 AND key = ?2 AND time >= ?3",
                           -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, since_ns);
        if (sqlite3_step(s) == SQLITE_ROW) {
            *n = (uint64_t)sqlite3_column_int64(s, 0);
            *last_ns = sqlite3_column_int64(s, 1);
            rc = 0;
        }
    }
    sqlite3_finalize(s);
    pthread_mutex_unlock(&st->main_lock);
    return rc;
}

/* See store.h. */
int store_login_failures_clear(struct store *st, const char *kind, const char *key)
{
    pthread_mutex_lock(&st->main_lock);
    int rc = exec3(st->main_db, "DELETE FROM login_failures WHERE kind = ?1 AND key = ?2", kind,
                   key, 0);
    pthread_mutex_unlock(&st->main_lock);
    return rc;
}
