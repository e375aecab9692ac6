/*
 * store.h — the store interface (docs/ARCHITECTURE.md §3 "Store"): batched event
 * writes with input checkpoints in the same transaction, queries given as a tree and
 * paged by (time, id) cursors, counts, retention, and the audit table.
 *
 * Backends sit behind this interface; the embedded one is SQLite: one database file
 * per day of receipt (events-YYYY-MM-DD.db) plus vigil.db for audit and settings.
 * The query language parser (store_query_parse) lives here too, because the tree it
 * produces is this interface's input.
 */
#ifndef VIGIL_STORE_H
#define VIGIL_STORE_H

#include "core/core.h"
#include "alert/alert.h"
#include "event/event.h"

struct store;

/*
 * How the audit trail is sealed (store_audit_seal.c): each record carries an HMAC over
 * its content and the seal of the record before it, with a key kept outside the
 * database; the newest seal (the chain's head) is written out now and then to a file
 * and to syslog, so a trail cut short is found by `vigil audit verify`.
 * NULL or zero members take the values the daemon last configured (kept in vigil.db's
 * settings, so every command seals alike), else the defaults.
 */
struct store_audit_opts {
    const char *hmac;       /* "sha256" (default) or "sm3" (Chinese cryptography rules) */
    const char *key_file;   /* default DIR/audit.key: 32 random bytes, hex, made 0400 */
    const char *heads_file; /* default DIR/audit.heads: one line per head written */
    int heads_interval_s;   /* a head at most this often while records come; default 60 */
    int heads_syslog;       /* 1 also to syslog (authpriv.notice, the default), -1 not */
};

struct store_opts {
    const char *dir;        /* data directory (created 0700 when missing) */
    int retention_days;     /* whole days of receipt kept; 0 = the default, 190 */
    bool read_only;         /* for `vigil search` / `vigil stats` */
    const struct store_audit_opts *audit; /* NULL: as configured last, else defaults */
};

/* Opens (and migrates) the store in opts->dir; caller closes. Installs nothing global. */
int store_open(const struct store_opts *opts, struct store **out);
void store_close(struct store *st);

/* An input's position, committed in the same transaction as the events it covers. */
struct store_checkpoint {
    const char *key;   /* the input's identity, e.g. "file:/var/log/auth.log" */
    const char *value; /* opaque to the store (the input's own encoding) */
};

/*
 * Writes n events (an event whose origin position the file holds already is a replay
 * and is not stored again; see struct event_origin) and the
 * checkpoints; checkpoints go to the file of the batch's last event's day of receipt
 * (or today's when n == 0). Single writer: call from one thread. Returns 0 or ERR_DB;
 * *stored gets the rows actually inserted.
 *
 * Group commit: the events and checkpoints of that day file join the writer's open
 * transaction, which is committed when it holds 8192 events or is 200 ms old (checked
 * here), by store_flush, or first when a batch touches another day file. Until then
 * they are invisible to readers and a crash loses them together with their
 * checkpoints (a consistent tail). Events of the batch for other days are committed
 * before the call returns, before the checkpoint's file. A batch that fails is rolled
 * back alone (a savepoint); the group's earlier batches stay. When a commit fails, the
 * whole open group is lost and ERR_DB returned.
 */
int store_write_batch(struct store *st, const struct event *evs, size_t n,
                      const struct store_checkpoint *cps, size_t ncps, size_t *stored);

/* Commits the writer's open group, if any (the ingest writer calls it when its queue
 * runs empty; store_close calls it). Writer thread only. Returns 0 or ERR_DB. */
int store_flush(struct store *st);

/* Newest committed checkpoint for key into out; ERR_NOTFOUND when none. */
int store_checkpoint_get(struct store *st, const char *key, struct buf *out);

/* Deletes day files older than the retention; audited. Returns files removed or <0. */
int store_retention_run(struct store *st, int64_t now_ns);

/* ---- the query tree ---------------------------------------------------------------- */

enum query_kind {
    QUERY_ALL,    /* matches everything (empty query) */
    QUERY_AND,
    QUERY_OR,
    QUERY_NOT,
    QUERY_TERM,   /* field:value, value with * and ? wildcards; field NULL = raw text */
    QUERY_RANGE,  /* field:[lo TO hi], field:>n, field:<=n (numeric) */
};

