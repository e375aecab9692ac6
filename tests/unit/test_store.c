/*
 * test_store.c — the SQLite store on real files in a temporary directory: write and
 * read back, replay deduplication, checkpoints in the events' transaction, cursor
 * paging across day files, retention with its audit rows, schema versions and
 * migration, file modes, and the search semantics (case, wildcards, decoder fields,
 * raw substrings, NOT, ranges, counts). Events are built by hand.
 */
#include "core/core.h"
#include "event/event.h"
#include "store/store.h"
#include "store/store_int.h"
#include "testlib.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define DAY (86400LL * NS_PER_SEC)

static int64_t today0(void)
{
    return vtime_now_ns() / DAY * DAY;
}

static const char *data_dir(void)
{
    static char p[4096];
    snprintf(p, sizeof p, "%s/data", t_tmpdir());
    return p;
}

/* A hand-built sshd-like event. */
static void mk(struct event *ev, uint64_t id, int64_t time, int64_t recv, const char *raw,
               const char *src_ip, const char *user, const char *method)
{
    event_reset(ev);
    ev->id = id;
    ev->time_ns = time;
    ev->received_ns = recv;
    ev->raw = slice_cstr(raw);
    ev->text = ev->raw;
    ev->decoder = "sshd";
    ev->routes = ROUTE_BIT(ROUTE_linux_sshd) | ROUTE_BIT(ROUTE_linux_auth);
    event_add(ev, FIELD_host, SLICE_LIT("web01"));
    event_add(ev, FIELD_program, SLICE_LIT("sshd"));
    if (src_ip)
        event_add(ev, FIELD_src_ip, slice_cstr(src_ip));
    if (user)
        event_add(ev, FIELD_user, slice_cstr(user));
    if (method)
        event_add(ev, FIELD_auth_method, slice_cstr(method));
    event_add(ev, FIELD_src_port, SLICE_LIT("2222"));
}

struct rows {
    size_t n;
    uint64_t ids[64];
    int64_t times[64];
    char fields[1024];
    char routes[256];
    char raw[256];
    size_t raw_len;
};

static int collect(void *ctx, const struct store_row *r)
{
    struct rows *rs = ctx;
    if (rs->n < 64) {
        rs->ids[rs->n] = r->id;
        rs->times[rs->n] = r->time_ns;
    }
    if (rs->n == 0) {
        snprintf(rs->fields, sizeof rs->fields, "%s", r->fields ? r->fields : "");
        snprintf(rs->routes, sizeof rs->routes, "%s", r->routes ? r->routes : "");
        rs->raw_len = r->raw_len < sizeof rs->raw ? r->raw_len : sizeof rs->raw;
        memcpy(rs->raw, r->raw, rs->raw_len);
    }
    rs->n++;
    return 0;
}

/* Runs query text; returns the number of rows (-1 on error) into rs. */
static long search(struct store *st, const char *text, struct rows *rs)
{
    struct query_node *q;
    char err[128];
    memset(rs, 0, sizeof *rs);
    if (store_query_parse(text, &q, err, sizeof err))
        return -1;
    struct store_query sq = {.root = q, .limit = 64};
    int rc = store_query(st, &sq, collect, rs, NULL);
    uint64_t count = 0;
    int rc2 = store_count(st, &sq, &count);
    store_query_free(q);
    if (rc || rc2 || count != rs->n)
        return -1;
    return (long)rs->n;
}

static struct store *open_store(int retention)
{
    struct store_opts o = {.dir = data_dir(), .retention_days = retention};
    struct store *st = NULL;
    if (store_open(&o, &st))
        return NULL;
    return st;
}

static struct event evs[8];

static void t_write_read(void)
{
    struct store *st = open_store(0);
    T_CHECK(st);
    int64_t now = today0() + 3600 * NS_PER_SEC;
    static const char raw0[] = "Accepted publickey for alice from 10.0.0.1 port 2222 ssh2\xff";
    mk(&evs[0], 1, now - 5, now, raw0, "10.0.0.1", "alice", "publickey");
    mk(&evs[1], 2, now - 4, now, "Failed password for bob from 203.0.113.5", "203.0.113.5",
       "bob", "password");
    mk(&evs[2], 3, now - 3, now, "CRON[1]: (root) CMD (run-parts)", NULL, NULL, NULL);
    event_add(&evs[2], FIELD_EXTRA, SLICE_LIT("x"));
    evs[2].fields[evs[2].nfields - 1].name = SLICE_LIT("Extra Name");
    event_add(&evs[2], FIELD_command, SLICE_LIT("a"));
    event_add(&evs[2], FIELD_command, SLICE_LIT("b \"q\""));
    size_t stored = 0;
    T_EQ_INT(store_write_batch(st, evs, 3, NULL, 0, &stored), 0);
    T_EQ_INT(store_flush(st), 0);
    T_EQ_INT(stored, 3);
    struct rows rs;
    T_EQ_INT(search(st, "src_ip:10.0.0.1", &rs), 1);
    T_EQ_INT(rs.ids[0], 1);
    T_EQ_INT(rs.times[0], now - 5);
    T_EQ_INT(rs.raw_len, sizeof raw0 - 1);
    T_CHECK(memcmp(rs.raw, raw0, rs.raw_len) == 0); /* bytes kept verbatim */
    T_EQ_STR(rs.routes, "linux/auth,linux/sshd");
    T_EQ_STR(rs.fields, "{\"host\":\"web01\",\"program\":\"sshd\",\"src_ip\":\"10.0.0.1\","
                        "\"user\":\"alice\",\"auth_method\":\"publickey\","
                        "\"src_port\":\"2222\"}");
    /* repeated fields become an array, extras keep their own name */
    T_EQ_INT(search(st, "Extra\\ Name:x", &rs), 0); /* the parser's field names are plain */
    T_EQ_INT(search(st, "command:a", &rs), 1);
    T_CHECK(strstr(rs.fields, "\"command\":[\"a\",\"b \\\"q\\\"\"]") != NULL);
    T_EQ_INT(search(st, "command:\"b \\\"q\\\"\"", &rs), 1);
    /* everything, newest first */
    T_EQ_INT(search(st, "", &rs), 3);
    T_EQ_INT(rs.ids[0], 3);
    T_EQ_INT(rs.ids[2], 1);
    store_close(st);
}

