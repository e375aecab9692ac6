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

/* Blocks: the writer seals its open block into a packed, indexed row when it holds
 * this many events or bytes of records (store_block.c, store_write.c). */
#define STORE_BLOCK_EVENTS 2048
#define STORE_BLOCK_BYTES (1024 * 1024)
/* A block's events are indexed in up to this many slices of event time, cut at the
 * widest gaps of at least STORE_SLICE_GAP_NS (store_write.c). */
#define STORE_BLOCK_SLICES 8
#define STORE_SLICE_GAP_NS (3600LL * 1000000000LL)
/* No block unpacks to more than this (a full block plus one record of any size). */
#define STORE_BLOCK_MAX_RAW (16u << 20)
/* A field gets a "name=value" term when both fit in this many bytes (store_terms.c). */
#define STORE_TERM_FIELD_MAX 128

/*
 * The writer's open block of a day file: records not yet sealed into `blocks`. It
 * mirrors the file's tail rows for block `id` (plus, before a batch ends, the bytes
 * past `synced`), so after a rollback or a restart it is rebuilt from them.
 */
struct store_open_block {
    int64_t id;      /* the id the block will have in `blocks` */
    struct buf recs; /* its records (store_record.c) */
    uint32_t count;
    size_t synced; /* bytes of recs already written as tail rows */
};

/* A replayable stream's highest stored position in a day file. */
struct store_hw {
    uint64_t src; /* 0 = empty slot */
    uint64_t pos;
};

/* A record of a block being sealed: its time and place in the block. */
struct store_seal_rec {
    int64_t time;
    uint32_t off;
};

/* The span of positions of one stream written by the current batch. */
struct store_span {
    uint64_t src, first, last;
    int64_t block;
};
#define STORE_BATCH_SPANS 32

/* A day file opened by the writer, with its prepared statements. */
struct store_day {
    int64_t day; /* days since the epoch (UTC) of receipt */
    sqlite3 *db;
    sqlite3_stmt *ins_pos;   /* a batch's span of positions of one stream */
    sqlite3_stmt *get_pos;   /* is a position covered already? */
    sqlite3_stmt *ins_block; /* a sealed block ... */
    sqlite3_stmt *ins_slice; /* ... its slices ... */
    sqlite3_stmt *ins_fts;   /* ... their terms ... */
    sqlite3_stmt *del_tail;  /* ... and its tail rows deleted */
    sqlite3_stmt *ins_tail;
    sqlite3_stmt *put_ckpt;
    sqlite3_stmt *put_meta;
    struct store_open_block open;
    struct store_hw *hw; /* per stream, the highest position stored (hash table) */
    size_t nhw, hwcap;
    int64_t min_time, max_time; /* event time span already recorded in meta */
    uint64_t last_use;
};

struct store_terms;

/* The audit trail's sealing (store_audit_seal.c), resolved at open. */
#define STORE_SEAL_BYTES 32
struct store_audit_seal {
    int alg;                                  /* STORE_HMAC_* used for new records */
    unsigned char key[STORE_SEAL_BYTES];      /* the HMAC key */
    char *key_file, *heads_file;
    bool heads_syslog;
    int64_t heads_interval_ns;
    int64_t last_head_mono; /* when this process last wrote a head (0: never) */
    bool unheaded;          /* records written since */
};
enum { STORE_HMAC_SHA256, STORE_HMAC_SM3 };

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
    /* writer scratch */
    struct store_span spans[STORE_BATCH_SPANS]; /* the current batch's streams */
    unsigned nspans;
    struct buf scratch;          /* one event's routes */
    struct buf packed;           /* a block being sealed, packed */
    struct buf doc;              /* a slice's terms document */
    struct store_seal_rec *seal; /* the block's records by time */
    size_t sealcap;
    struct store_terms *terms; /* its term set */
    void *cctx;                /* zstd compression context */
    sqlite3 *main_db;          /* vigil.db: audit and settings */
    pthread_mutex_t main_lock;
    struct store_audit_seal audit;
};

/* ---- the audit trail's seal (store_audit_seal.c) ---- */

/* Resolves the sealing options (opts, else the settings the daemon last wrote, else the
 * defaults), records them when given, loads or creates the key and seals the records
 * written before the trail was sealed (schema < 7). Message in err. */
int store_audit_seal_open(struct store *st, const struct store_audit_opts *opts, char *err,
                          size_t errlen);
/* Frees what store_audit_seal_open allocated, writing a last head when records were
 * written since the last one. */
