/*
 * store_schema.c — the SQLite schemas of the store's two kinds of file and their
 * migrations. Every file carries its version in PRAGMA user_version; opening a file
 * runs the steps from its version to the current one, each in one transaction, so a
 * file is always at some whole version. A file newer than this code is refused.
 *
 * Day file (events-YYYY-MM-DD.db), one per UTC day of receipt (v4):
 *   blocks      up to STORE_BLOCK_EVENTS events each, their records (store_record.c)
 *               packed with zstd; rowid = block id in order of writing
 *   slices      a block's events cut by event time where they are far apart (an
 *               old device clock, a late file), at most STORE_BLOCK_SLICES per block:
 *               rowid = block id * STORE_BLOCK_SLICES + k, time span and count. Each
 *               slice is indexed on its own, so a search reads a block for a slice
 *               whose events hold its terms at the time it is after.
 *   positions   for inputs that can replay (files): per batch and input stream, the
 *               span of record positions stored [first, last] and the block where it
 *               starts. A record whose position is already covered is a replay and
 *               is not stored again (store_write.c).
 *   tail        the records of the writer's open block, one row per batch, until the
 *               block is sealed into `blocks` (so committed events are searchable)
 *   blocks_fts  contentless FTS5 index, one document per slice: its distinct trigrams
 *               and name=value terms (store_terms.c), detail=none, columnsize=0. A
 *               prefilter: every event of a candidate block is verified exactly.
 *   checkpoints input positions, written in the transaction of the events they cover
 *   meta        min/max event time of the file (v2), to prune files by event time
 *   (v1-v3 held a row per event in `events` with a per-event trigram index; v3 tuned
 *   its merges. Their rows are moved into blocks by store_migrate.c.)
 * Main file (vigil.db): the audit trail (append-only, enforced by triggers), settings,
 * (v2) the source inventory: per input and sending host, first/last seen, events, and
 * (v3) the alerts (rule, level, tags, first/last seen, count, entities, asset, risk,
 * status, the ids of the events behind each), (v4) the combinations of values rules with
 * vigil_first_seen have seen, (v5) each alert's last status change (reason, by, at) and
 * the suppressions, (v6) the unregistered terminals, (v7) each audit record's seal
 * (store_audit_seal.c; the records written before are sealed at the next open), (v8) the
 * console's accounts and failed logins (store_accounts.c), (v9) each alert's assignee,
 * (v10) each account's last used TOTP step, (v11) the console's saved searches per
 * account (store_searches.c).
 */
#include "store/store_int.h"

#include <stdio.h>

/* Version n's step: the SQL that takes a file from version n-1 to n. */
static const char *const day_steps[] = {
    /* 1: the events, the trigram index, checkpoints */
    "CREATE TABLE events("
    " id INTEGER NOT NULL, time INTEGER NOT NULL, received INTEGER NOT NULL,"
    " host TEXT COLLATE NOCASE, decoder TEXT COLLATE NOCASE, routes TEXT,"
    " flags INTEGER NOT NULL,"
    " src_ip TEXT COLLATE NOCASE, dst_ip TEXT COLLATE NOCASE,"
    " src_port TEXT COLLATE NOCASE, dst_port TEXT COLLATE NOCASE,"
    " user TEXT COLLATE NOCASE, action TEXT COLLATE NOCASE,"
    " outcome TEXT COLLATE NOCASE, program TEXT COLLATE NOCASE,"
    " fields TEXT NOT NULL, raw BLOB NOT NULL, text TEXT);"
    "CREATE UNIQUE INDEX events_id ON events(id);"
    "CREATE INDEX events_time ON events(time);"
    "CREATE INDEX events_src_ip ON events(src_ip, time) WHERE src_ip IS NOT NULL;"
    "CREATE INDEX events_dst_ip ON events(dst_ip, time) WHERE dst_ip IS NOT NULL;"
    "CREATE INDEX events_user ON events(user, time) WHERE user IS NOT NULL;"
    "CREATE INDEX events_host ON events(host, time) WHERE host IS NOT NULL;"

    "CREATE VIRTUAL TABLE events_fts USING fts5(t, content='', tokenize='trigram',"
    " detail=none, columnsize=0);"
    "CREATE TABLE checkpoints(key TEXT PRIMARY KEY, value TEXT NOT NULL,"
    " updated INTEGER NOT NULL);",
    /* 2: per-file event time span, backfilled from the rows already there */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
    "INSERT INTO meta SELECT 'min_time', time FROM events ORDER BY time LIMIT 1;"
    "INSERT INTO meta SELECT 'max_time', time FROM events ORDER BY time DESC LIMIT 1;",
    /* 3: the trigram index merges its segments less eagerly while writing (16 per level
     * instead of 4; measured on 200k lines: 40k -> 49k events/s, searches as fast) */
    "INSERT INTO events_fts(events_fts, rank) VALUES('automerge', 16);"
    "INSERT INTO events_fts(events_fts, rank) VALUES('crisismerge', 64);",
    /* 4: events in packed blocks with a block-level term index (5x the write speed of a
     * row and an index entry per event, a fraction of the size). The rows of `events`
     * are moved into blocks by store_migrate.c when the writer opens the file. */
    "CREATE TABLE blocks(id INTEGER PRIMARY KEY, count INTEGER NOT NULL, data BLOB NOT NULL);"
    "CREATE TABLE slices(id INTEGER PRIMARY KEY, min_time INTEGER NOT NULL,"
    " max_time INTEGER NOT NULL, count INTEGER NOT NULL);"
    "CREATE TABLE positions(src INTEGER NOT NULL, first INTEGER NOT NULL,"
    " last INTEGER NOT NULL, block INTEGER NOT NULL);"
    "CREATE INDEX positions_src ON positions(src, last);"
    "CREATE TABLE tail(seq INTEGER PRIMARY KEY, block INTEGER NOT NULL, data BLOB NOT NULL);"
    "CREATE VIRTUAL TABLE blocks_fts USING fts5(t, content='', tokenize='vigil_terms',"
    " detail=none, columnsize=0);"
    "INSERT INTO blocks_fts(blocks_fts, rank) VALUES('automerge', 16);"
    "INSERT INTO blocks_fts(blocks_fts, rank) VALUES('crisismerge', 64);",
};

