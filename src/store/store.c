/*
 * store.c — the SQLite store's files: opening the data directory (0700) and its
 * databases (0600), the day-file naming, the writer's cache of open day files,
 * retention (deleting whole day files), checkpoint lookup and stats.
 *
 * Durability choice: WAL with synchronous=NORMAL. A commit is not fsynced; the WAL is
 * synced at each checkpoint. A power cut can therefore lose the last batches committed
 * since the last WAL checkpoint (at most ~wal_autocheckpoint pages, seconds of events),
 * never corrupt a file, and never separate a batch from its input checkpoint, since
 * both are in the same transaction: after restart the input resumes from the older
 * checkpoint and re-sends what was lost, and the replay check (by input position,
 * store_write.c) drops anything that survived.
 * Group commit (store_write.c) widens the window by the open group only: at most
 * STORE_GROUP_EVENTS events or STORE_GROUP_NS of writing, again with its checkpoints.
 */
#include "store/store_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* See store_int.h. */
int64_t store_day_of(int64_t ns)
{
    int64_t d = ns / STORE_DAY_NS;
    if (ns % STORE_DAY_NS < 0)
        d--;
    return d;
}

/* See store_int.h. */
int store_day_path(const char *dir, int64_t day, struct buf *b)
{
    int64_t y;
    unsigned mo, d, h, mi, s;
    vtime_to_civil(day * 86400, &y, &mo, &d, &h, &mi, &s);
    buf_reset(b);
    buf_printf(b, "%s/events-%04lld-%02u-%02u.db", dir, (long long)y, mo, d);
    return b->err ? b->err : (buf_cstr(b) ? 0 : ERR_NOMEM);
}

static bool digits(const char *s, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return true;
}

/* See store_int.h. */
bool store_day_from_name(const char *name, int64_t *day)
{
    /* events-YYYY-MM-DD.db */
    if (strlen(name) != 20 || memcmp(name, "events-", 7) != 0 || name[11] != '-' ||
        name[14] != '-' || memcmp(name + 17, ".db", 3) != 0)
        return false;
    unsigned y, m, d;
    if (!digits(name + 7, 4, &y) || !digits(name + 12, 2, &m) || !digits(name + 15, 2, &d))
        return false;
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    *day = vtime_days_from_civil(y, m, d);
    return true;
}

static int cmp_day(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* See store_int.h. */
int store_list_days(const char *dir, int64_t **days, size_t *n)
{
    *days = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : ERR_IO;
    size_t cap = 0;
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d)) != NULL) {
        int64_t day;
        if (!store_day_from_name(de->d_name, &day))
            continue;
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            int64_t *p = mem_realloc(*days, nc * sizeof *p);
            if (!p) {
                rc = ERR_NOMEM;
                break;
            }
            *days = p;
            cap = nc;
        }
        (*days)[(*n)++] = day;
    }
    closedir(d);
    if (rc) {
        mem_free(*days);
        *days = NULL;
        *n = 0;
        return rc;
    }
    if (*n)
        qsort(*days, *n, sizeof **days, cmp_day);
    return 0;
}

/* See store_int.h. */
int store_db_open(const char *path, bool create, bool read_only, sqlite3 **out)
{
    *out = NULL;
    if (create) {
        /* Create the file ourselves so that it is 0600 from its first byte; SQLite
         * gives its -wal and -shm files the same mode. */
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
            return ERR_IO;
        struct stat sb;
        if (fstat(fd, &sb) == 0 && (sb.st_mode & 077))
            (void)fchmod(fd, 0600);
        close(fd);
    }
    int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return access(path, F_OK) == 0 ? ERR_DB : ERR_NOTFOUND;
    }
    sqlite3_busy_timeout(db, 5000);
    const char *pragmas = read_only ? "PRAGMA query_only=1; PRAGMA mmap_size=268435456;"
                                      "PRAGMA cache_size=-16384; PRAGMA temp_store=MEMORY;"
                                    : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                                      "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
                                      "PRAGMA wal_autocheckpoint=4000;";
    if (sqlite3_exec(db, pragmas, NULL, NULL, NULL) != SQLITE_OK || store_terms_register(db)) {
        sqlite3_close(db);
        return ERR_DB;
    }
    *out = db;
    return 0;
}

/* ---- the writer's open day files ---------------------------------------------------- */

