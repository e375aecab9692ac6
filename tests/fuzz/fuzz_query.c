/*
 * fuzz_query.c — libFuzzer target for the search language: store_query_parse on any
 * bytes (cut at the first NUL, as a C string would be), then, for a tree it accepts,
 * the value matcher with the term's value as pattern, and the store's two halves of a
 * search held against each other: when the exact filter matches one of a few fixed
 * records, the block prefilter's FTS5 expression must select the block document of
 * those records in a real SQLite FTS5 table (no false negatives, no syntax errors).
 * A parse error must come with an offset message.
 */
#include "core/core.h"
#include "event/event.h"
#include "store/store.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

static const char *const lines[][6] = {
    /* raw, then field name/value pairs */
    {"Failed password for root from 203.0.113.5 port 22 ssh2", "src_ip", "203.0.113.5",
     "user", "root"},
    {"GET /index.php?id=1%27%20OR%201=1 HTTP/1.1 sqlmap/1.7", "cs-method", "GET", "sc-status",
     "200"},
    {"Accepted publickey for Alice from 2001:db8::1", "auth_method", "publickey", "user",
     "Alice"},
};
#define NLINES (sizeof lines / sizeof lines[0])

static sqlite3 *db;
static struct buf recs; /* the records of lines[] */

static void setup(void)
{
    struct buf scratch, doc;
    struct store_terms *t;
    buf_init(&scratch, 1 << 16);
    buf_init(&recs, 1 << 20);
    buf_init(&doc, 1 << 20);
    if (store_terms_new(&t))
        abort();
    static struct event ev;
    for (size_t i = 0; i < NLINES; i++) {
        event_reset(&ev);
        ev.id = i + 1;
        ev.raw = ev.text = slice_cstr(lines[i][0]);
        ev.decoder = "sshd";
        for (int k = 1; k + 1 < 6 && lines[i][k]; k += 2)
            event_add_named(&ev, slice_cstr(lines[i][k]), slice_cstr(lines[i][k + 1]));
        store_terms_add_text(t, ev.raw.p, ev.raw.len);
        for (unsigned k = 0; k < ev.nfields; k++)
            store_terms_add_field(t, event_field_name(&ev.fields[k]), ev.fields[k].value);
        store_terms_add_field(t, SLICE_LIT("decoder"), slice_cstr(ev.decoder));
        if (store_rec_encode(&ev, &scratch, &recs))
            abort();
    }
    if (store_terms_doc(t, &doc) || sqlite3_open(":memory:", &db) != SQLITE_OK ||
        store_terms_register(db) ||
        sqlite3_exec(db, "CREATE VIRTUAL TABLE f USING fts5(t, content='',"
                         " tokenize='vigil_terms', detail=none, columnsize=0)",
                     NULL, NULL, NULL) != SQLITE_OK)
        abort();
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "INSERT INTO f(rowid, t) VALUES(1, ?1)", -1, &s, NULL))
        abort();
    sqlite3_bind_text(s, 1, doc.p, (int)doc.len, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
        abort();
    sqlite3_finalize(s);
    store_terms_free(t);
    buf_fini(&doc);
    buf_fini(&scratch);
}

/* The exact filter against the records, then the prefilter against their block. */
static void check_store(const struct query_node *q)
{
    struct store_filter f;
    if (store_filter_compile(q, &f))
        abort();
    bool any = false;
    for (size_t i = 0; i < recs.len;) {
        struct store_rec r;
        size_t used;
        if (store_rec_decode(recs.p + i, recs.len - i, &used, &r))
            abort();
        i += used;
        any |= store_filter_eval(&f, &r);
    }
    store_filter_fini(&f);
    struct buf fts;
    buf_init(&fts, 1 << 20);
    if (store_prefilter(q, &fts) == 0 && fts.len) {
        sqlite3_stmt *s;
        if (sqlite3_prepare_v2(db, "SELECT rowid FROM f WHERE f MATCH ?1", -1, &s, NULL))
            abort();
        sqlite3_bind_text(s, 1, fts.p, (int)fts.len, SQLITE_STATIC);
        int rc = sqlite3_step(s);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            abort(); /* the expression must always be valid FTS5 */
        if (any && rc != SQLITE_ROW)
            abort(); /* a matching record's block must be a candidate */
        sqlite3_finalize(s);
    }
    buf_fini(&fts);
}

static void walk(const struct query_node *n, unsigned depth)
{
    if (!n)
        return;
    if (depth > 300)
        abort();
    if (n->kind == QUERY_TERM && n->value) {
        size_t pn = strlen(n->value);
        static const char subject[] = "Failed password for root from 203.0.113.5 port 22";
        for (int m = 0; m <= STORE_MATCH_CONTAINS_GLOB; m++)
            store_match(subject, sizeof subject - 1, n->value, pn, (enum store_match_mode)m);
    }
    walk(n->left, depth + 1);
    walk(n->right, depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    if (!init) {
        field_registry_init();
        setup();
        init = true;
    }
    if (size > 20000)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct query_node *q = NULL;
    char err[256];
    int rc = store_query_parse(text, &q, err, sizeof err);
    if (rc == ERR_PARSE && strncmp(err, "offset ", 7) != 0)
        abort();
    if (rc == 0) {
        if (!q)
            abort();
        walk(q, 0);
        check_store(q);
        store_query_free(q);
    } else if (q) {
        abort();
    }
    free(text);
    return 0;
}
