/*
 * store_audit_verify.c — `vigil audit verify`'s walk over the sealed audit trail
 * (store_audit_seal.c). It tells apart, and names the record of:
 *   - a record altered, or moved in from elsewhere: its seal does not match its content
 *     and the seal of the record before it;
 *   - records deleted from the middle or the start: a gap in the ids;
 *   - a record that carries no seal, or one it cannot read;
 *   - a trail rewritten or cut short: a head in the heads file names a record whose
 *     seal differs, or one past the trail's end.
 * After a problem the walk takes up the chain again from the record's own seal, so one
 * altered record is one problem, not every record after it.
 */
#include "store/store_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct walk {
    store_audit_problem_fn fn;
    void *ctx;
    struct store_audit_report *r;
};

__attribute__((format(printf, 3, 4))) static void problem(struct walk *w, int64_t id,
                                                          const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    w->r->problems++;
    if (w->fn)
        w->fn(w->ctx, id, what);
}

/* The chain: every record in id order. */
static int walk_chain(struct store *st, struct walk *w)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->main_db,
                           "SELECT id, time, actor, source, action, object, result, seal"
                           " FROM audit ORDER BY id",
                           -1, &s, NULL) != SQLITE_OK)
        return ERR_DB;
    unsigned char prev[STORE_SEAL_BYTES] = {0};
    int64_t expect = 1;
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(s, 0);
        w->r->records++;
        w->r->last_id = id;
        bool gap = id != expect;
        if (id > expect)
            problem(w, expect, "records %lld to %lld are missing (deleted)", (long long)expect,
                    (long long)id - 1);
        else if (id < expect)
            problem(w, id, "record out of order"); /* not reachable through SQLite's rowid */
        expect = id + 1;
        const char *text[5];
        for (int i = 0; i < 5; i++) {
            text[i] = (const char *)sqlite3_column_text(s, 2 + i);
            if (!text[i])
                text[i] = "";
        }
        int alg;
        unsigned char seal[STORE_SEAL_BYTES], want[STORE_SEAL_BYTES];
        const char *stored = (const char *)sqlite3_column_text(s, 7);
        if (!store_audit_seal_parse(stored, &alg, seal)) {
            problem(w, id, stored ? "its seal is unreadable" : "it carries no seal");
            memset(prev, 0, sizeof prev);
            continue;
        }
        if (store_audit_seal_of(&st->audit, alg, prev, id, sqlite3_column_int64(s, 1), text,
                                want)) {
            sqlite3_finalize(s);
            return ERR_INVAL;
        }
        /* after a gap the link to the record before cannot hold: the gap is the problem */
        if (!gap && memcmp(want, seal, sizeof want))
            problem(w, id,
                    "altered, or moved from elsewhere: its seal does not match its content"
                    " and the record before it");
        memcpy(prev, seal, sizeof prev);
    }
    sqlite3_finalize(s);
    return step == SQLITE_DONE ? 0 : ERR_DB;
}

/* The seal the trail holds for record id into out; false when there is no such record. */
static bool seal_at(sqlite3 *db, int64_t id, char *out, size_t len)
{
    sqlite3_stmt *s = NULL;
    bool found = false;
    if (sqlite3_prepare_v2(db, "SELECT seal FROM audit WHERE id = ?1", -1, &s, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_int64(s, 1, id);
        if (sqlite3_step(s) == SQLITE_ROW) {
            const char *t = (const char *)sqlite3_column_text(s, 0);
            snprintf(out, len, "%s", t ? t : "");
            found = true;
        }
    }
    sqlite3_finalize(s);
    return found;
}

/* Parses "vigil-audit-head time=T id=N seal=S"; false when the line is not one. */
static bool parse_head(char *line, int64_t *time, int64_t *id, char **seal)
{
    long long t, n;
    int off = 0;
    if (sscanf(line, "vigil-audit-head time=%lld id=%lld seal=%n", &t, &n, &off) != 2 || !off)
        return false;
    *time = t;
    *id = n;
    *seal = line + off;
    (*seal)[strcspn(*seal, "\r\n ")] = '\0';
    return n > 0;
}

/* The heads: each must name a record of the trail with the same seal. */
static int check_heads(struct store *st, const char *path, struct walk *w)
{
    FILE *f = fopen(path, "re");
    if (!f) {
        if (errno != ENOENT)
            return ERR_IO;
        w->r->heads_missing = true;
        return 0;
    }
    char line[512], held[96];
    unsigned long lineno = 0;
    int64_t cut_time = 0, cut_id = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        int64_t time, id;
        char *seal;
        if (!parse_head(line, &time, &id, &seal)) {
            problem(w, 0, "%s:%lu: not a head line", path, lineno);
            continue;
        }
        w->r->heads++;
        if (time >= w->r->head_time) {
            w->r->head_time = time;
            w->r->head_id = id;
        }
        char when[40];
        vtime_format(time, when, sizeof when);
        if (!seal_at(st->main_db, id, held, sizeof held)) {
            if (id > w->r->last_id && id > cut_id) {
                cut_id = id;
                cut_time = time;
            }
            continue; /* a deleted record in the middle is reported by the walk */
        }
        if (strcmp(held, seal))
            problem(w, id, "differs from the head written at %s (%s:%lu): the trail was rewritten",
                    when, path, lineno);
    }
    bool read_error = ferror(f);
    fclose(f);
    if (cut_id) {
        char when[40];
        vtime_format(cut_time, when, sizeof when);
        problem(w, w->r->last_id + 1,
                "records %lld to %lld are missing: the trail ends at record %lld, but the head"
                " written at %s names record %lld (the tail was cut off)",
                (long long)w->r->last_id + 1, (long long)cut_id, (long long)w->r->last_id, when,
                (long long)cut_id);
    }
    return read_error ? ERR_IO : 0;
}

/* See store.h. */
int store_audit_verify(struct store *st, const char *heads_file, store_audit_problem_fn fn,
                       void *ctx, struct store_audit_report *r)
{
    memset(r, 0, sizeof *r);
    struct walk w = {fn, ctx, r};
    pthread_mutex_lock(&st->main_lock);
    /* one read transaction: the walk and the heads see the same trail */
    int rc = sqlite3_exec(st->main_db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK ? 0 : ERR_DB;
    if (!rc)
        rc = walk_chain(st, &w);
    if (!rc)
        rc = check_heads(st, heads_file ? heads_file : st->audit.heads_file, &w);
    sqlite3_exec(st->main_db, "COMMIT", NULL, NULL, NULL);
    pthread_mutex_unlock(&st->main_lock);
    return rc;
}