static void day_close(struct store_day *d)
{
    sqlite3_finalize(d->ins_pos);
    sqlite3_finalize(d->get_pos);
    mem_free(d->hw);
    sqlite3_finalize(d->ins_block);
    sqlite3_finalize(d->ins_slice);
    sqlite3_finalize(d->ins_fts);
    sqlite3_finalize(d->del_tail);
    sqlite3_finalize(d->ins_tail);
    sqlite3_finalize(d->put_ckpt);
    sqlite3_finalize(d->put_meta);
    sqlite3_close(d->db);
    buf_fini(&d->open.recs);
    memset(d, 0, sizeof *d);
}

/* See store_int.h. */
int store_day_load_meta(struct store_day *d)
{
    sqlite3_stmt *s = NULL;
    d->min_time = INT64_MAX;
    d->max_time = INT64_MIN;
    if (sqlite3_prepare_v2(d->db, "SELECT key, value FROM meta", -1, &s, NULL) != SQLITE_OK)
        return ERR_DB;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(s, 0);
        if (k && !strcmp(k, "min_time"))
            d->min_time = sqlite3_column_int64(s, 1);
        else if (k && !strcmp(k, "max_time"))
            d->max_time = sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    return 0;
}

static int day_open(struct store *st, int64_t day, struct store_day *d)
{
    struct buf path;
    char err[256];
    buf_init(&path, 4096);
    int rc = store_day_path(st->dir, day, &path);
    if (rc)
        goto fail;
    memset(d, 0, sizeof *d);
    d->day = day;
    buf_init(&d->open.recs, STORE_BLOCK_MAX_RAW);
    rc = store_db_open(path.p, true, false, &d->db);
    if (rc)
        goto fail;
    rc = store_schema_migrate(d->db, STORE_FILE_DAY, err, sizeof err);
    if (rc)
        goto fail_db;
    rc = ERR_DB;
    static const struct {
        size_t off;
        const char *sql;
    } stmts[] = {
        {offsetof(struct store_day, ins_pos),
         "INSERT INTO positions(src, first, last, block) VALUES(?1, ?2, ?3, ?4)"},
        {offsetof(struct store_day, get_pos),
         "SELECT first FROM positions WHERE src = ?1 AND last >= ?2 ORDER BY last LIMIT 1"},
        {offsetof(struct store_day, ins_block),
         "INSERT INTO blocks(id, count, data) VALUES(?1, ?2, ?3)"},
        {offsetof(struct store_day, ins_slice),
         "INSERT INTO slices(id, min_time, max_time, count) VALUES(?1, ?2, ?3, ?4)"},
        {offsetof(struct store_day, ins_fts), "INSERT INTO blocks_fts(rowid, t) VALUES(?1, ?2)"},
        {offsetof(struct store_day, del_tail), "DELETE FROM tail WHERE block = ?1"},
        {offsetof(struct store_day, ins_tail), "INSERT INTO tail(block, data) VALUES(?1, ?2)"},
        {offsetof(struct store_day, put_ckpt),
         "INSERT INTO checkpoints(key, value, updated) VALUES(?1, ?2, ?3)"
         " ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated = excluded.updated"},
        {offsetof(struct store_day, put_meta),
         "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)"},
    };
    for (size_t i = 0; i < sizeof stmts / sizeof stmts[0]; i++) {
        sqlite3_stmt **slot = (sqlite3_stmt **)((char *)d + stmts[i].off);
        if (sqlite3_prepare_v3(d->db, stmts[i].sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL))
            goto fail_db;
    }
    rc = store_day_load_meta(d);
    if (rc == 0)
        rc = store_day_load_open(d);
    if (rc == 0)
        rc = store_migrate_rows(st, d);
    if (rc)
        goto fail_db;
    buf_fini(&path);
    return 0;
fail_db:
    day_close(d);
fail:
    buf_fini(&path);
    return rc;
}

