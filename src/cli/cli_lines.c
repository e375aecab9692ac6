/*
 * cli_lines.c — the line reader of the commands that read log files (`vigil parse`,
 * `vigil hunt`). Lines end at '\n' (a '\r' before it is dropped); NUL bytes are kept. A
 * line longer than EVENT_MAX_RECORD is handed on with EVENT_MAX_RECORD + 1 bytes (so the
 * decoder sees it is too long, cuts and flags it) and the rest of it up to the next
 * newline is read and discarded: memory stays bounded whatever the input.
 */
#include "cli/cli.h"
#include "core/core.h"
#include "event/event.h"

#include <string.h>

#define READ_CHUNK (64 * 1024)

/* See cli.h. */
int cli_read_lines(FILE *f, cli_line_fn fn, void *ctx)
{
    size_t cap = EVENT_MAX_RECORD + 1, len = 0;
    char *line = mem_alloc(cap);
    char *chunk = mem_alloc(READ_CHUNK);
    int rc = ERR_NOMEM;
    if (!line || !chunk)
        goto out;
    uint64_t lineno = 0;
    size_t n;
    rc = 0;
    while ((n = fread(chunk, 1, READ_CHUNK, f)) > 0) {
        const char *p = chunk, *end = chunk + n;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *stop = nl ? nl : end;
            size_t take = (size_t)(stop - p);
            if (take > cap - len)
                take = cap - len; /* over-long: keep the head, drop the rest */
            memcpy(line + len, p, take);
            len += take;
            p = stop;
            if (!nl)
                break;
            p++;
            lineno++;
            size_t l = len;
            if (l && line[l - 1] == '\r' && l <= EVENT_MAX_RECORD)
                l--;
            if ((rc = fn(ctx, line, l, lineno)) != 0)
                goto out;
            len = 0;
        }
    }
    if (ferror(f))
        rc = ERR_IO;
    else if (len) {
        size_t l = len;
        if (line[l - 1] == '\r' && l <= EVENT_MAX_RECORD)
            l--;
        rc = fn(ctx, line, l, lineno + 1);
    }
out:
    mem_free(line);
    mem_free(chunk);
    return rc;
}
