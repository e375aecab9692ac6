/*
 * store_searches.c — the console's saved searches in vigil.db (store.h, schema v11):
 * per account, a name and the text of a query, so an analyst finds them on any
 * workstation. The rows are the store's; who may save (PERM_SEARCH) and the audit of
 * each change are the web layer's. Every call takes the vigil.db mutex; a save is one
 * transaction, so the cap of STORE_SEARCHES_MAX per account holds whatever the order of
 * requests.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

/* Characters of UTF-8 text s[0..n) (the bytes that do not continue a sequence). */
static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

static bool blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return false;
    return true;
}

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

/* NULL when text fits (non-blank UTF-8 of at most max characters), else why not. The
 * byte bound (4 per character) keeps the count honest for any bytes. */
static const char *text_problem(const char *text, size_t max)
{
    size_t n = text ? strlen(text) : 0;
    if (!n || blank(text))
        return "is empty";
    if (n > 4 * max || utf8_chars(text, n) > max)
        return "is too long";
    if (!utf8_valid(text, n))
        return "is not UTF-8 text";
    return NULL;
}

/* 0 when s may be saved, else ERR_INVAL with the reason in why. */
static int check(const struct store_search *s, char *why, size_t whylen)
{
    const char *p = text_problem(s->name, STORE_SEARCH_NAME_MAX);
    if (!p && has_control(s->name))
        p = "holds control characters";
    if (p) {
        snprintf(why, whylen, "the name %s (1 to %d characters)", p, STORE_SEARCH_NAME_MAX);
        return ERR_INVAL;
    }
    if ((p = text_problem(s->query, STORE_SEARCH_QUERY_MAX))) {
        snprintf(why, whylen, "the query %s (1 to %d characters)", p, STORE_SEARCH_QUERY_MAX);
        return ERR_INVAL;
    }
    if (!s->owner || !*s->owner) {
        snprintf(why, whylen, "no owner");
        return ERR_INVAL;
    }
    return 0;
}

/* Runs sql with (owner, name or NULL) bound as ?1, ?2 and reads one integer column into
 * *out: 0, ERR_NOTFOUND (no row), ERR_DB. Caller holds the lock. */
static int one_int(sqlite3 *db, const char *sql, const char *owner, const char *name, int64_t *out)
{
    sqlite3_stmt *s = NULL;
    int rc = ERR_DB;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, owner, -1, SQLITE_STATIC);
        if (name)
            sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
        int r = sqlite3_step(s);
        if (r == SQLITE_ROW)
            *out = sqlite3_column_int64(s, 0);
        rc = r == SQLITE_ROW ? 0 : r == SQLITE_DONE ? ERR_NOTFOUND : ERR_DB;
    }
    sqlite3_finalize(s);
    return rc;
}

/* Inserts s as a new row, or (s->id set) writes its query and time over row s->id. */
static int write_row(sqlite3 *db, struct store_search *s)
{
    sqlite3_stmt *q = NULL;
    int rc = ERR_DB;
    const char *sql = s->id ? "UPDATE saved_searches SET query = ?3, created = ?4 WHERE id = ?5"
                            : "INSERT INTO saved_searches(owner, name, query, created)"
                              " VALUES(?1, ?2, ?3, ?4)";
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK) {
        if (s->id) {
            sqlite3_bind_int64(q, 5, s->id);
        } else {
            sqlite3_bind_text(q, 1, s->owner, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 2, s->name, -1, SQLITE_STATIC);
        }
        sqlite3_bind_text(q, 3, s->query, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 4, s->created_ns);
        if (sqlite3_step(q) == SQLITE_DONE) {
            rc = 0;
            if (!s->id)
                s->id = sqlite3_last_insert_rowid(db);
        }
    }
    sqlite3_finalize(q);
    return rc;
}

