/*
 * in_file.c — the file tail input. Polls its file from the I/O thread's tick, cuts
 * lines, optionally joins multi-line records (a line matching start_pattern starts a
 * record; other lines are appended, bounded by max_frame; a pending record is flushed
 * after multiline_timeout_ms), and follows rotation by rename (the old file is read to
 * its end first) and by truncation (copytruncate: reading restarts at 0).
 *
 * Exactly once across restarts: every batch carries the checkpoint "where the next
 * record starts" — the file's fingerprint (hash of its first 256 bytes), that offset,
 * and its inode — and the writer commits it in the same transaction as the records it
 * covers. At start the file holding the fingerprint is looked for at the path and among
 * its rotated siblings (path.1, path.*); a rotated one is finished before the path is
 * read from 0. Event ids are hash_mix(fingerprint, offset of the record), so the same
 * record read twice has the same id. A multi-line record still pending at shutdown is
 * not written: the checkpoint stays at its start and the next run reads it again. Limits: only one
 * rotation while the daemon was down is recovered; a file shorter than its fingerprint window has a
 * fingerprint that changes as it grows (ids stay unique; matching uses the stored length).
 */
#include "ingest/ingest_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FP_BYTES 256
#define FILE_READ_SIZE (64 * 1024)
#define FILE_TICK_BUDGET (4 << 20)

struct tail {
    int fd; /* -1 while the file is absent */
    dev_t dev;
    ino_t ino;
    bool old; /* fd is a rotated file found at start: finish, then the path */
    uint64_t fp;
    uint32_t fplen;
    uint64_t pos; /* next byte to read */
    /* the line being assembled */
    char *line;
    size_t line_len;
    bool line_cut;
    uint64_t line_start;
    /* the multi-line record being assembled */
    bool has_re;
    regex_t re;
    char *rec;
    size_t rec_len;
    bool rec_open, rec_cut;
    uint64_t rec_start, rec_end;
    int64_t rec_mono;
    int64_t read_mono; /* when the current chunk was read (no clock read per line) */
    char *scratch;     /* NUL-terminated copy of a line for regexec */
    char *rbuf;
    int64_t recv_ns;
    uint64_t host_hash;
    struct ingest_source_entry *src;
};

/* ---- fingerprints and checkpoints ----------------------------------------------- */

static int fingerprint(int fd, uint32_t len, uint64_t *out)
{
    char b[FP_BYTES];
    if (len > FP_BYTES)
        len = FP_BYTES;
    ssize_t n = pread(fd, b, len, 0);
    if (n < 0 || (uint32_t)n != len)
        return ERR_IO;
    *out = hash64(b, len, 0x66696c65);
    return 0;
}

/* Recomputes the fingerprint over min(FP_BYTES, size) bytes. */
static void refresh_fp(struct tail *t);

/* Forgets the fingerprint (a new or truncated file) and takes it again. */
static void reset_fp(struct tail *t)
{
    t->fplen = 0;
    t->fp = hash64("", 0, 0x66696c65);
    refresh_fp(t);
}

static void refresh_fp(struct tail *t)
{
    struct stat st;
    if (t->fd < 0 || fstat(t->fd, &st) < 0)
        return;
    uint32_t want = st.st_size < FP_BYTES ? (uint32_t)st.st_size : FP_BYTES;
    if (want != t->fplen && fingerprint(t->fd, want, &t->fp) == 0)
        t->fplen = want;
}

struct cp {
    uint64_t fp, off, ino, dev;
    uint32_t fplen;
};

static void cp_format(const struct tail *t, uint64_t off, char *out, size_t outlen)
{
    snprintf(out, outlen, "v1 fp=%016llx fplen=%u off=%llu ino=%llu dev=%llu",
             (unsigned long long)t->fp, t->fplen, (unsigned long long)off,
             (unsigned long long)t->ino, (unsigned long long)t->dev);
}