struct query_node {
    enum query_kind kind;
    struct query_node *left, *right; /* AND/OR use both; NOT uses left */
    char *field;                     /* TERM/RANGE; NULL = the raw record */
    char *value;                     /* TERM: the value, unescaped */
    bool wildcard;                   /* TERM: value has unescaped * or ? */
    bool phrase;                     /* TERM: value was quoted */
    double lo, hi;                   /* RANGE bounds (±INFINITY when open) */
    bool lo_incl, hi_incl;
};

/*
 * Parses the search language (field:value, "quoted", wild*card, AND/OR/NOT, implicit
 * AND, parentheses, field:[a TO b], field:>n) into a tree the caller frees with
 * store_query_free. Bounded: at most 256 nodes and depth 64. On error writes a reason
 * with the byte offset into err.
 */
int store_query_parse(const char *text, struct query_node **out, char *err, size_t errlen);
void store_query_free(struct query_node *q);

struct store_cursor {
    int64_t time_ns;
    uint64_t id;
    bool valid; /* false: start from the newest */
};

struct store_query {
    const struct query_node *root;
    int64_t from_ns, to_ns; /* event time range [from, to); 0 = open */
    size_t limit;           /* rows per page; 0 = 100 */
    struct store_cursor after;
};

/* One result row; valid only during the callback. */
struct store_row {
    uint64_t id;
    int64_t time_ns;
    int64_t received_ns;
    const char *host;
    const char *decoder;
    const char *routes;  /* "linux/sshd,linux/auth" */
    const char *fields;  /* the fields as a JSON object */
    const char *raw;     /* the raw record (bytes as received) */
    size_t raw_len;
};

typedef int (*store_row_fn)(void *ctx, const struct store_row *row);

/* Appends row as one JSON object: {"id","time","received","host","decoder","routes":[…],
 * "fields":{…},"raw"} — the form of `vigil search --format jsonl` and the console's
 * search (store_row_json.c). */
void store_row_json(struct buf *b, const struct store_row *row);

/*
 * Runs a query newest first, calling fn per row (fn returning non-zero stops). *next
 * receives the cursor for the following page (valid=false at the end).
 */
int store_query(struct store *st, const struct store_query *q, store_row_fn fn, void *ctx,
                struct store_cursor *next);

/* Number of events matching q (ignores limit and cursor). */
int store_count(struct store *st, const struct store_query *q, uint64_t *out);

/* ---- the source inventory ---------------------------------------------------------- */

/* Who sent what: one row per (input, sending host), kept in vigil.db across restarts. */
struct store_source {
    const char *input;
    const char *host;
    int64_t first_ns, last_ns;
    uint64_t events;
};

/*
 * Merges rows into the inventory: first seen is the earlier, last seen the later, and
 * `events` is added (callers pass what is new since their last merge). One
 * transaction; thread-safe (vigil.db is used under the store's mutex).
 */
int store_sources_merge(struct store *st, const struct store_source *rows, size_t n);

typedef int (*store_source_fn)(void *ctx, const struct store_source *row);

/* Calls fn for every inventory row (ordered by input, host); fn's non-zero stops. */
int store_sources_list(struct store *st, store_source_fn fn, void *ctx);

/* A setting of vigil.db (heap string the caller frees; NULL when unset) / sets it.
 * Thread-safe (store_main.c). */
char *store_setting_get(struct store *st, const char *key);
int store_setting_put(struct store *st, const char *key, const char *value);

/* Installs this store as the process's audit sink (core audit_set_sink). */
void store_install_audit_sink(struct store *st);

/* ---- the console's accounts and failed logins (store_accounts.c) ------------------- */

#define STORE_ACCOUNT_NAME 64
#define STORE_ACCOUNT_SECRET 256

/* An account as vigil.db keeps it; the meaning of roles, privileges, password and totp
 * is the auth module's (src/auth/auth.h). */
struct store_account {
    int64_t id;
    char name[STORE_ACCOUNT_NAME + 1];
    char source[8];                        /* "local" or "ldap" */
    unsigned roles, privileges;            /* bit sets */
    char password[STORE_ACCOUNT_SECRET];   /* argon2id encoded hash ("" for ldap) */
    bool must_change;                      /* a one-time password: change at login */
    int64_t password_changed_ns;
    char totp[STORE_ACCOUNT_SECRET];       /* the TOTP seed, encrypted ("" none) */
    bool totp_on;                          /* enrolled and confirmed */
    int64_t totp_step;                     /* the last TOTP time step used (a code is good once) */
    bool disabled;
    int64_t created_ns, last_login_ns;
};

