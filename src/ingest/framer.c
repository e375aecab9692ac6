/*
 * framer.c — RFC 6587 framing of a syslog-over-TCP byte stream (also newline framing
 * for stdin), as a pure state machine: the TCP input feeds it whatever read() returned,
 * in any chunk sizes, and it calls back once per complete frame. Frames found whole in
 * the fed chunk are passed without copying; only a frame split across reads is copied
 * into the framer's buffer, which never grows past max_frame.
 */
#include "ingest/ingest.h"

#include <string.h>

enum { MODE_UNKNOWN, MODE_OCTET, MODE_LF };
enum { ST_HEADER, ST_BODY, ST_SKIP };

#define HDR_MAX_DIGITS 10

void ingest_framer_init(struct ingest_framer *f, size_t max_frame, bool lf_only)
{
    memset(f, 0, sizeof *f);
    f->max_frame = max_frame ? max_frame : INGEST_DEFAULT_MAX_FRAME;
    f->lf_only = lf_only;
    f->mode = lf_only ? MODE_LF : MODE_UNKNOWN;
    f->state = ST_HEADER;
}

void ingest_framer_fini(struct ingest_framer *f)
{
    mem_free(f->buf);
    f->buf = NULL;
    f->len = f->size = 0;
}

bool ingest_framer_pending(const struct ingest_framer *f)
{
    return f->len > 0 || f->hdr_len > 0 || (f->mode == MODE_OCTET && f->state == ST_BODY);
}

/* Appends up to the frame cap; returns the bytes taken (fewer when the cap or memory
 * ran out: the caller treats the frame as cut). */
static size_t take(struct ingest_framer *f, const char *p, size_t n)
{
    size_t room = f->max_frame - f->len;
    if (n > room)
        n = room;
    if (f->len + n > f->size) {
        size_t want = f->size ? f->size : 1024;
        while (want < f->len + n)
            want *= 2;
        if (want > f->max_frame)
            want = f->max_frame;
        char *nb = mem_realloc(f->buf, want);
        if (!nb) {
            n = f->size - f->len;
        } else {
            f->buf = nb;
            f->size = want;
        }
    }
    if (n)
        memcpy(f->buf + f->len, p, n);
    f->len += n;
    return n;
}

static void emit(struct ingest_framer *f, const char *p, size_t len, unsigned flags,
                 ingest_frame_fn fn, void *ctx)
{
    if (f->malformed)
        flags |= INGEST_FRAME_MALFORMED;
    f->malformed = false;
    if (f->mode == MODE_LF && len > 0 && p[len - 1] == '\r' && !(flags & INGEST_FRAME_TRUNCATED))
        len--;
    if (len == 0)
        return;
    fn(ctx, p, len, flags);
}

/* Newline framing: consumes p[0..n) and returns how much was used (always n). */
static size_t feed_lf(struct ingest_framer *f, const char *p, size_t n, ingest_frame_fn fn,
                      void *ctx)
{
    size_t i = 0;
    while (i < n) {
        /* find the next LF or NUL */
        size_t j = i;
        while (j < n && p[j] != '\n' && p[j] != '\0')
            j++;
        bool end = j < n;
        if (f->cutting) {
            if (end)
                f->cutting = false;
            i = end ? j + 1 : n;
            continue;
        }
        size_t seg = j - i;
        if (f->len == 0 && end && seg <= f->max_frame) {
            emit(f, p + i, seg, 0, fn, ctx); /* whole line in this chunk: no copy */
        } else {
            /* a buffer filled exactly to the cap waits for the next byte: a terminator
             * then means the line fitted, anything else that it is cut */
            size_t got = take(f, p + i, seg);
            if (got < seg) {
                emit(f, f->buf, f->len, INGEST_FRAME_TRUNCATED, fn, ctx);
                f->len = 0;
                f->cutting = !end;
            } else if (end) {
                emit(f, f->buf, f->len, 0, fn, ctx);
                f->len = 0;
            }
        }
        i = end ? j + 1 : n;
    }
    return n;
}

/* Leaves octet counting for newline framing: the header bytes read so far start the
 * line, which is flagged malformed. */
