/*
 * store_int.h — private declarations shared by the SQLite store's files: the store
 * object, day files, schema, SQL functions and value matching. Nothing outside
 * src/store includes this.
 */
#ifndef VIGIL_STORE_INT_H
#define VIGIL_STORE_INT_H

#include "core/core.h"
#include "event/event.h"
#include "store/store.h"

#include <pthread.h>
#include <sqlite3.h>

#define STORE_DEFAULT_RETENTION 190
#define STORE_MAX_OPEN_DAYS 8 /* writer keeps this many day files open; LRU beyond */
#define STORE_DAY_NS (86400LL * NS_PER_SEC)
#define STORE_MAX_PAGE 100000 /* a page of results holds at most this many rows */
/* Group commit: the writer's open transaction is committed once it holds this many
 * events or is this old at a write (and at every store_flush). */
#define STORE_GROUP_EVENTS 8192
#define STORE_GROUP_NS (200LL * 1000000LL)

/* A day file opened by the writer, with its prepared statements. */
struct store_day {
    int64_t day; /* days since the epoch (UTC) of receipt */
    sqlite3 *db;
    sqlite3_stmt *ins_event;
    sqlite3_stmt *ins_fts;
    sqlite3_stmt *put_ckpt;
    sqlite3_stmt *put_meta;
    int64_t min_time, max_time; /* event time span already recorded in meta */
    uint64_t last_use;
};

struct store {
    char *dir;
    int retention_days;
    bool read_only;
    struct store_day days[STORE_MAX_OPEN_DAYS];
    unsigned ndays;
    struct store_day *tx_day; /* day file whose group transaction is open, or NULL */
    size_t tx_events;         /* events written in it so far */
    int64_t tx_start;         /* monotonic time it began */
    uint64_t use_clock;
    struct buf fields;   /* writer scratch: one event's fields as JSON */
    struct buf ftstext;  /* writer scratch: one event's full-text document */
    sqlite3 *main_db;    /* vigil.db: audit and settings */
    pthread_mutex_t main_lock;
};

/* ---- files and schema (store.c, store_schema.c) ---- */

/* Day number of a timestamp in ns (floor division, so times before 1970 work). */
int64_t store_day_of(int64_t ns);
/* Writes "DIR/events-YYYY-MM-DD.db" for day into b. */
int store_day_path(const char *dir, int64_t day, struct buf *b);
/* Parses a day file name "events-YYYY-MM-DD.db" into its day number. */
bool store_day_from_name(const char *name, int64_t *day);

/* Day numbers of the day files in dir, ascending, in a heap array the caller frees. */
int store_list_days(const char *dir, int64_t **days, size_t *n);
/* The writer's handle on day file `day`, opened (created, migrated) when needed; the
 * least recently used is closed at STORE_MAX_OPEN_DAYS. Writer thread only. */
int store_day_get(struct store *st, int64_t day, struct store_day **out);

/* Rereads the min/max event time of d from its meta table (after a rollback). */
int store_day_load_meta(struct store_day *d);

enum store_file_kind { STORE_FILE_DAY, STORE_FILE_MAIN };

/* The schema version this code writes for each kind of file. */
int store_schema_current(enum store_file_kind kind);
/*
 * Brings db to the current schema: creates it when new (user_version 0 and no
 * tables), runs each migration step in one transaction. ERR_DB for a version newer
 * than this code knows, with the reason in err.
 */
int store_schema_migrate(sqlite3 *db, enum store_file_kind kind, char *err, size_t errlen);
/* The SQL of migration step `version` (1-based), or NULL (for the migration test). */
const char *store_schema_step(enum store_file_kind kind, int version);
/*
 * Opens (creating with mode 0600 when create is set) the SQLite file at path, with
 * the pragmas of its role; registers the SQL functions. Caller closes.
 */
int store_db_open(const char *path, bool create, bool read_only, sqlite3 **out);

/* ---- SQL functions and matching (store_match.c) ---- */

enum store_match_mode {
    STORE_MATCH_EQUAL = 0,    /* the whole value, case-insensitive */
    STORE_MATCH_GLOB = 1,     /* the whole value against a * ? pattern */
    STORE_MATCH_CONTAINS = 2, /* anywhere in the value (raw text search) */
    STORE_MATCH_CONTAINS_GLOB = 3, /* a * ? pattern anywhere in the value */
};

/* Case-insensitive (ASCII) match of s against pat in the given mode; in the GLOB modes
 * * and ? are wildcards and backslash escapes them; the others take pat literally. */
bool store_match(const char *s, size_t n, const char *pat, size_t pn, enum store_match_mode mode);
/* Parses s as a finite decimal number. */
bool store_number(const char *s, size_t n, double *out);
/* Registers vmatch(), vfield(), vrange(), vfield_range() on db. */
int store_sql_functions(sqlite3 *db);

/* ---- the query compiler (store_sql.c) ---- */

enum store_param_kind { STORE_PARAM_TEXT, STORE_PARAM_INT, STORE_PARAM_REAL };

struct store_param {
    enum store_param_kind kind;
    char *s; /* owned */
    int64_t i;
    double d;
};

/*
 * A query compiled to an SQL predicate over the events table (alias e) with its
 * parameters: values are always bound, never inlined.
 */
struct store_sql {
    struct buf where;           /* predicate text with ?NNN placeholders */
    struct buf fts;             /* FTS5 MATCH expression of the driving term; len 0 = none */
    struct store_param *params; /* owned array */
    unsigned nparams, cap;
    bool index_term; /* a top-level conjunct is served by a promoted column's index */
};

/* Compiles root into out (caller finis). Parameters are numbered from 1. */
int store_sql_compile(const struct query_node *root, struct store_sql *out);
void store_sql_fini(struct store_sql *q);
/* Binds q's parameters to stmt as ?1..?n. */
int store_sql_bind(const struct store_sql *q, sqlite3_stmt *stmt);

/* ---- audit (store_audit.c) ---- */

int store_audit_write(struct store *st, const struct audit_entry *e);

#endif