void store_audit_seal_close(struct store *st);
/* The seal of a record: HMAC(key, prev || id || time || the five texts, each with its
 * length) with algorithm alg. 0, or ERR_INVAL when the algorithm is unavailable. */
int store_audit_seal_of(const struct store_audit_seal *a, int alg,
                        const unsigned char prev[STORE_SEAL_BYTES], int64_t id, int64_t time,
                        const char *const text[5], unsigned char out[STORE_SEAL_BYTES]);
/* Writes "hmac-<alg>:<hex>" into out (at least 80 bytes). */
void store_audit_seal_format(int alg, const unsigned char seal[STORE_SEAL_BYTES], char *out);
/* Parses that form; false when it is not one. */
bool store_audit_seal_parse(const char *text, int *alg, unsigned char seal[STORE_SEAL_BYTES]);
/* Writes the chain's head (newest id and seal) to the heads file and syslog when forced
 * or when the interval has passed since the last one. Caller holds main_lock. */
void store_audit_head_maybe(struct store *st, int64_t id, const char *seal, bool force);

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

/* ---- matching (store_match.c) ---- */

enum store_match_mode {
    STORE_MATCH_EQUAL = 0,         /* the whole value, case-insensitive */
    STORE_MATCH_GLOB = 1,          /* the whole value against a * ? pattern */
    STORE_MATCH_CONTAINS = 2,      /* anywhere in the value (raw text search) */
    STORE_MATCH_CONTAINS_GLOB = 3, /* a * ? pattern anywhere in the value */
};

/* Case-insensitive (ASCII) match of s against pat in the given mode; in the GLOB modes
 * * and ? are wildcards and backslash escapes them; the others take pat literally. */
bool store_match(const char *s, size_t n, const char *pat, size_t pn, enum store_match_mode mode);
/* Parses s as a finite decimal number. */
bool store_number(const char *s, size_t n, double *out);

/* ---- records and blocks (store_record.c, store_block.c) ---- */

#define STORE_MAX_ALIASES 16 /* field aliases kept per record */

/* One stored event, decoded; the slices point into the block's bytes. */
struct store_rec {
    uint64_t id;
    int64_t time_ns, received_ns;
    uint32_t flags;
    struct slice decoder, routes, raw;
    struct slice text; /* the UTF-8 text (the raw bytes when they were already) */
    unsigned nfields;
    struct slice names[EVENT_MAX_FIELDS];
    struct slice values[EVENT_MAX_FIELDS];
    unsigned naliases; /* a search for aliases[i] reads the fields named targets[i] */
    struct slice aliases[STORE_MAX_ALIASES];
    struct slice targets[STORE_MAX_ALIASES];
};

/* Appends ev as a record to out (scratch: a buffer for the routes). */
int store_rec_encode(const struct event *ev, struct buf *scratch, struct buf *out);
/* Decodes the record at p (n bytes available); *used gets its length. ERR_PARSE when
 * the bytes are not a whole record. */
int store_rec_decode(const char *p, size_t n, size_t *used, struct store_rec *rec);
/* The event time of the record at p, without decoding the rest. */
int store_rec_peek_time(const char *p, size_t n, int64_t *time_ns);
/* First value of the field called name. */
bool store_rec_field(const struct store_rec *rec, const char *name, struct slice *out);
/* Appends the record's fields as the JSON object event_fields_json writes. */
int store_rec_fields_json(const struct store_rec *rec, struct buf *out);

/* A block's records in memory, with the offset of each record. */
struct store_block {
    struct buf recs;
    uint32_t *offs;
    size_t n, cap;
    void *dctx; /* zstd decompression context */
};

void store_block_init(struct store_block *b);
void store_block_fini(struct store_block *b);
/* Replaces b's records with the unpacked form of a packed block and indexes them. */
int store_block_unpack(struct store_block *b, const void *packed, size_t n);
/* Indexes the records in b->recs (after the caller filled it); ERR_PARSE if damaged. */
int store_block_index(struct store_block *b);
/* Decodes record i of b. */
int store_block_rec(const struct store_block *b, size_t i, struct store_rec *r);
/* Packs n bytes of records into out with the compression context *cctx (created on
 * first use; freed by store_block_free_cctx). */
int store_block_pack(void **cctx, const char *recs, size_t n, struct buf *out);
void store_block_free_cctx(void *cctx);

/* ---- block index terms (store_terms.c, store_prefilter.c) ---- */

/* The byte as terms spell it: ASCII lower case, control bytes as a space. */
unsigned char store_term_norm(unsigned char c);
/* Writes the term "name=value" (normalised) into out, which holds
 * STORE_TERM_FIELD_MAX bytes; the caller checks the length fits. Returns its length. */