/* See store_int.h. */
int store_day_get(struct store *st, int64_t day, struct store_day **out)
{
    st->use_clock++;
    for (unsigned i = 0; i < st->ndays; i++) {
        if (st->days[i].day == day) {
            st->days[i].last_use = st->use_clock;
            *out = &st->days[i];
            return 0;
        }
    }
    unsigned slot = st->ndays;
    if (slot == STORE_MAX_OPEN_DAYS) {
        slot = 0;
        for (unsigned i = 1; i < st->ndays; i++)
            if (st->days[i].last_use < st->days[slot].last_use)
                slot = i;
        day_close(&st->days[slot]);
    } else {
        st->ndays++;
    }
    int rc = day_open(st, day, &st->days[slot]);
    if (rc) {
        /* keep the array dense */
        st->days[slot] = st->days[st->ndays - 1];
        memset(&st->days[st->ndays - 1], 0, sizeof st->days[0]);
        st->ndays--;
        return rc;
    }
    st->days[slot].last_use = st->use_clock;
    *out = &st->days[slot];
    return 0;
}

/* ---- open / close ------------------------------------------------------------------- */

static int ensure_dir(const char *dir, bool create)
{
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        if (errno != ENOENT || !create)
            return errno == ENOENT ? ERR_NOTFOUND : ERR_IO;
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            return ERR_IO;
        if (stat(dir, &sb) != 0)
            return ERR_IO;
    }
    if (!S_ISDIR(sb.st_mode))
        return ERR_INVAL;
    if ((sb.st_mode & 077) && sb.st_uid == geteuid())
        (void)chmod(dir, 0700);
    return 0;
}

/* Opens the store: creates the directory (0700) unless read-only, opens and migrates
 * vigil.db (the audit trail is written even by read-only users such as `vigil
 * search`), and migrates existing day files unless read-only. */
int store_open(const struct store_opts *opts, struct store **out)
{
    *out = NULL;
    if (!opts || !opts->dir || !*opts->dir)
        return ERR_INVAL;
    int rc = ensure_dir(opts->dir, !opts->read_only);
    if (rc)
        return rc;
    struct store *st = mem_calloc(1, sizeof *st);
    if (!st)
        return ERR_NOMEM;
    st->read_only = opts->read_only;
    st->retention_days = opts->retention_days > 0 ? opts->retention_days : STORE_DEFAULT_RETENTION;
    buf_init(&st->scratch, 1 << 16);
    buf_init(&st->packed, 2 * STORE_BLOCK_MAX_RAW);
    buf_init(&st->doc, 0);
    pthread_mutex_init(&st->main_lock, NULL);
    st->dir = mem_strdup(opts->dir);
    if (!st->dir) {
        rc = ERR_NOMEM;
        goto fail;
    }
    struct buf path;
    buf_init(&path, 4096);
    buf_printf(&path, "%s/vigil.db", st->dir);
    char err[512] = "";
    rc = path.err ? path.err : store_db_open(buf_cstr(&path), true, false, &st->main_db);
    buf_fini(&path);
    if (rc)
        goto fail;
    rc = store_schema_migrate(st->main_db, STORE_FILE_MAIN, err, sizeof err);
    if (!rc)
        rc = store_audit_seal_open(st, opts->audit, err, sizeof err);
    if (rc) {
        log_error("store: %s: %s", st->dir, err);
        goto fail;
    }
    if (!st->read_only) {
        int64_t *days;
        size_t n;
        rc = store_list_days(st->dir, &days, &n);
        if (rc)
            goto fail;
        for (size_t i = 0; i < n && rc == 0; i++) {
            struct store_day *d;
            rc = store_day_get(st, days[i], &d);
        }
        mem_free(days);
        if (rc)
            goto fail;
    }
    *out = st;
    return 0;
fail:
    store_close(st);
    return rc;
}

/* Closes every file and frees st (NULL does nothing). Uninstalls nothing: the caller
 * that installed the audit sink restores it first. */
void store_close(struct store *st)
{
    if (!st)
        return;
    (void)store_flush(st);
    if (!st->read_only)
        (void)store_seal_open_blocks(st);
    for (unsigned i = 0; i < st->ndays; i++)
        day_close(&st->days[i]);
    store_audit_seal_close(st);
    sqlite3_close(st->main_db);
    pthread_mutex_destroy(&st->main_lock);
    buf_fini(&st->scratch);
    buf_fini(&st->packed);
    buf_fini(&st->doc);
    store_terms_free(st->terms);
    mem_free(st->seal);
    store_block_free_cctx(st->cctx);
    mem_free(st->dir);
    mem_free(st);
}

/* ---- retention ---------------------------------------------------------------------- */

