/*
 * store_audit.c — the audit trail's home: the store installs itself as core's audit
 * sink, and every audit_record (a search, a retention deletion, a configuration load)
 * becomes one row of the audit table in vigil.db. The code only ever inserts; triggers
 * in the schema refuse UPDATE and DELETE. Any thread may audit: the vigil.db
 * connection is used under the store's mutex.
 */
#include "store/store_int.h"

static void bind_str(sqlite3_stmt *s, int i, const char *v)
{
    sqlite3_bind_text(s, i, v ? v : "", -1, SQLITE_STATIC);
}

/* Appends e to the audit table; thread-safe. Returns 0 or ERR_DB. */
int store_audit_write(struct store *st, const struct audit_entry *e)
{
    int rc = ERR_DB;
    pthread_mutex_lock(&st->main_lock);
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->main_db,
                           "INSERT INTO audit(time, actor, source, action, object, result)"
                           " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                           -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, e->time_ns ? e->time_ns : vtime_now_ns());
        bind_str(s, 2, e->actor);
        bind_str(s, 3, e->source);
        bind_str(s, 4, e->action);
        bind_str(s, 5, e->object);
        bind_str(s, 6, e->result);
        if (sqlite3_step(s) == SQLITE_DONE)
            rc = 0;
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