static void to_lf(struct ingest_framer *f, bool was_octet)
{
    f->mode = MODE_LF;
    f->state = ST_HEADER;
    f->malformed = was_octet;
    if (f->hdr_len)
        take(f, f->hdr, f->hdr_len);
    f->hdr_len = 0;
}

int ingest_framer_feed(struct ingest_framer *f, const char *p, size_t n, ingest_frame_fn fn,
                       void *ctx)
{
    size_t i = 0;
    while (i < n) {
        if (f->mode == MODE_LF) {
            i += feed_lf(f, p + i, n - i, fn, ctx);
            break;
        }
        if (f->state == ST_SKIP) {
            uint64_t k = f->skip < (uint64_t)(n - i) ? f->skip : (uint64_t)(n - i);
            f->skip -= k;
            i += (size_t)k;
            if (f->skip == 0)
                f->state = ST_HEADER;
            continue;
        }
        if (f->state == ST_HEADER) {
            char c = p[i];
            if (f->mode == MODE_OCTET && f->hdr_len == 0 &&
                (c == '\n' || c == '\r' || c == '\0' || c == ' ')) {
                i++; /* trailers some senders add between octet-counted frames */
                continue;
            }
            if (c >= '0' && c <= '9' && !(f->hdr_len == 0 && c == '0') &&
                f->hdr_len < HDR_MAX_DIGITS) {
                f->hdr[f->hdr_len++] = c;
                i++;
                continue;
            }
            if (c == ' ' && f->hdr_len > 0) {
                uint64_t count = 0;
                for (size_t k = 0; k < f->hdr_len; k++)
                    count = count * 10 + (uint64_t)(f->hdr[k] - '0');
                i++;
                f->hdr_len = 0;
                f->mode = MODE_OCTET;
                f->remain = count;
                f->len = 0;
                f->state = ST_BODY;
                continue;
            }
            /* not "digits SP": newline framing from here, this byte included */
            to_lf(f, f->mode == MODE_OCTET);
            continue;
        }
        /* ST_BODY of an octet-counted frame */
        size_t avail = n - i;
        size_t want = f->remain < (uint64_t)avail ? (size_t)f->remain : avail;
        if (f->len == 0 && want == f->remain && want <= f->max_frame) {
            emit(f, p + i, want, 0, fn, ctx); /* whole frame in this chunk: no copy */
            i += want;
            f->remain = 0;
            f->state = ST_HEADER;
            continue;
        }
        size_t got = take(f, p + i, want);
        i += want;
        f->remain -= want;
        if (got < want || (f->len >= f->max_frame && f->remain > 0)) {
            /* over the cap (or out of memory): deliver what we have, skip the rest (the
             * bytes of this chunk past the cap are consumed already) */
            f->skip = f->remain;
            f->remain = 0;
            emit(f, f->buf, f->len, INGEST_FRAME_TRUNCATED, fn, ctx);
            f->len = 0;
            f->state = f->skip ? ST_SKIP : ST_HEADER;
        } else if (f->remain == 0) {
            emit(f, f->buf, f->len, 0, fn, ctx);
            f->len = 0;
            f->state = ST_HEADER;
        }
    }
    return 0;
}

size_t ingest_framer_eof(struct ingest_framer *f, ingest_frame_fn fn, void *ctx)
{
    size_t lost = 0;
    if (f->mode == MODE_LF) {
        if (f->len && !f->cutting)
            emit(f, f->buf, f->len, 0, fn, ctx);
    } else if (f->mode == MODE_UNKNOWN && f->hdr_len) {
        /* digits and no space: it was a short newline-framed line after all */
        f->mode = MODE_LF;
        take(f, f->hdr, f->hdr_len);
        emit(f, f->buf, f->len, 0, fn, ctx);
    } else if (f->mode == MODE_OCTET) {
        /* a half frame: lost (a header without its body counts as one byte lost) */
        if (f->state == ST_BODY)
            lost = f->len ? f->len : 1;
        else if (f->hdr_len)
            lost = f->hdr_len;
    }
    size_t max = f->max_frame;
    bool lf_only = f->lf_only;
    char *buf = f->buf;
    size_t size = f->size;
    ingest_framer_init(f, max, lf_only);
    f->buf = buf;
    f->size = size;
    return lost;
}