static int parse_hex(struct slice s, uint64_t *out)
{
    uint64_t v = 0;
    if (s.len == 0 || s.len > 16)
        return ERR_PARSE;
    for (size_t i = 0; i < s.len; i++) {
        int d = hex_digit(s.p[i]);
        if (d < 0 || (s.p[i] >= 'A' && s.p[i] <= 'F')) /* written in lower case */
            return ERR_PARSE;
        v = v << 4 | (unsigned)d;
    }
    *out = v;
    return 0;
}

static int cp_parse(struct slice s, struct cp *cp)
{
    memset(cp, 0, sizeof *cp);
    if (!slice_starts(s, "v1 "))
        return ERR_PARSE;
    int seen = 0;
    size_t i = 3;
    while (i < s.len) {
        size_t j = i;
        while (j < s.len && s.p[j] != ' ')
            j++;
        struct slice kv = slice_make(s.p + i, j - i);
        long eq = slice_find_byte(kv, '=');
        if (eq > 0) {
            struct slice k = slice_make(kv.p, (size_t)eq);
            struct slice v = slice_make(kv.p + eq + 1, kv.len - (size_t)eq - 1);
            uint64_t u = 0;
            if (slice_eq(k, "fp") && !parse_hex(v, &cp->fp))
                seen |= 1;
            else if (slice_eq(k, "fplen") && !slice_to_u64(v, &u) && u <= FP_BYTES) {
                cp->fplen = (uint32_t)u;
                seen |= 2;
            } else if (slice_eq(k, "off") && !slice_to_u64(v, &cp->off))
                seen |= 4;
            else if (slice_eq(k, "ino") && !slice_to_u64(v, &cp->ino))
                seen |= 8;
            else if (slice_eq(k, "dev") && !slice_to_u64(v, &cp->dev))
                seen |= 16;
        }
        i = j + 1;
    }
    return (seen & 7) == 7 ? 0 : ERR_PARSE;
}

/* ---- records --------------------------------------------------------------------- */

static void emit(struct ingest_input *in, struct tail *t, const char *p, size_t len, bool cut,
                 uint64_t start, uint64_t end)
{
    char cpv[INGEST_CP_MAX];
    cp_format(t, end, cpv, sizeof cpv);
    uint64_t id = hash_mix(t->fp, start);
    struct event_origin origin = {t->fp ? t->fp : 1, start};
    if (ingest_add(in, t->host_hash, p, len, cut ? EVF_TRUNCATED : 0, id, origin, t->recv_ns, NULL,
                   0, cpv, true)) {
        atomic_fetch_add_explicit(&in->ct.dropped, 1, memory_order_relaxed);
        return;
    }
    t->src = ingest_source_note(in, t->host_hash, "-", 1, t->recv_ns, t->src);
}

static void flush_rec(struct ingest_input *in, struct tail *t)
{
    if (!t->rec_open)
        return;
    t->rec_open = false;
    if (t->rec_len)
        emit(in, t, t->rec, t->rec_len, t->rec_cut, t->rec_start, t->rec_end);
    t->rec_len = 0;
    t->rec_cut = false;
}

static bool starts_record(struct ingest_input *in, struct tail *t, const char *p, size_t len)
{
    if (len > in->cfg->max_frame)
        len = in->cfg->max_frame;
    memcpy(t->scratch, p, len);
    t->scratch[len] = 0;
    return regexec(&t->re, t->scratch, 0, NULL, 0) == 0;
}

static void rec_append(struct ingest_input *in, struct tail *t, const char *p, size_t len, bool cut)
{
    size_t cap = in->cfg->max_frame;
    size_t room = cap - t->rec_len;
    if (t->rec_len && room) {
        t->rec[t->rec_len++] = '\n';
        room--;
    }
    if (len > room) {
        len = room;
        cut = true;
    }
    memcpy(t->rec + t->rec_len, p, len);
    t->rec_len += len;
    t->rec_cut |= cut;
}