/* Reads the account named name (case-insensitive) into *a: 0, ERR_NOTFOUND, ERR_DB. */
int store_account_get(struct store *st, const char *name, struct store_account *a);
/* Inserts a (its id ignored); *id gets the new one (may be NULL). ERR_EXISTS for a name
 * taken, ERR_DB. */
int store_account_insert(struct store *st, const struct store_account *a, int64_t *id);
/* Writes every column of a over the row a->id: 0, ERR_NOTFOUND, ERR_DB. */
int store_account_update(struct store *st, const struct store_account *a);
/* Removes account id: 0, ERR_NOTFOUND, ERR_DB. */
int store_account_delete(struct store *st, int64_t id);
typedef int (*store_account_fn)(void *ctx, const struct store_account *a);
/* Calls fn for every account by name; fn's non-zero stops. */
int store_account_list(struct store *st, store_account_fn fn, void *ctx);

/* Records a failed login against kind ("account" or "address") and key at time now. */
int store_login_failure_add(struct store *st, const char *kind, const char *key, int64_t now_ns);
/* Counts the failures of (kind, key) at or after since_ns into *n, and the newest into
 * *last_ns (0 when none). Failures older than a day are dropped on the way. */
int store_login_failures(struct store *st, const char *kind, const char *key, int64_t since_ns,
                         uint64_t *n, int64_t *last_ns);
/* Forgets the failures of (kind, key) (after a successful login). */
int store_login_failures_clear(struct store *st, const char *kind, const char *key);

/* ---- the console's saved searches (store_searches.c) -------------------------------- */

#define STORE_SEARCH_NAME_MAX 100   /* characters of a saved search's name */
#define STORE_SEARCH_QUERY_MAX 4096 /* characters of its query */
#define STORE_SEARCHES_MAX 100      /* per account; a new one beyond is refused (ERR_FULL) */

/* A saved search: the query text an account keeps under a name (unique per account). */
struct store_search {
    int64_t id;
    const char *owner; /* the account's name (compared case-insensitively, as accounts) */
    const char *name;
    const char *query;  /* the search language's text (store_query_parse) */
    int64_t created_ns; /* when saved (or last replaced) */
};

/*
 * Saves s->query under s->name for s->owner, at s->created_ns: replaces the query and
 * time of owner's search of that name when there is one (its id stays; *replaced, may
 * be NULL, says so), else adds one. The strings stay the caller's (copied into vigil.db);
 * s->id gets the row's id. ERR_INVAL when a text is empty or blank, longer than its
 * maximum, not UTF-8, or the name holds control characters; ERR_FULL when owner has
 * STORE_SEARCHES_MAX already (nothing is evicted); ERR_DB. The reason, in English, in why.
 */
int store_search_save(struct store *st, struct store_search *s, bool *replaced, char *why,
                      size_t whylen);
typedef int (*store_search_fn)(void *ctx, const struct store_search *s);
/* Calls fn for owner's saved searches, newest first (strings valid during the call only);
 * fn's non-zero stops. 0 or ERR_DB. */
int store_searches_list(struct store *st, const char *owner, store_search_fn fn, void *ctx);
/* Deletes owner's saved search id and writes its name into name (namelen bytes; 0: not
 * wanted): 0, ERR_NOTFOUND when owner has no search of that id (another account's
 * included), ERR_DB. An account's searches also go when the account is deleted (a
 * trigger of schema v11). */
int store_search_delete(struct store *st, const char *owner, int64_t id, char *name,
                        size_t namelen);

/* One record of the audit trail, as read back (strings valid during the callback). */
struct store_audit_row {
    int64_t id, time_ns;
    const char *actor, *source, *action, *object, *result;
};
typedef int (*store_audit_fn)(void *ctx, const struct store_audit_row *r);
/* Calls fn for the newest records with id < before (0: from the newest), at most limit
 * (capped at 10,000), newest first; fn's non-zero stops. store_audit.c. */
int store_audit_list(struct store *st, int64_t before, size_t limit, store_audit_fn fn,
                     void *ctx);

/* ---- backup and restore (store_backup.c) ------------------------------------------- */

struct store_backup_report {
    size_t files; /* files in the backup (or restored) */
    size_t days;  /* of them, day files of events */
};

/*
 * Backs the store up, online, into the new or empty directory out: vigil.db and the day
 * files of receipt days [from_day, to_day] (day numbers, store_day_of) through SQLite's
 * backup API (each file a consistent snapshot while the daemon writes), the audit key,
 * the heads file and the key of secrets at rest, and a MANIFEST (SHA-256, size, name per
 * file). Message in err.
 */
