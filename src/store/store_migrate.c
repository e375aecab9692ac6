/*
 * store_migrate.c — moving a day file of schema v1-v3 (a row per event in `events`,
 * with a per-event trigram index) into the block layout of v4: each row becomes the
 * event it was written from and goes through the writer's own path, in order, in one
 * transaction that also drops the old tables. A crash before the commit leaves the
 * old rows in place and the next open moves them again.
 *
 * The old `fields` column is the JSON object event_fields_json wrote: string keys,
 * values a string or an array of strings. It is read as untrusted: the scanner walks
 * it by length and a malformed object keeps the fields read before the fault.
 */
#include "store/store_int.h"

#include <string.h>

struct jscan {
    const char *p;
    size_t n, i;
};

static void js_ws(struct jscan *j)
{
    while (j->i < j->n &&
           (j->p[j->i] == ' ' || j->p[j->i] == '\n' || j->p[j->i] == '\t' || j->p[j->i] == '\r'))
        j->i++;
}

/* Appends code point v as UTF-8 (a \u00XX escape stands for the raw byte XX). */
static void put_code(struct buf *b, unsigned v)
{
    if (v < 0x100) {
        buf_putc(b, (char)v);
    } else if (v < 0x800) {
        buf_putc(b, (char)(0xc0 | (v >> 6)));
        buf_putc(b, (char)(0x80 | (v & 0x3f)));
    } else {
        buf_putc(b, (char)(0xe0 | (v >> 12)));
        buf_putc(b, (char)(0x80 | ((v >> 6) & 0x3f)));
        buf_putc(b, (char)(0x80 | (v & 0x3f)));
    }
}

/* Reads the JSON string at j->i, unescaped, into a copy in arena a. */
static bool js_string(struct jscan *j, struct buf *tmp, struct arena *a, struct slice *out)
{
    if (j->i >= j->n || j->p[j->i] != '"')
        return false;
    j->i++;
    buf_reset(tmp);
    while (j->i < j->n && j->p[j->i] != '"') {
        char c = j->p[j->i++];
        if (c != '\\') {
            buf_putc(tmp, c);
            continue;
        }
        if (j->i >= j->n)
            return false;
        c = j->p[j->i++];
        switch (c) {
        case 'n':
            buf_putc(tmp, '\n');
            break;
        case 't':
            buf_putc(tmp, '\t');
            break;
        case 'r':
            buf_putc(tmp, '\r');
            break;
        case 'b':
            buf_putc(tmp, '\b');
            break;
        case 'f':
            buf_putc(tmp, '\f');
            break;
        case 'u': {
            unsigned v = 0;
            if (j->n - j->i < 4)
                return false;
            for (int h = 0; h < 4; h++) {
                int x = hex_digit(j->p[j->i + (size_t)h]);
                if (x < 0)
                    return false;
                v = v * 16 + (unsigned)x;
            }
            j->i += 4;
            put_code(tmp, v);
            break;
        }
        default:
            buf_putc(tmp, c);
            break;
        }
    }
    if (j->i >= j->n || tmp->err)
        return false;
    j->i++;
    out->p = arena_dup(a, tmp->p ? tmp->p : "", tmp->len);
    out->len = tmp->len;
    return out->p != NULL;
}

/* Adds the fields of the JSON object obj to ev. */
static void add_fields(const char *obj, size_t n, struct buf *tmp, struct arena *a,
                       struct event *ev)
{
    struct jscan j = {obj, n, 0};
    js_ws(&j);
    if (j.i >= j.n || j.p[j.i] != '{')
        return;
    j.i++;
    for (;;) {
        js_ws(&j);
        struct slice k, v;
        if (!js_string(&j, tmp, a, &k))
            return;
        js_ws(&j);
        if (j.i >= j.n || j.p[j.i] != ':')
            return;
        j.i++;
        js_ws(&j);
        bool array = j.i < j.n && j.p[j.i] == '[';
        j.i += array;
        for (;;) {
            js_ws(&j);
            if (array && j.i < j.n && j.p[j.i] == ']') {
                j.i++;
                break;
            }
            if (!js_string(&j, tmp, a, &v))
                return;
            (void)event_add_named(ev, k, v);
            if (!array)
                break;
            js_ws(&j);
            if (j.i < j.n && j.p[j.i] == ',')
                j.i++;
        }
        js_ws(&j);
        if (j.i >= j.n || j.p[j.i] != ',')
            return;
        j.i++;
    }
}