/* One line p[0..len) spanning file bytes [start, end) (end is after its LF). */
static void on_line(struct ingest_input *in, struct tail *t, const char *p, size_t len, bool cut,
                    uint64_t start, uint64_t end)
{
    if (!cut && len && p[len - 1] == '\r')
        len--;
    if (!t->has_re) {
        if (len)
            emit(in, t, p, len, cut, start, end);
        return;
    }
    if (t->rec_open && !starts_record(in, t, p, len)) {
        rec_append(in, t, p, len, cut);
        t->rec_end = end;
        t->rec_mono = t->read_mono;
        return;
    }
    flush_rec(in, t);
    if (!len)
        return;
    t->rec_open = true;
    t->rec_start = start;
    t->rec_end = end;
    t->rec_len = 0;
    t->rec_cut = false;
    t->rec_mono = t->read_mono;
    rec_append(in, t, p, len, cut);
}

static void line_reset(struct tail *t, uint64_t at)
{
    t->line_len = 0;
    t->line_cut = false;
    t->line_start = at;
}

/* Cuts lines out of a chunk read at file offset `at`. */
static void feed(struct ingest_input *in, struct tail *t, const char *p, size_t n, uint64_t at)
{
    size_t cap = in->cfg->max_frame;
    size_t i = 0;
    while (i < n) {
        const char *nl = memchr(p + i, '\n', n - i);
        size_t seg = nl ? (size_t)(nl - (p + i)) : n - i;
        if (nl && t->line_len == 0 && !t->line_cut && seg <= cap) {
            on_line(in, t, p + i, seg, false, t->line_start, at + i + seg + 1);
        } else {
            size_t room = cap - t->line_len;
            size_t k = seg < room ? seg : room;
            memcpy(t->line + t->line_len, p + i, k);
            t->line_len += k;
            if (k < seg)
                t->line_cut = true;
            if (nl)
                on_line(in, t, t->line, t->line_len, t->line_cut, t->line_start, at + i + seg + 1);
        }
        if (!nl)
            break;
        i += seg + 1;
        line_reset(t, at + i);
    }
}

/* Reads up to budget bytes (0 = to the end); returns true when more may be waiting. */
static bool read_file(struct ingest_input *in, struct tail *t, size_t budget)
{
    size_t done = 0;
    while (budget == 0 || done < budget) {
        ssize_t n = pread(t->fd, t->rbuf, FILE_READ_SIZE, (off_t)t->pos);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n < 0)
                log_warn("%s: read %s: %s", in->cfg->name, in->cfg->path, err_errno(errno));
            return false;
        }
        t->recv_ns = vtime_now_ns();
        t->read_mono = vtime_mono_ns();
        uint64_t at = t->pos;
        t->pos += (uint64_t)n;
        feed(in, t, t->rbuf, (size_t)n, at);
        done += (size_t)n;
    }
    return true;
}

/* ---- opening, rotation ----------------------------------------------------------- */

static void close_fd(struct tail *t)
{
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
}

static int use_fd(struct tail *t, int fd, uint64_t pos)
{
    struct stat st;
    if (fstat(fd, &st) < 0) {
        close(fd);
        return ERR_IO;
    }
    close_fd(t);
    t->fd = fd;
    t->dev = st.st_dev;
    t->ino = st.st_ino;
    t->pos = pos;
    reset_fp(t);
    line_reset(t, pos);
    return 0;
}

static void open_path(struct ingest_input *in, struct tail *t)
{
    int fd = open(in->cfg->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    if (use_fd(t, fd, 0) == 0)
        t->old = false;
}

/* Ends the current file: the last unterminated line and a pending record go out. */
static void finish_file(struct ingest_input *in, struct tail *t)
{
    read_file(in, t, 0);
    if (t->line_len || t->line_cut)
        on_line(in, t, t->line, t->line_len, t->line_cut, t->line_start, t->pos);
    line_reset(t, t->pos);
    flush_rec(in, t);
    close_fd(t);
}

static bool matches(int fd, const struct cp *cp, struct stat *st)
{
    uint64_t fp;
    if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode) || (uint64_t)st->st_size < cp->off ||
        (uint64_t)st->st_size < cp->fplen)
        return false;
    return fingerprint(fd, cp->fplen, &fp) == 0 && fp == cp->fp;
}