/* The save inside its transaction: replace by name, else insert below the cap. */
static int save_tx(sqlite3 *db, struct store_search *s, bool *replaced)
{
    int64_t n = 0;
    s->id = 0;
    int rc = one_int(db, "SELECT id FROM saved_searches WHERE owner = ?1 AND name = ?2", s->owner,
                     s->name, &s->id);
    if (rc && rc != ERR_NOTFOUND)
        return rc;
    *replaced = rc == 0;
    if (!*replaced) {
        rc =
            one_int(db, "SELECT count(*) FROM saved_searches WHERE owner = ?1", s->owner, NULL, &n);
        if (rc)
            return rc;
        if (n >= STORE_SEARCHES_MAX)
            return ERR_FULL;
    }
    return write_row(db, s);
}

/* See store.h. */
int store_search_save(struct store *st, struct store_search *s, bool *replaced, char *why,
                      size_t whylen)
{
    bool rep = false;
    int rc = check(s, why, whylen);
    if (rc)
        return rc;
    pthread_mutex_lock(&st->main_lock);
    rc = ERR_DB;
    if (sqlite3_exec(st->main_db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK) {
        rc = save_tx(st->main_db, s, &rep);
        if (rc == 0 && sqlite3_exec(st->main_db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            rc = ERR_DB;
        if (rc)
            sqlite3_exec(st->main_db, "ROLLBACK", NULL, NULL, NULL);
    }
    pthread_mutex_unlock(&st->main_lock);
    if (rc == ERR_FULL)
        snprintf(why, whylen, "%d searches are saved already: delete one first",
                 STORE_SEARCHES_MAX);
    else if (rc)
        snprintf(why, whylen, "the store refused it");
    if (replaced)
        *replaced = rep;
    return rc;
}

static const char *text_col(sqlite3_stmt *s, int i)
{
    const char *t = (const char *)sqlite3_column_text(s, i);
    return t ? t : "";
}

/* See store.h. */
int store_searches_list(struct store *st, const char *owner, store_search_fn fn, void *ctx)
{
    int rc = ERR_DB;
    sqlite3_stmt *s = NULL;
    pthread_mutex_lock(&st->main_lock);
    if (sqlite3_prepare_v2(st->main_db,
                           "SELECT id, owner, name, query, created FROM saved_searches"
                           " WHERE owner = ?1 ORDER BY created DESC, id DESC",
                           -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, owner, -1, SQLITE_STATIC);
        int r;
        while ((r = sqlite3_step(s)) == SQLITE_ROW) {
            struct store_search row = {.id = sqlite3_column_int64(s, 0),
                                       .owner = text_col(s, 1),
                                       .name = text_col(s, 2),
                                       .query = text_col(s, 3),
                                       .created_ns = sqlite3_column_int64(s, 4)};
            if (fn(ctx, &row))
                break;
        }
        rc = r == SQLITE_ROW || r == SQLITE_DONE ? 0 : ERR_DB;
    }
    sqlite3_finalize(s);
    pthread_mutex_unlock(&st->main_lock);
    return rc;
}

/* See store.h. */
int store_search_delete(struct store *st, const char *owner, int64_t id, char *name, size_t namelen)
{
    int rc = ERR_DB;
    sqlite3_stmt *s = NULL;
    if (namelen)
        name[0] = '\0';
    pthread_mutex_lock(&st->main_lock);
    if (sqlite3_prepare_v2(st->main_db,
                           "DELETE FROM saved_searches WHERE id = ?1 AND owner = ?2"
                           " RETURNING name",
                           -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_text(s, 2, owner, -1, SQLITE_STATIC);
        int r = sqlite3_step(s);
        bool found = r == SQLITE_ROW; /* a row returned: one was deleted */
        if (found && namelen)
            snprintf(name, namelen, "%s", text_col(s, 0));
        if (found)
            r = sqlite3_step(s);
        rc = r != SQLITE_DONE ? ERR_DB : found ? 0 : ERR_NOTFOUND;
    }
    sqlite3_finalize(s);
    pthread_mutex_unlock(&st->main_lock);
    return rc;
}
