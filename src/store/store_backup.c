/*
 * store_backup.c — online backup and restore of a store (store.h). A backup is a
 * directory: vigil.db (settings, accounts, alerts, suppressions, terminals, the audit
 * trail) and the chosen day files, each copied with SQLite's online backup API — a
 * consistent snapshot of each file even while the daemon writes to it — plus the keys
 * the data needs (audit.key for the trail's seals, secrets.key for the TOTP seeds) and
 * the heads file, and a MANIFEST listing every file with its size and SHA-256. Restore
 * checks the manifest first and writes only into a directory with no store in it.
 */
#include "store/store_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MANIFEST "MANIFEST"

/* Copies the database at src (opened read-only) into the new file dst (0600). */
static int backup_db(const char *src, const char *dst)
{
    sqlite3 *from = NULL, *to = NULL;
    int rc = store_db_open(src, false, true, &from);
    if (rc)
        return rc;
    int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        sqlite3_close(from);
        return ERR_IO;
    }
    close(fd);
    rc = ERR_DB;
    if (sqlite3_open_v2(dst, &to, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
        sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
        if (b) {
            int step;
            while ((step = sqlite3_backup_step(b, 256)) == SQLITE_OK || step == SQLITE_BUSY ||
                   step == SQLITE_LOCKED)
                if (step != SQLITE_OK)
                    sqlite3_sleep(20);
            if (sqlite3_backup_finish(b) == SQLITE_OK && step == SQLITE_DONE)
                rc = 0;
        }
        /* a single file: the copy is not in WAL mode */
        if (rc == 0 && sqlite3_exec(to, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK)
            rc = ERR_DB;
    }
    sqlite3_close(to);
    sqlite3_close(from);
    return rc;
}

/* Copies a plain file (a key, the heads) keeping mode bits; a missing source is 0 with
 * *copied false. */
static int copy_file(const char *src, const char *dst, bool *copied)
{
    *copied = false;
    int in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (in < 0)
        return errno == ENOENT ? 0 : ERR_IO;
    struct stat sb;
    int out = fstat(in, &sb) ? -1
                             : open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                                    (sb.st_mode & 0777) | 0200);
    int rc = out < 0 ? ERR_IO : 0;
    char buf[1 << 16];
    ssize_t n;
    while (rc == 0 && (n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n)
            rc = ERR_IO;
    if (out >= 0) {
        if (fsync(out) || fchmod(out, sb.st_mode & 0777))
            rc = rc ? rc : ERR_IO;
        close(out);
    }
    close(in);
    *copied = rc == 0;
    return rc;
}

/* SHA-256 of the file at path as hex into out (65 bytes) and its size. */
static int digest(const char *path, char out[65], uint64_t *size)
{
    FILE *f = fopen(path, "rbe");
    if (!f)
        return ERR_IO;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    bool ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1;
    unsigned char buf[1 << 16], md[32];
    size_t n;
    *size = 0;
    while (ok && (n = fread(buf, 1, sizeof buf, f)) > 0) {
        ok = EVP_DigestUpdate(c, buf, n) == 1;
        *size += n;
    }
    unsigned len = 0;
    ok = ok && !ferror(f) && EVP_DigestFinal_ex(c, md, &len) == 1 && len == 32;
    EVP_MD_CTX_free(c);
    fclose(f);
    for (int i = 0; ok && i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    return ok ? 0 : ERR_IO;
}

static int manifest_add(struct buf *m, const char *dir, const char *name)
{
    char path[4200], hex[65];
    uint64_t size;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int rc = digest(path, hex, &size);
    if (!rc)
        buf_printf(m, "%s %llu %s\n", hex, (unsigned long long)size, name);
    return rc;
}

/* See store.h. */
int store_backup(struct store *st, const char *out, int64_t from_day, int64_t to_day,
                 struct store_backup_report *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    if (mkdir(out, 0700) && errno != EEXIST) {
        snprintf(err, errlen, "%s: %s", out, err_errno(errno));
        return ERR_IO;
    }
    DIR *d = opendir(out);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            closedir(d);
            snprintf(err, errlen, "%s is not empty: a backup goes into a new directory", out);
            return ERR_EXISTS;
        }
    if (d)
        closedir(d);
    struct buf m, src, dst;
    buf_init(&m, 0);
    buf_init(&src, 4200);
    buf_init(&dst, 4200);
    int rc = store_flush(st);
    buf_printf(&src, "%s/vigil.db", st->dir);
    buf_printf(&dst, "%s/vigil.db", out);
    if (!rc)
        rc = backup_db(buf_cstr(&src), buf_cstr(&dst));
    if (!rc)
        rc = manifest_add(&m, out, "vigil.db");
    int64_t *days = NULL;
    size_t n = 0;
    if (!rc)
        rc = store_list_days(st->dir, &days, &n);
    for (size_t i = 0; !rc && i < n; i++) {
        if (days[i] < from_day || days[i] > to_day)
            continue;
        buf_reset(&src);
        buf_reset(&dst);
        rc = store_day_path(st->dir, days[i], &src);
        if (!rc)
            rc = store_day_path(out, days[i], &dst);
        if (!rc)
            rc = backup_db(buf_cstr(&src), buf_cstr(&dst));
        if (!rc)
            rc = manifest_add(&m, out, strrchr(buf_cstr(&dst), '/') + 1);
        r->days += rc == 0;
    }
    mem_free(days);
    /* the keys the data needs, and the heads (under fixed names in the backup) */
    const char *extra[][2] = {{st->audit.key_file, "audit.key"},
                              {st->audit.heads_file, "audit.heads"},
                              {NULL, "secrets.key"}};
    for (size_t i = 0; !rc && i < sizeof extra / sizeof extra[0]; i++) {
        char from[4200], to[4200];
        bool copied;
        snprintf(from, sizeof from, "%s", extra[i][0] ? extra[i][0] : "");
        if (!extra[i][0])
            snprintf(from, sizeof from, "%s/%s", st->dir, extra[i][1]);
        snprintf(to, sizeof to, "%s/%s", out, extra[i][1]);
        rc = copy_file(from, to, &copied);
        if (!rc && copied)
            rc = manifest_add(&m, out, extra[i][1]);
    }
    if (!rc) {
        char path[4200];
        snprintf(path, sizeof path, "%s/" MANIFEST, out);
        FILE *f = fopen(path, "wxe");
        rc = !f || fwrite(m.p, 1, m.len, f) != m.len ? ERR_IO : 0;
        if (f && fclose(f))
            rc = ERR_IO;
        r->files = 0;
        for (size_t i = 0; i < m.len; i++)
            r->files += m.p[i] == '\n';
    }
    if (rc)
        snprintf(err, errlen, "backup into %s failed: %s", out, err_str(rc));
    buf_fini(&m);
    buf_fini(&src);
    buf_fini(&dst);
    return rc;
}

/* See store.h. */
int store_restore(const char *from, const char *dir, struct store_backup_report *r, char *err,
                  size_t errlen)
{
    memset(r, 0, sizeof *r);
    char path[4200];
    snprintf(path, sizeof path, "%s/vigil.db", dir);
    if (access(path, F_OK) == 0) {
        snprintf(err, errlen, "%s holds a store already: restore into an empty directory", dir);
        return ERR_EXISTS;
    }
    snprintf(path, sizeof path, "%s/" MANIFEST, from);
    FILE *f = fopen(path, "re");
    if (!f) {
        snprintf(err, errlen, "%s: %s (not a backup)", path, err_errno(errno));
        return ERR_IO;
    }
    if (mkdir(dir, 0700) && errno != EEXIST) {
        fclose(f);
        snprintf(err, errlen, "%s: %s", dir, err_errno(errno));
        return ERR_IO;
    }
    char line[512];
    int rc = 0;
    /* every file is checked before any is copied */
    for (int pass = 0; pass < 2 && !rc; pass++) {
        rewind(f);
        while (!rc && fgets(line, sizeof line, f)) {
            char hex[65], name[256], got[65];
            unsigned long long size;
            uint64_t real;
            if (sscanf(line, "%64s %llu %255s", hex, &size, name) != 3 || strchr(name, '/') ||
                name[0] == '.') {
                snprintf(err, errlen, "%s: a line that is not a manifest entry", path);
                rc = ERR_PARSE;
                break;
            }
            char src[4200], dst[4200];
            snprintf(src, sizeof src, "%s/%s", from, name);
            snprintf(dst, sizeof dst, "%s/%s", dir, name);
            if (pass == 0) {
                if (digest(src, got, &real) || strcmp(got, hex) || real != size) {
                    snprintf(err, errlen, "%s: missing, or not the file the backup wrote", src);
                    rc = ERR_INVAL;
                }
                continue;
            }
            bool copied;
            rc = copy_file(src, dst, &copied);
            if (rc)
                snprintf(err, errlen, "%s: cannot write: %s", dst, err_errno(errno));
            r->files++;
            r->days += !strncmp(name, "events-", 7);
        }
    }
    fclose(f);
    return rc;
}