static const char *const main_steps[] = {
    /* 1: audit trail and settings */
    "CREATE TABLE audit(id INTEGER PRIMARY KEY, time INTEGER NOT NULL,"
    " actor TEXT NOT NULL, source TEXT NOT NULL, action TEXT NOT NULL,"
    " object TEXT NOT NULL, result TEXT NOT NULL);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
    "CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    /* 2: the source inventory (who sends what, first and last seen) */
    "CREATE TABLE sources(input TEXT NOT NULL, host TEXT NOT NULL,"
    " first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, events INTEGER NOT NULL,"
    " PRIMARY KEY(input, host)) WITHOUT ROWID;",
    /* 3: alerts (store_alerts.c). Times in ns: first/last_seen are event time, created
     * is the receipt of the first event. tags and event_ids are JSON arrays. */
    "CREATE TABLE alerts(id INTEGER PRIMARY KEY,"
    " rule_id TEXT NOT NULL, rule_title TEXT NOT NULL, rule_level TEXT NOT NULL,"
    " tags TEXT NOT NULL,"
    " first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
    " count INTEGER NOT NULL,"
    " src_ip TEXT, dst_ip TEXT, user TEXT, host TEXT,"
    " asset TEXT," /* the asset behind the entities: NULL until enrichment fills it */
    " risk REAL,"  /* 0-10; NULL until the risk stage scores it (level x asset x reliability) */
    " status TEXT NOT NULL," /* new, acknowledged, escalated, closed */
    " event_ids TEXT NOT NULL, created INTEGER NOT NULL);"
    "CREATE INDEX alerts_first_seen ON alerts(first_seen);"
    "CREATE INDEX alerts_rule_id ON alerts(rule_id);"
    "CREATE INDEX alerts_status ON alerts(status);",
    /* 4: what rules with vigil_first_seen have seen (store_alerts.c): key is the 64-bit
     * hash of rule id and values (alert_seen_key), value the values as text */
    "CREATE TABLE first_seen(rule_id TEXT NOT NULL, key INTEGER NOT NULL,"
    " value TEXT NOT NULL, first_seen INTEGER NOT NULL, PRIMARY KEY(rule_id, key))"
    " WITHOUT ROWID;",
    /* 5: the alert lifecycle's last change (who, when, why) and suppressions
     * (store_alert_status.c) */
    "ALTER TABLE alerts ADD COLUMN status_reason TEXT;"
    "ALTER TABLE alerts ADD COLUMN status_by TEXT;"
    "ALTER TABLE alerts ADD COLUMN status_at INTEGER;"
    "CREATE TABLE suppressions(id INTEGER PRIMARY KEY, rule_id TEXT NOT NULL,"
    " src_ip TEXT, dst_ip TEXT, user TEXT, host TEXT, reason TEXT NOT NULL,"
    " created_by TEXT NOT NULL, created INTEGER NOT NULL, expires INTEGER NOT NULL);",
    /* 6: terminals DHCP and ARP saw that the asset inventory does not register
     * (store_terminals.c) */
    "CREATE TABLE terminals(mac TEXT PRIMARY KEY, ip TEXT, name TEXT,"
    " first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, seen INTEGER NOT NULL)"
    " WITHOUT ROWID;",
    /* 7: the audit trail's hash chain (store_audit_seal.c): "hmac-<alg>:<hex>" per
     * record; the records already there are sealed once, at the next open */
    "ALTER TABLE audit ADD COLUMN seal TEXT;"
    "INSERT INTO settings(key, value) SELECT 'audit.unsealed_upto', max(id) FROM audit"
    " HAVING count(*) > 0;",
    /* 8: the console's accounts and failed logins (store_accounts.c) */
    "CREATE TABLE accounts(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    " source TEXT NOT NULL, roles INTEGER NOT NULL, privileges INTEGER NOT NULL,"
    " password TEXT NOT NULL, must_change INTEGER NOT NULL, password_changed INTEGER NOT NULL,"
    " totp TEXT NOT NULL, totp_on INTEGER NOT NULL, disabled INTEGER NOT NULL,"
    " created INTEGER NOT NULL, last_login INTEGER NOT NULL);"
    "CREATE TABLE login_failures(kind TEXT NOT NULL, key TEXT NOT NULL, time INTEGER NOT NULL);"
    "CREATE INDEX login_failures_key ON login_failures(kind, key, time);",
    /* 9: who works an alert (store_alert_status.c) */
    "ALTER TABLE alerts ADD COLUMN assignee TEXT;",
    /* 10: the last TOTP time step an account used, so a code is good once across
     * restarts (store_accounts.c) */
    "ALTER TABLE accounts ADD COLUMN totp_step INTEGER NOT NULL DEFAULT 0;",
    /* 11: the console's saved searches, per account (store_searches.c); the unique
     * (owner, name) index also serves an owner's list. An account's go with it. */
    "CREATE TABLE saved_searches(id INTEGER PRIMARY KEY,"
    " owner TEXT NOT NULL COLLATE NOCASE, name TEXT NOT NULL, query TEXT NOT NULL,"
    " created INTEGER NOT NULL, UNIQUE(owner, name));"
    "CREATE TRIGGER saved_searches_owner_gone AFTER DELETE ON accounts"
    " BEGIN DELETE FROM saved_searches WHERE owner = old.name; END;",
};