/*
 * Finds the file the checkpoint speaks of: the path or a rotated sibling (path.*) with
 * the same fingerprint and at least `off` bytes, preferring the same inode, then the
 * path. Returns an fd (and whether it is the path) or -1.
 */
static int find_checkpointed(struct ingest_input *in, const struct cp *cp, bool *is_path)
{
    const char *path = in->cfg->path;
    int best = -1, best_score = -1;
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (matches(fd, cp, &st)) {
            best = fd;
            best_score = 1 + ((uint64_t)st.st_ino == cp->ino ? 2 : 0);
            *is_path = true;
        } else {
            close(fd);
        }
    }
    const char *slash = strrchr(path, '/');
    char dir[4096];
    const char *base = slash ? slash + 1 : path;
    size_t dl = slash ? (size_t)(slash - path) : 1;
    if (dl >= sizeof dir)
        return best;
    if (slash)
        memcpy(dir, path, dl);
    else
        dir[0] = '.';
    if (dl == 0)
        dir[dl++] = '/';
    dir[dl] = 0;
    DIR *d = opendir(dir);
    if (!d)
        return best;
    size_t bl = strlen(base);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, base, bl) || de->d_name[bl] != '.')
            continue;
        char full[8192];
        int n = snprintf(full, sizeof full, "%s/%s", dir, de->d_name);
        if (n < 0 || (size_t)n >= sizeof full)
            continue;
        fd = open(full, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        if (matches(fd, cp, &st)) {
            int score = (uint64_t)st.st_ino == cp->ino ? 2 : 0;
            if (score > best_score) {
                if (best >= 0)
                    close(best);
                best = fd;
                best_score = score;
                *is_path = false;
                log_info("%s: resuming in rotated file %s", in->cfg->name, full);
                continue;
            }
        }
        close(fd);
    }
    closedir(d);
    return best;
}

static void start_position(struct ingest_input *in, struct tail *t)
{
    struct buf b;
    buf_init(&b, 4096);
    struct cp cp;
    int rc = store_checkpoint_get(in->ig->st, in->cp_key, &b);
    bool have = rc == 0 && cp_parse(slice_make(b.p ? b.p : "", b.len), &cp) == 0;
    buf_fini(&b);
    if (!have) {
        if (rc == 0)
            log_warn("%s: unreadable checkpoint; reading %s from the start", in->cfg->name,
                     in->cfg->path);
        open_path(in, t);
        return;
    }
    bool is_path = false;
    int fd = find_checkpointed(in, &cp, &is_path);
    if (fd < 0) {
        log_warn("%s: the checkpointed file is gone; reading %s from the start", in->cfg->name,
                 in->cfg->path);
        open_path(in, t);
        return;
    }
    if (use_fd(t, fd, cp.off) == 0)
        t->old = !is_path;
}

/*
 * Notices a truncation in place (copytruncate): a file shorter than our offset, or one
 * whose first bytes changed (new lines outgrew the old size between two ticks). Lines
 * written after our last read are in the copy: when a sibling holds the old content,
 * it is finished from our offset first (a partial line continues there); then the path
 * starts over from 0. A truncation between this check and the next read cannot be told
 * apart from growth — copytruncate's own window. Returns true when it acted.
 */
static bool check_truncated(struct ingest_input *in, struct tail *t)
{
    struct stat fst;
    uint64_t fp_now = t->fp;
    bool shrunk = fstat(t->fd, &fst) == 0 && (uint64_t)fst.st_size < t->pos;
    bool replaced =
        !shrunk && t->fplen && fingerprint(t->fd, t->fplen, &fp_now) == 0 && fp_now != t->fp;
    if (!shrunk && !replaced)
        return false;
    struct cp cp = {.fp = t->fp, .fplen = t->fplen, .off = t->pos, .ino = t->ino};
    bool is_path = false;
    int fd = find_checkpointed(in, &cp, &is_path);
    if (fd >= 0 && !is_path && fstat(fd, &fst) == 0) {
        close(t->fd);
        t->fd = fd;
        t->dev = fst.st_dev;
        t->ino = fst.st_ino;
        t->old = true;
        return true;
    }
    if (fd >= 0)
        close(fd);
    log_info("%s: %s was truncated; reading from the start", in->cfg->name, in->cfg->path);
    flush_rec(in, t);
    t->pos = 0;
    line_reset(t, 0);
    reset_fp(t);
    return true;
}

