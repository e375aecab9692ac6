/*
 * store_audit.c — the audit trail's home: the store installs itself as core's audit
 * sink, and every audit_record (a search, a retention deletion, a configuration load)
 * becomes one row of the audit table in vigil.db, sealed into the trail's hash chain
 * (store_audit_seal.c). The code only ever inserts; triggers in the schema refuse
 * UPDATE and DELETE. Any thread may audit: the vigil.db
 * connection is used under the store's mutex.
 */
#include "store/store_int.h"

#include <string.h>

/* The newest record's id and seal into *id / prev (zeros for an empty trail). */
static int chain_end(sqlite3 *db, int64_t *id, unsigned char prev[STORE_SEAL_BYTES])
{
    sqlite3_stmt *s = NULL;
    *id = 0;
    memset(prev, 0, STORE_SEAL_BYTES);
    if (sqlite3_prepare_v2(db, "SELECT id, seal FROM audit ORDER BY id DESC LIMIT 1", -1, &s,
                           NULL) != SQLITE_OK)
        return ERR_DB;
    int rc = 0, step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        int alg;
        *id = sqlite3_column_int64(s, 0);
        /* a record that is not sealed (a tampered trail) ends the chain: new records
         * chain from zeros, and verify reports the record */
        if (!store_audit_seal_parse((const char *)sqlite3_column_text(s, 1), &alg, prev))
            memset(prev, 0, STORE_SEAL_BYTES);
    } else if (step != SQLITE_DONE) {
        rc = ERR_DB;
    }
    sqlite3_finalize(s);
    return rc;
}

/*
 * Appends e to the audit table, sealed to the record before it (store_audit_seal.c);
 * thread-safe, and safe against other processes appending (the read of the chain's end
 * and the insert are one write transaction). Returns 0 or ERR_DB.
 */
int store_audit_write(struct store *st, const struct audit_entry *e)
{
    int rc = ERR_DB;
    pthread_mutex_lock(&st->main_lock);
    sqlite3 *db = st->main_db;
    sqlite3_stmt *s = NULL;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        goto out;
    int64_t last;
    unsigned char prev[STORE_SEAL_BYTES], seal[STORE_SEAL_BYTES];
    char seal_text[80];
    int64_t time = e->time_ns ? e->time_ns : vtime_now_ns();
    const char *text[5] = {e->actor ? e->actor : "", e->source ? e->source : "",
                           e->action ? e->action : "", e->object ? e->object : "",
                           e->result ? e->result : ""};
    if (chain_end(db, &last, prev) ||
        store_audit_seal_of(&st->audit, st->audit.alg, prev, last + 1, time, text, seal))
        goto rollback;
    store_audit_seal_format(st->audit.alg, seal, seal_text);
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO audit(id, time, actor, source, action, object, result,"
                           " seal) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                           -1, &s, NULL) != SQLITE_OK)
        goto rollback;
    sqlite3_bind_int64(s, 1, last + 1);
    sqlite3_bind_int64(s, 2, time);
    for (int i = 0; i < 5; i++)
        sqlite3_bind_text(s, 3 + i, text[i], -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 8, seal_text, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto rollback;
    rc = 0;
    store_audit_head_maybe(st, last + 1, seal_text, false);
    goto out;
rollback:
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
out:
    sqlite3_finalize(s);
    pthread_mutex_unlock(&st->main_lock);
    return rc;
}

/* See store.h. */
int store_audit_list(struct store *st, int64_t before, size_t limit, store_audit_fn fn,
                     void *ctx)
{
    int rc = ERR_DB;
    sqlite3_stmt *s = NULL;
    pthread_mutex_lock(&st->main_lock);
    if (sqlite3_prepare_v2(st->main_db,
                           "SELECT id, time, actor, source, action, object, result FROM audit"
                           " WHERE ?1 <= 0 OR id < ?1 ORDER BY id DESC LIMIT ?2",
                           -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, before);
        sqlite3_bind_int64(s, 2, (sqlite3_int64)(limit && limit < 10000 ? limit : 10000));
        int r;
        rc = 0;
        while ((r = sqlite3_step(s)) == SQLITE_ROW) {
            struct store_audit_row row = {
                .id = sqlite3_column_int64(s, 0),
                .time_ns = sqlite3_column_int64(s, 1),
                .actor = (const char *)sqlite3_column_text(s, 2),
                .source = (const char *)sqlite3_column_text(s, 3),
                .action = (const char *)sqlite3_column_text(s, 4),
                .object = (const char *)sqlite3_column_text(s, 5),
                .result = (const char *)sqlite3_column_text(s, 6),
            };
            if (fn(ctx, &row))
                break;
        }
        if (r != SQLITE_ROW && r != SQLITE_DONE)
            rc = ERR_DB;
    }
    sqlite3_finalize(s);
    pthread_mutex_unlock(&st->main_lock);
    return rc;
}

static int audit_sink(void *ctx, const struct audit_entry *e)
{
    return store_audit_write(ctx, e);
}

/* See store.h. The store must outlive the sink: restore with audit_set_sink(NULL, NULL)
 * before store_close. */
void store_install_audit_sink(struct store *st)
{
    audit_set_sink(audit_sink, st);
}