static void t_search_semantics(void)
{
    struct store *st = open_store(0);
    T_CHECK(st);
    int64_t now = today0() + 7200 * NS_PER_SEC;
    mk(&evs[0], 10, now - 9, now, "Accepted publickey for Alice from 10.0.0.1", "10.0.0.1",
       "Alice", "publickey");
    mk(&evs[1], 11, now - 8, now, "Failed password for bob from 203.0.113.5", "203.0.113.5",
       "bob", "password");
    mk(&evs[2], 12, now - 7, now, "GET /x?q=sqlmap HTTP/1.1 \"sqlmap/1.7\"", NULL, NULL, NULL);
    event_add(&evs[2], FIELD_cs_user_agent, SLICE_LIT("sqlmap/1.7"));
    event_add(&evs[2], FIELD_sc_status, SLICE_LIT("404"));
    mk(&evs[3], 13, now - 6, now, "GET / HTTP/1.1", NULL, NULL, NULL);
    event_add(&evs[3], FIELD_sc_status, SLICE_LIT("200"));
    /* a value that is not part of the text (as an unescaped value would be) */
    mk(&evs[4], 14, now - 5, now, "kv msg=hello%20world", NULL, NULL, NULL);
    event_add(&evs[4], FIELD_message, SLICE_LIT("hello world"));
    T_EQ_INT(store_write_batch(st, evs, 5, NULL, 0, NULL), 0);
    T_EQ_INT(store_flush(st), 0);
    struct rows rs;
    T_EQ_INT(search(st, "user:alice", &rs), 1);          /* case-insensitive column */
    T_EQ_INT(search(st, "user:ALI*", &rs), 1);           /* prefix wildcard */
    T_EQ_INT(search(st, "user:?ob", &rs), 1);
    T_EQ_INT(search(st, "user:al", &rs), 0);             /* whole value, not substring */
    T_EQ_INT(search(st, "src_ip:203.0.113.5", &rs), 1);
    T_EQ_INT(search(st, "src_ip:203.0.113.50", &rs), 0);
    T_EQ_INT(search(st, "auth_method:PUBLICKEY", &rs), 1); /* decoder field */
    T_EQ_INT(rs.ids[0], 10);
    T_EQ_INT(search(st, "auth_method:public", &rs), 0);
    T_EQ_INT(search(st, "cs-user-agent:*sqlmap*", &rs), 1);
    T_EQ_INT(search(st, "cs-user-agent:sqlmap*", &rs), 1);
    T_EQ_INT(search(st, "cs-user-agent:*1.8", &rs), 0);
    T_EQ_INT(search(st, "sqlmap", &rs), 1);              /* raw substring via trigrams */
    T_EQ_INT(search(st, "SQLMAP", &rs), 1);
    T_EQ_INT(search(st, "qlma", &rs), 1);                /* inside a word */
    T_EQ_INT(search(st, "\"password for bob\"", &rs), 1);
    T_EQ_INT(search(st, "\"password for alice\"", &rs), 0);
    T_EQ_INT(search(st, "pass*bob", &rs), 1);            /* wildcard in raw text */
    T_EQ_INT(search(st, "ab", &rs), 0);                  /* under 3 chars: scanned */
    T_EQ_INT(search(st, "GE", &rs), 2);
    T_EQ_INT(search(st, "message:\"hello world\"", &rs), 1); /* value outside the text */
    T_EQ_INT(search(st, "sc-status:[400 TO 499]", &rs), 1);
    T_EQ_INT(search(st, "sc-status:>=200", &rs), 2);
    T_EQ_INT(search(st, "sc-status:{200 TO 404}", &rs), 0);
    T_EQ_INT(search(st, "src_port:[2000 TO 3000]", &rs), 5);
    T_EQ_INT(search(st, "NOT src_ip:10.0.0.1", &rs), 4); /* events without src_ip too */
    T_EQ_INT(search(st, "program:sshd AND NOT sqlmap", &rs), 4);
    T_EQ_INT(search(st, "user:alice OR user:bob", &rs), 2);
    T_EQ_INT(search(st, "(user:alice OR user:bob) publickey", &rs), 1);
    T_EQ_INT(search(st, "decoder:SSHD", &rs), 5);
    T_EQ_INT(search(st, "nosuchfield:x", &rs), 0);
    /* values that look like SQL stay values */
    T_EQ_INT(search(st, "user:\"x' OR 1=1 --\"", &rs), 0);
    T_EQ_INT(search(st, "\"\\\") OR 1=1 --\"", &rs), 0);
    /* the time range is on event time */
    struct query_node *q;
    char err[64];
    T_EQ_INT(store_query_parse("", &q, err, sizeof err), 0);
    struct store_query sq = {.root = q, .from_ns = now - 8, .to_ns = now - 6};
    uint64_t c = 0;
    T_EQ_INT(store_count(st, &sq, &c), 0);
    T_EQ_INT(c, 2);
    store_query_free(q);
    store_close(st);
}

static void t_replay(void)
{
    struct store *st = open_store(0);
    T_CHECK(st);
    int64_t now = today0() + 10 * NS_PER_SEC;
    for (int i = 0; i < 4; i++)
        mk(&evs[i], 100 + (uint64_t)i, now - i, now, "replayed line", "10.1.1.1", "u", NULL);
    for (int i = 0; i < 4; i++) /* as read from a file: stream 7, position = id */
        evs[i].origin = (struct event_origin){7, 100 + (uint64_t)i};
    size_t stored;
    T_EQ_INT(store_write_batch(st, evs, 4, NULL, 0, &stored), 0);
    T_EQ_INT(store_flush(st), 0);
    T_EQ_INT(stored, 4);
    T_EQ_INT(store_write_batch(st, evs, 4, NULL, 0, &stored), 0);
    T_EQ_INT(store_flush(st), 0);
    T_EQ_INT(stored, 0);
    /* a batch mixing old and new ids stores only the new one */
    mk(&evs[4], 200, now, now, "new line", "10.1.1.1", "u", NULL);
    evs[4].origin = (struct event_origin){7, 200};
    T_EQ_INT(store_write_batch(st, evs, 5, NULL, 0, &stored), 0);
    T_EQ_INT(store_flush(st), 0);
    T_EQ_INT(stored, 1);
    struct rows rs;
    T_EQ_INT(search(st, "src_ip:10.1.1.1", &rs), 5);
    T_EQ_INT(search(st, "replayed", &rs), 4); /* and the text index holds no duplicates */
    store_close(st);
    /* after a restart the positions come from the file: the replay stores nothing, a
     * position never stored (inside the gap 104..199) is new, and a record of another
     * stream at a stored position is new too */
    st = open_store(0);
    T_CHECK(st);
    mk(&evs[5], 150, now, now, "gap line", "10.1.1.1", "u", NULL);
    evs[5].origin = (struct event_origin){7, 150};
    mk(&evs[6], 101, now, now, "other stream", "10.1.1.1", "u", NULL);
    evs[6].origin = (struct event_origin){8, 101};
    T_EQ_INT(store_write_batch(st, evs, 7, NULL, 0, &stored), 0);
    T_EQ_INT(store_flush(st), 0);
    T_EQ_INT(stored, 2);
    T_EQ_INT(search(st, "src_ip:10.1.1.1", &rs), 7);
    /* a batch replaying itself stores each position once */
    mk(&evs[0], 300, now, now, "twice in one batch", "10.1.1.1", "u", NULL);
    evs[0].origin = (struct event_origin){7, 300};
    evs[1] = evs[0];
    T_EQ_INT(store_write_batch(st, evs, 2, NULL, 0, &stored), 0);
    T_EQ_INT(stored, 1);
    store_close(st);
}