int store_backup(struct store *st, const char *out, int64_t from_day, int64_t to_day,
                 struct store_backup_report *r, char *err, size_t errlen);
/* Restores the backup in directory from into dir, which must hold no store: every file
 * of the MANIFEST is checked (size, SHA-256) before any is written. Message in err. */
int store_restore(const char *from, const char *dir, struct store_backup_report *r, char *err,
                  size_t errlen);

/* ---- verifying the audit trail (store_audit_verify.c) ------------------------------ */

/* What store_audit_verify found, beyond the problems it reported one by one. */
struct store_audit_report {
    uint64_t records;  /* rows read */
    uint64_t problems; /* problems reported */
    int64_t last_id;   /* the newest record's id (0: empty trail) */
    uint64_t heads;    /* heads read from the heads file */
    int64_t head_id, head_time; /* the newest head: record it names and when (0: none) */
    bool heads_missing; /* no heads file: a trail cut short cannot be told */
};

/* A problem found: the record it concerns and what is wrong, in English. */
typedef void (*store_audit_problem_fn)(void *ctx, int64_t id, const char *what);

/*
 * Walks the whole trail in order and checks every record's seal against its content
 * and the record before it, the ids for gaps (deleted records), and every head in
 * the heads file (heads_file, NULL: the configured one) against the record it names
 * (a rewritten trail, or one cut short). Calls fn per problem. Returns 0 when the
 * walk completed (look at r->problems), or ERR_DB / ERR_IO / ERR_INVAL (no key).
 */
int store_audit_verify(struct store *st, const char *heads_file, store_audit_problem_fn fn,
                       void *ctx, struct store_audit_report *r);

/* Appends the store's size on disk and event count to out as "key value" lines. */
int store_stats(struct store *st, struct buf *out);

/* ---- alerts (store_alerts.c) ------------------------------------------------------- */

/* An alert (docs/ARCHITECTURE.md §3 "Alerts") as vigil.db keeps it and lists it. */
struct store_alert {
    uint64_t id; /* deterministic (event id x rule id): a replay adds none */
    const char *rule_id, *rule_title, *rule_level;
    const char *tags_json;               /* the tags as a JSON array */
    int64_t first_seen_ns, last_seen_ns; /* event time */
    uint64_t count;
    struct slice src_ip, dst_ip, user, host; /* p NULL: absent (stored NULL) */
    const char *asset;                       /* NULL for now */
    bool has_risk;                           /* false: risk is NULL (not scored yet) */
    double risk;                             /* 0-10 */
    const char *status;                      /* "new", ... */
    const char *event_ids_json; /* the most recent events behind it: a JSON array of ids
                                 * as hex strings */
    int64_t created_ns;         /* when the first event behind it was received */
    const char *status_reason, *status_by; /* the last status change (NULL: none) */
    int64_t status_at_ns;
    const char *assignee; /* who works it (NULL: nobody yet) */
};

/*
 * Writes the alert rows of the merger (alert.h) to vigil.db in one transaction: a new
 * row is inserted (INSERT OR IGNORE by id, so a batch matched again after a crash adds
 * nothing), a merged one updates count, first/last seen and event ids — unless the alert
 * was closed meanwhile: then its index goes to closed[] (room for n) and *nclosed counts
 * them. Thread-safe (the vigil.db mutex). 0, or ERR_DB / ERR_NOMEM (nothing written);
 * *inserted (may be NULL) gets the rows actually added.
 */
int store_alerts_write(struct store *st, const struct alert_row *rows, size_t n, size_t *closed,
                       size_t *nclosed, size_t *inserted);

/* A combination of values a rule with vigil_first_seen saw first (alert.h). */
struct store_first_seen {
    const char *rule_id;
    uint64_t key;      /* alert_seen_key */
    const char *value; /* the values, for people: "alice / db01" */
    int64_t first_seen_ns;
};

/* Records rows[0..n) in one transaction (INSERT OR IGNORE). ERR_DB / ERR_NOMEM. */
int store_first_seen_add(struct store *st, const struct store_first_seen *rows, size_t n);
/* Calls fn(ctx, key) for every key recorded; fn's non-zero stops. */
int store_first_seen_keys(struct store *st, int (*fn)(void *ctx, uint64_t key), void *ctx);

/* ---- the alert lifecycle and suppressions (store_alert_status.c) ----------------------- */

