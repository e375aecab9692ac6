/*
 * store_overview.c — the figures of the console's overview from vigil.db, as one JSON
 * object (store.h): alerts over time by level, by level, the top rules, sources, targets,
 * hosts and users (weighted by how often each alert repeated), open alerts by age, the
 * SQL-injection and denial-of-service detections, the unregistered terminals, and the
 * 1,000 busiest source addresses (for the map of countries). All of
 * it aggregated by SQLite over the alerts table's indexes, under the vigil.db mutex.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

/* Runs sql with ?1 = from, ?2 = to, ?3 = bucket (when used); fn per row. */
static int each_row(sqlite3 *db, const char *sql, int64_t from, int64_t to, int64_t bucket,
                    void (*fn)(sqlite3_stmt *s, struct buf *b, bool first), struct buf *b)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        return ERR_DB;
    int n = sqlite3_bind_parameter_count(s);
    if (n >= 1)
        sqlite3_bind_int64(s, 1, from);
    if (n >= 2)
        sqlite3_bind_int64(s, 2, to);
    if (n >= 3)
        sqlite3_bind_int64(s, 3, bucket);
    int step;
    bool first = true;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        fn(s, b, first);
        first = false;
    }
    sqlite3_finalize(s);
    return step == SQLITE_DONE ? 0 : ERR_DB;
}

static void text(struct buf *b, sqlite3_stmt *s, int col)
{
    const char *t = (const char *)sqlite3_column_text(s, col);
    if (!t) {
        buf_puts(b, "null");
        return;
    }
    buf_putc(b, '"');
    buf_json_str(b, t, (size_t)sqlite3_column_bytes(s, col));
    buf_putc(b, '"');
}

static void level_row(sqlite3_stmt *s, struct buf *b, bool first)
{
    if (!first)
        buf_putc(b, ',');
    text(b, s, 0);
    buf_printf(b, ":%lld", (long long)sqlite3_column_int64(s, 1));
}

static void bucket_row(sqlite3_stmt *s, struct buf *b, bool first)
{
    buf_printf(b, "%s{\"bucket\":%lld,\"level\":", first ? "" : ",",
               (long long)sqlite3_column_int64(s, 0));
    text(b, s, 1);
    buf_printf(b, ",\"alerts\":%lld}", (long long)sqlite3_column_int64(s, 2));
}

static void top_row(sqlite3_stmt *s, struct buf *b, bool first)
{
    buf_puts(b, first ? "{\"value\":" : ",{\"value\":");
    text(b, s, 0);
    buf_puts(b, ",\"title\":");
    text(b, s, 1);
    buf_printf(b, ",\"alerts\":%lld,\"hits\":%lld}", (long long)sqlite3_column_int64(s, 2),
               (long long)sqlite3_column_int64(s, 3));
}

static void scalar_row(sqlite3_stmt *s, struct buf *b, bool first)
{
    (void)first;
    buf_printf(b, "%lld", (long long)sqlite3_column_int64(s, 0));
}

#define IN_RANGE " last_seen >= ?1 AND first_seen < ?2"