static void t_checkpoint_tx(void)
{
    struct store *st = open_store(0);
    T_CHECK(st);
    int64_t now = today0() + 20 * NS_PER_SEC;
    struct store_checkpoint cp = {"file:/var/log/auth.log", "offset=100"};
    mk(&evs[0], 1, now, now, "one", NULL, NULL, NULL);
    T_EQ_INT(store_write_batch(st, evs, 1, &cp, 1, NULL), 0);
    T_EQ_INT(store_flush(st), 0);
    struct buf v;
    buf_init(&v, 0);
    T_EQ_INT(store_checkpoint_get(st, cp.key, &v), 0);
    T_EQ_STR(buf_cstr(&v), "offset=100");
    T_EQ_INT(store_checkpoint_get(st, "file:/other", &v), ERR_NOTFOUND);

    /* Make the second event's insert fail inside the day file: neither the first
     * event nor the new checkpoint may be committed. */
    struct buf path;
    buf_init(&path, 0);
    T_EQ_INT(store_day_path(data_dir(), store_day_of(now), &path), 0);
    sqlite3 *db;
    T_EQ_INT(sqlite3_open(path.p, &db), SQLITE_OK);
    T_EQ_INT(sqlite3_exec(db, "CREATE TRIGGER boom BEFORE INSERT ON tail"
                              " WHEN instr(NEW.data, CAST('bad' AS BLOB)) > 0"
                              " BEGIN SELECT RAISE(ABORT, 'boom'); END",
                          NULL, NULL, NULL),
             SQLITE_OK);
    mk(&evs[0], 2, now, now, "two", NULL, NULL, NULL);
    mk(&evs[1], 999, now, now, "bad", NULL, NULL, NULL);
    struct store_checkpoint cp2 = {"file:/var/log/auth.log", "offset=300"};
    size_t stored = 0;
    T_EQ_INT(store_write_batch(st, evs, 2, &cp2, 1, &stored), ERR_DB);
    T_EQ_INT(store_flush(st), 0);
    T_EQ_INT(stored, 0);
    T_EQ_INT(store_checkpoint_get(st, cp.key, &v), 0);
    T_EQ_STR(buf_cstr(&v), "offset=100");
    struct rows rs;
    T_EQ_INT(search(st, "two", &rs), 0);
    T_EQ_INT(sqlite3_exec(db, "DROP TRIGGER boom", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    /* the retry commits both */
    T_EQ_INT(store_write_batch(st, evs, 2, &cp2, 1, &stored), 0);
    T_EQ_INT(store_flush(st), 0);
    T_EQ_INT(stored, 2);
    T_EQ_INT(store_checkpoint_get(st, cp.key, &v), 0);
    T_EQ_STR(buf_cstr(&v), "offset=300");
    /* a batch of no events still commits its checkpoint (to today's file) */
    struct store_checkpoint cp3 = {"file:/var/log/auth.log", "offset=400"};
    T_EQ_INT(store_write_batch(st, NULL, 0, &cp3, 1, NULL), 0);
    T_EQ_INT(store_flush(st), 0);
    T_EQ_INT(store_checkpoint_get(st, cp.key, &v), 0);
    T_EQ_STR(buf_cstr(&v), "offset=400");
    buf_fini(&v);
    buf_fini(&path);
    store_close(st);
}

/* Rows committed in the day file, read through a connection of our own. */
static long committed_rows(int64_t day)
{
    struct buf path;
    buf_init(&path, 0);
    long n = -1;
    struct store_opts o = {.dir = data_dir(), .read_only = true};
    struct store *ro = NULL;
    struct query_node *q = NULL;
    char err[64];
    uint64_t c;
    int64_t t0 = day * DAY;
    struct store_query sq = {.from_ns = t0, .to_ns = t0 + DAY};
    if (store_open(&o, &ro) == 0 && store_query_parse("", &q, err, sizeof err) == 0 &&
        (sq.root = q, store_count(ro, &sq, &c)) == 0)
        n = (long)c;
    store_query_free(q);
    store_close(ro);
    buf_fini(&path);
    return n;
}

static void t_group_commit(void)
{
    struct store *st = open_store(0);
    T_CHECK(st);
    int64_t now = today0() + 30 * NS_PER_SEC;
    int64_t day = store_day_of(now);
    struct store_checkpoint cp = {"file:/g", "offset=1"};
    mk(&evs[0], 1, now, now, "group first", NULL, NULL, NULL);
    T_EQ_INT(store_write_batch(st, evs, 1, &cp, 1, NULL), 0);
    /* open group: neither the row nor its checkpoint is visible yet */
    T_EQ_INT(committed_rows(day), 0);
    struct buf v;
    buf_init(&v, 0);
    T_EQ_INT(store_checkpoint_get(st, cp.key, &v), ERR_NOTFOUND);
    T_EQ_INT(store_flush(st), 0);
    T_EQ_INT(committed_rows(day), 1);
    T_EQ_INT(store_checkpoint_get(st, cp.key, &v), 0);
    T_EQ_STR(buf_cstr(&v), "offset=1");
    T_EQ_INT(store_flush(st), 0); /* nothing open: no-op */

    /* a failing batch inside a group undoes itself only */
    struct buf path;
    buf_init(&path, 0);
    T_EQ_INT(store_day_path(data_dir(), day, &path), 0);
    sqlite3 *db;
    T_EQ_INT(sqlite3_open(path.p, &db), SQLITE_OK);
    T_EQ_INT(sqlite3_exec(db, "CREATE TRIGGER boom BEFORE INSERT ON tail"
                              " WHEN instr(NEW.data, CAST('bad' AS BLOB)) > 0"
                              " BEGIN SELECT RAISE(ABORT, 'boom'); END",
                          NULL, NULL, NULL),
             SQLITE_OK);
    sqlite3_close(db);
    struct store_checkpoint cp2 = {"file:/g", "offset=2"};
    mk(&evs[0], 2, now, now, "group second", NULL, NULL, NULL);
    T_EQ_INT(store_write_batch(st, evs, 1, &cp2, 1, NULL), 0);
    struct store_checkpoint cp3 = {"file:/g", "offset=3"};
    mk(&evs[0], 3, now, now, "group third", NULL, NULL, NULL);
    mk(&evs[1], 999, now, now, "group bad", NULL, NULL, NULL);
    size_t stored = 7;
    T_EQ_INT(store_write_batch(st, evs, 2, &cp3, 1, &stored), ERR_DB);
    T_EQ_INT(stored, 0);
    T_EQ_INT(store_flush(st), 0);
    T_EQ_INT(committed_rows(day), 2);
    T_EQ_INT(store_checkpoint_get(st, cp.key, &v), 0);
    T_EQ_STR(buf_cstr(&v), "offset=2");
    struct rows rs;
    T_EQ_INT(search(st, "second", &rs), 1);
    T_EQ_INT(search(st, "third", &rs), 0);

    /* the group commits by itself once it holds STORE_GROUP_EVENTS events (one batch
     * here, so that the 200 ms age bound cannot split it on a slow machine) */
    struct event *bulk = mem_calloc(STORE_GROUP_EVENTS, sizeof *bulk);
    T_CHECK(bulk);
    uint64_t id = 1000; /* above the trigger's 999 */
    for (unsigned k = 0; k < STORE_GROUP_EVENTS; k++)
        mk(&bulk[k], id++, now, now, "bulk", NULL, NULL, NULL);
    T_EQ_INT(store_write_batch(st, bulk, STORE_GROUP_EVENTS, NULL, 0, NULL), 0);
    mem_free(bulk);
    T_EQ_INT(committed_rows(day), 2 + STORE_GROUP_EVENTS);
    /* and closing the store commits an open group */
    mk(&evs[0], id, now, now, "last one", NULL, NULL, NULL);
    T_EQ_INT(store_write_batch(st, evs, 1, NULL, 0, NULL), 0);
    T_EQ_INT(committed_rows(day), 2 + STORE_GROUP_EVENTS);
    store_close(st);
    T_EQ_INT(committed_rows(day), 3 + STORE_GROUP_EVENTS);
    buf_fini(&v);
    buf_fini(&path);
}

static void t_paging(void)
{
    struct store *st = open_store(0);
    T_CHECK(st);
    int64_t d1 = today0() - DAY + 100, d2 = today0() + 100;
    /* event times interleave across the two day files; ids 5 and 6 share a time */
    mk(&evs[0], 1, 1000, d1, "a", NULL, NULL, NULL);
    mk(&evs[1], 2, 3000, d1, "b", NULL, NULL, NULL);
    mk(&evs[2], 5, 5000, d1, "c", NULL, NULL, NULL);
    mk(&evs[3], 3, 2000, d2, "d", NULL, NULL, NULL);
    mk(&evs[4], 4, 4000, d2, "e", NULL, NULL, NULL);
    mk(&evs[5], 6, 5000, d2, "f", NULL, NULL, NULL);
    size_t stored;
    T_EQ_INT(store_write_batch(st, evs, 6, NULL, 0, &stored), 0);
    T_EQ_INT(store_flush(st), 0);
    T_EQ_INT(stored, 6);
    struct query_node *q;
    char err[64];
    T_EQ_INT(store_query_parse("", &q, err, sizeof err), 0);
    struct store_query sq = {.root = q, .limit = 2};
    uint64_t want[] = {6, 5, 4, 2, 3, 1};
    size_t got = 0;
    for (int page = 0; page < 5; page++) {
        struct rows rs = {0};
        struct store_cursor next;
        T_EQ_INT(store_query(st, &sq, collect, &rs, &next), 0);
        for (size_t i = 0; i < rs.n; i++) {
            T_CHECK(got < 6);
            T_EQ_INT(rs.ids[i], want[got]);
            got++;
        }
        if (!next.valid)
            break;
        sq.after = next;
    }
    T_EQ_INT(got, 6);
    store_query_free(q);
    /* two files exist */
    struct buf p;
    buf_init(&p, 0);
    struct stat sb;
    T_EQ_INT(store_day_path(data_dir(), store_day_of(d1), &p), 0);
    T_EQ_INT(stat(p.p, &sb), 0);
    T_EQ_INT(store_day_path(data_dir(), store_day_of(d2), &p), 0);
    T_EQ_INT(stat(p.p, &sb), 0);
    buf_fini(&p);
    store_close(st);
}

/*
 * One block holding events whose times lie far apart (now, a month ago, a device clock
 *15 years off): the block is cut into slices, and pages newest first still come out
 * in order, each event once, whatever slice or block holds it.
 */
static void t_slices(void)
{
    struct store *st = open_store(0);
    T_CHECK(st);
    int64_t now = today0() + 3600 * NS_PER_SEC;
    const size_t n = STORE_BLOCK_EVENTS + 500; /* a sealed block and an open tail */
    struct event *evs2 = mem_calloc(n, sizeof *evs2);
    T_CHECK(evs2);
    static const int64_t ages[] = {0, 30 * DAY, 15 * 365 * DAY};
    for (size_t i = 0; i < n; i++) {
        int64_t t = now - ages[i % 3] - (int64_t)i * NS_PER_SEC;
        mk(&evs2[i], 1 + (uint64_t)i, t, now, i % 2 ? "odd line" : "even line", NULL, NULL, NULL);
    }
    size_t stored;
    T_EQ_INT(store_write_batch(st, evs2, n, NULL, 0, &stored), 0);
    T_EQ_INT(store_flush(st), 0);
    T_EQ_INT(stored, n);
    /* the sealed block was cut at the two gaps */
    struct buf path;
    buf_init(&path, 0);
    T_EQ_INT(store_day_path(data_dir(), store_day_of(now), &path), 0);
    sqlite3 *db;
    T_EQ_INT(sqlite3_open_v2(path.p, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *s;
    T_EQ_INT(sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM blocks),"
                                    " (SELECT count(*) FROM slices)",
                                -1, &s, NULL),
             SQLITE_OK);
    T_EQ_INT(sqlite3_step(s), SQLITE_ROW);
    T_EQ_INT(sqlite3_column_int(s, 0), 1);
    T_EQ_INT(sqlite3_column_int(s, 1), 3);
    sqlite3_finalize(s);
    sqlite3_close(db);
    buf_fini(&path);
    /* page through "odd" newest first: strictly descending (time, id), all of them */
    struct query_node *q;
    char err[64];
    T_EQ_INT(store_query_parse("odd", &q, err, sizeof err), 0);
    struct store_query sq = {.root = q, .limit = 61}; /* rows keeps 64 */
    size_t got = 0;
    int64_t last_t = INT64_MAX;
    uint64_t last_id = UINT64_MAX;
    bool ordered = true;
    for (int page = 0; page < 100; page++) {
        struct rows rs = {0};
        struct store_cursor next;
        T_EQ_INT(store_query(st, &sq, collect, &rs, &next), 0);
        for (size_t i = 0; i < rs.n; i++) {
            ordered &= rs.times[i] < last_t || (rs.times[i] == last_t && rs.ids[i] < last_id);
            last_t = rs.times[i];
            last_id = rs.ids[i];
        }
        got += rs.n;
        if (!next.valid)
            break;
        sq.after = next;
    }
    T_CHECK(ordered);
    T_EQ_INT(got, n / 2);
    /* a time range inside one slice: the month-old odd lines only */
    sq = (struct store_query){.root = q, .from_ns = now - 40 * DAY, .to_ns = now - 20 * DAY};
    uint64_t c = 0, want = 0;
    for (size_t i = 0; i < n; i++)
        want += i % 3 == 1 && i % 2 == 1;
    T_EQ_INT(store_count(st, &sq, &c), 0);
    T_EQ_INT(c, want);
    store_query_free(q);
    mem_free(evs2);
    store_close(st);
}

/* A web server's client address is c-ip; its routes alias src_ip to it. */
static void t_alias(void)
{
    static const struct field_alias web[] = {{FIELD_src_ip, FIELD_c_ip}, {0, 0}};
    struct store *st = open_store(0);
    T_CHECK(st);
    int64_t now = today0() + 60 * NS_PER_SEC;
    mk(&evs[0], 1, now, now, "198.51.100.7 - - \"GET / HTTP/1.1\" 200 5", NULL, NULL, NULL);
    event_add(&evs[0], FIELD_c_ip, SLICE_LIT("198.51.100.7"));
    evs[0].aliases = web;
    mk(&evs[1], 2, now, now, "no client here", NULL, NULL, NULL);
    evs[1].aliases = web;
    T_EQ_INT(store_write_batch(st, evs, 2, NULL, 0, NULL), 0);
    store_close(st); /* sealed: the terms index holds the alias too */
    st = open_store(0);
    T_CHECK(st);
    struct rows rs;
    T_EQ_INT(search(st, "src_ip:198.51.100.7", &rs), 1);
    T_EQ_INT(rs.ids[0], 1);
    T_EQ_INT(search(st, "c-ip:198.51.100.7", &rs), 1);
    T_EQ_INT(search(st, "src_ip:198.51.100.*", &rs), 1);
    /* the fields object shows what the event holds, not its aliases */
    T_CHECK(strstr(rs.fields, "\"c-ip\":\"198.51.100.7\"") != NULL);
    T_CHECK(strstr(rs.fields, "\"src_ip\"") == NULL);
    store_close(st);
}

static int audit_rows(const char *action, const char *object)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/vigil.db", data_dir());
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        return -1;
    sqlite3_stmt *s;
    int n = -1;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM audit WHERE action = ?1 AND object = ?2"
                               " AND actor = 'system' AND result = 'ok'",
                           -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, action, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, object, -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW)
            n = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
    }
    /* the trail is append-only */
    if (sqlite3_exec(db, "DELETE FROM audit", NULL, NULL, NULL) == SQLITE_OK ||
        sqlite3_exec(db, "UPDATE audit SET result = 'x'", NULL, NULL, NULL) == SQLITE_OK)
        n = -2;
    sqlite3_close(db);
    return n;
}