static const char *const *steps_of(enum store_file_kind kind, int *n)
{
    if (kind == STORE_FILE_DAY) {
        *n = (int)(sizeof day_steps / sizeof day_steps[0]);
        return day_steps;
    }
    *n = (int)(sizeof main_steps / sizeof main_steps[0]);
    return main_steps;
}

/* See store_int.h. */
int store_schema_current(enum store_file_kind kind)
{
    int n;
    steps_of(kind, &n);
    return n;
}

/* See store_int.h. */
const char *store_schema_step(enum store_file_kind kind, int version)
{
    int n;
    const char *const *steps = steps_of(kind, &n);
    return version >= 1 && version <= n ? steps[version - 1] : NULL;
}

static int user_version(sqlite3 *db, int *out)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return ERR_DB;
    int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : ERR_DB;
    if (rc == 0)
        *out = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return rc;
}

/* See store_int.h. */
int store_schema_migrate(sqlite3 *db, enum store_file_kind kind, char *err, size_t errlen)
{
    int n;
    const char *const *steps = steps_of(kind, &n);
    int v;
    if (user_version(db, &v))
        goto fail_db;
    if (v == n)
        return 0;
    if (v < 0 || v > n) {
        snprintf(err, errlen, "schema version %d is newer than this vigil knows (%d)", v, n);
        return ERR_DB;
    }
    /* The whole upgrade is one transaction: a crash leaves the old version intact. */
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        goto fail_db;
    if (user_version(db, &v)) /* another process may have migrated meanwhile */
        goto fail_tx;
    for (; v < n; v++) {
        char *msg = NULL;
        if (sqlite3_exec(db, steps[v], NULL, NULL, &msg) != SQLITE_OK) {
            snprintf(err, errlen, "migration to version %d: %s", v + 1, msg ? msg : "?");
            sqlite3_free(msg);
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return ERR_DB;
        }
    }
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", n);
    if (sqlite3_exec(db, pragma, NULL, NULL, NULL) != SQLITE_OK)
        goto fail_tx;
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto fail_tx;
    return 0;
fail_tx:
    snprintf(err, errlen, "%s", sqlite3_errmsg(db));
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return ERR_DB;
fail_db:
    snprintf(err, errlen, "%s", sqlite3_errmsg(db));
    return ERR_DB;
}