/*
 * Moves alert id to status ("acknowledged", "escalated", "closed"), recording reason
 * (required to close), actor and now. The lifecycle: new -> acknowledged -> escalated,
 * new -> escalated, and any open status -> closed; a closed alert stays closed (a new
 * hit opens a new alert). ERR_NOTFOUND for no such alert; ERR_INVAL with the reason in
 * why for a move the lifecycle does not allow or a close without reason; ERR_DB.
 */
int store_alert_set_status(struct store *st, uint64_t id, const char *status, const char *reason,
                           const char *actor, int64_t now_ns, char *why, size_t whylen);

/* Gives alert id to assignee (an account name; NULL or "" takes it back). ERR_NOTFOUND,
 * ERR_DB. store_alert_status.c. */
int store_alert_assign(struct store *st, uint64_t id, const char *assignee);

/* A suppression: hits of rule_id ("*": any rule) on the given entities (p NULL: any)
 * raise no alert until expires (wall clock). */
struct store_suppression {
    int64_t id;
    const char *rule_id;
    struct slice src_ip, dst_ip, user, host;
    const char *reason, *created_by;
    int64_t created_ns, expires_ns;
};

/* Adds s (its id ignored); *id gets the new one. ERR_DB. */
int store_suppression_add(struct store *st, const struct store_suppression *s, int64_t *id);
/* Removes suppression id: ERR_NOTFOUND when there is none. */
int store_suppression_remove(struct store *st, int64_t id);
typedef int (*store_suppression_fn)(void *ctx, const struct store_suppression *s);
/* Calls fn for each suppression that has not expired at now_ns (0: every one), by id;
 * strings valid during the call. */
int store_suppressions_list(struct store *st, int64_t now_ns, store_suppression_fn fn, void *ctx);

/* ---- unregistered terminals (store_terminals.c) ---------------------------------------- */

/* A terminal DHCP or ARP saw that the asset inventory does not register. */
struct store_terminal {
    const char *mac;
    struct slice ip, name; /* p NULL: not known from this sighting */
    int64_t first_ns, last_ns;
    uint64_t seen; /* sightings */
};

/* Merges rows (by MAC): first seen the earlier, last seen the later, ip and name the
 * newest known, seen added. One transaction. */
int store_terminals_merge(struct store *st, const struct store_terminal *rows, size_t n);
typedef int (*store_terminal_fn)(void *ctx, const struct store_terminal *t);
/* Calls fn for every terminal, last seen first. */
int store_terminals_list(struct store *st, store_terminal_fn fn, void *ctx);

/* What store_alerts_list returns. */
struct store_alert_filter {
    size_t limit;          /* rows; 0 = 100, capped at STORE_ALERTS_MAX_LIST */
    const char *min_level; /* NULL, or only alerts of this level or above
                              (informational < low < medium < high < critical) */
};
#define STORE_ALERTS_MAX_LIST 100000

typedef int (*store_alert_fn)(void *ctx, const struct store_alert *a);

/*
 * Calls fn for the newest alerts (by first seen, then id, descending) that pass f; the
 * row's strings are valid during the call only; fn's non-zero stops. ERR_INVAL for an
 * unknown level name.
 */
int store_alerts_list(struct store *st, const struct store_alert_filter *f, store_alert_fn fn,
                      void *ctx);

/* Appends a as one JSON object: {"id","rule_id","title","level","tags":[…],"first_seen",
 * "last_seen","count","src_ip","dst_ip","user","host","asset","risk","status",
 * "event_ids":[…],"created","status_reason","status_by","status_at","assignee"} (times RFC
 * 3339 UTC; absent entities, asset, risk, status change and assignee null).
 * store_alert_json.c. */
void store_alert_json(struct buf *b, const struct store_alert *a);

/*
 * The console's overview of alerts in [from, to) as one JSON object (store_overview.c):
 * by_level, alerts_over_time (bucket index from `from`, level, alerts), top_rules,
 * top_sources, top_targets, top_hosts, top_users ({value, title, alerts, hits}),
 * open_by_age, sql_injection, ddos, weak_passwords (hits), unregistered_terminals,
 * source_addresses (the 1,000 busiest src_ip), open_alerts. ERR_INVAL for a bucket <= 0, ERR_DB.
 */
int store_overview_json(struct store *st, int64_t from_ns, int64_t to_ns, int64_t bucket_ns,
                        struct buf *b);

/* Rank of a Sigma level name (informational 0 ... critical 4), or -1. */
int store_alert_level_rank(const char *level);

#endif