/* Sets ev's routes from "a,b,c". */
static void add_routes(const char *s, struct event *ev)
{
    while (s && *s) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        char name[128];
        if (n < sizeof name) {
            memcpy(name, s, n);
            name[n] = '\0';
            int r = route_by_name(name);
            if (r >= 0)
                ev->routes |= ROUTE_BIT(r);
        }
        s = e ? e + 1 : NULL;
    }
}

static bool has_rows_table(sqlite3 *db)
{
    sqlite3_stmt *s = NULL;
    bool yes = sqlite3_prepare_v2(db,
                                  "SELECT 1 FROM sqlite_master WHERE type = 'table'"
                                  " AND name = 'events'",
                                  -1, &s, NULL) == SQLITE_OK &&
               sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    return yes;
}

static int move_rows(struct store *st, struct store_day *d, struct event *ev, struct buf *tmp,
                     struct arena *a)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(d->db,
                           "SELECT id, time, received, decoder, routes, flags, fields, raw,"
                           " text FROM events ORDER BY rowid",
                           -1, &s, NULL) != SQLITE_OK)
        return ERR_DB;
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        arena_reset(a);
        event_reset(ev);
        ev->id = (uint64_t)sqlite3_column_int64(s, 0);
        ev->time_ns = sqlite3_column_int64(s, 1);
        ev->received_ns = sqlite3_column_int64(s, 2);
        const char *dec = (const char *)sqlite3_column_text(s, 3);
        ev->decoder = dec ? arena_dup(a, dec, strlen(dec) + 1) : NULL;
        add_routes((const char *)sqlite3_column_text(s, 4), ev);
        ev->flags = (uint32_t)sqlite3_column_int64(s, 5);
        const char *raw = sqlite3_column_blob(s, 7);
        ev->raw = slice_make(raw ? raw : "", (size_t)sqlite3_column_bytes(s, 7));
        const char *text = (const char *)sqlite3_column_text(s, 8);
        ev->text = text ? slice_make(text, (size_t)sqlite3_column_bytes(s, 8)) : ev->raw;
        const char *fields = (const char *)sqlite3_column_text(s, 6);
        add_fields(fields ? fields : "", (size_t)sqlite3_column_bytes(s, 6), tmp, a, ev);
        int ins;
        rc = store_day_write_event(st, d, ev, &ins);
    }
    sqlite3_finalize(s);
    if (rc == 0 && step != SQLITE_DONE)
        rc = ERR_DB;
    return rc;
}

/* See store_int.h. */
int store_migrate_rows(struct store *st, struct store_day *d)
{
    if (!has_rows_table(d->db))
        return 0;
    struct event *ev = mem_alloc(sizeof *ev);
    if (!ev)
        return ERR_NOMEM;
    struct buf tmp;
    struct arena a;
    buf_init(&tmp, EVENT_MAX_RECORD * 8);
    arena_init(&a, 1 << 16, (size_t)1 << 26);
    int rc = sqlite3_exec(d->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK ? 0 : ERR_DB;
    if (rc == 0)
        rc = move_rows(st, d, ev, &tmp, &a);
    if (rc == 0)
        rc = store_day_sync_tail(d);
    if (rc == 0 && sqlite3_exec(d->db, "DROP TABLE events; DROP TABLE events_fts; COMMIT", NULL,
                                NULL, NULL) != SQLITE_OK)
        rc = ERR_DB;
    if (rc) {
        sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
        (void)store_day_load_open(d);
    }
    arena_fini(&a);
    buf_fini(&tmp);
    mem_free(ev);
    return rc;
}