static bool file_tick(struct ingest_input *in, int64_t now_mono)
{
    struct tail *t = in->priv;
    if (t->fd < 0) {
        open_path(in, t);
        if (t->fd < 0)
            return false;
    }
    if (t->old) {
        finish_file(in, t);
        open_path(in, t);
        if (t->fd < 0)
            return false;
    }
    /* before reading: bytes at our offset may belong to a new content */
    if (check_truncated(in, t))
        return true;
    if (read_file(in, t, FILE_TICK_BUDGET))
        return true;
    struct stat pst;
    if (t->fplen < FP_BYTES)
        refresh_fp(t);
    if (stat(in->cfg->path, &pst) == 0 && (pst.st_ino != t->ino || pst.st_dev != t->dev)) {
        /* rotated by rename: finish the old file, then follow the new one */
        log_info("%s: %s was rotated; following the new file", in->cfg->name, in->cfg->path);
        finish_file(in, t);
        open_path(in, t);
        return t->fd >= 0;
    }
    if (t->rec_open && now_mono - t->rec_mono >= (int64_t)in->cfg->multiline_timeout_ms * 1000000LL)
        flush_rec(in, t);
    return false;
}

static int file_open(struct ingest_input *in, char *err, size_t errlen)
{
    struct tail *t = mem_calloc(1, sizeof *t);
    if (!t)
        return ERR_NOMEM;
    in->priv = t;
    t->fd = -1;
    t->host_hash = in->name_hash;
    size_t cap = in->cfg->max_frame;
    t->line = mem_alloc(cap);
    t->rec = mem_alloc(cap);
    t->scratch = mem_alloc(cap + 1);
    t->rbuf = mem_alloc(FILE_READ_SIZE);
    if (!t->line || !t->rec || !t->scratch || !t->rbuf)
        return ERR_NOMEM;
    if (in->cfg->start_pattern) {
        if (regcomp(&t->re, in->cfg->start_pattern, REG_EXTENDED | REG_NOSUB) != 0) {
            snprintf(err, errlen, "%s: bad start_pattern", in->cfg->name);
            return ERR_INVAL;
        }
        t->has_re = true;
    }
    int n = snprintf(in->cp_key, sizeof in->cp_key, "file:%s", in->cfg->path);
    snprintf(in->addr, sizeof in->addr, "%s", in->cfg->path);
    if (n < 0 || (size_t)n >= sizeof in->cp_key) {
        snprintf(err, errlen, "%s: path too long", in->cfg->name);
        return ERR_TOOBIG;
    }
    start_position(in, t);
    log_info("tailing %s %s%s", in->cfg->name, in->cfg->path, t->fd < 0 ? " (not there yet)" : "");
    return 0;
}

static void file_ready(struct ingest_input *in, struct ingest_pollee *pe, uint32_t events)
{
    (void)in;
    (void)pe;
    (void)events; /* files are polled from the tick; nothing is registered */
}

static void file_close(struct ingest_input *in)
{
    struct tail *t = in->priv;
    if (!t)
        return;
    close_fd(t);
    if (t->has_re)
        regfree(&t->re);
    mem_free(t->line);
    mem_free(t->rec);
    mem_free(t->scratch);
    mem_free(t->rbuf);
    mem_free(t);
    in->priv = NULL;
}

const struct ingest_input_ops ingest_file_ops = {
    .type = "file",
    .open = file_open,
    .ready = file_ready,
    .tick = file_tick,
    .close = file_close,
};