static void t_retention(void)
{
    struct store *st = open_store(190);
    T_CHECK(st);
    store_install_audit_sink(st);
    int64_t now = today0() + 50 * NS_PER_SEC;
    mk(&evs[0], 1, now, now - 200 * DAY, "old", NULL, NULL, NULL);
    mk(&evs[1], 2, now, now - 190 * DAY, "just out", NULL, NULL, NULL);
    mk(&evs[2], 3, now, now - 189 * DAY, "oldest kept", NULL, NULL, NULL);
    mk(&evs[3], 4, now, now, "today", NULL, NULL, NULL);
    T_EQ_INT(store_write_batch(st, evs, 4, NULL, 0, NULL), 0);
    T_EQ_INT(store_flush(st), 0);
    T_EQ_INT(store_retention_run(st, now), 2);
    T_EQ_INT(store_retention_run(st, now), 0);
    struct rows rs;
    T_EQ_INT(search(st, "", &rs), 2);
    struct buf p;
    buf_init(&p, 0);
    T_EQ_INT(store_day_path(data_dir(), store_day_of(now - 200 * DAY), &p), 0);
    struct stat sb;
    T_CHECK(stat(p.p, &sb) != 0);
    const char *name = strrchr(p.p, '/') + 1;
    audit_set_sink(NULL, NULL);
    T_EQ_INT(audit_rows("retention.delete", name), 1);
    buf_fini(&p);
    /* writing to the deleted day again recreates it (received that day: replay) */
    T_EQ_INT(store_write_batch(st, evs, 1, NULL, 0, NULL), 0);
    T_EQ_INT(store_flush(st), 0);
    store_close(st);
}

