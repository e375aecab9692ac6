/*
 * decode.h — turns one raw record into an event (docs/ARCHITECTURE.md §1 "decode"):
 * character set to UTF-8, the syslog header (RFC 3164 / RFC 5424 and their real-world
 * variants), then the decoder chosen by program name or by the first bytes, and the
 * routing table that gives the event its routes and aliases. A record no decoder knows
 * becomes a generic event; decoding never drops a record.
 */
#ifndef VIGIL_DECODE_H
#define VIGIL_DECODE_H

#include "core/core.h"
#include "event/event.h"

enum decode_charset {
    CHARSET_AUTO = 0, /* UTF-8 when valid, else GB18030 (a superset of GBK) */
    CHARSET_UTF8,     /* taken as is; invalid bytes flagged EVF_BAD_UTF8 */
    CHARSET_GBK,
    CHARSET_GB18030,
};

/* Parses "auto", "utf-8", "gbk", "gb18030" (any case). */
int decode_charset_parse(const char *name, enum decode_charset *out);

/* What an input says about its records. Owned by the input; outlives its records. */
struct decode_source {
    const struct vtz *tz; /* zone of timestamps that carry none; NULL = UTC */
    enum decode_charset charset;
    const char *format;                 /* NULL/"auto", or a decoder name to force ("json") */
    const struct decode_custom *custom; /* the operator's decoders (custom.c), or NULL */
};

/* The decoders an operator defines in the configuration (custom.c). */
struct decode_custom;
struct cfg_node;
/* Loads the `decoders:` list (a YAML sequence) into *out; a mistake is refused with
 * "FILE:LINE: reason" in err (ERR_INVAL), or ERR_NOMEM. */
int decode_custom_load(const struct cfg_node *list, const char *file, struct decode_custom **out,
                       char *err, size_t errlen);
/* The name of decoder i of c, or NULL past the last. */
const char *decode_custom_name(const struct decode_custom *c, size_t i);
/* Frees c (NULL does nothing); no event decoded with it may be used afterwards. */
void decode_custom_free(struct decode_custom *c);

/* Per-thread decoding state (iconv handles, scratch). One per worker. */
struct decode_ctx;

int decode_ctx_new(struct decode_ctx **out);
void decode_ctx_free(struct decode_ctx *ctx);

/*
 * Decodes record rec[0..len) into ev. ev->raw points at rec (the caller keeps rec alive
 * while ev is used); converted text and unescaped values live in `arena`. The caller
 * sets ev->id, ev->input, ev->peer after or before; decode_record preserves them, and
 * sets received_ns to `received_ns`. Records over EVENT_MAX_RECORD are cut and flagged.
 * Returns 0, or ERR_NOMEM when the arena is exhausted (ev is then a generic event
 * holding only the raw record).
 */
int decode_record(struct decode_ctx *ctx, const struct decode_source *src, struct arena *arena,
                  const char *rec, size_t len, int64_t received_ns, struct event *ev);

/* One row of the routing table (routing.c), for `vigil decoders` and the README: which
 * decoder output (or Windows channel / event id) gets which routes and aliases. */
struct decode_route_info {
    const char *decoder; /* "auditd" */
    const char *output;  /* what of its output the row is for: "EXECVE records", or a
                          * Windows channel */
    unsigned event_id;   /* Windows rows by (channel, event id): the id; else 0 */
    bool windows_extra;  /* a Windows channel or event row: routes added to "windows" */
    route_set routes;    /* for Windows channel/event rows: added to the windows route */
    const struct field_alias *aliases; /* {0, 0}-terminated */
};
/* Row i of the routing table into *out; false past the last row. */
bool decode_route_info(size_t i, struct decode_route_info *out);

/* Names of the registered decoders, NULL-terminated (for docs and `vigil parse`). */
const char *const *decode_names(void);

#endif