/* See store.h. */
int store_overview_json(struct store *st, int64_t from_ns, int64_t to_ns, int64_t bucket_ns,
                        struct buf *b)
{
    static const struct {
        const char *key, *col, *title;
    } tops[] = {
        {"top_rules", "rule_id", "max(rule_title)"},
        {"top_sources", "src_ip", "NULL"},
        {"top_targets", "dst_ip", "NULL"},
        {"top_hosts", "host", "NULL"},
        {"top_users", "user", "NULL"},
    };
    if (bucket_ns <= 0)
        return ERR_INVAL;
    pthread_mutex_lock(&st->main_lock);
    sqlite3 *db = st->main_db;
    int rc = 0;
    buf_printf(b, "{\"from\":%lld,\"to\":%lld,\"bucket_ns\":%lld,\"by_level\":{",
               (long long)from_ns, (long long)to_ns, (long long)bucket_ns);
    rc = each_row(db, "SELECT rule_level, count(*) FROM alerts WHERE" IN_RANGE
                      " GROUP BY rule_level", from_ns, to_ns, 0, level_row, b);
    buf_puts(b, "},\"alerts_over_time\":[");
    if (!rc)
        rc = each_row(db,
                      "SELECT (max(first_seen, ?1) - ?1) / ?3 AS k, rule_level, count(*) FROM"
                      " alerts WHERE" IN_RANGE " GROUP BY k, rule_level ORDER BY k",
                      from_ns, to_ns, bucket_ns, bucket_row, b);
    buf_putc(b, ']');
    for (size_t i = 0; i < sizeof tops / sizeof tops[0] && !rc; i++) {
        char sql[400];
        snprintf(sql, sizeof sql,
                 "SELECT %s, %s, count(*), sum(count) FROM alerts WHERE" IN_RANGE
                 " AND %s IS NOT NULL GROUP BY %s ORDER BY 4 DESC, 1 LIMIT 10",
                 tops[i].col, tops[i].title, tops[i].col, tops[i].col);
        buf_printf(b, ",\"%s\":[", tops[i].key);
        rc = each_row(db, sql, from_ns, to_ns, 0, top_row, b);
        buf_putc(b, ']');
    }
    /* open alerts by how long they have been open (created: receipt of the first event) */
    static const struct {
        const char *key, *where;
    } ages[] = {
        {"under_1h", "created >= ?1 - 3600000000000"},
        {"1h_to_24h", "created < ?1 - 3600000000000 AND created >= ?1 - 86400000000000"},
        {"1d_to_7d", "created < ?1 - 86400000000000 AND created >= ?1 - 604800000000000"},
        {"over_7d", "created < ?1 - 604800000000000"},
    };
    buf_puts(b, ",\"open_by_age\":{");
    for (size_t i = 0; i < sizeof ages / sizeof ages[0] && !rc; i++) {
        char sql[300];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM alerts WHERE status != 'closed' AND %s",
                 ages[i].where);
        buf_printf(b, "%s\"%s\":", i ? "," : "", ages[i].key);
        rc = each_row(db, sql, to_ns, 0, 0, scalar_row, b);
    }
    /* detections by kind, hits in the range: ATT&CK T1190 (exploit public-facing
     * application) or a title naming SQL injection; T1498/T1499 (network / endpoint denial
     * of service) or a flood; weak passwords found */
    static const struct {
        const char *key, *where;
    } kinds[] = {
        {"sql_injection", "lower(rule_title) LIKE '%sql%injection%' OR lower(tags) LIKE '%sqli%'"
                          " OR lower(rule_id) LIKE '%sqli%'"},
        {"ddos", "lower(tags) LIKE '%t1498%' OR lower(tags) LIKE '%t1499%' OR"
                 " lower(rule_title) LIKE '%flood%' OR lower(rule_title) LIKE '%ddos%'"},
        {"weak_passwords", "lower(rule_title) LIKE '%weak password%'"},
    };
    buf_putc(b, '}');
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0] && !rc; i++) {
        char sql[400];
        snprintf(sql, sizeof sql,
                 "SELECT coalesce(sum(count), 0) FROM alerts WHERE" IN_RANGE " AND (%s)",
                 kinds[i].where);
        buf_printf(b, ",\"%s\":", kinds[i].key);
        rc = each_row(db, sql, from_ns, to_ns, 0, scalar_row, b);
    }
    buf_puts(b, ",\"unregistered_terminals\":");
    if (!rc)
        rc = each_row(db, "SELECT count(*) FROM terminals", 0, 0, 0, scalar_row, b);
    buf_puts(b, ",\"source_addresses\":[");
    if (!rc)
        rc = each_row(db,
                      "SELECT src_ip, NULL, count(*), sum(count) FROM alerts WHERE" IN_RANGE
                      " AND src_ip IS NOT NULL GROUP BY src_ip ORDER BY 4 DESC LIMIT 1000",
                      from_ns, to_ns, 0, top_row, b);
    buf_puts(b, "],\"open_alerts\":");
    if (!rc)
        rc = each_row(db, "SELECT count(*) FROM alerts WHERE status != 'closed'", 0, 0, 0,
                      scalar_row, b);
    buf_putc(b, '}');
    pthread_mutex_unlock(&st->main_lock);
    return rc ? rc : b->err;
}