static void unlink_day(const char *path)
{
    char side[4200];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

/* Keeps the last retention_days days of receipt (today included) and deletes the
 * older day files, auditing each deletion. Returns the number of files removed. */
int store_retention_run(struct store *st, int64_t now_ns)
{
    if (st->read_only)
        return ERR_INVAL;
    int rc = store_flush(st); /* no day file is closed with its group open */
    if (rc)
        return rc;
    int64_t *days;
    size_t n;
    rc = store_list_days(st->dir, &days, &n);
    if (rc)
        return rc;
    int64_t oldest_kept = store_day_of(now_ns) - (st->retention_days - 1);
    int removed = 0;
    struct buf path;
    buf_init(&path, 4096);
    for (size_t i = 0; i < n; i++) {
        if (days[i] >= oldest_kept)
            continue;
        for (unsigned k = 0; k < st->ndays; k++) {
            if (st->days[k].day == days[i]) {
                day_close(&st->days[k]);
                st->days[k] = st->days[st->ndays - 1];
                memset(&st->days[st->ndays - 1], 0, sizeof st->days[0]);
                st->ndays--;
                break;
            }
        }
        if (store_day_path(st->dir, days[i], &path))
            continue;
        const char *name = strrchr(path.p, '/');
        name = name ? name + 1 : path.p;
        bool ok = unlink(path.p) == 0 || errno == ENOENT;
        char result[128];
        snprintf(result, sizeof result, "%s", ok ? "ok" : err_errno(errno));
        if (ok) {
            unlink_day(path.p);
            removed++;
        }
        struct audit_entry e = {.actor = "system",
                                .source = "local",
                                .action = "retention.delete",
                                .object = name,
                                .result = result};
        audit_record(&e);
    }
    buf_fini(&path);
    mem_free(days);
    return removed;
}

/* ---- checkpoints and stats ---------------------------------------------------------- */

/* Newest checkpoint (by commit time) for key across day files, into out. */
int store_checkpoint_get(struct store *st, const char *key, struct buf *out)
{
    int64_t *days;
    size_t n;
    int rc = store_list_days(st->dir, &days, &n);
    if (rc)
        return rc;
    struct buf path;
    buf_init(&path, 4096);
    int64_t best = INT64_MIN;
    rc = ERR_NOTFOUND;
    for (size_t i = n; i-- > 0;) {
        sqlite3 *db;
        if (store_day_path(st->dir, days[i], &path) || store_db_open(path.p, false, true, &db))
            continue;
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(db, "SELECT value, updated FROM checkpoints WHERE key = ?1", -1, &s,
                               NULL) == SQLITE_OK) {
            sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
            if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int64(s, 1) > best) {
                best = sqlite3_column_int64(s, 1);
                buf_reset(out);
                buf_append(out, sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0));
                rc = out->err ? out->err : 0;
            }
        }
        sqlite3_finalize(s);
        sqlite3_close(db);
    }
    buf_fini(&path);
    mem_free(days);
    return rc;
}

/* Appends "files N", "bytes N", "events N" lines describing the store to out. */
int store_stats(struct store *st, struct buf *out)
{
    int64_t *days;
    size_t n;
    int rc = store_list_days(st->dir, &days, &n);
    if (rc)
        return rc;
    struct buf path;
    buf_init(&path, 4096);
    unsigned long long bytes = 0, events = 0;
    for (size_t i = 0; i < n; i++) {
        if (store_day_path(st->dir, days[i], &path))
            continue;
        static const char *const sfx[] = {"", "-wal"};
        for (int k = 0; k < 2; k++) {
            char p2[4200];
            struct stat sb;
            snprintf(p2, sizeof p2, "%s%s", path.p, sfx[k]);
            if (stat(p2, &sb) == 0)
                bytes += (unsigned long long)sb.st_size;
        }
        sqlite3 *db;
        if (store_db_open(path.p, false, true, &db))
            continue;
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(db, "SELECT count(*) FROM ids", -1, &s, NULL) == SQLITE_OK &&
            sqlite3_step(s) == SQLITE_ROW)
            events += (unsigned long long)sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
        sqlite3_close(db);
    }
    buf_printf(out, "store.files %zu\nstore.bytes %llu\nstore.events %llu\n", n, bytes, events);
    buf_fini(&path);
    mem_free(days);
    return out->err;
}