static int file_version(const char *path)
{
    sqlite3 *db;
    int v = -1;
    if (sqlite3_open(path, &db) == SQLITE_OK) {
        sqlite3_stmt *s;
        if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK) {
            if (sqlite3_step(s) == SQLITE_ROW)
                v = sqlite3_column_int(s, 0);
            sqlite3_finalize(s);
        }
    }
    sqlite3_close(db);
    return v;
}

static void t_schema(void)
{
    T_CHECK(mkdir(data_dir(), 0700) == 0);
    int64_t now = today0() + 60 * NS_PER_SEC;
    /* a day file as version 1 wrote it: no meta table */
    struct buf p;
    buf_init(&p, 0);
    T_EQ_INT(store_day_path(data_dir(), store_day_of(now), &p), 0);
    sqlite3 *db;
    T_EQ_INT(sqlite3_open(p.p, &db), SQLITE_OK);
    T_EQ_INT(sqlite3_exec(db, store_schema_step(STORE_FILE_DAY, 1), NULL, NULL, NULL),
             SQLITE_OK);
    T_EQ_INT(sqlite3_exec(db, "INSERT INTO events(id, time, received, flags, fields, raw)"
                              " VALUES(7, 1234, 1, 0, '{}', 'v1 row');"
                              "INSERT INTO events_fts(rowid, t) VALUES(1, 'v1 row');"
                              "PRAGMA user_version = 1;",
                          NULL, NULL, NULL),
             SQLITE_OK);
    sqlite3_close(db);
    T_EQ_INT(file_version(p.p), 1);
    struct store *st = open_store(0);
    T_CHECK(st);
    T_EQ_INT(file_version(p.p), store_schema_current(STORE_FILE_DAY));
    T_CHECK(store_schema_current(STORE_FILE_DAY) >= 2);
    /* the migration backfilled the time span, so time pruning keeps the old row */
    struct query_node *q;
    char err[64];
    T_EQ_INT(store_query_parse("v1", &q, err, sizeof err), 0);
    struct store_query sq = {.root = q, .from_ns = 1000, .to_ns = 2000};
    uint64_t c = 0;
    T_EQ_INT(store_count(st, &sq, &c), 0);
    T_EQ_INT(c, 1);
    sq.from_ns = 2000;
    sq.to_ns = 3000;
    T_EQ_INT(store_count(st, &sq, &c), 0);
    T_EQ_INT(c, 0);
    store_query_free(q);
    store_close(st);
    /* vigil.db is versioned too */
    char mp[4200];
    snprintf(mp, sizeof mp, "%s/vigil.db", data_dir());
    T_EQ_INT(file_version(mp), store_schema_current(STORE_FILE_MAIN));
    /* a file from a newer vigil is refused, not touched */
    T_EQ_INT(sqlite3_open(p.p, &db), SQLITE_OK);
    T_EQ_INT(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    struct store_opts o = {.dir = data_dir()};
    st = NULL;
    T_EQ_INT(store_open(&o, &st), ERR_DB);
    T_CHECK(st == NULL);
    T_EQ_INT(file_version(p.p), 99);
    buf_fini(&p);
}

static void count_problem(void *ctx, int64_t id, const char *what)
{
    (void)id;
    (void)what;
    ++*(int *)ctx;
}

/* A trail written before records were sealed (schema 6) is sealed once, at the first
 * open of schema 7, and verifies; records written after continue its chain. */
static void t_audit_legacy(void)
{
    T_CHECK(mkdir(data_dir(), 0700) == 0);
    char mp[4200];
    snprintf(mp, sizeof mp, "%s/vigil.db", data_dir());
    sqlite3 *db;
    T_EQ_INT(sqlite3_open(mp, &db), SQLITE_OK);
    for (int v = 1; v <= 6; v++)
        T_EQ_INT(sqlite3_exec(db, store_schema_step(STORE_FILE_MAIN, v), NULL, NULL, NULL),
                 SQLITE_OK);
    T_EQ_INT(sqlite3_exec(db,
                          "INSERT INTO audit(time, actor, source, action, object, result)"
                          " VALUES(1, 'alice', 'cli', 'search', 'a', 'ok'),"
                          " (2, 'bob', 'cli', 'search', 'b', 'ok'),"
                          " (3, 'system', 'local', 'config.load', 'c', 'ok');"
                          "PRAGMA user_version = 6;",
                          NULL, NULL, NULL),
             SQLITE_OK);
    sqlite3_close(db);
    struct store *st = open_store(0);
    T_CHECK(st);
    if (!st)
        return;
    struct store_audit_report r;
    int problems = 0;
    T_EQ_INT(store_audit_verify(st, NULL, count_problem, &problems, &r), 0);
    T_EQ_INT(problems, 0);
    T_EQ_INT(r.records, 3);
    struct audit_entry e = {.actor = "carol", .source = "cli", .action = "search", .object = "d"};
    T_EQ_INT(store_audit_write(st, &e), 0);
    T_EQ_INT(store_audit_verify(st, NULL, count_problem, &problems, &r), 0);
    T_EQ_INT(problems, 0);
    T_EQ_INT(r.records, 4);
    T_EQ_INT(r.head_id, 4);
    store_close(st);
    /* sealed once: the marker is gone, and the update trigger is back */
    T_EQ_INT(sqlite3_open(mp, &db), SQLITE_OK);
    sqlite3_stmt *q;
    T_EQ_INT(sqlite3_prepare_v2(db,
                                "SELECT (SELECT count(*) FROM settings WHERE key ="
                                " 'audit.unsealed_upto'), (SELECT count(*) FROM audit WHERE"
                                " seal LIKE 'hmac-sha256:%')",
                                -1, &q, NULL),
             SQLITE_OK);
    T_EQ_INT(sqlite3_step(q), SQLITE_ROW);
    T_EQ_INT(sqlite3_column_int(q, 0), 0);
    T_EQ_INT(sqlite3_column_int(q, 1), 4);
    sqlite3_finalize(q);
    T_CHECK(sqlite3_exec(db, "UPDATE audit SET actor = 'x' WHERE id = 1", NULL, NULL, NULL) !=
            SQLITE_OK);
    sqlite3_close(db);
}

static void t_modes(void)
{
    struct store *st = open_store(0);
    T_CHECK(st);
    int64_t now = today0() + 70 * NS_PER_SEC;
    mk(&evs[0], 1, now, now, "x", NULL, NULL, NULL);
    T_EQ_INT(store_write_batch(st, evs, 1, NULL, 0, NULL), 0);
    T_EQ_INT(store_flush(st), 0);
    struct stat sb;
    T_EQ_INT(stat(data_dir(), &sb), 0);
    T_EQ_INT(sb.st_mode & 0777, 0700);
    char p[4200];
    snprintf(p, sizeof p, "%s/vigil.db", data_dir());
    T_EQ_INT(stat(p, &sb), 0);
    T_EQ_INT(sb.st_mode & 0777, 0600);
    struct buf d;
    buf_init(&d, 0);
    T_EQ_INT(store_day_path(data_dir(), store_day_of(now), &d), 0);
    T_EQ_INT(stat(d.p, &sb), 0);
    T_EQ_INT(sb.st_mode & 0777, 0600);
    snprintf(p, sizeof p, "%s-wal", d.p);
    T_EQ_INT(stat(p, &sb), 0); /* open writer: the WAL exists */
    T_EQ_INT(sb.st_mode & 0777, 0600);
    buf_fini(&d);
    store_close(st);
    /* a read-only open of a missing directory fails and creates nothing */
    char missing[4200];
    snprintf(missing, sizeof missing, "%s/none", t_tmpdir());
    struct store_opts o = {.dir = missing, .read_only = true};
    T_EQ_INT(store_open(&o, &st), ERR_NOTFOUND);
    T_CHECK(stat(missing, &sb) != 0);
}

static void t_match(void)
{
    T_CHECK(store_match("Hello", 5, "hello", 5, STORE_MATCH_EQUAL));
    T_CHECK(!store_match("Hello!", 6, "hello", 5, STORE_MATCH_EQUAL));
    T_CHECK(store_match("abcXYZ", 6, "a*z", 3, STORE_MATCH_GLOB));
    T_CHECK(!store_match("abcXYZ", 6, "a*y", 3, STORE_MATCH_GLOB));
    T_CHECK(store_match("a*b", 3, "a\\*b", 4, STORE_MATCH_GLOB));
    T_CHECK(!store_match("axb", 3, "a\\*b", 4, STORE_MATCH_GLOB));
    T_CHECK(store_match("\xc3\xa9t\xc3\xa9", 5, "?t?", 3, STORE_MATCH_GLOB)); /* UTF-8 ? */
    T_CHECK(store_match("xx needle yy", 12, "NEEDLE", 6, STORE_MATCH_CONTAINS));
    T_CHECK(store_match("xx needle yy", 12, "ne*le", 5, STORE_MATCH_CONTAINS_GLOB));
    T_CHECK(!store_match("xx needle yy", 12, "ne*lx", 5, STORE_MATCH_CONTAINS_GLOB));
    /* pathological pattern stays fast (no exponential backtracking) */
    static char s[4001];
    memset(s, 'a', 4000);
    T_CHECK(!store_match(s, 4000, "*a*a*a*a*a*a*a*a*b", 18, STORE_MATCH_GLOB));
}

struct source_seen {
    int n;
    struct store_source last;
    char host[64];
};

static int note_source(void *ctx, const struct store_source *row)
{
    struct source_seen *seen = ctx;
    seen->n++;
    seen->last = *row;
    snprintf(seen->host, sizeof seen->host, "%s", row->host);
    seen->last.host = seen->host;
    seen->last.input = NULL; /* only valid during the callback */
    return 0;
}

static void t_sources(void)
{
    struct store *st = open_store(0);
    T_CHECK(st);
    struct store_source a = {"syslog_udp", "192.0.2.7", 100, 200, 5};
    struct store_source b = {"syslog_udp", "192.0.2.7", 50, 150, 3}; /* earlier first seen */
    struct store_source c = {"syslog_udp", "192.0.2.7", 300, 400, 2}; /* later last seen */
    T_EQ_INT(store_sources_merge(st, &a, 1), 0);
    T_EQ_INT(store_sources_merge(st, &b, 1), 0);
    T_EQ_INT(store_sources_merge(st, &c, 1), 0);
    store_close(st);
    st = open_store(0); /* kept across a reopen */
    T_CHECK(st);
    struct source_seen seen = {0};
    int rc = store_sources_list(st, note_source, &seen);
    store_close(st);
    T_EQ_INT(rc, 0);
    T_EQ_INT(seen.n, 1);
    T_EQ_STR(seen.host, "192.0.2.7");
    T_EQ_INT(seen.last.first_ns, 50);
    T_EQ_INT(seen.last.last_ns, 400);
    T_EQ_INT(seen.last.events, 10);
}

/* What store_searches_list gave: the names in order, and the last row's query. */
struct search_seen {
    int n;
    char names[4][128];
    char query[64];
};

static int note_search(void *ctx, const struct store_search *s)
{
    struct search_seen *seen = ctx;
    if (seen->n < 4)
        snprintf(seen->names[seen->n], sizeof seen->names[0], "%s", s->name);
    snprintf(seen->query, sizeof seen->query, "%s", s->query);
    seen->n++;
    return 0;
}

static int save_search(struct store *st, const char *owner, const char *name, const char *query,
                       int64_t t, bool *replaced, int64_t *id)
{
    struct store_search s = {.owner = owner, .name = name, .query = query, .created_ns = t};
    char why[200];
    int rc = store_search_save(st, &s, replaced, why, sizeof why);
    if (id)
        *id = s.id;
    return rc;
}

static void searches_cases(struct store *st)
{
    bool rep = true;
    int64_t a, b, c;
    T_EQ_INT(save_search(st, "ana", "ssh", "program:sshd", 10, &rep, &a), 0);
    T_CHECK(!rep);
    T_EQ_INT(save_search(st, "ana", "root", "user:root", 20, NULL, &b), 0);
    T_EQ_INT(save_search(st, "bob", "ssh", "program:sshd AND user:bob", 30, NULL, NULL), 0);
    struct search_seen seen = {0};
    T_EQ_INT(store_searches_list(st, "ANA", note_search, &seen), 0); /* names: any case */
    T_EQ_INT(seen.n, 2);
    T_EQ_STR(seen.names[0], "root"); /* newest first */
    T_EQ_STR(seen.names[1], "ssh");
    /* the same name replaces the query, keeps the id, and moves it to the top */
    T_EQ_INT(save_search(st, "ana", "ssh", "program:sshd AND outcome:failure", 40, &rep, &c), 0);
    T_CHECK(rep);
    T_EQ_INT(c, a);
    memset(&seen, 0, sizeof seen);
    T_EQ_INT(store_searches_list(st, "ana", note_search, &seen), 0);
    T_EQ_INT(seen.n, 2);
    T_EQ_STR(seen.names[0], "ssh");
    /* another owner's id is not found, and nothing is deleted */
    char name[64];
    T_EQ_INT(store_search_delete(st, "bob", b, name, sizeof name), ERR_NOTFOUND);
    T_EQ_INT(store_search_delete(st, "ana", b, name, sizeof name), 0);
    T_EQ_STR(name, "root");
    T_EQ_INT(store_search_delete(st, "ana", b, name, sizeof name), ERR_NOTFOUND);
    /* refusals */
    static char longq[4 * STORE_SEARCH_QUERY_MAX + 8];
    memset(longq, 'a', STORE_SEARCH_QUERY_MAX + 1);
    T_EQ_INT(save_search(st, "ana", "q", longq, 50, NULL, NULL), ERR_INVAL);
    longq[STORE_SEARCH_QUERY_MAX] = '\0';
    T_EQ_INT(save_search(st, "ana", "q", longq, 50, NULL, NULL), 0);
    char cn[3 * STORE_SEARCH_NAME_MAX + 4] = ""; /* 100 characters of 3 bytes fit */
    for (int i = 0; i <= STORE_SEARCH_NAME_MAX; i++)
        memcpy(cn + 3 * i, "\xe6\xa3\x80", 3); /* U+68C0, one more than fits */
    cn[3 * STORE_SEARCH_NAME_MAX + 3] = '\0';
    T_EQ_INT(save_search(st, "ana", cn, "x", 50, NULL, NULL), ERR_INVAL);
    cn[3 * STORE_SEARCH_NAME_MAX] = '\0';
    T_EQ_INT(save_search(st, "ana", cn, "x", 50, NULL, NULL), 0);
    T_EQ_INT(save_search(st, "ana", "", "x", 50, NULL, NULL), ERR_INVAL);
    T_EQ_INT(save_search(st, "ana", " ", "x", 50, NULL, NULL), ERR_INVAL);
    T_EQ_INT(save_search(st, "ana", "n", "", 50, NULL, NULL), ERR_INVAL);
    T_EQ_INT(save_search(st, "ana", "a\tb", "x", 50, NULL, NULL), ERR_INVAL);
    T_EQ_INT(save_search(st, "ana", "\xff", "x", 50, NULL, NULL), ERR_INVAL);
    /* the cap: ana has 3; the 101st is refused, a replace still works */
    for (int i = 3; i < STORE_SEARCHES_MAX; i++) {
        char n[16];
        snprintf(n, sizeof n, "cap %d", i);
        T_EQ_INT(save_search(st, "ana", n, "x", 60 + i, NULL, NULL), 0);
    }
    T_EQ_INT(save_search(st, "ana", "one more", "x", 500, NULL, NULL), ERR_FULL);
    T_EQ_INT(save_search(st, "ana", "ssh", "y", 500, &rep, NULL), 0);
    T_CHECK(rep);
    T_EQ_INT(save_search(st, "bob", "one more", "x", 500, NULL, NULL), 0); /* per account */
}

static void t_searches(void)
{
    struct store *st = open_store(0);
    T_CHECK(st);
    searches_cases(st);
    store_close(st);
}

/* A vigil.db of schema 10 gets the saved searches at open; an account's go with it. */
static void t_searches_migrate(void)
{
    T_CHECK(mkdir(data_dir(), 0700) == 0);
    char mp[4200];
    snprintf(mp, sizeof mp, "%s/vigil.db", data_dir());
    sqlite3 *db;
    T_EQ_INT(sqlite3_open(mp, &db), SQLITE_OK);
    for (int v = 1; v <= 10; v++)
        T_EQ_INT(sqlite3_exec(db, store_schema_step(STORE_FILE_MAIN, v), NULL, NULL, NULL),
                 SQLITE_OK);
    T_EQ_INT(sqlite3_exec(db, "PRAGMA user_version = 10", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    struct store *st = open_store(0);
    T_CHECK(st);
    T_CHECK(file_version(mp) >= 11);
    struct store_account acc = {.name = "carol", .source = "local"};
    int64_t id = 0;
    int rc = store_account_insert(st, &acc, &id);
    int rc2 = save_search(st, "Carol", "mine", "host:x", 1, NULL, NULL);
    int rc3 = store_account_delete(st, id);
    struct search_seen seen = {0};
    int rc4 = store_searches_list(st, "carol", note_search, &seen);
    store_close(st);
    T_EQ_INT(rc, 0);
    T_EQ_INT(rc2, 0);
    T_EQ_INT(rc3, 0);
    T_EQ_INT(rc4, 0);
    T_EQ_INT(seen.n, 0);
}

int main(void)
{
    field_registry_init();
    t_run("store write and read back", t_write_read);
    t_run("store search semantics", t_search_semantics);
    t_run("store replays by input position store nothing twice", t_replay);
    t_run("store checkpoint in the events' transaction", t_checkpoint_tx);
    t_run("store group commit: flush, failing batch, size bound, close", t_group_commit);
    t_run("store cursor paging across two day files", t_paging);
    t_run("store slices of far-apart event times page in order", t_slices);
    t_run("store field aliases of the routes are searchable", t_alias);
    t_run("store retention deletes old day files and audits", t_retention);
    t_run("store schema version and migration", t_schema);
    t_run("store audit records of an older schema are sealed once", t_audit_legacy);
    t_run("store file modes 0700/0600", t_modes);
    t_run("store value matching", t_match);
    t_run("store source inventory merges across reopen", t_sources);
    t_run("store saved searches: save, replace by name, per owner, refusals, the cap", t_searches);
    t_run("store saved searches: schema 11 over 10, deleted with their account",
          t_searches_migrate);
    return t_done();
}
