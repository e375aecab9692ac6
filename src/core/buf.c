/*
 * buf.c — growable heap buffers with a hard cap (struct buf), used for rendering JSON,
 * SQL-free text and messages off the hot path's arenas.
 */
#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BUF_DEFAULT_CAP (64u * 1024 * 1024)

void buf_init(struct buf *b, size_t cap)
{
    memset(b, 0, sizeof *b);
    b->cap = cap ? cap : BUF_DEFAULT_CAP;
}

void buf_fini(struct buf *b)
{
    mem_free(b->p);
    b->p = NULL;
    b->len = b->size = 0;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    b->err = 0;
}

/* Makes room for n more bytes plus a NUL. */
static int reserve(struct buf *b, size_t n)
{
    if (b->err)
        return b->err;
    if (n > b->cap || b->len > b->cap - n) {
        b->err = ERR_TOOBIG;
        return b->err;
    }
    size_t need = b->len + n + 1;
    if (need <= b->size)
        return 0;
    size_t size = b->size ? b->size : 256;
    while (size < need)
        size = size > SIZE_MAX / 2 ? need : size * 2;
    char *p = mem_realloc(b->p, size);
    if (!p) {
        b->err = ERR_NOMEM;
        return b->err;
    }
    b->p = p;
    b->size = size;
    return 0;
}

int buf_reserve(struct buf *b, size_t n)
{
    return reserve(b, n);
}

int buf_append(struct buf *b, const void *p, size_t n)
{
    int rc = reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    return 0;
}

int buf_putc(struct buf *b, char c)
{
    return buf_append(b, &c, 1);
}

int buf_puts(struct buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return ERR_INVAL;
    if ((size_t)n < sizeof small)
        return buf_append(b, small, (size_t)n);
    int rc = reserve(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *p, size_t left)
{
    unsigned c = p[0];
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if (c < 0xC2 || c > 0xF4 || left < n)
        return 0;
    return utf8_valid((const char *)p, n) ? n : 0;
}

/* See core.h. */
void buf_json_member(struct buf *b, const char *key, const char *v, size_t n)
{
    buf_printf(b, ",\"%s\":", key);
    if (!v) {
        buf_puts(b, "null");
        return;
    }
    buf_putc(b, '"');
    buf_json_str(b, v, n);
    buf_putc(b, '"');
}

void buf_json_time(struct buf *b, const char *key, int64_t ns)
{
    char t[64];
    if (vtime_format(ns, t, sizeof t) != 0)
        snprintf(t, sizeof t, "?");
    buf_printf(b, ",\"%s\":\"%s\"", key, t);
}

int buf_json_str(struct buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    if (n == 0)
        return b->err; /* s may be NULL for an empty value */
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            run++;
            continue;
        }
        if (c >= 0x80) {
            size_t k = utf8_seq(p + i, n - i);
            if (k) {
                i += k;
                run += k;
                continue;
            }
        }
        buf_append(b, p + i - run, run);
        run = 0;
        char esc[6] = {'\\', 0};
        size_t elen = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            /* controls, and invalid UTF-8 bytes rendered as the code point of the byte */
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            elen = 6;
        }
        buf_append(b, esc, elen);
        i++;
    }
    return buf_append(b, p + i - run, run);
}

const char *buf_cstr(struct buf *b)
{
    if (reserve(b, 0))
        return NULL;
    b->p[b->len] = 0;
    return b->p;
}

int buf_read_file(struct buf *b, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ERR_IO;
    char chunk[65536];
    int rc = 0;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = ERR_IO;
            break;
        }
        if (n == 0)
            break;
        if ((rc = buf_append(b, chunk, (size_t)n)))
            break;
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}