size_t store_term_field(struct slice name, struct slice value, char *out);

/* The writer's set of a block's distinct terms. */
int store_terms_new(struct store_terms **out);
void store_terms_free(struct store_terms *t);
void store_terms_reset(struct store_terms *t);
/* Adds the trigrams of p. */
int store_terms_add_text(struct store_terms *t, const char *p, size_t n);
/* Adds a field's value trigrams and, when short enough, its name=value term. */
int store_terms_add_field(struct store_terms *t, struct slice name, struct slice value);
/* Writes the set as the block's FTS5 document (one term per line) into doc. */
int store_terms_doc(const struct store_terms *t, struct buf *doc);
/* Registers the FTS5 tokenizer "vigil_terms" (one term per line) on db. */
int store_terms_register(sqlite3 *db);

/* Compiles a query into the FTS5 expression selecting candidate blocks, into out;
 * out->len == 0 when the query constrains no term (every block is a candidate). */
int store_prefilter(const struct query_node *root, struct buf *out);

/* ---- exact evaluation (store_filter.c) ---- */

struct store_pred {
    enum query_kind kind;
    int left, right;  /* AND/OR/NOT operands (indexes into preds) */
    const char *name; /* TERM/RANGE field (stored spelling); NULL = the text */
    size_t namelen;
    bool decoder;    /* TERM on the decoder's name */
    const char *pat; /* TERM value */
    size_t pn;
    int mode; /* enum store_match_mode, or -1 for a range */
    double lo, hi;
    bool lo_incl, hi_incl;
};

struct store_filter {
    struct store_pred *preds;
    unsigned n, cap;
    int root;
};

/* The stored spelling of a field name in queries: the registry's, else as given. */
const char *store_filter_field_name(const char *name);
/* Compiles root (which must outlive f) into f; caller finis. */
int store_filter_compile(const struct query_node *root, struct store_filter *f);
void store_filter_fini(struct store_filter *f);
/* True when the record matches. */
bool store_filter_eval(const struct store_filter *f, const struct store_rec *r);

/* ---- the writer's blocks (store_write.c) ---- */

/* Rebuilds the writer's state of d from the file: its open block from the tail rows and
 * the streams' highest positions (day open, after a rollback). */
int store_day_load_open(struct store_day *d);
/* Stores ev in d unless its id is already there (*inserted = 1 when stored), sealing
 * the open block when full. Inside a transaction of the caller's. */
int store_day_write_event(struct store *st, struct store_day *d, const struct event *ev,
                          int *inserted);
/* sqlite3_step + reset of a statement that returns no row: 0 or ERR_DB. */
int store_step_done(sqlite3_stmt *s);
/* Empties the open block o, which will have block id `id`. */
void store_open_reset(struct store_open_block *o, int64_t id);
/* Seals d's open block (store_seal.c): packed into `blocks`, cut into slices of event
 * time, each slice's terms into blocks_fts, its tail rows deleted; the next block
 * takes the following id. In the caller's transaction. */
int store_seal(struct store *st, struct store_day *d);
/* Seals every open block (store_close: a day's tail does not outlive the writer). */
int store_seal_open_blocks(struct store *st);
/* Writes the open block's records added since the last tail row as a new tail row. */
int store_day_sync_tail(struct store_day *d);

/* ---- files of older schemas (store_migrate.c) ---- */

/* Moves the per-event rows of a v1-v3 day file into blocks and drops the old tables,
 * in one transaction; does nothing when d has no such rows. Writer thread. */
int store_migrate_rows(struct store *st, struct store_day *d);

/* ---- audit (store_audit.c) ---- */

int store_audit_write(struct store *st, const struct audit_entry *e);

/* Binds row i of rows to s (one statement's parameters). */
typedef void (*store_bind_fn)(sqlite3_stmt *s, const void *rows, size_t i);

/*
 * Runs sql once per row of rows[0..n), each bound by bind, in one vigil.db transaction
 * under the main lock (store_main.c): all rows or none. 0, or ERR_DB.
 */
int store_main_each(struct store *st, const char *sql, const void *rows, size_t n,
                    store_bind_fn bind);
/* Runs sql (its one parameter ?1 = id) on vigil.db under the main lock (store_main.c):
 * 0, ERR_NOTFOUND when it changed no row, ERR_DB. */
int store_main_by_id(struct store *st, const char *sql, int64_t id);
/* The settings value of key (heap, NULL when none) / sets it, on db (caller locks). */
char *store_setting_db_get(sqlite3 *db, const char *key);
int store_setting_db_put(sqlite3 *db, const char *key, const char *value);

#endif
